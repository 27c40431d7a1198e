//! Replication against the store: «Хочу внедрить», the steps of an
//! application, events and interest — each checked by
//! `domain::replication` and committed with its audit entry, timeline step,
//! inbox notices and (on a linked store) the op for the server; plus the
//! views the CLI and the workstation show and the yearly summary.

use std::path::PathBuf;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::domain::refdata::refdata;
use crate::domain::replication::{
    self as rules, Action, Application, Args, Event, Request, ResultForm,
};
use crate::domain::workflow::{Document, DocumentKind};
use crate::domain::{PracticeId, ReplicationStatus, Role, User};
use crate::service::practice::store_documents;
use crate::service::{Ctx, ServiceError, accounts};
use crate::store::blobs::Blobs;
use crate::store::{EntityRef, Mutation, Record, Store, StoreError};
use crate::sync::protocol::OpKind;

fn refusal(reasons: Vec<String>) -> ServiceError {
    ServiceError::Refused(reasons)
}

/// The Модератор АСИ and anyone else to tell, except the actor.
fn audience(store: &Store, actor: &User, also: &[Option<Uuid>]) -> Result<Vec<Uuid>, StoreError> {
    let mut out = Vec::new();
    for u in store.users() {
        let u = u?;
        if u.id != actor.id && (u.has_role(Role::AsiModerator) || also.contains(&Some(u.id))) {
            out.push(u.id);
        }
    }
    Ok(out)
}

fn title_of(store: &Store, id: PracticeId) -> Result<String, StoreError> {
    Ok(store
        .practice(id)?
        .map(|p| p.passport.title)
        .unwrap_or_default())
}

/// «Хочу внедрить». `id` is given by the server when it applies a
/// client's op; `extra` adds to the change before it is committed.
pub fn apply_with(
    cx: &Ctx<'_>,
    actor: &User,
    practice: PracticeId,
    req: &Request,
    id: Option<Uuid>,
    extra: impl FnOnce(&mut Mutation),
) -> Result<Application, ServiceError> {
    let store = cx.store;
    let p = store
        .practice(practice)?
        .filter(|p| crate::domain::access::read_scope(Some(actor)).can_read(p))
        .ok_or_else(|| ServiceError::not_found("Практика не найдена или недоступна вам."))?;
    let open: Vec<Application> = store
        .applications()?
        .into_iter()
        .filter(|a| a.practice == practice)
        .collect();
    let app = rules::apply_for(
        actor,
        &p,
        req,
        &open,
        refdata(),
        id.unwrap_or_else(Uuid::now_v7),
        cx.now(),
    )
    .map_err(refusal)?;
    let mut m = Mutation::new(
        Some(actor.id),
        "replication.apply",
        format!(
            "«Хочу внедрить»: «{}», {}",
            p.passport.title,
            refdata().region_name(&app.region)
        ),
    )
    .with(Record::Application(Box::new(app.clone())));
    let told: Vec<Option<Uuid>> = crate::domain::replication::told_of_applications(&p)
        .into_iter()
        .map(Some)
        .collect();
    m.notify = audience(store, actor, &told)?;
    m.fresh.push(EntityRef::Application(app.id));
    m.op = Some(OpKind::Apply {
        application: Box::new(app.clone()),
    });
    m.at = Some(cx.now());
    extra(&mut m);
    store.commit(&m)?;
    Ok(app)
}

/// What the CLI or the workstation gives for a step.
#[derive(Debug, Clone, Default)]
pub struct StepInput {
    pub comment: String,
    pub to: Option<String>,
    /// Files: the roadmap for `upload-roadmap`, materials for `report`.
    pub attach: Vec<PathBuf>,
    /// The official letter, for `report`.
    pub letter: Option<PathBuf>,
    pub reason: Option<String>,
    pub report: Option<ResultForm>,
}

/// Whether `actor` may take step `kind` on the application now, whatever
/// it is given: their role and the application's status allow it.
pub fn may(cx: &Ctx<'_>, actor: &User, id: Uuid, kind: Action) -> Result<(), ServiceError> {
    let app = readable(cx.store, actor, id)?;
    rules::check(actor, &app, kind).map_err(ServiceError::refused)
}

