//! The pure update function: `update(&mut Model, Msg) -> Vec<Effect>`.
//! It never blocks or touches a socket; the runtime carries out the effects.

use super::model::{Connection, Focus, Model, PendingEvaluation, TranscriptEntry};
use super::msg::Msg;
use crate::net::{Answer, NetEvent};
use crate::protocol::{EvaluateParams, Request, RequestBody};

/// What the runtime must do after an update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    Connect,
    Disconnect,
    Send(Request),
    /// Ask the server to stop this session's running evaluations.
    Interrupt,
    Quit,
}

pub fn update(model: &mut Model, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Evaluate(code) => evaluate(model, code),
        Msg::ToggleConnection => match model.connection {
            Connection::Disconnected | Connection::Down { .. } => {
                model.connection = Connection::Connecting {
                    address: model.address.clone(),
                    starting_server: false,
                };
                vec![Effect::Connect]
            }
            Connection::Connecting { .. } | Connection::Connected { .. } => {
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
        Msg::ClearTranscript => {
            model.transcript.clear();
            vec![]
        }
        Msg::Quit => {
            model.quit = true;
            vec![Effect::Quit]
        }
        Msg::Net(event) => net_event(model, event),
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
        } => {
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
        NetEvent::Connected {
            info,
            round_trip_us,
        } => {
            model.transcript.push(TranscriptEntry::Notice(format!(
                "Connected to {} ({} {}) at {}.",
                info.server, info.dialect, info.dialect_version, model.address
            )));
            model.connection = Connection::Connected {
                info,
                round_trip_us,
            };
        }
        NetEvent::Alive { round_trip_us } => {
            if let Connection::Connected {
                round_trip_us: last,
                ..
            } = &mut model.connection
            {
                *last = round_trip_us;
            }
        }
        NetEvent::Disconnected => {
            abandon_pending(model, "disconnected before the reply arrived");
            model
                .transcript
                .push(TranscriptEntry::Notice("Disconnected.".into()));
            model.connection = Connection::Disconnected;
        }
        NetEvent::Down { reason } => {
            abandon_pending(model, "the server is down");
            model
                .transcript
                .push(TranscriptEntry::Notice(format!("Server down: {reason}")));
            model.connection = Connection::Down { reason };
        }
        // The status bar's round trip comes from pings (Alive): an
        // evaluation's reply time is mostly the image's work.
        NetEvent::Reply {
            id,
            result,
            round_trip_us: _,
        } => {
            if model.pending.remove(&id).is_none() {
                return vec![];
            }
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
        NetEvent::Failed { id, reason } => {
            if model.pending.remove(&id).is_some() {
                model.transcript.push(TranscriptEntry::Notice(format!(
                    "Evaluation failed: {reason}"
                )));
            }
        }
    }
    vec![]
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

    fn connected_model() -> Model {
        let mut model = Model::new("tcp://127.0.0.1:5555", "s1");
        model.connection = Connection::Connected {
            info: ServerInfo {
                server: "stui-gst 0.1.0".into(),
                dialect: "GNU Smalltalk".into(),
                dialect_version: "3.2.5".into(),
            },
            round_trip_us: 400,
        };
        model
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
                info: ServerInfo {
                    server: "stui-gst 0.1.0".into(),
                    dialect: "GNU Smalltalk".into(),
                    dialect_version: "3.2.5".into(),
                },
                round_trip_us: 400,
            },
            "an evaluation's time is not the network round trip"
        );
        update(&mut model, Msg::Net(NetEvent::Alive { round_trip_us: 250 }));
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
            }),
        );
        assert_eq!(
            model.connection,
            Connection::Down {
                reason: "no reply after 3 tries".into()
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

        model.connection = Connection::Down { reason: "x".into() };
        assert_eq!(
            update(&mut model, Msg::ToggleConnection),
            vec![Effect::Connect]
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
        let info = ServerInfo {
            server: "stui-gst 0.1.0".into(),
            dialect: "GNU Smalltalk".into(),
            dialect_version: "3.2.5".into(),
        };
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
        assert_eq!(update(&mut model, Msg::Quit), vec![Effect::Quit]);
        assert!(model.quit);
    }
}
