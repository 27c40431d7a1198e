//! The Agency's events of §5.2 at which practices are presented, and the
//! interest regions declare after them (§5.3.1.1).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::domain::passport::{Practice, PracticeId};
use crate::domain::refdata::RefData;
use crate::domain::status::PracticeStatus;
use crate::domain::user::{User, UserId};

use super::{EventId, is_asi};

/// Formats of §5.2.3–5.2.5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EventFormat {
    Internship,
    ProjectPlatform,
    FederalSession,
    DistrictSession,
    RegionalSession,
    DemoDay,
    StrategicClub,
    StateCouncil,
    VisitSession,
    Collection,
}

impl EventFormat {
    pub const ALL: [EventFormat; 10] = [
        Self::Internship,
        Self::ProjectPlatform,
        Self::FederalSession,
        Self::DistrictSession,
        Self::RegionalSession,
        Self::DemoDay,
        Self::StrategicClub,
        Self::StateCouncil,
        Self::VisitSession,
        Self::Collection,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Internship => "internship",
            Self::ProjectPlatform => "project-platform",
            Self::FederalSession => "federal-session",
            Self::DistrictSession => "district-session",
            Self::RegionalSession => "regional-session",
            Self::DemoDay => "demo-day",
            Self::StrategicClub => "strategic-club",
            Self::StateCouncil => "state-council",
            Self::VisitSession => "visit-session",
            Self::Collection => "collection",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Internship => "Региональная стажировка",
            Self::ProjectPlatform => "Проектная площадка",
            Self::FederalSession => "Федеральная сессия",
            Self::DistrictSession => "Окружная сессия",
            Self::RegionalSession => "Региональная сессия",
            Self::DemoDay => "Демо-день",
            Self::StrategicClub => "Сессия Клуба стратегических инициатив",
            Self::StateCouncil => "Презентация на комиссии Госсовета",
            Self::VisitSession => "Выездная сессия",
            Self::Collection => "Сборник или методические рекомендации",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.code() == code)
    }
}

/// An event at which the Agency presents practices (§5.2), with the
/// interest regions declared after it (§5.3.1.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub id: EventId,
    pub format: EventFormat,
    pub title: String,
    pub date: NaiveDate,
    pub place: String,
    pub practices: Vec<PracticeId>,
    /// Region code → the presented practices it wants to implement.
    pub interest: Vec<(String, Vec<PracticeId>)>,
    pub created_by: UserId,
    pub revision: u32,
}

impl Event {
    /// The practices `region` was invited to apply for.
    pub fn invitations(&self, region: &str) -> Vec<PracticeId> {
        self.interest
            .iter()
            .filter(|(r, _)| r == region)
            .flat_map(|(_, p)| p.iter().copied())
            .collect()
    }
}

fn must_be_asi(actor: &User) -> Result<(), Vec<String>> {
    if is_asi(actor) && !actor.disabled {
        Ok(())
    } else {
        Err(vec![
            "Мероприятия и заинтересованность регионов ведёт модератор АСИ (Дивизион «Развитие регионов и инвестиции», п. 5.2.6.1, п. 5.3.1.1)."
                .to_owned(),
        ])
    }
}

/// A new event: the Модератор АСИ, with the published practices presented.
pub fn create_event(
    actor: &User,
    mut event: Event,
    presented: &[&Practice],
) -> Result<Event, Vec<String>> {
    must_be_asi(actor)?;
    let mut out = Vec::new();
    if event.title.trim().is_empty() {
        out.push("укажите название мероприятия".to_owned());
    }
    if event.place.trim().is_empty() {
        out.push("укажите место проведения".to_owned());
    }
    if presented.is_empty() {
        out.push("укажите хотя бы одну представленную практику".to_owned());
    }
    for p in presented {
        if p.status != PracticeStatus::Published {
            out.push(format!(
                "«{}» не опубликована: на мероприятиях представляют практики основного каталога",
                p.passport.title
            ));
        }
    }
    if !out.is_empty() {
        return Err(out);
    }
    event.practices = presented.iter().map(|p| p.id).collect();
    event.interest.clear();
    event.created_by = actor.id;
    event.revision = 1;
    Ok(event)
}

/// Records a region's interest after the event (§5.3.1.1): the practices
/// must be among those presented, and the event must have taken place.
pub fn record_interest(
    actor: &User,
    event: &Event,
    region: &str,
    practices: &[PracticeId],
    refdata: &RefData,
    today: NaiveDate,
) -> Result<Event, Vec<String>> {
    must_be_asi(actor)?;
    let mut out = Vec::new();
    if refdata.region(region).is_none() {
        out.push(format!("нет региона «{region}»"));
    }
    if today < event.date {
        out.push(format!(
            "мероприятие пройдёт {}: заинтересованность собирают после него",
            event.date.format("%d.%m.%Y")
        ));
    }
    if practices.is_empty() {
        out.push("укажите практики, которые регион готов внедрить".to_owned());
    }
    if practices.iter().any(|p| !event.practices.contains(p)) {
        out.push("практика не была представлена на этом мероприятии".to_owned());
    }
    if !out.is_empty() {
        return Err(out);
    }
    let mut next = event.clone();
    next.interest.retain(|(r, _)| r != region);
    next.interest.push((region.to_owned(), practices.to_vec()));
    next.revision += 1;
    Ok(next)
}
