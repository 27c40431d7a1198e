//! «Пользователи»: the users a coordinator confirms (their region's) and
//! the Модератор АСИ manages (all): search by name or login, those waiting
//! for access or with contacts overdue; on a user, the steps the actor's
//! role allows — confirm (§4.1.3), grant access, give or take a role,
//! disable or enable, ask for contacts (§4.1.12). Each step goes through
//! the one command path and, on a linked store, to the server.

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::form::{self, Field, Form};
use super::passport::wrap_into;
use super::popups::{below, window};
use super::{Effect, RenderCx, Screen, page};
use crate::domain::people::ManageChange;
use crate::domain::refdata::refdata;
use crate::domain::{Role, User};
use crate::service::people::{UserFilter, UserRow};
use crate::tui::action::Action;
use crate::tui::ui::truncate;
use crate::tui::worker::people::{PeopleReply, PeopleRequest};
use crate::tui::worker::{Reply, Request};

pub const COMMANDS: [Action; 9] = [
    Action::Open,
    Action::Search,
    Action::Facets,
    Action::Down,
    Action::Up,
    Action::PageDown,
    Action::PageUp,
    Action::Back,
    Action::Help,
];

pub const CHOOSE_COMMANDS: [Action; 6] = [
    Action::Submit,
    Action::Down,
    Action::Up,
    Action::NextField,
    Action::PrevField,
    Action::Back,
];

const ROLE: &str = "Роль";
const REGION: &str = "Регион (для автора, координатора, реципиента)";
const CATEGORY: &str = "Категория (для эксперта-модератора)";
const POOL: &str = "Категория пула";
const BASIS: &str = "Откуда эксперт (п. 4.4.3)";
const LEADERSHIP: &str = "Руководящая должность в ФОИВ, институте развития, экспертной организации";
const COMPETENCE: &str =
    "Профессиональные и экспертные компетенции: опыт, проекты, исследования, публикации";
const REGULATION: &str = "Знание федерального и регионального регулирования, отраслевой повестки";
const EVIDENCE: &str = "Чем подтверждаются условия (не меньше двух из трёх, п. 4.4.4)";
const YEAR: &str = "Год";

/// A step on a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Verify,
    GrantAuthor,
    Grant,
    Revoke,
    Disable,
    Enable,
    Contacts,
    PoolAdd,
    PoolRemove,
}

impl Step {
    fn name(self) -> &'static str {
        match self {
            Self::Verify => "Подтвердить пользователя региона (п. 4.1.3)",
            Self::GrantAuthor => "Предоставить доступ к заполнению паспортов",
            Self::Grant => "Дать роль…",
            Self::Revoke => "Снять роль…",
            Self::Disable => "Отключить учётную запись",
            Self::Enable => "Включить учётную запись",
            Self::Contacts => "Попросить обновить контакты за 14 рабочих дней (п. 4.1.12)",
            Self::PoolAdd => "Включить в экспертный пул или подтвердить на год…",
            Self::PoolRemove => "Исключить из экспертного пула…",
        }
    }
}

enum Mode {
    List,
    /// Typing the search.
    Typing,
    Choose {
        steps: Vec<Step>,
        at: usize,
    },
    Form {
        step: Step,
        form: Box<Form>,
    },
}

/// Which users the list shows besides the search.
const VIEWS: [&str; 3] = ["все", "ждут доступа к паспортам", "контакты просрочены"];

pub struct Users {
    user: User,
    rows: Option<Result<Vec<UserRow>, String>>,
    selected: usize,
    text: String,
    view: usize,
    mode: Mode,
    error: Option<String>,
    /// This year, for a pool membership.
    year: i32,
}

impl Users {
    pub fn open(user: User, year: i32) -> (Self, Effect) {
        let s = Self {
            year,
            user,
            rows: None,
            selected: 0,
            text: String::new(),
            view: 0,
            mode: Mode::List,
            error: None,
        };
        let eff = s.load();
        (s, eff)
    }

    fn load(&self) -> Effect {
        Effect::Send(Request::People(Box::new(PeopleRequest::Users {
            user: self.user.clone(),
            filter: UserFilter {
                text: self.text.clone(),
                pending: self.view == 1,
                overdue: self.view == 2,
                ..UserFilter::default()
            },
        })))
    }

