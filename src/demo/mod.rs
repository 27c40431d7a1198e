//! A reproducible synthetic dataset: users of every role and practices in
//! every category, region, level and status, with Russian text varied
//! enough that search is meaningful. The same `--practices` and `--seed`
//! give the same practices, with the same ids.

mod vocab;

use chrono::{DateTime, Duration, TimeZone, Utc};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use uuid::Uuid;

use crate::domain::eligibility::parse_leaders_csv;
use crate::domain::passport::{
    Audience, CategoryChoice, Cover, ImageFormat, ImplementationWay, Level, Material, MaterialKind,
    Member, Organisation, Partner, Passport, Plan, Regions, ResultRow, Results, Route, Source,
    TeamMember,
};
use crate::domain::refdata::refdata;
use crate::domain::user::{Consent, ConsentKind, Profile};
use crate::domain::workflow::Workflow;
use crate::domain::{Practice, PracticeStatus, Role, RoleGrant, User, UserId};
use crate::service::accounts::hash_password;
use crate::store::{Mutation, Record, Store, StoreError};

use vocab::{FIRST_NAMES, PARTNERS, PLAN_STEPS, QUALIFIERS, SPECIFICS, SUPPORT, VOCAB, Vocab};

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
const BATCH: usize = 500;

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

fn profile(rng: &mut ChaCha8Rng, region: &str, organisation: &str, position: &str) -> Profile {
    let (last, first, middle) = *FIRST_NAMES.choose(rng).unwrap_or(&FIRST_NAMES[0]);
    Profile {
        full_name: format!("{last} {first} {middle}"),
        organisation: organisation.to_owned(),
        position: position.to_owned(),
        phone: format!(
            "+7 9{:02} {:03}-{:02}-{:02}",
            rng.random_range(0..100),
            rng.random_range(0..1000),
            rng.random_range(0..100),
            rng.random_range(0..100)
        ),
        email: String::new(),
        photo: Some(hex(rng)),
        region: Some(region.to_owned()),
        head_of_body: false,
    }
}

fn consents(at: DateTime<Utc>) -> Vec<Consent> {
    ConsentKind::ALL
        .into_iter()
        .map(|kind| Consent {
            kind,
            given: at.date_naive(),
            version: "2025-09-01".into(),
        })
        .collect()
}

struct DemoUser {
    login: &'static str,
    region: &'static str,
    organisation: &'static str,
    position: &'static str,
    roles: fn() -> Vec<RoleGrant>,
}

fn all_categories() -> Vec<String> {
    refdata()
        .categories
        .iter()
        .map(|c| c.code.clone())
        .collect()
}

const DEMO_USERS: &[DemoUser] = &[
    DemoUser {
        login: "author",
        region: HOME_REGION,
        organisation: "Министерство экономики Республики Татарстан",
        position: "Начальник отдела проектного управления",
        roles: || vec![RoleGrant::regional(Role::Author, HOME_REGION)],
    },
    DemoUser {
        login: "team1",
        region: HOME_REGION,
        organisation: "Министерство экономики Республики Татарстан",
        position: "Консультант",
        roles: Vec::new,
    },
    DemoUser {
        login: "team2",
        region: HOME_REGION,
        organisation: "Центр цифровой трансформации Республики Татарстан",
        position: "Руководитель направления",
        roles: Vec::new,
    },
    DemoUser {
        login: "coordinator",
        region: HOME_REGION,
        organisation: "Аппарат Кабинета Министров Республики Татарстан",
        position: "Заместитель руководителя проектного офиса",
        roles: || vec![RoleGrant::regional(Role::Coordinator, HOME_REGION)],
    },
    DemoUser {
        login: "coordinator2",
        region: OTHER_REGION,
        organisation: "Правительство Нижегородской области",
        position: "Заместитель министра",
        roles: || vec![RoleGrant::regional(Role::Coordinator, OTHER_REGION)],
    },
    DemoUser {
        login: "moderator",
        region: "77",
        organisation: "Агентство стратегических инициатив",
        position: "Эксперт-модератор",
        roles: || {
            vec![RoleGrant::by_categories(
                Role::ExpertModerator,
                &all_categories(),
            )]
        },
    },
    DemoUser {
        login: "expert1",
        region: "77",
        organisation: "Экспертный совет Агентства",
        position: "Эксперт",
        roles: || vec![RoleGrant::by_categories(Role::Expert, &all_categories())],
    },
    DemoUser {
        login: "expert2",
        region: "78",
        organisation: "Рейтинговый комитет Агентства",
        position: "Эксперт",
        roles: || vec![RoleGrant::by_categories(Role::Expert, &all_categories())],
    },
    DemoUser {
        login: "expert3",
        region: "66",
        organisation: "Федеральный институт развития",
        position: "Эксперт",
        roles: || vec![RoleGrant::by_categories(Role::Expert, &all_categories())],
    },
    DemoUser {
        login: "asi",
        region: "77",
        organisation: "Агентство стратегических инициатив",
        position: "Модератор платформы",
        roles: || vec![RoleGrant::global(Role::AsiModerator)],
    },
    DemoUser {
        login: "rating",
        region: "77",
        organisation: "Центр национальных рейтингов",
        position: "Аналитик",
        roles: || vec![RoleGrant::global(Role::RatingCommittee)],
    },
    DemoUser {
        login: "impl",
        region: "77",
        organisation: "Агентство стратегических инициатив",
        position: "Модератор внедрения",
        roles: || vec![RoleGrant::global(Role::ImplementationModerator)],
    },
    DemoUser {
        login: "recipient",
        region: RECIPIENT_REGION,
        organisation: "Министерство цифрового развития Новосибирской области",
        position: "Министр",
        roles: || vec![RoleGrant::regional(Role::Recipient, RECIPIENT_REGION)],
    },
];

