//! `smarteka serve`: the central instance over HTTP. It signs users in
//! (argon2id, expiring session tokens, refused logins throttled per account
//! and per address), checks the protocol version of every request, limits
//! bodies and time, answers errors with a Russian message, and on SIGTERM
//! finishes the requests in flight and flushes the store.

mod blobs;
mod sync;
mod throttle;

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{ConnectInfo, DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::domain::User;
use crate::domain::clock::{Clock, SystemClock};
use crate::store::{Session, Store};
pub use crate::sync::protocol::{
    BackupRequest, CONTROL_FILE, CONTROL_HEADER, ErrorBody, LoginReply, LoginRequest, Me, PROTOCOL,
    PROTOCOL_HEADER, PasswordRequest, blobs_header,
};
use throttle::Throttle;

/// The largest request body outside attachment chunks.
pub const BODY_LIMIT: usize = 2 * 1024 * 1024;

pub struct Options {
    pub bind: SocketAddr,
    pub data: PathBuf,
    pub tls: Option<(PathBuf, PathBuf)>,
    /// How long a session token lives.
    pub token_ttl: chrono::Duration,
    /// How long one request may take.
    pub timeout: Duration,
    /// Scheduled backups, if any.
    pub backups: Option<BackupPlan>,
    /// How long a client may take to send a request's headers.
    pub header_timeout: Duration,
}

pub use crate::store::backup::BackupPlan;

/// The longest pause between two parts of a request body.
pub const BODY_PAUSE: Duration = Duration::from_secs(20);
/// Partial uploads untouched this long are removed.
pub const PARTIAL_AGE: Duration = Duration::from_secs(24 * 60 * 60);
/// The most bytes of unfinished uploads one user may leave on the server.
pub const PARTIAL_QUOTA: u64 = 100 * 1024 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<Store>,
    throttle: Arc<Mutex<Throttle>>,
    token_ttl: chrono::Duration,
    /// Pushes are applied one at a time.
    push_gate: Arc<Mutex<()>>,
    /// Woken after every applied push: long-polls of the feed wait on it.
    pub news: Arc<tokio::sync::Notify>,
    /// Set when the server stops: waiting long-polls answer at once.
    pub closing: Arc<std::sync::atomic::AtomicBool>,
    /// The secret `smarteka backup` shows to ask for a backup.
    control: Option<Arc<String>>,
    /// The one clock of the instance.
    pub clock: Arc<dyn Clock>,
}

/// An error answered to the client: a status and a Russian message.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
    /// What the client should do, for a machine ([`crate::sync::protocol::codes`]).
    pub code: Option<&'static str>,
    /// Figures that go with the code (the last op the server has).
    pub last: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            code: None,
            last: None,
        }
    }

    /// A failure of the server, not of the request: the client tries again.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }

    #[must_use]
    pub fn code(mut self, code: &'static str) -> Self {
        self.code = Some(code);
        self
    }

    /// The last op (or change) the server has, with a code.
    #[must_use]
    pub fn last(mut self, last: u64) -> Self {
        self.last = Some(last);
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(ErrorBody {
                error: self.message,
                code: self.code.map(str::to_owned),
                last: self.last,
            }),
        )
            .into_response()
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(e: crate::store::StoreError) -> Self {
        tracing::error!(error = %e, "store");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
    }
}

fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// The token of `Authorization: Bearer TOKEN`.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// The signed-in user of a request, from `Authorization: Bearer TOKEN`.
pub fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<User, ApiError> {
    let unauthorized = |m: &str| ApiError::new(StatusCode::UNAUTHORIZED, m);
    let token =
        bearer(headers).ok_or_else(|| unauthorized("Войдите: smarteka login --server АДРЕС."))?;
    let session = state
        .store
        .session(&token_hash(token))?
        .ok_or_else(|| unauthorized("Сеанс не найден: войдите заново."))?;
    if session.expires <= state.clock.now() {
        return Err(unauthorized("Сеанс истёк: войдите заново."));
    }
    let user = state
        .store
        .user(session.user)?
        .ok_or_else(|| unauthorized("Пользователь сеанса не найден."))?;
    if user.disabled {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "Учётная запись отключена. Обратитесь к модератору АСИ.",
        ));
    }
    Ok(user)
}

