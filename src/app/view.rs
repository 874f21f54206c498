//! The view: mounts the components, moves focus to match the model, and
//! lays out the screen. The components draw from the shared model.
//!
//! ```text
//! ┌ Workspace ──────────┐  ~60%
//! └─────────────────────┘
//! ┌ Transcript ─────────┐  the rest: an open tool (the inspector) in
//! └─────────────────────┘  its place, unless the transcript has the focus
//!                           (the class browser with the focus: ~65%)
//!  status line              1 row        (help: a centred overlay on top;
//!                                         "interrupt which?" and the history
//!                                         search and the workspaces' prompt
//!                                         over the status line; the palette,
//!                                         Ctrl+K, and "trust this server?",
//!                                         centred overlays too)
//! ```

use std::sync::Arc;

use tuirealm::application::{Application, ApplicationError};
use tuirealm::event::NoUserEvent;
use tuirealm::ratatui::Frame;
use tuirealm::ratatui::layout::{Constraint, Layout, Rect};

use crate::components::inspector_prompt::{InspectorPromptBar, evaluate_line};
use crate::components::reach_prompt::ReachPromptBar;
use crate::components::{
    Browser, BrowserSource, CompletionPopup, Debugger, Help, HistoryPrompt, Inspector,
    InterruptPrompt, MessageList, PalettePopup, StatusBar, Transcript, TrustPrompt, Workspace,
    WorkspacePromptBar,
};
use crate::config::keymap::Keymap;
use crate::config::theme::Theme;
use crate::ui::{Focus, Model, Msg, SharedModel};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Id {
    Workspace,
    Transcript,
    Inspector,
    Browser,
    /// The browser's source pane, while it edits.
    BrowserSource,
    MessageList,
    Debugger,
    StatusBar,
    Help,
    InterruptPrompt,
    HistoryPrompt,
    WorkspacePrompt,
    InspectorPrompt,
    ReachPrompt,
    Completion,
    Palette,
    /// "Trust this server's key?", centred over the screen.
    TrustPrompt,
}

/// Net events do not go through the Application: the runtime turns them
/// into messages itself.
pub type App = Application<Id, Msg, NoUserEvent>;

/// Mount every component over `model` and focus the workspace.
pub fn mount(
    app: &mut App,
    model: &SharedModel,
    keymap: Arc<Keymap>,
    theme: &Theme,
) -> Result<(), ApplicationError> {
    let workspace = Workspace::new(model.clone(), keymap.clone(), theme.workspace, theme.syntax);
    app.mount(Id::Workspace, Box::new(workspace), Vec::new())?;
    let transcript = Transcript::new(model.clone(), keymap.clone(), theme);
    app.mount(Id::Transcript, Box::new(transcript), Vec::new())?;
    let inspector = Inspector::new(model.clone(), keymap.clone(), theme);
    app.mount(Id::Inspector, Box::new(inspector), Vec::new())?;
    let browser = Browser::new(model.clone(), keymap.clone(), theme);
    app.mount(Id::Browser, Box::new(browser), Vec::new())?;
    let source = BrowserSource::new(model.clone(), keymap.clone());
    app.mount(Id::BrowserSource, Box::new(source), Vec::new())?;
    let messages = MessageList::new(model.clone(), keymap.clone(), theme);
    app.mount(Id::MessageList, Box::new(messages), Vec::new())?;
    let debugger = Debugger::new(model.clone(), keymap.clone(), theme);
    app.mount(Id::Debugger, Box::new(debugger), Vec::new())?;
    let status = StatusBar::new(model.clone(), &keymap, theme.status_bar);
    app.mount(Id::StatusBar, Box::new(status), Vec::new())?;
    let prompt = InterruptPrompt::new(model.clone(), keymap.clone(), theme.status_bar);
    app.mount(Id::InterruptPrompt, Box::new(prompt), Vec::new())?;
    let search = HistoryPrompt::new(model.clone(), keymap.clone(), theme.status_bar);
    app.mount(Id::HistoryPrompt, Box::new(search), Vec::new())?;
    let asking = WorkspacePromptBar::new(model.clone(), keymap.clone(), theme.status_bar);
    app.mount(Id::WorkspacePrompt, Box::new(asking), Vec::new())?;
    let evaluate_line = InspectorPromptBar::new(model.clone(), keymap.clone(), theme.status_bar);
    app.mount(Id::InspectorPrompt, Box::new(evaluate_line), Vec::new())?;
    let reach = ReachPromptBar::new(model.clone(), keymap.clone(), theme.status_bar);
    app.mount(Id::ReachPrompt, Box::new(reach), Vec::new())?;
    let popup = CompletionPopup::new(model.clone(), theme);
    app.mount(Id::Completion, Box::new(popup), Vec::new())?;
    // The palette's commands are the keymap's actions, as the help lists them.
    model.borrow_mut().palette.commands = crate::ui::palette::commands(&keymap);
    let palette = PalettePopup::new(model.clone(), keymap.clone(), theme.help);
    app.mount(Id::Palette, Box::new(palette), Vec::new())?;
    let trust = TrustPrompt::new(model.clone(), keymap.clone(), theme.help);
    app.mount(Id::TrustPrompt, Box::new(trust), Vec::new())?;
    let help = Help::new(model.clone(), keymap, theme.help);
    app.mount(Id::Help, Box::new(help), Vec::new())?;
    app.active(&Id::Workspace)
}

