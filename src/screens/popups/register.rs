//! «Регистрация» and «Восстановление пароля», opened from the sign-in
//! window (F3, F4): a new person signs up on the central instance — the
//! rules of use and the consents shown and ticked one by one — types the
//! code the server mailed, and the workstation is then linked to the
//! server as them; or a person who forgot their password gets a code and
//! sets a new one. The server decides; the form keeps what was typed on a
//! refusal.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::Paragraph;

use super::super::form::{self, Field, Form};
use super::super::passport::wrap_into;
use super::super::{Effect, RenderCx, Screen};
use super::{below, window};
use crate::domain::people::CONSENT_VERSION;
use crate::domain::refdata::refdata;
use crate::domain::user::ConsentKind;
use crate::sync::protocol::RegisterRequest;
use crate::tui::action::Action;
use crate::tui::worker::people::{PeopleReply, PeopleRequest};
use crate::tui::worker::{Reply, Request};

const SERVER: &str = "Адрес сервера (https://…)";
const LOGIN: &str = "Логин: латинские буквы, цифры, «-», «_», «.»";
const EMAIL: &str = "Электронная почта: на неё придёт код";
const NAME: &str = "ФИО (кириллицей, полностью)";
const REGION: &str = "Регион";
const PASSWORD: &str = "Пароль (не короче 8 знаков)";
const AGAIN: &str = "Пароль ещё раз";
const CODE: &str = "Код из письма (пусто и Enter — прислать новый)";

enum Step {
    SignUp,
    /// The code of the sign-up; the password links the workstation after.
    Confirm {
        server: String,
        login: String,
        password: String,
    },
    /// Forgot the password: the server and the login.
    Forgot,
    /// The reset code and the new password.
    Reset {
        server: String,
        login: String,
    },
}

pub struct Register {
    step: Step,
    form: Form,
    /// What the server said last, or why not.
    said: Option<(String, bool)>,
    waiting: bool,
}

fn secret(label: &str) -> Field {
    Field::secret(label)
}

impl Register {
    /// Sign-up (`reset` false) or the password's restoration, with the
    /// server this workstation is linked to, if any.
    pub fn open(server: Option<String>, reset: bool) -> Self {
        let server = server.unwrap_or_default();
        let (step, form) = if reset {
            (
                Step::Forgot,
                Form::new(vec![
                    Field::line(SERVER).filled(&server),
                    Field::line("Логин"),
                ]),
            )
        } else {
            let mut regions = vec![(String::new(), "выберите регион".to_owned())];
            regions.extend(
                refdata()
                    .regions
                    .iter()
                    .map(|r| (r.code.clone(), r.name.clone())),
            );
            let mut fields = vec![
                Field::line(SERVER).filled(&server),
                Field::line(LOGIN),
                Field::line(EMAIL),
                Field::line(NAME),
                Field::choice(REGION, regions, "—"),
                secret(PASSWORD),
                secret(AGAIN),
            ];
            fields.extend(
                ConsentKind::SIGN_UP
                    .into_iter()
                    .map(|k| Field::check(&format!("Принимаю: {}", k.short()))),
            );
            (Step::SignUp, Form::new(fields))
        };
        Self {
            step,
            form,
            said: None,
            waiting: false,
        }
    }

    /// The full text of the consent whose box is in focus.
    fn consent_in_focus(&self) -> Option<ConsentKind> {
        let label = &self.form.focused()?.label;
        ConsentKind::SIGN_UP
            .into_iter()
            .find(|k| label.ends_with(k.short()))
    }

    fn send(&mut self, r: PeopleRequest) -> Vec<Effect> {
        self.waiting = true;
        self.said = None;
        vec![Effect::Send(Request::People(Box::new(r)))]
    }

    fn submit(&mut self) -> Vec<Effect> {
        let v = |l: &str| self.form.value(l);
        match &self.step {
            Step::SignUp => {
                if v(PASSWORD) != v(AGAIN) {
                    self.said = Some(("Пароли не совпадают.".to_owned(), true));
                    return Vec::new();
                }
                let consents = ConsentKind::SIGN_UP
                    .into_iter()
                    .filter(|k| {
                        self.form
                            .fields
                            .iter()
                            .any(|f| f.label.ends_with(k.short()) && f.checked())
                    })
                    .map(|k| k.code().to_owned())
                    .collect();
                let request = RegisterRequest {
                    login: v(LOGIN),
                    email: v(EMAIL),
                    full_name: v(NAME),
                    region: v(REGION),
                    password: v(PASSWORD),
                    consents,
                    version: CONSENT_VERSION.to_owned(),
                };
                let server = v(SERVER);
                self.send(PeopleRequest::Register { server, request })
            }
            Step::Confirm { server, login, .. } if v(CODE).is_empty() => {
                let r = PeopleRequest::Resend {
                    server: server.clone(),
                    login: login.clone(),
                };
                self.send(r)
            }
            Step::Confirm {
                server,
                login,
                password,
            } => {
                let r = PeopleRequest::Confirm {
                    server: server.clone(),
                    login: login.clone(),
                    code: v(CODE),
                    password: password.clone(),
                };
                self.send(r)
            }
            Step::Forgot => {
                let r = PeopleRequest::ResetCode {
                    server: v(SERVER),
                    login: v("Логин"),
                };
                self.send(r)
            }
            Step::Reset { server, login } => {
                if v("Новый пароль") != v(AGAIN) {
                    self.said = Some(("Пароли не совпадают.".to_owned(), true));
                    return Vec::new();
                }
                let r = PeopleRequest::Reset {
                    server: server.clone(),
                    login: login.clone(),
                    code: v(CODE),
                    password: v("Новый пароль"),
                };
                self.send(r)
            }
        }
    }
}

