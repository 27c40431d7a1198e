//! The expert's vote (§4.4.7): approve, send for revision with concrete
//! points, or refuse; the criteria of §2.1.5 stay in view. Each expert
//! votes once, so nothing is chosen at first (←/→ choose), and Enter asks
//! once more before the vote is cast; a refused vote keeps the text typed.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui_textarea::TextArea;

use super::super::{Effect, RenderCx, Screen};
use super::{below, window};
use crate::domain::PracticeId;
use crate::domain::passport::CRITERIA;
use crate::domain::user::User;
use crate::domain::workflow::{Action as Step, Need};
use crate::screens::passport::wrap_into;
use crate::service::workflow::ActInput;
use crate::tui::action::Action;
use crate::tui::worker::{OffersView, Reply, Request};

pub const COMMANDS: [Action; 5] = [
    Action::Submit,
    Action::NextField,
    Action::PrevField,
    Action::Back,
    Action::Redraw,
];

const VERDICTS: [(Step, &str); 3] = [
    (Step::VoteApprove, "Одобрить"),
    (Step::VoteRevise, "На доработку"),
    (Step::VoteReject, "Отказать"),
];

#[allow(clippy::struct_excessive_bools)] // the form's plain states
pub struct VoteForm {
    user: User,
    pub id: PracticeId,
    pub view: Option<Result<Box<OffersView>, String>>,
    /// The decision chosen, none at first.
    pub verdict: Option<usize>,
    /// Keys go to the comment (else ←/→ choose the decision).
    pub on_comment: bool,
    /// Enter was pressed once: the next Enter casts the vote.
    pub confirming: bool,
    pub comment: TextArea<'static>,
    pub sending: bool,
    pub error: Option<String>,
    /// `Esc` was pressed once with a comment typed.
    leaving: bool,
}

impl VoteForm {
    pub fn open(id: PracticeId, user: User) -> (Self, Effect) {
        let req = Request::Offers {
            user: Box::new(user.clone()),
            id,
        };
        (
            Self {
                user,
                id,
                view: None,
                verdict: None,
                on_comment: false,
                confirming: false,
                comment: {
                    let mut a = TextArea::default();
                    a.set_wrap_mode(ratatui_textarea::WrapMode::WordOrGlyph);
                    a.set_cursor_line_style(ratatui::style::Style::default());
                    a
                },
                sending: false,
                error: None,
                leaving: false,
            },
            Effect::Send(req),
        )
    }

    /// Why the user may not vote now, if so.
    fn refusal(&self) -> Option<String> {
        let Some(Ok(v)) = &self.view else {
            return None;
        };
        let vote = v.offers.iter().find(|o| o.kind == Step::VoteApprove);
        match vote {
            None => {
                Some("Голосуют эксперты пула категории, приглашённые в голосование.".to_owned())
            }
            Some(o) => o.reason.clone(),
        }
    }
}

impl Screen for VoteForm {
    fn ready(&self) -> bool {
        self.view.is_some()
    }

    fn title(&self) -> String {
        "Голосование эксперта".to_owned()
    }

    fn commands(&self) -> Vec<Action> {
        COMMANDS.to_vec()
    }

    fn text_input(&self) -> bool {
        true
    }

    fn own_keys(&self) -> Vec<(&'static str, &'static str)> {
        vec![
            ("←/→", "Выбрать решение"),
            ("Ctrl-j", "Новая строка в комментарии"),
        ]
    }

    fn handle(&mut self, action: Action) -> Vec<Effect> {
        if self.sending {
            return Vec::new();
        }
        let leaving = std::mem::take(&mut self.leaving);
        match action {
            Action::NextField | Action::PrevField => {
                self.on_comment = !self.on_comment;
                self.confirming = false;
            }
            Action::Back if self.confirming => self.confirming = false,
            Action::Back if !leaving && !self.comment.lines().join("").trim().is_empty() => {
                self.leaving = true;
                self.error = Some(crate::screens::form::LEAVE_ASK.to_owned());
            }
            Action::Back => return vec![Effect::Close],
            Action::Submit => {
                if self.view.is_none() {
                    return Vec::new();
                }
                if let Some(r) = self.refusal() {
                    self.error = Some(r);
                    return Vec::new();
                }
                let Some(v) = self.verdict else {
                    self.error = Some("Выберите решение: ←/→.".to_owned());
                    self.on_comment = false;
                    return Vec::new();
                };
                // What the decision needs is asked for before the question.
                let comment = self.comment.lines().join("\n");
                if VERDICTS[v].0.needs().contains(&Need::Comment) && comment.trim().is_empty() {
                    self.error = Some(format!(
                        "Для решения «{}» напишите комментарий: Tab — к нему.",
                        VERDICTS[v].1
                    ));
                    return Vec::new();
                }
                if !self.confirming {
                    self.confirming = true;
                    self.error = None;
                    return Vec::new();
                }
                self.confirming = false;
                self.sending = true;
                self.error = None;
                return vec![Effect::Send(Request::Act {
                    user: Box::new(self.user.clone()),
                    ids: vec![self.id],
                    action: VERDICTS[v].0,
                    input: Box::new(ActInput {
                        comment: self.comment.lines().join("\n").trim().to_owned(),
                        ..ActInput::default()
                    }),
                })];
            }
            _ => {}
        }
        Vec::new()
    }

