//! The debugger's update: an evaluation that answers `suspended` opens it
//! (another process while one is open is added beside it), its stack and
//! the selected frame's variables are asked for, the step keys move the
//! process of the selected frame, the evaluate line runs code in that
//! frame, Abandon terminates it. Replies come back by `Purpose::Debugger`.

use super::update::{Effect, evaluate_for, evaluation_reply, pair_with_its_code, push_output};
use crate::net::Answer;
use crate::protocol::{
    DebugEvaluateParams, DebugFrameParams, DebugMode, DebugStackParams, DebugStepParams,
    DebugStepResult, DebuggerParams, Empty, ErrorCode, ErrorObject, RequestBody, StepHow,
};
use crate::ui::browser_edit::{BrowserEdit, EditTarget};
use crate::ui::debugger::{
    DebugAsk, DebugPane, DebugSession, DebuggerMsg, STACK_LIMIT, stopped_because,
};
use crate::ui::inspector::Tool;
use crate::ui::{Connection, Focus, Model, PromptKey, Purpose, TranscriptEntry};

pub fn update(model: &mut Model, msg: DebuggerMsg) -> Vec<Effect> {
    match msg {
        DebuggerMsg::Move(step) => move_selection(model, step),
        DebuggerMsg::Pane(pane) => {
            if let Some(session) = model.debuggers.active_mut() {
                session.pane = pane;
            }
            vec![]
        }
        DebuggerMsg::Enter => enter(model),
        DebuggerMsg::Step(how) => step(model, how),
        DebuggerMsg::Abandon => abandon(model),
        DebuggerMsg::OpenPrompt => {
            if let Some(session) = model.debuggers.active_mut() {
                session.prompt = Some(String::new());
            }
            vec![]
        }
        DebuggerMsg::Prompt(key) => prompt_key(model, key),
        DebuggerMsg::Cycle { back } => cycle(model, back),
        DebuggerMsg::List => list(model),
        DebuggerMsg::Edit => {
            edit_frame(model);
            vec![]
        }
        DebuggerMsg::Hide => {
            model
                .status
                .say("The debugger is hidden: F9 shows it again.");
            super::tools::close(model)
        }
    }
}

/// The `debug` of an evaluation for `purpose`: Debug it starts suspended;
/// with `ui.debug_on_error` an error suspends, where the server can debug.
pub fn mode(model: &Model, purpose: &Purpose) -> Option<DebugMode> {
    if matches!(purpose, Purpose::DebugIt { .. }) {
        return Some(DebugMode::Start);
    }
    (model.debug_on_error && server_debugs(model)).then_some(DebugMode::OnError)
}

/// The server connected to lists the debugging types.
fn server_debugs(model: &Model) -> bool {
    matches!(&model.connection, Connection::Connected { info, .. } if info.debugging)
}

/// Debug it: the selection, else the statement at the cursor, suspended
/// before its first statement.
pub fn debug_it(model: &mut Model) -> Vec<Effect> {
    if model.connection.is_connected() && !server_debugs(model) {
        model
            .status
            .say("This server cannot debug (its describe lists no debug_stack).");
        return vec![];
    }
    let Some(evaluand) = model.view.editor.code_to_evaluate() else {
        model
            .status
            .say("Nothing to debug: the cursor is on a blank line.");
        return vec![];
    };
    let purpose = Purpose::DebugIt {
        code: evaluand.code.clone(),
        start: evaluand.start,
    };
    let mut effects = vec![super::update::save_workspace(model)];
    effects.extend(evaluate_for(model, evaluand.code, purpose));
    effects
}

/// A reply to an evaluation that suspended: the debugger opens on it and
/// the transcript says so briefly. `None` for any other reply.
pub fn intercept(
    model: &mut Model,
    purpose: &Purpose,
    result: &Result<Answer, ErrorObject>,
) -> Option<Vec<Effect>> {
    let Err(error) = result else { return None };
    let id = error
        .debugger
        .clone()
        .filter(|_| error.code == ErrorCode::Suspended)?;
    let code = match purpose {
        Purpose::Evaluation { code, .. }
        | Purpose::PrintIt { code, .. }
        | Purpose::InspectorEvaluation { code, .. }
        | Purpose::DebugIt { code, .. } => code.clone(),
        _ => return None,
    };
    pair_with_its_code(model, code.clone());
    super::diagnostics::push_warnings(model, result);
    if let Some(output) = &error.output {
        push_output(model, output);
    }
    let headline = match &error.class {
        Some(class) => format!("{class}: {}", error.message),
        None => stopped_because(if error.message.contains("halt") {
            "halt"
        } else {
            "start"
        })
        .to_string(),
    };
    model.transcript.push(TranscriptEntry::Notice(format!(
        "{headline} · in debugger {id}"
    )));
    model
        .debuggers
        .add(DebugSession::new(id.clone(), code, headline));
    let mut effects = show(model);
    effects.push(stack_request(model, id));
    Some(effects)
}

/// The debugger in the lower pane, with the focus.
pub fn show(model: &mut Model) -> Vec<Effect> {
    let mut effects = vec![];
    if !matches!(model.tool, Some(Tool::Debugger(_))) {
        let (released, back_to) = super::tools::make_room(model);
        effects = released;
        model.tool = Some(Tool::Debugger(back_to));
    }
    model.debuggers.inspecting = None;
    model.focus = Focus::Tool;
    effects
}

