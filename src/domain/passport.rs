//! The practice passport, fields P-1…P-24 of SPEC §2 (regulation app. 2,
//! §2.1.5, §4.1.4–4.1.6), and the practice record that carries it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::status::{PracticeStatus, Section};
use super::user::UserId;

pub type PracticeId = Uuid;

/// The passport fields, in the order of app. 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Field {
    P1,
    P2,
    P3,
    P4,
    P5,
    P6,
    P7,
    P8,
    P9,
    P10,
    P11,
    P12,
    P13,
    P14,
    P15,
    P16,
    P17,
    P18,
    P19,
    P20,
    P21,
    P22,
    P23,
    P24,
}

impl Field {
    pub const ALL: [Field; 24] = [
        Self::P1,
        Self::P2,
        Self::P3,
        Self::P4,
        Self::P5,
        Self::P6,
        Self::P7,
        Self::P8,
        Self::P9,
        Self::P10,
        Self::P11,
        Self::P12,
        Self::P13,
        Self::P14,
        Self::P15,
        Self::P16,
        Self::P17,
        Self::P18,
        Self::P19,
        Self::P20,
        Self::P21,
        Self::P22,
        Self::P23,
        Self::P24,
    ];

    /// «P-7».
    pub fn id(self) -> String {
        format!("P-{}", self as u8 + 1)
    }

    /// The field's Russian label.
    pub fn label(self) -> &'static str {
        match self {
            Self::P1 => "Название",
            Self::P2 => "Цель",
            Self::P3 => "Задачи",
            Self::P4 => "Суть практики",
            Self::P5 => "Целевая аудитория",
            Self::P6 => "Результаты",
            Self::P7 => "Категория",
            Self::P8 => "Организация",
            Self::P9 => "Материалы",
            Self::P10 => "Обложка",
            Self::P11 => "Регионы",
            Self::P12 => "Стоимость реализации",
            Self::P13 => "Способ внедрения",
            Self::P14 => "План реализации",
            Self::P15 => "Сторонние организации",
            Self::P16 => "Срок запуска",
            Self::P17 => "Особенности внедрения",
            Self::P18 => "Поддержка",
            Self::P19 => "Команда",
            Self::P20 => "Показатели рейтингов",
            Self::P21 => "Согласия",
            Self::P22 => "Уровень",
            Self::P23 => "Год реализации",
            Self::P24 => "Основание подачи",
        }
    }
}

/// P-5.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Audience {
    pub main: String,
    #[serde(default)]
    pub secondary: String,
}

/// A measurable result row of P-6 (§2.1.5(2)).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultRow {
    pub indicator: String,
    pub unit: String,
    pub before: String,
    pub after: String,
    pub year: Option<i32>,
}

/// P-6.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Results {
    pub main: String,
    #[serde(default)]
    pub additional: String,
    #[serde(default)]
    pub measures: Vec<ResultRow>,
}

/// P-7: one of the ten categories, or «Я не знаю, что выбрать».
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CategoryChoice {
    Known(String),
    DontKnow,
}

impl CategoryChoice {
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Known(c) => Some(c),
            Self::DontKnow => None,
        }
    }
}

/// P-8.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    /// An organisation-type code of `assets/reference.toml`.
    pub kind: Option<String>,
    pub name: String,
}

/// Kinds of material (P-9, §2.1.5(4)). Stable ASCII words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MaterialKind {
    /// Нормативные правовые акты.
    Npa,
    /// Сопутствующие документы.
    Supporting,
    /// Планы и «дорожные карты».
    Roadmap,
    /// Презентационные, справочные, аналитические материалы.
    Presentation,
    /// Подтверждение на федеральном уровне.
    Federal,
    /// Письмо заместителя высшего должностного лица региона.
    Letter,
    /// Видеоматериалы.
    Video,
    /// Письмо-рекомендация комиссии Госсовета или федерального органа (§3.2.4).
    Recommendation,
    Other,
}

