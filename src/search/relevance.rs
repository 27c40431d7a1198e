//! The search's relevance set (`assets/relevance.toml`): practices as
//! regions describe them and the queries people type for them in other
//! words. [`evaluate`] reports recall@5 and the mean reciprocal rank; the
//! tests hold recall@5 at 90 % or more, `smarteka bench` prints both.

use super::{Result, SearchIndex, SearchQuery, Sort};
use crate::domain::PracticeId;
use crate::domain::access::read_scope;

/// A practice of the set and its queries.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Case {
    pub title: String,
    pub category: String,
    pub region: String,
    pub goal: String,
    pub tasks: Vec<String>,
    pub essence: String,
    pub queries: Vec<String>,
}

#[derive(serde::Deserialize)]
struct File {
    practice: Vec<Case>,
}

/// The set, as shipped.
pub fn set() -> Vec<Case> {
    toml::from_str::<File>(include_str!("../../assets/relevance.toml"))
        .unwrap_or_else(|e| panic!("assets/relevance.toml: {e}"))
        .practice
}

/// How the set fared.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub queries: usize,
    /// Queries whose practice was in the top 5.
    pub found: usize,
    /// The mean of 1/rank (0 when not in the first 50).
    pub mrr: f64,
    /// (query, title, rank if in the first 50) of those not in the top 5.
    pub misses: Vec<(String, String, Option<usize>)>,
}

impl Report {
    #[allow(clippy::cast_precision_loss)] // tens of queries
    pub fn recall(&self) -> f64 {
        if self.queries == 0 {
            0.0
        } else {
            self.found as f64 / self.queries as f64
        }
    }
}

/// Runs every query of `targets` (practice, title, queries) against the
/// public catalogue as a guest would, each submitted whole.
#[allow(clippy::cast_precision_loss)] // ranks are small
pub fn evaluate(
    index: &SearchIndex,
    targets: &[(PracticeId, String, Vec<String>)],
) -> Result<Report> {
    let mut r = Report::default();
    let mut rr = 0.0;
    for (id, title, queries) in targets {
        for q in queries {
            // Submitted whole, as with Enter or `smarteka search`.
            let res = index.search(&SearchQuery {
                text: format!("{q} "),
                scope: read_scope(None),
                sort: Sort::Relevance,
                limit: 50,
                ..SearchQuery::default()
            })?;
            let rank = res.ids.iter().position(|x| x == id).map(|i| i + 1);
            r.queries += 1;
            if let Some(k) = rank {
                rr += 1.0 / k as f64;
            }
            if rank.is_some_and(|k| k <= 5) {
                r.found += 1;
            } else {
                r.misses.push((q.clone(), title.clone(), rank));
            }
        }
    }
    if r.queries > 0 {
        r.mrr = rr / r.queries as f64;
    }
    Ok(r)
}
