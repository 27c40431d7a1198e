//! Who comes in by the SSH door: a public key registered to the account,
//! or the account's password asked keyboard-interactively and checked as
//! HTTP sign-in checks it (the same throttle). A disabled account is
//! refused either way.

use std::borrow::Cow;
use std::net::SocketAddr;
use std::sync::Arc;

use russh::server::{
    Auth, ChannelOpenHandle, Msg, PublicKeyOffer, Response, Session, VerifiedPublicKey,
};
use russh::{Channel, ChannelId, MethodKind, MethodSet};

use super::Shared;
use crate::domain::User;

/// How a password may be tried on one connection before it is dropped.
const PASSWORD_TRIES: u32 = 3;

/// The methods offered: keys first, then the password.
pub(super) fn methods() -> MethodSet {
    MethodSet::from(&[MethodKind::PublicKey, MethodKind::KeyboardInteractive][..])
}

/// The listening side: one [`Connection`] per client.
pub(super) struct Doorway {
    pub shared: Arc<Shared>,
}

impl russh::server::Server for Doorway {
    type Handler = Connection;

    fn new_client(&mut self, peer: Option<SocketAddr>) -> Connection {
        Connection {
            shared: self.shared.clone(),
            peer,
            user: None,
            tries: 0,
        }
    }
}

/// One client's connection: signed in once, then its session channels.
pub(super) struct Connection {
    shared: Arc<Shared>,
    peer: Option<SocketAddr>,
    user: Option<User>,
    tries: u32,
}

/// Asks for the password; `before` (why the last one was refused) goes
/// into the prompt itself: OpenSSH shows a prompt as sent, while it
/// escapes non-ASCII instructions in a terminal without a UTF-8 locale.
fn password_prompt(before: Option<String>) -> Auth {
    let prompt = match before {
        Some(why) => format!("{why} Пароль: "),
        None => "Пароль: ".to_owned(),
    };
    Auth::Partial {
        name: Cow::Borrowed(""),
        instructions: Cow::Borrowed(""),
        prompts: Cow::Owned(vec![(Cow::Owned(prompt), false)]),
    }
}

impl Connection {
    fn ip(&self) -> String {
        self.peer
            .map_or_else(|| "ssh".to_owned(), |p| p.ip().to_string())
    }

    /// The account `login` with `key` among its own, enabled.
    fn by_key(&self, login: &str, key: &russh::keys::PublicKey) -> Option<User> {
        match crate::service::keys::signs_in(&self.shared.state.store, login, key) {
            Ok(u) => u,
            Err(e) => {
                tracing::error!(error = %e, "ssh: keys not read");
                None
            }
        }
    }
}

impl russh::server::Handler for Connection {
    type Error = anyhow::Error;

    async fn auth_none(&mut self, _user: &str) -> Result<Auth, Self::Error> {
        Ok(Auth::Reject {
            proceed_with_methods: Some(methods()),
            partial_success: false,
        })
    }

    async fn auth_publickey_offered(
        &mut self,
        user: &str,
        offer: PublicKeyOffer<'_>,
    ) -> Result<Auth, Self::Error> {
        Ok(match self.by_key(user, offer.public_key) {
            Some(_) => Auth::Accept,
            None => Auth::reject(),
        })
    }

    async fn auth_publickey(
        &mut self,
        user: &str,
        key: VerifiedPublicKey<'_>,
    ) -> Result<Auth, Self::Error> {
        let Some(u) = self.by_key(user, key.public_key) else {
            tracing::warn!(login = %user, ip = %self.ip(), "ssh: key refused");
            return Ok(Auth::reject());
        };
        tracing::info!(login = %u.login, ip = %self.ip(), key = %crate::service::keys::fingerprint(key.public_key), "ssh: signed in by key");
        self.user = Some(u);
        Ok(Auth::Accept)
    }

    async fn auth_keyboard_interactive<'a>(
        &'a mut self,
        user: &str,
        _submethods: &str,
        response: Option<Response<'a>>,
    ) -> Result<Auth, Self::Error> {
        if self.tries >= PASSWORD_TRIES {
            return Ok(Auth::Reject {
                proceed_with_methods: Some(MethodSet::from(&[MethodKind::PublicKey][..])),
                partial_success: false,
            });
        }
        let Some(mut answers) = response else {
            return Ok(password_prompt(None));
        };
        let password = answers
            .next()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
        match crate::server::sign_in(&self.shared.state, user, &password, &self.ip()).await {
            Ok(u) => {
                tracing::info!(login = %u.login, ip = %self.ip(), "ssh: signed in by password");
                self.user = Some(u);
                Ok(Auth::Accept)
            }
            Err(e) => {
                self.tries += 1;
                if self.tries >= PASSWORD_TRIES {
                    return Ok(Auth::Reject {
                        proceed_with_methods: Some(MethodSet::from(&[MethodKind::PublicKey][..])),
                        partial_success: false,
                    });
                }
                Ok(password_prompt(Some(e.message())))
            }
        }
    }

    async fn channel_open_session(
        &mut self,
        channel: Channel<Msg>,
        reply: ChannelOpenHandle,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        // The account as it is now: a connection outlives sign-in.
        let Some(user) = self
            .user
            .as_ref()
            .and_then(|u| self.shared.state.store.user(u.id).ok().flatten())
            .filter(|u| !u.disabled)
        else {
            return Ok(());
        };
        reply.accept().await;
        tokio::spawn(super::session::run(
            self.shared.clone(),
            user,
            channel,
            session.handle(),
        ));
        Ok(())
    }

    async fn pty_request(
        &mut self,
        channel: ChannelId,
        _term: &str,
        _cols: u32,
        _rows: u32,
        _pix_width: u32,
        _pix_height: u32,
        _modes: &[(russh::Pty, u32)],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_success(channel)?;
        Ok(())
    }

    async fn shell_request(
        &mut self,
        channel: ChannelId,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_success(channel)?;
        Ok(())
    }

    async fn exec_request(
        &mut self,
        channel: ChannelId,
        _data: &[u8],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        // The session answers with why commands are not run.
        session.channel_success(channel)?;
        Ok(())
    }

    async fn subsystem_request(
        &mut self,
        channel: ChannelId,
        name: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        if name == "sftp" {
            session.channel_success(channel)?;
        } else {
            session.channel_failure(channel)?;
        }
        Ok(())
    }
}
