//! `smarteka serve`: the central instance over HTTP. It signs users in
//! (argon2id, expiring session tokens, refused logins throttled per account
//! and per address), checks the protocol version of every request, limits
//! bodies and time, answers errors with a Russian message, and on SIGTERM
//! finishes the requests in flight and flushes the store.

mod blobs;
/// The headers of resumable uploads.
pub mod blobs_header {
    pub use super::blobs::{LENGTH, OFFSET};
}
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
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::domain::User;
use crate::store::{Session, Store};
use throttle::Throttle;

/// The protocol spoken between `smarteka sync` and `smarteka serve`. A
/// request without it, or with another, is refused with a message.
pub const PROTOCOL: u32 = 2;
/// The header carrying [`PROTOCOL`].
pub const PROTOCOL_HEADER: &str = "x-smarteka-protocol";
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
}

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
}

/// An error answered to the client: a status and a Russian message.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }
}

/// The body of every error.
#[derive(Debug, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(ErrorBody {
                error: self.message,
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

/// The signed-in user of a request, from `Authorization: Bearer TOKEN`.
pub fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<User, ApiError> {
    let unauthorized = |m: &str| ApiError::new(StatusCode::UNAUTHORIZED, m);
    let token = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| unauthorized("Войдите: smarteka login --server АДРЕС."))?;
    let session = state
        .store
        .session(&token_hash(token.trim()))?
        .ok_or_else(|| unauthorized("Сеанс не найден: войдите заново."))?;
    if session.expires <= Utc::now() {
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

#[derive(Debug, Serialize, Deserialize)]
pub struct LoginRequest {
    pub login: String,
    pub password: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct LoginReply {
    pub token: String,
    pub expires: chrono::DateTime<Utc>,
    pub user: Me,
}

/// What a client learns of its own user: never the password hash.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Me {
    pub login: String,
    pub full_name: String,
    pub roles: Vec<String>,
}

impl Me {
    fn of(u: &User) -> Self {
        Self {
            login: u.login.clone(),
            full_name: u.profile.full_name.clone(),
            roles: u.role_names().iter().map(|r| (*r).to_owned()).collect(),
        }
    }
}

async fn health(State(state): State<AppState>) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(serde_json::json!({
        "status": "ok",
        "protocol": PROTOCOL,
        "seq": state.store.last_seq()?,
    })))
}

async fn login(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    body: Result<Json<LoginRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<LoginReply>, ApiError> {
    let Json(req) = body.map_err(|e| bad_json(&e))?;
    let login = req.login.trim().to_lowercase();
    let ip = addr.ip().to_string();
    let now = std::time::Instant::now();
    if let Some(wait) = lock(&state.throttle).refused(&login, &ip, now) {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "Слишком много неудачных попыток входа. Повторите через {} с.",
                wait.as_secs().max(1)
            ),
        ));
    }
    // argon2 is slow on purpose: off the async threads.
    let store = state.store.clone();
    let (l, p) = (req.login.clone(), req.password.clone());
    let result = tokio::task::spawn_blocking(move || crate::auth::sign_in(&store, &l, &p))
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    let user = match result {
        Ok(u) => {
            lock(&state.throttle).succeeded(&login, &ip);
            u
        }
        Err(e) => {
            lock(&state.throttle).failed(&login, &ip, now);
            return Err(ApiError::new(StatusCode::UNAUTHORIZED, e));
        }
    };
    let token = new_token();
    let at = Utc::now();
    let session = Session {
        user: user.id,
        created: at,
        expires: at + state.token_ttl,
    };
    state.store.put_session(&token_hash(&token), &session)?;
    tracing::info!(login = %user.login, %ip, "signed in");
    Ok(Json(LoginReply {
        token,
        expires: session.expires,
        user: Me::of(&user),
    }))
}

async fn me(State(state): State<AppState>, headers: HeaderMap) -> Result<Json<Me>, ApiError> {
    let user = authenticate(&state, &headers)?;
    Ok(Json(Me::of(&user)))
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

/// The routes of the central instance.
pub fn router(state: AppState, timeout: Duration) -> Router {
    Router::new()
        .route("/api/health", get(health))
        .route("/api/login", post(login))
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
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .with_state(state)
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
        }
    }
}

/// Runs the central instance until SIGTERM or SIGINT, then lets requests
/// in flight finish (up to 30 s) and flushes the store.
pub async fn serve(opts: Options) -> Result<(), String> {
    crate::client::crypto();
    let store = Arc::new(Store::open(&opts.data).map_err(|e| e.to_string())?);
    if let Err(e) = store.purge_sessions(Utc::now()) {
        tracing::warn!(error = %e, "expired sessions not purged");
    }
    let state = AppState::new(store.clone(), opts.token_ttl);
    let (news, closing) = (state.news.clone(), state.closing.clone());
    let app = router(state, opts.timeout).into_make_service_with_connect_info::<SocketAddr>();
    let listener = std::net::TcpListener::bind(opts.bind)
        .map_err(|e| format!("Не удалось занять адрес {}: {e}", opts.bind))?;
    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
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
    let result = match &opts.tls {
        Some((cert, key)) => {
            let config = axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, key)
                .await
                .map_err(|e| format!("Сертификат или ключ TLS не прочитаны: {e}"))?;
            axum_server::from_tcp_rustls(listener, config)
                .handle(handle)
                .serve(app)
                .await
        }
        None => {
            axum_server::from_tcp(listener)
                .handle(handle)
                .serve(app)
                .await
        }
    };
    result.map_err(|e| e.to_string())?;
    drop(store);
    eprintln!("smarteka serve: остановлен, хранилище записано.");
    Ok(())
}
