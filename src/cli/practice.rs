//! `smarteka practice …` and `smarteka import leaders`: scripting the
//! passport as a user (`--as LOGIN`), through the same command path as the
//! workstation.

use std::io::{IsTerminal, Read, Write};
use std::path::Path;

use serde_json::json;
use uuid::Uuid;

use crate::cli::{Failure, PracticeCommand, ctx, emit, fail, refused};
use crate::domain::command::Command;
use crate::domain::command::Refusal;
use crate::domain::eligibility::parse_leaders_csv;
use crate::domain::passport::Source;
use crate::domain::refdata::refdata;
use crate::domain::{Passport, Practice, User};
use crate::service::ServiceError;
use crate::service::passport_json::{apply_json, to_json};
use crate::service::practice::execute;
use crate::store::Store;
use crate::store::blobs::{BlobError, Blobs};

/// Signs the user in: on a linked store by the saved session, else with
/// the password from `SMARTEKA_PASSWORD` or asked for without echo.
fn sign_in(store: &Store, login: &str) -> Result<User, Failure> {
    let mut asked = None;
    let signed = crate::service::accounts::sign_in_here(&ctx(store), login, || {
        password("SMARTEKA_PASSWORD", &format!("Пароль для {login}: ")).map_err(|f| {
            let m = f.message.clone();
            asked = Some(f);
            ServiceError::bad(m)
        })
    });
    match signed {
        Ok(u) => Ok(u),
        // The password could not be read: its own message and exit code.
        Err(_) if asked.is_some() => Err(asked.take().unwrap_or_else(|| fail("", 1))),
        Err(e) => Err(fail(e.message(), 1)),
    }
}

/// A password from the environment variable `var`, else asked for without
/// echo at a terminal.
pub(crate) fn password(var: &str, prompt: &str) -> Result<String, Failure> {
    match std::env::var(var) {
        Ok(p) => Ok(p),
        Err(_) if std::io::stdin().is_terminal() => rpassword::prompt_password(prompt)
            .map_err(|e| fail(format!("Пароль не прочитан: {e}"), 1)),
        Err(_) => Err(fail(
            format!("Укажите пароль в переменной {var} или запустите команду в терминале."),
            2,
        )),
    }
}

pub(crate) fn need_user(store: &Store, login: Option<&str>) -> Result<User, Failure> {
    let login = login.ok_or_else(|| fail("Укажите, от чьего имени действовать: --as ЛОГИН.", 2))?;
    sign_in(store, login)
}

fn parse_id(id: &str) -> Result<Uuid, Failure> {
    Uuid::parse_str(id.trim()).map_err(|_| fail(format!("«{id}» — не идентификатор практики."), 2))
}

/// The most a passport JSON or a list of leaders may weigh. Both are a few
/// kilobytes; the limit keeps `--from /dev/zero` or a mistaken path to a
/// film from being read without end.
pub const MAX_INPUT_BYTES: u64 = 4 * 1024 * 1024;

/// The text of a file the user named, at most [`MAX_INPUT_BYTES`]. Any
/// readable path is accepted (`/dev/stdin` too), only not a directory.
pub(crate) fn read_text(path: &Path) -> Result<String, Failure> {
    let shown = path.display();
    let cannot = |e: std::io::Error| fail(format!("Не удалось прочитать «{shown}»: {e}"), 2);
    let too_large = || {
        fail(
            format!(
                "«{shown}» больше {} МБ: такой файл не принимается, проверьте путь.",
                MAX_INPUT_BYTES / (1024 * 1024)
            ),
            2,
        )
    };
    let file = std::fs::File::open(path).map_err(cannot)?;
    let meta = file.metadata().map_err(cannot)?;
    if meta.is_dir() {
        return Err(fail(format!("«{shown}» — каталог, а не файл."), 2));
    }
    if meta.is_file() && meta.len() > MAX_INPUT_BYTES {
        return Err(too_large());
    }
    // Devices and pipes have no length: read one byte past the limit to
    // tell a file that fits from one that does not.
    let mut bytes = Vec::new();
    file.take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(too_large());
    }
    String::from_utf8(bytes)
        .map_err(|_| fail(format!("«{shown}» — не текст в кодировке UTF-8."), 2))
}

