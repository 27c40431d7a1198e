//! Sign-in attempts, counted before the password is checked: per account
//! and address together, per address, and per account from anywhere. After
//! a few attempts the next one waits, twice as long each time. A success
//! gives back its own attempt but clears nobody else's count, so signing in
//! to one's own account between guesses does not reset the address; and
//! the count per account alone is capped at a minute, so someone guessing
//! from elsewhere slows the real user down without locking them out.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Attempts of one account from one address before waits begin.
const PAIR_FREE: u32 = 5;
/// An address may try more: several people share one.
const ADDRESS_FREE: u32 = 20;
/// An account, from every address together.
const ACCOUNT_FREE: u32 = 20;
const FIRST_WAIT: Duration = Duration::from_secs(2);
const LONGEST_WAIT: Duration = Duration::from_secs(15 * 60);
/// The longest an account is made to wait by attempts from other addresses.
const ACCOUNT_LONGEST: Duration = Duration::from_secs(60);
/// Counts forgotten after this long without an attempt.
const FORGET: Duration = Duration::from_secs(60 * 60);

#[derive(Debug, Clone, Copy)]
struct Count {
    attempts: u32,
    until: Option<Instant>,
    last: Instant,
}

impl Count {
    fn new(now: Instant) -> Self {
        Self {
            attempts: 0,
            until: None,
            last: now,
        }
    }

    fn wait(&self, now: Instant) -> Option<Duration> {
        self.until
            .and_then(|u| u.checked_duration_since(now))
            .filter(|d| !d.is_zero())
    }

    fn count(&mut self, free: u32, longest: Duration, now: Instant) {
        // An hour without attempts: start afresh.
        if now.saturating_duration_since(self.last) >= FORGET {
            self.attempts = 0;
        }
        self.attempts += 1;
        self.last = now;
        if self.attempts > free {
            let power = (self.attempts - free - 1).min(16);
            let wait = FIRST_WAIT.saturating_mul(1 << power).min(longest);
            self.until = Some(now + wait);
        }
    }

    fn give_back(&mut self) {
        self.attempts = self.attempts.saturating_sub(1);
    }
}

#[derive(Debug, Default)]
pub struct Throttle {
    pairs: HashMap<(String, String), Count>,
    addresses: HashMap<String, Count>,
    accounts: HashMap<String, Count>,
}

impl Throttle {
    /// Counts an attempt before the password is checked; refused (with how
    /// long to wait) while a wait is on, and then not counted.
    pub fn attempt(&mut self, login: &str, ip: &str, now: Instant) -> Result<(), Duration> {
        let key = (login.to_owned(), ip.to_owned());
        let waits = [
            self.pairs.get(&key).and_then(|c| c.wait(now)),
            self.addresses.get(ip).and_then(|c| c.wait(now)),
            self.accounts.get(login).and_then(|c| c.wait(now)),
        ];
        if let Some(w) = waits.into_iter().flatten().max() {
            return Err(w);
        }
        self.pairs
            .entry(key)
            .or_insert_with(|| Count::new(now))
            .count(PAIR_FREE, LONGEST_WAIT, now);
        self.addresses
            .entry(ip.to_owned())
            .or_insert_with(|| Count::new(now))
            .count(ADDRESS_FREE, LONGEST_WAIT, now);
        self.accounts
            .entry(login.to_owned())
            .or_insert_with(|| Count::new(now))
            .count(ACCOUNT_FREE, ACCOUNT_LONGEST, now);
        // Bounded memory under a flood of made-up logins.
        if self.pairs.len() + self.accounts.len() > 200_000 {
            let stale = |c: &mut Count| c.wait(now).is_some() || now - c.last < FORGET;
            self.pairs.retain(|_, c| stale(c));
            self.accounts.retain(|_, c| stale(c));
            self.addresses.retain(|_, c| stale(c));
        }
        Ok(())
    }

    /// The password was right: this pair starts afresh, and the attempt is
    /// given back to the address and the account — their other counts stay.
    pub fn succeeded(&mut self, login: &str, ip: &str) {
        self.pairs.remove(&(login.to_owned(), ip.to_owned()));
        if let Some(c) = self.addresses.get_mut(ip) {
            c.give_back();
        }
        if let Some(c) = self.accounts.get_mut(login) {
            c.give_back();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempts_are_counted_before_the_check_and_waits_double() {
        let mut t = Throttle::default();
        let now = Instant::now();
        // Thirty at once: the free ones and the first that sets a wait go
        // through, the rest are refused without a password check.
        let through = (0..30)
            .filter(|_| t.attempt("author", "10.0.0.1", now).is_ok())
            .count();
        assert_eq!(through as u32, PAIR_FREE + 1);
        assert_eq!(t.attempt("author", "10.0.0.1", now), Err(FIRST_WAIT));
        let later = now + FIRST_WAIT;
        assert!(t.attempt("author", "10.0.0.1", later).is_ok());
        assert_eq!(t.attempt("author", "10.0.0.1", later), Err(FIRST_WAIT * 2));
    }

    #[test]
    fn a_success_does_not_clear_the_address_for_other_accounts() {
        let mut t = Throttle::default();
        let now = Instant::now();
        // Guesses at many accounts from one address, with the guesser's own
        // successful sign-in after every few.
        let mut refused = false;
        for i in 0..(ADDRESS_FREE * 2) {
            if t.attempt(&format!("u{i}"), "10.0.0.9", now).is_err() {
                refused = true;
                break;
            }
            if i % 3 == 0 && t.attempt("mine", "10.0.0.9", now).is_ok() {
                t.succeeded("mine", "10.0.0.9");
            }
        }
        assert!(
            refused,
            "the address is slowed in spite of its own successes"
        );
        assert!(t.attempt("someone", "10.0.0.8", now).is_ok());
    }

    #[test]
    fn guesses_from_elsewhere_slow_the_owner_for_a_minute_at_most() {
        let mut t = Throttle::default();
        let mut now = Instant::now();
        let mut longest = Duration::ZERO;
        // A guesser that changes address every time and tries as soon as
        // it may, for a long while.
        for i in 0..200 {
            match t.attempt("expert1", &format!("10.1.{}.{}", i / 250, i % 250), now) {
                Ok(()) => {}
                Err(w) => {
                    longest = longest.max(w);
                    now += w;
                }
            }
        }
        assert_eq!(
            longest, ACCOUNT_LONGEST,
            "waits grew to the cap and no further"
        );
        // The owner, from their own address, waits at most that long.
        match t.attempt("expert1", "192.0.2.1", now) {
            Ok(()) => {}
            Err(w) => {
                assert!(w <= ACCOUNT_LONGEST, "{w:?}");
                assert!(t.attempt("expert1", "192.0.2.1", now + w).is_ok());
            }
        }
    }

    #[test]
    fn counts_start_afresh_after_an_hour_without_attempts() {
        let mut t = Throttle::default();
        let now = Instant::now();
        for _ in 0..=ADDRESS_FREE {
            let _ = t.attempt(&format!("u{}", rand_login()), "10.0.0.5", now);
        }
        assert!(t.attempt("someone", "10.0.0.5", now).is_err());
        let later = now + FORGET + LONGEST_WAIT;
        // The old count is forgotten: the free attempts are free again.
        for i in 0..ADDRESS_FREE {
            assert!(
                t.attempt(&format!("v{i}"), "10.0.0.5", later).is_ok(),
                "attempt {i}"
            );
        }
    }

    fn rand_login() -> u32 {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    }
}
