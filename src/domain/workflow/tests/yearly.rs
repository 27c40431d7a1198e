//! The yearly life of a published practice (§4.5): the actualisation due a
//! year after the last one, the overdue and audit queues, edit access on
//! request, proposals to archive; the experts' points confirmed; the
//! protocols of the expert review (app. 3, §4.4.7).

use super::*;
use crate::domain::queue::{Queue, queues};

fn days(n: i64) -> chrono::Duration {
    chrono::Duration::days(n)
}

/// A practice published `ago` days before [`now`].
fn published(ago: i64) -> Practice {
    let mut p = practice(PracticeStatus::Published);
    p.published = Some(now() - days(ago));
    p
}

fn queues_of(u: &User, p: &Practice, on: DateTime<Utc>) -> Vec<Queue> {
    queues(u, [p], &Calendar::shipped(), on.date_naive())
}

fn holds(qs: &[Queue], code: &str) -> bool {
    qs.iter().any(|q| q.code == code && q.items.len() == 1)
}

fn with_reason(code: &str, text: &str) -> Args {
    Args {
        reason: Some(code.into()),
        comment: text.into(),
        ..Args::default()
    }
}

/// §4.5.1–4.5.3: a year after publication (or the last actualisation) the
/// practice is overdue for the coordinator of its region and the
/// expert-moderator of its category; an actualisation restarts the year.
#[test]
fn a_year_after_the_last_actualisation_the_practice_is_overdue() {
    let p = published(200);
    let due = (now() - days(200))
        .date_naive()
        .checked_add_months(chrono::Months::new(12))
        .expect("date");
    assert_eq!(actualise_by(&p), Some(due));
    assert!(!holds(
        &queues_of(&coordinator(), &p, now()),
        "actualisation-overdue"
    ));
    let late = now() + days(200);
    for u in [coordinator(), em()] {
        let qs = queues_of(&u, &p, late);
        assert!(holds(&qs, "actualisation-overdue"), "{}: {qs:?}", u.login);
        let item = &qs
            .iter()
            .find(|q| q.code == "actualisation-overdue")
            .expect("queue")
            .items[0];
        assert_eq!(item.deadline, Some(due), "the yearly term is shown");
        assert!(item.overdue > 0);
    }
    // Not the Модератор АСИ's queue: the region's and the category's.
    assert!(
        queues_of(&asi(), &p, late)
            .iter()
            .all(|q| q.code != "actualisation-overdue")
    );
    // Another region's coordinator does not see it.
    let other = user(7, vec![RoleGrant::regional(Role::Coordinator, "52")]);
    assert!(!holds(
        &queues_of(&other, &p, late),
        "actualisation-overdue"
    ));
    // The coordinator asks, the author actualises: a new year begins.
    let opened = run_at(
        &coordinator(),
        &p,
        Action::OpenActualisation,
        &comment("Обновите результаты"),
        late,
    )
    .expect("opened");
    let done = run_at(
        &author(),
        &opened.practice,
        Action::Actualise,
        &Args::default(),
        late,
    )
    .expect("actualised");
    assert_eq!(done.practice.workflow.actualised, Some(late));
    assert!(actualise_by(&done.practice).is_some_and(|d| d > late.date_naive()));
    assert!(!holds(
        &queues_of(&coordinator(), &done.practice, late),
        "actualisation-overdue"
    ));
    // An actualisation whose five days passed waits for a proposal to
    // archive (§4.5.4, §4.6.1).
    let missed = late + days(20);
    let qs = queues_of(&em(), &opened.practice, missed);
    assert!(holds(&qs, "actualisation-overdue"), "{qs:?}");
}

/// §4.5.3: the expert-moderator audits each published practice of their
/// categories once a year; the result is recorded and acts.
#[test]
fn the_yearly_audit_is_recorded_with_its_result() {
    let p = published(30);
    assert!(holds(&queues_of(&em(), &p, now()), "audit"));
    let e = run(
        &coordinator(),
        &p,
        Action::Audit,
        &with_reason("in-order", ""),
    )
    .expect_err("the EM audits");
    assert!(e.contains("Эксперт-модератор"), "{e}");
    let e = run(&em(), &p, Action::Audit, &Args::default()).expect_err("a result");
    assert!(e.contains("in-order"), "{e}");
    let ok = run(&em(), &p, Action::Audit, &with_reason("in-order", "")).expect("in order");
    assert_eq!(ok.practice.status, PracticeStatus::Published);
    let a = ok.practice.workflow.audits.last().expect("recorded");
    assert_eq!(
        (a.year, a.result.as_str(), a.by),
        (2026, "in-order", id(EM))
    );
    assert!(ok.notify.is_empty(), "nothing for anyone to do");
    assert!(!holds(&queues_of(&em(), &ok.practice, now()), "audit"));
    // Next year it is due again.
    assert!(holds(
        &queues_of(&em(), &ok.practice, now() + days(300)),
        "audit"
    ));
    // «Нужна актуализация» opens one for the author with its five days.
    let e = run(&em(), &p, Action::Audit, &with_reason("actualise", "")).expect_err("what");
    assert!(e.contains("комментарий"), "{e}");
    let act = run(
        &em(),
        &p,
        Action::Audit,
        &with_reason("actualise", "Устарели результаты"),
    )
    .expect("actualise");
    assert_eq!(act.practice.status, PracticeStatus::Actualisation);
    assert!(act.practice.workflow.deadline.is_some());
    // «Предложить архивацию» goes to the Модератор АСИ.
    let arc = run(
        &em(),
        &p,
        Action::Audit,
        &with_reason("propose-archive", "Реализация прекращена"),
    )
    .expect("proposed");
    let prop = arc
        .practice
        .workflow
        .archive_proposal
        .clone()
        .expect("kept");
    assert_eq!(prop.by, id(EM));
    assert!(holds(
        &queues_of(&asi(), &arc.practice, now()),
        "archive-proposals"
    ));
}

