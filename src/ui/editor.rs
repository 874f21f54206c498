//! The workspace's editor buffer: text, cursor, selection and undo history.

use ratatui_textarea::{CursorMove, Input, Key as EditorKey, TextArea};

use std::time::{Duration, Instant};

use super::lexer::{Lexer, State};
use super::statement::statement_at;
use super::undo::{Change, EditKind, UndoHistory};
use tuirealm::event::{Key, KeyEvent, KeyModifiers};
use tuirealm::props::Style;

/// Code to evaluate and where it starts and ends in the buffer (row, char column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluand {
    pub code: String,
    pub start: (usize, usize),
    pub end: (usize, usize),
}

#[derive(Debug, Clone)]
pub struct Editor {
    /// Change the text only through `Editor`'s methods: they keep `line_states` true.
    pub area: TextArea<'static>,
    /// The lexer's state at the start of each of the first lines, so that drawing
    /// starts lexing at the top visible line without lexing the lines above again.
    line_states: Vec<State>,
    /// Undo steps of words and commands (the editor's own history is off:
    /// it keeps one step per keystroke).
    pub(super) undo: UndoHistory,
    /// When the last key came: keys closer together than anyone types are
    /// a paste the terminal sent as keys, which brings its own indentation.
    last_key: Option<Instant>,
}

