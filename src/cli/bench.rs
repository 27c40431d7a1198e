//! `smarteka bench`: figures for the performance targets, measured on a
//! real store — demo generation, opening a store to the first drawn
//! catalogue frame, search as you type (per keystroke: the query and the
//! rows the catalogue loads), and the resident memory of the workstation.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::domain::access::read_scope;
use crate::search::{SearchIndex, SearchQuery, Sort};
use crate::store::Store;
use crate::tui::app::App;
use crate::tui::keymap::Keymap;
use crate::tui::theme::Theme;
use crate::tui::worker::{Request, Worker};

/// What a user types, keystroke by keystroke.
const TYPED: [&str; 8] = [
    "здравоохранение",
    "школьный наставник",
    "благоустройство дворов",
    "туристический маршрут",
    "поддержка предпринимательства",
    "раздельный сбор отходов",
    "кадровый центр",
    "социальный контракт многодетные",
];

fn rss_kib() -> Option<u64> {
    rss_kib_of("self")
}

/// The resident memory of a process (`self` or a pid), in KiB.
pub(crate) fn rss_kib_of(process: &str) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{process}/status")).ok()?;
    s.lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
}

pub(crate) fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

pub(crate) fn ms(d: Duration) -> String {
    format!("{:.2} мс", d.as_secs_f64() * 1000.0)
}

/// `smarteka bench --selection-rush N`: the figures of
/// [`crate::cli::rush::selection_rush`], beside the target.
pub fn rush(n: usize) -> Result<(), String> {
    println!("Отбор: {n} заявок в последний час приёма, десятая часть — после срока…");
    let r = crate::cli::rush::selection_rush(n)?;
    println!(
        "Заявок {} от авторов {} регионов за {:.1} с ({:.0} заявок/с), p99 ответа {}: принято {}, отклонено после срока {}, иначе {}; на сервере {} (потеряно {}) — цель: все приняты или отклонены верно, ни одна не потеряна",
        r.sent,
        r.regions,
        r.wall.as_secs_f64(),
        r.sent as f64 / r.wall.as_secs_f64(),
        ms(r.p99),
        r.accepted,
        r.late,
        r.other.len(),
        r.kept,
        r.accepted.saturating_sub(r.kept)
    );
    for why in r.other.iter().take(5) {
        println!("  {why}");
    }
    if r.kept != r.accepted || !r.other.is_empty() || r.accepted + r.late != r.sent {
        return Err("Заявки потеряны или отклонены неверно.".into());
    }
    Ok(())
}

