//! Serde types of the STUI wire protocol, version 1 (`docs/PROTOCOL.md`).
//! No I/O here: the client core and the tests both build on these types.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub mod debug;
pub mod registry;

pub use debug::{
    DebugCloseResult, DebugEvaluateParams, DebugException, DebugFrame, DebugFrameParams,
    DebugFrameResult, DebugListResult, DebugMode, DebugStackParams, DebugStackResult,
    DebugStepParams, DebugStepResult, DebugValue, DebugVariable, DebuggerParams, DebuggerSummary,
    StepHow,
};

pub use registry::{
    ALL_TYPES, Allowance, Answer, CONTRACT_TYPES, EXTENSION_TYPES, Origin, RequestBody, TypeInfo,
};

/// The protocol major version this client speaks.
pub const PROTOCOL_VERSION: u32 = 1;
/// Longest `id` or `session` the protocol allows.
pub const MAX_ID_CHARS: usize = 128;

/// One request: the envelope plus a typed body (`type` + `params`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    pub stui: u32,
    pub id: String,
    pub session: String,
    /// Reserved for authentication (see Security in the protocol); this
    /// client sends none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<Value>,
    /// The server instance this request is meant for (the instance rule of
    /// "Retries are safe"): a server with another instance answers
    /// `server_restarted` and runs nothing. None: any server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    #[serde(flatten)]
    pub body: RequestBody,
}

impl Request {
    pub fn new(id: impl Into<String>, session: impl Into<String>, body: RequestBody) -> Self {
        Self {
            stui: PROTOCOL_VERSION,
            id: id.into(),
            session: session.into(),
            auth: None,
            instance: None,
            body,
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a request always serialises")
    }
}

impl RequestBody {
    pub fn ping() -> Self {
        Self::Ping(Empty {})
    }

    pub fn describe() -> Self {
        Self::Describe(DescribeParams::default())
    }

    pub fn evaluate(code: impl Into<String>) -> Self {
        Self::Evaluate(EvaluateParams {
            code: code.into(),
            timeout_ms: None,
            print_limit: None,
            receiver: None,
            debug: None,
        })
    }
}

/// `{}`: the params of `ping` and `describe`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Empty {}

/// `describe`: `timings` (this implementation) adds the server's stage
/// timings of its recent requests; `reset_timings` forgets them afterwards.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DescribeParams {
    /// This implementation: the client is one a user works in (the TUI):
    /// its session counts in `active_sessions` while it keeps coming.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interactive: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timings: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reset_timings: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvaluateParams {
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub print_limit: Option<u64>,
    /// A handle (this implementation): the code runs with `self` bound to
    /// its object. Other servers ignore it and run the code with `self` nil.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receiver: Option<String>,
    /// Debugging: `on_error` suspends the process at an unhandled error or
    /// halt instead of ending the evaluation (default `never`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub debug: Option<DebugMode>,
}

/// `inspect`: an object by `handle` or by evaluating `code`, with a page of
/// its indexed elements (`offset`, `limit`, default 100).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectParams {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
    /// Bytes of `print` at most (the server's default: 100000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub print_limit: Option<u64>,
}

/// `release`: the given handles, or (absent) every handle of the session.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseParams {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handles: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListClassesParams {
    /// A glob such as `Ord*`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassParams {
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodParams {
    pub class: String,
    pub selector: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompileParams {
    pub class: String,
    /// Classic Smalltalk-80 method source (pattern, comment, temps, statements).
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<bool>,
}

/// The params of `senders` and `implementors`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelectorParams {
    pub selector: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompleteParams {
    pub code: String,
    /// Character offset of the cursor in `code`.
    pub cursor: u64,
}

/// A transcript cursor: opaque to the client, sent back as received.
pub type Cursor = Value;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranscriptParams {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<Cursor>,
}

/// `interrupt`: one request by id, or (absent) every running one of the session.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InterruptParams {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// This implementation: stop a process that evaluated code forked (an
    /// id of `describe.processes`, or `"all"`) instead of requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub process: Option<String>,
}

