//! The palette's update: opening it (and asking once for the classes),
//! filtering as the query changes, asking for the implementors of a query
//! that reads as a selector after a pause, and opening what Enter chose.
//! Nothing here waits: a reply for an older query is dropped.

use std::time::Instant;

use super::update::Effect;
use crate::config::keymap::Context;
use crate::net::{Answer, BridgeCommand, NetEvent};
use crate::protocol::{ErrorObject, ListClassesParams, Request, RequestBody, SelectorParams};
use crate::ui::browser::CLASS_LIMIT;
use crate::ui::inspector::Tool;
use crate::ui::messages::{MESSAGES_PAGE, method_name};
use crate::ui::palette::{
    Candidate, IMPLEMENTORS_DELAY, Palette, PaletteAsk, PaletteMsg, Sources, Target, command_key,
    search, selector_in, snippet_line,
};
use crate::ui::{Focus, Model, Msg, Purpose, WorkspaceMsg};

pub fn update(model: &mut Model, msg: PaletteMsg) -> Vec<Effect> {
    let Some(palette) = model.palette.open.as_mut() else {
        return match msg {
            PaletteMsg::Open => open(model),
            _ => vec![],
        };
    };
    match msg {
        PaletteMsg::Open | PaletteMsg::Close => model.palette.open = None,
        PaletteMsg::Type(c) => edit_query(model, |query| query.push(c)),
        PaletteMsg::Paste(text) => edit_query(model, |query| {
            query.push_str(&text.split_whitespace().collect::<Vec<_>>().join(" "));
        }),
        PaletteMsg::Backspace => edit_query(model, |query| {
            query.pop();
        }),
        PaletteMsg::Clear => edit_query(model, String::clear),
        PaletteMsg::Move(step) => palette.step(step),
        PaletteMsg::ToggleGroup => {
            palette.expanded = match palette.expanded {
                Some(_) => None,
                None => palette.selected_kind(),
            };
            let kind = palette.selected_kind();
            refresh(model);
            select_first_of(model, kind);
        }
        PaletteMsg::Accept => return accept(model),
    }
    vec![]
}

/// Drop the cached classes when a (new) server connects: they are asked again.
pub fn note(model: &mut Model, msg: &Msg) {
    if let Msg::Net(NetEvent::Connected { .. }) = msg {
        model.palette.classes = None;
    }
}

/// The clock: a query that reads as a selector asks for its implementors
/// once typing has paused; an open palette without classes asks for them.
pub fn tick(model: &mut Model, now: Instant) -> Vec<Effect> {
    let Some(palette) = model.palette.open.as_mut() else {
        return vec![];
    };
    if std::mem::take(&mut palette.typed) {
        palette.typed_at = Some(now);
    }
    let mut effects = match model.palette.classes {
        None => ask_classes(model),
        Some(_) => vec![],
    };
    let Some(palette) = model.palette.open.as_mut() else {
        return effects;
    };
    let due = palette
        .typed_at
        .is_some_and(|typed| now.saturating_duration_since(typed) >= IMPLEMENTORS_DELAY);
    if !due {
        return effects;
    }
    palette.typed_at = None;
    let selector = selector_in(&palette.query).map(str::to_string);
    if let Some(selector) = selector.filter(|s| palette.asked.as_ref() != Some(s))
        && model.connection.is_connected()
    {
        palette.asked = Some(selector.clone());
        let body = RequestBody::Implementors(SelectorParams {
            selector: selector.clone(),
            limit: Some(MESSAGES_PAGE),
        });
        effects.push(send(model, PaletteAsk::Implementors(selector), body));
    }
    effects
}

/// Ctrl+K: the palette, empty; the classes are asked for once a session.
fn open(model: &mut Model) -> Vec<Effect> {
    model.help_visible = false;
    model.palette.open = Some(Palette::default());
    refresh(model);
    ask_classes(model)
}

/// `list_classes` on every opening (a class defined since shows; the list
/// known so far is searched meanwhile), unless asked for already or there
/// is no server.
fn ask_classes(model: &mut Model) -> Vec<Effect> {
    let asking = model
        .pending
        .values()
        .any(|p| p.purpose == Purpose::Palette(PaletteAsk::Classes));
    if asking || !model.connection.is_connected() {
        return vec![];
    }
    let body = RequestBody::ListClasses(ListClassesParams {
        limit: Some(CLASS_LIMIT),
        ..ListClassesParams::default()
    });
    vec![send(model, PaletteAsk::Classes, body)]
}

