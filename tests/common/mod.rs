//! Shared fixtures of the integration tests.
#![allow(dead_code)]

pub mod cli;

use std::sync::Arc;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use smarteka::domain::clock::{Clock, FixedClock};
use smarteka::search::SearchIndex;
use smarteka::service::Ctx;
use smarteka::store::Store;
use smarteka::tui::app::App;
use smarteka::tui::keymap::Keymap;
use smarteka::tui::theme::Theme;

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub app: App,
    /// The clock of the app and its demo data: it moves only when told.
    pub clock: Arc<FixedClock>,
}

impl Fixture {
    /// The service context of the fixture's store and clock.
    pub fn cx(&self) -> Ctx<'_> {
        Ctx::new(&self.app.store, self.clock.as_ref())
    }
}

/// The day the fixtures' demo data is made on and their clocks show.
pub fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 3, 16).expect("a date")
}

/// The service context of a store the test shares with a server in this
/// process: both on the machine's clock, so sessions and deadlines made on
/// either side agree.
pub fn cx(store: &Store) -> Ctx<'_> {
    Ctx::new(store, &smarteka::domain::clock::SYSTEM)
}

/// A clock standing at noon of [`today`].
pub fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::on(today()))
}

/// A demo store of `n` practices and a settled app on it, both on the
/// fixed clock.
pub fn app(n: usize) -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let store = Store::open(dir.path()).expect("store");
        smarteka::demo::seed_at(&store, n, 1, clock().now(), |_, _| {}).expect("seed");
    }
    app_on(dir)
}

/// A settled app on the store in `dir` (and its index beside it, as the
/// command line keeps them), on the fixed clock.
pub fn app_on(dir: tempfile::TempDir) -> Fixture {
    let store = Store::open(dir.path()).expect("store");
    let clock = clock();
    let (index, _) = SearchIndex::open(&dir.path().join("index"), &store).expect("index");
    let mut app = App::new(
        Arc::new(store),
        Arc::new(index),
        Theme::default(),
        Keymap::default(),
        200,
        Vec::new(),
        clock.clone(),
    );
    app.settle();
    Fixture { dir, app, clock }
}

/// The example passport (`assets/examples/passport.json`) with its cover
/// stored in `dir`'s blob area: complete, ready to submit.
pub fn example_passport(store: &Store, dir: &std::path::Path) -> smarteka::domain::Passport {
    let doc: serde_json::Value =
        serde_json::from_str(include_str!("../../assets/examples/passport.json")).expect("json");
    let login = |l: &str| store.user_by_login(l).ok().flatten().map(|u| u.id);
    let mut passport = smarteka::service::passport_json::apply_json(
        &smarteka::domain::Passport::default(),
        &doc,
        &login,
    )
    .expect("passport");
    let blobs = smarteka::store::blobs::Blobs::new(dir);
    let cover = blobs
        .put_file(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/examples/cover.png"),
        )
        .expect("cover");
    passport.cover = Some(smarteka::domain::passport::Cover {
        sha256: cover.sha256,
        name: cover.name,
        format: smarteka::domain::passport::ImageFormat::Png,
        width: 1200,
        height: 900,
    });
    passport
}

/// The screen as text, one line per row, trailing spaces trimmed.
pub fn screen(app: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    t.draw(|f| app.render(f)).expect("draw");
    let buf = t.backend().buffer();
    let mut out = String::new();
    for y in 0..h {
        let mut line = String::new();
        for x in 0..w {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// A central instance running in this process on a demo store of `n`
/// practices, with a session for `login`.
pub struct Central {
    pub dir: tempfile::TempDir,
    pub store: Arc<Store>,
    pub url: String,
    pub runtime: tokio::runtime::Runtime,
}

/// A central instance on `store`, served in this process on 127.0.0.1:0:
/// its runtime and its address.
pub fn serve_store(store: Arc<Store>) -> (tokio::runtime::Runtime, String) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let app = smarteka::server::router(
        smarteka::server::AppState::new(store, chrono::Duration::hours(1)),
        std::time::Duration::from_secs(30),
    );
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("binds");
    let addr = listener.local_addr().expect("addr");
    runtime.spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .expect("serves");
    });
    (runtime, format!("http://{addr}"))
}

