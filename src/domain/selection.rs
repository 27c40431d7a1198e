//! «Отборы» (§1.8, §3.2.5–3.2.7, §4.3.4): time-limited calls for practices
//! on a theme, ordered by a strategic partner (§2.2.4–2.2.5) — a State
//! Council commission or a federal body — who gives the criteria, the
//! experts and the dates; the Agency runs the selection's page. The rules
//! here: a selection's dates (the request at least two months before
//! applications open), its stages by the day, and who may apply with what.

use chrono::{DateTime, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::passport::{Practice, PracticeId};
use super::status::PracticeStatus;
use super::user::{Role, User, UserId};

pub type PartnerId = Uuid;
pub type SelectionId = Uuid;

/// The two kinds of strategic partner (§2.2.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartnerKind {
    /// Комиссия Государственного Совета Российской Федерации.
    Commission,
    /// Федеральный орган исполнительной власти.
    FederalBody,
}

impl PartnerKind {
    pub fn name(self) -> &'static str {
        match self {
            Self::Commission => "комиссия Государственного Совета",
            Self::FederalBody => "федеральный орган исполнительной власти",
        }
    }
}

/// A strategic partner (§2.2.4–2.2.5), with the users who represent it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Partner {
    pub id: PartnerId,
    pub name: String,
    pub kind: PartnerKind,
    #[serde(default)]
    pub contacts: String,
    #[serde(default)]
    pub representatives: Vec<UserId>,
}

/// A mandatory requirement of a selection (§3.2.6): met or not, or scored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criterion {
    pub name: String,
    /// `None`: a yes/no requirement every application must meet; else the
    /// highest score an expert may give.
    #[serde(default)]
    pub max_score: Option<u8>,
}

/// A selection's dates (§3.2.5: the partner sets them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dates {
    /// When the partner's request reached the Agency.
    pub requested: NaiveDate,
    /// Applications are taken from this day…
    pub opens: NaiveDate,
    /// …through this one.
    pub closes: NaiveDate,
    pub evaluation_ends: NaiveDate,
    pub results: NaiveDate,
}

/// One application: a region's practice put forward.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub practice: PracticeId,
    pub region: Option<String>,
    pub by: UserId,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Selection {
    pub id: SelectionId,
    pub partner: PartnerId,
    pub title: String,
    pub theme: String,
    /// The catalogue's category codes it takes; none: any.
    #[serde(default)]
    pub categories: Vec<String>,
    pub criteria: Vec<Criterion>,
    pub dates: Dates,
    #[serde(default)]
    pub experts: Vec<UserId>,
    /// The regulations document (§3.2.7), by name or address.
    #[serde(default)]
    pub regulations: String,
    #[serde(default)]
    pub entries: Vec<Entry>,
}

/// Where a selection stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Stage {
    Announced,
    Open,
    Evaluation,
    Results,
}

impl Stage {
    pub fn name(self) -> &'static str {
        match self {
            Self::Announced => "объявлен",
            Self::Open => "приём заявок",
            Self::Evaluation => "оценка заявок",
            Self::Results => "итоги",
        }
    }
}

/// The latest day a request may reach the Agency for applications to open
/// on `opens`: two months before (§3.2.5, §4.3.4).
pub fn request_due(opens: NaiveDate) -> NaiveDate {
    opens.checked_sub_months(Months::new(2)).unwrap_or(opens)
}

