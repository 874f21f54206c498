//! The typed protocol (`stui::protocol`) against the contract
//! (`docs/PROTOCOL.md`, the same text as the shared contract) and against
//! replies recorded from the real GNU Smalltalk server
//! (`tests/fixtures/replies/`, written by `examples/record_replies.rs`).
//!
//! Every reply is decoded the way the client decodes it: bytes, UTF-8,
//! `Reply::from_json`, then `decode_answer` for the request that was sent.

mod common;

#[path = "fixtures/reply_script.rs"]
mod reply_script;

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::{Value, json};
use stui::net::Answer;
use stui::net::NetError;
use stui::net::client::{decode_answer, read_reply};
use stui::protocol::*;

use reply_script::{Expect, Recorded, Sample};

// ---- helpers ---------------------------------------------------------------

/// What the client makes of a reply's bytes for `request`.
fn client_decode(
    bytes: &[u8],
    request: &RequestBody,
) -> Result<Result<Answer, ErrorObject>, NetError> {
    decode_answer(request, read_reply(bytes)?)
}

/// The typed result written back out as JSON.
fn answer_json(answer: &Answer) -> Value {
    serde_json::to_value(answer).expect("a typed result serialises")
}

/// `ok:<type>`, `error:<code>` or `malformed`: what a reply decodes to.
fn outcome(decoded: &Result<Result<Answer, ErrorObject>, NetError>) -> String {
    match decoded {
        Ok(Ok(answer)) => format!("ok:{}", answer.type_name()),
        Ok(Err(error)) => format!("error:{}", error.code),
        Err(NetError::Malformed(_)) => "malformed".into(),
        Err(other) => format!("unexpected error {other:?}"),
    }
}

fn success_reply(result: &Value) -> Vec<u8> {
    json!({"stui": 1, "id": "r", "ok": true, "result": result})
        .to_string()
        .into_bytes()
}

fn failure_reply(error: &Value) -> Vec<u8> {
    json!({"stui": 1, "id": "r", "ok": false, "error": error})
        .to_string()
        .into_bytes()
}

fn sorted(names: &[&str]) -> Vec<String> {
    let mut names: Vec<String> = names.iter().map(|name| name.to_string()).collect();
    names.sort();
    names
}

fn member_names(value: &Value) -> Vec<String> {
    let mut names: Vec<String> = value
        .as_object()
        .unwrap_or_else(|| panic!("{value} is not an object"))
        .keys()
        .cloned()
        .collect();
    names.sort();
    names
}

/// Every member path of a JSON value (`result.fields[].name`, …).
fn member_paths(value: &Value) -> BTreeSet<String> {
    fn walk(value: &Value, prefix: &str, paths: &mut BTreeSet<String>) {
        match value {
            Value::Object(members) => {
                for (name, member) in members {
                    let path = format!("{prefix}.{name}");
                    walk(member, &path, paths);
                    paths.insert(path);
                }
            }
            Value::Array(items) => {
                for item in items {
                    walk(item, &format!("{prefix}[]"), paths);
                }
            }
            _ => {}
        }
    }
    let mut paths = BTreeSet::new();
    walk(value, "", &mut paths);
    paths
}

// ---- the contract's examples -----------------------------------------------

#[test]
fn the_request_envelope_example_round_trips() {
    let example = json!({"stui": 1, "id": "7f3c0e1a-…", "session": "b41d…", "type": "evaluate",
        "params": {"code": "3 + 4"}});
    let request: Request = serde_json::from_value(example.clone()).unwrap();
    assert_eq!(request.stui, 1);
    assert_eq!(request.id, "7f3c0e1a-…");
    assert_eq!(request.session, "b41d…");
    assert_eq!(request.body, RequestBody::evaluate("3 + 4"));
    let written: Value = serde_json::from_str(&request.to_json()).unwrap();
    assert_eq!(written, example);
    // And built from the typed API it is the same object.
    let built = Request::new("7f3c0e1a-…", "b41d…", RequestBody::evaluate("3 + 4"));
    assert_eq!(serde_json::to_value(&built).unwrap(), example);
}

#[test]
fn the_optional_auth_member_is_kept_and_never_sent_unasked() {
    let with_auth = json!({"stui": 1, "id": "a", "session": "s", "auth": "token",
        "type": "ping", "params": {}});
    let request: Request = serde_json::from_value(with_auth.clone()).unwrap();
    assert_eq!(request.auth, Some(json!("token")));
    assert_eq!(serde_json::to_value(&request).unwrap(), with_auth);
    let plain = Request::new("a", "s", RequestBody::ping());
    assert!(!member_names(&serde_json::to_value(&plain).unwrap()).contains(&"auth".to_string()));
}

#[test]
fn unknown_request_members_are_ignored() {
    let request: Request = serde_json::from_value(json!({"stui": 1, "id": "a", "session": "s",
        "type": "evaluate", "params": {"code": "1", "x_future": true}, "x_extra": [1]}))
    .unwrap();
    assert_eq!(request.body, RequestBody::evaluate("1"));
}

