//! The Russian production calendar: working days, holidays and the
//! government's day transfers, one data file per year.
//!
//! Shipped years live in `assets/calendars/YYYY.toml`; an administrator may
//! drop a newer file into the data directory's `calendars/` folder (see
//! `config.example.toml`). For a year without a file the calendar falls back
//! to the five-day week and the public holidays of Art. 112 of the Labour
//! Code, and says it is provisional.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::Deserialize;

/// One year's file.
#[derive(Debug, Clone, Deserialize)]
pub struct YearFile {
    pub year: i32,
    #[serde(default)]
    pub source: String,
    /// Monday–Friday dates that are not working days.
    #[serde(default)]
    pub days_off: Vec<NaiveDate>,
    /// Saturdays and Sundays that are working days.
    #[serde(default)]
    pub working_weekends: Vec<NaiveDate>,
}

impl YearFile {
    /// Parses and checks a year file: every date in its year, days off on
    /// weekdays, working days on weekends. Errors are Russian.
    pub fn parse(text: &str) -> Result<Self, String> {
        let f: YearFile =
            toml::from_str(text).map_err(|e| format!("файл календаря не разобран: {e}"))?;
        for d in f.days_off.iter().chain(&f.working_weekends) {
            if d.year() != f.year {
                return Err(format!("дата {d} не относится к {} году", f.year));
            }
        }
        if let Some(d) = f.days_off.iter().find(|d| is_weekend(**d)) {
            return Err(format!(
                "{d} — выходной по календарю, его не нужно перечислять в days_off"
            ));
        }
        if let Some(d) = f.working_weekends.iter().find(|d| !is_weekend(**d)) {
            return Err(format!(
                "{d} — не суббота и не воскресенье, а указан в working_weekends"
            ));
        }
        Ok(f)
    }
}

const SHIPPED: [&str; 3] = [
    include_str!("../../assets/calendars/2024.toml"),
    include_str!("../../assets/calendars/2025.toml"),
    include_str!("../../assets/calendars/2026.toml"),
];

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

#[derive(Debug, Clone, Default)]
struct YearDays {
    days_off: BTreeSet<NaiveDate>,
    working_weekends: BTreeSet<NaiveDate>,
}

/// A production calendar over any number of years.
#[derive(Debug, Clone)]
pub struct Calendar {
    years: BTreeMap<i32, YearDays>,
}

static CURRENT: std::sync::OnceLock<Calendar> = std::sync::OnceLock::new();

/// Makes `c` the calendar of this process (the shipped years plus the
/// administrator's files). The first call wins; later ones are ignored.
pub fn install(c: Calendar) {
    let _ = CURRENT.set(c);
}

/// The calendar of this process: the installed one, else the shipped one.
pub fn current() -> &'static Calendar {
    CURRENT.get_or_init(Calendar::shipped)
}

impl Default for Calendar {
    fn default() -> Self {
        Self::shipped()
    }
}

impl Calendar {
    /// The calendars shipped with the program (2024–2026).
    pub fn shipped() -> Self {
        let mut c = Self {
            years: BTreeMap::new(),
        };
        for text in SHIPPED {
            let f = YearFile::parse(text)
                .unwrap_or_else(|e| panic!("embedded production calendar is malformed: {e}"));
            c.insert(f);
        }
        c
    }

    /// Adds or replaces one year.
    pub fn insert(&mut self, f: YearFile) {
        self.years.insert(
            f.year,
            YearDays {
                days_off: f.days_off.into_iter().collect(),
                working_weekends: f.working_weekends.into_iter().collect(),
            },
        );
    }

