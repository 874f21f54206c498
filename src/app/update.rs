//! The pure update function: `update(&mut Model, Msg) -> Vec<Effect>`.
//! It never blocks or touches a socket; the runtime carries out the effects.

use super::model::{Connection, Focus, Model, PendingEvaluation, TranscriptEntry};
use super::msg::Msg;
use crate::net::{Answer, NetEvent, ServerInfo};
use crate::protocol::{ErrorObject, EvaluateParams, Request, RequestBody};

/// What the runtime must do after an update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    Connect,
    Disconnect,
    Send(Request),
    /// Ask the server to stop this session's running evaluations.
    Interrupt,
    /// Save the local server's image.
    SaveImage,
    /// Replay the changes made since the last save.
    ReplayChanges,
    /// Tell the user of code changes the (re)started local server lost.
    OfferLostChanges,
}

pub fn update(model: &mut Model, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Evaluate(code) => evaluate(model, code),
        Msg::ToggleConnection => match model.connection {
            // Down and reconnecting on its own: F2 stops that.
            Connection::Disconnected
            | Connection::Down {
                retry_in_ms: None, ..
            } => {
                model.connection = Connection::Connecting {
                    address: model.address.clone(),
                    starting_server: false,
                };
                vec![Effect::Connect]
            }
            Connection::Connected { .. } if !model.pending.is_empty() => {
                // The code would go on running in the image with nobody
                // to see its result: stop it, and say so.
                let count = model.pending.len();
                model.pending.clear();
                model.transcript.push(TranscriptEntry::Notice(format!(
                    "Interrupting {count} running evaluation(s) and disconnecting."
                )));
                vec![Effect::Interrupt, Effect::Disconnect]
            }
            Connection::Down { .. }
            | Connection::Connecting { .. }
            | Connection::Connected { .. } => {
                vec![Effect::Disconnect]
            }
        },
        Msg::Interrupt => {
            if model.pending.is_empty() || !model.connection.is_connected() {
                model
                    .transcript
                    .push(TranscriptEntry::Notice("No evaluation is running.".into()));
                vec![]
            } else {
                model
                    .transcript
                    .push(TranscriptEntry::Notice("Interrupting…".into()));
                vec![Effect::Interrupt]
            }
        }
        Msg::ToggleHelp => {
            model.help_visible = !model.help_visible;
            vec![]
        }
        Msg::CloseHelp => {
            model.help_visible = false;
            vec![]
        }
        Msg::FocusNext => {
            model.focus = match model.focus {
                Focus::Workspace => Focus::Transcript,
                Focus::Transcript => Focus::Workspace,
            };
            vec![]
        }
        Msg::SaveImage => local_server_command(model, Effect::SaveImage, "Saving the image…"),
        Msg::ReplayChanges => {
            local_server_command(model, Effect::ReplayChanges, "Replaying the changes…")
        }
        Msg::ClearTranscript => {
            model.transcript.clear();
            vec![]
        }
        Msg::Quit => {
            model.quit = true;
            // The runtime's loop ends once the model says quit.
            vec![]
        }
        Msg::Net(event) => net_event(model, event),
    }
}

/// Effects that need the server: refused with a notice while not connected.
fn local_server_command(model: &mut Model, effect: Effect, doing: &str) -> Vec<Effect> {
    let notice = if model.connection.is_connected() {
        doing.to_string()
    } else {
        "Not connected: press F2 to connect first.".to_string()
    };
    model.transcript.push(TranscriptEntry::Notice(notice));
    if model.connection.is_connected() {
        vec![effect]
    } else {
        vec![]
    }
}

