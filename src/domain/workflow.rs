//! The validation workflow of SPEC §4 (§4.1.8–4.1.13, §4.4, §4.5–4.6):
//! who may move a practice from which status to which, with which
//! documents, and what deadlines that opens or closes.
//!
//! [`check`] says whether an actor may take an action now (role, scope,
//! status, the state of the voting session); [`apply()`] also checks the
//! action's arguments and returns the new practice with the transition
//! for the audit trail and the notices for the inboxes.

mod access;
mod action;
mod apply;
mod grounds;
mod vote;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::calendar::Calendar;
use super::passport::{Level, Member, Practice, Route};
use super::refdata::RefData;
use super::status::PracticeStatus;
use super::user::{Role, User, UserId};

pub use access::{available, check, role_for, stage_of};
pub use action::{ARCHIVE_REASONS, Action, Need, REFUSAL_REASONS, reasons_of};
pub use apply::{REVISION_DAYS, after_review, apply};
pub use vote::{Decision, MIN_EXPERTS, Session, Tally, Verdict, Vote};

/// The kinds of documents a stage requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DocumentKind {
    /// The Agency's request letter (§4.1.8(1), route §3.3).
    RequestLetter,
    /// The protocol of the regional interdepartmental commission.
    CommissionProtocol,
    /// The signed protocol of an offline expert review (§4.4.7).
    ExpertProtocol,
    /// An official request to delete (§4.1.13).
    OfficialRequest,
    /// Replication: a roadmap or other document on the implementation
    /// (§5.3.1.4).
    Roadmap,
    /// Replication: the letter signed by the head of the executive body
    /// (§5.3.1.5).
    OfficialLetter,
    /// Replication: materials and documents made for the implementation.
    Materials,
}

impl DocumentKind {
    pub fn name(self) -> &'static str {
        match self {
            Self::RequestLetter => "Письмо-запрос Агентства",
            Self::CommissionProtocol => "Протокол региональной межведомственной комиссии",
            Self::ExpertProtocol => "Протокол экспертной оценки",
            Self::OfficialRequest => "Официальное обращение об удалении",
            Self::Roadmap => "Дорожная карта",
            Self::OfficialLetter => "Письмо руководителя исполнительного органа",
            Self::Materials => "Материалы о внедрении",
        }
    }
}

/// A file a transition was made with, kept in the blob area.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub kind: DocumentKind,
    pub sha256: String,
    pub name: String,
    pub size: u64,
}

/// The document kind an action requires for a practice.
pub fn document_kind(action: Action, p: &Practice) -> Option<DocumentKind> {
    match action {
        Action::Confirm => Some(
            if matches!(
                p.passport.route,
                Some(Route::AgencyRequest | Route::AgencyProject)
            ) {
                DocumentKind::RequestLetter
            } else {
                DocumentKind::CommissionProtocol
            },
        ),
        Action::ProtocolApprove | Action::ProtocolRevise | Action::ProtocolReject => {
            Some(DocumentKind::ExpertProtocol)
        }
        Action::Delete => Some(DocumentKind::OfficialRequest),
        _ => None,
    }
}

/// A return for revision that the author has not answered yet (§4.1.9).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Returned {
    /// The stage that returned it.
    pub from: PracticeStatus,
    pub by: UserId,
    pub at: DateTime<Utc>,
    pub comment: String,
    /// The passport revision that was returned.
    pub revision: u32,
    /// Where the practice goes once resubmitted.
    pub then: PracticeStatus,
}

/// An open deadline, in working days of the production calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    pub due: NaiveDate,
    /// What is due, in Russian.
    pub what: String,
}