/// A step of an application, from the CLI or the workstation.
pub fn act(
    cx: &Ctx<'_>,
    blobs: &Blobs,
    actor: &User,
    id: Uuid,
    kind: Action,
    input: &StepInput,
) -> Result<Application, ServiceError> {
    let store = cx.store;
    let app = readable(store, actor, id)?;
    rules::check(actor, &app, kind).map_err(ServiceError::refused)?;
    let mut args = Args {
        comment: input.comment.clone(),
        reason: input.reason.clone(),
        report: input.report.clone(),
        ..Args::default()
    };
    if let Some(login) = input.to.as_deref().filter(|l| !l.trim().is_empty()) {
        args.to = Some(accounts::user_by_login(store, login)?);
    }
    match kind {
        Action::UploadRoadmap => {
            args.documents = store_documents(blobs, &input.attach, DocumentKind::Roadmap)?;
        }
        Action::Report => {
            if let Some(l) = &input.letter {
                args.documents =
                    store_documents(blobs, std::slice::from_ref(l), DocumentKind::OfficialLetter)?;
            }
            args.documents.extend(store_documents(
                blobs,
                &input.attach,
                DocumentKind::Materials,
            )?);
        }
        _ if !input.attach.is_empty() || input.letter.is_some() => {
            return Err(ServiceError::bad(format!(
                "Действие «{}» не принимает файлы.",
                kind.label()
            )));
        }
        _ => {}
    }
    act_with(cx, actor, id, kind, &args, |_| {})
}

fn readable(store: &Store, actor: &User, id: Uuid) -> Result<Application, ServiceError> {
    let app = store
        .application(id)?
        .ok_or_else(|| ServiceError::not_found("Заявка не найдена или недоступна вам."))?;
    let p = store.practice(app.practice)?;
    if !rules::can_read(actor, &app, p.as_ref()) {
        return Err(ServiceError::not_found(
            "Заявка не найдена или недоступна вам.",
        ));
    }
    Ok(app)
}

/// A step with its arguments resolved: checked by the rules and committed
/// with its timeline step, notices and op.
pub fn act_with(
    cx: &Ctx<'_>,
    actor: &User,
    id: Uuid,
    kind: Action,
    args: &Args,
    extra: impl FnOnce(&mut Mutation),
) -> Result<Application, ServiceError> {
    let store = cx.store;
    let app = readable(store, actor, id)?;
    let (next, step) = rules::apply(actor, &app, kind, args, cx.now()).map_err(refusal)?;
    let title = title_of(store, app.practice)?;
    let summary = if step.from == step.to {
        format!(
            "«{title}», {}: {}",
            refdata().region_name(&app.region),
            kind.label()
        )
    } else {
        format!(
            "«{title}», {}: {} → «{}»",
            refdata().region_name(&app.region),
            kind.label(),
            step.to.name()
        )
    };
    let mut m = Mutation::new(
        Some(actor.id),
        &format!("replication.{}", kind.code()),
        summary,
    )
    .with(Record::Application(Box::new(next.clone())));
    m.notify = audience(store, actor, &[Some(next.recipient), next.moderator])?;
    m.op = Some(OpKind::Replicate {
        application: id,
        practice: app.practice,
        action: kind.code().to_owned(),
        comment: args.comment.clone(),
        to: args.to.as_ref().map(|u| u.login.clone()),
        reason: args.reason.clone(),
        report: args.report.clone(),
        documents: args.documents.clone(),
    });
    m.step = Some(step);
    m.at = Some(cx.now());
    extra(&mut m);
    store.commit(&m)?;
    Ok(next)
}

/// A new event of §5.2 (the Модератор АСИ).
pub fn create_event_with(
    cx: &Ctx<'_>,
    actor: &User,
    event: Event,
    extra: impl FnOnce(&mut Mutation),
) -> Result<Event, ServiceError> {
    let store = cx.store;
    let mut presented = Vec::new();
    for id in &event.practices {
        presented.push(
            store
                .practice(*id)?
                .ok_or_else(|| ServiceError::bad(format!("Практика {id} не найдена.")))?,
        );
    }
    let refs: Vec<_> = presented.iter().collect();
    let e = rules::create_event(actor, event, &refs).map_err(refusal)?;
    let mut m = Mutation::new(
        Some(actor.id),
        "replication.event",
        format!(
            "Мероприятие «{}» ({}), {}",
            e.title,
            e.format.name(),
            e.date.format("%d.%m.%Y")
        ),
    )
    .with(Record::Event(Box::new(e.clone())));
    m.fresh.push(EntityRef::Event(e.id));
    m.op = Some(OpKind::Event {
        event: Box::new(e.clone()),
    });
    m.at = Some(cx.now());
    extra(&mut m);
    store.commit(&m)?;
    Ok(e)
}

