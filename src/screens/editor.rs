//! The passport editor: every field the author fills (P-1…P-21, P-23,
//! P-24), with live counters and the rules' messages beside each field.
//! Drafts save themselves half a second after the last keystroke; every
//! save is a revision.
//!
//! Lists are edited one item per line: tasks, plan steps, other regions,
//! rating indicators, team members (`login` or e-mail, `*` marks the
//! mentor); rows of results and partners separate their columns with `;`.

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, List, ListItem, ListState, Paragraph};
use ratatui_textarea::TextArea;

use super::{Effect, RenderCx, Screen};
use crate::domain::passport::{
    CRITERIA, CategoryChoice, Field, ImplementationWay, Partner, ResultRow, Route,
};
use crate::domain::refdata::refdata;
use crate::domain::rules::{self, Finding, Severity, TITLE_MAX_CHARS};
use crate::domain::user::{Profile, UserId};
use crate::domain::{Passport, PracticeId, User};
use crate::tui::action::Action;
use crate::tui::ui::truncate;
use crate::tui::worker::{Draft, Reply, Request};

/// Every action the editor may offer, for the clash check.
pub const COMMAND_SET: [Action; 14] = [
    Action::Attach,
    Action::FindUser,
    Action::NextField,
    Action::PrevField,
    Action::Save,
    Action::SubmitPractice,
    Action::Back,
    Action::Help,
    Action::Toggle,
    Action::Open,
    Action::Up,
    Action::Down,
    Action::Redraw,
    Action::Login,
];

/// How long after the last keystroke a draft is saved.
pub const AUTOSAVE_AFTER: Duration = Duration::from_millis(500);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Title,
    Goal,
    Tasks,
    Essence,
    AudienceMain,
    AudienceSecondary,
    ResultsMain,
    ResultsAdditional,
    Measures,
    Category,
    OrgKind,
    OrgName,
    Attachments,
    OtherRegions,
    Cost,
    Way,
    WayOther,
    PlanSteps,
    PlanMeasures,
    Partners,
    Launch,
    Specifics,
    Support,
    Team,
    Indicators,
    Year,
    Route,
    LeaderProject,
    Criterion(usize),
}

#[allow(clippy::large_enum_variant)] // a handful of items, kept inline
enum Kind {
    /// Text; `lines` allows more than one line.
    Text {
        area: TextArea<'static>,
        lines: bool,
    },
    /// One of `options` (code, name); `None` is not chosen.
    Choice {
        options: Vec<(String, String)>,
        selected: Option<usize>,
    },
    Check(bool),
    /// Read-only text.
    Info(String),
}

struct Item {
    key: Key,
    field: Field,
    label: String,
    kind: Kind,
}

fn area(text: &str) -> TextArea<'static> {
    let lines: Vec<String> = if text.is_empty() {
        vec![String::new()]
    } else {
        text.split('\n').map(str::to_owned).collect()
    };
    let mut a = TextArea::new(lines);
    a.set_max_histories(200);
    a.set_cursor_line_style(Style::default());
    a
}

fn text_of(a: &TextArea<'_>) -> String {
    a.lines().join("\n")
}

fn lines_of(a: &TextArea<'_>) -> Vec<String> {
    a.lines()
        .iter()
        .map(|l| l.trim().to_owned())
        .filter(|l| !l.is_empty())
        .collect()
}

fn choice(options: Vec<(String, String)>, current: Option<&str>) -> Kind {
    let selected = current.and_then(|c| options.iter().position(|(code, _)| code == c));
    Kind::Choice { options, selected }
}

pub struct Editor {
    pub id: PracticeId,
    user: User,
    items: Vec<Item>,
    pub focus: usize,
    top: std::cell::Cell<usize>,
    /// The passport as last saved, for the fields the form does not edit.
    base: Passport,
    profiles: Vec<(UserId, Profile)>,
    pub findings: Vec<Finding>,
    /// When the first unsaved change was made.
    pub dirty_since: Option<Instant>,
    last_key: Option<Instant>,
    saving: bool,
    pub saved: Option<(u32, String)>,
    pub problems: Vec<String>,
    /// An open pick list: (item, cursor).
    picker: Option<(usize, usize)>,
    /// The reasons of a refused submission, shown in a window.
    pub refusal: Option<Vec<String>>,
    /// The attach window: a path (or link) with Tab completion, then a kind.
    pub attach: Option<AttachPrompt>,
    /// The team search window.
    pub find: Option<FindUser>,
    year: i32,
}

