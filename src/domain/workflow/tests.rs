use chrono::{NaiveDate, TimeZone, Utc};
use uuid::Uuid;

use super::*;
use crate::domain::calendar::Calendar;
use crate::domain::fixtures::{user, valid};
use crate::domain::passport::{Passport, TeamMember};
use crate::domain::refdata::refdata;
use crate::domain::user::RoleGrant;

const AUTHOR: u128 = 1;
const COORD: u128 = 2;
const EM: u128 = 3;
const ASI: u128 = 4;
const RATING: u128 = 5;
const EXPERTS: [u128; 4] = [11, 12, 13, 14];

fn author() -> User {
    user(AUTHOR, vec![RoleGrant::regional(Role::Author, "16")])
}
fn coordinator() -> User {
    user(COORD, vec![RoleGrant::regional(Role::Coordinator, "16")])
}
fn em() -> User {
    user(
        EM,
        vec![RoleGrant::by_categories(
            Role::ExpertModerator,
            &["health".to_owned()],
        )],
    )
}
fn asi() -> User {
    user(ASI, vec![RoleGrant::global(Role::AsiModerator)])
}
fn rating() -> User {
    user(RATING, vec![RoleGrant::global(Role::RatingCommittee)])
}
fn expert(n: u128) -> User {
    user(
        n,
        vec![RoleGrant::by_categories(
            Role::Expert,
            &["health".to_owned()],
        )],
    )
}

fn id(n: u128) -> UserId {
    Uuid::from_u128(n)
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, 7, 10, 0, 0)
        .single()
        .expect("date")
}

fn pool(_: &str) -> Vec<User> {
    EXPERTS.iter().map(|n| expert(*n)).collect()
}

fn run(actor: &User, p: &Practice, action: Action, args: &Args) -> Result<Step, String> {
    run_at(actor, p, action, args, now())
}

fn run_at(
    actor: &User,
    p: &Practice,
    action: Action,
    args: &Args,
    at: DateTime<Utc>,
) -> Result<Step, String> {
    let cal = Calendar::shipped();
    let profile = |_| Some(crate::domain::fixtures::complete_profile());
    let last_application = |_| None;
    let cx = Context {
        refdata: refdata(),
        calendar: &cal,
        now: at,
        pool: &pool,
        profile: &profile,
        last_application: &last_application,
    };
    apply(actor, p, action, args, &cx)
}

fn passport() -> Passport {
    let mut p = valid();
    p.level = Some(Level::System);
    p
}

/// A practice of region 16, category «health», in `status`; in W-3 with an
/// online session of the first three experts and no votes yet.
fn practice(status: PracticeStatus) -> Practice {
    let mut p = Practice {
        id: Uuid::from_u128(99),
        status,
        author: id(AUTHOR),
        passport: passport(),
        revision: 3,
        created: now(),
        updated: now(),
        published: None,
        workflow: Workflow::default(),
    };
    if status == PracticeStatus::ExpertReview {
        p.workflow.session = Some(Session {
            experts: EXPERTS[..3].iter().map(|n| id(*n)).collect(),
            votes: Vec::new(),
            opened: now(),
        });
    }
    p
}

fn doc() -> Document {
    Document {
        kind: DocumentKind::OfficialRequest,
        sha256: "ab".repeat(32),
        name: "protocol.pdf".into(),
        size: 10,
    }
}

fn comment(text: &str) -> Args {
    Args {
        comment: text.into(),
        ..Args::default()
    }
}

