//! The one form widget of the workstation's windows: labelled fields of a
//! few kinds, each with its editing keys, drawn one under another.
//!
//! - a **line** of text (a login, a path typed by hand);
//! - a **text**: wrapped at words, `Ctrl-j` (or `Alt-Enter`) starts a new
//!   line, since `Enter` runs the form;
//! - a **path** to a file: `Tab` completes it (shown below it when several
//!   names fit), and goes on to the next field once nothing is left to add;
//! - a **date**: ДД.ММ.ГГГГ or ГГГГ-ММ-ДД, checked as it is typed;
//! - a **choice** of named options: `←`/`→` (or `↑`/`↓`) step through them,
//!   letters jump to the first option beginning with them. The caller reads
//!   back the option's code and turns it into its own type.
//!
//! `Tab`/`Shift-Tab` move between fields; the caller runs the form on
//! `Enter`, which is also the confirmation of what the form does.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui_textarea::{CursorMove, TextArea, WrapMode};

use super::RenderCx;
use crate::tui::ui::truncate;

/// What a form says when `Esc` would drop what was typed into it.
/// The commands of a window holding a form: run it, move between its
/// fields, close it.
pub const FORM_COMMANDS: [crate::tui::action::Action; 4] = [
    crate::tui::action::Action::Submit,
    crate::tui::action::Action::NextField,
    crate::tui::action::Action::PrevField,
    crate::tui::action::Action::Back,
];

/// The commands while typing a search line: keep it, or drop it.
pub const TYPING_COMMANDS: [crate::tui::action::Action; 2] = [
    crate::tui::action::Action::Submit,
    crate::tui::action::Action::Back,
];

/// A key typed into a one-line search: a character added, Backspace
/// removes one. Whether the text changed.
pub fn type_into(text: &mut String, key: KeyEvent) -> bool {
    match key.code {
        KeyCode::Char(c) => text.push(c),
        KeyCode::Backspace => {
            if text.pop().is_none() {
                return false;
            }
        }
        _ => return false,
    }
    true
}

pub const LEAVE_ASK: &str =
    "Введённое не сохранится. Esc — закрыть без него, любая другая клавиша — продолжить.";

impl Form {
    /// The keys this form's fields handle themselves, for the help: only
    /// those of the kinds of field it has.
    pub fn keys(&self) -> Vec<(&'static str, &'static str)> {
        let has = |f: fn(&Value) -> bool| self.fields.iter().any(|x| f(&x.value));
        let mut out = Vec::new();
        if has(|v| matches!(v, Value::Choice { .. })) {
            out.push(("←/→", "Выбрать вариант; буква — к варианту на неё"));
        }
        if has(|v| matches!(v, Value::Path { .. })) {
            out.push((
                "Tab",
                "В пути к файлу: дополнить имя, затем к следующему полю",
            ));
        }
        if has(|v| matches!(v, Value::Text(_))) {
            out.push(("Ctrl-j", "Новая строка в многострочном поле"));
        }
        if has(|v| matches!(v, Value::Check(_))) {
            out.push(("Пробел", "Отметить подтверждение"));
        }
        out
    }
}

