//! The workstation in a real terminal (a pty from `script`), stopped hard:
//! what was typed is in the store when it is opened again.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::sleep;
use std::time::Duration;
use std::time::Instant;

use smarteka::store::Store;

fn pids_of(data: &Path) -> Vec<u32> {
    let needle = data.display().to_string();
    let mut out = Vec::new();
    for e in std::fs::read_dir("/proc").expect("proc").flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(cmd) = std::fs::read(e.path().join("cmdline")) else {
            continue;
        };
        let cmd = String::from_utf8_lossy(&cmd).replace('\0', " ");
        if cmd.contains(&needle) && cmd.contains("smarteka") && !cmd.starts_with("script") {
            out.push(pid);
        }
    }
    out
}

/// Ends the workstation and its pty if a test fails half-way.
struct Reaper<'a>(&'a Path);

impl Drop for Reaper<'_> {
    fn drop(&mut self) {
        for pid in pids_of(self.0) {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
        }
    }
}

/// Types into the workstation, then sends `signal` to it; returns the
/// titles of the demo author's practices afterwards.
fn type_then(signal: &str, wait_for_autosave: bool) -> Vec<String> {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("store");
    let bin = env!("CARGO_BIN_EXE_smarteka");
    let o = Command::new(bin)
        .arg("--data")
        .arg(&data)
        .args(["demo", "--practices", "10"])
        .output()
        .expect("demo");
    assert!(o.status.success());
    let mut child = Command::new("script")
        .args([
            "-qfec",
            // A pty without a size draws nothing: give it 80×24.
            &format!("stty cols 80 rows 24; exec {bin} --data {}", data.display()),
            "/dev/null",
        ])
        .env("TERM", "xterm")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the `script` command (bsdutils) runs the workstation in a pty");
    let _reaper = Reaper(&data);
    // What the workstation draws, to wait for it instead of guessing.
    let screen = Arc::new(Mutex::new(Vec::<u8>::new()));
    let mut out = child.stdout.take().expect("stdout");
    let sink = screen.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = out.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock().expect("lock").extend_from_slice(&buf[..n]);
        }
    });
    let wait_for = |text: &str| {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(60) {
            let seen = String::from_utf8_lossy(&screen.lock().expect("lock")).contains(text);
            if seen {
                return;
            }
            sleep(Duration::from_millis(50));
        }
        panic!("the workstation did not show «{text}»");
    };
    let mut stdin = child.stdin.take().expect("stdin");
    let mut send = |s: &str, pause: u64| {
        stdin.write_all(s.as_bytes()).expect("type");
        stdin.flush().expect("flush");
        sleep(Duration::from_millis(pause));
    };
    wait_for("Каталог");
    send("l", 0);
    wait_for("Вход");
    send("author\tdemo\r", 0);
    wait_for("Автор практики");
    send("n", 0);
    wait_for("черновик");
    send(
        "Черновик после сбоя",
        if wait_for_autosave { 3000 } else { 100 },
    );
    let pids = pids_of(&data);
    assert!(!pids.is_empty(), "the workstation is running");
    for pid in &pids {
        Command::new("kill")
            .args([signal, &pid.to_string()])
            .status()
            .expect("kill");
    }
    for _ in 0..300 {
        if pids_of(&data).is_empty() {
            break;
        }
        sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    // The lock goes with the process; under heavy disk load that can take
    // a while (a kill waits for a flush in progress).
    let start = Instant::now();
    let store = loop {
        match Store::open(&data) {
            Ok(s) => break s,
            Err(e) if start.elapsed() > Duration::from_secs(30) => {
                panic!("the store does not open: {e}")
            }
            Err(_) => sleep(Duration::from_millis(200)),
        }
    };
    let author = store
        .user_by_login("author")
        .expect("read")
        .expect("exists");
    store
        .practices()
        .filter_map(Result::ok)
        .filter(|p| p.author == author.id)
        .map(|p| p.passport.title)
        .collect()
}

#[test]
fn a_draft_survives_a_killed_process() {
    let titles = type_then("-KILL", true);
    assert!(
        titles.iter().any(|t| t == "Черновик после сбоя"),
        "{titles:?}"
    );
}

#[test]
fn a_dropped_session_saves_what_was_just_typed() {
    // SIGHUP before the autosave would have run: the editor saves on exit.
    let titles = type_then("-HUP", false);
    assert!(
        titles.iter().any(|t| t == "Черновик после сбоя"),
        "{titles:?}"
    );
}
