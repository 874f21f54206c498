//! The class browser's update: opening it on the class named at the
//! workspace's cursor (or on the class list), and the replies of
//! `list_classes`, `class` and `method`; moving through the columns is in
//! `browser_nav`. Every request names what it asked for: a reply for a class
//! or method no longer selected is dropped.

use super::browser_nav::{self, to_column};
use super::update::Effect;
use crate::net::Answer;
use crate::protocol::{
    ClassParams, CompileParams, ErrorObject, ListClassesParams, MethodParams, RequestBody,
};
use crate::ui::browser::{
    BrowserAsk, BrowserMsg, BrowserState, CLASS_LIMIT, Column, protocol_name,
};
use crate::ui::inspector::Tool;
use crate::ui::{Focus, Model, Purpose, TranscriptEntry};

pub fn update(model: &mut Model, msg: BrowserMsg) -> Vec<Effect> {
    // The source pane keeps its edit until it is accepted or discarded; a
    // question or prompt about the selection waits for its answer.
    if super::browser_edit::holds_selection(model)
        || super::browser_remove::holds_selection(model)
        || super::browser_protocol::holds_selection(model)
    {
        return vec![];
    }
    match msg {
        BrowserMsg::Edit => edit(model),
        BrowserMsg::Close => close(model),
        other => browser_nav::update(model, other),
    }
}

/// Ctrl+B: the browser on the class named at the cursor (or selected), in
/// the class list.
pub fn open(model: &mut Model) -> Vec<Effect> {
    if !super::tools::connected_or_say(model) {
        return vec![];
    }
    let wanted = class_at_cursor(&model.view.editor);
    open_on(model, wanted, None, false)
}

/// The browser on class `wanted` (else the class list), on its class side
/// if `meta`, `method` selected once the class is described.
pub fn open_on(
    model: &mut Model,
    wanted: Option<String>,
    method: Option<String>,
    meta: bool,
) -> Vec<Effect> {
    let from_list = super::messages::list_to_go_back_to(model);
    let (mut effects, back_to) = super::tools::make_room(model);
    model.tool = Some(Tool::Browser(Box::new(BrowserState {
        wanted: wanted.clone(),
        wanted_method: method,
        meta,
        back_to,
        from_list,
        ..BrowserState::default()
    })));
    model.focus = Focus::Tool;
    effects.push(ask_classes(model));
    if let Some(name) = wanted {
        effects.push(class_request(model, name));
    }
    effects
}

/// `list_classes` for the browser: every class, for the columns to group.
pub(super) fn ask_classes(model: &mut Model) -> Effect {
    let list = RequestBody::ListClasses(ListClassesParams {
        limit: Some(CLASS_LIMIT),
        ..ListClassesParams::default()
    });
    ask(model, BrowserAsk::Classes, list)
}

/// The capitalised word around the editor's cursor, or the selection.
pub(super) fn class_at_cursor(editor: &crate::ui::editor::Editor) -> Option<String> {
    let text = match editor.code_to_evaluate() {
        Some(code) if code.start != code.end && editor.area.selection_range().is_some() => {
            code.code
        }
        _ => {
            let cursor = editor.area.cursor();
            let (row, col) = (cursor.0, cursor.1);
            let line: Vec<char> = editor.area.lines()[row].chars().collect();
            let is_word = |c: &char| c.is_alphanumeric() || *c == '_' || *c == '.';
            let start = line[..col.min(line.len())]
                .iter()
                .rposition(|c| !is_word(c))
                .map_or(0, |at| at + 1);
            line[start..].iter().take_while(|c| is_word(c)).collect()
        }
    };
    let word = text.trim().trim_end_matches('.');
    word.chars()
        .next()
        .filter(|c| c.is_uppercase())
        .map(|_| word.to_string())
}

pub(super) fn browser(model: &mut Model) -> Option<&mut BrowserState> {
    match &mut model.tool {
        Some(Tool::Browser(state)) => Some(state),
        _ => None,
    }
}

