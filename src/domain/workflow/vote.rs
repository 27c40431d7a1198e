//! The online voting session of the expert review: votes, the tally and
//! what it decides.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::user::UserId;

/// The fewest experts who must assess a practice online (§4.4.8).
pub const MIN_EXPERTS: usize = 3;

/// An expert's verdict (§4.4.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Approve,
    Revise,
    Reject,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Self::Approve => "одобрить",
            Self::Revise => "на доработку",
            Self::Reject => "отказать",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vote {
    pub expert: UserId,
    pub verdict: Verdict,
    /// The concrete points for a revision, or the reasons for a refusal.
    pub comment: String,
    pub at: DateTime<Utc>,
}

/// An online voting session of the expert review (§4.4.7–4.4.8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// Experts of the category pool asked to assess the practice.
    pub experts: Vec<UserId>,
    pub votes: Vec<Vote>,
    pub opened: DateTime<Utc>,
}

/// What the votes decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Decision {
    /// A majority approved and nobody asked for revisions: the next stage.
    Passed,
    /// A majority approved, and some expert asked for revisions: the author
    /// completes them, then the practice moves on without a new vote.
    PassedAfterRevision,
    /// No majority of approvals; revisions asked: back to the author, then
    /// a new vote.
    Revise,
    /// A majority refused.
    Rejected,
}

impl Decision {
    pub fn name(self) -> &'static str {
        match self {
            Self::Passed => "экспертиза пройдена",
            Self::PassedAfterRevision => "одобрена большинством, требуется доработка по замечаниям",
            Self::Revise => "на доработку, затем повторное голосование",
            Self::Rejected => "отклонена большинством экспертов",
        }
    }
}

/// The count of the votes of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub invited: usize,
    pub voted: usize,
    pub approve: usize,
    pub revise: usize,
    pub reject: usize,
}

impl Tally {
    pub fn of(s: &Session) -> Self {
        let count = |v: Verdict| s.votes.iter().filter(|x| x.verdict == v).count();
        Self {
            invited: s.experts.len(),
            voted: s.votes.len(),
            approve: count(Verdict::Approve),
            revise: count(Verdict::Revise),
            reject: count(Verdict::Reject),
        }
    }

    /// What the votes cast so far decide (§4.4.8): a majority of approvals
    /// among those who voted passes, completed by the revisions any expert
    /// asked for. `None` while fewer than three have voted.
    pub fn decision(&self) -> Option<Decision> {
        if self.voted < MIN_EXPERTS {
            return None;
        }
        Some(if self.approve * 2 > self.voted {
            if self.revise > 0 {
                Decision::PassedAfterRevision
            } else {
                Decision::Passed
            }
        } else if self.reject * 2 > self.voted {
            Decision::Rejected
        } else {
            Decision::Revise
        })
    }

    /// Whether every invited expert has voted.
    pub fn complete(&self) -> bool {
        self.voted >= self.invited
    }
}
