//! Migration of practices kept in the format 5 shape (and format 3 stores
//! holding them), opened from a bare sled database as an older version
//! left it.

use uuid::Uuid;

use super::tests::v1;
use super::*;
use crate::domain::PracticeStatus;
use crate::domain::passport::Passport;

#[test]
fn a_format_5_store_gets_the_yearly_cycle_and_its_summaries() {
    migrates_a_practice_of_format_5_shape(5);
}

/// A format 3 store holds practices of the same shape; its file index is
/// made after they are converted.
#[test]
fn a_format_3_store_with_old_practices_opens() {
    migrates_a_practice_of_format_5_shape(3);
}

fn migrates_a_practice_of_format_5_shape(format: u64) {
    let dir = tempfile::tempdir().expect("tempdir");
    let id = Uuid::now_v7();
    let published = chrono::NaiveDate::from_ymd_opt(2025, 3, 4)
        .expect("date")
        .and_hms_opt(10, 0, 0)
        .expect("time")
        .and_utc();
    {
        let s = Store::open(dir.path()).expect("store");
        drop(s);
        let db = raw_sled(dir.path());
        db.open_tree("meta")
            .expect("tree")
            .insert(KEY_FORMAT, &u64_key(format))
            .expect("format");
        let old = v1::PracticeV5 {
            id,
            status: PracticeStatus::Published,
            author: Uuid::now_v7(),
            passport: Passport {
                title: "Опубликованная давно".into(),
                ..Passport::default()
            },
            revision: 4,
            created: published,
            updated: published,
            published: Some(published),
            workflow: v1::WorkflowV5 {
                since: Some(published),
                returns: 2,
                reason: Some("было".into()),
                ..v1::WorkflowV5::default()
            },
        };
        db.open_tree("practices")
            .expect("tree")
            .insert(id.as_bytes(), codec::encode(&old).expect("encode"))
            .expect("insert");
        db.flush().expect("flush");
    }
    let s = Store::open(dir.path()).expect("migrates");
    assert_eq!(s.format().expect("format"), FORMAT);
    let p = s.practice(id).expect("reads").expect("kept");
    assert_eq!(p.passport.title, "Опубликованная давно");
    assert_eq!(p.workflow.returns, 2);
    assert_eq!(p.workflow.reason.as_deref(), Some("было"));
    assert!(p.workflow.actualised.is_none() && p.workflow.protocols.is_empty());
    let due = chrono::NaiveDate::from_ymd_opt(2026, 3, 4).expect("date");
    let summary = s
        .summaries()
        .map(|x| x.expect("reads"))
        .find(|x| x.id == id)
        .expect("summary");
    assert_eq!(summary.actualise_by, Some(due), "a year after publication");
    // Format 7: the queues' view of it, beside it.
    let view = s.queue_view(id).expect("reads").expect("a view");
    assert_eq!(view, crate::domain::queue::view(&p));
    assert!(view.passport.goal.is_empty() && view.passport.title == p.passport.title);
    let report = s.check(|_| {}).expect("checks");
    assert!(report.is_ok(), "{:?}", report.problems);
}

/// The store's sled database opened bare, as an older version left it.
/// The threads of a store just dropped let go of sled's lock a moment
/// later: the open waits for that (5 s at most) instead of failing.
pub(super) fn raw_sled(dir: &std::path::Path) -> sled::Db {
    let until = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        match sled::open(dir.join("db")) {
            Ok(db) => return db,
            Err(e) if std::time::Instant::now() < until && e.to_string().contains("lock") => {
                std::thread::yield_now();
            }
            Err(e) => panic!("sled: {e}"),
        }
    }
}
