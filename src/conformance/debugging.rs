//! The checks of the contract's Debugging section: suspending at an error, a
//! halt or the start, the stack and its ranges, frames, stepping, evaluating
//! in a frame, closing, and the session's limits. Each check opens its
//! debuggers in a session of its own and closes them all, also when it fails.

use std::time::Duration;

use serde_json::{Value, json};

use super::checks::{check, check_stack, ensure, fresh_class_with};
use super::{
    Check, Kind, Probe, Verdict, Why, brief, error_with_code, new_session, poll_until,
    require_members, typed, unique_suffix,
};
use crate::protocol::{
    DebugFrame, DebugFrameResult, DebugListResult, DebugStackResult, DebugStepResult,
    DebugVariable, EvaluateResult, InspectResult, InterruptResult,
};

pub(super) const REGISTRY: &[Check] = &[
    check("debug_never", &["debug_list"], never),
    check(
        "debug_on_error_suspends",
        &["debug_list", "debug_close"],
        on_error_suspends,
    ),
    check(
        "debug_stack_shape",
        &["debug_stack", "debug_close"],
        stack_shape,
    ),
    check(
        "debug_stack_range",
        &["debug_stack", "debug_close"],
        stack_range,
    ),
    check(
        "debug_close_runs_ensure",
        &["debug_stack", "debug_list", "debug_close"],
        close_runs_ensure,
    ),
    check(
        "debug_unknown_debugger",
        &["debug_stack", "debug_close"],
        unknown_debugger,
    ),
    check(
        "debug_max_debuggers",
        &["debug_stack", "debug_list", "debug_close"],
        max_debuggers,
    ),
    check(
        "debug_interrupt_closes",
        &["interrupt", "debug_stack", "debug_list", "debug_close"],
        interrupt_closes,
    ),
    check(
        "debug_suspended_not_timed",
        &["debug_stack", "debug_close"],
        suspended_not_timed,
    ),
    check(
        "debug_start",
        &["debug_stack", "debug_step", "debug_close"],
        start,
    ),
    check(
        "debug_halt",
        &["debug_stack", "debug_list", "debug_step", "debug_close"],
        halt,
    ),
    check(
        "debug_halt_each_time",
        &["debug_step", "debug_close"],
        halt_each_time,
    ),
    check("debug_step_over", &["debug_step", "debug_close"], step_over),
    check(
        "debug_step_into",
        &["compile", "debug_step", "debug_close"],
        step_into,
    ),
    check(
        "debug_step_out",
        &["compile", "debug_stack", "debug_step", "debug_close"],
        step_out,
    ),
    check(
        "debug_restart",
        &["debug_stack", "debug_step", "debug_close"],
        restart,
    ),
    check(
        "debug_restart_after_compile",
        &["compile", "debug_stack", "debug_step", "debug_close"],
        restart_after_compile,
    ),
    check(
        "debug_frame_variables",
        &["debug_stack", "debug_frame", "debug_close"],
        frame_variables,
    ),
    check(
        "debug_evaluate_in_frame",
        &["debug_stack", "debug_evaluate", "debug_close"],
        evaluate_in_frame,
    ),
    check(
        "debug_method_frame",
        &[
            "compile",
            "debug_stack",
            "debug_frame",
            "debug_evaluate",
            "debug_close",
        ],
        method_frame_check,
    ),
    check(
        "debug_evaluate_seen_on_resume",
        &["debug_stack", "debug_evaluate", "debug_step", "debug_close"],
        evaluate_seen_on_resume,
    ),
];

/// How many steps (over `3 + 4`, into `Foo new answer`) may take before
/// they must have got where they go.
const MAX_STEPS: usize = 20;

/// How many proceeds a restarted frame may need to finish: one to the
/// code's halt (when the restart stops at the first statement), one past
/// it, one to spare.
const MAX_PROCEEDS: usize = 3;

/// A `suspended` reply of `evaluate`.
struct Suspended {
    debugger: String,
    error: Value,
    /// The id of the evaluate request that was suspended.
    request: String,
}

/// One session of a check, with the debuggers, globals and classes it made: all
/// closed and removed when it is dropped.
struct Debugging<'a> {
    probe: &'a Probe,
    session: String,
    debuggers: Vec<String>,
    globals: Vec<String>,
    classes: Vec<String>,
}

impl<'a> Debugging<'a> {
    fn new(probe: &'a Probe) -> Self {
        Self {
            probe,
            session: new_session(),
            debuggers: Vec::new(),
            globals: Vec::new(),
            classes: Vec::new(),
        }
    }

