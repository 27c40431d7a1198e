//! Figures of the sync protocol (`cargo bench --bench sync`), each beside
//! its target and the figure it was before:
//! - the initial sync of about 1 300 published practices over an emulated
//!   256 kbit/s link with 300 ms of delay (a rate-limiting proxy in this
//!   process): the time until the catalogue's rows are here and usable,
//!   and until every passport is, in bytes and seconds;
//! - one edited field synced by an author's workstation: the bytes both
//!   ways, headers included (a counting proxy);
//! - 200 concurrent clients pushing an edit and pulling on loopback: ops/s,
//!   p99 latency and the flushes they shared, beside a bare axum endpoint
//!   measured in the same run.

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

    let repeat: usize = std::env::var("SYNC_BENCH_REPEAT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    if repeat == 1 {
        first_sync(&runtime, &store, server);
    }

    // One edited field: an author's workstation in step with the server
    // edits a field and syncs; every byte both ways counted, headers
    // included.
    let wire = Arc::new(AtomicUsize::new(0));
    let counting = slow_link(server, usize::MAX / 4, Duration::ZERO, wire.clone());
    let author_dir = tempfile::tempdir().expect("tempdir");
    let author_store = Store::open(author_dir.path()).expect("store");
    let author_creds = credentials(&store, &format!("http://{counting}"), "author");
    author_store.link().expect("linked");
    runtime
        .block_on(smarteka::sync::client::sync(
            &author_store,
            &author_creds,
            |_| {},
        ))
        .expect("syncs");
    let author = author_store
        .user_by_login("author")
        .expect("read")
        .expect("author");
    let mine = author_store
        .practices()
        .filter_map(Result::ok)
        .find(|p| p.author == author.id && p.status == smarteka::domain::PracticeStatus::Draft)
        .expect("a draft");
    let mut passport = mine.passport.clone();
    passport.goal = String::from("Сократить сроки назначения мер поддержки вдвое");
    smarteka::service::practice::execute(
        &smarteka::service::Ctx::new(&author_store, &smarteka::domain::clock::SYSTEM),
        &author,
        smarteka::domain::command::Command::Edit {
            id: mine.id,
            passport,
        },
    )
    .expect("edits");
    wire.store(0, Ordering::SeqCst);
    let sent = runtime
        .block_on(smarteka::sync::client::sync(
            &author_store,
            &author_creds,
            |_| {},
        ))
        .expect("syncs");
    assert_eq!(sent.sent, 1);
    let field_bytes = wire.load(Ordering::SeqCst);
    println!(
        "Одно изменённое поле, туда и обратно с заголовками: {field_bytes} байт (цель ≤ 1024; было ≈ 1 545)"
    );

    // 200 clients at once, each pushing one edit of its own draft field
    // and pulling when the push says there is news; beside a bare
    // endpoint.
    let bare = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("binds");
    let bare_addr = bare.local_addr().expect("addr");
    runtime.spawn(async move {
        let app = axum::Router::new().route("/", axum::routing::get(|| async { "ok" }));
        axum::serve(bare, app).await.expect("serves");
    });
    let draft = store.practice(mine.id).expect("read").expect("the draft");
    let url = format!("http://{server}");

    // A: as measured before — 200 workstations of one author, each editing
    // the same field of the same draft: the first applies, the others come
    // back as conflicts, and each pulls what the others did.
    let one: Vec<Client> = (0..200)
        .map(|_| Client {
            creds: credentials(&store, &url, "author"),
            practice: draft.id,
            base: draft.revision,
        })
        .collect();
    measure(
        &runtime,
        &store,
        one,
        bare_addr,
        "200 рабочих мест одного автора, одно поле одного черновика",
    );

    // B: 200 authors at once, each saving an edit of their own draft — a
    // push, and no pull when the push says nothing new is there for them.
    let template = store
        .user_by_login("author")
        .expect("read")
        .expect("author");
    let mut many = Vec::new();
    for i in 0..200 {
        let mut u = template.clone();
        u.id = uuid::Uuid::now_v7();
        u.login = format!("bench{i}");
        let mut p = draft.clone();
        p.id = uuid::Uuid::now_v7();
        p.author = u.id;
        store
            .commit(
                &smarteka::store::Mutation::new(None, "bench.add", "автор для замера")
                    .with(smarteka::store::Record::User(Box::new(u.clone())))
                    .with(smarteka::store::Record::Practice(Box::new(p.clone()))),
            )
            .expect("adds");
        many.push(Client {
            creds: credentials(&store, &url, &u.login),
            practice: p.id,
            base: p.revision,
        });
    }
    // `SYNC_BENCH_REPEAT=N`: this load N times over (for a profiler),
    // each round on the revisions the last one left.
    for _ in 0..repeat {
        let clients = many
            .iter()
            .map(|c| Client {
                creds: c.creds.clone(),
                practice: c.practice,
                base: store
                    .practice(c.practice)
                    .expect("read")
                    .map_or(c.base, |p| p.revision),
            })
            .collect();
        measure(
            &runtime,
            &store,
            clients,
            bare_addr,
            "200 авторов, каждый правит свой черновик",
        );
    }
}

