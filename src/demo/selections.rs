//! The demo's «Отборы»: a State Council commission, a selection taking
//! applications now and one announced for later, so the screen and the
//! commands have something to show.

use chrono::{DateTime, Duration, Utc};
use rand_chacha::ChaCha8Rng;

use crate::domain::UserId;
use crate::domain::selection::{Criterion, Dates, Partner, PartnerKind, Recommendation, Selection};
use crate::store::Record;

/// The partner and its two selections, the experts named; dated by `now`.
pub(super) fn records(now: DateTime<Utc>, experts: &[UserId], rng: &mut ChaCha8Rng) -> Vec<Record> {
    let at = |days: i64| (now + Duration::days(days)).date_naive();
    let ms = now.timestamp_millis().max(0) as u64;
    let partner = Partner {
        id: super::id_at(ms, rng),
        name: "Комиссия Государственного Совета по направлению «Семья и демография»".into(),
        kind: PartnerKind::Commission,
        contacts: "Секретариат комиссии".into(),
        representatives: Vec::new(),
    };
    let criterion = |name: &str, max_score: Option<u8>| Criterion {
        name: name.into(),
        max_score,
    };
    let open = Selection {
        id: super::id_at(ms, rng),
        partner: partner.id,
        title: "Лучшие региональные практики поддержки семей с детьми".into(),
        theme: "Поддержка семей с детьми и повышение рождаемости".into(),
        categories: Vec::new(),
        criteria: vec![
            criterion("Практика реализуется в регионе не менее одного года", None),
            criterion("Есть измеримые результаты за последний год", None),
            criterion("Охват семей целевой группы", Some(10)),
            criterion("Готовность к тиражированию", Some(5)),
        ],
        dates: Dates {
            requested: at(-80),
            opens: at(-10),
            closes: at(20),
            evaluation_ends: at(40),
            results: at(45),
        },
        experts: experts.to_vec(),
        regulations: "Положение об отборе, утверждённое комиссией и Агентством".into(),
        winners: Vec::new(),
    };
    let announced = Selection {
        id: super::id_at(ms, rng),
        title: "Практики активного долголетия".into(),
        theme: "Старшее поколение: здоровье, занятость, досуг".into(),
        criteria: vec![
            criterion("Практика реализуется в регионе не менее одного года", None),
            criterion("Число участников старшего возраста", Some(10)),
        ],
        dates: Dates {
            requested: at(-30),
            opens: at(40),
            closes: at(70),
            evaluation_ends: at(90),
            results: at(100),
        },
        ..open.clone()
    };
    vec![
        Record::Partner(Box::new(partner)),
        Record::Selection(Box::new(open)),
        Record::Selection(Box::new(announced)),
    ]
}

/// The commission's recommendations of the practices sent by that route
/// (§3.2.2), recorded by the Модератор АСИ `by` when each was created.
pub(super) fn recommendations(
    records: &[Record],
    practices: &[(crate::domain::PracticeId, DateTime<Utc>)],
    by: UserId,
) -> Vec<Record> {
    let Some(partner) = records.iter().find_map(|r| match r {
        Record::Partner(p) => Some(p.id),
        _ => None,
    }) else {
        return Vec::new();
    };
    practices
        .iter()
        .map(|(practice, at)| {
            Record::Recommendation(Box::new(Recommendation {
                practice: *practice,
                partner,
                letter: format!("Письмо комиссии от {}", at.format("%d.%m.%Y")),
                by,
                at: *at,
            }))
        })
        .collect()
}
