//! Strategic partners and selections «Отборы», by id.

use super::{PARTNERS, Result, SELECTIONS, Store, codec};
use crate::domain::selection::{Partner, PartnerId, Selection, SelectionId};

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
}