/// The demo logins, in a stable order.
pub fn demo_logins() -> impl Iterator<Item = &'static str> {
    DEMO_USERS.iter().map(|u| u.login)
}

/// Names for demo logins whose drawn name another login already has.
const SPARE: [&str; 4] = [
    "Ковалёва Мария Петровна",
    "Лебедев Олег Николаевич",
    "Григорьева Елена Андреевна",
    "Орлов Дмитрий Сергеевич",
];

fn demo_users(rng: &mut ChaCha8Rng) -> Result<Vec<User>, String> {
    let hash = hash_password(DEMO_PASSWORD)?;
    let at = epoch();
    let mut out = Vec::new();
    for (i, d) in DEMO_USERS.iter().enumerate() {
        let mut p = profile(rng, d.region, d.organisation, d.position);
        p.email = format!("{}@demo.smarteka.ru", d.login);
        p.head_of_body = d.login == "recipient";
        out.push(User {
            id: id_at(at.timestamp_millis() as u64 + i as u64, rng),
            login: d.login.to_owned(),
            profile: p,
            roles: (d.roles)(),
            password_hash: hash.clone(),
            email_verified: true,
            consents: consents(at),
            disabled: false,
            created: at,
            verified: None,
        });
    }
    // Demo logins stand for different people: a name drawn twice is
    // replaced (without drawing again, so the rest of the data stays put).
    let mut spare = SPARE.iter();
    for i in 1..out.len() {
        if out[..i]
            .iter()
            .any(|u| u.profile.full_name == out[i].profile.full_name)
            && let Some(name) = spare.next()
        {
            (*name).clone_into(&mut out[i].profile.full_name);
        }
    }
    Ok(out)
}

/// Authors and team members of every region; they cannot sign in.
fn region_users(rng: &mut ChaCha8Rng) -> Vec<User> {
    let at = epoch();
    let mut out = Vec::new();
    for (ri, r) in refdata().regions.iter().enumerate() {
        for k in 0..3 {
            let org = format!("Правительство: {}", r.name);
            let mut p = profile(
                rng,
                &r.code,
                &org,
                if k == 0 {
                    "Руководитель проекта"
                } else {
                    "Главный специалист"
                },
            );
            p.email = format!("r{}-{k}@demo.smarteka.ru", r.code);
            out.push(User {
                id: id_at(
                    at.timestamp_millis() as u64 + 1000 + (ri * 3 + k) as u64,
                    rng,
                ),
                login: format!("r{}-{k}", r.code),
                profile: p,
                roles: if k == 0 {
                    vec![RoleGrant::regional(Role::Author, &r.code)]
                } else {
                    Vec::new()
                },
                // No password: these accounts cannot sign in.
                password_hash: String::new(),
                email_verified: true,
                consents: consents(at),
                disabled: false,
                verified: None,
                created: at,
            });
        }
    }
    out
}

fn status_for(i: usize, rng: &mut ChaCha8Rng) -> PracticeStatus {
    // The first practices walk through every status; then a realistic mix.
    if i < PracticeStatus::ALL.len() {
        return PracticeStatus::ALL[i];
    }
    let x = rng.random_range(0..100);
    match x {
        0..55 => PracticeStatus::Published,
        55..67 => PracticeStatus::Archived,
        67..72 => PracticeStatus::Actualisation,
        72..80 => PracticeStatus::Draft,
        80..85 => PracticeStatus::RegionConfirmation,
        85..89 => PracticeStatus::Packaging,
        89..93 => PracticeStatus::ExpertReview,
        93..94 => PracticeStatus::RatingVerification,
        94..96 => PracticeStatus::Publication,
        96..99 => PracticeStatus::Rejected,
        _ => PracticeStatus::Deleted,
    }
}

