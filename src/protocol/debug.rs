//! The debugger's request and result types (docs/PROTOCOL.md, "Debugging").

use serde::{Deserialize, Serialize};

/// `evaluate`'s `debug`: what an unhandled error or halt does.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DebugMode {
    /// It ends the evaluation (`evaluation_error`), as without `debug`.
    #[default]
    Never,
    /// It suspends the evaluation's process: the reply is `suspended`.
    OnError,
    /// The process is suspended before the first statement (not served yet).
    Start,
}

/// `debug_list`: the suspended processes of the session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DebugListResult {
    pub debuggers: Vec<DebuggerSummary>,
}

/// One suspended process, as `debug_list` names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DebuggerSummary {
    pub debugger: String,
    pub label: String,
    /// `error`, `halt`, `step` or `start`.
    pub reason: String,
    pub since_ms: u64,
}

/// Params naming one suspended process (`debug_close`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DebuggerParams {
    pub debugger: String,
}

/// `debug_close`: the process was terminated (its `ensure:` blocks ran).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DebugCloseResult {
    pub closed: bool,
}
