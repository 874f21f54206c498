//! The one message type of the TUI: what components and the bridge tell `update`.

use tuirealm::event::{KeyEvent, MouseEvent};

use std::time::Instant;

use crate::net::NetEvent;
use crate::ui::WorkspaceMsg;

/// Which evaluations Ctrl+G stops when several run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InterruptChoice {
    All,
    /// The n-th oldest, from 1.
    Nth(usize),
    None,
}

/// A scrolling step of the transcript or the help overlay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scroll {
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
}

impl Scroll {
    /// The row selected after this step from `selected`, in a list of
    /// `count` rows showing `page` at once.
    pub fn select(self, selected: usize, count: usize, page: usize) -> usize {
        let last = count.saturating_sub(1);
        match self {
            Scroll::Up => selected.saturating_sub(1),
            Scroll::Down => selected + 1,
            Scroll::PageUp => selected.saturating_sub(page),
            Scroll::PageDown => selected + page,
            Scroll::Top => 0,
            Scroll::Bottom => last,
        }
        .min(last)
    }
}

/// A key in Ctrl+R's history search prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchKey {
    /// Open the prompt, or find the next older match.
    Next,
    Type(char),
    Backspace,
    /// Put the match into the workspace.
    Accept,
    Cancel,
}

/// A step of the transcript search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchStep {
    /// Open the prompt (with the last query).
    Open,
    Type(char),
    Backspace,
    /// Close the prompt, staying on the newest match.
    Submit,
    /// The next older match.
    Next,
    /// The next newer match.
    Previous,
    Close,
}

/// A workspace editor command bound in the keymap (Tab, Enter and the
/// other editor keys go to the editor as `Msg::Edit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditCommand {
    Undo,
    Redo,
    SelectAll,
    /// Copy the selection (to the system clipboard too).
    Copy,
    Cut,
    /// Put the last copied or cut text at the cursor.
    Paste,
    Dedent,
}

// A handful of messages move per frame: boxing the net events would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Msg {
    /// Evaluate the workspace's selection, or the statement at the cursor, as the
    /// editor holds them when this message is handled (keys typed before
    /// it in the same tick are applied first).
    EvaluateSelection,
    /// Print it: evaluate like `EvaluateSelection` and put the value after the code.
    PrintSelection,
    /// Inspect it: the value of the selection or statement, field by field.
    InspectSelection,
    /// Evaluate this code.
    Evaluate(String),
    /// Offer completions of the word at the cursor of the editor (or
    /// line) that has the focus.
    Complete,
    /// A key for the open completion popup from a line without an editor
    /// (the inspector's evaluate line): choose, accept, close.
    CompletionKey(KeyEvent),
    /// A key that edits the workspace text.
    Edit(KeyEvent),
    /// Text pasted into the workspace.
    Paste(String),
    EditCommand(EditCommand),
    ScrollTranscript(Scroll),
    ScrollHelp(Scroll),
    /// `/` in the help: filter its lines.
    SearchHelp(SearchStep),
    SearchTranscript(SearchStep),
    /// Put the code of the transcript's selected (or newest) input entry
    /// into the workspace.
    CopyToWorkspace,
    /// Show all entries, errors only or output only, in turn.
    FilterTranscript,
    /// Error entries with their whole stacks, or the first frames.
    ToggleStacks,
    /// Write the whole of the newest cut value to a file.
    SaveWholeValue,
    /// Write the transcript to a file in the data directory.
    SaveTranscript,
    /// The transcript was written to a file, or not: the notice says which.
    TranscriptSaved(String),
    /// Put the text of the transcript's matched (or newest) entry on the
    /// system clipboard.
    CopyEntry,
    /// Stop the evaluations of this session that are running (asks which
    /// when several are).
    Interrupt,
    /// The answer to "which evaluation?".
    InterruptChosen(InterruptChoice),
    /// F2: connect when disconnected or down, disconnect otherwise.
    ToggleConnection,
    ToggleHelp,
    CloseHelp,
    /// Move keyboard focus between the workspace and the transcript.
    FocusNext,
    ClearTranscript,
    /// Show or hide the workspace's line numbers.
    ToggleLineNumbers,
    /// A click, drag or wheel notch over a pane.
    Mouse(MouseEvent),
    /// Replace the workspace text with the snippet evaluated before the one shown.
    HistoryOlder,
    /// The snippet after the one shown, or past the newest the text typed before.
    HistoryNewer,
    HistorySearch(SearchKey),
    /// Save the local server's image.
    SaveImage,
    /// File the changes made since the last save into the server again.
    ReplayChanges,
    Quit,
    /// Tabs: new, close, rename, switch, open and save files.
    Workspaces(WorkspaceMsg),
    /// The time, given often: the autosave is due a second after typing stops.
    Tick(Instant),
    /// A frame of the status bar's animations (every `status::TICK_MS`
    /// while a spinner turns, a countdown runs or a message waits to go).
    Animate,
    /// A key of the inspector.
    Inspector(crate::ui::inspector::InspectorMsg),
    /// Browse the class under the cursor of the pane focused (src/app/reach.rs).
    Browse,
    /// A key of the class browser.
    Browser(crate::ui::browser::BrowserMsg),
    /// The class browser's editing of a method or class in its source pane.
    BrowserEdit(crate::ui::browser_edit::EditMsg),
    /// Removing the browser's selected method or class (asks first).
    BrowserRemove(crate::ui::browser_remove::RemoveMsg),
    /// Moving the browser's selected method to another protocol.
    BrowserProtocol(crate::ui::browser_protocol::ProtocolMsg),
    /// Ctrl+N / Ctrl+M: the senders or implementors of the selector under
    /// the cursor of the pane focused.
    Messages(crate::ui::messages::MessagesKind),
    /// A key in the "Senders of: " / "Browse class: " prompt.
    ReachPrompt(crate::ui::PromptKey),
    MessageList(crate::ui::messages::MessagesMsg),
    /// Compile the workspace's text in the class its name (`Class>>selector`) names.
    Accept,
    /// Enter in the transcript: inspect the matched (or newest) value.
    InspectEntry,
    /// Debug it: evaluate like Do it, suspended before the first statement.
    DebugIt,
    /// A key of the debugger, or showing it (F9).
    Debugger(crate::ui::debugger::DebuggerMsg),
    /// A key of the palette (Ctrl+K), or opening it.
    Palette(crate::ui::palette::PaletteMsg),
    /// The answer to "trust this server's key?", and what came of it.
    Trust(crate::ui::trust::TrustMsg),
    /// Something the bridge thread reports.
    Net(NetEvent),
}
