//! The screens of the workstation. Each owns its state, turns actions into
//! effects, draws itself, and lists its commands for the help overlay and
//! the hint bar.

pub mod catalogue;
pub mod conflicts;
pub mod diff;
pub mod editor;
pub mod facets;
pub mod form;
pub mod history;
pub mod inbox;
pub mod passport;
pub mod popups;
pub mod profile;
pub mod queues;
pub mod regions;
pub mod replication;
pub mod scroll;
pub mod selection_form;
pub mod selections;
pub mod users;

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;

use crate::domain::PracticeId;
use crate::tui::action::Action;
use crate::tui::keymap::Keymap;
use crate::tui::theme::Theme;
use crate::tui::worker::{Reply, Request};

/// What a screen asks the application to do.
#[derive(Debug, Clone)]
pub enum Effect {
    /// Leave this screen (or popup).
    Close,
    Quit,
    OpenPassport(PracticeId),
    Send(Request),
    Message(String),
    Error(String),
    /// Create a passport and open it in the editor.
    NewDraft,
    /// Open an own draft in the editor.
    EditDraft(PracticeId),
    /// Search again: the store changed.
    Refresh,
    /// «Очереди» of the signed-in user.
    OpenQueues,
    /// The inbox of the signed-in user.
    OpenInbox,
    OpenHistory(PracticeId),
    /// The default comparison of a practice's revisions.
    OpenDiff(PracticeId),
    /// The action window for one practice, or several marked ones.
    Workflow(Vec<PracticeId>),
    /// The expert's vote form.
    Vote(PracticeId),
    /// Exchange changes with the server now.
    SyncNow,
    OpenConflicts,
    /// «Тиражирование» of the signed-in user.
    OpenReplication,
    /// «Хочу внедрить» for a practice (its title).
    WantToImplement(PracticeId, String),
    /// A message the screen shows itself, kept in the message log (`!`)
    /// so it can be read whole.
    Log(String),
    /// «Профиль» of the signed-in user.
    OpenProfile,
    /// «Пользователи» (coordinator, Модератор АСИ).
    OpenUsers,
    /// «Регионы»: public; a coordinator keeps their region's page.
    OpenRegions,
    /// «Отборы»: public; applications as the reader may see them.
    OpenSelections,
    /// «Регистрация» (`false`) or «Восстановление пароля» (`true`).
    OpenRegister(bool),
    /// The store was just linked to a server: start syncing.
    Linked,
    /// The signed-in user changed (their profile, consents): the
    /// workstation acts as this user from now on.
    Signed(Box<crate::domain::User>),
}

/// What every screen can read while drawing.
pub struct RenderCx<'a> {
    pub theme: &'a Theme,
    pub keymap: &'a Keymap,
}

pub trait Screen: Send {
    /// The name in the header and the help overlay.
    fn title(&self) -> String;
    /// The actions the screen offers now, in help order.
    fn commands(&self) -> Vec<Action>;
    /// The few actions worth a place in the hint bar.
    fn hints(&self) -> Vec<Action> {
        self.commands().into_iter().take(6).collect()
    }
    fn handle(&mut self, action: Action) -> Vec<Effect>;
    /// Whether printable keys are text for the screen rather than commands.
    fn text_input(&self) -> bool {
        false
    }
    /// A key that is not a command, while [`Screen::text_input`] is on.
    fn input(&mut self, _key: KeyEvent) -> Vec<Effect> {
        Vec::new()
    }
    fn on_reply(&mut self, _reply: &Reply) -> Vec<Effect> {
        Vec::new()
    }
    /// Whether this is the help window, which `?` closes again.
    fn is_help(&self) -> bool {
        false
    }
    /// Whether this window only shows something over the one in front (the
    /// help, the message log): the window it covers waits under it, with
    /// what was typed into it, and comes back when it closes.
    fn is_overlay(&self) -> bool {
        self.is_help()
    }
    /// What an action does on this screen, where it is not what
    /// [`Action::description`] says in general: the help shows it.
    fn describe(&self, _action: Action) -> Option<&'static str> {
        None
    }
    /// Keys the screen handles itself (text editing), for the help.
    fn own_keys(&self) -> Vec<(&'static str, &'static str)> {
        Vec::new()
    }
    /// Whether the screen has what it shows: keys typed before that are
    /// kept and applied once it is ready (people type ahead over SSH).
    fn ready(&self) -> bool {
        true
    }
    /// When the screen wants [`Screen::on_tick`] (an autosave).
    fn deadline(&self) -> Option<std::time::Instant> {
        None
    }
    /// The screen's timers, as of `now`.
    fn on_tick(&mut self, now: std::time::Instant) -> Vec<Effect> {
        let _ = now;
        Vec::new()
    }
    /// The program is ending: save whatever is pending.
    fn flush(&mut self) -> Vec<Effect> {
        Vec::new()
    }
    fn render(&self, f: &mut Frame, area: Rect, cx: &RenderCx<'_>);
}

