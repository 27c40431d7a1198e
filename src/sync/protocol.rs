//! The sync protocol (GUIDE §4): a durable outbox of operations written in
//! the same transaction as the local change; a client id and a gap-free op
//! sequence so a resent op is applied once; edits per field with the server
//! revision the client started from, so edits of different fields merge and
//! concurrent edits of one field become a conflict the user resolves;
//! workflow transitions decided by the server; a paged change feed by
//! server sequence, filtered to what the user may read.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use std::path::PathBuf;

use crate::domain::passport::Field;
use crate::domain::{Passport, Practice, PracticeId, User};

/// One local change for the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Op {
    /// Gap-free per client, from 1.
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub kind: OpKind,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum OpKind {
    /// A new passport.
    Create {
        practice: PracticeId,
        passport: Box<Passport>,
    },
    /// New values of some fields, over the server revision `base` the
    /// client had pulled (0: never pulled).
    Edit {
        practice: PracticeId,
        base: u32,
        fields: Vec<Field>,
        passport: Box<Passport>,
    },
    /// A workflow step, decided by the server.
    Act {
        practice: PracticeId,
        action: String,
        comment: String,
        to: Vec<String>,
        level: Option<u8>,
        reason: Option<String>,
        /// The stage's documents, uploaded before the op is sent.
        #[serde(default)]
        documents: Vec<crate::domain::workflow::Document>,
    },
    /// «Хочу внедрить»: the application as the client made it; the server
    /// checks it again and keeps its id.
    Apply {
        application: Box<crate::domain::replication::Application>,
    },
    /// A step of a replication application, decided by the server.
    Replicate {
        application: Uuid,
        practice: PracticeId,
        action: String,
        comment: String,
        to: Option<String>,
        reason: Option<String>,
        report: Option<crate::domain::replication::ResultForm>,
        documents: Vec<crate::domain::workflow::Document>,
    },
    /// A new event of §5.2.
    Event {
        event: Box<crate::domain::replication::Event>,
    },
    /// A region's interest after an event.
    Interest {
        event: Uuid,
        region: String,
        practices: Vec<PracticeId>,
    },
    /// §4.1.3: the coordinator confirmed a user (`grant` false), or the
    /// Модератор АСИ granted them authoring (`grant` true).
    Authoring { login: String, grant: bool },
    /// A user's change of their own account: profile, consents, mail.
    Me {
        change: crate::domain::people::MeChange,
    },
    /// The Модератор АСИ's change of an account: roles, enabled, contacts.
    Manage {
        login: String,
        change: crate::domain::people::ManageChange,
    },
    /// A region's page as its coordinator saved it.
    Region {
        page: Box<crate::domain::regions::RegionPage>,
    },
    /// A practice put forward to a selection, with the yes/no criteria
    /// its author confirmed; the server's day decides the deadline.
    Enter {
        selection: Uuid,
        practice: PracticeId,
        confirmed: Vec<String>,
    },
    /// An expert's marks of an application, one per criterion.
    Score {
        selection: Uuid,
        practice: PracticeId,
        marks: Vec<u8>,
    },
    /// A strategic partner as the Модератор АСИ recorded it.
    Partner {
        partner: Box<crate::domain::selection::Partner>,
    },
    /// A selection as the Модератор АСИ recorded it.
    Selection {
        selection: Box<crate::domain::selection::Selection>,
    },
    /// The winners of a selection.
    Decide {
        selection: Uuid,
        winners: Vec<PracticeId>,
    },
    /// A Club session as the Agency planned it.
    Club {
        session: Box<crate::domain::club::ClubSession>,
    },
    /// The Club's word on one practice.
    ClubDecide {
        session: Uuid,
        practice: PracticeId,
        recommended: bool,
        argument: String,
    },
    /// The partner that recommended a practice (§3.2.2).
    Recommend {
        practice: PracticeId,
        partner: Uuid,
        letter: String,
    },
    /// One of the sender's saved views saved (a query) or deleted (none),
    /// applied to their views as the server has them.
    View { name: String, query: Option<String> },
}

