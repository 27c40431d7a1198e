//! «Регионы»: the 89 regions with the number of their practices and
//! whether their page waits for the yearly update; a region's page — the
//! head, the team, the coordinator, the practices by status, the
//! applications, the leader-list standing. Its coordinator (or the
//! Модератор АСИ) edits it with `e` on the one form widget.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::form::{self, Field, Form};
use super::passport::wrap_into;
use super::popups::{below, window};
use super::{Effect, RenderCx, Screen, page};
use crate::domain::User;
use crate::domain::regions::{RegionPage, TeamMember, may_edit};
use crate::service::regions::{RegionRow, RegionView, text};
use crate::tui::action::Action;
use crate::tui::ui::truncate;
use crate::tui::worker::people::{PeopleReply, PeopleRequest};
use crate::tui::worker::{Reply, Request};

pub const COMMANDS: [Action; 9] = [
    Action::Open,
    Action::Search,
    Action::Down,
    Action::Up,
    Action::PageDown,
    Action::PageUp,
    Action::Back,
    Action::Help,
    Action::Redraw,
];

pub const PAGE_COMMANDS: [Action; 6] = [
    Action::Edit,
    Action::Down,
    Action::Up,
    Action::Back,
    Action::Help,
    Action::Redraw,
];

const HEAD: &str = "Глава региона: ФИО";
const POSITION: &str = "Должность главы";
const TEAM: &str = "Управленческая команда: «ФИО — должность», по одному в строке (Ctrl-j)";
const NOTE: &str = "О работе региона с практиками";

enum Mode {
    List,
    Typing,
    Page {
        view: Option<Result<Box<RegionView>, String>>,
        scroll: u16,
        form: Option<Box<Form>>,
    },
}

pub struct Regions {
    user: Option<User>,
    rows: Option<Result<Vec<RegionRow>, String>>,
    selected: usize,
    text: String,
    mode: Mode,
    error: Option<String>,
}

fn send(r: PeopleRequest) -> Effect {
    Effect::Send(Request::People(Box::new(r)))
}

impl Regions {
    pub fn open(user: Option<User>) -> (Self, Effect) {
        (
            Self {
                user,
                rows: None,
                selected: 0,
                text: String::new(),
                mode: Mode::List,
                error: None,
            },
            send(PeopleRequest::Regions),
        )
    }

    /// The rows the search keeps.
    fn shown(&self) -> Vec<&RegionRow> {
        let t = self.text.to_lowercase();
        match &self.rows {
            Some(Ok(r)) => r
                .iter()
                .filter(|r| t.is_empty() || r.name.to_lowercase().contains(&t) || r.code == t)
                .collect(),
            _ => Vec::new(),
        }
    }

    fn editable(&self, code: &str) -> bool {
        self.user
            .as_ref()
            .is_some_and(|u| may_edit(u, code).is_ok())
    }

    fn form_of(page: Option<&RegionPage>) -> Form {
        let team = page
            .map(|p| {
                p.team
                    .iter()
                    .map(|m| format!("{} — {}", m.name, m.position))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .unwrap_or_default();
        Form::new(vec![
            Field::line(HEAD).filled(page.map_or("", |p| p.head.as_str())),
            Field::line(POSITION).filled(page.map_or("", |p| p.head_position.as_str())),
            Field::text(TEAM).filled(&team),
            Field::text(NOTE).filled(page.map_or("", |p| p.note.as_str())),
        ])
    }

    fn page_from(user: &User, view: &RegionView, form: &Form) -> RegionPage {
        let team = form
            .value(TEAM)
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                let (name, position) = l
                    .split_once('—')
                    .or_else(|| l.split_once(" - "))
                    .unwrap_or((l, ""));
                TeamMember {
                    name: name.trim().to_owned(),
                    position: position.trim().to_owned(),
                }
            })
            .collect();
        RegionPage {
            code: view.code.clone(),
            head: form.value(HEAD),
            head_position: form.value(POSITION),
            team,
            note: form.value(NOTE),
            updated: chrono::DateTime::<chrono::Utc>::MIN_UTC,
            updated_by: user.id,
        }
    }
}

impl Screen for Regions {
    fn ready(&self) -> bool {
        self.rows.is_some()
    }

    fn title(&self) -> String {
        "Регионы".to_owned()
    }

