//! Smalltalk highlighting over the editor as the editor drew it: the editor
//! keeps drawing the text, cursor, selection and scroll, and this sets the
//! token colours of the visible cells and the background of a matching pair
//! of brackets at the cursor. Only the visible lines are lexed, starting in
//! the state the editor keeps for the top line (inside a comment?).

use ratatui_textarea::TextArea;
use tuirealm::props::{Color, Style, TextModifiers};
use tuirealm::ratatui::Frame;
use tuirealm::ratatui::buffer::Buffer;
use tuirealm::ratatui::layout::Rect;

use crate::config::theme::SyntaxColors;
use crate::ui::editor::Editor;
use crate::ui::lexer::{Class, Lexer, State};

/// Draw `editor` into `text` highlighted (the workspace, the browser's
/// source pane), scrolled to its cursor, which shows when `focused`.
pub fn render_editor(
    editor: &mut Editor,
    colours: &SyntaxColors,
    frame: &mut Frame,
    text: Rect,
    focused: bool,
) {
    let area = &mut editor.area;
    area.set_cursor_style(if focused {
        Style::default().add_modifier(TextModifiers::REVERSED)
    } else {
        Style::default()
    });
    frame.render_widget(&*area, text);
    if super::viewport::settle(area, text) {
        frame.render_widget(&*area, text);
    }
    // Drawing has scrolled the editor to the cursor: now the top line is known.
    let top = area.scroll_offset().0;
    let state = editor.line_start_state(usize::from(top));
    paint(
        &editor.area,
        state,
        colours,
        text,
        frame.buffer_mut(),
        focused,
    );
}

/// The colour of a token class; `None` keeps the text's own colour.
pub fn colour(class: Class, colours: &SyntaxColors) -> Option<Color> {
    Some(match class {
        Class::Comment => colours.comment,
        Class::String => colours.string,
        Class::Symbol => colours.symbol,
        Class::Character => colours.character,
        Class::Number => colours.number,
        Class::Keyword => colours.keyword,
        Class::UnarySelector => colours.unary,
        Class::BinarySelector => colours.binary,
        Class::PseudoVariable => colours.pseudo_variable,
        Class::BlockParameter | Class::Temporary => colours.declaration,
        Class::Assignment | Class::Return => colours.assignment,
        Class::Bar | Class::Cascade | Class::Period | Class::Bracket => colours.punctuation,
        Class::Error => colours.error,
        Class::Whitespace | Class::Identifier => return None,
    })
}

/// One visible line: the class of each char, and its brackets (char column, bracket).
struct Line {
    classes: Vec<Class>,
    brackets: Vec<(usize, char)>,
}

fn lex_line(text: &str, state: State) -> (Line, State) {
    let mut lexer = Lexer::new(text, state);
    let mut line = Line {
        classes: Vec::with_capacity(text.len()),
        brackets: Vec::new(),
    };
    for token in lexer.by_ref() {
        let token_text = &text[token.range];
        if token.class == Class::Bracket
            && let Some(bracket) = token_text.chars().last()
        {
            let column = line.classes.len() + token_text.chars().count() - 1;
            line.brackets.push((column, bracket));
        }
        line.classes
            .extend(std::iter::repeat_n(token.class, token_text.chars().count()));
    }
    (line, lexer.state())
}

