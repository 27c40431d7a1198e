//! The action window of a practice: every action of the user's roles, the
//! ones not allowed now greyed with the reason; choosing one opens its
//! form (comment, stage document, user, level, reason) which is also the
//! confirmation. A refused action keeps everything typed.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui_textarea::TextArea;

use super::super::{Effect, RenderCx, Screen};
use super::{cursor_at, window};
use crate::domain::PracticeId;
use crate::domain::passport::Level;
use crate::domain::user::User;
use crate::domain::workflow::{Action as Step, Need, reasons_of};
use crate::service::workflow::{ActInput, Offer};
use crate::tui::action::Action;
use crate::tui::ui::truncate;
use crate::tui::worker::{OffersView, Reply, Request};

pub const LIST_COMMANDS: [Action; 6] = [
    Action::Submit,
    Action::Down,
    Action::Up,
    Action::Back,
    Action::Help,
    Action::Redraw,
];

pub const FORM_COMMANDS: [Action; 5] = [
    Action::Submit,
    Action::NextField,
    Action::PrevField,
    Action::Back,
    Action::Redraw,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Input {
    Comment,
    Attach,
    /// A login typed (new author, experts).
    Logins,
    /// One of the candidates (an expert-moderator).
    Candidate,
    Level,
    Reason,
}

pub struct Form {
    pub offer: Offer,
    inputs: Vec<Input>,
    pub focus: usize,
    pub comment: TextArea<'static>,
    pub attach: TextArea<'static>,
    pub logins: TextArea<'static>,
    candidate: usize,
    level: usize,
    reason: usize,
}

impl Form {
    fn new(offer: Offer, has_candidates: bool) -> Self {
        let mut inputs = Vec::new();
        for n in offer.kind.needs() {
            inputs.push(match n {
                Need::Comment => Input::Comment,
                Need::Document => Input::Attach,
                Need::User if has_candidates => Input::Candidate,
                Need::User => Input::Logins,
                Need::Level => Input::Level,
                Need::Reason => Input::Reason,
            });
        }
        if offer.kind == Step::SendToExperts {
            inputs.push(Input::Logins);
        }
        // The comment last: the form reads top to bottom.
        inputs.sort_by_key(|i| *i == Input::Comment);
        Self {
            offer,
            inputs,
            focus: 0,
            comment: TextArea::default(),
            attach: TextArea::default(),
            logins: TextArea::default(),
            candidate: 0,
            level: 1,
            reason: 0,
        }
    }

    fn focused(&self) -> Option<Input> {
        self.inputs.get(self.focus).copied()
    }

    fn text(&mut self) -> Option<&mut TextArea<'static>> {
        match self.focused()? {
            Input::Comment => Some(&mut self.comment),
            Input::Attach => Some(&mut self.attach),
            Input::Logins => Some(&mut self.logins),
            _ => None,
        }
    }
}

fn one_line(t: &TextArea<'static>) -> String {
    t.lines().join(" ").trim().to_owned()
}

pub struct Act {
    user: User,
    pub ids: Vec<PracticeId>,
    pub view: Option<Result<Box<OffersView>, String>>,
    pub selected: usize,
    pub form: Option<Form>,
    pub sending: bool,
    pub error: Option<String>,
}

impl Act {
    pub fn open(ids: Vec<PracticeId>, user: User) -> (Self, Effect) {
        let req = Request::Offers {
            user: Box::new(user.clone()),
            id: ids[0],
        };
        (
            Self {
                user,
                ids,
                view: None,
                selected: 0,
                form: None,
                sending: false,
                error: None,
            },
            Effect::Send(req),
        )
    }

    fn offers(&self) -> &[Offer] {
        match &self.view {
            Some(Ok(v)) => &v.offers,
            _ => &[],
        }
    }

    fn input_for(view: Option<&OffersView>, f: &Form) -> ActInput {
        let mut input = ActInput {
            comment: f.comment.lines().join("\n").trim().to_owned(),
            ..ActInput::default()
        };
        for i in &f.inputs {
            match i {
                Input::Attach => {
                    let p = one_line(&f.attach);
                    if !p.is_empty() {
                        input.attach.push(p.into());
                    }
                }
                Input::Logins => {
                    let l = one_line(&f.logins);
                    if !l.is_empty() {
                        input.to.push(l);
                    }
                }
                Input::Candidate => {
                    if let Some(v) = view
                        && let Some((login, _)) = v.candidates.get(f.candidate)
                    {
                        input.to.push(login.clone());
                    }
                }
                Input::Level => input.level = Some(Level::ALL[f.level].number()),
                Input::Reason => {
                    input.reason = reasons_of(f.offer.kind)
                        .get(f.reason)
                        .map(|(c, _)| (*c).to_owned());
                }
                Input::Comment => {}
            }
        }
        input
    }
}

impl Screen for Act {
    fn ready(&self) -> bool {
        self.view.is_some()
    }

