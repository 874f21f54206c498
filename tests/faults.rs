//! The client's handling of faults: lost replies, garbage, a dead server.
//! Fake ROUTER servers stand in only to produce the faults.

mod common;

use std::sync::atomic::Ordering;
use std::sync::mpsc::Receiver;
use std::thread;
use std::time::{Duration, Instant};

use common::{
    Background, TestServer, connected_bridge, free_port, next_event, spawn_bridge,
    spawn_bridge_with,
};
use serde_json::{Value, json};
use stui::net::{
    Answer, BridgeCommand, BridgeSettings, Client, ClientOptions, NetError, NetEvent, Reconnect,
};
use stui::protocol::{Request, RequestBody};

/// A ROUTER on `address` that hands each request body to `answer`, which
/// answers the reply to send, or None to drop the request. Serves `count` requests.
fn fake_server(
    address: &str,
    count: usize,
    mut answer: impl FnMut(usize, &Value) -> Option<Vec<u8>> + Send + 'static,
) -> thread::JoinHandle<Vec<Value>> {
    fake_server_frames(address, count, move |n, body| {
        answer(n, body).map(|reply| vec![reply])
    })
}

/// As `fake_server`, but `answer` gives the reply's body frames (the
/// protocol allows one).
fn fake_server_frames(
    address: &str,
    count: usize,
    mut answer: impl FnMut(usize, &Value) -> Option<Vec<Vec<u8>>> + Send + 'static,
) -> thread::JoinHandle<Vec<Value>> {
    let context = zmq::Context::new();
    let socket = context.socket(zmq::ROUTER).unwrap();
    // Replies still in flight when the thread ends are delivered, not dropped.
    socket.set_linger(2000).unwrap();
    socket.bind(address).unwrap();
    thread::spawn(move || {
        let _context = context;
        let mut seen = Vec::new();
        for n in 0..count {
            let frames = socket.recv_multipart(0).unwrap();
            let body: Value = serde_json::from_slice(frames.last().unwrap()).unwrap();
            if let Some(reply) = answer(n, &body) {
                let envelope = [frames[0].clone(), Vec::new()];
                socket
                    .send_multipart(envelope.into_iter().chain(reply), 0)
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
fn a_reply_for_another_id_is_never_taken_and_the_request_is_asked_again() {
    let address = format!("tcp://127.0.0.1:{}", free_port());
    // The first answer carries an old request's id, the second the right one.
    let server = fake_server(&address, 2, |n, body| {
        let id = if n == 0 {
            json!("an-old-request")
        } else {
            body["id"].clone()
        };
        Some(
            json!({"stui": 1, "id": id, "ok": true, "result": {"uptime_ms": n}})
                .to_string()
                .into_bytes(),
        )
    });
    let mut client = Client::new(&address, "s", options(1000, 3));
    let reply = client.ping().expect("the second answer is the right one");
    assert_eq!(
        reply.value.unwrap().uptime_ms,
        1,
        "not the stray reply's value"
    );
    let seen = server.join().unwrap();
    assert_eq!(seen[0]["id"], seen[1]["id"], "asked again with the same id");

    // A server that only ever answers with other ids gets a clear error.
    let address = format!("tcp://127.0.0.1:{}", free_port());
    let server = fake_server(&address, 2, |_, _| {
        Some(
            json!({"stui": 1, "id": "someone-else", "ok": true, "result": {"uptime_ms": 1}})
                .to_string()
                .into_bytes(),
        )
    });
    let mut client = Client::new(&address, "s", options(1000, 2));
    assert!(matches!(client.ping(), Err(NetError::Malformed(why)) if why.contains("someone-else")));
    server.join().unwrap();
}

#[test]
fn a_reply_over_the_limit_is_refused_with_its_size() {
    let address = format!("tcp://127.0.0.1:{}", free_port());
    let server = fake_server(&address, 1, |_, body| {
        // Over the limit, under the socket's own ceiling (4x the limit).
        let print = "x".repeat(30_000);
        Some(
            json!({"stui": 1, "id": body["id"], "ok": true, "result": {"uptime_ms": 1, "pad": print}})
                .to_string()
                .into_bytes(),
        )
    });
    let mut client = Client::new(
        &address,
        "s",
        ClientOptions {
            max_reply_bytes: 10_000,
            ..options(2000, 1)
        },
    );
    match client.ping() {
        Err(error @ NetError::TooLarge { bytes, limit }) => {
            assert!(bytes > 30_000 && limit == 10_000, "{error}");
            assert!(error.to_string().contains("max_reply_bytes"), "{error}");
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }
    server.join().unwrap();
}

// -- the bridge in front of the real server, through a proxy that injects faults

/// What the proxy does to one reply on its way back to the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    Pass,
    Drop,
    /// Delivered after this long (to a socket the client may have closed).
    Late(Duration),
    Garbage,
}

/// A ROUTER/DEALER proxy on a fresh loopback address in front of
/// `backend`: the n-th reply (counting from 0) suffers `faults[n]`, later
/// ones pass. Stops when dropped.
struct FaultProxy {
    address: String,
    _serving: Background,
}

impl FaultProxy {
    fn start(backend: &str, faults: Vec<Fault>) -> Self {
        let address = format!("tcp://127.0.0.1:{}", free_port());
        let context = zmq::Context::new();
        let front = context.socket(zmq::ROUTER).unwrap();
        front.set_linger(0).unwrap();
        front.bind(&address).unwrap();
        let back = context.socket(zmq::DEALER).unwrap();
        back.set_linger(0).unwrap();
        back.connect(backend).unwrap();
        let serving = Background::spawn(move |stop| {
            let _context = context;
            let mut replies = 0;
            let mut late: Vec<(Instant, Vec<Vec<u8>>)> = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let mut items = [
                    front.as_poll_item(zmq::POLLIN),
                    back.as_poll_item(zmq::POLLIN),
                ];
                zmq::poll(&mut items, 20).unwrap();
                if items[0].is_readable() {
                    let frames = front.recv_multipart(0).unwrap();
                    back.send_multipart(frames, 0).unwrap();
                }
                if items[1].is_readable() {
                    let mut frames = back.recv_multipart(0).unwrap();
                    let fault = faults.get(replies).copied().unwrap_or(Fault::Pass);
                    replies += 1;
                    match fault {
                        Fault::Pass => front.send_multipart(frames, 0).unwrap(),
                        Fault::Drop => {}
                        Fault::Late(after) => late.push((Instant::now() + after, frames)),
                        Fault::Garbage => {
                            *frames.last_mut().unwrap() = b"\x00garbage{".to_vec();
                            front.send_multipart(frames, 0).unwrap();
                        }
                    }
                }
                let now = Instant::now();
                for (_, frames) in late.extract_if(.., |(due, _)| *due <= now) {
                    // The client's socket may be gone: then the reply is lost.
                    let _ = front.send_multipart(frames, zmq::DONTWAIT);
                }
            }
        });
        Self {
            address,
            _serving: serving,
        }
    }
}

fn evaluate(id: &str, code: &str) -> BridgeCommand {
    BridgeCommand::Send(Request::new(id, "bridge-test", RequestBody::evaluate(code)))
}

/// The events up to and including the reply (or failure) for `id`.
fn events_until_answer(inbox: &Receiver<NetEvent>, id: &str) -> Vec<NetEvent> {
    let mut seen = Vec::new();
    loop {
        let event = next_event(inbox);
        let done = matches!(&event, NetEvent::Reply { id: got, .. } | NetEvent::Failed { id: got, .. } if got == id);
        seen.push(event);
        if done {
            return seen;
        }
    }
}

fn print_of(event: &NetEvent) -> &str {
    match event {
        NetEvent::Reply {
            result: Ok(Answer::Evaluate(value)),
            ..
        } => &value.print,
        other => panic!("expected an evaluation's value, got {other:?}"),
    }
}

/// Asks the real server directly how often the counter `name` was bumped.
fn counter(server: &TestServer, name: &str) -> String {
    let mut client = Client::new(&server.address, "observer", options(5000, 1));
    client
        .evaluate(&format!("Smalltalk at: #{name} ifAbsent: [0]"))
        .unwrap()
        .value
        .unwrap()
        .print
}

fn bump(name: &str) -> String {
    format!("Smalltalk at: #{name} put: (Smalltalk at: #{name} ifAbsent: [0]) + 1")
}

#[test]
fn a_dropped_reply_is_asked_again_and_the_real_server_runs_the_code_once() {
    let server = TestServer::start();
    // Reply 0 is describe's; the evaluation's first and then a ping's first
    // are lost.
    let faults = vec![Fault::Pass, Fault::Drop, Fault::Pass, Fault::Drop];
    let proxy = FaultProxy::start(&server.address, faults);
    let mut settings = BridgeSettings::new(&proxy.address, "bridge-test");
    settings.options = options(700, 3);
    let (bridge, inbox) = connected_bridge(settings);
    // An evaluation is asked again at once while it may still run: the
    // server answers the resend from its reply cache.
    bridge.send(evaluate("e1", &bump("StuiFaultDropped")));
    let events = events_until_answer(&inbox, "e1");
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(print_of(&events[0]), "1");
    assert_eq!(counter(&server, "StuiFaultDropped"), "1", "executed once");
    // A plain request's retry is a counted try the UI hears about.
    bridge.send(BridgeCommand::Send(Request::new(
        "p1",
        "bridge-test",
        RequestBody::ping(),
    )));
    let events = events_until_answer(&inbox, "p1");
    assert!(
        matches!(&events[0], NetEvent::Retrying { id, attempt: 2, tries: 3, request_type } if id == "p1" && request_type == "ping"),
        "{events:?}"
    );
    assert!(
        matches!(
            &events[1],
            NetEvent::Reply {
                result: Ok(Answer::Ping(_)),
                ..
            }
        ),
        "{events:?}"
    );
}

#[test]
fn a_late_reply_is_never_taken_for_a_newer_request() {
    let server = TestServer::start();
    // The evaluation's first reply arrives after the client gave up on that try.
    let proxy = FaultProxy::start(
        &server.address,
        vec![Fault::Pass, Fault::Late(Duration::from_millis(1500))],
    );
    let mut settings = BridgeSettings::new(&proxy.address, "bridge-test");
    settings.options = options(600, 3);
    let (bridge, inbox) = connected_bridge(settings);
    bridge.send(evaluate(
        "first",
        &format!("{}. 'first'", bump("StuiFaultLate")),
    ));
    bridge.send(evaluate("second", "'second'"));
    bridge.send(evaluate("third", "'third'"));
    // All three are in flight at once: replies come in any order.
    let mut answers = std::collections::BTreeMap::new();
    while answers.len() < 3 {
        let event = next_event(&inbox);
        if let NetEvent::Reply { id, .. } = &event {
            answers.insert(id.clone(), print_of(&event).to_string());
        }
    }
    let expected = [
        ("first", "'first'"),
        ("second", "'second'"),
        ("third", "'third'"),
    ];
    assert_eq!(
        answers,
        expected
            .map(|(id, print)| (id.to_string(), print.to_string()))
            .into(),
        "each reply to its own request"
    );
    // Let the late reply arrive: nobody takes it.
    thread::sleep(Duration::from_millis(1200));
    bridge.send(evaluate("fourth", "'fourth'"));
    let events = events_until_answer(&inbox, "fourth");
    assert_eq!(print_of(events.last().unwrap()), "'fourth'");
    assert_eq!(counter(&server, "StuiFaultLate"), "1", "executed once");
}

#[test]
fn a_garbage_reply_fails_that_request_and_the_next_one_works() {
    let server = TestServer::start();
    let proxy = FaultProxy::start(&server.address, vec![Fault::Pass, Fault::Garbage]);
    let mut settings = BridgeSettings::new(&proxy.address, "bridge-test");
    settings.options = options(2000, 3);
    let (bridge, inbox) = connected_bridge(settings);
    bridge.send(evaluate("spoiled", "3 + 4"));
    match events_until_answer(&inbox, "spoiled").last().unwrap() {
        NetEvent::Failed { reason, .. } => assert!(reason.contains("unreadable reply"), "{reason}"),
        other => panic!("expected Failed, got {other:?}"),
    }
    bridge.send(evaluate("fine", "6 * 7"));
    let events = events_until_answer(&inbox, "fine");
    assert_eq!(events.len(), 1, "still connected, no retry: {events:?}");
    assert_eq!(print_of(&events[0]), "42");
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
    assert!(matches!(next(), NetEvent::Retrying { attempt: 2, .. }));
    match next() {
        NetEvent::Failed { id, reason } => {
            assert_eq!(id, "lost");
            assert!(reason.contains("no reply"), "{reason}");
        }
        other => panic!("expected Failed, got {other:?}"),
    }
    match next() {
        NetEvent::Down { retry_in_ms, .. } => {
            assert_eq!(retry_in_ms, None, "reconnection is off in these settings")
        }
        other => panic!("expected Down, got {other:?}"),
    }
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
            NetEvent::Alive { .. } | NetEvent::Retrying { .. } => continue,
            other => break other,
        }
    };
    match down {
        NetEvent::Down { reason, .. } => assert!(reason.contains("no reply"), "{reason}"),
        other => panic!("expected Down, got {other:?}"),
    }
}

#[test]
fn killed_in_the_middle_of_an_evaluation_the_server_comes_back_and_the_bridge_reconnects_alone() {
    let mut server = TestServer::start();
    let address = server.address.clone();
    let mut settings = BridgeSettings::new(&address, "bridge-test");
    settings.options = options(500, 2);
    settings.heartbeat = Some(Duration::from_millis(300));
    settings.reconnect = Some(Reconnect {
        first: Duration::from_millis(200),
        max: Duration::from_millis(800),
    });
    let (bridge, inbox) = connected_bridge(settings);
    let first_pid = server.pid();
    bridge.send(evaluate("slow", "(Delay forSeconds: 20) wait. 1"));
    thread::sleep(Duration::from_millis(300));
    server.kill();
    let events = events_until_answer(&inbox, "slow");
    assert!(
        matches!(events.last().unwrap(), NetEvent::Failed { reason, .. } if reason.contains("stopped answering")),
        "{events:?}"
    );
    match next_event(&inbox) {
        NetEvent::Down { retry_in_ms, .. } => assert!(retry_in_ms.is_some()),
        other => panic!("expected Down, got {other:?}"),
    }
    // Nothing is there for a while: the reconnection tries keep failing.
    thread::sleep(Duration::from_millis(1500));
    let restarted = TestServer::start_at(&address, &[]);
    let info = loop {
        match next_event(&inbox) {
            NetEvent::Connected { info, .. } => break info,
            NetEvent::Connecting { .. } | NetEvent::Down { .. } => continue,
            other => panic!("expected reconnection events, got {other:?}"),
        }
    };
    assert_eq!(info.pid, u64::from(restarted.pid()));
    assert_ne!(info.pid, u64::from(first_pid));
    bridge.send(evaluate("after", "3 + 4"));
    let events = events_until_answer(&inbox, "after");
    assert_eq!(print_of(events.last().unwrap()), "7");
}

#[test]
fn a_fake_server_that_closes_and_comes_back_is_reconnected_to() {
    let address = format!("tcp://127.0.0.1:{}", free_port());
    let describe = |body: &Value| {
        json!({"stui": 1, "id": body["id"], "ok": true, "result": {
            "server": "fake 1", "dialect": "Fake", "dialect_version": "1", "protocol": 1,
            "types": ["ping", "describe"], "max_message_bytes": 1000, "pid": 7,
            "image": null, "uptime_ms": 1}})
        .to_string()
        .into_bytes()
    };
    // Answers describe, then takes one request and closes without answering.
    let first = fake_server(&address, 2, move |n, body| (n == 0).then(|| describe(body)));
    let mut settings = BridgeSettings::new(&address, "bridge-test");
    settings.options = options(300, 2);
    settings.reconnect = Some(Reconnect {
        first: Duration::from_millis(100),
        max: Duration::from_millis(300),
    });
    let (bridge, inbox) = connected_bridge(settings);
    bridge.send(BridgeCommand::Send(Request::new(
        "p",
        "bridge-test",
        RequestBody::ping(),
    )));
    first.join().unwrap();
    let events = events_until_answer(&inbox, "p");
    assert!(
        matches!(events.last().unwrap(), NetEvent::Failed { .. }),
        "{events:?}"
    );
    assert!(matches!(
        next_event(&inbox),
        NetEvent::Down {
            retry_in_ms: Some(_),
            ..
        }
    ));
    // Back again: the bridge finds it on its own.
    let second = fake_server(&address, 1, move |_, body| Some(describe(body)));
    loop {
        match next_event(&inbox) {
            NetEvent::Connected { info, .. } => {
                assert_eq!(info.server, "fake 1");
                break;
            }
            NetEvent::Connecting { .. } | NetEvent::Down { .. } => continue,
            other => panic!("expected reconnection events, got {other:?}"),
        }
    }
    second.join().unwrap();
    drop(bridge);
}

#[test]
fn failover_uses_the_first_backup_that_answers() {
    let server = TestServer::start();
    let dead = format!("tcp://127.0.0.1:{}", free_port());
    let also_dead = format!("tcp://127.0.0.1:{}", free_port());
    let mut settings = BridgeSettings::new(&dead, "bridge-test");
    settings.addresses = vec![dead.clone(), also_dead.clone(), server.address.clone()];
    settings.options = options(300, 3);
    let (bridge, inbox) = spawn_bridge_with(settings);
    bridge.send(BridgeCommand::Connect);
    let mut tried = Vec::new();
    let info = loop {
        match next_event(&inbox) {
            NetEvent::Connecting { address, .. } => tried.push(address),
            NetEvent::Connected { info, .. } => break info,
            other => panic!("expected Connecting or Connected, got {other:?}"),
        }
    };
    assert_eq!(tried, [dead, also_dead, server.address.clone()], "in order");
    assert_eq!(info.address, server.address);
    assert_eq!(info.backup, 2);
    bridge.send(evaluate("e", "3 + 4"));
    assert_eq!(
        print_of(events_until_answer(&inbox, "e").last().unwrap()),
        "7"
    );
}

#[test]
fn requests_go_out_at_once_beside_a_running_one_and_too_many_are_refused_clearly() {
    let server = TestServer::start();
    let mut settings = BridgeSettings::new(&server.address, "bridge-test");
    settings.options = options(5000, 1);
    settings.max_in_flight = 3;
    let (bridge, inbox) = connected_bridge(settings);
    bridge.send(evaluate(
        "slow",
        "(Delay forMilliseconds: 1500) wait. 'slow'",
    ));
    for id in ["q1", "q2", "q3"] {
        bridge.send(evaluate(id, &format!("'{id}'")));
    }
    let mut order = Vec::new();
    while order.len() < 4 {
        match next_event(&inbox) {
            NetEvent::Reply { id, .. } => order.push(id),
            NetEvent::Failed { id, reason } => {
                assert_eq!(id, "q3");
                assert!(reason.contains("max_in_flight"), "{reason}");
                order.push(id);
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(order[0], "q3", "refused at once");
    assert_eq!(
        order[3], "slow",
        "the others did not wait for it: {order:?}"
    );
}

// -- reply validation and the instance rule

fn reply_bytes(id: &Value, result: Value) -> Vec<u8> {
    json!({"stui": 1, "id": id, "ok": true, "result": result})
        .to_string()
        .into_bytes()
}

#[test]
fn a_reply_with_a_null_id_is_ignored_and_the_right_one_awaited() {
    let address = format!("tcp://127.0.0.1:{}", free_port());
    let server = fake_server(&address, 2, |n, body| {
        let id = if n == 0 {
            Value::Null
        } else {
            body["id"].clone()
        };
        Some(reply_bytes(&id, json!({"uptime_ms": n})))
    });
    // One try: the right reply must come within it, not through a retry.
    let mut client = Client::new(&address, "s", options(2000, 1));
    let reply = client.ping().expect("the reply with the right id is taken");
    assert_eq!(reply.value.unwrap().uptime_ms, 1, "not the null-id reply");
    server.join().unwrap();
}

#[test]
fn a_multi_frame_reply_is_refused_and_the_socket_stays_in_step() {
    let address = format!("tcp://127.0.0.1:{}", free_port());
    // The first reply has a second body frame.
    let server = fake_server_frames(&address, 2, |n, body| {
        let mut reply = vec![pong(body)];
        if n == 0 {
            reply.push(b"a second frame".to_vec());
        }
        Some(reply)
    });
    let mut client = Client::new(&address, "s", options(2000, 1));
    match client.ping() {
        Err(NetError::Malformed(why)) => assert!(why.contains("2 frames"), "{why}"),
        other => panic!("expected Malformed, got {other:?}"),
    }
    let next = client.ping().expect("the same client is still usable");
    assert!(next.value.is_ok());
    server.join().unwrap();
}

#[test]
fn a_reply_over_the_socket_ceiling_is_reported_too_large_not_as_no_reply() {
    let address = format!("tcp://127.0.0.1:{}", free_port());
    let server = fake_server(&address, 3, |n, body| {
        let result = match n {
            // 4x the limit is the socket's ceiling: this one it drops unread.
            1 => json!({"uptime_ms": 1, "instance": "i1", "pad": "x".repeat(50_000)}),
            _ => json!({"uptime_ms": 1, "instance": "i1"}),
        };
        Some(reply_bytes(&body["id"], result))
    });
    let mut client = Client::new(
        &address,
        "s",
        ClientOptions {
            max_reply_bytes: 10_000,
            ..options(5000, 1)
        },
    );
    client.ping().expect("a small reply");
    let started = Instant::now();
    match client.ping() {
        Err(error @ NetError::ReplyOverCeiling { .. }) => assert!(
            error
                .to_string()
                .contains("the reply was too large (over 40000 bytes)"),
            "{error}"
        ),
        other => panic!("expected ReplyOverCeiling, got {other:?}"),
    }
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "told before the timeout: {:?}",
        started.elapsed()
    );
    server.join().unwrap();
}

#[test]
fn requests_that_run_code_carry_the_instance_pings_do_not() {
    let address = format!("tcp://127.0.0.1:{}", free_port());
    let server = fake_server(&address, 3, |n, body| {
        Some(match n {
            0 => reply_bytes(&body["id"], json!({"uptime_ms": 1, "instance": "i1"})),
            1 => reply_bytes(
                &body["id"],
                json!({"print": "7", "class": "SmallInteger", "truncated": false,
                       "handle": "h", "output": "", "duration_us": 1}),
            ),
            _ => pong(body),
        })
    });
    let mut client = Client::new(&address, "s", options(2000, 1));
    client.ping().unwrap();
    assert_eq!(client.instance(), Some("i1"));
    client.evaluate("3 + 4").unwrap();
    client.ping().unwrap();
    let seen = server.join().unwrap();
    assert_eq!(seen[0].get("instance"), None);
    assert_eq!(seen[1]["instance"], "i1");
    assert_eq!(seen[2].get("instance"), None);
}

#[test]
fn an_evaluation_in_flight_when_the_server_restarts_is_not_run_again() {
    let mut server = TestServer::start();
    let address = server.address.clone();
    let mut client = Client::new(&address, "s", options(500, 2));
    client.ping().unwrap();
    let flag = "StuiRanAfterRestart";
    let asker = thread::spawn(move || {
        let code = format!("(Delay forSeconds: 2) wait. Smalltalk at: #{flag} put: true");
        client.evaluate(&code)
    });
    thread::sleep(Duration::from_millis(400));
    server.kill();
    let restarted = TestServer::start_at(&address, &[]);
    let outcome = asker.join().unwrap().expect("the new server answers");
    let error = outcome.value.expect_err("refused, not run");
    assert_eq!(error.code, stui::protocol::ErrorCode::ServerRestarted);
    assert!(error.details.instance.is_some());
    assert!(
        error.to_string().contains("its outcome is unknown"),
        "{error}"
    );
    thread::sleep(Duration::from_millis(2500));
    let mut checker = Client::new(&restarted.address, "t", options(2000, 1));
    let ran = checker
        .evaluate(&format!("Smalltalk includesKey: #{flag}"))
        .unwrap()
        .value
        .unwrap();
    assert_eq!(
        ran.print, "false",
        "the resend did not run on the new server"
    );
}
