//! `smarteka bench --ssh-sessions N`: a real `smarteka serve --ssh-bind`
//! on a demo store, and N sessions signed in by key at once, scrolling and
//! searching: how long each keystroke takes to come back as a frame on
//! loopback, and how much memory the server takes per session.

use std::time::{Duration, Instant};

use crate::cli::bench::{ms, percentile, rss_kib_of};
use crate::ssh::client::{Connection, Credential, Spawned, Term, new_key, public_line};
use crate::store::Store;

/// The keys of one round: down and up the list, then a search typed
/// letter by letter and cleared.
const ROUND: [&str; 17] = [
    "\x1b[B", "\x1b[B", "\x1b[B", "\x1b[B", "\x1b[B", "\x1b[A", "\x1b[A", "\x1b[A", "\x1b[A",
    "\x1b[A", "/", "ш", "к", "о", "л", "а", "\x1b",
];
const ROUNDS: usize = 3;
/// A keystroke with no frame for this long counts as lost.
const LOST: Duration = Duration::from_secs(5);

/// Reads until the screen stays the same for `quiet`: the frames a
/// keystroke brought after its first (search results) are not the next
/// one's.
async fn settle(t: &mut Term, quiet: Duration) {
    let mut last = t.text();
    loop {
        t.read(quiet).await;
        let now = t.text();
        if now == last || t.closed {
            return;
        }
        last = now;
    }
}

/// One session's keystrokes: the time of each to its frame, and how many
/// brought none.
async fn session(
    addr: std::net::SocketAddr,
    print: String,
    key: russh::keys::PrivateKey,
) -> Result<(Vec<Duration>, usize), String> {
    let conn = Connection::open(addr, &print, "moderator", &Credential::Key(Box::new(key))).await?;
    let mut t = conn.terminal(80, 24, "xterm-256color").await?;
    t.wait_for("Каталог", Duration::from_secs(60))
        .await
        .map_err(|s| format!("нет каталога: {s}"))?;
    settle(&mut t, Duration::from_millis(200)).await;
    let mut times = Vec::new();
    let mut lost = 0;
    for _ in 0..ROUNDS {
        for k in ROUND {
            match t.keystroke(k.as_bytes(), LOST).await {
                Some(d) => times.push(d),
                None => lost += 1,
            }
            settle(&mut t, Duration::from_millis(15)).await;
        }
    }
    // `q` asks first over SSH; `q` again ends the session.
    t.send(b"qq").await;
    let _ = t.until_closed(Duration::from_secs(10)).await;
    Ok((times, lost))
}

pub fn ssh(sessions: usize, practices: usize) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let data = dir.path().join("store");
    let key = new_key();
    {
        let store = Store::open(&data).map_err(|e| e.to_string())?;
        let t = Instant::now();
        crate::demo::seed_at(&store, practices, 1, crate::cli::clock().now(), |_, _| {})
            .map_err(|e| e.to_string())?;
        crate::service::keys::add(
            &crate::cli::ctx(&store),
            None,
            "moderator",
            &public_line(&key, "bench"),
        )
        .map_err(|e| e.to_string())?;
        println!(
            "Хранилище: {practices} практик за {:.1} с",
            t.elapsed().as_secs_f64()
        );
    }
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let server = Spawned::start(
        &exe,
        &data,
        &[
            "--ssh-sessions-per-user",
            &(sessions + 1).to_string(),
            "--ssh-sessions",
            &(sessions + 10).to_string(),
        ],
    )?;
    let (addr, print) = (server.ssh, server.fingerprint.clone());
    let pid = server.child.id().to_string();
    let before = rss_kib_of(&pid).unwrap_or(0);
    println!(
        "Сервер: ssh://{addr}, память до сеансов {} МиБ",
        before / 1024
    );

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let start = Instant::now();
    let results = runtime.block_on(async {
        let mut tasks = Vec::new();
        for _ in 0..sessions {
            tasks.push(tokio::spawn(session(addr, print.clone(), key.clone())));
        }
        // The memory with every session open, while they work.
        let mut peak = 0;
        while tasks.iter().any(|t| !t.is_finished()) {
            peak = peak.max(rss_kib_of(&pid).unwrap_or(0));
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let mut out = Vec::new();
        for t in tasks {
            out.push(t.await.map_err(|e| e.to_string()).and_then(|r| r));
        }
        (out, peak)
    });
    let (results, peak) = results;
    let wall = start.elapsed();
    let mut times = Vec::new();
    let mut lost = 0;
    let mut failed = Vec::new();
    for r in results {
        match r {
            Ok((t, l)) => {
                times.extend(t);
                lost += l;
            }
            Err(e) => failed.push(e),
        }
    }
    times.sort();
    let per_session = peak.saturating_sub(before) / sessions.max(1) as u64;
    println!(
        "Сеансов {sessions}, нажатий {} за {:.1} с (потеряно {lost}, сеансов не открылось {}):",
        times.len(),
        wall.as_secs_f64(),
        failed.len()
    );
    println!(
        "  от нажатия до кадра: p50 {}, p95 {}, p99 {}, худшее {} — цель: p99 < 30 мс",
        ms(percentile(&times, 0.50)),
        ms(percentile(&times, 0.95)),
        ms(percentile(&times, 0.99)),
        ms(times.last().copied().unwrap_or_default())
    );
    println!(
        "  память сервера: {} МиБ до сеансов, {} МиБ в пике — {} КиБ на сеанс",
        before / 1024,
        peak / 1024,
        per_session
    );
    for e in failed.iter().take(3) {
        println!("  {e}");
    }
    drop(server);
    if failed.is_empty() {
        Ok(())
    } else {
        Err("Не все сеансы открылись.".into())
    }
}
