//! Opening a store: its exclusive lock, the refusal of a folder that is
//! not a store, sled opened under a guard against its panics, the
//! high-water mark checked and the format brought up to date.

use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::path::Path;

use super::{
    APPLICATIONS, EVENTS, FORMAT, KEY_FORMAT, META, OpenFlags, PRACTICES, Result, Store,
    StoreError, TREE_NAMES, USERS, guarded, io_ru, mark, migrate, read_u64, u64_key, watch,
};

/// Takes the store's exclusive lock, or says who holds it.
fn lock(dir: &Path) -> Result<File> {
    let path = dir.join("smarteka.lock");
    let mut f = OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(&path)
        .map_err(|e| StoreError::Open {
            path: dir.to_owned(),
            reason: e.to_string(),
        })?;
    // A lock just let go can still be held for a moment by a process
    // another thread is starting (it shares the descriptor until it
    // executes its program): a second process is told so only after a
    // short wait.
    let locked = retry_briefly(
        std::time::Duration::from_millis(500),
        |e| matches!(e, std::fs::TryLockError::WouldBlock),
        || f.try_lock(),
    );
    match locked {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => return Err(StoreError::Locked(dir.to_owned())),
        Err(std::fs::TryLockError::Error(e)) => {
            return Err(StoreError::Open {
                path: dir.to_owned(),
                reason: e.to_string(),
            });
        }
    }
    f.set_len(0)?;
    writeln!(f, "{}", std::process::id())?;
    Ok(f)
}

