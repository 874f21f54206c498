//! Editing in the class browser's source pane: a method's source, the new
//! method template or the class definition template; accepting compiles
//! the method (`compile`, in its class, side and protocol) or evaluates the
//! class definition (`evaluate`), then browses what it made. An error
//! stays in the pane with a caret under its place, the edit intact.

use super::update::Effect;
use crate::net::Answer;
use crate::protocol::{CompileParams, ErrorObject, EvaluateParams, RequestBody};
use crate::ui::browser::{BrowserState, Column, method_label};
use crate::ui::browser_edit::{
    BrowserEdit, EditAsk, EditError, EditMsg, EditTarget, METHOD_TEMPLATE, UNCLASSIFIED,
    class_template,
};
use crate::ui::inspector::Tool;
use crate::ui::{Model, Purpose};

pub fn update(model: &mut Model, msg: EditMsg) -> Vec<Effect> {
    match msg {
        EditMsg::InWorkspace => return in_workspace(model),
        EditMsg::NewMethod => new_method(model),
        EditMsg::NewClass => new_class(model),
        EditMsg::Key(key) => {
            let type_key = |model: &mut Model| edit_text(model, |edit| edit.editor.key(&key));
            return super::completion::edit(model, key, type_key);
        }
        EditMsg::Paste(text) => edit_text(model, |edit| edit.editor.paste(&text)),
        EditMsg::Command(command) => {
            let clipboard = model.system_clipboard;
            let mut effects = vec![];
            edit_text(model, |edit| {
                effects = super::editing::apply(&mut edit.editor, command, clipboard);
            });
            return effects;
        }
        EditMsg::Accept => return accept(model),
        EditMsg::Cancel => cancel(model),
        EditMsg::Discard(yes) => discard(model, yes),
    }
    vec![]
}

fn browser(model: &mut Model) -> Option<&mut BrowserState> {
    match &mut model.tool {
        Some(Tool::Browser(state)) => Some(state),
        _ => None,
    }
}

/// Where the open edit is kept: the browser's pane, or the debugger's
/// selected frame (`ui::browser_edit::open_edit`).
fn edit_slot(model: &mut Model) -> Option<&mut Option<Box<BrowserEdit>>> {
    match &mut model.tool {
        Some(Tool::Browser(state)) => Some(&mut state.edit),
        Some(Tool::Debugger(_)) => Some(&mut model.debuggers.active_mut()?.edit),
        _ => None,
    }
}

fn edit_of(model: &mut Model) -> Option<&mut BrowserEdit> {
    edit_slot(model)?.as_deref_mut()
}

/// Whether the browser's source pane edits: its selection stays put.
pub fn holds_selection(model: &Model) -> bool {
    matches!(&model.tool, Some(Tool::Browser(state)) if state.edit.is_some())
}

/// Enter on a method: its source in the pane, to edit.
pub fn edit_method(model: &mut Model) {
    let Some(state) = browser(model) else {
        return;
    };
    let Some(source) = state.source.as_ref().filter(|_| state.method().is_some()) else {
        model.status.say("The source has not come yet.");
        return;
    };
    let target = EditTarget::Method {
        class: source.class.clone(),
        meta: source.meta,
        selector: Some(source.selector.clone()),
        protocol: source.protocol.clone(),
    };
    state.edit = Some(Box::new(BrowserEdit::new(target, &source.source)));
}

/// The selected method's source in a new workspace named `Class>>selector`,
/// where Accept compiles it.
fn in_workspace(model: &mut Model) -> Vec<Effect> {
    let Some(state) = browser(model) else {
        return vec![];
    };
    // While it edits: the edit's text as it is, changed or not.
    if let Some(edit) = state.edit.take() {
        let mut effects = edit_to_workspace(model, &edit);
        effects.extend(super::browser::close(model));
        return effects;
    }
    let Some(source) = state.source.clone().filter(|_| state.method().is_some()) else {
        model
            .status
            .say("Select a method whose source has come first.");
        return vec![];
    };
    let name = method_label(&source.class, source.meta, &source.selector);
    let mut effects = super::browser::close(model);
    effects.extend(super::workspaces::open_text(model, &name, &source.source));
    effects
}

