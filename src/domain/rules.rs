//! The rule of each passport field (SPEC §2), as functions that return
//! Russian messages: errors block submission, hints advise.

use serde::Serialize;

use super::passport::{
    CategoryChoice, Cover, Field, ImageFormat, ImplementationWay, Material, MaterialKind, Member,
    Passport, Source,
};
use super::refdata::RefData;
use super::user::{Profile, UserId, profile_problems};

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
}

impl Finding {
    fn error(field: Field, message: impl Into<String>) -> Self {
        Self {
            field,
            severity: Severity::Error,
            message: message.into(),
        }
    }

    fn hint(field: Field, message: impl Into<String>) -> Self {
        Self {
            field,
            severity: Severity::Hint,
            message: message.into(),
        }
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

fn required_text(field: Field, text: &str, what: &str) -> Vec<Finding> {
    if text.trim().is_empty() {
        vec![Finding::error(field, format!("Поле не заполнено. {what}"))]
    } else {
        Vec::new()
    }
}

/// P-1: required, at most 110 characters with spaces, abbreviations expanded.
pub fn p1_title(title: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    let t = title.trim();
    if t.is_empty() {
        out.push(Finding::error(
            Field::P1,
            "Укажите полное название практики.",
        ));
        return out;
    }
    let n = t.chars().count();
    if n > TITLE_MAX_CHARS {
        out.push(Finding::error(
            Field::P1,
            format!(
                "Название длиннее {TITLE_MAX_CHARS} символов с пробелами: {n}. Сократите на {}.",
                n - TITLE_MAX_CHARS
            ),
        ));
    }
    for abbr in unexpanded_abbreviations(t) {
        out.push(Finding::hint(
            Field::P1,
            format!("Расшифруйте сокращение «{abbr}»: аббревиатуры в паспорте раскрываются."),
        ));
    }
    out
}

/// All-caps tokens of two or more letters that are not explained in
/// parentheses next to them («Многофункциональный центр (МФЦ)» is fine).
/// Roman numerals are not abbreviations.
pub fn unexpanded_abbreviations(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_alphabetic() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '-') {
            i += 1;
        }
        let word: String = chars[start..i].iter().collect();
        let letters: Vec<char> = word.chars().filter(|c| c.is_alphabetic()).collect();
        let all_caps = letters.len() >= 2 && letters.iter().all(|c| c.is_uppercase());
        if !all_caps || is_roman_numeral(&word) {
            continue;
        }
        let before = chars[..start].iter().rev().find(|c| !c.is_whitespace());
        let after = chars[i..].iter().find(|c| !c.is_whitespace());
        let in_parens = before == Some(&'(') && after == Some(&')');
        let explained_after = after == Some(&'(');
        if !in_parens && !explained_after && !out.contains(&word) {
            out.push(word);
        }
    }
    out
}

fn is_roman_numeral(w: &str) -> bool {
    w.chars()
        .all(|c| matches!(c, 'I' | 'V' | 'X' | 'L' | 'C' | 'M'))
}

/// P-3: required; a list, one task per item.
pub fn p3_tasks(tasks: &[String]) -> Vec<Finding> {
    let filled: Vec<&String> = tasks.iter().filter(|t| !t.trim().is_empty()).collect();
    let mut out = Vec::new();
    if filled.is_empty() {
        out.push(Finding::error(
            Field::P3,
            "Перечислите задачи практики, каждую отдельным пунктом.",
        ));
    }
    if filled.len() < tasks.len() {
        out.push(Finding::hint(
            Field::P3,
            "В списке задач есть пустые пункты.",
        ));
    }
    if filled.len() == 1 && filled[0].lines().filter(|l| !l.trim().is_empty()).count() > 1 {
        out.push(Finding::hint(
            Field::P3,
            "Похоже, несколько задач записаны одним пунктом: выделите каждую отдельно.",
        ));
    }
    out
}

/// P-4: required; should start «<Название> – это …».
pub fn p4_essence(title: &str, essence: &str) -> Vec<Finding> {
    let e = essence.trim();
    if e.is_empty() {
        return vec![Finding::error(
            Field::P4,
            "Опишите суть практики: что это, какие функции выполняет, как работает.",
        )];
    }
    if !starts_with_definition(title, e) {
        return vec![Finding::hint(
            Field::P4,
            "Начните описание с определения: «<Название практики> – это …».",
        )];
    }
    Vec::new()
}

