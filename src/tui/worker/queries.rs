//! The worker's side of the query language and of actions on several
//! practices: the catalogue's search line read as a query, the saved views
//! as tabs of «Очереди» (from the rows kept in memory,
//! [`crate::service::query::Table`]), an action previewed and taken on
//! every practice marked.

use std::fmt::Write as _;

use super::{Reply, Worker};
use crate::domain::workflow::Action as WorkflowAction;
use crate::domain::{PracticeId, User};
use crate::service::workflow as review;
use crate::service::workflow::ActInput;

impl Worker {
    /// «Очереди»: the stages' queues, then the user's saved views.
    pub(super) fn queues(&self, user: &User) -> Result<Vec<crate::domain::queue::Queue>, String> {
        let mut out = review::queues(&self.cx(), user).map_err(|e| e.to_string())?;
        let mut table = self
            .queries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if self.store.views(user.id).is_ok_and(|v| !v.is_empty()) {
            if table.is_none() {
                *table = Some(
                    crate::service::query::Table::build(&self.store).map_err(|e| e.to_string())?,
                );
            }
            if let Some(t) = table.as_mut() {
                let views =
                    crate::service::query::view_queues(&self.cx(), t, Some(&self.index), user)
                        .map_err(|e| format!("{e:?}"))?;
                out.extend(views);
            }
        }
        Ok(out)
    }

    /// The search line read as a query: the rows of the practices that
    /// meet it, or why it is not understood.
    pub(super) fn query(&self, tag: u64, query: &crate::search::SearchQuery) -> Reply {
        use crate::service::query::{QueryError, Table, catalogue};
        let mut table = self
            .queries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if table.is_none() {
            match Table::build(&self.store) {
                Ok(t) => *table = Some(t),
                Err(e) => return Reply::Error(e.to_string()),
            }
        }
        let Some(t) = table.as_mut() else {
            return Reply::Stale;
        };
        match catalogue(&self.cx(), t, &self.index, query) {
            Ok((total, rows)) => Reply::Search {
                tag,
                total,
                rows,
                suggestion: None,
                problem: None,
            },
            Err(QueryError::Parse(why)) => Reply::Search {
                tag,
                total: 0,
                rows: Vec::new(),
                suggestion: None,
                problem: Some(why),
            },
            Err(QueryError::Store(e)) => Reply::Error(e.message()),
        }
    }

    /// What an action would do to each of several marked practices.
    pub(super) fn preview(
        &self,
        user: &User,
        ids: Vec<crate::domain::PracticeId>,
        action: crate::domain::workflow::Action,
        input: &crate::service::workflow::ActInput,
    ) -> Reply {
        let blobs = crate::store::blobs::Blobs::new(self.store.dir());
        let result = crate::service::query::bulk(
            &self.cx(),
            &blobs,
            user,
            &ids,
            (action, input),
            false,
            &mut |_, _| {},
        )
        .map_err(|e| e.to_string());
        Reply::Previewed { ids, result }
    }

    /// An action on several practices, each as its own command: how many
    /// were done, and why the others were not.
    pub(super) fn act_all(
        &self,
        user: &User,
        ids: &[crate::domain::PracticeId],
        action: crate::domain::workflow::Action,
        input: &crate::service::workflow::ActInput,
        progress: &dyn Fn(usize, usize),
    ) -> Result<String, String> {
        let blobs = crate::store::blobs::Blobs::new(self.store.dir());
        let all = crate::service::query::bulk(
            &self.cx(),
            &blobs,
            user,
            ids,
            (action, input),
            true,
            &mut |done, all| progress(done, all),
        )
        .map_err(|e| e.to_string())?;
        let done = all.iter().filter(|b| b.result.is_ok()).count();
        let refused: Vec<String> = all
            .iter()
            .filter_map(|b| {
                b.result
                    .as_ref()
                    .err()
                    .map(|e| format!("{} — {e}", b.title))
            })
            .collect();
        if refused.is_empty() {
            Ok(format!("Готово: практик — {done}."))
        } else {
            Ok(format!(
                "Выполнено: {done}, отказано: {}. {}",
                refused.len(),
                refused.join(" · ")
            ))
        }
    }

    pub(super) fn act(
        &self,
        user: &User,
        ids: &[PracticeId],
        action: WorkflowAction,
        input: &ActInput,
    ) -> Result<String, String> {
        let blobs = crate::store::blobs::Blobs::new(self.store.dir());
        if ids.len() > 1 {
            return self.act_all(user, ids, action, input, &|_, _| {});
        }
        let mut done = Vec::new();
        for id in ids {
            match review::act(&self.cx(), &blobs, user, *id, action, input) {
                Ok(p) => done.push(p),
                Err(e) if done.is_empty() => return Err(e.message()),
                Err(e) => {
                    return Err(format!(
                        "Выполнено для {} из {}; дальше отказ: {}",
                        done.len(),
                        ids.len(),
                        e.message()
                    ));
                }
            }
        }
        Ok(match done.as_slice() {
            [p] => {
                let mut msg = format!("Готово: «{}» — {}", p.passport.title, p.status.name());
                if let Some(d) = &p.workflow.deadline
                    && p.workflow.returned.is_some()
                {
                    let _ = write!(msg, ", на доработке до {}", d.due.format("%d.%m.%Y"));
                }
                msg
            }
            _ => format!("Готово: практик — {}.", done.len()),
        })
    }
}
