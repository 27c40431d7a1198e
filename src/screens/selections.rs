//! «Отборы» (§3.2.5–3.2.7, §4.3.4): the selections, open ones first with
//! the days of intake left; a selection's page — the partner, the theme,
//! the dates, the criteria, the regulations, and the applications the
//! reader may see (all of them for the Agency and the selection's experts:
//! their moderation queue). On the page an author applies (`a`) and an
//! expert of the selection scores (`v`), in a form over it
//! ([`super::selection_form`]).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::selection_form::{EntryForm, Kind};
use super::{Effect, RenderCx, Screen, page};
use crate::domain::User;
use crate::service::selections::SelectionRow;
use crate::tui::action::Action;
use crate::tui::ui::truncate;
use crate::tui::worker::Request;
use crate::tui::worker::people::{PeopleReply, PeopleRequest};

pub const COMMANDS: [Action; 8] = [
    Action::Open,
    Action::Down,
    Action::Up,
    Action::PageDown,
    Action::PageUp,
    Action::Back,
    Action::Help,
    Action::Redraw,
];

pub const PAGE_COMMANDS: [Action; 9] = [
    Action::Down,
    Action::Up,
    Action::PageDown,
    Action::PageUp,
    Action::Home,
    Action::End,
    Action::Back,
    Action::Help,
    Action::Redraw,
];

enum Mode {
    List,
    Page {
        id: uuid::Uuid,
        text: Option<Result<String, String>>,
        scroll: super::scroll::Scroller,
        /// The application or score form over the page.
        form: Option<Box<EntryForm>>,
    },
}

pub struct Selections {
    user: Option<User>,
    rows: Option<Result<Vec<SelectionRow>, String>>,
    selected: usize,
    mode: Mode,
}

fn send(r: PeopleRequest) -> Effect {
    Effect::Send(Request::People(Box::new(r)))
}

impl Selections {
    pub fn open(user: Option<User>) -> (Self, Effect) {
        let ask = send(PeopleRequest::Selections { user: user.clone() });
        (
            Self {
                user,
                rows: None,
                selected: 0,
                mode: Mode::List,
            },
            ask,
        )
    }

    /// What the form over the page asked: its closing brings the page
    /// back, read again (an application shows on it).
    fn after_form(&mut self, effects: Vec<Effect>) -> Vec<Effect> {
        let Mode::Page { id, text, form, .. } = &mut self.mode else {
            return effects;
        };
        let mut out = Vec::new();
        for e in effects {
            if matches!(e, Effect::Close) {
                *form = None;
                *text = None;
                out.push(send(PeopleRequest::Selection {
                    user: self.user.clone(),
                    id: *id,
                }));
            } else {
                out.push(e);
            }
        }
        out
    }

    fn form(&self) -> Option<&EntryForm> {
        match &self.mode {
            Mode::Page { form, .. } => form.as_deref(),
            Mode::List => None,
        }
    }

    fn count(&self) -> usize {
        match &self.rows {
            Some(Ok(r)) => r.len(),
            _ => 0,
        }
    }
}

impl Screen for Selections {
    fn ready(&self) -> bool {
        match &self.mode {
            Mode::List => self.rows.is_some(),
            Mode::Page {
                form: Some(form), ..
            } => form.ready(),
            Mode::Page { text, .. } => text.is_some(),
        }
    }

    fn text_input(&self) -> bool {
        self.form().is_some()
    }

    fn input(&mut self, key: crossterm::event::KeyEvent) -> Vec<Effect> {
        match &mut self.mode {
            Mode::Page {
                form: Some(form), ..
            } => form.input(key),
            _ => Vec::new(),
        }
    }

    fn own_keys(&self) -> Vec<(&'static str, &'static str)> {
        self.form().map(Screen::own_keys).unwrap_or_default()
    }

    fn title(&self) -> String {
        "Отборы".to_owned()
    }

    fn commands(&self) -> Vec<Action> {
        if let Some(form) = self.form() {
            return form.commands();
        }
        match self.mode {
            Mode::List => COMMANDS.to_vec(),
            Mode::Page { .. } => {
                let mut out = PAGE_COMMANDS.to_vec();
                // Before the scrolling keys, so the hint bar shows them:
                // applying for authors, scoring for the selection's experts.
                let expert = match &self.rows {
                    Some(Ok(r)) => r.get(self.selected).is_some_and(|r| r.expert),
                    _ => false,
                };
                if expert {
                    out.insert(0, Action::Score);
                }
                if self
                    .user
                    .as_ref()
                    .is_some_and(|u| u.has_role(crate::domain::Role::Author))
                {
                    out.insert(0, Action::ApplyToSelection);
                }
                out
            }
        }
    }