    fn request(&self, kind: &str, params: Value) -> Result<Value, String> {
        self.probe.request(&self.session, kind, params)
    }

    fn call(&self, kind: &str, params: Value) -> Result<Value, String> {
        self.probe.call_in(&self.session, kind, params)
    }

    fn evaluate(&self, code: &str) -> Result<EvaluateResult, String> {
        self.probe.evaluate(&self.session, code)
    }

    /// Evaluates `code` with `debug` = `mode`; it must answer `suspended`.
    fn suspend(&mut self, code: &str, mode: &str) -> Result<Suspended, String> {
        self.suspend_with(json!({"code": code, "debug": mode}))
    }

    fn suspend_with(&mut self, params: Value) -> Result<Suspended, String> {
        let envelope = self.probe.envelope(&self.session, "evaluate", params);
        let reply = self.probe.send_envelope(&envelope)?;
        let error = error_with_code(&reply, "suspended")
            .map_err(|why| format!("evaluate of {}: {why}", envelope["params"]))?;
        require_members(&error, &[("debugger", Kind::String)])?;
        let debugger = error["debugger"].as_str().unwrap_or_default().to_string();
        self.debuggers.push(debugger.clone());
        Ok(Suspended {
            debugger,
            error,
            request: envelope["id"].as_str().unwrap_or_default().to_string(),
        })
    }

    /// A global name unique to this run, removed when the check ends.
    fn global(&mut self, prefix: &str) -> String {
        let name = format!("{prefix}{}", unique_suffix());
        self.globals.push(name.clone());
        name
    }

    /// A new class with instance `variables` and the method `source`,
    /// removed when the check ends.
    fn class_with(&mut self, variables: &str, source: &str) -> Result<String, String> {
        let class = fresh_class_with(self.probe, &self.session, variables)?;
        self.classes.push(class.clone());
        self.compile(&class, source)?;
        Ok(class)
    }

    /// A new class whose `answer` is `source`.
    fn class_answering(&mut self, source: &str) -> Result<String, String> {
        self.class_with("", source)
    }

    fn compile(&self, class: &str, source: &str) -> Result<(), String> {
        self.call("compile", json!({"class": class, "source": source}))?;
        Ok(())
    }

    /// The printString of a global, `nil` while it is not set.
    fn read_global(&self, name: &str) -> Result<String, String> {
        Ok(self
            .evaluate(&format!("Smalltalk at: #{name} ifAbsent: [nil]"))?
            .print)
    }

    fn stack(&self, debugger: &str, limit: Option<u64>) -> Result<DebugStackResult, String> {
        let params = match limit {
            Some(limit) => json!({"debugger": debugger, "limit": limit}),
            None => json!({"debugger": debugger}),
        };
        typed(self.call("debug_stack", params)?)
    }

    fn list(&self) -> Result<DebugListResult, String> {
        typed(self.call("debug_list", json!({}))?)
    }

    fn lists(&self, debugger: &str) -> Result<bool, String> {
        Ok(self
            .list()?
            .debuggers
            .iter()
            .any(|listed| listed.debugger == debugger))
    }

    fn step(&self, debugger: &str, how: &str, frame: u64) -> Result<DebugStepResult, String> {
        let params = json!({"debugger": debugger, "how": how, "frame": frame});
        typed(self.call("debug_step", params)?)
    }

    /// Steps `how`; the evaluation must then run to its end.
    fn finish(&self, debugger: &str, how: &str) -> Result<EvaluateResult, String> {
        match self.step(debugger, how, 0)? {
            DebugStepResult::Finished { result } => Ok(result),
            other => Err(format!(
                "debug_step {how} answered {}, expected finished",
                step_outcome(&other)
            )),
        }
    }

    fn frame_evaluate(&self, debugger: &str, frame: u64, code: &str) -> Result<String, String> {
        let params = json!({"debugger": debugger, "frame": frame, "code": code});
        let result: EvaluateResult = typed(self.call("debug_evaluate", params)?)?;
        Ok(result.print)
    }

    /// `debug_close`, which must answer `{"closed": true}`.
    fn close(&mut self, debugger: &str) -> Result<(), String> {
        let result = self.call("debug_close", json!({"debugger": debugger}))?;
        self.debuggers.retain(|open| open != debugger);
        ensure(result["closed"] == json!(true), || {
            format!("debug_close answered {}", brief(&result))
        })
    }

