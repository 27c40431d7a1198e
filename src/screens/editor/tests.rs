//! Tests of the editor: the rules shown per field, the form read back,
//! unreadable numbers.

use super::*;
use crate::domain::passport::Partner;
use crate::tui::worker::Draft;

fn editor_for(p: Passport) -> Editor {
    let user = crate::domain::fixtures::user(0, vec![]);
    let practice = crate::domain::Practice {
        id: uuid::Uuid::nil(),
        status: crate::domain::PracticeStatus::Draft,
        author: user.id,
        passport: p,
        revision: 1,
        created: chrono::Utc::now(),
        updated: chrono::Utc::now(),
        published: None,
        workflow: crate::domain::workflow::Workflow::default(),
    };
    let draft = Draft {
        practice,
        team: vec![],
        profiles: vec![],
    };
    Editor::new(&draft, user, 2026)
}

#[test]
fn every_field_rule_shows_in_the_editor() {
    let e = editor_for(Passport::default());
    let mut fields: Vec<Field> = e
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| f.field)
        .collect();
    fields.dedup();

    assert_eq!(fields, crate::domain::fixtures::REQUIRED);
}

#[test]
fn the_form_reads_back_what_it_shows() {
    let mut p = crate::domain::fixtures::valid();
    p.partners.push(Partner {
        name: "Фонд".into(),
        terms: "Соглашение".into(),
        responsibility: "Методика".into(),
    });
    p.rating_indicators = vec!["qol-social".into()];
    p.leader_project = true;
    let e = editor_for(p.clone());
    let (back, errs) = e.passport();
    assert!(errs.is_empty(), "{errs:?}");
    // The team is read from its lines when saved, not by the form.
    assert_eq!(back, p);
}

#[test]
fn unreadable_numbers_are_reported_and_keep_the_saved_value() {
    let p = Passport {
        year: Some(2024),
        ..Passport::default()
    };
    let mut e = editor_for(p);
    let i = e
        .items
        .iter()
        .position(|i| i.key == Key::Year)
        .expect("year");
    e.focus = i;
    e.input(KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE));
    let (back, errs) = e.passport();
    assert_eq!(back.year, Some(2024));
    assert!(errs.iter().any(|(_, m)| m.contains("не год")), "{errs:?}");
    assert!(
        e.findings
            .iter()
            .any(|f| f.field == Field::P23 && f.message.contains("не год"))
    );
}

fn focus(e: &mut Editor, key: Key) {
    e.focus = e.items.iter().position(|i| i.key == key).expect("item");
    e.cursor_to_end();
}

fn press(e: &mut Editor, code: KeyCode) {
    e.input(KeyEvent::new(code, KeyModifiers::NONE));
}

fn type_in(e: &mut Editor, text: &str) {
    for c in text.chars() {
        press(e, KeyCode::Char(c));
    }
}

