//! A client of the SSH door, for `smarteka bench --ssh` and the tests:
//! signs in by key or password, checks the host key against the
//! fingerprint the server printed, opens a terminal and reads what the
//! session draws as a terminal would.

use std::sync::Arc;
use std::time::{Duration, Instant};

use russh::client::{self, Handle, Msg};
use russh::keys::{PrivateKey, PrivateKeyWithHashAlg, PublicKeyOrCertificate};
use russh::{Channel, ChannelMsg};

/// The end of a frame: the synchronized update closed.
pub const FRAME_END: &[u8] = b"\x1b[?2026l";

/// Trusts the server whose host key has the fingerprint given.
pub struct Trust {
    pub fingerprint: String,
}

impl client::Handler for Trust {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        key: &PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        Ok(match key {
            PublicKeyOrCertificate::PublicKey { key, .. } => {
                crate::service::keys::fingerprint(key) == self.fingerprint
            }
            PublicKeyOrCertificate::Certificate(_) => false,
        })
    }
}

/// How to sign in.
pub enum Credential {
    Key(Box<PrivateKey>),
    Password(String),
}

/// A signed-in connection.
pub struct Connection {
    pub handle: Handle<Trust>,
}

impl Connection {
    /// Connects to `addr` as `login`; `Err` says why not (a refused
    /// sign-in names the last prompt the server sent).
    pub async fn open(
        addr: std::net::SocketAddr,
        fingerprint: &str,
        login: &str,
        how: &Credential,
    ) -> Result<Self, String> {
        let config = Arc::new(client::Config {
            nodelay: true,
            ..Default::default()
        });
        let trust = Trust {
            fingerprint: fingerprint.to_owned(),
        };
        let mut handle = client::connect(config, addr, trust)
            .await
            .map_err(|e| format!("нет соединения: {e}"))?;
        match how {
            Credential::Key(key) => {
                // Ed25519 keys: no RSA hash to agree on.
                let r = handle
                    .authenticate_publickey(
                        login,
                        PrivateKeyWithHashAlg::new(Arc::new(key.as_ref().clone()), None),
                    )
                    .await
                    .map_err(|e| e.to_string())?;
                if !r.success() {
                    return Err("ключ не принят".into());
                }
            }
            Credential::Password(pw) => {
                let mut r = handle
                    .authenticate_keyboard_interactive_start(login, None)
                    .await
                    .map_err(|e| e.to_string())?;
                let mut last = String::new();
                let mut answered = false;
                loop {
                    match r {
                        client::KeyboardInteractiveAuthResponse::Success => break,
                        client::KeyboardInteractiveAuthResponse::Failure { .. } => {
                            return Err(format!("пароль не принят: {last}"));
                        }
                        client::KeyboardInteractiveAuthResponse::InfoRequest {
                            prompts, ..
                        } => {
                            if let Some(p) = prompts.first() {
                                last.clone_from(&p.prompt);
                            }
                            // One answer: a second prompt is a refusal.
                            if answered {
                                return Err(format!("пароль не принят: {last}"));
                            }
                            answered = true;
                            r = handle
                                .authenticate_keyboard_interactive_respond(
                                    prompts.iter().map(|_| pw.clone()).collect(),
                                )
                                .await
                                .map_err(|e| e.to_string())?;
                        }
                    }
                }
            }
        }
        Ok(Self { handle })
    }

    /// A terminal of `cols`×`rows` with the workstation in it.
    pub async fn terminal(&self, cols: u16, rows: u16, term: &str) -> Result<Term, String> {
        let channel = self
            .handle
            .channel_open_session()
            .await
            .map_err(|e| e.to_string())?;
        channel
            .request_pty(true, term, u32::from(cols), u32::from(rows), 0, 0, &[])
            .await
            .map_err(|e| e.to_string())?;
        channel
            .request_shell(true)
            .await
            .map_err(|e| e.to_string())?;
        Ok(Term {
            channel,
            screen: vt100::Parser::new(nonzero(rows), nonzero(cols), 0),
            closed: false,
        })
    }

    /// A session channel asking for a subsystem or a command instead.
    pub async fn channel(&self) -> Result<Channel<Msg>, String> {
        self.handle
            .channel_open_session()
            .await
            .map_err(|e| e.to_string())
    }
}

/// A terminal on a session: what was drawn, as a terminal shows it.
pub struct Term {
    pub channel: Channel<Msg>,
    pub screen: vt100::Parser,
    pub closed: bool,
}

impl Term {
    /// A channel that asked for a command or a shell without a terminal:
    /// what the server says on it, read as a terminal would.
    pub fn on(channel: Channel<Msg>) -> Self {
        Self {
            channel,
            screen: vt100::Parser::default(),
            closed: false,
        }
    }

    /// Types text (keys as the terminal sends them).
    pub async fn send(&mut self, bytes: &[u8]) {
        let _ = self.channel.data_bytes(bytes.to_vec()).await;
    }

    /// The screen as text, line by line.
    pub fn text(&self) -> String {
        self.screen.screen().contents()
    }

    /// Reads what arrives for up to `wait`; `true` while the session is
    /// open. Returns early on a frame's end.
    pub async fn read(&mut self, wait: Duration) -> bool {
        let until = tokio::time::Instant::now() + wait;
        while !self.closed {
            match tokio::time::timeout_at(until, self.channel.wait()).await {
                Err(_) => break,
                Ok(Some(ChannelMsg::Data { data })) => {
                    self.screen.process(&data);
                    if data.windows(FRAME_END.len()).any(|w| w == FRAME_END) {
                        break;
                    }
                }
                Ok(None | Some(ChannelMsg::Close)) => self.closed = true,
                Ok(Some(_)) => {}
            }
        }
        !self.closed
    }