    fn row(&self) -> Option<&UserRow> {
        match &self.rows {
            Some(Ok(r)) => r.get(self.selected),
            _ => None,
        }
    }

    fn len(&self) -> usize {
        match &self.rows {
            Some(Ok(r)) => r.len(),
            _ => 0,
        }
    }

    /// The steps the actor's roles offer on `row`; the service checks
    /// each again.
    fn steps(&self, row: &UserRow) -> Vec<Step> {
        let mut out = Vec::new();
        let coordinated = self.user.regions_for(Role::Coordinator);
        if row
            .region
            .as_deref()
            .is_some_and(|r| coordinated.contains(&r))
            && !row.awaiting_grant
        {
            out.push(Step::Verify);
        }
        if self.user.has_role(Role::AsiModerator) {
            if row.awaiting_grant {
                out.push(Step::GrantAuthor);
            }
            out.push(Step::Grant);
            if !row.roles.is_empty() {
                out.push(Step::Revoke);
            }
            out.push(if row.disabled {
                Step::Enable
            } else {
                Step::Disable
            });
            out.push(Step::Contacts);
        }
        if !self.pool_categories().is_empty() && !row.disabled {
            out.push(Step::PoolAdd);
        }
        if row.pools.iter().any(|c| self.pool_categories().contains(c)) {
            out.push(Step::PoolRemove);
        }
        out
    }

    /// The categories whose pools the actor forms (§4.4.2).
    fn pool_categories(&self) -> Vec<String> {
        refdata()
            .categories
            .iter()
            .filter(|c| crate::domain::pools::may_manage_pool(&self.user, &c.code).is_ok())
            .map(|c| c.code.clone())
            .collect()
    }

    fn pool_form(&self, step: Step, row: &UserRow, year: i32) -> Form {
        let rd = refdata();
        let mine = self.pool_categories();
        let categories: Vec<(String, String)> = rd
            .categories
            .iter()
            .filter(|c| mine.contains(&c.code))
            .filter(|c| step == Step::PoolAdd || row.pools.contains(&c.code))
            .map(|c| (c.code.clone(), c.name.clone()))
            .collect();
        if step == Step::PoolRemove {
            return Form::new(vec![Field::choice(POOL, categories, "—")]);
        }
        let bases = crate::domain::pools::Affiliation::ALL
            .into_iter()
            .map(|a| (a.code().to_owned(), a.name().to_owned()))
            .collect();
        Form::new(vec![
            Field::choice(POOL, categories, "—"),
            Field::choice(BASIS, bases, "—"),
            Field::check(LEADERSHIP),
            Field::check(COMPETENCE),
            Field::check(REGULATION),
            Field::text(EVIDENCE),
            Field::line(YEAR).filled(&year.to_string()),
        ])
    }

    fn form_of(step: Step, row: &UserRow) -> Form {
        let rd = refdata();
        let grantable = Role::ALL
            .into_iter()
            // An expert joins a category's pool with its basis instead.
            .filter(|r| !matches!(r, Role::Team | Role::Mentor | Role::Expert))
            .map(|r| (r.code().to_owned(), r.name().to_owned()))
            .collect();
        if step == Step::Revoke {
            let held = row
                .roles
                .iter()
                .filter_map(|n| Role::find(n))
                .filter(|r| *r != Role::Expert)
                .map(|r| (r.code().to_owned(), r.name().to_owned()))
                .collect();
            return Form::new(vec![Field::choice(ROLE, held, "ролей нет")]);
        }
        let mut regions = vec![(String::new(), "не нужен".to_owned())];
        regions.extend(rd.regions.iter().map(|r| (r.code.clone(), r.name.clone())));
        let mut categories = vec![(String::new(), "не нужна".to_owned())];
        categories.extend(
            rd.categories
                .iter()
                .map(|c| (c.code.clone(), c.name.clone())),
        );
        Form::new(vec![
            Field::choice(ROLE, grantable, "—"),
            Field::choice(REGION, regions, "не нужен")
                .chosen(row.region.as_deref().unwrap_or_default()),
            Field::choice(CATEGORY, categories, "не нужна"),
        ])
    }