/// SPEC §4 as a table: who may take which action in which status, for a
/// practice that is not on revision, on the full path, with its level set,
/// in W-3 with an open session without votes.
fn expected(role: Role, status: PracticeStatus, action: Action) -> bool {
    use Action as A;
    use PracticeStatus as S;
    use Role as R;
    match (action, role) {
        (A::Submit, R::Author) => status == S::Draft,
        (A::Assign, R::AsiModerator) => {
            matches!(
                status,
                S::RegionConfirmation | S::Packaging | S::ExpertReview
            )
        }
        (A::Confirm | A::Return | A::Reject, R::Coordinator) => status == S::RegionConfirmation,
        (A::Return | A::Reject | A::SetLevel, R::ExpertModerator) => {
            matches!(status, S::Packaging | S::ExpertReview)
        }
        (A::Return | A::Reject | A::Verify, R::RatingCommittee) => status == S::RatingVerification,
        (A::Return | A::Publish | A::Refuse, R::AsiModerator) => status == S::Publication,
        (A::SendToExperts, R::ExpertModerator | R::AsiModerator) => status == S::Packaging,
        (A::VoteApprove | A::VoteRevise | A::VoteReject, R::Expert)
        | (A::ProtocolApprove | A::ProtocolRevise | A::ProtocolReject, R::ExpertModerator) => {
            status == S::ExpertReview
        }
        (A::OpenActualisation, R::AsiModerator | R::ExpertModerator | R::Coordinator) => {
            status == S::Published
        }
        (A::Actualise, R::Author) => status == S::Actualisation,
        (A::RequestEdit, R::Author) => status == S::Published,
        (A::ProposeArchive, R::ExpertModerator | R::Coordinator)
        | (A::Audit, R::ExpertModerator) => {
            matches!(status, S::Published | S::Actualisation)
        }
        (A::Archive, R::AsiModerator) => matches!(status, S::Published | S::Actualisation),
        (A::ReplaceAuthor, R::AsiModerator) => !status.is_terminal(),
        (A::Delete, R::AsiModerator) => status != S::Deleted,
        _ => false,
    }
}

fn actor_for(role: Role) -> User {
    match role {
        Role::Author => author(),
        Role::Coordinator => coordinator(),
        Role::ExpertModerator => em(),
        Role::Expert => expert(EXPERTS[0]),
        Role::AsiModerator => asi(),
        Role::RatingCommittee => rating(),
        other => user(50, vec![RoleGrant::regional(other, "16")]),
    }
}

fn cyrillic(s: &str) -> bool {
    s.chars()
        .any(|c| ('а'..='я').contains(&c.to_lowercase().next().unwrap_or(c)))
}

#[test]
fn every_role_status_and_action_against_the_table() {
    let mut allowed = 0;
    for role in Role::ALL {
        let actor = actor_for(role);
        for status in PracticeStatus::ALL {
            let p = practice(status);
            for action in Action::ALL {
                let got = check(&actor, &p, action);
                let want = expected(role, status, action);
                assert_eq!(
                    got.is_ok(),
                    want,
                    "{} in {} doing {}: {got:?}",
                    role.code(),
                    status.id(),
                    action.code()
                );
                if let Err(reason) = got {
                    assert!(cyrillic(&reason), "a Russian reason: {reason}");
                } else {
                    allowed += 1;
                }
            }
        }
    }
    assert!(allowed > 30, "the table allows {allowed} cells");
}

#[test]
fn scope_is_enforced() {
    let p = practice(PracticeStatus::RegionConfirmation);
    let other = user(20, vec![RoleGrant::regional(Role::Coordinator, "52")]);
    let e = check(&other, &p, Action::Confirm).expect_err("another region");
    assert!(
        e.contains("Нижегородская область") && e.contains("Республика Татарстан"),
        "{e}"
    );

    let mut p = practice(PracticeStatus::Packaging);
    let em_other = user(
        21,
        vec![RoleGrant::by_categories(
            Role::ExpertModerator,
            &["tourism".to_owned()],
        )],
    );
    let e = check(&em_other, &p, Action::SetLevel).expect_err("another category");
    assert!(e.contains("Здравоохранение"), "{e}");
    // Once the Модератор АСИ assigned someone else, only they act.
    p.workflow.expert_moderator = Some(id(77));
    let e = check(&em(), &p, Action::SetLevel).expect_err("not assigned");
    assert!(e.contains("другой эксперт-модератор"), "{e}");

    let p = practice(PracticeStatus::ExpertReview);
    let outsider = expert(EXPERTS[3]);
    assert!(
        check(&outsider, &p, Action::VoteApprove)
            .expect_err("not in the session")
            .contains("нет в составе")
    );
    let mut p = practice(PracticeStatus::ExpertReview);
    p.passport.team.push(TeamMember {
        member: Member::User(id(EXPERTS[0])),
        mentor: false,
    });
    assert!(
        check(&expert(EXPERTS[0]), &p, Action::VoteApprove)
            .expect_err("on the team")
            .contains("член команды")
    );
}

