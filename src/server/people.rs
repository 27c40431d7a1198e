//! Signing up, confirming the e-mail and restoring a password: the routes
//! a person uses before they can sign in. Each is throttled like sign-in;
//! the work is the service's (`service::people`), off the async threads.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::domain::people::SignUp;
use crate::domain::user::{CodePurpose, ConsentKind};
use crate::service::ServiceError;
use crate::sync::protocol::{CodeRequest, Done, RegisterRequest};

use super::{ApiError, AppState, bad_json, off_thread};

fn api(e: &ServiceError) -> ApiError {
    let status = match e {
        ServiceError::Refused(_) => StatusCode::UNPROCESSABLE_ENTITY,
        ServiceError::BadInput(_) => StatusCode::BAD_REQUEST,
        ServiceError::NotFound(_) => StatusCode::NOT_FOUND,
        ServiceError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
    };
    let text = match e {
        ServiceError::Refused(r) => r.join("\n"),
        e => e.message(),
    };
    ApiError::new(status, text)
}

/// Counts an attempt for `key` from the address; a refusal when too many.
fn attempt(state: &AppState, key: &str, ip: &str) -> Result<(), ApiError> {
    let mut t = state
        .throttle
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    t.attempt(key, ip, std::time::Instant::now())
        .map_err(|wait| {
            tracing::warn!(%key, %ip, "throttled");
            ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                format!(
                    "Слишком много попыток. Повторите через {} с.",
                    wait.as_secs().max(1)
                ),
            )
        })
}

/// Runs a service call on its own thread with the server's clock.
async fn service<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&crate::service::Ctx<'_>) -> Result<T, ServiceError> + Send + 'static,
) -> Result<T, Response> {
    let (store, clock) = (state.store.clone(), state.clock.clone());
    off_thread(move || f(&crate::service::Ctx::new(&store, clock.as_ref())))
        .await
        .map_err(IntoResponse::into_response)?
        .map_err(|e| api(&e).into_response())
}

/// `POST /api/register`: a new account; the code goes to the address.
pub(super) async fn register(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    body: Result<Json<RegisterRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<Done>), Response> {
    let Json(req) = body.map_err(|e| bad_json(&e).into_response())?;
    let ip = addr.ip().to_string();
    // Sign-ups from one address are counted as attempts: a script cannot
    // make accounts without end.
    // Counted per address (a key no login can be).
    let key = format!("\u{1}register {ip}");
    attempt(&state, &key, &ip).map_err(IntoResponse::into_response)?;
    if req.version != crate::domain::people::CONSENT_VERSION {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            format!(
                "Тексты согласий обновлены (редакция {}): обновите программу и прочитайте их заново.",
                crate::domain::people::CONSENT_VERSION
            ),
        )
        .into_response());
    }
    let s = SignUp {
        login: req.login.clone(),
        email: req.email.clone(),
        full_name: req.full_name.clone(),
        region: req.region.clone(),
        consents: req
            .consents
            .iter()
            .filter_map(|c| ConsentKind::find(c))
            .collect(),
    };
    let password = req.password.clone();
    let u = service(&state, move |cx| {
        crate::service::people::register(cx, &s, &password)
    })
    .await?;
    tracing::info!(login = %u.login, %ip, "registered");
    Ok((
        StatusCode::CREATED,
        Json(Done {
            message: format!(
                "Учётная запись «{}» создана. Код подтверждения отправлен на {}.",
                u.login, u.profile.email
            ),
        }),
    ))
}

/// `POST /api/register/confirm`: the address confirmed by its code; with
/// no code, a new one is sent.
pub(super) async fn confirm(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    body: Result<Json<CodeRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Done>, Response> {
    let Json(req) = body.map_err(|e| bad_json(&e).into_response())?;
    let ip = addr.ip().to_string();
    let login = req.login.trim().to_lowercase();
    attempt(&state, &login, &ip).map_err(IntoResponse::into_response)?;
    let Some(code) = req.code.clone() else {
        let l = login.clone();
        service(&state, move |cx| {
            crate::service::people::send_code(cx, &l, CodePurpose::ConfirmEmail)
        })
        .await?;
        return Ok(Json(Done {
            message:
                "Если адрес этой учётной записи ещё не подтверждён, на него отправлен новый код."
                    .to_owned(),
        }));
    };
    let l = login.clone();
    service(&state, move |cx| {
        crate::service::people::confirm_email(cx, &l, &code)
    })
    .await?;
    succeeded(&state, &login, &ip);
    tracing::info!(%login, %ip, "e-mail confirmed");
    Ok(Json(Done {
        message: format!("Адрес подтверждён. Войдите: smarteka --as {login} login --server АДРЕС."),
    }))
}

fn succeeded(state: &AppState, key: &str, ip: &str) {
    state
        .throttle
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .succeeded(key, ip);
}

/// `POST /api/password/reset`: without a code, sends one to the address
/// (the answer is the same whether the login exists); with the code and
/// a new password, sets it.
pub(super) async fn reset(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    body: Result<Json<CodeRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Done>, Response> {
    let Json(req) = body.map_err(|e| bad_json(&e).into_response())?;
    let ip = addr.ip().to_string();
    let login = req.login.trim().to_lowercase();
    attempt(&state, &login, &ip).map_err(IntoResponse::into_response)?;
    let (Some(code), Some(password)) = (req.code.clone(), req.password.clone()) else {
        let l = login.clone();
        service(&state, move |cx| {
            crate::service::people::send_code(cx, &l, CodePurpose::ResetPassword)
        })
        .await?;
        return Ok(Json(Done {
            message: "Если такая учётная запись есть, на её адрес отправлен код восстановления."
                .to_owned(),
        }));
    };
    let l = login.clone();
    let u = service(&state, move |cx| {
        crate::service::people::reset_password(cx, &l, &code, &password)
    })
    .await?;
    let id = u.id;
    let ended = service(&state, move |cx| {
        cx.store
            .drop_sessions_of(id, None)
            .map_err(ServiceError::from)
    })
    .await?;
    succeeded(&state, &login, &ip);
    tracing::info!(%login, %ip, ended, "password reset by code");
    Ok(Json(Done {
        message: "Пароль изменён; прежние сеансы закрыты. Войдите с новым паролем.".to_owned(),
    }))
}
