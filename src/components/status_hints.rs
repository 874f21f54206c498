//! The status bar's key hints while a tool has the focus: the tool's own
//! main keys, rather than the workspace's (Ctrl+E does nothing there).

use super::status_bar::hint;
use crate::config::keymap::{Action, Context, Keymap};
use crate::ui::inspector::Tool;
use crate::ui::{Focus, Model};

pub struct ToolHints {
    inspector: Vec<String>,
    browser: Vec<String>,
    editing: Vec<String>,
    messages: Vec<String>,
}

impl ToolHints {
    pub fn new(keymap: &Keymap) -> Self {
        let hints = |context, wanted: &[(Action, &str)]| {
            wanted
                .iter()
                .filter_map(|(action, what)| hint(keymap, context, *action, what))
                .collect()
        };
        Self {
            inspector: hints(
                Context::Inspector,
                &[
                    (Action::InspectField, "drill"),
                    (Action::InspectorEvaluate, "evaluate"),
                    (Action::InspectBack, "back"),
                    (Action::CloseTool, "close"),
                ],
            ),
            browser: hints(
                Context::Browser,
                &[
                    (Action::EditMethod, "edit"),
                    (Action::NewMethod, "new method"),
                    (Action::NewClass, "new class"),
                    (Action::CloseTool, "close"),
                ],
            ),
            editing: hints(
                Context::Browser,
                &[
                    (Action::Accept, "accept"),
                    (Action::CloseTool, "cancel"),
                    (Action::EditInWorkspace, "to a workspace"),
                ],
            ),
            // The lists take the browser's keys.
            messages: hints(
                Context::Browser,
                &[(Action::EditMethod, "browse"), (Action::CloseTool, "close")],
            ),
        }
    }

    /// The focused tool's hints; `None` while no tool has the focus.
    pub fn for_focus(&self, model: &Model) -> Option<&[String]> {
        if model.focus != Focus::Tool {
            return None;
        }
        Some(match model.tool.as_ref()? {
            Tool::Inspector(_) => &self.inspector,
            Tool::Browser(state) if state.edit.is_some() => &self.editing,
            Tool::Browser(_) => &self.browser,
            Tool::Messages(_) => &self.messages,
        })
    }
}
