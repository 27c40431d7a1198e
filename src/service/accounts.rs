//! Accounts: who a login is, signing in (argon2id hashes in PHC strings;
//! on a linked store, the session `smarteka login` saved), and the
//! coordinator's confirmation of a user and the Модератор АСИ's grant of
//! authoring (§4.1.3), which travel to the server as ops.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

use crate::domain::refdata::refdata;
use crate::domain::user::{Profile, is_email, is_mobile_phone};
use crate::domain::{Role, User};
use crate::service::{Ctx, ServiceError};
use crate::store::{Mutation, Record, Store};
use crate::sync::protocol::OpKind;

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> Result<String, String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| format!("не удалось вычислить хеш пароля: {e}"))
}

/// Why a new password will not do, if it will not.
pub fn weak_password(password: &str) -> Option<String> {
    (password.chars().count() < 8).then(|| "Пароль — не короче 8 знаков.".to_owned())
}

/// Why a sign-in was refused, for the server's log (never shown: the user
/// is told only «Неверный логин или пароль»).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    UnknownLogin,
    WrongPassword,
    NoPassword,
    Disabled,
    Store,
}

impl Refused {
    pub fn code(self) -> &'static str {
        match self {
            Self::UnknownLogin => "unknown-login",
            Self::WrongPassword => "wrong-password",
            Self::NoPassword => "no-password",
            Self::Disabled => "disabled",
            Self::Store => "store",
        }
    }
}

/// A hash of no one's password: an unknown login is checked against it, so
/// a refusal takes as long whether or not the login exists.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        let random = format!("{:032x}", rand::random::<u128>());
        hash_password(&random).unwrap_or_default()
    })
}

/// Signs a user in: the account exists, has a password, the password
/// matches, and the account is enabled. One message for a wrong login or
/// password, so a refusal does not tell which logins exist; that an
/// account is disabled is said only to whoever knows its password. An
/// unknown login costs the same hash as a known one.
pub fn sign_in(store: &Store, login: &str, password: &str) -> Result<User, String> {
    check(store, login, password).map_err(|(m, _)| m)
}

/// [`sign_in`] with the reason of a refusal, for the log.
pub fn check(store: &Store, login: &str, password: &str) -> Result<User, (String, Refused)> {
    const REFUSED: &str = "Неверный логин или пароль.";
    let found = store
        .user_by_login(login.trim())
        .map_err(|e| (e.to_string(), Refused::Store))?;
    let Some(user) = found else {
        let _ = verify_password(password, dummy_hash());
        return Err((REFUSED.to_owned(), Refused::UnknownLogin));
    };
    if user.password_hash.is_empty() {
        let _ = verify_password(password, dummy_hash());
        return Err((REFUSED.to_owned(), Refused::NoPassword));
    }
    if !verify_password(password, &user.password_hash) {
        return Err((REFUSED.to_owned(), Refused::WrongPassword));
    }
    if user.disabled {
        return Err((DISABLED.to_owned(), Refused::Disabled));
    }
    Ok(user)
}

/// Whether the password matches the stored hash. A malformed hash never
/// matches.
pub fn verify_password(password: &str, hash: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), hash)
        .is_ok()
}

/// The user a login names: the one resolution of logins for every caller.
pub fn user_by_login(store: &Store, login: &str) -> Result<User, ServiceError> {
    let login = login.trim();
    if let Some(u) = store.user_by_login(login)? {
        return Ok(u);
    }
    // A person who keeps their name to themself travels to others under
    // `u-<id>` (see the feed): an op naming them so finds them by id.
    if let Some(id) = crate::domain::user::pseudonym_id(login)
        && let Some(u) = store.user(id)?
    {
        return Ok(u);
    }
    Err(ServiceError::bad(format!(
        "Пользователь «{login}» не найден."
    )))
}

/// On a store linked to a server, the user whose unexpired session
/// `smarteka login` saved: the server checked their password then.
pub fn session_user(cx: &Ctx<'_>, login: &str) -> Option<User> {
    let c = crate::store::credentials::credentials(cx.store.dir())
        .ok()
        .flatten()?;
    if c.login != login.trim() || c.expires <= cx.now() {
        return None;
    }
    cx.store.user_by_login(&c.login).ok().flatten()
}