    /// Whether the year has a published calendar; without one the calendar
    /// for it is provisional (Art. 112 only, no transfers).
    pub fn is_provisional(&self, year: i32) -> bool {
        !self.years.contains_key(&year)
    }

    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        match self.years.get(&d.year()) {
            Some(y) => {
                if is_weekend(d) {
                    y.working_weekends.contains(&d)
                } else {
                    !y.days_off.contains(&d)
                }
            }
            None => !is_weekend(d) && !article_112_day_off(d),
        }
    }

    /// The date `n` working days after `from` (`from` itself is not
    /// counted). With `n == 0`, `from` if it is a working day, else the next
    /// working day.
    pub fn add_working_days(&self, from: NaiveDate, n: u32) -> NaiveDate {
        let mut d = from;
        if n == 0 {
            while !self.is_working_day(d) {
                d += Duration::days(1);
            }
            return d;
        }
        let mut left = n;
        while left > 0 {
            d += Duration::days(1);
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// Working days in `(from, to]`: how many working days have passed from
    /// `from` until `to`. Negative when `to` is before `from`.
    /// Counted by weeks, then the year's days off and working weekends in
    /// the span: as quick for years as for days.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        if to < from {
            return -self.working_days_between(to, from);
        }
        let inside = |d: &NaiveDate| *d > from && *d <= to;
        let mut n = weekdays_after(from, to);
        for year in from.year()..=to.year() {
            if let Some(y) = self.years.get(&year) {
                let off = y.days_off.iter().filter(|d| inside(d) && !is_weekend(**d));
                let on = y
                    .working_weekends
                    .iter()
                    .filter(|d| inside(d) && is_weekend(**d));
                n += on.count() as i64 - off.count() as i64;
            } else {
                let off = article_112_candidates(year)
                    .into_iter()
                    .filter(|d| inside(d) && !is_weekend(*d) && article_112_day_off(*d));
                n -= off.count() as i64;
            }
        }
        n
    }

    /// Working days in a whole year.
    pub fn working_days_in_year(&self, year: i32) -> i64 {
        let (Some(start), Some(end)) = (
            NaiveDate::from_ymd_opt(year - 1, 12, 31),
            NaiveDate::from_ymd_opt(year, 12, 31),
        ) else {
            return 0;
        };
        self.working_days_between(start, end)
    }
}

/// Art. 112 of the Labour Code: the non-working public holidays, and the
/// rule that a holiday on a weekend (other than the January ones, which the
/// government moves by decree) gives the next working day off.
fn article_112_day_off(d: NaiveDate) -> bool {
    let holiday = |m: u32, day: u32| -> bool {
        matches!(
            (m, day),
            (1, 1..=8) | (2, 23) | (3, 8) | (5, 1 | 9) | (6, 12) | (11, 4)
        )
    };
    if holiday(d.month(), d.day()) {
        return true;
    }
    if d.weekday() != Weekday::Mon {
        return false;
    }
    // A Monday is off if the preceding Saturday or Sunday was a
    // non-January holiday (two holidays never fall on one weekend here).
    [1, 2].iter().any(|back| {
        let p = d - Duration::days(*back);
        p.month() != 1 && holiday(p.month(), p.day())
    })
}

/// Monday to Friday in `(from, to]`.
fn weekdays_after(from: NaiveDate, to: NaiveDate) -> i64 {
    let days = (to - from).num_days();
    let mut n = days / 7 * 5;
    let mut d = from + Duration::days(days / 7 * 7);
    while d < to {
        d += Duration::days(1);
        if !is_weekend(d) {
            n += 1;
        }
    }
    n
}

