//! The workflow as the workstation and the CLI use it: what a user may do
//! with a practice, doing it with files and logins resolved, the history
//! of a practice, revision diffs, queues and the inbox. The rules
//! themselves are in `domain::workflow`.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::domain::command::{self, Command};
use crate::domain::passport::Level;
use crate::domain::queue::{self, Queue, Summary};
use crate::domain::workflow::{Action, Args, Document, DocumentKind, Transition, document_kind};
use crate::domain::{Practice, PracticeId, User, UserId};
use crate::service::diff::{FieldDiff, diff};
use crate::service::practice::{execute_with, store_documents, with_context};
use crate::service::views::{load_view, view_of};
use crate::service::{Ctx, ServiceError, accounts};
use crate::store::blobs::Blobs;
use crate::store::{EntityRef, Notice, Store, StoreError};

/// An action as the user sees it: allowed now, or why not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Offer {
    pub action: &'static str,
    pub label: &'static str,
    pub allowed: bool,
    pub reason: Option<String>,
    /// The arguments it needs: comment, attach, to, level, reason.
    pub needs: Vec<&'static str>,
    /// The document the action requires, by name.
    pub document: Option<&'static str>,
    #[serde(skip)]
    pub kind: Action,
}

/// What the actor may do with the practice now.
pub fn offers(cx: &Ctx<'_>, actor: &User, p: &Practice) -> Result<Vec<Offer>, StoreError> {
    Ok(with_context(cx, |rx| command::actions(actor, p, rx))?
        .into_iter()
        .map(|(a, r)| Offer {
            action: a.code(),
            label: a.label(),
            allowed: r.is_ok(),
            reason: r.err(),
            needs: a.needs().iter().map(|n| n.code()).collect(),
            document: document_kind(a, p).map(DocumentKind::name),
            kind: a,
        })
        .collect())
}

/// The arguments of a step as they arrive — typed on the command line, in
/// the workstation, or carried by a client's op: logins, a level number,
/// files to store (`attach`) or stored already (`documents`).
#[derive(Debug, Clone, Default)]
pub struct ActInput {
    pub comment: String,
    pub attach: Vec<std::path::PathBuf>,
    pub documents: Vec<Document>,
    pub to: Vec<String>,
    pub level: Option<u8>,
    pub reason: Option<String>,
}

/// The one check of a step's arguments against its action, for every
/// caller: users only where the action takes them, and each of them known;
/// a level that exists; documents only where the action takes them.
pub fn resolve(
    store: &Store,
    kind: Action,
    p: &Practice,
    input: &ActInput,
) -> Result<Args, ServiceError> {
    let mut args = Args {
        comment: input.comment.clone(),
        reason: input.reason.clone(),
        documents: input.documents.clone(),
        ..Args::default()
    };
    let logins: Vec<&str> = input
        .to
        .iter()
        .flat_map(|t| t.split(','))
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if !logins.is_empty() && !kind.takes_users() {
        return Err(ServiceError::bad(format!(
            "Действие «{}» не назначает пользователей.",
            kind.label()
        )));
    }
    for login in logins {
        args.users.push(accounts::user_by_login(store, login)?);
    }
    if let Some(n) = input.level {
        args.level = Some(Level::from_number(n).ok_or_else(|| {
            ServiceError::bad(format!("Уровня {n} нет: уровень практики — 1, 2 или 3."))
        })?);
    }
    if !(input.attach.is_empty() && input.documents.is_empty()) && document_kind(kind, p).is_none()
    {
        return Err(ServiceError::bad(format!(
            "Действие «{}» не принимает файлы.",
            kind.label()
        )));
    }
    Ok(args)
}

/// Whether the actor may take the action: the practice is theirs to see
/// and the workflow allows it now.
fn allowed(cx: &Ctx<'_>, actor: &User, kind: Action, p: &Practice) -> Result<(), ServiceError> {
    if !crate::domain::access::read_scope(Some(actor)).can_read(p) {
        // Outside the actor's scope: say whose it is, show nothing of it.
        return Err(match crate::domain::workflow::role_for(actor, kind, p) {
            Err(reason) => ServiceError::Refused(vec![reason]),
            Ok(_) => ServiceError::not_found("Практика не найдена или недоступна вам."),
        });
    }
    match offers(cx, actor, p)?.into_iter().find(|o| o.kind == kind) {
        Some(Offer {
            reason: Some(r), ..
        }) => Err(ServiceError::Refused(vec![r])),
        Some(_) => Ok(()),
        None => {
            let roles: Vec<&str> = kind.roles().iter().map(|r| r.name()).collect();
            Err(ServiceError::Refused(vec![format!(
                "это действие выполняет роль: {}.",
                roles.join(", ")
            )]))
        }
    }
}

