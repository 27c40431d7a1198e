//! The session commands of the command line: `smarteka login`, `logout`,
//! `password`, `sync` and its `status`, `verify` and `repair`, and
//! `backup` through a running server.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use crate::cli::{Failure, fail};
use crate::sync::client::api::{
    Credentials, Refusal, base_url, block_on, credentials, credentials_path, runtime, send, signed,
};
use crate::sync::protocol::{PROTOCOL, PROTOCOL_HEADER};

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

/// A linked store: its session, the store, and the process's runtime.
type Linked = (
    Credentials,
    crate::store::Store,
    &'static tokio::runtime::Runtime,
);

fn linked(data: &Path) -> Result<Linked, Failure> {
    linked_with(data, crate::store::OpenFlags::default())
}

fn linked_with(data: &Path, flags: crate::store::OpenFlags) -> Result<Linked, Failure> {
    let creds = credentials(data).map_err(|e| fail(e, 1))?.ok_or_else(|| {
        fail(
            "Сначала войдите: smarteka --as ЛОГИН login --server АДРЕС.",
            2,
        )
    })?;
    let store = crate::store::Store::open_with(data, flags)?;
    let runtime = runtime().map_err(|e| fail(e, 1))?;
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
/// A store that lost data to a damaged log (refused on open) is taken as
/// it is and rebuilt from the server.
pub fn repair(data: &Path) -> Result<(), Failure> {
    let (creds, store, runtime) = linked_with(data, crate::store::OpenFlags { accept_loss: true })?;
    store.reset_pull()?;
    let s = runtime
        .block_on(crate::sync::client::sync(&store, &creds, |_| {}))
        .map_err(|e| {
            fail(
                format!("Синхронизация прервана, ничего не потеряно: {e}"),
                1,
            )
        })?;
    report_restores(&s);
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
            // On a terminal one line updated in place; in a log, a line
            // per page kept.
            if tty {
                eprint!("\r{line}\x1b[K");
            } else {
                eprintln!("{line}");
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
    report_restores(&s);
    eprintln!(
        "Синхронизировано: отправлено {}, получено {}, конфликтов {}, отклонено {}.",
        s.sent, s.received, s.conflicts, s.rejected
    );
    Ok(())
}

/// What a sync did about a restored store or server.
fn report_restores(s: &crate::sync::client::Summary) {
    for (text, _) in s.notices(false) {
        eprintln!("{text}");
    }
}

/// A request to the server with the saved session; its JSON answer, or
/// the error in Russian.
async fn call(
    creds: &Credentials,
    method: reqwest::Method,
    path: &str,
    body: Option<Vec<u8>>,
) -> Result<serde_json::Value, String> {
    let mut req = signed(creds, method, path)?;
    if let Some(b) = body {
        req = req
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(b);
    }
    let bytes = send(req).await.map_err(Refusal::message)?;
    serde_json::from_slice(&bytes).map_err(|e| format!("Ответ сервера не разобран: {e}"))
}

/// `smarteka logout`: ends the session on the server (if it answers) and
/// forgets it here. Changes waiting to be sent stay for the next login.
pub fn logout(data: &Path) -> Result<(), Failure> {
    let Some(creds) = credentials(data).map_err(|e| fail(e, 1))? else {
        return Err(fail("Вход на сервер не выполнен.", 1));
    };
    let ended = block_on(call(&creds, reqwest::Method::DELETE, "/api/session", None))
        .map_err(|e| fail(e, 1))?;
    std::fs::remove_file(credentials_path(data))?;
    std::fs::File::open(data)?.sync_all()?;
    match ended {
        Ok(_) => eprintln!(
            "Вы вышли: сеанс {} на {} закрыт.",
            creds.login, creds.server
        ),
        Err(e) => eprintln!(
            "Сеанс забыт на этом рабочем месте; сервер не ответил ({e}), сеанс там истечёт сам."
        ),
    }
    Ok(())
}

/// `smarteka password`: a new password — on the server when signed in to
/// one, else in this store; the old one is asked first.
pub fn change_password(data: &Path, as_user: Option<&str>) -> Result<(), Failure> {
    let creds = credentials(data).map_err(|e| fail(e, 1))?;
    let login = match (&creds, as_user) {
        (Some(c), _) => c.login.clone(),
        (None, Some(l)) => l.to_owned(),
        (None, None) => return Err(fail("Укажите, чей пароль меняется: --as ЛОГИН.", 2)),
    };
    let old =
        crate::cli::practice::password("SMARTEKA_PASSWORD", &format!("Текущий пароль {login}: "))?;
    let new = crate::cli::practice::password("SMARTEKA_NEW_PASSWORD", "Новый пароль: ")?;
    if let Some(why) = crate::service::accounts::weak_password(&new) {
        return Err(fail(why, 2));
    }
    if let Some(c) = creds {
        let body = serde_json::to_vec(&crate::sync::protocol::PasswordRequest { old, new })
            .map_err(|e| fail(e.to_string(), 1))?;
        block_on(call(&c, reqwest::Method::POST, "/api/password", Some(body)))
            .map_err(|e| fail(e, 1))?
            .map_err(|e| fail(e, 1))?;
        eprintln!("Пароль {login} на сервере изменён; другие сеансы закрыты.");
        return Ok(());
    }
    let store = crate::store::Store::open(data)?;
    crate::service::accounts::change_password_here(&crate::cli::ctx(&store), &login, &old, &new)
        .map_err(|e| crate::cli::refused(&e))?;
    eprintln!("Пароль {login} изменён.");
    Ok(())
}

pub fn login(data: &Path, server: &str, as_user: Option<&str>) -> Result<(), Failure> {
    let base = base_url(server).map_err(|e| fail(e, 2))?;
    let login = as_user.ok_or_else(|| fail("Укажите, кто входит: --as ЛОГИН.", 2))?;
    let password =
        crate::cli::practice::password("SMARTEKA_PASSWORD", &format!("Пароль для {login}: "))?;
    let store = crate::store::Store::open(data)?;
    let reply =
        crate::sync::client::link(&store, &base, login, &password).map_err(|e| fail(e, 1))?;
    let roles = if reply.user.roles.is_empty() {
        "без ролей".to_owned()
    } else {
        reply.user.roles.join(", ")
    };
    eprintln!(
        "Вы вошли как {} ({roles}); сеанс до {}. Получить данные: smarteka sync.",
        reply.user.full_name,
        reply
            .expires
            .with_timezone(&chrono::Local)
            .format("%d.%m.%Y %H:%M")
    );
    Ok(())
}

/// Asks the server running on `data` for a backup into `dir`, through its
/// control file.
pub fn backup_by_server(data: &Path, dir: &Path) -> Result<crate::store::backup::Manifest, String> {
    let text = std::fs::read_to_string(data.join(crate::sync::protocol::CONTROL_FILE)).map_err(|_| {
        "Хранилище открыто другим процессом, и это не сервер smarteka (нет файла управления serve.control). Остановите тот процесс.".to_owned()
    })?;
    let v: serde_json::Value = serde_json::from_str(&text)
        .map_err(|_| "Файл управления сервером повреждён.".to_owned())?;
    let (Some(addr), Some(secret)) = (v["addr"].as_str(), v["secret"].as_str()) else {
        return Err("Файл управления сервером повреждён.".to_owned());
    };
    let port = addr.rsplit(':').next().unwrap_or_default();
    let scheme = if v["tls"].as_bool() == Some(true) {
        "https"
    } else {
        "http"
    };
    let url = format!("{scheme}://127.0.0.1:{port}/api/admin/backup");
    let body = serde_json::to_vec(&crate::sync::protocol::BackupRequest {
        dir: dir.to_owned(),
    })
    .map_err(|e| e.to_string())?;
    block_on(async {
        let req = reqwest::Client::builder()
            .timeout(Duration::from_secs(3600))
            // Loopback to this machine's own server, whose certificate is
            // for its public name; the control secret is what is checked.
            .danger_accept_invalid_certs(true)
            .build()
            .map_err(|e| e.to_string())?
            .post(url)
            .header(PROTOCOL_HEADER, PROTOCOL.to_string())
            .header(crate::sync::protocol::CONTROL_HEADER, secret)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body);
        let bytes = send(req).await.map_err(Refusal::message)?;
        serde_json::from_slice(&bytes).map_err(|e| format!("Ответ сервера не разобран: {e}"))
    })?
}
