//! The worker's side of `P`: the document built by `service::print`,
//! written as PDF into the print directory (`ui.print_dir`, else the
//! current one), and where it went.

use chrono::Datelike as _;

use crate::domain::{PracticeId, User};
use crate::service::Ctx;
use crate::service::print;

/// What `P` prints where it is pressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Printable {
    /// The passport, and the expert review's protocol when there is one.
    Passport(PracticeId),
    /// An application to replicate, with its timeline.
    Application(uuid::Uuid),
    /// This year's replication summary (§5.3.5).
    Summary,
    /// A tab of «Очереди» (a stage's queue or a saved view) as a table:
    /// its name and its practices.
    Queue(String, Vec<PracticeId>),
}

fn short(id: uuid::Uuid) -> String {
    id.simple().to_string()[24..].to_owned()
}

/// Writes the document(s) and says where, in Russian.
pub fn handle(
    cx: &Ctx<'_>,
    user: Option<&User>,
    what: &Printable,
    dir: Option<&std::path::Path>,
) -> Result<String, String> {
    let dir = match dir {
        Some(d) => d.to_path_buf(),
        None => std::env::current_dir()
            .map_err(|e| format!("Не удалось определить текущий каталог для PDF: {e}"))?,
    };
    let save = |doc: &print::pdf::Doc, name: &str| -> Result<(), String> {
        print::save(doc, &dir.join(name))
            .map(drop)
            .map_err(|e| e.to_string())
    };
    let store = cx.store;
    if let Printable::Queue(name, ids) = what {
        return queue_table(cx, user, &dir, name, ids);
    }
    // What was written, short enough for the status line.
    let files = match what {
        Printable::Passport(practice) => {
            let practice = *practice;
            let id = short(practice);
            let doc = print::passport(cx, user, practice).map_err(|e| e.to_string())?;
            save(&doc, &format!("паспорт-{id}.pdf"))?;
            let has_protocol = store.practice(practice).ok().flatten().is_some_and(|p| {
                !p.workflow.protocols.is_empty() && crate::domain::access::sees_workflow(user, &p)
            });
            if has_protocol {
                let doc = print::protocol(store, user, practice).map_err(|e| e.to_string())?;
                save(&doc, &format!("протокол-{id}.pdf"))?;
                format!("паспорт и протокол {id}")
            } else {
                format!("паспорт-{id}.pdf")
            }
        }
        Printable::Application(id) => {
            let id = *id;
            let user = user.ok_or("Войдите, чтобы напечатать заявку.")?;
            let doc = print::application(store, user, id).map_err(|e| e.to_string())?;
            let name = format!("заявка-{}.pdf", short(id));
            save(&doc, &name)?;
            name
        }
        Printable::Summary => {
            let year = cx.today().year();
            let s = crate::service::replication::summary(store, year).map_err(|e| e.to_string())?;
            let name = format!("итоги-тиражирования-{year}.pdf");
            save(&print::replication_report(&s, cx.today()), &name)?;
            name
        }
        Printable::Queue(..) => String::new(),
    };
    Ok(format!("PDF в {}: {files}", dir.display()))
}

/// A tab of «Очереди» as an XLSX table in `dir`: each practice's title,
/// status, region, category and the stage's deadline.
fn queue_table(
    cx: &Ctx<'_>,
    user: Option<&User>,
    dir: &std::path::Path,
    name: &str,
    ids: &[PracticeId],
) -> Result<String, String> {
    let d = crate::domain::refdata::refdata();
    let mut table = vec![
        [
            "Практика",
            "Статус",
            "Регион",
            "Категория",
            "Срок этапа",
            "Идентификатор",
        ]
        .map(str::to_owned)
        .to_vec(),
    ];
    let scope = crate::service::selections::scope_of(cx.store, user).map_err(|e| e.to_string())?;
    for id in ids {
        let Some(s) = cx.store.summary(*id).map_err(|e| e.to_string())? else {
            continue;
        };
        if !scope.can_read_row(&s) {
            continue;
        }
        table.push(vec![
            s.title.clone(),
            s.status.name().to_owned(),
            s.region
                .as_deref()
                .map(|r| d.region_name(r).to_owned())
                .unwrap_or_default(),
            s.category
                .as_deref()
                .map(|c| d.category_name(c).to_owned())
                .unwrap_or_default(),
            s.deadline
                .map(|x| x.format("%d.%m.%Y").to_string())
                .unwrap_or_default(),
            id.to_string(),
        ]);
    }
    let bytes = print::xlsx(
        &format!("«{name}» на {}", cx.today().format("%d.%m.%Y")),
        &table,
    )
    .map_err(|e| e.to_string())?;
    // The name as a file name: letters, digits and spaces, the rest «-».
    let stem: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == ' ' {
                c
            } else {
                '-'
            }
        })
        .take(40)
        .collect();
    let file = format!("{}-{}.xlsx", stem.trim(), cx.today().format("%Y-%m-%d"));
    print::write_file(&dir.join(&file), &bytes).map_err(|e| e.to_string())?;
    Ok(format!(
        "XLSX в {}: {file} (строк: {})",
        dir.display(),
        table.len() - 1
    ))
}
