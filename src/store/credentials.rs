//! The session `smarteka login` leaves in the store's directory: the
//! server, the login and the token, readable by its owner only.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// What `smarteka login` remembers.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Credentials {
    pub server: String,
    pub login: String,
    pub token: String,
    pub expires: chrono::DateTime<chrono::Utc>,
}

pub fn credentials_path(data: &Path) -> PathBuf {
    data.join("server-session.toml")
}

/// Reads the saved session, if any.
pub fn credentials(data: &Path) -> Result<Option<Credentials>, String> {
    match std::fs::read_to_string(credentials_path(data)) {
        Ok(text) => toml::from_str(&text)
            .map(Some)
            .map_err(|e| format!("Файл сеанса повреждён, войдите заново: {e}")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e.to_string()),
    }
}

/// Writes the session with mode 0600 via a temporary file, durably.
pub fn remember(data: &Path, c: &Credentials) -> Result<(), String> {
    std::fs::create_dir_all(data).map_err(|e| e.to_string())?;
    let text = toml::to_string(c).map_err(|e| e.to_string())?;
    write_private(&credentials_path(data), text.as_bytes())
}

/// Writes a secret file with mode 0600 via a temporary file, durably.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<(), String> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)
        .map_err(|e| e.to_string())?;
    // A temporary file left by an earlier run keeps its old mode: set it.
    f.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))
        .map_err(|e| e.to_string())?;
    f.write_all(bytes).map_err(|e| e.to_string())?;
    f.sync_all().map_err(|e| e.to_string())?;
    std::fs::rename(&tmp, path).map_err(|e| e.to_string())?;
    if let Some(dir) = path.parent() {
        std::fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}
