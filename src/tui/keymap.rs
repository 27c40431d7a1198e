//! Key bindings: defaults in code, overrides from the config merged key by
//! key, clashes and unknown names reported. With `layout_remap`, letters
//! typed on the Russian ЙЦУКЕН layout reach the bindings of the keys they
//! share a place with (й → q, о → j, …).

use std::collections::BTreeMap;
use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::tui::action::Action;

/// A key with its modifiers, as written in the config: "q", "ctrl-s",
/// "shift-tab", "f2", "enter", "esc", "pgdn", "/".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub code: KeyCodeOrd,
    pub ctrl: bool,
    pub alt: bool,
}

/// A `KeyCode` subset that can be ordered and named.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyCodeOrd {
    Char(char),
    F(u8),
    Enter,
    Esc,
    Tab,
    BackTab,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
    Backspace,
    Delete,
}

impl Key {
    /// Whether the key types a character into a text field.
    pub fn types_text(&self) -> bool {
        !self.ctrl && !self.alt && matches!(self.code, KeyCodeOrd::Char(_))
    }

    pub fn parse(s: &str) -> Result<Self, String> {
        let mut ctrl = false;
        let mut alt = false;
        let mut shift = false;
        let mut rest = s.trim();
        loop {
            let lower = rest.to_lowercase();
            if let Some(r) = lower.strip_prefix("ctrl-") {
                ctrl = true;
                rest = &rest[rest.len() - r.len()..];
            } else if let Some(r) = lower.strip_prefix("alt-") {
                alt = true;
                rest = &rest[rest.len() - r.len()..];
            } else if let Some(r) = lower.strip_prefix("shift-") {
                shift = true;
                rest = &rest[rest.len() - r.len()..];
            } else {
                break;
            }
        }
        let code = match rest.to_lowercase().as_str() {
            "enter" => KeyCodeOrd::Enter,
            "esc" => KeyCodeOrd::Esc,
            "tab" if shift => KeyCodeOrd::BackTab,
            "tab" => KeyCodeOrd::Tab,
            "backtab" => KeyCodeOrd::BackTab,
            "up" => KeyCodeOrd::Up,
            "down" => KeyCodeOrd::Down,
            "left" => KeyCodeOrd::Left,
            "right" => KeyCodeOrd::Right,
            "pgup" | "pageup" => KeyCodeOrd::PageUp,
            "pgdn" | "pagedown" => KeyCodeOrd::PageDown,
            "home" => KeyCodeOrd::Home,
            "end" => KeyCodeOrd::End,
            "backspace" => KeyCodeOrd::Backspace,
            "delete" | "del" => KeyCodeOrd::Delete,
            "space" => KeyCodeOrd::Char(' '),
            l if l.len() > 1 && l.starts_with('f') && l[1..].parse::<u8>().is_ok() => {
                KeyCodeOrd::F(l[1..].parse().unwrap_or(1))
            }
            _ => {
                let mut chars = rest.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => {
                        KeyCodeOrd::Char(if shift { c.to_ascii_uppercase() } else { c })
                    }
                    _ => return Err(format!("неизвестная клавиша «{s}»")),
                }
            }
        };
        Ok(Self { code, ctrl, alt })
    }

    /// The key of a terminal event, if it is one we can bind.
    pub fn from_event(e: &KeyEvent) -> Option<Self> {
        let code = match e.code {
            KeyCode::Char(c) => KeyCodeOrd::Char(c),
            KeyCode::F(n) => KeyCodeOrd::F(n),
            KeyCode::Enter => KeyCodeOrd::Enter,
            KeyCode::Esc => KeyCodeOrd::Esc,
            KeyCode::Tab => KeyCodeOrd::Tab,
            KeyCode::BackTab => KeyCodeOrd::BackTab,
            KeyCode::Up => KeyCodeOrd::Up,
            KeyCode::Down => KeyCodeOrd::Down,
            KeyCode::Left => KeyCodeOrd::Left,
            KeyCode::Right => KeyCodeOrd::Right,
            KeyCode::PageUp => KeyCodeOrd::PageUp,
            KeyCode::PageDown => KeyCodeOrd::PageDown,
            KeyCode::Home => KeyCodeOrd::Home,
            KeyCode::End => KeyCodeOrd::End,
            KeyCode::Backspace => KeyCodeOrd::Backspace,
            KeyCode::Delete => KeyCodeOrd::Delete,
            _ => return None,
        };
        Some(Self {
            code,
            ctrl: e.modifiers.contains(KeyModifiers::CONTROL),
            alt: e.modifiers.contains(KeyModifiers::ALT),
        })
    }

    fn with_code(self, code: KeyCodeOrd) -> Self {
        Self { code, ..self }
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            write!(f, "Ctrl-")?;
        }
        if self.alt {
            write!(f, "Alt-")?;
        }
        match self.code {
            KeyCodeOrd::Char(' ') => write!(f, "Пробел"),
            KeyCodeOrd::Char(c) => write!(f, "{c}"),
            KeyCodeOrd::F(n) => write!(f, "F{n}"),
            KeyCodeOrd::Enter => write!(f, "Enter"),
            KeyCodeOrd::Esc => write!(f, "Esc"),
            KeyCodeOrd::Tab => write!(f, "Tab"),
            KeyCodeOrd::BackTab => write!(f, "Shift-Tab"),
            KeyCodeOrd::Up => write!(f, "↑"),
            KeyCodeOrd::Down => write!(f, "↓"),
            KeyCodeOrd::Left => write!(f, "←"),
            KeyCodeOrd::Right => write!(f, "→"),
            KeyCodeOrd::PageUp => write!(f, "PgUp"),
            KeyCodeOrd::PageDown => write!(f, "PgDn"),
            KeyCodeOrd::Home => write!(f, "Home"),
            KeyCodeOrd::End => write!(f, "End"),
            KeyCodeOrd::Backspace => write!(f, "Backspace"),
            KeyCodeOrd::Delete => write!(f, "Del"),
        }
    }
}

