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
