//! `smarteka pool list|add|remove|renew`: the expert pools of the
//! categories (§4.4.2–4.4.5), formed by the Модератор АСИ or the
//! category's expert-moderator, as ops on a linked store.

use std::fmt::Write as _;
use std::path::Path;

use chrono::Datelike as _;
use clap::Subcommand;

use crate::cli::admin::category_code;
use crate::cli::args::HELP_TEMPLATE;
use crate::cli::people::saved;
use crate::cli::practice::need_user;
use crate::cli::{Failure, ctx, fail, refused};
use crate::domain::people::ManageChange;
use crate::domain::pools::{Affiliation, Condition, PoolEntry};
use crate::domain::refdata::refdata;
use crate::service::people as svc;
use crate::store::Store;

#[derive(Debug, Subcommand)]
pub enum PoolCommand {
    /// Эксперты пулов: основание, условия п. 4.4.4, год подтверждения.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    List {
        /// Категория: название или код (по умолчанию — все).
        #[arg(long, value_name = "КАТЕГОРИЯ")]
        category: Option<String>,
        /// Год, на который проверяется подтверждение (по умолчанию — текущий).
        #[arg(long, value_name = "ГОД")]
        year: Option<i32>,
        /// Вывести в JSON.
        #[arg(long)]
        json: bool,
    },
    /// Включить в пул категории или подтвердить на новый год. Нужны не
    /// меньше двух условий п. 4.4.4: leadership, competence, regulation.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Add {
        #[arg(value_name = "ЛОГИН")]
        login: String,
        #[arg(long, value_name = "КАТЕГОРИЯ")]
        category: String,
        /// Откуда эксперт (п. 4.4.3): expert-council, rating-expert-council,
        /// rating-committee, state-council, federal-body,
        /// development-institute, expert-organisation.
        #[arg(long, value_name = "ОСНОВАНИЕ")]
        basis: String,
        /// Условие п. 4.4.4 (не меньше двух).
        #[arg(long, value_name = "УСЛОВИЕ")]
        condition: Vec<String>,
        /// Чем подтверждаются условия: должность, проекты, публикации.
        #[arg(long, value_name = "ТЕКСТ")]
        evidence: String,
        /// Год (по умолчанию — текущий).
        #[arg(long, value_name = "ГОД")]
        year: Option<i32>,
    },
    /// Исключить из пула категории (роль эксперта категории снимается).
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Remove {
        #[arg(value_name = "ЛОГИН")]
        login: String,
        #[arg(long, value_name = "КАТЕГОРИЯ")]
        category: String,
    },
    /// Ежегодная актуализация (п. 4.4.5): кого подтвердить на год (pool add)
    /// или исключить (pool remove).
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Renew {
        #[arg(long, value_name = "ГОД")]
        year: i32,
        #[arg(long, value_name = "КАТЕГОРИЯ")]
        category: Option<String>,
    },
}

pub fn run(data: &Path, as_user: Option<&str>, cmd: &PoolCommand) -> Result<(), Failure> {
    let store = Store::open(data)?;
    let actor = need_user(&store, as_user)?;
    let cx = ctx(&store);
    let this_year = cx.today().year();
    match cmd {
        PoolCommand::List {
            category,
            year,
            json,
        } => {
            let category = category.as_deref().map(category_code).transpose()?;
            let rows = svc::pools(&cx, &actor, category.as_deref(), year.unwrap_or(this_year))
                .map_err(|e| refused(&e))?;
            if *json {
                return crate::cli::emit(
                    &serde_json::to_vec_pretty(&rows).map_err(|e| fail(e.to_string(), 1))?,
                );
            }
            let mut out = String::new();
            let mut last = String::new();
            for r in &rows {
                if r.category != last {
                    let _ = writeln!(out, "{}:", r.category_name);
                    last.clone_from(&r.category);
                }
                let basis = match (&r.affiliation, r.year) {
                    (Some(a), Some(y)) => format!("{a}; {}; {y}", r.conditions.join(", ")),
                    _ => "основание не записано".to_owned(),
                };
                let _ = writeln!(
                    out,
                    "  {:<14} {} — {basis}{}",
                    r.login,
                    r.name,
                    if r.to_confirm {
                        " · подтвердить"
                    } else {
                        ""
                    }
                );
            }
            let _ = writeln!(out, "Экспертов в пулах: {}", rows.len());
            crate::cli::emit(out.as_bytes())?;
        }
        PoolCommand::Add {
            login,
            category,
            basis,
            condition,
            evidence,
            year,
        } => {
            let affiliation = Affiliation::find(basis).ok_or_else(|| {
                let codes: Vec<&str> = Affiliation::ALL.iter().map(|a| a.code()).collect();
                fail(
                    format!(
                        "Неизвестное основание «{basis}». Основания: {}.",
                        codes.join(", ")
                    ),
                    2,
                )
            })?;
            let conditions = condition
                .iter()
                .map(|c| {
                    Condition::find(c).ok_or_else(|| {
                        fail(
                            format!(
                                "Неизвестное условие «{c}»: leadership, competence, regulation."
                            ),
                            2,
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            let entry = PoolEntry {
                category: category_code(category)?,
                year: year.unwrap_or(this_year),
                affiliation,
                conditions,
                evidence: evidence.clone(),
                by: actor.id,
                at: cx.now(),
            };
            let year = entry.year;
            svc::manage(&cx, &actor, login, &ManageChange::PoolAdd(Box::new(entry)))
                .map_err(|e| refused(&e))?;
            eprintln!(
                "Готово: «{login}» в экспертном пуле категории «{}» на {year} год.{}",
                refdata().category_name(&category_code(category)?),
                saved(&store)
            );
        }
        PoolCommand::Remove { login, category } => {
            let code = category_code(category)?;
            svc::manage(
                &cx,
                &actor,
                login,
                &ManageChange::PoolRemove {
                    category: code.clone(),
                },
            )
            .map_err(|e| refused(&e))?;
            eprintln!(
                "Готово: «{login}» исключён из пула категории «{}».{}",
                refdata().category_name(&code),
                saved(&store)
            );
        }
        PoolCommand::Renew { year, category } => {
            let category = category.as_deref().map(category_code).transpose()?;
            let rows =
                svc::pools(&cx, &actor, category.as_deref(), *year).map_err(|e| refused(&e))?;
            let due: Vec<_> = rows.iter().filter(|r| r.to_confirm).collect();
            let mut out = String::new();
            let _ = writeln!(
                out,
                "Актуализация экспертных пулов на {year} год (п. 4.4.5): подтвердить — {}, уже подтверждены — {}.",
                due.len(),
                rows.len() - due.len()
            );
            for r in &due {
                let _ = writeln!(
                    out,
                    "  {} · {:<14} {}{}",
                    r.category_name,
                    r.login,
                    r.name,
                    r.year
                        .map(|y| format!(" (подтверждён на {y})"))
                        .unwrap_or_default()
                );
            }
            if !due.is_empty() {
                let _ = writeln!(
                    out,
                    "Подтвердить: smarteka pool add ЛОГИН --category К --basis … --condition … --condition … --evidence … --year {year}; исключить: smarteka pool remove ЛОГИН --category К."
                );
            }
            crate::cli::emit(out.as_bytes())?;
        }
    }
    Ok(())
}