    fn run(&mut self, step: Step, form: Option<&Form>) -> Vec<Effect> {
        let Some(row) = self.row() else {
            return Vec::new();
        };
        let login = row.login.clone();
        let user = self.user.clone();
        let manage = |change| PeopleRequest::Manage {
            user: user.clone(),
            login: login.clone(),
            change,
        };
        let req = match step {
            Step::Verify | Step::GrantAuthor => PeopleRequest::Authoring {
                user: user.clone(),
                login: login.clone(),
                grant: step == Step::GrantAuthor,
            },
            Step::Disable => manage(ManageChange::Disabled(true)),
            Step::Enable => manage(ManageChange::Disabled(false)),
            Step::Contacts => manage(ManageChange::Contacts),
            Step::PoolAdd | Step::PoolRemove => {
                let Some(form) = form else {
                    return Vec::new();
                };
                let category = form.value(POOL);
                if step == Step::PoolRemove {
                    manage(ManageChange::PoolRemove { category })
                } else {
                    let Ok(year) = form.value(YEAR).parse::<i32>() else {
                        self.error = Some("Год — четыре цифры.".to_owned());
                        return Vec::new();
                    };
                    let conditions = [
                        (LEADERSHIP, crate::domain::pools::Condition::Leadership),
                        (COMPETENCE, crate::domain::pools::Condition::Competence),
                        (REGULATION, crate::domain::pools::Condition::Regulation),
                    ]
                    .into_iter()
                    .filter(|(label, _)| {
                        form.fields.iter().any(|f| f.label == *label && f.checked())
                    })
                    .map(|(_, c)| c)
                    .collect();
                    let affiliation = crate::domain::pools::Affiliation::find(&form.value(BASIS))
                        .unwrap_or(crate::domain::pools::Affiliation::ExpertOrganisation);
                    manage(ManageChange::PoolAdd(Box::new(
                        crate::domain::pools::PoolEntry {
                            category,
                            year,
                            affiliation,
                            conditions,
                            evidence: form.value(EVIDENCE),
                            // Who and when are the service's to set.
                            by: user.id,
                            at: chrono::DateTime::<chrono::Utc>::MIN_UTC,
                        },
                    )))
                }
            }
            Step::Grant | Step::Revoke => {
                let Some(form) = form else {
                    return Vec::new();
                };
                let Some(role) = Role::find(&form.value(ROLE)) else {
                    self.error = Some("Выберите роль.".to_owned());
                    return Vec::new();
                };
                let region = Some(form.value(REGION)).filter(|r| !r.is_empty());
                let category = form.value(CATEGORY);
                manage(ManageChange::Role {
                    add: step == Step::Grant,
                    role,
                    region: if step == Step::Grant { region } else { None },
                    categories: if category.is_empty() {
                        Vec::new()
                    } else {
                        vec![category]
                    },
                })
            }
        };
        vec![Effect::Send(Request::People(Box::new(req)))]
    }
}

impl Screen for Users {
    fn ready(&self) -> bool {
        self.rows.is_some()
    }

    fn title(&self) -> String {
        "Пользователи".to_owned()
    }

    fn commands(&self) -> Vec<Action> {
        match self.mode {
            Mode::List => COMMANDS.to_vec(),
            Mode::Typing => form::TYPING_COMMANDS.to_vec(),
            Mode::Choose { .. } => vec![Action::Submit, Action::Down, Action::Up, Action::Back],
            Mode::Form { .. } => form::FORM_COMMANDS.to_vec(),
        }
    }

