//! Two clients and a real `smarteka serve` on 127.0.0.1:0: offline edits
//! of different fields merge, the same field edited on both becomes a
//! conflict, a resent op is applied once, and a transition the user may
//! not make comes back refused with its reason while the server's practice
//! stays as it was.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

use serde_json::Value;
use smarteka::server::PROTOCOL;

fn smarteka(data: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_smarteka"));
    c.arg("--data")
        .arg(data)
        .env_remove("SMARTEKA_CONFIG")
        .env("SMARTEKA_PASSWORD", "demo");
    c
}

fn run(data: &Path, args: &[&str]) -> Output {
    smarteka(data).args(args).output().expect("runs")
}

fn ok(o: &Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stderr).into_owned()
}

struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(data: &Path) -> Server {
    let mut child = smarteka(data)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let first = lines.next().expect("a line").expect("text");
    let addr = first
        .split("http://")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .expect("address")
        .to_owned();
    std::thread::spawn(move || for _ in lines {});
    Server { child, addr }
}

fn passport(data: &Path, login: &str, id: &str) -> Value {
    let o = run(data, &["--as", login, "practice", "show", id, "--json"]);
    ok(&o);
    serde_json::from_slice::<Value>(&o.stdout).expect("json")["passport"].clone()
}

fn edit(data: &Path, id: &str, json: &str) {
    let f = data.join("edit.json");
    std::fs::write(&f, json).expect("write");
    ok(&run(
        data,
        &[
            "--as",
            "author",
            "practice",
            "edit",
            id,
            "--from",
            &f.display().to_string(),
        ],
    ));
}

/// The server's own view, read with the server stopped.
fn server_passport(data: &Path, id: &str) -> Value {
    passport(data, "author", id)
}

fn raw_push(addr: &str, token: &str, body: &Value) -> Value {
    let packed = zstd::bulk::compress(body.to_string().as_bytes(), 3).expect("zstd");
    let mut s = TcpStream::connect(addr).expect("connects");
    let head = format!(
        "POST /api/push HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\nx-smarteka-protocol: {PROTOCOL}\r\nauthorization: Bearer {token}\r\ncontent-type: application/json\r\ncontent-encoding: zstd\r\n\r\n",
        packed.len()
    );
    s.write_all(head.as_bytes()).expect("writes");
    s.write_all(&packed).expect("writes");
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let split = out
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("headers end");
    let status = String::from_utf8_lossy(&out[..split]).into_owned();
    assert!(status.starts_with("HTTP/1.1 200"), "{status}");
    let body = zstd::bulk::decompress(&out[split + 4..], 1 << 24).expect("zstd body");
    serde_json::from_slice(&body).expect("json")
}

fn token(data: &Path) -> String {
    let text = std::fs::read_to_string(data.join("server-session.toml")).expect("session");
    text.lines()
        .find_map(|l| l.strip_prefix("token = "))
        .expect("token")
        .trim_matches('"')
        .to_owned()
}

