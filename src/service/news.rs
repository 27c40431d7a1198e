//! Whether a user has news on the server after a cursor: asked by every
//! push (so a sync of one's own edit needs no pull) and by the long-poll.

use uuid::Uuid;

use crate::domain::User;
use crate::domain::access::ReadScope;
use crate::service::ops::{PushError, application_readable};
use crate::store::{EntityRef, Store, StoreError, Summary};
use crate::sync::protocol::{News, PushRequest};

/// Whether a pull after the push would bring the client anything, when it
/// asked (`since`): not asked of a client ahead of the server (restored),
/// which its pull then learns. Read after the push's ops, outside the
/// push gate.
pub fn news_after_push(
    store: &Store,
    user: &User,
    req: &PushRequest,
) -> Result<Option<News>, PushError> {
    match req.since {
        Some(since) if since <= store.last_seq()? => {
            let reader = store.user(user.id)?.unwrap_or_else(|| user.clone());
            Ok(Some(news(store, &reader, since, Some(req.client))?))
        }
        _ => Ok(None),
    }
}

/// Whether the change log after `since` holds news for `reader`: a change
/// to a practice they may read that `client` did not make, or to their own
/// record. The latest changes are read from memory, with each practice's
/// row as the change left it (a row that changed again later is news by
/// that later change); a cursor further back reads the change log.
pub fn news(
    store: &Store,
    reader: &User,
    since: u64,
    client: Option<Uuid>,
) -> Result<News, PushError> {
    // Made when a practice's change is first weighed: most pushes find
    // their answer without it.
    let scope = std::cell::OnceCell::new();
    // Per selection, asked once: whether the reader follows all its
    // applications (thousands arrive at a deadline).
    let mut follows = std::collections::HashMap::new();
    let mut found = |seq: u64, entities: &[EntityRef], rows: &[Summary]| {
        news_in(
            store,
            reader,
            &scope,
            &mut follows,
            client,
            seq,
            entities,
            rows,
        )
    };
    let mut latest = since;
    if let Some(recent) = store.recent_since(since) {
        for c in recent {
            latest = c.seq;
            if found(c.seq, &c.entities, &c.rows)? {
                return Ok(News { news: true, latest });
            }
        }
    } else {
        for entry in store.changes_since(since) {
            let entry = entry?;
            latest = entry.seq;
            if found(entry.seq, &entry.entities, &[])? {
                return Ok(News { news: true, latest });
            }
        }
    }
    Ok(News {
        news: false,
        latest,
    })
}

/// Whether one change is news: it touched something `reader` may read
/// (decided from `rows` where they hold the practice, else from the
/// store), and `client` did not make it. An application is news to those
/// who follow its selection's applications (`follows`, filled as asked);
/// its applicant made it.
#[allow(clippy::too_many_arguments)] // one change, and what decides it
fn news_in(
    store: &Store,
    reader: &User,
    scope: &std::cell::OnceCell<ReadScope>,
    follows: &mut std::collections::HashMap<Uuid, bool>,
    client: Option<Uuid>,
    seq: u64,
    entities: &[EntityRef],
    rows: &[Summary],
) -> Result<bool, StoreError> {
    let mut readable = false;
    for e in entities {
        readable = match *e {
            // Profiles are public (as redacted): a changed name or a
            // withdrawn consent reaches every workstation at once; so
            // are the leader lists.
            EntityRef::User(_)
            | EntityRef::Leaders(_)
            | EntityRef::Event(_)
            | EntityRef::Region(_)
            | EntityRef::Partner(_)
            | EntityRef::Selection(_) => true,
            EntityRef::Club(_) => crate::domain::club::may_run(reader),
            EntityRef::Views(u) => u == reader.id,
            EntityRef::SshKeys(_) => false,
            EntityRef::Entry(s, _) => {
                if let Some(f) = follows.get(&s) {
                    *f
                } else {
                    let f = store.selection(s)?.is_some_and(|sel| {
                        crate::service::selections::sees_all(store, Some(reader), &sel)
                    });
                    follows.insert(s, f);
                    f
                }
            }
            // A recommendation tells of its practice.
            EntityRef::Practice(id) | EntityRef::Recommendation(id) => {
                let scope = if let Some(s) = scope.get() {
                    s
                } else {
                    let made = crate::service::selections::scope_of(store, Some(reader))?;
                    scope.get_or_init(|| made)
                };
                match rows.iter().find(|r| r.id == id) {
                    Some(row) => scope.can_read_row(row),
                    None => store.summary(id)?.is_some_and(|p| scope.can_read_row(&p)),
                }
            }
            EntityRef::Application(id) => application_readable(store, reader, id)?,
        };
        if readable {
            break;
        }
    }
    Ok(readable && !client.map_or(Ok(false), |c| store.is_client_echo(c, seq))?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::PracticeStatus;
    use crate::store::{Mutation, Record};

    /// The news told from memory are those the change log tells: checked
    /// on the live store and again after a restart, when memory is empty.
    #[test]
    fn news_from_memory_and_from_the_change_log_agree() {
        let dir = tempfile::tempdir().expect("tempdir");
        let ask = |store: &Store, since: u64| -> Vec<(bool, u64)> {
            ["recipient", "author", "coordinator2"]
                .iter()
                .map(|login| {
                    let u = store
                        .user_by_login(login)
                        .expect("reads")
                        .expect("demo user");
                    let n = news(store, &u, since, None).expect("news");
                    (n.news, n.latest)
                })
                .collect()
        };
        let (since, live) = {
            let store = Store::open(dir.path()).expect("opens");
            crate::demo::seed_at(&store, 120, 1, chrono::Utc::now(), |_, _| {}).expect("seed");
            let since = store.last_seq().expect("reads");
            let author = store
                .user_by_login("author")
                .expect("reads")
                .expect("author");
            let practices: Vec<_> = store.practices().map(|p| p.expect("reads")).collect();
            let mut draft = practices
                .iter()
                .find(|p| p.author == author.id && p.status == PracticeStatus::Draft)
                .expect("the author's draft")
                .clone();
            let mut public = practices
                .iter()
                .find(|p| p.status == PracticeStatus::Published)
                .expect("a published practice")
                .clone();
            draft.passport.goal = "Новая цель черновика".into();
            public.passport.goal = "Новая цель опубликованной".into();
            for p in [draft, public] {
                store
                    .commit(
                        &Mutation::new(None, "test", "правка").with(Record::Practice(Box::new(p))),
                    )
                    .expect("commits");
            }
            assert!(store.recent_since(since).is_some(), "answered from memory");
            let live: Vec<_> = (since..=since + 2).map(|s| ask(&store, s)).collect();
            (since, live)
        };
        let store = Store::open(dir.path()).expect("opens again");
        assert!(store.recent_since(since).is_none(), "memory starts empty");
        let cold: Vec<_> = (since..=since + 2).map(|s| ask(&store, s)).collect();
        assert_eq!(live, cold);
        // The recipient learns of the published practice only; the author
        // of their draft first.
        assert_eq!(live[0][0], (true, since + 2));
        assert_eq!(live[0][1], (true, since + 1));
        assert_eq!(live[2][0], (false, since + 2));
    }
}