/// The new method template, for the class selected (in the protocol of the
/// method selected).
fn new_method(model: &mut Model) {
    let Some(state) = browser(model) else {
        return;
    };
    let Some(class) = state.class.as_ref().map(|class| class.name.clone()) else {
        model.status.say("Select a class first.");
        return;
    };
    // The selected method's protocol, else the protocol selected.
    let protocol = match state.method() {
        Some(method) => method.protocol.clone(),
        None => state.protocol().map(str::to_string),
    };
    let target = EditTarget::Method {
        class,
        meta: state.meta,
        selector: None,
        protocol: Some(protocol.unwrap_or_else(|| UNCLASSIFIED.to_string())),
    };
    state.edit = Some(Box::new(BrowserEdit::new(target, METHOD_TEMPLATE)));
}

/// The class definition template, under the class selected, in its category.
fn new_class(model: &mut Model) {
    let Some(state) = browser(model) else {
        return;
    };
    let superclass = state.class_name().unwrap_or("Object").to_string();
    let category = state
        .class
        .as_ref()
        .filter(|class| class.name == superclass)
        .and_then(|class| class.category.clone())
        .unwrap_or_default();
    let text = class_template(&superclass, &category);
    state.edit = Some(Box::new(BrowserEdit::new(
        EditTarget::ClassDefinition,
        &text,
    )));
}

/// Change the text; an error shown is of the text before, and goes once
/// the text changes.
fn edit_text(model: &mut Model, change: impl FnOnce(&mut BrowserEdit)) {
    let Some(edit) = edit_of(model) else {
        return;
    };
    if edit.asking_discard {
        return;
    }
    let before = edit.editor.text();
    change(edit);
    if edit.editor.text() != before {
        edit.error = None;
    }
}

/// Ctrl+S (Alt+A): compile the method, or evaluate the class definition.
fn accept(model: &mut Model) -> Vec<Effect> {
    let Some(edit) = edit_of(model) else {
        let how = "Nothing to accept: Enter edits a method, n makes a new one, N a class.";
        model.status.say(how);
        return vec![];
    };
    if edit.accepting {
        model
            .status
            .say("Still accepting: the server has not answered.");
        return vec![];
    }
    if !super::tools::connected_or_say(model) {
        return vec![];
    }
    let Some(edit) = edit_of(model) else {
        return vec![];
    };
    edit.accepting = true;
    let code = edit.editor.text();
    let (ask, body) = match &edit.target {
        EditTarget::Method {
            class,
            meta,
            protocol,
            ..
        } => {
            let body = RequestBody::Compile(CompileParams {
                class: class.clone(),
                source: code.clone(),
                protocol: protocol.clone(),
                meta: meta.then_some(true),
            });
            let class = class.clone();
            (EditAsk::Compile { class, code }, body)
        }
        EditTarget::ClassDefinition => {
            let body = RequestBody::Evaluate(EvaluateParams {
                code: code.clone(),
                timeout_ms: Some(model.evaluation_timeout_ms),
                print_limit: None,
                receiver: None,
                debug: None,
            });
            (EditAsk::Define { code }, body)
        }
    };
    vec![super::tools::request(
        model,
        Purpose::BrowserEdit(ask),
        body,
    )]
}

/// Esc: leave an unchanged edit; ask before discarding a changed one.
fn cancel(model: &mut Model) {
    let Some(slot) = edit_slot(model) else {
        return;
    };
    match slot.as_deref_mut() {
        Some(edit) if edit.modified() => edit.asking_discard = true,
        _ => *slot = None,
    }
}

fn discard(model: &mut Model, yes: bool) {
    let Some(slot) = edit_slot(model) else {
        return;
    };
    if yes {
        *slot = None;
        model.status.say("The edit was discarded.");
    } else if let Some(edit) = slot.as_deref_mut() {
        edit.asking_discard = false;
    }
}

/// Another tool takes the lower pane, or STUI quits: a changed edit goes
/// to a new workspace rather than away (Accept there still compiles a method).
pub fn keep_in_workspace(model: &mut Model) -> Vec<Effect> {
    let Some(state) = browser(model) else {
        return vec![];
    };
    let Some(edit) = state.edit.take().filter(|edit| edit.modified()) else {
        return vec![];
    };
    edit_to_workspace(model, &edit)
}

