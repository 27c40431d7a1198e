//! Backups: a consistent copy of a store made while it is in use, and its
//! restore. A backup is a folder: `trees.zst` (every tree's keys and
//! values, read while no write can happen), `blobs/` (the files, copied),
//! and `manifest.json` (what the store held, with the SHA-256 of every
//! part), written last. It is made in a temporary folder beside the target
//! and renamed when whole, so a backup that was cut short is never taken
//! for one.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::domain::clock::{Clock as _, SYSTEM};
use serde::{Deserialize, Serialize};

use super::blobs::{Blobs, hash_file};
use super::{FORMAT, Result, Store, StoreError, TREE_NAMES};

/// Backups a server takes by itself: `[server] backup_dir`,
/// `backup_every`, `keep`.
#[derive(Debug, Clone)]
pub struct BackupPlan {
    pub dir: PathBuf,
    pub every: std::time::Duration,
    pub keep: usize,
}

/// What a backup holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// The store format the trees are in.
    pub format: u32,
    pub created: DateTime<Utc>,
    /// The last change the backup holds.
    pub seq: u64,
    pub practices: u64,
    pub users: u64,
    pub applications: u64,
    pub events: u64,
    /// The head of the audit chain at `seq`.
    pub audit_head: String,
    /// SHA-256 and size of `trees.zst`.
    pub trees_sha256: String,
    pub trees_bytes: u64,
    /// Entries per tree.
    pub entries: Vec<(String, u64)>,
    /// The files, by SHA-256, with their sizes.
    pub files: Vec<(String, u64)>,
    /// Files of the store whose content no longer matches their name: left
    /// out of the backup (and named, so they can be sought elsewhere).
    #[serde(default)]
    pub damaged: Vec<String>,
}

const MANIFEST: &str = "manifest.json";
const TREES: &str = "trees.zst";

fn bad(dir: &Path, detail: impl Into<String>) -> StoreError {
    StoreError::BadBackup {
        path: dir.to_owned(),
        detail: detail.into(),
    }
}

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Whether `dir` is missing or an empty folder.
fn is_free(dir: &Path) -> bool {
    match std::fs::read_dir(dir) {
        Ok(mut e) => e.next().is_none(),
        Err(e) => e.kind() == std::io::ErrorKind::NotFound,
    }
}

fn write_frame(out: &mut impl Write, bytes: &[u8]) -> std::io::Result<()> {
    out.write_all(&(bytes.len() as u32).to_be_bytes())?;
    out.write_all(bytes)
}

fn read_frame(input: &mut impl Read) -> std::io::Result<Option<Vec<u8>>> {
    let mut len = [0u8; 4];
    match input.read_exact(&mut len) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let mut b = vec![0u8; u32::from_be_bytes(len) as usize];
    input.read_exact(&mut b)?;
    Ok(Some(b))
}