/// `GET /api/health`: up, the protocol, the last change, this instance's
/// epoch and the head of its audit chain (a client that saw another head
/// at the same seq learns that history was rewritten).
/// `?at=N` adds the chain's link at change N.
async fn health(
    State(state): State<AppState>,
    axum::extract::Query(q): axum::extract::Query<HealthQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let (audit_seq, audit_head) = state.store.audit_head()?;
    let mut v = serde_json::json!({
        "status": "ok",
        "protocol": PROTOCOL,
        "seq": state.store.last_seq()?,
        "epoch": state.store.epoch()?,
        "audit_seq": audit_seq,
        "audit_head": audit_head,
    });
    if let Some(at) = q.at {
        v["audit_at"] = serde_json::json!(state.store.audit_link(at)?);
    }
    Ok(Json(v))
}

#[derive(Debug, Deserialize)]
pub struct HealthQuery {
    pub at: Option<u64>,
}

/// 429 with how long to wait.
fn throttled(wait: Duration) -> Response {
    let secs = wait.as_secs().max(1);
    let mut r = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        format!("Слишком много попыток входа. Повторите через {secs} с."),
    )
    .into_response();
    if let Ok(v) = axum::http::HeaderValue::from_str(&secs.to_string()) {
        r.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
    }
    r
}

/// Checks a password the way sign-in does: counted by the throttle before
/// the hash, logged either way (never the password).
async fn check_password(
    state: &AppState,
    login: &str,
    password: &str,
    ip: &str,
) -> Result<User, Response> {
    let login = login.trim().to_lowercase();
    if let Err(wait) = lock(&state.throttle).attempt(&login, ip, std::time::Instant::now()) {
        tracing::warn!(%login, %ip, "sign-in throttled");
        return Err(throttled(wait));
    }
    // argon2 is slow on purpose: off the async threads.
    let store = state.store.clone();
    let (l, p) = (login.clone(), password.to_owned());
    let result = off_thread(move || crate::service::accounts::check(&store, &l, &p))
        .await
        .map_err(IntoResponse::into_response)?;
    match result {
        Ok(u) => {
            lock(&state.throttle).succeeded(&login, ip);
            Ok(u)
        }
        Err((message, why)) => {
            tracing::warn!(%login, %ip, reason = why.code(), "sign-in refused");
            let status = if why == crate::service::accounts::Refused::Store {
                StatusCode::INTERNAL_SERVER_ERROR
            } else {
                StatusCode::UNAUTHORIZED
            };
            Err(ApiError::new(status, message).into_response())
        }
    }
}

