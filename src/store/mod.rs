//! The embedded store: sled trees with typed access.
//!
//! Every change goes through [`Store::commit`], which writes the records,
//! one audit entry (who, when, what) and one change-log entry with the next
//! sequence number in a single sled transaction, then flushes before it
//! returns. A second process on the same directory is refused by an
//! exclusive lock file with a Russian message.

pub mod blobs;
pub mod codec;

use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sled::Transactional as _;
use sled::transaction::{ConflictableTransactionError, TransactionError, TransactionalTree};
use uuid::Uuid;

use crate::domain::command::Revision;
use crate::domain::eligibility::Leader;
use crate::domain::workflow::Transition;
use crate::domain::{Practice, PracticeId, User, UserId};

pub use codec::CodecError;

/// The layout version of the store. Bump it and add a step to
/// [`migrate`] when the trees or keys change.
pub const FORMAT: u32 = 3;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "Хранилище «{0}» уже открыто другим процессом smarteka. Закройте ту программу или укажите другой каталог: --data КАТАЛОГ."
    )]
    Locked(PathBuf),
    #[error("Не удалось открыть хранилище «{path}»: {reason}")]
    Open { path: PathBuf, reason: String },
    #[error(
        "Хранилище «{path}» создано более новой версией smarteka (формат {found}, эта версия понимает до {FORMAT}). Обновите программу."
    )]
    TooNew { path: PathBuf, found: u32 },
    #[error("Ошибка хранилища: {0}")]
    Sled(#[from] sled::Error),
    #[error("Ошибка хранилища: {0}")]
    Codec(#[from] CodecError),
    #[error("Ошибка записи: {0}")]
    Io(#[from] std::io::Error),
    #[error("Логин «{0}» уже занят.")]
    LoginTaken(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A record the store keeps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Record {
    User(Box<User>),
    Practice(Box<Practice>),
    /// A saved state of a passport; belongs to its practice.
    Revision(Box<Revision>),
    /// A rating year's leader lists (§3.1.1); replaces that year's lists.
    Leaders {
        year: i32,
        leaders: Vec<Leader>,
    },
    /// An application to replicate a practice (R-1…R-7).
    Application(Box<crate::domain::replication::Application>),
    /// An event of §5.2 with the regions' interest.
    Event(Box<crate::domain::replication::Event>),
}

impl Record {
    pub fn key(&self) -> EntityRef {
        match self {
            Self::User(u) => EntityRef::User(u.id),
            Self::Practice(p) => EntityRef::Practice(p.id),
            Self::Revision(r) => EntityRef::Practice(r.practice),
            Self::Leaders { year, .. } => EntityRef::Leaders(*year),
            Self::Application(a) => EntityRef::Application(a.id),
            Self::Event(e) => EntityRef::Event(e.id),
        }
    }
}

/// Which record a change touched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EntityRef {
    User(UserId),
    Practice(PracticeId),
    Leaders(i32),
    Application(Uuid),
    Event(Uuid),
}

/// One change: the records it writes, who made it and what it was.
#[derive(Debug, Clone)]
pub struct Mutation {
    pub actor: Option<UserId>,
    /// A stable ASCII word for the kind of change («practice.create»).
    pub action: String,
    /// A Russian summary for the audit trail.
    pub summary: String,
    pub records: Vec<Record>,
    /// The workflow step, for the audit trail.
    pub transition: Option<Transition>,
    /// Users who find the change in their inbox.
    pub notify: Vec<UserId>,
    /// Client: the operation to send to the server, queued in the same
    /// transaction.
    pub op: Option<crate::sync::OpKind>,
    /// Server: the client operation this change applies, with its result,
    /// recorded in the same transaction so a resent op is applied once.
    pub client_op: Option<(Uuid, u64, Vec<u8>)>,
    /// Server: the revision of a practice this client's op produced, so
    /// the client's later ops do not conflict with its own earlier ones.
    pub client_rev: Option<(Uuid, PracticeId, u32)>,
    /// Client: pulled records — the new pull cursor and the server
    /// revision of each practice.
    pub pulled: Option<(u64, Vec<(PracticeId, u32)>)>,
    /// A replication step, for the application's timeline.
    pub step: Option<crate::domain::replication::Step>,
}

impl Mutation {
    pub fn new(actor: Option<UserId>, action: &str, summary: impl Into<String>) -> Self {
        Self {
            actor,
            action: action.to_owned(),
            summary: summary.into(),
            records: Vec::new(),
            transition: None,
            notify: Vec::new(),
            op: None,
            client_op: None,
            client_rev: None,
            pulled: None,
            step: None,
        }
    }

    #[must_use]
    pub fn with(mut self, r: Record) -> Self {
        self.records.push(r);
        self
    }
}

/// The audit trail: who, when, what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub actor: Option<UserId>,
    pub action: String,
    pub summary: String,
    pub entities: Vec<EntityRef>,
    /// From, to, comment and documents of a workflow step.
    pub transition: Option<Transition>,
}

/// An item of a user's inbox: a change that concerns them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub actor: Option<UserId>,
    pub practice: Option<PracticeId>,
    /// The practice's title at the time.
    pub title: String,
    pub text: String,
    pub read: bool,
}

/// The change log: what changed, in sequence; indexes and sync follow it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeEntry {
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub entities: Vec<EntityRef>,
}

