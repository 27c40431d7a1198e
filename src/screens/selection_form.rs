//! The two forms of a selection's page: an application (`a`) — one of the
//! user's practices and the mandatory yes/no criteria confirmed one by
//! one — and an expert's score (`v`) — an application and a mark per
//! criterion. The rules decide when the form is sent (the server's day,
//! on a linked workstation); a refusal keeps what was typed.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::Paragraph;
use uuid::Uuid;

use super::form::{self, Field, Form};
use super::passport::wrap_into;
use super::popups::{below, window};
use super::{Effect, RenderCx, Screen};
use crate::domain::User;
use crate::domain::selection::Criterion;
use crate::service::selections::forms::EntryOptions;
use crate::tui::action::Action;
use crate::tui::worker::people::{PeopleReply, PeopleRequest};
use crate::tui::worker::{Reply, Request};

const PRACTICE: &str = "Практика";
const APPLICATION: &str = "Заявка";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Apply,
    Score,
}

pub struct EntryForm {
    kind: Kind,
    user: User,
    id: Uuid,
    options: Option<Result<Box<EntryOptions>, String>>,
    form: Form,
    /// What was said last, and whether it is an error.
    said: Option<(String, bool)>,
    /// Why there is nothing to fill in: stays while the window is open.
    why: Option<String>,
    sending: bool,
}

/// The label of a criterion's field in the score form.
fn mark_label(c: &Criterion) -> String {
    match c.max_score {
        None => format!("{}: 1 — да, 0 — нет", c.name),
        Some(max) => format!("{}: от 0 до {max}", c.name),
    }
}

impl EntryForm {
    pub fn open(kind: Kind, user: User, id: Uuid) -> (Self, Effect) {
        let ask = Effect::Send(Request::People(Box::new(PeopleRequest::SelectionForm {
            user: user.clone(),
            id,
        })));
        (
            Self {
                kind,
                user,
                id,
                options: None,
                form: Form::default(),
                said: None,
                why: None,
                sending: false,
            },
            ask,
        )
    }

    /// The fields for what the options offer; why there is nothing to do,
    /// when so.
    fn build(&mut self, o: &EntryOptions) {
        let s = &o.selection;
        let (why, fields) = match self.kind {
            Kind::Apply => (o.no_entry.clone(), {
                let mut f = vec![Field::choice(
                    PRACTICE,
                    o.mine
                        .iter()
                        .map(|(id, title)| (id.to_string(), title.clone()))
                        .collect(),
                    "нет практик",
                )];
                f.extend(
                    s.criteria
                        .iter()
                        .filter(|c| c.max_score.is_none())
                        .map(|c| Field::check(&c.name)),
                );
                f
            }),
            Kind::Score => (o.no_score.clone(), {
                let mut f = vec![Field::choice(
                    APPLICATION,
                    o.to_score
                        .iter()
                        .map(|a| {
                            let done = match &a.marks {
                                Some(m) => format!(" (ваши оценки: {})", join(m)),
                                None => String::new(),
                            };
                            (
                                a.practice.to_string(),
                                format!("{} — {}{done}", a.title, a.region),
                            )
                        })
                        .collect(),
                    "нет заявок",
                )];
                f.extend(s.criteria.iter().map(|c| Field::line(&mark_label(c))));
                f
            }),
        };
        // Nothing to fill in: the window says why, and only closes.
        self.form = if why.is_some() {
            Form::default()
        } else {
            Form::new(fields)
        };
        self.why = why;
    }

    fn submit(&mut self) -> Vec<Effect> {
        let Some(Ok(o)) = &self.options else {
            return Vec::new();
        };
        if self.form.fields.is_empty() {
            return Vec::new();
        }
        let s = &o.selection;
        let request = match self.kind {
            Kind::Apply => {
                let Ok(practice) = Uuid::parse_str(&self.form.value(PRACTICE)) else {
                    return Vec::new();
                };
                let confirmed = self
                    .form
                    .fields
                    .iter()
                    .filter(|f| f.checked())
                    .map(|f| f.label.clone())
                    .collect();
                PeopleRequest::Enter {
                    user: self.user.clone(),
                    selection: self.id,
                    practice,
                    confirmed,
                }
            }
            Kind::Score => {
                let Ok(practice) = Uuid::parse_str(&self.form.value(APPLICATION)) else {
                    return Vec::new();
                };
                let mut marks = Vec::new();
                for c in &s.criteria {
                    let typed = self.form.value(&mark_label(c));
                    let max = c.max_score.unwrap_or(1);
                    match typed.parse::<u8>() {
                        Ok(m) if m <= max => marks.push(m),
                        _ => {
                            self.said =
                                Some((format!("«{}»: укажите число от 0 до {max}.", c.name), true));
                            return Vec::new();
                        }
                    }
                }
                PeopleRequest::Score {
                    user: self.user.clone(),
                    selection: self.id,
                    practice,
                    marks,
                }
            }
        };
        self.sending = true;
        self.said = None;
        vec![Effect::Send(Request::People(Box::new(request)))]
    }
}

