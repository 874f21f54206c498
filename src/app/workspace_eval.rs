//! Do it, Print it and Inspect it on the workspace: what to evaluate when
//! nothing is selected, and where their replies go.

use super::update::{
    Effect, evaluate_for, evaluation_reply, pair_with_its_code, save_workspace, update,
};
use crate::net::{Answer, BridgeCommand};
use crate::protocol::{ErrorObject, InspectParams, Request, RequestBody};
use crate::ui::editor::Evaluand;
use crate::ui::inspector::{INSPECT_PAGE, INSPECT_PRINT_LIMIT};
use crate::ui::{Model, Msg, Purpose, TranscriptEntry};

/// Do it (or Print it): the selection, else the statement at the cursor.
pub(super) fn evaluate_at_cursor(model: &mut Model, print: bool) -> Vec<Effect> {
    if !print {
        super::lower_pane::raise_transcript(model);
    }
    let Some(Evaluand { code, start, end }) = model.view.editor.code_to_evaluate() else {
        model.transcript.push(TranscriptEntry::Notice(
            "Nothing to evaluate: the cursor is on a blank line.".into(),
        ));
        return vec![];
    };
    let purpose = if print {
        Purpose::PrintIt {
            code: code.clone(),
            start,
            at: end,
            text: model.view.editor.text(),
        }
    } else {
        Purpose::Evaluation {
            code: code.clone(),
            start: Some(start),
        }
    };
    let mut effects = vec![save_workspace(model)];
    effects.extend(evaluate_for(model, code, purpose));
    effects
}

/// Print it's reply: the value goes into the transcript as Do it's does,
/// and after the code.
/// `(start, at)`: where the code starts and ends in the workspace.
pub(super) fn print_it_reply(
    model: &mut Model,
    code: String,
    (start, at): ((usize, usize), (usize, usize)),
    text: &str,
    result: Result<Answer, ErrorObject>,
) {
    if let Ok(Answer::Evaluate(value)) = &result {
        let cut = if value.truncated {
            "… (cut: m in the transcript saves it whole)"
        } else {
            ""
        };
        print_it(model, &format!("{}{cut}", value.print), at, text);
    } else {
        super::lower_pane::raise_transcript(model);
    }
    evaluation_reply(model, code, Some(start), result);
}

/// ` "print"` after the code, selected so that Backspace takes it away. Inserted only
/// when the workspace is as it was at sending: after an edit the remembered
/// place may be inside other code, so the value is in the transcript only.
fn print_it(model: &mut Model, print: &str, at: (usize, usize), text: &str) {
    if model.view.editor.text() != text {
        model.transcript.push(TranscriptEntry::Notice(
            "The workspace changed while Print it ran: its value is in the transcript only.".into(),
        ));
        return;
    }
    let comment = format!(" \"{}\"", print.replace('"', "\"\""));
    model.view.editor.insert_selected(at, &comment);
}

/// Inspect it: the server evaluates the code and describes the value.
pub(super) fn inspect_at_cursor(model: &mut Model) -> Vec<Effect> {
    // Its error shows in the transcript; its value opens the inspector.
    super::lower_pane::raise_transcript(model);
    // A blank line and no connection are told as Do it tells them.
    let Some(Evaluand { code, .. }) = model.view.editor.code_to_evaluate() else {
        return evaluate_at_cursor(model, false);
    };
    if !model.connection.is_connected() {
        return update(model, Msg::Evaluate(code));
    }
    let id = model.next_request_id();
    let body = RequestBody::Inspect(InspectParams {
        code: Some(code.clone()),
        limit: Some(INSPECT_PAGE),
        print_limit: Some(INSPECT_PRINT_LIMIT),
        ..InspectParams::default()
    });
    model
        .transcript
        .push(TranscriptEntry::Input { code: code.clone() });
    model.send(id.clone(), Purpose::Inspection { code });
    let request = Request::new(id, model.session.clone(), body);
    vec![
        save_workspace(model),
        Effect::Bridge(BridgeCommand::Send(request)),
    ]
}

