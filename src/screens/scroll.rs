//! A scrolled column of wrapped lines with a scrollbar: the history, the
//! diff and the inbox use it.

use std::cell::Cell;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Scrollbar, ScrollbarOrientation, ScrollbarState};

use crate::tui::action::Action;

/// The scroll keys, in help order.
pub const KEYS: [Action; 6] = [
    Action::Down,
    Action::Up,
    Action::PageDown,
    Action::PageUp,
    Action::Home,
    Action::End,
];

#[derive(Debug)]
pub struct Scroller {
    pub offset: usize,
    max: Cell<usize>,
    page: Cell<usize>,
}

impl Default for Scroller {
    fn default() -> Self {
        Self {
            offset: 0,
            max: Cell::new(usize::MAX),
            page: Cell::new(10),
        }
    }
}

impl Scroller {
    /// Moves for a scroll key; false for any other action.
    pub fn handle(&mut self, action: Action) -> bool {
        let (max, page) = (self.max.get(), self.page.get());
        self.offset = match action {
            Action::Down => (self.offset + 1).min(max),
            Action::Up => self.offset.saturating_sub(1),
            Action::PageDown => (self.offset + page).min(max),
            Action::PageUp => self.offset.saturating_sub(page),
            Action::Home => 0,
            Action::End => max,
            _ => return false,
        };
        true
    }

    /// Draws `lines` in `area`, one column kept for the scrollbar.
    pub fn render(&self, f: &mut Frame, area: Rect, lines: Vec<Line<'static>>) {
        let text = Rect {
            width: area.width.saturating_sub(1),
            ..area
        };
        let h = text.height as usize;
        self.page.set(h.saturating_sub(1).max(1));
        let n = lines.len();
        let max = n.saturating_sub(h);
        self.max.set(max);
        let offset = self.offset.min(max);
        f.render_widget(
            Paragraph::new(lines).scroll((u16::try_from(offset).unwrap_or(u16::MAX), 0)),
            text,
        );
        if n > h {
            let mut st = ScrollbarState::new(max).position(offset);
            f.render_stateful_widget(
                Scrollbar::new(ScrollbarOrientation::VerticalRight)
                    .begin_symbol(None)
                    .end_symbol(None),
                area,
                &mut st,
            );
        }
    }
}
