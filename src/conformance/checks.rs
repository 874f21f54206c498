//! The checks, one per rule of the contract, and their registry.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::{
    Check, Kind, Probe, Verdict, Why, brief, error_with_code, millis, new_id, new_session,
    poll_until, require_members, success, typed, unique_suffix,
};
use crate::protocol::{
    ClassResult, CompileResult, CompleteResult, DescribeResult, EvaluateResult, InspectResult,
    InterruptResult, ListClassesResult, MethodResult, MethodsResult, PingResult, ReleaseResult,
    RequestBody, TranscriptResult, registry,
};

/// Largest request the suite sends to provoke `too_large`.
const MAX_TOO_LARGE_PROBE: u64 = 64 * 1024 * 1024;

/// ping, describe and evaluate are the core every server has: their checks
/// always run. The others need their type in `describe.types`.
pub(super) const REGISTRY: &[Check] = &[
    check("describe_shape", &[], describe_shape),
    check("ping_shape", &[], ping_shape),
    check("envelope_echo", &[], envelope_echo),
    check("unknown_members_ignored", &[], unknown_members_ignored),
    check("invalid_request_not_json", &[], invalid_not_json),
    check("invalid_request_not_object", &[], invalid_not_object),
    check("invalid_request_missing_id", &[], missing_id),
    check("invalid_request_missing_session", &[], missing_session),
    check("invalid_request_missing_type", &[], missing_type),
    check("invalid_request_wrong_json_types", &[], wrong_json_types),
    check("invalid_request_invalid_utf8", &[], invalid_utf8),
    check("unsupported_version", &[], unsupported_version),
    check("unknown_type", &[], unknown_type),
    check(
        "unlisted_types_are_unknown",
        &[],
        unlisted_types_are_unknown,
    ),
    check("too_large", &[], too_large),
    check("serves_after_garbage", &[], serves_after_garbage),
    check("evaluate_shape", &[], evaluate_shape),
    check("syntax_error_position", &[], syntax_error_position),
    check("evaluation_error", &[], evaluation_error),
    check("evaluation_error_stack_limit", &[], stack_limit),
    check("print_limit_truncates", &[], print_limit),
    check("workspace_variables", &[], workspace_variables),
    check("session_isolation", &[], session_isolation),
    check("undeclared_variables", &[], undeclared_variables),
    check("evaluate_output", &[], evaluate_output),
    check("retry_executes_once", &[], retry_executes_once),
    check("retry_while_running", &[], retry_while_running),
    check("instance_rule", &[], instance_rule),
    check("timeout_ms", &[], timeout_ms),
    check("concurrency", &["interrupt"], concurrency),
    check("interrupt", &["interrupt"], interrupt),
    check("inspect_paging", &["inspect"], inspect_paging),
    check("inspect_code_fields", &["inspect"], inspect_code_fields),
    check("release", &["release"], release),
    check("list_classes", &["list_classes"], list_classes),
    check("class_shape", &["class"], class_shape),
    check("class_not_found", &["class"], class_not_found),
    check("method_source", &["method"], method_source),
    check("method_not_found", &["method"], method_not_found),
    check(
        "compile_round_trip",
        &["compile", "method"],
        compile_round_trip,
    ),
    check("compile_syntax_error", &["compile"], compile_syntax_error),
    check("senders", &["senders"], senders),
    check("implementors", &["implementors"], implementors),
    check("complete", &["complete"], complete),
    check("transcript", &["transcript"], transcript),
];

pub(super) const fn check(
    name: &'static str,
    requires: &'static [&'static str],
    run: fn(&Probe) -> Verdict,
) -> Check {
    Check {
        name,
        requires,
        run,
    }
}

pub(super) fn ensure(condition: bool, why: impl FnOnce() -> String) -> Result<(), String> {
    if condition { Ok(()) } else { Err(why()) }
}

// ---- describe, ping, envelope --------------------------------------------

fn describe_shape(probe: &Probe) -> Verdict {
    let result = probe.call("describe", json!({}))?;
    require_members(
        &result,
        &[
            ("server", Kind::String),
            ("dialect", Kind::String),
            ("dialect_version", Kind::String),
            ("protocol", Kind::Unsigned),
            ("types", Kind::Array),
            ("max_message_bytes", Kind::Unsigned),
            ("pid", Kind::Unsigned),
            ("image", Kind::StringOrNull),
            ("uptime_ms", Kind::Unsigned),
        ],
    )?;
    let describe: DescribeResult = typed(result)?;
    ensure(describe.protocol == 1, || {
        format!("protocol is {}, expected 1", describe.protocol)
    })?;
    for kind in ["ping", "describe", "evaluate"] {
        ensure(describe.types.iter().any(|t| t == kind), || {
            format!("types {:?} lacks {kind}", describe.types)
        })?;
    }
    // This implementation's own types are known too; anything else is odd.
    if let Some(odd) = describe
        .types
        .iter()
        .find(|t| registry::type_info(t).is_none())
    {
        return Err(format!("types lists {odd:?}, not a type of the protocol").into());
    }
    ensure(describe.max_message_bytes > 0, || {
        "max_message_bytes is 0".into()
    })?;
    ensure(describe.pid > 0, || "pid is 0".into())?;
    Ok(format!(
        "{} / {} {}, types {}",
        describe.server,
        describe.dialect,
        describe.dialect_version,
        describe.types.join(",")
    ))
}

fn ping_shape(probe: &Probe) -> Verdict {
    let session = new_session();
    let first: PingResult = typed(probe.call_in(&session, "ping", json!({}))?)?;
    std::thread::sleep(Duration::from_millis(30));
    let second: PingResult = typed(probe.call_in(&session, "ping", json!({}))?)?;
    ensure(second.uptime_ms >= first.uptime_ms, || {
        format!(
            "uptime_ms went backwards: {} then {}",
            first.uptime_ms, second.uptime_ms
        )
    })?;
    Ok(format!("uptime {} ms", second.uptime_ms))
}

fn envelope_echo(probe: &Probe) -> Verdict {
    // send_envelope checks stui and the id echo on every reply; here a
    // success, an error after the envelope was read, and ids of several forms.
    let session = new_session();
    for id in [
        new_id(),
        "1".to_string(),
        "x".repeat(128),
        "ünï-cødé ✓".into(),
    ] {
        let envelope = json!({"stui": 1, "id": id, "session": session, "type": "ping",
                              "params": {}});
        let reply = probe.send_envelope(&envelope)?;
        success(reply)?;
    }
    let envelope = json!({"stui": 1, "id": new_id(), "session": session,
                          "type": "stui_no_such_type", "params": {}});
    let reply = probe.send_envelope(&envelope)?;
    error_with_code(&reply, "unknown_type")?;
    Ok(String::new())
}

