//! Completion's messages: when to ask the server (`complete`), which
//! replies still fit the text, and the popup's keys. Nothing here waits:
//! typing goes on while a request is in flight.

use std::time::Instant;

use super::update::Effect;
use crate::net::{Answer, BridgeCommand};
use crate::protocol::{Candidate, CompleteParams, ErrorObject, Request, RequestBody};
use crate::ui::browser_edit::EditMsg;
use crate::ui::completion::{AUTO_MIN_CHARS, Popup, Word, ends_identifier, insertion};
use crate::ui::completion_site::{Site, merge};
use crate::ui::inspector::InspectorMsg;
use crate::ui::{Model, Msg, PromptKey, Purpose};
use tuirealm::event::{Key, KeyEvent, KeyModifiers};

/// Messages that leave the popup open; any other closes it (a click, an
/// undo, another pane or workspace).
pub fn note(model: &mut Model, msg: &Msg) {
    let keeps = matches!(
        msg,
        Msg::Edit(_)
            | Msg::Complete
            | Msg::CompletionKey(_)
            | Msg::Tick(_)
            | Msg::Animate
            | Msg::Net(_)
            | Msg::BrowserEdit(EditMsg::Key(_))
            | Msg::Inspector(InspectorMsg::Prompt(
                PromptKey::Type(_) | PromptKey::Backspace
            ))
    );
    if !keeps && (model.completion.popup.is_some() || model.completion.typed_at.is_some()) {
        model.completion.close();
    }
}

/// The focused site and the word at its cursor.
fn focused_word(model: &Model) -> Option<(Site, Word)> {
    let site = Site::focused(model)?;
    Some((site, site.word(model)?))
}

