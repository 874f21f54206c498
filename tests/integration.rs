//! The client core against the real GNU Smalltalk server.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::{TestServer, client, connected_bridge, next_event, spawn_bridge};
use serde_json::{Value, json};
use stui::net::{Answer, BridgeCommand, BridgeSettings, Client, ClientOptions, NetEvent};
use stui::protocol::{ALL_TYPES, ErrorCode, Request, RequestBody};

/// Sends one raw frame on a fresh REQ socket and answers the parsed reply.
fn send_raw(address: &str, frame: &[u8]) -> Value {
    let context = zmq::Context::new();
    let socket = context.socket(zmq::REQ).unwrap();
    socket.set_linger(0).unwrap();
    socket.set_rcvtimeo(10_000).unwrap();
    socket.connect(address).unwrap();
    socket.send(frame, 0).unwrap();
    let reply = socket.recv_bytes(0).expect("a reply to every frame");
    serde_json::from_slice(&reply).expect("the reply is JSON")
}

fn error_code(reply: &Value) -> &str {
    assert_eq!(reply["ok"], json!(false), "{reply}");
    reply["error"]["code"].as_str().unwrap_or_default()
}

#[test]
fn describe_names_the_server_and_its_types() {
    let server = TestServer::start();
    let describe = client(&server, "s").describe().unwrap().value.unwrap();
    assert_eq!(describe.server, "stui-gst 0.1.0");
    assert_eq!(describe.dialect, "GNU Smalltalk");
    assert_eq!(describe.dialect_version, "3.2.5");
    assert_eq!(describe.protocol, 1);
    // The server's dispatch table and the client's registry name the same types.
    let served: BTreeSet<&str> = describe.types.iter().map(String::as_str).collect();
    let registered: BTreeSet<&str> = ALL_TYPES.iter().map(|info| info.name).collect();
    assert_eq!(served, registered);
    assert_eq!(
        describe.types.len(),
        ALL_TYPES.len(),
        "no type listed twice"
    );
    assert_eq!(describe.max_message_bytes, 16 * 1024 * 1024);
    assert_eq!(describe.pid, u64::from(server.pid()));
}

#[test]
fn evaluate_answers_value_class_and_time() {
    let server = TestServer::start();
    let result = client(&server, "s")
        .evaluate("3 + 4")
        .unwrap()
        .value
        .unwrap();
    assert_eq!(result.print, "7");
    assert_eq!(result.class, "SmallInteger");
    assert!(!result.truncated);
    assert!(!result.handle.is_empty());
    let text = client(&server, "s")
        .evaluate("'abc' reverse")
        .unwrap()
        .value
        .unwrap();
    assert_eq!(text.print, "'cba'");
    assert_eq!(text.class, "String");
}

#[test]
fn workspace_variables_persist_per_session() {
    let server = TestServer::start();
    let mut alice = client(&server, "alice");
    alice.evaluate("x := 6 * 7.").unwrap().value.unwrap();
    assert_eq!(alice.evaluate("x").unwrap().value.unwrap().print, "42");
    assert_eq!(alice.evaluate("x * 2").unwrap().value.unwrap().print, "84");
    // Another session has its own variables.
    let mut bob = client(&server, "bob");
    assert_eq!(bob.evaluate("x").unwrap().value.unwrap().print, "nil");
}

#[test]
fn runtime_error_is_structured_and_leaves_the_session_intact() {
    let server = TestServer::start();
    let mut session = client(&server, "s");
    session.evaluate("y := 5.").unwrap().value.unwrap();
    let error = session.evaluate("1/0").unwrap().value.unwrap_err();
    assert_eq!(error.code, ErrorCode::EvaluationError);
    assert_eq!(error.class.as_deref(), Some("ZeroDivide"));
    assert!(!error.message.is_empty());
    let stack = error.stack.expect("a stack");
    assert!(!stack.is_empty() && stack.len() <= 50, "{stack:?}");
    assert_eq!(session.evaluate("y").unwrap().value.unwrap().print, "5");
}

#[test]
fn syntax_error_has_line_and_column() {
    let server = TestServer::start();
    let mut session = client(&server, "s");
    let error = session.evaluate("3 +").unwrap().value.unwrap_err();
    assert_eq!(error.code, ErrorCode::SyntaxError);
    assert_eq!(error.line, Some(1));
    assert!(error.column.is_some_and(|c| c >= 1), "{error:?}");
    let error = session
        .evaluate("1 + 2.\n(3 + ")
        .unwrap()
        .value
        .unwrap_err();
    assert_eq!(error.code, ErrorCode::SyntaxError);
    assert_eq!(error.line, Some(2), "{error:?}");
    assert_eq!(session.evaluate("1 + 1").unwrap().value.unwrap().print, "2");
}

