use chrono::{Duration, TimeZone, Utc};

use super::*;
use crate::domain::fixtures::{user, valid};
use crate::domain::refdata::refdata;
use crate::domain::user::RoleGrant;

const RECIPIENT: u128 = 11;
const OTHER_RECIPIENT: u128 = 12;
const MODERATOR: u128 = 13;
const OTHER_MODERATOR: u128 = 14;
const ASI: u128 = 15;
const AUTHOR: u128 = 16;
const COORDINATOR: u128 = 17;

fn recipient() -> User {
    let mut u = user(RECIPIENT, vec![RoleGrant::regional(Role::Recipient, "54")]);
    u.profile.head_of_body = true;
    u
}
fn other_recipient() -> User {
    let mut u = user(
        OTHER_RECIPIENT,
        vec![RoleGrant::regional(Role::Recipient, "52")],
    );
    u.profile.head_of_body = true;
    u
}
fn moderator() -> User {
    user(
        MODERATOR,
        vec![RoleGrant::global(Role::ImplementationModerator)],
    )
}
fn other_moderator() -> User {
    user(
        OTHER_MODERATOR,
        vec![RoleGrant::global(Role::ImplementationModerator)],
    )
}
fn asi() -> User {
    user(ASI, vec![RoleGrant::global(Role::AsiModerator)])
}
fn author() -> User {
    user(AUTHOR, vec![RoleGrant::regional(Role::Author, "16")])
}
fn coordinator() -> User {
    user(
        COORDINATOR,
        vec![RoleGrant::regional(Role::Coordinator, "54")],
    )
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 5, 10, 0, 0)
        .single()
        .expect("date")
}

fn published() -> Practice {
    Practice {
        id: Uuid::from_u128(100),
        status: PracticeStatus::Published,
        author: Uuid::from_u128(AUTHOR),
        passport: valid(),
        revision: 3,
        created: now(),
        updated: now(),
        published: Some(now()),
        workflow: crate::domain::workflow::Workflow::default(),
    }
}

fn application(status: ReplicationStatus) -> Application {
    let p = published();
    let req = Request {
        learned_at: "Демо-день в Казани".into(),
        event: None,
        confirmed: true,
    };
    let mut a = apply_for(
        &recipient(),
        &p,
        &req,
        &[],
        refdata(),
        Uuid::from_u128(200),
        now(),
    )
    .expect("applies");
    a.status = status;
    if status != ReplicationStatus::Applied {
        a.moderator = Some(Uuid::from_u128(MODERATOR));
        a.assigned = Some(now());
    }
    a
}

/// SPEC §5 and regulation §5.3, as a table: who may take each step in
/// each status. `r` the recipient, `m` the assigned implementation
/// moderator (none before R-2), `a` the Модератор АСИ; everyone else is
/// refused.
const TABLE: &[(Action, &str, &str)] = &[
    (Action::Assign, "R-1 R-2", "a"),
    (Action::Contact, "R-2 R-3 R-4", "ma"),
    (Action::NoAnswer, "R-2 R-3 R-4", "ma"),
    (Action::UploadRoadmap, "R-3", "rma"),
    (Action::Report, "R-4", "rm"),
    (Action::Complete, "R-4", "ma"),
    (Action::Decline, "R-1", "r"),
    (Action::Decline, "R-2 R-3 R-4", "rm"),
    (Action::Refuse, "R-1", "a"),
    (Action::Refuse, "R-2 R-3 R-4", "ma"),
];

#[test]
fn every_role_status_and_action_against_the_table() {
    let actors = [
        ('r', recipient()),
        ('x', other_recipient()),
        ('m', moderator()),
        ('y', other_moderator()),
        ('a', asi()),
        ('u', author()),
        ('c', coordinator()),
    ];
    for status in ReplicationStatus::ALL {
        let app = application(status);
        for action in Action::ALL {
            assert!(TABLE.iter().any(|(a, _, _)| *a == action), "in the table");
            for (code, actor) in &actors {
                let expected = TABLE.iter().any(|(a, stages, who)| {
                    *a == action
                        && stages.split(' ').any(|s| s == status.id())
                        && who.contains(*code)
                });
                let got = check(actor, &app, action);
                assert_eq!(
                    got.is_ok(),
                    expected,
                    "{} {} by {}: {got:?}",
                    status.id(),
                    action.code(),
                    actor.login
                );
                if let Err(reason) = got {
                    assert!(
                        reason.chars().any(|c| ('а'..='я').contains(&c)),
                        "a Russian reason: {reason}"
                    );
                }
            }
        }
    }
}

