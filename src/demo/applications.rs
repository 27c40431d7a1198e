//! Demo applications to replicate practices, in every status.

use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::domain::refdata::refdata;
use crate::domain::{User, UserId};

use super::{RECIPIENT_REGION, id_at};

/// Demo applications to replicate, one per chosen practice, in every
/// status: some waiting for review or contact past their deadlines, one of
/// the demo recipient's own in progress.
pub(super) fn applications(
    practices: &[(crate::domain::PracticeId, String)],
    regional: &[User],
    recipient: UserId,
    implementer: UserId,
    now: DateTime<Utc>,
    rng: &mut ChaCha8Rng,
) -> Vec<crate::domain::replication::Application> {
    use crate::domain::ReplicationStatus as S;
    let regions = &refdata().regions;
    let mut out = Vec::new();
    for (k, (practice, author_region)) in practices.iter().enumerate() {
        let status = S::ALL[k % S::ALL.len()];
        // The demo recipient's region for every seventh, else another one.
        let (who, region) = if k % 7 == 3 && author_region != RECIPIENT_REGION {
            (recipient, RECIPIENT_REGION.to_owned())
        } else {
            let mut ri = rng.random_range(0..regions.len());
            if regions[ri].code == *author_region {
                ri = (ri + 1) % regions.len();
            }
            (regional[ri * 3].id, regions[ri].code.clone())
        };
        let applied = now - Duration::days(rng.random_range(3..60));
        let assigned =
            (status != S::Applied).then(|| applied + Duration::days(rng.random_range(1..5)));
        let contacted = matches!(status, S::Contacted | S::Implementing | S::Implemented)
            .then(|| assigned.unwrap_or(applied) + Duration::days(2));
        let closed = status.is_terminal().then_some(now - Duration::days(1));
        let outcome = match status {
            S::DeclinedByRecipient => "Сменились приоритеты региона".to_owned(),
            S::RefusedByAgency => crate::domain::replication::REFUSALS[1].1.to_owned(),
            _ => String::new(),
        };
        out.push(crate::domain::replication::Application {
            id: id_at(applied.timestamp_millis() as u64, rng),
            practice: *practice,
            recipient: who,
            region,
            learned_at: if k % 2 == 0 {
                "Демо-день практик Агентства".to_owned()
            } else {
                "Каталог «Смартеки»".to_owned()
            },
            event: None,
            status,
            moderator: assigned.map(|_| implementer),
            applied,
            assigned,
            contacted,
            unanswered: Vec::new(),
            documents: Vec::new(),
            report: None,
            checked: None,
            closed,
            outcome,
            revision: 1,
            updated: closed.or(contacted).or(assigned).unwrap_or(applied),
        });
    }
    out
}