/// After every message: the inspector opened on a variable has closed, so
/// the debugger comes back.
pub fn settle(model: &mut Model) {
    if model.tool.is_none()
        && !model.debuggers.list.is_empty()
        && let Some(back_to) = model.debuggers.inspecting.take()
    {
        model.tool = Some(Tool::Debugger(back_to));
        model.focus = Focus::Tool;
    }
}

fn request(model: &mut Model, ask: DebugAsk, body: RequestBody) -> Effect {
    super::tools::request(model, Purpose::Debugger(ask), body)
}

fn stack_request(model: &mut Model, debugger: String) -> Effect {
    let body = RequestBody::DebugStack(DebugStackParams {
        debugger: debugger.clone(),
        limit: Some(STACK_LIMIT),
    });
    request(model, DebugAsk::Stack(debugger), body)
}

/// Ask for the variables of the active debugger's selected frame.
fn frame_request(model: &mut Model) -> Vec<Effect> {
    let Some(session) = model.debuggers.active() else {
        return vec![];
    };
    if session.selected_frame().is_none() {
        return vec![];
    }
    let (debugger, frame) = (session.id.clone(), session.selected);
    let body = RequestBody::DebugFrame(DebugFrameParams {
        debugger: debugger.clone(),
        frame: frame as u64,
    });
    vec![request(model, DebugAsk::Frame { debugger, frame }, body)]
}

fn move_selection(model: &mut Model, step: crate::ui::Scroll) -> Vec<Effect> {
    let Some(session) = model.debuggers.active_mut() else {
        return vec![];
    };
    match session.pane {
        DebugPane::Variables => {
            let rows = session.variable_rows().len();
            session.variable = step.select(session.variable, rows, 5);
            vec![]
        }
        DebugPane::Stack => {
            let before = session.selected;
            session.selected = step.select(before, session.frames().len(), 5);
            if session.selected == before {
                return vec![];
            }
            session.frame = None;
            session.variables_note = None;
            session.variable = 0;
            frame_request(model)
        }
    }
}

/// Enter: from a frame to its variables; on a variable, the inspector on
/// it (going back from the inspector returns here).
fn enter(model: &mut Model) -> Vec<Effect> {
    let Some(session) = model.debuggers.active_mut() else {
        return vec![];
    };
    if session.pane == DebugPane::Stack {
        session.pane = DebugPane::Variables;
        return vec![];
    }
    let Some(row) = session.variable_rows().get(session.variable).copied() else {
        return vec![];
    };
    let (label, handle) = (row.name.to_string(), row.handle.to_string());
    if !super::tools::connected_or_say(model) {
        return vec![];
    }
    let back_to = match &model.tool {
        Some(Tool::Debugger(back_to)) => back_to.clone(),
        _ => model.focus.clone(),
    };
    // The inspector takes the pane: closing it must not close the debugger.
    model.tool = None;
    let effects = super::inspector::open_on_handle(model, label, handle);
    model.debuggers.inspecting = Some(back_to);
    effects
}

fn step(model: &mut Model, how: StepHow) -> Vec<Effect> {
    let connected = super::tools::connected_or_say(model);
    let Some(session) = model.debuggers.active_mut().filter(|_| connected) else {
        return vec![];
    };
    if session.stack.is_none() || session.stepping.is_some() {
        model
            .status
            .say("Wait: the debugger is busy (Ctrl+G interrupts a step).");
        return vec![];
    }
    session.stepping = Some(how);
    let (debugger, frame) = (session.id.clone(), session.selected as u64);
    let body = RequestBody::DebugStep(DebugStepParams {
        debugger: debugger.clone(),
        how,
        frame: Some(frame),
        timeout_ms: Some(model.evaluation_timeout_ms),
    });
    vec![request(model, DebugAsk::Step { debugger, how }, body)]
}

/// `e`: the selected frame's method in the browser's editor, in place of
/// its source; accepting compiles it (in its class and side, keeping its
/// protocol) and restarts the frame.
fn edit_frame(model: &mut Model) {
    let Some(session) = model.debuggers.active_mut() else {
        return;
    };
    let Some(frame) = session.selected_frame() else {
        return;
    };
    // Workspace code is compiled as UndefinedObject>>DoIt, for one run.
    if frame.selector == "DoIt" && frame.class == "UndefinedObject" {
        let why =
            "A DoIt frame cannot be compiled: change the code in the workspace and Debug it again.";
        model.status.say(why);
        return;
    }
    let target = EditTarget::Method {
        class: frame.class.clone(),
        meta: frame.meta,
        selector: Some(frame.selector.clone()),
        protocol: None,
    };
    let source = frame.source.clone();
    session.edit = Some(Box::new(BrowserEdit::new(target, &source)));
}

/// The edited method compiled: its frame restarts on the new code, as
/// Pharo's accept in the debugger does.
pub fn compiled(model: &mut Model, code: &str) -> Vec<Effect> {
    if let Some(session) = model.debuggers.active_mut()
        && session
            .edit
            .as_ref()
            .is_some_and(|edit| edit.editor.text() == code)
    {
        session.edit = None;
    }
    step(model, StepHow::Restart)
}

