//! The forms of the replication screen: the inputs of a step and their
//! fields, and the «Хочу внедрить» window ([`ApplyForm`]).

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use crate::domain::PracticeId;
use crate::domain::replication::{Action as Step, Request as ApplyRequest, ResultForm};
use crate::domain::user::User;
use crate::screens::passport::wrap_into;
use crate::screens::popups::{below, window};
use crate::screens::{Effect, RenderCx, Screen, form};
use crate::service::replication::StepInput;
use crate::tui::action::Action;
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
        self.form.render(f, below(inner, n), cx);
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

/// «Хочу внедрить» (§5.1.1): the event and the confirmation, on the one
/// form widget.
pub struct ApplyForm {
    user: User,
    practice: PracticeId,
    title: String,
    pub form: form::Form,
    pub error: Option<String>,
}

const EVENT: &str = "На каком мероприятии вы узнали о практике";
const CONFIRM: &str = "Изучил(а) описание и материалы практики, готов(а) приступить к внедрению и взаимодействовать с модератором и автором";

pub const APPLY_COMMANDS: [Action; 4] = [
    Action::Submit,
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
            form: form::Form::new(vec![form::Field::text(EVENT), form::Field::check(CONFIRM)]),
            error: None,
        }
    }
}

impl Screen for ApplyForm {
    fn title(&self) -> String {
        "Хочу внедрить".to_owned()
    }

    fn commands(&self) -> Vec<Action> {
        APPLY_COMMANDS.to_vec()
    }

    fn own_keys(&self) -> Vec<(&'static str, &'static str)> {
        self.form.keys()
    }

    fn text_input(&self) -> bool {
        true
    }

    fn input(&mut self, key: KeyEvent) -> Vec<Effect> {
        // Being fixed: the last refusal or question no longer stands.
        self.error = None;
        self.form.input(key);
        Vec::new()
    }

    fn handle(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::NextField => self.form.next(),
            Action::PrevField => self.form.prev(),
            Action::Submit => {
                self.error = None;
                return vec![Effect::Send(Request::ApplyFor {
                    user: Box::new(self.user.clone()),
                    practice: self.practice,
                    request: Box::new(ApplyRequest {
                        learned_at: self.form.value(EVENT),
                        event: None,
                        confirmed: self.form.fields[1].checked(),
                    }),
                })];
            }
            Action::Back if !self.form.may_leave() => {
                self.error = Some(form::LEAVE_ASK.to_owned());
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
        let w = 74usize;
        let mut top = Vec::new();
        wrap_into(&mut top, &format!("«{}»", self.title), w, t.title, " ");
        if let Some(e) = &self.error {
            wrap_into(&mut top, e, w, t.error, " ");
        }
        let n = u16::try_from(top.len()).unwrap_or(4);
        let inner = window(
            f,
            area,
            (76, n + self.form.height(74) + 2),
            t,
            "Хочу внедрить",
            "Tab — поле · Пробел — отметить · Enter — подать · Esc — отмена",
        );
        f.render_widget(Paragraph::new(top), inner);
        self.form.render(f, below(inner, n), cx);
    }
}
