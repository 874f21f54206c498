//! The inspector's update: opening it on a value, moving, drilling into a
//! field by its handle and back, paging in elements, and releasing the
//! handles nothing shows any more. Requests go through the bridge; the
//! replies come back by `Purpose::InspectorPage`.

use super::update::Effect;
use crate::net::{Answer, BridgeCommand};
use crate::protocol::{
    ErrorObject, InspectParams, InspectResult, ReleaseParams, Request, RequestBody,
};
use crate::ui::inspector::{
    INSPECT_PAGE, INSPECT_PRINT_LIMIT, InspectFrame, InspectorMsg, InspectorState, Tool, one_line,
};
use crate::ui::{Focus, Model, Purpose, Scroll, TranscriptEntry};

pub fn update(model: &mut Model, msg: InspectorMsg) -> Vec<Effect> {
    match msg {
        InspectorMsg::Move(step) => move_selection(model, step),
        InspectorMsg::Drill => drill(model),
        InspectorMsg::Back => back(model),
        InspectorMsg::Close => close(model),
        InspectorMsg::OpenPrompt => super::inspector_eval::open_prompt(model),
        InspectorMsg::Prompt(key) => super::inspector_eval::prompt_key(model, key),
    }
}

/// Inspect it answered: the inspector opens on the value, and the
/// transcript says what was inspected.
pub fn open_on_value(model: &mut Model, value: InspectResult) -> Vec<Effect> {
    model.transcript.push(TranscriptEntry::Output(format!(
        "{} ({}) · in the inspector",
        one_line(&value.print),
        value.class
    )));
    open(model, InspectFrame::with(value))
}

/// Enter in the transcript: the inspector on the matched (else newest)
/// value, by the handle its evaluation answered.
pub fn open_on_entry(model: &mut Model) -> Vec<Effect> {
    let from = super::transcript_actions::transcript_anchor(model);
    let value = model
        .transcript
        .iter()
        .take(from + 1)
        .rev()
        .find_map(|entry| match entry {
            TranscriptEntry::Value {
                handle: Some(handle),
                class,
                ..
            } => Some((handle.clone(), class.clone())),
            _ => None,
        });
    let Some((handle, class)) = value else {
        model.status.say("No value to inspect.");
        return vec![];
    };
    if !super::tools::connected_or_say(model) {
        return vec![];
    }
    let mut effects = open(model, InspectFrame::loading(class, handle.clone()));
    effects.push(page_request(model, 0, handle, 0));
    effects
}

/// The inspector on the object of `handle`, `label` its breadcrumb (the
/// debugger's variables open it so).
pub fn open_on_handle(model: &mut Model, label: String, handle: String) -> Vec<Effect> {
    let mut effects = open(model, InspectFrame::loading(label, handle.clone()));
    effects.push(page_request(model, 0, handle, 0));
    effects
}

/// The inspector on `frame`, in place of one open before: the handles only
/// that one held are released (after opening: the same object keeps its
/// handle, and the new one may show it).
fn open(model: &mut Model, frame: InspectFrame) -> Vec<Effect> {
    let (back_to, before) = match model.tool.take() {
        // Opened again from itself: Esc still goes where it would have.
        Some(Tool::Inspector(old)) if model.focus == Focus::Tool => (old.back_to, old.frames),
        Some(Tool::Inspector(old)) => (model.focus.clone(), old.frames),
        _ => (model.focus.clone(), vec![]),
    };
    model.tool = Some(Tool::Inspector(InspectorState {
        frames: vec![frame],
        back_to,
        height: 0,
        prompt: None,
        last_result: None,
    }));
    model.focus = Focus::Tool;
    release(
        model,
        before.iter().flat_map(InspectFrame::handles).collect(),
    )
}

pub(super) fn inspector(model: &mut Model) -> Option<&mut InspectorState> {
    match &mut model.tool {
        Some(Tool::Inspector(state)) => Some(state),
        _ => None,
    }
}

/// Ask for the elements of the object at `depth` from `offset` on.
pub(super) fn page_request(model: &mut Model, depth: usize, handle: String, offset: u64) -> Effect {
    let id = model.next_request_id();
    let body = RequestBody::Inspect(InspectParams {
        handle: Some(handle.clone()),
        offset: Some(offset),
        limit: Some(INSPECT_PAGE),
        print_limit: Some(INSPECT_PRINT_LIMIT),
        ..InspectParams::default()
    });
    model.send(
        id.clone(),
        Purpose::InspectorPage {
            depth,
            handle,
            offset,
        },
    );
    Effect::Bridge(BridgeCommand::Send(Request::new(
        id,
        model.session.clone(),
        body,
    )))
}

