//! The rules of honest reviews: a category chosen for «Я не знаю» (P-7),
//! the grounds of an archiving checked against the records.

use super::*;

/// P-7 «Я не знаю, что выбрать»: the practice waits in the Модератор
/// АСИ's «Категория не выбрана» until they choose one, which routes it to
/// the category's expert-moderators.
#[test]
fn a_practice_without_a_category_waits_for_the_asi_moderator_to_choose_one() {
    let mut p = practice(PracticeStatus::Packaging);
    p.passport.category = Some(crate::domain::passport::CategoryChoice::DontKnow);
    let with = |code: &str| Args {
        reason: Some(code.into()),
        ..Args::default()
    };
    assert!(run(&em(), &p, Action::SetCategory, &with("health")).is_err());
    // Nothing else moves it on before it has a category.
    let e = run(&asi(), &p, Action::SendToPublication, &Args::default()).expect_err("no category");
    assert!(e.contains("P-7"), "{e}");
    let e = run(&asi(), &p, Action::SetCategory, &Args::default()).expect_err("which one");
    assert!(e.contains("Укажите категорию"), "{e}");
    let qs = crate::domain::queue::queues(&asi(), [&p], &Calendar::shipped(), now().date_naive());
    assert!(
        qs.iter()
            .any(|q| q.code == "no-category" && q.items.len() == 1),
        "{qs:?}"
    );
    let s = run(&asi(), &p, Action::SetCategory, &with("health")).expect("chosen");
    assert_eq!(s.practice.passport.category_code(), Some("health"));
    assert!(s.passport_changed);
    assert!(
        s.notify.iter().any(|a| matches!(a, Audience::Role { role: Role::ExpertModerator, category: Some(c), .. } if c == "health"))
    );
    let e = run(&asi(), &s.practice, Action::SetCategory, &with("tourism")).expect_err("chosen");
    assert!(e.contains("уже выбрана"), "{e}");
}

/// §4.6.1: «нет запроса на внедрение в течение года» only a year after
/// publication and after the latest application; «отказ от актуализации»
/// only once an actualisation's deadline has passed.
#[test]
fn archive_grounds_are_checked_against_the_records() {
    let archive = |p: &Practice, code: &str, last: Option<DateTime<Utc>>, at: DateTime<Utc>| {
        let cal = Calendar::shipped();
        let profile = |_| Some(crate::domain::fixtures::complete_profile());
        let last_application = move |_| last;
        let cx = Context {
            refdata: refdata(),
            calendar: &cal,
            now: at,
            pool: &pool,
            profile: &profile,
            last_application: &last_application,
        };
        apply(
            &asi(),
            p,
            Action::Archive,
            &Args {
                reason: Some(code.into()),
                comment: "Обоснование".into(),
                ..Args::default()
            },
            &cx,
        )
    };
    let mut p = practice(PracticeStatus::Published);
    p.published = Some(now() - chrono::Duration::days(200));
    let e = archive(&p, "no-demand", None, now()).expect_err("published lately");
    assert!(e.contains("4.6.1") && e.contains("опубликована"), "{e}");
    p.published = Some(now() - chrono::Duration::days(800));
    let applied = now() - chrono::Duration::days(30);
    let e = archive(&p, "no-demand", Some(applied), now()).expect_err("asked lately");
    assert!(e.contains("заявка"), "{e}");
    assert!(
        archive(
            &p,
            "no-demand",
            Some(now() - chrono::Duration::days(400)),
            now()
        )
        .is_ok()
    );
    // Not in actualisation, or its deadline not yet passed: no refusal to
    // actualise to speak of.
    let e = archive(&p, "no-actualisation", None, now()).expect_err("published");
    assert!(e.contains("4.5.4"), "{e}");
    let opened = run(
        &coordinator(),
        &p,
        Action::OpenActualisation,
        &comment("Обновите"),
    )
    .expect("opened")
    .practice;
    assert!(archive(&opened, "no-actualisation", None, now()).is_err());
    let late = now() + chrono::Duration::days(30);
    assert!(archive(&opened, "no-actualisation", None, late).is_ok());
}
