//! The action window of a practice: every action of the user's roles, the
//! ones not allowed now greyed with the reason; choosing one opens its
//! form (comment, stage document, user, level, reason) which is also the
//! confirmation. A refused action keeps everything typed.

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::super::{Effect, RenderCx, Screen, form};
use super::{below, window};
use crate::domain::PracticeId;
use crate::domain::passport::Level;
use crate::domain::user::User;
use crate::domain::workflow::{Action as Step, Need, reasons_of};
use crate::screens::passport::wrap_into;
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

/// Reading the preview of an action on several practices.
pub const PREVIEW_COMMANDS: [Action; 7] = [
    Action::Submit,
    Action::Down,
    Action::Up,
    Action::PageDown,
    Action::PageUp,
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
    Category,
}

pub struct Form {
    pub offer: Offer,
    /// What each field of `form` is, in order.
    inputs: Vec<Input>,
    pub form: form::Form,
}

impl Form {
    fn new(offer: Offer, candidates: &[(String, String)]) -> Self {
        let mut inputs = Vec::new();
        for n in offer.kind.needs() {
            inputs.push(match n {
                Need::Comment => Input::Comment,
                Need::Document => Input::Attach,
                Need::User if !candidates.is_empty() => Input::Candidate,
                Need::User => Input::Logins,
                Need::Level => Input::Level,
                Need::Reason => Input::Reason,
                Need::Category => Input::Category,
            });
        }
        if offer.kind.takes_users() && !offer.kind.needs().contains(&Need::User) {
            // The experts of a vote, or the signers of an offline protocol.
            inputs.push(Input::Logins);
        }
        // The comment last: the form reads top to bottom.
        inputs.sort_by_key(|i| *i == Input::Comment);
        let fields = inputs
            .iter()
            .map(|i| match i {
                Input::Comment => form::Field::text("Комментарий"),
                Input::Attach => form::Field::path(&format!(
                    "{} — путь к файлу",
                    offer.document.unwrap_or("Документ")
                )),
                Input::Logins if offer.kind == Step::SendToExperts => {
                    form::Field::line("Эксперты (логины через запятую; пусто — весь пул категории)")
                }
                Input::Logins if offer.kind.takes_users() => form::Field::line(
                    "Подписавшие протокол эксперты пула (не менее 3 логинов через запятую)",
                ),
                Input::Logins => form::Field::line("Логин пользователя"),
                Input::Candidate => form::Field::choice(
                    "Эксперт-модератор",
                    candidates
                        .iter()
                        .map(|(l, n)| (l.clone(), format!("{n} ({l})")))
                        .collect(),
                    "нет экспертов-модераторов этой категории",
                ),
                Input::Level => {
                    let mut f = form::Field::choice(
                        "Уровень",
                        Level::ALL
                            .iter()
                            .map(|l| {
                                (
                                    l.number().to_string(),
                                    format!("{} — {}", l.number(), l.name()),
                                )
                            })
                            .collect(),
                        "",
                    );
                    if let form::Value::Choice { selected, .. } = &mut f.value {
                        *selected = 1;
                    }
                    f
                }
                Input::Category => form::Field::choice(
                    "Категория",
                    crate::domain::refdata::refdata()
                        .categories
                        .iter()
                        .map(|c| (c.code.clone(), c.name.clone()))
                        .collect(),
                    "",
                ),
                Input::Reason => form::Field::choice(
                    if offer.kind == Step::Audit {
                        "Итог аудита"
                    } else {
                        "Причина"
                    },
                    reasons_of(offer.kind)
                        .iter()
                        .map(|(c, n)| ((*c).to_owned(), (*n).to_owned()))
                        .collect(),
                    "",
                ),
            })
            .collect();
        Self {
            offer,
            inputs,
            form: form::Form::new(fields),
        }
    }
}

pub struct Act {
    user: User,
    pub ids: Vec<PracticeId>,
    pub view: Option<Result<Box<OffersView>, String>>,
    pub selected: usize,
    pub form: Option<Form>,
    pub sending: bool,
    pub error: Option<String>,
    /// Several practices marked: what the action would do to each, shown
    /// before anything is written; `Enter` then takes it.
    pub preview: Option<Vec<crate::service::query::Bulk>>,
    /// Taking it on several: how many are done, of all.
    pub progress: Option<(usize, usize)>,
    /// The first line of the preview shown.
    preview_at: std::cell::Cell<usize>,
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
                preview: None,
                progress: None,
                preview_at: std::cell::Cell::new(0),
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

