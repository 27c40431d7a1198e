//! The worker's side of `P`: the document built by `service::print`,
//! written as PDF into the print directory (`ui.print_dir`, else the
//! current one), and where it went.

use chrono::Datelike as _;

use crate::domain::{PracticeId, User};
use crate::service::Ctx;
use crate::service::print;

/// What `P` prints where it is pressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Printable {
    /// The passport, and the expert review's protocol when there is one.
    Passport(PracticeId),
    /// An application to replicate, with its timeline.
    Application(uuid::Uuid),
    /// This year's replication summary (§5.3.5).
    Summary,
}

fn short(id: uuid::Uuid) -> String {
    id.simple().to_string()[24..].to_owned()
}

/// Writes the document(s) and says where, in Russian.
pub fn handle(
    cx: &Ctx<'_>,
    user: Option<&User>,
    what: Printable,
    dir: Option<&std::path::Path>,
) -> Result<String, String> {
    let dir = match dir {
        Some(d) => d.to_path_buf(),
        None => std::env::current_dir()
            .map_err(|e| format!("Не удалось определить текущий каталог для PDF: {e}"))?,
    };
    let mut written = Vec::new();
    let mut save = |doc: &print::pdf::Doc, name: String| -> Result<(), String> {
        print::save(doc, &dir.join(&name)).map_err(|e| e.to_string())?;
        written.push(name);
        Ok(())
    };
    let store = cx.store;
    match what {
        Printable::Passport(id) => {
            let doc = print::passport(cx, user, id).map_err(|e| e.to_string())?;
            save(&doc, format!("паспорт-{}.pdf", short(id)))?;
            let has_protocol = store.practice(id).ok().flatten().is_some_and(|p| {
                !p.workflow.protocols.is_empty() && crate::domain::access::sees_workflow(user, &p)
            });
            if has_protocol {
                let doc = print::protocol(store, user, id).map_err(|e| e.to_string())?;
                save(&doc, format!("протокол-{}.pdf", short(id)))?;
            }
        }
        Printable::Application(id) => {
            let user = user.ok_or("Войдите, чтобы напечатать заявку.")?;
            let doc = print::application(store, user, id).map_err(|e| e.to_string())?;
            save(&doc, format!("заявка-{}.pdf", short(id)))?;
        }
        Printable::Summary => {
            let year = cx.today().year();
            let s = crate::service::replication::summary(store, year).map_err(|e| e.to_string())?;
            save(
                &print::replication_report(&s, cx.today()),
                format!("итоги-тиражирования-{year}.pdf"),
            )?;
        }
    }
    Ok(format!("PDF в {}: {}", dir.display(), written.join(", ")))
}
