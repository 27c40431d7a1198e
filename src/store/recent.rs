//! The latest changes kept in memory, each with the rows of the practices
//! it wrote as the change left them: whether a user has news after a
//! cursor (asked by every push and long-poll) is answered from here
//! without reading the change log and a row per change from disk.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};

use super::{EntityRef, Store, Summary};

/// How many changes are kept: a cursor further back reads the change log.
const KEPT: usize = 4096;

/// One change as kept: its records, and the rows of its practices.
#[derive(Debug)]
pub struct Recent {
    pub seq: u64,
    pub entities: Vec<EntityRef>,
    pub rows: Vec<Summary>,
}

#[derive(Debug, Default)]
pub(super) struct RecentChanges(Mutex<VecDeque<Arc<Recent>>>);

impl RecentChanges {
    /// Keeps a change just committed (under the write gate, so in order);
    /// a gap in the sequence starts the memory afresh.
    pub(super) fn keep(&self, change: Recent) {
        let mut q = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if q.back().is_some_and(|b| b.seq + 1 != change.seq) {
            q.clear();
        }
        if q.len() == KEPT {
            q.pop_front();
        }
        q.push_back(Arc::new(change));
    }
}

impl Store {
    /// The changes after `since`, oldest first, when memory reaches back
    /// that far; `None` sends the caller to the change log.
    pub fn recent_since(&self, since: u64) -> Option<Vec<Arc<Recent>>> {
        let q = self.recent.0.lock().unwrap_or_else(PoisonError::into_inner);
        let first = q.front()?.seq;
        if first > since + 1 {
            return None;
        }
        let skip = usize::try_from(since + 1 - first).unwrap_or(usize::MAX);
        Some(q.iter().skip(skip).cloned().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Mutation, Record};

    #[test]
    fn recent_changes_answer_from_their_first_and_keep_the_rows() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).expect("opens");
        let before = store.last_seq().expect("reads");
        let p = crate::store::tests::practice(uuid::Uuid::now_v7(), "Первая");
        for title in ["Первая", "Вторая"] {
            let mut q = p.clone();
            q.passport.title = title.to_owned();
            store
                .commit(&Mutation::new(None, "test", "правка").with(Record::Practice(Box::new(q))))
                .expect("commits");
        }
        // Kept since this process opened the store: nothing before that.
        assert!(store.recent_since(before).is_some());
        assert!(store.recent_since(before.saturating_sub(1)).is_none() || before == 0);
        let after = store.recent_since(before).expect("kept");
        assert_eq!(
            after.iter().map(|c| c.seq).collect::<Vec<_>>(),
            [before + 1, before + 2]
        );
        assert_eq!(after[1].rows[0].title, "Вторая");
        assert_eq!(after[1].entities, [EntityRef::Practice(p.id)]);
        let last = store.recent_since(before + 1).expect("kept");
        assert_eq!(last.len(), 1);
        assert!(store.recent_since(before + 2).expect("kept").is_empty());
    }

    #[test]
    fn a_gap_starts_afresh_and_the_oldest_go_first() {
        let r = RecentChanges::default();
        let change = |seq| Recent {
            seq,
            entities: Vec::new(),
            rows: Vec::new(),
        };
        for seq in 1..=(KEPT as u64 + 10) {
            r.keep(change(seq));
        }
        {
            let q = r.0.lock().expect("lock");
            assert_eq!(q.len(), KEPT);
            assert_eq!(q.front().map(|c| c.seq), Some(11));
        }
        r.keep(change(KEPT as u64 + 20));
        assert_eq!(r.0.lock().expect("lock").len(), 1);
    }
}
