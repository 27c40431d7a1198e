//! The yearly life of published practices and the documents people print,
//! through the binary on a demo store: edit access asked and granted, the
//! audit, a proposal to archive decided, the printed passport, the
//! evaluation protocol formed from the votes and signed offline, and the
//! replication papers — the PDFs read back as text.

mod common;

use std::path::Path;

use common::cli::{act, err, json, ok, out, refused, run};
use serde_json::Value;

/// The pages and the text of a PDF, read back.
fn pdf_text(path: &Path) -> (usize, String) {
    let doc = lopdf::Document::load(path).expect("a PDF");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    let text = doc.extract_text(&pages).expect("its text");
    (pages.len(), text)
}

fn demo(data: &Path) {
    ok(&run(
        data,
        None,
        &["demo", "--practices", "150", "--seed", "1"],
    ));
}

fn queue_items(data: &Path, login: &str, code: &str) -> Vec<Value> {
    json(&run(data, Some(login), &["queue", "--json"]))
        .as_array()
        .expect("queues")
        .iter()
        .filter(|q| q["code"] == code)
        .flat_map(|q| q["items"].as_array().cloned().unwrap_or_default())
        .collect()
}

/// A published practice of a demo login, read from the store (closed
/// again before the binary runs).
fn published_of(data: &Path, login: &str) -> String {
    let store = smarteka::store::Store::open(data).expect("store");
    let user = store
        .user_by_login(login)
        .expect("reads")
        .expect("a demo login");
    store
        .practices()
        .map(|p| p.expect("reads"))
        .find(|p| {
            p.author == user.id
                && p.status == smarteka::domain::PracticeStatus::Published
                && p.workflow.edit_request.is_none()
        })
        .expect("a published practice of the login")
        .id
        .to_string()
}

fn show(data: &Path, id: &str) -> Value {
    json(&run(data, Some("asi"), &["practice", "show", id, "--json"]))
}

/// §4.5.3–4.5.6, §4.2.1.4, §4.6.1 on the binary.
#[test]
fn the_yearly_cycle_edit_access_audit_and_archiving() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path();
    demo(data);
    // The expert-moderator's audit of a published practice.
    let audit = queue_items(data, "moderator", "audit");
    let id = audit[0]["id"].as_str().expect("id").to_owned();
    let id = id.as_str();
    refused(
        &act(data, "moderator", id, &["audit"]),
        &["итог аудита", "in-order"],
    );
    ok(&act(
        data,
        "moderator",
        id,
        &["audit", "--reason", "in-order"],
    ));
    let v = show(data, id);
    let audits = v["workflow"]["audits"].as_array().expect("audits");
    assert_eq!(audits.last().expect("one")["result"], "in-order");
    assert_eq!(audits.last().expect("one")["by"], "moderator");
    assert!(
        queue_items(data, "moderator", "audit")
            .iter()
            .all(|i| i["id"] != id),
        "audited this year"
    );
    // The author asks for edit access; the Модератор АСИ grants it.
    let asked = queue_items(data, "asi", "edit-requests");
    assert!(!asked.is_empty(), "the demo has a request waiting");
    let own = published_of(data, "author");
    let own = own.as_str();
    refused(
        &act(data, "author", own, &["request-edit"]),
        &["комментарий"],
    );
    ok(&act(
        data,
        "author",
        own,
        &["request-edit", "--comment", "Обновились результаты за год"],
    ));
    refused(
        &act(data, "moderator", own, &["grant-edit"]),
        &["Модератор АСИ"],
    );
    ok(&act(data, "asi", own, &["grant-edit"]));
    assert_eq!(show(data, own)["status"], "Актуализация");
    ok(&act(data, "author", own, &["actualise"]));
    let v = show(data, own);
    assert_eq!(v["status"], "Опубликована");
    assert!(v["workflow"]["actualised"].is_string(), "{v}");
    // The coordinator proposes archiving; the Модератор АСИ decides, and
    // «База знаний» says why.
    refused(
        &act(
            data,
            "coordinator",
            own,
            &["propose-archive", "--reason", "stopped"],
        ),
        &["обоснование", "4.2.1.5"],
    );
    ok(&act(
        data,
        "coordinator",
        own,
        &[
            "propose-archive",
            "--reason",
            "stopped",
            "--comment",
            "Программа региона закрыта в 2026 году",
        ],
    ));
    assert!(
        queue_items(data, "asi", "archive-proposals")
            .iter()
            .any(|i| i["id"] == own)
    );
    ok(&act(
        data,
        "asi",
        own,
        &[
            "archive",
            "--reason",
            "stopped",
            "--comment",
            "По предложению координатора",
        ],
    ));
    // The history tells the public it moved, not who asked what.
    let steps = |login: Option<&str>| -> Vec<String> {
        json(&run(data, login, &["practice", "history", own, "--json"]))
            .as_array()
            .expect("steps")
            .iter()
            .filter_map(|s| s["action"].as_str().map(str::to_owned))
            .collect()
    };
    let public = steps(None);
    assert!(public.iter().any(|a| a == "archive"), "{public:?}");
    assert!(
        !public
            .iter()
            .any(|a| a == "request-edit" || a == "propose-archive"),
        "{public:?}"
    );
    let agency = steps(Some("asi"));
    assert!(
        agency.iter().any(|a| a == "request-edit") && agency.iter().any(|a| a == "propose-archive"),
        "{agency:?}"
    );
    let text = out(&run(data, Some("asi"), &["practice", "show", own]));
    assert!(
        text.contains("Переведена в «Базу знаний»: реализация практики в регионе прекращена")
            && text.contains("Программа региона закрыта"),
        "{text}"
    );
}