impl MaterialKind {
    pub const ALL: [MaterialKind; 9] = [
        Self::Npa,
        Self::Supporting,
        Self::Roadmap,
        Self::Presentation,
        Self::Federal,
        Self::Letter,
        Self::Video,
        Self::Recommendation,
        Self::Other,
    ];

    /// The stable ASCII word (`--kind`).
    pub fn code(self) -> &'static str {
        match self {
            Self::Npa => "npa",
            Self::Supporting => "supporting",
            Self::Roadmap => "roadmap",
            Self::Presentation => "presentation",
            Self::Federal => "federal",
            Self::Letter => "letter",
            Self::Video => "video",
            Self::Recommendation => "recommendation",
            Self::Other => "other",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Npa => "Нормативный правовой акт",
            Self::Supporting => "Сопутствующий документ",
            Self::Roadmap => "План или «дорожная карта»",
            Self::Presentation => "Презентационные материалы",
            Self::Federal => "Подтверждение на федеральном уровне",
            Self::Letter => "Письмо заместителя высшего должностного лица",
            Self::Video => "Видеоматериалы",
            Self::Recommendation => "Рекомендация комиссии Госсовета или федерального органа",
            Self::Other => "Другое",
        }
    }
}

/// Where an attachment's content is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// A file in the blob area, by SHA-256.
    File {
        sha256: String,
        name: String,
        size: u64,
    },
    /// A link to cloud storage (for files over the limit).
    Link { url: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Material {
    pub kind: MaterialKind,
    #[serde(default)]
    pub title: String,
    pub source: Source,
}

/// Image formats the cover may have (P-10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImageFormat {
    Jpeg,
    Png,
    Bmp,
    Gif,
    Webp,
    Other,
}

/// P-10: what the content check found in the cover file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cover {
    pub sha256: String,
    pub name: String,
    pub format: ImageFormat,
    pub width: u32,
    pub height: u32,
}

/// P-11.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Regions {
    /// Where the practice was first implemented.
    pub author: Option<String>,
    #[serde(default)]
    pub others: Vec<String>,
}

/// P-13.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ImplementationWay {
    Known(String),
    Other(String),
}

/// P-14.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub steps: Vec<String>,
    /// Measures taken, НПА developed, events held.
    #[serde(default)]
    pub measures: String,
}

/// P-15.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Partner {
    pub name: String,
    #[serde(default)]
    pub terms: String,
    #[serde(default)]
    pub responsibility: String,
}

/// A member of the team (P-19).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Member {
    /// A registered user.
    User(UserId),
    /// Invited by e-mail, pending registration.
    Invited(String),
}

impl Member {
    /// An invitation by e-mail: only to an address.
    pub fn invited(email: &str) -> Result<Self, String> {
        let e = email.trim();
        if super::user::is_email(e) {
            Ok(Self::Invited(e.to_owned()))
        } else {
            Err(format!(
                "«{e}» — не адрес электронной почты: пригласить в команду можно только по e-mail."
            ))
        }
    }

    /// A member as written by a person — in a team line of the editor or
    /// in a passport file alike: a registered user's login, a user id, or
    /// an e-mail to invite.
    pub fn parse(who: &str, login: &dyn Fn(&str) -> Option<UserId>) -> Result<Self, String> {
        let who = who.trim();
        if let Some(u) = login(who) {
            return Ok(Self::User(u));
        }
        if let Ok(u) = who.parse::<UserId>() {
            return Ok(Self::User(u));
        }
        if who.contains('@') {
            return Self::invited(who);
        }
        Err(format!(
            "нет пользователя с логином «{who}»; для приглашения укажите e-mail."
        ))
    }
}

