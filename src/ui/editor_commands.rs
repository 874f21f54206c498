//! The workspace editor's commands beyond typing: indent and dedent of the
//! selected lines, auto-indent on Enter, undo and redo by steps, select
//! all, and copy, cut and paste (the text copied goes to the system
//! clipboard too, by the caller).

use ratatui_textarea::TextArea;

use super::editor::{Editor, jump};
use super::undo::{EditKind, Position, UndoHistory};

/// The keys the editor itself handles (when the keymap leaves them to it),
/// for the help: key names as keymap files write them, and what they do.
pub const EDITOR_KEYS: [(&[&str], &str); 12] = [
    (
        &["up", "down", "left", "right"],
        "Move (with Shift: select)",
    ),
    (
        &["ctrl-left", "ctrl-right"],
        "Move by words (also Alt+B, Alt+F)",
    ),
    (&["home", "end"], "Start / end of the line"),
    (&["ctrl-up", "ctrl-down"], "Previous / next paragraph"),
    (&["alt-<", "alt->"], "Start / end of the text"),
    (&["pageup", "pagedown"], "Scroll a page"),
    (
        &["tab"],
        "Indent the selected lines; after a word: complete",
    ),
    (&["enter"], "New line, indented as the one above"),
    (
        &["backspace", "delete"],
        "Delete a character or the selection",
    ),
    (
        &["alt-backspace", "alt-delete"],
        "Delete the word before / after",
    ),
    // Ctrl+K opens the palette in the default keymap: Alt+K deletes too.
    (&["ctrl-k", "alt-k"], "Delete to the end of the line"),
    (&["ctrl-j"], "Delete to the start of the line"),
];

/// What Tab puts in, and what Shift+Tab takes out at most.
const INDENT: &str = "    ";

impl Editor {
    /// Tab: indent every line the selection touches, or put spaces at the
    /// cursor when nothing is selected.
    pub fn indent(&mut self) {
        if self.selected_rows().is_some() {
            self.shift_lines(true);
        } else {
            self.edit(EditKind::Typing { blank: true }, |area| area.insert_tab());
        }
    }

    /// Shift+Tab: take one indentation step off the selected lines, or off the
    /// cursor's line.
    pub fn dedent(&mut self) {
        self.shift_lines(false);
    }

    /// Enter: a new line, with the indentation of the one it was split
    /// from if `indent`.
    pub fn newline(&mut self, indent: bool) {
        let kind = if indent {
            EditKind::Typing { blank: true }
        } else {
            EditKind::PastedKey
        };
        self.edit(kind, |area| {
            area.insert_newline();
            if !indent {
                return true;
            }
            let above = &area.lines()[area.cursor().0 - 1];
            let indent: String = above
                .chars()
                .take_while(|c| *c == ' ' || *c == '\t')
                .collect();
            area.insert_str(indent);
            true
        });
    }

    /// Take the last undo step back; false when there is none.
    pub fn undo(&mut self) -> bool {
        let Some(step) = self.undo.undo() else {
            return false;
        };
        let reverted = step
            .iter()
            .rev()
            .map(|change| (change.first, change.after.len(), &change.before[..]));
        let first = apply(&mut self.area, reverted, step[0].cursor_before);
        self.applied(first)
    }

    /// Make the last undone step again; false when there is none.
    pub fn redo(&mut self) -> bool {
        let Some(step) = self.undo.redo() else {
            return false;
        };
        let made = step
            .iter()
            .map(|change| (change.first, change.before.len(), &change.after[..]));
        let first = apply(&mut self.area, made, step[step.len() - 1].cursor_after);
        self.applied(first)
    }

    /// After an undo or redo changed the text from line `first` on (`None`:
    /// the history no longer fitted the text, and is dropped).
    fn applied(&mut self, first: Option<usize>) -> bool {
        if first.is_none() {
            self.undo = UndoHistory::default();
        }
        self.edited_from(first.unwrap_or(0));
        first.is_some()
    }

    /// Whether the text from `start` (row, char column) on begins with `code`.
    pub fn holds_at(&self, start: (usize, usize), code: &str) -> bool {
        let lines = self.area.lines();
        let Some(line) = lines.get(start.0) else {
            return false;
        };
        let Some(from) = line
            .char_indices()
            .map(|(i, _)| i)
            .chain([line.len()])
            .nth(start.1)
        else {
            return false;
        };
        let mut text = line[from..].to_string();
        for line in &lines[start.0 + 1..] {
            if text.len() >= code.len() {
                break;
            }
            text.push('\n');
            text.push_str(line);
        }
        text.starts_with(code)
    }