/// Tries `f` until it answers, or until `limit`, while its failure is one
/// `brief` says passes by itself (a lock let go a moment ago).
fn retry_briefly<T, E>(
    limit: std::time::Duration,
    brief: impl Fn(&E) -> bool,
    mut f: impl FnMut() -> std::result::Result<T, E>,
) -> std::result::Result<T, E> {
    let started = std::time::Instant::now();
    loop {
        match f() {
            Err(e) if brief(&e) && started.elapsed() < limit => {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            r => return r,
        }
    }
}

/// Entries a store directory may hold before it has a `db`: what the
/// program itself puts there before the store is first opened.
const OWN_ENTRIES: [&str; 9] = [
    "smarteka.lock",
    "mail-out",
    "registration.json",
    "smarteka.log",
    "index",
    "blobs",
    "calendars",
    "server-session.toml",
    "store.mark",
];

/// Whether `dir` is missing, empty, or holds a store (or only what the
/// program puts there itself): a folder the program may write in.
pub fn may_hold_store(dir: &Path) -> bool {
    is_store_dir(dir).is_ok()
}

/// Refuses a directory that holds other things and no store.
pub(super) fn is_store_dir(dir: &Path) -> Result<()> {
    if dir.join("db").exists() {
        return Ok(());
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => {
            return Err(StoreError::Open {
                path: dir.to_owned(),
                reason: e.to_string(),
            });
        }
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let name = name.to_string_lossy();
        if !OWN_ENTRIES.contains(&name.as_ref()) && !name.starts_with('.') {
            return Err(StoreError::NotAStore(dir.to_owned()));
        }
    }
    Ok(())
}

/// Opens sled's database in `dir`. This process holds the store's lock, so
/// a conflict on sled's own file lock can only be a handle of this process
/// let go a moment ago (sled's threads close it shortly after), or a child
/// process another thread is starting: it is waited for, briefly.
fn open_sled(dir: &Path) -> Result<sled::Db> {
    retry_briefly(
        std::time::Duration::from_secs(2),
        |e| matches!(e, sled::Error::Io(io) if io.to_string().contains("could not acquire lock")),
        || {
            sled::Config::new()
                .path(dir.join("db"))
                .cache_capacity(64 * 1024 * 1024)
                .open()
        },
    )
    .map_err(|e| sled_open_error(dir, e))
}

/// A store sled cannot open: an IO error as such, anything else as damage.
fn sled_open_error(dir: &Path, e: sled::Error) -> StoreError {
    match e {
        sled::Error::Io(io) => StoreError::Open {
            path: dir.to_owned(),
            reason: io_ru(&io),
        },
        sled::Error::Unsupported(_) => damaged(dir, "служебный файл db/conf повреждён"),
        sled::Error::Corruption { .. } => damaged(dir, "журнал повреждён"),
        other => {
            tracing::warn!(error = %other, "store not opened");
            damaged(dir, "журнал не читается")
        }
    }
}

/// A store whose reading panicked (sled on a damaged page): the panic's
/// words go to the log, the user gets Russian.
fn unreadable(dir: &Path, panic: &str) -> StoreError {
    tracing::warn!(%panic, dir = %dir.display(), "store not readable");
    damaged(dir, "журнал не читается")
}

fn damaged(dir: &Path, detail: impl Into<String>) -> StoreError {
    StoreError::Damaged {
        path: dir.to_owned(),
        detail: detail.into(),
    }
}

impl Store {
    /// Opens (creating if needed) the store in `dir`.
    pub fn open(dir: &Path) -> Result<Self> {
        Self::open_with(dir, OpenFlags::default())
    }

    /// Opens the store in `dir`: refuses a directory that is not a store,
    /// a store another process has open, one made by a newer version, a
    /// damaged one, and one that holds less than its high-water mark.
    pub fn open_with(dir: &Path, opts: OpenFlags) -> Result<Self> {
        is_store_dir(dir)?;
        std::fs::create_dir_all(dir).map_err(|e| StoreError::Open {
            path: dir.to_owned(),
            reason: e.to_string(),
        })?;
        let lock = lock(dir)?;
        let fresh = !dir.join("db").exists();
        let expected = mark::read(dir).map_err(|e| damaged(dir, e.to_string()))?;
        let opened = guarded(|| -> Result<(sled::Db, Vec<sled::Tree>)> {
            let db = open_sled(dir)?;
            let trees = TREE_NAMES
                .iter()
                .map(|n| db.open_tree(n))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| sled_open_error(dir, e))?;
            Ok((db, trees))
        });
        let (db, trees) = match opened {
            Ok(r) => r?,
            Err(panic) => return Err(unreadable(dir, &panic)),
        };
        let mark = mark::MarkFile::open(dir)?;
        let store = Self {
            dir: dir.to_owned(),
            db,
            trees,
            mark,
            counts: std::sync::Mutex::new(mark::Mark::default()),
            gate: std::sync::Mutex::new(()),
            flushes: super::durable::Flushes::default(),
            mailing: std::sync::atomic::AtomicBool::new(false),
            rows_only: std::sync::atomic::AtomicBool::new(false),
            recent: super::recent::RecentChanges::default(),
            _lock: lock,
        };
        store.rows_only.store(
            store.trees[super::META]
                .scan_prefix(super::rows::KEY_ROW)
                .next()
                .is_some(),
            std::sync::atomic::Ordering::SeqCst,
        );
        let have = guarded(|| store.measure()).map_err(|p| unreadable(dir, &p))??;
        if let Some(expected) = expected
            && !opts.accept_loss
        {
            let lost = expected.losses(&have);
            if !lost.is_empty() {
                return Err(StoreError::Lost {
                    path: dir.to_owned(),
                    detail: lost.join(", "),
                });
            }
        }
        *store.counts_lock() = have;
        if fresh || expected.is_none() || opts.accept_loss {
            store.mark.reset(&have)?;
        }
        guarded(|| store.check_format()).map_err(|p| unreadable(dir, &p))??;
        Ok(store)
    }

    /// What the store holds now: its last change and its records. Reads
    /// every key of four trees, under a watch (a damaged page can make
    /// sled's iteration go round forever).
    pub(super) fn measure(&self) -> Result<mark::Mark> {
        let watch = watch::Watch::start(&self.dir);
        let count = |tree: usize| -> Result<u64> {
            let mut n = 0;
            for k in self.trees[tree].iter().keys() {
                k?;
                watch.tick();
                n += 1;
            }
            Ok(n)
        };
        Ok(mark::Mark {
            seq: self.last_seq()?,
            practices: count(PRACTICES)?,
            users: count(USERS)?,
            applications: count(APPLICATIONS)?,
            events: count(EVENTS)?,
        })
    }

    fn check_format(&self) -> Result<()> {
        let meta = &self.trees[META];
        let found = meta.get(KEY_FORMAT)?.map(|v| read_u64(&v) as u32);
        match found {
            None => {
                meta.insert(KEY_FORMAT, &u64_key(u64::from(FORMAT)))?;
                self.db.flush()?;
            }
            Some(v) if v > FORMAT => {
                return Err(StoreError::TooNew {
                    path: self.dir.clone(),
                    found: v,
                });
            }
            Some(v) if v < FORMAT => {
                migrate(self, v)?;
                meta.insert(KEY_FORMAT, &u64_key(u64::from(FORMAT)))?;
                self.db.flush()?;
            }
            Some(_) => {}
        }
        Ok(())
    }
}