/// Signs a user in on this workstation, for the CLI and the workstation
/// alike: on a linked store the saved session stands for the password
/// (a linked store's users carry no hashes); else `password` is asked for
/// and checked against the store.
pub fn sign_in_here(
    cx: &Ctx<'_>,
    login: &str,
    password: impl FnOnce() -> Result<String, ServiceError>,
) -> Result<User, ServiceError> {
    if let Some(u) = session_user(cx, login) {
        if u.disabled {
            return Err(ServiceError::refused(DISABLED));
        }
        return Ok(u);
    }
    let password = password()?;
    check(cx.store, login, &password).map_err(|(m, why)| match why {
        Refused::Store => ServiceError::Store(m),
        _ => ServiceError::NotFound(m),
    })
}

const DISABLED: &str = "Учётная запись отключена. Обратитесь к модератору АСИ.";

/// §4.1.3: the coordinator confirms a user (`grant` false) or the
/// Модератор АСИ grants them access to passports (`grant` true). On a
/// linked store the change is queued for the server, which applies it
/// through this same function; `extra` adds to the change before it is
/// committed (the server records the client's op with it).
pub fn authoring_with(
    cx: &Ctx<'_>,
    actor: &User,
    login: &str,
    grant: bool,
    extra: impl FnOnce(&mut Mutation),
) -> Result<User, ServiceError> {
    let store = cx.store;
    let target = user_by_login(store, login)?;
    let login = target.login.clone();
    let (next, action, summary) = if grant {
        let u = crate::domain::authoring::grant(actor, &target).map_err(ServiceError::refused)?;
        (
            u,
            "user.grant-author",
            format!("Предоставлен доступ к заполнению паспорта практики: {login}"),
        )
    } else {
        let u = crate::domain::authoring::verify(actor, &target, cx.now(), refdata())
            .map_err(ServiceError::refused)?;
        (
            u,
            "user.verify",
            format!("Региональный координатор подтвердил пользователя {login}"),
        )
    };
    let mut m =
        Mutation::new(Some(actor.id), action, summary).with(Record::User(Box::new(next.clone())));
    m.notify.push(next.id);
    if !grant {
        // The Модератор АСИ finds the confirmation in their inbox.
        for u in store.users().filter_map(Result::ok) {
            if u.has_role(Role::AsiModerator) && !u.disabled {
                m.notify.push(u.id);
            }
        }
    }
    m.op = Some(OpKind::Authoring { login, grant });
    m.at = Some(cx.now());
    extra(&mut m);
    store.commit(&m)?;
    Ok(next)
}

/// [`authoring_with`] for the CLI and the workstation.
pub fn authoring(
    cx: &Ctx<'_>,
    actor: &User,
    login: &str,
    grant: bool,
) -> Result<User, ServiceError> {
    authoring_with(cx, actor, login, grant, |_| {})
}

/// A new account as the administrator of a store gives it.
#[derive(Debug, Clone, Default)]
pub struct NewUser {
    pub login: String,
    pub full_name: String,
    /// A region code.
    pub region: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub organisation: Option<String>,
    pub position: Option<String>,
    pub password: String,
}

/// Saves an account change made by the administrator of the store (no
/// signed-in actor), with its audit entry.
fn save_admin(cx: &Ctx<'_>, u: &User, action: &str, summary: String) -> Result<(), ServiceError> {
    let mut m = Mutation::new(None, action, summary)
        .at(cx.now())
        .with(Record::User(Box::new(u.clone())));
    if action == "user.add" {
        m.fresh.push(crate::store::EntityRef::User(u.id));
    }
    cx.store.commit(&m).map_err(|e| match e {
        crate::store::StoreError::LoginTaken(l) => {
            ServiceError::refused(format!("логин «{l}» уже занят."))
        }
        e => e.into(),
    })?;
    Ok(())
}