/// Takes a step: checks it and its arguments, stores its files, and
/// applies it through the one command path; `extra` adds to the change
/// before it is committed (the server records the client's op with it).
pub fn act_with(
    cx: &Ctx<'_>,
    blobs: &Blobs,
    actor: &User,
    id: PracticeId,
    kind: Action,
    input: &ActInput,
    extra: impl FnOnce(&crate::domain::command::Outcome, &mut crate::store::Mutation),
) -> Result<(Practice, Option<u64>), ServiceError> {
    let store = cx.store;
    let p = store
        .practice(id)?
        .ok_or_else(|| ServiceError::not_found("Практика не найдена или недоступна вам."))?;
    allowed(cx, actor, kind, &p)?;
    let mut args = resolve(store, kind, &p, input)?;
    if let Some(doc_kind) = document_kind(kind, &p) {
        args.documents
            .extend(store_documents(blobs, &input.attach, doc_kind)?);
    }
    let cmd = Command::Act {
        id,
        action: kind,
        args: Box::new(args),
    };
    let (outcome, seq) = execute_with(cx, actor, cmd, extra)?;
    Ok((outcome.practice, seq))
}

/// [`act_with`] for the CLI and the workstation.
pub fn act(
    cx: &Ctx<'_>,
    blobs: &Blobs,
    actor: &User,
    id: PracticeId,
    kind: Action,
    input: &ActInput,
) -> Result<Practice, ServiceError> {
    Ok(act_with(cx, blobs, actor, id, kind, input, |_, _| {})?.0)
}

/// What [`act`] would make of the practice, nothing written: the same
/// checks, the documents counted by their files (not stored). A bulk
/// action's preview.
pub fn preview(
    cx: &Ctx<'_>,
    actor: &User,
    id: PracticeId,
    kind: Action,
    input: &ActInput,
) -> Result<Practice, ServiceError> {
    let store = cx.store;
    if store.is_row_only(id)? {
        return Err(ServiceError::Refused(vec![
            crate::service::views::ROW_ONLY.to_owned(),
        ]));
    }
    let p = store
        .practice(id)?
        .ok_or_else(|| ServiceError::not_found("Практика не найдена или недоступна вам."))?;
    allowed(cx, actor, kind, &p)?;
    let mut args = resolve(store, kind, &p, input)?;
    if let Some(doc_kind) = document_kind(kind, &p) {
        for path in &input.attach {
            let size = std::fs::metadata(path)
                .map_err(|e| ServiceError::refused(format!("{}: {e}", path.display())))?
                .len();
            args.documents.push(Document {
                kind: doc_kind,
                sha256: String::new(),
                name: path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                size,
            });
        }
    }
    let cmd = Command::Act {
        id,
        action: kind,
        args: Box::new(args),
    };
    let outcome = with_context(cx, |rx| command::apply(actor, Some(&p), cmd, rx))?
        .map_err(|r| ServiceError::Refused(r.reasons))?;
    Ok(outcome.practice)
}

/// One step of a practice's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    pub seq: u64,
    pub at: DateTime<Utc>,
    /// The login of who did it (empty for the system).
    pub actor: String,
    pub actor_name: String,
    pub action: String,
    pub summary: String,
    pub transition: Option<Transition>,
    /// How many saves of one editing session the step stands for, and
    /// when the first of them was (see [`sessions`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<(u32, DateTime<Utc>)>,
}

/// When a step was, as the history shows it: a session from its first
/// save to its last, with how many saves it holds.
pub fn when(s: &Step) -> String {
    let local = |t: &DateTime<Utc>| t.with_timezone(&chrono::Local);
    match s.session {
        Some((saves, first)) => format!(
            "{}–{} ({} {})",
            local(&first).format("%d.%m.%Y %H:%M"),
            // A sitting past midnight ends on another day: say which.
            if local(&first).date_naive() == local(&s.at).date_naive() {
                local(&s.at).format("%H:%M")
            } else {
                local(&s.at).format("%d.%m.%Y %H:%M")
            },
            saves,
            crate::domain::russian::plural(
                u64::from(saves),
                "сохранение",
                "сохранения",
                "сохранений"
            )
        ),
        None => local(&s.at).format("%d.%m.%Y %H:%M").to_string(),
    }
}

/// Saves by one person no more than this apart are one editing session.
pub const SESSION_GAP: chrono::TimeDelta = chrono::TimeDelta::minutes(30);

