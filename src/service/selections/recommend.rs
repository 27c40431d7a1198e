//! The partner a practice's route names (§3.2, §4.3.4): recorded for the
//! route «по рекомендации», found through the selection for «отбор».

use super::super::{Ctx, ServiceError};
use crate::domain::selection::{self as rules, PartnerId, Recommendation};
use crate::domain::{PracticeId, User};
use crate::store::{Mutation, Record, Store, StoreError};
use crate::sync::protocol::OpKind;

/// Records that `partner` recommended `practice` (§3.2.2), with its
/// letter; replaces an earlier one. Queued for the server on a linked
/// store; `extra` adds to the change (the server records the op).
pub fn recommend_with(
    cx: &Ctx<'_>,
    actor: &User,
    practice: PracticeId,
    partner: PartnerId,
    letter: &str,
    extra: impl FnOnce(&mut Mutation),
) -> Result<Recommendation, ServiceError> {
    let store = cx.store;
    let p = store
        .practice(practice)?
        .ok_or_else(|| ServiceError::not_found("Практика не найдена."))?;
    let found = store.partner(partner)?;
    let why = rules::check_recommendation(actor, &p, found.as_ref());
    if !why.is_empty() {
        return Err(ServiceError::Refused(why));
    }
    let name = found.map(|f| f.name).unwrap_or_default();
    let r = Recommendation {
        practice,
        partner,
        letter: letter.trim().to_owned(),
        by: actor.id,
        at: cx.now(),
    };
    let mut m = Mutation::new(
        Some(actor.id),
        "practice.recommendation",
        format!("«{}» рекомендована: {name}", p.passport.title),
    )
    .at(cx.now())
    .with(Record::Recommendation(Box::new(r.clone())));
    m.op = Some(OpKind::Recommend {
        practice,
        partner,
        letter: r.letter.clone(),
    });
    extra(&mut m);
    store.commit(&m)?;
    Ok(r)
}

/// The name of the partner `p`'s route names ([`rules::route_partner`]),
/// from what this store holds.
pub fn route_partner_name(
    store: &Store,
    p: &crate::domain::Practice,
) -> Result<Option<String>, StoreError> {
    use crate::domain::passport::Route;
    let recommendation = match p.passport.route {
        Some(Route::Recommendation) => store.recommendation(p.id)?,
        _ => None,
    };
    let mut put = Vec::new();
    if p.passport.route == Some(Route::Selection) {
        for s in store.selections()? {
            if let Some(e) = store.entry(s.id, p.id)? {
                put.push((e, s));
            }
        }
    }
    let pairs: Vec<_> = put.iter().map(|(e, s)| (e, s)).collect();
    let Some(id) = rules::route_partner(p, recommendation.as_ref(), &pairs) else {
        return Ok(None);
    };
    Ok(store.partner(id)?.map(|f| f.name))
}

/// The recommendation that goes with a practice in the feed: a reader who
/// may read it only now (a coordinator after submission, a new team
/// member) gets the partner its route names.
pub fn sent_with(
    store: &Store,
    p: &crate::domain::Practice,
) -> Result<Option<Recommendation>, StoreError> {
    if p.passport.route == Some(crate::domain::passport::Route::Recommendation) {
        store.recommendation(p.id)
    } else {
        Ok(None)
    }
}
