//! The passport view: every field P-1…P-24 of a practice, scrollable.

use std::fmt::Write as _;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::{Effect, RenderCx, Screen};
use crate::domain::passport::CRITERIA;
use crate::domain::refdata::refdata;
use crate::domain::{PracticeId, PracticeStatus};
use crate::service::views::{PracticeView, field_texts};
use crate::tui::action::Action;
use crate::tui::theme::Theme;
use crate::tui::worker::{Reply, Request, RevisionView};

pub const COMMANDS: [Action; 19] = [
    Action::Workflow,
    Action::Print,
    Action::WantToImplement,
    Action::Replication,
    Action::History,
    Action::Diff,
    Action::Edit,
    Action::Revisions,
    Action::Down,
    Action::Up,
    Action::PageDown,
    Action::PageUp,
    Action::Home,
    Action::End,
    Action::Back,
    Action::Quit,
    Action::Login,
    Action::Help,
    Action::Redraw,
];

pub struct PassportView {
    pub id: PracticeId,
    pub view: Option<Result<Box<PracticeView>, String>>,
    pub scroll: super::scroll::Scroller,
    /// Saved revisions, once asked for, and which one is shown (`None`:
    /// the current passport).
    pub revisions: Option<Vec<RevisionView>>,
    pub shown: Option<usize>,
    user: Option<crate::domain::User>,
}

impl PassportView {
    /// The view and the request that loads it.
    pub fn open(id: PracticeId, user: Option<crate::domain::User>) -> (Self, Effect) {
        (
            Self {
                id,
                view: None,
                scroll: super::scroll::Scroller::default(),
                revisions: None,
                shown: None,
                user: user.clone(),
            },
            Effect::Send(Request::Practice {
                id,
                user: user.map(Box::new),
            }),
        )
    }
}

pub(crate) fn wrap_into(
    out: &mut Vec<Line<'static>>,
    text: &str,
    width: usize,
    style: Style,
    indent: &str,
) {
    for l in crate::tui::ui::wrap(text, width, indent, indent) {
        out.push(Line::from(Span::styled(l, style)));
    }
}

/// The passport as lines wrapped to `width`.
pub fn passport_lines(v: &PracticeView, width: usize, t: &Theme) -> Vec<Line<'static>> {
    let p = &v.practice;
    let d = refdata();
    let mut out = Vec::new();
    wrap_into(&mut out, &p.passport.title, width, t.title, "");
    let mut status = p.status.name().to_owned();
    if let Some(r) = p.region() {
        let _ = write!(status, " · {}", d.region_name(r));
    }
    if let Some(dist) = p.region().and_then(|r| d.district_of(r)) {
        let _ = write!(status, " · {}", dist.name);
    }
    wrap_into(&mut out, &status, width, t.highlight, "");
    if let Some(r) = &p.workflow.returned {
        let due = p
            .workflow
            .deadline
            .as_ref()
            .map(|d| format!(" до {}", d.due.format("%d.%m.%Y")))
            .unwrap_or_default();
        wrap_into(
            &mut out,
            &format!("На доработке у автора{due}: {}", r.comment),
            width,
            t.warning,
            "",
        );
    }
    wrap_into(
        &mut out,
        &format!("Автор: {}", v.author),
        width,
        t.muted,
        "",
    );
    if v.life.is_empty()
        && let Some(pubd) = p.published
    {
        wrap_into(
            &mut out,
            &format!("Опубликована: {}", pubd.format("%d.%m.%Y")),
            width,
            t.muted,
            "",
        );
    }
    for l in &v.life {
        let style = if l.warn { t.warning } else { t.muted };
        wrap_into(
            &mut out,
            &format!("{}: {}", l.label, l.text),
            width,
            style,
            "",
        );
    }
    if p.status == PracticeStatus::Archived {
        wrap_into(
            &mut out,
            "Практика в «Базе знаний»: для самостоятельного изучения.",
            width,
            t.warning,
            "",
        );
    }
    for (f, text) in field_texts(v) {
        out.push(Line::from(""));
        out.push(Line::from(vec![
            Span::styled(format!("{} ", f.id()), t.muted),
            Span::styled(f.label().to_owned(), t.label),
        ]));
        wrap_into(&mut out, &text, width, t.text, "  ");
    }
    out.push(Line::from(""));
    out.push(Line::from(Span::styled("Тиражирование", t.label)));
    if v.replications.is_empty() {
        wrap_into(&mut out, "Заявок на внедрение нет.", width, t.muted, "  ");
    }
    for (region, status) in &v.replications {
        wrap_into(
            &mut out,
            &format!("• {region} — {}", status.name()),
            width,
            t.text,
            "  ",
        );
    }
    let mentors: Vec<&str> = v
        .team
        .iter()
        .filter(|(_, m)| *m)
        .map(|(n, _)| n.as_str())
        .collect();
    if !mentors.is_empty() {
        wrap_into(
            &mut out,
            &format!("Наставники: {}", mentors.join(", ")),
            width,
            t.text,
            "  ",
        );
    }
    out.push(Line::from(""));
    out.push(Line::from(Span::styled(
        "Критерии п. 2.1.5, подтверждённые автором",
        t.label,
    )));
    for (i, c) in CRITERIA.iter().enumerate() {
        let mark = if p.passport.criteria_confirmed[i] {
            "[x]"
        } else {
            "[ ]"
        };
        wrap_into(&mut out, &format!("{mark} {c}"), width, t.text, "  ");
    }
    out
}

