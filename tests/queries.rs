//! The query language against the demo store: each query's practices are
//! those a plain filter over the whole practices finds; a bulk action's
//! preview is what applying it does; the command line's errors point at
//! the wrong token.

mod common;

use std::collections::HashMap;

use common::cli::{err, ok, out, run};
use smarteka::domain::passport::Route;
use smarteka::domain::queue::Summary;
use smarteka::domain::{Practice, PracticeId, PracticeStatus, User};
use smarteka::service::query::{Table, bulk, run as query};
use smarteka::store::Store;

type Filter<'a> = Box<dyn Fn(&Whole) -> bool + 'a>;

/// Everything a hand-written filter reads of a practice.
struct Whole {
    p: Practice,
    s: Summary,
    applications: usize,
}

fn whole(store: &Store) -> Vec<Whole> {
    let mut apps: HashMap<PracticeId, usize> = HashMap::new();
    for a in store.applications().expect("applications") {
        *apps.entry(a.practice).or_default() += 1;
    }
    store
        .practices()
        .map(|p| {
            let p = p.expect("reads");
            Whole {
                s: Summary::of(&p),
                applications: apps.get(&p.id).copied().unwrap_or(0),
                p,
            }
        })
        .collect()
}

#[test]
fn queries_find_what_a_plain_filter_over_the_practices_finds() {
    let f = common::app(400);
    let store = f.app.store.clone();
    let cx = f.cx();
    let today = cx.today();
    let cal = cx.calendar();
    let user = |l: &str| -> User { store.user_by_login(l).expect("reads").expect("demo user") };
    let all = whole(&store);
    let login = |id| {
        store
            .user(id)
            .expect("reads")
            .map(|u| u.login)
            .unwrap_or_default()
    };
    let due = |w: &Whole| {
        w.p.workflow
            .deadline
            .as_ref()
            .map(|d| cal.working_days_between(today, d.due))
    };
    let cases: Vec<(&str, Filter)> = vec![
        (
            "статус:упаковка регион:16",
            Box::new(|w| w.p.status == PracticeStatus::Packaging && w.p.region() == Some("16")),
        ),
        (
            "срок<3 OR просрочено",
            Box::new(move |w| {
                due(w).is_some_and(|d| d < 3)
                    || w.p
                        .workflow
                        .deadline
                        .as_ref()
                        .is_some_and(|d| d.due < today)
                    || w.s.actualise_by.is_some_and(|d| d < today)
            }),
        ),
        (
            "-маршрут:отбор уровень:2",
            Box::new(|w| {
                w.p.passport.route != Some(Route::Selection)
                    && w.p
                        .passport
                        .level
                        .map(smarteka::domain::passport::Level::number)
                        == Some(2)
            }),
        ),
        (
            "статус:экспертная голосов<3",
            Box::new(|w| {
                w.p.status == PracticeStatus::ExpertReview
                    && w.p.workflow.session.as_ref().map_or(0, |s| s.votes.len()) < 3
            }),
        ),
        (
            "эксперт:moderator",
            Box::new(|w| {
                w.p.workflow.expert_moderator.map(login).as_deref() == Some("moderator")
                    || w.p
                        .workflow
                        .session
                        .as_ref()
                        .is_some_and(|s| s.experts.iter().any(|e| login(*e) == "moderator"))
            }),
        ),
        (
            "заявок:0 год:2025 статус:опубликована",
            Box::new(|w| {
                w.applications == 0
                    && w.p.passport.year == Some(2025)
                    && w.p.status == PracticeStatus::Published
            }),
        ),
        (
            "ждёт>60 -статус:черновик -статус:опубликована",
            Box::new(move |w| {
                w.p.workflow
                    .since
                    .is_some_and(|s| (today - s.date_naive()).num_days() > 60)
                    && !matches!(
                        w.p.status,
                        PracticeStatus::Draft | PracticeStatus::Published
                    )
            }),
        ),
        (
            "категория:здравоохранение автор:author OR актуализация<=30д",
            Box::new(move |w| {
                (w.p.passport.category_code() == Some("health") && login(w.p.author) == "author")
                    || w.s
                        .actualise_by
                        .is_some_and(|d| (d - today).num_days() <= 30)
            }),
        ),
    ];
    for reader in ["asi", "moderator", "author"] {
        let u = user(reader);
        let scope = smarteka::service::selections::scope_of(&store, Some(&u)).expect("scope");
        for (text, filter) in &cases {
            let mut got: Vec<PracticeId> = query(&cx, Some(&u), text, None)
                .unwrap_or_else(|e| panic!("{text}: {e:?}"))
                .iter()
                .map(|r| r.id)
                .collect();
            let mut want: Vec<PracticeId> = all
                .iter()
                .filter(|w| scope.can_read(&w.p) && filter(w))
                .map(|w| w.p.id)
                .collect();
            got.sort_unstable();
            want.sort_unstable();
            assert_eq!(got, want, "{reader}: {text}");
            if reader == "asi" {
                assert!(!want.is_empty(), "the demo has some for «{text}»");
            }
        }
    }
}

