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

/// The selection, or the Russian message that there is none.
fn selection_of(store: &crate::store::Store, id: SelectionId) -> Result<Selection, ServiceError> {
    store
        .selection(id)?
        .ok_or_else(|| ServiceError::not_found("Отбор не найден."))
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

/// Records a strategic partner, new or changed: an op on a linked store.
pub fn save_partner(cx: &Ctx<'_>, actor: &User, p: Partner) -> Result<Partner, ServiceError> {
    save_partner_with(cx, actor, p, |_| {})
}

/// [`save_partner`], `extra` adding to the change (the server records the
/// op).
pub fn save_partner_with(
    cx: &Ctx<'_>,
    actor: &User,
    p: Partner,
    extra: impl FnOnce(&mut Mutation),
) -> Result<Partner, ServiceError> {
    agency(actor)?;
    if p.name.trim().is_empty() {
        return Err(ServiceError::refused("не указано название партнёра"));
    }
    for u in &p.representatives {
        match cx.store.user(*u)? {
            None => return Err(ServiceError::bad(format!("Представитель {u} не найден."))),
            Some(r) if !r.has_role(crate::domain::Role::Partner) => {
                return Err(ServiceError::refused(format!(
                    "у «{}» нет роли представителя партнёра (smarteka user grant {} partner)",
                    r.login, r.login
                )));
            }
            Some(_) => {}
        }
    }
    if let Some(same) = cx
        .store
        .partners()?
        .into_iter()
        .find(|o| o.id != p.id && o.name.trim().to_lowercase() == p.name.trim().to_lowercase())
    {
        return Err(ServiceError::refused(format!(
            "партнёр «{}» уже записан: {}",
            same.name, same.id
        )));
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
    m.op = Some(OpKind::Partner {
        partner: Box::new(p.clone()),
    });
    extra(&mut m);
    cx.store.commit(&m)?;
    Ok(p)
}

/// Records a selection as the partner requested it, new or changed; its
/// applications stay as they are. Refused when its dates or criteria break
/// the rules ([`rules::check`]).
pub fn save_selection(cx: &Ctx<'_>, actor: &User, s: Selection) -> Result<Selection, ServiceError> {
    save_selection_with(cx, actor, s, |_| {})
}

/// [`save_selection`], `extra` adding to the change.
pub fn save_selection_with(
    cx: &Ctx<'_>,
    actor: &User,
    mut s: Selection,
    extra: impl FnOnce(&mut Mutation),
) -> Result<Selection, ServiceError> {
    agency(actor)?;
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
    // Scores are kept per criterion in order: the criteria stay as they
    // were once an application came.
    if let Some(b) = &before
        && b.criteria != s.criteria
        && !cx.store.entries(s.id)?.is_empty()
    {
        return Err(ServiceError::refused(
            "критерии отбора не меняются после первой заявки: оценки экспертов записаны по ним",
        ));
    }
    // The winners are decided apart ([`decide`]).
    s.winners = before
        .as_ref()
        .map(|b| b.winners.clone())
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
    m.op = Some(OpKind::Selection {
        selection: Box::new(s.clone()),
    });
    extra(&mut m);
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
) -> Result<Entry, ServiceError> {
    let store = cx.store;
    let s = selection_of(store, id)?;
    let p = store
        .practice(practice)?
        .ok_or_else(|| ServiceError::not_found("Практика не найдена."))?;
    let already = store.entry(id, practice)?.is_some();
    let why = rules::check_entry(&s, actor, &p, confirmed, already, cx.today());
    if !why.is_empty() {
        return Err(ServiceError::Refused(why));
    }
    let entry = Entry {
        selection: id,
        practice,
        region: p.region().map(str::to_owned),
        by: actor.id,
        at: cx.now(),
        confirmed: confirmed.to_vec(),
        scores: Vec::new(),
    };
    let mut m = Mutation::new(
        Some(actor.id),
        "selection.enter",
        format!("Заявка на отбор «{}»: «{}»", s.title, p.passport.title),
    )
    .at(cx.now())
    .with(Record::Entry(Box::new(entry.clone())));
    m.fresh.push(EntityRef::Entry(id, practice));
    // The applicant is told the application was received; the Agency
    // finds it on the selection's page (thousands arrive at the deadline:
    // a notice each would bury the Модератор АСИ's inbox).
    m.notify.push(actor.id);
    m.op = Some(OpKind::Enter {
        selection: id,
        practice,
        confirmed: confirmed.to_vec(),
    });
    extra(&mut m);
    store.commit(&m)?;
    Ok(entry)
}

/// An expert's marks of one application, one per criterion (1 or 0 for a
/// yes/no one); a later score of the same expert replaces theirs. Checked
/// by the day (the server's, for an op) and for conflicts of interest.
pub fn score_with(
    cx: &Ctx<'_>,
    expert: &User,
    id: SelectionId,
    practice: PracticeId,
    marks: &[u8],
    extra: impl FnOnce(&mut Mutation),
) -> Result<Entry, ServiceError> {
    let store = cx.store;
    let s = selection_of(store, id)?;
    let mut entry = store
        .entry(id, practice)?
        .ok_or_else(|| ServiceError::not_found("Заявка не найдена."))?;
    // The practice's row, where this store has it (the server always
    // does, and decides the op): whether the expert is on its team.
    let row = store.summary(practice)?;
    let on_team = row
        .as_ref()
        .is_some_and(|p| p.author == expert.id || p.team.contains(&expert.id));
    let why = rules::check_score(&s, expert, &entry, on_team, marks, cx.today());
    if !why.is_empty() {
        return Err(ServiceError::Refused(why));
    }
    entry.scores.retain(|sc| sc.expert != expert.id);
    entry.scores.push(rules::Score {
        expert: expert.id,
        marks: marks.to_vec(),
        at: cx.now(),
    });
    let mut m = Mutation::new(
        Some(expert.id),
        "selection.score",
        format!(
            "Оценка заявки «{}» на отбор «{}»",
            row.map(|p| p.title).unwrap_or_default(),
            s.title
        ),
    )
    .at(cx.now())
    .with(Record::Entry(Box::new(entry.clone())));
    m.op = Some(OpKind::Score {
        selection: id,
        practice,
        marks: marks.to_vec(),
    });
    extra(&mut m);
    store.commit(&m)?;
    Ok(entry)
}

/// One line of a selection's results.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ResultRow {
    pub place: String,
    pub practice: PracticeId,
    pub title: String,
    pub region: String,
    pub mean: f64,
    pub experts: usize,
    pub note: String,
    pub winner: bool,
}

/// A selection's ranking with the winners decided: for the Agency and the
/// selection's experts at any time, for everyone once results are out.
pub fn results(
    cx: &Ctx<'_>,
    reader: Option<&User>,
    id: SelectionId,
) -> Result<(Selection, Vec<ResultRow>), ServiceError> {
    let store = cx.store;
    let s = selection_of(store, id)?;
    if !sees_all(store, reader, &s) && cx.today() < s.dates.results {
        return Err(ServiceError::refused(format!(
            "итоги отбора «{}» будут объявлены {}",
            s.title,
            s.dates.results.format("%d.%m.%Y")
        )));
    }
    let entries = store.entries(id)?;
    let inside = sees_all(store, reader, &s);
    let mut rows = Vec::new();
    for r in rules::ranking(&s, &entries) {
        // Others see the winners and their own applications: the other
        // practices put forward may be drafts.
        let own = || {
            reader.is_some_and(|u| {
                entries
                    .iter()
                    .any(|e| e.practice == r.practice && e.by == u.id)
                    || store
                        .summary(r.practice)
                        .ok()
                        .flatten()
                        .is_some_and(|p| p.author == u.id || p.team.contains(&u.id))
            })
        };
        if !inside && !s.winners.contains(&r.practice) && !own() {
            continue;
        }
        let title = store
            .practice(r.practice)?
            .map(|p| p.passport.title)
            .unwrap_or_default();
        let region = r
            .region
            .as_deref()
            .map(|c| crate::domain::refdata::refdata().region_name(c).to_owned())
            .unwrap_or_default();
        rows.push(ResultRow {
            place: match r.place {
                (0, _) => "—".to_owned(),
                (a, b) if a == b => a.to_string(),
                (a, b) => format!("{a}–{b}"),
            },
            practice: r.practice,
            title,
            region,
            mean: r.mean,
            experts: r.experts,
            note: r.note,
            winner: s.winners.contains(&r.practice),
        });
    }
    Ok((s, rows))
}

/// The partner's and the Agency's decision on the winners (§3.2.6),
/// recorded by the Модератор АСИ once the evaluation has ended: admitted
/// applications only. The applicants learn of it in their inbox.
pub fn decide(
    cx: &Ctx<'_>,
    actor: &User,
    id: SelectionId,
    winners: &[PracticeId],
) -> Result<Selection, ServiceError> {
    decide_with(cx, actor, id, winners, |_| {})
}

/// [`decide`], `extra` adding to the change.
pub fn decide_with(
    cx: &Ctx<'_>,
    actor: &User,
    id: SelectionId,
    winners: &[PracticeId],
    extra: impl FnOnce(&mut Mutation),
) -> Result<Selection, ServiceError> {
    agency(actor)?;
    let store = cx.store;
    let mut s = selection_of(store, id)?;
    if cx.today() <= s.dates.evaluation_ends {
        return Err(ServiceError::refused(format!(
            "победителей называют после окончания оценки ({})",
            s.dates.evaluation_ends.format("%d.%m.%Y")
        )));
    }
    let entries = store.entries(id)?;
    let ranked = rules::ranking(&s, &entries);
    for w in winners {
        if !ranked.iter().any(|r| r.practice == *w && r.admitted) {
            return Err(ServiceError::refused(format!(
                "практика {w} не среди допущенных заявок отбора"
            )));
        }
    }
    s.winners = winners.to_vec();
    let mut m = Mutation::new(
        Some(actor.id),
        "selection.decide",
        format!("Итоги отбора «{}»: победителей {}", s.title, winners.len()),
    )
    .at(cx.now())
    .with(Record::Selection(Box::new(s.clone())));
    for e in &entries {
        if !m.notify.contains(&e.by) {
            m.notify.push(e.by);
        }
    }
    m.op = Some(OpKind::Decide {
        selection: id,
        winners: winners.to_vec(),
    });
    extra(&mut m);
    store.commit(&m)?;
    // The decision stands whatever becomes of each winner after it.
    if let Err(e) = winners::advance_winners(cx, actor, &s) {
        tracing::warn!(error = %e.message(), selection = %s.id, "winners not all sent on");
    }
    Ok(s)
}

/// An application as `reader` may see it: whole for the Agency and the
/// selection's experts; without the scores for its applicant and the
/// practice's team; not at all for others.
pub fn entry_as_read_by(
    store: &crate::store::Store,
    reader: &User,
    selection: SelectionId,
    practice: PracticeId,
) -> Result<Option<Entry>, crate::store::StoreError> {
    let (Some(s), Some(mut e)) = (
        store.selection(selection)?,
        store.entry(selection, practice)?,
    ) else {
        return Ok(None);
    };
    if sees_all(store, Some(reader), &s) {
        return Ok(Some(e));
    }
    let own = e.by == reader.id
        || store
            .summary(practice)?
            .is_some_and(|p| p.author == reader.id || p.team.contains(&reader.id));
    if own {
        e.scores.clear();
        return Ok(Some(e));
    }
    Ok(None)
}

/// What `user` may read: their scope ([`crate::domain::access::read_scope`])
/// and, for a selection's experts, the practices put forward to it
/// (§3.2.6: they assess them, drafts included).
pub fn scope_of(
    store: &crate::store::Store,
    user: Option<&User>,
) -> Result<crate::domain::access::ReadScope, crate::store::StoreError> {
    let scope = crate::domain::access::read_scope(user);
    let Some(u) = user.filter(|u| !u.disabled) else {
        return Ok(scope);
    };
    let mut granted = Vec::new();
    for s in store.selections()? {
        if s.experts.contains(&u.id) {
            granted.extend(store.entries(s.id)?.into_iter().map(|e| e.practice));
        }
    }
    Ok(scope.with_granted(granted))
}

pub use rules::CLOSING_NOTICE_DAYS;

/// The daily reminders' mail of selections (§3.2.6: the Agency informs the
/// platform's users) to every author who takes mail: a selection whose
/// intake opened, or comes within [`CLOSING_NOTICE_DAYS`] of closing,
/// since the last pass (`last`) — each once, whatever days the server was
/// down.
pub fn notices(
    selections: &[Selection],
    users: &[User],
    last: Option<chrono::NaiveDate>,
    today: chrono::NaiveDate,
) -> Vec<crate::store::OutMail> {
    let since = last.unwrap_or(chrono::NaiveDate::MIN);
    let crossed = |t: chrono::NaiveDate| since < t && t <= today;
    let day = |d: chrono::NaiveDate| d.format("%d.%m.%Y").to_string();
    let mut lines = Vec::new();
    for s in selections
        .iter()
        .filter(|s| s.stage(today) == rules::Stage::Open)
    {
        if crossed(s.dates.opens) {
            lines.push(format!(
                "Открыт приём заявок на отбор «{}» ({}) — до {} включительно.",
                s.title,
                s.theme,
                day(s.dates.closes)
            ));
        }
        if crossed(s.dates.closes - chrono::Duration::days(CLOSING_NOTICE_DAYS)) {
            lines.push(format!(
                "До конца приёма заявок на отбор «{}» — дней: {} (последний день — {}).",
                s.title,
                s.days_left(today).unwrap_or(0),
                day(s.dates.closes)
            ));
        }
    }
    if lines.is_empty() {
        return Vec::new();
    }
    users
        .iter()
        .filter(|u| {
            u.has_role(crate::domain::Role::Author) && crate::domain::people::gets_mail(u, false)
        })
        .map(|u| crate::store::OutMail {
            to: u.profile.email.clone(),
            name: u.shown_name().to_owned(),
            subject: "Смартека: отборы".to_owned(),
            body: format!(
                "Здравствуйте, {}!\n\n{}\n\nОтборы — в рабочем месте (клавиша O), или: smarteka selection list.\n",
                u.shown_name(),
                lines.join("\n")
            ),
        })
        .collect()
}

/// A client's op of the selections and the Club, through the same
/// functions as the command line; `mark` records the op in its change.
pub fn apply_op(
    cx: &Ctx<'_>,
    user: &User,
    kind: &OpKind,
    mark: impl FnOnce(&mut Mutation),
) -> Result<(), ServiceError> {
    match kind {
        OpKind::Enter {
            selection,
            practice,
            confirmed,
        } => enter_with(cx, user, *selection, *practice, confirmed, mark).map(|_| ()),
        OpKind::Score {
            selection,
            practice,
            marks,
        } => score_with(cx, user, *selection, *practice, marks, mark).map(|_| ()),
        OpKind::Partner { partner } => {
            save_partner_with(cx, user, (**partner).clone(), mark).map(|_| ())
        }
        OpKind::Selection { selection } => {
            save_selection_with(cx, user, (**selection).clone(), mark).map(|_| ())
        }
        OpKind::Decide { selection, winners } => {
            decide_with(cx, user, *selection, winners, mark).map(|_| ())
        }
        OpKind::Club { session } => {
            crate::service::club::save_with(cx, user, (**session).clone(), mark).map(|_| ())
        }
        OpKind::ClubDecide {
            session,
            practice,
            recommended,
            argument,
        } => crate::service::club::decide_with(
            cx,
            user,
            *session,
            *practice,
            *recommended,
            argument,
            mark,
        )
        .map(|_| ()),
        OpKind::Recommend {
            practice,
            partner,
            letter,
        } => recommend::recommend_with(cx, user, *practice, *partner, letter, mark).map(|_| ()),
        _ => Err(ServiceError::bad(
            "Операция не относится к отборам и Клубу.",
        )),
    }
}

/// Whether `reader` sees every application to `s`: the Agency, the
/// selection's experts, and the representatives of its partner.
/// The partner is read only for a user who holds the partner role.
pub fn sees_all(store: &crate::store::Store, reader: Option<&User>, s: &Selection) -> bool {
    reader.is_some_and(|u| {
        let partner = u
            .has_role(crate::domain::Role::Partner)
            .then(|| store.partner(s.partner).ok().flatten())
            .flatten();
        rules::follows(u, s, partner.as_ref())
    })
}

/// The applications to a selection `reader` may see.
pub fn visible_entries(
    store: &crate::store::Store,
    reader: Option<&User>,
    id: SelectionId,
) -> Result<Vec<Entry>, crate::store::StoreError> {
    let Some(reader) = reader else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for e in store.entries(id)? {
        if let Some(e) = entry_as_read_by(store, reader, id, e.practice)? {
            out.push(e);
        }
    }
    Ok(out)
}

/// One row of «Отборы».
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SelectionRow {
    pub id: SelectionId,
    pub title: String,
    pub stage: &'static str,
    /// Days of intake left, the closing day counted.
    pub days_left: Option<i64>,
    /// The applications the reader may see…
    pub entries: usize,
    /// …all of them (the Agency, the selection's experts), or their own.
    pub all: bool,
    /// The reader is one of the selection's experts.
    pub expert: bool,
}

/// «Отборы» as `reader` sees them: open ones first, by the closing day,
/// then those announced, then the rest, newest first.
pub fn rows(cx: &Ctx<'_>, reader: Option<&User>) -> Result<Vec<SelectionRow>, ServiceError> {
    let today = cx.today();
    let mut all: Vec<Selection> = cx.store.selections()?;
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
    let mut out = Vec::with_capacity(all.len());
    for s in all {
        out.push(SelectionRow {
            id: s.id,
            title: s.title.clone(),
            stage: s.stage(today).name(),
            days_left: s.days_left(today),
            entries: visible_entries(cx.store, reader, s.id)?.len(),
            all: sees_all(cx.store, reader, &s),
            expert: reader.is_some_and(|u| s.experts.contains(&u.id)),
        });
    }
    Ok(out)
}

/// A selection's page as text, as `reader` may see it: the partner, the
/// theme, the stage and the dates, the criteria, the regulations and the
/// applications (with their practices' titles and regions).
pub fn page(cx: &Ctx<'_>, reader: Option<&User>, id: SelectionId) -> Result<String, ServiceError> {
    use std::fmt::Write as _;
    let store = cx.store;
    let s = selection_of(store, id)?;
    let entries = visible_entries(store, reader, id)?;
    let today = cx.today();
    let partner = store
        .partner(s.partner)?
        .map_or_else(|| "—".to_owned(), |p| p.name);
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
    if sees_all(store, reader, &s) {
        let _ = writeln!(out, "Заявок подано: {}", entries.len());
    } else if reader.is_none() {
        out.push_str("Заявки видят Агентство, эксперты отбора и сами заявители.\n");
    } else if entries.is_empty() {
        out.push_str("Заявки видят Агентство и эксперты отбора; вы своих не подавали.\n");
    } else {
        let _ = writeln!(out, "Ваших заявок: {}", entries.len());
    }
    for e in &entries {
        // The row: an expert may not hold the passport of a draft.
        let title = store
            .summary(e.practice)?
            .map(|p| p.title)
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

pub mod forms;
pub mod print;
pub mod recommend;
pub mod winners;

#[cfg(test)]
mod tests;