/// A region's interest after an event (§5.3.1.1); the region's recipients
/// find the invitation in their inbox.
pub fn interest_with(
    cx: &Ctx<'_>,
    actor: &User,
    event: Uuid,
    region: &str,
    practices: &[PracticeId],
    extra: impl FnOnce(&mut Mutation),
) -> Result<Event, ServiceError> {
    let store = cx.store;
    let e = store
        .event(event)?
        .ok_or_else(|| ServiceError::not_found("Мероприятие не найдено."))?;
    let next = rules::record_interest(actor, &e, region, practices, refdata(), cx.today())
        .map_err(refusal)?;
    let mut titles = Vec::new();
    for p in practices {
        titles.push(format!("«{}»", title_of(store, *p)?));
    }
    let mut m = Mutation::new(
        Some(actor.id),
        "replication.interest",
        format!(
            "Приглашение подать заявку «Хочу внедрить» по итогам мероприятия «{}»: {}",
            e.title,
            titles.join(", ")
        ),
    )
    .with(Record::Event(Box::new(next.clone())));
    for u in store.users() {
        let u = u?;
        if u.regions_for(Role::Recipient).contains(&region) {
            m.notify.push(u.id);
        }
    }
    m.op = Some(OpKind::Interest {
        event,
        region: region.to_owned(),
        practices: practices.to_vec(),
    });
    m.at = Some(cx.now());
    extra(&mut m);
    store.commit(&m)?;
    Ok(next)
}

/// The category's Russian name, empty when not chosen.
fn category_of(p: &crate::domain::Practice) -> String {
    p.passport
        .category
        .as_ref()
        .and_then(|c| c.code())
        .map(|c| refdata().category_name(c).to_owned())
        .unwrap_or_default()
}

/// An application as lists and exports show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    pub id: Uuid,
    pub practice: PracticeId,
    pub title: String,
    pub category: String,
    pub region: String,
    pub region_name: String,
    pub district: String,
    /// The status's Russian name.
    pub status: String,
    pub code: String,
    pub moderator: Option<String>,
    /// The moderator's full name (their login when the profile has none).
    pub moderator_name: Option<String>,
    pub applied: DateTime<Utc>,
    pub due: Option<NaiveDate>,
    pub overdue: Option<i64>,
    /// Made after an Agency event (§5.2): handled first.
    pub event: bool,
    #[serde(skip)]
    pub raw: ReplicationStatus,
}

/// The active moderators of replication, (login, full name), by name:
/// whom the Модератор АСИ assigns an application to.
pub fn moderators(store: &Store) -> Result<Vec<(String, String)>, StoreError> {
    let mut out = Vec::new();
    for u in store.users() {
        let u = u?;
        if !u.disabled && u.has_role(Role::ImplementationModerator) {
            let name = u.shown_name().to_owned();
            out.push((u.login, name));
        }
    }
    out.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(out)
}

/// The applications `reader` may read, newest first.
pub fn rows(cx: &Ctx<'_>, reader: &User) -> Result<Vec<Row>, StoreError> {
    let store = cx.store;
    let cal = cx.calendar();
    let today = cx.today();
    let rd = refdata();
    let mut out = Vec::new();
    for a in store.applications()? {
        let p = store.practice(a.practice)?;
        if !rules::can_read(reader, &a, p.as_ref()) {
            continue;
        }
        let (moderator, moderator_name) = match a.moderator.map(|m| store.user(m)).transpose()? {
            Some(Some(u)) => {
                let name = u.shown_name().to_owned();
                (Some(u.login), Some(name))
            }
            _ => (None, None),
        };
        let category = p.as_ref().map(category_of).unwrap_or_default();
        out.push(Row {
            id: a.id,
            practice: a.practice,
            title: p.map(|p| p.passport.title).unwrap_or_default(),
            category,
            region: a.region.clone(),
            region_name: rd.region_name(&a.region).to_owned(),
            district: rd
                .district_of(&a.region)
                .map(|d| d.name.clone())
                .unwrap_or_default(),
            status: a.status.name().to_owned(),
            code: a.status.id().to_owned(),
            moderator,
            moderator_name,
            applied: a.applied,
            due: a.due(cal).map(|d| d.0),
            overdue: a.overdue(cal, today),
            event: a.event.is_some(),
            raw: a.status,
        });
    }
    // By status in order; within one, after an Agency event first, then
    // by deadline (§5.3.1); the newest first among equals.
    let order = |s: ReplicationStatus| ReplicationStatus::ALL.iter().position(|x| *x == s);
    out.sort_by(|a, b| {
        order(a.raw)
            .cmp(&order(b.raw))
            .then_with(|| {
                crate::domain::replication::queue_order((a.event, a.due), (b.event, b.due))
            })
            .then_with(|| b.applied.cmp(&a.applied))
    });
    Ok(out)
}

/// An invitation to apply: a practice presented at an event in which the
/// user's region declared interest (§5.3.1.1–5.3.1.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Invitation {
    pub event: Uuid,
    pub event_title: String,
    pub date: NaiveDate,
    pub practice: PracticeId,
    pub title: String,
}

