//! «Отборы» and their partners through the one command path: the Agency
//! records partners and selections on the central instance; an author puts
//! a practice forward, offline too — the op is decided by the server's day,
//! so one queued before the deadline and arriving after it is refused with
//! the reason.

use super::{Ctx, ServiceError};
use crate::domain::PracticeId;
use crate::domain::User;
use crate::domain::selection::{self as rules, Entry, Partner, Selection, SelectionId};
use crate::store::{EntityRef, Mutation, Record};
use crate::sync::protocol::OpKind;

/// Partners and selections are kept where the Agency works: a store linked
/// to a server would keep them apart from everyone else.
fn central_only(cx: &Ctx<'_>) -> Result<(), ServiceError> {
    if cx.store.client_id()?.is_some() {
        return Err(ServiceError::refused(
            "партнёры и отборы ведутся на центральном экземпляре (smarteka --data КАТАЛОГ_СЕРВЕРА …)",
        ));
    }
    Ok(())
}

fn agency(actor: &User) -> Result<(), ServiceError> {
    if rules::may_run(actor) {
        Ok(())
    } else {
        Err(ServiceError::refused(
            "партнёров и отборы ведёт Модератор АСИ (§3.2.6)",
        ))
    }
}

/// Records a strategic partner, new or changed.
pub fn save_partner(cx: &Ctx<'_>, actor: &User, p: Partner) -> Result<Partner, ServiceError> {
    agency(actor)?;
    central_only(cx)?;
    if p.name.trim().is_empty() {
        return Err(ServiceError::refused("не указано название партнёра"));
    }
    for u in &p.representatives {
        if cx.store.user(*u)?.is_none() {
            return Err(ServiceError::bad(format!("Представитель {u} не найден.")));
        }
    }
    let fresh = cx.store.partner(p.id)?.is_none();
    let mut m = Mutation::new(
        Some(actor.id),
        "selection.partner",
        format!("Партнёр «{}» ({})", p.name, p.kind.name()),
    )
    .at(cx.now())
    .with(Record::Partner(Box::new(p.clone())));
    if fresh {
        m.fresh.push(EntityRef::Partner(p.id));
    }
    cx.store.commit(&m)?;
    Ok(p)
}

/// Records a selection as the partner requested it, new or changed; its
/// applications stay as they are. Refused when its dates or criteria break
/// the rules ([`rules::check`]).
pub fn save_selection(
    cx: &Ctx<'_>,
    actor: &User,
    mut s: Selection,
) -> Result<Selection, ServiceError> {
    agency(actor)?;
    central_only(cx)?;
    if cx.store.partner(s.partner)?.is_none() {
        return Err(ServiceError::bad(format!(
            "Партнёр {} не найден: сначала smarteka partner new.",
            s.partner
        )));
    }
    for u in &s.experts {
        if cx.store.user(*u)?.is_none() {
            return Err(ServiceError::bad(format!("Эксперт {u} не найден.")));
        }
    }
    let why = rules::check(&s);
    if !why.is_empty() {
        return Err(ServiceError::Refused(why));
    }
    let before = cx.store.selection(s.id)?;
    s.entries = before
        .as_ref()
        .map(|b| b.entries.clone())
        .unwrap_or_default();
    let mut m = Mutation::new(
        Some(actor.id),
        "selection.save",
        format!(
            "Отбор «{}»: приём заявок {}–{}",
            s.title,
            s.dates.opens.format("%d.%m.%Y"),
            s.dates.closes.format("%d.%m.%Y")
        ),
    )
    .at(cx.now())
    .with(Record::Selection(Box::new(s.clone())));
    if before.is_none() {
        m.fresh.push(EntityRef::Selection(s.id));
        // Everyone learns of a new selection (§3.2.6).
        for u in cx.store.users() {
            let u = u?;
            if !u.disabled && u.id != actor.id {
                m.notify.push(u.id);
            }
        }
    }
    cx.store.commit(&m)?;
    Ok(s)
}

