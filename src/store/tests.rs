use chrono::Utc;
use uuid::Uuid;

use super::migrate_tests::raw_sled;
use super::*;
use crate::domain::passport::Passport;
use crate::domain::user::Profile;
use crate::domain::{PracticeStatus, RoleGrant};

pub(super) fn user(login: &str) -> User {
    User {
        id: Uuid::now_v7(),
        login: login.into(),
        profile: Profile {
            full_name: "Проверочный Пользователь".into(),
            ..Profile::default()
        },
        roles: vec![RoleGrant::global(crate::domain::Role::AsiModerator)],
        password_hash: "x".into(),
        email_verified: true,
        consents: vec![],
        disabled: false,
        created: Utc::now(),
        verified: None,
        mail_opt_out: false,
        code: None,
        contacts_request: None,
        pool: Vec::new(),
    }
}

pub(super) fn practice(author: UserId, title: &str) -> Practice {
    Practice {
        id: Uuid::now_v7(),
        status: PracticeStatus::Draft,
        author,
        passport: Passport {
            title: title.into(),
            ..Passport::default()
        },
        revision: 1,
        created: Utc::now(),
        updated: Utc::now(),
        published: None,
        workflow: crate::domain::workflow::Workflow::default(),
    }
}

#[test]
fn round_trip_with_audit_and_change_log_written_together() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = Store::open(dir.path()).expect("opens");
    assert_eq!(s.last_seq().expect("seq"), 0);
    let u = user("author");
    let p = practice(u.id, "Школа будущего");
    let seq = s
        .commit(
            &Mutation::new(Some(u.id), "practice.create", "Создана практика")
                .with(Record::User(Box::new(u.clone())))
                .with(Record::Practice(Box::new(p.clone()))),
        )
        .expect("commits");
    assert_eq!(seq, 1);
    assert_eq!(s.user(u.id).expect("reads"), Some(u.clone()));
    assert_eq!(s.user_by_login("author").expect("reads"), Some(u.clone()));
    assert_eq!(s.practice(p.id).expect("reads"), Some(p.clone()));
    let summary = s.summary(p.id).expect("reads").expect("derived");
    assert_eq!(summary.title, "Школа будущего");
    assert_eq!(summary.status, PracticeStatus::Draft);
    let audit: Vec<_> = s.audit().collect::<Result<_>>().expect("audit");
    let changes: Vec<_> = s.changes_since(0).collect::<Result<_>>().expect("changes");
    assert_eq!(audit.len(), 1);
    assert_eq!(changes.len(), 1);
    assert_eq!(audit[0].seq, changes[0].seq);
    assert_eq!(audit[0].actor, Some(u.id));
    assert_eq!(audit[0].action, "practice.create");
    assert_eq!(
        changes[0].entities,
        vec![EntityRef::User(u.id), EntityRef::Practice(p.id)]
    );
    assert_eq!(
        s.audit_of(EntityRef::Practice(p.id)).expect("audit").len(),
        1
    );
}

#[test]
fn sequence_is_monotonic_and_survives_reopen() {
    let dir = tempfile::tempdir().expect("tempdir");
    let u = user("a");
    let p = practice(u.id, "Первая");
    {
        let s = Store::open(dir.path()).expect("opens");
        s.commit(&Mutation::new(None, "user.create", "").with(Record::User(Box::new(u.clone()))))
            .expect("commits");
        s.commit(
            &Mutation::new(None, "practice.create", "").with(Record::Practice(Box::new(p.clone()))),
        )
        .expect("commits");
    }
    let s = Store::open(dir.path()).expect("reopens after drop");
    assert_eq!(s.last_seq().expect("seq"), 2);
    assert_eq!(s.practice(p.id).expect("reads"), Some(p));
    assert_eq!(s.format().expect("format"), FORMAT);
    let seq = s
        .commit(&Mutation::new(None, "user.update", "").with(Record::User(Box::new(u))))
        .expect("commits");
    assert_eq!(seq, 3);
    let after_one: Vec<u64> = s
        .changes_since(1)
        .map(|c| c.map(|c| c.seq))
        .collect::<Result<_>>()
        .expect("changes");
    assert_eq!(after_one, [2, 3]);
}

