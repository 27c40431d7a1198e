//! The review queues (SPEC §4): for each role a user holds, the practices
//! waiting for them at a stage, with deadlines in working days.
//!
//! A practice is in a user's queue when the workflow allows them one of the
//! queue's actions now ([`workflow::check`]); the [`Summary`] the store keeps
//! beside each practice lets the caller skip the practices whose status no
//! queue of the user's roles can hold.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::calendar::Calendar;
use super::passport::{Member, Practice, PracticeId};
use super::status::PracticeStatus;
use super::user::{User, UserId};
use super::workflow::{self, Action, Tally};

/// What lists and queues show of a practice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    // The id and the status first: [`SummaryHead`] reads just them.
    pub id: PracticeId,
    pub status: PracticeStatus,
    pub title: String,
    pub region: Option<String>,
    pub category: Option<String>,
    pub level: Option<u8>,
    pub year: Option<i32>,
    pub author: UserId,
    pub team: Vec<UserId>,
    pub expert_moderator: Option<UserId>,
    /// Returned for revision and not yet resubmitted.
    pub returned: bool,
    pub deadline: Option<NaiveDate>,
    pub since: Option<DateTime<Utc>>,
    /// The experts of an open voting session, and those who voted.
    pub experts: Vec<UserId>,
    pub voted: Vec<UserId>,
    /// The votes: approve, revise, reject.
    pub votes: [u8; 3],
    /// When a published practice is due for its yearly actualisation.
    pub actualise_by: Option<NaiveDate>,
    /// The year of the latest yearly audit (§4.5.3).
    pub audited: Option<i32>,
    /// The author asked for edit access (§4.5.5).
    pub edit_request: bool,
    /// Archiving was proposed (§4.2.1.4).
    pub archive_proposal: bool,
}

/// The first fields of a stored [`Summary`], read without the rest: the
/// queues skip the practices whose status no queue of the user holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct SummaryHead {
    pub id: PracticeId,
    pub status: PracticeStatus,
}

impl Summary {
    pub fn of(p: &Practice) -> Self {
        let wf = &p.workflow;
        let (experts, cast, votes) = match &wf.session {
            Some(s) => {
                let t = Tally::of(s);
                let n = |x: usize| u8::try_from(x).unwrap_or(u8::MAX);
                (
                    s.experts.clone(),
                    s.votes.iter().map(|v| v.expert).collect(),
                    [n(t.approve), n(t.revise), n(t.reject)],
                )
            }
            None => (Vec::new(), Vec::new(), [0; 3]),
        };
        Self {
            id: p.id,
            title: p.passport.title.clone(),
            region: p.region().map(str::to_owned),
            category: p.passport.category_code().map(str::to_owned),
            level: p.passport.level.map(super::passport::Level::number),
            status: p.status,
            year: p.passport.year,
            author: p.author,
            team: p
                .passport
                .team
                .iter()
                .filter_map(|m| match m.member {
                    Member::User(id) => Some(id),
                    Member::Invited(_) => None,
                })
                .collect(),
            expert_moderator: wf.expert_moderator,
            returned: wf.returned.is_some(),
            deadline: wf.deadline.as_ref().map(|d| d.due),
            since: wf.since,
            experts,
            voted: cast,
            votes,
            actualise_by: workflow::actualise_by(p),
            audited: wf.audits.last().map(|a| a.year),
            edit_request: wf.edit_request.is_some(),
            archive_proposal: wf.archive_proposal.is_some(),
        }
    }
}

