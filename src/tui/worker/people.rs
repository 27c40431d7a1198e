//! The worker's side of «Профиль» and «Пользователи»: each request goes to
//! `service::people` (or `accounts` for §4.1.3) with the workstation's clock.

use crate::domain::User;
use crate::domain::people::{ManageChange, MeChange};
use crate::service::Ctx;
use crate::service::people::{self as svc, ProfileView, UserFilter, UserRow};

#[derive(Debug, Clone)]
pub enum PeopleRequest {
    Profile {
        user: User,
    },
    ChangeMe {
        user: User,
        change: MeChange,
    },
    /// A new photo from a file.
    Photo {
        user: User,
        path: String,
    },
    Users {
        user: User,
        filter: UserFilter,
    },
    Manage {
        user: User,
        login: String,
        change: ManageChange,
    },
    /// §4.1.3: the coordinator confirms (`grant` false) or the Модератор
    /// АСИ grants access to passports.
    Authoring {
        user: User,
        login: String,
        grant: bool,
    },
    Regions,
    Region {
        code: String,
    },
    /// «Отборы» as the user (or a guest) sees them.
    Selections {
        user: Option<User>,
    },
    Selection {
        user: Option<User>,
        id: uuid::Uuid,
    },
    /// A query saved among the user's views, named by its text.
    SaveView {
        user: crate::domain::UserId,
        query: String,
    },
    /// What the user may put forward to a selection or score on it.
    SelectionForm {
        user: User,
        id: uuid::Uuid,
    },
    /// An application with the yes/no criteria confirmed.
    Enter {
        user: User,
        selection: uuid::Uuid,
        practice: uuid::Uuid,
        confirmed: Vec<String>,
    },
    /// An expert's marks of an application.
    Score {
        user: User,
        selection: uuid::Uuid,
        practice: uuid::Uuid,
        marks: Vec<u8>,
    },
    /// Sign-up on the central instance.
    Register {
        server: String,
        request: crate::sync::protocol::RegisterRequest,
    },
    /// The sign-up's code; then the workstation is linked as the user.
    Confirm {
        server: String,
        login: String,
        code: String,
        password: String,
    },
    /// Another sign-up code by mail.
    Resend {
        server: String,
        login: String,
    },
    /// A password reset code by mail.
    ResetCode {
        server: String,
        login: String,
    },
    /// The new password with the code.
    Reset {
        server: String,
        login: String,
        code: String,
        password: String,
    },
    EditRegion {
        user: User,
        page: crate::domain::regions::RegionPage,
    },
    /// The user's SSH keys (a session served over SSH).
    SshKeys {
        user: User,
    },
    /// A key added (`Some` line) or removed (`None`, by fingerprint).
    ChangeSshKey {
        user: User,
        line: Option<String>,
        fingerprint: String,
    },
}

#[derive(Debug, Clone)]
pub enum PeopleReply {
    Profile(Result<ProfileView, String>),
    /// The user as saved, and what to tell them; or the refusal.
    Me(Result<(Box<User>, String), String>),
    Users(Result<Vec<UserRow>, String>),
    /// What was done, or the refusal.
    Managed(Result<String, String>),
    Regions(Result<Vec<crate::service::regions::RegionRow>, String>),
    Region(Result<Box<crate::service::regions::RegionView>, String>),
    /// A page saved (what to say), or the refusal.
    RegionSaved(Result<String, String>),
    Selections(Result<Vec<crate::service::selections::SelectionRow>, String>),
    /// A selection's page as text.
    Selection(Result<String, String>),
    SelectionForm(Result<Box<crate::service::selections::forms::EntryOptions>, String>),
    /// An application or a score recorded (what to say), or the refusal.
    Entered(Result<String, String>),
    /// A query saved as a view (what to say), or why not.
    ViewSaved(Result<String, String>),
    /// The server's answer to a sign-up or a code request.
    Registered(Result<String, String>),
    /// What was done, and whether the store is now linked to the server.
    Confirmed(Result<(String, bool), String>),
    /// The user's SSH keys, and what was done; or why not.
    SshKeys(Result<(Vec<crate::domain::keys::SshKey>, Option<String>), String>),
}

/// A request to the central instance before signing in.
fn ask(server: &str, path: &str, body: &impl serde::Serialize) -> Result<String, String> {
    let base = crate::sync::client::api::base_url(server)?;
    let done: crate::sync::protocol::Done = crate::sync::client::api::post_json(&base, path, body)?;
    Ok(done.message)
}

