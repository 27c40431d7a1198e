//! Users, their profiles, roles and scopes (SPEC §1, regulation §1.9,
//! §2.2, §4.1.1–4.1.2).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub type UserId = Uuid;

/// The functional roles of §1.9. «Команда практики» and «Наставник» are
/// relations to a practice (its passport names them, P-19) and are listed
/// here so the UI can name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Автор практики: may fill and submit passports once the Модератор АСИ
    /// granted access (§4.1.3).
    Author,
    /// Команда практики (per practice).
    Team,
    /// Наставник (per practice).
    Mentor,
    /// Региональный координатор: one region.
    Coordinator,
    /// Эксперт-модератор: categories of an Agency unit.
    ExpertModerator,
    /// Эксперт: expert pools by category.
    Expert,
    /// Модератор АСИ: everything.
    AsiModerator,
    /// Модератор внедрения: assigned applications.
    ImplementationModerator,
    /// Реципиент: own region.
    Recipient,
    /// Центр национальных рейтингов (рейтинговый комитет), W-3a.
    RatingCommittee,
    /// Представитель стратегического партнёра (§2.2.4–2.2.5): follows the
    /// selections the partner ordered.
    Partner,
}

impl Role {
    pub const ALL: [Role; 11] = [
        Self::Author,
        Self::Team,
        Self::Mentor,
        Self::Coordinator,
        Self::ExpertModerator,
        Self::Expert,
        Self::AsiModerator,
        Self::ImplementationModerator,
        Self::Recipient,
        Self::RatingCommittee,
        Self::Partner,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Author => "Автор практики",
            Self::Team => "Команда практики",
            Self::Mentor => "Наставник",
            Self::Coordinator => "Региональный координатор",
            Self::ExpertModerator => "Эксперт-модератор",
            Self::Expert => "Эксперт",
            Self::AsiModerator => "Модератор АСИ",
            Self::ImplementationModerator => "Модератор внедрения",
            Self::Recipient => "Реципиент",
            Self::RatingCommittee => "Рейтинговый комитет",
            Self::Partner => "Представитель партнёра",
        }
    }

    /// A role by its code or Russian name, ignoring case.
    pub fn find(text: &str) -> Option<Self> {
        let t = text.trim().to_lowercase();
        Self::ALL
            .into_iter()
            .find(|r| r.code() == t || r.name().to_lowercase() == t)
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Author => "author",
            Self::Team => "team",
            Self::Mentor => "mentor",
            Self::Coordinator => "coordinator",
            Self::ExpertModerator => "expert-moderator",
            Self::Expert => "expert",
            Self::AsiModerator => "asi-moderator",
            Self::ImplementationModerator => "implementation-moderator",
            Self::Recipient => "recipient",
            Self::RatingCommittee => "rating-committee",
            Self::Partner => "partner",
        }
    }
}

/// A role with its scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleGrant {
    pub role: Role,
    /// The region for regional roles.
    pub region: Option<String>,
    /// Category codes for expert-moderators and experts.
    pub categories: Vec<String>,
}

impl RoleGrant {
    pub fn global(role: Role) -> Self {
        Self {
            role,
            region: None,
            categories: Vec::new(),
        }
    }

    pub fn regional(role: Role, region: &str) -> Self {
        Self {
            role,
            region: Some(region.to_owned()),
            categories: Vec::new(),
        }
    }

    pub fn by_categories(role: Role, categories: &[String]) -> Self {
        Self {
            role,
            region: None,
            categories: categories.to_vec(),
        }
    }
}

/// The three consents of §4.1.2 (152-ФЗ), given at sign-up, and the
/// author's confirmation of §4.1.7, given at the first submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConsentKind {
    TermsOfUse,
    PersonalData,
    PersonalDataForDistribution,
    /// §4.1.7: the author agrees to consult regions replicating their
    /// practices.
    Consulting,
}

impl ConsentKind {
    pub const ALL: [ConsentKind; 4] = [
        Self::TermsOfUse,
        Self::PersonalData,
        Self::PersonalDataForDistribution,
        Self::Consulting,
    ];

    /// The consents of §4.1.2, all required at sign-up.
    pub const SIGN_UP: [ConsentKind; 3] = [
        Self::TermsOfUse,
        Self::PersonalData,
        Self::PersonalDataForDistribution,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::TermsOfUse => "согласие с правилами пользования",
            Self::PersonalData => "согласие на обработку персональных данных",
            Self::PersonalDataForDistribution => {
                "согласие на обработку персональных данных, разрешённых для распространения"
            }
            Self::Consulting => {
                "согласие на оказание консультационной помощи при тиражировании практик"
            }
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::TermsOfUse => "terms",
            Self::PersonalData => "personal-data",
            Self::PersonalDataForDistribution => "distribution",
            Self::Consulting => "consulting",
        }
    }

    /// A consent by its code or Russian name, ignoring case.
    pub fn find(text: &str) -> Option<Self> {
        let t = text.trim().to_lowercase();
        Self::ALL
            .into_iter()
            .find(|k| k.code() == t || k.name().to_lowercase() == t)
    }
}

