//! Sessions, kept under the hash of their token.

use chrono::{DateTime, Utc};

use super::{Result, SESSIONS, Session, Store, UserId, codec};

impl Store {
    /// Records a session under the hash of its token, durably.
    pub fn put_session(&self, token_hash: &[u8], s: &Session) -> Result<()> {
        let _gate = self.write_gate();
        self.trees[SESSIONS].insert(token_hash, codec::encode(s)?)?;
        self.db.flush()?;
        Ok(())
    }

    /// The session of a token hash, if any (expired ones included: the
    /// caller decides).
    pub fn session(&self, token_hash: &[u8]) -> Result<Option<Session>> {
        self.trees[SESSIONS]
            .get(token_hash)?
            .map(|v| codec::decode(&v))
            .transpose()
            .map_err(Into::into)
    }

    /// Ends a session (sign-out), durably.
    pub fn drop_session(&self, token_hash: &[u8]) -> Result<()> {
        let _gate = self.write_gate();
        self.trees[SESSIONS].remove(token_hash)?;
        self.db.flush()?;
        Ok(())
    }

    /// Ends every session of a user but `keep`; returns how many ended.
    pub fn drop_sessions_of(&self, user: UserId, keep: Option<&[u8]>) -> Result<usize> {
        let _gate = self.write_gate();
        let mut n = 0;
        for item in &self.trees[SESSIONS] {
            let (k, v) = item?;
            let s: Session = codec::decode(&v)?;
            if s.user == user && keep != Some(k.as_ref()) {
                self.trees[SESSIONS].remove(k)?;
                n += 1;
            }
        }
        self.db.flush()?;
        Ok(n)
    }

    /// Forgets expired sessions; returns how many.
    pub fn purge_sessions(&self, now: DateTime<Utc>) -> Result<usize> {
        let _gate = self.write_gate();
        let mut n = 0;
        for item in &self.trees[SESSIONS] {
            let (k, v) = item?;
            let s: Session = codec::decode(&v)?;
            if s.expires <= now {
                self.trees[SESSIONS].remove(k)?;
                n += 1;
            }
        }
        if n > 0 {
            self.db.flush()?;
        }
        Ok(n)
    }
}
