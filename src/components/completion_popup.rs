//! The completion popup: candidates under the word being completed (above
//! it when there is no room below) in the editor or line that has the
//! focus, drawn over the panes. It never takes the focus: the editor
//! passes it the keys through `update`.

use tuirealm::component::{AppComponent, Component};
use tuirealm::event::{Event, NoUserEvent};
use tuirealm::props::{Color, Style};
use tuirealm::ratatui::Frame;
use tuirealm::ratatui::layout::Rect;
use tuirealm::ratatui::text::{Line, Span};
use tuirealm::ratatui::widgets::{Block, Clear, Paragraph};

use super::{Draw, Pane};
use crate::config::theme::Theme;
use crate::protocol::CandidateKind;
use crate::ui::completion::{POPUP_ROWS, Popup};
use crate::ui::completion_site::{Site, display_width};
use crate::ui::inspector::Tool;
use crate::ui::{Model, Msg, SharedModel};

#[derive(Component)]
pub struct CompletionPopup {
    component: Pane<PopupDrawing>,
}

/// The popup borrows the help overlay's colours (another overlay): text and
/// background, the key colour behind the selected entry, and the
/// transcript's class colour for the kinds.
pub struct PopupDrawing {
    fg: Color,
    bg: Color,
    selected: Color,
    kind: Color,
    border: Color,
}

impl CompletionPopup {
    pub fn new(model: SharedModel, theme: &Theme) -> Self {
        let drawing = PopupDrawing {
            fg: theme.help.fg,
            bg: theme.help.bg,
            selected: theme.help.key,
            kind: theme.transcript.class,
            border: theme.workspace.border_focused,
        };
        Self {
            component: Pane::new(model, drawing),
        }
    }
}

impl Draw for PopupDrawing {
    /// `area`: the whole screen, which the popup stays within.
    fn draw(&self, model: &mut Model, frame: &mut Frame, area: Rect, _focused: bool) {
        let Some(popup) = &model.completion.popup else {
            return;
        };
        let Some(word) = word_cell(model, popup) else {
            return;
        };
        let rect = place(popup, word, area);
        frame.render_widget(Clear, rect);
        let shown = popup.shown.len();
        let mut block = Block::bordered()
            .border_style(Style::default().fg(self.border))
            .style(Style::default().fg(self.fg).bg(self.bg));
        if shown > POPUP_ROWS {
            let position = format!(" {}/{shown} ", popup.selected + 1);
            block = block.title_bottom(Line::from(position).right_aligned());
        }
        let inner = usize::from(rect.width.saturating_sub(2));
        let lines: Vec<Line> = (popup.scroll..shown.min(popup.scroll + POPUP_ROWS))
            .map(|at| self.entry(popup, at, inner))
            .collect();
        frame.render_widget(Paragraph::new(lines).block(block), rect);
    }
}

impl PopupDrawing {
    /// One candidate, its kind at the right; the selected one highlighted.
    fn entry(&self, popup: &Popup, at: usize, width: usize) -> Line<'static> {
        let candidate = &popup.shown[at];
        let kind = kind_label(&candidate.kind);
        let gap = width
            .saturating_sub(display_width(&candidate.text) + kind.chars().count() + 2)
            .max(1);
        let (fg, bg, kind_fg) = if at == popup.selected {
            (self.bg, self.selected, self.bg)
        } else {
            (self.fg, self.bg, self.kind)
        };
        Line::from(vec![
            Span::styled(
                format!(" {}{}", candidate.text, " ".repeat(gap)),
                Style::default().fg(fg).bg(bg),
            ),
            Span::styled(format!("{kind} "), Style::default().fg(kind_fg).bg(bg)),
        ])
    }
}

