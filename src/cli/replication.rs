//! `smarteka replication apply|act|list|show|event|interest` and
//! `smarteka report replication`: replication from scripts, as a user.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use clap::Subcommand;
use uuid::Uuid;

use crate::cli::practice::need_user;
use crate::cli::{Failure, ctx, emit, fail, refused};
use crate::domain::replication::{EventFormat, Request, ResultForm};
use crate::service::replication::{self as repl, StepInput, Summary};
use crate::store::Store;
use crate::store::blobs::Blobs;

const HELP_TEMPLATE: &str = crate::cli::HELP_TEMPLATE;

#[derive(Debug, Subcommand)]
pub enum ReplicationCommand {
    /// «Хочу внедрить»: заявка реципиента на внедрение опубликованной
    /// практики (п. 5.1.1); выводит идентификатор заявки.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Apply {
        #[arg(value_name = "ID_ПРАКТИКИ")]
        practice: String,
        /// На каком мероприятии вы узнали о практике (или идентификатор
        /// мероприятия Агентства).
        #[arg(long, value_name = "ТЕКСТ")]
        event: String,
        /// Подтверждаю: изучил(а) описание и материалы практики, готов(а)
        /// приступить к внедрению и взаимодействовать с модератором и автором.
        #[arg(long)]
        confirm: bool,
    },
    /// Шаг по заявке: assign, contact, no-answer, upload-roadmap, report,
    /// complete, decline, refuse (docs/replication.md).
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Act {
        /// Идентификатор заявки (из replication apply или list).
        #[arg(value_name = "ID_ЗАЯВКИ")]
        id: String,
        /// assign, contact, no-answer, upload-roadmap, report, complete,
        /// decline или refuse.
        #[arg(value_name = "ДЕЙСТВИЕ")]
        action: String,
        /// Модератор внедрения (для assign).
        #[arg(long, value_name = "ЛОГИН")]
        to: Option<String>,
        /// Комментарий к шагу; для decline — причина отказа.
        #[arg(long, value_name = "ТЕКСТ", default_value = "")]
        comment: String,
        /// Файл: дорожная карта (upload-roadmap) или материалы (report);
        /// можно несколько раз.
        #[arg(long, value_name = "ФАЙЛ")]
        attach: Vec<PathBuf>,
        /// Письмо за подписью руководителя исполнительного органа (report).
        #[arg(long, value_name = "ФАЙЛ")]
        letter: Option<PathBuf>,
        /// Основание отказа Агентства (refuse): no-authority, contacts,
        /// ignored, profile.
        #[arg(long, value_name = "КОД")]
        reason: Option<String>,
        /// Форма результата (report): начало внедрения, ДД.ММ.ГГГГ или ГГГГ-ММ-ДД.
        #[arg(long, value_name = "ДАТА")]
        started: Option<String>,
        /// Форма результата: завершение внедрения, ДД.ММ.ГГГГ или ГГГГ-ММ-ДД.
        #[arg(long, value_name = "ДАТА")]
        finished: Option<String>,
        /// Форма результата: как практика адаптирована в регионе.
        #[arg(long, value_name = "ТЕКСТ")]
        adaptation: Option<String>,
        /// Форма результата: первичные результаты.
        #[arg(long, value_name = "ТЕКСТ")]
        results: Option<String>,
        /// Форма результата: ожидаемые эффекты.
        #[arg(long, value_name = "ТЕКСТ")]
        effects: Option<String>,
    },
    /// Заявки, доступные вам.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    List {
        #[arg(long)]
        json: bool,
    },
    /// Заявка: ход работы и документы.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Show {
        #[arg(value_name = "ID_ЗАЯВКИ")]
        id: String,
        #[arg(long)]
        json: bool,
        /// Записать заявку с её ходом в PDF для печати.
        #[arg(long, value_name = "ФАЙЛ", conflicts_with = "json")]
        pdf: Option<PathBuf>,
    },
    /// Мероприятие Агентства (п. 5.2); выводит его идентификатор.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Event {
        /// Формат: internship, project-platform, federal-session,
        /// district-session, regional-session, demo-day, strategic-club,
        /// state-council, visit-session, collection.
        #[arg(long, value_name = "ФОРМАТ")]
        format: String,
        #[arg(long, value_name = "ТЕКСТ")]
        title: String,
        /// Дата: ДД.ММ.ГГГГ или ГГГГ-ММ-ДД.
        #[arg(long, value_name = "ДАТА")]
        date: String,
        #[arg(long, value_name = "ТЕКСТ")]
        place: String,
        /// Представленная практика; можно несколько раз.
        #[arg(long = "practice", value_name = "ID", required = true)]
        practices: Vec<String>,
    },
    /// Заинтересованность региона по итогам мероприятия (п. 5.3.1.1):
    /// реципиенты региона получают приглашение подать заявку.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Interest {
        #[arg(value_name = "ID_МЕРОПРИЯТИЯ")]
        event: String,
        /// Код региона (например, 54).
        #[arg(long, value_name = "КОД")]
        region: String,
        #[arg(long = "practice", value_name = "ID", required = true)]
        practices: Vec<String>,
    },
    /// Мероприятия и приглашения вашего региона.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Events {
        #[arg(long)]
        json: bool,
    },
}

