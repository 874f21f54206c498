//! The transcript: what was evaluated and what came back, newest at the bottom.
//!
//! It follows the tail until the user scrolls up. The scroll position is an
//! anchor (entry, wrapped row) rather than a row count, so drawing and
//! scrolling only format the entries on screen, however long the transcript.

use std::sync::Arc;

use tuirealm::command::{Cmd, CmdResult};
use tuirealm::component::{AppComponent, Component};
use tuirealm::event::Event;
use tuirealm::props::{
    AttrValue, Attribute, PropPayload, Props, QueryResult, Style, TextModifiers,
};
use tuirealm::ratatui::Frame;
use tuirealm::ratatui::layout::Rect;
use tuirealm::ratatui::text::{Line, Span};
use tuirealm::ratatui::widgets::{Block, Paragraph};
use tuirealm::state::State;

use super::{app_msg, has_focus};
use crate::app::{Msg, TranscriptEntry};
use crate::config::keymap::{Action, Context, Keymap, key_label};
use crate::config::theme::{Theme, TranscriptColors, WorkspaceColors};
use crate::net::NetEvent;

/// Stack frames shown under an evaluation error; the rest are counted.
const MAX_STACK_FRAMES: usize = 5;
const TAB: &str = "    ";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scroll {
    /// Show the newest entries, and keep showing them as more arrive.
    Tail,
    /// The top screen row is wrapped row `row` of entry `entry`.
    At { entry: usize, row: usize },
}

pub struct Transcript {
    entries: Vec<TranscriptEntry>,
    scroll: Scroll,
    /// Inner size at the last draw: what scrolling by a page or a row means.
    width: usize,
    height: usize,
    keymap: Arc<Keymap>,
    /// How to get back to following the tail, for the title while scrolled.
    follow_key: Option<String>,
    colours: TranscriptColors,
    borders: WorkspaceColors,
    props: Props,
}

impl Transcript {
    pub fn new(keymap: Arc<Keymap>, theme: &Theme) -> Self {
        Self {
            entries: Vec::new(),
            scroll: Scroll::Tail,
            width: 78,
            height: 8,
            follow_key: keymap
                .keys_for(Context::Transcript, Action::ScrollToBottom)
                .first()
                .map(key_label),
            keymap,
            colours: theme.transcript,
            borders: theme.workspace,
            props: Props::default(),
        }
    }

    /// Bring the shown entries in line with the model's. Appends are cheap
    /// (only the new tail is copied); anything else replaces the lot and
    /// returns to following the tail.
    pub fn sync(&mut self, entries: &[TranscriptEntry]) {
        let known = self.entries.len();
        let appended = entries.len() >= known
            && (known == 0
                || (entries[0] == self.entries[0]
                    && entries[known - 1] == self.entries[known - 1]));
        if appended {
            self.entries.extend_from_slice(&entries[known..]);
        } else {
            self.entries = entries.to_vec();
            self.scroll = Scroll::Tail;
        }
    }

    /// Whether new entries scroll into view (the user has not scrolled up).
    pub fn is_following(&self) -> bool {
        self.scroll == Scroll::Tail
    }

