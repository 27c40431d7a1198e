//! The editor's form: its items and their kinds, built from a passport
//! and read back into one.

use ratatui::style::Style;
use ratatui_textarea::{TextArea, WrapMode};

use super::Editor;
use crate::domain::passport::{
    CRITERIA, CategoryChoice, Field, ImplementationWay, Partner, ResultRow, Route,
};
use crate::domain::refdata::refdata;
use crate::domain::{Passport, User};
use crate::tui::worker::Draft;

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

impl Key {
    /// The part of a field of several parts this item edits, as the rules'
    /// findings name it.
    pub fn part(self) -> Option<&'static str> {
        match self {
            Self::Measures => Some(crate::domain::rules::MEASURES),
            _ => None,
        }
    }
}

#[allow(clippy::large_enum_variant)] // a handful of items, kept inline
pub(super) enum Kind {
    /// Text; `lines` allows more than one line.
    Text {
        area: TextArea<'static>,
        lines: bool,
        undo: super::undo::Undo,
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

pub(super) struct Item {
    pub(super) key: Key,
    pub(super) field: Field,
    pub(super) label: String,
    pub(super) kind: Kind,
}

pub(super) fn area(text: &str) -> TextArea<'static> {
    let lines: Vec<String> = if text.is_empty() {
        vec![String::new()]
    } else {
        text.split('\n').map(str::to_owned).collect()
    };
    let mut a = TextArea::new(lines);
    // Undo is by words (`super::undo`), not by the area's characters.
    a.set_max_histories(0);
    a.set_cursor_line_style(Style::default());
    // Long paragraphs wrap at words; ↑/↓ move by the lines on screen.
    a.set_wrap_mode(WrapMode::WordOrGlyph);
    a
}

fn text_of(a: &TextArea<'_>) -> String {
    a.lines().join("\n")
}

pub(super) fn lines_of(a: &TextArea<'_>) -> Vec<String> {
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
            undo: super::undo::Undo::default(),
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
        // With P-9: a leader-project practice needs the deputy head's letter.
        add(
            Key::LeaderProject,
            Field::P9,
            "Практика лидерского проекта Агентства (нужно письмо заместителя главы региона)",
            Kind::Check(p.leader_project),
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
            after_save: None,
            leave_unsaved: false,
            saved: Some((draft.practice.revision, String::new())),
            problems: Vec::new(),
            picker: None,
            refusal: None,
            stage: super::Stage::of(&draft.practice),
            refusal_scroll: std::cell::Cell::new(0),
            attach: None,
            find: None,
            year,
        };
        e.revalidate();
        e
    }

    pub(super) fn item(&self, key: Key) -> Option<&Item> {
        self.items.iter().find(|i| i.key == key)
    }

    pub(super) fn text(&self, key: Key) -> String {
        match self.item(key).map(|i| &i.kind) {
            Some(Kind::Text { area, .. }) => text_of(area),
            _ => String::new(),
        }
    }

    pub(super) fn lines(&self, key: Key) -> Vec<String> {
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

    pub(super) fn checked(&self, key: Key) -> bool {
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
}

pub(super) fn attachments_text(p: &Passport) -> String {
    let mut s = format!(
        "Материалов: {}; обложка: {}; согласий: {}.",
        p.materials.len(),
        p.cover.as_ref().map_or_else(
            || "нет".to_owned(),
            |c| format!("{} ({}×{})", c.name, c.width, c.height)
        ),
        p.consents.len()
    );
    s.push_str(" Приложить файл или ссылку: Ctrl-o.");
    s
}
