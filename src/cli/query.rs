//! The query language from scripts (docs/queries.md): `smarteka search
//! --query "…"` with its rows as text, JSON, CSV or XLSX in the columns
//! chosen, and `smarteka practice act --query "…" ACTION` — a preview of
//! each practice first (`--dry-run`), then each step as its own command
//! (`--yes`).

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde_json::json;

use clap::Subcommand;

use crate::cli::args::HELP_TEMPLATE;
use crate::cli::practice::need_user;
use crate::cli::{Failure, ctx, emit, fail, open};
use crate::domain::Practice;
use crate::domain::access::read_scope;
use crate::domain::query::Row;
use crate::domain::refdata::refdata;
use crate::search::{FacetKind, Filters, SearchQuery, Sort};
use crate::service::query::{self as svc, QueryError};
use crate::store::Store;

/// The columns of an export: (code, heading).
pub const COLUMNS: [(&str, &str); 12] = [
    ("id", "Идентификатор"),
    ("title", "Практика"),
    ("status", "Статус"),
    ("region", "Регион"),
    ("category", "Категория"),
    ("level", "Уровень"),
    ("year", "Год"),
    ("author", "Автор"),
    ("route", "Маршрут"),
    ("deadline", "Срок этапа"),
    ("votes", "Голосов"),
    ("applications", "Заявок на внедрение"),
];

const DEFAULT_COLUMNS: &str = "title,status,region,category,deadline";

/// One cell of a row.
fn cell(r: &Row, column: &str) -> String {
    let d = refdata();
    match column {
        "id" => r.id.to_string(),
        "title" => r.title.clone(),
        "status" => r.status.name().to_owned(),
        "region" => r
            .region
            .as_deref()
            .map(|c| d.region_name(c).to_owned())
            .unwrap_or_default(),
        "category" => r
            .category
            .as_deref()
            .map(|c| d.category_name(c).to_owned())
            .unwrap_or_default(),
        "level" => r.level.map(|l| l.to_string()).unwrap_or_default(),
        "year" => r.year.map(|y| y.to_string()).unwrap_or_default(),
        "author" => r.author.clone(),
        "route" => r.route.map(|x| x.name().to_owned()).unwrap_or_default(),
        "deadline" => r
            .deadline
            .map(|x| x.format("%d.%m.%Y").to_string())
            .unwrap_or_default(),
        "votes" => r.votes.to_string(),
        _ => r.applications.to_string(),
    }
}

fn columns(list: &str) -> Result<Vec<&'static str>, Failure> {
    list.split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(|c| {
            COLUMNS
                .iter()
                .find(|(code, _)| *code == c)
                .map(|(code, _)| *code)
                .ok_or_else(|| {
                    let known: Vec<&str> = COLUMNS.iter().map(|(c, _)| *c).collect();
                    fail(
                        format!("Столбец «{c}» не известен. Есть: {}.", known.join(", ")),
                        2,
                    )
                })
        })
        .collect()
}

/// The rows of `text` as `as_user` (or a guest) may read them.
fn rows(
    data: &Path,
    as_user: Option<&str>,
    text: &str,
) -> Result<(std::sync::Arc<Store>, Vec<Row>), Failure> {
    let (store, index, _) = crate::cli::open(data)?;
    let user = as_user.map(|l| need_user(&store, Some(l))).transpose()?;
    let found = svc::run(&ctx(&store), user.as_ref(), text, Some(&index)).map_err(|e| match e {
        QueryError::Parse(shown) => fail(format!("Запрос не понят:\n{shown}"), 2),
        QueryError::Store(e) => crate::cli::refused(&e),
    })?;
    Ok((store, found))
}

/// What `smarteka search --query` prints or writes.
pub struct Output {
    pub json: bool,
    pub csv: Option<PathBuf>,
    pub xlsx: Option<PathBuf>,
    pub columns: Option<String>,
    pub limit: usize,
}

