//! «Конфликты»: fields changed both here and on the server, side by side —
//! mine and the server's — to keep one or type a new value; and the
//! server's refusals of changes sent from here, with their reasons.

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui_textarea::TextArea;

use super::{Effect, RenderCx, Screen, page};
use crate::domain::user::User;
use crate::tui::action::Action;
use crate::tui::ui::truncate;
use crate::tui::worker::{ConflictView, Reply, Request, Resolution};

pub const COMMANDS: [Action; 9] = [
    Action::KeepMine,
    Action::TakeTheirs,
    Action::Edit,
    Action::Down,
    Action::Up,
    Action::SyncNow,
    Action::Back,
    Action::Help,
    Action::Redraw,
];

pub const EDIT_COMMANDS: [Action; 3] = [Action::Submit, Action::Back, Action::Redraw];

pub struct Conflicts {
    user: User,
    pub items: Option<Result<Vec<ConflictView>, String>>,
    pub selected: usize,
    /// A new value being typed for the selected conflict.
    pub editing: Option<TextArea<'static>>,
    busy: bool,
}

impl Conflicts {
    pub fn open(user: User) -> (Self, Effect) {
        (
            Self {
                user,
                items: None,
                selected: 0,
                editing: None,
                busy: false,
            },
            Effect::Send(Request::Conflicts),
        )
    }

    fn current(&self) -> Option<&ConflictView> {
        match &self.items {
            Some(Ok(v)) => v.get(self.selected),
            _ => None,
        }
    }

    fn resolve(&mut self, choice: Resolution) -> Vec<Effect> {
        let Some(conflict) = self.current().map(|c| Box::new(c.conflict.clone())) else {
            return Vec::new();
        };
        self.busy = true;
        vec![Effect::Send(Request::Resolve {
            user: Box::new(self.user.clone()),
            conflict,
            choice,
        })]
    }
}

impl Screen for Conflicts {
    fn title(&self) -> String {
        "Конфликты".to_owned()
    }

    fn commands(&self) -> Vec<Action> {
        if self.editing.is_some() {
            EDIT_COMMANDS.to_vec()
        } else {
            COMMANDS.to_vec()
        }
    }

    fn text_input(&self) -> bool {
        self.editing.is_some()
    }

    fn input(&mut self, key: KeyEvent) -> Vec<Effect> {
        if let Some(t) = &mut self.editing {
            t.input(key);
        }
        Vec::new()
    }

    fn handle(&mut self, action: Action) -> Vec<Effect> {
        if self.busy {
            return Vec::new();
        }
        if let Some(t) = &self.editing {
            return match action {
                Action::Submit => {
                    let text = t.lines().join("\n");
                    self.editing = None;
                    self.resolve(Resolution::Text(text))
                }
                Action::Back => {
                    self.editing = None;
                    Vec::new()
                }
                _ => Vec::new(),
            };
        }
        let n = match &self.items {
            Some(Ok(v)) => v.len(),
            _ => 0,
        };
        match action {
            Action::Down => self.selected = (self.selected + 1).min(n.saturating_sub(1)),
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::KeepMine => return self.resolve(Resolution::Mine),
            Action::TakeTheirs => return self.resolve(Resolution::Theirs),
            Action::Edit => {
                if let Some(c) = self.current() {
                    let text = c
                        .conflict
                        .mine
                        .as_ref()
                        .zip(c.conflict.field)
                        .and_then(|(p, f)| crate::domain::passport::text_of(p, f));
                    match text {
                        Some(t) => {
                            let mut area = TextArea::new(t.lines().map(str::to_owned).collect());
                            area.move_cursor(ratatui_textarea::CursorMove::Bottom);
                            area.move_cursor(ratatui_textarea::CursorMove::End);
                            self.editing = Some(area);
                        }
                        None => {
                            return vec![Effect::Error(
                                "Это поле не вводится текстом: оставьте своё (m) или примите значение сервера (t)."
                                    .to_owned(),
                            )];
                        }
                    }
                }
            }
            Action::Back => return vec![Effect::Close],
            _ => {}
        }
        Vec::new()
    }