/// The edit's text in a new workspace named after what it edits.
fn edit_to_workspace(model: &mut Model, edit: &BrowserEdit) -> Vec<Effect> {
    let name = match &edit.target {
        EditTarget::Method {
            class, selector, ..
        } => format!("{class}>>{}", selector.as_deref().unwrap_or("new")),
        EditTarget::ClassDefinition => "new class".to_string(),
    };
    let effects = super::workspaces::open_text(model, &name, &edit.editor.text());
    let name = &model.workspaces.active_tab().name;
    let said = format!("The browser's edit, not accepted, is kept in the workspace {name}.");
    model.status.say(said);
    effects
}

/// A reply to an accept.
pub fn reply(model: &mut Model, ask: EditAsk, result: Result<Answer, ErrorObject>) -> Vec<Effect> {
    if let Some(edit) = edit_of(model) {
        edit.accepting = false;
    }
    match (ask, result) {
        (EditAsk::Compile { class, code }, Ok(Answer::Compile(done))) => {
            compiled(model, &class, &code, done.selector)
        }
        (EditAsk::Define { code }, Ok(Answer::Evaluate(value))) => {
            match value.class.strip_suffix(" class") {
                Some(name) if name == value.print => defined(model, &code, value.print),
                _ => {
                    let text = format!("This defines no class: it answered {}.", value.print);
                    show_error(model, &code, EditError { text, at: None });
                    vec![]
                }
            }
        }
        (ask, Ok(other)) => {
            let text = format!("Not accepted: answered as {}", other.type_name());
            let (EditAsk::Compile { code, .. } | EditAsk::Define { code }) = ask;
            show_error(model, &code, EditError { text, at: None });
            vec![]
        }
        (EditAsk::Compile { code, .. } | EditAsk::Define { code }, Err(error)) => {
            let at = super::diagnostics::position(&error).map(|(line, col)| (line - 1, col - 1));
            let text = super::diagnostics::with_caret(error, &code).to_string();
            show_error(model, &code, EditError { text, at });
            vec![]
        }
    }
}

/// The request failed (no reply): the edit stays, to accept again.
pub fn failed(model: &mut Model, reason: &str) {
    if let Some(edit) = edit_of(model) {
        edit.accepting = false;
    }
    model.status.say(format!("Not accepted: {reason}"));
}

/// The error in the pane, the cursor at its place if the text is still
/// the one accepted.
fn show_error(model: &mut Model, code: &str, error: EditError) {
    model
        .status
        .say("Not accepted: the error is shown below the text.");
    let Some(edit) = edit_of(model) else {
        return;
    };
    if edit.editor.text() == code
        && let Some(at) = error.at
    {
        edit.editor.place_cursor(at);
    }
    edit.error = Some(error);
}

/// Leave an edit whose text was accepted (not one changed since).
fn finish(state: &mut BrowserState, code: &str) {
    if state
        .edit
        .as_ref()
        .is_some_and(|edit| edit.editor.text() == code)
    {
        state.edit = None;
    }
}

/// The method is compiled: browse it (the class described again, the
/// method selected and its source shown).
fn compiled(model: &mut Model, class: &str, code: &str, selector: String) -> Vec<Effect> {
    model.status.say(format!("Compiled {class}>>{selector}"));
    if matches!(model.tool, Some(Tool::Debugger(_))) {
        return super::debugger::compiled(model, code);
    }
    let Some(state) = browser(model) else {
        return vec![];
    };
    finish(state, code);
    if state.class_name() != Some(class) {
        return vec![];
    }
    state.class = None;
    state.source = None;
    state.wanted_method = Some(selector);
    vec![super::browser::class_request(model, class.to_string())]
}