#[test]
fn confirmation_requires_the_stage_document() {
    let p = practice(PracticeStatus::RegionConfirmation);
    let e = run(&coordinator(), &p, Action::Confirm, &Args::default()).expect_err("no protocol");
    assert!(
        e.contains("Протокол региональной межведомственной комиссии"),
        "{e}"
    );
    let s = run(
        &coordinator(),
        &p,
        Action::Confirm,
        &Args {
            documents: vec![doc()],
            ..Args::default()
        },
    )
    .expect("confirmed");
    assert_eq!(s.practice.status, PracticeStatus::Packaging);
    assert_eq!(
        s.transition.documents[0].kind,
        DocumentKind::CommissionProtocol
    );
    assert!(s.notify.contains(&Audience::User(id(AUTHOR))));
    // Route §3.3: the Agency's request letter.
    let mut p = practice(PracticeStatus::RegionConfirmation);
    p.passport.route = Some(Route::AgencyRequest);
    let e = run(&coordinator(), &p, Action::Confirm, &Args::default()).expect_err("no letter");
    assert!(e.contains("Письмо-запрос"), "{e}");
}

#[test]
fn return_and_reject_need_a_comment_and_open_a_deadline() {
    let p = practice(PracticeStatus::RegionConfirmation);
    let e = run(&coordinator(), &p, Action::Return, &Args::default()).expect_err("no comment");
    assert!(e.contains("комментарий"), "{e}");
    let s = run(
        &coordinator(),
        &p,
        Action::Return,
        &comment("Дополните результаты"),
    )
    .expect("returned");
    let r = s.practice.workflow.returned.as_ref().expect("returned");
    assert_eq!(r.from, PracticeStatus::RegionConfirmation);
    assert_eq!(r.revision, 3);
    // 07.05.2026 + 5 working days: 8 May, (11 May is a day off), 12–15 May.
    let due = NaiveDate::from_ymd_opt(2026, 5, 15).expect("date");
    assert_eq!(
        s.practice.workflow.deadline.as_ref().map(|d| d.due),
        Some(due)
    );
    assert_eq!(s.transition.deadline, Some(due));
    // While returned, the stage waits for the author.
    let e = check(&coordinator(), &s.practice, Action::Confirm).expect_err("on revision");
    assert!(
        e.contains("на доработке") && e.contains("15.05.2026"),
        "{e}"
    );
    let back =
        run(&author(), &s.practice, Action::Resubmit, &Args::default()).expect("resubmitted");
    assert_eq!(back.practice.status, PracticeStatus::RegionConfirmation);
    assert!(back.practice.workflow.returned.is_none());
    assert!(back.practice.workflow.deadline.is_none());

    let s = run(
        &coordinator(),
        &p,
        Action::Reject,
        &comment("Недостоверные сведения"),
    )
    .expect("rejected");
    assert_eq!(s.practice.status, PracticeStatus::Rejected);
    assert_eq!(
        s.practice.workflow.reason.as_deref(),
        Some("Недостоверные сведения")
    );
}

#[test]
fn deadlines_cross_the_new_year_holidays() {
    let p = practice(PracticeStatus::Packaging);
    let at = Utc
        .with_ymd_and_hms(2026, 12, 29, 9, 0, 0)
        .single()
        .expect("date");
    let s = run_at(&em(), &p, Action::Return, &comment("Уточните план"), at).expect("returned");
    // 30 Dec (1); 31 Dec and 1–8 Jan off; 9–10 Jan weekend; 11–14 Jan (2–5).
    assert_eq!(
        s.practice.workflow.deadline.map(|d| d.due),
        NaiveDate::from_ymd_opt(2027, 1, 14)
    );
}

fn vote(p: &Practice, n: u128, v: Action) -> Result<Step, String> {
    let text = if v == Action::VoteApprove {
        ""
    } else {
        "Добавьте сравнение с аналогами"
    };
    run(&expert(n), p, v, &comment(text))
}

fn votes(actions: &[Action]) -> Step {
    let mut p = practice(PracticeStatus::ExpertReview);
    let mut last = None;
    for (i, a) in actions.iter().enumerate() {
        let s = vote(&p, EXPERTS[i], *a).expect("vote accepted");
        p = s.practice.clone();
        last = Some(s);
    }
    last.expect("at least one vote")
}

#[test]
fn three_approvals_pass() {
    let s = votes(&[Action::VoteApprove; 3]);
    assert_eq!(s.practice.status, PracticeStatus::Publication);
    assert!(s.practice.workflow.session.is_none());
    assert!(s.summary.contains("за — 3"), "{}", s.summary);
}

