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
