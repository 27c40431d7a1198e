//! «Тиражирование»: the applications the user may read, by status or by
//! region, filtered by practice, category, federal district or moderator,
//! overdue ones marked; each application's timeline and documents; the
//! steps of the user's role; the yearly summary with bars. Also the
//! «Хочу внедрить» window opened from the passport view.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui_textarea::TextArea;

use super::popups::{cursor_at, window};
use super::{Effect, RenderCx, Screen, keep_one_line, loaded, page};
use crate::domain::replication::{Action as Step, Request as ApplyRequest, ResultForm};
use crate::domain::user::User;
use crate::domain::{PracticeId, ReplicationStatus};
use crate::service::replication::{Row, StepInput, Summary};
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

pub const DETAIL_COMMANDS: [Action; 7] = [
    Action::Workflow,
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

pub const SUMMARY_COMMANDS: [Action; 4] = [Action::Down, Action::Up, Action::Back, Action::Help];

/// An input of a step's form: what it is, and its label on the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    Moderator,
    Comment,
    Roadmap,
    Started,
    Finished,
    Adaptation,
    Results,
    Effects,
    Letter,
    Materials,
    DeclineReason,
    RefuseReason,
}

impl Input {
    pub fn label(self) -> &'static str {
        match self {
            Self::Moderator => "Модератор внедрения (логин)",
            Self::Comment => "Комментарий",
            Self::Roadmap => "Дорожная карта (путь к файлу; пусто — проверить загруженную)",
            Self::Started => "Начало внедрения (ГГГГ-ММ-ДД)",
            Self::Finished => "Завершение внедрения (ГГГГ-ММ-ДД)",
            Self::Adaptation => "Как практика адаптирована",
            Self::Results => "Первичные результаты",
            Self::Effects => "Ожидаемые эффекты",
            Self::Letter => "Письмо руководителя (путь к файлу)",
            Self::Materials => "Материалы (путь к файлу)",
            Self::DeclineReason => "Причина отказа реципиента",
            Self::RefuseReason => "Основание (no-authority, contacts, ignored, profile)",
        }
    }
}

/// Text fields of a form: each input with its one-line text.
pub struct Fields {
    pub items: Vec<(Input, TextArea<'static>)>,
    pub focus: usize,
}

impl Fields {
    fn new(inputs: &[Input]) -> Self {
        Self {
            items: inputs.iter().map(|i| (*i, TextArea::default())).collect(),
            focus: 0,
        }
    }

    fn value(&self, input: Input) -> String {
        self.items
            .iter()
            .find(|(i, _)| *i == input)
            .map(|(_, t)| t.lines().join(" ").trim().to_owned())
            .unwrap_or_default()
    }

    fn input(&mut self, key: KeyEvent) {
        if let Some((_, t)) = self.items.get_mut(self.focus) {
            t.input(key);
            keep_one_line(t, " ");
        }
    }

    fn render(&self, f: &mut Frame, inner: Rect, cx: &RenderCx<'_>, top: &[Line<'static>]) {
        let t = cx.theme;
        let w = inner.width as usize;
        let mut lines: Vec<Line> = top.to_vec();
        let mut cursor = None;
        for (i, (input, area)) in self.items.iter().enumerate() {
            let label = input.label();
            let style = if i == self.focus {
                t.highlight
            } else {
                t.label
            };
            lines.push(Line::from(Span::styled(format!("{label}:"), style)));
            let text = area.lines().join(" ");
            let shown = truncate(&text, w.saturating_sub(2));
            if i == self.focus {
                cursor = Some((2 + shown.chars().count(), lines.len()));
            }
            lines.push(Line::from(Span::styled(format!("  {shown}"), t.text)));
        }
        f.render_widget(Paragraph::new(lines), inner);
        if let Some((x, y)) = cursor {
            cursor_at(f, inner, x, y);
        }
    }
}

/// The fields a step asks for.
fn fields_of(step: Step) -> Vec<Input> {
    match step {
        Step::Assign => vec![Input::Moderator, Input::Comment],
        Step::UploadRoadmap => vec![Input::Roadmap, Input::Comment],
        Step::Report => vec![
            Input::Started,
            Input::Finished,
            Input::Adaptation,
            Input::Results,
            Input::Effects,
            Input::Letter,
            Input::Materials,
        ],
        Step::Decline => vec![Input::DeclineReason],
        Step::Refuse => vec![Input::RefuseReason, Input::Comment],
        Step::Contact | Step::NoAnswer | Step::Complete => vec![Input::Comment],
    }
}

