//! Runs domain commands against the local store: loads what the rules need,
//! applies the command through `domain::command::apply`, and writes the
//! outcome — practice, revision, audit and change log — in one commit.

use std::io::Read as _;
use std::path::Path;

use crate::domain::Passport;
use crate::domain::command::{Command, Context, Outcome, Refusal, Revision, apply};
use crate::domain::passport::copy_field;
use crate::domain::passport::{Cover, Material, MaterialKind, Source};
use crate::domain::refdata::refdata;
use crate::domain::rules::cover_problems;
use crate::domain::workflow::{Action, Args};
use crate::domain::{Role, User};
use crate::service::{Ctx, ServiceError};
use crate::store::blobs::{Blobs, inspect_image};
use crate::store::{Mutation, Record, Store, StoreError};
use crate::sync::protocol::OpKind;

/// Runs `f` with what the rules need beyond the actor and the practice,
/// read from the store: the leader lists, profiles, expert pools, the
/// calendar and the time.
pub fn with_context<R>(cx: &Ctx<'_>, f: impl FnOnce(&Context<'_>) -> R) -> Result<R, StoreError> {
    let store = cx.store;
    let leaders = store.leaders()?;
    let profile = |id| store.user(id).ok().flatten().map(|u| u.profile);
    let pool = |category: &str| experts_of(store, category);
    // Read only when an archiving for want of demand asks.
    let last_application = |id| {
        store
            .applications()
            .ok()?
            .into_iter()
            .filter(|a| a.practice == id)
            .map(|a| a.applied)
            .max()
    };
    Ok(f(&Context {
        refdata: refdata(),
        now: cx.now(),
        profile: &profile,
        leaders: &leaders,
        calendar: cx.calendar(),
        pool: &pool,
        last_application: &last_application,
        recommended: &|id| store.recommendation(id).ok().flatten().is_some(),
    }))
}

/// Applies a command for `actor` and commits its records. Returns the
/// outcome and the change sequence (`None` when nothing changed).
pub fn execute(
    cx: &Ctx<'_>,
    actor: &User,
    cmd: Command,
) -> Result<(Outcome, Option<u64>), ServiceError> {
    execute_with(cx, actor, cmd, |_, _| {})
}

/// [`execute`], letting `extra` add to the change before it is committed
/// (the server records the client op it applies in the same transaction).
pub fn execute_with(
    cx: &Ctx<'_>,
    actor: &User,
    cmd: Command,
    extra: impl FnOnce(&Outcome, &mut Mutation),
) -> Result<(Outcome, Option<u64>), ServiceError> {
    let store = cx.store;
    if store.is_row_only(cmd.target())? {
        return Err(ServiceError::Refused(vec![
            crate::service::views::ROW_ONLY.to_owned(),
        ]));
    }
    let current = store.practice(cmd.target())?;
    let act = match &cmd {
        Command::Submit { .. } => Some((Action::Submit, Args::default())),
        Command::Act { action, args, .. } => Some((*action, (**args).clone())),
        _ => None,
    };
    let outcome = with_context(cx, |rx| apply(actor, current.as_ref(), cmd, rx))?
        .map_err(|r: Refusal| ServiceError::Refused(r.reasons))?;
    if outcome.revision.is_none() && current.as_ref() == Some(&outcome.practice) {
        return Ok((outcome, None));
    }
    let mut m = Mutation::new(Some(actor.id), outcome.action, outcome.summary.clone())
        .at(cx.now())
        .with(Record::Practice(Box::new(outcome.practice.clone())));
    m.transition.clone_from(&outcome.transition);
    if !outcome.notify.is_empty() {
        for u in store.users() {
            let u = u?;
            if u.id != actor.id && outcome.notify.iter().any(|a| a.includes(&u)) {
                m.notify.push(u.id);
            }
        }
    }
    if let Some(r) = &outcome.revision {
        // Practices loaded in bulk (the demo, later a snapshot) carry no
        // revision records: the state before the first change is kept, so
        // every change can be compared with what it replaced.
        if let Some(before) = &current
            && r.number > 1
            && store.revision(before.id, before.revision)?.is_none()
        {
            m = m.with(Record::Revision(Box::new(Revision {
                practice: before.id,
                number: before.revision,
                at: before.updated,
                by: before.author,
                fields: Vec::new(),
                passport: before.passport.clone(),
            })));
        }
        m = m.with(Record::Revision(Box::new(r.clone())));
    }
    if current.is_none() {
        m.fresh
            .push(crate::store::EntityRef::Practice(outcome.practice.id));
    }
    m.op = op_of(store, current.as_ref(), &outcome, act)?;
    extra(&outcome, &mut m);
    let seq = store.commit(&m)?;
    Ok((outcome, Some(seq)))
}

