//! The moderators' query language: conditions on where practices stand,
//! with Russian keywords and ASCII aliases, beside the free words of the
//! search line.
//!
//! ```text
//! статус:упаковка регион:16 категория:health -маршрут:отбор
//! срок<3 OR просрочено      ждёт>10 голосов<3 эксперт:expert1
//! актуализация<30д заявок:0 год:2025 автор:author уровень:2 "единое окно"
//! ```
//!
//! A query is alternatives joined by `OR`; each is a run of terms that
//! must all hold; `-` before a term negates it. [`Query`]'s `Display` is
//! the canonical text, and parsing it gives the same query back.

mod eval;
mod parse;

pub use eval::{Facts, Row};
pub use parse::{ParseError, parse};

use crate::domain::PracticeStatus;
use crate::domain::passport::Route;

/// A user's saved views: named queries, shown as tabs of «Очереди» and
/// kept on every workstation of theirs.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Views {
    pub user: crate::domain::UserId,
    /// (name, query), by name.
    pub views: Vec<(String, String)>,
}

/// A comparison of a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    pub fn text(self) -> &'static str {
        match self {
            Self::Eq => ":",
            Self::Lt => "<",
            Self::Le => "<=",
            Self::Gt => ">",
            Self::Ge => ">=",
        }
    }

    pub fn holds(self, left: i64, right: i64) -> bool {
        match self {
            Self::Eq => left == right,
            Self::Lt => left < right,
            Self::Le => left <= right,
            Self::Gt => left > right,
            Self::Ge => left >= right,
        }
    }
}

/// A field compared with a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Number {
    /// Working days left to the deadline of the stage (negative: past).
    Due,
    /// Calendar days the practice has waited in its stage.
    Waiting,
    /// Votes cast in the open expert vote.
    Votes,
    /// Days left to the yearly actualisation (negative: past).
    Actualise,
    /// Applications to replicate it.
    Applications,
    Year,
    Level,
}

/// One condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cond {
    Status(PracticeStatus),
    /// A region's code («16»).
    Region(String),
    /// A category's code.
    Category(String),
    Route(Route),
    /// A login, lower-case.
    Author(String),
    /// A login: an expert of the open vote, or the expert-moderator.
    Expert(String),
    Number(Number, Cmp, i64),
    /// A deadline or the yearly actualisation past.
    Overdue,
    /// A word of the search line, found by the search index.
    Word(String),
    /// Words in quotes, found together.
    Phrase(String),
}

/// A condition, or its negation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub not: bool,
    pub cond: Cond,
}

/// Alternatives (`OR`) of terms that must all hold.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    pub any: Vec<Vec<Term>>,
}

/// Whether a search line holds conditions rather than words alone: a
/// keyword with its comparison, `OR`, a negation, «просрочено». Then the
/// line is read as a query ([`parse`]); else the search index reads it.
pub fn has_conditions(text: &str) -> bool {
    text.split_whitespace().any(|w| {
        // «время: 30 дней», «10:00», «-10%» are words: a condition is a
        // name of letters, its sign and its value; a negation, of a word.
        let compared = w.find([':', '<', '>', '=']).is_some_and(|i| {
            let key = &w[..i];
            key.chars().count() >= 2
                && key.chars().all(char::is_alphabetic)
                && !w[i..].trim_start_matches(['<', '>', '=', ':']).is_empty()
        });
        let negated = w
            .strip_prefix('-')
            .and_then(|rest| rest.chars().next())
            .is_some_and(|c| c.is_alphabetic() || c == '"');
        w == "OR"
            || w == "ИЛИ"
            || negated
            || compared
            || ["просрочено", "overdue"].contains(&w.to_lowercase().as_str())
    })
}

impl Query {
    /// Whether the query says nothing: every practice matches.
    pub fn is_empty(&self) -> bool {
        self.any.iter().all(Vec::is_empty)
    }

    /// The words and phrases it asks the search index about.
    pub fn texts(&self) -> Vec<&Cond> {
        let mut out: Vec<&Cond> = Vec::new();
        for t in self.any.iter().flatten() {
            if matches!(t.cond, Cond::Word(_) | Cond::Phrase(_)) && !out.contains(&&t.cond) {
                out.push(&t.cond);
            }
        }
        out
    }
}

/// A keyword: its Russian name first (as printed), then the names it is
/// also known by, and an example for the help.
pub struct Keyword {
    pub names: &'static [&'static str],
    pub example: &'static str,
    pub meaning: &'static str,
}