pub fn run(data: Option<&Path>, practices: usize) -> Result<(), String> {
    let tmp;
    let dir = if let Some(d) = data {
        d.to_owned()
    } else {
        tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
        tmp.path().to_owned()
    };
    println!("Хранилище: {}", dir.display());
    {
        let store = Store::open(&dir).map_err(|e| e.to_string())?;
        // `last_seq` is one read; counting would walk (and load) the whole tree.
        if store.last_seq().map_err(|e| e.to_string())? == 0 {
            let t = Instant::now();
            crate::demo::seed_at(&store, practices, 1, crate::cli::clock().now(), |_, _| {})
                .map_err(|e| e.to_string())?;
            let seeded = t.elapsed();
            let t = Instant::now();
            SearchIndex::open(&dir.join("index"), &store).map_err(|e| e.to_string())?;
            println!(
                "demo --practices {practices}: {:.1} с (данные {:.1} с, индекс {:.1} с)",
                (seeded + t.elapsed()).as_secs_f64(),
                seeded.as_secs_f64(),
                t.elapsed().as_secs_f64()
            );
        }
    }

    // Opening to the first drawn catalogue frame.
    let t = Instant::now();
    let store = Arc::new(Store::open(&dir).map_err(|e| e.to_string())?);
    let rss_store = rss_kib();
    let (index, _) = SearchIndex::open(&dir.join("index"), &store).map_err(|e| e.to_string())?;
    let rss_index = rss_kib();
    println!("Практик в поисковом индексе: {}", index.num_docs());
    let index = Arc::new(index);
    let mut app = App::new(
        store.clone(),
        index.clone(),
        Theme::default(),
        Keymap::default(),
        200,
        Vec::new(),
        Arc::new(crate::domain::clock::SystemClock),
    );
    app.settle();
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).map_err(|e| e.to_string())?;
    terminal
        .draw(|f| app.render(f))
        .map_err(|e| e.to_string())?;
    println!(
        "Открытие хранилища до первого кадра каталога: {}",
        ms(t.elapsed())
    );
    if let (Some(a), Some(b), Some(c)) = (rss_store, rss_index, rss_kib()) {
        println!(
            "Резидентная память рабочего места: {:.1} МиБ (хранилище {:.1}, индекс {:.1}, каталог {:.1})",
            c as f64 / 1024.0,
            a as f64 / 1024.0,
            b.saturating_sub(a) as f64 / 1024.0,
            c.saturating_sub(b) as f64 / 1024.0
        );
    }

    // Search as you type: every prefix of every phrase, as the worker
    // answers it (query, then the rows of the first page).
    let worker = Worker {
        queries: Arc::default(),
        store,
        index: index.clone(),
        clock: Arc::new(crate::domain::clock::SystemClock),
    };
    let mut times = Vec::new();
    let mut search_only = Vec::new();
    let mut keys = 0;
    for _round in 0..3 {
        for phrase in TYPED {
            let mut typed = String::new();
            for c in phrase.chars() {
                keys += 1;
                let before = crate::search::meaning(&typed);
                typed.push(c);
                // As the workstation: a keystroke that changes nothing the
                // search asks for sends nothing.
                if crate::search::meaning(&typed) == before {
                    continue;
                }
                let req = Request::Search {
                    tag: 0,
                    query: SearchQuery {
                        text: typed.clone(),
                        scope: read_scope(None),
                        sort: Sort::Relevance,
                        limit: 200,
                        ..SearchQuery::default()
                    },
                };
                if let Request::Search { query, .. } = &req {
                    let t = Instant::now();
                    let _ = index.search(query);
                    search_only.push(t.elapsed());
                }
                let t = Instant::now();
                let _ = worker.process(req);
                times.push(t.elapsed());
            }
        }
    }
    times.sort();
    println!(
        "Поиск по мере набора ({keys} нажатий, {} запросов): p50 {}, p95 {}, p99 {}, максимум {}",
        times.len(),
        ms(percentile(&times, 0.50)),
        ms(percentile(&times, 0.95)),
        ms(percentile(&times, 0.99)),
        ms(times.last().copied().unwrap_or_default())
    );
    search_only.sort();
    println!(
        "  из них запрос к индексу: p50 {}, p99 {} (цель p99 < 5 мс на 100 000 практик с опечатками и синонимами; было 2,7 мс без них)",
        ms(percentile(&search_only, 0.50)),
        ms(percentile(&search_only, 0.99))
    );
    if let Some(kib) = rss_kib() {
        println!(
            "Резидентная память после поиска: {:.1} МиБ",
            kib as f64 / 1024.0
        );
    }
    queue_figures(&mut app, &mut terminal)?;
    drop(app);
    query_figures(&worker.store, &index)?;
    drop(worker);
    editor_figures()?;
    relevance_figures()
}

/// The relevance set (`assets/relevance.toml`) among 10,000 demo practices,
/// on a store of its own: recall@5 and the mean reciprocal rank.
fn relevance_figures() -> Result<(), String> {
    const AMONG: usize = 10_000;
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let store = Store::open(tmp.path()).map_err(|e| e.to_string())?;
    let now = crate::cli::clock().now();
    crate::demo::seed_at(&store, AMONG, 1, now, |_, _| {}).map_err(|e| e.to_string())?;
    let targets = crate::demo::relevance::add(&store, now).map_err(|e| e.to_string())?;
    let (index, _) =
        SearchIndex::open(&tmp.path().join("index"), &store).map_err(|e| e.to_string())?;
    let r = crate::search::relevance::evaluate(&index, &targets).map_err(|e| e.to_string())?;
    println!(
        "Качество поиска (набор assets/relevance.toml среди {AMONG} практик, запросов {}): recall@5 {:.1} % (цель ≥ 90 %; было ≈ 80 %), MRR {:.3}",
        r.queries,
        r.recall() * 100.0,
        r.mrr
    );
    for (q, title, rank) in &r.misses {
        let at = rank.map_or_else(|| "нет в первых 50".to_owned(), |k| format!("место {k}"));
        println!("  «{q}» → «{title}»: {at}");
    }
    Ok(())
}