fn id_of(text: &str, what: &str) -> Result<Uuid, Failure> {
    Uuid::parse_str(text.trim())
        .map_err(|_| fail(format!("«{text}» — не идентификатор {what}."), 2))
}

fn date_of(text: &str) -> Result<NaiveDate, Failure> {
    crate::domain::calendar::parse_date(text)
        .ok_or_else(|| fail(crate::domain::calendar::not_a_date(text), 2))
}

fn json_out<T: serde::Serialize>(v: &T) -> Result<(), Failure> {
    let mut s = serde_json::to_string_pretty(v).map_err(|e| fail(e.to_string(), 1))?;
    s.push('\n');
    emit(s.as_bytes())
}

/// How the command line gives what a step needs.
fn step_flags(kind: crate::domain::replication::Action) -> &'static [&'static str] {
    use crate::domain::replication::Action as A;
    match kind {
        A::Assign => &["--to ЛОГИН"],
        A::UploadRoadmap => &["--attach ФАЙЛ"],
        A::Refuse => &["--reason КОД"],
        A::Decline => &["--comment ТЕКСТ"],
        A::Report => &[
            "--started ДАТА",
            "--finished ДАТА",
            "--adaptation ТЕКСТ",
            "--results ТЕКСТ",
            "--effects ТЕКСТ",
            "--letter ФАЙЛ",
            "--attach ФАЙЛ",
        ],
        _ => &[],
    }
}

#[allow(clippy::needless_pass_by_value)] // the shape `map_err` hands over
fn failed(e: crate::service::ServiceError) -> Failure {
    refused(&e)
}