#[test]
fn the_success_and_failure_reply_examples_decode() {
    let success = r#"{"stui": 1, "id": "7f3c0e1a-…", "ok": true,  "result": {"print": "7",
        "class": "SmallInteger", "truncated": false, "handle": "h1", "output": "",
        "duration_us": 812}}"#;
    match client_decode(success.as_bytes(), &RequestBody::evaluate("3 + 4")) {
        Ok(Ok(Answer::Evaluate(result))) => {
            assert_eq!(
                (result.print.as_str(), result.class.as_str()),
                ("7", "SmallInteger")
            )
        }
        other => panic!("{other:?}"),
    }
    let reply = Reply::from_json(success).unwrap();
    assert_eq!(
        (reply.stui, reply.id.as_deref(), reply.ok),
        (1, Some("7f3c0e1a-…"), true)
    );

    let failure = r#"{"stui": 1, "id": "7f3c0e1a-…", "ok": false, "error": {"code": "evaluation_error", "message": "…", "class": "ZeroDivide", "stack": ["SmallInteger(Number)>>zeroDivide"], "x_more": {}}}"#;
    let reply = Reply::from_json(failure).unwrap();
    assert_eq!((reply.id.as_deref(), reply.ok), (Some("7f3c0e1a-…"), false));
    match decode_answer(&RequestBody::evaluate("1/0"), reply) {
        Ok(Err(error)) => {
            assert_eq!(error.code, ErrorCode::EvaluationError);
            assert_eq!(error.message, "…");
            assert_eq!(error.class.as_deref(), Some("ZeroDivide"));
        }
        other => panic!("{other:?}"),
    }
}