#[test]
fn a_taken_login_aborts_the_whole_change() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = Store::open(dir.path()).expect("opens");
    let a = user("same");
    s.commit(&Mutation::new(None, "user.create", "").with(Record::User(Box::new(a))))
        .expect("commits");
    let b = user("same");
    let p = practice(b.id, "Не должна появиться");
    let err = s
        .commit(
            &Mutation::new(None, "user.create", "")
                .with(Record::Practice(Box::new(p.clone())))
                .with(Record::User(Box::new(b))),
        )
        .expect_err("refused");
    assert!(err.to_string().contains("уже занят"), "{err}");
    assert_eq!(s.practice(p.id).expect("reads"), None, "nothing written");
    assert_eq!(s.last_seq().expect("seq"), 1);
    assert_eq!(s.audit().count(), 1);
}

#[test]
fn a_second_open_is_refused_in_russian() {
    let dir = tempfile::tempdir().expect("tempdir");
    let _first = Store::open(dir.path()).expect("opens");
    let err = Store::open(dir.path()).expect_err("locked");
    assert!(matches!(err, StoreError::Locked(_)));
    assert!(
        err.to_string().contains("уже открыто другим процессом"),
        "{err}"
    );
}

#[test]
fn a_store_from_a_newer_version_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let s = Store::open(dir.path()).expect("opens");
        s.trees[META]
            .insert(KEY_FORMAT, &u64_key(u64::from(FORMAT) + 1))
            .expect("writes");
        s.db.flush().expect("flushes");
    }
    let err = Store::open(dir.path()).expect_err("too new");
    assert!(err.to_string().contains("более новой версией"), "{err}");
}

#[test]
fn a_format_2_store_opens_as_the_current_format_with_its_records() {
    let dir = tempfile::tempdir().expect("tempdir");
    let u = user("asi");
    {
        let s = Store::open(dir.path()).expect("opens");
        s.commit(&Mutation::new(None, "user.add", "").with(Record::User(Box::new(u.clone()))))
            .expect("commits");
        s.trees[META]
            .insert(KEY_FORMAT, &u64_key(2))
            .expect("writes");
        s.db.flush().expect("flushes");
    }
    let s = Store::open(dir.path()).expect("opens");
    assert_eq!(s.format().expect("format"), FORMAT);
    assert_eq!(s.user(u.id).expect("read"), Some(u));
    assert!(s.applications().expect("read").is_empty());
    assert_eq!(
        s.verify_chain().expect("reads"),
        (None, 1),
        "chained on migration"
    );
}

#[test]
fn a_format_3_store_gets_its_audit_chain_and_file_index() {
    let dir = tempfile::tempdir().expect("tempdir");
    let u = user("asi");
    let mut p = practice(u.id, "С обложкой");
    let sha = "ab".repeat(32);
    p.passport.cover = Some(crate::domain::passport::Cover {
        sha256: sha.clone(),
        name: "c.png".into(),
        format: crate::domain::passport::ImageFormat::Png,
        width: 1,
        height: 1,
    });
    {
        let s = Store::open(dir.path()).expect("opens");
        s.commit(&Mutation::new(None, "user.add", "").with(Record::User(Box::new(u.clone()))))
            .expect("commits");
        s.commit(&Mutation::new(None, "p", "").with(Record::Practice(Box::new(p.clone()))))
            .expect("commits");
        // As a format-3 store had it: no chain, no index.
        s.trees[CHAIN].clear().expect("clears");
        s.trees[BLOB_REFS].clear().expect("clears");
        s.trees[META]
            .insert(KEY_FORMAT, &u64_key(3))
            .expect("writes");
        s.db.flush().expect("flushes");
    }
    let s = Store::open(dir.path()).expect("opens");
    assert_eq!(s.verify_chain().expect("reads"), (None, 2));
    assert_eq!(
        s.file_refs(&sha).expect("reads"),
        vec![EntityRef::Practice(p.id)]
    );
}

