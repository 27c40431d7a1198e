use chrono::{TimeZone, Utc};
use uuid::Uuid;

use super::*;
use crate::domain::calendar::Calendar;
use crate::domain::eligibility::{Criterion, Leader};
use crate::domain::fixtures::{complete_profile, file, user, valid};
use crate::domain::passport::{Level, Member};
use crate::domain::refdata::refdata;
use crate::domain::user::RoleGrant;

/// The author of the fixture passport: user 1, an author in Татарстан.
fn author() -> User {
    user(1, vec![RoleGrant::regional(Role::Author, "16")])
}

fn leaders() -> Vec<Leader> {
    vec![Leader {
        year: 2025,
        region: "16".into(),
        criterion: Criterion::InvestTop5,
        note: String::new(),
    }]
}

#[allow(clippy::unnecessary_wraps)] // the shape of a profile lookup
fn profiles(_: UserId) -> Option<Profile> {
    Some(complete_profile())
}

fn run(
    actor: &User,
    current: Option<&Practice>,
    cmd: Command,
    leaders: &[Leader],
) -> Result<Outcome, Refusal> {
    let cx = Context {
        refdata: refdata(),
        now: Utc
            .with_ymd_and_hms(2026, 3, 2, 10, 0, 0)
            .single()
            .expect("date"),
        profile: &profiles,
        leaders,
        calendar: &Calendar::shipped(),
        pool: &|_| Vec::new(),
        last_application: &|_| None,
        recommended: &|_| true,
    };
    apply(actor, current, cmd, &cx)
}

fn created(p: Passport) -> Practice {
    run(
        &author(),
        None,
        Command::Create {
            id: Uuid::from_u128(99),
            passport: p,
        },
        &leaders(),
    )
    .expect("created")
    .practice
}

#[test]
fn create_needs_passport_access_and_the_own_region() {
    let nobody = user(5, vec![]);
    let e = run(
        &nobody,
        None,
        Command::Create {
            id: Uuid::nil(),
            passport: valid(),
        },
        &[],
    )
    .expect_err("no access");
    assert!(e.reasons[0].contains("п. 4.1.3"), "{e}");
    let mut p = valid();
    p.regions.author = Some("52".into());
    let e = run(
        &author(),
        None,
        Command::Create {
            id: Uuid::nil(),
            passport: p,
        },
        &[],
    )
    .expect_err("other region");
    assert!(e.reasons[0].contains("Нижегородская область"), "{e}");
    let p = Passport {
        title: "Новая практика".into(),
        ..Passport::default()
    };
    let o = run(
        &author(),
        None,
        Command::Create {
            id: Uuid::from_u128(7),
            passport: p,
        },
        &[],
    )
    .expect("created");
    assert_eq!(o.practice.status, PracticeStatus::Draft);
    assert_eq!(o.practice.passport.regions.author.as_deref(), Some("16"));
    assert_eq!(
        o.practice.passport.team[0].member,
        Member::User(author().id),
        "the author is on the team"
    );
    let r = o.revision.expect("revision 1");
    assert_eq!(r.number, 1);
    assert!(r.fields.contains(&Field::P1) && r.fields.contains(&Field::P19));
}

#[test]
fn edit_makes_a_revision_of_the_changed_fields() {
    let p = created(valid());
    let mut next = p.passport.clone();
    next.goal = "Другая цель".into();
    let o = run(
        &author(),
        Some(&p),
        Command::Edit {
            id: p.id,
            passport: next.clone(),
        },
        &[],
    )
    .expect("edited");
    let r = o.revision.expect("revision");
    assert_eq!((r.number, r.fields.as_slice()), (2, [Field::P2].as_slice()));
    assert_eq!(o.practice.revision, 2);
    let same = run(
        &author(),
        Some(&o.practice),
        Command::Edit {
            id: p.id,
            passport: next.clone(),
        },
        &[],
    )
    .expect("no-op");
    assert!(same.revision.is_none());
    let mut lvl = next.clone();
    lvl.level = Some(Level::Tool);
    assert!(
        run(
            &author(),
            Some(&o.practice),
            Command::Edit {
                id: p.id,
                passport: lvl
            },
            &[]
        )
        .is_err()
    );
    let other = user(2, vec![RoleGrant::regional(Role::Author, "16")]);
    let e = run(
        &other,
        Some(&o.practice),
        Command::Edit {
            id: p.id,
            passport: next,
        },
        &[],
    )
    .expect_err("not the author");
    assert!(e.reasons[0].contains("только автор"));
}