/// Abandon: terminate the process shown; the next one shows, or the tool
/// closes with the last.
fn abandon(model: &mut Model) -> Vec<Effect> {
    let Some(id) = model.debuggers.active().map(|s| s.id.clone()) else {
        return vec![];
    };
    forget(model, &id);
    if !model.connection.is_connected() {
        return vec![];
    }
    let body = RequestBody::DebugClose(DebuggerParams {
        debugger: id.clone(),
    });
    vec![request(model, DebugAsk::Close(id), body)]
}

/// Drop the process `id` from the debugger; without any left it closes.
fn forget(model: &mut Model, id: &str) {
    model.debuggers.remove(id);
    close_if_empty(model);
}

fn close_if_empty(model: &mut Model) {
    if model.debuggers.list.is_empty() && matches!(model.tool, Some(Tool::Debugger(_))) {
        super::tools::close(model);
    }
}

fn cycle(model: &mut Model, back: bool) -> Vec<Effect> {
    model.debuggers.cycle(back);
    refresh_active(model)
}

/// The active debugger's stack (or variables) if they have not come yet.
fn refresh_active(model: &mut Model) -> Vec<Effect> {
    match model.debuggers.active() {
        Some(session) if session.stack.is_none() => {
            let id = session.id.clone();
            vec![stack_request(model, id)]
        }
        Some(session) if session.frame.is_none() => frame_request(model),
        _ => vec![],
    }
}

/// F9 or `l`: the session's debuggers from the server, shown in the debugger.
fn list(model: &mut Model) -> Vec<Effect> {
    if !super::tools::connected_or_say(model) {
        return vec![];
    }
    let open = !matches!(model.tool, Some(Tool::Debugger(_))) || model.focus != Focus::Tool;
    let body = RequestBody::DebugList(Empty {});
    vec![request(model, DebugAsk::List { open }, body)]
}

fn prompt_key(model: &mut Model, key: PromptKey) -> Vec<Effect> {
    let Some(session) = model.debuggers.active_mut() else {
        return vec![];
    };
    let Some(line) = session.prompt.as_mut() else {
        return vec![];
    };
    if key.edit(line) {
        return vec![];
    }
    let code = session.prompt.take().unwrap_or_default();
    if key == PromptKey::Cancel || code.trim().is_empty() {
        return vec![];
    }
    if !super::tools::connected_or_say(model) {
        return vec![];
    }
    let Some(session) = model.debuggers.active() else {
        return vec![];
    };
    let (debugger, frame) = (session.id.clone(), session.selected as u64);
    let body = RequestBody::DebugEvaluate(DebugEvaluateParams {
        debugger: debugger.clone(),
        frame,
        code: code.clone(),
        timeout_ms: Some(model.evaluation_timeout_ms),
        print_limit: None,
    });
    model
        .transcript
        .push(TranscriptEntry::Input { code: code.clone() });
    vec![request(model, DebugAsk::Evaluate { debugger, code }, body)]
}

/// A debugger request answered.
pub fn reply(model: &mut Model, ask: DebugAsk, result: Result<Answer, ErrorObject>) -> Vec<Effect> {
    match (ask, result) {
        (DebugAsk::Stack(id), Ok(Answer::DebugStack(stack))) => {
            let Some(session) = model.debuggers.by_id(&id) else {
                return vec![];
            };
            session.replace_stack(stack);
            refresh_active(model)
        }
        (DebugAsk::Frame { debugger, frame }, Ok(Answer::DebugFrame(variables))) => {
            if let Some(session) = model.debuggers.by_id(&debugger)
                && session.selected == frame
            {
                session.frame = Some(variables);
                session.variable = session.variable.min(variables_count(session));
            }
            vec![]
        }
        (DebugAsk::Step { debugger, .. }, result) => stepped(model, &debugger, result),
        (DebugAsk::Evaluate { debugger, code }, result) => {
            evaluated(model, &debugger, code, result)
        }
        (DebugAsk::Close(_), Ok(_)) => vec![],
        (DebugAsk::List { open }, Ok(Answer::DebugList(list))) => listed(model, list, open),
        (ask, Ok(other)) => {
            log::error!("{ask:?} was answered as {}", other.type_name());
            vec![]
        }
        (ask, Err(error)) => {
            // The process ended meanwhile (closed by another request, or expired).
            let gone = debugger_of(&ask).filter(|_| error.code == ErrorCode::NotFound);
            if let Some(id) = gone.cloned() {
                forget(model, &id);
            }
            failed(model, ask, &error.to_string());
            vec![]
        }
    }
}

fn variables_count(session: &DebugSession) -> usize {
    session.variable_rows().len().saturating_sub(1)
}

