//! The first connection to an address, watched with a monitor socket: the
//! handshake's first event tells whether the keys fit, before any request
//! is sent. A server that does not answer at all is left to the usual
//! flow (it reports the server down).

use std::time::{Duration, Instant};

use serde::Deserialize;

use super::keys::{decode_key, fingerprint_of_bytes};
use super::{Choice, SecurityError};

/// ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH: one side speaks CURVE, the other not.
const MECHANISM_MISMATCH: u32 = 0x1100_0002;

/// What the first handshake event said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    Succeeded,
    /// The TCP connection was refused: nothing listens (yet).
    Unreachable,
    MechanismMismatch,
    /// The server's ZAP handler refused the client's key.
    AuthRefused(u32),
    /// The server dropped the CURVE handshake: it could not read our
    /// HELLO, i.e. it holds another key than the pinned one.
    NoDetail,
    Protocol(u32),
}

impl Seen {
    /// The meaning of one monitor event (None: not a handshake's end).
    pub fn of(event: u16, value: u32) -> Option<Seen> {
        use zmq::SocketEvent as E;
        Some(match event {
            e if e == E::HANDSHAKE_SUCCEEDED.to_raw() => Seen::Succeeded,
            e if e == E::CONNECT_RETRIED.to_raw() => Seen::Unreachable,
            e if e == E::HANDSHAKE_FAILED_AUTH.to_raw() => Seen::AuthRefused(value),
            e if e == E::HANDSHAKE_FAILED_NO_DETAIL.to_raw() => Seen::NoDetail,
            e if e == E::HANDSHAKE_FAILED_PROTOCOL.to_raw() && value == MECHANISM_MISMATCH => {
                Seen::MechanismMismatch
            }
            e if e == E::HANDSHAKE_FAILED_PROTOCOL.to_raw() => Seen::Protocol(value),
            _ => return None,
        })
    }
}

/// Connects to `address` as `choice` says and waits (at most `timeout`)
/// for the handshake's outcome: Ok when it succeeded or nothing answered,
/// else why the connection must not be used.
pub fn check(address: &str, choice: &Choice, timeout: Duration) -> Result<(), SecurityError> {
    // In-process endpoints have no handshake to watch (and belong to another context).
    if address.starts_with("inproc://") {
        return Ok(());
    }
    match first_event(address, choice, timeout) {
        Some(seen) => judge(address, choice, seen, timeout),
        None => Ok(()),
    }
}

/// The first handshake event of a connection to `address`, if one comes in time.
fn first_event(address: &str, choice: &Choice, timeout: Duration) -> Option<Seen> {
    // A context of its own, as Connection has: the monitor shares it.
    let context = zmq::Context::new();
    let socket = context.socket(zmq::DEALER).ok()?;
    socket.set_linger(0).ok()?;
    super::apply(&socket, choice.curve()).ok()?;
    let endpoint = format!("inproc://stui-handshake-{}", uuid::Uuid::new_v4());
    socket
        .monitor(&endpoint, zmq::SocketEvent::ALL as i32)
        .ok()?;
    let monitor = context.socket(zmq::PAIR).ok()?;
    monitor.connect(&endpoint).ok()?;
    socket.connect(address).ok()?;
    let deadline = Instant::now() + timeout;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let millis = i64::try_from(left.as_millis()).unwrap_or(i64::MAX);
        if left.is_zero() || monitor.poll(zmq::POLLIN, millis.max(1)).ok()? == 0 {
            return None;
        }
        let frames = monitor.recv_multipart(0).ok()?;
        let event = frames.first().filter(|frame| frame.len() >= 6)?;
        let code = u16::from_ne_bytes([event[0], event[1]]);
        let value = u32::from_ne_bytes([event[2], event[3], event[4], event[5]]);
        if let Some(seen) = Seen::of(code, value) {
            return Some(seen);
        }
    }
}

