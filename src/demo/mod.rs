//! A reproducible synthetic dataset: users of every role and practices in
//! every category, region, level and status, with Russian text varied
//! enough that search is meaningful. The same `--practices` and `--seed`
//! give the same practices, with the same ids.

mod applications;
mod passports;
mod people;
pub mod relevance;
mod selections;
mod vocab;
mod workflow;

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, TimeZone, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use uuid::Uuid;

use crate::domain::eligibility::parse_leaders_csv;
use crate::domain::passport::{Member, TeamMember};
use crate::domain::refdata::refdata;
use crate::domain::workflow::Workflow;
use crate::domain::{Practice, PracticeStatus, UserId};
use crate::store::{Mutation, Record, Store, StoreError};

use applications::applications;
use passports::{passport, status_for};
pub use people::demo_logins;
use people::{demo_users, region_users};
use vocab::VOCAB;
use workflow::workflow_for;

/// Illustrative leader lists for the demo store (not a real rating).
const LEADERS_CSV: &str = include_str!("../../assets/examples/leaders-2025.csv");

/// The password of every demo login.
pub const DEMO_PASSWORD: &str = "demo";
/// The region of `author`, `team1`, `team2` and `coordinator` (Татарстан).
pub const HOME_REGION: &str = "16";
/// The region of `coordinator2` (Нижегородская область).
pub const OTHER_REGION: &str = "52";
/// The region of `recipient` (Новосибирская область).
pub const RECIPIENT_REGION: &str = "54";
/// Practices per store transaction.
const BATCH: usize = 100;

/// Records to write dated as one change.
type Dated = (DateTime<Utc>, Vec<Record>);

/// What `seed` wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seeded {
    pub users: usize,
    pub practices: usize,
}

fn hex(rng: &mut ChaCha8Rng) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(64);
    for _ in 0..32 {
        let _ = write!(s, "{:02x}", rng.random::<u8>());
    }
    s
}

/// A `UUIDv7` made from a fixed clock and the dataset's generator.
fn id_at(ms: u64, rng: &mut ChaCha8Rng) -> Uuid {
    let bytes: [u8; 10] = rng.random();
    uuid::Builder::from_unix_timestamp_millis(ms, &bytes).into_uuid()
}

fn epoch() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 1, 15, 9, 0, 0)
        .single()
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// The logins whose ids the demo workflow refers to.
struct Actors {
    author: UserId,
    coordinator: UserId,
    moderator: UserId,
    asi: UserId,
    experts: Vec<UserId>,
}

