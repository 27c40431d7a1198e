//! The workstation on a demo store: key → action → state, and snapshots of
//! «Каталог» and the passport view at 80×24 and 120×40.

mod common;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use smarteka::domain::Section;
use smarteka::search::Sort;

use common::{app, screen};

fn key(app: &mut smarteka::tui::app::App, code: KeyCode) {
    app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
    app.settle();
}

fn typ(app: &mut smarteka::tui::app::App, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
}

#[test]
fn catalogue_snapshots() {
    let f = app(120);
    insta::assert_snapshot!("catalogue_80x24", screen(&f.app, 80, 24));
    insta::assert_snapshot!("catalogue_120x40", screen(&f.app, 120, 40));
}

#[test]
fn passport_snapshots() {
    let mut f = app(120);
    key(&mut f.app, KeyCode::Enter);
    assert_eq!(f.app.stack.len(), 1);
    insta::assert_snapshot!("passport_80x24", screen(&f.app, 80, 24));
    insta::assert_snapshot!("passport_120x40", screen(&f.app, 120, 40));
    key(&mut f.app, KeyCode::PageDown);
    let s = screen(&f.app, 80, 24);
    assert!(
        !s.contains("P-1 Название"),
        "scrolled past the first field:\n{s}"
    );
}

#[test]
fn help_is_generated_from_the_keymap() {
    let mut f = app(20);
    key(&mut f.app, KeyCode::Char('?'));
    let s = screen(&f.app, 80, 24);
    assert!(s.contains("Клавиши: Каталог"), "{s}");
    assert!(s.contains("Поиск по тексту"), "{s}");
    assert!(s.contains("/ "), "{s}");
    insta::assert_snapshot!("help_80x24", s);
    key(&mut f.app, KeyCode::Esc);
    assert!(f.app.popup.is_none());
}

#[test]
fn search_as_you_type_filters_the_list() {
    let mut f = app(200);
    let all = f.app.catalogue.total;
    key(&mut f.app, KeyCode::Char('/'));
    assert!(f.app.catalogue.searching);
    typ(&mut f.app, "поликлиника");
    assert_eq!(f.app.catalogue.query_text(), "поликлиника");
    let found = f.app.catalogue.total;
    assert!(found > 0 && found < all, "{found} of {all}");
    assert!(
        f.app
            .catalogue
            .rows
            .iter()
            .all(|r| r.category == "Здравоохранение"),
        "{:?}",
        f.app.catalogue.rows
    );
    // q is text while typing, not «quit».
    typ(&mut f.app, " q");
    assert!(!f.app.quit);
    assert_eq!(f.app.catalogue.query_text(), "поликлиника q");
    key(&mut f.app, KeyCode::Backspace);
    key(&mut f.app, KeyCode::Backspace);
    key(&mut f.app, KeyCode::Enter);
    assert!(!f.app.catalogue.searching);
    // Read whole, the word also finds its synonyms («больница»).
    assert!(f.app.catalogue.total >= found, "{}", f.app.catalogue.total);
    // Esc clears the search.
    key(&mut f.app, KeyCode::Char('/'));
    key(&mut f.app, KeyCode::Esc);
    assert_eq!(f.app.catalogue.total, all);
}

#[test]
fn section_sort_and_navigation_keys() {
    let mut f = app(200);
    key(&mut f.app, KeyCode::Char('b'));
    assert_eq!(f.app.catalogue.section, Section::KnowledgeBase);
    assert!(!f.app.catalogue.rows.is_empty());
    assert!(
        f.app
            .catalogue
            .rows
            .iter()
            .all(|r| r.status == "База знаний")
    );
    key(&mut f.app, KeyCode::Char('b'));
    assert_eq!(f.app.catalogue.section, Section::Main);
    assert!(
        f.app
            .catalogue
            .rows
            .iter()
            .all(|r| r.status != "База знаний")
    );
    key(&mut f.app, KeyCode::Char('s'));
    assert_eq!(f.app.catalogue.sort, Sort::Title);
    let titles: Vec<String> = f
        .app
        .catalogue
        .rows
        .iter()
        .map(|r| r.title.to_lowercase())
        .collect();
    let mut sorted = titles.clone();
    sorted.sort();
    assert_eq!(titles, sorted);
    key(&mut f.app, KeyCode::Char('s'));
    assert_eq!(f.app.catalogue.sort, Sort::YearDesc);
    let years: Vec<String> = f
        .app
        .catalogue
        .rows
        .iter()
        .map(|r| r.year.clone())
        .collect();
    assert!(years.windows(2).all(|w| w[0] >= w[1]), "{years:?}");
    key(&mut f.app, KeyCode::Down);
    key(&mut f.app, KeyCode::Char('j'));
    assert_eq!(f.app.catalogue.selected, 2);
    // The same key on the Russian layout («о» is where «j» is).
    key(&mut f.app, KeyCode::Char('о'));
    assert_eq!(f.app.catalogue.selected, 3);
    key(&mut f.app, KeyCode::Char('G'));
    assert_eq!(f.app.catalogue.selected + 1, f.app.catalogue.total);
    assert_eq!(
        f.app.catalogue.rows.len(),
        f.app.catalogue.total,
        "End loads all"
    );
    key(&mut f.app, KeyCode::Char('g'));
    assert_eq!(f.app.catalogue.selected, 0);
}

