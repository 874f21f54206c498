//! Moving the browser's selected method to another protocol: Alt+P opens
//! a prompt (the side's other protocols offered, Tab completes), Enter
//! compiles the method's source again in the protocol typed; the methods
//! are then listed again, the method selected in its new protocol.

use super::update::Effect;
use crate::net::Answer;
use crate::protocol::{CompileParams, ErrorObject, RequestBody};
use crate::ui::browser::{BrowserState, Column, protocol_name};
use crate::ui::browser_protocol::{MovedMethod, ProtocolMsg, ProtocolPrompt};
use crate::ui::inspector::Tool;
use crate::ui::{Model, PromptKey, Purpose};

pub fn update(model: &mut Model, msg: ProtocolMsg) -> Vec<Effect> {
    match msg {
        ProtocolMsg::Open => open(model),
        ProtocolMsg::Complete => {
            if let Some(prompt) = prompt_of(model)
                && let Some(done) = prompt.completion().map(str::to_string)
            {
                prompt.input = done;
            }
        }
        ProtocolMsg::Key(key) => return prompt_key(model, key),
    }
    vec![]
}

/// Whether the prompt is open: the selection stays put.
pub fn holds_selection(model: &Model) -> bool {
    matches!(&model.tool, Some(Tool::Browser(state)) if state.moving.is_some())
}

fn prompt_of(model: &mut Model) -> Option<&mut ProtocolPrompt> {
    super::browser::browser(model)?.moving.as_mut()
}

/// Alt+P on a method whose source has come: the prompt, empty.
fn open(model: &mut Model) {
    if super::browser_edit::holds_selection(model) || super::browser_remove::holds_selection(model)
    {
        return;
    }
    let Some(state) = super::browser::browser(model) else {
        return;
    };
    match prompt_for(state) {
        Ok(prompt) => state.moving = Some(prompt),
        Err(why) => model.status.say(why),
    }
}

fn prompt_for(state: &BrowserState) -> Result<ProtocolPrompt, &'static str> {
    if state.column != Column::Methods {
        return Err("Select a method to move to another protocol.");
    }
    let method = state.method().ok_or("Select a method to move.")?;
    let source = state
        .source
        .as_ref()
        .filter(|s| s.selector == method.selector && s.meta == state.meta)
        .ok_or("The source has not come yet.")?;
    let protocol = protocol_name(method).to_string();
    let offered = state
        .protocols()
        .into_iter()
        .filter(|p| *p != protocol)
        .map(str::to_string)
        .collect();
    Ok(ProtocolPrompt {
        method: MovedMethod {
            class: source.class.clone(),
            meta: source.meta,
            selector: source.selector.clone(),
            source: source.source.clone(),
            protocol,
        },
        input: String::new(),
        offered,
    })
}

fn prompt_key(model: &mut Model, key: PromptKey) -> Vec<Effect> {
    let Some(prompt) = prompt_of(model) else {
        return vec![];
    };
    match key {
        PromptKey::Cancel => {
            if let Some(state) = super::browser::browser(model) {
                state.moving = None;
            }
        }
        PromptKey::Accept => return accept(model),
        typing => {
            typing.edit(&mut prompt.input);
        }
    }
    vec![]
}

/// Enter: compile the source again in the protocol typed.
fn accept(model: &mut Model) -> Vec<Effect> {
    let Some(prompt) = prompt_of(model) else {
        return vec![];
    };
    let protocol = prompt.input.trim().to_string();
    if protocol.is_empty() {
        model.status.say("Type the protocol to move the method to.");
        return vec![];
    }
    if !super::tools::connected_or_say(model) {
        return vec![];
    }
    let Some(prompt) = super::browser::browser(model).and_then(|s| s.moving.take()) else {
        return vec![];
    };
    let method = MovedMethod {
        protocol,
        ..prompt.method
    };
    let body = RequestBody::Compile(CompileParams {
        class: method.class.clone(),
        source: method.source.clone(),
        protocol: Some(method.protocol.clone()),
        meta: method.meta.then_some(true),
    });
    vec![super::tools::request(
        model,
        Purpose::BrowserMove(method),
        body,
    )]
}

/// The compile answered: say so and show the method in its protocol.
pub fn reply(
    model: &mut Model,
    method: MovedMethod,
    result: Result<Answer, ErrorObject>,
) -> Vec<Effect> {
    match result {
        Ok(Answer::Compile(_)) => {
            let said = format!("Moved {} to {}", method.label(), method.protocol);
            model.status.say(said);
        }
        Ok(other) => {
            failed(
                model,
                &method,
                &format!("answered as {}", other.type_name()),
            );
            return vec![];
        }
        Err(error) => {
            failed(model, &method, &error.message);
            return vec![];
        }
    }
    let Some(state) = super::browser::browser(model) else {
        return vec![];
    };
    if state.class_name() != Some(method.class.as_str()) || state.edit.is_some() {
        return vec![];
    }
    state.class = None;
    state.source = None;
    state.wanted_method = Some(method.selector);
    vec![super::browser::class_request(model, method.class)]
}

