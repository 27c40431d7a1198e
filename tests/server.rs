//! A real `smarteka serve` on 127.0.0.1:0: health, the protocol version,
//! sign-in with throttling, sessions (expired and forged tokens), bodies
//! that are malformed, oversized or of the wrong type, `smarteka login`,
//! account administration, and a clean stop on SIGTERM.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::process::{Command, Stdio};

use common::Server;
use serde_json::Value;

mod common;

fn smarteka(data: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_smarteka"));
    c.arg("--data").arg(data).env_remove("SMARTEKA_CONFIG");
    c
}

fn serve(data: &Path, extra: &[&str]) -> Server {
    let mut c = smarteka(data);
    c.args(["serve", "--bind", "127.0.0.1:0"]).args(extra);
    common::serve_with(c)
}

/// One HTTP/1.1 request; (status, body).
fn request(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, String) {
    let mut s = TcpStream::connect(addr).expect("connects");
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        let _ = write!(head, "{k}: {v}\r\n");
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).expect("writes");
    let _ = s.write_all(body);
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text.split("\r\n\r\n").nth(1).unwrap_or_default().to_owned();
    (status, body)
}

const V: (&str, &str) = ("x-smarteka-protocol", "10");
const JSON: (&str, &str) = ("content-type", "application/json");

fn error(body: &str) -> String {
    serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v["error"].as_str().map(str::to_owned))
        .unwrap_or_else(|| panic!("an error body: {body}"))
}

fn demo(data: &Path) {
    let o = smarteka(data)
        .args(["demo", "--practices", "20", "--seed", "1"])
        .output()
        .expect("runs");
    assert!(o.status.success());
}

fn sign_in(addr: &str, login: &str, password: &str) -> (u16, String) {
    let body = serde_json::json!({"login": login, "password": password}).to_string();
    request(addr, "POST", "/api/login", &[V, JSON], body.as_bytes())
}

/// `Bearer TOKEN` of a fresh sign-in.
fn bearer_of(addr: &str, login: &str, password: &str) -> String {
    let (st, body) = sign_in(addr, login, password);
    assert_eq!(st, 200, "{body}");
    let v: Value = serde_json::from_str(&body).expect("json");
    format!("Bearer {}", v["token"].as_str().expect("token"))
}