/// The workflow state kept with a practice.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workflow {
    /// When the practice entered its status.
    pub since: Option<DateTime<Utc>>,
    /// The expert-moderator assigned by the Модератор АСИ.
    pub expert_moderator: Option<UserId>,
    pub returned: Option<Returned>,
    pub session: Option<Session>,
    pub deadline: Option<Deadline>,
    /// Documents of the stages, in the order they were attached.
    pub documents: Vec<Document>,
    /// How many times the practice was returned for revision.
    pub returns: u32,
    /// The reason of a rejection, refusal, archiving or deletion.
    pub reason: Option<String>,
    /// When the published passport was last actualised (§4.5.1); the
    /// publication counts until the first actualisation.
    pub actualised: Option<DateTime<Utc>>,
    /// The author's request for edit access to the published passport
    /// (§4.5.5), until the Модератор АСИ grants it.
    pub edit_request: Option<Request>,
    /// A proposal to archive (§4.2.1.4–4.2.1.5), until the Модератор АСИ
    /// decides.
    pub archive_proposal: Option<Request>,
    /// The experts' points the author has resubmitted after, waiting for
    /// the expert-moderator to confirm them addressed (§4.4.8).
    pub revisions: Option<Returned>,
    /// The expert-moderators' yearly audits (§4.5.3), oldest first.
    pub audits: Vec<Audit>,
    /// The protocols of the expert review (app. 3), oldest first.
    pub protocols: Vec<Protocol>,
}

/// Months between actualisations of a published passport (§4.5.1).
pub const ACTUALISATION_MONTHS: u32 = 12;
/// Days before the yearly term the author is reminded.
pub const ACTUALISATION_NOTICE_DAYS: i64 = 30;

impl Workflow {
    /// The points the author revises by, or revised by and the
    /// expert-moderator has still to confirm (§4.1.9, §4.4.8).
    pub fn points(&self) -> Option<&str> {
        self.revisions
            .as_ref()
            .or(self.returned.as_ref())
            .map(|r| r.comment.as_str())
    }

    /// The last actualisation, or the publication before the first.
    pub fn last_actualised(&self, published: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
        self.actualised.or(published)
    }
}

/// When a published practice is due for its yearly actualisation (§4.5.1):
/// twelve months after the last one.
pub fn actualise_by(p: &Practice) -> Option<NaiveDate> {
    if !matches!(
        p.status,
        PracticeStatus::Published | PracticeStatus::Actualisation
    ) {
        return None;
    }
    p.workflow
        .last_actualised(p.published)?
        .date_naive()
        .checked_add_months(chrono::Months::new(ACTUALISATION_MONTHS))
}

/// A request or proposal someone made about a practice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    pub by: UserId,
    pub at: DateTime<Utc>,
    /// A reason code from the action's list, where it takes one.
    pub reason: Option<String>,
    pub comment: String,
}

/// The results of an expert-moderator's yearly audit (§4.5.3).
pub const AUDIT_RESULTS: [(&str, &str); 3] = [
    ("in-order", "практика в порядке"),
    ("actualise", "нужна актуализация"),
    ("propose-archive", "предложить перевод в «Базу знаний»"),
];

/// One yearly audit of a published practice (§4.5.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Audit {
    pub year: i32,
    pub by: UserId,
    pub at: DateTime<Utc>,
    /// A code of [`AUDIT_RESULTS`].
    pub result: String,
    pub comment: String,
}

impl Audit {
    pub fn result_name(&self) -> &'static str {
        AUDIT_RESULTS
            .iter()
            .find(|(c, _)| *c == self.result)
            .map_or("", |(_, n)| n)
    }
}

/// How an expert review was held (§4.4.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProtocolKind {
    /// Votes on the platform; the protocol is formed from them.
    Online,
    /// A meeting; the expert-moderator uploads the signed protocol.
    Offline,
}

