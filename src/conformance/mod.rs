//! The protocol conformance suite: one check per rule of the wire contract
//! (`docs/PROTOCOL.md`), run against a live server at an address. Not tied to the TUI: `stui conformance` and the
//! tests call [`run`].
//!
//! Every check opens its own REQ sockets and sessions, so state cannot leak
//! between checks, and waits for each reply at most [`Options::timeout`]: a
//! server that does not answer fails the check, and the suite goes on.

use std::io::Write;
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::protocol::{DescribeResult, EvaluateResult, PROTOCOL_VERSION};

mod checks;
mod debugging;
mod security;

/// How the suite talks to the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// How long a check waits for one reply (evaluations add their own `timeout_ms`).
    pub timeout: Duration,
    /// CURVE keys for every socket of the suite; None = plaintext.
    pub curve: Option<crate::security::CurveKeys>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(5),
            curve: None,
        }
    }
}

/// What one check concluded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Passed; the note (possibly empty) is printed after the name.
    Ok(String),
    Fail(String),
    Skip(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckReport {
    pub name: &'static str,
    pub outcome: Outcome,
}

/// The outcome of a whole run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    pub reports: Vec<CheckReport>,
}

impl Summary {
    pub fn outcome(&self, name: &str) -> Option<&Outcome> {
        self.reports
            .iter()
            .find(|report| report.name == name)
            .map(|report| &report.outcome)
    }
}

/// Why a check did not pass. A plain `String` error converts to `Fail`, so
/// checks use `?` on the helpers below.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Why {
    Fail(String),
    Skip(String),
}

impl From<String> for Why {
    fn from(why: String) -> Self {
        Self::Fail(why)
    }
}

impl From<&str> for Why {
    fn from(why: &str) -> Self {
        Self::Fail(why.to_string())
    }
}

/// `Ok(note)` passes; `Err` fails or skips.
pub type Verdict = Result<String, Why>;

/// One entry of the registry: a name, the request types it needs in
/// `describe.types` (else it is skipped), and the check itself.
pub struct Check {
    pub name: &'static str,
    pub requires: &'static [&'static str],
    pub run: fn(&Probe) -> Verdict,
}

/// The names of every check, in the order they run.
pub fn check_names() -> Vec<&'static str> {
    all_checks().map(|check| check.name).collect()
}

/// Every check: the core and tools first, then the debugger's, then the
/// security rules.
fn all_checks() -> impl Iterator<Item = &'static Check> {
    checks::REGISTRY
        .iter()
        .chain(debugging::REGISTRY)
        .chain(security::REGISTRY)
}

pub fn run_with(address: &str, options: &Options, out: &mut dyn Write) -> Summary {
    run_selected(address, options, &|_| true, out)
}

/// Runs the checks whose names `select` accepts.
pub fn run_selected(
    address: &str,
    options: &Options,
    select: &dyn Fn(&str) -> bool,
    out: &mut dyn Write,
) -> Summary {
    let mut probe = Probe::new(address, options);
    // The types a check needs are read from describe once; its own check
    // judges its shape.
    probe.describe = probe
        .call("describe", json!({}))
        .ok()
        .and_then(|result| serde_json::from_value::<DescribeResult>(result).ok());
    let mut summary = Summary::default();
    for check in all_checks().filter(|check| select(check.name)) {
        let outcome = match missing_type(&probe, check.requires) {
            Some(why) => Outcome::Skip(why),
            None => match (check.run)(&probe) {
                Ok(note) => Outcome::Ok(note),
                Err(Why::Fail(why)) => Outcome::Fail(why),
                Err(Why::Skip(why)) => Outcome::Skip(why),
            },
        };
        let _ = match &outcome {
            Outcome::Ok(note) if note.is_empty() => writeln!(out, "ok   {}", check.name),
            Outcome::Ok(note) => writeln!(out, "ok   {} ({note})", check.name),
            Outcome::Fail(why) => writeln!(out, "FAIL {}: {why}", check.name),
            Outcome::Skip(why) => writeln!(out, "skip {}: {why}", check.name),
        };
        let _ = out.flush();
        match outcome {
            Outcome::Ok(_) => summary.passed += 1,
            Outcome::Fail(_) => summary.failed += 1,
            Outcome::Skip(_) => summary.skipped += 1,
        }
        summary.reports.push(CheckReport {
            name: check.name,
            outcome,
        });
    }
    if summary.skipped > 0 {
        let _ = writeln!(out, "{} skipped", summary.skipped);
    }
    let _ = writeln!(out, "{} passed, {} failed", summary.passed, summary.failed);
    let _ = out.flush();
    summary
}

