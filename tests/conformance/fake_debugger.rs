//! A fake server for the debugging checks: it keeps the contract's Debugging
//! section for the code those checks send, or breaks one rule of it on
//! purpose ([`Fault`]), so each check is shown to pass and to fail.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::FakeServer;

/// The rule the fake breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    None,
    /// `on_error` answers `evaluation_error`, as without `debug`.
    OnErrorEndsTheEvaluation,
    /// `debug: "never"` suspends as `on_error` does.
    NeverSuspends,
    /// `debug_list` lists nothing.
    ListsNothing,
    /// `restart` goes on from where the frame stopped.
    RestartContinues,
    /// `proceed` runs past the halts still to come.
    ProceedSkipsHalts,
    /// The handles of `debug_frame` are not ones `inspect` knows.
    HandlesUnknown,
    /// A method's frame shows neither its argument nor the receiver's
    /// instance variables.
    MethodVariablesMissing,
    /// `debug_evaluate` runs with `self` nil, not the frame's receiver.
    ReceiverNotSelf,
    /// `into` steps over the send instead of into its method.
    IntoActsAsOver,
    /// `out` stays in the frame it was to leave.
    OutStaysIn,
    /// `restart` runs the method as it was, not as compiled since.
    RestartRunsOldMethod,
    /// Frames are numbered from 1.
    IndexFromOne,
    /// `debug_stack` answers every frame whatever its `limit`.
    LimitIgnored,
    /// `start`/`stop` count bytes, not characters.
    RangeInBytes,
    /// `stop` is one past the send's last character.
    RangeExclusive,
    /// `debug_close` does not run the process's `ensure:` blocks.
    CloseSkipsEnsure,
    /// `debug_close` answers but keeps the debugger.
    CloseKeepsDebugger,
    /// An unknown debugger is `invalid_request`.
    UnknownIsInvalid,
    /// Any session reaches any session's debuggers.
    SessionsShareDebuggers,
    /// Beyond `max_debuggers` the oldest stays.
    KeepsTheOldest,
    /// `max_debuggers` is below the contract's 8.
    FewDebuggers,
    /// `interrupt` of a suspended evaluation leaves its debugger.
    InterruptKeeps,
    /// A suspended process is closed at its evaluation's `timeout_ms`.
    SuspendedTimesOut,
    /// `start` runs the first statement before suspending.
    StartRunsFirstStatement,
    /// A halt is reported with reason `error`.
    HaltIsAnError,
    /// Stepping over never gets to the end.
    OverNeverFinishes,
    /// `debug_frame` shows no temporaries.
    NoTemporaries,
    /// `debug_evaluate` drops assignments to temporaries.
    AssignmentLost,
    /// The resumed code sees the temporaries as they were at the suspension.
    ResumeForgetsAssignment,
}

/// A fake serving the debugging types, breaking `fault`.
pub fn start(fault: Fault) -> FakeServer {
    let state = Mutex::new(State::default());
    FakeServer::start(move |body| {
        let request: Value = serde_json::from_slice(body).ok()?;
        let answer = state.lock().unwrap().answer(fault, &request);
        Some(match answer {
            Ok(result) => json!({"stui": 1, "id": request["id"], "ok": true, "result": result}),
            Err(error) => json!({"stui": 1, "id": request["id"], "ok": false, "error": error}),
        })
    })
}

const TYPES: &[&str] = &[
    "ping",
    "describe",
    "evaluate",
    "interrupt",
    "compile",
    "inspect",
    "debug_stack",
    "debug_frame",
    "debug_step",
    "debug_evaluate",
    "debug_close",
    "debug_list",
];

/// One suspended evaluation.
struct Debugger {
    id: String,
    session: String,
    request: Value,
    code: String,
    reason: &'static str,
    /// The temporary `a` of the code, as assigned in it and by debug_evaluate.
    a: i64,
    a_at_suspension: i64,
    /// Whether the first statement ran: it does before an error or halt
    /// in a later statement, not before a `start`.
    ran_first: bool,
    /// The class and the source of the `answer` the code runs in a frame
    /// of its own (`Foo new answer`).
    method: Option<(String, String)>,
    /// Whether the process is inside that method (it is not at a start).
    entered: bool,
    /// The halts still to come (`3 timesRepeat: [… self halt]`).
    halts_left: u32,
    steps: u32,
    /// When the evaluation's `timeout_ms` runs out (honoured only by the
    /// fault [`Fault::SuspendedTimesOut`]).
    deadline: Option<Instant>,
}