pub enum Value {
    Line(TextArea<'static>),
    Text(TextArea<'static>),
    Path {
        area: TextArea<'static>,
        /// The names that fit when `Tab` could not choose one.
        candidates: Vec<String>,
    },
    Date(TextArea<'static>),
    Choice {
        /// (code, name) of each option.
        options: Vec<(String, String)>,
        selected: usize,
        /// Shown when there are no options.
        none: String,
    },
    /// A confirmation: `Space` ticks it.
    Check(bool),
}

pub struct Field {
    pub label: String,
    pub value: Value,
}

fn area(text: &str) -> TextArea<'static> {
    let mut a = TextArea::new(vec![text.to_owned()]);
    a.set_cursor_line_style(ratatui::style::Style::default());
    a.move_cursor(CursorMove::End);
    a
}

impl Field {
    pub fn line(label: &str) -> Self {
        Self {
            label: label.to_owned(),
            value: Value::Line(area("")),
        }
    }

    /// A line whose text is shown as dots: a password.
    pub fn secret(label: &str) -> Self {
        let mut a = area("");
        a.set_mask_char('•');
        Self {
            label: label.to_owned(),
            value: Value::Line(a),
        }
    }

    pub fn text(label: &str) -> Self {
        let mut a = area("");
        a.set_wrap_mode(WrapMode::WordOrGlyph);
        Self {
            label: label.to_owned(),
            value: Value::Text(a),
        }
    }

    pub fn path(label: &str) -> Self {
        Self {
            label: label.to_owned(),
            value: Value::Path {
                area: area(""),
                candidates: Vec::new(),
            },
        }
    }

    pub fn date(label: &str) -> Self {
        Self {
            label: label.to_owned(),
            value: Value::Date(area("")),
        }
    }

    /// A choice of `options` (code, name), the first chosen; `none` is
    /// shown when there is nothing to choose from.
    pub fn choice(label: &str, options: Vec<(String, String)>, none: &str) -> Self {
        Self {
            label: label.to_owned(),
            value: Value::Choice {
                options,
                selected: 0,
                none: none.to_owned(),
            },
        }
    }

    /// A confirmation to tick with `Space`.
    pub fn check(label: &str) -> Self {
        Self {
            label: label.to_owned(),
            value: Value::Check(false),
        }
    }

    /// Whether a confirmation is ticked.
    /// The field with `text` in it already.
    #[must_use]
    pub fn filled(mut self, text: &str) -> Self {
        if let Value::Line(a) | Value::Text(a) | Value::Date(a) | Value::Path { area: a, .. } =
            &mut self.value
        {
            let wrap = a.wrap_mode();
            let mut b = area(text);
            b.set_wrap_mode(wrap);
            *a = b;
        }
        self
    }

    /// The choice with the option `code` chosen, if there is one.
    #[must_use]
    pub fn chosen(mut self, code: &str) -> Self {
        if let Value::Choice {
            options, selected, ..
        } = &mut self.value
            && let Some(i) = options.iter().position(|(c, _)| c == code)
        {
            *selected = i;
        }
        self
    }

    /// The confirmation ticked or not.
    #[must_use]
    pub fn ticked(mut self, on: bool) -> Self {
        if let Value::Check(v) = &mut self.value {
            *v = on;
        }
        self
    }

    pub fn checked(&self) -> bool {
        matches!(self.value, Value::Check(true))
    }

    fn area(&self) -> Option<&TextArea<'static>> {
        match &self.value {
            Value::Line(a) | Value::Text(a) | Value::Date(a) | Value::Path { area: a, .. } => {
                Some(a)
            }
            Value::Choice { .. } | Value::Check(_) => None,
        }
    }

    /// The text typed, trimmed (lines of a text joined by line breaks), or
    /// the code of the option chosen.
    pub fn value(&self) -> String {
        match &self.value {
            Value::Choice {
                options, selected, ..
            } => options
                .get(*selected)
                .map(|(c, _)| c.clone())
                .unwrap_or_default(),
            _ => self
                .area()
                .map(|a| a.lines().join("\n").trim().to_owned())
                .unwrap_or_default(),
        }
    }

    /// What is wrong with the value as typed, shown under the field.
    pub fn problem(&self) -> Option<String> {
        match &self.value {
            Value::Date(_) => {
                let v = self.value();
                (!v.is_empty() && crate::domain::calendar::parse_date(&v).is_none())
                    .then(|| crate::domain::calendar::not_a_date(&v))
            }
            _ => None,
        }
    }
}

#[derive(Default)]
pub struct Form {
    pub fields: Vec<Field>,
    pub focus: usize,
    /// `Esc` was pressed once with something typed: the next one leaves.
    asked: bool,
    /// The texts the fields started with (a form filled in advance).
    start: Vec<String>,
}

/// What a command does in a form's window ([`Form::step`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Stay,
    /// `Enter`: the window runs the form.
    Run,
    /// `Esc`, with nothing typed or asked once already.
    Close,
}

impl Form {
    /// A command in the form's window: `Tab`/`Shift-Tab` move between the
    /// fields, `Enter` runs the form, `Esc` closes it — with something
    /// typed, only after [`LEAVE_ASK`] was put in `said`. While the window
    /// is `busy` waiting for an answer, only `Esc` does something.
    pub fn step(
        &mut self,
        action: crate::tui::action::Action,
        said: &mut Option<(String, bool)>,
        busy: bool,
    ) -> Step {
        use crate::tui::action::Action;
        if busy {
            return if action == Action::Back {
                Step::Close
            } else {
                Step::Stay
            };
        }
        match action {
            Action::NextField => self.next(),
            Action::PrevField => self.prev(),
            Action::Submit => return Step::Run,
            Action::Back if self.may_leave() => return Step::Close,
            Action::Back => *said = Some((LEAVE_ASK.to_owned(), true)),
            _ => {}
        }
        Step::Stay
    }

