//! The class browser's source pane while it edits: the editor drawn as the
//! workspace's (highlighted, same editor keys), an error with a caret
//! under its place below the text, and the component that has the keys
//! meanwhile (Ctrl+S or Alt+A accepts, Esc leaves, asking first when the
//! text was changed).

use std::sync::Arc;

use tuirealm::component::{AppComponent, Component};
use tuirealm::event::{Event, Key, KeyEvent, NoUserEvent};
use tuirealm::props::{Style, TextModifiers};
use tuirealm::ratatui::Frame;
use tuirealm::ratatui::layout::{Constraint, Layout, Rect};
use tuirealm::ratatui::text::Line;
use tuirealm::ratatui::widgets::Paragraph;

use super::{Draw, Pane, app_msg, highlight};
use crate::config::keymap::{Action, Context, Keymap, key_label};
use crate::config::theme::{SyntaxColors, Theme, TranscriptColors};
use crate::ui::browser_edit::{BrowserEdit, EditMsg};
use crate::ui::{Focus, Model, Msg, SharedModel};

/// Whether the browser's source pane has the keys (it edits, and the
/// browser has the focus).
pub fn has_keys(model: &Model) -> bool {
    model.focus == Focus::Tool && crate::ui::browser_edit::open_edit(model).is_some()
}

/// The message of a browser key bound to an editing action (none of them
/// is a letter: letters jump in the columns).
pub fn action_msg(action: Action) -> Option<Msg> {
    let msg = match action {
        Action::NewClass => EditMsg::NewClass,
        Action::NewMethod => EditMsg::NewMethod,
        Action::EditInWorkspace => EditMsg::InWorkspace,
        // Not editing: nothing to accept (it says how to edit).
        Action::Accept => EditMsg::Accept,
        _ => return None,
    };
    Some(Msg::BrowserEdit(msg))
}

/// How the source pane draws an edit.
pub struct EditPane {
    syntax: SyntaxColors,
    colours: TranscriptColors,
    /// `Ctrl+S accepts · Esc cancels`, from the keymap.
    hint: String,
}

impl EditPane {
    pub fn new(keymap: &Keymap, theme: &Theme) -> Self {
        let first = |action| {
            let keys = keymap.keys_for(Context::Browser, action);
            keys.first().map(key_label).unwrap_or_default()
        };
        let hint = format!(
            "{} accepts · {} cancels",
            first(Action::Accept),
            first(Action::CloseTool)
        );
        Self {
            syntax: theme.syntax,
            colours: theme.transcript,
            hint,
        }
    }

    /// The bottom border (`width` wide): what is edited, whether it
    /// changed, and the keys where there is room for them.
    pub fn title(&self, edit: &BrowserEdit, width: u16) -> String {
        let changed = if edit.modified() { " · modified" } else { "" };
        let what = format!(" Editing {}{changed} ", edit.label());
        let with_keys = format!("{what}· {} ", self.hint);
        let room = usize::from(width).saturating_sub(2);
        if with_keys.chars().count() <= room {
            with_keys
        } else {
            what
        }
    }

    /// The editor in `area`, and below it the error or the question (in a
    /// small pane only its first line: the place is marked in the text).
    pub fn draw(&self, edit: &mut BrowserEdit, frame: &mut Frame, area: Rect, focused: bool) {
        let mut below = self.below(edit);
        if below.len() >= usize::from(area.height) {
            below.truncate(1);
        }
        let rows = u16::try_from(below.len()).unwrap_or(u16::MAX);
        let [text, notes] =
            Layout::vertical([Constraint::Min(1), Constraint::Length(rows)]).areas(area);
        highlight::render_editor(&mut edit.editor, &self.syntax, frame, text, focused);
        if let Some(at) = edit.error.as_ref().and_then(|error| error.at) {
            self.mark(edit, at, frame, text);
        }
        frame.render_widget(Paragraph::new(below), notes);
    }