#[derive(Default)]
struct State {
    globals: HashMap<String, String>,
    debuggers: Vec<Debugger>,
    made: u64,
    /// The source of `answer` in each class compiled.
    methods: HashMap<String, String>,
    /// The printString of each handle `debug_frame` gave.
    handles: HashMap<String, String>,
}

fn not_found(fault: Fault) -> Value {
    if fault == Fault::UnknownIsInvalid {
        return json!({"code": "invalid_request", "message": "bad debugger",
                      "field": "params.debugger"});
    }
    json!({"code": "not_found", "message": "no such debugger", "what": "debugger"})
}

fn evaluate_result(print: &str) -> Value {
    json!({"print": print, "class": "SmallInteger", "truncated": false, "handle": "h1",
           "output": "", "duration_us": 1})
}

/// The global `Smalltalk at: #NAME` right after `marker` in `code` names.
fn global_after(code: &str, marker: &str) -> Option<String> {
    let rest = &code[code.find(marker)? + marker.len()..];
    let name: String = rest
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect();
    (!name.is_empty()).then_some(name)
}

/// The number assigned to `a` in the code (`a := 5.`), else 0.
fn assigned_a(code: &str) -> i64 {
    code.find("a := ")
        .map(|at| &code[at + 5..])
        .and_then(|rest| rest.split('.').next())
        .and_then(|number| number.trim().parse().ok())
        .unwrap_or(0)
}

/// What the code answers when it runs to its end.
fn value_of(code: &str, a: i64, globals: &HashMap<String, String>) -> String {
    let last = code.rsplit('.').next().unwrap_or_default();
    if let Some(name) = global_after(last, "Smalltalk at: #") {
        return globals.get(&name).cloned().unwrap_or_else(|| "nil".into());
    }
    let value = if code.ends_with("a * 10") {
        a * 10
    } else if code.ends_with("6 * 7") || code.ends_with(" new answer") {
        42
    } else if code.ends_with("]. n") {
        3
    } else if code.ends_with("3 + 4") {
        7
    } else {
        return "nil".into();
    };
    value.to_string()
}

/// The selector a method's source defines (`answer`, `answer:`).
fn selector_of(source: &str) -> &str {
    source.split_whitespace().next().unwrap_or_default()
}

/// The argument of `Foo new answer: 41`.
fn argument(code: &str) -> i64 {
    code.split_once("answer: ")
        .and_then(|(_, number)| number.trim().parse().ok())
        .unwrap_or_default()
}

/// Whether a method's source divides by zero.
fn fails(method: &str) -> bool {
    method.contains("/ 0")
}

fn stops(code: &str) -> bool {
    ["nil foo", "1/0", "halt"]
        .iter()
        .any(|bad| code.contains(bad))
}

fn exception(code: &str) -> (&'static str, &'static str) {
    if code.contains("halt") {
        ("Halt", "halt encountered")
    } else if code.contains("1/0") {
        (
            "ZeroDivide",
            "The program attempted to divide a number by zero",
        )
    } else {
        ("MessageNotUnderstood", "nil does not understand #foo")
    }
}