/// The request failed, or the server refused: the status bar says why.
pub fn failed(model: &mut Model, method: &MovedMethod, why: &str) {
    model
        .status
        .say(format!("{} was not moved: {why}", method.label()));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::browser::tests::{answer, key, on_remove_first, sent, state};
    use crate::app::update::update as app_update;
    use crate::net::NetEvent;
    use crate::ui::browser::BrowserMsg;
    use crate::ui::{Msg, Scroll};

    fn protocol(model: &mut Model, msg: ProtocolMsg) -> Vec<(String, RequestBody)> {
        sent(&app_update(model, Msg::BrowserProtocol(msg)))
    }

    fn typing(model: &mut Model, text: &str) {
        for c in text.chars() {
            protocol(model, ProtocolMsg::Key(PromptKey::Type(c)));
        }
    }

    #[test]
    fn alt_p_offers_the_other_protocols_and_tab_completes() {
        let mut model = on_remove_first();
        protocol(&mut model, ProtocolMsg::Open);
        let prompt = state(&model).moving.clone().unwrap();
        assert_eq!(prompt.method.protocol, "removing");
        assert!(!prompt.offered.iter().any(|p| p == "removing"));
        assert!(prompt.offered.iter().any(|p| p == "accessing"));
        // The selection stays while the prompt is open.
        assert!(key(&mut model, BrowserMsg::Move(Scroll::Down)).is_empty());
        typing(&mut model, "acc");
        protocol(&mut model, ProtocolMsg::Complete);
        assert_eq!(state(&model).moving.as_ref().unwrap().input, "accessing");
    }

    #[test]
    fn enter_compiles_the_source_again_in_the_protocol_typed() {
        let mut model = on_remove_first();
        let source = state(&model).source.clone().unwrap().source;
        protocol(&mut model, ProtocolMsg::Open);
        typing(&mut model, "taking out");
        let asks = protocol(&mut model, ProtocolMsg::Key(PromptKey::Accept));
        let [(id, RequestBody::Compile(params))] = &asks[..] else {
            panic!("{asks:?}");
        };
        assert_eq!(params.class, "OrderedCollection");
        assert_eq!(params.source, source);
        assert_eq!(params.protocol.as_deref(), Some("taking out"));
        assert_eq!(params.meta, None);
        assert_eq!(state(&model).moving, None);
        // Compiled: the class described again, the method selected.
        let asks = sent(&answer(&mut model, id, "compiled"));
        let said = model.status.message();
        assert_eq!(
            said,
            Some("Moved OrderedCollection>>removeFirst to taking out")
        );
        assert!(matches!(&asks[0].1, RequestBody::Class(_)));
        assert_eq!(state(&model).wanted_method.as_deref(), Some("removeFirst"));
    }

    #[test]
    fn esc_closes_the_prompt_and_an_empty_protocol_is_not_sent() {
        let mut model = on_remove_first();
        protocol(&mut model, ProtocolMsg::Open);
        assert!(protocol(&mut model, ProtocolMsg::Key(PromptKey::Accept)).is_empty());
        let said = model.status.message();
        assert_eq!(said, Some("Type the protocol to move the method to."));
        protocol(&mut model, ProtocolMsg::Key(PromptKey::Cancel));
        assert_eq!(state(&model).moving, None);
    }

    #[test]
    fn a_refused_move_says_why() {
        let mut model = on_remove_first();
        protocol(&mut model, ProtocolMsg::Open);
        typing(&mut model, "x");
        let asks = protocol(&mut model, ProtocolMsg::Key(PromptKey::Accept));
        let error = crate::protocol::ErrorObject::new(
            crate::protocol::ErrorCode::NotFound,
            "no class named OrderedCollection",
        );
        let event = NetEvent::Reply {
            id: asks[0].0.clone(),
            result: Err(error),
            round_trip_us: 9,
        };
        app_update(&mut model, Msg::Net(event));
        let said = model.status.message().unwrap();
        assert_eq!(
            said,
            "OrderedCollection>>removeFirst was not moved: no class named OrderedCollection"
        );
    }

    #[test]
    fn alt_p_off_a_method_says_what_it_moves() {
        let mut model = crate::app::browser::tests::browsing();
        protocol(&mut model, ProtocolMsg::Open);
        assert_eq!(state(&model).moving, None);
        let said = model.status.message();
        assert_eq!(said, Some("Select a method to move to another protocol."));
    }
}