async fn login(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    body: Result<Json<LoginRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<LoginReply>, Response> {
    let Json(req) = body.map_err(|e| bad_json(&e).into_response())?;
    let ip = addr.ip().to_string();
    let user = check_password(&state, &req.login, &req.password, &ip).await?;
    let token = new_token();
    let at = state.clock.now();
    let session = Session {
        user: user.id,
        created: at,
        expires: at + state.token_ttl,
    };
    let (id, hash, wanted, expires) = (user.id, token_hash(&token), req.client, session.expires);
    let client = blocking(&state.store, move |store| {
        // The workstation's client id: kept if it is free or this user's.
        let client = match wanted {
            Some(c) if store.register_client(c, id)? == id => c,
            _ => {
                let c = uuid::Uuid::now_v7();
                store.register_client(c, id)?;
                c
            }
        };
        store.put_session(&hash, &session)?;
        Ok(client)
    })
    .await
    .map_err(IntoResponse::into_response)?;
    tracing::info!(login = %user.login, %ip, %client, "signed in");
    Ok(Json(LoginReply {
        token,
        expires,
        user: Me::of(&user),
        client: Some(client),
    }))
}

/// `DELETE /api/session`: signs out; the token no longer works.
async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, ApiError> {
    let user = authenticate(&state, &headers)?;
    if let Some(hash) = bearer(&headers).map(token_hash) {
        blocking(&state.store, move |s| s.drop_session(&hash)).await?;
    }
    tracing::info!(login = %user.login, "signed out");
    Ok(Json(serde_json::json!({ "signed_out": true })))
}

/// `POST /api/password`: a new password for the signed-in user, given the
/// old one; the user's other sessions end.
async fn password(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Result<Json<PasswordRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<serde_json::Value>, Response> {
    let me = authenticate(&state, &headers).map_err(IntoResponse::into_response)?;
    let Json(req) = body.map_err(|e| bad_json(&e).into_response())?;
    if let Some(why) = crate::service::accounts::weak_password(&req.new) {
        return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, why).into_response());
    }
    let ip = addr.ip().to_string();
    let mut user = check_password(&state, &me.login, &req.old, &ip).await?;
    let new = req.new.clone();
    let hash = off_thread(move || crate::service::accounts::hash_password(&new))
        .await
        .map_err(IntoResponse::into_response)?
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e).into_response())?;
    user.password_hash = hash;
    let keep = bearer(&headers).map(token_hash);
    let changed = user.clone();
    let ended = blocking(&state.store, move |store| {
        store.commit(
            &crate::store::Mutation::new(Some(changed.id), "user.password", "Пароль изменён")
                .with(crate::store::Record::User(Box::new(changed.clone()))),
        )?;
        store.drop_sessions_of(changed.id, keep.as_deref())
    })
    .await
    .map_err(IntoResponse::into_response)?;
    tracing::info!(login = %user.login, %ip, ended, "password changed");
    Ok(Json(
        serde_json::json!({ "changed": true, "sessions_ended": ended }),
    ))
}

async fn me(State(state): State<AppState>, headers: HeaderMap) -> Result<Json<Me>, ApiError> {
    let user = authenticate(&state, &headers)?;
    Ok(Json(Me::of(&user)))
}

/// Runs slow or blocking work (a hash, a store read or write) off the
/// async threads; a task that died is a Russian 500, its cause logged.
pub(crate) async fn off_thread<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| {
        tracing::error!(error = %e, "a blocking task failed");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            status_message(StatusCode::INTERNAL_SERVER_ERROR, BODY_LIMIT),
        )
    })
}

/// Runs store work off the async threads: writes wait while a backup reads
/// the store, and must not hold up the runtime meanwhile.
pub(crate) async fn blocking<T: Send + 'static>(
    store: &Arc<Store>,
    f: impl FnOnce(&Store) -> Result<T, crate::store::StoreError> + Send + 'static,
) -> Result<T, ApiError> {
    let store = store.clone();
    off_thread(move || f(&store)).await?.map_err(ApiError::from)
}

fn lock(t: &Mutex<Throttle>) -> std::sync::MutexGuard<'_, Throttle> {
    t.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// 32 random bytes as hex.
fn new_token() -> String {
    use rand::RngCore as _;
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    b.iter().fold(String::with_capacity(64), |mut s, x| {
        let _ = write!(s, "{x:02x}");
        s
    })
}

/// A body that is not the JSON expected, in Russian.
pub fn bad_json(e: &axum::extract::rejection::JsonRejection) -> ApiError {
    use axum::extract::rejection::JsonRejection as J;
    match e {
        J::MissingJsonContentType(_) => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Ожидается тело application/json.",
        ),
        J::BytesRejection(_) => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "Тело запроса больше допустимого ({} МБ) или оборвано.",
                BODY_LIMIT / 1024 / 1024
            ),
        ),
        _ => ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("Тело запроса не разобрано: {}", e.body_text()),
        ),
    }
}

/// Every request except the health check carries the protocol version.
async fn protocol(req: Request, next: Next) -> Response {
    if req.uri().path() != "/api/health" {
        let got = req
            .headers()
            .get(PROTOCOL_HEADER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u32>().ok());
        if got != Some(PROTOCOL) {
            let message = match got {
                None => {
                    format!("Запрос без версии протокола ({PROTOCOL_HEADER}). Обновите smarteka.")
                }
                Some(v) if v < PROTOCOL => format!(
                    "Клиент говорит на протоколе {v}, сервер — на {PROTOCOL}: обновите smarteka."
                ),
                Some(v) => format!(
                    "Клиент новее сервера (протокол {v}, сервер — {PROTOCOL}): обновите сервер."
                ),
            };
            return ApiError::new(StatusCode::UPGRADE_REQUIRED, message).into_response();
        }
    }
    next.run(req).await
}

