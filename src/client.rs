//! The client side of the central instance: `smarteka login --server URL`
//! and the session file it leaves, readable by its owner only.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::cli::{Failure, fail};
use crate::server::{ErrorBody, LoginReply, LoginRequest, PROTOCOL, PROTOCOL_HEADER};

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
    f.write_all(text.as_bytes()).map_err(|e| e.to_string())?;
    f.sync_all().map_err(|e| e.to_string())?;
    std::fs::rename(&tmp, &path).map_err(|e| e.to_string())?;
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

pub fn http() -> Result<reqwest::Client, String> {
    crypto();
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(15))
        .timeout(Duration::from_secs(120))
        .build()
        .map_err(|e| e.to_string())
}

/// The Russian message of an error response.
pub async fn error_of(resp: reqwest::Response) -> String {
    let status = resp.status();
    match resp.bytes().await {
        Ok(b) => serde_json::from_slice::<ErrorBody>(&b)
            .map_or_else(|_| format!("Сервер ответил {status}."), |e| e.error),
        Err(e) => format!("Сервер ответил {status}: {e}"),
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

/// `smarteka sync status`: what waits to be sent, how far the feed was
/// pulled, the conflicts and refusals to look at.
pub fn status(data: &Path, json: bool) -> Result<(), Failure> {
    let store = crate::store::Store::open(data)?;
    let creds = credentials(data).map_err(|e| fail(e, 1))?;
    let outbox = store.outbox()?;
    let conflicts = store.conflicts()?;
    let cursor = store.pull_cursor()?;
    if json {
        let v = serde_json::json!({
            "server": creds.as_ref().map(|c| c.server.clone()),
            "login": creds.as_ref().map(|c| c.login.clone()),
            "client": store.client_id()?,
            "pending": outbox.len(),
            "cursor": cursor,
            "conflicts": conflicts.iter().map(|c| serde_json::json!({
                "practice": c.practice,
                "title": c.title,
                "field": c.field.map(crate::domain::passport::Field::id),
                "reason": c.reason,
            })).collect::<Vec<_>>(),
        });
        let mut s = serde_json::to_string_pretty(&v).map_err(|e| fail(e.to_string(), 1))?;
        s.push('\n');
        return crate::cli::emit(s.as_bytes());
    }
    let mut out = match &creds {
        Some(c) => format!("Сервер: {} ({})\n", c.server, c.login),
        None => "Вход на сервер не выполнен: smarteka --as ЛОГИН login --server АДРЕС\n".to_owned(),
    };
    let _ = writeln!(
        out,
        "Ждут отправки: {}; получено до изменения {cursor}.",
        outbox.len()
    );
    for c in &conflicts {
        match (&c.field, &c.reason) {
            (Some(f), _) => {
                let _ = writeln!(
                    out,
                    "Конфликт: «{}», {} {} — изменено и у вас, и на сервере.",
                    c.title,
                    f.id(),
                    f.label()
                );
            }
            (None, Some(r)) => {
                let _ = writeln!(out, "Отказ: «{}»: {r}", c.title);
            }
            _ => {}
        }
    }
    crate::cli::emit(out.as_bytes())
}

fn linked(
    data: &Path,
) -> Result<(Credentials, crate::store::Store, tokio::runtime::Runtime), Failure> {
    let creds = credentials(data).map_err(|e| fail(e, 1))?.ok_or_else(|| {
        fail(
            "Сначала войдите: smarteka --as ЛОГИН login --server АДРЕС.",
            2,
        )
    })?;
    let store = crate::store::Store::open(data)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    Ok((creds, store, runtime))
}

/// `smarteka sync verify`: which practices differ from the server's.
pub fn verify(data: &Path) -> Result<(), Failure> {
    let (creds, store, runtime) = linked(data)?;
    let pending = store.outbox()?.len();
    let (differ, compared) = runtime
        .block_on(crate::sync::client::verify(&store, &creds))
        .map_err(|e| fail(e, 1))?;
    let mut out = format!(
        "Сверено практик: {compared}; расходятся: {}; ждут отправки: {pending}.\n",
        differ.len()
    );
    for t in &differ {
        let _ = writeln!(out, "  «{t}»");
    }
    if !differ.is_empty() {
        out.push_str("Расхождения устранит smarteka sync (или sync repair — всё заново).\n");
    }
    crate::cli::emit(out.as_bytes())?;
    if differ.is_empty() {
        Ok(())
    } else {
        Err(fail("Хранилище расходится с сервером.", 1))
    }
}

/// `smarteka sync repair`: pull everything again, keeping what waits to be
/// sent.
pub fn repair(data: &Path) -> Result<(), Failure> {
    let (creds, store, runtime) = linked(data)?;
    store.reset_pull()?;
    let s = runtime
        .block_on(crate::sync::client::sync(&store, &creds, |_| {}))
        .map_err(|e| {
            fail(
                format!("Синхронизация прервана, ничего не потеряно: {e}"),
                1,
            )
        })?;
    eprintln!(
        "Получено заново: {}; отправлено {}, конфликтов {}, отклонено {}.",
        s.received, s.sent, s.conflicts, s.rejected
    );
    Ok(())
}

/// `smarteka sync`: the outbox out, the change feed in, with a summary.
pub fn sync(data: &Path) -> Result<(), Failure> {
    let (creds, store, runtime) = linked(data)?;
    let tty = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let s = runtime
        .block_on(crate::sync::client::sync(&store, &creds, |line| {
            if tty {
                eprint!("\r{line}\x1b[K");
            }
        }))
        .map_err(|e| {
            fail(
                format!("Синхронизация прервана, ничего не потеряно: {e}"),
                1,
            )
        })?;
    if tty {
        eprintln!();
    }
    eprintln!(
        "Синхронизировано: отправлено {}, получено {}, конфликтов {}, отклонено {}.",
        s.sent, s.received, s.conflicts, s.rejected
    );
    Ok(())
}

pub fn login(data: &Path, server: &str, as_user: Option<&str>) -> Result<(), Failure> {
    let base = base_url(server).map_err(|e| fail(e, 2))?;
    let login = as_user.ok_or_else(|| fail("Укажите, кто входит: --as ЛОГИН.", 2))?;
    let password =
        crate::practice_cli::password("SMARTEKA_PASSWORD", &format!("Пароль для {login}: "))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let reply: LoginReply = runtime
        .block_on(async {
            let body = serde_json::to_vec(&LoginRequest {
                login: login.to_owned(),
                password,
            })
            .map_err(|e| e.to_string())?;
            let resp = http()?
                .post(format!("{base}/api/login"))
                .header(PROTOCOL_HEADER, PROTOCOL.to_string())
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body)
                .send()
                .await
                .map_err(|e| network(&e))?;
            if !resp.status().is_success() {
                return Err(error_of(resp).await);
            }
            let bytes = resp.bytes().await.map_err(|e| network(&e))?;
            serde_json::from_slice(&bytes).map_err(|e| format!("Ответ сервера не разобран: {e}"))
        })
        .map_err(|e| fail(e, 1))?;
    remember(
        data,
        &Credentials {
            server: base,
            login: reply.user.login.clone(),
            token: reply.token,
            expires: reply.expires,
        },
    )
    .map_err(|e| fail(format!("Сеанс не сохранён: {e}"), 1))?;
    // From now on local changes are queued for the server.
    crate::store::Store::open(data)?.link()?;
    eprintln!(
        "Вы вошли как {} ({}); сеанс до {}.",
        reply.user.full_name,
        reply.user.roles.join(", "),
        reply
            .expires
            .with_timezone(&chrono::Local)
            .format("%d.%m.%Y %H:%M")
    );
    Ok(())
}
