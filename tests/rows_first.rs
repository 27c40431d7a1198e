//! Usable first, complete later: a first sync brings the catalogue's rows
//! before the passports, the rows are searched and listed at once, a row
//! opened before its passport arrived is fetched from the server, and
//! nothing is edited on a row.

mod common;

use common::Central;
use smarteka::domain::access::{as_read_by, read_scope};
use smarteka::domain::command::Command;
use smarteka::search::{SearchIndex, SearchQuery};
use smarteka::service::ServiceError;
use smarteka::service::views::{ROW_ONLY, load_view};
use smarteka::store::Store;
use smarteka::sync::client::Progress;
use smarteka::sync::client::rows::{ensure_whole, fetch_whole, rows_first};

fn user(store: &Store, login: &str) -> smarteka::domain::User {
    store
        .user_by_login(login)
        .expect("reads")
        .expect("demo user")
}

/// What the server holds of a practice, as `login` may read it.
fn on_server(central: &Central, login: &str, id: uuid::Uuid) -> smarteka::domain::Practice {
    let p = central.store.practice(id).expect("reads").expect("there");
    as_read_by(p, Some(&user(&central.store, login)))
}

/// A new workstation signed in as `login`, not yet synced.
fn linked(
    central: &Central,
    login: &str,
) -> (
    tempfile::TempDir,
    Store,
    smarteka::sync::client::api::Credentials,
) {
    let dir = tempfile::tempdir().expect("tempdir");
    let creds = central.credentials(login);
    smarteka::sync::client::api::remember(dir.path(), &creds).expect("remembered");
    let store = Store::open(dir.path()).expect("store");
    store.link().expect("link");
    (dir, store, creds)
}

#[test]
fn a_first_sync_brings_rows_usable_before_the_passports() {
    let central = Central::start(150);
    let (_dir, store, creds) = linked(&central, "coordinator");
    let coordinator = user(&central.store, "coordinator");
    let readable = smarteka::service::rows::rows(&central.store, &coordinator)
        .expect("rows")
        .rows;
    assert!(readable.len() > 50, "{} rows", readable.len());
    // A public practice with a goal: its row comes without it.
    let probe = readable
        .iter()
        .find(|r| r.status.is_public())
        .expect("a published practice")
        .id;
    let whole = on_server(&central, "coordinator", probe);
    assert!(!whole.passport.goal.is_empty());

    let index_dir = tempfile::tempdir().expect("tempdir");
    let mut seen_rows = None;
    let mut received_first = false;
    central
        .runtime
        .block_on(smarteka::sync::client::sync(&store, &creds, |p| match p {
            Progress::Rows(n) => {
                let here = store.practice(probe).expect("reads").expect("its row");
                let (index, _) = SearchIndex::open(index_dir.path(), &store).expect("index");
                let found = index
                    .search(&SearchQuery {
                        text: here.passport.title.clone(),
                        scope: read_scope(Some(&coordinator)),
                        limit: 10,
                        ..SearchQuery::default()
                    })
                    .expect("searches");
                seen_rows = Some((
                    *n,
                    store.rows_only().expect("reads"),
                    here,
                    found.ids.contains(&probe),
                    load_view(&store, probe, Some(&coordinator)).err(),
                ));
            }
            Progress::Received(_) => received_first |= seen_rows.is_none(),
            _ => {}
        }))
        .expect("syncs");
    let (n, waiting, row, found, opened) = seen_rows.expect("rows came first");
    assert!(!received_first, "no page of the feed before the rows");
    assert_eq!(n, readable.len(), "every readable practice has its row");
    assert_eq!(waiting, n, "each waits for its passport");
    assert_eq!(row.passport.title, whole.passport.title);
    assert_eq!(row.status, whole.status);
    assert!(row.passport.goal.is_empty(), "a row has no texts");
    assert!(found, "the rows are searched at once");
    assert_eq!(
        opened.as_deref(),
        Some(ROW_ONLY),
        "a row is not shown as a passport"
    );

    // The feed brought every passport behind the rows.
    assert_eq!(store.rows_only().expect("reads"), 0);
    let here = store.practice(probe).expect("reads").expect("there");
    assert_eq!(here.passport, whole.passport);
    assert!(load_view(&store, probe, Some(&coordinator)).is_ok());
}

