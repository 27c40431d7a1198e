//! The validation workflow driven through the workstation by key events:
//! submission, a return and a resubmission, region confirmation,
//! packaging, three expert votes, rating verification and publication;
//! the audit trail afterwards; snapshots of «Очереди», the vote form and
//! the diff view at 80×24.

mod common;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use smarteka::domain::command::Command;
use smarteka::domain::{PracticeId, PracticeStatus};
use smarteka::service::practice::execute;
use smarteka::service::workflow as review;
use smarteka::tui::app::App;

use common::{app, screen};

fn key(app: &mut App, code: KeyCode) {
    app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
    app.settle();
}

fn typ(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
}

fn back_to_catalogue(app: &mut App) {
    while app.popup.is_some() || !app.stack.is_empty() {
        key(app, KeyCode::Esc);
    }
}

/// Signs in through the login window (signing out first).
fn sign_in(app: &mut App, login: &str) {
    back_to_catalogue(app);
    if app.user.is_some() {
        // Signing out asks once.
        key(app, KeyCode::Char('l'));
        key(app, KeyCode::Char('l'));
    }
    key(app, KeyCode::Char('l'));
    typ(app, login);
    key(app, KeyCode::Tab);
    typ(app, "demo");
    key(app, KeyCode::Enter);
    assert_eq!(
        app.user.as_ref().map(|u| u.login.as_str()),
        Some(login),
        "signed in"
    );
}

/// Opens «Очереди», the queue `code`, and selects the practice.
fn select_in_queue(app: &mut App, code: &str, id: PracticeId) {
    let user = app.user.clone().expect("signed in");
    let queues = review::queues(&app.cx(), &user).expect("queues");
    let tab = queues
        .iter()
        .position(|q| q.code == code)
        .unwrap_or_else(|| panic!("{} has no queue {code}", user.login));
    let row = queues[tab]
        .items
        .iter()
        .position(|i| i.id == id)
        .unwrap_or_else(|| panic!("the practice is not in «{}»", queues[tab].name));
    back_to_catalogue(app);
    key(app, KeyCode::Char('o'));
    for _ in 0..tab {
        key(app, KeyCode::Tab);
    }
    for _ in 0..row {
        key(app, KeyCode::Down);
    }
}

/// In the open action window, moves to `action` and opens its form.
fn choose(app: &mut App, id: PracticeId, action: &str) {
    let user = app.user.clone().expect("signed in");
    let p = app.store.practice(id).expect("read").expect("exists");
    let offers = review::offers(&app.cx(), &user, &p).expect("offers");
    let start = offers.iter().position(|o| o.allowed).expect("some action");
    let at = offers
        .iter()
        .position(|o| o.action == action)
        .unwrap_or_else(|| panic!("{} has no {action}", user.login));
    assert!(offers[at].allowed, "{action}: {:?}", offers[at].reason);
    for _ in start..at {
        key(app, KeyCode::Down);
    }
    key(app, KeyCode::Enter);
}

fn status(app: &App, id: PracticeId) -> PracticeStatus {
    app.store
        .practice(id)
        .expect("read")
        .expect("exists")
        .status
}

/// Numbers masked, with the spaces that align them: the demo's dates and
/// day counts follow today's date.
fn masked(s: &str) -> String {
    let mut out = String::new();
    let mut in_number = false;
    for c in s.chars() {
        if c.is_ascii_digit() {
            if !in_number {
                while out.ends_with(' ') {
                    out.pop();
                }
                out.push_str(" #");
            }
            in_number = true;
        } else {
            in_number = false;
            out.push(c);
        }
    }
    out
}

/// The example passport, complete, by the demo author; with an
/// investment-rating indicator, so the rating committee verifies it.
fn example_practice(f: &common::Fixture) -> PracticeId {
    let store = f.app.store.clone();
    let author = store
        .user_by_login("author")
        .expect("read")
        .expect("author");
    let mut passport = common::example_passport(&store, f.dir.path());
    passport.rating_indicators.push("inv-a1".into());
    let id = uuid::Uuid::now_v7();
    execute(&f.cx(), &author, Command::Create { id, passport }).expect("created");
    id
}

