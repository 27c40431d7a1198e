//! What the workstation's forms of a selection offer: the practices a user
//! may put forward while intake is open, and the applications an expert
//! of the selection scores once it has closed, with their own marks so
//! far. The rules decide again when the form is sent.

use super::super::{Ctx, ServiceError};
use super::selection_of;
use crate::domain::selection::{Selection, SelectionId, Stage};
use crate::domain::{PracticeId, Role, User};

/// An application an expert scores.
#[derive(Debug, Clone, PartialEq)]
pub struct ToScore {
    pub practice: PracticeId,
    pub title: String,
    pub region: String,
    /// The expert's own marks so far.
    pub marks: Option<Vec<u8>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EntryOptions {
    pub selection: Selection,
    /// The user's practices that may be put forward now: (id, title).
    pub mine: Vec<(PracticeId, String)>,
    /// The applications the user scores, as an expert of the selection
    /// during its evaluation.
    pub to_score: Vec<ToScore>,
    /// Why nothing may be put forward now, when so.
    pub no_entry: Option<String>,
    /// Why nothing may be scored now, when so.
    pub no_score: Option<String>,
}

fn day(d: chrono::NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

/// What `user` may do on selection `id`'s forms today.
pub fn entry_options(
    cx: &Ctx<'_>,
    user: &User,
    id: SelectionId,
) -> Result<EntryOptions, ServiceError> {
    let store = cx.store;
    let s = selection_of(store, id)?;
    let today = cx.today();
    let mut mine = Vec::new();
    if s.stage(today) == Stage::Open && user.has_role(Role::Author) {
        for row in store.summaries() {
            let row = row?;
            let involved = row.author == user.id || row.team.contains(&user.id);
            let live = !crate::domain::selection::settled(row.status);
            let theme = s.categories.is_empty()
                || row
                    .category
                    .as_ref()
                    .is_some_and(|c| s.categories.contains(c));
            if involved && live && theme && store.entry(id, row.id)?.is_none() {
                mine.push((row.id, row.title));
            }
        }
    }
    let mut to_score = Vec::new();
    let scoring = s.is_scoring(today);
    if scoring && s.experts.contains(&user.id) {
        let rd = crate::domain::refdata::refdata();
        for e in store.entries(id)? {
            let title = store
                .summary(e.practice)?
                .map(|r| r.title)
                .unwrap_or_default();
            to_score.push(ToScore {
                practice: e.practice,
                title,
                region: e
                    .region
                    .as_deref()
                    .map(|c| rd.region_name(c).to_owned())
                    .unwrap_or_default(),
                marks: e
                    .scores
                    .iter()
                    .find(|sc| sc.expert == user.id)
                    .map(|sc| sc.marks.clone()),
            });
        }
    }
    let no_entry = if user.has_role(Role::Author) {
        match s.stage(today) {
            Stage::Announced => Some(format!("Приём заявок начнётся {}.", day(s.dates.opens))),
            Stage::Evaluation | Stage::Results => {
                Some(format!("Приём заявок закончился {}.", day(s.dates.closes)))
            }
            Stage::Open if mine.is_empty() => Some(
                "Все ваши практики уже поданы на этот отбор или не подходят по его тематике."
                    .to_owned(),
            ),
            Stage::Open => None,
        }
    } else {
        Some(crate::domain::selection::APPLICANT_ONLY.to_owned())
    };
    let no_score = if !s.experts.contains(&user.id) {
        Some(format!("Вы не эксперт отбора «{}».", s.title))
    } else if !scoring {
        Some(format!(
            "Оценка заявок идёт с {} по {}.",
            day(s.dates.closes + chrono::Duration::days(1)),
            day(s.dates.evaluation_ends)
        ))
    } else if to_score.is_empty() {
        Some("Заявок на оценку нет.".to_owned())
    } else {
        None
    };
    Ok(EntryOptions {
        selection: s,
        mine,
        to_score,
        no_entry,
        no_score,
    })
}