impl OpKind {
    /// The files the op refers to: they go to the server before it.
    pub fn blobs(&self) -> Vec<String> {
        let mut out = Vec::new();
        match self {
            Self::Create { passport, .. } | Self::Edit { passport, .. } => out = passport.files(),
            Self::Act { documents, .. } | Self::Replicate { documents, .. } => {
                out.extend(documents.iter().map(|d| d.sha256.clone()));
            }
            Self::Me {
                change: crate::domain::people::MeChange::Profile(p),
            } => out.extend(p.photo.clone()),
            Self::Apply { .. }
            | Self::Event { .. }
            | Self::Interest { .. }
            | Self::Authoring { .. }
            | Self::Me { .. }
            | Self::Manage { .. }
            | Self::Region { .. }
            | Self::Enter { .. }
            | Self::Score { .. }
            | Self::Partner { .. }
            | Self::Selection { .. }
            | Self::Decide { .. }
            | Self::Club { .. }
            | Self::ClubDecide { .. }
            | Self::Recommend { .. }
            | Self::View { .. } => {}
        }
        out.sort();
        out.dedup();
        out
    }

    /// The kind's name, stable across versions.
    pub fn tag(&self) -> &'static str {
        match self {
            Self::Create { .. } => "create",
            Self::Edit { .. } => "edit",
            Self::Act { .. } => "act",
            Self::Apply { .. } => "apply",
            Self::Replicate { .. } => "replicate",
            Self::Event { .. } => "event",
            Self::Interest { .. } => "interest",
            Self::Authoring { .. } => "authoring",
            Self::Me { .. } => "me",
            Self::Manage { .. } => "manage",
            Self::Region { .. } => "region",
            Self::Enter { .. } => "enter",
            Self::Score { .. } => "score",
            Self::Partner { .. } => "partner",
            Self::Selection { .. } => "selection",
            Self::Decide { .. } => "decide",
            Self::Club { .. } => "club",
            Self::ClubDecide { .. } => "club-decide",
            Self::Recommend { .. } => "recommend",
            Self::View { .. } => "view",
        }
    }

    pub fn practice(&self) -> PracticeId {
        match self {
            Self::Create { practice, .. }
            | Self::Edit { practice, .. }
            | Self::Act { practice, .. }
            | Self::Replicate { practice, .. }
            | Self::Enter { practice, .. }
            | Self::Score { practice, .. }
            | Self::ClubDecide { practice, .. }
            | Self::Recommend { practice, .. } => *practice,
            Self::Apply { application } => application.practice,
            Self::Event { event } => event.practices.first().copied().unwrap_or_default(),
            Self::Interest { practices, .. } => practices.first().copied().unwrap_or_default(),
            Self::Authoring { .. }
            | Self::Me { .. }
            | Self::Manage { .. }
            | Self::Region { .. }
            | Self::Partner { .. }
            | Self::Selection { .. }
            | Self::Decide { .. }
            | Self::Club { .. }
            | Self::View { .. } => PracticeId::default(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PushRequest {
    pub client: Uuid,
    pub ops: Vec<Op>,
    /// The client's pull cursor: the reply says whether the feed after it
    /// holds news for the client, so a sync with none pulls nothing.
    #[serde(default)]
    pub since: Option<u64>,
    /// With `since`: the change whose audit link the client saw last time
    /// (see [`PullReply::audit_at`]).
    #[serde(default)]
    pub seen: Option<u64>,
}

/// What the server did with one op.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum OpResult {
    Applied,
    /// Some fields were changed on the server since `base` to other values:
    /// those were not applied (the others were).
    Conflict {
        fields: Vec<Field>,
        theirs: Box<Passport>,
        revision: u32,
    },
    /// Refused by the rules, with the reason.
    Rejected {
        reason: String,
    },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PushReply {
    pub results: Vec<(u64, OpResult)>,
    /// The last op of this client the server has applied.
    #[serde(default)]
    pub last: u64,
    /// When the request gave `since`: whether the feed after it holds a
    /// change the client may read and did not make, and the last change
    /// looked at.
    #[serde(default)]
    pub news: Option<News>,
    /// The server instance (see [`PullReply::epoch`]).
    #[serde(default)]
    pub epoch: Option<Uuid>,
    /// With `news`: the audit chain, as the last page of the feed gives
    /// it, so a sync that pulls nothing still notices a rewritten history.
    #[serde(default)]
    pub chain: Option<Chain>,
}

/// Where the server's audit chain stands: its head (the change and its
/// link), and the link at the change the client saw last time (`seen`),
/// so a client notices a rewritten history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chain {
    pub head: (u64, String),
    pub at: Option<String>,
}

/// A record of the change feed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Remote {
    Practice(Box<Practice>),
    /// A user as the reader may see them: never a password hash; contacts
    /// only within the reader's scope.
    User(Box<User>),
    Application(Box<crate::domain::replication::Application>),
    Event(Box<crate::domain::replication::Event>),
    /// A rating year's leader lists (§3.1.1): public, and what a
    /// submission by own initiative is checked against.
    Leaders {
        year: i32,
        leaders: Vec<crate::domain::eligibility::Leader>,
    },
    /// A region's page (§2.2.1): public.
    Region(Box<crate::domain::regions::RegionPage>),
    /// A strategic partner and a selection (§3.2.5–3.2.7): public.
    Partner(Box<crate::domain::selection::Partner>),
    Selection(Box<crate::domain::selection::Selection>),
    /// An application, as the reader may see it.
    Entry(Box<crate::domain::selection::Entry>),
    /// A Club session: to the Agency.
    Club(Box<crate::domain::club::ClubSession>),
    /// A practice's recommendation: to those who may read the practice.
    Recommendation(Box<crate::domain::selection::Recommendation>),
    /// The reader's own saved views.
    Views(Box<crate::domain::query::Views>),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PullReply {
    pub records: Vec<Remote>,
    /// Pass it back as `since` for the next page.
    pub cursor: u64,
    pub more: bool,
    /// The server instance the cursor counts in: a server restored from a
    /// backup is a new epoch, and a client from another one pulls again.
    #[serde(default)]
    pub epoch: Option<Uuid>,
    /// On the last page: the server's audit chain, with the link at the
    /// change the client asked about (`seen=N`).
    #[serde(default)]
    pub chain: Option<Chain>,
}

/// `GET /api/rows`: the catalogue's rows the reader may see — each
/// practice without its passport's texts and files and its workflow's
/// documents, as the queues read it — which a first sync brings before
/// the feed, so the catalogue can be searched and opened at once.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RowsReply {
    pub rows: Vec<Practice>,
}

/// Machine-readable codes of error answers the client acts on.
pub mod codes {
    /// The op numbers of this client id were used by other ops: the store
    /// is a restored copy, or a copy runs elsewhere. The client takes a new
    /// id and sends its unsent ops under it.
    pub const CLIENT_REUSED: &str = "client-reused";
    /// The client id belongs to another user.
    pub const CLIENT_FOREIGN: &str = "client-foreign";
    /// The server lacks ops this client sent before (it was restored from
    /// a backup): the client sends them again.
    pub const OPS_MISSING: &str = "ops-missing";
    /// The client pulled further than the server has (it was restored).
    pub const CURSOR_AHEAD: &str = "cursor-ahead";
}

/// A conflict or a refusal kept on the client for the user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conflict {
    pub practice: PracticeId,
    /// A field id («P-2») or «op-N» for a refusal.
    pub key: String,
    pub title: String,
    pub field: Option<Field>,
    /// The local passport (mine) and the server's (theirs).
    pub mine: Option<Box<Passport>>,
    pub theirs: Option<Box<Passport>>,
    /// The server revision `theirs` is at.
    pub revision: u32,
    /// For a refusal: the reason.
    pub reason: Option<String>,
    pub at: DateTime<Utc>,
}

