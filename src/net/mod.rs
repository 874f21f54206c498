//! The network side of the client: a blocking client core with Lazy Pirate
//! retries (used by the CLI commands) and the bridge thread that runs it for
//! the TUI and reports through [`NetEvent`]s.

use crate::protocol::{
    ClassResult, CompileResult, CompleteResult, DescribeResult, ErrorObject, EvaluateResult,
    InspectResult, InterruptResult, ListClassesResult, MethodResult, MethodsResult, PingResult,
    ReleaseResult, TranscriptResult,
};

/// What the server said about itself on connect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerInfo {
    pub server: String,
    pub dialect: String,
    pub dialect_version: String,
}

impl From<&DescribeResult> for ServerInfo {
    fn from(describe: &DescribeResult) -> Self {
        Self {
            server: describe.server.clone(),
            dialect: describe.dialect.clone(),
            dialect_version: describe.dialect_version.clone(),
        }
    }
}

/// A decoded successful result, by request type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Ping(PingResult),
    Describe(DescribeResult),
    Evaluate(EvaluateResult),
    Inspect(InspectResult),
    Release(ReleaseResult),
    ListClasses(ListClassesResult),
    Class(ClassResult),
    Method(MethodResult),
    Compile(CompileResult),
    Senders(MethodsResult),
    Implementors(MethodsResult),
    Complete(CompleteResult),
    Transcript(TranscriptResult),
    Interrupt(InterruptResult),
}

/// What the bridge thread reports to the application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetEvent {
    Connecting {
        address: String,
        starting_server: bool,
    },
    Connected {
        info: ServerInfo,
        round_trip_us: u64,
    },
    Disconnected,
    /// A heartbeat ping was answered: the network round trip, without any
    /// evaluation time in it.
    Alive {
        round_trip_us: u64,
    },
    /// The server could not be reached or stopped answering.
    Down {
        reason: String,
    },
    /// The answer to a request: its result, or the server's error object.
    Reply {
        id: String,
        result: Result<Answer, ErrorObject>,
        round_trip_us: u64,
    },
    /// A request that got no usable reply (the reason says why).
    Failed {
        id: String,
        reason: String,
    },
}

pub mod bridge;
pub mod client;
pub mod port;

pub use bridge::{Bridge, BridgeCommand, BridgeSettings};
pub use client::{Client, ClientOptions, NetError, Timed};
pub use port::NetPort;
