//! The replication records: applications, events of §5.2 and the steps
//! changes made.

use uuid::Uuid;

use super::{APPLICATIONS, EVENTS, Result, STEPS, Store, codec, u64_key};

impl Store {
    /// A replication application.
    pub fn application(&self, id: Uuid) -> Result<Option<crate::domain::replication::Application>> {
        self.trees[APPLICATIONS]
            .get(id.as_bytes())?
            .map(|v| codec::decode(&v))
            .transpose()
            .map_err(Into::into)
    }

    /// Every replication application.
    pub fn applications(&self) -> Result<Vec<crate::domain::replication::Application>> {
        self.trees[APPLICATIONS]
            .iter()
            .values()
            .map(|v| Ok(codec::decode(&v?)?))
            .collect()
    }

    /// An event of §5.2.
    pub fn event(&self, id: Uuid) -> Result<Option<crate::domain::replication::Event>> {
        self.trees[EVENTS]
            .get(id.as_bytes())?
            .map(|v| codec::decode(&v))
            .transpose()
            .map_err(Into::into)
    }

    /// Every event of §5.2.
    pub fn events(&self) -> Result<Vec<crate::domain::replication::Event>> {
        self.trees[EVENTS]
            .iter()
            .values()
            .map(|v| Ok(codec::decode(&v?)?))
            .collect()
    }

    /// The replication step a change made.
    pub fn step(&self, seq: u64) -> Result<Option<crate::domain::replication::Step>> {
        self.trees[STEPS]
            .get(u64_key(seq))?
            .map(|v| codec::decode(&v))
            .transpose()
            .map_err(Into::into)
    }
}