impl Screen for Register {
    fn title(&self) -> String {
        match self.step {
            Step::SignUp | Step::Confirm { .. } => "Регистрация".to_owned(),
            Step::Forgot | Step::Reset { .. } => "Восстановление пароля".to_owned(),
        }
    }

    fn commands(&self) -> Vec<Action> {
        form::FORM_COMMANDS.to_vec()
    }

    fn own_keys(&self) -> Vec<(&'static str, &'static str)> {
        self.form.keys()
    }

    fn describe(&self, action: Action) -> Option<&'static str> {
        match (&self.step, action) {
            (Step::SignUp, Action::Submit) => Some("Зарегистрироваться: код придёт на почту"),
            (Step::Confirm { .. }, Action::Submit) => {
                Some("Подтвердить адрес и подключить рабочее место к серверу")
            }
            (Step::Forgot, Action::Submit) => Some("Прислать код на почту"),
            (Step::Reset { .. }, Action::Submit) => Some("Сменить пароль"),
            _ => None,
        }
    }

    fn text_input(&self) -> bool {
        true
    }

    fn input(&mut self, key: crossterm::event::KeyEvent) -> Vec<Effect> {
        self.form.type_key(key, &mut self.said, self.waiting);
        Vec::new()
    }

    fn handle(&mut self, action: Action) -> Vec<Effect> {
        match self.form.step(action, &mut self.said, self.waiting) {
            form::Step::Run => self.submit(),
            form::Step::Close => vec![Effect::Close],
            form::Step::Stay => Vec::new(),
        }
    }

    fn on_reply(&mut self, reply: &Reply) -> Vec<Effect> {
        let Reply::People(r) = reply else {
            return Vec::new();
        };
        self.waiting = false;
        match r.as_ref() {
            PeopleReply::Registered(Ok(said)) => {
                let (server, login) = match &self.step {
                    Step::SignUp => (self.form.value(SERVER), self.form.value(LOGIN)),
                    Step::Forgot => (self.form.value(SERVER), self.form.value("Логин")),
                    // A new code on the way: the form stays.
                    _ => {
                        self.said = Some((said.clone(), false));
                        return Vec::new();
                    }
                };
                let password = self.form.value(PASSWORD);
                let signing_up = matches!(self.step, Step::SignUp);
                let login = login.trim().to_lowercase();
                self.step = if signing_up {
                    Step::Confirm {
                        server,
                        login,
                        password,
                    }
                } else {
                    Step::Reset { server, login }
                };
                self.form = if matches!(self.step, Step::Confirm { .. }) {
                    Form::new(vec![Field::line(CODE)])
                } else {
                    Form::new(vec![
                        Field::line(CODE),
                        secret("Новый пароль"),
                        secret(AGAIN),
                    ])
                };
                self.said = Some((said.clone(), false));
                Vec::new()
            }
            PeopleReply::Confirmed(Ok((said, linked))) => {
                let mut out = vec![Effect::Message(said.clone()), Effect::Close];
                if *linked {
                    out.push(Effect::Linked);
                }
                out
            }
            PeopleReply::Registered(Err(e)) | PeopleReply::Confirmed(Err(e)) => {
                self.said = Some((e.clone(), true));
                vec![Effect::Log(e.clone())]
            }
            _ => Vec::new(),
        }
    }

    fn render(&self, f: &mut Frame, area: Rect, cx: &RenderCx<'_>) {
        let t = cx.theme;
        let w = 72usize;
        let mut top = Vec::new();
        if self.waiting {
            wrap_into(&mut top, "Связь с сервером…", w, t.muted, " ");
        } else if let Some((text, error)) = &self.said {
            wrap_into(&mut top, text, w, if *error { t.error } else { t.ok }, " ");
        }
        let mut bottom = Vec::new();
        if let Some(k) = self.consent_in_focus() {
            wrap_into(
                &mut bottom,
                &format!("{} (редакция {CONSENT_VERSION}): {}", k.name(), k.text()),
                w,
                t.muted,
                " ",
            );
        }
        let n = u16::try_from(top.len()).unwrap_or(4);
        let m = u16::try_from(bottom.len()).unwrap_or(8);
        let h = (n + self.form.height(72) + m + 2).min(area.height);
        let keys = if matches!(self.step, Step::SignUp) {
            "Tab — поле · Пробел — принять · Enter — отправить · Esc — отмена"
        } else {
            "Tab — поле · Enter — отправить · Esc — отмена"
        };
        let inner = window(f, area, (76, h), t, &self.title(), keys);
        f.render_widget(Paragraph::new(top), inner);
        let body = below(inner, n);
        let form_h = body.height.saturating_sub(m);
        // With a consent's text below, the fields above the consents give
        // way so the box in focus stays in view.
        let first = if bottom.is_empty() {
            0
        } else {
            self.form
                .fields
                .iter()
                .position(|x| x.label.starts_with("Принимаю"))
                .unwrap_or(0)
        };
        self.form.render_from(
            f,
            Rect {
                height: form_h,
                ..body
            },
            cx,
            first,
        );
        f.render_widget(Paragraph::new(bottom), below(body, form_h));
    }
}
