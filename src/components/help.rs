//! The help overlay: the active keymap's bindings, grouped by context, in a
//! centred popup drawn over everything. Generated from the keymap, so it
//! always tells the truth about the user's own bindings.

use std::sync::Arc;

use tuirealm::component::{AppComponent, Component};
use tuirealm::event::{Event, NoUserEvent};
use tuirealm::props::{Style, TextModifiers};
use tuirealm::ratatui::Frame;
use tuirealm::ratatui::layout::Rect;
use tuirealm::ratatui::text::{Line, Span};
use tuirealm::ratatui::widgets::{Block, Clear, Padding, Paragraph};

use super::{Draw, Pane, app_msg, scroll_step};
use crate::config::keymap::{Action, Context, Keymap, key_label, parse_key};
use crate::config::theme::HelpColors;
use crate::ui::editor_commands::EDITOR_KEYS;
use crate::ui::{Model, Msg, SharedModel};

#[derive(Component)]
pub struct Help {
    component: Pane<HelpDrawing>,
    keymap: Arc<Keymap>,
}

pub struct HelpDrawing {
    lines: Vec<Line<'static>>,
    title: String,
    colours: HelpColors,
}

impl Help {
    pub fn new(model: SharedModel, keymap: Arc<Keymap>, colours: HelpColors) -> Self {
        let drawing = HelpDrawing {
            lines: help_lines(&keymap, colours),
            title: match keymap.keys_for(Context::Help, Action::CloseHelp).first() {
                Some(key) => format!(" Keys · {} closes ", key_label(key)),
                None => " Keys ".into(),
            },
            colours,
        };
        Self {
            component: Pane::new(model, drawing),
            keymap,
        }
    }
}

/// A heading per context, then one line per action: its keys and what it does.
fn help_lines(keymap: &Keymap, colours: HelpColors) -> Vec<Line<'static>> {
    let heading = Style::default()
        .fg(colours.fg)
        .add_modifier(TextModifiers::BOLD | TextModifiers::UNDERLINED);
    let key_style = Style::default().fg(colours.key);
    let bindings = keymap.bindings();
    let mut rows: Vec<(Context, String, Action)> = Vec::new();
    for binding in &bindings {
        match rows.last_mut() {
            Some((context, keys, action))
                if *context == binding.context && *action == binding.action =>
            {
                keys.push_str(", ");
                keys.push_str(&key_label(&binding.key));
            }
            _ => rows.push((binding.context, key_label(&binding.key), binding.action)),
        }
    }
    let editor_rows: Vec<(String, &str)> = editor_keys(keymap).collect();
    let key_width = rows.iter().map(|(_, keys, _)| keys.chars().count());
    let editor_width = editor_rows.iter().map(|(keys, _)| keys.chars().count());
    let key_width = key_width.chain(editor_width).max().unwrap_or(0);
    let mut lines = Vec::new();
    for context in Context::ALL {
        let mut in_context = rows.iter().filter(|(c, ..)| *c == context).peekable();
        if in_context.peek().is_none() {
            continue;
        }
        if !lines.is_empty() {
            lines.push(Line::default());
        }
        lines.push(Line::styled(context.title(), heading));
        for (_, keys, action) in in_context {
            lines.push(Line::from(vec![
                Span::styled(format!("  {keys:<key_width$}  "), key_style),
                Span::raw(action.description()),
            ]));
        }
        if context == Context::Workspace {
            lines.push(Line::default());
            let title = "Workspace editor (keys the keymap leaves to it)";
            lines.push(Line::styled(title, heading));
            for (keys, description) in &editor_rows {
                lines.push(Line::from(vec![
                    Span::styled(format!("  {keys:<key_width$}  "), key_style),
                    Span::raw(*description),
                ]));
            }
        }
    }
    lines
}

/// The editor's own keys that no binding of the workspace takes, as labels.
fn editor_keys(keymap: &Keymap) -> impl Iterator<Item = (String, &'static str)> + '_ {
    EDITOR_KEYS.into_iter().filter_map(|(keys, description)| {
        let free: Vec<String> = keys
            .iter()
            .filter_map(|key| parse_key(key).ok())
            .filter(|key| keymap.lookup(Context::Workspace, key).is_none())
            .map(|key| key_label(&key))
            .collect();
        (!free.is_empty()).then(|| (free.join(", "), description))
    })
}

/// A rectangle of at most `width` x `height`, centred in `area`.
fn centred(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

impl Draw for HelpDrawing {
    fn draw(&self, model: &mut Model, frame: &mut Frame, area: Rect, _focused: bool) {
        if !model.help_visible {
            return;
        }
        let content_width = self.lines.iter().map(Line::width).max().unwrap_or(0);
        let width = u16::try_from(content_width + 4).unwrap_or(u16::MAX);
        let height = u16::try_from(self.lines.len() + 2).unwrap_or(u16::MAX);
        // Leave a margin so the popup reads as an overlay on the screen beneath.
        let popup = centred(
            area,
            width.min(area.width.saturating_sub(2)),
            height.min(area.height.saturating_sub(2)),
        );
        let block = Block::bordered()
            .title(self.title.clone())
            .border_style(Style::default().fg(self.colours.key))
            .padding(Padding::horizontal(1));
        let view = &mut model.view;
        view.help_height = usize::from(block.inner(popup).height);
        let max_scroll = self.lines.len().saturating_sub(view.help_height);
        view.help_scroll = view.help_scroll.min(max_scroll);
        let block = if view.help_scroll < max_scroll {
            block.title_bottom(" ↓ more ")
        } else {
            block
        };
        let style = Style::default().fg(self.colours.fg).bg(self.colours.bg);
        let visible: Vec<Line<'static>> =
            self.lines.iter().skip(view.help_scroll).cloned().collect();
        frame.render_widget(Clear, popup);
        frame.render_widget(Paragraph::new(visible).block(block).style(style), popup);
    }
}

impl AppComponent<Msg, NoUserEvent> for Help {
    fn on(&mut self, event: &Event<NoUserEvent>) -> Option<Msg> {
        let Event::Keyboard(key) = event else {
            return None;
        };
        let action = self.keymap.lookup(Context::Help, key)?;
        match scroll_step(action) {
            Some(step) => Some(Msg::ScrollHelp(step)),
            None => app_msg(action),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn editor_key_labels(keymap: &Keymap) -> Vec<String> {
        editor_keys(keymap).map(|(keys, _)| keys).collect()
    }

    #[test]
    fn the_editor_group_lists_the_keys_the_keymap_leaves_to_the_editor() {
        let labels = editor_key_labels(&Keymap::default());
        assert!(labels.contains(&"Tab".to_string()), "{labels:?}");
        assert!(labels.contains(&"Ctrl+K, Ctrl+J".to_string()), "{labels:?}");
        let mut keymap = Keymap::default();
        keymap
            .merge_toml("[workspace]\n\"ctrl-k\" = \"evaluate\"\n", "u.toml")
            .unwrap();
        let labels = editor_key_labels(&keymap);
        assert!(labels.contains(&"Ctrl+J".to_string()), "{labels:?}");
    }
}
