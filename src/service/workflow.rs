//! The workflow as the workstation and the CLI use it: what a user may do
//! with a practice, doing it with files and logins resolved, the history
//! of a practice, revision diffs, queues and the inbox. The rules
//! themselves are in `domain::workflow`.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::domain::calendar;
use crate::domain::command::{self, Command};
use crate::domain::passport::Level;
use crate::domain::queue::{self, Queue, Summary};
use crate::domain::workflow::{Action, Args, Document, DocumentKind, Transition, document_kind};
use crate::domain::{Practice, PracticeId, User, UserId};
use crate::service::diff::{FieldDiff, diff};
use crate::service::practice::{ExecError, execute, with_context};
use crate::service::views::{load_view, view_of};
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
pub fn offers(store: &Store, actor: &User, p: &Practice) -> Result<Vec<Offer>, StoreError> {
    Ok(with_context(store, |cx| command::actions(actor, p, cx))?
        .into_iter()
        .map(|(a, r)| Offer {
            action: a.code(),
            label: a.label(),
            allowed: r.is_ok(),
            reason: r.err(),
            needs: a.needs().iter().map(|n| n.code()).collect(),
            document: crate::domain::workflow::document_kind(a, p).map(DocumentKind::name),
            kind: a,
        })
        .collect())
}

/// The arguments of an action as typed: logins and paths.
#[derive(Debug, Clone, Default)]
pub struct ActInput {
    pub comment: String,
    pub attach: Vec<std::path::PathBuf>,
    pub to: Vec<String>,
    pub level: Option<u8>,
    pub reason: Option<String>,
}

/// Why an action was not done: refused by the rules (exit 1), or the
/// request itself was malformed (exit 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActError {
    pub message: String,
    pub bad_input: bool,
    /// The store failed, not the rules: worth trying again.
    pub internal: bool,
}

pub(crate) fn refused(message: impl Into<String>) -> ActError {
    ActError {
        message: message.into(),
        bad_input: false,
        internal: false,
    }
}

pub(crate) fn bad(message: impl Into<String>) -> ActError {
    ActError {
        message: message.into(),
        bad_input: true,
        internal: false,
    }
}

impl From<StoreError> for ActError {
    fn from(e: StoreError) -> Self {
        ActError {
            // A record that exists already is a refusal, not a fault.
            internal: !matches!(e, StoreError::Exists(_)),
            ..refused(e.to_string())
        }
    }
}

/// Takes an action: checks it first, then stores its files, resolves the
/// logins, and applies it through the one command path.
pub fn act(
    store: &Store,
    blobs: &Blobs,
    actor: &User,
    id: PracticeId,
    action: &str,
    input: &ActInput,
) -> Result<Practice, ActError> {
    let Some(kind) = Action::from_code(action) else {
        let codes: Vec<&str> = Action::ALL.iter().map(|a| a.code()).collect();
        return Err(bad(format!(
            "Неизвестное действие «{action}». Действия: {}.",
            codes.join(", ")
        )));
    };
    let p = store
        .practice(id)?
        .ok_or_else(|| refused("Практика не найдена или недоступна вам."))?;
    if !crate::domain::access::read_scope(Some(actor)).can_read(&p) {
        // Outside the actor's scope: say whose it is, show nothing of it.
        return Err(refused(
            match crate::domain::workflow::role_for(actor, kind, &p) {
                Err(reason) => format!("Отказано: {reason}"),
                Ok(_) => "Практика не найдена или недоступна вам.".to_owned(),
            },
        ));
    }
    if let Some(offer) = offers(store, actor, &p)?
        .into_iter()
        .find(|o| o.kind == kind)
    {
        if let Some(r) = offer.reason {
            return Err(refused(format!("Отказано: {r}")));
        }
    } else {
        let roles: Vec<&str> = kind.roles().iter().map(|r| r.name()).collect();
        return Err(refused(format!(
            "Отказано: это действие выполняет роль: {}.",
            roles.join(", ")
        )));
    }
    let mut args = Args {
        comment: input.comment.clone(),
        ..Args::default()
    };
    for login in input.to.iter().flat_map(|t| t.split(',')) {
        let login = login.trim();
        if login.is_empty() {
            continue;
        }
        let u = store
            .user_by_login(login)?
            .ok_or_else(|| bad(format!("Пользователь «{login}» не найден.")))?;
        args.users.push(u);
    }
    if !input.to.is_empty() && !kind.takes_users() {
        return Err(bad(format!("Действие «{action}» не принимает --to.")));
    }
    if let Some(n) = input.level {
        args.level = Some(
            Level::from_number(n)
                .ok_or_else(|| bad(format!("Уровня {n} нет: укажите 1, 2 или 3.")))?,
        );
    }
    args.reason.clone_from(&input.reason);
    if !input.attach.is_empty() {
        let Some(doc_kind) = document_kind(kind, &p) else {
            return Err(bad(format!("Действие «{action}» не принимает файлы.")));
        };
        for path in &input.attach {
            let b = blobs.put_file(path).map_err(|e| refused(e.to_string()))?;
            args.documents.push(Document {
                kind: doc_kind,
                sha256: b.sha256,
                name: b.name,
                size: b.size,
            });
        }
    }
    match execute(
        store,
        actor,
        Command::Act {
            id,
            action: kind,
            args: Box::new(args),
        },
    ) {
        Ok((o, _)) => Ok(o.practice),
        Err(ExecError::Refused(r)) => Err(refused(format!("Отказано: {}", r.reasons.join(" ")))),
        Err(ExecError::Store(e)) => Err(e.into()),
    }
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
}

/// The audit trail of a practice, oldest first.
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
                            let name = if u.profile.full_name.is_empty() {
                                u.login.clone()
                            } else {
                                u.profile.full_name.clone()
                            };
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

/// The user's queues now.
pub fn queues(store: &Store, user: &User) -> Result<Vec<Queue>, StoreError> {
    let summaries: Vec<Summary> = store.summaries().collect::<Result<_, _>>()?;
    Ok(queue::queues(
        user,
        &summaries,
        calendar::current(),
        Utc::now().date_naive(),
    ))
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

pub fn inbox(store: &Store, user: &User) -> Result<Inbox, StoreError> {
    let summaries: Vec<Summary> = store.summaries().collect::<Result<_, _>>()?;
    let deadlines = queue::deadline_alerts(
        user,
        &summaries,
        calendar::current(),
        Utc::now().date_naive(),
    )
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