fn doc(kind: DocumentKind) -> Document {
    Document {
        kind,
        sha256: "ab".repeat(32),
        name: "файл.pdf".into(),
        size: 10,
    }
}

fn step(actor: &User, app: &Application, action: Action, args: &Args) -> Application {
    apply(actor, app, action, args, now())
        .unwrap_or_else(|e| panic!("{}: {e:?}", action.code()))
        .0
}

fn form() -> ResultForm {
    ResultForm {
        started: NaiveDate::from_ymd_opt(2026, 1, 15).expect("date"),
        finished: NaiveDate::from_ymd_opt(2026, 5, 30).expect("date"),
        adaptation: "Маршруты бригад перестроены под районы области".into(),
        first_results: "Охват осмотрами вырос на 12 %".into(),
        expected_effects: "Снижение смертности от болезней системы кровообращения".into(),
    }
}

#[test]
fn from_application_to_implemented() {
    let app = application(ReplicationStatus::Applied);
    let a = step(
        &asi(),
        &app,
        Action::Assign,
        &Args {
            to: Some(moderator()),
            ..Args::default()
        },
    );
    assert_eq!(a.status, ReplicationStatus::ModeratorAssigned);
    assert_eq!(a.moderator, Some(moderator().id));
    let a = step(&moderator(), &a, Action::Contact, &Args::default());
    assert_eq!(a.status, ReplicationStatus::Contacted);
    // The recipient uploads the roadmap; the Модератор АСИ checks it is
    // there and moves the application on.
    let a = step(
        &recipient(),
        &a,
        Action::UploadRoadmap,
        &Args {
            documents: vec![doc(DocumentKind::Roadmap)],
            ..Args::default()
        },
    );
    assert_eq!(a.status, ReplicationStatus::Contacted);
    let a = step(&asi(), &a, Action::UploadRoadmap, &Args::default());
    assert_eq!(a.status, ReplicationStatus::Implementing);
    // A report without the letter is refused, with each missing piece.
    let refused = apply(
        &recipient(),
        &a,
        Action::Report,
        &Args {
            report: Some(form()),
            documents: vec![doc(DocumentKind::Materials)],
            ..Args::default()
        },
        now(),
    )
    .expect_err("no letter");
    assert!(refused[0].contains("письмо"), "{refused:?}");
    let a = step(
        &recipient(),
        &a,
        Action::Report,
        &Args {
            report: Some(form()),
            documents: vec![
                doc(DocumentKind::OfficialLetter),
                doc(DocumentKind::Materials),
            ],
            ..Args::default()
        },
    );
    // The Модератор АСИ cannot close it before the moderator checked it.
    let early =
        apply(&asi(), &a, Action::Complete, &Args::default(), now()).expect_err("not checked");
    assert!(early[0].contains("не проверил"), "{early:?}");
    let a = step(&moderator(), &a, Action::Complete, &Args::default());
    assert_eq!(a.status, ReplicationStatus::Implementing);
    assert!(a.checked.is_some());
    let a = step(&asi(), &a, Action::Complete, &Args::default());
    assert_eq!(a.status, ReplicationStatus::Implemented);
    assert!(a.closed.is_some());
    assert_eq!(a.revision, 8);
    assert!(check(&asi(), &a, Action::Refuse).is_err(), "closed");
}

#[test]
fn assigning_needs_an_implementation_moderator() {
    let app = application(ReplicationStatus::Applied);
    let e = apply(
        &asi(),
        &app,
        Action::Assign,
        &Args {
            to: Some(author()),
            ..Args::default()
        },
        now(),
    )
    .expect_err("not a moderator");
    assert!(e[0].contains("Модератор внедрения"), "{e:?}");
    let e = apply(&asi(), &app, Action::Assign, &Args::default(), now()).expect_err("nobody");
    assert!(
        e[0].contains("Укажите модератора") && !e[0].contains("--"),
        "{e:?}"
    );
}

