//! The passport editor on a demo store: typing, live messages, autosave,
//! submission refused with its reasons and then accepted.

mod common;

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use smarteka::domain::PracticeStatus;
use smarteka::domain::command::Command;
use smarteka::service::practice::execute;
use smarteka::store::Store;
use smarteka::tui::app::App;

use common::{app, screen};

fn key(app: &mut App, code: KeyCode) {
    app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
    app.settle();
}

fn ctrl(app: &mut App, c: char) {
    app.on_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
    app.settle();
}

fn typ(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
}

fn sign_in(app: &mut App, login: &str) {
    key(app, KeyCode::Char('l'));
    typ(app, login);
    key(app, KeyCode::Tab);
    typ(app, "demo");
    key(app, KeyCode::Enter);
    assert!(app.user.is_some(), "signed in as {login}");
}

/// Finds the example passport `id` in the catalogue and presses `e` on it.
fn edit_example(app: &mut App, id: uuid::Uuid) {
    key(app, KeyCode::Char('/'));
    typ(app, "единое окно поддержки семей");
    key(app, KeyCode::Enter);
    let row = app
        .catalogue
        .rows
        .iter()
        .position(|r| r.id == id)
        .expect("listed");
    app.catalogue.selected = row;
    key(app, KeyCode::Char('e'));
}

fn open_store(f: &common::Fixture) -> &Store {
    &f.app.store
}

#[test]
fn a_new_passport_with_live_messages_and_autosave() {
    let mut f = app(30);
    key(&mut f.app, KeyCode::Char('n'));
    let s = screen(&f.app, 80, 24);
    assert!(s.contains("Войдите"), "a guest cannot create:\n{s}");
    sign_in(&mut f.app, "author");
    key(&mut f.app, KeyCode::Char('n'));
    assert_eq!(f.app.stack.len(), 1, "the editor is open");
    typ(&mut f.app, "Цифровой МФЦ для семей");
    insta::assert_snapshot!("editor_80x24", screen(&f.app, 80, 24));
    insta::assert_snapshot!("editor_120x40", screen(&f.app, 120, 40));
    let s = screen(&f.app, 80, 24);
    assert!(s.contains("22/110") && s.contains("«МФЦ»"), "{s}");

    // Undo and redo in a text field: a word at a time.
    ctrl(&mut f.app, 'z');
    assert!(screen(&f.app, 80, 24).contains("17/110"));
    ctrl(&mut f.app, 'y');
    assert!(screen(&f.app, 80, 24).contains("22/110"));

    // Saved by itself shortly after the last keystroke: not before its
    // deadline, at it.
    let deadline = f.app.deadline().expect("a save is pending");
    let just_before = deadline
        .checked_sub(Duration::from_millis(1))
        .expect("a deadline after the first millisecond");
    f.app.tick_at(just_before);
    f.app.settle();
    assert_eq!(
        f.app.deadline(),
        Some(deadline),
        "not saved before the pause"
    );
    f.app.tick_at(deadline);
    f.app.settle();
    assert!(f.app.deadline().is_none(), "nothing pending after the save");
    let author = open_store(&f)
        .user_by_login("author")
        .expect("read")
        .expect("exists");
    let mine: Vec<_> = open_store(&f)
        .practices()
        .filter_map(Result::ok)
        .filter(|p| p.author == author.id && p.passport.title == "Цифровой МФЦ для семей")
        .collect();
    assert_eq!(mine.len(), 1);
    let revs = open_store(&f).revisions(mine[0].id).expect("revisions");
    assert_eq!(revs.len(), 1, "stored with its first save");

    // Leaving shows it in the catalogue.
    key(&mut f.app, KeyCode::Esc);
    assert!(f.app.stack.is_empty());
    key(&mut f.app, KeyCode::Char('/'));
    typ(&mut f.app, "цифровой мфц");
    assert!(f.app.catalogue.rows.iter().any(|r| r.status == "Черновик"));
}

