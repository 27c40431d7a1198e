//! Region pages (regulation §2.2.1, §2.2.3): for each region the head of
//! the region, the regional management team and the note the region gives
//! about itself, kept by the region's coordinator (or the Модератор АСИ)
//! and brought up to date every year. The coordinators, the practices, the
//! applications and the leader-list standing are not typed in: they are
//! read from the records they belong to.

use chrono::{DateTime, Datelike as _, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::refdata::RefData;
use super::user::{Role, User, UserId};

/// A member of the regional management team (§2.2.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamMember {
    pub name: String,
    pub position: String,
}

/// What the coordinator keeps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionPage {
    /// The region's code.
    pub code: String,
    /// The head of the region: ФИО.
    pub head: String,
    /// The head's office («Губернатор …»).
    pub head_position: String,
    pub team: Vec<TeamMember>,
    /// What the region says of its work on practices.
    pub note: String,
    pub updated: DateTime<Utc>,
    pub updated_by: UserId,
}

/// The largest regional team a page lists.
pub const TEAM_MAX: usize = 40;
/// The longest note.
pub const NOTE_MAX: usize = 2000;

/// The key of a region in the store: its two-digit code as a number.
pub fn key_of(code: &str) -> Option<u16> {
    code.parse().ok()
}

/// Who keeps the page of `code`: its coordinator, or the Модератор АСИ.
pub fn may_edit(actor: &User, code: &str) -> Result<(), String> {
    if !actor.disabled
        && (actor.has_role(Role::AsiModerator)
            || actor.regions_for(Role::Coordinator).contains(&code))
    {
        return Ok(());
    }
    Err("Страницу региона ведёт его региональный координатор (п. 2.2.3).".to_owned())
}

/// The page as saved by `actor`: every value checked, every problem told.
pub fn edit(
    actor: &User,
    mut page: RegionPage,
    now: DateTime<Utc>,
    refdata: &RefData,
) -> Result<RegionPage, Vec<String>> {
    may_edit(actor, &page.code).map_err(|e| vec![e])?;
    let mut bad = Vec::new();
    if refdata.region(&page.code).is_none() || key_of(&page.code).is_none() {
        bad.push(format!("Неизвестный регион «{}».", page.code));
    }
    for field in [&mut page.head, &mut page.head_position] {
        *field = field.trim().to_owned();
    }
    let cyrillic = |s: &str| s.chars().any(|c| matches!(c, 'А'..='я' | 'Ё' | 'ё'));
    if page.head.is_empty() {
        bad.push("Укажите ФИО главы региона.".to_owned());
    } else if !cyrillic(&page.head) || page.head.chars().any(|c| c.is_ascii_alphabetic()) {
        bad.push("ФИО главы региона пишутся кириллицей.".to_owned());
    }
    if page.head_position.is_empty() {
        bad.push("Укажите должность главы региона.".to_owned());
    }
    page.team.retain(|m| !m.name.trim().is_empty());
    if page.team.len() > TEAM_MAX {
        bad.push(format!(
            "В управленческой команде не больше {TEAM_MAX} человек, указано {}.",
            page.team.len()
        ));
    }
    for m in &mut page.team {
        m.name = m.name.trim().to_owned();
        m.position = m.position.trim().to_owned();
        if m.position.is_empty() {
            bad.push(format!("У «{}» не указана должность.", m.name));
        }
    }
    if page.note.chars().count() > NOTE_MAX {
        bad.push(format!(
            "Описание — не больше {NOTE_MAX} знаков, сейчас {}.",
            page.note.chars().count()
        ));
    }
    if !bad.is_empty() {
        return Err(bad);
    }
    page.updated = now;
    page.updated_by = actor.id;
    Ok(page)
}

/// Whether the page waits for its yearly update: never kept, or last kept
/// in an earlier year.
pub fn needs_update(page: Option<&RegionPage>, today: NaiveDate) -> bool {
    page.is_none_or(|p| p.updated.year() < today.year())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fixtures::user;
    use crate::domain::refdata::refdata;
    use crate::domain::user::RoleGrant;

    fn page() -> RegionPage {
        RegionPage {
            code: "16".into(),
            head: "Минниханов Рустам Нургалиевич".into(),
            head_position: "Раис Республики Татарстан".into(),
            team: vec![TeamMember {
                name: "Иванова Мария Петровна".into(),
                position: "Министр экономики".into(),
            }],
            note: String::new(),
            updated: DateTime::<Utc>::MIN_UTC,
            updated_by: uuid::Uuid::nil(),
        }
    }

    #[test]
    fn the_coordinator_of_the_region_keeps_its_page_every_year() {
        let now: DateTime<Utc> = "2026-12-01T10:00:00Z".parse().expect("time");
        let mine = user(1, vec![RoleGrant::regional(Role::Coordinator, "16")]);
        let other = user(2, vec![RoleGrant::regional(Role::Coordinator, "52")]);
        assert!(edit(&other, page(), now, refdata()).is_err());
        let saved = edit(&mine, page(), now, refdata()).expect("saved");
        assert_eq!(saved.updated_by, mine.id);
        assert!(!needs_update(Some(&saved), now.date_naive()));
        let next_year = NaiveDate::from_ymd_opt(2027, 1, 10).expect("date");
        assert!(needs_update(Some(&saved), next_year));
        assert!(needs_update(None, next_year));
        let mut bad = page();
        bad.head = "Ivanov".into();
        bad.head_position.clear();
        bad.team[0].position.clear();
        let why = edit(&mine, bad, now, refdata()).expect_err("refused");
        assert_eq!(why.len(), 3, "{why:?}");
    }
}
