//! Group commit: commits that wait for the disk at the same time share one
//! flush. [`Store::commit`] returns only once its change is on disk; when
//! several threads commit at once, the first to need a flush makes it for
//! every change committed before it started, and the others wait for it
//! instead of flushing one by one.
//!
//! The central instance applies a push's ops one after another under its
//! push gate with the flush deferred ([`Store::defer_flush`]), then leaves
//! the gate and waits for the flush ([`Store::durable`]): concurrent pushes
//! are applied in order and share the flush, and no reply leaves before its
//! ops are on disk.

use std::cell::Cell;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use super::{Result, Store};

/// Which change is known to be on disk, and whether a flush is running.
#[derive(Debug, Default)]
pub(super) struct Flushes {
    state: Mutex<FlushState>,
    done: Condvar,
}

#[derive(Debug, Default)]
struct FlushState {
    /// Every change up to this sequence number is on disk.
    flushed: u64,
    /// A thread is flushing now.
    running: bool,
    /// Flushes made, for the figures.
    count: u64,
}

thread_local! {
    /// The store (by address) whose commits on this thread skip their own
    /// flush, while a [`Deferred`] guard lives.
    static DEFERRING: Cell<usize> = const { Cell::new(0) };
}

/// While it lives, this thread's commits to its store are not flushed
/// one by one: the holder calls [`Store::durable`] before it tells anyone
/// they are saved.
#[must_use = "the commits are not durable until Store::durable is called"]
pub struct Deferred {
    before: usize,
}

impl Drop for Deferred {
    fn drop(&mut self) {
        DEFERRING.with(|d| d.set(self.before));
    }
}

/// The thread flushing: when it is done (or dies), the flush is no longer
/// running and the waiting threads look again.
struct Leading<'a>(&'a Store);

impl Drop for Leading<'_> {
    fn drop(&mut self) {
        self.0.flush_state().running = false;
        self.0.flushes.done.notify_all();
    }
}

impl Store {
    fn address(&self) -> usize {
        std::ptr::from_ref(self) as usize
    }

    /// Commits on this thread skip their flush until the guard is dropped.
    pub fn defer_flush(&self) -> Deferred {
        let before = DEFERRING.with(|d| d.replace(self.address()));
        Deferred { before }
    }

    pub(super) fn deferring(&self) -> bool {
        DEFERRING.with(|d| d.get() == self.address())
    }

    /// Returns once every change up to `seq` is on disk: at once if a
    /// flush has covered it, else after the running flush and, if that one
    /// began before `seq` was committed, one more that this thread or
    /// another makes for everyone waiting.
    pub fn durable(&self, seq: u64) -> Result<()> {
        let mut st = self.flush_state();
        loop {
            if st.flushed >= seq {
                return Ok(());
            }
            if st.running {
                st = self
                    .flushes
                    .done
                    .wait(st)
                    .unwrap_or_else(PoisonError::into_inner);
                continue;
            }
            st.running = true;
            drop(st);
            // Whatever happens below, even a panic in sled, the next
            // thread may flush: no writer waits for a flush that died.
            let lead = Leading(self);
            // What the store holds now: every commit counted here ended
            // before the flush starts, so the flush covers it. A commit in
            // flight is counted before it leaves the write gate: passing
            // the gate counts every transaction already made.
            drop(self.write_gate());
            let counts = *self.counts_lock();
            let flushed = self.db.flush();
            if flushed.is_ok() {
                // The change is on disk: a mark that cannot be written (a
                // full disk) only lags behind, which never refuses a whole
                // store; the user is not told that a saved change failed.
                if let Err(e) = self.mark.write(&counts) {
                    tracing::error!(error = %e, seq = counts.seq, "high-water mark not written");
                }
                let mut st = self.flush_state();
                st.flushed = st.flushed.max(counts.seq);
                st.count += 1;
            }
            drop(lead);
            flushed?;
            st = self.flush_state();
        }
    }

