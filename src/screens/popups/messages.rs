//! `!`: the workstation's last messages in full — whatever the status bar
//! had to cut at the width of the terminal — newest first, scrollable.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::super::scroll::{KEYS, Scroller};
use super::super::{Effect, RenderCx, Screen};
use super::window;
use crate::tui::action::Action;

/// One message as it was shown: when, its text, whether it was an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logged {
    pub at: String,
    pub text: String,
    pub error: bool,
}

pub struct Messages {
    pub items: Vec<Logged>,
    scroll: Scroller,
}

impl Messages {
    /// The log, newest first.
    pub fn new(mut items: Vec<Logged>) -> Self {
        items.reverse();
        Self {
            items,
            scroll: Scroller::default(),
        }
    }
}

/// Wraps `text` to lines of at most `w` columns, at spaces where it can.
fn wrap(text: &str, w: usize) -> Vec<String> {
    use unicode_width::UnicodeWidthStr as _;
    let w = w.max(10);
    let mut out = Vec::new();
    for para in text.lines() {
        let mut line = String::new();
        for word in para.split(' ') {
            let sep = usize::from(!line.is_empty());
            if line.width() + sep + word.width() > w && !line.is_empty() {
                out.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            // A word longer than the line is cut into pieces.
            let mut rest = word;
            while rest.width() > w {
                let cut: String = rest.chars().take(w).collect();
                rest = &rest[cut.len()..];
                out.push(cut);
            }
            line.push_str(rest);
        }
        out.push(line);
    }
    out
}

impl Screen for Messages {
    fn is_overlay(&self) -> bool {
        true
    }

    fn title(&self) -> String {
        "Сообщения".to_owned()
    }

    fn commands(&self) -> Vec<Action> {
        let mut v = KEYS.to_vec();
        v.extend([Action::Back, Action::Messages]);
        v
    }

    fn handle(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Back | Action::Messages => vec![Effect::Close],
            a => {
                self.scroll.handle(a);
                Vec::new()
            }
        }
    }

    fn render(&self, f: &mut Frame, area: Rect, cx: &RenderCx<'_>) {
        let t = cx.theme;
        let inner = window(
            f,
            area,
            (area.width, area.height),
            t,
            "Сообщения",
            "↑/↓ — листать · Esc — закрыть",
        );
        let w = inner.width.saturating_sub(3) as usize;
        let mut lines: Vec<Line<'static>> = Vec::new();
        if self.items.is_empty() {
            lines.push(Line::from(Span::styled(
                " Сообщений пока не было.",
                t.muted,
            )));
        }
        for m in &self.items {
            lines.push(Line::from(Span::styled(format!(" {}", m.at), t.label)));
            let style = if m.error { t.error } else { t.text };
            for l in wrap(&m.text, w) {
                lines.push(Line::from(Span::styled(format!("  {l}"), style)));
            }
            lines.push(Line::from(""));
        }
        self.scroll.render(f, inner, lines);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_messages_wrap_at_spaces_and_keep_every_word() {
        let text = "Отказано: Обложка «обложка.png» не принята: это не изображение JPG, PNG или BMP (проверено по содержимому файла).";
        let lines = wrap(text, 30);
        assert!(lines.len() > 3);
        assert!(
            lines
                .iter()
                .all(|l| unicode_width::UnicodeWidthStr::width(l.as_str()) <= 30)
        );
        assert_eq!(lines.join(" "), text);
    }
}