impl Editor {
    pub fn new(draft: &Draft, user: User, year: i32) -> Self {
        let p = &draft.practice.passport;
        let d = refdata();
        let mut items = Vec::new();
        let mut add = |key, field, label: &str, kind| {
            items.push(Item {
                key,
                field,
                label: label.to_owned(),
                kind,
            });
        };
        let text = |s: &str, lines| Kind::Text {
            area: area(s),
            lines,
        };
        add(Key::Title, Field::P1, "Название", text(&p.title, false));
        add(Key::Goal, Field::P2, "Цель", text(&p.goal, true));
        add(
            Key::Tasks,
            Field::P3,
            "Задачи (по одной в строке)",
            text(&p.tasks.join("\n"), true),
        );
        add(
            Key::Essence,
            Field::P4,
            "Суть практики",
            text(&p.essence, true),
        );
        add(
            Key::AudienceMain,
            Field::P5,
            "Главная целевая аудитория",
            text(&p.audience.main, true),
        );
        add(
            Key::AudienceSecondary,
            Field::P5,
            "Второстепенные аудитории",
            text(&p.audience.secondary, true),
        );
        add(
            Key::ResultsMain,
            Field::P6,
            "Главные результаты",
            text(&p.results.main, true),
        );
        add(
            Key::ResultsAdditional,
            Field::P6,
            "Дополнительные результаты",
            text(&p.results.additional, true),
        );
        let measures: Vec<String> = p
            .results
            .measures
            .iter()
            .map(|m| {
                format!(
                    "{}; {}; {}; {}; {}",
                    m.indicator,
                    m.unit,
                    m.before,
                    m.after,
                    m.year.map(|y| y.to_string()).unwrap_or_default()
                )
            })
            .collect();
        add(
            Key::Measures,
            Field::P6,
            "Измеримые результаты: показатель; единица; до; после; год",
            text(&measures.join("\n"), true),
        );
        let mut cats: Vec<(String, String)> = d
            .categories
            .iter()
            .map(|c| (c.code.clone(), c.name.clone()))
            .collect();
        cats.push(("dont-know".into(), "Я не знаю, что выбрать".into()));
        let cat = match &p.category {
            Some(CategoryChoice::Known(c)) => Some(c.as_str()),
            Some(CategoryChoice::DontKnow) => Some("dont-know"),
            None => None,
        };
        add(Key::Category, Field::P7, "Категория", choice(cats, cat));
        let orgs = d
            .organisation_types
            .iter()
            .map(|o| (o.code.clone(), o.name.clone()))
            .collect();
        add(
            Key::OrgKind,
            Field::P8,
            "Тип организации",
            choice(orgs, p.organisation.kind.as_deref()),
        );
        add(
            Key::OrgName,
            Field::P8,
            "Название организации",
            text(&p.organisation.name, false),
        );
        add(
            Key::Attachments,
            Field::P9,
            "Материалы, обложка, согласия",
            Kind::Info(attachments_text(p)),
        );
        let others: Vec<String> = p
            .regions
            .others
            .iter()
            .map(|r| d.region_name(r).to_owned())
            .collect();
        add(
            Key::OtherRegions,
            Field::P11,
            &format!(
                "Регион-автор: {}. Где ещё внедрена (по одному региону в строке)",
                p.regions
                    .author
                    .as_deref()
                    .map_or("—", |r| d.region_name(r))
            ),
            text(&others.join("\n"), true),
        );
        let costs = d
            .cost_ranges
            .iter()
            .map(|c| (c.code.clone(), c.name.clone()))
            .collect();
        add(
            Key::Cost,
            Field::P12,
            "Стоимость реализации",
            choice(costs, p.cost.as_deref()),
        );
        let mut ways: Vec<(String, String)> = d
            .implementation_ways
            .iter()
            .map(|c| (c.code.clone(), c.name.clone()))
            .collect();
        ways.push(("other".into(), "Другое".into()));
        let (way, other) = match &p.implementation_way {
            Some(ImplementationWay::Known(c)) => (Some(c.as_str()), String::new()),
            Some(ImplementationWay::Other(t)) => (Some("other"), t.clone()),
            None => (None, String::new()),
        };
        add(Key::Way, Field::P13, "Способ внедрения", choice(ways, way));
        add(
            Key::WayOther,
            Field::P13,
            "Если «Другое» — опишите",
            text(&other, false),
        );
        add(
            Key::PlanSteps,
            Field::P14,
            "Шаги плана реализации (по одному в строке)",
            text(&p.plan.steps.join("\n"), true),
        );
        add(
            Key::PlanMeasures,
            Field::P14,
            "Принятые меры, НПА, мероприятия",
            text(&p.plan.measures, true),
        );
        let partners: Vec<String> = p
            .partners
            .iter()
            .map(|x| format!("{}; {}; {}", x.name, x.terms, x.responsibility))
            .collect();
        add(
            Key::Partners,
            Field::P15,
            "Сторонние организации: название; условия; ответственность",
            text(&partners.join("\n"), true),
        );
        add(
            Key::Launch,
            Field::P16,
            "Срок запуска, месяцев",
            text(
                &p.launch_months.map(|m| m.to_string()).unwrap_or_default(),
                false,
            ),
        );
        add(
            Key::Specifics,
            Field::P17,
            "Особенности внедрения",
            text(&p.specifics, true),
        );
        add(
            Key::Support,
            Field::P18,
            "Поддержка, кроме консультаций",
            text(&p.support, true),
        );
        add(
            Key::Team,
            Field::P19,
            "Команда: логин или e-mail в строке, * — наставник",
            text(&draft.team.join("\n"), true),
        );
        add(
            Key::Indicators,
            Field::P20,
            "Показатели рейтингов (коды, по одному в строке)",
            text(&p.rating_indicators.join("\n"), true),
        );
        add(
            Key::Year,
            Field::P23,
            "Год реализации",
            text(&p.year.map(|y| y.to_string()).unwrap_or_default(), false),
        );
        let routes = Route::ALL
            .iter()
            .map(|r| (r.code().to_owned(), r.name().to_owned()))
            .collect();
        add(
            Key::Route,
            Field::P24,
            "Основание подачи",
            choice(routes, p.route.map(Route::code)),
        );
        add(
            Key::LeaderProject,
            Field::P9,
            "Практика лидерского проекта Агентства",
            Kind::Check(p.leader_project),
        );
        for (i, c) in CRITERIA.iter().enumerate() {
            add(
                Key::Criterion(i),
                Field::P24,
                &format!("Критерий п. 2.1.5: {c}"),
                Kind::Check(p.criteria_confirmed[i]),
            );
        }
        let mut e = Self {
            id: draft.practice.id,
            user,
            items,
            focus: 0,
            top: std::cell::Cell::new(0),
            base: p.clone(),
            profiles: draft.profiles.clone(),
            findings: Vec::new(),
            dirty_since: None,
            last_key: None,
            saving: false,
            saved: Some((draft.practice.revision, String::new())),
            problems: Vec::new(),
            picker: None,
            refusal: None,
            attach: None,
            find: None,
            year,
        };
        e.revalidate();
        e
    }