    /// Reads until the screen shows `needle` (or `wait` passes): the
    /// screen, or `Err` with what it showed instead.
    pub async fn wait_for(&mut self, needle: &str, wait: Duration) -> Result<String, String> {
        self.wait_until(|s| s.contains(needle), wait).await
    }

    /// Reads until `ok` holds of the screen.
    pub async fn wait_until(
        &mut self,
        ok: impl Fn(&str) -> bool,
        wait: Duration,
    ) -> Result<String, String> {
        let until = Instant::now() + wait;
        loop {
            let s = self.text();
            if ok(&s) {
                return Ok(s);
            }
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero()
                || !self.read(left.min(Duration::from_millis(500))).await
                    && !ok(&self.text())
                    && self.closed
            {
                return Err(s);
            }
        }
    }

    /// The client's window changed size.
    pub async fn resize(&mut self, cols: u16, rows: u16) {
        let _ = self
            .channel
            .window_change(u32::from(cols), u32::from(rows), 0, 0)
            .await;
        self.screen
            .screen_mut()
            .set_size(nonzero(rows), nonzero(cols));
    }

    /// Sends a key and waits for the frame it brings: how long that took.
    pub async fn keystroke(&mut self, bytes: &[u8], wait: Duration) -> Option<Duration> {
        let start = Instant::now();
        self.send(bytes).await;
        let until = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(until, self.channel.wait()).await {
                Ok(Some(ChannelMsg::Data { data })) => {
                    self.screen.process(&data);
                    if data.windows(FRAME_END.len()).any(|w| w == FRAME_END) {
                        return Some(start.elapsed());
                    }
                }
                Ok(Some(_)) => {}
                Err(_) | Ok(None) => return None,
            }
        }
    }

    /// Everything the session still sends until it closes (what it said
    /// on the way out), for up to `wait`.
    pub async fn until_closed(&mut self, wait: Duration) -> Option<String> {
        let until = tokio::time::Instant::now() + wait;
        let mut tail = Vec::new();
        loop {
            match tokio::time::timeout_at(until, self.channel.wait()).await {
                Ok(Some(ChannelMsg::Data { data })) => {
                    self.screen.process(&data);
                    tail.extend_from_slice(&data);
                }
                Ok(None | Some(ChannelMsg::Close)) => {
                    self.closed = true;
                    return Some(String::from_utf8_lossy(&tail).into_owned());
                }
                Ok(Some(_)) => {}
                Err(_) => return None,
            }
        }
    }
}

fn nonzero(v: u16) -> std::num::NonZeroU16 {
    std::num::NonZeroU16::new(v).unwrap_or(std::num::NonZeroU16::MIN)
}

/// A new ed25519 key (from the operating system's randomness).
pub fn new_key() -> PrivateKey {
    let mut seed = [0u8; 32];
    rand::Rng::fill(&mut rand::rng(), &mut seed);
    PrivateKey::from(russh::keys::ssh_key::private::Ed25519Keypair::from_seed(
        &seed,
    ))
}

/// The line of `key`'s public half, as a `.pub` file holds it.
pub fn public_line(key: &PrivateKey, comment: &str) -> String {
    let mut public = key.public_key().clone();
    public.set_comment(comment);
    public.to_openssh().unwrap_or_default()
}

/// The address and host key fingerprint in the line `smarteka serve`
/// prints for its SSH door.
pub fn banner(line: &str) -> Option<(std::net::SocketAddr, String)> {
    let rest = line.split("ssh://").nth(1)?;
    let (addr, rest) = rest.split_once(',')?;
    let print = rest.split("ключ сервера").nth(1)?.trim();
    Some((addr.trim().parse().ok()?, print.to_owned()))
}

/// A `smarteka serve --ssh-bind` started as a child process on loopback
/// (ports chosen by the system), stopped when dropped.
pub struct Spawned {
    pub child: std::process::Child,
    /// host:port of HTTP.
    pub http: String,
    pub ssh: std::net::SocketAddr,
    /// The host key's fingerprint it printed.
    pub fingerprint: String,
}

impl Spawned {
    /// Starts `exe --data DATA serve … EXTRA…` and reads its addresses;
    /// what it writes after them keeps being read, so it never blocks.
    pub fn start(
        exe: &std::path::Path,
        data: &std::path::Path,
        extra: &[&str],
    ) -> Result<Self, String> {
        use std::io::BufRead as _;
        let mut child = std::process::Command::new(exe)
            .arg("--data")
            .arg(data)
            .args([
                "serve",
                "--bind",
                "127.0.0.1:0",
                "--ssh-bind",
                "127.0.0.1:0",
            ])
            .args(extra)
            .env_remove("SMARTEKA_CONFIG")
            .stderr(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| e.to_string())?;
        let stderr = child.stderr.take().ok_or("нет stderr сервера")?;
        let mut lines = std::io::BufReader::new(stderr).lines();
        let mut http = None;
        let (ssh, fingerprint) = loop {
            let Some(Ok(line)) = lines.next() else {
                let _ = child.kill();
                let _ = child.wait();
                return Err("сервер остановился, не открыв SSH".into());
            };
            if let Some(a) = line.split("http://").nth(1) {
                http = a.split_whitespace().next().map(str::to_owned);
            }
            if let Some(b) = banner(&line) {
                break b;
            }
        };
        std::thread::spawn(move || for _ in lines {});
        Ok(Self {
            child,
            http: http.unwrap_or_default(),
            ssh,
            fingerprint,
        })
    }

    /// Stops it as an operator would (SIGTERM) and waits.
    pub fn stop(mut self) {
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
