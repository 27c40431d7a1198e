//! The rule of each passport field (SPEC §2), as functions that return
//! Russian messages: errors block submission, hints advise.

use serde::Serialize;

use super::passport::{CategoryChoice, Field, ImplementationWay, Member, Passport, Source};
use super::refdata::RefData;
use super::user::{Profile, UserId, profile_problems};

mod files;
mod text;

pub use files::{cover_problems, file_size_problem, human_size, p9_materials, p10_cover};
pub use text::{
    p1_title, p3_tasks, p4_essence, p6_results, parse_number, unexpanded_abbreviations,
};
use text::{p5_audience, required_text};

/// P-1: at most this many characters, spaces included.
pub const TITLE_MAX_CHARS: usize = 110;
/// P-9: at most this many bytes per file.
pub const MAX_FILE_BYTES: u64 = 20 * 1024 * 1024;
/// P-10: the smallest cover.
pub const COVER_MIN: (u32, u32) = (900, 675);
/// P-19: the smallest team (§2.1.5(5)).
pub const TEAM_MIN: usize = 3;
/// P-23: how many years before the current one a practice may have been
/// implemented (§2.1.5(1)).
pub const YEARS_BACK: i32 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Blocks submission.
    Error,
    /// Advice; does not block.
    Hint,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub field: Field,
    pub severity: Severity,
    pub message: String,
    /// The part of a field of several parts the finding is about (P-6's
    /// measurable results: [`MEASURES`]); `None` for the field as a whole.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub part: Option<&'static str>,
}

/// The part of P-6 that holds its measurable results.
pub const MEASURES: &str = "results.measures";

impl Finding {
    fn error(field: Field, message: impl Into<String>) -> Self {
        Self {
            field,
            severity: Severity::Error,
            message: message.into(),
            part: None,
        }
    }

    fn hint(field: Field, message: impl Into<String>) -> Self {
        Self {
            field,
            severity: Severity::Hint,
            message: message.into(),
            part: None,
        }
    }

    fn on(mut self, part: &'static str) -> Self {
        self.part = Some(part);
        self
    }
}

/// What the rules need beyond the passport itself.
pub struct Context<'a> {
    pub refdata: &'a RefData,
    /// The current (publication) year.
    pub year: i32,
    /// Whether the level (P-22) must already be set: from packaging on.
    pub level_required: bool,
    /// Looks up a registered team member's profile.
    pub profile: &'a dyn Fn(UserId) -> Option<Profile>,
}

/// Every finding for the whole passport, in field order.
pub fn validate(p: &Passport, cx: &Context<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for f in Field::ALL {
        out.extend(check_field(f, p, cx));
    }
    out
}

/// Only the errors: what blocks submission.
pub fn blocking(p: &Passport, cx: &Context<'_>) -> Vec<Finding> {
    validate(p, cx)
        .into_iter()
        .filter(|f| f.severity == Severity::Error)
        .collect()
}

/// What keeps a passport from standing in the catalogue (§2.1.5, app. 2):
/// every error, named with its field. A published passport is held to
/// them on every change, not only at submission.
pub fn published_problems(p: &Passport, cx: &Context<'_>) -> Vec<String> {
    field_problems(p, &Field::ALL, cx)
}

/// The errors of some fields, each named with its field: what a save of a
/// published passport changing them must not bring in.
pub fn field_problems(p: &Passport, fields: &[Field], cx: &Context<'_>) -> Vec<String> {
    fields
        .iter()
        .flat_map(|f| check_field(*f, p, cx))
        .filter(|f| f.severity == Severity::Error)
        .map(|f| format!("{} {}: {}", f.field.id(), f.field.label(), f.message))
        .collect()
}

