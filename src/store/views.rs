//! Saved views: a user's named queries, one record per user.

use super::{Result, Store, VIEWS, codec};
use crate::domain::UserId;
use crate::domain::query::Views;

impl Store {
    /// `user`'s saved views, (name, query), by name.
    pub fn views(&self, user: UserId) -> Result<Vec<(String, String)>> {
        Ok(self.views_record(user)?.views)
    }

    /// `user`'s record of saved views (empty when they saved none).
    pub fn views_record(&self, user: UserId) -> Result<Views> {
        Ok(match self.trees[VIEWS].get(user.as_bytes())? {
            Some(v) => codec::decode(&v)?,
            None => Views {
                user,
                views: Vec::new(),
            },
        })
    }
}