/// Where a step left the process: stopped again (its new stack), at its
/// end (the value, as a Do it's), or ended in an error.
fn stepped(model: &mut Model, id: &str, result: Result<Answer, ErrorObject>) -> Vec<Effect> {
    let Some(session) = model.debuggers.by_id(id) else {
        return vec![];
    };
    session.stepping = None;
    let code = session.code.clone();
    match result {
        Ok(Answer::DebugStep(DebugStepResult::Suspended(stack))) => {
            // Show where it stopped: the frames above the stepped one are gone.
            session.selected = 0;
            session.replace_stack(stack);
            refresh_active(model)
        }
        Ok(Answer::DebugStep(DebugStepResult::Finished { result })) => {
            forget(model, id);
            evaluation_reply(model, code, None, Ok(Answer::Evaluate(result)));
            vec![]
        }
        Ok(Answer::DebugStep(DebugStepResult::Failed { error })) => {
            forget(model, id);
            evaluation_reply(model, code, None, Err(error));
            vec![]
        }
        Ok(other) => {
            log::error!("debug_step was answered as {}", other.type_name());
            vec![]
        }
        Err(error) if error.code == ErrorCode::NotFound => {
            model.transcript.push(TranscriptEntry::Error(error));
            forget(model, id);
            vec![]
        }
        // Ctrl+G: the process stopped wherever it had got to; show it there.
        Err(error) if error.code == ErrorCode::Interrupted => {
            session.selected = 0;
            model
                .status
                .say("Interrupted: the debugger shows where the process stopped.");
            vec![stack_request(model, id.to_string())]
        }
        // Refused: the process is where it was, or gone.
        Err(error) => {
            // The transcript is behind the debugger.
            model.status.say(format!("The step did not run: {error}"));
            model.transcript.push(TranscriptEntry::Error(error));
            vec![stack_request(model, id.to_string())]
        }
    }
}

/// The evaluate line's answer: in the debugger's border and the
/// transcript; the frame's variables may have changed.
fn evaluated(
    model: &mut Model,
    id: &str,
    code: String,
    result: Result<Answer, ErrorObject>,
) -> Vec<Effect> {
    // Shown as a Do it's value is.
    let result = result.map(|answer| match answer {
        Answer::DebugEvaluate(value) => Answer::Evaluate(value),
        other => other,
    });
    let answer = match &result {
        Ok(Answer::Evaluate(value)) => crate::ui::inspector::one_line(&value.print),
        Ok(other) => other.type_name().to_string(),
        Err(error) => error.to_string(),
    };
    let Some(session) = model.debuggers.by_id(id) else {
        return vec![];
    };
    session.last_result = Some(format!(
        "{} → {answer}",
        crate::ui::inspector::one_line(&code)
    ));
    session.frame = None;
    evaluation_reply(model, code, None, result);
    refresh_active(model)
}

/// `debug_list`: processes not shown yet are added, those the server no
/// longer has go; the transcript lists them.
fn listed(model: &mut Model, list: crate::protocol::DebugListResult, open: bool) -> Vec<Effect> {
    let names: Vec<&str> = list.debuggers.iter().map(|d| d.debugger.as_str()).collect();
    let shown = model.debuggers.active().map(|s| s.id.clone());
    model
        .debuggers
        .list
        .retain(|s| names.contains(&s.id.as_str()));
    for summary in &list.debuggers {
        if model.debuggers.by_id(&summary.debugger).is_none() {
            let session = DebugSession::new(
                summary.debugger.clone(),
                summary.label.clone(),
                summary.label.clone(),
            );
            model.debuggers.add(session);
        }
    }
    let at = shown.and_then(|id| model.debuggers.list.iter().position(|s| s.id == id));
    model.debuggers.active = at.unwrap_or(0);
    let lines: Vec<String> = list
        .debuggers
        .iter()
        .map(|d| format!("  {} · {} · {} s", d.debugger, d.label, d.since_ms / 1000))
        .collect();
    let notice = match lines.len() {
        0 => "No debugger is open.".to_string(),
        n => format!("{n} debugger(s) open:\n{}", lines.join("\n")),
    };
    model.transcript.push(TranscriptEntry::Notice(notice));
    // The transcript may be behind the debugger.
    let ids: Vec<&str> = model.debuggers.list.iter().map(|s| s.id.as_str()).collect();
    model.status.say(match ids.len() {
        0 => "No debugger is open.".to_string(),
        1 => format!("One debugger: {}.", ids[0]),
        n => format!("{n} debuggers: {} (] and [ switch).", ids.join(", ")),
    });
    if model.debuggers.list.is_empty() {
        close_if_empty(model);
        return vec![];
    }
    let mut effects = if open { show(model) } else { vec![] };
    effects.extend(refresh_active(model));
    effects
}

/// The process a request was for (none for the list).
fn debugger_of(ask: &DebugAsk) -> Option<&String> {
    match ask {
        DebugAsk::Stack(id) | DebugAsk::Close(id) => Some(id),
        DebugAsk::Frame { debugger, .. }
        | DebugAsk::Step { debugger, .. }
        | DebugAsk::Evaluate { debugger, .. } => Some(debugger),
        DebugAsk::List { .. } => None,
    }
}