#[allow(clippy::too_many_lines)] // one match over the subcommands
pub fn run(data: &Path, as_user: Option<&str>, cmd: ReplicationCommand) -> Result<(), Failure> {
    let store = Store::open(data)?;
    let user = need_user(&store, as_user)?;
    let cx = ctx(&store);
    match cmd {
        ReplicationCommand::Apply {
            practice,
            event,
            confirm,
        } => {
            let practice = id_of(&practice, "практики")?;
            // An event of the Agency named by its id links the application.
            let linked = Uuid::parse_str(event.trim())
                .ok()
                .map(|id| store.event(id))
                .transpose()?
                .flatten();
            let req = Request {
                learned_at: linked.as_ref().map_or(event.clone(), |e| e.title.clone()),
                event: linked.map(|e| e.id),
                confirmed: confirm,
            };
            let app = repl::apply_with(&cx, &user, practice, &req, None, |_| {}).map_err(failed)?;
            eprintln!("Заявка подана: «{}».", app.status.name());
            emit(format!("{}\n", app.id).as_bytes())
        }
        ReplicationCommand::Act {
            id,
            action,
            to,
            comment,
            attach,
            letter,
            reason,
            started,
            finished,
            adaptation,
            results,
            effects,
        } => {
            let id = id_of(&id, "заявки")?;
            let report = if started.is_some() || finished.is_some() || adaptation.is_some() {
                Some(ResultForm {
                    started: date_of(started.as_deref().unwrap_or_default())?,
                    finished: date_of(finished.as_deref().unwrap_or_default())?,
                    adaptation: adaptation.unwrap_or_default(),
                    first_results: results.unwrap_or_default(),
                    expected_effects: effects.unwrap_or_default(),
                })
            } else {
                None
            };
            let input = StepInput {
                comment,
                to,
                attach,
                letter,
                reason,
                report,
            };
            let Some(kind) = crate::domain::replication::Action::from_code(&action) else {
                return Err(crate::cli::unknown_action(
                    &action,
                    crate::domain::replication::Action::ALL
                        .iter()
                        .map(|a| a.code()),
                ));
            };
            // Not allowed at all: what to give it does not matter.
            repl::may(&cx, &user, id, kind).map_err(failed)?;
            let app = repl::act(&cx, &Blobs::new(data), &user, id, kind, &input).map_err(|e| {
                let mut f = refused(&e);
                let flags = step_flags(kind);
                if !flags.is_empty() && matches!(e, crate::service::ServiceError::Refused(_)) {
                    let _ = write!(
                        f.message,
                        "\nПараметры действия «{}»: {}.",
                        kind.code(),
                        flags.join(", ")
                    );
                }
                f
            })?;
            eprintln!("Готово: заявка — «{}».", app.status.name());
            Ok(())
        }
        ReplicationCommand::List { json } => {
            let rows = repl::rows(&cx, &user)?;
            if json {
                return json_out(&rows);
            }
            let mut out = String::new();
            for r in &rows {
                let late = r
                    .overdue
                    .map(|d| format!(" · просрочено на {d} р.д."))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "{}  {:<28} {} · «{}»{late}",
                    r.id, r.status, r.region_name, r.title
                );
            }
            if rows.is_empty() {
                out.push_str("Заявок нет.\n");
            }
            emit(out.as_bytes())
        }
        ReplicationCommand::Show { id, json, pdf } => {
            let id = id_of(&id, "заявки")?;
            if let Some(path) = pdf {
                let doc = crate::service::print::application(&store, &user, id).map_err(failed)?;
                crate::service::print::save(&doc, &path).map_err(failed)?;
                eprintln!("Заявка записана в PDF: {}", path.display());
                return Ok(());
            }
            let app = store
                .application(id)?
                .filter(|a| {
                    let p = store.practice(a.practice).ok().flatten();
                    crate::domain::replication::can_read(&user, a, p.as_ref())
                })
                .ok_or_else(|| fail("Заявка не найдена или недоступна вам.", 1))?;
            let steps = repl::timeline(&store, id)?;
            if json {
                return json_out(&serde_json::json!({
                    "id": app.id,
                    "practice": app.practice,
                    "region": app.region,
                    "status": app.status.name(),
                    "documents": app.documents,
                    "report": app.report.as_ref().map(|r| serde_json::json!({
                        "started": r.started, "finished": r.finished,
                        "adaptation": r.adaptation, "first_results": r.first_results,
                        "expected_effects": r.expected_effects,
                    })),
                    "timeline": steps,
                }));
            }
            let mut out = format!("Заявка {} — «{}»\n", app.id, app.status.name());
            for s in &steps {
                let _ = writeln!(
                    out,
                    "{}  {}\n    {}",
                    s.at.with_timezone(&chrono::Local).format("%d.%m.%Y %H:%M"),
                    s.actor,
                    s.summary
                );
                if !s.comment.is_empty() {
                    let _ = writeln!(out, "    Комментарий: {}", s.comment);
                }
                for d in &s.documents {
                    let _ = writeln!(out, "    {}: {} ({} байт)", d.kind.name(), d.name, d.size);
                }
            }
            emit(out.as_bytes())
        }
        ReplicationCommand::Event {
            format,
            title,
            date,
            place,
            practices,
        } => {
            let format = EventFormat::from_code(&format).ok_or_else(|| {
                let codes: Vec<&str> = EventFormat::ALL.iter().map(|f| f.code()).collect();
                fail(
                    format!("Нет формата «{format}»; допустимы: {}.", codes.join(", ")),
                    2,
                )
            })?;
            let practices = practices
                .iter()
                .map(|p| id_of(p, "практики"))
                .collect::<Result<Vec<_>, _>>()?;
            let e = crate::domain::replication::Event {
                id: Uuid::now_v7(),
                format,
                title,
                date: date_of(&date)?,
                place,
                practices,
                interest: Vec::new(),
                created_by: user.id,
                revision: 0,
            };
            let e = repl::create_event_with(&cx, &user, e, |_| {}).map_err(failed)?;
            eprintln!("Мероприятие создано: «{}».", e.title);
            emit(format!("{}\n", e.id).as_bytes())
        }
        ReplicationCommand::Interest {
            event,
            region,
            practices,
        } => {
            let event = id_of(&event, "мероприятия")?;
            let practices = practices
                .iter()
                .map(|p| id_of(p, "практики"))
                .collect::<Result<Vec<_>, _>>()?;
            let e = repl::interest_with(&cx, &user, event, &region, &practices, |_| {})
                .map_err(failed)?;
            eprintln!(
                "Заинтересованность записана: «{}», регион {}.",
                e.title,
                crate::domain::refdata::refdata().region_name(&region)
            );
            Ok(())
        }
        ReplicationCommand::Events { json } => {
            let events = store.events()?;
            let invitations = repl::invitations(&store, &user)?;
            if json {
                return json_out(&serde_json::json!({
                    "events": events.iter().map(|e| serde_json::json!({
                        "id": e.id,
                        "format": e.format.name(),
                        "title": e.title,
                        "date": e.date,
                        "place": e.place,
                        "practices": e.practices,
                    })).collect::<Vec<_>>(),
                    "invitations": invitations,
                }));
            }
            let mut out = String::new();
            for e in &events {
                let _ = writeln!(
                    out,
                    "{}  {} · {} · {} · «{}»",
                    e.id,
                    e.date.format("%d.%m.%Y"),
                    e.format.name(),
                    e.place,
                    e.title
                );
            }
            if events.is_empty() {
                out.push_str("Мероприятий нет.\n");
            }
            for i in &invitations {
                let _ = writeln!(
                    out,
                    "Приглашение подать заявку по итогам «{}»: «{}» ({})",
                    i.event_title, i.title, i.practice
                );
            }
            emit(out.as_bytes())
        }
    }
}

