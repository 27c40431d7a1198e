//! People: sign-up with an e-mailed code, password reset, a user's own
//! profile, consents and mail settings, the Модератор АСИ's management of
//! roles and accounts, and the list of users they work from. Changes a
//! user makes on a linked workstation travel to the server as ops
//! ([`OpKind::Me`], [`OpKind::Manage`]) and are applied there by the same
//! functions.

use serde::Serialize;
use sha2::Digest as _;

use crate::domain::people::{self, ManageChange, MeChange, SignUp};
use crate::domain::refdata::refdata;
use crate::domain::user::{CodePurpose, ConsentKind};
use crate::domain::{Role, User};
use crate::service::accounts::{hash_password, user_by_login, weak_password};
use crate::service::{Ctx, ServiceError};
use crate::store::{EntityRef, Mutation, OutMail, Record, StoreError};
use crate::sync::protocol::OpKind;

/// The SHA-256 a code is kept as: bound to the login, so one code does not
/// fit another account.
pub fn code_hash(login: &str, code: &str) -> String {
    let digest = sha2::Sha256::digest(format!("{}:{}", login.trim(), code.trim()).as_bytes());
    crate::store::blobs::hex(&digest)
}

/// A new six-digit code.
fn new_code() -> String {
    format!("{:06}", rand::random_range(0..1_000_000u32))
}

fn code_mail(u: &User, purpose: CodePurpose, code: &str) -> OutMail {
    let (subject, what, command) = match purpose {
        CodePurpose::ConfirmEmail => (
            "Смартека: подтверждение адреса электронной почты",
            "подтверждения адреса электронной почты",
            format!("smarteka register --confirm {code}"),
        ),
        CodePurpose::ResetPassword => (
            "Смартека: восстановление пароля",
            "восстановления пароля",
            format!(
                "smarteka password --reset --login {} --code {code}",
                u.login
            ),
        ),
    };
    OutMail {
        to: u.profile.email.clone(),
        name: u.shown_name().to_owned(),
        subject: subject.to_owned(),
        body: format!(
            "Здравствуйте, {}!\n\nКод {what} для учётной записи «{}»: {code}\n\nКод действует {} ч. Введите его командой:\n\n    {command}\n\nЕсли вы не запрашивали код, просто не отвечайте на это письмо.\n",
            u.shown_name(),
            u.login,
            people::CODE_HOURS,
        ),
    }
}

fn taken(e: StoreError) -> ServiceError {
    match e {
        StoreError::LoginTaken(l) => ServiceError::refused(format!("Логин «{l}» уже занят.")),
        StoreError::Exists(_) => ServiceError::refused("Такая учётная запись уже есть."),
        e => e.into(),
    }
}

/// §4.1.1–4.1.2: a new account, its e-mail to be confirmed by the code
/// mailed to it. Every problem is told at once.
pub fn register(cx: &Ctx<'_>, s: &SignUp, password: &str) -> Result<User, ServiceError> {
    let mut problems = people::sign_up_problems(s, refdata());
    problems.extend(weak_password(password));
    if !problems.is_empty() {
        return Err(ServiceError::Refused(problems));
    }
    let login = people::login_of(&s.login).map_err(ServiceError::bad)?;
    if cx.store.user_by_login(&login)?.is_some() {
        return Err(ServiceError::refused(format!("Логин «{login}» уже занят.")));
    }
    let hash = hash_password(password).map_err(ServiceError::Store)?;
    let mut u = people::new_account(uuid::Uuid::now_v7(), s, hash, cx.now());
    let code = new_code();
    u.code = Some(people::mail_code(
        None,
        CodePurpose::ConfirmEmail,
        code_hash(&u.login, &code),
        cx.now(),
    ));
    let mut m = Mutation::new(
        Some(u.id),
        "user.register",
        format!(
            "Зарегистрирован пользователь {} ({}), согласия: {}",
            u.login,
            refdata().region_name(&s.region),
            people::CONSENT_VERSION
        ),
    )
    .at(cx.now())
    .with(Record::User(Box::new(u.clone())));
    m.fresh.push(EntityRef::User(u.id));
    m.mail.push(code_mail(&u, CodePurpose::ConfirmEmail, &code));
    cx.store.commit(&m).map_err(taken)?;
    Ok(u)
}

