//! Region pages (§2.2.1, §2.2.3): what the coordinator keeps, with what
//! the records say of the region — its coordinators, its practices by
//! status, its applications to replicate, its standing in the leader lists
//! — and which pages wait for their yearly update.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::domain::eligibility::Criterion;
use crate::domain::refdata::refdata;
use crate::domain::regions::{self, RegionPage};
use crate::domain::{Role, User};
use crate::service::{Ctx, ServiceError};
use crate::store::{Mutation, Record};
use crate::sync::protocol::OpKind;

/// A region's page as people read it.
#[derive(Debug, Clone, Serialize)]
pub struct RegionView {
    pub code: String,
    pub name: String,
    pub district: String,
    /// What the coordinator keeps; none yet.
    pub page: Option<RegionPage>,
    /// The coordinators: (name, login).
    pub coordinators: Vec<(String, String)>,
    /// Practices of the region by status: (status, count).
    pub practices: Vec<(String, usize)>,
    /// Applications to replicate the region's practices elsewhere, and
    /// the region's own applications: (status, count).
    pub applications_in: Vec<(String, usize)>,
    pub applications_out: Vec<(String, usize)>,
    /// The latest leader lists naming the region: the year and criteria.
    pub leader: Option<(i32, Vec<String>)>,
    pub needs_update: bool,
}

fn counted(map: BTreeMap<String, usize>) -> Vec<(String, usize)> {
    map.into_iter().collect()
}

/// The page of `code` with what the records say.
pub fn show(cx: &Ctx<'_>, code: &str) -> Result<RegionView, ServiceError> {
    let rd = refdata();
    let region = rd
        .region(code)
        .ok_or_else(|| ServiceError::bad(format!("Неизвестный регион «{code}».")))?;
    let store = cx.store;
    let page = store.region_page(code)?;
    let mut coordinators = Vec::new();
    for u in store.users() {
        let u = u?;
        if !u.disabled && u.regions_for(Role::Coordinator).contains(&code) {
            coordinators.push((u.public_name().to_owned(), u.login.clone()));
        }
    }
    coordinators.sort();
    let mut practices = BTreeMap::new();
    let mut ours = std::collections::HashSet::new();
    for s in store.summaries() {
        let s = s?;
        if s.region.as_deref() == Some(code) {
            ours.insert(s.id);
            *practices.entry(s.status.name().to_owned()).or_insert(0) += 1;
        }
    }
    let (mut inn, mut out) = (BTreeMap::new(), BTreeMap::new());
    for a in store.applications()? {
        let status = a.status.name().to_owned();
        if ours.contains(&a.practice) {
            *inn.entry(status.clone()).or_insert(0) += 1;
        }
        if a.region == code {
            *out.entry(status).or_insert(0) += 1;
        }
    }
    let leaders = store.leaders()?;
    let leader = leaders.iter().map(|l| l.year).max().and_then(|year| {
        let mut criteria: Vec<Criterion> = leaders
            .iter()
            .filter(|l| l.year == year && l.region == code)
            .map(|l| l.criterion)
            .collect();
        criteria.sort();
        criteria.dedup();
        (!criteria.is_empty()).then(|| {
            (
                year,
                criteria.into_iter().map(|c| c.name().to_owned()).collect(),
            )
        })
    });
    Ok(RegionView {
        code: region.code.clone(),
        name: region.name.clone(),
        district: region.district.clone(),
        needs_update: regions::needs_update(page.as_ref(), cx.today()),
        page,
        coordinators,
        practices: counted(practices),
        applications_in: counted(inn),
        applications_out: counted(out),
        leader,
    })
}

/// A row of the list of regions.
#[derive(Debug, Clone, Serialize)]
pub struct RegionRow {
    pub code: String,
    pub name: String,
    pub head: Option<String>,
    pub practices: usize,
    pub needs_update: bool,
}

/// Every region, with its page's state and count of practices.
pub fn list(cx: &Ctx<'_>) -> Result<Vec<RegionRow>, ServiceError> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for s in cx.store.summaries() {
        if let Some(r) = s?.region {
            *counts.entry(r).or_insert(0) += 1;
        }
    }
    let mut out = Vec::new();
    for r in &refdata().regions {
        let page = cx.store.region_page(&r.code)?;
        out.push(RegionRow {
            code: r.code.clone(),
            name: r.name.clone(),
            head: page.as_ref().map(|p| p.head.clone()),
            practices: counts.get(&r.code).copied().unwrap_or(0),
            needs_update: regions::needs_update(page.as_ref(), cx.today()),
        });
    }
    Ok(out)
}

