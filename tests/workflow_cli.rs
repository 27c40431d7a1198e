//! The validation workflow through the CLI on a demo store: `queue`,
//! `practice actions|act|history|diff`, refusals with their reasons and
//! exit codes, and a coordinator of another region refused.

mod common;

use std::path::Path;

use common::cli::{act, err, json, ok, run};
use serde_json::Value;

fn status(data: &Path, id: &str) -> String {
    let v = json(&run(data, Some("asi"), &["practice", "show", id, "--json"]));
    v["status"].as_str().expect("status").to_owned()
}

#[test]
#[allow(clippy::too_many_lines)] // one path through every stage
fn the_acceptance_path_through_practice_act() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path();
    let o = run(data, None, &["demo", "--practices", "150", "--seed", "1"]);
    ok(&o);
    let file = data.join("protocol.pdf");
    std::fs::write(&file, b"%PDF-1.4 protocol").expect("write");
    let file = file.display().to_string();

    // The coordinator's queue holds the demo practice awaiting confirmation.
    let queues = json(&run(data, Some("coordinator"), &["queue", "--json"]));
    let q = &queues[0];
    assert_eq!(q["code"], "confirmation");
    assert_eq!(q["name"], "На подтверждении");
    let id = q["items"][0]["id"].as_str().expect("id").to_owned();
    let id = id.as_str();

    // What the coordinator may do: objects with action, label, allowed, reason.
    let actions = json(&run(
        data,
        Some("coordinator"),
        &["practice", "actions", id, "--json"],
    ));
    let list = actions.as_array().expect("array");
    let find = |a: &str| list.iter().find(|x| x["action"] == a).cloned();
    let confirm = find("confirm").expect("confirm");
    assert_eq!(confirm["allowed"], true);
    assert_eq!(confirm["label"], "Подтвердить от региона");
    assert!(confirm["reason"].is_null());
    let actualise = find("open-actualisation").expect("listed, not allowed");
    assert_eq!(actualise["allowed"], false);
    assert!(
        actualise["reason"]
            .as_str()
            .is_some_and(|r| r.contains("недоступно")),
        "{actualise}"
    );
    for x in list {
        assert!(
            x["action"]
                .as_str()
                .is_some_and(|a| a.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
        );
    }

    // Another region's coordinator: refused, with the reason, nothing changes.
    let o = act(data, "coordinator2", id, &["confirm", "--attach", &file]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).contains("Нижегородская область") && err(&o).contains("Республика Татарстан"),
        "{}",
        err(&o)
    );
    assert_eq!(status(data, id), "Подтверждение регионом");
    // Without the protocol: refused.
    let o = act(data, "coordinator", id, &["confirm"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("Приложите документ"), "{}", err(&o));
    // Malformed requests exit 2.
    let o = act(data, "coordinator", id, &["approve"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("Неизвестное действие"), "{}", err(&o));

    ok(&act(
        data,
        "coordinator",
        id,
        &["confirm", "--attach", &file],
    ));
    assert_eq!(status(data, id), "Упаковка");

    let o = act(data, "moderator", id, &["set-level", "--level", "7"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("Уровня 7 нет"), "{}", err(&o));
    // A missing argument: the rule's words, and the command line's flag.
    let o = act(data, "moderator", id, &["set-level"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).contains("Укажите уровень практики") && err(&o).contains("--level 1|2|3"),
        "{}",
        err(&o)
    );
    // Users only where the action names them.
    let o = act(
        data,
        "moderator",
        id,
        &["set-level", "--level", "2", "--to", "asi"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains("не назначает пользователей"),
        "{}",
        err(&o)
    );
    ok(&act(data, "moderator", id, &["set-level", "--level", "2"]));
    ok(&act(data, "moderator", id, &["send-to-experts"]));
    assert_eq!(status(data, id), "Экспертная оценка");
    ok(&act(data, "expert1", id, &["vote-approve"]));
    let o = act(data, "expert1", id, &["vote-approve"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("уже проголосовали"), "{}", err(&o));
    let o = act(data, "expert2", id, &["vote-revise"]);
    assert!(err(&o).contains("пункты доработки"), "{}", err(&o));
    ok(&act(data, "expert2", id, &["vote-approve"]));
    assert_eq!(
        status(data, id),
        "Экспертная оценка",
        "two votes decide nothing"
    );
    ok(&act(data, "expert3", id, &["vote-approve"]));
    let after = status(data, id);
    if after == "Верификация рейтинговым комитетом" {
        ok(&act(data, "rating", id, &["verify"]));
    }
    assert_eq!(status(data, id), "Публикация");
    let o = act(data, "coordinator", id, &["publish"]);
    assert_eq!(o.status.code(), Some(1));
    ok(&act(data, "asi", id, &["publish"]));
    assert_eq!(status(data, id), "Опубликована");

    // The history: each step with who and when, transitions with from/to.
    let h = json(&run(data, None, &["practice", "history", id, "--json"]));
    let steps = h.as_array().expect("array");
    let by: Vec<(&str, &str)> = steps
        .iter()
        .filter(|s| !s["transition"].is_null())
        .map(|s| {
            (
                s["action"].as_str().unwrap_or_default(),
                s["actor"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(by[0], ("confirm", "coordinator"));
    assert_eq!(by[1], ("set-level", "moderator"));
    assert_eq!(by[2], ("send-to-experts", "moderator"));
    assert_eq!(by.iter().filter(|(a, _)| *a == "vote-approve").count(), 3);
    assert_eq!(by.last(), Some(&("publish", "asi")));
    let confirm = steps
        .iter()
        .find(|s| s["action"] == "confirm")
        .expect("confirm");
    assert_eq!(confirm["transition"]["from"], "region-confirmation");
    assert_eq!(confirm["transition"]["to"], "packaging");
    assert_eq!(
        confirm["transition"]["documents"][0]["name"],
        "protocol.pdf"
    );
    assert!(confirm["at"].is_string());

    // The level set by the expert-moderator is a revision: diffable.
    let d = json(&run(data, None, &["practice", "diff", id, "--json"]));
    assert_eq!(d["fields"][0]["field"], "P-22");

    // The catalogue finds it published.
    let shown = json(&run(data, None, &["practice", "show", id, "--json"]));
    let title = shown["passport"]["title"].as_str().expect("title");
    let hits = json(&run(data, None, &["search", "--json", title]));
    let hit = hits
        .as_array()
        .expect("hits")
        .iter()
        .find(|h| h["id"] == id)
        .cloned()
        .expect("found in the catalogue");
    assert_eq!(hit["status"], "Опубликована");
    let author_inbox = json(&run(data, Some("author"), &["inbox", "--json"]));
    assert!(
        author_inbox["notices"]
            .as_array()
            .is_some_and(|n| n.iter().any(|x| x["text"]
                .as_str()
                .is_some_and(|t| t.contains("Опубликовать")))),
        "{author_inbox}"
    );

    // §4.1.11: the new author represents the practice's region from an
    // executive body; an expert from elsewhere is refused.
    let o = act(
        data,
        "asi",
        id,
        &[
            "replace-author",
            "--to",
            "expert1",
            "--comment",
            "Автор сменил работу",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    assert!(err(&o).contains("регион"), "{}", err(&o));

    // Archived «for want of demand» only a year after publication (§4.6.1).
    let o = act(
        data,
        "asi",
        id,
        &[
            "archive",
            "--reason",
            "no-demand",
            "--comment",
            "Заявок нет",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    assert!(err(&o).contains("4.6.1"), "{}", err(&o));

    // An actualisation runs every passport rule before it is published
    // again: an emptied goal keeps it in actualisation, with the reason.
    ok(&act(
        data,
        "coordinator",
        id,
        &[
            "open-actualisation",
            "--comment",
            "Обновите результаты 2026 года",
        ],
    ));
    // The passport stays in the catalogue while it is actualised: an
    // edit that empties the goal is refused with the rule it breaks.
    let empty = data.join("empty-goal.json");
    std::fs::write(&empty, r#"{"goal": ""}"#).expect("write");
    let o = run(
        data,
        Some("author"),
        &[
            "practice",
            "edit",
            id,
            "--from",
            &empty.display().to_string(),
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    assert!(
        err(&o).contains("не сохранён") && err(&o).contains("P-2 Цель"),
        "{}",
        err(&o)
    );
    assert_eq!(status(data, id), "Актуализация");
    ok(&act(data, "author", id, &["actualise"]));
    assert_eq!(status(data, id), "Опубликована");
    let v = json(&run(data, Some("asi"), &["practice", "show", id, "--json"]));
    assert!(
        v["workflow"]["actualised"].is_string(),
        "the last actualisation is kept: {v}"
    );
}

#[test]
fn return_for_revision_then_resubmit_and_the_default_diff() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path();
    ok(&run(
        data,
        None,
        &["demo", "--practices", "150", "--seed", "1"],
    ));
    let queues = json(&run(data, Some("coordinator"), &["queue", "--json"]));
    let id = queues[0]["items"][0]["id"].as_str().expect("id").to_owned();
    let id = id.as_str();
    let o = act(data, "coordinator", id, &["return"]);
    assert_eq!(o.status.code(), Some(1));
    ok(&act(
        data,
        "coordinator",
        id,
        &["return", "--comment", "Уточните цель"],
    ));
    let mine = json(&run(data, Some("author"), &["queue", "--json"]));
    let returned = mine
        .as_array()
        .expect("queues")
        .iter()
        .find(|q| q["code"] == "returned")
        .expect("returned queue");
    let item = returned["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["id"] == id)
        .expect("the practice");
    assert!(item["deadline"].is_string(), "{item}");
    // The author edits the goal and resubmits.
    let edit = data.join("edit.json");
    std::fs::write(
        &edit,
        r#"{"goal": "Сократить сроки назначения мер поддержки вдвое"}"#,
    )
    .expect("write");
    let e = edit.display().to_string();
    ok(&run(
        data,
        Some("author"),
        &["practice", "edit", id, "--from", &e],
    ));
    let o = act(data, "coordinator", id, &["confirm", "--attach", &e]);
    assert_eq!(o.status.code(), Some(1), "still on revision");
    assert!(err(&o).contains("на доработке"), "{}", err(&o));
    ok(&act(data, "author", id, &["resubmit"]));
    let d = run(data, Some("coordinator"), &["practice", "diff", id]);
    ok(&d);
    let text = String::from_utf8_lossy(&d.stdout);
    assert!(text.contains("P-2 Цель"), "{text}");
    assert!(text.contains("{+"), "{text}");
}

#[test]
fn access_to_passports_is_confirmed_by_the_coordinator_then_granted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path();
    ok(&run(
        data,
        None,
        &["demo", "--practices", "20", "--seed", "1"],
    ));
    let example = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/examples/passport.json")
        .display()
        .to_string();
    // team1 has no access yet.
    let o = run(
        data,
        Some("team1"),
        &["practice", "new", "--from", &example],
    );
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    assert!(err(&o).contains("4.1.3"), "{}", err(&o));
    let o = run(data, Some("asi"), &["user", "grant-author", "team1"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("не подтверждён"), "{}", err(&o));
    let o = run(data, Some("coordinator2"), &["user", "verify", "team1"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("Республика Татарстан"), "{}", err(&o));
    ok(&run(
        data,
        Some("coordinator"),
        &["user", "verify", "team1"],
    ));
    let inbox = json(&run(data, Some("asi"), &["inbox", "--json"]));
    assert!(
        inbox["notices"].as_array().is_some_and(|n| n
            .iter()
            .any(|x| x["text"].as_str().is_some_and(|t| t.contains("team1")))),
        "{inbox}"
    );
    ok(&run(data, Some("asi"), &["user", "grant-author", "team1"]));
    let o = run(
        data,
        Some("team1"),
        &["practice", "new", "--from", &example],
    );
    ok(&o);
}

/// P-7 «Я не знаю»: submitted without a category, the practice waits in
/// the Модератор АСИ's «Категория не выбрана»; `set-category` routes it.
#[test]
fn a_practice_without_a_category_is_given_one_by_the_asi_moderator() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path();
    ok(&run(data, None, &["demo", "--practices", "20"]));
    let example = |name: &str| {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("assets/examples")
            .join(name)
            .display()
            .to_string()
    };
    let text = std::fs::read_to_string(example("passport.json"))
        .expect("example")
        .replace(r#""category": "social""#, r#""category": "dont-know""#);
    let file = data.join("dont-know.json");
    std::fs::write(&file, text).expect("write");
    let o = run(
        data,
        Some("author"),
        &["practice", "new", "--from", &file.display().to_string()],
    );
    ok(&o);
    let id = String::from_utf8_lossy(&o.stdout).trim().to_owned();
    ok(&run(
        data,
        Some("author"),
        &[
            "practice",
            "attach",
            &id,
            &example("cover.png"),
            "--kind",
            "cover",
        ],
    ));
    ok(&run(data, Some("author"), &["practice", "submit", &id]));
    let queues = json(&run(data, Some("asi"), &["queue", "--json"]));
    let waiting = queues
        .as_array()
        .expect("queues")
        .iter()
        .find(|q| q["code"] == "no-category")
        .expect("the queue");
    assert!(
        waiting["items"]
            .as_array()
            .is_some_and(|i| i.iter().any(|x| x["id"] == id.as_str())),
        "{waiting}"
    );
    let o = act(data, "asi", &id, &["set-category"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("--category"), "{}", err(&o));
    ok(&act(
        data,
        "asi",
        &id,
        &["set-category", "--category", "Здравоохранение"],
    ));
    let v = json(&run(
        data,
        Some("asi"),
        &["practice", "show", &id, "--json"],
    ));
    assert_eq!(
        v["passport"]["category"]["known"], "health",
        "{}",
        v["passport"]
    );
    let o = act(data, "asi", &id, &["set-category", "--category", "Туризм"]);
    assert!(err(&o).contains("уже выбрана"), "{}", err(&o));
}

/// §4.4.8: after the experts asked for revisions, resubmitting an unchanged
/// passport is refused with their points; once changed, it goes on.
#[test]
fn the_experts_points_are_worked_in_before_a_resubmission() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path();
    ok(&run(
        data,
        None,
        &["demo", "--practices", "150", "--seed", "1"],
    ));
    let file = data.join("protocol.pdf");
    std::fs::write(&file, b"%PDF-1.4 protocol").expect("write");
    let file = file.display().to_string();
    let queues = json(&run(data, Some("coordinator"), &["queue", "--json"]));
    let id = queues[0]["items"][0]["id"].as_str().expect("id").to_owned();
    let id = id.as_str();
    ok(&act(
        data,
        "coordinator",
        id,
        &["confirm", "--attach", &file],
    ));
    ok(&act(data, "moderator", id, &["set-level", "--level", "2"]));
    ok(&act(data, "moderator", id, &["send-to-experts"]));
    ok(&act(data, "expert1", id, &["vote-approve"]));
    ok(&act(data, "expert2", id, &["vote-approve"]));
    ok(&act(
        data,
        "expert3",
        id,
        &["vote-revise", "--comment", "Добавьте сравнение с аналогами"],
    ));
    let o = act(data, "author", id, &["resubmit"]);
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    assert!(
        err(&o).contains("4.4.8") && err(&o).contains("сравнение с аналогами"),
        "{}",
        err(&o)
    );
    let goal = data.join("goal.json");
    std::fs::write(
        &goal,
        r#"{"goal": "Сократить сроки вдвое; в сравнении с аналогами других регионов — быстрее на 30 %"}"#,
    )
    .expect("write");
    ok(&run(
        data,
        Some("author"),
        &[
            "practice",
            "edit",
            id,
            "--from",
            &goal.display().to_string(),
        ],
    ));
    ok(&act(data, "author", id, &["resubmit"]));
    // The expert-moderator sees the points beside the changes and confirms
    // them before it moves on.
    assert_eq!(status(data, id), "Экспертная оценка", "waits for the EM");
    let d = run(data, Some("moderator"), &["practice", "diff", id]);
    ok(&d);
    let text = String::from_utf8_lossy(&d.stdout).into_owned();
    assert!(
        text.contains("Замечания: «Добавьте сравнение с аналогами»") && text.contains("P-2"),
        "{text}"
    );
    let o = act(data, "moderator", id, &["send-to-experts"]);
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    assert!(err(&o).contains("confirm-revisions"), "{}", err(&o));
    ok(&act(data, "moderator", id, &["confirm-revisions"]));
    assert_ne!(status(data, id), "Экспертная оценка", "on after the vote");
    let h = json(&run(
        data,
        Some("moderator"),
        &["practice", "history", id, "--json"],
    ));
    let actions: Vec<&str> = h
        .as_array()
        .expect("steps")
        .iter()
        .filter_map(|s| s["action"].as_str())
        .collect();
    let at = |a: &str| actions.iter().position(|x| *x == a);
    assert!(
        at("vote-revise") < at("resubmit") && at("resubmit") < at("confirm-revisions"),
        "{actions:?}"
    );
    // The protocol formed from the votes names the experts and the decision.
    let v = json(&run(
        data,
        Some("moderator"),
        &["practice", "show", id, "--json"],
    ));
    let protocols = v["workflow"]["protocols"].as_array().expect("protocols");
    assert_eq!(protocols.len(), 1, "{v}");
    assert_eq!(protocols[0]["kind"], "online");
    assert_eq!(protocols[0]["votes"].as_array().map(Vec::len), Some(3));
}

/// §4.1.8, §3.2.4, §4.3.2: a practice recommended by a State Council
/// commission passes the region's confirmation like every other; only the
/// expert review is skipped.
#[test]
fn the_simplified_route_passes_the_region_and_skips_only_the_experts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path();
    ok(&run(
        data,
        None,
        &["demo", "--practices", "40", "--seed", "1"],
    ));
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut doc: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("assets/examples/passport.json")).expect("example"),
    )
    .expect("json");
    doc["route"] = Value::from("recommendation");
    let file = data.join("recommended.json");
    std::fs::write(&file, doc.to_string()).expect("write");
    let o = run(
        data,
        Some("author"),
        &["practice", "new", "--from", &file.display().to_string()],
    );
    ok(&o);
    let id = String::from_utf8_lossy(&o.stdout).trim().to_owned();
    let id = id.as_str();
    let cover = root.join("assets/examples/cover.png").display().to_string();
    ok(&run(
        data,
        Some("author"),
        &["practice", "attach", id, &cover, "--kind", "cover"],
    ));
    let recommendation = data.join("письмо-комиссии.pdf");
    std::fs::write(&recommendation, b"%PDF-1.4 recommendation").expect("write");
    ok(&run(
        data,
        Some("author"),
        &[
            "practice",
            "attach",
            id,
            &recommendation.display().to_string(),
            "--kind",
            "recommendation",
        ],
    ));
    // The route names the commission that recommended it (§3.2.2).
    ok(&run(
        data,
        Some("author"),
        &["partner", "recommend", "семья демография", id],
    ));
    ok(&run(data, Some("author"), &["practice", "submit", id]));
    assert_eq!(status(data, id), "Подтверждение регионом");
    let letter = data.join("протокол-комиссии.pdf");
    std::fs::write(&letter, b"%PDF-1.4 commission").expect("write");
    ok(&act(
        data,
        "coordinator",
        id,
        &["confirm", "--attach", &letter.display().to_string()],
    ));
    assert_eq!(status(data, id), "Упаковка");
    ok(&act(data, "moderator", id, &["set-level", "--level", "2"]));
    let o = act(data, "moderator", id, &["send-to-experts"]);
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    assert!(err(&o).contains("4.3.2"), "{}", err(&o));
    ok(&act(data, "moderator", id, &["send-to-publication"]));
    let after = status(data, id);
    assert!(
        after == "Публикация" || after == "Верификация рейтинговым комитетом",
        "{after}"
    );
}
