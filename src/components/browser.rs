//! The class browser pane: four columns on top (categories | classes |
//! protocols | methods, drawn in `browser_columns`), below them the selected
//! method's source (else the class definition), highlighted as the workspace
//! is, scrolled by `source_scroll`, a mark on its rule when there is more.

use std::sync::Arc;

use tuirealm::component::{AppComponent, Component};
use tuirealm::event::{Event, Key, KeyModifiers, NoUserEvent};
use tuirealm::props::{Style, TextModifiers};
use tuirealm::ratatui::Frame;
use tuirealm::ratatui::layout::{Constraint, Layout, Rect};
use tuirealm::ratatui::text::{Line, Span};
use tuirealm::ratatui::widgets::{Block, Borders, Paragraph};

use super::browser_source::{EditPane, action_msg};
use super::highlight::colour;
use super::{Draw, Pane, app_msg, scroll_step};
use crate::config::keymap::{Action, Context, Keymap};
use crate::config::theme::{SyntaxColors, Theme, TranscriptColors, WorkspaceColors};
use crate::ui::browser::{BrowserMsg, BrowserState, UNCLASSIFIED, method_label};
use crate::ui::inspector::Tool;
use crate::ui::lexer::{Lexer, State};
use crate::ui::{Model, Msg, Scroll, SharedModel};

#[derive(Component)]
pub struct Browser {
    component: Pane<BrowserDrawing>,
    keymap: Arc<Keymap>,
}

pub struct BrowserDrawing {
    pub(super) colours: TranscriptColors,
    pub(super) borders: WorkspaceColors,
    syntax: SyntaxColors,
    edit_pane: EditPane,
}

impl Browser {
    pub fn new(model: SharedModel, keymap: Arc<Keymap>, theme: &Theme) -> Self {
        let drawing = BrowserDrawing {
            colours: theme.transcript,
            borders: theme.workspace,
            syntax: theme.syntax,
            edit_pane: EditPane::new(&keymap, theme),
        };
        Self {
            component: Pane::new(model, drawing),
            keymap,
        }
    }
}

impl Draw for BrowserDrawing {
    fn draw(&self, model: &mut Model, frame: &mut Frame, area: Rect, focused: bool) {
        model.view.transcript_pane = area;
        // While the source pane edits, it has the keys (and the focus).
        let focused = focused || super::browser_source::has_keys(model);
        let Some(Tool::Browser(state)) = &mut model.tool else {
            return;
        };
        let border = if focused {
            self.borders.border_focused
        } else {
            self.borders.border_unfocused
        };
        let hierarchy = if state.hierarchy.is_some() {
            " · hierarchy"
        } else {
            ""
        };
        let class = state.shown_class_name();
        let title = format!(
            " Browser · {}{hierarchy} ",
            class.as_deref().unwrap_or("classes")
        );
        let block = Block::bordered()
            .title(title)
            .title_bottom(
                Line::from(match &state.edit {
                    Some(edit) => self.edit_pane.title(edit, area.width),
                    None => shown_title(state),
                })
                .right_aligned(),
            )
            .border_style(Style::default().fg(border));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let [lists, source] =
            Layout::vertical([Constraint::Percentage(50), Constraint::Fill(1)]).areas(inner);
        state.height = usize::from(lists.height);
        self.draw_columns(state, frame, lists);
        let rule = Style::default().fg(self.borders.border_unfocused);
        let source_block = Block::new().borders(Borders::TOP).border_style(rule);
        let source_text = source_block.inner(source);
        state.source_area = source_text;
        if let Some(edit) = state.edit.as_deref_mut() {
            frame.render_widget(source_block, source);
            self.edit_pane.draw(edit, frame, source_text, focused);
            return;
        }
        let lines = self.source_lines(state);
        // Within the text, should the pane have grown since it scrolled.
        let last = lines.len().saturating_sub(usize::from(source_text.height));
        state.source_scroll = state.source_scroll.min(last);
        let more = more_mark(lines.len(), state.source_scroll, source_text.height);
        frame.render_widget(source_block.title(Line::from(more).right_aligned()), source);
        let shown: Vec<Line> = lines.into_iter().skip(state.source_scroll).collect();
        frame.render_widget(Paragraph::new(shown), source_text);
        if let Some(line) = super::browser_remove::waiting_line(state) {
            super::browser_remove::draw_waiting(line, &self.colours, frame, source_text);
        }
    }
}

