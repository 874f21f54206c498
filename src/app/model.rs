//! The application state that `update` changes. Components render it; none owns it.

use std::collections::BTreeMap;

use crate::net::ServerInfo;
use crate::protocol::ErrorObject;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connection {
    Disconnected,
    /// Trying to reach the server; `starting_server` while STUI starts one itself.
    Connecting {
        address: String,
        starting_server: bool,
    },
    Connected {
        info: ServerInfo,
        round_trip_us: u64,
    },
    /// The server stopped answering or could not be reached; with
    /// `retry_in_ms` the bridge reconnects on its own after that pause.
    Down {
        reason: String,
        retry_in_ms: Option<u64>,
    },
}

impl Connection {
    pub fn is_connected(&self) -> bool {
        matches!(self, Self::Connected { .. })
    }
}

/// One entry of the transcript, in the order things happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TranscriptEntry {
    /// Code sent for evaluation.
    Input { code: String },
    /// The value of an evaluation.
    Value {
        print: String,
        class: String,
        truncated: bool,
        duration_us: u64,
    },
    /// Transcript output the evaluation produced.
    Output(String),
    /// A syntax or evaluation error, or any other error reply.
    Error(ErrorObject),
    /// A message from STUI itself (connection changes, hints).
    Notice(String),
}

/// An evaluation sent and not yet answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingEvaluation {
    pub code: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Focus {
    #[default]
    Workspace,
    Transcript,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub address: String,
    pub session: String,
    pub connection: Connection,
    pub transcript: Vec<TranscriptEntry>,
    pub pending: BTreeMap<String, PendingEvaluation>,
    pub focus: Focus,
    pub help_visible: bool,
    pub quit: bool,
    /// Sent with each evaluation as `timeout_ms`.
    pub evaluation_timeout_ms: u64,
    /// Set while a request waits for a reply that did not come in time.
    pub retrying: Option<String>,
    /// The pid of the last server connected to: a new one on reconnection
    /// means the image restarted.
    pub server_pid: Option<u64>,
    /// The server went down and the bridge is reconnecting on its own.
    pub reconnecting: bool,
    next_request: u64,
}

impl Model {
    pub fn new(address: impl Into<String>, session: impl Into<String>) -> Self {
        Self {
            address: address.into(),
            session: session.into(),
            connection: Connection::Disconnected,
            transcript: Vec::new(),
            pending: BTreeMap::new(),
            focus: Focus::Workspace,
            help_visible: false,
            quit: false,
            evaluation_timeout_ms: 30_000,
            retrying: None,
            server_pid: None,
            reconnecting: false,
            next_request: 0,
        }
    }

    /// A fresh request id: unique within the session, deterministic for tests.
    pub fn next_request_id(&mut self) -> String {
        self.next_request += 1;
        format!("{}-{}", self.session, self.next_request)
    }
}