/// Params of each row of the table: the typed request with every optional
/// member set writes exactly the documented member names, and the minimal
/// one only the required ones; both read back to the same request.
#[test]
fn every_params_shape_of_the_table_writes_the_documented_members() {
    let some = |text: &str| Some(text.to_string());
    let cases: Vec<(RequestBody, &[&str])> = vec![
        (RequestBody::ping(), &[]),
        (RequestBody::describe(), &[]),
        (
            RequestBody::Evaluate(EvaluateParams {
                code: "3 + 4".into(),
                timeout_ms: Some(30_000),
                print_limit: Some(100_000),
                receiver: None,
                debug: Some(DebugMode::OnError),
            }),
            &["code", "timeout_ms", "print_limit", "debug"],
        ),
        (RequestBody::evaluate("3 + 4"), &["code"]),
        (
            RequestBody::Inspect(InspectParams {
                handle: some("h1"),
                code: None,
                offset: Some(100),
                limit: Some(100),
                print_limit: None,
            }),
            &["handle", "offset", "limit"],
        ),
        (
            RequestBody::Inspect(InspectParams {
                code: some("3 @ 4"),
                ..InspectParams::default()
            }),
            &["code"],
        ),
        (
            RequestBody::Release(ReleaseParams {
                handles: Some(vec!["h1".into(), "h2".into()]),
            }),
            &["handles"],
        ),
        (RequestBody::Release(ReleaseParams::default()), &[]),
        (
            RequestBody::ListClasses(ListClassesParams {
                pattern: some("Ord*"),
                category: some("Collections-*"),
                limit: Some(500),
            }),
            &["pattern", "category", "limit"],
        ),
        (RequestBody::ListClasses(ListClassesParams::default()), &[]),
        (
            RequestBody::Class(ClassParams {
                name: "OrderedCollection".into(),
            }),
            &["name"],
        ),
        (
            RequestBody::Method(MethodParams {
                class: "OrderedCollection".into(),
                selector: "add:".into(),
                meta: Some(false),
            }),
            &["class", "selector", "meta"],
        ),
        (
            RequestBody::Method(MethodParams {
                class: "OrderedCollection".into(),
                selector: "new:".into(),
                meta: None,
            }),
            &["class", "selector"],
        ),
        (
            RequestBody::Compile(CompileParams {
                class: "Foo".into(),
                source: "answer\n\t\"The answer\"\n\t^ 42".into(),
                protocol: some("accessing"),
                meta: Some(true),
            }),
            &["class", "source", "protocol", "meta"],
        ),
        (
            RequestBody::Compile(CompileParams {
                class: "Foo".into(),
                source: "answer\n\t^ 42".into(),
                protocol: None,
                meta: None,
            }),
            &["class", "source"],
        ),
        (
            RequestBody::Senders(SelectorParams {
                selector: "printOn:".into(),
                limit: Some(10),
            }),
            &["selector", "limit"],
        ),
        (
            RequestBody::Implementors(SelectorParams {
                selector: "add:".into(),
                limit: None,
            }),
            &["selector"],
        ),
        (
            RequestBody::Complete(CompleteParams {
                code: "OrderedColl".into(),
                cursor: 11,
            }),
            &["code", "cursor"],
        ),
        (
            RequestBody::Transcript(TranscriptParams {
                since: Some(json!(1234)),
            }),
            &["since"],
        ),
        (RequestBody::Transcript(TranscriptParams::default()), &[]),
        (
            RequestBody::Interrupt(InterruptParams {
                target: some("7f3c0e1a"),
                process: None,
            }),
            &["target"],
        ),
        (
            RequestBody::Interrupt(InterruptParams {
                target: None,
                process: some("p3"),
            }),
            &["process"],
        ),
        (
            RequestBody::Describe(DescribeParams {
                interactive: Some(true),
                timings: Some(true),
                reset_timings: Some(true),
            }),
            &["interactive", "timings", "reset_timings"],
        ),
        (RequestBody::Interrupt(InterruptParams::default()), &[]),
        (
            RequestBody::FileIn(FileInParams {
                code: "Object subclass: Foo [ bar [ ^42 ] ]".into(),
                origin: some("foo.st"),
                timeout_ms: Some(5000),
            }),
            &["code", "origin", "timeout_ms"],
        ),
        (
            RequestBody::FileIn(FileInParams {
                code: "!Foo methodsFor: 'x'!\nbar\n\t^42! !".into(),
                origin: None,
                timeout_ms: None,
            }),
            &["code"],
        ),
        (
            RequestBody::FileOut(FileOutParams {
                class: "Foo".into(),
            }),
            &["class"],
        ),
        (
            RequestBody::SaveImage(SaveImageParams {
                path: "/d/a.im".into(),
            }),
            &["path"],
        ),
        (RequestBody::EndSession(Empty {}), &[]),
        (RequestBody::DebugList(Empty {}), &[]),
        (
            RequestBody::DebugStack(DebugStackParams {
                debugger: "d1".into(),
                limit: Some(50),
            }),
            &["debugger", "limit"],
        ),
        (
            RequestBody::DebugClose(DebuggerParams {
                debugger: "d1".into(),
            }),
            &["debugger"],
        ),
        (
            RequestBody::DebugFrame(DebugFrameParams {
                debugger: "d1".into(),
                frame: 2,
            }),
            &["debugger", "frame"],
        ),
        (
            RequestBody::DebugStep(DebugStepParams {
                debugger: "d1".into(),
                how: StepHow::Over,
                frame: Some(1),
                timeout_ms: Some(500),
            }),
            &["debugger", "how", "frame", "timeout_ms"],
        ),
        (
            RequestBody::DebugEvaluate(DebugEvaluateParams {
                debugger: "d1".into(),
                frame: 0,
                code: "a := 7".into(),
                timeout_ms: None,
                print_limit: None,
            }),
            &["debugger", "frame", "code"],
        ),
    ];
    let mut seen = BTreeSet::new();
    for (body, members) in cases {
        let kind = body.type_name();
        seen.insert(kind);
        let request = Request::new("i", "s", body);
        let wire: Value = serde_json::from_str(&request.to_json()).unwrap();
        assert_eq!(
            member_names(&wire),
            sorted(&["stui", "id", "session", "type", "params"]),
            "{kind}: envelope members"
        );
        assert_eq!(wire["type"], json!(kind));
        assert!(
            CONTRACT_TYPES.contains(&kind) || EXTENSION_TYPES.contains(&kind),
            "{kind} is a type of the table or of this implementation"
        );
        assert_eq!(
            member_names(&wire["params"]),
            sorted(members),
            "{kind}: params members"
        );
        let back: Request = serde_json::from_value(wire).unwrap();
        assert_eq!(back, request, "{kind} reads back");
    }
    assert_eq!(seen, all_types(), "every type has params");
}

