//! The workspace: a multi-line editor for Smalltalk code. Keys bound in the
//! keymap become messages; every other key edits the text.

use std::sync::Arc;

use ratatui_textarea::{Input, Key as EditorKey, TextArea};
use tuirealm::command::{Cmd, CmdResult};
use tuirealm::component::{AppComponent, Component};
use tuirealm::event::{Event, Key, KeyEvent, KeyModifiers};
use tuirealm::props::{AttrValue, Attribute, Props, QueryResult, Style, TextModifiers};
use tuirealm::ratatui::Frame;
use tuirealm::ratatui::layout::Rect;
use tuirealm::ratatui::widgets::Block;
use tuirealm::state::{State, StateValue};

use super::{app_msg, has_focus};
use crate::app::Msg;
use crate::config::keymap::{Action, Context, Keymap, key_label};
use crate::config::theme::WorkspaceColors;
use crate::net::NetEvent;

pub struct Workspace {
    editor: TextArea<'static>,
    keymap: Arc<Keymap>,
    colours: WorkspaceColors,
    props: Props,
}

impl Workspace {
    pub fn new(keymap: Arc<Keymap>, colours: WorkspaceColors, text: &str) -> Self {
        let mut workspace = Self {
            editor: TextArea::default(),
            keymap,
            colours,
            props: Props::default(),
        };
        workspace.set_text(text);
        workspace
    }

    /// The whole text, lines joined with `\n` (what the runtime saves on exit).
    pub fn text(&self) -> String {
        self.editor.lines().join("\n")
    }

    /// Replace the text (and the undo history) and put the cursor at the start.
    pub fn set_text(&mut self, text: &str) {
        let lines = text.replace("\r\n", "\n");
        self.editor = TextArea::new(lines.split('\n').map(String::from).collect());
        // The underline the editor puts on the cursor line is noise in a small pane.
        self.editor.set_cursor_line_style(Style::default());
        let evaluate = self.keymap.keys_for(Context::Workspace, Action::Evaluate);
        if let Some(key) = evaluate.first() {
            self.editor.set_placeholder_text(format!(
                "Type Smalltalk here; {} evaluates the selection or the current line.",
                key_label(key)
            ));
        }
    }

    /// What an evaluation sends: the selection if there is one, else the cursor's line.
    pub fn code_to_evaluate(&self) -> String {
        let lines = self.editor.lines();
        match self.editor.selection_range() {
            Some((start, end)) if start != end => selected_text(lines, start, end),
            _ => lines[self.editor.cursor().0]
                .trim_end_matches(['\r', '\n'])
                .to_string(),
        }
    }
}

/// The text between two (row, char column) positions, `start` before `end`.
fn selected_text(lines: &[String], start: (usize, usize), end: (usize, usize)) -> String {
    let chars = |row: usize, from: usize, to: Option<usize>| -> String {
        let line = lines[row].chars().skip(from);
        match to {
            Some(to) => line.take(to.saturating_sub(from)).collect(),
            None => line.collect(),
        }
    };
    if start.0 == end.0 {
        return chars(start.0, start.1, Some(end.1));
    }
    let mut text = chars(start.0, start.1, None);
    for line in &lines[start.0 + 1..end.0] {
        text.push('\n');
        text.push_str(line);
    }
    text.push('\n');
    text.push_str(&chars(end.0, 0, Some(end.1)));
    text
}

/// The editor's own key type for a terminal key event.
fn editor_input(key: &KeyEvent) -> Input {
    let code = match key.code {
        Key::Char(c) => EditorKey::Char(c),
        Key::Function(n) => EditorKey::F(n),
        Key::Backspace => EditorKey::Backspace,
        Key::Enter => EditorKey::Enter,
        Key::Left => EditorKey::Left,
        Key::Right => EditorKey::Right,
        Key::Up => EditorKey::Up,
        Key::Down => EditorKey::Down,
        Key::Tab => EditorKey::Tab,
        Key::Delete => EditorKey::Delete,
        Key::Home => EditorKey::Home,
        Key::End => EditorKey::End,
        Key::PageUp => EditorKey::PageUp,
        Key::PageDown => EditorKey::PageDown,
        Key::Esc => EditorKey::Esc,
        _ => EditorKey::Null,
    };
    Input {
        key: code,
        ctrl: key.modifiers.contains(KeyModifiers::CONTROL),
        alt: key.modifiers.contains(KeyModifiers::ALT),
        shift: key.modifiers.contains(KeyModifiers::SHIFT),
    }
}

impl Component for Workspace {
    fn view(&mut self, frame: &mut Frame, area: Rect) {
        let focused = has_focus(&self.props);
        let border = if focused {
            self.colours.border_focused
        } else {
            self.colours.border_unfocused
        };
        self.editor.set_block(
            Block::bordered()
                .title(" Workspace ")
                .border_style(Style::default().fg(border)),
        );
        // Only the focused pane shows a cursor.
        self.editor.set_cursor_style(if focused {
            Style::default().add_modifier(TextModifiers::REVERSED)
        } else {
            Style::default()
        });
        frame.render_widget(&self.editor, area);
    }

    fn query<'a>(&'a self, attr: Attribute) -> Option<QueryResult<'a>> {
        self.props.get_for_query(attr)
    }

    /// `Attribute::Value` with a string replaces the text.
    fn attr(&mut self, attr: Attribute, value: AttrValue) {
        match (attr, value) {
            (Attribute::Value, AttrValue::String(text)) => self.set_text(&text),
            (attr, value) => self.props.set(attr, value),
        }
    }

    fn state(&self) -> State {
        State::Single(StateValue::String(self.text()))
    }

    fn perform(&mut self, cmd: Cmd) -> CmdResult {
        CmdResult::Invalid(cmd)
    }
}

impl AppComponent<Msg, NetEvent> for Workspace {
    fn on(&mut self, event: &Event<NetEvent>) -> Option<Msg> {
        match event {
            Event::Keyboard(key) => {
                let action = self.keymap.lookup(Context::Workspace, key);
                if action == Some(Action::Evaluate) {
                    return Some(Msg::Evaluate(self.code_to_evaluate()));
                }
                if let Some(msg) = action.and_then(app_msg) {
                    return Some(msg);
                }
                // Unbound keys, and actions that mean nothing here, edit the text.
                self.editor.input(editor_input(key));
                None
            }
            Event::Paste(text) => {
                // Some terminals paste line breaks as bare carriage returns.
                self.editor
                    .insert_str(text.replace("\r\n", "\n").replace('\r', "\n"));
                None
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_spanning_lines_keeps_partial_first_and_last_lines() {
        let lines: Vec<String> = ["abc", "def", "ghi"].map(String::from).to_vec();
        assert_eq!(selected_text(&lines, (0, 1), (2, 2)), "bc\ndef\ngh");
        assert_eq!(selected_text(&lines, (1, 0), (1, 3)), "def");
        assert_eq!(selected_text(&lines, (0, 3), (1, 0)), "\n");
    }
}