#[test]
fn the_audit_chain_names_the_first_entry_changed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = Store::open(dir.path()).expect("opens");
    let u = user("asi");
    s.commit(&Mutation::new(None, "user.add", "").with(Record::User(Box::new(u.clone()))))
        .expect("commits");
    for i in 0..4 {
        s.commit(
            &Mutation::new(Some(u.id), "p", format!("Практика {i}"))
                .with(Record::Practice(Box::new(practice(u.id, "П")))),
        )
        .expect("commits");
    }
    assert_eq!(s.verify_chain().expect("reads"), (None, 5));
    let (seq, head) = s.audit_head().expect("head");
    assert_eq!((seq, head.len()), (5, 64));
    // Someone with the files rewrites entry 3's summary.
    let mut a: AuditEntry = codec::decode(
        &s.trees[AUDIT]
            .get(u64_key(3))
            .expect("reads")
            .expect("there"),
    )
    .expect("decodes");
    a.summary = "Ничего не было".into();
    s.trees[AUDIT]
        .insert(u64_key(3), codec::encode(&a).expect("encodes"))
        .expect("writes");
    assert_eq!(s.verify_chain().expect("reads").0, Some(3));
    // …or deletes the last one.
    let dir2 = tempfile::tempdir().expect("tempdir");
    let s2 = Store::open(dir2.path()).expect("opens");
    for _ in 0..3 {
        s2.commit(
            &Mutation::new(None, "user.add", "").with(Record::User(Box::new(user(&format!(
                "u{}",
                Uuid::now_v7().simple()
            ))))),
        )
        .expect("commits");
    }
    s2.trees[AUDIT].remove(u64_key(2)).expect("removes");
    assert_eq!(s2.verify_chain().expect("reads").0, Some(3));
}

#[test]
fn a_create_refuses_a_record_that_exists_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = Store::open(dir.path()).expect("opens");
    let u = user("asi");
    let p = practice(u.id, "Первая");
    let mut m = Mutation::new(None, "p", "").with(Record::Practice(Box::new(p.clone())));
    m.fresh.push(EntityRef::Practice(p.id));
    s.commit(&m).expect("commits");
    let mut other = p.clone();
    other.passport.title = "Подмена".into();
    let mut m = Mutation::new(None, "p", "").with(Record::Practice(Box::new(other)));
    m.fresh.push(EntityRef::Practice(p.id));
    let e = s.commit(&m).expect_err("refused");
    assert!(matches!(e, StoreError::Exists(_)), "{e}");
    assert!(e.to_string().contains("уже есть"), "{e}");
    assert_eq!(s.practice(p.id).expect("reads"), Some(p));
    assert_eq!(s.last_seq().expect("seq"), 1);
}

#[test]
fn a_store_that_holds_less_than_its_mark_is_refused_in_russian() {
    let dir = tempfile::tempdir().expect("tempdir");
    let u = user("asi");
    {
        let s = Store::open(dir.path()).expect("opens");
        s.commit(&Mutation::new(None, "user.add", "").with(Record::User(Box::new(u.clone()))))
            .expect("commits");
        for _ in 0..3 {
            s.commit(
                &Mutation::new(None, "p", "").with(Record::Practice(Box::new(practice(u.id, "П")))),
            )
            .expect("commits");
        }
        assert_eq!(s.high_water().practices, 3);
        // What sled's recovery does to a damaged log: the newest changes go.
        let last = s.trees[PRACTICES].last().expect("reads").expect("one").0;
        s.trees[PRACTICES].remove(last).expect("removes");
        s.trees[META].insert(KEY_SEQ, &u64_key(2)).expect("writes");
        s.db.flush().expect("flushes");
    }
    let e = Store::open(dir.path()).expect_err("refused").to_string();
    assert!(
        e.contains("изменений: 2 из 4") && e.contains("практик: 2 из 3"),
        "{e}"
    );
    assert!(e.contains("sync repair") && e.contains("restore"), "{e}");
    // `sync repair` takes it as it is; from then on it opens.
    let s = Store::open_with(dir.path(), OpenFlags { accept_loss: true }).expect("accepted");
    assert_eq!(s.high_water().practices, 2);
    drop(s);
    Store::open(dir.path()).expect("opens");
}

#[test]
fn a_folder_that_is_not_a_store_is_not_taken_over() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("отчёт.docx"), b"x").expect("writes");
    let e = Store::open(dir.path()).expect_err("refused").to_string();
    assert!(e.contains("не похож на хранилище"), "{e}");
    assert!(!dir.path().join("db").exists());
    // An empty folder, or one with only the log, is fine.
    let empty = tempfile::tempdir().expect("tempdir");
    std::fs::write(empty.path().join("smarteka.log"), b"").expect("writes");
    Store::open(empty.path()).expect("opens");
}

