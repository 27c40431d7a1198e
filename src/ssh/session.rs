//! One SSH session: the workstation of its user on the server's store,
//! drawn into the session's terminal. Output waits for a slow link (frames
//! in between are skipped, not queued), so no session holds up another;
//! a session idle too long is warned, then closed; on any ending the
//! editor's drafts are saved first.

use std::sync::Arc;
use std::time::{Duration, Instant};

use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use russh::server::{Handle, Msg};
use russh::{Channel, ChannelMsg};

use super::{Keys, Shared};
use crate::domain::User;
use crate::tui::app::{App, Message};
use crate::tui::theme::Theme;

/// The alternate screen, cursor hidden, cleared; and back.
const ENTER: &[u8] = b"\x1b[?1049h\x1b[?25l\x1b[2J";
const LEAVE: &[u8] = b"\x1b[?25h\x1b[?1049l";
/// Others' changes are shown at most this often.
const CHANGES_EVERY: Duration = Duration::from_millis(300);
/// The largest terminal drawn.
const LARGEST: u32 = 500;

type Screen = Terminal<CrosstermBackend<Sink>>;

/// What a frame writes, taken whole to go to the client.
#[derive(Clone, Default)]
struct Sink(Arc<std::sync::Mutex<Vec<u8>>>);

impl Sink {
    fn take(&self) -> Vec<u8> {
        std::mem::take(
            &mut self
                .0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }
}

impl std::io::Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Why a session ended, told on the way out.
enum End {
    Quit,
    Idle(Duration),
    Gone,
    Stopping,
}

/// Where a session stands with no key pressed since `last_key`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Idle {
    Fine,
    /// Time to warn: `warn` is left.
    Warn,
    Close,
}

fn idle_at(last_key: Instant, now: Instant, idle: Duration, warn: Duration) -> Idle {
    let quiet = now.saturating_duration_since(last_key);
    if quiet >= idle {
        Idle::Close
    } else if quiet + warn >= idle {
        Idle::Warn
    } else {
        Idle::Fine
    }
}

/// «2 мин», «1 мин 30 с», «45 с».
fn span(d: Duration) -> String {
    let (m, s) = (d.as_secs() / 60, d.as_secs() % 60);
    match (m, s) {
        (0, s) => format!("{s} с"),
        (m, 0) => format!("{m} мин"),
        (m, s) => format!("{m} мин {s} с"),
    }
}

fn area(cols: u32, rows: u32) -> Rect {
    let side = |v: u32, default: u16| {
        if v == 0 {
            default
        } else {
            v.min(LARGEST) as u16
        }
    };
    Rect::new(0, 0, side(cols, 80), side(rows, 24))
}

/// The theme for the client's `TERM`: without colours for `dumb` and
/// `*-mono`, in the 16 basic colours unless the terminal has more.
pub(super) fn theme_for(theme: &Theme, term: &str) -> Theme {
    if Theme::wants_monochrome(Some(term), None) {
        theme.monochrome()
    } else if term.contains("256color") || term.contains("truecolor") || term.contains("direct") {
        theme.clone()
    } else {
        theme.sixteen()
    }
}

/// Draws one frame into bytes for the client, as one synchronized update.
fn frame(screen: &mut Screen, sink: &Sink, app: &App) -> std::io::Result<Vec<u8>> {
    use crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
    crossterm::queue!(screen.backend_mut(), BeginSynchronizedUpdate)?;
    screen.draw(|f| app.render(f))?;
    crossterm::queue!(screen.backend_mut(), EndSynchronizedUpdate)?;
    Ok(sink.take())
}

/// Tells the client why its channel is not served, and closes it with
/// `status`.
async fn refuse(tx: &russh::ChannelWriteHalf<Msg>, why: &str, status: u32) {
    let _ = tx.data_bytes(format!("{why}\r\n").into_bytes()).await;
    let _ = tx.exit_status(status).await;
    let _ = tx.close().await;
}

