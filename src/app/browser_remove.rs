//! Removing in the class browser: Delete on a method or a class asks
//! (y/n), then the server evaluates the removal (its changes log records
//! it). A removed method's source goes to the transcript, to recover it;
//! the browser then shows the class (or the class list) again, the
//! neighbour selected. A class with subclasses is refused.

use super::update::Effect;
use crate::net::Answer;
use crate::protocol::{ClassResult, ErrorObject, EvaluateParams, RequestBody};
use crate::ui::browser::{BrowserState, Column};
use crate::ui::browser_remove::{Removal, RemoveMsg, neighbour};
use crate::ui::{Model, Purpose, TranscriptEntry};

pub fn update(model: &mut Model, msg: RemoveMsg) -> Vec<Effect> {
    match msg {
        RemoveMsg::Ask => {
            ask(model);
            vec![]
        }
        RemoveMsg::Answer(yes) => answer(model, yes),
    }
}

/// Whether "remove …?" waits for its answer: the selection stays put.
pub fn holds_selection(model: &Model) -> bool {
    matches!(&model.tool, Some(crate::ui::inspector::Tool::Browser(state)) if state.removing.is_some())
}

/// Delete: ask about the selected method, else the selected class.
fn ask(model: &mut Model) {
    if super::browser_edit::holds_selection(model) || !super::tools::connected_or_say(model) {
        return;
    }
    let Some(state) = super::browser::browser(model) else {
        return;
    };
    let removal = match state.column {
        Column::Methods => method_removal(state),
        Column::Classes => class_removal(state),
        Column::Categories | Column::Protocols => {
            Err("Select a method or a class to remove.".to_string())
        }
    };
    match removal {
        Ok(removal) => state.removing = Some(removal),
        Err(why) => model.status.say(why),
    }
}

fn method_removal(state: &BrowserState) -> Result<Removal, String> {
    let method = state.method().ok_or("Select a method to remove.")?;
    let source = state
        .source
        .as_ref()
        .filter(|s| s.selector == method.selector && s.meta == state.meta)
        .ok_or("The source has not come yet.")?;
    let rows = state.rows(Column::Methods);
    Ok(Removal::Method {
        class: source.class.clone(),
        meta: source.meta,
        selector: source.selector.clone(),
        protocol: source.protocol.clone(),
        source: source.source.clone(),
        neighbour: neighbour(&rows, state.method_selected),
    })
}

fn class_removal(state: &BrowserState) -> Result<Removal, String> {
    let name = state.class_name().ok_or("Select a class to remove.")?;
    let class: &ClassResult = state
        .class
        .as_ref()
        .filter(|class| class.name == name)
        .ok_or("The class has not been described yet.")?;
    if !class.subclasses.is_empty() {
        return Err(refusal(class));
    }
    let rows = state.rows(Column::Classes);
    Ok(Removal::Class {
        name: class.name.clone(),
        methods: class.methods.instance.len() + class.methods.class.len(),
        definition: class.definition.clone(),
        neighbour: neighbour(&rows, state.class_selected),
    })
}

/// Why a class with subclasses stays, naming the first of them.
fn refusal(class: &ClassResult) -> String {
    let count = class.subclasses.len();
    let plural = if count == 1 { "" } else { "es" };
    let mut names = class.subclasses[..count.min(3)].join(", ");
    if count > 3 {
        names.push_str(", …");
    }
    format!(
        "{} has {count} subclass{plural} ({names}): remove them first.",
        class.name
    )
}

/// y: send the removal; n or Esc: keep it.
fn answer(model: &mut Model, yes: bool) -> Vec<Effect> {
    let Some(removal) = super::browser::browser(model).and_then(|s| s.removing.take()) else {
        return vec![];
    };
    if !yes {
        model.status.say(format!("{} is kept.", removal.label()));
        return vec![];
    }
    let body = RequestBody::Evaluate(EvaluateParams {
        code: removal.code(),
        timeout_ms: Some(model.evaluation_timeout_ms),
        print_limit: None,
        receiver: None,
        debug: None,
    });
    vec![super::tools::request(
        model,
        Purpose::BrowserRemove(removal),
        body,
    )]
}

/// The server answered the removal.
pub fn reply(
    model: &mut Model,
    removal: Removal,
    result: Result<Answer, ErrorObject>,
) -> Vec<Effect> {
    match result {
        Ok(Answer::Evaluate(_)) => removed(model, removal),
        Ok(other) => {
            let why = format!("answered as {}", other.type_name());
            failed(model, &removal, &why);
            vec![]
        }
        Err(error) => {
            failed(model, &removal, &error.message);
            vec![]
        }
    }
}

/// The request failed, or the server refused: the status bar says why.
pub fn failed(model: &mut Model, removal: &Removal, why: &str) {
    model
        .status
        .say(format!("{} was not removed: {why}", removal.label()));
}

