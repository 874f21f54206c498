//! The class browser pane: the class list and the selected class's methods
//! side by side on top, below them the selected method's source (else the
//! class definition), highlighted as the workspace is.

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
use crate::ui::browser::{BrowserMsg, BrowserState, Column};
use crate::ui::inspector::Tool;
use crate::ui::lexer::{Lexer, State};
use crate::ui::{Model, Msg, SharedModel};

#[derive(Component)]
pub struct Browser {
    component: Pane<BrowserDrawing>,
    keymap: Arc<Keymap>,
}

pub struct BrowserDrawing {
    colours: TranscriptColors,
    borders: WorkspaceColors,
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
        let title = format!(" Browser · {} ", state.class_name().unwrap_or("classes"));
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
        let [classes, methods] =
            Layout::horizontal([Constraint::Percentage(35), Constraint::Fill(1)]).areas(lists);
        state.height = usize::from(lists.height);
        let rule = Style::default().fg(self.borders.border_unfocused);
        let methods_block = Block::new().borders(Borders::LEFT).border_style(rule);
        let method_rows = methods_block.inner(methods);
        frame.render_widget(methods_block, methods);
        let source_block = Block::new().borders(Borders::TOP).border_style(rule);
        let source_text = source_block.inner(source);
        frame.render_widget(source_block, source);
        frame.render_widget(Paragraph::new(self.class_lines(state, classes)), classes);
        frame.render_widget(
            Paragraph::new(self.method_lines(state, method_rows)),
            method_rows,
        );
        match state.edit.as_deref_mut() {
            Some(edit) => self.edit_pane.draw(edit, frame, source_text, focused),
            None => frame.render_widget(Paragraph::new(self.source_lines(state)), source_text),
        }
    }
}

/// What the bottom part shows: `Class>>selector · protocol`, or the class.
fn shown_title(state: &BrowserState) -> String {
    match (&state.source, state.method(), &state.class) {
        (Some(source), Some(_), _) => {
            let protocol = source.protocol.as_deref().unwrap_or("as yet unclassified");
            format!(" {}>>{} · {protocol} ", source.class, source.selector)
        }
        (_, None, Some(class)) => format!(" {} · definition ", class.name),
        _ => String::new(),
    }
}

impl BrowserDrawing {
    fn notice(&self, text: &str) -> Line<'static> {
        let style = Style::default()
            .fg(self.colours.notice)
            .add_modifier(TextModifiers::ITALIC);
        Line::styled(text.to_string(), style)
    }

    fn class_lines(&self, state: &BrowserState, area: Rect) -> Vec<Line<'static>> {
        if state.classes.is_empty() {
            return vec![self.notice("Listing classes…")];
        }
        let selected = Some(state.class_selected);
        let active = state.column == Column::Classes;
        let names = state.classes.iter().map(|name| (name.clone(), None));
        self.list(names, selected, active, area)
    }

    fn method_lines(&self, state: &BrowserState, area: Rect) -> Vec<Line<'static>> {
        if state.class.is_none() {
            return vec![self.notice("Describing the class…")];
        }
        if state.methods().is_empty() {
            return vec![self.notice("No methods.")];
        }
        let active = state.column == Column::Methods;
        let rows = state.methods().iter().map(|method| {
            let protocol = method.protocol.clone();
            (method.selector.clone(), protocol)
        });
        let selected = active.then_some(state.method_selected);
        self.list(rows, selected, active, area)
    }

    /// Rows of `name` (and a dim note), the selection kept in view.
    fn list(
        &self,
        rows: impl Iterator<Item = (String, Option<String>)>,
        selected: Option<usize>,
        active: bool,
        area: Rect,
    ) -> Vec<Line<'static>> {
        let height = usize::from(area.height).max(1);
        let first = selected.map_or(0, |at| (at + 1).saturating_sub(height));
        let width = usize::from(area.width);
        let note = Style::default().fg(self.colours.class);
        rows.enumerate()
            .skip(first)
            .take(height)
            .map(|(at, (name, detail))| {
                let chosen = selected == Some(at);
                // A mark besides the colour: the selection shows on any terminal.
                let mark = if chosen { '›' } else { ' ' };
                let name = cut(&format!("{mark}{name}"), width);
                let room = width.saturating_sub(name.chars().count() + 2);
                let mut spans = vec![Span::raw(name)];
                if let Some(detail) = detail.filter(|_| room > 4) {
                    spans.push(Span::styled(format!("  {}", cut(&detail, room)), note));
                }
                let line = Line::from(spans);
                match (chosen, active) {
                    (true, true) => {
                        line.style(Style::default().add_modifier(TextModifiers::REVERSED))
                    }
                    (true, false) => line.style(Style::default().add_modifier(TextModifiers::BOLD)),
                    _ => line,
                }
            })
            .collect()
    }

    /// The method's source or the class definition, highlighted.
    fn source_lines(&self, state: &BrowserState) -> Vec<Line<'static>> {
        let text = match (state.method(), &state.source, &state.class) {
            (Some(_), Some(source), _) => source.source.as_str(),
            (Some(_), None, _) => return vec![self.notice("Fetching the source…")],
            (None, _, Some(class)) => class.definition.as_str(),
            (None, _, None) => return vec![],
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

/// `text` in at most `room` columns, `…` marking a cut.
fn cut(text: &str, room: usize) -> String {
    if text.chars().count() <= room {
        return text.to_string();
    }
    let kept: String = text.chars().take(room.saturating_sub(1)).collect();
    format!("{kept}…")
}

fn browser_msg(action: Action) -> Option<BrowserMsg> {
    Some(match action {
        Action::ColumnLeft => BrowserMsg::Left,
        Action::ColumnRight => BrowserMsg::Right,
        Action::EditMethod => BrowserMsg::Edit,
        Action::CloseTool => BrowserMsg::Close,
        other => BrowserMsg::Move(scroll_step(other)?),
    })
}

impl AppComponent<Msg, NoUserEvent> for Browser {
    fn on(&mut self, event: &Event<NoUserEvent>) -> Option<Msg> {
        let Event::Keyboard(key) = event else {
            return None;
        };
        let Some(action) = self.keymap.lookup(Context::Browser, key) else {
            // Letters (and digits) typed jump in the class list.
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
        if let Some(msg) = action_msg(&self.component.model.borrow(), action, key) {
            return Some(msg);
        }
        match browser_msg(action) {
            Some(msg) => Some(Msg::Browser(msg)),
            None => app_msg(action),
        }
    }
}