    /// A key typed into the form's window: what was said no longer stands;
    /// nothing is typed while it waits for an answer.
    pub fn type_key(&mut self, key: KeyEvent, said: &mut Option<(String, bool)>, busy: bool) {
        if !busy {
            *said = None;
            self.input(key);
        }
    }

    pub fn new(fields: Vec<Field>) -> Self {
        // A confirmation's start is whether it was ticked.
        let start = fields
            .iter()
            .map(|f| {
                if f.checked() {
                    "✓".to_owned()
                } else {
                    f.value()
                }
            })
            .collect();
        Self {
            fields,
            focus: 0,
            asked: false,
            start,
        }
    }

    /// `Esc`: whether the form may close now. With something typed it asks
    /// first ([`LEAVE_ASK`]); a second `Esc` leaves, any other key goes on.
    pub fn may_leave(&mut self) -> bool {
        if self.typed() && !self.asked {
            self.asked = true;
            return false;
        }
        true
    }

    /// The value of the field labelled `label` (see [`Field::value`]).
    pub fn value(&self, label: &str) -> String {
        self.fields
            .iter()
            .find(|f| f.label == label)
            .map(Field::value)
            .unwrap_or_default()
    }

    /// Whether anything was typed or ticked in the form (choices do not
    /// count): leaving it then asks first.
    pub fn typed(&self) -> bool {
        self.fields.iter().zip(&self.start).any(|(f, was)| {
            (f.area().is_some() && f.value() != *was)
                || (matches!(f.value, Value::Check(_)) && f.checked() != (was == "✓"))
        })
    }

    pub fn focused(&self) -> Option<&Field> {
        self.fields.get(self.focus)
    }

    pub fn prev(&mut self) {
        self.asked = false;
        if !self.fields.is_empty() {
            self.focus = (self.focus + self.fields.len() - 1) % self.fields.len();
        }
    }

    /// `Tab`: in a path, completes it while there is something to add;
    /// else to the next field.
    pub fn next(&mut self) {
        self.asked = false;
        if let Some(Field {
            value: Value::Path {
                area: a,
                candidates,
            },
            ..
        }) = self.fields.get_mut(self.focus)
        {
            let typed = a.lines().join("");
            if !typed.trim().is_empty() {
                let (done, more) = complete_path(&typed);
                if done != typed || (more.len() > 1 && *candidates != more) {
                    *a = area(&done);
                    *candidates = more;
                    return;
                }
            }
            candidates.clear();
        }
        if !self.fields.is_empty() {
            self.focus = (self.focus + 1) % self.fields.len();
        }
    }

    /// A key typed into the focused field.
    pub fn input(&mut self, key: KeyEvent) {
        self.asked = false;
        let Some(field) = self.fields.get_mut(self.focus) else {
            return;
        };
        match &mut field.value {
            Value::Choice {
                options, selected, ..
            } => {
                let n = options.len();
                if n == 0 {
                    return;
                }
                match key.code {
                    KeyCode::Right | KeyCode::Down => *selected = (*selected + 1) % n,
                    KeyCode::Left | KeyCode::Up => *selected = (*selected + n - 1) % n,
                    KeyCode::Char(c) if c.is_alphanumeric() => {
                        let c = c.to_lowercase().to_string();
                        // The next option after this one beginning with it.
                        if let Some(k) = (1..=n)
                            .map(|k| (*selected + k) % n)
                            .find(|&k| options[k].1.to_lowercase().starts_with(&c))
                        {
                            *selected = k;
                        }
                    }
                    _ => {}
                }
            }
            Value::Text(a) => {
                let alt = key.modifiers.contains(KeyModifiers::ALT);
                let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
                match key.code {
                    KeyCode::Char('j') if ctrl => a.insert_newline(),
                    KeyCode::Enter if alt => a.insert_newline(),
                    KeyCode::Enter => {}
                    _ => {
                        a.input(key);
                    }
                }
            }
            Value::Check(c) => {
                if key.code == KeyCode::Char(' ') {
                    *c = !*c;
                }
            }
            Value::Path {
                area: a,
                candidates,
            } => {
                a.input(key);
                super::keep_one_line(a, "");
                candidates.clear();
            }
            Value::Line(a) | Value::Date(a) => {
                a.input(key);
                super::keep_one_line(a, " ");
            }
        }
    }

    /// Height of the fields drawn `width` wide.
    pub fn height(&self, width: u16) -> u16 {
        let w = width.saturating_sub(2).max(1);
        self.fields
            .iter()
            .enumerate()
            .map(|(i, f)| {
                label_lines(f, width).len() as u16
                    + self.rows(i, f, w)
                    + u16::from(f.problem().is_some())
            })
            .sum()
    }