#[test]
#[allow(clippy::too_many_lines)] // one story, two clients
fn two_clients_merge_fields_and_surface_a_conflict() {
    let server_dir = tempfile::tempdir().expect("tempdir");
    ok(&run(
        server_dir.path(),
        &["demo", "--practices", "30", "--seed", "1"],
    ));
    // The demo author's draft.
    let o = run(server_dir.path(), &["--as", "author", "queue", "--json"]);
    ok(&o);
    let queues: Value = serde_json::from_slice(&o.stdout).expect("json");
    let drafts = queues
        .as_array()
        .expect("queues")
        .iter()
        .find(|q| q["code"] == "drafts")
        .expect("drafts");
    let id = drafts["items"][0]["id"].as_str().expect("id").to_owned();
    let id = id.as_str();

    let s = serve(server_dir.path());
    let url = format!("http://{}", s.addr);
    let a = tempfile::tempdir().expect("tempdir");
    let b = tempfile::tempdir().expect("tempdir");
    for c in [a.path(), b.path()] {
        ok(&run(c, &["--as", "author", "login", "--server", &url]));
        let summary = ok(&run(c, &["sync"]));
        assert!(summary.contains("получено"), "{summary}");
    }
    assert!(passport(a.path(), "author", id)["title"].is_string());

    // Offline: A changes the goal and the tasks; B the title and the goal.
    edit(
        a.path(),
        id,
        r#"{"goal": "Цель от клиента А", "tasks": ["Задача А"]}"#,
    );
    edit(
        b.path(),
        id,
        r#"{"title": "Название от клиента Б", "goal": "Цель от клиента Б"}"#,
    );
    let st = run(a.path(), &["sync", "status", "--json"]);
    ok(&st);
    let v: Value = serde_json::from_slice(&st.stdout).expect("json");
    assert_eq!(v["pending"], 1);

    let sa = ok(&run(a.path(), &["sync"]));
    assert!(
        sa.contains("отправлено 1") && sa.contains("конфликтов 0"),
        "{sa}"
    );
    let sb = ok(&run(b.path(), &["sync"]));
    assert!(sb.contains("конфликтов 1"), "{sb}");
    let st = run(b.path(), &["sync", "status"]);
    let text = String::from_utf8_lossy(&ok_out(&st)).into_owned();
    assert!(text.contains("Конфликт") && text.contains("P-2"), "{text}");
    // A pulls B's title.
    ok(&run(a.path(), &["sync"]));
    let pa = passport(a.path(), "author", id);
    let pb = passport(b.path(), "author", id);
    assert_eq!(pa["title"], "Название от клиента Б");
    assert_eq!(
        pa["goal"], "Цель от клиента А",
        "the first to sync keeps the shared field"
    );
    assert_eq!(pa["tasks"][0], "Задача А");
    assert_eq!(pa, pb, "both replicas equal after syncing");

    // A resent op is applied once: the same request twice.
    let tok = token(a.path());
    let client = uuid::Uuid::now_v7();
    let op = serde_json::json!({
        "client": client,
        "ops": [{
            "seq": 1,
            "at": "2026-11-26T10:00:00Z",
            "kind": {"Act": {"practice": id, "action": "confirm", "comment": "", "to": [], "level": null, "reason": null}}
        }]
    });
    let first = raw_push(&s.addr, &tok, &op);
    let again = raw_push(&s.addr, &tok, &op);
    assert_eq!(
        first, again,
        "the recorded answer, not a second application"
    );
    let reason = first["results"][0][1]["Rejected"]["reason"]
        .as_str()
        .expect("refused: an author may not confirm");
    // The same refusal as the CLI's and the workstation's.
    assert!(
        reason.contains("Отказано") && reason.contains("Региональный координатор"),
        "{reason}"
    );
    drop(s);
    // The server's practice is still the author's draft with the merged fields.
    let sp = server_passport(server_dir.path(), id);
    assert_eq!(sp, pa);
}

fn ok_out(o: &Output) -> Vec<u8> {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    o.stdout.clone()
}

/// A proxy that forwards bytes, or — while `drop_replies` is on — lets the
/// request reach the server and cuts the connection instead of answering.
struct Proxy {
    addr: String,
    drop_replies: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

fn proxy(upstream: &str) -> Proxy {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binds");
    let addr = listener.local_addr().expect("addr").to_string();
    let drop_replies = Arc::new(AtomicBool::new(false));
    let flag = drop_replies.clone();
    let upstream = upstream.to_owned();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut down) = conn else { continue };
            let Ok(mut up) = TcpStream::connect(&upstream) else {
                continue;
            };
            let drop_now = flag.load(Ordering::SeqCst);
            let (mut down2, mut up2) = (
                down.try_clone().expect("clone"),
                up.try_clone().expect("clone"),
            );
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut down2, &mut up2);
            });
            std::thread::spawn(move || {
                if drop_now {
                    // Let the server answer (it has committed by then), then
                    // hang up without passing the answer on.
                    let _ = up.set_read_timeout(Some(std::time::Duration::from_secs(1)));
                    let mut buf = [0u8; 4096];
                    while matches!(up.read(&mut buf), Ok(n) if n > 0) {}
                    let _ = down.shutdown(std::net::Shutdown::Both);
                    let _ = up.shutdown(std::net::Shutdown::Both);
                } else {
                    let _ = std::io::copy(&mut up, &mut down);
                }
            });
        }
    });
    Proxy { addr, drop_replies }
}