impl Central {
    pub fn start(n: usize) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Arc::new(Store::open(dir.path()).expect("store"));
        smarteka::demo::seed_at(&store, n, 1, chrono::Utc::now(), |_, _| {}).expect("seed");
        let (runtime, url) = serve_store(store.clone());
        Self {
            dir,
            store,
            url,
            runtime,
        }
    }

    /// A session for `login`, as `smarteka login` would get.
    pub fn credentials(&self, login: &str) -> smarteka::sync::client::api::Credentials {
        use sha2::Digest as _;
        let user = self
            .store
            .user_by_login(login)
            .expect("read")
            .expect("user");
        let token = format!("{:064x}", rand::random::<u128>());
        self.store
            .put_session(
                &sha2::Sha256::digest(token.as_bytes()),
                &smarteka::store::Session {
                    user: user.id,
                    created: chrono::Utc::now(),
                    expires: chrono::Utc::now() + chrono::Duration::hours(1),
                },
            )
            .expect("session");
        smarteka::sync::client::api::Credentials {
            server: self.url.clone(),
            login: login.to_owned(),
            token,
            expires: chrono::Utc::now() + chrono::Duration::hours(1),
        }
    }

    /// A linked client store in `dir`, synced once.
    pub fn client(
        &self,
        dir: &std::path::Path,
        login: &str,
    ) -> smarteka::sync::client::api::Credentials {
        let creds = self.credentials(login);
        smarteka::sync::client::api::remember(dir, &creds).expect("remembered");
        let store = Store::open(dir).expect("store");
        store.link().expect("link");
        self.runtime
            .block_on(smarteka::sync::client::sync(&store, &creds, |_| {}))
            .expect("first sync");
        creds
    }
}

/// A key, then every answer it asked for.
pub fn key(app: &mut App, code: crossterm::event::KeyCode) {
    app.on_key(crossterm::event::KeyEvent::new(
        code,
        crossterm::event::KeyModifiers::NONE,
    ));
    app.settle();
}

pub fn typ(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, crossterm::event::KeyCode::Char(c));
    }
}

/// Signs in through the login window (signing out first).
pub fn sign_in(app: &mut App, login: &str) {
    while app.popup.is_some() || !app.stack.is_empty() {
        key(app, crossterm::event::KeyCode::Esc);
    }
    if app.user.is_some() {
        // Signing out asks once.
        key(app, crossterm::event::KeyCode::Char('l'));
        key(app, crossterm::event::KeyCode::Char('l'));
    }
    key(app, crossterm::event::KeyCode::Char('l'));
    typ(app, login);
    key(app, crossterm::event::KeyCode::Tab);
    typ(app, "demo");
    key(app, crossterm::event::KeyCode::Enter);
    assert_eq!(app.user.as_ref().map(|u| u.login.as_str()), Some(login));
}

/// A real `smarteka serve` child process on 127.0.0.1:0, killed when
/// dropped.
pub struct Server {
    pub child: std::process::Child,
    /// host:port
    pub addr: String,
}

impl Server {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `cmd` (a `smarteka … serve --bind 127.0.0.1:0 …`) and reads the
/// address from its first line; its stderr keeps being read so the server
/// never blocks on a full pipe.
/// `smarteka --data DATA serve` on 127.0.0.1:0, without the user's config.
pub fn serve_at(data: &std::path::Path) -> Server {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_smarteka"));
    c.arg("--data")
        .arg(data)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env_remove("SMARTEKA_CONFIG");
    serve_with(c)
}

pub fn serve_with(mut cmd: std::process::Command) -> Server {
    use std::io::BufRead as _;
    let mut child = cmd
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("starts");
    let mut lines = std::io::BufReader::new(child.stderr.take().expect("stderr")).lines();
    let first = lines.next().expect("a line").expect("text");
    let addr = first
        .split("http://")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .unwrap_or_else(|| panic!("no address in «{first}»"))
        .to_owned();
    std::thread::spawn(move || for _ in lines {});
    Server { child, addr }
}
