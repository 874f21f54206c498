//! What the compiler says about evaluated code: a syntax error points at
//! its place (a caret under the code line in the transcript, and the
//! workspace cursor moved there when the code came from the workspace and
//! is still where it was); warnings (`undeclared variable a`) stand in the
//! transcript above the result.

use crate::net::Answer;
use crate::protocol::{ErrorCode, ErrorObject};
use crate::ui::{Model, TranscriptEntry};

/// Put the reply's warnings into the transcript.
pub(super) fn push_warnings(model: &mut Model, result: &Result<Answer, ErrorObject>) {
    let warnings = match result {
        Ok(Answer::Evaluate(value)) => &value.warnings[..],
        Err(error) => error.details.warnings.as_deref().unwrap_or_default(),
        Ok(_) => &[],
    };
    for warning in warnings {
        let notice = format!("Warning: {warning} (it is nil)");
        model.transcript.push(TranscriptEntry::Notice(notice));
    }
}

/// The 1-based line and column of a syntax error, if it has them.
pub(super) fn position(error: &ErrorObject) -> Option<(usize, usize)> {
    if error.code != ErrorCode::SyntaxError {
        return None;
    }
    let line = usize::try_from(error.line?).ok()?.max(1);
    let column = usize::try_from(error.column?).ok()?.max(1);
    Some((line, column))
}

/// Move the workspace cursor to the error in `code`, which started at
/// `start` in the workspace, if the workspace still has it there.
pub(super) fn point_at(
    model: &mut Model,
    code: &str,
    start: Option<(usize, usize)>,
    error: &ErrorObject,
) {
    let (Some((line, column)), Some(start)) = (position(error), start) else {
        return;
    };
    let editor = &mut model.view.editor;
    if !editor.holds_at(start, code) {
        return;
    }
    let row = start.0 + line - 1;
    let col = if line == 1 { start.1 } else { 0 } + column - 1;
    editor.place_cursor((row, col));
}

/// The error with the code line it is on and a caret under its column
/// added to its message (as the transcript shows it).
pub(super) fn with_caret(mut error: ErrorObject, code: &str) -> ErrorObject {
    let Some((line, column)) = position(&error) else {
        return error;
    };
    let Some(text) = code.split('\n').nth(line - 1) else {
        return error;
    };
    // Tabs stay tabs, so that both lines expand them alike.
    let pad: String = text
        .chars()
        .chain(std::iter::repeat(' '))
        .take(column - 1)
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    error.message = format!("{}\n    {}\n    {pad}^", error.message, text.trim_end());
    error
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::update::tests::connected_with;
    use crate::app::update::{Effect, update};
    use crate::net::{Answer, BridgeCommand, NetEvent};
    use crate::ui::{Msg, TranscriptEntry};
    use tuirealm::event::{Key, KeyEvent, KeyModifiers};

    fn syntax_error(line: u32, column: u32) -> ErrorObject {
        let mut error = ErrorObject::new(ErrorCode::SyntaxError, "expected ]");
        (error.line, error.column) = (Some(line), Some(column));
        error
    }

    #[test]
    fn the_caret_stands_under_the_column_of_the_line() {
        let code = "(1 to: 3) inject: 0\n\tinto: [:a :b | a + b";
        let shown = with_caret(syntax_error(2, 7), code).to_string();
        assert_eq!(
            shown,
            "Syntax error at line 2, column 7: expected ]\n    \tinto: [:a :b | a + b\n    \t     ^"
        );
        // Past the end of the line (a missing bracket at the end).
        let shown = with_caret(syntax_error(1, 6), "x := ").to_string();
        assert!(shown.ends_with("\n    x :=\n         ^"), "{shown:?}");
        let other = ErrorObject::new(ErrorCode::EvaluationError, "boom");
        assert_eq!(with_caret(other.clone(), "x"), other);
    }

    fn do_it(model: &mut Model) -> String {
        let effects = update(model, Msg::EvaluateSelection);
        effects
            .iter()
            .find_map(|effect| match effect {
                Effect::Bridge(BridgeCommand::Send(request)) => Some(request.id.clone()),
                _ => None,
            })
            .expect("a request")
    }

    fn answer(model: &mut Model, id: String, error: ErrorObject) {
        let result: Result<Answer, ErrorObject> = Err(error);
        let reply = NetEvent::Reply {
            id,
            result,
            round_trip_us: 9,
        };
        update(model, Msg::Net(reply));
    }

    #[test]
    fn a_syntax_error_moves_the_cursor_to_its_place_in_the_workspace() {
        let text = "1 + 1.\n\nx := (1 to: 3) inject: 0\n   into: [:a :b | a + b.\nx";
        let mut model = connected_with(text);
        for _ in 0..3 {
            let down = KeyEvent::new(Key::Down, KeyModifiers::NONE);
            update(&mut model, Msg::Edit(down));
        }
        let id = do_it(&mut model);
        answer(&mut model, id, syntax_error(2, 24));
        assert_eq!(model.view.editor.area.cursor(), (3, 23));
        let Some(TranscriptEntry::Error(error)) = model.transcript.last() else {
            panic!("{:?}", model.transcript);
        };
        let caret = format!("\n       into: [:a :b | a + b.\n    {}^", " ".repeat(23));
        assert!(error.message.ends_with(&caret), "{:?}", error.message);
        // On the statement's first line the column counts from where it starts.
        let mut model = connected_with("1 + 1. 3 ) 4");
        let end = KeyEvent::new(Key::End, KeyModifiers::NONE);
        update(&mut model, Msg::Edit(end));
        let id = do_it(&mut model);
        answer(&mut model, id, syntax_error(1, 3));
        assert_eq!(model.view.editor.area.cursor(), (0, 9));
    }

    #[test]
    fn an_edited_workspace_keeps_its_cursor() {
        let mut model = connected_with("3 ) 4");
        let id = do_it(&mut model);
        let typed = KeyEvent::new(Key::Char('y'), KeyModifiers::NONE);
        update(&mut model, Msg::Edit(typed));
        answer(&mut model, id, syntax_error(1, 3));
        assert_eq!(model.view.editor.area.cursor(), (0, 1));
    }

    #[test]
    fn warnings_stand_above_the_result_or_the_error() {
        let mut model = connected_with("a + b");
        let id = do_it(&mut model);
        let mut error = ErrorObject::new(ErrorCode::EvaluationError, "doesNotUnderstand: #+");
        error.details.warnings = Some(vec!["undeclared variable a".into()]);
        answer(&mut model, id, error);
        let shown: Vec<String> = model.transcript.iter().map(|e| format!("{e:?}")).collect();
        assert_eq!(shown.len(), 3, "{shown:?}");
        assert!(shown[0].starts_with("Input"), "{shown:?}");
        assert_eq!(
            model.transcript[1],
            TranscriptEntry::Notice("Warning: undeclared variable a (it is nil)".into())
        );
        assert!(shown[2].starts_with("Error"), "{shown:?}");
    }
}
