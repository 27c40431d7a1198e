//! Undo in the editor's text fields by words: typing a word and the space
//! after it is one step, a run of deletions is one step, and so is every
//! other edit (a new line, a cut, a paste, a member added from the search).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::{CursorMove, TextArea};

/// How many steps back a field keeps.
const KEPT: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Class {
    Word,
    Space,
    Delete,
    Other,
}

impl Class {
    pub(super) fn of(key: &KeyEvent) -> Self {
        let plain = !key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        match key.code {
            KeyCode::Char(c) if plain && c.is_whitespace() => Self::Space,
            KeyCode::Char(_) if plain => Self::Word,
            KeyCode::Backspace | KeyCode::Delete if plain => Self::Delete,
            _ => Self::Other,
        }
    }
}

/// A field's text and cursor at some moment.
pub(super) struct Snapshot {
    lines: Vec<String>,
    cursor: (usize, usize),
}

impl Snapshot {
    pub(super) fn of(area: &TextArea<'_>) -> Self {
        let c = area.cursor();
        Self {
            lines: area.lines().to_vec(),
            cursor: (c.0, c.1),
        }
    }

    fn restore(self, area: &mut TextArea<'static>) {
        *area = super::form::area(&self.lines.join("\n"));
        let (row, col) = self.cursor;
        area.move_cursor(CursorMove::Jump(
            u16::try_from(row).unwrap_or(u16::MAX),
            u16::try_from(col).unwrap_or(u16::MAX),
        ));
    }
}

#[derive(Default)]
pub(super) struct Undo {
    past: Vec<Snapshot>,
    future: Vec<Snapshot>,
    last: Option<Class>,
}

impl Undo {
    /// An edit of `class` changed the text that was `before`: a new step
    /// starts unless it goes on with the word (or its space, or the
    /// deletions) of the last one.
    pub(super) fn record(&mut self, before: Snapshot, class: Class) {
        let goes_on = matches!(
            (self.last, class),
            (Some(Class::Word), Class::Word | Class::Space)
                | (Some(Class::Space), Class::Space)
                | (Some(Class::Delete), Class::Delete)
        );
        if !goes_on {
            self.past.push(before);
            if self.past.len() > KEPT {
                self.past.remove(0);
            }
        }
        self.future.clear();
        self.last = Some(class);
    }

    /// The cursor moved: the next edit starts a new step.
    pub(super) fn pause(&mut self) {
        self.last = None;
    }

    pub(super) fn undo(&mut self, area: &mut TextArea<'static>) -> bool {
        self.last = None;
        step(&mut self.past, &mut self.future, area)
    }

    pub(super) fn redo(&mut self, area: &mut TextArea<'static>) -> bool {
        self.last = None;
        step(&mut self.future, &mut self.past, area)
    }
}

/// Brings back the text last kept in `from`, keeping the one replaced in
/// `to`: an undo, or (the other way round) a redo.
fn step(from: &mut Vec<Snapshot>, to: &mut Vec<Snapshot>, area: &mut TextArea<'static>) -> bool {
    let Some(s) = from.pop() else {
        return false;
    };
    to.push(Snapshot::of(area));
    s.restore(area);
    true
}
