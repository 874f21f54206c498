//! What the one-line prompts share: the keys that edit their line, and
//! their look over the status line.

use tuirealm::event::{Event, Key, KeyEvent, KeyModifiers, NoUserEvent};
use tuirealm::props::{Style, TextModifiers};

use crate::config::keymap::{Action, Context, Keymap};
use crate::config::theme::StatusBarColors;
use crate::ui::{Msg, PromptKey};

/// What a prompt makes of `event`: the keymap's quit key (in `context`)
/// quits, as it always must; any other key is the prompt's to `read`.
pub fn on_key(
    event: &Event<NoUserEvent>,
    keymap: &Keymap,
    context: Context,
    read: impl FnOnce(&KeyEvent) -> Option<Msg>,
) -> Option<Msg> {
    let Event::Keyboard(key) = event else {
        return None;
    };
    if keymap.lookup(context, key) == Some(Action::Quit) {
        return Some(Msg::Quit);
    }
    read(key)
}

/// A key that edits a prompt's line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKey {
    Accept,
    Cancel,
    Backspace,
    Type(char),
}

/// `key` as a prompt line reads it: Enter, Esc, Backspace, or a character
/// typed without Ctrl or Alt (those are commands).
pub fn line_key(key: &KeyEvent) -> Option<LineKey> {
    let typing = !key
        .modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
    match key.code {
        Key::Enter => Some(LineKey::Accept),
        Key::Esc => Some(LineKey::Cancel),
        Key::Backspace => Some(LineKey::Backspace),
        Key::Char(c) if typing => Some(LineKey::Type(c)),
        _ => None,
    }
}

/// `key` in a prompt whose line Ctrl+U empties (the workspace names and
/// paths, the inspector's evaluate line).
pub fn prompt_key(key: &KeyEvent) -> Option<PromptKey> {
    if key.code == Key::Char('u') && key.modifiers.contains(KeyModifiers::CONTROL) {
        return Some(PromptKey::Clear);
    }
    Some(match line_key(key)? {
        LineKey::Accept => PromptKey::Accept,
        LineKey::Cancel => PromptKey::Cancel,
        LineKey::Backspace => PromptKey::Backspace,
        LineKey::Type(c) => PromptKey::Type(c),
    })
}

/// A prompt over the status line: bold, in the colour of a state that
/// waits (connecting), so it stands out from the status it covers.
pub fn prompt_style(colours: &StatusBarColors) -> Style {
    Style::default()
        .bg(colours.bg)
        .fg(colours.connecting)
        .add_modifier(TextModifiers::BOLD)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ctrl_and_alt_characters_are_not_typed() {
        let with = |c, modifiers| line_key(&KeyEvent::new(Key::Char(c), modifiers));
        assert_eq!(with('a', KeyModifiers::NONE), Some(LineKey::Type('a')));
        assert_eq!(with('A', KeyModifiers::SHIFT), Some(LineKey::Type('A')));
        assert_eq!(with('u', KeyModifiers::CONTROL), None);
        assert_eq!(with('b', KeyModifiers::ALT), None);
        let enter = KeyEvent::new(Key::Enter, KeyModifiers::NONE);
        assert_eq!(line_key(&enter), Some(LineKey::Accept));
    }
}
