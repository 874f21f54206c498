//! The palette overlay: a query line over the results grouped by kind
//! (Classes, Implementors, Workspaces, History, Commands), the letters that
//! matched highlighted, centred over the screen. It takes every key while open.

use std::sync::Arc;

use tuirealm::component::{AppComponent, Component};
use tuirealm::event::{Event, Key, KeyEvent, KeyModifiers, NoUserEvent};
use tuirealm::props::{Style, TextModifiers};
use tuirealm::ratatui::Frame;
use tuirealm::ratatui::layout::Rect;
use tuirealm::ratatui::text::{Line, Span};
use tuirealm::ratatui::widgets::{Block, Clear, Paragraph};

use super::help::centred;
use super::prompt_line::on_key;
use super::{Draw, Pane};
use crate::config::keymap::{Action, Context, Keymap};
use crate::config::theme::HelpColors;
use crate::ui::palette::{Palette, PaletteMsg, Row};
use crate::ui::{Model, Msg, Scroll, SharedModel};

/// The widest and the tallest the overlay gets.
const MAX_WIDTH: u16 = 100;
const MAX_HEIGHT: u16 = 32;

#[derive(Component)]
pub struct PalettePopup {
    component: Pane<PaletteDrawing>,
    keymap: Arc<Keymap>,
}

/// The help overlay's colours: another overlay.
pub struct PaletteDrawing {
    colours: HelpColors,
}

impl PalettePopup {
    pub fn new(model: SharedModel, keymap: Arc<Keymap>, colours: HelpColors) -> Self {
        Self {
            component: Pane::new(model, PaletteDrawing { colours }),
            keymap,
        }
    }
}

impl Draw for PaletteDrawing {
    fn draw(&self, model: &mut Model, frame: &mut Frame, area: Rect, _focused: bool) {
        let Some(palette) = &model.palette.open else {
            return;
        };
        let width = MAX_WIDTH.min(area.width.saturating_sub(4));
        let (mut lines, selected_line) =
            self.result_lines(palette, usize::from(width.saturating_sub(2)));
        // As tall as its lines (the query and the borders too), within the screen.
        let height = u16::try_from(lines.len() + 3).unwrap_or(u16::MAX);
        let height = height.min(MAX_HEIGHT).min(area.height.saturating_sub(2));
        let popup = centred(area, width, height);
        let connected = model.connection.is_connected();
        let hint = if connected {
            " ↑↓ · Enter opens · Tab: a whole group · Esc closes "
        } else {
            " Not connected: no classes · Esc closes "
        };
        let block = Block::bordered()
            .title(" Palette ")
            .title_bottom(hint)
            .border_style(Style::default().fg(self.colours.key));
        let inner = block.inner(popup);
        let rows = usize::from(inner.height.saturating_sub(1));
        // Keep the selected row in view.
        let scroll = selected_line.map_or(0, |line| (line + 1).saturating_sub(rows));
        lines.drain(..scroll.min(lines.len()));
        let query = Line::from(vec![
            Span::styled(
                "› ",
                Style::default()
                    .fg(self.colours.key)
                    .add_modifier(TextModifiers::BOLD),
            ),
            Span::raw(format!("{}▏", palette.query)),
        ]);
        lines.insert(0, query);
        let style = Style::default().fg(self.colours.fg).bg(self.colours.bg);
        frame.render_widget(Clear, popup);
        frame.render_widget(Paragraph::new(lines).block(block).style(style), popup);
    }
}

impl PaletteDrawing {
    /// A heading per group, its rows, and how many more it has; and which
    /// line is the selected row.
    fn result_lines(&self, palette: &Palette, width: usize) -> (Vec<Line<'static>>, Option<usize>) {
        let heading = Style::default()
            .fg(self.colours.fg)
            .add_modifier(TextModifiers::BOLD | TextModifiers::UNDERLINED);
        let more = Style::default().fg(self.colours.key);
        let mut lines = Vec::new();
        let mut selected_line = None;
        let mut at = 0;
        for group in &palette.groups {
            lines.push(Line::styled(group.kind.heading(), heading));
            for row in &group.rows {
                let selected = at == palette.selected;
                if selected {
                    selected_line = Some(lines.len());
                }
                lines.push(self.row_line(row, selected, width));
                at += 1;
            }
            let hidden = group.total - group.rows.len();
            if hidden > 0 {
                lines.push(Line::styled(format!("  … {hidden} more (Tab)"), more));
            }
        }
        if lines.is_empty() {
            lines.push(Line::raw("  Nothing matches."));
        }
        (lines, selected_line)
    }