    /// Entry `index` as screen rows at the current width.
    fn rows(&self, index: usize) -> Vec<Line<'static>> {
        entry_lines(&self.entries[index], &self.colours)
            .into_iter()
            .flat_map(|line| wrap(line, self.width))
            .collect()
    }

    /// The anchor that shows the tail: the last `height` rows.
    fn tail_top(&self) -> (usize, usize) {
        let mut needed = self.height;
        for index in (0..self.entries.len()).rev() {
            let count = self.rows(index).len();
            if count >= needed {
                return (index, count - needed);
            }
            needed -= count;
        }
        (0, 0)
    }

    fn top(&self) -> (usize, usize) {
        match self.scroll {
            Scroll::Tail => self.tail_top(),
            Scroll::At { entry, row } => (entry, row),
        }
    }

    /// Follow the tail again once everything below the anchor fits on screen.
    fn settle(&mut self) {
        let Scroll::At { entry, row } = self.scroll else {
            return;
        };
        let mut below = 0;
        for index in entry..self.entries.len() {
            below += self.rows(index).len();
            if index == entry {
                below = below.saturating_sub(row);
            }
            if below > self.height {
                return;
            }
        }
        self.scroll = Scroll::Tail;
    }

    fn scroll_up(&mut self, rows: usize) {
        let (mut entry, mut row) = self.top();
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
            row = self.rows(entry).len();
        }
        self.scroll = Scroll::At { entry, row };
        self.settle();
    }

    fn scroll_down(&mut self, rows: usize) {
        let Scroll::At { mut entry, mut row } = self.scroll else {
            return;
        };
        let mut left = rows;
        while entry < self.entries.len() {
            let count = self.rows(entry).len();
            if row + left < count {
                row += left;
                break;
            }
            left -= count - row;
            entry += 1;
            row = 0;
        }
        self.scroll = Scroll::At { entry, row };
        self.settle();
    }

    fn scroll_to_top(&mut self) {
        self.scroll = Scroll::At { entry: 0, row: 0 };
        self.settle();
    }

    fn page(&self) -> usize {
        self.height.saturating_sub(1).max(1)
    }

    /// Carry out a scrolling action; `false` when the action is not about scrolling.
    fn perform_scroll(&mut self, action: Action) -> bool {
        match action {
            Action::ScrollUp => self.scroll_up(1),
            Action::ScrollDown => self.scroll_down(1),
            Action::PageUp => self.scroll_up(self.page()),
            Action::PageDown => self.scroll_down(self.page()),
            Action::ScrollToTop => self.scroll_to_top(),
            Action::ScrollToBottom => self.scroll = Scroll::Tail,
            _ => return false,
        }
        true
    }

    /// The rows on screen, top first.
    fn visible_rows(&self) -> Vec<Line<'static>> {
        let (entry, row) = self.top();
        let mut visible = Vec::with_capacity(self.height);
        for index in entry..self.entries.len() {
            let rows = self.rows(index);
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

    fn title(&self) -> String {
        match (self.scroll, &self.follow_key) {
            (Scroll::Tail, _) => " Transcript ".into(),
            (Scroll::At { .. }, Some(key)) => format!(" Transcript · scrolled, {key} follows "),
            (Scroll::At { .. }, None) => " Transcript · scrolled ".into(),
        }
    }
}