fn evaluate(model: &mut Model, code: String) -> Vec<Effect> {
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
    });
    model
        .transcript
        .push(TranscriptEntry::Input { code: code.clone() });
    model.pending.insert(id.clone(), PendingEvaluation { code });
    vec![Effect::Send(Request::new(id, model.session.clone(), body))]
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
            return vec![Effect::OfferLostChanges];
        }
        NetEvent::Alive {
            round_trip_us,
            instance,
            restart_reason,
        } => {
            if alive(model, round_trip_us, instance, restart_reason) {
                return vec![Effect::OfferLostChanges];
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
            model.retrying = Some(format!(
                "no reply yet: {request_type} sent again ({attempt}/{tries})"
            ));
            if model.pending.contains_key(&id) {
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
        } => reply(model, &id, result),
        NetEvent::Failed { id, reason } => {
            model.retrying = None;
            if model.pending.remove(&id).is_some() {
                model.transcript.push(TranscriptEntry::Notice(format!(
                    "Evaluation failed: {reason}"
                )));
            }
        }
        NetEvent::LocalServer(text) => model.transcript.push(TranscriptEntry::Notice(text)),
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
    if model.server_pid.is_some_and(|pid| pid != info.pid) {
        model.transcript.push(TranscriptEntry::Notice(
            "This is a new server process: the session's workspace variables and \
             inspected objects are gone."
                .into(),
        ));
    }
    model.server_pid = Some(info.pid);
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
        if let Some(notice) = restart_notice(info, instance, restart_reason) {
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
        model.transcript.push(TranscriptEntry::Notice(format!(
            "Server down: {reason}.{next}"
        )));
    }
    model.retrying = None;
    model.reconnecting = retry_in_ms.is_some();
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
    if !text.is_empty() {
        model.transcript.push(TranscriptEntry::Output(text));
    }
}

fn reply(model: &mut Model, id: &str, result: Result<Answer, ErrorObject>) {
    model.retrying = None;
    let Some(pending) = model.pending.remove(id) else {
        return;
    };
    pair_with_its_code(model, pending.code);
    match result {
        Ok(Answer::Evaluate(value)) => {
            if !value.output.is_empty() {
                model.transcript.push(TranscriptEntry::Output(value.output));
            }
            model.transcript.push(TranscriptEntry::Value {
                print: value.print,
                class: value.class,
                truncated: value.truncated,
                duration_us: value.duration_us,
            });
        }
        Ok(other) => model.transcript.push(TranscriptEntry::Notice(format!(
            "Unexpected reply to an evaluation: {other:?}"
        ))),
        Err(mut error) => {
            if let Some(output) = error.output.take().filter(|o| !o.is_empty()) {
                model.transcript.push(TranscriptEntry::Output(output));
            }
            model.transcript.push(TranscriptEntry::Error(error));
        }
    }
}

/// A result goes under its code: when other code was sent since (queued
/// evaluations), its code is shown again above it.
fn pair_with_its_code(model: &mut Model, code: String) {
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
    if !model.pending.is_empty() {
        let count = model.pending.len();
        model.pending.clear();
        model.transcript.push(TranscriptEntry::Notice(format!(
            "{count} evaluation(s) got no answer: {why}."
        )));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::ServerInfo;
    use crate::protocol::{ErrorCode, ErrorObject, EvaluateResult};

    fn gst_info() -> ServerInfo {
        ServerInfo {
            server: "stui-gst 0.1.0".into(),
            dialect: "GNU Smalltalk".into(),
            dialect_version: "3.2.5".into(),
            address: "tcp://127.0.0.1:5555".into(),
            backup: 0,
            pid: 4242,
            instance: Some("gst-4242-a".into()),
        }
    }

    fn connected_model() -> Model {
        let mut model = Model::new("tcp://127.0.0.1:5555", "s1");
        model.connection = Connection::Connected {
            info: gst_info(),
            round_trip_us: 400,
        };
        model
    }

    fn alive(round_trip_us: u64, instance: &str) -> Msg {
        Msg::Net(NetEvent::Alive {
            round_trip_us,
            instance: Some(instance.into()),
            restart_reason: None,
        })
    }

    fn sent_request(effects: &[Effect]) -> &Request {
        match effects {
            [Effect::Send(request)] => request,
            other => panic!("expected one Send effect, got {other:?}"),
        }
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
        assert!(effects.is_empty());
        assert!(model.pending.is_empty());
        match model.transcript.last() {
            Some(TranscriptEntry::Notice(text)) => assert!(text.contains("F2"), "{text}"),
            other => panic!("expected a notice, got {other:?}"),
        }
    }

    #[test]
    fn blank_code_is_not_sent() {
        let mut model = connected_model();
        assert!(update(&mut model, Msg::Evaluate("  \n".into())).is_empty());
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
        assert_eq!(
            update(&mut model, Msg::ToggleConnection),
            vec![Effect::Connect]
        );
        assert!(matches!(model.connection, Connection::Connecting { .. }));

        let mut model = connected_model();
        assert_eq!(
            update(&mut model, Msg::ToggleConnection),
            vec![Effect::Disconnect]
        );
        update(&mut model, Msg::Net(NetEvent::Disconnected));
        assert_eq!(model.connection, Connection::Disconnected);

        model.connection = Connection::Down {
            reason: "x".into(),
            retry_in_ms: None,
        };
        assert_eq!(
            update(&mut model, Msg::ToggleConnection),
            vec![Effect::Connect]
        );
        // Reconnecting on its own: F2 stops that.
        model.connection = Connection::Down {
            reason: "x".into(),
            retry_in_ms: Some(1000),
        };
        assert_eq!(
            update(&mut model, Msg::ToggleConnection),
            vec![Effect::Disconnect]
        );
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
        update(&mut model, Msg::Evaluate("[true] whileTrue".into()));
        assert_eq!(update(&mut model, Msg::Interrupt), vec![Effect::Interrupt]);
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
            vec![Effect::Interrupt, Effect::Disconnect]
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
        let shown: Vec<String> = model
            .transcript
            .iter()
            .filter_map(|entry| match entry {
                TranscriptEntry::Input { code } => Some(format!("> {code}")),
                TranscriptEntry::Value { print, .. } => Some(print.clone()),
                _ => None,
            })
            .collect();
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
        assert_eq!(update(&mut model, Msg::Quit), vec![]);
        assert!(model.quit);
    }

    fn notices(model: &Model) -> Vec<&str> {
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
            Some("no reply yet: evaluate sent again (2/3)")
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
}