    fn item(&self, key: Key) -> Option<&Item> {
        self.items.iter().find(|i| i.key == key)
    }

    fn text(&self, key: Key) -> String {
        match self.item(key).map(|i| &i.kind) {
            Some(Kind::Text { area, .. }) => text_of(area),
            _ => String::new(),
        }
    }

    fn lines(&self, key: Key) -> Vec<String> {
        match self.item(key).map(|i| &i.kind) {
            Some(Kind::Text { area, .. }) => lines_of(area),
            _ => Vec::new(),
        }
    }

    fn chosen(&self, key: Key) -> Option<String> {
        match self.item(key).map(|i| &i.kind) {
            Some(Kind::Choice { options, selected }) => selected.map(|s| options[s].0.clone()),
            _ => None,
        }
    }

    fn checked(&self, key: Key) -> bool {
        matches!(self.item(key).map(|i| &i.kind), Some(Kind::Check(true)))
    }

    /// The passport the form shows now, and what could not be read.
    pub fn passport(&self) -> (Passport, Vec<(Key, String)>) {
        let d = refdata();
        let mut errs = Vec::new();
        // Everything the form edits is rebuilt; the rest comes from the
        // last save (cloned field by field: the texts can be large).
        let b = &self.base;
        let mut p = Passport {
            materials: b.materials.clone(),
            cover: b.cover.clone(),
            consents: b.consents.clone(),
            team: b.team.clone(),
            level: b.level,
            regions: crate::domain::passport::Regions {
                author: b.regions.author.clone(),
                others: Vec::new(),
            },
            ..Passport::default()
        };
        self.text(Key::Title).trim().clone_into(&mut p.title);
        p.goal = self.text(Key::Goal);
        p.tasks = self.lines(Key::Tasks);
        p.essence = self.text(Key::Essence);
        p.audience.main = self.text(Key::AudienceMain);
        p.audience.secondary = self.text(Key::AudienceSecondary);
        p.results.main = self.text(Key::ResultsMain);
        p.results.additional = self.text(Key::ResultsAdditional);
        p.results.measures = self
            .lines(Key::Measures)
            .iter()
            .map(|l| {
                let c: Vec<&str> = l.split(';').map(str::trim).collect();
                let year = c.get(4).and_then(|y| y.parse().ok());
                if c.get(4).is_some_and(|y| !y.is_empty()) && year.is_none() {
                    errs.push((Key::Measures, format!("«{}» — не год", c[4])));
                }
                ResultRow {
                    indicator: c.first().copied().unwrap_or("").to_owned(),
                    unit: c.get(1).copied().unwrap_or("").to_owned(),
                    before: c.get(2).copied().unwrap_or("").to_owned(),
                    after: c.get(3).copied().unwrap_or("").to_owned(),
                    year,
                }
            })
            .collect();
        p.category = self.chosen(Key::Category).map(|c| {
            if c == "dont-know" {
                CategoryChoice::DontKnow
            } else {
                CategoryChoice::Known(c)
            }
        });
        p.organisation.kind = self.chosen(Key::OrgKind);
        self.text(Key::OrgName)
            .trim()
            .clone_into(&mut p.organisation.name);
        let mut others = Vec::new();
        for r in self.lines(Key::OtherRegions) {
            match d.find_region(&r) {
                Some(reg) => others.push(reg.code.clone()),
                None => errs.push((Key::OtherRegions, format!("регион «{r}» не найден"))),
            }
        }
        p.regions.others = others;
        p.cost = self.chosen(Key::Cost);
        p.implementation_way = self.chosen(Key::Way).map(|w| {
            if w == "other" {
                ImplementationWay::Other(self.text(Key::WayOther).trim().to_owned())
            } else {
                ImplementationWay::Known(w)
            }
        });
        p.plan.steps = self.lines(Key::PlanSteps);
        p.plan.measures = self.text(Key::PlanMeasures);
        p.partners = self
            .lines(Key::Partners)
            .iter()
            .map(|l| {
                let c: Vec<&str> = l.split(';').map(str::trim).collect();
                Partner {
                    name: c.first().copied().unwrap_or("").to_owned(),
                    terms: c.get(1).copied().unwrap_or("").to_owned(),
                    responsibility: c.get(2).copied().unwrap_or("").to_owned(),
                }
            })
            .collect();
        let launch = self.text(Key::Launch);
        p.launch_months = match launch.trim() {
            "" => None,
            t => t.parse().ok().or_else(|| {
                errs.push((Key::Launch, format!("«{t}» — не целое число месяцев")));
                self.base.launch_months
            }),
        };
        p.specifics = self.text(Key::Specifics);
        p.support = self.text(Key::Support);
        p.rating_indicators = self.lines(Key::Indicators);
        let year = self.text(Key::Year);
        p.year = match year.trim() {
            "" => None,
            t => t.parse().ok().or_else(|| {
                errs.push((Key::Year, format!("«{t}» — не год")));
                self.base.year
            }),
        };
        p.route = self.chosen(Key::Route).and_then(|r| Route::from_code(&r));
        p.leader_project = self.checked(Key::LeaderProject);
        for i in 0..CRITERIA.len() {
            p.criteria_confirmed[i] = self.checked(Key::Criterion(i));
        }
        (p, errs)
    }

    /// The rule findings of some fields for the passport the form shows,
    /// with what the form could not read. The team is checked as last saved:
    /// its lines become members when the draft is saved.
    fn findings_for(&self, fields: &[Field]) -> Vec<Finding> {
        let (p, errs) = self.passport();
        let profiles = &self.profiles;
        let lookup = |id: UserId| {
            profiles
                .iter()
                .find(|(u, _)| *u == id)
                .map(|(_, p)| p.clone())
        };
        let cx = rules::Context {
            refdata: refdata(),
            year: self.year,
            level_required: false,
            profile: &lookup,
        };
        let mut out: Vec<Finding> = fields
            .iter()
            .flat_map(|f| rules::check_field(*f, &p, &cx))
            .collect();
        for (key, msg) in errs {
            let field = self.item(key).map_or(Field::P1, |i| i.field);
            if fields.contains(&field) {
                out.push(Finding {
                    field,
                    severity: Severity::Error,
                    message: msg,
                });
            }
        }
        out
    }