#[test]
fn two_approvals_and_a_revision_go_back_to_the_author_then_on() {
    let s = votes(&[Action::VoteApprove, Action::VoteApprove, Action::VoteRevise]);
    assert_eq!(s.practice.status, PracticeStatus::ExpertReview);
    let r = s.practice.workflow.returned.clone().expect("returned");
    assert_eq!(r.then, PracticeStatus::Publication);
    assert!(r.comment.contains("сравнение с аналогами"));
    assert!(s.practice.workflow.deadline.is_some());
    // §4.4.8: not without the revisions; the points are named.
    let e = run(&author(), &s.practice, Action::Resubmit, &Args::default()).expect_err("unchanged");
    assert!(
        e.contains("4.4.8") && e.contains("сравнение с аналогами"),
        "{e}"
    );
    let on = run(
        &author(),
        &revised(&s.practice),
        Action::Resubmit,
        &Args::default(),
    )
    .expect("resubmitted");
    // The expert-moderator confirms the points addressed before it moves on.
    assert_eq!(on.practice.status, PracticeStatus::ExpertReview);
    let pending = on.practice.workflow.revisions.clone().expect("to confirm");
    assert!(pending.comment.contains("сравнение с аналогами"));
    let e = run(&em(), &on.practice, Action::SendToExperts, &Args::default()).expect_err("first");
    assert!(e.contains("confirm-revisions"), "{e}");
    let done = run(
        &em(),
        &on.practice,
        Action::ConfirmRevisions,
        &Args::default(),
    )
    .expect("confirmed");
    assert_eq!(done.practice.status, PracticeStatus::Publication);
    assert!(done.practice.workflow.revisions.is_none());
    assert!(
        done.summary.contains("сравнение с аналогами"),
        "{}",
        done.summary
    );
}

/// The practice after the author saved an edit.
fn revised(p: &Practice) -> Practice {
    let mut p = p.clone();
    p.passport
        .goal
        .push_str(" Добавлено сравнение с аналогами.");
    p.revision += 1;
    p
}

#[test]
fn a_majority_of_refusals_rejects() {
    let s = votes(&[Action::VoteApprove, Action::VoteReject, Action::VoteReject]);
    assert_eq!(s.practice.status, PracticeStatus::Rejected);
}

#[test]
fn no_majority_means_revision_and_a_new_vote() {
    let s = votes(&[Action::VoteApprove, Action::VoteRevise, Action::VoteReject]);
    let r = s.practice.workflow.returned.clone().expect("returned");
    assert_eq!(r.then, PracticeStatus::ExpertReview);
    let on = run(
        &author(),
        &revised(&s.practice),
        Action::Resubmit,
        &Args::default(),
    )
    .expect("resubmitted");
    assert_eq!(on.practice.status, PracticeStatus::ExpertReview);
    assert!(
        on.practice.workflow.session.is_none(),
        "a new session is opened"
    );
    let on = run(
        &em(),
        &on.practice,
        Action::ConfirmRevisions,
        &Args::default(),
    )
    .expect("confirmed");
    assert_eq!(on.practice.status, PracticeStatus::ExpertReview);
    let again =
        run(&em(), &on.practice, Action::SendToExperts, &Args::default()).expect("new vote");
    assert_eq!(
        again.practice.workflow.session.map(|s| s.experts.len()),
        Some(4)
    );
}

#[test]
fn two_votes_decide_nothing_and_nobody_votes_twice() {
    let s = votes(&[Action::VoteApprove, Action::VoteApprove]);
    assert_eq!(s.practice.status, PracticeStatus::ExpertReview);
    assert!(s.practice.workflow.returned.is_none());
    let t = Tally::of(s.practice.workflow.session.as_ref().expect("open"));
    assert_eq!((t.voted, t.decision()), (2, None));
    let e = check(&em(), &s.practice, Action::CloseVote).expect_err("two votes");
    assert!(e.contains("не менее 3"), "{e}");
    let e = vote(&s.practice, EXPERTS[0], Action::VoteApprove).expect_err("twice");
    assert!(e.contains("уже проголосовали"), "{e}");
    // A revision without its points is refused.
    let e = run(
        &expert(EXPERTS[2]),
        &s.practice,
        Action::VoteRevise,
        &Args::default(),
    )
    .expect_err("no points");
    assert!(e.contains("пункты"), "{e}");
}

