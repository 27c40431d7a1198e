//! Pure rules of the regulation: no IO, no async.
//!
//! Everything a user can be refused for, and every figure the regulation
//! fixes (field limits, deadlines, who may see what), lives here once; the
//! TUI, the CLI and the server call these functions.

pub mod access;
pub mod authoring;
pub mod calendar;
pub mod clock;
pub mod club;
pub mod command;
pub mod eligibility;
#[cfg(test)]
pub mod fixtures;
pub mod keys;
pub mod passport;
pub mod people;
pub mod pools;
pub mod query;
pub mod queue;
pub mod refdata;
pub mod regions;
pub mod replication;
pub mod rules;
pub mod russian;
pub mod selection;
pub mod status;
pub mod user;
pub mod workflow;

pub use passport::{Passport, Practice, PracticeId};
pub use status::{PracticeStatus, ReplicationStatus, Section};
pub use user::{Role, RoleGrant, User, UserId};
