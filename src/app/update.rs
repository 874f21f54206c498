//! The pure update function: `update(&mut Model, Msg) -> Vec<Effect>`.
//! It never blocks or touches a socket; the runtime carries out the effects.

use std::path::PathBuf;

use super::completion;
use super::diagnostics;
use super::recall;
use super::workspace_eval;
use super::workspaces::{self, WorkspaceEffect};
use crate::net::{Answer, BridgeCommand, NetEvent, ServerInfo};
use crate::protocol::{ErrorObject, EvaluateParams, Request, RequestBody};
use crate::ui::reach::Reach;
use crate::ui::{Connection, Focus, InterruptChoice, Model, Msg, Purpose, TranscriptEntry};

/// What the runtime does on the local server (it takes seconds: never on
/// the UI thread); the outcome comes back as `NetEvent::LocalServer`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocalCommand {
    SaveImage,
    ReplayChanges,
    /// Tell the user of code changes the (re)started local server lost.
    OfferLostChanges,
}

/// What the runtime must do after an update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Hand this to the bridge thread.
    Bridge(BridgeCommand),
    /// Run this on the local server, beside the bridge.
    Local(LocalCommand),
    /// Keep a workspace's text (or the tabs file) for the next run: written
    /// at once, never half.
    SaveWorkspace { path: PathBuf, text: String },
    /// Open, export or delete a workspace's file.
    Workspaces(WorkspaceEffect),
    /// Keep the history of evaluated snippets, oldest first, for the next run.
    SaveHistory(Vec<String>),
    /// Write this transcript text to a new file and say where.
    SaveTranscript(String),
    /// Put this text on the system clipboard (OSC 52 to the terminal).
    SetClipboard(String),
    /// Write `text`, `what` it is, to a new file (off the UI thread) and say where.
    SaveValue { what: String, text: String },
    /// Press this key in the focused pane, as the user would (the palette
    /// runs a command so).
    Key(tuirealm::event::KeyEvent),
    /// The user trusts this server key: add it to known_servers, then say
    /// what came of it (`TrustMsg::Written`).
    TrustServer { address: String, public_key: String },
}

pub fn update(model: &mut Model, msg: Msg) -> Vec<Effect> {
    // A tick comes every few milliseconds and touches only the autosave clock.
    if let Msg::Tick(now) = msg {
        let mut effects = workspaces::tick(model, now);
        effects.extend(completion::tick(model, now));
        effects.extend(super::palette::tick(model, now));
        return effects;
    }
    workspaces::note(model, &msg);
    completion::note(model, &msg);
    super::palette::note(model, &msg);
    let effects = dispatch(model, msg);
    super::debugger::settle(model);
    super::lower_pane::settle(model);
    // Every push goes through here: one place keeps the transcript bounded.
    model.bound_transcript();
    effects
}

fn dispatch(model: &mut Model, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::EvaluateSelection => workspace_eval::evaluate_at_cursor(model, false),
        Msg::PrintSelection => workspace_eval::evaluate_at_cursor(model, true),
        Msg::InspectSelection => workspace_eval::inspect_at_cursor(model),
        Msg::Evaluate(code) => {
            let mut effects = vec![save_workspace(model)];
            effects.extend(evaluate(model, code));
            effects
        }
        Msg::Edit(key) => completion::edit(model, key, |model| model.view.editor.key(&key)),
        Msg::Complete => completion::complete(model),
        Msg::CompletionKey(key) => completion::popup_key(model, &key).unwrap_or_default(),
        Msg::Paste(text) => {
            model.view.editor.paste(&text);
            vec![]
        }
        Msg::EditCommand(command) => super::editing::edit_command(model, command),
        Msg::ScrollTranscript(step) => {
            model.view.transcript.scroll(&model.transcript, step);
            vec![]
        }
        Msg::SearchTranscript(step) => {
            crate::ui::transcript_search::search(model, step);
            vec![]
        }
        Msg::CopyToWorkspace => {
            super::transcript_actions::copy_to_workspace(model);
            vec![]
        }
        Msg::SaveTranscript => super::transcript_actions::save_transcript(model),
        Msg::TranscriptSaved(notice) => {
            super::transcript_actions::saved(model, notice);
            vec![]
        }
        Msg::CopyEntry => super::transcript_actions::copy_entry(model),
        Msg::SaveWholeValue => super::whole_value::request(model),
        Msg::FilterTranscript => {
            model.view.transcript.cycle_filter();
            // Its match may be hidden now.
            model.view.search = None;
            vec![]
        }
        Msg::ToggleStacks => {
            model.view.transcript.toggle_stacks();
            vec![]
        }
        Msg::ScrollHelp(step) => {
            model.view.scroll_help(step);
            vec![]
        }
        Msg::SearchHelp(step) => {
            crate::ui::help_filter::filter_help(&mut model.view, step);
            vec![]
        }
        Msg::ToggleConnection => toggle_connection(model),
        Msg::Interrupt => interrupt(model),
        Msg::InterruptChosen(choice) => interrupt_chosen(model, choice),
        Msg::ToggleLineNumbers => {
            super::pointer::toggle_line_numbers(model);
            vec![]
        }
        Msg::Mouse(event) => super::pointer::mouse(model, event),
        Msg::ToggleHelp | Msg::CloseHelp | Msg::FocusNext | Msg::ClearTranscript => {
            screen(model, &msg);
            vec![]
        }
        Msg::SaveImage => local_server_command(model, LocalCommand::SaveImage, "Saving the image…"),
        Msg::ReplayChanges => {
            local_server_command(model, LocalCommand::ReplayChanges, "Replaying the changes…")
        }
        Msg::Quit => {
            // The runtime's loop ends once the model says quit.
            model.quit = true;
            // A browser edit not accepted is kept as a workspace.
            let mut effects = super::browser_edit::keep_in_workspace(model);
            effects.push(save_workspace(model));
            effects
        }
        Msg::Animate => {
            model.status.tick();
            vec![]
        }
        Msg::Net(event) => net_event(model, event),
        Msg::Inspector(msg) => super::inspector::update(model, msg),
        Msg::InspectEntry => super::inspector::open_on_entry(model),
        Msg::Browse => super::reach::reach(model, Reach::Browse),
        Msg::Browser(msg) => super::browser::update(model, msg),
        Msg::BrowserEdit(msg) => super::browser_edit::update(model, msg),
        Msg::BrowserRemove(msg) => super::browser_remove::update(model, msg),
        Msg::BrowserProtocol(msg) => super::browser_protocol::update(model, msg),
        Msg::Messages(kind) => super::reach::reach(model, Reach::Messages(kind)),
        Msg::ReachPrompt(key) => super::reach::prompt_key(model, key),
        Msg::MessageList(msg) => super::messages::update(model, msg),
        Msg::Accept => super::browser::accept(model),
        Msg::Palette(msg) => super::palette::update(model, msg),
        Msg::Trust(msg) => super::trust::update(model, msg),
        Msg::DebugIt => super::debugger::debug_it(model),
        Msg::Debugger(msg) => super::debugger::update(model, msg),
        Msg::Workspaces(msg) => workspaces::update(model, msg),
        Msg::Tick(now) => workspaces::tick(model, now),
        Msg::HistoryOlder | Msg::HistoryNewer => {
            recall::step(model, msg == Msg::HistoryOlder);
            vec![]
        }
        Msg::HistorySearch(key) => {
            recall::search(model, key);
            vec![]
        }
    }
}