/// Say what went (its text in the transcript), then show the browser again
/// without it.
fn removed(model: &mut Model, removal: Removal) -> Vec<Effect> {
    let label = removal.label();
    match removal {
        Removal::Method {
            class,
            protocol,
            source,
            neighbour,
            ..
        } => {
            let protocol = protocol
                .as_deref()
                .unwrap_or(crate::ui::browser::UNCLASSIFIED);
            let notice = format!("Removed {label} ({protocol}); its source was:");
            let status = format!("Removed {label} (its source is in the transcript).");
            say_removed(model, (notice, status), source);
            method_gone(model, class, neighbour)
        }
        Removal::Class {
            definition,
            neighbour,
            ..
        } => {
            let notice = format!("Removed the class {label}; its definition was:");
            let status =
                format!("Removed the class {label} (its definition is in the transcript).");
            say_removed(model, (notice, status), definition);
            class_gone(model, neighbour)
        }
    }
}

/// The transcript's notice and the text removed; the status bar's line.
fn say_removed(model: &mut Model, (notice, status): (String, String), text: String) {
    model.transcript.push(TranscriptEntry::Notice(notice));
    model.transcript.push(TranscriptEntry::Output(text));
    model.status.say(status);
}

/// The class described again, the neighbour selected (none left: the
/// protocols, on "-- all --").
fn method_gone(model: &mut Model, class: String, neighbour: Option<String>) -> Vec<Effect> {
    let Some(state) = super::browser::browser(model) else {
        return vec![];
    };
    if state.class_name() != Some(class.as_str()) || state.edit.is_some() {
        return vec![];
    }
    state.class = None;
    state.source = None;
    if neighbour.is_none() {
        state.column = Column::Protocols;
        state.protocol_selected = 0;
    }
    state.wanted_method = neighbour;
    vec![super::browser::class_request(model, class)]
}