/// The findings of one field.
pub fn check_field(f: Field, p: &Passport, cx: &Context<'_>) -> Vec<Finding> {
    match f {
        Field::P1 => p1_title(&p.title),
        Field::P2 => required_text(
            Field::P2,
            &p.goal,
            "Опишите цель: зачем реализована практика.",
        ),
        Field::P3 => p3_tasks(&p.tasks),
        Field::P4 => p4_essence(&p.title, &p.essence),
        Field::P5 => p5_audience(p),
        Field::P6 => p6_results(p),
        Field::P7 => p7_category(p.category.as_ref(), cx.refdata),
        Field::P8 => p8_organisation(p, cx.refdata),
        Field::P9 => p9_materials(&p.materials, p.leader_project),
        Field::P10 => p10_cover(p.cover.as_ref()),
        Field::P11 => p11_regions(p, cx.refdata),
        Field::P12 => p12_cost(p.cost.as_deref(), cx.refdata),
        Field::P13 => p13_way(p.implementation_way.as_ref(), cx.refdata),
        Field::P14 => p14_plan(p),
        Field::P15 => p15_partners(p),
        Field::P16 => p16_launch(p.launch_months),
        Field::P17 => required_text(
            Field::P17,
            &p.specifics,
            "Перечислите особенности, которые нужно учесть при внедрении.",
        ),
        Field::P18 => required_text(
            Field::P18,
            &p.support,
            "Перечислите меры поддержки реципиентов, кроме консультаций.",
        ),
        Field::P19 => p19_team(p, cx.profile),
        Field::P20 => p20_indicators(&p.rating_indicators, cx.refdata),
        Field::P21 => p21_consents(p),
        Field::P22 => p22_level(p, cx.level_required),
        Field::P23 => p23_year(p.year, cx.year),
        Field::P24 => p24_route(p),
    }
}

/// P-7: exactly one of the ten categories, or «Я не знаю, что выбрать».
pub fn p7_category(c: Option<&CategoryChoice>, refdata: &RefData) -> Vec<Finding> {
    match c {
        None => vec![Finding::error(
            Field::P7,
            "Выберите одну из 10 категорий или «Я не знаю, что выбрать».",
        )],
        Some(CategoryChoice::DontKnow) => {
            vec![Finding::hint(Field::P7, "Категорию выберет модератор.")]
        }
        Some(CategoryChoice::Known(code)) if refdata.category(code).is_none() => {
            vec![Finding::error(
                Field::P7,
                format!("Неизвестная категория «{code}»."),
            )]
        }
        Some(CategoryChoice::Known(_)) => Vec::new(),
    }
}

/// P-8: type from the list and name; only executive bodies of a subject of
/// the RF and their subordinate organisations may submit (§2.1.5(3)).
pub fn p8_organisation(p: &Passport, refdata: &RefData) -> Vec<Finding> {
    let o = &p.organisation;
    let mut out = Vec::new();
    match o.kind.as_deref() {
        None => out.push(Finding::error(Field::P8, "Выберите тип организации.")),
        Some(code) => match refdata.organisation_type(code) {
            None => out.push(Finding::error(
                Field::P8,
                format!("Неизвестный тип организации «{code}»."),
            )),
            Some(t) if !t.may_submit => out.push(Finding::error(
                Field::P8,
                format!(
                    "«{}» не может подавать практики: только исполнительные органы субъектов РФ и подведомственные им организации (п. 2.1.5(3)).",
                    t.name
                ),
            )),
            Some(_) => {}
        },
    }
    if o.name.trim().is_empty() {
        out.push(Finding::error(Field::P8, "Укажите название организации."));
    }
    out
}

