//! Runs domain commands against the local store: loads what the rules need,
//! applies the command through `domain::command::apply`, and writes the
//! outcome — practice, revision, audit and change log — in one commit.

use chrono::Utc;

use crate::domain::command::{Command, Context, Outcome, Refusal, apply};
use crate::domain::refdata::refdata;
use crate::domain::{PracticeId, User};
use crate::store::{Mutation, Record, Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum ExecError {
    #[error("{0}")]
    Refused(Refusal),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn target(cmd: &Command) -> PracticeId {
    match cmd {
        Command::Create { id, .. } | Command::Edit { id, .. } | Command::Submit { id } => *id,
    }
}

/// Applies a command for `actor` and commits its records. Returns the
/// outcome and the change sequence (`None` when nothing changed).
pub fn execute(
    store: &Store,
    actor: &User,
    cmd: Command,
) -> Result<(Outcome, Option<u64>), ExecError> {
    let current = store.practice(target(&cmd))?;
    let leaders = store.leaders()?;
    let profile = |id| store.user(id).ok().flatten().map(|u| u.profile);
    let cx = Context {
        refdata: refdata(),
        now: Utc::now(),
        profile: &profile,
        leaders: &leaders,
    };
    let outcome = apply(actor, current.as_ref(), cmd, &cx).map_err(ExecError::Refused)?;
    if outcome.revision.is_none() && current.as_ref() == Some(&outcome.practice) {
        return Ok((outcome, None));
    }
    let mut m = Mutation::new(Some(actor.id), outcome.action, outcome.summary.clone())
        .with(Record::Practice(Box::new(outcome.practice.clone())));
    if let Some(r) = &outcome.revision {
        m = m.with(Record::Revision(Box::new(r.clone())));
    }
    let seq = store.commit(&m)?;
    Ok((outcome, Some(seq)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::PracticeStatus;
    use crate::store::EntityRef;
    use uuid::Uuid;

    #[test]
    fn create_edit_and_refusals_reach_the_store_with_audit_and_revisions() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).expect("store");
        crate::demo::seed(&store, 5, 1, |_, _| {}).expect("seed");
        let author = store
            .user_by_login("author")
            .expect("read")
            .expect("exists");
        let id = Uuid::now_v7();
        let p = crate::domain::Passport {
            title: "Черновик".into(),
            ..Default::default()
        };
        let (o, seq) =
            execute(&store, &author, Command::Create { id, passport: p }).expect("created");
        assert!(seq.is_some());
        let mut next = o.practice.passport.clone();
        next.goal = "Цель".into();
        execute(
            &store,
            &author,
            Command::Edit {
                id,
                passport: next.clone(),
            },
        )
        .expect("edited");
        let (_, none) =
            execute(&store, &author, Command::Edit { id, passport: next }).expect("no-op");
        assert!(none.is_none(), "no change, no commit");
        let revs = store.revisions(id).expect("revisions");
        assert_eq!(revs.len(), 2);
        assert_eq!(revs[1].fields, [crate::domain::passport::Field::P2]);
        let audit = store.audit_of(EntityRef::Practice(id)).expect("audit");
        assert_eq!(audit.len(), 2);
        assert_eq!(audit[0].actor, Some(author.id));
        let before = store.last_seq().expect("seq");
        let e = execute(&store, &author, Command::Submit { id }).expect_err("incomplete");
        assert!(matches!(e, ExecError::Refused(_)));
        assert_eq!(
            store.last_seq().expect("seq"),
            before,
            "a refusal writes nothing"
        );
        assert_eq!(
            store.practice(id).expect("read").expect("exists").status,
            PracticeStatus::Draft
        );
    }
}
