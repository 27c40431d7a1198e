//! `smarteka partner …` and `smarteka selection …`: the strategic partners
//! (§2.2.4–2.2.5) and the selections «Отборы» they order (§3.2.5–3.2.7,
//! §4.3.4), from JSON files the Agency keeps; an author's application.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::Subcommand;
use serde::Deserialize;
use uuid::Uuid;

use crate::cli::args::HELP_TEMPLATE;
use crate::cli::people::saved;
use crate::cli::practice::{need_user, read_text};
use crate::cli::{Failure, ctx, fail, refused};
use crate::domain::selection::{Criterion, Dates, Partner, PartnerKind, Selection};
use crate::service::selections as svc;
use crate::store::Store;

#[derive(Debug, Subcommand)]
#[allow(clippy::doc_markdown)] // the help text names the JSON values as typed
pub enum PartnerCommand {
    /// Записать партнёра из JSON: name, kind (commission | federal_body),
    /// contacts, representatives (логины).
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    New {
        #[arg(long, value_name = "ФАЙЛ")]
        from: PathBuf,
    },
    /// Партнёры платформы.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    List {
        #[arg(long)]
        json: bool,
    },
    /// Указать партнёра, рекомендовавшего практику (п. 3.2.2): для
    /// основания подачи «Рекомендация комиссии Госсовета или федерального
    /// органа». Автор, участник команды или Модератор АСИ.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Recommend {
        /// Партнёр: идентификатор или слова названия.
        #[arg(value_name = "ПАРТНЁР")]
        partner: String,
        #[arg(value_name = "ПРАКТИКА")]
        practice: String,
        /// Письмо-рекомендация: номер и дата, или протокол заседания.
        #[arg(long, value_name = "ТЕКСТ", default_value = "")]
        letter: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum SelectionCommand {
    /// Записать отбор из JSON (пример: assets/examples/selection.json).
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    New {
        #[arg(long, value_name = "ФАЙЛ")]
        from: PathBuf,
    },
    /// Изменить отбор: сроки, критерии, экспертов; заявки остаются.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Edit {
        #[arg(value_name = "ОТБОР")]
        id: String,
        #[arg(long, value_name = "ФАЙЛ")]
        from: PathBuf,
    },
    /// Отборы: этап и сколько дней осталось до конца приёма заявок.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    List {
        #[arg(long)]
        json: bool,
    },
    /// Страница отбора: тематика, критерии, сроки, документы, заявки.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Show {
        #[arg(value_name = "ОТБОР")]
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Оценить заявку (эксперт отбора, после окончания приёма): оценки по
    /// критериям через запятую в их порядке; для «да/нет» — 1 или 0.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Score {
        #[arg(value_name = "ОТБОР")]
        id: String,
        #[arg(value_name = "ПРАКТИКА")]
        practice: String,
        #[arg(long, value_name = "ОЦЕНКИ")]
        marks: String,
    },
    /// Рейтинг заявок и победители; в CSV или XLSX.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Results {
        #[arg(value_name = "ОТБОР")]
        id: String,
        #[arg(long)]
        json: bool,
        #[arg(long, value_name = "ФАЙЛ")]
        csv: Option<PathBuf>,
        #[arg(long, value_name = "ФАЙЛ")]
        xlsx: Option<PathBuf>,
        /// Итоги в PDF для печати.
        #[arg(long, value_name = "ФАЙЛ")]
        pdf: Option<PathBuf>,
    },
    /// Записать решение партнёра и Агентства о победителях (после оценки).
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Decide {
        #[arg(value_name = "ОТБОР")]
        id: String,
        /// Практики-победители через запятую, по порядку.
        #[arg(long, value_name = "ПРАКТИКИ")]
        winners: String,
    },
    /// Подать практику на отбор; обязательные критерии «да/нет»
    /// подтверждаются по названию (--confirm) или все сразу (--confirm-all).
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Apply {
        /// Идентификатор отбора (smarteka selection list).
        #[arg(value_name = "ОТБОР")]
        id: String,
        /// Идентификатор практики.
        #[arg(value_name = "ПРАКТИКА")]
        practice: String,
        /// Подтвердить обязательный критерий «да/нет» по названию (можно
        /// несколько раз).
        #[arg(long, value_name = "КРИТЕРИЙ")]
        confirm: Vec<String>,
        /// Подтвердить все обязательные критерии «да/нет».
        #[arg(long)]
        confirm_all: bool,
    },
}