/// A recipient's first sync over 256 kbit/s + 300 ms: when the rows are
/// here, when every passport is; and a new workstation's rows with one
/// passport opened.
fn first_sync(runtime: &tokio::runtime::Runtime, store: &Store, server: SocketAddr) {
    // Initial sync of a recipient (the public catalogue) over a slow link.
    let counted = Arc::new(AtomicUsize::new(0));
    let link = slow_link(
        server,
        256 * 1024 / 8,
        Duration::from_millis(300),
        counted.clone(),
    );
    let creds = credentials(store, &format!("http://{link}"), "recipient");
    let client_dir = tempfile::tempdir().expect("tempdir");
    let client = Store::open(client_dir.path()).expect("store");
    let t = Instant::now();
    let mut rows_at = None;
    let summary = runtime
        .block_on(smarteka::sync::client::sync(&client, &creds, |p| {
            if let smarteka::sync::client::Progress::Rows(_) = p {
                rows_at = Some((t.elapsed(), counted.load(Ordering::SeqCst)));
            }
        }))
        .expect("syncs");
    let (rows_time, rows_bytes) = rows_at.expect("rows first");
    println!(
        "Первичная синхронизация при 256 кбит/с и задержке 300 мс: строки каталога ({}) — {:.1} с, {rows_bytes} байт (цель ≤ 5 с; было 21,6 с до первой строки);",
        summary.rows,
        rows_time.as_secs_f64()
    );
    println!(
        "  все паспорта ({}) — {:.1} с, {} байт по сети (было 538 КБ, 21,6 с)",
        summary.received,
        t.elapsed().as_secs_f64(),
        counted.load(Ordering::SeqCst)
    );

    // A coordinator on the same link opening one practice as soon as the
    // rows are here: the rows, then that passport fetched on its own.
    let opener_dir = tempfile::tempdir().expect("tempdir");
    let opener = Store::open(opener_dir.path()).expect("store");
    let t = Instant::now();
    let wanted = runtime
        .block_on(async {
            smarteka::sync::client::rows::rows_first(&opener, &creds).await?;
            let id = opener
                .practices()
                .filter_map(Result::ok)
                .last()
                .map(|p| p.id)
                .ok_or("no rows")?;
            smarteka::sync::client::rows::fetch_whole(&opener, &creds, id).await?;
            Ok::<_, String>(id)
        })
        .expect("rows and one passport");
    assert!(!opener.is_row_only(wanted).expect("reads"));
    println!(
        "  строки и один открытый паспорт на новом рабочем месте — {:.1} с (цель ≤ 5 с)",
        t.elapsed().as_secs_f64()
    );
}

/// One round of the clients, the flushes they shared, and a round of the
/// bare endpoint right after it: printed beside the targets.
fn measure(
    runtime: &tokio::runtime::Runtime,
    store: &Store,
    clients: Vec<Client>,
    bare_addr: SocketAddr,
    what: &str,
) {
    let flushes = store.flush_count();
    let cpu = cpu_time();
    let (times, wall) = runtime.block_on(round(clients, store.last_seq().expect("seq")));
    let cpu = cpu_time().saturating_sub(cpu);
    let shared = store.flush_count() - flushes;
    let bare = bare_round(runtime, bare_addr);
    report(what, &times, wall, shared, &bare);
    println!(
        "  процессор (сервер и клиенты вместе): {:.0} мкс на операцию, занято {:.2} из {} ядер",
        cpu.as_secs_f64() * 1e6 / times.len() as f64,
        cpu.as_secs_f64() / wall.as_secs_f64(),
        std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
    );
}

