//! The application state that `update` changes. Components render it; none owns it.

use std::collections::BTreeMap;

use super::editor::Editor;
use super::history::{History, HistorySearch};
use super::msg::Scroll;
use super::transcript_search::TranscriptSearch;
use super::transcript_view::TranscriptView;
use super::workspaces::Workspaces;
use crate::net::ServerInfo;
use crate::protocol::ErrorObject;
use tuirealm::ratatui::layout::Rect;

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
        /// The server's handle on the value: Enter inspects it.
        handle: Option<String>,
    },
    /// Transcript output the evaluation produced.
    Output(String),
    /// A syntax or evaluation error, or any other error reply.
    Error(ErrorObject),
    /// A message from STUI itself (connection changes, hints).
    Notice(String),
    /// Stands first once older entries were dropped for the cap.
    Dropped { count: u64 },
}

/// Entries kept before the oldest are dropped: a flood of output must not
/// grow the memory and the drawing cost without bound.
pub const TRANSCRIPT_MAX_ENTRIES: usize = 10_000;
/// Bytes of text kept per entry; the rest is cut and counted.
pub const ENTRY_MAX_BYTES: usize = 64 * 1024;

/// What a request was sent for: its reply is routed by this.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Purpose {
    /// Do it; `start` is where the code starts in the workspace (row, char
    /// column), if it came from there: a syntax error moves the cursor there.
    Evaluation {
        code: String,
        start: Option<(usize, usize)>,
    },
    /// Print it: the value goes into the workspace at `at` (row, char
    /// column) if its text is still `text`.
    PrintIt {
        code: String,
        start: (usize, usize),
        at: (usize, usize),
        text: String,
    },
    /// Inspect it: the fields of the value of `code`.
    Inspection {
        code: String,
    },
    /// The whole print of a value the transcript shows cut.
    WholeValue,
    /// Candidates for `prefix`, the word at `start`; only the newest
    /// `generation` is shown. `by_key`: asked for, not after a pause.
    Completion {
        generation: u64,
        start: (usize, usize),
        prefix: String,
        by_key: bool,
    },
    /// The inspector's view of the object at `depth` (its elements from `offset`).
    InspectorPage {
        depth: usize,
        handle: String,
        offset: u64,
    },
    /// Handles the inspector no longer shows.
    Release,
    /// The inspector's evaluate line, run on the object at `depth` (by `handle`).
    InspectorEvaluation {
        code: String,
        depth: usize,
        handle: String,
    },
    /// The class browser's list, class or method.
    Browser(crate::ui::browser::BrowserAsk),
    /// An accept in the class browser's source pane.
    BrowserEdit(crate::ui::browser_edit::EditAsk),
    /// A removal in the class browser.
    BrowserRemove(crate::ui::browser_remove::Removal),
    /// A method compiled again in another protocol.
    BrowserMove(crate::ui::browser_protocol::MovedMethod),
    Messages(crate::ui::messages::MessagesAsk),
    Palette(crate::ui::palette::PaletteAsk),
    /// Debug it: `code` evaluated with `debug: start`.
    DebugIt {
        code: String,
        start: (usize, usize),
    },
    Debugger(crate::ui::debugger::DebugAsk),
}