/// A new code by mail: to confirm the address again, or to set a new
/// password. Whether the login exists is not told: the answer is the same.
pub fn send_code(cx: &Ctx<'_>, login: &str, purpose: CodePurpose) -> Result<(), ServiceError> {
    let Some(mut u) = cx.store.user_by_login(login.trim())? else {
        return Ok(());
    };
    if u.disabled
        || (purpose == CodePurpose::ConfirmEmail && u.email_verified)
        || u.profile.email.is_empty()
    {
        return Ok(());
    }
    let code = new_code();
    u.code = Some(people::mail_code(
        u.code.as_ref(),
        purpose,
        code_hash(&u.login, &code),
        cx.now(),
    ));
    let mut m = Mutation::new(
        Some(u.id),
        "user.code",
        "Отправлен код по электронной почте",
    )
    .at(cx.now())
    .with(Record::User(Box::new(u.clone())));
    m.mail.push(code_mail(&u, purpose, &code));
    cx.store.commit(&m)?;
    Ok(())
}

/// Uses an e-mailed code; a wrong one is counted. `then` changes the user
/// further (a new password) before the one commit.
fn use_code(
    cx: &Ctx<'_>,
    login: &str,
    code: &str,
    purpose: CodePurpose,
    then: impl FnOnce(User) -> User,
    action: &str,
    summary: String,
) -> Result<User, ServiceError> {
    const WRONG: &str = "Неверный или устаревший код. Запросите новый.";
    let Some(u) = cx.store.user_by_login(login.trim())? else {
        return Err(ServiceError::refused(WRONG));
    };
    match people::use_code(&u, purpose, &code_hash(&u.login, code), cx.now()) {
        Ok(next) => {
            let next = then(next);
            let mut m = Mutation::new(Some(u.id), action, summary)
                .at(cx.now())
                .with(Record::User(Box::new(next.clone())));
            if purpose == CodePurpose::ConfirmEmail {
                // The coordinators of the region find the new user to
                // confirm (§4.1.3).
                m.notify = region_coordinators(cx, &next)?;
            }
            cx.store.commit(&m)?;
            Ok(next)
        }
        Err((why, counted)) => {
            if let Some(c) = counted {
                cx.store.commit(
                    &Mutation::new(Some(u.id), "user.code-wrong", "Введён неверный код")
                        .at(cx.now())
                        .with(Record::User(c)),
                )?;
            }
            Err(ServiceError::refused(why))
        }
    }
}

fn region_coordinators(cx: &Ctx<'_>, u: &User) -> Result<Vec<uuid::Uuid>, ServiceError> {
    let Some(region) = u.profile.region.as_deref() else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for c in cx.store.users() {
        let c = c?;
        if !c.disabled && c.regions_for(Role::Coordinator).contains(&region) {
            out.push(c.id);
        }
    }
    Ok(out)
}

/// The e-mail address confirmed by the code sent to it.
pub fn confirm_email(cx: &Ctx<'_>, login: &str, code: &str) -> Result<User, ServiceError> {
    use_code(
        cx,
        login,
        code,
        CodePurpose::ConfirmEmail,
        |u| u,
        "user.confirm-email",
        format!(
            "Подтверждён адрес электронной почты пользователя {}",
            login.trim()
        ),
    )
}

/// A new password by the code sent to the address.
pub fn reset_password(
    cx: &Ctx<'_>,
    login: &str,
    code: &str,
    password: &str,
) -> Result<User, ServiceError> {
    if let Some(why) = weak_password(password) {
        return Err(ServiceError::bad(why));
    }
    let hash = hash_password(password).map_err(ServiceError::Store)?;
    use_code(
        cx,
        login,
        code,
        CodePurpose::ResetPassword,
        |mut u| {
            u.password_hash = hash;
            // The address received the code: it is the user's.
            u.email_verified = true;
            u
        },
        "user.password-reset",
        format!("Пароль пользователя {} восстановлен по коду", login.trim()),
    )
}

