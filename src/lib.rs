//! «Смартека»: the catalogue of effective regional management practices —
//! a terminal workstation, with its domain rules, embedded store and search.

pub mod auth;
pub mod demo;
pub mod domain;
pub mod search;
pub mod store;