/// The page saved by its coordinator, with `extra` added to the commit
/// (the server's record of the client's op); on a linked store the page
/// travels to the server.
pub fn edit_with(
    cx: &Ctx<'_>,
    actor: &User,
    page: RegionPage,
    extra: impl FnOnce(&mut Mutation),
) -> Result<RegionPage, ServiceError> {
    let saved = regions::edit(actor, page, cx.now(), refdata()).map_err(ServiceError::Refused)?;
    let mut m = Mutation::new(
        Some(actor.id),
        "region.edit",
        format!(
            "Обновлена страница региона «{}»",
            refdata().region_name(&saved.code)
        ),
    )
    .at(cx.now())
    .with(Record::Region(Box::new(saved.clone())));
    m.op = Some(OpKind::Region {
        page: Box::new(saved.clone()),
    });
    extra(&mut m);
    cx.store.commit(&m)?;
    Ok(saved)
}

pub fn edit(cx: &Ctx<'_>, actor: &User, page: RegionPage) -> Result<RegionPage, ServiceError> {
    edit_with(cx, actor, page, |_| {})
}

/// The page as text: `region show` and the workstation.
pub fn text(v: &RegionView) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(out, "{} ({}, {})", v.name, v.code, v.district);
    match &v.page {
        Some(p) => {
            let _ = writeln!(out, "Глава региона: {}, {}", p.head, p.head_position);
            if !p.team.is_empty() {
                let _ = writeln!(out, "Управленческая команда:");
                for m in &p.team {
                    let _ = writeln!(out, "  {} — {}", m.name, m.position);
                }
            }
            if !p.note.is_empty() {
                let _ = writeln!(out, "{}", p.note);
            }
            let _ = writeln!(out, "Обновлена: {}", p.updated.format("%d.%m.%Y"));
        }
        None => {
            let _ = writeln!(out, "Страница ещё не заполнена координатором.");
        }
    }
    if v.needs_update {
        let _ = writeln!(out, "Ждёт ежегодного обновления координатором (п. 2.2.3).");
    }
    let coordinators: Vec<String> = v
        .coordinators
        .iter()
        .map(|(n, l)| format!("{n} ({l})"))
        .collect();
    let _ = writeln!(
        out,
        "Координатор: {}",
        if coordinators.is_empty() {
            "не назначен".to_owned()
        } else {
            coordinators.join(", ")
        }
    );
    let line = |xs: &[(String, usize)]| {
        if xs.is_empty() {
            "нет".to_owned()
        } else {
            xs.iter()
                .map(|(s, n)| format!("{s} — {n}"))
                .collect::<Vec<_>>()
                .join("; ")
        }
    };
    let _ = writeln!(out, "Практики: {}", line(&v.practices));
    let _ = writeln!(
        out,
        "Заявки на внедрение практик региона: {}",
        line(&v.applications_in)
    );
    let _ = writeln!(
        out,
        "Заявки региона на внедрение: {}",
        line(&v.applications_out)
    );
    match &v.leader {
        Some((y, c)) => {
            let _ = writeln!(out, "В списках лидеров {y} года: {}", c.join(", "));
        }
        None => {
            let _ = writeln!(out, "В последних списках лидеров рейтингов не значится.");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::clock::FixedClock;

    #[test]
    fn a_page_shows_what_the_records_say_and_its_coordinator_keeps_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = crate::store::Store::open(dir.path()).expect("store");
        crate::demo::seed_at(&store, 60, 1, chrono::Utc::now(), |_, _| {}).expect("seed");
        let clock = FixedClock::new(chrono::Utc::now());
        let cx = Ctx::new(&store, &clock);
        let coordinator = store
            .user_by_login("coordinator")
            .expect("read")
            .expect("c");
        let code = coordinator.regions_for(Role::Coordinator)[0].to_owned();
        let before = show(&cx, &code).expect("shown");
        assert!(before.page.is_none() && before.needs_update);
        assert!(before.coordinators.iter().any(|(_, l)| l == "coordinator"));
        let total: usize = before.practices.iter().map(|(_, n)| n).sum();
        let listed = list(&cx).expect("list");
        assert_eq!(listed.len(), 89);
        assert_eq!(
            listed.iter().find(|r| r.code == code).map(|r| r.practices),
            Some(total)
        );
        let page = RegionPage {
            code: code.clone(),
            head: "Минниханов Рустам Нургалиевич".into(),
            head_position: "Раис".into(),
            team: vec![],
            note: "Проектный офис при Кабинете Министров".into(),
            updated: chrono::Utc::now(),
            updated_by: uuid::Uuid::nil(),
        };
        let asi_not = store.user_by_login("author").expect("read").expect("a");
        assert!(edit(&cx, &asi_not, page.clone()).is_err());
        edit(&cx, &coordinator, page).expect("saved");
        let after = show(&cx, &code).expect("shown");
        assert!(!after.needs_update);
        assert_eq!(after.page.expect("page").updated_by, coordinator.id);
    }
}
