//! Text → [`Query`], or an error pointing at the wrong token in Russian.

use super::{Cmp, Cond, KEYWORDS, Number, Query, ROUTE_WORDS, Term};
use crate::domain::PracticeStatus;
use crate::domain::refdata::refdata;

/// What is wrong with a query, and where: `at` and `len` in characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub at: usize,
    pub len: usize,
    pub message: String,
}

impl ParseError {
    /// Its first sentence and where, for a line of the screen.
    pub fn short(&self) -> String {
        let first = self
            .message
            .split_inclusive(". ")
            .next()
            .unwrap_or(&self.message)
            .trim_end()
            .trim_end_matches('.');
        format!("{first} (знак {})", self.at + 1)
    }

    /// The query with the wrong token marked under it, then the message.
    pub fn show(&self, text: &str) -> String {
        format!(
            "{text}\n{}{}\n{}",
            " ".repeat(self.at),
            "^".repeat(self.len.max(1)),
            self.message
        )
    }
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (знак {})", self.message, self.at + 1)
    }
}

/// One token as typed: its text and where it starts, in characters.
struct Token {
    at: usize,
    len: usize,
    /// `-` before it.
    not: bool,
    kind: Kind,
}

enum Kind {
    Or,
    Phrase(String),
    /// A keyword, its comparison and value, or a word alone.
    Plain {
        key: String,
        op: Option<(Cmp, String)>,
    },
}

fn fold(s: &str) -> String {
    s.to_lowercase().replace('ё', "е")
}

fn err(at: usize, len: usize, message: String) -> ParseError {
    ParseError { at, len, message }
}

/// Reads a quoted run starting after the opening quote at `i`; returns it
/// and the index after the closing quote.
fn quoted(chars: &[char], start: usize) -> Result<(String, usize), ParseError> {
    let mut i = start + 1;
    let mut s = String::new();
    while i < chars.len() && chars[i] != '"' {
        s.push(chars[i]);
        i += 1;
    }
    if i == chars.len() {
        return Err(err(
            start,
            chars.len() - start,
            "Кавычка не закрыта: фраза пишется в двойных кавычках, «\"единое окно\"».".to_owned(),
        ));
    }
    Ok((s, i + 1))
}

fn tokens(text: &str) -> Result<Vec<Token>, ParseError> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        let at = i;
        let not = chars[i] == '-' && i + 1 < chars.len() && !chars[i + 1].is_whitespace();
        if not {
            i += 1;
        }
        if chars[i] == '"' {
            let (s, next) = quoted(&chars, i)?;
            i = next;
            out.push(Token {
                at,
                len: i - at,
                not,
                kind: Kind::Phrase(s),
            });
            continue;
        }
        let mut key = String::new();
        while i < chars.len() && !chars[i].is_whitespace() && !"<>=:\"".contains(chars[i]) {
            key.push(chars[i]);
            i += 1;
        }
        let op = if i < chars.len() && "<>=:".contains(chars[i]) {
            let cmp = match (chars[i], chars.get(i + 1)) {
                ('<', Some('=')) => {
                    i += 1;
                    Cmp::Le
                }
                ('>', Some('=')) => {
                    i += 1;
                    Cmp::Ge
                }
                ('<', _) => Cmp::Lt,
                ('>', _) => Cmp::Gt,
                _ => Cmp::Eq,
            };
            i += 1;
            let value = if i < chars.len() && chars[i] == '"' {
                let (s, next) = quoted(&chars, i)?;
                i = next;
                s
            } else {
                let mut v = String::new();
                while i < chars.len() && !chars[i].is_whitespace() {
                    v.push(chars[i]);
                    i += 1;
                }
                v
            };
            Some((cmp, value))
        } else {
            None
        };
        let kind = if !not && op.is_none() && (key == "OR" || key == "ИЛИ") {
            Kind::Or
        } else {
            Kind::Plain { key, op }
        };
        out.push(Token {
            at,
            len: i - at,
            not,
            kind,
        });
    }
    Ok(out)
}

fn keyword(key: &str) -> Option<&'static str> {
    let k = fold(key);
    KEYWORDS
        .iter()
        .find(|w| w.names.iter().any(|n| fold(n) == k))
        .map(|w| w.names[0])
}

fn known() -> String {
    KEYWORDS
        .iter()
        .map(|k| k.names[0])
        .collect::<Vec<_>>()
        .join(", ")
}

/// One of `options` (code, names…) the value names: a code or name
/// exactly, else the one name beginning with it.
fn one_of<T: Clone>(value: &str, options: &[(T, Vec<String>)]) -> Result<T, Vec<String>> {
    let v = fold(value.trim());
    if let Some((t, _)) = options
        .iter()
        .find(|(_, names)| names.iter().any(|n| fold(n) == v))
    {
        return Ok(t.clone());
    }
    let found: Vec<&(T, Vec<String>)> = options
        .iter()
        .filter(|(_, names)| !v.is_empty() && names.iter().any(|n| fold(n).starts_with(&v)))
        .collect();
    match found.as_slice() {
        [(t, _)] => Ok(t.clone()),
        many => Err(many
            .iter()
            .map(|(_, names)| names.last().cloned().unwrap_or_default())
            .collect()),
    }
}