impl State {
    fn answer(&mut self, fault: Fault, request: &Value) -> Result<Value, Value> {
        if fault == Fault::SuspendedTimesOut {
            let now = Instant::now();
            self.debuggers
                .retain(|debugger| debugger.deadline.is_none_or(|deadline| deadline > now));
        }
        let params = &request["params"];
        let session = request["session"].as_str().unwrap_or_default();
        match request["type"].as_str().unwrap_or_default() {
            "ping" => Ok(json!({"uptime_ms": 5, "instance": "fake"})),
            "describe" => Ok(describe(fault)),
            "evaluate" => self.evaluate(fault, session, request),
            "interrupt" => Ok(self.interrupt(fault, session, &params["target"])),
            "debug_list" => Ok(self.list(fault, session)),
            "debug_stack" => {
                let debugger = self.find(fault, session, params)?;
                Ok(self.debuggers[debugger].stack(fault, params["limit"].as_u64()))
            }
            "debug_frame" => {
                let debugger = self.find(fault, session, params)?;
                let index = params["frame"].as_u64().unwrap_or_default();
                let frame = self.debuggers[debugger].frame(fault, index as usize);
                for variable in frame["variables"].as_array().into_iter().flatten() {
                    let handle = variable["handle"].as_str().unwrap_or_default();
                    let print = variable["print"].as_str().unwrap_or_default();
                    self.handles.insert(handle.into(), print.into());
                }
                Ok(frame)
            }
            "inspect" => self.inspect(fault, &params["handle"]),
            "debug_evaluate" => {
                let debugger = self.find(fault, session, params)?;
                let code = params["code"].as_str().unwrap_or_default();
                Ok(self.debuggers[debugger].evaluate(fault, code))
            }
            "debug_step" => {
                let debugger = self.find(fault, session, params)?;
                Ok(self.step(fault, debugger, params["how"].as_str().unwrap_or_default()))
            }
            "compile" => {
                let class = params["class"].as_str().unwrap_or_default();
                let source = params["source"].as_str().unwrap_or_default();
                self.methods.insert(class.into(), source.into());
                Ok(json!({"selector": selector_of(source)}))
            }
            "debug_close" => {
                let debugger = self.find(fault, session, params)?;
                self.close(fault, debugger);
                Ok(json!({"closed": true}))
            }
            kind => Err(json!({"code": "unknown_type", "message": "no", "type": kind})),
        }
    }

    fn find(&self, fault: Fault, session: &str, params: &Value) -> Result<usize, Value> {
        self.debuggers
            .iter()
            .position(|debugger| {
                debugger.id == params["debugger"]
                    && (debugger.session == session || fault == Fault::SessionsShareDebuggers)
            })
            .ok_or_else(|| not_found(fault))
    }

    fn evaluate(&mut self, fault: Fault, session: &str, request: &Value) -> Result<Value, Value> {
        let params = &request["params"];
        let code = params["code"].as_str().unwrap_or_default();
        if code.contains("ifAbsent:") && !code.contains("put:") {
            let name = global_after(code, "Smalltalk at: #").unwrap_or_default();
            let print = self.globals.get(&name).cloned();
            return Ok(evaluate_result(&print.unwrap_or_else(|| "nil".into())));
        }
        if let Some(name) = global_after(code, "Smalltalk removeKey: #") {
            self.globals.remove(&name);
            return Ok(evaluate_result("nil"));
        }
        let stopping = stops(code)
            || self
                .method_of(code)
                .is_some_and(|(_, m)| fails(&m) || m.contains("halt"));
        let reason = match params["debug"].as_str() {
            Some("start") => "start",
            Some("never") if stopping && fault == Fault::NeverSuspends => "error",
            Some("on_error") if stopping && fault != Fault::OnErrorEndsTheEvaluation => {
                if code.contains("halt") && fault != Fault::HaltIsAnError {
                    "halt"
                } else {
                    "error"
                }
            }
            _ if stopping => {
                let (class, message) = exception(code);
                return Err(json!({"code": "evaluation_error", "message": message,
                                  "class": class, "stack": ["UndefinedObject>>DoIt"]}));
            }
            _ => {
                self.run_first_statement(code);
                return Ok(evaluate_result(&self.value_of(code, assigned_a(code))));
            }
        };
        let runs_first = match reason {
            "start" => fault == Fault::StartRunsFirstStatement,
            _ => !code.split('.').next().is_some_and(stops),
        };
        if runs_first {
            self.run_first_statement(code);
        }
        let debugger = self.suspend(fault, session, request, reason, runs_first);
        let (class, message) = exception(code);
        let class = if reason == "start" {
            Value::Null
        } else {
            json!(class)
        };
        Err(
            json!({"code": "suspended", "message": message, "class": class,
                   "stack": ["UndefinedObject>>DoIt"], "debugger": debugger}),
        )
    }

