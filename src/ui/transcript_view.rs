//! The transcript's view state and the formatting it scrolls by: the
//! scroll position is an anchor (entry, wrapped row) rather than a row
//! count, so drawing and scrolling only format the entries on screen,
//! however long the transcript.

use tuirealm::props::{Style, TextModifiers};
use tuirealm::ratatui::text::{Line, Span};

use super::model::{TranscriptEntry, input_lines};
use super::msg::Scroll;
use super::transcript_filter::TranscriptFilter;
use crate::config::theme::TranscriptColors;
use crate::protocol::{ErrorCode, ErrorObject};

/// Stack frames shown under an evaluation error; the rest are counted.
const MAX_STACK_FRAMES: usize = 5;
/// Lines of evaluated code echoed; a long script is counted, not repeated.
const MAX_INPUT_LINES: usize = 5;
const TAB: &str = "    ";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Anchor {
    /// Show the newest entries, and keep showing them as more arrive.
    #[default]
    Tail,
    /// The top screen row is wrapped row `row` of entry `entry`.
    At { entry: usize, row: usize },
}

/// Where the transcript pane is scrolled to, what it shows, and its size
/// at the last draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TranscriptView {
    anchor: Anchor,
    /// Entries the filter hides take no rows.
    pub filter: TranscriptFilter,
    /// Errors show every stack frame, not only the innermost.
    pub full_stacks: bool,
    /// Inner size at the last draw: what scrolling by a page or a row means.
    pub width: usize,
    pub height: usize,
}

impl Default for TranscriptView {
    fn default() -> Self {
        Self {
            anchor: Anchor::Tail,
            filter: TranscriptFilter::All,
            full_stacks: false,
            width: 78,
            height: 8,
        }
    }
}

impl TranscriptView {
    /// Whether new entries scroll into view (the user has not scrolled up).
    pub fn is_following(&self) -> bool {
        self.anchor == Anchor::Tail
    }

    /// Back to following the tail (after the entries were replaced).
    pub fn follow(&mut self) {
        self.anchor = Anchor::Tail;
    }

    /// `removed` entries left the front and `inserted` came in their
    /// place: the anchor keeps its entry, or goes to the top if it left.
    pub fn dropped_front(&mut self, removed: usize, inserted: usize) {
        if let Anchor::At { entry, row } = self.anchor {
            self.anchor = match entry.checked_sub(removed) {
                Some(kept) => Anchor::At {
                    entry: kept + inserted,
                    row,
                },
                None => Anchor::At { entry: 0, row: 0 },
            };
        }
    }

    /// Scroll so that entry `index` is at the top (or the tail shows it).
    pub fn show_entry(&mut self, entries: &[TranscriptEntry], index: usize) {
        self.anchor = Anchor::At {
            entry: index,
            row: 0,
        };
        self.settle(entries);
    }

    pub fn scroll(&mut self, entries: &[TranscriptEntry], step: Scroll) {
        let page = self.height.saturating_sub(1).max(1);
        match step {
            Scroll::Up => self.scroll_up(entries, 1),
            Scroll::Down => self.scroll_down(entries, 1),
            Scroll::PageUp => self.scroll_up(entries, page),
            Scroll::PageDown => self.scroll_down(entries, page),
            Scroll::Top => {
                self.anchor = Anchor::At { entry: 0, row: 0 };
                self.settle(entries);
            }
            Scroll::Bottom => self.anchor = Anchor::Tail,
        }
    }

    /// `f`: the next filter; the view follows the tail of what it shows.
    pub fn cycle_filter(&mut self) {
        self.filter = self.filter.next();
        self.anchor = Anchor::Tail;
    }

    /// `x`: whole stacks or the first frames; the view follows the tail.
    pub fn toggle_stacks(&mut self) {
        self.full_stacks = !self.full_stacks;
        self.anchor = Anchor::Tail;
    }

