//! Documents people print: the passport as the Agency would, the expert
//! review's protocol, a replication's application and the replication
//! report — built from the store as [`pdf::Doc`]s and rendered to PDF.

pub mod pdf;

use std::fmt::Write as _;
use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};

use self::pdf::{Block, Doc};
use crate::domain::User;
use crate::domain::refdata::refdata;
use crate::domain::workflow::{Protocol, ProtocolKind, Verdict};
use crate::domain::{Practice, PracticeId};
use crate::service::replication as repl;
use crate::service::views::{field_texts, life_lines, load_view, name_of};
use crate::service::{Ctx, ServiceError};
use crate::store::Store;

const PLATFORM: &str = "Платформа «Смартека» · АНО «Агентство стратегических инициатив»";

fn date(t: DateTime<Utc>) -> String {
    t.format("%d.%m.%Y").to_string()
}

fn field(label: &str, value: impl Into<String>) -> Block {
    Block::Field {
        label: label.to_owned(),
        value: value.into(),
    }
}

fn readable(store: &Store, user: Option<&User>, id: PracticeId) -> Result<Practice, ServiceError> {
    Ok(load_view(store, id, user)
        .map_err(ServiceError::not_found)?
        .practice)
}

/// The practice's head: region, category, level, status.
fn head(p: &Practice) -> Vec<Block> {
    let d = refdata();
    vec![
        field(
            "Регион",
            p.region().map_or("—", |r| d.region_name(r)).to_owned(),
        ),
        field(
            "Категория",
            p.passport
                .category_code()
                .map_or("не выбрана", |c| d.category_name(c))
                .to_owned(),
        ),
        field(
            "Уровень",
            p.passport.level.map_or("не установлен".to_owned(), |l| {
                format!("{} — {}", l.number(), l.name())
            }),
        ),
        field(
            "Статус",
            format!(
                "{} · {} · редакция {}",
                p.status.id(),
                p.status.name(),
                p.revision
            ),
        ),
    ]
}

/// The passport as the Agency prints it: a cover with the practice's head
/// and where it stands, then the fields P-1…P-24.
pub fn passport(cx: &Ctx<'_>, user: Option<&User>, id: PracticeId) -> Result<Doc, ServiceError> {
    let store = cx.store;
    let v = load_view(store, id, user).map_err(ServiceError::not_found)?;
    let p = &v.practice;
    let mut blocks = vec![
        Block::Para(PLATFORM.to_owned()),
        Block::Gap,
        Block::Title("Паспорт практики".to_owned()),
        Block::Heading(p.passport.title.clone()),
        Block::Gap,
    ];
    blocks.extend(head(p));
    blocks.push(field("Автор", v.author.clone()));
    for l in life_lines(store, p, user, cx.today()) {
        blocks.push(Block::Field {
            label: l.label,
            value: l.text,
        });
    }
    blocks.push(field("Напечатано", date(cx.now())));
    blocks.push(Block::PageBreak);
    for (f, text) in field_texts(&v) {
        blocks.push(Block::Heading(format!("{} {}", f.id(), f.label())));
        blocks.push(Block::Para(text));
    }
    blocks.push(Block::Heading(
        "Критерии п. 2.1.5, подтверждённые автором".to_owned(),
    ));
    blocks.push(Block::Para(
        crate::domain::passport::CRITERIA
            .iter()
            .zip(p.passport.criteria_confirmed)
            .map(|(c, yes)| format!("{} {c}", if yes { "[x]" } else { "[ ]" }))
            .collect::<Vec<_>>()
            .join("\n"),
    ));
    blocks.push(Block::Heading("Тиражирование".to_owned()));
    blocks.push(Block::Para(if v.replications.is_empty() {
        "Заявок на внедрение нет.".to_owned()
    } else {
        v.replications
            .iter()
            .map(|(region, status)| format!("• {region} — {}", status.name()))
            .collect::<Vec<_>>()
            .join("\n")
    }));
    Ok(Doc {
        title: format!("Паспорт практики «{}»", p.passport.title),
        blocks,
    })
}

/// The protocols of a practice's expert review (app. 3), oldest first:
/// for an online review the experts, their decisions and points, the tally
/// and the rule applied; for an offline one the experts who signed it.
pub fn protocol(store: &Store, user: Option<&User>, id: PracticeId) -> Result<Doc, ServiceError> {
    let p = readable(store, user, id)?;
    if !crate::domain::access::sees_workflow(user, &p) {
        return Err(ServiceError::refused(
            "Протокол экспертной оценки видят команда практики, координатор её региона и Агентство.",
        ));
    }
    if p.workflow.protocols.is_empty() {
        return Err(ServiceError::not_found(format!(
            "У практики «{}» ещё нет протокола экспертной оценки: он формируется по итогам голосования или загружается экспертом-модератором.",
            p.passport.title
        )));
    }
    let mut blocks = Vec::new();
    for (n, pr) in p.workflow.protocols.iter().enumerate() {
        if n > 0 {
            blocks.push(Block::PageBreak);
        }
        blocks.extend(protocol_blocks(store, &p, pr));
    }
    Ok(Doc {
        title: format!("Протокол экспертной оценки — «{}»", p.passport.title),
        blocks,
    })
}