/// App. 3, §4.4.7: the protocol formed from the online votes and the
/// signers of an offline one, printed; the passport printed with its cover.
#[test]
fn protocols_and_the_passport_print_in_russian() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path();
    demo(data);
    let letter = data.join("протокол.pdf");
    std::fs::write(&letter, b"%PDF-1.4 protocol").expect("write");
    let letter = letter.display().to_string();
    let waiting = queue_items(data, "coordinator", "confirmation");
    let id = waiting[0]["id"].as_str().expect("id").to_owned();
    let other = queue_items(data, "moderator", "packaging")[0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    ok(&act(
        data,
        "coordinator",
        &id,
        &["confirm", "--attach", &letter],
    ));
    for p in [&id, &other] {
        if show(data, p)["passport"]["level"].is_null() {
            ok(&act(data, "moderator", p, &["set-level", "--level", "2"]));
        }
    }
    let id = id.as_str();
    refused(
        &run(data, Some("moderator"), &["practice", "protocol", id]),
        &["нет протокола"],
    );
    ok(&act(data, "moderator", id, &["send-to-experts"]));
    for e in ["expert1", "expert2", "expert3"] {
        ok(&act(data, e, id, &["vote-approve"]));
    }
    let text = out(&run(data, Some("moderator"), &["practice", "protocol", id]));
    assert!(
        text.contains("Протокол экспертной оценки практики")
            && text.contains("экспертиза пройдена")
            && text.contains("одобрить публикацию")
            && text.contains("п. 4.4.8"),
        "{text}"
    );
    let expert_name = {
        let store = smarteka::store::Store::open(data).expect("store");
        store
            .user_by_login("expert1")
            .expect("reads")
            .expect("expert1")
            .profile
            .full_name
    };
    let surname = expert_name.split_whitespace().next().expect("surname");
    assert!(text.contains(&expert_name), "{text}");
    let pdf = data.join("протокол-онлайн.pdf");
    let o = run(
        data,
        Some("moderator"),
        &[
            "practice",
            "protocol",
            id,
            "--pdf",
            &pdf.display().to_string(),
        ],
    );
    ok(&o);
    assert!(err(&o).contains("записан в PDF"), "{}", err(&o));
    let (_, printed) = pdf_text(&pdf);
    for w in [
        "Протокол",
        "экспертной",
        "оценки",
        surname,
        "пройдена",
        "одобрить",
    ] {
        assert!(printed.contains(w), "«{w}» in the PDF: {printed}");
    }
    // Offline: the signed protocol names at least three experts of the pool.
    let other = other.as_str();
    ok(&act(data, "moderator", other, &["send-to-experts"]));
    refused(
        &act(
            data,
            "moderator",
            other,
            &[
                "protocol-approve",
                "--attach",
                &letter,
                "--to",
                "expert1,expert2",
            ],
        ),
        &["не менее 3"],
    );
    ok(&act(
        data,
        "moderator",
        other,
        &[
            "protocol-approve",
            "--attach",
            &letter,
            "--to",
            "expert1,expert2,expert3",
        ],
    ));
    let pdf = data.join("протокол-очно.pdf");
    ok(&run(
        data,
        Some("moderator"),
        &[
            "practice",
            "protocol",
            other,
            "--pdf",
            &pdf.display().to_string(),
        ],
    ));
    let (_, printed) = pdf_text(&pdf);
    for w in ["подписали", surname, "очная"] {
        assert!(printed.contains(w), "«{w}» in the PDF: {printed}");
    }
    // The passport as the Agency prints it: the cover, then every field.
    let title = show(data, id)["passport"]["title"]
        .as_str()
        .expect("title")
        .to_owned();
    let pdf = data.join("паспорт.pdf");
    ok(&run(
        data,
        Some("moderator"),
        &["practice", "show", id, "--pdf", &pdf.display().to_string()],
    ));
    let (pages, printed) = pdf_text(&pdf);
    assert!(pages >= 2, "a cover and the fields: {pages}");
    let first_word = title.split_whitespace().next().expect("a word");
    for w in ["Паспорт", "практики", first_word, "P-24", "Экспертная"] {
        assert!(printed.contains(w), "«{w}» in the PDF: {printed}");
    }
    // Nothing is written where it cannot be, and the message says so.
    let o = run(
        data,
        Some("moderator"),
        &[
            "practice",
            "show",
            id,
            "--pdf",
            "/нет/такого/каталога/п.pdf",
        ],
    );
    assert_ne!(o.status.code(), Some(0));
    assert!(err(&o).contains("не записан"), "{}", err(&o));
}

/// A replication's application and the yearly report, printed.
#[test]
fn replication_papers_print() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path();
    demo(data);
    let list = json(&run(data, Some("asi"), &["replication", "list", "--json"]));
    let app = &list.as_array().expect("applications")[0];
    let id = app["id"].as_str().expect("id");
    let pdf = data.join("заявка.pdf");
    ok(&run(
        data,
        Some("asi"),
        &[
            "replication",
            "show",
            id,
            "--pdf",
            &pdf.display().to_string(),
        ],
    ));
    let (_, printed) = pdf_text(&pdf);
    for w in ["Заявка", "внедрение", "Ход", "заявки"] {
        assert!(printed.contains(w), "«{w}» in the PDF: {printed}");
    }
    let year = app["applied"]
        .as_str()
        .and_then(|d| d.get(..4))
        .expect("a year")
        .to_owned();
    let pdf = data.join("итоги.pdf");
    let o = run(
        data,
        None,
        &[
            "report",
            "replication",
            "--year",
            &year,
            "--pdf",
            &pdf.display().to_string(),
        ],
    );
    ok(&o);
    let (_, printed) = pdf_text(&pdf);
    for w in ["Итоги", "тиражирования", &year, "регионам"] {
        assert!(printed.contains(w), "«{w}» in the PDF: {printed}");
    }
}
