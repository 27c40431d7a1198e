//! The watcher of a linked workstation: a long-poll of the server that
//! tells the App when there is news to sync.

use std::sync::mpsc;

use tokio::sync::mpsc::UnboundedSender;

use super::{Reply, Worker};

impl Worker {
    /// Long-polls the server for news until the workstation closes; after
    /// a failure (offline, session expired) waits a minute, or until nudged
    /// by a sync that got through.
    pub(super) fn watch(&self, replies: &UnboundedSender<Reply>, nudged: &mpsc::Receiver<()>) {
        const WAIT: u64 = 25;
        const RETRY: std::time::Duration = std::time::Duration::from_secs(60);
        let mut since = 0;
        while !replies.is_closed() {
            let Ok(Some(creds)) = crate::sync::client::api::credentials(self.store.dir()) else {
                let _ = nudged.recv_timeout(RETRY);
                continue;
            };
            let waited = crate::sync::client::api::block_on(crate::sync::client::wait(
                &self.store,
                &creds,
                since,
                WAIT,
            ))
            .and_then(|r| r);
            match waited {
                Ok(n) => {
                    since = n.latest;
                    if n.news && replies.send(Reply::News).is_err() {
                        return;
                    }
                }
                Err(e) => {
                    tracing::info!(error = %e, "watching the server failed");
                    // A server restored from a backup knows less than we
                    // saw: wait from the store's own cursor again.
                    since = 0;
                    let _ = nudged.recv_timeout(RETRY);
                }
            }
        }
    }
}