#[test]
fn sessions_versions_and_bad_bodies() {
    let dir = tempfile::tempdir().expect("tempdir");
    demo(dir.path());
    let s = serve(dir.path(), &[]);
    let (st, body) = request(&s.addr, "GET", "/api/health", &[], b"");
    assert_eq!(st, 200, "{body}");
    let v: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(v["protocol"], smarteka::server::PROTOCOL);
    assert_eq!(
        V.1,
        smarteka::server::PROTOCOL.to_string(),
        "the tests speak it"
    );

    // The protocol version is required, and a mismatch says which side to update.
    let (st, body) = request(&s.addr, "GET", "/api/me", &[], b"");
    assert_eq!(st, 426);
    assert!(error(&body).contains("версии протокола"), "{body}");
    let (st, body) = request(
        &s.addr,
        "GET",
        "/api/me",
        &[("x-smarteka-protocol", "0")],
        b"",
    );
    assert_eq!(st, 426);
    assert!(error(&body).contains("обновите smarteka"), "{body}");

    // Sign-in: a wrong password, then the right one.
    let (st, body) = sign_in(&s.addr, "author", "wrong");
    assert_eq!(st, 401);
    assert_eq!(error(&body), "Неверный логин или пароль.");
    let (st, body) = sign_in(&s.addr, "author", "demo");
    assert_eq!(st, 200, "{body}");
    let v: Value = serde_json::from_str(&body).expect("json");
    let token = v["token"].as_str().expect("token").to_owned();
    assert_eq!(token.len(), 64);
    assert!(
        !body.contains("argon2"),
        "no password hash leaves the server"
    );
    let bearer = format!("Bearer {token}");
    let (st, body) = request(
        &s.addr,
        "GET",
        "/api/me",
        &[V, ("authorization", &bearer)],
        b"",
    );
    assert_eq!(st, 200, "{body}");
    assert!(body.contains("\"login\":\"author\""), "{body}");
    // A forged token.
    let forged = format!("Bearer {}", "0".repeat(64));
    let (st, body) = request(
        &s.addr,
        "GET",
        "/api/me",
        &[V, ("authorization", &forged)],
        b"",
    );
    assert_eq!(st, 401);
    assert!(error(&body).contains("Сеанс не найден"), "{body}");

    // Malformed, truncated, oversized and mistyped bodies: a 4xx with a message.
    let (st, body) = request(&s.addr, "POST", "/api/login", &[V, JSON], b"{\"login\": ");
    assert_eq!(st, 400, "{body}");
    assert!(error(&body).contains("не разобрано"), "{body}");
    let (st, body) = request(&s.addr, "POST", "/api/login", &[V], b"{}");
    assert_eq!(st, 415, "{body}");
    let big = vec![b' '; 3 * 1024 * 1024];
    let (st, body) = request(&s.addr, "POST", "/api/login", &[V, JSON], &big);
    assert_eq!(st, 413, "{body}");
    let (st, body) = request(&s.addr, "GET", "/api/nowhere", &[V], b"");
    assert_eq!(st, 404);
    assert!(error(&body).contains("Нет такого адреса"), "{body}");
    // …and the server still serves.
    let (st, _) = request(&s.addr, "GET", "/api/health", &[], b"");
    assert_eq!(st, 200);
}

#[test]
fn refused_logins_are_throttled() {
    let dir = tempfile::tempdir().expect("tempdir");
    demo(dir.path());
    let s = serve(dir.path(), &[]);
    for _ in 0..5 {
        assert_eq!(sign_in(&s.addr, "expert1", "wrong").0, 401);
    }
    assert_eq!(sign_in(&s.addr, "expert1", "wrong").0, 401);
    let (st, body) = sign_in(&s.addr, "expert1", "demo");
    assert_eq!(st, 429, "even the right password waits");
    assert!(error(&body).contains("Слишком много"), "{body}");
    // Another account from the same address is not locked yet.
    assert_eq!(sign_in(&s.addr, "expert2", "demo").0, 200);
}

