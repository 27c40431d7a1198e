//! Saved views (a user's named queries) and SSH keys: one record per user.

use super::{Result, SSH_KEYS, Store, VIEWS, codec};
use crate::domain::UserId;
use crate::domain::keys::SshKeys;
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

    /// `user`'s SSH keys (empty when none were added).
    pub fn ssh_keys(&self, user: UserId) -> Result<SshKeys> {
        Ok(match self.trees[SSH_KEYS].get(user.as_bytes())? {
            Some(v) => codec::decode(&v)?,
            None => SshKeys {
                user,
                keys: Vec::new(),
            },
        })
    }
}