/// The history as people read it: the saves of one editing session (the
/// editor saves half a second after the last keystroke) are one step
/// naming every field changed in it; every save stays in the audit trail.
pub fn sessions(steps: Vec<Step>) -> Vec<Step> {
    // The fields an edit changed, as its summary names them (stores made
    // before the summary said «Изменено: » said «Изменены поля »).
    let fields = |s: &Step| -> Option<Vec<String>> {
        if s.action != "practice.edit" {
            return None;
        }
        let list = s
            .summary
            .strip_prefix(command::EDITED)
            .or_else(|| s.summary.strip_prefix("Изменены поля "))?;
        Some(list.split(", ").map(str::to_owned).collect())
    };
    let mut out: Vec<Step> = Vec::with_capacity(steps.len());
    for s in steps {
        if let Some(last) = out.last_mut()
            && let (Some(mut have), Some(more)) = (fields(last), fields(&s))
            && last.actor == s.actor
            && s.at - last.at <= SESSION_GAP
        {
            let (saves, first) = last.session.unwrap_or((1, last.at));
            for f in more {
                if !have.contains(&f) {
                    have.push(f);
                }
            }
            // In the passport's order: P-2 before P-19, the criteria last.
            have.sort_by_key(|f| {
                f.strip_prefix("P-")
                    .and_then(|n| n.parse::<u32>().ok())
                    .unwrap_or(u32::MAX)
            });
            last.summary = format!("{}{}", command::EDITED, have.join(", "));
            last.session = Some((saves + 1, first));
            last.at = s.at;
            last.seq = s.seq;
            continue;
        }
        out.push(s);
    }
    out
}

/// The audit trail of a practice, oldest first.
/// The history as `viewer` may read it: the steps of the workflow's
/// internals (requests, proposals, audits, confirmations) only for those
/// who see them ([`crate::domain::access::sees_workflow`]).
pub fn history_for(
    store: &Store,
    p: &Practice,
    viewer: Option<&User>,
) -> Result<Vec<Step>, StoreError> {
    let mut steps = history(store, p.id)?;
    if !crate::domain::access::sees_workflow(viewer, p) {
        steps.retain(|s| {
            !s.transition
                .as_ref()
                .is_some_and(|t| t.action.is_internal())
        });
    }
    Ok(steps)
}

pub fn history(store: &Store, id: PracticeId) -> Result<Vec<Step>, StoreError> {
    let mut names: Vec<(UserId, (String, String))> = Vec::new();
    let mut out = Vec::new();
    for a in store.audit_of(EntityRef::Practice(id))? {
        let (actor, actor_name) = match a.actor {
            None => (String::new(), "Система".to_owned()),
            Some(u) => {
                if let Some((_, n)) = names.iter().find(|(x, _)| *x == u) {
                    n.clone()
                } else {
                    let n = store.user(u)?.map_or_else(
                        || (String::new(), "неизвестный пользователь".to_owned()),
                        |u| {
                            let name = u.shown_name().to_owned();
                            (u.login, name)
                        },
                    );
                    names.push((u, n.clone()));
                    n
                }
            }
        };
        out.push(Step {
            seq: a.seq,
            at: a.at,
            actor,
            actor_name,
            action: a.action,
            summary: a.summary,
            transition: a.transition,
            session: None,
        });
    }
    Ok(out)
}

/// The revisions to compare by default: the one last returned for
/// revision and the one resubmitted after it; else the last two.
pub fn default_pair(steps: &[Step], current: u32) -> Option<(u32, u32)> {
    let mut returned: Option<u32> = None;
    let mut pair = None;
    for s in steps {
        let Some(t) = &s.transition else { continue };
        // A step that opened a revision deadline returned the practice.
        if t.deadline.is_some() && t.action != Action::OpenActualisation {
            returned = Some(t.revision);
        }
        if t.action == Action::Resubmit
            && let Some(r) = returned.take()
        {
            pair = Some((r, t.revision));
        }
    }
    pair.or(if current >= 2 {
        Some((current - 1, current))
    } else {
        None
    })
}

/// The diff of two revisions of a practice the user may read.
pub fn revision_diff(
    store: &Store,
    user: Option<&User>,
    id: PracticeId,
    a: u32,
    b: u32,
) -> Result<Vec<FieldDiff>, String> {
    let base = load_view(store, id, user)?;
    let side = |n: u32| -> Result<_, String> {
        let r = store
            .revision(id, n)
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("У практики нет редакции {n}."))?;
        let mut p = base.practice.clone();
        p.passport = r.passport;
        p.revision = n;
        Ok(*view_of(store, p))
    };
    Ok(diff(&side(a)?, &side(b)?))
}