/// A consent as given: when, and to which version of its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    pub kind: ConsentKind,
    pub at: DateTime<Utc>,
    pub version: String,
}

/// The profile of §4.1.1 and app. 2 «Представьте команду».
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    /// ФИО, in Cyrillic.
    pub full_name: String,
    pub organisation: String,
    /// The organisation's type: a code of `assets/reference.toml` (an
    /// executive body of a region, its subordinate organisation, …).
    pub organisation_kind: Option<String>,
    pub position: String,
    /// Mobile phone.
    pub phone: String,
    pub email: String,
    /// SHA-256 of the photo in the blob area.
    pub photo: Option<String>,
    /// The region the user works in.
    pub region: Option<String>,
    /// Head of an executive body of a region or of its subordinate
    /// organisation (§5.1.1: who may apply to replicate).
    pub head_of_body: bool,
}

/// A phone or e-mail the central instance holds and did not send to this
/// reader: present, not shown.
pub const WITHHELD: &str = "скрыто";

/// The login others see for a person without the consent to distribution.
pub fn pseudonym(id: UserId) -> String {
    format!("u-{}", id.simple())
}

/// The user a [`pseudonym`] stands for.
pub fn pseudonym_id(login: &str) -> Option<UserId> {
    let hex = login.strip_prefix("u-")?;
    (hex.len() == 32)
        .then(|| Uuid::parse_str(hex).ok())
        .flatten()
}

/// How a public passport names a person who did not consent to the
/// distribution of their personal data.
pub const HIDDEN_NAME: &str = "участник команды";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    pub login: String,
    pub profile: Profile,
    pub roles: Vec<RoleGrant>,
    /// Argon2id PHC string; never leaves the store it was made in.
    pub password_hash: String,
    pub email_verified: bool,
    pub consents: Vec<Consent>,
    pub disabled: bool,
    pub created: DateTime<Utc>,
    /// The regional coordinator confirmed the user may author practices of
    /// the region (§4.1.3); the Модератор АСИ then grants the access.
    pub verified: Option<Verification>,
    /// Mail other than deadlines and security is not sent.
    pub mail_opt_out: bool,
    /// A code sent by e-mail and not used yet; only its hash is kept, and
    /// it never leaves the server.
    pub code: Option<MailCode>,
    /// §4.1.12: the Модератор АСИ asked for the contacts to be brought up
    /// to date; open until the user saves their profile.
    pub contacts_request: Option<ContactsRequest>,
    /// Membership of expert pools (§4.4.2–4.4.5): per category, the basis
    /// and the year it was last confirmed. The Эксперт role of a category
    /// goes with it.
    pub pool: Vec<super::pools::PoolEntry>,
}

/// What an e-mailed code is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CodePurpose {
    /// Confirms the e-mail address (§4.1.1).
    ConfirmEmail,
    /// Sets a new password.
    ResetPassword,
}

/// A code sent by e-mail: its SHA-256, when it stops working and how many
/// wrong tries it had.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailCode {
    pub purpose: CodePurpose,
    pub hash: String,
    pub expires: DateTime<Utc>,
    pub tries: u8,
}

/// §4.1.12: a request to bring the contacts up to date by `due`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactsRequest {
    pub by: UserId,
    pub at: DateTime<Utc>,
    pub due: NaiveDate,
}

/// A coordinator's confirmation of a future author (§4.1.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    pub by: UserId,
    pub at: DateTime<Utc>,
    pub region: String,
}

impl User {
    /// The name people see: the full name, or the login when the profile
    /// has none.
    pub fn shown_name(&self) -> &str {
        if self.profile.full_name.is_empty() {
            &self.login
        } else {
            &self.profile.full_name
        }
    }

    /// Whether the user gave the consent and has not withdrawn it.
    pub fn has_consent(&self, kind: ConsentKind) -> bool {
        self.consents.iter().any(|c| c.kind == kind)
    }

    /// The name a public passport shows: the full name only with the
    /// consent to distribution (§4.1.2); else «участник команды».
    pub fn public_name(&self) -> &str {
        if self.has_consent(ConsentKind::PersonalDataForDistribution) {
            self.shown_name()
        } else {
            HIDDEN_NAME
        }
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.roles.iter().any(|g| g.role == role)
    }

    pub fn grants(&self, role: Role) -> impl Iterator<Item = &RoleGrant> {
        self.roles.iter().filter(move |g| g.role == role)
    }

    /// Regions where the user holds `role`.
    pub fn regions_for(&self, role: Role) -> Vec<&str> {
        self.grants(role)
            .filter_map(|g| g.region.as_deref())
            .collect()
    }

    /// Categories where the user holds `role`.
    pub fn categories_for(&self, role: Role) -> Vec<&str> {
        self.grants(role)
            .flat_map(|g| g.categories.iter().map(String::as_str))
            .collect()
    }

    /// Role names for the status bar, in the order of [`Role::ALL`].
    pub fn role_names(&self) -> Vec<&'static str> {
        let mut roles: Vec<Role> = self.roles.iter().map(|g| g.role).collect();
        roles.sort();
        roles.dedup();
        roles.into_iter().map(Role::name).collect()
    }
}

