//! A watchdog for reading a whole store. On some damage sled's reads go
//! round in circles instead of failing: a read that makes no progress for
//! [`STALL`] ends the process with a Russian message instead of hanging
//! forever. Used where the whole store is read before anything is shown or
//! changed (opening it, `smarteka check`), so nothing is lost by stopping.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How long a read may make no progress.
pub const STALL: Duration = Duration::from_secs(30);

/// Progress of one long read; dropping it stops the watch.
pub struct Watch {
    ticks: Arc<AtomicU64>,
    done: Arc<AtomicBool>,
}

impl Watch {
    /// Starts watching a read of the store in `dir`.
    pub fn start(dir: &Path) -> Self {
        Self::with_stall(dir, STALL)
    }

    fn with_stall(dir: &Path, stall: Duration) -> Self {
        let ticks = Arc::new(AtomicU64::new(0));
        let done = Arc::new(AtomicBool::new(false));
        let (t, d, dir): (_, _, PathBuf) = (ticks.clone(), done.clone(), dir.to_owned());
        std::thread::spawn(move || {
            let mut seen = 0;
            let mut since = Instant::now();
            while !d.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(200));
                let now = t.load(Ordering::SeqCst);
                if now != seen {
                    seen = now;
                    since = Instant::now();
                } else if since.elapsed() >= stall && !d.load(Ordering::SeqCst) {
                    let e = super::StoreError::Damaged {
                        path: dir,
                        detail: format!(
                            "чтение журнала не продвигается {} с: повреждённая страница ссылается сама на себя",
                            stall.as_secs()
                        ),
                    };
                    tracing::error!(error = %e, "store read stalled");
                    eprintln!("smarteka: {e}");
                    std::process::exit(1);
                }
            }
        });
        Self { ticks, done }
    }

    /// One more record read.
    pub fn tick(&self) {
        self.ticks.fetch_add(1, Ordering::Relaxed);
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.done.store(true, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAME: &str =
        "store::watch::tests::a_stalled_read_ends_the_process_and_a_moving_one_does_not";

    /// Runs this test again in a child process, in the given role.
    fn child(role: &str) -> std::process::Output {
        std::process::Command::new(std::env::current_exe().expect("exe"))
            .args(["--exact", NAME, "--nocapture", "--test-threads=1"])
            .env("SMARTEKA_WATCH_ROLE", role)
            .output()
            .expect("runs")
    }

    #[test]
    fn a_stalled_read_ends_the_process_and_a_moving_one_does_not() {
        let stall = Duration::from_millis(300);
        match std::env::var("SMARTEKA_WATCH_ROLE").as_deref() {
            Ok("stalled") => {
                let dir = tempfile::tempdir().expect("tempdir");
                let _w = Watch::with_stall(dir.path(), stall);
                // A read that never returns, as sled's on a looping page.
                loop {
                    std::thread::park();
                }
            }
            Ok("moving") => {
                let dir = tempfile::tempdir().expect("tempdir");
                let w = Watch::with_stall(dir.path(), stall);
                for _ in 0..20 {
                    w.tick();
                    std::thread::sleep(stall / 6);
                }
                return;
            }
            _ => {}
        }
        let o = child("stalled");
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert!(
            err.contains("повреждено") && err.contains("не продвигается"),
            "{err}"
        );
        let o = child("moving");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
}