pub fn search(data: &Path, as_user: Option<&str>, text: &str, o: &Output) -> Result<(), Failure> {
    if text.trim() == "?" {
        let mut out = String::from(
            "Условия запроса (через пробел — все сразу; OR — любое из; «-» перед условием — не):\n",
        );
        for k in crate::domain::query::KEYWORDS {
            let _ = writeln!(
                out,
                "  {:<24} {} ({})",
                k.example,
                k.meaning,
                k.names.join(", ")
            );
        }
        out.push_str(
            "  слова и \"фразы\"         ищутся по тексту паспорта, как в строке поиска\n",
        );
        return emit(out.as_bytes());
    }
    let (_, found) = rows(data, as_user, text)?;
    let cols = columns(o.columns.as_deref().unwrap_or(DEFAULT_COLUMNS))?;
    let mut table = vec![
        cols.iter()
            .map(|c| {
                COLUMNS
                    .iter()
                    .find(|(code, _)| code == c)
                    .map_or(*c, |(_, h)| *h)
                    .to_owned()
            })
            .collect::<Vec<_>>(),
    ];
    table.extend(
        found
            .iter()
            .map(|r| cols.iter().map(|c| cell(r, c)).collect()),
    );
    if let Some(path) = &o.csv {
        crate::cli::selections::write_csv(path, &table)?;
    }
    if let Some(path) = &o.xlsx {
        crate::cli::selections::write_xlsx(path, &format!("Запрос: {text}"), &table)?;
    }
    if o.csv.is_some() || o.xlsx.is_some() {
        eprintln!("Строк: {}.", found.len());
        return Ok(());
    }
    if o.json {
        let arr: Vec<serde_json::Value> = found
            .iter()
            .map(|r| {
                let mut m = serde_json::Map::new();
                m.insert("id".into(), r.id.to_string().into());
                for c in &cols {
                    m.insert((*c).to_owned(), cell(r, c).into());
                }
                serde_json::Value::Object(m)
            })
            .collect();
        return crate::cli::selections::json_out(&arr);
    }
    let mut out = format!(
        "Найдено: {} {}\n",
        found.len(),
        crate::domain::russian::plural(found.len() as u64, "практика", "практики", "практик")
    );
    for r in found.iter().take(o.limit.max(1)) {
        let _ = writeln!(
            out,
            "{}  {}\n    {}",
            r.id,
            r.title,
            cols.iter()
                .filter(|c| **c != "title")
                .map(|c| cell(r, c))
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" · ")
        );
    }
    if found.len() > o.limit.max(1) {
        let _ = writeln!(out, "… и ещё {} (--limit N)", found.len() - o.limit.max(1));
    }
    crate::cli::emit(out.as_bytes())
}

/// `practice act --query "…" ACTION …`: the practices the query finds, each
/// with what the action would do (or why not); with `apply`, each step
/// taken as its own command, a line per practice as it goes, then the sum.
pub fn act(
    data: &Path,
    as_user: Option<&str>,
    text: &str,
    action: &str,
    input: &crate::service::workflow::ActInput,
    apply: bool,
) -> Result<(), Failure> {
    use crate::domain::workflow::Action;
    let Some(kind) = Action::from_code(action) else {
        return Err(crate::cli::unknown_action(
            action,
            Action::ALL.iter().map(|a| a.code()),
        ));
    };
    let (store, found) = rows(data, as_user, text)?;
    let actor = need_user(&store, as_user)?;
    let ids: Vec<_> = found.iter().map(|r| r.id).collect();
    if ids.is_empty() {
        eprintln!("Запрос не нашёл практик: действовать не над чем.");
        return Ok(());
    }
    let blobs = crate::store::blobs::Blobs::new(data);
    let shown = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let mut progress = |done: usize, all: usize| {
        if apply && shown {
            eprint!("\rВыполнено {done} из {all}…\x1b[K");
        }
    };
    let result = svc::bulk(
        &ctx(&store),
        &blobs,
        &actor,
        &ids,
        (kind, input),
        apply,
        &mut progress,
    )?;
    if apply && shown {
        eprint!("\r\x1b[K");
    }
    let mut out = String::new();
    let (mut ok, mut no) = (0, 0);
    for b in &result {
        match &b.result {
            Ok(to) => {
                ok += 1;
                let _ = writeln!(out, "✓ «{}»: {to}", b.title);
            }
            Err(why) => {
                no += 1;
                let _ = writeln!(out, "✗ «{}»: {why}", b.title);
            }
        }
    }
    let _ = if apply {
        writeln!(
            out,
            "Выполнено: {ok}, отказано: {no}.{}",
            crate::cli::people::saved(&store)
        )
    } else {
        writeln!(
            out,
            "Предпросмотр «{}»: будет выполнено {ok}, откажет {no}. Ничего не записано: чтобы выполнить, повторите с --yes.",
            kind.code()
        )
    };
    crate::cli::emit(out.as_bytes())
}