    /// Entry `index` as screen rows at the current width (to count them:
    /// colours do not change the count).
    fn rows(&self, entries: &[TranscriptEntry], index: usize) -> Vec<Line<'static>> {
        self.styled_rows(entries, index, &TranscriptColors::default())
    }

    /// None for an entry the filter hides.
    fn styled_rows(
        &self,
        entries: &[TranscriptEntry],
        index: usize,
        colours: &TranscriptColors,
    ) -> Vec<Line<'static>> {
        if !self.filter.shows(entries, index) {
            return Vec::new();
        }
        let frames = if self.full_stacks {
            usize::MAX
        } else {
            MAX_STACK_FRAMES
        };
        entry_lines(&entries[index], colours, frames)
            .into_iter()
            .flat_map(|line| wrap(line, self.width))
            .collect()
    }

    /// The anchor that shows the tail: the last `height` rows.
    fn tail_top(&self, entries: &[TranscriptEntry]) -> (usize, usize) {
        let mut needed = self.height;
        for index in (0..entries.len()).rev() {
            let count = self.rows(entries, index).len();
            if count >= needed {
                return (index, count - needed);
            }
            needed -= count;
        }
        (0, 0)
    }

    fn top(&self, entries: &[TranscriptEntry]) -> (usize, usize) {
        match self.anchor {
            Anchor::Tail => self.tail_top(entries),
            Anchor::At { entry, row } => (entry, row),
        }
    }

    /// Follow the tail again once everything below the anchor fits on screen.
    fn settle(&mut self, entries: &[TranscriptEntry]) {
        let Anchor::At { entry, row } = self.anchor else {
            return;
        };
        let mut below = 0;
        for index in entry..entries.len() {
            below += self.rows(entries, index).len();
            if index == entry {
                below = below.saturating_sub(row);
            }
            if below > self.height {
                return;
            }
        }
        self.anchor = Anchor::Tail;
    }

    fn scroll_up(&mut self, entries: &[TranscriptEntry], rows: usize) {
        let (mut entry, mut row) = self.top(entries);
        let mut left = rows;
        loop {
            if left <= row {
                row -= left;
                break;
            }
            left -= row;
            if entry == 0 {
                row = 0;
                break;
            }
            entry -= 1;
            row = self.rows(entries, entry).len();
        }
        self.anchor = Anchor::At { entry, row };
        self.settle(entries);
    }

    fn scroll_down(&mut self, entries: &[TranscriptEntry], rows: usize) {
        let Anchor::At { mut entry, mut row } = self.anchor else {
            return;
        };
        let mut left = rows;
        while entry < entries.len() {
            let count = self.rows(entries, entry).len();
            if row + left < count {
                row += left;
                break;
            }
            left -= count - row;
            entry += 1;
            row = 0;
        }
        self.anchor = Anchor::At { entry, row };
        self.settle(entries);
    }

    /// The rows on screen, top first; those of entry `marked` (a search
    /// match) reversed.
    pub fn visible_rows(
        &self,
        entries: &[TranscriptEntry],
        colours: &TranscriptColors,
        marked: Option<usize>,
    ) -> Vec<Line<'static>> {
        let (entry, row) = self.top(entries);
        let mut visible = Vec::with_capacity(self.height);
        for index in entry..entries.len() {
            let mut rows = self.styled_rows(entries, index, colours);
            if marked == Some(index) {
                rows = rows
                    .into_iter()
                    .map(|row| {
                        row.patch_style(Style::default().add_modifier(TextModifiers::REVERSED))
                    })
                    .collect();
            }
            let skip = if index == entry {
                row.min(rows.len().saturating_sub(1))
            } else {
                0
            };
            visible.extend(rows.into_iter().skip(skip));
            if visible.len() >= self.height {
                break;
            }
        }
        visible.truncate(self.height);
        visible
    }
}

/// An entry's text as shown, with its whole stack (what search looks in
/// and what is saved).
pub fn entry_text(entry: &TranscriptEntry) -> String {
    let lines = entry_lines(entry, &TranscriptColors::default(), usize::MAX);
    let lines: Vec<String> = lines.iter().map(ToString::to_string).collect();
    lines.join("\n")
}

