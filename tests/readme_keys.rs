//! README's key table and the workstation's help say the same: every key
//! the catalogue's help lists (signed in as an author) is in the table, and
//! every key in the table is bound to something.

mod common;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn key(app: &mut smarteka::tui::app::App, code: KeyCode) {
    app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
    app.settle();
}

/// The keys of the first table under «## The workstation», as written
/// between backticks, lower-cased.
fn readme_keys() -> Vec<String> {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README");
    let start = text.find("## The workstation").expect("the section");
    let mut keys = Vec::new();
    let mut in_table = false;
    for line in text[start..].lines() {
        if line.starts_with("| key |") {
            in_table = true;
            continue;
        }
        if in_table && !line.starts_with('|') {
            break;
        }
        if !in_table || line.starts_with("|---") {
            continue;
        }
        let first = line.split('|').nth(1).unwrap_or_default();
        for (i, part) in first.split('`').enumerate() {
            if i % 2 == 1 {
                keys.push(part.to_lowercase());
            }
        }
    }
    assert!(keys.len() > 15, "the table was read: {keys:?}");
    keys
}

#[test]
fn the_readme_key_table_matches_the_help() {
    let readme = readme_keys();
    let mut f = common::app(60);
    key(&mut f.app, KeyCode::Char('l'));
    for c in "author".chars() {
        key(&mut f.app, KeyCode::Char(c));
    }
    key(&mut f.app, KeyCode::Tab);
    for c in "demo".chars() {
        key(&mut f.app, KeyCode::Char(c));
    }
    key(&mut f.app, KeyCode::Enter);
    let mut missing = Vec::new();
    for (keys, what) in f.app.help_rows() {
        // «↓/j»: the keys of one action; «/» is a key itself.
        let listed: Vec<String> = if keys == "/" {
            vec![keys.clone()]
        } else {
            keys.split('/').map(|k| k.trim().to_lowercase()).collect()
        };
        if !listed.iter().any(|k| readme.contains(k)) {
            missing.push(format!("{keys} — {what}"));
        }
    }
    assert!(
        missing.is_empty(),
        "help keys not in README's table:\n{}",
        missing.join("\n")
    );
    let km = smarteka::tui::keymap::Keymap::default();
    let bound: Vec<String> = smarteka::tui::action::Action::ALL
        .iter()
        .flat_map(|a| {
            km.keys(*a)
                .iter()
                .map(|k| k.to_string().to_lowercase())
                .collect::<Vec<_>>()
        })
        .collect();
    let unbound: Vec<&String> = readme
        .iter()
        // Arrows and Space/Tab are named in words there; Ctrl-c is the
        // App's own, under every keymap.
        .filter(|k| {
            !bound.contains(k) && !["↑", "↓", "space", "tab", "ctrl-c"].contains(&k.as_str())
        })
        .collect();
    assert!(
        unbound.is_empty(),
        "README keys bound to nothing: {unbound:?}"
    );
}
