//! `smarteka sync`: send the outbox, keep conflicts and refusals for the
//! user, then pull the change feed page by page, each page applied with its
//! cursor in one transaction. Interrupted at any point, the next run goes
//! on: answered ops are dropped only after their answers are kept, and the
//! cursor moves only with the records it covers.

pub mod api;
pub mod files;
pub mod rows;

use crate::store::{Mutation, Record, Store};
use crate::sync::protocol::{
    BINARY, Chain, Conflict, OpKind, OpResult, PullReply, PushReply, PushRequest, Remote,
    decode_body, encode_body,
};
use api::{Credentials, Refusal, send, signed};

/// Signs `login` in on the server and links the store to it: the session
/// saved (0600), and the client id the server registered to this user
/// taken, so local changes are queued for the server from now on. The
/// command line's `login` and the workstation's sign-up both end here.
pub fn link(
    store: &Store,
    server: &str,
    login: &str,
    password: &str,
) -> Result<crate::sync::protocol::LoginReply, String> {
    let base = api::base_url(server)?;
    let client = store.client_id().map_err(|e| e.to_string())?;
    let reply: crate::sync::protocol::LoginReply = api::post_json(
        &base,
        "/api/login",
        &crate::sync::protocol::LoginRequest {
            login: login.to_owned(),
            password: password.to_owned(),
            client,
        },
    )?;
    api::remember(
        store.dir(),
        &Credentials {
            server: base,
            login: reply.user.login.clone(),
            token: reply.token.clone(),
            expires: reply.expires,
        },
    )
    .map_err(|e| format!("Сеанс не сохранён: {e}"))?;
    match reply.client {
        Some(id) if Some(id) != client => {
            store.relink(Some(id), &[]).map_err(|e| e.to_string())?;
        }
        Some(_) => {}
        None => {
            store.link().map_err(|e| e.to_string())?;
        }
    }
    Ok(reply)
}

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
    /// Ops sent again under a new client id (a restored store or server).
    pub resent: usize,
    /// The server was restored from a backup: everything was pulled again.
    pub server_restored: bool,
    /// The server's audit chain no longer holds what this client saw: its
    /// history was rewritten.
    pub history_rewritten: bool,
    /// Rows of the catalogue a first sync brought before their passports.
    pub rows: usize,
}

/// How far a sync has come, for a progress line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    Files {
        done: usize,
        total: usize,
    },
    Sending {
        done: usize,
        total: usize,
    },
    /// A first sync brought the catalogue's rows; passports follow.
    Rows(usize),
    /// Practices received so far.
    Received(usize),
}

impl std::fmt::Display for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Files { done, total } => write!(f, "Файлы: {done} из {total}"),
            Self::Sending { done, total } => write!(f, "Отправка: {done} из {total}"),
            Self::Rows(n) => write!(f, "Список практик: {n}, паспорта загружаются…"),
            Self::Received(n) => write!(f, "Получено: {n}"),
        }
    }
}

/// Sends ops (their wire form) and reads the answer; compact both ways.
async fn push_once(creds: &Credentials, req: &PushRequest) -> Result<PushReply, Refusal> {
    let body = encode_body(req, true)?;
    let req = signed(creds, reqwest::Method::POST, "/api/push")?
        .header(reqwest::header::CONTENT_TYPE, BINARY)
        .header(reqwest::header::CONTENT_ENCODING, "zstd")
        .header(reqwest::header::ACCEPT, BINARY)
        .body(body);
    Ok(decode_body(&send(req).await?, true, REPLY_LIMIT)
        .map_err(|e| format!("Ответ сервера не разобран: {e}"))?)
}

/// A signed GET; the body as it came.
async fn fetch(creds: &Credentials, path: &str) -> Result<Vec<u8>, String> {
    send(signed(creds, reqwest::Method::GET, path)?)
        .await
        .map_err(Refusal::message)
}