#[test]
fn submit_is_refused_with_reasons_then_accepted() {
    let mut f = app(30);
    sign_in(&mut f.app, "author");
    key(&mut f.app, KeyCode::Char('n'));
    typ(&mut f.app, "Неполный паспорт");
    let s = screen(&f.app, 80, 24);
    assert!(!s.contains("можно подавать"), "{s}");
    key(&mut f.app, KeyCode::F(9));
    let s = screen(&f.app, 80, 24);
    assert!(s.contains("Подать нельзя") && s.contains("P-2 Цель"), "{s}");
    // More reasons than lines: they scroll, to the last one.
    assert!(s.contains("листать"), "{s}");
    // The reasons are in the message log too; the last of them is below.
    let logged = f.app.log.back().expect("logged").text.clone();
    let last = logged
        .lines()
        .last()
        .expect("a reason")
        .trim_start_matches("— ")
        .to_owned();
    let words: Vec<&str> = last.split_whitespace().take(3).collect();
    let start = words.join(" ");
    assert!(
        !screen(&f.app, 80, 24).contains(&start),
        "the last reason is below"
    );
    for _ in 0..40 {
        key(&mut f.app, KeyCode::Down);
    }
    let s = screen(&f.app, 80, 24);
    assert!(s.contains(&start), "scrolled to «{start}»:\n{s}");
    key(&mut f.app, KeyCode::Esc);
    key(&mut f.app, KeyCode::Esc);
    assert!(f.app.stack.is_empty());

    // A complete draft (the example passport with its cover) goes through.
    let user = f.app.user.clone().expect("user");
    let store = f.app.store.clone();
    let passport = common::example_passport(&store, f.dir.path());
    let id = uuid::Uuid::now_v7();
    execute(&f.cx(), &user, Command::Create { id, passport }).expect("created");
    key(&mut f.app, KeyCode::Char('x'));
    edit_example(&mut f.app, id);
    assert_eq!(f.app.stack.len(), 1);
    let s = screen(&f.app, 80, 24);
    assert!(s.contains("можно подавать"), "{s}");
    key(&mut f.app, KeyCode::F(9));
    assert!(f.app.stack.is_empty(), "the editor closes");
    let msg = f.app.message.clone().expect("message");
    assert!(msg.text.contains("Подтверждение регионом"), "{msg:?}");
    let p = store.practice(id).expect("read").expect("exists");
    assert_eq!(p.status, PracticeStatus::RegionConfirmation);
    // Not a draft any more: the editor does not open.
    key(&mut f.app, KeyCode::Char('e'));
    assert!(f.app.stack.is_empty());
    assert!(
        f.app
            .message
            .clone()
            .expect("message")
            .text
            .contains("в черновике")
    );
}

#[test]
fn attaching_a_cover_from_the_editor() {
    let mut f = app(20);
    sign_in(&mut f.app, "author");
    key(&mut f.app, KeyCode::Char('n'));
    // A path that leads nowhere is refused before the kind is asked for,
    // and the refusal goes once the path is changed.
    ctrl(&mut f.app, 'o');
    typ(&mut f.app, "/нет/такого.pdf");
    key(&mut f.app, KeyCode::Enter);
    let s = screen(&f.app, 80, 24);
    assert!(
        s.contains("не найден") && !s.contains("Обложка (P-10)"),
        "{s}"
    );
    key(&mut f.app, KeyCode::Backspace);
    assert!(!screen(&f.app, 80, 24).contains("не найден"));
    key(&mut f.app, KeyCode::Esc);
    // A text file named .png is refused by its content.
    let fake = f.dir.path().join("fake.png");
    std::fs::write(&fake, "не картинка").expect("write");
    ctrl(&mut f.app, 'o');
    typ(&mut f.app, &fake.display().to_string());
    key(&mut f.app, KeyCode::Enter);
    key(&mut f.app, KeyCode::Enter); // the first kind: cover
    let s = screen(&f.app, 120, 40);
    assert!(s.contains("не изображение"), "{s}");
    // Cut at 80 columns, the message says so; Ctrl-g shows it whole.
    let s = screen(&f.app, 80, 24);
    assert!(s.contains("(Ctrl-g)"), "{s}");
    ctrl(&mut f.app, 'g');
    let s = screen(&f.app, 80, 24);
    assert!(
        s.contains("Сообщения") && s.contains("(проверено по содержимому") && s.contains("файла)"),
        "{s}"
    );
    key(&mut f.app, KeyCode::Esc);
    assert!(f.app.popup.is_none(), "the log closed");
    // The real cover, its name completed with Tab.
    let examples = format!("{}/assets/examples/", env!("CARGO_MANIFEST_DIR"));
    ctrl(&mut f.app, 'o');
    typ(&mut f.app, &format!("{examples}cov"));
    key(&mut f.app, KeyCode::Tab);
    let s = screen(&f.app, 80, 24);
    assert!(s.contains("cover.png"), "{s}");
    key(&mut f.app, KeyCode::Enter);
    let s = screen(&f.app, 120, 40);
    assert!(s.contains("Обложка (P-10)"), "{s}");
    key(&mut f.app, KeyCode::Enter);
    let s = screen(&f.app, 120, 40);
    assert!(s.contains("cover.png (1200×900)"), "{s}");
}

