//! Windows over a screen: the key help, the sign-in form, the workflow
//! actions, the expert's vote and the message log.

pub mod act;
pub mod help;
pub mod login;
pub mod messages;
pub mod register;
pub mod vote;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::{Block, Borders, Clear};

use crate::tui::theme::Theme;

/// A bordered window of at most `w`×`h` centred in `area`, cleared, with a
/// title and the keys at the bottom; returns its inside.
pub fn window(
    f: &mut Frame,
    area: Rect,
    (w, h): (u16, u16),
    theme: &Theme,
    title: &str,
    keys: &str,
) -> Rect {
    let r = centred(area, w, h);
    f.render_widget(Clear, r);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border_focus)
        .title(Span::styled(format!(" {title} "), theme.title))
        .title_bottom(Span::styled(format!(" {keys} "), theme.muted));
    let inner = block.inner(r);
    f.render_widget(block, r);
    inner
}

/// The part of `inner` below its first `top` rows.
pub fn below(inner: Rect, top: u16) -> Rect {
    Rect {
        y: inner.y + top.min(inner.height),
        height: inner.height.saturating_sub(top),
        ..inner
    }
}

/// Puts the terminal cursor at column `x`, row `y` of `inner`, if inside.
pub fn cursor_at(f: &mut Frame, inner: Rect, x: usize, y: usize) {
    if y < inner.height as usize {
        f.set_cursor_position((
            inner.x
                + u16::try_from(x)
                    .unwrap_or(0)
                    .min(inner.width.saturating_sub(1)),
            inner.y + u16::try_from(y).unwrap_or(0),
        ));
    }
}

/// A rectangle of at most `w`×`h` centred in `area`.
pub fn centred(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}
