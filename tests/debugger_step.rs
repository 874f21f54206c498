//! Moving a suspended process against the real GNU Smalltalk server:
//! `debug_step` (proceed, into, over, out, restart) and `evaluate` with
//! `debug: start` (Debug it).

mod common;

use std::time::{Duration, Instant};

use common::debug::{close, compile, evaluate, stack, suspend, suspended_processes};
use common::{TestServer, client};
use stui::net::Client;
use stui::protocol::{
    DebugMode, DebugStackResult, DebugStepParams, DebugStepResult, ErrorCode, EvaluateResult,
    InterruptParams, RequestBody, StepHow,
};

fn step_with(
    session: &mut Client,
    debugger: &str,
    how: StepHow,
    frame: Option<u64>,
    timeout_ms: Option<u64>,
) -> DebugStepResult {
    let params = DebugStepParams {
        debugger: debugger.into(),
        how,
        frame,
        timeout_ms,
    };
    session
        .call(RequestBody::DebugStep(params))
        .unwrap()
        .value
        .unwrap()
}

fn step(session: &mut Client, debugger: &str, how: StepHow) -> DebugStepResult {
    step_with(session, debugger, how, None, None)
}

fn suspended(result: DebugStepResult) -> DebugStackResult {
    match result {
        DebugStepResult::Suspended(stack) => stack,
        other => panic!("expected suspended, got {other:?}"),
    }
}

fn finished(result: DebugStepResult) -> EvaluateResult {
    match result {
        DebugStepResult::Finished { result } => result,
        other => panic!("expected finished, got {other:?}"),
    }
}

fn labels(stack: &DebugStackResult) -> Vec<&str> {
    stack.frames.iter().map(|f| f.label.as_str()).collect()
}

/// A class of the test with one method per line of each statement:
/// gst's stepping is line-granular.
fn define_step_class(session: &mut Client) {
    evaluate(session, "Object subclass: #StuiStepRust", None).unwrap();
    compile(
        session,
        "StuiStepRust",
        "sum: n\n\t| t |\n\tt := 0.\n\t(1 to: n) do: [:i | t := t + i].\n\t^t * 2",
    );
    compile(session, "StuiStepRust", "ratio: x\n\t^10 / (x - x)");
}

#[test]
fn a_halt_in_a_loop_stops_three_times_and_the_last_proceed_finishes() {
    let server = TestServer::start();
    let mut session = client(&server, "s");
    let before = suspended_processes(&mut session);
    let code = "| r | r := 0. 1 to: 3 do: [:i | self halt. r := r + i]. r";
    let debugger = suspend(&mut session, code, DebugMode::OnError);
    for _ in 0..2 {
        let stack = suspended(step(&mut session, &debugger, StepHow::Proceed));
        assert_eq!(stack.reason, "halt");
        assert_eq!(stack.exception.unwrap().class, "Halt");
    }
    let result = finished(step(&mut session, &debugger, StepHow::Proceed));
    assert_eq!(result.print, "6");
    assert_eq!(suspended_processes(&mut session), before, "no process left");
}

#[test]
fn proceed_after_an_error_goes_on_with_nil_from_the_signal() {
    let server = TestServer::start();
    let mut session = client(&server, "s");
    let code = "Transcript show: 'a'. (1/0) printString";
    let debugger = suspend(&mut session, code, DebugMode::OnError);
    let result = finished(step(&mut session, &debugger, StepHow::Proceed));
    assert_eq!(result.print, "'nil'");
    let unknown = session
        .call::<DebugStepResult>(RequestBody::DebugStep(DebugStepParams {
            debugger: debugger.clone(),
            how: StepHow::Proceed,
            frame: None,
            timeout_ms: None,
        }))
        .unwrap()
        .value
        .unwrap_err();
    assert_eq!(
        unknown.code,
        ErrorCode::NotFound,
        "a finished debugger is gone"
    );
}

