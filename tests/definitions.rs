//! Defining classes and methods from the workspace, against the real GNU
//! Smalltalk server: GNU Smalltalk's class syntax in evaluated code,
//! `compile:` with classic source, and the `file_in` request.

mod common;

use std::time::Duration;

use common::TestServer;
use serde_json::{Value, json};
use stui::net::{Client, ClientOptions};
use stui::protocol::ErrorCode;

fn client(server: &TestServer) -> Client {
    Client::new(
        &server.address,
        "s",
        ClientOptions {
            request_timeout: Duration::from_secs(10),
            tries: 1,
            ..ClientOptions::default()
        },
    )
}

fn print_of(session: &mut Client, code: &str) -> String {
    match session.evaluate(code).unwrap().value {
        Ok(value) => value.print,
        Err(error) => panic!("{code} failed: {error:?}"),
    }
}

/// Sends one request as JSON on a fresh REQ socket and answers the reply.
fn request(address: &str, kind: &str, params: Value) -> Value {
    let context = zmq::Context::new();
    let socket = context.socket(zmq::REQ).unwrap();
    socket.set_linger(0).unwrap();
    socket.set_rcvtimeo(10_000).unwrap();
    socket.connect(address).unwrap();
    let body = json!({"stui": 1, "id": "f1", "session": "s", "type": kind, "params": params});
    socket.send(body.to_string().as_bytes(), 0).unwrap();
    let reply = socket.recv_bytes(0).expect("a reply");
    serde_json::from_slice(&reply).expect("the reply is JSON")
}

#[test]
fn class_syntax_defines_and_extends_classes() {
    let server = TestServer::start();
    let mut session = client(&server);
    assert_eq!(
        print_of(&mut session, "Object subclass: Foo [ bar [ ^42 ] ]"),
        "Foo"
    );
    assert_eq!(print_of(&mut session, "Foo new bar"), "42");
    assert_eq!(print_of(&mut session, "Foo extend [ baz [ ^1 ] ]"), "Foo");
    assert_eq!(print_of(&mut session, "Foo new baz"), "1");
    assert_eq!(
        print_of(&mut session, "Foo class extend [ qux [ ^2 ] ].\nFoo qux"),
        "2"
    );
}

#[test]
fn a_syntax_error_in_class_syntax_has_its_position() {
    let server = TestServer::start();
    let mut session = client(&server);
    let error = session
        .evaluate("Object subclass: Foo [\n  bar [ ^ 1 + ]\n]")
        .unwrap()
        .value
        .unwrap_err();
    assert_eq!(error.code, ErrorCode::SyntaxError);
    assert_eq!((error.line, error.column), (Some(2), Some(15)), "{error:?}");
}

#[test]
fn classic_compile_lands_in_the_class() {
    let server = TestServer::start();
    let mut session = client(&server);
    print_of(
        &mut session,
        "Object subclass: #Account instanceVariableNames: 'balance' \
         classVariableNames: '' poolDictionaries: '' category: 'Bank'",
    );
    assert_eq!(
        print_of(
            &mut session,
            "Account compile: 'deposit: amount\n\tbalance := (balance ifNil: [0]) + amount'"
        ),
        "Account>>deposit:"
    );
    print_of(&mut session, "Account compile: 'balance ^balance'");
    assert_eq!(
        print_of(&mut session, "Account new deposit: 3; deposit: 4; balance"),
        "7"
    );
}

#[test]
fn a_syntax_error_in_a_compile_string_is_reported_with_its_position() {
    let server = TestServer::start();
    let mut session = client(&server);
    let error = session
        .evaluate("Object compile: 'broken\n\t^3 +'")
        .unwrap()
        .value
        .unwrap_err();
    assert_eq!(error.code, ErrorCode::EvaluationError);
    assert_eq!(error.class.as_deref(), Some("StuiCompileError"));
    assert!(
        error.message.contains("line 2, column 6"),
        "{}",
        error.message
    );
}

#[test]
fn file_in_reads_both_syntaxes_and_reports_errors_by_line() {
    let server = TestServer::start();
    let code = "Object subclass: #Bar\n\tinstanceVariableNames: 'a'\n\tclassVariableNames: ''\n\
                \tpoolDictionaries: ''\n\tcategory: 'Test'!\n\n\
                !Bar methodsFor: 'accessing'!\na\n\t^a ifNil: [7]! !\n\
                Bar extend [ b [ ^self a + 1 ] ]\n\
                1/0!\n";
    let reply = request(&server.address, "file_in", json!({"code": code}));
    assert_eq!(reply["ok"], json!(true), "{reply}");
    let result = &reply["result"];
    assert_eq!(result["classes"], json!(["Bar"]));
    assert_eq!(result["methods"], json!(["Bar>>a", "Bar>>b"]));
    assert_eq!(result["errors"][0]["line"], json!(11), "{result}");
    let mut session = client(&server);
    assert_eq!(print_of(&mut session, "Bar new b"), "8");
}
