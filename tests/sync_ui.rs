//! The workstation on a client linked to a central instance: a field
//! changed both here and on the server comes back as a conflict, shown side
//! by side in «Конфликты», and keeping mine sends it to the server.

mod common;

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use smarteka::domain::command::Command;
use smarteka::search::SearchIndex;
use smarteka::service::practice::execute;
use smarteka::store::Store;
use smarteka::tui::app::App;
use smarteka::tui::keymap::Keymap;
use smarteka::tui::theme::Theme;

use common::{Central, screen};

fn key(app: &mut App, code: KeyCode) {
    app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
    app.settle();
}

fn masked(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_digit() { '#' } else { c })
        .collect()
}

#[test]
fn a_conflict_is_resolved_in_the_workstation() {
    let central = Central::start(30);
    let author = central
        .store
        .user_by_login("author")
        .expect("read")
        .expect("author");
    let id = central
        .store
        .practices()
        .filter_map(Result::ok)
        .find(|p| p.author == author.id && p.status == smarteka::domain::PracticeStatus::Draft)
        .expect("a draft")
        .id;
    let a = tempfile::tempdir().expect("tempdir");
    let b = tempfile::tempdir().expect("tempdir");
    central.client(a.path(), "author");
    let creds_b = central.client(b.path(), "author");

    // B changes «Особенности» and syncs; A changes the same field offline.
    {
        let sb = Store::open(b.path()).expect("store");
        let me = sb.user_by_login("author").expect("read").expect("pulled");
        let mut p = sb.practice(id).expect("read").expect("pulled").passport;
        p.specifics = "Особенности от клиента Б".into();
        execute(&common::cx(&sb), &me, Command::Edit { id, passport: p }).expect("edits");
        central
            .runtime
            .block_on(smarteka::sync::client::sync(&sb, &creds_b, |_| {}))
            .expect("syncs");
    }
    let sa = Arc::new(Store::open(a.path()).expect("store"));
    let me = sa.user_by_login("author").expect("read").expect("pulled");
    let mut p = sa.practice(id).expect("read").expect("pulled").passport;
    p.specifics = "Особенности от клиента А".into();
    execute(&common::cx(&sa), &me, Command::Edit { id, passport: p }).expect("edits");

    let (index, _) = SearchIndex::open(&a.path().join("index"), &sa).expect("index");
    let mut app = App::new(
        sa.clone(),
        Arc::new(index),
        Theme::default(),
        Keymap::default(),
        200,
        Vec::new(),
        Arc::new(smarteka::domain::clock::SystemClock),
    );
    app.settle();
    assert!(app.sync.is_some(), "linked: the indicator shows");
    key(&mut app, KeyCode::Char('l'));
    for c in "author".chars() {
        key(&mut app, KeyCode::Char(c));
    }
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Enter);
    assert!(app.user.is_some(), "signed in by the saved session");
    key(&mut app, KeyCode::F(5));
    assert_eq!(app.sync.as_ref().map(|s| s.conflicts), Some(1));
    key(&mut app, KeyCode::Char('c'));
    let s = screen(&app, 80, 24);
    assert!(
        s.contains("Особенности от клиента А") && s.contains("Особенности от клиента Б"),
        "{s}"
    );
    insta::assert_snapshot!("conflicts_80x24", masked(&s));
    key(&mut app, KeyCode::Char('m'));
    let s = screen(&app, 80, 24);
    assert!(s.contains("Конфликтов нет"), "{s}");
    let server = central.store.practice(id).expect("read").expect("exists");
    assert_eq!(server.passport.specifics, "Особенности от клиента А");
    assert_eq!(
        sa.practice(id).expect("read").expect("exists").passport,
        server.passport
    );
    // B renames the practice; the watcher's news makes A pull it at once.
    {
        let sb = Store::open(b.path()).expect("store");
        let me = sb.user_by_login("author").expect("read").expect("pulled");
        central
            .runtime
            .block_on(smarteka::sync::client::sync(&sb, &creds_b, |_| {}))
            .expect("syncs");
        let mut p = sb.practice(id).expect("read").expect("pulled").passport;
        p.title = "Название от клиента Б".into();
        execute(&common::cx(&sb), &me, Command::Edit { id, passport: p }).expect("edits");
        central
            .runtime
            .block_on(smarteka::sync::client::sync(&sb, &creds_b, |_| {}))
            .expect("syncs");
    }
    app.on_reply(smarteka::tui::worker::Reply::News);
    assert!(
        app.sync.as_ref().is_some_and(|s| s.running),
        "news starts a sync"
    );
    app.settle();
    assert_eq!(
        sa.practice(id)
            .expect("read")
            .expect("exists")
            .passport
            .title,
        "Название от клиента Б"
    );
}