    fn revalidate(&mut self) {
        let mut f = self.findings_for(&Field::ALL);
        f.sort_by_key(|x| x.field);
        self.findings = f;
    }

    /// A text of `field` changed: only the rules that read it run again
    /// (P-4 also reads the title), so typing in a long text stays light.
    fn touched(&mut self, field: Field) {
        let now = Instant::now();
        self.dirty_since.get_or_insert(now);
        self.last_key = Some(now);
        let mut fields = vec![field];
        if field == Field::P1 {
            fields.push(Field::P4);
        }
        let fresh = self.findings_for(&fields);
        self.findings.retain(|x| !fields.contains(&x.field));
        self.findings.extend(fresh);
        self.findings.sort_by_key(|x| x.field);
    }

    fn changed(&mut self) {
        let now = Instant::now();
        self.dirty_since.get_or_insert(now);
        self.last_key = Some(now);
        self.revalidate();
    }

    /// When the pending draft should be saved.
    pub fn deadline(&self) -> Option<Instant> {
        if self.saving {
            return None;
        }
        self.last_key
            .filter(|_| self.dirty_since.is_some())
            .map(|t| t + AUTOSAVE_AFTER)
    }

    /// Saves now if anything changed.
    pub fn save(&mut self) -> Vec<Effect> {
        if self.dirty_since.is_none() || self.saving {
            return Vec::new();
        }
        self.saving = true;
        self.dirty_since = None;
        let (passport, _) = self.passport();
        vec![Effect::Send(Request::SaveDraft {
            user: Box::new(self.user.clone()),
            id: self.id,
            passport: Box::new(passport),
            team: self.lines(Key::Team),
        })]
    }

    /// Entering a text field puts the cursor after its text, so typing
    /// adds to it.
    fn cursor_to_end(&mut self) {
        if let Kind::Text { area, .. } = &mut self.items[self.focus].kind {
            area.move_cursor(ratatui_textarea::CursorMove::Bottom);
            area.move_cursor(ratatui_textarea::CursorMove::End);
        }
    }

    fn focused_is_text(&self) -> bool {
        matches!(self.items[self.focus].kind, Kind::Text { .. })
    }

    fn messages_for(&self, idx: usize) -> Vec<&Finding> {
        let item = &self.items[idx];
        // Messages show under the first item of their field.
        let first = self.items.iter().position(|i| i.field == item.field);
        if first != Some(idx) {
            return Vec::new();
        }
        self.findings
            .iter()
            .filter(|f| f.field == item.field)
            .collect()
    }

    pub fn error_count(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count()
    }
}

fn attachments_text(p: &Passport) -> String {
    let mut s = format!(
        "Материалов: {}; обложка: {}; согласий: {}.",
        p.materials.len(),
        p.cover.as_ref().map_or_else(
            || "нет".to_owned(),
            |c| format!("{} ({}×{})", c.name, c.width, c.height)
        ),
        p.consents.len()
    );
    s.push_str(" Файлы прикладываются командой: smarteka practice attach.");
    s
}

impl Screen for Editor {
    fn title(&self) -> String {
        "Редактор паспорта".to_owned()
    }

    fn commands(&self) -> Vec<Action> {
        if self.find.is_some() {
            return vec![Action::Up, Action::Down, Action::Submit, Action::Back];
        }
        if let Some(a) = &self.attach {
            return if a.kind_cursor.is_some() {
                vec![Action::Up, Action::Down, Action::Submit, Action::Back]
            } else {
                vec![Action::Submit, Action::NextField, Action::Back]
            };
        }
        if self.refusal.is_some() {
            return vec![Action::Back, Action::Submit];
        }
        if self.picker.is_some() {
            return vec![Action::Up, Action::Down, Action::Submit, Action::Back];
        }
        let mut v = vec![
            Action::NextField,
            Action::PrevField,
            Action::Save,
            Action::SubmitPractice,
            Action::Attach,
            Action::FindUser,
            Action::Back,
            Action::Help,
        ];
        if !self.focused_is_text() {
            v.extend([Action::Toggle, Action::Open, Action::Up, Action::Down]);
        }
        v
    }

    fn hints(&self) -> Vec<Action> {
        vec![
            Action::NextField,
            Action::Save,
            Action::SubmitPractice,
            Action::Back,
        ]
    }

    fn text_input(&self) -> bool {
        if self.find.is_some() {
            return true;
        }
        if let Some(a) = &self.attach {
            return a.kind_cursor.is_none();
        }
        self.picker.is_none() && self.refusal.is_none() && self.focused_is_text()
    }

