//! Accounts: who a login is, signing in (argon2id hashes in PHC strings;
//! on a linked store, the session `smarteka login` saved), and the
//! coordinator's confirmation of a user and the Модератор АСИ's grant of
//! authoring (§4.1.3), which travel to the server as ops.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

use crate::domain::refdata::refdata;
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
    store
        .user_by_login(login)?
        .ok_or_else(|| ServiceError::bad(format!("Пользователь «{login}» не найден.")))
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

#[cfg(test)]
mod tests {
    use super::*;

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
