//! TUI components: each draws from the shared model and turns key events
//! into [`Msg`]s through the keymap. None keeps model data or does I/O.
//!
//! Each is a wrapper with `#[derive(Component)]` around a [`Pane`], the one
//! inner component, which draws through the wrapper's [`Draw`].

pub mod browser;
mod browser_columns;
mod browser_remove;
pub mod browser_source;
pub mod completion_popup;
pub mod debugger;
pub mod help;
pub mod highlight;
pub mod history_prompt;
pub mod inspector;
pub mod inspector_prompt;
pub mod interrupt_prompt;
pub mod messages;
pub mod palette;
pub mod prompt_line;
pub mod reach_prompt;
pub mod status_bar;
mod status_hints;
pub mod tabs;
pub mod transcript;
pub mod trust_prompt;
pub mod viewport;
pub mod workspace;
pub mod workspace_prompt;

pub use browser::Browser;
pub use browser_source::BrowserSource;
pub use completion_popup::CompletionPopup;
pub use debugger::Debugger;
pub use help::Help;
pub use history_prompt::HistoryPrompt;
pub use inspector::Inspector;
pub use interrupt_prompt::InterruptPrompt;
pub use messages::MessageList;
pub use palette::PalettePopup;
pub use status_bar::StatusBar;
pub use transcript::Transcript;
pub use trust_prompt::TrustPrompt;
pub use workspace::Workspace;
pub use workspace_prompt::WorkspacePromptBar;

use tuirealm::command::{Cmd, CmdResult};
use tuirealm::component::Component;
use tuirealm::props::{AttrValue, Attribute, Props, QueryResult};
use tuirealm::ratatui::Frame;
use tuirealm::ratatui::layout::Rect;
use tuirealm::state::State;

use crate::config::keymap::Action;
use crate::ui::messages::MessagesKind;
use crate::ui::{Model, Msg, Scroll, SearchKey, SharedModel};

/// How a pane draws the model (and records its size in the view state).
pub trait Draw {
    fn draw(&self, model: &mut Model, frame: &mut Frame, area: Rect, focused: bool);
}

/// The inner component of every pane: the props tuirealm sets (focus) and
/// the model to draw from.
pub struct Pane<D> {
    model: SharedModel,
    drawing: D,
    props: Props,
}

impl<D: Draw> Pane<D> {
    pub fn new(model: SharedModel, drawing: D) -> Self {
        Self {
            model,
            drawing,
            props: Props::default(),
        }
    }
}

impl<D: Draw> Component for Pane<D> {
    fn view(&mut self, frame: &mut Frame, area: Rect) {
        let focused = self
            .props
            .get(Attribute::Focus)
            .and_then(AttrValue::as_flag)
            .unwrap_or(false);
        self.drawing
            .draw(&mut self.model.borrow_mut(), frame, area, focused);
    }

    fn query<'a>(&'a self, attr: Attribute) -> Option<QueryResult<'a>> {
        self.props.get_for_query(attr)
    }

    fn attr(&mut self, attr: Attribute, value: AttrValue) {
        self.props.set(attr, value);
    }

    fn state(&self) -> State {
        State::None
    }

    fn perform(&mut self, cmd: Cmd) -> CmdResult {
        CmdResult::Invalid(cmd)
    }
}

/// The message for an action that means the same whichever pane is focused.
/// Actions a pane gives its own meaning (evaluate, scrolling) give `None`.
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
        Action::HistoryOlder => Some(Msg::HistoryOlder),
        Action::HistoryNewer => Some(Msg::HistoryNewer),
        Action::HistorySearch => Some(Msg::HistorySearch(SearchKey::Next)),
        Action::CopyToWorkspace => Some(Msg::CopyToWorkspace),
        Action::SaveTranscript => Some(Msg::SaveTranscript),
        Action::CopyEntry => Some(Msg::CopyEntry),
        Action::NewWorkspace
        | Action::CloseWorkspace
        | Action::RenameWorkspace
        | Action::NextWorkspace
        | Action::PreviousWorkspace
        | Action::OpenWorkspace
        | Action::SaveWorkspace
        | Action::SaveWorkspaceAs
        | Action::Workspace1
        | Action::Workspace2
        | Action::Workspace3
        | Action::Workspace4
        | Action::Workspace5
        | Action::Workspace6
        | Action::Workspace7
        | Action::Workspace8
        | Action::Workspace9 => tabs::action_msg(action).map(Msg::Workspaces),
        Action::FilterTranscript => Some(Msg::FilterTranscript),
        Action::ToggleStacks => Some(Msg::ToggleStacks),
        Action::SaveWholeValue => Some(Msg::SaveWholeValue),
        Action::ToggleLineNumbers => Some(Msg::ToggleLineNumbers),
        Action::Complete => Some(Msg::Complete),
        Action::InspectEntry => Some(Msg::InspectEntry),
        Action::Browse => Some(Msg::Browse),
        Action::Senders => Some(Msg::Messages(MessagesKind::Senders)),
        Action::Implementors => Some(Msg::Messages(MessagesKind::Implementors)),
        Action::Accept => Some(Msg::Accept),
        Action::Palette => Some(Msg::Palette(crate::ui::palette::PaletteMsg::Open)),
        Action::DebugIt => Some(Msg::DebugIt),
        Action::ShowDebugger => Some(Msg::Debugger(crate::ui::debugger::DebuggerMsg::List)),
        Action::Evaluate
        | Action::PrintIt
        | Action::InspectIt
        | Action::ScrollUp
        | Action::ScrollDown
        | Action::PageUp
        | Action::PageDown
        | Action::ScrollToTop
        | Action::ScrollToBottom
        | Action::Search
        | Action::SearchNext
        | Action::SearchPrevious
        | Action::CloseSearch
        | Action::Undo
        | Action::Redo
        | Action::SelectAll
        | Action::Copy
        | Action::Cut
        | Action::Paste
        | Action::Dedent
        | Action::FilterHelp
        | Action::InspectField
        | Action::InspectBack
        | Action::InspectorEvaluate
        | Action::ColumnLeft
        | Action::ColumnRight
        | Action::EditMethod
        | Action::ToggleClassSide
        | Action::ToggleHierarchy
        | Action::SourcePageDown
        | Action::SourcePageUp
        | Action::EditInWorkspace
        | Action::NewMethod
        | Action::NewClass
        | Action::RemoveSelected
        | Action::MoveToProtocol
        | Action::StepInto
        | Action::StepOver
        | Action::StepThrough
        | Action::Restart
        | Action::Proceed
        | Action::Abandon
        | Action::NextDebugger
        | Action::PreviousDebugger
        | Action::EditFrame
        | Action::HideDebugger
        | Action::CloseTool => None,
    }
}

/// The scrolling step an action asks for, if it is one.
fn scroll_step(action: Action) -> Option<Scroll> {
    Some(match action {
        Action::ScrollUp => Scroll::Up,
        Action::ScrollDown => Scroll::Down,
        Action::PageUp => Scroll::PageUp,
        Action::PageDown => Scroll::PageDown,
        Action::ScrollToTop => Scroll::Top,
        Action::ScrollToBottom => Scroll::Bottom,
        _ => return None,
    })
}