/// What the bottom part shows: `Class>>selector · protocol`, or the class.
fn shown_title(state: &BrowserState) -> String {
    match (&state.source, state.method(), &state.class) {
        (Some(source), Some(_), _) => {
            let protocol = source.protocol.as_deref().unwrap_or(UNCLASSIFIED);
            let method = method_label(&source.class, source.meta, &source.selector);
            format!(" {method} · {protocol} ")
        }
        (_, None, Some(class)) => format!(" {} · definition ", class.name),
        _ => String::new(),
    }
}

/// The source's rule says there is more above or below the lines in view.
fn more_mark(lines: usize, scroll: usize, height: u16) -> String {
    let below = lines.saturating_sub(scroll + usize::from(height));
    match (scroll, below) {
        (0, 0) => String::new(),
        (0, below) => format!(" ↓ {below} more "),
        (above, 0) => format!(" ↑ {above} above "),
        (above, below) => format!(" ↑ {above} above · ↓ {below} more "),
    }
}

impl BrowserDrawing {
    pub(super) fn notice(&self, text: &str) -> Line<'static> {
        let style = Style::default()
            .fg(self.colours.notice)
            .add_modifier(TextModifiers::ITALIC);
        Line::styled(text.to_string(), style)
    }

    /// The method's source or the class definition, highlighted.
    fn source_lines(&self, state: &BrowserState) -> Vec<Line<'static>> {
        let Some(text) = state.shown_text() else {
            return match state.method() {
                Some(_) => vec![self.notice("Fetching the source…")],
                None => vec![],
            };
        };
        let mut state = State::default();
        text.lines()
            .map(|line| {
                let (spans, end) = highlighted(line, state, &self.syntax);
                state = end;
                Line::from(spans)
            })
            .collect()
    }
}

/// One line of code in the syntax colours, and the lexer state after it.
fn highlighted(text: &str, state: State, colours: &SyntaxColors) -> (Vec<Span<'static>>, State) {
    let mut lexer = Lexer::new(text, state);
    let mut spans = Vec::new();
    for token in lexer.by_ref() {
        let part = text[token.range].replace('\t', "    ");
        spans.push(match colour(token.class, colours) {
            Some(fg) => Span::styled(part, Style::default().fg(fg)),
            None => Span::raw(part),
        });
    }
    (spans, lexer.state())
}

fn browser_msg(action: Action) -> Option<BrowserMsg> {
    Some(match action {
        Action::ColumnLeft => BrowserMsg::Left,
        Action::ColumnRight => BrowserMsg::Right,
        Action::EditMethod => BrowserMsg::Edit,
        Action::ToggleClassSide => BrowserMsg::ToggleSide,
        Action::ToggleHierarchy => BrowserMsg::ToggleHierarchy,
        Action::SourcePageDown => BrowserMsg::ScrollSource(Scroll::PageDown),
        Action::SourcePageUp => BrowserMsg::ScrollSource(Scroll::PageUp),
        Action::CloseTool => BrowserMsg::Close,
        other => BrowserMsg::Move(scroll_step(other)?),
    })
}

impl AppComponent<Msg, NoUserEvent> for Browser {
    fn on(&mut self, event: &Event<NoUserEvent>) -> Option<Msg> {
        let Event::Keyboard(key) = event else {
            return None;
        };
        let waiting =
            super::browser_remove::waiting_key(&self.component.model.borrow(), &self.keymap, key);
        if let Some(msg) = waiting {
            return msg;
        }
        let Some(action) = self.keymap.lookup(Context::Browser, key) else {
            // Letters (and digits) typed jump in the column.
            return match key.code {
                Key::Char(letter)
                    if letter.is_alphanumeric()
                        && (key.modifiers - KeyModifiers::SHIFT).is_empty() =>
                {
                    Some(Msg::Browser(BrowserMsg::Jump(letter)))
                }
                _ => None,
            };
        };
        if let Some(msg) = action_msg(action).or_else(|| super::browser_remove::action_msg(action))
        {
            return Some(msg);
        }
        match browser_msg(action) {
            Some(msg) => Some(Msg::Browser(msg)),
            None => app_msg(action),
        }
    }
}