/// §4.5.5–4.5.6: the author asks for edit access, the Модератор АСИ
/// grants it; nobody else opens the passport on their own request.
#[test]
fn edit_access_is_asked_by_the_author_and_granted_by_the_asi_moderator() {
    let p = published(30);
    let e = run(&author(), &p, Action::RequestEdit, &Args::default()).expect_err("why");
    assert!(e.contains("комментарий"), "{e}");
    let e = run(&asi(), &p, Action::GrantEdit, &Args::default()).expect_err("not asked");
    assert!(e.contains("не запрашивал"), "{e}");
    let asked = run(
        &author(),
        &p,
        Action::RequestEdit,
        &comment("Изменился состав команды"),
    )
    .expect("asked");
    assert_eq!(asked.practice.status, PracticeStatus::Published);
    assert!(matches!(
        asked.notify.as_slice(),
        [Audience::Role {
            role: Role::AsiModerator,
            ..
        }]
    ));
    let e = run(
        &author(),
        &asked.practice,
        Action::RequestEdit,
        &comment("ещё"),
    )
    .expect_err("twice");
    assert!(e.contains("уже направлен"), "{e}");
    assert!(holds(
        &queues_of(&asi(), &asked.practice, now()),
        "edit-requests"
    ));
    let e = run(&em(), &asked.practice, Action::GrantEdit, &Args::default())
        .expect_err("the ASI grants");
    assert!(e.contains("Модератор АСИ"), "{e}");
    // Or declined, with the reason, back to the author.
    let e = run(
        &asi(),
        &asked.practice,
        Action::DeclineEdit,
        &Args::default(),
    )
    .expect_err("why");
    assert!(e.contains("почему"), "{e}");
    let declined = run(
        &asi(),
        &asked.practice,
        Action::DeclineEdit,
        &comment("Сначала завершите заявки на внедрение"),
    )
    .expect("declined");
    assert!(declined.practice.workflow.edit_request.is_none());
    assert_eq!(declined.notify, [Audience::User(id(AUTHOR))]);
    assert!(!holds(
        &queues_of(&asi(), &declined.practice, now()),
        "edit-requests"
    ));
    let granted =
        run(&asi(), &asked.practice, Action::GrantEdit, &Args::default()).expect("granted");
    assert_eq!(granted.practice.status, PracticeStatus::Actualisation);
    assert!(granted.practice.workflow.edit_request.is_none());
    assert!(granted.notify.contains(&Audience::User(id(AUTHOR))));
    assert!(
        granted.summary.contains("состав команды"),
        "{}",
        granted.summary
    );
}

/// §4.2.1.4–4.2.1.5: the expert-moderator or the coordinator proposes,
/// with the grounds checked as for the archiving itself; the Модератор
/// АСИ decides.
#[test]
fn archiving_is_proposed_with_its_grounds_and_decided_by_the_asi_moderator() {
    let p = published(30);
    let e = run(
        &coordinator(),
        &p,
        Action::ProposeArchive,
        &with_reason("no-demand", "Нет заявок"),
    )
    .expect_err("published a month ago");
    assert!(e.contains("4.6.1"), "{e}");
    let e = run(
        &author(),
        &p,
        Action::ProposeArchive,
        &with_reason("stopped", "x"),
    )
    .expect_err("not the author");
    assert!(e.contains("Это действие выполняет"), "{e}");
    let e = run(
        &em(),
        &p,
        Action::ProposeArchive,
        &with_reason("stopped", ""),
    )
    .expect_err("grounds");
    assert!(e.contains("обоснование"), "{e}");
    let s = run(
        &coordinator(),
        &p,
        Action::ProposeArchive,
        &with_reason("stopped", "Программа региона закрыта"),
    )
    .expect("proposed");
    let prop = s.practice.workflow.archive_proposal.clone().expect("kept");
    assert_eq!(
        (prop.reason.as_deref(), prop.by),
        (Some("stopped"), id(COORD))
    );
    let e = run(
        &em(),
        &s.practice,
        Action::ProposeArchive,
        &with_reason("stopped", "x"),
    )
    .expect_err("once");
    assert!(e.contains("уже предложен"), "{e}");
    let qs = queues_of(&asi(), &s.practice, now());
    assert!(holds(&qs, "archive-proposals"), "{qs:?}");
    let kept = run(
        &asi(),
        &s.practice,
        Action::DeclineArchive,
        &comment("Наставник найден"),
    )
    .expect("declined");
    assert!(kept.practice.workflow.archive_proposal.is_none());
    assert_eq!(kept.practice.status, PracticeStatus::Published);
    // Without a proposal, a published practice is no work for the ASI.
    assert!(
        queues_of(&asi(), &p, now())
            .iter()
            .all(|q| q.items.is_empty())
    );
    let archived = run(
        &asi(),
        &s.practice,
        Action::Archive,
        &with_reason("stopped", "По предложению координатора"),
    )
    .expect("archived");
    assert_eq!(archived.practice.status, PracticeStatus::Archived);
    // The proposal stays with the record: «База знаний» shows why.
    assert!(archived.practice.workflow.archive_proposal.is_some());
}