#[test]
fn the_table_follows_the_store() {
    let f = common::app(400);
    let store = f.app.store.clone();
    let cx = f.cx();
    let asi = store.user_by_login("asi").expect("reads").expect("asi");
    let mut table = Table::build(&store).expect("table");
    let q = smarteka::domain::query::parse("уровень:3 статус:упаковка").expect("parses");
    let none = |_: &smarteka::domain::query::Cond, _: PracticeId| false;
    let before = table.find(&cx, Some(&asi), &q, &none).expect("finds").len();
    let moderator = store
        .user_by_login("moderator")
        .expect("reads")
        .expect("em");
    let target = store
        .practices()
        .map(|p| p.expect("reads"))
        .find(|p| {
            p.status == PracticeStatus::Packaging
                && p.passport
                    .level
                    .map(smarteka::domain::passport::Level::number)
                    != Some(3)
                && p.workflow.expert_moderator == Some(moderator.id)
        })
        .expect("a practice the expert-moderator packages, not of level 3");
    smarteka::service::workflow::act(
        &cx,
        &smarteka::store::blobs::Blobs::new(f.dir.path()),
        &moderator,
        target.id,
        smarteka::domain::workflow::Action::SetLevel,
        &smarteka::service::workflow::ActInput {
            level: Some(3),
            ..Default::default()
        },
    )
    .expect("level set");
    assert_eq!(
        table.find(&cx, Some(&asi), &q, &none).expect("finds").len(),
        before
    );
    assert!(table.catch_up(&store).expect("catches up") >= 1);
    assert_eq!(
        table.find(&cx, Some(&asi), &q, &none).expect("finds").len(),
        before + 1
    );
}

#[test]
fn a_bulk_preview_is_what_applying_does() {
    let f = common::app(400);
    let store = f.app.store.clone();
    let cx = f.cx();
    let moderator = store
        .user_by_login("moderator")
        .expect("reads")
        .expect("em");
    let ids: Vec<PracticeId> = query(&cx, Some(&moderator), "статус:упаковка", None)
        .expect("query")
        .iter()
        .map(|r| r.id)
        .collect();
    assert!(ids.len() > 3, "{}", ids.len());
    let blobs = smarteka::store::blobs::Blobs::new(f.dir.path());
    let input = smarteka::service::workflow::ActInput {
        level: Some(2),
        ..Default::default()
    };
    let kind = smarteka::domain::workflow::Action::SetLevel;
    let seq = store.last_seq().expect("seq");
    let mut seen = 0;
    let preview = bulk(
        &cx,
        &blobs,
        &moderator,
        &ids,
        (kind, &input),
        false,
        &mut |_, _| {},
    )
    .expect("preview");
    assert_eq!(
        store.last_seq().expect("seq"),
        seq,
        "a preview writes nothing"
    );
    let applied = bulk(
        &cx,
        &blobs,
        &moderator,
        &ids,
        (kind, &input),
        true,
        &mut |done, all| {
            seen = done;
            assert_eq!(all, ids.len());
        },
    )
    .expect("applied");
    assert_eq!(seen, ids.len(), "progress to the end");
    assert_eq!(preview, applied);
    let ok = applied.iter().filter(|b| b.result.is_ok()).count();
    assert!(ok > 0 && ok < ids.len(), "some applied, some refused: {ok}");
    assert_eq!(
        store.last_seq().expect("seq"),
        seq + ok as u64,
        "each applied as a command of its own"
    );
}

