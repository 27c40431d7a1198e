//! Replication end to end: the acceptance path through `smarteka
//! replication` on a demo store, the yearly summary read back from its
//! XLSX and checked against the store, and the same path on clients
//! syncing with a central instance.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use calamine::{DataType, Reader, Xlsx, open_workbook};
use serde_json::Value;
use smarteka::domain::ReplicationStatus;
use smarteka::domain::replication::{Action, Args, Request, ResultForm};
use smarteka::domain::workflow::{Document, DocumentKind};
use smarteka::store::Store;

use common::Central;

fn smarteka(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_smarteka"))
        .arg("--data")
        .arg(data)
        .args(args)
        .env_remove("SMARTEKA_CONFIG")
        .env("SMARTEKA_PASSWORD", "demo")
        .output()
        .expect("runs")
}

fn ok(o: &Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).trim().to_owned()
}

fn refused(o: &Output) -> String {
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A published practice of a region other than the recipient's, with no
/// demo application.
fn published(store: &Store) -> smarteka::domain::PracticeId {
    let taken: Vec<_> = store
        .applications()
        .expect("read")
        .iter()
        .map(|a| a.practice)
        .collect();
    store
        .practices()
        .filter_map(Result::ok)
        .find(|p| {
            !taken.contains(&p.id)
                && p.status == smarteka::domain::PracticeStatus::Published
                && p.passport.regions.author.as_deref() != Some(smarteka::demo::RECIPIENT_REGION)
                && !p
                    .passport
                    .regions
                    .others
                    .iter()
                    .any(|r| r == smarteka::demo::RECIPIENT_REGION)
        })
        .expect("a published practice")
        .id
}

#[test]
#[allow(clippy::too_many_lines)] // the acceptance path, step by step
fn from_want_to_implement_to_implemented_through_the_cli() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path();
    ok(&smarteka(
        data,
        &["demo", "--practices", "60", "--seed", "1"],
    ));
    let practice = {
        let store = Store::open(data).expect("store");
        published(&store).to_string()
    };
    let before = {
        let store = Store::open(data).expect("store");
        store.applications().expect("read").len()
    };
    // Only a recipient applies, and only having confirmed.
    let e = refused(&smarteka(
        data,
        &[
            "--as",
            "author",
            "replication",
            "apply",
            &practice,
            "--event",
            "Демо-день",
            "--confirm",
        ],
    ));
    assert!(e.contains("Реципиент"), "{e}");
    let e = refused(&smarteka(
        data,
        &[
            "--as",
            "recipient",
            "replication",
            "apply",
            &practice,
            "--event",
            "Демо-день",
        ],
    ));
    assert!(e.contains("подтвердите"), "{e}");
    let id = ok(&smarteka(
        data,
        &[
            "--as",
            "recipient",
            "replication",
            "apply",
            &practice,
            "--event",
            "Демо-день в Казани",
            "--confirm",
        ],
    ));
    let step = |who: &str, args: &[&str]| {
        let mut a = vec!["--as", who, "replication", "act", id.as_str()];
        a.extend_from_slice(args);
        smarteka(data, &a)
    };
    // Not one's step: the flags of what it needs would only mislead.
    let e = refused(&step("recipient", &["assign"]));
    assert!(e.contains("модератор АСИ") && !e.contains("--to"), "{e}");
    let e = refused(&step("recipient", &["assign", "--to", "impl"]));
    assert!(e.contains("модератор АСИ"), "{e}");
    // The rule's words, and the command line's flag for what is missing.
    let e = refused(&step("asi", &["assign"]));
    assert!(
        e.contains("Укажите модератора внедрения") && e.contains("--to ЛОГИН"),
        "{e}"
    );
    ok(&step("asi", &["assign", "--to", "impl"]));
    ok(&step(
        "impl",
        &["contact", "--comment", "Созвонились с министерством"],
    ));
    let files = tempfile::tempdir().expect("tempdir");
    let file = |name: &str, text: &str| {
        let p = files.path().join(name);
        std::fs::write(&p, text).expect("writes");
        p.display().to_string()
    };
    let roadmap = file("дорожная-карта.pdf", "дорожная карта");
    ok(&step("impl", &["upload-roadmap", "--attach", &roadmap]));
    ok(&step("asi", &["upload-roadmap"]));
    let list = |who: &str| -> Vec<Value> {
        let o = smarteka(data, &["--as", who, "replication", "list", "--json"]);
        serde_json::from_str::<Value>(&ok(&o))
            .expect("json")
            .as_array()
            .expect("a list")
            .clone()
    };
    let mine = list("recipient");
    let row = mine
        .iter()
        .find(|r| r["id"] == id.as_str())
        .expect("listed");
    assert_eq!(row["status"], "Внедряется");
    assert_eq!(row["practice"], practice.as_str());
    assert_eq!(row["region"], smarteka::demo::RECIPIENT_REGION);
    // The report needs the letter; with it and the form, the moderator
    // checks and the Модератор АСИ closes.
    let letter = file("письмо.pdf", "письмо руководителя");
    let materials = file("материалы.pdf", "материалы");
    let form = [
        "--started",
        "12.01.2026",
        "--finished",
        "2026-10-30",
        "--adaptation",
        "Маршруты перестроены под районы области",
        "--results",
        "Охват вырос на 12 %",
        "--effects",
        "Меньше повторных обращений",
    ];
    let mut no_letter = vec!["report", "--attach", materials.as_str()];
    no_letter.extend_from_slice(&form);
    let e = refused(&step("recipient", &no_letter));
    assert!(e.contains("письмо"), "{e}");
    let mut report = vec![
        "report",
        "--letter",
        letter.as_str(),
        "--attach",
        materials.as_str(),
    ];
    report.extend_from_slice(&form);
    ok(&step("recipient", &report));
    let e = refused(&step("asi", &["complete"]));
    assert!(e.contains("не проверил"), "{e}");
    ok(&step("impl", &["complete"]));
    ok(&step("asi", &["complete"]));
    let row = list("asi")
        .into_iter()
        .find(|r| r["id"] == id.as_str())
        .expect("listed");
    assert_eq!(row["status"], "Внедрено");
    // Another region's recipient sees nothing of it.
    assert!(list("impl").iter().any(|r| r["id"] == id.as_str()));

    // The timeline holds every step with its documents.
    let o = smarteka(data, &["--as", "asi", "replication", "show", &id, "--json"]);
    let shown: Value = serde_json::from_str(&ok(&o)).expect("json");
    let timeline = shown["timeline"].as_array().expect("timeline");
    assert_eq!(timeline.len(), 8, "{timeline:#?}");
    assert_eq!(shown["documents"].as_array().expect("docs").len(), 3);

    // The summary and its XLSX count it, and agree with the store.
    let xlsx = files.path().join("итоги.xlsx");
    let csv = files.path().join("итоги.csv");
    let year = chrono::Datelike::year(&chrono::Utc::now()).to_string();
    ok(&smarteka(
        data,
        &[
            "report",
            "replication",
            "--year",
            &year,
            "--xlsx",
            &xlsx.display().to_string(),
            "--csv",
            &csv.display().to_string(),
        ],
    ));
    let store = Store::open(data).expect("store");
    let apps = store.applications().expect("read");
    assert_eq!(apps.len(), before + 1);
    let mut book: Xlsx<_> = open_workbook(&xlsx).expect("xlsx");
    let sheet = book.worksheet_range("По статусам").expect("sheet");
    let rows: Vec<(String, f64)> = sheet
        .rows()
        .skip(1)
        .map(|r| (r[0].to_string(), r[1].get_float().unwrap_or(-1.0)))
        .collect();
    for s in ReplicationStatus::ALL {
        let in_store = apps
            .iter()
            .filter(|a| a.status == s && chrono::Datelike::year(&a.applied).to_string() == year)
            .count();
        let in_book = rows
            .iter()
            .find(|(n, _)| n == s.name())
            .map(|r| r.1)
            .expect("a row per status");
        #[allow(clippy::cast_precision_loss)]
        let expected = in_store as f64;
        assert!(
            (in_book - expected).abs() < f64::EPSILON,
            "{}: {in_book}",
            s.name()
        );
    }
    let total = rows.iter().find(|(n, _)| n == "Итого").expect("total").1;
    #[allow(clippy::cast_precision_loss)]
    let all = apps.len() as f64;
    assert!((total - all).abs() < f64::EPSILON);
    let implemented = rows.iter().find(|(n, _)| n == "Внедрено").expect("row").1;
    assert!(implemented >= 1.0);
    let regions = book.worksheet_range("По регионам").expect("sheet");
    assert!(regions.rows().any(|r| r[0] == "Новосибирская область"));
    let text = std::fs::read_to_string(&csv).expect("csv");
    assert!(text.starts_with("раздел,название,заявок\n"), "{text}");
    assert!(text.contains("По статусам,Внедрено,"), "{text}");
}