    fn input_for(f: &Form) -> ActInput {
        let mut input = ActInput::default();
        for (i, field) in f.inputs.iter().zip(&f.form.fields) {
            let v = field.value();
            match i {
                Input::Comment => input.comment = v,
                Input::Attach if !v.is_empty() => input.attach.push(form::path_of(&v).into()),
                Input::Logins | Input::Candidate if !v.is_empty() => input.to.push(v),
                Input::Level => input.level = v.parse().ok(),
                Input::Reason | Input::Category if !v.is_empty() => input.reason = Some(v),
                _ => {}
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

    fn describe(&self, action: Action) -> Option<&'static str> {
        match (action, &self.form) {
            (Action::Submit, Some(_)) => Some("Выполнить действие"),
            (Action::Submit, None) => Some("Выбрать действие"),
            (Action::Back, Some(_)) => Some("Назад к списку действий"),
            _ => None,
        }
    }

    fn own_keys(&self) -> Vec<(&'static str, &'static str)> {
        self.form
            .as_ref()
            .map(|f| f.form.keys())
            .unwrap_or_default()
    }

    fn commands(&self) -> Vec<Action> {
        if self.form.is_some() {
            if self.preview.is_some() {
                PREVIEW_COMMANDS.to_vec()
            } else {
                FORM_COMMANDS.to_vec()
            }
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
        if let Some(f) = &mut self.form {
            if action == Action::Back && self.preview.is_some() {
                // Back from the preview to the form, as it was.
                self.preview = None;
                return Vec::new();
            }
            if self.preview.is_some() && action != Action::Submit {
                // The preview is read (scrolled), then taken (Enter) or
                // left (Esc).
                let at = self.preview_at.get();
                self.preview_at.set(match action {
                    Action::Down => at + 1,
                    Action::Up => at.saturating_sub(1),
                    Action::PageDown => at + 10,
                    Action::PageUp => at.saturating_sub(10),
                    _ => at,
                });
                return Vec::new();
            }
            if action == Action::Back && !f.form.may_leave() {
                self.error = Some(form::LEAVE_ASK.to_owned());
                return Vec::new();
            }
            match action {
                Action::NextField => f.form.next(),
                Action::PrevField => f.form.prev(),
                Action::Back => {
                    self.form = None;
                    self.error = None;
                }
                Action::Submit => {
                    if let Some(p) = f.form.fields.iter().find_map(form::Field::problem) {
                        self.error = Some(p);
                        return Vec::new();
                    }
                    let input = Self::input_for(f);
                    let action = f.offer.kind;
                    self.sending = true;
                    self.error = None;
                    self.progress = None;
                    if self.ids.len() > 1 && self.preview.is_none() {
                        // Several: what each would get, before anything.
                        return vec![Effect::Send(Request::Preview {
                            user: Box::new(self.user.clone()),
                            ids: self.ids.clone(),
                            action,
                            input: Box::new(input),
                        })];
                    }
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
                // Several marked: the preview says, practice by practice.
                if let Some(r) = &o.reason
                    && self.ids.len() == 1
                {
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
                let candidates = match &self.view {
                    Some(Ok(v)) => v.candidates.clone(),
                    _ => Vec::new(),
                };
                self.error = None;
                self.form = Some(Form::new(o, &candidates));
            }
            _ => {}
        }
        Vec::new()
    }

    fn input(&mut self, key: KeyEvent) -> Vec<Effect> {
        if self.sending {
            return Vec::new();
        }
        let Some(f) = &mut self.form else {
            return Vec::new();
        };
        if self.preview.is_some() {
            return Vec::new();
        }
        // The input is being fixed: the last refusal no longer stands, nor
        // the preview of what it would do.
        self.error = None;
        self.preview = None;
        f.form.input(key);
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
            Reply::Progress { done, all } if self.sending && *all == self.ids.len() => {
                self.progress = Some((*done, *all));
            }
            Reply::Previewed { ids, result } if *ids == self.ids && self.sending => {
                self.sending = false;
                match result {
                    Ok(list) => {
                        self.preview = Some(list.clone());
                        self.preview_at.set(0);
                    }
                    Err(e) => self.error = Some(e.clone()),
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
        let keys = if self.preview.is_some() {
            "Enter — выполнить · ↑/↓ PgUp/PgDn — листать · Esc — изменить"
        } else if self.form.is_some() {
            "Enter — выполнить · Tab — поле · ←/→ — выбор · Esc — назад"
        } else {
            "Enter — выбрать · Esc — закрыть"
        };
        let inner = window(f, area, (76, 20), t, "Действия", keys);
        let w = inner.width as usize;
        // The practice and its status whole, on as many lines as it takes.
        let mut lines = Vec::new();
        wrap_into(&mut lines, &subject, w, t.highlight, " ");
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
                truncate(&format!(" {}", form.offer.label), w),
                t.title,
            )));
            lines.push(Line::from(""));
            let top = u16::try_from(lines.len()).unwrap_or(u16::MAX);
            f.render_widget(Paragraph::new(lines), inner);
            form.form.render(f, below(inner, top), cx);
            let mut after = Vec::new();
            // The progress and the refusal first: they must show whatever
            // the length of the preview below.
            if self.sending {
                let text = match self.progress {
                    Some((done, all)) => format!(
                        " Выполняется: {} {done} из {all}",
                        crate::tui::ui::bar(done, all)
                    ),
                    None => " Выполняется…".to_owned(),
                };
                after.push(Line::from(Span::styled(text, t.muted)));
            }
            if let Some(e) = &self.error {
                wrap_into(&mut after, e, w, t.error, " ");
            }
            if form.inputs.is_empty() && self.preview.is_none() {
                after.push(Line::from(Span::styled(
                    " Подтвердите действие: Enter — выполнить, Esc — отмена.",
                    t.text,
                )));
            }
            let used = top + form.form.height(inner.width) + 1;
            let room = below(inner, used).height as usize;
            if let Some(list) = &self.preview {
                let ok = list.iter().filter(|b| b.result.is_ok()).count();
                wrap_into(
                    &mut after,
                    &format!(
                        "Будет выполнено: {ok}, откажет: {}. Enter — выполнить, каждую отдельно; Esc — изменить.",
                        list.len() - ok
                    ),
                    w,
                    t.title,
                    " ",
                );
                // The refusals first: they are what to read before Enter.
                let mut rows: Vec<&crate::service::query::Bulk> = list.iter().collect();
                rows.sort_by_key(|b| b.result.is_ok());
                let mut body = Vec::new();
                for b in rows {
                    let (mark, text, style) = match &b.result {
                        Ok(to) => ("✓", to.as_str(), t.ok),
                        Err(why) => ("✗", why.as_str(), t.warning),
                    };
                    wrap_into(
                        &mut body,
                        &format!("{mark} {}: {text}", b.title),
                        w,
                        style,
                        " ",
                    );
                }
                // Scrolled by ↓/↑: what is above and below is said.
                let fits = room.saturating_sub(after.len() + 2).max(1);
                let first = self.preview_at.get().min(body.len().saturating_sub(fits));
                self.preview_at.set(first);
                let shown = body.len().min(first + fits);
                if first > 0 {
                    after.push(Line::from(Span::styled(
                        format!(" ↑ выше ещё строк: {first}"),
                        t.muted,
                    )));
                }
                after.extend(body.drain(first..shown));
                // What drain left: the lines above, then those below.
                let below = body.len() - first;
                if below > 0 {
                    after.push(Line::from(Span::styled(
                        format!(" ↓ ниже ещё строк: {below} (↓, PgDn)"),
                        t.muted,
                    )));
                }
            }
            let used = top + form.form.height(inner.width) + 1;
            f.render_widget(Paragraph::new(after), below(inner, used));
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
            // Several marked: each is weighed in the preview.
            let mark = if o.allowed || self.ids.len() > 1 {
                "›"
            } else {
                "·"
            };
            lines.push(Line::from(Span::styled(
                truncate(&format!(" {mark} {}", o.label), w),
                style,
            )));
        }
        if let Some(o) = view.offers.get(self.selected)
            && let Some(reason) = &o.reason
        {
            lines.push(Line::from(""));
            let text = if self.ids.len() > 1 {
                format!("Первой отмеченной недоступно: {reason} Остальные — в предпросмотре.")
            } else {
                format!("Недоступно: {reason}")
            };
            wrap_into(&mut lines, &text, w, t.warning, " ");
        }
        f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
    }
}
