//! Ctrl+R's incremental search of the evaluated snippets, drawn over the
//! status line; it has the focus while it is open.

use std::sync::Arc;

use tuirealm::component::{AppComponent, Component};
use tuirealm::event::{Event, NoUserEvent};
use tuirealm::props::TextModifiers;
use tuirealm::ratatui::Frame;
use tuirealm::ratatui::layout::{Alignment, Rect};
use tuirealm::ratatui::widgets::{Clear, Paragraph};

use super::prompt_line::{LineKey, line_key, on_key, prompt_style};
use super::{Draw, Pane};
use crate::config::keymap::{Action, Context, Keymap, key_label};
use crate::config::theme::StatusBarColors;
use crate::ui::{Model, Msg, SearchKey, SharedModel};

#[derive(Component)]
pub struct HistoryPrompt {
    component: Pane<PromptDrawing>,
    keymap: Arc<Keymap>,
}

pub struct PromptDrawing {
    colours: StatusBarColors,
    /// The keys the prompt takes, shown at its right end when there is room.
    hint: String,
}

impl HistoryPrompt {
    pub fn new(model: SharedModel, keymap: Arc<Keymap>, colours: StatusBarColors) -> Self {
        let again = keymap.keys_for(Context::Workspace, Action::HistorySearch);
        let older = again
            .first()
            .map(|key| format!("{} older · ", key_label(key)))
            .unwrap_or_default();
        let hint = format!("{older}Enter takes it · Esc cancels ");
        Self {
            component: Pane::new(model, PromptDrawing { colours, hint }),
            keymap,
        }
    }
}

impl Draw for PromptDrawing {
    fn draw(&self, model: &mut Model, frame: &mut Frame, area: Rect, _focused: bool) {
        let Some(search) = &model.history_search else {
            return;
        };
        let found = search.found.map(|i| model.history.snippets[i].as_str());
        // One line: a snippet of several shows its first, marked as cut.
        let shown = match found.map(|snippet| snippet.split_once('\n')) {
            None => "no match".to_string(),
            Some(Some((first, _))) => format!("{first} …"),
            Some(None) => found.unwrap_or_default().to_string(),
        };
        let line = format!(" History search '{}': {shown}", search.query);
        let style = prompt_style(&self.colours);
        frame.render_widget(Clear, area);
        let room = usize::from(area.width);
        let fits = line.chars().count() + self.hint.chars().count() < room;
        frame.render_widget(Paragraph::new(line).style(style), area);
        if fits {
            let hint = Paragraph::new(self.hint.as_str()).alignment(Alignment::Right);
            frame.render_widget(hint.style(style.remove_modifier(TextModifiers::BOLD)), area);
        }
    }
}

impl AppComponent<Msg, NoUserEvent> for HistoryPrompt {
    fn on(&mut self, event: &Event<NoUserEvent>) -> Option<Msg> {
        on_key(event, &self.keymap, Context::Workspace, |key| {
            if self.keymap.lookup(Context::Workspace, key) == Some(Action::HistorySearch) {
                return Some(Msg::HistorySearch(SearchKey::Next));
            }
            let search_key = match line_key(key)? {
                LineKey::Accept => SearchKey::Accept,
                LineKey::Cancel => SearchKey::Cancel,
                LineKey::Backspace => SearchKey::Backspace,
                LineKey::Type(c) => SearchKey::Type(c),
            };
            Some(Msg::HistorySearch(search_key))
        })
    }
}