fn filters_from(category: Option<&str>, region: Option<&str>) -> Result<Filters, Failure> {
    let d = refdata();
    let mut f = Filters::default();
    if let Some(c) = category {
        let cat = d.find_category(c).ok_or_else(|| {
            let names: Vec<&str> = d.categories.iter().map(|c| c.name.as_str()).collect();
            fail(
                format!(
                    "Неизвестная категория «{c}». Категории: {}.",
                    names.join(", ")
                ),
                2,
            )
        })?;
        f.set(FacetKind::Category, vec![cat.code.clone()]);
    }
    if let Some(r) = region {
        let reg = d.find_region(r).ok_or_else(|| {
            fail(
                format!("Регион «{r}» не найден или название неоднозначно. Укажите полное название или код."),
                2,
            )
        })?;
        f.set(FacetKind::Region, vec![reg.code.clone()]);
    }
    Ok(f)
}

/// The JSON object of a search hit.
pub fn hit_json(p: &Practice) -> serde_json::Value {
    let d = refdata();
    let region = p.region().unwrap_or("");
    json!({
        "id": p.id,
        "title": p.passport.title,
        "region": d.region_name(region),
        "region_code": region,
        "district": d.district_of(region).map(|x| x.name.clone()),
        "category": p.passport.category_code().map(|c| d.category_name(c).to_owned()),
        "category_code": p.passport.category_code(),
        "status": p.status.name(),
        "status_code": p.status.code(),
        "level": p.passport.level.map(crate::domain::passport::Level::number),
        "year": p.passport.year,
        "section": p.section().name(),
    })
}

/// `smarteka search WORDS…`: the catalogue's search as the workstation's,
/// for anyone.
pub fn words(
    data: &Path,
    text: &str,
    section: &str,
    (category, region): (Option<&str>, Option<&str>),
    limit: usize,
    json: bool,
) -> Result<(), Failure> {
    let filters = filters_from(category, region)?;
    let section = match section {
        "main" => Some(crate::domain::Section::Main),
        "archive" | "knowledge-base" => Some(crate::domain::Section::KnowledgeBase),
        "all" => None,
        other => {
            return Err(fail(
                format!(
                    "Раздел «{other}» не известен: main — основной каталог, archive — «База знаний», all — везде."
                ),
                2,
            ));
        }
    };
    let (store, index, _) = open(data)?;
    let query = SearchQuery {
        // Whole words, as the workstation reads its search once it is kept
        // (Enter): one count.
        text: format!("{text} "),
        filters,
        section,
        scope: read_scope(None),
        sort: Sort::Relevance,
        limit: limit.max(1),
    };
    let r = index.search(&query)?;
    let mut practices = Vec::new();
    for id in &r.ids {
        if let Some(p) = store.practice(*id)? {
            practices.push(p);
        }
    }
    let mut out = Vec::new();
    if json {
        // The array stays what scripts read; the correction goes to stderr.
        if let Some(fixed) = &r.suggestion {
            eprintln!("Возможно, вы искали «{}».", fixed.trim());
        }
        let arr: Vec<_> = practices.iter().map(hit_json).collect();
        serde_json::to_writer_pretty(&mut out, &arr)?;
        writeln!(out)?;
    } else {
        let d = refdata();
        if let Some(fixed) = &r.suggestion {
            writeln!(out, "Возможно, вы искали «{}».", fixed.trim())?;
        }
        writeln!(
            out,
            "Найдено: {} {}",
            r.total,
            crate::domain::russian::plural(r.total as u64, "практика", "практики", "практик")
        )?;
        for p in &practices {
            writeln!(
                out,
                "{}  {}\n    {} · {} · {}",
                p.id,
                p.passport.title,
                d.region_name(p.region().unwrap_or("")),
                p.passport
                    .category_code()
                    .map_or("—", |c| d.category_name(c)),
                p.status.name()
            )?;
        }
    }
    emit(&out)
}