/// A user's change of their own account, with `extra` added to the commit
/// (the server records the client's op with it). On a linked store the
/// change is queued for the server.
pub fn change_me_with(
    cx: &Ctx<'_>,
    actor: &User,
    change: &MeChange,
    extra: impl FnOnce(&mut Mutation),
) -> Result<User, ServiceError> {
    // The record as stored: the caller's copy may be older.
    let current = cx.store.user(actor.id)?.unwrap_or_else(|| actor.clone());
    // A new photo is an image among the files here (the server checks what
    // a client sent, not only its hash).
    if let MeChange::Profile(p) = change
        && p.photo != current.profile.photo
        && let Some(sha) = &p.photo
    {
        use std::io::Read as _;
        let path = crate::store::blobs::Blobs::new(cx.store.dir()).path_of(sha);
        let mut head = Vec::new();
        std::fs::File::open(&path)
            .and_then(|f| f.take(256 * 1024).read_to_end(&mut head))
            .map_err(|_| ServiceError::refused("Фотография не получена: загрузите её снова."))?;
        if crate::store::blobs::inspect_image(&head).is_none() {
            return Err(ServiceError::refused(
                "Фотография — не изображение JPG, PNG или BMP.",
            ));
        }
    }
    let mut next =
        people::change_me(&current, change, cx.now(), refdata()).map_err(ServiceError::Refused)?;
    let (action, summary) = match change {
        MeChange::Profile(_) => ("user.profile", "Профиль изменён".to_owned()),
        MeChange::Consent { kind, give: true } => (
            "user.consent",
            format!("Дано {} ({})", kind.name(), people::CONSENT_VERSION),
        ),
        MeChange::Consent { kind, give: false } => {
            ("user.consent", format!("Отозвано {}", kind.name()))
        }
        MeChange::MailOptOut(true) => ("user.mail", "Уведомления по почте отключены".to_owned()),
        MeChange::MailOptOut(false) => ("user.mail", "Уведомления по почте включены".to_owned()),
    };
    let mut m = Mutation::new(Some(actor.id), action, summary).at(cx.now());
    // A new address is confirmed by a code, sent where mail is sent.
    if next.profile.email != current.profile.email && cx.store.is_mailing() {
        let code = new_code();
        next.code = Some(people::mail_code(
            None,
            CodePurpose::ConfirmEmail,
            code_hash(&next.login, &code),
            cx.now(),
        ));
        m.mail
            .push(code_mail(&next, CodePurpose::ConfirmEmail, &code));
    }
    m = m.with(Record::User(Box::new(next.clone())));
    m.op = Some(OpKind::Me {
        change: change.clone(),
    });
    extra(&mut m);
    cx.store.commit(&m)?;
    Ok(next)
}

pub fn change_me(cx: &Ctx<'_>, actor: &User, change: &MeChange) -> Result<User, ServiceError> {
    change_me_with(cx, actor, change, |_| {})
}

/// The largest profile photo.
pub const PHOTO_LIMIT: u64 = 10 * 1024 * 1024;

/// A new profile photo from a file: a JPG, PNG or BMP image (checked by
/// its content) of at most [`PHOTO_LIMIT`] bytes, kept with the files.
pub fn set_photo(cx: &Ctx<'_>, actor: &User, path: &std::path::Path) -> Result<User, ServiceError> {
    use std::io::Read as _;
    let shown = path.display();
    let check = crate::service::practice::check_source(&path.to_string_lossy())
        .map_err(ServiceError::bad)?;
    if check {
        return Err(ServiceError::bad(
            "Фотографию загружают файлом, ссылка не подходит.",
        ));
    }
    let size = std::fs::metadata(path)
        .map_err(|e| ServiceError::bad(format!("«{shown}»: {}", crate::store::io_ru(&e))))?
        .len();
    if size > PHOTO_LIMIT {
        return Err(ServiceError::bad(format!(
            "Фотография «{shown}» весит {:.1} МБ: можно не больше {} МБ.",
            size as f64 / 1_048_576.0,
            PHOTO_LIMIT / 1_048_576
        )));
    }
    let mut head = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(256 * 1024).read_to_end(&mut head))
        .map_err(|e| ServiceError::bad(format!("«{shown}»: {}", crate::store::io_ru(&e))))?;
    if crate::store::blobs::inspect_image(&head).is_none() {
        return Err(ServiceError::bad(format!(
            "«{shown}» — не изображение JPG, PNG или BMP (проверено по содержимому файла)."
        )));
    }
    let blob = crate::store::blobs::Blobs::new(cx.store.dir())
        .put_file(path)
        .map_err(|e| ServiceError::Store(e.to_string()))?;
    let current = cx.store.user(actor.id)?.unwrap_or_else(|| actor.clone());
    let mut p = current.profile.clone();
    p.photo = Some(blob.sha256);
    change_me(cx, &current, &MeChange::Profile(Box::new(p)))
}

