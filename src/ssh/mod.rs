//! The workstation served over SSH by the central instance
//! (`smarteka serve --ssh-bind ADDR`): `ssh -p 2222 LOGIN@host` opens the
//! same workstation — screens, keys, theme — acting as that user directly
//! on the server's store through the service layer. Nothing to install, no
//! sync, no conflicts.
//!
//! - The host key is made at the first start in the data directory (0600),
//!   and its fingerprint printed.
//! - Users sign in with the public keys of their account
//!   (`smarteka user key add`) or their password (keyboard-interactive,
//!   under the throttle of HTTP sign-in); a disabled account is refused,
//!   and its open sessions end.
//! - Each session has its own directory of files on the server
//!   (`DATA/ssh/LOGIN/`), filled over SFTP (`sftp`, `scp`): attachments
//!   come from it alone and documents are printed into it.
//! - Limits: sessions per user and in all, an idle timeout with a warning,
//!   and output that waits for a slow link without holding up anyone else.

mod auth;
pub mod client;
mod files;
mod input;
mod session;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use russh::keys::{HashAlg, PrivateKey};
use russh::server::Server as _;

use crate::domain::UserId;
use crate::search::SearchIndex;
use crate::server::{AppState, Door};
use crate::tui::keymap::Keymap;
use crate::tui::theme::Theme;

pub use input::Keys;

/// The file of the host key in the data directory.
pub const HOST_KEY: &str = "ssh_host_ed25519_key";
/// The directory of the sessions' files in the data directory.
pub const FILES_DIR: &str = "ssh";

/// How the SSH door is set up.
#[derive(Debug, Clone)]
pub struct Options {
    pub bind: SocketAddr,
    /// Sessions one user may have open at once.
    pub per_user: usize,
    /// Sessions open at once in all.
    pub total: usize,
    /// A session with no key pressed this long is closed…
    pub idle: Duration,
    /// …after a warning this long before.
    pub warn: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 2222)),
            per_user: 3,
            total: 100,
            idle: Duration::from_secs(30 * 60),
            warn: Duration::from_secs(2 * 60),
        }
    }
}

/// What every session's workstation looks like: the server's theme and
/// keymap, the page size and the notes for the help.
#[derive(Clone)]
pub struct Look {
    pub theme: Theme,
    pub keymap: Keymap,
    pub page: usize,
    pub notes: Vec<String>,
}

/// What the sessions share.
pub(crate) struct Shared {
    pub state: AppState,
    pub index: Arc<SearchIndex>,
    pub look: Look,
    pub opts: Options,
    /// Open sessions per user.
    open: Mutex<HashMap<UserId, usize>>,
    /// The store's last change seen: sessions redraw what changed.
    pub changes: tokio::sync::watch::Sender<u64>,
    pub data: PathBuf,
    /// What the sessions' workstations share.
    pub work: crate::tui::app::Shared,
}

/// A place among the open sessions, given back when dropped.
pub(crate) struct Slot {
    shared: Arc<Shared>,
    user: UserId,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = lock(&self.shared.open);
        if let Some(n) = open.get_mut(&self.user) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                open.remove(&self.user);
            }
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Shared {
    /// A place for one more session of `user`, or why there is none.
    pub fn admit(self: &Arc<Self>, user: UserId) -> Result<Slot, String> {
        let mut open = lock(&self.open);
        let total: usize = open.values().sum();
        if total >= self.opts.total {
            return Err(format!(
                "На сервере открыто сеансов: {total}, больше нельзя. Повторите позже."
            ));
        }
        let mine = open.get(&user).copied().unwrap_or(0);
        if mine >= self.opts.per_user {
            return Err(format!(
                "У вас уже открыто сеансов: {mine} (не больше {}). Закройте один из них.",
                self.opts.per_user
            ));
        }
        open.insert(user, mine + 1);
        Ok(Slot {
            shared: self.clone(),
            user,
        })
    }

    /// Sessions open now, in all.
    pub fn open_sessions(&self) -> usize {
        lock(&self.open).values().sum()
    }

    /// A change was written: other sessions and long-polling clients learn
    /// of it at once.
    pub fn wrote(&self) {
        self.caught_up();
        self.state.changed();
    }

    /// Moves the sessions' mark to the store's last change (never past the
    /// stop marker); whether it moved.
    fn caught_up(&self) -> bool {
        let Ok(seq) = self.state.store.last_seq() else {
            return false;
        };
        self.changes.send_if_modified(|s| {
            let newer = seq > *s && *s != u64::MAX;
            if newer {
                *s = seq;
            }
            newer
        })
    }
}

