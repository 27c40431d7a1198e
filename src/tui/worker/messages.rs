//! The messages between the screens and the worker: the requests, the
//! replies, and the views the replies carry.

use crate::domain::queue::Queue;
use crate::domain::user::{Profile, UserId};
use crate::domain::workflow::{Action as WorkflowAction, Tally};
use crate::domain::{Passport, PracticeStatus};
use crate::domain::{Practice, PracticeId, User};
use crate::search::{FacetCounts, SearchQuery};
use crate::service::diff::FieldDiff;
use crate::service::views::{PracticeView, Row};
use crate::service::workflow::{ActInput, Inbox, Offer, Step};
use crate::sync::protocol::Conflict;

#[derive(Debug, Clone)]
pub enum Request {
    /// «Профиль» and «Пользователи».
    People(Box<super::people::PeopleRequest>),
    /// The applications the user may read.
    Replications {
        user: Box<User>,
    },
    /// One application: its timeline and the steps on offer.
    Application {
        user: Box<User>,
        id: uuid::Uuid,
    },
    /// A step of an application.
    Replicate {
        user: Box<User>,
        id: uuid::Uuid,
        action: crate::domain::replication::Action,
        input: Box<crate::service::replication::StepInput>,
    },
    /// «Хочу внедрить».
    ApplyFor {
        user: Box<User>,
        practice: PracticeId,
        request: Box<crate::domain::replication::Request>,
    },
    /// The yearly summary of §5.3.5, of this year by the workstation's
    /// clock.
    ReplicationSummary,
    /// Where `Print` writes from now on (answered with `Reply::Stale`).
    PrintDir(std::path::PathBuf),
    /// A session served over SSH: files come from its directory only, and
    /// the heavy work is shared with the other sessions (answered with
    /// `Reply::Stale`).
    Serve(Box<super::Served>),
    /// A document to print, written as PDF into the print directory (by
    /// default the current one).
    Print {
        user: Option<Box<User>>,
        what: super::print::Printable,
    },
    Search {
        tag: u64,
        query: SearchQuery,
    },
    Facets {
        tag: u64,
        query: SearchQuery,
    },
    Practice {
        id: PracticeId,
        user: Option<Box<User>>,
    },
    Login {
        login: String,
        password: String,
    },
    /// A new empty passport of the user's region.
    NewDraft {
        user: Box<User>,
    },
    /// An own draft to edit.
    OpenDraft {
        user: Box<User>,
        id: PracticeId,
    },
    /// Save the editor's passport; `team` lines are logins or e-mails, a
    /// trailing `*` marks the mentor.
    SaveDraft {
        user: Box<User>,
        id: PracticeId,
        passport: Box<Passport>,
        team: Vec<String>,
    },
    SubmitDraft {
        user: Box<User>,
        id: PracticeId,
    },
    /// The saved revisions of a practice the user may read.
    Revisions {
        id: PracticeId,
        user: Option<Box<User>>,
    },
    /// Registered users whose name, login or e-mail contains the text.
    FindUsers {
        tag: u64,
        text: String,
    },
    /// Attach a file (by path) or a link to an own draft.
    AttachDraft {
        user: Box<User>,
        id: PracticeId,
        source: String,
        kind: String,
    },
    /// The user's review queues.
    Queues {
        user: Box<User>,
    },
    /// What the user may do with a practice now.
    Offers {
        user: Box<User>,
        id: PracticeId,
    },
    /// One workflow action on one or more practices (bulk assignment).
    Act {
        user: Box<User>,
        ids: Vec<PracticeId>,
        action: WorkflowAction,
        input: Box<ActInput>,
    },
    /// What an action would do to each of several practices, nothing
    /// written.
    Preview {
        user: Box<User>,
        ids: Vec<PracticeId>,
        action: WorkflowAction,
        input: Box<ActInput>,
    },
    History {
        user: Option<Box<User>>,
        id: PracticeId,
    },
    /// Two revisions compared; `None` picks the default pair.
    Diff {
        user: Option<Box<User>>,
        id: PracticeId,
        pair: Option<(u32, u32)>,
    },
    Inbox {
        user: Box<User>,
    },
    /// The user has seen their inbox.
    MarkRead {
        user: Box<User>,
    },
    /// Exchange changes with the server now.
    Sync,
    /// Start watching the server for others' changes (a long-poll on a
    /// thread of its own); each news is a `Reply::News`.
    Watch,
    Conflicts,
    Resolve {
        user: Box<User>,
        conflict: Box<Conflict>,
        choice: Resolution,
    },
}

/// A conflict as the conflicts screen shows it.
#[derive(Debug, Clone)]
pub struct ConflictView {
    pub conflict: Conflict,
    /// The field as text: mine, and the server's.
    pub mine: String,
    pub theirs: String,
}

/// How a conflict is resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    Mine,
    Theirs,
    /// A new value typed for a text field.
    Text(String),
}