/// A result of each row with every documented member (the contract's, then
/// this implementation's additions from docs/PROTOCOL.md), and the members
/// only this implementation adds.
fn documented_results() -> Vec<(RequestBody, Value, &'static [&'static str])> {
    let selector = |selector: &str| {
        RequestBody::Senders(SelectorParams {
            selector: selector.into(),
            limit: None,
        })
    };
    vec![
        (RequestBody::ping(), json!({"uptime_ms": 1234}), &[]),
        (
            RequestBody::describe(),
            json!({"server": "stui-gst 0.1.0", "dialect": "GNU Smalltalk",
                "dialect_version": "3.2.5", "protocol": 1, "types": CONTRACT_TYPES,
                "max_message_bytes": 16_777_216, "pid": 4242,
                "image": "/usr/lib/gnu-smalltalk/gst.im", "uptime_ms": 99}),
            &[],
        ),
        (
            RequestBody::describe(),
            json!({"server": "stui-pharo 0.1.0", "dialect": "Pharo", "dialect_version": "12",
                "protocol": 1, "types": ["ping", "describe"], "max_message_bytes": 1024,
                "pid": 1, "image": null, "uptime_ms": 0}),
            &[],
        ),
        (
            RequestBody::evaluate("3 + 4"),
            json!({"print": "7", "class": "SmallInteger", "truncated": false, "handle": "h1",
                "output": "hello\n", "duration_us": 812}),
            &[],
        ),
        (
            RequestBody::Inspect(InspectParams::default()),
            json!({"handle": "h3", "class": "OrderedCollection",
                "print": "OrderedCollection (1 'two' )",
                "fields": [{"name": "firstIndex", "print": "8", "class": "SmallInteger",
                            "handle": "h4"}],
                "size": 2,
                "elements": [{"index": 1, "print": "1", "class": "SmallInteger", "handle": "h6"},
                             {"index": 2, "print": "'two'", "class": "String", "handle": "h7"}],
                "truncated": true, "offset": 0}),
            &["truncated", "offset"],
        ),
        (
            RequestBody::Release(ReleaseParams::default()),
            json!({"released": 2}),
            &[],
        ),
        (
            RequestBody::ListClasses(ListClassesParams::default()),
            json!({"classes": [{"name": "OrderedCollection",
                "superclass": "SequenceableCollection", "category": "Collections-Sequenceable"},
                {"name": "Object", "superclass": null, "category": "Language-Implementation"}],
                "total": 2}),
            &[],
        ),
        (
            RequestBody::Class(ClassParams { name: "A".into() }),
            json!({"name": "Association", "superclass": "LookupKey",
                "subclasses": ["HomedAssociation"], "category": "Language-Data types",
                "comment": null,
                "definition": "LookupKey subclass: #Association\n\tinstanceVariableNames: 'value'",
                "instance_variables": ["value"], "class_variables": ["Default"],
                "methods": {"instance": [{"selector": "value", "protocol": "accessing"}],
                            "class": [{"selector": "key:value:", "protocol": "basic"}]}}),
            &[],
        ),
        (
            RequestBody::Method(MethodParams {
                class: "A".into(),
                selector: "b".into(),
                meta: None,
            }),
            json!({"class": "Association", "selector": "value", "meta": false,
                "protocol": "accessing", "source": "value\n\t\"Answer the value\"\n\n\t^value"}),
            &[],
        ),
        (
            RequestBody::Compile(CompileParams {
                class: "A".into(),
                source: "b".into(),
                protocol: None,
                meta: None,
            }),
            json!({"selector": "answer"}),
            &[],
        ),
        (
            selector("printOn:"),
            json!({"methods": [{"class": "Array", "selector": "printOn:", "meta": false},
                               {"class": "Object", "selector": "new", "meta": true}],
                   "total": 34}),
            &[],
        ),
        (
            RequestBody::Implementors(SelectorParams {
                selector: "printOn:".into(),
                limit: None,
            }),
            json!({"methods": [{"class": "Array", "selector": "printOn:", "meta": false}],
                   "total": 68}),
            &[],
        ),
        (
            RequestBody::Complete(CompleteParams {
                code: "x".into(),
                cursor: 1,
            }),
            json!({"from": 0, "candidates": [
                {"text": "OrderedCollection", "kind": "class"},
                {"text": "add:", "kind": "selector"},
                {"text": "x", "kind": "variable"},
                {"text": "thisContext", "kind": "keyword"}]}),
            &[],
        ),
        (
            RequestBody::Transcript(TranscriptParams::default()),
            json!({"text": "hello\n", "next": 26, "dropped": 1024}),
            &["dropped"],
        ),
        (
            RequestBody::Interrupt(InterruptParams::default()),
            json!({"interrupted": 1}),
            &[],
        ),
        (
            RequestBody::FileIn(FileInParams {
                code: String::new(),
                origin: None,
                timeout_ms: None,
            }),
            json!({"classes": ["Foo"], "methods": ["Foo>>bar", "Foo class>>new"],
                "errors": [{"line": 3, "column": 1, "message": "expected expression"}]}),
            &[],
        ),
        (
            RequestBody::FileOut(FileOutParams {
                class: "Foo".into(),
            }),
            json!({"code": "Object subclass: #Foo\n\tinstanceVariableNames: ''!"}),
            &[],
        ),
        (
            RequestBody::SaveImage(SaveImageParams {
                path: "/d/a.im".into(),
            }),
            json!({"path": "/d/a.im", "bytes": 4_902_040, "history_path": "/d/a.im.history.st",
                "history_changes": 12}),
            &[],
        ),
        (
            RequestBody::EndSession(Empty {}),
            json!({"ended": true}),
            &[],
        ),
        (
            RequestBody::DebugList(Empty {}),
            json!({"debuggers": [{"debugger": "d1", "reason": "error", "since_ms": 1200,
                "label": "MessageNotUnderstood: nil does not understand #foo"}]}),
            &[],
        ),
        (
            RequestBody::DebugStack(DebugStackParams {
                debugger: "d1".into(),
                limit: None,
            }),
            json!({"debugger": "d1", "reason": "error",
                "exception": {"class": "ZeroDivide", "message": "The program attempted to divide a number by zero"},
                "frames": [{"index": 0, "label": "SmallInteger(Number)>>/", "class": "Number",
                    "selector": "/", "meta": false, "block": false, "source": "/ aNumber\n\t^self",
                    "start": 0, "stop": 3}],
                "total": 1}),
            &[],
        ),
        (
            RequestBody::DebugClose(DebuggerParams {
                debugger: "d1".into(),
            }),
            json!({"closed": true}),
            &[],
        ),
        (
            RequestBody::DebugFrame(DebugFrameParams {
                debugger: "d1".into(),
                frame: 0,
            }),
            json!({"receiver": {"print": "nil", "class": "UndefinedObject", "handle": "h8"},
                "variables": [{"name": "a", "kind": "temporary", "print": "3",
                    "class": "SmallInteger", "handle": "h9"}]}),
            &[],
        ),
        (
            RequestBody::DebugStep(DebugStepParams {
                debugger: "d1".into(),
                how: StepHow::Proceed,
                frame: None,
                timeout_ms: None,
            }),
            json!({"state": "finished", "result": {"print": "14", "class": "SmallInteger",
                "truncated": false, "handle": "h11", "output": "", "duration_us": 115}}),
            &[],
        ),
        (
            RequestBody::DebugEvaluate(DebugEvaluateParams {
                debugger: "d1".into(),
                frame: 0,
                code: "a := a + 4".into(),
                timeout_ms: None,
                print_limit: None,
            }),
            json!({"print": "7", "class": "SmallInteger", "truncated": false, "handle": "h10",
                "output": "", "duration_us": 90}),
            &[],
        ),
        (
            RequestBody::describe(),
            json!({"server": "stui-gst 0.1.0", "dialect": "GNU Smalltalk",
                "dialect_version": "3.2.5", "protocol": 1, "types": all_types(),
                "max_message_bytes": 16_777_216, "pid": 4242, "image": null, "uptime_ms": 99,
                "active_sessions": 2, "max_debuggers": 8, "role": "read", "curve": true}),
            &["active_sessions", "role", "curve"],
        ),
    ]
}

