//! Passports through the CLI, as a user: the example JSON, attachments
//! checked by content, submission refused with every reason, then accepted.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(data: &Path, user: Option<(&str, &str)>, args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_smarteka"));
    c.arg("--data").arg(data);
    if let Some((login, password)) = user {
        c.arg("--as").arg(login).env("SMARTEKA_PASSWORD", password);
    }
    c.args(args)
        .env_remove("SMARTEKA_CONFIG")
        .output()
        .expect("runs")
}

fn author(data: &Path, args: &[&str]) -> Output {
    run(data, Some(("author", "demo")), args)
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn example(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("assets/examples")
        .join(name)
        .display()
        .to_string()
}

fn png(dir: &Path, name: &str, w: u32, h: u32) -> String {
    let mut v = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];
    v.extend_from_slice(b"IHDR");
    v.extend_from_slice(&w.to_be_bytes());
    v.extend_from_slice(&h.to_be_bytes());
    v.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
    let p = dir.join(name);
    std::fs::write(&p, v).expect("write");
    p.display().to_string()
}

fn status(data: &Path, id: &str) -> String {
    let o = author(data, &["practice", "show", id, "--json"]);
    assert!(o.status.success(), "{}", err(&o));
    let v: serde_json::Value = serde_json::from_str(&out(&o)).expect("json");
    v["status"].as_str().expect("status").to_owned()
}

fn blob_count(dir: &Path) -> usize {
    let mut n = 0;
    let Ok(rd) = std::fs::read_dir(dir) else {
        return 0;
    };
    for e in rd.flatten() {
        if e.path().is_dir() {
            n += blob_count(&e.path());
        } else {
            n += 1;
        }
    }
    n
}

/// A demo store of ten practices in a temporary folder (kept while the
/// folder lives).
fn demo_store() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("store");
    assert!(
        run(&data, None, &["demo", "--practices", "10"])
            .status
            .success()
    );
    (tmp, data)
}