    fn title(&self) -> String {
        "Действия".to_owned()
    }

    fn commands(&self) -> Vec<Action> {
        if self.form.is_some() {
            FORM_COMMANDS.to_vec()
        } else {
            LIST_COMMANDS.to_vec()
        }
    }

    fn text_input(&self) -> bool {
        self.form.is_some()
    }

    fn handle(&mut self, action: Action) -> Vec<Effect> {
        if self.sending {
            return Vec::new();
        }
        let view = match &self.view {
            Some(Ok(v)) => Some(v.as_ref()),
            _ => None,
        };
        if let Some(f) = &mut self.form {
            match action {
                Action::NextField if !f.inputs.is_empty() => {
                    f.focus = (f.focus + 1) % f.inputs.len();
                }
                Action::PrevField if !f.inputs.is_empty() => {
                    f.focus = (f.focus + f.inputs.len() - 1) % f.inputs.len();
                }
                Action::Back => {
                    self.form = None;
                    self.error = None;
                }
                Action::Submit => {
                    let input = Self::input_for(view, f);
                    let action = f.offer.kind;
                    self.sending = true;
                    self.error = None;
                    return vec![Effect::Send(Request::Act {
                        user: Box::new(self.user.clone()),
                        ids: self.ids.clone(),
                        action,
                        input: Box::new(input),
                    })];
                }
                _ => {}
            }
            return Vec::new();
        }
        let n = self.offers().len();
        match action {
            Action::Down => self.selected = (self.selected + 1).min(n.saturating_sub(1)),
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Back => return vec![Effect::Close],
            Action::Submit => {
                let Some(o) = self.offers().get(self.selected).cloned() else {
                    return Vec::new();
                };
                if let Some(r) = &o.reason {
                    self.error = Some(r.clone());
                    return Vec::new();
                }
                if matches!(
                    o.kind,
                    Step::VoteApprove | Step::VoteRevise | Step::VoteReject
                ) && self.ids.len() == 1
                {
                    return vec![Effect::Close, Effect::Vote(self.ids[0])];
                }
                let has_candidates = matches!(&self.view, Some(Ok(v)) if !v.candidates.is_empty());
                self.error = None;
                self.form = Some(Form::new(o, has_candidates));
            }
            _ => {}
        }
        Vec::new()
    }

    fn input(&mut self, key: KeyEvent) -> Vec<Effect> {
        if self.sending {
            return Vec::new();
        }
        let candidates = match &self.view {
            Some(Ok(v)) => v.candidates.len(),
            _ => 0,
        };
        let Some(f) = &mut self.form else {
            return Vec::new();
        };
        // The input is being fixed: the last refusal no longer stands.
        self.error = None;
        let step = |i: usize, n: usize, key: &KeyEvent| -> usize {
            match key.code {
                KeyCode::Right | KeyCode::Down if n > 0 => (i + 1) % n,
                KeyCode::Left | KeyCode::Up if n > 0 => (i + n - 1) % n,
                _ => i,
            }
        };
        match f.focused() {
            Some(Input::Candidate) => f.candidate = step(f.candidate, candidates, &key),
            Some(Input::Level) => match key.code {
                KeyCode::Char(c @ '1'..='3') => f.level = (c as usize) - ('1' as usize),
                _ => f.level = step(f.level, 3, &key),
            },
            Some(Input::Reason) => {
                f.reason = step(f.reason, reasons_of(f.offer.kind).len(), &key);
            }
            _ => {
                if let Some(t) = f.text() {
                    t.input(key);
                    super::super::keep_one_line(t, " ");
                }
            }
        }
        Vec::new()
    }

    fn on_reply(&mut self, reply: &Reply) -> Vec<Effect> {
        match reply {
            Reply::Offers { id, result } if *id == self.ids[0] && self.view.is_none() => {
                self.view = Some(result.clone());
                // Start on the first allowed action.
                if let Ok(v) = result {
                    self.selected = v.offers.iter().position(|o| o.allowed).unwrap_or(0);
                }
            }
            Reply::Acted { ids, result } if *ids == self.ids && self.sending => {
                self.sending = false;
                match result {
                    Ok(msg) => return vec![Effect::Close, Effect::Message(msg.clone())],
                    Err(e) => self.error = Some(e.clone()),
                }
            }
            _ => {}
        }
        Vec::new()
    }

