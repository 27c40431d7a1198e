//! People on the command line: `register` (sign-up, the e-mailed code),
//! `password --reset`, `profile`, `consent`, and the Модератор АСИ's
//! `user grant|revoke|enable|disable|list|contacts`. Sign-up and codes go
//! to the server; the rest act on the store as the signed-in user and, on
//! a linked store, travel to the server with `smarteka sync`.

use std::fmt::Write as _;
use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};

use clap::Subcommand;
use serde::{Deserialize, Serialize};

use crate::cli::admin::{category_code, region_code};
use crate::cli::args::HELP_TEMPLATE;
use crate::cli::practice::{need_user, password};
use crate::cli::{Failure, ctx, fail, refused};
use crate::domain::people::{CONSENT_VERSION, ManageChange, MeChange};
use crate::domain::refdata::refdata;
use crate::domain::user::{ConsentKind, Profile, Role};
use crate::service::people as svc;
use crate::store::Store;
use crate::sync::client::api::{base_url, post_json};
use crate::sync::protocol::{CodeRequest, Done, RegisterRequest};

#[derive(Debug, Subcommand)]
pub enum ProfileCommand {
    /// Показать профиль: поля, чего не хватает, согласия, роли.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Show {
        /// Вывести в JSON.
        #[arg(long)]
        json: bool,
    },
    /// Изменить профиль полями из JSON (поля — в docs/people.md).
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Edit {
        #[arg(long = "from", value_name = "ФАЙЛ")]
        from: PathBuf,
    },
    /// Загрузить фотографию (JPG, PNG или BMP, до 10 МБ).
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Photo {
        #[arg(value_name = "ФАЙЛ")]
        file: PathBuf,
    },
    /// Уведомления по почте: on — получать, off — только сроки и
    /// безопасность.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Mail {
        #[arg(value_name = "on|off")]
        state: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConsentCommand {
    /// Ваши согласия: какие даны, когда и к какой редакции текста.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    List {
        /// Вывести в JSON.
        #[arg(long)]
        json: bool,
    },
    /// Дать согласие: terms, personal-data, distribution, consulting.
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Give {
        #[arg(value_name = "ВИД")]
        kind: String,
    },
    /// Отозвать согласие (действует сразу).
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Параметры")]
    Withdraw {
        #[arg(value_name = "ВИД")]
        kind: String,
    },
}

/// `smarteka register`'s arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct RegisterArgs {
    /// Адрес сервера (запоминается до подтверждения).
    #[arg(long, value_name = "URL")]
    pub server: Option<String>,
    /// Логин: латинские буквы, цифры, «-», «_», «.».
    #[arg(long, value_name = "ЛОГИН")]
    pub login: Option<String>,
    #[arg(long, value_name = "АДРЕС")]
    pub email: Option<String>,
    /// ФИО кириллицей полностью.
    #[arg(long, value_name = "ФИО")]
    pub name: Option<String>,
    /// Регион: название или код.
    #[arg(long, value_name = "РЕГИОН")]
    pub region: Option<String>,
    /// Принять правила пользования и согласия, не спрашивая (тексты
    /// всё равно выводятся).
    #[arg(long)]
    pub accept: bool,
    /// Подтвердить адрес кодом из письма.
    #[arg(long, value_name = "КОД")]
    pub confirm: Option<String>,
    /// Прислать код подтверждения ещё раз.
    #[arg(long)]
    pub resend: bool,
}

/// What `register` remembers until the address is confirmed.
#[derive(Debug, Serialize, Deserialize)]
struct Pending {
    server: String,
    login: String,
}

const PENDING: &str = "registration.json";

fn pending(data: &Path) -> Option<Pending> {
    let text = std::fs::read_to_string(data.join(PENDING)).ok()?;
    serde_json::from_str(&text).ok()
}

