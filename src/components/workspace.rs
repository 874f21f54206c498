//! The workspace: a multi-line editor for Smalltalk code. Keys bound in the
//! keymap become messages; every other key edits the text (`Msg::Edit`).

use std::sync::Arc;

use tuirealm::component::{AppComponent, Component};
use tuirealm::event::{Event, MouseEventKind, NoUserEvent};
use tuirealm::props::Style;
use tuirealm::ratatui::Frame;
use tuirealm::ratatui::layout::{Constraint, Layout, Rect};
use tuirealm::ratatui::widgets::Block;

use super::{Draw, Pane, app_msg, highlight, viewport};
use crate::config::keymap::{Action, Context, Keymap, key_label};
use crate::config::theme::{SyntaxColors, WorkspaceColors};
use crate::ui::{EditCommand, Model, Msg, SharedModel};

#[derive(Component)]
pub struct Workspace {
    component: Pane<WorkspaceDrawing>,
    keymap: Arc<Keymap>,
}

pub struct WorkspaceDrawing {
    placeholder: Option<String>,
    colours: WorkspaceColors,
    syntax: SyntaxColors,
}

impl Workspace {
    pub fn new(
        model: SharedModel,
        keymap: Arc<Keymap>,
        colours: WorkspaceColors,
        syntax: SyntaxColors,
    ) -> Self {
        let evaluate = keymap.keys_for(Context::Workspace, Action::Evaluate);
        let placeholder = evaluate.first().map(|key| {
            format!(
                "Type Smalltalk here; {} evaluates the selection or the statement.",
                key_label(key)
            )
        });
        Self {
            component: Pane::new(
                model,
                WorkspaceDrawing {
                    placeholder,
                    colours,
                    syntax,
                },
            ),
            keymap,
        }
    }
}

impl Draw for WorkspaceDrawing {
    fn draw(&self, model: &mut Model, frame: &mut Frame, area: Rect, focused: bool) {
        let border = if focused {
            self.colours.border_focused
        } else {
            self.colours.border_unfocused
        };
        let block = Block::bordered()
            .title(super::tabs::title(
                &model.workspaces,
                &self.colours,
                area.width,
            ))
            .border_style(Style::default().fg(border));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let line_numbers = model.view.line_numbers;
        let editor = &mut model.view.editor.area;
        let gutter = if line_numbers && !editor.is_empty() {
            viewport::gutter_width(editor.lines().len()).min(inner.width)
        } else {
            0
        };
        let [gutter_area, text] =
            Layout::horizontal([Constraint::Length(gutter), Constraint::Min(0)]).areas(inner);
        if let Some(placeholder) = &self.placeholder {
            editor.set_placeholder_text(placeholder);
        }
        highlight::render_editor(&mut model.view.editor, &self.syntax, frame, text, focused);
        let editor = &model.view.editor.area;
        let buffer = frame.buffer_mut();
        let quiet = Style::default().fg(self.colours.border_unfocused);
        let current = Style::default().fg(border);
        viewport::paint_gutter(editor, gutter_area, buffer, [quiet, current]);
        viewport::paint_position(editor, area, text, buffer, Style::default().fg(border));
        model.view.workspace_text = text;
        model.view.workspace_pane = area;
    }
}

impl AppComponent<Msg, NoUserEvent> for Workspace {
    fn on(&mut self, event: &Event<NoUserEvent>) -> Option<Msg> {
        match event {
            Event::Keyboard(key) => {
                let action = self.keymap.lookup(Context::Workspace, key);
                match action {
                    Some(Action::Evaluate) => return Some(Msg::EvaluateSelection),
                    Some(Action::PrintIt) => return Some(Msg::PrintSelection),
                    Some(Action::InspectIt) => return Some(Msg::InspectSelection),
                    Some(action) => {
                        if let Some(command) = edit_command(action) {
                            return Some(Msg::EditCommand(command));
                        }
                    }
                    None => {}
                }
                // Unbound keys, and actions that mean nothing here, edit the text.
                action.and_then(app_msg).or(Some(Msg::Edit(*key)))
            }
            Event::Paste(text) => Some(Msg::Paste(text.clone())),
            // Bare motion means nothing here: it would only cost frames.
            Event::Mouse(mouse) if mouse.kind != MouseEventKind::Moved => Some(Msg::Mouse(*mouse)),
            _ => None,
        }
    }
}

/// The editor command an action names, if it is one.
pub(super) fn edit_command(action: Action) -> Option<EditCommand> {
    Some(match action {
        Action::Undo => EditCommand::Undo,
        Action::Redo => EditCommand::Redo,
        Action::SelectAll => EditCommand::SelectAll,
        Action::Copy => EditCommand::Copy,
        Action::Cut => EditCommand::Cut,
        Action::Paste => EditCommand::Paste,
        Action::Dedent => EditCommand::Dedent,
        _ => return None,
    })
}