/// The operation a local change sends to the server (queued only on a
/// store linked to one): a new passport; the changed fields with the
/// server revision they were edited over; a workflow step.
fn op_of(
    store: &Store,
    current: Option<&crate::domain::Practice>,
    outcome: &Outcome,
    act: Option<(Action, Args)>,
) -> Result<Option<OpKind>, StoreError> {
    let p = &outcome.practice;
    if let Some((action, args)) = act {
        return Ok(Some(OpKind::Act {
            practice: p.id,
            action: action.code().to_owned(),
            comment: args.comment,
            to: args.users.iter().map(|u| u.login.clone()).collect(),
            level: args.level.map(crate::domain::passport::Level::number),
            reason: args.reason,
            documents: args.documents,
        }));
    }
    let Some(rev) = &outcome.revision else {
        return Ok(None);
    };
    if current.is_none() {
        return Ok(Some(OpKind::Create {
            practice: p.id,
            passport: Box::new(p.passport.clone()),
        }));
    }
    // Only the changed fields travel.
    let mut values = crate::domain::Passport::default();
    for f in &rev.fields {
        copy_field(&mut values, &p.passport, *f);
    }
    Ok(Some(OpKind::Edit {
        practice: p.id,
        base: store.synced(p.id)?.unwrap_or(0),
        fields: rev.fields.clone(),
        passport: Box::new(values),
    }))
}

/// Files of a step stored in the blob area as documents of `kind`.
pub fn store_documents(
    blobs: &Blobs,
    paths: &[std::path::PathBuf],
    kind: crate::domain::workflow::DocumentKind,
) -> Result<Vec<crate::domain::workflow::Document>, ServiceError> {
    let mut out = Vec::new();
    for path in paths {
        let b = blobs
            .put_file(path)
            .map_err(|e| ServiceError::refused(e.to_string()))?;
        out.push(crate::domain::workflow::Document {
            kind,
            sha256: b.sha256,
            name: b.name,
            size: b.size,
        });
    }
    Ok(out)
}

/// A new draft as the rules make it for `actor` — not yet stored: it is
/// written with its first save, so a draft opened and left empty leaves
/// nothing behind.
pub fn new_draft(cx: &Ctx<'_>, actor: &User) -> Result<crate::domain::Practice, ServiceError> {
    let cmd = Command::Create {
        id: uuid::Uuid::now_v7(),
        passport: Passport::default(),
    };
    Ok(with_context(cx, |rx| apply(actor, None, cmd, rx))?
        .map_err(|r: Refusal| ServiceError::Refused(r.reasons))?
        .practice)
}

/// A passport saved from the editor: created with its first save, edited
/// after that.
pub fn save_draft(
    cx: &Ctx<'_>,
    actor: &User,
    id: crate::domain::PracticeId,
    passport: Passport,
) -> Result<(Outcome, Option<u64>), ServiceError> {
    if cx.store.practice(id)?.is_some() {
        return execute(cx, actor, Command::Edit { id, passport });
    }
    // Typed into and erased again: nothing to keep yet — the passport is
    // the one a new draft starts with.
    let preview = |passport: Passport| {
        with_context(cx, |rx| {
            apply(actor, None, Command::Create { id, passport }, rx)
        })
        .map_err(ServiceError::from)?
        .map_err(|r: Refusal| ServiceError::Refused(r.reasons))
    };
    let fresh = preview(Passport::default())?;
    if passport == Passport::default() || passport == fresh.practice.passport {
        return Ok((fresh, None));
    }
    execute(cx, actor, Command::Create { id, passport })
}

/// The active experts of a category's pool, in login order.
pub fn experts_of(store: &Store, category: &str) -> Vec<User> {
    let mut out: Vec<User> = store
        .users()
        .filter_map(Result::ok)
        .filter(|u| !u.disabled && u.categories_for(Role::Expert).contains(&category))
        .collect();
    out.sort_by(|a, b| a.login.cmp(&b.login));
    out
}

