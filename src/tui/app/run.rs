//! The workstation's event loop and what it draws each frame: the screens,
//! the status bar with who is signed in and how sync stands, and the
//! flush of pending drafts before the program ends.

use std::fmt::Write as _;
use std::io;

use crossterm::event::{Event, EventStream};
use futures::StreamExt;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};

use super::{App, Message, SYNC_IDLE, SYNC_OFFLINE, SYNC_SOON, sleep_until};
use crate::screens::{RenderCx, Screen as _};
use crate::tui::ui::{hints, short_name, status_bar};
use crate::tui::worker::Request;

impl App {
    /// Before the program ends (quit, SIGHUP, SIGTERM): pending drafts are
    /// saved, and their saves waited for, a few seconds at most.
    pub async fn flush(&mut self) {
        let mut effects = Vec::new();
        for s in &mut self.stack {
            effects.extend(s.flush());
        }
        self.apply(effects);
        let until = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
        while self.in_flight > 0 {
            match tokio::time::timeout_at(until, self.replies.recv()).await {
                Ok(Some(r)) => self.on_reply(r),
                _ => break,
            }
        }
    }

    /// What a sync under way brought (rows first, then passports): the
    /// catalogue shows it at once. Not an answer to a request.
    pub(super) fn arrived(&mut self, p: crate::sync::client::Progress) {
        self.dirty = true;
        if let crate::sync::client::Progress::Rows(_) = p {
            self.message = Some(super::Message {
                text: p.to_string(),
                error: false,
            });
        }
        let effects = self.catalogue.refresh();
        self.apply(effects);
    }

    /// A sync ended: the indicator, the next sync, what it brought.
    pub(super) fn synced(
        &mut self,
        result: &Result<crate::sync::client::Summary, String>,
        pending: usize,
        conflicts: usize,
    ) {
        let now = std::time::Instant::now();
        if let Some(s) = &mut self.sync {
            s.running = false;
            let again = std::mem::take(&mut s.again);
            s.pending = pending;
            s.conflicts = conflicts;
            match result {
                Ok(summary) => {
                    if s.watching && s.online != Some(true) {
                        // Back online: the watcher stops waiting
                        // out its failure. Answered by news only.
                        let _ = self.requests.send(Request::Watch);
                    }
                    s.online = Some(true);
                    s.last = Some(self.clock.now().with_timezone(&chrono::Local));
                    s.next = if again {
                        now
                    } else {
                        now + if pending > 0 { SYNC_SOON } else { SYNC_IDLE }
                    };
                    // All on one line, a warning first.
                    let mut notes = summary.notices(true);
                    notes.sort_by_key(|n| !n.1);
                    if !notes.is_empty() {
                        let error = notes.iter().any(|n| n.1);
                        let text: Vec<String> = notes.into_iter().map(|n| n.0).collect();
                        self.message = Some(Message {
                            text: text.join(" · "),
                            error,
                        });
                    }
                    if summary.conflicts + summary.rejected > 0 {
                        self.message = Some(Message {
                            text: format!(
                                "Синхронизация: конфликтов {}, отказов {} — откройте «Конфликты» (c).",
                                summary.conflicts, summary.rejected
                            ),
                            error: true,
                        });
                    }
                    if summary.received > 0 {
                        let effects = self.catalogue.refresh();
                        self.apply(effects);
                    }
                }
                Err(e) => {
                    s.online = Some(false);
                    s.next = now + SYNC_OFFLINE;
                    tracing::info!(error = %e, "sync failed");
                }
            }
        }
    }

    /// Who is signed in, for the status bar.
    pub fn who(&self) -> String {
        match &self.user {
            None => "Гость".to_owned(),
            Some(u) => {
                let roles = u.role_names();
                let name = short_name(&u.profile.full_name);
                let mut who = match roles.first() {
                    Some(r) => format!("{name} · {r}"),
                    None => name,
                };
                if self.unread > 0 {
                    let _ = write!(who, " · ✉ {}", self.unread);
                }
                if self.alerts > 0 {
                    let _ = write!(who, " · ⚑ {}", self.alerts);
                }
                who.push_str(&self.sync_label());
                who
            }
        }
    }

