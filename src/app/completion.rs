//! Completion's messages: when to ask the server (`complete`), which
//! replies still fit the text, and the popup's keys. Nothing here waits:
//! typing goes on while a request is in flight.

use std::time::Instant;

use super::update::Effect;
use crate::net::{Answer, BridgeCommand};
use crate::protocol::{CompleteParams, ErrorObject, Request, RequestBody};
use crate::ui::completion::{AUTO_MIN_CHARS, Popup, Word, ends_identifier, insertion};
use crate::ui::{Focus, Model, Msg, Purpose};
use tuirealm::event::{Key, KeyEvent, KeyModifiers};

/// Messages that leave the popup open; any other closes it (a click, an
/// undo, another pane or workspace).
pub fn note(model: &mut Model, msg: &Msg) {
    let keeps = matches!(
        msg,
        Msg::Edit(_) | Msg::Complete | Msg::Tick(_) | Msg::Animate | Msg::Net(_)
    );
    if !keeps && (model.completion.popup.is_some() || model.completion.typed_at.is_some()) {
        model.completion.close();
    }
}

/// The `complete` action (and Tab after a word): ask for the word at the cursor.
pub fn complete(model: &mut Model) -> Vec<Effect> {
    match model.view.editor.word_at_cursor() {
        Some(word) if !word.prefix.is_empty() => ask(model, word, true),
        _ => vec![],
    }
}

/// The clock: the popup opens by itself once typing a word has paused.
pub fn tick(model: &mut Model, now: Instant) -> Vec<Effect> {
    let state = &mut model.completion;
    if std::mem::take(&mut state.typed) {
        state.typed_at = Some(now);
    }
    // An open popup follows the typing itself.
    if state.popup.is_some() {
        state.typed_at = None;
    }
    let (Some(delay), Some(typed_at)) = (state.delay, state.typed_at) else {
        return vec![];
    };
    if now.saturating_duration_since(typed_at) < delay {
        return vec![];
    }
    state.typed_at = None;
    match model.view.editor.word_at_cursor() {
        Some(word)
            if word.prefix.chars().count() >= AUTO_MIN_CHARS && model.focus == Focus::Workspace =>
        {
            ask(model, word, false)
        }
        _ => vec![],
    }
}

/// A key for the workspace: the popup's keys while it is open, Tab after a
/// word completes, any other key edits (and may start the pause).
pub fn edit(model: &mut Model, key: KeyEvent) -> Vec<Effect> {
    let plain = key.modifiers == KeyModifiers::NONE;
    if model.completion.popup.is_some() && plain {
        match key.code {
            Key::Up | Key::Down => {
                let popup = model.completion.popup.as_mut().expect("open");
                popup.step(key.code == Key::Down);
                return vec![];
            }
            Key::Tab | Key::Enter => return accept(model),
            Key::Esc => {
                model.completion.close();
                return vec![];
            }
            _ => {}
        }
    }
    // Offline, Tab after a word indents as before.
    let online = model.connection.is_connected();
    if key.code == Key::Tab && plain && online && after_identifier(model) {
        return complete(model);
    }
    model.view.editor.key(&key);
    let word_char = matches!(key.code, Key::Char(c) if ends_identifier(c))
        && !key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
    model.completion.typed = word_char;
    if !word_char {
        model.completion.typed_at = None;
    }
    if model.completion.popup.is_some() {
        // Moving the cursor leaves the word: only typing and deleting follow it.
        if matches!(key.code, Key::Char(_) | Key::Backspace) {
            return follow_typing(model);
        }
        model.completion.close();
    }
    vec![]
}

/// Whether the character before the cursor ends an identifier (and nothing is selected).
fn after_identifier(model: &Model) -> bool {
    let word = model.view.editor.word_at_cursor();
    word.is_some_and(|word| word.prefix.chars().last().is_some_and(ends_identifier))
}

/// The popup after an edit: filtered to the longer word, asked again when
/// the server's list may lack its matches, closed when the word ended.
fn follow_typing(model: &mut Model) -> Vec<Effect> {
    let word = model.view.editor.word_at_cursor();
    let popup = model.completion.popup.as_mut().expect("open");
    let Some(word) = word.filter(|w| w.start == popup.start && !w.prefix.is_empty()) else {
        model.completion.close();
        return vec![];
    };
    if popup.may_miss(&word.prefix) {
        return ask(model, word, false);
    }
    if !popup.filter(&word.prefix) {
        model.completion.close();
    }
    vec![]
}

/// Send `complete` for `word`; the reply is routed by its generation.
/// `by_key`: the user asked, and is told when nothing matches.
fn ask(model: &mut Model, word: Word, by_key: bool) -> Vec<Effect> {
    if !model.connection.is_connected() {
        return vec![];
    }
    model.completion.generation += 1;
    let id = model.next_request_id();
    let body = RequestBody::Complete(CompleteParams {
        code: model.view.editor.text(),
        cursor: model.view.editor.cursor_offset() as u64,
    });
    let purpose = Purpose::Completion {
        generation: model.completion.generation,
        start: word.start,
        prefix: word.prefix,
        by_key,
    };
    model.send(id.clone(), purpose);
    let request = Request::new(id, model.session.clone(), body);
    vec![Effect::Bridge(BridgeCommand::Send(request))]
}