#[test]
fn the_command_line_queries_exports_and_previews() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path();
    ok(&run(
        data,
        None,
        &["demo", "--practices", "200", "--seed", "1"],
    ));
    let o = run(
        data,
        Some("asi"),
        &["search", "--query", "статус:упаковка стату:черновик"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("                ^^^^^"), "{}", err(&o));
    assert!(err(&o).contains("Неизвестное поле «стату»"), "{}", err(&o));
    let listed = out(&run(
        data,
        Some("asi"),
        &["search", "--query", "статус:упаковка"],
    ));
    assert!(listed.starts_with("Найдено: "), "{listed}");
    let csv = data.join("упаковка.csv");
    ok(&run(
        data,
        Some("asi"),
        &[
            "search",
            "--query",
            "статус:упаковка",
            "--csv",
            &csv.display().to_string(),
            "--columns",
            "title,status,author",
        ],
    ));
    let text = std::fs::read_to_string(&csv).expect("csv");
    assert!(
        text.starts_with("\"Практика\";\"Статус\";\"Автор\""),
        "{text}"
    );
    assert!(text.contains("\"Упаковка\""), "{text}");
    let help = out(&run(data, None, &["search", "--query", "?"]));
    assert!(
        help.contains("срок<3") && help.contains("просрочено"),
        "{help}"
    );
    // A bulk action asks for a preview or a confirmation.
    let o = run(
        data,
        Some("moderator"),
        &[
            "practice",
            "act",
            "--query",
            "статус:упаковка",
            "set-level",
            "--level",
            "2",
        ],
    );
    assert!(err(&o).contains("--dry-run"), "{}", err(&o));
    let preview = out(&run(
        data,
        Some("moderator"),
        &[
            "practice",
            "act",
            "--query",
            "статус:упаковка",
            "set-level",
            "--level",
            "2",
            "--dry-run",
        ],
    ));
    assert!(preview.contains("Ничего не записано"), "{preview}");
    let applied = out(&run(
        data,
        Some("moderator"),
        &[
            "practice",
            "act",
            "--query",
            "статус:упаковка",
            "set-level",
            "--level",
            "2",
            "--yes",
        ],
    ));
    let count = |s: &str, what: &str| s.lines().filter(|l| l.starts_with(what)).count();
    assert_eq!(count(&preview, "✓"), count(&applied, "✓"));
    assert!(applied.contains("Выполнено:"), "{applied}");
}

/// The catalogue's search line reads a query: the practices it finds, a
/// wrong token named under the line, `?` the conditions with examples.
#[test]
fn the_search_line_reads_a_query() {
    use crossterm::event::KeyCode;
    let mut f = common::app(300);
    let published = {
        let cx = f.cx();
        query(&cx, None, "статус:опубликована уровень:2", None)
            .expect("query")
            .len()
    };
    assert!(published > 0);
    let app = &mut f.app;
    common::key(app, KeyCode::Char('/'));
    common::typ(app, "статус:опубликована уровень:2");
    common::key(app, KeyCode::Enter);
    let screen = common::screen(app, 80, 24);
    let head = screen.lines().next().expect("a line");
    assert!(
        head.contains(&format!(" {published} практик")),
        "{published}: {screen}"
    );
    common::key(app, KeyCode::Char('/'));
    for _ in 0.."статус:опубликована уровень:2".chars().count() {
        common::key(app, KeyCode::Backspace);
    }
    common::typ(app, "стату:черновик");
    common::key(app, KeyCode::Enter);
    let screen = common::screen(app, 80, 24);
    assert!(
        screen.contains("Неизвестное поле «стату» (знак 1) · ? — условия"),
        "{screen}"
    );
    common::key(app, KeyCode::Char('/'));
    for _ in 0.."стату:черновик".chars().count() {
        common::key(app, KeyCode::Backspace);
    }
    common::typ(app, "?");
    let screen = common::screen(app, 80, 24);
    assert!(
        screen.contains("срок<3") && screen.contains("просрочено"),
        "{screen}"
    );
    insta::assert_snapshot!("query_help_80x24", screen);
}