fn send(model: &mut Model, ask: PaletteAsk, body: RequestBody) -> Effect {
    let id = model.next_request_id();
    model.send(id.clone(), Purpose::Palette(ask));
    Effect::Bridge(BridgeCommand::Send(Request::new(
        id,
        model.session.clone(),
        body,
    )))
}

/// Change the query, filter again, and start the pause for the implementors.
fn edit_query(model: &mut Model, edit: impl FnOnce(&mut String)) {
    let Some(palette) = model.palette.open.as_mut() else {
        return;
    };
    edit(&mut palette.query);
    palette.typed = true;
    palette.selected = 0;
    palette.expanded = None;
    refresh(model);
}

/// Filter every source by the query again.
fn refresh(model: &mut Model) {
    let Some(palette) = &model.palette.open else {
        return;
    };
    let sources = sources(model, palette);
    let groups = search(&palette.query, &sources, palette.expanded);
    let palette = model.palette.open.as_mut().expect("open");
    palette.groups = groups;
    palette.selected = palette
        .selected
        .min(palette.rows().count().saturating_sub(1));
}

fn select_first_of(model: &mut Model, kind: Option<crate::ui::palette::Kind>) {
    let Some(palette) = model.palette.open.as_mut() else {
        return;
    };
    let before: usize = palette
        .groups
        .iter()
        .take_while(|group| Some(group.kind) != kind)
        .map(|group| group.rows.len())
        .sum();
    palette.selected = before.min(palette.rows().count().saturating_sub(1));
}

/// Everything the query runs over now: the server's only while connected.
fn sources(model: &Model, palette: &Palette) -> Sources {
    let connected = model.connection.is_connected();
    let classes = model.palette.classes.iter().flatten().filter(|_| connected);
    let selector = selector_in(&palette.query);
    let implementors = palette
        .implementors
        .iter()
        .filter(|(asked, _)| connected && Some(asked.as_str()) == selector)
        .flat_map(|(_, methods)| methods);
    let active = model.workspaces.active;
    Sources {
        classes: classes
            .map(|name| (name.clone(), String::new(), Target::Class(name.clone())))
            .collect(),
        implementors: implementors
            .map(|method| {
                (
                    method_name(method),
                    String::new(),
                    Target::Method(method.clone()),
                )
            })
            .collect(),
        workspaces: (model.workspaces.tabs.iter().enumerate())
            .map(|(at, tab)| {
                let detail = if at == active { "shown" } else { "" };
                (tab.name.clone(), detail.into(), Target::Workspace(at))
            })
            .collect(),
        // The newest first.
        history: (model.history.snippets.iter().enumerate().rev())
            .map(|(at, snippet)| {
                let lines = snippet.lines().count();
                let detail = if lines > 1 {
                    format!("{lines} lines")
                } else {
                    String::new()
                };
                (snippet_line(snippet), detail, Target::History(at))
            })
            .collect(),
        commands: commands(model),
    }
}

/// The commands that can run now, each action once: in the focused pane's
/// context if it has one there, else globally, else in another pane.
fn commands(model: &Model) -> Vec<Candidate> {
    let here = focused_context(model);
    let available = |context: Context| match context {
        Context::Inspector => matches!(model.tool, Some(Tool::Inspector(_))),
        Context::Browser => matches!(model.tool, Some(Tool::Browser(_) | Tool::Messages(_))),
        Context::Debugger => matches!(model.tool, Some(Tool::Debugger(_))),
        _ => true,
    };
    let mut chosen: Vec<usize> = Vec::new();
    let all = &model.palette.commands;
    for (at, command) in all.iter().enumerate() {
        if !available(command.context) {
            continue;
        }
        let rank = |context: Context| (context != here, context != Context::Global);
        match chosen
            .iter_mut()
            .find(|c| all[**c].action == command.action)
        {
            Some(earlier) if rank(command.context) < rank(all[*earlier].context) => *earlier = at,
            Some(_) => {}
            None => chosen.push(at),
        }
    }
    chosen
        .into_iter()
        .map(|at| {
            let command = &all[at];
            let text = command.action.description().to_string();
            (text, command_key(command), Target::Command(at))
        })
        .collect()
}

