//! The client's one connection to the central instance: the session file
//! `smarteka login` leaves (readable by its owner only), and one HTTP
//! client with keep-alive on one runtime for the whole process, used by
//! sync, the file lane and the long-poll alike.

use std::sync::OnceLock;
use std::time::Duration;

use crate::sync::protocol::{ErrorBody, PROTOCOL, PROTOCOL_HEADER};

pub use crate::store::credentials::{Credentials, credentials, credentials_path, remember};

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
                .map_err(|e| {
                    tracing::error!(error = %e, "runtime");
                    "Не удалось запустить сетевой поток.".to_owned()
                })?;
            let http = reqwest::Client::builder()
                .connect_timeout(Duration::from_secs(15))
                .timeout(Duration::from_secs(120))
                .pool_idle_timeout(Duration::from_secs(90))
                .tcp_keepalive(Duration::from_secs(30))
                .build()
                .map_err(|e| {
                    tracing::error!(error = %e, "http client");
                    "Не удалось подготовить HTTP-клиент.".to_owned()
                })?;
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
        Err(e) => {
            tracing::warn!(error = %e, "a request task failed");
            Err("Запрос к серверу прерван: повторите.".to_owned())
        }
    }
}

/// A JSON request to the server before signing in (sign-up, codes):
/// the answer's JSON, or the server's Russian refusal.
pub fn post_json<B: serde::Serialize, R: serde::de::DeserializeOwned>(
    base: &str,
    path: &str,
    body: &B,
) -> Result<R, String> {
    let body = serde_json::to_vec(body).map_err(|e| e.to_string())?;
    block_on(async {
        let resp = dispatch(
            http()?
                .post(format!("{base}{path}"))
                .header(PROTOCOL_HEADER, PROTOCOL.to_string())
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body),
        )
        .await?;
        if !resp.status().is_success() {
            return Err(error_of(resp).await);
        }
        let bytes = resp.bytes().await.map_err(|e| network(&e))?;
        serde_json::from_slice(&bytes).map_err(|e| format!("Ответ сервера не разобран: {e}"))
    })?
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