/// The moderators' queries (docs/queries.md) over the whole store, as
/// the Модератор АСИ and an expert-moderator ask them: the table of rows
/// built once, then each query answered from it (words by the index).
fn query_figures(store: &Store, index: &SearchIndex) -> Result<(), String> {
    const QUERIES: [&str; 8] = [
        "статус:упаковка срок<3",
        "просрочено OR ждёт>30",
        "регион:16 -статус:черновик",
        "категория:здравоохранение уровень:2 год:2025",
        "маршрут:рекомендация OR маршрут:отбор",
        "статус:экспертная голосов<3",
        "актуализация<30д заявок:0",
        "окно статус:опубликована",
    ];
    let cx = crate::cli::ctx(store);
    let t = Instant::now();
    let table = crate::service::query::Table::build(store).map_err(|e| e.to_string())?;
    let built = t.elapsed();
    let mut readers = Vec::new();
    for login in ["asi", "moderator"] {
        if let Some(u) = store.user_by_login(login).map_err(|e| e.to_string())? {
            readers.push(u);
        }
    }
    let mut times = Vec::new();
    let mut slowest = (std::time::Duration::ZERO, "");
    let mut found = 0;
    for _ in 0..10 {
        for u in &readers {
            for text in QUERIES {
                let t = Instant::now();
                let q = crate::domain::query::parse(text).map_err(|e| e.to_string())?;
                let words = crate::service::query::texts(Some(index), &table, &q)
                    .map_err(|e| format!("{e:?}"))?;
                let hit = crate::service::query::text_hit(&words, &table);
                found += table
                    .find(&cx, Some(u), &q, &hit)
                    .map_err(|e| e.to_string())?
                    .len();
                times.push(t.elapsed());
                slowest = slowest.max((t.elapsed(), text));
            }
        }
    }
    times.sort();
    println!(
        "Запросы с условиями ({} практик, {} запросов, найдено строк {found}): таблица строк {}, ответ p50 {}, p99 {} (цель p99 < 10 мс на 100 000 практик)",
        table.len(),
        times.len(),
        ms(built),
        ms(percentile(&times, 0.50)),
        ms(percentile(&times, 0.99))
    );
    println!("  дольше всех: «{}», {}", slowest.1, ms(slowest.0));
    Ok(())
}

/// «Очереди» of the Модератор АСИ over the whole store: the key, the
/// queues built from the summaries, the first frame drawn.
fn queue_figures(app: &mut App, terminal: &mut Terminal<TestBackend>) -> Result<(), String> {
    let Some(asi) = app.store.user_by_login("asi").map_err(|e| e.to_string())? else {
        println!("Очереди: в хранилище нет пользователя asi, замер пропущен.");
        return Ok(());
    };
    app.user = Some(asi.clone());
    let mut times = Vec::new();
    let mut items = 0;
    for _ in 0..10 {
        let t = Instant::now();
        app.on_action(crate::tui::action::Action::Queues);
        app.settle();
        terminal
            .draw(|f| app.render(f))
            .map_err(|e| e.to_string())?;
        times.push(t.elapsed());
        app.on_action(crate::tui::action::Action::Back);
    }
    if let Ok(q) = crate::service::workflow::queues(&crate::cli::ctx(&app.store), &asi) {
        items = q.iter().map(|q| q.items.len()).sum();
    }
    times.sort();
    println!(
        "Очереди модератора АСИ (практик в очередях: {items}) до кадра: p50 {}, максимум {} (цель < 30 мс при 4 000 и более практик в хранилище; было 164 мс при 4 272)",
        ms(percentile(&times, 0.50)),
        ms(times.last().copied().unwrap_or_default())
    );
    app.user = None;
    Ok(())
}

