//! The attachment lane of the client: upload a stored file the server lacks,
//! resuming from what arrived; download one with `Range`, resuming a partial
//! file; both checked by SHA-256.

use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::time::Duration;

use sha2::{Digest, Sha256};

use super::api::{Credentials, dispatch, error_of, network, signed as request};
use crate::store::blobs::Blobs;
use crate::sync::protocol::blobs_header;

/// Bytes per upload request.
pub const CHUNK: usize = 1024 * 1024;
/// Attempts after network failures before giving up for this sync.
const ATTEMPTS: u32 = 30;

async fn received(creds: &Credentials, sha: &str) -> Result<u64, String> {
    let resp = dispatch(request(
        creds,
        reqwest::Method::GET,
        &format!("/api/uploads/{sha}"),
    )?)
    .await?;
    if !resp.status().is_success() {
        return Err(error_of(resp).await);
    }
    offset_of(&resp)
}

fn offset_of(resp: &reqwest::Response) -> Result<u64, String> {
    resp.headers()
        .get(blobs_header::OFFSET)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| "Сервер не сообщил, сколько файла получено.".to_owned())
}

async fn pause(attempt: u32) {
    let ms = (200u64 << attempt.min(5)).min(5_000);
    tokio::time::sleep(Duration::from_millis(ms)).await;
}

/// Sends a stored file to the server unless it is there already; resumes
/// after dropped connections.
pub async fn upload(creds: &Credentials, blobs: &Blobs, sha: &str) -> Result<(), String> {
    let path = blobs.path_of(sha);
    let Ok(meta) = std::fs::metadata(&path) else {
        // A file this store never had (it came with the passport from the
        // server, and was not opened here): nothing to send.
        return Ok(());
    };
    let total = meta.len();
    let mut failures = 0;
    'ask: loop {
        let mut have = match received(creds, sha).await {
            Ok(n) => n,
            Err(e) => {
                failures += 1;
                if failures > ATTEMPTS {
                    return Err(e);
                }
                pause(failures).await;
                continue;
            }
        };
        let mut file = std::fs::File::open(&path).map_err(|e| e.to_string())?;
        while have < total {
            file.seek(SeekFrom::Start(have))
                .map_err(|e| e.to_string())?;
            let len = usize::try_from((total - have).min(CHUNK as u64)).unwrap_or(CHUNK);
            let mut chunk = vec![0u8; len];
            file.read_exact(&mut chunk).map_err(|e| e.to_string())?;
            let sent = dispatch(
                request(
                    creds,
                    reqwest::Method::PATCH,
                    &format!("/api/uploads/{sha}"),
                )?
                .header(blobs_header::OFFSET, have.to_string())
                .header(blobs_header::LENGTH, total.to_string())
                .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
                .body(chunk),
            )
            .await;
            match sent {
                Ok(resp)
                    if resp.status().is_success()
                        || resp.status() == reqwest::StatusCode::CONFLICT =>
                {
                    have = offset_of(&resp)?;
                    // Progress: a link that drops now and then is not failing.
                    failures = 0;
                }
                Ok(resp) => return Err(error_of(resp).await),
                Err(e) => {
                    failures += 1;
                    if failures > ATTEMPTS {
                        return Err(e);
                    }
                    pause(failures).await;
                    continue 'ask;
                }
            }
        }
        return Ok(());
    }
}

/// Fetches a file from the server into the blob area, resuming a partial
/// download, and checks it against its name.
pub async fn download(creds: &Credentials, blobs: &Blobs, sha: &str) -> Result<(), String> {
    if blobs.exists(sha) {
        return Ok(());
    }
    let part = blobs.path_of(sha).with_extension("download");
    if let Some(parent) = part.parent() {
        std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
    }
    let mut failures = 0;
    loop {
        let have = std::fs::metadata(&part).map_or(0, |m| m.len());
        let mut req = request(creds, reqwest::Method::GET, &format!("/api/blobs/{sha}"))?;
        if have > 0 {
            req = req.header(reqwest::header::RANGE, format!("bytes={have}-"));
        }
        let result = async {
            let resp = dispatch(req).await.map_err(|e| (e, true))?;
            let status = resp.status();
            if status == reqwest::StatusCode::RANGE_NOT_SATISFIABLE {
                return Ok(());
            }
            if !status.is_success() {
                return Err((error_of(resp).await, false));
            }
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(status == reqwest::StatusCode::PARTIAL_CONTENT)
                .write(true)
                .truncate(status != reqwest::StatusCode::PARTIAL_CONTENT)
                .open(&part)
                .map_err(|e| (e.to_string(), false))?;
            let mut resp = resp;
            while let Some(bytes) = resp.chunk().await.map_err(|e| (network(&e), true))? {
                f.write_all(&bytes).map_err(|e| (e.to_string(), false))?;
            }
            f.sync_all().map_err(|e| (e.to_string(), false))?;
            Ok(())
        }
        .await;
        match result {
            Ok(()) => break,
            Err((e, true)) => {
                let now = std::fs::metadata(&part).map_or(0, |m| m.len());
                failures = if now > have { 1 } else { failures + 1 };
                if failures > ATTEMPTS {
                    return Err(e);
                }
                pause(failures).await;
            }
            Err((e, false)) => return Err(e),
        }
    }
    let mut hasher = Sha256::new();
    let mut f = std::fs::File::open(&part).map_err(|e| e.to_string())?;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = f.read(&mut buf).map_err(|e| e.to_string())?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    let got = crate::store::blobs::hex(&hasher.finalize());
    if got != sha {
        let _ = std::fs::remove_file(&part);
        return Err(
            "Полученный файл не совпадает со своим SHA-256: загрузите его заново.".to_owned(),
        );
    }
    std::fs::rename(&part, blobs.path_of(sha)).map_err(|e| e.to_string())?;
    Ok(())
}