/// The keymap context of the focused pane.
fn focused_context(model: &Model) -> Context {
    match (&model.focus, &model.tool) {
        (Focus::Workspace, _) => Context::Workspace,
        (Focus::Transcript, _) | (Focus::Tool, None) => Context::Transcript,
        (Focus::Tool, Some(Tool::Inspector(_))) => Context::Inspector,
        (Focus::Tool, Some(Tool::Debugger(_))) => Context::Debugger,
        (Focus::Tool, Some(_)) => Context::Browser,
    }
}

/// Enter: open the selected row and close the palette.
fn accept(model: &mut Model) -> Vec<Effect> {
    let Some(palette) = model.palette.open.take() else {
        return vec![];
    };
    let Some(row) = palette.selected_row() else {
        return vec![];
    };
    match row.target.clone() {
        Target::Class(name) => super::browser::open_on(model, Some(name), None, false),
        // On its side, as the message list opens it.
        Target::Method(method) => super::browser::open_on(
            model,
            Some(method.class),
            Some(method.selector),
            method.meta,
        ),
        Target::Workspace(at) => {
            model.focus = Focus::Workspace;
            super::workspaces::update(model, WorkspaceMsg::GoTo(at))
        }
        Target::History(at) => {
            // As Ctrl+R's Enter does.
            let snippet = model.history.snippets[at].clone();
            model.view.editor.set_text(&snippet);
            model.focus = Focus::Workspace;
            vec![]
        }
        Target::Command(at) => run(model, at),
    }
}

/// A command: its key pressed in a pane where it does what the palette
/// said (the focused one when it can).
fn run(model: &mut Model, at: usize) -> Vec<Effect> {
    let command = &model.palette.commands[at];
    let here = focused_context(model);
    let pane = match command.context {
        Context::Global if !command.hidden_in.contains(&here) => None,
        Context::Global if !command.hidden_in.contains(&Context::Transcript) => {
            Some(Focus::Transcript)
        }
        Context::Global | Context::Workspace => Some(Focus::Workspace),
        Context::Transcript => Some(Focus::Transcript),
        _ => Some(Focus::Tool),
    };
    let key = command.key;
    if let Some(pane) = pane {
        model.focus = pane;
    }
    vec![Effect::Key(key)]
}

/// The server's classes or implementors: kept if still asked for.
pub fn reply(
    model: &mut Model,
    ask: PaletteAsk,
    result: Result<Answer, ErrorObject>,
) -> Vec<Effect> {
    match (ask, result) {
        (PaletteAsk::Classes, Ok(Answer::ListClasses(list))) => {
            let mut names: Vec<String> = list.classes.into_iter().map(|c| c.name).collect();
            names.sort();
            model.palette.classes = Some(names);
        }
        (PaletteAsk::Implementors(selector), Ok(Answer::Implementors(found))) => {
            let Some(palette) = model.palette.open.as_mut() else {
                return vec![];
            };
            if selector_in(&palette.query) != Some(selector.as_str()) {
                // Outdated; asked again should the query come back to it.
                palette.asked = None;
                return vec![];
            }
            palette.implementors = Some((selector, found.methods));
        }
        (ask, Ok(other)) => failed(model, ask, &format!("answered as {}", other.type_name())),
        (ask, Err(error)) => failed(model, ask, &error.to_string()),
    }
    refresh(model);
    vec![]
}

