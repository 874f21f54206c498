//! What a debugger frame shows, against the real GNU Smalltalk server:
//! the range of the send in progress in each frame of `debug_stack`, the
//! variables of `debug_frame` and code run in a frame by `debug_evaluate`.

mod common;

use common::debug::{close, compile, evaluate, shown, stack, suspend, suspended_processes};
use common::{TestServer, client};
use stui::net::Client;
use stui::protocol::{
    DebugEvaluateParams, DebugFrame, DebugFrameParams, DebugFrameResult, DebugMode, DebugVariable,
    ErrorCode, ErrorObject, EvaluateResult, InspectParams, InspectResult, RequestBody,
};

/// The debugger of `code`, which must stop at an error under `on_error`.
fn frame(
    session: &mut Client,
    debugger: &str,
    index: u64,
) -> Result<DebugFrameResult, Box<ErrorObject>> {
    let params = DebugFrameParams {
        debugger: debugger.into(),
        frame: index,
    };
    session
        .call(RequestBody::DebugFrame(params))
        .unwrap()
        .value
        .map_err(Box::new)
}

fn evaluate_in(
    session: &mut Client,
    debugger: &str,
    index: u64,
    code: &str,
) -> Result<EvaluateResult, Box<ErrorObject>> {
    let params = DebugEvaluateParams {
        debugger: debugger.into(),
        frame: index,
        code: code.into(),
        timeout_ms: Some(5_000),
        print_limit: None,
    };
    session
        .call(RequestBody::DebugEvaluate(params))
        .unwrap()
        .value
        .map_err(Box::new)
}

fn labelled<'a>(frames: &'a [DebugFrame], label: &str) -> &'a DebugFrame {
    frames
        .iter()
        .find(|frame| frame.label == label)
        .unwrap_or_else(|| panic!("no frame {label} in {frames:#?}"))
}

fn variable<'a>(frame: &'a DebugFrameResult, name: &str) -> &'a DebugVariable {
    frame
        .variables
        .iter()
        .find(|variable| variable.name == name)
        .unwrap_or_else(|| panic!("no variable {name} in {frame:#?}"))
}

const COMPUTE: &str = "compute: n
\t\"Sum n divided by each element minus one; the first one is zero (é).\"
\t| total stream |
\tstream := WriteStream on: String new.
\tstream nextPutAll: 'sum'; print: n; yourself.
\ttotal := 0.
\t#(1 2) do: [:each | total := total + (n / (each - 1))].
\t^total";

const CASCADE: &str = "cascade
\t\"A cascade whose second part is not understood\"
\t| stream |
\tstream := WriteStream on: String new.
\tstream nextPutAll: 'a'; frobnicate: count; yourself.
\t^stream contents";

fn define_subject(session: &mut Client) {
    evaluate(
        session,
        "Object subclass: #StuiFramesProof instanceVariableNames: 'count' \
         classVariableNames: '' package: 'STUI-Tests'",
        None,
    )
    .unwrap();
    compile(session, "StuiFramesProof", COMPUTE);
    compile(session, "StuiFramesProof", CASCADE);
    compile(
        session,
        "StuiFramesProof",
        "count: anInteger\n\tcount := anInteger.\n\t^nil foo",
    );
}

#[test]
fn each_frame_shows_the_send_in_progress() {
    let server = TestServer::start();
    let mut session = client(&server, "s");
    define_subject(&mut session);
    let before = suspended_processes(&mut session);

    let debugger = suspend(&mut session, "3 + nil foo", DebugMode::OnError);
    let doit = &stack(&mut session, &debugger).frames[0];
    assert_eq!(doit.label, "UndefinedObject>>DoIt");
    assert_eq!((doit.start, doit.stop), (Some(4), Some(10)));
    assert_eq!(shown(doit), "nil foo");
    close(&mut session, &debugger);

    let debugger = suspend(
        &mut session,
        "StuiFramesProof new compute: 3",
        DebugMode::OnError,
    );
    let frames = stack(&mut session, &debugger).frames;
    assert_eq!(
        shown(labelled(&frames, "[] in StuiFramesProof>>compute:")),
        "n / (each - 1)"
    );
    assert_eq!(
        shown(labelled(&frames, "SequenceableCollection>>do:")),
        "aBlock value: (self at: i)"
    );
    assert_eq!(
        shown(labelled(&frames, "StuiFramesProof>>compute:")),
        "#(1 2) do: [:each | total := total + (n / (each - 1))]"
    );
    assert_eq!(
        shown(labelled(&frames, "SmallInteger>>/")),
        "self zeroDivide"
    );
    assert_eq!(
        shown(frames.last().unwrap()),
        "StuiFramesProof new compute: 3"
    );
    close(&mut session, &debugger);

    let debugger = suspend(
        &mut session,
        "StuiFramesProof new cascade",
        DebugMode::OnError,
    );
    let frames = stack(&mut session, &debugger).frames;
    assert_eq!(
        shown(labelled(&frames, "StuiFramesProof>>cascade")),
        "frobnicate: count"
    );
    close(&mut session, &debugger);

    let debugger = suspend(
        &mut session,
        "#(1) do: [:x |\n\tx printString.\n\tx / 0]",
        DebugMode::OnError,
    );
    let frames = stack(&mut session, &debugger).frames;
    assert_eq!(
        shown(labelled(&frames, "[] in UndefinedObject>>DoIt")),
        "x / 0"
    );
    close(&mut session, &debugger);
    assert_eq!(
        suspended_processes(&mut session),
        before,
        "no process is left"
    );
}

