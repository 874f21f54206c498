//! Requests of the debugger tests, against a real server.

use stui::net::Client;
use stui::protocol::{
    CompileParams, CompileResult, DebugCloseResult, DebugFrame, DebugMode, DebugStackParams,
    DebugStackResult, DebuggerParams, ErrorCode, ErrorObject, EvaluateParams, EvaluateResult,
    RequestBody,
};

/// Evaluates `code` (5 s at most) with `debug`.
pub fn evaluate(
    session: &mut Client,
    code: &str,
    debug: Option<DebugMode>,
) -> Result<EvaluateResult, Box<ErrorObject>> {
    let body = RequestBody::Evaluate(EvaluateParams {
        code: code.into(),
        timeout_ms: Some(5_000),
        print_limit: None,
        receiver: None,
        debug,
    });
    session.call(body).unwrap().value.map_err(Box::new)
}

/// The debugger of code that stops (at an error or halt, or at its start).
pub fn suspend(session: &mut Client, code: &str, debug: DebugMode) -> String {
    let error = evaluate(session, code, Some(debug)).unwrap_err();
    assert_eq!(error.code, ErrorCode::Suspended, "{error:?}");
    error
        .debugger
        .expect("a suspended evaluation names its debugger")
}

pub fn stack(session: &mut Client, debugger: &str) -> DebugStackResult {
    let params = DebugStackParams {
        debugger: debugger.into(),
        limit: None,
    };
    session
        .call(RequestBody::DebugStack(params))
        .unwrap()
        .value
        .unwrap()
}

pub fn try_close(
    session: &mut Client,
    debugger: &str,
) -> Result<DebugCloseResult, Box<ErrorObject>> {
    let params = DebuggerParams {
        debugger: debugger.into(),
    };
    session
        .call(RequestBody::DebugClose(params))
        .unwrap()
        .value
        .map_err(Box::new)
}

pub fn close(session: &mut Client, debugger: &str) {
    assert!(try_close(session, debugger).unwrap().closed);
}

/// The processes of the image that have not ended and are suspended (not
/// running, ready or waiting on a semaphore: the server's own processes,
/// whose pool grows and shrinks with the load, wait), and the debugger's
/// steppers (which wait on a semaphore while they step).
pub fn suspended_processes(session: &mut Client) -> u64 {
    let code = "(Process allInstances select: [:each | each isTerminated not \
        and: [each name = 'stui stepper' \
        or: [(each isActive or: [each isReady or: [each isWaiting]]) not]]]) size";
    evaluate(session, code, None)
        .unwrap()
        .print
        .parse()
        .unwrap()
}

/// Compiles `source` (classic form) in `class`.
pub fn compile(session: &mut Client, class: &str, source: &str) {
    let result: CompileResult = session
        .call(RequestBody::Compile(CompileParams {
            class: class.into(),
            source: source.into(),
            protocol: None,
            meta: None,
        }))
        .unwrap()
        .value
        .unwrap();
    assert!(source.starts_with(result.selector.as_str()));
}

/// The text of the frame's source from `start` to `stop`, in characters.
pub fn shown(frame: &DebugFrame) -> String {
    let start = frame.start.expect("a start") as usize;
    let stop = frame.stop.expect("a stop") as usize;
    assert!(start <= stop, "{frame:?}");
    frame
        .source
        .chars()
        .skip(start)
        .take(stop - start + 1)
        .collect()
}
