//! The passport editor: every field the author fills (P-1…P-21, P-23,
//! P-24), with live counters and the rules' messages beside each field.
//! Drafts save themselves half a second after the last keystroke; every
//! save is a revision.
//!
//! Lists are edited one item per line: tasks, plan steps, other regions,
//! rating indicators, team members (`login` or e-mail, `*` marks the
//! mentor); rows of results and partners separate their columns with `;`.

mod attach;
mod form;
mod render;
mod team;
mod undo;

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;

pub use attach::AttachPrompt;
pub use form::Key;
use form::{Item, Kind, attachments_text};
pub use team::FindUser;

use super::{Effect, RenderCx, Screen};
use crate::domain::passport::Field;
use crate::domain::refdata::refdata;
use crate::domain::rules::{self, Finding, Severity};
use crate::domain::user::{Profile, UserId};
use crate::domain::{Passport, PracticeId, User};
use crate::tui::action::Action;
use crate::tui::worker::{Reply, Request};

/// Every action the editor may offer, for the clash check.
pub const COMMAND_SET: [Action; 15] = [
    Action::Attach,
    Action::NextProblem,
    Action::FindUser,
    Action::NextField,
    Action::PrevField,
    Action::Save,
    Action::SubmitPractice,
    Action::Back,
    Action::Help,
    Action::Toggle,
    Action::Open,
    Action::Up,
    Action::Down,
    Action::Redraw,
    Action::Login,
];

/// How long after the last keystroke a draft is saved.
pub const AUTOSAVE_AFTER: Duration = Duration::from_millis(500);

pub struct Editor {
    pub id: PracticeId,
    user: User,
    /// Where the practice stands: a draft, returned for revision, or being
    /// actualised — the header says which, and what F9 does.
    pub stage: Stage,
    items: Vec<Item>,
    pub focus: usize,
    top: std::cell::Cell<usize>,
    /// The passport as last saved, for the fields the form does not edit.
    base: Passport,
    profiles: Vec<(UserId, Profile)>,
    pub findings: Vec<Finding>,
    /// When the first unsaved change was made.
    pub dirty_since: Option<Instant>,
    last_key: Option<Instant>,
    saving: bool,
    /// What waits for the save in flight: submitting, or closing. A refused
    /// save (a passport being actualised must keep to the rules) cancels
    /// it, and the edits stay in the form, unsaved.
    pub(super) after_save: Option<Action>,
    /// A save on leaving was refused: leaving again drops the edits.
    pub(super) leave_unsaved: bool,
    pub saved: Option<(u32, String)>,
    pub problems: Vec<String>,
    /// An open pick list: (item, cursor).
    picker: Option<(usize, usize)>,
    /// The reasons of a refused submission, shown in a window.
    pub refusal: Option<Vec<String>>,
    /// The first line of the refusal shown, when it is longer than the window.
    pub refusal_scroll: std::cell::Cell<usize>,
    /// The attach window: a path (or link) with Tab completion, then a kind.
    pub attach: Option<AttachPrompt>,
    /// The team search window.
    pub find: Option<FindUser>,
    year: i32,
}
impl Editor {
    /// The rule findings of some fields for the passport the form shows,
    /// with what the form could not read. The team is checked as last saved:
    /// its lines become members when the draft is saved.
    fn findings_for(&self, fields: &[Field]) -> Vec<Finding> {
        let (p, errs) = self.passport();
        let profiles = &self.profiles;
        let lookup = |id: UserId| {
            profiles
                .iter()
                .find(|(u, _)| *u == id)
                .map(|(_, p)| p.clone())
        };
        let cx = rules::Context {
            refdata: refdata(),
            year: self.year,
            level_required: false,
            profile: &lookup,
        };
        let mut out: Vec<Finding> = fields
            .iter()
            .flat_map(|f| rules::check_field(*f, &p, &cx))
            .collect();
        for (key, msg) in errs {
            let field = self.item(key).map_or(Field::P1, |i| i.field);
            if fields.contains(&field) {
                out.push(Finding {
                    field,
                    severity: Severity::Error,
                    message: msg,
                    part: self.item(key).and_then(|i| i.key.part()),
                });
            }
        }
        out
    }