fn pick<'a>(rng: &mut ChaCha8Rng, xs: &'a [&'a str]) -> &'a str {
    xs.choose(rng).copied().unwrap_or("")
}

fn passport(
    rng: &mut ChaCha8Rng,
    v: &Vocab,
    region: &str,
    status: PracticeStatus,
    team: Vec<TeamMember>,
) -> Passport {
    let d = refdata();
    let base = pick(rng, v.titles);
    let title = format!("{base} {}", pick(rng, QUALIFIERS));
    let mut tasks: Vec<String> = v
        .tasks
        .choose_multiple(rng, 3)
        .map(|s| (*s).to_owned())
        .collect();
    tasks.sort();
    let mechanism = pick(rng, v.mechanisms);
    let essence = format!(
        "{title} – это практика, в которой {mechanism}. {}. Практика охватывает весь регион и готова к тиражированию.",
        pick(rng, v.goals)
    );
    let measures = v
        .measures
        .choose_multiple(rng, 2)
        .map(|(ind, unit)| {
            let before: u32 = rng.random_range(10..500);
            let delta: u32 = rng.random_range(5..60);
            let after = if rng.random_bool(0.5) {
                before + before * delta / 100
            } else {
                before - before * delta / 100
            };
            ResultRow {
                indicator: (*ind).to_owned(),
                unit: (*unit).to_owned(),
                before: before.to_string(),
                after: after.to_string(),
                year: Some(rng.random_range(2023..=2025)),
            }
        })
        .collect();
    let levelled = !matches!(
        status,
        PracticeStatus::Draft | PracticeStatus::RegionConfirmation
    );
    let mut others: Vec<String> = Vec::new();
    if rng.random_bool(0.3) {
        let r = &d.regions[rng.random_range(0..d.regions.len())].code;
        if r != region {
            others.push(r.clone());
        }
    }
    let file = |rng: &mut ChaCha8Rng, kind: MaterialKind, name: &str| Material {
        kind,
        title: kind.name().to_owned(),
        source: Source::File {
            sha256: hex(rng),
            name: name.to_owned(),
            size: rng.random_range(50_000..5_000_000),
        },
    };
    let indicators: Vec<String> = if rng.random_bool(0.35) {
        d.indicators
            .choose_multiple(rng, 2)
            .map(|i| i.code.clone())
            .collect()
    } else {
        Vec::new()
    };
    Passport {
        title,
        goal: pick(rng, v.goals).to_owned(),
        tasks,
        essence,
        audience: Audience {
            main: pick(rng, v.audiences).to_owned(),
            secondary: pick(rng, v.audiences).to_owned(),
        },
        results: Results {
            main: format!(
                "{} за два года.",
                pick(rng, v.goals).replacen("Повысить", "Повысили", 1)
            ),
            additional: "Практику изучили соседние регионы.".into(),
            measures,
        },
        category: Some(CategoryChoice::Known(v.category.to_owned())),
        organisation: Organisation {
            kind: Some(
                if rng.random_bool(0.7) {
                    "executive-body"
                } else {
                    "subordinate"
                }
                .into(),
            ),
            name: format!("Исполнительный орган: {}", d.region_name(region)),
        },
        materials: vec![
            file(rng, MaterialKind::Npa, "postanovlenie.pdf"),
            file(rng, MaterialKind::Roadmap, "dorozhnaya-karta.pdf"),
            file(rng, MaterialKind::Presentation, "prezentaciya.pdf"),
        ],
        cover: Some(Cover {
            sha256: hex(rng),
            name: "oblozhka.jpg".into(),
            format: ImageFormat::Jpeg,
            width: 1200,
            height: 900,
        }),
        regions: Regions {
            author: Some(region.to_owned()),
            others,
        },
        cost: Some(
            d.cost_ranges[rng.random_range(0..d.cost_ranges.len())]
                .code
                .clone(),
        ),
        implementation_way: Some(if rng.random_bool(0.9) {
            ImplementationWay::Known(
                d.implementation_ways[rng.random_range(0..d.implementation_ways.len())]
                    .code
                    .clone(),
            )
        } else {
            ImplementationWay::Other("Соглашение между регионами".into())
        }),
        plan: Plan {
            steps: PLAN_STEPS[..rng.random_range(3..PLAN_STEPS.len())]
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            measures: "Принято постановление правительства региона, проведены обучающие семинары."
                .into(),
        },
        partners: if rng.random_bool(0.4) {
            vec![Partner {
                name: pick(rng, PARTNERS).to_owned(),
                terms: "Соглашение о сотрудничестве".into(),
                responsibility: "Методическая поддержка".into(),
            }]
        } else {
            Vec::new()
        },
        launch_months: Some(rng.random_range(2..24)),
        specifics: pick(rng, SPECIFICS).to_owned(),
        support: pick(rng, SUPPORT).to_owned(),
        team,
        rating_indicators: indicators,
        consents: Vec::new(),
        level: levelled.then(|| Level::ALL[rng.random_range(0..3)]),
        year: Some(rng.random_range(2022..=2025)),
        route: Some(if rng.random_bool(0.8) {
            Route::OwnInitiative
        } else {
            Route::AgencyRequest
        }),
        leader_project: false,
        criteria_confirmed: [status != PracticeStatus::Draft; 7],
    }
}

/// Fills the store with `n` practices made from `seed`, the demo logins and
/// the regional users; reports progress as (done, total). Practices are
/// written in batches through [`Store::commit`].
pub fn seed(
    store: &Store,
    n: usize,
    seed: u64,
    progress: impl FnMut(usize, usize),
) -> Result<Seeded, DemoError> {
    seed_at(store, n, seed, Utc::now(), progress)
}

/// The logins whose ids the demo workflow refers to.
struct Actors {
    author: UserId,
    coordinator: UserId,
    moderator: UserId,
    asi: UserId,
    experts: Vec<UserId>,
}

/// Workflow state matching a demo practice's status, relative to `now`:
/// returns with deadlines near today (some overdue), assigned and
/// unassigned expert-moderators, voting sessions with some votes cast.
fn workflow_for(
    status: PracticeStatus,
    i: usize,
    p: &Practice,
    now: DateTime<Utc>,
    who: &Actors,
    rng: &mut ChaCha8Rng,
) -> Workflow {
    use crate::domain::workflow::{Deadline, Returned, Session, Verdict, Vote};
    let cal = crate::domain::calendar::current();
    let days = rng.random_range(1..40);
    // The demo author's own deadlines do not depend on the day of the week:
    // a return made today, an actualisation a month overdue.
    let own = p.author == who.author;
    let since = now - Duration::days(if own { 30 } else { days });
    let mut wf = Workflow {
        since: Some(since.max(p.created)),
        ..Workflow::default()
    };
    let by = if p.region() == Some(HOME_REGION) {
        who.coordinator
    } else {
        who.asi
    };
    let ret = |wf: &mut Workflow, rng: &mut ChaCha8Rng, by: UserId, comment: &str| {
        let back = rng.random_range(0..9);
        let at = if own { now } else { now - Duration::days(back) };
        wf.returned = Some(Returned {
            from: status,
            by,
            at,
            comment: comment.to_owned(),
            revision: p.revision,
            then: status,
        });
        wf.returns = 1;
        wf.deadline = Some(Deadline {
            due: cal.add_working_days(at.date_naive(), crate::domain::workflow::REVISION_DAYS),
            what: "доработка практики автором (п. 4.1.9)".to_owned(),
        });
    };
    match status {
        PracticeStatus::RegionConfirmation if i.is_multiple_of(5) => {
            ret(
                &mut wf,
                rng,
                by,
                "Дополните описание результатов и приложите материалы.",
            );
        }
        PracticeStatus::Packaging => {
            if i.is_multiple_of(3) {
                wf.expert_moderator = Some(who.moderator);
            }
            if i % 7 == 2 {
                ret(
                    &mut wf,
                    rng,
                    who.moderator,
                    "Уточните план внедрения по шагам.",
                );
            }
        }
        PracticeStatus::ExpertReview => {
            wf.expert_moderator = Some(who.moderator);
            if i.is_multiple_of(2) {
                let experts: Vec<UserId> = who
                    .experts
                    .iter()
                    .copied()
                    .filter(|e| !p.involves(*e))
                    .collect();
                let cast = rng.random_range(0..experts.len().min(3));
                let votes = experts[..cast]
                    .iter()
                    .map(|e| Vote {
                        expert: *e,
                        verdict: if rng.random_bool(0.7) {
                            Verdict::Approve
                        } else {
                            Verdict::Revise
                        },
                        comment: "Добавить сравнение с аналогами.".to_owned(),
                        at: since + Duration::hours(rng.random_range(1..48)),
                    })
                    .collect();
                wf.session = Some(Session {
                    experts,
                    votes,
                    opened: since,
                });
            }
        }
        PracticeStatus::Actualisation => {
            wf.deadline = Some(Deadline {
                due: cal
                    .add_working_days(since.date_naive(), crate::domain::workflow::REVISION_DAYS),
                what: "актуализация паспорта автором (п. 4.5.4)".to_owned(),
            });
        }
        PracticeStatus::Rejected => {
            wf.reason = Some("Не подтверждена реализация практики в регионе.".to_owned());
        }
        PracticeStatus::Published | PracticeStatus::Archived => {
            wf.since = p.published;
        }
        _ => {}
    }
    wf
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
    let mut m = Mutation::new(None, "demo.users", "Демонстрационные пользователи");
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
    let mut batch = Mutation::new(None, "demo.practices", "Демонстрационные практики");
    let mut next_region = 0;
    // Published practices that get demo applications: (id, author region).
    let mut replicated = Vec::new();
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
        .then(|| created.max(year_start) + Duration::days(rng.random_range(30..200)));
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
        if status == PracticeStatus::Published && i % 5 == 0 {
            replicated.push((p.id, region.clone()));
        }
        batch = batch.with(Record::Practice(Box::new(p)));
        if batch.records.len() == BATCH || i + 1 == n {
            store.commit(&batch)?;
            batch = Mutation::new(None, "demo.practices", "Демонстрационные практики");
            progress(i + 1, n);
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
        );
        for a in chunk {
            m = m.with(Record::Application(Box::new(a.clone())));
        }
        store.commit(&m)?;
    }
    Ok(Seeded {
        users,
        practices: n,
    })
}

