//! The client's reading of a first CURVE handshake, against a small pyzmq
//! server (tests/curve_server.py): each way a handshake can fail gets its
//! own error, before any request is sent. (What the real gst server does
//! is proved in tests/security.rs.)

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use stui::net::{Client, ClientOptions};
use stui::security::keys::{self, KeyOwner, KeyPair, decode_key};
use stui::security::{Choice, CurveKeys, Security, SecurityError, check};

/// The stand-in server, killed when dropped.
pub struct PyServer(Child);

impl Drop for PyServer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts tests/curve_server.py with `args`; None (and why, printed) when
/// python3 with pyzmq is missing.
pub fn py_server(args: &[&str]) -> Option<PyServer> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/curve_server.py");
    let spawned = Command::new("python3")
        .arg(script)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let Ok(mut child) = spawned else {
        eprintln!("skipped: python3 is not installed");
        return None;
    };
    let mut line = String::new();
    let stdout = child.stdout.take().expect("piped");
    let _ = BufReader::new(stdout).read_line(&mut line);
    if line.trim() != "ready" {
        let _ = child.kill();
        let output = child.wait_with_output().expect("the server ran");
        let why = String::from_utf8_lossy(&output.stderr);
        assert!(
            why.contains("No module named 'zmq'"),
            "the stand-in server did not start: {why}"
        );
        eprintln!("skipped: pyzmq is not installed");
        return None;
    }
    Some(PyServer(child))
}

fn curve(server_public: &str, client: &KeyPair) -> Choice {
    Choice::Curve {
        keys: CurveKeys {
            server_public: decode_key(server_public).unwrap(),
            client_public: decode_key(&client.public).unwrap(),
            client_secret: decode_key(&client.secret).unwrap(),
        },
        pinned_where: "server.public_key".into(),
    }
}

const WAIT: Duration = Duration::from_secs(3);

#[test]
fn each_handshake_outcome_has_its_own_error() {
    let (server, known, stranger) = (
        keys::generate().unwrap(),
        keys::generate().unwrap(),
        keys::generate().unwrap(),
    );
    let Some(_curve) = py_server(&["7460", "curve", &server.secret, &known.public]) else {
        return;
    };
    let Some(_plain) = py_server(&["7462", "plain"]) else {
        return;
    };
    let address = "tcp://127.0.0.1:7460";
    let fingerprint = keys::fingerprint(&server.public).unwrap();

    // Not pinned, the server wants CURVE: unknown, with the key it tells.
    match check(address, &Choice::Plain, WAIT) {
        Err(SecurityError::ServerKeyUnknown {
            address: at,
            public_key,
            fingerprint: shown,
        }) => {
            assert_eq!(at, address);
            assert_eq!(public_key, server.public);
            assert_eq!(shown, fingerprint);
        }
        other => panic!("expected ServerKeyUnknown, got {other:?}"),
    }

    // Pinned right, a key the server knows: the handshake passes.
    assert_eq!(check(address, &curve(&server.public, &known), WAIT), Ok(()));

    // A key the server does not know: refused by its ZAP handler.
    let refused = check(address, &curve(&server.public, &stranger), WAIT).unwrap_err();
    let message = refused.to_string();
    assert!(
        matches!(refused, SecurityError::ClientKeyRefused { .. }),
        "{message}"
    );
    let ours = keys::fingerprint(&stranger.public).unwrap();
    assert!(message.contains(&ours), "{message}");
    assert!(
        message.contains(&format!("\"{} read|full", stranger.public)),
        "{message}"
    );

    // Another key pinned than the server holds: both fingerprints named.
    let other = keys::generate().unwrap();
    let changed = check(address, &curve(&other.public, &known), WAIT).unwrap_err();
    let message = changed.to_string();
    assert!(
        message.starts_with(&format!(
            "the server at {address} presents key {fingerprint} but {} is pinned for it (server.public_key)",
            keys::fingerprint(&other.public).unwrap()
        )),
        "{message}"
    );

    // A key pinned, the server speaks plaintext: refused, never plaintext.
    let plain = check("tcp://127.0.0.1:7462", &curve(&server.public, &known), WAIT);
    assert_eq!(
        plain,
        Err(SecurityError::PinnedButPlaintext {
            address: "tcp://127.0.0.1:7462".into()
        })
    );
    assert_eq!(check("tcp://127.0.0.1:7462", &Choice::Plain, WAIT), Ok(()));
}

#[test]
fn a_trusted_key_makes_the_client_speak_curve() {
    let (server, client) = (keys::generate().unwrap(), keys::generate().unwrap());
    let Some(_server) = py_server(&["7464", "curve", &server.secret, &client.public]) else {
        return;
    };
    let address = "tcp://127.0.0.1:7464";
    let dir = tempfile::tempdir().unwrap();
    let security = Security {
        pinned: None,
        client_key: dir.path().join("client.key"),
        known_servers: dir.path().join("known_servers"),
    };
    keys::write_key_files(&security.client_key, &client, KeyOwner::Client, false).unwrap();
    let unknown = security.connect_check(address, WAIT).unwrap_err();
    let SecurityError::ServerKeyUnknown { public_key, .. } = unknown else {
        panic!("expected ServerKeyUnknown, got {unknown:?}");
    };
    security.trust(address, &public_key).unwrap();
    let curve = security.connect_check(address, WAIT).unwrap();
    assert!(curve.is_some());
    let options = ClientOptions {
        curve,
        tries: 1,
        ..ClientOptions::default()
    };
    let mut client = Client::new(address, "s", options);
    let ping = client.ping().expect("the CURVE connection answers");
    assert!(ping.value.is_ok(), "{:?}", ping.value);
}
