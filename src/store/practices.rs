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
