//! Two revisions of a passport compared field by field: removed words
//! struck out between [- -], added ones between {+ +}; attachments by hash.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

use super::scroll::{self, Scroller};
use super::{Effect, RenderCx, Screen, page};
use crate::domain::PracticeId;
use crate::domain::user::User;
use crate::service::diff::Piece;
use crate::tui::action::Action;
use crate::tui::worker::{DiffView, Reply, Request};

pub fn commands() -> Vec<Action> {
    let mut v = vec![
        Action::OlderFrom,
        Action::NewerFrom,
        Action::OlderTo,
        Action::NewerTo,
    ];
    v.extend(scroll::KEYS);
    v.extend([Action::Back, Action::Help, Action::Redraw]);
    v
}

pub struct Diff {
    pub id: PracticeId,
    user: Option<User>,
    pub view: Option<Result<Box<DiffView>, String>>,
    scroll: Scroller,
}

impl Diff {
    pub fn open(id: PracticeId, user: Option<User>) -> (Self, Effect) {
        let req = Request::Diff {
            user: user.clone().map(Box::new),
            id,
            pair: None,
        };
        (
            Self {
                id,
                user,
                view: None,
                scroll: Scroller::default(),
            },
            Effect::Send(req),
        )
    }
}

/// Wraps styled pieces to `width` columns, breaking at spaces and newlines.
fn wrap_pieces(pieces: &[(String, Style)], width: usize, indent: &str) -> Vec<Line<'static>> {
    let width = width.max(10);
    let mut out = Vec::new();
    let mut line: Vec<Span<'static>> = vec![Span::raw(indent.to_owned())];
    let mut used = indent.width();
    for (text, style) in pieces {
        for (i, para) in text.split('\n').enumerate() {
            if i > 0 {
                out.push(Line::from(std::mem::take(&mut line)));
                line.push(Span::raw(indent.to_owned()));
                used = indent.width();
            }
            for word in para.split_inclusive(' ') {
                let w = word.width();
                if used + w > width && used > indent.width() {
                    out.push(Line::from(std::mem::take(&mut line)));
                    line.push(Span::raw(indent.to_owned()));
                    used = indent.width();
                }
                line.push(Span::styled(word.to_owned(), *style));
                used += w;
            }
        }
    }
    if used > indent.width() {
        out.push(Line::from(line));
    }
    out
}

impl Screen for Diff {
    fn ready(&self) -> bool {
        self.view.is_some()
    }

    fn title(&self) -> String {
        "Сравнение редакций".to_owned()
    }

    fn commands(&self) -> Vec<Action> {
        commands()
    }

    fn hints(&self) -> Vec<Action> {
        vec![
            Action::OlderFrom,
            Action::NewerFrom,
            Action::OlderTo,
            Action::NewerTo,
            Action::Back,
        ]
    }

    fn handle(&mut self, action: Action) -> Vec<Effect> {
        if self.scroll.handle(action) {
            return Vec::new();
        }
        if action == Action::Back {
            return vec![Effect::Close];
        }
        let Some(Ok(v)) = &self.view else {
            return Vec::new();
        };
        let (mut a, mut b) = (v.from, v.to);
        match action {
            Action::OlderFrom => a = a.saturating_sub(1).max(1),
            Action::NewerFrom => a = (a + 1).min(b.saturating_sub(1)).max(1),
            Action::OlderTo => b = b.saturating_sub(1).max(a + 1),
            Action::NewerTo => b = (b + 1).min(v.latest),
            _ => return Vec::new(),
        }
        if (a, b) == (v.from, v.to) || a >= b {
            return vec![Effect::Message("Дальше редакций нет.".to_owned())];
        }
        self.scroll.offset = 0;
        vec![Effect::Send(Request::Diff {
            user: self.user.clone().map(Box::new),
            id: self.id,
            pair: Some((a, b)),
        })]
    }

    fn on_reply(&mut self, reply: &Reply) -> Vec<Effect> {
        if let Reply::Diff { id, result } = reply
            && *id == self.id
        {
            match (result, &self.view) {
                // A refused step keeps the comparison on screen.
                (Err(e), Some(Ok(_))) => return vec![Effect::Error(e.clone())],
                _ => self.view = Some(result.clone()),
            }
        }
        Vec::new()
    }

    fn render(&self, f: &mut Frame, area: Rect, cx: &RenderCx<'_>) {
        let t = cx.theme;
        let title = match &self.view {
            Some(Ok(v)) => format!(
                " · редакция {} → {} из {} · «{}»",
                v.from, v.to, v.latest, v.title
            ),
            _ => String::new(),
        };
        let inner = page(
            f,
            area,
            t,
            vec![
                Span::styled(" Сравнение", t.title),
                Span::styled(
                    crate::tui::ui::truncate(&title, area.width as usize),
                    t.muted,
                ),
            ],
        );
        let area = Rect {
            x: inner.x + 1,
            width: inner.width.saturating_sub(1),
            ..inner
        };
        let width = area.width.saturating_sub(1) as usize;
        let added = t.ok.add_modifier(Modifier::BOLD);
        let removed = t.error.add_modifier(Modifier::CROSSED_OUT);
        let mut lines = Vec::new();
        if let Some(Ok(v)) = &self.view
            && let Some(points) = &v.points
        {
            crate::screens::passport::wrap_into(
                &mut lines,
                &format!("Замечания: «{points}»"),
                width,
                t.warning,
                "",
            );
            lines.push(Line::from(""));
        }
        match &self.view {
            None => lines.push(Line::from(Span::styled("Загрузка…", t.muted))),
            Some(Err(e)) => lines.push(Line::from(Span::styled(e.clone(), t.error))),
            Some(Ok(v)) if v.fields.is_empty() => lines.push(Line::from(Span::styled(
                "Паспорт в этих редакциях не различается.",
                t.muted,
            ))),
            Some(Ok(v)) => {
                for fd in &v.fields {
                    lines.push(Line::from(Span::styled(
                        format!("{} {}", fd.field.id(), fd.label),
                        t.label,
                    )));
                    let pieces: Vec<(String, Style)> = fd
                        .pieces
                        .iter()
                        .map(|p| match p {
                            Piece::Same(s) => (s.clone(), t.text),
                            Piece::Added(s) => {
                                (format!("{{+{}+}}", s.trim_end()) + trailing(s), added)
                            }
                            Piece::Removed(s) => {
                                (format!("[-{}-]", s.trim_end()) + trailing(s), removed)
                            }
                        })
                        .collect();
                    lines.extend(wrap_pieces(&pieces, width, "  "));
                    lines.push(Line::from(""));
                }
            }
        }
        self.scroll.render(f, area, lines);
    }
}

/// The whitespace a piece ends with, kept outside its markers.
fn trailing(s: &str) -> &str {
    &s[s.trim_end().len()..]
}
