//! Semantic styles over the terminal's own palette. The default theme is
//! `assets/themes/default.toml`; the config may override any style.

use std::collections::BTreeMap;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

const DEFAULT: &str = include_str!("../../assets/themes/default.toml");

#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct StyleSpec {
    pub fg: Option<String>,
    pub bg: Option<String>,
    #[serde(default)]
    pub modifiers: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct ThemeFile {
    styles: BTreeMap<String, StyleSpec>,
}

/// The styles the screens use.
#[derive(Debug, Clone)]
pub struct Theme {
    pub text: Style,
    pub muted: Style,
    pub title: Style,
    pub border: Style,
    pub border_focus: Style,
    pub selected: Style,
    pub header: Style,
    pub status_bar: Style,
    pub key: Style,
    pub error: Style,
    pub warning: Style,
    pub ok: Style,
    pub label: Style,
    pub highlight: Style,
}

fn color(name: &str) -> Result<Color, String> {
    let c = match name.to_lowercase().replace(['-', ' '], "_").as_str() {
        "reset" | "default" => Color::Reset,
        "black" => Color::Black,
        "red" => Color::Red,
        "green" => Color::Green,
        "yellow" => Color::Yellow,
        "blue" => Color::Blue,
        "magenta" => Color::Magenta,
        "cyan" => Color::Cyan,
        "gray" | "grey" => Color::Gray,
        "dark_gray" | "dark_grey" => Color::DarkGray,
        "light_red" => Color::LightRed,
        "light_green" => Color::LightGreen,
        "light_yellow" => Color::LightYellow,
        "light_blue" => Color::LightBlue,
        "light_magenta" => Color::LightMagenta,
        "light_cyan" => Color::LightCyan,
        "white" => Color::White,
        hex if hex.starts_with('#') && hex.len() == 7 => {
            let v = u32::from_str_radix(&hex[1..], 16).map_err(|_| format!("цвет «{name}»"))?;
            Color::Rgb((v >> 16) as u8, (v >> 8) as u8, v as u8)
        }
        _ => return Err(format!("неизвестный цвет «{name}»")),
    };
    Ok(c)
}

fn modifier(name: &str) -> Result<Modifier, String> {
    Ok(match name {
        "bold" => Modifier::BOLD,
        "dim" => Modifier::DIM,
        "italic" => Modifier::ITALIC,
        "underlined" => Modifier::UNDERLINED,
        "reversed" => Modifier::REVERSED,
        _ => return Err(format!("неизвестное начертание «{name}»")),
    })
}

impl StyleSpec {
    pub fn to_style(&self) -> Result<Style, String> {
        let mut s = Style::default();
        if let Some(fg) = &self.fg {
            s = s.fg(color(fg)?);
        }
        if let Some(bg) = &self.bg {
            s = s.bg(color(bg)?);
        }
        for m in &self.modifiers {
            s = s.add_modifier(modifier(m)?);
        }
        Ok(s)
    }
}

impl Default for Theme {
    fn default() -> Self {
        Self::load(&BTreeMap::new()).0
    }
}

impl Theme {
    /// The default theme with overrides; problems are reported in Russian
    /// and the default kept for the style concerned.
    /// Whether to draw without colours: `NO_COLOR` is set (no-color.org),
    /// or the terminal is monochrome (`TERM=…-mono`, `…-m`, `dumb`).
    pub fn wants_monochrome(term: Option<&str>, no_color: Option<&str>) -> bool {
        no_color.is_some_and(|v| !v.is_empty())
            || term.is_some_and(|t| t == "dumb" || t.ends_with("-mono") || t.ends_with("-m"))
    }

    /// The same styles without colours: weight, underline and reverse
    /// video only, so selections and errors still stand out.
    #[must_use]
    pub fn monochrome(&self) -> Self {
        let plain = |s: Style| Style {
            fg: None,
            bg: None,
            underline_color: None,
            ..s
        };
        Self {
            text: plain(self.text),
            muted: plain(self.muted),
            title: plain(self.title).add_modifier(Modifier::BOLD),
            border: plain(self.border),
            border_focus: plain(self.border_focus).add_modifier(Modifier::BOLD),
            selected: plain(self.selected).add_modifier(Modifier::REVERSED),
            header: plain(self.header).add_modifier(Modifier::BOLD),
            status_bar: plain(self.status_bar).add_modifier(Modifier::REVERSED),
            key: plain(self.key).add_modifier(Modifier::BOLD),
            error: plain(self.error).add_modifier(Modifier::BOLD),
            warning: plain(self.warning).add_modifier(Modifier::UNDERLINED),
            ok: plain(self.ok),
            label: plain(self.label),
            highlight: plain(self.highlight).add_modifier(Modifier::BOLD),
        }
    }

    /// The same styles in the 16 basic colours, for a terminal that has
    /// no more (`TERM` without «256color»): each RGB or indexed colour
    /// becomes the nearest basic one.
    #[must_use]
    pub fn sixteen(&self) -> Self {
        let basic = |s: Style| Style {
            fg: s.fg.map(nearest_basic),
            bg: s.bg.map(nearest_basic),
            underline_color: s.underline_color.map(nearest_basic),
            ..s
        };
        Self {
            text: basic(self.text),
            muted: basic(self.muted),
            title: basic(self.title),
            border: basic(self.border),
            border_focus: basic(self.border_focus),
            selected: basic(self.selected),
            header: basic(self.header),
            status_bar: basic(self.status_bar),
            key: basic(self.key),
            error: basic(self.error),
            warning: basic(self.warning),
            ok: basic(self.ok),
            label: basic(self.label),
            highlight: basic(self.highlight),
        }
    }

