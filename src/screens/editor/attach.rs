//! The editor's attach window: a path or link with Tab completion, then
//! the kind of the attachment.

use ratatui_textarea::TextArea;

use super::Editor;
use crate::screens::Effect;
use crate::screens::form::{self, complete_path, path_of};
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
                let source = path_of(&a.input.lines().join(""));
                match crate::service::practice::check_source(&source) {
                    Ok(_) => a.kind_cursor = Some(0),
                    // The screen adds what it offers: completion.
                    Err(e) => {
                        a.error = Some(format!("{} Tab дополнит имя.", form::shown(&e)));
                    }
                }
            }
            (Some(c), Action::Up) => a.kind_cursor = Some(c.saturating_sub(1)),
            (Some(c), Action::Down) => a.kind_cursor = Some((c + 1).min(kinds.len() - 1)),
            (Some(c), Action::Submit) => {
                let source = path_of(&a.input.lines().join(""));
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
