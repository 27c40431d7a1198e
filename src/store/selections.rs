//! Strategic partners and selections «Отборы», by id.

use super::{CLUB, ENTRIES, PARTNERS, RECOMMENDATIONS, Result, SELECTIONS, Store, codec};
use crate::domain::PracticeId;
use crate::domain::selection::{Entry, Partner, PartnerId, Selection, SelectionId};

impl Store {
    /// One record of `tree` by its id.
    fn by_id<T: serde::de::DeserializeOwned>(
        &self,
        tree: usize,
        id: uuid::Uuid,
    ) -> Result<Option<T>> {
        self.trees[tree]
            .get(id.as_bytes())?
            .map(|v| codec::decode(&v))
            .transpose()
            .map_err(Into::into)
    }

    /// Every record of `tree`, oldest first (ids are `UUIDv7`).
    fn every<T: serde::de::DeserializeOwned>(&self, tree: usize) -> Result<Vec<T>> {
        self.trees[tree]
            .iter()
            .values()
            .map(|v| Ok(codec::decode(&v?)?))
            .collect()
    }

    pub fn partner(&self, id: PartnerId) -> Result<Option<Partner>> {
        self.by_id(PARTNERS, id)
    }

    pub fn partners(&self) -> Result<Vec<Partner>> {
        self.every(PARTNERS)
    }

    pub fn selection(&self, id: SelectionId) -> Result<Option<Selection>> {
        self.by_id(SELECTIONS, id)
    }

    pub fn selections(&self) -> Result<Vec<Selection>> {
        self.every(SELECTIONS)
    }

    /// A session of the Клуб стратегических инициатив.
    pub fn club_session(
        &self,
        id: crate::domain::club::ClubSessionId,
    ) -> Result<Option<crate::domain::club::ClubSession>> {
        self.by_id(CLUB, id)
    }

    /// Every session of the Club, oldest first.
    pub fn club_sessions(&self) -> Result<Vec<crate::domain::club::ClubSession>> {
        self.every(CLUB)
    }

    /// The partner's recommendation of a practice, if one is recorded.
    pub fn recommendation(
        &self,
        practice: PracticeId,
    ) -> Result<Option<crate::domain::selection::Recommendation>> {
        self.by_id(RECOMMENDATIONS, practice)
    }

    /// One application to a selection.
    pub fn entry(&self, selection: SelectionId, practice: PracticeId) -> Result<Option<Entry>> {
        self.trees[ENTRIES]
            .get([selection.as_bytes().as_slice(), practice.as_bytes()].concat())?
            .map(|v| codec::decode(&v))
            .transpose()
            .map_err(Into::into)
    }

    /// The applications to a selection, oldest practice first.
    pub fn entries(&self, selection: SelectionId) -> Result<Vec<Entry>> {
        self.trees[ENTRIES]
            .scan_prefix(selection.as_bytes())
            .values()
            .map(|v| Ok(codec::decode(&v?)?))
            .collect()
    }
}