/// `smarteka user add`: a new account.
pub fn add_user(cx: &Ctx<'_>, new: NewUser) -> Result<User, ServiceError> {
    let login = new.login.trim().to_lowercase();
    if !crate::domain::people::login_chars(&login) {
        return Err(ServiceError::bad(
            "Логин — латинские буквы, цифры, «-», «_» и «.», первый — буква или цифра.",
        ));
    }
    if cx.store.user_by_login(&login)?.is_some() {
        return Err(ServiceError::refused(format!("логин «{login}» уже занят.")));
    }
    if let Some(e) = new.email.as_deref().filter(|e| !is_email(e)) {
        return Err(ServiceError::bad(format!(
            "«{e}» — не адрес электронной почты."
        )));
    }
    if let Some(p) = new.phone.as_deref().filter(|p| !is_mobile_phone(p)) {
        return Err(ServiceError::bad(format!(
            "«{p}» — не номер мобильного телефона."
        )));
    }
    if let Some(why) = weak_password(&new.password) {
        return Err(ServiceError::bad(why));
    }
    let u = User {
        id: uuid::Uuid::now_v7(),
        login: login.clone(),
        profile: Profile {
            full_name: new.full_name.trim().to_owned(),
            organisation: new.organisation.unwrap_or_default(),
            organisation_kind: None,
            position: new.position.unwrap_or_default(),
            phone: new.phone.unwrap_or_default(),
            email: new.email.unwrap_or_default(),
            photo: None,
            region: new.region,
            head_of_body: false,
        },
        roles: Vec::new(),
        password_hash: hash_password(&new.password).map_err(ServiceError::Store)?,
        email_verified: false,
        consents: Vec::new(),
        disabled: false,
        created: cx.now(),
        verified: None,
        mail_opt_out: false,
        code: None,
        contacts_request: None,
        pool: Vec::new(),
    };
    save_admin(cx, &u, "user.add", format!("Заведён пользователь {login}"))?;
    Ok(u)
}

/// `smarteka user role add|remove`: a role granted (with the region or
/// the categories it needs) or taken away.
pub fn change_role(
    cx: &Ctx<'_>,
    login: &str,
    add: bool,
    role: Role,
    region: Option<String>,
    categories: Vec<String>,
) -> Result<User, ServiceError> {
    let target = user_by_login(cx.store, login)?;
    if add {
        // A scope missing is a flag missing, not a refusal.
        crate::domain::people::scoped(role, region.clone(), categories.clone())
            .map_err(ServiceError::bad)?;
    }
    let u = crate::domain::people::change_role(&target, add, role, region, categories)
        .map_err(ServiceError::refused)?;
    let change = if add { "add" } else { "remove" };
    save_admin(
        cx,
        &u,
        "user.role",
        format!("Роль «{}» пользователя {}: {change}", role.name(), u.login),
    )?;
    Ok(u)
}

/// `smarteka user disable|enable`.
pub fn set_disabled(cx: &Ctx<'_>, login: &str, disabled: bool) -> Result<User, ServiceError> {
    let mut u = user_by_login(cx.store, login)?;
    if u.disabled == disabled {
        return Err(ServiceError::refused(if disabled {
            format!("«{}» уже отключён.", u.login)
        } else {
            format!("«{}» не отключён.", u.login)
        }));
    }
    u.disabled = disabled;
    let (action, summary) = if disabled {
        ("user.disable", format!("Отключён пользователь {}", u.login))
    } else {
        ("user.enable", format!("Включён пользователь {}", u.login))
    };
    save_admin(cx, &u, action, summary)?;
    Ok(u)
}

/// A new password in this store (a workstation not linked to a server):
/// the old one is checked first.
pub fn change_password_here(
    cx: &Ctx<'_>,
    login: &str,
    old: &str,
    new: &str,
) -> Result<(), ServiceError> {
    if let Some(why) = weak_password(new) {
        return Err(ServiceError::bad(why));
    }
    let user = sign_in(cx.store, login, old).map_err(ServiceError::NotFound)?;
    let hash = hash_password(new).map_err(ServiceError::Store)?;
    set_password(cx, user, hash)?;
    Ok(())
}

/// Stores a user's new password hash (checked and hashed by the caller:
/// the server hashes off its async threads), with its audit entry.
pub fn set_password(cx: &Ctx<'_>, mut user: User, hash: String) -> Result<User, ServiceError> {
    user.password_hash = hash;
    cx.store.commit(
        &Mutation::new(Some(user.id), "user.password", "Пароль изменён")
            .at(cx.now())
            .with(Record::User(Box::new(user.clone()))),
    )?;
    Ok(user)
}

