//! The Elm-architecture core of the TUI: the pure update, the view that
//! mounts and lays out the components, and the runtime that carries out
//! effects. The shared types live in `crate::ui`.

mod browser;
mod browser_edit;
mod browser_nav;
mod browser_protocol;
mod browser_remove;
mod clipboard;
mod completion;
mod debugger;
mod diagnostics;
mod editing;
pub mod history_file;
mod input;
mod inspector;
mod inspector_eval;
mod inspector_result;
mod lower_pane;
mod messages;
mod palette;
mod pointer;
mod reach;
mod recall;
pub mod runtime;
#[cfg(test)]
mod status_tests;
mod tools;
mod transcript_actions;
mod trust;
pub mod update;
pub mod view;
mod whole_value;
mod workspace_eval;
pub mod workspace_files;
pub mod workspaces;

pub use crate::ui::{Connection, Focus, Model, Msg, TranscriptEntry};
pub use update::{Effect, update};