impl Store {
    /// Makes a backup of the store in `dest` (a new or empty folder) while
    /// it stays in use: writes wait only while the trees are read.
    /// `progress` hears what is being copied.
    pub fn backup(&self, dest: &Path, mut progress: impl FnMut(&str)) -> Result<Manifest> {
        if !is_free(dest) {
            return Err(StoreError::BackupTarget(dest.to_owned()));
        }
        let parent = dest
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        std::fs::create_dir_all(&parent)?;
        let tmp = tempfile::Builder::new()
            .prefix(".smarteka-backup-")
            .tempdir_in(&parent)?;
        progress("записи");
        let trees_path = tmp.path().join(TREES);
        let (entries, mark, head) = {
            let _gate = self.write_gate();
            let mut out =
                zstd::stream::Encoder::new(BufWriter::new(File::create(&trees_path)?), 3)?;
            let mut entries = Vec::new();
            for (i, name) in TREE_NAMES.iter().enumerate() {
                let mut n = 0u64;
                for item in &self.trees[i] {
                    let (k, v) = item?;
                    write_frame(&mut out, name.as_bytes())?;
                    write_frame(&mut out, &k)?;
                    write_frame(&mut out, &v)?;
                    n += 1;
                }
                entries.push(((*name).to_owned(), n));
            }
            let file = out.finish()?;
            let file = file
                .into_inner()
                .map_err(std::io::IntoInnerError::into_error)?;
            file.sync_all()?;
            (entries, self.measure()?, self.audit_head()?.1)
        };
        let trees_bytes = std::fs::metadata(&trees_path)?.len();
        let trees_sha256 = hash_file(&trees_path)?;
        progress("файлы");
        let from = Blobs::new(&self.dir);
        let to = Blobs::new(tmp.path());
        let mut files = Vec::new();
        let mut damaged = Vec::new();
        let mut made = std::collections::BTreeSet::new();
        for sha in from.list() {
            let copy = to.path_of(&sha);
            let Some(folder) = copy.parent() else {
                continue;
            };
            if made.insert(folder.to_owned()) {
                std::fs::create_dir_all(folder)?;
            }
            std::fs::copy(from.path_of(&sha), &copy)?;
            File::open(&copy)?.sync_all()?;
            if hash_file(&copy)? == sha {
                files.push((sha, std::fs::metadata(&copy)?.len()));
            } else {
                // One rotten file must not stop every backup after it.
                tracing::warn!(%sha, "a stored file does not match its hash: left out of the backup");
                std::fs::remove_file(&copy)?;
                damaged.push(sha);
            }
        }
        for folder in &made {
            sync_dir(folder)?;
        }
        if !made.is_empty() {
            sync_dir(&tmp.path().join("blobs"))?;
        }
        let manifest = Manifest {
            format: FORMAT,
            created: SYSTEM.now(),
            seq: mark.seq,
            practices: mark.practices,
            users: mark.users,
            applications: mark.applications,
            events: mark.events,
            audit_head: head,
            trees_sha256,
            trees_bytes,
            entries,
            files,
            damaged,
        };
        let text = serde_json::to_vec_pretty(&manifest)
            .map_err(|e| StoreError::Io(std::io::Error::other(e)))?;
        let mut f = File::create(tmp.path().join(MANIFEST))?;
        f.write_all(&text)?;
        f.sync_all()?;
        sync_dir(tmp.path())?;
        let _ = std::fs::remove_dir(dest);
        let kept = tmp.keep();
        std::fs::rename(&kept, dest)?;
        sync_dir(&parent)?;
        Ok(manifest)
    }
}

/// Reads and checks a backup: the manifest, the trees' hash and every
/// file's hash. Returns the manifest.
pub fn verify(src: &Path) -> Result<Manifest> {
    let text = std::fs::read(src.join(MANIFEST)).map_err(|_| {
        bad(
            src,
            format!(
                "в ней нет описи {MANIFEST} — это не резервная копия smarteka или она не завершена"
            ),
        )
    })?;
    let m: Manifest = serde_json::from_slice(&text)
        .map_err(|e| bad(src, format!("опись {MANIFEST} не разобрана ({e})")))?;
    if m.format > FORMAT {
        return Err(StoreError::TooNew {
            path: src.to_owned(),
            found: m.format,
        });
    }
    let trees = src.join(TREES);
    if hash_file(&trees).ok().as_deref() != Some(m.trees_sha256.as_str()) {
        return Err(bad(src, format!("{TREES} не совпадает с описью")));
    }
    let blobs = Blobs::new(src);
    for (sha, _) in &m.files {
        if hash_file(&blobs.path_of(sha)).ok().as_deref() != Some(sha.as_str()) {
            return Err(bad(src, format!("файл {sha} отсутствует или изменён")));
        }
    }
    Ok(m)
}