/// A value from a flag, or asked for at the terminal.
fn value(flag: Option<&str>, name: &str, prompt: &str) -> Result<String, Failure> {
    if let Some(v) = flag {
        return Ok(v.to_owned());
    }
    if !std::io::stdin().is_terminal() {
        return Err(fail(format!("Укажите {name}."), 2));
    }
    eprint!("{prompt}: ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim().to_owned())
}

/// A new password: from the variable, or typed twice at the terminal.
fn twice(var: &str, prompt: &str) -> Result<String, Failure> {
    if let Ok(p) = std::env::var(var) {
        return Ok(p);
    }
    let first = password(var, prompt)?;
    let again = password(var, "Ещё раз: ")?;
    if first != again {
        return Err(fail("Пароли не совпадают. Ничего не отправлено.", 2));
    }
    Ok(first)
}

/// `smarteka register`: a new account on the server, then its code.
pub fn register(data: &Path, a: &RegisterArgs) -> Result<(), Failure> {
    let remembered = pending(data);
    let server = a
        .server
        .clone()
        .or_else(|| remembered.as_ref().map(|p| p.server.clone()))
        .ok_or_else(|| fail("Укажите сервер: --server URL.", 2))?;
    let base = base_url(&server).map_err(|e| fail(e, 2))?;
    if a.confirm.is_some() || a.resend {
        let login = a
            .login
            .clone()
            .or_else(|| remembered.as_ref().map(|p| p.login.clone()))
            .ok_or_else(|| fail("Укажите логин: --login ЛОГИН.", 2))?;
        let done: Done = post_json(
            &base,
            "/api/register/confirm",
            &CodeRequest {
                login,
                code: a.confirm.clone(),
                password: None,
            },
        )
        .map_err(|e| fail(e, 1))?;
        if a.confirm.is_some() {
            let _ = std::fs::remove_file(data.join(PENDING));
        }
        eprintln!("{}", done.message);
        return Ok(());
    }
    let login = value(a.login.as_deref(), "логин: --login", "Логин")?;
    let email = value(
        a.email.as_deref(),
        "адрес почты: --email",
        "Электронная почта",
    )?;
    let name = value(
        a.name.as_deref(),
        "ФИО: --name",
        "ФИО (кириллицей, полностью)",
    )?;
    let region = region_code(&value(a.region.as_deref(), "регион: --region", "Регион")?)?;
    let mut consents = Vec::new();
    eprintln!(
        "Правила пользования и согласия (152-ФЗ, п. 4.1.2 регламента), редакция {CONSENT_VERSION}:"
    );
    for kind in ConsentKind::SIGN_UP {
        eprintln!("\n— {}:\n{}", kind.name(), kind.text());
        let yes = if a.accept {
            eprintln!("Принято (--accept).");
            true
        } else {
            let answer = value(None, "--accept, чтобы принять", "Принимаете? (да/нет)")?;
            matches!(answer.to_lowercase().as_str(), "да" | "д" | "yes" | "y")
        };
        if !yes {
            return Err(fail(
                "Без этого согласия зарегистрироваться нельзя (п. 4.1.2). Ничего не отправлено.",
                1,
            ));
        }
        consents.push(kind.code().to_owned());
    }
    let pw = twice("SMARTEKA_PASSWORD", "Пароль (не короче 8 знаков): ")?;
    let done: Done = post_json(
        &base,
        "/api/register",
        &RegisterRequest {
            login: login.clone(),
            email,
            full_name: name,
            region,
            password: pw,
            consents,
            version: CONSENT_VERSION.to_owned(),
        },
    )
    .map_err(|e| fail(e, 1))?;
    std::fs::create_dir_all(data)?;
    let text = serde_json::to_string(&Pending {
        server: base,
        login: login.trim().to_lowercase(),
    })
    .map_err(|e| fail(e.to_string(), 1))?;
    std::fs::write(data.join(PENDING), text)?;
    eprintln!("{}", done.message);
    eprintln!("Введите код из письма: smarteka register --confirm КОД");
    Ok(())
}

/// `smarteka password --reset`: a code by mail, then the new password.
pub fn reset(server: &str, login: &str, code: Option<&str>) -> Result<(), Failure> {
    let base = base_url(server).map_err(|e| fail(e, 2))?;
    let password = match code {
        None => None,
        Some(_) => Some(twice("SMARTEKA_NEW_PASSWORD", "Новый пароль: ")?),
    };
    let done: Done = post_json(
        &base,
        "/api/password/reset",
        &CodeRequest {
            login: login.to_owned(),
            code: code.map(str::to_owned),
            password,
        },
    )
    .map_err(|e| fail(e, 1))?;
    eprintln!("{}", done.message);
    if code.is_none() {
        eprintln!(
            "Введите код из письма: smarteka password --reset --server {server} --login {login} --code КОД"
        );
    }
    Ok(())
}

/// The profile file of `profile edit`: only the keys given change.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileFile {
    full_name: Option<String>,
    organisation: Option<String>,
    organisation_kind: Option<String>,
    position: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    region: Option<String>,
    head_of_body: Option<bool>,
}

