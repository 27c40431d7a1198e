//! «Смартека»: the catalogue of effective regional management practices —
//! a terminal workstation, a central instance and offline sync, over one
//! application layer.
//!
//! The folders are the layers, and imports point down only (checked by
//! `tests/layers.rs`):
//! `domain` ← `sync::protocol` ← `store` ← `search` ← `service` ←
//! {`sync::client`, `server`, `demo`} ← {`tui`, `screens`} ← `ssh` ←
//! {`cli`, `config`}.

pub mod cli;
pub mod config;
pub mod demo;
pub mod domain;
pub mod screens;
pub mod search;
pub mod server;
pub mod service;
pub mod ssh;
pub mod store;
pub mod sync;
pub mod tui;