#[test]
fn debug_it_into_over_and_out_walk_through_a_method() {
    let server = TestServer::start();
    let mut session = client(&server, "s");
    define_step_class(&mut session);
    let before = suspended_processes(&mut session);
    let error = evaluate(
        &mut session,
        "StuiStepRust new sum: 3",
        Some(DebugMode::Start),
    )
    .unwrap_err();
    assert_eq!(error.code, ErrorCode::Suspended);
    assert_eq!(error.class, None, "Debug it stops at no exception");
    let debugger = error.debugger.unwrap();

    let start = stack(&mut session, &debugger);
    assert_eq!(shown(&start), Some("StuiStepRust new"), "the first send");

    let into = suspended(step(&mut session, &debugger, StepHow::Into));
    assert_eq!(into.reason, "step");
    assert_eq!(into.exception, None);
    assert_eq!(
        labels(&into),
        ["StuiStepRust>>sum:", "UndefinedObject>>DoIt"]
    );
    // The first statement sends nothing: it is shown whole, not the next
    // statement's first send.
    assert_eq!(shown(&into), Some("t := 0"));
    // As Pharo does, the next send to run (not its whole statement).
    let over = suspended(step(&mut session, &debugger, StepHow::Over));
    assert_eq!(labels(&over)[0], "StuiStepRust>>sum:");
    assert_eq!(shown(&over), Some("1 to: n"));
    let over = suspended(step(&mut session, &debugger, StepHow::Over));
    assert_eq!(labels(&over)[0], "StuiStepRust>>sum:");
    assert_eq!(shown(&over), Some("t * 2"));
    let out = suspended(step(&mut session, &debugger, StepHow::Out));
    assert_eq!(labels(&out), ["UndefinedObject>>DoIt"]);
    // Only the return is left: the send that just answered.
    assert_eq!(shown(&out), Some("StuiStepRust new sum: 3"));
    let result = finished(step(&mut session, &debugger, StepHow::Proceed));
    assert_eq!(result.print, "12");
    assert_eq!(suspended_processes(&mut session), before, "no process left");
}

/// The text of frame 0's source between its start and stop (character
/// offsets), if it has a range.
fn shown(stack: &DebugStackResult) -> Option<&str> {
    let frame = &stack.frames[0];
    let (start, stop) = (frame.start? as usize, frame.stop? as usize);
    let begin = frame.source.char_indices().nth(start)?.0;
    let (last, c) = frame.source.char_indices().nth(stop)?;
    Some(&frame.source[begin..last + c.len_utf8()])
}

#[test]
fn debug_it_on_one_line_then_one_over_answers_its_value() {
    let server = TestServer::start();
    let mut session = client(&server, "s");
    let debugger = suspend(&mut session, "3 + 4", DebugMode::Start);
    let start = stack(&mut session, &debugger);
    assert_eq!(shown(&start), Some("3 + 4"), "the first send");
    let result = finished(step(&mut session, &debugger, StepHow::Over));
    assert_eq!(result.print, "7");
}

#[test]
fn restart_after_compile_runs_the_fixed_method() {
    let server = TestServer::start();
    let mut session = client(&server, "s");
    define_step_class(&mut session);
    let before = suspended_processes(&mut session);
    let debugger = suspend(
        &mut session,
        "StuiStepRust new ratio: 5",
        DebugMode::OnError,
    );
    let at_error = stack(&mut session, &debugger);
    assert_eq!(at_error.exception.as_ref().unwrap().class, "ZeroDivide");
    let ratio = labels(&at_error)
        .iter()
        .position(|label| *label == "StuiStepRust>>ratio:")
        .unwrap() as u64;
    compile(&mut session, "StuiStepRust", "ratio: x\n\t^10 / x");
    let restarted = suspended(step_with(
        &mut session,
        &debugger,
        StepHow::Restart,
        Some(ratio),
        None,
    ));
    assert_eq!(restarted.reason, "step");
    assert_eq!(
        labels(&restarted),
        ["StuiStepRust>>ratio:", "UndefinedObject>>DoIt"]
    );
    assert_eq!(restarted.frames[0].source, "ratio: x\n\t^10 / x");
    let result = finished(step(&mut session, &debugger, StepHow::Proceed));
    assert_eq!(result.print, "2");
    assert_eq!(suspended_processes(&mut session), before, "no process left");
}

