use chrono::Utc;
use uuid::Uuid;

use super::query::words as words_of;
use super::*;
use crate::domain::access::read_scope;
use crate::domain::passport::{CategoryChoice, Level, Passport, Regions, Results};
use crate::domain::user::{Role, RoleGrant};
use crate::store::{Mutation, Record};

fn practice(
    title: &str,
    essence: &str,
    category: &str,
    region: &str,
    status: PracticeStatus,
) -> Practice {
    Practice {
        id: Uuid::now_v7(),
        status,
        author: Uuid::now_v7(),
        passport: Passport {
            title: title.into(),
            essence: essence.into(),
            category: Some(CategoryChoice::Known(category.into())),
            regions: Regions {
                author: Some(region.into()),
                others: vec![],
            },
            results: Results::default(),
            level: Some(Level::System),
            year: Some(2024),
            ..Passport::default()
        },
        revision: 1,
        created: Utc::now(),
        updated: Utc::now(),
        published: None,
        workflow: crate::domain::workflow::Workflow::default(),
    }
}

struct Fixture {
    _dir: tempfile::TempDir,
    store: Store,
    index: SearchIndex,
    ids: Vec<PracticeId>,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("store")).expect("store");
    let ps = vec![
        practice(
            "Цифровая поликлиника",
            "Запись к врачу без очередей. Развитие здравоохранения региона.",
            "health",
            "16",
            PracticeStatus::Published,
        ),
        practice(
            "Наставники для школы",
            "Помощь учителям школы и ученикам.",
            "education",
            "52",
            PracticeStatus::Published,
        ),
        practice(
            "Экотропы края",
            "Маршруты для туристов.",
            "tourism",
            "23",
            PracticeStatus::Archived,
        ),
        practice(
            "Черновик о школах",
            "Школьный проект в работе.",
            "education",
            "16",
            PracticeStatus::Draft,
        ),
        practice(
            "Удалённая практика",
            "Школа.",
            "education",
            "16",
            PracticeStatus::Deleted,
        ),
    ];
    let ids = ps.iter().map(|p| p.id).collect();
    let mut m = Mutation::new(None, "test", "");
    for p in ps {
        m = m.with(Record::Practice(Box::new(p)));
    }
    store.commit(&m).expect("commit");
    let (index, c) = SearchIndex::open(&dir.path().join("index"), &store).expect("index");
    assert!(c.rebuilt);
    assert_eq!(c.reindexed, 5);
    Fixture {
        _dir: dir,
        store,
        index,
        ids,
    }
}

fn q(text: &str) -> SearchQuery {
    SearchQuery {
        text: text.into(),
        limit: 100,
        ..SearchQuery::default()
    }
}

#[test]
fn word_forms_are_found() {
    let f = fixture();
    let r = f.index.search(&q("здравоохранение")).expect("search");
    assert_eq!(
        r.ids,
        [f.ids[0]],
        "«здравоохранение» finds «здравоохранения»"
    );
    let r = f.index.search(&q("школьный ")).expect("search");
    assert_eq!(r.ids, [f.ids[1]], "«школьный» finds «школы», drafts hidden");
    let r = f.index.search(&q("здравоохранением ")).expect("search");
    assert_eq!(
        r.ids,
        [f.ids[0]],
        "another case form finds «здравоохранения»"
    );
    let r = f.index.search(&q("поликлиники")).expect("search");
    assert_eq!(r.ids, [f.ids[0]]);
    assert_eq!(f.index.search(&q("космос")).expect("search").total, 0);
}

#[test]
fn the_word_being_typed_matches_as_a_prefix() {
    let f = fixture();
    let r = f.index.search(&q("поликл")).expect("search");
    assert_eq!(r.ids, [f.ids[0]]);
    // Once the word is complete (a space follows) the prefix no longer applies.
    assert_eq!(f.index.search(&q("поликл ")).expect("search").total, 0);
    // Two letters being typed ask for nothing yet: no count that grows.
    let all = f.index.search(&q("")).expect("search").total;
    assert_eq!(f.index.search(&q("по")).expect("search").total, all);
}

