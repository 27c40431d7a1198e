//! «Отборы» (§3.2.5–3.2.7, §4.3.4): the selections, open ones first with
//! the days of intake left; a selection's page — the partner, the theme,
//! the dates, the criteria, the regulations, and the applications the
//! reader may see (all of them for the Agency and the selection's experts:
//! their moderation queue).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

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
        text: Option<Result<String, String>>,
        scroll: super::scroll::Scroller,
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
            Mode::Page { text, .. } => text.is_some(),
        }
    }

    fn title(&self) -> String {
        "Отборы".to_owned()
    }

    fn commands(&self) -> Vec<Action> {
        match self.mode {
            Mode::List => COMMANDS.to_vec(),
            Mode::Page { .. } => PAGE_COMMANDS.to_vec(),
        }
    }

    fn describe(&self, action: Action) -> Option<&'static str> {
        match (&self.mode, action) {
            (Mode::List, Action::Open) => Some("Открыть страницу отбора"),
            (Mode::Page { .. }, Action::Back) => Some("К списку отборов"),
            _ => None,
        }
    }

    fn handle(&mut self, action: Action) -> Vec<Effect> {
        let len = self.count();
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
                        text: None,
                        scroll: super::scroll::Scroller::default(),
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
            (Mode::Page { scroll, .. }, a) => {
                scroll.handle(a);
            }
            _ => {}
        }
        Vec::new()
    }

    fn on_reply(&mut self, reply: &crate::tui::worker::Reply) -> Vec<Effect> {
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
        if let Mode::Page { text, scroll } = &self.mode {
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