    pub fn load(overrides: &BTreeMap<String, StyleSpec>) -> (Self, Vec<String>) {
        let mut problems = Vec::new();
        let mut specs = toml::from_str::<ThemeFile>(DEFAULT)
            .map(|f| f.styles)
            .unwrap_or_default();
        for (k, v) in overrides {
            if specs.contains_key(k) {
                specs.insert(k.clone(), v.clone());
            } else {
                problems.push(format!("Тема: неизвестный стиль «{k}»"));
            }
        }
        let mut get = |name: &str| -> Style {
            specs
                .get(name)
                .map_or(Ok(Style::default()), StyleSpec::to_style)
                .unwrap_or_else(|e| {
                    problems.push(format!("Тема, стиль «{name}»: {e}"));
                    Style::default()
                })
        };
        let t = Self {
            text: get("text"),
            muted: get("muted"),
            title: get("title"),
            border: get("border"),
            border_focus: get("border_focus"),
            selected: get("selected"),
            header: get("header"),
            status_bar: get("status_bar"),
            key: get("key"),
            error: get("error"),
            warning: get("warning"),
            ok: get("ok"),
            label: get("label"),
            highlight: get("highlight"),
        };
        (t, problems)
    }
}

/// The basic colour nearest to `c` (by RGB distance); basic colours and
/// `Reset` stay.
fn nearest_basic(c: Color) -> Color {
    const BASIC: [(Color, (i32, i32, i32)); 16] = [
        (Color::Black, (0, 0, 0)),
        (Color::Red, (205, 0, 0)),
        (Color::Green, (0, 205, 0)),
        (Color::Yellow, (205, 205, 0)),
        (Color::Blue, (0, 0, 238)),
        (Color::Magenta, (205, 0, 205)),
        (Color::Cyan, (0, 205, 205)),
        (Color::Gray, (229, 229, 229)),
        (Color::DarkGray, (127, 127, 127)),
        (Color::LightRed, (255, 0, 0)),
        (Color::LightGreen, (0, 255, 0)),
        (Color::LightYellow, (255, 255, 0)),
        (Color::LightBlue, (92, 92, 255)),
        (Color::LightMagenta, (255, 0, 255)),
        (Color::LightCyan, (0, 255, 255)),
        (Color::White, (255, 255, 255)),
    ];
    let rgb = match c {
        Color::Rgb(r, g, b) => (i32::from(r), i32::from(g), i32::from(b)),
        Color::Indexed(i) if i < 16 => return BASIC[usize::from(i)].0,
        Color::Indexed(i) if i >= 232 => {
            let v = 8 + 10 * (i32::from(i) - 232);
            (v, v, v)
        }
        Color::Indexed(i) => {
            let i = i32::from(i) - 16;
            let step = |v: i32| if v == 0 { 0 } else { 55 + 40 * v };
            (step(i / 36), step(i / 6 % 6), step(i % 6))
        }
        other => return other,
    };
    let d =
        |(r, g, b): (i32, i32, i32)| (r - rgb.0).pow(2) + (g - rgb.1).pow(2) + (b - rgb.2).pow(2);
    BASIC
        .iter()
        .min_by_key(|(_, v)| d(*v))
        .map_or(Color::Reset, |(c, _)| *c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_monochrome_terminal_gets_no_colours_but_keeps_its_marks() {
        assert!(Theme::wants_monochrome(Some("xterm-mono"), None));
        assert!(Theme::wants_monochrome(Some("xterm-256color"), Some("1")));
        assert!(!Theme::wants_monochrome(Some("xterm-256color"), Some("")));
        assert!(!Theme::wants_monochrome(Some("screen-256color"), None));
        let m = Theme::default().monochrome();
        for s in [m.text, m.selected, m.error, m.status_bar, m.key, m.warning] {
            assert_eq!((s.fg, s.bg), (None, None));
        }
        assert!(m.selected.add_modifier.contains(Modifier::REVERSED));
        assert!(m.error.add_modifier.contains(Modifier::BOLD));
    }

    #[test]
    fn default_theme_parses_and_marks_selection_without_colour() {
        let (t, problems) = Theme::load(&BTreeMap::new());
        assert!(problems.is_empty(), "{problems:?}");
        assert!(t.selected.add_modifier.contains(Modifier::REVERSED));
        assert_eq!(t.text.fg, Some(Color::Reset));
    }

    #[test]
    fn overrides_and_problems() {
        let mut o = BTreeMap::new();
        o.insert(
            "error".to_owned(),
            StyleSpec {
                fg: Some("#ff0000".into()),
                bg: None,
                modifiers: vec![],
            },
        );
        o.insert("nope".to_owned(), StyleSpec::default());
        o.insert(
            "ok".to_owned(),
            StyleSpec {
                fg: Some("ultraviolet".into()),
                ..StyleSpec::default()
            },
        );
        let (t, problems) = Theme::load(&o);
        assert_eq!(t.error.fg, Some(Color::Rgb(255, 0, 0)));
        assert_eq!(problems.len(), 2, "{problems:?}");
    }

    #[test]
    fn sixteen_colours_for_a_plain_terminal() {
        assert_eq!(nearest_basic(Color::Rgb(250, 10, 10)), Color::LightRed);
        assert_eq!(nearest_basic(Color::Rgb(10, 10, 10)), Color::Black);
        assert_eq!(nearest_basic(Color::Indexed(196)), Color::LightRed);
        assert_eq!(nearest_basic(Color::Indexed(4)), Color::Blue);
        assert_eq!(nearest_basic(Color::Cyan), Color::Cyan);
        let mut t = Theme::load(&BTreeMap::new()).0;
        t.error.fg = Some(Color::Rgb(255, 0, 0));
        assert_eq!(t.sixteen().error.fg, Some(Color::LightRed));
    }
}
