//! The workstation walked as people use it: the real binary in tmux at
//! 80×24, signed in as each role, through every screen. On every screen:
//! the help opens and `Esc` closes it, `q` goes back, and nothing is cut
//! without a way to read it whole — a list row ending in «…» opens to a
//! page that shows it whole, a cut message in the status bar ends in «(!)»
//! and `!` shows it whole. `Ctrl-c` leaves from anywhere.
//!
//! Needs `tmux` (`.ci/run` installs it); without it the test fails and
//! says so. The pane stays after the program ends, so a crash is seen with
//! its last screen and exit status.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::thread::sleep;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(30);

/// One workstation in a private tmux server.
struct Session {
    socket: String,
}

impl Session {
    fn start(data: &Path, role: &str) -> Self {
        let socket = format!("smarteka-walk-{}-{role}", std::process::id());
        let bin = env!("CARGO_BIN_EXE_smarteka");
        let ok = Command::new("tmux")
            .args(["-L", &socket, "-f", "/dev/null", "new-session", "-d"])
            .args(["-x", "80", "-y", "24", "-s", "walk"])
            .arg(format!("{bin} --data {}", data.display()))
            // A program that ends leaves its last screen and its status.
            .args([";", "set-option", "-t", "walk", "remain-on-exit", "on"])
            .env("TERM", "xterm-256color")
            .status()
            .expect("tmux is needed for the walkthrough: apt-get install tmux")
            .success();
        assert!(ok, "tmux did not start");
        Self { socket }
    }

    fn tmux(&self, args: &[&str]) -> std::process::Output {
        Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("tmux")
    }

    /// Named keys (`Enter`, `Tab`, `C-c`, …) or single characters.
    fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.tmux(&["send-keys", "-t", "walk", k]);
        }
    }

    fn text(&self, s: &str) {
        self.tmux(&["send-keys", "-t", "walk", "-l", s]);
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.tmux(&["capture-pane", "-p", "-t", "walk"]).stdout)
            .into_owned()
    }

    /// `Some(status)` once the workstation has ended.
    fn ended(&self) -> Option<i32> {
        let out = self.tmux(&[
            "display-message",
            "-p",
            "-t",
            "walk",
            "#{pane_dead} #{pane_dead_status} #{pane_dead_signal}",
        ]);
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let parts: Vec<&str> = text.split(' ').map(str::trim).collect();
        match parts.as_slice() {
            ["1", status, signal] => Some(if let Ok(n) = signal.parse::<i32>() {
                // Ended by a signal: told as 128 + its number.
                128 + n
            } else {
                // tmux does not always learn the status: -1.
                status.parse().unwrap_or(-1)
            }),
            _ => None,
        }
    }

    /// Waits for `needle` on the screen, then checks the screen.
    fn wait_for(&self, needle: &str) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if let Some(status) = self.ended() {
                panic!("the workstation ended (status {status}) waiting for «{needle}»:\n{s}");
            }
            if s.contains(needle) {
                // Let the frame settle.
                sleep(Duration::from_millis(150));
                let s = self.screen();
                check(&s);
                return s;
            }
            assert!(
                start.elapsed() < WAIT,
                "the workstation did not show «{needle}»:\n{s}"
            );
            sleep(Duration::from_millis(50));
        }
    }

    /// The help of the screen opens, lists keys, and `Esc` closes it.
    fn help(&self, back_to: &str) {
        self.keys(&["F1"]);
        let s = self.wait_for("Клавиши:");
        assert!(s.contains("Esc"), "{s}");
        self.keys(&["Escape"]);
        self.wait_for(back_to);
        assert!(!self.screen().contains("Клавиши:"));
    }

    /// A message cut in the status bar is marked and `!` shows it whole;
    /// whether there was one.
    fn status_readable(&self, back_to: &str) -> bool {
        let s = self.screen();
        let status = s.lines().rfind(|l| !l.trim().is_empty()).unwrap_or("");
        let Some(message) = status.split('│').nth(1) else {
            return false;
        };
        let message = message.trim();
        if !message.ends_with("(!)") {
            assert!(
                !message.contains('…'),
                "a cut message without «(!)»: {status}"
            );
            return false;
        }
        let head = message.trim_end_matches("(!)").trim().trim_end_matches('…');
        self.keys(&["!"]);
        let log = self.wait_for("Сообщения");
        let whole = joined(&log);
        assert!(
            whole.contains(&squeeze(head)),
            "«{head}» is not in the message log:\n{log}"
        );
        self.keys(&["Escape"]);
        self.wait_for(back_to);
        true
    }

    /// The first list row with a cut title opens to a page that shows the
    /// title whole; `q` comes back. Whether there was one.
    fn rows_readable(&self, header: &str, first_row: usize) -> bool {
        let s = self.screen();
        let lines: Vec<&str> = s.lines().collect();
        let Some(row) = lines.get(first_row) else {
            return false;
        };
        let Some(cut) = row.find('…') else {
            return false;
        };
        let title = row[..cut].trim();
        // Queues lead with the waiting time: the title is after it.
        let title = title.rsplit("  ").next().unwrap_or(title).trim().to_owned();
        if title.chars().count() < 8 {
            return false;
        }
        self.keys(&["Enter"]);
        let page = self.wait_for("Паспорт практики");
        assert!(
            joined(&page).contains(&squeeze(&title)),
            "«{title}» cut in the list is not whole on its page:\n{page}"
        );
        self.help("Паспорт практики");
        self.keys(&["h"]);
        self.wait_for("История");
        self.help("История");
        self.keys(&["q"]);
        self.wait_for("Паспорт практики");
        self.keys(&["q"]);
        self.wait_for(header);
        true
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.tmux(&["kill-server"]);
    }
}

