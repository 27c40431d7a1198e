//! Windows over a screen: the key help, the sign-in form, the workflow
//! actions and the expert's vote.

pub mod act;
pub mod help;
pub mod login;
pub mod vote;

use ratatui::layout::Rect;

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
