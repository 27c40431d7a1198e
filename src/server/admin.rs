//! The server's own upkeep: the backup asked for by `smarteka backup`, the
//! control file, the store kept private, scheduled backups and the sweep
//! of stale partial uploads.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use crate::domain::clock::Clock;
use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};

use crate::store::Store;

use super::{
    ApiError, AppState, BackupPlan, BackupRequest, CONTROL_FILE, CONTROL_HEADER, PARTIAL_AGE,
    bad_json, off_thread,
};

/// `POST /api/admin/backup`: `smarteka backup` on the server's machine asks
/// the running server for a backup, showing the secret of its control file
/// (readable only by the account the server runs as), from loopback only.
pub(super) async fn admin_backup(
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
pub(super) fn private(dir: &std::path::Path) -> std::io::Result<()> {
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
pub(super) fn write_control(
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
pub(super) fn housekeeping(store: &Arc<Store>, plan: Option<BackupPlan>, clock: Arc<dyn Clock>) {
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
    // The day's reminders by mail: at start and every hour after (sent
    // once a day, whatever the restarts).
    let (reminder_store, reminder_clock) = (store.clone(), clock.clone());
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60 * 60));
        loop {
            tick.tick().await;
            let (s, c) = (reminder_store.clone(), reminder_clock.clone());
            let sent = tokio::task::spawn_blocking(move || {
                crate::service::reminders::send(&crate::service::Ctx::new(&s, c.as_ref()))
            })
            .await;
            match sent {
                Ok(Ok(n)) if n > 0 => tracing::info!(n, "reminders queued"),
                Ok(Err(e)) => tracing::error!(error = %e, "reminders not queued"),
                _ => {}
            }
        }
    });
    let Some(plan) = plan else { return };
    let store = store.clone();
    tokio::spawn(async move {
        // The first one when the newest is `every` old (at once if it is
        // older or there is none), so restarts never postpone backups.
        let age = crate::store::backup::newest_scheduled(&plan.dir)
            .and_then(|t| (clock.now() - t).to_std().ok())
            .unwrap_or(plan.every);
        let first = tokio::time::Instant::now() + plan.every.saturating_sub(age);
        let mut tick = tokio::time::interval_at(first, plan.every);
        loop {
            tick.tick().await;
            let (s, p, c) = (store.clone(), plan.clone(), clock.clone());
            let made = tokio::task::spawn_blocking(move || {
                crate::store::backup::scheduled_backup(&s, &p.dir, p.keep, c.now())
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