/// The largest body a path takes.
fn body_limit(path: &str) -> usize {
    if path.starts_with("/api/uploads/") {
        blobs::CHUNK_LIMIT
    } else if path == "/api/push" {
        sync::PUSH_LIMIT
    } else {
        BODY_LIMIT
    }
}

/// A body announced larger than the path takes is refused before a byte
/// of it is read.
async fn announced_length(req: Request, next: Next) -> Response {
    let limit = body_limit(req.uri().path());
    let announced = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().parse::<u64>());
    match announced {
        Some(Ok(n)) if n > limit as u64 => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "Тело запроса ({}) больше допустимого для этого адреса ({}).",
                crate::domain::rules::human_size(n),
                crate::domain::rules::human_size(limit as u64)
            ),
        )
        .into_response(),
        Some(Err(_)) => ApiError::new(
            StatusCode::BAD_REQUEST,
            "Заголовок Content-Length — не число.",
        )
        .into_response(),
        _ => next.run(req).await,
    }
}

/// The Russian message of an error status that came without one; `limit`
/// is the body limit of the address asked.
fn status_message(status: StatusCode, limit: usize) -> String {
    match status.as_u16() {
        400 => "Запрос не разобран: проверьте его параметры.".to_owned(),
        401 => "Войдите: smarteka login --server АДРЕС.".to_owned(),
        404 => "Нет такого адреса.".to_owned(),
        405 => "Этот адрес не принимает такой метод запроса.".to_owned(),
        408 => "Запрос не уложился во время: проверьте связь и повторите.".to_owned(),
        413 => format!(
            "Тело запроса больше допустимого ({}).",
            crate::domain::rules::human_size(limit as u64)
        ),
        414 => "Адрес запроса слишком длинный.".to_owned(),
        415 => "Неверный тип тела запроса: ожидается application/json.".to_owned(),
        422 => "Тело запроса не подходит этому адресу.".to_owned(),
        431 => "Заголовки запроса слишком велики.".to_owned(),
        500..=599 => "Внутренняя ошибка сервера: повторите позже.".to_owned(),
        n => format!("Запрос отклонён (код {n})."),
    }
}

/// Every error answer is the JSON error with a Russian message, whoever
/// made it (a route, an extractor, the router, a limit).
async fn russian_errors(req: Request, next: Next) -> Response {
    let limit = body_limit(req.uri().path());
    let resp = next.run(req).await;
    let status = resp.status();
    let json = resp
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || json {
        return resp;
    }
    let mut out = ApiError::new(status, status_message(status, limit)).into_response();
    for name in [axum::http::header::RETRY_AFTER, axum::http::header::ALLOW] {
        if let Some(v) = resp.headers().get(&name) {
            out.headers_mut().insert(name, v.clone());
        }
    }
    out
}

/// The routes of the central instance.
pub fn router(state: AppState, timeout: Duration) -> Router {
    Router::new()
        .route("/api/health", get(health))
        .route("/api/login", post(login))
        .route("/api/session", axum::routing::delete(logout))
        .route("/api/password", post(password))
        .route("/api/me", get(me))
        .route(
            "/api/push",
            post(sync::push).layer(DefaultBodyLimit::max(sync::PUSH_LIMIT)),
        )
        .route("/api/changes", get(sync::changes))
        .route("/api/changes/wait", get(sync::wait))
        .route(
            "/api/uploads/{sha}",
            get(blobs::received)
                .patch(blobs::append)
                .layer(DefaultBodyLimit::max(blobs::CHUNK_LIMIT)),
        )
        .route("/api/blobs/{sha}", get(blobs::download))
        .fallback(|| async {
            ApiError::new(StatusCode::NOT_FOUND, "Нет такого адреса.")
        })
        .layer(middleware::from_fn(protocol))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn(announced_length))
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
            BODY_PAUSE,
        ))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        // A backup of a large store takes longer than a request may: this
        // one is outside the request timeout (it is local and secret-bound).
        .route(
            "/api/admin/backup",
            post(admin_backup).layer(DefaultBodyLimit::max(BODY_LIMIT)),
        )
        .layer(middleware::from_fn(russian_errors))
        .with_state(state)
}

