//! The workspace's undo history: steps of whole words, lines and commands
//! rather than keystrokes. Each change keeps only the lines it touched, so
//! a long history of typing in a large workspace costs little memory.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// Steps kept; the oldest go first.
pub const UNDO_STEPS: usize = 1_000;
/// Typing after a pause this long starts a new step.
pub const PAUSE: Duration = Duration::from_secs(1);

/// A (row, char column) position in the text.
pub type Position = (usize, usize);

/// Lines `first..first + before.len()` became `after`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub first: usize,
    pub before: Vec<String>,
    pub after: Vec<String>,
    pub cursor_before: Position,
    pub cursor_after: Position,
}

/// What an edit did, for grouping: typing continues a step until a word
/// starts after a space, deleting continues a deleting step, a paste that
/// came as keys is one step with the typing before it; anything else is a
/// step of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditKind {
    Typing { blank: bool },
    Deleting,
    PastedKey,
    Command,
}

impl EditKind {
    /// Whether an edit of this kind goes into the step of one of `last` kind.
    fn continues(self, last: EditKind) -> bool {
        match (last, self) {
            (EditKind::Typing { blank: true }, EditKind::Typing { blank: false }) => false,
            (EditKind::Typing { .. }, EditKind::Typing { .. }) => true,
            (EditKind::Typing { .. } | EditKind::PastedKey, EditKind::PastedKey) => true,
            (EditKind::Deleting, EditKind::Deleting) => true,
            _ => false,
        }
    }
}

/// One undo step: its changes in the order they were made.
type Step = Vec<Change>;

#[derive(Debug, Clone, Default)]
pub struct UndoHistory {
    done: VecDeque<Step>,
    undone: Vec<Step>,
    /// The kind of the last edit, where it left the cursor and when, while
    /// the next edit may still join its step.
    open: Option<(EditKind, Position, Instant)>,
}

impl UndoHistory {
    /// Record `change`, made `now`, joining the last step when it continues it.
    pub fn record(&mut self, change: Change, kind: EditKind, now: Instant) {
        self.undone.clear();
        let joins = self.open.is_some_and(|(last, at, when)| {
            at == change.cursor_before
                && kind.continues(last)
                && now.saturating_duration_since(when) < PAUSE
        });
        self.open = Some((kind, change.cursor_after, now));
        match self.done.back_mut() {
            Some(step) if joins => extend(step, change),
            _ => {
                self.done.push_back(vec![change]);
                if self.done.len() > UNDO_STEPS {
                    self.done.pop_front();
                }
            }
        }
    }

    /// The next edit starts a step of its own (the cursor moved, a command ran).
    pub fn seal(&mut self) {
        self.open = None;
    }

    /// The last step, to be reverted (last change first).
    pub fn undo(&mut self) -> Option<&Step> {
        self.open = None;
        let step = self.done.pop_back()?;
        self.undone.push(step);
        self.undone.last()
    }

    /// The last step undone, to be made again (first change first).
    pub fn redo(&mut self) -> Option<&Step> {
        self.open = None;
        let step = self.undone.pop()?;
        self.done.push_back(step);
        self.done.back()
    }

    /// Steps that can be undone.
    pub fn len(&self) -> usize {
        self.done.len()
    }

    pub fn is_empty(&self) -> bool {
        self.done.is_empty()
    }
}

/// Add `change` to `step`: typing on one line changes the same lines again
/// and again, so it merges into the last change instead of piling up.
fn extend(step: &mut Step, change: Change) {
    if let Some(last) = step.last_mut()
        && last.first == change.first
        && last.after.len() == change.before.len()
    {
        last.after = change.after;
        last.cursor_after = change.cursor_after;
        return;
    }
    step.push(change);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(history: &mut UndoHistory, line: &str, col: usize, c: char) -> String {
        typed_at(history, line, col, c, Instant::now())
    }

    fn typed_at(
        history: &mut UndoHistory,
        line: &str,
        col: usize,
        c: char,
        now: Instant,
    ) -> String {
        let after = format!("{line}{c}");
        let change = Change {
            first: 0,
            before: vec![line.to_string()],
            after: vec![after.clone()],
            cursor_before: (0, col),
            cursor_after: (0, col + 1),
        };
        history.record(change, EditKind::Typing { blank: c == ' ' }, now);
        after
    }

    #[test]
    fn typing_is_one_step_per_word_and_merges_its_changes() {
        let mut history = UndoHistory::default();
        let mut line = String::new();
        for (col, c) in "ab cd".chars().enumerate() {
            line = typed(&mut history, &line, col, c);
        }
        assert_eq!(history.len(), 2);
        let step = history.undo().unwrap().clone();
        assert_eq!(step.len(), 1, "the word's keystrokes merged: {step:?}");
        assert_eq!(
            (step[0].before[0].as_str(), step[0].after[0].as_str()),
            ("ab ", "ab cd")
        );
        let step = history.undo().unwrap().clone();
        assert_eq!(step[0].before, [""]);
        assert!(history.undo().is_none());
        assert_eq!(history.redo().unwrap()[0].after, ["ab "]);
    }

    #[test]
    fn a_cursor_jump_or_a_command_starts_a_new_step() {
        let mut history = UndoHistory::default();
        typed(&mut history, "", 0, 'a');
        typed(&mut history, "a", 5, 'b');
        assert_eq!(history.len(), 2);
        history.seal();
        typed(&mut history, "ab", 6, 'c');
        assert_eq!(history.len(), 3);
    }

    #[test]
    fn a_pause_in_typing_starts_a_new_step() {
        let mut history = UndoHistory::default();
        let start = Instant::now();
        typed_at(&mut history, "", 0, 'a', start);
        typed_at(&mut history, "a", 1, 'b', start + PAUSE / 2);
        assert_eq!(history.len(), 1);
        typed_at(&mut history, "ab", 2, 'c', start + PAUSE * 2);
        assert_eq!(history.len(), 2);
    }

    #[test]
    fn a_new_edit_forgets_what_was_undone_and_the_oldest_steps_go() {
        let mut history = UndoHistory::default();
        for n in 0..UNDO_STEPS + 10 {
            typed(&mut history, "", n * 3, 'x');
        }
        assert_eq!(history.len(), UNDO_STEPS);
        history.undo();
        typed(&mut history, "", 0, 'y');
        assert!(history.redo().is_none());
    }
}
