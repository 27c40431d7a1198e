//! The embedded store: sled trees with typed access.
//!
//! Every change goes through [`Store::commit`], which writes the records,
//! one audit entry (who, when, what) and one change-log entry with the next
//! sequence number in a single sled transaction, then flushes before it
//! returns. A second process on the same directory is refused by an
//! exclusive lock file with a Russian message.

pub mod backup;
pub mod blobs;
pub mod check;
pub mod codec;
pub mod credentials;
pub mod mark;
pub mod watch;

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
pub const FORMAT: u32 = 4;

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
    #[error("{}", sled_ru(.0))]
    Sled(sled::Error),
    #[error("Ошибка хранилища: {0}")]
    Codec(#[from] CodecError),
    #[error("Ошибка чтения или записи: {}", io_ru(.0))]
    Io(#[from] std::io::Error),
    #[error("Логин «{0}» уже занят.")]
    LoginTaken(String),
    /// A create-like change named a record that exists already.
    #[error("Запись с таким идентификатором уже есть ({0}): новая запись не может её заменить.")]
    Exists(String),
    #[error(
        "Хранилище «{path}» повреждено: {detail}. Восстановите его из резервной копии (smarteka restore КОПИЯ --data НОВЫЙ_КАТАЛОГ) или, если это рабочее место, связанное с сервером, выполните smarteka sync repair — данные будут получены с сервера заново, уцелевшие неотправленные изменения сохранятся."
    )]
    Damaged { path: PathBuf, detail: String },
    #[error(
        "В хранилище «{path}» меньше данных, чем было записано: {detail}. Часть данных утрачена (повреждён журнал хранилища). Восстановите его из резервной копии (smarteka restore КОПИЯ --data НОВЫЙ_КАТАЛОГ) или, если это рабочее место, связанное с сервером, выполните smarteka sync repair — данные будут получены с сервера заново, уцелевшие неотправленные изменения сохранятся."
    )]
    Lost { path: PathBuf, detail: String },
    #[error(
        "Резервная копия «{path}» не годится: {detail}. Возьмите другую копию; эту не восстанавливайте."
    )]
    BadBackup { path: PathBuf, detail: String },
    #[error(
        "Каталог «{0}» не пуст: резервную копию делают в новый или пустой каталог. Укажите другой."
    )]
    BackupTarget(PathBuf),
    #[error(
        "В каталоге «{0}» уже есть хранилище: восстанавливают только в новый или пустой каталог. Укажите другой: --data КАТАЛОГ."
    )]
    RestoreTarget(PathBuf),
    #[error(
        "Каталог «{0}» не пуст и не похож на хранилище smarteka. Укажите пустой каталог или каталог хранилища: --data КАТАЛОГ."
    )]
    NotAStore(PathBuf),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

impl From<sled::Error> for StoreError {
    /// sled's own words are logged here, once: the user reads Russian.
    fn from(e: sled::Error) -> Self {
        tracing::warn!(error = %e, "store");
        Self::Sled(e)
    }
}

/// An input/output error in Russian, by its kind.
pub fn io_ru(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::NotFound => "файл или каталог не найден".to_owned(),
        K::PermissionDenied => "нет прав доступа".to_owned(),
        K::StorageFull => "на диске нет места".to_owned(),
        K::ReadOnlyFilesystem => "файловая система только для чтения".to_owned(),
        K::AlreadyExists => "файл уже есть".to_owned(),
        K::DirectoryNotEmpty => "каталог не пуст".to_owned(),
        _ => format!(
            "ошибка ввода-вывода (код {})",
            e.raw_os_error().unwrap_or(-1)
        ),
    }
}