    fn rows(&self, i: usize, f: &Field, width: u16) -> u16 {
        match &f.value {
            Value::Text(a) => {
                let n: usize = a
                    .lines()
                    .iter()
                    .map(|l| textwrap::wrap(l, width.max(1) as usize).len().max(1))
                    .sum();
                u16::try_from(n).unwrap_or(u16::MAX).clamp(1, 4)
            }
            Value::Path { candidates, .. } if i == self.focus => {
                1 + u16::try_from(candidates.len().min(4)).unwrap_or(4)
            }
            Value::Choice { .. } => {
                let n = textwrap::wrap(&choice_text(&f.value), width.max(1) as usize).len();
                u16::try_from(n).unwrap_or(u16::MAX).clamp(1, 3)
            }
            _ => 1,
        }
    }

    /// Draws the fields into `area`, from its top.
    pub fn render(&self, f: &mut Frame, area: Rect, cx: &RenderCx<'_>) {
        self.render_from(f, area, cx, 0);
    }

    /// Draws the fields from the `first` on: a long form keeps the field
    /// in focus in view.
    pub fn render_from(&self, f: &mut Frame, area: Rect, cx: &RenderCx<'_>, first: usize) {
        let t = cx.theme;
        let w = area.width.saturating_sub(2);
        let mut y = area.y;
        let bottom = area.y + area.height;
        for (i, field) in self.fields.iter().enumerate().skip(first) {
            if y >= bottom {
                break;
            }
            let focus = i == self.focus;
            let style = if focus { t.border_focus } else { t.label };
            // The label whole: a confirmation can be a sentence.
            for l in label_lines(field, area.width) {
                if y >= bottom {
                    break;
                }
                f.render_widget(
                    Paragraph::new(Span::styled(l, style)),
                    Rect::new(area.x, y, area.width, 1),
                );
                y += 1;
            }
            let rows = self.rows(i, field, w).min(bottom.saturating_sub(y));
            let r = Rect::new(area.x + 2, y, w, rows);
            match &field.value {
                Value::Check(c) => {
                    let text = if *c {
                        "[x] да"
                    } else {
                        "[ ] нет (Пробел — отметить)"
                    };
                    let style = if focus { t.selected } else { t.text };
                    f.render_widget(Paragraph::new(Span::styled(text, style)), r);
                }
                Value::Choice { .. } => {
                    // The option whole, wrapped: names can be long.
                    let style = if focus { t.selected } else { t.text };
                    let lines: Vec<Line> =
                        textwrap::wrap(&choice_text(&field.value), w.max(1) as usize)
                            .into_iter()
                            .take(r.height as usize)
                            .map(|l| Line::from(Span::styled(l.into_owned(), style)))
                            .collect();
                    f.render_widget(Paragraph::new(lines), r);
                }
                Value::Path {
                    area: a,
                    candidates,
                } => {
                    let line = Rect { height: 1, ..r };
                    self.text_row(f, line, a, focus, cx);
                    if focus {
                        let names: Vec<Line> = candidates
                            .iter()
                            .take(r.height.saturating_sub(1) as usize)
                            .map(|c| Line::from(Span::styled(truncate(c, w as usize), t.muted)))
                            .collect();
                        f.render_widget(
                            Paragraph::new(names),
                            Rect {
                                y: r.y + 1,
                                height: r.height.saturating_sub(1),
                                ..r
                            },
                        );
                    }
                }
                Value::Text(a) => {
                    if focus {
                        f.render_widget(a, r);
                    } else {
                        let lines: Vec<Line> = a
                            .lines()
                            .iter()
                            .flat_map(|l| textwrap::wrap(l, w.max(1) as usize))
                            .take(r.height as usize)
                            .map(|l| Line::from(Span::styled(l.into_owned(), t.text)))
                            .collect();
                        f.render_widget(Paragraph::new(lines), r);
                    }
                }
                Value::Line(a) | Value::Date(a) => self.text_row(f, r, a, focus, cx),
            }
            y += rows;
            if let Some(p) = field.problem()
                && y < bottom
            {
                f.render_widget(
                    Paragraph::new(Span::styled(truncate(&p, w as usize), t.error)),
                    Rect::new(area.x + 2, y, w, 1),
                );
                y += 1;
            }
        }
    }

    /// One line of text: the focused one with its cursor, scrolled to it.
    #[allow(clippy::unused_self)] // one drawing path for the form's texts
    fn text_row(
        &self,
        f: &mut Frame,
        r: Rect,
        a: &TextArea<'static>,
        focus: bool,
        cx: &RenderCx<'_>,
    ) {
        if focus {
            f.render_widget(a, r);
        } else {
            let text = a.lines().join(" ");
            f.render_widget(
                Paragraph::new(Span::styled(
                    truncate(&text, r.width as usize),
                    cx.theme.text,
                )),
                r,
            );
        }
    }
}