#[test]
fn expired_sessions_and_the_login_command() {
    let dir = tempfile::tempdir().expect("tempdir");
    demo(dir.path());
    let s = serve(dir.path(), &["--token-hours", "0"]);
    let bearer = bearer_of(&s.addr, "author", "demo");
    let (st, body) = request(
        &s.addr,
        "GET",
        "/api/me",
        &[V, ("authorization", &bearer)],
        b"",
    );
    assert_eq!(st, 401);
    assert!(error(&body).contains("истёк"), "{body}");

    let client = tempfile::tempdir().expect("tempdir");
    let o = smarteka(client.path())
        .args([
            "--as",
            "author",
            "login",
            "--server",
            &format!("http://{}", s.addr),
        ])
        .env("SMARTEKA_PASSWORD", "demo")
        .output()
        .expect("runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let file = client.path().join("server-session.toml");
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(&file).expect("saved").permissions(),
    );
    assert_eq!(mode & 0o777, 0o600, "readable by its owner only");
    let o = smarteka(client.path())
        .args([
            "--as",
            "author",
            "login",
            "--server",
            &format!("http://{}", s.addr),
        ])
        .env("SMARTEKA_PASSWORD", "wrong")
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("Неверный логин или пароль"));
    let o = smarteka(client.path())
        .args(["--as", "author", "login", "--server", "http://127.0.0.1:9"])
        .env("SMARTEKA_PASSWORD", "demo")
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("Нет связи с сервером"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn accounts_are_managed_on_the_store_and_sigterm_stops_cleanly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path();
    let run = |args: &[&str]| {
        smarteka(data)
            .args(args)
            .env("SMARTEKA_NEW_PASSWORD", "пароль-надёжный")
            .output()
            .expect("runs")
    };
    let o = run(&[
        "user",
        "add",
        "ivanova",
        "--name",
        "Иванова Анна Петровна",
        "--region",
        "Татарстан",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = run(&["user", "add", "ivanova", "--name", "Другая"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("уже занят"));
    let o = run(&["user", "role", "ivanova", "add", "coordinator"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--region"));
    let o = run(&[
        "user",
        "role",
        "ivanova",
        "add",
        "coordinator",
        "--region",
        "16",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("Региональный координатор"));

    let s = serve(data, &[]);
    assert_eq!(sign_in(&s.addr, "ivanova", "пароль-надёжный").0, 200);
    // The store is the server's while it runs.
    let o = run(&["user", "disable", "ivanova"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("уже открыто"));
    // SIGTERM: requests finish, the store is flushed, exit 0.
    let mut s = s;
    let pid = s.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill")
            .success()
    );
    let status = s.child.wait().expect("waits");
    assert!(status.success(), "{status:?}");

    let o = run(&["user", "disable", "ivanova"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let s = serve(data, &[]);
    let (st, body) = sign_in(&s.addr, "ivanova", "пароль-надёжный");
    assert_eq!(st, 401);
    assert!(error(&body).contains("отключена"), "{body}");
}

#[test]
fn tls_with_a_certificate_and_a_clear_message_without_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    demo(dir.path());
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    // A self-signed certificate for localhost.
    let made = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("cert");
    std::fs::write(&cert, made.cert.pem()).expect("writes");
    std::fs::write(&key, made.key_pair.serialize_pem()).expect("writes");
    let missing = smarteka(dir.path())
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--tls-cert",
            "/nonexistent.pem",
            "--tls-key",
        ])
        .arg(&key)
        .output()
        .expect("runs");
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("Сертификат или ключ TLS не прочитаны")
    );

    let mut child = smarteka(dir.path())
        .args(["serve", "--bind", "127.0.0.1:0", "--tls-cert"])
        .arg(&cert)
        .arg("--tls-key")
        .arg(&key)
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let first = lines.next().expect("a line").expect("text");
    let addr = first
        .split("https://")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .unwrap_or_else(|| panic!("no https address in «{first}»"))
        .to_owned();
    std::thread::spawn(move || for _ in lines {});
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let body = runtime.block_on(async {
        let client = reqwest::Client::builder()
            .danger_accept_invalid_certs(true)
            .build()
            .expect("client");
        client
            .get(format!("https://{addr}/api/health"))
            .send()
            .await
            .expect("TLS handshake and answer")
            .text()
            .await
            .expect("body")
    });
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        body.contains(&format!("\"protocol\":{}", smarteka::server::PROTOCOL)),
        "{body}"
    );
}

/// (status, headers and body) of a request that may have no body.
fn raw(addr: &str, text: &str) -> String {
    let mut s = TcpStream::connect(addr).expect("connects");
    s.set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .expect("timeout");
    s.write_all(text.as_bytes()).expect("writes");
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn limits_answer_at_once_in_russian_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    demo(dir.path());
    let s = serve(dir.path(), &["--header-timeout", "1"]);
    // A body announced at a petabyte: refused before it is read.
    let started = std::time::Instant::now();
    let answer = raw(
        &s.addr,
        "POST /api/login HTTP/1.1\r\nHost: x\r\nx-smarteka-protocol: 3\r\ncontent-type: application/json\r\nContent-Length: 1000000000000000\r\n\r\n{",
    );
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("больше допустимого"), "{answer}");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    // Trickled headers: the connection is closed, not held.
    let answer = raw(&s.addr, "GET /api/health HTTP/1.1\r\nHost: x\r\n");
    assert!(!answer.contains("200 OK"), "{answer}");
    // The router's own refusals are Russian JSON too.
    let (st, body) = request(&s.addr, "PUT", "/api/health", &[V], b"");
    assert_eq!(st, 405, "{body}");
    assert!(error(&body).contains("метод"), "{body}");
    let bearer = bearer_of(&s.addr, "author", "demo");
    let (st, body) = request(
        &s.addr,
        "GET",
        "/api/changes?since=abc",
        &[V, ("authorization", &bearer)],
        b"",
    );
    assert_eq!(st, 400, "{body}");
    assert!(error(&body).contains("не разобран"), "{body}");
    let long = format!("/api/changes?since=0&x={}", "a".repeat(70_000));
    let (st, body) = request(&s.addr, "GET", &long, &[V, ("authorization", &bearer)], b"");
    assert!(st == 414 || st == 431 || st == 400, "{st} {body}");
    // The store is the server's account's alone.
    let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode(dir.path()), 0o700);
    assert_eq!(mode(&dir.path().join("db").join("conf")), 0o600);
}

#[test]
fn parallel_guesses_are_counted_before_the_hash() {
    let dir = tempfile::tempdir().expect("tempdir");
    demo(dir.path());
    let s = serve(dir.path(), &[]);
    let addr = s.addr.clone();
    let answers: Vec<u16> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..30)
            .map(|_| scope.spawn(|| sign_in(&addr, "expert1", "wrong").0))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("joins"))
            .collect()
    });
    let checked = answers.iter().filter(|s| **s == 401).count();
    let throttled = answers.iter().filter(|s| **s == 429).count();
    assert_eq!(checked + throttled, 30, "{answers:?}");
    assert!(
        checked <= 6,
        "only the free attempts reach the hash: {answers:?}"
    );
}