#[test]
#[allow(clippy::too_many_lines)] // one scenario, every stage
fn from_submission_to_publication_by_keys() {
    let mut f = app(150);
    let id = example_practice(&f);
    let protocol = f.dir.path().join("protocol.pdf");
    std::fs::write(&protocol, b"%PDF-1.4 protocol of the commission").expect("write");
    let protocol = protocol.display().to_string();

    // The author submits from «Мои черновики».
    sign_in(&mut f.app, "author");
    select_in_queue(&mut f.app, "drafts", id);
    key(&mut f.app, KeyCode::Char('a'));
    choose(&mut f.app, id, "submit");
    key(&mut f.app, KeyCode::Enter);
    assert_eq!(status(&f.app, id), PracticeStatus::RegionConfirmation);

    // The coordinator returns it: a comment is required.
    sign_in(&mut f.app, "coordinator");
    select_in_queue(&mut f.app, "confirmation", id);
    key(&mut f.app, KeyCode::Char('a'));
    choose(&mut f.app, id, "return");
    key(&mut f.app, KeyCode::Enter);
    let s = screen(&f.app, 80, 24);
    assert!(s.contains("Укажите комментарий"), "{s}");
    typ(&mut f.app, "Добавьте результаты 2025 года");
    // Being fixed, the refusal no longer stands on the screen.
    let s = screen(&f.app, 80, 24);
    assert!(!s.contains("Укажите комментарий"), "{s}");
    // The help and the message log open over the form and give it back,
    // with its text.
    key(&mut f.app, KeyCode::F(1));
    assert!(screen(&f.app, 80, 24).contains("Клавиши"));
    key(&mut f.app, KeyCode::Esc);
    f.app.on_key(crossterm::event::KeyEvent::new(
        KeyCode::Char('g'),
        crossterm::event::KeyModifiers::CONTROL,
    ));
    f.app.settle();
    assert!(screen(&f.app, 80, 24).contains("Сообщения"));
    key(&mut f.app, KeyCode::Esc);
    let s = screen(&f.app, 120, 40);
    assert!(s.contains("Добавьте результаты 2025 года"), "{s}");
    // Esc with a comment typed asks first; another key goes on with it.
    key(&mut f.app, KeyCode::Esc);
    let s = screen(&f.app, 80, 24);
    assert!(s.contains("Введённое не сохранится"), "{s}");
    key(&mut f.app, KeyCode::Right);
    key(&mut f.app, KeyCode::Esc);
    let s = screen(&f.app, 120, 40);
    assert!(
        s.contains("Добавьте результаты 2025 года") && s.contains("Введённое не сохранится"),
        "the form and its text stay, and Esc asks again:\n{s}"
    );
    key(&mut f.app, KeyCode::Right);
    key(&mut f.app, KeyCode::Enter);
    let p = f.app.store.practice(id).expect("read").expect("exists");
    assert!(p.workflow.returned.is_some() && p.workflow.deadline.is_some());

    // The author sees it in the inbox and in «Мои на доработке», edits and
    // resubmits.
    sign_in(&mut f.app, "author");
    assert!(f.app.unread >= 1, "the return is in the inbox");
    assert!(screen(&f.app, 80, 24).contains('✉'));
    key(&mut f.app, KeyCode::Char('i'));
    let s = screen(&f.app, 80, 24);
    assert!(s.contains("Вернуть на доработку"), "{s}");
    back_to_catalogue(&mut f.app);
    assert_eq!(f.app.unread, 0, "read once seen");
    let author = f.app.user.clone().expect("author");
    let mut passport = p.passport.clone();
    passport
        .results
        .main
        .push_str(" В 2025 году обращений стало вдвое меньше.");
    execute(&f.cx(), &author, Command::Edit { id, passport }).expect("edited");
    // It looks returned: the passport says so with the deadline and the
    // comment, and so does the editor.
    select_in_queue(&mut f.app, "returned", id);
    key(&mut f.app, KeyCode::Enter);
    let s = screen(&f.app, 120, 40);
    assert!(
        s.contains("На доработке у автора до") && s.contains("Добавьте результаты 2025 года"),
        "{s}"
    );
    key(&mut f.app, KeyCode::Char('e'));
    let s = screen(&f.app, 80, 24);
    assert!(s.contains("Паспорт · на доработке до"), "{s}");
    back_to_catalogue(&mut f.app);
    select_in_queue(&mut f.app, "returned", id);
    key(&mut f.app, KeyCode::Char('a'));
    choose(&mut f.app, id, "resubmit");
    key(&mut f.app, KeyCode::Enter);
    let p = f.app.store.practice(id).expect("read").expect("exists");
    assert_eq!(p.status, PracticeStatus::RegionConfirmation);
    assert!(p.workflow.returned.is_none());

    // The coordinator sees what changed, then confirms with the protocol.
    sign_in(&mut f.app, "coordinator");
    select_in_queue(&mut f.app, "confirmation", id);
    key(&mut f.app, KeyCode::Char('h'));
    key(&mut f.app, KeyCode::Char('d'));
    let diff = screen(&f.app, 80, 24);
    assert!(diff.contains("P-6") && diff.contains("{+"), "{diff}");
    insta::assert_snapshot!("diff_80x24", diff);
    select_in_queue(&mut f.app, "confirmation", id);
    key(&mut f.app, KeyCode::Char('a'));
    choose(&mut f.app, id, "confirm");
    // The path completes with Tab, as everywhere.
    typ(&mut f.app, protocol.trim_end_matches("ocol.pdf"));
    key(&mut f.app, KeyCode::Tab);
    assert!(screen(&f.app, 120, 40).contains("protocol.pdf"));
    key(&mut f.app, KeyCode::Enter);
    assert_eq!(status(&f.app, id), PracticeStatus::Packaging);

    // The expert-moderator sets the level and sends it to the experts.
    sign_in(&mut f.app, "moderator");
    select_in_queue(&mut f.app, "packaging", id);
    key(&mut f.app, KeyCode::Char('a'));
    choose(&mut f.app, id, "set-level");
    key(&mut f.app, KeyCode::Right); // 2 → 3
    key(&mut f.app, KeyCode::Enter);
    let p = f.app.store.practice(id).expect("read").expect("exists");
    assert_eq!(
        p.passport
            .level
            .map(smarteka::domain::passport::Level::number),
        Some(3)
    );
    select_in_queue(&mut f.app, "packaging", id);
    key(&mut f.app, KeyCode::Char('a'));
    choose(&mut f.app, id, "send-to-experts");
    key(&mut f.app, KeyCode::Enter);
    assert_eq!(status(&f.app, id), PracticeStatus::ExpertReview);

    // Three experts vote; the first vote form is the snapshot.
    for (n, expert) in ["expert1", "expert2", "expert3"].iter().enumerate() {
        sign_in(&mut f.app, expert);
        select_in_queue(&mut f.app, "my-vote", id);
        key(&mut f.app, KeyCode::Char('v'));
        let votes = |app: &smarteka::tui::app::App| {
            app.store
                .practice(id)
                .expect("read")
                .and_then(|p| p.workflow.session)
                .map_or(0, |s| s.votes.len())
        };
        if n == 0 {
            // Nothing is chosen at first: Enter casts nothing.
            key(&mut f.app, KeyCode::Enter);
            let s = screen(&f.app, 80, 24);
            assert!(s.contains("Выберите решение"), "{s}");
            // ←/→ choose; «На доработку» needs points.
            // The points are asked for before the vote is confirmed.
            key(&mut f.app, KeyCode::Right);
            key(&mut f.app, KeyCode::Right);
            key(&mut f.app, KeyCode::Enter);
            let s = screen(&f.app, 80, 24);
            assert!(
                s.contains("напишите комментарий") && !s.contains("Голос не изменить"),
                "{s}"
            );
            key(&mut f.app, KeyCode::Left);
            insta::assert_snapshot!("vote_80x24", screen(&f.app, 80, 24));
            // A long comment is read whole: it wraps in its box, and
            // Ctrl-j starts a new point.
            key(&mut f.app, KeyCode::Tab);
            typ(
                &mut f.app,
                "Сравнить с аналогами других регионов и показать динамику за три года",
            );
            f.app.on_key(crossterm::event::KeyEvent::new(
                KeyCode::Char('j'),
                crossterm::event::KeyModifiers::CONTROL,
            ));
            typ(&mut f.app, "Приложить отзывы");
            let s = screen(&f.app, 80, 24);
            assert!(
                s.contains("динамику") && s.contains("три года") && s.contains("Приложить отзывы"),
                "{s}"
            );
            key(&mut f.app, KeyCode::Tab);
            // Enter asks once more; Esc there keeps the form and casts nothing.
            key(&mut f.app, KeyCode::Enter);
            let s = screen(&f.app, 80, 24);
            assert!(s.contains("Проголосовать «Одобрить»?"), "{s}");
            key(&mut f.app, KeyCode::Esc);
            assert!(f.app.popup.is_some(), "the form stays");
            assert_eq!(votes(&f.app), 0, "nothing cast");
        } else {
            key(&mut f.app, KeyCode::Right);
        }
        key(&mut f.app, KeyCode::Enter);
        assert!(f.app.popup.is_some(), "asked first");
        key(&mut f.app, KeyCode::Enter);
        assert!(f.app.popup.is_none(), "the vote went through");
        if n == 0 {
            // The same expert again is refused.
            let e = review::act(
                &f.cx(),
                &smarteka::store::blobs::Blobs::new(f.dir.path()),
                f.app.user.as_ref().expect("expert"),
                id,
                smarteka::domain::workflow::Action::VoteApprove,
                &review::ActInput::default(),
            )
            .expect_err("twice");
            assert!(e.message().contains("уже проголосовали"), "{e}");
        }
    }
    assert_eq!(status(&f.app, id), PracticeStatus::RatingVerification);

    // The rating committee verifies; the Модератор АСИ publishes.
    sign_in(&mut f.app, "rating");
    select_in_queue(&mut f.app, "verification", id);
    key(&mut f.app, KeyCode::Char('a'));
    choose(&mut f.app, id, "verify");
    key(&mut f.app, KeyCode::Enter);
    sign_in(&mut f.app, "asi");
    select_in_queue(&mut f.app, "publication", id);
    insta::assert_snapshot!("queues_80x24", masked(&screen(&f.app, 80, 24)));
    key(&mut f.app, KeyCode::Char('a'));
    choose(&mut f.app, id, "publish");
    key(&mut f.app, KeyCode::Enter);
    assert_eq!(status(&f.app, id), PracticeStatus::Published);
    assert!(
        f.app
            .message
            .as_ref()
            .is_some_and(|m| m.text.contains("Опубликована")),
        "{:?}",
        f.app.message
    );

    // The audit trail: every step with who did it.
    let steps = review::history(&f.app.store, id).expect("history");
    let trail: Vec<(String, String)> = steps
        .iter()
        .map(|s| (s.action.clone(), s.actor.clone()))
        .collect();
    let want = [
        ("practice.create", "author"),
        ("submit", "author"),
        ("return", "coordinator"),
        ("practice.edit", "author"),
        ("resubmit", "author"),
        ("confirm", "coordinator"),
        ("set-level", "moderator"),
        ("send-to-experts", "moderator"),
        ("vote-approve", "expert1"),
        ("vote-approve", "expert2"),
        ("vote-approve", "expert3"),
        ("verify", "rating"),
        ("publish", "asi"),
    ];
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect();
    assert_eq!(trail, want);
    let confirm = steps[5].transition.as_ref().expect("a transition");
    assert_eq!(
        (confirm.from, confirm.to),
        (
            PracticeStatus::RegionConfirmation,
            PracticeStatus::Packaging
        )
    );
    assert_eq!(confirm.documents.len(), 1);
    assert_eq!(
        steps[2].transition.as_ref().map(|t| t.comment.as_str()),
        Some("Добавьте результаты 2025 года")
    );

    // The catalogue shows it published; its history in the workstation.
    back_to_catalogue(&mut f.app);
    key(&mut f.app, KeyCode::Char('/'));
    typ(&mut f.app, "единое окно поддержки семей");
    key(&mut f.app, KeyCode::Enter);
    let row = f
        .app
        .catalogue
        .rows
        .iter()
        .find(|r| r.id == id)
        .expect("in the catalogue");
    assert_eq!(row.status, PracticeStatus::Published.name());
    key(&mut f.app, KeyCode::Char('h'));
    let s = screen(&f.app, 80, 24);
    assert!(s.contains("История") && s.contains("(author)"), "{s}");
}