#[test]
fn a_variable_read_but_never_assigned_comes_with_a_warning() {
    let server = TestServer::start();
    let mut session = client(&server, "s");
    let error = session.evaluate("a + b").unwrap().value.unwrap_err();
    assert_eq!(error.class.as_deref(), Some("MessageNotUnderstood"));
    assert_eq!(
        error.details.warnings.as_deref(),
        Some(
            &[
                "undeclared variable a".to_string(),
                "undeclared variable b".to_string()
            ][..]
        )
    );
    // Assigned before it is read: the workspace idiom, no warning; nor
    // later for a variable the session has.
    let value = session.evaluate("x := 3. x + 1").unwrap().value.unwrap();
    assert_eq!((value.print.as_str(), value.warnings.len()), ("4", 0));
    let value = session.evaluate("x * 2").unwrap().value.unwrap();
    assert!(value.warnings.is_empty(), "{value:?}");
    let value = session.evaluate("y isNil").unwrap().value.unwrap();
    assert_eq!(value.warnings, ["undeclared variable y"]);
    let value = session
        .evaluate("[:k | z := k] value: 1. z")
        .unwrap()
        .value
        .unwrap();
    assert!(value.warnings.is_empty(), "assigned in a block: {value:?}");
}

#[test]
fn transcript_output_comes_back_with_the_evaluation() {
    let server = TestServer::start();
    let result = client(&server, "s")
        .evaluate("Transcript show: 'hello'; cr. 3")
        .unwrap()
        .value
        .unwrap();
    assert!(result.output.contains("hello"), "{result:?}");
    assert_eq!(result.print, "3");
}

