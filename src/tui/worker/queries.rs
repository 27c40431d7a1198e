//! The worker's side of the query language: the catalogue's search line
//! read as a query, and the saved views as tabs of «Очереди», from the
//! rows kept in memory ([`crate::service::query::Table`]).

use super::{Reply, Worker};
use crate::domain::User;
use crate::service::workflow as review;

impl Worker {
    /// «Очереди»: the stages' queues, then the user's saved views.
    pub(super) fn queues(&self, user: &User) -> Result<Vec<crate::domain::queue::Queue>, String> {
        let mut out = review::queues(&self.cx(), user).map_err(|e| e.to_string())?;
        let mut table = self
            .queries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if self.store.views(&user.login).is_ok_and(|v| !v.is_empty()) {
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
}
