//! `smarteka region list|show|edit`: the region pages (§2.2.1, §2.2.3),
//! kept by the regions' coordinators.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::Subcommand;
use serde::Deserialize;

use crate::cli::args::HELP_TEMPLATE;
use crate::cli::practice::{need_user, read_text};
use crate::cli::{Failure, ctx, fail, refused};
use crate::domain::regions::{RegionPage, TeamMember};
use crate::service::regions as svc;
use crate::store::Store;

#[derive(Debug, Subcommand)]
pub enum RegionCommand {
    /// Все регионы: глава, число практик, ждёт ли страница обновления.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    List {
        /// Только страницы, ждущие ежегодного обновления.
        #[arg(long)]
        stale: bool,
        /// Вывести в JSON.
        #[arg(long)]
        json: bool,
    },
    /// Страница региона: глава, команда, координатор, практики по
    /// статусам, заявки на тиражирование, место в списках лидеров.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Show {
        /// Регион: название или код.
        #[arg(value_name = "РЕГИОН")]
        region: String,
        #[arg(long)]
        json: bool,
    },
    /// Изменить страницу своего региона полями из JSON: head,
    /// `head_position`, team (список {name, position}), note.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Edit {
        #[arg(value_name = "РЕГИОН")]
        region: String,
        #[arg(long = "from", value_name = "ФАЙЛ")]
        from: PathBuf,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PageFile {
    head: Option<String>,
    head_position: Option<String>,
    team: Option<Vec<TeamMember>>,
    note: Option<String>,
}

fn code(text: &str) -> Result<String, Failure> {
    crate::cli::admin::region_code(text)
}

pub fn run(data: &Path, as_user: Option<&str>, cmd: &RegionCommand) -> Result<(), Failure> {
    let store = Store::open(data)?;
    let cx = ctx(&store);
    match cmd {
        RegionCommand::List { stale, json } => {
            let rows: Vec<_> = svc::list(&cx)
                .map_err(|e| refused(&e))?
                .into_iter()
                .filter(|r| !stale || r.needs_update)
                .collect();
            if *json {
                return crate::cli::emit(
                    &serde_json::to_vec_pretty(&rows).map_err(|e| fail(e.to_string(), 1))?,
                );
            }
            let mut out = String::new();
            for r in &rows {
                let _ = writeln!(
                    out,
                    "{}  {:<40} {:>5} практик  {}{}",
                    r.code,
                    r.name,
                    r.practices,
                    r.head.as_deref().unwrap_or("глава не указан"),
                    if r.needs_update {
                        " · обновить"
                    } else {
                        ""
                    }
                );
            }
            let _ = writeln!(out, "Регионов: {}", rows.len());
            crate::cli::emit(out.as_bytes())
        }
        RegionCommand::Show { region, json } => {
            let v = svc::show(&cx, &code(region)?).map_err(|e| refused(&e))?;
            if *json {
                return crate::cli::emit(
                    &serde_json::to_vec_pretty(&v).map_err(|e| fail(e.to_string(), 1))?,
                );
            }
            crate::cli::emit(svc::text(&v).as_bytes())
        }
        RegionCommand::Edit { region, from } => {
            let user = need_user(&store, as_user)?;
            let code = code(region)?;
            let raw = read_text(from)?;
            let f: PageFile = serde_json::from_str(&raw).map_err(|e| {
                fail(
                    format!("«{}» — не страница региона в JSON: {e}", from.display()),
                    2,
                )
            })?;
            let mut page = store.region_page(&code)?.unwrap_or(RegionPage {
                code: code.clone(),
                head: String::new(),
                head_position: String::new(),
                team: Vec::new(),
                note: String::new(),
                updated: cx.now(),
                updated_by: user.id,
            });
            if let Some(v) = f.head {
                page.head = v;
            }
            if let Some(v) = f.head_position {
                page.head_position = v;
            }
            if let Some(v) = f.team {
                page.team = v;
            }
            if let Some(v) = f.note {
                page.note = v;
            }
            svc::edit(&cx, &user, page).map_err(|e| refused(&e))?;
            eprintln!(
                "Готово: страница региона сохранена.{}",
                crate::cli::people::saved(&store)
            );
            Ok(())
        }
    }
}
