//! `smarteka user add|role|disable|enable`: the administrator of a store (the
//! central instance's, or a local one) manages accounts. These act on the
//! store directly, so they run where the store is and while the server is
//! stopped (the store's lock says so otherwise); each change is in the
//! audit trail.

use std::fmt::Write as _;
use std::path::Path;

use crate::cli::KeyCommand;
use crate::cli::practice::password;
use crate::cli::{Failure, UserCommand, ctx, fail, refused};
use crate::domain::refdata::refdata;
use crate::domain::user::Role;
use crate::service::accounts::{self, NewUser};
use crate::store::Store;

/// A region's code from its name or code, for every command that takes one.
pub(crate) fn region_code(text: &str) -> Result<String, Failure> {
    refdata()
        .find_region(text)
        .map(|r| r.code.clone())
        .ok_or_else(|| fail(format!("Неизвестный регион «{text}»."), 2))
}

/// A category's code from its name or code.
pub(crate) fn category_code(text: &str) -> Result<String, Failure> {
    refdata()
        .find_category(text)
        .map(|c| c.code.clone())
        .ok_or_else(|| fail(format!("Неизвестная категория «{text}»."), 2))
}

pub fn run(data: &Path, cmd: &UserCommand) -> Result<(), Failure> {
    let store = Store::open(data)?;
    let cx = ctx(&store);
    match cmd {
        UserCommand::Add {
            login,
            name,
            region,
            email,
            phone,
            organisation,
            position,
        } => {
            let pw = password("SMARTEKA_NEW_PASSWORD", &format!("Пароль для {login}: "))?;
            let u = accounts::add_user(
                &cx,
                NewUser {
                    login: login.clone(),
                    full_name: name.clone(),
                    region: region.as_deref().map(region_code).transpose()?,
                    email: email.clone(),
                    phone: phone.clone(),
                    organisation: organisation.clone(),
                    position: position.clone(),
                    password: pw,
                },
            )
            .map_err(|e| refused(&e))?;
            let login = u.login;
            eprintln!("Готово: пользователь «{login}» заведён.");
        }
        UserCommand::Role {
            login,
            change,
            role,
            region,
            category,
        } => {
            let r = Role::find(role).ok_or_else(|| {
                let codes: Vec<&str> = Role::ALL.iter().map(|r| r.code()).collect();
                fail(
                    format!("Неизвестная роль «{role}». Роли: {}.", codes.join(", ")),
                    2,
                )
            })?;
            let region = region.as_deref().map(region_code).transpose()?;
            let categories = category
                .iter()
                .map(|c| category_code(c))
                .collect::<Result<Vec<_>, _>>()?;
            let add = match change.as_str() {
                "add" => true,
                "remove" => false,
                other => return Err(fail(format!("«{other}»: укажите add или remove."), 2)),
            };
            let u = accounts::change_role(&cx, login, add, r, region, categories).map_err(|e| {
                let mut f = refused(&e);
                // The flags of this command for what the role needs.
                if e.message().contains("нужен регион") {
                    f.message.push_str(" Укажите --region.");
                } else if e.message().contains("нужны категории") {
                    f.message.push_str(" Укажите --category.");
                }
                f
            })?;
            eprintln!("Готово: роли «{login}»: {}.", u.role_names().join(", "));
        }
        UserCommand::Disable { login } => {
            accounts::set_disabled(&cx, login, true).map_err(|e| refused(&e))?;
            eprintln!("Готово: «{login}» отключён; его сеансы больше не принимаются.");
        }
        UserCommand::Enable { login } => {
            accounts::set_disabled(&cx, login, false).map_err(|e| refused(&e))?;
            eprintln!("Готово: «{login}» снова может входить.");
        }
        UserCommand::Key { command } => keys(&cx, command)?,
        UserCommand::Verify { .. }
        | UserCommand::GrantAuthor { .. }
        | UserCommand::Grant { .. }
        | UserCommand::Revoke { .. }
        | UserCommand::List { .. }
        | UserCommand::Contacts { .. } => {
            // §4.1.3 acts as a user: `workflow_cli::authoring`.
            return Err(fail(
                "Это действие выполняется от имени пользователя: --as ЛОГИН.",
                2,
            ));
        }
    }
    Ok(())
}

/// `smarteka user key add|list|remove`, as the store's administrator.
fn keys(cx: &crate::service::Ctx<'_>, cmd: &KeyCommand) -> Result<(), Failure> {
    use crate::service::keys;
    match cmd {
        KeyCommand::Add { login, file } => {
            let text = if file.as_os_str() == "-" {
                std::io::read_to_string(std::io::stdin())?
            } else {
                std::fs::read_to_string(file)
                    .map_err(|e| fail(format!("Файл «{}» не прочитан: {e}", file.display()), 2))?
            };
            let lines: Vec<&str> = text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .collect();
            if lines.is_empty() {
                return Err(fail(
                    format!("В «{}» нет ни одного ключа.", file.display()),
                    2,
                ));
            }
            for line in lines {
                let k = keys::add(cx, None, login, line).map_err(|e| refused(&e))?;
                eprintln!(
                    "Готово: ключ {} ({}{}) добавлен пользователю «{login}».",
                    k.fingerprint,
                    k.algorithm,
                    if k.comment.is_empty() {
                        String::new()
                    } else {
                        format!(", {}", k.comment)
                    }
                );
            }
        }
        KeyCommand::List { login } => {
            let list = keys::list(cx, None, login).map_err(|e| refused(&e))?;
            if list.is_empty() {
                eprintln!("У «{login}» нет ключей SSH: smarteka user key add {login} ФАЙЛ.pub");
            }
            let mut out = String::new();
            for k in list {
                let _ = writeln!(
                    out,
                    "{}\t{}\t{}\t{}",
                    k.fingerprint,
                    k.algorithm,
                    k.comment,
                    k.added
                        .with_timezone(&chrono::Local)
                        .format("%d.%m.%Y %H:%M")
                );
            }
            crate::cli::emit(out.as_bytes())?;
        }
        KeyCommand::Remove { login, key } => {
            let k = keys::remove(cx, None, login, key).map_err(|e| refused(&e))?;
            eprintln!(
                "Готово: ключ {} удалён у «{login}»; входа по нему больше нет.",
                k.fingerprint
            );
        }
    }
    Ok(())
}