/// A page of the feed, compact; a refusal with its code.
async fn get_page(creds: &Credentials, path: &str) -> Result<PullReply, Refusal> {
    let req = signed(creds, reqwest::Method::GET, path)?.header(reqwest::header::ACCEPT, BINARY);
    Ok(decode_body(&send(req).await?, true, REPLY_LIMIT)
        .map_err(|e| format!("Ответ сервера не разобран: {e}"))?)
}

impl Summary {
    /// What the user must be told of a restored store or server and of a
    /// rewritten history, in Russian; `true` marks a warning. `short`
    /// gives lines that fit the workstation's status bar.
    pub fn notices(&self, short: bool) -> Vec<(String, bool)> {
        let mut out = Vec::new();
        if self.server_restored {
            out.push((
                if short {
                    "Сервер восстановлен из копии: получено заново"
                } else {
                    "Сервер восстановлен из резервной копии: данные получены заново."
                }
                .to_owned(),
                false,
            ));
        }
        if self.resent > 0 {
            out.push((
                if short {
                    format!("отправлено повторно: {}", self.resent)
                } else {
                    format!(
                        "Сервер не знал {} ваших изменений (восстановлено хранилище или сервер): они отправлены заново под новым идентификатором рабочего места.",
                        self.resent
                    )
                },
                false,
            ));
        }
        if self.history_rewritten {
            out.push((
                if short {
                    "⚠ История сервера переписана: сообщите админу"
                } else {
                    "Внимание: журнал аудита сервера не совпадает с тем, что это рабочее место видело раньше — история изменений на сервере переписана. Сообщите администратору сервера (smarteka audit verify)."
                }
                .to_owned(),
                true,
            ));
        }
        out
    }
}

/// Keeps what the user must see of one answered op.
fn keep_answer(
    store: &Store,
    op: &crate::sync::protocol::Op,
    r: &OpResult,
) -> Result<(usize, usize), String> {
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
                        at: op.at,
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
                    at: op.at,
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
        let page = get_page(creds, &format!("/api/changes?since={since}"))
            .await
            .map_err(Refusal::message)?;
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

/// Checks the server's audit chain against the link this client saw last
/// time at the same change, and remembers the new head. Returns whether
/// the history was rewritten.
fn check_chain(store: &Store, seen: Option<&(u64, String)>, chain: &Chain) -> Result<bool, String> {
    let rewritten = matches!((seen, &chain.at), (Some((_, link)), Some(now)) if link != now);
    let (n, head) = &chain.head;
    store
        .set_seen_audit_head(*n, head)
        .map_err(|e| e.to_string())?;
    Ok(rewritten)
}

/// Sends the outbox. A server that no longer knows this client's ops (a
/// store restored from a copy, a server restored from a backup) is
/// answered by taking a new client id and sending the unsent ops — and the
/// acknowledged ones the server lost — under it. Returns the last answer:
/// whether news waits after the pull cursor, the epoch, the audit chain.
async fn push_all(
    store: &Store,
    creds: &Credentials,
    summary: &mut Summary,
    progress: &mut impl FnMut(&Progress),
) -> Result<Option<PushReply>, String> {
    let blobs = crate::store::blobs::Blobs::new(store.dir());
    let mut relinks = 0;
    let mut last = None;
    'again: loop {
        let client = store.link().map_err(|e| e.to_string())?;
        let outbox = store.outbox().map_err(|e| e.to_string())?;
        let chunks = outbox.chunks(BATCH).count();
        for (n, chunk) in outbox.chunks(BATCH).enumerate() {
            // Files first, each resumable: an op never reaches the server
            // before the files it names.
            let mut files: Vec<String> = chunk.iter().flat_map(|o| o.kind.blobs()).collect();
            files.sort();
            files.dedup();
            for (i, sha) in files.iter().enumerate() {
                progress(&Progress::Files {
                    done: i + 1,
                    total: files.len(),
                });
                files::upload(creds, &blobs, sha).await?;
            }
            progress(&Progress::Sending {
                done: summary.sent + chunk.len(),
                total: outbox.len(),
            });
            let req = PushRequest {
                client,
                ops: chunk.to_vec(),
                // With the last ops: is there anything to pull after them?
                since: if n + 1 == chunks {
                    Some(store.pull_cursor().map_err(|e| e.to_string())?)
                } else {
                    None
                },
                seen: store
                    .seen_audit_head()
                    .map_err(|e| e.to_string())?
                    .map(|(n, _)| n),
            };
            let reply = match push_once(creds, &req).await {
                Ok(reply) => reply,
                Err(Refusal::Coded(code, last, message))
                    if relinks < 2
                        && (code == crate::sync::protocol::codes::CLIENT_REUSED
                            || code == crate::sync::protocol::codes::OPS_MISSING) =>
                {
                    relinks += 1;
                    let unknown = match last {
                        Some(n) if code == crate::sync::protocol::codes::OPS_MISSING => {
                            store.sent_after(client, n).map_err(|e| e.to_string())?
                        }
                        _ => Vec::new(),
                    };
                    tracing::warn!(%code, resent = unknown.len(), "client relinked: {message}");
                    let again: Vec<OpKind> = unknown.into_iter().map(|o| o.kind).collect();
                    let (_, queued) = store.relink(None, &again).map_err(|e| e.to_string())?;
                    summary.resent += queued;
                    continue 'again;
                }
                Err(e) => return Err(e.message()),
            };
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
            last = Some(reply);
        }
        return Ok(last);
    }
}

