//! The one message type of the TUI: what components and the bridge tell `update`.

use crate::net::NetEvent;

// A handful of messages move per frame: boxing the net events would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Msg {
    /// Evaluate this code (the workspace selection, or its current line).
    Evaluate(String),
    /// Stop the evaluations of this session that are running.
    Interrupt,
    /// F2: connect when disconnected or down, disconnect otherwise.
    ToggleConnection,
    ToggleHelp,
    CloseHelp,
    /// Move keyboard focus between the workspace and the transcript.
    FocusNext,
    ClearTranscript,
    /// Save the local server's image.
    SaveImage,
    /// File the changes made since the last save into the server again.
    ReplayChanges,
    Quit,
    /// Something the bridge thread reports.
    Net(NetEvent),
}