fn unknown_members_ignored(probe: &Probe) -> Verdict {
    let mut envelope = probe.envelope(&new_session(), "ping", json!({"x_future": [1, 2]}));
    envelope["x_future_member"] = json!({"nested": true});
    typed::<PingResult>(success(probe.send_envelope(&envelope)?)?)?;
    Ok(String::new())
}

// ---- invalid requests --------------------------------------------------------

fn expect_invalid(probe: &Probe, frame: &[u8], field: Option<&str>) -> Result<Value, String> {
    let reply = probe.raw(frame)?;
    let error = error_with_code(&reply, "invalid_request")?;
    if let Some(field) = field {
        let named = error["field"].as_str().unwrap_or_default();
        let accepted = named == field
            || field
                .strip_prefix("params.")
                .is_some_and(|member| named == member);
        ensure(accepted, || {
            format!("error.field is {}, expected {field:?}", error["field"])
        })?;
    }
    Ok(reply)
}

/// A reply to a request whose id could not be read cannot name one.
fn expect_null_id(reply: Value) -> Result<(), String> {
    ensure(reply["id"].is_null(), || {
        format!("reply id is {}, expected null", reply["id"])
    })
}

fn invalid_not_json(probe: &Probe) -> Verdict {
    for frame in [&b"this is not JSON"[..], b"{\"stui\": 1,", b""] {
        expect_invalid(probe, frame, None)
            .and_then(expect_null_id)
            .map_err(|why| format!("frame {:?}: {why}", String::from_utf8_lossy(frame)))?;
    }
    Ok(String::new())
}

fn invalid_not_object(probe: &Probe) -> Verdict {
    for frame in [&b"[1, 2, 3]"[..], b"\"ping\"", b"42", b"null"] {
        expect_invalid(probe, frame, None)
            .and_then(expect_null_id)
            .map_err(|why| format!("frame {}: {why}", String::from_utf8_lossy(frame)))?;
    }
    Ok(String::new())
}

fn without(member: &str) -> Vec<u8> {
    let mut envelope = json!({"stui": 1, "id": new_id(), "session": new_session(),
                              "type": "ping", "params": {}});
    envelope.as_object_mut().unwrap().remove(member);
    envelope.to_string().into_bytes()
}

fn missing_id(probe: &Probe) -> Verdict {
    expect_invalid(probe, &without("id"), Some("id")).and_then(expect_null_id)?;
    Ok(String::new())
}

fn missing_session(probe: &Probe) -> Verdict {
    expect_invalid(probe, &without("session"), Some("session"))?;
    Ok(String::new())
}

fn missing_type(probe: &Probe) -> Verdict {
    expect_invalid(probe, &without("type"), Some("type"))?;
    Ok(String::new())
}

fn wrong_json_types(probe: &Probe) -> Verdict {
    let base = || {
        json!({"stui": 1, "id": new_id(), "session": new_session(), "type": "evaluate",
               "params": {"code": "3 + 4"}})
    };
    type Spoil = fn(&mut Value);
    let cases: [(&str, Spoil); 7] = [
        ("id", |e| e["id"] = json!(17)),
        ("session", |e| e["session"] = json!(["s"])),
        ("type", |e| e["type"] = json!(3)),
        ("stui", |e| e["stui"] = json!("1")),
        ("params", |e| e["params"] = json!("code")),
        ("params.code", |e| e["params"]["code"] = json!(34)),
        ("params.timeout_ms", |e| {
            e["params"]["timeout_ms"] = json!("soon")
        }),
    ];
    for (field, spoil) in cases {
        let mut envelope = base();
        spoil(&mut envelope);
        expect_invalid(probe, envelope.to_string().as_bytes(), Some(field))
            .map_err(|why| format!("{field} of a wrong type: {why}"))?;
    }
    Ok(String::new())
}