impl Purpose {
    pub fn is_evaluation(&self) -> bool {
        use crate::ui::debugger::DebugAsk;
        matches!(
            self,
            Self::Evaluation { .. }
                | Self::PrintIt { .. }
                | Self::InspectorEvaluation { .. }
                | Self::DebugIt { .. }
                | Self::Debugger(DebugAsk::Step { .. } | DebugAsk::Evaluate { .. })
        )
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
    /// The transcript search, while it is open.
    pub search: Option<TranscriptSearch>,
    /// The help's filter, while it is set.
    pub help_filter: Option<super::help_filter::HelpFilter>,
    /// Line numbers beside the workspace text.
    pub line_numbers: bool,
    /// Where the workspace text and the panes were drawn last: mouse
    /// positions are read against them.
    pub workspace_text: Rect,
    /// Where the inspector's evaluate line draws its text (the completion
    /// popup goes above it).
    pub inspector_line: Rect,
    pub workspace_pane: Rect,
    pub transcript_pane: Rect,
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
    /// The tool in the lower pane (`Model::tool`).
    Tool,
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
    /// The instance of the server last heard from (a heartbeat may tell of a
    /// restart before the next connection does).
    pub server_instance: Option<String>,
    /// The server went down and the bridge is reconnecting on its own.
    pub reconnecting: bool,
    /// The editor buffer and scroll positions: changed by `update` too.
    pub view: ViewState,
    /// The snippets evaluated against this address, kept between runs.
    pub history: History,
    /// Ctrl+R's prompt, while it is open.
    pub history_search: Option<HistorySearch>,
    /// Entries kept (besides the dropped-entries notice).
    pub transcript_max_entries: usize,
    /// The workspaces (tabs); the active one's editor is `view.editor`.
    pub workspaces: Workspaces,
    /// Copy and cut also go to the system clipboard (`ui.system_clipboard`).
    pub system_clipboard: bool,
    /// The handle of the newest value that was cut, to fetch it whole.
    pub cut_value: Option<String>,
    /// Round trips, spinner and short-lived messages of the status bar.
    pub status: super::status::StatusState,
    /// The completion popup and its clock.
    pub completion: super::completion::Completion,
    /// The tool open in the lower pane (shown there unless the transcript has the focus).
    pub tool: Option<super::inspector::Tool>,
    /// A Do it from the workspace shows the transcript over the tool (its
    /// value or error must be seen) until the tool has the focus again.
    pub transcript_raised: bool,
    /// The "Senders of: " / "Browse class: " prompt, while it is open.
    pub reach_prompt: Option<super::reach::ReachPrompt>,
    /// The palette (Ctrl+K) and the classes and commands it searches.
    pub palette: super::palette::PaletteState,
    /// The suspended processes the debugger shows.
    pub debuggers: super::debugger::Debuggers,
    /// Evaluations suspend at an unhandled error (`ui.debug_on_error`),
    /// where the server can debug.
    pub debug_on_error: bool,
    /// An unknown server key waiting for the user's yes or no: it takes the keys.
    pub trust_question: Option<super::trust::TrustQuestion>,
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
            server_instance: None,
            reconnecting: false,
            view: ViewState::default(),
            history: History::default(),
            history_search: None,
            transcript_max_entries: TRANSCRIPT_MAX_ENTRIES,
            workspaces: Workspaces::default(),
            system_clipboard: true,
            cut_value: None,
            status: Default::default(),
            completion: Default::default(),
            tool: None,
            transcript_raised: false,
            reach_prompt: None,
            palette: Default::default(),
            debuggers: Default::default(),
            debug_on_error: true,
            trust_question: None,
            next_request: 0,
        }
    }

    /// A model whose workspace starts with `text`.
    pub fn with_workspace(mut self, text: &str) -> Self {
        self.view.editor = Editor::new(text);
        self
    }

    /// Drop the oldest entries beyond the cap (counted in one notice at the
    /// top) and cut over-long texts; the scroll anchor follows the shift.
    pub fn bound_transcript(&mut self) {
        for entry in &mut self.transcript {
            cap_entry_text(entry);
        }
        let start = usize::from(matches!(
            self.transcript.first(),
            Some(TranscriptEntry::Dropped { .. })
        ));
        let kept = self.transcript.len() - start;
        if kept <= self.transcript_max_entries {
            return;
        }
        let excess = kept - self.transcript_max_entries;
        self.transcript.drain(start..start + excess);
        match self.transcript.first_mut() {
            Some(TranscriptEntry::Dropped { count }) if start == 1 => *count += excess as u64,
            _ => self.transcript.insert(
                0,
                TranscriptEntry::Dropped {
                    count: excess as u64,
                },
            ),
        }
        self.view.transcript.dropped_front(start + excess, 1);
        if let Some(search) = &mut self.view.search {
            search.current = search
                .current
                .and_then(|at| at.checked_sub(start + excess))
                .map(|kept| kept + 1);
        }
    }

    /// The lower pane shows the tool (else the transcript).
    pub fn shows_tool(&self) -> bool {
        self.tool.is_some()
            && match self.focus {
                Focus::Tool => true,
                Focus::Workspace => !self.transcript_raised,
                Focus::Transcript => false,
            }
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

fn cap_entry_text(entry: &mut TranscriptEntry) {
    match entry {
        // Marked, so that it says how to see the rest.
        TranscriptEntry::Value {
            print, truncated, ..
        } => *truncated |= cap_text(print),
        TranscriptEntry::Input { code } => cap_input(code),
        TranscriptEntry::Output(text) | TranscriptEntry::Notice(text) => {
            cap_text(text);
        }
        TranscriptEntry::Error(error) => {
            cap_text(&mut error.message);
        }
        TranscriptEntry::Dropped { .. } => {}
    }
}

/// Cut `text` to `ENTRY_MAX_BYTES` (at a character boundary) and say how
/// much was cut; a text already cut stays as it is. True when it cut.
fn cap_text(text: &mut String) -> bool {
    if text.len() <= ENTRY_MAX_BYTES {
        return false;
    }
    // Room for the note, so the result is within the cap.
    let mut keep = ENTRY_MAX_BYTES - 64;
    while !text.is_char_boundary(keep) {
        keep -= 1;
    }
    let cut = text.len() - keep;
    text.truncate(keep);
    text.push_str(&format!(
        "\n… cut: {} more (the transcript keeps 64 KB of an entry)",
        format_bytes(cut)
    ));
    true
}

/// Ends an input cut to the cap, before the count of its lines.
const INPUT_CUT_NOTE: &str = "\n… cut: lines in all: ";

/// Cut evaluated code to `ENTRY_MAX_BYTES` at a line's end, noting how many
/// lines it had (the transcript shows its first lines and counts the rest).
fn cap_input(code: &mut String) {
    if code.len() <= ENTRY_MAX_BYTES {
        return;
    }
    let total = code.lines().count();
    let mut keep = ENTRY_MAX_BYTES - 64;
    while !code.is_char_boundary(keep) {
        keep -= 1;
    }
    keep = code[..keep].rfind('\n').unwrap_or(keep);
    code.truncate(keep);
    code.push_str(&format!("{INPUT_CUT_NOTE}{total}"));
}

/// The lines of evaluated code (before the transcript cut it), and those
/// of it kept.
pub fn input_lines(code: &str) -> (usize, std::str::Lines<'_>) {
    match code.rsplit_once(INPUT_CUT_NOTE) {
        Some((kept, total)) => (total.parse().unwrap_or(0), kept.lines()),
        None => (code.lines().count(), code.lines()),
    }
}

/// `812 bytes`, `36 KB`, `3.1 MB`.
pub fn format_bytes(bytes: usize) -> String {
    match bytes {
        0..1_000 => format!("{bytes} bytes"),
        1_000..1_000_000 => format!("{} KB", bytes / 1_000),
        _ => format!("{:.1} MB", bytes as f64 / 1e6),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notices(model: &Model) -> Vec<String> {
        model
            .transcript
            .iter()
            .map(|entry| match entry {
                TranscriptEntry::Notice(text) => text.clone(),
                TranscriptEntry::Dropped { count } => format!("dropped {count}"),
                other => format!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn the_oldest_entries_go_and_one_notice_counts_them() {
        let mut model = Model::new("a", "s");
        model.transcript_max_entries = 3;
        for n in 0..5 {
            model
                .transcript
                .push(TranscriptEntry::Notice(n.to_string()));
            model.bound_transcript();
        }
        assert_eq!(notices(&model), ["dropped 2", "2", "3", "4"]);
        model.transcript.push(TranscriptEntry::Notice("5".into()));
        model.bound_transcript();
        assert_eq!(notices(&model), ["dropped 3", "3", "4", "5"]);
    }

    #[test]
    fn long_texts_are_cut_once_and_counted() {
        let mut model = Model::new("a", "s");
        model
            .transcript
            .push(TranscriptEntry::Output("é".repeat(ENTRY_MAX_BYTES)));
        model.bound_transcript();
        model.bound_transcript();
        let TranscriptEntry::Output(text) = &model.transcript[0] else {
            panic!("not output");
        };
        assert!(text.len() <= ENTRY_MAX_BYTES);
        assert!(text.ends_with("… cut: 65 KB more (the transcript keeps 64 KB of an entry)"));
    }

    #[test]
    fn a_cut_value_is_marked_and_sizes_read_well() {
        let mut model = Model::new("a", "s");
        model.transcript.push(TranscriptEntry::Value {
            print: "x".repeat(3_100_000),
            class: "String".into(),
            truncated: false,
            duration_us: 1,
            handle: None,
        });
        model.bound_transcript();
        let TranscriptEntry::Value {
            truncated, print, ..
        } = &model.transcript[0]
        else {
            panic!("not a value");
        };
        assert!(*truncated);
        assert!(print.ends_with("… cut: 3.0 MB more (the transcript keeps 64 KB of an entry)"));
        assert_eq!(format_bytes(812), "812 bytes");
        assert_eq!(format_bytes(36_500), "36 KB");
    }
}
