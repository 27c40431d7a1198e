//! The application layer: the one command path every caller — the CLI,
//! the workstation and the server — goes through.

pub mod accounts;
pub mod diff;
pub mod passport_json;
pub mod practice;
pub mod replication;
pub mod views;
pub mod workflow;
