use chrono::Utc;

use super::*;
use crate::domain::User;
use crate::store::tests::{practice, user};
use crate::store::{Mutation, Record};

fn filled(dir: &Path, n: usize) -> (Store, User) {
    let s = Store::open(dir).expect("opens");
    let u = user("author");
    s.commit(&Mutation::new(None, "user.add", "u").with(Record::User(Box::new(u.clone()))))
        .expect("commits");
    for i in 0..n {
        s.commit(
            &Mutation::new(Some(u.id), "practice.create", "p").with(Record::Practice(Box::new(
                practice(u.id, &format!("Практика {i}")),
            ))),
        )
        .expect("commits");
    }
    (s, u)
}

#[test]
fn a_backup_made_in_use_restores_to_the_moment_it_was_made() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (s, u) = filled(&dir.path().join("store"), 5);
    let file = dir.path().join("doc.pdf");
    std::fs::write(&file, b"%PDF-1.4 backup").expect("writes");
    let blob = Blobs::new(s.dir()).put_file(&file).expect("stored");
    let epoch = s.epoch().expect("epoch");
    let copy = dir.path().join("copy");
    let m = s.backup(&copy, |_| {}).expect("backs up");
    assert_eq!((m.seq, m.practices, m.users), (6, 5, 1));
    assert_eq!(m.files.len(), 1);
    // Written after the backup: not in it.
    s.commit(
        &Mutation::new(Some(u.id), "practice.create", "p")
            .with(Record::Practice(Box::new(practice(u.id, "Позже")))),
    )
    .expect("commits");
    let restored = dir.path().join("restored");
    let again = restore(&copy, &restored, |_| {}).expect("restores");
    assert_eq!(again, m);
    let r = Store::open(&restored).expect("opens");
    assert_eq!(r.last_seq().expect("seq"), 6);
    assert_eq!(r.practices().count(), 5);
    assert_eq!(r.user_by_login("author").expect("reads"), Some(u));
    assert!(Blobs::new(&restored).exists(&blob.sha256));
    assert_eq!(r.audit_head().expect("head").1, m.audit_head);
    assert_ne!(
        r.epoch().expect("epoch"),
        epoch,
        "a restored store is a new epoch"
    );
    assert!(r.check(|_| {}).expect("checks").is_ok());
}

#[test]
fn a_damaged_backup_is_refused_and_nothing_is_restored() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (s, _) = filled(&dir.path().join("store"), 3);
    let copy = dir.path().join("copy");
    s.backup(&copy, |_| {}).expect("backs up");
    let trees = copy.join(TREES);
    let mut bytes = std::fs::read(&trees).expect("reads");
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x40;
    std::fs::write(&trees, bytes).expect("writes");
    let restored = dir.path().join("restored");
    let e = restore(&copy, &restored, |_| {})
        .expect_err("refused")
        .to_string();
    assert!(e.contains("не совпадает с описью"), "{e}");
    assert!(!restored.join("db").exists());
    // Into a folder that holds a store: refused.
    let e = restore(&copy, s.dir(), |_| {})
        .expect_err("refused")
        .to_string();
    assert!(e.contains("уже есть хранилище"), "{e}");
}

#[test]
fn scheduled_backups_keep_the_newest() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (s, _) = filled(&dir.path().join("store"), 1);
    let backups = dir.path().join("backups");
    let t0 = Utc::now();
    for i in 0..4 {
        scheduled_backup(&s, &backups, 2, t0 + chrono::Duration::minutes(i)).expect("backs up");
    }
    // A backup made by hand beside them is neither counted nor removed.
    s.backup(&backups.join("smarteka-before-upgrade"), |_| {})
        .expect("backs up");
    scheduled_backup(&s, &backups, 2, t0 + chrono::Duration::minutes(4)).expect("backs up");
    let kept = scheduled(&backups);
    assert_eq!(kept.len(), 2);
    assert!(
        backups
            .join("smarteka-before-upgrade")
            .join(MANIFEST)
            .is_file()
    );
    assert_eq!(
        newest_scheduled(&backups).map(|t| t.timestamp() > 0),
        Some(true)
    );
    assert!(
        kept[1].to_string_lossy().ends_with(
            &(t0 + chrono::Duration::minutes(4))
                .format("%Y%m%d-%H%M%S")
                .to_string()
        )
    );
}

#[test]
fn a_rotten_file_is_left_out_and_named_and_a_stale_mark_does_not_block_a_restore() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (s, _) = filled(&dir.path().join("store"), 2);
    let blobs = Blobs::new(s.dir());
    let mut shas = Vec::new();
    for text in ["%PDF-1.4 один", "%PDF-1.4 два"] {
        let f = dir.path().join("f.pdf");
        std::fs::write(&f, text).expect("writes");
        shas.push(blobs.put_file(&f).expect("stored").sha256);
    }
    std::fs::write(blobs.path_of(&shas[0]), b"rot").expect("writes");
    let copy = dir.path().join("copy");
    let m = s.backup(&copy, |_| {}).expect("backs up in spite of it");
    assert_eq!(m.damaged, vec![shas[0].clone()]);
    assert_eq!(
        m.files.iter().map(|f| f.0.clone()).collect::<Vec<_>>(),
        vec![shas[1].clone()]
    );
    // The damaged store's records were removed but its mark was left.
    let target = dir.path().join("target");
    std::fs::create_dir_all(&target).expect("mkdir");
    std::fs::copy(s.dir().join("store.mark"), target.join("store.mark")).expect("copies");
    restore(&copy, &target, |_| {}).expect("restores");
    assert!(Blobs::new(&target).exists(&shas[1]));
    assert!(!Blobs::new(&target).exists(&shas[0]));
}
