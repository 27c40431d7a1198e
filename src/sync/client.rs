//! `smarteka sync`: send the outbox, keep conflicts and refusals for the
//! user, then pull the change feed page by page, each page applied with its
//! cursor in one transaction. Interrupted at any point, the next run goes
//! on: answered ops are dropped only after their answers are kept, and the
//! cursor moves only with the records it covers.

use chrono::Utc;

use super::{Conflict, OpKind, OpResult, PullReply, PushReply, PushRequest, Remote, pack, unpack};
use crate::client::{Credentials, error_of, http, network};
use crate::server::{PROTOCOL, PROTOCOL_HEADER};
use crate::store::{Mutation, Record, Store};

/// Ops sent per request.
const BATCH: usize = 100;
/// The largest unpacked reply.
const REPLY_LIMIT: usize = 64 * 1024 * 1024;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    pub sent: usize,
    pub received: usize,
    pub conflicts: usize,
    pub rejected: usize,
}

async fn post(creds: &Credentials, path: &str, body: Vec<u8>) -> Result<Vec<u8>, String> {
    let resp = http()?
        .post(format!("{}{path}", creds.server))
        .header(PROTOCOL_HEADER, PROTOCOL.to_string())
        .header(
            reqwest::header::AUTHORIZATION,
            format!("Bearer {}", creds.token),
        )
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(reqwest::header::CONTENT_ENCODING, "zstd")
        .body(pack(&body))
        .send()
        .await
        .map_err(|e| network(&e))?;
    if !resp.status().is_success() {
        return Err(error_of(resp).await);
    }
    let bytes = resp.bytes().await.map_err(|e| network(&e))?;
    unpack(&bytes, REPLY_LIMIT)
}

/// A signed GET; the body as it came.
async fn fetch(creds: &Credentials, path: &str) -> Result<Vec<u8>, String> {
    let resp = http()?
        .get(format!("{}{path}", creds.server))
        .header(PROTOCOL_HEADER, PROTOCOL.to_string())
        .header(
            reqwest::header::AUTHORIZATION,
            format!("Bearer {}", creds.token),
        )
        .send()
        .await
        .map_err(|e| network(&e))?;
    if !resp.status().is_success() {
        return Err(error_of(resp).await);
    }
    Ok(resp.bytes().await.map_err(|e| network(&e))?.to_vec())
}

async fn get(creds: &Credentials, path: &str) -> Result<Vec<u8>, String> {
    unpack(&fetch(creds, path).await?, REPLY_LIMIT)
}

/// Keeps what the user must see of one answered op.
fn keep_answer(store: &Store, op: &super::Op, r: &OpResult) -> Result<(usize, usize), String> {
    let practice = op.kind.practice();
    let title = store
        .practice(practice)
        .ok()
        .flatten()
        .map(|p| p.passport.title)
        .unwrap_or_default();
    match r {
        OpResult::Applied => Ok((0, 0)),
        OpResult::Conflict {
            fields,
            theirs,
            revision,
        } => {
            let mine = match &op.kind {
                OpKind::Edit { passport, .. } => Some(passport.clone()),
                _ => None,
            };
            for f in fields {
                store
                    .put_conflict(&Conflict {
                        practice,
                        // One record per op and field: a later conflict on
                        // the same field does not hide an earlier one.
                        key: format!("{}#{}", f.id(), op.seq),
                        title: title.clone(),
                        field: Some(*f),
                        mine: mine.clone(),
                        theirs: Some(theirs.clone()),
                        revision: *revision,
                        reason: None,
                        at: Utc::now(),
                    })
                    .map_err(|e| e.to_string())?;
            }
            Ok((fields.len(), 0))
        }
        OpResult::Rejected { reason } => {
            store
                .put_conflict(&Conflict {
                    practice,
                    key: format!("op-{}", op.seq),
                    title,
                    field: None,
                    mine: None,
                    theirs: None,
                    revision: 0,
                    reason: Some(reason.clone()),
                    at: Utc::now(),
                })
                .map_err(|e| e.to_string())?;
            Ok((0, 1))
        }
    }
}

/// Compares this store with the server: every practice the user may read,
/// as the server has it. Returns the titles of those that differ (or are
/// missing here), and how many were compared.
pub async fn verify(store: &Store, creds: &Credentials) -> Result<(Vec<String>, usize), String> {
    let mut differ = Vec::new();
    let mut compared = 0;
    let mut since = 0;
    loop {
        let page: PullReply =
            serde_json::from_slice(&get(creds, &format!("/api/changes?since={since}")).await?)
                .map_err(|e| format!("Ответ сервера не разобран: {e}"))?;
        for r in page.records {
            if let Remote::Practice(p) = r {
                compared += 1;
                let local = store.practice(p.id).map_err(|e| e.to_string())?;
                let same = local
                    .as_ref()
                    .is_some_and(|l| l.passport == p.passport && l.status == p.status);
                if !same {
                    differ.push(p.passport.title.clone());
                }
            }
        }
        since = page.cursor;
        if !page.more {
            break;
        }
    }
    Ok((differ, compared))
}