/// `file_in`: GNU Smalltalk bracket class syntax or classic chunks, as
/// `gst file.st` reads them. `origin` (a file name, `"changes replay"`)
/// names the code in messages and in the changes log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileInParams {
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
}

/// `file_out`: one class in classic chunk format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileOutParams {
    pub class: String,
}

/// `save_image`: snapshot the running image to exactly `path`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaveImageParams {
    pub path: String,
}

/// One reply. `id` is null when the server could not read the request's id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    pub stui: u32,
    pub id: Option<String>,
    pub ok: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorObject>,
}

impl Reply {
    pub fn from_json(text: &str) -> Result<Self, MalformedReply> {
        let reply: Reply = serde_json::from_str(text).map_err(|e| MalformedReply(e.to_string()))?;
        if reply.ok && reply.result.is_none() {
            return Err(MalformedReply("reply has ok=true but no result".into()));
        }
        if !reply.ok && reply.error.is_none() {
            return Err(MalformedReply("reply has ok=false but no error".into()));
        }
        Ok(reply)
    }

    /// The typed result or the server's error object; a reply whose result
    /// has the wrong shape is malformed.
    pub fn into_result<T: serde::de::DeserializeOwned>(
        self,
    ) -> Result<Result<T, ErrorObject>, MalformedReply> {
        match (self.ok, self.result, self.error) {
            (true, Some(result), _) => serde_json::from_value(result)
                .map(Ok)
                .map_err(|e| MalformedReply(format!("unexpected result shape: {e}"))),
            (_, _, Some(error)) => Ok(Err(error)),
            _ => Err(MalformedReply("reply has neither result nor error".into())),
        }
    }
}

/// A reply that is not a well-formed protocol reply, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed reply: {0}")]
pub struct MalformedReply(pub String);

/// Every error code of the protocol. Codes a newer server may add are kept as `Other`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, strum::Display)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ErrorCode {
    InvalidRequest,
    UnsupportedVersion,
    UnknownType,
    TooLarge,
    SyntaxError,
    EvaluationError,
    Timeout,
    Interrupted,
    NotFound,
    PermissionDenied,
    Internal,
    ServerRestarted,
    /// Debugging: the evaluation's process is suspended (`debugger`).
    Suspended,
    #[serde(untagged)]
    #[strum(to_string = "{0}")]
    Other(String),
}

/// How a `server_restarted` error reads to the user.
pub const SERVER_RESTARTED_IN_FLIGHT: &str = "the server restarted while this request was in \
    flight: its outcome is unknown (it was not run again); session variables are gone";

/// `{"code", "message", …}` with the members each code adds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorObject {
    pub code: ErrorCode,
    pub message: String,
    /// syntax_error: 1-based position in the submitted code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    /// evaluation_error: the Smalltalk exception class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    /// evaluation_error: frames, innermost first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stack: Option<Vec<String>>,
    /// invalid_request: the member that is missing or of the wrong type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// not_found: what was not found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub what: Option<String>,
    /// unsupported_version: the versions the server speaks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supported: Option<Vec<u32>>,
    /// evaluation_error, timeout, interrupted: Transcript output written
    /// before the error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
    /// suspended: the suspended process, for the `debug_*` requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub debugger: Option<String>,
    /// The members this implementation adds for some codes (boxed: they
    /// are rare, and an error object stays small).
    #[serde(flatten)]
    pub details: Box<ErrorDetails>,
}

/// Error members that this implementation adds to the contract's
/// (docs/PROTOCOL.md, "Extra error members"). Clients must not rely on them
/// when talking to other servers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetails {
    /// invalid_request for a body that is not JSON: byte offset of the fault.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<u64>,
    /// unknown_type: the type that was asked for.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub request_type: Option<String>,
    /// too_large: the size of the refused request, in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// too_large: the server's limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_message_bytes: Option<u64>,
    /// timeout: the limit that was reached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
    /// not_found from release: the handles the session does not hold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handles: Option<Vec<String>>,
    /// server_restarted: the instance of the server that answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// evaluation_error, timeout, interrupted: where `output` lies in the
    /// Transcript stream (see [`OutputRanges`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_ranges: Option<OutputRanges>,
    /// evaluation_error: the compiler's warnings, as in the evaluate result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warnings: Option<Vec<String>>,
}