fn invalid_utf8(probe: &Probe) -> Verdict {
    let mut frame = br#"{"stui": 1, "id": "a"#.to_vec();
    frame.extend_from_slice(&[0xff, 0xfe, 0xc3]);
    frame.extend_from_slice(br#"", "session": "s", "type": "ping", "params": {}}"#);
    expect_invalid(probe, &frame, None)?;
    Ok(String::new())
}

fn unsupported_version(probe: &Probe) -> Verdict {
    let mut envelope = probe.envelope(&new_session(), "ping", json!({}));
    envelope["stui"] = json!(2);
    let reply = probe.raw(envelope.to_string().as_bytes())?;
    let error = error_with_code(&reply, "unsupported_version")?;
    let supported = error["supported"]
        .as_array()
        .ok_or_else(|| format!("error.supported is not a list: {}", brief(&error)))?;
    ensure(supported.contains(&json!(1)), || {
        format!("error.supported {} lacks 1", error["supported"])
    })?;
    Ok(String::new())
}

fn unknown_type(probe: &Probe) -> Verdict {
    probe.expect_error(
        &new_session(),
        "stui_no_such_type",
        json!({}),
        "unknown_type",
    )?;
    Ok(String::new())
}

fn unlisted_types_are_unknown(probe: &Probe) -> Verdict {
    let Some(describe) = &probe.describe else {
        return Err("describe did not answer a readable result".into());
    };
    // The registry's example of each contract type the server does not list.
    let unlisted: Vec<(&str, Value)> = RequestBody::examples()
        .into_iter()
        .filter(|example| example.info().origin == registry::Origin::Contract)
        .filter(|example| !describe.types.iter().any(|t| t == example.type_name()))
        .map(|example| (example.type_name(), params_of(&example)))
        .collect();
    for (kind, params) in &unlisted {
        probe
            .expect_error(&new_session(), kind, params.clone(), "unknown_type")
            .map_err(|why| format!("{kind} (not in describe.types): {why}"))?;
    }
    Ok(if unlisted.is_empty() {
        "every type is listed".into()
    } else {
        let kinds: Vec<&str> = unlisted.iter().map(|(kind, _)| *kind).collect();
        format!("{} unlisted", kinds.join(","))
    })
}

/// A request's params as they go on the wire.
fn params_of(body: &RequestBody) -> Value {
    let mut wire = serde_json::to_value(body).expect("a request always serialises");
    wire["params"].take()
}

fn too_large(probe: &Probe) -> Verdict {
    let Some(describe) = &probe.describe else {
        return Err("describe did not answer a readable result".into());
    };
    let limit = describe.max_message_bytes;
    if limit >= MAX_TOO_LARGE_PROBE {
        return Err(Why::Skip(format!(
            "max_message_bytes {limit} is over {MAX_TOO_LARGE_PROBE}"
        )));
    }
    let head = format!(
        r#"{{"stui": 1, "id": "{}", "session": "{}", "type": "evaluate", "params": {{"code": "'"#,
        new_id(),
        new_session()
    );
    let tail = r#"' size"}}"#;
    let size = limit as usize + 1;
    let mut frame = Vec::with_capacity(size);
    frame.extend_from_slice(head.as_bytes());
    frame.resize(size.saturating_sub(tail.len()).max(frame.len()), b'a');
    frame.extend_from_slice(tail.as_bytes());
    let socket = probe.socket()?;
    probe.send_frames(&socket, &[&frame])?;
    let reply = probe.receive(&socket, probe.timeout * 4)?;
    error_with_code(&reply, "too_large")?;
    // The server stays up.
    typed::<PingResult>(probe.call("ping", json!({}))?)
        .map_err(|why| format!("after too_large: {why}"))?;
    Ok(format!("{} bytes refused", frame.len()))
}

fn serves_after_garbage(probe: &Probe) -> Verdict {
    let garbage: [&[&[u8]]; 6] = [
        &[b"\x00\x01\x02\x03"],
        &[b"{\"stui\": 1, \"id\": \"a\", \"session\": \"s\", \"type\": \"ping\""],
        &[b"{}", b"second frame"],
        &[b"", b"", b""],
        &[&[0xc0, 0xaf, 0xed, 0xa0, 0x80]],
        &[b"{\"stui\": 1, \"id\": {}, \"session\": [], \"type\": null, \"params\": 3}"],
    ];
    for frames in garbage {
        let socket = probe.socket()?;
        probe.send_frames(&socket, frames)?;
        // Any reply or none: what matters is the ping afterwards.
        let _ = probe.receive_bytes(&socket, Duration::from_millis(500));
    }
    // A socket that sends and disappears before reading its reply.
    {
        let socket = probe.socket()?;
        probe.send_frames(&socket, &[b"{\"stui\": 1"])?;
    }
    let started = Instant::now();
    typed::<PingResult>(probe.call("ping", json!({}))?)
        .map_err(|why| format!("ping after garbage: {why}"))?;
    Ok(format!(
        "ping after garbage in {}",
        millis(started.elapsed())
    ))
}

// ---- evaluate ------------------------------------------------------------------

fn evaluate_shape(probe: &Probe) -> Verdict {
    let result = probe.call("evaluate", json!({"code": "3 + 4"}))?;
    require_members(
        &result,
        &[
            ("print", Kind::String),
            ("class", Kind::String),
            ("truncated", Kind::Bool),
            ("handle", Kind::String),
            ("output", Kind::String),
            ("duration_us", Kind::Unsigned),
        ],
    )?;
    let value: EvaluateResult = typed(result)?;
    ensure(value.print == "7", || {
        format!("3 + 4 printed {:?}", value.print)
    })?;
    ensure(value.class == "SmallInteger", || {
        format!("3 + 4 has class {:?}", value.class)
    })?;
    ensure(!value.truncated, || "7 came back truncated".into())?;
    ensure(!value.handle.is_empty(), || "handle is empty".into())?;
    let text: EvaluateResult = typed(probe.call("evaluate", json!({"code": "'abc' reverse"}))?)?;
    ensure(text.print == "'cba'", || {
        format!("'abc' reverse printed {:?}", text.print)
    })?;
    Ok(String::new())
}

fn syntax_error_position(probe: &Probe) -> Verdict {
    let code = "| a |\na := 3 + 4.\na := a + ) 2.\na";
    let error = probe.expect_error(
        &new_session(),
        "evaluate",
        json!({"code": code}),
        "syntax_error",
    )?;
    let line = error["line"]
        .as_u64()
        .ok_or_else(|| format!("error.line is not a positive integer: {}", brief(&error)))?;
    let column = error["column"]
        .as_u64()
        .ok_or_else(|| format!("error.column is not a positive integer: {}", brief(&error)))?;
    ensure(line == 3, || {
        format!(
            "error at line {line}, expected 3 (1-based): {}",
            brief(&error)
        )
    })?;
    // `)` is column 10 of line 3; a parser may report the token before or after it.
    ensure((5..=13).contains(&column), || {
        format!(
            "error at column {column}, expected about 10 (1-based): {}",
            brief(&error)
        )
    })?;
    let first = probe.expect_error(
        &new_session(),
        "evaluate",
        json!({"code": ") 3"}),
        "syntax_error",
    )?;
    ensure(
        first["line"] == json!(1) && first["column"].as_u64().is_some_and(|c| c >= 1),
        || {
            format!(
                "`) 3` gave {}: expected line 1 and a column ≥ 1",
                brief(&first)
            )
        },
    )?;
    Ok(format!("line {line} column {column}"))
}

pub(super) fn check_stack(error: &Value) -> Result<Vec<String>, String> {
    let stack = error["stack"]
        .as_array()
        .ok_or_else(|| format!("error.stack is not a list: {}", brief(error)))?;
    let frames: Vec<String> = stack
        .iter()
        .map(|frame| frame.as_str().map(str::to_string))
        .collect::<Option<_>>()
        .ok_or_else(|| format!("error.stack has a non-string frame: {}", brief(error)))?;
    ensure(!frames.is_empty(), || "error.stack is empty".into())?;
    ensure(frames.len() <= 50, || {
        format!(
            "error.stack has {} frames, at most 50 allowed",
            frames.len()
        )
    })?;
    Ok(frames)
}

/// Index of the first frame of the division `x / 0`.
fn division_frame(frames: &[String]) -> Option<usize> {
    frames
        .iter()
        .position(|f| f.to_lowercase().contains("zerodivide") || f.contains(">>/"))
}

fn evaluation_error(probe: &Probe) -> Verdict {
    let error = probe.expect_error(
        &new_session(),
        "evaluate",
        json!({"code": "3 + 4.\n#(1 2 3) collect: [:each | each / 0]"}),
        "evaluation_error",
    )?;
    let class = error["class"]
        .as_str()
        .ok_or_else(|| format!("error.class is not a string: {}", brief(&error)))?;
    ensure(class.ends_with("ZeroDivide"), || {
        format!("x / 0 signalled {class:?}, expected ZeroDivide")
    })?;
    let frames = check_stack(&error)?;
    // Innermost first: the division, then collect:, then the workspace code.
    let Some(division) = division_frame(&frames) else {
        return Err(format!("no frame of the division in {frames:?}").into());
    };
    ensure(division < 3, || {
        format!("the division is frame {division}, not among the innermost: {frames:?}")
    })?;
    let collect = frames.iter().position(|f| f.contains("collect:"));
    ensure(collect.is_some_and(|collect| collect > division), || {
        format!("collect: does not come after the division (innermost first): {frames:?}")
    })?;
    let message = error["message"].as_str().unwrap_or_default();
    ensure(!message.is_empty() && message.lines().count() < 5, || {
        format!("message is empty or looks like a stack dump: {message:?}")
    })?;
    Ok(format!("{class}, {} frames", frames.len()))
}

fn stack_limit(probe: &Probe) -> Verdict {
    let code = "| b |\nb := nil.\nb := [:n | n = 0 ifTrue: [1 / 0] ifFalse: [b value: n - 1]].\nb value: 300";
    let error = probe.expect_error(
        &new_session(),
        "evaluate",
        json!({"code": code}),
        "evaluation_error",
    )?;
    let frames = check_stack(&error)?;
    ensure(division_frame(&frames).is_some_and(|at| at < 3), || {
        format!("the innermost frames do not show the division: {frames:?}")
    })?;
    Ok(format!("{} frames of a 300-deep recursion", frames.len()))
}

fn print_limit(probe: &Probe) -> Verdict {
    let code = "String new: 1000 withAll: $a";
    let cut: EvaluateResult =
        typed(probe.call("evaluate", json!({"code": code, "print_limit": 20}))?)?;
    ensure(cut.truncated, || {
        "truncated is false for a 1002-char print".into()
    })?;
    ensure(cut.print.chars().count() <= 20 + 3, || {
        format!(
            "print has {} chars with print_limit 20",
            cut.print.chars().count()
        )
    })?;
    ensure(cut.print.starts_with("'aaa"), || {
        format!(
            "truncated print {:?} is not the start of the print",
            cut.print
        )
    })?;
    let whole: EvaluateResult =
        typed(probe.call("evaluate", json!({"code": code, "print_limit": 5000}))?)?;
    ensure(!whole.truncated && whole.print.len() == 1002, || {
        format!(
            "print_limit 5000: truncated {} with {} chars",
            whole.truncated,
            whole.print.len()
        )
    })?;
    Ok(String::new())
}

fn workspace_variables(probe: &Probe) -> Verdict {
    let session = new_session();
    probe.evaluate(&session, "x := 3 + 4.")?;
    let value = probe.evaluate(&session, "x * 2")?;
    ensure(value.print == "14", || {
        format!("x * 2 after x := 3 + 4. printed {:?}", value.print)
    })?;
    Ok(String::new())
}

fn session_isolation(probe: &Probe) -> Verdict {
    let mine = new_session();
    probe.evaluate(&mine, "stuiIsolated := 7321.")?;
    let other = probe.request(&new_session(), "evaluate", json!({"code": "stuiIsolated"}))?;
    if other["ok"] == json!(true) {
        ensure(other["result"]["print"] != json!("7321"), || {
            "another session sees stuiIsolated = 7321".into()
        })?;
    }
    let again = probe.evaluate(&mine, "stuiIsolated")?;
    ensure(again.print == "7321", || {
        format!("the defining session lost its variable: {:?}", again.print)
    })?;
    Ok(String::new())
}

fn undeclared_variables(probe: &Probe) -> Verdict {
    let session = new_session();
    let value = probe.evaluate(&session, "stuiNeverDeclared isNil")?;
    ensure(value.print == "true", || {
        format!("an undeclared variable isNil printed {:?}", value.print)
    })?;
    let value = probe.evaluate(&session, "stuiAlsoNew := 5. stuiAlsoNew + 1")?;
    ensure(value.print == "6", || {
        format!("assigning an undeclared variable gave {:?}", value.print)
    })?;
    Ok(String::new())
}

fn evaluate_output(probe: &Probe) -> Verdict {
    let marker = format!("stui-out-{}", unique_suffix());
    let value = probe.evaluate(
        &new_session(),
        &format!("Transcript show: '{marker}'; cr. 42"),
    )?;
    ensure(value.output.contains(&marker), || {
        format!("output {:?} lacks the Transcript text", value.output)
    })?;
    ensure(value.print == "42", || format!("printed {:?}", value.print))?;
    let quiet = probe.evaluate(&new_session(), "3 + 4")?;
    ensure(!quiet.output.contains(&marker), || {
        "a later evaluation repeats the earlier output".into()
    })?;
    Ok(String::new())
}

fn retry_executes_once(probe: &Probe) -> Verdict {
    let session = new_session();
    let counter = format!("StuiConformanceCounter{}", unique_suffix());
    probe.evaluate(&session, &format!("Smalltalk at: #{counter} put: 0. 0"))?;
    let code = format!(
        "Smalltalk at: #{counter} put: (Smalltalk at: #{counter}) + 1. Smalltalk at: #{counter}"
    );
    let envelope = probe.envelope(&session, "evaluate", json!({"code": code}));
    let first = probe.send_envelope(&envelope)?;
    let first_value: EvaluateResult = typed(success(first.clone())?)?;
    ensure(first_value.print == "1", || {
        format!("the counter is {:?} after one run", first_value.print)
    })?;
    // The resend, on a new socket as a Lazy Pirate client does.
    let second = probe.send_envelope(&envelope)?;
    ensure(second == first, || {
        format!(
            "the resend got a different reply: {} then {}",
            brief(&first),
            brief(&second)
        )
    })?;
    // Even with different content, the id decides.
    let mut changed = envelope.clone();
    changed["params"]["code"] = json!("999");
    let third = probe.send_envelope(&changed)?;
    ensure(third == first, || {
        format!(
            "a resent id with other code was executed: {}",
            brief(&third)
        )
    })?;
    let count = probe.evaluate(&session, &format!("Smalltalk at: #{counter}"))?;
    let _ = probe.evaluate(&session, &format!("Smalltalk removeKey: #{counter}. nil"));
    ensure(count.print == "1", || {
        format!(
            "the counter is {} after a request and two resends",
            count.print
        )
    })?;
    // Error replies are cached too.
    let failing = probe.envelope(&session, "evaluate", json!({"code": "1 / 0"}));
    let error = probe.send_envelope(&failing)?;
    let resent = probe.send_envelope(&failing)?;
    ensure(resent == error, || {
        "a resent failing request got a different reply".into()
    })?;
    Ok(String::new())
}

/// ping and describe name the same non-empty instance; a request carrying
/// another instance gets `server_restarted` (with the server's own) and runs
/// nothing; one carrying the right instance runs.
fn instance_rule(probe: &Probe) -> Verdict {
    let session = new_session();
    let ping: PingResult = typed(probe.call_in(&session, "ping", json!({}))?)?;
    let describe: DescribeResult = typed(probe.call_in(&session, "describe", json!({}))?)?;
    let instance = ping
        .process
        .instance
        .filter(|instance| !instance.is_empty())
        .ok_or("ping answered no instance (a non-empty string)")?;
    ensure(
        describe.process.instance.as_deref() == Some(instance.as_str()),
        || {
            format!(
                "describe's instance {:?} is not ping's {instance:?}",
                describe.process.instance
            )
        },
    )?;
    let global = format!("StuiConformanceProbe{}", unique_suffix());
    let code = format!("Smalltalk at: #{global} put: 1. 1");
    let mut foreign = probe.envelope(&session, "evaluate", json!({"code": code}));
    foreign["instance"] = json!(format!("{instance}-another-process"));
    let error = error_with_code(&probe.send_envelope(&foreign)?, "server_restarted")?;
    ensure(error["instance"] == json!(instance), || {
        format!("server_restarted names instance {}", error["instance"])
    })?;
    let ran = probe.evaluate(&session, &format!("Smalltalk includesKey: #{global}"))?;
    ensure(ran.print == "false", || {
        "the request with another instance was executed".into()
    })?;
    let mut right = probe.envelope(&session, "evaluate", json!({"code": code}));
    right["instance"] = json!(instance);
    let value: EvaluateResult = typed(success(probe.send_envelope(&right)?)?)?;
    let _ = probe.evaluate(&session, &format!("Smalltalk removeKey: #{global}. nil"));
    ensure(value.print == "1", || {
        format!("with the right instance it printed {:?}", value.print)
    })?;
    Ok(format!("instance {instance:?}"))
}

/// A resend that arrives while the original still runs waits for it and
/// gets the same reply; the code runs once.
fn retry_while_running(probe: &Probe) -> Verdict {
    let session = new_session();
    let counter = format!("StuiConformanceCounter{}", unique_suffix());
    probe.evaluate(&session, &format!("Smalltalk at: #{counter} put: 0. 0"))?;
    let code = format!(
        "(Delay forMilliseconds: 800) wait.\n\
         Smalltalk at: #{counter} put: (Smalltalk at: #{counter}) + 1.\n\
         Smalltalk at: #{counter}"
    );
    let envelope = probe.envelope(
        &session,
        "evaluate",
        json!({"code": code, "timeout_ms": 10_000}),
    );
    let bytes = envelope.to_string();
    let first = probe.socket()?;
    probe.send_frames(&first, &[bytes.as_bytes()])?;
    std::thread::sleep(Duration::from_millis(200));
    // The client gave up on its first socket and resends on a new one.
    let second = probe.socket()?;
    probe.send_frames(&second, &[bytes.as_bytes()])?;
    let wait = probe.timeout + Duration::from_secs(10);
    let resent = probe
        .receive(&second, wait)
        .map_err(|why| format!("the resend: {why}"))?;
    let original = probe
        .receive(&first, wait)
        .map_err(|why| format!("the original: {why}"))?;
    super::check_echo(&envelope, &resent)?;
    let value: EvaluateResult = typed(success(resent.clone())?)?;
    ensure(original == resent, || {
        format!(
            "the resend got another reply than the original: {} vs {}",
            brief(&resent),
            brief(&original)
        )
    })?;
    let count = probe.evaluate(&session, &format!("Smalltalk at: #{counter}"))?;
    let _ = probe.evaluate(&session, &format!("Smalltalk removeKey: #{counter}. nil"));
    ensure(value.print == "1" && count.print == "1", || {
        format!(
            "the counter is {} (reply said {}) after a request resent while running",
            count.print, value.print
        )
    })?;
    Ok(String::new())
}

fn timeout_ms(probe: &Probe) -> Verdict {
    let started = Instant::now();
    let error = probe.expect_error(
        &new_session(),
        "evaluate",
        json!({"code": "[true] whileTrue", "timeout_ms": 500}),
        "timeout",
    )?;
    let took = started.elapsed();
    ensure(took < Duration::from_millis(500) + probe.timeout, || {
        format!("timeout came after {}", millis(took))
    })?;
    let _ = error;
    // The server serves again.
    typed::<PingResult>(probe.call("ping", json!({}))?)
        .map_err(|why| format!("ping after timeout: {why}"))?;
    Ok(format!("timed out after {}", millis(took)))
}

// ---- concurrency and interrupt ---------------------------------------------------

/// An endless evaluation running on its own socket.
struct Loop {
    socket: zmq::Socket,
    session: String,
    id: String,
}

const LOOP_TIMEOUT_MS: u64 = 15_000;

fn start_loop(probe: &Probe) -> Result<Loop, String> {
    let session = new_session();
    let envelope = probe.envelope(
        &session,
        "evaluate",
        json!({"code": "[true] whileTrue", "timeout_ms": LOOP_TIMEOUT_MS}),
    );
    let socket = probe.socket()?;
    probe.send_frames(&socket, &[envelope.to_string().as_bytes()])?;
    // Let the evaluation start.
    std::thread::sleep(Duration::from_millis(300));
    Ok(Loop {
        socket,
        session,
        id: envelope["id"].as_str().unwrap_or_default().to_string(),
    })
}

/// Interrupts `running` (by target or the whole session) and checks its reply.
fn stop_loop(probe: &Probe, running: &Loop, by_target: bool) -> Result<u64, String> {
    let params = if by_target {
        json!({"target": running.id})
    } else {
        json!({})
    };
    let result: InterruptResult = match probe
        .call_in(&running.session, "interrupt", params)
        .and_then(typed)
    {
        Ok(result) => result,
        Err(why) => {
            // Let the loop reach its own timeout so later checks find the
            // server free again.
            let _ = probe.receive_bytes(
                &running.socket,
                Duration::from_millis(LOOP_TIMEOUT_MS) + probe.timeout,
            );
            return Err(why);
        }
    };
    let reply = probe
        .receive(&running.socket, probe.timeout)
        .map_err(|why| format!("the interrupted request: {why}"))?;
    ensure(reply["id"] == json!(running.id), || {
        format!("the interrupted request's reply has id {}", reply["id"])
    })?;
    error_with_code(&reply, "interrupted")
        .map_err(|why| format!("the interrupted request: {why}"))?;
    ensure(result.interrupted >= 1, || {
        format!("interrupt answered interrupted = {}", result.interrupted)
    })?;
    Ok(result.interrupted)
}

fn concurrency(probe: &Probe) -> Verdict {
    let running = start_loop(probe)?;
    let started = Instant::now();
    let ping = probe.call("ping", json!({}));
    let took = started.elapsed();
    let stopped = stop_loop(probe, &running, true);
    typed::<PingResult>(ping.map_err(|why| format!("ping during a long evaluation: {why}"))?)?;
    ensure(took < Duration::from_millis(500), || {
        format!("ping during a long evaluation took {}", millis(took))
    })?;
    stopped.map_err(|why| format!("interrupt by target: {why}"))?;
    Ok(format!("ping during a long evaluation in {}", millis(took)))
}

fn interrupt(probe: &Probe) -> Verdict {
    let running = start_loop(probe)?;
    let count = stop_loop(probe, &running, false)?;
    // Nothing left to interrupt.
    let none: InterruptResult = typed(probe.call_in(&running.session, "interrupt", json!({}))?)?;
    ensure(none.interrupted == 0, || {
        format!(
            "a second interrupt answered interrupted = {}",
            none.interrupted
        )
    })?;
    Ok(format!("interrupted {count}"))
}

// ---- browsing and tools -------------------------------------------------------------

fn inspect_paging(probe: &Probe) -> Verdict {
    let session = new_session();
    let array = probe.evaluate(&session, "(1 to: 1000) asArray")?;
    let result = probe.call_in(
        &session,
        "inspect",
        json!({"handle": array.handle, "offset": 10, "limit": 5}),
    )?;
    require_members(
        &result,
        &[
            ("handle", Kind::String),
            ("class", Kind::String),
            ("print", Kind::String),
            ("fields", Kind::Array),
            ("size", Kind::Unsigned),
            ("elements", Kind::Array),
        ],
    )?;
    let page: InspectResult = typed(result)?;
    ensure(page.class == "Array", || format!("class {:?}", page.class))?;
    ensure(page.size == 1000, || {
        format!("size {}, expected 1000", page.size)
    })?;
    ensure(page.elements.len() == 5, || {
        format!("{} elements with limit 5", page.elements.len())
    })?;
    // Element i of (1 to: 1000) asArray prints as i, whatever the index base.
    let first = &page.elements[0];
    ensure(first.print == "11" || first.print == "10", || {
        format!("offset 10 starts at element {:?}", first.print)
    })?;
    for pair in page.elements.windows(2) {
        ensure(pair[1].index == pair[0].index + 1, || {
            "element indexes are not consecutive".into()
        })?;
    }
    for element in &page.elements {
        ensure(
            element.class == "SmallInteger" && !element.handle.is_empty(),
            || format!("element {element:?}"),
        )?;
    }
    let default: InspectResult =
        typed(probe.call_in(&session, "inspect", json!({"handle": array.handle}))?)?;
    ensure(default.elements.len() == 100, || {
        format!(
            "{} elements with the default limit 100",
            default.elements.len()
        )
    })?;
    ensure(default.elements[0].print == "1", || {
        format!("the first element prints {:?}", default.elements[0].print)
    })?;
    // An element's handle inspects the element.
    let element: InspectResult = typed(probe.call_in(
        &session,
        "inspect",
        json!({"handle": page.elements[0].handle}),
    )?)?;
    ensure(element.print == first.print, || {
        format!("element handle inspects {:?}", element.print)
    })?;
    Ok(String::new())
}

fn inspect_code_fields(probe: &Probe) -> Verdict {
    let session = new_session();
    let point: InspectResult =
        typed(probe.call_in(&session, "inspect", json!({"code": "3 @ 4"}))?)?;
    ensure(point.class == "Point", || {
        format!("3 @ 4 is a {:?}", point.class)
    })?;
    let field = |name: &str| point.fields.iter().find(|f| f.name == name);
    let (Some(x), Some(y)) = (field("x"), field("y")) else {
        return Err(format!("fields {:?} lack x and y", point.fields).into());
    };
    ensure(x.print == "3" && y.print == "4", || {
        format!("x prints {:?}, y prints {:?}", x.print, y.print)
    })?;
    ensure(point.size == 0 && point.elements.is_empty(), || {
        format!(
            "a Point has size {} and {} elements",
            point.size,
            point.elements.len()
        )
    })?;
    probe
        .expect_error(
            &session,
            "inspect",
            json!({"handle": "stui-no-such-handle"}),
            "not_found",
        )
        .map_err(|why| format!("an unknown handle: {why}"))?;
    Ok(String::new())
}

fn release(probe: &Probe) -> Verdict {
    let session = new_session();
    let object = probe.evaluate(&session, "Object new")?;
    let kept = probe.evaluate(&session, "3 @ 4")?;
    let result = probe.call_in(&session, "release", json!({"handles": [object.handle]}))?;
    require_members(&result, &[("released", Kind::Unsigned)])?;
    let released: ReleaseResult = typed(result)?;
    ensure(released.released == 1, || {
        format!("released {} of one handle", released.released)
    })?;
    if probe.lists("inspect") {
        probe
            .expect_error(
                &session,
                "inspect",
                json!({"handle": object.handle}),
                "not_found",
            )
            .map_err(|why| format!("inspect of a released handle: {why}"))?;
        let alive: InspectResult =
            typed(probe.call_in(&session, "inspect", json!({"handle": kept.handle}))?)?;
        ensure(
            alive.print == "3@4" || alive.print == "(3@4)" || alive.print.contains('3'),
            || format!("the kept handle inspects {:?}", alive.print),
        )?;
    }
    let all: ReleaseResult = typed(probe.call_in(&session, "release", json!({}))?)?;
    ensure(all.released >= 1, || {
        format!(
            "release {{}} released {} with the handle of 3 @ 4 alive",
            all.released
        )
    })?;
    Ok(String::new())
}

fn list_classes(probe: &Probe) -> Verdict {
    let result = probe.call("list_classes", json!({"pattern": "Ord*"}))?;
    require_members(
        &result,
        &[("classes", Kind::Array), ("total", Kind::Unsigned)],
    )?;
    let list: ListClassesResult = typed(result)?;
    let ordered = list
        .classes
        .iter()
        .find(|c| c.name == "OrderedCollection")
        .ok_or_else(|| format!("Ord* lacks OrderedCollection: {:?}", names(&list)))?;
    ensure(ordered.superclass.is_some(), || {
        "OrderedCollection has no superclass".into()
    })?;
    if let Some(odd) = list.classes.iter().find(|c| !c.name.starts_with("Ord")) {
        return Err(format!("Ord* lists {:?}", odd.name).into());
    }
    ensure(list.total >= list.classes.len() as u64, || {
        format!(
            "total {} < {} classes listed",
            list.total,
            list.classes.len()
        )
    })?;
    let limited: ListClassesResult = typed(probe.call("list_classes", json!({"limit": 3}))?)?;
    ensure(limited.classes.len() <= 3 && limited.total > 3, || {
        format!(
            "limit 3 listed {} of a total of {}",
            limited.classes.len(),
            limited.total
        )
    })?;
    Ok(format!(
        "{} of {} classes in all",
        list.classes.len(),
        limited.total
    ))
}

fn names(list: &ListClassesResult) -> Vec<&str> {
    list.classes.iter().map(|c| c.name.as_str()).collect()
}

fn class_shape(probe: &Probe) -> Verdict {
    let result = probe.call("class", json!({"name": "OrderedCollection"}))?;
    require_members(
        &result,
        &[
            ("name", Kind::String),
            ("superclass", Kind::StringOrNull),
            ("subclasses", Kind::Array),
            ("category", Kind::Any),
            ("comment", Kind::Any),
            ("definition", Kind::String),
            ("instance_variables", Kind::Array),
            ("class_variables", Kind::Array),
            ("methods", Kind::Object),
        ],
    )?;
    let class: ClassResult = typed(result)?;
    ensure(class.name == "OrderedCollection", || {
        format!("name {:?}", class.name)
    })?;
    ensure(class.superclass.is_some(), || "no superclass".into())?;
    ensure(
        class.methods.instance.iter().any(|m| m.selector == "add:"),
        || {
            format!(
                "{} instance methods, none add:",
                class.methods.instance.len()
            )
        },
    )?;
    ensure(class.definition.contains("OrderedCollection"), || {
        format!("definition {:?}", class.definition)
    })?;
    Ok(format!(
        "{} instance, {} class methods",
        class.methods.instance.len(),
        class.methods.class.len()
    ))
}

fn class_not_found(probe: &Probe) -> Verdict {
    let name = format!("StuiNoSuchClass{}", unique_suffix());
    let error = probe.expect_error(&new_session(), "class", json!({"name": name}), "not_found")?;
    ensure(error["what"].is_string(), || {
        format!("not_found without what: {}", brief(&error))
    })?;
    Ok(String::new())
}

fn method_source(probe: &Probe) -> Verdict {
    let result = probe.call(
        "method",
        json!({"class": "OrderedCollection", "selector": "add:"}),
    )?;
    require_members(
        &result,
        &[
            ("class", Kind::String),
            ("selector", Kind::String),
            ("meta", Kind::Bool),
            ("protocol", Kind::Any),
            ("source", Kind::String),
        ],
    )?;
    let method: MethodResult = typed(result)?;
    ensure(method.selector == "add:" && !method.meta, || {
        format!("selector {:?} meta {}", method.selector, method.meta)
    })?;
    ensure(method.source.starts_with("add:"), || {
        format!(
            "source does not start with add: {:?}",
            brief(&json!(method.source))
        )
    })?;
    ensure(!method.source.contains("<category:"), || {
        "source carries <category: …>: not the classic form".into()
    })?;
    Ok(String::new())
}

fn method_not_found(probe: &Probe) -> Verdict {
    let error = probe.expect_error(
        &new_session(),
        "method",
        json!({"class": "OrderedCollection", "selector": format!("stuiNoSuch{}", unique_suffix())}),
        "not_found",
    )?;
    ensure(error["what"].is_string(), || {
        format!("not_found without what: {}", brief(&error))
    })?;
    let error = probe.expect_error(
        &new_session(),
        "method",
        json!({"class": format!("StuiNoSuchClass{}", unique_suffix()), "selector": "add:"}),
        "not_found",
    )?;
    ensure(error["what"].is_string(), || {
        format!("not_found without what: {}", brief(&error))
    })?;
    Ok(String::new())
}

pub(super) fn fresh_class(probe: &Probe, session: &str) -> Result<String, String> {
    fresh_class_with(probe, session, "")
}

/// A new class with the instance variables `variables` (`'a b'`).
pub(super) fn fresh_class_with(
    probe: &Probe,
    session: &str,
    variables: &str,
) -> Result<String, String> {
    let name = format!("StuiConformance{}", unique_suffix().to_uppercase());
    probe.evaluate(
        session,
        &format!(
            "Object subclass: #{name} instanceVariableNames: '{variables}' \
             classVariableNames: '' poolDictionaries: '' category: 'StuiConformance'"
        ),
    )?;
    Ok(name)
}

fn compile_round_trip(probe: &Probe) -> Verdict {
    let session = new_session();
    let class = fresh_class(probe, &session)?;
    let source = "answer\n\t\"The answer\"\n\t| a |\n\ta := 42.\n\t^ a";
    let result = probe.call_in(
        &session,
        "compile",
        json!({"class": class, "source": source, "protocol": "conformance"}),
    )?;
    let compiled: CompileResult = typed(result)?;
    ensure(compiled.selector == "answer", || {
        format!("compile answered selector {:?}", compiled.selector)
    })?;
    let method: MethodResult = typed(probe.call_in(
        &session,
        "method",
        json!({"class": class, "selector": "answer"}),
    )?)?;
    ensure(method.source.starts_with("answer"), || {
        format!("source {:?}", method.source)
    })?;
    for part in ["\"The answer\"", "a := 42", "^"] {
        ensure(method.source.contains(part), || {
            format!("source {:?} lacks {part}", method.source)
        })?;
    }
    ensure(!method.source.contains("<category:"), || {
        format!("source {:?} carries the category", method.source)
    })?;
    ensure(method.protocol.as_deref() == Some("conformance"), || {
        format!("protocol {:?}, expected \"conformance\"", method.protocol)
    })?;
    let value = probe.evaluate(&session, &format!("{class} new answer"))?;
    ensure(value.print == "42", || {
        format!("{class} new answer printed {:?}", value.print)
    })?;
    // A class-side method.
    let meta: CompileResult = typed(probe.call_in(
        &session,
        "compile",
        json!({"class": class, "source": "make\n\t^ self new", "meta": true}),
    )?)?;
    ensure(meta.selector == "make", || {
        format!("selector {:?}", meta.selector)
    })?;
    let value = probe.evaluate(&session, &format!("{class} make answer"))?;
    ensure(value.print == "42", || {
        format!("{class} make answer printed {:?}", value.print)
    })?;
    Ok(String::new())
}

fn compile_syntax_error(probe: &Probe) -> Verdict {
    let session = new_session();
    let class = fresh_class(probe, &session)?;
    let error = probe.expect_error(
        &session,
        "compile",
        json!({"class": class, "source": "broken\n\t^ 3 + )"}),
        "syntax_error",
    )?;
    ensure(error["line"].is_u64() && error["column"].is_u64(), || {
        format!("syntax_error without line and column: {}", brief(&error))
    })?;
    ensure(error["line"] == json!(2), || {
        format!("error at line {}, expected 2", error["line"])
    })?;
    Ok(String::new())
}

fn methods_result(probe: &Probe, kind: &str, params: Value) -> Result<MethodsResult, String> {
    let result = probe.call(kind, params)?;
    require_members(
        &result,
        &[("methods", Kind::Array), ("total", Kind::Unsigned)],
    )?;
    let methods: MethodsResult = typed(result)?;
    ensure(methods.total >= methods.methods.len() as u64, || {
        format!(
            "total {} < {} methods listed",
            methods.total,
            methods.methods.len()
        )
    })?;
    Ok(methods)
}

/// A fresh class with `methods` compiled into it, when the server compiles.
fn class_with_methods(probe: &Probe, methods: &[&str]) -> Result<Option<String>, String> {
    if !probe.lists("compile") {
        return Ok(None);
    }
    let session = new_session();
    let class = fresh_class(probe, &session)?;
    for source in methods {
        let compiled = probe.call_in(
            &session,
            "compile",
            json!({"class": class, "source": source}),
        )?;
        typed::<CompileResult>(compiled)?;
    }
    Ok(Some(class))
}

fn lists_method(methods: &MethodsResult, class: &str, selector: &str) -> bool {
    methods
        .methods
        .iter()
        .any(|m| m.class == class && m.selector == selector && !m.meta)
}

fn senders(probe: &Probe) -> Verdict {
    let unique = format!("stuiFresh{}", unique_suffix());
    let sender = format!("stuiSends{}", unique_suffix());
    let fresh = class_with_methods(
        probe,
        &[
            "stuiSendsPrintString\n\t^ 3 printString",
            &format!("{sender}\n\t^ self {unique}"),
        ],
    )?;
    let all = methods_result(
        probe,
        "senders",
        json!({"selector": "printString", "limit": 100000}),
    )?;
    ensure(!all.methods.is_empty(), || {
        "no senders of printString".into()
    })?;
    let limited = methods_result(
        probe,
        "senders",
        json!({"selector": "printString", "limit": 2}),
    )?;
    ensure(limited.methods.len() <= 2, || {
        format!("limit 2 listed {}", limited.methods.len())
    })?;
    let none = methods_result(
        probe,
        "senders",
        json!({"selector": format!("stuiNeverSent{}", unique_suffix())}),
    )?;
    ensure(none.methods.is_empty() && none.total == 0, || {
        format!("an unknown selector has {} senders", none.total)
    })?;
    if let Some(class) = fresh {
        // A method compiled just now that sends printString is one of its senders.
        ensure(lists_method(&all, &class, "stuiSendsPrintString"), || {
            format!(
                "senders of printString ({} of {}) lack {class}>>stuiSendsPrintString, \
                 compiled as `^ 3 printString`",
                all.methods.len(),
                all.total
            )
        })?;
        let only = methods_result(probe, "senders", json!({"selector": unique}))?;
        ensure(
            only.total == 1 && lists_method(&only, &class, &sender),
            || format!("senders of a selector sent once: {:?}", only.methods),
        )?;
    }
    Ok(format!("{} senders of printString", all.total))
}

fn implementors(probe: &Probe) -> Verdict {
    let unique = format!("stuiImplemented{}", unique_suffix());
    let fresh = class_with_methods(probe, &[&format!("{unique}\n\t^ 1")])?;
    let all = methods_result(
        probe,
        "implementors",
        json!({"selector": "add:", "limit": 100000}),
    )?;
    ensure(lists_method(&all, "OrderedCollection", "add:"), || {
        format!(
            "implementors of add: lack OrderedCollection ({} listed)",
            all.methods.len()
        )
    })?;
    if let Some(class) = fresh {
        let only = methods_result(probe, "implementors", json!({"selector": unique}))?;
        ensure(
            only.total == 1 && lists_method(&only, &class, &unique),
            || {
                format!(
                    "implementors of a selector defined once: {:?}",
                    only.methods
                )
            },
        )?;
    }
    Ok(format!("{} implementors of add:", all.total))
}

fn offers_class(completion: &CompleteResult, name: &str) -> bool {
    completion
        .candidates
        .iter()
        .any(|c| c.text == name && c.kind == crate::protocol::CandidateKind::Class)
}

fn complete(probe: &Probe) -> Verdict {
    let code = "x := OrderedColl";
    let result = probe.call("complete", json!({"code": code, "cursor": 16}))?;
    require_members(
        &result,
        &[("from", Kind::Unsigned), ("candidates", Kind::Array)],
    )?;
    let completion: CompleteResult = typed(result)?;
    ensure(completion.from == 5, || {
        format!(
            "from is {}, expected 5 (start of OrderedColl)",
            completion.from
        )
    })?;
    ensure(offers_class(&completion, "OrderedCollection"), || {
        format!(
            "candidates {:?} lack the class OrderedCollection",
            completion.candidates
        )
    })?;
    // The same in a session that has workspace variables.
    let session = new_session();
    probe.evaluate(&session, "stuiCompleteVariable := 1.")?;
    let again: CompleteResult =
        typed(probe.call_in(&session, "complete", json!({"code": code, "cursor": 16}))?)?;
    ensure(offers_class(&again, "OrderedCollection"), || {
        format!(
            "in a session with a workspace variable, candidates {:?} lack the class \
             OrderedCollection",
            again.candidates
        )
    })?;
    // The cursor, not the end of the code, decides the word.
    let middle: CompleteResult =
        typed(probe.call("complete", json!({"code": "OrderedColl foo", "cursor": 11}))?)?;
    ensure(
        middle.from == 0 && offers_class(&middle, "OrderedCollection"),
        || {
            format!(
                "completing at cursor 11 of `OrderedColl foo`: from {} candidates {:?}",
                middle.from, middle.candidates
            )
        },
    )?;
    Ok(format!("{} candidates", completion.candidates.len()))
}

fn transcript(probe: &Probe) -> Verdict {
    let session = new_session();
    let start: TranscriptResult = typed(probe.call_in(&session, "transcript", json!({}))?)?;
    let marker = format!("stui-fork-{}", unique_suffix());
    probe.evaluate(
        &session,
        &format!("[Transcript showCr: '{marker}'] fork. nil"),
    )?;
    let mut text = String::new();
    let mut cursor = start.next.clone();
    let found = poll_until(Duration::from_secs(3), || {
        let page: TranscriptResult =
            typed(probe.call_in(&session, "transcript", json!({"since": cursor}))?)?;
        text.push_str(&page.text);
        cursor = page.next;
        Ok(text.contains(&marker).then_some(()))
    })?;
    ensure(found.is_some(), || {
        format!("the forked output never showed up; text since the first cursor: {text:?}")
    })?;
    // Reading again from the first cursor gives the same output again.
    let again: TranscriptResult =
        typed(probe.call_in(&session, "transcript", json!({"since": start.next}))?)?;
    ensure(again.text.contains(&marker), || {
        "reading from the first cursor again lost the output".into()
    })?;
    // A session's first call without since gets only new output.
    let fresh: TranscriptResult = typed(probe.call("transcript", json!({}))?)?;
    ensure(!fresh.text.contains(&marker), || {
        "a new session's first transcript call got old output".into()
    })?;
    Ok(String::new())
}

#[cfg(test)]
mod tests {
    use crate::protocol::CONTRACT_TYPES;

    /// A check needs types of the contract's table, as the registry names them.
    #[test]
    fn every_check_requires_contract_types_of_the_registry() {
        for check in crate::conformance::all_checks() {
            for kind in check.requires {
                assert!(CONTRACT_TYPES.contains(kind), "{}: {kind}", check.name);
            }
        }
    }
}
