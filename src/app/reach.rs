//! Browse (Ctrl+B), senders (Ctrl+N) and implementors (Ctrl+M) from every
//! pane: what is "under the cursor" depends on the pane focused; where
//! nothing sensible is, a one-line prompt asks, prefilled with a guess.
//!
//! - workspace: the word at the cursor (or the selection);
//! - transcript: the matched (else newest) entry: its value's class, or a
//!   prompt with the last selector its code sends;
//! - inspector: the word at the end of the evaluate line while it is open,
//!   else the selected row's class (the object's if there is none), or a
//!   prompt with the selected field's name (an accessor, often);
//! - class browser: the selected method's selector, or a prompt with the
//!   superclass (Enter walks up the hierarchy);
//! - message list: the selected method's selector (senders of a sender,
//!   as in Pharo) or class.

use super::update::Effect;
use crate::ui::browser::BrowserState;
use crate::ui::inspector::{InspectorState, Row, Tool};
use crate::ui::messages::selector_at;
use crate::ui::reach::{Reach, ReachPrompt, class_at_end, class_to_browse, last_selector};
use crate::ui::{Focus, Model, PromptKey, TranscriptEntry};

/// What is under the cursor for `reach`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    /// A class or selector: go there at once.
    Name(String),
    /// Nothing sure: ask, with this guess in the prompt.
    Guess(String),
}

/// Ctrl+B, Ctrl+N, Ctrl+M in whatever pane has the focus.
pub fn reach(model: &mut Model, reach: Reach) -> Vec<Effect> {
    if !super::tools::connected_or_say(model) {
        return vec![];
    }
    let target = match (&model.focus, &model.tool) {
        // The workspace's Ctrl+B also opens the class list on no class name.
        (Focus::Workspace, _) if reach == Reach::Browse => return super::browser::open(model),
        (Focus::Workspace, _) => workspace_target(model),
        (Focus::Transcript, _) => transcript_target(model, reach),
        (Focus::Tool, Some(Tool::Inspector(state))) => inspector_target(state, reach),
        (Focus::Tool, Some(Tool::Browser(state))) => browser_target(state, reach),
        (Focus::Tool, Some(Tool::Messages(state))) => {
            name_or_ask(state.method().map(|method| match reach {
                Reach::Browse => method.class.clone(),
                Reach::Messages(_) => method.selector.clone(),
            }))
        }
        // The selected frame's class or selector.
        (Focus::Tool, Some(Tool::Debugger(_))) => {
            let frame = model.debuggers.active().and_then(|s| s.selected_frame());
            name_or_ask(frame.map(|frame| match reach {
                Reach::Browse => frame.class.clone(),
                Reach::Messages(_) => frame.selector.clone(),
            }))
        }
        (Focus::Tool, None) => Target::Guess(String::new()),
    };
    match target {
        Target::Name(name) => go(model, reach, name),
        Target::Guess(input) => {
            model.reach_prompt = Some(ReachPrompt { reach, input });
            vec![]
        }
    }
}

fn name_or_ask(name: Option<String>) -> Target {
    name.map_or(Target::Guess(String::new()), Target::Name)
}

/// The browser on `name`, or its list of senders or implementors.
fn go(model: &mut Model, reach: Reach, name: String) -> Vec<Effect> {
    match reach {
        Reach::Browse => super::browser::open_on(model, Some(name), None, false),
        Reach::Messages(kind) => super::messages::open(model, kind, name),
    }
}

fn workspace_target(model: &Model) -> Target {
    name_or_ask(super::messages::selector_at_cursor(&model.view.editor))
}

/// The value's class to browse; for a list, a prompt with the last
/// selector the entry's code sends.
fn transcript_target(model: &Model, reach: Reach) -> Target {
    let mut upward = model
        .transcript
        .iter()
        .take(super::transcript_actions::transcript_anchor(model) + 1)
        .rev();
    match reach {
        Reach::Browse => name_or_ask(upward.find_map(|entry| match entry {
            TranscriptEntry::Value { class, .. } => Some(class_to_browse(class)),
            _ => None,
        })),
        Reach::Messages(_) => Target::Guess(
            upward
                .find_map(|entry| match entry {
                    TranscriptEntry::Input { code } => Some(last_selector(code)),
                    _ => None,
                })
                .flatten()
                .unwrap_or_default(),
        ),
    }
}