impl ErrorObject {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            line: None,
            column: None,
            class: None,
            stack: None,
            field: None,
            what: None,
            supported: None,
            output: None,
            debugger: None,
            details: Box::default(),
        }
    }
}

impl std::fmt::Display for ErrorObject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.code, self.line, self.column, &self.class) {
            (ErrorCode::SyntaxError, Some(line), Some(column), _) => write!(
                f,
                "Syntax error at line {line}, column {column}: {}",
                self.message
            ),
            (ErrorCode::EvaluationError, _, _, Some(class)) => {
                write!(f, "{class}: {}", self.message)
            }
            // What the user must know, rather than the server's wording.
            (ErrorCode::ServerRestarted, ..) => f.write_str(SERVER_RESTARTED_IN_FLIGHT),
            (code, ..) => {
                write!(f, "{code}: {}", self.message)?;
                if let Some(field) = &self.field {
                    write!(f, " (field `{field}`)")?;
                }
                Ok(())
            }
        }
    }
}

/// Which server process answered (`ping` and `describe`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerProcess {
    /// A string unique to the server process (the `instance` rule of
    /// "Retries are safe"); servers before it answer none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// This implementation: how many times the supervisor restarted the
    /// server, and why it last did (present only after a restart).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restarts: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restart_reason: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PingResult {
    pub uptime_ms: u64,
    #[serde(flatten)]
    pub process: ServerProcess,
    /// This implementation: as in `describe`; a ping does not make its
    /// own session active.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_sessions: Option<u64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DescribeResult {
    pub server: String,
    pub dialect: String,
    pub dialect_version: String,
    pub protocol: u32,
    pub types: Vec<String>,
    pub max_message_bytes: u64,
    pub pid: u64,
    pub image: Option<String>,
    pub uptime_ms: u64,
    #[serde(flatten)]
    pub process: ServerProcess,
    /// This implementation: which fix of GNU Smalltalk 3.2.5's integer
    /// multiplication is active (`machine_code`, `send`, `not_needed`,
    /// `failed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arithmetic_fix: Option<String>,
    /// This implementation: processes that evaluated code forked and that
    /// still run (the first 100, oldest first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processes: Option<Vec<ForkedProcess>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processes_total: Option<u64>,
    /// This implementation, when asked with `timings`: per request type,
    /// where the server's time went in its recent requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timings: Option<BTreeMap<String, TypeTimings>>,
    /// This implementation: sessions whose client said it is interactive
    /// (`describe` with `interactive`) and that were seen within the
    /// server's `--active-session-ms`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_sessions: Option<u64>,
    /// Debugging: how many suspended processes a session keeps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_debuggers: Option<u64>,
    /// Security: the role this client's key has (`full` or `read`);
    /// servers from before security do not say (every client is `full`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Security: the connection is encrypted and authenticated with CURVE.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub curve: Option<bool>,
}

/// A process that evaluated code forked (`describe.processes`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForkedProcess {
    pub id: String,
    pub name: Option<String>,
    pub priority: i64,
    /// `running`, `ready`, `waiting` or `suspended`.
    pub state: String,
    /// The session and request whose evaluation forked it (null for a
    /// process forked by a process that is not an evaluation's).
    pub session: Option<String>,
    pub request: Option<String>,
    pub age_ms: u64,
}

