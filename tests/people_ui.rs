//! «Профиль» and «Пользователи» in the workstation, driven by keys at
//! 80×24: what each role sees, what a key changes in the store, and that
//! a form or a withdrawal asks before anything is lost or changed.

mod common;

use crossterm::event::KeyCode;
use smarteka::domain::Role;
use smarteka::domain::user::ConsentKind;

use common::{app, key, screen, sign_in, typ};

#[test]
fn the_profile_edits_the_data_and_gives_and_withdraws_consents() {
    let mut f = app(30);
    sign_in(&mut f.app, "author");
    key(&mut f.app, KeyCode::Char('p'));
    let s = screen(&f.app, 80, 24);
    assert!(s.contains("Профиль · author"), "{s}");
    assert!(s.contains("Профиль заполнен полностью."), "{s}");
    assert!(s.contains("[x] Правила пользования"), "{s}");

    // The position is changed in the form and saved with Enter.
    key(&mut f.app, KeyCode::Char('e'));
    for _ in 0..3 {
        key(&mut f.app, KeyCode::Tab);
    }
    for _ in 0..60 {
        key(&mut f.app, KeyCode::Backspace);
    }
    typ(&mut f.app, "Консультант");
    // Esc with the change typed asks first; any other key goes on.
    key(&mut f.app, KeyCode::Esc);
    assert!(screen(&f.app, 80, 24).contains("Введённое не сохранится"));
    key(&mut f.app, KeyCode::Enter);
    let stored = |f: &common::Fixture| {
        f.app
            .store
            .user_by_login("author")
            .expect("reads")
            .expect("author")
    };
    assert_eq!(stored(&f).profile.position, "Консультант");
    assert!(screen(&f.app, 80, 24).contains("Консультант"));

    // A bad phone is refused with the reason, and nothing is saved.
    key(&mut f.app, KeyCode::Char('e'));
    for _ in 0..4 {
        key(&mut f.app, KeyCode::Tab);
    }
    for _ in 0..30 {
        key(&mut f.app, KeyCode::Backspace);
    }
    typ(&mut f.app, "+7 843 111-22-33");
    key(&mut f.app, KeyCode::Enter);
    let s = screen(&f.app, 80, 24);
    assert!(s.contains("мобильного"), "{s}");
    assert!(stored(&f).profile.phone != "+7 843 111-22-33");
    key(&mut f.app, KeyCode::Esc);
    key(&mut f.app, KeyCode::Esc);

    // The consent to distribution: Space asks, Esc keeps it, Enter
    // withdraws it; Space again gives it back.
    key(&mut f.app, KeyCode::Down);
    key(&mut f.app, KeyCode::Down);
    key(&mut f.app, KeyCode::Char(' '));
    let s = screen(&f.app, 80, 24);
    assert!(s.contains("участник"), "{s}");
    key(&mut f.app, KeyCode::Esc);
    assert!(stored(&f).has_consent(ConsentKind::PersonalDataForDistribution));
    key(&mut f.app, KeyCode::Char(' '));
    key(&mut f.app, KeyCode::Enter);
    assert!(!stored(&f).has_consent(ConsentKind::PersonalDataForDistribution));
    assert!(screen(&f.app, 80, 24).contains("[ ] Распространение"));
    key(&mut f.app, KeyCode::Char(' '));
    assert!(stored(&f).has_consent(ConsentKind::PersonalDataForDistribution));

    // Ctrl-o: a photo from a file, checked by its content.
    let ctrl_o = |f: &mut common::Fixture| {
        f.app.on_key(crossterm::event::KeyEvent::new(
            KeyCode::Char('o'),
            crossterm::event::KeyModifiers::CONTROL,
        ));
        f.app.settle();
    };
    let before = stored(&f).profile.photo;
    ctrl_o(&mut f);
    typ(
        &mut f.app,
        concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"),
    );
    key(&mut f.app, KeyCode::Enter);
    assert!(screen(&f.app, 80, 24).contains("не изображение"));
    key(&mut f.app, KeyCode::Esc);
    key(&mut f.app, KeyCode::Esc);
    ctrl_o(&mut f);
    typ(
        &mut f.app,
        concat!(env!("CARGO_MANIFEST_DIR"), "/assets/examples/cover.png"),
    );
    key(&mut f.app, KeyCode::Enter);
    let after = stored(&f).profile.photo;
    assert!(after.is_some() && after != before);

    // m: mail notices off and on.
    key(&mut f.app, KeyCode::Char('m'));
    assert!(stored(&f).mail_opt_out);
    assert!(screen(&f.app, 80, 24).contains("только сроки"));
    key(&mut f.app, KeyCode::Char('m'));
    assert!(!stored(&f).mail_opt_out);
    // q goes back to the catalogue.
    key(&mut f.app, KeyCode::Char('q'));
    assert!(f.app.stack.is_empty());
}

