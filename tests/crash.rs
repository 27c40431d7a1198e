//! The workstation in a real terminal (a pty from `script`), stopped hard:
//! what was typed is in the store when it is opened again.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread::sleep;
use std::time::Duration;

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
            &format!("exec {bin} --data {}", data.display()),
            "/dev/null",
        ])
        .env("TERM", "xterm")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the `script` command (bsdutils) runs the workstation in a pty");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut send = |s: &str, pause: u64| {
        stdin.write_all(s.as_bytes()).expect("type");
        stdin.flush().expect("flush");
        sleep(Duration::from_millis(pause));
    };
    send("", 3000);
    send("l", 500);
    send("author\tdemo\r", 2000);
    send("n", 2000);
    send(
        "Черновик после сбоя",
        if wait_for_autosave { 2000 } else { 100 },
    );
    let pids = pids_of(&data);
    assert!(!pids.is_empty(), "the workstation is running");
    for pid in &pids {
        Command::new("kill")
            .args([signal, &pid.to_string()])
            .status()
            .expect("kill");
    }
    for _ in 0..100 {
        if pids_of(&data).is_empty() {
            break;
        }
        sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    let store = Store::open(&data).expect("the store opens again");
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