/// What a handshake's outcome means for a client that chose `choice`.
fn judge(
    address: &str,
    choice: &Choice,
    seen: Seen,
    timeout: Duration,
) -> Result<(), SecurityError> {
    let address_owned = || address.to_string();
    match (seen, choice) {
        (Seen::Succeeded | Seen::Unreachable, _) => Ok(()),
        // Which of the two a plaintext client sees is a race: the server
        // may close before the client reads the mismatch (EPIPE).
        (Seen::MechanismMismatch | Seen::NoDetail, Choice::Plain) => {
            let key = fetch_server_key(address, timeout)?;
            Err(SecurityError::ServerKeyUnknown {
                address: address_owned(),
                fingerprint: super::fingerprint(&key).expect("checked when fetched"),
                public_key: key,
            })
        }
        (Seen::MechanismMismatch, Choice::Curve { .. }) => Err(SecurityError::PinnedButPlaintext {
            address: address_owned(),
        }),
        (Seen::AuthRefused(400), Choice::Curve { keys, .. }) => {
            Err(SecurityError::ClientKeyRefused {
                address: address_owned(),
                fingerprint: fingerprint_of_bytes(&keys.client_public),
                public_key: zmq::z85_encode(&keys.client_public).expect("32 bytes encode"),
            })
        }
        (Seen::NoDetail, Choice::Curve { keys, pinned_where }) => {
            // The same race: a plaintext server may show as a dropped handshake.
            if first_event(address, &Choice::Plain, timeout) == Some(Seen::Succeeded) {
                return Err(SecurityError::PinnedButPlaintext {
                    address: address_owned(),
                });
            }
            Err(SecurityError::ServerKeyChanged {
                address: address_owned(),
                pinned: fingerprint_of_bytes(&keys.server_public),
                presented: presented_key(address, &keys.server_public, timeout)?,
                pinned_where: pinned_where.clone(),
            })
        }
        (seen, _) => Err(SecurityError::HandshakeFailed {
            address: address_owned(),
            why: match seen {
                Seen::Protocol(value) => format!("protocol error 0x{value:08x}"),
                Seen::AuthRefused(status) => format!("refused with ZAP status {status}"),
                _ => "the server dropped it".into(),
            },
        }),
    }
}

/// How a server that dropped the CURVE handshake is named: `key SHA256:…`
/// when its key endpoint tells one; an error when that is the pinned key.
fn presented_key(
    address: &str,
    pinned: &[u8; 32],
    timeout: Duration,
) -> Result<String, SecurityError> {
    match fetch_server_key(address, timeout) {
        Ok(key) if decode_key(&key).ok().as_ref() == Some(pinned) => {
            Err(SecurityError::HandshakeFailed {
                address: address.to_string(),
                why: "the server holds the pinned key yet dropped the handshake".into(),
            })
        }
        Ok(key) => Ok(format!(
            "key {}",
            super::fingerprint(&key).expect("checked when fetched")
        )),
        Err(_) => Ok("another key (its key endpoint did not say which)".into()),
    }
}

/// The key endpoint of a server at `tcp://HOST:PORT`: `tcp://HOST:PORT+1`.
pub fn key_endpoint(address: &str) -> Option<String> {
    let (host, port) = crate::net::tcp_host_port(address)?;
    let port: u16 = port.parse().ok()?;
    Some(format!("tcp://{host}:{}", port.checked_add(1)?))
}

#[derive(Deserialize)]
struct KeyReply {
    public_key: String,
}