/// The server's candidates: shown when they still fit the word at the
/// cursor (the newest request, the same word, perhaps typed further).
pub fn reply(
    model: &mut Model,
    (generation, start, asked, by_key): (u64, (usize, usize), String, bool),
    result: Result<Answer, ErrorObject>,
) {
    if generation != model.completion.generation {
        return;
    }
    let Some(word) = model.view.editor.word_at_cursor() else {
        return;
    };
    if word.start != start || !word.prefix.starts_with(&asked) {
        return;
    }
    let offered = match result {
        Ok(Answer::Complete(result)) => result.candidates,
        Ok(other) => {
            log::error!("complete was answered as {}", other.type_name());
            return;
        }
        Err(error) => {
            model
                .status
                .say(format!("Completion failed: {}", error.message));
            return;
        }
    };
    let mut popup = Popup {
        start,
        offered,
        asked,
        shown: Vec::new(),
        selected: 0,
        scroll: 0,
    };
    if popup.filter(&word.prefix) {
        model.completion.popup = Some(popup);
    } else if by_key {
        model
            .status
            .say(format!("No completions for {}.", word.prefix));
    }
}

/// Put the selected candidate in place of the word (one undo step).
fn accept(model: &mut Model) -> Vec<Effect> {
    let Some(popup) = model.completion.popup.take() else {
        return vec![];
    };
    model.completion.close();
    if let Some(candidate) = popup.shown.get(popup.selected) {
        let (text, cursor) = insertion(candidate);
        model.view.editor.replace_word(popup.start, &text, cursor);
    }
    vec![]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::update::tests::connected_with;
    use crate::app::update::update;
    use crate::net::NetEvent;
    use crate::protocol::{Candidate, CandidateKind, CompleteResult};
    use std::time::Duration;

    fn press(model: &mut Model, code: Key) -> Vec<Effect> {
        update(model, Msg::Edit(KeyEvent::new(code, KeyModifiers::NONE)))
    }

    fn type_text(model: &mut Model, text: &str) {
        for c in text.chars() {
            press(model, Key::Char(c));
        }
    }

    /// The id and params of the one `complete` request sent.
    fn asked(effects: &[Effect]) -> (String, CompleteParams) {
        match effects {
            [Effect::Bridge(BridgeCommand::Send(request))] => match &request.body {
                RequestBody::Complete(params) => (request.id.clone(), params.clone()),
                other => panic!("not complete: {other:?}"),
            },
            other => panic!("expected one request, got {other:?}"),
        }
    }

    /// Whether a tick at `now` sends a request (the autosave may save besides).
    fn asks_at(model: &mut Model, now: Instant) -> bool {
        let effects = update(model, Msg::Tick(now));
        effects.iter().any(|e| matches!(e, Effect::Bridge(_)))
    }

    fn answer(model: &mut Model, id: &str, candidates: &[(&str, CandidateKind)]) {
        let candidates = candidates
            .iter()
            .map(|(text, kind)| Candidate {
                text: text.to_string(),
                kind: kind.clone(),
            })
            .collect();
        let result = Ok(Answer::Complete(CompleteResult {
            from: 0,
            candidates,
        }));
        let event = NetEvent::Reply {
            id: id.into(),
            result,
            round_trip_us: 1,
        };
        update(model, Msg::Net(event));
    }

    fn shown(model: &Model) -> Vec<&str> {
        let popup = model.completion.popup.as_ref();
        popup.map_or(vec![], |p| {
            p.shown.iter().map(|c| c.text.as_str()).collect()
        })
    }

    /// A workspace of `text`, cursor at its end, with the popup for the reply.
    fn popup_for(text: &str, candidates: &[(&str, CandidateKind)]) -> Model {
        let mut model = connected_with("");
        type_text(&mut model, text);
        let (id, _) = asked(&update(&mut model, Msg::Complete));
        answer(&mut model, &id, candidates);
        model
    }

    const CLASSES: [(&str, CandidateKind); 3] = [
        ("OrderedCollection", CandidateKind::Class),
        ("OrderedSet", CandidateKind::Class),
        ("Order", CandidateKind::Class),
    ];

    #[test]
    fn tab_after_a_word_asks_for_the_word_at_the_cursor() {
        let mut model = connected_with("");
        type_text(&mut model, "x := Ord");
        let (_, params) = asked(&press(&mut model, Key::Tab));
        assert_eq!((params.code.as_str(), params.cursor), ("x := Ord", 8));
        assert_eq!(model.view.editor.text(), "x := Ord");
        // After a space Tab indents as before, and asks nothing.
        type_text(&mut model, " ");
        assert!(press(&mut model, Key::Tab).is_empty());
        assert_eq!(model.view.editor.text(), "x := Ord    ");
        // Offline Tab after a word indents.
        let mut model = Model::new("a", "s");
        type_text(&mut model, "Ord");
        assert!(press(&mut model, Key::Tab).is_empty());
        assert_eq!(model.view.editor.text(), "Ord ");
    }

    #[test]
    fn the_reply_opens_the_popup_and_typing_filters_it() {
        let mut model = popup_for("Ord", &CLASSES);
        assert_eq!(shown(&model), ["OrderedCollection", "OrderedSet", "Order"]);
        // No new request while the word grows.
        type_text(&mut model, "ered");
        assert_eq!(shown(&model), ["OrderedCollection", "OrderedSet"]);
        press(&mut model, Key::Down);
        assert_eq!(model.completion.popup.as_ref().unwrap().selected, 1);
        // A character that ends the word closes it.
        type_text(&mut model, " ");
        assert!(model.completion.popup.is_none());
    }

    #[test]
    fn an_outdated_reply_is_dropped() {
        let mut model = connected_with("");
        type_text(&mut model, "Ord");
        let (first, _) = asked(&update(&mut model, Msg::Complete));
        // A newer request outdates the first.
        let (second, _) = asked(&update(&mut model, Msg::Complete));
        answer(&mut model, &first, &CLASSES);
        assert!(model.completion.popup.is_none());
        // The text changed under the newest one: dropped too.
        press(&mut model, Key::Backspace);
        answer(&mut model, &second, &CLASSES);
        assert!(model.completion.popup.is_none());
        assert!(model.pending.is_empty());
    }

    #[test]
    fn a_reply_for_a_word_typed_further_is_filtered_to_it() {
        let mut model = connected_with("");
        type_text(&mut model, "Ord");
        let (id, _) = asked(&update(&mut model, Msg::Complete));
        type_text(&mut model, "eredS");
        answer(&mut model, &id, &CLASSES);
        assert_eq!(shown(&model), ["OrderedSet"]);
    }

    #[test]
    fn accepting_a_class_replaces_the_word_in_one_undo_step() {
        let mut model = popup_for("x := Ord", &CLASSES);
        press(&mut model, Key::Enter);
        assert_eq!(model.view.editor.text(), "x := OrderedCollection");
        let cursor = model.view.editor.area.cursor();
        assert_eq!((cursor.0, cursor.1), (0, 22));
        assert!(model.completion.popup.is_none());
        update(&mut model, Msg::EditCommand(crate::ui::EditCommand::Undo));
        assert_eq!(model.view.editor.text(), "x := Ord");
    }

    #[test]
    fn accepting_a_keyword_selector_leaves_the_cursor_at_the_first_argument() {
        let selectors = [("inject:into:", CandidateKind::Selector)];
        let mut model = popup_for("#(1 2) inj", &selectors);
        press(&mut model, Key::Tab);
        assert_eq!(model.view.editor.text(), "#(1 2) inject:  into: ");
        let cursor = model.view.editor.area.cursor();
        assert_eq!((cursor.0, cursor.1), (0, 15));
        type_text(&mut model, "0");
        assert_eq!(model.view.editor.text(), "#(1 2) inject: 0 into: ");
    }

    #[test]
    fn esc_closes_the_popup_and_leaves_the_text() {
        let mut model = popup_for("Ord", &CLASSES);
        press(&mut model, Key::Esc);
        assert!(model.completion.popup.is_none());
        assert_eq!(model.view.editor.text(), "Ord");
        // So does moving the cursor; Backspace within the word filters.
        let mut model = popup_for("Orde", &CLASSES);
        press(&mut model, Key::Backspace);
        assert_eq!(shown(&model), ["OrderedCollection", "OrderedSet", "Order"]);
        press(&mut model, Key::Left);
        assert!(model.completion.popup.is_none());
    }

    #[test]
    fn a_pause_in_typing_a_word_asks_by_itself() {
        let mut model = connected_with("");
        model.completion.delay = Some(Duration::from_millis(300));
        let start = Instant::now();
        type_text(&mut model, "O");
        update(&mut model, Msg::Tick(start));
        let later = start + Duration::from_millis(400);
        // One letter is too few.
        assert!(!asks_at(&mut model, later));
        type_text(&mut model, "r");
        update(&mut model, Msg::Tick(later));
        let soon = later + Duration::from_millis(100);
        assert!(!asks_at(&mut model, soon));
        let (_, params) = asked(&update(
            &mut model,
            Msg::Tick(soon + Duration::from_millis(250)),
        ));
        assert_eq!(params.code, "Or");
        // Only once per pause; and never with the setting at 0.
        assert!(!asks_at(&mut model, soon + Duration::from_secs(2)));
        model.completion.delay = crate::ui::completion::delay(0);
        type_text(&mut model, "d");
        update(&mut model, Msg::Tick(soon));
        assert!(!asks_at(&mut model, soon + Duration::from_secs(2)));
    }

    #[test]
    fn f2_with_only_a_completion_in_flight_disconnects_without_interrupting() {
        let mut model = connected_with("");
        type_text(&mut model, "Ord");
        asked(&update(&mut model, Msg::Complete));
        let effects = update(&mut model, Msg::ToggleConnection);
        assert_eq!(effects, [Effect::Bridge(BridgeCommand::Disconnect)]);
    }
}