/// The contract's types and this implementation's.
fn all_types() -> BTreeSet<&'static str> {
    ALL_TYPES.iter().map(|info| info.name).collect()
}

/// Each result decodes, through the client's path, to the typed answer of
/// its request, and that answer holds every member: written back out it is
/// the very same JSON.
#[test]
fn every_result_shape_of_the_table_decodes_with_every_member() {
    let mut seen = BTreeSet::new();
    for (request, result, _) in documented_results() {
        let kind = request.type_name();
        let answer = match client_decode(&success_reply(&result), &request) {
            Ok(Ok(answer)) => answer,
            other => panic!("{kind}: {result} decoded to {other:?}"),
        };
        assert_eq!(answer.type_name(), kind);
        assert_eq!(answer_json(&answer), result, "{kind}: members survive");
        seen.insert(kind);
    }
    assert_eq!(seen, all_types(), "every type has a result");
}

/// A server that keeps to the contract alone (no additions of this
/// implementation) is read just as well.
#[test]
fn results_without_this_implementations_additions_decode() {
    for (request, mut result, additions) in documented_results() {
        for addition in additions {
            result.as_object_mut().unwrap().remove(*addition);
        }
        let decoded = client_decode(&success_reply(&result), &request);
        assert_eq!(
            outcome(&decoded),
            format!("ok:{}", request.type_name()),
            "{result}"
        );
    }
    let Ok(Ok(Answer::Inspect(inspect))) = client_decode(
        &success_reply(
            &json!({"handle": "h1", "class": "Object", "print": "an Object",
            "fields": [], "size": 0, "elements": []}),
        ),
        &RequestBody::Inspect(InspectParams::default()),
    ) else {
        panic!("a contract-only inspect result decodes");
    };
    assert_eq!((inspect.truncated, inspect.offset), (false, 0));
}

/// A result that lacks a member the contract requires, or has one of the
/// wrong JSON type, is a malformed reply: the client never invents values.
#[test]
fn a_result_missing_a_member_or_of_the_wrong_type_is_malformed() {
    // Members that may be null or absent: the client reads them as None
    // (or false, 0, "").
    let optional = [
        ("describe", "image"),
        ("evaluate", "output"),
        ("debug_evaluate", "output"),
        ("inspect", "truncated"),
        ("inspect", "offset"),
        ("class", "superclass"),
        ("class", "category"),
        ("class", "comment"),
        ("method", "protocol"),
        ("transcript", "dropped"),
        ("describe", "active_sessions"),
        ("describe", "max_debuggers"),
        ("describe", "role"),
        ("describe", "curve"),
        ("debug_stack", "exception"),
    ];
    for (request, result, _) in documented_results() {
        let kind = request.type_name();
        for name in member_names(&result) {
            let mut without = result.clone();
            without.as_object_mut().unwrap().remove(&name);
            let decoded = outcome(&client_decode(&success_reply(&without), &request));
            if optional.contains(&(kind, name.as_str())) {
                assert_eq!(decoded, format!("ok:{kind}"), "{kind} without {name}");
            } else {
                assert_eq!(decoded, "malformed", "{kind} without {name}");
            }
            let mut wrong = result.clone();
            let member = &mut wrong[&name];
            *member = if member.is_string() || member.is_null() {
                json!(12)
            } else {
                json!("twelve")
            };
            if name != "next" {
                assert_eq!(
                    outcome(&client_decode(&success_reply(&wrong), &request)),
                    "malformed",
                    "{kind} with {name} of the wrong type"
                );
            }
        }
    }
}