    fn input(&mut self, key: KeyEvent) -> Vec<Effect> {
        if self.sending {
            return Vec::new();
        }
        self.confirming = false;
        if std::mem::take(&mut self.leaving) {
            self.error = None;
        }
        if !self.on_comment {
            let n = VERDICTS.len();
            match key.code {
                KeyCode::Right => self.verdict = Some(self.verdict.map_or(0, |v| (v + 1) % n)),
                KeyCode::Left => {
                    self.verdict = Some(self.verdict.map_or(n - 1, |v| (v + n - 1) % n));
                }
                // Typing goes to the comment.
                KeyCode::Char(_) => {
                    self.on_comment = true;
                    self.comment.input(key);
                }
                _ => return Vec::new(),
            }
            self.error = None;
            return Vec::new();
        }
        // Concrete points take several lines: Ctrl-j starts a new one
        // (Enter casts the vote).
        if key.code == KeyCode::Char('j') && key.modifiers.contains(KeyModifiers::CONTROL) {
            self.comment.insert_newline();
        } else if key.code != KeyCode::Enter {
            self.comment.input(key);
        }
        Vec::new()
    }

    fn on_reply(&mut self, reply: &Reply) -> Vec<Effect> {
        match reply {
            Reply::Offers { id, result } if *id == self.id && self.view.is_none() => {
                self.view = Some(result.clone());
            }
            Reply::Acted { ids, result } if ids.as_slice() == [self.id] && self.sending => {
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

    fn render(&self, f: &mut Frame, area: Rect, cx: &RenderCx<'_>) {
        let t = cx.theme;
        let inner = window(
            f,
            area,
            (76, 24),
            t,
            "Голос эксперта",
            if self.confirming {
                "Enter — да, проголосовать · Esc — нет"
            } else {
                "←/→ — решение · Tab — комментарий · Enter — проголосовать · Esc — отмена"
            },
        );
        let w = inner.width as usize;
        let title = match &self.view {
            Some(Ok(v)) => format!(" «{}»", v.title),
            Some(Err(e)) => format!(" {e}"),
            None => " Загрузка…".to_owned(),
        };
        // Everything whole: the title and the criteria wrap.
        let mut lines = Vec::new();
        wrap_into(&mut lines, title.trim(), w, t.highlight, " ");
        lines.push(Line::from(Span::styled(
            " Критерии оценки (п. 2.1.5):",
            t.label,
        )));
        for c in CRITERIA {
            for l in crate::tui::ui::wrap(c, w, "  • ", "    ") {
                lines.push(Line::from(Span::styled(l, t.muted)));
            }
        }
        lines.push(Line::from(""));
        let focus = |on: bool| if on { t.border_focus } else { t.label };
        let mut verdicts = vec![Span::styled(" Решение (←/→): ", focus(!self.on_comment))];
        for (i, (_, name)) in VERDICTS.iter().enumerate() {
            let (mark, style) = if Some(i) == self.verdict {
                ("(•) ", t.selected)
            } else {
                ("( ) ", t.text)
            };
            verdicts.push(Span::styled(format!("{mark}{name}"), style));
            verdicts.push(Span::raw("  "));
        }
        lines.push(Line::from(verdicts));
        lines.push(Line::from(""));
        let label = match self.verdict.map(|v| VERDICTS[v].0) {
            Some(Step::VoteRevise) => " Конкретные пункты доработки (обязательно):",
            Some(Step::VoteReject) => " Почему практика не соответствует критериям (обязательно):",
            _ => " Комментарий:",
        };
        lines.push(Line::from(Span::styled(label, focus(self.on_comment))));
        // The comment wraps in its own box of four lines, scrolled to the
        // cursor; the messages go under it.
        let top = u16::try_from(lines.len()).unwrap_or(u16::MAX);
        f.render_widget(Paragraph::new(lines), inner);
        let comment = Rect {
            x: inner.x + 2,
            y: inner.y + top.min(inner.height),
            width: inner.width.saturating_sub(3),
            height: 4.min(inner.height.saturating_sub(top)),
        };
        if self.on_comment {
            f.render_widget(&self.comment, comment);
        } else {
            let text: Vec<Line> = self
                .comment
                .lines()
                .iter()
                .flat_map(|l| textwrap::wrap(l, comment.width.max(1) as usize))
                .take(4)
                .map(|l| Line::from(Span::styled(l.into_owned(), t.text)))
                .collect();
            f.render_widget(Paragraph::new(text), comment);
        }
        let mut after = Vec::new();
        if self.sending {
            after.push(Line::from(Span::styled(" Голос отправляется…", t.muted)));
        } else if let (true, Some(v)) = (self.confirming, self.verdict) {
            after.push(Line::from(Span::styled(
                format!(
                    " Проголосовать «{}»? Голос не изменить. Enter — да, Esc — нет.",
                    VERDICTS[v].1
                ),
                t.warning,
            )));
        } else if let Some(e) = self.error.clone().or_else(|| self.refusal()) {
            wrap_into(&mut after, &e, w, t.error, " ");
        }
        f.render_widget(Paragraph::new(after), below(inner, top + 4));
    }
}
