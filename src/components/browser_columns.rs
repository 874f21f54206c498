//! The browser's four columns drawn: categories | classes (or the
//! hierarchy, indented) | protocols | methods. Only the rows in view are
//! made, the selection kept in view; names too long for their column end
//! in `…`.

use tuirealm::props::{Style, TextModifiers};
use tuirealm::ratatui::Frame;
use tuirealm::ratatui::layout::{Constraint, Layout, Rect};
use tuirealm::ratatui::text::Line;
use tuirealm::ratatui::widgets::{Block, Borders, Paragraph};

use super::browser::BrowserDrawing;
use crate::ui::browser::{BrowserState, Column};

/// The columns' shares of the width, left to right (the methods take the rest).
const WIDTHS: [u16; 3] = [22, 26, 20];

impl BrowserDrawing {
    /// The four columns in `area`, ruled apart.
    pub(super) fn draw_columns(&self, state: &BrowserState, frame: &mut Frame, area: Rect) {
        let [categories, classes, protocols, methods] = Layout::horizontal([
            Constraint::Percentage(WIDTHS[0]),
            Constraint::Percentage(WIDTHS[1]),
            Constraint::Percentage(WIDTHS[2]),
            Constraint::Fill(1),
        ])
        .areas(area);
        let rule = Style::default().fg(self.borders.border_unfocused);
        let columns = [
            (Column::Categories, categories),
            (Column::Classes, classes),
            (Column::Protocols, protocols),
            (Column::Methods, methods),
        ];
        for (column, area) in columns {
            let rows = if column == Column::Categories {
                area
            } else {
                let block = Block::new().borders(Borders::LEFT).border_style(rule);
                let inner = block.inner(area);
                frame.render_widget(block, area);
                inner
            };
            let lines = self.column_lines(state, column, rows);
            frame.render_widget(Paragraph::new(lines), rows);
        }
    }

    fn column_lines(&self, state: &BrowserState, column: Column, area: Rect) -> Vec<Line<'static>> {
        let waiting = match column {
            Column::Categories if state.all.is_empty() => Some("Listing classes…"),
            Column::Protocols if state.class.is_none() => Some("Describing the class…"),
            Column::Methods if state.class.is_some() && state.methods().is_empty() => {
                Some("No methods.")
            }
            _ => None,
        };
        if let Some(text) = waiting {
            return vec![self.notice(text)];
        }
        let rows = state.rows(column);
        let indent = |at: usize| match (&state.hierarchy, column) {
            (Some(depths), Column::Classes) => depths.get(at).copied().unwrap_or(0),
            _ => 0,
        };
        let names = rows
            .iter()
            .enumerate()
            .map(|(at, name)| format!("{}{name}", " ".repeat(indent(at))));
        let selected = match column {
            Column::Categories => state.category_selected,
            Column::Classes => state.class_selected,
            Column::Protocols => state.protocol_selected,
            Column::Methods => state.method_selected,
        };
        // A method is selected only in the methods column (else the
        // definition shows); the other columns always hold a selection.
        let shown = column != Column::Methods || state.column == Column::Methods;
        let active = column == state.column;
        self.list(names, shown.then_some(selected), active, area)
    }

    /// Rows of names, the selection kept in view.
    fn list(
        &self,
        names: impl Iterator<Item = String>,
        selected: Option<usize>,
        active: bool,
        area: Rect,
    ) -> Vec<Line<'static>> {
        let height = usize::from(area.height).max(1);
        let first = selected.map_or(0, |at| (at + 1).saturating_sub(height));
        let width = usize::from(area.width);
        names
            .enumerate()
            .skip(first)
            .take(height)
            .map(|(at, name)| {
                let chosen = selected == Some(at);
                // A mark besides the colour: the selection shows on any terminal.
                let mark = if chosen { '›' } else { ' ' };
                // The mark next to the name, after a hierarchy's indent.
                let bare = name.trim_start();
                let indent = &name[..name.len() - bare.len()];
                let line = Line::raw(cut(&format!("{indent}{mark}{bare}"), width));
                match (chosen, active) {
                    (true, true) => {
                        line.style(Style::default().add_modifier(TextModifiers::REVERSED))
                    }
                    (true, false) => line.style(Style::default().add_modifier(TextModifiers::BOLD)),
                    _ => line,
                }
            })
            .collect()
    }
}

/// `text` in at most `room` columns, `…` marking a cut.
pub(super) fn cut(text: &str, room: usize) -> String {
    if text.chars().count() <= room {
        return text.to_string();
    }
    let kept: String = text.chars().take(room.saturating_sub(1)).collect();
    format!("{kept}…")
}