/// The invitations of `user`'s recipient regions not yet answered by an
/// open application of that region.
pub fn invitations(store: &Store, user: &User) -> Result<Vec<Invitation>, StoreError> {
    let regions = user.regions_for(Role::Recipient);
    if regions.is_empty() {
        return Ok(Vec::new());
    }
    let apps = store.applications()?;
    let mut out = Vec::new();
    for e in store.events()? {
        for region in &regions {
            for p in e.invitations(region) {
                let applied = apps.iter().any(|a| a.is_open_for(p, region));
                if !applied {
                    out.push(Invitation {
                        event: e.id,
                        event_title: e.title.clone(),
                        date: e.date,
                        practice: p,
                        title: title_of(store, p)?,
                    });
                }
            }
        }
    }
    Ok(out)
}

/// One step of an application's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineStep {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub summary: String,
    pub comment: String,
    pub documents: Vec<Document>,
}

/// The application's timeline, oldest first.
pub fn timeline(store: &Store, id: Uuid) -> Result<Vec<TimelineStep>, StoreError> {
    let mut out = Vec::new();
    for a in store.audit_of(EntityRef::Application(id))? {
        let actor = match a.actor {
            Some(u) => store
                .user(u)?
                .map(|u| format!("{} ({})", u.profile.full_name, u.login))
                .unwrap_or_default(),
            None => "Система".to_owned(),
        };
        let step = store.step(a.seq)?;
        out.push(TimelineStep {
            at: a.at,
            actor,
            summary: a.summary,
            comment: step.as_ref().map(|s| s.comment.clone()).unwrap_or_default(),
            documents: step.map(|s| s.documents).unwrap_or_default(),
        });
    }
    Ok(out)
}

/// The yearly summary of §5.3.5: applications made in `year`, counted by
/// practice, region, category and status, and the published practices
/// that had none (archive candidates, §4.6.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub year: i32,
    pub total: usize,
    pub by_status: Vec<(String, usize)>,
    pub by_practice: Vec<(String, usize)>,
    pub by_region: Vec<(String, usize)>,
    pub by_category: Vec<(String, usize)>,
    /// Published practices with no application in the year.
    pub archive_candidates: Vec<String>,
}

impl Summary {
    /// The sections of the report, each a list of (name, count), in the
    /// order the exports and the printed report give them.
    pub fn sections(&self) -> [(&'static str, &Vec<(String, usize)>); 4] {
        [
            ("По статусам", &self.by_status),
            ("По практикам", &self.by_practice),
            ("По регионам", &self.by_region),
            ("По категориям", &self.by_category),
        ]
    }
}

fn count(items: impl Iterator<Item = String>) -> Vec<(String, usize)> {
    let mut map: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for i in items {
        *map.entry(i).or_default() += 1;
    }
    let mut v: Vec<_> = map.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

/// The summary over every application in the store (the Agency's view).
pub fn summary(store: &Store, year: i32) -> Result<Summary, StoreError> {
    let rd = refdata();
    let apps: Vec<Application> = store
        .applications()?
        .into_iter()
        .filter(|a| a.applied.year() == year)
        .collect();
    let mut titles = std::collections::HashMap::new();
    let mut categories = std::collections::HashMap::new();
    for a in &apps {
        if let std::collections::hash_map::Entry::Vacant(e) = titles.entry(a.practice) {
            let p = store.practice(a.practice)?;
            categories.insert(
                a.practice,
                p.as_ref()
                    .map(category_of)
                    .filter(|c| !c.is_empty())
                    .unwrap_or_else(|| "Без категории".to_owned()),
            );
            e.insert(p.map(|p| p.passport.title).unwrap_or_default());
        }
    }
    let by_status = ReplicationStatus::ALL
        .iter()
        .map(|s| {
            (
                s.name().to_owned(),
                apps.iter().filter(|a| a.status == *s).count(),
            )
        })
        .collect();
    let mut archive_candidates = Vec::new();
    for p in store.practices() {
        let p = p?;
        if rules::archive_candidate(&p, titles.contains_key(&p.id)) {
            archive_candidates.push(p.passport.title);
        }
    }
    archive_candidates.sort();
    Ok(Summary {
        year,
        total: apps.len(),
        by_status,
        by_practice: count(apps.iter().map(|a| titles[&a.practice].clone())),
        by_region: count(apps.iter().map(|a| rd.region_name(&a.region).to_owned())),
        by_category: count(apps.iter().map(|a| categories[&a.practice].clone())),
        archive_candidates,
    })
}
