//! Client: the catalogue's rows, brought before their passports by a
//! first sync so the catalogue is usable on a slow link at once. A row is
//! a practice written without its texts and files (a queue's view of it);
//! its passport replaces it when the feed brings it, or at once when the
//! user opens it.

use std::sync::atomic::Ordering;

use super::{META, Mutation, PracticeId, Record, Result, Store};

/// The marker of a row whose passport is still to come, before its id.
pub(super) const KEY_ROW: &[u8] = b"row-only:";

fn key(id: PracticeId) -> Vec<u8> {
    [KEY_ROW, id.as_bytes().as_slice()].concat()
}

impl Store {
    /// The markers a commit writes (a change of rows) or removes (the
    /// practices it writes whole); none on a store without rows.
    pub(super) fn row_markers(&self, m: &Mutation) -> Vec<Vec<u8>> {
        if m.rows {
            self.rows_only.store(true, Ordering::SeqCst);
        } else if !self.rows_only.load(Ordering::SeqCst) {
            return Vec::new();
        }
        m.records
            .iter()
            .filter_map(|r| match r {
                Record::Practice(p) => Some(key(p.id)),
                _ => None,
            })
            .collect()
    }

    /// Whether the practice here is only its row: its passport's texts,
    /// files and documents have not arrived yet.
    pub fn is_row_only(&self, id: PracticeId) -> Result<bool> {
        if !self.rows_only.load(Ordering::SeqCst) {
            return Ok(false);
        }
        Ok(self.trees[META].get(key(id))?.is_some())
    }

    /// How many practices here are rows still waiting for their passports.
    pub fn rows_only(&self) -> Result<usize> {
        if !self.rows_only.load(Ordering::SeqCst) {
            return Ok(0);
        }
        Ok(self.trees[META].scan_prefix(KEY_ROW).count())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Practice;

    fn practice(title: &str) -> Practice {
        crate::store::tests::practice(uuid::Uuid::now_v7(), title)
    }

    #[test]
    fn a_row_waits_for_its_passport_and_the_passport_ends_the_wait() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (a, b) = (practice("Первая"), practice("Вторая"));
        {
            let store = Store::open(dir.path()).expect("opens");
            assert_eq!(store.rows_only().expect("reads"), 0);
            let mut m = Mutation::new(None, "sync.rows", "строки")
                .with(Record::Practice(Box::new(a.clone())))
                .with(Record::Practice(Box::new(b.clone())));
            m.rows = true;
            store.commit(&m).expect("commits");
            assert!(store.is_row_only(a.id).expect("reads"));
            assert_eq!(store.rows_only().expect("reads"), 2);
        }
        // Kept across a restart, and ended by the whole practice.
        let store = Store::open(dir.path()).expect("opens again");
        assert!(store.is_row_only(b.id).expect("reads"));
        let mut whole = b.clone();
        whole.passport.goal = "Цель".into();
        store
            .commit(
                &Mutation::new(None, "sync.pull", "паспорт")
                    .with(Record::Practice(Box::new(whole))),
            )
            .expect("commits");
        assert!(!store.is_row_only(b.id).expect("reads"));
        assert!(store.is_row_only(a.id).expect("reads"));
        assert_eq!(store.rows_only().expect("reads"), 1);
    }
}