    fn describe(&self, action: Action) -> Option<&'static str> {
        if let Some(form) = self.form() {
            return form.describe(action);
        }
        match (&self.mode, action) {
            (Mode::List, Action::Open) => Some("Открыть страницу отбора"),
            (Mode::Page { .. }, Action::Back) => Some("К списку отборов"),
            _ => None,
        }
    }

    fn handle(&mut self, action: Action) -> Vec<Effect> {
        let len = self.count();
        // Only the keys the page offers (a keymap may bind others).
        let offered = self.commands().contains(&action);
        if let Mode::Page {
            form: Some(form), ..
        } = &mut self.mode
        {
            let effects = form.handle(action);
            return self.after_form(effects);
        }
        match (&mut self.mode, action) {
            (Mode::List, Action::Back) => return vec![Effect::Close],
            (Mode::List, a @ (Action::Down | Action::Up | Action::PageDown | Action::PageUp)) => {
                super::move_in_list(&mut self.selected, len, a);
            }
            (Mode::List, Action::Open) => {
                let id = match &self.rows {
                    Some(Ok(r)) => r.get(self.selected).map(|r| r.id),
                    _ => None,
                };
                if let Some(id) = id {
                    self.mode = Mode::Page {
                        id,
                        text: None,
                        scroll: super::scroll::Scroller::default(),
                        form: None,
                    };
                    return vec![send(PeopleRequest::Selection {
                        user: self.user.clone(),
                        id,
                    })];
                }
            }
            (Mode::Page { .. }, Action::Back) => {
                self.mode = Mode::List;
                return vec![send(PeopleRequest::Selections {
                    user: self.user.clone(),
                })];
            }
            (Mode::Page { id, form, .. }, a @ (Action::ApplyToSelection | Action::Score)) => {
                if let Some(user) = &self.user
                    && offered
                {
                    let kind = if a == Action::Score {
                        Kind::Score
                    } else {
                        Kind::Apply
                    };
                    let (f, ask) = EntryForm::open(kind, user.clone(), *id);
                    *form = Some(Box::new(f));
                    return vec![ask];
                }
            }
            (Mode::Page { scroll, .. }, a) => {
                scroll.handle(a);
            }
            _ => {}
        }
        Vec::new()
    }

    fn on_reply(&mut self, reply: &crate::tui::worker::Reply) -> Vec<Effect> {
        if let Mode::Page {
            form: Some(form), ..
        } = &mut self.mode
        {
            let effects = form.on_reply(reply);
            return self.after_form(effects);
        }
        let crate::tui::worker::Reply::People(r) = reply else {
            return Vec::new();
        };
        match (r.as_ref(), &mut self.mode) {
            (PeopleReply::Selections(rows), _) => {
                self.rows = Some(rows.clone());
                self.selected = self.selected.min(self.count().saturating_sub(1));
            }
            (PeopleReply::Selection(t), Mode::Page { text, .. }) => *text = Some(t.clone()),
            _ => {}
        }
        Vec::new()
    }

    fn render(&self, f: &mut Frame, area: Rect, cx: &RenderCx<'_>) {
        let t = cx.theme;
        if let Mode::Page {
            text, scroll, form, ..
        } = &self.mode
        {
            let inner = page(
                f,
                area,
                t,
                vec![
                    Span::styled(" Отбор", t.title),
                    Span::styled(" · Esc — к списку", t.muted),
                ],
            );
            let Some(text) = super::loaded(f, inner, t, text) else {
                return;
            };
            // A column kept for the scrollbar; an application's wrapped
            // line stays under its title.
            let w = inner.width.saturating_sub(1) as usize;
            let mut lines = Vec::new();
            for l in text.lines() {
                let style = if l.starts_with("Этап: приём заявок") {
                    t.ok
                } else {
                    t.text
                };
                let rest = if l.starts_with("  ") { "    " } else { " " };
                for part in crate::tui::ui::wrap(l, w, " ", rest) {
                    lines.push(Line::from(Span::styled(part, style)));
                }
            }
            scroll.render(f, inner, lines);
            if let Some(form) = form {
                form.render(f, area, cx);
            }
            return;
        }
        let inner = page(
            f,
            area,
            t,
            vec![
                Span::styled(" Отборы", t.title),
                Span::styled(" · открытые — первыми", t.muted),
            ],
        );
        let Some(rows) = super::loaded(f, inner, t, &self.rows) else {
            return;
        };
        let w = inner.width as usize;
        let h = inner.height as usize;
        let first = self.selected.saturating_sub(h.saturating_sub(1));
        let mut lines = Vec::new();
        for (i, r) in rows.iter().enumerate().skip(first).take(h) {
            let when = match r.days_left {
                Some(n) => format!("осталось {n} дн."),
                None => r.stage.to_owned(),
            };
            let count = match (r.all, r.entries) {
                (true, n) => format!("подано {n:>4}"),
                (false, 0) => String::new(),
                (false, n) => format!("ваших {n:>4}"),
            };
            let right = format!("{when:>16} {count:>11}");
            let title_w = w.saturating_sub(right.chars().count() + 3);
            let line = format!(" {:<title_w$} {right}", truncate(&r.title, title_w));
            let style = if i == self.selected {
                t.selected
            } else if r.days_left.is_some() {
                t.ok
            } else {
                t.text
            };
            lines.push(Line::from(Span::styled(line, style)));
        }
        if rows.is_empty() {
            lines.push(Line::from(Span::styled(
                " Отборов пока нет: их объявляет Агентство по запросу партнёра.",
                t.muted,
            )));
        }
        f.render_widget(Paragraph::new(lines), inner);
    }
}