// Tree order inside a transaction.
const META: usize = 0;
const USERS: usize = 1;
const LOGINS: usize = 2;
const PRACTICES: usize = 3;
const AUDIT: usize = 4;
const CHANGES: usize = 5;
const SUMMARIES: usize = 6;
const REVISIONS: usize = 7;
const LEADERS: usize = 8;
const AUDIT_INDEX: usize = 9;
const INBOX: usize = 10;
const SESSIONS: usize = 11;
/// Client: operations not yet accepted by the server, by op seq.
const OUTBOX: usize = 12;
/// Server: per client, the last applied op seq and each op's result.
const CLIENTS: usize = 13;
/// Client: the server revision each practice was last pulled at.
const SYNCED: usize = 14;
/// Client: conflicts and refusals the user has to see.
const CONFLICTS: usize = 15;
/// Replication applications by id.
const APPLICATIONS: usize = 16;
/// Events of §5.2 by id.
const EVENTS: usize = 17;
/// Replication steps by change seq (their timeline).
const STEPS: usize = 18;
const TREE_NAMES: [&str; 19] = [
    "meta",
    "users",
    "logins",
    "practices",
    "audit",
    "changes",
    "summaries",
    "revisions",
    "leaders",
    "audit_index",
    "inbox",
    "sessions",
    "outbox",
    "clients",
    "synced",
    "conflicts",
    "applications",
    "events",
    "steps",
];

const KEY_CLIENT: &[u8] = b"client_id";
const KEY_OP_SEQ: &[u8] = b"op_seq";
const KEY_CURSOR: &[u8] = b"pull_cursor";

/// A signed-in session of the central instance: the token itself is never
/// stored, only its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub user: UserId,
    pub created: DateTime<Utc>,
    pub expires: DateTime<Utc>,
}

fn entity_key(e: EntityRef) -> Vec<u8> {
    match e {
        EntityRef::User(id) => [&[b'u'][..], id.as_bytes()].concat(),
        EntityRef::Practice(id) => [&[b'p'][..], id.as_bytes()].concat(),
        EntityRef::Leaders(y) => [&[b'l'][..], &y.to_be_bytes()[..]].concat(),
        EntityRef::Application(id) => [&[b'a'][..], id.as_bytes()].concat(),
        EntityRef::Event(id) => [&[b'e'][..], id.as_bytes()].concat(),
    }
}

fn keyed(prefix: &[u8], seq: u64) -> Vec<u8> {
    [prefix, &seq.to_be_bytes()[..]].concat()
}

fn revision_key(practice: PracticeId, number: u32) -> Vec<u8> {
    let mut k = practice.as_bytes().to_vec();
    k.extend_from_slice(&number.to_be_bytes());
    k
}

/// What lists and queues show of a practice, kept beside each practice so
/// they never decode whole passports. Derived by [`Store::commit`].
pub use crate::domain::queue::Summary;

const KEY_FORMAT: &[u8] = b"format";
const KEY_SEQ: &[u8] = b"seq";

pub struct Store {
    dir: PathBuf,
    db: sled::Db,
    trees: Vec<sled::Tree>,
    _lock: File,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("dir", &self.dir).finish()
    }
}