/// What the server has of this client's ops: an empty push answers it.
async fn server_last(store: &Store, creds: &Credentials) -> Result<u64, String> {
    let client = store.link().map_err(|e| e.to_string())?;
    let req = PushRequest {
        client,
        ops: Vec::new(),
        since: None,
        seen: None,
    };
    let reply = push_once(creds, &req).await.map_err(Refusal::message)?;
    Ok(reply.last)
}

/// The server was restored from a backup: pull everything again, and send
/// again the acknowledged ops it lost.
async fn after_restore(
    store: &Store,
    creds: &Credentials,
    epoch: Option<uuid::Uuid>,
    summary: &mut Summary,
    progress: &mut impl FnMut(&Progress),
) -> Result<(), String> {
    summary.server_restored = true;
    store.reset_pull().map_err(|e| e.to_string())?;
    let client = store.link().map_err(|e| e.to_string())?;
    let last = server_last(store, creds).await?;
    let missing = store.sent_after(client, last).map_err(|e| e.to_string())?;
    if !missing.is_empty() {
        let again: Vec<OpKind> = missing.into_iter().map(|o| o.kind).collect();
        let (_, queued) = store.relink(None, &again).map_err(|e| e.to_string())?;
        summary.resent += queued;
        push_all(store, creds, summary, progress).await?;
    }
    if let Some(e) = epoch {
        store.set_server_epoch(e).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Sends the outbox, then pulls everything new.
pub async fn sync(
    store: &Store,
    creds: &Credentials,
    mut progress: impl FnMut(&Progress),
) -> Result<Summary, String> {
    let mut summary = Summary::default();
    let last = push_all(store, creds, &mut summary, &mut progress).await?;
    // The push said nothing new is there to pull, from the server this
    // store pulled from: the cursor moves past this client's own changes
    // without another round trip, the audit chain checked as a pull's last
    // page would be.
    if let Some(PushReply {
        news: Some(news),
        epoch: Some(epoch),
        chain: Some(chain),
        ..
    }) = last
        && !news.news
        && Some(epoch) == store.server_epoch().map_err(|e| e.to_string())?
    {
        let seen = store.seen_audit_head().map_err(|e| e.to_string())?;
        summary.history_rewritten |= check_chain(store, seen.as_ref(), &chain)?;
        store.skip_pull_to(news.latest).map_err(|e| e.to_string())?;
        return Ok(summary);
    }
    // A first pull: the catalogue's rows first, usable while the
    // passports come.
    if store.pull_cursor().map_err(|e| e.to_string())? == 0 {
        summary.rows = rows::rows_first(store, creds).await?;
        if summary.rows > 0 {
            progress(&Progress::Rows(summary.rows));
        }
    }
    let mut restored = false;
    loop {
        let client = store.link().map_err(|e| e.to_string())?;
        let since = store.pull_cursor().map_err(|e| e.to_string())?;
        let seen = store.seen_audit_head().map_err(|e| e.to_string())?;
        let ask = match &seen {
            Some((n, _)) if !restored => format!("&seen={n}"),
            _ => String::new(),
        };
        let page = match get_page(
            creds,
            &format!("/api/changes?since={since}&client={client}{ask}"),
        )
        .await
        {
            Ok(p) => p,
            Err(Refusal::Coded(code, _, _))
                if code == crate::sync::protocol::codes::CURSOR_AHEAD && !restored =>
            {
                restored = true;
                after_restore(store, creds, None, &mut summary, &mut progress).await?;
                continue;
            }
            Err(e) => return Err(e.message()),
        };
        let known = store.server_epoch().map_err(|e| e.to_string())?;
        if let Some(e) = page.epoch
            && known != Some(e)
        {
            if known.is_some() && !restored {
                restored = true;
                after_restore(store, creds, Some(e), &mut summary, &mut progress).await?;
                continue;
            }
            // The first epoch seen, or the new one after a restore found by
            // the cursor.
            store.set_server_epoch(e).map_err(|e| e.to_string())?;
        }
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
                Remote::Leaders { year, leaders } => m = m.with(Record::Leaders { year, leaders }),
                Remote::Region(page) => m = m.with(Record::Region(page)),
                Remote::Partner(p) => m = m.with(Record::Partner(p)),
                Remote::Selection(s) => m = m.with(Record::Selection(s)),
                Remote::Entry(e) => m = m.with(Record::Entry(e)),
                Remote::Club(c) => m = m.with(Record::Club(c)),
                Remote::Recommendation(r) => m = m.with(Record::Recommendation(r)),
                Remote::Views(v) => m = m.with(Record::Views(v)),
            }
        }
        summary.received += synced.len();
        m.pulled = Some((page.cursor, synced));
        store.commit(&m).map_err(|e| e.to_string())?;
        // The server's audit chain must still hold the link this client saw
        // last time at the same change; a restored server starts another.
        if let Some(chain) = &page.chain {
            let seen = if restored { None } else { seen.as_ref() };
            summary.history_rewritten |= check_chain(store, seen, chain)?;
        }
        progress(&Progress::Received(summary.received));
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
) -> Result<crate::sync::protocol::News, String> {
    let client = store.link().map_err(|e| e.to_string())?;
    let since = since.max(store.pull_cursor().map_err(|e| e.to_string())?);
    let bytes = fetch(
        creds,
        &format!("/api/changes/wait?since={since}&client={client}&timeout={secs}"),
    )
    .await?;
    serde_json::from_slice(&bytes).map_err(|e| format!("Ответ сервера не разобран: {e}"))
}

#[cfg(test)]
mod tests {
    use super::Summary;

    #[test]
    fn notices_say_what_happened_and_fit_the_status_bar_when_short() {
        assert!(Summary::default().notices(true).is_empty());
        let s = Summary {
            server_restored: true,
            resent: 3,
            history_rewritten: true,
            ..Summary::default()
        };
        let long = s.notices(false);
        assert_eq!(long.len(), 3);
        assert!(long[1].0.contains("не знал 3"), "{long:?}");
        assert_eq!(long.iter().filter(|n| n.1).count(), 1, "one warning");
        for (text, _) in s.notices(true) {
            assert!(
                unicode_width::UnicodeWidthStr::width(text.as_str()) <= 56,
                "«{text}» must fit beside the status bar's name"
            );
        }
    }
}