    fn handle(&mut self, action: Action) -> Vec<Effect> {
        if self.find.is_some() {
            return self.find_action(action);
        }
        if self.attach.is_some() {
            return self.attach_action(action);
        }
        if self.refusal.is_some() {
            self.refusal = None;
            return Vec::new();
        }
        if let Some((item, cursor)) = self.picker {
            let n = match &self.items[item].kind {
                Kind::Choice { options, .. } => options.len(),
                _ => 0,
            };
            match action {
                Action::Up => self.picker = Some((item, cursor.saturating_sub(1))),
                Action::Down => self.picker = Some((item, (cursor + 1).min(n.saturating_sub(1)))),
                Action::Submit => {
                    if let Kind::Choice { selected, .. } = &mut self.items[item].kind {
                        *selected = Some(cursor);
                    }
                    self.picker = None;
                    self.changed();
                }
                _ => self.picker = None,
            }
            return Vec::new();
        }
        match action {
            Action::NextField | Action::Down => {
                self.focus = (self.focus + 1) % self.items.len();
                self.cursor_to_end();
            }
            Action::PrevField | Action::Up => {
                self.focus = (self.focus + self.items.len() - 1) % self.items.len();
                self.cursor_to_end();
            }
            Action::Toggle | Action::Open => match &mut self.items[self.focus].kind {
                Kind::Check(c) => {
                    *c = !*c;
                    self.changed();
                }
                Kind::Choice { selected, .. } => {
                    self.picker = Some((self.focus, selected.unwrap_or(0)));
                }
                _ => {}
            },
            Action::Save => return self.save(),
            Action::Attach => {
                self.attach = Some(AttachPrompt::default());
                return self.save();
            }
            Action::FindUser => self.find = Some(FindUser::default()),
            Action::SubmitPractice => {
                let mut out = self.save();
                out.push(Effect::Send(Request::SubmitDraft {
                    user: Box::new(self.user.clone()),
                    id: self.id,
                }));
                return out;
            }
            Action::Back | Action::Quit => {
                let mut out = self.save();
                out.push(Effect::Close);
                out.push(Effect::Refresh);
                return out;
            }
            _ => {}
        }
        Vec::new()
    }

    fn input(&mut self, key: KeyEvent) -> Vec<Effect> {
        if let Some(fu) = &mut self.find {
            if key.code == KeyCode::Enter {
                return Vec::new();
            }
            fu.input.input(key);
            fu.tag += 1;
            fu.cursor = 0;
            return vec![Effect::Send(Request::FindUsers {
                tag: fu.tag,
                text: fu.input.lines().join(""),
            })];
        }
        if let Some(a) = &mut self.attach {
            if key.code != KeyCode::Enter {
                a.input.input(key);
                a.candidates.clear();
            }
            return Vec::new();
        }
        let Kind::Text { area, lines } = &mut self.items[self.focus].kind else {
            return Vec::new();
        };
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let changed = match key.code {
            KeyCode::Char('z') if ctrl => area.undo(),
            KeyCode::Char('y') if ctrl => area.redo(),
            KeyCode::Enter if !*lines => false,
            _ => area.input(key),
        };
        if changed {
            let field = self.items[self.focus].field;
            self.touched(field);
        }
        Vec::new()
    }

    fn deadline(&self) -> Option<Instant> {
        Editor::deadline(self)
    }

    fn flush(&mut self) -> Vec<Effect> {
        self.save()
    }

    fn on_tick(&mut self, now: Instant) -> Vec<Effect> {
        match Editor::deadline(self) {
            Some(d) if d <= now => self.save(),
            _ => Vec::new(),
        }
    }

    fn on_reply(&mut self, reply: &Reply) -> Vec<Effect> {
        match reply {
            Reply::Users { tag, users } => {
                if let Some(fu) = &mut self.find
                    && *tag == fu.tag
                {
                    fu.users.clone_from(users);
                }
            }
            Reply::Saved { id, result } if *id == self.id => {
                self.saving = false;
                match result {
                    Ok(d) => {
                        self.base = d.practice.passport.clone();
                        self.profiles.clone_from(&d.profiles);
                        let at = d
                            .practice
                            .updated
                            .with_timezone(&chrono::Local)
                            .format("%H:%M:%S")
                            .to_string();
                        self.saved = Some((d.practice.revision, at));
                        self.problems.clear();
                        if let Some(i) = self.items.iter_mut().find(|i| i.key == Key::Attachments) {
                            i.kind = Kind::Info(attachments_text(&d.practice.passport));
                        }
                    }
                    Err(reasons) => self.problems.clone_from(reasons),
                }
                self.revalidate();
                // Typing during the save: save again soon.
                if self.dirty_since.is_some() {
                    self.last_key = Some(Instant::now());
                }
            }
            Reply::Submitted { id, result } if *id == self.id => match result {
                Ok(status) => {
                    return vec![
                        Effect::Close,
                        Effect::Refresh,
                        Effect::Message(format!("Практика подана: «{}».", status.name())),
                    ];
                }
                Err(reasons) => self.refusal = Some(reasons.clone()),
            },
            _ => {}
        }
        Vec::new()
    }