fn read_profile(path: &Path, base: &Profile) -> Result<Profile, Failure> {
    let text = crate::cli::practice::read_text(path)?;
    let f: ProfileFile = serde_json::from_str(&text)
        .map_err(|e| fail(format!("«{}» — не профиль в JSON: {e}", path.display()), 2))?;
    let mut p = base.clone();
    if let Some(v) = f.full_name {
        p.full_name = v;
    }
    if let Some(v) = f.organisation {
        p.organisation = v;
    }
    if let Some(v) = f.organisation_kind {
        let code = refdata()
            .organisation_types
            .iter()
            .find(|t| t.code == v.trim() || t.name.to_lowercase() == v.trim().to_lowercase())
            .map_or(v.clone(), |t| t.code.clone());
        p.organisation_kind = Some(code);
    }
    if let Some(v) = f.position {
        p.position = v;
    }
    if let Some(v) = f.phone {
        p.phone = v;
    }
    if let Some(v) = f.email {
        p.email = v;
    }
    if let Some(v) = f.region {
        p.region = Some(region_code(&v)?);
    }
    if let Some(v) = f.head_of_body {
        p.head_of_body = v;
    }
    Ok(p)
}

/// What a linked workstation adds to «Готово»: the change goes to the
/// server with the next sync.
pub(crate) fn saved(store: &Store) -> &'static str {
    if store.client_id().ok().flatten().is_some() {
        " Изменение уйдёт на сервер при синхронизации (smarteka sync)."
    } else {
        ""
    }
}

pub fn profile(data: &Path, as_user: Option<&str>, cmd: &ProfileCommand) -> Result<(), Failure> {
    let store = Store::open(data)?;
    let user = need_user(&store, as_user)?;
    let cx = ctx(&store);
    match cmd {
        ProfileCommand::Show { json } => {
            let v = svc::profile_view(&cx, &user);
            if *json {
                return crate::cli::emit(
                    &serde_json::to_vec_pretty(&v).map_err(|e| fail(e.to_string(), 1))?,
                );
            }
            let mut out = String::new();
            for (label, value) in &v.fields {
                let _ = writeln!(out, "{label:<24} {value}");
            }
            if v.missing.is_empty() {
                out.push_str("\nПрофиль заполнен полностью.\n");
            } else {
                let _ = writeln!(
                    out,
                    "\nПрофиль заполнен на {} из {}. Не хватает:",
                    v.filled, v.of
                );
                for m in &v.missing {
                    let _ = writeln!(out, "  — {m}");
                }
            }
            out.push_str("\nСогласия:\n");
            for c in &v.consents {
                let state = match (&c.given, &c.version) {
                    (Some(at), Some(ver)) => {
                        format!("дано {} (редакция {ver})", at.format("%d.%m.%Y %H:%M UTC"))
                    }
                    _ => "не дано".to_owned(),
                };
                let _ = writeln!(out, "  {} — {state}", c.name);
            }
            for n in &v.notes {
                let _ = writeln!(out, "\n{n}");
            }
            crate::cli::emit(out.as_bytes())?;
        }
        ProfileCommand::Edit { from } => {
            let p = read_profile(from, &user.profile)?;
            svc::change_me(&cx, &user, &MeChange::Profile(Box::new(p))).map_err(|e| refused(&e))?;
            eprintln!("Готово: профиль сохранён.{}", saved(&store));
        }
        ProfileCommand::Photo { file } => {
            svc::set_photo(&cx, &user, file).map_err(|e| refused(&e))?;
            eprintln!("Готово: фотография загружена.{}", saved(&store));
        }
        ProfileCommand::Mail { state } => {
            let off = match state.as_str() {
                "on" => false,
                "off" => true,
                other => return Err(fail(format!("«{other}»: укажите on или off."), 2)),
            };
            svc::change_me(&cx, &user, &MeChange::MailOptOut(off)).map_err(|e| refused(&e))?;
            eprintln!(
                "Готово: {}.{}",
                if off {
                    "по почте приходят только сроки и сообщения о безопасности"
                } else {
                    "уведомления приходят и по почте"
                },
                saved(&store)
            );
        }
    }
    Ok(())
}