/// A file the rules do not accept as an attachment.
fn refuse(message: String) -> ServiceError {
    ServiceError::refused(message)
}

/// The attachment kinds and their Russian names: `cover`, `consent`, then
/// the material kinds of P-9.
pub fn attachment_kinds() -> Vec<(&'static str, &'static str)> {
    let mut v = vec![
        ("cover", "Обложка (P-10)"),
        (
            "consent",
            "Согласие на обработку персональных данных (P-21)",
        ),
    ];
    v.extend(MaterialKind::ALL.iter().map(|k| (k.code(), k.name())));
    v
}

/// `source` as a file of `root` alone (a session over SSH reads no other
/// file of the server): a web link stays; a path keeps only its plain parts
/// under `root`, so «../» and «/etc/…» stay inside; a file that leads
/// outside by a link is not found.
pub fn within(root: &std::path::Path, source: &str) -> String {
    let s = source.trim();
    if s.starts_with("https://") || s.starts_with("http://") {
        return s.to_owned();
    }
    let typed = std::path::Path::new(s);
    // A path already inside (read in the session's directory before).
    let typed = typed.strip_prefix(root).unwrap_or(typed);
    let mut path = root.to_path_buf();
    for part in typed.components() {
        if let std::path::Component::Normal(p) = part {
            path.push(p);
        }
    }
    if let (Ok(real), Ok(base)) = (path.canonicalize(), root.canonicalize())
        && !real.starts_with(&base)
    {
        path = root.join("(ссылка за пределы каталога)");
    }
    path.to_string_lossy().into_owned()
}

/// A message about files of a session served over SSH, as its user sees
/// them: paths inside their directory, and where a missing file comes from.
pub fn in_own_files(text: &str, root: &std::path::Path) -> String {
    let mut out = text.replace(&format!("{}/", root.display()), "");
    if out.contains("не найден") {
        out.push_str(" Файлы берутся из вашего каталога на сервере: загрузите их по sftp.");
    }
    out
}

/// Whether `source` can be attached at all, before its kind is chosen:
/// a web link (`true`), or a file that exists (`false`); else why not.
pub fn check_source(source: &str) -> Result<bool, String> {
    if source.starts_with("https://") || source.starts_with("http://") {
        return Ok(true);
    }
    if source.contains("://") {
        return Err(format!(
            "«{source}»: ссылкой можно приложить только адрес https:// или http://."
        ));
    }
    match std::fs::File::open(source).and_then(|f| f.metadata()) {
        Ok(m) if m.is_file() => Ok(false),
        Ok(_) => Err(format!("«{source}» — папка, а не файл.")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(format!("Файл «{source}» не найден."))
        }
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => Err(format!(
            "Файл «{source}» не открывается: нет прав на чтение."
        )),
        // The system's own words are English: the log keeps them.
        Err(e) => {
            tracing::warn!(%e, source, "attachment does not open");
            Err(format!("Файл «{source}» не открывается."))
        }
    }
}

