//! The central instance against an attacker and an unlucky operator: ids
//! of others' records, client ids of others, files outside the read scope,
//! a client store restored from a copy, a server restored from a backup.

mod common;

use common::Central;
use smarteka::server::ErrorBody;
use smarteka::store::Store;
use smarteka::sync::client::api::Credentials;
use smarteka::sync::protocol::{Op, OpKind, OpResult, PushReply, PushRequest, pack, unpack};
use uuid::Uuid;

/// A raw push: the reply, or the error body with its status.
fn push(
    c: &Central,
    creds: &Credentials,
    client: Uuid,
    ops: Vec<Op>,
) -> Result<PushReply, (u16, ErrorBody)> {
    let body = serde_json::to_vec(&PushRequest {
        client,
        ops,
        since: None,
        seen: None,
    })
    .expect("json");
    c.runtime.block_on(async {
        let resp = reqwest::Client::new()
            .post(format!("{}/api/push", creds.server))
            .header(
                "x-smarteka-protocol",
                smarteka::server::PROTOCOL.to_string(),
            )
            .header("authorization", format!("Bearer {}", creds.token))
            .header("content-type", "application/json")
            .header("content-encoding", "zstd")
            .body(pack(&body))
            .send()
            .await
            .expect("sends");
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await.expect("body");
        if status == 200 {
            Ok(serde_json::from_slice(&unpack(&bytes, 1 << 26).expect("zstd")).expect("reply"))
        } else {
            Err((
                status,
                serde_json::from_slice(&bytes).expect("an error body"),
            ))
        }
    })
}

fn get(c: &Central, creds: &Credentials, path: &str) -> (u16, Vec<u8>) {
    c.runtime.block_on(async {
        let resp = reqwest::Client::new()
            .get(format!("{}{path}", creds.server))
            .header(
                "x-smarteka-protocol",
                smarteka::server::PROTOCOL.to_string(),
            )
            .header("authorization", format!("Bearer {}", creds.token))
            .send()
            .await
            .expect("sends");
        (
            resp.status().as_u16(),
            resp.bytes().await.expect("body").to_vec(),
        )
    })
}

fn op(seq: u64, kind: OpKind) -> Op {
    Op {
        seq,
        at: chrono::Utc::now(),
        kind,
    }
}

#[test]
fn create_like_ops_cannot_replace_records_that_exist() {
    let c = Central::start(200);
    let recipient = c.credentials("recipient");
    let me = c
        .store
        .user_by_login("recipient")
        .expect("reads")
        .expect("user");
    // Another region's application, which the recipient cannot even read.
    let theirs = c
        .store
        .applications()
        .expect("reads")
        .into_iter()
        .find(|a| a.recipient != me.id)
        .expect("the demo has others' applications");
    let mut forged = theirs.clone();
    forged.recipient = me.id;
    forged.outcome = "подменено".into();
    let client = Uuid::now_v7();
    let reply = push(
        &c,
        &recipient,
        client,
        vec![op(
            1,
            OpKind::Apply {
                application: Box::new(forged),
            },
        )],
    )
    .expect("answered");
    assert!(
        matches!(&reply.results[0].1, OpResult::Rejected { .. }),
        "{reply:?}"
    );
    assert_eq!(
        c.store.application(theirs.id).expect("reads"),
        Some(theirs),
        "untouched"
    );
    // An event under an existing id, by the Модератор АСИ: refused too.
    let asi = c.credentials("asi");
    let asi_user = c.store.user_by_login("asi").expect("reads").expect("user");
    let published = c
        .store
        .practices()
        .map(|p| p.expect("reads"))
        .find(|p| p.status == smarteka::domain::PracticeStatus::Published)
        .expect("a published practice");
    let event = smarteka::service::replication::create_event_with(
        &common::cx(&c.store),
        &asi_user,
        smarteka::domain::replication::Event {
            id: Uuid::now_v7(),
            format: smarteka::domain::replication::EventFormat::ALL[0],
            title: "Форум регионов".into(),
            date: chrono::NaiveDate::from_ymd_opt(2026, 12, 10).expect("date"),
            place: "Казань".into(),
            practices: vec![published.id],
            interest: Vec::new(),
            created_by: asi_user.id,
            revision: 0,
        },
        |_| {},
    )
    .expect("an event");
    let mut forged = event.clone();
    forged.title = "Подмена".into();
    let reply = push(
        &c,
        &asi,
        Uuid::now_v7(),
        vec![op(
            1,
            OpKind::Event {
                event: Box::new(forged),
            },
        )],
    )
    .expect("answered");
    assert!(
        matches!(&reply.results[0].1, OpResult::Rejected { reason } if reason.contains("уже есть")),
        "{reply:?}"
    );
    assert_eq!(c.store.event(event.id).expect("reads"), Some(event));
}