/// The protocol of an expert review (app. 3): who assessed the practice,
/// how, and what was decided by which rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Protocol {
    pub kind: ProtocolKind,
    pub at: DateTime<Utc>,
    /// The expert-moderator who closed the vote or uploaded the protocol;
    /// none when the last vote decided.
    pub by: Option<UserId>,
    /// The passport revision assessed.
    pub revision: u32,
    /// The experts asked (online) or who signed (offline).
    pub experts: Vec<UserId>,
    /// The votes of an online review.
    pub votes: Vec<Vote>,
    pub decision: Decision,
    /// The points to revise, or the grounds of a refusal.
    pub points: String,
    /// The signed protocol of an offline review.
    pub document: Option<Document>,
}

impl Protocol {
    /// The decision rule of §4.4.8 as it was applied, in Russian.
    pub fn rule(&self) -> String {
        match self.kind {
            ProtocolKind::Offline => format!(
                "Решение экспертов по протоколу очной оценки (п. 4.4.7), подписали {} (не менее {MIN_EXPERTS}).",
                self.experts.len()
            ),
            ProtocolKind::Online => {
                let t = vote::Tally::of(&Session {
                    experts: self.experts.clone(),
                    votes: self.votes.clone(),
                    opened: self.at,
                });
                format!(
                    "Оценили {} из {} экспертов (нужно не менее {MIN_EXPERTS}); за — {}, доработка — {}, против — {}. Практика допускается при одобрении большинством оценивших и после доработки, если её просил хотя бы один эксперт (п. 4.4.8): {}.",
                    t.voted,
                    t.invited,
                    t.approve,
                    t.revise,
                    t.reject,
                    self.decision.name()
                )
            }
        }
    }
}

/// One step of the audit trail: from, to, comment, documents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    pub action: Action,
    pub from: PracticeStatus,
    pub to: PracticeStatus,
    pub comment: String,
    pub documents: Vec<Document>,
    /// The passport revision at the transition.
    pub revision: u32,
    /// A deadline opened by the transition.
    pub deadline: Option<NaiveDate>,
}

/// Who should hear of a transition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    User(UserId),
    /// Holders of a role, within a region or category where given.
    Role {
        role: Role,
        region: Option<String>,
        category: Option<String>,
    },
}

impl Audience {
    /// Whether a user belongs to the audience.
    pub fn includes(&self, u: &User) -> bool {
        match self {
            Self::User(id) => u.id == *id,
            Self::Role {
                role,
                region,
                category,
            } => {
                !u.disabled
                    && u.grants(*role).any(|g| {
                        region
                            .as_ref()
                            .is_none_or(|r| g.region.as_deref() == Some(r.as_str()))
                            && category
                                .as_ref()
                                .is_none_or(|c| g.categories.iter().any(|x| x == c))
                    })
            }
        }
    }
}

/// The arguments of an action.
#[derive(Debug, Clone, Default)]
pub struct Args {
    pub comment: String,
    pub documents: Vec<Document>,
    pub users: Vec<User>,
    pub level: Option<Level>,
    pub reason: Option<String>,
}

/// What the workflow needs beyond the actor and the practice.
pub struct Context<'a> {
    pub refdata: &'a RefData,
    pub calendar: &'a Calendar,
    pub now: DateTime<Utc>,
    /// The experts of a category pool.
    pub pool: &'a dyn Fn(&str) -> Vec<User>,
    /// A user's profile: the team's, for the passport rules an
    /// actualisation runs.
    pub profile: &'a dyn Fn(UserId) -> Option<super::user::Profile>,
    /// When the latest application to replicate a practice was made, if
    /// ever (§4.6.1: archiving for want of demand).
    pub last_application: &'a dyn Fn(super::PracticeId) -> Option<DateTime<Utc>>,
}

/// The result of an allowed action.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub practice: Practice,
    pub transition: Transition,
    pub summary: String,
    pub notify: Vec<Audience>,
    /// The passport changed (the level was set).
    pub passport_changed: bool,
}

fn is_member(p: &Practice, u: UserId) -> bool {
    p.author == u || p.passport.team.iter().any(|m| m.member == Member::User(u))
}

#[cfg(test)]
mod tests;
