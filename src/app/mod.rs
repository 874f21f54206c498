//! The Elm-architecture core of the TUI: model, messages, pure update, and the runtime.

pub mod model;
pub mod msg;
pub mod runtime;
pub mod update;
pub mod view;

pub use model::{Connection, Focus, Model, TranscriptEntry};
pub use msg::Msg;
pub use update::{Effect, update};
