//! The review queues (SPEC §4): for each role a user holds, the practices
//! waiting for them at a stage, with deadlines in working days.
//!
//! Queues are built from [`Summary`] records, which the store keeps beside
//! each practice, so opening them never decodes a passport.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::calendar::Calendar;
use super::passport::{Member, Practice, PracticeId};
use super::status::PracticeStatus;
use super::user::{Role, User, UserId};
use super::workflow::Tally;

/// What lists and queues show of a practice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub id: PracticeId,
    pub title: String,
    pub region: Option<String>,
    pub category: Option<String>,
    pub level: Option<u8>,
    pub status: PracticeStatus,
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
        }
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
    pub code: &'static str,
    pub name: &'static str,
    pub items: Vec<Item>,
}

/// The queues a user acts on: code, name, the role, and whether a practice
/// belongs in it.
type Rule = (
    &'static str,
    &'static str,
    Role,
    fn(&User, &Summary) -> bool,
);

fn in_categories(u: &User, role: Role, s: &Summary) -> bool {
    s.category
        .as_deref()
        .is_some_and(|c| u.categories_for(role).contains(&c))
}

const RULES: [Rule; 11] = [
    (
        "returned",
        "Мои на доработке",
        Role::Author,
        |u, s| s.author == u.id && s.returned && !s.status.is_terminal(),
    ),
    (
        "actualisation",
        "Мои на актуализации",
        Role::Author,
        |u, s| s.author == u.id && s.status == PracticeStatus::Actualisation,
    ),
    (
        "drafts",
        "Мои черновики",
        Role::Author,
        |u, s| s.author == u.id && s.status == PracticeStatus::Draft,
    ),
    (
        "confirmation",
        "На подтверждении",
        Role::Coordinator,
        |u, s| {
            s.status == PracticeStatus::RegionConfirmation
                && !s.returned
                && s.region
                    .as_deref()
                    .is_some_and(|r| u.regions_for(Role::Coordinator).contains(&r))
        },
    ),
    (
        "packaging",
        "Упаковка",
        Role::ExpertModerator,
        |u, s| {
            s.status == PracticeStatus::Packaging
                && !s.returned
                && in_categories(u, Role::ExpertModerator, s)
                && s.expert_moderator.is_none_or(|e| e == u.id)
        },
    ),
    (
        "review-start",
        "Экспертиза: открыть голосование",
        Role::ExpertModerator,
        |u, s| {
            s.status == PracticeStatus::ExpertReview
                && !s.returned
                && s.experts.is_empty()
                && in_categories(u, Role::ExpertModerator, s)
                && s.expert_moderator.is_none_or(|e| e == u.id)
        },
    ),
    (
        "tally",
        "Итоги голосования",
        Role::ExpertModerator,
        |u, s| {
            s.status == PracticeStatus::ExpertReview
                && !s.returned
                && !s.experts.is_empty()
                && in_categories(u, Role::ExpertModerator, s)
                && s.expert_moderator.is_none_or(|e| e == u.id)
        },
    ),
    (
        "my-vote",
        "Экспертиза: мой голос",
        Role::Expert,
        |u, s| {
            s.status == PracticeStatus::ExpertReview
                && !s.returned
                && s.experts.contains(&u.id)
                && !s.voted.contains(&u.id)
        },
    ),
    (
        "verification",
        "Верификация",
        Role::RatingCommittee,
        |_, s| s.status == PracticeStatus::RatingVerification && !s.returned,
    ),
    (
        "assign",
        "Назначение эксперта-модератора",
        Role::AsiModerator,
        |_, s| {
            matches!(
                s.status,
                PracticeStatus::Packaging | PracticeStatus::ExpertReview
            ) && s.expert_moderator.is_none()
                && !s.returned
        },
    ),
    (
        "publication",
        "К публикации",
        Role::AsiModerator,
        |_, s| s.status == PracticeStatus::Publication && !s.returned,
    ),
];

/// The user's queues over all summaries. Items with a deadline come first,
/// the nearest first; then the longest waiting. The regulation fixes no
/// time for the stages W-1…W-4, only for the author's revisions (§4.1.9)
/// and actualisations (§4.5.4).
pub fn queues<'a>(
    u: &User,
    summaries: impl IntoIterator<Item = &'a Summary>,
    calendar: &Calendar,
    today: NaiveDate,
) -> Vec<Queue> {
    let rules: Vec<&Rule> = RULES
        .iter()
        .filter(|r| !u.disabled && u.has_role(r.2))
        .collect();
    let mut out: Vec<Queue> = rules
        .iter()
        .map(|r| Queue {
            code: r.0,
            name: r.1,
            items: Vec::new(),
        })
        .collect();
    for s in summaries {
        for (i, r) in rules.iter().enumerate() {
            if (r.3)(u, s) {
                out[i].items.push(item(s, calendar, today));
            }
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

fn item(s: &Summary, calendar: &Calendar, today: NaiveDate) -> Item {
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