fn join(marks: &[u8]) -> String {
    marks
        .iter()
        .map(u8::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

impl Screen for EntryForm {
    fn ready(&self) -> bool {
        self.options.is_some()
    }

    fn title(&self) -> String {
        match self.kind {
            Kind::Apply => "Заявка на отбор".to_owned(),
            Kind::Score => "Оценка заявки".to_owned(),
        }
    }

    fn commands(&self) -> Vec<Action> {
        form::FORM_COMMANDS.to_vec()
    }

    fn own_keys(&self) -> Vec<(&'static str, &'static str)> {
        self.form.keys()
    }

    fn describe(&self, action: Action) -> Option<&'static str> {
        match (self.kind, action) {
            (Kind::Apply, Action::Submit) => Some("Подать заявку"),
            (Kind::Score, Action::Submit) => Some("Записать оценку"),
            (_, Action::Back) => Some("К странице отбора"),
            _ => None,
        }
    }

    fn text_input(&self) -> bool {
        true
    }

    fn input(&mut self, key: crossterm::event::KeyEvent) -> Vec<Effect> {
        self.form.type_key(key, &mut self.said, self.sending);
        Vec::new()
    }

    fn handle(&mut self, action: Action) -> Vec<Effect> {
        match self.form.step(action, &mut self.said, self.sending) {
            form::Step::Run => self.submit(),
            form::Step::Close => vec![Effect::Close],
            form::Step::Stay => Vec::new(),
        }
    }

    fn on_reply(&mut self, reply: &Reply) -> Vec<Effect> {
        let Reply::People(r) = reply else {
            return Vec::new();
        };
        match r.as_ref() {
            PeopleReply::SelectionForm(o) => {
                if let Ok(o) = o {
                    self.build(o);
                }
                self.options = Some(o.clone());
            }
            PeopleReply::Entered(Ok(said)) => {
                self.sending = false;
                return vec![Effect::Message(said.clone()), Effect::Close];
            }
            PeopleReply::Entered(Err(e)) => {
                self.sending = false;
                self.said = Some((e.clone(), true));
                return vec![Effect::Log(e.clone())];
            }
            _ => {}
        }
        Vec::new()
    }

    fn render(&self, f: &mut Frame, area: Rect, cx: &RenderCx<'_>) {
        let t = cx.theme;
        let w = usize::from(area.width.clamp(20, 76).saturating_sub(4));
        let mut top = Vec::new();
        match &self.options {
            None => wrap_into(&mut top, "Загрузка…", w, t.muted, " "),
            Some(Err(e)) => wrap_into(&mut top, e, w, t.error, " "),
            Some(Ok(o)) => wrap_into(
                &mut top,
                &format!("«{}»", o.selection.title),
                w,
                t.title,
                " ",
            ),
        }
        if let Some(why) = &self.why {
            wrap_into(&mut top, why, w, t.error, " ");
        }
        if self.sending {
            wrap_into(&mut top, "Отправка…", w, t.muted, " ");
        } else if let Some((text, error)) = &self.said {
            wrap_into(&mut top, text, w, if *error { t.error } else { t.ok }, " ");
        }
        let n = u16::try_from(top.len()).unwrap_or(4);
        let fw = u16::try_from(w).unwrap_or(72);
        let h = (n + self.form.height(fw) + 2).min(area.height);
        let keys = match self.kind {
            _ if self.form.fields.is_empty() => "Esc — назад",
            Kind::Apply => "Tab — поле · Пробел — подтвердить · Enter — подать · Esc — назад",
            Kind::Score => "Tab — поле · ←/→ — заявка · Enter — записать · Esc — назад",
        };
        let inner = window(f, area, (fw + 4, h), t, &self.title(), keys);
        f.render_widget(Paragraph::new(top), inner);
        self.form.render(f, below(inner, n), cx);
    }
}
