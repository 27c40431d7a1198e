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
use crate::store::StoreError;
use crate::store::blobs::{AppendError, Blobs};

/// The largest chunk of one upload request.
pub const CHUNK_LIMIT: usize = 4 * 1024 * 1024;
pub use crate::sync::protocol::blobs_header::{LENGTH, OFFSET};

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

/// How much of a file has arrived from this user: all of it if the file is
/// here and theirs to have; else what they sent so far. Nobody learns
/// whether a file they may not read is on the server.
pub async fn received(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    let user = authenticate(&state, &headers)?;
    let sha = sha(&name)?.to_owned();
    let store = state.store.clone();
    let n = super::off_thread(move || -> Result<u64, StoreError> {
        let blobs = Blobs::new(store.dir());
        if blobs.exists(&sha) && crate::service::ops::may_read(&store, &user, &sha)? {
            return Ok(std::fs::metadata(blobs.path_of(&sha)).map_or(0, |m| m.len()));
        }
        Ok(blobs.received(&user.id.to_string(), &sha))
    })
    .await??;
    Ok(offset_reply(StatusCode::OK, n))
}

/// One chunk, at the offset the server has from this user.
pub async fn append(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(name): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let user = authenticate(&state, &headers)?;
    let name = sha(&name)?.to_owned();
    let offset = number(&headers, OFFSET)?;
    let total = number(&headers, LENGTH)?;
    let store = state.store.clone();
    let quota = super::PARTIAL_QUOTA;
    let result = super::off_thread(move || {
        let blobs = Blobs::new(store.dir());
        let r = blobs.append(&user.id.to_string(), &name, offset, &body, total, quota);
        if let Ok(n) = r
            && n >= total
        {
            // The whole file came from this user: theirs to have.
            store.add_file_owner(&name, user.id)?;
        }
        Ok::<_, StoreError>(r)
    })
    .await??;
    match result {
        Ok(n) if n >= total => Ok(offset_reply(StatusCode::CREATED, n)),
        Ok(n) => Ok(offset_reply(StatusCode::OK, n)),
        Err(AppendError::Offset(have)) => Ok(offset_reply(StatusCode::CONFLICT, have)),
        Err(e @ AppendError::TooLarge(_)) => {
            Err(ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, e.to_string()))
        }
        Err(e @ AppendError::Quota(_)) => Err(ApiError::new(
            StatusCode::INSUFFICIENT_STORAGE,
            e.to_string(),
        )),
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

/// A stored file the user may have; `Range` continues an interrupted
/// download. One the user may not have is answered as missing.
pub async fn download(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(name): Path<String>,
    req: Request<Body>,
) -> Result<Response, ApiError> {
    let user = authenticate(&state, &headers)?;
    let sha = sha(&name)?.to_owned();
    let store = state.store.clone();
    let path = super::off_thread(move || -> Result<Option<std::path::PathBuf>, StoreError> {
        let path = Blobs::new(store.dir()).path_of(&sha);
        Ok((path.is_file() && crate::service::ops::may_read(&store, &user, &sha)?).then_some(path))
    })
    .await??;
    let Some(path) = path else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "Такого файла на сервере нет или он вам недоступен.",
        ));
    };
    let resp = tower_http::services::ServeFile::new(path)
        .oneshot(req)
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    Ok(resp.into_response())
}