/// What the queues read of a practice: all of it but the passport's texts
/// and files and the workflow's documents and protocols — what the rules
/// of a stage ([`workflow::check`]) and a queue's row look at. The store
/// keeps it beside each practice, so the queues decode thousands quickly.
pub fn view(p: &Practice) -> Practice {
    let pp = &p.passport;
    let wf = &p.workflow;
    Practice {
        id: p.id,
        status: p.status,
        author: p.author,
        passport: super::passport::Passport {
            title: pp.title.clone(),
            category: pp.category.clone(),
            regions: pp.regions.clone(),
            route: pp.route,
            level: pp.level,
            year: pp.year,
            team: pp.team.clone(),
            rating_indicators: pp.rating_indicators.clone(),
            ..super::passport::Passport::default()
        },
        revision: p.revision,
        created: p.created,
        updated: p.updated,
        published: p.published,
        workflow: workflow::Workflow {
            documents: Vec::new(),
            protocols: Vec::new(),
            ..wf.clone()
        },
    }
}

/// One practice in a queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    pub id: PracticeId,
    pub title: String,
    pub region: Option<String>,
    pub category: Option<String>,
    pub status: PracticeStatus,
    pub deadline: Option<NaiveDate>,
    /// Working days past the deadline (0 when not overdue).
    pub overdue: i64,
    /// Working days in the current status.
    pub waiting: i64,
    /// When the practice entered its status.
    pub since: Option<DateTime<Utc>>,
    /// The tally of an open vote, in Russian.
    pub note: String,
}

/// One list of the «Очереди» screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Queue {
    /// A stage's queue's code, or `view:` and the name of a saved view.
    pub code: std::borrow::Cow<'static, str>,
    pub name: std::borrow::Cow<'static, str>,
    pub items: Vec<Item>,
}

/// One queue of «Очереди»: its code, its name, the stage it groups (if
/// one), and the actions whose being allowed now (by [`workflow::check`])
/// puts a practice in it. Who may act where is decided by the workflow
/// alone; a queue only groups it.
struct Kind {
    code: &'static str,
    name: &'static str,
    stage: Option<PracticeStatus>,
    actions: &'static [Action],
}

/// In order: a practice goes to the first queue it waits in.
const KINDS: [Kind; 17] = [
    Kind {
        code: "returned",
        name: "Мои на доработке",
        stage: None,
        actions: &[Action::Resubmit],
    },
    Kind {
        code: "actualisation",
        name: "Мои на актуализации",
        stage: None,
        actions: &[Action::Actualise],
    },
    Kind {
        code: "drafts",
        name: "Мои черновики",
        stage: None,
        actions: &[Action::Submit],
    },
    Kind {
        code: "confirmation",
        name: "На подтверждении",
        stage: None,
        actions: &[Action::Confirm],
    },
    Kind {
        code: "packaging",
        name: "Упаковка",
        stage: Some(PracticeStatus::Packaging),
        actions: &[
            Action::SetLevel,
            Action::SendToExperts,
            Action::SendToPublication,
        ],
    },
    Kind {
        code: "revisions",
        name: "Доработки: сверить с замечаниями",
        stage: None,
        actions: &[Action::ConfirmRevisions],
    },
    Kind {
        code: "review-start",
        name: "Экспертиза: открыть голосование",
        stage: Some(PracticeStatus::ExpertReview),
        actions: &[Action::SetLevel, Action::SendToExperts],
    },
    Kind {
        code: "tally",
        name: "Итоги голосования",
        stage: None,
        actions: &[Action::CloseVote, Action::ProtocolApprove],
    },
    Kind {
        code: "my-vote",
        name: "Экспертиза: мой голос",
        stage: None,
        actions: &[Action::VoteApprove],
    },
    Kind {
        code: "verification",
        name: "Верификация",
        stage: None,
        actions: &[Action::Verify],
    },
    Kind {
        code: "assign",
        name: "Назначение эксперта-модератора",
        stage: None,
        actions: &[Action::Assign],
    },
    Kind {
        code: "publication",
        name: "К публикации",
        stage: None,
        actions: &[Action::Publish],
    },
    Kind {
        code: "no-category",
        name: "Категория не выбрана",
        stage: None,
        actions: &[Action::SetCategory],
    },
    Kind {
        code: "edit-requests",
        name: "Запросы на редактирование",
        stage: None,
        actions: &[Action::GrantEdit],
    },
    Kind {
        code: "archive-proposals",
        name: "Предложения об архивации",
        stage: None,
        actions: &[Action::Archive],
    },
    Kind {
        code: OVERDUE,
        name: "Актуализация: просрочено",
        stage: None,
        actions: &[Action::OpenActualisation, Action::ProposeArchive],
    },
    Kind {
        code: "audit",
        name: "Ежегодный аудит",
        stage: None,
        actions: &[Action::Audit],
    },
];

