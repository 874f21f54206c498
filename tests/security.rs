//! Transport security against the real server, as a team uses it: CURVE
//! keeps code and replies off the wire, unknown keys and a wrong pinned
//! server key are refused before any request runs, the read role browses
//! but may not run code, a LAN bind needs keys, key files others can read
//! are refused, a removed key is refused on its next request, and every
//! request leaves an audit line. Fingerprints and digests are checked
//! against Python's hashlib.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use common::security::{
    CurveServer, Keys, RecordingProxy, authorized_line, body, curve_request, curve_socket,
    key_args, spawn_gst,
};
use common::{TempDir, TestServer, free_port, free_port_pair, stui};
use serde_json::{Value, json};

/// A user's home whose config pins `server_public` (when given) and holds
/// `client` as the user's key (where `stui keygen` puts it).
fn user_home(server_public: Option<&str>, client: Option<&Keys>) -> TempDir {
    let home = TempDir::new("security-home");
    let config = home.path().join("config/stui");
    std::fs::create_dir_all(&config).unwrap();
    let mut text = String::new();
    if let Some(key) = server_public {
        text.push_str(&format!("[server]\npublic_key = \"{key}\"\n"));
    }
    std::fs::write(config.join("config.toml"), text).unwrap();
    if let Some(keys) = client {
        keys.write_secret(&config.join("keys/client.key"), 0o600);
    }
    home
}

