//! The transcript: what was evaluated and what came back, newest at the bottom.
//! It follows the tail until the user scrolls up (see `ui::transcript_view`).

use std::sync::Arc;

use tuirealm::component::{AppComponent, Component};
use tuirealm::event::{Event, KeyEvent, MouseEventKind, NoUserEvent};
use tuirealm::props::{Style, TextModifiers};
use tuirealm::ratatui::Frame;
use tuirealm::ratatui::layout::Rect;
use tuirealm::ratatui::text::Line;
use tuirealm::ratatui::widgets::{Block, Paragraph};

use super::prompt_line::{LineKey, line_key};
use super::{Draw, Pane, app_msg, scroll_step};
use crate::config::keymap::{Action, Context, Keymap, key_label};
use crate::config::theme::{Theme, TranscriptColors, WorkspaceColors};
use crate::ui::transcript_search::TranscriptSearch;
use crate::ui::transcript_view::TranscriptView;
use crate::ui::{Model, Msg, SearchStep, SharedModel};

#[derive(Component)]
pub struct Transcript {
    component: Pane<TranscriptDrawing>,
    keymap: Arc<Keymap>,
}

pub struct TranscriptDrawing {
    /// How to get back to following the tail, for the title while scrolled.
    follow_key: Option<String>,
    /// How to change the filter, for a pane it leaves empty.
    filter_key: Option<String>,
    colours: TranscriptColors,
    borders: WorkspaceColors,
}

impl Transcript {
    pub fn new(model: SharedModel, keymap: Arc<Keymap>, theme: &Theme) -> Self {
        let drawing = TranscriptDrawing {
            follow_key: keymap
                .keys_for(Context::Transcript, Action::ScrollToBottom)
                .first()
                .map(key_label),
            filter_key: keymap
                .keys_for(Context::Transcript, Action::FilterTranscript)
                .first()
                .map(key_label),
            colours: theme.transcript,
            borders: theme.workspace,
        };
        Self {
            component: Pane::new(model, drawing),
            keymap,
        }
    }
}

impl TranscriptDrawing {
    fn title(&self, view: &TranscriptView) -> String {
        let mut filter = match view.filter.label() {
            Some(label) => format!("· {label} "),
            None => String::new(),
        };
        // x changes nothing visible while every stack is short: say it took.
        if view.full_stacks {
            filter.push_str("· whole stacks ");
        }
        match (view.is_following(), &self.follow_key) {
            (true, _) => format!(" Transcript {filter}"),
            (false, Some(key)) => format!(" Transcript {filter}· scrolled, {key} follows "),
            (false, None) => format!(" Transcript {filter}· scrolled "),
        }
    }
}

impl Draw for TranscriptDrawing {
    fn draw(&self, model: &mut Model, frame: &mut Frame, area: Rect, focused: bool) {
        let Model {
            transcript, view, ..
        } = model;
        view.transcript_pane = area;
        let border = if focused {
            self.borders.border_focused
        } else {
            self.borders.border_unfocused
        };
        let mut block = Block::bordered()
            .title(self.title(&view.transcript))
            .border_style(Style::default().fg(border));
        if let Some(search) = &view.search {
            block = block.title_bottom(search_line(search));
        }
        let inner = block.inner(area);
        view.transcript.width = usize::from(inner.width);
        view.transcript.height = usize::from(inner.height);
        frame.render_widget(block, area);
        let hint = Style::default()
            .fg(self.colours.notice)
            .add_modifier(TextModifiers::ITALIC);
        let marked = view.search.as_ref().and_then(|search| search.current);
        let mut rows = view
            .transcript
            .visible_rows(transcript, &self.colours, marked);
        if transcript.is_empty() {
            rows = vec![Line::styled("Results of evaluations appear here.", hint)];
        } else if rows.is_empty() {
            let back = match &self.filter_key {
                Some(key) => format!(" ({key} changes the filter)"),
                None => String::new(),
            };
            rows = vec![Line::styled(format!("Nothing to show{back}."), hint)];
        }
        frame.render_widget(Paragraph::new(rows), inner);
    }
}

/// The search prompt in the bottom border: the query and the matches.
fn search_line(search: &TranscriptSearch) -> String {
    let cursor = if search.editing { "▏" } else { "" };
    let found = match search.matches {
        _ if search.query.is_empty() => String::new(),
        0 => " · no match".into(),
        1 => " · 1 match".into(),
        n => format!(" · {n} matches"),
    };
    format!(" /{}{cursor}{found} ", search.query)
}

/// A key typed into the open search prompt.
pub(super) fn prompt_key(key: &KeyEvent) -> Option<SearchStep> {
    Some(match line_key(key)? {
        LineKey::Cancel => SearchStep::Close,
        LineKey::Accept => SearchStep::Submit,
        LineKey::Backspace => SearchStep::Backspace,
        LineKey::Type(c) => SearchStep::Type(c),
    })
}

fn search_step(action: Action) -> Option<SearchStep> {
    Some(match action {
        Action::Search => SearchStep::Open,
        Action::SearchNext => SearchStep::Next,
        Action::SearchPrevious => SearchStep::Previous,
        Action::CloseSearch => SearchStep::Close,
        _ => return None,
    })
}

impl AppComponent<Msg, NoUserEvent> for Transcript {
    fn on(&mut self, event: &Event<NoUserEvent>) -> Option<Msg> {
        let key = match event {
            Event::Keyboard(key) => key,
            Event::Mouse(mouse) if mouse.kind != MouseEventKind::Moved => {
                return Some(Msg::Mouse(*mouse));
            }
            _ => return None,
        };
        let (searching, editing) = match &self.component.model.borrow().view.search {
            Some(search) => (true, search.editing),
            None => (false, false),
        };
        // Other keys (Ctrl+Q, F1, scrolling) keep their meaning in the prompt.
        if let Some(step) = prompt_key(key).filter(|_| editing) {
            return Some(Msg::SearchTranscript(step));
        }
        let action = self.keymap.lookup(Context::Transcript, key)?;
        if let Some(step) = search_step(action) {
            // n and N mean nothing without a search.
            let open = step == SearchStep::Open || searching;
            return open.then_some(Msg::SearchTranscript(step));
        }
        match scroll_step(action) {
            Some(step) => Some(Msg::ScrollTranscript(step)),
            None => app_msg(action),
        }
    }
}