    /// The error (message, code line, caret), or the discard question.
    fn below(&self, edit: &BrowserEdit) -> Vec<Line<'static>> {
        let style = |colour| Style::default().fg(colour);
        if edit.asking_discard {
            let question = format!("Discard the changes to {}? (y/n)", edit.label());
            let bold = style(self.colours.notice).add_modifier(TextModifiers::BOLD);
            return vec![Line::styled(question, bold)];
        }
        let Some(error) = &edit.error else {
            return vec![];
        };
        error
            .text
            .lines()
            .map(|line| Line::styled(line.replace('\t', "    "), style(self.colours.error)))
            .collect()
    }

    /// The cell of the error's place, in the error colour, if it is in view.
    fn mark(
        &self,
        edit: &BrowserEdit,
        (row, column): (usize, usize),
        frame: &mut Frame,
        text: Rect,
    ) {
        let editor = &edit.editor.area;
        let (top, left) = editor.scroll_offset();
        let Some(line) = editor.lines().get(row) else {
            return;
        };
        let tab = usize::from(editor.tab_length().max(1));
        let shown = line.chars().take(column).fold(0, |at, c| match c {
            '\t' => at + tab - at % tab,
            _ => at + 1,
        });
        let (Some(y), Some(x)) = (
            row.checked_sub(usize::from(top)),
            shown.checked_sub(usize::from(left)),
        ) else {
            return;
        };
        if y < usize::from(text.height) && x < usize::from(text.width) {
            let at = (text.x + x as u16, text.y + y as u16);
            if let Some(cell) = frame.buffer_mut().cell_mut(at) {
                cell.set_style(Style::default().bg(self.colours.error));
            }
        }
    }
}

/// Takes the keys while the browser's source pane edits; it draws
/// nothing itself (the browser draws the pane).
#[derive(Component)]
pub struct BrowserSource {
    component: Pane<NoDrawing>,
    keymap: Arc<Keymap>,
}

pub struct NoDrawing;

impl Draw for NoDrawing {
    fn draw(&self, _model: &mut Model, _frame: &mut Frame, _area: Rect, _focused: bool) {}
}

impl BrowserSource {
    pub fn new(model: SharedModel, keymap: Arc<Keymap>) -> Self {
        Self {
            component: Pane::new(model, NoDrawing),
            keymap,
        }
    }

    fn asking_discard(&self) -> bool {
        let model = self.component.model.borrow();
        crate::ui::browser_edit::open_edit(&model).is_some_and(|e| e.asking_discard)
    }
}

/// y or n to "discard the changes?" (Esc: no); the quit key still quits.
fn answer(keymap: &Keymap, key: &KeyEvent) -> Option<Msg> {
    if keymap.lookup(Context::Browser, key) == Some(Action::Quit) {
        return Some(Msg::Quit);
    }
    match key.code {
        Key::Char('y' | 'Y') => Some(Msg::BrowserEdit(EditMsg::Discard(true))),
        Key::Char('n' | 'N') | Key::Esc => Some(Msg::BrowserEdit(EditMsg::Discard(false))),
        _ => None,
    }
}

/// A key while editing: the browser's accept and close keys, then the
/// workspace's editor keys; what the workspace alone means (evaluate,
/// browse…) does nothing here, global keys keep their meaning.
fn edit_key(keymap: &Keymap, key: &KeyEvent) -> Option<Msg> {
    let edit = |msg| Some(Msg::BrowserEdit(msg));
    match keymap.lookup(Context::Browser, key) {
        Some(Action::Accept) => return edit(EditMsg::Accept),
        Some(Action::CloseTool) => return edit(EditMsg::Cancel),
        Some(Action::EditInWorkspace) => return edit(EditMsg::InWorkspace),
        _ => {}
    }
    let Some(action) = keymap.lookup(Context::Workspace, key) else {
        return edit(EditMsg::Key(*key));
    };
    match action {
        Action::Accept => return edit(EditMsg::Accept),
        Action::Complete => return Some(Msg::Complete),
        _ => {}
    }
    if let Some(command) = super::workspace::edit_command(action) {
        return edit(EditMsg::Command(command));
    }
    let global = keymap.lookup(Context::Global, key) == Some(action);
    global.then(|| app_msg(action)).flatten()
}