fn missing_type(probe: &Probe, requires: &[&str]) -> Option<String> {
    let missing = requires.iter().find(|kind| !probe.lists(kind))?;
    Some(match &probe.describe {
        Some(_) => format!("type {missing} not in describe.types"),
        None => format!("type {missing}: describe did not answer a readable result"),
    })
}

/// The suite's view of the server: raw frames on fresh REQ sockets, and
/// envelope-checked requests on top.
pub struct Probe {
    pub address: String,
    pub timeout: Duration,
    pub describe: Option<DescribeResult>,
    curve: Option<crate::security::CurveKeys>,
}

impl Probe {
    pub fn new(address: &str, options: &Options) -> Self {
        Self {
            address: address.to_string(),
            timeout: options.timeout,
            describe: None,
            curve: options.curve.clone(),
        }
    }

    /// Whether describe lists `kind`.
    pub fn lists(&self, kind: &str) -> bool {
        self.describe
            .as_ref()
            .is_some_and(|describe| describe.types.iter().any(|t| t == kind))
    }

    /// A fresh REQ socket connected to the server.
    pub fn socket(&self) -> Result<zmq::Socket, String> {
        self.socket_with(self.curve.as_ref())
    }

    /// A fresh REQ socket connected to the server with these keys (None:
    /// plaintext), whatever the suite's own are.
    pub fn socket_with(
        &self,
        curve: Option<&crate::security::CurveKeys>,
    ) -> Result<zmq::Socket, String> {
        // Raw REQ sockets on purpose: the suite checks the contract's
        // framing, and sends frames no client core would.
        let socket = crate::net::context()
            .socket(zmq::REQ)
            .map_err(|e| format!("socket: {e}"))?;
        socket.set_linger(0).map_err(|e| format!("socket: {e}"))?;
        crate::security::apply(&socket, curve).map_err(|e| format!("CURVE: {e}"))?;
        socket
            .connect(&self.address)
            .map_err(|e| format!("cannot connect to {}: {e}", self.address))?;
        Ok(socket)
    }

    /// Sends the frames of one message (normally one) on `socket`.
    pub fn send_frames(&self, socket: &zmq::Socket, frames: &[&[u8]]) -> Result<(), String> {
        socket
            .send_multipart(frames.iter().copied(), 0)
            .map_err(|e| format!("send: {e}"))
    }

    /// The next reply on `socket`, read as a JSON reply and checked for the
    /// envelope every reply has; `wait` bounds the wait.
    pub fn receive(&self, socket: &zmq::Socket, wait: Duration) -> Result<Value, String> {
        let bytes = self.receive_bytes(socket, wait)?;
        let reply: Value = serde_json::from_slice(&bytes).map_err(|e| {
            format!(
                "reply is not JSON ({e}): {}",
                String::from_utf8_lossy(&bytes[..bytes.len().min(200)])
            )
        })?;
        check_reply_envelope(&reply)?;
        Ok(reply)
    }

    pub fn receive_bytes(&self, socket: &zmq::Socket, wait: Duration) -> Result<Vec<u8>, String> {
        let readable = socket
            .poll(zmq::POLLIN, wait.as_millis().max(1) as i64)
            .map_err(|e| format!("poll: {e}"))?;
        if readable == 0 {
            return Err(format!("no reply within {} ms", wait.as_millis()));
        }
        let mut frames = socket
            .recv_multipart(0)
            .map_err(|e| format!("receive: {e}"))?;
        if frames.len() != 1 {
            return Err(format!("reply has {} frames, expected 1", frames.len()));
        }
        Ok(frames.remove(0))
    }