#[test]
fn out_of_an_error_answers_and_close_leaves_no_process() {
    let server = TestServer::start();
    let mut session = client(&server, "s");
    let before = suspended_processes(&mut session);
    let debugger = suspend(&mut session, "1/0", DebugMode::OnError);
    let started = Instant::now();
    let out = suspended(step(&mut session, &debugger, StepHow::Out));
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(out.reason, "step");
    assert_eq!(out.exception, None);
    close(&mut session, &debugger);
    assert_eq!(suspended_processes(&mut session), before, "no process left");
}

#[test]
fn a_step_past_its_timeout_is_suspended_again_without_starving_others() {
    let server = TestServer::start();
    let mut session = client(&server, "s");
    let before = suspended_processes(&mut session);
    let debugger = suspend(
        &mut session,
        "self halt. [true] whileTrue",
        DebugMode::OnError,
    );
    let started = Instant::now();
    let again = suspended(step_with(
        &mut session,
        &debugger,
        StepHow::Proceed,
        None,
        Some(300),
    ));
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(again.reason, "step");
    assert_eq!(again.exception, None);
    let mut other = client(&server, "other");
    assert_eq!(evaluate(&mut other, "3 + 4", None).unwrap().print, "7");
    assert_eq!(
        suspended_processes(&mut session),
        before + 1,
        "the process is kept, suspended"
    );
    close(&mut session, &debugger);
    assert_eq!(suspended_processes(&mut session), before, "no process left");
}

#[test]
fn interrupt_of_a_step_suspends_the_process_again() {
    let server = TestServer::start();
    let mut session = client(&server, "s");
    let before = suspended_processes(&mut session);
    let debugger = suspend(
        &mut session,
        "self halt. [true] whileTrue",
        DebugMode::OnError,
    );
    let stepping = {
        let mut stepper = client(&server, "s");
        let debugger = debugger.clone();
        std::thread::spawn(move || {
            stepper
                .call::<DebugStepResult>(RequestBody::DebugStep(DebugStepParams {
                    debugger,
                    how: StepHow::Proceed,
                    frame: None,
                    timeout_ms: None,
                }))
                .unwrap()
                .value
                .map_err(Box::new)
        })
    };
    std::thread::sleep(Duration::from_millis(500));
    session
        .call::<serde_json::Value>(RequestBody::Interrupt(InterruptParams {
            target: None,
            process: None,
        }))
        .unwrap()
        .value
        .unwrap();
    let interrupted = stepping.join().unwrap().unwrap_err();
    assert_eq!(interrupted.code, ErrorCode::Interrupted);
    let kept = stack(&mut session, &debugger);
    assert_eq!(kept.reason, "step", "the user's process is kept");
    assert_eq!(kept.exception, None);
    close(&mut session, &debugger);
    assert_eq!(suspended_processes(&mut session), before, "no process left");
}

#[test]
fn a_step_past_the_depth_limit_ends_the_process_as_an_evaluation_ends() {
    let server = TestServer::start();
    let mut session = client(&server, "s");
    let before = suspended_processes(&mut session);
    let code = "| b | b := nil. b := [:n | (b value: n + 1) + 1]. self halt. b value: 1";
    let debugger = suspend(&mut session, code, DebugMode::OnError);
    let error = session
        .call::<DebugStepResult>(RequestBody::DebugStep(DebugStepParams {
            debugger,
            how: StepHow::Proceed,
            frame: None,
            timeout_ms: None,
        }))
        .unwrap()
        .value
        .unwrap_err();
    assert_eq!(error.code, ErrorCode::EvaluationError);
    assert_eq!(error.class.as_deref(), Some("StuiLimitExceeded"));
    let listed: serde_json::Value = session
        .call(RequestBody::DebugList(stui::protocol::Empty {}))
        .unwrap()
        .value
        .unwrap();
    assert_eq!(listed["debuggers"], serde_json::json!([]));
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(suspended_processes(&mut session), before, "no process left");
}
