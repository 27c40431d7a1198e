//! The editor's team search window: a name, then a registered user to add
//! to the team.

use ratatui_textarea::TextArea;

use super::Editor;
use super::form::{Key, Kind, lines_of};
use crate::domain::passport::Field;
use crate::screens::Effect;
use crate::tui::action::Action;

/// The team search window: a name, then a registered user to add.
#[derive(Default)]
pub struct FindUser {
    pub input: TextArea<'static>,
    pub tag: u64,
    pub users: Vec<(String, String, String, bool)>,
    pub cursor: usize,
}

impl Editor {
    pub(super) fn find_action(&mut self, action: Action) -> Vec<Effect> {
        let Some(fu) = &mut self.find else {
            return Vec::new();
        };
        match action {
            Action::Up => fu.cursor = fu.cursor.saturating_sub(1),
            Action::Down => fu.cursor = (fu.cursor + 1).min(fu.users.len().saturating_sub(1)),
            Action::Submit => {
                let Some((login, name, ..)) = fu.users.get(fu.cursor).cloned() else {
                    return Vec::new();
                };
                self.find = None;
                if let Some(i) = self.items.iter().position(|i| i.key == Key::Team) {
                    self.focus = i;
                    if let Kind::Text { area, undo, .. } = &mut self.items[i].kind {
                        let before = super::undo::Snapshot::of(area);
                        let known = lines_of(area)
                            .iter()
                            .any(|l| l.trim_end_matches('*').trim() == login);
                        if known {
                            return vec![Effect::Message(format!(
                                "{name} ({login}) уже в команде (P-19)."
                            ))];
                        }
                        area.move_cursor(ratatui_textarea::CursorMove::Bottom);
                        area.move_cursor(ratatui_textarea::CursorMove::End);
                        if !area.lines().last().is_none_or(String::is_empty) {
                            area.insert_newline();
                        }
                        area.insert_str(&login);
                        undo.record(before, super::undo::Class::Other);
                    }
                    self.touched(Field::P19);
                    return vec![Effect::Message(format!(
                        "{name} ({login}) добавлен(а) в команду (P-19). Ctrl-z — убрать."
                    ))];
                }
            }
            _ => self.find = None,
        }
        Vec::new()
    }
}