    fn on_reply(&mut self, reply: &Reply) -> Vec<Effect> {
        match reply {
            Reply::Conflicts(r) => {
                let n = r.as_ref().map_or(0, Vec::len);
                self.items = Some(r.clone());
                self.selected = self.selected.min(n.saturating_sub(1));
                Vec::new()
            }
            Reply::Resolved(r) => {
                self.busy = false;
                let msg = match r {
                    Ok(m) => Effect::Message(m.clone()),
                    Err(e) => Effect::Error(e.clone()),
                };
                vec![msg, Effect::Send(Request::Conflicts), Effect::SyncNow]
            }
            Reply::Synced { .. } => vec![Effect::Send(Request::Conflicts)],
            _ => Vec::new(),
        }
    }

    fn render(&self, f: &mut Frame, area: Rect, cx: &RenderCx<'_>) {
        let t = cx.theme;
        let n = match &self.items {
            Some(Ok(v)) => v.len(),
            _ => 0,
        };
        let inner = page(
            f,
            area,
            t,
            vec![
                Span::styled(" Конфликты", t.title),
                Span::styled(
                    format!(" · {n} · m — моё, t — сервера, e — ввести"),
                    t.muted,
                ),
            ],
        );
        let items = match &self.items {
            None => {
                f.render_widget(Paragraph::new(Span::styled(" Загрузка…", t.muted)), inner);
                return;
            }
            Some(Err(e)) => {
                f.render_widget(
                    Paragraph::new(Span::styled(format!(" {e}"), t.error)),
                    inner,
                );
                return;
            }
            Some(Ok(v)) if v.is_empty() => {
                f.render_widget(
                    Paragraph::new(Span::styled(
                        " Конфликтов нет: всё, что изменено здесь, принято сервером.",
                        t.muted,
                    )),
                    inner,
                );
                return;
            }
            Some(Ok(v)) => v,
        };
        let [list, detail] =
            Layout::vertical([Constraint::Length(5), Constraint::Min(3)]).areas(inner);
        let w = list.width as usize;
        let first = self.selected.saturating_sub(4);
        let lines: Vec<Line> = items
            .iter()
            .enumerate()
            .skip(first)
            .take(5)
            .map(|(i, c)| {
                let what = match (c.conflict.field, &c.conflict.reason) {
                    (Some(field), _) => format!("{} {}", field.id(), field.label()),
                    (None, Some(_)) => "отказ сервера".to_owned(),
                    _ => String::new(),
                };
                let text = truncate(&format!(" «{}» · {what}", c.conflict.title), w);
                Line::from(Span::styled(
                    text,
                    if i == self.selected {
                        t.selected
                    } else {
                        t.text
                    },
                ))
            })
            .collect();
        f.render_widget(Paragraph::new(lines), list);
        let Some(c) = items.get(self.selected) else {
            return;
        };
        if let Some(reason) = &c.conflict.reason {
            f.render_widget(
                Paragraph::new(vec![
                    Line::from(Span::styled(" Сервер отклонил изменение:", t.label)),
                    Line::from(Span::styled(format!(" {reason}"), t.error)),
                    Line::from(Span::styled(" t — отметить прочитанным.", t.muted)),
                ])
                .wrap(Wrap { trim: false }),
                detail,
            );
            return;
        }
        if let Some(ed) = &self.editing {
            let block = Block::default()
                .borders(Borders::ALL)
                .border_style(t.border_focus)
                .title(Span::styled(
                    " Новое значение · Enter — сохранить, Esc — отмена ",
                    t.title,
                ));
            let inside = block.inner(detail);
            f.render_widget(block, detail);
            f.render_widget(ed, inside);
            return;
        }
        let [mine, theirs] =
            Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                .areas(detail);
        for (area, title, text) in [
            (mine, " Моё (m) ", &c.mine),
            (theirs, " На сервере (t) ", &c.theirs),
        ] {
            let block = Block::default()
                .borders(Borders::ALL)
                .border_style(t.border)
                .title(Span::styled(title, t.label));
            f.render_widget(
                Paragraph::new(text.clone())
                    .style(t.text)
                    .wrap(Wrap { trim: false })
                    .block(block),
                area,
            );
        }
    }
}
