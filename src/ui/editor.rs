//! The workspace's editor buffer: text, cursor, selection and undo history.

use ratatui_textarea::{CursorMove, Input, Key as EditorKey, TextArea};

use super::lexer::{Lexer, State};
use super::statement::statement_at;
use tuirealm::event::{Key, KeyEvent, KeyModifiers};
use tuirealm::props::Style;

/// Code to evaluate and where it ends in the buffer (row, char column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluand {
    pub code: String,
    pub end: (usize, usize),
}

#[derive(Debug, Clone)]
pub struct Editor {
    /// Change the text only through `Editor`'s methods: they keep `line_states` true.
    pub area: TextArea<'static>,
    /// The lexer's state at the start of each of the first lines, so that drawing
    /// starts lexing at the top visible line without lexing the lines above again.
    line_states: Vec<State>,
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
        Self {
            area,
            line_states: vec![State::default()],
        }
    }

    /// The lexer's state at the start of line `row` (at most the line count).
    pub fn line_start_state(&mut self, row: usize) -> State {
        let lines = self.area.lines();
        let row = row.min(lines.len());
        while self.line_states.len() <= row {
            let above = self.line_states.len() - 1;
            let state = Lexer::end_state(&lines[above], self.line_states[above]);
            self.line_states.push(state);
        }
        self.line_states[row]
    }

    /// The first line an edit at the cursor (or of the selection) can change.
    fn first_row_touched(&self) -> usize {
        let cursor = self.area.cursor().0;
        self.area
            .selection_range()
            .map_or(cursor, |(start, _)| start.0.min(cursor))
    }

    /// Forget the line states after an edit from line `row` on. A line's start
    /// state depends on the lines above it only, but joining lines changes the
    /// one above the cursor: keep one line fewer.
    fn edited_from(&mut self, row: usize) {
        self.line_states.truncate(row.max(1));
    }

    /// The whole text, lines joined with `\n` (what is saved).
    pub fn text(&self) -> String {
        self.area.lines().join("\n")
    }

    /// What an evaluation sends: the selection if there is one, else the
    /// statement around the cursor; `None` on a blank line.
    pub fn code_to_evaluate(&self) -> Option<Evaluand> {
        let lines = self.area.lines();
        if let Some((start, end)) = self.area.selection_range().filter(|(s, e)| s != e) {
            let code = selected_text(lines, start, end);
            return Some(Evaluand { code, end });
        }
        let text = self.text();
        let cursor = self.area.cursor();
        let (row, col) = (cursor.0, cursor.1);
        let range = statement_at(&text, byte_offset(lines, row, col))?;
        Some(Evaluand {
            code: text[range.clone()].to_string(),
            end: position(&text, range.end),
        })
    }

    /// Put `text` at `at` (clamped to the text) and select it, so that
    /// Backspace takes it away again.
    pub fn insert_selected(&mut self, at: (usize, usize), text: &str) {
        let row = at.0.min(self.area.lines().len() - 1);
        let col = at.1.min(self.area.lines()[row].chars().count());
        let jump = |(r, c): (usize, usize)| {
            CursorMove::Jump(
                u16::try_from(r).unwrap_or(u16::MAX),
                u16::try_from(c).unwrap_or(u16::MAX),
            )
        };
        self.area.cancel_selection();
        self.area.move_cursor(jump((row, col)));
        self.area.insert_str(text);
        self.edited_from(row);
        self.area.start_selection();
        self.area.move_cursor(jump((row, col)));
    }

    pub fn key(&mut self, key: &KeyEvent) {
        let input = editor_input(key);
        // Undo and redo (Ctrl+U, Ctrl+R) change text anywhere, not at the cursor.
        let history = input.ctrl && matches!(input.key, EditorKey::Char('u' | 'r'));
        let first = self.first_row_touched();
        if self.area.input(input) {
            let first = if history { 0 } else { first };
            self.edited_from(first.min(self.area.cursor().0));
        }
    }

    /// Replace the whole text, the cursor at its end.
    pub fn set_text(&mut self, text: &str) {
        self.area.select_all();
        self.area.insert_str(text);
        self.edited_from(0);
    }

    pub fn paste(&mut self, text: &str) {
        let first = self.first_row_touched();
        // Some terminals paste line breaks as bare carriage returns.
        self.area
            .insert_str(text.replace("\r\n", "\n").replace('\r', "\n"));
        self.edited_from(first);
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

/// The byte offset in the joined text of char column `col` of line `row`.
fn byte_offset(lines: &[String], row: usize, col: usize) -> usize {
    let above: usize = lines[..row].iter().map(|line| line.len() + 1).sum();
    let line = &lines[row];
    above + line.char_indices().nth(col).map_or(line.len(), |(i, _)| i)
}

/// The (row, char column) of byte `at` of `text`.
fn position(text: &str, at: usize) -> (usize, usize) {
    let before = &text[..at];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (
        before.matches('\n').count(),
        before[line_start..].chars().count(),
    )
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
    use crate::ui::lexer::Mode;

    fn press(editor: &mut Editor, code: Key, modifiers: KeyModifiers) {
        editor.key(&KeyEvent::new(code, modifiers));
    }

    #[test]
    fn line_states_follow_edits_undo_and_paste() {
        let mut editor = Editor::new("a\nb\nc\nd");
        assert_eq!(editor.line_start_state(3).mode, Mode::Code);
        // Open a comment on the first line: the lines below start inside it.
        press(&mut editor, Key::Char('"'), KeyModifiers::NONE);
        assert_eq!(editor.line_start_state(3).mode, Mode::Comment);
        press(&mut editor, Key::Down, KeyModifiers::NONE);
        press(&mut editor, Key::Down, KeyModifiers::NONE);
        press(&mut editor, Key::Char('u'), KeyModifiers::CONTROL);
        assert_eq!(editor.text(), "a\nb\nc\nd");
        assert_eq!(editor.line_start_state(3).mode, Mode::Code);
        editor.paste("'x\ny");
        assert_eq!(editor.line_start_state(2).mode, Mode::String);
        // Backspace at the start of a line joins it to the one above.
        let mut editor = Editor::new("'\n'\nx");
        assert_eq!(editor.line_start_state(2).mode, Mode::Code);
        press(&mut editor, Key::Down, KeyModifiers::NONE);
        press(&mut editor, Key::Right, KeyModifiers::NONE);
        press(&mut editor, Key::Backspace, KeyModifiers::NONE);
        assert_eq!(editor.text(), "'\n\nx");
        assert_eq!(editor.line_start_state(2).mode, Mode::String);
    }

    #[test]
    fn selection_spanning_lines_keeps_partial_first_and_last_lines() {
        let lines: Vec<String> = ["abc", "def", "ghi"].map(String::from).to_vec();
        assert_eq!(selected_text(&lines, (0, 1), (2, 2)), "bc\ndef\ngh");
        assert_eq!(selected_text(&lines, (1, 0), (1, 3)), "def");
        assert_eq!(selected_text(&lines, (0, 3), (1, 0)), "\n");
    }
}
