//! The debugger's server side against the real GNU Smalltalk server:
//! `evaluate` with `debug: on_error`, `debug_list` and `debug_close`.

mod common;

use std::time::{Duration, Instant};

use common::debug::{evaluate, stack, suspended_processes, try_close as close};
use common::{TestServer, client};
use stui::net::Client;
use stui::protocol::{DebugListResult, DebugMode, Empty, ErrorCode, RequestBody};

fn debuggers(session: &mut Client) -> DebugListResult {
    session
        .call(RequestBody::DebugList(Empty {}))
        .unwrap()
        .value
        .unwrap()
}

#[test]
fn an_error_under_on_error_suspends_until_debug_close_and_leaves_no_process() {
    let server = TestServer::start();
    let mut session = client(&server, "s");
    let before = suspended_processes(&mut session);
    let error = evaluate(&mut session, "3 + nil foo", Some(DebugMode::OnError)).unwrap_err();
    assert_eq!(error.code, ErrorCode::Suspended);
    assert_eq!(error.class.as_deref(), Some("MessageNotUnderstood"));
    assert_eq!(error.message, "nil does not understand #foo");
    assert!(error.stack.unwrap().last().unwrap().contains("DoIt"));
    let debugger = error
        .debugger
        .expect("a suspended error names its debugger");
    assert_eq!(
        suspended_processes(&mut session),
        before + 1,
        "the process is kept"
    );

    let listed = debuggers(&mut session).debuggers;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].debugger, debugger);
    assert_eq!(listed[0].reason, "error");
    assert!(listed[0].label.contains("does not understand #foo"));

    assert!(close(&mut session, &debugger).unwrap().closed);
    assert_eq!(
        suspended_processes(&mut session),
        before,
        "no process is left"
    );
    assert!(debuggers(&mut session).debuggers.is_empty());
    let again = close(&mut session, &debugger).unwrap_err();
    assert_eq!(again.code, ErrorCode::NotFound);
    assert_eq!(again.what.as_deref(), Some("debugger"));
}

#[test]
fn debug_stack_shows_the_frames_of_the_suspended_process_with_their_source() {
    let server = TestServer::start();
    let mut session = client(&server, "s");
    let code = "#(1 2) do: [:x | OrderedCollection new removeFirst]";
    let error = evaluate(&mut session, code, Some(DebugMode::OnError)).unwrap_err();
    let stack = stack(&mut session, &error.debugger.unwrap());
    assert_eq!(stack.reason, "error");
    assert_eq!(
        stack.exception.unwrap().class,
        "SystemExceptions.EmptyCollection"
    );
    assert_eq!(stack.total, stack.frames.len() as u64);
    let labels: Vec<&str> = stack.frames.iter().map(|f| f.label.as_str()).collect();
    assert_eq!(
        labels[1..],
        [
            "OrderedCollection>>removeFirst",
            "[] in UndefinedObject>>DoIt",
            "SequenceableCollection>>do:",
            "UndefinedObject>>DoIt"
        ]
    );
    let remove_first = &stack.frames[1];
    assert_eq!(remove_first.index, 1);
    assert!(remove_first.source.starts_with("removeFirst\n\t"));
    assert!(stack.frames[2].block);
    assert_eq!(
        stack.frames[2].source, code,
        "the workspace frame shows the code"
    );
}

#[test]
fn without_debug_or_with_never_an_error_ends_the_evaluation_as_before() {
    let server = TestServer::start();
    let mut session = client(&server, "s");
    for debug in [None, Some(DebugMode::Never)] {
        let error = evaluate(&mut session, "3 + nil foo", debug).unwrap_err();
        assert_eq!(error.code, ErrorCode::EvaluationError, "{debug:?}");
        assert_eq!(error.debugger, None);
    }
    assert!(debuggers(&mut session).debuggers.is_empty());
}

#[test]
fn a_suspended_process_does_not_starve_another_session() {
    let server = TestServer::start();
    let mut holder = client(&server, "holder");
    let code = "[nil foo] value. [true] whileTrue";
    let error = evaluate(&mut holder, code, Some(DebugMode::OnError)).unwrap_err();
    assert_eq!(error.code, ErrorCode::Suspended);
    let mut other = client(&server, "other");
    let started = Instant::now();
    assert_eq!(evaluate(&mut other, "3 + 4", None).unwrap().print, "7");
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(
        debuggers(&mut other).debuggers.is_empty(),
        "debuggers are per session"
    );
    assert_eq!(debuggers(&mut holder).debuggers.len(), 1);
}

#[test]
fn describe_announces_the_debugger_types_and_their_limit() {
    let server = TestServer::start();
    let describe = client(&server, "s").describe().unwrap().value.unwrap();
    assert!(describe.max_debuggers.unwrap() >= 8);
    for kind in ["debug_list", "debug_close"] {
        assert!(describe.types.iter().any(|t| t == kind), "{kind}");
    }
}
