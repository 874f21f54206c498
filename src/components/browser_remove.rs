//! The browser's removal question and its "move to protocol" prompt:
//! drawn on the last row of the source pane, they take the keys until
//! answered (the question y or n, Esc: n; the prompt a line, Tab
//! completing); the quit key still quits.

use tuirealm::event::{Key, KeyEvent};
use tuirealm::props::{Style, TextModifiers};
use tuirealm::ratatui::Frame;
use tuirealm::ratatui::layout::Rect;
use tuirealm::ratatui::text::Line;
use tuirealm::ratatui::widgets::{Clear, Paragraph};

use crate::config::keymap::{Action, Context, Keymap};
use crate::config::theme::TranscriptColors;
use crate::ui::browser::BrowserState;
use crate::ui::browser_protocol::ProtocolMsg;
use crate::ui::browser_remove::RemoveMsg;
use crate::ui::inspector::Tool;
use crate::ui::{Model, Msg};

/// The line of the question or prompt that waits, if one does.
pub fn waiting_line(state: &BrowserState) -> Option<String> {
    match (&state.removing, &state.moving) {
        (Some(removal), _) => Some(removal.question()),
        (None, Some(prompt)) => Some(prompt.line()),
        (None, None) => None,
    }
}

/// What `key` means to the question or prompt that waits; `None` when
/// none does (the browser's keys then).
pub fn waiting_key(model: &Model, keymap: &Keymap, key: &KeyEvent) -> Option<Option<Msg>> {
    let Some(Tool::Browser(state)) = &model.tool else {
        return None;
    };
    if state.removing.is_some() {
        Some(answer(keymap, key))
    } else if state.moving.is_some() {
        Some(protocol_key(keymap, key))
    } else {
        None
    }
}

/// The message of the browser's remove and move keys.
pub fn action_msg(action: Action) -> Option<Msg> {
    match action {
        Action::RemoveSelected => Some(Msg::BrowserRemove(RemoveMsg::Ask)),
        Action::MoveToProtocol => Some(Msg::BrowserProtocol(ProtocolMsg::Open)),
        _ => None,
    }
}

/// A key in the protocol prompt: Tab completes, the rest edit the line.
fn protocol_key(keymap: &Keymap, key: &KeyEvent) -> Option<Msg> {
    if keymap.lookup(Context::Browser, key) == Some(Action::Quit) {
        return Some(Msg::Quit);
    }
    let msg = match key.code {
        Key::Tab => ProtocolMsg::Complete,
        _ => ProtocolMsg::Key(super::prompt_line::prompt_key(key)?),
    };
    Some(Msg::BrowserProtocol(msg))
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

/// The question or prompt on the last row of `area` (the source pane).
pub fn draw_waiting(line: String, colours: &TranscriptColors, frame: &mut Frame, area: Rect) {
    if area.height == 0 {
        return;
    }
    let row = Rect::new(area.x, area.bottom() - 1, area.width, 1);
    let bold = Style::default()
        .fg(colours.notice)
        .add_modifier(TextModifiers::BOLD);
    frame.render_widget(Clear, row);
    frame.render_widget(Paragraph::new(Line::styled(line, bold)), row);
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
    fn the_protocol_prompt_takes_a_line_and_tab_completes() {
        let keymap = Keymap::default();
        let key = |code| protocol_key(&keymap, &KeyEvent::new(code, KeyModifiers::NONE));
        let prompt = |msg| Some(Msg::BrowserProtocol(msg));
        assert_eq!(key(Key::Tab), prompt(ProtocolMsg::Complete));
        let typed = ProtocolMsg::Key(crate::ui::PromptKey::Type('a'));
        assert_eq!(key(Key::Char('a')), prompt(typed));
        let cancel = ProtocolMsg::Key(crate::ui::PromptKey::Cancel);
        assert_eq!(key(Key::Esc), prompt(cancel));
        let alt_p = KeyEvent::new(Key::Char('p'), KeyModifiers::ALT);
        let action = keymap.lookup(Context::Browser, &alt_p).unwrap();
        assert_eq!(action_msg(action), prompt(ProtocolMsg::Open));
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
