//! The browser's removal question: drawn on the last row of the source
//! pane, it takes y or n (Esc: n) until answered; the quit key still quits.

use tuirealm::event::{Key, KeyEvent};
use tuirealm::props::{Style, TextModifiers};
use tuirealm::ratatui::Frame;
use tuirealm::ratatui::layout::Rect;
use tuirealm::ratatui::text::Line;
use tuirealm::ratatui::widgets::{Clear, Paragraph};

use crate::config::keymap::{Action, Context, Keymap};
use crate::config::theme::TranscriptColors;
use crate::ui::browser_remove::{Removal, RemoveMsg};
use crate::ui::inspector::Tool;
use crate::ui::{Model, Msg};

/// Whether the browser asks "remove …?" and waits for y or n.
pub fn asking(model: &Model) -> bool {
    matches!(&model.tool, Some(Tool::Browser(state)) if state.removing.is_some())
}

/// The message of the browser's remove key.
pub fn action_msg(action: Action) -> Option<Msg> {
    (action == Action::RemoveSelected).then_some(Msg::BrowserRemove(RemoveMsg::Ask))
}

/// A key while the question waits: y, n or Esc; the quit key quits.
pub fn answer(keymap: &Keymap, key: &KeyEvent) -> Option<Msg> {
    if keymap.lookup(Context::Browser, key) == Some(Action::Quit) {
        return Some(Msg::Quit);
    }
    let answer = |yes| Some(Msg::BrowserRemove(RemoveMsg::Answer(yes)));
    match key.code {
        Key::Char('y' | 'Y') => answer(true),
        Key::Char('n' | 'N') | Key::Esc => answer(false),
        _ => None,
    }
}

/// The question on the last row of `area` (the source pane).
pub fn draw_question(removal: &Removal, colours: &TranscriptColors, frame: &mut Frame, area: Rect) {
    if area.height == 0 {
        return;
    }
    let row = Rect::new(area.x, area.bottom() - 1, area.width, 1);
    let bold = Style::default()
        .fg(colours.notice)
        .add_modifier(TextModifiers::BOLD);
    frame.render_widget(Clear, row);
    frame.render_widget(Paragraph::new(Line::styled(removal.question(), bold)), row);
}

#[cfg(test)]
mod tests {
    use super::*;
    use tuirealm::event::KeyModifiers;

    #[test]
    fn the_question_takes_y_n_or_esc() {
        let keymap = Keymap::default();
        let key = |code| answer(&keymap, &KeyEvent::new(code, KeyModifiers::NONE));
        let answered = |yes| Some(Msg::BrowserRemove(RemoveMsg::Answer(yes)));
        assert_eq!(key(Key::Char('y')), answered(true));
        assert_eq!(key(Key::Char('n')), answered(false));
        assert_eq!(key(Key::Esc), answered(false));
        assert_eq!(key(Key::Char('x')), None);
        assert_eq!(key(Key::Delete), None, "a second Delete is no answer");
    }

    #[test]
    fn delete_asks_to_remove_in_the_browser() {
        let keymap = Keymap::default();
        let delete = KeyEvent::new(Key::Delete, KeyModifiers::NONE);
        let action = keymap.lookup(Context::Browser, &delete).unwrap();
        assert_eq!(action, Action::RemoveSelected);
        assert_eq!(action_msg(action), Some(Msg::BrowserRemove(RemoveMsg::Ask)));
    }
}