#[test]
fn a_row_opened_before_its_passport_is_fetched_at_once_and_never_edited() {
    let central = Central::start(60);
    let (_dir, store, creds) = linked(&central, "author");
    let n = central
        .runtime
        .block_on(rows_first(&store, &creds))
        .expect("rows");
    assert!(n > 0);
    let author = user(&central.store, "author");
    let draft = store
        .practices()
        .map(|p| p.expect("reads"))
        .find(|p| p.author == author.id && p.status == smarteka::domain::PracticeStatus::Draft)
        .expect("the author's draft, as a row");

    // Nothing is changed on a row: its passport is not here to change.
    let cx = common::cx(&store);
    let mut passport = draft.passport.clone();
    passport.goal = "Новая цель".into();
    let refused = smarteka::service::practice::execute(
        &cx,
        &author,
        Command::Edit {
            id: draft.id,
            passport,
        },
    );
    assert!(
        matches!(&refused, Err(ServiceError::Refused(r)) if r == &[ROW_ONLY.to_owned()]),
        "{refused:?}"
    );
    assert!(store.outbox().expect("reads").is_empty(), "nothing queued");

    // Opened: fetched from the server whole, with the revision it came at.
    ensure_whole(&store, draft.id).expect("fetched");
    assert!(!store.is_row_only(draft.id).expect("reads"));
    let here = store.practice(draft.id).expect("reads").expect("there");
    assert_eq!(here, on_server(&central, "author", draft.id));
    assert_eq!(store.synced(draft.id).expect("reads"), Some(here.revision));
    assert_eq!(
        store.pull_cursor().expect("reads"),
        0,
        "the feed's cursor stays"
    );
    assert!(
        store.rows_only().expect("reads") > 0,
        "the others still wait"
    );

    // A copy without a session says why it cannot open one.
    let other = tempfile::tempdir().expect("tempdir");
    let lonely = Store::open(other.path()).expect("store");
    lonely.link().expect("link");
    central
        .runtime
        .block_on(rows_first(&lonely, &creds))
        .expect("rows");
    let e = ensure_whole(&lonely, draft.id).expect_err("no session there");
    assert!(e.contains("ещё не получен"), "{e}");

    // The sync completes the rest; the fetched one is not sent back.
    central
        .runtime
        .block_on(smarteka::sync::client::sync(&store, &creds, |_| {}))
        .expect("syncs");
    assert_eq!(store.rows_only().expect("reads"), 0);
    assert!(store.outbox().expect("reads").is_empty());
}

#[test]
fn rows_and_whole_practices_keep_to_what_the_reader_may_read() {
    let central = Central::start(60);
    let recipient = user(&central.store, "recipient");
    let rows = smarteka::service::rows::rows(&central.store, &recipient)
        .expect("rows")
        .rows;
    assert!(!rows.is_empty());
    assert!(
        rows.iter().all(|r| r.status.is_public()),
        "the public catalogue only"
    );
    let hidden = central
        .store
        .practices()
        .map(|p| p.expect("reads"))
        .find(|p| !p.status.is_public())
        .expect("a draft somewhere");
    assert!(!rows.iter().any(|r| r.id == hidden.id));

    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("store");
    let creds = central.credentials("recipient");
    let e = central
        .runtime
        .block_on(fetch_whole(&store, &creds, hidden.id))
        .expect_err("not theirs");
    assert!(e.contains("недоступна"), "{e}");
    assert!(store.practice(hidden.id).expect("reads").is_none());
}

/// The workstation on rows alone: a row opened is fetched and shown whole;
/// with the server out of reach the passport screen says why, whole at
/// 80 columns.
#[test]
fn the_workstation_opens_a_row_by_fetching_it_or_says_why_not() {
    use crossterm::event::KeyCode;
    use smarteka::tui::app::App;
    let central = Central::start(60);
    let open_first = |creds: &smarteka::sync::client::api::Credentials| {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = std::sync::Arc::new(Store::open(dir.path()).expect("store"));
        central
            .runtime
            .block_on(rows_first(&store, &central.credentials("recipient")))
            .expect("rows");
        smarteka::sync::client::api::remember(dir.path(), creds).expect("remembered");
        let (index, _) = SearchIndex::open(&dir.path().join("index"), &store).expect("index");
        let mut app = App::new(
            store.clone(),
            std::sync::Arc::new(index),
            smarteka::tui::theme::Theme::default(),
            smarteka::tui::keymap::Keymap::default(),
            200,
            Vec::new(),
            std::sync::Arc::new(smarteka::domain::clock::SystemClock),
        );
        app.settle();
        common::key(&mut app, KeyCode::Enter);
        let waiting = store.rows_only().expect("reads");
        (common::screen(&app, 80, 24), waiting, dir)
    };
    let all = smarteka::service::rows::rows(&central.store, &user(&central.store, "recipient"))
        .expect("rows")
        .rows
        .len();

    let (s, waiting, _dir) = open_first(&central.credentials("recipient"));
    assert!(
        s.contains("P-01") || s.contains("Цель"),
        "the passport shown: {s}"
    );
    assert_eq!(waiting, all - 1, "the opened row was fetched whole");

    let mut gone = central.credentials("recipient");
    gone.server = "http://127.0.0.1:9".to_owned();
    let (s, waiting, _dir) = open_first(&gone);
    assert_eq!(waiting, all);
    let said: String = s
        .lines()
        .map(|l| l.trim_matches(|c: char| c == '│' || c.is_whitespace()))
        .collect::<Vec<_>>()
        .join(" ");
    assert!(said.contains("ещё не получен с сервера"), "{s}");
    assert!(
        said.contains("следующей синхронизацией."),
        "said whole: {s}"
    );
}
