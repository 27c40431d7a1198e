//! The application layer: the one command path every caller — the CLI,
//! the workstation and the server — goes through. Each call gets a
//! [`Ctx`]: the store, the one clock and the calendar; each refusal is a
//! [`ServiceError`].

pub mod accounts;
pub mod club;
pub mod diff;
pub mod keys;
pub mod news;
pub mod ops;
pub mod passport_json;
pub mod people;
pub mod practice;
pub mod print;
pub mod query;
pub mod regions;
pub mod reminders;
pub mod replication;
pub mod rows;
pub mod selections;
pub mod views;
pub mod workflow;

use chrono::{DateTime, NaiveDate, Utc};

use crate::domain::calendar::{self, Calendar};
use crate::domain::clock::Clock;
use crate::store::{Store, StoreError};

/// What every service call works with.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    pub store: &'a Store,
    pub clock: &'a dyn Clock,
}

impl<'a> Ctx<'a> {
    pub fn new(store: &'a Store, clock: &'a dyn Clock) -> Self {
        Self { store, clock }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub fn today(&self) -> NaiveDate {
        self.clock.today()
    }

    /// The working-day calendar of the regulation's deadlines.
    pub fn calendar(&self) -> &'static Calendar {
        calendar::current()
    }
}

/// Why a command was not carried out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServiceError {
    /// Refused by the regulation's rules or the user's rights, with the
    /// reasons in Russian (no command-line syntax: the CLI adds its flags).
    #[error("Отказано: {}", sentence(.0))]
    Refused(Vec<String>),
    /// What was asked for does not exist, or is not the user's to see.
    #[error("{0}")]
    NotFound(String),
    /// The request itself is malformed: an unknown login, action or level.
    #[error("{0}")]
    BadInput(String),
    /// The store failed, not the rules: worth trying again.
    #[error("{0}")]
    Store(String),
}

/// The reasons as one text ending with a full stop.
fn sentence(reasons: &[String]) -> String {
    let mut text = reasons.join(" ");
    if !text.ends_with(['.', '!', '?', ')']) {
        text.push('.');
    }
    text
}

impl ServiceError {
    pub fn refused(reason: impl Into<String>) -> Self {
        Self::Refused(vec![reason.into()])
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::NotFound(message.into())
    }

    pub fn bad(message: impl Into<String>) -> Self {
        Self::BadInput(message.into())
    }

    /// The text shown to the user.
    pub fn message(&self) -> String {
        self.to_string()
    }

    pub fn is_bad_input(&self) -> bool {
        matches!(self, Self::BadInput(_))
    }

    pub fn is_internal(&self) -> bool {
        matches!(self, Self::Store(_))
    }

    /// The reasons of a refusal, or the one message of another error.
    pub fn reasons(&self) -> Vec<String> {
        match self {
            Self::Refused(r) => r.clone(),
            Self::NotFound(m) | Self::BadInput(m) | Self::Store(m) => vec![m.clone()],
        }
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            // A record that exists already is a refusal, not a fault.
            StoreError::Exists(_) => Self::refused(e.to_string()),
            e => Self::Store(e.to_string()),
        }
    }
}