    /// One raw frame on a fresh socket; its reply.
    pub fn raw(&self, frame: &[u8]) -> Result<Value, String> {
        let socket = self.socket()?;
        self.send_frames(&socket, &[frame])?;
        self.receive(&socket, self.timeout)
    }

    /// One raw frame on a fresh socket; its reply's exact bytes.
    pub fn raw_bytes(&self, frame: &[u8], wait: Duration) -> Result<Vec<u8>, String> {
        let socket = self.socket()?;
        self.send_frames(&socket, &[frame])?;
        self.receive_bytes(&socket, wait)
    }

    /// A request envelope with a fresh id.
    pub fn envelope(&self, session: &str, kind: &str, params: Value) -> Value {
        json!({"stui": PROTOCOL_VERSION, "id": new_id(), "session": session,
               "type": kind, "params": params})
    }

    /// Sends `envelope` on a fresh socket and checks the reply echoes its id.
    pub fn send_envelope(&self, envelope: &Value) -> Result<Value, String> {
        let wait = self.timeout + evaluation_allowance(envelope);
        let socket = self.socket()?;
        self.send_frames(&socket, &[envelope.to_string().as_bytes()])?;
        let reply = self.receive(&socket, wait)?;
        check_echo(envelope, &reply)?;
        Ok(reply)
    }

    /// A request of `kind` in `session`: its reply (success or error).
    pub fn request(&self, session: &str, kind: &str, params: Value) -> Result<Value, String> {
        self.send_envelope(&self.envelope(session, kind, params))
    }

    /// A request in a fresh session that must succeed: its `result`.
    pub fn call(&self, kind: &str, params: Value) -> Result<Value, String> {
        self.call_in(&new_session(), kind, params)
    }

    pub fn call_in(&self, session: &str, kind: &str, params: Value) -> Result<Value, String> {
        success(self.request(session, kind, params)?)
    }

    /// A request that must fail with `code`: its `error` object.
    pub fn expect_error(
        &self,
        session: &str,
        kind: &str,
        params: Value,
        code: &str,
    ) -> Result<Value, String> {
        let reply = self.request(session, kind, params)?;
        error_with_code(&reply, code)
    }

    /// `evaluate` in `session`, decoded.
    pub fn evaluate(&self, session: &str, code: &str) -> Result<EvaluateResult, String> {
        typed(self.call_in(session, "evaluate", json!({"code": code}))?)
    }
}

/// A new request id.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A new session name, unique to this run.
pub fn new_session() -> String {
    format!("stui-conformance-{}", uuid::Uuid::new_v4())
}

/// A short unique suffix for names created in the image.
pub fn unique_suffix() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..10].to_string()
}

/// An evaluation with an explicit `timeout_ms` may run that long before its
/// reply. The suite's other evaluations are quick, so they get no allowance:
/// a server that never answers fails them within [`Options::timeout`].
fn evaluation_allowance(envelope: &Value) -> Duration {
    if envelope["type"] == "evaluate" {
        Duration::from_millis(envelope["params"]["timeout_ms"].as_u64().unwrap_or(0))
    } else {
        Duration::ZERO
    }
}