    fn render(&self, f: &mut Frame, area: Rect, cx: &RenderCx<'_>) {
        let t = cx.theme;
        let [head, body] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
        let saved = match (&self.saved, self.dirty_since.is_some() || self.saving) {
            (_, true) => "не сохранено".to_owned(),
            (Some((rev, at)), false) if !at.is_empty() => {
                format!("сохранено в {at}, редакция {rev}")
            }
            (Some((rev, _)), false) => format!("редакция {rev}"),
            (None, false) => String::new(),
        };
        let errors = self.error_count();
        f.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(" Паспорт · черновик", t.title),
                Span::styled(format!(" · {saved} · "), t.muted),
                Span::styled(
                    if errors == 0 {
                        "можно подавать".to_owned()
                    } else {
                        format!("замечаний к подаче: {errors}")
                    },
                    if errors == 0 { t.ok } else { t.warning },
                ),
            ])),
            head,
        );
        let w = body.width.saturating_sub(2);
        // Heights of items; the focused text field is taller.
        let height = |i: usize| -> u16 {
            let item = &self.items[i];
            let content = match &item.kind {
                Kind::Text { area, lines: true } => {
                    let n = area.lines().len() as u16;
                    if i == self.focus {
                        n.clamp(3, 8)
                    } else {
                        n.clamp(1, 3)
                    }
                }
                _ => 1,
            };
            1 + content + self.messages_for(i).len().min(3) as u16
        };
        let mut top = self.top.get().min(self.focus);
        loop {
            let used: u16 = (top..=self.focus).map(height).sum();
            if used <= body.height || top == self.focus {
                break;
            }
            top += 1;
        }
        self.top.set(top);
        let mut y = body.y;
        for i in top..self.items.len() {
            let h = height(i);
            if y + h > body.y + body.height {
                break;
            }
            let item = &self.items[i];
            let focused = i == self.focus;
            let label_style = if focused { t.border_focus } else { t.label };
            let mut label = vec![
                Span::styled(if focused { "▶ " } else { "  " }, label_style),
                Span::styled(format!("{} ", item.field.id()), t.muted),
                Span::styled(
                    truncate(&item.label, w.saturating_sub(20) as usize),
                    label_style,
                ),
            ];
            if let Kind::Text { area, .. } = &item.kind {
                let lines = area.lines();
                let n = lines.iter().map(|l| l.chars().count()).sum::<usize>()
                    + lines.len().saturating_sub(1);
                let counter = if item.key == Key::Title {
                    format!("  {n}/{TITLE_MAX_CHARS}")
                } else if n > 0 {
                    format!("  {n} симв.")
                } else {
                    String::new()
                };
                let style = if item.key == Key::Title && n > TITLE_MAX_CHARS {
                    t.error
                } else {
                    t.muted
                };
                label.push(Span::styled(counter, style));
            }
            f.render_widget(
                Paragraph::new(Line::from(label)),
                Rect {
                    x: body.x,
                    y,
                    width: body.width,
                    height: 1,
                },
            );
            y += 1;
            let content_h = h - 1 - self.messages_for(i).len().min(3) as u16;
            let rect = Rect {
                x: body.x + 4,
                y,
                width: body.width.saturating_sub(5),
                height: content_h,
            };
            match &item.kind {
                Kind::Text { area, .. } => {
                    if focused {
                        f.render_widget(area, rect);
                    } else {
                        let lines: Vec<Line> = area
                            .lines()
                            .iter()
                            .take(content_h as usize)
                            .map(|l| {
                                Line::from(Span::styled(truncate(l, rect.width as usize), t.text))
                            })
                            .collect();
                        let lines = if area.lines().iter().all(String::is_empty) {
                            vec![Line::from(Span::styled("—", t.muted))]
                        } else {
                            lines
                        };
                        f.render_widget(Paragraph::new(lines), rect);
                    }
                }
                Kind::Choice { options, selected } => {
                    let text = selected.map_or(
                        "— не выбрано (Пробел — выбрать)".to_owned(),
                        |s| options[s].1.clone(),
                    );
                    let style = if focused { t.selected } else { t.text };
                    f.render_widget(
                        Paragraph::new(Span::styled(truncate(&text, rect.width as usize), style)),
                        rect,
                    );
                }
                Kind::Check(c) => {
                    let text = if *c { "[x] да" } else { "[ ] нет" };
                    let style = if focused { t.selected } else { t.text };
                    f.render_widget(Paragraph::new(Span::styled(text, style)), rect);
                }
                Kind::Info(s) => {
                    f.render_widget(
                        Paragraph::new(Span::styled(truncate(s, rect.width as usize), t.muted)),
                        rect,
                    );
                }
            }
            y += content_h;
            for m in self.messages_for(i).into_iter().take(3) {
                let style = if m.severity == Severity::Error {
                    t.error
                } else {
                    t.warning
                };
                let mark = if m.severity == Severity::Error {
                    "✗ "
                } else {
                    "› "
                };
                f.render_widget(
                    Paragraph::new(Span::styled(
                        truncate(&format!("{mark}{}", m.message), (w - 2) as usize),
                        style,
                    )),
                    Rect {
                        x: body.x + 4,
                        y,
                        width: body.width.saturating_sub(5),
                        height: 1,
                    },
                );
                y += 1;
            }
        }
        if !self.problems.is_empty() {
            let msg = format!("Не сохранено: {}", self.problems.join("; "));
            let r = Rect {
                x: body.x,
                y: body.y + body.height.saturating_sub(1),
                width: body.width,
                height: 1,
            };
            f.render_widget(Clear, r);
            f.render_widget(
                Paragraph::new(Span::styled(truncate(&msg, r.width as usize), t.error)),
                r,
            );
        }
        if let Some((item, cursor)) = self.picker
            && let Kind::Choice { options, .. } = &self.items[item].kind
        {
            let h = (options.len() as u16 + 2).min(area.height);
            let r = super::popups::centred(area, 70, h);
            f.render_widget(Clear, r);
            let items: Vec<ListItem> = options
                .iter()
                .map(|(_, n)| ListItem::new(truncate(n, 66)))
                .collect();
            let mut st = ListState::default().with_selected(Some(cursor));
            f.render_stateful_widget(
                List::new(items)
                    .block(
                        Block::default()
                            .borders(Borders::ALL)
                            .border_style(t.border_focus)
                            .title(Span::styled(
                                format!(" {} ", self.items[item].label),
                                t.title,
                            )),
                    )
                    .highlight_style(t.selected),
                r,
                &mut st,
            );
        }
        if let Some(a) = &self.attach {
            a.render(f, area, cx);
        }
        if let Some(fu) = &self.find {
            fu.render(f, area, cx);
        }
        if let Some(reasons) = &self.refusal {
            let r = super::popups::centred(area, 78, (reasons.len() as u16 + 4).min(area.height));
            f.render_widget(Clear, r);
            let block = Block::default()
                .borders(Borders::ALL)
                .border_style(t.error)
                .title(Span::styled(" Подать нельзя ", t.error))
                .title_bottom(Span::styled(" Esc — вернуться к паспорту ", t.muted));
            let inner = block.inner(r);
            f.render_widget(block, r);
            let opts = textwrap::Options::new(inner.width.saturating_sub(2) as usize);
            let mut lines = Vec::new();
            for reason in reasons {
                for (k, l) in textwrap::wrap(reason, &opts).into_iter().enumerate() {
                    let prefix = if k == 0 { "— " } else { "  " };
                    lines.push(Line::from(Span::styled(format!("{prefix}{l}"), t.text)));
                }
            }
            f.render_widget(Paragraph::new(lines), inner);
        }
    }
}