impl Screen for PassportView {
    fn ready(&self) -> bool {
        self.view.is_some()
    }

    fn title(&self) -> String {
        "Паспорт практики".to_owned()
    }

    fn commands(&self) -> Vec<Action> {
        COMMANDS.to_vec()
    }

    fn hints(&self) -> Vec<Action> {
        vec![Action::Down, Action::PageDown, Action::Back, Action::Help]
    }

    fn handle(&mut self, action: Action) -> Vec<Effect> {
        if self.scroll.handle(action) {
            return Vec::new();
        }
        match action {
            Action::Back | Action::Quit => return vec![Effect::Close],
            Action::Edit => return vec![Effect::EditDraft(self.id)],
            Action::Workflow => return vec![Effect::Workflow(vec![self.id])],
            Action::History => return vec![Effect::OpenHistory(self.id)],
            Action::Replication => return vec![Effect::OpenReplication],
            Action::WantToImplement => {
                let title = match &self.view {
                    Some(Ok(v)) => v.practice.passport.title.clone(),
                    _ => String::new(),
                };
                return vec![Effect::WantToImplement(self.id, title)];
            }
            Action::Diff => return vec![Effect::OpenDiff(self.id)],
            Action::Print => {
                return vec![Effect::Send(Request::Print {
                    user: self.user.clone().map(Box::new),
                    what: crate::tui::worker::print::Printable::Passport(self.id),
                })];
            }
            Action::Revisions => match &self.revisions {
                None => {
                    return vec![Effect::Send(Request::Revisions {
                        id: self.id,
                        user: self.user.clone().map(Box::new),
                    })];
                }
                Some(revs) => {
                    // Step back in time; past the oldest, back to the current.
                    self.shown = match self.shown {
                        None if revs.len() > 1 => Some(revs.len() - 2),
                        Some(i) if i > 0 => Some(i - 1),
                        _ => None,
                    };
                    self.scroll.offset = 0;
                }
            },
            _ => {}
        }
        Vec::new()
    }

    fn on_reply(&mut self, reply: &Reply) -> Vec<Effect> {
        let moved = match reply {
            Reply::Acted { ids, result: Ok(_) } => ids.contains(&self.id),
            Reply::Submitted { id, result: Ok(_) } => *id == self.id,
            // Its replications changed.
            Reply::Replicated(Ok(a)) => a.practice == self.id,
            _ => false,
        };
        if moved {
            // The practice moved on: show its new state.
            self.view = None;
            self.revisions = None;
            self.shown = None;
            return vec![Effect::Send(Request::Practice {
                id: self.id,
                user: self.user.clone().map(Box::new),
            })];
        }
        if let Reply::Revisions { id, result } = reply
            && *id == self.id
        {
            match result {
                Ok(revs) if revs.len() > 1 => {
                    self.shown = Some(revs.len() - 2);
                    self.revisions = Some(revs.clone());
                }
                Ok(revs) => {
                    self.revisions = Some(revs.clone());
                    return vec![Effect::Message("У паспорта одна редакция.".to_owned())];
                }
                Err(e) => return vec![Effect::Error(e.clone())],
            }
            return Vec::new();
        }
        if let Reply::Practice(r) = reply
            && self.view.is_none()
        {
            match r {
                Ok(v) if v.practice.id == self.id => self.view = Some(Ok(v.clone())),
                Err(e) => self.view = Some(Err(e.clone())),
                Ok(_) => {}
            }
        }
        Vec::new()
    }

    fn render(&self, f: &mut Frame, area: Rect, cx: &RenderCx<'_>) {
        let t = cx.theme;
        let inner = super::page(
            f,
            area,
            t,
            vec![
                Span::styled(" Паспорт практики", t.title),
                Span::styled(" · Esc — назад", t.muted),
            ],
        );
        let text_area = Rect {
            x: inner.x + 1,
            width: inner.width.saturating_sub(3),
            ..inner
        };
        let shown = self
            .shown
            .and_then(|i| self.revisions.as_ref().and_then(|r| r.get(i)));
        let lines = match (&self.view, shown) {
            (None, _) => vec![Line::from(Span::styled("Загрузка…", t.muted))],
            (Some(Err(e)), _) => {
                // Said whole at any width (a row offline explains itself).
                let mut lines = Vec::new();
                wrap_into(&mut lines, e, text_area.width as usize, t.error, "");
                lines
            }
            (Some(Ok(_)), Some(r)) => {
                let total = self.revisions.as_ref().map_or(0, Vec::len);
                let fields: Vec<String> = r.revision.fields.iter().map(|f| f.id()).collect();
                let mut lines = Vec::new();
                wrap_into(
                    &mut lines,
                    &format!(
                        "Редакция {} из {total} · {} · {} · изменены: {} (r — предыдущая)",
                        r.revision.number,
                        r.revision
                            .at
                            .with_timezone(&chrono::Local)
                            .format("%d.%m.%Y %H:%M"),
                        r.by,
                        if fields.is_empty() {
                            "—".to_owned()
                        } else {
                            fields.join(", ")
                        }
                    ),
                    text_area.width as usize,
                    t.warning,
                    "",
                );
                lines.extend(passport_lines(&r.view, text_area.width as usize, t));
                lines
            }
            (Some(Ok(v)), None) => passport_lines(v, text_area.width as usize, t),
        };
        // Text wrapped a column short of the scrollbar's, as it always was.
        self.scroll.render(
            f,
            Rect {
                x: inner.x + 1,
                width: inner.width.saturating_sub(1),
                ..inner
            },
            lines,
        );
    }
}