#[test]
fn a_reply_lost_after_the_server_committed_is_applied_once() {
    use std::sync::atomic::Ordering;
    let server_dir = tempfile::tempdir().expect("tempdir");
    ok(&run(
        server_dir.path(),
        &["demo", "--practices", "30", "--seed", "1"],
    ));
    let o = run(server_dir.path(), &["--as", "author", "queue", "--json"]);
    let queues: Value = serde_json::from_slice(&ok_out(&o)).expect("json");
    let id = queues
        .as_array()
        .expect("queues")
        .iter()
        .find(|q| q["code"] == "drafts")
        .expect("drafts")["items"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let id = id.as_str();
    let s = serve(server_dir.path());
    let p = proxy(&s.addr);
    let a = tempfile::tempdir().expect("tempdir");
    ok(&run(
        a.path(),
        &[
            "--as",
            "author",
            "login",
            "--server",
            &format!("http://{}", p.addr),
        ],
    ));
    ok(&run(a.path(), &["sync"]));
    edit(a.path(), id, r#"{"goal": "Цель, отправленная дважды"}"#);

    p.drop_replies.store(true, Ordering::SeqCst);
    let o = run(a.path(), &["sync"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("ничего не потеряно"), "{err}");
    let st: Value = serde_json::from_slice(&ok_out(&run(a.path(), &["sync", "status", "--json"])))
        .expect("json");
    assert_eq!(st["pending"], 1, "the op stays queued");

    p.drop_replies.store(false, Ordering::SeqCst);
    let summary = ok(&run(a.path(), &["sync"]));
    assert!(summary.contains("отправлено 1"), "{summary}");
    assert_eq!(
        passport(a.path(), "author", id)["goal"],
        "Цель, отправленная дважды"
    );
    drop(s);
    let h = run(
        server_dir.path(),
        &["--as", "author", "practice", "history", id, "--json"],
    );
    let steps: Value = serde_json::from_slice(&ok_out(&h)).expect("json");
    let edits = steps
        .as_array()
        .expect("steps")
        .iter()
        .filter(|s| s["action"] == "practice.edit")
        .count();
    assert_eq!(edits, 1, "applied exactly once: {steps}");
}

#[test]
fn the_feed_carries_only_what_the_user_may_read() {
    let server_dir = tempfile::tempdir().expect("tempdir");
    ok(&run(
        server_dir.path(),
        &["demo", "--practices", "60", "--seed", "1"],
    ));
    let o = run(
        server_dir.path(),
        &["--as", "coordinator", "queue", "--json"],
    );
    let queues: Value = serde_json::from_slice(&ok_out(&o)).expect("json");
    let id = queues[0]["items"][0]["id"]
        .as_str()
        .expect("a W-1 practice")
        .to_owned();
    let s = serve(server_dir.path());
    let url = format!("http://{}", s.addr);
    let mine = tempfile::tempdir().expect("tempdir");
    let other = tempfile::tempdir().expect("tempdir");
    ok(&run(
        mine.path(),
        &["--as", "coordinator", "login", "--server", &url],
    ));
    ok(&run(mine.path(), &["sync"]));
    ok(&run(
        other.path(),
        &["--as", "coordinator2", "login", "--server", &url],
    ));
    ok(&run(other.path(), &["sync"]));
    let o = run(
        mine.path(),
        &["--as", "coordinator", "practice", "show", &id, "--json"],
    );
    ok(&o);
    // Another region's coordinator never received that work in progress.
    let o = run(
        other.path(),
        &["--as", "coordinator2", "practice", "show", &id, "--json"],
    );
    assert_eq!(o.status.code(), Some(1));
    // No password hash nor e-mailed code leaves the server (whose store
    // does hold them): read record by record, as records may be
    // compressed on disk.
    drop(s);
    let secrets = |dir: &Path| {
        let store = smarteka::store::Store::open(dir).expect("opens");
        store
            .users()
            .map(|u| u.expect("reads"))
            .filter(|u| !u.password_hash.is_empty() || u.code.is_some())
            .count()
    };
    assert!(secrets(server_dir.path()) > 0, "the check can see a hash");
    for dir in [mine.path(), other.path()] {
        assert_eq!(secrets(dir), 0, "password hashes in {}", dir.display());
    }
}

/// A proxy that hangs up every connection after `limit` bytes have passed
/// it in either direction: a link that drops every so often.
fn flaky_proxy(upstream: &str, limit: usize) -> String {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binds");
    let addr = listener.local_addr().expect("addr").to_string();
    let upstream = upstream.to_owned();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(down) = conn else { continue };
            let Ok(up) = TcpStream::connect(&upstream) else {
                continue;
            };
            let passed = Arc::new(AtomicUsize::new(0));
            for (mut from, mut to) in [
                (
                    down.try_clone().expect("clone"),
                    up.try_clone().expect("clone"),
                ),
                (up, down),
            ] {
                let passed = passed.clone();
                std::thread::spawn(move || {
                    let mut buf = [0u8; 16 * 1024];
                    loop {
                        let n = match from.read(&mut buf) {
                            Ok(0) | Err(_) => break,
                            Ok(n) => n,
                        };
                        if passed.fetch_add(n, Ordering::SeqCst) + n > limit
                            || to.write_all(&buf[..n]).is_err()
                        {
                            break;
                        }
                    }
                    let _ = from.shutdown(std::net::Shutdown::Both);
                    let _ = to.shutdown(std::net::Shutdown::Both);
                });
            }
        }
    });
    addr
}

