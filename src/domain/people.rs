//! People on the platform (regulation §4.1.1–4.1.3, §4.1.12, 152-ФЗ):
//! who may sign up and with what, the consents and their texts, e-mailed
//! codes, the profile a user edits, who manages roles, and the contacts
//! refresh. Pure: the caller brings the time and the hashes.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::calendar::Calendar;
use super::refdata::RefData;
use super::user::{
    CodePurpose, Consent, ConsentKind, ContactsRequest, MailCode, Profile, Role, RoleGrant, User,
    is_email, is_mobile_phone,
};

/// The version of the texts of the consents and of the rules of use a
/// user accepts now; a consent records the version it was given to.
pub const CONSENT_VERSION: &str = "2025-1";

/// How long an e-mailed code works.
pub const CODE_HOURS: i64 = 24;
/// Wrong tries after which a code stops working.
pub const CODE_TRIES: u8 = 5;
/// §4.1.12: working days to bring contacts up to date.
pub const CONTACTS_DAYS: u32 = 14;

impl ConsentKind {
    /// A short name for lists.
    pub fn short(self) -> &'static str {
        match self {
            Self::TermsOfUse => "Правила пользования",
            Self::PersonalData => "Обработка персональных данных",
            Self::PersonalDataForDistribution => "Распространение ФИО, организации, фото",
            Self::Consulting => "Консультации при тиражировании (п. 4.1.7)",
        }
    }

    /// The text shown and accepted (version [`CONSENT_VERSION`]).
    pub fn text(self) -> &'static str {
        match self {
            Self::TermsOfUse => {
                "Я ознакомился с правилами пользования платформой «Смартека» (регламент, раздел 4) и принимаю их: указываю в профиле достоверные данные, отвечаю за полноту и актуальность сведений о практиках, которые подаю, и не передаю свою учётную запись другим лицам."
            }
            Self::PersonalData => {
                "Даю согласие АНО «Агентство стратегических инициатив по продвижению новых проектов» на обработку моих персональных данных (ФИО, организация, должность, телефон, электронная почта, фотография, регион) в целях работы платформы «Смартека» в соответствии с Федеральным законом от 27.07.2006 № 152-ФЗ «О персональных данных». Согласие действует до его отзыва."
            }
            Self::PersonalDataForDistribution => {
                "Даю согласие на распространение моих ФИО, организации, должности и фотографии в паспортах опубликованных практик, в которых я указан, и на страницах регионов. Контакты (телефон и электронная почта) не распространяются. Без этого согласия в опубликованных паспортах я буду показан как «участник команды»."
            }
            Self::Consulting => {
                "Размещая практику на платформе «Смартека», подтверждаю согласие на оказание консультационной помощи при её тиражировании (п. 4.1.7 регламента)."
            }
        }
    }
}

/// What a user changes of their own account; travels to the server as
/// an op.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum MeChange {
    Profile(Box<Profile>),
    Consent {
        kind: ConsentKind,
        give: bool,
    },
    /// Opt out of mail other than deadlines and security (`true`), or back.
    MailOptOut(bool),
}

/// What the Модератор АСИ changes of someone's account; travels to the
/// server as an op.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ManageChange {
    Role {
        add: bool,
        role: Role,
        region: Option<String>,
        categories: Vec<String>,
    },
    Disabled(bool),
    /// §4.1.12: bring the contacts up to date.
    Contacts,
    /// Included in (or confirmed again for) a category's expert pool.
    PoolAdd(Box<super::pools::PoolEntry>),
    /// Out of a category's expert pool.
    PoolRemove {
        category: String,
    },
}

/// A user's own change applied: the rules of each kind.
pub fn change_me(
    user: &User,
    change: &MeChange,
    now: DateTime<Utc>,
    refdata: &RefData,
) -> Result<User, Vec<String>> {
    match change {
        MeChange::Profile(p) => edit_profile(user, p, refdata),
        MeChange::Consent { kind, give } => {
            set_consent(user, *kind, *give, now).map_err(|e| vec![e])
        }
        MeChange::MailOptOut(off) => {
            if user.mail_opt_out == *off {
                return Err(vec![if *off {
                    "Уведомления по почте уже отключены.".to_owned()
                } else {
                    "Уведомления по почте уже включены.".to_owned()
                }]);
            }
            let mut u = user.clone();
            u.mail_opt_out = *off;
            Ok(u)
        }
    }
}