/// Save the active workspace's text to its own file.
pub(super) fn save_workspace(model: &Model) -> Effect {
    let workspaces = &model.workspaces;
    Effect::SaveWorkspace {
        path: workspaces.path_of(&workspaces.active_tab().name),
        text: model.view.editor.text(),
    }
}

fn bridge(command: BridgeCommand) -> Effect {
    Effect::Bridge(command)
}

/// Messages that only change what the screen shows.
fn screen(model: &mut Model, msg: &Msg) {
    match msg {
        Msg::ToggleHelp => {
            model.help_visible = !model.help_visible;
            // It opens at the top, unfiltered.
            model.view.help_scroll = 0;
            model.view.help_filter = None;
        }
        Msg::CloseHelp => {
            model.help_visible = false;
            model.view.help_filter = None;
        }
        Msg::FocusNext => {
            // Workspace → tool (when one is open) → transcript.
            model.focus = match model.focus {
                Focus::Workspace if model.tool.is_some() => Focus::Tool,
                Focus::Workspace | Focus::Tool => Focus::Transcript,
                Focus::Transcript => Focus::Workspace,
            };
        }
        Msg::ClearTranscript => {
            model.transcript.clear();
            model.view.transcript.follow();
            // Its match is gone.
            model.view.search = None;
        }
        _ => {}
    }
}

fn toggle_connection(model: &mut Model) -> Vec<Effect> {
    match model.connection {
        // Down and reconnecting on its own: F2 stops that.
        Connection::Disconnected
        | Connection::Down {
            retry_in_ms: None, ..
        } => {
            model.connection = Connection::Connecting {
                address: model.address.clone(),
                starting_server: false,
            };
            vec![bridge(BridgeCommand::Connect)]
        }
        // A completion request can go unanswered: nothing of the user's runs.
        Connection::Connected { .. }
            if model.pending.values().any(|p| {
                !matches!(p.purpose, Purpose::Completion { .. } | Purpose::Palette(_))
            }) =>
        {
            // The code would go on running in the image with nobody
            // to see its result: stop it, and say so.
            let count = model.pending.len();
            model.pending.clear();
            model.choosing_interrupt = false;
            model.transcript.push(TranscriptEntry::Notice(format!(
                "Interrupting {count} running evaluation(s) and disconnecting."
            )));
            vec![
                bridge(BridgeCommand::Interrupt { target: None }),
                bridge(BridgeCommand::Disconnect),
            ]
        }
        Connection::Down { .. } | Connection::Connecting { .. } | Connection::Connected { .. } => {
            vec![bridge(BridgeCommand::Disconnect)]
        }
    }
}

/// Ctrl+G: the one evaluation running, or ask which of several.
fn interrupt(model: &mut Model) -> Vec<Effect> {
    let running = model.running_evaluations();
    if running.is_empty() || !model.connection.is_connected() {
        model
            .transcript
            .push(TranscriptEntry::Notice("No evaluation is running.".into()));
        return vec![];
    }
    if let [only] = running[..] {
        let target = Some(only.to_string());
        return interrupting(model, target, "Interrupting…".into());
    }
    model.choosing_interrupt = true;
    vec![]
}

fn interrupt_chosen(model: &mut Model, choice: InterruptChoice) -> Vec<Effect> {
    model.choosing_interrupt = false;
    let running = model.running_evaluations();
    let (target, notice) = match choice {
        InterruptChoice::None => return vec![],
        InterruptChoice::All => (None, format!("Interrupting all {}…", running.len())),
        InterruptChoice::Nth(n) => match running.get(n.wrapping_sub(1)) {
            Some(id) => (
                Some(id.to_string()),
                format!("Interrupting evaluation {n}…"),
            ),
            None => {
                let notice = format!("No evaluation {n}: {} are running.", running.len());
                model.transcript.push(TranscriptEntry::Notice(notice));
                return vec![];
            }
        },
    };
    interrupting(model, target, notice)
}

/// The reply (interrupted) settles the pending evaluation.
fn interrupting(model: &mut Model, target: Option<String>, notice: String) -> Vec<Effect> {
    model.transcript.push(TranscriptEntry::Notice(notice));
    vec![bridge(BridgeCommand::Interrupt { target })]
}

/// Commands that need the server: refused with a notice while not connected.
fn local_server_command(model: &mut Model, command: LocalCommand, doing: &str) -> Vec<Effect> {
    let connected = model.connection.is_connected();
    let notice = if connected {
        doing.to_string()
    } else {
        super::tools::NOT_CONNECTED.to_string()
    };
    model.transcript.push(TranscriptEntry::Notice(notice));
    if connected {
        vec![Effect::Local(command)]
    } else {
        vec![]
    }
}

fn evaluate(model: &mut Model, code: String) -> Vec<Effect> {
    let purpose = Purpose::Evaluation {
        code: code.clone(),
        start: None,
    };
    evaluate_for(model, code, purpose)
}

pub(super) fn evaluate_for(model: &mut Model, code: String, purpose: Purpose) -> Vec<Effect> {
    evaluate_on(model, code, purpose, None)
}

/// Evaluate `code` with `self` bound to the object of the handle `receiver` (nil without).
pub(super) fn evaluate_on(
    model: &mut Model,
    code: String,
    purpose: Purpose,
    receiver: Option<String>,
) -> Vec<Effect> {
    if code.trim().is_empty() {
        return vec![];
    }
    if !model.connection.is_connected() {
        model.transcript.push(TranscriptEntry::Notice(
            "Not connected: press F2 to connect, then evaluate again.".into(),
        ));
        return vec![];
    }
    let id = model.next_request_id();
    let body = RequestBody::Evaluate(EvaluateParams {
        code: code.clone(),
        timeout_ms: Some(model.evaluation_timeout_ms),
        print_limit: None,
        receiver,
        debug: super::debugger::mode(model, &purpose),
    });
    model
        .transcript
        .push(TranscriptEntry::Input { code: code.clone() });
    let remembered = recall::remember(model, &code);
    model.send(id.clone(), purpose);
    let request = Request::new(id, model.session.clone(), body);
    vec![bridge(BridgeCommand::Send(request)), remembered]
}