/// A line of the team list: who, and whether they are a mentor (a `*` at
/// the end); `None` for an empty line.
pub fn team_line(line: &str) -> Option<(&str, bool)> {
    let t = line.trim();
    if t.is_empty() {
        return None;
    }
    Some(match t.strip_suffix('*') {
        Some(w) => (w.trim(), true),
        None => (t, false),
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamMember {
    pub member: Member,
    #[serde(default)]
    pub mentor: bool,
}

/// P-22 (§2.1.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    /// 1 — управленческая модель.
    Model,
    /// 2 — системная практика.
    System,
    /// 3 — управленческий инструмент.
    Tool,
}

impl Level {
    pub const ALL: [Level; 3] = [Self::Model, Self::System, Self::Tool];

    pub fn number(self) -> u8 {
        match self {
            Self::Model => 1,
            Self::System => 2,
            Self::Tool => 3,
        }
    }

    pub fn from_number(n: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.number() == n)
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Model => "Управленческая модель",
            Self::System => "Системная практика",
            Self::Tool => "Управленческий инструмент",
        }
    }
}

/// P-24: the grounds of submission (§3, §4.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Route {
    /// §3.1: the region's own initiative.
    OwnInitiative,
    /// §3.2: recommended by a State Council commission or a federal body.
    Recommendation,
    /// §3.3: request of the Agency.
    AgencyRequest,
    /// §3.3.2: an Agency project.
    AgencyProject,
    /// §4.3.4: a selection «Отбор».
    Selection,
}

impl Route {
    /// The stable code, as in passport JSON («own-initiative»).
    pub fn code(self) -> &'static str {
        match self {
            Self::OwnInitiative => "own-initiative",
            Self::Recommendation => "recommendation",
            Self::AgencyRequest => "agency-request",
            Self::AgencyProject => "agency-project",
            Self::Selection => "selection",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }

    pub const ALL: [Route; 5] = [
        Self::OwnInitiative,
        Self::Recommendation,
        Self::AgencyRequest,
        Self::AgencyProject,
        Self::Selection,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::OwnInitiative => "Собственная инициатива региона (п. 3.1)",
            Self::Recommendation => {
                "Рекомендация комиссии Госсовета или федерального органа (п. 3.2)"
            }
            Self::AgencyRequest => "Запрос Агентства (п. 3.3)",
            Self::AgencyProject => "Проект Агентства (п. 3.3.2)",
            Self::Selection => "Отбор (п. 4.3.4)",
        }
    }
}

/// The seven criteria of §2.1.5 the author confirms.
pub const CRITERIA: [&str; 7] = [
    "Актуальность: реализована не ранее трёх лет до года публикации",
    "Доказанная устойчивая эффективность",
    "Реализована исполнительным органом субъекта РФ на территории всего региона",
    "Есть документы, подтверждающие реализацию",
    "Команда практики — не менее трёх человек",
    "Универсальность (возможность тиражирования)",
    "Новизна управленческих подходов",
];

/// The passport: every field P-1…P-24.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Passport {
    /// P-1.
    pub title: String,
    /// P-2.
    pub goal: String,
    /// P-3.
    pub tasks: Vec<String>,
    /// P-4.
    pub essence: String,
    /// P-5.
    pub audience: Audience,
    /// P-6.
    pub results: Results,
    /// P-7.
    pub category: Option<CategoryChoice>,
    /// P-8.
    pub organisation: Organisation,
    /// P-9.
    pub materials: Vec<Material>,
    /// P-10.
    pub cover: Option<Cover>,
    /// P-11.
    pub regions: Regions,
    /// P-12: a cost-range code.
    pub cost: Option<String>,
    /// P-13.
    pub implementation_way: Option<ImplementationWay>,
    /// P-14.
    pub plan: Plan,
    /// P-15.
    pub partners: Vec<Partner>,
    /// P-16: whole months.
    pub launch_months: Option<u32>,
    /// P-17.
    pub specifics: String,
    /// P-18.
    pub support: String,
    /// P-19.
    pub team: Vec<TeamMember>,
    /// P-20: indicator codes of `assets/ratings.toml`.
    pub rating_indicators: Vec<String>,
    /// P-21: consents of people named in the passport who are not registered.
    pub consents: Vec<Material>,
    /// P-22: set by the expert-moderator.
    pub level: Option<Level>,
    /// P-23.
    pub year: Option<i32>,
    /// P-24.
    pub route: Option<Route>,
    /// The practice carries out an Agency leader project (§2.1.5(4): then
    /// the deputy head's letter is mandatory).
    pub leader_project: bool,
    /// The §2.1.5 checklist, as confirmed by the author.
    pub criteria_confirmed: [bool; 7],
}

