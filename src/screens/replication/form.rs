//! The forms of the replication screen: the inputs of a step and their
//! fields, and the «Хочу внедрить» window ([`ApplyForm`]).

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui_textarea::TextArea;

use crate::domain::PracticeId;
use crate::domain::replication::{Action as Step, Request as ApplyRequest, ResultForm};
use crate::domain::user::User;
use crate::screens::popups::{cursor_at, window};
use crate::screens::{Effect, RenderCx, Screen, form, keep_one_line};
use crate::service::replication::StepInput;
use crate::tui::action::Action;
use crate::tui::ui::truncate;
use crate::tui::worker::{Reply, Request};

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
            Self::Moderator => "Модератор внедрения",
            Self::Comment => "Комментарий",
            Self::Roadmap => "Дорожная карта — путь к файлу (пусто — проверить загруженную)",
            Self::Started => "Начало внедрения (ДД.ММ.ГГГГ)",
            Self::Finished => "Завершение внедрения (ДД.ММ.ГГГГ)",
            Self::Adaptation => "Как практика адаптирована",
            Self::Results => "Первичные результаты",
            Self::Effects => "Ожидаемые эффекты",
            Self::Letter => "Письмо руководителя — путь к файлу",
            Self::Materials => "Материалы — путь к файлу",
            Self::DeclineReason => "Причина отказа реципиента",
            Self::RefuseReason => "Основание отказа",
        }
    }
}

impl Input {
    /// The field of the form for this input; `moderators` (login, name)
    /// to choose from.
    fn field(self, moderators: &[(String, String)]) -> form::Field {
        let label = self.label();
        match self {
            Self::Moderator if moderators.is_empty() => form::Field::line(label),
            Self::Moderator => form::Field::choice(
                label,
                moderators
                    .iter()
                    .map(|(l, n)| (l.clone(), format!("{n} ({l})")))
                    .collect(),
                "",
            ),
            Self::Roadmap | Self::Letter | Self::Materials => form::Field::path(label),
            Self::Started | Self::Finished => form::Field::date(label),
            Self::RefuseReason => form::Field::choice(
                label,
                crate::domain::replication::REFUSALS
                    .iter()
                    .map(|(c, n)| ((*c).to_owned(), (*n).to_owned()))
                    .collect(),
                "",
            ),
            Self::Comment
            | Self::Adaptation
            | Self::Results
            | Self::Effects
            | Self::DeclineReason => form::Field::text(label),
        }
    }
}

/// The fields of a step's form: each input with its field.
pub struct Fields {
    pub inputs: Vec<Input>,
    pub form: form::Form,
}

impl Fields {
    pub(super) fn new(inputs: &[Input], moderators: &[(String, String)]) -> Self {
        Self {
            inputs: inputs.to_vec(),
            form: form::Form::new(inputs.iter().map(|i| i.field(moderators)).collect()),
        }
    }

    fn value(&self, input: Input) -> String {
        self.form.value(input.label())
    }

    pub(super) fn input(&mut self, key: KeyEvent) {
        self.form.input(key);
    }

    pub(super) fn render(
        &self,
        f: &mut Frame,
        inner: Rect,
        cx: &RenderCx<'_>,
        top: &[Line<'static>],
    ) {
        let n = u16::try_from(top.len()).unwrap_or(0);
        f.render_widget(Paragraph::new(top.to_vec()), inner);
        let rest = Rect {
            y: inner.y + n,
            height: inner.height.saturating_sub(n),
            ..inner
        };
        self.form.render(f, rest, cx);
    }
}

/// The fields a step asks for.
pub(super) fn fields_of(step: Step) -> Vec<Input> {
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

pub(super) fn input_of(step: Step, f: &Fields) -> Result<StepInput, String> {
    let path = |input: Input| {
        let v = f.value(input);
        (!v.is_empty()).then(|| std::path::PathBuf::from(form::path_of(&v)))
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
                crate::domain::calendar::parse_date(&v)
                    .ok_or_else(|| crate::domain::calendar::not_a_date(&v))
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
