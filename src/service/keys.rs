//! SSH keys of accounts on the central instance: added, listed and
//! removed by their owner, the Модератор АСИ or the store's administrator
//! (each change in the audit trail); and the check the SSH door makes
//! when a key signs in.

use russh::keys::{HashAlg, PublicKey};

use crate::domain::User;
use crate::domain::keys::{self, MAX_LINE, SshKey};
use crate::service::{Ctx, ServiceError};
use crate::store::{Mutation, Record, Store, StoreError};

/// A key read from the line OpenSSH writes (`ssh-ed25519 AAAA… comment`).
pub fn parse(line: &str, added: chrono::DateTime<chrono::Utc>) -> Result<SshKey, ServiceError> {
    let line = line.trim();
    if line.len() > MAX_LINE {
        return Err(ServiceError::bad(format!(
            "Строка ключа длиннее {MAX_LINE} знаков: это не открытый ключ SSH."
        )));
    }
    if line.starts_with("-----BEGIN") {
        return Err(ServiceError::bad(
            "Это закрытый ключ. Добавьте открытый: файл с окончанием .pub.",
        ));
    }
    let key = PublicKey::from_openssh(line).map_err(|e| {
        tracing::info!(error = %e, "an SSH key not read");
        ServiceError::bad(
            "Открытый ключ SSH не прочитан. Нужна строка вида «ssh-ed25519 AAAA… комментарий» из файла .pub.",
        )
    })?;
    Ok(SshKey {
        line: key.to_openssh().unwrap_or_else(|_| line.to_owned()),
        fingerprint: fingerprint(&key),
        algorithm: key.algorithm().as_str().to_owned(),
        comment: key.comment().to_string(),
        added,
    })
}

/// `SHA256:…`, as `ssh-keygen -l` shows it.
pub fn fingerprint(key: &PublicKey) -> String {
    key.fingerprint(HashAlg::Sha256).to_string()
}

fn owner(cx: &Ctx<'_>, actor: Option<&User>, login: &str) -> Result<User, ServiceError> {
    let login = login.trim().to_lowercase();
    let u = cx
        .store
        .user_by_login(&login)?
        .ok_or_else(|| ServiceError::bad(format!("Пользователя «{login}» нет.")))?;
    keys::may_manage(actor, &u).map_err(ServiceError::refused)?;
    Ok(u)
}

/// `login`'s keys, as `actor` may see them.
pub fn list(cx: &Ctx<'_>, actor: Option<&User>, login: &str) -> Result<Vec<SshKey>, ServiceError> {
    let u = owner(cx, actor, login)?;
    Ok(cx.store.ssh_keys(u.id)?.keys)
}

/// Writes an account's keys as changed, with its audit entry.
fn save(
    cx: &Ctx<'_>,
    actor: Option<&User>,
    action: &str,
    summary: String,
    record: crate::domain::keys::SshKeys,
) -> Result<(), ServiceError> {
    cx.store.commit(
        &Mutation::new(actor.map(|a| a.id), action, summary)
            .at(cx.now())
            .with(Record::SshKeys(Box::new(record))),
    )?;
    Ok(())
}

/// Adds a key to `login`'s account.
pub fn add(
    cx: &Ctx<'_>,
    actor: Option<&User>,
    login: &str,
    line: &str,
) -> Result<SshKey, ServiceError> {
    let u = owner(cx, actor, login)?;
    let key = parse(line, cx.now())?;
    let mut record = cx.store.ssh_keys(u.id)?;
    keys::may_add(&record.keys, &key.fingerprint).map_err(ServiceError::refused)?;
    record.keys.push(key.clone());
    let summary = format!(
        "Ключ SSH {} ({}) добавлен пользователю «{}»",
        key.fingerprint, key.algorithm, u.login
    );
    save(cx, actor, "user.ssh_key.add", summary, record)?;
    Ok(key)
}

/// Removes the key `what` (fingerprint or comment) from `login`'s account.
/// A session signed in with it goes on; the next sign-in is refused.
pub fn remove(
    cx: &Ctx<'_>,
    actor: Option<&User>,
    login: &str,
    what: &str,
) -> Result<SshKey, ServiceError> {
    let u = owner(cx, actor, login)?;
    let mut record = cx.store.ssh_keys(u.id)?;
    let key = keys::find(&record.keys, what)
        .map_err(ServiceError::bad)?
        .clone();
    record.keys.retain(|k| k.fingerprint != key.fingerprint);
    let summary = format!(
        "Ключ SSH {} удалён у пользователя «{}»",
        key.fingerprint, u.login
    );
    save(cx, actor, "user.ssh_key.remove", summary, record)?;
    Ok(key)
}

/// The account `login` signs in to with `key`: it exists, is not
/// disabled, and the key is one of its own.
pub fn signs_in(store: &Store, login: &str, key: &PublicKey) -> Result<Option<User>, StoreError> {
    let Some(u) = store.user_by_login(&login.trim().to_lowercase())? else {
        return Ok(None);
    };
    if u.disabled {
        return Ok(None);
    }
    let f = fingerprint(key);
    let keys = store.ssh_keys(u.id)?;
    Ok(keys.keys.iter().any(|k| k.fingerprint == f).then_some(u))
}