#[test]
fn debug_frame_shows_the_variables_and_their_handles_inspect() {
    let server = TestServer::start();
    let mut session = client(&server, "s");
    define_subject(&mut session);
    evaluate(&mut session, "x := 42", None).unwrap();

    let debugger = suspend(&mut session, "| a | a := 5. nil foo", DebugMode::OnError);
    let doit = frame(&mut session, &debugger, 0).unwrap();
    assert_eq!(doit.receiver.print, "nil");
    let a = variable(&doit, "a");
    assert_eq!((a.kind.as_str(), a.print.as_str()), ("temporary", "5"));
    assert_eq!(a.class, "SmallInteger");
    let x = variable(&doit, "x");
    assert_eq!((x.kind.as_str(), x.print.as_str()), ("temporary", "42"));
    let names: Vec<&str> = doit.variables.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(
        names,
        ["a", "x"],
        "only the code's and the session's variables"
    );
    let inspected: InspectResult = session
        .call(RequestBody::Inspect(InspectParams {
            handle: Some(a.handle.clone()),
            ..InspectParams::default()
        }))
        .unwrap()
        .value
        .unwrap();
    assert_eq!(inspected.print, "5");

    let beyond = frame(&mut session, &debugger, 99).unwrap_err();
    assert_eq!(beyond.code, ErrorCode::InvalidRequest);
    assert_eq!(beyond.field.as_deref(), Some("params.frame"));

    let debugger = suspend(
        &mut session,
        "StuiFramesProof new compute: 3",
        DebugMode::OnError,
    );
    let index = labelled(
        &stack(&mut session, &debugger).frames,
        "[] in StuiFramesProof>>compute:",
    )
    .index;
    let block = frame(&mut session, &debugger, index).unwrap();
    assert_eq!(block.receiver.class, "StuiFramesProof");
    let described: Vec<(&str, &str, &str)> = block
        .variables
        .iter()
        .map(|v| (v.name.as_str(), v.kind.as_str(), v.print.as_str()))
        .collect();
    assert_eq!(
        described,
        [
            ("each", "argument", "1"),
            ("n", "argument", "3"),
            ("total", "temporary", "0"),
            ("stream", "temporary", "a WriteStream"),
            ("count", "instance", "nil"),
        ]
    );
}

#[test]
fn debug_evaluate_runs_in_the_frame_and_assigns_its_temporaries() {
    let server = TestServer::start();
    let mut session = client(&server, "s");
    define_subject(&mut session);
    let before = suspended_processes(&mut session);

    let debugger = suspend(&mut session, "| a | a := 5. nil foo", DebugMode::OnError);
    assert_eq!(
        evaluate_in(&mut session, &debugger, 0, "a * 2")
            .unwrap()
            .print,
        "10"
    );
    assert_eq!(
        evaluate_in(&mut session, &debugger, 0, "a := 7")
            .unwrap()
            .print,
        "7"
    );
    let doit = frame(&mut session, &debugger, 0).unwrap();
    assert_eq!(
        variable(&doit, "a").print,
        "7",
        "the assignment is in the frame"
    );
    let error = evaluate_in(&mut session, &debugger, 0, "a / 0").unwrap_err();
    assert_eq!(error.code, ErrorCode::EvaluationError);
    assert_eq!(error.class.as_deref(), Some("ZeroDivide"));
    let error = evaluate_in(&mut session, &debugger, 0, "a +").unwrap_err();
    assert_eq!(error.code, ErrorCode::SyntaxError);
    close(&mut session, &debugger);

    let debugger = suspend(
        &mut session,
        "StuiFramesProof new count: 4",
        DebugMode::OnError,
    );
    let result = evaluate_in(
        &mut session,
        &debugger,
        0,
        "Transcript show: 'in'. count + anInteger",
    )
    .unwrap();
    assert_eq!(
        result.print, "8",
        "the instance variable and the argument by name"
    );
    assert_eq!(result.output, "in");
    close(&mut session, &debugger);
    assert_eq!(
        suspended_processes(&mut session),
        before,
        "no process is left"
    );
}
