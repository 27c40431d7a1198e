//! Whether a practice meets a query: what it reads of a practice
//! ([`Row`]), what it reads beside it ([`Facts`]).

use chrono::NaiveDate;

use super::{Cond, Number, Query, Term};
use crate::domain::calendar::Calendar;
use crate::domain::passport::Route;
use crate::domain::queue::Summary;
use crate::domain::{PracticeId, PracticeStatus};

/// What a query reads of one practice: its row, with logins for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub id: PracticeId,
    pub title: String,
    pub status: PracticeStatus,
    pub region: Option<String>,
    pub category: Option<String>,
    pub route: Option<Route>,
    pub level: Option<u8>,
    pub year: Option<i32>,
    pub author: String,
    /// The experts of the open vote and the expert-moderator.
    pub experts: Vec<String>,
    pub votes: u32,
    pub applications: u32,
    pub deadline: Option<NaiveDate>,
    pub since: Option<NaiveDate>,
    pub actualise_by: Option<NaiveDate>,
}

impl Row {
    /// The row of a practice's summary; `login` names users, `route` and
    /// `applications` come from beside the summary.
    pub fn of(
        s: &Summary,
        route: Option<Route>,
        applications: u32,
        login: &dyn Fn(crate::domain::UserId) -> String,
    ) -> Self {
        let mut experts: Vec<String> = s.experts.iter().map(|u| login(*u)).collect();
        experts.extend(s.expert_moderator.map(login));
        Row {
            id: s.id,
            title: s.title.clone(),
            status: s.status,
            region: s.region.clone(),
            category: s.category.clone(),
            route,
            level: s.level,
            year: s.year,
            author: login(s.author),
            experts,
            votes: s.votes.iter().map(|v| u32::from(*v)).sum(),
            applications,
            deadline: s.deadline,
            since: s.since.map(|d| d.date_naive()),
            actualise_by: s.actualise_by,
        }
    }
}

/// What a query reads beside the rows: the day, the production calendar,
/// and which practices the search index finds for each word or phrase.
pub struct Facts<'a> {
    pub today: NaiveDate,
    pub calendar: &'a Calendar,
    pub text: &'a dyn Fn(&Cond, PracticeId) -> bool,
}

fn number(row: &Row, n: Number, f: &Facts<'_>) -> Option<i64> {
    Some(match n {
        Number::Due => f.calendar.working_days_between(f.today, row.deadline?),
        Number::Waiting => (f.today - row.since?).num_days(),
        Number::Votes => i64::from(row.votes),
        Number::Actualise => (row.actualise_by? - f.today).num_days(),
        Number::Applications => i64::from(row.applications),
        Number::Year => i64::from(row.year?),
        Number::Level => i64::from(row.level?),
    })
}

fn holds(c: &Cond, row: &Row, f: &Facts<'_>) -> bool {
    match c {
        Cond::Status(s) => row.status == *s,
        Cond::Region(r) => row.region.as_deref() == Some(r),
        Cond::Category(k) => row.category.as_deref() == Some(k),
        Cond::Route(r) => row.route == Some(*r),
        Cond::Author(l) => row.author == *l,
        Cond::Expert(l) => row.experts.iter().any(|e| e == l),
        Cond::Number(n, cmp, v) => number(row, *n, f).is_some_and(|x| cmp.holds(x, *v)),
        Cond::Overdue => {
            row.deadline.is_some_and(|d| d < f.today)
                || row.actualise_by.is_some_and(|d| d < f.today)
        }
        Cond::Word(_) | Cond::Phrase(_) => (f.text)(c, row.id),
    }
}

fn term(t: &Term, row: &Row, f: &Facts<'_>) -> bool {
    holds(&t.cond, row, f) != t.not
}

impl Query {
    /// Whether `row` meets the query: one alternative's terms all hold.
    /// An empty query matches every practice.
    pub fn matches(&self, row: &Row, f: &Facts<'_>) -> bool {
        self.is_empty()
            || self
                .any
                .iter()
                .any(|terms| !terms.is_empty() && terms.iter().all(|t| term(t, row, f)))
    }
}
