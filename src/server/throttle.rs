//! Refused logins, counted per account and per address: after a few
//! failures the next attempt waits, twice as long each time, up to a
//! quarter of an hour. A success clears the account's and the address's
//! count.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Failures allowed before attempts have to wait.
const FREE: u32 = 5;
const FIRST_WAIT: Duration = Duration::from_secs(2);
const LONGEST_WAIT: Duration = Duration::from_secs(15 * 60);
/// An address may fail more often: several people share one.
const ADDRESS_FACTOR: u32 = 4;

#[derive(Debug, Default, Clone, Copy)]
struct Count {
    failures: u32,
    until: Option<Instant>,
}

impl Count {
    fn wait(&self, now: Instant) -> Option<Duration> {
        self.until
            .and_then(|u| u.checked_duration_since(now))
            .filter(|d| !d.is_zero())
    }

    fn fail(&mut self, free: u32, now: Instant) {
        self.failures += 1;
        if self.failures > free {
            let power = (self.failures - free - 1).min(16);
            let wait = FIRST_WAIT.saturating_mul(1 << power).min(LONGEST_WAIT);
            self.until = Some(now + wait);
        }
    }
}

#[derive(Debug, Default)]
pub struct Throttle {
    accounts: HashMap<String, Count>,
    addresses: HashMap<String, Count>,
}

impl Throttle {
    /// How long the attempt must wait, if it must.
    pub fn refused(&self, login: &str, ip: &str, now: Instant) -> Option<Duration> {
        let a = self.accounts.get(login).and_then(|c| c.wait(now));
        let b = self.addresses.get(ip).and_then(|c| c.wait(now));
        a.max(b)
    }

    pub fn failed(&mut self, login: &str, ip: &str, now: Instant) {
        self.accounts
            .entry(login.to_owned())
            .or_default()
            .fail(FREE, now);
        self.addresses
            .entry(ip.to_owned())
            .or_default()
            .fail(FREE * ADDRESS_FACTOR, now);
        // Bounded memory under a flood of made-up logins.
        if self.accounts.len() > 100_000 {
            self.accounts.retain(|_, c| c.wait(now).is_some());
        }
    }

    pub fn succeeded(&mut self, login: &str, ip: &str) {
        self.accounts.remove(login);
        self.addresses.remove(ip);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_after_the_free_attempts_and_a_success_clears() {
        let mut t = Throttle::default();
        let now = Instant::now();
        for _ in 0..FREE {
            assert!(t.refused("author", "10.0.0.1", now).is_none());
            t.failed("author", "10.0.0.1", now);
        }
        assert!(
            t.refused("author", "10.0.0.1", now).is_none(),
            "five are free"
        );
        t.failed("author", "10.0.0.1", now);
        assert_eq!(t.refused("author", "10.0.0.1", now), Some(FIRST_WAIT));
        // Another address does not help the account…
        assert!(t.refused("author", "10.0.0.2", now).is_some());
        // …and the address does not lock other accounts yet.
        assert!(t.refused("expert1", "10.0.0.1", now).is_none());
        t.failed("author", "10.0.0.1", now);
        assert_eq!(t.refused("author", "10.0.0.1", now), Some(FIRST_WAIT * 2));
        assert!(
            t.refused("author", "10.0.0.1", now + FIRST_WAIT * 3)
                .is_none()
        );
        t.succeeded("author", "10.0.0.1");
        assert!(t.refused("author", "10.0.0.1", now).is_none());
    }

    #[test]
    fn an_address_trying_many_accounts_is_slowed() {
        let mut t = Throttle::default();
        let now = Instant::now();
        for i in 0..=FREE * ADDRESS_FACTOR {
            t.failed(&format!("u{i}"), "10.0.0.9", now);
        }
        assert!(t.refused("someone", "10.0.0.9", now).is_some());
        assert!(t.refused("someone", "10.0.0.8", now).is_none());
    }
}