/// An entry as unwrapped, styled lines; an error with `frames` of its stack.
fn entry_lines(
    entry: &TranscriptEntry,
    colours: &TranscriptColors,
    frames: usize,
) -> Vec<Line<'static>> {
    // The theme's colour alone: dimmed, dark grey on black (and white in
    // the high-contrast theme) faded to barely readable.
    let meta = Style::default().fg(colours.class);
    match entry {
        TranscriptEntry::Input { code } => {
            let style = Style::default().fg(colours.input);
            let (total, kept) = input_lines(code);
            let mut lines: Vec<Line<'static>> = kept
                .map(clean)
                .take(MAX_INPUT_LINES)
                .enumerate()
                .map(|(n, line)| {
                    let prompt = if n == 0 { "> " } else { "  " };
                    Line::styled(format!("{prompt}{line}"), style)
                })
                .collect();
            if lines.is_empty() {
                lines.push(Line::styled("> ", style));
            }
            let more = total.saturating_sub(MAX_INPUT_LINES);
            if more > 0 {
                lines.push(Line::styled(format!("  … {more} more lines"), meta));
            }
            lines
        }
        TranscriptEntry::Value {
            print,
            class,
            truncated,
            duration_us,
            ..
        } => {
            let style = Style::default().fg(colours.value);
            let mut lines: Vec<Line<'static>> = text_lines(print)
                .map(|line| Line::styled(line, style))
                .collect();
            let mut details = format!("  {class} · {}", format_duration(*duration_us));
            if *truncated {
                // The inspector will show all; until then, its parts.
                details.push_str(" · cut: m saves it whole");
            }
            match lines.last_mut() {
                Some(last) => last.push_span(Span::styled(details, meta)),
                None => lines.push(Line::from(Span::styled(details, meta))),
            }
            lines
        }
        TranscriptEntry::Output(text) => {
            let style = Style::default().fg(colours.output);
            text_lines(text)
                .map(|line| Line::styled(line, style))
                .collect()
        }
        TranscriptEntry::Error(error) => {
            let style = Style::default().fg(colours.error);
            let mut lines: Vec<Line<'static>> = text_lines(&error_headline(error))
                .map(|line| Line::styled(line, style))
                .collect();
            let stack = error.stack.as_deref().unwrap_or_default();
            lines.extend(
                stack
                    .iter()
                    .take(frames)
                    .map(|frame| Line::styled(format!("    {}", clean(frame)), meta)),
            );
            if stack.len() > frames {
                let more = stack.len() - frames;
                lines.push(Line::styled(
                    format!("    … {more} more frames (x shows all)"),
                    meta,
                ));
            }
            lines
        }
        TranscriptEntry::Dropped { count } => {
            let style = Style::default()
                .fg(colours.notice)
                .add_modifier(TextModifiers::ITALIC);
            let text =
                format!("{count} older entries were dropped (the transcript keeps the newest).");
            vec![Line::styled(text, style)]
        }
        TranscriptEntry::Notice(text) => {
            let style = Style::default()
                .fg(colours.notice)
                .add_modifier(TextModifiers::ITALIC);
            text_lines(text)
                .map(|line| Line::styled(line, style))
                .collect()
        }
    }
}

/// An error's first line in words, not the protocol's codes
/// (`interrupted: the evaluation was interrupted`).
fn error_headline(error: &ErrorObject) -> String {
    match error.code {
        ErrorCode::Interrupted => "Evaluation interrupted.".into(),
        ErrorCode::Timeout => format!("Timed out: {}", error.message),
        _ => error.to_string(),
    }
}

/// The lines of `text` with tabs expanded (the terminal would not).
fn text_lines(text: &str) -> impl Iterator<Item = String> + '_ {
    text.lines().map(clean)
}

fn clean(line: &str) -> String {
    line.replace('\t', TAB).replace('\r', "")
}

/// `0.12 ms`, `4.5 ms`, `120 ms`, `2.35 s`: few digits, enough precision.
pub fn format_duration(micros: u64) -> String {
    let trim = |text: String| {
        if text.contains('.') {
            text.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            text
        }
    };
    if micros >= 1_000_000 {
        return format!("{} s", trim(format!("{:.2}", micros as f64 / 1e6)));
    }
    let ms = micros as f64 / 1000.0;
    let digits = if ms < 10.0 {
        2
    } else if ms < 100.0 {
        1
    } else {
        0
    };
    format!("{} ms", trim(format!("{ms:.digits$}")))
}

