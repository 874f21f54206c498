//! The inspector pane: the breadcrumb in its title, the object's print and
//! class, then its named fields and indexed elements, one a row with its
//! print and class (a dictionary's as `key → value`, a string as its text).

use std::sync::Arc;

use tuirealm::component::{AppComponent, Component};
use tuirealm::event::{Event, NoUserEvent};
use tuirealm::props::{Style, TextModifiers};
use tuirealm::ratatui::Frame;
use tuirealm::ratatui::layout::Rect;
use tuirealm::ratatui::text::{Line, Span};
use tuirealm::ratatui::widgets::{Block, Paragraph};

use super::{Draw, Pane, app_msg, scroll_step};
use crate::config::keymap::{Action, Context, Keymap};
use crate::config::theme::{Theme, TranscriptColors, WorkspaceColors};
use crate::protocol::InspectResult;
use crate::ui::inspector::{
    InspectFrame, InspectorMsg, Row, Tool, is_dictionary, is_text, one_line,
};
use crate::ui::{Model, Msg, SharedModel};

#[derive(Component)]
pub struct Inspector {
    component: Pane<InspectorDrawing>,
    keymap: Arc<Keymap>,
}

pub struct InspectorDrawing {
    colours: TranscriptColors,
    borders: WorkspaceColors,
}

impl Inspector {
    pub fn new(model: SharedModel, keymap: Arc<Keymap>, theme: &Theme) -> Self {
        let drawing = InspectorDrawing {
            colours: theme.transcript,
            borders: theme.workspace,
        };
        Self {
            component: Pane::new(model, drawing),
            keymap,
        }
    }
}

/// Width of the name (or index) column.
const NAME_WIDTH: usize = 14;

impl Draw for InspectorDrawing {
    fn draw(&self, model: &mut Model, frame: &mut Frame, area: Rect, focused: bool) {
        // The lower pane: a click there is read against it.
        model.view.transcript_pane = area;
        let Some(Tool::Inspector(state)) = &mut model.tool else {
            return;
        };
        let border = if focused {
            self.borders.border_focused
        } else {
            self.borders.border_unfocused
        };
        let title = format!(" Inspector · {} ", state.breadcrumb());
        let mut block = Block::bordered()
            .title(title)
            .border_style(Style::default().fg(border));
        let position = state.frame().and_then(position);
        if let Some(result) = &state.last_result {
            // Left of the position, cut to the room the borders leave.
            let taken = position.as_ref().map_or(0, |p| p.chars().count()) + 4;
            let room = usize::from(area.width).saturating_sub(taken);
            let result = Span::styled(
                format!(" {} ", cut(result, room.saturating_sub(2))),
                Style::default().fg(self.colours.value),
            );
            block = block.title_bottom(Line::from(result).left_aligned());
        }
        if let Some(position) = position {
            block = block.title_bottom(Line::from(position).right_aligned());
        }
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let Some(shown) = state.frame_mut() else {
            return;
        };
        let header = self.header(shown, inner.width);
        let height = usize::from(inner.height).saturating_sub(header.len());
        state.height = height;
        let shown = state.frame_mut().expect("a frame is shown");
        // Keep the selection in view.
        shown.scroll = shown
            .scroll
            .min(shown.selected)
            .max((shown.selected + 1).saturating_sub(height));
        let mut lines = header;
        lines.extend(self.rows(shown, height, usize::from(inner.width)));
        frame.render_widget(Paragraph::new(lines), inner);
    }
}

/// `3/120` (the selected row of those loaded, of all there are).
fn position(frame: &InspectFrame) -> Option<String> {
    let value = frame.value.as_ref()?;
    let rows = frame.rows().len();
    if rows == 0 {
        return None;
    }
    let total = if is_text(value) {
        rows as u64
    } else {
        value.fields.len() as u64 + value.size
    };
    Some(format!(" {}/{total} ", frame.selected + 1))
}