/// The class list asked for again, the neighbour to be selected.
fn class_gone(model: &mut Model, neighbour: Option<String>) -> Vec<Effect> {
    let Some(state) = super::browser::browser(model) else {
        return vec![];
    };
    if state.edit.is_some() {
        return vec![];
    }
    state.class = None;
    state.source = None;
    state.wanted = neighbour;
    state.column = Column::Classes;
    vec![super::browser::ask_classes(model)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::browser::tests::{answer, browsing, key, on_remove_first, sent, state};
    use crate::app::update::update as app_update;
    use crate::net::NetEvent;
    use crate::protocol::ErrorCode;
    use crate::ui::browser::BrowserMsg;
    use crate::ui::{Msg, Scroll};

    fn remove(model: &mut Model, msg: RemoveMsg) -> Vec<(String, RequestBody)> {
        sent(&app_update(model, Msg::BrowserRemove(msg)))
    }

    fn evaluated(asks: &[(String, RequestBody)]) -> &str {
        match asks {
            [(_, RequestBody::Evaluate(params))] => &params.code,
            _ => panic!("{asks:?}"),
        }
    }

    /// The server's reply to the removal: `Ok` any value, else an error.
    fn reply_to(model: &mut Model, id: &str, ok: bool) -> Vec<(String, RequestBody)> {
        let result = if ok {
            Ok(crate::app::browser::tests::recorded("defined_point"))
        } else {
            let why = "Invalid argument #removeFirst: method not found";
            Err(ErrorObject::new(ErrorCode::EvaluationError, why))
        };
        let event = NetEvent::Reply {
            id: id.to_string(),
            result,
            round_trip_us: 9,
        };
        sent(&app_update(model, Msg::Net(event)))
    }

    fn removing(model: &Model) -> Option<&Removal> {
        state(model).removing.as_ref()
    }

    #[test]
    fn delete_on_a_method_asks_and_y_removes_its_selector() {
        let mut model = on_remove_first();
        assert!(remove(&mut model, RemoveMsg::Ask).is_empty(), "asks first");
        let question = removing(&model).unwrap().question();
        assert_eq!(
            question,
            "Remove the method OrderedCollection>>removeFirst? (y/n)"
        );
        // The selection stays while it asks.
        assert!(key(&mut model, BrowserMsg::Move(Scroll::Down)).is_empty());
        assert_eq!(state(&model).method().unwrap().selector, "removeFirst");
        let asks = remove(&mut model, RemoveMsg::Answer(true));
        assert_eq!(
            evaluated(&asks),
            "OrderedCollection removeSelector: #removeFirst"
        );
        assert_eq!(removing(&model), None);
    }

    #[test]
    fn n_keeps_the_method() {
        let mut model = on_remove_first();
        remove(&mut model, RemoveMsg::Ask);
        assert!(remove(&mut model, RemoveMsg::Answer(false)).is_empty());
        assert_eq!(removing(&model), None);
        let said = model.status.message();
        assert_eq!(said, Some("OrderedCollection>>removeFirst is kept."));
    }

    #[test]
    fn a_removed_method_is_said_with_its_source_and_its_neighbour_selected() {
        let mut model = on_remove_first();
        let rows = state(&model).rows(Column::Methods);
        let next = rows[state(&model).method_selected + 1].to_string();
        let source = state(&model).source.clone().unwrap().source;
        remove(&mut model, RemoveMsg::Ask);
        let asks = remove(&mut model, RemoveMsg::Answer(true));
        let asks = reply_to(&mut model, &asks[0].0, true);
        let entries: Vec<_> = model.transcript.iter().rev().take(2).cloned().collect();
        assert_eq!(entries[0], TranscriptEntry::Output(source));
        let TranscriptEntry::Notice(notice) = &entries[1] else {
            panic!("{entries:?}");
        };
        assert_eq!(
            notice,
            "Removed OrderedCollection>>removeFirst (removing); its source was:"
        );
        // The class described again, the next method selected.
        assert!(matches!(&asks[0].1, RequestBody::Class(c) if c.name == "OrderedCollection"));
        answer(&mut model, &asks[0].0, "ordered_collection");
        assert_eq!(state(&model).method().unwrap().selector, next);
    }

    #[test]
    fn a_refused_removal_says_why_and_keeps_the_method() {
        let mut model = on_remove_first();
        remove(&mut model, RemoveMsg::Ask);
        let asks = remove(&mut model, RemoveMsg::Answer(true));
        let entries = model.transcript.len();
        assert!(reply_to(&mut model, &asks[0].0, false).is_empty());
        assert_eq!(model.transcript.len(), entries);
        let said = model.status.message().unwrap();
        assert!(
            said.starts_with("OrderedCollection>>removeFirst was not removed: Invalid argument"),
            "{said}"
        );
        assert_eq!(state(&model).method().unwrap().selector, "removeFirst");
    }

    #[test]
    fn a_class_with_subclasses_is_refused() {
        let mut model = browsing();
        assert!(remove(&mut model, RemoveMsg::Ask).is_empty());
        assert_eq!(removing(&model), None);
        let said = model.status.message();
        assert_eq!(
            said,
            Some(
                "OrderedCollection has 3 subclasses (RunArray, SortedCollection, \
                 STInST.OrderedSet): remove them first."
            )
        );
    }

    /// Browsing OrderedCollection as if it had no subclasses.
    fn on_a_leaf_class() -> Model {
        let mut model = browsing();
        if let Some(crate::ui::inspector::Tool::Browser(state)) = &mut model.tool {
            state.class.as_mut().unwrap().subclasses.clear();
        }
        model
    }

    #[test]
    fn a_class_is_removed_after_a_question_naming_its_methods() {
        let mut model = on_a_leaf_class();
        let methods = {
            let class = state(&model).class.as_ref().unwrap();
            class.methods.instance.len() + class.methods.class.len()
        };
        remove(&mut model, RemoveMsg::Ask);
        assert_eq!(
            removing(&model).unwrap().question(),
            format!("Remove the class OrderedCollection, no subclasses, {methods} methods? (y/n)")
        );
        let asks = remove(&mut model, RemoveMsg::Answer(true));
        assert_eq!(evaluated(&asks), "OrderedCollection removeFromSystem");
        let asks = reply_to(&mut model, &asks[0].0, true);
        let Some(TranscriptEntry::Output(definition)) = model.transcript.last() else {
            panic!("no definition in the transcript");
        };
        assert!(definition.contains("variableSubclass: #OrderedCollection"));
        let said = model.status.message().unwrap();
        assert!(
            said.starts_with("Removed the class OrderedCollection"),
            "{said}"
        );
        // The class list asked for again, the next class to be selected.
        assert!(matches!(&asks[0].1, RequestBody::ListClasses(_)));
        assert_eq!(state(&model).wanted.as_deref(), Some("RunArray"));
        answer(&mut model, &asks[0].0, "classes_all");
        assert_eq!(state(&model).class_name(), Some("RunArray"));
        assert_eq!(state(&model).column, Column::Classes);
    }

    #[test]
    fn delete_elsewhere_says_what_it_removes() {
        let mut model = browsing();
        key(&mut model, BrowserMsg::Right);
        remove(&mut model, RemoveMsg::Ask);
        assert_eq!(removing(&model), None);
        let said = model.status.message();
        assert_eq!(said, Some("Select a method or a class to remove."));
    }

    #[test]
    fn delete_before_the_source_came_waits_for_it() {
        let mut model = browsing();
        key(&mut model, BrowserMsg::Right);
        key(&mut model, BrowserMsg::Right);
        remove(&mut model, RemoveMsg::Ask);
        assert_eq!(removing(&model), None);
        assert_eq!(model.status.message(), Some("The source has not come yet."));
    }
}