#[test]
fn acknowledged_ops_are_kept_and_a_relink_renumbers_what_is_sent_again() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = Store::open(dir.path()).expect("opens");
    let old = s.link().expect("links");
    let u = user("author");
    for i in 0..3 {
        let p = practice(u.id, &format!("П{i}"));
        let mut m = Mutation::new(None, "p", "").with(Record::Practice(Box::new(p.clone())));
        m.op = Some(crate::sync::protocol::OpKind::Create {
            practice: p.id,
            passport: Box::new(p.passport.clone()),
        });
        s.commit(&m).expect("commits");
    }
    s.drop_ops(&[1, 2]).expect("drops");
    assert_eq!(s.outbox().expect("reads").len(), 1);
    let sent = s.sent_after(old, 1).expect("reads");
    assert_eq!(sent.iter().map(|o| o.seq).collect::<Vec<_>>(), vec![2]);
    let resend: Vec<_> = sent.into_iter().map(|o| o.kind).collect();
    let again: Vec<_> = resend
        .iter()
        .cloned()
        .chain(s.outbox().expect("reads").into_iter().map(|o| o.kind))
        .collect();
    let (new, queued) = s.relink(None, &resend).expect("relinks");
    assert_eq!(queued, 2);
    assert_ne!(new, old);
    assert_eq!(s.client_id().expect("reads"), Some(new));
    let out = s.outbox().expect("reads");
    assert_eq!(out.iter().map(|o| o.seq).collect::<Vec<_>>(), vec![1, 2]);
    assert_eq!(out[0].kind, again[0]);
    assert!(s.sent_after(new, 0).expect("reads").is_empty());
}

#[test]
fn audit_by_record_and_inbox_in_the_same_commit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = Store::open(dir.path()).expect("opens");
    let u = user("asi");
    let reader = user("author");
    let a = practice(u.id, "Первая");
    let b = practice(u.id, "Вторая");
    s.commit(
        &Mutation::new(None, "demo.users", "")
            .with(Record::User(Box::new(u.clone())))
            .with(Record::User(Box::new(reader.clone()))),
    )
    .expect("users");
    for p in [&a, &b, &a] {
        let mut m = Mutation::new(
            Some(u.id),
            "practice.edit",
            format!("Изменена «{}»", p.passport.title),
        )
        .with(Record::Practice(Box::new(p.clone())));
        m.notify.push(reader.id);
        s.commit(&m).expect("commits");
    }
    let of_a = s.audit_of(EntityRef::Practice(a.id)).expect("audit");
    assert_eq!(of_a.iter().map(|e| e.seq).collect::<Vec<_>>(), [2, 4]);
    assert_eq!(
        s.audit_of(EntityRef::Practice(b.id)).expect("audit").len(),
        1
    );
    let inbox = s.inbox(reader.id).expect("inbox");
    assert_eq!(inbox.len(), 3);
    assert_eq!(inbox[0].seq, 4, "newest first");
    assert_eq!(inbox[0].title, "Первая");
    assert_eq!(inbox[0].practice, Some(a.id));
    assert_eq!(
        s.inbox(reader.id)
            .expect("inbox")
            .iter()
            .filter(|n| !n.read)
            .count(),
        3
    );
    assert!(
        s.inbox(u.id).expect("inbox").is_empty(),
        "the actor is not told"
    );
    s.mark_read(reader.id).expect("marks");
    drop(s);
    let s = Store::open(dir.path()).expect("reopens");
    assert_eq!(
        s.inbox(reader.id)
            .expect("inbox")
            .iter()
            .filter(|n| !n.read)
            .count(),
        0,
        "durable"
    );
    assert_eq!(s.inbox(reader.id).expect("inbox").len(), 3);
}

/// Format 1 records, as the previous release wrote them.
pub(super) mod v1 {
    use chrono::{DateTime, Utc};
    use serde::Serialize;

    use crate::domain::{Passport, PracticeId, PracticeStatus, UserId};
    use crate::store::EntityRef;

    #[derive(Serialize)]
    pub struct Practice {
        pub id: PracticeId,
        pub status: PracticeStatus,
        pub author: UserId,
        pub passport: Passport,
        pub revision: u32,
        pub created: DateTime<Utc>,
        pub updated: DateTime<Utc>,
        pub published: Option<DateTime<Utc>>,
    }

    /// A practice of formats 2–5.
    #[derive(Serialize)]
    pub struct PracticeV5 {
        pub id: PracticeId,
        pub status: PracticeStatus,
        pub author: UserId,
        pub passport: Passport,
        pub revision: u32,
        pub created: DateTime<Utc>,
        pub updated: DateTime<Utc>,
        pub published: Option<DateTime<Utc>>,
        pub workflow: WorkflowV5,
    }