#[test]
fn bulk_assignment_from_the_queue() {
    let mut f = app(300);
    sign_in(&mut f.app, "asi");
    let user = f.app.user.clone().expect("asi");
    let queues = review::queues(&f.app.cx(), &user).expect("queues");
    let tab = queues
        .iter()
        .position(|q| q.code == "assign")
        .expect("queue");
    let assign = &queues[tab];
    assert!(assign.items.len() >= 2, "the demo has unassigned practices");
    let ids: Vec<PracticeId> = assign.items.iter().take(2).map(|i| i.id).collect();
    key(&mut f.app, KeyCode::Char('o'));
    for _ in 0..tab {
        key(&mut f.app, KeyCode::Tab);
    }
    key(&mut f.app, KeyCode::Char(' '));
    key(&mut f.app, KeyCode::Char(' '));
    key(&mut f.app, KeyCode::Char('a'));
    let s = screen(&f.app, 80, 24);
    assert!(s.contains("отмечено практик: 2"), "{s}");
    // Assign is the first action of the Модератор АСИ.
    key(&mut f.app, KeyCode::Enter);
    let s = screen(&f.app, 80, 24);
    assert!(
        s.contains("Эксперт-модератор") && s.contains("(moderator)"),
        "{s}"
    );
    // Several: what each would get comes first, nothing written yet.
    let seq = f.app.store.last_seq().expect("seq");
    key(&mut f.app, KeyCode::Enter);
    let s = screen(&f.app, 80, 24);
    assert!(s.contains("Будет выполнено: 2, откажет: 0"), "{s}");
    assert!(s.contains("✓"), "{s}");
    assert_eq!(
        f.app.store.last_seq().expect("seq"),
        seq,
        "a preview writes nothing"
    );
    // Esc goes back to the form as it was; Enter previews again.
    key(&mut f.app, KeyCode::Esc);
    assert!(!screen(&f.app, 80, 24).contains("Будет выполнено"));
    key(&mut f.app, KeyCode::Enter);
    key(&mut f.app, KeyCode::Enter);
    assert_eq!(
        f.app.store.last_seq().expect("seq"),
        seq + 2,
        "one command each"
    );
    assert!(
        f.app
            .message
            .as_ref()
            .is_some_and(|m| m.text.contains("практик — 2")),
        "{:?}",
        f.app.message
    );
    let moderator = f
        .app
        .store
        .user_by_login("moderator")
        .expect("read")
        .expect("exists");
    for id in ids {
        let p = f.app.store.practice(id).expect("read").expect("exists");
        assert_eq!(p.workflow.expert_moderator, Some(moderator.id));
    }
}