/// `POST /api/admin/backup`: `smarteka backup` on the server's machine asks
/// the running server for a backup, showing the secret of its control file
/// (readable only by the account the server runs as), from loopback only.
async fn admin_backup(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Result<Json<BackupRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<crate::store::backup::Manifest>, ApiError> {
    let shown = headers.get(CONTROL_HEADER).and_then(|v| v.to_str().ok());
    let allowed = addr.ip().to_canonical().is_loopback()
        && state.control.as_deref().is_some_and(|secret| {
            shown.is_some_and(|s| constant_eq(s.as_bytes(), secret.as_bytes()))
        });
    if !allowed {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "Резервную копию заказывают командой smarteka backup на машине сервера.",
        ));
    }
    let Json(req) = body.map_err(|e| bad_json(&e))?;
    let store = state.store.clone();
    let manifest = off_thread(move || store.backup(&req.dir, |_| {}))
        .await?
        .map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e.to_string()))?;
    tracing::info!(seq = manifest.seq, "backup made on request");
    Ok(Json(manifest))
}

/// Equality that takes as long wherever the first difference is.
fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The server's files readable by the account it runs as only: the store
/// directory 0700 (which alone keeps everyone else out of all below it),
/// and its own files and the database's 0600. The attachment folders are
/// not walked: there may be many files, and the 0700 above guards them.
fn private(dir: &std::path::Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::Permissions::from_mode;
    std::fs::set_permissions(dir, mode(0o700))?;
    for folder in [dir.to_owned(), dir.join("db")] {
        for e in std::fs::read_dir(&folder)?.flatten() {
            let ft = e.file_type()?;
            if ft.is_dir() {
                std::fs::set_permissions(e.path(), mode(0o700))?;
            } else if ft.is_file() {
                std::fs::set_permissions(e.path(), mode(0o600))?;
            }
        }
    }
    Ok(())
}

/// Writes the control file: the address and a new secret, 0600.
fn write_control(
    dir: &std::path::Path,
    addr: SocketAddr,
    tls: bool,
    secret: &str,
) -> std::io::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let path = dir.join(CONTROL_FILE);
    let _ = std::fs::remove_file(&path);
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)?;
    let text =
        serde_json::json!({ "addr": addr.to_string(), "tls": tls, "secret": secret }).to_string();
    f.write_all(text.as_bytes())?;
    f.sync_all()
}

/// Takes the scheduled backups and clears stale partial uploads, until the
/// process ends.
fn housekeeping(store: &Arc<Store>, plan: Option<BackupPlan>) {
    let sweeper = store.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60 * 60));
        loop {
            tick.tick().await;
            let s = sweeper.clone();
            let swept = tokio::task::spawn_blocking(move || {
                crate::store::blobs::Blobs::new(s.dir()).sweep_partials(PARTIAL_AGE)
            })
            .await;
            if let Ok((files, bytes)) = swept
                && files > 0
            {
                tracing::info!(files, bytes, "stale partial uploads removed");
            }
        }
    });
    let Some(plan) = plan else { return };
    let store = store.clone();
    tokio::spawn(async move {
        // The first one when the newest is `every` old (at once if it is
        // older or there is none), so restarts never postpone backups.
        let age = crate::store::backup::newest_scheduled(&plan.dir)
            .and_then(|t| (Utc::now() - t).to_std().ok())
            .unwrap_or(plan.every);
        let first = tokio::time::Instant::now() + plan.every.saturating_sub(age);
        let mut tick = tokio::time::interval_at(first, plan.every);
        loop {
            tick.tick().await;
            let (s, p) = (store.clone(), plan.clone());
            let made = tokio::task::spawn_blocking(move || {
                crate::store::backup::scheduled_backup(&s, &p.dir, p.keep, Utc::now())
            })
            .await;
            match made {
                Ok(Ok(path)) => tracing::info!(path = %path.display(), "scheduled backup made"),
                Ok(Err(e)) => tracing::error!(error = %e, "scheduled backup failed"),
                Err(e) => tracing::error!(error = %e, "scheduled backup failed"),
            }
        }
    });
}