#[test]
fn a_20_mb_attachment_over_a_link_dropping_every_2_mb() {
    use sha2::Digest as _;
    let server_dir = tempfile::tempdir().expect("tempdir");
    ok(&run(
        server_dir.path(),
        &["demo", "--practices", "30", "--seed", "1"],
    ));
    let o = run(server_dir.path(), &["--as", "author", "queue", "--json"]);
    let queues: Value = serde_json::from_slice(&ok_out(&o)).expect("json");
    let id = queues
        .as_array()
        .expect("queues")
        .iter()
        .find(|q| q["code"] == "drafts")
        .expect("drafts")["items"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let s = serve(server_dir.path());
    let link = flaky_proxy(&s.addr, 2 * 1024 * 1024);
    let url = format!("http://{link}");
    let a = tempfile::tempdir().expect("tempdir");
    let b = tempfile::tempdir().expect("tempdir");
    for c in [a.path(), b.path()] {
        ok(&run(c, &["--as", "author", "login", "--server", &url]));
        ok(&run(c, &["sync"]));
    }
    // 20 MB less a little, of bytes that do not compress.
    let mut content = Vec::with_capacity(20 * 1024 * 1024);
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    while content.len() < 20 * 1024 * 1024 - 4096 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        content.extend_from_slice(&x.to_le_bytes());
    }
    let file = a.path().join("video.mp4");
    std::fs::write(&file, &content).expect("write");
    let sha = smarteka::store::blobs::hex(&sha2::Sha256::digest(&content));
    ok(&run(
        a.path(),
        &[
            "--as",
            "author",
            "practice",
            "attach",
            &id,
            &file.display().to_string(),
            "--kind",
            "video",
        ],
    ));
    let summary = ok(&run(a.path(), &["sync"]));
    assert!(summary.contains("отправлено 1"), "{summary}");
    let stored = server_dir.path().join("blobs").join(&sha[..2]).join(&sha);
    let on_server = std::fs::read(&stored).expect("the server has the file");
    assert_eq!(on_server.len(), content.len());
    assert!(
        on_server == content,
        "the server checked it by hash and kept it whole"
    );

    // B learns of it and fetches it when first needed, over the same link.
    ok(&run(b.path(), &["sync"]));
    let out = b.path().join("copy.mp4");
    ok(&run(
        b.path(),
        &[
            "--as",
            "author",
            "practice",
            "save-file",
            &id,
            "video.mp4",
            &out.display().to_string(),
        ],
    ));
    assert!(std::fs::read(&out).expect("saved") == content);
}

#[test]
fn a_transition_refused_by_the_server_comes_back_once_and_later_ops_apply() {
    let server_dir = tempfile::tempdir().expect("tempdir");
    ok(&run(
        server_dir.path(),
        &["demo", "--practices", "2000", "--seed", "1"],
    ));
    let o = run(
        server_dir.path(),
        &["--as", "coordinator", "queue", "--json"],
    );
    let queues: Value = serde_json::from_slice(&ok_out(&o)).expect("json");
    let items = queues[0]["items"].as_array().expect("items");
    assert!(items.len() >= 2, "two practices await the region: {queues}");
    let first = items[0]["id"].as_str().expect("id").to_owned();
    let second = items[1]["id"].as_str().expect("id").to_owned();
    let s = serve(server_dir.path());
    let url = format!("http://{}", s.addr);
    let laptop = tempfile::tempdir().expect("tempdir");
    let office = tempfile::tempdir().expect("tempdir");
    for c in [laptop.path(), office.path()] {
        ok(&run(c, &["--as", "coordinator", "login", "--server", &url]));
        ok(&run(c, &["sync"]));
    }
    let protocol = laptop.path().join("protocol.pdf");
    std::fs::write(&protocol, b"%PDF-1.4 protocol of the commission").expect("write");
    let protocol = protocol.display().to_string();
    // Offline on the laptop: confirm the first, then the second.
    for id in [&first, &second] {
        ok(&run(
            laptop.path(),
            &[
                "--as",
                "coordinator",
                "practice",
                "act",
                id,
                "confirm",
                "--attach",
                &protocol,
            ],
        ));
    }
    // Meanwhile the office returned the first for revision.
    ok(&run(
        office.path(),
        &[
            "--as",
            "coordinator",
            "practice",
            "act",
            &first,
            "return",
            "--comment",
            "Дополните результаты",
        ],
    ));
    ok(&run(office.path(), &["sync"]));

    let summary = ok(&run(laptop.path(), &["sync"]));
    assert!(
        summary.contains("отправлено 2") && summary.contains("отклонено 1"),
        "{summary}"
    );
    let st = run(laptop.path(), &["sync", "status"]);
    let text = String::from_utf8_lossy(&ok_out(&st)).into_owned();
    assert!(
        text.contains("Отказ") && text.contains("на доработке"),
        "{text}"
    );
    // Nothing is retried.
    let again = ok(&run(laptop.path(), &["sync"]));
    assert!(again.contains("отправлено 0"), "{again}");
    drop(s);
    let show = |id: &str| {
        let o = run(
            server_dir.path(),
            &["--as", "coordinator", "practice", "show", id, "--json"],
        );
        serde_json::from_slice::<Value>(&ok_out(&o)).expect("json")["status"].clone()
    };
    assert_eq!(
        show(&first),
        "Подтверждение регионом",
        "still returned, not confirmed"
    );
    assert_eq!(show(&second), "Упаковка", "the later op applied");
    // Its protocol reached the server with it.
    let h = run(
        server_dir.path(),
        &[
            "--as",
            "coordinator",
            "practice",
            "history",
            &second,
            "--json",
        ],
    );
    let steps: Value = serde_json::from_slice(&ok_out(&h)).expect("json");
    let confirm = steps
        .as_array()
        .expect("steps")
        .iter()
        .find(|x| x["action"] == "confirm")
        .expect("confirmed");
    let sha = confirm["transition"]["documents"][0]["sha256"]
        .as_str()
        .expect("a document");
    assert!(
        server_dir
            .path()
            .join("blobs")
            .join(&sha[..2])
            .join(sha)
            .is_file()
    );
}