/// The answer of a long-poll: whether the feed after `since` holds a change
/// the asker may read and did not make, and the last change looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct News {
    pub news: bool,
    pub latest: u64,
}

thread_local! {
    /// zstd's contexts are costly to make (hundreds of kilobytes of
    /// tables): one of each per thread, used again.
    static COMPRESSOR: std::cell::RefCell<Option<zstd::bulk::Compressor<'static>>> =
        const { std::cell::RefCell::new(None) };
    static DECOMPRESSOR: std::cell::RefCell<Option<zstd::bulk::Decompressor<'static>>> =
        const { std::cell::RefCell::new(None) };
}

/// zstd at `level`, with this thread's context: the store's records and
/// the wire's bodies.
pub fn compress(bytes: &[u8], level: i32) -> std::io::Result<Vec<u8>> {
    COMPRESSOR.with(|c| {
        let mut c = c.borrow_mut();
        if c.is_none() {
            *c = Some(zstd::bulk::Compressor::new(level)?);
        }
        let z = c.as_mut().expect("made above");
        z.set_compression_level(level)?;
        z.compress(bytes)
    })
}

/// Unpacks zstd of at most `limit` bytes, with this thread's context.
pub fn decompress(bytes: &[u8], limit: usize) -> std::io::Result<Vec<u8>> {
    DECOMPRESSOR.with(|d| {
        let mut d = d.borrow_mut();
        if d.is_none() {
            *d = Some(zstd::bulk::Decompressor::new()?);
        }
        d.as_mut().expect("made above").decompress(bytes, limit)
    })
}