/// `smarteka report replication --year Y [--csv F] [--xlsx F] [--pdf F]`.
pub fn report(data: &Path, year: i32, files: [Option<&Path>; 3]) -> Result<(), Failure> {
    let [csv, xlsx, pdf] = files;
    let store = Store::open(data)?;
    let s = repl::summary(&store, year)?;
    if files.iter().all(Option::is_none) {
        return emit(text(&s).as_bytes());
    }
    if let Some(path) = pdf {
        let doc = crate::service::print::replication_report(&s, ctx(&store).today());
        crate::service::print::save(&doc, path).map_err(failed)?;
        eprintln!("PDF: {}", path.display());
    }
    if let Some(path) = csv {
        write_atomically(path, csv_of(&s).as_bytes())?;
        eprintln!("CSV: {}", path.display());
    }
    if let Some(path) = xlsx {
        let bytes = xlsx_of(&s).map_err(|e| fail(format!("XLSX не собран: {e}"), 1))?;
        write_atomically(path, &bytes)?;
        eprintln!("XLSX: {}", path.display());
    }
    Ok(())
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    crate::service::print::write_file(path, bytes).map_err(|e| fail(e.to_string(), 1))
}

pub fn text(s: &Summary) -> String {
    let mut out = format!(
        "Итоги тиражирования за {} год: заявок {}\n",
        s.year, s.total
    );
    for (title, rows) in s.sections() {
        let _ = writeln!(out, "\n{title}:");
        for (name, n) in rows {
            let _ = writeln!(out, "  {n:>5}  {name}");
        }
    }
    let _ = writeln!(
        out,
        "\nОпубликованы, но без заявок за год — кандидаты в архив (п. 4.6.1): {}",
        s.archive_candidates.len()
    );
    for t in &s.archive_candidates {
        let _ = writeln!(out, "  «{t}»");
    }
    out
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', ';']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

pub fn csv_of(s: &Summary) -> String {
    let mut out = String::from("раздел,название,заявок\n");
    let _ = writeln!(out, "Всего,{},{}", s.year, s.total);
    for (title, rows) in s.sections() {
        for (name, n) in rows {
            let _ = writeln!(out, "{},{},{n}", csv_field(title), csv_field(name));
        }
    }
    for t in &s.archive_candidates {
        let _ = writeln!(out, "Кандидаты в архив,{},0", csv_field(t));
    }
    out
}

pub fn xlsx_of(s: &Summary) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    for (title, rows) in s.sections() {
        let sheet = book.add_worksheet();
        sheet.set_name(title)?;
        sheet.write_string_with_format(0, 0, title, &bold)?;
        sheet.write_string_with_format(0, 1, "Заявок", &bold)?;
        let mut r = 1u32;
        for (name, n) in rows {
            sheet.write_string(r, 0, name)?;
            sheet.write_number(r, 1, f64::from(u32::try_from(*n).unwrap_or(u32::MAX)))?;
            r += 1;
        }
        sheet.write_string_with_format(r, 0, "Итого", &bold)?;
        sheet.write_number_with_format(
            r,
            1,
            f64::from(u32::try_from(rows.iter().map(|x| x.1).sum::<usize>()).unwrap_or(u32::MAX)),
            &bold,
        )?;
        sheet.set_column_width(0, 60)?;
    }
    let sheet = book.add_worksheet();
    sheet.set_name("Кандидаты в архив")?;
    sheet.write_string_with_format(0, 0, "Опубликованы, без заявок за год (п. 4.6.1)", &bold)?;
    for (i, t) in s.archive_candidates.iter().enumerate() {
        sheet.write_string(u32::try_from(i + 1).unwrap_or(u32::MAX), 0, t)?;
    }
    sheet.set_column_width(0, 80)?;
    book.save_to_buffer()
}