fn input_of(step: Step, f: &Fields) -> Result<StepInput, String> {
    let path = |input: Input| {
        let v = f.value(input);
        (!v.is_empty()).then(|| std::path::PathBuf::from(v))
    };
    let mut input = StepInput {
        comment: f.value(Input::Comment),
        ..StepInput::default()
    };
    match step {
        Step::Assign => input.to = Some(f.value(Input::Moderator)),
        Step::UploadRoadmap => {
            input.attach = path(Input::Roadmap).into_iter().collect();
        }
        Step::Report => {
            let date = |i: Input| {
                let v = f.value(i);
                chrono::NaiveDate::parse_from_str(&v, "%Y-%m-%d")
                    .map_err(|_| format!("«{v}» — не дата: укажите ГГГГ-ММ-ДД."))
            };
            input.report = Some(ResultForm {
                started: date(Input::Started)?,
                finished: date(Input::Finished)?,
                adaptation: f.value(Input::Adaptation),
                first_results: f.value(Input::Results),
                expected_effects: f.value(Input::Effects),
            });
            input.letter = path(Input::Letter);
            input.attach = path(Input::Materials).into_iter().collect();
        }
        Step::Decline => input.comment = f.value(Input::DeclineReason),
        Step::Refuse => {
            let r = f.value(Input::RefuseReason);
            input.reason = (!r.is_empty()).then_some(r);
        }
        Step::Contact | Step::NoAnswer | Step::Complete => {}
    }
    Ok(input)
}

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
            // Overdue first within each status.
            v.sort_by(|a, b| {
                order(a.raw)
                    .cmp(&order(b.raw))
                    .then(b.overdue.unwrap_or(-1).cmp(&a.overdue.unwrap_or(-1)))
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
            Mode::Form(_, fields) => fields.input(key),
            _ => {}
        }
        Vec::new()
    }

    #[allow(clippy::too_many_lines)] // one match over modes and actions
    fn handle(&mut self, action: Action) -> Vec<Effect> {
        self.error = None;
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
                self.summary = None;
                return vec![Effect::Send(Request::ReplicationSummary)];
            }
            (Mode::List, Action::Back) => return vec![Effect::Close],
            (Mode::Detail, Action::Down) => self.scroll = self.scroll.saturating_add(1),
            (Mode::Detail, Action::Up) => self.scroll = self.scroll.saturating_sub(1),
            (Mode::Detail, Action::PageDown) => self.scroll = self.scroll.saturating_add(10),
            (Mode::Detail, Action::PageUp) => self.scroll = self.scroll.saturating_sub(10),
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
                        self.mode = Mode::Form(step, Fields::new(&fields_of(step)));
                    }
                    Some((_, Err(reason))) => self.error = Some(reason.clone()),
                    None => {}
                }
            }
            (Mode::Form(_, fields), Action::NextField) => {
                fields.focus = (fields.focus + 1) % fields.items.len();
            }
            (Mode::Form(_, fields), Action::PrevField) => {
                fields.focus = (fields.focus + fields.items.len() - 1) % fields.items.len();
            }
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
                let inner = window(
                    f,
                    area,
                    (70, 12),
                    t,
                    "Шаг по заявке",
                    "Enter — выбрать · Esc — назад",
                );
                let mut lines = Vec::new();
                for (i, (step, r)) in self.offers().iter().enumerate() {
                    let style = match (i == *sel, r.is_ok()) {
                        (true, _) => t.selected,
                        (false, true) => t.text,
                        (false, false) => t.muted,
                    };
                    let text = match r {
                        Ok(()) => step.label().to_owned(),
                        Err(why) => format!("{} — {why}", step.label()),
                    };
                    lines.push(Line::from(Span::styled(
                        truncate(&text, inner.width as usize),
                        style,
                    )));
                }
                f.render_widget(Paragraph::new(lines), inner);
            }
            Mode::Form(step, fields) => {
                let h = u16::try_from(fields.items.len() * 2 + 4).unwrap_or(20);
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
                    top.push(Line::from(Span::styled(
                        truncate(e, inner.width as usize),
                        t.error,
                    )));
                }
                fields.render(f, inner, cx, &top);
            }
            _ => {}
        }
    }
}