    #[allow(clippy::too_many_lines)] // one window, two modes
    fn render(&self, f: &mut Frame, area: Rect, cx: &RenderCx<'_>) {
        let t = cx.theme;
        let subject = match &self.view {
            Some(Ok(v)) if self.ids.len() == 1 => format!("«{}» · {}", v.title, v.status.name()),
            _ if self.ids.len() > 1 => format!("отмечено практик: {}", self.ids.len()),
            _ => String::new(),
        };
        let keys = if self.form.is_some() {
            "Enter — выполнить · Tab — поле · ←/→ — выбор · Esc — назад"
        } else {
            "Enter — выбрать · Esc — закрыть"
        };
        let inner = window(f, area, (76, 20), t, "Действия", keys);
        let w = inner.width as usize;
        let mut lines = vec![Line::from(Span::styled(
            truncate(&format!(" {subject}"), w),
            t.highlight,
        ))];
        let view = match &self.view {
            None => {
                lines.push(Line::from(Span::styled(" Загрузка…", t.muted)));
                f.render_widget(Paragraph::new(lines), inner);
                return;
            }
            Some(Err(e)) => {
                lines.push(Line::from(Span::styled(format!(" {e}"), t.error)));
                f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
                return;
            }
            Some(Ok(v)) => v,
        };
        if let Some(form) = &self.form {
            lines.push(Line::from(Span::styled(
                format!(" {}", form.offer.label),
                t.title,
            )));
            lines.push(Line::from(""));
            let mut cursor = None;
            for (i, input) in form.inputs.iter().enumerate() {
                let focus = i == form.focus;
                let label_style = if focus { t.border_focus } else { t.label };
                let (label, value) = match input {
                    Input::Comment => ("Комментарий", one_line(&form.comment)),
                    Input::Attach => (
                        form.offer.document.unwrap_or("Документ"),
                        one_line(&form.attach),
                    ),
                    Input::Logins if form.offer.kind == Step::SendToExperts => (
                        "Эксперты (логины через запятую; пусто — весь пул категории)",
                        one_line(&form.logins),
                    ),
                    Input::Logins => ("Логин пользователя", one_line(&form.logins)),
                    Input::Candidate => (
                        "Эксперт-модератор",
                        view.candidates.get(form.candidate).map_or_else(
                            || "нет экспертов-модераторов этой категории".to_owned(),
                            |(l, n)| format!("‹ {n} ({l}) ›"),
                        ),
                    ),
                    Input::Level => {
                        let l = Level::ALL[form.level];
                        ("Уровень", format!("‹ {} — {} ›", l.number(), l.name()))
                    }
                    Input::Reason => (
                        "Причина",
                        reasons_of(form.offer.kind)
                            .get(form.reason)
                            .map(|(_, n)| format!("‹ {n} ›"))
                            .unwrap_or_default(),
                    ),
                };
                let label = if *input == Input::Attach {
                    format!(" {label} — путь к файлу:")
                } else {
                    format!(" {label}:")
                };
                lines.push(Line::from(Span::styled(label, label_style)));
                let shown = truncate(&format!("  {value}"), w.saturating_sub(1));
                if focus && matches!(input, Input::Comment | Input::Attach | Input::Logins) {
                    cursor = Some((
                        unicode_width::UnicodeWidthStr::width(shown.as_str()),
                        lines.len(),
                    ));
                }
                lines.push(Line::from(Span::styled(shown, t.text)));
            }
            if form.inputs.is_empty() {
                lines.push(Line::from(Span::styled(
                    " Подтвердите действие: Enter — выполнить, Esc — отмена.",
                    t.text,
                )));
            }
            lines.push(Line::from(""));
            if self.sending {
                lines.push(Line::from(Span::styled(" Выполняется…", t.muted)));
            }
            if let Some(e) = &self.error {
                lines.push(Line::from(Span::styled(format!(" {e}"), t.error)));
            }
            f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
            if let Some((x, y)) = cursor {
                cursor_at(f, inner, x, y);
            }
            return;
        }
        if let Some(tally) = &view.tally {
            lines.push(Line::from(Span::styled(
                format!(
                    " Голосование: {} из {}; за — {}, доработка — {}, против — {}",
                    tally.voted, tally.invited, tally.approve, tally.revise, tally.reject
                ),
                t.label,
            )));
            for (who, verdict, comment) in &view.votes {
                let c = if comment.is_empty() {
                    String::new()
                } else {
                    format!(": {comment}")
                };
                lines.push(Line::from(Span::styled(
                    truncate(&format!("   {who} — {verdict}{c}"), w),
                    t.muted,
                )));
            }
        }
        lines.push(Line::from(""));
        if view.offers.is_empty() {
            lines.push(Line::from(Span::styled(
                " У ваших ролей нет действий с этой практикой.",
                t.muted,
            )));
        }
        for (i, o) in view.offers.iter().enumerate() {
            let style = if i == self.selected {
                t.selected
            } else if o.allowed {
                t.text
            } else {
                t.muted
            };
            let mark = if o.allowed { "›" } else { "·" };
            lines.push(Line::from(Span::styled(
                truncate(&format!(" {mark} {}", o.label), w),
                style,
            )));
        }
        if let Some(o) = view.offers.get(self.selected)
            && let Some(reason) = &o.reason
        {
            lines.push(Line::from(""));
            lines.push(Line::from(Span::styled(
                format!(" Недоступно: {reason}"),
                t.warning,
            )));
        }
        f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
    }
}
