//! The TUI runtime: the screen stack, popups, key dispatch through the
//! keymap, background replies, and the event loop that draws only when
//! something changed.

use std::sync::Arc;
use std::sync::mpsc::Sender;

use crossterm::event::{KeyEvent, KeyEventKind, KeyModifiers};
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

use crate::domain::User;
use crate::domain::access::read_scope;
use crate::domain::clock::Clock;
use crate::screens::catalogue::Catalogue;
use crate::screens::editor::Editor;
use crate::screens::passport::PassportView;
use crate::screens::popups::help::Help;
use crate::screens::popups::login::Login;
use crate::screens::popups::{act::Act, vote::VoteForm};
use crate::screens::{Effect, Screen};
use crate::screens::{diff::Diff, history::History, inbox::Inbox, queues::Queues};
use crate::search::SearchIndex;
use crate::store::Store;
use crate::tui::action::Action;
use crate::tui::keymap::Keymap;
use crate::tui::theme::Theme;
use crate::tui::ui::short_name;
use crate::tui::worker::{Reply, Request, Worker};

mod people;
mod remote;

pub use remote::Shared;
mod run;

/// Sleeps until the deadline, or forever without one.
async fn sleep_until(deadline: Option<std::time::Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(tokio::time::Instant::from_std(d)).await,
        None => std::future::pending().await,
    }
}

/// A message in the status bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub text: String,
    pub error: bool,
}

pub struct App {
    pub store: Arc<Store>,
    pub theme: Theme,
    pub keymap: Keymap,
    pub user: Option<User>,
    pub catalogue: Catalogue,
    /// Screens above the catalogue.
    pub stack: Vec<Box<dyn Screen>>,
    pub popup: Option<Box<dyn Screen>>,
    /// The window the help or the message log covers: it comes back, with
    /// what was typed into it, when they close.
    covered: Option<Box<dyn Screen>>,
    pub message: Option<Message>,
    /// Sync with the central instance, when the store is linked to one.
    pub sync: Option<SyncState>,
    /// Unread inbox items and deadlines near or past, for the status bar.
    pub unread: usize,
    pub alerts: usize,
    /// Notes for the help overlay: provisional calendar, config problems.
    pub notes: Vec<String>,
    requests: Sender<Request>,
    replies: UnboundedReceiver<Reply>,
    /// The workstation's one clock, shared with its worker.
    clock: Arc<dyn Clock>,
    /// A question asked in the status bar, answered by the next key.
    asked: Option<Question>,
    /// The messages shown, oldest first (the last 200), for `!`.
    pub log: std::collections::VecDeque<crate::screens::popups::messages::Logged>,
    /// Keys typed while the top screen was loading, applied once it is
    /// ready.
    typed_ahead: std::collections::VecDeque<KeyEvent>,
    in_flight: usize,
    pub dirty: bool,
    pub quit: bool,
    pub clear: bool,
    /// Served over SSH by the central instance: the session's own files
    /// directory (attachments come from it, documents go into it).
    pub files: Option<std::path::PathBuf>,
}

/// Where the workstation stands with the central instance.
#[derive(Debug, Clone)]
pub struct SyncState {
    /// `None` before the first attempt.
    pub online: Option<bool>,
    pub pending: usize,
    pub conflicts: usize,
    pub last: Option<chrono::DateTime<chrono::Local>>,
    pub running: bool,
    /// News arrived while a sync ran: sync again when it ends.
    pub again: bool,
    /// The long-poll watcher runs (started by `run`).
    pub watching: bool,
    /// When to sync next in the background.
    pub next: std::time::Instant,
}

/// How often to sync in the background: soon after a change; others'
/// changes are learnt of by a long-poll (`Request::Watch`), so an idle sync
/// is only a fallback; longer while offline.
const SYNC_SOON: std::time::Duration = std::time::Duration::from_secs(3);
const SYNC_IDLE: std::time::Duration = std::time::Duration::from_secs(300);
const SYNC_OFFLINE: std::time::Duration = std::time::Duration::from_secs(60);