/// The queue of practices past their yearly actualisation (§4.5.1–4.5.2)
/// or past an actualisation's deadline (§4.5.4).
const OVERDUE: &str = "actualisation-overdue";

/// Who watches over the yearly actualisation (§4.5.2–4.5.3): the region's
/// coordinator and the category's expert-moderator.
fn overseer(u: &User) -> bool {
    u.has_role(super::user::Role::Coordinator) || u.has_role(super::user::Role::ExpertModerator)
}

/// Whether the yearly actualisation is past due.
fn yearly_overdue(actualise_by: Option<NaiveDate>, today: NaiveDate) -> bool {
    actualise_by.is_some_and(|d| d < today)
}

/// Whether the practice waits for `action` by `u`: the workflow allows it
/// now and it is still to be done. An assignment waits only while nobody
/// is assigned, a level only while none is set: the rules allow changing
/// both later, which is not work waiting in a queue.
fn waits(u: &User, p: &Practice, action: Action, today: NaiveDate) -> bool {
    // Cheap first: a role the user holds, in a stage the action has.
    if !action.roles().iter().any(|r| u.has_role(*r))
        || !workflow::stage_of(action).contains(&p.status)
    {
        return false;
    }
    let wf = &p.workflow;
    let ready = match action {
        Action::Assign => wf.expert_moderator.is_none(),
        Action::SetLevel => p.passport.level.is_none(),
        // Only the overdue: a request to actualise is the coordinator's
        // and the expert-moderator's answer to them (§4.5.2, §4.5.4).
        Action::OpenActualisation => {
            overseer(u) && yearly_overdue(workflow::actualise_by(p), today)
        }
        Action::ProposeArchive => {
            p.status == PracticeStatus::Actualisation
                && wf.deadline.as_ref().is_some_and(|d| d.due < today)
        }
        // The Модератор АСИ decides on proposals; archiving without one is
        // not work waiting in a queue.
        Action::Archive => wf.archive_proposal.is_some(),
        Action::Audit => wf
            .audits
            .last()
            .is_none_or(|a| a.year != chrono::Datelike::year(&today)),
        _ => true,
    };
    ready && workflow::check(u, p, action).is_ok()
}

/// The queue the practice waits in for `u` on `today`, and the action it
/// waits for.
pub fn waiting_for(u: &User, p: &Practice, today: NaiveDate) -> Option<(&'static str, Action)> {
    KINDS.iter().find_map(|k| {
        if k.stage.is_some_and(|s| s != p.status) {
            return None;
        }
        k.actions
            .iter()
            .find(|a| waits(u, p, **a, today))
            .map(|a| (k.code, *a))
    })
}

/// Whether a practice in `status` may wait for `u` at all.
pub fn may_wait_in(u: &User, status: PracticeStatus) -> bool {
    KINDS.iter().flat_map(|k| k.actions).any(|a| {
        a.roles().iter().any(|r| u.has_role(*r)) && workflow::stage_of(*a).contains(&status)
    })
}

/// Whether the practice of a summary may wait for `u` at all: lets the
/// caller skip loading the others. A published practice waits only with
/// a request, a proposal, an overdue actualisation or an audit to do.
pub fn may_wait(u: &User, s: &Summary, today: NaiveDate) -> bool {
    let by_status = may_wait_in(u, s.status);
    let audit = || {
        u.has_role(super::user::Role::ExpertModerator)
            && s.audited != Some(chrono::Datelike::year(&today))
    };
    by_status
        && match s.status {
            PracticeStatus::Published => {
                s.edit_request
                    || s.archive_proposal
                    || (overseer(u) && yearly_overdue(s.actualise_by, today))
                    || audit()
            }
            // The author's own; a proposal; days past; an audit.
            PracticeStatus::Actualisation => {
                s.author == u.id
                    || s.archive_proposal
                    || (overseer(u) && s.deadline.is_some_and(|d| d < today))
                    || audit()
            }
            _ => true,
        }
}