#[derive(Debug, Subcommand)]
pub enum ViewCommand {
    /// Сохранить запрос под именем: вкладка в «Очередях».
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Save {
        #[arg(value_name = "ИМЯ")]
        name: String,
        #[arg(value_name = "ЗАПРОС")]
        query: String,
    },
    /// Сохранённые виды: имя, сколько практик находит сейчас, запрос.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    List {
        #[arg(long)]
        json: bool,
    },
    /// Удалить сохранённый вид.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Delete {
        #[arg(value_name = "ИМЯ")]
        name: String,
    },
    /// Выгрузить практики вида: CSV или XLSX в выбранных столбцах (как
    /// search --query).
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Export {
        #[arg(value_name = "ИМЯ")]
        name: String,
        #[arg(long, value_name = "ФАЙЛ", required_unless_present = "xlsx")]
        csv: Option<PathBuf>,
        #[arg(long, value_name = "ФАЙЛ")]
        xlsx: Option<PathBuf>,
        /// Столбцы через запятую (см. search --help).
        #[arg(long, value_name = "СТОЛБЦЫ")]
        columns: Option<String>,
    },
}

/// `smarteka view save|list|delete`, as the `--as` user.
pub fn view(data: &Path, as_user: Option<&str>, cmd: &ViewCommand) -> Result<(), Failure> {
    if let ViewCommand::Export {
        name,
        csv,
        xlsx,
        columns,
    } = cmd
    {
        let query = {
            let store = Store::open(data)?;
            let user = need_user(&store, as_user)?;
            store
                .views(user.id)?
                .into_iter()
                .find(|(n, _)| *n == svc::view_name(name))
                .map(|(_, q)| q)
                .ok_or_else(|| {
                    fail(
                        format!("Вида «{}» нет: smarteka view list.", name.trim()),
                        1,
                    )
                })?
        };
        let o = Output {
            json: false,
            csv: csv.clone(),
            xlsx: xlsx.clone(),
            columns: columns.clone(),
            limit: usize::MAX,
        };
        return search(data, as_user, &query, &o);
    }
    let (store, index, _) = open(data)?;
    let user = need_user(&store, as_user)?;
    let cx = ctx(&store);
    let failed = |e: QueryError| match e {
        QueryError::Parse(shown) => fail(format!("Запрос не понят:\n{shown}"), 2),
        QueryError::Store(e) => crate::cli::refused(&e),
    };
    match cmd {
        ViewCommand::Save { name, query } => {
            svc::save_view(&cx, &user, name, query).map_err(failed)?;
            eprintln!("Вид «{}» сохранён.", name.trim());
            Ok(())
        }
        ViewCommand::Delete { name } => {
            if svc::delete_view(&cx, &user, name).map_err(|e| crate::cli::refused(&e))? {
                eprintln!("Вид «{}» удалён.", name.trim());
                Ok(())
            } else {
                Err(fail(
                    format!("Вида «{}» нет: smarteka view list.", name.trim()),
                    1,
                ))
            }
        }
        ViewCommand::List { json } => {
            let table = svc::Table::build(&store)?;
            let all = svc::views(&cx, &table, Some(&index), &user).map_err(failed)?;
            if *json {
                let arr: Vec<serde_json::Value> = all
                    .iter()
                    .map(|(n, q, c)| json!({"name": n, "query": q, "count": c}))
                    .collect();
                return crate::cli::selections::json_out(&arr);
            }
            let mut out = String::new();
            for (n, q, c) in &all {
                let _ = writeln!(out, "{n} ({c}): {q}");
            }
            if all.is_empty() {
                out.push_str("Сохранённых видов нет: smarteka view save ИМЯ \"ЗАПРОС\".\n");
            }
            emit(out.as_bytes())
        }
        // Exported before the store was opened here (search opens it).
        ViewCommand::Export { .. } => Ok(()),
    }
}