/// The Модератор АСИ's change of an account, with `extra` as above.
pub fn manage_with(
    cx: &Ctx<'_>,
    actor: &User,
    login: &str,
    change: &ManageChange,
    extra: impl FnOnce(&mut Mutation),
) -> Result<User, ServiceError> {
    match change {
        ManageChange::PoolAdd(e) => crate::domain::pools::may_manage_pool(actor, &e.category),
        ManageChange::PoolRemove { category } => {
            crate::domain::pools::may_manage_pool(actor, category)
        }
        _ => people::may_manage(actor),
    }
    .map_err(ServiceError::refused)?;
    if let ManageChange::Role {
        add: true,
        role,
        region,
        categories,
    } = change
    {
        // A scope missing is a flag missing, not a refusal.
        people::scoped(*role, region.clone(), categories.clone()).map_err(ServiceError::bad)?;
    }
    let target = user_by_login(cx.store, login)?;
    let next = people::manage(actor, &target, change, cx.now(), cx.calendar())
        .map_err(ServiceError::refused)?;
    let login = next.login.clone();
    let summary = match change {
        ManageChange::Role {
            add: true, role, ..
        } => format!("Пользователю {login} дана роль «{}»", role.name()),
        ManageChange::Role {
            add: false, role, ..
        } => format!("У пользователя {login} снята роль «{}»", role.name()),
        ManageChange::Disabled(true) => format!("Отключён пользователь {login}"),
        ManageChange::Disabled(false) => format!("Включён пользователь {login}"),
        ManageChange::Contacts => format!(
            "Запрошено обновление контактных данных пользователя {login} до {} (п. 4.1.12)",
            next.contacts_request
                .as_ref()
                .map(|r| r.due.format("%d.%m.%Y").to_string())
                .unwrap_or_default()
        ),
        ManageChange::PoolAdd(e) => format!(
            "{login} включён в экспертный пул категории «{}» на {} год (п. 4.4.4: {})",
            refdata().category_name(&e.category),
            e.year,
            e.conditions
                .iter()
                .map(|c| c.name())
                .collect::<Vec<_>>()
                .join("; ")
        ),
        ManageChange::PoolRemove { category } => format!(
            "{login} исключён из экспертного пула категории «{}»",
            refdata().category_name(category)
        ),
    };
    let action = match change {
        ManageChange::Role { .. } => "user.role",
        ManageChange::Disabled(true) => "user.disable",
        ManageChange::Disabled(false) => "user.enable",
        ManageChange::Contacts => "user.contacts",
        ManageChange::PoolAdd(_) => "pool.add",
        ManageChange::PoolRemove { .. } => "pool.remove",
    };
    let mut m = Mutation::new(Some(actor.id), action, summary)
        .at(cx.now())
        .with(Record::User(Box::new(next.clone())));
    m.notify.push(next.id);
    if matches!(change, ManageChange::Contacts) {
        m.notify.extend(region_coordinators(cx, &next)?);
    }
    m.op = Some(OpKind::Manage {
        login,
        change: change.clone(),
    });
    extra(&mut m);
    cx.store.commit(&m)?;
    Ok(next)
}

