//! The workstation served over SSH by the central instance: signed in as
//! the session's user from the start, its files kept to the user's own
//! directory, and following changes others make to the same store.

use std::path::PathBuf;

use super::{App, Message};
use crate::domain::User;
use crate::domain::access::read_scope;
use crate::screens::Effect;
use crate::tui::worker::{Gate, Reply, Request, Served};

/// What the sessions of one server share: the turns at heavy work and
/// the query rows.
#[derive(Clone)]
pub struct Shared {
    pub gate: std::sync::Arc<Gate>,
    pub queries: std::sync::Arc<std::sync::Mutex<Option<crate::service::query::Table>>>,
}

impl Shared {
    /// Turns for half the processors (one at least): the other half
    /// stays free to draw the sessions' frames.
    pub fn for_this_machine() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        Self {
            gate: std::sync::Arc::new(Gate::new(cores / 2)),
            queries: std::sync::Arc::default(),
        }
    }
}

impl App {
    /// Opens the workstation for `user`, signed in by the SSH door; `files`
    /// is their directory on the server, the only one files are attached
    /// from and documents printed into. Signing out ends the session.
    pub fn serve_as(&mut self, user: User, files: PathBuf, shared: Shared) {
        self.files = Some(files.clone());
        self.apply(vec![Effect::Send(Request::Serve(Box::new(Served {
            files,
            gate: shared.gate,
            queries: shared.queries,
            user: user.id,
        })))]);
        self.message = Some(Message {
            text: "Изменения сразу видны всем.".into(),
            error: false,
        });
        let scope = read_scope(Some(&user));
        let id = user.id;
        self.user = Some(user);
        let effects = self.catalogue.set_scope(scope, Some(id));
        self.apply(effects);
        self.check_inbox();
    }

    /// Someone changed the store (another session, a syncing workstation):
    /// the catalogue and the counts follow, and the user's account is read
    /// again — a disabled one ends the session.
    pub fn store_changed(&mut self) {
        self.dirty = true;
        if let Some(u) = &self.user
            && let Ok(Some(now)) = self.store.user(u.id)
            && now != *u
        {
            if now.disabled {
                self.user = None;
                self.message = Some(Message {
                    text: "Учётная запись отключена. Сеанс завершён.".into(),
                    error: true,
                });
                self.quit = true;
                return;
            }
            if now.roles != u.roles {
                // Open screens hold the account as it was: what they hold
                // is saved, and they close; the catalogue reads anew.
                let mut effects = Vec::new();
                for s in &mut self.stack {
                    effects.extend(s.flush());
                }
                self.apply(effects);
                self.stack.clear();
                self.popup = None;
                self.message = Some(Message {
                    text: "Ваши роли изменились: экраны открыты заново.".into(),
                    error: true,
                });
                let (scope, id) = (read_scope(Some(&now)), now.id);
                self.user = Some(now);
                let effects = self.catalogue.set_scope(scope, Some(id));
                self.apply(effects);
                self.check_inbox();
                return;
            }
            self.user = Some(now);
        }
        let effects = self.catalogue.refresh();
        self.apply(effects);
        self.check_inbox();
    }

    /// The next answer of the worker (`None` once it stopped).
    pub async fn next_reply(&mut self) -> Option<Reply> {
        self.replies.recv().await
    }
}