fn doc(store: &Store, kind: DocumentKind, text: &str) -> Document {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(format!("{kind:?}.pdf"));
    std::fs::write(&path, text).expect("writes");
    let b = smarteka::store::blobs::Blobs::new(store.dir())
        .put_file(&path)
        .expect("stored");
    Document {
        kind,
        sha256: b.sha256,
        name: b.name,
        size: b.size,
    }
}

#[test]
#[allow(clippy::too_many_lines)] // four clients, one story
fn the_path_on_clients_syncing_with_a_central_instance() {
    let central = Central::start(60);
    let practice = published(&central.store);
    let dirs: Vec<_> = (0..3)
        .map(|_| tempfile::tempdir().expect("tempdir"))
        .collect();
    let logins = ["recipient", "asi", "impl"];
    let creds: Vec<_> = logins
        .iter()
        .zip(&dirs)
        .map(|(l, d)| central.client(d.path(), l))
        .collect();
    let open = |i: usize| Store::open(dirs[i].path()).expect("store");
    let sync = |i: usize, store: &Store| {
        central
            .runtime
            .block_on(smarteka::sync::client::sync(store, &creds[i], |_| {}))
            .expect("syncs")
    };
    let me = |s: &Store, login: &str| s.user_by_login(login).expect("read").expect("pulled");
    let act = |i: usize, action: Action, args: Args| {
        let s = open(i);
        sync(i, &s);
        let id = s
            .applications()
            .expect("read")
            .iter()
            .find(|a| a.practice == practice)
            .map(|a| a.id)
            .expect("pulled");
        smarteka::service::replication::act_with(
            &common::cx(&s),
            &me(&s, logins[i]),
            id,
            action,
            &args,
            |_| {},
        )
        .unwrap_or_else(|e| panic!("{}: {}", action.code(), e.message()));
        let summary = sync(i, &s);
        assert_eq!(summary.rejected, 0, "{}", action.code());
    };

    // The recipient applies offline, then syncs.
    {
        let s = open(0);
        let req = Request {
            learned_at: "Демо-день".into(),
            event: None,
            confirmed: true,
        };
        smarteka::service::replication::apply_with(
            &common::cx(&s),
            &me(&s, "recipient"),
            practice,
            &req,
            None,
            |_| {},
        )
        .expect("applies");
        assert_eq!(
            s.outbox().expect("outbox").len(),
            1,
            "queued with the change"
        );
        let summary = sync(0, &s);
        assert_eq!((summary.sent, summary.rejected), (1, 0));
    }
    let ours = || {
        central
            .store
            .applications()
            .expect("read")
            .into_iter()
            .find(|a| a.practice == practice)
            .expect("on the server")
    };
    assert_eq!(ours().status, ReplicationStatus::Applied);

    let assign = Args {
        to: Some(
            central
                .store
                .user_by_login("impl")
                .expect("read")
                .expect("impl"),
        ),
        ..Args::default()
    };
    act(1, Action::Assign, assign);
    act(2, Action::Contact, Args::default());
    {
        let s = open(2);
        let roadmap = doc(&s, DocumentKind::Roadmap, "дорожная карта");
        drop(s);
        act(
            2,
            Action::UploadRoadmap,
            Args {
                documents: vec![roadmap],
                ..Args::default()
            },
        );
    }
    act(1, Action::UploadRoadmap, Args::default());
    {
        let s = open(0);
        let letter = doc(&s, DocumentKind::OfficialLetter, "письмо");
        let materials = doc(&s, DocumentKind::Materials, "материалы");
        drop(s);
        act(
            0,
            Action::Report,
            Args {
                documents: vec![letter, materials],
                report: Some(ResultForm {
                    started: chrono::NaiveDate::from_ymd_opt(2026, 1, 12).expect("date"),
                    finished: chrono::NaiveDate::from_ymd_opt(2026, 10, 30).expect("date"),
                    adaptation: "Адаптировано".into(),
                    first_results: "Первые результаты".into(),
                    expected_effects: "Эффекты".into(),
                }),
                ..Args::default()
            },
        );
    }
    act(2, Action::Complete, Args::default());
    act(1, Action::Complete, Args::default());

    let done = ours();
    assert_eq!(done.status, ReplicationStatus::Implemented);
    assert_eq!(done.documents.len(), 3);
    // The files reached the server by their own lane.
    let blobs = smarteka::store::blobs::Blobs::new(central.store.dir());
    assert!(done.documents.iter().all(|d| blobs.exists(&d.sha256)));
    // Every client ends with the server's application.
    for (i, login) in logins.iter().enumerate() {
        let s = open(i);
        sync(i, &s);
        assert_eq!(
            s.application(done.id).expect("read").as_ref(),
            Some(&done),
            "client {login}"
        );
    }
    // A step the server refuses comes back with its reason: the Агентство
    // refuses a second application while the recipient, offline, declines
    // it; the recipient's decline is rejected and the refusal stands.
    let taken: Vec<_> = central
        .store
        .applications()
        .expect("read")
        .iter()
        .map(|a| a.practice)
        .collect();
    let second = central
        .store
        .practices()
        .filter_map(Result::ok)
        .find(|p| {
            p.id != practice
                && !taken.contains(&p.id)
                && p.status == smarteka::domain::PracticeStatus::Published
                && p.passport.regions.author.as_deref() != Some(smarteka::demo::RECIPIENT_REGION)
                && !p
                    .passport
                    .regions
                    .others
                    .iter()
                    .any(|r| r == smarteka::demo::RECIPIENT_REGION)
        })
        .expect("another published practice")
        .id;
    let rs = open(0);
    let req = Request {
        learned_at: "Сборник Агентства".into(),
        event: None,
        confirmed: true,
    };
    let b = smarteka::service::replication::apply_with(
        &common::cx(&rs),
        &me(&rs, "recipient"),
        second,
        &req,
        None,
        |_| {},
    )
    .expect("applies");
    sync(0, &rs);
    {
        let s = open(1);
        sync(1, &s);
        let refuse = Args {
            reason: Some("contacts".into()),
            ..Args::default()
        };
        smarteka::service::replication::act_with(
            &common::cx(&s),
            &me(&s, "asi"),
            b.id,
            Action::Refuse,
            &refuse,
            |_| {},
        )
        .expect("refuses");
        sync(1, &s);
    }
    let decline = Args {
        comment: "Передумали".into(),
        ..Args::default()
    };
    smarteka::service::replication::act_with(
        &common::cx(&rs),
        &me(&rs, "recipient"),
        b.id,
        Action::Decline,
        &decline,
        |_| {},
    )
    .expect("allowed on the stale copy");
    let summary = sync(0, &rs);
    assert_eq!(summary.rejected, 1);
    let kept = rs.conflicts().expect("read");
    let reason = kept
        .iter()
        .find_map(|c| c.reason.clone())
        .expect("the reason is kept");
    assert!(reason.contains("закрыта"), "{reason}");
    let server = central
        .store
        .application(b.id)
        .expect("read")
        .expect("exists");
    assert_eq!(server.status, ReplicationStatus::RefusedByAgency);
    assert_eq!(rs.application(b.id).expect("read"), Some(server));
}