#[test]
fn close_vote_decides_on_three_of_four() {
    let mut p = practice(PracticeStatus::ExpertReview);
    if let Some(s) = &mut p.workflow.session {
        s.experts.push(id(EXPERTS[3]));
    }
    for n in &EXPERTS[..3] {
        p = vote(&p, *n, Action::VoteApprove).expect("vote").practice;
    }
    assert_eq!(p.status, PracticeStatus::ExpertReview, "one still to vote");
    let s = run(&em(), &p, Action::CloseVote, &Args::default()).expect("closed");
    assert_eq!(s.practice.status, PracticeStatus::Publication);
}

#[test]
fn a_session_needs_three_experts_outside_the_team() {
    let mut p = practice(PracticeStatus::Packaging);
    p.passport.team.push(TeamMember {
        member: Member::User(id(EXPERTS[0])),
        mentor: false,
    });
    let s = run(&em(), &p, Action::SendToExperts, &Args::default()).expect("pool of 4 minus 1");
    let experts = s.practice.workflow.session.expect("open").experts;
    assert_eq!(experts.len(), 3);
    assert!(!experts.contains(&id(EXPERTS[0])));
    let two = Args {
        users: vec![expert(EXPERTS[1]), expert(EXPERTS[2])],
        ..Args::default()
    };
    let e = run(&em(), &p, Action::SendToExperts, &two).expect_err("two experts");
    assert!(e.contains("не менее 3"), "{e}");
    let member = Args {
        users: vec![expert(EXPERTS[0]), expert(EXPERTS[1]), expert(EXPERTS[2])],
        ..Args::default()
    };
    let e = run(&em(), &p, Action::SendToExperts, &member).expect_err("a team member");
    assert!(e.contains("член команды"), "{e}");
    let mut unlevelled = practice(PracticeStatus::Packaging);
    unlevelled.passport.level = None;
    let e = check(&em(), &unlevelled, Action::SendToExperts).expect_err("no level");
    assert!(e.contains("P-22"), "{e}");
}

#[test]
fn the_simplified_route_skips_expert_review() {
    let mut p = practice(PracticeStatus::Packaging);
    p.passport.route = Some(Route::Recommendation);
    let e = check(&em(), &p, Action::SendToExperts).expect_err("no expert review");
    assert!(e.contains("4.3.2"), "{e}");
    let s = run(&em(), &p, Action::SendToPublication, &Args::default()).expect("simplified");
    assert_eq!(s.practice.status, PracticeStatus::Publication);
    // With investment-rating indicators, the rating committee verifies.
    let code = refdata()
        .indicators
        .iter()
        .find(|i| i.rating == "investment")
        .map(|i| i.code.clone())
        .expect("an investment indicator");
    p.passport.rating_indicators = vec![code];
    let s = run(&em(), &p, Action::SendToPublication, &Args::default()).expect("simplified");
    assert_eq!(s.practice.status, PracticeStatus::RatingVerification);
    let v = run(&rating(), &s.practice, Action::Verify, &Args::default()).expect("verified");
    assert_eq!(v.practice.status, PracticeStatus::Publication);
    // §4.3.3: an Agency project takes the full path.
    let mut q = practice(PracticeStatus::Packaging);
    q.passport.route = Some(Route::AgencyProject);
    let e = check(&em(), &q, Action::SendToPublication).expect_err("full path");
    assert!(e.contains("4.3.3"), "{e}");
}

#[test]
fn publication_refusal_archive_replacement_and_deletion() {
    let p = practice(PracticeStatus::Publication);
    let s = run(&asi(), &p, Action::Publish, &Args::default()).expect("published");
    assert_eq!(s.practice.status, PracticeStatus::Published);
    assert_eq!(s.practice.published, Some(now()));

    let e = run(&asi(), &p, Action::Refuse, &comment("Нет команды")).expect_err("no code");
    assert!(
        e.contains("Укажите причину из списка") && !e.contains("--"),
        "{e}"
    );
    let s = run(
        &asi(),
        &p,
        Action::Refuse,
        &Args {
            reason: Some("team".into()),
            comment: "В команде один человек".into(),
            ..Args::default()
        },
    )
    .expect("refused");
    assert_eq!(s.practice.status, PracticeStatus::Rejected);
    assert!(
        s.practice
            .workflow
            .reason
            .as_deref()
            .is_some_and(|r| r.contains("не менее трёх"))
    );

    let pub_ = practice(PracticeStatus::Published);
    let s = run(
        &asi(),
        &pub_,
        Action::Archive,
        &Args {
            reason: Some("no-demand".into()),
            comment: "Нет заявок с 2024 года".into(),
            ..Args::default()
        },
    )
    .expect("archived");
    assert_eq!(s.practice.status, PracticeStatus::Archived);

    let newcomer = user(30, vec![RoleGrant::regional(Role::Author, "16")]);
    let s = run(
        &asi(),
        &pub_,
        Action::ReplaceAuthor,
        &Args {
            users: vec![newcomer],
            comment: "Автор сменил место работы".into(),
            ..Args::default()
        },
    )
    .expect("replaced");
    assert_eq!(s.practice.author, id(30));
    assert!(s.passport_changed, "the new author joins the team");

    let e = run(&asi(), &pub_, Action::Delete, &comment("Письмо региона")).expect_err("no letter");
    assert!(e.contains("Официальное обращение"), "{e}");
    let s = run(
        &asi(),
        &pub_,
        Action::Delete,
        &Args {
            documents: vec![doc()],
            comment: "Письмо Минздрава РТ № 1".into(),
            ..Args::default()
        },
    )
    .expect("deleted");
    assert_eq!(s.practice.status, PracticeStatus::Deleted);
    assert_eq!(s.transition.from, PracticeStatus::Published);
}