/// [`seed`] with a fixed clock, for reproducible stores.
pub fn seed_at(
    store: &Store,
    n: usize,
    seed: u64,
    now: DateTime<Utc>,
    mut progress: impl FnMut(usize, usize),
) -> Result<Seeded, DemoError> {
    if store.user_by_login("author")?.is_some() {
        return Err(DemoError::AlreadySeeded);
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let demo = demo_users(&mut rng).map_err(DemoError::Other)?;
    let regional = region_users(&mut rng);
    let users = demo.len() + regional.len();
    let mut m = Mutation::new(None, "demo.users", "Демонстрационные пользователи").at(now);
    for u in demo.iter().chain(&regional) {
        m = m.with(Record::User(Box::new(u.clone())));
    }
    // Leader lists in which the demo author's region is eligible (§3.1.1).
    let leaders =
        parse_leaders_csv(LEADERS_CSV, refdata()).map_err(|e| DemoError::Other(e.join("; ")))?;
    m = m.with(Record::Leaders {
        year: 2025,
        leaders,
    });
    store.commit(&m)?;
    let login = |l: &str| demo.iter().find(|u| u.login == l).map(|u| u.id);
    let (Some(author), Some(team1), Some(team2)) =
        (login("author"), login("team1"), login("team2"))
    else {
        return Err(DemoError::Other(
            "демонстрационные пользователи не созданы".into(),
        ));
    };
    let who = Actors {
        author,
        coordinator: login("coordinator").unwrap_or_default(),
        moderator: login("moderator").unwrap_or_default(),
        asi: login("asi").unwrap_or_default(),
        experts: ["expert1", "expert2", "expert3"]
            .iter()
            .filter_map(|l| login(l))
            .collect(),
    };
    let regions = &refdata().regions;
    let start = epoch();
    // Practices are written dated when they reached their current stage, so
    // their history agrees with how long the queues say they have waited:
    // those at work by the day, the published by the month.
    let mut pending: BTreeMap<(i32, u32, u32), Dated> = BTreeMap::new();
    let write = |at: DateTime<Utc>, records: Vec<Record>| {
        let mut m = Mutation::new(
            None,
            "demo.practices",
            "Демонстрационная практика: на нынешнем этапе с этого дня",
        )
        .at(at);
        m.records = records;
        store.commit(&m)
    };
    let mut next_region = 0;
    // Published practices that get demo applications: (id, author region).
    let mut replicated = Vec::new();
    // Practices the commission recommended (§3.2.2), with when.
    let mut recommended = Vec::new();
    for i in 0..n {
        let status = status_for(i, &mut rng);
        let v = &VOCAB[i % VOCAB.len()];
        // The demo author's practices: a few at the start, in every early status
        // (one awaiting the home region's confirmation).
        let own = i < PracticeStatus::ALL.len() * 2 && (i % 2 == 0 || i == 1);
        let (region, author_id, team) = if own {
            (
                HOME_REGION.to_owned(),
                author,
                vec![
                    TeamMember {
                        member: Member::User(author),
                        mentor: false,
                    },
                    TeamMember {
                        member: Member::User(team1),
                        mentor: true,
                    },
                    TeamMember {
                        member: Member::User(team2),
                        mentor: false,
                    },
                ],
            )
        } else {
            // Every region once, then at random.
            let ri = if next_region < regions.len() {
                next_region += 1;
                next_region - 1
            } else {
                rng.random_range(0..regions.len())
            };
            let base = ri * 3;
            let members: Vec<TeamMember> = (0..3)
                .map(|k| TeamMember {
                    member: Member::User(regional[base + k].id),
                    mentor: k == 1,
                })
                .collect();
            (regions[ri].code.clone(), regional[base].id, members)
        };
        let created = start + Duration::minutes(i as i64 * 7);
        let mut passport = passport(&mut rng, v, &region, status, team);
        // Some work in progress came by the commission's recommendation
        // (§3.2): the demo's commission is named for it below. Chosen by
        // its number, so the rest of the demo stays as it was.
        if i % 5 == 2
            && matches!(
                status,
                PracticeStatus::Draft
                    | PracticeStatus::RegionConfirmation
                    | PracticeStatus::Packaging
            )
        {
            passport.route = Some(crate::domain::passport::Route::Recommendation);
            // With the commission's letter, as the route asks (§3.2.4).
            passport.materials.push(crate::domain::passport::Material {
                kind: crate::domain::passport::MaterialKind::Recommendation,
                title: "Письмо-рекомендация комиссии Госсовета".into(),
                source: crate::domain::passport::Source::Link {
                    url: "https://example.org/smarteka/recommendation.pdf".into(),
                },
            });
        }
        // Work in progress must still meet §2.1.5(1) when it is sent on.
        if !status.is_public() && !status.is_terminal() {
            let earliest = chrono::Datelike::year(&now) - 3;
            passport.year = passport.year.map(|y| y.max(earliest));
        }
        // Published after the year of implementation began.
        let year_start = passport
            .year
            .and_then(|y| Utc.with_ymd_and_hms(y, 2, 1, 10, 0, 0).single())
            .unwrap_or(created);
        let published = matches!(
            status,
            PracticeStatus::Published | PracticeStatus::Actualisation | PracticeStatus::Archived
        )
        // Never after the demo's today.
        .then(|| (created.max(year_start) + Duration::days(rng.random_range(30..200))).min(now));
        let mut p = Practice {
            id: id_at(created.timestamp_millis() as u64, &mut rng),
            status,
            author: author_id,
            passport,
            revision: 1,
            created,
            updated: published.unwrap_or(created),
            published,
            workflow: Workflow::default(),
        };
        p.workflow = workflow_for(status, i, &p, now, &who, &mut rng);
        if p.passport.route == Some(crate::domain::passport::Route::Recommendation) {
            recommended.push((p.id, p.created));
        }
        if status == PracticeStatus::Published && i % 5 == 0 {
            replicated.push((p.id, region.clone()));
        }
        let at = p.workflow.since.unwrap_or(p.created).min(now);
        let day = if matches!(status, PracticeStatus::Published | PracticeStatus::Archived) {
            0
        } else {
            at.day()
        };
        let bucket = pending
            .entry((at.year(), at.month(), day))
            .or_insert_with(|| (at, Vec::new()));
        bucket.1.push(Record::Practice(Box::new(p)));
        if bucket.1.len() == BATCH {
            // The bucket keeps its date for the practices still to come.
            let records = std::mem::take(&mut bucket.1);
            write(bucket.0, records)?;
        }
        if (i + 1) % BATCH == 0 || i + 1 == n {
            progress(i + 1, n);
        }
    }
    for (at, records) in pending.into_values() {
        if !records.is_empty() {
            write(at, records)?;
        }
    }
    let recipient = login("recipient").unwrap_or_default();
    let implementer = login("impl").unwrap_or_default();
    let apps = applications(
        &replicated,
        &regional,
        recipient,
        implementer,
        now,
        &mut rng,
    );
    for chunk in apps.chunks(BATCH) {
        let mut m = Mutation::new(
            None,
            "demo.replication",
            "Демонстрационные заявки на внедрение",
        )
        .at(now);
        for a in chunk {
            m = m.with(Record::Application(Box::new(a.clone())));
        }
        store.commit(&m)?;
    }
    let mut m = Mutation::new(None, "demo.selections", "Демонстрационные отборы").at(now);
    m.records = selections::records(now, &who.experts, &mut rng);
    m.records.extend(selections::recommendations(
        &m.records,
        &recommended,
        who.asi,
    ));
    store.commit(&m)?;
    Ok(Seeded {
        users,
        practices: n,
    })
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(
        "В хранилище уже есть демонстрационные данные. Укажите пустой каталог: --data КАТАЛОГ."
    )]
    AlreadySeeded,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Other(String),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Role;
    use crate::domain::access::read_scope;
    use crate::domain::passport::Level;
    use crate::domain::rules::{Context, blocking};

    #[test]
    fn reproducible_and_covering() {
        let a = tempfile::tempdir().expect("tempdir");
        let b = tempfile::tempdir().expect("tempdir");
        let sa = Store::open(a.path()).expect("store");
        let sb = Store::open(b.path()).expect("store");
        let mut calls = 0;
        let now = Utc
            .with_ymd_and_hms(2026, 3, 2, 10, 0, 0)
            .single()
            .expect("date");
        let r = seed_at(&sa, 300, 7, now, |_, _| calls += 1).expect("seeds");
        assert_eq!(r.practices, 300);
        assert!(calls >= 1);
        seed_at(&sb, 300, 7, now, |_, _| {}).expect("seeds");
        let pa: Vec<Practice> = sa.practices().collect::<Result<_, _>>().expect("reads");
        let pb: Vec<Practice> = sb.practices().collect::<Result<_, _>>().expect("reads");
        assert_eq!(pa, pb, "same seed, same practices");
        for s in PracticeStatus::ALL {
            assert!(pa.iter().any(|p| p.status == s), "status {s:?}");
        }
        for c in &refdata().categories {
            assert!(
                pa.iter()
                    .any(|p| p.passport.category_code() == Some(c.code.as_str()))
            );
        }
        for r in &refdata().regions {
            assert!(
                pa.iter().any(|p| p.region() == Some(r.code.as_str())),
                "{}",
                r.name
            );
        }
        for l in Level::ALL {
            assert!(pa.iter().any(|p| p.passport.level == Some(l)));
        }
        assert!(matches!(
            seed_at(&sa, 1, 7, now, |_, _| {}),
            Err(DemoError::AlreadySeeded)
        ));
    }

    #[test]
    fn demo_logins_have_their_roles_and_complete_profiles() {
        let dir = tempfile::tempdir().expect("tempdir");
        let s = Store::open(dir.path()).expect("store");
        seed_at(&s, 30, 1, Utc::now(), |_, _| {}).expect("seeds");
        for login in demo_logins() {
            let u = s.user_by_login(login).expect("reads").expect("exists");
            assert!(
                crate::service::accounts::verify_password(DEMO_PASSWORD, &u.password_hash),
                "{login}"
            );
            assert!(
                crate::domain::user::profile_problems(&u.profile).is_empty(),
                "{login}"
            );
        }
        let role = |l: &str, r: Role| {
            s.user_by_login(l)
                .expect("reads")
                .expect("exists")
                .has_role(r)
        };
        assert!(role("author", Role::Author));
        assert!(role("coordinator", Role::Coordinator));
        assert!(role("moderator", Role::ExpertModerator));
        assert!(role("asi", Role::AsiModerator));
        assert!(role("expert3", Role::Expert));
        assert!(role("rating", Role::RatingCommittee));
        assert!(role("impl", Role::ImplementationModerator));
        assert!(role("recipient", Role::Recipient));
        let c2 = s
            .user_by_login("coordinator2")
            .expect("reads")
            .expect("exists");
        assert_eq!(c2.regions_for(Role::Coordinator), [OTHER_REGION]);
        // The author sees own drafts; the public does not.
        let author = s.user_by_login("author").expect("reads").expect("exists");
        let drafts: Vec<Practice> = s
            .practices()
            .filter_map(Result::ok)
            .filter(|p| p.status == PracticeStatus::Draft && p.author == author.id)
            .collect();
        assert!(!drafts.is_empty());
        assert!(read_scope(Some(&author)).can_read(&drafts[0]));
        assert!(!read_scope(None).can_read(&drafts[0]));
    }

    #[test]
    fn submitted_demo_passports_pass_the_rules_of_their_time() {
        let dir = tempfile::tempdir().expect("tempdir");
        let s = Store::open(dir.path()).expect("store");
        seed_at(&s, 60, 3, Utc::now(), |_, _| {}).expect("seeds");
        let lookup = |id| s.user(id).ok().flatten().map(|u| u.profile);
        for p in s.practices().filter_map(Result::ok) {
            let cx = Context {
                refdata: refdata(),
                year: p.passport.year.unwrap_or(2026).max(2025),
                level_required: false,
                profile: &lookup,
            };
            let b = blocking(&p.passport, &cx);
            assert!(b.is_empty(), "{}: {b:#?}", p.passport.title);
        }
    }

    #[test]
    fn every_history_is_dated_when_its_practice_reached_its_stage() {
        // Enough practices for a month's bucket to fill and be written
        // more than once.
        let dir = tempfile::tempdir().expect("tempdir");
        let s = Store::open(dir.path()).expect("store");
        let now = Utc
            .with_ymd_and_hms(2026, 3, 2, 10, 0, 0)
            .single()
            .expect("date");
        seed_at(&s, 1500, 5, now, |_, _| {}).expect("seeds");
        for p in s.practices() {
            let p = p.expect("reads");
            let at = p.workflow.since.unwrap_or(p.created).min(now);
            let first = s
                .audit_of(crate::store::EntityRef::Practice(p.id))
                .expect("audit")
                .first()
                .map(|a| a.at)
                .expect("a history");
            // Work in progress to the day, as its waiting time says; the
            // published by the month.
            if p.status.is_public() {
                assert_eq!((first.year(), first.month()), (at.year(), at.month()));
            } else {
                assert_eq!(first.date_naive(), at.date_naive(), "{:?}", p.status);
            }
        }
    }
}
