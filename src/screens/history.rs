//! The history of a practice as a timeline: who, when, from which status
//! to which, the comment and the documents; `d` compares revisions.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::passport::wrap_into;
use super::scroll::{self, Scroller};
use super::{Effect, RenderCx, Screen, page};
use crate::domain::PracticeId;
use crate::domain::user::User;
use crate::tui::action::Action;
use crate::tui::worker::{HistoryView, Reply, Request};

pub fn commands() -> Vec<Action> {
    let mut v = vec![Action::Diff];
    v.extend(scroll::KEYS);
    v.extend([Action::Back, Action::Help, Action::Redraw]);
    v
}

pub struct History {
    pub id: PracticeId,
    user: Option<User>,
    pub view: Option<Result<Box<HistoryView>, String>>,
    scroll: Scroller,
}

impl History {
    pub fn open(id: PracticeId, user: Option<User>) -> (Self, Effect) {
        let req = Request::History {
            user: user.clone().map(Box::new),
            id,
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

impl Screen for History {
    fn ready(&self) -> bool {
        self.view.is_some()
    }

    fn title(&self) -> String {
        "История практики".to_owned()
    }

    fn commands(&self) -> Vec<Action> {
        commands()
    }

    fn hints(&self) -> Vec<Action> {
        vec![Action::Diff, Action::Down, Action::PageDown, Action::Back]
    }

    fn handle(&mut self, action: Action) -> Vec<Effect> {
        if self.scroll.handle(action) {
            return Vec::new();
        }
        match action {
            Action::Diff => vec![Effect::OpenDiff(self.id)],
            Action::Back => vec![Effect::Close],
            _ => Vec::new(),
        }
    }

    fn on_reply(&mut self, reply: &Reply) -> Vec<Effect> {
        match reply {
            Reply::History { id, result } if *id == self.id => {
                self.view = Some(result.clone());
                Vec::new()
            }
            Reply::Acted { ids, result: Ok(_) } if ids.contains(&self.id) => {
                vec![Effect::Send(Request::History {
                    user: self.user.clone().map(Box::new),
                    id: self.id,
                })]
            }
            _ => Vec::new(),
        }
    }

    fn render(&self, f: &mut Frame, area: Rect, cx: &RenderCx<'_>) {
        let t = cx.theme;
        let title = match &self.view {
            Some(Ok(v)) => format!(" · «{}»", v.title),
            _ => String::new(),
        };
        let inner = page(
            f,
            area,
            t,
            vec![
                Span::styled(" История", t.title),
                Span::styled(title, t.muted),
            ],
        );
        let area = Rect {
            x: inner.x + 1,
            width: inner.width.saturating_sub(1),
            ..inner
        };
        let width = area.width.saturating_sub(1) as usize;
        let mut lines = Vec::new();
        match &self.view {
            None => lines.push(Line::from(Span::styled("Загрузка…", t.muted))),
            Some(Err(e)) => lines.push(Line::from(Span::styled(e.clone(), t.error))),
            Some(Ok(v)) => {
                for s in &v.steps {
                    let who = if s.actor.is_empty() {
                        s.actor_name.clone()
                    } else {
                        format!("{} ({})", s.actor_name, s.actor)
                    };
                    lines.push(Line::from(vec![
                        Span::styled(format!("{} ", crate::service::workflow::when(s)), t.label),
                        Span::styled(who, t.highlight),
                    ]));
                    let style = if s.transition.as_ref().is_some_and(|x| x.from != x.to) {
                        t.text
                    } else {
                        t.muted
                    };
                    wrap_into(&mut lines, &s.summary, width, style, "  ");
                    if let Some(tr) = &s.transition {
                        if !tr.comment.is_empty() {
                            wrap_into(
                                &mut lines,
                                &format!("Комментарий: {}", tr.comment),
                                width,
                                t.text,
                                "  ",
                            );
                        }
                        for d in &tr.documents {
                            wrap_into(
                                &mut lines,
                                &format!(
                                    "{}: {} [{}]",
                                    d.kind.name(),
                                    d.name,
                                    &d.sha256[..d.sha256.len().min(12)]
                                ),
                                width,
                                t.muted,
                                "  ",
                            );
                        }
                    }
                }
            }
        }
        self.scroll.render(f, area, lines);
    }
}
