//! The rules of the contract's "Security" section that a client can check
//! from outside: a server that speaks CURVE answers nothing in plaintext
//! and nothing to a key it does not know (both are refused in the
//! handshake), and a server beyond loopback speaks CURVE.

use std::time::Duration;

use serde_json::json;

use super::{Check, Probe, Verdict, Why, new_session};
use crate::security::{CurveKeys, keys};

pub(super) const REGISTRY: &[Check] = &[
    Check {
        name: "security_plaintext_refused",
        requires: &[],
        run: plaintext_refused,
    },
    Check {
        name: "security_unknown_key_refused",
        requires: &[],
        run: unknown_key_refused,
    },
    Check {
        name: "security_curve_beyond_loopback",
        requires: &[],
        run: curve_beyond_loopback,
    },
];

/// How long a refused client waits before it concludes nothing will come:
/// a refusal happens in the handshake, so a reply never comes at all.
const REFUSAL_WAIT: Duration = Duration::from_secs(3);

fn curve_in_use(probe: &Probe) -> Result<&CurveKeys, Why> {
    probe.curve.as_ref().ok_or_else(|| {
        Why::Skip(
            "the suite connects in plaintext: no server key is pinned for this address".into(),
        )
    })
}

/// Ok when a ping sent with `curve` (None: plaintext) gets no reply.
fn refused_with(probe: &Probe, curve: Option<&CurveKeys>, who: &str) -> Verdict {
    let socket = probe.socket_with(curve)?;
    let ping = probe.envelope(&new_session(), "ping", json!({}));
    probe.send_frames(&socket, &[ping.to_string().as_bytes()])?;
    match probe.receive_bytes(&socket, probe.timeout.min(REFUSAL_WAIT)) {
        Ok(reply) => Err(Why::Fail(format!(
            "{who} got a reply: {}",
            String::from_utf8_lossy(&reply[..reply.len().min(120)])
        ))),
        Err(_) => Ok(format!("{who}: no reply")),
    }
}

fn plaintext_refused(probe: &Probe) -> Verdict {
    curve_in_use(probe)?;
    refused_with(probe, None, "a plaintext client")
}

fn unknown_key_refused(probe: &Probe) -> Verdict {
    let pinned = curve_in_use(probe)?;
    let stranger = keys::generate().map_err(|e| format!("cannot make a key pair: {e}"))?;
    let decode = |text: &str| keys::decode_key(text);
    let curve = CurveKeys {
        server_public: pinned.server_public,
        client_public: decode(&stranger.public)?,
        client_secret: decode(&stranger.secret)?,
    };
    refused_with(probe, Some(&curve), "a key the server never saw")
}

fn curve_beyond_loopback(probe: &Probe) -> Verdict {
    if crate::server::is_loopback(&probe.address) {
        return Err(Why::Skip(
            "a loopback address: the contract allows plaintext there".into(),
        ));
    }
    if probe.curve.is_some() {
        return Ok("CURVE in use".into());
    }
    match &probe.describe {
        Some(_) => Err(Why::Fail(format!(
            "the server at {} answers plaintext beyond loopback",
            probe.address
        ))),
        None => Err(Why::Skip(
            "the server answered no plaintext describe".into(),
        )),
    }
}
