//! Sessions of the Клуб стратегических инициатив (§4.4.9) through the one
//! command path: the Agency plans a session with the practices gathered by
//! its request, records the Club's word on each, and prints the protocol.
//! Each step is an op on a linked workstation, decided by the server.

use super::print::pdf::{Block, Doc};
use super::{Ctx, ServiceError};
use crate::domain::club::{self as rules, ClubSession, ClubSessionId, Decision};
use crate::domain::{PracticeId, User};
use crate::store::{EntityRef, Mutation, Record};
use crate::sync::protocol::OpKind;

fn agency(actor: &User) -> Result<(), ServiceError> {
    if rules::may_run(actor) {
        Ok(())
    } else {
        Err(ServiceError::refused(
            "заседания Клуба организует Агентство (Модератор АСИ, §4.4.9)",
        ))
    }
}

fn session_of(store: &crate::store::Store, id: ClubSessionId) -> Result<ClubSession, ServiceError> {
    store
        .club_session(id)?
        .ok_or_else(|| ServiceError::not_found("Заседание Клуба не найдено."))
}

/// Plans a session, or changes it (the decisions made stay).
pub fn save_with(
    cx: &Ctx<'_>,
    actor: &User,
    mut s: ClubSession,
    extra: impl FnOnce(&mut Mutation),
) -> Result<ClubSession, ServiceError> {
    agency(actor)?;
    let store = cx.store;
    let mut practices = Vec::new();
    for i in &s.items {
        practices.push(
            store
                .practice(i.practice)?
                .ok_or_else(|| ServiceError::bad(format!("Практика {} не найдена.", i.practice)))?,
        );
    }
    let refs: Vec<_> = practices.iter().collect();
    let why = rules::check(&s, &refs);
    if !why.is_empty() {
        return Err(ServiceError::Refused(why));
    }
    let before = store.club_session(s.id)?;
    // Who organised it: the Agency's user who planned it first.
    s.organised_by = before.as_ref().map_or(actor.id, |b| b.organised_by);
    if let Some(b) = &before {
        for i in &mut s.items {
            i.decision = b
                .items
                .iter()
                .find(|x| x.practice == i.practice)
                .and_then(|x| x.decision.clone());
        }
    }
    let mut m = Mutation::new(
        Some(actor.id),
        "club.session",
        format!(
            "Заседание Клуба стратегических инициатив {}: практик {}",
            s.date.format("%d.%m.%Y"),
            s.items.len()
        ),
    )
    .at(cx.now())
    .with(Record::Club(Box::new(s.clone())));
    if before.is_none() {
        m.fresh.push(EntityRef::Club(s.id));
    }
    m.op = Some(OpKind::Club {
        session: Box::new(s.clone()),
    });
    extra(&mut m);
    store.commit(&m)?;
    Ok(s)
}

/// Records the Club's word on one practice: «рекомендована» к публикации,
/// or «не допущена» with the argument. The practice's author and team
/// find it in their inbox.
pub fn decide_with(
    cx: &Ctx<'_>,
    actor: &User,
    id: ClubSessionId,
    practice: PracticeId,
    recommended: bool,
    argument: &str,
    extra: impl FnOnce(&mut Mutation),
) -> Result<ClubSession, ServiceError> {
    agency(actor)?;
    let store = cx.store;
    let mut s = session_of(store, id)?;
    let why = rules::check_decision(&s, practice, recommended, argument, cx.today());
    if !why.is_empty() {
        return Err(ServiceError::Refused(why));
    }
    for i in &mut s.items {
        if i.practice == practice {
            i.decision = Some(Decision {
                recommended,
                argument: argument.trim().to_owned(),
                at: cx.now(),
            });
        }
    }
    let title = store
        .summary(practice)?
        .map(|p| p.title)
        .unwrap_or_default();
    let word = if recommended {
        "рекомендована к публикации"
    } else {
        "не допущена"
    };
    let mut m = Mutation::new(
        Some(actor.id),
        "club.decide",
        format!("Клуб стратегических инициатив: «{title}» {word}"),
    )
    .at(cx.now())
    .with(Record::Club(Box::new(s.clone())));
    if let Some(p) = store.summary(practice)? {
        m.notify.push(p.author);
        m.notify.extend(p.team.iter().copied());
    }
    m.op = Some(OpKind::ClubDecide {
        session: id,
        practice,
        recommended,
        argument: argument.to_owned(),
    });
    extra(&mut m);
    store.commit(&m)?;
    if recommended {
        // The word stands whatever becomes of the practice after it.
        if let Err(e) = super::selections::winners::advance_recommended(cx, actor, &s, practice) {
            tracing::warn!(error = %e.message(), %practice, "not moved on to packaging");
        }
    }
    Ok(s)
}