/// Serves one session channel until the client leaves, the user quits,
/// the session idles out or the instance stops.
pub(super) async fn run(shared: Arc<Shared>, user: User, channel: Channel<Msg>, handle: Handle) {
    let id = channel.id();
    let (mut rx, tx) = channel.split();
    let (mut cols, mut rows, mut term) = (80, 24, "xterm".to_owned());
    let mut pty = false;
    // What the client asks for: a terminal and a shell, a command, SFTP.
    loop {
        match rx.wait().await {
            Some(ChannelMsg::RequestPty {
                term: t,
                col_width,
                row_height,
                ..
            }) => (cols, rows, term, pty) = (col_width, row_height, t, true),
            Some(ChannelMsg::RequestShell { .. }) if pty => break,
            Some(ChannelMsg::RequestShell { .. }) => {
                return refuse(
                    &tx,
                    "Рабочему месту нужен терминал: подключитесь без -T (ssh -t …).",
                    1,
                )
                .await;
            }
            Some(ChannelMsg::Exec { .. }) => {
                return refuse(
                    &tx,
                    "Команды по SSH не выполняются: подключитесь без команды, откроется рабочее место. Файлы — через sftp.",
                    2,
                )
                .await;
            }
            Some(ChannelMsg::RequestSubsystem { name, .. }) if name == "sftp" => {
                // A file session counts among the user's sessions too.
                match shared.admit(user.id) {
                    Ok(_slot) => super::files::sftp(&shared, &user, rx, tx).await,
                    Err(why) => {
                        tracing::warn!(login = %user.login, %why, "sftp: refused");
                        let _ = tx.close().await;
                    }
                }
                return;
            }
            None | Some(ChannelMsg::Eof | ChannelMsg::Close) => return,
            Some(_) => {}
        }
    }
    let admitted = if shared.state.is_stopping() {
        Err("Сервер останавливается.".to_owned())
    } else {
        shared.admit(user.id)
    };
    let slot = match admitted {
        Ok(s) => s,
        Err(why) => return refuse(&tx, &why, 1).await,
    };
    let files = match super::files::user_dir(&shared.data, &user.login) {
        Ok(d) => d,
        Err(e) => {
            tracing::error!(error = %e, login = %user.login, "ssh: no files directory");
            return refuse(
                &tx,
                "Каталог ваших файлов на сервере не создан. Сообщите администратору.",
                1,
            )
            .await;
        }
    };
    let login = user.login.clone();
    tracing::info!(%login, %term, cols, rows, "ssh: session opened");
    let look = &shared.look;
    let mut app = App::new(
        shared.state.store.clone(),
        shared.index.clone(),
        theme_for(&look.theme, &term),
        look.keymap.clone(),
        look.page,
        look.notes.clone(),
        shared.state.clock.clone(),
    );
    app.serve_as(user, files, shared.work.clone());
    let sink = Sink::default();
    let Ok(mut screen) = Terminal::with_options(
        CrosstermBackend::new(sink.clone()),
        TerminalOptions {
            viewport: Viewport::Fixed(area(cols, rows)),
        },
    ) else {
        return;
    };
    // The writer waits for the client's window; the loop draws only when
    // the last frame has gone, so a slow link skips frames.
    let (out, mut frames) = tokio::sync::mpsc::channel::<Vec<u8>>(1);
    let writer = tokio::spawn(async move {
        let mut ok = tx.data_bytes(ENTER.to_vec()).await.is_ok();
        while let Some(bytes) = frames.recv().await {
            if ok {
                ok = tx.data_bytes(bytes).await.is_ok();
            }
        }
        tx
    });
    let end = serve(&shared, &mut app, (&mut screen, &sink), &mut rx, &out).await;
    app.flush().await;
    shared.wrote();
    // Its place is free before the client hears the session closed.
    drop(slot);
    drop(out);
    let goodbye = match end {
        // The workstation's last word, when it ended the session itself
        // (the account disabled).
        End::Quit => match &app.message {
            Some(m) if m.error => m.text.clone(),
            _ => "Сеанс завершён.".to_owned(),
        },
        End::Idle(d) => format!(
            "Сеанс закрыт: не было действий {} мин. Черновики сохранены.",
            d.as_secs() / 60
        ),
        End::Stopping => "Сервер останавливается. Черновики сохранены.".to_owned(),
        End::Gone => String::new(),
    };
    let abort = writer.abort_handle();
    match tokio::time::timeout(Duration::from_secs(3), writer).await {
        Ok(Ok(tx)) => {
            if !matches!(end, End::Gone) {
                let mut bye = LEAVE.to_vec();
                bye.extend_from_slice(format!("{goodbye}\r\n").as_bytes());
                let _ = tokio::time::timeout(Duration::from_secs(2), tx.data_bytes(bye)).await;
                let _ = tx.exit_status(0).await;
                let _ = tx.eof().await;
            }
            let _ = tx.close().await;
        }
        Ok(Err(_)) => {
            let _ = handle.close(id).await;
        }
        Err(_) => {
            // The client takes nothing: its writer is dropped.
            abort.abort();
            let _ = handle.close(id).await;
        }
    }
    tracing::info!(%login, "ssh: session closed");
}