/// The screen as one line of words: what wraps is found whole.
fn joined(screen: &str) -> String {
    squeeze(
        &screen
            .lines()
            .map(|l| l.trim_end_matches(['█', '│', ' ']))
            .collect::<Vec<_>>()
            .join(" "),
    )
}

fn squeeze(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What every screen must not show: an English error or a panic.
fn check(screen: &str) {
    for bad in ["panicked", "RUST_BACKTRACE", "Error:", "error:"] {
        assert!(!screen.contains(bad), "«{bad}» on the screen:\n{screen}");
    }
}

fn demo_store(dir: &Path) -> PathBuf {
    let data = dir.join("store");
    let o = Command::new(env!("CARGO_BIN_EXE_smarteka"))
        .arg("--data")
        .arg(&data)
        .args(["demo", "--practices", "80"])
        .output()
        .expect("demo");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    data
}

/// How many cut texts were followed to where they are whole.
#[derive(Default)]
struct Followed {
    rows: usize,
    messages: usize,
}

fn walk(data: &Path, login: &str, role: &str, seen: &mut Followed) {
    let t = Session::start(data, login);
    t.wait_for("Каталог");
    t.help("Каталог ·");
    t.keys(&["l"]);
    t.wait_for("Вход");
    t.text(login);
    t.keys(&["Tab"]);
    t.text("demo");
    t.keys(&["Enter"]);
    t.wait_for(role);
    seen.messages += usize::from(t.status_readable("Каталог ·"));
    // The catalogue: the first practice is on the fifth line.
    seen.rows += usize::from(t.rows_readable("Каталог ·", 4));

    t.keys(&["o"]);
    let s = t.wait_for("Очереди");
    t.help("Очереди");
    if s.contains("ждёт") || s.contains("срок") {
        seen.rows += usize::from(t.rows_readable("Очереди", 3));
    }
    t.keys(&["q"]);
    t.wait_for("Каталог ·");

    t.keys(&["i"]);
    t.wait_for("Уведомления");
    t.help("Уведомления");
    t.keys(&["q"]);
    t.wait_for("Каталог ·");

    t.keys(&["t"]);
    t.wait_for("Тиражирование");
    t.help("Тиражирование");
    t.keys(&["q"]);
    t.wait_for("Каталог ·");

    t.keys(&["!"]);
    t.wait_for("Сообщения");
    t.keys(&["q"]);
    t.wait_for("Каталог ·");

    if login == "author" {
        t.keys(&["n"]);
        t.wait_for("Паспорт ·");
        // In a text field `?` types: F1 is the help.
        t.help("Паспорт ·");
        t.text("Проект");
        t.keys(&["Escape"]);
        t.wait_for("Каталог ·");
    }

    // Ctrl-c leaves from a screen deep in the stack.
    t.keys(&["Enter"]);
    t.wait_for("Паспорт практики");
    t.keys(&["C-c"]);
    let start = Instant::now();
    loop {
        if let Some(status) = t.ended() {
            assert!(
                status == 0 || status == -1,
                "Ctrl-c ends the workstation cleanly, not with {status}"
            );
            // What it left on the terminal: no panic, no English error.
            check(&t.screen());
            break;
        }
        assert!(start.elapsed() < WAIT, "Ctrl-c did not end the workstation");
        sleep(Duration::from_millis(100));
    }
}

#[test]
fn every_screen_as_every_role_at_80x24() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = demo_store(dir.path());
    let mut seen = Followed::default();
    for (login, role) in [
        ("author", "Автор практики"),
        ("coordinator", "Региональный координатор"),
        ("moderator", "Эксперт-модератор"),
        ("expert1", "Эксперт"),
        ("asi", "Модератор АСИ"),
        ("recipient", "Вы вошли как"),
    ] {
        walk(&data, login, role, &mut seen);
    }
    // The walk met cut titles and cut messages, and followed them.
    assert!(seen.rows >= 6, "cut rows followed: {}", seen.rows);
    assert!(
        seen.messages >= 1,
        "cut messages followed: {}",
        seen.messages
    );
}