/// The attach window of the editor.
#[derive(Default)]
pub struct AttachPrompt {
    pub input: TextArea<'static>,
    /// `Some` once the path is given and the kind is being chosen.
    pub kind_cursor: Option<usize>,
    pub candidates: Vec<String>,
}

fn expand_home(s: &str) -> String {
    match (s.strip_prefix("~/"), std::env::var("HOME")) {
        (Some(rest), Ok(home)) => format!("{home}/{rest}"),
        _ => s.to_owned(),
    }
}

/// Tab completion of a path: the completed text and, when several names
/// fit, the candidates.
pub fn complete_path(input: &str) -> (String, Vec<String>) {
    let expanded = expand_home(input);
    let (dir, prefix) = match expanded.rfind('/') {
        Some(i) => (expanded[..=i].to_owned(), expanded[i + 1..].to_owned()),
        None => (String::new(), expanded.clone()),
    };
    let read = if dir.is_empty() { "." } else { dir.as_str() };
    let Ok(entries) = std::fs::read_dir(read) else {
        return (input.to_owned(), Vec::new());
    };
    let mut names: Vec<String> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            if !name.starts_with(&prefix) || (name.starts_with('.') && !prefix.starts_with('.')) {
                return None;
            }
            let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
            Some(if is_dir { format!("{name}/") } else { name })
        })
        .collect();
    names.sort();
    match names.as_slice() {
        [] => (input.to_owned(), Vec::new()),
        [one] => (format!("{dir}{one}"), Vec::new()),
        many => {
            let first = &many[0];
            let mut common = first.len();
            for n in &many[1..] {
                common = common.min(
                    first
                        .char_indices()
                        .zip(n.chars())
                        .take_while(|((_, a), b)| a == b)
                        .last()
                        .map_or(0, |((i, a), _)| i + a.len_utf8()),
                );
            }
            (format!("{dir}{}", &first[..common]), many.to_vec())
        }
    }
}

impl Editor {
    fn attach_action(&mut self, action: Action) -> Vec<Effect> {
        let Some(a) = &mut self.attach else {
            return Vec::new();
        };
        let kinds = crate::service::practice::attachment_kinds();
        match (a.kind_cursor, action) {
            (_, Action::Back) => self.attach = None,
            (None, Action::NextField) => {
                let text = a.input.lines().join("");
                let (done, candidates) = complete_path(&text);
                a.input = TextArea::new(vec![done]);
                a.input.move_cursor(ratatui_textarea::CursorMove::End);
                a.candidates = candidates;
            }
            (None, Action::Submit) if !a.input.lines().join("").trim().is_empty() => {
                a.kind_cursor = Some(0);
            }
            (Some(c), Action::Up) => a.kind_cursor = Some(c.saturating_sub(1)),
            (Some(c), Action::Down) => a.kind_cursor = Some((c + 1).min(kinds.len() - 1)),
            (Some(c), Action::Submit) => {
                let source = expand_home(a.input.lines().join("").trim());
                let kind = kinds[c].0.to_owned();
                self.attach = None;
                self.saving = true;
                return vec![Effect::Send(Request::AttachDraft {
                    user: Box::new(self.user.clone()),
                    id: self.id,
                    source,
                    kind,
                })];
            }
            _ => {}
        }
        Vec::new()
    }
}

impl AttachPrompt {
    fn render(&self, f: &mut Frame, area: Rect, cx: &RenderCx<'_>) {
        let t = cx.theme;
        let kinds = crate::service::practice::attachment_kinds();
        let rows = match self.kind_cursor {
            Some(_) => kinds.len() as u16,
            None => 2 + self.candidates.len().min(8) as u16,
        };
        let r = super::popups::centred(area, 76, rows + 3);
        f.render_widget(Clear, r);
        let bottom = if self.kind_cursor.is_some() {
            " Enter — приложить · Esc — отмена "
        } else {
            " Tab — дополнить · Enter — дальше · Esc — отмена "
        };
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(t.border_focus)
            .title(Span::styled(" Приложить файл или ссылку ", t.title))
            .title_bottom(Span::styled(bottom, t.muted));
        let inner = block.inner(r);
        f.render_widget(block, r);
        let [first, rest] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
        let [label, field] =
            Layout::horizontal([Constraint::Length(8), Constraint::Min(1)]).areas(first);
        f.render_widget(Paragraph::new(Span::styled(" Путь: ", t.label)), label);
        f.render_widget(&self.input, field);
        if let Some(c) = self.kind_cursor {
            let items: Vec<ListItem> = kinds
                .iter()
                .map(|(_, n)| ListItem::new(truncate(n, 70)))
                .collect();
            let mut st = ListState::default().with_selected(Some(c));
            f.render_stateful_widget(List::new(items).highlight_style(t.selected), rest, &mut st);
        } else {
            let mut lines = vec![Line::from(Span::styled(
                " Файл до 20 МБ или ссылка https://… на облачное хранилище",
                t.muted,
            ))];
            for c in self.candidates.iter().take(8) {
                lines.push(Line::from(Span::styled(format!("   {c}"), t.text)));
            }
            f.render_widget(Paragraph::new(lines), rest);
        }
    }
}

/// The team search window: a name, then a registered user to add.
#[derive(Default)]
pub struct FindUser {
    pub input: TextArea<'static>,
    pub tag: u64,
    pub users: Vec<(String, String, String, bool)>,
    pub cursor: usize,
}