/// The Модератор АСИ's change applied.
pub fn manage(
    actor: &User,
    target: &User,
    change: &ManageChange,
    now: DateTime<Utc>,
    calendar: &Calendar,
) -> Result<User, String> {
    match change {
        ManageChange::PoolAdd(entry) => super::pools::include(
            actor,
            target,
            (**entry).clone(),
            now,
            super::refdata::refdata(),
        ),
        ManageChange::PoolRemove { category } => super::pools::exclude(actor, target, category),
        ManageChange::Role {
            add,
            role,
            region,
            categories,
        } => {
            may_manage(actor)?;
            if !add && actor.id == target.id && *role == Role::AsiModerator {
                return Err("Свою роль модератора АСИ снять нельзя.".to_owned());
            }
            if !add && *role == Role::Expert {
                return Err(
                    "Эксперта исключают из экспертного пула категории: роль уходит с ним."
                        .to_owned(),
                );
            }
            change_role(target, *add, *role, region.clone(), categories.clone())
        }
        ManageChange::Disabled(d) => {
            may_manage(actor)?;
            set_disabled(actor, target, *d)
        }
        ManageChange::Contacts => request_contacts(actor, target, now, calendar),
    }
}

/// A consent given now to the current text.
pub fn consent(kind: ConsentKind, now: DateTime<Utc>) -> Consent {
    Consent {
        kind,
        at: now,
        version: CONSENT_VERSION.to_owned(),
    }
}

/// A login as it is kept: trimmed, lower case; Latin letters, digits, «-»,
/// «_» and «.», 3 to 32 of them, the first a letter or a digit (a login
/// names the user's directory on the server).
pub fn login_of(text: &str) -> Result<String, String> {
    let login = text.trim().to_lowercase();
    let fits = (3..=32).contains(&login.chars().count()) && login_chars(&login);
    if fits {
        Ok(login)
    } else {
        Err("Логин — от 3 до 32 знаков: латинские буквы, цифры, «-», «_» и «.», первый — буква или цифра.".to_owned())
    }
}

/// Whether a login is made of the letters a login may have, and starts
/// with a letter or a digit.
pub fn login_chars(login: &str) -> bool {
    login.starts_with(|c: char| c.is_ascii_alphanumeric())
        && login
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
}

/// What a person gives at sign-up (§4.1.1–4.1.2).
#[derive(Debug, Clone, Default)]
pub struct SignUp {
    pub login: String,
    pub email: String,
    pub full_name: String,
    /// A region code.
    pub region: String,
    /// The consents the person accepted.
    pub consents: Vec<ConsentKind>,
}

/// Why a sign-up will not do: every reason, in Russian; empty when it will.
pub fn sign_up_problems(s: &SignUp, refdata: &RefData) -> Vec<String> {
    let mut out = Vec::new();
    if let Err(e) = login_of(&s.login) {
        out.push(e);
    }
    if !is_email(&s.email) {
        out.push(format!(
            "«{}» — не адрес электронной почты.",
            s.email.trim()
        ));
    }
    out.extend(name_problem(&s.full_name));
    if refdata.region(&s.region).is_none() {
        out.push(format!("Неизвестный регион «{}».", s.region));
    }
    for kind in ConsentKind::SIGN_UP {
        if !s.consents.contains(&kind) {
            out.push(format!(
                "Без согласия не зарегистрироваться (п. 4.1.2): {}.",
                kind.name()
            ));
        }
    }
    out
}

fn name_problem(name: &str) -> Option<String> {
    let p = Profile {
        full_name: name.trim().to_owned(),
        ..Profile::default()
    };
    // The name's problem is the first of a profile's: ФИО come first.
    let first = super::user::profile_problems(&p).into_iter().next()?;
    let name_related = first.contains("ФИО") || first.contains("фамилию");
    name_related.then(|| {
        let mut c = first.chars();
        let head: String = c
            .next()
            .map(|f| f.to_uppercase().collect())
            .unwrap_or_default();
        format!("{head}{}.", c.as_str())
    })
}

/// A new account from a sign-up: the e-mail not yet confirmed, the
/// consents of §4.1.2 given now.
pub fn new_account(
    id: super::UserId,
    s: &SignUp,
    password_hash: String,
    now: DateTime<Utc>,
) -> User {
    User {
        id,
        login: s.login.trim().to_lowercase(),
        profile: Profile {
            full_name: s.full_name.trim().to_owned(),
            email: s.email.trim().to_owned(),
            region: Some(s.region.clone()),
            ..Profile::default()
        },
        roles: Vec::new(),
        password_hash,
        email_verified: false,
        consents: ConsentKind::SIGN_UP
            .into_iter()
            .map(|k| consent(k, now))
            .collect(),
        disabled: false,
        created: now,
        verified: None,
        mail_opt_out: false,
        code: None,
        contacts_request: None,
        pool: Vec::new(),
    }
}