impl Passport {
    /// The SHA-256 of every file the passport names: the cover, the
    /// materials and the consents kept as files (links are not files).
    pub fn files(&self) -> Vec<String> {
        let mut out: Vec<String> = self.cover.iter().map(|c| c.sha256.clone()).collect();
        for m in self.materials.iter().chain(&self.consents) {
            if let Source::File { sha256, .. } = &m.source {
                out.push(sha256.clone());
            }
        }
        out
    }

    /// The category code, when one of the ten is chosen.
    pub fn category_code(&self) -> Option<&str> {
        self.category.as_ref().and_then(CategoryChoice::code)
    }

    /// Whether the passport is tagged with investment-rating indicators
    /// (then W-3a applies).
    pub fn has_investment_indicators(&self, refdata: &super::refdata::RefData) -> bool {
        self.rating_indicators.iter().any(|c| {
            refdata
                .indicator(c)
                .is_some_and(|i| i.rating == "investment")
        })
    }
}

/// A practice: the passport and where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Practice {
    pub id: PracticeId,
    pub status: PracticeStatus,
    pub author: UserId,
    pub passport: Passport,
    /// Revision number of the passport, increased by every saved edit.
    pub revision: u32,
    pub created: DateTime<Utc>,
    pub updated: DateTime<Utc>,
    /// When the practice was published (W-5), if it was.
    pub published: Option<DateTime<Utc>>,
    /// Where the practice is in the validation workflow (SPEC §4).
    pub workflow: super::workflow::Workflow,
}

impl Practice {
    pub fn section(&self) -> Section {
        self.status.section()
    }

    /// The region of the practice: the author region of P-11.
    pub fn region(&self) -> Option<&str> {
        self.passport.regions.author.as_deref()
    }

    /// Whether a user is the author or on the team.
    pub fn involves(&self, user: UserId) -> bool {
        self.author == user
            || self
                .passport
                .team
                .iter()
                .any(|m| m.member == Member::User(user))
    }
}

/// Which struct members make up each field: one table for comparing and
/// for copying fields between passports.
macro_rules! field_members {
    ($($field:ident => [$($member:ident),+]),* $(,)?) => {
        /// The fields that differ between two passports, in passport order.
        pub fn changed_fields(a: &Passport, b: &Passport) -> Vec<Field> {
            Field::ALL
                .into_iter()
                .filter(|f| match f {
                    $(Field::$field => false $(|| a.$member != b.$member)+,)*
                })
                .collect()
        }

        /// Sets field `f` of `dst` to its value in `src`.
        pub fn copy_field(dst: &mut Passport, src: &Passport, f: Field) {
            match f {
                $(Field::$field => { $(dst.$member.clone_from(&src.$member);)+ })*
            }
        }
    };
}

/// The fields that are plain text (or one item per line), which a person
/// can retype to resolve a conflict.
pub fn text_of(p: &Passport, f: Field) -> Option<String> {
    Some(match f {
        Field::P1 => p.title.clone(),
        Field::P2 => p.goal.clone(),
        Field::P3 => p.tasks.join("\n"),
        Field::P4 => p.essence.clone(),
        Field::P17 => p.specifics.clone(),
        Field::P18 => p.support.clone(),
        _ => return None,
    })
}

