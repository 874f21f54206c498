//! The protocol conformance suite against the real GNU Smalltalk server, and
//! against deliberately broken fake servers (so every check can fail).

mod common;
#[path = "conformance/fake_debugger.rs"]
mod fake_debugger;

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use common::security::{CurveServer, Keys, authorized_line};
use common::{Background, TestServer, free_port};
use fake_debugger::Fault;
use serde_json::{Value, json};
use stui::conformance::{Options, Outcome, Summary, check_names, run_selected, run_with};
use stui::protocol::{ALL_TYPES, CONTRACT_TYPES};
use stui::security::CurveKeys;
use stui::security::keys::KeyPair;

/// Checks of the core types: they must run (not be skipped) and pass.
/// The debugging checks whose types the bundled server serves today: they
/// must run and pass against it.
const DEBUG_CHECKS_SERVED: &[&str] = &[
    "debug_never",
    "debug_on_error_suspends",
    "debug_stack_shape",
    "debug_stack_range",
    "debug_close_runs_ensure",
    "debug_unknown_debugger",
    "debug_max_debuggers",
    "debug_interrupt_closes",
    "debug_suspended_not_timed",
    "debug_start",
    "debug_halt",
    "debug_halt_each_time",
    "debug_step_over",
    "debug_step_into",
    "debug_step_out",
    "debug_restart",
    "debug_restart_after_compile",
    "debug_frame_variables",
    "debug_evaluate_in_frame",
    "debug_method_frame",
    "debug_evaluate_seen_on_resume",
];

const CORE_CHECKS: &[&str] = &[
    "instance_rule",
    "describe_shape",
    "ping_shape",
    "envelope_echo",
    "unknown_members_ignored",
    "invalid_request_not_json",
    "invalid_request_not_object",
    "invalid_request_missing_id",
    "invalid_request_missing_session",
    "invalid_request_missing_type",
    "invalid_request_wrong_json_types",
    "invalid_request_invalid_utf8",
    "unsupported_version",
    "unknown_type",
    "unlisted_types_are_unknown",
    "too_large",
    "serves_after_garbage",
    "evaluate_shape",
    "syntax_error_position",
    "evaluation_error",
    "evaluation_error_stack_limit",
    "print_limit_truncates",
    "workspace_variables",
    "session_isolation",
    "undeclared_variables",
    "evaluate_output",
    "retry_executes_once",
    "retry_while_running",
    "timeout_ms",
];

fn run(address: &str, timeout: Duration) -> (Summary, String) {
    let mut out = Vec::new();
    let summary = run_with(
        address,
        &Options {
            timeout,
            ..Options::default()
        },
        &mut out,
    );
    (
        summary,
        String::from_utf8(out).expect("the report is UTF-8"),
    )
}

fn assert_report_format(summary: &Summary, text: &str) {
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines.last().copied(),
        Some(format!("{} passed, {} failed", summary.passed, summary.failed).as_str()),
        "{text}"
    );
    assert_eq!(summary.reports.len(), check_names().len());
    assert_eq!(
        summary.passed + summary.failed + summary.skipped,
        summary.reports.len()
    );
    for report in &summary.reports {
        let line = lines
            .iter()
            .find(|line| {
                line.get(5..).is_some_and(|rest| {
                    rest == report.name
                        || rest.starts_with(&format!("{} ", report.name))
                        || rest.starts_with(&format!("{}:", report.name))
                })
            })
            .unwrap_or_else(|| panic!("no line for {}: {text}", report.name));
        let prefix = match report.outcome {
            Outcome::Ok(_) => "ok   ",
            Outcome::Fail(_) => "FAIL ",
            Outcome::Skip(_) => "skip ",
        };
        assert!(line.starts_with(prefix), "{line}");
    }
}

#[test]
fn the_real_server_conforms() {
    let server = TestServer::start();
    let (summary, text) = run(&server.address, Duration::from_secs(10));
    println!("{text}");
    assert_report_format(&summary, &text);
    assert_eq!(summary.failed, 0, "{text}");
    for name in CORE_CHECKS.iter().chain(DEBUG_CHECKS_SERVED) {
        assert!(
            matches!(summary.outcome(name), Some(Outcome::Ok(_))),
            "{name} did not pass: {:?}\n{text}",
            summary.outcome(name)
        );
    }
}

