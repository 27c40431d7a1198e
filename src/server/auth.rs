//! Signing in and out: session tokens, the throttled password check, the
//! password change and the signed-in user.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::Duration;

use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::domain::User;
use crate::store::Session;

use super::throttle::Throttle;
use super::{
    ApiError, AppState, LoginReply, LoginRequest, Me, PasswordRequest, bad_json, blocking,
    off_thread,
};

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

/// Why a password was not accepted: throttled (with the wait), refused,
/// or the store failed; the message is Russian.
#[derive(Debug)]
pub enum SignInRefused {
    Throttled(Duration),
    Refused(String),
    Failed(String),
}

impl SignInRefused {
    /// The message a person reads.
    pub fn message(&self) -> String {
        match self {
            Self::Throttled(wait) => format!(
                "Слишком много попыток входа. Повторите через {} с.",
                wait.as_secs().max(1)
            ),
            Self::Refused(m) | Self::Failed(m) => m.clone(),
        }
    }
}

/// Checks a password the way every sign-in does (HTTP and SSH): counted
/// by the throttle before the hash, logged either way (never the password).
pub async fn sign_in(
    state: &AppState,
    login: &str,
    password: &str,
    ip: &str,
) -> Result<User, SignInRefused> {
    let login = login.trim().to_lowercase();
    if let Err(wait) = lock(&state.throttle).attempt(&login, ip, std::time::Instant::now()) {
        tracing::warn!(%login, %ip, "sign-in throttled");
        return Err(SignInRefused::Throttled(wait));
    }
    // argon2 is slow on purpose: off the async threads.
    let store = state.store.clone();
    let (l, p) = (login.clone(), password.to_owned());
    let result = off_thread(move || crate::service::accounts::check(&store, &l, &p))
        .await
        .map_err(|e| SignInRefused::Failed(e.message))?;
    match result {
        Ok(u) => {
            lock(&state.throttle).succeeded(&login, ip);
            Ok(u)
        }
        Err((message, why)) => {
            tracing::warn!(%login, %ip, reason = why.code(), "sign-in refused");
            Err(if why == crate::service::accounts::Refused::Store {
                SignInRefused::Failed(message)
            } else {
                SignInRefused::Refused(message)
            })
        }
    }
}

/// [`sign_in`] answered over HTTP.
async fn check_password(
    state: &AppState,
    login: &str,
    password: &str,
    ip: &str,
) -> Result<User, Response> {
    sign_in(state, login, password, ip)
        .await
        .map_err(|e| match e {
            SignInRefused::Throttled(wait) => throttled(wait),
            SignInRefused::Refused(m) => ApiError::new(StatusCode::UNAUTHORIZED, m).into_response(),
            SignInRefused::Failed(m) => {
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, m).into_response()
            }
        })
}

pub(super) async fn login(
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
pub(super) async fn logout(
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
pub(super) async fn password(
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
    let user = check_password(&state, &me.login, &req.old, &ip).await?;
    let new = req.new.clone();
    let hash = off_thread(move || crate::service::accounts::hash_password(&new))
        .await
        .map_err(IntoResponse::into_response)?
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e).into_response())?;
    let keep = bearer(&headers).map(token_hash);
    let (changed, clock) = (user.clone(), state.clock.clone());
    let store = state.store.clone();
    let ended = off_thread(move || {
        let cx = crate::service::Ctx::new(&store, clock.as_ref());
        crate::service::accounts::set_password(&cx, changed.clone(), hash)
            .map_err(|e| ApiError::internal(e.message()))?;
        store
            .drop_sessions_of(changed.id, keep.as_deref())
            .map_err(ApiError::from)
    })
    .await
    .map_err(IntoResponse::into_response)?
    .map_err(IntoResponse::into_response)?;
    tracing::info!(login = %user.login, %ip, ended, "password changed");
    Ok(Json(
        serde_json::json!({ "changed": true, "sessions_ended": ended }),
    ))
}

pub(super) async fn me(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<Me>, ApiError> {
    let user = authenticate(&state, &headers)?;
    Ok(Json(Me::of(&user)))
}

fn lock(t: &Mutex<Throttle>) -> std::sync::MutexGuard<'_, Throttle> {
    t.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// 32 random bytes as hex.
pub(super) fn new_token() -> String {
    use rand::RngCore as _;
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    b.iter().fold(String::with_capacity(64), |mut s, x| {
        let _ = write!(s, "{x:02x}");
        s
    })
}