fn ctrl(e: &mut Editor, c: char) {
    e.input(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
}

#[test]
fn undo_takes_back_a_word_at_a_time() {
    let mut e = editor_for(Passport::default());
    focus(&mut e, Key::Goal);
    type_in(&mut e, "Снизить очереди в");
    press(&mut e, KeyCode::Backspace);
    type_in(&mut e, "поликлиниках");
    assert_eq!(e.text(Key::Goal), "Снизить очереди поликлиниках");
    ctrl(&mut e, 'z');
    assert_eq!(e.text(Key::Goal), "Снизить очереди ");
    ctrl(&mut e, 'z');
    assert_eq!(e.text(Key::Goal), "Снизить очереди в");
    ctrl(&mut e, 'z');
    assert_eq!(e.text(Key::Goal), "Снизить очереди ");
    ctrl(&mut e, 'z');
    assert_eq!(e.text(Key::Goal), "Снизить ");
    ctrl(&mut e, 'y');
    ctrl(&mut e, 'y');
    assert_eq!(e.text(Key::Goal), "Снизить очереди в");
    // An edit after undoing drops what could be redone.
    type_in(&mut e, "о");
    ctrl(&mut e, 'y');
    assert_eq!(e.text(Key::Goal), "Снизить очереди во");
}

#[test]
fn arrows_leave_a_text_only_from_its_first_or_last_line() {
    let p = Passport {
        goal: "первая строка\nвторая строка".into(),
        ..Passport::default()
    };
    let mut e = editor_for(p);
    focus(&mut e, Key::Goal);
    let goal = e.focus;
    // The cursor is on the second line: ↑ moves inside the text.
    press(&mut e, KeyCode::Up);
    assert_eq!(e.focus, goal);
    press(&mut e, KeyCode::Up);
    assert_eq!(e.focus, goal - 1, "from the first line ↑ goes to the title");
    press(&mut e, KeyCode::Down);
    assert_eq!(e.focus, goal, "the title has one line: ↓ comes back");
    // Coming down, the text is entered from its top: ↓ walks through it,
    // then from the last line leaves.
    press(&mut e, KeyCode::Down);
    assert_eq!(e.focus, goal, "the second line");
    press(&mut e, KeyCode::Down);
    assert_eq!(e.focus, goal + 1);
    // Ctrl-j starts a new line, as in every form.
    ctrl(&mut e, 'j');
    assert_eq!(e.focus, goal + 1);
}

#[test]
fn ctrl_j_adds_a_line_and_keeps_the_text() {
    let mut e = editor_for(Passport::default());
    focus(&mut e, Key::Tasks);
    type_in(&mut e, "Первая задача");
    ctrl(&mut e, 'j');
    type_in(&mut e, "Вторая");
    assert_eq!(e.text(Key::Tasks), "Первая задача\nВторая");
}

#[test]
fn long_texts_wrap_and_a_cut_one_says_so() {
    use ratatui::{Terminal, backend::TestBackend};
    let essence = "Жители записываются к врачу через единое окно, \
        а поликлиники видят очередь заранее и перераспределяют приём. "
        .repeat(6);
    let p = Passport {
        essence: essence.clone(),
        ..Passport::default()
    };
    let mut e = editor_for(p);
    focus(&mut e, Key::Essence);
    let (theme, _) = crate::tui::theme::Theme::load(&std::collections::BTreeMap::new());
    let keymap = crate::tui::keymap::Keymap::default();
    let draw = |e: &Editor| {
        let mut term = Terminal::new(TestBackend::new(80, 40)).expect("terminal");
        term.draw(|f| {
            let cx = crate::screens::RenderCx {
                theme: &theme,
                keymap: &keymap,
            };
            e.render(f, f.area(), &cx);
        })
        .expect("draw");
        let buf = term.backend().buffer().clone();
        (0..buf.area.height)
            .map(|y| {
                (0..buf.area.width)
                    .map(|x| buf[(x, y)].symbol().to_owned())
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
    };
    let rows = draw(&e);
    let shown: Vec<&String> = rows.iter().filter(|r| r.contains("поликлиники")).collect();
    assert!(shown.len() >= 4, "the focused text wraps: {rows:#?}");
    assert!(rows.iter().all(|r| !r.trim_end().ends_with('…')));
    // Unfocused, three lines and a mark that there is more.
    focus(&mut e, Key::Title);
    let rows = draw(&e);
    let at = rows
        .iter()
        .position(|r| r.contains("Суть практики"))
        .expect("label");
    assert!(rows[at + 1].contains("Жители"));
    assert!(rows[at + 3].trim_end().ends_with('…'), "{rows:#?}");
    assert!(!rows[at + 4].contains("поликлиники"));
}

#[test]
fn measurable_results_are_remarked_under_their_own_item() {
    let mut p = crate::domain::fixtures::valid();
    p.results.measures[0].after = "много".into();
    let e = editor_for(p);
    let at = |key: Key| e.items.iter().position(|i| i.key == key).expect("item");
    let under = |key: Key| -> Vec<String> {
        e.messages_for(at(key))
            .iter()
            .map(|f| f.message.clone())
            .collect()
    };
    assert!(
        under(Key::Measures)
            .iter()
            .any(|m| m.contains("должны быть числами")),
        "{:?}",
        under(Key::Measures)
    );
    assert!(under(Key::ResultsMain).is_empty());
}

#[test]
fn f8_jumps_to_the_next_remark_then_says_there_are_none() {
    let mut p = crate::domain::fixtures::valid();
    p.goal = String::new();
    p.criteria_confirmed = [true; crate::domain::passport::CRITERIA.len()];
    let mut e = editor_for(p);
    let at = |e: &Editor, key: Key| e.items.iter().position(|i| i.key == key).expect("item");
    assert!(e.handle(Action::NextProblem).is_empty());
    assert_eq!(e.focus, at(&e, Key::Goal));
    // The team's members are not registered in this fixture: the next one.
    e.handle(Action::NextProblem);
    assert_eq!(e.focus, at(&e, Key::Team));
    // Round to the top again.
    e.handle(Action::NextProblem);
    assert_eq!(e.focus, at(&e, Key::Goal));
    type_in(
        &mut e,
        "Сократить очереди в поликлиниках региона вдвое за два года",
    );
    e.findings.retain(|f| f.field != Field::P19);
    let said = e.handle(Action::NextProblem);
    assert!(
        matches!(&said[..], [Effect::Message(m)] if m.contains("нет")),
        "{}",
        said.len()
    );
}
