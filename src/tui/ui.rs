//! Drawing helpers shared by the screens: width-aware truncation (by
//! grapheme, never by byte), Russian plurals and number grouping, the
//! status bar.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

use crate::tui::action::Action;
use crate::tui::keymap::Keymap;
use crate::tui::theme::Theme;

/// Cuts `s` to at most `width` columns, ending with «…» when cut.
pub fn truncate(s: &str, width: usize) -> String {
    if s.width() <= width {
        return s.to_owned();
    }
    if width == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut w = 0;
    for g in s.graphemes(true) {
        let gw = g.width();
        if w + gw > width - 1 {
            break;
        }
        out.push_str(g);
        w += gw;
    }
    out.push('…');
    out
}

/// Pads or cuts `s` to exactly `width` columns.
/// `text` wrapped at words to `width` columns, paragraph by paragraph: the
/// first line of each begins with `first`, the others with `rest` (a
/// hanging indent under a mark such as «— » or «• »).
pub fn wrap(text: &str, width: usize, first: &str, rest: &str) -> Vec<String> {
    let mut out = Vec::new();
    for para in text.split('\n') {
        let opts = textwrap::Options::new(width.max(10))
            .initial_indent(first)
            .subsequent_indent(rest);
        out.extend(
            textwrap::wrap(para, opts)
                .into_iter()
                .map(std::borrow::Cow::into_owned),
        );
    }
    out
}

pub fn fit(s: &str, width: usize) -> String {
    let t = truncate(s, width);
    let pad = width.saturating_sub(t.width());
    format!("{t}{}", " ".repeat(pad))
}

pub use crate::domain::russian::plural;

/// «12 345».
pub fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push('\u{a0}');
        }
        out.push(c);
    }
    out
}

/// «Иванова М. П.» from a full name.
pub fn short_name(full: &str) -> String {
    let mut parts = full.split_whitespace();
    let Some(last) = parts.next() else {
        return String::new();
    };
    let initials: Vec<String> = parts
        .filter_map(|p| p.chars().next())
        .map(|c| format!("{c}."))
        .collect();
    if initials.is_empty() {
        last.to_owned()
    } else {
        format!("{last} {}", initials.join(" "))
    }
}

/// Hints «/ поиск · f фильтры» for the actions, with keys from the keymap.
pub fn hints(keymap: &Keymap, theme: &Theme, actions: &[Action]) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    for a in actions {
        let keys = keymap.keys(*a);
        let Some(k) = keys.first() else { continue };
        if !spans.is_empty() {
            spans.push(Span::styled(" · ", theme.status_bar));
        }
        spans.push(Span::styled(
            k.to_string(),
            theme.status_bar.patch(theme.key),
        ));
        spans.push(Span::styled(format!(" {}", a.hint()), theme.status_bar));
    }
    spans
}

/// The bottom line: who is signed in, hints, and a message on the right.
pub fn status_bar(
    f: &mut Frame,
    area: Rect,
    theme: &Theme,
    who: &str,
    hint_spans: Vec<Span<'static>>,
    message: Option<(&str, Style)>,
) {
    let mut spans = vec![Span::styled(
        format!(" {who} "),
        theme.status_bar.patch(theme.title),
    )];
    spans.push(Span::styled("│ ", theme.status_bar));
    let used: usize = spans.iter().map(|s| s.content.width()).sum();
    // The message keeps two columns of space from the hints.
    let right = message.map_or(0, |(m, _)| m.width() + 3);
    let room = (area.width as usize).saturating_sub(used + right);
    let mut w = 0;
    let before = spans.len();
    for s in hint_spans {
        let sw = s.content.width();
        if w + sw > room {
            break;
        }
        w += sw;
        spans.push(s);
    }
    // Whole hints only: a key without its word, or a separator, goes.
    while spans.len() > before
        && spans
            .last()
            .is_some_and(|s| !s.content.starts_with(' ') || s.content == " · ")
    {
        spans.pop();
    }
    let used: usize = spans.iter().map(|s| s.content.width()).sum();
    if let Some((m, style)) = message {
        // Cut to the room left, with a sign that `!` shows it whole.
        let room = (area.width as usize).saturating_sub(used + 3);
        let m = if m.width() > room {
            format!("{} (!)", truncate(m, room.saturating_sub(4)))
        } else {
            m.to_owned()
        };
        let pad = (area.width as usize).saturating_sub(used + m.width() + 1);
        spans.push(Span::styled(" ".repeat(pad), theme.status_bar));
        spans.push(Span::styled(m, theme.status_bar.patch(style)));
        spans.push(Span::styled(" ", theme.status_bar));
    } else {
        let pad = (area.width as usize).saturating_sub(used);
        spans.push(Span::styled(" ".repeat(pad), theme.status_bar));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// A bar of 30 cells filled as `done` of `all`: «[████░░…]».
pub fn bar(done: usize, all: usize) -> String {
    let width = 30;
    let filled = (done * width / all.max(1)).min(width);
    format!("[{}{}]", "█".repeat(filled), "░".repeat(width - filled))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_keeps_its_distance_from_the_hints() {
        use ratatui::{Terminal, backend::TestBackend};
        let (theme, _) = Theme::load(&std::collections::BTreeMap::new());
        // Hints that would fill the line up to the message exactly.
        let hints = vec![Span::raw(format!(" {}", "x".repeat(58)))];
        let mut term = Terminal::new(TestBackend::new(80, 1)).expect("terminal");
        term.draw(|f| {
            status_bar(
                f,
                f.area(),
                &theme,
                "Автор",
                hints.clone(),
                Some(("Сохранено.", Style::default())),
            );
        })
        .expect("draw");
        let buf = term.backend().buffer().clone();
        let line: String = (0..80).map(|x| buf[(x, 0)].symbol().to_owned()).collect();
        let at = line.find("Сохранено.").expect("the message");
        assert!(line[..at].ends_with("  "), "«{line}»");
    }

    #[test]
    fn truncates_cyrillic_by_width() {
        assert_eq!(truncate("Здравоохранение", 8), "Здравоо…");
        assert_eq!(truncate("Эко", 8), "Эко");
        assert_eq!(fit("Эко", 5), "Эко  ");
        assert_eq!(truncate("абв", 0), "");
    }

    #[test]
    fn russian_plurals_and_groups() {
        let p = |n| plural(n, "практика", "практики", "практик");
        assert_eq!(p(1), "практика");
        assert_eq!(p(3), "практики");
        assert_eq!(p(11), "практик");
        assert_eq!(p(21), "практика");
        assert_eq!(p(112), "практик");
        assert_eq!(p(1024), "практики");
        assert_eq!(group(1_234_567), "1\u{a0}234\u{a0}567");
        assert_eq!(group(12), "12");
        assert_eq!(short_name("Иванова Мария Петровна"), "Иванова М. П.");
    }
}
