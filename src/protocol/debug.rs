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
    /// The process is suspended before the first statement (Debug it).
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

/// `debug_stack`: the frames of a suspended process (`limit`, default 50).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DebugStackParams {
    pub debugger: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
}

/// The stack of a suspended process, innermost frame first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DebugStackResult {
    pub debugger: String,
    /// `error`, `halt`, `step` or `start`.
    pub reason: String,
    /// The exception it stopped at; null when it stopped at no exception.
    pub exception: Option<DebugException>,
    pub frames: Vec<DebugFrame>,
    /// How many frames there are (`frames` holds at most `limit`).
    pub total: u64,
}

/// The exception a suspended process stopped at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DebugException {
    pub class: String,
    pub message: String,
}

/// One frame of a suspended process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DebugFrame {
    /// 0 for the innermost.
    pub index: u64,
    /// `OrderedCollection>>add:`, `[] in Foo>>bar`.
    pub label: String,
    pub class: String,
    pub selector: String,
    pub meta: bool,
    pub block: bool,
    /// The method's source in classic form (the evaluated code for a
    /// workspace frame).
    pub source: String,
    /// 0-based inclusive character offsets into `source` of the expression
    /// running; null while the server does not know them.
    pub start: Option<u64>,
    pub stop: Option<u64>,
}

/// Params naming one frame of a suspended process (`debug_frame`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DebugFrameParams {
    pub debugger: String,
    /// 0 for the innermost.
    pub frame: u64,
}

/// `debug_frame`: the receiver and variables of one frame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DebugFrameResult {
    pub receiver: DebugValue,
    pub variables: Vec<DebugVariable>,
}

/// An object of a frame, with a handle for `inspect`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DebugValue {
    pub print: String,
    pub class: String,
    pub handle: String,
}

/// A variable of a frame: an argument, a temporary (also of the enclosing
/// blocks and method) or an instance variable of the receiver.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DebugVariable {
    pub name: String,
    /// `argument`, `temporary` or `instance`.
    pub kind: String,
    pub print: String,
    pub class: String,
    pub handle: String,
}

/// How `debug_step` moves a suspended process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepHow {
    /// Into the next send.
    Into,
    /// Runs the frame's current send to completion.
    Over,
    /// Runs until the frame returns.
    Out,
    /// Back to the frame's first statement, on the method's current version.
    Restart,
    /// Resumes normally.
    Proceed,
}

/// `debug_step`: move the process of `debugger` at frame `frame`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DebugStepParams {
    pub debugger: String,
    pub how: StepHow,
    /// Default 0, the innermost.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frame: Option<u64>,
    /// This implementation's extension: how long the resumed code may run
    /// before it is suspended again (default 30000, as `evaluate`'s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
}

/// Where a step left the process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum DebugStepResult {
    /// It stopped again: after the step, or at the next error or halt.
    Suspended(DebugStackResult),
    /// The evaluation ran to its end.
    Finished {
        result: crate::protocol::EvaluateResult,
    },
    /// The evaluation ended in an error that is not suspended.
    Failed { error: crate::protocol::ErrorObject },
}

/// `debug_evaluate`: code run in a frame, `self` its receiver, its
/// arguments and temporaries readable and assignable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DebugEvaluateParams {
    pub debugger: String,
    pub frame: u64,
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub print_limit: Option<u64>,
}
