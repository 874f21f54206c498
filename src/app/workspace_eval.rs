//! Do it, Print it and Inspect it on the workspace: what to evaluate when
//! nothing is selected, and where their replies go.

use super::update::{Effect, evaluate_for, evaluation_reply, save_workspace, update};
use crate::net::Answer;
use crate::protocol::ErrorObject;
use crate::ui::editor::Evaluand;
use crate::ui::{Model, Msg, Purpose, TranscriptEntry};

/// Do it (or Print it): the selection, else the statement at the cursor.
pub(super) fn evaluate_at_cursor(model: &mut Model, print: bool) -> Vec<Effect> {
    let Some(Evaluand { code, end }) = model.view.editor.code_to_evaluate() else {
        model.transcript.push(TranscriptEntry::Notice(
            "Nothing to evaluate: the cursor is on a blank line.".into(),
        ));
        return vec![];
    };
    if !print {
        return update(model, Msg::Evaluate(code));
    }
    let purpose = Purpose::PrintIt {
        code: code.clone(),
        at: end,
        text: model.view.editor.text(),
    };
    let mut effects = vec![save_workspace(model)];
    effects.extend(evaluate_for(model, code, purpose));
    effects
}

/// Print it's reply: the value goes into the transcript as Do it's does,
/// and after the code.
pub(super) fn print_it_reply(
    model: &mut Model,
    code: String,
    at: (usize, usize),
    text: &str,
    result: Result<Answer, ErrorObject>,
) {
    if let Ok(Answer::Evaluate(value)) = &result {
        print_it(model, &value.print, at, text);
    }
    evaluation_reply(model, code, result);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::{BridgeCommand, NetEvent, ServerInfo};
    use crate::protocol::{EvaluateResult, Request, RequestBody};
    use crate::ui::Connection;
    use tuirealm::event::{Key, KeyEvent, KeyModifiers};

    fn connected(text: &str) -> Model {
        let mut model = Model::new("tcp://127.0.0.1:5555", "s1").with_workspace(text);
        let info = ServerInfo {
            server: "stui-gst 0.1.0".into(),
            dialect: "GNU Smalltalk".into(),
            dialect_version: "3.2.5".into(),
            address: "tcp://127.0.0.1:5555".into(),
            backup: 0,
            pid: 4242,
            instance: None,
        };
        model.connection = Connection::Connected {
            info,
            round_trip_us: 400,
        };
        model
    }

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
        let value = EvaluateResult {
            print: print.into(),
            class: "SmallInteger".into(),
            truncated: false,
            handle: "h1".into(),
            output: String::new(),
            output_ranges: None,
            duration_us: 35,
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
        let mut model = connected("(1 to: 3) inject: 0\n   into: [:a :b | a + b].\n5");
        key(&mut model, Key::Down);
        let effects = update(&mut model, Msg::EvaluateSelection);
        assert_eq!(
            code_of(sent(&effects)),
            "(1 to: 3) inject: 0\n   into: [:a :b | a + b]"
        );
    }

    #[test]
    fn do_it_on_a_blank_line_says_so() {
        let mut model = connected("3 + 4\n\n5");
        key(&mut model, Key::Down);
        assert!(update(&mut model, Msg::EvaluateSelection).is_empty());
        assert!(matches!(
            model.transcript.last(),
            Some(TranscriptEntry::Notice(text)) if text.contains("blank line")
        ));
    }

    #[test]
    fn print_it_inserts_the_value_after_the_statement_and_selects_it() {
        let mut model = connected("3 + 4.\nx := 'a \"b\"'");
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
    fn print_it_after_an_edit_leaves_the_workspace_alone() {
        let mut model = connected("3 + 4");
        let id = sent(&update(&mut model, Msg::PrintSelection)).id.clone();
        key(&mut model, Key::Char('0'));
        reply(&mut model, &id, "7");
        assert_eq!(model.view.editor.text(), "03 + 4");
        let notice = model.transcript.iter().any(|entry| {
            matches!(entry, TranscriptEntry::Notice(text) if text.contains("transcript only"))
        });
        assert!(notice);
    }
}