impl AppState {
    pub fn new(store: Arc<Store>, token_ttl: chrono::Duration) -> Self {
        Self {
            store,
            throttle: Arc::new(Mutex::new(Throttle::default())),
            token_ttl,
            push_gate: Arc::new(Mutex::new(())),
            news: Arc::new(tokio::sync::Notify::new()),
            closing: Arc::new(std::sync::atomic::AtomicBool::new(false)),
            control: None,
            clock: Arc::new(SystemClock),
        }
    }

    /// The state with another clock (tests fix the time).
    #[must_use]
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The service context of a request.
    pub fn ctx(&self) -> crate::service::Ctx<'_> {
        crate::service::Ctx::new(&self.store, self.clock.as_ref())
    }
}

/// A client that has not sent its headers in `timeout` is disconnected.
fn limit_headers(
    b: &mut hyper_util::server::conn::auto::Builder<hyper_util::rt::TokioExecutor>,
    timeout: Duration,
) {
    b.http1()
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(timeout);
}

/// Runs the central instance until SIGTERM or SIGINT, then lets requests
/// in flight finish (up to 30 s) and flushes the store.
pub async fn serve(opts: Options) -> Result<(), String> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let store = Arc::new(Store::open(&opts.data).map_err(|e| e.to_string())?);
    private(&opts.data).map_err(|e| {
        format!(
            "Не удалось закрыть хранилище «{}» от других пользователей машины: {e}",
            opts.data.display()
        )
    })?;
    if let Err(e) = store.purge_sessions(Utc::now()) {
        tracing::warn!(error = %e, "expired sessions not purged");
    }
    store.epoch().map_err(|e| e.to_string())?;
    let mut state = AppState::new(store.clone(), opts.token_ttl);
    let secret = new_token();
    state.control = Some(Arc::new(secret.clone()));
    let (news, closing) = (state.news.clone(), state.closing.clone());
    let app = router(state, opts.timeout).into_make_service_with_connect_info::<SocketAddr>();
    let listener = std::net::TcpListener::bind(opts.bind)
        .map_err(|e| format!("Не удалось занять адрес {}: {e}", opts.bind))?;
    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    write_control(&opts.data, addr, opts.tls.is_some(), &secret)
        .map_err(|e| format!("Файл управления сервером не записан: {e}"))?;
    housekeeping(&store, opts.backups.clone());
    let handle = axum_server::Handle::new();
    let shutdown = handle.clone();
    tokio::spawn(async move {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut term), Ok(mut int)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) else {
            return;
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
        tracing::info!("stopping: finishing requests in flight");
        closing.store(true, std::sync::atomic::Ordering::SeqCst);
        news.notify_waiters();
        shutdown.graceful_shutdown(Some(Duration::from_secs(30)));
    });
    let scheme = if opts.tls.is_some() { "https" } else { "http" };
    eprintln!(
        "smarteka serve: {scheme}://{addr} (протокол {PROTOCOL}), хранилище «{}»",
        opts.data.display()
    );
    let result = if let Some((cert, key)) = &opts.tls {
        let config = axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, key)
            .await
            .map_err(|e| format!("Сертификат или ключ TLS не прочитаны: {e}"))?;
        let mut server = axum_server::from_tcp_rustls(listener, config);
        limit_headers(server.http_builder(), opts.header_timeout);
        server.handle(handle).serve(app).await
    } else {
        let mut server = axum_server::from_tcp(listener);
        limit_headers(server.http_builder(), opts.header_timeout);
        server.handle(handle).serve(app).await
    };
    result.map_err(|e| e.to_string())?;
    let _ = std::fs::remove_file(opts.data.join(CONTROL_FILE));
    drop(store);
    eprintln!("smarteka serve: остановлен, хранилище записано.");
    Ok(())
}
