//! The inspector's evaluate line: code typed there runs with `self` bound
//! to the object shown (the `receiver` of `evaluate`), its result goes to
//! the transcript as Do it's, and the object is inspected again since the
//! code may have changed it.

use super::inspector::{inspector, page_request};
use super::update::{Effect, evaluate_on};
use crate::ui::{Model, PromptKey, Purpose};
use tuirealm::event::{Key, KeyEvent, KeyModifiers};

/// `:` in the inspector: open the line, once the object shown has come.
pub fn open_prompt(model: &mut Model) -> Vec<Effect> {
    let Some(state) = inspector(model) else {
        return vec![];
    };
    if state.frame().is_some_and(|frame| frame.value.is_some()) {
        state.prompt = Some(String::new());
    } else {
        model.status.say("Nothing inspected yet to evaluate on.");
    }
    vec![]
}

pub fn prompt_key(model: &mut Model, key: PromptKey) -> Vec<Effect> {
    let Some(state) = inspector(model) else {
        return vec![];
    };
    let Some(line) = state.prompt.as_mut() else {
        return vec![];
    };
    let typed = match key {
        PromptKey::Type(c) => {
            line.push(c);
            Key::Char(c)
        }
        PromptKey::Backspace => {
            line.pop();
            Key::Backspace
        }
        PromptKey::Clear => {
            line.clear();
            return vec![];
        }
        PromptKey::Cancel => {
            state.prompt = None;
            return vec![];
        }
        PromptKey::Accept => return accept(model),
    };
    // The completion popup follows the typing.
    super::completion::typed(model, &KeyEvent::new(typed, KeyModifiers::NONE))
}

/// Enter: evaluate the line on the object shown; an empty line just closes.
fn accept(model: &mut Model) -> Vec<Effect> {
    let Some(state) = inspector(model) else {
        return vec![];
    };
    let code = state.prompt.take().unwrap_or_default();
    let depth = state.frames.len().saturating_sub(1);
    let Some(handle) = state.frame().map(|frame| frame.handle.clone()) else {
        return vec![];
    };
    let purpose = Purpose::InspectorEvaluation {
        code: code.clone(),
        depth,
        handle: handle.clone(),
    };
    evaluate_on(model, code, purpose, Some(handle))
}

/// The evaluation answered: inspect the object at `depth` again if it is
/// still the one shown there.
pub fn refresh(model: &mut Model, depth: usize, handle: String) -> Vec<Effect> {
    let connected = model.connection.is_connected();
    let Some(frame) = inspector(model)
        .and_then(|state| state.frames.get_mut(depth))
        .filter(|frame| frame.handle == handle && !frame.loading)
    else {
        return vec![];
    };
    if !connected {
        return vec![];
    }
    frame.loading = true;
    vec![page_request(model, depth, handle, 0)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::inspector::tests::{
        answer, inspecting_collection, recorded, send, sent, state,
    };
    use crate::app::update::update as app_update;
    use crate::net::{Answer, NetEvent};
    use crate::protocol::{EvaluateResult, RequestBody};
    use crate::ui::inspector::InspectorMsg;
    use crate::ui::{Msg, TranscriptEntry};

    fn type_line(model: &mut Model, text: &str) {
        send(model, InspectorMsg::OpenPrompt);
        for c in text.chars() {
            send(model, InspectorMsg::Prompt(PromptKey::Type(c)));
        }
    }

    /// The evaluate request among the effects (the line also goes to the history).
    fn evaluation_sent(effects: &[Effect]) -> (String, RequestBody) {
        sent(&effects[..1])
    }

    fn evaluated(model: &mut Model, id: String, print: &str) -> Vec<Effect> {
        let value = EvaluateResult {
            print: print.into(),
            class: "OrderedCollection".into(),
            truncated: false,
            handle: "h7".into(),
            output: String::new(),
            output_ranges: None,
            duration_us: 5,
            warnings: vec![],
        };
        let event = NetEvent::Reply {
            id,
            result: Ok(Answer::Evaluate(value)),
            round_trip_us: 9,
        };
        app_update(model, Msg::Net(event))
    }

    #[test]
    fn enter_evaluates_the_line_with_self_bound_to_the_object_shown() {
        let mut model = inspecting_collection();
        type_line(&mut model, "self add: 5");
        assert_eq!(state(&model).prompt.as_deref(), Some("self add: 5"));
        let (id, body) =
            evaluation_sent(&send(&mut model, InspectorMsg::Prompt(PromptKey::Accept)));
        let RequestBody::Evaluate(params) = body else {
            panic!("not an evaluate request");
        };
        assert_eq!(params.code, "self add: 5");
        assert_eq!(params.receiver.as_deref(), Some("h1"));
        assert_eq!(state(&model).prompt, None, "the line closes");
        assert!(
            model.running_evaluations().len() == 1,
            "it can be interrupted"
        );
        // The value goes to the transcript, and the object is inspected again.
        let (again, body) = sent(&evaluated(&mut model, id, "OrderedCollection (3 4 5 )"));
        assert!(
            matches!(model.transcript.last(), Some(TranscriptEntry::Value { print, .. })
            if print == "OrderedCollection (3 4 5 )")
        );
        let RequestBody::Inspect(params) = body else {
            panic!("not an inspect request");
        };
        assert_eq!(
            (params.handle.as_deref(), params.offset),
            (Some("h1"), Some(0))
        );
        let mut grown = recorded("collection");
        grown.size = 3;
        grown.elements.push(grown.elements[1].clone());
        grown.elements[2].handle = "h6".into();
        grown.fields[1].handle = "h8".into();
        // The replaced field's handle is released.
        let released = answer(&mut model, again, grown);
        let (_, RequestBody::Release(params)) = sent(&released) else {
            panic!("not a release");
        };
        assert_eq!(params.handles, Some(vec!["h3".to_string()]));
        assert_eq!(state(&model).frame().unwrap().rows().len(), 5);
    }

    #[test]
    fn esc_cancels_and_backspace_and_ctrl_u_edit_the_line() {
        let mut model = inspecting_collection();
        type_line(&mut model, "self siz");
        send(&mut model, InspectorMsg::Prompt(PromptKey::Backspace));
        assert_eq!(state(&model).prompt.as_deref(), Some("self si"));
        send(&mut model, InspectorMsg::Prompt(PromptKey::Clear));
        assert_eq!(state(&model).prompt.as_deref(), Some(""));
        let effects = send(&mut model, InspectorMsg::Prompt(PromptKey::Cancel));
        assert!(effects.is_empty());
        assert_eq!(state(&model).prompt, None);
    }

    #[test]
    fn an_empty_line_sends_nothing() {
        let mut model = inspecting_collection();
        send(&mut model, InspectorMsg::OpenPrompt);
        assert!(send(&mut model, InspectorMsg::Prompt(PromptKey::Accept)).is_empty());
        assert_eq!(state(&model).prompt, None);
    }

    #[test]
    fn no_refresh_once_the_inspector_closed() {
        let mut model = inspecting_collection();
        type_line(&mut model, "self removeFirst");
        let (id, _) = evaluation_sent(&send(&mut model, InspectorMsg::Prompt(PromptKey::Accept)));
        send(&mut model, InspectorMsg::Close);
        assert!(evaluated(&mut model, id, "3").is_empty());
    }
}