#[test]
fn a_client_id_belongs_to_one_user() {
    let c = Central::start(20);
    let author = c.credentials("author");
    let expert = c.credentials("expert1");
    let client = Uuid::now_v7();
    let mine = push(&c, &author, client, Vec::new()).expect("registered on first use");
    assert_eq!(mine.last, 0);
    let (status, e) = push(&c, &expert, client, Vec::new()).expect_err("refused");
    assert_eq!(status, 403);
    assert_eq!(
        e.code.as_deref(),
        Some(smarteka::sync::protocol::codes::CLIENT_FOREIGN)
    );
    assert!(e.error.contains("другим пользователем"), "{}", e.error);
    // Nor may they read its answers or its feed.
    let (status, _) = get(
        &c,
        &expert,
        &format!("/api/changes?since=0&client={client}"),
    );
    assert_eq!(status, 403);
    let (status, _) = get(
        &c,
        &expert,
        &format!("/api/changes/wait?since=0&client={client}&timeout=0"),
    );
    assert_eq!(status, 403);
}

#[test]
fn files_follow_the_read_scope_and_uploads_prove_possession() {
    let c = Central::start(20);
    let author = c.credentials("author");
    let other = c.credentials("expert1");
    // The author sends a file of a draft, as a sync would.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("черновик.pdf");
    std::fs::write(&path, b"%PDF-1.4 secret draft annex").expect("writes");
    let blobs = smarteka::store::blobs::Blobs::new(dir.path());
    let b = blobs.put_file(&path).expect("stored");
    c.runtime
        .block_on(smarteka::sync::client::files::upload(
            &author, &blobs, &b.sha256,
        ))
        .expect("uploaded");
    let (status, body) = get(&c, &author, &format!("/api/blobs/{}", b.sha256));
    assert_eq!(
        (status, body.as_slice()),
        (200, b"%PDF-1.4 secret draft annex".as_slice())
    );
    // Someone who knows the hash learns nothing.
    let (status, _) = get(&c, &other, &format!("/api/blobs/{}", b.sha256));
    assert_eq!(status, 404);
    let (status, body) = get(&c, &other, &format!("/api/uploads/{}", b.sha256));
    assert_eq!(status, 200);
    let v: serde_json::Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(v["received"], 0, "not told the file is here");
    // Nor may they name it in an op of their own, which would make it
    // readable through their own record.
    let mut passport = smarteka::domain::Passport {
        title: "Чужая обложка".into(),
        ..smarteka::domain::Passport::default()
    };
    passport.cover = Some(smarteka::domain::passport::Cover {
        sha256: b.sha256.clone(),
        name: "c.png".into(),
        format: smarteka::domain::passport::ImageFormat::Png,
        width: 1200,
        height: 900,
    });
    let reply = push(
        &c,
        &other,
        Uuid::now_v7(),
        vec![op(
            1,
            OpKind::Create {
                practice: Uuid::now_v7(),
                passport: Box::new(passport),
            },
        )],
    )
    .expect("answered");
    assert!(
        matches!(&reply.results[0].1, OpResult::Rejected { reason } if reason.contains("не получен сервером от вас")),
        "{reply:?}"
    );
    assert_eq!(get(&c, &other, &format!("/api/blobs/{}", b.sha256)).0, 404);
    // Sending the whole file proves they have it: then it is theirs too.
    c.runtime
        .block_on(smarteka::sync::client::files::upload(
            &other, &blobs, &b.sha256,
        ))
        .expect("uploaded");
    assert_eq!(get(&c, &other, &format!("/api/blobs/{}", b.sha256)).0, 200);
}