/// The class is defined: list the classes again and browse it.
fn defined(model: &mut Model, code: &str, name: String) -> Vec<Effect> {
    model.status.say(format!("Defined {name}"));
    let Some(state) = browser(model) else {
        return vec![];
    };
    finish(state, code);
    state.wanted = Some(name);
    state.column = Column::Classes;
    vec![super::browser::ask_classes(model)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::browser::tests::{
        answer, browsing, on_remove_first, recorded_error, sent, state,
    };
    use crate::app::update::update as app_update;
    use crate::net::NetEvent;
    use crate::protocol::ListClassesResult;
    use crate::ui::browser::BrowserMsg;
    use crate::ui::{EditCommand, Focus, Msg, Scroll};
    use tuirealm::event::{Key, KeyEvent, KeyModifiers};

    const SUM_WITH_AN_ERROR: &str = "sum\n\t\"The sum of the coordinates\"\n\n\t^ x + ";

    fn edit_msg(model: &mut Model, msg: EditMsg) -> Vec<Effect> {
        app_update(model, Msg::BrowserEdit(msg))
    }

    fn typing(model: &mut Model, text: &str) {
        for c in text.chars() {
            let key = KeyEvent::new(Key::Char(c), KeyModifiers::NONE);
            edit_msg(model, EditMsg::Key(key));
        }
    }

    fn edit(model: &Model) -> &BrowserEdit {
        state(model).edit.as_deref().expect("an edit")
    }

    fn fail(model: &mut Model, id: &str, name: &str) {
        let event = NetEvent::Reply {
            id: id.to_string(),
            result: Err(recorded_error(name)),
            round_trip_us: 9,
        };
        app_update(model, Msg::Net(event));
    }

    /// Enter on removeFirst: its source in the pane.
    fn editing_remove_first() -> Model {
        let mut model = on_remove_first();
        app_update(&mut model, Msg::Browser(BrowserMsg::Edit));
        model
    }

    #[test]
    fn enter_on_a_method_edits_its_source_in_the_browser() {
        let model = editing_remove_first();
        assert_eq!(model.focus, Focus::Tool);
        let edit = edit(&model);
        assert!(edit.editor.text().starts_with("removeFirst\n\t\"Remove"));
        assert_eq!(edit.label(), "OrderedCollection>>removeFirst · removing");
        assert!(!edit.modified());
    }

    #[test]
    fn while_it_edits_the_selection_stays_and_keys_edit_the_text() {
        let mut model = editing_remove_first();
        let selected = state(&model).method_selected;
        typing(&mut model, "x");
        assert!(edit(&model).modified());
        let moved = app_update(&mut model, Msg::Browser(BrowserMsg::Move(Scroll::Down)));
        assert!(moved.is_empty());
        assert_eq!(state(&model).method_selected, selected);
        assert!(edit(&model).editor.text().starts_with("xremoveFirst"));
        edit_msg(&mut model, EditMsg::Command(EditCommand::Undo));
        assert!(!edit(&model).modified());
        edit_msg(&mut model, EditMsg::Paste("y".into()));
        assert!(edit(&model).editor.text().starts_with("yremoveFirst"));
    }

    #[test]
    fn accept_compiles_in_the_methods_class_and_protocol_then_browses_it() {
        let mut model = editing_remove_first();
        let text = edit(&model).editor.text();
        let asks = sent(&edit_msg(&mut model, EditMsg::Accept));
        let RequestBody::Compile(params) = &asks[0].1 else {
            panic!("{asks:?}");
        };
        assert_eq!(params.class, "OrderedCollection");
        assert_eq!(params.source, text);
        assert_eq!(params.protocol.as_deref(), Some("removing"));
        assert_eq!(params.meta, None);
        assert!(edit(&model).accepting);
        let asks = sent(&answer(&mut model, &asks[0].0, "compiled"));
        let said = model.status.message();
        assert_eq!(said, Some("Compiled OrderedCollection>>removeFirst"));
        assert_eq!(state(&model).edit, None, "back to browsing");
        assert!(matches!(&asks[0].1, RequestBody::Class(c) if c.name == "OrderedCollection"));
        let asks = sent(&answer(&mut model, &asks[0].0, "ordered_collection"));
        assert_eq!(state(&model).method().unwrap().selector, "removeFirst");
        assert!(matches!(&asks[0].1, RequestBody::Method(m) if m.selector == "removeFirst"));
    }

    #[test]
    fn a_syntax_error_shows_in_the_pane_at_its_place_and_the_edit_stays() {
        let mut model = browsing();
        edit_msg(&mut model, EditMsg::NewMethod);
        edit_msg(&mut model, EditMsg::Command(EditCommand::SelectAll));
        edit_msg(&mut model, EditMsg::Paste(SUM_WITH_AN_ERROR.into()));
        let text = edit(&model).editor.text();
        let asks = sent(&edit_msg(&mut model, EditMsg::Accept));
        // What the real server answered to this text.
        fail(&mut model, &asks[0].0, "sum_error");
        let edit_now = edit(&model);
        let error = edit_now.error.as_ref().expect("an error");
        assert_eq!(error.at, Some((3, 7)), "line 4, column 8");
        assert!(error.text.contains("Variable expected"), "{}", error.text);
        assert!(
            error.text.ends_with("\n    \t^ x +\n    \t      ^"),
            "{:?}",
            error.text
        );
        assert_eq!(edit_now.editor.area.cursor(), (3, 7));
        assert_eq!(edit_now.editor.text(), text);
        assert!(!edit_now.accepting);
        // Typing makes the error one of an older text: it goes.
        typing(&mut model, "z");
        assert_eq!(edit(&model).error, None);
    }

    #[test]
    fn esc_leaves_an_unchanged_edit_and_asks_before_discarding_a_changed_one() {
        let mut model = editing_remove_first();
        edit_msg(&mut model, EditMsg::Cancel);
        assert_eq!(state(&model).edit, None);
        app_update(&mut model, Msg::Browser(BrowserMsg::Edit));
        typing(&mut model, "x");
        edit_msg(&mut model, EditMsg::Cancel);
        assert!(edit(&model).asking_discard);
        typing(&mut model, "q");
        assert!(
            edit(&model).editor.text().starts_with("xremoveFirst"),
            "no typing while asked"
        );
        edit_msg(&mut model, EditMsg::Discard(false));
        assert!(!edit(&model).asking_discard);
        assert!(edit(&model).modified(), "kept");
        edit_msg(&mut model, EditMsg::Cancel);
        edit_msg(&mut model, EditMsg::Discard(true));
        assert_eq!(state(&model).edit, None);
        assert!(state(&model).source.is_some(), "the source shows again");
    }

    #[test]
    fn a_new_method_is_made_from_the_template_in_the_selected_methods_protocol() {
        let mut model = browsing();
        edit_msg(&mut model, EditMsg::NewMethod);
        assert_eq!(edit(&model).editor.text(), METHOD_TEMPLATE);
        assert_eq!(
            edit(&model).label(),
            "OrderedCollection>>(new method) · as yet unclassified"
        );
        let mut model = on_remove_first();
        edit_msg(&mut model, EditMsg::NewMethod);
        edit_msg(&mut model, EditMsg::Command(EditCommand::SelectAll));
        edit_msg(&mut model, EditMsg::Paste("sum\n\t^ 3 + 4".into()));
        let asks = sent(&edit_msg(&mut model, EditMsg::Accept));
        let RequestBody::Compile(params) = &asks[0].1 else {
            panic!("{asks:?}");
        };
        assert_eq!(params.source, "sum\n\t^ 3 + 4");
        assert_eq!(params.protocol.as_deref(), Some("removing"));
        answer(&mut model, &asks[0].0, "compiled_sum");
        assert_eq!(
            model.status.message(),
            Some("Compiled OrderedCollection>>sum")
        );
        assert_eq!(state(&model).wanted_method.as_deref(), Some("sum"));
    }

    /// `N` on OrderedCollection, then Accept: the evaluate's id.
    fn defining() -> (Model, String) {
        let mut model = browsing();
        edit_msg(&mut model, EditMsg::NewClass);
        let asks = sent(&edit_msg(&mut model, EditMsg::Accept));
        let RequestBody::Evaluate(params) = &asks[0].1 else {
            panic!("{asks:?}");
        };
        assert_eq!(params.code, edit(&model).editor.text());
        (model, asks[0].0.clone())
    }

    #[test]
    fn the_class_template_names_the_selected_class_and_its_category() {
        let mut model = browsing();
        edit_msg(&mut model, EditMsg::NewClass);
        let text = edit(&model).editor.text();
        assert_eq!(
            text,
            class_template("OrderedCollection", "Collections-Sequenceable")
        );
        assert!(text.starts_with("OrderedCollection subclass: #NameOfSubclass\n"));
    }

    #[test]
    fn a_defined_class_is_listed_again_and_browsed() {
        let (mut model, id) = defining();
        let asks = sent(&answer(&mut model, &id, "defined_point"));
        assert_eq!(model.status.message(), Some("Defined StuiPoint"));
        assert_eq!(state(&model).edit, None);
        assert!(matches!(&asks[0].1, RequestBody::ListClasses(_)));
        let mut list: ListClassesResult = match crate::app::browser::tests::recorded("classes_all")
        {
            Answer::ListClasses(list) => list,
            other => panic!("{other:?}"),
        };
        let point = crate::protocol::ClassSummary {
            name: "StuiPoint".into(),
            superclass: Some("Object".into()),
            category: None,
        };
        list.classes.push(point);
        let event = NetEvent::Reply {
            id: asks[0].0.clone(),
            result: Ok(Answer::ListClasses(list)),
            round_trip_us: 9,
        };
        let asks = sent(&app_update(&mut model, Msg::Net(event)));
        assert_eq!(state(&model).class_name(), Some("StuiPoint"));
        assert!(matches!(&asks[0].1, RequestBody::Class(c) if c.name == "StuiPoint"));
    }

    #[test]
    fn an_error_in_a_class_definition_stays_with_the_edit() {
        let (mut model, id) = defining();
        let text = edit(&model).editor.text();
        fail(&mut model, &id, "define_error");
        let error = edit(&model).error.clone().expect("an error");
        assert!(error.text.contains("Unterminated string"), "{}", error.text);
        assert_eq!(edit(&model).editor.text(), text);
    }

    #[test]
    fn another_tool_keeps_a_changed_edit_in_a_new_workspace() {
        let mut model = editing_remove_first();
        typing(&mut model, "x");
        let tabs = model.workspaces.tabs.len();
        // Senders of the selector at the edit's cursor replace the browser.
        app_update(
            &mut model,
            Msg::Messages(crate::ui::messages::MessagesKind::Senders),
        );
        assert!(matches!(model.tool, Some(Tool::Messages(_))));
        assert_eq!(model.workspaces.tabs.len(), tabs + 1);
        assert_eq!(
            model.workspaces.active_tab().name,
            "OrderedCollection>>removeFirst"
        );
        assert!(model.view.editor.text().starts_with("xremoveFirst"));
        assert!(
            model
                .status
                .message()
                .unwrap()
                .contains("kept in the workspace")
        );
    }

    #[test]
    fn alt_w_while_editing_takes_the_edit_as_it_is_into_a_workspace() {
        let mut model = editing_remove_first();
        typing(&mut model, "x");
        edit_msg(&mut model, EditMsg::InWorkspace);
        assert!(model.tool.is_none(), "the browser closed");
        assert_eq!(
            model.workspaces.active_tab().name,
            "OrderedCollection>>removeFirst"
        );
        assert!(model.view.editor.text().starts_with("xremoveFirst"));
    }

    #[test]
    fn quitting_saves_a_changed_edit_as_a_workspace() {
        let mut model = editing_remove_first();
        typing(&mut model, "x");
        let effects = app_update(&mut model, Msg::Quit);
        let saved = effects.iter().any(|effect| {
            matches!(effect, Effect::SaveWorkspace { path, text }
                if text.starts_with("xremoveFirst")
                    && path.to_string_lossy().contains("removeFirst"))
        });
        assert!(saved, "{effects:?}");
    }

    #[test]
    fn accept_without_an_edit_says_how_to_edit() {
        let mut model = browsing();
        assert!(edit_msg(&mut model, EditMsg::Accept).is_empty());
        assert!(
            model
                .status
                .message()
                .unwrap()
                .starts_with("Nothing to accept")
        );
    }

    #[test]
    fn a_failed_accept_can_be_sent_again() {
        let mut model = editing_remove_first();
        let asks = sent(&edit_msg(&mut model, EditMsg::Accept));
        assert!(
            sent(&edit_msg(&mut model, EditMsg::Accept)).is_empty(),
            "one at a time"
        );
        let failed = NetEvent::Failed {
            id: asks[0].0.clone(),
            reason: "no reply".into(),
        };
        app_update(&mut model, Msg::Net(failed));
        assert_eq!(model.status.message(), Some("Not accepted: no reply"));
        assert_eq!(sent(&edit_msg(&mut model, EditMsg::Accept)).len(), 1);
    }
}