/// The screen cell where the completed word starts, in the editor (or
/// line) that has the focus: its display columns, so that wide characters
/// and tabs before the word count as drawn.
fn word_cell(model: &Model, popup: &Popup) -> Option<(u16, u16)> {
    let site = Site::focused(model)?;
    let Some(editor) = site.editor(model) else {
        let line = model.view.inspector_line;
        let before: String = site.line(model)?.chars().take(popup.start.1).collect();
        let x = usize::from(line.x) + display_width(&before);
        return Some((u16::try_from(x).ok()?, line.y));
    };
    let text = match (site, &model.tool) {
        (Site::BrowserEdit, Some(Tool::Browser(state))) => state.source_area,
        _ => model.view.workspace_text,
    };
    let area = &editor.area;
    let (top, left) = area.scroll_offset();
    let (row, col) = (area.cursor().0, area.cursor().1);
    // The word has no tab: the cursor's display column less its width.
    let word: String = area.lines()[row]
        .chars()
        .take(col)
        .skip(popup.start.1)
        .collect();
    let start = area
        .screen_cursor()
        .col
        .saturating_sub(display_width(&word));
    let x = usize::from(text.x) + start.saturating_sub(usize::from(left));
    let y = usize::from(text.y) + row.saturating_sub(usize::from(top));
    Some((u16::try_from(x).ok()?, u16::try_from(y).ok()?))
}

fn kind_label(kind: &CandidateKind) -> &str {
    match kind {
        CandidateKind::Selector => "selector",
        CandidateKind::Class => "class",
        CandidateKind::Variable => "variable",
        CandidateKind::Keyword => "keyword",
        CandidateKind::Other(other) => other,
    }
}

/// The popup's rectangle: under the word starting at `word`, or above it
/// when there is no room below, moved and cut to fit `screen`.
fn place(popup: &Popup, word: (u16, u16), screen: Rect) -> Rect {
    let widest = popup
        .shown
        .iter()
        .map(|c| display_width(&c.text) + kind_label(&c.kind).chars().count() + 3)
        .max()
        .unwrap_or(0);
    let width = ((widest + 2) as u16).min(screen.width);
    let height = ((popup.shown.len().min(POPUP_ROWS) + 2) as u16).min(screen.height);
    let below = word.1.saturating_add(1);
    let y = if below.saturating_add(height) <= screen.bottom() {
        below
    } else if word.1.saturating_sub(screen.y) >= height {
        word.1 - height
    } else {
        screen.bottom().saturating_sub(height)
    };
    // The entries' text lines up with the word (past the border and a space).
    let x = word
        .0
        .saturating_sub(2)
        .max(screen.x)
        .min(screen.right().saturating_sub(width));
    Rect::new(x, y, width, height)
}

impl AppComponent<Msg, NoUserEvent> for CompletionPopup {
    fn on(&mut self, _event: &Event<NoUserEvent>) -> Option<Msg> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Candidate;

    fn popup(count: usize) -> Popup {
        let candidate = Candidate {
            text: "printString".into(),
            kind: CandidateKind::Selector,
        };
        Popup {
            start: (0, 0),
            offered: vec![],
            asked: "pr".into(),
            shown: vec![candidate; count],
            selected: 0,
            scroll: 0,
        }
    }

    #[test]
    fn the_popup_goes_below_the_word_or_above_it_and_stays_on_screen() {
        let screen = Rect::new(0, 0, 80, 24);
        // Under the word, the text lined up with it.
        assert_eq!(place(&popup(3), (10, 5), screen), Rect::new(8, 6, 24, 5));
        // No room below: above.
        assert_eq!(
            place(&popup(12), (10, 20), screen),
            Rect::new(8, 10, 24, 10)
        );
        // At the right edge: moved left to fit.
        assert_eq!(place(&popup(1), (75, 2), screen).x, 56);
        // A screen too small for either: cut to it.
        let tiny = Rect::new(0, 0, 20, 4);
        assert_eq!(place(&popup(5), (0, 1), tiny), Rect::new(0, 0, 20, 4));
    }
}
