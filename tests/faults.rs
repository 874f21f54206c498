//! The client's handling of faults: lost replies, garbage, a dead server.
//! Fake ROUTER servers stand in only to produce the faults.

mod common;

use std::thread;
use std::time::{Duration, Instant};

use common::{TestServer, free_port, next_event, spawn_bridge};
use serde_json::{Value, json};
use stui::net::{BridgeCommand, Client, ClientOptions, NetError, NetEvent};
use stui::protocol::{Request, RequestBody};

/// A ROUTER on `address` that hands each request body to `answer`, which
/// answers the reply to send, or None to drop the request. Serves `count` requests.
fn fake_server(
    address: &str,
    count: usize,
    mut answer: impl FnMut(usize, &Value) -> Option<Vec<u8>> + Send + 'static,
) -> thread::JoinHandle<Vec<Value>> {
    let context = zmq::Context::new();
    let socket = context.socket(zmq::ROUTER).unwrap();
    socket.set_linger(0).unwrap();
    socket.bind(address).unwrap();
    thread::spawn(move || {
        let _context = context;
        let mut seen = Vec::new();
        for n in 0..count {
            let frames = socket.recv_multipart(0).unwrap();
            let body: Value = serde_json::from_slice(frames.last().unwrap()).unwrap();
            if let Some(reply) = answer(n, &body) {
                socket
                    .send_multipart([frames[0].clone(), Vec::new(), reply], 0)
                    .unwrap();
            }
            seen.push(body);
        }
        seen
    })
}

fn pong(body: &Value) -> Vec<u8> {
    json!({"stui": 1, "id": body["id"], "ok": true, "result": {"uptime_ms": 1}})
        .to_string()
        .into_bytes()
}

fn options(timeout_ms: u64, tries: u32) -> ClientOptions {
    ClientOptions {
        request_timeout: Duration::from_millis(timeout_ms),
        tries,
        ..ClientOptions::default()
    }
}

#[test]
fn a_lost_reply_is_retried_with_the_same_id() {
    let address = format!("tcp://127.0.0.1:{}", free_port());
    // Drops the first request, answers the second.
    let server = fake_server(&address, 2, |n, body| (n == 1).then(|| pong(body)));
    let mut client = Client::new(&address, "s", options(300, 3));
    let reply = client.ping().expect("the second try is answered");
    assert!(reply.value.is_ok());
    let seen = server.join().unwrap();
    assert_eq!(seen[0]["id"], seen[1]["id"], "a retry resends the same id");
}

#[test]
fn no_reply_gives_up_after_the_configured_tries_and_time() {
    let address = format!("tcp://127.0.0.1:{}", free_port());
    let started = Instant::now();
    let mut client = Client::new(&address, "s", options(200, 3));
    match client.ping() {
        Err(NetError::NoReply { tries, .. }) => assert_eq!(tries, 3),
        other => panic!("expected NoReply, got {other:?}"),
    }
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(600), "{waited:?}");
    assert!(
        waited < Duration::from_secs(5),
        "gives up promptly: {waited:?}"
    );
}

#[test]
fn a_garbage_reply_is_an_error_not_a_crash() {
    let address = format!("tcp://127.0.0.1:{}", free_port());
    let server = fake_server(&address, 2, |n, body| {
        Some(if n == 0 {
            b"\x00\xffnot json at all".to_vec()
        } else {
            json!({"stui": 1, "id": body["id"], "ok": true})
                .to_string()
                .into_bytes()
        })
    });
    let mut client = Client::new(&address, "s", options(1000, 1));
    assert!(matches!(client.ping(), Err(NetError::Malformed(_))));
    let mut client = Client::new(&address, "s", options(1000, 1));
    assert!(
        matches!(client.ping(), Err(NetError::Malformed(_))),
        "ok without result"
    );
    server.join().unwrap();
}

#[test]
fn a_reply_for_another_id_is_refused() {
    let address = format!("tcp://127.0.0.1:{}", free_port());
    let server = fake_server(&address, 1, |_, _| {
        Some(
            json!({"stui": 1, "id": "someone-else", "ok": true, "result": {"uptime_ms": 1}})
                .to_string()
                .into_bytes(),
        )
    });
    let mut client = Client::new(&address, "s", options(1000, 1));
    assert!(matches!(client.ping(), Err(NetError::Malformed(why)) if why.contains("someone-else")));
    server.join().unwrap();
}

#[test]
fn the_bridge_reports_down_when_the_server_dies_and_fails_the_request() {
    let mut server = TestServer::start();
    let (bridge, inbox) = spawn_bridge(&server.address, options(300, 2), None, None);
    let next = || next_event(&inbox);
    bridge.send(BridgeCommand::Connect);
    assert!(matches!(next(), NetEvent::Connecting { .. }));
    assert!(matches!(next(), NetEvent::Connected { .. }));
    server.kill();
    let mut request = Request::new("lost", "s", RequestBody::evaluate("3 + 4"));
    if let RequestBody::Evaluate(params) = &mut request.body {
        params.timeout_ms = Some(100);
    }
    bridge.send(BridgeCommand::Send(request));
    match next() {
        NetEvent::Failed { id, reason } => {
            assert_eq!(id, "lost");
            assert!(reason.contains("no reply"), "{reason}");
        }
        other => panic!("expected Failed, got {other:?}"),
    }
    assert!(matches!(next(), NetEvent::Down { .. }));
    drop(bridge);
}

#[test]
fn the_bridge_heartbeat_notices_a_dead_server() {
    let server = TestServer::start();
    let (bridge, inbox) = spawn_bridge(
        &server.address,
        options(200, 2),
        Some(Duration::from_millis(100)),
        None,
    );
    bridge.send(BridgeCommand::Connect);
    let next = || next_event(&inbox);
    assert!(matches!(next(), NetEvent::Connecting { .. }));
    assert!(matches!(next(), NetEvent::Connected { .. }));
    assert!(
        matches!(next(), NetEvent::Alive { .. }),
        "a heartbeat answered reports the round trip"
    );
    drop(server);
    let down = loop {
        match next() {
            NetEvent::Alive { .. } => continue,
            other => break other,
        }
    };
    match down {
        NetEvent::Down { reason } => assert!(reason.contains("no reply"), "{reason}"),
        other => panic!("expected Down, got {other:?}"),
    }
}
