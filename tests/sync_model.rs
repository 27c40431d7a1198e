//! Three clients edit one passport offline at random and sync in random
//! order with a central instance running in this process: afterwards every
//! replica equals the server, and every edit either reached the server (it
//! is in a server revision) or is a conflict kept on the client that made
//! it — nothing is lost.

mod common;

use proptest::prelude::*;
use smarteka::domain::command::Command;
use smarteka::domain::passport::Field;
use smarteka::domain::{Passport, PracticeId};
use smarteka::service::practice::execute;
use smarteka::store::Store;
use smarteka::sync::client::api::Credentials;

use common::Central;

const FIELDS: [Field; 4] = [Field::P1, Field::P2, Field::P17, Field::P18];

fn set(p: &mut Passport, f: Field, v: &str) {
    match f {
        Field::P1 => v.clone_into(&mut p.title),
        Field::P2 => v.clone_into(&mut p.goal),
        Field::P17 => v.clone_into(&mut p.specifics),
        _ => v.clone_into(&mut p.support),
    }
}

fn get(p: &Passport, f: Field) -> &str {
    match f {
        Field::P1 => &p.title,
        Field::P2 => &p.goal,
        Field::P17 => &p.specifics,
        _ => &p.support,
    }
}

#[derive(Debug, Clone)]
enum Step {
    Edit { client: usize, field: usize },
    Sync { client: usize },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (0..3usize, 0..4usize).prop_map(|(client, field)| Step::Edit { client, field }),
        2 => (0..3usize).prop_map(|client| Step::Sync { client }),
    ]
}

struct World {
    central: Central,
    _dirs: Vec<tempfile::TempDir>,
    clients: Vec<Store>,
    creds: Credentials,
    practice: PracticeId,
}

/// A central instance on a 12-practice demo and three clients of the
/// author, each synced once; the practice is the author's draft.
fn world() -> World {
    let central = Central::start(12);
    let author = central
        .store
        .user_by_login("author")
        .expect("read")
        .expect("author");
    let practice = central
        .store
        .practices()
        .filter_map(Result::ok)
        .find(|p| p.author == author.id && p.status == smarteka::domain::PracticeStatus::Draft)
        .expect("a draft")
        .id;
    let mut dirs = Vec::new();
    let mut clients = Vec::new();
    for _ in 0..3 {
        let d = tempfile::tempdir().expect("tempdir");
        central.client(d.path(), "author");
        clients.push(Store::open(d.path()).expect("store"));
        dirs.push(d);
    }
    World {
        creds: central.credentials("author"),
        central,
        _dirs: dirs,
        clients,
        practice,
    }
}

impl World {
    fn sync(&self, c: usize) {
        self.central
            .runtime
            .block_on(smarteka::sync::client::sync(
                &self.clients[c],
                &self.creds,
                |_| {},
            ))
            .expect("sync");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, .. ProptestConfig::default() })]

    #[test]
    fn replicas_converge_and_nothing_is_lost(steps in prop::collection::vec(step(), 1..24)) {
        let w = world();
        // (client, field, value, superseded by the same client's later
        // edit of that field before it synced)
        let mut edits: Vec<(usize, Field, String, bool)> = Vec::new();
        // Each edit's value and the value the client had before it.
        let mut priors: std::collections::HashMap<String, (usize, String)> =
            std::collections::HashMap::new();
        let mut pending: [Vec<usize>; 3] = Default::default();
        for (i, s) in steps.iter().enumerate() {
            match s {
                Step::Edit { client, field } => {
                    let store = &w.clients[*client];
                    let author = store.user_by_login("author").expect("read").expect("pulled");
                    let mut p = store.practice(w.practice).expect("read").expect("pulled").passport;
                    let f = FIELDS[*field];
                    let v = format!("клиент {client}, шаг {i}");
                    priors.insert(v.clone(), (*client, get(&p, f).to_owned()));
                    set(&mut p, f, &v);
                    execute(&common::cx(store), &author, Command::Edit { id: w.practice, passport: p }).expect("edits");
                    // A value the client replaced before sending it was never
                    // meant to reach anyone.
                    for k in &pending[*client] {
                        if edits[*k].1 == f {
                            edits[*k].3 = true;
                        }
                    }
                    pending[*client].push(edits.len());
                    edits.push((*client, f, v, false));
                }
                Step::Sync { client } => {
                    w.sync(*client);
                    pending[*client].clear();
                }
            }
        }
        // Everyone sends, then everyone receives.
        for c in 0..3 { w.sync(c); }
        for c in 0..3 { w.sync(c); }
        let server = w.central.store.practice(w.practice).expect("read").expect("exists");
        for c in &w.clients {
            let local = c.practice(w.practice).expect("read").expect("exists");
            prop_assert_eq!(&local.passport, &server.passport);
            prop_assert!(c.outbox().expect("outbox").is_empty());
        }
        let history = w.central.store.revisions(w.practice).expect("revisions");
        for (client, f, v, superseded) in &edits {
            if *superseded {
                continue;
            }
            let client = *client;
            let reached = history.iter().any(|r| get(&r.passport, *f) == v.as_str());
            let kept = w.clients[client].conflicts().expect("conflicts").iter().any(|x| {
                x.field == Some(*f) && x.mine.as_ref().is_some_and(|m| get(m, *f) == v.as_str())
            });
            prop_assert!(reached || kept, "lost: client {} set {:?} to «{}»", client, f, v);
        }
        // No lost update: each value the server took replaced either the
        // value its client had seen, or that client's own earlier value.
        for f in FIELDS {
            let mut values: Vec<&str> = Vec::new();
            for r in &history {
                let v = get(&r.passport, f);
                if values.last() != Some(&v) {
                    values.push(v);
                }
            }
            for pair in values.windows(2) {
                let (before, after) = (pair[0], pair[1]);
                let Some((writer, prior)) = priors.get(after) else { continue };
                // Back through the writer's own unsent edits to the value
                // it started from.
                let mut root = prior.as_str();
                while let Some((c, p)) = priors.get(root) {
                    if c != writer {
                        break;
                    }
                    root = p;
                }
                let own = priors.get(before).is_some_and(|(c, _)| c == writer);
                prop_assert!(
                    root == before || own,
                    "{:?}: «{}» replaced «{}», which client {} never saw",
                    f, after, before, writer
                );
            }
        }
    }
}
