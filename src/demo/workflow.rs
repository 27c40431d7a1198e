//! The workflow state of a demo practice: returns, deadlines, experts and
//! votes matching its status.

use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::domain::workflow::Workflow;
use crate::domain::{Practice, PracticeStatus, UserId};

use super::{Actors, HOME_REGION};

/// Workflow state matching a demo practice's status, relative to `now`:
/// returns with deadlines near today (some overdue), assigned and
/// unassigned expert-moderators, voting sessions with some votes cast.
pub(super) fn workflow_for(
    status: PracticeStatus,
    i: usize,
    p: &Practice,
    now: DateTime<Utc>,
    who: &Actors,
    rng: &mut ChaCha8Rng,
) -> Workflow {
    use crate::domain::workflow::{Deadline, Returned, Session, Verdict, Vote};
    let cal = crate::domain::calendar::current();
    let days = rng.random_range(1..40);
    // The demo author's own deadlines do not depend on the day of the week:
    // a return made today, an actualisation a month overdue.
    let own = p.author == who.author;
    let since = now - Duration::days(if own { 30 } else { days });
    let mut wf = Workflow {
        since: Some(since.max(p.created)),
        ..Workflow::default()
    };
    let by = if p.region() == Some(HOME_REGION) {
        who.coordinator
    } else {
        who.asi
    };
    let ret = |wf: &mut Workflow, rng: &mut ChaCha8Rng, by: UserId, comment: &str| {
        let back = rng.random_range(0..9);
        let at = if own { now } else { now - Duration::days(back) };
        wf.returned = Some(Returned {
            from: status,
            by,
            at,
            comment: comment.to_owned(),
            revision: p.revision,
            then: status,
        });
        wf.returns = 1;
        wf.deadline = Some(Deadline {
            due: cal.add_working_days(at.date_naive(), crate::domain::workflow::REVISION_DAYS),
            what: "доработка практики автором (п. 4.1.9)".to_owned(),
        });
    };
    match status {
        PracticeStatus::RegionConfirmation if i.is_multiple_of(5) => {
            ret(
                &mut wf,
                rng,
                by,
                "Дополните описание результатов и приложите материалы.",
            );
        }
        PracticeStatus::Packaging => {
            if i.is_multiple_of(3) {
                wf.expert_moderator = Some(who.moderator);
            }
            if i % 7 == 2 {
                ret(
                    &mut wf,
                    rng,
                    who.moderator,
                    "Уточните план внедрения по шагам.",
                );
            }
        }
        PracticeStatus::ExpertReview if i % 4 == 3 => {
            // Resubmitted after the experts' points, for the
            // expert-moderator to compare and confirm (§4.4.8).
            wf.expert_moderator = Some(who.moderator);
            wf.revisions = Some(Returned {
                from: status,
                by: who.moderator,
                at: since,
                comment: "Добавить сравнение с аналогами.".to_owned(),
                revision: p.revision.saturating_sub(1),
                then: PracticeStatus::Publication,
            });
        }
        PracticeStatus::ExpertReview => {
            wf.expert_moderator = Some(who.moderator);
            if i.is_multiple_of(2) {
                let experts: Vec<UserId> = who
                    .experts
                    .iter()
                    .copied()
                    .filter(|e| !p.involves(*e))
                    .collect();
                let cast = rng.random_range(0..experts.len().min(3));
                let votes = experts[..cast]
                    .iter()
                    .map(|e| Vote {
                        expert: *e,
                        verdict: if rng.random_bool(0.7) {
                            Verdict::Approve
                        } else {
                            Verdict::Revise
                        },
                        comment: "Добавить сравнение с аналогами.".to_owned(),
                        at: since + Duration::hours(rng.random_range(1..48)),
                    })
                    .collect();
                wf.session = Some(Session {
                    experts,
                    votes,
                    opened: since,
                });
            }
        }
        PracticeStatus::Actualisation => {
            wf.deadline = Some(Deadline {
                due: cal
                    .add_working_days(since.date_naive(), crate::domain::workflow::REVISION_DAYS),
                what: "актуализация паспорта автором (п. 4.5.4)".to_owned(),
            });
        }
        PracticeStatus::Rejected => {
            wf.reason = Some("Не подтверждена реализация практики в регионе.".to_owned());
        }
        PracticeStatus::Published | PracticeStatus::Archived => {
            wf.since = p.published;
            // Their own draws: the practices after keep theirs.
            let mut own = <ChaCha8Rng as rand::SeedableRng>::seed_from_u64(i as u64);
            yearly(&mut wf, status, i, p, now, who, &mut own);
        }
        _ => {}
    }
    wf
}

/// The yearly life of a published demo practice (§4.5): some actualised
/// lately, some audited this year, an edit request and a proposal to
/// archive waiting, and the protocol of the online review it passed.
fn yearly(
    wf: &mut Workflow,
    status: PracticeStatus,
    i: usize,
    p: &Practice,
    now: DateTime<Utc>,
    who: &Actors,
    rng: &mut ChaCha8Rng,
) {
    use crate::domain::workflow::{
        Audit, Decision, Protocol, ProtocolKind, Request, Verdict, Vote,
    };
    use chrono::Datelike as _;
    let Some(published) = p.published else {
        return;
    };
    let experts: Vec<UserId> = who
        .experts
        .iter()
        .copied()
        .filter(|e| !p.involves(*e))
        .take(3)
        .collect();
    if experts.len() == 3 {
        let at = published - Duration::days(rng.random_range(3..30));
        wf.protocols.push(Protocol {
            kind: ProtocolKind::Online,
            at,
            by: Some(who.moderator),
            revision: p.revision,
            votes: experts
                .iter()
                .map(|e| Vote {
                    expert: *e,
                    verdict: Verdict::Approve,
                    comment: String::new(),
                    at: at - Duration::hours(rng.random_range(1..72)),
                })
                .collect(),
            experts,
            decision: Decision::Passed,
            points: String::new(),
            document: None,
        });
    }
    if status != PracticeStatus::Published {
        return;
    }
    let ago = (now - published).num_days();
    if i % 4 == 1 && ago > 20 {
        wf.actualised = Some(now - Duration::days(rng.random_range(10..ago.min(330))));
    }
    // Audited «in order» only when its year is not over.
    let current = wf.actualised.unwrap_or(published) + Duration::days(365) >= now;
    if i.is_multiple_of(5) && current {
        wf.audits.push(Audit {
            year: now.year(),
            by: who.moderator,
            at: now - Duration::days(rng.random_range(1..60)),
            result: "in-order".to_owned(),
            comment: String::new(),
        });
    }
    if i % 11 == 3 {
        wf.edit_request = Some(Request {
            by: p.author,
            at: now - Duration::days(rng.random_range(1..10)),
            reason: None,
            comment: "Изменился состав команды и результаты за год.".to_owned(),
        });
    } else if i % 13 == 4 {
        wf.archive_proposal = Some(Request {
            by: who.moderator,
            at: now - Duration::days(rng.random_range(1..20)),
            reason: Some("no-mentor".to_owned()),
            comment: "Наставник практики сменил место работы, замены нет.".to_owned(),
        });
    }
}
