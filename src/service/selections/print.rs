//! A selection's results as a printable document (`selection results
//! --pdf`), the ranking as [`super::results`] gives it to the reader.

use super::ResultRow;
use crate::domain::selection::Selection;
use crate::service::print::pdf::{Block, Doc};

/// The results: the selection, its partner and dates, the ranking with
/// its notes and the winners.
pub fn results_doc(s: &Selection, partner: &str, rows: &[ResultRow]) -> Doc {
    let day = |d: chrono::NaiveDate| d.format("%d.%m.%Y").to_string();
    let field = |label: &str, value: String| Block::Field {
        label: label.to_owned(),
        value,
    };
    let mut b = vec![
        Block::Para("Платформа «Смартека» · АНО «Агентство стратегических инициатив»".to_owned()),
        Block::Gap,
        Block::Title(format!("Итоги отбора «{}»", s.title)),
        Block::Gap,
        field("Партнёр", partner.to_owned()),
        field("Тематика", s.theme.clone()),
        field(
            "Приём заявок",
            format!("{} — {}", day(s.dates.opens), day(s.dates.closes)),
        ),
        field("Оценка до", day(s.dates.evaluation_ends)),
        field("Итоги", day(s.dates.results)),
        Block::Heading("Рейтинг заявок".to_owned()),
        Block::Table {
            header: ["Место", "Практика", "Регион", "Балл", "Примечание"]
                .map(str::to_owned)
                .to_vec(),
            rows: rows
                .iter()
                .map(|r| {
                    let note = match (r.winner, r.note.is_empty()) {
                        (true, true) => "победитель".to_owned(),
                        (true, false) => format!("победитель; {}", r.note),
                        (false, _) => r.note.clone(),
                    };
                    vec![
                        r.place.clone(),
                        r.title.clone(),
                        r.region.clone(),
                        format!("{:.2}", r.mean),
                        note,
                    ]
                })
                .collect(),
            widths: vec![0.08, 0.38, 0.2, 0.09, 0.25],
        },
        Block::Gap,
    ];
    b.push(Block::Para(if s.winners.is_empty() {
        "Решение о победителях ещё не принято.".to_owned()
    } else {
        format!("Победителей: {}.", s.winners.len())
    }));
    Doc {
        title: format!("Итоги отбора «{}»", s.title),
        blocks: b,
    }
}
