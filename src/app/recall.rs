//! The history part of the pure update: recording evaluated snippets and
//! bringing them back into the workspace. Saving is an effect.

use super::update::Effect;
use crate::ui::{HistorySearch, Model, SearchKey};

/// Record `code` as evaluated and have the runtime keep the history.
pub fn remember(model: &mut Model, code: &str) -> Effect {
    model.history.push(code.to_string());
    Effect::SaveHistory(model.history.snippets.clone())
}

/// Alt+Up / Alt+Down: the whole workspace text is replaced, as a REPL's
/// input line is; the text typed before comes back past the newest.
pub fn step(model: &mut Model, older: bool) {
    let current = model.view.editor.text();
    let recalled = if older {
        model.history.older(&current)
    } else {
        model.history.newer()
    };
    match recalled.map(str::to_string) {
        Some(text) => model.view.editor.set_text(&text),
        // Otherwise the key seems to do nothing at all.
        None if older => model.status.say("No older snippet in the history."),
        None => model
            .status
            .say("No newer snippet: this is the text typed before."),
    }
}

/// Ctrl+R: typing narrows to the newest snippet holding the text, Ctrl+R
/// again finds the next older one, Enter takes it, Esc leaves the text alone.
pub fn search(model: &mut Model, key: SearchKey) {
    let Some(mut search) = model.history_search.take() else {
        if key == SearchKey::Next {
            let found = model.history.find("", None);
            model.history_search = Some(HistorySearch {
                query: String::new(),
                found,
            });
        }
        return;
    };
    match key {
        SearchKey::Next => {
            if let Some(older) = model.history.find(&search.query, search.found) {
                search.found = Some(older);
            }
        }
        SearchKey::Type(c) => {
            search.query.push(c);
            search.found = model.history.find(&search.query, None);
        }
        SearchKey::Backspace => {
            search.query.pop();
            search.found = model.history.find(&search.query, None);
        }
        SearchKey::Accept => {
            if let Some(snippet) = search.found.map(|i| model.history.snippets[i].clone()) {
                model.view.editor.set_text(&snippet);
            }
            return;
        }
        SearchKey::Cancel => return,
    }
    model.history_search = Some(search);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::update;
    use crate::net::{BridgeCommand, NetEvent, ServerInfo};
    use crate::ui::{History, Msg};

    fn with_history(snippets: &[&str], text: &str) -> Model {
        let mut model = Model::new("tcp://127.0.0.1:5555", "s").with_workspace(text);
        model.history = History::new(snippets.iter().map(|s| s.to_string()).collect());
        model
    }

    fn text(model: &Model) -> String {
        model.view.editor.text()
    }

    #[test]
    fn recalling_past_either_end_says_so() {
        let mut model = with_history(&[], "typed");
        update(&mut model, Msg::HistoryOlder);
        assert_eq!(text(&model), "typed");
        assert_eq!(
            model.status.message(),
            Some("No older snippet in the history.")
        );
    }

    #[test]
    fn an_evaluation_is_remembered_and_saved_once_sent() {
        let mut model = with_history(&["3 + 4", "6 * 7"], "");
        let info = ServerInfo {
            server: "gst".into(),
            dialect: "gst".into(),
            dialect_version: "3.2".into(),
            address: model.address.clone(),
            pid: 1,
            backup: 0,
            instance: None,
            debugging: false,
            read_only: false,
        };
        update(
            &mut model,
            Msg::Net(NetEvent::Connected {
                info,
                round_trip_us: 1,
            }),
        );
        let effects = update(&mut model, Msg::Evaluate("3 + 4".into()));
        assert!(matches!(effects[1], Effect::Bridge(BridgeCommand::Send(_))));
        let saved = vec!["6 * 7".to_string(), "3 + 4".to_string()];
        assert_eq!(effects[2], Effect::SaveHistory(saved.clone()));
        assert_eq!(model.history.snippets, saved);
    }

    #[test]
    fn alt_up_and_down_recall_snippets_and_the_draft() {
        let mut model = with_history(&["a := 1", "b := 2"], "draft");
        update(&mut model, Msg::HistoryOlder);
        assert_eq!(text(&model), "b := 2");
        update(&mut model, Msg::HistoryOlder);
        update(&mut model, Msg::HistoryOlder);
        assert_eq!(text(&model), "a := 1");
        update(&mut model, Msg::HistoryNewer);
        update(&mut model, Msg::HistoryNewer);
        assert_eq!(text(&model), "draft");
        assert_eq!(model.view.editor.area.cursor(), (0, 5));
    }

    #[test]
    fn ctrl_r_types_finds_older_matches_and_enter_takes_one() {
        let mut model = with_history(&["x printNl", "y := 2", "x + y"], "draft");
        let key = |model: &mut Model, key| update(model, Msg::HistorySearch(key));
        key(&mut model, SearchKey::Next);
        assert_eq!(model.history_search.as_ref().unwrap().found, Some(2));
        key(&mut model, SearchKey::Type('x'));
        key(&mut model, SearchKey::Next);
        assert_eq!(model.history_search.as_ref().unwrap().found, Some(0));
        // No older match: the last one stays.
        key(&mut model, SearchKey::Next);
        assert_eq!(model.history_search.as_ref().unwrap().found, Some(0));
        key(&mut model, SearchKey::Type('z'));
        assert_eq!(model.history_search.as_ref().unwrap().found, None);
        key(&mut model, SearchKey::Backspace);
        assert_eq!(model.history_search.as_ref().unwrap().found, Some(2));
        assert_eq!(text(&model), "draft");
        assert!(key(&mut model, SearchKey::Accept).is_empty());
        assert_eq!(text(&model), "x + y");
        assert_eq!(model.history_search, None);
    }

    #[test]
    fn esc_leaves_the_workspace_alone() {
        let mut model = with_history(&["x printNl"], "draft");
        update(&mut model, Msg::HistorySearch(SearchKey::Next));
        update(&mut model, Msg::HistorySearch(SearchKey::Cancel));
        assert_eq!(model.history_search, None);
        assert_eq!(text(&model), "draft");
        // Keys for a closed prompt do nothing.
        update(&mut model, Msg::HistorySearch(SearchKey::Accept));
        assert_eq!(text(&model), "draft");
    }
}