pub(super) fn ask(model: &mut Model, what: BrowserAsk, body: RequestBody) -> Effect {
    super::tools::request(model, Purpose::Browser(what), body)
}

pub(super) fn class_request(model: &mut Model, name: String) -> Effect {
    let body = RequestBody::Class(ClassParams { name: name.clone() });
    ask(model, BrowserAsk::Class(name), body)
}

fn method_request(model: &mut Model, class: String, selector: String, meta: bool) -> Effect {
    let body = RequestBody::Method(MethodParams {
        class: class.clone(),
        selector: selector.clone(),
        meta: meta.then_some(true),
    });
    let what = BrowserAsk::Method {
        class,
        selector,
        meta,
    };
    ask(model, what, body)
}

/// Ask for what the selection now shows: the class, or the method.
pub(super) fn show_selected(model: &mut Model) -> Vec<Effect> {
    let Some(state) = browser(model) else {
        return vec![];
    };
    state.source_scroll = 0;
    let Some(class) = state.class_name().map(str::to_string) else {
        return vec![];
    };
    if state.class.as_ref().is_none_or(|shown| shown.name != class) {
        state.class = None;
        state.source = None;
        state.protocol_selected = 0;
        state.method_selected = 0;
        return vec![class_request(model, class)];
    }
    let Some(selector) = state.method().map(|m| m.selector.clone()) else {
        state.source = None;
        return vec![];
    };
    let meta = state.meta;
    if state
        .source
        .as_ref()
        .is_some_and(|s| s.selector == selector && s.meta == meta)
    {
        return vec![];
    }
    state.source = None;
    vec![method_request(model, class, selector, meta)]
}

/// Enter on a method: edit its source in the pane below the columns; on a
/// class: its methods.
fn edit(model: &mut Model) -> Vec<Effect> {
    let Some(state) = browser(model) else {
        return vec![];
    };
    if let Some(right) = state.column.right() {
        return to_column(model, right);
    }
    super::browser_edit::edit_method(model);
    vec![]
}

/// Accept: compile the workspace's text in the class its name names.
pub fn accept(model: &mut Model) -> Vec<Effect> {
    let name = model.workspaces.active_tab().name.clone();
    let Some((class, _)) = name.split_once(">>") else {
        model
            .status
            .say("Accept compiles in a workspace opened from the browser (Class>>selector).");
        return vec![];
    };
    if !super::tools::connected_or_say(model) {
        return vec![];
    }
    let (class, meta) = match class.strip_suffix(" class") {
        Some(base) => (base.to_string(), Some(true)),
        None => (class.to_string(), None),
    };
    let code = model.view.editor.text();
    let body = RequestBody::Compile(CompileParams {
        class: class.clone(),
        source: code.clone(),
        protocol: None,
        meta,
    });
    vec![ask(model, BrowserAsk::Compile { class, code }, body)]
}

/// The compile answered: the status bar says so, a syntax error goes to
/// the transcript with a caret under its place (the text stays as it is).
fn compiled(
    model: &mut Model,
    (class, code): (String, String),
    result: Result<Answer, ErrorObject>,
) {
    match result {
        Ok(Answer::Compile(done)) => model
            .status
            .say(format!("Compiled {class}>>{}", done.selector)),
        Ok(other) => model
            .status
            .say(format!("Cannot compile: answered as {}", other.type_name())),
        Err(error) => {
            let error = super::diagnostics::with_caret(error, &code);
            model.transcript.push(TranscriptEntry::Error(error));
            model
                .status
                .say(format!("Not compiled in {class}: see the transcript."));
        }
    }
}

/// The method a message list opened the browser on, in its protocol, in
/// the methods column.
fn select_wanted_method(state: &mut BrowserState) {
    let Some(selector) = state.wanted_method.take() else {
        return;
    };
    let methods = state.side_methods();
    let Some(method) = methods.iter().find(|m| m.selector == selector) else {
        return;
    };
    let protocol = protocol_name(method).to_string();
    state.protocol_selected = state
        .protocols()
        .iter()
        .position(|p| *p == protocol)
        .map_or(0, |at| at + 1);
    state.method_selected = state
        .methods()
        .iter()
        .position(|m| m.selector == selector)
        .unwrap_or(0);
    state.column = Column::Methods;
}