fn number(key: &str) -> Option<Number> {
    Some(match key {
        "срок" => Number::Due,
        "ждёт" => Number::Waiting,
        "голосов" => Number::Votes,
        "актуализация" => Number::Actualise,
        "заявок" => Number::Applications,
        "год" => Number::Year,
        "уровень" => Number::Level,
        _ => return None,
    })
}

/// The condition a keyword, comparison and value name.
fn condition(key: &'static str, cmp: Cmp, value: &str) -> Result<Cond, String> {
    if let Some(n) = number(key) {
        let digits = value
            .strip_suffix('д')
            .or_else(|| value.strip_suffix('d'))
            .unwrap_or(value);
        return digits
            .parse::<i64>()
            .map(|v| Cond::Number(n, cmp, v))
            .map_err(|_| format!("«{key}» сравнивается с числом: «{key}<3», «{key}:0»."));
    }
    if key == "просрочено" {
        return Err("«просрочено» пишется одним словом, без значения.".to_owned());
    }
    if cmp != Cmp::Eq {
        return Err(format!("«{key}» не сравнивается: пишите «{key}:ЗНАЧЕНИЕ»."));
    }
    if value.trim().is_empty() {
        return Err(format!("После «{key}:» нужно значение."));
    }
    let many = |what: &str, names: Vec<String>| {
        if names.is_empty() {
            format!("{what} «{value}» не найден.")
        } else {
            format!(
                "Под «{value}» подходят несколько: {}. Уточните.",
                names.join(", ")
            )
        }
    };
    let rd = refdata();
    Ok(match key {
        "статус" => {
            let options: Vec<(PracticeStatus, Vec<String>)> = PracticeStatus::ALL
                .iter()
                .map(|s| {
                    (
                        *s,
                        vec![
                            s.code().to_owned(),
                            s.id().to_owned(),
                            s.name().to_lowercase(),
                        ],
                    )
                })
                .collect();
            Cond::Status(one_of(value, &options).map_err(|n| many("Статус", n))?)
        }
        "регион" => {
            let r = rd
                .find_region(value)
                .or_else(|| rd.find_region(&format!("{value:0>2}")))
                .ok_or_else(|| many("Регион", Vec::new()))?;
            Cond::Region(r.code.clone())
        }
        "категория" => {
            let options: Vec<(String, Vec<String>)> = rd
                .categories
                .iter()
                .map(|c| (c.code.clone(), vec![c.code.clone(), c.name.to_lowercase()]))
                .collect();
            Cond::Category(one_of(value, &options).map_err(|n| many("Категория", n))?)
        }
        "маршрут" => {
            let options: Vec<_> = ROUTE_WORDS
                .iter()
                .map(|(r, w)| (*r, vec![r.code().to_owned(), (*w).to_owned()]))
                .collect();
            Cond::Route(one_of(value, &options).map_err(|n| many("Маршрут", n))?)
        }
        "автор" => Cond::Author(value.trim().to_lowercase()),
        _ => Cond::Expert(value.trim().to_lowercase()),
    })
}

/// Parses a query; the first wrong token is reported.
pub fn parse(text: &str) -> Result<Query, ParseError> {
    let mut q = Query {
        any: vec![Vec::new()],
    };
    let tokens = tokens(text)?;
    for (i, t) in tokens.iter().enumerate() {
        let cond = match &t.kind {
            Kind::Or => {
                let empty = q.any.last().is_none_or(Vec::is_empty);
                if empty || i + 1 == tokens.len() {
                    return Err(err(
                        t.at,
                        t.len,
                        "«OR» стоит между условиями: «срок<3 OR просрочено».".to_owned(),
                    ));
                }
                q.any.push(Vec::new());
                continue;
            }
            Kind::Phrase(p) if p.trim().is_empty() => {
                return Err(err(t.at, t.len, "Пустые кавычки.".to_owned()));
            }
            Kind::Phrase(p) => Cond::Phrase(p.trim().to_owned()),
            Kind::Plain { key, op: None } => match keyword(key) {
                Some("просрочено") => Cond::Overdue,
                Some(k) => {
                    return Err(err(
                        t.at,
                        t.len,
                        format!("После «{k}» нужно значение: например, «{k}:…» или «{k}<…»."),
                    ));
                }
                None => Cond::Word(key.clone()),
            },
            Kind::Plain {
                key,
                op: Some((cmp, value)),
            } => {
                let Some(k) = keyword(key) else {
                    return Err(err(
                        t.at,
                        key.chars().count() + usize::from(t.not),
                        format!(
                            "Неизвестное поле «{key}». Известны: {}. Список с примерами — «?».",
                            known()
                        ),
                    ));
                };
                condition(k, *cmp, value).map_err(|m| err(t.at, t.len, m))?
            }
        };
        if let Some(last) = q.any.last_mut() {
            last.push(Term { not: t.not, cond });
        }
    }
    if q.is_empty() {
        q.any.clear();
    }
    Ok(q)
}
