//! The binary as a user runs it.

use std::process::Command;

fn smarteka(data: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_smarteka"))
        .arg("--data")
        .arg(data)
        .args(args)
        .env_remove("SMARTEKA_CONFIG")
        .output()
        .expect("runs")
}

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn demo_then_search_then_show() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = smarteka(dir.path(), &["demo", "--practices", "400", "--seed", "1"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = smarteka(dir.path(), &["search", "--json", "здравоохранение"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let hits: Vec<serde_json::Value> = serde_json::from_str(&stdout(&o)).expect("json");
    assert!(!hits.is_empty());
    let health = hits
        .iter()
        .filter(|h| h["category"] == "Здравоохранение")
        .count();
    assert!(health * 2 > hits.len(), "{health} of {}", hits.len());
    for h in &hits {
        for k in ["id", "title", "region", "category", "status"] {
            assert!(h[k].is_string(), "{k} in {h}");
        }
        assert!(
            ["Опубликована", "Актуализация", "База знаний"]
                .contains(&h["status"].as_str().unwrap_or(""))
        );
    }
    let o = smarteka(
        dir.path(),
        &[
            "search",
            "--json",
            "--category",
            "Туризм",
            "--region",
            "Краснодарский край",
            "--limit",
            "5",
            "маршрут",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let hits: Vec<serde_json::Value> = serde_json::from_str(&stdout(&o)).expect("json");
    assert!(hits.len() <= 5);
    assert!(
        hits.iter()
            .all(|h| h["category"] == "Туризм" && h["region"] == "Краснодарский край")
    );

    let id = hits_first_id(dir.path());
    let o = smarteka(dir.path(), &["practice", "show", &id, "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let p: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(p["id"], id.as_str());
    assert!(p["passport"]["goal"].is_string());
    let o = smarteka(dir.path(), &["practice", "show", &id]);
    let text = stdout(&o);
    assert!(
        text.contains("P-2 Цель") && text.contains("P-24 Основание подачи"),
        "{text}"
    );
}

fn hits_first_id(dir: &std::path::Path) -> String {
    let o = smarteka(dir, &["search", "--json", "практика"]);
    let hits: Vec<serde_json::Value> = serde_json::from_str(&stdout(&o)).expect("json");
    hits[0]["id"].as_str().expect("id").to_owned()
}

#[test]
fn errors_are_russian_and_change_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = smarteka(dir.path(), &["search", "--category", "Космос", "школа"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("Неизвестная категория «Космос»"),
        "{}",
        stderr(&o)
    );
    let o = smarteka(dir.path(), &["practice", "show", "not-an-id"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("не идентификатор"), "{}", stderr(&o));
    let o = smarteka(dir.path(), &["--frobnicate"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("Неизвестный параметр"),
        "{}",
        stderr(&o)
    );
    let o = smarteka(dir.path(), &["--help"]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("Использование"), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("[переменная SMARTEKA_DATA]"),
        "{}",
        stdout(&o)
    );
    let o = smarteka(dir.path(), &["demo", "--help"]);
    let help = stdout(&o);
    assert!(
        help.contains("[по умолчанию: 2000]") && help.contains("[ПАРАМЕТРЫ]"),
        "{help}"
    );
    for english in ["[OPTIONS]", "default:", "env:", "Usage"] {
        assert!(!help.contains(english), "«{english}» in:\n{help}");
    }
    let o = smarteka(
        dir.path(),
        &["practice", "show", "018d0f5a-6980-7670-b906-c2477b15fa68"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("не найдена"), "{}", stderr(&o));
}

#[test]
fn a_second_process_on_the_same_store_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let held = smarteka::store::Store::open(dir.path()).expect("opens");
    let o = smarteka(dir.path(), &["search", "школа"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("уже открыто другим процессом"),
        "{}",
        stderr(&o)
    );
    let o = smarteka(dir.path(), &["demo", "--practices", "10"]);
    assert_eq!(o.status.code(), Some(1));
    drop(held);
    let s = smarteka::store::Store::open(dir.path()).expect("opens");
    assert_eq!(s.practice_count(), 0, "the refused demo wrote nothing");
}

#[test]
fn a_folder_that_is_not_a_store_is_refused_and_left_as_it_was() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("отчёт.docx"), b"x").expect("writes");
    for args in [
        &["search", "школа"][..],
        &["check"],
        &["demo", "--practices", "5"],
    ] {
        let o = smarteka(dir.path(), args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        assert!(
            stderr(&o).contains("не похож на хранилище"),
            "{}",
            stderr(&o)
        );
    }
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .expect("reads")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, vec!["отчёт.docx".to_owned()], "nothing written there");
    // A backup into a folder that is not empty, a restore of something
    // that is not a backup: Russian, and nothing made.
    let store = tempfile::tempdir().expect("tempdir");
    assert!(
        smarteka(store.path(), &["demo", "--practices", "5"])
            .status
            .success()
    );
    let o = smarteka(store.path(), &["backup", &dir.path().display().to_string()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("не пуст: резервную копию"),
        "{}",
        stderr(&o)
    );
    let target = store.path().join("restored");
    let o = smarteka(&target, &["restore", &dir.path().display().to_string()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("нет описи"), "{}", stderr(&o));
    assert!(!target.join("db").exists());
}

/// `demo --seed S --today D` gives the same store, dates included, however
/// often and whenever it runs; a day that is not one is refused in Russian
/// and nothing is made.
#[test]
fn the_demo_reproduces_its_dates_from_today() {
    let a = tempfile::tempdir().expect("tempdir");
    let b = tempfile::tempdir().expect("tempdir");
    let make = |d: &std::path::Path| {
        let o = smarteka(
            d,
            &[
                "demo",
                "--practices",
                "40",
                "--seed",
                "3",
                "--today",
                "2025-06-02",
            ],
        );
        assert!(o.status.success(), "{}", stderr(&o));
    };
    make(a.path());
    make(b.path());
    let store_a = smarteka::store::Store::open(a.path()).expect("store");
    let store_b = smarteka::store::Store::open(b.path()).expect("store");
    let pa: Vec<_> = store_a.practices().map(|p| p.expect("reads")).collect();
    let pb: Vec<_> = store_b.practices().map(|p| p.expect("reads")).collect();
    assert_eq!(pa, pb, "the same practices, dates included");
    // Their history too, dated from the demo's today, not the machine's:
    // the day each practice reached its stage.
    let history = |s: &smarteka::store::Store| {
        smarteka::service::workflow::history(s, pa[0].id).expect("history")
    };
    let (ha, hb) = (history(&store_a), history(&store_b));
    assert_eq!(ha, hb);
    let since = pa[0].workflow.since.unwrap_or(pa[0].created);
    assert!(
        ha.iter().all(|s| s.at.date_naive() == since.date_naive()
            && s.at.date_naive() <= chrono::NaiveDate::from_ymd_opt(2025, 6, 2).expect("date")),
        "{ha:?}"
    );
    let newest = pa.iter().map(|p| p.updated).max().expect("practices");
    assert!(
        newest.date_naive() <= chrono::NaiveDate::from_ymd_opt(2025, 6, 2).expect("date"),
        "dated from --today: {newest}"
    );
    let c = tempfile::tempdir().expect("tempdir");
    let o = smarteka(c.path(), &["demo", "--today", "2025-13-01"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("не дата"), "{}", stderr(&o));
    assert!(!c.path().join("db").exists(), "nothing made");
}
