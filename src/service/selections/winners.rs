//! What follows a decision where the decision is final (the central
//! instance, or a store with no server): a selection's winners go on into
//! the catalogue's validation by their route (§4.3.4), the practices the
//! Club recommended on to packaging (§4.4.9). A linked workstation only
//! records the decision; the server moves the practices and the feed
//! brings them.

use super::super::practice::{execute_with, with_context};
use super::super::{Ctx, ServiceError};
use crate::domain::command::{Command, submission_problems};
use crate::domain::selection::Selection;
use crate::domain::{PracticeStatus, User};
use crate::store::{Mutation, Record};

fn final_here(cx: &Ctx<'_>) -> Result<bool, ServiceError> {
    Ok(cx.store.client_id()?.is_none())
}

/// Each winner still a draft takes the selection as its route and is sent
/// to its region's confirmation as its author would send it; one the
/// passport rules hold back keeps the route, and its author is told what
/// to complete before sending it. The Модератор АСИ is named as the one
/// who did it. Returns how many were sent.
pub fn advance_winners(cx: &Ctx<'_>, actor: &User, s: &Selection) -> Result<usize, ServiceError> {
    if !final_here(cx)? {
        return Ok(0);
    }
    let mut sent = 0;
    for id in &s.winners {
        // One winner refused or failing leaves the others to go on.
        match advance_one(cx, actor, s, *id) {
            Ok(true) => sent += 1,
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e.message(), practice = %id, "a winner not sent on"),
        }
    }
    Ok(sent)
}

/// Sends one winner on ([`advance_winners`]); whether it went to its
/// region's confirmation.
fn advance_one(
    cx: &Ctx<'_>,
    actor: &User,
    s: &Selection,
    winner: crate::domain::PracticeId,
) -> Result<bool, ServiceError> {
    let store = cx.store;
    let id = &winner;
    let Some(p) = store.practice(*id)? else {
        return Ok(false);
    };
    let Some(passport) = crate::domain::selection::winner_passport(&p) else {
        return Ok(false);
    };
    let Some(author) = store.user(p.author)? else {
        return Ok(false);
    };
    let title = p.passport.title.clone();
    let mut routed = p.clone();
    routed.passport = passport.clone();
    let problems = with_context(cx, |rx| submission_problems(&author, &routed, rx))?;
    if routed.passport != p.passport || !problems.is_empty() {
        let summary = if problems.is_empty() {
            format!("Маршрут победителя отбора «{}»: отбор", s.title)
        } else {
            format!(
                "Практика «{title}» — победитель отбора «{}». Чтобы она пошла на подтверждение регионом, доработайте паспорт и подайте её: {}",
                s.title,
                problems.join(" ")
            )
        };
        let told = !problems.is_empty();
        let (_, seq) = execute_with(cx, &author, Command::Edit { id: *id, passport }, |_, m| {
            m.actor = Some(actor.id);
            m.summary.clone_from(&summary);
            if told {
                m.notify.push(author.id);
            }
        })?;
        if seq.is_none() && told {
            // The route was already the selection: the word alone.
            let mut m = Mutation::new(Some(actor.id), "selection.winner", summary)
                .at(cx.now())
                .with(Record::Practice(Box::new(p.clone())));
            m.notify.push(author.id);
            store.commit(&m)?;
        }
    }
    if !problems.is_empty() {
        return Ok(false);
    }
    execute_with(cx, &author, Command::Submit { id: *id }, |_, m| {
        m.actor = Some(actor.id);
        m.summary = format!(
            "Победитель отбора «{}» «{title}» подан на подтверждение регионом",
            s.title
        );
        if !m.notify.contains(&author.id) {
            m.notify.push(author.id);
        }
    })?;
    Ok(true)
}

/// The practice the Club recommended moves on from its region's
/// confirmation to packaging ([`crate::domain::club::admitted`]); the
/// expert-moderators of its category and the Модератор АСИ hear of it.
/// Returns whether it moved.
pub fn advance_recommended(
    cx: &Ctx<'_>,
    actor: &User,
    session: &crate::domain::club::ClubSession,
    practice: crate::domain::PracticeId,
) -> Result<bool, ServiceError> {
    if !final_here(cx)? {
        return Ok(false);
    }
    let store = cx.store;
    let Some(p) = store.practice(practice)? else {
        return Ok(false);
    };
    let Some((next, transition, hear)) = crate::domain::club::admitted(session, &p, cx.now())
    else {
        return Ok(false);
    };
    let mut m = Mutation::new(
        Some(actor.id),
        "club.admit",
        format!(
            "«{}» рекомендована Клубом стратегических инициатив: «{}» → «{}»",
            p.passport.title,
            PracticeStatus::RegionConfirmation.name(),
            PracticeStatus::Packaging.name()
        ),
    )
    .at(cx.now())
    .with(Record::Practice(Box::new(next)));
    m.transition = Some(transition);
    for u in store.users() {
        let u = u?;
        if u.id != actor.id && hear.iter().any(|a| a.includes(&u)) {
            m.notify.push(u.id);
        }
    }
    store.commit(&m)?;
    Ok(true)
}