    /// `kind` about `debugger` must answer `not_found` with what "debugger".
    fn expect_gone(&self, kind: &str, debugger: &str) -> Result<(), String> {
        let reply = self.request(kind, json!({"debugger": debugger}))?;
        let error = error_with_code(&reply, "not_found")
            .map_err(|why| format!("{kind} of debugger {debugger}: {why}"))?;
        ensure(error["what"] == json!("debugger"), || {
            format!("{kind}: not_found names what {}", error["what"])
        })
    }
}

impl Drop for Debugging<'_> {
    fn drop(&mut self) {
        for debugger in std::mem::take(&mut self.debuggers) {
            let _ = self.request("debug_close", json!({"debugger": debugger}));
        }
        for name in std::mem::take(&mut self.globals) {
            let _ = self.evaluate(&format!("Smalltalk removeKey: #{name} ifAbsent: [nil]"));
        }
        for class in std::mem::take(&mut self.classes) {
            let _ = self.evaluate(&format!("Smalltalk removeClassNamed: '{class}'"));
        }
    }
}

/// The innermost frame whose source holds `needle`: the evaluated code's.
fn code_frame<'s>(stack: &'s DebugStackResult, needle: &str) -> Result<&'s DebugFrame, String> {
    stack
        .frames
        .iter()
        .find(|frame| frame.source.contains(needle))
        .ok_or_else(|| format!("no frame's source holds {needle:?}: {:?}", labels(stack)))
}

/// Where a step left the process, in a few words.
fn step_outcome(step: &DebugStepResult) -> String {
    match step {
        DebugStepResult::Suspended(stack) => format!("suspended ({})", stack.reason),
        DebugStepResult::Finished { result } => format!("finished ({})", result.print),
        DebugStepResult::Failed { error } => {
            format!("failed ({}: {})", error.code, error.message)
        }
    }
}

/// The frame of `class`>>`answer`, whose class and selector name it.
fn answer_frame<'s>(stack: &'s DebugStackResult, class: &str) -> Option<&'s DebugFrame> {
    method_frame(stack, class, "answer")
}

fn method_frame<'s>(
    stack: &'s DebugStackResult,
    class: &str,
    selector: &str,
) -> Option<&'s DebugFrame> {
    stack
        .frames
        .iter()
        .find(|frame| frame.class == class && frame.selector == selector)
}

fn labels(stack: &DebugStackResult) -> Vec<&str> {
    stack
        .frames
        .iter()
        .map(|frame| frame.label.as_str())
        .collect()
}

/// The text of a frame's `start`..=`stop` (character offsets), None when
/// the server does not locate it (both null).
fn range_text(frame: &DebugFrame) -> Result<Option<String>, String> {
    let chars = frame.source.chars().count() as u64;
    match (frame.start, frame.stop) {
        (None, None) => Ok(None),
        (Some(start), Some(stop)) if start <= stop && stop < chars => Ok(Some(
            frame
                .source
                .chars()
                .skip(start as usize)
                .take((stop - start + 1) as usize)
                .collect(),
        )),
        (start, stop) => Err(format!(
            "frame {} has start {start:?} stop {stop:?}, not 0 <= start <= stop < {chars} \
             (the characters of its source)",
            frame.label
        )),
    }
}

// ---- suspending and the stack ------------------------------------------------------

/// `debug: "never"` (the default) changes nothing: an error ends the
/// evaluation and no debugger is held.
fn never(probe: &Probe) -> Verdict {
    let session = Debugging::new(probe);
    let reply = session.request("evaluate", json!({"code": "nil foo", "debug": "never"}))?;
    error_with_code(&reply, "evaluation_error")
        .map_err(|why| format!("nil foo with debug never: {why}"))?;
    let list = session.list()?;
    ensure(list.debuggers.is_empty(), || {
        format!("after an error with debug never, debug_list lists {list:?}")
    })?;
    Ok(String::new())
}

fn on_error_suspends(probe: &Probe) -> Verdict {
    let mut session = Debugging::new(probe);
    let suspended = session.suspend("3 + 4. nil foo", "on_error")?;
    let error = &suspended.error;
    require_members(error, &[("class", Kind::String), ("message", Kind::String)])?;
    check_stack(error)?;
    let list = session.list()?;
    let entry = list
        .debuggers
        .iter()
        .find(|listed| listed.debugger == suspended.debugger)
        .ok_or_else(|| format!("debug_list does not list {}: {list:?}", suspended.debugger))?;
    ensure(entry.reason == "error", || {
        format!("debug_list's reason is {:?}, expected error", entry.reason)
    })?;
    session.close(&suspended.debugger)?;
    Ok(format!("{} as {}", error["class"], suspended.debugger))
}

