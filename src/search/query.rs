//! Searching the index: the query of a request (typed text, read scope,
//! section and facet filters), its results in order and its facet counts.

use std::ops::Bound;

/// How many letters shorter than the word being typed a stem or root it
/// begins with may be («школьный» → «школ»).
const HEAD_SLACK: usize = 4;
/// How many spellings one edit away are tried for a word that finds
/// nothing.
const TYPO_TRIES: usize = 5;
/// A submitted query with fewer results than this also shows the
/// practices that lack one of its words.
const RELAX_BELOW: usize = 5;
use tantivy::collector::{Count, FacetCollector, TopDocs};

use tantivy::query::{AllQuery, BooleanQuery, BoostQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{Facet, IndexRecordOption};
use tantivy::{DocAddress, Order, Term};
use uuid::Uuid;

use crate::domain::PracticeStatus;
use crate::domain::access::ReadScope;

use super::{
    BODY_PREFIX_FROM, FacetCounts, FacetKind, ROOTS_WEIGHT, Result, SearchIndex, SearchQuery,
    SearchResults, Sort, TEXT_FIELDS, TYPO_FROM, analyzer,
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

    /// The query of the typed text: every word must match in some field.
    /// A whole word matches by its stem or its root. The word being typed
    /// (the text ends in it) matches the words of a practice that begin
    /// with it, or whose stem or root it begins with: «школы» finds
    /// «школа» and «школьный», «поликл» finds «поликлиника». Under
    /// [`BODY_PREFIX_FROM`] letters it asks for nothing yet, so a count
    /// never grows as a word grows; the command line reads its words the
    /// same way, so both give one count.
    /// Every word of the text must match; `relaxed`, all but one of three
    /// or more, or one of two (see [`Self::search`]).
    fn text_query_with(&self, text: &str, relaxed: bool) -> Option<Box<dyn Query>> {
        let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let ws = words(text);
        let mut ru = analyzer::ru();
        // The whole words' stems (stop words have none); the word being
        // typed stands alone.
        let stems: Vec<Option<String>> = ws
            .iter()
            .map(|w| {
                (!w.typing)
                    .then(|| analyzer::tokens(&mut ru, &w.text).into_iter().next())
                    .flatten()
            })
            .collect();
        let mut i = 0;
        while i < ws.len() {
            // The stems from here on, skipping stop words, up to the word
            // being typed: a synonym may be a phrase («старшее поколение»).
            let mut at = Vec::new();
            let mut run = Vec::new();
            for (k, w) in ws.iter().enumerate().skip(i) {
                if w.typing {
                    break;
                }
                if let Some(s) = &stems[k] {
                    at.push(k);
                    run.push(s.clone());
                }
            }
            if !run.is_empty()
                && at[0] == i
                && let Some((n, group)) = super::synonyms::matching(&run)
            {
                let any: Vec<(Occur, Box<dyn Query>)> = group
                    .iter()
                    .map(|entry| (Occur::Should, self.all_of(entry)))
                    .collect();
                must.push((Occur::Must, Box::new(BooleanQuery::new(any))));
                i = at[n - 1] + 1;
                continue;
            }
            if let Some(q) = self.word_query(&ws[i]) {
                must.push((Occur::Must, q));
            }
            i += 1;
        }
        if must.is_empty() {
            None
        } else if relaxed {
            let n = must.len();
            let should = must.into_iter().map(|(_, q)| (Occur::Should, q)).collect();
            Some(Box::new(BooleanQuery::with_minimum_required_clauses(
                should,
                n.saturating_sub(1).max(1),
            )))
        } else {
            Some(Box::new(BooleanQuery::new(must)))
        }
    }

    fn word_query(&self, w: &Word) -> Option<Box<dyn Query>> {
        if w.typing {
            return self.typing_query(&w.text);
        }
        let mut ru = analyzer::ru();
        // A stop word asks for nothing.
        let stem = analyzer::tokens(&mut ru, &w.text).into_iter().next()?;
        Some(self.stem_query(&stem))
    }

    /// Every one of the stems (a synonym's words).
    fn all_of(&self, stems: &[String]) -> Box<dyn Query> {
        Box::new(BooleanQuery::new(
            stems
                .iter()
                .map(|s| (Occur::Must, self.stem_query(s)))
                .collect(),
        ))
    }

    /// A whole word by its stem: in the title and the core by stem (ranked
    /// high), anywhere by root — a word's root follows from its stem, so the
    /// roots field finds every stem match of the body as well as derived
    /// forms.
    fn stem_query(&self, stem: &str) -> Box<dyn Query> {
        let title = self.term_query(Term::from_field_text(self.f.text[0], stem));
        let core = self.term_query(Term::from_field_text(self.f.text[2], stem));
        let mut should: Vec<(Occur, Box<dyn Query>)> = vec![
            (
                Occur::Should,
                Box::new(BoostQuery::new(title, TEXT_FIELDS[0].1)),
            ),
            (
                Occur::Should,
                Box::new(BoostQuery::new(core, TEXT_FIELDS[2].1)),
            ),
        ];
        let mut root = String::new();
        analyzer::strip_suffix(stem, &mut root);
        if !root.is_empty() {
            let q = self.term_query(Term::from_field_text(self.f.roots, &root));
            should.push((Occur::Should, Box::new(BoostQuery::new(q, ROOTS_WEIGHT))));
        }
        Box::new(BooleanQuery::new(should))
    }

    /// The word being typed: the stems and roots that begin with it, and
    /// those it begins with (from [`BODY_PREFIX_FROM`] letters). A longer
    /// word matches a part of what a shorter one matched.
    fn typing_query(&self, typed: &str) -> Option<Box<dyn Query>> {
        let mut folded = String::new();
        analyzer::fold_yo(&typed.to_lowercase(), &mut folded);
        let chars: Vec<char> = folded.chars().collect();
        if chars.len() < BODY_PREFIX_FROM {
            return None;
        }
        let fields = [
            (self.f.text[0], TEXT_FIELDS[0].1),
            (self.f.text[1], TEXT_FIELDS[1].1),
            (self.f.text[2], TEXT_FIELDS[2].1),
            (self.f.roots, ROOTS_WEIGHT),
        ];
        let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        // The stems that begin with it, in the title (ranked high) and the
        // body: every one of them, a term-range scan. A root begins a stem,
        // so the stems stand for the roots here.
        for (field, (_, weight)) in self.f.text.iter().zip(TEXT_FIELDS) {
            should.push((Occur::Should, self.prefix_query(*field, &folded, weight)));
        }
        // The stems and roots it begins with, but not its first letters
        // alone: «новосибирск» is not «нов». The shortest allowed grows
        // with the word no faster than the word, so counts still only fall.
        let from = BODY_PREFIX_FROM.max(chars.len().saturating_sub(HEAD_SLACK));
        for (field, weight) in fields {
            for k in from..chars.len() {
                let head: String = chars[..k].iter().collect();
                let q = self.term_query(Term::from_field_text(field, &head));
                should.push((Occur::Should, Box::new(BoostQuery::new(q, weight))));
            }
        }
        Some(Box::new(BooleanQuery::new(should)))
    }

    /// Every term of `field` that begins with `prefix`: all of them, so
    /// that a longer prefix never finds more.
    #[allow(clippy::unused_self)] // keeps query building in one place
    fn prefix_query(
        &self,
        field: tantivy::schema::Field,
        prefix: &str,
        weight: f32,
    ) -> Box<dyn Query> {
        let from = Term::from_field_text(field, prefix);
        let to = match prefix_end(prefix) {
            Some(end) => Bound::Excluded(Term::from_field_text(field, &end)),
            None => Bound::Unbounded,
        };
        Box::new(BoostQuery::new(
            Box::new(RangeQuery::new(Bound::Included(from), to)),
            weight * 0.5,
        ))
    }

    fn build_query(&self, q: &SearchQuery, skip: Option<FacetKind>) -> (Box<dyn Query>, bool) {
        self.build_query_with(q, skip, false)
    }

    fn build_query_with(
        &self,
        q: &SearchQuery,
        skip: Option<FacetKind>,
        relaxed: bool,
    ) -> (Box<dyn Query>, bool) {
        let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let text = self.text_query_with(&q.text, relaxed);
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

    /// Runs a search: the total and the first `limit` ids in order. When
    /// the text finds nothing, one typo per word of [`TYPO_FROM`] letters
    /// or more is corrected: see [`SearchResults::suggestion`].
    pub fn search(&self, q: &SearchQuery) -> Result<SearchResults> {
        let found = self.search_as_typed(q)?;
        if found.total >= RELAX_BELOW {
            return Ok(found);
        }
        // Nothing at all: a typo first («Возможно, вы искали …»).
        if found.total == 0
            && let Some(fixed) = self.corrected(q)?
        {
            let mut r = self.search_as_typed(&fixed)?;
            r.suggestion = Some(fixed.text.trim().to_owned());
            return Ok(r);
        }
        // Few practices have every word of a submitted query: those that
        // lack one of them follow, the most matching first (people name a
        // practice in their own words, not all of which it uses).
        if may_relax(q) {
            let more = self.search_relaxed(q)?;
            if more.total > found.total {
                let mut ids = found.ids;
                for id in more.ids {
                    if ids.len() >= q.limit.max(1) {
                        break;
                    }
                    if !ids.contains(&id) {
                        ids.push(id);
                    }
                }
                return Ok(SearchResults {
                    total: more.total,
                    ids,
                    suggestion: None,
                });
            }
        }
        Ok(found)
    }

    /// The request with its text corrected, when the text finds nothing
    /// and the corrected one does.
    pub fn corrected(&self, q: &SearchQuery) -> Result<Option<SearchQuery>> {
        let searcher = self.reader.searcher();
        let count = |q: &SearchQuery| -> Result<usize> {
            let (query, _) = self.build_query(q, None);
            Ok(searcher.search(&query, &Count)?)
        };
        // Only whole words long enough are corrected: a text without one
        // costs nothing more (facet counts ask on every keystroke).
        let long_whole = |w: &Word| !w.typing && w.text.chars().count() >= TYPO_FROM;
        if !words(&q.text).iter().any(long_whole) || count(q)? > 0 {
            return Ok(None);
        }
        let mut ru = analyzer::ru();
        let mut changed = false;
        let mut text = String::new();
        let mut rest = q.text.as_str();
        for w in words(&q.text) {
            let at = rest.find(&w.text).unwrap_or(0);
            text.push_str(&rest[..at]);
            rest = &rest[at + w.text.len()..];
            let mut word = w.text.clone();
            let alone = |text: &str| SearchQuery {
                text: text.to_owned(),
                ..q.clone()
            };
            // The word still being typed is not corrected: its count only
            // falls as it grows; once it is whole it is.
            if long_whole(&w)
                && let Some(stem) = analyzer::tokens(&mut ru, &w.text).into_iter().next()
                && count(&alone(&as_typed(&w.text, w.typing)))? == 0
            {
                // The stem begins the word as typed: keep its ending. The
                // most frequent spelling one edit away that the reader
                // finds something with, under the same filters.
                let lower = w.text.to_lowercase().replace('ё', "е");
                for better in self.nearest_terms(&searcher, &stem)? {
                    let fixed = match lower.strip_prefix(&stem) {
                        Some(ending) => format!("{better}{ending}"),
                        None => better,
                    };
                    if count(&alone(&as_typed(&fixed, w.typing)))? > 0 {
                        word = fixed;
                        changed = true;
                        break;
                    }
                }
            }
            text.push_str(&word);
        }
        text.push_str(rest);
        if !changed {
            return Ok(None);
        }
        let fixed = SearchQuery { text, ..q.clone() };
        Ok((count(&fixed)? > 0).then_some(fixed))
    }

    /// The word stems of the titles and bodies one edit away from `stem`,
    /// the most frequent first (at most [`TYPO_TRIES`]).
    fn nearest_terms(&self, searcher: &tantivy::Searcher, stem: &str) -> Result<Vec<String>> {
        use tantivy::query::FuzzyTermQuery;
        let mut freq: std::collections::BTreeMap<String, u64> = std::collections::BTreeMap::new();
        for field in &self.f.text {
            let dfa =
                FuzzyTermQuery::new(Term::from_field_text(*field, stem), 1, true).automaton()?;
            for seg in searcher.segment_readers() {
                let inv = seg.inverted_index(*field)?;
                let mut stream = inv.terms().search(&dfa).into_stream()?;
                while stream.advance() {
                    if let Ok(t) = std::str::from_utf8(stream.key())
                        && t != stem
                    {
                        *freq.entry(t.to_owned()).or_default() +=
                            u64::from(stream.value().doc_freq);
                    }
                }
            }
        }
        let mut out: Vec<(u64, String)> = freq.into_iter().map(|(t, n)| (n, t)).collect();
        out.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        Ok(out.into_iter().take(TYPO_TRIES).map(|(_, t)| t).collect())
    }

    /// The search with all but one word of the text required.
    fn search_relaxed(&self, q: &SearchQuery) -> Result<SearchResults> {
        let searcher = self.reader.searcher();
        let (query, _) = self.build_query_with(q, None, true);
        let top = TopDocs::with_limit(q.limit.max(1));
        let (docs, total) = searcher.search(&query, &(top.order_by_score(), Count))?;
        let addrs: Vec<DocAddress> = docs.into_iter().map(|(_, a)| a).collect();
        Ok(SearchResults {
            total,
            ids: ids_of(&searcher, &addrs)?,
            suggestion: None,
        })
    }

    /// The search of the text exactly as typed.
    /// Every practice the request's words (as typed), filters, section and
    /// scope match, in no order: what the query language asks the index
    /// of a word.
    pub fn matching_ids(&self, q: &SearchQuery) -> Result<Vec<Uuid>> {
        let searcher = self.reader.searcher();
        let (query, _) = self.build_query(q, None);
        let mut addrs: Vec<DocAddress> = searcher
            .search(&query, &tantivy::collector::DocSetCollector)?
            .into_iter()
            .collect();
        addrs.sort_unstable();
        ids_of(&searcher, &addrs)
    }

    fn search_as_typed(&self, q: &SearchQuery) -> Result<SearchResults> {
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
        Ok(SearchResults {
            total,
            ids: ids_of(&searcher, &addrs)?,
            suggestion: None,
        })
    }

    /// Counts per facet value for the request. Each kind is counted with the
    /// other kinds' filters applied but not its own, so a user can widen a
    /// selection.
    pub fn facet_counts(&self, q: &SearchQuery) -> Result<FacetCounts> {
        // Counted for the text the results are for: with the practices
        // lacking one word where the search shows them.
        let fixed = self.corrected(q)?;
        let relaxed = fixed.is_none() && may_relax(q) && {
            let strict = self.search_as_typed(q)?.total;
            strict < RELAX_BELOW && self.search_relaxed(q)?.total > strict
        };
        let q = fixed.as_ref().unwrap_or(q);
        let searcher = self.reader.searcher();
        let mut out = FacetCounts::new();
        for kind in FacetKind::ALL {
            let (query, _) = self.build_query_with(q, Some(kind), relaxed);
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

/// What a search text asks for: its words, lower-cased, the one being
/// typed marked, without a word being typed that is too short to ask
/// anything yet. Two texts that mean the same give the same results, so
/// the workstation does not search again for a keystroke that changes
/// nothing («» → «ш» → «шк»).
pub fn meaning(text: &str) -> Vec<(String, bool)> {
    words(text)
        .into_iter()
        .filter(|w| !w.typing || w.text.chars().count() >= BODY_PREFIX_FROM)
        .map(|w| (w.text.to_lowercase(), w.typing))
        .collect()
}

/// A word of a search text, and whether it is still being typed (the text
/// ends in it).
/// Whether a query may show the practices lacking one of its words: it was
/// submitted (whole words) and has two or more.
fn may_relax(q: &SearchQuery) -> bool {
    // By relevance only: another order would mix the two lists.
    q.sort == Sort::Relevance
        && q.text.ends_with(|c: char| !c.is_alphanumeric())
        && words(&q.text).len() >= 2
}

/// The practice ids of found documents, in order.
fn ids_of(searcher: &tantivy::Searcher, addrs: &[DocAddress]) -> Result<Vec<Uuid>> {
    let mut ids = Vec::with_capacity(addrs.len());
    // The id columns opened once per segment, not per hit.
    let mut open: Option<(
        u32,
        tantivy::columnar::Column<u64>,
        tantivy::columnar::Column<u64>,
    )> = None;
    for a in addrs {
        if open
            .as_ref()
            .is_none_or(|(seg, _, _)| *seg != a.segment_ord)
        {
            let ff = searcher.segment_reader(a.segment_ord).fast_fields();
            open = Some((a.segment_ord, ff.u64("id_hi")?, ff.u64("id_lo")?));
        }
        if let Some((_, hi, lo)) = &open {
            ids.push(Uuid::from_u64_pair(
                hi.first(a.doc_id).unwrap_or(0),
                lo.first(a.doc_id).unwrap_or(0),
            ));
        }
    }
    Ok(ids)
}

pub(super) struct Word {
    pub text: String,
    pub typing: bool,
}

pub(super) fn words(text: &str) -> Vec<Word> {
    let parts: Vec<&str> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let typing = text.ends_with(|c: char| c.is_alphanumeric());
    let n = parts.len();
    parts
        .into_iter()
        .enumerate()
        .map(|(i, w)| Word {
            text: w.to_owned(),
            typing: typing && i + 1 == n,
        })
        .collect()
}

/// A word alone, read as it was: still being typed, or whole.
fn as_typed(word: &str, typing: bool) -> String {
    if typing {
        word.to_owned()
    } else {
        format!("{word} ")
    }
}

/// The first string after every string that begins with `prefix`: the
/// prefix with its last character advanced (`None` when there is none).
fn prefix_end(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let mut next = u32::from(last) + 1;
        // Skip the surrogate gap.
        if (0xD800..0xE000).contains(&next) {
            next = 0xE000;
        }
        if let Some(c) = char::from_u32(next) {
            chars.push(c);
            return Some(chars.into_iter().collect());
        }
    }
    None
}