    fn describe(&self, action: Action) -> Option<&'static str> {
        match (&self.mode, action) {
            (Mode::List, Action::Open) => Some("Действия с пользователем"),
            (Mode::List, Action::Search) => Some("Искать по ФИО или логину"),
            (Mode::List, Action::Facets) => {
                Some("Показать: всех, ждущих доступа, с просроченными контактами")
            }
            (Mode::Typing, Action::Submit) => Some("Оставить поиск"),
            (Mode::Choose { .. }, Action::Submit) => Some("Выполнить выбранное"),
            (Mode::Form { .. }, Action::Submit) => Some("Выполнить"),
            _ => None,
        }
    }

    fn own_keys(&self) -> Vec<(&'static str, &'static str)> {
        match &self.mode {
            Mode::Form { form, .. } => form.keys(),
            _ => Vec::new(),
        }
    }

    fn text_input(&self) -> bool {
        matches!(self.mode, Mode::Typing | Mode::Form { .. })
    }

    fn input(&mut self, key: KeyEvent) -> Vec<Effect> {
        self.error = None;
        match &mut self.mode {
            Mode::Typing => {
                if !form::type_into(&mut self.text, key) {
                    return Vec::new();
                }
                self.selected = 0;
                vec![self.load()]
            }
            Mode::Form { form, .. } => {
                form.input(key);
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    fn handle(&mut self, action: Action) -> Vec<Effect> {
        let len = self.len();
        match (&mut self.mode, action) {
            (Mode::List, Action::Back) => return vec![Effect::Close],
            (Mode::List, a @ (Action::Down | Action::Up | Action::PageDown | Action::PageUp)) => {
                super::move_in_list(&mut self.selected, len, a);
            }
            (Mode::List, Action::Search) => self.mode = Mode::Typing,
            (Mode::List, Action::Facets) => {
                self.view = (self.view + 1) % VIEWS.len();
                self.selected = 0;
                return vec![self.load()];
            }
            (Mode::List, Action::Open) => {
                if let Some(row) = self.row() {
                    let steps = self.steps(row);
                    if steps.is_empty() {
                        self.error =
                            Some("С этим пользователем вашей роли делать нечего.".to_owned());
                    } else {
                        self.mode = Mode::Choose { steps, at: 0 };
                    }
                }
            }
            (Mode::Typing, Action::Submit) | (Mode::Choose { .. }, Action::Back) => {
                self.mode = Mode::List;
            }
            (Mode::Typing, Action::Back) => {
                self.mode = Mode::List;
                self.text.clear();
                return vec![self.load()];
            }
            (Mode::Choose { steps, at }, Action::Down) => *at = (*at + 1).min(steps.len() - 1),
            (Mode::Choose { at, .. }, Action::Up) => *at = at.saturating_sub(1),
            (Mode::Choose { steps, at }, Action::Submit) => {
                let step = steps[*at];
                if matches!(
                    step,
                    Step::Grant | Step::Revoke | Step::PoolAdd | Step::PoolRemove
                ) {
                    if let Some(row) = self.row() {
                        let form = Box::new(if matches!(step, Step::PoolAdd | Step::PoolRemove) {
                            self.pool_form(step, row, self.year)
                        } else {
                            Self::form_of(step, row)
                        });
                        self.mode = Mode::Form { step, form };
                    }
                } else {
                    self.mode = Mode::List;
                    return self.run(step, None);
                }
            }
            (Mode::Form { form, .. }, Action::NextField) => form.next(),
            (Mode::Form { form, .. }, Action::PrevField) => form.prev(),
            (Mode::Form { form, .. }, Action::Back) => {
                if form.may_leave() {
                    self.mode = Mode::List;
                } else {
                    self.error = Some(form::LEAVE_ASK.to_owned());
                }
            }
            (Mode::Form { step, .. }, Action::Submit) => {
                let step = *step;
                let Mode::Form { form, .. } = std::mem::replace(&mut self.mode, Mode::List) else {
                    return Vec::new();
                };
                let out = self.run(step, Some(&form));
                // Open until the answer: a refusal is shown in it.
                self.mode = Mode::Form { step, form };
                return out;
            }
            _ => {}
        }
        Vec::new()
    }

    fn on_reply(&mut self, reply: &Reply) -> Vec<Effect> {
        let Reply::People(r) = reply else {
            return Vec::new();
        };
        match r.as_ref() {
            PeopleReply::Users(rows) => {
                self.rows = Some(rows.clone());
                self.selected = self.selected.min(self.len().saturating_sub(1));
            }
            PeopleReply::Managed(Ok(said)) => {
                self.mode = Mode::List;
                self.error = None;
                return vec![Effect::Message(said.clone()), self.load()];
            }
            PeopleReply::Managed(Err(e)) => {
                self.error = Some(e.clone());
                if matches!(self.mode, Mode::Choose { .. }) {
                    self.mode = Mode::List;
                }
                return vec![Effect::Log(e.clone())];
            }
            _ => {}
        }
        Vec::new()
    }

    fn render(&self, f: &mut Frame, area: Rect, cx: &RenderCx<'_>) {
        let t = cx.theme;
        let search = if matches!(self.mode, Mode::Typing) {
            format!(" · поиск: {}▏", self.text)
        } else if self.text.is_empty() {
            String::new()
        } else {
            format!(" · поиск: {}", self.text)
        };
        let inner = page(
            f,
            area,
            t,
            vec![
                Span::styled(" Пользователи", t.title),
                Span::styled(format!(" · {}{search}", VIEWS[self.view]), t.muted),
            ],
        );
        let Some(rows) = super::loaded(f, inner, t, &self.rows) else {
            return;
        };
        let w = inner.width as usize;
        let mut lines: Vec<Line> = Vec::new();
        if let (Some(e), Mode::List | Mode::Typing) = (&self.error, &self.mode) {
            wrap_into(&mut lines, e, w, t.error, " ");
        }
        if rows.is_empty() {
            lines.push(Line::from(Span::styled(" Никого не найдено.", t.muted)));
        }
        // Two lines a user: who, then roles and what waits.
        let room = (inner.height as usize).saturating_sub(lines.len()) / 2;
        let first = self.selected.saturating_sub(room.saturating_sub(1));
        for (i, r) in rows.iter().enumerate().skip(first).take(room.max(1)) {
            let style = if i == self.selected {
                t.selected
            } else {
                t.text
            };
            let region = r
                .region
                .as_deref()
                .map_or("—", |c| refdata().region_name(c));
            let name = if r.name.is_empty() { "—" } else { &r.name };
            lines.push(Line::from(Span::styled(
                truncate(&format!(" {name} ({}) · {region}", r.login), w),
                style,
            )));
            let mut marks = vec![if r.roles.is_empty() {
                "без ролей".to_owned()
            } else {
                r.roles.join(", ")
            }];
            if r.disabled {
                marks.push("отключён".to_owned());
            }
            if !r.email_confirmed {
                marks.push("почта не подтверждена".to_owned());
            }
            if r.awaiting_grant {
                marks.push("ждёт доступа".to_owned());
            }
            if !r.missing.is_empty() {
                marks.push(format!("профиль: не хватает {}", r.missing.len()));
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
            let mark_style = if r.contacts_overdue || r.awaiting_grant {
                t.warning
            } else {
                t.muted
            };
            lines.push(Line::from(Span::styled(
                truncate(&format!("   {}", marks.join(" · ")), w),
                mark_style,
            )));
        }
        f.render_widget(Paragraph::new(lines), inner);
        let who = self.row().map(|r| r.login.clone()).unwrap_or_default();
        match &self.mode {
            Mode::List | Mode::Typing => {}
            Mode::Choose { steps, at } => {
                let mut top: Vec<Line> = Vec::new();
                for (i, s) in steps.iter().enumerate() {
                    let style = if i == *at { t.selected } else { t.text };
                    top.push(Line::from(Span::styled(format!(" {}", s.name()), style)));
                }
                let n = u16::try_from(top.len()).unwrap_or(6);
                let inner = window(
                    f,
                    area,
                    (68, n + 2),
                    t,
                    &format!("Пользователь {who}"),
                    "↑/↓ — выбрать · Enter — выполнить · Esc — отмена",
                );
                f.render_widget(Paragraph::new(top), inner);
            }
            Mode::Form { step, form } => {
                let mut top = Vec::new();
                if let Some(e) = &self.error {
                    wrap_into(&mut top, e, 70, t.error, " ");
                }
                let n = u16::try_from(top.len()).unwrap_or(4);
                let h = (n + form.height(70) + 2).min(area.height);
                let inner = window(
                    f,
                    area,
                    (74, h),
                    t,
                    &format!("{} · {who}", step.name().trim_end_matches('…')),
                    "Tab — поле · ←/→ — вариант · Enter — выполнить · Esc — отмена",
                );
                f.render_widget(Paragraph::new(top), inner);
                form.render(f, below(inner, n), cx);
            }
        }
    }
}
