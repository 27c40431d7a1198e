//! Full-text search over the catalogue: a tantivy index with Russian
//! stemming, facets, and catch-up from the store's change log.
//!
//! The index lives in `<data>/index`. Its last commit carries the change-log
//! sequence it reflects; opening it replays only the changes after that, and
//! a missing, corrupt or outdated index is rebuilt from the store.

pub mod analyzer;
mod query;
pub mod relevance;
mod synonyms;
pub use query::meaning;

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::Serialize;
use tantivy::schema::{
    FAST, Facet, FacetOptions, Field, IndexRecordOption, STRING, Schema, TextFieldIndexing,
    TextOptions,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use crate::domain::access::ReadScope;
use crate::domain::refdata::refdata;
use crate::domain::{Practice, PracticeId, PracticeStatus, Section};
use crate::store::{EntityRef, Store, StoreError};

/// Bump when the schema or analysis changes: the index is then rebuilt.
const SCHEMA_VERSION: u32 = 6;
const WRITER_HEAP: usize = 64 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("Ошибка поискового индекса: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("Ошибка поискового индекса: {0}")]
    Open(#[from] tantivy::directory::error::OpenDirectoryError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("Ошибка поискового индекса: {0}")]
    Io(#[from] std::io::Error),
}

pub type Result<T, E = SearchError> = std::result::Result<T, E>;

/// The searchable text fields and their weights: the title; the body made
/// of the goal, tasks, essence, audience and results; and the core — the
/// goal and tasks again, which say what a practice is for: a practice
/// whose goal and tasks hold every word ranks above one that has them in
/// generic text.
const TEXT_FIELDS: [(&str, f32); 3] = [("title", 3.0), ("body", 1.0), ("core", 2.0)];
/// A word being typed matches as a prefix in the body only from this length;
/// shorter ones match titles.
const BODY_PREFIX_FROM: usize = 3;
/// Words this long or longer tolerate one typo when nothing matches.
const TYPO_FROM: usize = 5;
const ROOTS_WEIGHT: f32 = 1.0;

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    id_hi: Field,
    id_lo: Field,
    text: [Field; 3],
    roots: Field,
    facets: Field,
    member: Field,
    public: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let ru = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(analyzer::RU)
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let roots = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(analyzer::RU_ROOT)
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let id = b.add_text_field("id", STRING);
    let id_hi = b.add_u64_field("id_hi", FAST);
    let id_lo = b.add_u64_field("id_lo", FAST);
    let text = TEXT_FIELDS.map(|(name, _)| b.add_text_field(name, ru.clone()));
    let roots = b.add_text_field("roots", roots);
    // Sort keys end with the id, so equal titles always come in one order
    // whatever the segment layout.
    b.add_text_field("title_sort", STRING | FAST);
    b.add_text_field("region_sort", STRING | FAST);
    b.add_text_field("year_sort", STRING | FAST);
    let facets = b.add_facet_field("facets", FacetOptions::default());
    let member = b.add_text_field("member", STRING);
    let public = b.add_text_field("public", STRING);
    (
        b.build(),
        Fields {
            id,
            id_hi,
            id_lo,
            text,
            roots,
            facets,
            member,
            public,
        },
    )
}

/// The kinds of facet (SPEC §8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FacetKind {
    Category,
    Region,
    District,
    Level,
    Status,
    Section,
    Year,
    Indicator,
}

impl FacetKind {
    pub const ALL: [FacetKind; 8] = [
        Self::Category,
        Self::Region,
        Self::District,
        Self::Level,
        Self::Status,
        Self::Section,
        Self::Year,
        Self::Indicator,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Category => "category",
            Self::Region => "region",
            Self::District => "district",
            Self::Level => "level",
            Self::Status => "status",
            Self::Section => "section",
            Self::Year => "year",
            Self::Indicator => "indicator",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Category => "Категория",
            Self::Region => "Регион",
            Self::District => "Федеральный округ",
            Self::Level => "Уровень",
            Self::Status => "Статус",
            Self::Section => "Раздел каталога",
            Self::Year => "Год реализации",
            Self::Indicator => "Показатель рейтинга",
        }
    }

    /// The Russian name of a facet value.
    pub fn value_name(self, value: &str) -> String {
        let d = refdata();
        match self {
            Self::Category => d.category_name(value).to_owned(),
            Self::Region => d.region_name(value).to_owned(),
            Self::District => d
                .district(value)
                .map_or(value, |x| x.name.as_str())
                .to_owned(),
            Self::Level => value
                .parse()
                .ok()
                .and_then(crate::domain::passport::Level::from_number)
                .map_or_else(|| value.to_owned(), |l| format!("{value} — {}", l.name())),
            Self::Status => PracticeStatus::from_code(value)
                .map_or_else(|| value.to_owned(), |s| s.name().to_owned()),
            Self::Section => match value {
                "main" => Section::Main.name().to_owned(),
                "knowledge-base" => Section::KnowledgeBase.name().to_owned(),
                v => v.to_owned(),
            },
            Self::Year => value.to_owned(),
            Self::Indicator => d
                .indicator(value)
                .map_or(value, |i| i.name.as_str())
                .to_owned(),
        }
    }

    fn facet(self, value: &str) -> Facet {
        Facet::from_path([self.code(), value])
    }
}