/// The user's queues: the ones of the roles they hold, each with the
/// practices waiting there. Items with a deadline come first, the nearest
/// first; then the longest waiting. The regulation fixes no time for the
/// stages W-1…W-4, only for the author's revisions (§4.1.9) and
/// actualisations (§4.5.4).
pub fn queues<'a>(
    u: &User,
    practices: impl IntoIterator<Item = &'a Practice>,
    calendar: &Calendar,
    today: NaiveDate,
) -> Vec<Queue> {
    let mut out: Vec<Queue> = KINDS
        .iter()
        .filter(|k| {
            !u.disabled
                && (k.code != OVERDUE || overseer(u))
                && k.actions
                    .iter()
                    .any(|a| a.roles().iter().any(|r| u.has_role(*r)))
        })
        .map(|k| Queue {
            code: k.code.into(),
            name: k.name.into(),
            items: Vec::new(),
        })
        .collect();
    for p in practices {
        if let Some((code, _)) = waiting_for(u, p, today)
            && let Some(q) = out.iter_mut().find(|q| q.code == code)
        {
            let mut s = Summary::of(p);
            if code == OVERDUE && s.deadline.is_none() {
                s.deadline = s.actualise_by;
            }
            // A request or a proposal waits from when it was made.
            let asked = match code {
                "edit-requests" => p.workflow.edit_request.as_ref(),
                "archive-proposals" => p.workflow.archive_proposal.as_ref(),
                _ => None,
            };
            if let Some(r) = asked {
                s.since = Some(r.at);
            }
            q.items.push(item(&s, calendar, today));
        }
    }
    for q in &mut out {
        q.items.sort_by(|a, b| {
            (a.deadline.is_none(), a.deadline, a.since, a.id).cmp(&(
                b.deadline.is_none(),
                b.deadline,
                b.since,
                b.id,
            ))
        });
    }
    out
}

/// A practice as a queue lists it.
pub fn item(s: &Summary, calendar: &Calendar, today: NaiveDate) -> Item {
    let overdue = s
        .deadline
        .map_or(0, |d| calendar.working_days_between(d, today).max(0));
    let waiting = s.since.map_or(0, |t| {
        calendar.working_days_between(t.date_naive(), today).max(0)
    });
    let note = if s.experts.is_empty() {
        String::new()
    } else {
        format!(
            "голосов {} из {}: за {}, доработка {}, против {}",
            s.voted.len(),
            s.experts.len(),
            s.votes[0],
            s.votes[1],
            s.votes[2]
        )
    };
    Item {
        id: s.id,
        title: s.title.clone(),
        region: s.region.clone(),
        category: s.category.clone(),
        status: s.status,
        deadline: s.deadline,
        overdue,
        waiting,
        since: s.since,
        note,
    }
}

/// Deadlines of the user's own practices that are near (within one working
/// day) or past, for the inbox: (practice, title, due, working days left —
/// negative when overdue).
pub fn deadline_alerts<'a>(
    u: &User,
    summaries: impl IntoIterator<Item = &'a Summary>,
    calendar: &Calendar,
    today: NaiveDate,
) -> Vec<(PracticeId, String, NaiveDate, i64)> {
    let mut out: Vec<_> = summaries
        .into_iter()
        .filter(|s| s.author == u.id && !s.status.is_terminal())
        .filter_map(|s| {
            let due = s.deadline?;
            let left = calendar.working_days_between(today, due);
            (left <= 1).then(|| (s.id, s.title.clone(), due, left))
        })
        .collect();
    out.sort_by_key(|x| (x.2, x.0));
    out
}