#[test]
fn the_coordinator_confirms_and_the_asi_moderator_grants_in_users() {
    let mut f = app(30);
    // team2 is of the coordinator's region, without access to passports.
    let team2 = f
        .app
        .store
        .user_by_login("team2")
        .expect("reads")
        .expect("team2");
    let region = team2.profile.region.clone().expect("a region");
    sign_in(&mut f.app, "coordinator");
    let coordinator = f.app.user.clone().expect("signed in");
    assert!(
        coordinator
            .regions_for(Role::Coordinator)
            .contains(&region.as_str())
    );
    key(&mut f.app, KeyCode::Char('u'));
    key(&mut f.app, KeyCode::Char('/'));
    typ(&mut f.app, "team2");
    key(&mut f.app, KeyCode::Enter);
    let s = screen(&f.app, 80, 24);
    assert!(s.contains("(team2)"), "{s}");
    key(&mut f.app, KeyCode::Enter);
    let s = screen(&f.app, 80, 24);
    assert!(s.contains("Подтвердить пользователя"), "{s}");
    assert!(
        !s.contains("Дать роль"),
        "a coordinator gives no roles: {s}"
    );
    key(&mut f.app, KeyCode::Enter);
    let verified = |f: &common::Fixture| {
        f.app
            .store
            .user_by_login("team2")
            .expect("reads")
            .expect("team2")
    };
    assert!(verified(&f).verified.is_some());

    sign_in(&mut f.app, "asi");
    key(&mut f.app, KeyCode::Char('u'));
    // f: those waiting for access.
    key(&mut f.app, KeyCode::Char('f'));
    let s = screen(&f.app, 80, 24);
    assert!(s.contains("ждут доступа"), "{s}");
    assert!(s.contains("(team2)"), "{s}");
    key(&mut f.app, KeyCode::Enter);
    // The first step offered is the grant.
    key(&mut f.app, KeyCode::Enter);
    assert!(verified(&f).has_role(Role::Author));
    // A role with the scope it needs: an expert-moderator's is a category.
    key(&mut f.app, KeyCode::Char('f'));
    key(&mut f.app, KeyCode::Char('f'));
    key(&mut f.app, KeyCode::Char('/'));
    typ(&mut f.app, "team2");
    key(&mut f.app, KeyCode::Enter);
    key(&mut f.app, KeyCode::Enter);
    key(&mut f.app, KeyCode::Enter); // «Дать роль…»
    // Expert-moderator is the third role offered (experts join pools).
    for _ in 0..2 {
        key(&mut f.app, KeyCode::Right);
    }
    key(&mut f.app, KeyCode::Enter);
    let s = screen(&f.app, 80, 24);
    assert!(s.contains("нужны категории"), "{s}");
    key(&mut f.app, KeyCode::Tab);
    key(&mut f.app, KeyCode::Tab);
    key(&mut f.app, KeyCode::Right);
    key(&mut f.app, KeyCode::Enter);
    assert!(
        verified(&f).has_role(Role::ExpertModerator),
        "{}",
        screen(&f.app, 80, 24)
    );
}

#[test]
fn region_pages_are_public_and_kept_by_the_coordinator() {
    let mut f = app(30);
    // Anyone reads «Регионы»; no one signed in may edit.
    key(&mut f.app, KeyCode::Char('R'));
    let s = screen(&f.app, 80, 24);
    assert!(s.contains(" Регионы"), "{s}");
    assert!(s.contains("обновить"), "{s}");
    key(&mut f.app, KeyCode::Char('/'));
    typ(&mut f.app, "татарстан");
    key(&mut f.app, KeyCode::Enter);
    key(&mut f.app, KeyCode::Enter);
    let s = screen(&f.app, 80, 24);
    assert!(s.contains("Республика Татарстан"), "{s}");
    assert!(s.contains("Координатор:"), "{s}");
    assert!(s.contains("Ждёт ежегодного обновления"), "{s}");
    key(&mut f.app, KeyCode::Char('e'));
    let s = screen(&f.app, 80, 24);
    assert!(s.contains("ведёт координатор региона"), "{s}");
    // q: to the list; again: the kept search is dropped; again: out.
    key(&mut f.app, KeyCode::Char('q'));
    key(&mut f.app, KeyCode::Char('q'));
    assert!(!screen(&f.app, 80, 24).contains("поиск:"));
    key(&mut f.app, KeyCode::Char('q'));
    assert!(f.app.stack.is_empty());

    sign_in(&mut f.app, "coordinator");
    let region = f
        .app
        .user
        .clone()
        .expect("signed in")
        .regions_for(Role::Coordinator)[0]
        .to_owned();
    key(&mut f.app, KeyCode::Char('R'));
    key(&mut f.app, KeyCode::Char('/'));
    typ(&mut f.app, &region);
    key(&mut f.app, KeyCode::Enter);
    key(&mut f.app, KeyCode::Enter);
    key(&mut f.app, KeyCode::Char('e'));
    typ(&mut f.app, "Минниханов Рустам Нургалиевич");
    key(&mut f.app, KeyCode::Enter);
    // The position is missing: refused with the reason, kept in the form.
    let s = screen(&f.app, 80, 24);
    assert!(s.contains("должность главы"), "{s}");
    key(&mut f.app, KeyCode::Tab);
    typ(&mut f.app, "Раис Республики Татарстан");
    key(&mut f.app, KeyCode::Enter);
    let page = f
        .app
        .store
        .region_page(&region)
        .expect("reads")
        .expect("saved");
    assert_eq!(page.head, "Минниханов Рустам Нургалиевич");
    let s = screen(&f.app, 80, 24);
    assert!(s.contains("Глава региона: Минниханов"), "{s}");
    assert!(!s.contains("Ждёт ежегодного обновления"), "{s}");
}