#[test]
fn partial_uploads_have_a_quota_per_user() {
    let c = Central::start(5);
    let author = c.credentials("author");
    let chunk = vec![7u8; 1024 * 1024];
    let send = |sha: &str| {
        c.runtime.block_on(async {
            let resp = reqwest::Client::new()
                .patch(format!("{}/api/uploads/{sha}", author.server))
                .header(
                    "x-smarteka-protocol",
                    smarteka::server::PROTOCOL.to_string(),
                )
                .header("authorization", format!("Bearer {}", author.token))
                .header(smarteka::server::blobs_header::OFFSET, "0")
                .header(
                    smarteka::server::blobs_header::LENGTH,
                    (20 * 1024 * 1024).to_string(),
                )
                .body(chunk.clone())
                .send()
                .await
                .expect("sends");
            let status = resp.status().as_u16();
            (status, resp.text().await.expect("text"))
        })
    };
    // Made-up hashes, one megabyte each, until the quota stops them.
    let quota = smarteka::server::PARTIAL_QUOTA / (1024 * 1024);
    for i in 0..quota {
        let (status, body) = send(&format!("{i:064x}"));
        assert_eq!(status, 200, "{body}");
    }
    let (status, body) = send(&format!("{:064x}", quota + 1));
    assert_eq!(status, 507, "{body}");
    assert!(body.contains("Недоотправленные файлы"), "{body}");
    // Stale ones are swept, and then there is room again.
    let blobs = smarteka::store::blobs::Blobs::new(c.dir.path());
    assert_eq!(
        blobs.sweep_partials(std::time::Duration::ZERO).0 as u64,
        quota
    );
    assert_eq!(send(&format!("{:064x}", quota + 2)).0, 200);
}

/// An edit of the practice's title on a client store, as the editor saves it.
fn edit_title(store: &Store, login: &str, id: Uuid, title: &str) {
    let user = store.user_by_login(login).expect("reads").expect("user");
    let p = store.practice(id).expect("reads").expect("practice");
    let mut passport = p.passport.clone();
    title.clone_into(&mut passport.title);
    smarteka::service::practice::execute(
        &common::cx(store),
        &user,
        smarteka::domain::command::Command::Edit { id, passport },
    )
    .expect("saved");
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("reads").flatten() {
        let dest = to.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            copy_dir(&e.path(), &dest);
        } else if e.file_name() != "smarteka.lock" {
            std::fs::copy(e.path(), dest).expect("copies");
        }
    }
}

/// The author's own draft, on the server and the client.
fn a_draft(c: &Central) -> Uuid {
    let author = c
        .store
        .user_by_login("author")
        .expect("reads")
        .expect("user");
    c.store
        .practices()
        .map(|p| p.expect("reads"))
        .find(|p| p.author == author.id && p.status == smarteka::domain::PracticeStatus::Draft)
        .expect("the demo author has a draft")
        .id
}

mod restored_client {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