/// Sets a text field from what a person typed (lists: one item per line).
pub fn set_text(p: &mut Passport, f: Field, text: &str) -> Result<(), String> {
    match f {
        Field::P1 => text.trim().clone_into(&mut p.title),
        Field::P2 => text.trim().clone_into(&mut p.goal),
        Field::P3 => {
            p.tasks = text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect();
        }
        Field::P4 => text.trim().clone_into(&mut p.essence),
        Field::P17 => text.trim().clone_into(&mut p.specifics),
        Field::P18 => text.trim().clone_into(&mut p.support),
        _ => {
            return Err(format!(
                "{} {} не вводится текстом: выберите своё значение или значение сервера.",
                f.id(),
                f.label()
            ));
        }
    }
    Ok(())
}

field_members! {
    P1 => [title],
    P2 => [goal],
    P3 => [tasks],
    P4 => [essence],
    P5 => [audience],
    P6 => [results],
    P7 => [category],
    P8 => [organisation],
    P9 => [materials, leader_project],
    P10 => [cover],
    P11 => [regions],
    P12 => [cost],
    P13 => [implementation_way],
    P14 => [plan],
    P15 => [partners],
    P16 => [launch_months],
    P17 => [specifics],
    P18 => [support],
    P19 => [team],
    P20 => [rating_indicators],
    P21 => [consents],
    P22 => [level],
    P23 => [year],
    P24 => [route, criteria_confirmed],
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One reading of team members for the editor's lines and passport
    /// files: a login, an id, or an e-mail — and nothing else is invited.
    #[test]
    fn team_members_read_one_way() {
        let known = uuid::Uuid::now_v7();
        let login = |l: &str| (l == "petrov").then_some(known);
        assert_eq!(team_line("  petrov * "), Some(("petrov", true)));
        assert_eq!(
            team_line("ivanova@mail.ru"),
            Some(("ivanova@mail.ru", false))
        );
        assert_eq!(team_line("   "), None);
        assert_eq!(Member::parse("petrov", &login), Ok(Member::User(known)));
        assert_eq!(
            Member::parse(&known.to_string(), &|_| None),
            Ok(Member::User(known))
        );
        assert_eq!(
            Member::parse("ivanova@mail.ru", &login),
            Ok(Member::Invited("ivanova@mail.ru".into()))
        );
        assert!(Member::parse("вася", &login).is_err_and(|e| e.contains("e-mail")));
        assert!(Member::invited("вася").is_err_and(|e| e.contains("не адрес")));
        assert!(Member::invited("a@b").is_err());
    }

    #[test]
    fn copy_field_moves_exactly_one_field() {
        let a = Passport::default();
        let b = crate::domain::fixtures::valid();
        let differ = changed_fields(&a, &b);
        assert!(differ.len() > 15);
        for f in Field::ALL {
            let mut c = a.clone();
            copy_field(&mut c, &b, f);
            let moved = changed_fields(&a, &c);
            if differ.contains(&f) {
                assert_eq!(moved, [f], "{f:?}");
            } else {
                assert!(moved.is_empty(), "{f:?}");
            }
        }
    }

    #[test]
    fn changed_fields_name_what_differs() {
        let a = Passport::default();
        let mut b = a.clone();
        assert!(changed_fields(&a, &b).is_empty());
        b.title = "Новое".into();
        b.year = Some(2025);
        assert_eq!(changed_fields(&a, &b), [Field::P1, Field::P23]);
        for k in MaterialKind::ALL {
            assert_eq!(MaterialKind::from_code(k.code()), Some(k));
        }
    }

    #[test]
    fn field_ids_and_labels() {
        assert_eq!(Field::P1.id(), "P-1");
        assert_eq!(Field::P24.id(), "P-24");
        assert_eq!(Field::P22.label(), "Уровень");
        let mut labels: Vec<_> = Field::ALL.iter().map(|f| f.label()).collect();
        labels.sort_unstable();
        labels.dedup();
        assert_eq!(labels.len(), 24);
    }

    #[test]
    fn levels_round_trip_numbers() {
        for l in Level::ALL {
            assert_eq!(Level::from_number(l.number()), Some(l));
        }
        assert_eq!(Level::from_number(4), None);
    }
}