/// Selected facet values: within a kind any may match, across kinds all must.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    pub selected: BTreeMap<FacetKind, Vec<String>>,
}

impl Filters {
    pub fn toggle(&mut self, kind: FacetKind, value: &str) {
        let v = self.selected.entry(kind).or_default();
        if let Some(i) = v.iter().position(|x| x == value) {
            v.remove(i);
        } else {
            v.push(value.to_owned());
        }
        if v.is_empty() {
            self.selected.remove(&kind);
        }
    }

    pub fn set(&mut self, kind: FacetKind, values: Vec<String>) {
        if values.is_empty() {
            self.selected.remove(&kind);
        } else {
            self.selected.insert(kind, values);
        }
    }

    pub fn is_selected(&self, kind: FacetKind, value: &str) -> bool {
        self.selected
            .get(&kind)
            .is_some_and(|v| v.iter().any(|x| x == value))
    }

    pub fn is_empty(&self) -> bool {
        self.selected.is_empty()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// By relevance when there is a query, else by title.
    #[default]
    Relevance,
    Title,
    YearDesc,
    Region,
}

impl Sort {
    pub fn name(self) -> &'static str {
        match self {
            Self::Relevance => "по релевантности",
            Self::Title => "по названию",
            Self::YearDesc => "сначала новые",
            Self::Region => "по региону",
        }
    }

    pub fn next(self) -> Self {
        match self {
            Self::Relevance => Self::Title,
            Self::Title => Self::YearDesc,
            Self::YearDesc => Self::Region,
            Self::Region => Self::Relevance,
        }
    }
}

/// A search request.
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    pub text: String,
    pub filters: Filters,
    pub section: Option<Section>,
    pub scope: ReadScope,
    pub sort: Sort,
    pub limit: usize,
}

#[derive(Debug, Clone, Default)]
pub struct SearchResults {
    /// How many practices match in all.
    pub total: usize,
    /// The first `limit` of them, in order.
    pub ids: Vec<PracticeId>,
    /// When the text as typed found nothing and one typo corrected finds
    /// something, the corrected text; the results are then its results.
    pub suggestion: Option<String>,
}

/// Facet values with counts, per kind.
pub type FacetCounts = BTreeMap<FacetKind, Vec<(String, u64)>>;

/// What opening the index had to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CatchUp {
    pub rebuilt: bool,
    pub reindexed: usize,
    pub seq: u64,
}

pub struct SearchIndex {
    dir: PathBuf,
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    f: Fields,
    /// The change-log sequence of the last commit.
    indexed: std::sync::atomic::AtomicU64,
    /// The change the searcher sees: set once the reader has reloaded
    /// after a commit (`indexed` is set before, so a second catch-up does
    /// not index the same changes again).
    visible: std::sync::atomic::AtomicU64,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("dir", &self.dir)
            .finish()
    }
}

fn register(index: &Index) {
    index.tokenizers().register(analyzer::RU, analyzer::ru());
    index
        .tokenizers()
        .register(analyzer::RU_ROOT, analyzer::ru_root());
}