    /// Put the cursor at (row, char column), clamped to the text, selecting nothing.
    pub fn place_cursor(&mut self, at: (usize, usize)) {
        self.area.cancel_selection();
        self.area.move_cursor(jump(at));
        self.undo.seal();
    }

    pub fn select_all(&mut self) {
        self.area.select_all();
        self.undo.seal();
    }

    /// Copy the selection into the editor's buffer: its text, if there is one.
    pub fn copy(&mut self) -> Option<String> {
        let (start, end) = self.area.selection_range().filter(|(s, e)| s != e)?;
        let cursor = self.area.cursor();
        self.area.copy();
        // The editor's copy ends the selection; it stays, as elsewhere.
        let anchor = if cursor == start { end } else { start };
        self.area.move_cursor(jump(anchor));
        self.area.start_selection();
        self.area.move_cursor(jump((cursor.0, cursor.1)));
        Some(self.area.yank_text())
    }

    /// Cut the selection into the editor's buffer: its text, if there is one.
    pub fn cut(&mut self) -> Option<String> {
        if !self.has_selection() {
            return None;
        }
        self.edit(EditKind::Command, |area| area.cut());
        Some(self.area.yank_text())
    }

    /// Put the editor's buffer (the last copy or cut) at the cursor.
    pub fn paste_copied(&mut self) {
        self.edit(EditKind::Command, |area| area.paste());
    }

    /// Put `code` on lines of its own (after the cursor's line, or on it
    /// when it is blank) and select it, ready to be evaluated again.
    pub fn insert_on_own_line(&mut self, code: &str) {
        self.area.cancel_selection();
        let row = self.area.cursor().0;
        let line = &self.area.lines()[row];
        let end = (row, line.chars().count());
        if line.trim().is_empty() {
            self.insert_selected(end, code);
        } else {
            self.insert_selected(end, &format!("\n{code}"));
            // Select the code, not the line break before it.
            self.area.move_cursor(jump((row + 1, 0)));
        }
    }

    fn has_selection(&self) -> bool {
        self.area.selection_range().is_some_and(|(s, e)| s != e)
    }

    /// The first and last line of a non-empty selection; a selection that
    /// ends at the start of a line does not take that line.
    fn selected_rows(&self) -> Option<(usize, usize)> {
        let (start, end) = self.area.selection_range().filter(|(s, e)| s != e)?;
        let last = if end.0 > start.0 && end.1 == 0 {
            end.0 - 1
        } else {
            end.0
        };
        Some((start.0, last))
    }

    /// Indent (or dedent) the selected lines, or the cursor's line, keeping
    /// the selection on the same text.
    fn shift_lines(&mut self, indent: bool) {
        let cursor = self.area.cursor();
        let cursor = (cursor.0, cursor.1);
        let (first, last) = self.selected_rows().unwrap_or((cursor.0, cursor.0));
        let selection = self.area.selection_range();
        let lines = &self.area.lines()[first..=last];
        let shifted: Vec<(String, isize)> = lines
            .iter()
            .map(|line| {
                if indent {
                    indented(line)
                } else {
                    dedented(line)
                }
            })
            .collect();
        if shifted.iter().all(|(_, by)| *by == 0) {
            return;
        }
        let moved = |(row, col): (usize, usize)| {
            let by = row
                .checked_sub(first)
                .and_then(|at| shifted.get(at))
                .map_or(0, |(_, by)| *by);
            // A position at the start of a line stays there, before the indentation.
            let col = if col == 0 {
                0
            } else {
                col.saturating_add_signed(by)
            };
            (row, col)
        };
        let new_lines: Vec<String> = shifted.iter().map(|(line, _)| line.clone()).collect();
        self.edit_rows(first, last, EditKind::Command, |area| {
            replace_rows(area, first, last + 1 - first, &new_lines);
            true
        });
        self.undo.seal();
        match selection {
            Some((start, end)) => {
                let anchor = if cursor == start { end } else { start };
                self.area.cancel_selection();
                self.area.move_cursor(jump(moved(anchor)));
                self.area.start_selection();
                self.area.move_cursor(jump(moved(cursor)));
            }
            None => self.area.move_cursor(jump(moved(cursor))),
        }
    }
}

