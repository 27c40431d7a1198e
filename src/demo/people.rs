//! The demo logins of every role and the regional authors and team
//! members, with their profiles and consents.

use chrono::Datelike as _;
use chrono::{DateTime, Utc};
use rand::Rng;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;

use crate::domain::refdata::refdata;
use crate::domain::user::{Consent, ConsentKind, Profile};
use crate::domain::{Role, RoleGrant, User};
use crate::service::accounts::hash_password;

use super::vocab::FIRST_NAMES;
use super::{DEMO_PASSWORD, HOME_REGION, OTHER_REGION, RECIPIENT_REGION, epoch, hex, id_at};

fn profile(rng: &mut ChaCha8Rng, region: &str, organisation: &str, position: &str) -> Profile {
    let (last, first, middle) = *FIRST_NAMES.choose(rng).unwrap_or(&FIRST_NAMES[0]);
    Profile {
        full_name: format!("{last} {first} {middle}"),
        organisation: organisation.to_owned(),
        organisation_kind: Some("executive-body".to_owned()),
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
            at,
            version: crate::domain::people::CONSENT_VERSION.into(),
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

pub(super) fn demo_users(rng: &mut ChaCha8Rng) -> Result<Vec<User>, String> {
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
            mail_opt_out: false,
            code: None,
            contacts_request: None,
            pool: Vec::new(),
        });
    }
    // The experts' pools, with the basis of §4.4.3–4.4.4, formed by the
    // Модератор АСИ when the demo starts.
    let asi = out
        .iter()
        .find(|u| u.has_role(Role::AsiModerator))
        .map(|u| u.id)
        .unwrap_or_default();
    for u in &mut out {
        let affiliation = match u.login.as_str() {
            "expert1" => crate::domain::pools::Affiliation::AgencyExpertCouncil,
            "expert2" => crate::domain::pools::Affiliation::DevelopmentInstitute,
            _ => crate::domain::pools::Affiliation::ExpertOrganisation,
        };
        let evidence = format!("{}, {}", u.profile.position, u.profile.organisation);
        u.pool = u
            .categories_for(Role::Expert)
            .into_iter()
            .map(|c| crate::domain::pools::PoolEntry {
                category: c.to_owned(),
                year: at.year(),
                affiliation,
                conditions: vec![
                    crate::domain::pools::Condition::Competence,
                    crate::domain::pools::Condition::Regulation,
                ],
                evidence: evidence.clone(),
                by: asi,
                at,
            })
            .collect();
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
pub(super) fn region_users(rng: &mut ChaCha8Rng) -> Vec<User> {
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
                mail_opt_out: false,
                code: None,
                contacts_request: None,
                pool: Vec::new(),
            });
        }
    }
    out
}
