//! `smarteka practice actions|act|history|diff`, `smarteka queue` and
//! `smarteka inbox`: the validation workflow from scripts, as a user.

use std::fmt::Write as _;
use std::path::Path;

use crate::cli::practice::need_user;
use crate::cli::{Failure, ctx, emit, fail, refused};
use crate::domain::Practice;
use crate::domain::PracticeId;
use crate::domain::User;
use crate::domain::refdata::refdata;
use crate::domain::workflow::{Action, Need};
use crate::service::ServiceError;
use crate::service::diff::Piece;
use crate::service::workflow::{self as review, ActInput};
use crate::store::Store;
use crate::store::blobs::Blobs;

fn json_out<T: serde::Serialize>(v: &T) -> Result<(), Failure> {
    let mut s = serde_json::to_string_pretty(v).map_err(|e| fail(e.to_string(), 1))?;
    s.push('\n');
    emit(s.as_bytes())
}

pub fn actions(store: &Store, user: &User, id: PracticeId, json: bool) -> Result<(), Failure> {
    let p = store
        .practice(id)?
        .filter(|p| crate::domain::access::read_scope(Some(user)).can_read(p))
        .ok_or_else(|| fail("Практика не найдена или недоступна.", 1))?;
    let offers = review::offers(&ctx(store), user, &p)?;
    if json {
        return json_out(&offers);
    }
    let mut out = format!("«{}» — {}\n", p.passport.title, p.status.name());
    for o in &offers {
        if o.allowed {
            let needs = if o.needs.is_empty() {
                String::new()
            } else {
                format!(
                    " ({})",
                    o.needs
                        .iter()
                        .map(|n| format!("--{n}"))
                        .collect::<Vec<_>>()
                        .join(" ")
                )
            };
            let _ = writeln!(out, "  + {:<20} {}{needs}", o.action, o.label);
        } else {
            let _ = writeln!(
                out,
                "  - {:<20} {}: {}",
                o.action,
                o.label,
                o.reason.as_deref().unwrap_or_default()
            );
        }
    }
    if offers.is_empty() {
        out.push_str("  У ваших ролей нет действий по практикам.\n");
    }
    emit(out.as_bytes())
}

pub fn act(
    store: &Store,
    data: &Path,
    user: &User,
    id: PracticeId,
    action: &str,
    input: &ActInput,
) -> Result<(), Failure> {
    let Some(kind) = Action::from_code(action) else {
        return Err(crate::cli::unknown_action(
            action,
            Action::ALL.iter().map(|a| a.code()),
        ));
    };
    match review::act(&ctx(store), &Blobs::new(data), user, id, kind, input) {
        Ok(p) => {
            let mut msg = format!("Готово: «{}» — {}", p.passport.title, p.status.name());
            if let Some(r) = &p.workflow.returned {
                let due = p
                    .workflow
                    .deadline
                    .as_ref()
                    .map(|d| d.due.format("%d.%m.%Y").to_string())
                    .unwrap_or_default();
                let _ = write!(msg, ", на доработке у автора до {due} ({})", r.comment);
            }
            if let Some(s) = &p.workflow.session {
                let t = crate::domain::workflow::Tally::of(s);
                let _ = write!(msg, ", голосов {} из {}", t.voted, t.invited);
            }
            eprintln!("{msg}.");
            Ok(())
        }
        Err(e) => {
            let mut f = refused(&e);
            // The flags of what the command left out, where the refusal
            // may be about them.
            let missing: Vec<Need> = kind
                .needs()
                .iter()
                .copied()
                .filter(|n| match n {
                    Need::Comment => input.comment.trim().is_empty(),
                    Need::Document => input.attach.is_empty(),
                    Need::User => input.to.is_empty(),
                    Need::Level => input.level.is_none(),
                    Need::Reason | Need::Category => input.reason.is_none(),
                })
                .collect();
            if !missing.is_empty() && matches!(e, ServiceError::Refused(_)) {
                let flags: Vec<&str> = missing.iter().map(|n| flag_of(*n)).collect();
                let _ = write!(
                    f.message,
                    "\nПараметры действия «{action}»: {}.",
                    flags.join(", ")
                );
            }
            Err(f)
        }
    }
}

/// How the command line names what an action needs.
pub fn flag_of(need: Need) -> &'static str {
    match need {
        Need::Comment => "--comment ТЕКСТ",
        Need::Document => "--attach ФАЙЛ",
        Need::User => "--to ЛОГИН",
        Need::Level => "--level 1|2|3",
        Need::Reason => "--reason КОД",
        Need::Category => "--category КОД",
    }
}

