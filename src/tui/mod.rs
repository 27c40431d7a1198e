//! The workstation's loop: the app, its worker thread, the actions keys
//! map to, the keymap, the theme and the status bar. Screens are in
//! `crate::screens`.

pub mod action;
pub mod app;
pub mod keymap;
pub mod theme;
pub mod ui;
pub mod worker;