impl Replication {
    fn render_list(&self, f: &mut Frame, area: Rect, cx: &RenderCx<'_>) {
        let t = cx.theme;
        let status = self.status.map_or("все статусы".to_owned(), |s| {
            format!("{} {}", s.id(), s.name())
        });
        let inner = page(
            f,
            area,
            t,
            vec![
                Span::styled(" Тиражирование", t.title),
                Span::styled(
                    format!(
                        " · {status} · по {}",
                        if self.by_region {
                            "регионам"
                        } else {
                            "статусам"
                        }
                    ),
                    t.muted,
                ),
            ],
        );
        let w = inner.width as usize;
        let Some(rows) = loaded(f, inner, t, &self.rows) else {
            return;
        };
        let mut lines = Vec::new();
        // Counts by status over everything the user reads.
        let counts: Vec<String> = ReplicationStatus::ALL
            .iter()
            .map(|s| format!("{} {}", s.id(), rows.iter().filter(|r| r.raw == *s).count()))
            .collect();
        lines.push(Line::from(Span::styled(
            truncate(&format!(" {}", counts.join(" · ")), w),
            t.label,
        )));
        let filter = self.filter.lines().join(" ");
        let filter_line = if matches!(self.mode, Mode::Filter) {
            format!(" Фильтр: {filter}▏ (практика, категория, округ, регион, модератор)")
        } else if filter.is_empty() {
            " Фильтр: нет (/ — практика, категория, округ, модератор)".to_owned()
        } else {
            format!(" Фильтр: {filter}")
        };
        lines.push(Line::from(Span::styled(truncate(&filter_line, w), t.muted)));
        for i in &self.invitations {
            let text = format!(
                " Приглашение по итогам «{}» ({}): «{}» — w в паспорте",
                i.event_title,
                i.date.format("%d.%m.%Y"),
                i.title
            );
            lines.push(Line::from(Span::styled(truncate(&text, w), t.warning)));
        }
        let shown = self.shown();
        if shown.is_empty() {
            lines.push(Line::from(Span::styled(" Заявок нет.", t.muted)));
        }
        let h = (inner.height as usize)
            .saturating_sub(3 + self.invitations.len())
            .max(1);
        let first = self.selected.saturating_sub(h - 1);
        let mut group = String::new();
        for (n, r) in shown.iter().enumerate().skip(first).take(h) {
            let key = if self.by_region {
                r.region_name.clone()
            } else {
                r.status.clone()
            };
            if key != group && lines.len() < inner.height as usize - 1 {
                lines.push(Line::from(Span::styled(
                    truncate(&format!(" {key}"), w),
                    t.header,
                )));
                group = key;
            }
            let late = r.overdue.map(|d| format!(" ⚑{d} р.д.")).unwrap_or_default();
            let who = r.moderator.as_deref().unwrap_or("—");
            let text = format!(
                "  {:<4} {:<18} {:<10} {}",
                r.code,
                truncate(&r.region_name, 18),
                truncate(who, 10),
                r.title
            );
            let room = w.saturating_sub(late.chars().count());
            let style = if n == self.selected {
                t.selected
            } else {
                t.text
            };
            lines.push(Line::from(vec![
                Span::styled(format!("{:<room$}", truncate(&text, room)), style),
                Span::styled(late, t.error),
            ]));
        }
        f.render_widget(Paragraph::new(lines), inner);
    }