/// «Очереди» opened on `user`'s first saved view: its tab follows the
/// stages' queues.
fn to_first_view(app: &mut smarteka::tui::app::App, user: &User) {
    use crossterm::event::KeyCode;
    let stages = smarteka::service::workflow::queues(&app.cx(), user)
        .expect("queues")
        .len();
    common::key(app, KeyCode::Char('o'));
    for _ in 0..stages {
        common::key(app, KeyCode::Tab);
    }
}

/// A query saved from the search line (`F2`/`Ctrl-s`) is a tab of
/// «Очереди» with its live count; `smarteka view` keeps them too.
#[test]
fn a_saved_view_is_a_tab_of_the_queues() {
    use crossterm::event::KeyCode;
    let mut f = common::app(300);
    let store = f.app.store.clone();
    let text = "статус:упаковка срок<5";
    let count = {
        let cx = f.cx();
        let em = store
            .user_by_login("moderator")
            .expect("reads")
            .expect("em");
        query(&cx, Some(&em), text, None).expect("query").len()
    };
    assert!(count > 0);
    let app = &mut f.app;
    common::sign_in(app, "moderator");
    common::key(app, KeyCode::Char('/'));
    common::typ(app, text);
    common::key(app, KeyCode::F(2));
    let em = store
        .user_by_login("moderator")
        .expect("reads")
        .expect("em");
    assert_eq!(
        store.views(em.id).expect("views"),
        [(text.to_owned(), text.to_owned())]
    );
    common::key(app, KeyCode::Enter);
    to_first_view(app, &em);
    let screen = common::screen(app, 120, 30);
    assert!(screen.contains(&format!("{text} ({count})")), "{screen}");
    // The tab as a table: `P` writes it into the print directory.
    let out = tempfile::tempdir().expect("tempdir");
    app.print_into(out.path().to_path_buf());
    common::key(app, KeyCode::Char('P'));
    let said = common::screen(app, 120, 30);
    assert!(said.contains("XLSX в "), "{said}");
    let file = std::fs::read_dir(out.path())
        .expect("reads")
        .map(|e| e.expect("entry").path())
        .find(|p| p.extension().is_some_and(|x| x == "xlsx"))
        .expect("the table");
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&file).expect("a workbook");
    let sheet = calamine::Reader::worksheet_range_at(&mut book, 0)
        .expect("a sheet")
        .expect("reads");
    // The heading, a blank row, the column names, then a row each.
    assert_eq!(sheet.rows().count(), 3 + count, "{}", file.display());
    // The whole tab marked for one action, previewed on each.
    common::key(app, KeyCode::Char('*'));
    common::key(app, KeyCode::Char('a'));
    let window = common::screen(app, 120, 30);
    assert!(
        window.contains(&format!("отмечено практик: {count}")),
        "{window}"
    );
}

#[test]
fn views_are_saved_listed_and_deleted_from_the_command_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path();
    ok(&run(
        data,
        None,
        &["demo", "--practices", "120", "--seed", "1"],
    ));
    ok(&run(
        data,
        Some("moderator"),
        &["view", "save", "упаковка", "статус:упаковка"],
    ));
    let o = run(
        data,
        Some("moderator"),
        &["view", "save", "плохой", "стату:x"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    let listed = out(&run(data, Some("moderator"), &["view", "list"]));
    assert!(listed.starts_with("упаковка ("), "{listed}");
    assert!(listed.contains("): статус:упаковка"), "{listed}");
    let xlsx = data.join("упаковка.xlsx");
    ok(&run(
        data,
        Some("moderator"),
        &[
            "view",
            "export",
            "упаковка",
            "--xlsx",
            &xlsx.display().to_string(),
            "--columns",
            "title,status",
        ],
    ));
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&xlsx).expect("a workbook");
    let sheet = calamine::Reader::worksheet_range_at(&mut book, 0)
        .expect("a sheet")
        .expect("reads");
    let head: Vec<String> = sheet
        .rows()
        .nth(2)
        .expect("the names")
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(head, ["Практика", "Статус"]);
    let other = out(&run(data, Some("asi"), &["view", "list"]));
    assert!(
        other.contains("Сохранённых видов нет"),
        "each user's own: {other}"
    );
    ok(&run(
        data,
        Some("moderator"),
        &["view", "delete", "упаковка"],
    ));
    let o = run(data, Some("moderator"), &["view", "delete", "упаковка"]);
    assert_eq!(o.status.code(), Some(1));
}