#[test]
fn the_example_passport_from_draft_to_region_confirmation() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("store");
    let o = run(&data, None, &["demo", "--practices", "30"]);
    assert!(o.status.success(), "{}", err(&o));

    let o = author(
        &data,
        &["practice", "new", "--from", &example("passport.json")],
    );
    assert!(o.status.success(), "{}", err(&o));
    let id = out(&o).trim().to_owned();
    assert_eq!(status(&data, &id), "Черновик");
    let o = author(&data, &["practice", "show", &id, "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out(&o)).expect("json");
    let logins: Vec<&str> = v["passport"]["team"]
        .as_array()
        .expect("team")
        .iter()
        .filter_map(|m| m["login"].as_str())
        .collect();
    assert_eq!(logins, ["author", "team1", "team2"]);

    // Without a cover it cannot be submitted, and the refusal says why.
    let o = author(&data, &["practice", "submit", &id]);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("P-10 Обложка"), "{}", err(&o));

    // Covers are checked by content.
    let text = tmp.path().join("cover.png");
    std::fs::write(&text, "это не картинка").expect("write");
    let o = author(
        &data,
        &[
            "practice",
            "attach",
            &id,
            &text.display().to_string(),
            "--kind",
            "cover",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("не изображение"), "{}", err(&o));
    let small = png(tmp.path(), "small.png", 899, 675);
    let o = author(
        &data,
        &["practice", "attach", &id, &small, "--kind", "cover"],
    );
    assert!(err(&o).contains("не меньше 900×675"), "{}", err(&o));
    let wide = png(tmp.path(), "wide.png", 1600, 900);
    let o = author(
        &data,
        &["practice", "attach", &id, &wide, "--kind", "cover"],
    );
    assert!(err(&o).contains("4:3"), "{}", err(&o));
    let big = tmp.path().join("film.mp4");
    std::fs::File::create(&big)
        .expect("create")
        .set_len(21 * 1024 * 1024)
        .expect("size");
    let o = author(
        &data,
        &[
            "practice",
            "attach",
            &id,
            &big.display().to_string(),
            "--kind",
            "video",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("21,0 МБ"), "{}", err(&o));
    assert_eq!(blob_count(&data.join("blobs")), 0, "refusals store nothing");

    let o = author(
        &data,
        &[
            "practice",
            "attach",
            &id,
            &example("cover.png"),
            "--kind",
            "cover",
        ],
    );
    assert!(o.status.success(), "{}", err(&o));
    let o = author(
        &data,
        &[
            "practice",
            "attach",
            &id,
            &example("cover.png"),
            "--kind",
            "presentation",
        ],
    );
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(
        blob_count(&data.join("blobs")),
        1,
        "the same file is stored once"
    );
    let back = tmp.path().join("back.png");
    let o = author(
        &data,
        &[
            "practice",
            "save-file",
            &id,
            "nothing.pdf",
            &back.display().to_string(),
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("нет вложения"), "{}", err(&o));
    let sha = {
        let o = author(&data, &["practice", "show", &id, "--json"]);
        let v: serde_json::Value = serde_json::from_str(&out(&o)).expect("json");
        v["passport"]["cover"]["sha256"]
            .as_str()
            .expect("sha")
            .to_owned()
    };
    let o = author(
        &data,
        &[
            "practice",
            "save-file",
            &id,
            &sha[..12],
            &back.display().to_string(),
        ],
    );
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(
        std::fs::read(&back).expect("saved"),
        std::fs::read(example("cover.png")).expect("original")
    );

    // Someone else cannot edit or submit it.
    let o = run(&data, Some(("team1", "demo")), &["practice", "submit", &id]);
    assert_eq!(o.status.code(), Some(1));
    let o = run(
        &data,
        Some(("author", "wrong")),
        &["practice", "submit", &id],
    );
    assert!(err(&o).contains("Неверный логин или пароль"), "{}", err(&o));

    let o = author(&data, &["practice", "submit", &id]);
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(status(&data, &id), "Подтверждение регионом");
    let edit = tmp.path().join("edit.json");
    std::fs::write(&edit, r#"{"goal": "Другая цель"}"#).expect("write");
    let o = author(
        &data,
        &[
            "practice",
            "edit",
            &id,
            "--from",
            &edit.display().to_string(),
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("в черновике"), "{}", err(&o));

    // Every save was a revision.
    let o = author(
        &data,
        &["practice", "show", &id, "--json", "--revision", "1"],
    );
    let v: serde_json::Value = serde_json::from_str(&out(&o)).expect("json");
    assert_eq!(v["revision"], 1);
    assert!(v["passport"]["cover"].is_null(), "revision 1 had no cover");
}

#[test]
fn submission_lists_every_reason_and_edits_fix_them() {
    let (tmp, data) = demo_store();
    let draft = tmp.path().join("draft.json");
    std::fs::write(&draft, r#"{"title": "Черновик без полей", "year": 2019}"#).expect("write");
    let o = author(
        &data,
        &["practice", "new", "--from", &draft.display().to_string()],
    );
    assert!(o.status.success(), "{}", err(&o));
    let id = out(&o).trim().to_owned();
    let o = author(&data, &["practice", "submit", &id]);
    assert_eq!(o.status.code(), Some(1));
    let reasons = err(&o);
    for needle in [
        "P-2 Цель",
        "P-3 Задачи",
        "P-4 Суть практики",
        "P-5 Целевая аудитория",
        "P-6 Результаты",
        "P-7 Категория",
        "P-8 Организация",
        "P-9 Материалы",
        "P-10 Обложка",
        "P-12 Стоимость реализации",
        "P-13 Способ внедрения",
        "P-14 План реализации",
        "P-16 Срок запуска",
        "P-17 Особенности внедрения",
        "P-18 Поддержка",
        "P-19 Команда",
        "P-23 Год реализации",
        "P-24 Основание подачи",
        "п. 2.1.5",
    ] {
        assert!(reasons.contains(needle), "«{needle}» missing:\n{reasons}");
    }
    let o = author(
        &data,
        &["practice", "edit", &id, "--from", &example("passport.json")],
    );
    assert!(o.status.success(), "{}", err(&o));
    assert!(
        author(
            &data,
            &[
                "practice",
                "attach",
                &id,
                &example("cover.png"),
                "--kind",
                "cover"
            ]
        )
        .status
        .success()
    );
    let o = author(&data, &["practice", "submit", &id]);
    assert!(o.status.success(), "{}", err(&o));
}

#[test]
fn bad_json_and_leader_lists() {
    let (tmp, data) = demo_store();
    let bad = tmp.path().join("bad.json");
    std::fs::write(&bad, r#"{"titel": "x", "team": [{"login": "ghost"}]}"#).expect("write");
    let o = author(
        &data,
        &["practice", "new", "--from", &bad.display().to_string()],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains("titel") && err(&o).contains("ghost"),
        "{}",
        err(&o)
    );
    std::fs::write(&bad, "{ not json").expect("write");
    let o = author(
        &data,
        &["practice", "new", "--from", &bad.display().to_string()],
    );
    assert!(err(&o).contains("не JSON"), "{}", err(&o));

    let csv = tmp.path().join("leaders.csv");
    std::fs::write(
        &csv,
        "year,region,criterion,note\n2026,54,invest-top5,\n2026,Атлантида,invest-top5,\n",
    )
    .expect("write");
    let o = run(
        &data,
        Some(("asi", "demo")),
        &["import", "leaders", &csv.display().to_string()],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains("строка 3") && err(&o).contains("ничего не изменено"),
        "{}",
        err(&o)
    );
    std::fs::write(&csv, "year,region,criterion,note\n2026,54,invest-top5,\n").expect("write");
    let o = author(&data, &["import", "leaders", &csv.display().to_string()]);
    assert_eq!(o.status.code(), Some(1), "only the Модератор АСИ imports");
    let o = run(
        &data,
        Some(("asi", "demo")),
        &["import", "leaders", &csv.display().to_string()],
    );
    assert!(o.status.success(), "{}", err(&o));
    // 2026 is now the latest rating year, and Татарстан is not in it.
    let id = out(&author(
        &data,
        &["practice", "new", "--from", &example("passport.json")],
    ))
    .trim()
    .to_owned();
    assert!(
        author(
            &data,
            &[
                "practice",
                "attach",
                &id,
                &example("cover.png"),
                "--kind",
                "cover"
            ]
        )
        .status
        .success()
    );
    let o = author(&data, &["practice", "submit", &id]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).contains("не входит в списки регионов-лидеров рейтингов 2026"),
        "{}",
        err(&o)
    );
}

#[test]
fn oversized_inputs_are_refused_naming_the_limit() {
    let (tmp, data) = demo_store();
    // One byte over 4 MiB, all spaces: valid JSON whitespace if it were
    // read, so only the limit refuses it.
    let big = tmp.path().join("big.json");
    let mut text = vec![b' '; 4 * 1024 * 1024];
    text.extend_from_slice(b"{}");
    std::fs::write(&big, &text).expect("write");
    let big = big.display().to_string();
    let o = author(&data, &["practice", "new", "--from", &big]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("больше 4 МБ"), "{}", err(&o));
    let id = out(&author(
        &data,
        &["practice", "new", "--from", &example("passport.json")],
    ))
    .trim()
    .to_owned();
    let o = author(&data, &["practice", "edit", &id, "--from", &big]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("больше 4 МБ"), "{}", err(&o));
    let o = run(&data, Some(("asi", "demo")), &["import", "leaders", &big]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("больше 4 МБ"), "{}", err(&o));
    // A device without end is cut at the limit, not read forever.
    if Path::new("/dev/zero").exists() {
        let o = author(&data, &["practice", "new", "--from", "/dev/zero"]);
        assert_eq!(o.status.code(), Some(2));
        assert!(err(&o).contains("больше 4 МБ"), "{}", err(&o));
    }
    // Just at the limit is read (and here refused only as JSON).
    text.truncate(4 * 1024 * 1024 - 2);
    text.extend_from_slice(b"{}");
    let fits = tmp.path().join("fits.json");
    std::fs::write(&fits, &text).expect("write");
    let o = author(
        &data,
        &[
            "practice",
            "edit",
            &id,
            "--from",
            &fits.display().to_string(),
        ],
    );
    assert!(o.status.success(), "{}", err(&o));
    let o = author(
        &data,
        &[
            "practice",
            "new",
            "--from",
            &tmp.path().display().to_string(),
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("каталог"), "{}", err(&o));
}

#[test]
fn save_file_does_not_overwrite_without_force() {
    let (tmp, data) = demo_store();
    let id = out(&author(
        &data,
        &["practice", "new", "--from", &example("passport.json")],
    ))
    .trim()
    .to_owned();
    let o = author(
        &data,
        &[
            "practice",
            "attach",
            &id,
            &example("cover.png"),
            "--kind",
            "cover",
        ],
    );
    assert!(o.status.success(), "{}", err(&o));
    let out_dir = tmp.path().join("out");
    std::fs::create_dir(&out_dir).expect("mkdir");
    let dest = out_dir.join("cover.png");
    std::fs::write(&dest, "мой файл").expect("write");
    let shown = dest.display().to_string();
    let save = |extra: &[&str]| {
        let mut args = vec!["practice", "save-file", &id, "cover.png", &shown];
        args.extend_from_slice(extra);
        author(&data, &args)
    };
    let o = save(&[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).contains(&format!(
            "Файл «{shown}» уже есть: укажите другой путь или --force."
        )),
        "{}",
        err(&o)
    );
    assert_eq!(std::fs::read_to_string(&dest).expect("kept"), "мой файл");
    let o = save(&["--force"]);
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(
        std::fs::read(&dest).expect("saved"),
        std::fs::read(example("cover.png")).expect("original")
    );
    // Nothing but the file itself is left behind.
    let names: Vec<_> = std::fs::read_dir(&out_dir)
        .expect("dir")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(names, ["cover.png"]);
    // A directory is not a file to save to, even with --force.
    let o = author(
        &data,
        &[
            "practice",
            "save-file",
            &id,
            "cover.png",
            &out_dir.display().to_string(),
            "--force",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("каталог"), "{}", err(&o));
    // A new path needs no flag.
    let fresh = out_dir.join("copy.png");
    let o = author(
        &data,
        &[
            "practice",
            "save-file",
            &id,
            "cover.png",
            &fresh.display().to_string(),
        ],
    );
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(
        std::fs::read(&fresh).expect("saved"),
        std::fs::read(example("cover.png")).expect("original")
    );
}