    fn revalidate(&mut self) {
        let mut f = self.findings_for(&Field::ALL);
        f.sort_by_key(|x| x.field);
        self.findings = f;
    }

    /// A text of `field` changed: only the rules that read it run again
    /// (P-4 also reads the title), so typing in a long text stays light.
    fn touched(&mut self, field: Field) {
        let now = Instant::now();
        self.dirty_since.get_or_insert(now);
        self.last_key = Some(now);
        let mut fields = vec![field];
        if field == Field::P1 {
            fields.push(Field::P4);
        }
        let fresh = self.findings_for(&fields);
        self.findings.retain(|x| !fields.contains(&x.field));
        self.findings.extend(fresh);
        self.findings.sort_by_key(|x| x.field);
    }

    fn changed(&mut self) {
        let now = Instant::now();
        self.dirty_since.get_or_insert(now);
        self.last_key = Some(now);
        self.revalidate();
    }

    /// When the pending draft should be saved.
    pub fn deadline(&self) -> Option<Instant> {
        if self.saving {
            return None;
        }
        self.last_key
            .filter(|_| self.dirty_since.is_some())
            .map(|t| t + AUTOSAVE_AFTER)
    }

    fn submit(&self) -> Effect {
        Effect::Send(Request::SubmitDraft {
            user: Box::new(self.user.clone()),
            id: self.id,
        })
    }

    /// Saves now if anything changed.
    pub fn save(&mut self) -> Vec<Effect> {
        if self.dirty_since.is_none() || self.saving {
            return Vec::new();
        }
        self.saving = true;
        self.dirty_since = None;
        let (passport, _) = self.passport();
        vec![Effect::Send(Request::SaveDraft {
            user: Box::new(self.user.clone()),
            id: self.id,
            passport: Box::new(passport),
            team: self.lines(Key::Team),
        })]
    }

    /// Entering a text field puts the cursor after its text, so typing
    /// adds to it.
    fn cursor_to_end(&mut self) {
        if let Kind::Text { area, .. } = &mut self.items[self.focus].kind {
            area.move_cursor(ratatui_textarea::CursorMove::Bottom);
            area.move_cursor(ratatui_textarea::CursorMove::End);
        }
    }

    /// Focus on the next item below this one (round to the top) with an
    /// error under it; say so when there is none.
    fn next_problem(&mut self) -> Vec<Effect> {
        let n = self.items.len();
        let unconfirmed = |e: &Self, i: usize| {
            matches!(e.items[i].key, Key::Criterion(_)) && !e.checked(e.items[i].key)
        };
        let found = (1..=n).map(|k| (self.focus + k) % n).find(|&i| {
            unconfirmed(self, i)
                || self
                    .messages_for(i)
                    .iter()
                    .any(|f| f.severity == Severity::Error)
        });
        match found {
            Some(i) => {
                self.focus = i;
                self.cursor_to_end();
                Vec::new()
            }
            None => vec![Effect::Message("Полей с замечаниями (✗) нет.".to_owned())],
        }
    }

    fn focused_is_text(&self) -> bool {
        matches!(self.items[self.focus].kind, Kind::Text { .. })
    }

    fn messages_for(&self, idx: usize) -> Vec<&Finding> {
        // A message shows under the item of its part of the field, else
        // under the field's first item.
        let home = |f: &Finding| {
            f.part
                .and_then(|p| self.items.iter().position(|i| i.key.part() == Some(p)))
                .or_else(|| self.items.iter().position(|i| i.field == f.field))
        };
        self.findings
            .iter()
            .filter(|f| f.field == self.items[idx].field && home(f) == Some(idx))
            .collect()
    }

    /// What stands between the draft and its submission: the rules'
    /// errors, and the §2.1.5 criteria not confirmed (one remark).
    pub fn error_count(&self) -> usize {
        let unconfirmed =
            (0..crate::domain::passport::CRITERIA.len()).any(|i| !self.checked(Key::Criterion(i)));
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count()
            + usize::from(unconfirmed)
    }
}