fn linked(cx: &Ctx<'_>) -> &'static str {
    if cx.store.client_id().ok().flatten().is_some() {
        " Уйдёт на сервер при синхронизации."
    } else {
        ""
    }
}

pub fn handle(cx: &Ctx<'_>, r: PeopleRequest) -> PeopleReply {
    use crate::service::regions;
    use crate::sync::protocol::CodeRequest;
    match r {
        PeopleRequest::Register { server, request } => {
            PeopleReply::Registered(ask(&server, "/api/register", &request))
        }
        PeopleRequest::Resend { server, login } => PeopleReply::Registered(ask(
            &server,
            "/api/register/confirm",
            &CodeRequest {
                login,
                code: None,
                password: None,
            },
        )),
        PeopleRequest::ResetCode { server, login } => PeopleReply::Registered(ask(
            &server,
            "/api/password/reset",
            &CodeRequest {
                login,
                code: None,
                password: None,
            },
        )),
        PeopleRequest::Reset {
            server,
            login,
            code,
            password,
        } => PeopleReply::Confirmed(
            ask(
                &server,
                "/api/password/reset",
                &CodeRequest {
                    login,
                    code: Some(code),
                    password: Some(password),
                },
            )
            .map(|m| (m, false)),
        ),
        PeopleRequest::Confirm {
            server,
            login,
            code,
            password,
        } => PeopleReply::Confirmed((|| {
            ask(
                &server,
                "/api/register/confirm",
                &CodeRequest {
                    login: login.clone(),
                    code: Some(code),
                    password: None,
                },
            )?;
            let reply = crate::sync::client::link(cx.store, &server, &login, &password)?;
            Ok((
                format!(
                    "Адрес подтверждён; рабочее место подключено к серверу как {}. Войдите: l.",
                    reply.user.login
                ),
                true,
            ))
        })()),
        PeopleRequest::Regions => PeopleReply::Regions(regions::list(cx).map_err(|e| e.message())),
        PeopleRequest::Selections { user } => PeopleReply::Selections(
            crate::service::selections::rows(cx, user.as_ref()).map_err(|e| e.message()),
        ),
        PeopleRequest::Selection { user, id } => PeopleReply::Selection(
            crate::service::selections::page(cx, user.as_ref(), id).map_err(|e| e.message()),
        ),
        PeopleRequest::SaveView { user, query } => PeopleReply::ViewSaved((|| {
            let u = cx
                .store
                .user(user)
                .map_err(|e| e.to_string())?
                .ok_or("Пользователь не найден.")?;
            let name: String = query
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .chars()
                .take(crate::service::query::VIEW_NAME_MAX)
                .collect();
            // A longer query cut to the same name is another view.
            let same = cx.store.views(u.id).map_err(|e| e.to_string())?;
            if same.iter().any(|(n, q)| *n == name && *q != query.trim()) {
                return Err(format!(
                    "Вид «{name}» уже есть с другим запросом: дайте новому своё имя — smarteka view save ИМЯ «ЗАПРОС»."
                ));
            }
            crate::service::query::save_view(cx, &u, &name, &query).map_err(|e| match e {
                crate::service::query::QueryError::Parse(shown) => {
                    shown.lines().last().unwrap_or_default().to_owned()
                }
                crate::service::query::QueryError::Store(e) => e.message(),
            })?;
            Ok(format!("Вид «{}» — вкладка «Очередей» (o).", name.trim()))
        })()),
        PeopleRequest::SelectionForm { user, id } => PeopleReply::SelectionForm(
            crate::service::selections::forms::entry_options(cx, &user, id)
                .map(Box::new)
                .map_err(|e| e.message()),
        ),
        PeopleRequest::Enter {
            user,
            selection,
            practice,
            confirmed,
        } => PeopleReply::Entered(
            crate::service::selections::enter_with(
                cx,
                &user,
                selection,
                practice,
                &confirmed,
                |_| {},
            )
            .map(|_| format!("Заявка подана.{}", linked(cx)))
            .map_err(|e| e.message()),
        ),
        PeopleRequest::Score {
            user,
            selection,
            practice,
            marks,
        } => PeopleReply::Entered(
            crate::service::selections::score_with(cx, &user, selection, practice, &marks, |_| {})
                .map(|_| format!("Оценка записана.{}", linked(cx)))
                .map_err(|e| e.message()),
        ),
        PeopleRequest::Region { code } => PeopleReply::Region(
            regions::show(cx, &code)
                .map(Box::new)
                .map_err(|e| e.message()),
        ),
        PeopleRequest::EditRegion { user, page } => PeopleReply::RegionSaved(
            regions::edit(cx, &user, page)
                .map(|_| format!("Страница региона сохранена.{}", linked(cx)))
                .map_err(|e| e.message()),
        ),
        PeopleRequest::SshKeys { user } => PeopleReply::SshKeys(
            crate::service::keys::list(cx, Some(&user), &user.login)
                .map(|k| (k, None))
                .map_err(|e| e.message()),
        ),
        PeopleRequest::ChangeSshKey {
            user,
            line,
            fingerprint,
        } => {
            let done = match &line {
                Some(l) => crate::service::keys::add(cx, Some(&user), &user.login, l)
                    .map(|_| "Ключ добавлен: входите с ним по SSH.".to_owned()),
                None => crate::service::keys::remove(cx, Some(&user), &user.login, &fingerprint)
                    .map(|_| "Ключ удалён.".to_owned()),
            };
            PeopleReply::SshKeys(
                done.and_then(|said| {
                    crate::service::keys::list(cx, Some(&user), &user.login)
                        .map(|k| (k, Some(said)))
                })
                .map_err(|e| e.message()),
            )
        }
        PeopleRequest::Profile { user } => {
            let u = cx.store.user(user.id).ok().flatten().unwrap_or(user);
            PeopleReply::Profile(Ok(svc::profile_view(cx, &u)))
        }
        PeopleRequest::ChangeMe { user, change } => {
            let said = match &change {
                MeChange::Profile(_) => "Профиль сохранён.".to_owned(),
                MeChange::Consent { kind, give: true } => format!("Дано {}.", kind.name()),
                MeChange::Consent { kind, give: false } => format!("Отозвано {}.", kind.name()),
                MeChange::MailOptOut(true) => {
                    "По почте будут приходить только сроки и сообщения о безопасности.".to_owned()
                }
                MeChange::MailOptOut(false) => "Уведомления будут приходить и по почте.".to_owned(),
            };
            PeopleReply::Me(
                svc::change_me(cx, &user, &change)
                    .map(|u| (Box::new(u), format!("{said}{}", linked(cx))))
                    .map_err(|e| e.message()),
            )
        }
        PeopleRequest::Photo { user, path } => PeopleReply::Me(
            svc::set_photo(cx, &user, std::path::Path::new(&path))
                .map(|u| (Box::new(u), format!("Фотография загружена.{}", linked(cx))))
                .map_err(|e| e.message()),
        ),
        PeopleRequest::Users { user, filter } => {
            PeopleReply::Users(svc::users(cx, &user, &filter).map_err(|e| e.message()))
        }
        PeopleRequest::Manage {
            user,
            login,
            change,
        } => PeopleReply::Managed(
            svc::manage(cx, &user, &login, &change)
                .map(|u| {
                    let what = match change {
                        ManageChange::Role { add, role, .. } => {
                            let roles = u.role_names();
                            let done = if add { "дана" } else { "снята" };
                            let left = if roles.is_empty() {
                                "ролей больше нет".to_owned()
                            } else {
                                format!("теперь: {}", roles.join(", "))
                            };
                            format!("«{login}»: роль «{}» {done}; {left}.", role.name())
                        }
                        ManageChange::Disabled(true) => format!("«{login}» отключён."),
                        ManageChange::Disabled(false) => format!("«{login}» снова может входить."),
                        ManageChange::Contacts => format!(
                            "У «{login}» запрошено обновление контактов до {}.",
                            u.contacts_request
                                .map(|r| r.due.format("%d.%m.%Y").to_string())
                                .unwrap_or_default()
                        ),
                        ManageChange::PoolAdd(e) => format!(
                            "«{login}» в экспертном пуле категории «{}» на {} год.",
                            crate::domain::refdata::refdata().category_name(&e.category),
                            e.year
                        ),
                        ManageChange::PoolRemove { category } => format!(
                            "«{login}» исключён из пула категории «{}».",
                            crate::domain::refdata::refdata().category_name(&category)
                        ),
                    };
                    format!("{what}{}", linked(cx))
                })
                .map_err(|e| e.message()),
        ),
        PeopleRequest::Authoring { user, login, grant } => PeopleReply::Managed(
            crate::service::accounts::authoring(cx, &user, &login, grant)
                .map(|_| {
                    let what = if grant {
                        format!("«{login}» может заполнять паспорта практик.")
                    } else {
                        format!("«{login}» подтверждён; доступ предоставит модератор АСИ.")
                    };
                    format!("{what}{}", linked(cx))
                })
                .map_err(|e| e.message()),
        ),
    }
}
