//! Demo passports: a status for each practice and a passport drawn from the
//! vocabulary of its category.

use rand::Rng;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;

use crate::domain::PracticeStatus;
use crate::domain::passport::{
    Audience, CategoryChoice, Cover, ImageFormat, ImplementationWay, Level, Material, MaterialKind,
    Organisation, Partner, Passport, Plan, Regions, ResultRow, Results, Route, Source, TeamMember,
};
use crate::domain::refdata::refdata;

use super::hex;
use super::vocab::{BRANDS, PARTNERS, PLAN_STEPS, QUALIFIERS, SPECIFICS, SUPPORT, Vocab};

pub(super) fn status_for(i: usize, rng: &mut ChaCha8Rng) -> PracticeStatus {
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

/// A title: the base, most often with a project name in quotes, and a
/// qualifier that repeats none of its words or prepositions («… для
/// молодёжи», never «… для семей для многодетных семей») when one fits.
fn titled(base: &str, rng: &mut ChaCha8Rng) -> String {
    let base = if rng.random_bool(0.8) {
        format!("{base} «{}»", pick(rng, BRANDS))
    } else {
        base.to_owned()
    };
    let words = |s: &str| -> Vec<String> {
        s.split_whitespace()
            .map(|w| {
                let w = w.to_lowercase();
                // Word forms share their first letters.
                w.chars().take(5).collect()
            })
            .collect()
    };
    let used = words(&base);
    let fits: Vec<&str> = QUALIFIERS
        .iter()
        .copied()
        .filter(|q| words(q).iter().all(|w| !used.contains(w)))
        .collect();
    match fits.choose(rng) {
        Some(q) => format!("{base} {q}"),
        None => base,
    }
}

fn pick<'a>(rng: &mut ChaCha8Rng, xs: &'a [&'a str]) -> &'a str {
    xs.choose(rng).copied().unwrap_or("")
}

pub(super) fn passport(
    rng: &mut ChaCha8Rng,
    v: &Vocab,
    region: &str,
    status: PracticeStatus,
    team: Vec<TeamMember>,
) -> Passport {
    let d = refdata();
    let base = pick(rng, v.titles);
    let title = titled(base, rng);
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

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;
    use crate::demo::vocab::VOCAB;

    #[test]
    fn few_titles_alike_among_two_thousand() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let mut titles = std::collections::HashSet::new();
        for _ in 0..2_000 {
            let v = VOCAB.choose(&mut rng).expect("a category");
            let base = pick(&mut rng, v.titles);
            titles.insert(titled(base, &mut rng));
        }
        assert!(titles.len() >= 1_800, "{} distinct of 2 000", titles.len());
    }

    #[test]
    fn titles_repeat_no_word() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for v in VOCAB {
            for base in v.titles {
                for _ in 0..20 {
                    let t = titled(base, &mut rng);
                    let words: Vec<String> = t.split_whitespace().map(str::to_lowercase).collect();
                    for (i, w) in words.iter().enumerate() {
                        assert!(!words[i + 1..].contains(w), "«{t}» repeats «{w}»");
                    }
                }
            }
        }
    }
}