#[test]
fn a_month_of_ignored_calls_is_a_ground_to_refuse_and_is_tracked() {
    let app = application(ReplicationStatus::ModeratorAssigned);
    let refuse = Args {
        reason: Some("ignored".into()),
        ..Args::default()
    };
    let none = apply(&moderator(), &app, Action::Refuse, &refuse, now()).expect_err("untracked");
    assert!(none[0].contains("не отмечены"), "{none:?}");
    let first = step(&moderator(), &app, Action::NoAnswer, &Args::default());
    assert_eq!(first.unanswered.len(), 1);
    let soon = apply(
        &moderator(),
        &first,
        Action::Refuse,
        &refuse,
        now() + Duration::days(20),
    )
    .expect_err("a month has not passed");
    assert!(soon[0].contains("месяц ещё не прошёл"), "{soon:?}");
    let (done, s) = apply(
        &moderator(),
        &first,
        Action::Refuse,
        &refuse,
        now() + Duration::days(31),
    )
    .expect("a month later");
    assert_eq!(done.status, ReplicationStatus::RefusedByAgency);
    assert_eq!(s.to, ReplicationStatus::RefusedByAgency);
    assert!(
        done.outcome.contains("в течение месяца"),
        "{}",
        done.outcome
    );
    // A contact in between starts the count again.
    let contacted = step(&moderator(), &first, Action::Contact, &Args::default());
    assert!(contacted.unanswered.is_empty());
    assert!(
        apply(
            &moderator(),
            &contacted,
            Action::Refuse,
            &refuse,
            now() + Duration::days(40)
        )
        .is_err()
    );
    let bad = Args {
        reason: Some("whim".into()),
        ..Args::default()
    };
    let e = apply(&asi(), &app, Action::Refuse, &bad, now()).expect_err("no such ground");
    assert!(e[0].contains("no-authority"), "{e:?}");
}

#[test]
fn the_recipient_declines_with_a_reason() {
    let app = application(ReplicationStatus::Contacted);
    assert!(apply(&recipient(), &app, Action::Decline, &Args::default(), now()).is_err());
    let a = step(
        &recipient(),
        &app,
        Action::Decline,
        &Args {
            comment: "Сменились приоритеты региона".into(),
            ..Args::default()
        },
    );
    assert_eq!(a.status, ReplicationStatus::DeclinedByRecipient);
    assert_eq!(a.outcome, "Сменились приоритеты региона");
}

#[test]
fn deadlines_in_working_days() {
    let cal = Calendar::shipped();
    // Applied on Friday 5 June 2026 outside an event: 10 working days,
    // 12 June (Russia Day) not counted.
    let app = application(ReplicationStatus::Applied);
    let (due, what) = app.due(&cal).expect("a review deadline");
    assert_eq!(due, NaiveDate::from_ymd_opt(2026, 6, 22).expect("date"));
    assert!(what.contains("5.3.2"));
    assert_eq!(app.overdue(&cal, due), None);
    assert_eq!(
        app.overdue(&cal, NaiveDate::from_ymd_opt(2026, 6, 24).expect("date")),
        Some(2)
    );
    // After an event, the review has no deadline of its own (§5.3.1).
    let mut after_event = app.clone();
    after_event.event = Some(Uuid::from_u128(9));
    assert_eq!(after_event.due(&cal), None);
    // Assigned on 5 June: contact within 5 working days → 15 June.
    let assigned = application(ReplicationStatus::ModeratorAssigned);
    assert_eq!(
        assigned.due(&cal).map(|d| d.0),
        NaiveDate::from_ymd_opt(2026, 6, 15)
    );
    assert_eq!(application(ReplicationStatus::Contacted).due(&cal), None);
}

#[test]
fn who_may_apply() {
    let p = published();
    let req = Request {
        learned_at: "Демо-день".into(),
        event: None,
        confirmed: true,
    };
    let go = |u: &User, p: &Practice, r: &Request, open: &[Application]| {
        apply_for(u, p, r, open, refdata(), Uuid::from_u128(300), now())
    };
    assert!(go(&recipient(), &p, &req, &[]).is_ok());
    // Not a recipient.
    let e = go(&author(), &p, &req, &[]).expect_err("author");
    assert!(e[0].contains("Реципиент"), "{e:?}");
    // Not a head of an executive body, and no phone.
    let mut low = recipient();
    low.profile.head_of_body = false;
    low.profile.phone.clear();
    let e = go(&low, &p, &req, &[]).expect_err("position");
    assert_eq!(e.len(), 2, "{e:?}");
    assert!(e[0].contains("руководитель") && e[1].contains("телефон"));
    // Not studied, no event, a draft, its own region, already applied.
    let mut draft = published();
    draft.status = PracticeStatus::Draft;
    draft.passport.regions.others.push("54".into());
    let lazy = Request {
        learned_at: " ".into(),
        event: None,
        confirmed: false,
    };
    let open = [application(ReplicationStatus::Contacted)];
    let e = go(&recipient(), &draft, &lazy, &open).expect_err("everything");
    assert_eq!(e.len(), 5, "{e:?}");
    // A closed application does not block a new one.
    let closed = [application(ReplicationStatus::DeclinedByRecipient)];
    assert!(go(&recipient(), &p, &req, &closed).is_ok());
}