/// `line` one step further in, and how many characters that added (none
/// to an empty line).
fn indented(line: &str) -> (String, isize) {
    if line.is_empty() {
        return (String::new(), 0);
    }
    (format!("{INDENT}{line}"), INDENT.len() as isize)
}

/// `line` one step further out: a tab, or up to four spaces, fewer.
fn dedented(line: &str) -> (String, isize) {
    let taken = if line.starts_with('\t') {
        1
    } else {
        line.chars()
            .take(INDENT.len())
            .take_while(|c| *c == ' ')
            .count()
    };
    (line[taken..].to_string(), -(taken as isize))
}

/// Replace lines `first..first + count` with `lines` for each edit in turn,
/// then put the cursor at `cursor`; the first line changed, or `None` when
/// an edit does not fit the text.
fn apply<'a>(
    area: &mut TextArea,
    edits: impl Iterator<Item = (usize, usize, &'a [String])>,
    cursor: Position,
) -> Option<usize> {
    let mut first_changed = usize::MAX;
    for (first, count, lines) in edits {
        if count == 0 || first + count > area.lines().len() {
            log::error!("an undo step does not fit the text: the undo history is dropped");
            return None;
        }
        replace_rows(area, first, count, lines);
        first_changed = first_changed.min(first);
    }
    area.cancel_selection();
    area.move_cursor(jump(cursor));
    Some(first_changed)
}

/// Replace lines `first..first + count` with `lines` (the cursor ends after them).
fn replace_rows(area: &mut TextArea, first: usize, count: usize, lines: &[String]) {
    let last = first + count - 1;
    let end = area.lines()[last].chars().count();
    area.cancel_selection();
    area.move_cursor(jump((first, 0)));
    area.start_selection();
    area.move_cursor(jump((last, end)));
    area.insert_str(lines.join("\n"));
    area.cancel_selection();
}

#[cfg(test)]
mod tests {
    use super::*;
    use tuirealm::event::{Key, KeyEvent, KeyModifiers};

    use std::cell::Cell;
    use std::time::{Duration, Instant};

    thread_local! {
        /// The test's clock: keys come as a person types them unless a
        /// test says otherwise.
        static CLOCK: Cell<Instant> = Cell::new(Instant::now());
    }

    fn press_after(editor: &mut Editor, pause: Duration, code: Key, modifiers: KeyModifiers) {
        let now = CLOCK.get() + pause;
        CLOCK.set(now);
        editor.key_at(&KeyEvent::new(code, modifiers), now);
    }

    fn press(editor: &mut Editor, code: Key, modifiers: KeyModifiers) {
        press_after(editor, Duration::from_millis(80), code, modifiers);
    }

    fn type_paced(editor: &mut Editor, text: &str, pause: Duration) {
        for c in text.chars() {
            let code = if c == '\n' { Key::Enter } else { Key::Char(c) };
            press_after(editor, pause, code, KeyModifiers::NONE);
        }
    }

    fn type_text(editor: &mut Editor, text: &str) {
        type_paced(editor, text, Duration::from_millis(80));
    }

    /// The trial's steps: two lines, Shift+Up Shift+Home, Tab.
    fn two_lines_selected() -> Editor {
        let mut editor = Editor::default();
        type_text(&mut editor, "x := 1.\ny := 2.");
        press(&mut editor, Key::Up, KeyModifiers::SHIFT);
        press(&mut editor, Key::Home, KeyModifiers::SHIFT);
        editor
    }

    #[test]
    fn tab_indents_every_selected_line_and_keeps_them_selected() {
        let mut editor = two_lines_selected();
        press(&mut editor, Key::Tab, KeyModifiers::NONE);
        assert_eq!(editor.text(), "    x := 1.\n    y := 2.");
        assert_eq!(editor.area.selection_range(), Some(((0, 0), (1, 11))));
        press(&mut editor, Key::Tab, KeyModifiers::NONE);
        assert_eq!(editor.text(), "        x := 1.\n        y := 2.");
        editor.dedent();
        editor.dedent();
        editor.dedent();
        assert_eq!(editor.text(), "x := 1.\ny := 2.");
        assert!(editor.undo());
        assert_eq!(editor.text(), "    x := 1.\n    y := 2.");
    }

    #[test]
    fn a_selection_ending_at_a_line_start_leaves_that_line_alone() {
        let mut editor = Editor::new("a\nb\nc");
        press(&mut editor, Key::Down, KeyModifiers::SHIFT);
        press(&mut editor, Key::Tab, KeyModifiers::NONE);
        assert_eq!(editor.text(), "    a\nb\nc");
    }

