//! Attachments on a lane of their own: resumable uploads by SHA-256 (the
//! client asks how much arrived, then sends chunks from there; the server
//! checks the content against its name when the last byte is in) and
//! downloads with `Range`, so an interrupted transfer goes on where it
//! stopped. A file already here is never sent again.

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt as _;

use super::{ApiError, AppState, authenticate};
use crate::store::blobs::{AppendError, Blobs};

/// The largest chunk of one upload request.
pub const CHUNK_LIMIT: usize = 4 * 1024 * 1024;
pub const OFFSET: &str = "upload-offset";
pub const LENGTH: &str = "upload-length";

fn sha(s: &str) -> Result<&str, ApiError> {
    if Blobs::is_sha256(s) {
        Ok(s)
    } else {
        Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "Файл указывается своим SHA-256: 64 шестнадцатеричных знака.",
        ))
    }
}

fn number(headers: &HeaderMap, name: &str) -> Result<u64, ApiError> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| ApiError::new(StatusCode::BAD_REQUEST, format!("Нет заголовка {name}.")))
}

fn offset_reply(status: StatusCode, received: u64) -> Response {
    (
        status,
        [(OFFSET, received.to_string())],
        axum::Json(serde_json::json!({ "received": received })),
    )
        .into_response()
}

/// How much of a file has arrived.
pub async fn received(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    authenticate(&state, &headers)?;
    let blobs = Blobs::new(state.store.dir());
    Ok(offset_reply(StatusCode::OK, blobs.received(sha(&name)?)))
}

/// One chunk, at the offset the server has.
pub async fn append(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(name): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    authenticate(&state, &headers)?;
    let name = sha(&name)?.to_owned();
    let offset = number(&headers, OFFSET)?;
    let total = number(&headers, LENGTH)?;
    let blobs = Blobs::new(state.store.dir());
    let result = tokio::task::spawn_blocking(move || blobs.append(&name, offset, &body, total))
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    match result {
        Ok(n) if n >= total => Ok(offset_reply(StatusCode::CREATED, n)),
        Ok(n) => Ok(offset_reply(StatusCode::OK, n)),
        Err(AppendError::Offset(have)) => Ok(offset_reply(StatusCode::CONFLICT, have)),
        Err(e @ AppendError::TooLarge(_)) => {
            Err(ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, e.to_string()))
        }
        Err(e @ AppendError::Io(_)) => Err(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            e.to_string(),
        )),
        Err(e) => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            e.to_string(),
        )),
    }
}

/// A stored file; `Range` continues an interrupted download.
pub async fn download(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(name): Path<String>,
    req: Request<Body>,
) -> Result<Response, ApiError> {
    authenticate(&state, &headers)?;
    let path = Blobs::new(state.store.dir()).path_of(sha(&name)?);
    if !path.is_file() {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "Такого файла на сервере нет.",
        ));
    }
    let resp = tower_http::services::ServeFile::new(path)
        .oneshot(req)
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    Ok(resp.into_response())
}
