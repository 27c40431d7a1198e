//! The query language over the catalogue ([`crate::domain::query`]): the
//! rows a query reads, kept in memory and brought up to the store by its
//! change log; the practices a reader may read that meet a query; actions
//! on all of them, previewed first.

use std::collections::{HashMap, HashSet};

use super::{Ctx, ServiceError};
use crate::domain::query::{Cond, Facts, Query, Row, parse};
use crate::domain::queue::Summary;
use crate::domain::{PracticeId, User};
use crate::search::{SearchIndex, SearchQuery};
use crate::store::{EntityRef, Store, StoreError};

type WordCache = HashMap<String, (u64, std::sync::Arc<HashSet<PracticeId>>)>;

/// Every practice's row and summary (the read scope looks at it), with
/// the change the table is up to.
#[derive(Debug, Default)]
pub struct Table {
    /// The rows a query reads, apart from the summaries the read scope
    /// reads (only for the rows that match): a scan reads less memory.
    rows: Vec<Row>,
    summaries: Vec<Summary>,
    /// The index's answer for each word lately asked, with the change it
    /// was up to.
    words: std::sync::Mutex<WordCache>,
    at: HashMap<PracticeId, usize>,
    /// Logins by user, and applications to replicate by practice: read
    /// once, then kept by the changes (not read again for every row).
    logins: HashMap<crate::domain::UserId, String>,
    apps: HashMap<PracticeId, u32>,
    seq: u64,
}

fn logins(store: &Store) -> Result<HashMap<crate::domain::UserId, String>, StoreError> {
    store
        .users()
        .map(|u| u.map(|u| (u.id, u.login.to_lowercase())))
        .collect()
}

fn applications(store: &Store) -> Result<HashMap<PracticeId, u32>, StoreError> {
    let mut out = HashMap::new();
    for a in store.applications()? {
        *out.entry(a.practice).or_insert(0) += 1;
    }
    Ok(out)
}

impl Table {
    /// The rows of every practice in `store`.
    pub fn build(store: &Store) -> Result<Self, StoreError> {
        let mut t = Self {
            seq: store.last_seq()?,
            logins: logins(store)?,
            apps: applications(store)?,
            ..Self::default()
        };
        let ids: Vec<PracticeId> = store
            .summary_heads()
            .map(|h| h.map(|h| h.id))
            .collect::<Result<_, _>>()?;
        t.refresh(store, &ids)?;
        Ok(t)
    }

    /// Brings the rows up to the store: the practices (and their
    /// applications) changed since the table was made.
    pub fn catch_up(&mut self, store: &Store) -> Result<usize, StoreError> {
        let mut changed = Vec::new();
        let mut seq = self.seq;
        let mut apps = false;
        for c in store.changes_since(self.seq) {
            let c = c?;
            seq = c.seq;
            for e in c.entities {
                match e {
                    EntityRef::Practice(id) => changed.push(id),
                    EntityRef::Application(id) => {
                        apps = true;
                        if let Some(a) = store.application(id)? {
                            changed.push(a.practice);
                        }
                    }
                    EntityRef::User(id) => self.relogin(store, id)?,
                    _ => {}
                }
            }
        }
        if apps {
            self.apps = applications(store)?;
        }
        changed.sort_unstable();
        changed.dedup();
        self.refresh(store, &changed)?;
        self.seq = seq;
        Ok(changed.len())
    }

    /// A user changed: a new login is put where the old one stood.
    fn relogin(&mut self, store: &Store, id: crate::domain::UserId) -> Result<(), StoreError> {
        let Some(u) = store.user(id)? else {
            return Ok(());
        };
        let new = u.login.to_lowercase();
        let old = self.logins.insert(id, new.clone());
        if let Some(old) = old.filter(|o| *o != new) {
            for row in &mut self.rows {
                for name in std::iter::once(&mut row.author).chain(row.experts.iter_mut()) {
                    if *name == old {
                        name.clone_from(&new);
                    }
                }
            }
        }
        Ok(())
    }