    /// The sync indicator of the status bar: online or not, pending
    /// changes, conflicts, the time of the last sync.
    pub fn sync_label(&self) -> String {
        let Some(s) = &self.sync else {
            return String::new();
        };
        let mut out = match (s.running, s.online) {
            (true, _) => " · ⇅ обмен…".to_owned(),
            (false, Some(false)) => " · ⇅ нет связи".to_owned(),
            (false, _) => " · ⇅".to_owned(),
        };
        if s.pending > 0 {
            let _ = write!(out, " ждут {}", s.pending);
        }
        if s.conflicts > 0 {
            let _ = write!(out, " ⚠ {}", s.conflicts);
        }
        if let Some(t) = s.last
            && !s.running
        {
            let _ = write!(out, " {}", t.format("%H:%M"));
        }
        out
    }

    pub fn render(&self, f: &mut Frame) {
        let area = f.area();
        let [body, bar] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(area);
        let cx = RenderCx {
            theme: &self.theme,
            keymap: &self.keymap,
        };
        match self.stack.last() {
            Some(s) => s.render(f, body, &cx),
            None => self.catalogue.render(f, body, &cx),
        }
        if let Some(p) = &self.covered {
            p.render(f, body, &cx);
        }
        if let Some(p) = &self.popup {
            p.render(f, body, &cx);
        }
        let hint_spans = hints(&self.keymap, &self.theme, &self.top_ref().hints());
        let msg = self.message.as_ref().map(|m| {
            (
                m.text.as_str(),
                if m.error {
                    self.theme.error
                } else {
                    self.theme.ok
                },
            )
        });
        let note = self.notes.first().map(|n| (n.as_str(), self.theme.warning));
        status_bar(f, bar, &self.theme, &self.who(), hint_spans, msg.or(note));
    }

    /// The event loop: keys, resizes, worker replies and signals; draws
    /// only after a change, inside a synchronized update.
    pub async fn run(mut self, terminal: &mut ratatui::DefaultTerminal) -> io::Result<()> {
        use tokio::signal::unix::{SignalKind, signal};
        let mut events = EventStream::new();
        let mut hup = signal(SignalKind::hangup())?;
        let mut term = signal(SignalKind::terminate())?;
        let mut int = signal(SignalKind::interrupt())?;
        if let Some(s) = &mut self.sync {
            // Answered only by `Reply::News`, so not counted in flight.
            s.watching = self.requests.send(Request::Watch).is_ok();
        }
        while !self.quit {
            if self.clear {
                terminal.clear()?;
                self.clear = false;
            }
            if self.dirty {
                crossterm::execute!(io::stdout(), crossterm::terminal::BeginSynchronizedUpdate)?;
                terminal.draw(|f| self.render(f))?;
                crossterm::execute!(io::stdout(), crossterm::terminal::EndSynchronizedUpdate)?;
                self.dirty = false;
            }
            let deadline = self.deadline();
            tokio::select! {
                ev = events.next() => match ev {
                    Some(Ok(Event::Key(k))) => self.on_key(k),
                    Some(Ok(Event::Resize(_, _))) => self.dirty = true,
                    Some(Ok(_)) => {}
                    Some(Err(e)) => return Err(e),
                    None => break,
                },
                r = self.replies.recv() => if let Some(r) = r { self.on_reply(r) },
                () = sleep_until(deadline) => self.tick(),
                _ = hup.recv() => {
                    tracing::info!("SIGHUP: the terminal went away");
                    break;
                }
                _ = term.recv() => {
                    tracing::info!("SIGTERM");
                    break;
                }
                _ = int.recv() => break,
            }
        }
        self.flush().await;
        Ok(())
    }
}
