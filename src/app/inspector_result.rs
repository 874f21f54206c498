//! What the inspector's evaluate line answered, kept for the inspector to
//! show: its value also goes to the transcript, which the inspector hides.

use super::inspector::inspector;
use crate::net::Answer;
use crate::protocol::ErrorObject;
use crate::ui::Model;
use crate::ui::inspector::one_line;

/// `self size → 2`, or `self foo → MessageNotUnderstood: …`, on one line.
pub(super) fn remember(model: &mut Model, code: &str, result: &Result<Answer, ErrorObject>) {
    let answered = match result {
        Ok(Answer::Evaluate(value)) => value.print.clone(),
        Ok(other) => format!("answered as {}", other.type_name()),
        Err(error) => error.to_string(),
    };
    if let Some(state) = inspector(model) {
        state.last_result = Some(format!("{} → {}", one_line(code), one_line(&answered)));
    }
}

#[cfg(test)]
mod tests {
    use crate::app::inspector::tests::{inspecting_collection, send, state};
    use crate::app::update::{Effect, update};
    use crate::net::{Answer, BridgeCommand, NetEvent};
    use crate::protocol::{ErrorCode, ErrorObject, EvaluateResult};
    use crate::ui::inspector::InspectorMsg;
    use crate::ui::{Msg, PromptKey};

    /// `code` typed on the evaluate line and sent; the request's id.
    fn evaluate(model: &mut crate::ui::Model, code: &str) -> String {
        send(model, InspectorMsg::OpenPrompt);
        for c in code.chars() {
            send(model, InspectorMsg::Prompt(PromptKey::Type(c)));
        }
        let effects = send(model, InspectorMsg::Prompt(PromptKey::Accept));
        effects
            .iter()
            .find_map(|effect| match effect {
                Effect::Bridge(BridgeCommand::Send(request)) => Some(request.id.clone()),
                _ => None,
            })
            .expect("the line is evaluated")
    }

    fn reply(model: &mut crate::ui::Model, id: String, result: Result<Answer, ErrorObject>) {
        let event = NetEvent::Reply {
            id,
            result,
            round_trip_us: 9,
        };
        update(model, Msg::Net(event));
    }

    #[test]
    fn the_evaluate_lines_value_is_shown_in_the_inspector() {
        let mut model = inspecting_collection();
        let id = evaluate(&mut model, "self size");
        let value = EvaluateResult {
            print: "2".into(),
            class: "SmallInteger".into(),
            truncated: false,
            handle: "h9".into(),
            output: String::new(),
            output_ranges: None,
            duration_us: 5,
            warnings: vec![],
        };
        reply(&mut model, id, Ok(Answer::Evaluate(value)));
        assert_eq!(state(&model).last_result.as_deref(), Some("self size → 2"));
    }

    #[test]
    fn the_evaluate_lines_error_is_shown_in_the_inspector() {
        let mut model = inspecting_collection();
        let id = evaluate(&mut model, "self foo");
        let mut error = ErrorObject::new(ErrorCode::EvaluationError, "doesNotUnderstand: #foo");
        error.class = Some("MessageNotUnderstood".into());
        reply(&mut model, id, Err(error));
        assert_eq!(
            state(&model).last_result.as_deref(),
            Some("self foo → MessageNotUnderstood: doesNotUnderstand: #foo")
        );
    }
}
