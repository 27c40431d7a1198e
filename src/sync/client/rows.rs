//! Usable first, complete later: a first sync brings the catalogue's rows
//! before the feed, so a coordinator on a slow link searches and opens
//! rows within seconds while the passports stream in behind; a row opened
//! before its passport arrived is fetched at once.

use super::REPLY_LIMIT;
use super::api::{self, Credentials, Refusal, send, signed};
use crate::domain::{Practice, PracticeId};
use crate::store::{Mutation, Record, Store};
use crate::sync::protocol::{BINARY, RowsReply, decode_body};

/// Brings the rows of the practices this store does not hold yet, in one
/// commit: the catalogue, its search and the queues work on them at once.
/// Returns how many came.
pub async fn rows_first(store: &Store, creds: &Credentials) -> Result<usize, String> {
    let req =
        signed(creds, reqwest::Method::GET, "/api/rows")?.header(reqwest::header::ACCEPT, BINARY);
    let reply: RowsReply = decode_body(
        &send(req).await.map_err(Refusal::message)?,
        true,
        REPLY_LIMIT,
    )
    .map_err(|e| format!("Ответ сервера не разобран: {e}"))?;
    let mut m = Mutation::new(None, "sync.rows", "Получен список практик каталога");
    m.rows = true;
    let mut n = 0;
    for p in reply.rows {
        // A practice held here (made offline, or pulled) stays as it is.
        if store.practice(p.id).map_err(|e| e.to_string())?.is_none() {
            m = m.with(Record::Practice(Box::new(p)));
            n += 1;
        }
    }
    if n > 0 {
        store.commit(&m).map_err(|e| e.to_string())?;
    }
    Ok(n)
}

/// Fetches one whole practice and keeps it unless the feed brought it (or
/// a newer one) meanwhile.
pub async fn fetch_whole(store: &Store, creds: &Credentials, id: PracticeId) -> Result<(), String> {
    let req = signed(creds, reqwest::Method::GET, &format!("/api/practices/{id}"))?
        .header(reqwest::header::ACCEPT, BINARY);
    let p: Practice = decode_body(
        &send(req).await.map_err(Refusal::message)?,
        true,
        REPLY_LIMIT,
    )
    .map_err(|e| format!("Ответ сервера не разобран: {e}"))?;
    let e = |e: crate::store::StoreError| e.to_string();
    let newer = store
        .practice(id)
        .map_err(e)?
        .is_none_or(|here| here.revision < p.revision);
    if store.is_row_only(id).map_err(e)? || newer {
        let mut m = Mutation::new(None, "sync.whole", "Получен паспорт практики")
            .with(Record::Practice(Box::new(p.clone())));
        // The revision it came at, for the edits made on it; the pull
        // cursor stays where the feed left it.
        m.pulled = Some((0, vec![(p.id, p.revision)]));
        store.commit(&m).map_err(e)?;
    }
    Ok(())
}

/// The practice here whole: a row whose passport has not arrived yet, or a
/// practice not here at all, is fetched from the server now. For the workstation and the command line,
/// which open passports outside a sync.
pub fn ensure_whole(store: &Store, id: PracticeId) -> Result<(), String> {
    if store.practice(id).map_err(|e| e.to_string())?.is_none() {
        // Not here at all (a practice put forward to a selection reaches
        // its experts so): asked of the server if this store is linked;
        // if it is not there either, the caller says it was not found.
        if let Ok(Some(creds)) = api::credentials(store.dir()) {
            let _ = api::block_on(fetch_whole(store, &creds, id));
        }
        return Ok(());
    }
    if !store.is_row_only(id).map_err(|e| e.to_string())? {
        return Ok(());
    }
    let fetched = match api::credentials(store.dir())? {
        Some(creds) => api::block_on(fetch_whole(store, &creds, id)).and_then(|r| r),
        None => Err("вход на сервер не выполнен".to_owned()),
    };
    fetched.map_err(|e| {
        tracing::info!(error = %e, %id, "a row's passport was not fetched");
        format!(
            "Паспорт этой практики ещё не получен с сервера, а получить его сейчас не удалось: {}. Он придёт со следующей синхронизацией.",
            e.trim_end_matches('.')
        )
    })
}
