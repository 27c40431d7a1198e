//! «Тиражирование»: the applications the user may read, by status or by
//! region, filtered by practice, category, federal district or moderator,
//! overdue ones marked; each application's timeline and documents; the
//! steps of the user's role; the yearly summary with bars. Also the
//! «Хочу внедрить» window opened from the passport view.

mod form;
mod render;

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui_textarea::TextArea;

pub use form::{APPLY_COMMANDS, ApplyForm, Fields, Input};
use form::{fields_of, input_of};

use super::popups::window;
use super::{Effect, RenderCx, Screen, keep_one_line};
use crate::domain::ReplicationStatus;
use crate::domain::replication::Action as Step;
use crate::domain::user::User;
use crate::service::replication::{Row, Summary};
use crate::tui::action::Action;
use crate::tui::ui::truncate;
use crate::tui::worker::{ApplicationView, Reply, Request};

pub const LIST_COMMANDS: [Action; 11] = [
    Action::Open,
    Action::Search,
    Action::Facets,
    Action::Sort,
    Action::YearSummary,
    Action::Down,
    Action::Up,
    Action::Home,
    Action::End,
    Action::Back,
    Action::Help,
];

pub const DETAIL_COMMANDS: [Action; 8] = [
    Action::Workflow,
    Action::Print,
    Action::Down,
    Action::Up,
    Action::PageDown,
    Action::PageUp,
    Action::Back,
    Action::Help,
];

pub const CHOOSE_COMMANDS: [Action; 4] = [Action::Submit, Action::Down, Action::Up, Action::Back];

pub const FORM_COMMANDS: [Action; 4] = [
    Action::Submit,
    Action::NextField,
    Action::PrevField,
    Action::Back,
];

pub const SEARCH_COMMANDS: [Action; 2] = [Action::Submit, Action::Back];

pub const SUMMARY_COMMANDS: [Action; 7] = [
    Action::Print,
    Action::Down,
    Action::Up,
    Action::PageDown,
    Action::PageUp,
    Action::Back,
    Action::Help,
];
enum Mode {
    List,
    /// Typing the filter.
    Filter,
    Detail,
    /// Choosing a step.
    Choose(usize),
    Form(Step, Fields),
    Summary,
}

pub struct Replication {
    user: User,
    pub rows: Option<Result<Vec<Row>, String>>,
    invitations: Vec<crate::service::replication::Invitation>,
    pub selected: usize,
    filter: TextArea<'static>,
    /// `None`: every status.
    status: Option<ReplicationStatus>,
    by_region: bool,
    detail: Option<Result<Box<ApplicationView>, String>>,
    scroll: u16,
    summary: Option<Result<Box<Summary>, String>>,
    mode: Mode,
    pub error: Option<String>,
}

impl Replication {
    pub fn open(user: User) -> (Self, Effect) {
        let req = Request::Replications {
            user: Box::new(user.clone()),
        };
        (
            Self {
                user,
                rows: None,
                invitations: Vec::new(),
                selected: 0,
                filter: TextArea::default(),
                status: None,
                by_region: false,
                detail: None,
                scroll: 0,
                summary: None,
                mode: Mode::List,
                error: None,
            },
            Effect::Send(req),
        )
    }

    /// The rows shown: filtered, grouped by status or by region.
    pub fn shown(&self) -> Vec<&Row> {
        let Some(Ok(rows)) = &self.rows else {
            return Vec::new();
        };
        let q = self.filter.lines().join(" ").trim().to_lowercase();
        let mut v: Vec<&Row> = rows
            .iter()
            .filter(|r| self.status.is_none_or(|s| r.raw == s))
            .filter(|r| {
                q.is_empty()
                    || [
                        &r.title,
                        &r.category,
                        &r.district,
                        &r.region_name,
                        r.moderator.as_deref().unwrap_or(""),
                    ]
                    .iter()
                    .any(|f| f.to_lowercase().contains(&q))
            })
            .collect();
        let order = |s: ReplicationStatus| ReplicationStatus::ALL.iter().position(|x| *x == s);
        if self.by_region {
            v.sort_by(|a, b| {
                a.region_name
                    .cmp(&b.region_name)
                    .then(order(a.raw).cmp(&order(b.raw)))
            });
        } else {
            // Within each status: after an Agency event first, then by
            // deadline (§5.3.1).
            v.sort_by(|a, b| {
                order(a.raw).cmp(&order(b.raw)).then_with(|| {
                    crate::domain::replication::queue_order((a.event, a.due), (b.event, b.due))
                })
            });
        }
        v
    }

