//! The rules of the text fields P-1 to P-6: title, goal, tasks, essence,
//! audience and results.

use crate::domain::passport::{Field, Passport};

use super::{Finding, MEASURES, TITLE_MAX_CHARS};

pub(super) fn required_text(field: Field, text: &str, what: &str) -> Vec<Finding> {
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

pub(super) fn p5_audience(p: &Passport) -> Vec<Finding> {
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
        ).on(MEASURES));
    }
    for (i, row) in r.measures.iter().enumerate() {
        let n = i + 1;
        if row.indicator.trim().is_empty() {
            out.push(
                Finding::error(Field::P6, format!("Результат {n}: не указан показатель."))
                    .on(MEASURES),
            );
        }
        if row.unit.trim().is_empty() {
            out.push(
                Finding::error(
                    Field::P6,
                    format!("Результат {n}: не указана единица измерения."),
                )
                .on(MEASURES),
            );
        }
        match (parse_number(&row.before), parse_number(&row.after)) {
            (Some(b), Some(a)) => {
                if (a - b).abs() < f64::EPSILON {
                    out.push(
                        Finding::hint(
                            Field::P6,
                            format!("Результат {n}: значения до и после совпадают."),
                        )
                        .on(MEASURES),
                    );
                }
            }
            _ => out.push(
                Finding::error(
                    Field::P6,
                    format!("Результат {n}: значения до и после должны быть числами."),
                )
                .on(MEASURES),
            ),
        }
        if row.year.is_none() {
            out.push(
                Finding::hint(Field::P6, format!("Результат {n}: укажите год измерения."))
                    .on(MEASURES),
            );
        }
    }
    out
}
