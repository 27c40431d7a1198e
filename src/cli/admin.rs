//! `smarteka user add|role|disable|enable`: the administrator of a store (the
//! central instance's, or a local one) manages accounts. These act on the
//! store directly, so they run where the store is and while the server is
//! stopped (the store's lock says so otherwise); each change is in the
//! audit trail.

use std::path::Path;

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