/// P-11: the author region; other regions distinct and different from it.
pub fn p11_regions(p: &Passport, refdata: &RefData) -> Vec<Finding> {
    let r = &p.regions;
    let mut out = Vec::new();
    match r.author.as_deref() {
        None => out.push(Finding::error(
            Field::P11,
            "Выберите регион, где практика реализована впервые (регион-автор).",
        )),
        Some(code) if refdata.region(code).is_none() => {
            out.push(Finding::error(
                Field::P11,
                format!("Неизвестный регион «{code}»."),
            ));
        }
        Some(_) => {}
    }
    let mut seen: Vec<&str> = Vec::new();
    for code in &r.others {
        if refdata.region(code).is_none() {
            out.push(Finding::error(
                Field::P11,
                format!("Неизвестный регион «{code}»."),
            ));
        } else if Some(code.as_str()) == r.author.as_deref() {
            out.push(Finding::error(
                Field::P11,
                format!("{} уже указан как регион-автор.", refdata.region_name(code)),
            ));
        } else if seen.contains(&code.as_str()) {
            out.push(Finding::hint(
                Field::P11,
                format!("{} указан дважды.", refdata.region_name(code)),
            ));
        }
        seen.push(code);
    }
    out
}

fn p12_cost(cost: Option<&str>, refdata: &RefData) -> Vec<Finding> {
    match cost {
        None => vec![Finding::error(
            Field::P12,
            "Выберите диапазон стоимости реализации.",
        )],
        Some(c) if refdata.cost_range(c).is_none() => {
            vec![Finding::error(
                Field::P12,
                format!("Неизвестный диапазон стоимости «{c}»."),
            )]
        }
        Some(_) => Vec::new(),
    }
}

fn p13_way(w: Option<&ImplementationWay>, refdata: &RefData) -> Vec<Finding> {
    match w {
        None => vec![Finding::error(
            Field::P13,
            "Выберите способ внедрения или «Другое» и опишите свой.",
        )],
        Some(ImplementationWay::Known(c)) if refdata.implementation_way(c).is_none() => {
            vec![Finding::error(
                Field::P13,
                format!("Неизвестный способ внедрения «{c}»."),
            )]
        }
        Some(ImplementationWay::Other(t)) if t.trim().is_empty() => vec![Finding::error(
            Field::P13,
            "Выбрано «Другое»: опишите способ внедрения.",
        )],
        Some(_) => Vec::new(),
    }
}

fn p14_plan(p: &Passport) -> Vec<Finding> {
    let mut out = Vec::new();
    if p.plan.steps.iter().all(|s| s.trim().is_empty()) {
        out.push(Finding::error(
            Field::P14,
            "Изложите основные шаги плана реализации: от идеи до запуска.",
        ));
    }
    if p.plan.measures.trim().is_empty() {
        out.push(Finding::hint(
            Field::P14,
            "Укажите принятые меры, разработанные НПА и проведённые мероприятия.",
        ));
    }
    out
}

fn p15_partners(p: &Passport) -> Vec<Finding> {
    let mut out = Vec::new();
    for (i, partner) in p.partners.iter().enumerate() {
        let n = i + 1;
        if partner.name.trim().is_empty() {
            out.push(Finding::error(
                Field::P15,
                format!("Организация {n}: не указано название."),
            ));
        }
        if partner.terms.trim().is_empty() || partner.responsibility.trim().is_empty() {
            out.push(Finding::hint(
                Field::P15,
                format!("Организация {n}: опишите условия взаимодействия и зоны ответственности."),
            ));
        }
    }
    out
}

fn p16_launch(m: Option<u32>) -> Vec<Finding> {
    match m {
        None => vec![Finding::error(
            Field::P16,
            "Укажите, сколько месяцев потребовалось для запуска.",
        )],
        Some(0) => vec![Finding::error(
            Field::P16,
            "Срок запуска — целое число месяцев, не меньше 1.",
        )],
        Some(m) if m > 120 => vec![Finding::hint(
            Field::P16,
            format!("Срок запуска {m} мес. — больше десяти лет; проверьте значение."),
        )],
        Some(_) => Vec::new(),
    }
}

