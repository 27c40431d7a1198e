//! `smarteka club …`: sessions of the Клуб стратегических инициатив
//! (§4.4.9) — planned by the Agency from a JSON file, the Club's word on
//! each practice, the protocol as text or PDF.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Subcommand;
use serde::Deserialize;
use uuid::Uuid;

use crate::cli::args::HELP_TEMPLATE;
use crate::cli::people::saved;
use crate::cli::practice::{need_user, printed};
use crate::cli::selections::{id_of, json_out, parse};
use crate::cli::{Failure, ctx, fail, refused};
use crate::domain::club::{ClubSession, Item, Participant};
use crate::service::club as svc;
use crate::store::Store;

#[derive(Debug, Subcommand)]
#[allow(clippy::doc_markdown)] // the help text names the JSON values as typed
pub enum ClubCommand {
    /// Назначить заседание из JSON: date (ГГГГ-ММ-ДД), rating, participants
    /// ({kind: leader_region | commission_region | agency_division |
    /// public_representative, name}), practices (идентификаторы).
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    New {
        #[arg(long, value_name = "ФАЙЛ")]
        from: PathBuf,
    },
    /// Заседания Клуба: дата, рейтинг, сколько практик рассмотрено.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    List {
        #[arg(long)]
        json: bool,
    },
    /// Решение Клуба по практике: --recommend (рекомендована) или --refuse
    /// с --argument (не допущена).
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Decide {
        #[arg(value_name = "ЗАСЕДАНИЕ")]
        id: String,
        #[arg(value_name = "ПРАКТИКА")]
        practice: String,
        #[arg(long, conflicts_with = "refuse")]
        recommend: bool,
        #[arg(long)]
        refuse: bool,
        /// Аргументы решения; для недопуска обязательны.
        #[arg(long, value_name = "ТЕКСТ", default_value = "")]
        argument: String,
    },
    /// Протокол заседания: текст, или PDF в файл.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Protocol {
        #[arg(value_name = "ЗАСЕДАНИЕ")]
        id: String,
        #[arg(long, value_name = "ФАЙЛ")]
        pdf: Option<PathBuf>,
    },
}

/// A session as the Agency writes it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SessionFile {
    date: chrono::NaiveDate,
    rating: String,
    participants: Vec<Participant>,
    practices: Vec<Uuid>,
}

pub fn run(
    data: &std::path::Path,
    as_user: Option<&str>,
    cmd: &ClubCommand,
) -> Result<(), Failure> {
    let store = Store::open(data)?;
    let cx = ctx(&store);
    match cmd {
        ClubCommand::New { from } => {
            let actor = need_user(&store, as_user)?;
            let f: SessionFile = parse(from)?;
            let s = ClubSession {
                id: Uuid::now_v7(),
                date: f.date,
                rating: f.rating,
                participants: f.participants,
                items: f
                    .practices
                    .into_iter()
                    .map(|practice| Item {
                        practice,
                        decision: None,
                    })
                    .collect(),
                organised_by: actor.id,
            };
            let s = svc::save_with(&cx, &actor, s, |_| {}).map_err(|e| refused(&e))?;
            println!(
                "Заседание Клуба {} назначено: {}; практик {}.{}",
                s.date.format("%d.%m.%Y"),
                s.id,
                s.items.len(),
                saved(&store)
            );
            Ok(())
        }
        ClubCommand::List { json } => {
            let actor = need_user(&store, as_user)?;
            if !crate::domain::club::may_run(&actor) {
                return Err(fail("Заседания Клуба ведёт Агентство (Модератор АСИ).", 1));
            }
            let all = store.club_sessions()?;
            if *json {
                return json_out(&all);
            }
            let mut out = String::new();
            for s in &all {
                let decided = s.items.iter().filter(|i| i.decision.is_some()).count();
                let _ = writeln!(
                    out,
                    "{}  {} — {}; решений {} из {}",
                    s.id,
                    s.date.format("%d.%m.%Y"),
                    s.rating,
                    decided,
                    s.items.len()
                );
            }
            if all.is_empty() {
                out.push_str("Заседаний пока нет: smarteka club new --from ФАЙЛ.\n");
            }
            crate::cli::emit(out.as_bytes())
        }
        ClubCommand::Decide {
            id,
            practice,
            recommend,
            refuse,
            argument,
        } => {
            let actor = need_user(&store, as_user)?;
            if recommend == refuse {
                return Err(fail("Укажите решение: --recommend или --refuse.", 2));
            }
            svc::decide_with(
                &cx,
                &actor,
                id_of(id, "заседания")?,
                id_of(practice, "практики")?,
                *recommend,
                argument,
                |_| {},
            )
            .map_err(|e| refused(&e))?;
            println!("Решение Клуба записано.{}", saved(&store));
            Ok(())
        }
        ClubCommand::Protocol { id, pdf } => {
            let actor = need_user(&store, as_user)?;
            let doc =
                svc::protocol(&cx, &actor, id_of(id, "заседания")?).map_err(|e| refused(&e))?;
            match pdf {
                Some(path) => printed(&doc, path, "Протокол заседания Клуба"),
                None => crate::cli::emit(crate::service::print::pdf::text(&doc).as_bytes()),
            }
        }
    }
}