/// The protocol of a session (§4.4.9), formed by the platform: the date,
/// the rating, the participants, and each practice with the Club's word
/// and the argument. For the Agency.
pub fn protocol(cx: &Ctx<'_>, reader: &User, id: ClubSessionId) -> Result<Doc, ServiceError> {
    agency(reader)?;
    let store = cx.store;
    let s = session_of(store, id)?;
    let d = crate::domain::refdata::refdata();
    let mut b = vec![
        Block::Para("Платформа «Смартека» · АНО «Агентство стратегических инициатив»".to_owned()),
        Block::Gap,
        Block::Title("Протокол заседания Клуба стратегических инициатив".to_owned()),
        Block::Gap,
        Block::Field {
            label: "Дата заседания".to_owned(),
            value: s.date.format("%d.%m.%Y").to_string(),
        },
        Block::Field {
            label: "Рейтинг (направление)".to_owned(),
            value: s.rating.clone(),
        },
        Block::Heading("Участники".to_owned()),
        Block::Table {
            header: vec!["Участник".to_owned(), "В качестве".to_owned()],
            rows: s
                .participants
                .iter()
                .map(|p| vec![p.name.clone(), p.kind.name().to_owned()])
                .collect(),
            widths: vec![0.6, 0.4],
        },
        Block::Heading("Рассмотренные практики".to_owned()),
    ];
    let mut rows = Vec::new();
    for i in &s.items {
        let p = store.summary(i.practice)?;
        let title = p.as_ref().map(|p| p.title.clone()).unwrap_or_default();
        let region = p
            .as_ref()
            .and_then(|p| p.region.as_deref())
            .map(|r| d.region_name(r).to_owned())
            .unwrap_or_default();
        let (word, argument) = match &i.decision {
            Some(x) if x.recommended => ("рекомендована", x.argument.clone()),
            Some(x) => ("не допущена", x.argument.clone()),
            None => ("решение не принято", String::new()),
        };
        rows.push(vec![title, region, word.to_owned(), argument]);
    }
    b.push(Block::Table {
        header: ["Практика", "Регион", "Решение", "Аргументы"]
            .map(str::to_owned)
            .to_vec(),
        rows,
        widths: vec![0.34, 0.18, 0.16, 0.32],
    });
    let recommended = s
        .items
        .iter()
        .filter(|i| i.decision.as_ref().is_some_and(|x| x.recommended))
        .count();
    b.push(Block::Gap);
    b.push(Block::Para(format!(
        "Рекомендовано к публикации на платформе: {recommended} из {}.",
        s.items.len()
    )));
    Ok(Doc {
        title: format!("Протокол заседания Клуба {}", s.date.format("%d.%m.%Y")),
        blocks: b,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::clock::{Clock as _, FixedClock};
    use crate::domain::club::{Item, Participant, ParticipantKind};
    use crate::domain::passport::Route;
    use crate::store::Store;

    #[test]
    fn a_session_records_its_words_and_prints_its_protocol() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).expect("store");
        let clock = FixedClock::on(chrono::NaiveDate::from_ymd_opt(2026, 3, 16).expect("day"));
        crate::demo::seed_at(&store, 80, 1, clock.now(), |_, _| {}).expect("seed");
        let cx = Ctx::new(&store, &clock);
        let asi = store.user_by_login("asi").expect("reads").expect("asi");
        let author = store
            .user_by_login("author")
            .expect("reads")
            .expect("author");
        // Two practices gathered by the Agency's request.
        let mut two = Vec::new();
        for mut p in store
            .practices()
            .map(|p| p.expect("reads"))
            .filter(|p| p.author == author.id)
            .take(2)
        {
            // Sent by their region in answer to the request.
            p.passport.route = Some(Route::AgencyRequest);
            p.status = crate::domain::PracticeStatus::RegionConfirmation;
            store
                .commit(
                    &Mutation::new(None, "test", "маршрут")
                        .with(Record::Practice(Box::new(p.clone()))),
                )
                .expect("commits");
            two.push(p);
        }
        let session = ClubSession {
            id: uuid::Uuid::now_v7(),
            date: cx.today() + chrono::Duration::days(3),
            rating: "Рейтинг инвестиционной привлекательности".into(),
            participants: vec![
                Participant {
                    kind: ParticipantKind::LeaderRegion,
                    name: "Республика Татарстан".into(),
                },
                Participant {
                    kind: ParticipantKind::AgencyDivision,
                    name: "Дивизион «Развитие регионов и инвестиции»".into(),
                },
            ],
            items: two
                .iter()
                .map(|p| Item {
                    practice: p.id,
                    decision: None,
                })
                .collect(),
            organised_by: asi.id,
        };
        assert!(save_with(&cx, &author, session.clone(), |_| {}).is_err());
        let s = save_with(&cx, &asi, session, |_| {}).expect("planned");
        // Not before the session.
        assert!(decide_with(&cx, &asi, s.id, two[0].id, true, "", |_| {}).is_err());
        clock.set(cx.now() + chrono::Duration::days(3));
        decide_with(&cx, &asi, s.id, two[0].id, true, "", |_| {}).expect("recommended");
        assert!(decide_with(&cx, &asi, s.id, two[1].id, false, "", |_| {}).is_err());
        decide_with(
            &cx,
            &asi,
            s.id,
            two[1].id,
            false,
            "Нет измеримых результатов за год",
            |_| {},
        )
        .expect("not admitted");
        // The recommended one moved on to packaging, the other stays.
        let status = |id| store.practice(id).expect("reads").expect("there").status;
        assert_eq!(status(two[0].id), crate::domain::PracticeStatus::Packaging);
        assert_eq!(
            status(two[1].id),
            crate::domain::PracticeStatus::RegionConfirmation
        );
        let step = store
            .audit_of(EntityRef::Practice(two[0].id))
            .expect("audit")
            .pop()
            .expect("a step");
        let t = step.transition.expect("a workflow step");
        assert!(t.comment.contains("Клубом"), "{}", t.comment);
        assert_eq!(step.actor, Some(asi.id));
        let doc = protocol(&cx, &asi, s.id).expect("protocol");
        let text = crate::service::print::pdf::text(&doc);
        assert!(text.contains("рекомендована"), "{text}");
        assert!(text.contains("Нет измеримых результатов за год"), "{text}");
        assert!(
            text.contains("Рекомендовано к публикации на платформе: 1 из 2."),
            "{text}"
        );
        assert!(
            crate::service::print::pdf::render(&doc)
                .expect("pdf")
                .starts_with(b"%PDF")
        );
        assert!(protocol(&cx, &author, s.id).is_err(), "for the Agency");
    }
}