/// App. 3: the protocol is formed from the online votes — experts, votes,
/// points, the tally and the rule applied.
#[test]
fn the_protocol_is_formed_from_the_online_votes() {
    let s = votes(&[Action::VoteApprove, Action::VoteApprove, Action::VoteRevise]);
    let [pr] = s.practice.workflow.protocols.as_slice() else {
        panic!("one protocol: {:?}", s.practice.workflow.protocols);
    };
    assert_eq!(pr.kind, ProtocolKind::Online);
    assert_eq!(pr.experts.len(), 3);
    assert_eq!(pr.votes.len(), 3);
    assert_eq!(pr.decision, Decision::PassedAfterRevision);
    assert!(pr.points.contains("сравнение с аналогами"));
    assert_eq!(pr.by, None, "the last vote decided");
    let rule = pr.rule();
    assert!(rule.contains("за — 2") && rule.contains("4.4.8"), "{rule}");
}

/// §4.4.7: an offline protocol records the experts who signed it — at
/// least three of the category's pool, none of the team.
#[test]
fn an_offline_protocol_names_at_least_three_signers_of_the_pool() {
    let mut p = practice(PracticeStatus::ExpertReview);
    p.workflow.session = None;
    let signed = |users: Vec<User>| Args {
        documents: vec![doc()],
        users,
        ..Args::default()
    };
    let e = run(&em(), &p, Action::ProtocolApprove, &signed(vec![])).expect_err("signers");
    assert!(e.contains("не менее 3"), "{e}");
    let outsider = user(
        40,
        vec![RoleGrant::by_categories(
            Role::Expert,
            &["tourism".to_owned()],
        )],
    );
    let e = run(
        &em(),
        &p,
        Action::ProtocolApprove,
        &signed(vec![expert(11), expert(12), outsider]),
    )
    .expect_err("another pool");
    assert!(e.contains("пул"), "{e}");
    let ok = run(
        &em(),
        &p,
        Action::ProtocolApprove,
        &signed(vec![expert(11), expert(12), expert(13)]),
    )
    .expect("recorded");
    let [pr] = ok.practice.workflow.protocols.as_slice() else {
        panic!("one protocol");
    };
    assert_eq!(pr.kind, ProtocolKind::Offline);
    assert_eq!(pr.experts, [id(11), id(12), id(13)]);
    assert_eq!(pr.by, Some(id(EM)));
    assert!(pr.document.is_some());
    assert_eq!(ok.practice.status, PracticeStatus::Publication);
}

/// A passport being actualised stays in the catalogue: an edit that breaks
/// the rules is refused with them (§2.1.5, app. 2).
#[test]
fn an_edit_of_a_published_passport_keeps_to_the_rules() {
    use crate::domain::command::{Command, apply as run_command};
    let mut p = practice(PracticeStatus::Actualisation);
    p.published = Some(now() - days(400));
    let profile = |_| Some(crate::domain::fixtures::complete_profile());
    let last_application = |_| None;
    let cal = Calendar::shipped();
    let cx = crate::domain::command::Context {
        refdata: refdata(),
        now: now(),
        profile: &profile,
        leaders: &[],
        calendar: &cal,
        pool: &pool,
        last_application: &last_application,
        recommended: &|_| true,
    };
    let mut emptied = p.passport.clone();
    emptied.goal.clear();
    let e = run_command(
        &author(),
        Some(&p),
        Command::Edit {
            id: p.id,
            passport: emptied,
        },
        &cx,
    )
    .expect_err("refused");
    assert!(e.reasons[0].contains("не сохранён"), "{e:?}");
    assert!(e.reasons.iter().any(|r| r.starts_with("P-2")), "{e:?}");
    let mut better = p.passport.clone();
    better.goal.push_str(" Уточнено в 2026 году.");
    let ok = run_command(
        &author(),
        Some(&p),
        Command::Edit {
            id: p.id,
            passport: better,
        },
        &cx,
    )
    .expect("saved");
    assert_eq!(ok.practice.revision, p.revision + 1);
}
