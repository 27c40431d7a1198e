//! SSH keys of an account: the public keys its owner signs in with at the
//! central instance's SSH door (`serve --ssh-bind`). Kept on the central
//! instance only, never fed to workstations.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::user::{Role, User, UserId};

/// The most keys one account may have.
pub const MAX_KEYS: usize = 20;
/// The longest key line accepted (an RSA key of 16 384 bits fits).
pub const MAX_LINE: usize = 8 * 1024;

/// One public key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SshKey {
    /// The key as OpenSSH writes it: `ssh-ed25519 AAAA… comment`.
    pub line: String,
    /// `SHA256:…`, as `ssh-keygen -l` shows it.
    pub fingerprint: String,
    /// The algorithm's name (`ssh-ed25519`).
    pub algorithm: String,
    pub comment: String,
    pub added: DateTime<Utc>,
}

/// An account's keys, one record per account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SshKeys {
    pub user: UserId,
    pub keys: Vec<SshKey>,
}

/// Whether `actor` may change `owner`'s keys: the owner, the Модератор АСИ,
/// or the store's administrator (no actor: the command line on the
/// server's store). Refused in Russian.
pub fn may_manage(actor: Option<&User>, owner: &User) -> Result<(), String> {
    match actor {
        None => Ok(()),
        Some(a) if a.id == owner.id || a.has_role(Role::AsiModerator) => Ok(()),
        Some(_) => Err(format!(
            "ключи SSH пользователя «{}» меняет он сам или модератор АСИ.",
            owner.login
        )),
    }
}

/// Whether a key may be added to `keys`: not there yet, and room left.
pub fn may_add(keys: &[SshKey], fingerprint: &str) -> Result<(), String> {
    if keys.iter().any(|k| k.fingerprint == fingerprint) {
        return Err(format!("ключ {fingerprint} уже добавлен."));
    }
    if keys.len() >= MAX_KEYS {
        return Err(format!(
            "у учётной записи уже {MAX_KEYS} ключей: удалите ненужный (smarteka user key remove)."
        ));
    }
    Ok(())
}

/// The key named by `what`: its whole fingerprint, the fingerprint without
/// «SHA256:», or its comment when only one key has it.
pub fn find<'a>(keys: &'a [SshKey], what: &str) -> Result<&'a SshKey, String> {
    let w = what.trim();
    let bare = |f: &str| f.trim_start_matches("SHA256:").to_owned();
    if let Some(k) = keys
        .iter()
        .find(|k| k.fingerprint == w || bare(&k.fingerprint) == w)
    {
        return Ok(k);
    }
    let named: Vec<&SshKey> = keys
        .iter()
        .filter(|k| !w.is_empty() && k.comment == w)
        .collect();
    match named.as_slice() {
        [k] => Ok(k),
        [] => Err(format!(
            "Ключа «{w}» нет: укажите отпечаток из smarteka user key list."
        )),
        _ => Err(format!(
            "Ключей с комментарием «{w}» несколько: укажите отпечаток."
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fixtures;
    use crate::domain::user::RoleGrant;

    fn key(f: &str, comment: &str) -> SshKey {
        SshKey {
            line: format!("ssh-ed25519 AAAA {comment}"),
            fingerprint: f.to_owned(),
            algorithm: "ssh-ed25519".into(),
            comment: comment.into(),
            added: chrono::Utc::now(),
        }
    }

    #[test]
    fn the_owner_the_moderator_and_the_administrator_manage_keys() {
        let owner = fixtures::user(1, Vec::new());
        let other = fixtures::user(2, Vec::new());
        let asi = fixtures::user(3, vec![RoleGrant::global(Role::AsiModerator)]);
        assert!(may_manage(Some(&owner), &owner).is_ok());
        assert!(may_manage(Some(&asi), &owner).is_ok());
        assert!(may_manage(None, &owner).is_ok());
        let refused = may_manage(Some(&other), &owner).expect_err("refused");
        assert!(refused.contains("«u1»"), "{refused}");
    }

    #[test]
    fn a_key_is_added_once_and_found_by_fingerprint_or_comment() {
        let keys = vec![key("SHA256:abc", "laptop"), key("SHA256:def", "work")];
        assert!(may_add(&keys, "SHA256:abc").is_err());
        assert!(may_add(&keys, "SHA256:xyz").is_ok());
        assert_eq!(find(&keys, "abc").map(|k| k.comment.as_str()), Ok("laptop"));
        assert_eq!(
            find(&keys, "SHA256:def").map(|k| k.comment.as_str()),
            Ok("work")
        );
        assert_eq!(
            find(&keys, "work").map(|k| k.fingerprint.as_str()),
            Ok("SHA256:def")
        );
        assert!(find(&keys, "nothing").is_err());
        let full: Vec<SshKey> = (0..MAX_KEYS).map(|i| key(&format!("f{i}"), "k")).collect();
        assert!(may_add(&full, "new").expect_err("full").contains("20"));
        assert!(find(&full, "k").expect_err("many").contains("несколько"));
    }
}
