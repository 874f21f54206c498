//! The server's transport security against the real GNU Smalltalk server:
//! with a server key it speaks CURVE only, lets in the keys of its
//! authorized_keys (re-read on SIGHUP), tells its public key on the key
//! endpoint, and refuses to start where that would be unsafe.

mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{TempDir, free_port, server_image};

/// A key pair and the Z85 text of its public key.
struct Keys {
    pair: zmq::CurveKeyPair,
    public: String,
}

fn new_keys() -> Keys {
    let pair = zmq::CurveKeyPair::new().expect("libzmq has CURVE");
    let public = zmq::z85_encode(&pair.public_key).expect("a 32-byte key encodes");
    Keys { pair, public }
}

/// The secret key file `stui keygen` writes, with mode `mode`.
fn write_key_file(dir: &Path, name: &str, keys: &Keys, mode: u32) -> PathBuf {
    let path = dir.join(name);
    let secret = zmq::z85_encode(&keys.pair.secret_key).expect("a 32-byte key encodes");
    let text = format!(
        "# STUI CURVE secret key (server). Keep it private: anyone holding it can act as this key.\n\
         public_key = \"{}\"\nsecret_key = \"{secret}\"\n",
        keys.public
    );
    fs::write(&path, text).expect("the key file is written");
    fs::set_permissions(&path, fs::Permissions::from_mode(mode)).expect("chmod");
    path
}

fn write_authorized_keys(path: &Path, keys: &[&Keys]) {
    let mut text = String::from("# test clients\n");
    for (i, each) in keys.iter().enumerate() {
        text.push_str(&format!("{} full client {i}\n", each.public));
    }
    fs::write(path, text).expect("authorized_keys is written");
}

/// The gst command of the saved server image with these arguments.
fn gst(endpoint: &str, log_file: &Path, args: &[&str]) -> Command {
    let image = server_image();
    let mut command = Command::new("gst");
    command
        .arg("-g")
        .arg("-I")
        .arg(&image.image)
        .arg(&image.start_file)
        .arg("-a")
        .args(["--endpoint", endpoint, "--log-file"])
        .arg(log_file)
        .args(args)
        .stdin(Stdio::null());
    command
}

/// A server with CURVE, killed on drop.
struct CurveServer {
    child: Child,
    port: u16,
    server_keys: Keys,
    authorized_keys: PathBuf,
    log_file: PathBuf,
    _dir: TempDir,
}

impl CurveServer {
    /// A server with a fresh key, listening on `host` (tcp), that lets in
    /// `clients`.
    fn start(host: &str, clients: &[&Keys]) -> Self {
        let dir = TempDir::new("curve-server");
        let server_keys = new_keys();
        let key_file = write_key_file(dir.path(), "server.key", &server_keys, 0o600);
        let authorized_keys = dir.path().join("authorized_keys");
        write_authorized_keys(&authorized_keys, clients);
        let port = free_port();
        let log_file = dir.path().join("server.log");
        let child = gst(&format!("tcp://{host}:{port}"), &log_file, &[])
            .arg("--server-key")
            .arg(&key_file)
            .arg("--authorized-keys")
            .arg(&authorized_keys)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("gst runs");
        let mut server = Self {
            child,
            port,
            server_keys,
            authorized_keys,
            log_file,
            _dir: dir,
        };
        server.wait_until_listening();
        server
    }