impl InspectorDrawing {
    /// The print and class, and a string's text; a line while loading.
    fn header(&self, frame: &InspectFrame, width: u16) -> Vec<Line<'static>> {
        let meta = Style::default()
            .fg(self.colours.notice)
            .add_modifier(TextModifiers::ITALIC);
        let Some(value) = &frame.value else {
            return vec![Line::styled("Inspecting…", meta)];
        };
        let class = Span::styled(
            format!("  {}", describe(value)),
            Style::default().fg(self.colours.class),
        );
        let value_style = Style::default().fg(self.colours.value);
        if is_text(value) {
            let class = Span::styled(describe(value), class.style);
            let mut lines = vec![Line::from(class)];
            let text = value
                .print
                .lines()
                .map(|line| cut(line, usize::from(width)));
            lines.extend(text.map(|line| Line::styled(line, value_style)));
            return lines;
        }
        let room = usize::from(width).saturating_sub(class.width());
        let print = Span::styled(cut(&one_line(&value.print), room), value_style);
        let mut lines = vec![Line::from(vec![print, class])];
        if frame.rows().is_empty() {
            lines.push(Line::styled("No fields and no elements.", meta));
        }
        lines
    }

    fn rows(&self, frame: &InspectFrame, height: usize, width: usize) -> Vec<Line<'static>> {
        let dictionary = frame.value.as_ref().is_some_and(is_dictionary);
        let mut lines: Vec<Line<'static>> = frame
            .rows()
            .iter()
            .enumerate()
            .skip(frame.scroll)
            .take(height)
            .map(|(at, row)| self.row(row, dictionary, width, at == frame.selected))
            .collect();
        if frame.loading && lines.len() < height && frame.value.is_some() {
            lines.push(Line::styled(
                "  loading more…",
                Style::default().fg(self.colours.notice),
            ));
        }
        lines
    }

    fn row(&self, row: &Row, dictionary: bool, width: usize, selected: bool) -> Line<'static> {
        let (name, print, class) = match row {
            Row::Field(field) => (field.name.clone(), field.print.as_str(), &field.class),
            Row::Element(element) => (
                format!("[{}]", element.index),
                element.print.as_str(),
                &element.class,
            ),
        };
        let print = match print.split_once("->").filter(|_| dictionary) {
            Some((key, value)) => format!("{key} → {value}"),
            None => first_line(print).to_string(),
        };
        let class = format!("  {class}");
        // A mark besides the colour: the selection shows on any terminal.
        let mark = if selected { '›' } else { ' ' };
        let name = format!("{mark}{name:<NAME_WIDTH$} ");
        let room = width.saturating_sub(name.chars().count() + class.chars().count());
        let mut line = Line::from(vec![
            Span::raw(name),
            Span::styled(
                format!("{:<room$}", cut(&print, room)),
                Style::default().fg(self.colours.value),
            ),
            Span::styled(class, Style::default().fg(self.colours.class)),
        ]);
        if selected {
            line = line.style(Style::default().add_modifier(TextModifiers::REVERSED));
        }
        line
    }
}

/// `OrderedCollection · 2 elements`, `Point`, `String · 5 characters`.
fn describe(value: &InspectResult) -> String {
    let plural = if value.size == 1 { "" } else { "s" };
    match value.size {
        0 => value.class.clone(),
        n if is_text(value) => format!("{} · {n} character{plural}", value.class),
        n => format!("{} · {n} element{plural}", value.class),
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}

/// `text` in at most `room` columns, `…` marking a cut.
pub(super) fn cut(text: &str, room: usize) -> String {
    if text.chars().count() <= room {
        return text.to_string();
    }
    let kept: String = text.chars().take(room.saturating_sub(1)).collect();
    format!("{kept}…")
}

fn inspector_msg(action: Action) -> Option<InspectorMsg> {
    Some(match action {
        Action::InspectField => InspectorMsg::Drill,
        Action::InspectBack => InspectorMsg::Back,
        Action::CloseTool => InspectorMsg::Close,
        Action::InspectorEvaluate => InspectorMsg::OpenPrompt,
        other => InspectorMsg::Move(scroll_step(other)?),
    })
}

impl AppComponent<Msg, NoUserEvent> for Inspector {
    fn on(&mut self, event: &Event<NoUserEvent>) -> Option<Msg> {
        let Event::Keyboard(key) = event else {
            return None;
        };
        let action = self.keymap.lookup(Context::Inspector, key)?;
        match inspector_msg(action) {
            Some(msg) => Some(Msg::Inspector(msg)),
            None => app_msg(action),
        }
    }
}
