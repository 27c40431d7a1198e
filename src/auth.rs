//! Passwords: argon2id hashes in PHC strings.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> Result<String, String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| format!("не удалось вычислить хеш пароля: {e}"))
}

/// Signs a user in: the account exists, is enabled, has a password, and
/// the password matches. One message for a wrong login or password, so a
/// refusal does not tell which logins exist.
pub fn sign_in(
    store: &crate::store::Store,
    login: &str,
    password: &str,
) -> Result<crate::domain::User, String> {
    const REFUSED: &str = "Неверный логин или пароль.";
    let user = store
        .user_by_login(login.trim())
        .map_err(|e| e.to_string())?
        .ok_or(REFUSED)?;
    if user.disabled {
        return Err("Учётная запись отключена. Обратитесь к модератору АСИ.".to_owned());
    }
    if user.password_hash.is_empty() || !verify_password(password, &user.password_hash) {
        return Err(REFUSED.to_owned());
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
}
