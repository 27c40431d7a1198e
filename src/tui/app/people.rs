//! The workstation's side of «Профиль», «Пользователи» and «Регионы»:
//! opening them for whom they are for, and the signed-in user changed by
//! their own profile.

use super::{App, Message, SyncState};
use crate::domain::User;
use crate::screens::Effect;

impl App {
    /// The signed-in user as saved. Without the consents to the rules or
    /// to processing the account is disabled: the workstation signs out
    /// at once.
    pub(super) fn signed(&mut self, u: User) {
        if u.disabled {
            self.user = None;
            self.stack.clear();
            self.message = Some(Message {
                text: "Учётная запись отключена: без этого согласия работать на платформе нельзя. Вы вышли.".into(),
                error: true,
            });
            // Over SSH there is no signing in again: the session ends.
            self.quit |= self.files.is_some();
        } else {
            self.user = Some(u);
        }
    }

    /// The sync state of a store linked to a server, as it starts.
    pub(super) fn sync_state(&self) -> SyncState {
        SyncState {
            online: None,
            pending: self.store.outbox().map_or(0, |o| o.len()),
            conflicts: self.store.conflicts().map_or(0, |c| c.len()),
            last: None,
            running: false,
            again: false,
            watching: false,
            next: std::time::Instant::now(),
        }
    }

    /// Opens «Профиль» or «Пользователи» for `user` (signed in), or
    /// «Регионы» and «Регистрация» for anyone; starts syncing a store just
    /// linked.
    pub(super) fn open_people(&mut self, e: Effect, user: Option<User>) {
        let eff = match (e, user) {
            (Effect::OpenRegister(reset), _) => {
                let server = crate::sync::client::api::credentials(self.store.dir())
                    .ok()
                    .flatten()
                    .map(|c| c.server);
                self.popup = Some(Box::new(crate::screens::popups::register::Register::open(
                    server, reset,
                )));
                return;
            }
            (Effect::Linked, _) => {
                if self.sync.is_none() {
                    self.sync = Some(self.sync_state());
                }
                self.sync_now();
                return;
            }
            (Effect::OpenRegions, user) => {
                let (s, eff) = crate::screens::regions::Regions::open(user);
                self.stack.push(Box::new(s));
                eff
            }
            (Effect::OpenSelections, user) => {
                let (s, eff) = crate::screens::selections::Selections::open(user);
                self.stack.push(Box::new(s));
                eff
            }
            (Effect::OpenProfile, Some(user)) if self.files.is_some() => {
                let (s, effects) = crate::screens::profile::Profile::open_remote(user);
                self.stack.push(Box::new(s));
                self.apply(effects);
                return;
            }
            (Effect::OpenProfile, Some(user)) => {
                let (s, eff) = crate::screens::profile::Profile::open(user);
                self.stack.push(Box::new(s));
                eff
            }
            (Effect::OpenUsers, Some(user)) if crate::domain::access::may_list_users(&user) => {
                use chrono::Datelike as _;
                let year = self.clock.today().year();
                let (s, eff) = crate::screens::users::Users::open(user, year);
                self.stack.push(Box::new(s));
                eff
            }
            (Effect::OpenUsers, Some(_)) => {
                self.message = Some(Message {
                    text: "Нужна роль координатора или АСИ.".into(),
                    error: true,
                });
                return;
            }
            _ => return,
        };
        self.apply(vec![eff]);
    }
}
