//! Completion in the workspace: the word at the cursor, the popup of
//! candidates the server offered (filtered here as the word grows), and
//! what accepting one puts into the text.

use std::time::{Duration, Instant};

use super::editor::{Editor, jump};
use super::undo::EditKind;
use crate::protocol::{Candidate, CandidateKind};

/// Rows of candidates the popup shows at once.
pub const POPUP_ROWS: usize = 8;
/// The most candidates the server sends (docs/PROTOCOL.md): a reply this
/// long may leave out matches of a longer word, which must be asked again.
pub const SERVER_LIMIT: usize = 200;
/// Letters typed before the automatic popup asks.
pub const AUTO_MIN_CHARS: usize = 2;

/// The word being completed: its start (row, char column) and its text up
/// to the cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub start: (usize, usize),
    pub prefix: String,
}

/// The candidates on screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Popup {
    /// Where the completed word starts: the popup is drawn under it.
    pub start: (usize, usize),
    /// What the server answered, for the word it was asked about.
    pub offered: Vec<Candidate>,
    pub asked: String,
    /// The offered candidates that match the word as typed now.
    pub shown: Vec<Candidate>,
    pub selected: usize,
    /// The first shown row.
    pub scroll: usize,
}

impl Popup {
    /// Show the offered candidates that extend `prefix`; false when none does.
    pub fn filter(&mut self, prefix: &str) -> bool {
        self.shown = self
            .offered
            .iter()
            .filter(|c| c.text.starts_with(prefix) && c.text != prefix)
            .cloned()
            .collect();
        self.selected = 0;
        self.scroll = 0;
        !self.shown.is_empty()
    }

    /// Move the selection by one row, wrapping, and keep it in view.
    pub fn step(&mut self, down: bool) {
        let count = self.shown.len().max(1);
        self.selected = if down {
            (self.selected + 1) % count
        } else {
            (self.selected + count - 1) % count
        };
        if self.selected < self.scroll {
            self.scroll = self.selected;
        } else if self.selected >= self.scroll + POPUP_ROWS {
            self.scroll = self.selected + 1 - POPUP_ROWS;
        }
    }

    /// Whether the server may have left out matches of `prefix`.
    pub fn may_miss(&self, prefix: &str) -> bool {
        !prefix.starts_with(&self.asked)
            || (self.offered.len() >= SERVER_LIMIT && prefix != self.asked)
    }
}

/// Completion's part of the model.
#[derive(Debug, Clone, Default)]
pub struct Completion {
    pub popup: Option<Popup>,
    /// Counts requests and closings: a reply of an older generation is outdated.
    pub generation: u64,
    /// The pause after typing before the popup opens by itself; `None`: never.
    pub delay: Option<Duration>,
    /// A word character was typed since the last tick.
    pub typed: bool,
    /// When the typing that may open the popup by itself paused.
    pub typed_at: Option<Instant>,
}

impl Completion {
    /// Close the popup, forget the pause and outdate the request in flight.
    pub fn close(&mut self) {
        self.popup = None;
        self.typed = false;
        self.typed_at = None;
        self.generation += 1;
    }
}

/// The automatic popup's pause from the setting; 0 turns it off.
pub fn delay(millis: u64) -> Option<Duration> {
    (millis > 0).then(|| Duration::from_millis(millis))
}

/// A character of a word being completed (the server's rule, which keeps
/// the colons of keyword selectors).
pub fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == ':'
}

/// A character after which Tab completes rather than indents.
pub fn ends_identifier(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// What accepting `candidate` inserts, and where the cursor goes in it
/// (in chars). A keyword selector gets a place for each argument, the
/// cursor at the first: `inject:into:` → `inject: ▮ into: `.
pub fn insertion(candidate: &Candidate) -> (String, usize) {
    let text = &candidate.text;
    let keyword = candidate.kind == CandidateKind::Selector && text.ends_with(':');
    if !keyword {
        return (text.clone(), text.chars().count());
    }
    let parts: Vec<&str> = text.trim_end_matches(':').split(':').collect();
    let cursor = parts[0].chars().count() + 2;
    let inserted = parts
        .iter()
        .map(|part| format!("{part}: "))
        .collect::<Vec<_>>()
        .join(" ");
    (inserted, cursor)
}

impl Editor {
    /// The word ending at the cursor, when nothing is selected.
    pub fn word_at_cursor(&self) -> Option<Word> {
        if self.area.selection_range().is_some_and(|(s, e)| s != e) {
            return None;
        }
        let cursor = self.area.cursor();
        let (row, col) = (cursor.0, cursor.1);
        let before: Vec<char> = self.area.lines()[row].chars().take(col).collect();
        let start = before
            .iter()
            .rposition(|c| !is_word_char(*c))
            .map_or(0, |at| at + 1);
        let prefix: String = before[start..].iter().collect();
        Some(Word {
            start: (row, start),
            prefix,
        })
    }

    /// The cursor as a char offset in the whole text (what `complete` takes).
    pub fn cursor_offset(&self) -> usize {
        let cursor = self.area.cursor();
        let (row, col) = (cursor.0, cursor.1);
        let above: usize = self.area.lines()[..row]
            .iter()
            .map(|line| line.chars().count() + 1)
            .sum();
        above + col
    }

    /// Replace the word from `start` to the cursor by `text`, the cursor
    /// `cursor` chars into it: one undo step.
    pub fn replace_word(&mut self, start: (usize, usize), text: &str, cursor: usize) {
        let at = self.area.cursor();
        let (row, col) = (at.0, at.1);
        self.edit_rows(row, row, EditKind::Command, |area| {
            area.cancel_selection();
            area.move_cursor(jump(start));
            area.start_selection();
            area.move_cursor(jump((row, col)));
            area.insert_str(text);
            area.move_cursor(jump((row, start.1 + cursor)));
            true
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(text: &str, kind: CandidateKind) -> Candidate {
        Candidate {
            text: text.into(),
            kind,
        }
    }

    #[test]
    fn keyword_selectors_leave_a_place_per_argument() {
        let inject = candidate("inject:into:", CandidateKind::Selector);
        assert_eq!(insertion(&inject), ("inject:  into: ".into(), 8));
        let add = candidate("add:", CandidateKind::Selector);
        assert_eq!(insertion(&add), ("add: ".into(), 5));
        let size = candidate("size", CandidateKind::Selector);
        assert_eq!(insertion(&size), ("size".into(), 4));
    }

    #[test]
    fn the_word_runs_back_to_a_non_word_character() {
        let mut editor = Editor::new("x := Ordered");
        editor.area.move_cursor(jump((0, 12)));
        let word = editor.word_at_cursor().unwrap();
        assert_eq!((word.start, word.prefix.as_str()), ((0, 5), "Ordered"));
        assert_eq!(editor.cursor_offset(), 12);
    }
}