fn starts_with_definition(title: &str, essence: &str) -> bool {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(|c| !matches!(c, '«' | '»' | '"' | '„' | '“'))
            .collect::<String>()
            .to_lowercase()
    };
    let t = norm(title.trim());
    // Only the opening matters: never lower-case a whole long text.
    let head: String = essence.chars().take(title.chars().count() + 16).collect();
    let e = norm(&head);
    if t.is_empty() {
        return true;
    }
    let Some(rest) = e.strip_prefix(&t) else {
        return false;
    };
    let rest = rest.trim_start();
    let rest = rest
        .strip_prefix(['–', '—', '-'])
        .map_or(rest, str::trim_start);
    rest.starts_with("это")
}

fn p5_audience(p: &Passport) -> Vec<Finding> {
    let mut out = required_text(
        Field::P5,
        &p.audience.main,
        "Укажите главную целевую аудиторию: для кого создана практика.",
    );
    if out.is_empty() && p.audience.secondary.trim().is_empty() {
        out.push(Finding::hint(
            Field::P5,
            "Укажите и второстепенные целевые аудитории, если они есть.",
        ));
    }
    out
}

/// Parses a figure written the Russian way («1 234,5»).
pub fn parse_number(s: &str) -> Option<f64> {
    let t: String = s
        .trim()
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}')
        .map(|c| if c == ',' { '.' } else { c })
        .collect();
    let t = t.trim_end_matches('%');
    if t.is_empty() {
        return None;
    }
    t.parse().ok()
}