#[test]
fn logout_password_change_and_enable() {
    let dir = tempfile::tempdir().expect("tempdir");
    demo(dir.path());
    let s = serve(dir.path(), &[]);
    let first = bearer_of(&s.addr, "author", "demo");
    let second = bearer_of(&s.addr, "author", "demo");
    let change = |old: &str, new: &str| {
        let body = serde_json::json!({"old": old, "new": new}).to_string();
        request(
            &s.addr,
            "POST",
            "/api/password",
            &[V, JSON, ("authorization", &first)],
            body.as_bytes(),
        )
    };
    // A weak new password, then a wrong old one: refused, nothing changed.
    let (st, resp) = change("demo", "short");
    assert_eq!(st, 422, "{resp}");
    assert!(error(&resp).contains("не короче 8"), "{resp}");
    assert_eq!(change("wrong", "новый-пароль-1").0, 401);
    let (st, resp) = change("demo", "новый-пароль-1");
    assert_eq!(st, 200, "{resp}");
    assert_eq!(sign_in(&s.addr, "author", "demo").0, 401);
    assert_eq!(sign_in(&s.addr, "author", "новый-пароль-1").0, 200);
    // The other session ended; this one goes on until signed out.
    let me = |t: &str| request(&s.addr, "GET", "/api/me", &[V, ("authorization", t)], b"").0;
    assert_eq!(me(&second), 401);
    assert_eq!(me(&first), 200);
    let (st, _) = request(
        &s.addr,
        "DELETE",
        "/api/session",
        &[V, ("authorization", &first)],
        b"",
    );
    assert_eq!(st, 200);
    assert_eq!(me(&first), 401);
    drop(s);

    // Disabled, then enabled again by the administrator.
    let run = |args: &[&str]| smarteka(dir.path()).args(args).output().expect("runs");
    assert!(run(&["user", "disable", "author"]).status.success());
    let o = run(&["user", "enable", "author"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = run(&["user", "enable", "author"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("не отключён"));
    let s = serve(dir.path(), &[]);
    assert_eq!(sign_in(&s.addr, "author", "новый-пароль-1").0, 200);
}

#[test]
fn logout_and_login_on_the_command_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    demo(dir.path());
    let s = serve(dir.path(), &[]);
    let client = tempfile::tempdir().expect("tempdir");
    let url = format!("http://{}", s.addr);
    let o = smarteka(client.path())
        .args(["--as", "author", "login", "--server", &url])
        .env("SMARTEKA_PASSWORD", "demo")
        .output()
        .expect("runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // The session file keeps 0600 even over a temporary file left 0644.
    let tmp = client.path().join("server-session.tmp");
    std::fs::write(&tmp, b"").expect("writes");
    std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let o = smarteka(client.path())
        .args(["--as", "author", "login", "--server", &url])
        .env("SMARTEKA_PASSWORD", "demo")
        .output()
        .expect("runs");
    assert!(o.status.success());
    let file = client.path().join("server-session.toml");
    assert_eq!(
        std::fs::metadata(&file)
            .expect("saved")
            .permissions()
            .mode()
            & 0o777,
        0o600
    );
    let o = smarteka(client.path())
        .arg("logout")
        .output()
        .expect("runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("Вы вышли"));
    assert!(!file.exists());
    let o = smarteka(client.path()).arg("sync").output().expect("runs");
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("Сначала войдите"));
}

#[test]
fn backup_of_a_running_server_restore_and_a_client_that_pulled_further() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = dir.path().join("server");
    demo(&server);
    let s = serve(&server, &[]);
    let url = format!("http://{}", s.addr);
    let client = dir.path().join("client");
    let o = smarteka(&client)
        .args(["--as", "author", "login", "--server", &url])
        .env("SMARTEKA_PASSWORD", "demo")
        .output()
        .expect("runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        smarteka(&client)
            .arg("sync")
            .output()
            .expect("runs")
            .status
            .success()
    );
    // A backup while the server runs: the server makes it.
    let copy = dir.path().join("copy");
    let o = smarteka(&server)
        .arg("backup")
        .arg(&copy)
        .output()
        .expect("runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(copy.join("manifest.json").is_file());
    // After the backup the client sends a new passport.
    let passport = dir.path().join("p.json");
    std::fs::write(&passport, r#"{"title": "Новая после копии"}"#).expect("writes");
    let o = smarteka(&client)
        .args(["--as", "author", "practice", "new", "--from"])
        .arg(&passport)
        .output()
        .expect("runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let id = String::from_utf8_lossy(&o.stdout).trim().to_owned();
    assert!(
        smarteka(&client)
            .arg("sync")
            .output()
            .expect("runs")
            .status
            .success()
    );
    drop(s);
    // The server's disk is lost; the backup is restored and checked.
    let restored = dir.path().join("restored");
    let o = smarteka(&restored)
        .arg("restore")
        .arg(&copy)
        .output()
        .expect("runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = smarteka(&restored).arg("check").output().expect("runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    let o = smarteka(&restored)
        .args(["audit", "verify"])
        .output()
        .expect("runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("цела"));
    let s = serve(&restored, &[]);
    let url = format!("http://{}", s.addr);
    let o = smarteka(&client)
        .args(["--as", "author", "login", "--server", &url])
        .env("SMARTEKA_PASSWORD", "demo")
        .output()
        .expect("runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = smarteka(&client).arg("sync").output().expect("runs");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("Сервер восстановлен"), "{err}");
    // Once: the next sync finds the new epoch remembered.
    let o = smarteka(&client).arg("sync").output().expect("runs");
    assert!(o.status.success());
    assert!(
        !String::from_utf8_lossy(&o.stderr).contains("Сервер восстановлен"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // The passport the restored server had lost came back from the client.
    drop(s);
    let o = smarteka(&restored)
        .args(["--as", "asi", "practice", "show", &id, "--json"])
        .env("SMARTEKA_PASSWORD", "demo")
        .output()
        .expect("runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("Новая после копии"));
}