/// Sends the outbox, then pulls everything new.
pub async fn sync(
    store: &Store,
    creds: &Credentials,
    mut progress: impl FnMut(&str),
) -> Result<Summary, String> {
    let client = store.link().map_err(|e| e.to_string())?;
    let mut summary = Summary::default();
    let outbox = store.outbox().map_err(|e| e.to_string())?;
    let blobs = crate::store::blobs::Blobs::new(store.dir());
    for chunk in outbox.chunks(BATCH) {
        // Files first, each resumable: an op never reaches the server
        // before the files it names.
        let mut files: Vec<String> = chunk.iter().flat_map(|o| o.kind.blobs()).collect();
        files.sort();
        files.dedup();
        for (i, sha) in files.iter().enumerate() {
            progress(&format!("Файлы: {} из {}", i + 1, files.len()));
            super::files::upload(creds, &blobs, sha).await?;
        }
        progress(&format!(
            "Отправка: {} из {}",
            summary.sent + chunk.len(),
            outbox.len()
        ));
        let body = serde_json::to_vec(&PushRequest {
            client,
            ops: chunk.to_vec(),
        })
        .map_err(|e| e.to_string())?;
        let reply: PushReply = serde_json::from_slice(&post(creds, "/api/push", body).await?)
            .map_err(|e| format!("Ответ сервера не разобран: {e}"))?;
        let mut answered = Vec::new();
        for (seq, r) in &reply.results {
            if let Some(op) = chunk.iter().find(|o| o.seq == *seq) {
                let (c, rj) = keep_answer(store, op, r)?;
                summary.conflicts += c;
                summary.rejected += rj;
                answered.push(*seq);
            }
        }
        store.drop_ops(&answered).map_err(|e| e.to_string())?;
        summary.sent += answered.len();
    }
    loop {
        let since = store.pull_cursor().map_err(|e| e.to_string())?;
        let page: PullReply = serde_json::from_slice(
            &get(
                creds,
                &format!("/api/changes?since={since}&client={client}"),
            )
            .await?,
        )
        .map_err(|e| format!("Ответ сервера не разобран: {e}"))?;
        let mut m = Mutation::new(None, "sync.pull", "Получены изменения с сервера");
        let mut synced = Vec::new();
        // Changes made here while this sync ran stay on top of what came.
        let pending = store.outbox().map_err(|e| e.to_string())?;
        for r in page.records {
            match r {
                Remote::Practice(mut p) => {
                    synced.push((p.id, p.revision));
                    for op in &pending {
                        if let OpKind::Edit {
                            practice,
                            fields,
                            passport,
                            ..
                        } = &op.kind
                            && *practice == p.id
                        {
                            for f in fields {
                                crate::domain::passport::copy_field(&mut p.passport, passport, *f);
                            }
                        }
                    }
                    m = m.with(Record::Practice(p));
                }
                Remote::User(u) => m = m.with(Record::User(u)),
                Remote::Application(a) => m = m.with(Record::Application(a)),
                Remote::Event(e) => m = m.with(Record::Event(e)),
            }
        }
        summary.received += synced.len();
        m.pulled = Some((page.cursor, synced));
        store.commit(&m).map_err(|e| e.to_string())?;
        progress(&format!("Получено: {}", summary.received));
        if !page.more {
            break;
        }
    }
    Ok(summary)
}

/// Waits up to `secs` seconds for news on the server after `since` (at
/// least the store's own cursor): a change the user may read that this
/// client did not make. Returns the server's answer; its `latest` is the
/// `since` for the next wait.
pub async fn wait(
    store: &Store,
    creds: &Credentials,
    since: u64,
    secs: u64,
) -> Result<super::News, String> {
    let client = store.link().map_err(|e| e.to_string())?;
    let since = since.max(store.pull_cursor().map_err(|e| e.to_string())?);
    let bytes = fetch(
        creds,
        &format!("/api/changes/wait?since={since}&client={client}&timeout={secs}"),
    )
    .await?;
    serde_json::from_slice(&bytes).map_err(|e| format!("Ответ сервера не разобран: {e}"))
}