/// Every frame has the members of the contract, with their JSON kinds.
fn require_frame_members(stack: &Value) -> Result<(), String> {
    let frames = stack["frames"].as_array().into_iter().flatten();
    for frame in frames {
        require_members(
            frame,
            &[
                ("index", Kind::Unsigned),
                ("label", Kind::String),
                ("class", Kind::String),
                ("selector", Kind::String),
                ("meta", Kind::Bool),
                ("block", Kind::Bool),
                ("source", Kind::String),
                ("start", Kind::Any),
                ("stop", Kind::Any),
            ],
        )?;
    }
    Ok(())
}

fn stack_shape(probe: &Probe) -> Verdict {
    let mut session = Debugging::new(probe);
    let debugger = session
        .suspend("#(1) do: [:each | 3 + nil foo]", "on_error")?
        .debugger;
    let raw = session.call("debug_stack", json!({"debugger": debugger}))?;
    require_members(
        &raw,
        &[
            ("debugger", Kind::String),
            ("reason", Kind::String),
            ("exception", Kind::Object),
            ("frames", Kind::Array),
            ("total", Kind::Unsigned),
        ],
    )?;
    require_frame_members(&raw)?;
    let stack: DebugStackResult = typed(raw)?;
    ensure(
        stack.debugger == debugger && stack.reason == "error",
        || {
            format!(
                "debug_stack names {} with reason {:?}, expected {debugger} and error",
                stack.debugger, stack.reason
            )
        },
    )?;
    ensure(!stack.frames.is_empty(), || "no frames".into())?;
    for (position, frame) in stack.frames.iter().enumerate() {
        ensure(frame.index == position as u64, || {
            format!("frame {position} has index {}", frame.index)
        })?;
        range_text(frame)?;
    }
    ensure(stack.total >= stack.frames.len() as u64, || {
        format!("total {} < {} frames", stack.total, stack.frames.len())
    })?;
    ensure(stack.frames.iter().any(|frame| frame.block), || {
        "no frame of the block [:each | …] has block true".into()
    })?;
    code_frame(&stack, "nil foo")?;
    let first = session.stack(&debugger, Some(1))?;
    ensure(
        first.frames.len() == 1 && first.total == stack.total,
        || {
            format!(
                "with limit 1: {} frames, total {} (total without limit {})",
                first.frames.len(),
                first.total,
                stack.total
            )
        },
    )?;
    ensure(first.frames[0].label == stack.frames[0].label, || {
        "with limit 1, the frame is not the innermost".into()
    })?;
    session.close(&debugger)?;
    let located = stack.frames.iter().any(|frame| frame.start.is_some());
    Ok(format!(
        "{} of {} frames{}",
        stack.frames.len(),
        stack.total,
        if located { "" } else { ", start/stop null" }
    ))
}

fn stack_range(probe: &Probe) -> Verdict {
    let mut session = Debugging::new(probe);
    // The comment puts characters of two bytes before the send: offsets
    // count characters.
    for code in ["3 + nil foo", "\"ünï çødé\" 3 + nil foo"] {
        let debugger = session.suspend(code, "on_error")?.debugger;
        let stack = session.stack(&debugger, None)?;
        let frame = code_frame(&stack, code)?;
        let Some(text) = range_text(frame)? else {
            return Err(Why::Skip(
                "the server does not locate the send in progress (start and stop null)".into(),
            ));
        };
        ensure(text == "nil foo", || {
            format!("in {code:?} the frame's start..=stop is {text:?}, expected \"nil foo\"")
        })?;
        session.close(&debugger)?;
    }
    Ok(String::new())
}

// ---- closing and the session's debuggers ---------------------------------------------

fn close_runs_ensure(probe: &Probe) -> Verdict {
    let mut session = Debugging::new(probe);
    let flag = session.global("StuiConfEnsure");
    let code = format!("[1/0] ensure: [Smalltalk at: #{flag} put: true]");
    let debugger = session.suspend(&code, "on_error")?.debugger;
    let before = session.read_global(&flag)?;
    ensure(before == "nil", || {
        format!("the ensure: block ran while suspended ({flag} is {before})")
    })?;
    session.close(&debugger)?;
    let after = session.read_global(&flag)?;
    ensure(after == "true", || {
        format!("after debug_close the ensure: block had not run ({flag} is {after})")
    })?;
    session.expect_gone("debug_stack", &debugger)?;
    ensure(!session.lists(&debugger)?, || {
        format!("debug_list still lists {debugger} after debug_close")
    })?;
    Ok(String::new())
}

