//! The client's one connection to the central instance: the session file
//! `smarteka login` leaves (readable by its owner only), and one HTTP
//! client with keep-alive on one runtime for the whole process, used by
//! sync, the file lane and the long-poll alike.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::sync::protocol::{ErrorBody, PROTOCOL, PROTOCOL_HEADER};

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

/// On a store linked to a server, the user whose unexpired session
/// `smarteka login` saved: the server checked their password then.
pub fn session_user(store: &crate::store::Store, login: &str) -> Option<crate::domain::User> {
    let c = credentials(store.dir()).ok().flatten()?;
    if c.login != login.trim() || c.expires <= chrono::Utc::now() {
        return None;
    }
    store.user_by_login(&c.login).ok().flatten()
}

/// Writes the session with mode 0600 via a temporary file, durably.
pub fn remember(data: &Path, c: &Credentials) -> Result<(), String> {
    use std::os::unix::fs::OpenOptionsExt as _;
    std::fs::create_dir_all(data).map_err(|e| e.to_string())?;
    let path = credentials_path(data);
    let tmp = path.with_extension("tmp");
    let text = toml::to_string(c).map_err(|e| e.to_string())?;
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
    f.write_all(text.as_bytes()).map_err(|e| e.to_string())?;
    f.sync_all().map_err(|e| e.to_string())?;
    std::fs::rename(&tmp, &path).map_err(|e| e.to_string())?;
    std::fs::File::open(data)
        .and_then(|d| d.sync_all())
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// The base URL without a trailing slash; only http and https.
pub fn base_url(server: &str) -> Result<String, String> {
    let s = server.trim().trim_end_matches('/');
    if !(s.starts_with("http://") || s.starts_with("https://")) {
        return Err(format!(
            "«{server}» — не адрес сервера: укажите http://… или https://…"
        ));
    }
    Ok(s.to_owned())
}

/// Chooses the TLS cryptography once per process: two providers are
/// linked in (through different crates), so rustls cannot pick one itself.
pub fn crypto() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// The process's runtime and HTTP client, made at first use.
struct Process {
    runtime: tokio::runtime::Runtime,
    http: reqwest::Client,
}

fn process() -> Result<&'static Process, String> {
    static PROCESS: OnceLock<Result<Process, String>> = OnceLock::new();
    PROCESS
        .get_or_init(|| {
            crypto();
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("smarteka-net")
                .enable_all()
                .build()
                .map_err(|e| format!("Не удалось запустить сетевой поток: {e}"))?;
            let http = reqwest::Client::builder()
                .connect_timeout(Duration::from_secs(15))
                .timeout(Duration::from_secs(120))
                .pool_idle_timeout(Duration::from_secs(90))
                .tcp_keepalive(Duration::from_secs(30))
                .build()
                .map_err(|e| format!("Не удалось подготовить HTTP-клиент: {e}"))?;
            Ok(Process { runtime, http })
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// The one runtime of the process.
pub fn runtime() -> Result<&'static tokio::runtime::Runtime, String> {
    Ok(&process()?.runtime)
}

/// Runs `f` to its end on the process's runtime, from a thread outside it.
pub fn block_on<F: std::future::Future>(f: F) -> Result<F::Output, String> {
    Ok(runtime()?.block_on(f))
}

/// The one HTTP client of the process: its connections are kept alive and
/// reused by every request.
pub fn http() -> Result<&'static reqwest::Client, String> {
    Ok(&process()?.http)
}

/// Sends a request on the process's runtime, wherever it is awaited, so its
/// pooled connection outlives the caller's runtime; a network failure in
/// Russian.
pub async fn dispatch(req: reqwest::RequestBuilder) -> Result<reqwest::Response, String> {
    let task = runtime()?.spawn(req.send());
    match task.await {
        Ok(sent) => sent.map_err(|e| network(&e)),
        Err(e) => Err(format!("Запрос к серверу прерван: {e}")),
    }
}

/// A request to the server with the session's headers.
pub fn signed(
    creds: &Credentials,
    method: reqwest::Method,
    path: &str,
) -> Result<reqwest::RequestBuilder, String> {
    Ok(http()?
        .request(method, format!("{}{path}", creds.server))
        .header(PROTOCOL_HEADER, PROTOCOL.to_string())
        .header(
            reqwest::header::AUTHORIZATION,
            format!("Bearer {}", creds.token),
        ))
}

/// A refusal of the server: its Russian message, and the code of
/// [`crate::sync::protocol::codes`] (with the server's last op) when the client is
/// to act on it.
#[derive(Debug)]
pub enum Refusal {
    Coded(String, Option<u64>, String),
    Other(String),
}

impl From<String> for Refusal {
    fn from(s: String) -> Self {
        Self::Other(s)
    }
}

impl Refusal {
    pub fn message(self) -> String {
        match self {
            Self::Coded(_, _, m) | Self::Other(m) => m,
        }
    }
}

/// Sends a request; the body of a success, or the refusal.
pub async fn send(req: reqwest::RequestBuilder) -> Result<Vec<u8>, Refusal> {
    let resp = dispatch(req).await?;
    let status = resp.status();
    let bytes = resp.bytes().await.map_err(|e| network(&e))?;
    if status.is_success() {
        return Ok(bytes.to_vec());
    }
    Err(refusal_of(status, &bytes))
}

/// The Russian message of an error response.
pub async fn error_of(resp: reqwest::Response) -> String {
    let status = resp.status();
    match resp.bytes().await {
        Ok(b) => refusal_of(status, &b).message(),
        Err(e) => network(&e),
    }
}

/// An error answer of the server: its Russian message, with its code.
pub fn refusal_of(status: reqwest::StatusCode, body: &[u8]) -> Refusal {
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(ErrorBody {
            error,
            code: Some(c),
            last,
        }) => Refusal::Coded(c, last, error),
        Ok(e) => Refusal::Other(e.error),
        Err(_) => Refusal::Other(format!("Сервер ответил кодом {}.", status.as_u16())),
    }
}

/// A network failure in Russian.
pub fn network(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "Сервер не ответил вовремя: проверьте связь и повторите.".to_owned()
    } else if e.is_connect() {
        "Нет связи с сервером: проверьте адрес и сеть.".to_owned()
    } else {
        format!("Сетевая ошибка: {e}")
    }
}
