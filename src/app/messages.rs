//! The message list's update: Ctrl+N / Ctrl+M ask for the senders or the
//! implementors of the selector at the cursor; Enter opens the selected
//! method in the class browser.

use super::update::Effect;
use crate::net::{Answer, BridgeCommand};
use crate::protocol::{ErrorObject, Request, RequestBody, SelectorParams};
use crate::ui::inspector::Tool;
use crate::ui::messages::{
    MESSAGES_LIMIT, MessagesAsk, MessagesKind, MessagesMsg, MessagesState, selector_at,
};
use crate::ui::{Focus, Model, Purpose, Scroll};

pub fn update(model: &mut Model, msg: MessagesMsg) -> Vec<Effect> {
    match msg {
        MessagesMsg::Move(step) => move_selection(model, step),
        MessagesMsg::Open => open_selected(model),
        MessagesMsg::Close => close(model),
    }
}

/// Ctrl+N / Ctrl+M: the list of the selector at the cursor (or selected).
pub fn open(model: &mut Model, kind: MessagesKind) -> Vec<Effect> {
    if !super::tools::connected_or_say(model) {
        return vec![];
    }
    let Some(selector) = selector_at_cursor(model) else {
        model.status.say("No selector at the cursor.");
        return vec![];
    };
    let (mut effects, back_to) = super::tools::make_room(model);
    model.tool = Some(Tool::Messages(MessagesState {
        kind,
        selector: selector.clone(),
        methods: None,
        total: 0,
        selected: 0,
        back_to,
        height: 0,
    }));
    model.focus = Focus::Tool;
    let params = SelectorParams {
        selector: selector.clone(),
        limit: Some(MESSAGES_LIMIT),
    };
    let body = match kind {
        MessagesKind::Senders => RequestBody::Senders(params),
        MessagesKind::Implementors => RequestBody::Implementors(params),
    };
    let id = model.next_request_id();
    model.send(
        id.clone(),
        Purpose::Messages(MessagesAsk { kind, selector }),
    );
    effects.push(Effect::Bridge(BridgeCommand::Send(Request::new(
        id,
        model.session.clone(),
        body,
    ))));
    effects
}

/// The selection (without a `#`), else the selector around the cursor.
fn selector_at_cursor(model: &Model) -> Option<String> {
    let editor = &model.view.editor;
    if editor.area.selection_range().is_some_and(|(s, e)| s != e) {
        let code = editor.code_to_evaluate()?.code;
        let text = code.trim().trim_start_matches('#');
        return (!text.is_empty()).then(|| text.to_string());
    }
    let cursor = editor.area.cursor();
    let (row, col) = (cursor.0, cursor.1);
    selector_at(&editor.area.lines()[row], col)
}

fn list(model: &mut Model) -> Option<&mut MessagesState> {
    match &mut model.tool {
        Some(Tool::Messages(state)) => Some(state),
        _ => None,
    }
}

fn move_selection(model: &mut Model, step: Scroll) -> Vec<Effect> {
    let Some(state) = list(model) else {
        return vec![];
    };
    let page = state.height.saturating_sub(1).max(1);
    let last = state.methods.as_ref().map_or(0, Vec::len).saturating_sub(1);
    let selected = state.selected;
    state.selected = match step {
        Scroll::Up => selected.saturating_sub(1),
        Scroll::Down => selected + 1,
        Scroll::PageUp => selected.saturating_sub(page),
        Scroll::PageDown => selected + page,
        Scroll::Top => 0,
        Scroll::Bottom => last,
    }
    .min(last);
    vec![]
}

/// Enter: the selected method in the class browser, on its side.
fn open_selected(model: &mut Model) -> Vec<Effect> {
    let Some(state) = list(model) else {
        return vec![];
    };
    let Some(method) = state.methods.as_ref().and_then(|m| m.get(state.selected)) else {
        return vec![];
    };
    let (class, selector, meta) = (method.class.clone(), method.selector.clone(), method.meta);
    super::browser::open_on(model, Some(class), Some(selector), meta)
}

/// Esc: close the list and give the focus back.
pub fn close(model: &mut Model) -> Vec<Effect> {
    super::tools::close(model)
}