#[test]
fn check_names_are_unique() {
    let names = check_names();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), names.len(), "{names:?}");
    for name in CORE_CHECKS {
        assert!(names.contains(name), "{name} is registered");
    }
}

/// A ROUTER that answers each request with `answer(request)` (or stays
/// silent on `None`) until dropped.
struct FakeServer {
    address: String,
    _serving: Background,
}

impl FakeServer {
    fn start(answer: impl Fn(&[u8]) -> Option<Value> + Send + 'static) -> Self {
        Self::start_on("127.0.0.1", None, answer)
    }

    /// A fake bound on `host` (its address names that host), speaking
    /// CURVE with `curve_secret` when given (and letting every key in).
    fn start_on(
        host: &str,
        curve_secret: Option<[u8; 32]>,
        answer: impl Fn(&[u8]) -> Option<Value> + Send + 'static,
    ) -> Self {
        let address = format!("tcp://{host}:{}", free_port());
        let context = zmq::Context::new();
        let socket = context.socket(zmq::ROUTER).unwrap();
        socket.set_linger(0).unwrap();
        if let Some(secret) = curve_secret {
            socket.set_curve_server(true).unwrap();
            socket.set_curve_secretkey(&secret).unwrap();
        }
        socket.bind(&address).unwrap();
        let serving = Background::spawn(move |stop| {
            let _context = context;
            while !stop.load(Ordering::Relaxed) {
                if socket.poll(zmq::POLLIN, 50).unwrap_or(0) == 0 {
                    continue;
                }
                let Ok(mut frames) = socket.recv_multipart(0) else {
                    continue;
                };
                if frames.len() < 3 {
                    continue;
                }
                let body = frames.pop().unwrap();
                if let Some(reply) = answer(&body) {
                    frames.truncate(2);
                    frames.push(reply.to_string().into_bytes());
                    let _ = socket.send_multipart(frames, 0);
                }
            }
        });
        Self {
            address,
            _serving: serving,
        }
    }
}

fn request_id(body: &[u8]) -> Value {
    serde_json::from_slice::<Value>(body)
        .ok()
        .map(|request| request["id"].clone())
        .unwrap_or(Value::Null)
}

fn assert_fails_fast(fake: &FakeServer, timeout: Duration, bound: Duration) -> Summary {
    let started = Instant::now();
    let (summary, text) = run(&fake.address, timeout);
    println!("{text}");
    assert!(
        started.elapsed() < bound,
        "the suite took {:?}",
        started.elapsed()
    );
    assert_report_format(&summary, &text);
    assert!(summary.failed > 0, "{text}");
    assert!(!text.trim_end().ends_with(", 0 failed"), "{text}");
    assert!(
        matches!(summary.outcome("describe_shape"), Some(Outcome::Fail(_))),
        "{text}"
    );
    summary
}

#[test]
fn a_server_answering_empty_successes_fails() {
    let fake = FakeServer::start(|body| {
        Some(json!({"stui": 1, "id": request_id(body), "ok": true, "result": {}}))
    });
    let summary = assert_fails_fast(&fake, Duration::from_secs(1), Duration::from_secs(60));
    // Every check that ran failed: an empty success satisfies no rule.
    for report in &summary.reports {
        assert!(
            !matches!(report.outcome, Outcome::Ok(_)),
            "{} passed against an empty server",
            report.name
        );
    }
}

/// Answers ping and describe with an instance, and runs every evaluation
/// whatever instance it carries.
fn ignores_instance(body: &[u8]) -> Option<Value> {
    let request: Value = serde_json::from_slice(body).ok()?;
    let result = match request["type"].as_str()? {
        "ping" => json!({"uptime_ms": 5, "instance": "fake-1"}),
        "describe" => json!({"server": "fake", "dialect": "GNU Smalltalk",
            "dialect_version": "3.2.5", "protocol": 1, "types": ["ping", "describe", "evaluate"],
            "max_message_bytes": 16777216, "pid": 1, "image": null, "uptime_ms": 5,
            "instance": "fake-1"}),
        _ => json!({"print": "1", "class": "SmallInteger", "truncated": false, "handle": "h",
                    "output": "", "duration_us": 1}),
    };
    Some(json!({"stui": 1, "id": request["id"], "ok": true, "result": result}))
}