    #[derive(Serialize, Default)]
    pub struct WorkflowV5 {
        pub since: Option<DateTime<Utc>>,
        pub expert_moderator: Option<UserId>,
        pub returned: Option<crate::domain::workflow::Returned>,
        pub session: Option<crate::domain::workflow::Session>,
        pub deadline: Option<crate::domain::workflow::Deadline>,
        pub documents: Vec<crate::domain::workflow::Document>,
        pub returns: u32,
        pub reason: Option<String>,
    }

    #[derive(Serialize)]
    pub struct User {
        pub id: UserId,
        pub login: String,
        pub profile: Profile,
        pub roles: Vec<crate::domain::RoleGrant>,
        pub password_hash: String,
        pub email_verified: bool,
        pub consents: Vec<Consent>,
        pub disabled: bool,
        pub created: DateTime<Utc>,
    }

    /// A profile of formats 1–4.
    #[derive(Serialize, Default)]
    pub struct Profile {
        pub full_name: String,
        pub organisation: String,
        pub position: String,
        pub phone: String,
        pub email: String,
        pub photo: Option<String>,
        pub region: Option<String>,
        pub head_of_body: bool,
    }

    /// A consent of formats 1–4.
    #[derive(Serialize)]
    pub struct Consent {
        pub kind: crate::domain::user::ConsentKind,
        pub given: chrono::NaiveDate,
        pub version: String,
    }

    /// A user of formats 2–4.
    #[derive(Serialize)]
    pub struct UserV4 {
        pub id: UserId,
        pub login: String,
        pub profile: Profile,
        pub roles: Vec<crate::domain::RoleGrant>,
        pub password_hash: String,
        pub email_verified: bool,
        pub consents: Vec<Consent>,
        pub disabled: bool,
        pub created: DateTime<Utc>,
        pub verified: Option<crate::domain::user::Verification>,
    }

    #[derive(Serialize)]
    pub struct Audit {
        pub seq: u64,
        pub at: DateTime<Utc>,
        pub actor: Option<UserId>,
        pub action: String,
        pub summary: String,
        pub entities: Vec<EntityRef>,
    }
}

#[test]
fn a_format_1_store_is_migrated_on_open() {
    let dir = tempfile::tempdir().expect("tempdir");
    let id = Uuid::now_v7();
    let author = Uuid::now_v7();
    {
        let db = raw_sled(dir.path());
        let meta = db.open_tree("meta").expect("tree");
        meta.insert(KEY_FORMAT, &u64_key(1)).expect("format");
        meta.insert(KEY_SEQ, &u64_key(1)).expect("seq");
        let old = v1::Practice {
            id,
            status: PracticeStatus::Published,
            author,
            passport: Passport {
                title: "Старая практика".into(),
                ..Passport::default()
            },
            revision: 2,
            created: Utc::now(),
            updated: Utc::now(),
            published: Some(Utc::now()),
        };
        db.open_tree("practices")
            .expect("tree")
            .insert(id.as_bytes(), codec::encode(&old).expect("encode"))
            .expect("insert");
        let user = v1::User {
            id: author,
            login: "old-author".into(),
            profile: v1::Profile::default(),
            roles: vec![RoleGrant::regional(crate::domain::Role::Author, "16")],
            password_hash: "x".into(),
            email_verified: true,
            consents: vec![],
            disabled: false,
            created: Utc::now(),
        };
        db.open_tree("users")
            .expect("tree")
            .insert(author.as_bytes(), codec::encode(&user).expect("encode"))
            .expect("insert");
        let audit = v1::Audit {
            seq: 1,
            at: Utc::now(),
            actor: Some(author),
            action: "practice.create".into(),
            summary: "Создан паспорт".into(),
            entities: vec![EntityRef::Practice(id)],
        };
        db.open_tree("audit")
            .expect("tree")
            .insert(u64_key(1), codec::encode(&audit).expect("encode"))
            .expect("insert");
        db.flush().expect("flush");
    }
    let s = Store::open(dir.path()).expect("migrates");
    assert_eq!(s.format().expect("format"), FORMAT);
    let p = s.practice(id).expect("reads").expect("kept");
    assert_eq!(p.passport.title, "Старая практика");
    assert_eq!(p.status, PracticeStatus::Published);
    assert!(p.workflow.returned.is_none());
    assert_eq!(
        s.summary(id).expect("reads").map(|x| x.author),
        Some(author)
    );
    let trail = s.audit_of(EntityRef::Practice(id)).expect("indexed");
    assert_eq!(trail.len(), 1);
    assert_eq!(trail[0].summary, "Создан паспорт");
    assert!(trail[0].transition.is_none());
    let u = s.user(author).expect("reads").expect("kept");
    assert_eq!(u.login, "old-author");
    assert!(u.verified.is_none());
}

