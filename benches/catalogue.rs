//! Criterion benchmarks of the catalogue's hot paths on a generated store.
//! For the targets at 100 000 practices use `smarteka bench`.

use std::hint::black_box;
use std::sync::Arc;

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use smarteka::domain::access::read_scope;
use smarteka::domain::calendar::Calendar;
use smarteka::search::{SearchIndex, SearchQuery};
use smarteka::store::Store;
use smarteka::tui::worker::{Request, Worker};

fn search(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("store");
    smarteka::demo::seed_at(&store, 5_000, 1, chrono::Utc::now(), |_, _| {}).expect("seed");
    let (index, _) = SearchIndex::open(&dir.path().join("index"), &store).expect("index");
    let worker = Worker {
        queries: std::sync::Arc::default(),
        store: Arc::new(store),
        index: Arc::new(index),
        clock: Arc::new(smarteka::domain::clock::SystemClock),
    };
    let mut g = c.benchmark_group("search_as_you_type_5000");
    for typed in [
        "з",
        "здрав",
        "здравоохранение",
        "школьный настав",
        "благоустройство дворов",
    ] {
        g.bench_function(typed, |b| {
            b.iter(|| {
                worker.process(Request::Search {
                    tag: 0,
                    query: SearchQuery {
                        text: black_box(typed).to_owned(),
                        scope: read_scope(None),
                        limit: 200,
                        ..SearchQuery::default()
                    },
                })
            });
        });
    }
    g.finish();
}

fn calendar(c: &mut Criterion) {
    let cal = Calendar::shipped();
    let from = NaiveDate::from_ymd_opt(2025, 12, 26).expect("date");
    c.bench_function("calendar_add_5_working_days", |b| {
        b.iter(|| cal.add_working_days(black_box(from), 5));
    });
}

criterion_group!(benches, search, calendar);
criterion_main!(benches);
