//! The view: mounts the components, pushes the model into them, and lays out the screen.
//!
//! ```text
//! ┌ Workspace ──────────┐  ~60%
//! └─────────────────────┘
//! ┌ Transcript ─────────┐  the rest
//! └─────────────────────┘
//!  status line              1 row        (help: a centred overlay on top)
//! ```

use std::sync::Arc;

use tuirealm::application::{Application, ApplicationError};
use tuirealm::props::{AttrValue, Attribute};
use tuirealm::ratatui::Frame;
use tuirealm::ratatui::layout::{Constraint, Layout, Rect};
use tuirealm::state::{State, StateValue};
use tuirealm::subscription::{EventClause, Sub, SubClause};

use super::model::{Focus, Model};
use super::msg::Msg;
use crate::components::{Help, StatusBar, Transcript, Workspace};
use crate::config::keymap::Keymap;
use crate::config::theme::Theme;
use crate::net::NetEvent;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Id {
    Workspace,
    Transcript,
    StatusBar,
    Help,
}

pub type App = Application<Id, Msg, NetEvent>;

/// Mount every component and focus the workspace.
///
/// Net events reach `update` as `Msg::Net` through the status bar, which is
/// subscribed to all events because it is never the focused component.
pub fn mount(
    app: &mut App,
    keymap: Arc<Keymap>,
    theme: &Theme,
    workspace_text: &str,
) -> Result<(), ApplicationError> {
    app.mount(
        Id::Workspace,
        Box::new(Workspace::new(
            keymap.clone(),
            theme.workspace,
            workspace_text,
        )),
        Vec::new(),
    )?;
    app.mount(
        Id::Transcript,
        Box::new(Transcript::new(keymap.clone(), theme)),
        Vec::new(),
    )?;
    app.mount(
        Id::StatusBar,
        Box::new(StatusBar::new(&keymap, theme.status_bar)),
        vec![Sub::new(EventClause::Any, SubClause::Always)],
    )?;
    app.mount(
        Id::Help,
        Box::new(Help::new(keymap, theme.help)),
        Vec::new(),
    )?;
    app.active(&Id::Workspace)
}

/// Push the model into the components and move focus to match it.
pub fn sync(app: &mut App, model: &Model) {
    if let Some(transcript) = component_mut::<Transcript>(app, Id::Transcript) {
        transcript.sync(&model.transcript);
    }
    if let Some(status) = component_mut::<StatusBar>(app, Id::StatusBar) {
        status.set_status(
            &model.connection,
            model.pending.len(),
            model.retrying.as_deref(),
        );
    }
    // The only error is "not mounted", which `mount` rules out.
    let _ = app.attr(
        &Id::Help,
        Attribute::Display,
        AttrValue::Flag(model.help_visible),
    );
    let focus = match (model.help_visible, &model.focus) {
        (true, _) => Id::Help,
        (false, Focus::Workspace) => Id::Workspace,
        (false, Focus::Transcript) => Id::Transcript,
    };
    if app.focus() != Some(&focus) {
        let _ = app.active(&focus);
    }
}

/// The areas of the workspace, the transcript and the status line on `screen`.
pub fn layout(screen: Rect) -> [Rect; 3] {
    let [panes, status] =
        Layout::vertical([Constraint::Min(2), Constraint::Length(1)]).areas(screen);
    let [workspace, transcript] =
        Layout::vertical([Constraint::Percentage(60), Constraint::Percentage(40)]).areas(panes);
    [workspace, transcript, status]
}

/// Lay out and render the whole screen.
pub fn draw(app: &mut App, model: &Model, frame: &mut Frame) {
    let screen = frame.area();
    let [workspace, transcript, status] = layout(screen);
    app.view(&Id::Workspace, frame, workspace);
    app.view(&Id::Transcript, frame, transcript);
    app.view(&Id::StatusBar, frame, status);
    if model.help_visible {
        app.view(&Id::Help, frame, screen);
    }
}

/// The workspace's whole text, for saving on exit.
pub fn workspace_text(app: &App) -> String {
    match app.state(&Id::Workspace) {
        Ok(State::Single(StateValue::String(text))) => text,
        _ => String::new(),
    }
}

/// The mounted component `id` as its concrete type.
fn component_mut<T: 'static>(app: &mut App, id: Id) -> Option<&mut T> {
    let component: &mut dyn std::any::Any = app.get_component_mut(&id)?;
    component.downcast_mut::<T>()
}
