//! TUI components: each renders its own state and turns key events into
//! [`Msg`]s through the keymap. None does I/O.

pub mod help;
pub mod status_bar;
pub mod transcript;
pub mod workspace;

pub use help::Help;
pub use status_bar::StatusBar;
pub use transcript::Transcript;
pub use workspace::Workspace;

use tuirealm::props::{AttrValue, Attribute, Props};

use crate::app::Msg;
use crate::config::keymap::Action;

/// The message for an action that `update` handles, whichever pane is focused.
/// Actions a component carries out itself (evaluate, scrolling) give `None`.
fn app_msg(action: Action) -> Option<Msg> {
    match action {
        Action::Help => Some(Msg::ToggleHelp),
        Action::CloseHelp => Some(Msg::CloseHelp),
        Action::ToggleConnection => Some(Msg::ToggleConnection),
        Action::Quit => Some(Msg::Quit),
        Action::FocusNext => Some(Msg::FocusNext),
        Action::ClearTranscript => Some(Msg::ClearTranscript),
        Action::Interrupt => Some(Msg::Interrupt),
        Action::SaveImage => Some(Msg::SaveImage),
        Action::ReplayChanges => Some(Msg::ReplayChanges),
        Action::Evaluate
        | Action::ScrollUp
        | Action::ScrollDown
        | Action::PageUp
        | Action::PageDown
        | Action::ScrollToTop
        | Action::ScrollToBottom => None,
    }
}

/// Whether the application gave this component focus (`Application::active`).
fn has_focus(props: &Props) -> bool {
    props
        .get(Attribute::Focus)
        .and_then(AttrValue::as_flag)
        .unwrap_or(false)
}
