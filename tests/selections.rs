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

/// A partner and its selection recorded by the Модератор АСИ: the title
/// and its one yes/no criterion, the dates as days from the context's today
/// (requested, opens, closes, evaluation ends, results).
fn record_selection(
    cx: &smarteka::service::Ctx<'_>,
    asi: &smarteka::domain::User,
    (title, criterion): (&str, &str),
    days: [i64; 5],
) -> smarteka::domain::selection::Selection {
    use smarteka::domain::selection::{Criterion, Dates, Partner, PartnerKind, Selection};
    use smarteka::service::selections::{save_partner, save_selection};
    let partner = save_partner(
        cx,
        asi,
        Partner {
            id: uuid::Uuid::now_v7(),
            name: "Комиссия Госсовета «Семья»".into(),
            kind: PartnerKind::Commission,
            contacts: String::new(),
            representatives: Vec::new(),
        },
    )
    .expect("partner");
    let day = |n: i64| cx.today() + chrono::Duration::days(n);
    save_selection(
        cx,
        asi,
        Selection {
            id: uuid::Uuid::now_v7(),
            partner: partner.id,
            title: title.into(),
            theme: "Семьи с детьми".into(),
            categories: Vec::new(),
            criteria: vec![Criterion {
                name: criterion.into(),
                max_score: None,
            }],
            dates: Dates {
                requested: day(days[0]),
                opens: day(days[1]),
                closes: day(days[2]),
                evaluation_ends: day(days[3]),
                results: day(days[4]),
            },
            experts: Vec::new(),
            regulations: String::new(),
            winners: Vec::new(),
        },
    )
    .expect("selection")
}

/// The id of the selection these tests make, among the demo's own.
fn ours(list: &serde_json::Value) -> String {
    list.as_array()
        .expect("selections")
        .iter()
        .find(|s| s["title"] == "Лучшие практики поддержки семей")
        .and_then(|s| s["id"].as_str())
        .expect("the selection came")
        .to_owned()
}

/// A demo store of 120 practices.
fn demo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    ok(&run(
        dir.path(),
        None,
        &["demo", "--practices", "120", "--seed", "1"],
    ));
    dir
}

