//! The network side of the client: one connection per server that carries
//! many requests at once ([`Connection`]), the blocking [`Client`] of the
//! CLI commands over it, and the bridge thread that drives it for the TUI
//! and reports through [`NetEvent`]s. A leaf: it knows nothing of the
//! configuration, the local server or the UI; they hand it what it needs.

use crate::protocol::{DescribeResult, ErrorObject};

/// A decoded successful result, by request type (defined by the registry).
pub use crate::protocol::Answer;

/// What the server said about itself on connect, and where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerInfo {
    pub server: String,
    pub dialect: String,
    pub dialect_version: String,
    /// The endpoint that answered.
    pub address: String,
    /// 0 for the configured server, n for the n-th failover backup.
    pub backup: usize,
    /// The server's process id: a new one after a reconnection means the
    /// image restarted and the session's variables and handles are gone.
    pub pid: u64,
    /// The server's instance (unique to its process), when it names one.
    pub instance: Option<String>,
    /// The server lists the debugging types (`debug_stack`, …).
    pub debugging: bool,
    /// The server gives this client's key the role `read`: browsing, no
    /// evaluation.
    pub read_only: bool,
}

impl ServerInfo {
    pub fn new(address: &str, backup: usize, describe: &DescribeResult) -> Self {
        Self {
            server: describe.server.clone(),
            dialect: describe.dialect.clone(),
            dialect_version: describe.dialect_version.clone(),
            address: address.to_string(),
            backup,
            pid: describe.pid,
            instance: describe.process.instance.clone(),
            debugging: describe.types.iter().any(|t| t == "debug_stack"),
            read_only: describe.role.as_deref() == Some("read"),
        }
    }
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
        /// The instance the ping answered: another than before means the
        /// server restarted under the session (e.g. by a supervisor).
        instance: Option<String>,
        /// Why a supervisor last restarted it, when it says.
        restart_reason: Option<String>,
    },
    /// The server could not be reached or stopped answering; with
    /// `retry_in_ms` the bridge reconnects on its own after that pause.
    Down {
        reason: String,
        retry_in_ms: Option<u64>,
    },
    /// A request got no reply in time and is sent again (same id).
    Retrying {
        id: String,
        request_type: String,
        attempt: u32,
        tries: u32,
    },
    /// New Transcript output of the image (other than what evaluation
    /// replies already carried).
    Transcript {
        text: String,
        /// Bytes the server no longer had since the last poll.
        dropped: u64,
    },
    /// The answer to a request: its result, or the server's error object.
    Reply {
        id: String,
        result: Result<Answer, ErrorObject>,
        round_trip_us: u64,
    },
    /// What became of a command on the local server (a save, a replay),
    /// or what the user should know about it (changes lost in a crash).
    LocalServer(String),
    /// A request that got no usable reply (the reason says why).
    Failed {
        id: String,
        reason: String,
    },
    /// The server at `address` wants CURVE and its key is not trusted: the
    /// bridge did not connect (a `Down` came before). Once the user trusts
    /// it (written to known_servers), a `Connect` uses it.
    UnknownServerKey {
        address: String,
        public_key: String,
        fingerprint: String,
    },
}

pub mod bridge;
pub mod client;
pub mod connection;
pub mod port;
pub mod transcript;

pub use bridge::{BeforeConnect, Bridge, BridgeCommand, BridgeSettings, Reconnect};
pub use client::{Client, ClientOptions, NetError, Timed};
pub use connection::{Connection, Outcome};
pub use port::NetPort;

/// The host and port of a `tcp://HOST:PORT` endpoint (the host as written,
/// brackets of an IPv6 address kept); None for other transports.
pub fn tcp_host_port(endpoint: &str) -> Option<(&str, &str)> {
    endpoint.strip_prefix("tcp://")?.rsplit_once(':')
}

/// The one ZeroMQ context of the process: every socket comes from it.
pub fn context() -> &'static zmq::Context {
    static CONTEXT: std::sync::OnceLock<zmq::Context> = std::sync::OnceLock::new();
    CONTEXT.get_or_init(zmq::Context::new)
}
