//! The prompt over the status line that asks what to browse, or whose
//! senders or implementors to list, where nothing sure is under the
//! cursor: "Senders of: printString", prefilled with a guess. It has the
//! keys while open.

use std::sync::Arc;

use tuirealm::component::{AppComponent, Component};
use tuirealm::event::{Event, NoUserEvent};
use tuirealm::props::TextModifiers;
use tuirealm::ratatui::Frame;
use tuirealm::ratatui::layout::Rect;
use tuirealm::ratatui::text::{Line, Span};
use tuirealm::ratatui::widgets::{Clear, Paragraph};

use super::prompt_line::{on_key, prompt_key, prompt_style};
use super::{Draw, Pane};
use crate::config::keymap::{Context, Keymap};
use crate::config::theme::StatusBarColors;
use crate::ui::{Model, Msg, SharedModel};

#[derive(Component)]
pub struct ReachPromptBar {
    component: Pane<PromptDrawing>,
    keymap: Arc<Keymap>,
}

pub struct PromptDrawing {
    colours: StatusBarColors,
}

impl ReachPromptBar {
    pub fn new(model: SharedModel, keymap: Arc<Keymap>, colours: StatusBarColors) -> Self {
        Self {
            component: Pane::new(model, PromptDrawing { colours }),
            keymap,
        }
    }
}

impl Draw for PromptDrawing {
    fn draw(&self, model: &mut Model, frame: &mut Frame, area: Rect, _focused: bool) {
        let Some(prompt) = &model.reach_prompt else {
            return;
        };
        let style = prompt_style(&self.colours);
        let line = Line::from(vec![
            Span::raw(format!(" {}", prompt.reach.question())),
            Span::raw(prompt.input.clone()),
            // Where the next character goes.
            Span::styled(" ", style.add_modifier(TextModifiers::REVERSED)),
            Span::raw("  Enter · Esc cancels · Ctrl+U clears"),
        ]);
        frame.render_widget(Clear, area);
        frame.render_widget(Paragraph::new(line).style(style), area);
    }
}

impl AppComponent<Msg, NoUserEvent> for ReachPromptBar {
    fn on(&mut self, event: &Event<NoUserEvent>) -> Option<Msg> {
        on_key(event, &self.keymap, Context::Global, |key| {
            prompt_key(key).map(Msg::ReachPrompt)
        })
    }
}