/// Global actions offered on every screen in addition to its own.
const GLOBAL: [Action; 4] = [
    Action::Help,
    Action::Messages,
    Action::Redraw,
    Action::SyncNow,
];

/// A question the App asks before an action that cannot be taken back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Question {
    /// `l` again signs out.
    Logout,
    /// `q` again ends a session served over SSH.
    Quit,
}

impl App {
    /// The service context of the workstation: its store and its clock.
    pub fn cx(&self) -> crate::service::Ctx<'_> {
        crate::service::Ctx::new(&self.store, self.clock.as_ref())
    }

    pub fn new(
        store: Arc<Store>,
        index: Arc<SearchIndex>,
        theme: Theme,
        keymap: Keymap,
        page: usize,
        notes: Vec<String>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let (tx, rx) = unbounded_channel();
        let requests = Worker {
            queries: Arc::default(),
            store: store.clone(),
            index,
            clock: clock.clone(),
        }
        .spawn(tx);
        let mut app = Self {
            store,
            theme,
            keymap,
            user: None,
            catalogue: Catalogue::new(page),
            stack: Vec::new(),
            popup: None,
            covered: None,
            message: None,
            unread: 0,
            alerts: 0,
            sync: None,
            notes,
            requests,
            replies: rx,
            clock,
            typed_ahead: std::collections::VecDeque::new(),
            log: std::collections::VecDeque::new(),
            asked: None,
            in_flight: 0,
            dirty: true,
            quit: false,
            clear: false,
            files: None,
        };
        if let Ok(Some(_)) = crate::sync::client::api::credentials(app.store.dir()) {
            app.sync = Some(app.sync_state());
        }
        let effects = app.catalogue.refresh();
        app.apply(effects);
        app
    }

    /// Where `P` writes its PDFs from now on.
    pub fn print_into(&mut self, dir: std::path::PathBuf) {
        self.apply(vec![Effect::Send(Request::PrintDir(dir))]);
    }

    fn sync_now(&mut self) {
        match &mut self.sync {
            Some(s) if s.running => {
                s.again = true;
            }
            Some(s) => {
                s.running = true;
                self.apply(vec![Effect::Send(Request::Sync)]);
            }
            None => {
                self.message = Some(Message {
                    text: "Сервер не подключён: smarteka --as ЛОГИН login --server АДРЕС.".into(),
                    error: true,
                });
            }
        }
    }

    /// A local change was saved: send it soon.
    fn changed(&mut self) {
        if let Some(s) = &mut self.sync {
            s.pending += 1;
            s.next = s.next.min(std::time::Instant::now() + SYNC_SOON);
        }
    }

    fn top(&mut self) -> &mut dyn Screen {
        if let Some(p) = &mut self.popup {
            return p.as_mut();
        }
        match self.stack.last_mut() {
            Some(s) => s.as_mut(),
            None => &mut self.catalogue,
        }
    }

    fn top_ref(&self) -> &dyn Screen {
        if let Some(p) = &self.popup {
            return p.as_ref();
        }
        match self.stack.last() {
            Some(s) => s.as_ref(),
            None => &self.catalogue,
        }
    }

    fn offered(&self) -> Vec<Action> {
        let mut v = self.top_ref().commands();
        for g in GLOBAL {
            if g == Action::SyncNow && self.sync.is_none() {
                continue;
            }
            if !v.contains(&g) {
                v.push(g);
            }
        }
        v
    }

    /// A key from the terminal. While the top screen loads, keys wait for
    /// it (up to a screenful of typing); Ctrl-C never waits.
    pub fn on_key(&mut self, key: KeyEvent) {
        if key.kind == KeyEventKind::Release {
            return;
        }
        let interrupt = key.modifiers.contains(KeyModifiers::CONTROL)
            && key.code == crossterm::event::KeyCode::Char('c');
        if !interrupt && (!self.typed_ahead.is_empty() || !self.top_ref().ready()) {
            if self.typed_ahead.len() < 256 {
                self.typed_ahead.push_back(key);
            }
            return;
        }
        self.key_now(key);
    }

    /// Applies the keys typed ahead while the top screen is ready.
    fn catch_up_keys(&mut self) {
        while self.top_ref().ready() {
            let Some(key) = self.typed_ahead.pop_front() else {
                break;
            };
            self.key_now(key);
        }
    }

    fn key_now(&mut self, key: KeyEvent) {
        // Over SSH, paths typed are read in the session's own directory.
        let files = self.files.clone();
        crate::screens::form::files_within(files.as_deref(), || self.key_inner(key));
        self.record();
    }

    fn key_inner(&mut self, key: KeyEvent) {
        self.dirty = true;
        let offered = self.offered();
        let printable = matches!(key.code, crossterm::event::KeyCode::Char(_))
            && !key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        if self.top_ref().text_input() && printable {
            let effects = self.top().input(key);
            self.apply(effects);
            return;
        }
        if key.modifiers.contains(KeyModifiers::CONTROL)
            && matches!(key.code, crossterm::event::KeyCode::Char('c' | 'с'))
        {
            // Ctrl-C leaves from any screen; pending drafts are saved on
            // the way out, as on `q` in the catalogue.
            self.quit = true;
            return;
        }
        match self.keymap.resolve(&key, &offered) {
            Some(a) => self.on_action(a),
            None if self.top_ref().text_input() => {
                let effects = self.top().input(key);
                self.apply(effects);
            }
            // `q` goes back on every screen that does not take it itself.
            None if !self.at_root() && self.keymap.resolve(&key, &[Action::Quit]).is_some() => {
                self.on_action(Action::Back);
            }
            None => {}
        }
    }

    /// Keeps the message now shown in the log, once.
    fn record(&mut self) {
        if let Some(m) = &self.message {
            let (text, error) = (m.text.clone(), m.error);
            self.log_message(text, error);
        }
    }

    fn log_message(&mut self, text: String, error: bool) {
        if self
            .log
            .back()
            .is_some_and(|l| l.text == text && l.error == error)
        {
            return;
        }
        let at = self
            .clock
            .now()
            .with_timezone(&chrono::Local)
            .format("%d.%m.%Y %H:%M:%S")
            .to_string();
        self.log
            .push_back(crate::screens::popups::messages::Logged { at, text, error });
        if self.log.len() > 200 {
            self.log.pop_front();
        }
    }

    /// Shows `overlay` over the window in front, which waits under it; an
    /// overlay already open is replaced.
    fn cover_with(&mut self, overlay: Box<dyn Screen>) {
        match self.popup.take() {
            Some(p) if !p.is_overlay() => self.covered = Some(p),
            _ => {}
        }
        self.popup = Some(overlay);
    }

    /// The help of the screen in front, as `?` shows it.
    fn help(&self) -> Help {
        let mut help = Help::of(
            self.top_ref(),
            &self.offered(),
            &self.keymap,
            self.notes.clone(),
        );
        if !self.at_root() {
            help.quit_goes_back(&self.keymap, self.top_ref().text_input());
        } else if self.files.is_some() {
            // Over SSH, `q` ends the session, asked first.
            for row in &mut help.rows {
                if row.1 == Action::Quit.description() {
                    "Завершить сеанс (спросит ещё раз)".clone_into(&mut row.1);
                }
            }
        }
        help
    }

    /// The rows of that help: the keys, and what they do.
    pub fn help_rows(&self) -> Vec<(String, String)> {
        self.help().rows
    }

    /// Whether the catalogue itself is in front: `q` quits only there.
    fn at_root(&self) -> bool {
        self.popup.is_none() && self.stack.is_empty()
    }

    pub fn on_action(&mut self, action: Action) {
        self.dirty = true;
        self.message = None;
        let asked = self.asked.take();
        match action {
            Action::Help => {
                if self.popup.as_ref().is_some_and(|p| p.is_help()) {
                    self.popup = self.covered.take();
                    return;
                }
                let help = self.help();
                self.cover_with(Box::new(help));
            }
            Action::Redraw => self.clear = true,
            Action::Messages => {
                let log = self.log.iter().cloned().collect();
                self.cover_with(Box::new(crate::screens::popups::messages::Messages::new(
                    log,
                )));
            }
            Action::SyncNow => self.sync_now(),
            // Over SSH, leaving costs a new sign-in: asked once.
            Action::Quit
                if self.files.is_some() && self.at_root() && asked != Some(Question::Quit) =>
            {
                self.asked = Some(Question::Quit);
                self.message = Some(Message {
                    text: "Завершить сеанс? q — да.".into(),
                    error: false,
                });
            }
            Action::Login
                if self.popup.is_none()
                    && self.user.is_some()
                    && asked != Some(Question::Logout) =>
            {
                // Signing out costs the user's place: asked once.
                self.asked = Some(Question::Logout);
                self.message = Some(Message {
                    text: "Выйти из системы? l — да.".into(),
                    error: false,
                });
            }
            Action::Login if self.popup.is_none() && self.files.is_some() => self.quit = true,
            Action::Login if self.popup.is_none() => {
                if let Some(u) = self.user.take() {
                    self.message = Some(Message {
                        text: format!("{} вышел(а) из системы.", short_name(&u.profile.full_name)),
                        error: false,
                    });
                    let effects = self.catalogue.set_scope(read_scope(None), None);
                    self.apply(effects);
                } else {
                    self.popup = Some(Box::new(Login::default()));
                }
            }
            a => {
                let effects = self.top().handle(a);
                self.apply(effects);
            }
        }
    }

    pub fn apply(&mut self, effects: Vec<Effect>) {
        for e in effects {
            match e {
                Effect::Close => match self.popup.take() {
                    // The window under the help or the log comes back.
                    Some(p) if p.is_overlay() => self.popup = self.covered.take(),
                    Some(_) => {}
                    None => {
                        self.stack.pop();
                    }
                },
                Effect::Quit => self.quit = true,
                Effect::Log(text) => self.log_message(text, true),
                Effect::OpenPassport(id) => {
                    let (view, eff) = PassportView::open(id, self.user.clone());
                    self.stack.push(Box::new(view));
                    self.apply(vec![eff]);
                }
                Effect::Send(req) => {
                    if self.requests.send(req).is_ok() {
                        self.in_flight += 1;
                    } else {
                        self.message = Some(Message {
                            text: "Фоновая задача остановилась. Перезапустите программу.".into(),
                            error: true,
                        });
                    }
                }
                Effect::Message(text) => self.message = Some(Message { text, error: false }),
                Effect::Refresh => {
                    let effects = self.catalogue.refresh();
                    self.apply(effects);
                }
                Effect::NewDraft | Effect::EditDraft(_) => {
                    let Some(user) = self.user.clone() else {
                        self.message = Some(Message {
                            text: "Войдите, чтобы работать с паспортами: l.".into(),
                            error: true,
                        });
                        continue;
                    };
                    let req = match e {
                        Effect::EditDraft(id) => Request::OpenDraft {
                            user: Box::new(user),
                            id,
                        },
                        _ => Request::NewDraft {
                            user: Box::new(user),
                        },
                    };
                    self.apply(vec![Effect::Send(req)]);
                }
                Effect::Error(text) => self.message = Some(Message { text, error: true }),
                Effect::Signed(u) => self.signed(*u),
                Effect::OpenRegions
                | Effect::OpenSelections
                | Effect::OpenRegister(_)
                | Effect::Linked => {
                    self.open_people(e, self.user.clone());
                }
                Effect::OpenQueues
                | Effect::OpenInbox
                | Effect::OpenProfile
                | Effect::OpenUsers
                | Effect::Workflow(_)
                | Effect::Vote(_) => {
                    let Some(user) = self.user.clone() else {
                        self.message = Some(Message {
                            text:
                                "Войдите, чтобы работать с очередями, уведомлениями и профилем: l."
                                    .into(),
                            error: true,
                        });
                        continue;
                    };
                    let eff = match e {
                        Effect::OpenQueues => {
                            let (s, eff) = Queues::open(user);
                            self.stack.push(Box::new(s));
                            eff
                        }
                        Effect::OpenInbox => {
                            let (s, eff) = Inbox::open(user);
                            self.stack.push(Box::new(s));
                            eff
                        }
                        Effect::OpenProfile | Effect::OpenUsers => {
                            self.open_people(e, Some(user));
                            continue;
                        }
                        Effect::Workflow(ids) => {
                            let (s, eff) = Act::open(ids, user);
                            self.popup = Some(Box::new(s));
                            eff
                        }
                        Effect::Vote(id) => {
                            let (s, eff) = VoteForm::open(id, user);
                            self.popup = Some(Box::new(s));
                            eff
                        }
                        _ => continue,
                    };
                    self.apply(vec![eff]);
                }
                Effect::SyncNow => self.sync_now(),
                Effect::OpenReplication | Effect::WantToImplement(..) => {
                    let Some(user) = self.user.clone() else {
                        self.message = Some(Message {
                            text: "Войдите, чтобы работать с тиражированием: l.".into(),
                            error: true,
                        });
                        continue;
                    };
                    if let Effect::WantToImplement(id, title) = e {
                        // Who may not apply is told before any form opens.
                        if let Err(why) = crate::domain::replication::recipient_region(&user) {
                            self.message = Some(Message {
                                text: why.join("; "),
                                error: true,
                            });
                            continue;
                        }
                        self.popup = Some(Box::new(crate::screens::replication::ApplyForm::new(
                            user, id, title,
                        )));
                    } else {
                        let (s, eff) = crate::screens::replication::Replication::open(user);
                        self.stack.push(Box::new(s));
                        self.apply(vec![eff]);
                    }
                }
                Effect::OpenConflicts => {
                    let Some(user) = self.user.clone() else {
                        self.message = Some(Message {
                            text: "Войдите, чтобы разбирать конфликты: l.".into(),
                            error: true,
                        });
                        continue;
                    };
                    let (s, eff) = crate::screens::conflicts::Conflicts::open(user);
                    self.stack.push(Box::new(s));
                    self.apply(vec![eff]);
                }
                Effect::OpenHistory(id) => {
                    let (s, eff) = History::open(id, self.user.clone());
                    self.stack.push(Box::new(s));
                    self.apply(vec![eff]);
                }
                Effect::OpenDiff(id) => {
                    let (s, eff) = Diff::open(id, self.user.clone());
                    self.stack.push(Box::new(s));
                    self.apply(vec![eff]);
                }
            }
        }
    }

    /// Asks for the inbox counts of the signed-in user.
    fn check_inbox(&mut self) {
        if let Some(u) = self.user.clone() {
            self.apply(vec![Effect::Send(Request::Inbox { user: Box::new(u) })]);
        }
    }

    /// An answer from the worker.
    #[allow(clippy::needless_pass_by_value)] // replies are consumed from a channel
    pub fn on_reply(&mut self, reply: Reply) {
        if let Reply::Arrived(p) = reply {
            return self.arrived(p);
        }
        if matches!(reply, Reply::News) {
            // Not the answer to a request: the watcher's own message.
            match &mut self.sync {
                Some(s) if s.running => s.again = true,
                Some(_) => {
                    self.dirty = true;
                    self.sync_now();
                }
                None => {}
            }
            return;
        }
        // A count of practices done is on the way to the answer, not it.
        if !matches!(reply, Reply::Progress { .. }) {
            self.in_flight = self.in_flight.saturating_sub(1);
        }
        self.dirty = true;
        match &reply {
            Reply::Login(Ok(user)) => {
                let u = (**user).clone();
                self.popup = None;
                self.covered = None;
                let roles = u.role_names().join(", ");
                self.message = Some(Message {
                    text: format!(
                        "Вы вошли как {}{}",
                        short_name(&u.profile.full_name),
                        if roles.is_empty() {
                            String::new()
                        } else {
                            format!(" ({roles})")
                        }
                    ),
                    error: false,
                });
                let scope = read_scope(Some(&u));
                self.user = Some(u);
                let effects = self.catalogue.set_scope(scope, Some(user.id));
                self.apply(effects);
                self.check_inbox();
                return;
            }
            Reply::Inbox(Ok(inbox)) => {
                self.unread = inbox.notices.iter().filter(|n| !n.read).count();
                self.alerts = inbox.deadlines.len();
            }
            Reply::Synced {
                result,
                pending,
                conflicts,
            } => self.synced(result, *pending, *conflicts),
            Reply::Saved { result: Ok(_), .. }
            | Reply::Submitted { result: Ok(_), .. }
            | Reply::Replicated(Ok(_)) => {
                self.changed();
            }
            Reply::Acted { result: Ok(_), .. } => {
                self.changed();
                let effects = self.catalogue.refresh();
                self.apply(effects);
                self.check_inbox();
            }
            Reply::Draft(Ok(d)) => {
                if let Some(user) = self.user.clone() {
                    let year = chrono::Datelike::year(&self.clock.today());
                    self.popup = None;
                    self.covered = None;
                    self.stack.push(Box::new(Editor::new(d, user, year)));
                }
                return;
            }
            Reply::Draft(Err(e)) => {
                self.message = Some(Message {
                    text: e.clone(),
                    error: true,
                });
                return;
            }
            Reply::Error(e) => {
                self.message = Some(Message {
                    text: e.clone(),
                    error: true,
                });
            }
            Reply::Printed(r) => {
                self.message = Some(Message {
                    text: r.clone().unwrap_or_else(|e| e),
                    error: r.is_err(),
                });
            }
            _ => {}
        }
        let mut effects = Vec::new();
        if let Some(p) = &mut self.popup {
            effects.extend(p.on_reply(&reply));
        }
        if let Some(p) = &mut self.covered {
            effects.extend(p.on_reply(&reply));
        }
        for s in &mut self.stack {
            effects.extend(s.on_reply(&reply));
        }
        effects.extend(self.catalogue.on_reply(&reply));
        self.apply(effects);
        self.record();
        self.catch_up_keys();
    }

    /// Waits for every request sent so far to be answered (tests, bench).
    pub fn settle(&mut self) {
        while self.in_flight > 0 {
            match self.replies.blocking_recv() {
                Some(r) => self.on_reply(r),
                None => break,
            }
        }
    }

    /// When the top screen wants a tick (an autosave).
    pub fn deadline(&self) -> Option<std::time::Instant> {
        let sync = self.sync.as_ref().filter(|s| !s.running).map(|s| s.next);
        match (self.top_ref().deadline(), sync) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Runs the top screen's timer work when it is due.
    pub fn tick(&mut self) {
        self.tick_at(std::time::Instant::now());
    }

    /// [`App::tick`] as of `now`: the timers due by then run (tests pass
    /// the deadline instead of waiting for it).
    pub fn tick_at(&mut self, now: std::time::Instant) {
        if self
            .sync
            .as_ref()
            .is_some_and(|s| !s.running && s.next <= now)
        {
            self.dirty = true;
            self.sync_now();
        }
        let effects = self.top().on_tick(now);
        if !effects.is_empty() {
            self.dirty = true;
        }
        self.apply(effects);
        self.record();
    }
}
