//! The queues hold exactly the work the workflow lets each user do now:
//! every practice in a user's queue has an action they may take, and every
//! practice with such an action is in one of their queues. Checked over
//! demo stores of several seeds, for every demo login.

use std::collections::HashMap;

use chrono::{Datelike as _, NaiveDate};
use proptest::prelude::*;
use smarteka::domain::clock::{Clock, FixedClock};
use smarteka::domain::workflow::{Action, actualise_by, check};
use smarteka::domain::{Practice, PracticeId, User};
use smarteka::domain::{PracticeStatus, Role};
use smarteka::service::Ctx;
use smarteka::store::Store;

/// The actions that are work waiting for someone, as the regulation's
/// stages have them; an assignment or a level waits only while missing.
const WAITING: [Action; 20] = [
    Action::Submit,
    Action::Resubmit,
    Action::Actualise,
    Action::Confirm,
    Action::SetLevel,
    Action::SendToExperts,
    Action::SendToPublication,
    Action::VoteApprove,
    Action::CloseVote,
    Action::ProtocolApprove,
    Action::Verify,
    Action::Assign,
    Action::Publish,
    Action::VoteReject,
    Action::ConfirmRevisions,
    Action::GrantEdit,
    Action::OpenActualisation,
    Action::ProposeArchive,
    Action::Archive,
    Action::Audit,
];

/// The yearly work waits only when it is due (§4.5): an actualisation a
/// year after the last, a proposal once an actualisation's days passed, an
/// archiving once proposed, an audit once a year.
fn waits(u: &User, p: &Practice, a: Action, today: NaiveDate) -> bool {
    let wf = &p.workflow;
    match a {
        Action::Assign if wf.expert_moderator.is_some() => false,
        Action::SetLevel if p.passport.level.is_some() => false,
        Action::OpenActualisation
            if actualise_by(p).is_none_or(|d| d >= today)
                || !(u.has_role(Role::Coordinator) || u.has_role(Role::ExpertModerator)) =>
        {
            false
        }
        Action::ProposeArchive
            if p.status != PracticeStatus::Actualisation
                || wf.deadline.as_ref().is_none_or(|d| d.due >= today) =>
        {
            false
        }
        Action::Archive if wf.archive_proposal.is_none() => false,
        Action::Audit if wf.audits.iter().any(|x| x.year == today.year()) => false,
        _ => check(u, p, a).is_ok(),
    }
}

fn check_seed(seed: u64) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("store");
    let clock = FixedClock::on(chrono::NaiveDate::from_ymd_opt(2026, 3, 16).expect("date"));
    smarteka::demo::seed_at(&store, 160, seed, clock.now(), |_, _| {}).expect("seeds");
    let cx = Ctx::new(&store, &clock);
    let practices: Vec<Practice> = store.practices().map(|p| p.expect("reads")).collect();
    let mut total = 0;
    for login in smarteka::demo::demo_logins() {
        let user = store.user_by_login(login).expect("reads").expect("user");
        let queues = smarteka::service::workflow::queues(&cx, &user).expect("queues");
        let mut queue_of: HashMap<PracticeId, &str> = HashMap::new();
        for q in &queues {
            for i in &q.items {
                prop_assert!(
                    queue_of.insert(i.id, q.code.as_ref()).is_none(),
                    "{login}: «{}» in two queues",
                    i.title
                );
            }
        }
        total += queue_of.len();
        for p in &practices {
            let can: Vec<Action> = WAITING
                .into_iter()
                .filter(|a| waits(&user, p, *a, clock.today()))
                .collect();
            match queue_of.get(&p.id) {
                Some(code) => prop_assert!(
                    !can.is_empty(),
                    "{login}: «{}» ({}) is in «{code}» but nothing may be done with it now",
                    p.passport.title,
                    p.status.name()
                ),
                None => prop_assert!(
                    can.is_empty(),
                    "{login}: «{}» ({}) waits for {:?} but is in no queue",
                    p.passport.title,
                    p.status.name(),
                    can.iter().map(|a| a.code()).collect::<Vec<_>>()
                ),
            }
        }
    }
    prop_assert!(total > 10, "the demo gives the queues work");
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4, ..ProptestConfig::default() })]

    #[test]
    fn queues_hold_exactly_what_the_workflow_lets_each_user_do(seed in 1u64..10_000) {
        check_seed(seed)?;
    }
}