#[test]
fn a_refused_action_keeps_the_form_and_changes_nothing() {
    let mut f = app(150);
    sign_in(&mut f.app, "coordinator");
    let user = f.app.user.clone().expect("coordinator");
    let queues = review::queues(&f.app.cx(), &user).expect("queues");
    let id = queues[0].items[0].id;
    let before = f.app.store.practice(id).expect("read");
    select_in_queue(&mut f.app, "confirmation", id);
    key(&mut f.app, KeyCode::Char('a'));
    choose(&mut f.app, id, "reject");
    key(&mut f.app, KeyCode::Enter);
    assert!(f.app.popup.is_some(), "the form stays");
    assert!(screen(&f.app, 80, 24).contains("Укажите комментарий"));
    assert_eq!(f.app.store.practice(id).expect("read"), before);
}

#[test]
fn the_author_revises_in_the_editor_and_f9_resubmits() {
    let mut f = app(150);
    sign_in(&mut f.app, "author");
    let user = f.app.user.clone().expect("author");
    let queues = review::queues(&f.app.cx(), &user).expect("queues");
    let returned = queues.iter().find(|q| q.code == "returned").expect("queue");
    let id = returned.items[0].id;
    let before = f.app.store.practice(id).expect("read").expect("exists");
    assert!(before.workflow.returned.is_some());
    select_in_queue(&mut f.app, "returned", id);
    key(&mut f.app, KeyCode::Char('e'));
    assert_eq!(f.app.stack.len(), 2, "the editor opens over the queue");
    typ(&mut f.app, " (доработано)");
    key(&mut f.app, KeyCode::F(9));
    let p = f.app.store.practice(id).expect("read").expect("exists");
    assert!(p.workflow.returned.is_none(), "resubmitted");
    assert_eq!(
        p.status, before.status,
        "back to the stage that returned it"
    );
    assert!(
        p.passport.title.contains("(доработано)"),
        "{}",
        p.passport.title
    );
    assert_eq!(f.app.stack.len(), 1, "back in «Очереди»");
    let s = screen(&f.app, 80, 24);
    assert!(s.contains("Мои на доработке (0)"), "{s}");
}

/// Keys typed while a screen loads wait for it: `o a` typed together opens
/// «Очереди» and then the actions of its first practice.
#[test]
fn keys_typed_ahead_wait_for_the_screen() {
    let mut f = app(300);
    sign_in(&mut f.app, "asi");
    // No settling in between: the queues are still loading when `a` comes.
    for c in ['o', 'a'] {
        f.app
            .on_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
    f.app.settle();
    let s = screen(&f.app, 80, 24);
    assert!(
        f.app
            .popup
            .as_ref()
            .is_some_and(|p| p.title().contains("Действия")),
        "the actions opened after the queues loaded:\n{s}"
    );
}
