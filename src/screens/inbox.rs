//! «Уведомления»: deadlines of the user's own practices that are near or
//! past, then every transition that concerned them, newest first. Opening
//! the inbox marks it read.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Effect, RenderCx, Screen, loaded, page};
use crate::domain::PracticeId;
use crate::domain::user::User;
use crate::service::workflow::Inbox as Items;
use crate::tui::action::Action;
use crate::tui::ui::truncate;
use crate::tui::worker::{Reply, Request};

pub const COMMANDS: [Action; 9] = [
    Action::Open,
    Action::Down,
    Action::Up,
    Action::PageDown,
    Action::PageUp,
    Action::Home,
    Action::End,
    Action::Back,
    Action::Help,
];

pub struct Inbox {
    user: User,
    /// As first loaded: unread items stay marked while the screen is open.
    pub items: Option<Result<Box<Items>, String>>,
    pub selected: usize,
    marked_read: bool,
}

impl Inbox {
    pub fn open(user: User) -> (Self, Effect) {
        let req = Request::Inbox {
            user: Box::new(user.clone()),
        };
        (
            Self {
                user,
                items: None,
                selected: 0,
                marked_read: false,
            },
            Effect::Send(req),
        )
    }

    fn len(&self) -> usize {
        match &self.items {
            Some(Ok(i)) => i.deadlines.len() + i.notices.len(),
            _ => 0,
        }
    }

    fn practice_at(&self, n: usize) -> Option<PracticeId> {
        let Some(Ok(i)) = &self.items else {
            return None;
        };
        if n < i.deadlines.len() {
            Some(i.deadlines[n].practice)
        } else {
            i.notices.get(n - i.deadlines.len())?.practice
        }
    }
}

impl Screen for Inbox {
    fn ready(&self) -> bool {
        self.items.is_some()
    }

    fn title(&self) -> String {
        "Уведомления".to_owned()
    }

    fn commands(&self) -> Vec<Action> {
        COMMANDS.to_vec()
    }

    fn handle(&mut self, action: Action) -> Vec<Effect> {
        let last = self.len().saturating_sub(1);
        match action {
            Action::Down => self.selected = (self.selected + 1).min(last),
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::PageDown => self.selected = (self.selected + 10).min(last),
            Action::PageUp => self.selected = self.selected.saturating_sub(10),
            Action::Home => self.selected = 0,
            Action::End => self.selected = last,
            Action::Open => {
                if let Some(id) = self.practice_at(self.selected) {
                    return vec![Effect::OpenPassport(id)];
                }
            }
            Action::Back => return vec![Effect::Close],
            _ => {}
        }
        Vec::new()
    }

    fn on_reply(&mut self, reply: &Reply) -> Vec<Effect> {
        if let Reply::Inbox(r) = reply
            && !self.marked_read
        {
            self.items = Some(r.clone());
            self.marked_read = true;
            return vec![Effect::Send(Request::MarkRead {
                user: Box::new(self.user.clone()),
            })];
        }
        Vec::new()
    }

    fn render(&self, f: &mut Frame, area: Rect, cx: &RenderCx<'_>) {
        let t = cx.theme;
        let inner = page(
            f,
            area,
            t,
            vec![
                Span::styled(" Уведомления", t.title),
                Span::styled(" · Enter — открыть практику", t.muted),
            ],
        );
        let w = inner.width as usize;
        let Some(items) = loaded(f, inner, t, &self.items) else {
            return;
        };
        if self.len() == 0 {
            f.render_widget(
                Paragraph::new(Span::styled(" Уведомлений нет.", t.muted)),
                inner,
            );
            return;
        }
        // Two lines per item.
        let h = (inner.height as usize / 2).max(1);
        let first = self.selected.saturating_sub(h - 1);
        let mut lines = Vec::new();
        for n in first..(first + h).min(self.len()) {
            let (top, bottom, style) = if n < items.deadlines.len() {
                let a = &items.deadlines[n];
                (
                    format!("! «{}»", a.title),
                    format!("  {}", a.text()),
                    if a.left < 0 { t.error } else { t.warning },
                )
            } else {
                let x = &items.notices[n - items.deadlines.len()];
                (
                    format!(
                        "{} {}  «{}»",
                        if x.read { ' ' } else { '●' },
                        x.at.with_timezone(&chrono::Local).format("%d.%m.%Y %H:%M"),
                        x.title
                    ),
                    format!("  {}", x.text),
                    if x.read { t.text } else { t.highlight },
                )
            };
            let sel = n == self.selected;
            let pick = |s: ratatui::style::Style| if sel { t.selected } else { s };
            lines.push(Line::from(Span::styled(truncate(&top, w), pick(style))));
            lines.push(Line::from(Span::styled(
                truncate(&bottom, w),
                pick(t.muted),
            )));
        }
        f.render_widget(Paragraph::new(lines), inner);
    }
}
