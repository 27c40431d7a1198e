//! Searching the index: the query of a request (typed text, read scope,
//! section and facet filters), its results in order and its facet counts.

use tantivy::collector::{Count, FacetCollector, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, Occur, PhrasePrefixQuery, Query, TermQuery,
};
use tantivy::schema::{Facet, Field, IndexRecordOption};
use tantivy::{DocAddress, Order, Term};
use uuid::Uuid;

use crate::domain::PracticeStatus;
use crate::domain::access::ReadScope;

use super::{
    BODY_PREFIX_FROM, FacetCounts, FacetKind, ROOTS_WEIGHT, Result, SearchIndex, SearchQuery,
    SearchResults, Sort, TEXT_FIELDS, analyzer,
};

impl SearchIndex {
    fn facet_term(&self, kind: FacetKind, value: &str) -> Term {
        Term::from_facet(self.f.facets, &kind.facet(value))
    }

    #[allow(clippy::unused_self)] // keeps query building in one place
    fn term_query(&self, term: Term) -> Box<dyn Query> {
        Box::new(TermQuery::new(term, IndexRecordOption::Basic))
    }

    fn any_of(&self, kind: FacetKind, values: &[String]) -> Box<dyn Query> {
        let clauses = values
            .iter()
            .map(|v| (Occur::Should, self.term_query(self.facet_term(kind, v))))
            .collect();
        Box::new(BooleanQuery::new(clauses))
    }

    /// Who may see what, as a query clause.
    fn scope_query(&self, scope: &ReadScope) -> Box<dyn Query> {
        if scope.all {
            let deleted =
                self.term_query(self.facet_term(FacetKind::Status, PracticeStatus::Deleted.code()));
            return Box::new(BooleanQuery::new(vec![
                (Occur::Must, Box::new(AllQuery)),
                (Occur::MustNot, deleted),
            ]));
        }
        let public = self.term_query(Term::from_field_text(self.f.public, "1"));
        if scope.is_public_only() {
            return public;
        }
        let mut should = vec![(Occur::Should, public)];
        if !scope.regions.is_empty() {
            should.push((
                Occur::Should,
                self.any_of(FacetKind::Region, &scope.regions),
            ));
        }
        if !scope.categories.is_empty() {
            should.push((
                Occur::Should,
                self.any_of(FacetKind::Category, &scope.categories),
            ));
        }
        if let Some(u) = scope.member {
            should.push((
                Occur::Should,
                self.term_query(Term::from_field_text(self.f.member, &u.to_string())),
            ));
        }
        let visible: Box<dyn Query> = Box::new(BooleanQuery::new(should));
        let deleted =
            self.term_query(self.facet_term(FacetKind::Status, PracticeStatus::Deleted.code()));
        Box::new(BooleanQuery::new(vec![
            (Occur::Must, visible),
            (Occur::MustNot, deleted),
        ]))
    }

    /// The query of the typed text: every word must match in some field,
    /// by its stem, its root, or (for the word being typed) as a prefix.
    fn text_query(&self, text: &str) -> Option<Box<dyn Query>> {
        let mut ru = analyzer::ru();
        let mut root = analyzer::ru_root();
        let words: Vec<&str> = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        let typing = text.ends_with(|c: char| c.is_alphanumeric());
        let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (i, w) in words.iter().enumerate() {
            let last = typing && i + 1 == words.len();
            let stems = analyzer::tokens(&mut ru, w);
            let Some(stem) = stems.first() else {
                // A stop word: unless it is being typed, it asks for nothing.
                if last {
                    let lower = w.to_lowercase();
                    must.push((Occur::Must, self.prefix_query(&lower, w.chars().count())));
                }
                continue;
            };
            // The title by stem ranks high; everything else is matched by
            // root: a word's root follows from its stem, so the roots field
            // finds every stem match of the body as well as derived forms.
            let title = self.term_query(Term::from_field_text(self.f.text[0], stem));
            let mut should: Vec<(Occur, Box<dyn Query>)> = vec![(
                Occur::Should,
                Box::new(BoostQuery::new(title, TEXT_FIELDS[0].1)),
            )];
            if let Some(r) = analyzer::tokens(&mut root, w).first() {
                let q = self.term_query(Term::from_field_text(self.f.roots, r));
                should.push((Occur::Should, Box::new(BoostQuery::new(q, ROOTS_WEIGHT))));
            }
            if last {
                should.push((Occur::Should, self.prefix_query(stem, w.chars().count())));
            }
            must.push((Occur::Must, Box::new(BooleanQuery::new(should))));
        }
        if must.is_empty() {
            None
        } else {
            Some(Box::new(BooleanQuery::new(must)))
        }
    }