/// The CPU time of every thread of this process so far (Linux's
/// per-thread `schedstat`, in nanoseconds).
fn cpu_time() -> Duration {
    let mut ns = 0u64;
    if let Ok(tasks) = std::fs::read_dir("/proc/self/task") {
        for t in tasks.flatten() {
            if let Ok(s) = std::fs::read_to_string(t.path().join("schedstat")) {
                ns += s
                    .split_whitespace()
                    .next()
                    .and_then(|n| n.parse::<u64>().ok())
                    .unwrap_or(0);
            }
        }
    }
    Duration::from_nanos(ns)
}

struct Client {
    creds: Credentials,
    practice: uuid::Uuid,
    base: u32,
}

/// Every client pushes one edit at once, and pulls when the push says
/// there is news; the latency of each, and the wall time of all.
async fn round(clients: Vec<Client>, since: u64) -> (Vec<Duration>, Duration) {
    use smarteka::sync::protocol::{BINARY, PushReply, decode_body, encode_body};
    let http = reqwest::Client::new();
    let mut tasks = Vec::new();
    for (i, c) in clients.into_iter().enumerate() {
        let http = http.clone();
        tasks.push(tokio::spawn(async move {
            let passport = smarteka::domain::Passport {
                specifics: format!("Правка клиента {i} к редакции {}", c.base),
                ..smarteka::domain::Passport::default()
            };
            let op = smarteka::sync::protocol::PushRequest {
                client: uuid::Uuid::now_v7(),
                ops: vec![smarteka::sync::protocol::Op {
                    seq: 1,
                    at: chrono::Utc::now(),
                    kind: smarteka::sync::protocol::OpKind::Edit {
                        practice: c.practice,
                        base: c.base,
                        fields: vec![smarteka::domain::passport::Field::P17],
                        passport: Box::new(passport),
                    },
                }],
                since: Some(since),
                seen: None,
            };
            let body = encode_body(&op, true).expect("encodes");
            let t = Instant::now();
            let r = signed(http.post(format!("{}/api/push", c.creds.server)), &c.creds)
                .header("content-type", BINARY)
                .header("accept", BINARY)
                .body(body)
                .send()
                .await
                .expect("push");
            assert!(r.status().is_success());
            let reply: PushReply =
                decode_body(&r.bytes().await.expect("body"), true, 1 << 24).expect("reply");
            if reply.news.is_none_or(|n| n.news) {
                let r = signed(
                    http.get(format!("{}/api/changes?since={since}", c.creds.server)),
                    &c.creds,
                )
                .header("accept", BINARY)
                .send()
                .await
                .expect("pull");
                assert!(r.status().is_success());
                let _ = r.bytes().await;
            }
            t.elapsed()
        }));
    }
    let started = Instant::now();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.expect("task"));
    }
    out.sort();
    (out, started.elapsed())
}

/// A request with the protocol version and the session, as the client
/// sends it.
fn signed(req: reqwest::RequestBuilder, creds: &Credentials) -> reqwest::RequestBuilder {
    req.header(
        "x-smarteka-protocol",
        smarteka::server::PROTOCOL.to_string(),
    )
    .header("authorization", format!("Bearer {}", creds.token))
}

/// 200 requests at once to an endpoint that does nothing: the anchor.
fn bare_round(runtime: &tokio::runtime::Runtime, addr: SocketAddr) -> (Vec<Duration>, Duration) {
    runtime.block_on(async {
        let http = reqwest::Client::new();
        let started = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..200 {
            let http = http.clone();
            tasks.push(tokio::spawn(async move {
                let t = Instant::now();
                let r = http
                    .get(format!("http://{addr}/"))
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
        out.sort();
        (out, started.elapsed())
    })
}

fn report(
    what: &str,
    times: &[Duration],
    wall: Duration,
    flushes: u64,
    bare: &(Vec<Duration>, Duration),
) {
    let ops = times.len() as f64 / wall.as_secs_f64();
    let bare_ops = bare.0.len() as f64 / bare.1.as_secs_f64();
    let p99 = percentile(times, 0.99).as_secs_f64() * 1000.0;
    println!(
        "{what}: {ops:.0} оп/с, p99 {p99:.1} мс, сбросов на диск {flushes} на {} отправок; голый axum: {bare_ops:.0} запр/с, p99 {:.1} мс",
        times.len(),
        percentile(&bare.0, 0.99).as_secs_f64() * 1000.0,
    );
    println!(
        "  доля голого axum: {:.1} % (цель ≥ 30 %; было 8,9 %); p99 {p99:.1} мс (цель < 50 мс; было 108 мс)",
        100.0 * ops / bare_ops
    );
}
