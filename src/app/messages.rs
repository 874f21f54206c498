//! The message list's update: the senders or the implementors of a
//! selector (src/app/reach.rs finds it under the cursor), more of them as
//! the selection nears the end; Enter opens the selected method in the
//! class browser.

use super::update::Effect;
use crate::net::{Answer, BridgeCommand};
use crate::protocol::{ErrorObject, Request, RequestBody, SelectorParams};
use crate::ui::inspector::Tool;
use crate::ui::messages::{
    MESSAGES_PAGE, MessagesAsk, MessagesKind, MessagesMsg, MessagesState, selector_at,
};
use crate::ui::{Focus, Model, Purpose, Scroll};

pub fn update(model: &mut Model, msg: MessagesMsg) -> Vec<Effect> {
    match msg {
        MessagesMsg::Move(step) => move_selection(model, step),
        MessagesMsg::Open => open_selected(model),
        MessagesMsg::Close => close(model),
    }
}

/// The list of the `kind` of `selector` in the lower pane, in place of
/// the tool open (Esc gives the focus back to where that one would have).
pub fn open(model: &mut Model, kind: MessagesKind, selector: String) -> Vec<Effect> {
    if !super::tools::connected_or_say(model) {
        return vec![];
    }
    let (mut effects, back_to) = super::tools::make_room(model);
    model.tool = Some(Tool::Messages(MessagesState::searching(
        kind,
        selector.clone(),
        back_to,
    )));
    model.focus = Focus::Tool;
    effects.push(ask(model, kind, selector, MESSAGES_PAGE));
    effects
}