fn read_json(path: &Path) -> Result<serde_json::Value, Failure> {
    let text = read_text(path)?;
    serde_json::from_str(&text).map_err(|e| {
        fail(
            format!(
                "«{}» — не JSON: строка {}, столбец {}: {e}",
                path.display(),
                e.line(),
                e.column()
            ),
            2,
        )
    })
}

fn exec(store: &Store, user: &User, cmd: Command) -> Result<Practice, Failure> {
    match execute(&ctx(store), user, cmd) {
        Ok((o, _)) => Ok(o.practice),
        Err(ServiceError::Refused(reasons)) => {
            Err(fail(format!("Отказано:\n{}", Refusal { reasons }), 1))
        }
        Err(e) => Err(refused(&e)),
    }
}

fn load(store: &Store, id: Uuid, user: Option<&User>) -> Result<Practice, Failure> {
    crate::sync::client::rows::ensure_whole(store, id).map_err(|e| fail(e, 1))?;
    store
        .practice(id)?
        .filter(|p| crate::service::selections::scope_of(store, user).is_ok_and(|s| s.can_read(p)))
        .ok_or_else(|| fail("Практика не найдена или недоступна.", 1))
}

fn merged(store: &Store, base: &Passport, path: &Path) -> Result<Passport, Failure> {
    let doc = read_json(path)?;
    let login = |l: &str| store.user_by_login(l).ok().flatten().map(|u| u.id);
    apply_json(base, &doc, &login).map_err(|errors| {
        fail(
            format!(
                "Паспорт в «{}» не принят:\n— {}",
                path.display(),
                errors.join("\n— ")
            ),
            2,
        )
    })
}

