//! The server's transport security seen from the socket: handshake events
//! of an authorized key, an unknown key and a plaintext client; the key
//! endpoint; and SIGHUP re-reading the authorized keys. (What a user sees
//! of it through stui is in tests/security.rs.)

mod common;

use std::time::{Duration, Instant};

use common::security::{CurveServer, Keys, authorized_line, set_curve};

/// A REQ socket to `address`: CURVE with `client` keys and the server's
/// public key, or plaintext; with a monitor of its handshake events.
fn connect(
    context: &zmq::Context,
    address: &str,
    curve: Option<(&Keys, &str)>,
) -> (zmq::Socket, zmq::Socket) {
    let socket = context.socket(zmq::REQ).expect("a socket");
    socket.set_linger(0).expect("linger");
    if let Some((client, server)) = curve {
        set_curve(&socket, server, client);
    }
    let monitor_endpoint = format!("inproc://monitor-{}", uuid::Uuid::new_v4());
    socket
        .monitor(&monitor_endpoint, zmq::SocketEvent::ALL as i32)
        .expect("a monitor");
    let monitor = context.socket(zmq::PAIR).expect("a socket");
    monitor
        .connect(&monitor_endpoint)
        .expect("the monitor connects");
    socket.connect(address).expect("connect");
    (socket, monitor)
}

/// The reply to a ping, or None when none came within `timeout`.
fn ping(socket: &zmq::Socket, timeout: Duration) -> Option<String> {
    socket
        .set_rcvtimeo(timeout.as_millis() as i32)
        .expect("timeout");
    // A session of its own: a session belongs to the key that opened it.
    let request = format!(
        r#"{{"stui":1,"id":"p1","type":"ping","session":"{}","params":{{}}}}"#,
        uuid::Uuid::new_v4()
    );
    socket
        .send(request.as_str(), 0)
        .expect("the request is queued");
    socket
        .recv_string(0)
        .ok()
        .map(|reply| reply.expect("UTF-8"))
}

/// The (event, value) pairs the monitor saw within `wait`.
fn events(monitor: &zmq::Socket, wait: Duration) -> Vec<(u16, u32)> {
    let deadline = Instant::now() + wait;
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        if monitor.poll(zmq::POLLIN, 50).expect("poll") > 0 {
            let frames = monitor.recv_multipart(0).expect("an event");
            let head = &frames[0];
            let event = u16::from_le_bytes([head[0], head[1]]);
            let value = u32::from_le_bytes([head[2], head[3], head[4], head[5]]);
            seen.push((event, value));
        }
    }
    seen
}

const HANDSHAKE_FAILED_NO_DETAIL: u16 = 0x0800;
const HANDSHAKE_SUCCEEDED: u16 = 0x1000;
const HANDSHAKE_FAILED_PROTOCOL: u16 = 0x2000;
const HANDSHAKE_FAILED_AUTH: u16 = 0x4000;

fn assert_answered(reply: Option<String>) {
    let reply = reply.expect("the server answers an authorized key");
    assert!(reply.contains(r#""ok":true"#), "{reply}");
}

#[test]
fn authorized_key_is_served_unknown_key_and_plaintext_are_refused() {
    let alice = Keys::generate();
    let server = CurveServer::start(&[authorized_line(&alice, "full", "alice")], &[]);
    let context = zmq::Context::new();
    let address = server.address.clone();

    let (socket, monitor) = connect(&context, &address, Some((&alice, &server.keys.public)));
    assert_answered(ping(&socket, Duration::from_secs(5)));
    assert!(events(&monitor, Duration::from_millis(100)).contains(&(HANDSHAKE_SUCCEEDED, 0)));

    // The server's own key is always authorized (the local supervisor uses it).
    let (socket, _monitor) = connect(
        &context,
        &address,
        Some((&server.keys, &server.keys.public)),
    );
    assert_answered(ping(&socket, Duration::from_secs(5)));

    let mallory = Keys::generate();
    let (socket, monitor) = connect(&context, &address, Some((&mallory, &server.keys.public)));
    assert_eq!(ping(&socket, Duration::from_millis(1500)), None);
    assert!(
        events(&monitor, Duration::from_millis(100)).contains(&(HANDSHAKE_FAILED_AUTH, 400)),
        "an unknown key fails the handshake with ZAP status 400"
    );

    let (socket, monitor) = connect(&context, &address, None);
    assert_eq!(ping(&socket, Duration::from_millis(1500)), None);
    // The server drops a plaintext peer at its greeting: libzmq reports a
    // mechanism mismatch, or (when the drop wins the race) a broken pipe.
    let seen = events(&monitor, Duration::from_millis(100));
    let failed = [HANDSHAKE_FAILED_PROTOCOL, HANDSHAKE_FAILED_NO_DETAIL];
    assert!(
        seen.iter().any(|(event, _)| failed.contains(event))
            && !seen.iter().any(|(event, _)| *event == HANDSHAKE_SUCCEEDED),
        "a plaintext client fails the handshake: {seen:x?}"
    );
    assert!(
        server.log().contains("refused unknown client key SHA256:"),
        "{}",
        server.log()
    );
}

#[test]
fn key_endpoint_tells_the_server_public_key_in_the_clear() {
    let server = CurveServer::start(&[], &[]);
    let context = zmq::Context::new();
    let (socket, _monitor) = connect(
        &context,
        &format!("tcp://127.0.0.1:{}", server.port() + 1),
        None,
    );
    socket.set_rcvtimeo(5000).expect("timeout");
    socket.send("key?", 0).expect("the request is queued");
    let reply = socket.recv_string(0).expect("a reply").expect("UTF-8");
    let reply: serde_json::Value = serde_json::from_str(&reply).expect("JSON");
    assert_eq!(reply["stui"], 1);
    assert_eq!(reply["public_key"], server.keys.public.as_str());
    let fingerprint = reply["fingerprint"].as_str().expect("a fingerprint");
    assert!(
        fingerprint.starts_with("SHA256:") && fingerprint.len() == 7 + 43,
        "{fingerprint}"
    );
    assert!(
        server.log().contains(&format!("server key {fingerprint}")),
        "{}",
        server.log()
    );
}

#[test]
fn sighup_after_removing_a_key_refuses_its_next_connection() {
    let alice = Keys::generate();
    let bob = Keys::generate();
    let server = CurveServer::start(
        &[
            authorized_line(&alice, "full", "alice"),
            authorized_line(&bob, "full", "bob"),
        ],
        &[],
    );
    let context = zmq::Context::new();
    let address = server.address.clone();
    let (socket, _monitor) = connect(&context, &address, Some((&alice, &server.keys.public)));
    assert_answered(ping(&socket, Duration::from_secs(5)));

    std::fs::write(
        &server.authorized_keys,
        authorized_line(&bob, "full", "bob"),
    )
    .unwrap();
    let pid = i32::try_from(server.pid()).expect("a pid");
    // SAFETY: kill(2) with the pid of our own child.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGHUP) }, 0);
    let reloaded = Instant::now();
    while !server.log().contains("SIGHUP") {
        assert!(
            reloaded.elapsed() < Duration::from_secs(10),
            "no reload logged: {}",
            server.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    let (socket, monitor) = connect(&context, &address, Some((&alice, &server.keys.public)));
    assert_eq!(ping(&socket, Duration::from_millis(1500)), None);
    assert!(events(&monitor, Duration::from_millis(100)).contains(&(HANDSHAKE_FAILED_AUTH, 400)));
    let (socket, _monitor) = connect(&context, &address, Some((&bob, &server.keys.public)));
    assert_answered(ping(&socket, Duration::from_secs(5)));
}