fn move_selection(model: &mut Model, step: Scroll) -> Vec<Effect> {
    let Some(state) = inspector(model) else {
        return vec![];
    };
    let page = state.height.saturating_sub(1).max(1);
    let depth = state.frames.len().saturating_sub(1);
    let Some(frame) = state.frame_mut() else {
        return vec![];
    };
    let last = frame.rows().len().saturating_sub(1);
    frame.selected = step.select(frame.selected, frame.rows().len(), page);
    // The next page is asked for while a page of rows is still ahead.
    let near_the_end = frame.selected + page >= last;
    if !(near_the_end && frame.more_elements() && !frame.loading) {
        return vec![];
    }
    frame.loading = true;
    let value = frame.value.as_ref().expect("more elements means a value");
    let (handle, offset) = (
        value.handle.clone(),
        value.offset + value.elements.len() as u64,
    );
    vec![page_request(model, depth, handle, offset)]
}

fn drill(model: &mut Model) -> Vec<Effect> {
    let connected = model.connection.is_connected();
    let Some(state) = inspector(model) else {
        return vec![];
    };
    let depth = state.frames.len();
    let Some(row) = state
        .frame()
        .and_then(|f| f.rows().get(f.selected).copied())
    else {
        return vec![];
    };
    let (handle, label) = (row.handle().to_string(), row.label());
    if !connected {
        model.status.say(super::tools::NOT_CONNECTED);
        return vec![];
    }
    state_push(model, InspectFrame::loading(label, handle.clone()));
    vec![page_request(model, depth, handle, 0)]
}

fn state_push(model: &mut Model, frame: InspectFrame) {
    if let Some(state) = inspector(model) {
        state.frames.push(frame);
    }
}

/// Backspace: the object inspected before; the handles only the left one
/// held are released. At the root it closes the inspector.
fn back(model: &mut Model) -> Vec<Effect> {
    let Some(state) = inspector(model) else {
        return vec![];
    };
    if state.frames.len() <= 1 {
        return close(model);
    }
    let left = state.frames.pop().map(|f| f.handles()).unwrap_or_default();
    release(model, left)
}

/// Esc: close the inspector, release its handles, and give the focus back.
pub fn close(model: &mut Model) -> Vec<Effect> {
    let Some(Tool::Inspector(state)) = model.tool.take() else {
        return vec![];
    };
    if model.focus == Focus::Tool {
        model.focus = state.back_to.clone();
    }
    let handles = state
        .frames
        .iter()
        .flat_map(InspectFrame::handles)
        .collect();
    release(model, handles)
}

/// A page (or the first view) of an object the inspector asked for.
pub fn page_reply(
    model: &mut Model,
    (depth, handle, offset): (usize, String, u64),
    result: Result<Answer, ErrorObject>,
) -> Vec<Effect> {
    let frame = inspector(model)
        .and_then(|state| state.frames.get_mut(depth))
        .filter(|frame| frame.handle == handle && frame.loading);
    let Some(frame) = frame else {
        // Gone meanwhile (closed, or drilled back): what it answered is unreachable.
        let stale = match result {
            Ok(Answer::Inspect(value)) => InspectFrame::with(value).handles(),
            _ => vec![],
        };
        return release(model, stale);
    };
    match result {
        Ok(Answer::Inspect(value)) => {
            frame.loading = false;
            if let (Some(shown), true) = (&mut frame.value, offset > 0) {
                shown.elements.extend(value.elements);
                return vec![];
            }
            // Shown anew (a refresh after the evaluate line): the old rows' handles go.
            let before = frame.handles();
            frame.value = Some(value);
            frame.selected = frame.selected.min(frame.rows().len().saturating_sub(1));
            release(model, before)
        }
        Ok(other) => give_up(model, depth, &format!("answered as {}", other.type_name())),
        Err(error) => give_up(model, depth, &error.to_string()),
    }
}

