//! Running the binary on a store, as the command-line tests do.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

/// `smarteka --data DATA [--as LOGIN] ARGS…`, the demo password given.
pub fn run(data: &Path, login: Option<&str>, args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_smarteka"));
    c.arg("--data").arg(data);
    if let Some(l) = login {
        c.arg("--as").arg(l).env("SMARTEKA_PASSWORD", "demo");
    }
    c.args(args)
        .env_remove("SMARTEKA_CONFIG")
        .output()
        .expect("runs")
}

/// `practice act ID ARGS…` as `login`.
pub fn act(data: &Path, login: &str, id: &str, args: &[&str]) -> Output {
    let mut a = vec!["practice", "act", id];
    a.extend_from_slice(args);
    run(data, Some(login), &a)
}

pub fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The output of a command that succeeded.
#[track_caller]
pub fn out(o: &Output) -> String {
    assert!(o.status.success(), "{}", err(o));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[track_caller]
pub fn json(o: &Output) -> Value {
    serde_json::from_str(&out(o)).expect("json")
}

#[track_caller]
pub fn ok(o: &Output) {
    assert!(o.status.success(), "{}", err(o));
}

/// Refused (exit 1), naming each of `words`.
#[track_caller]
pub fn refused(o: &Output, words: &[&str]) {
    assert_eq!(o.status.code(), Some(1), "{}", err(o));
    for w in words {
        assert!(err(o).contains(w), "«{w}» in: {}", err(o));
    }
}