/// The stage of the practice being edited, as the editor shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    pub status: crate::domain::PracticeStatus,
    /// Returned for revision: until when, and the comment of who returned it.
    pub returned: Option<(Option<chrono::NaiveDate>, String)>,
}

impl Stage {
    pub fn of(p: &crate::domain::Practice) -> Self {
        Self {
            status: p.status,
            returned: p.workflow.returned.as_ref().map(|r| {
                (
                    p.workflow.deadline.as_ref().map(|d| d.due),
                    r.comment.clone(),
                )
            }),
        }
    }

    /// The header's words: «черновик», «на доработке до 12.01.2026», …
    pub fn label(&self) -> String {
        match &self.returned {
            Some((Some(due), _)) => format!("на доработке до {}", due.format("%d.%m.%Y")),
            Some((None, _)) => "на доработке".to_owned(),
            None => self.status.name().to_lowercase(),
        }
    }

    /// What sending it on did, for the status bar.
    pub fn sent(&self, now: crate::domain::PracticeStatus) -> String {
        if self.status == crate::domain::PracticeStatus::Actualisation {
            format!("Актуализация завершена: «{}».", now.name())
        } else if self.returned.is_some() {
            format!("Практика отправлена после доработки: «{}».", now.name())
        } else {
            format!("Практика подана: «{}».", now.name())
        }
    }
}

impl Screen for Editor {
    fn own_keys(&self) -> Vec<(&'static str, &'static str)> {
        vec![
            ("Ctrl-z", "Отменить правку в поле (по словам)"),
            ("Ctrl-y", "Вернуть отменённую правку"),
            (
                "↑ ↓",
                "По строкам текста; с первой или последней — в соседнее поле",
            ),
            ("Ctrl-↑ Ctrl-↓", "К предыдущему или следующему абзацу"),
            ("Enter, Ctrl-j", "Новая строка в многострочном поле"),
            ("Пробел", "Отметить флажок; открыть список выбора"),
        ]
    }

    fn title(&self) -> String {
        "Редактор паспорта".to_owned()
    }

    fn commands(&self) -> Vec<Action> {
        if self.find.is_some() {
            return vec![Action::Up, Action::Down, Action::Submit, Action::Back];
        }
        if let Some(a) = &self.attach {
            return if a.kind_cursor.is_some() {
                vec![Action::Up, Action::Down, Action::Submit, Action::Back]
            } else {
                vec![Action::Submit, Action::NextField, Action::Back]
            };
        }
        if self.refusal.is_some() {
            return vec![
                Action::Back,
                Action::Submit,
                Action::Down,
                Action::Up,
                Action::PageDown,
                Action::PageUp,
            ];
        }
        if self.picker.is_some() {
            return vec![Action::Up, Action::Down, Action::Submit, Action::Back];
        }
        let mut v = vec![
            Action::NextField,
            Action::PrevField,
            Action::NextProblem,
            Action::Save,
            Action::SubmitPractice,
            Action::Attach,
            Action::FindUser,
            Action::Back,
            Action::Help,
        ];
        if !self.focused_is_text() {
            v.extend([Action::Toggle, Action::Open, Action::Up, Action::Down]);
        }
        v
    }

    fn hints(&self) -> Vec<Action> {
        vec![
            Action::NextField,
            Action::Save,
            Action::SubmitPractice,
            Action::Back,
        ]
    }

    fn text_input(&self) -> bool {
        if self.find.is_some() {
            return true;
        }
        if let Some(a) = &self.attach {
            return a.kind_cursor.is_none();
        }
        self.picker.is_none() && self.refusal.is_none() && self.focused_is_text()
    }

