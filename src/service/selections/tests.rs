//! A selection from the partner to its winners, and its notices.

use super::*;
use crate::domain::clock::{Clock as _, FixedClock};
use crate::domain::selection::{Criterion, Dates, PartnerKind};
use crate::store::Store;

fn user(store: &Store, login: &str) -> User {
    store
        .user_by_login(login)
        .expect("reads")
        .expect("demo user")
}

fn selection(partner: uuid::Uuid, opens: chrono::NaiveDate) -> Selection {
    Selection {
        id: uuid::Uuid::now_v7(),
        partner,
        title: "Семья и дети".into(),
        theme: "Поддержка семей".into(),
        categories: Vec::new(),
        criteria: vec![
            Criterion {
                name: "Реализуется не менее года".into(),
                max_score: None,
            },
            Criterion {
                name: "Охват".into(),
                max_score: Some(10),
            },
        ],
        dates: Dates {
            requested: opens - chrono::Duration::days(70),
            opens,
            closes: opens + chrono::Duration::days(30),
            evaluation_ends: opens + chrono::Duration::days(45),
            results: opens + chrono::Duration::days(50),
        },
        experts: Vec::new(),
        regulations: String::new(),
        winners: Vec::new(),
    }
}

#[test]
fn a_selection_from_the_partner_through_scores_to_winners() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("store");
    let clock = FixedClock::on(chrono::NaiveDate::from_ymd_opt(2026, 3, 16).expect("day"));
    crate::demo::seed_at(&store, 150, 1, clock.now(), |_, _| {}).expect("seed");
    let cx = Ctx::new(&store, &clock);
    let (asi, author) = (user(&store, "asi"), user(&store, "author"));
    let partner = Partner {
        id: uuid::Uuid::now_v7(),
        name: "Комиссия Госсовета по направлению «Семья»".into(),
        kind: PartnerKind::Commission,
        contacts: String::new(),
        representatives: Vec::new(),
    };
    assert!(matches!(
        save_partner(&cx, &author, partner.clone()),
        Err(ServiceError::Refused(_))
    ));
    // Representatives hold the partner role.
    let mut rep = user(&store, "recipient");
    let mut with_rep = partner.clone();
    with_rep.representatives = vec![rep.id];
    let Err(ServiceError::Refused(why)) = save_partner(&cx, &asi, with_rep.clone()) else {
        panic!("a representative without the role");
    };
    assert!(why[0].contains("user grant recipient partner"), "{why:?}");
    rep.roles.push(crate::domain::RoleGrant::global(
        crate::domain::Role::Partner,
    ));
    store
        .commit(&Mutation::new(None, "test", "роль").with(Record::User(Box::new(rep.clone()))))
        .expect("commits");
    save_partner(&cx, &asi, with_rep).expect("the Agency records it");

    // Requested too late: refused with the rule's reason.
    let mut late = selection(partner.id, cx.today());
    late.dates.requested = cx.today();
    let Err(ServiceError::Refused(why)) = save_selection(&cx, &asi, late) else {
        panic!("a late request is refused");
    };
    assert!(why[0].contains("за два месяца"), "{why:?}");

    let experts: Vec<User> = ["expert1", "expert2", "expert3"]
        .iter()
        .map(|l| user(&store, l))
        .collect();
    let mut s = selection(partner.id, cx.today());
    s.experts = experts.iter().map(|e| e.id).collect();
    let s = save_selection(&cx, &asi, s).expect("saved");
    // Drafts first: a winner still a draft goes on into validation.
    let mut mine: Vec<_> = store
        .practices()
        .map(|p| p.expect("reads"))
        .filter(|p| p.author == author.id)
        .collect();
    mine.sort_by_key(|p| p.status != crate::domain::PracticeStatus::Draft);
    mine.truncate(3);
    assert_eq!(mine[0].status, crate::domain::PracticeStatus::Draft);
    assert_eq!(mine.len(), 3, "the author has three practices");
    // The yes/no criterion must be confirmed.
    let Err(ServiceError::Refused(why)) = enter_with(&cx, &author, s.id, mine[0].id, &[], |_| {})
    else {
        panic!("unconfirmed");
    };
    assert!(
        why.join(" ").contains("Реализуется не менее года"),
        "{why:?}"
    );
    let confirmed = vec!["Реализуется не менее года".to_owned()];
    for p in &mine[..2] {
        enter_with(&cx, &author, s.id, p.id, &confirmed, |_| {}).expect("entered");
    }
    assert!(enter_with(&cx, &author, s.id, mine[0].id, &confirmed, |_| {}).is_err());
    // The experts may read the practices put forward; others not.
    let scope = |u: &User| scope_of(&store, Some(u)).expect("scope");
    let mut put = vec![mine[0].id, mine[1].id];
    put.sort_unstable();
    assert_eq!(scope(&experts[0]).granted, put);
    assert!(scope(&experts[0]).can_read(&mine[1]));
    assert!(scope(&user(&store, "coordinator2")).granted.is_empty());
    // Others see no applications; the applicant theirs; the Agency all.
    let visible = |u: &User| visible_entries(&store, Some(u), s.id).expect("reads").len();
    assert_eq!(visible(&user(&store, "coordinator2")), 0);
    assert_eq!(visible(&author), 2);
    assert_eq!(visible(&asi), 2);
    assert_eq!(
        visible(&rep),
        2,
        "the partner's representative follows them"
    );

    // Scoring waits for intake to close.
    assert!(score_with(&cx, &experts[0], s.id, mine[0].id, &[1, 5], |_| {}).is_err());
    clock.set(cx.now() + chrono::Duration::days(31));
    // A third practice after closing: refused, saying so.
    let Err(ServiceError::Refused(why)) =
        enter_with(&cx, &author, s.id, mine[2].id, &confirmed, |_| {})
    else {
        panic!("closed");
    };
    assert!(why[0].contains("закончился"), "{why:?}");
    // An expert of the applicant's region is kept out.
    let region = mine[0].region().map(str::to_owned);
    let mut local = experts[2].clone();
    local.profile.region.clone_from(&region);
    let Err(ServiceError::Refused(why)) =
        score_with(&cx, &local, s.id, mine[0].id, &[1, 5], |_| {})
    else {
        panic!("conflict of interest");
    };
    assert!(why.join(" ").contains("конфликт интересов"), "{why:?}");
    // Marks out of range are refused.
    assert!(score_with(&cx, &experts[0], s.id, mine[0].id, &[2, 5], |_| {}).is_err());
    // Two applications with equal means share their places.
    for e in &experts {
        score_with(&cx, e, s.id, mine[0].id, &[1, 7], |_| {}).expect("scored");
        score_with(&cx, e, s.id, mine[1].id, &[1, 7], |_| {}).expect("scored");
    }
    // A score given again replaces the expert's own.
    score_with(&cx, &experts[0], s.id, mine[1].id, &[1, 4], |_| {}).expect("again");
    score_with(&cx, &experts[0], s.id, mine[1].id, &[1, 7], |_| {}).expect("again");
    let (_, rows) = results(&cx, Some(&asi), s.id).expect("results");
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r.place == "1–2"), "{rows:?}");
    assert!(rows[0].note.contains("поделены"), "{rows:?}");
    // Not yet public for others before the results day.
    assert!(results(&cx, Some(&author), s.id).is_err());

    // Winners are named after the evaluation, from the admitted.
    assert!(decide(&cx, &asi, s.id, &[mine[0].id]).is_err());
    clock.set(cx.now() + chrono::Duration::days(20));
    assert!(decide(&cx, &asi, s.id, &[mine[2].id]).is_err());
    // Held back by the passport rules (here: the author's consent to
    // consult, §4.1.7), the winner keeps the selection as its route and
    // its author is told what to complete.
    let mut bare = author.clone();
    bare.consents
        .retain(|c| c.kind != crate::domain::user::ConsentKind::Consulting);
    store
        .commit(&Mutation::new(None, "test", "согласие").with(Record::User(Box::new(bare))))
        .expect("commits");
    let s = decide(&cx, &asi, s.id, &[mine[0].id]).expect("decided");
    assert_eq!(s.winners, [mine[0].id]);
    let won = store.practice(mine[0].id).expect("reads").expect("there");
    assert_eq!(won.status, crate::domain::PracticeStatus::Draft);
    assert_eq!(
        won.passport.route,
        Some(crate::domain::passport::Route::Selection)
    );
    assert_eq!(won.revision, mine[0].revision + 1, "the route is an edit");
    let told = store.inbox(author.id).expect("inbox");
    let word = told
        .iter()
        .find(|n| n.text.contains("победитель отбора"))
        .expect("the author is told");
    assert!(word.text.contains("п. 4.1.7"), "{}", word.text);
    // With the consent given and §2.1.5 confirmed, the decision sends it
    // to its region.
    store
        .commit(
            &Mutation::new(None, "test", "согласие").with(Record::User(Box::new(author.clone()))),
        )
        .expect("commits");
    let mut passport = won.passport.clone();
    passport.criteria_confirmed = [true; 7];
    crate::service::practice::execute(
        &cx,
        &author,
        crate::domain::command::Command::Edit {
            id: won.id,
            passport,
        },
    )
    .expect("confirmed");
    let s = decide(&cx, &asi, s.id, &[mine[0].id]).expect("decided again");
    let won = store.practice(mine[0].id).expect("reads").expect("there");
    let problems = crate::service::practice::with_context(&cx, |rx| {
        crate::domain::command::submission_problems(&author, &won, rx)
    })
    .expect("reads");
    assert_eq!(
        won.status,
        crate::domain::PracticeStatus::RegionConfirmation,
        "{problems:?}"
    );
    let trail = store
        .audit_of(crate::store::EntityRef::Practice(won.id))
        .expect("audit");
    let sent = trail.last().expect("a step");
    assert_eq!(sent.actor, Some(asi.id), "the Agency's decision sent it");
    assert!(
        sent.summary.contains("подан на подтверждение"),
        "{}",
        sent.summary
    );
    let (_, rows) = results(&cx, Some(&author), s.id).expect("public now");
    assert_eq!(rows.iter().filter(|r| r.winner).count(), 1);
    let doc = print::results_doc(&s, &partner.name, &rows);
    let text = crate::service::print::pdf::text(&doc);
    assert!(text.contains("Итоги отбора «Семья и дети»"), "{text}");
    assert!(
        text.contains("победитель") && text.contains("Победителей: 1."),
        "{text}"
    );
    assert!(text.contains(&partner.name), "{text}");
    assert_eq!(rows.len(), 2, "the author's own two");
    // Others see the winner alone: the rest may be drafts.
    let (_, rows) = results(&cx, Some(&user(&store, "coordinator2")), s.id).expect("public");
    assert_eq!(rows.len(), 1);
    assert!(rows[0].winner);
    // The criteria stay as they were once applications came.
    let mut changed = store.selection(s.id).expect("reads").expect("there");
    changed.criteria.pop();
    let Err(ServiceError::Refused(why)) = save_selection(&cx, &asi, changed) else {
        panic!("criteria changed after applications");
    };
    assert!(why[0].contains("не меняются"), "{why:?}");
}

