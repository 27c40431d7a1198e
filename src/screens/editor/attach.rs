//! The editor's attach window: a path or link with Tab completion, then
//! the kind of the attachment.

use ratatui_textarea::TextArea;

use super::Editor;
use crate::screens::Effect;
use crate::tui::action::Action;
use crate::tui::worker::Request;

/// The attach window of the editor.
#[derive(Default)]
pub struct AttachPrompt {
    pub input: TextArea<'static>,
    /// `Some` once the path is given and the kind is being chosen.
    pub kind_cursor: Option<usize>,
    pub candidates: Vec<String>,
    /// Why the path given cannot be attached, until it is changed.
    pub error: Option<String>,
}

fn expand_home(s: &str) -> String {
    match (s.strip_prefix("~/"), std::env::var("HOME")) {
        (Some(rest), Ok(home)) => format!("{home}/{rest}"),
        _ => s.to_owned(),
    }
}

/// Tab completion of a path: the completed text and, when several names
/// fit, the candidates.
pub fn complete_path(input: &str) -> (String, Vec<String>) {
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

impl Editor {
    pub(super) fn attach_action(&mut self, action: Action) -> Vec<Effect> {
        let Some(a) = &mut self.attach else {
            return Vec::new();
        };
        let kinds = crate::service::practice::attachment_kinds();
        match (a.kind_cursor, action) {
            (_, Action::Back) => self.attach = None,
            (None, Action::NextField) => {
                let text = a.input.lines().join("");
                let (done, candidates) = complete_path(&text);
                a.input = TextArea::new(vec![done]);
                a.input.move_cursor(ratatui_textarea::CursorMove::End);
                a.candidates = candidates;
            }
            (None, Action::Submit) if !a.input.lines().join("").trim().is_empty() => {
                // The path is checked before the kind is asked for.
                let source = expand_home(a.input.lines().join("").trim());
                match crate::service::practice::check_source(&source) {
                    Ok(_) => a.kind_cursor = Some(0),
                    Err(e) => a.error = Some(e),
                }
            }
            (Some(c), Action::Up) => a.kind_cursor = Some(c.saturating_sub(1)),
            (Some(c), Action::Down) => a.kind_cursor = Some((c + 1).min(kinds.len() - 1)),
            (Some(c), Action::Submit) => {
                let source = expand_home(a.input.lines().join("").trim());
                let kind = kinds[c].0.to_owned();
                self.attach = None;
                self.saving = true;
                return vec![Effect::Send(Request::AttachDraft {
                    user: Box::new(self.user.clone()),
                    id: self.id,
                    source,
                    kind,
                })];
            }
            _ => {}
        }
        Vec::new()
    }
}
