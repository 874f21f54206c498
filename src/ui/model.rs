//! The application state that `update` changes. Components render it; none owns it.

use std::collections::BTreeMap;

use super::editor::Editor;
use super::msg::Scroll;
use super::transcript_view::TranscriptView;
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

/// What a request was sent for: its reply is routed by this.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Purpose {
    Evaluation {
        code: String,
    },
    /// Print it: the value goes into the workspace at `at` (row, char
    /// column) if its text is still `text`.
    PrintIt {
        code: String,
        at: (usize, usize),
        text: String,
    },
    /// Inspect it: the fields of the value of `code`.
    Inspection {
        code: String,
    },
}

impl Purpose {
    pub fn is_evaluation(&self) -> bool {
        matches!(self, Self::Evaluation { .. } | Self::PrintIt { .. })
    }
}

/// A request sent and not yet answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    /// Order of sending: "the n-th oldest" counts by it.
    pub sent: u64,
    pub purpose: Purpose,
}

/// What only the screen needs: the editor buffer and scroll positions.
#[derive(Debug, Clone, Default)]
pub struct ViewState {
    pub editor: Editor,
    pub transcript: TranscriptView,
    /// First line of the help overlay shown; reset whenever it opens.
    pub help_scroll: usize,
    /// Inner height of the help overlay at the last draw.
    pub help_height: usize,
}

impl ViewState {
    /// Scroll the help overlay; drawing keeps it within the lines there are.
    pub fn scroll_help(&mut self, step: Scroll) {
        let page = self.help_height.saturating_sub(1).max(1);
        self.help_scroll = match step {
            Scroll::Up => self.help_scroll.saturating_sub(1),
            Scroll::Down => self.help_scroll.saturating_add(1),
            Scroll::PageUp => self.help_scroll.saturating_sub(page),
            Scroll::PageDown => self.help_scroll.saturating_add(page),
            Scroll::Top => 0,
            Scroll::Bottom => usize::MAX,
        };
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Focus {
    #[default]
    Workspace,
    Transcript,
}

#[derive(Debug, Clone)]
pub struct Model {
    pub address: String,
    pub session: String,
    pub connection: Connection,
    pub transcript: Vec<TranscriptEntry>,
    /// Requests in flight by id, with what each is for.
    pub pending: BTreeMap<String, Pending>,
    pub focus: Focus,
    pub help_visible: bool,
    /// Ctrl+G with several evaluations running: the next key chooses.
    pub choosing_interrupt: bool,
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
    /// The editor buffer and scroll positions: changed by `update` too.
    pub view: ViewState,
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
            choosing_interrupt: false,
            quit: false,
            evaluation_timeout_ms: 30_000,
            retrying: None,
            server_pid: None,
            reconnecting: false,
            view: ViewState::default(),
            next_request: 0,
        }
    }

    /// A model whose workspace starts with `text`.
    pub fn with_workspace(mut self, text: &str) -> Self {
        self.view.editor = Editor::new(text);
        self
    }

    /// A fresh request id: unique within the session, deterministic for tests.
    pub fn next_request_id(&mut self) -> String {
        self.next_request += 1;
        format!("{}-{}", self.session, self.next_request)
    }

    /// Record a request sent for `purpose`.
    pub fn send(&mut self, id: String, purpose: Purpose) {
        let sent = self.next_request;
        self.pending.insert(id, Pending { sent, purpose });
    }

    /// The ids of the evaluations running, oldest first.
    pub fn running_evaluations(&self) -> Vec<&str> {
        let mut running: Vec<(&u64, &str)> = self
            .pending
            .iter()
            .filter(|(_, p)| p.purpose.is_evaluation())
            .map(|(id, p)| (&p.sent, id.as_str()))
            .collect();
        running.sort();
        running.into_iter().map(|(_, id)| id).collect()
    }
}