        /// A client store is copied after `before` edits, `after` more are
        /// made and sent, and the copy is put back: the edits made on the
        /// copy reach the server, and nothing the server took is lost.
        #[test]
        fn a_client_store_restored_from_a_copy_loses_no_edit(before in 1usize..3, after in 1usize..4, again in 1usize..3) {
            let c = Central::start(20);
            let id = a_draft(&c);
            let dir = tempfile::tempdir().expect("tempdir");
            let live = dir.path().join("live");
            let creds = c.client(&live, "author");
            let sync = |s: &Store| c.runtime.block_on(smarteka::sync::client::sync(s, &creds, |_| {})).expect("syncs");
            {
                let s = Store::open(&live).expect("opens");
                for i in 0..before {
                    edit_title(&s, "author", id, &format!("До копии {i}"));
                }
                sync(&s);
            }
            copy_dir(&live, &dir.path().join("copy"));
            {
                let s = Store::open(&live).expect("opens");
                for i in 0..after {
                    edit_title(&s, "author", id, &format!("После копии {i}"));
                }
                sync(&s);
            }
            let server_title = |c: &Central| c.store.practice(id).expect("reads").expect("there").passport.title;
            prop_assert_eq!(server_title(&c), format!("После копии {}", after - 1));
            // The disk is lost; the copy comes back.
            std::fs::remove_dir_all(&live).expect("removes");
            std::fs::rename(dir.path().join("copy"), &live).expect("restores");
            let s = Store::open(&live).expect("opens");
            let old_client = s.client_id().expect("reads");
            for i in 0..again {
                edit_title(&s, "author", id, &format!("На копии {i}"));
            }
            let summary = sync(&s);
            prop_assert!(summary.resent > 0, "{:?}", summary);
            prop_assert_ne!(s.client_id().expect("reads"), old_client);
            // The edit made on the copy reached the server (as a conflict
            // with the later ones the copy never saw, or applied).
            let title = server_title(&c);
            let conflicts = s.conflicts().expect("reads");
            prop_assert!(
                title == format!("На копии {}", again - 1) || !conflicts.is_empty(),
                "title {} conflicts {:?}", title, conflicts
            );
            prop_assert!(s.outbox().expect("reads").is_empty());
            // Both sides agree after the user's choice is synced.
            let local = s.practice(id).expect("reads").expect("there").passport.title;
            prop_assert_eq!(local, title);
        }
    }
}

#[test]
fn a_stolen_client_id_cannot_poison_or_read_the_answers() {
    let c = Central::start(20);
    let id = a_draft(&c);
    let dir = tempfile::tempdir().expect("tempdir");
    let creds = c.client(dir.path(), "author");
    let s = Store::open(dir.path()).expect("opens");
    edit_title(&s, "author", id, "Моё");
    c.runtime
        .block_on(smarteka::sync::client::sync(&s, &creds, |_| {}))
        .expect("syncs");
    let client = s.client_id().expect("reads").expect("linked");
    // Someone else replays op 1 and pushes op 2 under the author's id.
    let thief = c.credentials("coordinator");
    let (status, _) = push(
        &c,
        &thief,
        client,
        vec![op(
            2,
            OpKind::Edit {
                practice: id,
                base: 0,
                fields: vec![smarteka::domain::passport::Field::P1],
                passport: Box::new(smarteka::domain::Passport {
                    title: "Чужое".into(),
                    ..smarteka::domain::Passport::default()
                }),
            },
        )],
    )
    .expect_err("refused");
    assert_eq!(status, 403);
    // The author's next edit is applied, not answered as "already done".
    edit_title(&s, "author", id, "Моё, второе");
    c.runtime
        .block_on(smarteka::sync::client::sync(&s, &creds, |_| {}))
        .expect("syncs");
    assert_eq!(
        c.store
            .practice(id)
            .expect("reads")
            .expect("there")
            .passport
            .title,
        "Моё, второе"
    );
}

/// Every user record of a reader's whole feed.
fn feed_users(c: &Central, creds: &Credentials) -> Vec<smarteka::domain::User> {
    let mut out = Vec::new();
    let mut since = 0;
    loop {
        let (status, body) = get(c, creds, &format!("/api/changes?since={since}"));
        assert_eq!(status, 200);
        let page: smarteka::sync::protocol::PullReply =
            serde_json::from_slice(&unpack(&body, 1 << 26).expect("zstd")).expect("page");
        for r in page.records {
            if let smarteka::sync::protocol::Remote::User(u) = r {
                out.push(*u);
            }
        }
        since = page.cursor;
        if !page.more {
            return out;
        }
    }
}