fn protocol_blocks(store: &Store, p: &Practice, pr: &Protocol) -> Vec<Block> {
    let mut b = vec![
        Block::Para(PLATFORM.to_owned()),
        Block::Gap,
        Block::Title("Протокол экспертной оценки практики".to_owned()),
        Block::Gap,
        field("Практика", p.passport.title.clone()),
    ];
    b.extend(head(p));
    b.push(field("Дата", date(pr.at)));
    b.push(field(
        "Формат",
        match pr.kind {
            ProtocolKind::Online => "онлайн-голосование на платформе (п. 4.4.7)",
            ProtocolKind::Offline => "очная оценка, протокол подписан экспертами (п. 4.4.7)",
        },
    ));
    b.push(field("Оценена редакция", pr.revision.to_string()));
    b.push(field(
        "Эксперт-модератор",
        pr.by.map_or(
            "— (решение по последнему голосу)".to_owned(),
            |u| name_of(store, u),
        ),
    ));
    match pr.kind {
        ProtocolKind::Online => {
            b.push(Block::Heading("Эксперты и их решения".to_owned()));
            let rows = pr
                .experts
                .iter()
                .map(|e| {
                    let vote = pr.votes.iter().find(|v| v.expert == *e);
                    vec![
                        name_of(store, *e),
                        vote.map_or("не голосовал".to_owned(), |v| verdict(v.verdict)),
                        vote.map_or(String::new(), |v| v.comment.clone()),
                        vote.map_or(String::new(), |v| date(v.at)),
                    ]
                })
                .collect();
            b.push(Block::Table {
                header: vec![
                    "Эксперт".to_owned(),
                    "Решение".to_owned(),
                    "Замечания".to_owned(),
                    "Дата".to_owned(),
                ],
                rows,
                widths: vec![0.3, 0.18, 0.38, 0.14],
            });
        }
        ProtocolKind::Offline => {
            b.push(Block::Heading("Протокол подписали".to_owned()));
            let rows = pr
                .experts
                .iter()
                .enumerate()
                .map(|(i, e)| vec![(i + 1).to_string(), name_of(store, *e)])
                .collect();
            b.push(Block::Table {
                header: vec!["№".to_owned(), "Эксперт пула категории".to_owned()],
                rows,
                widths: vec![0.08, 0.92],
            });
            if let Some(d) = &pr.document {
                b.push(field(
                    "Подписанный протокол",
                    format!("{} (SHA-256 {})", d.name, d.sha256),
                ));
            }
        }
    }
    b.push(Block::Heading("Решение".to_owned()));
    b.push(field("Решение", pr.decision.name()));
    b.push(field("Правило", pr.rule()));
    if !pr.points.is_empty() {
        b.push(field("Замечания и основания", pr.points.clone()));
    }
    b
}

fn verdict(v: Verdict) -> String {
    match v {
        Verdict::Approve => "одобрить публикацию",
        Verdict::Revise => "направить на доработку",
        Verdict::Reject => "отказать в публикации",
    }
    .to_owned()
}