/// The stage timings of one request type (`describe.timings`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypeTimings {
    pub count: u64,
    /// Stage name (`receive`, `decode`, `queue`, `compile`, `run`, `print`,
    /// `encode`, `send`, `server`) to its figures.
    pub stages_us: BTreeMap<String, StageTimings>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageTimings {
    pub p50: u64,
    pub p90: u64,
    pub p99: u64,
    pub mean: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvaluateResult {
    pub print: String,
    pub class: String,
    pub truncated: bool,
    pub handle: String,
    #[serde(default)]
    pub output: String,
    /// This implementation's extension: where the captured bytes of
    /// `output` lie in the image's Transcript stream (see [`OutputRanges`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_ranges: Option<OutputRanges>,
    pub duration_us: u64,
    /// This implementation's extension: what the compiler let pass, such
    /// as `undeclared variable a` (read, never assigned, so nil).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// `[from, to)` Transcript cursors, in order, that the captured bytes of an
/// evaluation's `output` fill (the truncation note excepted): the bytes of
/// `output` are those of each range taken in turn.
pub type OutputRanges = Vec<[u64; 2]>;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectField {
    pub name: String,
    pub print: String,
    pub class: String,
    pub handle: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectElement {
    pub index: u64,
    pub print: String,
    pub class: String,
    pub handle: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectResult {
    pub handle: String,
    pub class: String,
    pub print: String,
    pub fields: Vec<InspectField>,
    /// The indexed size (0 for objects without indexed slots).
    pub size: u64,
    pub elements: Vec<InspectElement>,
    /// Whether `print` was cut (an addition of this implementation).
    #[serde(default)]
    pub truncated: bool,
    /// Where `elements` starts (0-based; an addition of this implementation).
    #[serde(default)]
    pub offset: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseResult {
    pub released: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassSummary {
    pub name: String,
    /// Null for a root class.
    pub superclass: Option<String>,
    #[serde(default)]
    pub category: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListClassesResult {
    pub classes: Vec<ClassSummary>,
    pub total: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodSummary {
    pub selector: String,
    #[serde(default)]
    pub protocol: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassMethods {
    pub instance: Vec<MethodSummary>,
    pub class: Vec<MethodSummary>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassResult {
    pub name: String,
    pub superclass: Option<String>,
    pub subclasses: Vec<String>,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
    pub definition: String,
    pub instance_variables: Vec<String>,
    pub class_variables: Vec<String>,
    pub methods: ClassMethods,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodResult {
    pub class: String,
    pub selector: String,
    pub meta: bool,
    #[serde(default)]
    pub protocol: Option<String>,
    /// Classic Smalltalk-80 form, without the category.
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompileResult {
    pub selector: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodRef {
    pub class: String,
    pub selector: String,
    pub meta: bool,
}

/// The result of `senders` and `implementors`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodsResult {
    pub methods: Vec<MethodRef>,
    pub total: u64,
}

/// What a completion candidate is. Kinds a newer server may add are kept as `Other`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CandidateKind {
    Selector,
    Class,
    Variable,
    Keyword,
    #[serde(untagged)]
    Other(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    pub text: String,
    pub kind: CandidateKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompleteResult {
    /// Character offset where the replaced word starts.
    pub from: u64,
    pub candidates: Vec<Candidate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranscriptResult {
    pub text: String,
    pub next: Cursor,
    /// Bytes lost because `since` was older than what the server keeps
    /// (an addition of this implementation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dropped: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InterruptResult {
    pub interrupted: u64,
}

/// What `file_in` did: the classes defined or extended, the methods compiled
/// (`Foo>>bar`, `Foo class>>baz`) and every error it met.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileInResult {
    pub classes: Vec<String>,
    pub methods: Vec<String>,
    pub errors: Vec<FileInError>,
}

/// An error of `file_in`, at a 1-based position in its `code` (column 1
/// when only the line is known).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileInError {
    pub line: u64,
    pub column: u64,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileOutResult {
    pub code: String,
}

/// `end_session`: the session is no longer active (and forgotten unless a
/// request of it still runs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndSessionResult {
    pub ended: bool,
}

/// `save_image`: the image written, and beside it the code history of the
/// image's lineage as a file-in (`history_path`, `history_changes` entries).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaveImageResult {
    pub path: String,
    pub bytes: u64,
    pub history_path: String,
    pub history_changes: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn evaluate_request_matches_the_protocol_example() {
        let request = Request::new("7f3c0e1a", "b41d", RequestBody::evaluate("3 + 4"));
        let value: Value = serde_json::from_str(&request.to_json()).unwrap();
        assert_eq!(
            value,
            json!({"stui": 1, "id": "7f3c0e1a", "session": "b41d", "type": "evaluate",
                   "params": {"code": "3 + 4"}})
        );
    }

    #[test]
    fn requests_round_trip() {
        for body in [
            RequestBody::ping(),
            RequestBody::describe(),
            RequestBody::Evaluate(EvaluateParams {
                code: "x := 6 * 7.".into(),
                timeout_ms: Some(500),
                print_limit: Some(10),
                receiver: None,
                debug: None,
            }),
        ] {
            let request = Request::new("id-1", "s", body);
            let back: Request = serde_json::from_str(&request.to_json()).unwrap();
            assert_eq!(back, request);
        }
    }

    #[test]
    fn ping_and_describe_carry_empty_params() {
        let request = Request::new("1", "s", RequestBody::ping());
        assert!(request.to_json().contains(r#""type":"ping","params":{}"#));
        let request = Request::new("1", "s", RequestBody::describe());
        assert!(
            request
                .to_json()
                .contains(r#""type":"describe","params":{}"#)
        );
    }

    #[test]
    fn success_reply_from_protocol_example_decodes() {
        let reply = Reply::from_json(
            r#"{"stui": 1, "id": "7f3c", "ok": true, "result": {"print": "7",
                "class": "SmallInteger", "truncated": false, "handle": "h1",
                "output": "", "duration_us": 120}}"#,
        )
        .unwrap();
        assert_eq!(reply.id.as_deref(), Some("7f3c"));
        let result: EvaluateResult = reply.into_result().unwrap().unwrap();
        assert_eq!(result.print, "7");
        assert_eq!(result.class, "SmallInteger");
    }

    #[test]
    fn describe_example_decodes() {
        let reply = Reply::from_json(
            r#"{"stui":1,"id":"d","ok":true,"result":{"server": "stui-gst 0.1.0",
            "dialect": "GNU Smalltalk", "dialect_version": "3.2.5", "protocol": 1,
            "types": ["ping","describe","evaluate"], "max_message_bytes": 16777216,
            "pid": 42, "image": null, "uptime_ms": 5}}"#,
        )
        .unwrap();
        let describe: DescribeResult = reply.into_result().unwrap().unwrap();
        assert_eq!(describe.dialect, "GNU Smalltalk");
        assert_eq!(describe.image, None);
        assert_eq!(describe.types.len(), 3);
    }

    #[test]
    fn failure_reply_from_protocol_example_decodes() {
        let reply = Reply::from_json(
            r#"{"stui": 1, "id": "7f3c", "ok": false, "error": {"code": "evaluation_error",
                "message": "The program attempted to divide a number by zero",
                "class": "ZeroDivide", "stack": ["SmallInteger(Number)>>zeroDivide", "UndefinedObject>>executeStatements"]}}"#,
        )
        .unwrap();
        match reply.into_result::<EvaluateResult>() {
            Ok(Err(error)) => {
                assert_eq!(error.code, ErrorCode::EvaluationError);
                assert_eq!(error.class.as_deref(), Some("ZeroDivide"));
                assert_eq!(error.stack.unwrap().len(), 2);
            }
            other => panic!("expected a server error, got {other:?}"),
        }
    }

    #[test]
    fn every_error_code_round_trips_by_its_wire_name() {
        let names = [
            "invalid_request",
            "unsupported_version",
            "unknown_type",
            "too_large",
            "syntax_error",
            "evaluation_error",
            "timeout",
            "interrupted",
            "not_found",
            "permission_denied",
            "internal",
        ];
        for name in names {
            let code: ErrorCode = serde_json::from_value(json!(name)).unwrap();
            assert!(
                !matches!(code, ErrorCode::Other(_)),
                "{name} is a known code"
            );
            assert_eq!(code.to_string(), name);
            assert_eq!(serde_json::to_value(&code).unwrap(), json!(name));
        }
        let future: ErrorCode = serde_json::from_value(json!("rate_limited")).unwrap();
        assert_eq!(future, ErrorCode::Other("rate_limited".into()));
    }

    #[test]
    fn error_members_of_each_code_decode() {
        let syntax: ErrorObject = serde_json::from_value(json!({"code": "syntax_error",
            "message": "expected expression", "line": 1, "column": 4}))
        .unwrap();
        assert_eq!((syntax.line, syntax.column), (Some(1), Some(4)));
        assert_eq!(
            syntax.to_string(),
            "Syntax error at line 1, column 4: expected expression"
        );
        let version: ErrorObject = serde_json::from_value(json!({"code": "unsupported_version",
            "message": "speaks 1", "supported": [1]}))
        .unwrap();
        assert_eq!(version.supported, Some(vec![1]));
        let invalid: ErrorObject = serde_json::from_value(json!({"code": "invalid_request",
            "message": "missing", "field": "session"}))
        .unwrap();
        assert_eq!(invalid.field.as_deref(), Some("session"));
        let missing: ErrorObject = serde_json::from_value(json!({"code": "not_found",
            "message": "no class", "what": "Foo"}))
        .unwrap();
        assert_eq!(missing.what.as_deref(), Some("Foo"));
    }

    #[test]
    fn reply_with_null_id_and_unknown_members_decodes() {
        let reply = Reply::from_json(
            r#"{"stui":1,"id":null,"ok":false,"extra":1,"error":{"code":"invalid_request","message":"not JSON"}}"#,
        )
        .unwrap();
        assert_eq!(reply.id, None);
    }

    #[test]
    fn inconsistent_replies_are_rejected() {
        assert!(Reply::from_json(r#"{"stui":1,"id":"a","ok":true}"#).is_err());
        assert!(Reply::from_json(r#"{"stui":1,"id":"a","ok":false}"#).is_err());
        assert!(Reply::from_json("garbage").is_err());
    }

    /// A request of every type, as PROTOCOL.md's table writes its params,
    /// reads into the matching variant and writes back the same JSON.
    #[test]
    fn every_request_type_round_trips_from_the_protocol_table() {
        let cases = [
            ("inspect", json!({"handle": "h1", "offset": 10, "limit": 5})),
            ("inspect", json!({"code": "3 @ 4"})),
            ("release", json!({"handles": ["h1", "h2"]})),
            ("release", json!({})),
            (
                "list_classes",
                json!({"pattern": "Ord*", "category": "Collections", "limit": 500}),
            ),
            ("class", json!({"name": "OrderedCollection"})),
            (
                "method",
                json!({"class": "OrderedCollection", "selector": "add:", "meta": false}),
            ),
            (
                "compile",
                json!({"class": "Foo", "source": "answer\n\t\"The answer\"\n\t^ 42",
                               "protocol": "accessing", "meta": false}),
            ),
            ("senders", json!({"selector": "printString", "limit": 10})),
            ("implementors", json!({"selector": "add:"})),
            ("complete", json!({"code": "OrderedColl", "cursor": 11})),
            ("transcript", json!({"since": 1234})),
            ("transcript", json!({})),
            ("interrupt", json!({"target": "7f3c"})),
            ("interrupt", json!({})),
            (
                "file_in",
                json!({"code": "Object subclass: Foo [ bar [ ^42 ] ]",
                       "origin": "foo.st", "timeout_ms": 5000}),
            ),
            (
                "file_in",
                json!({"code": "!Foo methodsFor: 'x'!\nbar\n\t^42! !"}),
            ),
            ("file_out", json!({"class": "Foo"})),
            ("save_image", json!({"path": "/tmp/stui/image.im"})),
        ];
        for (kind, params) in cases {
            let wire =
                json!({"stui": 1, "id": "i", "session": "s", "type": kind, "params": params});
            let request: Request = serde_json::from_value(wire.clone())
                .unwrap_or_else(|e| panic!("{kind} {params}: {e}"));
            assert_eq!(request.body.type_name(), kind);
            let back: Value = serde_json::from_str(&request.to_json()).unwrap();
            assert_eq!(back, wire, "{kind} round trip");
        }
    }

    #[test]
    fn every_result_of_the_protocol_table_decodes_with_extra_members() {
        fn decode<T: serde::de::DeserializeOwned + Serialize>(mut value: Value) -> T {
            value["x_extra"] = json!({"added": "by a newer server"});
            let typed: T =
                serde_json::from_value(value.clone()).unwrap_or_else(|e| panic!("{value}: {e}"));
            // And the typed value writes every member it read back out.
            let again: Value = serde_json::to_value(&typed).unwrap();
            for (key, member) in again.as_object().unwrap() {
                assert_eq!(&value[key], member, "{key}");
            }
            typed
        }
        let inspect: InspectResult = decode(json!({"handle": "h3", "class": "Array",
            "print": "(1 2 3 )", "fields": [{"name": "x", "print": "3", "class": "SmallInteger",
            "handle": "h4"}], "size": 3, "elements": [{"index": 1, "print": "1",
            "class": "SmallInteger", "handle": "h5"}], "truncated": false, "offset": 0}));
        assert_eq!(inspect.elements[0].index, 1);
        assert_eq!(inspect.fields[0].name, "x");
        let release: ReleaseResult = decode(json!({"released": 2}));
        assert_eq!(release.released, 2);
        let classes: ListClassesResult = decode(json!({"classes": [{"name": "OrderedCollection",
            "superclass": "SequenceableCollection", "category": "Collections-Sequenceable"},
            {"name": "Object", "superclass": null, "category": null}], "total": 2}));
        assert_eq!(classes.classes[1].superclass, None);
        let class: ClassResult = decode(json!({"name": "OrderedCollection",
            "superclass": "SequenceableCollection", "subclasses": ["SortedCollection"],
            "category": "Collections-Sequenceable", "comment": "I am…",
            "definition": "SequenceableCollection subclass: #OrderedCollection …",
            "instance_variables": ["firstIndex", "lastIndex"], "class_variables": [],
            "methods": {"instance": [{"selector": "add:", "protocol": "adding"}],
                        "class": [{"selector": "new:", "protocol": "instance creation"}]}}));
        assert_eq!(class.methods.instance[0].selector, "add:");
        let method: MethodResult = decode(json!({"class": "OrderedCollection",
            "selector": "add:", "meta": false, "protocol": "adding",
            "source": "add: anObject\n\t^self addLast: anObject"}));
        assert!(method.source.starts_with("add:"));
        let compile: CompileResult = decode(json!({"selector": "answer"}));
        assert_eq!(compile.selector, "answer");
        let senders: MethodsResult = decode(json!({"methods": [{"class": "Object",
            "selector": "displayString", "meta": false}], "total": 120}));
        assert_eq!(senders.total, 120);
        let complete: CompleteResult = decode(json!({"from": 0, "candidates": [
            {"text": "OrderedCollection", "kind": "class"}, {"text": "add:", "kind": "selector"},
            {"text": "x", "kind": "variable"}, {"text": "true", "kind": "keyword"},
            {"text": "y", "kind": "snippet"}]}));
        assert_eq!(complete.candidates[0].kind, CandidateKind::Class);
        assert_eq!(
            complete.candidates[4].kind,
            CandidateKind::Other("snippet".into())
        );
        let transcript: TranscriptResult = decode(json!({"text": "hello\n", "next": 42}));
        assert_eq!(transcript.next, json!(42));
        let interrupt: InterruptResult = decode(json!({"interrupted": 1}));
        assert_eq!(interrupt.interrupted, 1);
        let file_in: FileInResult = decode(json!({"classes": ["Foo"],
            "methods": ["Foo>>bar", "Foo class>>baz"],
            "errors": [{"line": 3, "column": 1, "message": "expected ]"}]}));
        assert_eq!(file_in.errors[0].line, 3);
        let file_out: FileOutResult = decode(json!({"code": "Object subclass: #Foo!"}));
        assert!(file_out.code.starts_with("Object"));
        let saved: SaveImageResult = decode(json!({"path": "/d/a.im", "bytes": 4096,
            "history_path": "/d/a.im.history.st", "history_changes": 12}));
        assert_eq!(saved.history_changes, 12);
        let describe: DescribeResult = decode(json!({"server": "stui-gst 0.1.0",
            "dialect": "GNU Smalltalk", "dialect_version": "3.2.5", "protocol": 1,
            "types": ["ping", "file_in"], "max_message_bytes": 1, "pid": 2, "image": null,
            "uptime_ms": 3, "active_sessions": 2}));
        assert_eq!(describe.active_sessions, Some(2));
    }
}
