//! The client's reading of a first CURVE handshake, against a small pyzmq
//! server (tests/curve_server.py): each way a handshake can fail gets its
//! own error, before any request is sent. (What the real gst server does
//! is proved in tests/security.rs.)

mod pyserver;

use std::time::Duration;

use pyserver::py_server;

use stui::net::{
    Bridge, BridgeCommand, BridgeSettings, Client, ClientOptions, NetEvent, Reconnect,
};
use stui::security::keys::{self, KeyOwner, KeyPair};
use stui::security::{Choice, CurveKeys, Security, SecurityError, check, known_servers};

fn curve(server_public: &str, client: &KeyPair) -> Choice {
    Choice::Curve {
        keys: CurveKeys::new(server_public, client).unwrap(),
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
    let security = trusting_nothing(dir.path(), &client);
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

/// A client with `client`'s key file in `dir` that pins and knows no server.
fn trusting_nothing(dir: &std::path::Path, client: &KeyPair) -> Security {
    let security = Security {
        pinned: None,
        client_key: dir.join("client.key"),
        known_servers: dir.join("known_servers"),
    };
    keys::write_key_files(&security.client_key, client, KeyOwner::Client, false).unwrap();
    security
}

/// The bridge's next event other than `Connecting`.
fn next_event(events: &std::sync::mpsc::Receiver<NetEvent>) -> NetEvent {
    loop {
        match events.recv_timeout(Duration::from_secs(10)) {
            Ok(NetEvent::Connecting { .. }) => continue,
            Ok(event) => return event,
            Err(e) => panic!("no event from the bridge: {e}"),
        }
    }
}

#[test]
fn the_bridge_asks_before_trusting_and_then_connects_with_curve() {
    let (server, client) = (keys::generate().unwrap(), keys::generate().unwrap());
    let Some(_server) = py_server(&["7466", "curve", &server.secret, &client.public]) else {
        return;
    };
    let address = "tcp://127.0.0.1:7466";
    let dir = tempfile::tempdir().unwrap();
    let security = trusting_nothing(dir.path(), &client);
    let mut settings = BridgeSettings::new(address, "bridge-curve");
    settings.security = Some(security.clone());
    settings.reconnect = Some(Reconnect {
        first: Duration::from_millis(100),
        max: Duration::from_millis(200),
    });
    let (events, inbox) = std::sync::mpsc::channel();
    let bridge = Bridge::spawn(settings, events);
    bridge.send(BridgeCommand::Connect);
    match next_event(&inbox) {
        NetEvent::Down {
            reason,
            retry_in_ms: None,
        } => assert!(reason.contains("unknown"), "{reason}"),
        other => panic!("expected Down without a retry, got {other:?}"),
    }
    let fingerprint = keys::fingerprint(&server.public).unwrap();
    assert_eq!(
        next_event(&inbox),
        NetEvent::UnknownServerKey {
            address: address.into(),
            public_key: server.public.clone(),
            fingerprint,
        }
    );
    // No retry while the user decides.
    assert!(inbox.recv_timeout(Duration::from_millis(500)).is_err());
    known_servers::trust(&security.known_servers, address, &server.public).unwrap();
    bridge.send(BridgeCommand::Connect);
    match next_event(&inbox) {
        NetEvent::Connected { info, .. } => assert_eq!(info.server, "curve_server.py"),
        other => panic!("expected Connected, got {other:?}"),
    }
    bridge.shutdown();
}