fn unknown_debugger(probe: &Probe) -> Verdict {
    let mut session = Debugging::new(probe);
    let never_made = format!("stui-conformance-{}", unique_suffix());
    session.expect_gone("debug_stack", &never_made)?;
    session.expect_gone("debug_close", &never_made)?;
    // A debugger of another session is not this session's.
    let debugger = session.suspend("nil foo", "on_error")?.debugger;
    Debugging::new(probe)
        .expect_gone("debug_stack", &debugger)
        .map_err(|why| format!("another session: {why}"))?;
    session.close(&debugger)?;
    Ok(String::new())
}

fn max_debuggers(probe: &Probe) -> Verdict {
    let max = probe
        .describe
        .as_ref()
        .and_then(|describe| describe.max_debuggers)
        .ok_or("describe has no max_debuggers")?;
    ensure(max >= 8, || format!("max_debuggers is {max}, at least 8"))?;
    if max > 64 {
        return Ok(format!("max_debuggers {max}, beyond it not tried"));
    }
    let mut session = Debugging::new(probe);
    let mut opened = Vec::new();
    for _ in 0..=max {
        opened.push(session.suspend("nil foo", "on_error")?.debugger);
    }
    let listed: Vec<String> = session
        .list()?
        .debuggers
        .into_iter()
        .map(|listed| listed.debugger)
        .collect();
    ensure(!listed.contains(&opened[0]), || {
        format!(
            "after {} suspensions the oldest, {}, is still listed",
            max + 1,
            opened[0]
        )
    })?;
    if let Some(missing) = opened[1..].iter().find(|id| !listed.contains(id)) {
        return Err(format!("debug_list lacks {missing}, one of the newest {max}").into());
    }
    session.expect_gone("debug_stack", &opened[0])?;
    Ok(format!("max_debuggers {max}"))
}

fn interrupt_closes(probe: &Probe) -> Verdict {
    let mut session = Debugging::new(probe);
    let suspended = session.suspend("nil foo", "on_error")?;
    let result: InterruptResult =
        typed(session.call("interrupt", json!({"target": suspended.request}))?)?;
    let closed = poll_until(Duration::from_secs(2), || {
        Ok((!session.lists(&suspended.debugger)?).then_some(()))
    })?;
    ensure(closed.is_some(), || {
        format!(
            "interrupt with target {} left {} listed",
            suspended.request, suspended.debugger
        )
    })?;
    session.expect_gone("debug_stack", &suspended.debugger)?;
    Ok(format!("interrupted {}", result.interrupted))
}

fn suspended_not_timed(probe: &Probe) -> Verdict {
    let mut session = Debugging::new(probe);
    let params = json!({"code": "nil foo", "timeout_ms": 1000, "debug": "on_error"});
    let debugger = session.suspend_with(params)?.debugger;
    std::thread::sleep(Duration::from_millis(1500));
    let stack = session
        .stack(&debugger, None)
        .map_err(|why| format!("1.5 s after suspending with timeout_ms 1000: {why}"))?;
    ensure(!stack.frames.is_empty(), || "no frames".into())?;
    session.close(&debugger)?;
    Ok(String::new())
}

// ---- starting, halting and stepping ----------------------------------------------------

fn start(probe: &Probe) -> Verdict {
    let mut session = Debugging::new(probe);
    let flag = session.global("StuiConfStart");
    let code = format!("Smalltalk at: #{flag} put: 42. 6 * 7");
    let suspended = session.suspend(&code, "start")?;
    ensure(suspended.error["class"].is_null(), || {
        format!("class is {}, expected null", suspended.error["class"])
    })?;
    let before = session.read_global(&flag)?;
    ensure(before == "nil", || {
        format!("the first statement ran before any step ({flag} is {before})")
    })?;
    let stack = session.stack(&suspended.debugger, None)?;
    ensure(stack.reason == "start", || {
        format!("reason is {:?}, expected start", stack.reason)
    })?;
    code_frame(&stack, &code)?;
    let result = session.finish(&suspended.debugger, "proceed")?;
    ensure(result.print == "42", || {
        format!("proceed finished with {:?}, expected 42", result.print)
    })?;
    let after = session.read_global(&flag)?;
    ensure(after == "42", || {
        format!("after proceed {flag} is {after}, expected 42")
    })?;
    Ok(String::new())
}