/// ЙЦУКЕН → QWERTY by key position.
fn remap_char(c: char) -> Option<char> {
    const RU: &str = "йцукенгшщзхъфывапролджэячсмитьбю.ЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮ,";
    const EN: &str = "qwertyuiop[]asdfghjkl;'zxcvbnm,./QWERTYUIOP{}ASDFGHJKL:\"ZXCVBNM<>?";
    RU.chars()
        .position(|r| r == c)
        .and_then(|i| EN.chars().nth(i))
}

fn defaults() -> Vec<(Action, &'static [&'static str])> {
    vec![
        (Action::Quit, &["q"]),
        (Action::Back, &["esc"]),
        (Action::Help, &["?", "f1"]),
        (Action::Login, &["l"]),
        (Action::Redraw, &["ctrl-l"]),
        (Action::Messages, &["!", "ctrl-g"]),
        (Action::Up, &["up", "k"]),
        (Action::Down, &["down", "j"]),
        (Action::PageUp, &["pgup", "ctrl-b"]),
        (Action::PageDown, &["pgdn", "ctrl-f"]),
        (Action::Home, &["home", "g"]),
        (Action::End, &["end", "G"]),
        (Action::Open, &["enter"]),
        (Action::Search, &["/"]),
        (Action::Facets, &["f"]),
        (Action::ToggleSection, &["b"]),
        (Action::Sort, &["s"]),
        (Action::ClearFilters, &["x"]),
        (Action::Toggle, &["space"]),
        (Action::MarkAll, &["*"]),
        (Action::NextField, &["tab"]),
        (Action::PrevField, &["shift-tab"]),
        (Action::NewPractice, &["n"]),
        (Action::Edit, &["e"]),
        (Action::Save, &["ctrl-s", "f2"]),
        (Action::SubmitPractice, &["f9"]),
        (Action::NextProblem, &["f8"]),
        (Action::Attach, &["ctrl-o"]),
        (Action::FindUser, &["ctrl-t"]),
        (Action::Revisions, &["r"]),
        (Action::Queues, &["o"]),
        (Action::Inbox, &["i"]),
        (Action::Workflow, &["a"]),
        (Action::History, &["h"]),
        (Action::Diff, &["d"]),
        (Action::Vote, &["v"]),
        (Action::OlderFrom, &["["]),
        (Action::NewerFrom, &["]"]),
        (Action::OlderTo, &["{"]),
        (Action::NewerTo, &["}"]),
        (Action::SyncNow, &["f5"]),
        (Action::Conflicts, &["c"]),
        (Action::KeepMine, &["m"]),
        (Action::TakeTheirs, &["t"]),
        (Action::Replication, &["t"]),
        (Action::WantToImplement, &["w"]),
        (Action::YearSummary, &["y"]),
        (Action::Profile, &["p"]),
        (Action::Users, &["u"]),
        (Action::MailSettings, &["m"]),
        (Action::SshKey, &["K"]),
        (Action::Regions, &["R"]),
        (Action::Selections, &["O"]),
        (Action::ApplyToSelection, &["a"]),
        (Action::Score, &["v"]),
        (Action::Register, &["f3"]),
        (Action::ForgotPassword, &["f4"]),
        (Action::Print, &["P"]),
        (Action::Submit, &["enter"]),
    ]
}