    fn refresh(&mut self, store: &Store, ids: &[PracticeId]) -> Result<(), StoreError> {
        let logins = &self.logins;
        let login = |u| logins.get(&u).cloned().unwrap_or_default();
        let apps = &self.apps;
        for id in ids {
            let (Some(s), Some(view)) = (store.summary(*id)?, store.queue_view(*id)?) else {
                continue;
            };
            let row = Row::of(
                &s,
                view.passport.route,
                apps.get(id).copied().unwrap_or(0),
                &login,
            );
            if let Some(&i) = self.at.get(id) {
                self.rows[i] = row;
                self.summaries[i] = s;
            } else {
                self.at.insert(*id, self.rows.len());
                self.rows.push(row);
                self.summaries.push(s);
            }
        }
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The rows `reader` may read that meet `q`, in the table's order
    /// (oldest practice first); `text` says which practices the search
    /// index finds for a word or phrase.
    pub fn find<'a>(
        &'a self,
        cx: &Ctx<'_>,
        reader: Option<&User>,
        q: &Query,
        text: &dyn Fn(&Cond, PracticeId) -> bool,
    ) -> Result<Vec<&'a Row>, StoreError> {
        let scope = crate::service::selections::scope_of(cx.store, reader)?;
        Ok(self
            .find_in(cx, &scope, q, text)
            .into_iter()
            .map(|(_, row)| row)
            .collect())
    }

    /// [`Table::find`] within a read scope already made, with the rows'
    /// summaries.
    pub fn find_in<'a>(
        &'a self,
        cx: &Ctx<'_>,
        scope: &crate::domain::access::ReadScope,
        q: &Query,
        text: &dyn Fn(&Cond, PracticeId) -> bool,
    ) -> Vec<(&'a Summary, &'a Row)> {
        let facts = Facts {
            today: cx.today(),
            calendar: cx.calendar(),
            text,
        };
        self.rows
            .iter()
            .zip(&self.summaries)
            .filter(|(row, s)| q.matches(row, &facts) && scope.can_read_row(s))
            .map(|(row, s)| (s, row))
            .collect()
    }
}

/// Why a query gave no rows: its text is wrong (shown with the token
/// marked), or the store failed.
#[derive(Debug)]
pub enum QueryError {
    Parse(String),
    Store(ServiceError),
}

impl From<QueryError> for ServiceError {
    fn from(e: QueryError) -> Self {
        match e {
            QueryError::Parse(shown) => ServiceError::refused(shown),
            QueryError::Store(e) => e,
        }
    }
}

impl From<StoreError> for QueryError {
    fn from(e: StoreError) -> Self {
        Self::Store(e.into())
    }
}

/// The practices the search index found for each word and phrase.
#[derive(Debug, Default)]
pub struct Found(HashMap<String, std::sync::Arc<HashSet<PracticeId>>>);

/// Which practices the search index finds for each word and phrase of
/// `q`, in any section and whoever reads (the rows are then read by the
/// reader's scope); without an index, the words are looked for in the
/// titles.
pub fn texts(index: Option<&SearchIndex>, table: &Table, q: &Query) -> Result<Found, QueryError> {
    match index {
        Some(i) => table.words(i, q),
        None => Ok(Found::default()),
    }
}

impl Table {
    /// [`texts`] with an index: each word asked once per state of the
    /// index, kept until the index takes another change.
    fn words(&self, index: &SearchIndex, q: &Query) -> Result<Found, QueryError> {
        let seq = index.indexed_seq();
        let mut cache = self
            .words
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut out = Found::default();
        for c in q.texts() {
            let (Cond::Word(t) | Cond::Phrase(t)) = c else {
                continue;
            };
            if let Some((at, ids)) = cache.get(t)
                && *at == seq
            {
                out.0.insert(t.clone(), ids.clone());
                continue;
            }
            let found = index
                .matching_ids(&SearchQuery {
                    text: format!("{t} "),
                    scope: crate::domain::access::ReadScope {
                        all: true,
                        ..Default::default()
                    },
                    ..SearchQuery::default()
                })
                .map_err(|e| QueryError::Store(ServiceError::refused(e.to_string())))?;
            let ids = std::sync::Arc::new(found.into_iter().collect::<HashSet<_>>());
            // A few hundred words are plenty; the cache starts again then.
            if cache.len() > 512 {
                cache.clear();
            }
            cache.insert(t.clone(), (seq, ids.clone()));
            out.0.insert(t.clone(), ids);
        }
        Ok(out)
    }
}

/// Whether a practice meets a word or phrase: found by the index where
/// it was asked ([`texts`]), else in the title.
pub fn text_hit<'a>(found: &'a Found, table: &'a Table) -> impl Fn(&Cond, PracticeId) -> bool + 'a {
    move |c, id| {
        let (Cond::Word(t) | Cond::Phrase(t)) = c else {
            return false;
        };
        match found.0.get(t) {
            Some(ids) => ids.contains(&id),
            None => table.at.get(&id).is_some_and(|i| {
                let fold = |s: &str| s.to_lowercase().replace('ё', "е");
                fold(&table.rows[*i].title).contains(&fold(t))
            }),
        }
    }
}

/// The rows of the practices `reader` may read that meet the query
/// `text`, read from the store now (the command line's one question).
pub fn run(
    cx: &Ctx<'_>,
    reader: Option<&User>,
    text: &str,
    index: Option<&SearchIndex>,
) -> Result<Vec<Row>, QueryError> {
    let q = parse(text).map_err(|e| QueryError::Parse(e.show(text)))?;
    let table = Table::build(cx.store)?;
    let found = texts(index, &table, &q)?;
    let hit = text_hit(&found, &table);
    Ok(table
        .find(cx, reader, &q, &hit)?
        .into_iter()
        .cloned()
        .collect())
}