fn halt(probe: &Probe) -> Verdict {
    let mut session = Debugging::new(probe);
    let debugger = session
        .suspend("3 + 4. self halt. 6 * 7", "on_error")?
        .debugger;
    let stack = session.stack(&debugger, None)?;
    ensure(stack.reason == "halt", || {
        format!("debug_stack's reason is {:?}, expected halt", stack.reason)
    })?;
    let list = session.list()?;
    let listed = list.debuggers.iter().find(|d| d.debugger == debugger);
    ensure(listed.is_some_and(|d| d.reason == "halt"), || {
        format!("debug_list does not list {debugger} with reason halt: {list:?}")
    })?;
    let result = session.finish(&debugger, "proceed")?;
    ensure(result.print == "42", || {
        format!("proceed finished with {:?}, expected 42", result.print)
    })?;
    Ok(String::new())
}

/// Each `proceed` stops at the next halt, and the last one finishes.
fn halt_each_time(probe: &Probe) -> Verdict {
    let mut session = Debugging::new(probe);
    let code = "| n | n := 0. 3 timesRepeat: [n := n + 1. self halt]. n";
    let debugger = session.suspend(code, "on_error")?.debugger;
    for halt in 2..=3 {
        let step = session.step(&debugger, "proceed", 0)?;
        ensure(
            matches!(&step, DebugStepResult::Suspended(stack) if stack.reason == "halt"),
            || {
                format!(
                    "proceed from halt {} answered {}, expected suspended at halt {halt}",
                    halt - 1,
                    step_outcome(&step)
                )
            },
        )?;
    }
    let result = session.finish(&debugger, "proceed")?;
    ensure(result.print == "3", || {
        format!(
            "after the third halt, proceed finished with {:?}, expected 3",
            result.print
        )
    })?;
    Ok(String::new())
}

fn step_over(probe: &Probe) -> Verdict {
    let mut session = Debugging::new(probe);
    let debugger = session.suspend("3 + 4", "start")?.debugger;
    for step in 1..=MAX_STEPS {
        match session.step(&debugger, "over", 0)? {
            DebugStepResult::Suspended(stack) => {
                ensure(
                    stack.debugger == debugger && !stack.frames.is_empty(),
                    || format!("step {step} answered a stack of {}", stack.debugger),
                )?;
            }
            DebugStepResult::Finished { result } => {
                ensure(result.print == "7", || {
                    format!("finished with {:?}, expected 7", result.print)
                })?;
                return Ok(format!("steps over: {step}"));
            }
            DebugStepResult::Failed { error } => {
                return Err(
                    format!("step {step} failed: {}: {}", error.code, error.message).into(),
                );
            }
        }
    }
    Err(format!("3 + 4 did not finish after {MAX_STEPS} steps over").into())
}

fn step_into(probe: &Probe) -> Verdict {
    let mut session = Debugging::new(probe);
    let class = session.class_answering("answer\n\t^ 6 * 7")?;
    let code = format!("{class} new answer");
    let debugger = session.suspend(&code, "start")?.debugger;
    for step in 1..=MAX_STEPS {
        match session.step(&debugger, "into", 0)? {
            DebugStepResult::Suspended(stack) if answer_frame(&stack, &class).is_some() => {
                let print = proceed_to_end(&session, &debugger)?;
                ensure(print == "42", || {
                    format!("{code} finished with {print:?}, expected 42")
                })?;
                return Ok(format!("in {class}>>answer after {step} into"));
            }
            DebugStepResult::Suspended(_) => continue,
            DebugStepResult::Finished { .. } => {
                return Err(
                    format!("{code} finished without stepping into {class}>>answer").into(),
                );
            }
            DebugStepResult::Failed { error } => {
                return Err(
                    format!("step {step} failed: {}: {}", error.code, error.message).into(),
                );
            }
        }
    }
    Err(format!("{MAX_STEPS} steps into {code} never reached {class}>>answer").into())
}