/// Esc: back to the message list it was opened from, else close the
/// browser and give the focus back.
pub fn close(model: &mut Model) -> Vec<Effect> {
    if super::messages::back_from_browser(model) {
        return vec![];
    }
    super::tools::close(model)
}

/// A reply to one of the browser's requests.
pub fn reply(
    model: &mut Model,
    asked: BrowserAsk,
    result: Result<Answer, ErrorObject>,
) -> Vec<Effect> {
    if let BrowserAsk::Compile { class, code } = asked {
        compiled(model, (class, code), result);
        return vec![];
    }
    let Some(state) = browser(model) else {
        return vec![];
    };
    match (asked, result) {
        (BrowserAsk::Classes, Ok(Answer::ListClasses(list))) => {
            state.set_class_list(list.classes);
            let wanted = state.wanted.take();
            let category = wanted.as_deref().and_then(|name| state.category_of(name));
            state.category_selected = state.category_row(category);
            state.show_category(wanted.as_deref());
            return show_selected(model);
        }
        (BrowserAsk::Class(name), Ok(Answer::Class(class))) => {
            if state.class_name() == Some(name.as_str()) {
                state.class = Some(class);
                select_wanted_method(state);
                return show_selected(model);
            }
        }
        (
            BrowserAsk::Method {
                class,
                selector,
                meta,
            },
            Ok(Answer::Method(method)),
        ) => {
            let current = state.method().map(|m| m.selector.as_str());
            if state.class_name() == Some(class.as_str())
                && current == Some(selector.as_str())
                && state.meta == meta
            {
                state.source = Some(method);
            }
        }
        (_, Ok(other)) => {
            let why = format!("Cannot browse: answered as {}", other.type_name());
            model.status.say(why);
        }
        (_, Err(error)) => model.status.say(format!("Cannot browse: {error}")),
    }
    vec![]
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::app::update::tests::connected_model;
    use crate::app::update::update as app_update;
    use crate::net::{BridgeCommand, NetEvent};
    use crate::ui::browser_edit::EditMsg;
    use crate::ui::{Msg, Scroll};

    /// A reply the real server gave, recorded in `tests/fixtures/browser`.
    pub(crate) fn recorded(name: &str) -> Answer {
        let path = format!(
            "{}/tests/fixtures/browser/{name}.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(path).expect("a recorded reply");
        let reply: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        let result = reply["result"].clone();
        match name {
            "classes_all" => Answer::ListClasses(serde_json::from_value(result).unwrap()),
            "ordered_collection" => Answer::Class(serde_json::from_value(result).unwrap()),
            "compiled" | "compiled_sum" => Answer::Compile(serde_json::from_value(result).unwrap()),
            "defined_point" => Answer::Evaluate(serde_json::from_value(result).unwrap()),
            _ => Answer::Method(serde_json::from_value(result).unwrap()),
        }
    }

    /// Browsing removeFirst, its source answered.
    pub(crate) fn on_remove_first() -> Model {
        let mut model = browsing();
        key(&mut model, BrowserMsg::Right);
        key(&mut model, BrowserMsg::Right);
        let mut asks = vec![];
        while state(&model).method().unwrap().selector != "removeFirst" {
            asks = sent(&key(&mut model, BrowserMsg::Move(Scroll::Down)));
        }
        answer(&mut model, &asks[0].0, "remove_first");
        model
    }

    /// `w` on removeFirst, then Accept in its workspace: the compile's id.
    fn accepting() -> (Model, String) {
        let mut model = on_remove_first();
        app_update(&mut model, Msg::BrowserEdit(EditMsg::InWorkspace));
        let asks = sent(&app_update(&mut model, Msg::Accept));
        (model, asks[0].0.clone())
    }

    #[test]
    fn w_on_a_method_opens_its_source_in_a_new_workspace() {
        let mut model = on_remove_first();
        let tabs = model.workspaces.tabs.len();
        app_update(&mut model, Msg::BrowserEdit(EditMsg::InWorkspace));
        assert!(model.tool.is_none(), "the browser closed");
        assert_eq!(model.focus, Focus::Workspace);
        assert_eq!(model.workspaces.tabs.len(), tabs + 1);
        let tab = model.workspaces.active_tab();
        assert_eq!(tab.name, "OrderedCollection>>removeFirst");
        assert!(
            model
                .view
                .editor
                .text()
                .starts_with("removeFirst\n\t\"Remove")
        );
    }

    #[test]
    fn opened_on_a_method_selects_it_once_the_class_is_described() {
        let mut model = connected_model();
        let wanted = (Some("OrderedCollection".into()), Some("removeFirst".into()));
        let asks = sent(&open_on(&mut model, wanted.0, wanted.1, false));
        answer(&mut model, &asks[0].0, "classes_all");
        let asks = sent(&answer(&mut model, &asks[1].0, "ordered_collection"));
        let state = state(&model);
        assert_eq!(state.category(), Some("Collections-Sequenceable"));
        assert_eq!(state.class_name(), Some("OrderedCollection"));
        assert_eq!(state.protocol(), Some("removing"));
        assert_eq!(state.column, Column::Methods);
        assert_eq!(state.method().unwrap().selector, "removeFirst");
        assert!(matches!(&asks[0].1, RequestBody::Method(p) if p.selector == "removeFirst"));
    }

    #[test]
    fn opened_on_a_class_side_method_shows_the_class_side() {
        let mut model = connected_model();
        let wanted = (Some("OrderedCollection".into()), Some("new:".into()));
        let asks = sent(&open_on(&mut model, wanted.0, wanted.1, true));
        let asks = sent(&answer(&mut model, &asks[1].0, "ordered_collection"));
        assert_eq!(state(&model).method().unwrap().selector, "new:");
        assert_eq!(state(&model).protocol(), Some("instance creation"));
        let RequestBody::Method(params) = &asks[0].1 else {
            panic!("{asks:?}");
        };
        assert_eq!(params.meta, Some(true));
        answer(&mut model, &asks[0].0, "new_colon");
        assert!(state(&model).source.as_ref().unwrap().meta);
    }

    #[test]
    fn enter_moves_right_until_a_method_is_selected() {
        let mut model = browsing();
        key(&mut model, BrowserMsg::Edit);
        assert_eq!(state(&model).column, Column::Protocols);
        let asks = sent(&key(&mut model, BrowserMsg::Edit));
        assert_eq!(state(&model).column, Column::Methods);
        assert!(matches!(&asks[0].1, RequestBody::Method(_)));
    }

    #[test]
    fn accept_compiles_the_text_in_the_class_its_workspace_names() {
        let mut model = on_remove_first();
        app_update(&mut model, Msg::BrowserEdit(EditMsg::InWorkspace));
        let text = model.view.editor.text();
        let asks = sent(&app_update(&mut model, Msg::Accept));
        let RequestBody::Compile(params) = &asks[0].1 else {
            panic!("{asks:?}");
        };
        assert_eq!(
            (params.class.as_str(), &params.source),
            ("OrderedCollection", &text)
        );
        assert_eq!(params.meta, None);
    }

    #[test]
    fn accept_elsewhere_says_where_it_works() {
        let mut model = connected_model();
        assert!(app_update(&mut model, Msg::Accept).is_empty());
        assert!(model.status.message().unwrap().contains("Class>>selector"));
    }

    #[test]
    fn a_compiled_method_is_named_in_the_status_bar() {
        let (mut model, id) = accepting();
        answer(&mut model, &id, "compiled");
        let said = model.status.message();
        assert_eq!(said, Some("Compiled OrderedCollection>>removeFirst"));
    }

    #[test]
    fn a_syntax_error_shows_with_a_caret_and_the_text_stays() {
        let (mut model, id) = accepting();
        let text = model.view.editor.text();
        let event = NetEvent::Reply {
            id,
            result: Err(recorded_error("syntax_error")),
            round_trip_us: 9,
        };
        app_update(&mut model, Msg::Net(event));
        let Some(TranscriptEntry::Error(error)) = model.transcript.last() else {
            panic!("no error in the transcript");
        };
        assert!(
            error.message.starts_with("Variable expected\n"),
            "{}",
            error.message
        );
        assert!(error.message.ends_with('^'), "{}", error.message);
        assert_eq!(model.view.editor.text(), text);
    }

    pub(crate) fn recorded_error(name: &str) -> ErrorObject {
        let path = format!(
            "{}/tests/fixtures/browser/{name}.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(path).expect("a recorded reply");
        let reply: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        serde_json::from_value(reply["error"].clone()).expect("an error")
    }

    /// The requests the effects send: (id, type name, params as JSON).
    pub(crate) fn sent(effects: &[Effect]) -> Vec<(String, RequestBody)> {
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

    pub(crate) fn answer(model: &mut Model, id: &str, name: &str) -> Vec<Effect> {
        let event = NetEvent::Reply {
            id: id.to_string(),
            result: Ok(recorded(name)),
            round_trip_us: 9,
        };
        app_update(model, Msg::Net(event))
    }

    pub(in crate::app) fn key(model: &mut Model, msg: BrowserMsg) -> Vec<Effect> {
        app_update(model, Msg::Browser(msg))
    }

    pub(crate) fn state(model: &Model) -> &BrowserState {
        match &model.tool {
            Some(Tool::Browser(state)) => state,
            _ => panic!("no browser"),
        }
    }

    /// Ctrl+B on `OrderedCollection`, the list and the class answered.
    pub(crate) fn browsing() -> Model {
        let mut model = connected_model().with_workspace("OrderedCollection new");
        let asks = sent(&app_update(&mut model, Msg::Browse));
        answer(&mut model, &asks[0].0, "classes_all");
        answer(&mut model, &asks[1].0, "ordered_collection");
        model
    }

    #[test]
    fn browse_asks_for_the_class_list_and_the_class_at_the_cursor() {
        let mut model = connected_model().with_workspace("OrderedCollection new");
        let asks = sent(&app_update(&mut model, Msg::Browse));
        assert!(matches!(&asks[0].1, RequestBody::ListClasses(_)));
        assert_eq!(
            asks[1].1,
            RequestBody::Class(ClassParams {
                name: "OrderedCollection".into()
            })
        );
        assert_eq!(model.focus, Focus::Tool);
        assert_eq!(state(&model).class_name(), Some("OrderedCollection"));
    }

    #[test]
    fn browse_on_no_class_name_opens_the_class_list_only() {
        let mut model = connected_model().with_workspace("3 + 4");
        let asks = sent(&app_update(&mut model, Msg::Browse));
        assert_eq!(asks.len(), 1);
        assert!(matches!(&asks[0].1, RequestBody::ListClasses(_)));
    }

    #[test]
    fn browse_while_disconnected_says_so() {
        let mut model = Model::new("tcp://127.0.0.1:5555", "s1");
        assert!(app_update(&mut model, Msg::Browse).is_empty());
        assert!(model.tool.is_none());
        assert!(model.status.message().unwrap().contains("Not connected"));
    }

    #[test]
    fn the_list_selects_the_category_and_the_class_browsed() {
        let model = browsing();
        let state = state(&model);
        assert_eq!(state.category(), Some("Collections-Sequenceable"));
        assert_eq!(state.classes.len(), 17, "the category's classes");
        assert_eq!(state.class_name(), Some("OrderedCollection"));
        assert_eq!(state.protocol(), None, "-- all --");
        assert!(state.methods().iter().any(|m| m.selector == "removeFirst"));
        assert_eq!(state.method(), None, "the definition shows");
    }

    #[test]
    fn opened_on_no_class_it_lists_every_class() {
        let mut model = connected_model().with_workspace("3 + 4");
        let asks = sent(&app_update(&mut model, Msg::Browse));
        answer(&mut model, &asks[0].0, "classes_all");
        let state = state(&model);
        assert_eq!(state.category_selected, 0, "all");
        assert_eq!(state.classes.len(), 386);
        assert_eq!(state.column, Column::Classes);
    }

    #[test]
    fn moving_in_the_classes_asks_for_the_class_selected() {
        let mut model = browsing();
        let asks = sent(&key(&mut model, BrowserMsg::Move(Scroll::Up)));
        let name = "LinkedList".to_string();
        assert_eq!(asks[0].1, RequestBody::Class(ClassParams { name }));
        assert_eq!(state(&model).class, None, "described again");
    }

    #[test]
    fn right_then_down_asks_for_the_method_and_shows_its_source() {
        let mut model = browsing();
        assert!(sent(&key(&mut model, BrowserMsg::Right)).is_empty());
        assert_eq!(state(&model).column, Column::Protocols);
        let asks = sent(&key(&mut model, BrowserMsg::Right));
        let first = state(&model).methods()[0].selector.clone();
        assert!(matches!(&asks[0].1, RequestBody::Method(m) if m.selector == first));
        let at = state(&model)
            .methods()
            .iter()
            .position(|m| m.selector == "removeFirst")
            .unwrap();
        let mut last = vec![];
        for _ in 0..at {
            last = sent(&key(&mut model, BrowserMsg::Move(Scroll::Down)));
        }
        // The first method's reply comes late: it is no longer selected.
        answer(&mut model, &asks[0].0, "remove_first");
        assert_eq!(state(&model).source, None);
        answer(&mut model, &last[0].0, "remove_first");
        let source = &state(&model).source.as_ref().unwrap().source;
        assert!(source.starts_with("removeFirst"), "{source}");
    }

    #[test]
    fn left_goes_back_to_the_definition() {
        let mut model = browsing();
        key(&mut model, BrowserMsg::Right);
        key(&mut model, BrowserMsg::Right);
        assert!(key(&mut model, BrowserMsg::Left).is_empty());
        assert_eq!(state(&model).column, Column::Protocols);
        assert_eq!(state(&model).method(), None);
        assert!(
            state(&model)
                .shown_text()
                .unwrap()
                .contains("variableSubclass:")
        );
    }

    #[test]
    fn letters_jump_to_the_first_class_starting_with_them() {
        let mut model = browsing();
        key(&mut model, BrowserMsg::Jump('l'));
        assert_eq!(state(&model).class_name(), Some("LargeArray"));
        key(&mut model, BrowserMsg::Jump('a'));
        key(&mut model, BrowserMsg::Jump('r'));
        let asks = sent(&key(&mut model, BrowserMsg::Jump('g')));
        assert_eq!(state(&model).class_name(), Some("LargeArray"));
        assert!(asks.is_empty(), "already asked for");
        for letter in "ebyt".chars() {
            key(&mut model, BrowserMsg::Jump(letter));
        }
        assert_eq!(state(&model).class_name(), Some("LargeByteArray"));
    }

    #[test]
    fn close_gives_the_focus_back() {
        let mut model = browsing();
        assert!(key(&mut model, BrowserMsg::Close).is_empty());
        assert!(model.tool.is_none());
        assert_eq!(model.focus, Focus::Workspace);
    }

    #[test]
    fn a_failed_request_says_why() {
        let mut model = connected_model().with_workspace("Nope");
        let asks = sent(&app_update(&mut model, Msg::Browse));
        let event = NetEvent::Reply {
            id: asks[1].0.clone(),
            result: Err(ErrorObject::new(
                crate::protocol::ErrorCode::NotFound,
                "no class Nope",
            )),
            round_trip_us: 9,
        };
        app_update(&mut model, Msg::Net(event));
        let said = model.status.message().unwrap();
        assert!(said.starts_with("Cannot browse:"), "{said}");
    }
}