/// The demo author's drafts on the store in `data`, from their queue.
fn author_drafts(data: &Path) -> Vec<String> {
    let queues = json(&run(data, Some("author"), &["queue", "--json"]));
    queues
        .as_array()
        .expect("queues")
        .iter()
        .find(|q| q["code"] == "drafts")
        .and_then(|q| q["items"].as_array())
        .expect("drafts")
        .iter()
        .filter_map(|i| i["id"].as_str().map(str::to_owned))
        .collect()
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
    let dir = demo();
    let data = dir.path();
    let today = chrono::Local::now().date_naive();

    // Only the Agency records partners.
    let file = example("partner.json").display().to_string();
    refused(
        &run(data, Some("author"), &["partner", "new", "--from", &file]),
        &["Модератор АСИ"],
    );
    let said = out(&run(
        data,
        Some("asi"),
        &["partner", "new", "--from", &file],
    ));
    // The new one is the last (ids are `UUIDv7`), after the demo's.
    let partners = json(&run(data, None, &["partner", "list", "--json"]));
    let partner = partners
        .as_array()
        .and_then(|p| p.last())
        .and_then(|p| p["id"].as_str())
        .expect("id")
        .to_owned();
    assert!(said.contains(&partner), "{said}");
    // The same partner twice is refused, naming the one there.
    refused(
        &run(data, Some("asi"), &["partner", "new", "--from", &file]),
        &["уже записан", &partner],
    );

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
    let id = ours(&list);
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
    assert!(page.contains("Заявок подано: 1"), "{page}");
    assert!(
        page.contains("да/нет, обязательный") && page.contains("до 10 баллов"),
        "{page}"
    );
    // A recipient elsewhere does not see who applied.
    let seen = json(&run(
        data,
        Some("recipient"),
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

/// Offline: an application made while intake was open on the
/// workstation's day, synced after it closed, is refused by the server's
/// day with the reason kept for the author; the selection itself came to
/// the workstation by the feed, applications of others not shown.
#[test]
fn an_offline_application_arriving_after_the_deadline_is_refused_saying_why() {
    use smarteka::domain::clock::FixedClock;
    use smarteka::service::Ctx;
    use smarteka::service::selections::enter_with;
    let central = common::Central::start(80);
    let server = common::cx(&central.store);
    let asi = central
        .store
        .user_by_login("asi")
        .expect("reads")
        .expect("asi");
    let s = record_selection(
        &server,
        &asi,
        ("Занятость молодёжи", "Есть результаты за год"),
        [-120, -40, -1, 10, 20],
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let creds = central.client(dir.path(), "author");
    let store = smarteka::store::Store::open(dir.path()).expect("store");
    let here = store
        .selection(s.id)
        .expect("reads")
        .expect("came by the feed");
    assert_eq!(here.title, s.title);
    let author = store
        .user_by_login("author")
        .expect("reads")
        .expect("author");
    let draft = store
        .practices()
        .map(|p| p.expect("reads"))
        .find(|p| p.author == author.id && p.status == smarteka::domain::PracticeStatus::Draft)
        .expect("the author's draft");

    // Made on the workstation two days before closing, while offline.
    let then = FixedClock::on(s.dates.closes - chrono::Duration::days(2));
    enter_with(
        &Ctx::new(&store, &then),
        &author,
        s.id,
        draft.id,
        &["Есть результаты за год".to_owned()],
        |_| {},
    )
    .expect("accepted here, queued");
    assert_eq!(store.outbox().expect("reads").len(), 1);

    let summary = central
        .runtime
        .block_on(smarteka::sync::client::sync(&store, &creds, |_| {}))
        .expect("syncs");
    assert_eq!(summary.rejected, 1);
    let why = store.conflicts().expect("reads");
    let reason = why[0].reason.clone().unwrap_or_default();
    assert!(reason.contains("закончился"), "{reason}");
    assert!(
        central.store.entries(s.id).expect("reads").is_empty(),
        "nothing applied on the server"
    );
}

/// «Отборы» in the workstation at 80×24: a guest sees the open selection
/// with its days left and no applications; the Модератор АСИ opens its page
/// and sees the application; `?` lists the keys; Esc goes back.
#[test]
fn the_selections_screen_lists_and_opens_a_selection() {
    use crossterm::event::KeyCode;
    use smarteka::service::selections::enter_with;
    let mut f = common::app(120);
    let cx = f.cx();
    let store = &f.app.store;
    let asi = store.user_by_login("asi").expect("reads").expect("asi");
    let author = store
        .user_by_login("author")
        .expect("reads")
        .expect("author");
    let s = record_selection(
        &cx,
        &asi,
        (
            "Лучшие практики поддержки семей",
            "Реализуется не менее года",
        ),
        [-90, -5, 10, 20, 25],
    );
    let draft = store
        .practices()
        .map(|p| p.expect("reads"))
        .find(|p| p.author == author.id && p.status == smarteka::domain::PracticeStatus::Draft)
        .expect("the author's draft");
    enter_with(
        &cx,
        &author,
        s.id,
        draft.id,
        &["Реализуется не менее года".to_owned()],
        |_| {},
    )
    .expect("entered");

    let app = &mut f.app;
    common::key(app, KeyCode::Char('O'));
    let list = common::screen(app, 80, 24);
    assert!(list.contains("Лучшие практики поддержки семей"), "{list}");
    assert!(
        list.contains("осталось 11 дн.") && !list.contains("подано"),
        "a guest sees none: {list}"
    );
    common::key(app, KeyCode::Char('?'));
    let help = common::screen(app, 80, 24);
    assert!(help.contains("Открыть страницу отбора"), "{help}");
    common::key(app, KeyCode::Esc);

    common::sign_in(app, "asi");
    common::key(app, KeyCode::Char('O'));
    assert!(common::screen(app, 80, 24).contains("подано    1"));
    common::key(app, KeyCode::Enter);
    let page = common::screen(app, 80, 24);
    assert!(
        page.contains("Этап: приём заявок, осталось дней: 11"),
        "{page}"
    );
    let start: String = draft.passport.title.chars().take(20).collect();
    assert!(page.contains(&start), "the application: {page}");
    insta::assert_snapshot!("selection_page_80x24", page);
    // A page that fits does not scroll away.
    for _ in 0..30 {
        common::key(app, KeyCode::Down);
    }
    assert!(common::screen(app, 80, 24).contains("«Лучшие практики поддержки семей»"));
    common::key(app, KeyCode::Esc);
    assert!(common::screen(app, 80, 24).contains("открытые — первыми"));
    common::key(app, KeyCode::Char('q'));
    assert!(app.stack.is_empty(), "back to the catalogue");
}

/// From «Отборы», the page of the selection these tests make: open ones
/// come first, so it may be further down the list.
fn open_ours(app: &mut smarteka::tui::app::App) {
    use crossterm::event::KeyCode;
    for _ in 0..5 {
        common::key(app, KeyCode::Enter);
        if common::screen(app, 80, 24).contains("«Лучшие практики поддержки семей»")
        {
            return;
        }
        common::key(app, KeyCode::Esc);
        common::key(app, KeyCode::Down);
    }
    panic!("the selection is not in the list");
}

/// From the selection's page an author applies (`a`: a practice and the
/// mandatory criteria ticked) and, once intake closed, an expert of the
/// selection scores (`v`); a refusal keeps the form as it was.
#[test]
fn an_author_applies_and_an_expert_scores_from_the_page() {
    use crossterm::event::KeyCode;
    let mut f = common::app(120);
    let store = f.app.store.clone();
    let user = |l: &str| store.user_by_login(l).expect("reads").expect("demo user");
    let asi = user("asi");
    let s = {
        let cx = f.cx();
        let mut s = record_selection(
            &cx,
            &asi,
            (
                "Лучшие практики поддержки семей",
                "Реализуется не менее года",
            ),
            [-90, -5, 10, 20, 25],
        );
        s.experts = vec![user("expert1").id];
        smarteka::service::selections::save_selection(&cx, &asi, s).expect("experts")
    };

    let app = &mut f.app;
    common::sign_in(app, "author");
    common::key(app, KeyCode::Char('O'));
    common::key(app, KeyCode::Enter);
    let page = common::screen(app, 80, 24);
    assert!(page.contains("a заявка"), "the key in the hints: {page}");
    assert!(
        !page.contains("v оценка"),
        "the author is no expert: {page}"
    );
    common::key(app, KeyCode::Char('a'));
    let form = common::screen(app, 80, 24);
    assert!(form.contains("Заявка на отбор"), "{form}");
    assert!(form.contains("Реализуется не менее года"), "{form}");
    insta::assert_snapshot!("selection_apply_80x24", form);
    // Not confirmed: refused, the form stays.
    common::key(app, KeyCode::Enter);
    let said = common::screen(app, 80, 24);
    assert!(said.contains("Не подтверждено"), "{said}");
    assert!(store.entries(s.id).expect("reads").is_empty());
    common::key(app, KeyCode::Tab);
    common::key(app, KeyCode::Char(' '));
    // A tick is not dropped without asking.
    common::key(app, KeyCode::Esc);
    let asked = common::screen(app, 80, 24);
    assert!(asked.contains("Введённое не сохранится"), "{asked}");
    common::key(app, KeyCode::Enter);
    let back = common::screen(app, 80, 24);
    assert!(
        !back.contains("Заявка на отбор ·"),
        "the form closed: {back}"
    );
    let entries = store.entries(s.id).expect("reads");
    assert_eq!(entries.len(), 1);
    let title = store
        .summary(entries[0].practice)
        .expect("reads")
        .expect("row")
        .title;
    let start: String = title.chars().take(20).collect();
    assert!(back.contains(&start), "the page shows it: {back}");
    common::key(app, KeyCode::Esc);
    common::key(app, KeyCode::Char('q'));

    // Intake closed: the expert scores.
    f.clock
        .set(smarteka::domain::clock::Clock::now(f.clock.as_ref()) + chrono::Duration::days(11));
    let app = &mut f.app;
    common::sign_in(app, "expert1");
    common::key(app, KeyCode::Char('O'));
    // Open ones first: ours, in evaluation now, further down.
    open_ours(app);
    let page = common::screen(app, 80, 24);
    assert!(
        page.contains("v оценка") && !page.contains("a заявка"),
        "an expert, no author: {page}"
    );
    common::key(app, KeyCode::Char('v'));
    let form = common::screen(app, 80, 24);
    assert!(form.contains("Оценка заявки"), "{form}");
    assert!(form.contains(&start), "the application: {form}");
    common::key(app, KeyCode::Tab);
    common::key(app, KeyCode::Char('5'));
    common::key(app, KeyCode::Enter);
    let said = common::screen(app, 80, 24);
    assert!(said.contains("укажите число от 0 до 1"), "{said}");
    common::key(app, KeyCode::Backspace);
    common::key(app, KeyCode::Char('1'));
    common::key(app, KeyCode::Enter);
    let scores = &store.entries(s.id).expect("reads")[0].scores;
    assert_eq!(scores.len(), 1, "scored");
    assert_eq!(scores[0].marks, [1]);

    // Intake over: the author's form says so, whatever is pressed.
    common::sign_in(app, "author");
    common::key(app, KeyCode::Char('O'));
    open_ours(app);
    common::key(app, KeyCode::Char('a'));
    common::key(app, KeyCode::Right);
    common::key(app, KeyCode::Enter);
    let closed = common::screen(app, 80, 24);
    assert!(closed.contains("Приём заявок закончился"), "{closed}");
    assert!(closed.contains("Esc — назад"), "{closed}");
}

/// `smarteka --data DATA --as LOGIN ARGS…` with `password`.
fn run_as(data: &Path, login: &str, password: &str, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_smarteka"))
        .arg("--data")
        .arg(data)
        .args(["--as", login])
        .args(args)
        .env("SMARTEKA_PASSWORD", password)
        .env("SMARTEKA_NEW_PASSWORD", password)
        .env_remove("SMARTEKA_CONFIG")
        .output()
        .expect("runs")
}

/// The example passport as `login`'s in `region`, written to `dir`.
fn example_passport(dir: &Path, login: &str, region: &str) -> String {
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(example("passport.json")).expect("example"))
            .expect("json");
    v["regions"]["author"] = region.into();
    v["route"] = "selection".into();
    v["team"][0]["login"] = login.into();
    write(dir, "passport.json", &v)
}

fn example(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/examples")
        .join(name)
}

/// A selection from the partner's request to its results through a real
/// `smarteka serve`: the Модератор АСИ, authors of two regions and three
/// experts each on a workstation of their own, every step an op the server
/// decides. The winners go on into validation by the selection's route: a
/// complete passport to its region's confirmation, an incomplete one stays
/// a draft and its author is told what to complete.
#[test]
#[allow(clippy::too_many_lines)] // one path through every step
fn a_selection_runs_to_its_results_through_a_server() {
    const PW52: &str = "пароль-автора-52";
    let server_dir = tempfile::tempdir().expect("tempdir");
    ok(&run(
        server_dir.path(),
        None,
        &["demo", "--practices", "120", "--seed", "1"],
    ));
    // A second region's author, registered by the server's administrator.
    let admin = |args: &[&str]| {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_smarteka"))
            .arg("--data")
            .arg(server_dir.path())
            .args(args)
            .env("SMARTEKA_NEW_PASSWORD", PW52)
            .env_remove("SMARTEKA_CONFIG")
            .output()
            .expect("runs");
        ok(&o);
    };
    admin(&[
        "user",
        "add",
        "author52",
        "--name",
        "Петров Пётр Петрович",
        "--region",
        "52",
    ]);
    admin(&[
        "user", "role", "author52", "add", "author", "--region", "52",
    ]);
    let server = common::serve_at(server_dir.path());
    let url = server.url();
    let logins = ["asi", "author", "author52", "expert1", "expert2", "expert3"];
    let dirs: Vec<tempfile::TempDir> = logins
        .iter()
        .map(|_| tempfile::tempdir().expect("tempdir"))
        .collect();
    let at = |login: &str| dirs[logins.iter().position(|l| *l == login).expect("a login")].path();
    let pw = |login: &str| if login == "author52" { PW52 } else { "demo" };
    let as_ = |login: &str, args: &[&str]| run_as(at(login), login, pw(login), args);
    let sync = |login: &str| {
        let o = as_(login, &["sync"]);
        ok(&o);
        let said = err(&o);
        assert!(said.contains("отклонено 0"), "{login}: {said}");
    };
    for l in logins {
        ok(&as_(l, &["login", "--server", &url]));
        sync(l);
    }
    let today = chrono::Local::now().date_naive();
    let days = |n: i64| today + chrono::Duration::days(n);

    // The Агентство records the partner and the selection it requested.
    let file = example("partner.json").display().to_string();
    ok(&as_("asi", &["partner", "new", "--from", &file]));
    let partners = json(&run(at("asi"), None, &["partner", "list", "--json"]));
    let ministry = "Министерство труда и социальной защиты Российской Федерации";
    let partner = partners
        .as_array()
        .and_then(|all| all.iter().find(|p| p["name"] == ministry))
        .and_then(|p| p["id"].as_str())
        .expect("the partner recorded")
        .to_owned();
    let mut s = selection(&partner, today, days(-70));
    let f = write(at("asi"), "s.json", &s);
    ok(&as_("asi", &["selection", "new", "--from", &f]));
    sync("asi");

    // The author of Татарстан applies with a complete passport and a
    // draft; the author of Нижегородская область with a passport begun
    // for the selection. Each from their own workstation.
    sync("author");
    let list = json(&run(at("author"), None, &["selection", "list", "--json"]));
    let id = ours(&list);
    let new_practice = |login: &str, region: &str| {
        let f = example_passport(at(login), login, region);
        let o = out(&as_(login, &["practice", "new", "--from", &f]));
        o.lines().next().expect("id").trim().to_owned()
    };
    let complete = new_practice("author", "16");
    ok(&as_(
        "author",
        &[
            "practice",
            "attach",
            &complete,
            &example("cover.png").display().to_string(),
            "--kind",
            "cover",
        ],
    ));
    let drafts = author_drafts(at("author"));
    let draft = drafts
        .iter()
        .find(|d| **d != complete)
        .expect("a demo draft")
        .clone();
    for d in [&complete, &draft] {
        ok(&as_(
            "author",
            &["selection", "apply", &id, d, "--confirm-all"],
        ));
    }
    sync("author");
    sync("author52");
    let begun = new_practice("author52", "52");
    ok(&as_(
        "author52",
        &["selection", "apply", &id, &begun, "--confirm-all"],
    ));
    sync("author52");

    // Intake closes (the Агентство moves the dates as the partner set
    // them); the experts score on their workstations.
    s["dates"] = serde_json::json!({
        "requested": days(-110).to_string(),
        "opens": days(-40).to_string(),
        "closes": days(-1).to_string(),
        "evaluation_ends": days(10).to_string(),
        "results": days(20).to_string()
    });
    sync("asi");
    let f = write(at("asi"), "s.json", &s);
    ok(&as_("asi", &["selection", "edit", &id, "--from", &f]));
    sync("asi");
    let applied = [complete.as_str(), draft.as_str(), begun.as_str()];
    for (e, marks) in [
        ("expert1", ["1,8", "1,5", "1,6"]),
        ("expert2", ["1,9", "0,5", "1,6"]),
        ("expert3", ["1,7", "1,5", "1,6"]),
    ] {
        sync(e);
        for (d, m) in applied.iter().zip(marks) {
            ok(&as_(e, &["selection", "score", &id, d, "--marks", m]));
        }
        sync(e);
    }
    // The experts read the drafts they assess (§3.2.6), brought by the
    // feed with the applications.
    let read = json(&as_("expert1", &["practice", "show", &begun, "--json"]));
    assert!(read["passport"]["title"].is_string(), "{read}");
    // The authors see no scores before the results.
    sync("author");
    refused(
        &as_("author", &["selection", "results", &id]),
        &["будут объявлены"],
    );

    // The evaluation ends; the winners are named; the results are out.
    s["dates"]["closes"] = serde_json::json!(days(-2).to_string());
    s["dates"]["evaluation_ends"] = serde_json::json!(days(-1).to_string());
    s["dates"]["results"] = serde_json::json!(today.to_string());
    sync("asi");
    let f = write(at("asi"), "s.json", &s);
    ok(&as_("asi", &["selection", "edit", &id, "--from", &f]));
    let ranking = json(&as_("asi", &["selection", "results", &id, "--json"]));
    let order: Vec<&str> = ranking
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r["practice"].as_str())
        .collect();
    assert_eq!(order, [complete.as_str(), begun.as_str(), draft.as_str()]);
    assert_eq!(ranking[0]["place"], "1");
    assert!((ranking[0]["mean"].as_f64().expect("mean") - 8.0).abs() < 1e-9);
    assert_eq!(ranking[1]["region"], "Нижегородская область", "{ranking}");
    let winners = format!("{complete},{begun}");
    ok(&as_(
        "asi",
        &["selection", "decide", &id, "--winners", &winners],
    ));
    let csv = at("asi").join("итоги.csv");
    ok(&as_(
        "asi",
        &[
            "selection",
            "results",
            &id,
            "--csv",
            &csv.display().to_string(),
        ],
    ));
    let text = std::fs::read_to_string(&csv).expect("csv");
    assert!(text.starts_with("\"Место\";\"Практика\""), "{text}");
    assert!(text.contains("\"да\""), "the winner marked: {text}");
    let pdf = at("asi").join("итоги.pdf");
    let o = as_(
        "asi",
        &[
            "selection",
            "results",
            &id,
            "--pdf",
            &pdf.display().to_string(),
        ],
    );
    assert!(err(&o).contains("записан в PDF"), "{}", err(&o));
    let bytes = std::fs::read(&pdf).expect("pdf");
    assert!(bytes.starts_with(b"%PDF"), "a PDF");
    sync("asi");
    sync("author");
    let seen = json(&as_("author", &["selection", "results", &id, "--json"]));
    let won: Vec<&str> = seen
        .as_array()
        .expect("rows")
        .iter()
        .filter(|r| r["winner"] == true)
        .filter_map(|r| r["practice"].as_str())
        .collect();
    // Their own winner; another region's draft is not theirs to read.
    assert_eq!(won, [complete.as_str()]);

    // The complete winner went on to its region's confirmation by the
    // selection's route; the server did it, the feed brought it.
    let shown = json(&as_("author", &["practice", "show", &complete, "--json"]));
    assert_eq!(shown["status"], "Подтверждение регионом", "{shown}");
    assert_eq!(shown["passport"]["route"], "selection");
    // The route names the partner that ordered the selection.
    assert_eq!(shown["route_partner"], ministry);
    // The one begun stays a draft with the route; its author is told
    // what to complete (in their inbox on the central instance, and by
    // mail where it sends mail).
    sync("author52");
    let shown = json(&as_("author52", &["practice", "show", &begun, "--json"]));
    assert_eq!(shown["status"], "Черновик", "{shown}");
    assert_eq!(shown["passport"]["route"], "selection");
    // A recommendation recorded offline reaches the server as an op.
    let f = example_passport(at("author"), "author", "16");
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&f).expect("read")).expect("json");
    v["route"] = "recommendation".into();
    let f = write(at("author"), "recommended.json", &v);
    let o = out(&as_("author", &["practice", "new", "--from", &f]));
    let recommended = o.lines().next().expect("id").trim().to_owned();
    ok(&as_(
        "author",
        &["partner", "recommend", "семья", &recommended],
    ));
    sync("author");
    drop(server);
    let shown = json(&run(
        server_dir.path(),
        Some("author"),
        &["practice", "show", &recommended, "--json"],
    ));
    assert_eq!(
        shown["route_partner"],
        "Комиссия Государственного Совета по направлению «Семья и демография»"
    );
    let inbox = out(&run_as(server_dir.path(), "author52", PW52, &["inbox"]));
    assert!(inbox.contains("победитель отбора"), "{inbox}");
    assert!(inbox.contains("4.1.7"), "{inbox}");
}