fn payload(seq: u64) -> String {
    format!("v{SCHEMA_VERSION}:{seq}")
}

fn parse_payload(p: Option<&str>) -> Option<u64> {
    let rest = p?.strip_prefix(&format!("v{SCHEMA_VERSION}:"))?;
    rest.parse().ok()
}

impl SearchIndex {
    /// The change-log sequence the searcher sees.
    pub fn indexed_seq(&self) -> u64 {
        self.visible.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Opens the index in `dir` and brings it up to the store: replays the
    /// change log after the index's last commit, or rebuilds it when it is
    /// missing, corrupt or of another schema.
    pub fn open(dir: &Path, store: &Store) -> Result<(Self, CatchUp)> {
        match Self::try_open(dir) {
            Ok((s, Some(seq))) => {
                s.indexed.store(seq, std::sync::atomic::Ordering::SeqCst);
                s.visible.store(seq, std::sync::atomic::Ordering::SeqCst);
                let n = s.catch_up_from(store, seq)?;
                let seq = store.last_seq()?;
                Ok((
                    s,
                    CatchUp {
                        rebuilt: false,
                        reindexed: n,
                        seq,
                    },
                ))
            }
            Ok((s, None)) => {
                drop(s);
                Self::rebuild(dir, store)
            }
            Err(e) => {
                tracing::warn!(error = %e, "search index unreadable, rebuilding");
                Self::rebuild(dir, store)
            }
        }
    }

    fn try_open(dir: &Path) -> Result<(Self, Option<u64>)> {
        let index = Index::open_in_dir(dir)?;
        let (_, f) = schema();
        if index.schema() != schema().0 {
            return Err(tantivy::TantivyError::SchemaError("schema changed".into()).into());
        }
        register(&index);
        let seq = parse_payload(index.load_metas()?.payload.as_deref());
        let s = Self::with_index(dir, index, f)?;
        Ok((s, seq))
    }

    fn with_index(dir: &Path, index: Index, f: Fields) -> Result<Self> {
        let writer = index.writer_with_num_threads(2, WRITER_HEAP)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Self {
            dir: dir.to_owned(),
            index,
            reader,
            writer: Mutex::new(writer),
            f,
            indexed: std::sync::atomic::AtomicU64::new(0),
            visible: std::sync::atomic::AtomicU64::new(0),
        })
    }

    /// Drops whatever is in `dir` and indexes every practice of the store.
    pub fn rebuild(dir: &Path, store: &Store) -> Result<(Self, CatchUp)> {
        if dir.exists() {
            std::fs::remove_dir_all(dir)?;
        }
        std::fs::create_dir_all(dir)?;
        let (schema, f) = schema();
        let index = Index::create_in_dir(dir, schema)?;
        register(&index);
        let s = Self::with_index(dir, index, f)?;
        let seq = store.last_seq()?;
        let mut n = 0;
        {
            let w = s.lock_writer();
            for p in store.practices() {
                let p = p?;
                w.add_document(s.document(&p))?;
                n += 1;
            }
        }
        s.commit(seq)?;
        Ok((
            s,
            CatchUp {
                rebuilt: true,
                reindexed: n,
                seq,
            },
        ))
    }

    fn lock_writer(&self) -> std::sync::MutexGuard<'_, IndexWriter> {
        self.writer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn commit(&self, seq: u64) -> Result<()> {
        self.indexed.store(seq, std::sync::atomic::Ordering::SeqCst);
        {
            let mut w = self.lock_writer();
            let mut prepared = w.prepare_commit()?;
            prepared.set_payload(&payload(seq));
            prepared.commit()?;
        }
        self.reader.reload()?;
        self.visible.store(seq, std::sync::atomic::Ordering::SeqCst);
        Ok(())
    }

    /// Re-indexes the practices changed since the index's last commit: one
    /// read of the store's sequence when nothing changed.
    pub fn catch_up(&self, store: &Store) -> Result<usize> {
        let indexed = self.indexed.load(std::sync::atomic::Ordering::SeqCst);
        if store.last_seq()? > indexed {
            self.catch_up_from(store, indexed)
        } else {
            Ok(0)
        }
    }