/// A new code for `purpose`, kept as its hash. The wrong tries of a code
/// still in force carry over: asking for new codes does not buy new
/// guesses.
pub fn mail_code(
    previous: Option<&MailCode>,
    purpose: CodePurpose,
    hash: String,
    now: DateTime<Utc>,
) -> MailCode {
    MailCode {
        purpose,
        hash,
        expires: now + Duration::hours(CODE_HOURS),
        tries: previous.filter(|c| c.expires > now).map_or(0, |c| c.tries),
    }
}

/// Checks a code the user typed (as its hash) against the one they were
/// sent. On a wrong code the user comes back with the try counted (the
/// caller saves it); the message is the same whether or not a code exists.
pub fn use_code(
    user: &User,
    purpose: CodePurpose,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<User, (String, Option<Box<User>>)> {
    const WRONG: &str = "Неверный или устаревший код. Запросите новый.";
    let Some(code) = user.code.as_ref().filter(|c| c.purpose == purpose) else {
        return Err((WRONG.to_owned(), None));
    };
    if code.expires <= now || code.tries >= CODE_TRIES {
        return Err((WRONG.to_owned(), None));
    }
    if code.hash != hash {
        let mut counted = user.clone();
        if let Some(c) = counted.code.as_mut() {
            c.tries += 1;
        }
        return Err((WRONG.to_owned(), Some(Box::new(counted))));
    }
    let mut next = user.clone();
    next.code = None;
    if purpose == CodePurpose::ConfirmEmail {
        next.email_verified = true;
    }
    Ok(next)
}

/// The profile a user saves for themself: every value given is checked;
/// the region, once set, is changed only through the coordinator (it
/// scopes their confirmation); a new e-mail must be confirmed again.
pub fn edit_profile(user: &User, new: &Profile, refdata: &RefData) -> Result<User, Vec<String>> {
    let mut bad = Vec::new();
    if !new.full_name.trim().is_empty()
        && let Some(p) = name_problem(&new.full_name)
    {
        bad.push(p);
    }
    if !new.phone.trim().is_empty() && !is_mobile_phone(&new.phone) {
        bad.push(format!(
            "«{}» — не номер мобильного телефона: +7 9XX XXX-XX-XX.",
            new.phone.trim()
        ));
    }
    if new.email.trim().is_empty() {
        bad.push("Электронная почта нужна: на неё приходят уведомления и коды.".to_owned());
    } else if !is_email(&new.email) {
        bad.push(format!(
            "«{}» — не адрес электронной почты.",
            new.email.trim()
        ));
    }
    if let Some(k) = &new.organisation_kind
        && refdata.organisation_type(k).is_none()
    {
        bad.push(format!("Неизвестный тип организации «{k}»."));
    }
    if let Some(r) = &new.region
        && refdata.region(r).is_none()
    {
        bad.push(format!("Неизвестный регион «{r}»."));
    }
    if user.verified.is_some() && new.region != user.profile.region {
        bad.push(
            "Регион подтверждён координатором; сменить его можно через модератора АСИ.".to_owned(),
        );
    }
    if new.photo != user.profile.photo
        && new
            .photo
            .as_ref()
            .is_some_and(|h| h.len() != 64 || !h.chars().all(|c| c.is_ascii_hexdigit()))
    {
        bad.push("Фотография указана не SHA-256 загруженного файла.".to_owned());
    }
    if !bad.is_empty() {
        return Err(bad);
    }
    let mut next = user.clone();
    let mut p = new.clone();
    for field in [&mut p.full_name, &mut p.email, &mut p.phone] {
        *field = field.trim().to_owned();
    }
    if p.email != user.profile.email {
        next.email_verified = false;
        // A code sent to the old address confirms nothing of the new one.
        next.code = None;
    }
    next.profile = p;
    // Saving the profile answers a request to bring contacts up to date.
    next.contacts_request = None;
    Ok(next)
}

/// A consent given (`give`) or withdrawn, by the user themself.
/// Withdrawing the consent to processing or to the rules of use ends the
/// use of the platform: the account is disabled at once (152-ФЗ, art. 9).
pub fn set_consent(
    user: &User,
    kind: ConsentKind,
    give: bool,
    now: DateTime<Utc>,
) -> Result<User, String> {
    let has = user.has_consent(kind);
    if give == has {
        return Err(if give {
            format!("Согласие уже дано: {}.", kind.name())
        } else {
            format!("Такого согласия нет: {}.", kind.name())
        });
    }
    let mut next = user.clone();
    if give {
        next.consents.push(consent(kind, now));
    } else {
        next.consents.retain(|c| c.kind != kind);
        if matches!(kind, ConsentKind::TermsOfUse | ConsentKind::PersonalData) {
            next.disabled = true;
        }
    }
    Ok(next)
}

/// Only the Модератор АСИ manages roles and accounts (§1.9).
pub fn may_manage(actor: &User) -> Result<(), String> {
    if actor.disabled || !actor.has_role(Role::AsiModerator) {
        return Err("Роли и учётные записи ведёт модератор АСИ.".to_owned());
    }
    Ok(())
}

/// A role with the scope it needs: a region for the regional roles,
/// categories for experts and expert-moderators, nothing for the rest.
pub fn scoped(
    role: Role,
    region: Option<String>,
    categories: Vec<String>,
) -> Result<RoleGrant, String> {
    if matches!(role, Role::Team | Role::Mentor) {
        return Err(format!(
            "«{}» — не роль пользователя: её дают паспорта практик (P-19).",
            role.name()
        ));
    }
    if role == Role::Expert {
        return Err(
            "Эксперта включают в экспертный пул категории с основаниями (п. 4.4.3–4.4.4): роль даётся с ним."
                .to_owned(),
        );
    }
    let regional = matches!(role, Role::Author | Role::Coordinator | Role::Recipient);
    if regional && region.is_none() {
        return Err(format!("Роли «{}» нужен регион.", role.name()));
    }
    let by_category = matches!(role, Role::Expert | Role::ExpertModerator);
    if by_category && categories.is_empty() {
        return Err(format!("Роли «{}» нужны категории.", role.name()));
    }
    Ok(RoleGrant {
        role,
        region: region.filter(|_| regional),
        categories: if by_category { categories } else { Vec::new() },
    })
}

/// A role granted (`add`) or withdrawn; withdrawing without a region takes
/// the role in every region.
pub fn change_role(
    target: &User,
    add: bool,
    role: Role,
    region: Option<String>,
    categories: Vec<String>,
) -> Result<User, String> {
    let mut u = target.clone();
    if add {
        let grant = scoped(role, region, categories)?;
        if u.roles.contains(&grant) {
            return Err("Такая роль у пользователя уже есть.".to_owned());
        }
        u.roles.push(grant);
    } else {
        let before = u.roles.len();
        u.roles.retain(|g| {
            g.role != role
                || region
                    .as_ref()
                    .is_some_and(|x| g.region.as_ref() != Some(x))
        });
        if u.roles.len() == before {
            return Err("Такой роли у пользователя нет.".to_owned());
        }
    }
    Ok(u)
}

/// An account disabled or enabled by the Модератор АСИ; they cannot lock
/// themself out.
pub fn set_disabled(actor: &User, target: &User, disabled: bool) -> Result<User, String> {
    if actor.id == target.id && disabled {
        return Err("Свою учётную запись отключить нельзя.".to_owned());
    }
    if target.disabled == disabled {
        return Err(if disabled {
            format!("«{}» уже отключён.", target.login)
        } else {
            format!("«{}» не отключён.", target.login)
        });
    }
    let mut u = target.clone();
    u.disabled = disabled;
    Ok(u)
}

/// §4.1.12: the Модератор АСИ asks that a user's contacts be brought up to
/// date; the user (with the coordinator of their region) has
/// [`CONTACTS_DAYS`] working days.
pub fn request_contacts(
    actor: &User,
    target: &User,
    now: DateTime<Utc>,
    calendar: &Calendar,
) -> Result<User, String> {
    may_manage(actor)
        .map_err(|_| "Обновить контактные данные просит модератор АСИ (п. 4.1.12).".to_owned())?;
    if target.disabled {
        return Err(format!("Учётная запись «{}» отключена.", target.login));
    }
    let due = calendar.add_working_days(now.date_naive(), CONTACTS_DAYS);
    let mut u = target.clone();
    u.contacts_request = Some(ContactsRequest {
        by: actor.id,
        at: now,
        due,
    });
    Ok(u)
}

/// Whether a notice reaches the user by mail as well as the inbox: an
/// enabled account with a confirmed address; `urgent` mail (deadlines,
/// security) even if they opted out of the rest.
pub fn gets_mail(user: &User, urgent: bool) -> bool {
    !user.disabled
        && user.email_verified
        && is_email(&user.profile.email)
        && (urgent || !user.mail_opt_out)
}

/// Working days after a missed deadline during which the daily reminder
/// still goes out; later the inbox and the queues keep showing it.
pub const OVERDUE_REMINDED: i64 = 5;

/// Whether a deadline `left` working days away is mailed today: from the
/// day before it until [`OVERDUE_REMINDED`] days after.
pub fn remind(left: i64) -> bool {
    (-OVERDUE_REMINDED..=1).contains(&left)
}

/// Whether a contacts request is past its date.
pub fn contacts_overdue(user: &User, today: NaiveDate) -> bool {
    user.contacts_request
        .as_ref()
        .is_some_and(|r| r.due < today)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::refdata::refdata;

    fn now() -> DateTime<Utc> {
        "2026-12-01T09:00:00Z".parse().expect("time")
    }

    fn sign_up() -> SignUp {
        SignUp {
            login: "Petrova".into(),
            email: "petrova@tatar.ru".into(),
            full_name: "Петрова Анна Сергеевна".into(),
            region: "16".into(),
            consents: ConsentKind::SIGN_UP.to_vec(),
        }
    }

    #[test]
    fn a_sign_up_needs_every_consent_and_sound_values() {
        assert!(sign_up_problems(&sign_up(), refdata()).is_empty());
        let mut s = sign_up();
        s.consents = vec![ConsentKind::TermsOfUse];
        s.email = "petrova".into();
        s.full_name = "Anna".into();
        s.region = "999".into();
        s.login = "п".into();
        let p = sign_up_problems(&s, refdata());
        assert_eq!(p.len(), 6, "{p:?}");
        assert!(p.iter().any(|x| x.contains("152") || x.contains("4.1.2")));
        assert!(p.iter().any(|x| x.contains("кириллицей")), "{p:?}");
        let u = new_account(uuid::Uuid::nil(), &sign_up(), "h".into(), now());
        assert_eq!(u.login, "petrova");
        assert!(!u.email_verified);
        assert_eq!(u.consents.len(), 3);
        assert!(
            u.consents
                .iter()
                .all(|c| c.version == CONSENT_VERSION && c.at == now())
        );
    }

    #[test]
    fn a_code_works_once_before_it_expires_and_counts_wrong_tries() {
        let mut u = new_account(uuid::Uuid::nil(), &sign_up(), "h".into(), now());
        u.code = Some(mail_code(
            None,
            CodePurpose::ConfirmEmail,
            "abc".into(),
            now(),
        ));
        let (_, counted) =
            use_code(&u, CodePurpose::ConfirmEmail, "xyz", now()).expect_err("wrong");
        assert_eq!(counted.expect("counted").code.expect("kept").tries, 1);
        assert!(use_code(&u, CodePurpose::ResetPassword, "abc", now()).is_err());
        let late = now() + Duration::hours(CODE_HOURS);
        assert!(use_code(&u, CodePurpose::ConfirmEmail, "abc", late).is_err());
        let ok = use_code(&u, CodePurpose::ConfirmEmail, "abc", now()).expect("right");
        assert!(ok.email_verified && ok.code.is_none());
        u.code.as_mut().expect("code").tries = CODE_TRIES;
        assert!(use_code(&u, CodePurpose::ConfirmEmail, "abc", now()).is_err());
        // A new code does not buy new guesses while the old one is in force.
        let again = mail_code(
            u.code.as_ref(),
            CodePurpose::ResetPassword,
            "def".into(),
            now(),
        );
        assert_eq!(again.tries, CODE_TRIES);
        let later = now() + Duration::hours(CODE_HOURS + 1);
        assert_eq!(
            mail_code(
                u.code.as_ref(),
                CodePurpose::ResetPassword,
                "g".into(),
                later
            )
            .tries,
            0
        );
    }

    #[test]
    fn a_new_address_drops_the_code_sent_to_the_old_one() {
        let mut u = new_account(uuid::Uuid::nil(), &sign_up(), "h".into(), now());
        u.code = Some(mail_code(
            None,
            CodePurpose::ConfirmEmail,
            "abc".into(),
            now(),
        ));
        let mut p = u.profile.clone();
        p.email = "other@tatar.ru".into();
        let moved = edit_profile(&u, &p, refdata()).expect("saved");
        assert!(moved.code.is_none() && !moved.email_verified);
        assert!(use_code(&moved, CodePurpose::ConfirmEmail, "abc", now()).is_err());
    }

    #[test]
    fn withdrawing_a_consent_hides_the_name_or_ends_the_use() {
        let u = new_account(uuid::Uuid::nil(), &sign_up(), "h".into(), now());
        assert_eq!(u.public_name(), "Петрова Анна Сергеевна");
        let hidden =
            set_consent(&u, ConsentKind::PersonalDataForDistribution, false, now()).expect("ok");
        assert_eq!(hidden.public_name(), super::super::user::HIDDEN_NAME);
        assert!(!hidden.disabled);
        assert!(
            set_consent(
                &hidden,
                ConsentKind::PersonalDataForDistribution,
                false,
                now()
            )
            .is_err()
        );
        let gone = set_consent(&u, ConsentKind::PersonalData, false, now()).expect("ok");
        assert!(gone.disabled);
        let back = set_consent(
            &hidden,
            ConsentKind::PersonalDataForDistribution,
            true,
            now(),
        )
        .expect("ok");
        assert_eq!(back.public_name(), "Петрова Анна Сергеевна");
    }

    #[test]
    fn roles_need_their_scope_and_only_the_asi_moderator_manages() {
        let u = new_account(uuid::Uuid::nil(), &sign_up(), "h".into(), now());
        assert!(may_manage(&u).is_err());
        assert!(change_role(&u, true, Role::Coordinator, None, vec![]).is_err());
        assert!(change_role(&u, true, Role::Expert, None, vec![]).is_err());
        assert!(change_role(&u, true, Role::Team, None, vec![]).is_err());
        let c = change_role(&u, true, Role::Coordinator, Some("16".into()), vec![]).expect("ok");
        assert_eq!(c.regions_for(Role::Coordinator), ["16"]);
        assert!(change_role(&c, true, Role::Coordinator, Some("16".into()), vec![]).is_err());
        let none = change_role(&c, false, Role::Coordinator, None, vec![]).expect("ok");
        assert!(none.roles.is_empty());
        assert!(change_role(&none, false, Role::Coordinator, None, vec![]).is_err());
        let mut asi = change_role(&u, true, Role::AsiModerator, None, vec![]).expect("ok");
        assert!(may_manage(&asi).is_ok());
        assert!(set_disabled(&asi, &asi, true).is_err());
        asi.id = uuid::Uuid::from_u128(7);
        assert!(set_disabled(&asi, &asi, true).is_err());
        assert!(set_disabled(&asi, &u, true).expect("ok").disabled);
    }

    #[test]
    fn the_profile_is_checked_and_a_new_email_is_confirmed_again() {
        let mut u = new_account(uuid::Uuid::nil(), &sign_up(), "h".into(), now());
        u.email_verified = true;
        let mut p = u.profile.clone();
        p.phone = "+7 843 123-45-67".into();
        p.organisation_kind = Some("nope".into());
        let bad = edit_profile(&u, &p, refdata()).expect_err("refused");
        assert_eq!(bad.len(), 2, "{bad:?}");
        p.phone = "+7 917 123-45-67".into();
        p.organisation_kind = Some("executive-body".into());
        let same = edit_profile(&u, &p, refdata()).expect("saved");
        assert!(same.email_verified);
        p.email = "anna@tatar.ru".into();
        let moved = edit_profile(&u, &p, refdata()).expect("saved");
        assert!(!moved.email_verified);
    }

    #[test]
    fn contacts_are_due_in_fourteen_working_days() {
        let asi = change_role(
            &new_account(uuid::Uuid::from_u128(1), &sign_up(), "h".into(), now()),
            true,
            Role::AsiModerator,
            None,
            vec![],
        )
        .expect("ok");
        let u = new_account(uuid::Uuid::nil(), &sign_up(), "h".into(), now());
        let cal = Calendar::default();
        assert!(request_contacts(&u, &asi, now(), &cal).is_err());
        let r = request_contacts(&asi, &u, now(), &cal).expect("asked");
        let due = r.contacts_request.as_ref().expect("request").due;
        assert_eq!(due, cal.add_working_days(now().date_naive(), CONTACTS_DAYS));
        assert!(due >= now().date_naive() + Duration::days(18));
        assert!(!contacts_overdue(&r, due));
        assert!(contacts_overdue(&r, due + Duration::days(1)));
        let answered = edit_profile(&r, &r.profile, refdata()).expect("saved");
        assert!(answered.contacts_request.is_none());
    }
}
