//! The help overlay: the active keymap's bindings, grouped by context, in a
//! centred popup drawn over everything. Generated from the keymap, so it
//! always tells the truth about the user's own bindings. `/` filters it;
//! long descriptions wrap under themselves.

use std::sync::Arc;

use tuirealm::component::{AppComponent, Component};
use tuirealm::event::{Event, Key, NoUserEvent};
use tuirealm::props::{Style, TextModifiers};
use tuirealm::ratatui::Frame;
use tuirealm::ratatui::layout::Rect;
use tuirealm::ratatui::text::{Line, Span};
use tuirealm::ratatui::widgets::{Block, Clear, Padding, Paragraph};

use super::transcript::prompt_key;
use super::{Draw, Pane, app_msg, scroll_step};
use crate::config::keymap::{Action, Context, Keymap, key_label};
use crate::config::theme::HelpColors;
use crate::ui::help_filter::HelpFilter;
use crate::ui::transcript_view::wrap;
use crate::ui::{Model, Msg, SearchStep, SharedModel};

#[derive(Component)]
pub struct Help {
    component: Pane<HelpDrawing>,
    keymap: Arc<Keymap>,
}

pub struct HelpDrawing {
    rows: Vec<HelpRow>,
    /// Width of the keys column: the widest keys of any row.
    key_width: usize,
    title: String,
    colours: HelpColors,
}

/// One action of one context: its keys and what it does.
struct HelpRow {
    context: Context,
    keys: String,
    description: &'static str,
}

impl Help {
    pub fn new(model: SharedModel, keymap: Arc<Keymap>, colours: HelpColors) -> Self {
        let label = |action| {
            let keys = keymap.keys_for(Context::Help, action);
            keys.first().map(key_label)
        };
        let mut title = String::from(" Keys ");
        if let Some(key) = label(Action::CloseHelp) {
            title.push_str(&format!("· {key} closes "));
        }
        if let Some(key) = label(Action::FilterHelp) {
            title.push_str(&format!("· {key} filters "));
        }
        let rows = help_rows(&keymap);
        let drawing = HelpDrawing {
            key_width: rows
                .iter()
                .map(|row| row.keys.chars().count())
                .max()
                .unwrap_or(0),
            rows,
            title,
            colours,
        };
        Self {
            component: Pane::new(model, drawing),
            keymap,
        }
    }
}

/// One row per action and context, its keys joined, in the order of
/// `Context::ALL`.
fn help_rows(keymap: &Keymap) -> Vec<HelpRow> {
    let mut rows: Vec<HelpRow> = Vec::new();
    for binding in keymap.bindings() {
        match rows.last_mut() {
            Some(row)
                if row.context == binding.context
                    && row.description == binding.action.description() =>
            {
                row.keys.push_str(", ");
                row.keys.push_str(&key_label(&binding.key));
            }
            _ => rows.push(HelpRow {
                context: binding.context,
                keys: key_label(&binding.key),
                description: binding.action.description(),
            }),
        }
    }
    rows.sort_by_key(|row| Context::ALL.iter().position(|c| *c == row.context));
    rows
}

impl HelpDrawing {
    /// A heading per context with rows the filter shows, then those rows:
    /// keys, and the description wrapped to `width` under itself.
    fn lines(&self, filter: Option<&HelpFilter>, width: usize) -> Vec<Line<'static>> {
        let heading = Style::default()
            .fg(self.colours.fg)
            .add_modifier(TextModifiers::BOLD | TextModifiers::UNDERLINED);
        let key_style = Style::default().fg(self.colours.key);
        let key_width = self.key_width;
        let indent = key_width + 4;
        let room = width.saturating_sub(indent).max(12);
        let mut lines = Vec::new();
        for context in Context::ALL {
            let shown = |row: &&HelpRow| {
                row.context == context
                    && filter.is_none_or(|f| f.shows(&format!("{} {}", row.keys, row.description)))
            };
            let mut in_context = self.rows.iter().filter(shown).peekable();
            if in_context.peek().is_none() {
                continue;
            }
            if !lines.is_empty() {
                lines.push(Line::default());
            }
            lines.push(Line::styled(context.title(), heading));
            for row in in_context {
                let description = wrap(Line::raw(row.description), room);
                for (n, part) in description.into_iter().enumerate() {
                    let keys = if n == 0 { row.keys.as_str() } else { "" };
                    let mut line =
                        Line::from(Span::styled(format!("  {keys:<key_width$}  "), key_style));
                    line.extend(part.spans);
                    lines.push(line);
                }
            }
        }
        if lines.is_empty() {
            lines.push(Line::raw("No key matches."));
        }
        lines
    }

    /// The widest row unwrapped, borders and padding included.
    fn natural_width(&self) -> usize {
        let widest = self.rows.iter().map(|row| row.description.chars().count());
        self.key_width + 4 + widest.max().unwrap_or(0) + 4
    }
}

/// The filter in the bottom border: its text and how many keys it shows.
fn filter_line(filter: &HelpFilter) -> String {
    let cursor = if filter.editing { "▏" } else { "" };
    format!(" /{}{cursor} · Esc clears ", filter.query)
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
        let width = u16::try_from(self.natural_width()).unwrap_or(u16::MAX);
        let width = width.min(area.width.saturating_sub(2));
        let view = &mut model.view;
        let lines = self.lines(
            view.help_filter.as_ref(),
            usize::from(width.saturating_sub(4)),
        );
        let height = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
        // Leave a margin so the popup reads as an overlay on the screen beneath.
        let popup = centred(area, width, height.min(area.height.saturating_sub(2)));
        let block = Block::bordered()
            .title(self.title.clone())
            .border_style(Style::default().fg(self.colours.key))
            .padding(Padding::horizontal(1));
        view.help_height = usize::from(block.inner(popup).height);
        let max_scroll = lines.len().saturating_sub(view.help_height);
        view.help_scroll = view.help_scroll.min(max_scroll);
        let block = match (&view.help_filter, view.help_scroll < max_scroll) {
            (Some(filter), _) => block.title_bottom(filter_line(filter)),
            (None, true) => block.title_bottom(" ↓ more "),
            (None, false) => block,
        };
        let style = Style::default().fg(self.colours.fg).bg(self.colours.bg);
        let visible: Vec<Line<'static>> = lines.into_iter().skip(view.help_scroll).collect();
        frame.render_widget(Clear, popup);
        frame.render_widget(Paragraph::new(visible).block(block).style(style), popup);
    }
}

impl AppComponent<Msg, NoUserEvent> for Help {
    fn on(&mut self, event: &Event<NoUserEvent>) -> Option<Msg> {
        let Event::Keyboard(key) = event else {
            return None;
        };
        let filter = self.component.model.borrow().view.help_filter.clone();
        match &filter {
            Some(filter) if filter.editing => {
                if let Some(step) = prompt_key(key) {
                    return Some(Msg::SearchHelp(step));
                }
            }
            // Esc clears the filter before it closes the help.
            Some(_) if key.code == Key::Esc => return Some(Msg::SearchHelp(SearchStep::Close)),
            _ => {}
        }
        let action = self.keymap.lookup(Context::Help, key)?;
        if action == Action::FilterHelp {
            return Some(Msg::SearchHelp(SearchStep::Open));
        }
        match scroll_step(action) {
            Some(step) => Some(Msg::ScrollHelp(step)),
            None => app_msg(action),
        }
    }
}