    /// The word being typed as a prefix: in titles always, in the body once
    /// it has [`BODY_PREFIX_FROM`] letters (one or two letters would expand
    /// to half the dictionary).
    fn prefix_query(&self, prefix: &str, typed_len: usize) -> Box<dyn Query> {
        let fields: &[Field] = if typed_len >= BODY_PREFIX_FROM {
            &self.f.text
        } else {
            &self.f.text[..1]
        };
        let clauses = fields
            .iter()
            .map(|field| {
                let mut q = PhrasePrefixQuery::new(vec![Term::from_field_text(*field, prefix)]);
                q.set_max_expansions(if typed_len >= BODY_PREFIX_FROM {
                    64
                } else {
                    16
                });
                (Occur::Should, Box::new(q) as Box<dyn Query>)
            })
            .collect();
        Box::new(BoostQuery::new(Box::new(BooleanQuery::new(clauses)), 0.5))
    }

    fn build_query(&self, q: &SearchQuery, skip: Option<FacetKind>) -> (Box<dyn Query>, bool) {
        let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let text = self.text_query(&q.text);
        let has_text = text.is_some();
        if let Some(t) = text {
            must.push((Occur::Must, t));
        }
        must.push((Occur::Must, self.scope_query(&q.scope)));
        if let Some(section) = q.section {
            must.push((
                Occur::Must,
                self.term_query(self.facet_term(FacetKind::Section, section.code())),
            ));
        }
        for (kind, values) in &q.filters.selected {
            if Some(*kind) == skip || values.is_empty() {
                continue;
            }
            must.push((Occur::Must, self.any_of(*kind, values)));
        }
        (Box::new(BooleanQuery::new(must)), has_text)
    }

    /// Runs a search: the total and the first `limit` ids in order.
    pub fn search(&self, q: &SearchQuery) -> Result<SearchResults> {
        let searcher = self.reader.searcher();
        let (query, has_text) = self.build_query(q, None);
        let limit = q.limit.max(1);
        let top = TopDocs::with_limit(limit);
        let addrs: Vec<DocAddress>;
        let total;
        match (q.sort, has_text) {
            (Sort::Relevance, true) => {
                let (docs, n) = searcher.search(&query, &(top.order_by_score(), Count))?;
                addrs = docs.into_iter().map(|(_, a)| a).collect();
                total = n;
            }
            (Sort::YearDesc, _) => {
                let (docs, n) = searcher.search(
                    &query,
                    &(
                        top.order_by_string_fast_field("year_sort", Order::Asc),
                        Count,
                    ),
                )?;
                addrs = docs.into_iter().map(|(_, a)| a).collect();
                total = n;
            }
            (Sort::Region, _) => {
                let (docs, n) = searcher.search(
                    &query,
                    &(
                        top.order_by_string_fast_field("region_sort", Order::Asc),
                        Count,
                    ),
                )?;
                addrs = docs.into_iter().map(|(_, a)| a).collect();
                total = n;
            }
            (Sort::Title | Sort::Relevance, _) => {
                let (docs, n) = searcher.search(
                    &query,
                    &(
                        top.order_by_string_fast_field("title_sort", Order::Asc),
                        Count,
                    ),
                )?;
                addrs = docs.into_iter().map(|(_, a)| a).collect();
                total = n;
            }
        }
        let mut ids = Vec::with_capacity(addrs.len());
        for a in addrs {
            let seg = searcher.segment_reader(a.segment_ord);
            let ff = seg.fast_fields();
            let hi = ff.u64("id_hi")?.first(a.doc_id).unwrap_or(0);
            let lo = ff.u64("id_lo")?.first(a.doc_id).unwrap_or(0);
            ids.push(Uuid::from_u64_pair(hi, lo));
        }
        Ok(SearchResults { total, ids })
    }

    /// Counts per facet value for the request. Each kind is counted with the
    /// other kinds' filters applied but not its own, so a user can widen a
    /// selection.
    pub fn facet_counts(&self, q: &SearchQuery) -> Result<FacetCounts> {
        let searcher = self.reader.searcher();
        let mut out = FacetCounts::new();
        for kind in FacetKind::ALL {
            let (query, _) = self.build_query(q, Some(kind));
            let mut c = FacetCollector::for_field("facets");
            c.add_facet(Facet::from_path([kind.code()]));
            let counts = searcher.search(&query, &c)?;
            let mut values: Vec<(String, u64)> = counts
                .get(Facet::from_path([kind.code()]))
                .filter_map(|(facet, n)| facet.to_path().last().map(|v| ((*v).to_owned(), n)))
                .collect();
            values.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            out.insert(kind, values);
        }
        Ok(out)
    }

    /// Documents in the index.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Whether a practice is in the index.
    #[cfg(test)]
    pub(super) fn has_practice(&self, id: crate::domain::PracticeId) -> Result<bool> {
        let searcher = self.reader.searcher();
        let q = self.term_query(Term::from_field_text(self.f.id, &id.to_string()));
        Ok(searcher.search(&q, &Count)? > 0)
    }
}