/// The route «по рекомендации» names the partner that recommended the
/// practice (§3.2.2): its author records it, the passport shows it, and a
/// practice sent by that route without it is held back saying how.
#[test]
fn a_recommended_practice_names_its_partner() {
    let dir = demo();
    let data = dir.path();
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(example("passport.json")).expect("example"))
            .expect("json");
    v["route"] = "recommendation".into();
    let f = write(data, "p.json", &v);
    let o = out(&run(
        data,
        Some("author"),
        &["practice", "new", "--from", &f],
    ));
    let id = o.lines().next().expect("id").trim().to_owned();
    let o = run(data, Some("author"), &["practice", "submit", &id]);
    assert!(err(&o).contains("Укажите партнёра"), "{}", err(&o));
    assert!(err(&o).contains(&format!("partner recommend ПАРТНЁР {id}")));
    // Not a partner of the platform; not the author's practice.
    refused(
        &run(
            data,
            Some("author"),
            &["partner", "recommend", "Минздрав", &id],
        ),
        &["не найден"],
    );
    refused(
        &run(
            data,
            Some("coordinator2"),
            &["partner", "recommend", "семья демография", &id],
        ),
        &["автор, участник команды или Модератор АСИ"],
    );
    let said = out(&run(
        data,
        Some("author"),
        &[
            "partner",
            "recommend",
            "семья демография",
            &id,
            "--letter",
            "№ 12-к от 01.02.2026",
        ],
    ));
    assert!(said.contains("«Семья и демография»"), "{said}");
    let shown = out(&run(data, Some("author"), &["practice", "show", &id]));
    assert!(
        shown.contains(
            "Партнёр: Комиссия Государственного Совета по направлению «Семья и демография»"
        ),
        "{shown}"
    );
    let shown = json(&run(
        data,
        Some("author"),
        &["practice", "show", &id, "--json"],
    ));
    assert_eq!(
        shown["route_partner"],
        "Комиссия Государственного Совета по направлению «Семья и демография»"
    );
    let o = run(data, Some("author"), &["practice", "submit", &id]);
    assert!(!err(&o).contains("Укажите партнёра"), "{}", err(&o));
    // Another route names no recommending partner.
    v["route"] = "agency-request".into();
    let f = write(data, "p.json", &v);
    ok(&run(
        data,
        Some("author"),
        &["practice", "edit", &id, "--from", &f],
    ));
    refused(
        &run(
            data,
            Some("author"),
            &["partner", "recommend", "семья демография", &id],
        ),
        &["основанием подачи"],
    );
}