    /// Holds a new debugger; beyond the limit the session's oldest goes.
    fn suspend(
        &mut self,
        fault: Fault,
        session: &str,
        request: &Value,
        reason: &'static str,
        ran_first: bool,
    ) -> String {
        self.made += 1;
        let id = format!("d{}", self.made);
        let code = request["params"]["code"].as_str().unwrap_or_default();
        let timeout = request["params"]["timeout_ms"].as_u64().unwrap_or(30_000);
        self.debuggers.push(Debugger {
            id: id.clone(),
            session: session.into(),
            request: request["id"].clone(),
            code: code.into(),
            reason,
            a: assigned_a(code),
            a_at_suspension: assigned_a(code),
            ran_first,
            method: self.method_of(code),
            entered: reason != "start",
            halts_left: if code.contains("3 timesRepeat:") {
                2
            } else {
                0
            },
            steps: 0,
            deadline: Some(Instant::now() + Duration::from_millis(timeout)),
        });
        let held = self
            .debuggers
            .iter()
            .filter(|d| d.session == session)
            .count();
        if held as u64 > max_debuggers(fault) && fault != Fault::KeepsTheOldest {
            let oldest = self.debuggers.iter().position(|d| d.session == session);
            self.debuggers.remove(oldest.unwrap_or_default());
        }
        id
    }

    /// The effect of the code's first statement: `Smalltalk at: #X put:
    /// 42.` or `Smalltalk at: #X put: (Smalltalk at: #X) + 1.`
    fn run_first_statement(&mut self, code: &str) {
        let first = code.split('.').next().unwrap_or_default();
        let (Some(name), Some((_, value))) = (
            global_after(first, "Smalltalk at: #").filter(|_| first.starts_with("Smalltalk")),
            first.split_once("put: "),
        ) else {
            return;
        };
        let value = if value.starts_with("(Smalltalk at: #") {
            let old: i64 = self
                .globals
                .get(&name)
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            (old + 1).to_string()
        } else {
            value.trim().to_string()
        };
        self.globals.insert(name, value);
    }

    /// The class and method source of `Foo new answer`.
    fn method_of(&self, code: &str) -> Option<(String, String)> {
        let (class, _) = code.split_once(" new answer")?;
        let source = self.methods.get(class)?;
        Some((class.into(), source.clone()))
    }

    fn value_of(&self, code: &str, a: i64) -> String {
        value_of(code, a, &self.globals)
    }

    fn inspect(&self, fault: Fault, handle: &Value) -> Result<Value, Value> {
        let print = handle
            .as_str()
            .and_then(|handle| self.handles.get(handle))
            .filter(|_| fault != Fault::HandlesUnknown)
            .ok_or_else(
                || json!({"code": "not_found", "message": "no such handle", "what": "handle"}),
            )?;
        Ok(
            json!({"handle": handle, "class": "SmallInteger", "print": print, "fields": [],
                  "size": 0, "elements": []}),
        )
    }

    fn list(&self, fault: Fault, session: &str) -> Value {
        let debuggers: Vec<Value> = self
            .debuggers
            .iter()
            .filter(|debugger| debugger.session == session && fault != Fault::ListsNothing)
            .map(|debugger| {
                json!({"debugger": debugger.id, "label": "MessageNotUnderstood: nil foo",
                       "reason": debugger.reason, "since_ms": 1})
            })
            .collect();
        json!({ "debuggers": debuggers })
    }

    fn interrupt(&mut self, fault: Fault, session: &str, target: &Value) -> Value {
        let held = self
            .debuggers
            .iter()
            .position(|debugger| debugger.session == session && &debugger.request == target);
        match held {
            Some(debugger) if fault != Fault::InterruptKeeps => {
                self.debuggers.remove(debugger);
                json!({"interrupted": 1})
            }
            _ => json!({"interrupted": 0}),
        }
    }