/// One practice of a bulk action: what it reaches (or would), or why
/// not.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Bulk {
    pub practice: PracticeId,
    pub title: String,
    /// The status it reaches («Упаковка → Экспертная оценка»), or the
    /// refusal.
    pub result: Result<String, String>,
}

/// Takes `kind` on each of `ids` as `actor`: with `apply`, each as its own
/// command through the one command path (its own audit entry, and its own
/// op on a linked store); without, only what each would do. `progress`
/// hears after each practice: done, of all.
pub fn bulk(
    cx: &Ctx<'_>,
    blobs: &crate::store::blobs::Blobs,
    actor: &User,
    ids: &[PracticeId],
    (kind, input): (
        crate::domain::workflow::Action,
        &crate::service::workflow::ActInput,
    ),
    apply: bool,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Vec<Bulk>, StoreError> {
    use crate::service::workflow as wf;
    let mut out = Vec::with_capacity(ids.len());
    for (i, id) in ids.iter().enumerate() {
        let before = cx.store.summary(*id)?;
        let title = before.as_ref().map(|s| s.title.clone()).unwrap_or_default();
        let done = if apply {
            wf::act(cx, blobs, actor, *id, kind, input)
        } else {
            wf::preview(cx, actor, *id, kind, input)
        };
        let result = match done {
            Ok(p) => Ok(match &before {
                Some(b) if b.status != p.status => {
                    format!("{} → {}", b.status.name(), p.status.name())
                }
                _ => format!("{} (статус тот же)", p.status.name()),
            }),
            // The store failing: what was done stays said, the rest waits.
            Err(e) if e.is_internal() => {
                out.push(Bulk {
                    practice: *id,
                    title,
                    result: Err(format!("остановлено: {}", e.message())),
                });
                progress(i + 1, ids.len());
                break;
            }
            // The reasons alone: the line already says it was refused.
            Err(ServiceError::Refused(reasons)) => Err(reasons.join(" ")),
            Err(e) => Err(e.message()),
        };
        out.push(Bulk {
            practice: *id,
            title,
            result,
        });
        progress(i + 1, ids.len());
    }
    Ok(out)
}

/// The catalogue's search line read as a query (it [`has_conditions`]):
/// the practices of the search's scope and section that meet it, with its
/// facets, sorted as asked; the total and the first `limit` rows.
/// `table` is caught up with the store first.
///
/// [`has_conditions`]: crate::domain::query::has_conditions
pub fn catalogue(
    cx: &Ctx<'_>,
    table: &mut Table,
    index: &SearchIndex,
    search: &SearchQuery,
) -> Result<(usize, Vec<crate::service::views::Row>), QueryError> {
    use crate::search::Sort;
    // Parsed as typed: the place of a wrong token counts the spaces.
    let q = parse(&search.text).map_err(|e| QueryError::Parse(e.short()))?;
    table.catch_up(cx.store)?;
    let found = table.words(index, &q)?;
    // The facets chosen beside the query: the index knows them.
    let faceted: Option<HashSet<PracticeId>> = if search.filters.is_empty() {
        None
    } else {
        let r = index
            .matching_ids(&SearchQuery {
                filters: search.filters.clone(),
                scope: search.scope.clone(),
                section: search.section,
                ..SearchQuery::default()
            })
            .map_err(|e| QueryError::Store(ServiceError::refused(e.to_string())))?;
        Some(r.into_iter().collect())
    };
    let hit = text_hit(&found, table);
    let mut rows: Vec<&Summary> = table
        .find_in(cx, &search.scope, &q, &hit)
        .into_iter()
        .map(|(s, _)| s)
        .filter(|s| search.section.is_none_or(|x| s.status.section() == x))
        .filter(|s| faceted.as_ref().is_none_or(|f| f.contains(&s.id)))
        .collect();
    match search.sort {
        Sort::Relevance => {}
        Sort::Title => rows.sort_by(|a, b| a.title.cmp(&b.title)),
        Sort::YearDesc => rows.sort_by_key(|s| std::cmp::Reverse(s.year)),
        Sort::Region => rows.sort_by(|a, b| a.region.cmp(&b.region)),
    }
    let total = rows.len();
    Ok((
        total,
        rows.into_iter()
            .take(search.limit.max(1))
            .map(crate::service::views::Row::of)
            .collect(),
    ))
}

/// The longest name of a saved view.
pub const VIEW_NAME_MAX: usize = 40;

/// A view's name as kept: its words with single spaces.
pub fn view_name(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Saves `user`'s view `name` of the query `text`, checked first: a name
/// of at most [`VIEW_NAME_MAX`] characters, a query that parses. A view of
/// that name is replaced. It reaches the user's other workstations.
pub fn save_view(cx: &Ctx<'_>, user: &User, name: &str, text: &str) -> Result<(), QueryError> {
    change_view_with(cx, user, name, Some(text), |_| {}).map(drop)
}

/// Deletes `user`'s view `name`; whether there was one.
pub fn delete_view(cx: &Ctx<'_>, user: &User, name: &str) -> Result<bool, ServiceError> {
    change_view_with(cx, user, name, None, |_| {}).map_err(Into::into)
}

/// One of `user`'s views saved (`query`) or deleted (none), applied to
/// their views as this store has them: an op on a linked store, the
/// server's record from an op (`extra` records it). Whether anything
/// changed.
pub fn change_view_with(
    cx: &Ctx<'_>,
    user: &User,
    name: &str,
    query: Option<&str>,
    extra: impl FnOnce(&mut crate::store::Mutation),
) -> Result<bool, QueryError> {
    let name = view_name(name);
    let mut views = cx.store.views(user.id)?;
    let before = views.len();
    views.retain(|(n, _)| *n != name);
    if let Some(text) = query {
        if name.is_empty() || name.chars().count() > VIEW_NAME_MAX {
            return Err(QueryError::Store(ServiceError::bad(format!(
                "Название вида — от 1 до {VIEW_NAME_MAX} знаков."
            ))));
        }
        if text.chars().count() > 1000 {
            return Err(QueryError::Store(ServiceError::bad(
                "Запрос вида — не длиннее 1000 знаков.",
            )));
        }
        parse(text).map_err(|e| QueryError::Parse(e.show(text)))?;
        if views.len() >= 200 {
            return Err(QueryError::Store(ServiceError::refused(
                "сохранённых видов не больше 200",
            )));
        }
        views.push((name.clone(), text.trim().to_owned()));
        views.sort();
    } else if views.len() == before {
        return Ok(false);
    }
    let mut m = crate::store::Mutation::new(
        Some(user.id),
        "views.save",
        match query {
            Some(_) => format!("Сохранён вид «{name}»"),
            None => format!("Удалён вид «{name}»"),
        },
    )
    .at(cx.now())
    .with(crate::store::Record::Views(Box::new(
        crate::domain::query::Views {
            user: user.id,
            views,
        },
    )));
    m.op = Some(crate::sync::protocol::OpKind::View {
        name,
        query: query.map(|q| q.trim().to_owned()),
    });
    extra(&mut m);
    cx.store.commit(&m)?;
    Ok(true)
}

/// `user`'s saved views with how many practices each finds now:
/// (name, query, count).
pub fn views(
    cx: &Ctx<'_>,
    table: &Table,
    index: Option<&SearchIndex>,
    user: &User,
) -> Result<Vec<(String, String, usize)>, QueryError> {
    let scope = crate::service::selections::scope_of(cx.store, Some(user))?;
    let mut out = Vec::new();
    for (name, text) in cx.store.views(user.id)? {
        // A view saved by an older version may no longer parse: it is
        // listed, finding nothing, so it can be deleted.
        let count = match parse(&text) {
            Ok(q) => {
                let found = texts(index, table, &q)?;
                let hit = text_hit(&found, table);
                table.find_in(cx, &scope, &q, &hit).len()
            }
            Err(_) => 0,
        };
        out.push((name, text, count));
    }
    Ok(out)
}

/// `user`'s saved views as tabs of «Очереди»: the practices each finds
/// now, as a queue lists them, the nearest deadline first. `table` is
/// caught up with the store first.
pub fn view_queues(
    cx: &Ctx<'_>,
    table: &mut Table,
    index: Option<&SearchIndex>,
    user: &User,
) -> Result<Vec<crate::domain::queue::Queue>, QueryError> {
    table.catch_up(cx.store)?;
    let scope = crate::service::selections::scope_of(cx.store, Some(user))?;
    let mut out = Vec::new();
    for (name, text) in cx.store.views(user.id)? {
        let Ok(q) = parse(&text) else {
            continue;
        };
        let found = texts(index, table, &q)?;
        let hit = text_hit(&found, table);
        let mut items: Vec<crate::domain::queue::Item> = table
            .find_in(cx, &scope, &q, &hit)
            .into_iter()
            .map(|(s, _)| crate::domain::queue::item(s, cx.calendar(), cx.today()))
            .collect();
        items.sort_by_key(|i| (i.deadline.is_none(), i.deadline, i.since));
        out.push(crate::domain::queue::Queue {
            code: format!("view:{name}").into(),
            name: name.into(),
            items,
        });
    }
    Ok(out)
}
