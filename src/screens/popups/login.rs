//! The sign-in form: login and password, checked against the argon2 hash
//! in the local store.

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui_textarea::TextArea;

use super::super::{Effect, RenderCx, Screen};
use super::window;
use crate::tui::action::Action;
use crate::tui::worker::{Reply, Request};

pub const COMMANDS: [Action; 7] = [
    Action::Submit,
    Action::NextField,
    Action::PrevField,
    Action::Register,
    Action::ForgotPassword,
    Action::Back,
    Action::Redraw,
];

pub struct Login {
    pub login: TextArea<'static>,
    pub password: TextArea<'static>,
    /// 0: login, 1: password.
    pub focus: usize,
    pub error: Option<String>,
    pub checking: bool,
}

impl Default for Login {
    fn default() -> Self {
        let login = TextArea::default();
        let mut password = TextArea::default();
        password.set_mask_char('•');
        Self {
            login,
            password,
            focus: 0,
            error: None,
            checking: false,
        }
    }
}

impl Login {
    fn field(&mut self) -> &mut TextArea<'static> {
        if self.focus == 0 {
            &mut self.login
        } else {
            &mut self.password
        }
    }
}

impl Screen for Login {
    fn title(&self) -> String {
        "Вход".to_owned()
    }

    fn commands(&self) -> Vec<Action> {
        COMMANDS.to_vec()
    }

    fn hints(&self) -> Vec<Action> {
        vec![Action::Submit, Action::NextField, Action::Back]
    }

    fn text_input(&self) -> bool {
        true
    }

    fn handle(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::NextField | Action::PrevField => {
                self.focus = 1 - self.focus;
                Vec::new()
            }
            Action::Submit => {
                let login = self.login.lines().join("");
                if login.trim().is_empty() {
                    self.error = Some("Введите логин.".to_owned());
                    self.focus = 0;
                    return Vec::new();
                }
                if self.focus == 0 {
                    self.focus = 1;
                    return Vec::new();
                }
                self.checking = true;
                self.error = None;
                vec![Effect::Send(Request::Login {
                    login,
                    password: self.password.lines().join(""),
                })]
            }
            Action::Register => vec![Effect::Close, Effect::OpenRegister(false)],
            Action::ForgotPassword => vec![Effect::Close, Effect::OpenRegister(true)],
            Action::Back => vec![Effect::Close],
            _ => Vec::new(),
        }
    }

    fn input(&mut self, key: KeyEvent) -> Vec<Effect> {
        self.field().input(key);
        // One line per field: Enter never splits it.
        if super::super::keep_one_line(self.field(), "") && self.focus == 1 {
            self.password.set_mask_char('•');
        }
        Vec::new()
    }

    fn on_reply(&mut self, reply: &Reply) -> Vec<Effect> {
        if let Reply::Login(Err(e)) = reply {
            self.checking = false;
            self.error = Some(e.clone());
            self.password = TextArea::default();
            self.password.set_mask_char('•');
            self.focus = 1;
            return vec![Effect::Log(e.clone())];
        }
        Vec::new()
    }

    fn render(&self, f: &mut Frame, area: Rect, cx: &RenderCx<'_>) {
        let t = cx.theme;
        let inner = window(
            f,
            area,
            (50, 9),
            t,
            "Вход в Смартеку",
            "Enter — войти · Tab — поле · Esc — отмена",
        );
        let rows = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Min(0),
        ])
        .split(inner);
        f.render_widget(
            Paragraph::new(Span::styled(
                " Нет учётной записи — F3, забыли пароль — F4",
                t.muted,
            )),
            rows[0],
        );
        for (i, (label, field)) in [("Логин: ", &self.login), ("Пароль:", &self.password)]
            .into_iter()
            .enumerate()
        {
            let row = rows[i * 2 + 1];
            let [l, v] = Layout::horizontal([Constraint::Length(9), Constraint::Min(1)]).areas(row);
            let style = if self.focus == i {
                t.border_focus
            } else {
                t.label
            };
            f.render_widget(Paragraph::new(Span::styled(format!(" {label}"), style)), l);
            let mut ta = field.clone();
            ta.set_cursor_line_style(ratatui::style::Style::default());
            if self.focus != i {
                ta.set_cursor_style(ratatui::style::Style::default());
            }
            f.render_widget(&ta, v);
        }
        // The message whole: it may take the lines below.
        let below = Rect {
            height: rows[4].height + rows[5].height,
            ..rows[4]
        };
        let mut msg = Vec::new();
        if self.checking {
            msg.push(Line::from(Span::styled(" Проверка…", t.muted)));
        } else if let Some(e) = &self.error {
            crate::screens::passport::wrap_into(&mut msg, e, below.width as usize, t.error, " ");
        }
        f.render_widget(Paragraph::new(msg), below);
    }
}
