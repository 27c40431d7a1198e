//! Push and pull over HTTP: the adapters of `service::ops`, which applies
//! a client's ops once and builds the change feed by read scope. Bodies
//! are zstd-compressed bincode ([`BINARY`]) or JSON, as the request says.

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::{ApiError, AppState, authenticate};
use crate::domain::User;
use crate::service::Ctx;
use crate::service::news::{news, news_after_push};
use crate::service::ops::{PushError, apply_ops, cursor_known, feed};
use crate::sync::protocol::{BINARY, Chain, PushRequest, decode_body, encode_body};

impl From<PushError> for ApiError {
    fn from(e: PushError) -> Self {
        match e {
            PushError::Conflict {
                message,
                code,
                last,
            } => {
                let e = ApiError::new(StatusCode::CONFLICT, message).code(code);
                match last {
                    Some(n) => e.last(n),
                    None => e,
                }
            }
            PushError::Internal(m) => ApiError::internal(m),
        }
    }
}

/// Where the audit chain stands, with the link at the change `seen` the
/// client saw last time.
fn chain(store: &crate::store::Store, seen: Option<u64>) -> Result<Chain, ApiError> {
    Ok(Chain {
        head: store.audit_head()?,
        at: match seen {
            Some(n) => store.audit_link(n)?,
            None => None,
        },
    })
}

/// A push counted among those at the gate until it leaves, even by a panic.
struct InLine(std::sync::Arc<std::sync::atomic::AtomicUsize>);

impl InLine {
    fn join(count: &std::sync::Arc<std::sync::atomic::AtomicUsize>) -> Self {
        count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Self(count.clone())
    }
}

impl Drop for InLine {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// The longest a push answered while others wait at the gate waits for
/// the flush they will share before it flushes itself.
const FLUSH_WAIT: std::time::Duration = std::time::Duration::from_millis(3);

/// The largest unpacked push.
pub const PUSH_LIMIT: usize = 16 * 1024 * 1024;

/// Whether a header of the request names the compact bodies.
fn names_binary(headers: &HeaderMap, name: header::HeaderName) -> bool {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains(BINARY))
}

/// A reply in the form the request's `accept` asks for: compact, or JSON.
fn packed<T: serde::Serialize>(headers: &HeaderMap, v: &T) -> Result<Response, ApiError> {
    let binary = names_binary(headers, header::ACCEPT);
    let body =
        encode_body(v, binary).map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e))?;
    let kind = if binary { BINARY } else { "application/json" };
    Ok((
        [
            (header::CONTENT_TYPE, kind),
            (header::CONTENT_ENCODING, "zstd"),
        ],
        body,
    )
        .into_response())
}

pub async fn push(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let user = authenticate(&state, &headers)?;
    let binary = names_binary(&headers, header::CONTENT_TYPE);
    let req: PushRequest = decode_body(&body, binary, PUSH_LIMIT).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("Операции не разобраны: {e}"),
        )
    })?;
    own_client(&state, &user, req.client).await?;
    let store = state.store.clone();
    let clock = state.clock.clone();
    let gate = state.push_gate.clone();
    let in_line = state.pushes_in_line.clone();
    let reply = super::off_thread(move || {
        use std::sync::atomic::Ordering;
        // One push at a time: «last applied seq» is read and written in
        // order. The ops' flush waits until the gate is left, so pushes
        // arriving meanwhile share it (group commit).
        let (reply, upto, others) = {
            let waiting = InLine::join(&in_line);
            let _one = gate
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let _defer = store.defer_flush();
            let reply = apply_ops(&Ctx::new(&store, clock.as_ref()), &user, &req);
            let others = in_line.load(Ordering::SeqCst) > 1;
            drop(waiting);
            (reply, store.last_seq()?, others)
        };
        let mut reply = reply.map_err(ApiError::from)?;
        reply.news = news_after_push(&store, &user, &req).map_err(ApiError::from)?;
        if reply.news.is_some() {
            reply.chain = Some(chain(&store, req.seen)?);
        }
        // Whatever the reply says, applied now or before, is on disk
        // before it leaves.
        let upto = upto.max(reply.news.map_or(0, |n| n.latest));
        if others {
            // Pushes wait at the gate: let them commit first (sled holds
            // its writers while it flushes); the last one flushes for all.
            store.durable_soon(upto, FLUSH_WAIT)?;
        } else {
            store.durable(upto)?;
        }
        Ok::<_, ApiError>(reply)
    })
    .await??;
    state.news.notify_waiters();
    packed(&headers, &reply)
}