    fn commands(&self) -> Vec<Action> {
        match &self.mode {
            Mode::List => COMMANDS.to_vec(),
            Mode::Typing => form::TYPING_COMMANDS.to_vec(),
            Mode::Page { form: None, .. } => PAGE_COMMANDS.to_vec(),
            Mode::Page { form: Some(_), .. } => form::FORM_COMMANDS.to_vec(),
        }
    }

    fn describe(&self, action: Action) -> Option<&'static str> {
        match (&self.mode, action) {
            (Mode::List, Action::Open) => Some("Открыть страницу региона"),
            (Mode::List, Action::Search) => Some("Найти регион по названию"),
            (Mode::Typing, Action::Submit) => Some("Оставить поиск"),
            (Mode::Page { form: None, .. }, Action::Edit) => {
                Some("Изменить страницу (координатор региона, модератор АСИ)")
            }
            (Mode::Page { form: None, .. }, Action::Down | Action::Up) => Some("Прокрутить"),
            (Mode::Page { form: Some(_), .. }, Action::Submit) => Some("Сохранить страницу"),
            _ => None,
        }
    }

    fn own_keys(&self) -> Vec<(&'static str, &'static str)> {
        match &self.mode {
            Mode::Page { form: Some(f), .. } => f.keys(),
            _ => Vec::new(),
        }
    }

    fn text_input(&self) -> bool {
        matches!(self.mode, Mode::Typing | Mode::Page { form: Some(_), .. })
    }

    fn input(&mut self, key: crossterm::event::KeyEvent) -> Vec<Effect> {
        self.error = None;
        match &mut self.mode {
            Mode::Typing if form::type_into(&mut self.text, key) => self.selected = 0,
            Mode::Page { form: Some(f), .. } => f.input(key),
            _ => {}
        }
        Vec::new()
    }

    fn handle(&mut self, action: Action) -> Vec<Effect> {
        let len = self.shown().len();
        match (&mut self.mode, action) {
            // Esc drops a kept search first, then leaves.
            (Mode::List, Action::Back) if !self.text.is_empty() => {
                self.text.clear();
                self.selected = 0;
            }
            (Mode::List, Action::Back) => return vec![Effect::Close],
            (Mode::List, a @ (Action::Down | Action::Up | Action::PageDown | Action::PageUp)) => {
                super::move_in_list(&mut self.selected, len, a);
            }
            (Mode::List, Action::Search) => self.mode = Mode::Typing,
            (Mode::Typing, Action::Submit) => self.mode = Mode::List,
            (Mode::Typing, Action::Back) => {
                self.text.clear();
                self.mode = Mode::List;
            }
            (Mode::List, Action::Open) => {
                if let Some(code) = self.shown().get(self.selected).map(|r| r.code.clone()) {
                    self.mode = Mode::Page {
                        view: None,
                        scroll: 0,
                        form: None,
                    };
                    return vec![send(PeopleRequest::Region { code })];
                }
            }
            (Mode::Page { form: None, .. }, Action::Back) => {
                self.mode = Mode::List;
                return vec![send(PeopleRequest::Regions)];
            }
            (
                Mode::Page {
                    form: None, scroll, ..
                },
                Action::Down,
            ) => *scroll += 1,
            (
                Mode::Page {
                    form: None, scroll, ..
                },
                Action::Up,
            ) => {
                *scroll = scroll.saturating_sub(1);
            }
            (
                Mode::Page {
                    view: Some(Ok(v)),
                    form,
                    ..
                },
                Action::Edit,
            ) if form.is_none() => {
                let code = v.code.clone();
                let fresh = Self::form_of(v.page.as_ref());
                if self.editable(&code) {
                    if let Mode::Page { form, .. } = &mut self.mode {
                        *form = Some(Box::new(fresh));
                    }
                } else {
                    return vec![Effect::Error(
                        "Страницу ведёт координатор региона (п. 2.2.3).".to_owned(),
                    )];
                }
            }
            (Mode::Page { form: Some(f), .. }, Action::NextField) => f.next(),
            (Mode::Page { form: Some(f), .. }, Action::PrevField) => f.prev(),
            (Mode::Page { form: Some(f), .. }, Action::Back) => {
                if f.may_leave() {
                    if let Mode::Page { form, .. } = &mut self.mode {
                        *form = None;
                    }
                } else {
                    self.error = Some(form::LEAVE_ASK.to_owned());
                }
            }
            (
                Mode::Page {
                    view: Some(Ok(v)),
                    form: Some(f),
                    ..
                },
                Action::Submit,
            ) => {
                if let Some(user) = self.user.clone() {
                    let page = Self::page_from(&user, v, f);
                    return vec![send(PeopleRequest::EditRegion { user, page })];
                }
            }
            _ => {}
        }
        Vec::new()
    }

    fn on_reply(&mut self, reply: &Reply) -> Vec<Effect> {
        let Reply::People(r) = reply else {
            return Vec::new();
        };
        match (r.as_ref(), &mut self.mode) {
            (PeopleReply::Regions(rows), _) => self.rows = Some(rows.clone()),
            (PeopleReply::Region(v), Mode::Page { view, .. }) => *view = Some(v.clone()),
            (PeopleReply::RegionSaved(Ok(said)), Mode::Page { view, form, .. }) => {
                *form = None;
                let code = view
                    .as_ref()
                    .and_then(|v| v.as_ref().ok())
                    .map(|v| v.code.clone());
                self.error = None;
                let mut out = vec![Effect::Message(said.clone())];
                if let Some(code) = code {
                    out.push(send(PeopleRequest::Region { code }));
                }
                return out;
            }
            (PeopleReply::RegionSaved(Err(e)), _) => {
                self.error = Some(e.clone());
                return vec![Effect::Log(e.clone())];
            }
            _ => {}
        }
        Vec::new()
    }

    fn render(&self, f: &mut Frame, area: Rect, cx: &RenderCx<'_>) {
        let t = cx.theme;
        if let Mode::Page { view, scroll, form } = &self.mode {
            let name = view
                .as_ref()
                .and_then(|v| v.as_ref().ok())
                .map(|v| v.name.clone())
                .unwrap_or_default();
            let inner = page(
                f,
                area,
                t,
                vec![
                    Span::styled(" Регион", t.title),
                    Span::styled(format!(" · {name}"), t.muted),
                ],
            );
            let Some(v) = super::loaded(f, inner, t, view) else {
                return;
            };
            let w = inner.width as usize;
            let mut lines = Vec::new();
            if let (Some(e), None) = (&self.error, form) {
                wrap_into(&mut lines, e, w, t.error, " ");
            }
            for l in text(v).lines() {
                let style = if l.starts_with("Ждёт") {
                    t.warning
                } else {
                    t.text
                };
                wrap_into(&mut lines, l, w, style, " ");
            }
            if self.editable(&v.code) {
                lines.push(Line::from(Span::styled(" e — изменить страницу", t.muted)));
            }
            f.render_widget(Paragraph::new(lines).scroll((*scroll, 0)), inner);
            if let Some(form) = form {
                let mut top = Vec::new();
                if let Some(e) = &self.error {
                    wrap_into(&mut top, e, 72, t.error, " ");
                }
                let n = u16::try_from(top.len()).unwrap_or(4);
                let h = (n + form.height(72) + 2).min(area.height);
                let inner = window(
                    f,
                    area,
                    (76, h),
                    t,
                    &format!("Страница региона · {}", truncate(&v.name, 40)),
                    "Tab — поле · Enter — сохранить · Esc — отмена",
                );
                f.render_widget(Paragraph::new(top), inner);
                form.render(f, below(inner, n), cx);
            }
            return;
        }
        let search = match (&self.mode, self.text.is_empty()) {
            (Mode::Typing, _) => format!(" · поиск: {}▏", self.text),
            (_, false) => format!(" · поиск: {}", self.text),
            _ => String::new(),
        };
        let inner = page(
            f,
            area,
            t,
            vec![
                Span::styled(" Регионы", t.title),
                Span::styled(search, t.muted),
            ],
        );
        let Some(_) = super::loaded(f, inner, t, &self.rows) else {
            return;
        };
        let rows = self.shown();
        let w = inner.width as usize;
        let h = inner.height as usize;
        let first = self.selected.saturating_sub(h.saturating_sub(1));
        let mut lines = Vec::new();
        for (i, r) in rows.iter().enumerate().skip(first).take(h) {
            let mark = if r.needs_update {
                " · обновить"
            } else {
                ""
            };
            let right = format!("{:>5} практ.{mark}", r.practices);
            let name_w = w.saturating_sub(right.chars().count() + 5);
            let line = format!(" {} {:<name_w$} {right}", r.code, truncate(&r.name, name_w));
            let style = if i == self.selected {
                t.selected
            } else {
                t.text
            };
            lines.push(Line::from(Span::styled(line, style)));
        }
        if rows.is_empty() {
            lines.push(Line::from(Span::styled(" Регион не найден.", t.muted)));
        }
        f.render_widget(Paragraph::new(lines), inner);
    }
}