/// P-19: at least three members, every profile complete, invitations
/// accepted; a mentor chosen among them.
pub fn p19_team(p: &Passport, profile: &dyn Fn(UserId) -> Option<Profile>) -> Vec<Finding> {
    let mut out = Vec::new();
    if p.team.len() < TEAM_MIN {
        out.push(Finding::error(
            Field::P19,
            format!(
                "В команде должно быть не меньше {TEAM_MIN} человек (п. 2.1.5(5)), сейчас {}.",
                p.team.len()
            ),
        ));
    }
    for m in &p.team {
        match &m.member {
            Member::Invited(email) => out.push(Finding::error(
                Field::P19,
                format!("{email}: приглашение ещё не принято, участник не зарегистрирован."),
            )),
            Member::User(id) => match profile(*id) {
                None => out.push(Finding::error(
                    Field::P19,
                    "Участник команды не найден среди пользователей.",
                )),
                Some(prof) => {
                    let problems = profile_problems(&prof);
                    if !problems.is_empty() {
                        let who = if prof.full_name.trim().is_empty() {
                            prof.email.clone()
                        } else {
                            prof.full_name.clone()
                        };
                        out.push(Finding::error(
                            Field::P19,
                            format!("Профиль «{who}» не заполнен: {}.", problems.join("; ")),
                        ));
                    }
                }
            },
        }
    }
    if !p.team.is_empty() && !p.team.iter().any(|m| m.mentor) {
        out.push(Finding::hint(
            Field::P19,
            "Назначьте наставника из членов команды: он консультирует реципиентов.",
        ));
    }
    out
}

/// P-20: only indicators from the lists; tag only those the practice
/// directly moves (§4.1.5).
pub fn p20_indicators(codes: &[String], refdata: &RefData) -> Vec<Finding> {
    let mut out: Vec<Finding> = codes
        .iter()
        .filter(|c| refdata.indicator(c).is_none())
        .map(|c| {
            Finding::error(
                Field::P20,
                format!("Неизвестный показатель рейтинга «{c}»."),
            )
        })
        .collect();
    if !codes.is_empty() {
        out.push(Finding::hint(
            Field::P20,
            "Отмечайте показатели, только если практика напрямую влияет на них и это видно в результатах (п. 4.1.5).",
        ));
    }
    out
}

fn p21_consents(p: &Passport) -> Vec<Finding> {
    let invited = p
        .team
        .iter()
        .any(|m| matches!(m.member, Member::Invited(_)));
    let mut out = Vec::new();
    if invited && p.consents.is_empty() {
        out.push(Finding::hint(
            Field::P21,
            "В паспорте названы незарегистрированные люди: загрузите их согласия на обработку персональных данных.",
        ));
    }
    for c in &p.consents {
        if let Source::File { name, size, .. } = &c.source
            && let Some(mut f) = file_size_problem(name, *size)
        {
            f.field = Field::P21;
            out.push(f);
        }
    }
    out
}

fn p22_level(p: &Passport, required: bool) -> Vec<Finding> {
    if required && p.level.is_none() {
        vec![Finding::error(
            Field::P22,
            "Эксперт-модератор должен установить уровень практики (п. 2.1.6).",
        )]
    } else {
        Vec::new()
    }
}

/// P-23: implemented no earlier than three years before the current year,
/// and not in the future.
pub fn p23_year(year: Option<i32>, current: i32) -> Vec<Finding> {
    match year {
        None => vec![Finding::error(
            Field::P23,
            "Укажите год реализации практики.",
        )],
        Some(y) if y < current - YEARS_BACK => vec![Finding::error(
            Field::P23,
            format!(
                "Практика реализована в {y} году: принимаются практики не ранее {} года (п. 2.1.5(1)).",
                current - YEARS_BACK
            ),
        )],
        Some(y) if y > current => vec![Finding::error(
            Field::P23,
            format!("Год реализации {y} ещё не наступил."),
        )],
        Some(_) => Vec::new(),
    }
}

fn p24_route(p: &Passport) -> Vec<Finding> {
    if p.route.is_none() {
        vec![Finding::error(
            Field::P24,
            "Выберите основание подачи практики.",
        )]
    } else {
        Vec::new()
    }
}

#[cfg(test)]
mod tests;