#[test]
fn contacts_in_the_feed_go_only_to_the_asi_moderator_and_the_regions_coordinator() {
    let c = Central::start(60);
    let rating = c.credentials("rating");
    let me = c
        .store
        .user_by_login("rating")
        .expect("reads")
        .expect("user");
    let users = feed_users(&c, &rating);
    let others: Vec<_> = users.iter().filter(|u| u.id != me.id).collect();
    assert!(!others.is_empty());
    // Whether the contacts are there is told (a team is checked at
    // submission), never what they are.
    let hidden = |s: &str| s.is_empty() || s == smarteka::domain::user::WITHHELD;
    for u in &others {
        assert!(
            hidden(&u.profile.phone) && hidden(&u.profile.email),
            "the rating committee got {}'s contacts",
            u.login
        );
    }
    let asi = feed_users(&c, &c.credentials("asi"));
    assert!(
        asi.iter().any(|u| !u.profile.phone.is_empty()),
        "the Модератор АСИ gets them"
    );
    // The coordinator, of their region's users (to verify them, §4.1.3).
    let coordinator = c
        .store
        .user_by_login("coordinator")
        .expect("reads")
        .expect("user");
    let region = coordinator.regions_for(smarteka::domain::Role::Coordinator)[0].to_owned();
    for u in feed_users(&c, &c.credentials("coordinator")) {
        if u.id == coordinator.id {
            continue;
        }
        let local = u.profile.region.as_deref() == Some(region.as_str());
        assert_eq!(!hidden(&u.profile.email), local, "{}", u.login);
    }
}

/// A central instance on the store in `dir`, in this process.
fn serve_dir(dir: &std::path::Path) -> (tokio::runtime::Runtime, String) {
    common::serve_store(std::sync::Arc::new(Store::open(dir).expect("store")))
}

#[test]
fn a_client_notices_a_history_rewritten_on_the_server() {
    use sha2::Digest as _;
    let work = tempfile::tempdir().expect("tempdir");
    let server = work.path().join("server");
    let token = "ab".repeat(32);
    {
        let s = Store::open(&server).expect("store");
        smarteka::demo::seed_at(&s, 20, 1, chrono::Utc::now(), |_, _| {}).expect("seed");
        let asi = s.user_by_login("asi").expect("reads").expect("user");
        s.put_session(
            &sha2::Sha256::digest(token.as_bytes()),
            &smarteka::store::Session {
                user: asi.id,
                created: chrono::Utc::now(),
                expires: chrono::Utc::now() + chrono::Duration::hours(1),
            },
        )
        .expect("session");
    }
    let client = work.path().join("client");
    let sync = |url: &str| {
        let creds = Credentials {
            server: url.to_owned(),
            login: "asi".into(),
            token: token.clone(),
            expires: chrono::Utc::now() + chrono::Duration::hours(1),
        };
        let store = Store::open(&client).expect("store");
        store.link().expect("links");
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        runtime
            .block_on(smarteka::sync::client::sync(&store, &creds, |_| {}))
            .expect("syncs")
    };
    {
        let (rt, url) = serve_dir(&server);
        let first = sync(&url);
        assert!(!first.history_rewritten);
        let again = sync(&url);
        assert!(!again.history_rewritten, "nothing changed");
        drop(rt);
    }
    // Someone with the server's files rewrites an old audit entry and
    // recomputes the chain after it, so the chain holds in itself.
    {
        let db = sled::open(server.join("db")).expect("sled");
        let audit = db.open_tree("audit").expect("tree");
        let chain = db.open_tree("chain").expect("tree");
        let key = 2u64.to_be_bytes();
        let mut entry: smarteka::store::AuditEntry =
            smarteka::store::codec::decode(&audit.get(key).expect("reads").expect("there"))
                .expect("decodes");
        entry.summary = "Этого не было".into();
        audit
            .insert(
                key,
                smarteka::store::codec::encode(&entry).expect("encodes"),
            )
            .expect("writes");
        let mut prev = None::<Vec<u8>>;
        for item in &audit {
            let (k, v) = item.expect("reads");
            let link = smarteka::store::chain_link(prev.as_deref(), &v);
            chain.insert(k, link.as_slice()).expect("writes");
            prev = Some(link);
        }
        db.flush().expect("flushes");
    }
    let s = Store::open(&server).expect("opens");
    assert_eq!(
        s.verify_chain().expect("reads").0,
        None,
        "consistent in itself"
    );
    drop(s);
    let (_rt, url) = serve_dir(&server);
    let after = sync(&url);
    assert!(after.history_rewritten, "{after:?}");
}