#[test]
fn a_server_that_ignores_the_instance_fails_the_instance_rule() {
    let fake = FakeServer::start(ignores_instance);
    let options = Options {
        timeout: Duration::from_secs(2),
        ..Options::default()
    };
    let mut out = Vec::new();
    let summary = run_selected(&fake.address, &options, &|n| n == "instance_rule", &mut out);
    let text = String::from_utf8_lossy(&out);
    assert!(
        matches!(summary.outcome("instance_rule"),
                 Some(Outcome::Fail(why)) if why.contains("server_restarted")),
        "{text}"
    );
}

#[test]
fn a_server_echoing_the_wrong_id_fails() {
    let fake = FakeServer::start(|_| {
        Some(json!({"stui": 1, "id": "not-your-id", "ok": false,
                    "error": {"code": "invalid_request", "message": "no", "field": "id"}}))
    });
    let summary = assert_fails_fast(&fake, Duration::from_secs(1), Duration::from_secs(60));
    assert!(matches!(
        summary.outcome("envelope_echo"),
        Some(Outcome::Fail(why)) if why.contains("does not echo")
    ));
    assert!(matches!(
        summary.outcome("retry_executes_once"),
        Some(Outcome::Fail(_))
    ));
}

#[test]
fn a_silent_server_fails_every_check_without_hanging() {
    let fake = FakeServer::start(|_| None);
    let summary = assert_fails_fast(&fake, Duration::from_millis(200), Duration::from_secs(90));
    assert!(matches!(
        summary.outcome("ping_shape"),
        Some(Outcome::Fail(why)) if why.contains("no reply")
    ));
}

/// A describe result listing `types`.
fn describe_listing(types: &[&str]) -> Value {
    json!({"server": "fake", "dialect": "GNU Smalltalk", "dialect_version": "3.2.5",
        "protocol": 1, "types": types, "max_message_bytes": 16777216, "pid": 1,
        "image": null, "uptime_ms": 5})
}

/// Lists the core types only and answers `unknown_type` to every other.
fn lists_the_core_only(body: &[u8]) -> Option<Value> {
    let request: Value = serde_json::from_slice(body).ok()?;
    let kind = request["type"].as_str()?;
    Some(match kind {
        "describe" => json!({"stui": 1, "id": request["id"], "ok": true,
            "result": describe_listing(&["ping", "describe", "evaluate"])}),
        _ => json!({"stui": 1, "id": request["id"], "ok": false,
            "error": {"code": "unknown_type", "message": "no", "type": kind}}),
    })
}

/// Lists every type of the registry.
fn lists_every_type(body: &[u8]) -> Option<Value> {
    let request: Value = serde_json::from_slice(body).ok()?;
    let types: Vec<&str> = ALL_TYPES.iter().map(|info| info.name).collect();
    Some(json!({"stui": 1, "id": request["id"], "ok": true, "result": describe_listing(&types)}))
}

fn run_one(address: &str, check: &str) -> Option<Outcome> {
    run_one_with(address, check, None)
}

/// `run_one` with the suite connecting with `curve`.
fn run_one_with(address: &str, check: &str, curve: Option<CurveKeys>) -> Option<Outcome> {
    let options = Options {
        timeout: Duration::from_secs(2),
        curve,
    };
    let summary = run_selected(address, &options, &|n| n == check, &mut Vec::new());
    summary.outcome(check).cloned()
}