/// The deadline rush, smaller: 300 applications from authors of every
/// region over HTTP in the last hour, a tenth after midnight. Every one is
/// answered; the 270 on time are all kept, the 30 late refused saying so.
/// (`smarteka bench --selection-rush 3000` runs the full one.)
#[test]
fn a_rush_of_applications_at_the_deadline_loses_none() {
    let r = smarteka::cli::rush::selection_rush(300).expect("the rush runs");
    assert_eq!(r.other, Vec::<String>::new());
    assert_eq!((r.accepted, r.late), (270, 30));
    assert_eq!(r.kept, 270, "every accepted application is kept");
    assert_eq!(r.regions, 89);
}

/// A Club session through the command line (§4.4.9): the Agency puts two
/// practices gathered by its request before the Club, records one as
/// recommended and the other not admitted with its argument, and prints
/// the protocol; an author may not.
#[test]
fn a_club_session_records_its_words_in_a_protocol() {
    let dir = demo();
    let data = dir.path();
    let drafts = author_drafts(data);
    let route = write(
        data,
        "route.json",
        &serde_json::json!({"route": "agency-request"}),
    );
    for d in &drafts[..2] {
        ok(&run(
            data,
            Some("author"),
            &["practice", "edit", d, "--from", &route],
        ));
    }
    let today = chrono::Local::now().date_naive();
    let session = write(
        data,
        "club.json",
        &serde_json::json!({
            "date": today.to_string(),
            "rating": "Рейтинг инвестиционной привлекательности",
            "participants": [
                {"kind": "leader_region", "name": "Республика Татарстан"},
                {"kind": "agency_division", "name": "Дивизион «Развитие регионов и инвестиции»"}
            ],
            "practices": [drafts[0], drafts[1]]
        }),
    );
    refused(
        &run(data, Some("author"), &["club", "new", "--from", &session]),
        &["Агентство"],
    );
    let said = out(&run(
        data,
        Some("asi"),
        &["club", "new", "--from", &session],
    ));
    let id = said
        .split_whitespace()
        .find_map(|w| uuid::Uuid::parse_str(w.trim_end_matches(';')).ok())
        .expect("the session's id")
        .to_string();
    ok(&run(
        data,
        Some("asi"),
        &["club", "decide", &id, &drafts[0], "--recommend"],
    ));
    refused(
        &run(
            data,
            Some("asi"),
            &["club", "decide", &id, &drafts[1], "--refuse"],
        ),
        &["с аргументами"],
    );
    ok(&run(
        data,
        Some("asi"),
        &[
            "club",
            "decide",
            &id,
            &drafts[1],
            "--refuse",
            "--argument",
            "Нет измеримых результатов за год",
        ],
    ));
    let text = out(&run(data, Some("asi"), &["club", "protocol", &id]));
    assert!(
        text.contains("Протокол заседания Клуба стратегических инициатив"),
        "{text}"
    );
    assert!(text.contains("Нет измеримых результатов за год"), "{text}");
    assert!(
        text.contains("Рекомендовано к публикации на платформе: 1 из 2."),
        "{text}"
    );
    let pdf = data.join("протокол.pdf");
    ok(&run(
        data,
        Some("asi"),
        &["club", "protocol", &id, "--pdf", &pdf.display().to_string()],
    ));
    assert!(std::fs::read(&pdf).expect("pdf").starts_with(b"%PDF"));
    let list = out(&run(data, Some("asi"), &["club", "list"]));
    assert!(list.contains("решений 2 из 2"), "{list}");
    refused(
        &run(data, Some("author"), &["club", "protocol", &id]),
        &["Агентство"],
    );
}