/// A view saved on one workstation reaches the user's other one through
/// the central instance, and no one else's.
#[test]
fn saved_views_reach_the_users_other_workstations() {
    let server_dir = tempfile::tempdir().expect("tempdir");
    ok(&run(
        server_dir.path(),
        None,
        &["demo", "--practices", "60", "--seed", "1"],
    ));
    let server = common::serve_at(server_dir.path());
    let url = server.url();
    let (office, home, other) = (
        tempfile::tempdir().expect("tempdir"),
        tempfile::tempdir().expect("tempdir"),
        tempfile::tempdir().expect("tempdir"),
    );
    for (dir, login) in [
        (office.path(), "moderator"),
        (home.path(), "moderator"),
        (other.path(), "asi"),
    ] {
        ok(&run(dir, Some(login), &["login", "--server", &url]));
        ok(&run(dir, Some(login), &["sync"]));
    }
    ok(&run(
        office.path(),
        Some("moderator"),
        &["view", "save", "срочные", "срок<3 OR просрочено"],
    ));
    // Another saved at home before it heard of the first: both stay.
    ok(&run(
        home.path(),
        Some("moderator"),
        &["view", "save", "мои", "автор:author"],
    ));
    ok(&run(office.path(), Some("moderator"), &["sync"]));
    ok(&run(home.path(), Some("moderator"), &["sync"]));
    ok(&run(office.path(), Some("moderator"), &["sync"]));
    for dir in [home.path(), office.path()] {
        let listed = out(&run(dir, Some("moderator"), &["view", "list"]));
        assert!(
            listed.contains("срочные (") && listed.contains("срок<3 OR просрочено"),
            "{listed}"
        );
        assert!(listed.contains("мои ("), "{listed}");
    }
    ok(&run(other.path(), Some("asi"), &["sync"]));
    let theirs = out(&run(other.path(), Some("asi"), &["view", "list"]));
    assert!(theirs.contains("Сохранённых видов нет"), "{theirs}");
    // Deleted at home: gone at the office too.
    ok(&run(
        home.path(),
        Some("moderator"),
        &["view", "delete", "срочные"],
    ));
    ok(&run(home.path(), Some("moderator"), &["sync"]));
    ok(&run(office.path(), Some("moderator"), &["sync"]));
    let listed = out(&run(office.path(), Some("moderator"), &["view", "list"]));
    assert!(!listed.contains("срочные"), "{listed}");
    assert!(listed.contains("мои ("), "{listed}");
    drop(server);
}

/// A preview longer than its window scrolls, and says what lies above and
/// below.
#[test]
fn a_long_preview_scrolls() {
    use crossterm::event::KeyCode;
    let mut f = common::app(400);
    let store = f.app.store.clone();
    let em = store
        .user_by_login("moderator")
        .expect("reads")
        .expect("em");
    {
        let cx = f.cx();
        smarteka::service::query::save_view(&cx, &em, "упаковка", "статус:упаковка")
            .expect("saved");
    }
    let count = store
        .summaries()
        .filter(|s| {
            s.as_ref()
                .is_ok_and(|s| s.status == PracticeStatus::Packaging)
        })
        .count();
    assert!(count >= 12, "enough to scroll: {count}");
    let app = &mut f.app;
    common::sign_in(app, "moderator");
    to_first_view(app, &em);
    common::key(app, KeyCode::Char('*'));
    common::key(app, KeyCode::Char('a'));
    common::key(app, KeyCode::Enter);
    common::key(app, KeyCode::Enter);
    let shown = common::screen(app, 80, 24);
    assert!(shown.contains("Будет выполнено:"), "{shown}");
    assert!(shown.contains("ниже ещё строк"), "{shown}");
    assert!(!shown.contains("выше ещё строк"), "{shown}");
    common::key(app, KeyCode::PageDown);
    let scrolled = common::screen(app, 80, 24);
    assert!(scrolled.contains("выше ещё строк"), "{scrolled}");
    assert_ne!(shown, scrolled);
}