#[test]
fn events_and_the_interest_of_regions() {
    let p = published();
    let mut draft = published();
    draft.status = PracticeStatus::Draft;
    let event = Event {
        id: Uuid::from_u128(900),
        format: EventFormat::DemoDay,
        title: "Демо-день практик здравоохранения".into(),
        date: NaiveDate::from_ymd_opt(2026, 6, 1).expect("date"),
        place: "Казань".into(),
        practices: vec![],
        interest: vec![],
        created_by: Uuid::nil(),
        revision: 0,
    };
    assert!(create_event(&recipient(), event.clone(), &[&p]).is_err());
    let e = create_event(&asi(), event.clone(), &[&draft]).expect_err("a draft");
    assert!(e[0].contains("не опубликована"), "{e:?}");
    let created = create_event(&asi(), event, &[&p]).expect("created");
    assert_eq!(created.practices, vec![p.id]);
    let before = NaiveDate::from_ymd_opt(2026, 5, 30).expect("date");
    let today = NaiveDate::from_ymd_opt(2026, 6, 5).expect("date");
    assert!(record_interest(&asi(), &created, "54", &[p.id], refdata(), before).is_err());
    assert!(
        record_interest(
            &asi(),
            &created,
            "54",
            &[Uuid::from_u128(1)],
            refdata(),
            today
        )
        .is_err(),
        "not presented"
    );
    let noted = record_interest(&asi(), &created, "54", &[p.id], refdata(), today).expect("noted");
    assert_eq!(noted.invitations("54"), vec![p.id]);
    assert!(noted.invitations("52").is_empty());
}

#[test]
fn who_reads_an_application() {
    let app = application(ReplicationStatus::Contacted);
    let p = published();
    assert!(can_read(&asi(), &app, Some(&p)));
    assert!(can_read(&moderator(), &app, Some(&p)));
    assert!(!can_read(&other_moderator(), &app, Some(&p)));
    assert!(can_read(&recipient(), &app, Some(&p)));
    assert!(!can_read(&other_recipient(), &app, Some(&p)));
    assert!(can_read(&coordinator(), &app, Some(&p)));
    assert!(can_read(&author(), &app, Some(&p)));
}

/// §1.9: the mentors consult the recipients, so they hear of applications
/// with the author; other team members do not.
#[test]
fn the_author_and_the_mentors_hear_of_applications() {
    let p = published();
    let told = told_of_applications(&p);
    let mentors: Vec<_> = p
        .passport
        .team
        .iter()
        .filter(|m| m.mentor)
        .filter_map(|m| match m.member {
            crate::domain::passport::Member::User(u) => Some(u),
            crate::domain::passport::Member::Invited(_) => None,
        })
        .collect();
    assert!(!mentors.is_empty());
    assert_eq!(told[0], p.author);
    for m in &mentors {
        assert!(told.contains(m));
    }
    assert_eq!(
        told.len(),
        1 + mentors.iter().filter(|m| **m != p.author).count()
    );
}

/// §5.3.1: applications after an Agency event come first, then by deadline.
#[test]
fn event_applications_come_first_then_by_deadline() {
    let d = |n: u32| chrono::NaiveDate::from_ymd_opt(2026, 3, n);
    let mut v = vec![
        (false, d(5)),
        (true, d(20)),
        (false, None),
        (false, d(2)),
        (true, d(9)),
    ];
    v.sort_by(|a, b| queue_order(*a, *b));
    assert_eq!(
        v,
        [
            (true, d(9)),
            (true, d(20)),
            (false, d(2)),
            (false, d(5)),
            (false, None)
        ]
    );
}