/// Each error code with the members the contract gives it, and the members
/// this implementation adds: decoded for any request, written back the same.
#[test]
fn every_error_code_decodes_with_its_members() {
    let errors = [
        json!({"code": "invalid_request", "message": "parameter \"code\" must be a string",
               "field": "params.code"}),
        json!({"code": "invalid_request", "message": "request body is not JSON", "position": 19}),
        json!({"code": "unsupported_version", "message": "speaks 1", "supported": [1]}),
        json!({"code": "unknown_type", "message": "unknown request type", "type": "frobnicate"}),
        json!({"code": "too_large", "message": "too large", "size": 16_777_217,
               "max_message_bytes": 16_777_216}),
        json!({"code": "syntax_error", "message": "expected expression", "line": 2, "column": 12}),
        json!({"code": "evaluation_error", "message": "divide by zero", "class": "ZeroDivide",
               "stack": ["SmallInteger(Number)>>zeroDivide", "UndefinedObject>>DoIt (line 1)"],
               "output": "before"}),
        json!({"code": "timeout", "message": "did not finish", "timeout_ms": 300,
               "output": "waiting"}),
        json!({"code": "interrupted", "message": "interrupted", "output": ""}),
        json!({"code": "not_found", "message": "no class named Foo", "what": "class"}),
        json!({"code": "not_found", "message": "no handle h9", "what": "handle",
               "handles": ["h9"]}),
        json!({"code": "permission_denied", "message": "not allowed"}),
        json!({"code": "internal", "message": "the server failed"}),
        json!({"code": "suspended", "message": "nil does not understand #foo",
               "class": "MessageNotUnderstood", "stack": ["UndefinedObject>>DoIt (line 1)"],
               "debugger": "d1", "output": ""}),
    ];
    let mut codes = BTreeSet::new();
    for error in errors {
        for request in [
            RequestBody::ping(),
            RequestBody::evaluate("1"),
            RequestBody::Class(ClassParams { name: "A".into() }),
        ] {
            match client_decode(&failure_reply(&error), &request) {
                Ok(Err(object)) => {
                    assert!(!matches!(object.code, ErrorCode::Other(_)), "{error}");
                    assert_eq!(serde_json::to_value(&object).unwrap(), error);
                    codes.insert(object.code.to_string());
                }
                other => panic!("{error} for {}: {other:?}", request.type_name()),
            }
        }
    }
    assert_eq!(codes.len(), 12, "every code of the contract: {codes:?}");
}

#[test]
fn an_error_code_from_a_newer_server_is_kept() {
    let error = json!({"code": "rate_limited", "message": "slow down", "retry_ms": 50});
    match client_decode(&failure_reply(&error), &RequestBody::ping()) {
        Ok(Err(object)) => {
            assert_eq!(object.code, ErrorCode::Other("rate_limited".into()));
            assert_eq!(object.to_string(), "rate_limited: slow down");
        }
        other => panic!("{other:?}"),
    }
}

// ---- replies recorded from the real server ---------------------------------

fn fixtures_dir() -> PathBuf {
    common::repo_root().join("tests/fixtures/replies")
}

