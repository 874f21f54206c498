//! The workspace's editor buffer: text, cursor, selection and undo history.

use ratatui_textarea::{Input, Key as EditorKey, TextArea};
use tuirealm::event::{Key, KeyEvent, KeyModifiers};
use tuirealm::props::Style;

#[derive(Debug, Clone)]
pub struct Editor {
    pub area: TextArea<'static>,
}

impl Default for Editor {
    fn default() -> Self {
        Self::new("")
    }
}

impl Editor {
    /// An editor holding `text`, the cursor at the start.
    pub fn new(text: &str) -> Self {
        let lines = text.replace("\r\n", "\n");
        let mut area = TextArea::new(lines.split('\n').map(String::from).collect());
        // The underline the editor puts on the cursor line is noise in a small pane.
        area.set_cursor_line_style(Style::default());
        Self { area }
    }

    /// The whole text, lines joined with `\n` (what is saved).
    pub fn text(&self) -> String {
        self.area.lines().join("\n")
    }

    /// What an evaluation sends: the selection if there is one, else the cursor's line.
    pub fn code_to_evaluate(&self) -> String {
        let lines = self.area.lines();
        match self.area.selection_range() {
            Some((start, end)) if start != end => selected_text(lines, start, end),
            _ => lines[self.area.cursor().0]
                .trim_end_matches(['\r', '\n'])
                .to_string(),
        }
    }

    pub fn key(&mut self, key: &KeyEvent) {
        self.area.input(editor_input(key));
    }

    pub fn paste(&mut self, text: &str) {
        // Some terminals paste line breaks as bare carriage returns.
        self.area
            .insert_str(text.replace("\r\n", "\n").replace('\r', "\n"));
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