fn net_event(model: &mut Model, event: NetEvent) -> Vec<Effect> {
    match event {
        NetEvent::Connecting {
            address,
            starting_server,
        } => connecting(model, address, starting_server),
        NetEvent::Connected {
            info,
            round_trip_us,
        } => {
            connected(model, info, round_trip_us);
            // The server may have started from an image without the last changes.
            return vec![Effect::Local(LocalCommand::OfferLostChanges)];
        }
        NetEvent::Alive {
            round_trip_us,
            instance,
            restart_reason,
        } => {
            if alive(model, round_trip_us, instance, restart_reason) {
                return vec![Effect::Local(LocalCommand::OfferLostChanges)];
            }
        }
        NetEvent::Disconnected => disconnected(model),
        NetEvent::Down {
            reason,
            retry_in_ms,
        } => down(model, reason, retry_in_ms),
        NetEvent::Retrying {
            id,
            request_type,
            attempt,
            tries,
        } => {
            // The heartbeat's and the transcript poll's retries concern
            // nobody: a server that died shows as Down soon enough.
            let Some(pending) = model.pending.get(&id) else {
                log::info!("no reply yet to {request_type} {id}: asked again");
                return vec![];
            };
            model.retrying = Some(format!("no answer yet: asked again ({attempt} of {tries})"));
            if pending.purpose.is_evaluation() {
                model.transcript.push(TranscriptEntry::Notice(format!(
                    "No reply yet: evaluation sent again (try {attempt} of {tries})."
                )));
            }
        }
        NetEvent::Transcript { text, dropped } => transcript_output(model, text, dropped),
        // The status bar's round trip comes from pings (Alive): an
        // evaluation's reply time is mostly the image's work.
        NetEvent::Reply {
            id,
            result,
            round_trip_us: _,
        } => return reply(model, &id, result),
        NetEvent::Failed { id, reason } => return request_failed(model, &id, &reason),
        NetEvent::LocalServer(text) => model.transcript.push(TranscriptEntry::Notice(text)),
        NetEvent::UnknownServerKey {
            address,
            public_key,
            fingerprint,
        } => {
            let question = crate::ui::trust::TrustQuestion {
                address,
                public_key,
                fingerprint,
            };
            return super::trust::ask(model, question);
        }
    }
    vec![]
}

/// A request the bridge gave up on (no reply after its tries): its
/// requester says so.
fn request_failed(model: &mut Model, id: &str, reason: &str) -> Vec<Effect> {
    model.retrying = None;
    match model.pending.remove(id).map(|p| p.purpose) {
        Some(
            Purpose::Evaluation { .. }
            | Purpose::PrintIt { .. }
            | Purpose::InspectorEvaluation { .. },
        ) => model.transcript.push(TranscriptEntry::Notice(format!(
            "Evaluation failed: {reason}"
        ))),
        Some(Purpose::Inspection { .. }) => model.transcript.push(TranscriptEntry::Notice(
            format!("Inspect it failed: {reason}"),
        )),
        Some(Purpose::WholeValue) => model.transcript.push(TranscriptEntry::Notice(format!(
            "Cannot fetch the whole value: {reason}"
        ))),
        Some(Purpose::InspectorPage { depth, .. }) => {
            return super::inspector::give_up(model, depth, reason);
        }
        Some(Purpose::Browser(_)) => model.status.say(format!("Cannot browse: {reason}")),
        Some(Purpose::BrowserEdit(_)) => super::browser_edit::failed(model, reason),
        Some(Purpose::BrowserRemove(what)) => {
            super::browser_remove::failed(model, &what, reason);
        }
        Some(Purpose::BrowserMove(method)) => {
            super::browser_protocol::failed(model, &method, reason);
        }
        Some(Purpose::Messages(_)) => super::messages::failed(model, reason),
        Some(Purpose::Palette(ask)) => super::palette::failed(model, ask, reason),
        Some(Purpose::DebugIt { .. }) => model.transcript.push(TranscriptEntry::Notice(format!(
            "Debug it failed: {reason}"
        ))),
        Some(Purpose::Debugger(ask)) => super::debugger::failed(model, ask, reason),
        Some(Purpose::Completion { .. } | Purpose::Release) | None => {}
    }
    vec![]
}

fn connecting(model: &mut Model, address: String, starting_server: bool) {
    if starting_server {
        model.transcript.push(TranscriptEntry::Notice(format!(
            "No server at {address}: starting the bundled GNU Smalltalk server."
        )));
    }
    model.connection = Connection::Connecting {
        address,
        starting_server,
    };
}

fn connected(model: &mut Model, info: ServerInfo, round_trip_us: u64) {
    let reconnected =
        matches!(model.connection, Connection::Down { .. }) || model.server_pid.is_some();
    let verb = if reconnected {
        "Reconnected"
    } else {
        "Connected"
    };
    model.transcript.push(TranscriptEntry::Notice(format!(
        "{verb} to {} ({} {}) at {}.",
        info.server, info.dialect, info.dialect_version, info.address
    )));
    if info.backup > 0 {
        model.transcript.push(TranscriptEntry::Notice(format!(
            "{} did not answer: using failover backup {} ({}).",
            model.address, info.backup, info.address
        )));
    }
    // A restart a heartbeat told of was announced then.
    let announced = info.instance.is_some() && info.instance == model.server_instance;
    if !announced && model.server_pid.is_some_and(|pid| pid != info.pid) {
        model.transcript.push(TranscriptEntry::Notice(
            "This is a new server process: the session's workspace variables and \
             inspected objects are gone."
                .into(),
        ));
    }
    model.server_pid = Some(info.pid);
    model.server_instance.clone_from(&info.instance);
    model.status.record_round_trip(round_trip_us);
    model.retrying = None;
    model.reconnecting = false;
    model.connection = Connection::Connected {
        info,
        round_trip_us,
    };
}

fn alive(
    model: &mut Model,
    round_trip_us: u64,
    instance: Option<String>,
    restart_reason: Option<String>,
) -> bool {
    model.retrying = None;
    if let Connection::Connected {
        round_trip_us: last,
        info,
    } = &mut model.connection
    {
        *last = round_trip_us;
        model.status.record_round_trip(round_trip_us);
        if let Some(notice) = restart_notice(info, instance, restart_reason) {
            model.server_instance.clone_from(&info.instance);
            model.transcript.push(TranscriptEntry::Notice(notice));
            return true;
        }
    }
    false
}

fn disconnected(model: &mut Model) {
    abandon_pending(model, "disconnected before the reply arrived");
    model
        .transcript
        .push(TranscriptEntry::Notice("Disconnected.".into()));
    model.retrying = None;
    model.reconnecting = false;
    model.connection = Connection::Disconnected;
}