#[test]
fn one_typo_is_forgiven_in_a_long_word_and_said() {
    let f = fixture();
    // «шольный»: one letter missing from «школьный». Still being typed it
    // is not corrected (a count must not grow as a word grows); whole, it is.
    assert_eq!(f.index.search(&q("шольный")).expect("search").total, 0);
    let r = f.index.search(&q("шольный ")).expect("search");
    assert_eq!(r.ids, [f.ids[1]]);
    assert_eq!(r.suggestion.as_deref(), Some("школьный"));
    let counts = f.index.facet_counts(&q("шольный ")).expect("facets");
    assert!(counts[&FacetKind::Category].contains(&("education".to_owned(), 1)));
    // Exact matches are not second-guessed; short words are not corrected.
    assert_eq!(
        f.index.search(&q("школьный")).expect("search").suggestion,
        None
    );
    let r = f.index.search(&q("вроч")).expect("search");
    assert_eq!((r.total, r.suggestion), (0, None));
    // Two typos are too many.
    assert_eq!(f.index.search(&q("шальный ")).expect("search").total, 0);
}

#[test]
fn counts_never_grow_as_a_word_grows() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("store")).expect("store");
    let now = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 3, 16, 9, 0, 0).unwrap();
    crate::demo::seed_at(&store, 150, 7, now, |_, _| {}).expect("demo");
    let (index, _) = SearchIndex::open(&dir.path().join("index"), &store).expect("index");
    let mut words: Vec<String> = Vec::new();
    for p in store.practices().take(40) {
        let p = p.expect("practice");
        for w in words_of(&format!("{} {}", p.passport.title, p.passport.goal)) {
            if w.text.chars().count() >= 4 && !words.contains(&w.text) {
                words.push(w.text);
            }
        }
    }
    assert!(words.len() > 30, "{words:?}");
    for w in &words {
        let chars: Vec<char> = w.chars().collect();
        let mut last = usize::MAX;
        for k in 1..=chars.len() {
            let prefix: String = chars[..k].iter().collect();
            let n = index.search(&q(&prefix)).expect("search").total;
            assert!(
                n <= last,
                "«{prefix}» finds {n}, one letter less found {last}"
            );
            last = n;
        }
    }
}

#[test]
fn facets_filter_and_count() {
    let f = fixture();
    let mut query = q("");
    query.filters.toggle(FacetKind::Category, "education");
    let r = f.index.search(&query).expect("search");
    assert_eq!(r.ids, [f.ids[1]]);
    let counts = f.index.facet_counts(&q("")).expect("facets");
    let cats = &counts[&FacetKind::Category];
    assert!(cats.contains(&("health".to_owned(), 1)));
    assert!(cats.contains(&("education".to_owned(), 1)));
    assert!(cats.contains(&("tourism".to_owned(), 1)));
    let districts = &counts[&FacetKind::District];
    assert!(districts.contains(&("ПФО".to_owned(), 2)), "{districts:?}");
    let mut query = q("");
    query.filters.toggle(FacetKind::District, "ЮФО");
    assert_eq!(f.index.search(&query).expect("search").ids, [f.ids[2]]);
    let mut query = q("");
    query.section = Some(Section::KnowledgeBase);
    assert_eq!(f.index.search(&query).expect("search").ids, [f.ids[2]]);
    let mut query = q("");
    query.filters.toggle(FacetKind::Year, "2024");
    query.filters.toggle(FacetKind::Level, "2");
    assert_eq!(f.index.search(&query).expect("search").total, 3);
}

#[test]
fn scope_decides_what_is_visible() {
    let f = fixture();
    let coordinator =
        crate::domain::fixtures::user(1, vec![RoleGrant::regional(Role::Coordinator, "16")]);
    let mut query = q("школ");
    query.scope = read_scope(Some(&coordinator));
    let mut ids = f.index.search(&query).expect("search").ids;
    ids.sort();
    let mut expected = vec![f.ids[1], f.ids[3]];
    expected.sort();
    assert_eq!(ids, expected, "own region's draft visible, deleted hidden");
}