pub fn manage(
    cx: &Ctx<'_>,
    actor: &User,
    login: &str,
    change: &ManageChange,
) -> Result<User, ServiceError> {
    manage_with(cx, actor, login, change, |_| {})
}

/// A member of an expert pool as listed.
#[derive(Debug, Clone, Serialize)]
pub struct PoolRow {
    pub category: String,
    pub category_name: String,
    pub login: String,
    pub name: String,
    /// Where the expert comes from (§4.4.3), when recorded.
    pub affiliation: Option<&'static str>,
    /// The conditions of §4.4.4 met.
    pub conditions: Vec<&'static str>,
    pub evidence: Option<String>,
    /// The year last confirmed.
    pub year: Option<i32>,
    /// Not confirmed for the year asked about: to confirm or exclude.
    pub to_confirm: bool,
}

/// The pools of `category` (or all), as of `year`: every expert with what
/// their membership rests on. The basis and evidence are the Agency's: the
/// Модератор АСИ and expert-moderators see them.
pub fn pools(
    cx: &Ctx<'_>,
    actor: &User,
    category: Option<&str>,
    year: i32,
) -> Result<Vec<PoolRow>, ServiceError> {
    if !actor.has_role(Role::AsiModerator) && !actor.has_role(Role::ExpertModerator) {
        return Err(ServiceError::refused(
            "Экспертные пулы ведут модератор АСИ и эксперты-модераторы (п. 4.4.2).",
        ));
    }
    let users: Vec<User> = cx.store.users().collect::<Result<_, _>>()?;
    let rd = refdata();
    let mut out = Vec::new();
    for c in rd
        .categories
        .iter()
        .filter(|c| category.is_none_or(|x| x == c.code))
    {
        for (u, e, to_confirm) in crate::domain::pools::members(&users, &c.code, year) {
            out.push(PoolRow {
                category: c.code.clone(),
                category_name: c.name.clone(),
                login: u.login.clone(),
                name: u.shown_name().to_owned(),
                affiliation: e.map(|e| e.affiliation.name()),
                conditions: e
                    .map(|e| e.conditions.iter().map(|c| c.name()).collect())
                    .unwrap_or_default(),
                evidence: e.map(|e| e.evidence.clone()),
                year: e.map(|e| e.year),
                to_confirm,
            });
        }
    }
    Ok(out)
}

/// A row of the Модератор АСИ's list of users.
#[derive(Debug, Clone, Serialize)]
#[allow(clippy::struct_excessive_bools)] // a row of yes/no columns
pub struct UserRow {
    pub login: String,
    pub name: String,
    pub region: Option<String>,
    pub roles: Vec<String>,
    pub email_confirmed: bool,
    pub disabled: bool,
    /// Confirmed by a coordinator and waiting for the access to passports.
    pub awaiting_grant: bool,
    /// What the profile lacks (app. 2).
    pub missing: Vec<String>,
    /// A contacts request's date, when one is open.
    pub contacts_due: Option<chrono::NaiveDate>,
    pub contacts_overdue: bool,
    /// The categories whose expert pools the user is in.
    pub pools: Vec<String>,
}

/// Which users a list shows.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    /// Words of the name or the login.
    pub text: String,
    pub role: Option<Role>,
    pub region: Option<String>,
    /// Only those confirmed by a coordinator and waiting for access.
    pub pending: bool,
    /// Only those with a contacts request past its date.
    pub overdue: bool,
}