#[test]
fn check_finds_what_disagrees_and_passes_a_whole_store() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = Store::open(dir.path()).expect("opens");
    let u = user("asi");
    s.commit(&Mutation::new(None, "user.add", "").with(Record::User(Box::new(u.clone()))))
        .expect("commits");
    let p = practice(u.id, "Проверяемая");
    s.commit(&Mutation::new(Some(u.id), "p", "").with(Record::Practice(Box::new(p.clone()))))
        .expect("commits");
    let file = dir.path().join("a.pdf");
    std::fs::write(&file, b"%PDF-1.4 check").expect("writes");
    let blob = blobs::Blobs::new(dir.path())
        .put_file(&file)
        .expect("stored");
    let whole = s.check(|_| {}).expect("checks");
    assert!(whole.is_ok(), "{:?}", whole.problems);
    assert!(
        whole.passed.iter().any(|l| l.contains("практик 1")),
        "{:?}",
        whole.passed
    );

    // A summary that says another title, an audit index entry gone, a file
    // changed on disk: each is named.
    let mut other = p.clone();
    other.passport.title = "Другое".into();
    s.trees[SUMMARIES]
        .insert(
            p.id.as_bytes(),
            codec::encode(&Summary::of(&other)).expect("encodes"),
        )
        .expect("writes");
    s.trees[AUDIT_INDEX]
        .remove(keyed(&entity_key(EntityRef::Practice(p.id)), 2))
        .expect("removes");
    std::fs::write(
        blobs::Blobs::new(dir.path()).path_of(&blob.sha256),
        b"changed",
    )
    .expect("writes");
    let r = s.check(|_| {}).expect("checks");
    let all = r.problems.join("\n");
    assert!(all.contains("сводки не совпадают"), "{all}");
    assert!(all.contains("указатель журнала аудита"), "{all}");
    assert!(all.contains(&blob.sha256), "{all}");
    assert_eq!(r.problems.len(), 3, "{all}");
}

/// Format 5 reads users of format 4: the organisation type is empty, a
/// consent's date becomes its midnight, mail and codes start empty; the
/// confirmation is kept.
#[test]
fn a_format_4_store_gets_the_new_user_shape() {
    let dir = tempfile::tempdir().expect("tempdir");
    let id = Uuid::now_v7();
    let given = chrono::NaiveDate::from_ymd_opt(2025, 3, 4).expect("date");
    {
        let s = Store::open(dir.path()).expect("store");
        drop(s);
        let db = raw_sled(dir.path());
        db.open_tree("meta")
            .expect("tree")
            .insert(KEY_FORMAT, &u64_key(4))
            .expect("format");
        let old = v1::UserV4 {
            id,
            login: "old".into(),
            profile: v1::Profile {
                full_name: "Старова Ольга Ивановна".into(),
                email: "old@x.ru".into(),
                ..v1::Profile::default()
            },
            roles: vec![],
            password_hash: "h".into(),
            email_verified: true,
            consents: vec![v1::Consent {
                kind: crate::domain::user::ConsentKind::PersonalDataForDistribution,
                given,
                version: "2024".into(),
            }],
            disabled: false,
            created: Utc::now(),
            verified: Some(crate::domain::user::Verification {
                by: Uuid::nil(),
                at: Utc::now(),
                region: "16".into(),
            }),
        };
        let users = db.open_tree("users").expect("tree");
        users
            .insert(id.as_bytes(), codec::encode(&old).expect("encode"))
            .expect("insert");
        db.open_tree("logins")
            .expect("tree")
            .insert(b"old", id.as_bytes().as_slice())
            .expect("insert");
        db.flush().expect("flush");
    }
    let s = Store::open(dir.path()).expect("migrates");
    assert_eq!(s.format().expect("format"), FORMAT);
    let u = s.user(id).expect("reads").expect("kept");
    assert_eq!(u.profile.full_name, "Старова Ольга Ивановна");
    assert_eq!(u.profile.organisation_kind, None);
    assert_eq!(u.consents[0].at.date_naive(), given);
    assert_eq!(u.consents[0].version, "2024");
    assert!(u.verified.is_some());
    assert!(u.code.is_none() && !u.mail_opt_out && u.contacts_request.is_none());
    assert_eq!(u.public_name(), "Старова Ольга Ивановна");
}