#[test]
fn an_event_the_regions_interest_and_the_invitation_to_apply() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path();
    ok(&smarteka(
        data,
        &["demo", "--practices", "60", "--seed", "1"],
    ));
    let practice = {
        let store = Store::open(data).expect("store");
        published(&store).to_string()
    };
    let today = chrono::Local::now().date_naive().to_string();
    let event_args = [
        "replication",
        "event",
        "--format",
        "demo-day",
        "--title",
        "Демо-день практик здравоохранения",
        "--date",
        &today,
        "--place",
        "Казань",
        "--practice",
        &practice,
    ];
    let mut as_recipient = vec!["--as", "recipient"];
    as_recipient.extend_from_slice(&event_args);
    let e = refused(&smarteka(data, &as_recipient));
    assert!(e.contains("модератор АСИ"), "{e}");
    let mut as_asi = vec!["--as", "asi"];
    as_asi.extend_from_slice(&event_args);
    let event = ok(&smarteka(data, &as_asi));
    let mut bad = as_asi.clone();
    bad[5] = "concert";
    let o = smarteka(data, &bad);
    assert_eq!(o.status.code(), Some(2), "an unknown format is bad input");
    assert!(String::from_utf8_lossy(&o.stderr).contains("Нет формата «concert»"));
    // Another region's interest invites nobody in the recipient's region.
    ok(&smarteka(
        data,
        &[
            "--as",
            "asi",
            "replication",
            "interest",
            &event,
            "--region",
            "52",
            "--practice",
            &practice,
        ],
    ));
    let invited = |data: &Path| -> Vec<Value> {
        let o = smarteka(
            data,
            &["--as", "recipient", "replication", "events", "--json"],
        );
        let v: Value = serde_json::from_str(&ok(&o)).expect("json");
        v["invitations"].as_array().expect("invitations").clone()
    };
    assert!(invited(data).is_empty());
    ok(&smarteka(
        data,
        &[
            "--as",
            "asi",
            "replication",
            "interest",
            &event,
            "--region",
            smarteka::demo::RECIPIENT_REGION,
            "--practice",
            &practice,
        ],
    ));
    let list = invited(data);
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["practice"], practice.as_str());
    // The recipient's inbox has it too.
    let o = smarteka(data, &["--as", "recipient", "inbox", "--json"]);
    assert!(ok(&o).contains("Приглашение подать заявку"));
    // Applying by the event's id links the application; the invitation is
    // answered.
    let id = ok(&smarteka(
        data,
        &[
            "--as",
            "recipient",
            "replication",
            "apply",
            &practice,
            "--event",
            &event,
            "--confirm",
        ],
    ));
    let store = Store::open(data).expect("store");
    let app = store
        .application(uuid::Uuid::parse_str(&id).expect("id"))
        .expect("read")
        .expect("exists");
    assert_eq!(app.event.map(|e| e.to_string()), Some(event.clone()));
    assert_eq!(app.learned_at, "Демо-день практик здравоохранения");
    assert_eq!(
        app.due(smarteka::domain::calendar::current()),
        None,
        "handled first"
    );
    drop(store);
    assert!(invited(data).is_empty());
}