/// A client killed (SIGKILL) in the middle of its first pull keeps the
/// pages it had, and the next run goes on from there. The test checks that
/// the pull was cut off mid-way — some pages kept, not all — instead of
/// assuming it.
#[test]
fn a_client_killed_mid_pull_resumes_and_converges() {
    use std::io::BufRead as _;
    let c = Central::start(40);
    // Enough changes for a feed of several pages.
    let author = c
        .store
        .user_by_login("author")
        .expect("reads")
        .expect("author");
    let drafts: Vec<smarteka::domain::Practice> = c
        .store
        .practices()
        .map(|p| p.expect("reads"))
        .filter(|p| p.author == author.id && p.status == smarteka::domain::PracticeStatus::Draft)
        .take(4)
        .collect();
    assert!(!drafts.is_empty(), "the demo author has drafts");
    let cx = common::cx(&c.store);
    for i in 0..(3 * smarteka::server::PAGE + 100) {
        let p = &drafts[i % drafts.len()];
        let mut passport = c
            .store
            .practice(p.id)
            .expect("reads")
            .expect("exists")
            .passport;
        passport.goal = format!("Цель, правка {i}");
        smarteka::service::practice::execute(
            &cx,
            &author,
            smarteka::domain::command::Command::Edit { id: p.id, passport },
        )
        .expect("edited");
    }
    let last = c.store.last_seq().expect("seq");
    let mut cut = None;
    for _attempt in 0..5 {
        let dir = tempfile::tempdir().expect("tempdir");
        smarteka::sync::client::api::remember(dir.path(), &c.credentials("author"))
            .expect("remembered");
        Store::open(dir.path())
            .expect("store")
            .link()
            .expect("linked");
        let mut client = std::process::Command::new(env!("CARGO_BIN_EXE_smarteka"))
            .arg("--data")
            .arg(dir.path())
            .arg("sync")
            .env_remove("SMARTEKA_CONFIG")
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("syncs");
        let stderr = std::io::BufReader::new(client.stderr.take().expect("stderr"));
        for line in stderr.lines() {
            if line.expect("text").starts_with("Получено: ") {
                break;
            }
        }
        let _ = client.kill();
        let _ = client.wait();
        let cursor = Store::open(dir.path())
            .expect("reopens after the kill")
            .pull_cursor()
            .expect("cursor");
        if cursor > 0 && cursor < last {
            cut = Some((dir, cursor));
            break;
        }
    }
    let (dir, cursor) = cut.expect("a pull cut off after its first page, in one of five tries");
    assert!(
        cursor > 0 && cursor < last,
        "interrupted at {cursor} of {last}"
    );
    // The next run goes on from its cursor, to the end of the feed.
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_smarteka"))
        .arg("--data")
        .arg(dir.path())
        .arg("sync")
        .env_remove("SMARTEKA_CONFIG")
        .output()
        .expect("syncs");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let store = Store::open(dir.path()).expect("store");
    assert_eq!(
        store.pull_cursor().expect("cursor"),
        last,
        "pulled to the end"
    );
    let latest = format!("Цель, правка {}", 3 * smarteka::server::PAGE + 99);
    assert!(
        drafts.iter().any(|p| store
            .practice(p.id)
            .expect("reads")
            .is_some_and(|q| q.passport.goal == latest)),
        "the last edit arrived"
    );
}