/// `stui [global] eval CODE` at `address` from `home`: (output, stdout, stderr).
fn eval(home: &Path, address: &str, global: &[&str], code: &str) -> (Output, String, String) {
    let output = stui(home)
        .args(["--address", address])
        .args(global)
        .args(["eval", code])
        .output()
        .expect("stui runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output, stdout, stderr)
}

fn reply(text: Option<String>) -> Value {
    serde_json::from_str(&text.expect("a reply")).unwrap()
}

/// The audit log's lines as JSON objects.
fn audit_lines(server: &CurveServer) -> Vec<Value> {
    server
        .audit()
        .lines()
        .map(|line| serde_json::from_str(line).expect("each audit line is JSON"))
        .collect()
}

fn sha256_hex_by_python(text: &str) -> String {
    let output = std::process::Command::new("python3")
        .args([
            "-c",
            "import sys, hashlib; print(hashlib.sha256(sys.argv[1].encode()).hexdigest())",
            text,
        ])
        .output()
        .unwrap();
    String::from_utf8(output.stdout).unwrap().trim().to_string()
}

#[test]
fn with_curve_the_wire_carries_no_plaintext_and_without_it_it_does() {
    let marker = "'SECRET-MARKER-' , 'XYZ'";
    let alice = Keys::generate();
    let server = CurveServer::start(&[authorized_line(&alice, "full", "alice")], &[]);
    let proxy = RecordingProxy::start(&server.address);
    let home = user_home(Some(&server.keys.public), Some(&alice));
    let (output, stdout, stderr) = eval(home.path(), &proxy.address, &[], marker);
    assert!(output.status.success(), "eval through the proxy: {stderr}");
    assert!(stdout.contains("SECRET-MARKER-XYZ"), "{stdout}");
    assert!(
        proxy.bytes().len() > 200,
        "the proxy forwarded the exchange"
    );
    assert!(
        !proxy.saw("SECRET-MARKER"),
        "neither code nor reply in clear"
    );
    assert!(!proxy.saw("evaluate"), "not even the request type");

    let plain = TestServer::start();
    let plain_proxy = RecordingProxy::start(&plain.address);
    let plain_home = user_home(None, None);
    let (output, stdout, stderr) = eval(plain_home.path(), &plain_proxy.address, &[], marker);
    assert!(output.status.success(), "plaintext eval: {stderr}");
    assert!(stdout.contains("SECRET-MARKER-XYZ"));
    assert!(
        plain_proxy.saw("SECRET-MARKER-' , 'XYZ"),
        "the code in clear"
    );
    assert!(plain_proxy.saw("SECRET-MARKER-XYZ"), "the reply in clear");
}

#[test]
fn an_unknown_client_key_is_refused_before_any_request_runs() {
    let alice = Keys::generate();
    let mallory = Keys::generate();
    let server = CurveServer::start(&[authorized_line(&alice, "full", "alice")], &[]);
    let intruder = user_home(Some(&server.keys.public), Some(&mallory));
    let (output, _, stderr) = eval(
        intruder.path(),
        &server.address,
        &[],
        "Smalltalk at: #StuiSecurityProbe put: 1",
    );
    assert!(!output.status.success());
    let fingerprint = mallory.fingerprint();
    assert!(
        stderr.contains("refused this client's key") && stderr.contains(&fingerprint),
        "{stderr}"
    );
    assert!(
        server
            .log()
            .contains(&format!("refused unknown client key {fingerprint}")),
        "the server log names the refused key:\n{}",
        server.log()
    );
    let lines = audit_lines(&server);
    assert!(
        lines
            .iter()
            .any(|l| l["event"] == "refused" && l["key"] == fingerprint)
    );
    assert!(
        !lines.iter().any(|l| l["type"] == "evaluate"),
        "no request of it reached dispatch"
    );

    let member = user_home(Some(&server.keys.public), Some(&alice));
    let (output, stdout, stderr) = eval(
        member.path(),
        &server.address,
        &[],
        "Smalltalk at: #StuiSecurityProbe ifAbsent: [0]",
    );
    assert!(output.status.success(), "{stderr}");
    assert_eq!(stdout.trim(), "0", "the refused evaluation never ran");
}

#[test]
fn a_wrong_pinned_server_key_is_refused_naming_both_fingerprints() {
    let alice = Keys::generate();
    let server = CurveServer::start(&[authorized_line(&alice, "full", "alice")], &[]);
    let impostor = Keys::generate();
    let home = user_home(Some(&impostor.public), Some(&alice));
    let (output, _, stderr) = eval(home.path(), &server.address, &[], "3 + 4");
    assert!(!output.status.success());
    assert!(stderr.contains(&server.address), "{stderr}");
    assert!(
        stderr.contains(&impostor.fingerprint()),
        "the pinned key: {stderr}"
    );
    assert!(
        stderr.contains(&server.keys.fingerprint()),
        "the presented key: {stderr}"
    );
    assert!(
        !audit_lines(&server).iter().any(|l| l["type"] == "evaluate"),
        "nothing was sent"
    );
}

#[test]
fn the_read_role_browses_and_inspects_but_may_not_run_code() {
    let bob = Keys::generate();
    let server = CurveServer::start(&[authorized_line(&bob, "read", "bob (reviewer)")], &[]);
    let ask = |kind: &str, params: Value| {
        reply(curve_request(
            &server.address,
            &server.keys.public,
            &bob,
            &body("bob", kind, params),
            Duration::from_secs(5),
        ))
    };
    let classes = ask("list_classes", json!({"pattern": "OrderedColl*"}));
    assert_eq!(
        classes["result"]["classes"][0]["name"], "OrderedCollection",
        "{classes}"
    );
    let method = ask(
        "method",
        json!({"class": "Object", "selector": "printString"}),
    );
    assert_eq!(method["ok"], true, "{method}");
    assert_eq!(ask("describe", json!({}))["result"]["role"], "read");
    for (kind, params) in [
        ("evaluate", json!({"code": "3 + 4"})),
        ("compile", json!({"class": "Object", "source": "stuiX ^1"})),
        ("inspect", json!({"code": "Smalltalk"})),
        ("interrupt", json!({})),
    ] {
        let refused = ask(kind, params);
        assert_eq!(
            refused["error"]["code"], "permission_denied",
            "{kind}: {refused}"
        );
    }
    let home = user_home(Some(&server.keys.public), Some(&bob));
    let (output, _, stderr) = eval(home.path(), &server.address, &[], "3 + 4");
    assert!(!output.status.success());
    assert!(stderr.contains("read"), "the CLI says why: {stderr}");
}

/// gst's exit status and stderr when it is started with `args` and stops.
fn failed_start(endpoint: &str, args: &[String]) -> (i32, String) {
    let dir = TempDir::new("refused-start");
    let mut child = spawn_gst(endpoint, &dir.path().join("server.log"), args);
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut stderr = String::new();
            use std::io::Read;
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut stderr)
                .unwrap();
            return (status.code().unwrap_or(-1), stderr);
        }
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("the server started where it must refuse");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_lan_bind_needs_keys_and_serves_with_them() {
    let endpoint = format!("tcp://0.0.0.0:{}", free_port());
    let (status, stderr) = failed_start(&endpoint, &[]);
    assert_eq!(status, 2, "{stderr}");
    assert!(
        stderr.contains(&format!(
            "refusing to listen on {endpoint} without encryption"
        )),
        "{stderr}"
    );
    let alice = Keys::generate();
    let lan = format!("tcp://0.0.0.0:{}", free_port_pair());
    let server = CurveServer::start_bound(&lan, &[authorized_line(&alice, "full", "alice")], &[]);
    let home = user_home(Some(&server.keys.public), Some(&alice));
    let (output, stdout, stderr) = eval(home.path(), &server.address, &[], "3 + 4");
    assert!(output.status.success(), "{stderr}");
    assert_eq!(stdout.trim(), "7");
}