#[test]
fn authors_hear_of_a_selection_opening_and_closing_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("store");
    let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 16).expect("day");
    crate::demo::seed_at(&store, 40, 1, FixedClock::on(day).now(), |_, _| {}).expect("seed");
    let users: Vec<User> = store.users().map(|u| u.expect("reads")).collect();
    let authors = users
        .iter()
        .filter(|u| {
            u.has_role(crate::domain::Role::Author) && crate::domain::people::gets_mail(u, false)
        })
        .count();
    assert!(authors > 0);
    let s = selection(uuid::Uuid::now_v7(), day);
    let closing = s.dates.closes - chrono::Duration::days(CLOSING_NOTICE_DAYS);
    let all = [s.clone()];
    let opened = notices(&all, &users, Some(day.pred_opt().expect("day")), day);
    assert_eq!(opened.len(), authors);
    assert!(
        opened[0].body.contains("Открыт приём заявок"),
        "{}",
        opened[0].body
    );
    // Nothing the next day; the closing notice once, even after a gap.
    let next = day.succ_opt().expect("day");
    assert!(notices(&all, &users, Some(day), next).is_empty());
    let late = notices(
        &all,
        &users,
        Some(closing - chrono::Duration::days(2)),
        closing + chrono::Duration::days(1),
    );
    assert!(late[0].body.contains("дней: 3"), "{}", late[0].body);
    assert!(!late[0].body.contains("Открыт"));
    assert!(
        notices(
            &all,
            &users,
            Some(closing),
            closing + chrono::Duration::days(1)
        )
        .is_empty()
    );
}