    /// `  text … detail`, its matched letters in the key colour, cut to `width`.
    fn row_line(&self, row: &Row, selected: bool, width: usize) -> Line<'static> {
        let (fg, bg) = if selected {
            (self.colours.bg, self.colours.key)
        } else {
            (self.colours.fg, self.colours.bg)
        };
        let plain = Style::default().fg(fg).bg(bg);
        let matched = if selected {
            plain.add_modifier(TextModifiers::BOLD | TextModifiers::UNDERLINED)
        } else {
            plain.fg(self.colours.key).add_modifier(TextModifiers::BOLD)
        };
        let detail = row.detail.chars().count();
        let room = width.saturating_sub(detail + 4);
        let mut spans = vec![Span::styled("  ", plain)];
        let mut run = String::new();
        let mut run_matched = false;
        let mut shown = 0;
        for (at, c) in row.text.chars().take(room).enumerate() {
            let is_matched = row.matched.binary_search(&at).is_ok();
            if is_matched != run_matched && !run.is_empty() {
                let style = if run_matched { matched } else { plain };
                spans.push(Span::styled(std::mem::take(&mut run), style));
            }
            run_matched = is_matched;
            run.push(c);
            shown += 1;
        }
        let style = if run_matched { matched } else { plain };
        spans.push(Span::styled(run, style));
        let gap = width.saturating_sub(shown + detail + 3).max(1);
        spans.push(Span::styled(
            format!("{}{} ", " ".repeat(gap), row.detail),
            plain,
        ));
        Line::from(spans)
    }
}

impl AppComponent<Msg, NoUserEvent> for PalettePopup {
    fn on(&mut self, event: &Event<NoUserEvent>) -> Option<Msg> {
        if let Event::Paste(text) = event {
            return Some(Msg::Palette(PaletteMsg::Paste(text.clone())));
        }
        let keymap = &self.keymap;
        on_key(event, keymap, Context::Global, |key| {
            palette_key(keymap, key).map(Msg::Palette)
        })
    }
}

/// What a key does in the palette: its own key closes it again.
fn palette_key(keymap: &Keymap, key: &KeyEvent) -> Option<PaletteMsg> {
    if keymap.lookup(Context::Global, key) == Some(Action::Palette) {
        return Some(PaletteMsg::Close);
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let alt = key.modifiers.contains(KeyModifiers::ALT);
    Some(match key.code {
        Key::Esc => PaletteMsg::Close,
        Key::Enter => PaletteMsg::Accept,
        Key::Up => PaletteMsg::Move(Scroll::Up),
        Key::Down => PaletteMsg::Move(Scroll::Down),
        Key::PageUp => PaletteMsg::Move(Scroll::PageUp),
        Key::PageDown => PaletteMsg::Move(Scroll::PageDown),
        Key::Tab | Key::BackTab => PaletteMsg::ToggleGroup,
        Key::Backspace => PaletteMsg::Backspace,
        Key::Char('u') if ctrl => PaletteMsg::Clear,
        Key::Char('n') if ctrl => PaletteMsg::Move(Scroll::Down),
        Key::Char('p') if ctrl => PaletteMsg::Move(Scroll::Up),
        Key::Char(c) if !ctrl && !alt => PaletteMsg::Type(c),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: Key, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn its_own_key_closes_it_and_letters_type() {
        let keymap = Keymap::default();
        let ctrl_k = key(Key::Char('k'), KeyModifiers::CONTROL);
        assert_eq!(palette_key(&keymap, &ctrl_k), Some(PaletteMsg::Close));
        let shift_enter = key(Key::Enter, KeyModifiers::SHIFT);
        assert_eq!(palette_key(&keymap, &shift_enter), Some(PaletteMsg::Close));
        let a = key(Key::Char('a'), KeyModifiers::NONE);
        assert_eq!(palette_key(&keymap, &a), Some(PaletteMsg::Type('a')));
        let enter = key(Key::Enter, KeyModifiers::NONE);
        assert_eq!(palette_key(&keymap, &enter), Some(PaletteMsg::Accept));
        let alt_a = key(Key::Char('a'), KeyModifiers::ALT);
        assert_eq!(palette_key(&keymap, &alt_a), None);
    }
}