/// The suite's types are the registry's: it sends every contract type a
/// server does not list, and knows every type of the registry.
#[test]
fn the_suite_checks_the_types_of_the_registry() {
    let core_only = FakeServer::start(lists_the_core_only);
    let unlisted: Vec<&str> = CONTRACT_TYPES
        .iter()
        .copied()
        .filter(|kind| !["ping", "describe", "evaluate"].contains(kind))
        .collect();
    assert_eq!(
        run_one(&core_only.address, "unlisted_types_are_unknown"),
        Some(Outcome::Ok(format!("{} unlisted", unlisted.join(","))))
    );
    let every_type = FakeServer::start(lists_every_type);
    assert!(matches!(
        run_one(&every_type.address, "describe_shape"),
        Some(Outcome::Ok(_))
    ));
}

/// Rewrites requests and replies on their way between the suite and a server.
#[derive(Clone, Copy)]
struct Mutation {
    /// The check that must fail because of it.
    check: &'static str,
    request: fn(&mut Value),
    reply: fn(&Value, &mut Value),
}

fn keep_request(_: &mut Value) {}

fn keep_reply(_: &Value, _: &mut Value) {}

/// A ROUTER in front of a real server that applies a [`Mutation`]; each
/// request is forwarded on its own thread, so the proxy adds no queueing.
struct Proxy {
    address: String,
    _serving: Background,
}

impl Proxy {
    fn start(backend: &str, mutation: Mutation) -> Self {
        let address = format!("tcp://127.0.0.1:{}", free_port());
        let context = zmq::Context::new();
        let front = context.socket(zmq::ROUTER).unwrap();
        front.set_linger(0).unwrap();
        front.bind(&address).unwrap();
        let backend = backend.to_string();
        let serving = Background::spawn(move |stop| {
            let (replies, inbox) = std::sync::mpsc::channel::<Vec<Vec<u8>>>();
            while !stop.load(Ordering::Relaxed) {
                while let Ok(frames) = inbox.try_recv() {
                    let _ = front.send_multipart(frames, 0);
                }
                if front.poll(zmq::POLLIN, 10).unwrap_or(0) == 0 {
                    continue;
                }
                let Ok(mut frames) = front.recv_multipart(0) else {
                    continue;
                };
                if frames.len() < 3 {
                    continue;
                }
                let body = frames.split_off(2);
                let (context, backend, replies) =
                    (context.clone(), backend.clone(), replies.clone());
                std::thread::spawn(move || {
                    let original: Option<Value> = serde_json::from_slice(&body[0]).ok();
                    let body: Vec<Vec<u8>> = match &original {
                        Some(request) if body.len() == 1 => {
                            let mut changed = request.clone();
                            (mutation.request)(&mut changed);
                            // Unchanged requests keep their exact bytes (and size).
                            if &changed == request {
                                body
                            } else {
                                vec![changed.to_string().into_bytes()]
                            }
                        }
                        _ => body,
                    };
                    let socket = context.socket(zmq::REQ).unwrap();
                    socket.set_linger(0).unwrap();
                    socket.set_rcvtimeo(60_000).unwrap();
                    socket.connect(&backend).unwrap();
                    socket.send_multipart(body, 0).unwrap();
                    let Ok(reply) = socket.recv_bytes(0) else {
                        return;
                    };
                    let reply = match (serde_json::from_slice::<Value>(&reply), &original) {
                        (Ok(mut value), Some(request)) => {
                            (mutation.reply)(request, &mut value);
                            value.to_string().into_bytes()
                        }
                        _ => reply,
                    };
                    frames.push(reply);
                    let _ = replies.send(frames);
                });
            }
        });
        Self {
            address,
            _serving: serving,
        }
    }
}

fn is_describe(reply: &Value) -> bool {
    reply["result"].get("dialect").is_some()
}