#[test]
fn the_server_killed_mid_sync_and_restarted_converges() {
    let server_dir = tempfile::tempdir().expect("tempdir");
    ok(&run(
        server_dir.path(),
        &["demo", "--practices", "30", "--seed", "1"],
    ));
    let o = run(server_dir.path(), &["--as", "author", "queue", "--json"]);
    let queues: Value = serde_json::from_slice(&ok_out(&o)).expect("json");
    let id = queues
        .as_array()
        .expect("queues")
        .iter()
        .find(|q| q["code"] == "drafts")
        .expect("drafts")["items"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let s = serve(server_dir.path());
    let addr = s.addr.clone();
    let a = tempfile::tempdir().expect("tempdir");
    ok(&run(
        a.path(),
        &[
            "--as",
            "author",
            "login",
            "--server",
            &format!("http://{addr}"),
        ],
    ));
    ok(&run(a.path(), &["sync"]));
    let n = 250;
    for i in 0..n {
        edit(a.path(), &id, &format!(r#"{{"goal": "Цель, правка {i}"}}"#));
    }
    // Sync, and kill the server under it.
    let mut client = smarteka(a.path())
        .arg("sync")
        .stderr(Stdio::piped())
        .spawn()
        .expect("syncs");
    std::thread::sleep(std::time::Duration::from_millis(300));
    let mut s = s;
    let _ = s.child.kill();
    let _ = s.child.wait();
    let _ = client.wait();
    // Restarted on the same address, the next sync finishes the job.
    let mut restarted = smarteka(server_dir.path())
        .args(["serve", "--bind", &addr])
        .stderr(Stdio::piped())
        .spawn()
        .expect("restarts");
    let mut lines = BufReader::new(restarted.stderr.take().expect("stderr")).lines();
    let _ = lines.next();
    std::thread::spawn(move || for _ in lines {});
    let summary = ok(&run(a.path(), &["sync"]));
    assert!(summary.contains("конфликтов 0"), "{summary}");
    let st: Value = serde_json::from_slice(&ok_out(&run(a.path(), &["sync", "status", "--json"])))
        .expect("json");
    assert_eq!(st["pending"], 0);
    let _ = restarted.kill();
    let _ = restarted.wait();
    let h = run(
        server_dir.path(),
        &["--as", "author", "practice", "history", &id, "--json"],
    );
    let steps: Value = serde_json::from_slice(&ok_out(&h)).expect("json");
    let edits = steps
        .as_array()
        .expect("steps")
        .iter()
        .filter(|x| x["action"] == "practice.edit")
        .count();
    assert_eq!(edits, n, "every edit applied exactly once");
    let p = passport(server_dir.path(), "author", &id);
    assert_eq!(p["goal"], format!("Цель, правка {}", n - 1));
    assert_eq!(passport(a.path(), "author", &id), p);
}

/// A proxy counting the bytes that pass it both ways, headers included.
fn counting_proxy(upstream: &str) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binds");
    let addr = listener.local_addr().expect("addr").to_string();
    let total = Arc::new(AtomicUsize::new(0));
    let count = total.clone();
    let upstream = upstream.to_owned();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(down) = conn else { continue };
            let Ok(up) = TcpStream::connect(&upstream) else {
                continue;
            };
            for (mut from, mut to) in [
                (
                    down.try_clone().expect("clone"),
                    up.try_clone().expect("clone"),
                ),
                (up, down),
            ] {
                let count = count.clone();
                std::thread::spawn(move || {
                    let mut buf = [0u8; 16 * 1024];
                    while let Ok(n) = from.read(&mut buf) {
                        if n == 0 || to.write_all(&buf[..n]).is_err() {
                            break;
                        }
                        count.fetch_add(n, Ordering::SeqCst);
                    }
                    let _ = to.shutdown(std::net::Shutdown::Both);
                });
            }
        }
    });
    (addr, total)
}