/// Puts `practice` forward to selection `id`, checked by the day of this
/// store's clock (the server's, for an op); queued for the server on a
/// linked store. `extra` adds to the change (the server records the op).
pub fn enter_with(
    cx: &Ctx<'_>,
    actor: &User,
    id: SelectionId,
    practice: PracticeId,
    confirmed: &[String],
    extra: impl FnOnce(&mut Mutation),
) -> Result<Selection, ServiceError> {
    let store = cx.store;
    let mut s = store
        .selection(id)?
        .ok_or_else(|| ServiceError::not_found("Отбор не найден."))?;
    let p = store
        .practice(practice)?
        .ok_or_else(|| ServiceError::not_found("Практика не найдена."))?;
    let why = rules::check_entry(&s, actor, &p, confirmed, cx.today());
    if !why.is_empty() {
        return Err(ServiceError::Refused(why));
    }
    s.entries.push(Entry {
        practice,
        region: p.region().map(str::to_owned),
        by: actor.id,
        at: cx.now(),
    });
    let mut m = Mutation::new(
        Some(actor.id),
        "selection.enter",
        format!("Заявка на отбор «{}»: «{}»", s.title, p.passport.title),
    )
    .at(cx.now())
    .with(Record::Selection(Box::new(s.clone())));
    // The Agency moderates the applications (§3.2.6).
    for u in store.users() {
        let u = u?;
        if rules::may_run(&u) && u.id != actor.id {
            m.notify.push(u.id);
        }
    }
    m.op = Some(OpKind::Enter {
        selection: id,
        practice,
        confirmed: confirmed.to_vec(),
    });
    extra(&mut m);
    store.commit(&m)?;
    Ok(s)
}

/// One row of «Отборы».
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SelectionRow {
    pub id: SelectionId,
    pub title: String,
    pub stage: &'static str,
    /// Days of intake left, the closing day counted.
    pub days_left: Option<i64>,
    /// The applications the reader may see.
    pub entries: usize,
}

/// «Отборы» as `reader` sees them: open ones first, by the closing day,
/// then those announced, then the rest, newest first.
pub fn rows(cx: &Ctx<'_>, reader: Option<&User>) -> Result<Vec<SelectionRow>, ServiceError> {
    let today = cx.today();
    let mut all: Vec<Selection> = cx
        .store
        .selections()?
        .into_iter()
        .map(|s| as_read_by(s, reader))
        .collect();
    all.sort_by_key(|s| {
        let order = match s.stage(today) {
            rules::Stage::Open => 0,
            rules::Stage::Announced => 1,
            rules::Stage::Evaluation => 2,
            rules::Stage::Results => 3,
        };
        let day = chrono::Datelike::num_days_from_ce(&s.dates.closes);
        (order, if order < 2 { day } else { -day })
    });
    Ok(all
        .into_iter()
        .map(|s| SelectionRow {
            id: s.id,
            title: s.title.clone(),
            stage: s.stage(today).name(),
            days_left: s.days_left(today),
            entries: s.entries.len(),
        })
        .collect())
}

/// A selection's page as text, as `reader` may see it: the partner, the
/// theme, the stage and the dates, the criteria, the regulations and the
/// applications (with their practices' titles and regions).
pub fn page(cx: &Ctx<'_>, reader: Option<&User>, id: SelectionId) -> Result<String, ServiceError> {
    use std::fmt::Write as _;
    let store = cx.store;
    let s = store
        .selection(id)?
        .map(|s| as_read_by(s, reader))
        .ok_or_else(|| ServiceError::not_found("Отбор не найден."))?;
    let today = cx.today();
    let partner = store.partner(s.partner)?.map_or_else(
        || "—".to_owned(),
        |p| format!("{} ({})", p.name, p.kind.name()),
    );
    let d = &s.dates;
    let day = |d: chrono::NaiveDate| d.format("%d.%m.%Y").to_string();
    let left = s
        .days_left(today)
        .map(|n| format!(", осталось дней: {n}"))
        .unwrap_or_default();
    let mut out = format!(
        "«{}»\nПартнёр: {partner}\nТематика: {}\nЭтап: {}{left}\nЗапрос получен {}; приём заявок {}–{}; оценка до {}; итоги {}\n",
        s.title,
        s.theme,
        s.stage(today).name(),
        day(d.requested),
        day(d.opens),
        day(d.closes),
        day(d.evaluation_ends),
        day(d.results)
    );
    if !s.categories.is_empty() {
        let names: Vec<&str> = s
            .categories
            .iter()
            .map(|c| crate::domain::refdata::refdata().category_name(c))
            .collect();
        let _ = writeln!(out, "Категории: {}", names.join(", "));
    }
    out.push_str("Критерии:\n");
    for c in &s.criteria {
        let kind = c.max_score.map_or_else(
            || "да/нет, обязательный".to_owned(),
            |m| format!("до {m} баллов"),
        );
        let _ = writeln!(out, "  — {} ({kind})", c.name);
    }
    if !s.regulations.is_empty() {
        let _ = writeln!(out, "Положение об отборе: {}", s.regulations);
    }
    let _ = writeln!(out, "Заявок: {}", s.entries.len());
    for e in &s.entries {
        let title = store
            .practice(e.practice)?
            .map(|p| p.passport.title)
            .unwrap_or_default();
        let region = e
            .region
            .as_deref()
            .map(|r| crate::domain::refdata::refdata().region_name(r))
            .unwrap_or_default();
        let _ = writeln!(out, "  «{title}» — {region}, {}", e.at.format("%d.%m.%Y"));
    }
    Ok(out)
}