    fn reload(&self) -> Effect {
        Effect::Send(Request::Replications {
            user: Box::new(self.user.clone()),
        })
    }

    fn open_detail(&mut self) -> Vec<Effect> {
        let Some(id) = self.shown().get(self.selected).map(|r| r.id) else {
            return Vec::new();
        };
        self.mode = Mode::Detail;
        self.detail = None;
        self.scroll = 0;
        vec![Effect::Send(Request::Application {
            user: Box::new(self.user.clone()),
            id,
        })]
    }

    fn offers(&self) -> &[(Step, Result<(), String>)] {
        match &self.detail {
            Some(Ok(d)) => &d.offers,
            _ => &[],
        }
    }
}

impl Screen for Replication {
    fn own_keys(&self) -> Vec<(&'static str, &'static str)> {
        match &self.mode {
            Mode::Form(_, fields) => fields.form.keys(),
            _ => Vec::new(),
        }
    }

    fn describe(&self, action: Action) -> Option<&'static str> {
        Some(match (action, &self.mode) {
            (Action::Open, Mode::List) => "Открыть заявку",
            (Action::Facets, Mode::List) => "Статус заявок: следующий (по кругу), затем все",
            (Action::Sort, Mode::List) => "Список по статусам или по регионам",
            (Action::Search, _) => "Найти: практика, категория, округ, регион, модератор",
            (Action::Workflow, Mode::Detail) => "Шаги заявки: назначить, связаться, отчёт, отказ…",
            _ => return None,
        })
    }

    fn ready(&self) -> bool {
        self.rows.is_some()
    }

    fn title(&self) -> String {
        "Тиражирование".to_owned()
    }

    fn commands(&self) -> Vec<Action> {
        match &self.mode {
            Mode::List => LIST_COMMANDS.to_vec(),
            Mode::Filter => SEARCH_COMMANDS.to_vec(),
            Mode::Detail => DETAIL_COMMANDS.to_vec(),
            Mode::Choose(_) => CHOOSE_COMMANDS.to_vec(),
            Mode::Form(..) => FORM_COMMANDS.to_vec(),
            Mode::Summary => SUMMARY_COMMANDS.to_vec(),
        }
    }

    fn text_input(&self) -> bool {
        matches!(self.mode, Mode::Filter | Mode::Form(..))
    }

    fn input(&mut self, key: KeyEvent) -> Vec<Effect> {
        match &mut self.mode {
            Mode::Filter => {
                self.filter.input(key);
                keep_one_line(&mut self.filter, " ");
                self.selected = 0;
            }
            Mode::Form(_, fields) => {
                self.error = None;
                fields.input(key);
            }
            _ => {}
        }
        Vec::new()
    }

    #[allow(clippy::too_many_lines)] // one match over modes and actions
    fn handle(&mut self, action: Action) -> Vec<Effect> {
        self.error = None;
        if let Mode::Form(_, fields) = &mut self.mode
            && action == Action::Back
            && !fields.form.may_leave()
        {
            self.error = Some(crate::screens::form::LEAVE_ASK.to_owned());
            return Vec::new();
        }
        let last = self.shown().len().saturating_sub(1);
        match (&mut self.mode, action) {
            (Mode::List, Action::Down) => self.selected = (self.selected + 1).min(last),
            (Mode::List, Action::Up) => self.selected = self.selected.saturating_sub(1),
            (Mode::List, Action::Home) => self.selected = 0,
            (Mode::List, Action::End) => self.selected = last,
            (Mode::List, Action::Open) => return self.open_detail(),
            (Mode::List, Action::Search) => self.mode = Mode::Filter,
            (Mode::List, Action::Facets) => {
                // Every status, then each in turn.
                self.status = match self.status {
                    None => Some(ReplicationStatus::ALL[0]),
                    Some(s) => {
                        let i = ReplicationStatus::ALL
                            .iter()
                            .position(|x| *x == s)
                            .unwrap_or(0);
                        ReplicationStatus::ALL.get(i + 1).copied()
                    }
                };
                self.selected = 0;
            }
            (Mode::List, Action::Sort) => {
                self.by_region = !self.by_region;
                self.selected = 0;
            }
            (Mode::List, Action::YearSummary) => {
                self.mode = Mode::Summary;
                self.scroll = 0;
                self.summary = None;
                return vec![Effect::Send(Request::ReplicationSummary)];
            }
            (Mode::List, Action::Back) => return vec![Effect::Close],
            (Mode::Detail | Mode::Summary, Action::Down) => {
                self.scroll = self.scroll.saturating_add(1);
            }
            (Mode::Detail | Mode::Summary, Action::Up) => {
                self.scroll = self.scroll.saturating_sub(1);
            }
            (Mode::Detail | Mode::Summary, Action::PageDown) => {
                self.scroll = self.scroll.saturating_add(10);
            }
            (Mode::Detail | Mode::Summary, Action::PageUp) => {
                self.scroll = self.scroll.saturating_sub(10);
            }
            (Mode::Detail, Action::Workflow) => {
                if matches!(self.detail, Some(Ok(_))) {
                    let first = self
                        .offers()
                        .iter()
                        .position(|(_, r)| r.is_ok())
                        .unwrap_or(0);
                    self.mode = Mode::Choose(first);
                }
            }
            (Mode::Detail, Action::Print) => {
                if let Some(Ok(d)) = &self.detail {
                    return vec![Effect::Send(Request::Print {
                        user: Some(Box::new(self.user.clone())),
                        what: crate::tui::worker::print::Printable::Application(d.app.id),
                    })];
                }
            }
            (Mode::Summary, Action::Print) => {
                return vec![Effect::Send(Request::Print {
                    user: Some(Box::new(self.user.clone())),
                    what: crate::tui::worker::print::Printable::Summary,
                })];
            }
            (Mode::Detail | Mode::Summary, Action::Back)
            | (Mode::Filter, Action::Submit | Action::Back) => self.mode = Mode::List,
            (Mode::Choose(i), Action::Down) => {
                *i = (*i + 1).min(Step::ALL.len() - 1);
            }
            (Mode::Choose(i), Action::Up) => *i = i.saturating_sub(1),
            (Mode::Choose(i), Action::Submit) => {
                let i = *i;
                match self.offers().get(i) {
                    Some((step, Ok(()))) => {
                        let step = *step;
                        let moderators = match &self.detail {
                            Some(Ok(d)) => d.moderators.clone(),
                            _ => Vec::new(),
                        };
                        self.mode = Mode::Form(step, Fields::new(&fields_of(step), &moderators));
                    }
                    Some((_, Err(reason))) => self.error = Some(reason.clone()),
                    None => {}
                }
            }
            (Mode::Form(_, fields), Action::NextField) => fields.form.next(),
            (Mode::Form(_, fields), Action::PrevField) => fields.form.prev(),
            (Mode::Form(step, fields), Action::Submit) => {
                let Some(Ok(d)) = &self.detail else {
                    return Vec::new();
                };
                match input_of(*step, fields) {
                    Ok(input) => {
                        return vec![Effect::Send(Request::Replicate {
                            user: Box::new(self.user.clone()),
                            id: d.app.id,
                            action: *step,
                            input: Box::new(input),
                        })];
                    }
                    Err(e) => self.error = Some(e),
                }
            }
            (Mode::Form(..) | Mode::Choose(_), Action::Back) => self.mode = Mode::Detail,
            _ => {}
        }
        Vec::new()
    }

    fn on_reply(&mut self, reply: &Reply) -> Vec<Effect> {
        match reply {
            Reply::Replications(r) => {
                if let Ok(list) = r {
                    self.invitations.clone_from(&list.invitations);
                }
                self.rows = Some(r.as_ref().map(|l| l.rows.clone()).map_err(Clone::clone));
                self.selected = self.selected.min(self.shown().len().saturating_sub(1));
            }
            Reply::Application(r) => self.detail = Some(r.clone()),
            Reply::ReplicationSummary(r) => self.summary = Some(r.clone()),
            Reply::Replicated(Ok(app)) if matches!(self.mode, Mode::Form(..)) => {
                // Done: back to the application, refreshed; what was typed
                // is kept only when refused.
                self.mode = Mode::Detail;
                let msg = format!("Готово: заявка — «{}».", app.status.name());
                return vec![
                    Effect::Message(msg),
                    self.reload(),
                    Effect::Send(Request::Application {
                        user: Box::new(self.user.clone()),
                        id: app.id,
                    }),
                ];
            }
            Reply::Replicated(Err(e)) if matches!(self.mode, Mode::Form(..)) => {
                self.error = Some(e.clone());
            }
            _ => {}
        }
        Vec::new()
    }

    fn render(&self, f: &mut Frame, area: Rect, cx: &RenderCx<'_>) {
        match &self.mode {
            Mode::Summary => self.render_summary(f, area, cx),
            Mode::Detail | Mode::Choose(_) | Mode::Form(..) => self.render_detail(f, area, cx),
            Mode::List | Mode::Filter => self.render_list(f, area, cx),
        }
        let t = cx.theme;
        match &self.mode {
            Mode::Choose(sel) => {
                // The steps by name, the ones not possible now greyed; why
                // not, whole, under the list for the one selected.
                let offers = self.offers();
                let why = match offers.get(*sel) {
                    Some((_, Err(why))) => textwrap::wrap(&format!("Недоступно: {why}"), 70)
                        .into_iter()
                        .map(std::borrow::Cow::into_owned)
                        .collect(),
                    _ => Vec::new(),
                };
                let h = u16::try_from(offers.len() + why.len() + 3).unwrap_or(20);
                let inner = window(
                    f,
                    area,
                    (76, h),
                    t,
                    "Шаг по заявке",
                    "Enter — выбрать · Esc — назад",
                );
                let mut lines = Vec::new();
                for (i, (step, r)) in offers.iter().enumerate() {
                    let style = match (i == *sel, r.is_ok()) {
                        (true, _) => t.selected,
                        (false, true) => t.text,
                        (false, false) => t.muted,
                    };
                    let mark = if r.is_ok() { "›" } else { "·" };
                    lines.push(Line::from(Span::styled(
                        truncate(&format!(" {mark} {}", step.label()), inner.width as usize),
                        style,
                    )));
                }
                lines.push(Line::from(""));
                for l in why {
                    lines.push(Line::from(Span::styled(format!(" {l}"), t.warning)));
                }
                f.render_widget(Paragraph::new(lines), inner);
            }
            Mode::Form(step, fields) => {
                // Room for the fields and the refusal, wrapped.
                let error = self
                    .error
                    .as_deref()
                    .map_or(0, |e| textwrap::wrap(e, 72).len());
                let h = fields.form.height(74) + 4 + u16::try_from(error).unwrap_or(4);
                let inner = window(
                    f,
                    area,
                    (76, h),
                    t,
                    step.label(),
                    "Tab — поле · Enter — выполнить · Esc — назад",
                );
                let mut top = Vec::new();
                if let Some(e) = &self.error {
                    for l in textwrap::wrap(e, (inner.width as usize).max(10)) {
                        top.push(Line::from(Span::styled(l.into_owned(), t.error)));
                    }
                }
                fields.render(f, inner, cx, &top);
            }
            _ => {}
        }
    }
}