/// A request that failed: the classes are not asked again (every tick)
/// until the next connection.
pub fn failed(model: &mut Model, ask: PaletteAsk, reason: &str) {
    if ask == PaletteAsk::Classes {
        model.palette.classes = Some(Vec::new());
    }
    model
        .status
        .say(format!("The palette cannot search the image: {reason}"));
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::app::browser::tests::sent;
    use crate::app::update::tests::{connected_model, gst_info};
    use crate::app::update::update as app_update;
    use crate::config::keymap::Keymap;
    use crate::ui::palette::{Kind, commands};
    use crate::ui::{History, Scroll};
    use tuirealm::event::{Key, KeyModifiers};

    /// A reply the real server gave, from tests/fixtures/palette.
    fn recorded(file: &str) -> serde_json::Value {
        let path = format!(
            "{}/tests/fixtures/palette/{file}",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(path).expect("a recorded reply");
        let reply: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        reply["result"].clone()
    }

    fn answer(model: &mut Model, id: &str, result: Answer) {
        let event = NetEvent::Reply {
            id: id.to_string(),
            result: Ok(result),
            round_trip_us: 9,
        };
        app_update(model, Msg::Net(event));
    }

    fn key(model: &mut Model, msg: PaletteMsg) -> Vec<Effect> {
        app_update(model, Msg::Palette(msg))
    }

    fn type_text(model: &mut Model, text: &str) {
        for c in text.chars() {
            key(model, PaletteMsg::Type(c));
        }
    }

    fn palette(model: &Model) -> &Palette {
        model.palette.open.as_ref().expect("the palette is open")
    }

    /// The shown rows, as `Kind: text`.
    fn shown(model: &Model) -> Vec<String> {
        let palette = palette(model);
        let groups = palette.groups.iter();
        groups
            .flat_map(|g| g.rows.iter().map(|r| format!("{:?}: {}", g.kind, r.text)))
            .collect()
    }

    /// Connected, the keymap's commands known, the palette open and the
    /// classes answered as the real server did.
    fn opened() -> Model {
        let mut model = connected_model();
        model.palette.commands = commands(&Keymap::default());
        let asks = sent(&key(&mut model, PaletteMsg::Open));
        let classes = serde_json::from_value(recorded("classes.json")).unwrap();
        answer(&mut model, &asks[0].0, Answer::ListClasses(classes));
        model
    }

    /// Type `text`, and let the pause pass: the implementors are asked for.
    fn typed_and_paused(model: &mut Model, text: &str) -> Vec<(String, RequestBody)> {
        type_text(model, text);
        let now = Instant::now();
        app_update(model, Msg::Tick(now));
        sent(&app_update(model, Msg::Tick(now + IMPLEMENTORS_DELAY)))
    }

    fn implementors_of_size() -> Answer {
        Answer::Implementors(serde_json::from_value(recorded("implementors_size.json")).unwrap())
    }

    #[test]
    fn opening_asks_for_the_classes_once_and_again_on_each_opening_and_reconnection() {
        let mut model = connected_model();
        let asks = sent(&key(&mut model, PaletteMsg::Open));
        assert!(
            matches!(&asks[..], [(_, RequestBody::ListClasses(p))] if p.limit == Some(CLASS_LIMIT)),
            "{asks:?}"
        );
        // Asked already: neither the clock nor opening again asks twice.
        assert!(app_update(&mut model, Msg::Tick(Instant::now())).is_empty());
        let mut model = opened();
        assert_eq!(model.palette.classes.as_ref().map(Vec::len), Some(386));
        key(&mut model, PaletteMsg::Close);
        assert!(model.palette.open.is_none());
        // Opening again asks again (a class defined since shows), the list
        // known so far searched meanwhile; the clock does not ask more.
        let asks = sent(&key(&mut model, PaletteMsg::Open));
        assert!(matches!(&asks[..], [(_, RequestBody::ListClasses(_))]));
        assert_eq!(model.palette.classes.as_ref().map(Vec::len), Some(386));
        assert!(app_update(&mut model, Msg::Tick(Instant::now())).is_empty());
        let classes = serde_json::from_value(recorded("classes.json")).unwrap();
        answer(&mut model, &asks[0].0, Answer::ListClasses(classes));
        let connected = NetEvent::Connected {
            info: gst_info(),
            round_trip_us: 5,
        };
        app_update(&mut model, Msg::Net(connected));
        assert_eq!(model.palette.classes, None);
        let asks = sent(&app_update(&mut model, Msg::Tick(Instant::now())));
        assert!(matches!(&asks[..], [(_, RequestBody::ListClasses(_))]));
    }

    #[test]
    fn its_key_again_closes_it() {
        let mut model = opened();
        key(&mut model, PaletteMsg::Open);
        assert!(model.palette.open.is_none());
    }

    #[test]
    fn typing_filters_and_enter_browses_the_class() {
        let mut model = opened();
        type_text(&mut model, "OrdColl");
        assert_eq!(shown(&model), ["Class: OrderedCollection"]);
        assert_eq!(
            palette(&model).groups[0].rows[0].matched,
            [0, 1, 2, 7, 8, 9, 10]
        );
        let asks = sent(&key(&mut model, PaletteMsg::Accept));
        assert!(model.palette.open.is_none());
        let Some(Tool::Browser(browser)) = &model.tool else {
            panic!("no browser");
        };
        assert_eq!(browser.wanted.as_deref(), Some("OrderedCollection"));
        assert!(asks.iter().any(
            |(_, body)| matches!(body, RequestBody::Class(c) if c.name == "OrderedCollection")
        ));
        assert_eq!(model.focus, Focus::Tool);
    }

    #[test]
    fn pasted_text_joins_the_query_on_one_line() {
        let mut model = opened();
        key(&mut model, PaletteMsg::Paste("Ordered\nCollection".into()));
        assert_eq!(palette(&model).query, "Ordered Collection");
        assert_eq!(shown(&model)[0], "Class: OrderedCollection");
    }

    #[test]
    fn backspace_and_clear_widen_the_query_again() {
        let mut model = opened();
        type_text(&mut model, "OrdCollx");
        assert!(shown(&model).is_empty());
        key(&mut model, PaletteMsg::Backspace);
        assert_eq!(shown(&model), ["Class: OrderedCollection"]);
        key(&mut model, PaletteMsg::Clear);
        assert_eq!(palette(&model).query, "");
        assert!(shown(&model).len() > 5, "every kind again");
    }

    #[test]
    fn a_selector_asks_for_its_implementors_after_a_pause_and_enter_browses_one() {
        let mut model = opened();
        type_text(&mut model, "siz");
        app_update(&mut model, Msg::Tick(Instant::now()));
        // Before the pause is over, nothing is asked.
        assert!(sent(&app_update(&mut model, Msg::Tick(Instant::now()))).is_empty());
        let asks = typed_and_paused(&mut model, "e");
        let [(id, RequestBody::Implementors(params))] = &asks[..] else {
            panic!("{asks:?}");
        };
        assert_eq!(params.selector, "size");
        // The same query is not asked again.
        let later = Instant::now() + Duration::from_secs(5);
        assert!(sent(&app_update(&mut model, Msg::Tick(later))).is_empty());
        answer(&mut model, id, implementors_of_size());
        let group = &palette(&model).groups;
        let implementors = group.iter().find(|g| g.kind == Kind::Implementor).unwrap();
        assert_eq!((implementors.rows.len(), implementors.total), (5, 37));
        let before: usize = group
            .iter()
            .take_while(|g| g.kind != Kind::Implementor)
            .map(|g| g.rows.len())
            .sum();
        model.palette.open.as_mut().unwrap().selected = before;
        let method = palette(&model).selected_row().unwrap().target.clone();
        let Target::Method(method) = method else {
            panic!("{method:?}");
        };
        key(&mut model, PaletteMsg::Accept);
        let Some(Tool::Browser(browser)) = &model.tool else {
            panic!("no browser");
        };
        assert_eq!(browser.wanted.as_ref(), Some(&method.class));
        assert_eq!(browser.wanted_method.as_deref(), Some("size"));
    }

    #[test]
    fn an_outdated_implementors_reply_is_dropped() {
        let mut model = opened();
        let asks = typed_and_paused(&mut model, "size");
        type_text(&mut model, "s");
        answer(&mut model, &asks[0].0, implementors_of_size());
        assert!(
            !shown(&model)
                .iter()
                .any(|row| row.starts_with("Implementor"))
        );
        // Back to `size`: asked again.
        key(&mut model, PaletteMsg::Backspace);
        let now = Instant::now();
        app_update(&mut model, Msg::Tick(now));
        let asks = sent(&app_update(&mut model, Msg::Tick(now + IMPLEMENTORS_DELAY)));
        assert!(matches!(&asks[..], [(_, RequestBody::Implementors(p))] if p.selector == "size"));
    }

    #[test]
    fn not_connected_the_classes_are_absent_and_the_rest_works() {
        let mut model = opened();
        app_update(&mut model, Msg::Net(NetEvent::Disconnected));
        model.palette.classes = Some(vec!["OrderedCollection".into()]);
        let effects = typed_and_paused(&mut model, "size");
        assert!(effects.is_empty(), "{effects:?}");
        key(&mut model, PaletteMsg::Clear);
        type_text(&mut model, "OrdColl");
        assert!(shown(&model).is_empty());
        key(&mut model, PaletteMsg::Clear);
        type_text(&mut model, "new workspace");
        assert_eq!(shown(&model)[0], "Command: New workspace (tab)");
    }

    #[test]
    fn enter_on_a_command_presses_its_key_in_a_pane_where_it_does_that() {
        let mut model = opened();
        type_text(&mut model, "new workspace");
        let effects = key(&mut model, PaletteMsg::Accept);
        let ctrl_t = tuirealm::event::KeyEvent::new(Key::Char('t'), KeyModifiers::CONTROL);
        assert_eq!(effects, [Effect::Key(ctrl_t)]);
        assert!(model.palette.open.is_none());
        assert_eq!(model.focus, Focus::Workspace);
        // A transcript command: the transcript gets the focus and the key.
        key(&mut model, PaletteMsg::Open);
        type_text(&mut model, "clear the transcript");
        let effects = key(&mut model, PaletteMsg::Accept);
        let ctrl_l = tuirealm::event::KeyEvent::new(Key::Char('l'), KeyModifiers::CONTROL);
        assert_eq!(effects, [Effect::Key(ctrl_l)]);
        assert_eq!(model.focus, Focus::Transcript);
    }

    #[test]
    fn a_global_key_the_focused_pane_binds_otherwise_is_pressed_in_the_transcript() {
        let mut keymap = Keymap::default();
        let text = "[workspace]\n\"ctrl-t\" = \"evaluate\"\n";
        keymap.merge_toml(text, "u.toml").unwrap();
        let mut model = opened();
        model.palette.commands = commands(&keymap);
        type_text(&mut model, "new workspace");
        let effects = key(&mut model, PaletteMsg::Accept);
        let ctrl_t = tuirealm::event::KeyEvent::new(Key::Char('t'), KeyModifiers::CONTROL);
        assert_eq!(effects, [Effect::Key(ctrl_t)]);
        assert_eq!(model.focus, Focus::Transcript);
    }

    #[test]
    fn enter_on_a_workspace_goes_to_it() {
        let mut model = opened();
        key(&mut model, PaletteMsg::Close);
        app_update(&mut model, Msg::Workspaces(WorkspaceMsg::New));
        model.focus = Focus::Transcript;
        assert_eq!(model.workspaces.active, 1);
        key(&mut model, PaletteMsg::Open);
        type_text(&mut model, "1");
        assert_eq!(shown(&model)[0], "Workspace: 1");
        key(&mut model, PaletteMsg::Accept);
        assert_eq!(model.workspaces.active, 0);
        assert_eq!(model.focus, Focus::Workspace);
    }

    #[test]
    fn enter_on_a_snippet_puts_it_in_the_workspace() {
        let mut model = opened();
        model.history = History::new(vec!["3 + 4".into(), "x := Set new.\nx add: 3".into()]);
        key(&mut model, PaletteMsg::Clear);
        type_text(&mut model, "x add");
        let rows = shown(&model);
        let at = rows
            .iter()
            .position(|row| row == "History: x := Set new. x add: 3");
        model.palette.open.as_mut().unwrap().selected = at.expect("the snippet is found");
        key(&mut model, PaletteMsg::Accept);
        assert_eq!(model.view.editor.text(), "x := Set new.\nx add: 3");
        assert_eq!(model.focus, Focus::Workspace);
    }

    #[test]
    fn moving_stays_within_the_rows_and_tab_shows_a_whole_group() {
        let mut model = opened();
        type_text(&mut model, "Collection");
        let rows = shown(&model).len();
        key(&mut model, PaletteMsg::Move(Scroll::Up));
        assert_eq!(palette(&model).selected, 0);
        key(&mut model, PaletteMsg::Move(Scroll::Bottom));
        assert_eq!(palette(&model).selected, rows - 1);
        key(&mut model, PaletteMsg::Move(Scroll::Down));
        assert_eq!(palette(&model).selected, rows - 1);
        key(&mut model, PaletteMsg::Move(Scroll::Top));
        let total = palette(&model).groups[0].total;
        assert!(total > 5, "{total}");
        key(&mut model, PaletteMsg::ToggleGroup);
        assert_eq!(palette(&model).expanded, Some(Kind::Class));
        assert_eq!(shown(&model).len(), total);
        key(&mut model, PaletteMsg::ToggleGroup);
        assert_eq!(palette(&model).expanded, None);
        assert_eq!(shown(&model).len(), rows);
    }

    #[test]
    fn a_failed_class_list_is_said_and_not_asked_again_every_tick() {
        let mut model = connected_model();
        let asks = sent(&key(&mut model, PaletteMsg::Open));
        let failed = NetEvent::Failed {
            id: asks[0].0.clone(),
            reason: "no reply".into(),
        };
        app_update(&mut model, Msg::Net(failed));
        assert!(sent(&app_update(&mut model, Msg::Tick(Instant::now()))).is_empty());
        let said = model.status.message().unwrap_or_default();
        assert!(said.contains("cannot search the image"), "{said}");
    }
}