/// An entry as unwrapped, styled lines.
pub fn entry_lines(entry: &TranscriptEntry, colours: &TranscriptColors) -> Vec<Line<'static>> {
    let meta = Style::default()
        .fg(colours.class)
        .add_modifier(TextModifiers::DIM);
    match entry {
        TranscriptEntry::Input { code } => {
            let style = Style::default().fg(colours.input);
            let mut lines: Vec<Line<'static>> = text_lines(code)
                .enumerate()
                .map(|(n, line)| {
                    let prompt = if n == 0 { "> " } else { "  " };
                    Line::styled(format!("{prompt}{line}"), style)
                })
                .collect();
            if lines.is_empty() {
                lines.push(Line::styled("> ", style));
            }
            lines
        }
        TranscriptEntry::Value {
            print,
            class,
            truncated,
            duration_us,
        } => {
            let style = Style::default().fg(colours.value);
            let mut lines: Vec<Line<'static>> = text_lines(print)
                .map(|line| Line::styled(line, style))
                .collect();
            let mut details = format!("  {class} · {}", format_duration(*duration_us));
            if *truncated {
                details.push_str(" · (truncated)");
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
            let mut lines: Vec<Line<'static>> = text_lines(&error.to_string())
                .map(|line| Line::styled(line, style))
                .collect();
            let stack = error.stack.as_deref().unwrap_or_default();
            lines.extend(
                stack
                    .iter()
                    .take(MAX_STACK_FRAMES)
                    .map(|frame| Line::styled(format!("    {}", clean(frame)), meta)),
            );
            if stack.len() > MAX_STACK_FRAMES {
                let more = stack.len() - MAX_STACK_FRAMES;
                lines.push(Line::styled(format!("    … {more} more frames"), meta));
            }
            lines
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

/// Split a line into rows of at most `width` columns (character wrap keeps
/// row counts exact, which the scroll anchor relies on).
fn wrap(line: Line<'static>, width: usize) -> Vec<Line<'static>> {
    if width == 0 || line.width() <= width {
        return vec![line];
    }
    let mut rows = Vec::new();
    let mut row: Vec<Span<'static>> = Vec::new();
    let mut row_width = 0;
    for grapheme in line.styled_graphemes(Style::default()) {
        let grapheme_width = Span::raw(grapheme.symbol).width();
        if row_width + grapheme_width > width && row_width > 0 {
            rows.push(Line::from(std::mem::take(&mut row)));
            row_width = 0;
        }
        match row.last_mut() {
            Some(span) if span.style == grapheme.style => {
                span.content.to_mut().push_str(grapheme.symbol)
            }
            _ => row.push(Span::styled(grapheme.symbol.to_string(), grapheme.style)),
        }
        row_width += grapheme_width;
    }
    if !row.is_empty() {
        rows.push(Line::from(row));
    }
    rows
}

impl Component for Transcript {
    fn view(&mut self, frame: &mut Frame, area: Rect) {
        let border = if has_focus(&self.props) {
            self.borders.border_focused
        } else {
            self.borders.border_unfocused
        };
        let block = Block::bordered()
            .title(self.title())
            .border_style(Style::default().fg(border));
        let inner = block.inner(area);
        self.width = usize::from(inner.width);
        self.height = usize::from(inner.height);
        frame.render_widget(block, area);
        let rows = if self.entries.is_empty() {
            let hint = Style::default()
                .fg(self.colours.notice)
                .add_modifier(TextModifiers::ITALIC);
            vec![Line::styled("Results of evaluations appear here.", hint)]
        } else {
            self.visible_rows()
        };
        frame.render_widget(Paragraph::new(rows), inner);
    }

    fn query<'a>(&'a self, attr: Attribute) -> Option<QueryResult<'a>> {
        self.props.get_for_query(attr)
    }

    /// `Attribute::Content` with a `PropPayload::Any(Vec<TranscriptEntry>)` syncs the entries.
    fn attr(&mut self, attr: Attribute, value: AttrValue) {
        if let (Attribute::Content, AttrValue::Payload(PropPayload::Any(payload))) = (attr, &value)
            && let Some(entries) = payload.as_any().downcast_ref::<Vec<TranscriptEntry>>()
        {
            self.sync(entries);
            return;
        }
        self.props.set(attr, value);
    }

    fn state(&self) -> State {
        State::None
    }

    fn perform(&mut self, cmd: Cmd) -> CmdResult {
        CmdResult::Invalid(cmd)
    }
}

impl AppComponent<Msg, NetEvent> for Transcript {
    fn on(&mut self, event: &Event<NetEvent>) -> Option<Msg> {
        let Event::Keyboard(key) = event else {
            return None;
        };
        let action = self.keymap.lookup(Context::Transcript, key)?;
        if self.perform_scroll(action) {
            return None;
        }
        app_msg(action)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice(n: usize) -> TranscriptEntry {
        TranscriptEntry::Notice(format!("notice {n}"))
    }

    fn transcript(count: usize) -> Transcript {
        let mut transcript = Transcript::new(Arc::new(Keymap::default()), &Theme::default());
        transcript.height = 5;
        transcript.sync(&(0..count).map(notice).collect::<Vec<_>>());
        transcript
    }

    fn shown(transcript: &Transcript) -> Vec<String> {
        transcript
            .visible_rows()
            .iter()
            .map(|line| line.to_string())
            .collect()
    }

    #[test]
    fn follows_the_tail_and_scrolls_back() {
        let mut t = transcript(20);
        assert_eq!(shown(&t).last().unwrap(), "notice 19");
        t.perform_scroll(Action::ScrollUp);
        assert_eq!(shown(&t).first().unwrap(), "notice 14");
        assert!(!t.is_following());
        // New entries do not move a scrolled view.
        let mut more: Vec<_> = (0..25).map(notice).collect();
        t.sync(&more);
        assert_eq!(shown(&t).first().unwrap(), "notice 14");
        t.perform_scroll(Action::ScrollToTop);
        assert_eq!(shown(&t).first().unwrap(), "notice 0");
        t.perform_scroll(Action::PageDown);
        assert_eq!(shown(&t).first().unwrap(), "notice 4");
        t.perform_scroll(Action::ScrollToBottom);
        assert!(t.is_following());
        more.push(notice(25));
        t.sync(&more);
        assert_eq!(shown(&t).last().unwrap(), "notice 25");
    }

    #[test]
    fn scrolling_down_past_the_end_follows_again() {
        let mut t = transcript(8);
        t.perform_scroll(Action::PageUp);
        assert!(!t.is_following());
        t.perform_scroll(Action::PageDown);
        t.perform_scroll(Action::PageDown);
        assert!(t.is_following());
        assert_eq!(shown(&t).last().unwrap(), "notice 7");
    }

    #[test]
    fn short_transcripts_never_scroll() {
        let mut t = transcript(3);
        t.perform_scroll(Action::PageUp);
        assert!(t.is_following());
        assert_eq!(shown(&t).len(), 3);
    }

    #[test]
    fn clearing_replaces_and_follows() {
        let mut t = transcript(20);
        t.perform_scroll(Action::ScrollToTop);
        t.sync(&[notice(99)]);
        assert!(t.is_following());
        assert_eq!(shown(&t), ["notice 99"]);
    }

    #[test]
    fn long_lines_wrap_by_width() {
        let rows = wrap(Line::from("abcdefghij"), 4);
        let rows: Vec<String> = rows.iter().map(ToString::to_string).collect();
        assert_eq!(rows, ["abcd", "efgh", "ij"]);
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