/// Each mutation breaks one rule of the contract on the real server's
/// replies; the check of that rule must fail, while the unmutated proxy
/// passes them all.
#[test]
fn each_check_fails_when_its_rule_is_broken() {
    let mutations: Vec<Mutation> = vec![
        // A server that ignores the instance a request carries.
        Mutation {
            check: "instance_rule",
            request: |q| {
                if let Some(envelope) = q.as_object_mut() {
                    envelope.remove("instance");
                }
            },
            reply: keep_reply,
        },
        Mutation {
            check: "describe_shape",
            request: keep_request,
            reply: |_, r| {
                if is_describe(r) {
                    r["result"]["protocol"] = json!(2);
                }
            },
        },
        Mutation {
            check: "ping_shape",
            request: keep_request,
            reply: |q, r| {
                if q["type"] == "ping" {
                    r["result"]["uptime_ms"] = json!("soon");
                }
            },
        },
        Mutation {
            check: "invalid_request_missing_session",
            request: keep_request,
            reply: |_, r| {
                if let Some(error) = r["error"].as_object_mut() {
                    error.remove("field");
                }
            },
        },
        Mutation {
            check: "unsupported_version",
            request: keep_request,
            reply: |_, r| {
                if let Some(error) = r["error"].as_object_mut() {
                    error.remove("supported");
                }
            },
        },
        Mutation {
            check: "evaluate_shape",
            request: keep_request,
            reply: |_, r| {
                if let Some(result) = r["result"].as_object_mut() {
                    result.remove("truncated");
                }
            },
        },
        Mutation {
            check: "syntax_error_position",
            request: keep_request,
            reply: |_, r| {
                if let Some(line) = r["error"]["line"].as_u64() {
                    r["error"]["line"] = json!(line + 1);
                }
            },
        },
        Mutation {
            check: "evaluation_error",
            request: keep_request,
            reply: |_, r| {
                if let Some(stack) = r["error"]["stack"].as_array_mut() {
                    stack.reverse();
                }
            },
        },
        Mutation {
            check: "evaluation_error_stack_limit",
            request: keep_request,
            reply: |_, r| {
                if let Some(stack) = r["error"]["stack"].as_array_mut() {
                    let copy = stack.clone();
                    stack.extend(copy);
                }
            },
        },
        Mutation {
            check: "print_limit_truncates",
            request: |q| {
                if let Some(params) = q["params"].as_object_mut() {
                    params.remove("print_limit");
                }
            },
            reply: keep_reply,
        },
        Mutation {
            check: "session_isolation",
            request: |q| q["session"] = json!("one-shared-session"),
            reply: keep_reply,
        },
        Mutation {
            check: "workspace_variables",
            request: |q| q["session"] = json!(uuid::Uuid::new_v4().to_string()),
            reply: keep_reply,
        },
        Mutation {
            check: "evaluate_output",
            request: keep_request,
            reply: |_, r| {
                if r["result"].get("output").is_some() {
                    r["result"]["output"] = json!("");
                }
            },
        },
        Mutation {
            // A server without a reply cache executes every resend.
            check: "retry_executes_once",
            request: |q| q["id"] = json!(uuid::Uuid::new_v4().to_string()),
            reply: |q, r| r["id"] = q["id"].clone(),
        },
        Mutation {
            check: "timeout_ms",
            request: keep_request,
            reply: |_, r| {
                if r["error"]["code"] == "timeout" {
                    r["error"]["code"] = json!("evaluation_error");
                }
            },
        },
        Mutation {
            check: "too_large",
            request: keep_request,
            reply: |_, r| {
                if r["error"]["code"] == "too_large" {
                    r["error"]["code"] = json!("internal");
                }
            },
        },
        Mutation {
            // Pings wait as if queued behind the long evaluation.
            check: "concurrency",
            request: |q| {
                if q["type"] == "ping" {
                    std::thread::sleep(Duration::from_millis(700));
                }
            },
            reply: keep_reply,
        },
        Mutation {
            check: "interrupt",
            request: keep_request,
            reply: |q, r| {
                if q["type"] == "interrupt" {
                    r["result"]["interrupted"] = json!(0);
                }
            },
        },
        Mutation {
            check: "inspect_paging",
            request: keep_request,
            reply: |q, r| {
                if q["type"] == "inspect"
                    && let Some(elements) = r["result"]["elements"].as_array_mut()
                {
                    elements.truncate(4);
                }
            },
        },
        Mutation {
            check: "inspect_code_fields",
            request: keep_request,
            reply: |q, r| {
                if q["type"] == "inspect" {
                    r["result"]["fields"] = json!([]);
                }
            },
        },
        Mutation {
            check: "release",
            request: keep_request,
            reply: |q, r| {
                if q["type"] == "release" {
                    r["result"]["released"] = json!(0);
                }
            },
        },
        Mutation {
            check: "list_classes",
            request: keep_request,
            reply: |q, r| {
                if q["type"] == "list_classes"
                    && let Some(classes) = r["result"]["classes"].as_array_mut()
                {
                    classes.retain(|c| c["name"] != "OrderedCollection");
                }
            },
        },
        Mutation {
            check: "class_shape",
            request: keep_request,
            reply: |q, r| {
                if q["type"] == "class" {
                    r["result"]["methods"]["instance"] = json!([]);
                }
            },
        },
        Mutation {
            check: "class_not_found",
            request: keep_request,
            reply: |_, r| {
                if let Some(error) = r["error"].as_object_mut() {
                    error.remove("what");
                }
            },
        },
        Mutation {
            check: "method_source",
            request: keep_request,
            reply: |q, r| {
                if q["type"] == "method" {
                    r["result"]["source"] = json!(
                        "add: anObject [\n\t<category: 'adding'>\n\t^self addLast: anObject\n]"
                    );
                }
            },
        },
        Mutation {
            check: "method_not_found",
            request: keep_request,
            reply: |q, r| {
                if q["type"] == "method" && r["ok"] == false {
                    *r = json!({"stui": 1, "id": q["id"], "ok": true, "result": {
                        "class": "OrderedCollection", "selector": "x", "meta": false,
                        "protocol": null, "source": "x"}});
                }
            },
        },
        Mutation {
            check: "compile_round_trip",
            request: |q| {
                if q["type"] == "compile"
                    && let Some(params) = q["params"].as_object_mut()
                {
                    params.remove("protocol");
                }
            },
            reply: keep_reply,
        },
        Mutation {
            check: "compile_syntax_error",
            request: keep_request,
            reply: |q, r| {
                if q["type"] == "compile" && r["error"]["code"] == "syntax_error" {
                    r["error"]["code"] = json!("evaluation_error");
                }
            },
        },
        Mutation {
            check: "implementors",
            request: keep_request,
            reply: |q, r| {
                if q["type"] == "implementors"
                    && let Some(methods) = r["result"]["methods"].as_array_mut()
                {
                    methods.retain(|m| m["class"] != "OrderedCollection");
                }
            },
        },
        Mutation {
            check: "complete",
            request: keep_request,
            reply: |q, r| {
                if q["type"] == "complete"
                    && let Some(candidates) = r["result"]["candidates"].as_array_mut()
                {
                    for candidate in candidates {
                        candidate["kind"] = json!("selector");
                    }
                }
            },
        },
        Mutation {
            check: "transcript",
            request: keep_request,
            reply: |q, r| {
                if q["type"] == "transcript" {
                    r["result"]["text"] = json!("");
                }
            },
        },
        Mutation {
            check: "unknown_type",
            request: keep_request,
            reply: |_, r| {
                if r["error"]["code"] == "unknown_type" {
                    r["error"]["code"] = json!("invalid_request");
                }
            },
        },
    ];
    let server = TestServer::start();
    let options = Options {
        timeout: Duration::from_secs(10),
        ..Options::default()
    };
    let checks: Vec<&str> = mutations.iter().map(|m| m.check).collect();
    let identity = Mutation {
        check: "",
        request: keep_request,
        reply: keep_reply,
    };
    let proxy = Proxy::start(&server.address, identity);
    let mut out = Vec::new();
    let clean = run_selected(
        &proxy.address,
        &options,
        &|name| checks.contains(&name),
        &mut out,
    );
    let text = String::from_utf8_lossy(&out).to_string();
    drop(proxy);
    // The core checks pass through the unmutated proxy; the others only once
    // the server implements their types (the_real_server_conforms judges those).
    for name in checks.iter().filter(|name| CORE_CHECKS.contains(name)) {
        assert!(
            matches!(clean.outcome(name), Some(Outcome::Ok(_))),
            "{name} does not pass through the unmutated proxy:\n{text}"
        );
    }
    let mut proved = 0;
    for mutation in mutations {
        if !matches!(clean.outcome(mutation.check), Some(Outcome::Ok(_))) {
            println!("not mutated, does not pass unmutated: {}", mutation.check);
            continue;
        }
        proved += 1;
        let proxy = Proxy::start(&server.address, mutation);
        let mut out = Vec::new();
        let summary = run_selected(
            &proxy.address,
            &options,
            &|name| name == mutation.check,
            &mut out,
        );
        let text = String::from_utf8_lossy(&out).to_string();
        assert!(
            matches!(summary.outcome(mutation.check), Some(Outcome::Fail(_))),
            "{} does not notice its rule broken:\n{text}",
            mutation.check
        );
    }
    assert!(
        proved >= CORE_MUTATIONS,
        "only {proved} mutations were tried"
    );
}

