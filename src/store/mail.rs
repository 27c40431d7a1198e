//! Server: the mail queue. A change that notifies people queues their mail
//! in its own transaction (so a notice acknowledged is a mail that will be
//! sent, even after a crash); the server's mailer delivers it and removes
//! it.

use serde::{Deserialize, Serialize};

use super::{MAIL, Result, Store, codec};

/// A message to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutMail {
    /// The address.
    pub to: String,
    /// The addressee's name, for the header.
    pub name: String,
    pub subject: String,
    pub body: String,
}

impl Store {
    /// Whether commits queue mail for their notices (on the central
    /// instance).
    pub fn set_mailing(&self, on: bool) {
        self.mailing.store(on, std::sync::atomic::Ordering::Relaxed);
    }

    pub fn is_mailing(&self) -> bool {
        self.mailing.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The oldest `n` messages waiting, with their keys. A record that
    /// does not decode is logged and removed: it would hold up the rest.
    pub fn waiting_mail(&self, n: usize) -> Result<Vec<(Vec<u8>, OutMail)>> {
        let mut out = Vec::new();
        for item in self.trees[MAIL].iter().take(n) {
            let (k, v) = item?;
            match codec::decode(&v) {
                Ok(m) => out.push((k.to_vec(), m)),
                Err(e) => {
                    tracing::error!(error = %e, "unreadable mail record removed");
                    self.trees[MAIL].remove(&k)?;
                }
            }
        }
        Ok(out)
    }

    /// The last day reminders were sent for.
    pub fn reminded_on(&self) -> Result<Option<chrono::NaiveDate>> {
        self.trees[super::META]
            .get(super::KEY_REMINDED)?
            .map(|v| codec::decode(&v))
            .transpose()
            .map_err(Into::into)
    }

    /// A message delivered: removed for good.
    pub fn mail_sent(&self, key: &[u8]) -> Result<()> {
        self.trees[MAIL].remove(key)?;
        self.db.flush()?;
        Ok(())
    }
}