/// Restores the backup in `src` into `data` (a new or empty folder),
/// checks the result end to end and returns the manifest. A restored
/// store starts a new epoch, so clients that pulled more from the store
/// before it was lost pull again.
pub fn restore(src: &Path, data: &Path, mut progress: impl FnMut(&str)) -> Result<Manifest> {
    if data.join("db").exists() {
        return Err(StoreError::RestoreTarget(data.to_owned()));
    }
    super::is_store_dir(data)?;
    progress("проверка копии");
    let m = verify(src)?;
    // The mark of a store whose records were removed: not this store's.
    match std::fs::remove_file(super::mark::path(data)) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e.into()),
    }
    progress("записи");
    {
        let store = Store::open(data)?;
        let _gate = store.write_gate();
        let mut input = zstd::stream::Decoder::new(BufReader::new(File::open(src.join(TREES))?))?;
        for t in &store.trees {
            t.clear()?;
        }
        while let Some(name) = read_frame(&mut input)? {
            let (Some(k), Some(v)) = (read_frame(&mut input)?, read_frame(&mut input)?) else {
                return Err(bad(src, format!("{TREES} оборван")));
            };
            let i = TREE_NAMES
                .iter()
                .position(|n| n.as_bytes() == name.as_slice())
                .ok_or_else(|| bad(src, "неизвестное дерево в копии"))?;
            store.trees[i].insert(k, v)?;
        }
        store.db.flush()?;
        let have = store.measure()?;
        store.mark.reset(&have)?;
        *store.counts_lock() = have;
    }
    progress("файлы");
    let from = Blobs::new(src);
    let to = Blobs::new(data);
    let mut made = std::collections::BTreeSet::new();
    for (sha, _) in &m.files {
        let copy = to.path_of(sha);
        if let Some(p) = copy.parent()
            && made.insert(p.to_owned())
        {
            std::fs::create_dir_all(p)?;
        }
        std::fs::copy(from.path_of(sha), &copy)?;
        File::open(&copy)?.sync_all()?;
    }
    for folder in &made {
        sync_dir(folder)?;
    }
    if !made.is_empty() {
        sync_dir(&data.join("blobs"))?;
    }
    sync_dir(data)?;
    progress("проверка");
    let store = Store::open(data)?;
    store.new_epoch()?;
    let report = store.check(|_| {})?;
    if !report.is_ok() {
        return Err(bad(data, report.problems.join("; ")));
    }
    let have = store.high_water();
    if have.seq != m.seq || store.audit_head()?.1 != m.audit_head {
        return Err(bad(
            data,
            "восстановленное хранилище не совпадает с описью копии",
        ));
    }
    Ok(m)
}

/// `smarteka-ГГГГММДД-ЧЧММСС`, as the scheduler names its backups.
fn is_scheduled_name(name: &str) -> bool {
    let Some(rest) = name.strip_prefix("smarteka-") else {
        return false;
    };
    let b = rest.as_bytes();
    b.len() == 15
        && b[8] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 8 || c.is_ascii_digit())
}

/// When the newest scheduled backup in `dir` was made, if there is one.
pub fn newest_scheduled(dir: &Path) -> Option<DateTime<Utc>> {
    let newest = scheduled(dir).pop()?;
    let text = std::fs::read(newest.join(MANIFEST)).ok()?;
    serde_json::from_slice::<Manifest>(&text)
        .ok()
        .map(|m| m.created)
}

/// The backups in `dir` made by the scheduler (`smarteka-ГГГГММДД-ЧЧММСС`),
/// oldest first.
pub fn scheduled(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(is_scheduled_name)
                && p.join(MANIFEST).is_file()
        })
        .collect();
    out.sort();
    out
}

/// Makes a scheduled backup in `dir` named by `now` and removes the
/// oldest beyond `keep`. Returns the new backup's path.
pub fn scheduled_backup(
    store: &Store,
    dir: &Path,
    keep: usize,
    now: DateTime<Utc>,
) -> Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let dest = dir.join(format!("smarteka-{}", now.format("%Y%m%d-%H%M%S")));
    store.backup(&dest, |_| {})?;
    let all = scheduled(dir);
    let extra = all.len().saturating_sub(keep.max(1));
    for old in &all[..extra] {
        std::fs::remove_dir_all(old)?;
    }
    Ok(dest)
}

#[cfg(test)]
mod tests;
