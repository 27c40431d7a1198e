//! «Отборы» through the command line on a demo store: the Agency records a
//! partner and a selection from JSON (a request later than two months
//! before intake refused), the list and the page, an author's application
//! with the mandatory criteria confirmed, and applications refused once
//! intake has closed.

mod common;

use std::path::Path;

use common::cli::{err, json, ok, out, refused, run};

fn write(dir: &Path, name: &str, v: &serde_json::Value) -> String {
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_vec_pretty(v).expect("json")).expect("write");
    p.display().to_string()
}

fn selection(
    partner: &str,
    opens: chrono::NaiveDate,
    requested: chrono::NaiveDate,
) -> serde_json::Value {
    let day = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    serde_json::json!({
        "partner": partner,
        "title": "Лучшие практики поддержки семей",
        "theme": "Поддержка семей с детьми",
        "criteria": [
            {"name": "Практика реализуется не менее года"},
            {"name": "Охват семей", "max_score": 10}
        ],
        "dates": {
            "requested": day(requested),
            "opens": day(opens),
            "closes": day(opens + chrono::Duration::days(30)),
            "evaluation_ends": day(opens + chrono::Duration::days(45)),
            "results": day(opens + chrono::Duration::days(50))
        },
        "experts": ["expert1", "expert2", "expert3"],
        "regulations": "Положение об отборе (утверждено 01.02.2026)"
    })
}

#[test]
fn a_selection_from_the_partner_to_an_application() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path();
    ok(&run(
        data,
        None,
        &["demo", "--practices", "120", "--seed", "1"],
    ));
    let today = chrono::Local::now().date_naive();

    // Only the Agency records partners.
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/examples/partner.json")
        .display()
        .to_string();
    refused(
        &run(data, Some("author"), &["partner", "new", "--from", &file]),
        &["Модератор АСИ"],
    );
    let said = out(&run(
        data,
        Some("asi"),
        &["partner", "new", "--from", &file],
    ));
    let partners = json(&run(data, None, &["partner", "list", "--json"]));
    let partner = partners[0]["id"].as_str().expect("id").to_owned();
    assert!(said.contains(&partner), "{said}");

    // A request a month before intake opens is refused, saying the rule.
    let late = write(
        data,
        "late.json",
        &selection(&partner, today + chrono::Duration::days(30), today),
    );
    refused(
        &run(data, Some("asi"), &["selection", "new", "--from", &late]),
        &["за два месяца", "§3.2.5"],
    );
    // Open now, requested in time.
    let open = write(
        data,
        "open.json",
        &selection(&partner, today, today - chrono::Duration::days(70)),
    );
    ok(&run(
        data,
        Some("asi"),
        &["selection", "new", "--from", &open],
    ));
    let list = json(&run(data, None, &["selection", "list", "--json"]));
    let id = list[0]["id"].as_str().expect("id").to_owned();
    let text = out(&run(data, None, &["selection", "list"]));
    assert!(text.contains("приём заявок, осталось дней: 31"), "{text}");

    // An author puts their draft forward: the yes/no criterion confirmed.
    let queues = json(&run(data, Some("author"), &["queue", "--json"]));
    let draft = queues
        .as_array()
        .expect("queues")
        .iter()
        .find(|q| q["code"] == "drafts")
        .and_then(|q| q["items"][0]["id"].as_str())
        .expect("a draft of the author's")
        .to_owned();
    refused(
        &run(data, Some("author"), &["selection", "apply", &id, &draft]),
        &["Практика реализуется не менее года"],
    );
    ok(&run(
        data,
        Some("author"),
        &["selection", "apply", &id, &draft, "--confirm-all"],
    ));
    refused(
        &run(
            data,
            Some("author"),
            &["selection", "apply", &id, &draft, "--confirm-all"],
        ),
        &["уже подана"],
    );
    let page = out(&run(data, Some("asi"), &["selection", "show", &id]));
    assert!(page.contains("Заявок: 1"), "{page}");
    assert!(
        page.contains("да/нет, обязательный") && page.contains("до 10 баллов"),
        "{page}"
    );
    // Another region's author does not see who applied.
    let seen = json(&run(
        data,
        Some("team2"),
        &["selection", "show", &id, "--json"],
    ));
    assert_eq!(seen["entries"].as_array().map(Vec::len), Some(0), "{seen}");

    // A selection whose intake closed yesterday takes no application.
    let closed = write(
        data,
        "closed.json",
        &selection(
            &partner,
            today - chrono::Duration::days(31),
            today - chrono::Duration::days(100),
        ),
    );
    let said = out(&run(
        data,
        Some("asi"),
        &["selection", "new", "--from", &closed],
    ));
    let closed_id = said
        .split_whitespace()
        .find_map(|w| uuid::Uuid::parse_str(w.trim_end_matches('.').trim_end_matches(':')).ok())
        .expect("the new id")
        .to_string();
    let o = run(
        data,
        Some("author"),
        &["selection", "apply", &closed_id, &draft, "--confirm-all"],
    );
    refused(&o, &["закончился"]);
    assert!(!err(&o).contains("panicked"));
}
