//! The inspector's evaluate line over the status line: code to run with
//! `self` bound to the object shown. It has the keys while open.

use std::sync::Arc;

use tuirealm::component::{AppComponent, Component};
use tuirealm::event::{Event, Key, KeyEvent, KeyModifiers, NoUserEvent};
use tuirealm::props::TextModifiers;
use tuirealm::ratatui::Frame;
use tuirealm::ratatui::layout::Rect;
use tuirealm::ratatui::text::{Line, Span};
use tuirealm::ratatui::widgets::{Clear, Paragraph};

use super::prompt_line::{on_key, prompt_key, prompt_style};
use super::{Draw, Pane, app_msg};
use crate::config::keymap::{Action, Context, Keymap};
use crate::config::theme::StatusBarColors;
use crate::ui::completion_site::display_width;
use crate::ui::inspector::{InspectorMsg, Tool};
use crate::ui::{Model, Msg, SharedModel};

#[derive(Component)]
pub struct InspectorPromptBar {
    component: Pane<PromptDrawing>,
    keymap: Arc<Keymap>,
}

pub struct PromptDrawing {
    colours: StatusBarColors,
}

impl InspectorPromptBar {
    pub fn new(model: SharedModel, keymap: Arc<Keymap>, colours: StatusBarColors) -> Self {
        Self {
            component: Pane::new(model, PromptDrawing { colours }),
            keymap,
        }
    }
}

/// The evaluate line's text, if the inspector shows it.
pub fn evaluate_line(model: &Model) -> Option<&str> {
    match &model.tool {
        Some(Tool::Inspector(state)) => state.prompt.as_deref(),
        _ => None,
    }
}

impl Draw for PromptDrawing {
    fn draw(&self, model: &mut Model, frame: &mut Frame, area: Rect, _focused: bool) {
        let Some(input) = evaluate_line(model) else {
            return;
        };
        let style = prompt_style(&self.colours);
        let label = " self ▸ ";
        let shift = u16::try_from(display_width(label)).unwrap_or(0);
        let text = Rect::new(
            area.x.saturating_add(shift),
            area.y,
            area.width,
            area.height,
        );
        let line = Line::from(vec![
            Span::raw(label),
            Span::raw(input.to_string()),
            // Where the next character goes.
            Span::styled(" ", style.add_modifier(TextModifiers::REVERSED)),
            Span::raw("  Enter evaluates · Esc cancels · Ctrl+U clears"),
        ]);
        frame.render_widget(Clear, area);
        frame.render_widget(Paragraph::new(line).style(style), area);
        model.view.inspector_line = text.intersection(area);
    }
}

/// Tab (or the workspace's complete key) completes the word at the line's
/// end; while the popup is open its keys are the popup's.
fn completion_key(keymap: &Keymap, key: &KeyEvent, completing: bool) -> Option<Msg> {
    let plain = key.modifiers == KeyModifiers::NONE;
    let popup_key = matches!(
        key.code,
        Key::Up | Key::Down | Key::Tab | Key::Enter | Key::Esc
    );
    if completing && plain && popup_key {
        return Some(Msg::CompletionKey(*key));
    }
    let complete = keymap.lookup(Context::Workspace, key) == Some(Action::Complete);
    (complete || (plain && key.code == Key::Tab)).then_some(Msg::Complete)
}

impl AppComponent<Msg, NoUserEvent> for InspectorPromptBar {
    fn on(&mut self, event: &Event<NoUserEvent>) -> Option<Msg> {
        let completing = self.component.model.borrow().completion.popup.is_some();
        on_key(event, &self.keymap, Context::Inspector, |key| {
            if let Some(msg) = completion_key(&self.keymap, key, completing) {
                return Some(msg);
            }
            // Browse, senders, implementors of the word at the line's end.
            if let Some(reach @ (Action::Browse | Action::Senders | Action::Implementors)) =
                self.keymap.lookup(Context::Inspector, key)
            {
                return app_msg(reach);
            }
            let prompt_key = prompt_key(key)?;
            Some(Msg::Inspector(InspectorMsg::Prompt(prompt_key)))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tab_completes_and_the_open_popup_takes_its_keys() {
        let keymap = Keymap::default();
        let plain = |code| KeyEvent::new(code, KeyModifiers::NONE);
        let ctrl_space = KeyEvent::new(Key::Char(' '), KeyModifiers::CONTROL);
        assert_eq!(
            completion_key(&keymap, &plain(Key::Tab), false),
            Some(Msg::Complete)
        );
        assert_eq!(
            completion_key(&keymap, &ctrl_space, false),
            Some(Msg::Complete)
        );
        // Closed, Enter and Esc are the line's; open, the popup's.
        assert_eq!(completion_key(&keymap, &plain(Key::Enter), false), None);
        for code in [Key::Up, Key::Down, Key::Tab, Key::Enter, Key::Esc] {
            let msg = completion_key(&keymap, &plain(code), true);
            assert_eq!(msg, Some(Msg::CompletionKey(plain(code))));
        }
        assert_eq!(completion_key(&keymap, &plain(Key::Char('x')), true), None);
    }
}