fn step_out(probe: &Probe) -> Verdict {
    let mut session = Debugging::new(probe);
    let class = session.class_answering("answer\n\tself halt.\n\t^ 42")?;
    let debugger = session
        .suspend(&format!("{class} new answer"), "on_error")?
        .debugger;
    let stack = session.stack(&debugger, None)?;
    let frame = answer_frame(&stack, &class)
        .ok_or_else(|| format!("no frame of {class}>>answer in {:?}", labels(&stack)))?
        .index;
    match session.step(&debugger, "out", frame)? {
        DebugStepResult::Suspended(stack) => ensure(
            answer_frame(&stack, &class).is_none() && !stack.frames.is_empty(),
            || {
                format!(
                    "after out of {class}>>answer the frames are {:?}",
                    labels(&stack)
                )
            },
        )?,
        other => {
            return Err(format!(
                "out of {class}>>answer answered {}, expected suspended in its caller",
                step_outcome(&other)
            )
            .into());
        }
    }
    let print = proceed_to_end(&session, &debugger)?;
    ensure(print == "42", || {
        format!("after out, proceed finished with {print:?}, expected 42")
    })?;
    Ok(String::new())
}

fn restart(probe: &Probe) -> Verdict {
    let mut session = Debugging::new(probe);
    let counter = session.global("StuiConfRestart");
    session.evaluate(&format!("Smalltalk at: #{counter} put: 0"))?;
    let code = format!(
        "Smalltalk at: #{counter} put: (Smalltalk at: #{counter}) + 1. self halt. \
         Smalltalk at: #{counter}"
    );
    let (debugger, frame) = suspend_in_code(&mut session, &code)?;
    let restarted = session.step(&debugger, "restart", frame)?;
    ensure(matches!(restarted, DebugStepResult::Suspended(_)), || {
        format!(
            "restart of the code's frame answered {}, expected suspended",
            step_outcome(&restarted)
        )
    })?;
    let print =
        proceed_to_end(&session, &debugger).map_err(|why| format!("after the restart: {why}"))?;
    ensure(print == "2", || {
        format!(
            "the restarted code finished with {print:?}, expected 2 (its first statement \
             run twice)"
        )
    })?;
    Ok(String::new())
}

/// Proceeds until the evaluation finishes; its value. Stopping at an
/// error again fails.
fn proceed_to_end(session: &Debugging, debugger: &str) -> Result<String, String> {
    for _ in 0..MAX_PROCEEDS {
        match session.step(debugger, "proceed", 0)? {
            DebugStepResult::Suspended(stack) if stack.reason == "error" => {
                let exception = stack.exception.map(|e| e.class).unwrap_or_default();
                return Err(format!("proceed stopped at an error again ({exception})"));
            }
            DebugStepResult::Suspended(_) => continue,
            DebugStepResult::Finished { result } => return Ok(result.print),
            DebugStepResult::Failed { error } => {
                return Err(format!("proceed failed: {}: {}", error.code, error.message));
            }
        }
    }
    Err(format!("not finished after {MAX_PROCEEDS} proceeds"))
}

/// Fix and restart: the method is compiled anew while its frame is
/// suspended at its error, and restarting the frame runs the new code.
fn restart_after_compile(probe: &Probe) -> Verdict {
    let mut session = Debugging::new(probe);
    let class = session.class_answering("answer\n\t^ 6 * 7 / 0")?;
    let debugger = session
        .suspend(&format!("{class} new answer"), "on_error")?
        .debugger;
    let stack = session.stack(&debugger, None)?;
    let frame = answer_frame(&stack, &class)
        .ok_or_else(|| format!("no frame of {class}>>answer in {:?}", labels(&stack)))?
        .index;
    session.compile(&class, "answer\n\t^ 6 * 7")?;
    let restarted = session.step(&debugger, "restart", frame)?;
    ensure(matches!(restarted, DebugStepResult::Suspended(_)), || {
        format!(
            "restart of {class}>>answer answered {}, expected suspended",
            step_outcome(&restarted)
        )
    })?;
    let print = proceed_to_end(&session, &debugger)
        .map_err(|why| format!("after the fix and restart: {why}"))?;
    ensure(print == "42", || {
        format!("the fixed method answered {print:?}, expected 42")
    })?;
    Ok(String::new())
}

// ---- frames ------------------------------------------------------------------------------

/// Suspends `code` at its error or halt; the index of the frame of the code.
fn suspend_in_code(session: &mut Debugging, code: &str) -> Result<(String, u64), String> {
    let debugger = session.suspend(code, "on_error")?.debugger;
    let stack = session.stack(&debugger, None)?;
    let frame = code_frame(&stack, code)?.index;
    Ok((debugger, frame))
}