fn inspector_target(state: &InspectorState, reach: Reach) -> Target {
    if let Some(line) = &state.prompt {
        let typed = match reach {
            Reach::Browse => class_at_end(line),
            Reach::Messages(_) => selector_at(line, line.chars().count()),
        };
        if let Some(name) = typed {
            return Target::Name(name);
        }
    }
    let Some(frame) = state.frame() else {
        return Target::Guess(String::new());
    };
    let row = frame.rows().get(frame.selected).copied();
    match reach {
        Reach::Browse => name_or_ask(
            row.map(|row| row_class(&row).to_string())
                .or(frame.value.as_ref().map(|value| value.class.clone()))
                .map(|class| class_to_browse(&class)),
        ),
        Reach::Messages(_) => Target::Guess(match row {
            Some(Row::Field(field)) => field.name.clone(),
            _ => String::new(),
        }),
    }
}

/// The selected method's selector; for Ctrl+B a prompt offering the
/// superclass (the class is browsed already).
fn browser_target(state: &BrowserState, reach: Reach) -> Target {
    // Editing, the source pane has a cursor: the name there, as in a workspace.
    if let Some(edit) = &state.edit {
        let under_cursor = match reach {
            Reach::Browse => super::browser::class_at_cursor(&edit.editor),
            Reach::Messages(_) => super::messages::selector_at_cursor(&edit.editor),
        };
        if let Some(name) = under_cursor {
            return Target::Name(name);
        }
    }
    match reach {
        Reach::Browse => Target::Guess(
            state
                .class
                .as_ref()
                .and_then(|class| class.superclass.clone())
                .or(state.class_name().map(str::to_string))
                .unwrap_or_default(),
        ),
        Reach::Messages(_) => name_or_ask(state.method().map(|m| m.selector.clone())),
    }
}

fn row_class<'a>(row: &Row<'a>) -> &'a str {
    match row {
        Row::Field(field) => &field.class,
        Row::Element(element) => &element.class,
    }
}