#[test]
fn facet_panel_selects_values() {
    let mut f = app(200);
    let all = f.app.catalogue.total;
    key(&mut f.app, KeyCode::Char('f'));
    assert!(f.app.catalogue.facets.is_some());
    let s = screen(&f.app, 80, 24);
    assert!(s.contains("Фильтры") && s.contains("Категория"), "{s}");
    key(&mut f.app, KeyCode::Char(' '));
    let n = f.app.catalogue.total;
    assert!(n > 0 && n < all);
    let cat = f.app.catalogue.rows[0].category.clone();
    assert!(f.app.catalogue.rows.iter().all(|r| r.category == cat));
    key(&mut f.app, KeyCode::Enter);
    assert!(f.app.catalogue.facets.is_none());
    let s = screen(&f.app, 80, 24);
    assert!(s.contains(&format!("Фильтры: Категория: {cat}")), "{s}");
    key(&mut f.app, KeyCode::Char('x'));
    assert_eq!(f.app.catalogue.total, all);
}

/// `smarteka search` and the workstation's search, once kept with Enter,
/// give one count.
#[test]
fn one_count_in_the_workstation_and_on_the_command_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = |args: &[&str]| {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_smarteka"))
            .arg("--data")
            .arg(dir.path())
            .args(args)
            .output()
            .expect("runs");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    run(&["demo", "--practices", "300", "--today", "2026-03-16"]);
    let mut counts = Vec::new();
    for word in ["школы", "здравоохранение", "цифровой", "маршрут"]
    {
        let out = run(&["search", word]);
        let n: usize = out
            .lines()
            .find_map(|l| l.strip_prefix("Найдено: "))
            .and_then(|l| l.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .expect("a count");
        counts.push((word, n));
    }
    let mut f = common::app_on(dir);
    for (word, n) in counts {
        key(&mut f.app, KeyCode::Char('x'));
        key(&mut f.app, KeyCode::Char('/'));
        typ(&mut f.app, word);
        key(&mut f.app, KeyCode::Enter);
        assert_eq!(f.app.catalogue.total, n, "«{word}»");
    }
}

#[test]
fn a_region_is_found_by_typing_its_name() {
    let mut f = app(200);
    key(&mut f.app, KeyCode::Char('f'));
    key(&mut f.app, KeyCode::Tab); // Регион
    key(&mut f.app, KeyCode::Char('/'));
    typ(&mut f.app, "татар");
    let s = screen(&f.app, 80, 24);
    assert!(s.contains("Найти: татар"), "{s}");
    // Enter closes the find line and keeps the place; Space marks it.
    key(&mut f.app, KeyCode::Enter);
    assert!(f.app.catalogue.facets.is_some(), "the panel stays open");
    key(&mut f.app, KeyCode::Char(' '));
    key(&mut f.app, KeyCode::Enter);
    let s = screen(&f.app, 80, 24);
    assert!(s.contains("Фильтры: Регион: Республика Татарстан"), "{s}");
}

#[test]
fn login_changes_what_is_visible_and_the_status_bar() {
    let mut f = app(200);
    let public = f.app.catalogue.total;
    key(&mut f.app, KeyCode::Char('l'));
    assert!(f.app.popup.is_some());
    typ(&mut f.app, "author");
    key(&mut f.app, KeyCode::Tab);
    typ(&mut f.app, "wrong");
    key(&mut f.app, KeyCode::Enter);
    assert!(f.app.user.is_none());
    let s = screen(&f.app, 80, 24);
    assert!(s.contains("Неверный логин или пароль"), "{s}");
    typ(&mut f.app, "demo");
    key(&mut f.app, KeyCode::Enter);
    let user = f.app.user.clone().expect("signed in");
    assert_eq!(user.login, "author");
    assert!(f.app.popup.is_none());
    assert!(f.app.who().contains("Автор практики"));
    assert!(f.app.catalogue.total > public, "own drafts become visible");
    let s = screen(&f.app, 80, 24);
    assert!(
        s.lines().last().unwrap_or("").contains("Автор практики"),
        "{s}"
    );
    // Signing out asks once: another key keeps the user in.
    key(&mut f.app, KeyCode::Char('l'));
    assert!(f.app.user.is_some(), "asked first");
    assert!(screen(&f.app, 80, 24).contains("Выйти из системы? l — да."));
    key(&mut f.app, KeyCode::Down);
    key(&mut f.app, KeyCode::Char('l'));
    assert!(f.app.user.is_some(), "asked again after another key");
    key(&mut f.app, KeyCode::Char('l'));
    assert!(f.app.user.is_none());
    assert_eq!(f.app.catalogue.total, public);
}

#[test]
fn back_and_quit() {
    let mut f = app(20);
    key(&mut f.app, KeyCode::Enter);
    assert_eq!(f.app.stack.len(), 1);
    key(&mut f.app, KeyCode::Char('q'));
    assert_eq!(f.app.stack.len(), 0, "q backs out of the passport");
    assert!(!f.app.quit);
    key(&mut f.app, KeyCode::Esc);
    assert!(!f.app.quit, "Esc does not leave the program");
    key(&mut f.app, KeyCode::Char('q'));
    assert!(f.app.quit);
}

/// `G`/End shows a full page ending with the last practice, not the last
/// row alone above a blank screen.
#[test]
fn end_shows_a_full_last_page() {
    let mut f = app(1500);
    // Drawn while the rest of the list loads, then again when it is in.
    f.app
        .on_key(KeyEvent::new(KeyCode::End, KeyModifiers::NONE));
    let _ = screen(&f.app, 80, 24);
    f.app.settle();
    let s = screen(&f.app, 80, 24);
    let rows = s
        .lines()
        .skip(3)
        .take(18)
        .filter(|l| !l.trim().is_empty())
        .count();
    assert!(rows >= 15, "a full page of rows:\n{s}");
}

/// One key grammar: `q` goes back on every screen and quits only from the
/// catalogue; Ctrl-C leaves from anywhere; the help says so.
#[test]
fn q_goes_back_everywhere_and_ctrl_c_leaves() {
    let mut f = app(200);
    key(&mut f.app, KeyCode::Char('l'));
    typ(&mut f.app, "asi");
    key(&mut f.app, KeyCode::Tab);
    typ(&mut f.app, "demo");
    key(&mut f.app, KeyCode::Enter);
    for (open, name) in [
        ('o', "Очереди"),
        ('t', "Тиражирование"),
        ('i', "Уведомления"),
    ] {
        key(&mut f.app, KeyCode::Char(open));
        assert_eq!(f.app.stack.len(), 1, "{name} opened");
        key(&mut f.app, KeyCode::Char('?'));
        let s = screen(&f.app, 80, 24);
        assert!(
            !s.lines().any(|l| l.contains("│ q ") && l.contains("Выйти")),
            "{name}: {s}"
        );
        assert!(s.contains("Esc/q") && s.contains("Ctrl-c"), "{name}: {s}");
        key(&mut f.app, KeyCode::Char('?'));
        key(&mut f.app, KeyCode::Char('q'));
        assert!(f.app.stack.is_empty(), "q left {name}");
        assert!(!f.app.quit, "q in {name} does not quit");
    }
    key(&mut f.app, KeyCode::Char('o'));
    f.app
        .on_key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    assert!(f.app.quit, "Ctrl-C leaves");
}

/// The help is true to the screen: its own words for its keys, no key that
/// would type into the field in front, and the editing keys.
#[test]
fn help_says_what_the_keys_do_here() {
    let mut f = app(200);
    key(&mut f.app, KeyCode::Char('l'));
    typ(&mut f.app, "author");
    key(&mut f.app, KeyCode::Tab);
    typ(&mut f.app, "demo");
    key(&mut f.app, KeyCode::Enter);
    key(&mut f.app, KeyCode::Char('t'));
    key(&mut f.app, KeyCode::Char('?'));
    let s = screen(&f.app, 80, 24);
    assert!(
        s.contains("Открыть заявку") && !s.contains("Открыть паспорт"),
        "{s}"
    );
    key(&mut f.app, KeyCode::Esc);
    key(&mut f.app, KeyCode::Esc);
    // The editor, on a text field: F1, not `?` (which types a «?»).
    key(&mut f.app, KeyCode::Char('n'));
    key(&mut f.app, KeyCode::F(1));
    let s = screen(&f.app, 80, 40);
    assert!(s.contains("Ctrl-z") && s.contains("Ctrl-y"), "{s}");
    let help = s
        .lines()
        .find(|l| l.contains("Справка по клавишам"))
        .unwrap_or_default()
        .to_owned();
    assert!(help.contains("F1") && !help.contains('?'), "{help}");
    // `q` types there: the help does not offer it for going back.
    let back = s
        .lines()
        .find(|l| l.contains("Назад, закрыть окно"))
        .unwrap_or_default()
        .to_owned();
    assert!(!back.contains("/q"), "{back}");
}

/// The help says there is more below, and scrolls no further than its end.
#[test]
fn the_help_scrolls_to_its_end_and_no_further() {
    let mut f = app(50);
    key(&mut f.app, KeyCode::Char('?'));
    let s = screen(&f.app, 80, 24);
    assert!(s.contains("↓ — ещё"), "{s}");
    for _ in 0..60 {
        key(&mut f.app, KeyCode::Down);
    }
    let s = screen(&f.app, 80, 24);
    assert!(!s.contains("↓ — ещё"), "{s}");
    let inside: Vec<&str> = s.lines().filter(|l| l.contains('│')).collect();
    let blank = inside
        .iter()
        .filter(|l| l.trim_matches(|c| c == '│' || c == ' ').is_empty())
        .count();
    assert!(blank <= 1, "no run of blank lines past the end:\n{s}");
}

/// On a narrow terminal the title keeps at least half the width.
#[test]
fn narrow_terminals_keep_the_title() {
    let f = app(200);
    let s = screen(&f.app, 60, 20);
    let header = s
        .lines()
        .find(|l| l.contains("Название"))
        .unwrap_or_else(|| panic!("a header:\n{s}"))
        .to_owned();
    let title_end = header.find("Регион").expect("the region column");
    assert!(
        header[..title_end].chars().count() >= 30,
        "the title column is {} of 60:\n{s}",
        header[..title_end].chars().count()
    );
}

/// At 60 columns the help cuts a long description with «…», not mid-word
/// at the border.
#[test]
fn the_help_marks_what_it_cuts() {
    let mut f = app(20);
    key(&mut f.app, KeyCode::Char('?'));
    let s = screen(&f.app, 60, 24);
    let row = s
        .lines()
        .find(|l| l.contains("Фильтры"))
        .unwrap_or_else(|| panic!("{s}"))
        .to_owned();
    assert!(row.contains('…'), "{row}");
}

/// `P` on a passport writes it as PDF into the print directory and says
/// where; the passport shows where the practice stands in its year.
#[test]
fn a_passport_prints_to_pdf_from_the_workstation() {
    let mut f = app(120);
    let out = tempfile::tempdir().expect("tempdir");
    f.app.print_into(out.path().to_path_buf());
    f.app.settle();
    key(&mut f.app, KeyCode::Enter);
    // The public sees when it was published, not the Agency's work on it.
    let s = screen(&f.app, 80, 24);
    assert!(!s.contains("Актуализировать до:"), "{s}");
    let title = f.app.catalogue.rows[0].title.clone();
    key(&mut f.app, KeyCode::Esc);
    common::sign_in(&mut f.app, "asi");
    key(&mut f.app, KeyCode::Char('/'));
    typ(&mut f.app, &title);
    key(&mut f.app, KeyCode::Enter);
    key(&mut f.app, KeyCode::Enter);
    let s = screen(&f.app, 80, 24);
    assert!(
        s.contains(&title) && s.contains("Актуализировать до:"),
        "{s}"
    );
    key(&mut f.app, KeyCode::Char('P'));
    let s = screen(&f.app, 80, 24);
    assert!(s.contains("PDF в "), "{s}");
    let files: Vec<_> = std::fs::read_dir(out.path())
        .expect("reads")
        .map(|e| e.expect("entry").path())
        .collect();
    assert!(
        files.iter().any(|p| p
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("паспорт-"))),
        "{files:?}"
    );
    for p in &files {
        let bytes = std::fs::read(p).expect("reads");
        assert!(bytes.starts_with(b"%PDF"), "{}", p.display());
    }
    // `?` lists the key.
    key(&mut f.app, KeyCode::Char('?'));
    let s = screen(&f.app, 80, 40);
    assert!(s.contains("PDF"), "{s}");
}