/// Keys this close together come from a paste, not from typing.
const PASTED_KEYS: Duration = Duration::from_millis(3);

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
        area.set_max_histories(0);
        Self {
            area,
            line_states: vec![State::default()],
            undo: UndoHistory::default(),
            last_key: None,
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

    /// Forget the line states after an edit from line `row` on. A line's start
    /// state depends on the lines above it only, but joining lines changes the
    /// one above the cursor: keep one line fewer.
    pub(super) fn edited_from(&mut self, row: usize) {
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
            return Some(Evaluand { code, start, end });
        }
        let text = self.text();
        let cursor = self.area.cursor();
        let (row, col) = (cursor.0, cursor.1);
        let range = statement_at(&text, byte_offset(lines, row, col))?;
        Some(Evaluand {
            code: text[range.clone()].to_string(),
            start: position(&text, range.start),
            end: position(&text, range.end),
        })
    }

    /// Put `text` at `at` (clamped to the text) and select it, so that
    /// Backspace takes it away again.
    pub fn insert_selected(&mut self, at: (usize, usize), text: &str) {
        let row = at.0.min(self.area.lines().len() - 1);
        let col = at.1.min(self.area.lines()[row].chars().count());
        self.edit_rows(row, row, EditKind::Command, |area| {
            area.cancel_selection();
            area.move_cursor(jump((row, col)));
            area.insert_str(text)
        });
        self.area.start_selection();
        self.area.move_cursor(jump((row, col)));
    }

    pub fn key(&mut self, key: &KeyEvent) {
        self.key_at(key, Instant::now());
    }

    /// A key that came at `now`.
    pub(super) fn key_at(&mut self, key: &KeyEvent, now: Instant) {
        let input = editor_input(key);
        let plain = !input.ctrl && !input.alt;
        let pasted = self
            .last_key
            .is_some_and(|last| now.saturating_duration_since(last) < PASTED_KEYS);
        self.last_key = Some(now);
        match input.key {
            EditorKey::Tab if plain => self.indent(),
            EditorKey::Enter if plain => self.newline(!pasted),
            _ => {
                let kind = match edit_kind(&input) {
                    EditKind::Typing { .. } if pasted => EditKind::PastedKey,
                    kind => kind,
                };
                if !self.edit(kind, |area| area.input(input)) {
                    // The cursor moved (or nothing happened): typing starts a new step.
                    self.undo.seal();
                }
            }
        }
    }

    /// Replace the whole text, the cursor at its end (one undo step).
    pub fn set_text(&mut self, text: &str) {
        let last = self.area.lines().len() - 1;
        self.edit_rows(0, last, EditKind::Command, |area| {
            area.select_all();
            area.insert_str(text);
            true
        });
    }

    pub fn paste(&mut self, text: &str) {
        // Some terminals paste line breaks as bare carriage returns.
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        self.edit(EditKind::Command, |area| area.insert_str(text));
    }

    /// Make an edit at the cursor (or on the selection) and record it for undo.
    /// Any such edit changes the lines of the cursor and the selection, and at
    /// most joins one line above or below them.
    pub(super) fn edit(
        &mut self,
        kind: EditKind,
        edit: impl FnOnce(&mut TextArea<'static>) -> bool,
    ) -> bool {
        let cursor = self.area.cursor().0;
        let (start, end) = self
            .area
            .selection_range()
            .map_or((cursor, cursor), |(start, end)| {
                (start.0.min(cursor), end.0.max(cursor))
            });
        let last = (end + 1).min(self.area.lines().len() - 1);
        self.edit_rows(start.saturating_sub(1), last, kind, edit)
    }

    /// Make an edit that changes lines `first..=last` only (their count may
    /// change) and record it for undo.
    pub(super) fn edit_rows(
        &mut self,
        first: usize,
        last: usize,
        kind: EditKind,
        edit: impl FnOnce(&mut TextArea<'static>) -> bool,
    ) -> bool {
        let before = self.area.lines()[first..=last].to_vec();
        let (lines_before, cursor_before) = (self.area.lines().len(), self.area.cursor());
        if !edit(&mut self.area) {
            return false;
        }
        let (lines, cursor_after) = (self.area.lines(), self.area.cursor());
        // The lines below the edited ones are as they were.
        let count = (before.len() + lines.len()).checked_sub(lines_before);
        match count.filter(|count| *count > 0 && first + count <= lines.len()) {
            Some(count) => {
                let change = Change {
                    first,
                    before,
                    after: lines[first..first + count].to_vec(),
                    cursor_before: (cursor_before.0, cursor_before.1),
                    cursor_after: (cursor_after.0, cursor_after.1),
                };
                self.undo.record(change, kind, Instant::now());
            }
            None => {
                log::error!("an edit changed lines it was not expected to: undo starts afresh");
                self.undo = UndoHistory::default();
            }
        }
        self.edited_from(first);
        true
    }
}

/// The cursor move to (row, char column).
pub(super) fn jump((row, col): (usize, usize)) -> CursorMove {
    CursorMove::Jump(
        u16::try_from(row).unwrap_or(u16::MAX),
        u16::try_from(col).unwrap_or(u16::MAX),
    )
}

/// How an unbound key's edit groups with the ones before it for undo.
fn edit_kind(input: &Input) -> EditKind {
    match (input.key, input.ctrl || input.alt) {
        (EditorKey::Char(c), false) => EditKind::Typing {
            blank: c.is_whitespace(),
        },
        (EditorKey::Backspace | EditorKey::Delete, false) => EditKind::Deleting,
        _ => EditKind::Command,
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
    // Alt+K deletes to the end of the line as Ctrl+K does (the default
    // keymap gives Ctrl+K to the palette).
    let alt_k = key.code == Key::Char('k') && key.modifiers == KeyModifiers::ALT;
    Input {
        key: code,
        ctrl: alt_k || key.modifiers.contains(KeyModifiers::CONTROL),
        alt: !alt_k && key.modifiers.contains(KeyModifiers::ALT),
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
        assert!(editor.undo());
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
    fn alt_k_deletes_to_the_end_of_the_line_as_ctrl_k_does() {
        let mut editor = Editor::new("abc def\nnext");
        for _ in 0..3 {
            press(&mut editor, Key::Right, KeyModifiers::NONE);
        }
        press(&mut editor, Key::Char('k'), KeyModifiers::ALT);
        assert_eq!(editor.text(), "abc\nnext");
    }

    #[test]
    fn selection_spanning_lines_keeps_partial_first_and_last_lines() {
        let lines: Vec<String> = ["abc", "def", "ghi"].map(String::from).to_vec();
        assert_eq!(selected_text(&lines, (0, 1), (2, 2)), "bc\ndef\ngh");
        assert_eq!(selected_text(&lines, (1, 0), (1, 3)), "def");
        assert_eq!(selected_text(&lines, (0, 3), (1, 0)), "\n");
    }
}