    fn render_detail(&self, f: &mut Frame, area: Rect, cx: &RenderCx<'_>) {
        let t = cx.theme;
        let inner = page(
            f,
            area,
            t,
            vec![
                Span::styled(" Заявка на внедрение", t.title),
                Span::styled(" · a — шаг · Esc — к списку", t.muted),
            ],
        );
        let Some(d) = loaded(f, inner, t, &self.detail) else {
            return;
        };
        let a = &d.app;
        let rd = crate::domain::refdata::refdata();
        let mut lines = vec![
            Line::from(Span::styled(format!("«{}»", d.title), t.title)),
            Line::from(vec![
                Span::styled("Статус: ", t.label),
                Span::styled(
                    format!("{} {}", a.status.id(), a.status.name()),
                    t.highlight,
                ),
            ]),
            Line::from(vec![
                Span::styled("Регион: ", t.label),
                Span::styled(rd.region_name(&a.region).to_owned(), t.text),
            ]),
            Line::from(vec![
                Span::styled("Реципиент: ", t.label),
                Span::styled(d.recipient.clone(), t.text),
            ]),
            Line::from(vec![
                Span::styled("Модератор внедрения: ", t.label),
                Span::styled(
                    if d.moderator.is_empty() {
                        "не назначен".to_owned()
                    } else {
                        d.moderator.clone()
                    },
                    t.text,
                ),
            ]),
            Line::from(vec![
                Span::styled("Узнал(а) о практике: ", t.label),
                Span::styled(a.learned_at.clone(), t.text),
            ]),
        ];
        if let Some((due, what)) = a.due(crate::domain::calendar::current()) {
            let late = d.overdue;
            lines.push(Line::from(Span::styled(
                format!(
                    "Срок: {what} до {}{}",
                    due.format("%d.%m.%Y"),
                    late.map(|d| format!(" — просрочено на {d} р.д."))
                        .unwrap_or_default()
                ),
                if late.is_some() { t.error } else { t.warning },
            )));
        }
        if !a.unanswered.is_empty() {
            lines.push(Line::from(Span::styled(
                format!(
                    "Без ответа с {} ({} раз)",
                    a.unanswered[0].format("%d.%m.%Y"),
                    a.unanswered.len()
                ),
                t.warning,
            )));
        }
        if !a.outcome.is_empty() {
            lines.push(Line::from(vec![
                Span::styled("Итог: ", t.label),
                Span::styled(a.outcome.clone(), t.text),
            ]));
        }
        if let Some(r) = &a.report {
            lines.push(Line::from(Span::styled("Форма результата", t.header)));
            lines.push(Line::from(format!(
                "  {} — {}",
                r.started.format("%d.%m.%Y"),
                r.finished.format("%d.%m.%Y")
            )));
            for (label, text) in [
                ("Адаптация", &r.adaptation),
                ("Первичные результаты", &r.first_results),
                ("Ожидаемые эффекты", &r.expected_effects),
            ] {
                lines.push(Line::from(format!("  {label}: {text}")));
            }
            if a.checked.is_some() {
                lines.push(Line::from(Span::styled(
                    "  Проверено модератором внедрения",
                    t.ok,
                )));
            }
        }
        lines.push(Line::from(Span::styled(
            format!("Документы ({})", a.documents.len()),
            t.header,
        )));
        for doc in &a.documents {
            lines.push(Line::from(format!(
                "  {}: {} ({} байт)",
                doc.kind.name(),
                doc.name,
                doc.size
            )));
        }
        lines.push(Line::from(Span::styled("Ход работы", t.header)));
        for s in &d.timeline {
            lines.push(Line::from(Span::styled(
                format!(
                    "  {} {}",
                    s.at.with_timezone(&chrono::Local).format("%d.%m.%Y %H:%M"),
                    s.actor
                ),
                t.muted,
            )));
            lines.push(Line::from(format!("    {}", s.summary)));
            if !s.comment.is_empty() {
                lines.push(Line::from(format!("    Комментарий: {}", s.comment)));
            }
        }
        if let Some(e) = &self.error
            && !matches!(self.mode, Mode::Form(..))
        {
            lines.insert(0, Line::from(Span::styled(e.clone(), t.error)));
        }
        f.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .scroll((self.scroll, 0)),
            inner,
        );
    }

    fn render_summary(&self, f: &mut Frame, area: Rect, cx: &RenderCx<'_>) {
        let t = cx.theme;
        let inner = page(
            f,
            area,
            t,
            vec![Span::styled(" Итоги тиражирования за год", t.title)],
        );
        let Some(s) = loaded(f, inner, t, &self.summary) else {
            return;
        };
        let w = inner.width as usize;
        let mut lines = vec![Line::from(Span::styled(
            format!(" {} год: заявок {}", s.year, s.total),
            t.label,
        ))];
        let bars = |lines: &mut Vec<Line<'static>>,
                    title: &str,
                    rows: &[(String, usize)],
                    max_rows: usize| {
            lines.push(Line::from(Span::styled(format!(" {title}"), t.header)));
            let top = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1);
            let name_w = 26.min(w / 3);
            let bar_w = w.saturating_sub(name_w + 10).max(1);
            for (name, n) in rows.iter().take(max_rows) {
                let len = n * bar_w / top;
                lines.push(Line::from(vec![
                    Span::styled(format!("  {:<name_w$} ", truncate(name, name_w)), t.text),
                    Span::styled("█".repeat(len), t.highlight),
                    Span::styled(format!(" {n}"), t.muted),
                ]));
            }
        };
        bars(&mut lines, "По статусам", &s.by_status, 7);
        bars(&mut lines, "По регионам", &s.by_region, 5);
        bars(&mut lines, "По категориям", &s.by_category, 5);
        bars(&mut lines, "По практикам", &s.by_practice, 5);
        lines.push(Line::from(Span::styled(
            format!(
                " Кандидаты в архив (опубликованы, без заявок за год): {}",
                s.archive_candidates.len()
            ),
            t.warning,
        )));
        f.render_widget(Paragraph::new(lines), inner);
    }
}

