//! Tests of the editor: the rules shown per field, the form read back,
//! unreadable numbers, path completion.

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