    fn wait_until_listening(&mut self) {
        let started = Instant::now();
        while !fs::read_to_string(&self.log_file).is_ok_and(|log| log.contains("CURVE on")) {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("the server exited during start-up: {status}");
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the server did not start within 30 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn address(&self) -> String {
        format!("tcp://127.0.0.1:{}", self.port)
    }

    fn log(&self) -> String {
        fs::read_to_string(&self.log_file).unwrap_or_default()
    }
}

impl Drop for CurveServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A REQ socket to `address`: CURVE with `client` keys and the server's
/// public key, or plaintext; with a monitor of its handshake events.
fn connect(
    context: &zmq::Context,
    address: &str,
    curve: Option<(&Keys, &Keys)>,
) -> (zmq::Socket, zmq::Socket) {
    let socket = context.socket(zmq::REQ).expect("a socket");
    socket.set_linger(0).expect("linger");
    if let Some((client, server)) = curve {
        socket
            .set_curve_serverkey(&server.pair.public_key)
            .expect("server key");
        socket
            .set_curve_publickey(&client.pair.public_key)
            .expect("public key");
        socket
            .set_curve_secretkey(&client.pair.secret_key)
            .expect("secret key");
    }
    let monitor_endpoint = format!("inproc://monitor-{}", free_port());
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

const HANDSHAKE_SUCCEEDED: u16 = 0x1000;
const HANDSHAKE_FAILED_PROTOCOL: u16 = 0x2000;
const HANDSHAKE_FAILED_AUTH: u16 = 0x4000;

fn assert_answered(reply: Option<String>) {
    let reply = reply.expect("the server answers an authorized key");
    assert!(reply.contains(r#""ok":true"#), "{reply}");
}

#[test]
fn authorized_key_is_served_unknown_key_and_plaintext_are_refused() {
    let alice = new_keys();
    let server = CurveServer::start("127.0.0.1", &[&alice]);
    let context = zmq::Context::new();
    let address = server.address();

    let (socket, monitor) = connect(&context, &address, Some((&alice, &server.server_keys)));
    assert_answered(ping(&socket, Duration::from_secs(5)));
    assert!(events(&monitor, Duration::from_millis(100)).contains(&(HANDSHAKE_SUCCEEDED, 0)));

    // The server's own key is always authorized (the local supervisor uses it).
    let (socket, _monitor) = connect(
        &context,
        &address,
        Some((&server.server_keys, &server.server_keys)),
    );
    assert_answered(ping(&socket, Duration::from_secs(5)));

    let mallory = new_keys();
    let (socket, monitor) = connect(&context, &address, Some((&mallory, &server.server_keys)));
    assert_eq!(ping(&socket, Duration::from_millis(1500)), None);
    assert!(
        events(&monitor, Duration::from_millis(100)).contains(&(HANDSHAKE_FAILED_AUTH, 400)),
        "an unknown key fails the handshake with ZAP status 400"
    );

    let (socket, monitor) = connect(&context, &address, None);
    assert_eq!(ping(&socket, Duration::from_millis(1500)), None);
    let seen = events(&monitor, Duration::from_millis(100));
    assert!(
        seen.iter()
            .any(|(event, _)| *event == HANDSHAKE_FAILED_PROTOCOL),
        "a plaintext client fails the handshake (mechanism mismatch): {seen:x?}"
    );
    assert!(
        server.log().contains("refused unknown client key SHA256:"),
        "{}",
        server.log()
    );
}

#[test]
fn key_endpoint_tells_the_server_public_key_in_the_clear() {
    let server = CurveServer::start("127.0.0.1", &[]);
    let context = zmq::Context::new();
    let (socket, _monitor) = connect(
        &context,
        &format!("tcp://127.0.0.1:{}", server.port + 1),
        None,
    );
    socket.set_rcvtimeo(5000).expect("timeout");
    socket.send("key?", 0).expect("the request is queued");
    let reply = socket.recv_string(0).expect("a reply").expect("UTF-8");
    let reply: serde_json::Value = serde_json::from_str(&reply).expect("JSON");
    assert_eq!(reply["stui"], 1);
    assert_eq!(reply["public_key"], server.server_keys.public.as_str());
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
    let alice = new_keys();
    let bob = new_keys();
    let server = CurveServer::start("127.0.0.1", &[&alice, &bob]);
    let context = zmq::Context::new();
    let address = server.address();
    let (socket, _monitor) = connect(&context, &address, Some((&alice, &server.server_keys)));
    assert_answered(ping(&socket, Duration::from_secs(5)));

    write_authorized_keys(&server.authorized_keys, &[&bob]);
    let pid = i32::try_from(server.child.id()).expect("a pid");
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

    let (socket, monitor) = connect(&context, &address, Some((&alice, &server.server_keys)));
    assert_eq!(ping(&socket, Duration::from_millis(1500)), None);
    assert!(events(&monitor, Duration::from_millis(100)).contains(&(HANDSHAKE_FAILED_AUTH, 400)));
    let (socket, _monitor) = connect(&context, &address, Some((&bob, &server.server_keys)));
    assert_answered(ping(&socket, Duration::from_secs(5)));
}

#[test]
fn all_interfaces_without_keys_is_refused_and_with_keys_served() {
    let dir = TempDir::new("open-endpoint");
    let endpoint = format!("tcp://0.0.0.0:{}", free_port());
    let output = gst(&endpoint, &dir.path().join("server.log"), &[])
        .output()
        .expect("gst runs");
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr).trim_end(),
        format!(
            "stui-gst: refusing to listen on {endpoint} without encryption: give --server-key and --authorized-keys (see stui keygen --server)"
        )
    );

    let alice = new_keys();
    let server = CurveServer::start("0.0.0.0", &[&alice]);
    let context = zmq::Context::new();
    let (socket, _monitor) = connect(
        &context,
        &server.address(),
        Some((&alice, &server.server_keys)),
    );
    assert_answered(ping(&socket, Duration::from_secs(5)));
}

#[test]
fn secret_key_file_readable_by_others_is_refused() {
    let dir = TempDir::new("open-key");
    let key_file = write_key_file(dir.path(), "server.key", &new_keys(), 0o644);
    let authorized_keys = dir.path().join("authorized_keys");
    write_authorized_keys(&authorized_keys, &[]);
    let output = gst(
        &format!("tcp://127.0.0.1:{}", free_port()),
        &dir.path().join("server.log"),
        &[],
    )
    .arg("--server-key")
    .arg(&key_file)
    .arg("--authorized-keys")
    .arg(&authorized_keys)
    .output()
    .expect("gst runs");
    assert_eq!(output.status.code(), Some(2));
    let path = key_file.display();
    assert_eq!(
        String::from_utf8_lossy(&output.stderr).trim_end(),
        format!(
            "stui-gst: the secret key file {path} has mode 0644: group and others must have no access to it (chmod 600 {path})"
        )
    );
}