/// «Хочу внедрить» (§5.1.1): the event and the confirmation.
pub struct ApplyForm {
    user: User,
    practice: PracticeId,
    title: String,
    event: TextArea<'static>,
    confirmed: bool,
    /// 0: the event, 1: the confirmation.
    focus: usize,
    pub error: Option<String>,
}

pub const APPLY_TEXT_COMMANDS: [Action; 4] = [
    Action::Submit,
    Action::NextField,
    Action::PrevField,
    Action::Back,
];

pub const APPLY_CHECK_COMMANDS: [Action; 5] = [
    Action::Submit,
    Action::Toggle,
    Action::NextField,
    Action::PrevField,
    Action::Back,
];

impl ApplyForm {
    pub fn new(user: User, practice: PracticeId, title: String) -> Self {
        Self {
            user,
            practice,
            title,
            event: TextArea::default(),
            confirmed: false,
            focus: 0,
            error: None,
        }
    }
}

impl Screen for ApplyForm {
    fn title(&self) -> String {
        "Хочу внедрить".to_owned()
    }

    fn commands(&self) -> Vec<Action> {
        if self.focus == 0 {
            APPLY_TEXT_COMMANDS.to_vec()
        } else {
            APPLY_CHECK_COMMANDS.to_vec()
        }
    }

    fn text_input(&self) -> bool {
        self.focus == 0
    }

    fn input(&mut self, key: KeyEvent) -> Vec<Effect> {
        if key.code != KeyCode::Esc {
            self.event.input(key);
            keep_one_line(&mut self.event, " ");
        }
        Vec::new()
    }

    fn handle(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::NextField | Action::PrevField => self.focus = 1 - self.focus,
            Action::Toggle => self.confirmed = !self.confirmed,
            Action::Submit => {
                self.error = None;
                return vec![Effect::Send(Request::ApplyFor {
                    user: Box::new(self.user.clone()),
                    practice: self.practice,
                    request: Box::new(ApplyRequest {
                        learned_at: self.event.lines().join(" ").trim().to_owned(),
                        event: None,
                        confirmed: self.confirmed,
                    }),
                })];
            }
            Action::Back => return vec![Effect::Close],
            _ => {}
        }
        Vec::new()
    }

    fn on_reply(&mut self, reply: &Reply) -> Vec<Effect> {
        match reply {
            Reply::Replicated(Ok(app)) => vec![
                Effect::Message(format!(
                    "Заявка подана: «{}». Модератор АСИ назначит модератора внедрения.",
                    app.status.name()
                )),
                Effect::Close,
            ],
            Reply::Replicated(Err(e)) => {
                self.error = Some(e.clone());
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    fn render(&self, f: &mut Frame, area: Rect, cx: &RenderCx<'_>) {
        let t = cx.theme;
        let inner = window(
            f,
            area,
            (76, 14),
            t,
            "Хочу внедрить",
            "Tab — поле · Space — отметить · Enter — подать · Esc — отмена",
        );
        let w = inner.width as usize;
        let mut lines = vec![Line::from(Span::styled(
            truncate(&format!("«{}»", self.title), w),
            t.title,
        ))];
        if let Some(e) = &self.error {
            lines.push(Line::from(Span::styled(e.clone(), t.error)));
        }
        let label = |i: usize| {
            if self.focus == i {
                t.highlight
            } else {
                t.label
            }
        };
        lines.push(Line::from(Span::styled(
            "На каком мероприятии вы узнали о практике:",
            label(0),
        )));
        let text = self.event.lines().join(" ");
        let cursor_y = lines.len();
        lines.push(Line::from(format!(
            "  {}",
            truncate(&text, w.saturating_sub(2))
        )));
        lines.push(Line::from(Span::styled(
            format!(
                "[{}] Изучил(а) описание и материалы практики, готов(а) приступить к внедрению и взаимодействовать с модератором и автором",
                if self.confirmed { "x" } else { " " }
            ),
            label(1),
        )));
        f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
        if self.focus == 0 {
            cursor_at(f, inner, 2 + text.chars().count(), cursor_y);
        }
    }
}