    fn step(&mut self, fault: Fault, debugger: usize, how: &str) -> Value {
        if how == "restart" && fault != Fault::RestartContinues {
            // Back to the first statement, which runs again up to the halt.
            let code = self.debuggers[debugger].code.clone();
            self.run_first_statement(&code);
        }
        if how == "restart" && fault != Fault::RestartRunsOldMethod {
            let code = self.debuggers[debugger].code.clone();
            self.debuggers[debugger].method = self.method_of(&code);
        }
        let held = &mut self.debuggers[debugger];
        held.steps += 1;
        match how {
            "into" if fault != Fault::IntoActsAsOver => held.entered = true,
            "out" if fault != Fault::OutStaysIn => held.entered = false,
            _ => {}
        }
        if how != "proceed" && (held.steps < 2 || fault == Fault::OverNeverFinishes) {
            held.reason = "step";
            return held.suspended_again(fault);
        }
        if how == "proceed" && held.halts_left > 0 && fault != Fault::ProceedSkipsHalts {
            held.halts_left -= 1;
            held.reason = "halt";
            return held.suspended_again(fault);
        }
        if held
            .method
            .as_ref()
            .is_some_and(|(_, source)| fails(source))
        {
            held.reason = "error";
            return held.suspended_again(fault);
        }
        let held = self.debuggers.remove(debugger);
        if !held.ran_first {
            self.run_first_statement(&held.code);
        }
        let a = if fault == Fault::ResumeForgetsAssignment {
            held.a_at_suspension
        } else {
            held.a
        };
        json!({"state": "finished", "result": evaluate_result(&self.value_of(&held.code, a))})
    }

    fn close(&mut self, fault: Fault, debugger: usize) {
        let code = self.debuggers[debugger].code.clone();
        if fault != Fault::CloseKeepsDebugger {
            self.debuggers.remove(debugger);
        }
        if fault != Fault::CloseSkipsEnsure
            && let Some(name) = global_after(&code, "ensure: [Smalltalk at: #")
        {
            self.globals.insert(name, "true".into());
        }
    }
}

fn max_debuggers(fault: Fault) -> u64 {
    if fault == Fault::FewDebuggers { 4 } else { 8 }
}

fn describe(fault: Fault) -> Value {
    json!({"server": "fake", "dialect": "GNU Smalltalk", "dialect_version": "3.2.5",
        "protocol": 1, "types": TYPES, "max_message_bytes": 16777216, "pid": 1,
        "image": null, "uptime_ms": 5, "instance": "fake",
        "max_debuggers": max_debuggers(fault)})
}

/// A frame of `source` whose send in progress is `needle` (the whole
/// source when it does not hold it).
fn frame(label: &str, source: &str, needle: &str, fault: Fault) -> Value {
    let (byte, length) = source
        .find(needle)
        .map_or((0, source.len()), |at| (at, needle.len()));
    let (start, count) = if fault == Fault::RangeInBytes {
        (byte, length)
    } else {
        (
            source[..byte].chars().count(),
            source[byte..byte + length].chars().count(),
        )
    };
    let stop = start + count - usize::from(fault != Fault::RangeExclusive);
    let (class, selector) = label
        .trim_start_matches("[] in ")
        .split_once(">>")
        .unwrap_or_default();
    json!({"label": label, "class": class, "selector": selector, "meta": false,
           "block": label.starts_with("[] in "), "source": source, "start": start, "stop": stop})
}

impl Debugger {
    /// The send the code stops at (or, at its start, its first statement).
    fn needle(&self) -> &str {
        ["nil foo", "1/0", "self halt"]
            .into_iter()
            .find(|needle| self.code.contains(needle))
            .unwrap_or_else(|| self.code.split('.').next().unwrap_or_default())
    }