/// A partner as the Agency writes it: representatives by login.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PartnerFile {
    name: String,
    kind: PartnerKind,
    #[serde(default)]
    contacts: String,
    #[serde(default)]
    representatives: Vec<String>,
}

/// A selection as the Agency writes it: experts by login.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SelectionFile {
    partner: Uuid,
    title: String,
    theme: String,
    #[serde(default)]
    categories: Vec<String>,
    criteria: Vec<Criterion>,
    dates: Dates,
    #[serde(default)]
    experts: Vec<String>,
    #[serde(default)]
    regulations: String,
}

pub(crate) fn parse<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, Failure> {
    let text = read_text(path)?;
    serde_json::from_str(&text).map_err(|e| {
        fail(
            format!(
                "«{}» не принят: строка {}, столбец {}: {}",
                path.display(),
                e.line(),
                e.column(),
                in_russian(&e)
            ),
            2,
        )
    })
}

/// What serde says of a file, in Russian: the field or value it names.
fn in_russian(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let named = |t: &str| t.split('`').nth(1).unwrap_or_default().to_owned();
    if text.starts_with("unknown field") {
        format!("неизвестное поле «{}»", named(&text))
    } else if text.starts_with("missing field") {
        format!("нет обязательного поля «{}»", named(&text))
    } else if text.starts_with("unknown variant") {
        format!("недопустимое значение «{}»", named(&text))
    } else if text.starts_with("premature end") || text.starts_with("EOF") {
        "файл оборван".to_owned()
    } else if text.starts_with("invalid type") || text.starts_with("invalid value") {
        "значение не того вида (дата — ГГГГ-ММ-ДД, идентификатор — UUID, баллы — число)".to_owned()
    } else if e.is_syntax() {
        "это не JSON".to_owned()
    } else {
        text
    }
}

fn logins(store: &Store, logins: &[String]) -> Result<Vec<Uuid>, Failure> {
    logins
        .iter()
        .map(|l| {
            store
                .user_by_login(l)?
                .map(|u| u.id)
                .ok_or_else(|| fail(format!("Пользователь «{l}» не найден."), 2))
        })
        .collect()
}

pub(crate) fn id_of(text: &str, what: &str) -> Result<Uuid, Failure> {
    Uuid::parse_str(text.trim())
        .map_err(|_| fail(format!("«{text}» — не идентификатор {what}."), 2))
}

/// The results as a table: a header row, then a row per application.
fn results_table(rows: &[svc::ResultRow]) -> Vec<Vec<String>> {
    let mut t = vec![
        [
            "Место",
            "Практика",
            "Регион",
            "Средний балл",
            "Экспертов",
            "Примечание",
            "Победитель",
        ]
        .map(str::to_owned)
        .to_vec(),
    ];
    for r in rows {
        t.push(vec![
            r.place.clone(),
            r.title.clone(),
            r.region.clone(),
            format!("{:.2}", r.mean),
            r.experts.to_string(),
            r.note.clone(),
            if r.winner { "да" } else { "" }.to_owned(),
        ]);
    }
    t
}

pub(crate) fn write_csv(path: &Path, table: &[Vec<String>]) -> Result<(), Failure> {
    let mut text = String::new();
    for row in table {
        let cells: Vec<String> = row
            .iter()
            .map(|c| format!("\"{}\"", c.replace('"', "\"\"")))
            .collect();
        text.push_str(&cells.join(";"));
        text.push_str("\r\n");
    }
    crate::service::print::write_file(path, text.as_bytes()).map_err(|e| fail(e.to_string(), 1))?;
    eprintln!("CSV: {}", path.display());
    Ok(())
}

/// A table as a workbook: `heading` in the first row, the table from the
/// third.
pub(crate) fn write_xlsx(path: &Path, heading: &str, table: &[Vec<String>]) -> Result<(), Failure> {
    let bytes = crate::service::print::xlsx(heading, table).map_err(|e| fail(e.to_string(), 1))?;
    crate::service::print::write_file(path, &bytes).map_err(|e| fail(e.to_string(), 1))?;
    eprintln!("XLSX: {}", path.display());
    Ok(())
}

pub(crate) fn json_out<T: serde::Serialize>(v: &T) -> Result<(), Failure> {
    let mut bytes = serde_json::to_vec_pretty(v).map_err(|e| fail(e.to_string(), 1))?;
    bytes.push(b'\n');
    crate::cli::emit(&bytes)
}