impl Editor {
    fn find_action(&mut self, action: Action) -> Vec<Effect> {
        let Some(fu) = &mut self.find else {
            return Vec::new();
        };
        match action {
            Action::Up => fu.cursor = fu.cursor.saturating_sub(1),
            Action::Down => fu.cursor = (fu.cursor + 1).min(fu.users.len().saturating_sub(1)),
            Action::Submit => {
                let Some((login, ..)) = fu.users.get(fu.cursor).cloned() else {
                    return Vec::new();
                };
                self.find = None;
                if let Some(i) = self.items.iter().position(|i| i.key == Key::Team) {
                    self.focus = i;
                    if let Kind::Text { area, .. } = &mut self.items[i].kind {
                        let known = lines_of(area)
                            .iter()
                            .any(|l| l.trim_end_matches('*').trim() == login);
                        if !known {
                            area.move_cursor(ratatui_textarea::CursorMove::Bottom);
                            area.move_cursor(ratatui_textarea::CursorMove::End);
                            if !area.lines().last().is_none_or(String::is_empty) {
                                area.insert_newline();
                            }
                            area.insert_str(&login);
                        }
                    }
                    self.touched(Field::P19);
                }
            }
            _ => self.find = None,
        }
        Vec::new()
    }
}

impl FindUser {
    fn render(&self, f: &mut Frame, area: Rect, cx: &RenderCx<'_>) {
        let t = cx.theme;
        let rows = self.users.len().clamp(1, 10) as u16;
        let r = super::popups::centred(area, 76, rows + 4);
        f.render_widget(Clear, r);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(t.border_focus)
            .title(Span::styled(" Добавить в команду ", t.title))
            .title_bottom(Span::styled(" Enter — добавить · Esc — отмена ", t.muted));
        let inner = block.inner(r);
        f.render_widget(block, r);
        let [first, rest] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
        let [label, field] =
            Layout::horizontal([Constraint::Length(7), Constraint::Min(1)]).areas(first);
        f.render_widget(Paragraph::new(Span::styled(" ФИО: ", t.label)), label);
        f.render_widget(&self.input, field);
        if self.users.is_empty() {
            let hint = if self.input.lines().join("").chars().count() < 2 {
                " Введите хотя бы две буквы фамилии, имени, логина или почты."
            } else {
                " Никого не нашлось. Незарегистрированного участника впишите в поле команды по e-mail."
            };
            f.render_widget(Paragraph::new(Span::styled(hint, t.muted)), rest);
            return;
        }
        let w = rest.width.saturating_sub(2) as usize;
        let items: Vec<ListItem> = self
            .users
            .iter()
            .map(|(login, name, org, complete)| {
                let mark = if *complete {
                    ""
                } else {
                    " · профиль не заполнен"
                };
                ListItem::new(truncate(&format!("{name} ({login}), {org}{mark}"), w))
            })
            .collect();
        let mut st = ListState::default().with_selected(Some(self.cursor));
        f.render_stateful_widget(List::new(items).highlight_style(t.selected), rest, &mut st);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn editor_for(p: Passport) -> Editor {
        let user = crate::domain::fixtures::user(0, vec![]);
        let practice = crate::domain::Practice {
            id: uuid::Uuid::nil(),
            status: crate::domain::PracticeStatus::Draft,
            author: user.id,
            passport: p,
            revision: 1,
            created: chrono::Utc::now(),
            updated: chrono::Utc::now(),
            published: None,
            workflow: crate::domain::workflow::Workflow::default(),
        };
        let draft = Draft {
            practice,
            team: vec![],
            profiles: vec![],
        };
        Editor::new(&draft, user, 2026)
    }

    #[test]
    fn every_field_rule_shows_in_the_editor() {
        let e = editor_for(Passport::default());
        let mut fields: Vec<Field> = e
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .map(|f| f.field)
            .collect();
        fields.dedup();

        assert_eq!(fields, crate::domain::fixtures::REQUIRED);
    }

    #[test]
    fn the_form_reads_back_what_it_shows() {
        let mut p = crate::domain::fixtures::valid();
        p.partners.push(Partner {
            name: "Фонд".into(),
            terms: "Соглашение".into(),
            responsibility: "Методика".into(),
        });
        p.rating_indicators = vec!["qol-social".into()];
        p.leader_project = true;
        let e = editor_for(p.clone());
        let (back, errs) = e.passport();
        assert!(errs.is_empty(), "{errs:?}");
        // The team is read from its lines when saved, not by the form.
        assert_eq!(back, p);
    }

    #[test]
    fn unreadable_numbers_are_reported_and_keep_the_saved_value() {
        let p = Passport {
            year: Some(2024),
            ..Passport::default()
        };
        let mut e = editor_for(p);
        let i = e
            .items
            .iter()
            .position(|i| i.key == Key::Year)
            .expect("year");
        e.focus = i;
        e.input(KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE));
        let (back, errs) = e.passport();
        assert_eq!(back.year, Some(2024));
        assert!(errs.iter().any(|(_, m)| m.contains("не год")), "{errs:?}");
        assert!(
            e.findings
                .iter()
                .any(|f| f.field == Field::P23 && f.message.contains("не год"))
        );
    }

    #[test]
    fn path_completion() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("обложка-2025.png"), b"x").expect("write");
        std::fs::write(dir.path().join("обложка-2024.png"), b"x").expect("write");
        std::fs::create_dir(dir.path().join("документы")).expect("mkdir");
        let base = format!("{}/", dir.path().display());
        let (done, c) = complete_path(&format!("{base}обл"));
        assert_eq!(done, format!("{base}обложка-202"));
        assert_eq!(c.len(), 2);
        let (done, c) = complete_path(&format!("{base}док"));
        assert_eq!(done, format!("{base}документы/"));
        assert!(c.is_empty());
        let (done, _) = complete_path(&format!("{base}нет"));
        assert_eq!(done, format!("{base}нет"));
    }
}