    fn frames(&self, fault: Fault) -> Vec<Value> {
        let mut frames = Vec::new();
        if matches!(self.reason, "error" | "halt") {
            let (label, source) = if self.reason == "halt" {
                ("Object>>halt", "halt\n\t^Halt new signal")
            } else {
                (
                    "Object>>doesNotUnderstand:",
                    "doesNotUnderstand: aMessage\n\t^MessageNotUnderstood new signal",
                )
            };
            frames.push(frame(label, source, "signal", fault));
        }
        if self.code.contains("do: [") {
            let block = frame(
                "[] in UndefinedObject>>DoIt",
                &self.code,
                self.needle(),
                fault,
            );
            let source = "do: aBlock\n\t1 to: self size do: [:i | aBlock value: (self at: i)]";
            frames.push(block);
            frames.push(frame("Array>>do:", source, "aBlock value:", fault));
        }
        if let Some((class, source)) = self.method.as_ref().filter(|_| self.entered) {
            let label = format!("{class}>>{}", selector_of(source));
            frames.push(frame(&label, source, "6 * 7", fault));
        }
        frames.push(frame(
            "UndefinedObject>>DoIt",
            &self.code,
            self.needle(),
            fault,
        ));
        frames
    }

    /// The answer of a step that stopped again.
    fn suspended_again(&self, fault: Fault) -> Value {
        let mut stack = self.stack(fault, None);
        stack["state"] = json!("suspended");
        stack
    }

    fn stack(&self, fault: Fault, limit: Option<u64>) -> Value {
        let mut frames = self.frames(fault);
        let total = frames.len();
        for (index, frame) in frames.iter_mut().enumerate() {
            frame["index"] = json!(index + usize::from(fault == Fault::IndexFromOne));
        }
        if fault != Fault::LimitIgnored {
            frames.truncate(limit.unwrap_or(50) as usize);
        }
        let exception = match self.reason {
            "error" | "halt" => {
                let (class, message) = exception(&self.code);
                json!({"class": class, "message": message})
            }
            _ => Value::Null,
        };
        json!({"debugger": self.id, "reason": self.reason, "exception": exception,
               "frames": frames, "total": total})
    }

    fn frame(&self, fault: Fault, index: usize) -> Value {
        let frames = self.frames(fault);
        let label = frames.get(index).and_then(|frame| frame["label"].as_str());
        if let (Some(label), Some((class, _))) = (label, &self.method)
            && label.ends_with(">>answer:")
        {
            return self.method_frame(fault, class);
        }
        let mut variables = Vec::new();
        if self.code.starts_with("| a |") && fault != Fault::NoTemporaries {
            variables.push(
                json!({"name": "a", "kind": "temporary", "print": self.a.to_string(),
                                  "class": "SmallInteger", "handle": "h2"}),
            );
        }
        json!({"receiver": {"print": "nil", "class": "UndefinedObject", "handle": "h3"},
               "variables": variables})
    }

    /// The frame of `answer: x` (`v := x + 1`) of `class`.
    fn method_frame(&self, fault: Fault, class: &str) -> Value {
        let x = argument(&self.code);
        let variables = if fault == Fault::MethodVariablesMissing {
            json!([])
        } else {
            json!([
                {"name": "x", "kind": "argument", "print": x.to_string(),
                 "class": "SmallInteger", "handle": "h5"},
                {"name": "v", "kind": "instance", "print": (x + 1).to_string(),
                 "class": "SmallInteger", "handle": "h6"},
            ])
        };
        json!({"receiver": {"print": format!("a {class}"), "class": class, "handle": "h4"},
               "variables": variables})
    }

    /// `a := N` assigns, `a` reads, `self class == X` and `x + v` answer
    /// as in the method's frame; anything else answers nil.
    fn evaluate(&mut self, fault: Fault, code: &str) -> Value {
        if let Some(class) = code.strip_prefix("self class == ") {
            let receiver = self.method.as_ref().map(|(class, _)| class.as_str());
            let is_self = receiver == Some(class) && fault != Fault::ReceiverNotSelf;
            return evaluate_result(&is_self.to_string());
        }
        if code == "x + v" {
            let x = argument(&self.code);
            return evaluate_result(&(x + x + 1).to_string());
        }
        if let Some(value) = code.strip_prefix("a := ") {
            let value = value.trim().parse().unwrap_or_default();
            if fault != Fault::AssignmentLost {
                self.a = value;
            }
            return evaluate_result(&value.to_string());
        }
        let print = if code == "a" {
            self.a.to_string()
        } else {
            "nil".into()
        };
        evaluate_result(&print)
    }
}
