//! `smarteka user add|role|disable|enable`: the administrator of a store (the
//! central instance's, or a local one) manages accounts. These act on the
//! store directly, so they run where the store is and while the server is
//! stopped (the store's lock says so otherwise); each change is in the
//! audit trail.

use std::path::Path;

use uuid::Uuid;

use crate::cli::practice::password;
use crate::cli::{Failure, UserCommand, fail};
use crate::domain::refdata::refdata;
use crate::domain::user::{Profile, Role, RoleGrant, User, is_email, is_mobile_phone};
use crate::store::{Mutation, Record, Store};

fn region_code(text: &str) -> Result<String, Failure> {
    refdata()
        .find_region(text)
        .map(|r| r.code.clone())
        .ok_or_else(|| fail(format!("Неизвестный регион «{text}»."), 2))
}

fn commit(store: &Store, u: &User, action: &str, summary: String) -> Result<(), Failure> {
    let mut m = Mutation::new(None, action, summary).with(Record::User(Box::new(u.clone())));
    if action == "user.add" {
        m.fresh.push(crate::store::EntityRef::User(u.id));
    }
    store.commit(&m).map_err(|e| match e {
        crate::store::StoreError::LoginTaken(l) => fail(format!("Логин «{l}» уже занят."), 1),
        e => e.into(),
    })?;
    Ok(())
}

fn existing(store: &Store, login: &str) -> Result<User, Failure> {
    store
        .user_by_login(login)?
        .ok_or_else(|| fail(format!("Пользователь «{login}» не найден."), 1))
}

pub fn run(data: &Path, cmd: &UserCommand) -> Result<(), Failure> {
    let store = Store::open(data)?;
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
            let login = login.trim().to_lowercase();
            if login.is_empty()
                || !login
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
            {
                return Err(fail("Логин — латинские буквы, цифры, «-», «_» и «.».", 2));
            }
            if store.user_by_login(&login)?.is_some() {
                return Err(fail(format!("Логин «{login}» уже занят."), 1));
            }
            if let Some(e) = email.as_deref().filter(|e| !is_email(e)) {
                return Err(fail(format!("«{e}» — не адрес электронной почты."), 2));
            }
            if let Some(p) = phone.as_deref().filter(|p| !is_mobile_phone(p)) {
                return Err(fail(format!("«{p}» — не номер мобильного телефона."), 2));
            }
            let pw = password("SMARTEKA_NEW_PASSWORD", &format!("Пароль для {login}: "))?;
            if let Some(why) = crate::service::accounts::weak_password(&pw) {
                return Err(fail(why, 2));
            }
            let hash = crate::service::accounts::hash_password(&pw).map_err(|e| fail(e, 1))?;
            let u = User {
                id: Uuid::now_v7(),
                login: login.clone(),
                profile: Profile {
                    full_name: name.trim().to_owned(),
                    organisation: organisation.clone().unwrap_or_default(),
                    position: position.clone().unwrap_or_default(),
                    phone: phone.clone().unwrap_or_default(),
                    email: email.clone().unwrap_or_default(),
                    photo: None,
                    region: region.as_deref().map(region_code).transpose()?,
                    head_of_body: false,
                },
                roles: Vec::new(),
                password_hash: hash,
                email_verified: false,
                consents: Vec::new(),
                disabled: false,
                created: crate::cli::clock().now(),
                verified: None,
            };
            commit(
                &store,
                &u,
                "user.add",
                format!("Заведён пользователь {login}"),
            )?;
            eprintln!("Готово: пользователь «{login}» заведён.");
        }
        UserCommand::Role {
            login,
            change,
            role,
            region,
            category,
        } => {
            let mut u = existing(&store, login)?;
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
                .map(|c| {
                    refdata()
                        .find_category(c)
                        .map(|x| x.code.clone())
                        .ok_or_else(|| fail(format!("Неизвестная категория «{c}»."), 2))
                })
                .collect::<Result<Vec<_>, _>>()?;
            match change.as_str() {
                "add" => {
                    let regional = matches!(r, Role::Author | Role::Coordinator | Role::Recipient);
                    if regional && region.is_none() {
                        return Err(fail(
                            format!("Роли «{}» нужен регион: --region.", r.name()),
                            2,
                        ));
                    }
                    let by_category = matches!(r, Role::Expert | Role::ExpertModerator);
                    if by_category && categories.is_empty() {
                        return Err(fail(
                            format!("Роли «{}» нужны категории: --category.", r.name()),
                            2,
                        ));
                    }
                    let grant = RoleGrant {
                        role: r,
                        region: region.filter(|_| regional),
                        categories: if by_category { categories } else { Vec::new() },
                    };
                    if u.roles.contains(&grant) {
                        return Err(fail("Такая роль у пользователя уже есть.", 1));
                    }
                    u.roles.push(grant);
                }
                "remove" => {
                    let before = u.roles.len();
                    u.roles.retain(|g| {
                        g.role != r
                            || region
                                .as_ref()
                                .is_some_and(|x| g.region.as_ref() != Some(x))
                    });
                    if u.roles.len() == before {
                        return Err(fail("Такой роли у пользователя нет.", 1));
                    }
                }
                other => {
                    return Err(fail(format!("«{other}»: укажите add или remove."), 2));
                }
            }
            commit(
                &store,
                &u,
                "user.role",
                format!("Роль «{}» пользователя {login}: {change}", r.name()),
            )?;
            eprintln!("Готово: роли «{login}»: {}.", u.role_names().join(", "));
        }
        UserCommand::Disable { login } => {
            let mut u = existing(&store, login)?;
            if u.disabled {
                return Err(fail(format!("«{login}» уже отключён."), 1));
            }
            u.disabled = true;
            commit(
                &store,
                &u,
                "user.disable",
                format!("Отключён пользователь {login}"),
            )?;
            eprintln!("Готово: «{login}» отключён; его сеансы больше не принимаются.");
        }
        UserCommand::Enable { login } => {
            let mut u = existing(&store, login)?;
            if !u.disabled {
                return Err(fail(format!("«{login}» не отключён."), 1));
            }
            u.disabled = false;
            commit(
                &store,
                &u,
                "user.enable",
                format!("Включён пользователь {login}"),
            )?;
            eprintln!("Готово: «{login}» снова может входить.");
        }
        UserCommand::Verify { .. } | UserCommand::GrantAuthor { .. } => {
            // §4.1.3 acts as a user: `workflow_cli::authoring`.
            return Err(fail(
                "Это действие выполняется от имени пользователя: --as ЛОГИН.",
                2,
            ));
        }
    }
    Ok(())
}