/// A client id is its user's: registered to them on first use (or at
/// sign-in), refused to anyone else. The write of a first registration
/// runs off the async threads.
pub(super) async fn own_client(
    state: &AppState,
    user: &User,
    client: Uuid,
) -> Result<(), ApiError> {
    let owner = if let Some(o) = state.store.client_owner(client)? {
        o
    } else {
        let id = user.id;
        super::blocking(&state.store, move |s| s.register_client(client, id)).await?
    };
    if owner == user.id {
        return Ok(());
    }
    tracing::warn!(login = %user.login, %client, "client id of another user");
    Err(ApiError::new(
        StatusCode::FORBIDDEN,
        "Этот идентификатор рабочего места закреплён за другим пользователем: войдите заново (smarteka login).",
    )
    .code(crate::sync::protocol::codes::CLIENT_FOREIGN))
}

#[derive(Debug, Deserialize)]
#[allow(clippy::struct_field_names)] // `since` is the query's own word
pub struct Since {
    #[serde(default)]
    pub since: u64,
    /// The asking client: its own clean changes are not sent back.
    pub client: Option<Uuid>,
    /// The change whose audit link the client saw last time.
    pub seen: Option<u64>,
}

pub async fn changes(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<Since>,
) -> Result<Response, ApiError> {
    let user = authenticate(&state, &headers)?;
    if let Some(c) = q.client {
        own_client(&state, &user, c).await?;
    }
    cursor_known(&state.store, q.since)?;
    let store = state.store.clone();
    let reply = super::off_thread(move || {
        let mut r = feed(&store, &user, q.since, q.client)?;
        if !r.more {
            r.chain = Some(chain(&store, q.seen)?);
        }
        // Nothing leaves that a crash could still take back: a change
        // applied by a push whose flush is under way is waited for.
        store.durable(store.last_seq()?)?;
        Ok::<_, ApiError>(r)
    })
    .await??;
    packed(&headers, &reply)
}

/// `GET /api/rows`: the catalogue's rows the user may read, which a first
/// sync brings before the feed.
pub async fn rows(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    let user = authenticate(&state, &headers)?;
    let store = state.store.clone();
    let reply = super::off_thread(move || crate::service::rows::rows(&store, &user)).await??;
    packed(&headers, &reply)
}

/// `GET /api/practices/ID`: one whole practice, for a row opened before
/// its passport arrived.
pub async fn practice(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::Path(id): axum::extract::Path<Uuid>,
) -> Result<Response, ApiError> {
    let user = authenticate(&state, &headers)?;
    let store = state.store.clone();
    let found = super::off_thread(move || crate::service::rows::whole(&store, &user, id)).await??;
    match found {
        Some(p) => packed(&headers, &p),
        None => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "Практика не найдена или недоступна вам.",
        )),
    }
}

/// The longest a long-poll waits, well inside the request timeout.
pub const WAIT_LIMIT: u64 = 25;

#[derive(Debug, Deserialize)]
pub struct WaitQuery {
    #[serde(default)]
    pub since: u64,
    pub client: Option<Uuid>,
    /// Seconds to wait for news; at most [`WAIT_LIMIT`].
    #[serde(default)]
    pub timeout: u64,
}

/// `GET /api/changes/wait?since=N&client=ID&timeout=S`: answers as soon as
/// the feed has news for the user after `N`, or after `S` seconds with
/// none. A cheap way for a client to learn of others' changes: the reply is
/// a few bytes, and the client pulls only when there is something to pull.
pub async fn wait(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<WaitQuery>,
) -> Result<Response, ApiError> {
    use std::sync::atomic::Ordering;
    let user = authenticate(&state, &headers)?;
    if let Some(c) = q.client {
        own_client(&state, &user, c).await?;
    }
    cursor_known(&state.store, q.since)?;
    let until =
        tokio::time::Instant::now() + std::time::Duration::from_secs(q.timeout.min(WAIT_LIMIT));
    let mut since = q.since;
    loop {
        // Registered before looking, so a push in between is not missed.
        let woken = state.news.notified();
        tokio::pin!(woken);
        woken.as_mut().enable();
        let (store, reader) = (state.store.clone(), user.clone());
        let found = super::off_thread(move || news(&store, &reader, since, q.client)).await??;
        if found.news || state.closing.load(Ordering::SeqCst) {
            return Ok(axum::Json(found).into_response());
        }
        since = found.latest;
        tokio::select! {
            () = &mut woken => {}
            () = tokio::time::sleep_until(until) => {
                return Ok(axum::Json(found).into_response());
            }
        }
    }
}
