//! `smarteka serve`: the central instance over HTTP. It signs users in
//! (argon2id, expiring session tokens, refused logins throttled per account
//! and per address), checks the protocol version of every request, limits
//! bodies and time, answers errors with a Russian message, and on SIGTERM
//! finishes the requests in flight and flushes the store.

mod admin;
mod auth;
mod blobs;
pub mod mail;
mod people;
mod sync;
pub use crate::service::ops::PAGE;
mod throttle;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

use crate::domain::clock::{Clock, SystemClock};
use crate::store::Store;
pub use crate::sync::protocol::{
    BackupRequest, CONTROL_FILE, CONTROL_HEADER, ErrorBody, LoginReply, LoginRequest, Me, PROTOCOL,
    PROTOCOL_HEADER, PasswordRequest, blobs_header,
};
use admin::{admin_backup, housekeeping, private, write_control};
pub use auth::{SignInRefused, authenticate, sign_in};
use auth::{login, logout, me, new_token, password};
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
    /// Where mail goes.
    pub mail: mail::MailConfig,
    /// Other doors to the same instance (the workstation over SSH), started
    /// with its state once it is open, stopped with it.
    pub doors: Vec<Door>,
}

/// A door to the instance besides HTTP: given the instance's state, the
/// task that serves it until [`AppState::stopped`]; or why it cannot open.
pub type Door = Box<
    dyn FnOnce(AppState) -> Result<std::pin::Pin<Box<dyn Future<Output = ()> + Send>>, String>
        + Send,
>;

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
    /// Pushes waiting for the gate: while some do, the one leaving lets
    /// them commit before the flush they will share.
    pushes_in_line: Arc<std::sync::atomic::AtomicUsize>,
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
        .route("/api/register", post(people::register))
        .route("/api/register/confirm", post(people::confirm))
        .route("/api/password/reset", post(people::reset))
        .route(
            "/api/push",
            post(sync::push).layer(DefaultBodyLimit::max(sync::PUSH_LIMIT)),
        )
        .route("/api/changes", get(sync::changes))
        .route("/api/changes/wait", get(sync::wait))
        .route("/api/rows", get(sync::rows))
        .route("/api/practices/{id}", get(sync::practice))
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

impl AppState {
    pub fn new(store: Arc<Store>, token_ttl: chrono::Duration) -> Self {
        Self {
            store,
            throttle: Arc::new(Mutex::new(Throttle::default())),
            token_ttl,
            push_gate: Arc::new(Mutex::new(())),
            pushes_in_line: Arc::new(std::sync::atomic::AtomicUsize::new(0)),
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

    /// Whether the instance is stopping.
    pub fn is_stopping(&self) -> bool {
        self.closing.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Returns once the instance is stopping.
    pub async fn stopped(&self) {
        loop {
            let woken = self.news.notified();
            tokio::pin!(woken);
            woken.as_mut().enable();
            if self.is_stopping() {
                return;
            }
            woken.await;
        }
    }

    /// Tells long-polling clients (and other doors) that the store changed.
    pub fn changed(&self) {
        self.news.notify_waiters();
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
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    if let Err(e) = store.purge_sessions(clock.now()) {
        tracing::warn!(error = %e, "expired sessions not purged");
    }
    store.epoch().map_err(|e| e.to_string())?;
    let mut state = AppState::new(store.clone(), opts.token_ttl).with_clock(clock.clone());
    let secret = new_token();
    state.control = Some(Arc::new(secret.clone()));
    let (news, closing) = (state.news.clone(), state.closing.clone());
    let door_state = state.clone();
    let app = router(state, opts.timeout).into_make_service_with_connect_info::<SocketAddr>();
    let listener = std::net::TcpListener::bind(opts.bind)
        .map_err(|e| format!("Не удалось занять адрес {}: {e}", opts.bind))?;
    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    write_control(&opts.data, addr, opts.tls.is_some(), &secret)
        .map_err(|e| format!("Файл управления сервером не записан: {e}"))?;
    housekeeping(&store, opts.backups.clone(), clock);
    mail::start(store.clone(), &opts.mail)?;
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
        "smarteka serve: {scheme}://{addr} (протокол {PROTOCOL}), хранилище «{}», {}",
        opts.data.display(),
        opts.mail.describe()
    );
    // The other doors after the HTTP line, which scripts read first.
    let mut doors = Vec::new();
    for door in opts.doors {
        match door(door_state.clone()) {
            Ok(task) => doors.push(tokio::spawn(task)),
            Err(e) => {
                let _ = std::fs::remove_file(opts.data.join(CONTROL_FILE));
                return Err(e);
            }
        }
    }
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
    // The doors save what their sessions hold before the store closes,
    // also when serving failed.
    door_state
        .closing
        .store(true, std::sync::atomic::Ordering::SeqCst);
    door_state.changed();
    for d in doors {
        let _ = tokio::time::timeout(Duration::from_secs(15), d).await;
    }
    result.map_err(|e| e.to_string())?;
    let _ = std::fs::remove_file(opts.data.join(CONTROL_FILE));
    drop(store);
    eprintln!("smarteka serve: остановлен, хранилище записано.");
    Ok(())
}