fn frame_variables(probe: &Probe) -> Verdict {
    let mut session = Debugging::new(probe);
    let (debugger, frame) = suspend_in_code(&mut session, "| a | a := 5. nil foo")?;
    let params = json!({"debugger": debugger, "frame": frame});
    let result: DebugFrameResult = typed(session.call("debug_frame", params)?)?;
    let kinds = ["argument", "temporary", "instance"];
    if let Some(odd) = result
        .variables
        .iter()
        .find(|variable| !kinds.contains(&variable.kind.as_str()))
    {
        return Err(format!("variable {} has kind {:?}", odd.name, odd.kind).into());
    }
    let a = require_variable(&result, "a", "temporary", "5")?;
    if !probe.lists("inspect") {
        session.close(&debugger)?;
        return Ok("inspect not listed: handles not tried".into());
    }
    // A variable's handle is one `inspect` takes.
    let inspected: InspectResult = typed(session.call("inspect", json!({"handle": a.handle}))?)?;
    ensure(inspected.print == "5", || {
        format!("inspect of a's handle printed {:?}", inspected.print)
    })?;
    session.close(&debugger)?;
    Ok(String::new())
}

fn evaluate_in_frame(probe: &Probe) -> Verdict {
    let mut session = Debugging::new(probe);
    let (debugger, frame) = suspend_in_code(&mut session, "| a | a := 5. nil foo")?;
    let read = session.frame_evaluate(&debugger, frame, "a")?;
    ensure(read == "5", || format!("a reads {read:?}, expected 5"))?;
    session.frame_evaluate(&debugger, frame, "a := 7")?;
    let read = session.frame_evaluate(&debugger, frame, "a")?;
    ensure(read == "7", || format!("after a := 7, a reads {read:?}"))?;
    session.close(&debugger)?;
    Ok(String::new())
}

/// The variable `name` of a frame, of `kind`, printing `print`.
fn require_variable<'f>(
    frame: &'f DebugFrameResult,
    name: &str,
    kind: &str,
    print: &str,
) -> Result<&'f DebugVariable, String> {
    let variable = frame
        .variables
        .iter()
        .find(|variable| variable.name == name)
        .ok_or_else(|| format!("no variable {name} in {:?}", frame.variables))?;
    ensure(variable.kind == kind && variable.print == print, || {
        format!(
            "{name} is {:?} printing {:?}, expected {kind} {print}",
            variable.kind, variable.print
        )
    })?;
    Ok(variable)
}

/// A method's frame: its receiver, argument and instance variable, and
/// `debug_evaluate` with `self` the receiver.
fn method_frame_check(probe: &Probe) -> Verdict {
    let mut session = Debugging::new(probe);
    let source = "answer: x\n\tv := x + 1.\n\tself halt.\n\t^ v";
    let class = session.class_with("v", source)?;
    let debugger = session
        .suspend(&format!("{class} new answer: 41"), "on_error")?
        .debugger;
    let stack = session.stack(&debugger, None)?;
    let index = method_frame(&stack, &class, "answer:")
        .ok_or_else(|| format!("no frame of {class}>>answer: in {:?}", labels(&stack)))?
        .index;
    let params = json!({"debugger": debugger, "frame": index});
    let frame: DebugFrameResult = typed(session.call("debug_frame", params)?)?;
    ensure(frame.receiver.class == class, || {
        format!(
            "the receiver's class is {:?}, expected {class}",
            frame.receiver.class
        )
    })?;
    require_variable(&frame, "x", "argument", "41")?;
    require_variable(&frame, "v", "instance", "42")?;
    let is_self = session.frame_evaluate(&debugger, index, &format!("self class == {class}"))?;
    ensure(is_self == "true", || {
        format!("in the frame, self class == {class} answers {is_self}")
    })?;
    let sum = session.frame_evaluate(&debugger, index, "x + v")?;
    ensure(sum == "83", || {
        format!("in the frame, x + v answers {sum:?}, expected 83")
    })?;
    session.close(&debugger)?;
    Ok(String::new())
}

fn evaluate_seen_on_resume(probe: &Probe) -> Verdict {
    let mut session = Debugging::new(probe);
    let (debugger, frame) = suspend_in_code(&mut session, "| a | a := 1. self halt. a * 10")?;
    session.frame_evaluate(&debugger, frame, "a := 5")?;
    let result = session.finish(&debugger, "proceed")?;
    ensure(result.print == "50", || {
        format!(
            "after a := 5 in the frame, proceed finished with {:?}, expected 50",
            result.print
        )
    })?;
    Ok(String::new())
}