/// A field's label as drawn `width` wide: wrapped, ending with a colon.
fn label_lines(f: &Field, width: u16) -> Vec<String> {
    crate::tui::ui::wrap(&format!("{}:", f.label), width as usize, " ", " ")
}

/// A choice as shown: the option chosen, with where it is among them.
fn choice_text(v: &Value) -> String {
    let Value::Choice {
        options,
        selected,
        none,
    } = v
    else {
        return String::new();
    };
    match options.get(*selected) {
        Some((_, name)) if options.len() > 1 => {
            format!("‹ {name} › {}/{}", selected + 1, options.len())
        }
        Some((_, name)) => name.clone(),
        None => none.clone(),
    }
}

fn expand_home(s: &str) -> String {
    match (s.strip_prefix("~/"), std::env::var("HOME")) {
        (Some(rest), Ok(home)) => format!("{home}/{rest}"),
        _ => s.to_owned(),
    }
}

thread_local! {
    /// A session served over SSH: the directory its paths are read in.
    static ROOT: std::cell::RefCell<Option<std::path::PathBuf>> =
        const { std::cell::RefCell::new(None) };
}

/// Runs `f` (a key's work) with every path typed read inside `root`: a
/// session served over SSH sees no other directory of the server.
pub fn files_within<T>(root: Option<&std::path::Path>, f: impl FnOnce() -> T) -> T {
    let before = ROOT.with(|r| r.replace(root.map(std::path::Path::to_path_buf)));
    let out = f();
    ROOT.with(|r| *r.borrow_mut() = before);
    out
}

fn root() -> Option<std::path::PathBuf> {
    ROOT.with(|r| r.borrow().clone())
}

/// A path as typed, `~/` expanded; inside the session's directory when
/// served over SSH ([`files_within`]).
pub fn path_of(typed: &str) -> String {
    match root() {
        Some(r) => crate::service::practice::within(&r, typed),
        None => expand_home(typed.trim()),
    }
}

/// A message about files as the user sees them: over SSH, paths inside
/// their directory and where a missing file comes from.
pub fn shown(text: &str) -> String {
    match root() {
        Some(r) => crate::service::practice::in_own_files(text, &r),
        None => text.to_owned(),
    }
}

/// Tab completion of a path: the completed text and, when several names
/// fit, the candidates. Over SSH, inside the session's directory, the text
/// staying relative to it.
pub fn complete_path(input: &str) -> (String, Vec<String>) {
    let Some(r) = root() else {
        return complete_in(input);
    };
    let base = format!("{}/", r.display());
    let mut full = crate::service::practice::within(&r, input);
    if input.ends_with('/') || full.len() < base.len() {
        full.push('/');
    }
    let (done, candidates) = complete_in(&full);
    match done.strip_prefix(&base) {
        Some(rel) => (rel.to_owned(), candidates),
        None => (input.to_owned(), Vec::new()),
    }
}

fn complete_in(input: &str) -> (String, Vec<String>) {
    let expanded = expand_home(input);
    let (dir, prefix) = match expanded.rfind('/') {
        Some(i) => (expanded[..=i].to_owned(), expanded[i + 1..].to_owned()),
        None => (String::new(), expanded.clone()),
    };
    let read = if dir.is_empty() { "." } else { dir.as_str() };
    let Ok(entries) = std::fs::read_dir(read) else {
        return (input.to_owned(), Vec::new());
    };
    let mut names: Vec<String> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            if !name.starts_with(&prefix) || (name.starts_with('.') && !prefix.starts_with('.')) {
                return None;
            }
            let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
            Some(if is_dir { format!("{name}/") } else { name })
        })
        .collect();
    names.sort();
    match names.as_slice() {
        [] => (input.to_owned(), Vec::new()),
        [one] => (format!("{dir}{one}"), Vec::new()),
        many => {
            let first = &many[0];
            let mut common = first.len();
            for n in &many[1..] {
                common = common.min(
                    first
                        .char_indices()
                        .zip(n.chars())
                        .take_while(|((_, a), b)| a == b)
                        .last()
                        .map_or(0, |((i, a), _)| i + a.len_utf8()),
                );
            }
            (format!("{dir}{}", &first[..common]), many.to_vec())
        }
    }
}

#[cfg(test)]
#[path = "form_tests.rs"]
mod tests;