#[test]
fn team_members_found_by_name() {
    let mut f = app(20);
    sign_in(&mut f.app, "author");
    key(&mut f.app, KeyCode::Char('n'));
    let team1 = f
        .app
        .store
        .user_by_login("team1")
        .expect("read")
        .expect("exists");
    let surname: String = team1
        .profile
        .full_name
        .split_whitespace()
        .next()
        .expect("surname")
        .to_owned();
    ctrl(&mut f.app, 't');
    typ(&mut f.app, &surname);
    let s = screen(&f.app, 120, 40);
    assert!(
        s.contains("Добавить в команду") && s.contains("(team1)"),
        "{s}"
    );
    let pos = s
        .lines()
        .filter(|l| l.contains('(') && l.contains("),"))
        .position(|l| l.contains("(team1)"))
        .expect("listed");
    for _ in 0..pos {
        key(&mut f.app, KeyCode::Down);
    }
    key(&mut f.app, KeyCode::Enter);
    assert!(f.app.stack.len() == 1);
    let s = screen(&f.app, 120, 40);
    assert!(s.contains("team1"), "{s}");
    // Said, not done silently.
    assert!(s.contains("(team1) добавлен(а) в команду"), "{s}");
    // Saved as a member of the team.
    key(&mut f.app, KeyCode::F(2));
    let author = f
        .app
        .store
        .user_by_login("author")
        .expect("read")
        .expect("exists");
    let p = f
        .app
        .store
        .practices()
        .filter_map(Result::ok)
        .find(|p| {
            p.author == author.id
                && p.status == PracticeStatus::Draft
                && p.passport.title.is_empty()
        })
        .expect("the new draft");
    assert!(
        p.passport
            .team
            .iter()
            .any(|m| m.member == smarteka::domain::passport::Member::User(team1.id))
    );
}

#[test]
fn earlier_revisions_in_the_passport_view() {
    let mut f = app(20);
    sign_in(&mut f.app, "author");
    key(&mut f.app, KeyCode::Char('n'));
    typ(&mut f.app, "Редакции по шагам");
    key(&mut f.app, KeyCode::F(2));
    key(&mut f.app, KeyCode::Tab);
    typ(&mut f.app, "Первая цель");
    key(&mut f.app, KeyCode::F(2));
    key(&mut f.app, KeyCode::Esc);
    key(&mut f.app, KeyCode::Char('/'));
    typ(&mut f.app, "редакции по шагам");
    key(&mut f.app, KeyCode::Enter);
    key(&mut f.app, KeyCode::Enter);
    assert_eq!(f.app.stack.len(), 1);
    let s = screen(&f.app, 120, 40);
    assert!(s.contains("Первая цель") && !s.contains("Редакция"), "{s}");
    key(&mut f.app, KeyCode::Char('r'));
    let s = screen(&f.app, 120, 40);
    // The first save stored it: no empty revision before it.
    assert!(
        s.contains("Редакция 1 из 2") && s.contains("изменены: P-1"),
        "{s}"
    );
    assert!(!s.contains("Первая цель"), "{s}");
    key(&mut f.app, KeyCode::Char('r'));
    let s = screen(&f.app, 120, 40);
    assert!(!s.contains("Редакция") && s.contains("Первая цель"), "{s}");
}