#[test]
fn withdrawing_the_consent_to_processing_signs_out_and_users_is_not_for_authors() {
    let mut f = app(20);
    sign_in(&mut f.app, "author");
    key(&mut f.app, KeyCode::Char('u'));
    assert!(f.app.stack.is_empty(), "not opened for an author");
    let s = screen(&f.app, 80, 24);
    assert!(s.contains("Нужна роль координатора или АСИ."), "{s}");
    key(&mut f.app, KeyCode::Char('p'));
    key(&mut f.app, KeyCode::Down);
    key(&mut f.app, KeyCode::Char(' '));
    assert!(screen(&f.app, 80, 24).contains("будет отключена"));
    key(&mut f.app, KeyCode::Enter);
    assert!(f.app.user.is_none(), "signed out at once");
    assert!(f.app.stack.is_empty());
    let u = f
        .app
        .store
        .user_by_login("author")
        .expect("reads")
        .expect("author");
    assert!(u.disabled && !u.has_consent(ConsentKind::PersonalData));
    // Signing in again is refused, and the reason can be read whole.
    key(&mut f.app, KeyCode::Char('l'));
    typ(&mut f.app, "author");
    key(&mut f.app, KeyCode::Tab);
    typ(&mut f.app, "demo");
    key(&mut f.app, KeyCode::Enter);
    let s = screen(&f.app, 80, 24);
    assert!(s.contains("модератору АСИ"), "{s}");
}

#[test]
fn an_expert_moderator_forms_the_pool_of_their_category_in_users() {
    let mut f = app(20);
    sign_in(&mut f.app, "moderator");
    let mine = f
        .app
        .user
        .clone()
        .expect("signed in")
        .categories_for(Role::ExpertModerator)[0]
        .to_owned();
    key(&mut f.app, KeyCode::Char('u'));
    key(&mut f.app, KeyCode::Char('/'));
    typ(&mut f.app, "team1");
    key(&mut f.app, KeyCode::Enter);
    key(&mut f.app, KeyCode::Enter);
    let s = screen(&f.app, 80, 24);
    assert!(s.contains("Включить в экспертный пул"), "{s}");
    assert!(
        !s.contains("Дать роль"),
        "an expert-moderator gives no roles: {s}"
    );
    key(&mut f.app, KeyCode::Enter);
    // One condition is not enough (§4.4.4).
    key(&mut f.app, KeyCode::Tab);
    key(&mut f.app, KeyCode::Tab);
    key(&mut f.app, KeyCode::Char(' '));
    key(&mut f.app, KeyCode::Tab);
    key(&mut f.app, KeyCode::Tab);
    key(&mut f.app, KeyCode::Tab);
    typ(&mut f.app, "Заместитель директора департамента");
    key(&mut f.app, KeyCode::Enter);
    let s = screen(&f.app, 80, 24);
    assert!(s.contains("4.4.4"), "{s}");
    let team1 = |f: &common::Fixture| {
        f.app
            .store
            .user_by_login("team1")
            .expect("reads")
            .expect("team1")
    };
    assert!(
        !team1(&f)
            .categories_for(Role::Expert)
            .contains(&mine.as_str())
    );
    key(&mut f.app, KeyCode::BackTab);
    key(&mut f.app, KeyCode::BackTab);
    key(&mut f.app, KeyCode::Char(' '));
    key(&mut f.app, KeyCode::Enter);
    let u = team1(&f);
    assert!(
        u.categories_for(Role::Expert).contains(&mine.as_str()),
        "{}",
        screen(&f.app, 80, 24)
    );
    assert_eq!(u.pool.len(), 1);
    assert_eq!(u.pool[0].conditions.len(), 2);
}