/// The passport with `source` attached as `kind`. `source` is a path, or a
/// web link for a material. A cover is checked by its content before
/// anything is stored; files over 20 MB are refused with their size.
pub fn attach(
    blobs: &Blobs,
    mut passport: Passport,
    source: &str,
    kind: &str,
    title: Option<String>,
) -> Result<Passport, ServiceError> {
    let link = check_source(source).map_err(ServiceError::bad)?;
    if kind == "cover" {
        if link {
            return Err(refuse(
                "Обложку нужно загрузить файлом, ссылка не подходит.".to_owned(),
            ));
        }
        let path = Path::new(source);
        let mut head = Vec::new();
        std::fs::File::open(path)
            .and_then(|f| f.take(256 * 1024).read_to_end(&mut head))
            .map_err(|_| refuse(format!("Файл «{source}» не найден.")))?;
        let Some((format, width, height)) = inspect_image(&head) else {
            return Err(refuse(format!(
                "Обложка «{source}» не принята: это не изображение JPG, PNG или BMP (проверено по содержимому файла)."
            )));
        };
        let problems = cover_problems(format, width, height);
        if !problems.is_empty() {
            return Err(refuse(format!(
                "Обложка «{source}» не принята:\n— {}",
                problems.join("\n— ")
            )));
        }
        let b = blobs.put_file(path).map_err(|e| refuse(e.to_string()))?;
        passport.cover = Some(Cover {
            sha256: b.sha256,
            name: b.name,
            format,
            width,
            height,
        });
        return Ok(passport);
    }
    let material_kind = if kind == "consent" {
        None
    } else {
        Some(MaterialKind::from_code(kind).ok_or_else(|| {
            let kinds: Vec<&str> = attachment_kinds().iter().map(|(c, _)| *c).collect();
            ServiceError::bad(format!(
                "Неизвестный вид вложения «{kind}». Допустимы: {}.",
                kinds.join(", ")
            ))
        })?)
    };
    let (name, src) = if link {
        (
            source.to_owned(),
            Source::Link {
                url: source.to_owned(),
            },
        )
    } else {
        let b = blobs
            .put_file(Path::new(source))
            .map_err(|e| refuse(e.to_string()))?;
        (
            b.name.clone(),
            Source::File {
                sha256: b.sha256,
                name: b.name,
                size: b.size,
            },
        )
    };
    let m = Material {
        kind: material_kind.unwrap_or(MaterialKind::Other),
        title: title.unwrap_or(name),
        source: src,
    };
    if material_kind.is_some() {
        passport.materials.push(m);
    } else {
        passport.consents.push(m);
    }
    Ok(passport)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_links_are_attached_as_links() {
        let dir = tempfile::tempdir().expect("tempdir");
        let blobs = Blobs::new(dir.path());
        let e = attach(
            &blobs,
            Passport::default(),
            "ftp://files.example/a.pdf",
            "other",
            None,
        )
        .expect_err("not a web link");
        assert!(e.is_bad_input() && e.message().contains("https://"), "{e}");
        let p = attach(
            &blobs,
            Passport::default(),
            "https://disk.example/a",
            "other",
            None,
        )
        .expect("a web link");
        assert_eq!(p.materials.len(), 1);
    }
    use crate::domain::PracticeStatus;
    use crate::store::EntityRef;
    use uuid::Uuid;

    #[test]
    fn create_edit_and_refusals_reach_the_store_with_audit_and_revisions() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).expect("store");
        crate::demo::seed_at(&store, 5, 1, chrono::Utc::now(), |_, _| {}).expect("seed");
        let author = store
            .user_by_login("author")
            .expect("read")
            .expect("exists");
        let id = Uuid::now_v7();
        let p = crate::domain::Passport {
            title: "Черновик".into(),
            ..Default::default()
        };
        let (o, seq) = execute(
            &Ctx::new(&store, &crate::domain::clock::SYSTEM),
            &author,
            Command::Create { id, passport: p },
        )
        .expect("created");
        assert!(seq.is_some());
        let mut next = o.practice.passport.clone();
        next.goal = "Цель".into();
        execute(
            &Ctx::new(&store, &crate::domain::clock::SYSTEM),
            &author,
            Command::Edit {
                id,
                passport: next.clone(),
            },
        )
        .expect("edited");
        let (_, none) = execute(
            &Ctx::new(&store, &crate::domain::clock::SYSTEM),
            &author,
            Command::Edit { id, passport: next },
        )
        .expect("no-op");
        assert!(none.is_none(), "no change, no commit");
        let revs = store.revisions(id).expect("revisions");
        assert_eq!(revs.len(), 2);
        assert_eq!(revs[1].fields, [crate::domain::passport::Field::P2]);
        let audit = store.audit_of(EntityRef::Practice(id)).expect("audit");
        assert_eq!(audit.len(), 2);
        assert_eq!(audit[0].actor, Some(author.id));
        let before = store.last_seq().expect("seq");
        let e = execute(
            &Ctx::new(&store, &crate::domain::clock::SYSTEM),
            &author,
            Command::Submit { id },
        )
        .expect_err("incomplete");
        assert!(matches!(e, ServiceError::Refused(_)));
        assert_eq!(
            store.last_seq().expect("seq"),
            before,
            "a refusal writes nothing"
        );
        assert_eq!(
            store.practice(id).expect("read").expect("exists").status,
            PracticeStatus::Draft
        );
    }
}