/// `n` then Esc leaves nothing behind: a new draft is stored with its first
/// save, not when the editor opens.
#[test]
fn a_new_draft_left_empty_leaves_nothing() {
    let mut f = app(20);
    sign_in(&mut f.app, "author");
    let count = |f: &common::Fixture| open_store(f).practices().count();
    let before = count(&f);
    key(&mut f.app, KeyCode::Char('n'));
    assert!(!f.app.stack.is_empty(), "the editor opened");
    key(&mut f.app, KeyCode::Esc);
    assert!(f.app.stack.is_empty(), "back to the catalogue");
    assert_eq!(count(&f), before, "no empty draft was stored");
    // Typed into and erased again: still nothing.
    key(&mut f.app, KeyCode::Char('n'));
    typ(&mut f.app, "qwe");
    for _ in 0..3 {
        key(&mut f.app, KeyCode::Backspace);
    }
    ctrl(&mut f.app, 's');
    key(&mut f.app, KeyCode::Esc);
    assert_eq!(count(&f), before, "an erased draft is not stored");
    // Typed into, it is stored.
    key(&mut f.app, KeyCode::Char('n'));
    typ(&mut f.app, "Черновик");
    key(&mut f.app, KeyCode::Esc);
    assert_eq!(count(&f), before + 1);
}

/// The §2.1.5 criteria are named by their clause, not as a passport field;
/// the leader-project mark sits with P-9, whose letter it asks for.
#[test]
fn the_criteria_are_named_by_their_clause() {
    let mut f = app(20);
    sign_in(&mut f.app, "author");
    key(&mut f.app, KeyCode::Char('n'));
    key(&mut f.app, KeyCode::BackTab);
    let s = screen(&f.app, 120, 40);
    assert!(s.contains("§2.1.5"), "{s}");
    assert!(
        !s.lines()
            .any(|l| l.contains("P-24") && l.contains("Критерий")),
        "{s}"
    );
}

/// A passport being actualised stays in the catalogue: a save that breaks
/// a rule is refused, F9 then does not actualise the old passport, and
/// leaving asks once before dropping the edits.
#[test]
fn a_refused_save_of_a_published_passport_keeps_the_edits_and_submits_nothing() {
    let mut f = app(30);
    sign_in(&mut f.app, "author");
    let user = f.app.user.clone().expect("user");
    let store = f.app.store.clone();
    let passport = common::example_passport(&store, f.dir.path());
    let id = uuid::Uuid::now_v7();
    execute(&f.cx(), &user, Command::Create { id, passport }).expect("created");
    let mut p = store.practice(id).expect("read").expect("exists");
    p.status = PracticeStatus::Actualisation;
    p.published = Some(chrono::Utc::now());
    store
        .commit(
            &smarteka::store::Mutation::new(None, "test", "на актуализации")
                .with(smarteka::store::Record::Practice(Box::new(p))),
        )
        .expect("commit");
    edit_example(&mut f.app, id);
    assert_eq!(f.app.stack.len(), 1, "the editor is open");
    // The title emptied: P-1 is required.
    key(&mut f.app, KeyCode::End);
    for _ in 0..120 {
        key(&mut f.app, KeyCode::Backspace);
    }
    key(&mut f.app, KeyCode::F(9));
    assert_eq!(f.app.stack.len(), 1, "still editing");
    let after = store.practice(id).expect("read").expect("exists");
    assert_eq!(
        after.status,
        PracticeStatus::Actualisation,
        "nothing submitted"
    );
    assert!(!after.passport.title.is_empty(), "the stored passport kept");
    let logged: Vec<String> = f.app.log.iter().map(|m| m.text.clone()).collect();
    assert!(
        logged
            .iter()
            .any(|m| m.contains("Не сохранено") && m.contains("P-1")),
        "{logged:?}"
    );
    key(&mut f.app, KeyCode::Esc);
    assert_eq!(f.app.stack.len(), 1, "asks before dropping the edits");
    let msg = f.app.message.clone().expect("message");
    assert!(msg.text.contains("Esc ещё раз"), "{msg:?}");
    key(&mut f.app, KeyCode::Esc);
    assert!(f.app.stack.is_empty(), "left without them");
}