fn consent_kind(text: &str) -> Result<ConsentKind, Failure> {
    ConsentKind::find(text).ok_or_else(|| {
        let codes: Vec<&str> = ConsentKind::ALL.iter().map(|k| k.code()).collect();
        fail(
            format!("Неизвестное согласие «{text}». Виды: {}.", codes.join(", ")),
            2,
        )
    })
}

pub fn consent(data: &Path, as_user: Option<&str>, cmd: &ConsentCommand) -> Result<(), Failure> {
    let store = Store::open(data)?;
    let user = need_user(&store, as_user)?;
    let cx = ctx(&store);
    match cmd {
        ConsentCommand::List { json } => {
            let rows = svc::consents(&user);
            if *json {
                return crate::cli::emit(
                    &serde_json::to_vec_pretty(&rows).map_err(|e| fail(e.to_string(), 1))?,
                );
            }
            let mut out = String::new();
            for c in rows {
                let state = match (c.given, c.version) {
                    (Some(at), Some(v)) => {
                        format!("дано {} (редакция {v})", at.format("%d.%m.%Y %H:%M UTC"))
                    }
                    _ => "не дано".to_owned(),
                };
                let _ = writeln!(
                    out,
                    "{:<14} {} — {state}\n    {}",
                    c.code, c.name, c.required
                );
            }
            crate::cli::emit(out.as_bytes())?;
        }
        ConsentCommand::Give { kind } => {
            let k = consent_kind(kind)?;
            eprintln!("{}\n", k.text());
            svc::change_me(
                &cx,
                &user,
                &MeChange::Consent {
                    kind: k,
                    give: true,
                },
            )
            .map_err(|e| refused(&e))?;
            eprintln!(
                "Готово: дано {} (редакция {CONSENT_VERSION}).{}",
                k.name(),
                saved(&store)
            );
        }
        ConsentCommand::Withdraw { kind } => {
            let k = consent_kind(kind)?;
            let u = svc::change_me(
                &cx,
                &user,
                &MeChange::Consent {
                    kind: k,
                    give: false,
                },
            )
            .map_err(|e| refused(&e))?;
            let then = if u.disabled {
                " Учётная запись отключена: без этого согласия работа на платформе невозможна."
            } else if k == ConsentKind::PersonalDataForDistribution {
                " В опубликованных паспортах вы показаны как «участник команды»."
            } else {
                ""
            };
            eprintln!("Готово: отозвано {}.{then}{}", k.name(), saved(&store));
        }
    }
    Ok(())
}

/// The Модератор АСИ's commands, acting as a signed-in user.
#[derive(Debug)]
pub enum Manage<'a> {
    Grant {
        login: &'a str,
        role: &'a str,
        region: Option<&'a str>,
        categories: &'a [String],
    },
    Revoke {
        login: &'a str,
        role: &'a str,
        region: Option<&'a str>,
    },
    Disabled {
        login: &'a str,
        disabled: bool,
    },
    Contacts {
        logins: &'a [String],
        region: Option<&'a str>,
        all: bool,
    },
}

