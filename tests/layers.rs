//! The folders are the layers, and imports point down only:
//!
//! ```text
//! domain ← sync::protocol ← store ← search ← service
//!        ← {sync::client, server, demo} ← {tui, screens} ← ssh ← {cli, config}
//! ```
//!
//! This test reads every source file and fails on a `crate::` path that
//! names a module of a higher layer, or a sibling of the same layer (two
//! callers of the service talk through it, not to each other). Test code
//! (`tests.rs` files and what follows `#[cfg(test)]`) may reach anywhere.

use std::path::{Path, PathBuf};

/// The layer of a module path (its segments after `crate`), and its group:
/// modules of one group may use each other.
fn layer(path: &[&str]) -> Option<(u8, &'static str)> {
    Some(match path {
        ["domain", ..] => (0, "domain"),
        ["sync", "protocol", ..] | ["sync"] => (1, "protocol"),
        ["store", ..] => (2, "store"),
        ["search", ..] => (3, "search"),
        ["service", ..] => (4, "service"),
        ["sync", "client", ..] => (5, "sync::client"),
        ["server", ..] => (5, "server"),
        ["demo", ..] => (5, "demo"),
        ["tui" | "screens", ..] => (6, "tui"),
        ["ssh", ..] => (7, "ssh"),
        ["cli" | "config" | "main" | "lib", ..] => (8, "cli"),
        _ => return None,
    })
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("src readable") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The module path of a source file: `src/sync/client/mod.rs` → sync, client.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).expect("under src");
    let mut parts: Vec<String> = rel
        .iter()
        .map(|s| s.to_string_lossy().trim_end_matches(".rs").to_owned())
        .collect();
    if parts.last().is_some_and(|l| l == "mod") {
        parts.pop();
    }
    parts
}

/// The `crate::…` paths a line names, as segments; `crate::{a, b}` groups
/// are not used in this code base, and the test refuses them so none hides.
fn crate_paths(line: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(i) = rest.find("crate::") {
        let before = rest[..i].chars().last();
        rest = &rest[i + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        if rest.starts_with('{') {
            out.push(vec!["{".to_owned()]);
            continue;
        }
        let segs: Vec<String> = rest
            .split("::")
            .map(|s| {
                s.chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect::<String>()
            })
            .take_while(|s| !s.is_empty())
            .collect();
        out.push(segs);
    }
    out
}

#[test]
fn imports_point_down_only() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    files.sort();
    assert!(files.len() > 50, "the sources were found");
    let mut wrong = Vec::new();
    let mut checked = 0;
    for file in &files {
        let module = module_of(&src, file);
        if module.last().is_some_and(|m| m == "tests") {
            continue;
        }
        let refs: Vec<&str> = module.iter().map(String::as_str).collect();
        let Some((mine, group)) = layer(&refs) else {
            wrong.push(format!("{}: a module outside every layer", file.display()));
            continue;
        };
        let text = std::fs::read_to_string(file).expect("readable");
        for (n, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("#[cfg(test)]") {
                break;
            }
            if line.trim_start().starts_with("//") {
                continue;
            }
            for path in crate_paths(line) {
                if path.first().is_some_and(|s| s == "{") {
                    wrong.push(format!(
                        "{}:{}: `crate::{{…}}` hides which layers it names",
                        file.display(),
                        n + 1
                    ));
                    continue;
                }
                let segs: Vec<&str> = path.iter().map(String::as_str).collect();
                let Some((theirs, their_group)) = layer(&segs) else {
                    continue;
                };
                checked += 1;
                if their_group != group && theirs >= mine {
                    wrong.push(format!(
                        "{}:{}: {group} uses {} ({their_group}, not below it)",
                        file.display(),
                        n + 1,
                        segs.join("::")
                    ));
                }
            }
        }
    }
    assert!(checked > 300, "imports were read: {checked}");
    assert!(
        wrong.is_empty(),
        "imports that point up or sideways:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_rule_catches_an_upward_import() {
    // The checker itself: a store line naming the service is caught.
    let paths = crate_paths("use crate::service::workflow::act; // crate::domain::User");
    assert_eq!(paths.len(), 2);
    let up: Vec<&str> = paths[0].iter().map(String::as_str).collect();
    let (theirs, _) = layer(&up).expect("a layer");
    let (mine, _) = layer(&["store"]).expect("a layer");
    assert!(theirs > mine);
    assert_eq!(crate_paths("mycrate::x").len(), 0);
}

#[test]
fn no_source_file_is_over_800_lines() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let long: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let n = std::fs::read_to_string(f)
                .expect("readable")
                .lines()
                .count();
            (n > 800).then(|| format!("{}: {n}", f.display()))
        })
        .collect();
    assert!(
        long.is_empty(),
        "files over ~800 lines:\n{}",
        long.join("\n")
    );
}
