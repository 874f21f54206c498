//! The message list pane: the senders or implementors of a selector, one
//! `Class>>selector` row per method; only the rows in view are drawn.

use std::sync::Arc;

use tuirealm::component::{AppComponent, Component};
use tuirealm::event::{Event, NoUserEvent};
use tuirealm::props::{Style, TextModifiers};
use tuirealm::ratatui::Frame;
use tuirealm::ratatui::layout::Rect;
use tuirealm::ratatui::text::Line;
use tuirealm::ratatui::widgets::{Block, Paragraph};

use super::{Draw, Pane, app_msg, scroll_step};
use crate::config::keymap::{Action, Context, Keymap};
use crate::config::theme::{Theme, TranscriptColors, WorkspaceColors};
use crate::ui::inspector::Tool;
use crate::ui::messages::{MessagesMsg, MessagesState, method_name};
use crate::ui::{Model, Msg, SharedModel};

#[derive(Component)]
pub struct MessageList {
    component: Pane<MessagesDrawing>,
    keymap: Arc<Keymap>,
}

pub struct MessagesDrawing {
    colours: TranscriptColors,
    borders: WorkspaceColors,
}

impl MessageList {
    pub fn new(model: SharedModel, keymap: Arc<Keymap>, theme: &Theme) -> Self {
        let drawing = MessagesDrawing {
            colours: theme.transcript,
            borders: theme.workspace,
        };
        Self {
            component: Pane::new(model, drawing),
            keymap,
        }
    }
}

impl Draw for MessagesDrawing {
    fn draw(&self, model: &mut Model, frame: &mut Frame, area: Rect, focused: bool) {
        model.view.transcript_pane = area;
        let Some(Tool::Messages(state)) = &mut model.tool else {
            return;
        };
        let border = if focused {
            self.borders.border_focused
        } else {
            self.borders.border_unfocused
        };
        let title = state.title();
        let hint = " Enter browses · Esc closes ";
        let block = Block::bordered()
            .title(title)
            .title_bottom(Line::from(hint).right_aligned())
            .border_style(Style::default().fg(border));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        state.height = usize::from(inner.height);
        frame.render_widget(Paragraph::new(self.rows(state, inner)), inner);
    }
}

impl MessagesDrawing {
    /// The rows in view, the selection kept in it.
    fn rows(&self, state: &MessagesState, area: Rect) -> Vec<Line<'static>> {
        let notice = |text: &str| {
            let style = Style::default()
                .fg(self.colours.notice)
                .add_modifier(TextModifiers::ITALIC);
            vec![Line::styled(text.to_string(), style)]
        };
        let Some(methods) = &state.methods else {
            return notice("Searching the image…");
        };
        if methods.is_empty() {
            return notice("None.");
        }
        let height = usize::from(area.height).max(1);
        let first = (state.selected + 1).saturating_sub(height);
        let end = (first + height).min(methods.len());
        (first..end)
            .map(|at| {
                let chosen = at == state.selected;
                // A mark besides the colour: the selection shows on any terminal.
                let mark = if chosen { '›' } else { ' ' };
                let line = Line::from(format!("{mark}{}", method_name(&methods[at])));
                if chosen {
                    line.style(Style::default().add_modifier(TextModifiers::REVERSED))
                } else {
                    line
                }
            })
            .collect()
    }
}

fn messages_msg(action: Action) -> Option<MessagesMsg> {
    Some(match action {
        Action::EditMethod => MessagesMsg::Open,
        Action::CloseTool => MessagesMsg::Close,
        other => MessagesMsg::Move(scroll_step(other)?),
    })
}

impl AppComponent<Msg, NoUserEvent> for MessageList {
    fn on(&mut self, event: &Event<NoUserEvent>) -> Option<Msg> {
        let Event::Keyboard(key) = event else {
            return None;
        };
        // The browser's keys: Up/Down, Enter, Esc.
        let action = self.keymap.lookup(Context::Browser, key)?;
        match messages_msg(action) {
            Some(msg) => Some(Msg::MessageList(msg)),
            None => app_msg(action),
        }
    }
}