/// A request of the inspector failed: say why, and leave the object it
/// was for if nothing of it is shown (at the root: close the inspector).
pub fn give_up(model: &mut Model, depth: usize, why: &str) -> Vec<Effect> {
    model.status.say(format!("Cannot inspect: {why}"));
    let Some(state) = inspector(model) else {
        return vec![];
    };
    match state.frames.get_mut(depth) {
        Some(frame) if frame.value.is_some() => frame.loading = false,
        Some(_) if depth > 0 => state.frames.truncate(depth),
        Some(_) => return close(model),
        None => {}
    }
    vec![]
}

/// Release `handles` unless a frame still shown, a transcript value or the
/// cut value holds them.
pub(super) fn release(model: &mut Model, mut handles: Vec<String>) -> Vec<Effect> {
    let held: Vec<String> = match &model.tool {
        Some(Tool::Inspector(state)) => state
            .frames
            .iter()
            .flat_map(InspectFrame::handles)
            .collect(),
        _ => vec![],
    };
    let in_transcript = model.transcript.iter().filter_map(|entry| match entry {
        TranscriptEntry::Value { handle, .. } => handle.as_ref(),
        _ => None,
    });
    let kept: Vec<String> = in_transcript
        .chain(model.cut_value.as_ref())
        .cloned()
        .chain(held)
        .collect();
    handles.sort();
    handles.dedup();
    handles.retain(|handle| !kept.contains(handle));
    if handles.is_empty() || !model.connection.is_connected() {
        return vec![];
    }
    let id = model.next_request_id();
    model.send(id.clone(), Purpose::Release);
    let body = RequestBody::Release(ReleaseParams {
        handles: Some(handles),
    });
    vec![Effect::Bridge(BridgeCommand::Send(Request::new(
        id,
        model.session.clone(),
        body,
    )))]
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::app::update::tests::connected_model;
    use crate::app::update::update as app_update;
    use crate::net::NetEvent;
    use crate::ui::Msg;

    /// A reply the real server gave, recorded in `tests/fixtures/inspector`.
    pub(crate) fn recorded(name: &str) -> InspectResult {
        let path = format!(
            "{}/tests/fixtures/inspector/{name}.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(path).expect("a recorded reply");
        let reply: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        serde_json::from_value(reply["result"].clone()).expect("an inspect result")
    }

    pub(crate) fn send(model: &mut Model, msg: InspectorMsg) -> Vec<Effect> {
        app_update(model, Msg::Inspector(msg))
    }

    /// The one request the effects send, with its id.
    pub(crate) fn sent(effects: &[Effect]) -> (String, RequestBody) {
        match effects {
            [Effect::Bridge(BridgeCommand::Send(request))] => {
                (request.id.clone(), request.body.clone())
            }
            other => panic!("expected one request, got {other:?}"),
        }
    }

    pub(crate) fn answer(model: &mut Model, id: String, value: InspectResult) -> Vec<Effect> {
        let event = NetEvent::Reply {
            id,
            result: Ok(Answer::Inspect(value)),
            round_trip_us: 9,
        };
        app_update(model, Msg::Net(event))
    }

    pub(crate) fn state(model: &Model) -> &InspectorState {
        match &model.tool {
            Some(Tool::Inspector(state)) => state,
            _ => panic!("no inspector"),
        }
    }

    /// The inspector open on the recorded `OrderedCollection (3 4 )`.
    pub(crate) fn inspecting_collection() -> Model {
        let mut model = connected_model();
        open_on_value(&mut model, recorded("collection"));
        model
    }

    fn released(effects: &[Effect]) -> Vec<String> {
        match sent(effects).1 {
            RequestBody::Release(params) => params.handles.expect("some handles"),
            other => panic!("not a release: {other:?}"),
        }
    }

    #[test]
    fn up_and_down_select_a_row_within_the_rows() {
        let mut model = inspecting_collection();
        assert_eq!(state(&model).frame().unwrap().rows().len(), 4);
        send(&mut model, InspectorMsg::Move(Scroll::Up));
        assert_eq!(state(&model).frames[0].selected, 0);
        for _ in 0..6 {
            send(&mut model, InspectorMsg::Move(Scroll::Down));
        }
        assert_eq!(state(&model).frames[0].selected, 3);
        send(&mut model, InspectorMsg::Move(Scroll::Top));
        assert_eq!(state(&model).frames[0].selected, 0);
    }

    #[test]
    fn enter_drills_into_the_selected_element_by_its_handle_and_backspace_returns() {
        let mut model = inspecting_collection();
        send(&mut model, InspectorMsg::Move(Scroll::Down));
        send(&mut model, InspectorMsg::Move(Scroll::Down));
        let (id, body) = sent(&send(&mut model, InspectorMsg::Drill));
        let RequestBody::Inspect(params) = body else {
            panic!("not an inspect request");
        };
        assert_eq!(params.handle.as_deref(), Some("h4"));
        assert_eq!(state(&model).breadcrumb(), "OrderedCollection › 1");
        assert!(state(&model).frames[1].loading);
        assert!(answer(&mut model, id, recorded("element")).is_empty());
        let shown = state(&model).frame().unwrap();
        assert_eq!(shown.value.as_ref().unwrap().print, "3");
        // Back: the element's handle is still a row of the collection, so
        // nothing is released.
        assert!(send(&mut model, InspectorMsg::Back).is_empty());
        assert_eq!(state(&model).breadcrumb(), "OrderedCollection");
        assert_eq!(state(&model).frames[0].selected, 2);
    }

    #[test]
    fn closing_releases_the_handles_and_gives_the_focus_back() {
        let mut model = inspecting_collection();
        assert_eq!(model.focus, Focus::Tool);
        let effects = send(&mut model, InspectorMsg::Close);
        assert_eq!(released(&effects), ["h1", "h2", "h3", "h4", "h5"]);
        assert!(model.tool.is_none());
        assert_eq!(model.focus, Focus::Workspace);
        // Backspace at the root closes too.
        let mut model = inspecting_collection();
        assert_eq!(released(&send(&mut model, InspectorMsg::Back)).len(), 5);
        assert!(model.tool.is_none());
    }

    #[test]
    fn a_value_the_transcript_shows_keeps_its_handle() {
        let mut model = inspecting_collection();
        model.transcript.push(TranscriptEntry::Value {
            print: "3".into(),
            class: "SmallInteger".into(),
            truncated: false,
            duration_us: 1,
            handle: Some("h4".into()),
        });
        let effects = send(&mut model, InspectorMsg::Close);
        assert_eq!(released(&effects), ["h1", "h2", "h3", "h5"]);
    }

    #[test]
    fn a_reply_for_an_object_left_meanwhile_is_released() {
        let mut model = inspecting_collection();
        send(&mut model, InspectorMsg::Move(Scroll::Bottom));
        let (id, _) = sent(&send(&mut model, InspectorMsg::Drill));
        send(&mut model, InspectorMsg::Back);
        let mut element = recorded("element");
        element.handle = "h99".into();
        assert_eq!(released(&answer(&mut model, id, element)), ["h99"]);
        assert_eq!(state(&model).frames.len(), 1);
    }

    #[test]
    fn a_large_collection_pages_in_as_the_selection_nears_the_end() {
        let mut model = connected_model();
        open_on_value(&mut model, recorded("large"));
        if let Some(Tool::Inspector(state)) = &mut model.tool {
            state.height = 10;
        }
        let rows = state(&model).frame().unwrap().rows().len();
        // Two fields and the first 50 of 200 elements.
        assert_eq!(rows, 52);
        assert!(send(&mut model, InspectorMsg::Move(Scroll::PageDown)).is_empty());
        let mut requests = vec![];
        for _ in 0..5 {
            requests.extend(send(&mut model, InspectorMsg::Move(Scroll::PageDown)));
        }
        // One request while the page is on its way.
        let (id, body) = sent(&requests);
        let RequestBody::Inspect(params) = body else {
            panic!("not an inspect request");
        };
        assert_eq!(
            (params.offset, params.limit),
            (Some(50), Some(INSPECT_PAGE))
        );
        answer(&mut model, id, recorded("large_page2"));
        let frame = state(&model).frame().unwrap();
        assert_eq!(frame.rows().len(), 102);
        assert!(!frame.loading);
        assert_eq!(frame.selected, 51);
    }

    #[test]
    fn enter_in_the_transcript_inspects_the_newest_value_by_its_handle() {
        let mut model = connected_model();
        model.focus = Focus::Transcript;
        model.transcript.push(TranscriptEntry::Value {
            print: "OrderedCollection (3 4 )".into(),
            class: "OrderedCollection".into(),
            truncated: false,
            duration_us: 1,
            handle: Some("h1".into()),
        });
        model
            .transcript
            .push(TranscriptEntry::Notice("later".into()));
        let (id, body) = sent(&app_update(&mut model, Msg::InspectEntry));
        let RequestBody::Inspect(params) = body else {
            panic!("not an inspect request");
        };
        assert_eq!(params.handle.as_deref(), Some("h1"));
        assert_eq!(model.focus, Focus::Tool);
        answer(&mut model, id, recorded("collection"));
        assert_eq!(state(&model).frame().unwrap().rows().len(), 4);
        // Esc goes back to the transcript, and keeps the value's handle.
        let effects = send(&mut model, InspectorMsg::Close);
        assert_eq!(model.focus, Focus::Transcript);
        assert_eq!(released(&effects), ["h2", "h3", "h4", "h5"]);
    }

    #[test]
    fn inspecting_again_keeps_the_handles_the_new_view_shows() {
        let mut model = inspecting_collection();
        let mut again = recorded("collection");
        again.elements.pop();
        again.handle = "h9".into();
        let effects = open_on_value(&mut model, again);
        // h5 (element 2) is no longer shown; the rest are shown again.
        assert_eq!(released(&effects), ["h1", "h5"]);
        assert_eq!(state(&model).back_to, Focus::Workspace);
    }

    #[test]
    fn enter_without_a_value_in_the_transcript_says_so() {
        let mut model = connected_model();
        assert!(app_update(&mut model, Msg::InspectEntry).is_empty());
        assert!(model.tool.is_none());
        assert_eq!(model.status.message(), Some("No value to inspect."));
    }

    #[test]
    fn f6_cycles_workspace_tool_transcript_and_the_lower_pane_follows() {
        let mut model = inspecting_collection();
        model.focus = Focus::Workspace;
        assert!(model.shows_tool());
        app_update(&mut model, Msg::FocusNext);
        assert_eq!(model.focus, Focus::Tool);
        app_update(&mut model, Msg::FocusNext);
        assert_eq!(model.focus, Focus::Transcript);
        assert!(!model.shows_tool());
        app_update(&mut model, Msg::FocusNext);
        assert_eq!(model.focus, Focus::Workspace);
    }

    #[test]
    fn a_failed_drill_says_why_and_stays_on_the_object_before() {
        let mut model = inspecting_collection();
        let (id, _) = sent(&send(&mut model, InspectorMsg::Drill));
        let event = NetEvent::Failed {
            id,
            reason: "no reply".into(),
        };
        app_update(&mut model, Msg::Net(event));
        assert_eq!(state(&model).breadcrumb(), "OrderedCollection");
        assert_eq!(model.status.message(), Some("Cannot inspect: no reply"));
        // A handle the server no longer knows (it restarted) says so too.
        let (id, _) = sent(&send(&mut model, InspectorMsg::Drill));
        let error = ErrorObject::new(crate::protocol::ErrorCode::NotFound, "no handle h2");
        let event = NetEvent::Reply {
            id,
            result: Err(error),
            round_trip_us: 9,
        };
        app_update(&mut model, Msg::Net(event));
        assert_eq!(state(&model).frames.len(), 1);
        assert!(model.status.message().unwrap().contains("no handle h2"));
    }

    #[test]
    fn the_wheel_over_the_inspector_moves_its_selection_and_a_click_focuses_it() {
        use tuirealm::event::{KeyModifiers, MouseEvent, MouseEventKind};
        use tuirealm::ratatui::layout::Rect;
        let mut model = inspecting_collection();
        model.focus = Focus::Workspace;
        model.view.transcript_pane = Rect::new(0, 10, 80, 10);
        let at = |kind| {
            Msg::Mouse(MouseEvent {
                kind,
                column: 5,
                row: 12,
                modifiers: KeyModifiers::NONE,
            })
        };
        app_update(&mut model, at(MouseEventKind::ScrollDown));
        assert_eq!(state(&model).frames[0].selected, 3);
        assert_eq!(model.focus, Focus::Workspace, "the wheel does not focus");
        app_update(
            &mut model,
            at(MouseEventKind::Down(tuirealm::event::MouseButton::Left)),
        );
        assert_eq!(model.focus, Focus::Tool);
    }
}
