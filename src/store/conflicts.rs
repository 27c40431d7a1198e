//! The client's conflicts and refusals kept for the user.

use super::{CONFLICTS, Result, Store, codec};

impl Store {
    /// Client: keeps a conflict or refusal for the user, durably.
    pub fn put_conflict(&self, c: &crate::sync::protocol::Conflict) -> Result<()> {
        let _gate = self.write_gate();
        let key = [c.practice.as_bytes().as_slice(), c.key.as_bytes()].concat();
        self.trees[CONFLICTS].insert(key, codec::encode(c)?)?;
        self.db.flush()?;
        Ok(())
    }

    /// Client: the conflicts and refusals not resolved yet.
    pub fn conflicts(&self) -> Result<Vec<crate::sync::protocol::Conflict>> {
        self.trees[CONFLICTS]
            .iter()
            .values()
            .map(|v| Ok(codec::decode(&v?)?))
            .collect()
    }

    /// Client: forgets a resolved conflict.
    pub fn drop_conflict(&self, c: &crate::sync::protocol::Conflict) -> Result<()> {
        let _gate = self.write_gate();
        let key = [c.practice.as_bytes().as_slice(), c.key.as_bytes()].concat();
        self.trees[CONFLICTS].remove(key)?;
        self.db.flush()?;
        Ok(())
    }
}
