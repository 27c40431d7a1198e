//! Figures of the sync protocol (`cargo bench --bench sync`):
//! - the initial sync of about 1 000 published practices, in bytes, and in
//!   time over an emulated 256 kbit/s link with 300 ms of delay (a
//!   rate-limiting proxy in this process);
//! - 200 concurrent clients pushing an edit and pulling on loopback: ops/s
//!   and p99 latency, beside a bare axum endpoint measured in the same run.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use sha2::Digest as _;
use smarteka::store::{Session, Store};
use smarteka::sync::client::api::Credentials;

fn credentials(store: &Store, url: &str, login: &str) -> Credentials {
    let user = store.user_by_login(login).expect("read").expect("user");
    let token = format!("{:064x}", rand::random::<u128>());
    store
        .put_session(
            &sha2::Sha256::digest(token.as_bytes()),
            &Session {
                user: user.id,
                created: chrono::Utc::now(),
                expires: chrono::Utc::now() + chrono::Duration::hours(1),
            },
        )
        .expect("session");
    Credentials {
        server: url.to_owned(),
        login: login.to_owned(),
        token,
        expires: chrono::Utc::now() + chrono::Duration::hours(1),
    }
}

/// Forwards bytes at `bytes_per_sec` each way, each chunk held `delay`.
fn slow_link(
    upstream: SocketAddr,
    bytes_per_sec: usize,
    delay: Duration,
    counted: Arc<AtomicUsize>,
) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("binds");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(down) = conn else { continue };
            let Ok(up) = TcpStream::connect(upstream) else {
                continue;
            };
            for (mut from, mut to) in [
                (
                    down.try_clone().expect("clone"),
                    up.try_clone().expect("clone"),
                ),
                (up, down),
            ] {
                let counted = counted.clone();
                std::thread::spawn(move || {
                    let mut buf = vec![0u8; 4096];
                    loop {
                        let n = match from.read(&mut buf) {
                            Ok(0) | Err(_) => break,
                            Ok(n) => n,
                        };
                        counted.fetch_add(n, Ordering::SeqCst);
                        // Latency, then the time the bytes take on the wire.
                        std::thread::sleep(delay / 8);
                        std::thread::sleep(Duration::from_secs_f64(
                            n as f64 / bytes_per_sec as f64,
                        ));
                        if to.write_all(&buf[..n]).is_err() {
                            break;
                        }
                    }
                    let _ = to.shutdown(std::net::Shutdown::Both);
                });
            }
        }
    });
    addr
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(Store::open(dir.path()).expect("store"));
    smarteka::demo::seed_at(&store, 1_800, 1, chrono::Utc::now(), |_, _| {}).expect("seed");
    let app = smarteka::server::router(
        smarteka::server::AppState::new(store.clone(), chrono::Duration::hours(1)),
        Duration::from_secs(60),
    );
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("binds");
    let server = listener.local_addr().expect("addr");
    runtime.spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .expect("serves");
    });

    // Initial sync of a recipient (the public catalogue) over a slow link.
    let counted = Arc::new(AtomicUsize::new(0));
    let link = slow_link(
        server,
        256 * 1024 / 8,
        Duration::from_millis(300),
        counted.clone(),
    );
    let creds = credentials(&store, &format!("http://{link}"), "recipient");
    let client_dir = tempfile::tempdir().expect("tempdir");
    let client = Store::open(client_dir.path()).expect("store");
    let t = Instant::now();
    let summary = runtime
        .block_on(smarteka::sync::client::sync(&client, &creds, |_| {}))
        .expect("syncs");
    println!(
        "Первичная синхронизация: практик {}, {} байт по сети, {:.1} с при 256 кбит/с и задержке 300 мс",
        summary.received,
        counted.load(Ordering::SeqCst),
        t.elapsed().as_secs_f64()
    );

    // 200 clients at once, each pushing one edit of its own draft field and
    // pulling; beside a bare endpoint.
    let bare = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("binds");
    let bare_addr = bare.local_addr().expect("addr");
    runtime.spawn(async move {
        let app = axum::Router::new().route("/", axum::routing::get(|| async { "ok" }));
        axum::serve(bare, app).await.expect("serves");
    });
    let author = store
        .user_by_login("author")
        .expect("read")
        .expect("author");
    let draft = store
        .practices()
        .filter_map(Result::ok)
        .find(|p| p.author == author.id && p.status == smarteka::domain::PracticeStatus::Draft)
        .expect("a draft");
    let url = format!("http://{server}");
    // Clients that are up to date: they pull what came after.
    let since = store.last_seq().expect("seq");
    let clients: Vec<Credentials> = (0..200)
        .map(|_| credentials(&store, &url, "author"))
        .collect();
    let latencies = runtime.block_on(async {
        let http = reqwest::Client::new();
        let mut tasks = Vec::new();
        for (i, creds) in clients.into_iter().enumerate() {
            let http = http.clone();
            let practice = draft.id;
            tasks.push(tokio::spawn(async move {
                let passport = smarteka::domain::Passport {
                    specifics: format!("Правка клиента {i}"),
                    ..smarteka::domain::Passport::default()
                };
                let op = smarteka::sync::protocol::PushRequest {
                    client: uuid::Uuid::now_v7(),
                    ops: vec![smarteka::sync::protocol::Op {
                        seq: 1,
                        at: chrono::Utc::now(),
                        kind: smarteka::sync::protocol::OpKind::Edit {
                            practice,
                            base: 0,
                            fields: vec![smarteka::domain::passport::Field::P17],
                            passport: Box::new(passport),
                        },
                    }],
                };
                let body = smarteka::sync::protocol::pack(&serde_json::to_vec(&op).expect("json"));
                let t = Instant::now();
                let r = http
                    .post(format!("{}/api/push", creds.server))
                    .header(
                        "x-smarteka-protocol",
                        smarteka::server::PROTOCOL.to_string(),
                    )
                    .header("authorization", format!("Bearer {}", creds.token))
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .expect("push");
                assert!(r.status().is_success());
                let _ = r.bytes().await;
                let r = http
                    .get(format!("{}/api/changes?since={since}", creds.server))
                    .header(
                        "x-smarteka-protocol",
                        smarteka::server::PROTOCOL.to_string(),
                    )
                    .header("authorization", format!("Bearer {}", creds.token))
                    .send()
                    .await
                    .expect("pull");
                let _ = r.bytes().await;
                t.elapsed()
            }));
        }
        let started = Instant::now();
        let mut out = Vec::new();
        for t in tasks {
            out.push(t.await.expect("task"));
        }
        (out, started.elapsed())
    });
    let (mut times, wall) = latencies;
    times.sort();
    let bare_times = runtime.block_on(async {
        let http = reqwest::Client::new();
        let started = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..200 {
            let http = http.clone();
            tasks.push(tokio::spawn(async move {
                let t = Instant::now();
                let r = http
                    .get(format!("http://{bare_addr}/"))
                    .send()
                    .await
                    .expect("get");
                let _ = r.bytes().await;
                t.elapsed()
            }));
        }
        let mut out = Vec::new();
        for t in tasks {
            out.push(t.await.expect("task"));
        }
        (out, started.elapsed())
    });
    let (mut bare, bare_wall) = bare_times;
    bare.sort();
    let ops = 200.0 / wall.as_secs_f64();
    let bare_ops = 200.0 / bare_wall.as_secs_f64();
    println!(
        "200 клиентов (отправка правки + получение): {ops:.0} оп/с, p99 {:.1} мс; голый axum: {bare_ops:.0} запр/с, p99 {:.1} мс; отношение {:.1}",
        percentile(&times, 0.99).as_secs_f64() * 1000.0,
        percentile(&bare, 0.99).as_secs_f64() * 1000.0,
        bare_ops / ops
    );
}