fn down(model: &mut Model, reason: String, retry_in_ms: Option<u64>) {
    abandon_pending(model, "the server is down");
    // While reconnecting, each failed try would say the same again.
    if !model.reconnecting {
        let next = match retry_in_ms {
            Some(_) => " Reconnecting on its own (F2 stops that).",
            None => " F2 connects again.",
        };
        // A reason may end in a question already ("is gst installed?").
        let stop = if reason.ends_with(['.', '?', '!']) {
            ""
        } else {
            "."
        };
        model.transcript.push(TranscriptEntry::Notice(format!(
            "Server down: {reason}{stop}{next}"
        )));
    }
    model.retrying = None;
    model.reconnecting = retry_in_ms.is_some();
    model.status.state_changed();
    model.connection = Connection::Down {
        reason,
        retry_in_ms,
    };
}

fn transcript_output(model: &mut Model, text: String, dropped: u64) {
    if dropped > 0 {
        model.transcript.push(TranscriptEntry::Notice(format!(
            "{dropped} bytes of Transcript output were lost: the server keeps only \
             its most recent output."
        )));
    }
    push_output(model, &text);
}

/// Lines of output per transcript entry: drawing the tail costs the rows
/// of the last entries, so a flood of output comes in small pieces.
const OUTPUT_LINES_PER_ENTRY: usize = 64;

/// Appends `text` to the transcript as output entries of at most
/// `OUTPUT_LINES_PER_ENTRY` lines each.
pub(super) fn push_output(model: &mut Model, text: &str) {
    let mut rest = text;
    while !rest.is_empty() {
        let cut = rest
            .match_indices('\n')
            .nth(OUTPUT_LINES_PER_ENTRY - 1)
            .map_or(rest.len(), |(at, _)| at + 1);
        let (piece, after) = rest.split_at(cut);
        model
            .transcript
            .push(TranscriptEntry::Output(piece.to_string()));
        rest = after;
    }
}

fn reply(model: &mut Model, id: &str, result: Result<Answer, ErrorObject>) -> Vec<Effect> {
    model.retrying = None;
    let Some(pending) = model.pending.remove(id) else {
        return vec![];
    };
    if let Some(effects) = super::debugger::intercept(model, &pending.purpose, &result) {
        return effects;
    }
    match pending.purpose {
        Purpose::Evaluation { code, start } => evaluation_reply(model, code, start, result),
        Purpose::PrintIt {
            code,
            start,
            at,
            text,
        } => {
            workspace_eval::print_it_reply(model, code, (start, at), &text, result);
        }
        Purpose::Inspection { code } => {
            return workspace_eval::inspection_reply(model, code, result);
        }
        Purpose::WholeValue => return super::whole_value::reply(model, result),
        Purpose::Completion {
            generation,
            start,
            prefix,
            by_key,
        } => completion::reply(model, (generation, start, prefix, by_key), result),
        Purpose::InspectorPage {
            depth,
            handle,
            offset,
        } => return super::inspector::page_reply(model, (depth, handle, offset), result),
        Purpose::InspectorEvaluation {
            code,
            depth,
            handle,
        } => {
            super::inspector_result::remember(model, &code, &result);
            evaluation_reply(model, code, None, result);
            return super::inspector_eval::refresh(model, depth, handle);
        }
        Purpose::Browser(ask) => return super::browser::reply(model, ask, result),
        Purpose::BrowserEdit(ask) => return super::browser_edit::reply(model, ask, result),
        Purpose::BrowserRemove(what) => return super::browser_remove::reply(model, what, result),
        Purpose::BrowserMove(method) => {
            return super::browser_protocol::reply(model, method, result);
        }
        Purpose::Messages(ask) => return super::messages::reply(model, ask, result),
        Purpose::Palette(ask) => return super::palette::reply(model, ask, result),
        Purpose::DebugIt { code, start } => evaluation_reply(model, code, Some(start), result),
        Purpose::Debugger(ask) => return super::debugger::reply(model, ask, result),
        // What it answers is of no use: a failure leaves the handles to the session's expiry.
        Purpose::Release => {}
    }
    // Nothing left to choose from.
    if model.running_evaluations().is_empty() {
        model.choosing_interrupt = false;
    }
    vec![]
}

/// The reply to `code`; `start` is where the code is in the workspace, if
/// it came from there.
pub(super) fn evaluation_reply(
    model: &mut Model,
    code: String,
    start: Option<(usize, usize)>,
    result: Result<Answer, ErrorObject>,
) {
    if let Err(error) = &result {
        diagnostics::point_at(model, &code, start, error);
    }
    let result = result.map_err(|error| diagnostics::with_caret(error, &code));
    pair_with_its_code(model, code);
    diagnostics::push_warnings(model, &result);
    match result {
        Ok(Answer::Evaluate(value)) => {
            if value.truncated || value.print.len() > crate::ui::model::ENTRY_MAX_BYTES {
                model.cut_value = Some(value.handle.clone());
            }
            push_output(model, &value.output);
            model.transcript.push(TranscriptEntry::Value {
                print: value.print,
                class: value.class,
                truncated: value.truncated,
                duration_us: value.duration_us,
                handle: Some(value.handle),
            });
        }
        // The bridge decodes a reply by the type of its request.
        Ok(other) => log::error!("an evaluation was answered as {}", other.type_name()),
        Err(mut error) => {
            if let Some(output) = error.output.take() {
                push_output(model, &output);
            }
            model.transcript.push(TranscriptEntry::Error(error));
        }
    }
}

/// A result goes under its code: when other code was sent since (queued
/// evaluations), its code is shown again above it.
pub(super) fn pair_with_its_code(model: &mut Model, code: String) {
    let last_input = model.transcript.iter().rev().find_map(|entry| match entry {
        TranscriptEntry::Input { code } => Some(code),
        _ => None,
    });
    if last_input != Some(&code) {
        model.transcript.push(TranscriptEntry::Input { code });
    }
}

/// The notice for a heartbeat that answered another instance than the
/// server had (once per change: `info` takes the new one).
fn restart_notice(
    info: &mut ServerInfo,
    instance: Option<String>,
    restart_reason: Option<String>,
) -> Option<String> {
    let new = instance?;
    let old = info.instance.replace(new.clone());
    if old.is_none_or(|old| old == new) {
        return None;
    }
    let why = restart_reason
        .map(|r| format!(" ({r})"))
        .unwrap_or_default();
    Some(format!(
        "The server restarted{why}: session variables are gone."
    ))
}

