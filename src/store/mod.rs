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
pub use recent::Recent;

mod applications;
mod audit;
mod commit;
mod conflicts;
mod durable;
mod feed;
mod mail;
mod open;
mod outbox;
mod practices;
mod recent;
mod rows;
mod selections;
mod sessions;
mod users;
mod views;

use std::fs::File;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sled::transaction::TransactionError;
use uuid::Uuid;

use crate::domain::command::Revision;
use crate::domain::eligibility::Leader;
use crate::domain::workflow::Transition;
use crate::domain::{Practice, PracticeId, User, UserId};

pub use codec::CodecError;
pub use durable::Deferred;
pub use mail::OutMail;
use open::is_store_dir;
pub use open::may_hold_store;

/// The layout version of the store. Bump it and add a step to
/// [`migrate`] when the trees or keys change.
pub const FORMAT: u32 = 7;

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
    /// A region's page (§2.2.1).
    Region(Box<crate::domain::regions::RegionPage>),
    /// A strategic partner (§2.2.4–2.2.5).
    Partner(Box<crate::domain::selection::Partner>),
    /// A selection «Отбор» (§3.2.5–3.2.7).
    Selection(Box<crate::domain::selection::Selection>),
    /// An application to a selection, with its experts' scores.
    Entry(Box<crate::domain::selection::Entry>),
    /// A session of the Клуб стратегических инициатив (§4.4.9).
    Club(Box<crate::domain::club::ClubSession>),
    /// A partner's recommendation of a practice (§3.2.2); one per practice.
    Recommendation(Box<crate::domain::selection::Recommendation>),
    /// A user's saved views (their queries).
    Views(Box<crate::domain::query::Views>),
    /// An account's SSH keys (central instance only).
    SshKeys(Box<crate::domain::keys::SshKeys>),
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
            Self::Region(r) => {
                EntityRef::Region(crate::domain::regions::key_of(&r.code).unwrap_or_default())
            }
            Self::Partner(p) => EntityRef::Partner(p.id),
            Self::Selection(s) => EntityRef::Selection(s.id),
            Self::Entry(e) => EntityRef::Entry(e.selection, e.practice),
            Self::Club(c) => EntityRef::Club(c.id),
            Self::Recommendation(r) => EntityRef::Recommendation(r.practice),
            Self::Views(v) => EntityRef::Views(v.user),
            Self::SshKeys(k) => EntityRef::SshKeys(k.user),
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
    /// A region's page, by the region's code as a number.
    Region(u16),
    Partner(Uuid),
    Selection(Uuid),
    /// An application: the selection and the practice.
    Entry(Uuid, PracticeId),
    Club(Uuid),
    /// A practice's recommendation by a partner.
    Recommendation(PracticeId),
    /// A user's saved views.
    Views(UserId),
    /// An account's SSH keys.
    SshKeys(UserId),
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
            Self::Region(code) => format!("страница региона {code:02}"),
            Self::Partner(id) => format!("партнёр {id}"),
            Self::Selection(id) => format!("отбор {id}"),
            Self::Entry(s, p) => format!("заявка практики {p} на отбор {s}"),
            Self::Club(id) => format!("заседание Клуба {id}"),
            Self::Recommendation(id) => format!("рекомендация практики {id}"),
            Self::Views(id) => format!("сохранённые виды пользователя {id}"),
            Self::SshKeys(id) => format!("ключи SSH пользователя {id}"),
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
    /// When the change was made, by the caller's clock (the service
    /// context's); else the machine's.
    pub at: Option<chrono::DateTime<chrono::Utc>>,
    /// Server: mail the change sends besides its notices (an e-mailed
    /// code), queued in the same transaction.
    pub mail: Vec<OutMail>,
    /// Server: the day whose reminders this change sent.
    pub reminded: Option<chrono::NaiveDate>,
    /// Client: the practices written are rows of the catalogue, their
    /// passports still to come ([`Store::is_row_only`]).
    pub rows: bool,
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
            at: None,
            mail: Vec::new(),
            reminded: None,
            rows: false,
        }
    }

    /// The change as made at `at`.
    #[must_use]
    pub fn at(mut self, at: chrono::DateTime<chrono::Utc>) -> Self {
        self.at = Some(at);
        self
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
/// Server: mail to send, written in the commit that caused it and
/// removed once delivered: change seq + index.
const MAIL: usize = 21;
/// Region pages by region code (§2.2.1).
const REGIONS: usize = 22;
/// Strategic partners by id (§2.2.4).
const PARTNERS: usize = 24;
/// Selections by id (§3.2.5).
const SELECTIONS: usize = 25;
/// Applications to selections: selection id ++ practice id.
const ENTRIES: usize = 26;
/// Sessions of the Клуб стратегических инициатив by id (§4.4.9).
const CLUB: usize = 27;
/// Partners' recommendations of practices by practice id (§3.2.2).
const RECOMMENDATIONS: usize = 28;
/// Users' saved views by user id.
const VIEWS: usize = 29;
/// Server: the SSH keys of each account, by user id.
const SSH_KEYS: usize = 30;
/// Server: who uploaded a file: SHA-256 (hex) + user id.
const BLOB_OWNERS: usize = 31;
/// Client: ops the server acknowledged, kept a while so they can be sent
/// again to a server restored from a backup.
const SENT: usize = 32;
/// What the queues read of a practice (`queue::view`): the workflow and
/// the few passport fields the rules of a stage look at, small enough to
/// decode by the thousand.
const QUEUE_VIEWS: usize = 23;
const TREE_NAMES: [&str; 33] = [
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
    "mail",
    "regions",
    "queue_views",
    "partners",
    "selections",
    "entries",
    "club_sessions",
    "recommendations",
    "views",
    "ssh_keys",
    "blob_owners",
    "sent",
];

const KEY_CLIENT: &[u8] = b"client_id";
const KEY_OP_SEQ: &[u8] = b"op_seq";
const KEY_CURSOR: &[u8] = b"pull_cursor";
const KEY_EPOCH: &[u8] = b"epoch";
const KEY_SERVER_EPOCH: &[u8] = b"server_epoch";
const KEY_SEEN_HEAD: &[u8] = b"seen_audit_head";
/// Server: the last day reminders were sent for.
const KEY_REMINDED: &[u8] = b"reminded_on";
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
        EntityRef::Region(code) => [&[b'r'][..], &code.to_be_bytes()[..]].concat(),
        EntityRef::Partner(id) => [&[b'P'][..], id.as_bytes()].concat(),
        EntityRef::Selection(id) => [&[b'S'][..], id.as_bytes()].concat(),
        EntityRef::Entry(s, p) => [&[b'E'][..], s.as_bytes(), p.as_bytes()].concat(),
        EntityRef::Club(id) => [&[b'C'][..], id.as_bytes()].concat(),
        EntityRef::Recommendation(id) => [&[b'R'][..], id.as_bytes()].concat(),
        EntityRef::Views(id) => [&[b'V'][..], id.as_bytes()].concat(),
        EntityRef::SshKeys(id) => [&[b'K'][..], id.as_bytes()].concat(),
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
        b'r' => EntityRef::Region(u16::from_be_bytes(rest.try_into().ok()?)),
        b'P' => EntityRef::Partner(id()?),
        b'S' => EntityRef::Selection(id()?),
        b'C' => EntityRef::Club(id()?),
        b'R' => EntityRef::Recommendation(id()?),
        b'V' => EntityRef::Views(id()?),
        b'K' => EntityRef::SshKeys(id()?),
        b'E' if rest.len() == 32 => EntityRef::Entry(
            Uuid::from_slice(&rest[..16]).ok()?,
            Uuid::from_slice(&rest[16..]).ok()?,
        ),
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
    /// The high-water mark, written after every flush of commits.
    mark: mark::MarkFile,
    /// What the store holds now, for the mark.
    counts: std::sync::Mutex<mark::Mark>,
    /// Held by every write and by a backup, so a backup is one moment.
    gate: std::sync::Mutex<()>,
    /// Group commit: which change is on disk, and the flush running.
    flushes: durable::Flushes,
    /// Server: notices are also sent by mail.
    mailing: std::sync::atomic::AtomicBool,
    /// Client: some practices are rows whose passports are still to come.
    rows_only: std::sync::atomic::AtomicBool,
    /// The latest changes, for the news of a push or a long-poll.
    recent: recent::RecentChanges,
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
        Record::Revision(_)
        | Record::Leaders { .. }
        | Record::Event(_)
        | Record::Region(_)
        | Record::Partner(_)
        | Record::Selection(_)
        | Record::Entry(_)
        | Record::Club(_)
        | Record::Recommendation(_)
        | Record::Views(_)
        | Record::SshKeys(_) => {}
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

/// `h`, the client, the op seq: the SHA-256 of the op applied under it.
fn op_hash_key(client: Uuid, seq: u64) -> Vec<u8> {
    [b"h".as_slice(), client.as_bytes(), &seq.to_be_bytes()].concat()
}

/// `o`, the client: the user the client id belongs to.
fn owner_key(client: Uuid) -> Vec<u8> {
    [b"o".as_slice(), client.as_bytes()].concat()
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

impl Store {
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

    /// The high-water mark as the store holds it now.
    pub fn high_water(&self) -> mark::Mark {
        *self.counts_lock()
    }

    pub fn dir(&self) -> &Path {
        &self.dir
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
    } else if from < 5 {
        // Users first: the later steps read them in the new shape.
        migrate::to_5(store)?;
    }
    // Practices next: format 4's file index reads them in the new shape.
    if from < 6 {
        migrate::to_6(store)?;
    }
    // Format 3 adds the replication trees (applications, events, steps),
    // created empty on open, and new record and change kinds that older
    // versions cannot read: nothing to convert.
    if from < 4 {
        migrate::to_4(store)?;
    }
    if from < 7 {
        migrate::to_7(store)?;
    }
    Ok(())
}

mod migrate;

#[cfg(test)]
mod migrate_tests;
#[cfg(test)]
mod tests;