#[test]
fn one_edited_field_costs_under_a_kilobyte_on_the_wire() {
    use std::sync::atomic::Ordering;
    let server_dir = tempfile::tempdir().expect("tempdir");
    ok(&run(
        server_dir.path(),
        &["demo", "--practices", "30", "--seed", "1"],
    ));
    let o = run(server_dir.path(), &["--as", "author", "queue", "--json"]);
    let queues: Value = serde_json::from_slice(&ok_out(&o)).expect("json");
    let id = queues
        .as_array()
        .expect("queues")
        .iter()
        .find(|q| q["code"] == "drafts")
        .expect("drafts")["items"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let s = serve(server_dir.path());
    let (proxy, bytes) = counting_proxy(&s.addr);
    let a = tempfile::tempdir().expect("tempdir");
    ok(&run(
        a.path(),
        &[
            "--as",
            "author",
            "login",
            "--server",
            &format!("http://{proxy}"),
        ],
    ));
    ok(&run(a.path(), &["sync"]));
    edit(
        a.path(),
        &id,
        r#"{"goal": "Сократить сроки назначения мер поддержки вдвое"}"#,
    );
    bytes.store(0, Ordering::SeqCst);
    let summary = ok(&run(a.path(), &["sync"]));
    assert!(summary.contains("отправлено 1"), "{summary}");
    let n = bytes.load(Ordering::SeqCst);
    eprintln!("one edited field, both directions, headers included: {n} bytes");
    // The edit carries its field alone, and the push answers that nothing
    // else is new: no pull follows, and the client's own change is not
    // sent back to it.
    assert!(n > 0, "the proxy saw the exchange");
    assert!(n <= 1024, "{n} bytes");

    // verify: equal now; a local edit not yet sent differs; repair pulls
    // everything again and keeps it.
    let o = run(a.path(), &["sync", "verify"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    edit(a.path(), &id, r#"{"goal": "Ещё не отправлено"}"#);
    let o = run(a.path(), &["sync", "verify"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stdout).contains("ждут отправки: 1"));
    let repaired = ok(&run(a.path(), &["sync", "repair"]));
    assert!(repaired.contains("отправлено 1"), "{repaired}");
    assert_eq!(
        passport(a.path(), "author", &id)["goal"],
        "Ещё не отправлено"
    );
    ok(&run(a.path(), &["sync", "verify"]));
}

fn raw_get(addr: &str, token: &str, path: &str) -> Value {
    let mut s = TcpStream::connect(addr).expect("connects");
    let head = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nx-smarteka-protocol: {PROTOCOL}\r\nauthorization: Bearer {token}\r\n\r\n"
    );
    s.write_all(head.as_bytes()).expect("writes");
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let split = out
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("headers end");
    let status = String::from_utf8_lossy(&out[..split]).into_owned();
    assert!(status.starts_with("HTTP/1.1 200"), "{status}");
    let body = zstd::bulk::decompress(&out[split + 4..], 1 << 26).expect("zstd body");
    serde_json::from_slice(&body).expect("json")
}

fn login_token(addr: &str, login: &str) -> String {
    let body = serde_json::json!({"login": login, "password": "demo"}).to_string();
    let mut s = TcpStream::connect(addr).expect("connects");
    let head = format!(
        "POST /api/login HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\nx-smarteka-protocol: {PROTOCOL}\r\ncontent-type: application/json\r\n\r\n{body}",
        body.len()
    );
    s.write_all(head.as_bytes()).expect("writes");
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    let json = out.split("\r\n\r\n").nth(1).expect("body");
    serde_json::from_str::<Value>(json).expect("json")["token"]
        .as_str()
        .unwrap_or_else(|| panic!("{login}: {out}"))
        .to_owned()
}

#[test]
fn each_role_reads_its_scope_and_only_the_asi_publishes() {
    let server_dir = tempfile::tempdir().expect("tempdir");
    ok(&run(
        server_dir.path(),
        &["demo", "--practices", "300", "--seed", "1"],
    ));
    let s = serve(server_dir.path());
    let asi = login_token(&s.addr, "asi");
    // Everything, as the Модератор АСИ sees it.
    let all = raw_get(&s.addr, &asi, "/api/changes?since=0");
    let practices: Vec<Value> = all["records"]
        .as_array()
        .expect("records")
        .iter()
        .filter_map(|r| r.get("Practice").cloned())
        .collect();
    let public = ["published", "actualisation", "archived"];
    let status = |p: &Value| p["status"].as_str().unwrap_or_default().to_owned();
    let to_publish = practices
        .iter()
        .find(|p| status(p) == "publication")
        .expect("a practice awaiting publication")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    for login in [
        "recipient",
        "coordinator2",
        "coordinator",
        "expert1",
        "moderator",
        "author",
    ] {
        let token = login_token(&s.addr, login);
        let mut seen = Vec::new();
        let mut since = 0;
        loop {
            let page = raw_get(&s.addr, &token, &format!("/api/changes?since={since}"));
            for r in page["records"].as_array().expect("records") {
                if let Some(p) = r.get("Practice") {
                    seen.push(p.clone());
                }
                if let Some(u) = r.get("User") {
                    assert_eq!(u["password_hash"], "", "{login}: no password hash");
                }
            }
            since = page["cursor"].as_u64().expect("cursor");
            if page["more"] != true {
                break;
            }
        }
        let wip: Vec<&Value> = seen
            .iter()
            .filter(|p| !public.contains(&status(p).as_str()))
            .collect();
        match login {
            "recipient" => assert!(wip.is_empty(), "{login} sees work in progress"),
            "coordinator2" => assert!(
                wip.iter()
                    .all(|p| p["passport"]["regions"]["author"] == "52"),
                "{login} sees another region's work"
            ),
            "coordinator" => {
                assert!(!wip.is_empty());
                assert!(
                    wip.iter()
                        .all(|p| p["passport"]["regions"]["author"] == "16")
                );
            }
            _ => {}
        }
        // Publishing is the Модератор АСИ's.
        let op = serde_json::json!({
            "client": uuid::Uuid::now_v7(),
            "ops": [{"seq": 1, "at": "2026-11-26T10:00:00Z", "kind": {"Act": {
                "practice": to_publish, "action": "publish", "comment": "", "to": [],
                "level": null, "reason": null}}}]
        });
        let reply = raw_push(&s.addr, &token, &op);
        assert!(
            reply["results"][0][1]["Rejected"]["reason"].is_string(),
            "{login} may not publish: {reply}"
        );
    }
    let op = serde_json::json!({
        "client": uuid::Uuid::now_v7(),
        "ops": [{"seq": 1, "at": "2026-11-26T10:00:00Z", "kind": {"Act": {
            "practice": to_publish, "action": "publish", "comment": "", "to": [],
            "level": null, "reason": null}}}]
    });
    let reply = raw_push(&s.addr, &asi, &op);
    assert_eq!(reply["results"][0][1], "Applied", "{reply}");
}

#[test]
fn malformed_pushes_are_refused_with_a_message_and_change_nothing() {
    let server_dir = tempfile::tempdir().expect("tempdir");
    ok(&run(
        server_dir.path(),
        &["demo", "--practices", "20", "--seed", "1"],
    ));
    let s = serve(server_dir.path());
    let token = login_token(&s.addr, "author");
    let send = |body: &[u8], encoding: &str| -> (String, String) {
        let mut st = TcpStream::connect(&s.addr).expect("connects");
        let head = format!(
            "POST /api/push HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\nx-smarteka-protocol: {PROTOCOL}\r\nauthorization: Bearer {token}\r\ncontent-type: application/json\r\ncontent-encoding: {encoding}\r\n\r\n",
            body.len()
        );
        st.write_all(head.as_bytes()).expect("writes");
        let _ = st.write_all(body);
        let mut out = String::new();
        let _ = st.read_to_string(&mut out);
        let status = out.lines().next().unwrap_or_default().to_owned();
        let body = out.split("\r\n\r\n").nth(1).unwrap_or_default().to_owned();
        (status, body)
    };
    let seq = || {
        let mut st = TcpStream::connect(&s.addr).expect("connects");
        st.write_all(b"GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .expect("writes");
        let mut out = String::new();
        let _ = st.read_to_string(&mut out);
        let body = out.split("\r\n\r\n").nth(1).unwrap_or_default().to_owned();
        serde_json::from_str::<Value>(&body).expect("json")["seq"]
            .as_u64()
            .expect("seq")
    };
    let before = seq();
    let (st, body) = send(b"{\"client\": 1}", "identity");
    assert!(st.contains("400"), "{st}");
    assert!(body.contains("распакован"), "{body}");
    let packed =
        zstd::bulk::compress(b"{\"client\": \"not a uuid\", \"ops\": []}", 3).expect("zstd");
    let (st, body) = send(&packed, "zstd");
    assert!(st.contains("400"), "{st}");
    assert!(body.contains("не разобраны"), "{body}");
    let truncated = &packed[..packed.len() / 2];
    let (st, _) = send(truncated, "zstd");
    assert!(st.contains("400"), "{st}");
    let (st, body) = send(b"{}", "zstd");
    assert!(st.contains("400"), "{st}: {body}");
    // The server still serves, and wrote nothing.
    let token2 = login_token(&s.addr, "author");
    assert_eq!(token2.len(), 64);
    assert_eq!(seq(), before, "no change was written");
}

/// A long-poll of the feed: plain JSON, `{"news": …, "latest": …}`.
fn wait(addr: &str, token: &str, query: &str) -> Value {
    let mut s = TcpStream::connect(addr).expect("connects");
    let head = format!(
        "GET /api/changes/wait?{query} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nx-smarteka-protocol: {PROTOCOL}\r\nauthorization: Bearer {token}\r\n\r\n"
    );
    s.write_all(head.as_bytes()).expect("writes");
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    assert!(out.starts_with("HTTP/1.1 200"), "{out}");
    serde_json::from_str(out.split("\r\n\r\n").nth(1).expect("body")).expect("json")
}

fn status_of(data: &Path) -> Value {
    let o = run(data, &["sync", "status", "--json"]);
    ok(&o);
    serde_json::from_slice(&o.stdout).expect("json")
}

/// A server with a 30-practice demo and two clients of the author, both
/// synced; `id` is the author's draft.
struct Pair {
    server: Server,
    id: String,
    a: tempfile::TempDir,
    b: tempfile::TempDir,
    /// The server's store: kept while the server runs.
    _dir: tempfile::TempDir,
}

fn two_authors() -> Pair {
    let server_dir = tempfile::tempdir().expect("tempdir");
    ok(&run(
        server_dir.path(),
        &["demo", "--practices", "30", "--seed", "1"],
    ));
    let o = run(server_dir.path(), &["--as", "author", "queue", "--json"]);
    let queues: Value = serde_json::from_slice(&ok_out(&o)).expect("json");
    let id = queues
        .as_array()
        .expect("queues")
        .iter()
        .find(|q| q["code"] == "drafts")
        .expect("drafts")["items"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let server = serve(server_dir.path());
    let url = format!("http://{}", server.addr);
    let (a, b) = (
        tempfile::tempdir().expect("tempdir"),
        tempfile::tempdir().expect("tempdir"),
    );
    for c in [a.path(), b.path()] {
        ok(&run(c, &["--as", "author", "login", "--server", &url]));
        ok(&run(c, &["sync"]));
    }
    Pair {
        server,
        id,
        a,
        b,
        _dir: server_dir,
    }
}

#[test]
fn a_long_poll_answers_when_another_client_changes_what_the_user_reads() {
    let Pair {
        server: s,
        id,
        a,
        b,
        _dir,
    } = two_authors();
    let st = status_of(a.path());
    let (cursor, client) = (st["cursor"].as_u64().expect("cursor"), st["client"].clone());
    let client = client.as_str().expect("client id").to_owned();
    let tok = token(a.path());

    // A waits; nothing happens for a while, then B saves an edit.
    let (addr, t, q) = (
        s.addr.clone(),
        tok.clone(),
        format!("since={cursor}&client={client}&timeout=20"),
    );
    let waiting = std::thread::spawn(move || wait(&addr, &t, &q));
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert!(!waiting.is_finished(), "no news yet: the request waits");
    edit(b.path(), &id, r#"{"goal": "Цель от клиента Б"}"#);
    ok(&run(b.path(), &["sync"]));
    let news = waiting.join().expect("answered");
    assert_eq!(news["news"], true, "{news}");
    let latest = news["latest"].as_u64().expect("latest");
    assert!(latest > cursor);

    // A's own change is no news to A, but is to a moderator.
    ok(&run(a.path(), &["sync"]));
    let before = status_of(a.path())["cursor"].as_u64().expect("cursor");
    edit(a.path(), &id, r#"{"goal": "Цель от клиента А"}"#);
    ok(&run(a.path(), &["sync"]));
    let own = wait(
        &s.addr,
        &tok,
        &format!("since={before}&client={client}&timeout=1"),
    );
    assert_eq!(own["news"], false, "{own}");
    assert!(own["latest"].as_u64().expect("latest") > before);
    let asi = login_token(&s.addr, "asi");
    let seen = wait(&s.addr, &asi, &format!("since={before}&timeout=1"));
    assert_eq!(seen["news"], true, "{seen}");
    // Another region's coordinator may not read the draft: no news.
    let other = login_token(&s.addr, "coordinator2");
    let none = wait(&s.addr, &other, &format!("since={before}&timeout=1"));
    assert_eq!(none["news"], false, "{none}");
}

#[test]
fn a_later_op_of_a_client_still_conflicts_with_a_change_made_before_its_first() {
    let Pair {
        server: _s,
        id,
        a,
        b,
        _dir,
    } = two_authors();
    // B changes the goal and syncs first.
    edit(b.path(), &id, r#"{"goal": "Цель от клиента Б"}"#);
    ok(&run(b.path(), &["sync"]));
    // A, offline, saves twice: the title, then the goal.
    edit(a.path(), &id, r#"{"title": "Название от клиента А"}"#);
    edit(a.path(), &id, r#"{"goal": "Цель от клиента А"}"#);
    assert_eq!(status_of(a.path())["pending"], 2);
    let sa = ok(&run(a.path(), &["sync"]));
    assert!(
        sa.contains("отправлено 2") && sa.contains("конфликтов 1"),
        "A's first op changed the practice after B's goal, but A never saw that goal: {sa}"
    );
    let st = status_of(a.path());
    assert_eq!(st["conflicts"][0]["field"], "P-2", "{st}");
    ok(&run(b.path(), &["sync"]));
    let pb = passport(b.path(), "author", &id);
    assert_eq!(pb["goal"], "Цель от клиента Б", "B's goal is not lost");
    assert_eq!(pb["title"], "Название от клиента А", "A's title merged");
}