/// A keystroke in a 50 KB «Суть практики» to the next drawn frame, and a
/// flushed save of such a passport — on a store of its own, so the store
/// being measured is never written.
fn editor_figures() -> Result<(), String> {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use crate::domain::command::Command;
    use crate::screens::editor::Editor;
    use crate::screens::{RenderCx, Screen};

    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let store = &Store::open(tmp.path()).map_err(|e| e.to_string())?;
    crate::demo::seed_at(store, 10, 1, crate::cli::clock().now(), |_, _| {})
        .map_err(|e| e.to_string())?;
    let author = store
        .user_by_login("author")
        .map_err(|e| e.to_string())?
        .ok_or("демонстрационный автор не создан")?;
    // About 50 KB in paragraphs of some 600 characters, as texts are written.
    let paragraph = "Практика объединяет сведения ведомств и сопровождает семью. ".repeat(10);
    let essence = vec![paragraph.trim_end(); 50 * 1024 / (paragraph.len() + 1)].join("\n");
    let passport = crate::domain::Passport {
        title: "Проверка скорости редактора".into(),
        essence,
        ..crate::domain::Passport::default()
    };
    let id = uuid::Uuid::now_v7();
    let (o, _) = crate::service::practice::execute(
        &crate::cli::ctx(store),
        &author,
        Command::Create { id, passport },
    )
    .map_err(|e| e.to_string())?;
    let draft = crate::tui::worker::Draft {
        practice: o.practice.clone(),
        team: vec!["author".into()],
        profiles: Vec::new(),
    };
    let mut ed = Editor::new(&draft, author.clone(), 2026);
    ed.focus = 3;
    let theme = Theme::default();
    let keymap = Keymap::default();
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).map_err(|e| e.to_string())?;
    let mut times = Vec::new();
    for i in 0..300 {
        let c = if i % 10 == 9 { ' ' } else { 'а' };
        let t = Instant::now();
        ed.input(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        terminal
            .draw(|f| {
                let cx = RenderCx {
                    theme: &theme,
                    keymap: &keymap,
                };
                ed.render(f, f.area(), &cx);
            })
            .map_err(|e| e.to_string())?;
        times.push(t.elapsed());
    }
    times.sort();
    println!(
        "Редактор, нажатие в поле 50 КБ до кадра: p50 {}, p99 {}, максимум {}",
        ms(percentile(&times, 0.50)),
        ms(percentile(&times, 0.99)),
        ms(times.last().copied().unwrap_or_default())
    );
    let mut saves = Vec::new();
    let mut p = o.practice.passport.clone();
    for i in 0..20 {
        p.goal = format!("Цель, редакция {i}");
        let t = Instant::now();
        crate::service::practice::execute(
            &crate::cli::ctx(store),
            &author,
            Command::Edit {
                id,
                passport: p.clone(),
            },
        )
        .map_err(|e| e.to_string())?;
        saves.push(t.elapsed());
    }
    saves.sort();
    println!(
        "Сохранение черновика 50 КБ с записью на диск: p50 {}, максимум {}",
        ms(percentile(&saves, 0.50)),
        ms(saves.last().copied().unwrap_or_default())
    );
    // A revision with a word changed in every tenth paragraph, compared
    // with the first: both read from the store, field texts, word diff.
    let edited: Vec<String> = p
        .essence
        .split('\n')
        .enumerate()
        .map(|(i, para)| {
            if i % 10 == 0 {
                para.replacen("сопровождает", "поддерживает", 1)
            } else {
                para.to_owned()
            }
        })
        .collect();
    p.essence = edited.join("\n");
    let (o, _) = crate::service::practice::execute(
        &crate::cli::ctx(store),
        &author,
        Command::Edit { id, passport: p },
    )
    .map_err(|e| e.to_string())?;
    let mut diffs = Vec::new();
    let mut changed = 0;
    for _ in 0..20 {
        let t = Instant::now();
        let d = crate::service::workflow::revision_diff(
            store,
            Some(&author),
            id,
            1,
            o.practice.revision,
        )?;
        diffs.push(t.elapsed());
        changed = d.len();
    }
    diffs.sort();
    println!(
        "Сравнение двух редакций паспорта 50 КБ (полей: {changed}): p50 {}, максимум {}",
        ms(percentile(&diffs, 0.50)),
        ms(diffs.last().copied().unwrap_or_default())
    );
    Ok(())
}