/// Move focus to match the model: an open question or overlay takes the keys.
pub fn sync(app: &mut App, model: &Model) {
    // The answer decides whether STUI connects: nothing else takes keys first.
    let focus = if model.trust_question.is_some() {
        Id::TrustPrompt
    } else if model.choosing_interrupt {
        Id::InterruptPrompt
    } else if model.palette.open.is_some() {
        Id::Palette
    } else if model.help_visible {
        Id::Help
    } else if model.history_search.is_some() {
        Id::HistoryPrompt
    } else if model.workspaces.prompt.is_some() {
        Id::WorkspacePrompt
    } else if model.reach_prompt.is_some() {
        Id::ReachPrompt
    } else if model.focus == Focus::Tool && evaluate_line(model).is_some() {
        Id::InspectorPrompt
    } else if crate::components::browser_source::has_keys(model) {
        Id::BrowserSource
    } else {
        match model.focus {
            Focus::Workspace => Id::Workspace,
            Focus::Transcript => Id::Transcript,
            Focus::Tool => tool_id(model),
        }
    };
    if app.focus() != Some(&focus) {
        // The only error is "not mounted", which `mount` rules out.
        let _ = app.active(&focus);
    }
}

/// The component of the tool open.
fn tool_id(model: &Model) -> Id {
    match model.tool {
        Some(crate::ui::inspector::Tool::Browser(_)) => Id::Browser,
        Some(crate::ui::inspector::Tool::Messages(_)) => Id::MessageList,
        Some(crate::ui::inspector::Tool::Debugger(_)) => Id::Debugger,
        _ => Id::Inspector,
    }
}

/// The areas of the workspace, the transcript and the status line on `screen`.
pub fn layout(screen: Rect) -> [Rect; 3] {
    layout_sharing(screen, 60)
}

/// `layout` with the workspace taking `percent` of the panes' height.
fn layout_sharing(screen: Rect, percent: u16) -> [Rect; 3] {
    let [panes, status] =
        Layout::vertical([Constraint::Min(2), Constraint::Length(1)]).areas(screen);
    let [workspace, transcript] = Layout::vertical([
        Constraint::Percentage(percent),
        Constraint::Percentage(100 - percent),
    ])
    .areas(panes);
    [workspace, transcript, status]
}

/// The class browser's four columns and source want room: while it has the
/// focus it takes the larger share of the height.
fn workspace_share(model: &Model) -> u16 {
    use crate::ui::inspector::Tool;
    match (&model.tool, &model.focus) {
        (Some(Tool::Browser(_)), Focus::Tool) => 35,
        // The stack, the source and the variables want the room.
        (Some(Tool::Debugger(_)), Focus::Tool) => 25,
        _ => 60,
    }
}

/// Lay out and render the whole screen.
pub fn draw(app: &mut App, model: &SharedModel, frame: &mut Frame) {
    let palette_open = model.borrow().palette.open.is_some();
    let trusting = model.borrow().trust_question.is_some();
    let (help_visible, choosing_interrupt, searching, asking, completing, lower, share) = {
        let model = model.borrow();
        let completing = model.completion.popup.is_some();
        let lower = if model.shows_tool() {
            tool_id(&model)
        } else {
            Id::Transcript
        };
        let searching = model.history_search.is_some();
        let asking = if model.workspaces.prompt.is_some() {
            Some(Id::WorkspacePrompt)
        } else if model.reach_prompt.is_some() {
            Some(Id::ReachPrompt)
        } else if model.focus == Focus::Tool && evaluate_line(&model).is_some() {
            Some(Id::InspectorPrompt)
        } else {
            None
        };
        (
            model.help_visible,
            model.choosing_interrupt,
            searching,
            asking,
            completing,
            lower,
            workspace_share(&model),
        )
    };
    let screen = frame.area();
    let [workspace, transcript, status] = layout_sharing(screen, share);
    app.view(&Id::Workspace, frame, workspace);
    app.view(&lower, frame, transcript);
    app.view(&Id::StatusBar, frame, status);
    if choosing_interrupt {
        app.view(&Id::InterruptPrompt, frame, status);
    } else if searching {
        app.view(&Id::HistoryPrompt, frame, status);
    } else if let Some(asking) = asking {
        app.view(&asking, frame, status);
    }
    // Over the panes: it may reach beyond the workspace's.
    if completing {
        app.view(&Id::Completion, frame, screen);
    }
    if help_visible {
        app.view(&Id::Help, frame, screen);
    }
    if palette_open {
        app.view(&Id::Palette, frame, screen);
    }
    if trusting {
        app.view(&Id::TrustPrompt, frame, screen);
    }
}