/// sled's error, said in Russian (its own words go to the log).
fn sled_ru(e: &sled::Error) -> String {
    const RESTORE: &str = "Восстановите хранилище из резервной копии (smarteka restore КОПИЯ --data НОВЫЙ_КАТАЛОГ) или, на рабочем месте, связанном с сервером, выполните smarteka sync repair.";
    match e {
        sled::Error::Corruption { .. } => {
            format!("Хранилище повреждено: запись не читается. {RESTORE}")
        }
        sled::Error::Unsupported(_) => {
            format!("Служебный файл хранилища db/conf повреждён или не подходит. {RESTORE}")
        }
        sled::Error::Io(io) => format!("Ошибка чтения или записи хранилища: {}", io_ru(io)),
        sled::Error::ReportableBug(_) => format!("Внутренняя ошибка хранилища. {RESTORE}"),
        sled::Error::CollectionNotFound(_) => format!("В хранилище нет нужного раздела. {RESTORE}"),
    }
}

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

impl EntityRef {
    /// The record in Russian, with its id.
    pub fn name(&self) -> String {
        match self {
            Self::User(id) => format!("пользователь {id}"),
            Self::Practice(id) => format!("практика {id}"),
            Self::Leaders(y) => format!("списки лидеров {y} года"),
            Self::Application(id) => format!("заявка {id}"),
            Self::Event(id) => format!("мероприятие {id}"),
        }
    }
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
    pub op: Option<crate::sync::protocol::OpKind>,
    /// Server: the client operation this change applies, with its result,
    /// recorded in the same transaction so a resent op is applied once.
    pub client_op: Option<ClientOp>,
    /// Records this change creates: the commit is refused if one exists.
    pub fresh: Vec<EntityRef>,
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
            fresh: Vec::new(),
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

/// Server: a client's op as applied — who sent it, its number, the answer
/// given and the SHA-256 of the op itself, so a different op under a number
/// already used is told apart from a resend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientOp {
    pub client: Uuid,
    pub seq: u64,
    pub result: Vec<u8>,
    pub hash: Vec<u8>,
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
/// The audit chain: per change seq, SHA-256 of the previous link and the
/// encoded audit entry.
const CHAIN: usize = 19;
/// Which records name a file: SHA-256 (hex) + entity key.
const BLOB_REFS: usize = 20;
/// Server: who uploaded a file: SHA-256 (hex) + user id.
const BLOB_OWNERS: usize = 21;
/// Client: ops the server acknowledged, kept a while so they can be sent
/// again to a server restored from a backup.
const SENT: usize = 22;
const TREE_NAMES: [&str; 23] = [
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
    "chain",
    "blob_refs",
    "blob_owners",
    "sent",
];

const KEY_CLIENT: &[u8] = b"client_id";
const KEY_OP_SEQ: &[u8] = b"op_seq";
const KEY_CURSOR: &[u8] = b"pull_cursor";
const KEY_EPOCH: &[u8] = b"epoch";
const KEY_SERVER_EPOCH: &[u8] = b"server_epoch";
const KEY_SEEN_HEAD: &[u8] = b"seen_audit_head";
/// How many acknowledged ops a client keeps.
pub const SENT_KEPT: usize = 5000;

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

/// The record an [`entity_key`] names.
fn entity_of_key(k: &[u8]) -> Option<EntityRef> {
    let (tag, rest) = k.split_first()?;
    let id = || Uuid::from_slice(rest).ok();
    Some(match tag {
        b'u' => EntityRef::User(id()?),
        b'p' => EntityRef::Practice(id()?),
        b'a' => EntityRef::Application(id()?),
        b'e' => EntityRef::Event(id()?),
        b'l' => EntityRef::Leaders(i32::from_be_bytes(rest.try_into().ok()?)),
        _ => return None,
    })
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
    /// The high-water mark, written after every commit.
    mark: mark::MarkFile,
    /// What the store holds now, for the mark.
    counts: std::sync::Mutex<mark::Mark>,
    /// Held by every write and by a backup, so a backup is one moment.
    gate: std::sync::Mutex<()>,
    _lock: File,
}

/// How to open a store.
#[derive(Debug, Clone, Copy, Default)]
pub struct OpenFlags {
    /// Open a store that holds less than its mark says (`sync repair`
    /// rebuilds it from the server); the mark is set to what it holds.
    pub accept_loss: bool,
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

/// The files a record names: covers, materials, consents, stage
/// documents, a profile photo.
pub fn files_of(r: &Record) -> Vec<String> {
    let mut out = Vec::new();
    match r {
        Record::Practice(p) => {
            out = p.passport.files();
            out.extend(p.workflow.documents.iter().map(|d| d.sha256.clone()));
        }
        Record::Application(a) => out.extend(a.documents.iter().map(|d| d.sha256.clone())),
        Record::User(u) => out.extend(u.profile.photo.clone()),
        Record::Revision(_) | Record::Leaders { .. } | Record::Event(_) => {}
    }
    out.retain(|s| blobs::Blobs::is_sha256(s));
    out.sort();
    out.dedup();
    out
}

/// One link of the audit chain: SHA-256 of the previous link and the
/// encoded audit entry.
pub fn chain_link(prev: Option<&[u8]>, entry: &[u8]) -> Vec<u8> {
    use sha2::Digest as _;
    let mut h = sha2::Sha256::new();
    h.update(prev.unwrap_or(&[0u8; 32]));
    h.update(entry);
    h.finalize().to_vec()
}

/// The outcome of a sled transaction: its own refusal, or sled's error.
fn settled<T>(r: std::result::Result<T, TransactionError<StoreError>>) -> Result<T> {
    match r {
        Ok(v) => Ok(v),
        Err(TransactionError::Abort(e)) => Err(e),
        Err(TransactionError::Storage(e)) => Err(e.into()),
    }
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

/// `h`, the client, the op seq: the SHA-256 of the op applied under it.
fn op_hash_key(client: Uuid, seq: u64) -> Vec<u8> {
    [b"h".as_slice(), client.as_bytes(), &seq.to_be_bytes()].concat()
}

/// `o`, the client: the user the client id belongs to.
fn owner_key(client: Uuid) -> Vec<u8> {
    [b"o".as_slice(), client.as_bytes()].concat()
}

/// Entries a store directory may hold before it has a `db`: what the
/// program itself puts there before the store is first opened.
const OWN_ENTRIES: [&str; 7] = [
    "smarteka.lock",
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
fn is_store_dir(dir: &Path) -> Result<()> {
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

thread_local! {
    /// Set while a panic is expected and caught (sled on a damaged store):
    /// the panic hook stays silent.
    pub static QUIET_PANIC: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f`, turning a panic into an error with its message.
pub fn guarded<T>(f: impl FnOnce() -> T) -> std::result::Result<T, String> {
    QUIET_PANIC.with(|q| q.set(true));
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    QUIET_PANIC.with(|q| q.set(false));
    r.map_err(|p| {
        p.downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "внутренняя ошибка".to_owned())
    })
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
            _lock: lock,
        };
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

    fn counts_lock(&self) -> std::sync::MutexGuard<'_, mark::Mark> {
        self.counts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Held while writing: a backup waits for it.
    fn write_gate(&self) -> std::sync::MutexGuard<'_, ()> {
        self.gate
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// What the store holds now: its last change and its records. Reads
    /// every key of four trees, under a watch (a damaged page can make
    /// sled's iteration go round forever).
    fn measure(&self) -> Result<mark::Mark> {
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

    /// The high-water mark as the store holds it now.
    pub fn high_water(&self) -> mark::Mark {
        *self.counts_lock()
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
        let _gate = self.write_gate();
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
        let mut refs: Vec<Vec<u8>> = Vec::new();
        for r in &m.records {
            for sha in files_of(r) {
                refs.push([sha.as_bytes(), &entity_key(r.key())].concat());
            }
        }
        let fresh: Vec<(usize, Vec<u8>, EntityRef)> = m
            .fresh
            .iter()
            .filter_map(|e| {
                let (tree, key) = match e {
                    EntityRef::User(id) => (USERS, id.as_bytes().to_vec()),
                    EntityRef::Practice(id) => (PRACTICES, id.as_bytes().to_vec()),
                    EntityRef::Application(id) => (APPLICATIONS, id.as_bytes().to_vec()),
                    EntityRef::Event(id) => (EVENTS, id.as_bytes().to_vec()),
                    EntityRef::Leaders(_) => return None,
                };
                Some((tree, key, *e))
            })
            .collect();
        // New records, counted inside the transaction (it may run again).
        let added = std::cell::Cell::new([0u64; 4]);
        // The trees a commit writes (not the server's file owners nor the
        // client's journal of sent ops, which are written apart).
        let result = self.trees[..=BLOB_REFS].transaction(
            |tx: &Vec<TransactionalTree>| -> Result<u64, ConflictableTransactionError<StoreError>> {
                added.set([0; 4]);
                for (tree, key, e) in &fresh {
                    if tx[*tree].get(key.as_slice())?.is_some() {
                        return Err(ConflictableTransactionError::Abort(StoreError::Exists(
                            e.name(),
                        )));
                    }
                }
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
                    let before = tx[*tree].insert(key.as_slice(), value.as_slice())?;
                    let slot = match *tree {
                        PRACTICES => Some(0),
                        USERS => Some(1),
                        APPLICATIONS => Some(2),
                        EVENTS => Some(3),
                        _ => None,
                    };
                    if let (Some(i), None) = (slot, before) {
                        let mut a = added.get();
                        a[i] += 1;
                        added.set(a);
                    }
                }
                for k in &refs {
                    // Most edits name the files they named before.
                    if tx[BLOB_REFS].get(k.as_slice())?.is_none() {
                        tx[BLOB_REFS].insert(k.as_slice(), &[])?;
                    }
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
                let prev = match seq {
                    1 => None,
                    n => tx[CHAIN].get(u64_key(n - 1))?,
                };
                tx[CHAIN].insert(&u64_key(seq), chain_link(prev.as_deref(), &a).as_slice())?;
                tx[AUDIT].insert(&u64_key(seq), a)?;
                tx[CHANGES].insert(&u64_key(seq), c)?;
                if let Some(kind) = &m.op
                    && tx[META].get(KEY_CLIENT)?.is_some()
                {
                    let n = tx[META].get(KEY_OP_SEQ)?.map_or(0, |v| read_u64(&v)) + 1;
                    tx[META].insert(KEY_OP_SEQ, &u64_key(n))?;
                    let op = crate::sync::protocol::Op {
                        seq: n,
                        at,
                        kind: kind.clone(),
                    };
                    let bytes = codec::encode(&op)
                        .map_err(|e| ConflictableTransactionError::Abort(e.into()))?;
                    tx[OUTBOX].insert(&u64_key(n), bytes)?;
                }
                if let Some(op) = &m.client_op {
                    tx[CLIENTS].insert(op.client.as_bytes().as_slice(), &u64_key(op.seq))?;
                    tx[CLIENTS]
                        .insert(keyed(op.client.as_bytes(), op.seq), op.result.as_slice())?;
                    tx[CLIENTS].insert(op_hash_key(op.client, op.seq), op.hash.as_slice())?;
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
        let seq = settled(result)?;
        self.db.flush()?;
        let mut counts = self.counts_lock();
        let a = added.get();
        counts.seq = seq;
        counts.practices += a[0];
        counts.users += a[1];
        counts.applications += a[2];
        counts.events += a[3];
        // The change is committed and flushed: a mark that cannot be
        // written (a full disk) only lags behind, which never refuses a
        // whole store; the user is not told that a saved change failed.
        if let Err(e) = self.mark.write(&counts) {
            tracing::error!(error = %e, seq, "high-water mark not written");
        }
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
        let _gate = self.write_gate();
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
        let _gate = self.write_gate();
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
    pub fn outbox(&self) -> Result<Vec<crate::sync::protocol::Op>> {
        self.trees[OUTBOX]
            .iter()
            .values()
            .map(|v| Ok(codec::decode(&v?)?))
            .collect()
    }

    /// Drops operations the server has answered, durably. They are kept a
    /// while in the journal of sent ops (the newest [`SENT_KEPT`]), so that
    /// a server restored from an older backup can be sent them again.
    pub fn drop_ops(&self, seqs: &[u64]) -> Result<()> {
        let _gate = self.write_gate();
        let client = self.client_id()?.unwrap_or_default();
        let result = (&self.trees[OUTBOX], &self.trees[SENT]).transaction(|(out, sent)| {
            for s in seqs {
                if let Some(v) = out.remove(&u64_key(*s))? {
                    sent.insert([client.as_bytes().as_slice(), &u64_key(*s)].concat(), v)?;
                }
            }
            Ok::<_, ConflictableTransactionError<StoreError>>(())
        });
        settled(result)?;
        // Op numbers are gap-free: what is older than the newest SENT_KEPT
        // is a range of keys, removed without reading the rest.
        if let Some(newest) = seqs.iter().max()
            && let Some(cut) = newest.checked_sub(SENT_KEPT as u64)
        {
            let from = [client.as_bytes().as_slice(), &u64_key(0)].concat();
            let to = [client.as_bytes().as_slice(), &u64_key(cut + 1)].concat();
            for k in self.trees[SENT].range(from..to).keys() {
                self.trees[SENT].remove(k?)?;
            }
        }
        self.db.flush()?;
        Ok(())
    }

    /// Client: the acknowledged ops of `client` after its op `seq`, oldest
    /// first, from the journal of sent ops.
    pub fn sent_after(&self, client: Uuid, seq: u64) -> Result<Vec<crate::sync::protocol::Op>> {
        self.trees[SENT]
            .range([client.as_bytes().as_slice(), &u64_key(seq + 1)].concat()..)
            .take_while(|kv| {
                kv.as_ref()
                    .map_or(true, |(k, _)| k.starts_with(client.as_bytes()))
            })
            .map(|kv| Ok(codec::decode(&kv?.1)?))
            .collect()
    }

    /// Client: takes a new client id (`id`, or a new one) and queues under
    /// it, numbered from 1, the acknowledged ops to send again (`resend`)
    /// and then everything in the outbox — used when the server no longer
    /// knows this client's ops (a store restored from a copy, a server
    /// restored from a backup) or gave it another id. The outbox is read
    /// under the write gate, so a change saved meanwhile is not left out.
    /// Durable before it returns; returns the id and how many ops it queued.
    pub fn relink(
        &self,
        id: Option<Uuid>,
        resend: &[crate::sync::protocol::OpKind],
    ) -> Result<(Uuid, usize)> {
        let _gate = self.write_gate();
        let id = id.unwrap_or_else(Uuid::now_v7);
        let at = Utc::now();
        let mut ops: Vec<crate::sync::protocol::OpKind> = resend.to_vec();
        for v in self.trees[OUTBOX].iter().values() {
            ops.push(codec::decode::<crate::sync::protocol::Op>(&v?)?.kind);
        }
        let mut encoded = Vec::with_capacity(ops.len());
        for (i, kind) in ops.iter().enumerate() {
            let op = crate::sync::protocol::Op {
                seq: i as u64 + 1,
                at,
                kind: kind.clone(),
            };
            encoded.push(codec::encode(&op)?);
        }
        let queued: Vec<sled::IVec> = self.trees[OUTBOX].iter().keys().collect::<Result<_, _>>()?;
        let result = (&self.trees[META], &self.trees[OUTBOX]).transaction(|(meta, out)| {
            for k in &queued {
                out.remove(k)?;
            }
            for (i, bytes) in encoded.iter().enumerate() {
                out.insert(&u64_key(i as u64 + 1), bytes.as_slice())?;
            }
            meta.insert(KEY_CLIENT, id.as_bytes().as_slice())?;
            meta.insert(KEY_OP_SEQ, &u64_key(ops.len() as u64))?;
            Ok::<_, ConflictableTransactionError<StoreError>>(())
        });
        settled(result)?;
        self.db.flush()?;
        Ok((id, ops.len()))
    }

    /// Client: the server instance the pull cursor counts in (a server
    /// restored from a backup is another one).
    pub fn server_epoch(&self) -> Result<Option<Uuid>> {
        Ok(self.trees[META]
            .get(KEY_SERVER_EPOCH)?
            .and_then(|v| Uuid::from_slice(&v).ok()))
    }

    /// Server: this instance's epoch, made on first use and anew by a
    /// restore: clients that pulled from another epoch pull again.
    pub fn epoch(&self) -> Result<Uuid> {
        if let Some(e) = self.trees[META]
            .get(KEY_EPOCH)?
            .and_then(|v| Uuid::from_slice(&v).ok())
        {
            return Ok(e);
        }
        self.new_epoch()
    }

    /// Server: starts a new epoch (after a restore), durably.
    pub fn new_epoch(&self) -> Result<Uuid> {
        let _gate = self.write_gate();
        let id = Uuid::now_v7();
        self.trees[META].insert(KEY_EPOCH, id.as_bytes().as_slice())?;
        self.db.flush()?;
        Ok(id)
    }

    /// Client: the server epoch the pulled records came from.
    pub fn set_server_epoch(&self, epoch: Uuid) -> Result<()> {
        let _gate = self.write_gate();
        self.trees[META].insert(KEY_SERVER_EPOCH, epoch.as_bytes().as_slice())?;
        self.db.flush()?;
        Ok(())
    }

    /// Server: the user a client id belongs to.
    pub fn client_owner(&self, client: Uuid) -> Result<Option<UserId>> {
        Ok(self.trees[CLIENTS]
            .get(owner_key(client))?
            .and_then(|v| Uuid::from_slice(&v).ok()))
    }

    /// Server: gives a client id to a user, if it has no owner yet; returns
    /// its owner. Not flushed by itself: the first op's commit, which
    /// follows at once, makes it durable with the op; a registration lost
    /// to a crash before any op is made again by the next request.
    pub fn register_client(&self, client: Uuid, user: UserId) -> Result<UserId> {
        let _gate = self.write_gate();
        let prior = self.trees[CLIENTS].compare_and_swap(
            owner_key(client),
            None as Option<&[u8]>,
            Some(user.as_bytes().as_slice()),
        )?;
        match prior {
            Ok(()) => Ok(user),
            Err(e) => Ok(e
                .current
                .and_then(|v| Uuid::from_slice(&v).ok())
                .unwrap_or(user)),
        }
    }

    /// Server: the SHA-256 of the op applied under a client's number.
    pub fn client_op_hash(&self, client: Uuid, seq: u64) -> Result<Option<Vec<u8>>> {
        Ok(self.trees[CLIENTS]
            .get(op_hash_key(client, seq))?
            .map(|v| v.to_vec()))
    }

    /// The records that name a file.
    pub fn file_refs(&self, sha256: &str) -> Result<Vec<EntityRef>> {
        let mut out = Vec::new();
        for k in self.trees[BLOB_REFS].scan_prefix(sha256.as_bytes()).keys() {
            let k = k?;
            if let Some(e) = entity_of_key(&k[sha256.len()..]) {
                out.push(e);
            }
        }
        Ok(out)
    }

    /// Server: records that a user sent a whole file, durably.
    pub fn add_file_owner(&self, sha256: &str, user: UserId) -> Result<()> {
        let _gate = self.write_gate();
        self.trees[BLOB_OWNERS].insert([sha256.as_bytes(), user.as_bytes()].concat(), &[])?;
        self.db.flush()?;
        Ok(())
    }

    /// Server: whether a user sent this file.
    pub fn file_owned_by(&self, sha256: &str, user: UserId) -> Result<bool> {
        Ok(self.trees[BLOB_OWNERS].contains_key([sha256.as_bytes(), user.as_bytes()].concat())?)
    }

    /// The newest link of the audit chain and its change seq.
    pub fn audit_head(&self) -> Result<(u64, String)> {
        Ok(match self.trees[CHAIN].last()? {
            Some((k, v)) => (read_u64(&k), blobs::hex(&v)),
            None => (0, blobs::hex(&[0u8; 32])),
        })
    }

    /// The link of the audit chain at change `seq`, if there is one.
    pub fn audit_link(&self, seq: u64) -> Result<Option<String>> {
        Ok(self.trees[CHAIN].get(u64_key(seq))?.map(|v| blobs::hex(&v)))
    }

    /// Client: the server's audit head as last seen (its seq and link).
    pub fn seen_audit_head(&self) -> Result<Option<(u64, String)>> {
        Ok(self.trees[META]
            .get(KEY_SEEN_HEAD)?
            .and_then(|v| codec::decode(&v).ok()))
    }

    /// Client: remembers the server's audit head, durably.
    pub fn set_seen_audit_head(&self, seq: u64, head: &str) -> Result<()> {
        let _gate = self.write_gate();
        self.trees[META].insert(KEY_SEEN_HEAD, codec::encode(&(seq, head.to_owned()))?)?;
        self.db.flush()?;
        Ok(())
    }

    /// Checks the audit chain from the first entry: the seq of the first
    /// entry whose link does not follow from the one before and its own
    /// content, if any, and how many entries were checked.
    pub fn verify_chain(&self) -> Result<(Option<u64>, u64)> {
        let mut prev: Option<Vec<u8>> = None;
        let mut n = 0;
        for item in &self.trees[AUDIT] {
            let (k, v) = item?;
            let seq = read_u64(&k);
            n += 1;
            let link = self.trees[CHAIN].get(u64_key(seq))?;
            let want = chain_link(prev.as_deref(), &v);
            // Entries run 1, 2, 3…: a gap is an entry taken out.
            if seq != n || link.as_deref() != Some(want.as_slice()) {
                return Ok((Some(seq), n));
            }
            if codec::decode::<AuditEntry>(&v).map(|a| a.seq).ok() != Some(seq) {
                return Ok((Some(seq), n));
            }
            prev = Some(want);
        }
        if self.trees[CHAIN].len() as u64 != n {
            return Ok((Some(n + 1), n));
        }
        Ok((None, n))
    }

    /// Pulls everything again at the next sync (`sync repair`); changes
    /// waiting to be sent stay.
    pub fn reset_pull(&self) -> Result<()> {
        let _gate = self.write_gate();
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
        let _gate = self.write_gate();
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
    pub fn put_conflict(&self, c: &crate::sync::protocol::Conflict) -> Result<()> {
        let _gate = self.write_gate();
        let key = [c.practice.as_bytes().as_slice(), c.key.as_bytes()].concat();
        self.trees[CONFLICTS].insert(key, codec::encode(c)?)?;
        self.db.flush()?;
        Ok(())
    }

    /// Client: the conflicts and refusals not resolved yet.
    pub fn conflicts(&self) -> Result<Vec<crate::sync::protocol::Conflict>> {
        self.trees[CONFLICTS]
            .iter()
            .values()
            .map(|v| Ok(codec::decode(&v?)?))
            .collect()
    }

    /// Client: forgets a resolved conflict.
    pub fn drop_conflict(&self, c: &crate::sync::protocol::Conflict) -> Result<()> {
        let _gate = self.write_gate();
        let key = [c.practice.as_bytes().as_slice(), c.key.as_bytes()].concat();
        self.trees[CONFLICTS].remove(key)?;
        self.db.flush()?;
        Ok(())
    }

    /// Records a session under the hash of its token, durably.
    pub fn put_session(&self, token_hash: &[u8], s: &Session) -> Result<()> {
        let _gate = self.write_gate();
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

    /// Ends a session (sign-out), durably.
    pub fn drop_session(&self, token_hash: &[u8]) -> Result<()> {
        let _gate = self.write_gate();
        self.trees[SESSIONS].remove(token_hash)?;
        self.db.flush()?;
        Ok(())
    }

    /// Ends every session of a user but `keep`; returns how many ended.
    pub fn drop_sessions_of(&self, user: UserId, keep: Option<&[u8]>) -> Result<usize> {
        let _gate = self.write_gate();
        let mut n = 0;
        for item in &self.trees[SESSIONS] {
            let (k, v) = item?;
            let s: Session = codec::decode(&v)?;
            if s.user == user && keep != Some(k.as_ref()) {
                self.trees[SESSIONS].remove(k)?;
                n += 1;
            }
        }
        self.db.flush()?;
        Ok(n)
    }

    /// Forgets expired sessions; returns how many.
    pub fn purge_sessions(&self, now: DateTime<Utc>) -> Result<usize> {
        let _gate = self.write_gate();
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
    if from < 4 {
        migrate::to_4(store)?;
    }
    Ok(())
}

mod migrate;

#[cfg(test)]
mod tests;