impl AppComponent<Msg, NoUserEvent> for BrowserSource {
    fn on(&mut self, event: &Event<NoUserEvent>) -> Option<Msg> {
        match event {
            Event::Keyboard(key) if self.asking_discard() => answer(&self.keymap, key),
            Event::Keyboard(key) => edit_key(&self.keymap, key),
            Event::Paste(text) => Some(Msg::BrowserEdit(EditMsg::Paste(text.clone()))),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::EditCommand;
    use tuirealm::event::KeyModifiers;

    fn key(code: Key, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    fn plain(c: char) -> KeyEvent {
        key(Key::Char(c), KeyModifiers::NONE)
    }

    #[test]
    fn while_editing_keys_type_accept_or_leave() {
        let keymap = Keymap::default();
        let edit = |msg| Some(Msg::BrowserEdit(msg));
        let ctrl = |c| key(Key::Char(c), KeyModifiers::CONTROL);
        let alt_a = key(Key::Char('a'), KeyModifiers::ALT);
        assert_eq!(edit_key(&keymap, &ctrl('s')), edit(EditMsg::Accept));
        assert_eq!(edit_key(&keymap, &alt_a), edit(EditMsg::Accept));
        let esc = key(Key::Esc, KeyModifiers::NONE);
        assert_eq!(edit_key(&keymap, &esc), edit(EditMsg::Cancel));
        // The browser's own letters and arrows edit the text now.
        for typed in [plain('e'), plain('?'), key(Key::Up, KeyModifiers::NONE)] {
            assert_eq!(edit_key(&keymap, &typed), edit(EditMsg::Key(typed)));
        }
        let undo = edit(EditMsg::Command(EditCommand::Undo));
        assert_eq!(edit_key(&keymap, &ctrl('z')), undo);
        assert_eq!(
            edit_key(&keymap, &ctrl('e')),
            None,
            "evaluate is the workspace's"
        );
        let ctrl_space = key(Key::Char(' '), KeyModifiers::CONTROL);
        assert_eq!(edit_key(&keymap, &ctrl_space), Some(Msg::Complete));
        let f1 = key(Key::Function(1), KeyModifiers::NONE);
        assert_eq!(edit_key(&keymap, &f1), Some(Msg::ToggleHelp));
    }

    #[test]
    fn the_discard_question_takes_y_or_n() {
        let keymap = Keymap::default();
        let answered = |c| answer(&keymap, &plain(c));
        assert_eq!(
            answered('y'),
            Some(Msg::BrowserEdit(EditMsg::Discard(true)))
        );
        assert_eq!(
            answered('n'),
            Some(Msg::BrowserEdit(EditMsg::Discard(false)))
        );
        assert_eq!(answered('x'), None);
        let esc = key(Key::Esc, KeyModifiers::NONE);
        assert_eq!(
            answer(&keymap, &esc),
            Some(Msg::BrowserEdit(EditMsg::Discard(false)))
        );
    }

    #[test]
    fn alt_w_while_editing_moves_the_edit_into_a_workspace() {
        let alt_w = key(Key::Char('w'), KeyModifiers::ALT);
        assert_eq!(
            edit_key(&Keymap::default(), &alt_w),
            Some(Msg::BrowserEdit(EditMsg::InWorkspace))
        );
    }

    #[test]
    fn no_letter_is_bound_in_the_browser_so_every_letter_jumps() {
        let keymap = Keymap::default();
        for letter in ('a'..='z').chain('A'..='Z').chain('0'..='9') {
            let action = keymap.lookup(Context::Browser, &plain(letter));
            assert_eq!(action, None, "{letter} is bound");
        }
        let f = |n| key(Key::Function(n), KeyModifiers::NONE);
        let lookup = |event| keymap.lookup(Context::Browser, &event);
        assert_eq!(lookup(f(7)), Some(Action::NewMethod));
        assert_eq!(lookup(f(8)), Some(Action::NewClass));
        let alt_w = key(Key::Char('w'), KeyModifiers::ALT);
        assert_eq!(lookup(alt_w), Some(Action::EditInWorkspace));
        let ctrl_s = key(Key::Char('s'), KeyModifiers::CONTROL);
        assert_eq!(lookup(ctrl_s), Some(Action::Accept), "not the image's save");
        let accept = Some(Msg::BrowserEdit(EditMsg::Accept));
        assert_eq!(action_msg(Action::Accept), accept);
        assert_eq!(action_msg(Action::ColumnLeft), None);
    }
}
