//! STUI: a keyboard-driven terminal IDE for a live Smalltalk image.

pub mod app;
pub mod changes;
pub mod cli;
pub mod components;
pub mod config;
pub mod conformance;
pub mod net;
pub mod paths;
pub mod protocol;
pub mod security;
pub mod server;
pub mod ui;