fn abandon_pending(model: &mut Model, why: &str) {
    model.choosing_interrupt = false;
    let count = model.running_evaluations().len();
    model.pending.clear();
    if count > 0 {
        model.transcript.push(TranscriptEntry::Notice(format!(
            "{count} evaluation(s) got no answer: {why}."
        )));
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::net::ServerInfo;
    use crate::protocol::{ErrorCode, ErrorObject, EvaluateResult};

    pub(in crate::app) fn gst_info() -> ServerInfo {
        ServerInfo {
            server: "stui-gst 0.1.0".into(),
            dialect: "GNU Smalltalk".into(),
            dialect_version: "3.2.5".into(),
            address: "tcp://127.0.0.1:5555".into(),
            backup: 0,
            pid: 4242,
            instance: Some("gst-4242-a".into()),
            debugging: true,
            read_only: false,
        }
    }

    pub(in crate::app) fn connected_model() -> Model {
        let mut model = Model::new("tcp://127.0.0.1:5555", "s1");
        model.connection = Connection::Connected {
            info: gst_info(),
            round_trip_us: 400,
        };
        model
    }

    /// `connected_model` with `text` in the workspace.
    pub(in crate::app) fn connected_with(text: &str) -> Model {
        connected_model().with_workspace(text)
    }

    fn alive(round_trip_us: u64, instance: &str) -> Msg {
        Msg::Net(NetEvent::Alive {
            round_trip_us,
            instance: Some(instance.into()),
            restart_reason: None,
        })
    }

    /// Saving `text` to the first workspace's file.
    fn saved(text: &str) -> Effect {
        Effect::SaveWorkspace {
            path: PathBuf::from("workspaces/1.st"),
            text: text.into(),
        }
    }

    /// The request an evaluation sent (after saving the workspace, before the history).
    fn sent_request(effects: &[Effect]) -> &Request {
        match effects {
            [
                Effect::SaveWorkspace { .. },
                Effect::Bridge(BridgeCommand::Send(request)),
                Effect::SaveHistory(_),
            ] => request,
            other => panic!("expected saves and one Send effect, got {other:?}"),
        }
    }

    fn connect() -> Vec<Effect> {
        vec![Effect::Bridge(BridgeCommand::Connect)]
    }

    fn disconnect() -> Vec<Effect> {
        vec![Effect::Bridge(BridgeCommand::Disconnect)]
    }

    fn interrupt(target: Option<&str>) -> Effect {
        Effect::Bridge(BridgeCommand::Interrupt {
            target: target.map(str::to_string),
        })
    }

    fn seven() -> EvaluateResult {
        EvaluateResult {
            print: "7".into(),
            class: "SmallInteger".into(),
            truncated: false,
            handle: "h1".into(),
            output: String::new(),
            output_ranges: None,
            duration_us: 35,
            warnings: Vec::new(),
        }
    }

    #[test]
    fn evaluate_while_connected_sends_the_code_and_records_it() {
        let mut model = connected_model();
        let effects = update(&mut model, Msg::Evaluate("3 + 4".into()));
        let request = sent_request(&effects);
        assert_eq!(request.session, "s1");
        match &request.body {
            RequestBody::Evaluate(params) => {
                assert_eq!(params.code, "3 + 4");
                assert_eq!(params.timeout_ms, Some(30_000));
            }
            other => panic!("expected evaluate, got {other:?}"),
        }
        assert!(model.pending.contains_key(&request.id));
        assert_eq!(
            model.transcript.last(),
            Some(&TranscriptEntry::Input {
                code: "3 + 4".into()
            })
        );
    }

    #[test]
    fn each_evaluation_gets_its_own_id() {
        let mut model = connected_model();
        let first = sent_request(&update(&mut model, Msg::Evaluate("1".into())))
            .id
            .clone();
        let second = sent_request(&update(&mut model, Msg::Evaluate("2".into())))
            .id
            .clone();
        assert_ne!(first, second);
        assert_eq!(model.pending.len(), 2);
    }

    #[test]
    fn evaluate_while_disconnected_sends_nothing_and_says_why() {
        let mut model = Model::new("tcp://127.0.0.1:5555", "s1");
        let effects = update(&mut model, Msg::Evaluate("3 + 4".into()));
        assert_eq!(effects, [saved("")]);
        assert!(model.pending.is_empty());
        match model.transcript.last() {
            Some(TranscriptEntry::Notice(text)) => assert!(text.contains("F2"), "{text}"),
            other => panic!("expected a notice, got {other:?}"),
        }
    }

    #[test]
    fn blank_code_is_not_sent() {
        let mut model = connected_model();
        let effects = update(&mut model, Msg::Evaluate("  \n".into()));
        assert!(!effects.iter().any(|e| matches!(e, Effect::Bridge(_))));
        assert!(model.transcript.is_empty());
    }

    #[test]
    fn reply_arrives_and_the_value_lands_in_the_transcript() {
        let mut model = connected_model();
        let id = sent_request(&update(&mut model, Msg::Evaluate("3 + 4".into())))
            .id
            .clone();
        let effects = update(
            &mut model,
            Msg::Net(NetEvent::Reply {
                id,
                result: Ok(Answer::Evaluate(EvaluateResult {
                    output: "hello".into(),
                    ..seven()
                })),
                round_trip_us: 900,
            }),
        );
        assert!(effects.is_empty());
        assert!(model.pending.is_empty());
        assert_eq!(model.transcript[1], TranscriptEntry::Output("hello".into()));
        assert_eq!(
            model.transcript[2],
            TranscriptEntry::Value {
                print: "7".into(),
                class: "SmallInteger".into(),
                truncated: false,
                duration_us: 35,
                handle: Some("h1".into()),
            }
        );
        assert_eq!(
            model.connection,
            Connection::Connected {
                info: gst_info(),
                round_trip_us: 400,
            },
            "an evaluation's time is not the network round trip"
        );
        update(&mut model, alive(250, "gst-4242-a"));
        assert!(matches!(
            model.connection,
            Connection::Connected {
                round_trip_us: 250,
                ..
            }
        ));
    }

    #[test]
    fn error_reply_lands_in_the_transcript_and_session_stays_connected() {
        let mut model = connected_model();
        let id = sent_request(&update(&mut model, Msg::Evaluate("1/0".into())))
            .id
            .clone();
        let mut error = ErrorObject::new(ErrorCode::EvaluationError, "division by zero");
        error.class = Some("ZeroDivide".into());
        update(
            &mut model,
            Msg::Net(NetEvent::Reply {
                id,
                result: Err(error.clone()),
                round_trip_us: 100,
            }),
        );
        assert_eq!(
            model.transcript.last(),
            Some(&TranscriptEntry::Error(error))
        );
        assert!(model.connection.is_connected());
        assert!(model.pending.is_empty());
    }

    #[test]
    fn output_written_before_an_error_is_shown_before_it() {
        let mut model = connected_model();
        let id = sent_request(&update(&mut model, Msg::Evaluate("x".into())))
            .id
            .clone();
        let mut error = ErrorObject::new(ErrorCode::EvaluationError, "boom");
        error.output = Some("partial output".into());
        update(
            &mut model,
            Msg::Net(NetEvent::Reply {
                id,
                result: Err(error),
                round_trip_us: 1,
            }),
        );
        let n = model.transcript.len();
        assert_eq!(
            model.transcript[n - 2],
            TranscriptEntry::Output("partial output".into())
        );
        assert!(
            matches!(&model.transcript[n - 1], TranscriptEntry::Error(e) if e.output.is_none())
        );
    }

    #[test]
    fn a_reply_nobody_waits_for_is_ignored() {
        let mut model = connected_model();
        update(
            &mut model,
            Msg::Net(NetEvent::Reply {
                id: "stale".into(),
                result: Ok(Answer::Evaluate(seven())),
                round_trip_us: 1,
            }),
        );
        assert!(model.transcript.is_empty());
    }

    #[test]
    fn server_going_down_marks_pending_evaluations_and_state() {
        let mut model = connected_model();
        update(&mut model, Msg::Evaluate("[true] whileTrue".into()));
        update(
            &mut model,
            Msg::Net(NetEvent::Down {
                reason: "no reply after 3 tries".into(),
                retry_in_ms: None,
            }),
        );
        assert_eq!(
            model.connection,
            Connection::Down {
                reason: "no reply after 3 tries".into(),
                retry_in_ms: None,
            }
        );
        assert!(model.pending.is_empty());
        let notices: Vec<_> = model
            .transcript
            .iter()
            .filter_map(|e| match e {
                TranscriptEntry::Notice(text) => Some(text.as_str()),
                _ => None,
            })
            .collect();
        assert!(
            notices.iter().any(|n| n.contains("got no answer")),
            "{notices:?}"
        );
        assert!(
            notices.iter().any(|n| n.contains("Server down")),
            "{notices:?}"
        );
    }

    #[test]
    fn f2_connects_when_disconnected_or_down_and_disconnects_otherwise() {
        let mut model = Model::new("tcp://127.0.0.1:5555", "s1");
        assert_eq!(update(&mut model, Msg::ToggleConnection), connect());
        assert!(matches!(model.connection, Connection::Connecting { .. }));

        let mut model = connected_model();
        assert_eq!(update(&mut model, Msg::ToggleConnection), disconnect());
        update(&mut model, Msg::Net(NetEvent::Disconnected));
        assert_eq!(model.connection, Connection::Disconnected);

        model.connection = Connection::Down {
            reason: "x".into(),
            retry_in_ms: None,
        };
        assert_eq!(update(&mut model, Msg::ToggleConnection), connect());
        // Reconnecting on its own: F2 stops that.
        model.connection = Connection::Down {
            reason: "x".into(),
            retry_in_ms: Some(1000),
        };
        assert_eq!(update(&mut model, Msg::ToggleConnection), disconnect());
    }

    #[test]
    fn connection_events_drive_the_state() {
        let mut model = Model::new("tcp://127.0.0.1:5555", "s1");
        update(
            &mut model,
            Msg::Net(NetEvent::Connecting {
                address: "tcp://127.0.0.1:5555".into(),
                starting_server: true,
            }),
        );
        assert!(matches!(
            model.connection,
            Connection::Connecting {
                starting_server: true,
                ..
            }
        ));
        let info = gst_info();
        update(
            &mut model,
            Msg::Net(NetEvent::Connected {
                info: info.clone(),
                round_trip_us: 250,
            }),
        );
        assert_eq!(
            model.connection,
            Connection::Connected {
                info,
                round_trip_us: 250
            }
        );
    }

    #[test]
    fn failed_request_is_reported_once() {
        let mut model = connected_model();
        let id = sent_request(&update(&mut model, Msg::Evaluate("3".into())))
            .id
            .clone();
        update(
            &mut model,
            Msg::Net(NetEvent::Failed {
                id: id.clone(),
                reason: "unreadable reply: garbage".into(),
            }),
        );
        assert!(model.pending.is_empty());
        assert!(
            matches!(model.transcript.last(), Some(TranscriptEntry::Notice(t)) if t.contains("garbage"))
        );
        let before = model.transcript.len();
        update(
            &mut model,
            Msg::Net(NetEvent::Failed {
                id,
                reason: "again".into(),
            }),
        );
        assert_eq!(model.transcript.len(), before);
    }

    #[test]
    fn interrupt_asks_the_server_only_while_something_runs() {
        let mut model = connected_model();
        assert!(update(&mut model, Msg::Interrupt).is_empty());
        assert!(
            matches!(model.transcript.last(), Some(TranscriptEntry::Notice(t)) if t.contains("No evaluation"))
        );
        let sent = update(&mut model, Msg::Evaluate("[true] whileTrue".into()));
        let id = sent_request(&sent).id.clone();
        assert_eq!(
            update(&mut model, Msg::Interrupt),
            vec![interrupt(Some(&id))]
        );
        assert_eq!(model.pending.len(), 1, "the reply (interrupted) settles it");
    }

    #[test]
    fn f2_during_an_evaluation_interrupts_it_and_says_so() {
        let mut model = connected_model();
        let sent = update(
            &mut model,
            Msg::Evaluate("(Delay forSeconds: 60) wait".into()),
        );
        let id = sent_request(&sent).id.clone();
        assert_eq!(
            update(&mut model, Msg::ToggleConnection),
            vec![interrupt(None), Effect::Bridge(BridgeCommand::Disconnect)]
        );
        assert!(model.pending.is_empty());
        assert!(matches!(
            model.transcript.last(),
            Some(TranscriptEntry::Notice(text)) if text.contains("Interrupting 1 running evaluation(s)")
        ));
        // The cancelled wait's failure is not reported as the evaluation's.
        update(
            &mut model,
            Msg::Net(NetEvent::Failed {
                id,
                reason: "cancelled".into(),
            }),
        );
        assert!(!model.transcript.iter().any(
            |entry| matches!(entry, TranscriptEntry::Notice(text) if text.contains("cancelled"))
        ));
    }

    #[test]
    fn results_of_queued_evaluations_stand_under_their_code() {
        let mut model = connected_model();
        let ids: Vec<String> = ["1 + 1", "2 + 2"]
            .into_iter()
            .map(|code| {
                let sent = update(&mut model, Msg::Evaluate(code.into()));
                sent_request(&sent).id.clone()
            })
            .collect();
        for (id, print) in ids.iter().zip(["2", "4"]) {
            let value = EvaluateResult {
                print: print.into(),
                ..seven()
            };
            update(
                &mut model,
                Msg::Net(NetEvent::Reply {
                    id: id.clone(),
                    result: Ok(Answer::Evaluate(value)),
                    round_trip_us: 9,
                }),
            );
        }
        let shown = inputs_and_values(&model);
        assert_eq!(
            shown,
            ["> 1 + 1", "> 2 + 2", "> 1 + 1", "2", "> 2 + 2", "4"]
        );
    }

    #[test]
    fn help_focus_clear_and_quit() {
        let mut model = connected_model();
        update(&mut model, Msg::ToggleHelp);
        assert!(model.help_visible);
        update(&mut model, Msg::CloseHelp);
        assert!(!model.help_visible);
        update(&mut model, Msg::FocusNext);
        assert_eq!(model.focus, Focus::Transcript);
        model.transcript.push(TranscriptEntry::Notice("x".into()));
        update(&mut model, Msg::ClearTranscript);
        assert!(model.transcript.is_empty());
        update(&mut model, Msg::Paste("x := 1.".into()));
        assert_eq!(update(&mut model, Msg::Quit), [saved("x := 1.")]);
        assert!(model.quit);
    }

    #[test]
    fn evaluating_saves_the_workspace_first() {
        let mut model = connected_model().with_workspace("3 + 4\n5");
        let effects = update(&mut model, Msg::Evaluate("3 + 4".into()));
        assert_eq!(effects[0], saved("3 + 4\n5"));
    }

    #[test]
    fn keys_edit_the_workspace_in_the_model() {
        use tuirealm::event::{Key, KeyEvent, KeyModifiers};
        let mut model = connected_model();
        for c in "3+4".chars() {
            update(
                &mut model,
                Msg::Edit(KeyEvent::new(Key::Char(c), KeyModifiers::NONE)),
            );
        }
        assert_eq!(model.view.editor.text(), "3+4");
        let code = model.view.editor.code_to_evaluate().map(|e| e.code);
        assert_eq!(code.as_deref(), Some("3+4"));
    }

    fn evaluating(model: &mut Model, code: &str) -> String {
        sent_request(&update(model, Msg::Evaluate(code.into())))
            .id
            .clone()
    }

    fn answered(model: &mut Model, id: &str, print: &str) {
        let value = EvaluateResult {
            print: print.into(),
            ..seven()
        };
        update(
            model,
            Msg::Net(NetEvent::Reply {
                id: id.into(),
                result: Ok(Answer::Evaluate(value)),
                round_trip_us: 9,
            }),
        );
    }

    /// The transcript's code (as `> code`) and values, in order.
    fn inputs_and_values(model: &Model) -> Vec<String> {
        model
            .transcript
            .iter()
            .filter_map(|entry| match entry {
                TranscriptEntry::Input { code } => Some(format!("> {code}")),
                TranscriptEntry::Value { print, .. } => Some(print.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn replies_in_any_order_stand_under_their_code() {
        let mut model = connected_model();
        let slow = evaluating(&mut model, "(Delay forSeconds: 6) wait. 111");
        let quick = evaluating(&mut model, "6 * 7");
        answered(&mut model, &quick, "42");
        answered(&mut model, &slow, "111");
        let shown = inputs_and_values(&model);
        assert_eq!(
            shown,
            [
                "> (Delay forSeconds: 6) wait. 111",
                "> 6 * 7",
                "42",
                "> (Delay forSeconds: 6) wait. 111",
                "111"
            ]
        );
    }

    #[test]
    fn interrupting_one_of_several_asks_which() {
        let mut model = connected_model();
        let ids: Vec<String> = (1..=3)
            .map(|n| evaluating(&mut model, &format!("{n}")))
            .collect();
        assert_eq!(model.running_evaluations(), ids);
        assert!(update(&mut model, Msg::Interrupt).is_empty());
        assert!(model.choosing_interrupt);
        let chosen = update(&mut model, Msg::InterruptChosen(InterruptChoice::Nth(2)));
        assert_eq!(chosen, [interrupt(Some(&ids[1]))]);
        assert!(!model.choosing_interrupt);

        update(&mut model, Msg::Interrupt);
        let all = update(&mut model, Msg::InterruptChosen(InterruptChoice::All));
        assert_eq!(all, [interrupt(None)]);

        update(&mut model, Msg::Interrupt);
        assert!(update(&mut model, Msg::InterruptChosen(InterruptChoice::None)).is_empty());
        update(&mut model, Msg::Interrupt);
        assert!(update(&mut model, Msg::InterruptChosen(InterruptChoice::Nth(7))).is_empty());
        assert!(
            notices(&model)
                .iter()
                .any(|n| n.contains("No evaluation 7"))
        );
        assert!(!model.choosing_interrupt);
    }

    #[test]
    fn the_question_goes_when_nothing_runs_any_more() {
        let mut model = connected_model();
        let first = evaluating(&mut model, "1");
        let second = evaluating(&mut model, "2");
        update(&mut model, Msg::Interrupt);
        answered(&mut model, &first, "1");
        assert!(model.choosing_interrupt, "one is left to choose");
        answered(&mut model, &second, "2");
        assert!(!model.choosing_interrupt);
    }

    pub(in crate::app) fn notices(model: &Model) -> Vec<&str> {
        model
            .transcript
            .iter()
            .filter_map(|entry| match entry {
                TranscriptEntry::Notice(text) => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_retried_evaluation_is_shown_until_its_reply_arrives() {
        let mut model = connected_model();
        let id = sent_request(&update(&mut model, Msg::Evaluate("3 + 4".into())))
            .id
            .clone();
        update(
            &mut model,
            Msg::Net(NetEvent::Retrying {
                id: id.clone(),
                request_type: "evaluate".into(),
                attempt: 2,
                tries: 3,
            }),
        );
        assert_eq!(
            model.retrying.as_deref(),
            Some("no answer yet: asked again (2 of 3)")
        );
        assert!(notices(&model).iter().any(|n| n.contains("try 2 of 3")));
        update(
            &mut model,
            Msg::Net(NetEvent::Reply {
                id,
                result: Ok(Answer::Evaluate(seven())),
                round_trip_us: 1,
            }),
        );
        assert_eq!(model.retrying, None);
    }

    #[test]
    fn image_transcript_output_lands_in_the_transcript() {
        let mut model = connected_model();
        update(
            &mut model,
            Msg::Net(NetEvent::Transcript {
                text: "tick\n".into(),
                dropped: 0,
            }),
        );
        assert_eq!(model.transcript, [TranscriptEntry::Output("tick\n".into())]);
        update(
            &mut model,
            Msg::Net(NetEvent::Transcript {
                text: String::new(),
                dropped: 2048,
            }),
        );
        assert!(
            matches!(&model.transcript[1], TranscriptEntry::Notice(n) if n.starts_with("2048 bytes of Transcript output were lost"))
        );
    }

    #[test]
    fn reconnecting_is_announced_once_and_a_new_server_process_is_flagged() {
        let mut model = connected_model();
        model.server_pid = Some(4242);
        let down = |retry_in_ms| {
            Msg::Net(NetEvent::Down {
                reason: "no reply".into(),
                retry_in_ms,
            })
        };
        update(&mut model, down(Some(1000)));
        update(
            &mut model,
            Msg::Net(NetEvent::Connecting {
                address: "tcp://127.0.0.1:5555".into(),
                starting_server: false,
            }),
        );
        update(&mut model, down(Some(2000)));
        let downs = notices(&model)
            .iter()
            .filter(|n| n.starts_with("Server down"))
            .count();
        assert_eq!(downs, 1, "{:?}", notices(&model));
        assert!(notices(&model)[0].contains("Reconnecting on its own"));
        assert_eq!(
            model.connection,
            Connection::Down {
                reason: "no reply".into(),
                retry_in_ms: Some(2000)
            }
        );
        let mut restarted = gst_info();
        restarted.pid = 5151;
        update(
            &mut model,
            Msg::Net(NetEvent::Connected {
                info: restarted,
                round_trip_us: 300,
            }),
        );
        let all = notices(&model);
        assert!(
            all.iter().any(|n| n.starts_with("Reconnected to")),
            "{all:?}"
        );
        assert!(
            all.iter().any(|n| n.contains("new server process")),
            "{all:?}"
        );
        assert!(model.connection.is_connected());
        assert!(!model.reconnecting);
    }

    #[test]
    fn a_failover_backup_is_named() {
        let mut model = Model::new("tcp://10.0.0.1:5555", "s1");
        let mut info = gst_info();
        info.address = "tcp://10.0.0.2:5555".into();
        info.backup = 1;
        update(
            &mut model,
            Msg::Net(NetEvent::Connected {
                info,
                round_trip_us: 300,
            }),
        );
        let all = notices(&model);
        assert!(
            all.iter()
                .any(|n| n.contains("tcp://10.0.0.1:5555 did not answer")
                    && n.contains("backup 1 (tcp://10.0.0.2:5555)")),
            "{all:?}"
        );
    }

    #[test]
    fn a_heartbeat_from_another_instance_says_the_server_restarted_once() {
        let mut model = connected_model();
        update(&mut model, alive(250, "gst-4242-a"));
        assert!(notices(&model).is_empty(), "same instance: nothing to say");
        let restarted = Msg::Net(NetEvent::Alive {
            round_trip_us: 300,
            instance: Some("gst-5151-b".into()),
            restart_reason: Some("the server stopped answering pings".into()),
        });
        update(&mut model, restarted.clone());
        update(&mut model, restarted);
        assert_eq!(
            notices(&model),
            [
                "The server restarted (the server stopped answering pings): \
              session variables are gone."
            ],
            "once per change"
        );
        update(&mut model, alive(250, "gst-6000-c"));
        assert_eq!(
            notices(&model)[1],
            "The server restarted: session variables are gone."
        );
    }

    #[test]
    fn reconnecting_after_a_restart_a_heartbeat_told_of_does_not_announce_it_again() {
        let mut model = connected_model();
        model.server_pid = Some(4242);
        update(&mut model, alive(250, "gst-5151-b"));
        update(&mut model, Msg::Net(NetEvent::Disconnected));
        let restarted = ServerInfo {
            pid: 5151,
            instance: Some("gst-5151-b".into()),
            ..gst_info()
        };
        let connected = |info: ServerInfo| {
            Msg::Net(NetEvent::Connected {
                info,
                round_trip_us: 300,
            })
        };
        update(&mut model, connected(restarted));
        let restart_notices = |model: &Model| {
            notices(model)
                .iter()
                .filter(|n| n.contains("session") && n.contains("gone"))
                .count()
        };
        assert_eq!(restart_notices(&model), 1, "{:?}", notices(&model));
        update(&mut model, Msg::Net(NetEvent::Disconnected));
        let another = ServerInfo {
            pid: 6000,
            instance: Some("gst-6000-c".into()),
            ..gst_info()
        };
        update(&mut model, connected(another));
        assert_eq!(restart_notices(&model), 2, "a new process is still told");
    }

    #[test]
    fn a_request_caught_by_a_restart_says_its_outcome_is_unknown() {
        let mut model = connected_model();
        let id = sent_request(&update(&mut model, Msg::Evaluate("x := 1".into())))
            .id
            .clone();
        let mut error = ErrorObject::new(ErrorCode::ServerRestarted, "instance differs");
        error.details.instance = Some("gst-5151-b".into());
        update(
            &mut model,
            Msg::Net(NetEvent::Reply {
                id,
                result: Err(error),
                round_trip_us: 900,
            }),
        );
        let TranscriptEntry::Error(shown) = model.transcript.last().unwrap() else {
            panic!("expected an error entry: {:?}", model.transcript);
        };
        assert_eq!(
            shown.to_string(),
            "the server restarted while this request was in flight: its outcome is unknown \
             (it was not run again); session variables are gone"
        );
    }

    #[test]
    fn a_flood_of_output_comes_in_small_entries_that_keep_every_byte() {
        let mut model = connected_model();
        let text: String = (0..1000).map(|n| format!("tick {n}\n")).collect::<String>() + "tail";
        update(
            &mut model,
            Msg::Net(NetEvent::Transcript {
                text: text.clone(),
                dropped: 0,
            }),
        );
        let pieces: Vec<&str> = model
            .transcript
            .iter()
            .map(|entry| match entry {
                TranscriptEntry::Output(piece) => piece.as_str(),
                other => panic!("expected output, got {other:?}"),
            })
            .collect();
        assert_eq!(pieces.len(), 1000 / OUTPUT_LINES_PER_ENTRY + 1);
        assert!(
            pieces
                .iter()
                .all(|piece| piece.lines().count() <= OUTPUT_LINES_PER_ENTRY)
        );
        assert_eq!(pieces.concat(), text);
    }

    #[test]
    fn a_flood_of_output_keeps_the_newest_entries_under_one_notice() {
        let mut model = connected_model();
        model.transcript_max_entries = 4;
        for n in 0..10 {
            let text = format!("tick {n}\n");
            update(
                &mut model,
                Msg::Net(NetEvent::Transcript { text, dropped: 0 }),
            );
        }
        assert_eq!(model.transcript.len(), 5);
        assert_eq!(model.transcript[0], TranscriptEntry::Dropped { count: 6 });
        assert_eq!(
            model.transcript[4],
            TranscriptEntry::Output("tick 9\n".into())
        );
    }
}