/// Split a line into rows of at most `width` columns, at the last space
/// that fits (the space itself is dropped); a word longer than a row is
/// cut. The same function counts the rows, so the scroll anchor stays exact.
pub fn wrap(line: Line<'static>, width: usize) -> Vec<Line<'static>> {
    if width == 0 || line.width() <= width {
        return vec![line];
    }
    let cells: Vec<(String, Style, usize)> = line
        .styled_graphemes(Style::default())
        .map(|g| (g.symbol.to_string(), g.style, Span::raw(g.symbol).width()))
        .collect();
    let mut rows = Vec::new();
    let mut start = 0;
    while start < cells.len() {
        let (row_end, next) = row_break(&cells[start..], width);
        rows.push(styled_row(&cells[start..start + row_end]));
        start += next;
    }
    rows
}

/// Where the row of `cells` ends, and where the next one starts.
fn row_break(cells: &[(String, Style, usize)], width: usize) -> (usize, usize) {
    let mut used = 0;
    // The first cell that does not fit (at least one cell per row).
    let mut end = 0;
    while end < cells.len() && (end == 0 || used + cells[end].2 <= width) {
        used += cells[end].2;
        end += 1;
    }
    if end == cells.len() {
        return (end, end);
    }
    let space = (1..=end).rev().find(|&at| cells[at].0 == " ");
    match space {
        Some(at) => (at, at + 1),
        None => (end, end),
    }
}

fn styled_row(cells: &[(String, Style, usize)]) -> Line<'static> {
    let mut row: Vec<Span<'static>> = Vec::new();
    for (symbol, style, _) in cells {
        match row.last_mut() {
            Some(span) if span.style == *style => span.content.to_mut().push_str(symbol),
            _ => row.push(Span::styled(symbol.clone(), *style)),
        }
    }
    Line::from(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice(n: usize) -> TranscriptEntry {
        TranscriptEntry::Notice(format!("notice {n}"))
    }

    fn entries(count: usize) -> Vec<TranscriptEntry> {
        (0..count).map(notice).collect()
    }

    fn view() -> TranscriptView {
        TranscriptView {
            height: 5,
            ..TranscriptView::default()
        }
    }

    fn shown(view: &TranscriptView, entries: &[TranscriptEntry]) -> Vec<String> {
        view.visible_rows(entries, &TranscriptColors::default(), None)
            .iter()
            .map(|line| line.to_string())
            .collect()
    }

    #[test]
    fn follows_the_tail_and_scrolls_back() {
        let mut t = view();
        let mut all = entries(20);
        assert_eq!(shown(&t, &all).last().unwrap(), "notice 19");
        t.scroll(&all, Scroll::Up);
        assert_eq!(shown(&t, &all).first().unwrap(), "notice 14");
        assert!(!t.is_following());
        // New entries do not move a scrolled view.
        all = entries(25);
        assert_eq!(shown(&t, &all).first().unwrap(), "notice 14");
        t.scroll(&all, Scroll::Top);
        assert_eq!(shown(&t, &all).first().unwrap(), "notice 0");
        t.scroll(&all, Scroll::PageDown);
        assert_eq!(shown(&t, &all).first().unwrap(), "notice 4");
        t.scroll(&all, Scroll::Bottom);
        assert!(t.is_following());
        all.push(notice(25));
        assert_eq!(shown(&t, &all).last().unwrap(), "notice 25");
    }

    #[test]
    fn scrolling_down_past_the_end_follows_again() {
        let mut t = view();
        let all = entries(8);
        t.scroll(&all, Scroll::PageUp);
        assert!(!t.is_following());
        t.scroll(&all, Scroll::PageDown);
        t.scroll(&all, Scroll::PageDown);
        assert!(t.is_following());
        assert_eq!(shown(&t, &all).last().unwrap(), "notice 7");
    }

    #[test]
    fn short_transcripts_never_scroll() {
        let mut t = view();
        let all = entries(3);
        t.scroll(&all, Scroll::PageUp);
        assert!(t.is_following());
        assert_eq!(shown(&t, &all).len(), 3);
    }

    #[test]
    fn dropping_old_entries_keeps_the_anchor_on_its_entry() {
        let mut t = view();
        let mut all = entries(20);
        t.scroll(&all, Scroll::Top);
        t.scroll(&all, Scroll::PageDown);
        assert_eq!(shown(&t, &all).first().unwrap(), "notice 4");
        // Three dropped, one notice in their place.
        all.drain(0..3);
        all.insert(0, TranscriptEntry::Dropped { count: 3 });
        t.dropped_front(3, 1);
        assert_eq!(shown(&t, &all).first().unwrap(), "notice 4");
        // The anchored entry itself dropped: the view shows the top.
        all.drain(1..5);
        t.dropped_front(5, 1);
        assert!(
            shown(&t, &all)
                .first()
                .unwrap()
                .contains("older entries were dropped")
        );
    }

    #[test]
    fn the_class_and_time_are_in_the_theme_colour_not_dimmed() {
        let entry = TranscriptEntry::Value {
            print: "7".into(),
            class: "SmallInteger".into(),
            truncated: false,
            duration_us: 50,
            handle: None,
        };
        let colours = TranscriptColors::default();
        let lines = entry_lines(&entry, &colours, 5);
        let details = lines[0].spans.last().unwrap();
        assert!(details.content.contains("SmallInteger"));
        assert_eq!(details.style, Style::default().fg(colours.class));
    }

    #[test]
    fn an_interruption_and_a_timeout_read_as_words() {
        let headline = |code, message: &str| {
            let entry = TranscriptEntry::Error(ErrorObject::new(code, message));
            entry_lines(&entry, &TranscriptColors::default(), 5)[0].to_string()
        };
        assert_eq!(
            headline(ErrorCode::Interrupted, "the evaluation was interrupted"),
            "Evaluation interrupted."
        );
        assert_eq!(
            headline(
                ErrorCode::Timeout,
                "the evaluation did not finish within 5 ms"
            ),
            "Timed out: the evaluation did not finish within 5 ms"
        );
    }

    #[test]
    fn a_script_longer_than_the_entry_cap_still_counts_all_its_lines() {
        let code: String = (0..10_000).map(|n| format!("x := {n} + 1.\n")).collect();
        let mut model = crate::ui::Model::new("a", "s");
        model.transcript.push(TranscriptEntry::Input { code });
        model.bound_transcript();
        let entry = &model.transcript[0];
        let lines = entry_lines(entry, &TranscriptColors::default(), 5);
        let shown: Vec<String> = lines.iter().map(ToString::to_string).collect();
        assert_eq!(shown[4], "  x := 4 + 1.");
        assert_eq!(shown[5], "  … 9995 more lines");
        assert_eq!(shown.len(), 6);
    }

    #[test]
    fn a_long_script_echoes_its_first_lines_and_a_count() {
        let code: String = (0..10_000).map(|n| format!("x := {n}.\n")).collect();
        let entry = TranscriptEntry::Input { code };
        let lines: Vec<String> = entry_lines(&entry, &TranscriptColors::default(), 5)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            lines,
            [
                "> x := 0.",
                "  x := 1.",
                "  x := 2.",
                "  x := 3.",
                "  x := 4.",
                "  … 9995 more lines"
            ]
        );
    }

    #[test]
    fn the_marked_entry_is_reversed() {
        let all = entries(3);
        let rows = view().visible_rows(&all, &TranscriptColors::default(), Some(1));
        let reversed: Vec<bool> = rows
            .iter()
            .map(|row| row.style.add_modifier.contains(TextModifiers::REVERSED))
            .collect();
        assert_eq!(reversed, [false, true, false]);
    }

    #[test]
    fn long_lines_wrap_by_width() {
        let rows = wrap(Line::from("abcdefghij"), 4);
        let rows: Vec<String> = rows.iter().map(ToString::to_string).collect();
        assert_eq!(rows, ["abcd", "efgh", "ij"]);
    }

    #[test]
    fn lines_with_spaces_wrap_between_words() {
        let rows = wrap(
            Line::from("4751 4752 4753 4754 averyveryverylongword x"),
            10,
        );
        let rows: Vec<String> = rows.iter().map(ToString::to_string).collect();
        assert_eq!(
            rows,
            ["4751 4752", "4753 4754", "averyveryv", "erylongwor", "d x"]
        );
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(format_duration(120), "0.12 ms");
        assert_eq!(format_duration(400), "0.4 ms");
        assert_eq!(format_duration(4_500), "4.5 ms");
        assert_eq!(format_duration(120_000), "120 ms");
        assert_eq!(format_duration(2_350_000), "2.35 s");
    }
}