#[test]
fn the_history_names_the_criteria_by_their_clause() {
    let mut p = created(valid());
    p.passport.criteria_confirmed = [false; CRITERIA.len()];
    let mut next = p.passport.clone();
    next.criteria_confirmed[0] = true;
    next.goal = "Другая цель".into();
    let o = run(
        &author(),
        Some(&p),
        Command::Edit {
            id: p.id,
            passport: next,
        },
        &[],
    )
    .expect("edited");
    assert_eq!(o.summary, "Изменено: P-2, критерии п. 2.1.5");
    let mut route = o.practice.passport.clone();
    route.route = Some(Route::Recommendation);
    let o = run(
        &author(),
        Some(&o.practice),
        Command::Edit {
            id: p.id,
            passport: route,
        },
        &[],
    )
    .expect("edited");
    assert_eq!(o.summary, "Изменено: P-24");
}

#[test]
fn edit_keeps_the_author_region_set_at_creation() {
    let p = created(valid());
    assert_eq!(p.passport.regions.author.as_deref(), Some("16"));
    let edit = |passport: Passport| {
        run(
            &author(),
            Some(&p),
            Command::Edit { id: p.id, passport },
            &[],
        )
    };
    // Cleared (or blank), it is kept: nothing else changed, no revision.
    for empty in [None, Some(String::new()), Some("  ".to_owned())] {
        let mut next = p.passport.clone();
        next.regions.author = empty.clone();
        let o = edit(next).expect("kept");
        assert!(o.revision.is_none(), "{empty:?}");
        assert_eq!(o.practice.passport.regions.author.as_deref(), Some("16"));
    }
    // Cleared along with another change: the change is saved, the region
    // stays, and P-11 is not among the changed fields.
    let mut next = p.passport.clone();
    next.regions.author = None;
    next.goal = "Другая цель".into();
    let o = edit(next).expect("edited");
    assert_eq!(o.practice.passport.regions.author.as_deref(), Some("16"));
    let r = o.revision.expect("revision");
    assert_eq!(r.fields, [Field::P2]);
    assert_eq!(r.passport.regions.author.as_deref(), Some("16"));
    // Another region is refused, saying why.
    let mut next = p.passport.clone();
    next.regions.author = Some("52".into());
    let e = edit(next).expect_err("another region");
    assert!(
        e.reasons[0].contains("Нижегородская область") && e.reasons[0].contains("не меняется"),
        "{e}"
    );
}

#[test]
fn submit_lists_every_reason_then_moves_to_region_confirmation() {
    let mut p = valid();
    p.title.clear();
    p.team.truncate(2);
    p.criteria_confirmed[3] = false;
    p.year = Some(2020);
    let practice = created(p);
    let e = run(
        &author(),
        Some(&practice),
        Command::Submit { id: practice.id },
        &[],
    )
    .expect_err("refused");
    let all = e.to_string();
    for needle in [
        "P-1 Название",
        "P-19 Команда",
        "P-23 Год реализации",
        "не загружены",
        "подтверждающие реализацию",
    ] {
        assert!(all.contains(needle), "missing «{needle}» in:\n{all}");
    }
    let other_region = vec![Leader {
        year: 2025,
        region: "77".into(),
        criterion: Criterion::QualityTop10,
        note: String::new(),
    }];
    let practice = created(valid());
    let e = run(
        &author(),
        Some(&practice),
        Command::Submit { id: practice.id },
        &other_region,
    )
    .expect_err("not a leader");
    assert!(e.reasons[0].contains("не входит в списки"), "{e}");
    let o = run(
        &author(),
        Some(&practice),
        Command::Submit { id: practice.id },
        &leaders(),
    )
    .expect("submitted");
    assert_eq!(o.practice.status, PracticeStatus::RegionConfirmation);
    assert_eq!(o.action, "submit");
    let e = run(
        &author(),
        Some(&o.practice),
        Command::Submit { id: practice.id },
        &leaders(),
    )
    .expect_err("twice");
    assert!(e.reasons[0].contains("Подтверждение регионом"), "{e}");
    let e = run(
        &author(),
        Some(&o.practice),
        Command::Edit {
            id: practice.id,
            passport: valid(),
        },
        &[],
    )
    .expect_err("no edits after");
    assert!(e.reasons[0].contains("в черновике"), "{e}");
}

#[test]
fn recommendation_route_needs_the_letter_and_passes_the_region_too() {
    let mut p = valid();
    p.route = Some(Route::Recommendation);
    let practice = created(p.clone());
    let e = run(
        &author(),
        Some(&practice),
        Command::Submit { id: practice.id },
        &[],
    )
    .expect_err("no letter");
    assert!(e.reasons.iter().any(|r| r.contains("п. 3.2.4")), "{e}");
    p.materials.push(file(MaterialKind::Recommendation, 100));
    let practice = created(p);
    let o = run(
        &author(),
        Some(&practice),
        Command::Submit { id: practice.id },
        &[],
    )
    .expect("submitted");
    // §4.1.8: the region confirms it as every other; only W-3 is skipped.
    assert_eq!(o.practice.status, PracticeStatus::RegionConfirmation);
}