/// The users the actor manages, filtered: all for the Модератор АСИ, the
/// region's for its coordinator.
pub fn users(cx: &Ctx<'_>, actor: &User, f: &UserFilter) -> Result<Vec<UserRow>, ServiceError> {
    if !crate::domain::access::may_list_users(actor) {
        return Err(ServiceError::refused(
            "Список пользователей — у модератора АСИ, региональных координаторов и экспертов-модераторов.",
        ));
    }
    let text = f.text.trim().to_lowercase().replace('ё', "е");
    let today = cx.today();
    let mut out = Vec::new();
    for u in cx.store.users() {
        let u = u?;
        if !crate::domain::access::lists_user(actor, &u) {
            continue;
        }
        let awaiting = u
            .verified
            .as_ref()
            .is_some_and(|v| !u.regions_for(Role::Author).contains(&v.region.as_str()));
        let hay = format!("{} {}", u.login, u.profile.full_name)
            .to_lowercase()
            .replace('ё', "е");
        let keep = (text.is_empty() || text.split_whitespace().all(|w| hay.contains(w)))
            && f.role.is_none_or(|r| u.has_role(r))
            && f.region
                .as_ref()
                .is_none_or(|r| u.profile.region.as_ref() == Some(r))
            && (!f.pending || awaiting)
            && (!f.overdue || people::contacts_overdue(&u, today));
        if !keep {
            continue;
        }
        out.push(UserRow {
            login: u.login.clone(),
            name: u.profile.full_name.clone(),
            region: u.profile.region.clone(),
            roles: u.role_names().iter().map(|r| (*r).to_owned()).collect(),
            email_confirmed: u.email_verified,
            disabled: u.disabled,
            awaiting_grant: awaiting,
            missing: crate::domain::user::profile_problems(&u.profile),
            contacts_due: u.contacts_request.as_ref().map(|r| r.due),
            contacts_overdue: people::contacts_overdue(&u, today),
            pools: u
                .categories_for(Role::Expert)
                .into_iter()
                .map(str::to_owned)
                .collect(),
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name).then(a.login.cmp(&b.login)));
    Ok(out)
}

/// A profile as its owner sees it (the «Профиль» screen, `profile show`).
#[derive(Debug, Clone, Serialize)]
pub struct ProfileView {
    pub login: String,
    /// Label and value, in the order of app. 2.
    pub fields: Vec<(String, String)>,
    /// What app. 2 still needs, in Russian.
    pub missing: Vec<String>,
    pub filled: usize,
    pub of: usize,
    pub consents: Vec<ConsentRow>,
    /// Roles, confirmation, mail, an open contacts request.
    pub notes: Vec<String>,
}

/// The profile of `u` with what it lacks.
pub fn profile_view(cx: &Ctx<'_>, u: &User) -> ProfileView {
    let rd = refdata();
    let p = &u.profile;
    let or_dash = |s: &str| {
        if s.trim().is_empty() {
            "—".to_owned()
        } else {
            s.to_owned()
        }
    };
    let fields = vec![
        ("Логин".to_owned(), u.login.clone()),
        ("ФИО".to_owned(), or_dash(&p.full_name)),
        ("Организация".to_owned(), or_dash(&p.organisation)),
        (
            "Тип организации".to_owned(),
            p.organisation_kind
                .as_deref()
                .and_then(|k| rd.organisation_type(k))
                .map_or("—".to_owned(), |t| t.name.clone()),
        ),
        ("Должность".to_owned(), or_dash(&p.position)),
        ("Мобильный телефон".to_owned(), or_dash(&p.phone)),
        (
            "Электронная почта".to_owned(),
            if p.email.is_empty() {
                "—".to_owned()
            } else if u.email_verified {
                format!("{} (подтверждена)", p.email)
            } else {
                format!("{} (не подтверждена)", p.email)
            },
        ),
        (
            "Фотография".to_owned(),
            p.photo.as_deref().map_or("—".to_owned(), |h| {
                format!("загружена ({}…)", &h[..12.min(h.len())])
            }),
        ),
        (
            "Регион".to_owned(),
            p.region
                .as_deref()
                .map_or("—".to_owned(), |r| rd.region_name(r).to_owned()),
        ),
        (
            "Руководитель органа".to_owned(),
            if p.head_of_body { "да" } else { "нет" }.to_owned(),
        ),
    ];
    let missing = crate::domain::user::profile_problems(p);
    let of: usize = 6;
    let mut notes = Vec::new();
    let roles = u.role_names();
    notes.push(if roles.is_empty() {
        "Ролей нет: доступ к паспортам даёт модератор АСИ после подтверждения региональным координатором (п. 4.1.3).".to_owned()
    } else {
        format!("Роли: {}.", roles.join(", "))
    });
    if let Some(v) = &u.verified {
        notes.push(format!(
            "Подтверждён координатором региона «{}» {}.",
            rd.region_name(&v.region),
            v.at.format("%d.%m.%Y")
        ));
    }
    if u.mail_opt_out {
        notes.push("По почте приходят только сроки и сообщения о безопасности.".to_owned());
    }
    let lacking: Vec<&str> = ConsentKind::SIGN_UP
        .into_iter()
        .filter(|k| !u.has_consent(*k))
        .map(ConsentKind::short)
        .collect();
    if !lacking.is_empty() {
        notes.push(format!(
            "Без согласий «{}» работать на платформе нельзя: дайте их.",
            lacking.join("», «")
        ));
    }
    if !u.email_verified && !u.profile.email.is_empty() {
        notes.push(
            "Адрес почты не подтверждён: на него отправлен код (на сервере); введите его: smarteka register --confirm КОД --login ЛОГИН --server АДРЕС."
                .to_owned(),
        );
    }
    if let Some(r) = &u.contacts_request {
        notes.push(format!(
            "Модератор АСИ просит обновить контактные данные до {}{} (п. 4.1.12): сохраните профиль.",
            r.due.format("%d.%m.%Y"),
            if r.due < cx.today() { " — срок прошёл" } else { "" }
        ));
    }
    ProfileView {
        login: u.login.clone(),
        fields,
        filled: of.saturating_sub(missing.len()),
        of,
        missing,
        consents: consents(u),
        notes,
    }
}

/// A consent as the user sees it: given or not, when, to which version.
#[derive(Debug, Clone, Serialize)]
pub struct ConsentRow {
    pub code: &'static str,
    pub name: &'static str,
    pub short: &'static str,
    pub given: Option<chrono::DateTime<chrono::Utc>>,
    pub version: Option<String>,
    pub required: &'static str,
}

/// The user's consents, every kind listed.
pub fn consents(u: &User) -> Vec<ConsentRow> {
    ConsentKind::ALL
        .into_iter()
        .map(|k| {
            let c = u.consents.iter().find(|c| c.kind == k);
            ConsentRow {
                code: k.code(),
                name: k.name(),
                short: k.short(),
                given: c.map(|c| c.at),
                version: c.map(|c| c.version.clone()),
                required: match k {
                    ConsentKind::TermsOfUse | ConsentKind::PersonalData => {
                        "нужно для работы на платформе; отзыв отключает учётную запись"
                    }
                    ConsentKind::PersonalDataForDistribution => {
                        "без него в опубликованных паспортах вы — «участник команды»"
                    }
                    ConsentKind::Consulting => "нужно, чтобы подать практику (п. 4.1.7)",
                },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;

/// Users whose name, login or e-mail holds `text` (two letters at least),
/// for the team fields: (login, name, organisation, profile complete), by
/// name, 20 at most. For a `reader` on the central instance (a session
/// over SSH), each user as the feed would show them to that reader, and
/// matched on that alone.
pub fn find_users(
    store: &crate::store::Store,
    reader: Option<&User>,
    text: &str,
) -> Vec<(String, String, String, bool)> {
    let t = text.trim().to_lowercase();
    if t.chars().count() < 2 {
        return Vec::new();
    }
    let mut out: Vec<(String, String, String, bool)> = store
        .users()
        .filter_map(Result::ok)
        .filter(|u| !u.disabled && !u.password_hash.is_empty())
        .map(|u| {
            let complete = crate::domain::user::profile_problems(&u.profile).is_empty();
            let u = match reader {
                Some(r) => crate::service::ops::redacted(&u, r),
                None => u,
            };
            (u, complete)
        })
        .filter(|(u, _)| {
            // What is withheld is not searched: «скрыто» finds nobody.
            let has = |f: &str| f != crate::domain::user::WITHHELD && f.to_lowercase().contains(&t);
            has(&u.profile.full_name) || has(&u.login) || has(&u.profile.email)
        })
        .map(|(u, complete)| {
            (
                u.login,
                u.profile.full_name,
                u.profile.organisation,
                complete,
            )
        })
        .collect();
    out.sort_by(|a, b| a.1.cmp(&b.1));
    out.truncate(20);
    out
}
