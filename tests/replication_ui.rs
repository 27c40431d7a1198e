//! «Тиражирование» in the workstation at 80×24: «Хочу внедрить» from the
//! passport view, the Модератор АСИ assigning a moderator from the
//! application's window, the list by status and the yearly summary.

mod common;

use crossterm::event::KeyCode;
use smarteka::domain::ReplicationStatus;
use smarteka::screens::Effect;

use common::{key, screen, sign_in, typ};

/// Dates and counts change with the day the test runs.
fn masked(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_digit() { '#' } else { c })
        .collect()
}

#[test]
fn apply_assign_and_the_summary_in_the_workstation() {
    let mut f = common::app(60);
    let store = f.app.store.clone();
    let taken: Vec<_> = store
        .applications()
        .expect("read")
        .iter()
        .map(|a| a.practice)
        .collect();
    let practice = store
        .practices()
        .filter_map(Result::ok)
        .find(|p| {
            p.status == smarteka::domain::PracticeStatus::Published
                && !taken.contains(&p.id)
                && p.passport.regions.author.as_deref() != Some(smarteka::demo::RECIPIENT_REGION)
        })
        .expect("a published practice")
        .id;

    // The recipient: w in the passport view, the event, the confirmation.
    sign_in(&mut f.app, "recipient");
    f.app.apply(vec![Effect::OpenPassport(practice)]);
    f.app.settle();
    key(&mut f.app, KeyCode::Char('w'));
    typ(&mut f.app, "Демо-день в Казани");
    key(&mut f.app, KeyCode::Enter);
    let s = screen(&f.app, 80, 24);
    assert!(
        s.contains("подтвердите"),
        "refused without the confirmation:\n{s}"
    );
    key(&mut f.app, KeyCode::Tab);
    key(&mut f.app, KeyCode::Char(' '));
    let s = screen(&f.app, 80, 24);
    insta::assert_snapshot!("apply_80x24", s);
    key(&mut f.app, KeyCode::Enter);
    assert!(f.app.popup.is_none(), "the window closes once applied");
    let app_id = store
        .applications()
        .expect("read")
        .into_iter()
        .find(|a| a.practice == practice)
        .expect("applied")
        .id;
    // The passport view lists it at once.
    key(&mut f.app, KeyCode::End);
    let s = screen(&f.app, 80, 24);
    assert!(s.contains("• Новосибирская область — Заявка подана"), "{s}");

    // The Модератор АСИ finds it in «Уведомления» under the practice's
    // title, and Enter opens the practice.
    sign_in(&mut f.app, "asi");
    let title = store
        .practice(practice)
        .expect("read")
        .expect("exists")
        .passport
        .title;
    key(&mut f.app, KeyCode::Char('i'));
    let s = screen(&f.app, 120, 40);
    assert!(!s.contains("«»"), "{s}");
    let short: String = title.chars().take(20).collect();
    assert!(s.contains(&short), "the notice names «{title}»:\n{s}");
    // The newest notice first: Enter opens its practice.
    key(&mut f.app, KeyCode::Enter);
    let s = screen(&f.app, 120, 40);
    assert!(s.contains("Паспорт практики") && s.contains(&short), "{s}");
    while !f.app.stack.is_empty() {
        key(&mut f.app, KeyCode::Esc);
    }

    // The Модератор АСИ: t, the application first among «Заявка подана».
    key(&mut f.app, KeyCode::Char('t'));
    key(&mut f.app, KeyCode::Char('/'));
    typ(&mut f.app, &title);
    key(&mut f.app, KeyCode::Enter);
    let s = screen(&f.app, 80, 24);
    insta::assert_snapshot!("list_80x24", masked(&s));
    key(&mut f.app, KeyCode::Enter);
    key(&mut f.app, KeyCode::Char('a'));
    let s = screen(&f.app, 80, 24);
    assert!(s.contains("Назначить модератора внедрения"), "{s}");
    assert!(
        s.contains("Реципиент не ответил"),
        "steps not allowed now are listed:\n{s}"
    );
    // The reason of the one selected, whole.
    key(&mut f.app, KeyCode::Down);
    let s = screen(&f.app, 80, 24);
    assert!(s.contains("Недоступно: В статусе «Заявка подана»"), "{s}");
    key(&mut f.app, KeyCode::Up);
    key(&mut f.app, KeyCode::Enter);
    // The moderator is chosen among those who hold the role, by name.
    let s = screen(&f.app, 80, 24);
    assert!(s.contains("Васильев Алексей Николаевич (impl)"), "{s}");
    key(&mut f.app, KeyCode::Enter);
    let a = store.application(app_id).expect("read").expect("exists");
    assert_eq!(a.status, ReplicationStatus::ModeratorAssigned);
    let s = screen(&f.app, 80, 24);
    assert!(s.contains("Назначен модератор внедрения"), "{s}");
    assert!(
        s.contains("связаться с реципиентом"),
        "the contact deadline:\n{s}"
    );
    // The Agency's refusal: its grounds chosen by name, not typed as codes.
    key(&mut f.app, KeyCode::Char('a'));
    for _ in 0..12 {
        key(&mut f.app, KeyCode::Down);
    }
    key(&mut f.app, KeyCode::Enter);
    let s = screen(&f.app, 80, 24);
    assert!(
        s.contains("Основание отказа") && s.contains("отсутствие у реципиента полномочий"),
        "{s}"
    );
    key(&mut f.app, KeyCode::Right);
    let s = screen(&f.app, 80, 24);
    assert!(s.contains("неверно предоставленные контактные"), "{s}");
    key(&mut f.app, KeyCode::Esc);

    // The summary with its bars.
    key(&mut f.app, KeyCode::Esc);
    key(&mut f.app, KeyCode::Char('y'));
    let s = screen(&f.app, 80, 24);
    // The demo's applications are dated from today, so the bars move
    // with the calendar: the figures are checked against the store instead.
    assert!(s.contains("По статусам") && s.contains('█'), "{s}");
    let year = chrono::Datelike::year(&chrono::Local::now());
    let total = store
        .applications()
        .expect("read")
        .iter()
        .filter(|a| chrono::Datelike::year(&a.applied) == year)
        .count();
    assert!(s.contains(&format!("{year} год: заявок {total}")), "{s}");
    // Every row is there: the screen scrolls to the archive candidates,
    // and no further than its last line.
    for _ in 0..30 {
        key(&mut f.app, KeyCode::PageDown);
    }
    let end = screen(&f.app, 80, 24);
    assert!(end.contains("Кандидаты в архив"), "{end}");
    assert!(
        !end.contains(&format!("{year} год: заявок")),
        "scrolled: {end}"
    );
}

/// Someone who may not apply is told so at `w`, before any form opens.
#[test]
fn want_to_implement_tells_a_non_recipient_at_once() {
    let mut f = common::app(30);
    let practice = f
        .app
        .store
        .practices()
        .filter_map(Result::ok)
        .find(|p| p.status == smarteka::domain::PracticeStatus::Published)
        .expect("a published practice")
        .id;
    sign_in(&mut f.app, "expert1");
    f.app.apply(vec![Effect::OpenPassport(practice)]);
    f.app.settle();
    key(&mut f.app, KeyCode::Char('w'));
    assert!(f.app.popup.is_none(), "no form to fill in vain");
    key(&mut f.app, KeyCode::Char('!'));
    let s = screen(&f.app, 80, 24);
    assert!(s.contains("доступно реципиенту"), "{s}");
}