/// Demo applications to replicate, one per chosen practice, in every
/// status: some waiting for review or contact past their deadlines, one of
/// the demo recipient's own in progress.
fn applications(
    practices: &[(crate::domain::PracticeId, String)],
    regional: &[User],
    recipient: UserId,
    implementer: UserId,
    now: DateTime<Utc>,
    rng: &mut ChaCha8Rng,
) -> Vec<crate::domain::replication::Application> {
    use crate::domain::ReplicationStatus as S;
    let regions = &refdata().regions;
    let mut out = Vec::new();
    for (k, (practice, author_region)) in practices.iter().enumerate() {
        let status = S::ALL[k % S::ALL.len()];
        // The demo recipient's region for every seventh, else another one.
        let (who, region) = if k % 7 == 3 && author_region != RECIPIENT_REGION {
            (recipient, RECIPIENT_REGION.to_owned())
        } else {
            let mut ri = rng.random_range(0..regions.len());
            if regions[ri].code == *author_region {
                ri = (ri + 1) % regions.len();
            }
            (regional[ri * 3].id, regions[ri].code.clone())
        };
        let applied = now - Duration::days(rng.random_range(3..60));
        let assigned =
            (status != S::Applied).then(|| applied + Duration::days(rng.random_range(1..5)));
        let contacted = matches!(status, S::Contacted | S::Implementing | S::Implemented)
            .then(|| assigned.unwrap_or(applied) + Duration::days(2));
        let closed = status.is_terminal().then_some(now - Duration::days(1));
        let outcome = match status {
            S::DeclinedByRecipient => "Сменились приоритеты региона".to_owned(),
            S::RefusedByAgency => crate::domain::replication::REFUSALS[1].1.to_owned(),
            _ => String::new(),
        };
        out.push(crate::domain::replication::Application {
            id: id_at(applied.timestamp_millis() as u64, rng),
            practice: *practice,
            recipient: who,
            region,
            learned_at: if k % 2 == 0 {
                "Демо-день практик Агентства".to_owned()
            } else {
                "Каталог «Смартеки»".to_owned()
            },
            event: None,
            status,
            moderator: assigned.map(|_| implementer),
            applied,
            assigned,
            contacted,
            unanswered: Vec::new(),
            documents: Vec::new(),
            report: None,
            checked: None,
            closed,
            outcome,
            revision: 1,
            updated: closed.or(contacted).or(assigned).unwrap_or(applied),
        });
    }
    out
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
    use crate::domain::access::read_scope;
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
            seed(&sa, 1, 7, |_, _| {}),
            Err(DemoError::AlreadySeeded)
        ));
    }

    #[test]
    fn demo_logins_have_their_roles_and_complete_profiles() {
        let dir = tempfile::tempdir().expect("tempdir");
        let s = Store::open(dir.path()).expect("store");
        seed(&s, 30, 1, |_, _| {}).expect("seeds");
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
        seed(&s, 60, 3, |_, _| {}).expect("seeds");
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
}