/// A key in the prompt: Enter goes to the name typed (`#` and spaces
/// aside); an empty name browses the class list, or lists nothing.
pub fn prompt_key(model: &mut Model, key: PromptKey) -> Vec<Effect> {
    let Some(prompt) = model.reach_prompt.as_mut() else {
        return vec![];
    };
    match key {
        PromptKey::Cancel => model.reach_prompt = None,
        PromptKey::Accept => {
            let Some(ReachPrompt { reach, input }) = model.reach_prompt.take() else {
                return vec![];
            };
            let name = input.trim().trim_start_matches('#').to_string();
            if !super::tools::connected_or_say(model) {
                return vec![];
            }
            return match (reach, name.is_empty()) {
                (Reach::Browse, true) => super::browser::open_on(model, None, None, false),
                (Reach::Messages(_), true) => vec![],
                (_, false) => go(model, reach, name),
            };
        }
        typing => {
            typing.edit(&mut prompt.input);
        }
    }
    vec![]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::inspector::tests::inspecting_collection;
    use crate::app::update::tests::connected_model;
    use crate::app::update::update as app_update;
    use crate::net::BridgeCommand;
    use crate::protocol::{ClassParams, ClassResult, MethodRef, RequestBody};
    use crate::ui::Msg;
    use crate::ui::browser::Column;
    use crate::ui::messages::{MessagesKind, MessagesState};

    const SENDERS: Reach = Reach::Messages(MessagesKind::Senders);

    fn press(model: &mut Model, reach: Reach) -> Vec<RequestBody> {
        let msg = match reach {
            Reach::Browse => Msg::Browse,
            Reach::Messages(kind) => Msg::Messages(kind),
        };
        bodies(&app_update(model, msg))
    }

    fn bodies(effects: &[Effect]) -> Vec<RequestBody> {
        effects
            .iter()
            .filter_map(|effect| match effect {
                Effect::Bridge(BridgeCommand::Send(request)) => Some(request.body.clone()),
                _ => None,
            })
            .collect()
    }

    fn type_in(model: &mut Model, text: &str) -> Vec<RequestBody> {
        let mut sent = vec![];
        for c in text.chars() {
            sent.extend(bodies(&app_update(
                model,
                Msg::ReachPrompt(PromptKey::Type(c)),
            )));
        }
        sent
    }

    fn enter(model: &mut Model) -> Vec<RequestBody> {
        bodies(&app_update(model, Msg::ReachPrompt(PromptKey::Accept)))
    }

    fn class(name: &str) -> RequestBody {
        RequestBody::Class(ClassParams { name: name.into() })
    }

    fn senders_of(bodies: &[RequestBody]) -> Option<&str> {
        bodies.iter().find_map(|body| match body {
            RequestBody::Senders(params) => Some(params.selector.as_str()),
            _ => None,
        })
    }

    fn prompt(model: &Model) -> (Reach, &str) {
        let prompt = model.reach_prompt.as_ref().expect("the prompt");
        (prompt.reach, prompt.input.as_str())
    }

    /// `3 printString` evaluated, its value in the transcript, which has the focus.
    fn in_the_transcript(class: &str) -> Model {
        let mut model = connected_model();
        model.transcript.push(TranscriptEntry::Input {
            code: "3 printString".into(),
        });
        model.transcript.push(TranscriptEntry::Value {
            print: "'3'".into(),
            class: class.into(),
            truncated: false,
            duration_us: 1,
            handle: None,
        });
        model.focus = Focus::Transcript;
        model
    }

    #[test]
    fn nothing_at_the_workspace_cursor_asks_and_enter_lists_what_was_typed() {
        let mut model = connected_model().with_workspace("   ");
        assert!(press(&mut model, SENDERS).is_empty());
        assert_eq!(prompt(&model), (SENDERS, ""));
        assert!(type_in(&mut model, "#printOn:").is_empty());
        let sent = enter(&mut model);
        assert_eq!(senders_of(&sent), Some("printOn:"));
        assert!(model.reach_prompt.is_none());
        assert!(matches!(model.tool, Some(Tool::Messages(_))));
        assert_eq!(model.focus, Focus::Tool);
    }

    #[test]
    fn the_prompt_edits_and_esc_cancels_without_asking() {
        let mut model = connected_model().with_workspace("");
        press(&mut model, SENDERS);
        type_in(&mut model, "ab");
        app_update(&mut model, Msg::ReachPrompt(PromptKey::Backspace));
        assert_eq!(prompt(&model).1, "a");
        app_update(&mut model, Msg::ReachPrompt(PromptKey::Clear));
        assert_eq!(prompt(&model).1, "");
        let cancelled = bodies(&app_update(&mut model, Msg::ReachPrompt(PromptKey::Cancel)));
        assert!(cancelled.is_empty() && model.reach_prompt.is_none());
        assert!(model.tool.is_none());
    }

    #[test]
    fn in_the_transcript_browse_takes_the_value_class_and_senders_offer_the_last_selector() {
        let mut model = in_the_transcript("String");
        assert!(press(&mut model, Reach::Browse).contains(&class("String")));
        let mut model = in_the_transcript("String");
        press(&mut model, SENDERS);
        assert_eq!(prompt(&model), (SENDERS, "printString"));
        assert_eq!(senders_of(&enter(&mut model)), Some("printString"));
    }

    #[test]
    fn a_class_value_browses_the_class_itself() {
        let mut model = in_the_transcript("OrderedCollection class");
        assert!(press(&mut model, Reach::Browse).contains(&class("OrderedCollection")));
    }

    #[test]
    fn in_the_inspector_the_selected_row_gives_the_class_and_its_name_the_guess() {
        // OrderedCollection (3 4 ): firstIndex, a SmallInteger, selected.
        let mut model = inspecting_collection();
        assert!(press(&mut model, Reach::Browse).contains(&class("SmallInteger")));
        let mut model = inspecting_collection();
        press(&mut model, Reach::Messages(MessagesKind::Implementors));
        let implementors = Reach::Messages(MessagesKind::Implementors);
        assert_eq!(prompt(&model), (implementors, "firstIndex"));
    }

    #[test]
    fn the_inspector_evaluate_line_names_the_class_or_selector_at_its_end() {
        let mut model = inspecting_collection();
        if let Some(Tool::Inspector(state)) = &mut model.tool {
            state.prompt = Some("self isKindOf: Set".into());
        }
        assert!(press(&mut model, Reach::Browse).contains(&class("Set")));
        let mut model = inspecting_collection();
        if let Some(Tool::Inspector(state)) = &mut model.tool {
            state.prompt = Some("self inject: 0 into:".into());
        }
        assert_eq!(
            senders_of(&press(&mut model, SENDERS)),
            Some("inject:into:")
        );
    }

    fn in_the_browser(column: Column) -> Model {
        let mut model = connected_model();
        let path = format!(
            "{}/tests/fixtures/browser/ordered_collection.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let reply: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let described: ClassResult = serde_json::from_value(reply["result"].clone()).unwrap();
        model.tool = Some(Tool::Browser(Box::new(BrowserState {
            classes: vec!["OrderedCollection".into()],
            class: Some(described),
            column,
            ..BrowserState::default()
        })));
        model.focus = Focus::Tool;
        model
    }

    #[test]
    fn in_the_browser_senders_of_the_selected_method_and_browse_offers_the_superclass() {
        let mut model = in_the_browser(Column::Methods);
        let first = match &model.tool {
            Some(Tool::Browser(state)) => state.methods()[0].selector.clone(),
            _ => unreachable!(),
        };
        assert_eq!(
            senders_of(&press(&mut model, SENDERS)),
            Some(first.as_str())
        );
        let mut model = in_the_browser(Column::Classes);
        press(&mut model, SENDERS);
        assert_eq!(prompt(&model), (SENDERS, ""));
        let mut model = in_the_browser(Column::Classes);
        press(&mut model, Reach::Browse);
        assert_eq!(prompt(&model), (Reach::Browse, "SequenceableCollection"));
        assert!(enter(&mut model).contains(&class("SequenceableCollection")));
    }

    #[test]
    fn an_empty_browse_prompt_opens_the_class_list() {
        let mut model = in_the_browser(Column::Classes);
        press(&mut model, Reach::Browse);
        app_update(&mut model, Msg::ReachPrompt(PromptKey::Clear));
        let sent = enter(&mut model);
        assert!(
            matches!(sent[..], [RequestBody::ListClasses(_)]),
            "{sent:?}"
        );
    }

    #[test]
    fn in_a_message_list_the_selected_method_gives_both() {
        let sender = MethodRef {
            class: "Bag".into(),
            selector: "storeOn:".into(),
            meta: false,
        };
        let list = |model: &mut Model| {
            let mut state = MessagesState::searching(
                MessagesKind::Senders,
                "printOn:".into(),
                Focus::Workspace,
            );
            state.methods = Some(vec![sender.clone()]);
            state.total = 1;
            model.tool = Some(Tool::Messages(state));
            model.focus = Focus::Tool;
        };
        let mut model = connected_model();
        list(&mut model);
        // Senders of a sender, as in Pharo.
        assert_eq!(senders_of(&press(&mut model, SENDERS)), Some("storeOn:"));
        list(&mut model);
        assert!(press(&mut model, Reach::Browse).contains(&class("Bag")));
    }

    #[test]
    fn not_connected_says_so_and_asks_nothing() {
        let mut model = Model::new("tcp://127.0.0.1:1", "s").with_workspace("");
        model.focus = Focus::Transcript;
        assert!(press(&mut model, SENDERS).is_empty());
        assert!(model.reach_prompt.is_none());
    }
}