#[test]
fn sorting() {
    let f = fixture();
    let mut query = q("");
    query.sort = Sort::Title;
    let r = f.index.search(&query).expect("search");
    assert_eq!(r.ids, [f.ids[1], f.ids[0], f.ids[2]]);
}

#[test]
fn catches_up_from_the_change_log_without_rebuilding() {
    let f = fixture();
    let dir = f.index.dir.clone();
    let mut p = f.store.practice(f.ids[2]).expect("read").expect("exists");
    p.status = PracticeStatus::Published;
    p.passport.title = "Горные экотропы".into();
    let extra = practice(
        "Бережливый МФЦ",
        "Окна приёма.",
        "governance",
        "77",
        PracticeStatus::Published,
    );
    f.store
        .commit(
            &Mutation::new(None, "test", "")
                .with(Record::Practice(Box::new(p)))
                .with(Record::Practice(Box::new(extra.clone()))),
        )
        .expect("commit");
    let Fixture {
        _dir,
        store,
        index,
        ids,
    } = f;
    drop(index);
    let (index, c) = SearchIndex::open(&dir, &store).expect("reopen");
    assert!(!c.rebuilt);
    assert_eq!(c.reindexed, 2);
    assert_eq!(index.num_docs(), 6);
    assert_eq!(index.search(&q("горные")).expect("search").ids, [ids[2]]);
    assert!(index.has_practice(extra.id).expect("search"));
    drop(index);
    let (index, c) = SearchIndex::open(&dir, &store).expect("reopen");
    assert_eq!(
        (c.rebuilt, c.reindexed),
        (false, 0),
        "nothing changed, nothing redone"
    );
    drop(index);
    // A corrupt index is rebuilt.
    std::fs::write(dir.join("meta.json"), b"{ broken").expect("write");
    let (index, c) = SearchIndex::open(&dir, &store).expect("rebuilds");
    assert!(c.rebuilt);
    assert_eq!(index.num_docs(), 6);
}

#[test]
fn keystrokes_that_ask_nothing_new_mean_the_same() {
    use super::meaning;
    assert_eq!(meaning("ш"), meaning(""));
    assert_eq!(meaning("школы шк"), meaning("школы "));
    assert_ne!(meaning("шко"), meaning("шк"));
    assert_ne!(meaning("школы "), meaning("школы"), "a word made whole");
    assert_eq!(meaning("Школы"), meaning("школы"));
}

/// A submitted query whose words few practices hold all of shows those
/// lacking one of them after, the facet counts agree with the total, and
/// synonyms find other words for the same thing.
#[test]
fn practices_lacking_one_word_follow_and_synonyms_match() {
    let f = fixture();
    // «врачу» and «поликлиника» are in one practice; «космос» in none.
    let strict = f.index.search(&q("поликлиника врачу ")).expect("search");
    assert_eq!(strict.ids, [f.ids[0]]);
    let relaxed = f.index.search(&q("поликлиника космос ")).expect("search");
    assert_eq!(relaxed.ids, [f.ids[0]], "one of two words is enough");
    assert_eq!(relaxed.total, 1);
    let counts = f
        .index
        .facet_counts(&q("поликлиника космос "))
        .expect("counts");
    let by_category: u64 = counts[&FacetKind::Category].iter().map(|(_, n)| n).sum();
    assert_eq!(by_category, 1, "{counts:?}");
    // While a word is being typed nothing is relaxed: counts only fall.
    assert_eq!(
        f.index
            .search(&q("поликлиника космос"))
            .expect("search")
            .total,
        0
    );
    // «больница» is in the catalogue's synonyms of «поликлиника».
    let syn = f.index.search(&q("больница ")).expect("search");
    assert_eq!(syn.ids, [f.ids[0]]);
    // A limit holds with the practices that follow.
    let one = f
        .index
        .search(&SearchQuery {
            limit: 1,
            ..q("школы космос ")
        })
        .expect("search");
    assert!(one.ids.len() <= 1, "{:?}", one.ids);
}