    fn handle(&mut self, action: Action) -> Vec<Effect> {
        if self.find.is_some() {
            return self.find_action(action);
        }
        if self.attach.is_some() {
            return self.attach_action(action);
        }
        if self.refusal.is_some() {
            let at = self.refusal_scroll.get();
            match action {
                Action::Down => self.refusal_scroll.set(at + 1),
                Action::Up => self.refusal_scroll.set(at.saturating_sub(1)),
                Action::PageDown => self.refusal_scroll.set(at + 10),
                Action::PageUp => self.refusal_scroll.set(at.saturating_sub(10)),
                _ => {
                    self.refusal = None;
                    self.refusal_scroll.set(0);
                }
            }
            return Vec::new();
        }
        if let Some((item, cursor)) = self.picker {
            let n = match &self.items[item].kind {
                Kind::Choice { options, .. } => options.len(),
                _ => 0,
            };
            match action {
                Action::Up => self.picker = Some((item, cursor.saturating_sub(1))),
                Action::Down => self.picker = Some((item, (cursor + 1).min(n.saturating_sub(1)))),
                Action::Submit => {
                    if let Kind::Choice { selected, .. } = &mut self.items[item].kind {
                        *selected = Some(cursor);
                    }
                    self.picker = None;
                    self.changed();
                }
                _ => self.picker = None,
            }
            return Vec::new();
        }
        match action {
            Action::NextField | Action::Down => {
                self.focus = (self.focus + 1) % self.items.len();
                self.cursor_to_end();
            }
            Action::PrevField | Action::Up => {
                self.focus = (self.focus + self.items.len() - 1) % self.items.len();
                self.cursor_to_end();
            }
            Action::Toggle | Action::Open => match &mut self.items[self.focus].kind {
                Kind::Check(c) => {
                    *c = !*c;
                    self.changed();
                }
                Kind::Choice { selected, .. } => {
                    self.picker = Some((self.focus, selected.unwrap_or(0)));
                }
                _ => {}
            },
            Action::Save => return self.save(),
            Action::NextProblem => return self.next_problem(),
            Action::Attach => {
                self.attach = Some(AttachPrompt::default());
                return self.save();
            }
            Action::FindUser => self.find = Some(FindUser::default()),
            Action::SubmitPractice => {
                let out = self.save();
                if out.is_empty() && !self.saving {
                    return vec![self.submit()];
                }
                self.after_save = Some(Action::SubmitPractice);
                return out;
            }
            Action::Back | Action::Quit => {
                if self.leave_unsaved {
                    return vec![Effect::Close, Effect::Refresh];
                }
                let out = self.save();
                if out.is_empty() && !self.saving {
                    return vec![Effect::Close, Effect::Refresh];
                }
                self.after_save = Some(Action::Back);
                return out;
            }
            _ => {}
        }
        Vec::new()
    }

    fn input(&mut self, key: KeyEvent) -> Vec<Effect> {
        if let Some(fu) = &mut self.find {
            if key.code == KeyCode::Enter {
                return Vec::new();
            }
            fu.input.input(key);
            fu.tag += 1;
            fu.cursor = 0;
            return vec![Effect::Send(Request::FindUsers {
                tag: fu.tag,
                text: fu.input.lines().join(""),
            })];
        }
        if let Some(a) = &mut self.attach {
            if key.code != KeyCode::Enter {
                a.input.input(key);
                a.candidates.clear();
                a.error = None;
            }
            return Vec::new();
        }
        let Kind::Text { area, lines, undo } = &mut self.items[self.focus].kind else {
            return Vec::new();
        };
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let plain = key.modifiers.is_empty();
        let changed = match key.code {
            KeyCode::Char('z') if ctrl => undo.undo(area),
            KeyCode::Char('y') if ctrl => undo.redo(area),
            KeyCode::Enter if !*lines => false,
            // ↑ on the first line on screen goes to the field above, ↓ on
            // the last to the one below; Ctrl-↑/↓ move by paragraphs.
            KeyCode::Up | KeyCode::Down if plain => {
                let at = area.cursor();
                area.input(key);
                undo.pause();
                if area.cursor() == at {
                    if key.code == KeyCode::Up {
                        return self.handle(Action::PrevField);
                    }
                    // Walking down a text: the next one from its top.
                    self.focus = (self.focus + 1) % self.items.len();
                    if let Kind::Text { area, .. } = &mut self.items[self.focus].kind {
                        area.move_cursor(ratatui_textarea::CursorMove::Top);
                        area.move_cursor(ratatui_textarea::CursorMove::Head);
                    }
                    return Vec::new();
                }
                false
            }
            // A new line, as in every form (the text area would cut the
            // line before the cursor).
            KeyCode::Char('j') if ctrl => {
                if *lines {
                    let before = undo::Snapshot::of(area);
                    area.insert_newline();
                    undo.record(before, undo::Class::Other);
                    true
                } else {
                    false
                }
            }
            _ => {
                let before = undo::Snapshot::of(area);
                let changed = area.input(key);
                if changed {
                    undo.record(before, undo::Class::of(&key));
                } else {
                    undo.pause();
                }
                changed
            }
        };
        if changed {
            let field = self.items[self.focus].field;
            self.touched(field);
        }
        Vec::new()
    }