/// The host key of the instance: read from the data directory, or made
/// there at the first start, readable by its owner alone.
pub fn host_key(data: &Path) -> Result<PrivateKey, String> {
    let path = data.join(HOST_KEY);
    match std::fs::read_to_string(&path) {
        Ok(text) => PrivateKey::from_openssh(text.as_bytes()).map_err(|e| {
            format!(
                "Ключ сервера SSH «{}» не прочитан ({e}). Удалите файл, и сервер сделает новый (клиентам придётся принять его отпечаток).",
                path.display()
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = client::new_key();
            let text = key
                .to_openssh(russh::keys::ssh_key::LineEnding::LF)
                .map_err(|e| format!("Ключ сервера SSH не записан: {e}"))?;
            crate::store::credentials::write_private(&path, text.as_bytes()).map_err(|e| {
                format!("Ключ сервера SSH «{}» не записан: {e}", path.display())
            })?;
            Ok(key)
        }
        Err(e) => Err(format!(
            "Ключ сервера SSH «{}» не прочитан: {e}",
            path.display()
        )),
    }
}

/// The fingerprint of the host key, as `ssh` shows it on first contact.
pub fn fingerprint(key: &PrivateKey) -> String {
    key.public_key().fingerprint(HashAlg::Sha256).to_string()
}

/// The SSH door of `smarteka serve`: opened with the instance's state, it
/// serves until the instance stops, then ends every session with its work
/// saved.
pub fn door(opts: Options, data: PathBuf, look: Look) -> Door {
    Box::new(move |state: AppState| {
        let key = host_key(&data)?;
        let print = fingerprint(&key);
        let (index, _) = SearchIndex::open(&data.join("index"), &state.store)
            .map_err(|e| format!("Поисковый индекс для сеансов SSH не открыт: {e}"))?;
        let listener = std::net::TcpListener::bind(opts.bind)
            .map_err(|e| format!("Не удалось занять адрес SSH {}: {e}", opts.bind))?;
        listener.set_nonblocking(true).map_err(|e| e.to_string())?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let listener = tokio::net::TcpListener::from_std(listener).map_err(|e| e.to_string())?;
        files::prepare(&data.join(FILES_DIR))
            .map_err(|e| format!("Каталог файлов сеансов SSH не создан: {e}"))?;
        let seq = state.store.last_seq().unwrap_or(0);
        let shared = Arc::new(Shared {
            state,
            index: Arc::new(index),
            look,
            open: Mutex::new(HashMap::new()),
            changes: tokio::sync::watch::Sender::new(seq),
            data,
            opts,
            work: crate::tui::app::Shared::for_this_machine(),
        });
        eprintln!("smarteka serve: ssh://{addr}, ключ сервера {print}");
        let config = Arc::new(russh::server::Config {
            keys: vec![key],
            methods: auth::methods(),
            auth_rejection_time: Duration::from_millis(500),
            auth_rejection_time_initial: Some(Duration::ZERO),
            inactivity_timeout: None,
            keepalive_interval: Some(Duration::from_secs(30)),
            keepalive_max: 4,
            nodelay: true,
            max_auth_attempts: 6,
            ..Default::default()
        });
        Ok(Box::pin(serve(shared, config, listener)))
    })
}

/// Accepts connections until the instance stops; meanwhile follows the
/// store so that sessions see others' changes.
async fn serve(
    shared: Arc<Shared>,
    config: Arc<russh::server::Config>,
    listener: tokio::net::TcpListener,
) {
    let watcher = tokio::spawn(follow(shared.clone()));
    let mut server = auth::Doorway {
        shared: shared.clone(),
    };
    loop {
        let running = server.run_on_socket(config.clone(), &listener);
        let stop = running.handle();
        tokio::select! {
            r = running => {
                // Accepting failed (out of file descriptors, say): the
                // open sessions go on, and accepting starts again.
                tracing::error!(error = ?r.err(), "the SSH door stopped accepting; again in a second");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            () = shared.state.stopped() => {
                // Sessions see the instance stopping and save their work.
                let _ = shared.changes.send_replace(u64::MAX);
                let until = tokio::time::Instant::now() + Duration::from_secs(10);
                while shared.open_sessions() > 0 && tokio::time::Instant::now() < until {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                stop.shutdown("Сервер остановлен.".into());
                break;
            }
        }
    }
    watcher.abort();
}

/// Tells the sessions when the store changed by other hands (a push, the
/// instance's own jobs): woken by the instance's news, and every second
/// at most otherwise.
async fn follow(shared: Arc<Shared>) {
    loop {
        let woken = shared.state.news.notified();
        let _ = tokio::time::timeout(Duration::from_secs(1), woken).await;
        // Whoever wrote it, long-polling workstations hear of it too.
        if shared.caught_up() {
            shared.state.changed();
        }
    }
}