/// Keeps a text field to one line: Enter is a command where it is used,
/// so a line break typed or pasted joins the lines with `sep`. Returns
/// whether the text had to be joined.
pub fn keep_one_line(t: &mut ratatui_textarea::TextArea<'static>, sep: &str) -> bool {
    if t.lines().len() <= 1 {
        return false;
    }
    let joined = t.lines().join(sep);
    *t = ratatui_textarea::TextArea::new(vec![joined]);
    t.move_cursor(ratatui_textarea::CursorMove::End);
    true
}

/// A full screen's frame: a header line of `spans`, a rule under it;
/// returns the area below.
pub fn page(
    f: &mut Frame,
    area: Rect,
    theme: &Theme,
    spans: Vec<ratatui::text::Span<'static>>,
) -> Rect {
    use ratatui::layout::{Constraint, Layout};
    use ratatui::widgets::{Block, Borders, Paragraph};
    let [head, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    f.render_widget(Paragraph::new(ratatui::text::Line::from(spans)), head);
    let block = Block::default()
        .borders(Borders::TOP)
        .border_style(theme.border);
    let inner = block.inner(body);
    f.render_widget(block, body);
    inner
}

/// Moves the cursor of a list of `len` rows by a movement key (a page is
/// ten rows); `false` for any other action.
pub fn move_in_list(selected: &mut usize, len: usize, action: Action) -> bool {
    let last = len.saturating_sub(1);
    *selected = match action {
        Action::Down => (*selected + 1).min(last),
        Action::Up => selected.saturating_sub(1),
        Action::PageDown => (*selected + 10).min(last),
        Action::PageUp => selected.saturating_sub(10),
        _ => return false,
    };
    true
}

/// Draws « Загрузка…» or the error in `area` while `v` is not loaded;
/// returns the value once it is.
pub fn loaded<'a, T>(
    f: &mut Frame,
    area: Rect,
    theme: &Theme,
    v: &'a Option<Result<T, String>>,
) -> Option<&'a T> {
    use ratatui::text::Span;
    use ratatui::widgets::Paragraph;
    match v {
        None => {
            f.render_widget(
                Paragraph::new(Span::styled(" Загрузка…", theme.muted)),
                area,
            );
            None
        }
        Some(Err(e)) => {
            f.render_widget(
                Paragraph::new(Span::styled(format!(" {e}"), theme.error)),
                area,
            );
            None
        }
        Some(Ok(x)) => Some(x),
    }
}

/// The command sets of every screen and mode, for the clash check.
pub fn all_command_sets() -> Vec<Vec<Action>> {
    let mut sets = catalogue::command_sets();
    sets.push(passport::COMMANDS.to_vec());
    sets.push(popups::help::COMMANDS.to_vec());
    sets.push(popups::login::COMMANDS.to_vec());
    sets.push(form::FORM_COMMANDS.to_vec());
    sets.push(facets::COMMANDS.to_vec());
    sets.push(editor::COMMAND_SET.to_vec());
    sets.push(queues::COMMANDS.to_vec());
    sets.push(history::commands());
    sets.push(diff::commands());
    sets.push(inbox::COMMANDS.to_vec());
    sets.push(popups::act::LIST_COMMANDS.to_vec());
    sets.push(popups::act::FORM_COMMANDS.to_vec());
    sets.push(popups::vote::COMMANDS.to_vec());
    sets.push(conflicts::COMMANDS.to_vec());
    sets.push(conflicts::EDIT_COMMANDS.to_vec());
    sets.push(replication::LIST_COMMANDS.to_vec());
    sets.push(replication::DETAIL_COMMANDS.to_vec());
    sets.push(replication::CHOOSE_COMMANDS.to_vec());
    sets.push(replication::FORM_COMMANDS.to_vec());
    sets.push(replication::SUMMARY_COMMANDS.to_vec());
    sets.push(replication::APPLY_COMMANDS.to_vec());
    sets.push(profile::COMMANDS.to_vec());
    sets.push(profile::FORM_COMMANDS.to_vec());
    sets.push(users::COMMANDS.to_vec());
    sets.push(users::CHOOSE_COMMANDS.to_vec());
    sets.push(regions::COMMANDS.to_vec());
    sets.push(regions::PAGE_COMMANDS.to_vec());
    sets
}
