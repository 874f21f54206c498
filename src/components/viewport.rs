//! What the workspace shows around its text: the line-number gutter, where
//! the view is (`12/340` on the border, `‹` `›` beside rows cut by a
//! horizontal scroll), and a scroll that wastes no room after a resize.

use ratatui_textarea::TextArea;
use tuirealm::props::Style;
use tuirealm::ratatui::buffer::Buffer;
use tuirealm::ratatui::layout::Rect;
use tuirealm::ratatui::text::Line;

/// Columns the line numbers of `lines` lines take, with a space after them.
pub fn gutter_width(lines: usize) -> u16 {
    u16::try_from(lines.max(1).to_string().len() + 1).unwrap_or(u16::MAX)
}

/// The cells `line` takes on screen, a tab reaching the next multiple of `tab`.
fn display_width(line: &str, tab: u8) -> usize {
    if line.bytes().all(|b| (b' '..=b'~').contains(&b)) {
        return line.len();
    }
    let tab = usize::from(tab.max(1));
    line.chars().fold(0, |column, c| match c {
        '\t' => column + tab - column % tab,
        c if c.is_control() => column,
        c => column + Line::raw(c.encode_utf8(&mut [0; 4]).to_string()).width(),
    })
}

/// The scroll the editor should have in `text` (its area as just drawn):
/// no empty rows below the end while lines are hidden above, and no
/// columns scrolled away that the visible lines do not need. Both only
/// ever shrink the scroll, so the cursor stays in view.
pub fn settled_scroll(editor: &TextArea, text: Rect) -> (usize, usize) {
    let (top, left) = editor.scroll_offset();
    let lines = editor.lines();
    let height = usize::from(text.height);
    let top = usize::from(top).min(lines.len().saturating_sub(height));
    let bottom = (top + height).min(lines.len());
    let tab = editor.tab_length();
    let widest = lines[top..bottom]
        .iter()
        .map(|line| display_width(line, tab))
        .max()
        .unwrap_or(0);
    // The cursor's column too, should a width be counted short.
    let (row, column) = (editor.cursor().0, editor.cursor().1);
    let before_cursor: String = lines[row].chars().take(column).collect();
    let needed = widest.max(display_width(&before_cursor, tab));
    // One column past the widest line, where the cursor may stand.
    let left = usize::from(left).min((needed + 1).saturating_sub(usize::from(text.width)));
    (top, left)
}

/// Scroll the editor to [`settled_scroll`]; true if that changed anything
/// (it must be drawn again).
pub fn settle(editor: &mut TextArea, text: Rect) -> bool {
    let (top, left) = editor.scroll_offset();
    let (settled_top, settled_left) = settled_scroll(editor, text);
    let back =
        |now: u16, settled: usize| -i16::try_from(usize::from(now) - settled).unwrap_or(i16::MAX);
    let (rows, cols) = (back(top, settled_top), back(left, settled_left));
    if (rows, cols) == (0, 0) {
        return false;
    }
    editor.scroll((rows, cols));
    true
}

/// Line numbers of the visible lines in `gutter`, the cursor's in `current`.
pub fn paint_gutter(editor: &TextArea, gutter: Rect, buf: &mut Buffer, styles: [Style; 2]) {
    if gutter.width == 0 {
        return;
    }
    let [other, current] = styles;
    let top = usize::from(editor.scroll_offset().0);
    let width = usize::from(gutter.width.saturating_sub(1));
    let shown = editor.lines().len().saturating_sub(top);
    for y in 0..usize::from(gutter.height).min(shown) {
        let row = top + y;
        let style = if row == editor.cursor().0 {
            current
        } else {
            other
        };
        let number = format!("{:>width$}", row + 1);
        buf.set_string(gutter.x, gutter.y + y as u16, number, style);
    }
}