    fn deadline(&self) -> Option<Instant> {
        Editor::deadline(self)
    }

    fn flush(&mut self) -> Vec<Effect> {
        self.save()
    }

    fn on_tick(&mut self, now: Instant) -> Vec<Effect> {
        match Editor::deadline(self) {
            Some(d) if d <= now => self.save(),
            _ => Vec::new(),
        }
    }

    fn on_reply(&mut self, reply: &Reply) -> Vec<Effect> {
        let mut effects = Vec::new();
        match reply {
            Reply::Users { tag, users } => {
                if let Some(fu) = &mut self.find
                    && *tag == fu.tag
                {
                    fu.users.clone_from(users);
                }
            }
            Reply::Saved { id, result } if *id == self.id => {
                self.saving = false;
                let mut refused = false;
                match result {
                    Ok(d) => {
                        self.base = d.practice.passport.clone();
                        self.profiles.clone_from(&d.profiles);
                        let at = d
                            .practice
                            .updated
                            .with_timezone(&chrono::Local)
                            .format("%H:%M:%S")
                            .to_string();
                        self.saved = Some((d.practice.revision, at));
                        self.problems.clear();
                        if let Some(i) = self.items.iter_mut().find(|i| i.key == Key::Attachments) {
                            i.kind = Kind::Info(attachments_text(&d.practice.passport));
                        }
                        self.leave_unsaved = false;
                        match self.after_save.take() {
                            Some(Action::SubmitPractice) => effects.push(self.submit()),
                            Some(_) => {
                                effects.extend([Effect::Close, Effect::Refresh]);
                            }
                            None => {}
                        }
                    }
                    Err(reasons) => {
                        // Not saved: the edits stay, unsaved, and nothing
                        // waits on them; no autosave until the next key.
                        refused = true;
                        if self.after_save.take() == Some(Action::Back) {
                            self.leave_unsaved = true;
                            effects.push(Effect::Error(
                                "Правки не сохранены: исправьте их или нажмите Esc ещё раз, чтобы выйти без них."
                                    .to_owned(),
                            ));
                        }
                        self.dirty_since.get_or_insert_with(Instant::now);
                        self.last_key = None;
                        self.problems.clone_from(reasons);
                        // Into the message log, whole.
                        effects.push(Effect::Log(format!("Не сохранено: {}", reasons.join("; "))));
                    }
                }
                self.revalidate();
                // Typing during the save: save again soon.
                if !refused && self.dirty_since.is_some() {
                    self.last_key = Some(Instant::now());
                }
            }
            Reply::Submitted { id, result } if *id == self.id => match result {
                Ok(status) => {
                    return vec![
                        Effect::Close,
                        Effect::Refresh,
                        Effect::Message(self.stage.sent(*status)),
                    ];
                }
                Err(reasons) => {
                    self.refusal = Some(reasons.clone());
                    self.refusal_scroll.set(0);
                    effects.push(Effect::Log(format!(
                        "Подать нельзя:\n— {}",
                        reasons.join("\n— ")
                    )));
                }
            },
            _ => {}
        }
        effects
    }

    fn render(&self, f: &mut Frame, area: Rect, cx: &RenderCx<'_>) {
        self.draw(f, area, cx);
    }
}

#[cfg(test)]
mod tests;
