//! Practices, their revisions and list summaries, and the leader lists.

use super::{
    LEADERS, Leader, PRACTICES, Practice, PracticeId, QUEUE_VIEWS, REVISIONS, Result, Revision,
    SUMMARIES, Store, Summary, codec, revision_key,
};

impl Store {
    pub fn practice(&self, id: PracticeId) -> Result<Option<Practice>> {
        self.trees[PRACTICES]
            .get(id.as_bytes())?
            .map(|v| codec::decode(&v))
            .transpose()
            .map_err(Into::into)
    }

    /// The revisions of a practice, oldest first.
    pub fn revisions(&self, practice: PracticeId) -> Result<Vec<Revision>> {
        self.trees[REVISIONS]
            .scan_prefix(practice.as_bytes())
            .values()
            .map(|v| Ok(codec::decode(&v?)?))
            .collect()
    }

    /// The revisions of a practice after number `base`, newest first:
    /// read from the end, so a client that is nearly up to date costs a
    /// few records, not the practice's whole history.
    pub fn revisions_after(&self, practice: PracticeId, base: u32) -> Result<Vec<Revision>> {
        let mut out = Vec::new();
        for item in self.trees[REVISIONS].scan_prefix(practice.as_bytes()).rev() {
            let (k, v) = item?;
            let number = k
                .get(k.len().saturating_sub(4)..)
                .and_then(|b| <[u8; 4]>::try_from(b).ok())
                .map_or(0, u32::from_be_bytes);
            if number <= base {
                break;
            }
            out.push(codec::decode(&v)?);
        }
        Ok(out)
    }

    /// One revision of a practice.
    pub fn revision(&self, practice: PracticeId, number: u32) -> Result<Option<Revision>> {
        self.trees[REVISIONS]
            .get(revision_key(practice, number))?
            .map(|v| codec::decode(&v))
            .transpose()
            .map_err(Into::into)
    }

    /// The leader lists of every imported rating year.
    /// A region's page, if it was ever kept.
    pub fn region_page(&self, code: &str) -> Result<Option<crate::domain::regions::RegionPage>> {
        self.trees[super::REGIONS]
            .get(code.as_bytes())?
            .map(|v| codec::decode(&v))
            .transpose()
            .map_err(Into::into)
    }

    pub fn leaders(&self) -> Result<Vec<Leader>> {
        let mut out = Vec::new();
        for v in self.trees[LEADERS].iter().values() {
            let year: Vec<Leader> = codec::decode(&v?)?;
            out.extend(year);
        }
        Ok(out)
    }

    /// What the queues read of a practice ([`crate::domain::queue::view`]);
    /// the whole practice where a store has no view of it yet.
    pub fn queue_view(&self, id: PracticeId) -> Result<Option<Practice>> {
        match self.trees[QUEUE_VIEWS].get(id.as_bytes())? {
            Some(v) => Ok(Some(codec::decode(&v)?)),
            None => self.practice(id),
        }
    }

    /// The list summary of a practice.
    pub fn summary(&self, id: PracticeId) -> Result<Option<Summary>> {
        self.trees[SUMMARIES]
            .get(id.as_bytes())?
            .map(|v| codec::decode(&v))
            .transpose()
            .map_err(Into::into)
    }

    /// All practices, oldest first (ids are `UUIDv7`).
    pub fn practices(&self) -> impl Iterator<Item = Result<Practice>> + '_ {
        self.trees[PRACTICES]
            .iter()
            .values()
            .map(|v| Ok(codec::decode(&v?)?))
    }

    /// How many practices the store holds. Walks the whole tree: not for
    /// hot paths.
    pub fn practice_count(&self) -> usize {
        self.trees[PRACTICES].len()
    }

    /// The id and status of every summary, oldest practice first, read
    /// without the rest of it.
    pub fn summary_heads(
        &self,
    ) -> impl Iterator<Item = Result<crate::domain::queue::SummaryHead>> + '_ {
        self.trees[SUMMARIES]
            .iter()
            .values()
            .map(|v| Ok(codec::decode(&v?)?))
    }

    /// All list summaries, oldest practice first.
    pub fn summaries(&self) -> impl Iterator<Item = Result<Summary>> + '_ {
        self.trees[SUMMARIES]
            .iter()
            .values()
            .map(|v| Ok(codec::decode(&v?)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Mutation, Record};

    #[test]
    fn revisions_after_a_base_come_newest_first_and_no_older() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).expect("opens");
        let (id, other) = (PracticeId::now_v7(), PracticeId::now_v7());
        for (practice, number) in [(id, 1), (id, 2), (other, 9), (id, 3), (id, 300)] {
            let r = Revision {
                practice,
                number,
                at: chrono::Utc::now(),
                by: uuid::Uuid::now_v7(),
                fields: Vec::new(),
                passport: crate::domain::Passport::default(),
            };
            store
                .commit(&Mutation::new(None, "test", "правка").with(Record::Revision(Box::new(r))))
                .expect("commits");
        }
        let numbers = |base| -> Vec<u32> {
            store
                .revisions_after(id, base)
                .expect("reads")
                .iter()
                .map(|r| r.number)
                .collect()
        };
        assert_eq!(numbers(0), [300, 3, 2, 1]);
        assert_eq!(numbers(2), [300, 3]);
        assert_eq!(numbers(300), Vec::<u32>::new());
        assert_eq!(store.revisions_after(other, 0).expect("reads").len(), 1);
    }
}
