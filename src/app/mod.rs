//! The Elm-architecture core of the TUI: the pure update, the view that
//! mounts and lays out the components, and the runtime that carries out
//! effects. The shared types live in `crate::ui`.

pub mod history_file;
mod input;
mod pointer;
mod recall;
pub mod runtime;
mod transcript_actions;
pub mod update;
pub mod view;
mod workspace_eval;

pub use crate::ui::{Connection, Focus, Model, Msg, TranscriptEntry};
pub use update::{Effect, update};