    fn flush_state(&self) -> MutexGuard<'_, FlushState> {
        self.flushes
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// [`Store::durable`], first waiting up to `wait` for a flush another
    /// thread makes: a caller that knows more commits are about to come
    /// lets them in before the flush (sled holds its writers while it
    /// flushes), and the last of them flushes for all. After `wait` it
    /// flushes itself, so a steady stream of commits is never left unflushed
    /// for longer.
    pub fn durable_soon(&self, seq: u64, wait: std::time::Duration) -> Result<()> {
        let deadline = std::time::Instant::now() + wait;
        let mut st = self.flush_state();
        while st.flushed < seq {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                break;
            }
            st = self
                .flushes
                .done
                .wait_timeout(st, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        drop(st);
        self.durable(seq)
    }

    /// Flushes made by [`Store::durable`] since the store was opened.
    pub fn flush_count(&self) -> u64 {
        self.flush_state().count
    }
}

#[cfg(test)]
mod tests {
    use super::super::Mutation;
    use super::*;

    fn change(store: &Store, n: usize) -> u64 {
        store
            .commit(&Mutation::new(None, "test", format!("изменение {n}")))
            .expect("commits")
    }

    #[test]
    fn deferred_commits_are_flushed_once_when_made_durable() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).expect("opens");
        let before = store.flush_count();
        let last = {
            let _defer = store.defer_flush();
            (0..5).map(|n| change(&store, n)).max().expect("seq")
        };
        assert_eq!(store.flush_count(), before, "no flush while deferred");
        store.durable(last).expect("durable");
        assert_eq!(store.flush_count(), before + 1);
        // Covered already: no second flush.
        store.durable(last).expect("durable");
        assert_eq!(store.flush_count(), before + 1);
        // Not deferred: each commit is flushed before it returns.
        change(&store, 6);
        assert_eq!(store.flush_count(), before + 2);
        assert_eq!(store.high_water().seq, last + 1);
    }

    #[test]
    fn concurrent_commits_each_return_durable() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).expect("opens");
        let before = store.flush_count();
        std::thread::scope(|s| {
            for t in 0..8 {
                let store = &store;
                s.spawn(move || {
                    for n in 0..25 {
                        let seq = change(store, t * 100 + n);
                        // Returned: covered by a flush that ended.
                        let st = store.flushes.state.lock().expect("lock");
                        assert!(st.flushed >= seq, "{} < {seq}", st.flushed);
                    }
                });
            }
        });
        assert!(store.flush_count() > before);
        assert_eq!(store.high_water().seq, store.last_seq().expect("seq"));
        // What the mark file says after the last flush is what the store holds.
        drop(store);
        let reopened = Store::open(dir.path()).expect("reopens");
        assert_eq!(reopened.last_seq().expect("seq"), 200);
    }

    #[test]
    fn durable_soon_takes_another_threads_flush_or_makes_its_own() {
        use std::time::Duration;
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).expect("opens");
        let deferred = |n| {
            let _defer = store.defer_flush();
            change(&store, n)
        };
        // Alone: after the wait, it flushes itself.
        let before = store.flush_count();
        let seq = deferred(1);
        store
            .durable_soon(seq, Duration::from_millis(1))
            .expect("durable");
        assert_eq!(store.flush_count(), before + 1);
        // Another thread flushes: the waiting one makes none of its own,
        // however long it would have waited.
        let seq = deferred(2);
        std::thread::scope(|s| {
            let waiting = s.spawn(|| store.durable_soon(seq, Duration::from_secs(600)));
            store.durable(seq).expect("durable");
            waiting.join().expect("joins").expect("durable");
        });
        assert_eq!(store.flush_count(), before + 2);
    }

    #[test]
    fn a_guard_for_one_store_does_not_defer_another() {
        let (a, b) = (
            tempfile::tempdir().expect("a"),
            tempfile::tempdir().expect("b"),
        );
        let (a, b) = (
            Store::open(a.path()).expect("a"),
            Store::open(b.path()).expect("b"),
        );
        let before = b.flush_count();
        let _defer = a.defer_flush();
        change(&b, 1);
        assert_eq!(b.flush_count(), before + 1);
    }
}
