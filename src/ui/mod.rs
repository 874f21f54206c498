//! What `app` and `components` share: the model, the messages and the view
//! state. Components import this module, never `app`.

pub mod browser;
pub mod browser_columns;
pub mod browser_edit;
pub mod browser_protocol;
pub mod browser_remove;
pub mod completion;
pub mod completion_site;
pub mod debugger;
pub mod editor;
pub mod editor_commands;
pub mod help_filter;
pub mod history;
pub mod inspector;
pub mod lexer;
pub mod messages;
pub mod model;
pub mod msg;
pub mod palette;
pub mod reach;
pub mod statement;
pub mod status;
pub mod transcript_filter;
pub mod transcript_search;
pub mod transcript_view;
pub mod trust;
pub mod undo;
pub mod workspaces;

use std::cell::RefCell;
use std::rc::Rc;

pub use history::{History, HistorySearch};
pub use model::{Connection, Focus, Model, Pending, Purpose, TranscriptEntry, ViewState};
pub use msg::{EditCommand, InterruptChoice, Msg, Scroll, SearchKey, SearchStep};
pub use workspaces::{PromptKey, PromptKind, WorkspaceMsg, Workspaces};

/// The one model, owned here: `update` changes it, components read it to draw.
pub type SharedModel = Rc<RefCell<Model>>;