/// How many of the mutations above break core checks (always tried).
const CORE_MUTATIONS: usize = 17;

/// Each debugging check, and the faults of a server that break its rule.
const DEBUG_FAULTS: &[(&str, &[Fault])] = &[
    ("debug_never", &[Fault::NeverSuspends]),
    (
        "debug_on_error_suspends",
        &[Fault::OnErrorEndsTheEvaluation, Fault::ListsNothing],
    ),
    (
        "debug_stack_shape",
        &[Fault::IndexFromOne, Fault::LimitIgnored],
    ),
    (
        "debug_stack_range",
        &[Fault::RangeInBytes, Fault::RangeExclusive],
    ),
    (
        "debug_close_runs_ensure",
        &[Fault::CloseSkipsEnsure, Fault::CloseKeepsDebugger],
    ),
    (
        "debug_unknown_debugger",
        &[Fault::UnknownIsInvalid, Fault::SessionsShareDebuggers],
    ),
    (
        "debug_max_debuggers",
        &[Fault::KeepsTheOldest, Fault::FewDebuggers],
    ),
    ("debug_interrupt_closes", &[Fault::InterruptKeeps]),
    ("debug_suspended_not_timed", &[Fault::SuspendedTimesOut]),
    ("debug_start", &[Fault::StartRunsFirstStatement]),
    ("debug_halt", &[Fault::HaltIsAnError]),
    ("debug_halt_each_time", &[Fault::ProceedSkipsHalts]),
    ("debug_step_over", &[Fault::OverNeverFinishes]),
    ("debug_step_into", &[Fault::IntoActsAsOver]),
    ("debug_step_out", &[Fault::OutStaysIn]),
    ("debug_restart", &[Fault::RestartContinues]),
    (
        "debug_restart_after_compile",
        &[Fault::RestartRunsOldMethod],
    ),
    (
        "debug_frame_variables",
        &[Fault::NoTemporaries, Fault::HandlesUnknown],
    ),
    ("debug_evaluate_in_frame", &[Fault::AssignmentLost]),
    (
        "debug_method_frame",
        &[Fault::MethodVariablesMissing, Fault::ReceiverNotSelf],
    ),
    (
        "debug_evaluate_seen_on_resume",
        &[Fault::ResumeForgetsAssignment],
    ),
];

