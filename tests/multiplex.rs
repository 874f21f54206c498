//! One connection carries many requests at once, against the real server:
//! tools answer while an evaluation runs, a second evaluation does not wait
//! for the first, and an interrupt reaches the one it names.

mod common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use common::{TestServer, connected_bridge, next_event};
use stui::net::{
    Answer, BridgeCommand, BridgeSettings, ClientOptions, Connection, NetEvent, Outcome,
};
use stui::protocol::{ClassParams, CompleteParams, ErrorCode, Request, RequestBody};

fn options() -> ClientOptions {
    ClientOptions {
        request_timeout: Duration::from_secs(5),
        tries: 1,
        ..ClientOptions::default()
    }
}

fn bridge_to(server: &TestServer) -> (stui::net::Bridge, std::sync::mpsc::Receiver<NetEvent>) {
    let mut settings = BridgeSettings::new(&server.address, "multiplex");
    settings.options = options();
    connected_bridge(settings)
}

fn send(bridge: &stui::net::Bridge, id: &str, body: RequestBody) {
    bridge.send(BridgeCommand::Send(Request::new(id, "multiplex", body)));
}

/// The replies (or failures) of the bridge, by id, until `count` came;
/// each with how long after `since` it came.
fn answers(
    inbox: &std::sync::mpsc::Receiver<NetEvent>,
    count: usize,
    since: Instant,
) -> BTreeMap<String, (NetEvent, Duration)> {
    let mut seen = BTreeMap::new();
    while seen.len() < count {
        let event = next_event(inbox);
        if let NetEvent::Reply { id, .. } | NetEvent::Failed { id, .. } = &event {
            seen.insert(id.clone(), (event.clone(), since.elapsed()));
        }
    }
    seen
}

#[test]
fn class_and_complete_answer_while_an_evaluation_runs() {
    let server = TestServer::start();
    let (bridge, inbox) = bridge_to(&server);
    let started = Instant::now();
    send(
        &bridge,
        "slow",
        RequestBody::evaluate("[(Delay forSeconds: 5) wait] value. 'slow'"),
    );
    std::thread::sleep(Duration::from_millis(200));
    send(
        &bridge,
        "class",
        RequestBody::Class(ClassParams {
            name: "OrderedCollection".into(),
        }),
    );
    send(
        &bridge,
        "complete",
        RequestBody::Complete(CompleteParams {
            code: "Transcript sh".into(),
            cursor: 13,
        }),
    );
    let seen = answers(&inbox, 3, started);
    let (class, class_at) = &seen["class"];
    assert!(
        matches!(class, NetEvent::Reply { result: Ok(Answer::Class(c)), .. } if c.name == "OrderedCollection"),
        "{class:?}"
    );
    let (complete, complete_at) = &seen["complete"];
    assert!(
        matches!(complete, NetEvent::Reply { result: Ok(Answer::Complete(c)), .. }
            if c.candidates.iter().any(|candidate| candidate.text.starts_with("show"))),
        "{complete:?}"
    );
    let (slow, slow_at) = &seen["slow"];
    assert!(
        matches!(slow, NetEvent::Reply { result: Ok(_), .. }),
        "{slow:?}"
    );
    // Answered while the evaluation still ran, not after it.
    assert!(class_at < slow_at && complete_at < slow_at, "{seen:?}");
    assert!(*slow_at >= Duration::from_secs(5));
}

#[test]
fn a_second_evaluation_is_answered_before_a_slow_first_one() {
    let server = TestServer::start();
    let (bridge, inbox) = bridge_to(&server);
    let started = Instant::now();
    send(
        &bridge,
        "slow",
        RequestBody::evaluate("(Delay forSeconds: 3) wait. 111"),
    );
    send(&bridge, "quick", RequestBody::evaluate("6 * 7"));
    let first = match next_event(&inbox) {
        NetEvent::Reply { id, result, .. } => (id, result),
        other => panic!("expected a reply, got {other:?}"),
    };
    assert_eq!(first.0, "quick");
    assert!(matches!(&first.1, Ok(Answer::Evaluate(v)) if v.print == "42"));
    let seen = answers(&inbox, 1, started);
    match &seen["slow"] {
        (
            NetEvent::Reply {
                result: Ok(Answer::Evaluate(v)),
                ..
            },
            at,
        ) => {
            assert_eq!(v.print, "111");
            assert!(*at >= Duration::from_secs(3), "{at:?}");
        }
        other => panic!("expected the slow reply, got {other:?}"),
    }
}

#[test]
fn an_interrupt_on_the_same_connection_stops_the_evaluation_it_names() {
    let server = TestServer::start();
    let (bridge, inbox) = bridge_to(&server);
    let started = Instant::now();
    send(
        &bridge,
        "endless",
        RequestBody::evaluate("[true] whileTrue"),
    );
    send(
        &bridge,
        "sleeper",
        RequestBody::evaluate("(Delay forSeconds: 2) wait. #slept"),
    );
    std::thread::sleep(Duration::from_millis(300));
    bridge.send(BridgeCommand::Interrupt {
        target: Some("endless".into()),
    });
    let seen = answers(&inbox, 2, started);
    match &seen["endless"] {
        (
            NetEvent::Reply {
                result: Err(error), ..
            },
            at,
        ) => {
            assert_eq!(error.code, ErrorCode::Interrupted, "{error:?}");
            assert!(*at < Duration::from_secs(2), "stopped at once: {at:?}");
        }
        other => panic!("expected interrupted, got {other:?}"),
    }
    match &seen["sleeper"] {
        (
            NetEvent::Reply {
                result: Ok(Answer::Evaluate(v)),
                ..
            },
            _,
        ) => {
            assert_eq!(v.print, "#slept", "the other one ran to its end")
        }
        other => panic!("expected the sleeper's value, got {other:?}"),
    }
}

#[test]
fn the_connection_itself_answers_a_ping_while_an_evaluation_waits() {
    let server = TestServer::start();
    let mut connection = Connection::open(&server.address, "multiplex-raw", options()).unwrap();
    let slow = connection.new_request(RequestBody::evaluate("(Delay forSeconds: 2) wait. 1"));
    connection.submit(&slow, "slow").unwrap();
    let ping = connection.new_request(RequestBody::ping());
    let sent = Instant::now();
    connection.submit(&ping, "ping").unwrap();
    let mut order = Vec::new();
    while order.len() < 2 {
        connection.wait(None, Duration::from_millis(100)).unwrap();
        for outcome in connection.drain().unwrap() {
            match outcome {
                Outcome::Answered { tag, .. } => order.push((tag, sent.elapsed())),
                other => panic!("unexpected {other:?}"),
            }
        }
    }
    assert_eq!(order[0].0, "ping");
    assert!(order[0].1 < Duration::from_secs(1), "{order:?}");
    assert_eq!(order[1].0, "slow");
}