/// §5.3.1: an application made after an Agency event comes before the
/// others of its status, whatever their deadlines, in the list everyone
/// reads — the command line's as the workstation's.
#[test]
fn applications_after_an_agency_event_are_listed_first() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path();
    ok(&smarteka(
        data,
        &["demo", "--practices", "120", "--seed", "2"],
    ));
    let practice = {
        let store = Store::open(data).expect("store");
        published(&store).to_string()
    };
    let event = ok(&smarteka(
        data,
        &[
            "--as",
            "asi",
            "replication",
            "event",
            "--format",
            "demo-day",
            "--title",
            "Демо-день практик",
            "--date",
            "2026-11-20",
            "--place",
            "Казань",
            "--practice",
            &practice,
        ],
    ));
    let id = ok(&smarteka(
        data,
        &[
            "--as",
            "recipient",
            "replication",
            "apply",
            &practice,
            "--event",
            &event,
            "--confirm",
        ],
    ));
    let list: serde_json::Value = serde_json::from_str(&ok(&smarteka(
        data,
        &["--as", "asi", "replication", "list", "--json"],
    )))
    .expect("json");
    let rows = list.as_array().expect("rows");
    let applied: Vec<&serde_json::Value> = rows.iter().filter(|r| r["code"] == "R-1").collect();
    assert!(applied.len() > 1, "others wait too: {}", applied.len());
    assert_eq!(
        applied[0]["id"],
        id.as_str(),
        "the event's first: {applied:?}"
    );
    assert_eq!(applied[0]["event"], true);
    assert!(applied[1..].iter().all(|r| r["event"] == false));
    // Within each status the rest keep to their deadlines.
    let codes: Vec<&str> = rows.iter().filter_map(|r| r["code"].as_str()).collect();
    let mut sorted = codes.clone();
    sorted.sort_by_key(|c| c[2..].parse::<u8>().unwrap_or(u8::MAX));
    assert_eq!(codes, sorted, "grouped by status in order");
}