/// The workflow step of `login` on the first practice where the workflow
/// lets them take `action` now.
fn practice_for(c: &Central, login: &str, action: smarteka::domain::workflow::Action) -> Uuid {
    let u = c.store.user_by_login(login).expect("reads").expect("user");
    c.store
        .practices()
        .map(|p| p.expect("reads"))
        .find(|p| smarteka::domain::workflow::check(&u, p, action).is_ok())
        .unwrap_or_else(|| panic!("the demo has a practice for {login} to {}", action.code()))
        .id
}

fn act_op(practice: Uuid, action: &str, to: &[&str], level: Option<u8>) -> Op {
    Op {
        seq: 1,
        at: chrono::Utc::now(),
        kind: OpKind::Act {
            practice,
            action: action.to_owned(),
            comment: String::new(),
            to: to.iter().map(|s| (*s).to_owned()).collect(),
            level,
            reason: None,
            documents: Vec::new(),
        },
    }
}

fn rejection(reply: &PushReply) -> String {
    match &reply.results[0].1 {
        OpResult::Rejected { reason } => reason.clone(),
        other => panic!("refused, not {other:?}"),
    }
}

/// The server checks a step's arguments with the same function as the CLI
/// and the workstation: users only where the action names them, and a
/// level that exists. It used to ignore the one and drop the other.
#[test]
fn the_server_checks_step_arguments_as_the_cli_does() {
    use smarteka::domain::workflow::Action;
    let c = Central::start(120);
    let moderator = c.credentials("moderator");
    let id = practice_for(&c, "moderator", Action::SetLevel);
    let before = c.store.practice(id).expect("reads").expect("exists");

    let r = push(
        &c,
        &moderator,
        Uuid::now_v7(),
        vec![act_op(id, "set-level", &[], Some(7))],
    )
    .expect("answered");
    assert!(rejection(&r).contains("Уровня 7 нет"), "{}", rejection(&r));

    let id = practice_for(&c, "moderator", Action::SendToExperts);
    let r = push(
        &c,
        &moderator,
        Uuid::now_v7(),
        vec![act_op(id, "send-to-experts", &["nobody-here"], None)],
    )
    .expect("answered");
    assert!(
        rejection(&r).contains("«nobody-here» не найден"),
        "{}",
        rejection(&r)
    );

    let coordinator = c.credentials("coordinator");
    let id2 = practice_for(&c, "coordinator", Action::Confirm);
    let r = push(
        &c,
        &coordinator,
        Uuid::now_v7(),
        vec![act_op(id2, "return", &["author"], None)],
    )
    .expect("answered");
    assert!(
        rejection(&r).contains("не назначает пользователей"),
        "{}",
        rejection(&r)
    );
    // Nothing changed on the server.
    assert_eq!(
        c.store
            .practice(before.id)
            .expect("reads")
            .expect("exists")
            .passport
            .level,
        before.passport.level
    );
}

/// A refusal names no command-line flag: the workstation shows it as it is
/// (the CLI adds its flags where it prints one).
#[test]
fn refusal_reasons_carry_no_command_line_syntax() {
    use smarteka::domain::workflow::Action;
    let c = Central::start(120);
    let cx = common::cx(&c.store);
    let blobs = smarteka::store::blobs::Blobs::new(c.store.dir());
    for (login, action) in [
        ("moderator", Action::SetLevel),
        ("asi", Action::Assign),
        ("asi", Action::Refuse),
    ] {
        let u = c.store.user_by_login(login).expect("reads").expect("user");
        let id = practice_for(&c, login, action);
        let e = smarteka::service::workflow::act(
            &cx,
            &blobs,
            &u,
            id,
            action,
            &smarteka::service::workflow::ActInput::default(),
        )
        .expect_err("an argument is missing");
        assert!(!e.message().contains("--"), "{}: {e}", action.code());
        assert!(e.message().contains("Укажите"), "{}: {e}", action.code());
    }
}