pub fn history(
    store: &Store,
    p: &crate::domain::Practice,
    viewer: Option<&crate::domain::User>,
    json: bool,
) -> Result<(), Failure> {
    let steps = review::history_for(store, p, viewer)?;
    if json {
        return json_out(&steps);
    }
    let mut out = String::new();
    for s in &review::sessions(steps) {
        let who = if s.actor.is_empty() {
            s.actor_name.clone()
        } else {
            format!("{} ({})", s.actor_name, s.actor)
        };
        let _ = writeln!(out, "{}  {who}\n    {}", review::when(s), s.summary);
        if let Some(t) = &s.transition {
            if !t.comment.is_empty() {
                let _ = writeln!(out, "    Комментарий: {}", t.comment);
            }
            for d in &t.documents {
                let _ = writeln!(
                    out,
                    "    {}: {} [{}]",
                    d.kind.name(),
                    d.name,
                    &d.sha256[..12]
                );
            }
        }
    }
    emit(out.as_bytes())
}

pub fn diff(
    store: &Store,
    user: Option<&User>,
    p: &Practice,
    from: Option<u32>,
    to: Option<u32>,
    json: bool,
) -> Result<(), Failure> {
    let steps = review::history(store, p.id)?;
    let (a, b) = match (from, to) {
        (Some(a), Some(b)) => (a, b),
        (Some(a), None) => (a, p.revision),
        (None, Some(b)) => (b.saturating_sub(1).max(1), b),
        (None, None) => review::default_pair(&steps, p.revision)
            .ok_or_else(|| fail("У практики одна редакция: сравнивать не с чем.", 1))?,
    };
    let d = review::revision_diff(store, user, p.id, a, b).map_err(|e| fail(e, 1))?;
    // The points the changes answer, beside them (§4.4.8).
    let points = p.workflow.points();
    if json {
        return json_out(&serde_json::json!({"from": a, "to": b, "fields": d, "points": points}));
    }
    let mut out = format!("Редакция {a} → {b}\n");
    if let Some(points) = &points {
        let _ = writeln!(out, "Замечания: «{points}»");
    }
    if d.is_empty() {
        out.push_str("Паспорт не изменился.\n");
    }
    for f in &d {
        let _ = writeln!(out, "\n{} {}", f.field.id(), f.label);
        for piece in &f.pieces {
            match piece {
                Piece::Same(s) => out.push_str(s),
                Piece::Added(s) => {
                    let _ = write!(out, "{{+{s}+}}");
                }
                Piece::Removed(s) => {
                    let _ = write!(out, "[-{s}-]");
                }
            }
        }
        out.push('\n');
    }
    emit(out.as_bytes())
}

pub fn authoring(
    data: &Path,
    as_user: Option<&str>,
    login: &str,
    grant: bool,
) -> Result<(), Failure> {
    let store = Store::open(data)?;
    let user = need_user(&store, as_user)?;
    let u = crate::service::accounts::authoring(&ctx(&store), &user, login, grant)
        .map_err(|e| refused(&e))?;
    if grant {
        eprintln!(
            "Готово: «{login}» может заполнять паспорта практик региона «{}».",
            u.verified
                .as_ref()
                .map_or("—", |v| refdata().region_name(&v.region))
        );
    } else {
        eprintln!("Готово: «{login}» подтверждён; доступ к паспортам предоставит модератор АСИ.");
    }
    Ok(())
}

pub fn queue(data: &Path, as_user: Option<&str>, json: bool) -> Result<(), Failure> {
    let store = Store::open(data)?;
    let user = need_user(&store, as_user)?;
    let queues = review::queues(&ctx(&store), &user)?;
    if json {
        return json_out(&queues);
    }
    let d = refdata();
    let mut out = String::new();
    for q in &queues {
        let _ = writeln!(out, "{} ({})", q.name, q.items.len());
        for i in &q.items {
            let when = match i.deadline {
                Some(due) if i.overdue > 0 => format!(
                    "просрочено на {} раб. дн. (срок {})",
                    i.overdue,
                    due.format("%d.%m.%Y")
                ),
                Some(due) => format!("срок {}", due.format("%d.%m.%Y")),
                None => format!("ждёт {} раб. дн.", i.waiting),
            };
            let _ = writeln!(
                out,
                "  {}  {}  {} · {}{}",
                i.id,
                i.title,
                i.region.as_deref().map_or("—", |r| d.region_name(r)),
                when,
                if i.note.is_empty() {
                    String::new()
                } else {
                    format!(" · {}", i.note)
                }
            );
        }
    }
    if queues.is_empty() {
        out.push_str("У ваших ролей нет очередей.\n");
    }
    emit(out.as_bytes())
}

pub fn inbox(data: &Path, as_user: Option<&str>, json: bool) -> Result<(), Failure> {
    let store = Store::open(data)?;
    let user = need_user(&store, as_user)?;
    let inbox = review::inbox(&ctx(&store), &user)?;
    if json {
        return json_out(&inbox);
    }
    let mut out = String::new();
    for a in &inbox.deadlines {
        let _ = writeln!(out, "! «{}»: {}", a.title, a.text());
    }
    for n in &inbox.notices {
        let _ = writeln!(
            out,
            "{} {}  «{}»: {}",
            if n.read { ' ' } else { '*' },
            n.at.with_timezone(&chrono::Local).format("%d.%m.%Y %H:%M"),
            n.title,
            n.text
        );
    }
    if out.is_empty() {
        out.push_str("Уведомлений нет.\n");
    }
    emit(out.as_bytes())
}