/// Every debugging check passes against a fake server that keeps the
/// Debugging section, and fails against each fake that breaks its rule.
#[test]
fn each_debugging_check_passes_when_its_rule_is_kept_and_fails_when_broken() {
    let debugging: Vec<&str> = check_names()
        .into_iter()
        .filter(|name| name.starts_with("debug_"))
        .collect();
    let tried: Vec<&str> = DEBUG_FAULTS.iter().map(|(check, _)| *check).collect();
    assert_eq!(debugging, tried, "every debugging check has its faults");
    let keeps = fake_debugger::start(Fault::None);
    for (check, faults) in DEBUG_FAULTS {
        let outcome = run_one(&keeps.address, check);
        assert!(
            matches!(outcome, Some(Outcome::Ok(_))),
            "{check} against a server that keeps its rule: {outcome:?}"
        );
        for fault in *faults {
            let breaks = fake_debugger::start(*fault);
            let outcome = run_one(&breaks.address, check);
            println!("{check} with {fault:?}: {outcome:?}");
            assert!(
                matches!(outcome, Some(Outcome::Fail(_))),
                "{check} against a server with {fault:?}: {outcome:?}"
            );
        }
    }
}

/// The security checks a CURVE server on loopback must pass (the third,
/// security_curve_beyond_loopback, has nothing to check on loopback).
const SECURITY_CHECKS: &[&str] = &["security_plaintext_refused", "security_unknown_key_refused"];

