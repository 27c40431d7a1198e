//! The search finds what people mean: each query of the relevance set
//! (`assets/relevance.toml`: other words, other word forms, part of the
//! title, the catalogue's synonyms) finds its practice in the top 5 among
//! 10,000 demo practices, for at least 90 % of the queries.

use smarteka::search::SearchIndex;
use smarteka::store::Store;

#[test]
fn the_relevance_set_is_found_in_the_top_five() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("store");
    let now = chrono::Utc::now();
    smarteka::demo::seed_at(&store, 10_000, 1, now, |_, _| {}).expect("seed");
    let targets = smarteka::demo::relevance::add(&store, now).expect("the set");
    assert!(
        targets.iter().map(|t| t.2.len()).sum::<usize>() >= 40,
        "40 queries or more"
    );
    let (index, _) = SearchIndex::open(&dir.path().join("index"), &store).expect("index");
    let r = smarteka::search::relevance::evaluate(&index, &targets).expect("searches");
    for (q, title, rank) in &r.misses {
        eprintln!("«{q}» → «{title}»: {rank:?}");
    }
    eprintln!(
        "recall@5 {:.1} % ({} of {}), MRR {:.3}",
        r.recall() * 100.0,
        r.found,
        r.queries,
        r.mrr
    );
    assert!(r.recall() >= 0.9, "recall@5 {:.3}", r.recall());
}