/// `smarteka import leaders`, by the Модератор АСИ: the lists of the years
/// given replace those years' lists.
pub fn import_leaders(
    cx: &Ctx<'_>,
    actor: &User,
    leaders: &[crate::domain::eligibility::Leader],
) -> Result<Vec<i32>, ServiceError> {
    crate::domain::eligibility::may_import_leaders(actor).map_err(ServiceError::refused)?;
    let mut years: Vec<i32> = leaders.iter().map(|l| l.year).collect();
    years.sort_unstable();
    years.dedup();
    let mut m = Mutation::new(
        Some(actor.id),
        "leaders.import",
        format!(
            "Загружены списки лидеров рейтингов: {} строк",
            leaders.len()
        ),
    )
    .at(cx.now());
    for y in &years {
        m = m.with(Record::Leaders {
            year: *y,
            leaders: leaders.iter().filter(|l| l.year == *y).cloned().collect(),
        });
    }
    cx.store.commit(&m)?;
    Ok(years)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One sign-in for the CLI and the workstation: a saved, unexpired
    /// session stands for the password (which is then not asked for); an
    /// expired one does not; a disabled account is refused either way.
    #[test]
    fn a_saved_session_stands_for_the_password_until_it_expires() {
        use crate::domain::clock::{Clock as _, FixedClock};
        let dir = tempfile::tempdir().expect("tempdir");
        let store = crate::store::Store::open(dir.path()).expect("store");
        crate::demo::seed_at(&store, 3, 1, chrono::Utc::now(), |_, _| {}).expect("seed");
        let clock = FixedClock::new(chrono::Utc::now());
        let cx = Ctx::new(&store, &clock);
        let asked = std::cell::Cell::new(0);
        let password = |p: &'static str| {
            let asked = &asked;
            move || {
                asked.set(asked.get() + 1);
                Ok(p.to_owned())
            }
        };
        // No session: the password is asked and checked.
        assert!(sign_in_here(&cx, "author", password("demo")).is_ok());
        assert!(sign_in_here(&cx, "author", password("wrong")).is_err());
        assert_eq!(asked.get(), 2);
        crate::store::credentials::remember(
            dir.path(),
            &crate::store::credentials::Credentials {
                server: "https://smarteka.example".into(),
                login: "author".into(),
                token: "t".into(),
                expires: clock.now() + chrono::Duration::hours(1),
            },
        )
        .expect("remembered");
        let u = sign_in_here(&cx, "author", password("wrong")).expect("the session stands");
        assert_eq!(u.login, "author");
        assert_eq!(asked.get(), 2, "not asked");
        // Another login, or the session expired: asked again.
        assert!(sign_in_here(&cx, "coordinator", password("demo")).is_ok());
        clock.advance(chrono::Duration::hours(2));
        assert!(sign_in_here(&cx, "author", password("wrong")).is_err());
        assert_eq!(asked.get(), 4);
    }

    #[test]
    fn hash_and_verify() {
        let h = hash_password("пароль").expect("hashes");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("пароль", &h));
        assert!(!verify_password("Пароль", &h));
        assert!(!verify_password("пароль", "not a hash"));
        assert_ne!(h, hash_password("пароль").expect("hashes"), "salted");
    }

    #[test]
    fn an_unknown_login_costs_a_hash_and_a_disabled_account_is_named_only_to_its_owner() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = crate::store::Store::open(dir.path()).expect("store");
        let mut u = crate::domain::User {
            id: uuid::Uuid::now_v7(),
            login: "ivanova".into(),
            profile: crate::domain::user::Profile::default(),
            roles: vec![],
            password_hash: hash_password("верный-пароль").expect("hashes"),
            email_verified: true,
            consents: vec![],
            disabled: true,
            created: chrono::Utc::now(),
            verified: None,
            mail_opt_out: false,
            code: None,
            contacts_request: None,
            pool: Vec::new(),
        };
        store
            .commit(
                &crate::store::Mutation::new(None, "user.add", "u")
                    .with(crate::store::Record::User(Box::new(u.clone()))),
            )
            .expect("commits");
        let refused = |l: &str, p: &str| check(&store, l, p).expect_err("refused");
        assert_eq!(
            refused("ivanova", "не тот"),
            (
                "Неверный логин или пароль.".to_owned(),
                Refused::WrongPassword
            )
        );
        assert_eq!(refused("ivanova", "верный-пароль").1, Refused::Disabled);
        assert_eq!(
            refused("nobody", "x"),
            (
                "Неверный логин или пароль.".to_owned(),
                Refused::UnknownLogin
            )
        );
        assert!(
            dummy_hash().starts_with("$argon2id$"),
            "a real hash is checked"
        );
        u.disabled = false;
        store
            .commit(
                &crate::store::Mutation::new(None, "user.enable", "u")
                    .with(crate::store::Record::User(Box::new(u))),
            )
            .expect("commits");
        assert!(check(&store, "ivanova", "верный-пароль").is_ok());
    }
}