/// The `complete` action (and Tab after a word): ask for the word at the
/// cursor of the editor that has the focus.
pub fn complete(model: &mut Model) -> Vec<Effect> {
    match focused_word(model) {
        Some((_, word)) if !word.prefix.is_empty() => ask(model, word, true),
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
    match focused_word(model) {
        Some((_, word)) if word.prefix.chars().count() >= AUTO_MIN_CHARS => ask(model, word, false),
        _ => vec![],
    }
}

/// A key for an editor (the workspace's, the browser's): the popup's keys
/// while it is open, Tab after a word completes, any other key is
/// `apply`'d to the editor (and may start the pause).
pub fn edit(model: &mut Model, key: KeyEvent, apply: impl FnOnce(&mut Model)) -> Vec<Effect> {
    if let Some(effects) = popup_key(model, &key) {
        return effects;
    }
    // Offline, Tab after a word indents as before.
    let online = model.connection.is_connected();
    let plain = key.modifiers == KeyModifiers::NONE;
    if key.code == Key::Tab && plain && online && after_identifier(model) {
        return complete(model);
    }
    apply(model);
    typed(model, &key)
}

/// The popup's own keys (Up/Down choose, Tab/Enter accept, Esc closes)
/// while it is open; `None` for any other key.
pub fn popup_key(model: &mut Model, key: &KeyEvent) -> Option<Vec<Effect>> {
    let popup = model.completion.popup.as_mut()?;
    if key.modifiers != KeyModifiers::NONE {
        return None;
    }
    match key.code {
        Key::Up | Key::Down => popup.step(key.code == Key::Down),
        Key::Tab | Key::Enter => return Some(accept(model)),
        Key::Esc => model.completion.close(),
        _ => return None,
    }
    Some(vec![])
}

/// After `key` edited the focused text: a word character starts the
/// pause; the open popup follows typing and deleting, anything else closes it.
pub fn typed(model: &mut Model, key: &KeyEvent) -> Vec<Effect> {
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
    let word = focused_word(model).map(|(_, word)| word);
    word.is_some_and(|word| word.prefix.chars().last().is_some_and(ends_identifier))
}

/// The popup after an edit: filtered to the longer word, asked again when
/// the server's list may lack its matches, closed when the word ended.
fn follow_typing(model: &mut Model) -> Vec<Effect> {
    let word = focused_word(model).map(|(_, word)| word);
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
/// `by_key`: the user asked, and is told when nothing matches. Offline
/// the text's own words are offered when asked (or already shown).
fn ask(model: &mut Model, word: Word, by_key: bool) -> Vec<Effect> {
    let Some((code, cursor)) = Site::focused(model).and_then(|site| site.code_and_cursor(model))
    else {
        return vec![];
    };
    model.completion.generation += 1;
    if !model.connection.is_connected() {
        if by_key || model.completion.popup.is_some() {
            show(model, (word.start, word.prefix), vec![], by_key);
        }
        return vec![];
    }
    let id = model.next_request_id();
    let body = RequestBody::Complete(CompleteParams {
        code,
        cursor: cursor as u64,
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
    show(model, (start, asked), offered, by_key);
}

/// The popup of the `offered` candidates and the text's own words, for
/// the word asked about at `start` if it is still at the cursor.
fn show(
    model: &mut Model,
    (start, asked): ((usize, usize), String),
    offered: Vec<Candidate>,
    by_key: bool,
) {
    let Some((site, word)) = focused_word(model) else {
        return;
    };
    if word.start != start || !word.prefix.starts_with(&asked) {
        return;
    }
    let local = site.words_near_cursor(model);
    let mut popup = Popup {
        start,
        offered: merge(local, offered),
        asked,
        shown: Vec::new(),
        selected: 0,
        scroll: 0,
    };
    if popup.filter(&word.prefix) {
        model.completion.popup = Some(popup);
    } else {
        model.completion.popup = None;
        if by_key {
            let said = format!("No completions for {}.", word.prefix);
            model.status.say(said);
        }
    }
}

/// Put the selected candidate in place of the word (one undo step).
fn accept(model: &mut Model) -> Vec<Effect> {
    let Some(popup) = model.completion.popup.take() else {
        return vec![];
    };
    model.completion.close();
    let (Some(site), Some(candidate)) = (Site::focused(model), popup.shown.get(popup.selected))
    else {
        return vec![];
    };
    let (text, cursor) = insertion(candidate);
    site.replace_word(model, popup.start, &text, cursor);
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

    #[test]
    fn the_texts_own_words_join_the_servers_without_repeating_them() {
        let mut model = popup_for(
            "| total tot | tot",
            &[("totalSize", CandidateKind::Selector)],
        );
        assert_eq!(shown(&model), ["total", "totalSize"]);
        let kinds: Vec<_> = model
            .completion
            .popup
            .as_ref()
            .unwrap()
            .shown
            .iter()
            .map(|c| c.kind.clone())
            .collect();
        assert_eq!(kinds, [CandidateKind::Variable, CandidateKind::Selector]);
        // A name the server offers too is the server's, but a declared one.
        press(&mut model, Key::Esc);
        type_text(&mut model, ". totalSize. totalS");
        let (id, _) = asked(&update(&mut model, Msg::Complete));
        answer(&mut model, &id, &[("totalSize", CandidateKind::Selector)]);
        let popup = model.completion.popup.as_ref().unwrap();
        assert_eq!(popup.shown.len(), 1);
        assert_eq!(popup.shown[0].kind, CandidateKind::Selector);
    }

    #[test]
    fn offline_the_complete_key_offers_the_texts_own_words() {
        let mut model = Model::new("a", "s");
        type_text(&mut model, "counter := 0. cou");
        assert!(update(&mut model, Msg::Complete).is_empty());
        assert_eq!(shown(&model), ["counter"]);
        press(&mut model, Key::Enter);
        assert_eq!(model.view.editor.text(), "counter := 0. counter");
    }

    /// The browser editing removeFirst, the cursor at the end of its source.
    fn editing_remove_first_at_end() -> Model {
        let mut model = crate::app::browser::tests::on_remove_first();
        update(
            &mut model,
            Msg::Browser(crate::ui::browser::BrowserMsg::Edit),
        );
        let editor = browser_editor(&mut model);
        let last = editor.area.lines().len() - 1;
        let end = editor.area.lines()[last].chars().count();
        editor
            .area
            .move_cursor(ratatui_textarea::CursorMove::Jump(last as u16, end as u16));
        model
    }

    fn browser_editor(model: &mut Model) -> &mut crate::ui::editor::Editor {
        match &mut model.tool {
            Some(crate::ui::inspector::Tool::Browser(state)) => {
                &mut state.edit.as_mut().unwrap().editor
            }
            _ => panic!("no browser"),
        }
    }

    fn browser_key(model: &mut Model, code: Key) -> Vec<Effect> {
        let key = KeyEvent::new(code, KeyModifiers::NONE);
        update(
            model,
            Msg::BrowserEdit(crate::ui::browser_edit::EditMsg::Key(key)),
        )
    }

    #[test]
    fn in_the_browsers_edit_tab_completes_from_the_methods_own_text() {
        let mut model = editing_remove_first_at_end();
        for c in ".\n\tans".chars() {
            let code = if c == '\n' { Key::Enter } else { Key::Char(c) };
            browser_key(&mut model, code);
        }
        let (id, params) = asked(&browser_key(&mut model, Key::Tab));
        // The server gets the method's source, the cursor at its end.
        let text = browser_editor(&mut model).text();
        assert!(params.code.starts_with("removeFirst") && params.code == text);
        assert_eq!(params.cursor as usize, text.chars().count());
        // The server knows no `answer`: the method's temporary is offered.
        answer(&mut model, &id, &[("ansiString", CandidateKind::Selector)]);
        assert_eq!(shown(&model), ["answer", "ansiString"]);
        browser_key(&mut model, Key::Char('w'));
        assert_eq!(shown(&model), ["answer"]);
        browser_key(&mut model, Key::Enter);
        assert!(
            browser_editor(&mut model)
                .text()
                .ends_with("^answer.\n\tanswer")
        );
        assert!(model.completion.popup.is_none());
        // The class's instance variables too, as the browser showed them.
        for c in " := first".chars() {
            browser_key(&mut model, Key::Char(c));
        }
        let (id, _) = asked(&browser_key(&mut model, Key::Tab));
        answer(&mut model, &id, &[]);
        assert_eq!(shown(&model), ["firstIndex"]);
        let popup = model.completion.popup.as_ref().unwrap();
        assert_eq!(popup.shown[0].kind, CandidateKind::Variable);
    }

    #[test]
    fn on_the_inspectors_line_tab_completes_the_word_at_its_end() {
        use crate::ui::inspector::InspectorMsg;
        let mut model = crate::app::inspector::tests::inspecting_collection();
        update(&mut model, Msg::Inspector(InspectorMsg::OpenPrompt));
        for c in "self inj".chars() {
            update(
                &mut model,
                Msg::Inspector(InspectorMsg::Prompt(crate::ui::PromptKey::Type(c))),
            );
        }
        let (id, params) = asked(&update(&mut model, Msg::Complete));
        assert_eq!((params.code.as_str(), params.cursor), ("self inj", 8));
        answer(
            &mut model,
            &id,
            &[
                ("inject:into:", CandidateKind::Selector),
                ("injectInto", CandidateKind::Selector),
            ],
        );
        // Typing filters; the popup's keys come as `CompletionKey`.
        update(
            &mut model,
            Msg::Inspector(InspectorMsg::Prompt(crate::ui::PromptKey::Type('e'))),
        );
        assert_eq!(shown(&model), ["inject:into:", "injectInto"]);
        let key = |code| Msg::CompletionKey(KeyEvent::new(code, KeyModifiers::NONE));
        update(&mut model, key(Key::Down));
        update(&mut model, key(Key::Up));
        update(&mut model, key(Key::Enter));
        // The line's cursor stays at its end: the first keyword only.
        let line = crate::app::inspector::tests::state(&model).prompt.clone();
        assert_eq!(line.as_deref(), Some("self inject: "));
        assert!(model.completion.popup.is_none());
    }
}