/// A partner by its id or by words of its name, one only.
fn partner_of(store: &Store, text: &str) -> Result<Partner, Failure> {
    let all = store.partners()?;
    if let Ok(id) = Uuid::parse_str(text.trim()) {
        return all
            .into_iter()
            .find(|p| p.id == id)
            .ok_or_else(|| fail(format!("Партнёр {id} не найден: smarteka partner list."), 1));
    }
    let words: Vec<String> = text.split_whitespace().map(str::to_lowercase).collect();
    let mut found: Vec<Partner> = all
        .into_iter()
        .filter(|p| {
            let name = p.name.to_lowercase();
            !words.is_empty() && words.iter().all(|w| name.contains(w.as_str()))
        })
        .collect();
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(fail(
            format!("Партнёр «{text}» не найден: smarteka partner list."),
            1,
        )),
        _ => Err(fail(
            format!(
                "Под «{text}» подходят несколько партнёров: {}. Уточните название или укажите идентификатор.",
                found
                    .iter()
                    .map(|p| format!("«{}»", p.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            2,
        )),
    }
}

pub fn partner(data: &Path, as_user: Option<&str>, cmd: &PartnerCommand) -> Result<(), Failure> {
    let store = Store::open(data)?;
    match cmd {
        PartnerCommand::New { from } => {
            let actor = need_user(&store, as_user)?;
            let f: PartnerFile = parse(from)?;
            let p = Partner {
                id: Uuid::now_v7(),
                name: f.name,
                kind: f.kind,
                contacts: f.contacts,
                representatives: logins(&store, &f.representatives)?,
            };
            let p = svc::save_partner(&ctx(&store), &actor, p).map_err(|e| refused(&e))?;
            println!("Партнёр «{}» записан: {}.{}", p.name, p.id, saved(&store));
            Ok(())
        }
        PartnerCommand::List { json } => {
            let all = store.partners()?;
            if *json {
                return json_out(&all);
            }
            let mut out = String::new();
            for p in &all {
                let _ = writeln!(out, "{}  {} ({})", p.id, p.name, p.kind.name());
            }
            if all.is_empty() {
                out.push_str("Партнёров пока нет: smarteka partner new --from ФАЙЛ.\n");
            }
            crate::cli::emit(out.as_bytes())
        }
        PartnerCommand::Recommend {
            partner,
            practice,
            letter,
        } => {
            let actor = need_user(&store, as_user)?;
            let p = partner_of(&store, partner)?;
            let id = id_of(practice, "практики")?;
            svc::recommend::recommend_with(&ctx(&store), &actor, id, p.id, letter, |_| {})
                .map_err(|e| refused(&e))?;
            println!(
                "Записано: практику рекомендовал партнёр «{}».{}",
                p.name,
                saved(&store)
            );
            Ok(())
        }
    }
}

pub fn selection(
    data: &Path,
    as_user: Option<&str>,
    cmd: &SelectionCommand,
) -> Result<(), Failure> {
    let store = Store::open(data)?;
    let cx = ctx(&store);
    let viewer = as_user.map(|l| need_user(&store, Some(l))).transpose()?;
    match cmd {
        SelectionCommand::New { from } | SelectionCommand::Edit { from, .. } => {
            let actor = need_user(&store, as_user)?;
            let f: SelectionFile = parse(from)?;
            let id = match cmd {
                SelectionCommand::Edit { id, .. } => {
                    let id = id_of(id, "отбора")?;
                    if store.selection(id)?.is_none() {
                        return Err(fail("Отбор не найден.", 1));
                    }
                    id
                }
                _ => Uuid::now_v7(),
            };
            let s = Selection {
                id,
                partner: f.partner,
                title: f.title,
                theme: f.theme,
                categories: f.categories,
                criteria: f.criteria,
                dates: f.dates,
                experts: logins(&store, &f.experts)?,
                regulations: f.regulations,
                winners: Vec::new(),
            };
            let s = svc::save_selection(&cx, &actor, s).map_err(|e| refused(&e))?;
            println!(
                "Отбор «{}» записан: {}. Приём заявок {}–{}.",
                s.title,
                s.id,
                s.dates.opens.format("%d.%m.%Y"),
                s.dates.closes.format("%d.%m.%Y")
            );
            Ok(())
        }
        SelectionCommand::List { json } => {
            let rows = svc::rows(&cx, viewer.as_ref()).map_err(|e| refused(&e))?;
            if *json {
                return json_out(&store.selections()?);
            }
            let mut out = String::new();
            for r in &rows {
                let left = r
                    .days_left
                    .map(|n| format!(", осталось дней: {n}"))
                    .unwrap_or_default();
                let _ = writeln!(out, "{}  «{}» — {}{left}", r.id, r.title, r.stage);
            }
            if rows.is_empty() {
                out.push_str("Отборов пока нет.\n");
            }
            crate::cli::emit(out.as_bytes())
        }
        SelectionCommand::Show { id, json } => {
            let id = id_of(id, "отбора")?;
            if *json {
                let s = store
                    .selection(id)?
                    .ok_or_else(|| fail("Отбор не найден.", 1))?;
                let entries = svc::visible_entries(&store, viewer.as_ref(), id)?;
                return json_out(&serde_json::json!({ "selection": s, "entries": entries }));
            }
            let text = svc::page(&cx, viewer.as_ref(), id).map_err(|e| refused(&e))?;
            crate::cli::emit(text.as_bytes())
        }
        SelectionCommand::Score {
            id,
            practice,
            marks,
        } => {
            let actor = need_user(&store, as_user)?;
            let marks: Vec<u8> = marks
                .split(',')
                .map(|m| m.trim().parse::<u8>())
                .collect::<Result<_, _>>()
                .map_err(|_| {
                    fail(
                        format!("«{marks}» — не оценки: числа через запятую, например 1,1,8."),
                        2,
                    )
                })?;
            svc::score_with(
                &cx,
                &actor,
                id_of(id, "отбора")?,
                id_of(practice, "практики")?,
                &marks,
                |_| {},
            )
            .map_err(|e| refused(&e))?;
            println!("Оценка записана.{}", saved(&store));
            Ok(())
        }
        SelectionCommand::Results {
            id,
            json,
            csv,
            xlsx,
            pdf,
        } => {
            let (s, rows) = svc::results(&cx, viewer.as_ref(), id_of(id, "отбора")?)
                .map_err(|e| refused(&e))?;
            if *json {
                return json_out(&rows);
            }
            if let Some(path) = pdf {
                let partner = store
                    .partner(s.partner)?
                    .map(|p| p.name)
                    .unwrap_or_default();
                let doc = svc::print::results_doc(&s, &partner, &rows);
                crate::cli::practice::printed(&doc, path, "Документ «Итоги отбора»")?;
            }
            let table = results_table(&rows);
            if let Some(path) = csv {
                write_csv(path, &table)?;
            }
            if let Some(path) = xlsx {
                write_xlsx(path, &format!("Итоги отбора «{}»", s.title), &table)?;
            }
            if csv.is_some() || xlsx.is_some() || pdf.is_some() {
                return Ok(());
            }
            let mut out = format!("Итоги отбора «{}»\n", s.title);
            for r in &rows {
                let win = if r.winner {
                    " — победитель"
                } else {
                    ""
                };
                let note = if r.note.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", r.note)
                };
                let _ = writeln!(
                    out,
                    "{:>5}  {:.2}  «{}» — {}{win}{note}",
                    r.place, r.mean, r.title, r.region
                );
            }
            crate::cli::emit(out.as_bytes())
        }
        SelectionCommand::Decide { id, winners } => {
            let actor = need_user(&store, as_user)?;
            let winners: Vec<Uuid> = winners
                .split(',')
                .map(|w| id_of(w, "практики"))
                .collect::<Result<_, _>>()?;
            let s = svc::decide(&cx, &actor, id_of(id, "отбора")?, &winners)
                .map_err(|e| refused(&e))?;
            println!(
                "Итоги отбора «{}» записаны: победителей {}.",
                s.title,
                s.winners.len()
            );
            Ok(())
        }
        SelectionCommand::Apply {
            id,
            practice,
            confirm,
            confirm_all,
        } => {
            let actor = need_user(&store, as_user)?;
            let id = id_of(id, "отбора")?;
            let s = store
                .selection(id)?
                .ok_or_else(|| fail("Отбор не найден.", 1))?;
            let confirmed: Vec<String> = if *confirm_all {
                s.criteria
                    .iter()
                    .filter(|c| c.max_score.is_none())
                    .map(|c| c.name.clone())
                    .collect()
            } else {
                confirm.clone()
            };
            svc::enter_with(
                &cx,
                &actor,
                id,
                id_of(practice, "практики")?,
                &confirmed,
                |_| {},
            )
            .map_err(|e| refused(&e))?;
            println!("Заявка на отбор «{}» подана.{}", s.title, saved(&store));
            Ok(())
        }
    }
}