fn role_of(text: &str) -> Result<Role, Failure> {
    Role::find(text).ok_or_else(|| {
        let codes: Vec<&str> = Role::ALL.iter().map(|r| r.code()).collect();
        fail(
            format!("Неизвестная роль «{text}». Роли: {}.", codes.join(", ")),
            2,
        )
    })
}

pub fn manage(data: &Path, as_user: &str, cmd: &Manage<'_>) -> Result<(), Failure> {
    let store = Store::open(data)?;
    let actor = need_user(&store, Some(as_user))?;
    let cx = ctx(&store);
    let act = |login: &str, change: &ManageChange| {
        svc::manage(&cx, &actor, login, change).map_err(|e| {
            let mut f = refused(&e);
            if e.message().contains("нужен регион") {
                f.message.push_str(" Укажите --region.");
            } else if e.message().contains("нужны категории") {
                f.message.push_str(" Укажите --category.");
            }
            f
        })
    };
    match cmd {
        Manage::Grant {
            login,
            role,
            region,
            categories,
        } => {
            let categories = categories
                .iter()
                .map(|c| category_code(c))
                .collect::<Result<Vec<_>, _>>()?;
            let change = ManageChange::Role {
                add: true,
                role: role_of(role)?,
                region: region.map(region_code).transpose()?,
                categories,
            };
            let u = act(login, &change)?;
            eprintln!(
                "Готово: роли «{login}»: {}.{}",
                u.role_names().join(", "),
                saved(&store)
            );
        }
        Manage::Revoke {
            login,
            role,
            region,
        } => {
            let change = ManageChange::Role {
                add: false,
                role: role_of(role)?,
                region: region.map(region_code).transpose()?,
                categories: Vec::new(),
            };
            let u = act(login, &change)?;
            let left = u.role_names();
            eprintln!(
                "Готово: роли «{login}»: {}.{}",
                if left.is_empty() {
                    "нет".to_owned()
                } else {
                    left.join(", ")
                },
                saved(&store)
            );
        }
        Manage::Disabled { login, disabled } => {
            act(login, &ManageChange::Disabled(*disabled))?;
            if *disabled {
                eprintln!("Готово: «{login}» отключён.{}", saved(&store));
            } else {
                eprintln!("Готово: «{login}» снова может входить.{}", saved(&store));
            }
        }
        Manage::Contacts {
            logins,
            region,
            all,
        } => {
            let mut targets: Vec<String> = logins.to_vec();
            if *all || region.is_some() {
                let filter = svc::UserFilter {
                    region: region.map(region_code).transpose()?,
                    ..svc::UserFilter::default()
                };
                let rows = svc::users(&cx, &actor, &filter).map_err(|e| refused(&e))?;
                targets.extend(
                    rows.into_iter()
                        .filter(|r| !r.disabled && r.login != actor.login)
                        .map(|r| r.login),
                );
            }
            if targets.is_empty() {
                return Err(fail("Укажите логины, --region РЕГИОН или --all.", 2));
            }
            let mut due = None;
            for login in &targets {
                let u = act(login, &ManageChange::Contacts)?;
                due = u.contacts_request.map(|r| r.due);
            }
            eprintln!(
                "Готово: запрошено обновление контактных данных у {} польз. до {} (п. 4.1.12).{}",
                targets.len(),
                due.map(|d| d.format("%d.%m.%Y").to_string())
                    .unwrap_or_default(),
                saved(&store)
            );
        }
    }
    Ok(())
}