/// `r`, the client, the practice, the revision its op produced.
fn own_revision_key(client: Uuid, practice: PracticeId, rev: u32) -> Vec<u8> {
    [
        b"r".as_slice(),
        client.as_bytes(),
        practice.as_bytes(),
        &rev.to_be_bytes(),
    ]
    .concat()
}

fn u64_key(n: u64) -> [u8; 8] {
    n.to_be_bytes()
}

fn read_u64(v: &[u8]) -> u64 {
    let mut b = [0u8; 8];
    let n = v.len().min(8);
    b[..n].copy_from_slice(&v[..n]);
    u64::from_be_bytes(b)
}

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
    match f.try_lock() {
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

impl Store {
    /// Opens (creating if needed) the store in `dir`.
    pub fn open(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|e| StoreError::Open {
            path: dir.to_owned(),
            reason: e.to_string(),
        })?;
        let lock = lock(dir)?;
        let db = sled::Config::new()
            .path(dir.join("db"))
            .cache_capacity(64 * 1024 * 1024)
            .open()
            .map_err(|e| StoreError::Open {
                path: dir.to_owned(),
                reason: e.to_string(),
            })?;
        let trees = TREE_NAMES
            .iter()
            .map(|n| db.open_tree(n))
            .collect::<Result<Vec<_>, _>>()?;
        let store = Self {
            dir: dir.to_owned(),
            db,
            trees,
            _lock: lock,
        };
        store.check_format()?;
        Ok(store)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
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

    /// The format version recorded in the store.
    pub fn format(&self) -> Result<u32> {
        Ok(self.trees[META]
            .get(KEY_FORMAT)?
            .map_or(0, |v| read_u64(&v) as u32))
    }

    /// The sequence number of the last committed change (0 when none).
    pub fn last_seq(&self) -> Result<u64> {
        Ok(self.trees[META].get(KEY_SEQ)?.map_or(0, |v| read_u64(&v)))
    }

    /// The one way to change the store: records, audit entry and change-log
    /// entry in one transaction, flushed to disk before returning the new
    /// sequence number.
    pub fn commit(&self, m: &Mutation) -> Result<u64> {
        let at = Utc::now();
        let mut entities: Vec<EntityRef> = Vec::new();
        for r in &m.records {
            let k = r.key();
            if !entities.contains(&k) {
                entities.push(k);
            }
        }
        // Encode outside the transaction: the closure may run more than once.
        let mut encoded = Vec::with_capacity(m.records.len());
        for r in &m.records {
            match r {
                Record::User(u) => {
                    encoded.push((USERS, u.id.as_bytes().to_vec(), codec::encode(u.as_ref())?));
                }
                Record::Practice(p) => {
                    let key = p.id.as_bytes().to_vec();
                    encoded.push((SUMMARIES, key.clone(), codec::encode(&Summary::of(p))?));
                    encoded.push((PRACTICES, key, codec::encode(p.as_ref())?));
                }
                Record::Revision(r) => encoded.push((
                    REVISIONS,
                    revision_key(r.practice, r.number),
                    codec::encode(r.as_ref())?,
                )),
                Record::Leaders { year, leaders } => encoded.push((
                    LEADERS,
                    year.to_be_bytes().to_vec(),
                    codec::encode(leaders)?,
                )),
                Record::Application(a) => encoded.push((
                    APPLICATIONS,
                    a.id.as_bytes().to_vec(),
                    codec::encode(a.as_ref())?,
                )),
                Record::Event(e) => {
                    encoded.push((EVENTS, e.id.as_bytes().to_vec(), codec::encode(e.as_ref())?));
                }
            }
        }
        let logins: Vec<(String, UserId)> = m
            .records
            .iter()
            .filter_map(|r| match r {
                Record::User(u) => Some((u.login.clone(), u.id)),
                _ => None,
            })
            .collect();

        let (practice, title) = m
            .records
            .iter()
            .find_map(|r| match r {
                Record::Practice(p) => Some((Some(p.id), p.passport.title.clone())),
                _ => None,
            })
            .unwrap_or_default();
        let result = self.trees.as_slice().transaction(
            |tx: &Vec<TransactionalTree>| -> Result<u64, ConflictableTransactionError<StoreError>> {
                for (login, id) in &logins {
                    if let Some(owner) = tx[LOGINS].get(login.as_bytes())?
                        && owner.as_ref() != id.as_bytes()
                    {
                        return Err(ConflictableTransactionError::Abort(StoreError::LoginTaken(
                            login.clone(),
                        )));
                    }
                    tx[LOGINS].insert(login.as_bytes(), id.as_bytes().as_slice())?;
                }
                for (tree, key, value) in &encoded {
                    tx[*tree].insert(key.as_slice(), value.as_slice())?;
                }
                let seq = tx[META].get(KEY_SEQ)?.map_or(0, |v| read_u64(&v)) + 1;
                tx[META].insert(KEY_SEQ, &u64_key(seq))?;
                let audit = AuditEntry {
                    seq,
                    at,
                    actor: m.actor,
                    action: m.action.clone(),
                    summary: m.summary.clone(),
                    entities: entities.clone(),
                    transition: m.transition.clone(),
                };
                for e in &entities {
                    tx[AUDIT_INDEX].insert(keyed(&entity_key(*e), seq), &[])?;
                }
                for user in &m.notify {
                    let notice = Notice {
                        seq,
                        at,
                        actor: m.actor,
                        practice,
                        title: title.clone(),
                        text: m.summary.clone(),
                        read: false,
                    };
                    let n = codec::encode(&notice)
                        .map_err(|e| ConflictableTransactionError::Abort(e.into()))?;
                    tx[INBOX].insert(keyed(user.as_bytes(), seq), n)?;
                }
                let change = ChangeEntry {
                    seq,
                    at,
                    entities: entities.clone(),
                };
                let a = codec::encode(&audit)
                    .map_err(|e| ConflictableTransactionError::Abort(e.into()))?;
                let c = codec::encode(&change)
                    .map_err(|e| ConflictableTransactionError::Abort(e.into()))?;
                tx[AUDIT].insert(&u64_key(seq), a)?;
                tx[CHANGES].insert(&u64_key(seq), c)?;
                if let Some(kind) = &m.op
                    && tx[META].get(KEY_CLIENT)?.is_some()
                {
                    let n = tx[META].get(KEY_OP_SEQ)?.map_or(0, |v| read_u64(&v)) + 1;
                    tx[META].insert(KEY_OP_SEQ, &u64_key(n))?;
                    let op = crate::sync::Op {
                        seq: n,
                        at,
                        kind: kind.clone(),
                    };
                    let bytes = codec::encode(&op)
                        .map_err(|e| ConflictableTransactionError::Abort(e.into()))?;
                    tx[OUTBOX].insert(&u64_key(n), bytes)?;
                }
                if let Some((client, n, result)) = &m.client_op {
                    tx[CLIENTS].insert(client.as_bytes().as_slice(), &u64_key(*n))?;
                    tx[CLIENTS].insert(keyed(client.as_bytes(), *n), result.as_slice())?;
                }
                if let Some((client, practice, rev)) = &m.client_rev {
                    tx[CLIENTS].insert(own_revision_key(*client, *practice, *rev), &[])?;
                }
                if let Some(step) = &m.step {
                    let bytes = codec::encode(step)
                        .map_err(|e| ConflictableTransactionError::Abort(e.into()))?;
                    tx[STEPS].insert(&u64_key(seq), bytes)?;
                }
                if let Some((cursor, synced)) = &m.pulled {
                    tx[META].insert(KEY_CURSOR, &u64_key(*cursor))?;
                    for (id, rev) in synced {
                        tx[SYNCED].insert(id.as_bytes().as_slice(), &rev.to_be_bytes())?;
                    }
                }
                Ok(seq)
            },
        );
        let seq = match result {
            Ok(seq) => seq,
            Err(TransactionError::Abort(e)) => return Err(e),
            Err(TransactionError::Storage(e)) => return Err(e.into()),
        };
        self.db.flush()?;
        Ok(seq)
    }

    pub fn user(&self, id: UserId) -> Result<Option<User>> {
        self.trees[USERS]
            .get(id.as_bytes())?
            .map(|v| codec::decode(&v))
            .transpose()
            .map_err(Into::into)
    }

    pub fn user_by_login(&self, login: &str) -> Result<Option<User>> {
        match self.trees[LOGINS].get(login.as_bytes())? {
            Some(id) => {
                let id = Uuid::from_slice(&id).map_err(|e| CodecError::Decode(e.to_string()))?;
                self.user(id)
            }
            None => Ok(None),
        }
    }

    pub fn users(&self) -> impl Iterator<Item = Result<User>> + '_ {
        self.trees[USERS]
            .iter()
            .values()
            .map(|v| Ok(codec::decode(&v?)?))
    }

    pub fn practice(&self, id: PracticeId) -> Result<Option<Practice>> {
        self.trees[PRACTICES]
            .get(id.as_bytes())?
            .map(|v| codec::decode(&v))
            .transpose()
            .map_err(Into::into)
    }

    /// The revisions of a practice, oldest first.
    pub fn revisions(&self, practice: PracticeId) -> Result<Vec<Revision>> {
        self.trees[REVISIONS]
            .scan_prefix(practice.as_bytes())
            .values()
            .map(|v| Ok(codec::decode(&v?)?))
            .collect()
    }

    /// One revision of a practice.
    pub fn revision(&self, practice: PracticeId, number: u32) -> Result<Option<Revision>> {
        self.trees[REVISIONS]
            .get(revision_key(practice, number))?
            .map(|v| codec::decode(&v))
            .transpose()
            .map_err(Into::into)
    }

    /// The leader lists of every imported rating year.
    pub fn leaders(&self) -> Result<Vec<Leader>> {
        let mut out = Vec::new();
        for v in self.trees[LEADERS].iter().values() {
            let year: Vec<Leader> = codec::decode(&v?)?;
            out.extend(year);
        }
        Ok(out)
    }

    /// The list summary of a practice.
    pub fn summary(&self, id: PracticeId) -> Result<Option<Summary>> {
        self.trees[SUMMARIES]
            .get(id.as_bytes())?
            .map(|v| codec::decode(&v))
            .transpose()
            .map_err(Into::into)
    }

    /// All practices, oldest first (ids are `UUIDv7`).
    pub fn practices(&self) -> impl Iterator<Item = Result<Practice>> + '_ {
        self.trees[PRACTICES]
            .iter()
            .values()
            .map(|v| Ok(codec::decode(&v?)?))
    }

    /// How many practices the store holds. Walks the whole tree: not for
    /// hot paths.
    pub fn practice_count(&self) -> usize {
        self.trees[PRACTICES].len()
    }

    /// Change-log entries after `seq`, in order.
    pub fn changes_since(&self, seq: u64) -> impl Iterator<Item = Result<ChangeEntry>> + '_ {
        self.trees[CHANGES]
            .range(u64_key(seq + 1)..)
            .values()
            .map(|v| Ok(codec::decode(&v?)?))
    }

    /// A replication application.
    pub fn application(&self, id: Uuid) -> Result<Option<crate::domain::replication::Application>> {
        self.trees[APPLICATIONS]
            .get(id.as_bytes())?
            .map(|v| codec::decode(&v))
            .transpose()
            .map_err(Into::into)
    }

    /// Every replication application.
    pub fn applications(&self) -> Result<Vec<crate::domain::replication::Application>> {
        self.trees[APPLICATIONS]
            .iter()
            .values()
            .map(|v| Ok(codec::decode(&v?)?))
            .collect()
    }

    /// An event of §5.2.
    pub fn event(&self, id: Uuid) -> Result<Option<crate::domain::replication::Event>> {
        self.trees[EVENTS]
            .get(id.as_bytes())?
            .map(|v| codec::decode(&v))
            .transpose()
            .map_err(Into::into)
    }

    /// Every event of §5.2.
    pub fn events(&self) -> Result<Vec<crate::domain::replication::Event>> {
        self.trees[EVENTS]
            .iter()
            .values()
            .map(|v| Ok(codec::decode(&v?)?))
            .collect()
    }

    /// The replication step a change made.
    pub fn step(&self, seq: u64) -> Result<Option<crate::domain::replication::Step>> {
        self.trees[STEPS]
            .get(u64_key(seq))?
            .map(|v| codec::decode(&v))
            .transpose()
            .map_err(Into::into)
    }

    /// The audit trail, oldest first.
    pub fn audit(&self) -> impl Iterator<Item = Result<AuditEntry>> + '_ {
        self.trees[AUDIT]
            .iter()
            .values()
            .map(|v| Ok(codec::decode(&v?)?))
    }

    /// The audit entries that touched one record, oldest first.
    pub fn audit_of(&self, e: EntityRef) -> Result<Vec<AuditEntry>> {
        let prefix = entity_key(e);
        let mut out = Vec::new();
        for k in self.trees[AUDIT_INDEX].scan_prefix(&prefix).keys() {
            let k = k?;
            let seq = read_u64(&k[prefix.len()..]);
            if let Some(v) = self.trees[AUDIT].get(u64_key(seq))? {
                out.push(codec::decode(&v)?);
            }
        }
        Ok(out)
    }

    /// All list summaries, oldest practice first.
    pub fn summaries(&self) -> impl Iterator<Item = Result<Summary>> + '_ {
        self.trees[SUMMARIES]
            .iter()
            .values()
            .map(|v| Ok(codec::decode(&v?)?))
    }

    /// A user's inbox, newest first.
    pub fn inbox(&self, user: UserId) -> Result<Vec<Notice>> {
        let mut out: Vec<Notice> = self.trees[INBOX]
            .scan_prefix(user.as_bytes())
            .values()
            .map(|v| Ok(codec::decode(&v?)?))
            .collect::<Result<_>>()?;
        out.reverse();
        Ok(out)
    }

    /// Marks the user's inbox as seen, durably.
    pub fn mark_read(&self, user: UserId) -> Result<()> {
        let mut batch = sled::Batch::default();
        let mut any = false;
        for item in self.trees[INBOX].scan_prefix(user.as_bytes()) {
            let (k, v) = item?;
            let mut n: Notice = codec::decode(&v)?;
            if !n.read {
                n.read = true;
                batch.insert(k, codec::encode(&n)?);
                any = true;
            }
        }
        if any {
            self.trees[INBOX].apply_batch(batch)?;
            self.db.flush()?;
        }
        Ok(())
    }

    /// This install's client id for sync, made on first use.
    pub fn link(&self) -> Result<Uuid> {
        if let Some(id) = self.client_id()? {
            return Ok(id);
        }
        let id = Uuid::now_v7();
        self.trees[META].insert(KEY_CLIENT, id.as_bytes().as_slice())?;
        self.db.flush()?;
        Ok(id)
    }

    /// The client id, once linked to a server.
    pub fn client_id(&self) -> Result<Option<Uuid>> {
        Ok(self.trees[META]
            .get(KEY_CLIENT)?
            .and_then(|v| Uuid::from_slice(&v).ok()))
    }

    /// Operations waiting for the server, oldest first.
    pub fn outbox(&self) -> Result<Vec<crate::sync::Op>> {
        self.trees[OUTBOX]
            .iter()
            .values()
            .map(|v| Ok(codec::decode(&v?)?))
            .collect()
    }

    /// Drops operations the server has answered, durably.
    pub fn drop_ops(&self, seqs: &[u64]) -> Result<()> {
        let mut b = sled::Batch::default();
        for s in seqs {
            b.remove(&u64_key(*s));
        }
        self.trees[OUTBOX].apply_batch(b)?;
        self.db.flush()?;
        Ok(())
    }

    /// Pulls everything again at the next sync (`sync repair`); changes
    /// waiting to be sent stay.
    pub fn reset_pull(&self) -> Result<()> {
        self.trees[META].insert(KEY_CURSOR, &u64_key(0))?;
        self.db.flush()?;
        Ok(())
    }

    /// The server sequence up to which changes were pulled.
    pub fn pull_cursor(&self) -> Result<u64> {
        Ok(self.trees[META]
            .get(KEY_CURSOR)?
            .map_or(0, |v| read_u64(&v)))
    }

    /// The server revision a practice was last pulled at.
    pub fn synced(&self, id: PracticeId) -> Result<Option<u32>> {
        Ok(self.trees[SYNCED].get(id.as_bytes())?.map(|v| {
            let mut b = [0u8; 4];
            b.copy_from_slice(&v[..4.min(v.len())]);
            u32::from_be_bytes(b)
        }))
    }

    /// Server: the last op seq applied for a client.
    pub fn client_last(&self, client: Uuid) -> Result<u64> {
        Ok(self.trees[CLIENTS]
            .get(client.as_bytes())?
            .map_or(0, |v| read_u64(&v)))
    }

    /// Server: the revisions of a practice this client's ops produced.
    pub fn own_revisions(
        &self,
        client: Uuid,
        practice: PracticeId,
    ) -> Result<std::collections::HashSet<u32>> {
        let prefix = own_revision_key(client, practice, 0);
        let prefix = &prefix[..prefix.len() - 4];
        self.trees[CLIENTS]
            .scan_prefix(prefix)
            .keys()
            .map(|k| {
                let k = k?;
                let mut b = [0u8; 4];
                b.copy_from_slice(&k[k.len() - 4..]);
                Ok(u32::from_be_bytes(b))
            })
            .collect()
    }

    /// Server: remembers that change `seq` was this client's own op, which
    /// left the practice as the client has it; the feed need not send it
    /// back. An optimisation only: if lost, the practice is sent again.
    pub fn put_client_echo(&self, client: Uuid, seq: u64) -> Result<()> {
        let key = [b"e".as_slice(), client.as_bytes(), &u64_key(seq)].concat();
        self.trees[CLIENTS].insert(key, &[])?;
        Ok(())
    }

    /// Server: whether change `seq` was this client's own clean op.
    pub fn is_client_echo(&self, client: Uuid, seq: u64) -> Result<bool> {
        let key = [b"e".as_slice(), client.as_bytes(), &u64_key(seq)].concat();
        Ok(self.trees[CLIENTS].contains_key(key)?)
    }

    /// Server: the recorded result of a client's op.
    pub fn client_result(&self, client: Uuid, seq: u64) -> Result<Option<Vec<u8>>> {
        Ok(self.trees[CLIENTS]
            .get(keyed(client.as_bytes(), seq))?
            .map(|v| v.to_vec()))
    }

    /// Client: keeps a conflict or refusal for the user, durably.
    pub fn put_conflict(&self, c: &crate::sync::Conflict) -> Result<()> {
        let key = [c.practice.as_bytes().as_slice(), c.key.as_bytes()].concat();
        self.trees[CONFLICTS].insert(key, codec::encode(c)?)?;
        self.db.flush()?;
        Ok(())
    }

    /// Client: the conflicts and refusals not resolved yet.
    pub fn conflicts(&self) -> Result<Vec<crate::sync::Conflict>> {
        self.trees[CONFLICTS]
            .iter()
            .values()
            .map(|v| Ok(codec::decode(&v?)?))
            .collect()
    }

    /// Client: forgets a resolved conflict.
    pub fn drop_conflict(&self, c: &crate::sync::Conflict) -> Result<()> {
        let key = [c.practice.as_bytes().as_slice(), c.key.as_bytes()].concat();
        self.trees[CONFLICTS].remove(key)?;
        self.db.flush()?;
        Ok(())
    }

    /// Records a session under the hash of its token, durably.
    pub fn put_session(&self, token_hash: &[u8], s: &Session) -> Result<()> {
        self.trees[SESSIONS].insert(token_hash, codec::encode(s)?)?;
        self.db.flush()?;
        Ok(())
    }

    /// The session of a token hash, if any (expired ones included: the
    /// caller decides).
    pub fn session(&self, token_hash: &[u8]) -> Result<Option<Session>> {
        self.trees[SESSIONS]
            .get(token_hash)?
            .map(|v| codec::decode(&v))
            .transpose()
            .map_err(Into::into)
    }

    /// Forgets expired sessions; returns how many.
    pub fn purge_sessions(&self, now: DateTime<Utc>) -> Result<usize> {
        let mut n = 0;
        for item in &self.trees[SESSIONS] {
            let (k, v) = item?;
            let s: Session = codec::decode(&v)?;
            if s.expires <= now {
                self.trees[SESSIONS].remove(k)?;
                n += 1;
            }
        }
        if n > 0 {
            self.db.flush()?;
        }
        Ok(n)
    }

    /// Bytes the store takes on disk.
    pub fn size_on_disk(&self) -> Result<u64> {
        Ok(self.db.size_on_disk()?)
    }
}

/// Brings a store of an older format up to [`FORMAT`], one step at a time.
fn migrate(store: &Store, from: u32) -> Result<()> {
    tracing::info!(from, to = FORMAT, dir = %store.dir.display(), "migrating store");
    if from < 2 {
        migrate::to_2(store)?;
    }
    // Format 3 adds the replication trees (applications, events, steps),
    // created empty on open, and new record and change kinds that older
    // versions cannot read: nothing to convert.
    Ok(())
}

mod migrate;

#[cfg(test)]
mod tests;