/// Checks a profile for completeness as app. 2 requires of every team
/// member: ФИО in Cyrillic, organisation, position, mobile phone, e-mail and
/// photo. Returns what is missing or wrong, in Russian; empty when complete.
pub fn profile_problems(p: &Profile) -> Vec<String> {
    let mut out = Vec::new();
    let name = p.full_name.trim();
    if name.is_empty() {
        out.push("не указаны ФИО".to_owned());
    } else if name == WITHHELD {
        // Held on the central instance, not shown here.
    } else if !is_cyrillic_name(name) {
        out.push("ФИО должны быть написаны кириллицей".to_owned());
    } else if name.split_whitespace().count() < 2 {
        out.push("укажите фамилию, имя и отчество (при наличии) полностью".to_owned());
    }
    if p.organisation.trim().is_empty() {
        out.push("не указана организация".to_owned());
    }
    if p.position.trim().is_empty() {
        out.push("не указана должность".to_owned());
    }
    if p.phone.trim().is_empty() {
        out.push("не указан мобильный телефон".to_owned());
    } else if p.phone != WITHHELD && !is_mobile_phone(&p.phone) {
        out.push("телефон должен быть мобильным: +7 9XX XXX-XX-XX".to_owned());
    }
    if p.email.trim().is_empty() {
        out.push("не указана электронная почта".to_owned());
    } else if p.email != WITHHELD && !is_email(&p.email) {
        out.push("электронная почта указана с ошибкой".to_owned());
    }
    if p.photo.is_none() {
        out.push("не загружена фотография".to_owned());
    }
    out
}

fn is_cyrillic_name(s: &str) -> bool {
    s.chars()
        .all(|c| matches!(c, 'А'..='я' | 'Ё' | 'ё' | ' ' | '-' | '\'' | '.') || c == '\u{2011}')
        && s.chars().any(|c| matches!(c, 'А'..='я' | 'Ё' | 'ё'))
}

/// A Russian mobile number: +7 or 8, then 9 and nine more digits;
/// separators are allowed.
pub fn is_mobile_phone(s: &str) -> bool {
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    let rest = if let Some(r) = digits.strip_prefix('7') {
        r
    } else if let Some(r) = digits.strip_prefix('8') {
        r
    } else {
        return false;
    };
    rest.len() == 10
        && rest.starts_with('9')
        && s.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '(' | ')'))
}

/// A plausible e-mail address: one `@`, a non-empty local part, a domain
/// with a dot, no spaces.
pub fn is_email(s: &str) -> bool {
    let s = s.trim();
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complete() -> Profile {
        Profile {
            full_name: "Иванова Мария Петровна".into(),
            organisation: "Министерство здравоохранения Республики Татарстан".into(),
            position: "Заместитель министра".into(),
            phone: "+7 917 123-45-67".into(),
            email: "ivanova@tatar.ru".into(),
            organisation_kind: None,
            photo: Some("ab".repeat(32)),
            region: Some("16".into()),
            head_of_body: false,
        }
    }

    #[test]
    fn complete_profile_has_no_problems() {
        assert!(profile_problems(&complete()).is_empty());
    }

    #[test]
    fn each_missing_item_is_named() {
        let mut p = complete();
        p.full_name = "Maria Ivanova".into();
        p.phone = "+7 843 123-45-67".into();
        p.photo = None;
        let probs = profile_problems(&p);
        assert_eq!(probs.len(), 3, "{probs:?}");
        assert!(probs[0].contains("кириллицей"));
        assert!(probs[1].contains("мобильным"));
        assert!(probs[2].contains("фотография"));
        let empty = profile_problems(&Profile::default());
        assert_eq!(empty.len(), 6, "{empty:?}");
    }

    #[test]
    fn phones_and_emails() {
        assert!(is_mobile_phone("89171234567"));
        assert!(is_mobile_phone("+7 (917) 123-45-67"));
        assert!(!is_mobile_phone("+7 843 123 45 67"));
        assert!(!is_mobile_phone("+7 917 123 45 6"));
        assert!(is_email("a.b@region.gov.ru"));
        assert!(!is_email("a b@x.ru"));
        assert!(!is_email("ab@ru"));
        assert!(!is_email("@x.ru"));
    }

    #[test]
    fn scopes_by_role() {
        let u = User {
            id: Uuid::nil(),
            login: "c".into(),
            profile: complete(),
            roles: vec![
                RoleGrant::regional(Role::Coordinator, "16"),
                RoleGrant::by_categories(Role::Expert, &["health".into(), "tourism".into()]),
            ],
            password_hash: String::new(),
            email_verified: true,
            consents: Vec::new(),
            disabled: false,
            created: DateTime::<Utc>::MIN_UTC,
            verified: None,
            mail_opt_out: false,
            code: None,
            contacts_request: None,
            pool: Vec::new(),
        };
        assert_eq!(u.regions_for(Role::Coordinator), ["16"]);
        assert!(u.regions_for(Role::Recipient).is_empty());
        assert_eq!(u.categories_for(Role::Expert), ["health", "tourism"]);
        assert_eq!(u.role_names(), ["Региональный координатор", "Эксперт"]);
    }
}