#[test]
fn actualisation_opens_a_deadline_for_the_author() {
    let p = practice(PracticeStatus::Published);
    let s = run(
        &coordinator(),
        &p,
        Action::OpenActualisation,
        &comment("Обновите результаты 2026"),
    )
    .expect("opened");
    assert_eq!(s.practice.status, PracticeStatus::Actualisation);
    assert!(s.practice.workflow.deadline.is_some());
    // Emptied goal and a team cut to one: the passport no longer meets
    // §2.1.5 and app. 2, and stays in actualisation with the reasons.
    let mut cut = s.practice.clone();
    cut.passport.goal.clear();
    cut.passport.team.truncate(1);
    let e = run(&author(), &cut, Action::Actualise, &Args::default()).expect_err("refused");
    assert!(e.contains("P-19") && e.contains("P-"), "{e}");
    let done = run(&author(), &s.practice, Action::Actualise, &Args::default()).expect("done");
    assert_eq!(done.practice.status, PracticeStatus::Published);
    assert!(done.practice.workflow.deadline.is_none());
}

/// §4.1.11: the new author represents the practice's region, from an
/// executive body or its subordinate organisation, and does not judge it.
#[test]
fn a_new_author_is_of_the_region_from_an_executive_body_and_no_expert_of_it() {
    let p = practice(PracticeStatus::ExpertReview);
    let replace = |new: User| {
        run(
            &asi(),
            &p,
            Action::ReplaceAuthor,
            &Args {
                users: vec![new],
                comment: "Автор сменил место работы".into(),
                ..Args::default()
            },
        )
    };
    let mut elsewhere = user(31, vec![]);
    elsewhere.profile.region = Some("52".into());
    assert!(replace(elsewhere).expect_err("region").contains("регион"));
    let mut municipal = user(32, vec![]);
    municipal.profile.organisation_kind = Some("municipal".into());
    assert!(
        replace(municipal)
            .expect_err("kind")
            .contains("исполнительного органа")
    );
    let judge = p.workflow.session.as_ref().expect("a session").experts[0];
    let mut expert_of_it = user(judge.as_u128(), vec![]);
    expert_of_it.id = judge;
    assert!(
        replace(expert_of_it)
            .expect_err("expert")
            .contains("эксперт")
    );
    assert!(replace(user(33, vec![])).is_ok());
}

#[test]
fn assignment_pins_the_expert_moderator() {
    let p = practice(PracticeStatus::Packaging);
    let tourism = user(
        22,
        vec![RoleGrant::by_categories(
            Role::ExpertModerator,
            &["tourism".to_owned()],
        )],
    );
    let e = run(
        &asi(),
        &p,
        Action::Assign,
        &Args {
            users: vec![tourism],
            ..Args::default()
        },
    )
    .expect_err("wrong category");
    assert!(e.contains("не эксперт-модератор категории"), "{e}");
    let s = run(
        &asi(),
        &p,
        Action::Assign,
        &Args {
            users: vec![em()],
            ..Args::default()
        },
    )
    .expect("assigned");
    assert_eq!(s.practice.workflow.expert_moderator, Some(id(EM)));
    assert!(s.notify.contains(&Audience::User(id(EM))));
}

/// The rules of honest reviews: categories chosen, archive grounds.
mod reviews;

/// The yearly life of a published practice, revisions confirmed, protocols.
mod yearly;
