//! Users, their logins and their inboxes.

use uuid::Uuid;

use super::{CodecError, INBOX, LOGINS, Notice, Result, Store, USERS, User, UserId, codec};

impl Store {
    pub fn user(&self, id: UserId) -> Result<Option<User>> {
        self.trees[USERS]
            .get(id.as_bytes())?
            .map(|v| codec::decode(&v))
            .transpose()
            .map_err(Into::into)
    }

    pub fn user_by_login(&self, login: &str) -> Result<Option<User>> {
        match self.trees[LOGINS].get(login.as_bytes())? {
            Some(id) => {
                let id = Uuid::from_slice(&id).map_err(|e| CodecError::Decode(e.to_string()))?;
                self.user(id)
            }
            None => Ok(None),
        }
    }

    pub fn users(&self) -> impl Iterator<Item = Result<User>> + '_ {
        self.trees[USERS]
            .iter()
            .values()
            .map(|v| Ok(codec::decode(&v?)?))
    }

    /// A user's inbox, newest first.
    pub fn inbox(&self, user: UserId) -> Result<Vec<Notice>> {
        let mut out: Vec<Notice> = self.trees[INBOX]
            .scan_prefix(user.as_bytes())
            .values()
            .map(|v| Ok(codec::decode(&v?)?))
            .collect::<Result<_>>()?;
        out.reverse();
        Ok(out)
    }

    /// Marks the user's inbox as seen, durably.
    pub fn mark_read(&self, user: UserId) -> Result<()> {
        let _gate = self.write_gate();
        let mut batch = sled::Batch::default();
        let mut any = false;
        for item in self.trees[INBOX].scan_prefix(user.as_bytes()) {
            let (k, v) = item?;
            let mut n: Notice = codec::decode(&v)?;
            if !n.read {
                n.read = true;
                batch.insert(k, codec::encode(&n)?);
                any = true;
            }
        }
        if any {
            self.trees[INBOX].apply_batch(batch)?;
            self.db.flush()?;
        }
        Ok(())
    }
}
