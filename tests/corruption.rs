//! Damage on disk: random bytes flipped in every file of a store. Each time
//! `smarteka check` either finds the store whole — with every record the
//! undamaged store had — or refuses it with a Russian message. Never fewer
//! records with exit 0, never a panic.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use rand::{Rng, SeedableRng};

fn smarteka(data: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_smarteka"));
    c.arg("--data")
        .arg(data)
        .env_remove("SMARTEKA_CONFIG")
        .env_remove("RUST_BACKTRACE");
    c
}

/// Runs with a time limit: a hang is a failure too. The output is read
/// while the process runs, so a full pipe never blocks it.
fn run(mut c: Command) -> Output {
    let child = c
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    if let Ok(out) = rx.recv_timeout(Duration::from_secs(60)) {
        return out.expect("output");
    }
    let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
    panic!("smarteka check hung on a damaged store");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("reads").flatten() {
        let dest = to.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).expect("copies");
        }
    }
}

fn files(dir: &Path, rel: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir.join(rel)).expect("reads").flatten() {
        let r = rel.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            files(dir, &r, out);
        } else {
            out.push(r);
        }
    }
}

fn has_cyrillic(s: &str) -> bool {
    s.chars()
        .any(|c| ('а'..='я').contains(&c) || ('А'..='Я').contains(&c))
}

#[test]
fn flipped_bytes_anywhere_never_lose_records_silently() {
    let work = tempfile::tempdir().expect("tempdir");
    let pristine = work.path().join("pristine");
    let o = run({
        let mut c = smarteka(&pristine);
        c.args(["demo", "--practices", "40", "--seed", "3"]);
        c
    });
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // A used store: many commits, each its own stretch of the log.
    let json = work.path().join("p.json");
    for i in 0..25 {
        std::fs::write(
            &json,
            format!(r#"{{"title": "Практика после демонстрации {i}"}}"#),
        )
        .expect("writes");
        let o = run({
            let mut c = smarteka(&pristine);
            c.args(["--as", "author", "practice", "new", "--from"])
                .arg(&json)
                .env("SMARTEKA_PASSWORD", "demo");
            c
        });
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    // The search index is rebuilt from the store: not the store's data.
    let _ = std::fs::remove_dir_all(pristine.join("index"));
    let whole = run(smarteka(&pristine).tap_arg("check"));
    assert!(
        whole.status.success(),
        "{}",
        String::from_utf8_lossy(&whole.stdout)
    );
    let counts = String::from_utf8_lossy(&whole.stdout)
        .lines()
        .find(|l| l.contains("все записи читаются"))
        .expect("the count line")
        .to_owned();

    let mut all = Vec::new();
    files(&pristine, Path::new(""), &mut all);
    all.retain(|f| {
        let n = f.to_string_lossy();
        !n.ends_with("smarteka.lock") && !n.ends_with("smarteka.log")
    });
    assert!(all.iter().any(|f| f.ends_with("db/db")), "{all:?}");
    assert!(all.iter().any(|f| f.ends_with("store.mark")), "{all:?}");

    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
    let (mut whole_again, mut refused) = (0, 0);
    for file in &all {
        let len = std::fs::metadata(pristine.join(file)).expect("meta").len() as usize;
        if len == 0 {
            continue;
        }
        // Near the start of the log (where a fresh store keeps everything),
        // and anywhere.
        let tries = if file.ends_with("db/db") { 40 } else { 4 };
        for t in 0..tries {
            let at = if t < 8 {
                rng.random_range(0..len.min(4096))
            } else {
                rng.random_range(0..len)
            };
            let case = work
                .path()
                .join(format!("case-{}-{t}", whole_again + refused));
            copy_dir(&pristine, &case);
            let target = case.join(file);
            let mut bytes = std::fs::read(&target).expect("reads");
            bytes[at] ^= 1 << rng.random_range(0..8);
            std::fs::write(&target, bytes).expect("writes");
            let o = run(smarteka(&case).tap_arg("check"));
            let (out, err) = (
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr),
            );
            let what = format!(
                "{} at {at}: exit {:?}\n{out}\n{err}",
                file.display(),
                o.status.code()
            );
            assert!(!err.contains("panicked"), "a panic: {what}");
            assert!(!err.contains("RUST_BACKTRACE"), "a panic: {what}");
            if o.status.success() {
                assert!(out.contains(&counts), "exit 0 with other records: {what}");
                whole_again += 1;
            } else {
                assert!(
                    err.starts_with("smarteka: ") && has_cyrillic(&err),
                    "{what}"
                );
                refused += 1;
            }
            std::fs::remove_dir_all(&case).expect("removes");
        }
    }
    assert!(refused > 0, "some damage is found");
    assert!(whole_again + refused > 20);
}

trait TapArg {
    fn tap_arg(self, a: &str) -> Self;
}

impl TapArg for Command {
    fn tap_arg(mut self, a: &str) -> Self {
        self.arg(a);
        self
    }
}