pub fn run(data: &Path, as_user: Option<&str>, cmd: PracticeCommand) -> Result<(), Failure> {
    let store = Store::open(data)?;
    match cmd {
        PracticeCommand::Show {
            id,
            json,
            revision,
            pdf,
        } => {
            let id = parse_id(&id)?;
            let user = as_user.map(|l| sign_in(&store, l)).transpose()?;
            if let Some(path) = pdf {
                crate::sync::client::rows::ensure_whole(&store, id).map_err(|e| fail(e, 1))?;
                let doc = crate::service::print::passport(&ctx(&store), user.as_ref(), id)
                    .map_err(|e| refused(&e))?;
                return printed(&doc, &path, "Паспорт");
            }
            let mut p = load(&store, id, user.as_ref())?;
            if let Some(n) = revision {
                let r = store
                    .revision(id, n)?
                    .ok_or_else(|| fail(format!("У практики нет редакции {n}."), 1))?;
                p.passport = r.passport;
                p.revision = r.number;
            }
            show(&store, &p, user.as_ref(), json)
        }
        PracticeCommand::Protocol { id, pdf } => {
            let id = parse_id(&id)?;
            let user = as_user.map(|l| sign_in(&store, l)).transpose()?;
            let doc = crate::service::print::protocol(&store, user.as_ref(), id)
                .map_err(|e| refused(&e))?;
            match pdf {
                Some(path) => printed(&doc, &path, "Протокол"),
                None => emit(crate::service::print::pdf::text(&doc).as_bytes()),
            }
        }
        PracticeCommand::New { from } => {
            let user = need_user(&store, as_user)?;
            let passport = merged(&store, &Passport::default(), &from)?;
            let id = Uuid::now_v7();
            exec(&store, &user, Command::Create { id, passport })?;
            emit(format!("{id}\n").as_bytes())
        }
        PracticeCommand::Edit { id, from } => {
            let user = need_user(&store, as_user)?;
            let id = parse_id(&id)?;
            let p = load(&store, id, Some(&user))?;
            let passport = merged(&store, &p.passport, &from)?;
            let after = exec(&store, &user, Command::Edit { id, passport })?;
            if after.revision == p.revision {
                eprintln!("Изменений нет.");
            } else {
                eprintln!("Сохранено: редакция {}.", after.revision);
            }
            Ok(())
        }
        PracticeCommand::Attach {
            id,
            path,
            kind,
            title,
        } => {
            let user = need_user(&store, as_user)?;
            let id = parse_id(&id)?;
            let p = load(&store, id, Some(&user))?;
            let passport = crate::service::practice::attach(
                &Blobs::new(data),
                p.passport.clone(),
                &path.display().to_string(),
                &kind,
                title,
            )
            .map_err(|e| refused(&e))?;
            let after = exec(&store, &user, Command::Edit { id, passport })?;
            eprintln!(
                "Приложено: «{}», редакция {}.",
                path.display(),
                after.revision
            );
            Ok(())
        }
        PracticeCommand::SaveFile {
            id,
            name,
            path,
            force,
        } => {
            let id = parse_id(&id)?;
            let user = as_user.map(|l| sign_in(&store, l)).transpose()?;
            let p = load(&store, id, user.as_ref())?;
            let pp = &p.passport;
            let mut files: Vec<(String, String)> = Vec::new();
            if let Some(c) = &pp.cover {
                files.push((c.name.clone(), c.sha256.clone()));
            }
            for m in pp.materials.iter().chain(&pp.consents) {
                match &m.source {
                    Source::File { name, sha256, .. } => files.push((name.clone(), sha256.clone())),
                    Source::Link { url } if m.title == name || url == &name => {
                        return Err(fail(format!("«{name}» — ссылка, а не файл: {url}"), 1));
                    }
                    Source::Link { .. } => {}
                }
            }
            let mut found: Vec<&(String, String)> = files
                .iter()
                .filter(|(n, sha)| *n == name || (name.len() >= 8 && sha.starts_with(&name)))
                .collect();
            // The same content attached twice is one file.
            found.sort_by(|a, b| a.1.cmp(&b.1));
            found.dedup_by(|a, b| a.1 == b.1);
            let (_, sha) = match found.as_slice() {
                [one] => *one,
                [] => return Err(fail(format!("У практики нет вложения «{name}»."), 1)),
                _ => {
                    return Err(fail(
                        format!("Вложений «{name}» несколько: укажите начало SHA-256."),
                        2,
                    ));
                }
            };
            // Refused before any download; checked again when the file is
            // put in place, in case it appeared meanwhile.
            may_write(&path, force)?;
            let blobs = Blobs::new(data);
            // On a linked store a file is fetched when first needed.
            if !blobs.exists(sha)
                && let Ok(Some(creds)) = crate::sync::client::api::credentials(data)
            {
                eprintln!("Загрузка файла с сервера…");
                crate::sync::client::api::block_on(crate::sync::client::files::download(
                    &creds, &blobs, sha,
                ))
                .and_then(|r| r)
                .map_err(|e| fail(e, 1))?;
            }
            save_blob(&blobs, sha, &path, force)?;
            eprintln!("Сохранено: {}.", path.display());
            Ok(())
        }
        PracticeCommand::Submit { id } => {
            let user = need_user(&store, as_user)?;
            let id = parse_id(&id)?;
            let after = exec(&store, &user, Command::Submit { id })?;
            eprintln!("Практика подана: «{}».", after.status.name());
            Ok(())
        }
        PracticeCommand::Actions { id, json } => {
            let user = need_user(&store, as_user)?;
            crate::cli::workflow::actions(&store, &user, parse_id(&id)?, json)
        }
        PracticeCommand::Act {
            id,
            action,
            query,
            dry_run,
            yes,
            comment,
            attach,
            to,
            level,
            reason,
            category,
        } => {
            // A category travels as the step's reason code.
            let reason = match category {
                Some(c) => Some(crate::cli::admin::category_code(&c)?),
                None => reason,
            };
            let input = crate::service::workflow::ActInput {
                comment: comment.unwrap_or_default(),
                attach,
                to,
                level,
                reason,
                documents: Vec::new(),
            };
            match (query, action) {
                (Some(q), None) => {
                    if !dry_run && !yes {
                        return Err(fail(
                            "Действие над всеми практиками запроса: сначала --dry-run (что будет с каждой), затем --yes (выполнить).",
                            2,
                        ));
                    }
                    drop(store);
                    crate::cli::query::act(data, as_user, &q, &id, &input, yes)
                }
                (Some(_), Some(_)) => Err(fail(
                    "С --query укажите только действие: smarteka practice act --query \"…\" ДЕЙСТВИЕ --dry-run.",
                    2,
                )),
                (None, None) => Err(fail(
                    "Укажите действие: smarteka practice act ID ДЕЙСТВИЕ (список — practice actions ID).",
                    2,
                )),
                (None, Some(action)) => {
                    let user = need_user(&store, as_user)?;
                    crate::cli::workflow::act(&store, data, &user, parse_id(&id)?, &action, &input)
                }
            }
        }
        PracticeCommand::History { id, json } => {
            let id = parse_id(&id)?;
            let user = as_user.map(|l| sign_in(&store, l)).transpose()?;
            let p = load(&store, id, user.as_ref())?;
            crate::cli::workflow::history(&store, &p, user.as_ref(), json)
        }
        PracticeCommand::Diff { id, from, to, json } => {
            let id = parse_id(&id)?;
            let user = as_user.map(|l| sign_in(&store, l)).transpose()?;
            let p = load(&store, id, user.as_ref())?;
            crate::cli::workflow::diff(&store, user.as_ref(), &p, from, to, json)
        }
    }
}