/// P-6: results required; at least one measurable before/after row
/// (§2.1.5(2)); every row complete.
pub fn p6_results(p: &Passport) -> Vec<Finding> {
    let r = &p.results;
    let mut out = required_text(Field::P6, &r.main, "Опишите главные результаты практики.");
    if r.measures.is_empty() {
        out.push(Finding::error(
            Field::P6,
            "Добавьте измеримый результат: показатель, единица, значение до и после (п. 2.1.5(2)).",
        ));
    }
    for (i, row) in r.measures.iter().enumerate() {
        let n = i + 1;
        if row.indicator.trim().is_empty() {
            out.push(Finding::error(
                Field::P6,
                format!("Результат {n}: не указан показатель."),
            ));
        }
        if row.unit.trim().is_empty() {
            out.push(Finding::error(
                Field::P6,
                format!("Результат {n}: не указана единица измерения."),
            ));
        }
        match (parse_number(&row.before), parse_number(&row.after)) {
            (Some(b), Some(a)) => {
                if (a - b).abs() < f64::EPSILON {
                    out.push(Finding::hint(
                        Field::P6,
                        format!("Результат {n}: значения до и после совпадают."),
                    ));
                }
            }
            _ => out.push(Finding::error(
                Field::P6,
                format!("Результат {n}: значения до и после должны быть числами."),
            )),
        }
        if row.year.is_none() {
            out.push(Finding::hint(
                Field::P6,
                format!("Результат {n}: укажите год измерения."),
            ));
        }
    }
    out
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

/// P-9: each file at most 20 MB, links are web addresses, and the
/// supporting documents of §2.1.5(4) are present.
pub fn p9_materials(materials: &[Material], leader_project: bool) -> Vec<Finding> {
    let mut out = Vec::new();
    if materials.is_empty() {
        out.push(Finding::error(
            Field::P9,
            "Приложите материалы, подтверждающие реализацию: НПА, планы, презентации (п. 2.1.5(4)).",
        ));
    }
    for m in materials {
        match &m.source {
            Source::File { name, size, .. } => {
                if let Some(f) = file_size_problem(name, *size) {
                    out.push(f);
                }
            }
            Source::Link { url } => {
                if !is_web_link(url) {
                    out.push(Finding::error(
                        Field::P9,
                        format!("Ссылка «{url}» должна начинаться с https:// или http://."),
                    ));
                }
            }
        }
    }
    let has = |k: MaterialKind| materials.iter().any(|m| m.kind == k);
    if !materials.is_empty() && !has(MaterialKind::Npa) {
        out.push(Finding::hint(
            Field::P9,
            "Приложите нормативные правовые акты, созданные или доработанные для практики.",
        ));
    }
    if !materials.is_empty() && !has(MaterialKind::Roadmap) {
        out.push(Finding::hint(
            Field::P9,
            "Приложите план или «дорожную карту» реализации практики.",
        ));
    }
    if leader_project && !has(MaterialKind::Letter) {
        out.push(Finding::error(
            Field::P9,
            "Для практики лидерского проекта обязательно письмо за подписью заместителя высшего должностного лица субъекта РФ (п. 2.1.5(4)).",
        ));
    }
    out
}

/// The 20 MB limit of P-9, with the size in the message.
pub fn file_size_problem(name: &str, size: u64) -> Option<Finding> {
    (size > MAX_FILE_BYTES).then(|| {
        Finding::error(
            Field::P9,
            format!(
                "Файл «{name}» весит {}, больше 20 МБ. Разместите его в облачном хранилище и приложите ссылку.",
                human_size(size)
            ),
        )
    })
}

/// «20,5 МБ». A size that one decimal would round down to a whole number
/// of megabytes is given in bytes instead («20\u{a0}971\u{a0}521 байт»), so
/// that a file over a limit such as [`MAX_FILE_BYTES`] never reads as
/// «20,0 МБ, больше 20 МБ».
pub fn human_size(bytes: u64) -> String {
    const KB: u64 = 1024;
    const MB: u64 = KB * KB;
    let b = bytes as f64;
    if bytes < KB {
        format!("{bytes} Б")
    } else if bytes < MB {
        format!("{:.1} КБ", b / KB as f64).replace('.', ",")
    } else {
        let tenths = (b * 10.0 / MB as f64).round() as u64;
        if tenths.is_multiple_of(10) && bytes > (tenths / 10).saturating_mul(MB) {
            exact_bytes(bytes)
        } else {
            format!("{:.1} МБ", b / MB as f64).replace('.', ",")
        }
    }
}

/// «20 971 521 байт», digits grouped by threes with no-break spaces.
fn exact_bytes(bytes: u64) -> String {
    let digits = bytes.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{a0}');
        }
        out.push(c);
    }
    let word = match (bytes % 10, bytes % 100) {
        (1, h) if h != 11 => "байт",
        (2..=4, h) if !(12..=14).contains(&h) => "байта",
        _ => "байт",
    };
    format!("{out} {word}")
}

fn is_web_link(url: &str) -> bool {
    let u = url.trim();
    (u.starts_with("https://") || u.starts_with("http://"))
        && u.len() > "https://".len()
        && !u.contains(char::is_whitespace)
}

/// P-10: JPG, PNG or BMP, 4:3, at least 900×675. Says which condition failed.
pub fn p10_cover(cover: Option<&Cover>) -> Vec<Finding> {
    match cover {
        None => vec![Finding::error(
            Field::P10,
            "Загрузите обложку: JPG, PNG или BMP, 4:3, не меньше 900×675 пикселей.",
        )],
        Some(c) => cover_problems(c.format, c.width, c.height)
            .into_iter()
            .map(|m| Finding::error(Field::P10, m))
            .collect(),
    }
}

/// The cover conditions of P-10, each failed one in Russian.
pub fn cover_problems(format: ImageFormat, width: u32, height: u32) -> Vec<String> {
    let mut out = Vec::new();
    if !matches!(
        format,
        ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::Bmp
    ) {
        out.push("Формат обложки должен быть JPG, PNG или BMP.".to_owned());
    }
    if u64::from(width) * 3 != u64::from(height) * 4 {
        out.push(format!(
            "Соотношение сторон обложки должно быть 4:3, а у изображения {width}×{height}."
        ));
    }
    if width < COVER_MIN.0 || height < COVER_MIN.1 {
        out.push(format!(
            "Обложка должна быть не меньше {}×{} пикселей, а у изображения {width}×{height}.",
            COVER_MIN.0, COVER_MIN.1
        ));
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