/// Paint the highlighting over the editor just drawn into `inner` (its area
/// inside the border), the top visible line starting in `state`. Soft wrap is
/// off, so screen rows are text lines.
pub fn paint(
    editor: &TextArea,
    mut state: State,
    colours: &SyntaxColors,
    inner: Rect,
    buf: &mut Buffer,
    focused: bool,
) {
    let all = editor.lines();
    let (top, left) = editor.scroll_offset();
    let (top, left) = (usize::from(top), usize::from(left));
    let bottom = all.len().min(top + usize::from(inner.height));
    if top >= bottom {
        return;
    }
    let mut lines = Vec::with_capacity(bottom - top);
    for text in &all[top..bottom] {
        let (line, end) = lex_line(text, state);
        lines.push(line);
        state = end;
    }
    // Like the cursor, the matching brackets are shown only in the focused pane.
    let (row, column) = (editor.cursor().0, editor.cursor().1);
    let pair = if focused && row >= top {
        matching_pair(&lines, row - top, column)
    } else {
        [None, None]
    };
    for (y, line) in lines.iter().enumerate() {
        let row = top + y;
        // Printable ASCII is a cell a char: no need to ask the editor per cell.
        let ascii = all[row].bytes().all(|b| (b' '..=b'~').contains(&b));
        for x in 0..inner.width {
            let column = if ascii {
                left + usize::from(x)
            } else {
                editor.screen_to_data(row, left + usize::from(x)).1
            };
            let Some(&class) = line.classes.get(column) else {
                continue;
            };
            let cell = &mut buf[(inner.x + x, inner.y + y as u16)];
            if let Some(fg) = colour(class, colours) {
                cell.set_fg(fg);
            }
            if pair.contains(&Some((y, column))) {
                cell.set_bg(colours.matching_bracket);
            }
        }
    }
}

/// The bracket at the cursor (or just before it) and its partner, as (visible
/// line, char column), when both are in view.
fn matching_pair(lines: &[Line], row: usize, column: usize) -> [Option<(usize, usize)>; 2] {
    let brackets: Vec<(usize, usize, char)> = lines
        .iter()
        .enumerate()
        .flat_map(|(y, line)| line.brackets.iter().map(move |&(x, c)| (y, x, c)))
        .collect();
    let at = |x: usize| brackets.iter().position(|&(y, bx, _)| y == row && bx == x);
    let Some(index) = at(column).or_else(|| column.checked_sub(1).and_then(at)) else {
        return [None, None];
    };
    let (y, x, bracket) = brackets[index];
    let (open, close, forward) = match bracket {
        '(' => ('(', ')', true),
        '[' => ('[', ']', true),
        '{' => ('{', '}', true),
        ')' => ('(', ')', false),
        ']' => ('[', ']', false),
        _ => ('{', '}', false),
    };
    let mut depth = 0i32;
    let candidates: Box<dyn Iterator<Item = _>> = if forward {
        Box::new(brackets[index..].iter())
    } else {
        Box::new(brackets[..=index].iter().rev())
    };
    for &(other_y, other_x, c) in candidates {
        depth += if c == bracket {
            1
        } else if c == open || c == close {
            -1
        } else {
            0
        };
        if depth == 0 {
            return [Some((y, x)), Some((other_y, other_x))];
        }
    }
    [None, None]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(texts: &[&str]) -> Vec<Line> {
        let mut state = State::default();
        texts
            .iter()
            .map(|text| {
                let (line, end) = lex_line(text, state);
                state = end;
                line
            })
            .collect()
    }

    #[test]
    fn brackets_match_across_lines_and_skip_strings_and_comments() {
        let code = lines(&["#(1 [2] ')' \"(\"", "  3)"]);
        assert_eq!(
            matching_pair(&code, 0, 0),
            [None, None],
            "`#` is no bracket"
        );
        assert_eq!(matching_pair(&code, 0, 1), [Some((0, 1)), Some((1, 3))]);
        assert_eq!(matching_pair(&code, 1, 4), [Some((1, 3)), Some((0, 1))]);
        assert_eq!(matching_pair(&code, 0, 5), [Some((0, 4)), Some((0, 6))]);
    }

    #[test]
    fn an_unmatched_bracket_has_no_pair() {
        assert_eq!(matching_pair(&lines(&["(1 + 2"]), 0, 0), [None, None]);
    }

    #[test]
    fn a_comment_opened_on_an_earlier_line_colours_the_next() {
        let code = lines(&["x \"a", "b\" y"]);
        assert_eq!(code[1].classes[..2], [Class::Comment, Class::Comment]);
        assert_eq!(code[1].classes[3], Class::UnarySelector, "sent to `x`");
    }
}