/// The inspected value under its code in the transcript, and in the
/// inspector.
pub(super) fn inspection_reply(
    model: &mut Model,
    code: String,
    result: Result<Answer, ErrorObject>,
) -> Vec<Effect> {
    let result = result.map_err(|error| super::diagnostics::with_caret(error, &code));
    pair_with_its_code(model, code);
    super::diagnostics::push_warnings(model, &result);
    let entry = match result {
        Ok(Answer::Inspect(value)) => return super::inspector::open_on_value(model, value),
        Ok(other) => {
            TranscriptEntry::Notice(format!("Inspect it was answered as {}.", other.type_name()))
        }
        Err(error) => TranscriptEntry::Error(error),
    };
    model.transcript.push(entry);
    vec![]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::update::tests::connected_with;
    use crate::net::{BridgeCommand, NetEvent};
    use crate::protocol::{EvaluateResult, Request, RequestBody};
    use tuirealm::event::{Key, KeyEvent, KeyModifiers};

    fn key(model: &mut Model, code: Key) {
        update(model, Msg::Edit(KeyEvent::new(code, KeyModifiers::NONE)));
    }

    /// The one request the effects send.
    fn sent(effects: &[Effect]) -> &Request {
        let mut requests = effects.iter().filter_map(|effect| match effect {
            Effect::Bridge(BridgeCommand::Send(request)) => Some(request),
            _ => None,
        });
        let request = requests.next().expect("a request");
        assert!(requests.next().is_none());
        request
    }

    fn code_of(request: &Request) -> &str {
        match &request.body {
            RequestBody::Evaluate(params) => &params.code,
            other => panic!("not an evaluation: {other:?}"),
        }
    }

    fn reply(model: &mut Model, id: &str, print: &str) {
        reply_cut(model, id, print, false);
    }

    fn reply_cut(model: &mut Model, id: &str, print: &str, truncated: bool) {
        let value = EvaluateResult {
            print: print.into(),
            class: "SmallInteger".into(),
            truncated,
            handle: "h1".into(),
            output: String::new(),
            output_ranges: None,
            duration_us: 35,
            warnings: Vec::new(),
        };
        let result = Ok(Answer::Evaluate(value));
        let event = NetEvent::Reply {
            id: id.into(),
            result,
            round_trip_us: 9,
        };
        update(model, Msg::Net(event));
    }

    #[test]
    fn do_it_sends_the_statement_around_the_cursor() {
        let mut model = connected_with("(1 to: 3) inject: 0\n   into: [:a :b | a + b].\n5");
        key(&mut model, Key::Down);
        let effects = update(&mut model, Msg::EvaluateSelection);
        assert_eq!(
            code_of(sent(&effects)),
            "(1 to: 3) inject: 0\n   into: [:a :b | a + b]"
        );
    }

    #[test]
    fn do_it_on_a_blank_line_says_so() {
        let mut model = connected_with("3 + 4\n\n5");
        key(&mut model, Key::Down);
        assert!(update(&mut model, Msg::EvaluateSelection).is_empty());
        assert!(matches!(
            model.transcript.last(),
            Some(TranscriptEntry::Notice(text)) if text.contains("blank line")
        ));
    }

    #[test]
    fn print_it_inserts_the_value_after_the_statement_and_selects_it() {
        let mut model = connected_with("3 + 4.\nx := 'a \"b\"'");
        let effects = update(&mut model, Msg::PrintSelection);
        let id = sent(&effects).id.clone();
        assert_eq!(code_of(sent(&effects)), "3 + 4");
        reply(&mut model, &id, "7");
        let editor = &model.view.editor;
        assert_eq!(editor.text(), "3 + 4 \"7\".\nx := 'a \"b\"'");
        assert_eq!(editor.area.selection_range(), Some(((0, 5), (0, 9))));
        assert!(matches!(
            model.transcript.last(),
            Some(TranscriptEntry::Value { .. })
        ));
        // Backspace takes it away again.
        key(&mut model, Key::Backspace);
        assert_eq!(model.view.editor.text(), "3 + 4.\nx := 'a \"b\"'");
        // Quotes in the value are doubled inside the comment.
        key(&mut model, Key::Down);
        let id = sent(&update(&mut model, Msg::PrintSelection)).id.clone();
        reply(&mut model, &id, "'a \"b\"'");
        let last = model.view.editor.text().lines().last().map(String::from);
        assert_eq!(last.as_deref(), Some("x := 'a \"b\"' \"'a \"\"b\"\"'\""));
    }

    #[test]
    fn print_it_of_a_value_the_server_cut_says_so_in_the_comment() {
        let mut model = connected_with("(1 to: 30000) asArray");
        let id = sent(&update(&mut model, Msg::PrintSelection)).id.clone();
        reply_cut(&mut model, &id, "(1 2 3 185", true);
        assert_eq!(
            model.view.editor.text(),
            "(1 to: 30000) asArray \"(1 2 3 185… (cut: m in the transcript saves it whole)\""
        );
    }

    #[test]
    fn print_it_after_an_edit_leaves_the_workspace_alone() {
        let mut model = connected_with("3 + 4");
        let id = sent(&update(&mut model, Msg::PrintSelection)).id.clone();
        key(&mut model, Key::Char('0'));
        reply(&mut model, &id, "7");
        assert_eq!(model.view.editor.text(), "03 + 4");
        let notice = model.transcript.iter().any(|entry| {
            matches!(entry, TranscriptEntry::Notice(text) if text.contains("transcript only"))
        });
        assert!(notice);
    }

    #[test]
    fn inspect_it_opens_the_inspector_and_says_what_it_inspects() {
        use crate::protocol::InspectResult;
        use crate::ui::Focus;
        use crate::ui::inspector::Tool;
        let mut model = connected_with("3 @ 4");
        let effects = update(&mut model, Msg::InspectSelection);
        let request = sent(&effects);
        let id = request.id.clone();
        match &request.body {
            RequestBody::Inspect(params) => {
                assert_eq!(params.code.as_deref(), Some("3 @ 4"));
                assert_eq!(params.limit, Some(INSPECT_PAGE));
            }
            other => panic!("not an inspect request: {other:?}"),
        }
        let value = InspectResult {
            handle: "h1".into(),
            class: "Point".into(),
            print: "3@4".into(),
            fields: vec![],
            size: 0,
            elements: vec![],
            truncated: false,
            offset: 0,
        };
        let event = NetEvent::Reply {
            id,
            result: Ok(Answer::Inspect(value.clone())),
            round_trip_us: 9,
        };
        update(&mut model, Msg::Net(event));
        assert_eq!(
            model.transcript,
            [
                TranscriptEntry::Input {
                    code: "3 @ 4".into()
                },
                TranscriptEntry::Output("3@4 (Point) · in the inspector".into()),
            ]
        );
        let Some(Tool::Inspector(state)) = &model.tool else {
            panic!("no inspector");
        };
        assert_eq!(state.frames[0].value, Some(value));
        assert_eq!(model.focus, Focus::Tool);
        assert!(model.pending.is_empty());
    }
}
