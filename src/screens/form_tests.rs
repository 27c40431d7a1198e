//! The form widget's fields, typed and completed.
use super::*;

fn press(form: &mut Form, code: KeyCode) {
    form.input(KeyEvent::new(code, KeyModifiers::NONE));
}

fn typ(form: &mut Form, s: &str) {
    for c in s.chars() {
        press(form, KeyCode::Char(c));
    }
}

#[test]
fn choices_step_and_jump_by_letter() {
    let options = vec![
        ("a".into(), "Первый".into()),
        ("b".into(), "Второй".into()),
        ("c".into(), "Третий".into()),
    ];
    let mut form = Form::new(vec![Field::choice("Вариант", options, "нет")]);
    assert_eq!(form.value("Вариант"), "a");
    press(&mut form, KeyCode::Left);
    assert_eq!(form.value("Вариант"), "c");
    press(&mut form, KeyCode::Char('в'));
    assert_eq!(form.value("Вариант"), "b");
    press(&mut form, KeyCode::Right);
    assert_eq!(form.value("Вариант"), "c");
}

#[test]
fn texts_take_several_lines_and_lines_stay_one() {
    let mut form = Form::new(vec![Field::text("Комментарий"), Field::line("Логин")]);
    typ(&mut form, "Первый пункт");
    form.input(KeyEvent::new(KeyCode::Char('j'), KeyModifiers::CONTROL));
    typ(&mut form, "второй");
    press(&mut form, KeyCode::Enter);
    assert_eq!(form.value("Комментарий"), "Первый пункт\nвторой");
    form.next();
    typ(&mut form, "ivanov");
    press(&mut form, KeyCode::Enter);
    assert_eq!(form.value("Логин"), "ivanov");
}

#[test]
fn a_path_completes_on_tab_then_tab_moves_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("дорожная-карта.pdf"), b"x").expect("write");
    let mut form = Form::new(vec![Field::path("Файл"), Field::text("Комментарий")]);
    typ(&mut form, &format!("{}/дор", dir.path().display()));
    form.next();
    assert_eq!(form.focus, 0, "the first Tab completes");
    assert!(form.value("Файл").ends_with("дорожная-карта.pdf"));
    form.next();
    assert_eq!(form.focus, 1, "nothing left to add: the next field");
}

#[test]
fn leaving_with_something_typed_asks_once() {
    let mut form = Form::new(vec![Field::text("Комментарий")]);
    assert!(form.may_leave(), "nothing typed: it just closes");
    typ(&mut form, "текст");
    assert!(!form.may_leave(), "asks first");
    press(&mut form, KeyCode::Left);
    assert!(!form.may_leave(), "another key went on: it asks again");
    assert!(form.may_leave(), "the second Esc leaves");
}

#[test]
fn a_date_is_checked_as_typed() {
    let mut form = Form::new(vec![Field::date("Начало")]);
    typ(&mut form, "31.02.2026");
    assert!(form.fields[0].problem().is_some());
    for _ in 0..10 {
        press(&mut form, KeyCode::Backspace);
    }
    typ(&mut form, "12.01.2026");
    assert_eq!(form.fields[0].problem(), None);
}

#[test]
fn path_completion() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("обложка-2025.png"), b"x").expect("write");
    std::fs::write(dir.path().join("обложка-2024.png"), b"x").expect("write");
    std::fs::create_dir(dir.path().join("документы")).expect("mkdir");
    let base = format!("{}/", dir.path().display());
    let (done, c) = complete_path(&format!("{base}обл"));
    assert_eq!(done, format!("{base}обложка-202"));
    assert_eq!(c.len(), 2);
    let (done, c) = complete_path(&format!("{base}док"));
    assert_eq!(done, format!("{base}документы/"));
    assert!(c.is_empty());
    let (done, _) = complete_path(&format!("{base}нет"));
    assert_eq!(done, format!("{base}нет"));
}