#[test]
fn key_files_others_can_read_are_refused() {
    let dir = TempDir::new("loose-keys");
    let server_keys = Keys::generate();
    let key_file = dir.path().join("server.key");
    server_keys.write_secret(&key_file, 0o644);
    let authorized = dir.path().join("authorized_keys");
    std::fs::write(&authorized, "").unwrap();
    let args = key_args(&key_file, &authorized);
    let (status, stderr) = failed_start(&format!("tcp://127.0.0.1:{}", free_port()), &args);
    assert_eq!(status, 2, "{stderr}");
    assert!(
        stderr.contains(&key_file.display().to_string()) && stderr.contains("0644"),
        "{stderr}"
    );

    let alice = Keys::generate();
    let server = CurveServer::start(&[authorized_line(&alice, "full", "alice")], &[]);
    let home = user_home(Some(&server.keys.public), Some(&alice));
    let client_key = home.path().join("config/stui/keys/client.key");
    std::fs::set_permissions(&client_key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (output, _, stderr) = eval(home.path(), &server.address, &[], "3 + 4");
    assert!(!output.status.success());
    assert!(
        stderr.contains("0644") && stderr.contains("chmod 600"),
        "{stderr}"
    );
}

#[test]
fn a_removed_key_is_refused_on_its_next_request_and_other_sessions_stay() {
    let alice = Keys::generate();
    let carol = Keys::generate();
    let server = CurveServer::start(
        &[
            authorized_line(&alice, "full", "alice"),
            authorized_line(&carol, "full", "carol"),
        ],
        &[],
    );
    let context = zmq::Context::new();
    let socket_of =
        |keys: &Keys| curve_socket(&context, &server.address, &server.keys.public, keys);
    let ask = |socket: &zmq::Socket, session: &str, code: &str| -> Value {
        socket
            .send(
                body(session, "evaluate", json!({"code": code})).as_bytes(),
                0,
            )
            .unwrap();
        assert!(
            socket.poll(zmq::POLLIN, 10_000).unwrap() > 0,
            "a reply to {code}"
        );
        serde_json::from_str(&socket.recv_string(0).unwrap().unwrap()).unwrap()
    };
    let alice_socket = socket_of(&alice);
    let carol_socket = socket_of(&carol);
    assert_eq!(ask(&alice_socket, "alice", "x := 6")["ok"], true);
    assert_eq!(ask(&carol_socket, "carol", "3 + 4")["result"]["print"], "7");

    std::fs::write(
        &server.authorized_keys,
        authorized_line(&alice, "full", "alice"),
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let refused = ask(&carol_socket, "carol", "3 + 4");
    assert_eq!(refused["error"]["code"], "permission_denied", "{refused}");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&carol.fingerprint())
    );
    assert_eq!(
        ask(&alice_socket, "alice", "x * 7")["result"]["print"],
        "42",
        "alice's session stays"
    );
    let fresh = curve_request(
        &server.address,
        &server.keys.public,
        &carol,
        &body("carol", "ping", json!({})),
        Duration::from_secs(2),
    );
    assert!(
        fresh.is_none(),
        "a new connection of the removed key is refused"
    );
}