/// The server's list: shown if it is still the one asked for.
pub fn reply(
    model: &mut Model,
    asked: MessagesAsk,
    result: Result<Answer, ErrorObject>,
) -> Vec<Effect> {
    let Some(state) = list(model) else {
        return vec![];
    };
    if state.kind != asked.kind || state.selector != asked.selector {
        return vec![];
    }
    match result {
        Ok(Answer::Senders(found) | Answer::Implementors(found)) => {
            state.total = found.total;
            state.methods = Some(found.methods);
        }
        Ok(other) => {
            let why = format!("Cannot list: answered as {}", other.type_name());
            model.status.say(why);
        }
        Err(error) => model.status.say(format!("Cannot list: {error}")),
    }
    vec![]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::update::tests::connected_model;
    use crate::app::update::update as app_update;
    use crate::net::NetEvent;
    use crate::protocol::ClassParams;
    use crate::ui::Msg;

    /// `senders` of `#printOn:` as the real server answered it.
    fn recorded() -> Answer {
        let path = format!(
            "{}/tests/fixtures/messages/senders_print_on.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(path).expect("a recorded reply");
        let reply: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        Answer::Senders(serde_json::from_value(reply["result"].clone()).unwrap())
    }

    fn sent(effects: &[Effect]) -> Vec<(String, RequestBody)> {
        effects
            .iter()
            .filter_map(|effect| match effect {
                Effect::Bridge(BridgeCommand::Send(request)) => {
                    Some((request.id.clone(), request.body.clone()))
                }
                _ => None,
            })
            .collect()
    }

    fn state(model: &Model) -> &MessagesState {
        match &model.tool {
            Some(Tool::Messages(state)) => state,
            _ => panic!("no message list"),
        }
    }

    fn answer(model: &mut Model, id: &str) {
        let result = Ok(recorded());
        let event = NetEvent::Reply {
            id: id.to_string(),
            result,
            round_trip_us: 9,
        };
        app_update(model, Msg::Net(event));
    }

    /// Ctrl+N on `printOn:`, answered.
    fn listing() -> Model {
        let mut model = connected_model().with_workspace("printOn: aStream");
        let asks = sent(&app_update(
            &mut model,
            Msg::Messages(MessagesKind::Senders),
        ));
        answer(&mut model, &asks[0].0);
        model
    }

    fn key(model: &mut Model, msg: MessagesMsg) -> Vec<Effect> {
        app_update(model, Msg::MessageList(msg))
    }

    #[test]
    fn senders_asks_for_the_keyword_selector_at_the_cursor() {
        let mut model = connected_model().with_workspace("printOn: aStream");
        let asks = sent(&app_update(
            &mut model,
            Msg::Messages(MessagesKind::Senders),
        ));
        let RequestBody::Senders(params) = &asks[0].1 else {
            panic!("{asks:?}");
        };
        assert_eq!(params.selector, "printOn:");
        assert_eq!(model.focus, Focus::Tool);
        assert!(
            state(&model).methods.is_none(),
            "searching until it answers"
        );
    }

    #[test]
    fn implementors_asks_for_implementors() {
        let mut model = connected_model().with_workspace("printString");
        let asks = sent(&app_update(
            &mut model,
            Msg::Messages(MessagesKind::Implementors),
        ));
        assert!(matches!(&asks[0].1, RequestBody::Implementors(p) if p.selector == "printString"));
    }

    #[test]
    fn the_reply_lists_every_method_and_the_total() {
        let model = listing();
        let list = state(&model);
        assert_eq!(list.total, 34);
        let methods = list.methods.as_ref().unwrap();
        assert_eq!(methods.len(), 34);
        assert_eq!(
            crate::ui::messages::method_name(&methods[0]),
            "Array>>printOn:"
        );
    }

    #[test]
    fn a_reply_for_another_selector_is_dropped() {
        let mut model = connected_model().with_workspace("printOn: aStream");
        let asks = sent(&app_update(
            &mut model,
            Msg::Messages(MessagesKind::Senders),
        ));
        model.view.editor.set_text("displayNl");
        app_update(&mut model, Msg::Messages(MessagesKind::Senders));
        answer(&mut model, &asks[0].0);
        assert_eq!(state(&model).selector, "displayNl");
        assert!(state(&model).methods.is_none());
    }

    #[test]
    fn moving_stays_within_the_list() {
        let mut model = listing();
        key(&mut model, MessagesMsg::Move(Scroll::Down));
        assert_eq!(state(&model).selected, 1);
        key(&mut model, MessagesMsg::Move(Scroll::Bottom));
        assert_eq!(state(&model).selected, 33);
        key(&mut model, MessagesMsg::Move(Scroll::PageDown));
        assert_eq!(state(&model).selected, 33);
        key(&mut model, MessagesMsg::Move(Scroll::Top));
        key(&mut model, MessagesMsg::Move(Scroll::Up));
        assert_eq!(state(&model).selected, 0);
    }

    #[test]
    fn enter_opens_the_method_in_the_browser() {
        let mut model = listing();
        let asks = sent(&key(&mut model, MessagesMsg::Open));
        let Some(Tool::Browser(browser)) = &model.tool else {
            panic!("no browser");
        };
        assert_eq!(browser.wanted_method.as_deref(), Some("printOn:"));
        let class = RequestBody::Class(ClassParams {
            name: "Array".into(),
        });
        assert!(asks.iter().any(|(_, body)| *body == class), "{asks:?}");
        assert_eq!(model.focus, Focus::Tool);
    }

    #[test]
    fn enter_on_a_class_side_method_opens_the_browser_on_the_class_side() {
        let mut model = listing();
        let at = state(&model)
            .methods
            .as_ref()
            .and_then(|methods| methods.iter().position(|m| m.meta))
            .expect("a class-side sender");
        if let Some(Tool::Messages(list)) = &mut model.tool {
            list.selected = at;
        }
        key(&mut model, MessagesMsg::Open);
        let Some(Tool::Browser(browser)) = &model.tool else {
            panic!("no browser");
        };
        assert!(browser.meta, "on the class side");
        assert!(browser.wanted_method.is_some());
    }

    #[test]
    fn esc_closes_and_gives_the_focus_back() {
        let mut model = listing();
        key(&mut model, MessagesMsg::Close);
        assert!(model.tool.is_none());
        assert_eq!(model.focus, Focus::Workspace);
    }

    #[test]
    fn not_connected_says_so() {
        let mut model = Model::new("tcp://127.0.0.1:1", "s").with_workspace("printOn: aStream");
        let effects = app_update(&mut model, Msg::Messages(MessagesKind::Senders));
        assert!(effects.is_empty());
        assert!(model.tool.is_none());
    }
}