/// A selection as `reader` may see it: the Agency and the selection's
/// experts see every application, others those they made.
pub fn as_read_by(mut s: Selection, reader: Option<&User>) -> Selection {
    let all = reader.is_some_and(|u| rules::may_run(u) || s.experts.contains(&u.id));
    if !all {
        s.entries.retain(|e| reader.is_some_and(|u| e.by == u.id));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::clock::{Clock as _, FixedClock};
    use crate::domain::selection::{Criterion, Dates, PartnerKind};
    use crate::store::Store;

    fn user(store: &Store, login: &str) -> User {
        store
            .user_by_login(login)
            .expect("reads")
            .expect("demo user")
    }

    fn selection(partner: uuid::Uuid, opens: chrono::NaiveDate) -> Selection {
        Selection {
            id: uuid::Uuid::now_v7(),
            partner,
            title: "Семья и дети".into(),
            theme: "Поддержка семей".into(),
            categories: Vec::new(),
            criteria: vec![Criterion {
                name: "Реализуется не менее года".into(),
                max_score: None,
            }],
            dates: Dates {
                requested: opens - chrono::Duration::days(70),
                opens,
                closes: opens + chrono::Duration::days(30),
                evaluation_ends: opens + chrono::Duration::days(45),
                results: opens + chrono::Duration::days(50),
            },
            experts: Vec::new(),
            regulations: String::new(),
            entries: Vec::new(),
        }
    }

    #[test]
    fn a_selection_runs_from_the_partner_to_an_entry_refused_after_closing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).expect("store");
        let clock = FixedClock::on(chrono::NaiveDate::from_ymd_opt(2026, 3, 16).expect("day"));
        crate::demo::seed_at(&store, 120, 1, clock.now(), |_, _| {}).expect("seed");
        let cx = Ctx::new(&store, &clock);
        let (asi, author) = (user(&store, "asi"), user(&store, "author"));
        let partner = Partner {
            id: uuid::Uuid::now_v7(),
            name: "Комиссия Госсовета по направлению «Семья»".into(),
            kind: PartnerKind::Commission,
            contacts: String::new(),
            representatives: Vec::new(),
        };
        assert!(matches!(
            save_partner(&cx, &author, partner.clone()),
            Err(ServiceError::Refused(_))
        ));
        save_partner(&cx, &asi, partner.clone()).expect("the Agency records it");

        // Requested too late: refused with the rule's reason.
        let mut late = selection(partner.id, cx.today());
        late.dates.requested = cx.today();
        let Err(ServiceError::Refused(why)) = save_selection(&cx, &asi, late) else {
            panic!("a late request is refused");
        };
        assert!(why[0].contains("за два месяца"), "{why:?}");

        let s = save_selection(&cx, &asi, selection(partner.id, cx.today())).expect("saved");
        let draft = store
            .practices()
            .map(|p| p.expect("reads"))
            .find(|p| p.author == author.id && p.status == crate::domain::PracticeStatus::Draft)
            .expect("the author's draft");
        // The yes/no criterion must be confirmed.
        let Err(ServiceError::Refused(why)) = enter_with(&cx, &author, s.id, draft.id, &[], |_| {})
        else {
            panic!("unconfirmed");
        };
        assert!(
            why.join(" ").contains("Реализуется не менее года"),
            "{why:?}"
        );
        let confirmed = vec!["Реализуется не менее года".to_owned()];
        let s2 = enter_with(&cx, &author, s.id, draft.id, &confirmed, |_| {}).expect("entered");
        assert_eq!(s2.entries.len(), 1);
        assert_eq!(store.selection(s.id).expect("reads"), Some(s2.clone()));
        // Others see only what they put forward; the Agency sees all.
        assert!(
            as_read_by(s2.clone(), Some(&user(&store, "team1")))
                .entries
                .is_empty()
        );
        assert_eq!(as_read_by(s2.clone(), Some(&asi)).entries.len(), 1);

        // After the closing day the server's day refuses it, saying so.
        let later = FixedClock::on(s.dates.closes + chrono::Duration::days(1));
        let cx2 = Ctx::new(&store, &later);
        let other = store
            .practices()
            .map(|p| p.expect("reads"))
            .find(|p| p.author == author.id && p.id != draft.id)
            .expect("another of the author's");
        let Err(ServiceError::Refused(why)) =
            enter_with(&cx2, &author, s.id, other.id, &confirmed, |_| {})
        else {
            panic!("closed");
        };
        assert!(why[0].contains("закончился"), "{why:?}");
        assert_eq!(
            store
                .selection(s.id)
                .expect("reads")
                .expect("there")
                .entries
                .len(),
            1
        );
    }
}