/// Every keyword, in the order the help lists them.
pub const KEYWORDS: &[Keyword] = &[
    Keyword {
        names: &["статус", "status"],
        example: "статус:упаковка",
        meaning: "этап: черновик, подтверждение, упаковка, экспертная, верификация, публикация, опубликована, актуализация, база, отклонена, удалена (или W-0…W-9)",
    },
    Keyword {
        names: &["регион", "region"],
        example: "регион:16",
        meaning: "регион автора: код или название",
    },
    Keyword {
        names: &["категория", "category"],
        example: "категория:здравоохранение",
        meaning: "категория: код или начало названия",
    },
    Keyword {
        names: &["маршрут", "route"],
        example: "маршрут:отбор",
        meaning: "основание подачи: инициатива, рекомендация, запрос, проект, отбор",
    },
    Keyword {
        names: &["автор", "author"],
        example: "автор:petrov",
        meaning: "логин автора",
    },
    Keyword {
        names: &["эксперт", "expert"],
        example: "эксперт:ivanov",
        meaning: "логин эксперта голосования или эксперта-модератора",
    },
    Keyword {
        names: &["срок", "due"],
        example: "срок<3",
        meaning: "рабочих дней до срока этапа (меньше нуля — прошёл)",
    },
    Keyword {
        names: &["ждёт", "ждет", "waiting"],
        example: "ждёт>10",
        meaning: "дней на текущем этапе",
    },
    Keyword {
        names: &["голосов", "votes"],
        example: "голосов<3",
        meaning: "поданных голосов экспертов",
    },
    Keyword {
        names: &["актуализация", "actualise"],
        example: "актуализация<30д",
        meaning: "дней до ежегодной актуализации",
    },
    Keyword {
        names: &["заявок", "applications"],
        example: "заявок:0",
        meaning: "заявок на внедрение",
    },
    Keyword {
        names: &["год", "year"],
        example: "год:2025",
        meaning: "год начала реализации",
    },
    Keyword {
        names: &["уровень", "level"],
        example: "уровень:2",
        meaning: "уровень практики: 1, 2 или 3",
    },
    Keyword {
        names: &["просрочено", "overdue"],
        example: "просрочено",
        meaning: "срок этапа или актуализации прошёл",
    },
];

/// The routes' words in the language, as printed.
pub const ROUTE_WORDS: [(Route, &str); 5] = [
    (Route::OwnInitiative, "инициатива"),
    (Route::Recommendation, "рекомендация"),
    (Route::AgencyRequest, "запрос"),
    (Route::AgencyProject, "проект"),
    (Route::Selection, "отбор"),
];

fn number_key(n: Number) -> &'static str {
    match n {
        Number::Due => "срок",
        Number::Waiting => "ждёт",
        Number::Votes => "голосов",
        Number::Actualise => "актуализация",
        Number::Applications => "заявок",
        Number::Year => "год",
        Number::Level => "уровень",
    }
}

/// A value as typed back: bare when it is one plain token, else quoted.
fn value(v: &str) -> String {
    if v.is_empty() || v.chars().any(|c| c.is_whitespace() || "\"<>=:".contains(c)) {
        format!("\"{v}\"")
    } else {
        v.to_owned()
    }
}

impl std::fmt::Display for Cond {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Status(s) => write!(f, "статус:{}", value(&s.name().to_lowercase())),
            Self::Region(c) => write!(f, "регион:{}", value(c)),
            Self::Category(c) => write!(f, "категория:{}", value(c)),
            Self::Route(r) => {
                let word = ROUTE_WORDS
                    .iter()
                    .find(|(x, _)| x == r)
                    .map_or(r.code(), |(_, w)| w);
                write!(f, "маршрут:{word}")
            }
            Self::Author(l) => write!(f, "автор:{}", value(l)),
            Self::Expert(l) => write!(f, "эксперт:{}", value(l)),
            Self::Number(n, c, v) => write!(f, "{}{}{v}", number_key(*n), c.text()),
            Self::Overdue => f.write_str("просрочено"),
            Self::Word(w) => f.write_str(w),
            Self::Phrase(p) => write!(f, "\"{p}\""),
        }
    }
}

impl std::fmt::Display for Query {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let alternatives: Vec<String> = self
            .any
            .iter()
            .map(|terms| {
                terms
                    .iter()
                    .map(|t| format!("{}{}", if t.not { "-" } else { "" }, t.cond))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        f.write_str(&alternatives.join(" OR "))
    }
}

#[cfg(test)]
mod tests;
