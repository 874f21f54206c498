//! The status bar's key hints while a tool has the focus: the tool's own
//! main keys, rather than the workspace's (Ctrl+E does nothing there).

use tuirealm::ratatui::text::{Line, Span};

use super::status_bar::hint;
use crate::config::keymap::{Action, Context, Keymap};
use crate::ui::inspector::Tool;
use crate::ui::{Focus, Model};

pub struct ToolHints {
    inspector: Vec<String>,
    browser: Vec<String>,
    editing: Vec<String>,
    messages: Vec<String>,
    debugger: Vec<String>,
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
            debugger: hints(
                Context::Debugger,
                &[
                    (Action::StepInto, "into"),
                    (Action::StepOver, "over"),
                    (Action::StepThrough, "through"),
                    (Action::Restart, "restart"),
                    (Action::Proceed, "proceed"),
                    (Action::Abandon, "abandon"),
                ],
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
            Tool::Debugger(_) if crate::ui::browser_edit::open_edit(model).is_some() => {
                &self.editing
            }
            Tool::Debugger(_) => &self.debugger,
        })
    }
}

/// `line` in `width` columns, a `…` at its end where it is cut (a long
/// message must not look like a whole one).
pub fn ellipsized(line: Line<'static>, width: usize) -> Line<'static> {
    if line.width() <= width {
        return line;
    }
    let mut room = width.saturating_sub(1);
    let mut cut = Line::default();
    for span in line.spans {
        let kept: String = span.content.chars().take(room).collect();
        room -= kept.chars().count();
        cut.push_span(Span::styled(kept, span.style));
        if room == 0 {
            break;
        }
    }
    cut.push_span(Span::raw("…"));
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_too_long_is_cut_with_an_ellipsis() {
        let line = Line::from(vec![Span::raw(" Not accepted: "), Span::raw("the server")]);
        let cut = ellipsized(line.clone(), 20);
        assert_eq!(cut.to_string(), " Not accepted: the …");
        assert_eq!(cut.width(), 20);
        assert_eq!(ellipsized(line.clone(), 25), line, "it fits");
    }
}
