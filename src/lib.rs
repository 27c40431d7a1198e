//! «Смартека»: the catalogue of effective regional management practices —
//! a terminal workstation, with its domain rules, embedded store and search.

pub mod action;
pub mod admin;
pub mod app;
pub mod auth;
pub mod bench;
pub mod cli;
pub mod client;
pub mod config;
pub mod demo;
pub mod diff;
pub mod domain;
pub mod exec;
pub mod keymap;
pub mod passport_json;
pub mod practice_cli;
pub mod replication;
pub mod replication_cli;
pub mod review;
pub mod screens;
pub mod search;
pub mod server;
pub mod store;
pub mod sync;
pub mod theme;
pub mod ui;
pub mod worker;
pub mod workflow_cli;
