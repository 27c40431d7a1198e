//! `?`: the keys of the current screen, generated from its commands and
//! the live keymap.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::super::{Effect, RenderCx, Screen};
use super::centred;
use crate::tui::action::Action;
use crate::tui::keymap::Keymap;
use crate::tui::ui::fit;

pub const COMMANDS: [Action; 7] = [
    Action::Down,
    Action::Up,
    Action::PageDown,
    Action::PageUp,
    Action::Back,
    Action::Help,
    Action::Quit,
];

pub struct Help {
    pub screen: String,
    /// (keys, description)
    pub rows: Vec<(String, String)>,
    pub notes: Vec<String>,
    pub scroll: usize,
    /// The last line the scroll may start at, as last drawn.
    max: std::cell::Cell<usize>,
}

impl Help {
    /// The help of `s` as it is now: its words for its actions, only the
    /// keys that reach it (a printable key types into a text field), and
    /// its own editing keys.
    pub fn of(s: &dyn Screen, commands: &[Action], keymap: &Keymap, notes: Vec<String>) -> Self {
        let typing = s.text_input();
        let mut rows: Vec<(String, String)> = commands
            .iter()
            .filter_map(|a| {
                let keys = if typing {
                    keymap.keys_label_unprintable(*a)
                } else {
                    keymap.keys_label(*a)
                };
                (!keys.is_empty())
                    .then(|| (keys, s.describe(*a).unwrap_or(a.description()).to_owned()))
            })
            .collect();
        rows.extend(
            s.own_keys()
                .into_iter()
                .map(|(k, d)| (k.to_owned(), d.to_owned())),
        );
        Self::with_rows(&s.title(), rows, notes)
    }

    fn with_rows(screen: &str, rows: Vec<(String, String)>, notes: Vec<String>) -> Self {
        Self {
            screen: screen.to_owned(),
            rows,
            notes,
            scroll: 0,
            max: std::cell::Cell::new(usize::MAX),
        }
    }
}

impl Help {
    /// Away from the catalogue `q` goes back, and Ctrl-C leaves: the help
    /// says so.
    pub fn quit_goes_back(&mut self, keymap: &Keymap, typing: bool) {
        let quit = if typing {
            // `q` types into the field in front.
            String::new()
        } else {
            keymap.keys_label(Action::Quit)
        };
        self.rows.retain(|(_, d)| d != Action::Quit.description());
        if !quit.is_empty() {
            match self
                .rows
                .iter_mut()
                .find(|(_, d)| d == Action::Back.description())
            {
                Some(back) => back.0 = format!("{}/{quit}", back.0),
                None => self
                    .rows
                    .push((quit, Action::Back.description().to_owned())),
            }
        }
        self.rows
            .push(("Ctrl-c".to_owned(), Action::Quit.description().to_owned()));
    }
}

impl Screen for Help {
    fn is_help(&self) -> bool {
        true
    }

    fn title(&self) -> String {
        format!("Справка: {}", self.screen)
    }

    fn commands(&self) -> Vec<Action> {
        COMMANDS.to_vec()
    }

    fn hints(&self) -> Vec<Action> {
        vec![Action::Back]
    }

    fn handle(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Down => self.scroll = (self.scroll + 1).min(self.max.get()),
            Action::Up => self.scroll = self.scroll.saturating_sub(1),
            Action::PageDown => self.scroll = (self.scroll + 10).min(self.max.get()),
            Action::PageUp => self.scroll = self.scroll.saturating_sub(10),
            Action::Back | Action::Help | Action::Quit => return vec![Effect::Close],
            _ => {}
        }
        self.scroll = self.scroll.min(self.rows.len() + self.notes.len());
        Vec::new()
    }

    fn render(&self, f: &mut Frame, area: Rect, cx: &RenderCx<'_>) {
        let t = cx.theme;
        let h = (self.rows.len() + self.notes.len() + 4) as u16;
        let r = centred(area, 78, h);
        f.render_widget(Clear, r);
        let lines_n = self.rows.len() + self.notes.len() + usize::from(!self.notes.is_empty());
        let room = r.height.saturating_sub(2) as usize;
        let max = lines_n.saturating_sub(room);
        self.max.set(max);
        let top = self.scroll.min(max);
        let keys = if top < max {
            " ↓ — ещё · Esc — закрыть "
        } else {
            " Esc — закрыть "
        };
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(t.border_focus)
            .title(Span::styled(format!(" Клавиши: {} ", self.screen), t.title))
            .title_bottom(Span::styled(keys, t.muted));
        let inner = block.inner(r);
        f.render_widget(block, r);
        let kw = self
            .rows
            .iter()
            .map(|(k, _)| unicode_width::UnicodeWidthStr::width(k.as_str()))
            .max()
            .unwrap_or(4)
            .min(20);
        let mut lines: Vec<Line> = self
            .rows
            .iter()
            .map(|(k, d)| {
                Line::from(vec![
                    Span::styled(format!(" {} ", fit(k, kw)), t.key),
                    // Cut with «…» where the window is narrower than the text.
                    Span::styled(
                        crate::tui::ui::truncate(d, (inner.width as usize).saturating_sub(kw + 2)),
                        t.text,
                    ),
                ])
            })
            .collect();
        if !self.notes.is_empty() {
            lines.push(Line::from(""));
            for n in &self.notes {
                lines.push(Line::from(Span::styled(format!(" {n}"), t.muted)));
            }
        }
        f.render_widget(
            Paragraph::new(lines).scroll((u16::try_from(top).unwrap_or(u16::MAX), 0)),
            inner,
        );
    }
}