/// Bodies at least this large (pages of the feed, a first sync) are
/// packed harder: they are what a slow link waits for.
const PACK_HARDER_FROM: usize = 64 * 1024;

/// zstd for bodies both ways.
pub fn pack(bytes: &[u8]) -> Vec<u8> {
    let level = if bytes.len() >= PACK_HARDER_FROM {
        12
    } else {
        3
    };
    compress(bytes, level).unwrap_or_else(|_| bytes.to_vec())
}

/// Unpacks a zstd body of at most `limit` bytes.
pub fn unpack(bytes: &[u8], limit: usize) -> Result<Vec<u8>, String> {
    decompress(bytes, limit).map_err(|e| format!("сжатое тело не распаковано: {e}"))
}

/// The media type of the compact bodies: bincode 2 over serde, then zstd.
/// A push whose `content-type` is this is read as such, and a request
/// whose `accept` names it is answered so; anything else is JSON (what
/// other programs and the tests speak).
pub const BINARY: &str = "application/octet-stream";

/// The body of a sync request or reply, zstd-packed: bincode when
/// `binary`, else JSON.
pub fn encode_body<T: Serialize>(v: &T, binary: bool) -> Result<Vec<u8>, String> {
    let raw = if binary {
        bincode::serde::encode_to_vec(v, bincode::config::standard()).map_err(|e| e.to_string())?
    } else {
        serde_json::to_vec(v).map_err(|e| e.to_string())?
    };
    Ok(pack(&raw))
}

/// Reads a body made by [`encode_body`], unpacking at most `limit` bytes.
pub fn decode_body<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
    binary: bool,
    limit: usize,
) -> Result<T, String> {
    let raw = unpack(bytes, limit)?;
    if binary {
        let (v, used) = bincode::serde::decode_from_slice(&raw, bincode::config::standard())
            .map_err(|e| e.to_string())?;
        if used != raw.len() {
            return Err(format!("лишние байты после записи: {}", raw.len() - used));
        }
        Ok(v)
    } else {
        serde_json::from_slice(&raw).map_err(|e| e.to_string())
    }
}

/// The protocol spoken between `smarteka sync` and `smarteka serve`. A
/// request without it, or with another, is refused with a message.
/// 2: replication ops; 3: the coordinator's confirmation of a user and the
/// grant of authoring travel as ops ([`OpKind::Authoring`]); 4: a user's
/// own account changes and the Модератор АСИ's ([`OpKind::Me`],
/// [`OpKind::Manage`]), users in the feed to those who manage them;
/// 6: compact bodies ([`BINARY`]), a push answers whether there is news
/// to pull and where the audit chain stands ([`Chain`]); 7: the
/// catalogue's rows before the feed ([`RowsReply`]) and a whole practice
/// on demand (`GET /api/practices/ID`); 8: selections, their partners,
/// applications and scores, the Club (ops and feed records), the partner
/// role.
pub const PROTOCOL: u32 = 10;
/// The header carrying [`PROTOCOL`].
pub const PROTOCOL_HEADER: &str = "x-smarteka-protocol";