fn day(d: NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

/// What is wrong with a selection as the Agency would publish it, in
/// Russian; empty when nothing is.
pub fn check(s: &Selection) -> Vec<String> {
    let mut out = Vec::new();
    if s.title.trim().is_empty() {
        out.push("Не указано название отбора.".to_owned());
    }
    if s.theme.trim().is_empty() {
        out.push("Не указана тематика отбора.".to_owned());
    }
    if s.criteria.is_empty() {
        out.push("Нет ни одного обязательного критерия (§3.2.6).".to_owned());
    }
    for (i, c) in s.criteria.iter().enumerate() {
        if c.name.trim().is_empty() {
            out.push(format!("Критерий {} без названия.", i + 1));
        } else if s.criteria[..i].iter().any(|o| o.name == c.name) {
            out.push(format!("Критерий «{}» указан дважды.", c.name));
        }
        if c.max_score == Some(0) || c.max_score.is_some_and(|m| m > 100) {
            out.push(format!(
                "Наибольший балл критерия «{}» — от 1 до 100.",
                c.name
            ));
        }
    }
    let d = &s.dates;
    let due = request_due(d.opens);
    if d.requested > due {
        out.push(format!(
            "Запрос партнёра получен {}, а приём заявок начинается {}: запрос направляется не позднее чем за два месяца до старта приёма заявок, то есть не позднее {} (§3.2.5, §4.3.4).",
            day(d.requested),
            day(d.opens),
            day(due)
        ));
    }
    if d.closes < d.opens {
        out.push(format!(
            "Приём заявок заканчивается {} — раньше, чем начинается ({}).",
            day(d.closes),
            day(d.opens)
        ));
    }
    if d.evaluation_ends < d.closes {
        out.push(format!(
            "Оценка заявок заканчивается {} — раньше окончания приёма ({}).",
            day(d.evaluation_ends),
            day(d.closes)
        ));
    }
    if d.results < d.evaluation_ends {
        out.push(format!(
            "Итоги ({}) назначены раньше окончания оценки ({}).",
            day(d.results),
            day(d.evaluation_ends)
        ));
    }
    out
}

impl Selection {
    /// The stage on `today`: applications are taken from the opening day
    /// through the closing day.
    pub fn stage(&self, today: NaiveDate) -> Stage {
        let d = &self.dates;
        if today < d.opens {
            Stage::Announced
        } else if today <= d.closes {
            Stage::Open
        } else if today < d.results {
            Stage::Evaluation
        } else {
            Stage::Results
        }
    }

    /// Days of intake left on `today`, the closing day counted.
    pub fn days_left(&self, today: NaiveDate) -> Option<i64> {
        (self.stage(today) == Stage::Open).then(|| (self.dates.closes - today).num_days() + 1)
    }
}

/// Who may create and run selections and partners: the Agency.
pub fn may_run(user: &User) -> bool {
    user.has_role(Role::AsiModerator)
}

/// Why `user` may not put `practice` forward to `s` on `today` with the
/// yes/no criteria `confirmed`; empty when they may. The day is the
/// server's: an application queued offline before the deadline and
/// arriving after it is refused.
pub fn check_entry(
    s: &Selection,
    user: &User,
    practice: &Practice,
    confirmed: &[String],
    today: NaiveDate,
) -> Vec<String> {
    let mut out = Vec::new();
    match s.stage(today) {
        Stage::Open => {}
        Stage::Announced => out.push(format!(
            "Приём заявок на отбор «{}» начнётся {}.",
            s.title,
            day(s.dates.opens)
        )),
        Stage::Evaluation | Stage::Results => out.push(format!(
            "Приём заявок на отбор «{}» закончился {}: заявка получена сервером {} и не принята.",
            s.title,
            day(s.dates.closes),
            day(today)
        )),
    }
    if !(practice.involves(user.id) && user.has_role(Role::Author)) {
        out.push("Заявку подаёт автор практики или участник её команды.".to_owned());
    }
    if matches!(
        practice.status,
        PracticeStatus::Deleted | PracticeStatus::Rejected | PracticeStatus::Archived
    ) {
        out.push(format!(
            "Практика в статусе «{}» не участвует в отборах.",
            practice.status.name()
        ));
    }
    if !s.categories.is_empty()
        && !practice
            .passport
            .category_code()
            .is_some_and(|c| s.categories.iter().any(|x| x == c))
    {
        out.push(format!(
            "Категория практики не входит в тематику отбора «{}».",
            s.title
        ));
    }
    if s.entries.iter().any(|e| e.practice == practice.id) {
        out.push("Эта практика уже подана на отбор.".to_owned());
    }
    let missing: Vec<&str> = s
        .criteria
        .iter()
        .filter(|c| c.max_score.is_none() && !confirmed.iter().any(|n| n == &c.name))
        .map(|c| c.name.as_str())
        .collect();
    if !missing.is_empty() {
        out.push(format!(
            "Не подтверждено соответствие обязательным критериям: «{}».",
            missing.join("», «")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("a date")
    }

    fn selection() -> Selection {
        Selection {
            id: Uuid::now_v7(),
            partner: Uuid::now_v7(),
            title: "Лучшие практики поддержки семей".into(),
            theme: "Поддержка семей с детьми".into(),
            categories: Vec::new(),
            criteria: vec![
                Criterion {
                    name: "Практика реализуется не менее года".into(),
                    max_score: None,
                },
                Criterion {
                    name: "Охват".into(),
                    max_score: Some(10),
                },
            ],
            dates: Dates {
                requested: d("2027-01-15"),
                opens: d("2027-03-15"),
                closes: d("2027-04-15"),
                evaluation_ends: d("2027-05-15"),
                results: d("2027-05-20"),
            },
            experts: Vec::new(),
            regulations: String::new(),
            entries: Vec::new(),
        }
    }

    #[test]
    fn a_request_comes_two_months_before_intake_opens() {
        let mut s = selection();
        assert!(check(&s).is_empty(), "{:?}", check(&s));
        s.dates.requested = d("2027-01-16");
        let why = check(&s);
        assert_eq!(why.len(), 1);
        assert!(why[0].contains("не позднее 15.01.2027"), "{why:?}");
        assert!(why[0].contains("§3.2.5"), "{why:?}");
        // A month end: two months before 30 April is 28 February.
        assert_eq!(request_due(d("2027-04-30")), d("2027-02-28"));
    }

    #[test]
    fn dates_in_order_and_criteria_named_once() {
        let mut s = selection();
        s.dates.closes = d("2027-03-01");
        s.criteria.push(s.criteria[0].clone());
        s.criteria.push(Criterion {
            name: "Баллы".into(),
            max_score: Some(0),
        });
        let why = check(&s).join(" ");
        assert!(why.contains("раньше, чем начинается"), "{why}");
        assert!(why.contains("указан дважды"), "{why}");
        assert!(why.contains("от 1 до 100"), "{why}");
    }

    #[test]
    fn stages_follow_the_days_and_the_closing_day_is_open() {
        let s = selection();
        assert_eq!(s.stage(d("2027-03-14")), Stage::Announced);
        assert_eq!(s.stage(d("2027-03-15")), Stage::Open);
        assert_eq!(s.days_left(d("2027-04-15")), Some(1));
        assert_eq!(s.days_left(d("2027-04-14")), Some(2));
        assert_eq!(s.stage(d("2027-04-16")), Stage::Evaluation);
        assert_eq!(s.days_left(d("2027-04-16")), None);
        assert_eq!(s.stage(d("2027-05-20")), Stage::Results);
    }
}