fn already_there(dest: &Path) -> Failure {
    fail(
        format!(
            "Файл «{}» уже есть: укажите другой путь или --force.",
            dest.display()
        ),
        1,
    )
}

/// Whether `save-file` may write `dest`: never over a directory, over an
/// existing file only with `--force`.
fn may_write(dest: &Path, force: bool) -> Result<(), Failure> {
    if dest.is_dir() {
        return Err(fail(
            format!(
                "«{}» — каталог: укажите путь к файлу, например «{}».",
                dest.display(),
                dest.join("файл.pdf").display()
            ),
            2,
        ));
    }
    // A symbolic link counts as a file, even a dangling one.
    if !force && std::fs::symlink_metadata(dest).is_ok() {
        return Err(already_there(dest));
    }
    Ok(())
}

/// Copies a stored file to `dest` through a temporary file in the same
/// directory, renamed into place when complete: a failure leaves no half
/// file, and without `force` an existing file is never replaced.
fn save_blob(blobs: &Blobs, sha256: &str, dest: &Path, force: bool) -> Result<(), Failure> {
    may_write(dest, force)?;
    let mut from = std::fs::File::open(blobs.path_of(sha256))
        .map_err(|_| fail(BlobError::Missing(sha256.to_owned()).to_string(), 1))?;
    let dir = match dest.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let failed =
        |e: std::io::Error| fail(format!("Не удалось сохранить «{}»: {e}", dest.display()), 1);
    let mut builder = tempfile::Builder::new();
    builder.prefix(".smarteka-").suffix(".part");
    // The mode a plain new file gets (0666 less the umask), not 0600.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut tmp = builder.tempfile_in(dir).map_err(failed)?;
    std::io::copy(&mut from, &mut tmp).map_err(failed)?;
    tmp.as_file().sync_all().map_err(failed)?;
    let placed = if force {
        tmp.persist(dest)
    } else {
        tmp.persist_noclobber(dest)
    };
    match placed {
        Ok(_) => Ok(()),
        Err(e) if !force && e.error.kind() == std::io::ErrorKind::AlreadyExists => {
            Err(already_there(dest))
        }
        Err(e) => Err(failed(e.error)),
    }
}

/// Writes a printable document and says where it went.
pub(crate) fn printed(
    doc: &crate::service::print::pdf::Doc,
    path: &Path,
    what: &str,
) -> Result<(), Failure> {
    let size = crate::service::print::save(doc, path).map_err(|e| refused(&e))?;
    eprintln!(
        "{what} записан в PDF: {} ({} КБ).",
        path.display(),
        size.div_ceil(1024)
    );
    Ok(())
}

