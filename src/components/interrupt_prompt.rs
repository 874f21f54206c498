//! The question Ctrl+G asks when several evaluations run, drawn over the
//! status line; it has the focus until the next key answers it.

use std::sync::Arc;

use tuirealm::component::{AppComponent, Component};
use tuirealm::event::{Event, Key, NoUserEvent};
use tuirealm::ratatui::Frame;
use tuirealm::ratatui::layout::Rect;
use tuirealm::ratatui::widgets::{Clear, Paragraph};

use super::prompt_line::{on_key, prompt_style};
use super::{Draw, Pane};
use crate::config::keymap::{Context, Keymap};
use crate::config::theme::StatusBarColors;
use crate::ui::{InterruptChoice, Model, Msg, SharedModel};

#[derive(Component)]
pub struct InterruptPrompt {
    component: Pane<PromptDrawing>,
    keymap: Arc<Keymap>,
}

pub struct PromptDrawing {
    colours: StatusBarColors,
}

impl InterruptPrompt {
    pub fn new(model: SharedModel, keymap: Arc<Keymap>, colours: StatusBarColors) -> Self {
        Self {
            component: Pane::new(model, PromptDrawing { colours }),
            keymap,
        }
    }
}

impl Draw for PromptDrawing {
    fn draw(&self, model: &mut Model, frame: &mut Frame, area: Rect, _focused: bool) {
        let running = model.running_evaluations().len();
        let question = format!(
            " Interrupt: a = all, 1..{running} = the n-th oldest, Esc = none ({running} running)"
        );
        let style = prompt_style(&self.colours);
        frame.render_widget(Clear, area);
        frame.render_widget(Paragraph::new(question).style(style), area);
    }
}

impl AppComponent<Msg, NoUserEvent> for InterruptPrompt {
    fn on(&mut self, event: &Event<NoUserEvent>) -> Option<Msg> {
        on_key(event, &self.keymap, Context::Global, |key| {
            let choice = match key.code {
                Key::Char('a' | 'A') => InterruptChoice::All,
                Key::Char(digit @ '1'..='9') => {
                    InterruptChoice::Nth(digit.to_digit(10).map_or(0, |n| n as usize))
                }
                _ => InterruptChoice::None,
            };
            Some(Msg::InterruptChosen(choice))
        })
    }
}