/// What every reply has: `stui` 1, `id` (string or null), `ok`, and a
/// `result` or an `error` with string `code` and `message`.
pub fn check_reply_envelope(reply: &Value) -> Result<(), String> {
    let Some(object) = reply.as_object() else {
        return Err(format!("reply is not a JSON object: {}", brief(reply)));
    };
    if object.get("stui") != Some(&json!(PROTOCOL_VERSION)) {
        return Err(format!("reply stui is not 1: {}", brief(reply)));
    }
    match object.get("id") {
        Some(Value::String(_)) | Some(Value::Null) => {}
        _ => {
            return Err(format!(
                "reply id is not a string or null: {}",
                brief(reply)
            ));
        }
    }
    match object.get("ok") {
        Some(Value::Bool(true)) => {
            if !object.contains_key("result") {
                return Err(format!("ok reply without result: {}", brief(reply)));
            }
        }
        Some(Value::Bool(false)) => {
            let error = &reply["error"];
            if !error["code"].is_string() || !error["message"].is_string() {
                return Err(format!(
                    "error reply without string code and message: {}",
                    brief(reply)
                ));
            }
        }
        _ => return Err(format!("reply ok is not a boolean: {}", brief(reply))),
    }
    Ok(())
}

/// The reply echoes the request's id.
pub fn check_echo(envelope: &Value, reply: &Value) -> Result<(), String> {
    if reply["id"] != envelope["id"] {
        return Err(format!(
            "reply id {} does not echo the request id {}",
            reply["id"], envelope["id"]
        ));
    }
    Ok(())
}

/// The `result` of a successful reply.
pub fn success(reply: Value) -> Result<Value, String> {
    if reply["ok"] == json!(true) {
        Ok(reply["result"].clone())
    } else {
        Err(format!(
            "expected success, got {}: {}",
            reply["error"]["code"].as_str().unwrap_or("?"),
            reply["error"]["message"].as_str().unwrap_or("")
        ))
    }
}

/// The `error` of a failure reply with `code`.
pub fn error_with_code(reply: &Value, code: &str) -> Result<Value, String> {
    if reply["ok"] != json!(false) {
        return Err(format!(
            "expected error {code}, got success: {}",
            brief(reply)
        ));
    }
    let error = &reply["error"];
    if error["code"] != json!(code) {
        return Err(format!(
            "expected error {code}, got {}: {}",
            error["code"].as_str().unwrap_or("?"),
            error["message"].as_str().unwrap_or("")
        ));
    }
    Ok(error.clone())
}

/// A result decoded as one of the protocol's result types.
pub fn typed<T: DeserializeOwned>(result: Value) -> Result<T, String> {
    serde_json::from_value(result.clone())
        .map_err(|e| format!("result has the wrong shape ({e}): {}", brief(&result)))
}

/// Members the result must carry, with their JSON kind.
pub fn require_members(value: &Value, members: &[(&str, Kind)]) -> Result<(), String> {
    for (name, kind) in members {
        let member = value
            .get(name)
            .ok_or_else(|| format!("member {name} missing: {}", brief(value)))?;
        if !kind.matches(member) {
            return Err(format!("member {name} is not {kind:?}: {}", brief(member)));
        }
    }
    Ok(())
}

/// JSON kinds for [`require_members`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    String,
    StringOrNull,
    Unsigned,
    Bool,
    Array,
    Object,
    Any,
}

impl Kind {
    fn matches(self, value: &Value) -> bool {
        match self {
            Self::String => value.is_string(),
            Self::StringOrNull => value.is_string() || value.is_null(),
            Self::Unsigned => value.is_u64(),
            Self::Bool => value.is_boolean(),
            Self::Array => value.is_array(),
            Self::Object => value.is_object(),
            Self::Any => true,
        }
    }
}

/// A value shortened for a one-line message.
pub fn brief(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 240 {
        format!("{}…", text.chars().take(240).collect::<String>())
    } else {
        text
    }
}

/// Milliseconds of a duration, with two decimals.
pub fn millis(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1000.0)
}

/// Polls `attempt` until it answers `Some` or `wait` has passed.
pub fn poll_until<T>(
    wait: Duration,
    mut attempt: impl FnMut() -> Result<Option<T>, String>,
) -> Result<Option<T>, String> {
    let started = Instant::now();
    loop {
        if let Some(found) = attempt()? {
            return Ok(Some(found));
        }
        if started.elapsed() >= wait {
            return Ok(None);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