/// Ask for the first `limit` methods of the list (the server sorts them,
/// so a longer list starts with the shorter one).
fn ask(model: &mut Model, kind: MessagesKind, selector: String, limit: u64) -> Effect {
    let params = SelectorParams {
        selector: selector.clone(),
        limit: Some(limit),
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
    Effect::Bridge(BridgeCommand::Send(Request::new(
        id,
        model.session.clone(),
        body,
    )))
}

/// The selection (without a `#`), else the selector around the
/// workspace's cursor.
pub fn selector_at_cursor(editor: &crate::ui::editor::Editor) -> Option<String> {
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
    state.selected = step.select(state.selected, state.shown(), page);
    if !state.wants_more() {
        return vec![];
    }
    state.asking_more = true;
    let (kind, selector) = (state.kind, state.selector.clone());
    let limit = state.shown() as u64 + MESSAGES_PAGE;
    vec![ask(model, kind, selector, limit)]
}

/// Enter: the selected method in the class browser, on its side.
fn open_selected(model: &mut Model) -> Vec<Effect> {
    let Some(state) = list(model) else {
        return vec![];
    };
    let Some(method) = state.method() else {
        return vec![];
    };
    let (class, selector, meta) = (method.class.clone(), method.selector.clone(), method.meta);
    super::browser::open_on(model, Some(class), Some(selector), meta)
}

/// The list with the focus, kept by a browser opened from it (Enter or
/// Ctrl+B) for Esc to go back to.
pub fn list_to_go_back_to(model: &Model) -> Option<MessagesState> {
    let Some(Tool::Messages(list)) = model.tool.as_ref().filter(|_| model.focus == Focus::Tool)
    else {
        return None;
    };
    let mut list = list.clone();
    // A page still coming is dropped while the browser shows: ask again later.
    list.asking_more = false;
    Some(list)
}

/// Esc in a browser opened from a list: the list again, as it was left
/// (its selection kept for the next method); false if not opened so.
pub fn back_from_browser(model: &mut Model) -> bool {
    let Some(Tool::Browser(browser)) = &mut model.tool else {
        return false;
    };
    let Some(list) = browser.from_list.take() else {
        return false;
    };
    model.tool = Some(Tool::Messages(list));
    model.focus = Focus::Tool;
    true
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
    state.asking_more = false;
    match result {
        Ok(Answer::Senders(found) | Answer::Implementors(found)) => {
            state.total = found.total;
            // More of the same list: the selection stays where it was.
            state.selected = state.selected.min(found.methods.len().saturating_sub(1));
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

/// The request never got an answer: more can be asked for again.
pub fn failed(model: &mut Model, reason: &str) {
    if let Some(state) = list(model) {
        state.asking_more = false;
    }
    model.status.say(format!("Cannot list: {reason}"));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::browser::tests::sent;
    use crate::app::update::tests::connected_model;
    use crate::app::update::update as app_update;
    use crate::net::NetEvent;
    use crate::protocol::ClassParams;
    use crate::ui::Msg;
    use crate::ui::browser::BrowserMsg;

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
        model.focus = Focus::Workspace;
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
    fn esc_in_the_browser_opened_from_the_list_goes_back_to_the_list() {
        let mut model = listing();
        key(&mut model, MessagesMsg::Move(Scroll::Down));
        key(&mut model, MessagesMsg::Open);
        app_update(&mut model, Msg::Browser(BrowserMsg::Close));
        assert_eq!(state(&model).selected, 1, "the list as it was left");
        assert_eq!(model.focus, Focus::Tool);
        key(&mut model, MessagesMsg::Close);
        assert!(model.tool.is_none());
        assert_eq!(model.focus, Focus::Workspace, "where the list came from");
    }

    #[test]
    fn esc_in_the_browser_opened_with_ctrl_b_from_the_list_goes_back_to_it() {
        let mut model = listing();
        app_update(&mut model, Msg::Browse);
        assert!(matches!(model.tool, Some(Tool::Browser(_))));
        app_update(&mut model, Msg::Browser(BrowserMsg::Close));
        assert!(matches!(model.tool, Some(Tool::Messages(_))));
    }

    #[test]
    fn esc_closes_and_gives_the_focus_back() {
        let mut model = listing();
        key(&mut model, MessagesMsg::Close);
        assert!(model.tool.is_none());
        assert_eq!(model.focus, Focus::Workspace);
    }

    /// `count` senders of a selector the server has `total` of.
    fn many(count: usize, total: u64) -> Answer {
        let methods = (0..count)
            .map(|n| crate::protocol::MethodRef {
                class: format!("Class{n:05}"),
                selector: "size".into(),
                meta: false,
            })
            .collect();
        Answer::Senders(crate::protocol::MethodsResult { methods, total })
    }

    fn reply_with(model: &mut Model, id: &str, answer: Answer) {
        let event = NetEvent::Reply {
            id: id.to_string(),
            result: Ok(answer),
            round_trip_us: 9,
        };
        app_update(model, Msg::Net(event));
    }

    /// Ctrl+N on `size`, answered with the first 1000 of 2345.
    fn long_listing() -> Model {
        let mut model = connected_model().with_workspace("size");
        let asks = sent(&app_update(
            &mut model,
            Msg::Messages(MessagesKind::Senders),
        ));
        assert!(matches!(&asks[0].1, RequestBody::Senders(p) if p.limit == Some(MESSAGES_PAGE)));
        reply_with(&mut model, &asks[0].0, many(1000, 2345));
        model
    }

    #[test]
    fn a_longer_list_says_how_many_are_shown_of_how_many() {
        let model = long_listing();
        assert_eq!(state(&model).title(), " Senders of #size · 1000/2345 ");
        assert_eq!(state(&listing()).title(), " Senders of #printOn: · 34 ");
    }

    #[test]
    fn nearing_the_end_asks_once_for_more_and_keeps_the_selection() {
        let mut model = long_listing();
        assert!(sent(&key(&mut model, MessagesMsg::Move(Scroll::Down))).is_empty());
        let asks = sent(&key(&mut model, MessagesMsg::Move(Scroll::Bottom)));
        let [(id, RequestBody::Senders(params))] = &asks[..] else {
            panic!("{asks:?}");
        };
        assert_eq!(
            (params.selector.as_str(), params.limit),
            ("size", Some(2000))
        );
        // Asked already: moving on asks nothing more meanwhile.
        let coming = " Senders of #size · 1000/2345, more coming ";
        assert_eq!(state(&model).title(), coming);
        assert!(sent(&key(&mut model, MessagesMsg::Move(Scroll::Up))).is_empty());
        reply_with(&mut model, id, many(2000, 2345));
        assert_eq!(state(&model).selected, 998);
        assert_eq!(state(&model).title(), " Senders of #size · 2000/2345 ");
        let last = sent(&key(&mut model, MessagesMsg::Move(Scroll::Bottom)));
        assert!(matches!(&last[..], [(_, RequestBody::Senders(p))] if p.limit == Some(3000)));
    }

    #[test]
    fn a_whole_list_asks_for_nothing_more() {
        let mut model = listing();
        assert!(sent(&key(&mut model, MessagesMsg::Move(Scroll::Bottom))).is_empty());
    }

    #[test]
    fn a_failed_request_for_more_can_be_asked_again() {
        let mut model = long_listing();
        let asks = sent(&key(&mut model, MessagesMsg::Move(Scroll::Bottom)));
        let failed = NetEvent::Failed {
            id: asks[0].0.clone(),
            reason: "timed out".into(),
        };
        app_update(&mut model, Msg::Net(failed));
        assert!(!state(&model).asking_more);
        assert_eq!(
            sent(&key(&mut model, MessagesMsg::Move(Scroll::Up))).len(),
            1
        );
    }

    #[test]
    fn not_connected_says_so() {
        let mut model = Model::new("tcp://127.0.0.1:1", "s").with_workspace("printOn: aStream");
        let effects = app_update(&mut model, Msg::Messages(MessagesKind::Senders));
        assert!(effects.is_empty());
        assert!(model.tool.is_none());
    }
}
