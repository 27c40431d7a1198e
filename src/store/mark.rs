//! The store's high-water mark, kept outside sled's log: the last committed
//! change and how many records of each kind the store held then. It is
//! written durably after every commit, in one of two slots in turn, each
//! with its own checksum, so a write torn by a crash leaves the other slot
//! whole. On open a store that holds less than its mark says is refused:
//! sled's recovery may cut a damaged log short and report success, and
//! without the mark that loss would pass unnoticed.

use std::fs::{File, OpenOptions};
use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::os::unix::fs::FileExt as _;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

const MAGIC: &[u8; 8] = b"SMKMARK1";
const SLOT: usize = 64;
/// Fields after the magic: seq, practices, users, applications, events.
const FIELDS: usize = 5;

/// What a store held after a commit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Mark {
    pub seq: u64,
    pub practices: u64,
    pub users: u64,
    pub applications: u64,
    pub events: u64,
}

impl Mark {
    fn encode(&self) -> [u8; SLOT] {
        let mut b = [0u8; SLOT];
        b[..8].copy_from_slice(MAGIC);
        let vals = [
            self.seq,
            self.practices,
            self.users,
            self.applications,
            self.events,
        ];
        for (i, v) in vals.iter().enumerate() {
            b[8 + i * 8..16 + i * 8].copy_from_slice(&v.to_be_bytes());
        }
        let end = 8 + FIELDS * 8;
        let sum = Sha256::digest(&b[..end]);
        b[end..end + 8].copy_from_slice(&sum[..8]);
        b
    }

    fn decode(b: &[u8]) -> Option<Self> {
        let end = 8 + FIELDS * 8;
        if b.len() < end + 8 || &b[..8] != MAGIC {
            return None;
        }
        let sum = Sha256::digest(&b[..end]);
        if b[end..end + 8] != sum[..8] {
            return None;
        }
        let v = |i: usize| {
            let mut x = [0u8; 8];
            x.copy_from_slice(&b[8 + i * 8..16 + i * 8]);
            u64::from_be_bytes(x)
        };
        Some(Self {
            seq: v(0),
            practices: v(1),
            users: v(2),
            applications: v(3),
            events: v(4),
        })
    }

    /// What this mark has more of than `have`, in Russian; empty when
    /// `have` holds at least as much.
    pub fn losses(&self, have: &Mark) -> Vec<String> {
        let mut out = Vec::new();
        let mut cmp = |what: &str, had: u64, now: u64| {
            if now < had {
                out.push(format!("{what}: {now} из {had}"));
            }
        };
        cmp("изменений", self.seq, have.seq);
        cmp("практик", self.practices, have.practices);
        cmp("пользователей", self.users, have.users);
        cmp("заявок", self.applications, have.applications);
        cmp("мероприятий", self.events, have.events);
        out
    }
}

/// The mark file of a store directory.
pub fn path(dir: &Path) -> PathBuf {
    dir.join("store.mark")
}

/// The newest whole mark, if the file has one.
pub fn read(dir: &Path) -> std::io::Result<Option<Mark>> {
    let mut f = match File::open(path(dir)) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut b = Vec::new();
    f.read_to_end(&mut b)?;
    let a = b.get(..SLOT).and_then(Mark::decode);
    let c = b.get(SLOT..2 * SLOT).and_then(Mark::decode);
    Ok(match (a, c) {
        (Some(x), Some(y)) => Some(if y.seq > x.seq { y } else { x }),
        (x, y) => x.or(y),
    })
}

/// The open mark file: each write goes to the slot of the seq's parity and
/// is synced before the commit returns.
#[derive(Debug)]
pub struct MarkFile {
    file: File,
}

impl MarkFile {
    pub fn open(dir: &Path) -> std::io::Result<Self> {
        let p = path(dir);
        let existed = p.exists();
        let mut file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&p)?;
        if !existed {
            file.seek(SeekFrom::Start(0))?;
            file.write_all(&[0u8; 2 * SLOT])?;
            file.sync_all()?;
            File::open(dir)?.sync_all()?;
        }
        Ok(Self { file })
    }

    /// Sets both slots to `m`, durably: for a mark that goes back (a loss
    /// accepted, a store restored), which the newer slot would outvote.
    pub fn reset(&self, m: &Mark) -> std::io::Result<()> {
        let b = m.encode();
        self.file.write_all_at(&b, 0)?;
        self.file.write_all_at(&b, SLOT as u64)?;
        self.file.sync_data()
    }

    /// Writes `m` durably.
    pub fn write(&self, m: &Mark) -> std::io::Result<()> {
        let slot = (m.seq % 2) * SLOT as u64;
        self.file.write_all_at(&m.encode(), slot)?;
        self.file.sync_data()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_whole_slot_wins_and_a_torn_one_is_ignored() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert_eq!(read(dir.path()).expect("reads"), None);
        let f = MarkFile::open(dir.path()).expect("opens");
        let m = |seq| Mark {
            seq,
            practices: seq * 2,
            ..Mark::default()
        };
        f.write(&m(7)).expect("writes");
        f.write(&m(8)).expect("writes");
        assert_eq!(read(dir.path()).expect("reads"), Some(m(8)));
        // Tear the newer slot: the older one is still whole.
        let mut bytes = std::fs::read(path(dir.path())).expect("reads");
        bytes[20] ^= 0xff;
        std::fs::write(path(dir.path()), &bytes).expect("writes");
        assert_eq!(read(dir.path()).expect("reads"), Some(m(7)));
        assert_eq!(
            m(7).losses(&m(3)),
            vec![
                "изменений: 3 из 7".to_owned(),
                "практик: 6 из 14".to_owned()
            ]
        );
        assert!(m(3).losses(&m(7)).is_empty());
    }
}