    #[test]
    fn tab_without_a_selection_puts_spaces_and_dedent_takes_the_cursor_line_out() {
        let mut editor = Editor::new("\tx\n  y");
        press(&mut editor, Key::Down, KeyModifiers::NONE);
        press(&mut editor, Key::End, KeyModifiers::NONE);
        editor.dedent();
        assert_eq!(editor.text(), "\tx\ny");
        assert_eq!(editor.area.cursor(), (1, 1));
        press(&mut editor, Key::Up, KeyModifiers::NONE);
        editor.dedent();
        assert_eq!(editor.text(), "x\ny");
        press(&mut editor, Key::Tab, KeyModifiers::NONE);
        assert_eq!(editor.text(), "    x\ny");
    }

    /// Type `text` with `pause` between the keys.
    #[test]
    fn enter_keeps_the_indentation_of_the_line_above() {
        let mut editor = Editor::default();
        let typing = std::time::Duration::from_millis(80);
        type_paced(
            &mut editor,
            "1 to: 3 do: [:i |\n    i printNl.\nnil]",
            typing,
        );
        assert_eq!(editor.text(), "1 to: 3 do: [:i |\n    i printNl.\n    nil]");
    }

    #[test]
    fn a_paste_sent_as_keys_keeps_its_own_indentation() {
        let mut editor = Editor::default();
        type_paced(&mut editor, "x := [\n    1.\n    2]", Duration::ZERO);
        assert_eq!(editor.text(), "x := [\n    1.\n    2]");
        // It is one undo step.
        assert!(editor.undo());
        assert_eq!(editor.text(), "");
    }

    #[test]
    fn undo_takes_words_back_and_redo_makes_them_again() {
        let mut editor = Editor::default();
        type_text(&mut editor, &"a".repeat(101));
        type_text(&mut editor, " b");
        assert!(editor.undo());
        assert_eq!(editor.text(), "a".repeat(101) + " ");
        assert!(editor.undo());
        assert_eq!(editor.text(), "");
        assert!(!editor.undo());
        assert!(editor.redo());
        assert_eq!(editor.text(), "a".repeat(101) + " ");
        assert_eq!(editor.area.cursor(), (0, 102));
        assert!(editor.redo());
        assert!(!editor.redo());
        assert_eq!(editor.text(), "a".repeat(101) + " b");
    }

    #[test]
    fn undo_keeps_a_thousand_words() {
        let mut editor = Editor::default();
        for n in 0..1000 {
            type_text(&mut editor, &format!("w{n} "));
        }
        let mut steps = 0;
        while editor.undo() {
            steps += 1;
        }
        assert_eq!(steps, 1000);
        assert_eq!(editor.text(), "");
    }

    #[test]
    fn undo_and_redo_go_all_the_way_through_mixed_edits() {
        let mut editor = Editor::default();
        for n in 0..300 {
            type_text(&mut editor, &format!("w{n} "));
            if n % 3 == 0 {
                type_text(&mut editor, "\n");
            }
            if n % 7 == 0 {
                press(&mut editor, Key::Backspace, KeyModifiers::NONE);
            }
        }
        let text = editor.text();
        while editor.undo() {}
        assert_eq!(editor.text(), "");
        while editor.redo() {}
        assert_eq!(editor.text(), text);
    }

    #[test]
    fn cut_paste_and_a_pasted_text_are_steps_of_their_own() {
        let mut editor = Editor::new("abc def");
        assert_eq!(editor.copy(), None);
        press(&mut editor, Key::End, KeyModifiers::SHIFT);
        assert_eq!(editor.copy().as_deref(), Some("abc def"));
        assert_eq!(editor.cut().as_deref(), Some("abc def"));
        assert_eq!(editor.text(), "");
        editor.paste_copied();
        editor.paste_copied();
        editor.paste("\nxyz");
        assert_eq!(editor.text(), "abc defabc def\nxyz");
        editor.undo();
        editor.undo();
        assert_eq!(editor.text(), "abc def");
        editor.undo();
        assert_eq!(editor.text(), "");
        editor.undo();
        assert_eq!(editor.text(), "abc def");
    }

    #[test]
    fn select_all_then_typing_replaces_everything_in_one_step() {
        let mut editor = Editor::new("one\ntwo\nthree");
        editor.select_all();
        type_text(&mut editor, "x");
        assert_eq!(editor.text(), "x");
        editor.undo();
        assert_eq!(editor.text(), "one\ntwo\nthree");
    }
}