#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: BTreeMap<Action, Vec<Key>>,
    pub layout_remap: bool,
    /// Problems found while merging the user's overrides, in Russian.
    pub problems: Vec<String>,
}

impl Default for Keymap {
    fn default() -> Self {
        Self::new(&BTreeMap::new(), true)
    }
}

impl Keymap {
    /// The defaults with the user's overrides: each named action gets
    /// exactly the keys the user listed.
    pub fn new(overrides: &BTreeMap<String, Vec<String>>, layout_remap: bool) -> Self {
        let mut bindings = BTreeMap::new();
        let mut problems = Vec::new();
        for (action, keys) in defaults() {
            let keys = keys.iter().filter_map(|k| Key::parse(k).ok()).collect();
            bindings.insert(action, keys);
        }
        for (name, keys) in overrides {
            let action: Result<Action, _> =
                serde::Deserialize::deserialize(serde::de::value::StrDeserializer::<
                    serde::de::value::Error,
                >::new(name));
            let Ok(action) = action else {
                problems.push(format!("Клавиши: неизвестное действие «{name}»"));
                continue;
            };
            let mut parsed = Vec::new();
            for k in keys {
                match Key::parse(k) {
                    Ok(key) => parsed.push(key),
                    Err(e) => problems.push(format!("Клавиши для «{name}»: {e}")),
                }
            }
            bindings.insert(action, parsed);
        }
        Self {
            bindings,
            layout_remap,
            problems,
        }
    }

    pub fn keys(&self, action: Action) -> &[Key] {
        self.bindings.get(&action).map_or(&[], Vec::as_slice)
    }

    /// «q» or «↑/k» for the help overlay and hint bar.
    /// [`Keymap::keys_label`] without the keys that type a character: on a
    /// text field those go into the text.
    pub fn keys_label_unprintable(&self, action: Action) -> String {
        self.keys(action)
            .iter()
            .filter(|k| !k.types_text())
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("/")
    }

    pub fn keys_label(&self, action: Action) -> String {
        self.keys(action)
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("/")
    }