/// `smarteka user list`.
pub fn list(
    data: &Path,
    as_user: Option<&str>,
    filter: &svc::UserFilter,
    json: bool,
) -> Result<(), Failure> {
    let store = Store::open(data)?;
    let actor = need_user(&store, as_user)?;
    let rows = svc::users(&ctx(&store), &actor, filter).map_err(|e| refused(&e))?;
    if json {
        return crate::cli::emit(
            &serde_json::to_vec_pretty(&rows).map_err(|e| fail(e.to_string(), 1))?,
        );
    }
    let mut out = String::new();
    for r in &rows {
        let mut marks = Vec::new();
        if r.disabled {
            marks.push("отключён".to_owned());
        }
        if !r.email_confirmed {
            marks.push("почта не подтверждена".to_owned());
        }
        if r.awaiting_grant {
            marks.push("ждёт доступа к паспортам".to_owned());
        }
        if let Some(d) = r.contacts_due {
            marks.push(format!(
                "контакты до {}{}",
                d.format("%d.%m.%Y"),
                if r.contacts_overdue {
                    " — просрочено"
                } else {
                    ""
                }
            ));
        }
        if !r.missing.is_empty() {
            marks.push(format!("профиль: не хватает {}", r.missing.len()));
        }
        let _ = writeln!(
            out,
            "{:<16} {:<34} {:<6} {}{}",
            r.login,
            if r.name.is_empty() { "—" } else { &r.name },
            r.region.as_deref().unwrap_or("—"),
            if r.roles.is_empty() {
                "без ролей".to_owned()
            } else {
                r.roles.join(", ")
            },
            if marks.is_empty() {
                String::new()
            } else {
                format!(" · {}", marks.join(" · "))
            }
        );
    }
    let _ = writeln!(out, "Всего: {}", rows.len());
    crate::cli::emit(out.as_bytes())
}

/// `register`, `password --reset`, `profile`, `consent`.
pub fn run(data: &Path, as_user: Option<&str>, cmd: &crate::cli::Command) -> Result<(), Failure> {
    use crate::cli::Command as C;
    match cmd {
        C::Register(a) => register(data, a),
        C::Password {
            server,
            login,
            code,
            ..
        } => {
            let server = server
                .as_deref()
                .ok_or_else(|| fail("Укажите сервер: --server URL.", 2))?;
            let login = login
                .as_deref()
                .or(as_user)
                .ok_or_else(|| fail("Укажите логин: --login ЛОГИН.", 2))?;
            reset(server, login, code.as_deref())
        }
        C::Profile { command } => profile(data, as_user, command),
        C::Consent { command } => consent(data, as_user, command),
        _ => Err(fail("Эта команда выполняется не здесь.", 2)),
    }
}

/// The `user` commands of people: `None` for the administrator's own
/// (acting on the store with no signed-in user).
pub fn user_command(
    data: &Path,
    as_user: Option<&str>,
    cmd: &crate::cli::UserCommand,
) -> Option<Result<(), Failure>> {
    use crate::cli::UserCommand as U;
    let need = || as_user.ok_or_else(|| fail("Укажите модератора АСИ: --as ЛОГИН.", 2));
    let run = |m: Manage<'_>| need().and_then(|a| manage(data, a, &m));
    Some(match cmd {
        U::Grant {
            login,
            role,
            region,
            category,
        } => run(Manage::Grant {
            login,
            role,
            region: region.as_deref(),
            categories: category,
        }),
        U::Revoke {
            login,
            role,
            region,
        } => run(Manage::Revoke {
            login,
            role,
            region: region.as_deref(),
        }),
        U::Contacts {
            logins,
            region,
            all,
        } => run(Manage::Contacts {
            logins,
            region: region.as_deref(),
            all: *all,
        }),
        U::Disable { login } if as_user.is_some() => run(Manage::Disabled {
            login,
            disabled: true,
        }),
        U::Enable { login } if as_user.is_some() => run(Manage::Disabled {
            login,
            disabled: false,
        }),
        U::List {
            text,
            role,
            region,
            pending,
            overdue,
            json,
        } => (|| {
            let filter = svc::UserFilter {
                text: text.clone().unwrap_or_default(),
                role: role.as_deref().map(role_of).transpose()?,
                region: region.as_deref().map(region_code).transpose()?,
                pending: *pending,
                overdue: *overdue,
            };
            list(data, as_user, &filter, *json)
        })(),
        _ => return None,
    })
}