    fn catch_up_from(&self, store: &Store, seq: u64) -> Result<usize> {
        let mut ids: Vec<PracticeId> = Vec::new();
        let mut seen = HashSet::new();
        let mut last = seq;
        for c in store.changes_since(seq) {
            let c = c?;
            last = c.seq;
            for e in c.entities {
                if let EntityRef::Practice(id) = e
                    && seen.insert(id)
                {
                    ids.push(id);
                }
            }
        }
        if last == seq {
            return Ok(0);
        }
        {
            let w = self.lock_writer();
            for id in &ids {
                w.delete_term(Term::from_field_text(self.f.id, &id.to_string()));
                if let Some(p) = store.practice(*id)? {
                    w.add_document(self.document(&p))?;
                }
            }
        }
        self.commit(last)?;
        Ok(ids.len())
    }

    fn document(&self, p: &Practice) -> TantivyDocument {
        let f = &self.f;
        let pp = &p.passport;
        let mut d = TantivyDocument::default();
        d.add_text(f.id, p.id.to_string());
        let (hi, lo) = p.id.as_u64_pair();
        d.add_u64(f.id_hi, hi);
        d.add_u64(f.id_lo, lo);
        let body = [
            pp.goal.clone(),
            pp.tasks.join("\n"),
            pp.essence.clone(),
            format!("{}\n{}", pp.audience.main, pp.audience.secondary),
            results_text(p),
        ]
        .join("\n");
        d.add_text(f.text[0], &pp.title);
        d.add_text(f.text[1], &body);
        d.add_text(f.text[2], format!("{}\n{}", pp.goal, pp.tasks.join("\n")));
        d.add_text(f.roots, format!("{}\n{body}", pp.title));
        if p.status.is_public() {
            d.add_text(f.public, "1");
        }
        let schema = self.index.schema();
        let field = |n: &str| schema.get_field(n).unwrap_or(f.id);
        let title_key = format!("{}\u{1}{}", pp.title.to_lowercase(), p.id);
        let region = p.region().unwrap_or("");
        d.add_text(
            field("region_sort"),
            format!(
                "{}\u{1}{title_key}",
                refdata().region_name(region).to_lowercase()
            ),
        );
        let newest_first = 9999 - pp.year.unwrap_or(0).clamp(0, 9999);
        d.add_text(
            field("year_sort"),
            format!("{newest_first:04}\u{1}{title_key}"),
        );
        d.add_text(field("title_sort"), title_key);
        if let Some(y) = pp.year {
            d.add_facet(f.facets, FacetKind::Year.facet(&y.to_string()));
        }
        for (kind, value) in facet_values(p) {
            d.add_facet(f.facets, kind.facet(&value));
        }
        d.add_text(f.member, p.author.to_string());
        for m in &pp.team {
            if let crate::domain::passport::Member::User(u) = m.member {
                d.add_text(f.member, u.to_string());
            }
        }
        // Experts read what they are asked to assess.
        if let Some(s) = &p.workflow.session {
            for e in &s.experts {
                d.add_text(f.member, e.to_string());
            }
        }
        d
    }
}

fn results_text(p: &Practice) -> String {
    let r = &p.passport.results;
    let mut s = format!("{}\n{}", r.main, r.additional);
    for m in &r.measures {
        s.push('\n');
        s.push_str(&m.indicator);
    }
    s
}

/// The facet values of a practice (all kinds but the year).
pub fn facet_values(p: &Practice) -> Vec<(FacetKind, String)> {
    let pp = &p.passport;
    let mut v = vec![
        (FacetKind::Status, p.status.code().to_owned()),
        (FacetKind::Section, p.section().code().to_owned()),
    ];
    if let Some(c) = pp.category_code() {
        v.push((FacetKind::Category, c.to_owned()));
    }
    if let Some(r) = p.region() {
        v.push((FacetKind::Region, r.to_owned()));
        if let Some(d) = refdata().district_of(r) {
            v.push((FacetKind::District, d.code.clone()));
        }
    }
    if let Some(l) = pp.level {
        v.push((FacetKind::Level, l.number().to_string()));
    }
    for i in &pp.rating_indicators {
        v.push((FacetKind::Indicator, i.clone()));
    }
    v
}

#[cfg(test)]
mod tests;