fn fixture(name: &str) -> Vec<u8> {
    let path = fixtures_dir().join(format!("{name}.json"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn sample(name: &str) -> Sample {
    reply_script::samples()
        .into_iter()
        .find(|sample| sample.name == name)
        .unwrap_or_else(|| panic!("no sample {name}"))
}

/// The fixture of `name` decoded for its request.
fn decoded(name: &str) -> Result<Result<Answer, ErrorObject>, NetError> {
    client_decode(&fixture(name), &sample(name).decode_as)
}

fn answer(name: &str) -> Answer {
    match decoded(name) {
        Ok(Ok(answer)) => answer,
        other => panic!("{name}.json is no success: {other:?}"),
    }
}

fn error(name: &str) -> ErrorObject {
    match decoded(name) {
        Ok(Err(error)) => error,
        other => panic!("{name}.json is no error reply: {other:?}"),
    }
}

#[test]
fn every_sample_has_its_fixture_and_every_fixture_its_sample() {
    let names: BTreeSet<String> = reply_script::samples()
        .iter()
        .map(|sample| format!("{}.json", sample.name))
        .collect();
    let files: BTreeSet<String> = std::fs::read_dir(fixtures_dir())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files, names);
    // One success of every type of the table.
    let types: BTreeSet<&str> = reply_script::samples()
        .iter()
        .filter(|sample| sample.expect == Expect::Success)
        .map(|sample| sample.decode_as.type_name())
        .collect();
    assert_eq!(types, CONTRACT_TYPES.iter().copied().collect());
}

#[test]
fn every_fixture_decodes_to_what_its_request_expects() {
    for sample in reply_script::samples() {
        let bytes = fixture(sample.name);
        let recorded = Recorded {
            name: sample.name,
            decode_as: sample.decode_as.clone(),
            expect: sample.expect,
            reply: bytes.clone(),
        };
        reply_script::check_expectation(&recorded).unwrap();
        let expected = match sample.expect {
            Expect::Success => format!("ok:{}", sample.decode_as.type_name()),
            Expect::Error(code) => format!("error:{code}"),
        };
        let decoded = client_decode(&bytes, &sample.decode_as);
        assert_eq!(outcome(&decoded), expected, "{}", sample.name);
        // The typed value holds every member the server sent.
        if let Ok(Ok(answer)) = &decoded {
            let raw: Value = serde_json::from_slice(&bytes).unwrap();
            assert_eq!(answer_json(answer), raw["result"], "{}", sample.name);
        }
        if let Ok(Err(error)) = &decoded {
            let raw: Value = serde_json::from_slice(&bytes).unwrap();
            assert_eq!(
                serde_json::to_value(error).unwrap(),
                raw["error"],
                "{}",
                sample.name
            );
        }
    }
}

#[test]
fn recorded_ping_and_describe() {
    let Answer::Ping(ping) = answer("ping") else {
        panic!()
    };
    assert!(ping.uptime_ms > 0);
    let Answer::Describe(describe) = answer("describe") else {
        panic!()
    };
    assert_eq!(describe.dialect, "GNU Smalltalk");
    assert_eq!(describe.dialect_version, "3.2.5");
    assert_eq!(describe.protocol, PROTOCOL_VERSION);
    let types: BTreeSet<&str> = describe.types.iter().map(String::as_str).collect();
    assert_eq!(types, all_types());
    assert_eq!(describe.max_message_bytes, 16 * 1024 * 1024);
    assert!(describe.server.starts_with("stui-gst"));
}

#[test]
fn recorded_evaluate_transcript_inspect_release() {
    let Answer::Evaluate(evaluate) = answer("evaluate") else {
        panic!()
    };
    assert_eq!(evaluate.print, "7");
    assert_eq!(evaluate.class, "SmallInteger");
    assert!(!evaluate.truncated);
    assert_eq!(evaluate.output, "seven\n");
    assert!(!evaluate.handle.is_empty());

    let Answer::Transcript(transcript) = answer("transcript") else {
        panic!()
    };
    assert!(transcript.text.contains("seven\n"), "{transcript:?}");
    assert!(transcript.next.is_u64());
    assert_eq!(transcript.dropped, None);

    let Answer::Inspect(inspect) = answer("inspect") else {
        panic!()
    };
    assert_eq!(inspect.class, "OrderedCollection");
    assert_eq!(inspect.size, 2);
    let elements: Vec<(u64, &str, &str)> = inspect
        .elements
        .iter()
        .map(|e| (e.index, e.print.as_str(), e.class.as_str()))
        .collect();
    assert_eq!(elements, [(1, "1", "SmallInteger"), (2, "'two'", "String")]);
    let fields: Vec<&str> = inspect.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(fields, ["firstIndex", "lastIndex"]);
    assert!(inspect.fields.iter().all(|f| !f.handle.is_empty()));
    assert_eq!((inspect.offset, inspect.truncated), (0, false));

    let Answer::Release(release) = answer("release") else {
        panic!()
    };
    assert_eq!(release.released, 1);
}

#[test]
fn recorded_browsing_replies() {
    let Answer::ListClasses(list) = answer("list_classes") else {
        panic!()
    };
    let ordered = list
        .classes
        .iter()
        .find(|class| class.name == "OrderedCollection")
        .expect("Ord* finds OrderedCollection");
    assert_eq!(
        ordered.superclass.as_deref(),
        Some("SequenceableCollection")
    );
    assert!(list.total >= list.classes.len() as u64);

    let Answer::Class(class) = answer("class") else {
        panic!()
    };
    assert_eq!(class.name, "Association");
    assert_eq!(class.superclass.as_deref(), Some("LookupKey"));
    assert_eq!(class.instance_variables, ["value"]);
    assert!(class.definition.contains("subclass: #Association"));
    assert!(class.comment.is_some());
    let value = class
        .methods
        .instance
        .iter()
        .find(|method| method.selector == "value")
        .expect("Association has #value");
    assert_eq!(value.protocol.as_deref(), Some("accessing"));
    assert!(!class.methods.class.is_empty());

    let Answer::Method(method) = answer("method") else {
        panic!()
    };
    assert_eq!(
        (method.class.as_str(), method.selector.as_str(), method.meta),
        ("Association", "value", false)
    );
    assert_eq!(method.protocol.as_deref(), Some("accessing"));
    // Classic Smalltalk-80 form: the pattern first, no bracket syntax.
    assert!(method.source.starts_with("value\n"), "{:?}", method.source);
    assert!(!method.source.contains("<category:"));

    let Answer::Compile(compile) = answer("compile") else {
        panic!()
    };
    assert_eq!(compile.selector, "answer");

    let Answer::Senders(senders) = answer("senders") else {
        panic!()
    };
    assert_eq!(senders.methods.len(), 3, "limit 3");
    assert!(senders.total > 3);
    let Answer::Implementors(implementors) = answer("implementors") else {
        panic!()
    };
    assert_eq!(implementors.methods.len(), 3, "limit 3");
    assert!(
        implementors
            .methods
            .iter()
            .all(|method| method.selector == "printOn:")
    );

    let Answer::Complete(complete) = answer("complete") else {
        panic!()
    };
    assert_eq!(complete.from, 0);
    assert!(complete.candidates.contains(&Candidate {
        text: "OrderedCollection".into(),
        kind: CandidateKind::Class
    }));
}

#[test]
fn recorded_interrupt_and_interrupted() {
    let Answer::Interrupt(interrupt) = answer("interrupt") else {
        panic!()
    };
    assert_eq!(interrupt.interrupted, 1);
    let interrupted = error("interrupted");
    assert_eq!(interrupted.code, ErrorCode::Interrupted);
    assert_eq!(
        interrupted.output.as_deref(),
        Some("stui-fixture-loop-running")
    );
}

#[test]
fn recorded_errors_carry_their_members() {
    let syntax = error("syntax_error");
    assert_eq!(syntax.code, ErrorCode::SyntaxError);
    assert_eq!((syntax.line, syntax.column), (Some(2), Some(12)));
    assert!(
        syntax
            .to_string()
            .starts_with("Syntax error at line 2, column 12")
    );

    let evaluation = error("evaluation_error");
    assert_eq!(evaluation.code, ErrorCode::EvaluationError);
    assert_eq!(evaluation.class.as_deref(), Some("ZeroDivide"));
    let stack = evaluation.stack.as_deref().unwrap();
    assert!(!stack.is_empty() && stack.len() <= 50);
    assert!(
        stack[0].contains("zeroDivide"),
        "innermost first: {stack:?}"
    );
    assert!(stack.last().unwrap().contains("UndefinedObject>>DoIt"));
    assert_eq!(evaluation.output.as_deref(), Some("dividing"));
    assert!(evaluation.to_string().starts_with("ZeroDivide: "));

    let missing = error("not_found");
    assert_eq!(
        (missing.code, missing.what.as_deref()),
        (ErrorCode::NotFound, Some("class"))
    );

    let timeout = error("timeout");
    assert_eq!(timeout.code, ErrorCode::Timeout);
    assert_eq!(timeout.details.timeout_ms, Some(300));
    assert_eq!(timeout.output.as_deref(), Some("waiting"));

    let unknown = error("unknown_type");
    assert_eq!(unknown.code, ErrorCode::UnknownType);
    assert_eq!(
        unknown.details.request_type.as_deref(),
        Some("stui_no_such_type")
    );

    let invalid = error("invalid_request");
    assert_eq!(invalid.code, ErrorCode::InvalidRequest);
    assert_eq!(invalid.field.as_deref(), Some("params.code"));
    assert!(invalid.to_string().contains("(field `params.code`)"));

    let not_json = error("invalid_request_not_json");
    assert_eq!(not_json.code, ErrorCode::InvalidRequest);
    assert!(not_json.details.position.is_some());
    let reply =
        Reply::from_json(std::str::from_utf8(&fixture("invalid_request_not_json")).unwrap())
            .unwrap();
    assert_eq!(reply.id, None, "an unreadable request's id is null");

    let version = error("unsupported_version");
    assert_eq!(version.code, ErrorCode::UnsupportedVersion);
    assert_eq!(version.supported, Some(vec![PROTOCOL_VERSION]));

    let large = error("too_large");
    assert_eq!(large.code, ErrorCode::TooLarge);
    assert!(large.details.size.unwrap() > large.details.max_message_bytes.unwrap());
}

/// Replays the recording script against a fresh real server: every live
/// reply must decode to the same outcome as its fixture and have the same
/// member paths, so the fixtures cannot silently go stale.
#[test]
fn live_server_replies_match_the_recorded_fixtures() {
    let server = common::TestServer::start();
    let recorded = reply_script::record(&server.address).expect("the script runs");
    assert_eq!(recorded.len(), reply_script::samples().len());
    for live in &recorded {
        reply_script::check_expectation(live).unwrap();
        let stored = fixture(live.name);
        assert_eq!(
            outcome(&client_decode(&live.reply, &live.decode_as)),
            outcome(&client_decode(&stored, &live.decode_as)),
            "{}",
            live.name
        );
        let live_json: Value = serde_json::from_slice(&live.reply).unwrap();
        let stored_json: Value = serde_json::from_slice(&stored).unwrap();
        assert_eq!(
            member_paths(&live_json),
            member_paths(&stored_json),
            "{}: the live reply has other members than {}.json (re-record with \
             `cargo run --release --example record_replies`)",
            live.name,
            live.name
        );
    }
}