/// The file, in the store directory, through which `smarteka backup` asks
/// the running server for a backup: its address and a secret, 0600.
pub const CONTROL_FILE: &str = "serve.control";
/// The header carrying the secret of [`CONTROL_FILE`].
pub const CONTROL_HEADER: &str = "x-smarteka-control";

/// The body of every error.
#[derive(Debug, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last: Option<u64>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct LoginRequest {
    pub login: String,
    pub password: String,
    /// The client id the workstation has, if it has one.
    #[serde(default)]
    pub client: Option<uuid::Uuid>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct LoginReply {
    pub token: String,
    pub expires: chrono::DateTime<Utc>,
    pub user: Me,
    /// The client id registered to this user for this workstation: the one
    /// it sent, or a new one if it sent none or one of another user's.
    #[serde(default)]
    pub client: Option<uuid::Uuid>,
}

/// What a client learns of its own user: never the password hash.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Me {
    pub login: String,
    pub full_name: String,
    pub roles: Vec<String>,
}

impl Me {
    pub fn of(u: &User) -> Self {
        Self {
            login: u.login.clone(),
            full_name: u.profile.full_name.clone(),
            roles: u.role_names().iter().map(|r| (*r).to_owned()).collect(),
        }
    }
}

/// `POST /api/register`: a new account (§4.1.1–4.1.2).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RegisterRequest {
    pub login: String,
    pub email: String,
    pub full_name: String,
    /// A region code.
    pub region: String,
    pub password: String,
    /// Codes of the consents accepted, and the version of their texts.
    pub consents: Vec<String>,
    pub version: String,
}

/// `POST /api/register/confirm`, `POST /api/password/reset`: a login with
/// the e-mailed code; for a reset, the new password.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CodeRequest {
    pub login: String,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
}

/// A plain answer: what happened, in Russian.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Done {
    pub message: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct PasswordRequest {
    pub old: String,
    pub new: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct BackupRequest {
    pub dir: PathBuf,
}

/// The headers of resumable uploads.
pub mod blobs_header {
    pub const OFFSET: &str = "upload-offset";
    pub const LENGTH: &str = "upload-length";
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::passport::Field;

    fn edit(fields: Vec<Field>) -> Op {
        let passport = Passport {
            title: "Название".into(),
            goal: "Цель".into(),
            specifics: "Особенности".into(),
            ..Passport::default()
        };
        Op {
            seq: 3,
            at: chrono::Utc::now(),
            kind: OpKind::Edit {
                practice: PracticeId::now_v7(),
                base: 2,
                fields,
                passport: Box::new(passport),
            },
        }
    }

    #[test]
    fn bodies_read_back_in_either_form_and_trailing_bytes_are_refused() {
        let req = PushRequest {
            client: Uuid::now_v7(),
            ops: vec![edit(vec![Field::P17, Field::P2])],
            since: Some(7),
            seen: Some(5),
        };
        for binary in [true, false] {
            let bytes = encode_body(&req, binary).expect("encodes");
            let back: PushRequest = decode_body(&bytes, binary, 1 << 20).expect("decodes");
            assert_eq!(back.ops, req.ops);
            assert_eq!(back.since, Some(7));
        }
        let json = encode_body(&req, false).expect("encodes");
        assert!(decode_body::<PushRequest>(&json, true, 1 << 20).is_err());
        let mut raw =
            bincode::serde::encode_to_vec(&req, bincode::config::standard()).expect("encodes");
        raw.push(0);
        let err = decode_body::<PushRequest>(&pack(&raw), true, 1 << 20).expect_err("refused");
        assert!(err.contains("лишние байты"), "{err}");
    }
}