/// The workflow state `practice show --json` adds: the yearly cycle,
/// requests and proposals, points awaiting confirmation, the protocols.
fn workflow_json(store: &Store, p: &Practice) -> serde_json::Value {
    let login = |id| store.user(id).ok().flatten().map(|u| u.login);
    let wf = &p.workflow;
    let request = |r: &crate::domain::workflow::Request| json!({"by": login(r.by), "at": r.at, "reason": r.reason, "comment": r.comment});
    json!({
        "actualised": wf.actualised,
        "actualise_by": crate::domain::workflow::actualise_by(p),
        "audits": wf.audits.iter().map(|a| json!({
            "year": a.year, "by": login(a.by), "at": a.at,
            "result": a.result, "result_name": a.result_name(), "comment": a.comment,
        })).collect::<Vec<_>>(),
        "edit_request": wf.edit_request.as_ref().map(request),
        "archive_proposal": wf.archive_proposal.as_ref().map(request),
        "revisions": wf.revisions.as_ref().map(|r| json!({
            "points": r.comment, "returned_revision": r.revision, "then": r.then.name(),
        })),
        "reason": wf.reason,
        "protocols": wf.protocols.iter().map(|pr| json!({
            "kind": pr.kind,
            "at": pr.at,
            "by": pr.by.and_then(login),
            "revision": pr.revision,
            "experts": pr.experts.iter().map(|e| login(*e)).collect::<Vec<_>>(),
            "votes": pr.votes.iter().map(|v| json!({
                "expert": login(v.expert), "verdict": v.verdict, "comment": v.comment, "at": v.at,
            })).collect::<Vec<_>>(),
            "decision": pr.decision,
            "decision_name": pr.decision.name(),
            "rule": pr.rule(),
            "points": pr.points,
            "document": pr.document,
        })).collect::<Vec<_>>(),
    })
}

fn show(store: &Store, p: &Practice, viewer: Option<&User>, as_json: bool) -> Result<(), Failure> {
    let mut out = Vec::new();
    if as_json {
        let login_of = |id| store.user(id).ok().flatten().map(|u| u.login);
        let d = refdata();
        let v = json!({
            "id": p.id,
            "status": p.status.name(),
            "status_code": p.status.code(),
            "revision": p.revision,
            "author": login_of(p.author),
            "region": p.region().map(|r| d.region_name(r)),
            "category": p.passport.category_code().map(|c| d.category_name(c)),
            "created": p.created,
            "updated": p.updated,
            "published": p.published,
            "passport": to_json(&p.passport, &login_of),
            "route_partner": crate::service::selections::recommend::route_partner_name(store, p)?,
            "workflow": if crate::domain::access::sees_workflow(viewer, p) {
                workflow_json(store, p)
            } else {
                serde_json::Value::Null
            },
        });
        serde_json::to_writer_pretty(&mut out, &v)?;
        writeln!(out)?;
    } else {
        let v = crate::service::views::view_of(store, p.clone());
        writeln!(out, "{}", p.passport.title)?;
        writeln!(
            out,
            "{} · {} · редакция {}",
            p.status.id(),
            p.status.name(),
            p.revision
        )?;
        writeln!(out, "Автор: {}", v.author)?;
        let today = ctx(store).today();
        for l in crate::service::views::life_lines(store, p, viewer, today) {
            writeln!(out, "{}: {}", l.label, l.text)?;
        }
        for (f, text) in crate::service::views::field_texts(&v) {
            writeln!(out, "\n{} {}", f.id(), f.label())?;
            for line in text.lines() {
                writeln!(out, "  {line}")?;
            }
        }
    }
    emit(&out)
}

/// `smarteka import leaders FILE.csv`, by the Модератор АСИ: replaces the
/// lists of the years in the file; a malformed line imports nothing.
pub fn import_leaders(data: &Path, as_user: Option<&str>, file: &Path) -> Result<(), Failure> {
    let text = read_text(file)?;
    let leaders = parse_leaders_csv(&text, refdata()).map_err(|errors| {
        fail(
            format!(
                "«{}» не загружен, ничего не изменено:\n— {}",
                file.display(),
                errors.join("\n— ")
            ),
            2,
        )
    })?;
    let store = Store::open(data)?;
    let user = need_user(&store, as_user)?;
    let years = crate::service::accounts::import_leaders(&ctx(&store), &user, &leaders)
        .map_err(|e| refused(&e))?;
    let shown: Vec<String> = years.iter().map(ToString::to_string).collect();
    eprintln!(
        "Загружено строк: {} (годы: {}).",
        leaders.len(),
        shown.join(", ")
    );
    Ok(())
}