/// The public key the server at `address` tells at its key endpoint (Z85, checked).
pub fn fetch_server_key(address: &str, timeout: Duration) -> Result<String, SecurityError> {
    let endpoint = key_endpoint(address).unwrap_or_default();
    let failed = |why: String| SecurityError::KeyEndpoint {
        address: address.to_string(),
        endpoint: endpoint.clone(),
        why,
    };
    if endpoint.is_empty() {
        return Err(failed("only a tcp:// address has a key endpoint".into()));
    }
    let socket_error = |e: zmq::Error| failed(e.to_string());
    let socket = crate::net::context()
        .socket(zmq::REQ)
        .map_err(socket_error)?;
    socket.set_linger(0).map_err(socket_error)?;
    socket.set_maxmsgsize(4096).map_err(socket_error)?;
    socket.connect(&endpoint).map_err(socket_error)?;
    socket
        .send(&br#"{"stui":1,"type":"public_key"}"#[..], 0)
        .map_err(socket_error)?;
    let millis = i64::try_from(timeout.as_millis()).unwrap_or(i64::MAX);
    if socket.poll(zmq::POLLIN, millis).map_err(socket_error)? == 0 {
        return Err(failed(format!("no reply in {} ms", timeout.as_millis())));
    }
    let bytes = socket.recv_bytes(0).map_err(socket_error)?;
    let reply: KeyReply =
        serde_json::from_slice(&bytes).map_err(|e| failed(format!("unreadable reply: {e}")))?;
    decode_key(&reply.public_key).map_err(failed)?;
    Ok(reply.public_key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use zmq::SocketEvent as E;

    #[test]
    fn the_key_endpoint_is_the_next_port() {
        let at = key_endpoint;
        assert_eq!(
            at("tcp://10.0.0.2:5555").as_deref(),
            Some("tcp://10.0.0.2:5556")
        );
        assert_eq!(at("tcp://[::1]:7").as_deref(), Some("tcp://[::1]:8"));
        assert_eq!(at("tcp://h:65535"), None);
        assert_eq!(at("ipc:///tmp/s"), None);
    }

    #[test]
    fn monitor_events_are_read_as_the_handshake_outcomes() {
        let of = |event: zmq::SocketEvent, value| Seen::of(event.to_raw(), value);
        assert_eq!(of(E::HANDSHAKE_SUCCEEDED, 0), Some(Seen::Succeeded));
        assert_eq!(of(E::CONNECT_RETRIED, 125), Some(Seen::Unreachable));
        assert_eq!(
            of(E::HANDSHAKE_FAILED_AUTH, 400),
            Some(Seen::AuthRefused(400))
        );
        assert_eq!(of(E::HANDSHAKE_FAILED_NO_DETAIL, 32), Some(Seen::NoDetail));
        let mismatch = of(E::HANDSHAKE_FAILED_PROTOCOL, MECHANISM_MISMATCH);
        assert_eq!(mismatch, Some(Seen::MechanismMismatch));
        assert_eq!(of(E::HANDSHAKE_FAILED_PROTOCOL, 7), Some(Seen::Protocol(7)));
        assert_eq!(of(E::CONNECTED, 5), None);
        assert_eq!(of(E::CONNECT_DELAYED, 115), None);
    }

    #[test]
    fn outcomes_that_need_no_second_look_are_judged_at_once() {
        let client = crate::security::keys::generate().unwrap();
        let server = crate::security::keys::generate().unwrap();
        let curve = Choice::Curve {
            keys: crate::security::CurveKeys::new(&server.public, &client).unwrap(),
            pinned_where: "server.public_key".into(),
        };
        let judged = |seen| judge("tcp://h:1", &curve, seen, Duration::from_millis(1));
        assert_eq!(judged(Seen::Succeeded), Ok(()));
        let refused = judged(Seen::AuthRefused(400)).unwrap_err().to_string();
        assert!(refused.contains(&client.public), "{refused}");
        let plain = judged(Seen::MechanismMismatch).unwrap_err();
        assert!(matches!(plain, SecurityError::PinnedButPlaintext { .. }));
        let odd = judged(Seen::Protocol(0x1000_0001)).unwrap_err().to_string();
        assert!(odd.ends_with("protocol error 0x10000001"), "{odd}");
        let other = judged(Seen::AuthRefused(500)).unwrap_err().to_string();
        assert!(other.ends_with("refused with ZAP status 500"), "{other}");
    }

    #[test]
    fn nothing_listening_is_left_to_the_usual_flow_quickly() {
        let started = Instant::now();
        let outcome = check(
            "tcp://127.0.0.1:7469",
            &Choice::Plain,
            Duration::from_secs(3),
        );
        assert_eq!(outcome, Ok(()));
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
    }
}
