//! The workspaces' one-line prompt over the status line: a new name, a file
//! to open or to save to, or "close it? (y/n)". It has the focus while open.

use std::sync::Arc;

use tuirealm::component::{AppComponent, Component};
use tuirealm::event::{Event, NoUserEvent};
use tuirealm::props::{Style, TextModifiers};
use tuirealm::ratatui::Frame;
use tuirealm::ratatui::layout::Rect;
use tuirealm::ratatui::text::{Line, Span};
use tuirealm::ratatui::widgets::{Clear, Paragraph};

use super::prompt_line::{on_key, prompt_key, prompt_style};
use super::{Draw, Pane};
use crate::config::keymap::{Context, Keymap};
use crate::config::theme::StatusBarColors;
use crate::ui::{Model, Msg, PromptKind, SharedModel, WorkspaceMsg};

#[derive(Component)]
pub struct WorkspacePromptBar {
    component: Pane<PromptDrawing>,
    keymap: Arc<Keymap>,
}

pub struct PromptDrawing {
    colours: StatusBarColors,
}

impl WorkspacePromptBar {
    pub fn new(model: SharedModel, keymap: Arc<Keymap>, colours: StatusBarColors) -> Self {
        Self {
            component: Pane::new(model, PromptDrawing { colours }),
            keymap,
        }
    }
}

impl Draw for PromptDrawing {
    fn draw(&self, model: &mut Model, frame: &mut Frame, area: Rect, _focused: bool) {
        let Some(prompt) = &model.workspaces.prompt else {
            return;
        };
        let tab = model.workspaces.active_tab();
        let name = &tab.name;
        let question = match prompt.kind {
            PromptKind::Rename => format!(" Rename workspace {name} to: "),
            PromptKind::Open => " Open file: ".to_string(),
            PromptKind::SaveAs => format!(" Save workspace {name} to file: "),
            PromptKind::ConfirmClose => match &tab.file {
                Some(file) => format!(
                    " Close workspace {name}? Its copy is deleted, {} stays. (y/n) ",
                    file.display()
                ),
                None => format!(" Close workspace {name} and delete its text? (y/n) "),
            },
        };
        let style = prompt_style(&self.colours);
        let mut line = Line::from(vec![Span::raw(question)]);
        if prompt.kind != PromptKind::ConfirmClose {
            line.push_span(Span::raw(prompt.input.clone()));
            // Where the next character goes.
            line.push_span(Span::styled(
                " ",
                style.add_modifier(TextModifiers::REVERSED),
            ));
            line.push_span(Span::raw("  Enter · Esc cancels · Ctrl+U clears"));
        }
        if let Some(error) = &prompt.error {
            let error_style = Style::default().fg(self.colours.down);
            line.push_span(Span::styled(format!("  {error}"), error_style));
        }
        frame.render_widget(Clear, area);
        frame.render_widget(Paragraph::new(line).style(style), area);
    }
}

impl AppComponent<Msg, NoUserEvent> for WorkspacePromptBar {
    fn on(&mut self, event: &Event<NoUserEvent>) -> Option<Msg> {
        on_key(event, &self.keymap, Context::Workspace, |key| {
            let prompt_key = prompt_key(key)?;
            Some(Msg::Workspaces(WorkspaceMsg::Prompt(prompt_key)))
        })
    }
}