/// Where the view is: `line/lines` (and the column when scrolled sideways)
/// on the bottom border of `pane`, and `‹` / `›` on the side borders beside
/// rows with text hidden to the left / right of `text`.
pub fn paint_position(editor: &TextArea, pane: Rect, text: Rect, buf: &mut Buffer, style: Style) {
    if pane.width < 2 || pane.height < 2 {
        return;
    }
    let (top, left) = editor.scroll_offset();
    let (top, left) = (usize::from(top), usize::from(left));
    let (row, column) = (editor.cursor().0, editor.cursor().1);
    let lines = editor.lines();
    let mut position = format!(" {}/{} ", row + 1, lines.len());
    if left > 0 {
        position = format!(" {}/{} · col {} ", row + 1, lines.len(), column + 1);
    }
    let width = u16::try_from(position.chars().count()).unwrap_or(u16::MAX);
    if width + 2 <= pane.width {
        let x = pane.right() - 1 - width;
        buf.set_string(x, pane.bottom() - 1, position, style);
    }
    let shown = lines.len().saturating_sub(top);
    for y in 0..usize::from(text.height).min(shown) {
        let line_width = display_width(&lines[top + y], editor.tab_length());
        let screen_row = text.y + y as u16;
        if left > 0 && line_width > 0 {
            buf.set_string(pane.x, screen_row, "‹", style);
        }
        if line_width > left + usize::from(text.width) {
            buf.set_string(pane.right() - 1, screen_row, "›", style);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui_textarea::DataCursor;
    use tuirealm::ratatui::widgets::Widget;

    fn drawn(lines: &[&str], cursor: (u16, u16), area: Rect) -> TextArea<'static> {
        let mut editor = TextArea::new(lines.iter().map(|l| l.to_string()).collect());
        editor.move_cursor(ratatui_textarea::CursorMove::Jump(cursor.0, cursor.1));
        (&editor).render(area, &mut Buffer::empty(area));
        editor
    }

    #[test]
    fn a_taller_view_shows_the_lines_above_instead_of_empty_rows() {
        let lines: Vec<String> = (0..50).map(|n| n.to_string()).collect();
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        let mut editor = drawn(&lines, (49, 0), Rect::new(0, 0, 20, 10));
        assert_eq!(editor.scroll_offset().0, 40);
        // The window grows: drawn again, the editor keeps its scroll.
        let tall = Rect::new(0, 0, 20, 30);
        (&editor).render(tall, &mut Buffer::empty(tall));
        assert_eq!(editor.scroll_offset().0, 40);
        assert!(settle(&mut editor, tall));
        assert_eq!(editor.scroll_offset().0, 20);
        assert_eq!(editor.cursor(), DataCursor(49, 0), "the cursor stays");
        assert!(!settle(&mut editor, tall));
    }

    #[test]
    fn a_wider_view_scrolls_back_what_the_lines_do_not_need() {
        let long = "x".repeat(265);
        let mut editor = drawn(&[&long, "short"], (0, 265), Rect::new(0, 0, 80, 5));
        assert_eq!(editor.scroll_offset().1, 186);
        let wide = Rect::new(0, 0, 200, 5);
        (&editor).render(wide, &mut Buffer::empty(wide));
        assert!(settle(&mut editor, wide));
        assert_eq!(editor.scroll_offset().1, 66);
        assert_eq!(editor.cursor(), DataCursor(0, 265));
        // A short line in view: nothing to settle while the cursor needs the scroll.
        let mut editor = drawn(&[&long, "short"], (0, 265), Rect::new(0, 0, 80, 5));
        assert!(!settle(&mut editor, Rect::new(0, 0, 80, 5)));
    }

    /// The rows of a 22x5 pane's border once the position of `lines` (the
    /// cursor at `cursor`, the text inside the border) is painted on it.
    fn border_rows(lines: &[&str], cursor: (u16, u16)) -> Vec<String> {
        let text = Rect::new(1, 1, 20, 3);
        let editor = drawn(lines, cursor, text);
        let pane = Rect::new(0, 0, 22, 5);
        let mut buf = Buffer::empty(pane);
        paint_position(&editor, pane, text, &mut buf, Style::default());
        let row = |y: u16| -> String { (0..22).map(|x| buf[(x, y)].symbol()).collect() };
        (0..5).map(row).collect()
    }

    #[test]
    fn the_border_says_where_the_view_is_and_which_rows_are_cut() {
        let long = "x".repeat(100);
        let rows = border_rows(&["ab", &long, ""], (1, 100));
        assert_eq!(rows[4].trim(), "2/3 · col 101");
        assert!(rows[1].starts_with('‹'), "{}", rows[1]);
        assert!(rows[2].starts_with('‹'));
        assert!(!rows[3].starts_with('‹'), "an empty line hides nothing");
        let rows = border_rows(&["ab", &long], (0, 0));
        assert!(rows[2].ends_with('›'), "{}", rows[2]);
        assert_eq!(rows[4].trim(), "1/2");
    }

    #[test]
    fn tabs_and_wide_characters_count_the_cells_they_take() {
        assert_eq!(display_width("a\tb", 4), 5);
        assert_eq!(display_width("\t\t", 4), 8);
        assert_eq!(display_width("日本", 4), 4);
        let tabs = "\t".repeat(30);
        let mut editor = drawn(&[&tabs], (0, 30), Rect::new(0, 0, 40, 3));
        assert_eq!(editor.scroll_offset().1, 81);
        assert!(
            !settle(&mut editor, Rect::new(0, 0, 40, 3)),
            "the cursor needs it"
        );
    }

    #[test]
    fn the_gutter_is_as_wide_as_the_last_line_number() {
        assert_eq!(gutter_width(1), 2);
        assert_eq!(gutter_width(340), 4);
    }
}