/// An application to replicate a practice with its timeline (§5.3).
pub fn application(store: &Store, user: &User, id: uuid::Uuid) -> Result<Doc, ServiceError> {
    let app = store
        .application(id)?
        .filter(|a| {
            let p = store.practice(a.practice).ok().flatten();
            crate::domain::replication::can_read(user, a, p.as_ref())
        })
        .ok_or_else(|| ServiceError::not_found("Заявка не найдена или недоступна вам."))?;
    let title = store
        .practice(app.practice)?
        .map(|p| p.passport.title)
        .unwrap_or_default();
    let d = refdata();
    let mut b = vec![
        Block::Para(PLATFORM.to_owned()),
        Block::Gap,
        Block::Title("Заявка на внедрение практики".to_owned()),
        Block::Gap,
        field("Практика", title.clone()),
        field("Регион-реципиент", d.region_name(&app.region).to_owned()),
        field("Заявитель", name_of(store, app.recipient)),
        field("Подана", date(app.applied)),
        field("Статус", app.status.name()),
        field("Узнали о практике", app.learned_at.clone()),
    ];
    if let Some(m) = app.moderator {
        b.push(field("Модератор внедрения", name_of(store, m)));
    }
    if let Some(r) = &app.report {
        b.push(Block::Heading("Форма результатов (п. 5.3.1)".to_owned()));
        b.push(field(
            "Сроки внедрения",
            format!(
                "{} — {}",
                r.started.format("%d.%m.%Y"),
                r.finished.format("%d.%m.%Y")
            ),
        ));
        b.push(field("Адаптация", r.adaptation.clone()));
        b.push(field("Первые результаты", r.first_results.clone()));
        b.push(field("Ожидаемые эффекты", r.expected_effects.clone()));
    }
    if !app.documents.is_empty() {
        b.push(Block::Heading("Документы".to_owned()));
        b.push(Block::Table {
            header: vec!["Вид".to_owned(), "Файл".to_owned(), "Байт".to_owned()],
            rows: app
                .documents
                .iter()
                .map(|d| vec![d.kind.name().to_owned(), d.name.clone(), d.size.to_string()])
                .collect(),
            widths: vec![0.4, 0.45, 0.15],
        });
    }
    b.push(Block::Heading("Ход заявки".to_owned()));
    b.push(Block::Table {
        header: vec!["Когда".to_owned(), "Кто".to_owned(), "Что".to_owned()],
        rows: repl::timeline(store, id)?
            .into_iter()
            .map(|s| {
                let mut what = s.summary;
                if !s.comment.is_empty() {
                    let _ = write!(what, "\nКомментарий: {}", s.comment);
                }
                vec![date(s.at), s.actor, what]
            })
            .collect(),
        widths: vec![0.15, 0.25, 0.6],
    });
    Ok(Doc {
        title: format!("Заявка на внедрение — «{title}»"),
        blocks: b,
    })
}

/// The yearly replication report (§5.3.5).
pub fn replication_report(s: &repl::Summary, printed: NaiveDate) -> Doc {
    let mut b = vec![
        Block::Para(PLATFORM.to_owned()),
        Block::Gap,
        Block::Title(format!("Итоги тиражирования практик за {} год", s.year)),
        Block::Gap,
        field("Заявок за год", s.total.to_string()),
        field("Сформирован", printed.format("%d.%m.%Y").to_string()),
    ];
    for (title, rows) in s.sections() {
        b.push(Block::Heading(title.to_owned()));
        b.push(Block::Table {
            header: vec![
                title.trim_start_matches("По ").to_owned(),
                "Заявок".to_owned(),
            ],
            rows: rows
                .iter()
                .map(|(name, n)| vec![name.clone(), n.to_string()])
                .collect(),
            widths: vec![0.82, 0.18],
        });
    }
    b.push(Block::Heading(
        "Опубликованные практики без заявок за год (п. 4.6.1)".to_owned(),
    ));
    b.push(Block::Para(if s.archive_candidates.is_empty() {
        "Нет.".to_owned()
    } else {
        s.archive_candidates
            .iter()
            .map(|t| format!("• {t}"))
            .collect::<Vec<_>>()
            .join("\n")
    }));
    Doc {
        title: format!("Итоги тиражирования за {} год", s.year),
        blocks: b,
    }
}

/// Renders `doc` and writes it to `path` durably: a temporary file beside
/// it, synced, then renamed over — a crash leaves the old file or the new.
pub fn save(doc: &Doc, path: &Path) -> Result<u64, ServiceError> {
    let bytes = pdf::render(doc).map_err(ServiceError::Store)?;
    write_file(path, &bytes)?;
    Ok(bytes.len() as u64)
}

/// A table as a workbook: `heading` in the first row, the table (its
/// first row the column names) from the third.
pub fn xlsx(heading: &str, table: &[Vec<String>]) -> Result<Vec<u8>, ServiceError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let err =
        |e: rust_xlsxwriter::XlsxError| ServiceError::refused(format!("таблица не собрана: {e}"));
    sheet.write_string(0, 0, heading).map_err(err)?;
    for (i, row) in table.iter().enumerate() {
        for (j, cell) in row.iter().enumerate() {
            let (Ok(r), Ok(c)) = (u32::try_from(i + 2), u16::try_from(j)) else {
                return Err(ServiceError::refused("таблица слишком велика для XLSX"));
            };
            sheet.write_string(r, c, cell).map_err(err)?;
        }
    }
    book.save_to_buffer().map_err(err)
}

/// Writes an exported file durably: a temporary file beside it, synced,
/// then renamed over — a crash leaves the old file or the new, never half.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), ServiceError> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."));
    let written = (|| -> std::io::Result<()> {
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        std::io::Write::write_all(&mut tmp, bytes)?;
        tmp.as_file().sync_all()?;
        // A document to pass around, not a secret (the temporary file is
        // made private).
        #[cfg(unix)]
        std::fs::set_permissions(
            tmp.path(),
            std::os::unix::fs::PermissionsExt::from_mode(0o644),
        )?;
        tmp.persist(path).map_err(|e| e.error)?;
        std::fs::File::open(dir)?.sync_all()
    })();
    written.map_err(|e| ServiceError::bad(format!("Файл «{}» не записан: {e}", path.display())))
}