#[test]
fn every_request_leaves_an_audit_line_with_the_codes_digest_not_the_code() {
    let alice = Keys::generate();
    let server = CurveServer::start(&[authorized_line(&alice, "full", "alice@laptop")], &[]);
    let home = user_home(Some(&server.keys.public), Some(&alice));
    let (output, _, stderr) = eval(home.path(), &server.address, &[], "3 + 4");
    assert!(output.status.success(), "{stderr}");
    let mode = std::fs::metadata(&server.audit_log)
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600, "the audit log is private");
    let lines = audit_lines(&server);
    let line = lines
        .iter()
        .find(|l| l["type"] == "evaluate")
        .expect("an audit line for the evaluation");
    assert_eq!(line["principal"], "alice@laptop");
    assert_eq!(line["key"], alice.fingerprint());
    assert_eq!(line["outcome"], "ok");
    assert_eq!(line["code_chars"], 5);
    assert_eq!(line["code_sha256"], sha256_hex_by_python("3 + 4"));
    assert!(
        line["code"].is_null() && !server.audit().contains("3 + 4"),
        "no code by default"
    );
    assert!(line["duration_us"].as_u64().is_some() && line["time"].is_string());

    let keeping = CurveServer::start(
        &[authorized_line(&alice, "full", "alice")],
        &["--audit-code", "true"],
    );
    let home = user_home(Some(&keeping.keys.public), Some(&alice));
    eval(home.path(), &keeping.address, &[], "3 + 4");
    assert!(audit_lines(&keeping).iter().any(|l| l["code"] == "3 + 4"));
}

#[test]
fn the_cli_trusts_an_unknown_server_only_when_told_and_then_refuses_a_changed_key() {
    let alice = Keys::generate();
    let port = free_port_pair();
    let endpoint = format!("tcp://127.0.0.1:{port}");
    let lines = [authorized_line(&alice, "full", "alice")];
    let server = CurveServer::start_bound(&endpoint, &lines, &[]);
    let home = user_home(None, Some(&alice));
    let (output, _, stderr) = eval(home.path(), &endpoint, &[], "3 + 4");
    assert!(!output.status.success());
    let fingerprint = server.keys.fingerprint();
    assert!(
        stderr.contains(&fingerprint) && stderr.contains("--trust"),
        "{stderr}"
    );

    let (output, stdout, stderr) = eval(home.path(), &endpoint, &["--trust"], "3 + 4");
    assert!(output.status.success(), "{stderr}");
    assert_eq!(stdout.trim(), "7");
    let known = std::fs::read_to_string(home.path().join("config/stui/known_servers")).unwrap();
    assert!(
        known.contains(&endpoint) && known.contains(&server.keys.public),
        "{known}"
    );
    let (output, stdout, _) = eval(home.path(), &endpoint, &[], "3 + 4");
    assert!(
        output.status.success() && stdout.trim() == "7",
        "trusted from now on"
    );

    drop(server);
    let replaced = CurveServer::start_bound(&endpoint, &lines, &[]);
    let (output, _, stderr) = eval(home.path(), &endpoint, &["--trust"], "3 + 4");
    assert!(
        !output.status.success(),
        "--trust never overrides a changed key"
    );
    assert!(
        stderr.contains(&fingerprint) && stderr.contains(&replaced.keys.fingerprint()),
        "{stderr}"
    );
}

#[test]
fn a_malformed_authorized_keys_line_stops_the_server_naming_file_and_line() {
    let dir = TempDir::new("bad-authorized-keys");
    let key_file = dir.path().join("server.key");
    Keys::generate().write_secret(&key_file, 0o600);
    let authorized = dir.path().join("authorized_keys");
    let text = format!(
        "# the team\n{}{} admin bob\n",
        authorized_line(&Keys::generate(), "full", "alice"),
        Keys::generate().public
    );
    std::fs::write(&authorized, text).unwrap();
    let args = key_args(&key_file, &authorized);
    let (status, stderr) = failed_start(&format!("tcp://127.0.0.1:{}", free_port()), &args);
    assert_eq!(status, 2, "{stderr}");
    let named = format!("{}:3:", authorized.display());
    assert!(
        stderr.contains(&named) && stderr.contains("\"admin\""),
        "{stderr}"
    );
}