/// What the action window shows.
#[derive(Debug, Clone)]
pub struct OffersView {
    pub title: String,
    pub status: PracticeStatus,
    pub offers: Vec<Offer>,
    /// The votes of an open session: (expert, verdict, comment).
    pub votes: Vec<(String, String, String)>,
    pub tally: Option<Tally>,
    /// For an assignment: expert-moderators of the category (login, name).
    pub candidates: Vec<(String, String)>,
}

/// A practice's history as the timeline shows it.
#[derive(Debug, Clone)]
pub struct HistoryView {
    pub title: String,
    pub steps: Vec<Step>,
}

/// Two revisions compared.
#[derive(Debug, Clone)]
pub struct DiffView {
    pub title: String,
    pub from: u32,
    pub to: u32,
    pub latest: u32,
    pub fields: Vec<FieldDiff>,
    /// The points the changes answer (§4.4.8).
    pub points: Option<String>,
}

/// A saved revision as the passport view shows it.
#[derive(Debug, Clone)]
pub struct RevisionView {
    pub revision: crate::domain::command::Revision,
    pub by: String,
    pub view: Box<PracticeView>,
}

/// What the passport editor starts from.
#[derive(Debug, Clone)]
pub struct Draft {
    pub practice: Practice,
    /// Team lines as the editor shows them.
    pub team: Vec<String>,
    /// Profiles of the registered team members, for the live P-19 check.
    pub profiles: Vec<(UserId, Profile)>,
}

#[derive(Debug, Clone)]
pub enum Reply {
    People(Box<super::people::PeopleReply>),
    /// Where the PDF went, or why it was not written.
    Printed(Result<String, String>),
    Search {
        tag: u64,
        total: usize,
        rows: Vec<Row>,
        /// The text corrected by one typo the results are for.
        suggestion: Option<String>,
        /// Why the line, read as a query, is not understood.
        problem: Option<String>,
    },
    Facets {
        tag: u64,
        counts: FacetCounts,
    },
    Practice(Result<Box<PracticeView>, String>),
    Login(Result<Box<User>, String>),
    Draft(Result<Box<Draft>, String>),
    /// Revisions, oldest first, each with the names of its team and author.
    Revisions {
        id: PracticeId,
        result: Result<Vec<RevisionView>, String>,
    },
    /// (login, full name, organisation, profile complete)
    Users {
        tag: u64,
        users: Vec<(String, String, String, bool)>,
    },
    /// A save: the new draft state, or the reasons it was refused.
    Saved {
        id: PracticeId,
        result: Result<Box<Draft>, Vec<String>>,
    },
    Submitted {
        id: PracticeId,
        result: Result<PracticeStatus, Vec<String>>,
    },
    Queues(Result<Vec<Queue>, String>),
    Offers {
        id: PracticeId,
        result: Result<Box<OffersView>, String>,
    },
    /// A workflow action done (a message) or refused (the reason).
    Acted {
        ids: Vec<PracticeId>,
        result: Result<String, String>,
    },
    /// Practices done so far of an action on several.
    Progress {
        done: usize,
        all: usize,
    },
    Previewed {
        ids: Vec<PracticeId>,
        result: Result<Vec<crate::service::query::Bulk>, String>,
    },
    History {
        id: PracticeId,
        result: Result<Box<HistoryView>, String>,
    },
    Diff {
        id: PracticeId,
        result: Result<Box<DiffView>, String>,
    },
    Inbox(Result<Box<Inbox>, String>),
    Replications(Result<Box<ReplicationList>, String>),
    Application(Result<Box<ApplicationView>, String>),
    /// A step taken or «Хочу внедрить» done.
    Replicated(Result<Box<crate::domain::replication::Application>, String>),
    ReplicationSummary(Result<Box<crate::service::replication::Summary>, String>),
    Synced {
        result: Result<crate::sync::client::Summary, String>,
        /// Ops still waiting, and conflicts to look at, after it.
        pending: usize,
        conflicts: usize,
    },
    Conflicts(Result<Vec<ConflictView>, String>),
    Resolved(Result<String, String>),
    /// The server has changes to pull.
    News,
    /// A sync under way brought rows or passports: shown at once.
    Arrived(crate::sync::client::Progress),
    /// A request superseded by a newer one of the same kind.
    Stale,
    Error(String),
}

/// «Тиражирование»: the applications and the user's invitations to apply.
#[derive(Debug, Clone)]
pub struct ReplicationList {
    pub rows: Vec<crate::service::replication::Row>,
    pub invitations: Vec<crate::service::replication::Invitation>,
}

/// One application as the workstation shows it.
#[derive(Debug, Clone)]
pub struct ApplicationView {
    pub app: crate::domain::replication::Application,
    pub title: String,
    pub recipient: String,
    pub moderator: String,
    pub timeline: Vec<crate::service::replication::TimelineStep>,
    /// Every step, with why it is not allowed now.
    pub offers: Vec<(crate::domain::replication::Action, Result<(), String>)>,
    /// Working days past the step's deadline, by the workstation's clock.
    pub overdue: Option<i64>,
    /// Whom the application can be assigned to: (login, full name).
    pub moderators: Vec<(String, String)>,
}