/// Every day of `year` Art. 112 may make a day off: the January holidays,
/// the others, and the two days after each (a Monday it moves to).
fn article_112_candidates(year: i32) -> Vec<NaiveDate> {
    let mut out: Vec<NaiveDate> = (1..=8)
        .filter_map(|d| NaiveDate::from_ymd_opt(year, 1, d))
        .collect();
    for (m, day) in [(2, 23), (3, 8), (5, 1), (5, 9), (6, 12), (11, 4)] {
        if let Some(h) = NaiveDate::from_ymd_opt(year, m, day) {
            out.extend([h, h + Duration::days(1), h + Duration::days(2)]);
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// A date as people type it: «12.01.2026» (as the program shows dates) or
/// «2026-01-12».
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    NaiveDate::parse_from_str(t, "%d.%m.%Y")
        .or_else(|_| NaiveDate::parse_from_str(t, "%Y-%m-%d"))
        .ok()
}

/// The message for a text that is not a date.
pub fn not_a_date(text: &str) -> String {
    format!(
        "«{}» — не дата: укажите ДД.ММ.ГГГГ или ГГГГ-ММ-ДД.",
        text.trim()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Day by day, as the rule reads.
    fn counted(c: &Calendar, from: NaiveDate, to: NaiveDate) -> i64 {
        if to < from {
            return -counted(c, to, from);
        }
        let mut n = 0;
        let mut d = from;
        while d < to {
            d += Duration::days(1);
            n += i64::from(c.is_working_day(d));
        }
        n
    }

    #[test]
    fn working_days_by_weeks_are_those_counted_day_by_day() {
        let c = Calendar::shipped();
        let start = NaiveDate::from_ymd_opt(2022, 11, 20).expect("day");
        // Spans across published years and provisional ones, both ways.
        for i in 0..400 {
            let from = start + Duration::days(i * 7 % 1500);
            for len in [0, 1, 2, 5, 6, 7, 8, 13, 31, 90, 365, 800] {
                let to = from + Duration::days(len + i % 5);
                assert_eq!(
                    c.working_days_between(from, to),
                    counted(&c, from, to),
                    "{from} → {to}"
                );
                assert_eq!(c.working_days_between(to, from), counted(&c, to, from));
            }
        }
    }

    #[test]
    fn dates_as_shown_and_as_iso() {
        let d = NaiveDate::from_ymd_opt(2026, 1, 12).expect("date");
        assert_eq!(parse_date("12.01.2026"), Some(d));
        assert_eq!(parse_date(" 2026-01-12 "), Some(d));
        assert_eq!(parse_date("31.02.2026"), None);
        assert_eq!(parse_date("2026-13-01"), None);
        assert!(not_a_date("завтра").contains("ДД.ММ.ГГГГ"));
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    #[test]
    fn shipped_years_have_the_official_totals() {
        let c = Calendar::shipped();
        assert_eq!(c.working_days_in_year(2024), 248);
        assert_eq!(c.working_days_in_year(2025), 247);
        assert_eq!(c.working_days_in_year(2026), 247);
        assert!(!c.is_provisional(2025));
        assert!(c.is_provisional(2027));
    }

    #[test]
    fn five_working_days_from_a_friday_before_12_june() {
        let c = Calendar::shipped();
        // 2024: Fri 7 June; 12 June (Wed) is a holiday.
        assert_eq!(c.add_working_days(date(2024, 6, 7), 5), date(2024, 6, 17));
        // 2025: Fri 6 June; 12 and 13 June are days off.
        assert_eq!(c.add_working_days(date(2025, 6, 6), 5), date(2025, 6, 17));
        // 2026: Fri 5 June; 12 June is a Friday holiday.
        assert_eq!(c.add_working_days(date(2026, 6, 5), 5), date(2026, 6, 15));
    }

    #[test]
    fn across_the_new_year_holidays() {
        let c = Calendar::shipped();
        // Fri 26 Dec 2025: 29, 30 Dec; 31 Dec and 1–11 Jan 2026 off; 12, 13, 14 Jan.
        assert_eq!(c.add_working_days(date(2025, 12, 26), 5), date(2026, 1, 14));
        assert_eq!(
            c.working_days_between(date(2025, 12, 26), date(2026, 1, 14)),
            5
        );
        // Working Saturday 28 Dec 2024 counts; 30, 31 Dec and 1–8 Jan do not.
        assert_eq!(
            c.add_working_days(date(2024, 12, 27), 1),
            date(2024, 12, 28)
        );
        assert_eq!(c.add_working_days(date(2024, 12, 28), 1), date(2025, 1, 9));
    }

    #[test]
    fn between_is_antisymmetric_and_zero_on_same_day() {
        let c = Calendar::shipped();
        let a = date(2025, 3, 3);
        let b = date(2025, 3, 17);
        assert_eq!(c.working_days_between(a, b), 10);
        assert_eq!(c.working_days_between(b, a), -10);
        assert_eq!(c.working_days_between(a, a), 0);
        assert_eq!(c.add_working_days(date(2025, 3, 8), 0), date(2025, 3, 10));
    }

    #[test]
    fn provisional_year_follows_article_112() {
        let c = Calendar::shipped();
        // 2027: 1–8 January off, 23 Feb (Tue) off.
        assert!(!c.is_working_day(date(2027, 1, 8)));
        assert!(c.is_working_day(date(2027, 1, 11)));
        assert!(!c.is_working_day(date(2027, 2, 23)));
        // 2027-05-09 is a Sunday: Monday 10 May is off.
        assert!(!c.is_working_day(date(2027, 5, 10)));
        assert!(c.is_working_day(date(2027, 5, 11)));
    }

    #[test]
    fn a_replacement_file_overrides_a_year() {
        let mut c = Calendar::shipped();
        let f = YearFile::parse(
            "year = 2027\ndays_off = [\"2027-01-11\"]\nworking_weekends = [\"2027-01-16\"]\n",
        )
        .expect("valid file");
        c.insert(f);
        assert!(!c.is_provisional(2027));
        assert!(!c.is_working_day(date(2027, 1, 11)));
        assert!(c.is_working_day(date(2027, 1, 16)));
        // A file replaces the Art. 112 fallback whole: 23 Feb is not listed.
        assert!(c.is_working_day(date(2027, 2, 23)));
    }

    #[test]
    fn malformed_files_are_refused_in_russian() {
        let e = YearFile::parse("year = 2027\ndays_off = [\"2026-01-01\"]").expect_err("refused");
        assert!(e.contains("не относится к 2027"), "{e}");
        let e = YearFile::parse("year = 2027\ndays_off = [\"2027-01-02\"]").expect_err("refused");
        assert!(e.contains("выходной"), "{e}");
        assert!(YearFile::parse("year = ").is_err());
    }
}