/// A debugger request got no answer (or an error): say so where it was asked.
pub fn failed(model: &mut Model, ask: DebugAsk, reason: &str) {
    let what = match &ask {
        DebugAsk::Stack(_) => "Cannot show the stack",
        DebugAsk::Frame { .. } => "Cannot show the variables",
        DebugAsk::Step { .. } => "The step failed",
        DebugAsk::Evaluate { .. } => "Cannot evaluate in the frame",
        DebugAsk::Close(_) => "Cannot close the debugger",
        DebugAsk::List { .. } => "Cannot list the debuggers",
    };
    if let Some(session) = debugger_of(&ask).and_then(|id| model.debuggers.by_id(id)) {
        session.stepping = None;
        if matches!(ask, DebugAsk::Frame { frame, .. } if frame == session.selected) {
            session.variables_note = Some(format!("{what}: {reason}"));
        }
    }
    model.status.say(format!("{what}: {reason}"));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::browser::tests::sent;
    use crate::app::update::tests::connected_with;
    use crate::app::update::update as app_update;
    use crate::net::{BridgeCommand, NetEvent};
    use crate::protocol::{DebugStackResult, EvaluateResult};
    use crate::ui::{Msg, Scroll};

    /// The reply recorded from the real server in tests/fixtures/debugger.
    fn fixture(name: &str) -> serde_json::Value {
        let path = format!(
            "{}/tests/fixtures/debugger/{name}.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(path).expect("a fixture");
        serde_json::from_str(&text).expect("JSON")
    }

    fn part<T: serde::de::DeserializeOwned>(name: &str, member: &str) -> T {
        serde_json::from_value(fixture(name)[member].clone()).expect("the type")
    }

    fn answer(model: &mut Model, id: &str, result: Result<Answer, ErrorObject>) -> Vec<Effect> {
        let event = NetEvent::Reply {
            id: id.to_string(),
            result,
            round_trip_us: 9,
        };
        app_update(model, Msg::Net(event))
    }

    fn one(effects: &[Effect]) -> (String, RequestBody) {
        let mut requests = sent(effects);
        assert_eq!(requests.len(), 1, "{requests:?}");
        requests.remove(0)
    }

    fn suspended() -> ErrorObject {
        part("suspended", "error")
    }

    fn stack() -> DebugStackResult {
        part("debug_stack", "result")
    }

    /// `1/0` evaluated and suspended as `d2`: the debugger asked for its stack.
    fn suspended_model() -> (Model, String) {
        let mut model = connected_with("#(3 4) collect: [:x | x / 0]");
        let (id, _) = one(&app_update(&mut model, Msg::EvaluateSelection));
        let (stack_id, body) = one(&answer(&mut model, &id, Err(suspended())));
        assert!(matches!(body, RequestBody::DebugStack(p) if p.debugger == "d2"));
        (model, stack_id)
    }

    /// The debugger showing the recorded stack, frame 0's variables asked.
    fn debugging() -> (Model, String) {
        let (mut model, stack_id) = suspended_model();
        let (frame_id, body) = one(&answer(
            &mut model,
            &stack_id,
            Ok(Answer::DebugStack(stack())),
        ));
        assert!(matches!(body, RequestBody::DebugFrame(p) if p.frame == 0 && p.debugger == "d2"));
        (model, frame_id)
    }

    fn session(model: &Model) -> &DebugSession {
        model.debuggers.active().expect("a debugger")
    }

    fn notices(model: &Model) -> Vec<String> {
        model
            .transcript
            .iter()
            .filter_map(|entry| match entry {
                TranscriptEntry::Notice(text) => Some(text.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn evaluations_suspend_on_error_only_where_the_server_debugs_and_the_setting_says() {
        let evaluation = Purpose::Evaluation {
            code: "1/0".into(),
            start: None,
        };
        let mut model = connected_with("");
        assert_eq!(mode(&model, &evaluation), Some(DebugMode::OnError));
        model.debug_on_error = false;
        assert_eq!(mode(&model, &evaluation), None);
        model.debug_on_error = true;
        if let Connection::Connected { info, .. } = &mut model.connection {
            info.debugging = false;
        }
        assert_eq!(
            mode(&model, &evaluation),
            None,
            "a server without debug_stack"
        );
        let (_, body) = one(&app_update(&mut model, Msg::Evaluate("1/0".into())));
        assert!(matches!(body, RequestBody::Evaluate(p) if p.debug.is_none()));
    }

    #[test]
    fn debug_it_evaluates_the_statement_suspended_before_it_starts() {
        let mut model = connected_with("3 + 4");
        let (_, body) = one(&app_update(&mut model, Msg::DebugIt));
        assert!(
            matches!(&body, RequestBody::Evaluate(p) if p.debug == Some(DebugMode::Start) && p.code == "3 + 4"),
            "{body:?}"
        );
        if let Connection::Connected { info, .. } = &mut model.connection {
            info.debugging = false;
        }
        assert!(sent(&app_update(&mut model, Msg::DebugIt)).is_empty());
        assert_eq!(
            model.status.message(),
            Some("This server cannot debug (its describe lists no debug_stack).")
        );
    }

    #[test]
    fn a_suspended_evaluation_opens_the_debugger_and_the_transcript_says_so_briefly() {
        let (model, _) = suspended_model();
        assert!(matches!(model.tool, Some(Tool::Debugger(Focus::Workspace))));
        assert_eq!(model.focus, Focus::Tool);
        assert!(model.shows_tool());
        assert_eq!(
            notices(&model).last().map(String::as_str),
            Some("ZeroDivide: The program attempted to divide a number by zero · in debugger d2")
        );
        assert!(
            !model
                .transcript
                .iter()
                .any(|e| matches!(e, TranscriptEntry::Error(_))),
            "no whole stack in the transcript"
        );
        assert_eq!(session(&model).title(), session(&model).headline);
    }

    #[test]
    fn the_stack_and_then_the_selected_frames_variables_are_shown() {
        let (mut model, frame_id) = debugging();
        assert_eq!(session(&model).frames().len(), 5);
        assert_eq!(
            session(&model).title(),
            "ZeroDivide: The program attempted to divide a number by zero"
        );
        let variables = part("collect-debug_frame", "result");
        answer(&mut model, &frame_id, Ok(Answer::DebugFrame(variables)));
        let rows = session(&model).variable_rows();
        let names: Vec<&str> = rows.iter().map(|row| row.name).collect();
        assert_eq!(names, ["self", "arg"]);
    }

    #[test]
    fn moving_in_the_stack_asks_for_that_frames_variables_and_drops_a_late_answer() {
        let (mut model, frame_0) = debugging();
        let effects = update(&mut model, DebuggerMsg::Move(Scroll::Down));
        let (_, body) = one(&effects);
        assert!(matches!(body, RequestBody::DebugFrame(p) if p.frame == 1));
        let variables = part("collect-debug_frame", "result");
        answer(&mut model, &frame_0, Ok(Answer::DebugFrame(variables)));
        assert_eq!(session(&model).frame, None, "frame 0's answer came late");
        assert!(update(&mut model, DebuggerMsg::Move(Scroll::Top)).len() == 1);
        assert!(
            update(&mut model, DebuggerMsg::Move(Scroll::Up)).is_empty(),
            "already at the top"
        );
    }

    fn step_from(model: &mut Model, how: StepHow) -> String {
        let (id, body) = one(&update(model, DebuggerMsg::Step(how)));
        let RequestBody::DebugStep(params) = body else {
            panic!("not a step: {body:?}");
        };
        assert_eq!(
            (params.how, params.frame),
            (how, Some(session(model).selected as u64))
        );
        id
    }

    #[test]
    fn a_step_of_the_selected_frame_that_stops_again_shows_the_new_stack() {
        let (mut model, _) = debugging();
        update(&mut model, DebuggerMsg::Move(Scroll::Down));
        let id = step_from(&mut model, StepHow::Over);
        assert_eq!(session(&model).stepping, Some(StepHow::Over));
        assert!(
            sent(&update(&mut model, DebuggerMsg::Step(StepHow::Into))).is_empty(),
            "one step at a time"
        );
        assert_eq!(
            model.running_evaluations(),
            [id.as_str()],
            "Ctrl+G interrupts it"
        );
        let stepped: DebugStepResult = part("collect-debug_step-suspended", "result");
        let (_, body) = one(&answer(&mut model, &id, Ok(Answer::DebugStep(stepped))));
        assert!(matches!(body, RequestBody::DebugFrame(p) if p.frame == 0));
        let session = session(&model);
        assert_eq!(session.stepping, None);
        let label = session.selected_frame().unwrap().label.as_str();
        assert_eq!(
            label, "SmallInteger>>/",
            "where it stopped, not the old depth"
        );
    }

    #[test]
    fn a_step_to_the_end_closes_the_debugger_and_shows_the_value_as_do_it_would() {
        let (mut model, _) = debugging();
        let id = step_from(&mut model, StepHow::Proceed);
        let finished: DebugStepResult = part("collect-debug_step-finished", "result");
        answer(&mut model, &id, Ok(Answer::DebugStep(finished)));
        assert!(model.tool.is_none() && model.debuggers.list.is_empty());
        assert_eq!(model.focus, Focus::Workspace);
        assert!(matches!(
            model.transcript.last(),
            Some(TranscriptEntry::Value { print, .. }) if print == "4"
        ));
    }

    #[test]
    fn a_step_that_ends_in_an_error_shows_it_and_closes_the_debugger() {
        let (mut model, _) = debugging();
        let id = step_from(&mut model, StepHow::Proceed);
        let error = ErrorObject::new(ErrorCode::EvaluationError, "boom");
        answer(
            &mut model,
            &id,
            Ok(Answer::DebugStep(DebugStepResult::Failed { error })),
        );
        assert!(model.tool.is_none() && model.debuggers.list.is_empty());
        assert!(
            matches!(model.transcript.last(), Some(TranscriptEntry::Error(e)) if e.message == "boom")
        );
    }

    #[test]
    fn an_interrupted_step_asks_for_the_stack_again_and_a_lost_one_frees_the_keys() {
        let (mut model, _) = debugging();
        update(&mut model, DebuggerMsg::Move(Scroll::Down));
        let id = step_from(&mut model, StepHow::Over);
        let effects = app_update(&mut model, Msg::Interrupt);
        assert!(effects.contains(&Effect::Bridge(BridgeCommand::Interrupt {
            target: Some(id.clone())
        })));
        let interrupted = ErrorObject::new(ErrorCode::Interrupted, "interrupted");
        let (_, body) = one(&answer(&mut model, &id, Err(interrupted)));
        assert!(matches!(body, RequestBody::DebugStack(_)));
        assert_eq!(session(&model).stepping, None);
        assert_eq!(session(&model).selected, 0, "where it stopped");
        assert_eq!(
            model.status.message(),
            Some("Interrupted: the debugger shows where the process stopped.")
        );
        let id = step_from(&mut model, StepHow::Into);
        let failed = NetEvent::Failed {
            id,
            reason: "no reply".into(),
        };
        app_update(&mut model, Msg::Net(failed));
        assert_eq!(session(&model).stepping, None);
        assert_eq!(model.status.message(), Some("The step failed: no reply"));
    }

    #[test]
    fn abandon_closes_the_process_and_the_debugger_gives_the_focus_back() {
        let (mut model, _) = debugging();
        let (id, body) = one(&update(&mut model, DebuggerMsg::Abandon));
        assert!(matches!(body, RequestBody::DebugClose(p) if p.debugger == "d2"));
        assert!(model.tool.is_none());
        assert_eq!(model.focus, Focus::Workspace);
        assert_eq!(model.view.editor.text(), "#(3 4) collect: [:x | x / 0]");
        let closed = part("debug_close", "result");
        assert!(answer(&mut model, &id, Ok(Answer::DebugClose(closed))).is_empty());
    }

    #[test]
    fn another_suspended_evaluation_adds_a_debugger_and_the_keys_switch_between_them() {
        let (mut model, _) = debugging();
        model.focus = Focus::Workspace;
        let (id, _) = one(&app_update(&mut model, Msg::EvaluateSelection));
        let mut again = suspended();
        again.debugger = Some("d3".into());
        let (_, body) = one(&answer(&mut model, &id, Err(again)));
        assert!(matches!(body, RequestBody::DebugStack(p) if p.debugger == "d3"));
        assert_eq!(model.debuggers.list.len(), 2);
        assert_eq!(session(&model).id, "d3");
        let effects = update(&mut model, DebuggerMsg::Cycle { back: false });
        assert_eq!(session(&model).id, "d2");
        assert!(
            matches!(one(&effects).1, RequestBody::DebugFrame(_)),
            "its variables had not come"
        );
        update(&mut model, DebuggerMsg::Cycle { back: true });
        update(&mut model, DebuggerMsg::Abandon);
        assert_eq!(session(&model).id, "d2", "the other one shows");
        assert!(matches!(model.tool, Some(Tool::Debugger(_))));
    }

    #[test]
    fn enter_on_a_variable_inspects_it_and_leaving_the_inspector_comes_back() {
        let (mut model, frame_id) = debugging();
        let variables = part("collect-debug_frame", "result");
        answer(&mut model, &frame_id, Ok(Answer::DebugFrame(variables)));
        assert!(
            update(&mut model, DebuggerMsg::Enter).is_empty(),
            "to the variables"
        );
        update(&mut model, DebuggerMsg::Move(Scroll::Down));
        let (_, body) = one(&update(&mut model, DebuggerMsg::Enter));
        assert!(matches!(body, RequestBody::Inspect(p) if p.handle.as_deref() == Some("h2")));
        assert!(matches!(model.tool, Some(Tool::Inspector(_))));
        app_update(
            &mut model,
            Msg::Inspector(crate::ui::inspector::InspectorMsg::Back),
        );
        assert!(matches!(model.tool, Some(Tool::Debugger(Focus::Workspace))));
        assert_eq!(model.focus, Focus::Tool);
        assert_eq!(session(&model).pane, DebugPane::Variables);
    }

    #[test]
    fn the_evaluate_line_runs_in_the_selected_frame_and_shows_its_answer() {
        let (mut model, _) = debugging();
        update(&mut model, DebuggerMsg::OpenPrompt);
        for c in "arg + 4".chars() {
            update(&mut model, DebuggerMsg::Prompt(PromptKey::Type(c)));
        }
        let (id, body) = one(&update(&mut model, DebuggerMsg::Prompt(PromptKey::Accept)));
        assert!(
            matches!(&body, RequestBody::DebugEvaluate(p) if p.code == "arg + 4" && p.frame == 0)
        );
        assert_eq!(session(&model).prompt, None);
        let value: EvaluateResult = part("collect-debug_evaluate", "result");
        let (_, again) = one(&answer(&mut model, &id, Ok(Answer::DebugEvaluate(value))));
        assert!(
            matches!(again, RequestBody::DebugFrame(_)),
            "the variables may have changed"
        );
        assert_eq!(session(&model).last_result.as_deref(), Some("arg + 4 → 4"));
        assert!(matches!(
            model.transcript.last(),
            Some(TranscriptEntry::Value { .. })
        ));
        update(&mut model, DebuggerMsg::OpenPrompt);
        update(&mut model, DebuggerMsg::Prompt(PromptKey::Type('x')));
        assert!(update(&mut model, DebuggerMsg::Prompt(PromptKey::Cancel)).is_empty());
    }

    #[test]
    fn esc_hides_the_debugger_and_the_list_brings_back_the_servers_debuggers() {
        let (mut model, _) = debugging();
        update(&mut model, DebuggerMsg::Hide);
        assert!(model.tool.is_none());
        assert_eq!(model.debuggers.list.len(), 1, "the process stays");
        let (id, body) = one(&update(&mut model, DebuggerMsg::List));
        assert!(matches!(body, RequestBody::DebugList(_)));
        let list = part("debug_list", "result");
        let effects = answer(&mut model, &id, Ok(Answer::DebugList(list)));
        assert!(matches!(model.tool, Some(Tool::Debugger(_))));
        assert_eq!(model.debuggers.list.len(), 2, "d1 adopted");
        assert_eq!(session(&model).id, "d2", "the one shown stays");
        assert!(matches!(one(&effects).1, RequestBody::DebugFrame(_)));
        assert!(
            notices(&model)
                .last()
                .unwrap()
                .starts_with("2 debugger(s) open:")
        );
        assert_eq!(
            model.status.message(),
            Some("2 debuggers: d2, d1 (] and [ switch).")
        );
    }

    #[test]
    fn variables_the_server_cannot_give_say_why_in_their_place() {
        let (mut model, frame_id) = debugging();
        let unknown = ErrorObject::new(ErrorCode::Other("unknown_type".into()), "no debug_frame");
        answer(&mut model, &frame_id, Err(unknown));
        assert_eq!(
            session(&model).variables_note.as_deref(),
            Some("Cannot show the variables: unknown_type: no debug_frame")
        );
        update(&mut model, DebuggerMsg::Move(Scroll::Down));
        assert_eq!(
            session(&model).variables_note,
            None,
            "asked again for another frame"
        );
    }

    #[test]
    fn a_debugger_the_server_no_longer_has_is_forgotten() {
        let (mut model, frame_id) = debugging();
        let gone = ErrorObject::new(ErrorCode::NotFound, "no debugger d2");
        answer(&mut model, &frame_id, Err(gone));
        assert!(model.debuggers.list.is_empty() && model.tool.is_none());
        assert!(
            model
                .status
                .message()
                .unwrap()
                .starts_with("Cannot show the variables")
        );
    }

    #[test]
    fn an_edited_method_is_compiled_in_its_class_keeping_its_protocol_and_its_frame_restarts() {
        use crate::protocol::CompileResult;
        use crate::ui::browser_edit::EditMsg;
        let (mut model, _) = debugging();
        update(&mut model, DebuggerMsg::Move(Scroll::Down));
        update(&mut model, DebuggerMsg::Edit);
        assert!(
            crate::components::browser_source::has_keys(&model),
            "the editor has the keys"
        );
        let edit = |model: &mut Model, msg| app_update(model, Msg::BrowserEdit(msg));
        let end = tuirealm::event::KeyEvent::new(
            tuirealm::event::Key::End,
            tuirealm::event::KeyModifiers::CONTROL,
        );
        edit(&mut model, EditMsg::Key(end));
        edit(&mut model, EditMsg::Paste(" + 0".into()));
        let (id, body) = one(&edit(&mut model, EditMsg::Accept));
        let RequestBody::Compile(params) = body else {
            panic!("not a compile: {body:?}");
        };
        assert_eq!(
            (params.class.as_str(), params.meta, &params.protocol),
            ("SmallInteger", None, &None)
        );
        assert!(
            params.source.starts_with("/ arg + 0\n"),
            "{}",
            params.source
        );
        let compiled = CompileResult {
            selector: "/".into(),
        };
        let (_, body) = one(&answer(&mut model, &id, Ok(Answer::Compile(compiled))));
        assert!(
            matches!(body, RequestBody::DebugStep(p) if p.how == StepHow::Restart && p.frame == Some(1))
        );
        assert!(session(&model).edit.is_none());
        assert_eq!(model.status.message(), Some("Compiled SmallInteger>>/"));
    }

    #[test]
    fn a_syntax_error_stays_in_the_edit_and_a_doit_frame_cannot_be_edited() {
        use crate::ui::browser_edit::EditMsg;
        let (mut model, _) = debugging();
        update(&mut model, DebuggerMsg::Move(Scroll::Bottom));
        update(&mut model, DebuggerMsg::Edit);
        assert!(session(&model).edit.is_none());
        assert_eq!(
            model.status.message(),
            Some(
                "A DoIt frame cannot be compiled: change the code in the workspace and Debug it again."
            )
        );
        update(&mut model, DebuggerMsg::Move(Scroll::Top));
        update(&mut model, DebuggerMsg::Edit);
        let (id, _) = one(&app_update(&mut model, Msg::BrowserEdit(EditMsg::Accept)));
        let mut error = ErrorObject::new(ErrorCode::SyntaxError, "expected expression");
        (error.line, error.column) = (Some(1), Some(3));
        assert!(answer(&mut model, &id, Err(error)).is_empty(), "no restart");
        let edit = session(&model).edit.as_ref().expect("the edit stays");
        assert_eq!(edit.error.as_ref().and_then(|e| e.at), Some((0, 2)));
        app_update(&mut model, Msg::BrowserEdit(EditMsg::Cancel));
        assert!(session(&model).edit.is_none(), "unchanged: left at once");
        assert!(matches!(model.tool, Some(Tool::Debugger(_))));
    }

    #[test]
    fn the_wheel_over_the_debugger_moves_a_frame_a_notch() {
        use tuirealm::event::{KeyModifiers, MouseEvent, MouseEventKind};
        let (mut model, _) = debugging();
        model.view.transcript_pane = tuirealm::ratatui::layout::Rect::new(0, 10, 80, 10);
        let wheel = Msg::Mouse(MouseEvent {
            kind: MouseEventKind::ScrollDown,
            modifiers: KeyModifiers::NONE,
            column: 5,
            row: 12,
        });
        let (_, body) = one(&app_update(&mut model, wheel));
        assert!(matches!(body, RequestBody::DebugFrame(p) if p.frame == 1));
        assert_eq!(session(&model).selected, 1);
    }

    #[test]
    fn a_suspended_evaluation_keeps_its_warnings_and_output() {
        let mut model = connected_with("a + b");
        let (id, _) = one(&app_update(&mut model, Msg::EvaluateSelection));
        let mut error = suspended();
        error.details.warnings = Some(vec!["undeclared variable a".into()]);
        error.output = Some("printed\n".into());
        answer(&mut model, &id, Err(error));
        assert_eq!(
            notices(&model)[0],
            "Warning: undeclared variable a (it is nil)"
        );
        assert!(
            model
                .transcript
                .contains(&TranscriptEntry::Output("printed\n".into()))
        );
    }
}
