//! The statement around a point of the workspace: what Do it evaluates when
//! nothing is selected. Periods end statements only outside strings,
//! comments and brackets, so the lexer finds them. Outside brackets an
//! unindented line starts a statement too: workspace lines are often typed
//! without periods, and a continued statement's lines are indented.

use std::ops::Range;

use super::lexer::{Class, tokens};

/// The byte range of the statement of `text` at byte `at`, without the
/// whitespace around it; `None` when the line of `at` is blank.
pub fn statement_at(text: &str, at: usize) -> Option<Range<usize>> {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    if text[line_start..line_end].trim().is_empty() {
        return None;
    }
    let ends = separators(text);
    let segment = |at: usize| {
        let start = ends.iter().rev().find(|r| r.end <= at).map_or(0, |r| r.end);
        let end = ends
            .iter()
            .find(|r| r.start >= at)
            .map_or(text.len(), |r| r.start);
        trimmed(text, start..end)
    };
    let here = segment(at);
    if !here.is_empty() {
        return Some(here);
    }
    // Just after a period at the end of a line: that line's statement.
    let before = ends.iter().rev().find(|r| r.end <= at)?;
    let previous = segment(before.start);
    (!previous.is_empty() && previous.end > line_start).then_some(previous)
}

/// The top-level periods, the bars of a `| temps |` declaration and the
/// line breaks before unindented lines: what separates the statements.
fn separators(text: &str) -> Vec<Range<usize>> {
    let mut depth = 0usize;
    let mut found = Vec::new();
    for token in tokens(text) {
        match token.class {
            Class::Bracket => {
                let closing = matches!(&text[token.range.clone()], ")" | "]" | "}");
                depth = if closing {
                    depth.saturating_sub(1)
                } else {
                    depth + 1
                };
            }
            Class::Period | Class::Bar if depth == 0 => found.push(token.range),
            Class::Whitespace if depth == 0 => found.extend(unindented_breaks(text, &token.range)),
            _ => {}
        }
    }
    found
}

/// The line breaks in whitespace `range` that an unindented line follows.
fn unindented_breaks<'a>(
    text: &'a str,
    range: &Range<usize>,
) -> impl Iterator<Item = Range<usize>> + 'a {
    let start = range.start;
    text[range.clone()]
        .match_indices('\n')
        .map(move |(i, _)| start + i)
        .filter(|&at| text[at + 1..].starts_with(|c: char| !c.is_whitespace()))
        .map(|at| at..at + 1)
}

fn trimmed(text: &str, range: Range<usize>) -> Range<usize> {
    let part = &text[range.clone()];
    let start = range.start + (part.len() - part.trim_start().len());
    let end = range.end - (part.len() - part.trim_end().len());
    start..end.max(start)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The statement around the `^` marking the point in `marked`.
    fn around(marked: &str) -> Option<String> {
        let at = marked.find('^').expect("a marked point");
        let text = marked.replacen('^', "", 1);
        statement_at(&text, at).map(|range| text[range].to_string())
    }

    #[test]
    fn a_statement_spans_lines_up_to_its_period() {
        let trial = "(1 to: 3) inject: 0\n   into: [:a :b ^| a + b]";
        assert_eq!(
            around(trial).as_deref(),
            Some("(1 to: 3) inject: 0\n   into: [:a :b | a + b]")
        );
        assert_eq!(
            around("x := 3.\ny ^:= x + 4.\nz").as_deref(),
            Some("y := x + 4")
        );
        assert_eq!(around("x := 3.\ny := 4.^").as_deref(), Some("y := 4"));
    }

    #[test]
    fn periods_in_strings_comments_blocks_and_literals_do_not_end_it() {
        let text = "Transcript show: 'a. b'; \"c. d\" ^cr.\nx";
        assert_eq!(
            around(text).as_deref(),
            Some("Transcript show: 'a. b'; \"c. d\" cr")
        );
        assert_eq!(
            around("[:a | a. ^a + 1] value: 2. 5").as_deref(),
            Some("[:a | a. a + 1] value: 2")
        );
        assert_eq!(
            around("#(1. 2) ^, (3. 4)").as_deref(),
            Some("#(1. 2) , (3. 4)")
        );
    }

    #[test]
    fn an_unindented_line_starts_a_statement() {
        assert_eq!(around("3 + 4\nx := 6 ^* 7").as_deref(), Some("x := 6 * 7"));
        assert_eq!(around("3 ^+ 4\nx").as_deref(), Some("3 + 4"));
        let block = "#(1 2) do: [:each |\nTranscript ^show: each]\n5";
        assert_eq!(
            around(block).as_deref(),
            Some("#(1 2) do: [:each |\nTranscript show: each]")
        );
        assert_eq!(
            around("(1 to: 3) inject: ^0\n   into: [:a :b | a + b]\n5").as_deref(),
            Some("(1 to: 3) inject: 0\n   into: [:a :b | a + b]")
        );
    }

    #[test]
    fn temporaries_at_the_top_are_not_part_of_it() {
        assert_eq!(
            around("| a b |\na := 3 ^+ 4.").as_deref(),
            Some("a := 3 + 4")
        );
        assert_eq!(around("| a | a := ^1").as_deref(), Some("a := 1"));
    }

    #[test]
    fn a_blank_line_has_no_statement() {
        assert_eq!(around("3 + 4.\n^\n5"), None);
        assert_eq!(around("^"), None);
    }
}