/// The suite's keys for `server_public`, as `client` (a key pair).
fn suite_keys(server_public: &str, client: &Keys) -> CurveKeys {
    let pair = KeyPair {
        public: client.public.clone(),
        secret: client.secret.clone(),
    };
    CurveKeys::new(server_public, &pair).unwrap()
}

/// Over CURVE the whole contract holds as in plaintext, and the server
/// refuses a plaintext client and a key it does not know.
#[test]
fn the_real_server_with_curve_conforms_over_curve() {
    let suite = Keys::generate();
    let server = CurveServer::start(&[authorized_line(&suite, "full", "conformance")], &[]);
    let mut out = Vec::new();
    let options = Options {
        timeout: Duration::from_secs(10),
        curve: Some(suite_keys(&server.keys.public, &suite)),
    };
    let summary = run_with(&server.address, &options, &mut out);
    let text = String::from_utf8(out).unwrap();
    assert_eq!(summary.failed, 0, "{text}");
    for name in CORE_CHECKS
        .iter()
        .chain(DEBUG_CHECKS_SERVED)
        .chain(SECURITY_CHECKS)
    {
        assert!(
            matches!(summary.outcome(name), Some(Outcome::Ok(_))),
            "{name} did not pass over CURVE: {:?}\n{text}",
            summary.outcome(name)
        );
    }
}

/// Answers ping (and anything else) with an empty success.
fn pong(body: &[u8]) -> Option<Value> {
    let request: Value = serde_json::from_slice(body).ok()?;
    Some(json!({"stui": 1, "id": request["id"], "ok": true,
        "result": {"uptime_ms": 1, "instance": "fake"}}))
}

/// A non-loopback address of this machine, if it has one (found by
/// routing, with no packet sent).
fn lan_address() -> Option<std::net::IpAddr> {
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    socket.connect("192.0.2.1:9").ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

#[test]
fn each_security_check_fails_when_its_rule_is_broken() {
    let some_client = Keys::generate();
    // A server that answers plaintext although the suite pins a key for it.
    let plaintext = FakeServer::start(pong);
    let pinned = suite_keys(&Keys::generate().public, &some_client);
    let outcome = run_one_with(
        &plaintext.address,
        "security_plaintext_refused",
        Some(pinned),
    );
    assert!(matches!(outcome, Some(Outcome::Fail(_))), "{outcome:?}");

    // A CURVE server with no ZAP handler: it lets every key in.
    let server_keys = zmq::CurveKeyPair::new().unwrap();
    let open = FakeServer::start_on("127.0.0.1", Some(server_keys.secret_key), pong);
    let public = zmq::z85_encode(&server_keys.public_key).unwrap();
    let curve = suite_keys(&public, &some_client);
    let outcome = run_one_with(&open.address, "security_unknown_key_refused", Some(curve));
    assert!(matches!(outcome, Some(Outcome::Fail(_))), "{outcome:?}");

    // Plaintext beyond loopback: reached through this machine's LAN address.
    let Some(ip) = lan_address() else {
        eprintln!("no address beyond loopback here: the last rule is checked where there is one");
        return;
    };
    let lan = FakeServer::start_on("0.0.0.0", None, lists_every_type);
    let port = lan.address.rsplit(':').next().unwrap();
    let outcome = run_one(
        &format!("tcp://{ip}:{port}"),
        "security_curve_beyond_loopback",
    );
    assert!(matches!(outcome, Some(Outcome::Fail(_))), "{outcome:?}");
}