#[test]
fn malformed_frames_get_error_replies_and_the_server_keeps_serving() {
    let server = TestServer::start();
    let garbage = send_raw(&server.address, b"this is not json");
    assert_eq!(error_code(&garbage), "invalid_request");
    assert_eq!(garbage["id"], Value::Null);

    let not_utf8 = send_raw(&server.address, b"{\"stui\":1,\"id\":\"\xff\xfe\"}");
    assert_eq!(error_code(&not_utf8), "invalid_request");

    let array = send_raw(&server.address, b"[1,2,3]");
    assert_eq!(error_code(&array), "invalid_request");

    let missing_session = send_raw(
        &server.address,
        br#"{"stui":1,"id":"m1","type":"ping","params":{}}"#,
    );
    assert_eq!(error_code(&missing_session), "invalid_request");
    assert_eq!(missing_session["error"]["field"], json!("session"));
    assert_eq!(missing_session["id"], json!("m1"));

    let wrong_type = send_raw(
        &server.address,
        br#"{"stui":1,"id":"m2","session":"s","type":"evaluate","params":{"code":42}}"#,
    );
    assert_eq!(error_code(&wrong_type), "invalid_request");
    assert_eq!(wrong_type["error"]["field"], json!("params.code"));

    let unknown = send_raw(
        &server.address,
        br#"{"stui":1,"id":"m3","session":"s","type":"teleport","params":{}}"#,
    );
    assert_eq!(error_code(&unknown), "unknown_type");

    let version = send_raw(
        &server.address,
        br#"{"stui":2,"id":"m4","session":"s","type":"ping","params":{}}"#,
    );
    assert_eq!(error_code(&version), "unsupported_version");
    assert_eq!(version["error"]["supported"], json!([1]));

    let mut huge =
        br#"{"stui":1,"id":"big","session":"s","type":"evaluate","params":{"code":""#.to_vec();
    huge.extend(std::iter::repeat_n(b'1', 17 * 1024 * 1024));
    huge.extend_from_slice(br#""}}"#);
    let too_large = send_raw(&server.address, &huge);
    assert_eq!(error_code(&too_large), "too_large");

    let pong = client(&server, "s").ping().unwrap().value;
    assert!(pong.is_ok(), "the server still answers: {pong:?}");
}

#[test]
fn a_resent_id_is_executed_once() {
    let server = TestServer::start();
    let mut session = client(&server, "s");
    session
        .evaluate("Smalltalk at: #StuiRetryCounter put: 0")
        .unwrap()
        .value
        .unwrap();
    let increment = Request::new(
        "retry-1",
        "s",
        RequestBody::evaluate(
            "Smalltalk at: #StuiRetryCounter put: (Smalltalk at: #StuiRetryCounter) + 1",
        ),
    );
    let first = send_raw(&server.address, increment.to_json().as_bytes());
    let second = send_raw(&server.address, increment.to_json().as_bytes());
    assert_eq!(first["result"]["print"], json!("1"));
    assert_eq!(first, second, "the resend gets the cached reply");
    let counter = session
        .evaluate("Smalltalk at: #StuiRetryCounter")
        .unwrap()
        .value
        .unwrap();
    assert_eq!(counter.print, "1", "the increment ran once");
}

#[test]
fn bridge_connects_evaluates_and_reports_through_events() {
    let server = TestServer::start();
    let (bridge, inbox) = spawn_bridge(
        &server.address,
        ClientOptions {
            request_timeout: Duration::from_secs(5),
            tries: 2,
            ..ClientOptions::default()
        },
        None,
        None,
    );
    let next = || next_event(&inbox);
    bridge.send(BridgeCommand::Connect);
    assert!(matches!(next(), NetEvent::Connecting { .. }));
    match next() {
        NetEvent::Connected { info, .. } => assert_eq!(info.dialect, "GNU Smalltalk"),
        other => panic!("expected Connected, got {other:?}"),
    }
    bridge.send(BridgeCommand::Send(Request::new(
        "b1",
        "bridge",
        RequestBody::evaluate("3 + 4"),
    )));
    match next() {
        NetEvent::Reply {
            id,
            result: Ok(Answer::Evaluate(value)),
            ..
        } => {
            assert_eq!(id, "b1");
            assert_eq!(value.print, "7");
        }
        other => panic!("expected the value, got {other:?}"),
    }
    bridge.send(BridgeCommand::Disconnect);
    assert_eq!(next(), NetEvent::Disconnected);
}

#[test]
fn bridge_starts_the_local_server_restarts_it_after_it_died_and_stops_it() {
    let dir = common::TempDir::new("autostart");
    let address = format!("tcp://127.0.0.1:{}", common::free_port());
    let local = common::local_server_in(dir.path(), &address);
    let (bridge, inbox) = spawn_bridge(
        &address,
        ClientOptions {
            request_timeout: Duration::from_secs(2),
            tries: 1,
            ..ClientOptions::default()
        },
        None,
        Some(local.clone()),
    );
    let next = || next_event(&inbox);
    let connect_starting_the_server = || {
        bridge.send(BridgeCommand::Connect);
        assert!(matches!(
            next(),
            NetEvent::Connecting {
                starting_server: false,
                ..
            }
        ));
        assert!(matches!(
            next(),
            NetEvent::Connecting {
                starting_server: true,
                ..
            }
        ));
        match next() {
            NetEvent::Connected { info, .. } => assert_eq!(info.dialect, "GNU Smalltalk"),
            other => panic!("expected Connected, got {other:?}"),
        }
    };
    connect_starting_the_server();
    let pid = local.running_pid().expect("a pid file naming a live gst");
    let describe = client_at(&address).describe().unwrap().value.unwrap();
    assert_eq!(
        describe.max_message_bytes,
        1 << 20,
        "started with the given options"
    );

    // The server dies; connecting again starts a new one.
    unsafe { libc::kill(pid as i32, libc::SIGKILL) };
    while stui::server::ping_once(&address, Duration::from_millis(200)).is_some() {}
    connect_starting_the_server();
    assert_ne!(local.running_pid(), Some(pid));

    // As the TUI leaves: the bridge ends the session, then the server
    // nobody else uses is stopped.
    assert!(bridge.shutdown());
    stui::server::attached::depart(Some(&local), "bridge-test");
    assert_eq!(
        stui::server::ping_once(&address, Duration::from_millis(500)),
        None,
        "the server the bridge started is stopped when the TUI leaves"
    );
    assert!(!local.pid_file.exists());
}

fn client_at(address: &str) -> Client {
    Client::new(
        address,
        "probe",
        ClientOptions {
            request_timeout: Duration::from_secs(5),
            tries: 1,
            ..ClientOptions::default()
        },
    )
}

#[test]
fn bridge_interrupts_a_runaway_evaluation() {
    let server = TestServer::start();
    let (bridge, inbox) = spawn_bridge(
        &server.address,
        ClientOptions {
            request_timeout: Duration::from_secs(5),
            tries: 1,
            ..ClientOptions::default()
        },
        None,
        None,
    );
    bridge.send(BridgeCommand::Connect);
    assert!(matches!(next_event(&inbox), NetEvent::Connecting { .. }));
    assert!(matches!(next_event(&inbox), NetEvent::Connected { .. }));
    let mut runaway = Request::new(
        "loop",
        "bridge-test",
        RequestBody::evaluate("[true] whileTrue"),
    );
    if let RequestBody::Evaluate(params) = &mut runaway.body {
        params.timeout_ms = Some(60_000);
    }
    bridge.send(BridgeCommand::Send(runaway));
    std::thread::sleep(Duration::from_millis(300));
    let asked = std::time::Instant::now();
    bridge.send(BridgeCommand::Interrupt { target: None });
    match next_event(&inbox) {
        NetEvent::Reply {
            id,
            result: Err(error),
            ..
        } => {
            assert_eq!(id, "loop");
            assert_eq!(error.code, ErrorCode::Interrupted, "{error:?}");
        }
        other => panic!("expected the interrupted reply, got {other:?}"),
    }
    assert!(
        asked.elapsed() < Duration::from_secs(5),
        "{:?}",
        asked.elapsed()
    );
    // The session goes on.
    bridge.send(BridgeCommand::Send(Request::new(
        "after",
        "bridge-test",
        RequestBody::evaluate("3 + 4"),
    )));
    assert!(matches!(
        next_event(&inbox),
        NetEvent::Reply { result: Ok(_), .. }
    ));
}

#[test]
fn bridge_polls_the_image_transcript_without_repeating_evaluation_output() {
    let server = TestServer::start();
    let mut settings = BridgeSettings::new(&server.address, "poller");
    settings.transcript_poll = Some(Duration::from_millis(100));
    let (bridge, inbox) = connected_bridge(settings);
    // Output of the bridge's own evaluation comes with its reply ...
    bridge.send(BridgeCommand::Send(Request::new(
        "mine",
        "poller",
        RequestBody::evaluate("Transcript showCr: 'from my evaluation'. 3"),
    )));
    // ... output of another session's comes from polling.
    let mut other = client(&server, "someone-else");
    other
        .evaluate("Transcript showCr: 'from another session'")
        .unwrap()
        .value
        .unwrap();
    let mut polled = String::new();
    let mut reply_output = None;
    while !polled.contains("from another session") || reply_output.is_none() {
        match next_event(&inbox) {
            NetEvent::Transcript { text, .. } => polled.push_str(&text),
            NetEvent::Reply {
                result: Ok(Answer::Evaluate(value)),
                ..
            } => reply_output = Some(value.output),
            NetEvent::Alive { .. } => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(reply_output.as_deref(), Some("from my evaluation\n"));
    // A few more polls: the evaluation's own output is never repeated.
    let until = std::time::Instant::now() + Duration::from_millis(600);
    while let Ok(event) =
        inbox.recv_timeout(until.saturating_duration_since(std::time::Instant::now()))
    {
        if let NetEvent::Transcript { text, .. } = event {
            polled.push_str(&text);
        }
    }
    assert!(!polled.contains("from my evaluation"), "{polled:?}");
    assert_eq!(
        polled.matches("from another session").count(),
        1,
        "{polled:?}"
    );
}

#[test]
fn output_of_a_running_evaluation_shows_while_it_runs_and_only_once() {
    let server = TestServer::start();
    let mut settings = BridgeSettings::new(&server.address, "streamer");
    settings.transcript_poll = Some(Duration::from_millis(100));
    let (bridge, inbox) = connected_bridge(settings);
    bridge.send(BridgeCommand::Send(Request::new(
        "slow",
        "streamer",
        RequestBody::evaluate(
            "Transcript showCr: 'early'. (Delay forMilliseconds: 1500) wait. \
             Transcript showCr: 'late'. 3",
        ),
    )));
    let mut polled_before_reply = String::new();
    let reply_output = loop {
        match next_event(&inbox) {
            NetEvent::Transcript { text, .. } => polled_before_reply.push_str(&text),
            NetEvent::Reply {
                result: Ok(Answer::Evaluate(value)),
                ..
            } => break value.output,
            other => panic!("unexpected {other:?}"),
        }
    };
    assert_eq!(polled_before_reply, "early\n", "shown while it ran");
    assert_eq!(
        reply_output, "late\n",
        "the reply keeps only what was not shown"
    );
    // Later polls repeat neither.
    let until = std::time::Instant::now() + Duration::from_millis(600);
    while let Ok(event) =
        inbox.recv_timeout(until.saturating_duration_since(std::time::Instant::now()))
    {
        assert!(
            !matches!(&event, NetEvent::Transcript { text, .. } if text.contains("early") || text.contains("late")),
            "{event:?}"
        );
    }
}

#[test]
fn output_over_the_capture_limit_is_shown_once() {
    let server = TestServer::start();
    let mut settings = BridgeSettings::new(&server.address, "flooder");
    settings.transcript_poll = Some(Duration::from_millis(100));
    let (bridge, inbox) = connected_bridge(settings);
    bridge.send(BridgeCommand::Send(Request::new(
        "big",
        "flooder",
        RequestBody::evaluate(
            "1 to: 11 do: [:k | Transcript showCr: '<', k printString, '>', \
             (String new: 99990 withAll: $a), '</', k printString, '>']. #done",
        ),
    )));
    let mut shown = String::new();
    loop {
        match next_event(&inbox) {
            NetEvent::Transcript { text, dropped } => {
                assert_eq!(dropped, 0);
                shown.push_str(&text);
            }
            NetEvent::Reply {
                result: Ok(Answer::Evaluate(value)),
                ..
            } => {
                assert_eq!(value.print, "#done");
                shown.push_str(&value.output);
                break;
            }
            NetEvent::Alive { .. } => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    // Polls bring what the reply's output lacked, and nothing twice.
    let until = std::time::Instant::now() + Duration::from_millis(800);
    while let Ok(event) =
        inbox.recv_timeout(until.saturating_duration_since(std::time::Instant::now()))
    {
        if let NetEvent::Transcript { text, .. } = event {
            shown.push_str(&text);
        }
    }
    let note = "\n[stui: output truncated after 1048576 bytes]";
    assert_eq!(shown.matches(note).count(), 1, "the note, once");
    let text = shown.replacen(note, "", 1);
    for k in 1..=11 {
        assert_eq!(text.matches(&format!("<{k}>")).count(), 1, "<{k}>");
        assert_eq!(text.matches(&format!("</{k}>")).count(), 1, "</{k}>");
    }
    assert_eq!(text.matches('a').count(), 11 * 99_990);
}

/// `evaluate` with this implementation's `receiver`: the code runs with
/// `self` bound to the object of a handle.
fn evaluate_on(
    session: &mut Client,
    code: &str,
    receiver: &str,
) -> Result<stui::protocol::EvaluateResult, Box<stui::protocol::ErrorObject>> {
    let body = RequestBody::Evaluate(stui::protocol::EvaluateParams {
        code: code.into(),
        timeout_ms: Some(2_000),
        print_limit: None,
        receiver: Some(receiver.into()),
        debug: None,
    });
    session.call(body).unwrap().value.map_err(Box::new)
}

#[test]
fn evaluate_with_a_receiver_binds_self_to_the_object_of_the_handle() {
    let server = TestServer::start();
    let mut session = client(&server, "s");
    let mut handle_of = |code: &str| session.evaluate(code).unwrap().value.unwrap().handle;
    let collection = handle_of("OrderedCollection new add: 3; yourself");
    let point = handle_of("3 @ 4");
    let user = handle_of("Object subclass: #StuiReceiverTest. StuiReceiverTest new");
    let metaclass = handle_of("StuiReceiverTest class");
    let number = handle_of("41");
    let nothing = handle_of("nil");
    let added = evaluate_on(&mut session, "self add: 4. self", &collection).unwrap();
    assert_eq!(added.print, "OrderedCollection (3 4 )");
    let changed = evaluate_on(&mut session, "self x: 10. self instVarNamed: 'x'", &point);
    assert_eq!(changed.unwrap().print, "10");
    let class = evaluate_on(&mut session, "self class", &user).unwrap();
    assert_eq!(class.print, "StuiReceiverTest");
    let meta = evaluate_on(
        &mut session,
        "self instanceClass == StuiReceiverTest",
        &metaclass,
    );
    assert_eq!(meta.unwrap().print, "true");
    assert_eq!(
        evaluate_on(&mut session, "self + 1", &number)
            .unwrap()
            .print,
        "42"
    );
    assert_eq!(
        evaluate_on(&mut session, "self isNil", &nothing)
            .unwrap()
            .print,
        "true"
    );
    // Output is captured and errors are reported as for any evaluation.
    let shown = evaluate_on(
        &mut session,
        "Transcript show: self size printString",
        &collection,
    );
    assert_eq!(shown.unwrap().output, "2");
    let error = evaluate_on(&mut session, "self foo", &number).unwrap_err();
    assert_eq!(error.code, ErrorCode::EvaluationError);
    let error = evaluate_on(&mut session, "[true] whileTrue", &number).unwrap_err();
    assert_eq!(error.code, ErrorCode::Timeout);
    let error = evaluate_on(&mut session, "self", "h999999").unwrap_err();
    assert_eq!(
        (error.code, error.what.as_deref()),
        (ErrorCode::NotFound, Some("handle"))
    );
}