/// The user's queues now: the practices the workflow lets them act on.
/// Only practices in a status one of their queues can hold are loaded.
pub fn queues(cx: &Ctx<'_>, user: &User) -> Result<Vec<Queue>, StoreError> {
    let mut practices = Vec::new();
    let today = cx.today();
    for head in cx.store.summary_heads() {
        let head = head?;
        if !queue::may_wait_in(user, head.status) {
            continue;
        }
        // The yearly statuses wait only with something to do: the rest of
        // the summary says whether.
        if matches!(
            head.status,
            crate::domain::PracticeStatus::Published | crate::domain::PracticeStatus::Actualisation
        ) && !cx
            .store
            .summary(head.id)?
            .is_some_and(|s| queue::may_wait(user, &s, today))
        {
            continue;
        }
        if let Some(p) = cx.store.queue_view(head.id)? {
            practices.push(p);
        }
    }
    Ok(queue::queues(user, &practices, cx.calendar(), cx.today()))
}

/// An inbox: deadlines near or past, then the notices, newest first.
#[derive(Debug, Clone, Serialize)]
pub struct Inbox {
    pub deadlines: Vec<Alert>,
    pub notices: Vec<Notice>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Alert {
    pub practice: PracticeId,
    pub title: String,
    pub due: NaiveDate,
    /// Working days left; negative when overdue.
    pub left: i64,
}

impl Alert {
    pub fn text(&self) -> String {
        let due = self.due.format("%d.%m.%Y");
        match self.left {
            l if l < 0 => format!("Срок доработки истёк {due}: просрочено на {} раб. дн.", -l),
            0 => format!("Срок доработки — сегодня, {due}"),
            _ => format!("Срок доработки — завтра, {due}"),
        }
    }
}

pub fn inbox(cx: &Ctx<'_>, user: &User) -> Result<Inbox, StoreError> {
    let store = cx.store;
    let summaries: Vec<Summary> = store.summaries().collect::<Result<_, _>>()?;
    let deadlines = queue::deadline_alerts(user, &summaries, cx.calendar(), cx.today())
        .into_iter()
        .map(|(practice, title, due, left)| Alert {
            practice,
            title,
            due,
            left,
        })
        .collect();
    Ok(Inbox {
        deadlines,
        notices: store.inbox(user.id)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(seq: u64, minute: i64, actor: &str, summary: &str) -> Step {
        Step {
            seq,
            at: DateTime::<Utc>::UNIX_EPOCH + chrono::TimeDelta::minutes(minute),
            actor: actor.into(),
            actor_name: actor.into(),
            action: if summary.starts_with(command::EDITED) {
                "practice.edit".into()
            } else {
                "practice.submit".into()
            },
            summary: summary.into(),
            transition: None,
            session: None,
        }
    }

    #[test]
    fn the_saves_of_one_session_are_one_step() {
        let steps = vec![
            step(1, 0, "a", "Изменено: P-1"),
            step(2, 1, "a", "Изменено: P-2"),
            step(3, 20, "a", "Изменено: P-1, P-4"),
            // Another person, then the same person after a long pause.
            step(4, 21, "b", "Изменено: P-4"),
            step(5, 22, "a", "Изменено: P-5"),
            step(6, 90, "a", "Изменено: P-6"),
            step(7, 91, "a", "Подана"),
            step(8, 92, "a", "Изменено: P-7"),
        ];
        let s = sessions(steps);
        let shown: Vec<(&str, Option<u32>)> = s
            .iter()
            .map(|x| (x.summary.as_str(), x.session.map(|(n, _)| n)))
            .collect();
        assert_eq!(
            shown,
            [
                ("Изменено: P-1, P-2, P-4", Some(3)),
                ("Изменено: P-4", None),
                ("Изменено: P-5", None),
                ("Изменено: P-6", None),
                ("Подана", None),
                ("Изменено: P-7", None),
            ]
        );
        assert_eq!(s[0].seq, 3);
        assert_eq!(
            s[0].session.map(|(_, first)| first),
            Some(DateTime::<Utc>::UNIX_EPOCH)
        );
        assert!(when(&s[0]).ends_with("(3 сохранения)"), "{}", when(&s[0]));
        // A store's older wording is grouped too, in the passport's order.
        let mut old = step(1, 0, "a", "Изменено: P-19");
        old.summary = "Изменены поля P-19".into();
        let s = sessions(vec![old, step(2, 5, "a", "Изменено: P-2")]);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].summary, "Изменено: P-2, P-19");
    }
}