/// The coordinator's confirmation of a user and the Модератор АСИ's grant
/// of authoring, made on linked workstations, reach the server as ops; the
/// next pull does not take them back. They used to be committed without an
/// op, so the server never learnt of them.
#[test]
fn confirming_a_user_and_granting_authoring_reach_the_server() {
    use smarteka::domain::Role;
    let c = Central::start(40);
    let coordinator = c
        .store
        .user_by_login("coordinator")
        .expect("reads")
        .expect("user");
    let region = coordinator.regions_for(Role::Coordinator)[0].to_owned();
    let target = format!("r{region}-1");
    assert!(
        c.store
            .user_by_login(&target)
            .expect("reads")
            .expect("user")
            .verified
            .is_none(),
        "not confirmed yet"
    );
    let sync = |s: &Store, creds: &Credentials| {
        c.runtime
            .block_on(smarteka::sync::client::sync(s, creds, |_| {}))
            .expect("syncs")
    };

    let a = tempfile::tempdir().expect("tempdir");
    let creds = c.client(a.path(), "coordinator");
    {
        let s = Store::open(a.path()).expect("store");
        let me = s
            .user_by_login("coordinator")
            .expect("reads")
            .expect("user");
        smarteka::service::accounts::authoring(&common::cx(&s), &me, &target, false)
            .expect("confirmed");
        assert_eq!(
            s.outbox().expect("outbox").len(),
            1,
            "queued for the server"
        );
        let done = sync(&s, &creds);
        assert_eq!((done.sent, done.rejected), (1, 0));
        // Pulled again: still confirmed here.
        sync(&s, &creds);
        assert!(
            s.user_by_login(&target)
                .expect("reads")
                .expect("user")
                .verified
                .is_some()
        );
    }
    let on_server = c
        .store
        .user_by_login(&target)
        .expect("reads")
        .expect("user");
    assert_eq!(
        on_server.verified.as_ref().map(|v| v.region.as_str()),
        Some(region.as_str())
    );

    let b = tempfile::tempdir().expect("tempdir");
    let creds = c.client(b.path(), "asi");
    {
        let s = Store::open(b.path()).expect("store");
        let me = s.user_by_login("asi").expect("reads").expect("user");
        smarteka::service::accounts::authoring(&common::cx(&s), &me, &target, true)
            .expect("granted");
        sync(&s, &creds);
    }
    let on_server = c
        .store
        .user_by_login(&target)
        .expect("reads")
        .expect("user");
    assert!(
        on_server
            .regions_for(Role::Author)
            .contains(&region.as_str()),
        "the grant reached the server"
    );
}

/// One HTTP client and one runtime for the whole process: sync, the file
/// lane and the long-poll share its pool of kept-alive connections.
#[test]
fn one_http_client_and_one_runtime_per_process() {
    use smarteka::sync::client::api;
    let a = api::http().expect("client");
    let b = api::http().expect("client");
    assert!(std::ptr::eq(a, b), "the same client");
    assert!(std::ptr::eq(
        api::runtime().expect("runtime"),
        api::runtime().expect("runtime")
    ));
    // Two syncs in a row on one connection: the server sees one.
    let c = Central::start(10);
    let dir = tempfile::tempdir().expect("tempdir");
    let creds = c.client(dir.path(), "author");
    let s = Store::open(dir.path()).expect("store");
    let before = c.store.last_seq().expect("seq");
    for _ in 0..3 {
        c.runtime
            .block_on(smarteka::sync::client::sync(&s, &creds, |_| {}))
            .expect("syncs");
    }
    assert_eq!(
        c.store.last_seq().expect("seq"),
        before,
        "nothing written by pulls"
    );
}
