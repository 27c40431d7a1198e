//! The one source of time. Every rule that needs "now" is given it; the
//! program reads it from one clock, injected through the service context,
//! so tests and the demo (`--today`) fix it.

use std::sync::Mutex;

use chrono::{DateTime, Local, NaiveDate, Utc};

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;

    /// Today's date where the program runs.
    fn today(&self) -> NaiveDate {
        self.now().with_timezone(&Local).date_naive()
    }
}

/// The machine's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

/// The machine's clock, for callers that hold none of their own.
pub static SYSTEM: SystemClock = SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stands still until moved: tests and the demo's `--today`.
#[derive(Debug)]
pub struct FixedClock(Mutex<DateTime<Utc>>);

impl FixedClock {
    pub fn new(at: DateTime<Utc>) -> Self {
        Self(Mutex::new(at))
    }

    /// Noon of `day`, UTC.
    pub fn on(day: NaiveDate) -> Self {
        Self::new(day.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc())
    }

    pub fn set(&self, at: DateTime<Utc>) {
        *self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = at;
    }

    pub fn advance(&self, by: chrono::Duration) {
        let mut at = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *at += by;
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        *self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn today(&self) -> NaiveDate {
        self.now().date_naive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_clock_moves_only_when_told() {
        let day = NaiveDate::from_ymd_opt(2025, 3, 14).expect("a date");
        let c = FixedClock::on(day);
        assert_eq!(c.today(), day);
        let before = c.now();
        c.advance(chrono::Duration::days(2));
        assert_eq!(c.now() - before, chrono::Duration::days(2));
        assert_eq!(c.today(), day + chrono::Duration::days(2));
    }
}