/// A new person signs up from the workstation's sign-in window (F3): the
/// consents ticked one by one with their text in view, the code from the
/// mail the server queued, and the workstation then linked to the server
/// as them and syncing; F4 restores a password by a code.
#[test]
fn sign_up_and_a_forgotten_password_from_the_workstation() {
    let central = common::Central::start(10);
    let f = &mut common::app_on(tempfile::tempdir().expect("tempdir"));
    key(&mut f.app, KeyCode::Char('l'));
    key(&mut f.app, KeyCode::F(3));
    let s = screen(&f.app, 80, 24);
    assert!(s.contains("Регистрация"), "{s}");
    typ(&mut f.app, &central.url);
    key(&mut f.app, KeyCode::Tab);
    typ(&mut f.app, "novikova");
    key(&mut f.app, KeyCode::Tab);
    typ(&mut f.app, "novikova@tatar.example.ru");
    key(&mut f.app, KeyCode::Tab);
    typ(&mut f.app, "Новикова Анна Павловна");
    key(&mut f.app, KeyCode::Tab);
    key(&mut f.app, KeyCode::Right); // the first region
    key(&mut f.app, KeyCode::Tab);
    typ(&mut f.app, "пароль-новиковой");
    key(&mut f.app, KeyCode::Tab);
    typ(&mut f.app, "пароль-новиковой");
    // Without the consents the server refuses and says why.
    key(&mut f.app, KeyCode::Enter);
    let s = screen(&f.app, 80, 24);
    assert!(s.contains("4.1.2"), "{s}");
    // Each consent's text is in view while its box is in focus.
    for _ in 0..3 {
        key(&mut f.app, KeyCode::Tab);
        key(&mut f.app, KeyCode::Char(' '));
    }
    let s = screen(&f.app, 80, 24);
    assert!(s.contains("152-ФЗ") || s.contains("распространение"), "{s}");
    key(&mut f.app, KeyCode::Enter);
    let s = screen(&f.app, 80, 24);
    assert!(s.contains("Код из письма"), "{s}");
    // An empty code asks for another one; the last one sent works.
    key(&mut f.app, KeyCode::Enter);
    let s = screen(&f.app, 80, 24);
    assert!(s.contains("ещё не подтверждён"), "{s}");
    let mail = central.store.waiting_mail(10).expect("mail");
    let code: String = mail
        .iter()
        .rev()
        .find(|(_, m)| m.to == "novikova@tatar.example.ru")
        .and_then(|(_, m)| m.body.split("--confirm ").nth(1))
        .expect("a code")
        .chars()
        .take(6)
        .collect();
    typ(&mut f.app, &code);
    key(&mut f.app, KeyCode::Enter);
    assert!(f.app.popup.is_none(), "{}", screen(&f.app, 80, 24));
    assert!(f.app.sync.is_some(), "the workstation syncs now");
    assert!(f.app.store.client_id().expect("reads").is_some(), "linked");
    let on_server = central
        .store
        .user_by_login("novikova")
        .expect("reads")
        .expect("registered");
    assert!(on_server.email_verified);
    assert!(on_server.has_consent(ConsentKind::PersonalDataForDistribution));

    // F4: a code by mail, then the new password.
    key(&mut f.app, KeyCode::Char('l'));
    key(&mut f.app, KeyCode::F(4));
    let s = screen(&f.app, 80, 24);
    assert!(s.contains("Восстановление пароля"), "{s}");
    key(&mut f.app, KeyCode::Tab);
    typ(&mut f.app, "novikova");
    key(&mut f.app, KeyCode::Enter);
    let mail = central.store.waiting_mail(20).expect("mail");
    let code: String = mail
        .iter()
        .find_map(|(_, m)| m.body.split("--code ").nth(1))
        .expect("a reset code")
        .chars()
        .take(6)
        .collect();
    typ(&mut f.app, &code);
    key(&mut f.app, KeyCode::Tab);
    typ(&mut f.app, "новый-пароль-1");
    key(&mut f.app, KeyCode::Tab);
    typ(&mut f.app, "новый-пароль-1");
    key(&mut f.app, KeyCode::Enter);
    assert!(f.app.popup.is_none(), "{}", screen(&f.app, 80, 24));
    assert!(
        smarteka::service::accounts::check(&central.store, "novikova", "новый-пароль-1").is_ok()
    );
}