/// The session's loop: keys, resizes, the worker's answers, others'
/// changes and timers; a frame whenever something changed and the link
/// took the last one.
async fn serve(
    shared: &Shared,
    app: &mut App,
    (screen, sink): (&mut Screen, &Sink),
    rx: &mut russh::ChannelReadHalf,
    out: &tokio::sync::mpsc::Sender<Vec<u8>>,
) -> End {
    let opts = &shared.opts;
    let mut keys = Keys::default();
    let mut changes = shared.changes.subscribe();
    let mut seen = *changes.borrow_and_update();
    // The store's last change this session knows of (its own included).
    let mut known = seen;
    let mut last_key = Instant::now();
    let mut warned = false;
    // Others' changes waiting to be shown, and when they were last shown.
    let mut change_due: Option<Instant> = None;
    let mut shown = Instant::now()
        .checked_sub(CHANGES_EVERY)
        .unwrap_or_else(Instant::now);
    while !app.quit {
        if app.clear {
            let _ = screen.clear();
            app.clear = false;
            app.dirty = true;
        }
        let close = last_key + opts.idle;
        let warn = close.checked_sub(opts.warn).unwrap_or(last_key);
        let mut deadline = if warned { close } else { warn };
        for d in [app.deadline(), change_due].into_iter().flatten() {
            deadline = deadline.min(d);
        }
        tokio::select! {
            msg = rx.wait() => match msg {
                Some(ChannelMsg::Data { data }) => {
                    last_key = Instant::now();
                    if warned {
                        warned = false;
                        app.message = None;
                        app.dirty = true;
                    }
                    for k in keys.feed(&data) {
                        app.on_key(k);
                    }
                }
                Some(ChannelMsg::WindowChange { col_width, row_height, .. }) => {
                    let _ = screen.resize(area(col_width, row_height));
                    app.dirty = true;
                }
                None | Some(ChannelMsg::Eof | ChannelMsg::Close) => return End::Gone,
                Some(_) => {}
            },
            reply = app.next_reply() => match reply {
                Some(r) => app.on_reply(r),
                None => return End::Gone,
            },
            news = changes.changed() => {
                if news.is_err() {
                    return End::Stopping;
                }
                let now = *changes.borrow_and_update();
                if now == u64::MAX {
                    return End::Stopping;
                }
                if now > seen {
                    seen = now;
                    known = known.max(now);
                    change_due = Some((shown + CHANGES_EVERY).max(Instant::now()));
                }
            },
            permit = out.reserve(), if app.dirty => {
                let Ok(permit) = permit else { return End::Gone };
                match frame(screen, sink, app) {
                    Ok(bytes) => permit.send(bytes),
                    Err(e) => tracing::warn!(error = %e, "ssh: frame not drawn"),
                }
                app.dirty = false;
            },
            () = tokio::time::sleep_until(tokio::time::Instant::from_std(deadline)) => {
                let now = Instant::now();
                let state = idle_at(last_key, now, opts.idle, opts.warn);
                if state == Idle::Close {
                    return End::Idle(opts.idle);
                }
                if state == Idle::Warn && !warned {
                    warned = true;
                    app.message = Some(Message {
                        text: format!(
                            "Сеанс закроется через {} — нажмите клавишу.",
                            span(opts.warn)
                        ),
                        error: true,
                    });
                    app.dirty = true;
                }
                if change_due.is_some_and(|d| d <= now) {
                    change_due = None;
                    shown = now;
                    app.store_changed();
                }
                app.tick();
            },
        }
        // What this session wrote, others see at once.
        if let Ok(last) = shared.state.store.last_seq()
            && last > known
        {
            known = last;
            shared.wrote();
        }
    }
    End::Quit
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_idle_session_is_warned_then_closed() {
        let start = Instant::now();
        let (idle, warn) = (Duration::from_secs(30 * 60), Duration::from_secs(120));
        let at = |secs| idle_at(start, start + Duration::from_secs(secs), idle, warn);
        assert_eq!(at(0), Idle::Fine);
        assert_eq!(at(28 * 60 - 1), Idle::Fine);
        assert_eq!(at(28 * 60), Idle::Warn);
        assert_eq!(at(30 * 60 - 1), Idle::Warn);
        assert_eq!(at(30 * 60), Idle::Close);
        // A key pressed later starts the count again.
        let key = start + Duration::from_secs(29 * 60);
        assert_eq!(
            idle_at(key, start + Duration::from_secs(30 * 60), idle, warn),
            Idle::Fine
        );
    }

    #[test]
    fn spans_read_as_minutes_and_seconds() {
        assert_eq!(span(Duration::from_secs(120)), "2 мин");
        assert_eq!(span(Duration::from_secs(90)), "1 мин 30 с");
        assert_eq!(span(Duration::from_secs(45)), "45 с");
    }

    #[test]
    fn the_theme_follows_term() {
        let t = Theme::load(&std::collections::BTreeMap::new()).0;
        let mono = theme_for(&t, "xterm-mono");
        assert_eq!(mono.error.fg, None);
        let mut rgb = t.clone();
        rgb.error.fg = Some(ratatui::style::Color::Rgb(250, 0, 0));
        assert_eq!(
            theme_for(&rgb, "xterm").error.fg,
            Some(ratatui::style::Color::LightRed)
        );
        assert_eq!(
            theme_for(&rgb, "xterm-256color").error.fg,
            Some(ratatui::style::Color::Rgb(250, 0, 0))
        );
    }

    #[test]
    fn the_terminal_is_sized_within_bounds() {
        assert_eq!(area(0, 0), Rect::new(0, 0, 80, 24));
        assert_eq!(area(100_000, 30), Rect::new(0, 0, 500, 30));
    }
}