    /// The first of `candidates` bound to the key. A key typed on the
    /// Russian layout also matches the key at the same place.
    pub fn resolve(&self, e: &KeyEvent, candidates: &[Action]) -> Option<Action> {
        let key = Key::from_event(e)?;
        let find = |k: Key| {
            candidates
                .iter()
                .copied()
                .find(|a| self.keys(*a).contains(&k))
        };
        find(key).or_else(|| {
            if !self.layout_remap {
                return None;
            }
            match key.code {
                KeyCodeOrd::Char(c) => {
                    remap_char(c).and_then(|r| find(key.with_code(KeyCodeOrd::Char(r))))
                }
                _ => None,
            }
        })
    }

    /// Keys bound to more than one of the actions a screen offers.
    pub fn clashes(&self, actions: &[Action]) -> Vec<String> {
        let mut seen: BTreeMap<Key, Action> = BTreeMap::new();
        let mut out = Vec::new();
        for a in actions {
            for k in self.keys(*a) {
                if let Some(other) = seen.insert(*k, *a)
                    && other != *a
                {
                    out.push(format!(
                        "Клавиша {k} назначена и на «{}», и на «{}»",
                        other.description(),
                        a.description()
                    ));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    #[test]
    fn parses_and_shows_keys() {
        assert_eq!(Key::parse("ctrl-s").expect("parses").to_string(), "Ctrl-s");
        assert_eq!(
            Key::parse("shift-tab").expect("parses").code,
            KeyCodeOrd::BackTab
        );
        assert_eq!(Key::parse("F2").expect("parses").code, KeyCodeOrd::F(2));
        assert_eq!(Key::parse("G").expect("parses").code, KeyCodeOrd::Char('G'));
        assert!(Key::parse("ctrl-").is_err());
        assert!(Key::parse("hyper").is_err());
    }

    #[test]
    fn resolves_among_candidates_and_on_the_russian_layout() {
        let km = Keymap::default();
        let cands = [Action::Quit, Action::Down, Action::Search];
        assert_eq!(
            km.resolve(&ev(KeyCode::Char('q')), &cands),
            Some(Action::Quit)
        );
        assert_eq!(
            km.resolve(&ev(KeyCode::Char('й')), &cands),
            Some(Action::Quit)
        );
        assert_eq!(
            km.resolve(&ev(KeyCode::Char('о')), &cands),
            Some(Action::Down)
        );
        assert_eq!(
            km.resolve(&ev(KeyCode::Char('.')), &cands),
            Some(Action::Search)
        );
        assert_eq!(
            km.resolve(&ev(KeyCode::Char('f')), &cands),
            None,
            "not offered"
        );
        let plain = Keymap::new(&BTreeMap::new(), false);
        assert_eq!(plain.resolve(&ev(KeyCode::Char('й')), &cands), None);
    }

    #[test]
    fn overrides_merge_key_by_key_and_problems_are_reported() {
        let mut o = BTreeMap::new();
        o.insert("quit".to_owned(), vec!["ctrl-q".to_owned()]);
        o.insert("fly".to_owned(), vec!["w".to_owned()]);
        o.insert("sort".to_owned(), vec!["o".to_owned(), "бяка".to_owned()]);
        let km = Keymap::new(&o, true);
        assert_eq!(km.keys_label(Action::Quit), "Ctrl-q");
        assert_eq!(km.keys_label(Action::Sort), "o");
        assert_eq!(km.keys_label(Action::Search), "/", "untouched default");
        assert_eq!(km.problems.len(), 2, "{:?}", km.problems);
        let mut o = BTreeMap::new();
        o.insert("sort".to_owned(), vec!["q".to_owned()]);
        let km = Keymap::new(&o, true);
        let c = km.clashes(&[Action::Quit, Action::Sort]);
        assert_eq!(c.len(), 1);
        assert!(c[0].contains("Клавиша q"));
    }

    #[test]
    fn default_screen_sets_have_no_clashes() {
        let km = Keymap::default();
        for set in crate::screens::all_command_sets() {
            assert!(km.clashes(&set).is_empty(), "{:?}", km.clashes(&set));
        }
    }
}
