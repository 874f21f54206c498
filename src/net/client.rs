//! The blocking client core: one REQ socket, Lazy Pirate reliability.
//! A request that times out closes and reopens the socket (a timed-out REQ
//! socket is stuck) and resends the SAME id, so the server's reply cache keeps
//! execution at-most-once; after the last try the server counts as down.

use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;

use super::Answer;
use crate::protocol::{
    DescribeResult, ErrorObject, EvaluateResult, MalformedReply, PingResult, Reply, Request,
    RequestBody,
};

use crate::config::settings::ServerSettings;

/// The socket itself drops (unseen) replies beyond this many times the
/// configured maximum, so a runaway reply cannot take all memory; between
/// the two a reply is read and refused with a clear error.
const SOCKET_REPLY_CEILING_FACTOR: u64 = 4;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientOptions {
    /// How long one try waits for its reply (an evaluation adds its own timeout).
    pub request_timeout: Duration,
    /// How many times a request is sent before giving up.
    pub tries: u32,
    /// Pause before the second try; doubles with each further try (at most 8x).
    pub retry_backoff: Duration,
    /// Replies larger than this are refused with [`NetError::TooLarge`].
    pub max_reply_bytes: u64,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self::from_settings(&crate::config::settings::Settings::defaults().server)
    }
}

impl ClientOptions {
    pub fn from_settings(server: &ServerSettings) -> Self {
        Self {
            request_timeout: Duration::from_millis(server.request_timeout_ms),
            tries: server.tries,
            retry_backoff: Duration::from_millis(server.retry_backoff_ms),
            max_reply_bytes: server.max_reply_bytes,
        }
    }

    /// The pause before try `attempt` (2, 3, …): backoff, doubling, capped at 8x.
    pub fn backoff_before(&self, attempt: u32) -> Duration {
        let doublings = attempt.saturating_sub(2).min(3);
        self.retry_backoff * (1u32 << doublings)
    }
}

/// Why a request got no usable answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetError {
    /// No reply after every try.
    NoReply {
        address: String,
        tries: u32,
        waited: Duration,
    },
    /// The reply could not be read as a protocol reply.
    Malformed(String),
    /// The socket could not be created or used (bad address, …).
    Socket(String),
    /// The server stopped answering pings while a long request waited.
    Unresponsive { address: String, waited: Duration },
    /// The reply was larger than the configured maximum.
    TooLarge { bytes: u64, limit: u64 },
    /// The request was abandoned (disconnect or shutdown) before its reply.
    Cancelled,
}

impl std::fmt::Display for NetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NoReply {
                address,
                tries,
                waited,
            } => write!(
                f,
                "no reply from {address} after {tries} tries ({} ms in all)",
                waited.as_millis()
            ),
            Self::Malformed(why) => write!(f, "unreadable reply: {why}"),
            Self::Socket(why) => write!(f, "socket error: {why}"),
            Self::Unresponsive { address, waited } => write!(
                f,
                "{address} stopped answering pings while waiting for a reply ({} ms)",
                waited.as_millis()
            ),
            Self::TooLarge { bytes, limit } => write!(
                f,
                "reply of {bytes} bytes refused: larger than max_reply_bytes ({limit})"
            ),
            Self::Cancelled => write!(f, "cancelled"),
        }
    }
}

impl std::error::Error for NetError {}

/// A reply together with the time it took to come back.
#[derive(Debug, Clone, PartialEq)]
pub struct Timed<T> {
    pub value: T,
    pub round_trip: Duration,
}

pub struct Client {
    context: zmq::Context,
    address: String,
    session: String,
    options: ClientOptions,
    socket: Option<zmq::Socket>,
}

impl Client {
    pub fn new(
        address: impl Into<String>,
        session: impl Into<String>,
        options: ClientOptions,
    ) -> Self {
        Self {
            context: zmq::Context::new(),
            address: address.into(),
            session: session.into(),
            options,
            socket: None,
        }
    }

    pub fn address(&self) -> &str {
        &self.address
    }

    pub fn session(&self) -> &str {
        &self.session
    }

    pub fn options(&self) -> &ClientOptions {
        &self.options
    }

    /// Builds a request with a fresh id in this client's session. Ids are
    /// UUIDs: several clients may share a session, and the server answers a
    /// repeated id from its reply cache.
    pub fn new_request(&self, body: RequestBody) -> Request {
        Request::new(uuid::Uuid::new_v4().to_string(), self.session.clone(), body)
    }

    /// Sends `request` with Lazy Pirate retries and waits for its reply.
    /// `should_cancel` is polled while waiting so a caller can abandon the wait.
    pub fn send(
        &mut self,
        request: &Request,
        should_cancel: impl FnMut() -> bool,
    ) -> Result<Timed<Reply>, NetError> {
        self.send_observed(request, should_cancel, |_| {})
    }

    /// [`Client::send`], telling `on_retry` the number of each try after the
    /// first just before it is sent.
    pub fn send_observed(
        &mut self,
        request: &Request,
        mut should_cancel: impl FnMut() -> bool,
        mut on_retry: impl FnMut(u32),
    ) -> Result<Timed<Reply>, NetError> {
        let payload = request.to_json();
        let per_try = self.options.request_timeout;
        // The request may rightly run this long. Until then an unanswered
        // try is re-asked at once (same id: the server joins the running
        // request, or answers a finished one from its cache, so a lost
        // reply costs one try's timeout, not the whole evaluation time);
        // only tries after it count against `tries`.
        let allowance = run_allowance(&request.body);
        let tries = self.options.tries.max(1);
        let started = Instant::now();
        let address = self.address.clone();
        let max_reply_bytes = self.options.max_reply_bytes;
        let mut mismatched: Option<String> = None;
        let mut attempt = 0;
        loop {
            if started.elapsed() >= allowance {
                attempt += 1;
                if attempt > tries {
                    break;
                }
                if attempt > 1 {
                    let resume = Instant::now() + self.options.backoff_before(attempt);
                    while Instant::now() < resume {
                        if should_cancel() {
                            return Err(NetError::Cancelled);
                        }
                        std::thread::sleep(
                            (resume - Instant::now().min(resume)).min(Duration::from_millis(20)),
                        );
                    }
                    on_retry(attempt);
                }
            }
            mismatched = None;
            let socket = self.socket()?;
            socket
                .send(payload.as_bytes(), 0)
                .map_err(|e| NetError::Socket(format!("send to {address}: {e}")))?;
            let deadline = Instant::now() + per_try;
            loop {
                if should_cancel() {
                    self.reset();
                    return Err(NetError::Cancelled);
                }
                let now = Instant::now();
                if now >= deadline {
                    break;
                }
                // Short poll slices keep cancellation responsive.
                let slice = (deadline - now).min(Duration::from_millis(50));
                let readable = socket
                    .poll(zmq::POLLIN, slice.as_millis().max(1) as i64)
                    .map_err(|e| NetError::Socket(e.to_string()))?;
                if readable > 0 {
                    let bytes = socket
                        .recv_bytes(0)
                        .map_err(|e| NetError::Socket(format!("receive: {e}")))?;
                    let round_trip = started.elapsed();
                    if bytes.len() as u64 > max_reply_bytes {
                        return Err(NetError::TooLarge {
                            bytes: bytes.len() as u64,
                            limit: max_reply_bytes,
                        });
                    }
                    let reply = read_reply(&bytes)?;
                    if reply.id.as_deref().is_some_and(|id| id != request.id) {
                        // Never taken for this request's reply: drop it,
                        // reopen the socket and ask again (same id).
                        log::warn!(
                            "discarded a reply for id {:?} while waiting for {}",
                            reply.id,
                            request.id
                        );
                        mismatched = reply.id.clone();
                        break;
                    }
                    return Ok(Timed {
                        value: reply,
                        round_trip,
                    });
                }
            }
            if mismatched.is_none() && attempt == 0 {
                log::debug!(
                    "no reply to {} ({}) within {} ms: asking again while it may still run",
                    request.id,
                    request.body.type_name(),
                    per_try.as_millis()
                );
            } else if mismatched.is_none() {
                log::warn!(
                    "no reply to {} ({}) from {} within {} ms (try {attempt} of {tries})",
                    request.id,
                    request.body.type_name(),
                    address,
                    per_try.as_millis()
                );
            }
            // A REQ socket that timed out cannot send again: close it and reopen.
            self.reset();
        }
        if let Some(other) = mismatched {
            return Err(NetError::Malformed(format!(
                "the only replies were for id {other:?}, not {}",
                request.id
            )));
        }
        Err(NetError::NoReply {
            address: self.address.clone(),
            tries,
            waited: started.elapsed(),
        })
    }

    /// Sends a request of this client's session and decodes its result as `T`.
    pub fn call<T: DeserializeOwned>(
        &mut self,
        body: RequestBody,
    ) -> Result<Timed<Result<T, ErrorObject>>, NetError> {
        let request = self.new_request(body);
        let reply = self.send(&request, || false)?;
        Ok(Timed {
            value: split_reply(reply.value)?,
            round_trip: reply.round_trip,
        })
    }

    pub fn ping(&mut self) -> Result<Timed<Result<PingResult, ErrorObject>>, NetError> {
        self.call(RequestBody::ping())
    }

    pub fn describe(&mut self) -> Result<Timed<Result<DescribeResult, ErrorObject>>, NetError> {
        self.call(RequestBody::describe())
    }

    pub fn evaluate(
        &mut self,
        code: &str,
    ) -> Result<Timed<Result<EvaluateResult, ErrorObject>>, NetError> {
        self.call(RequestBody::evaluate(code))
    }

    pub fn set_options(&mut self, options: ClientOptions) {
        self.options = options;
    }

    /// Closes the socket; the next request opens a new one.
    pub fn reset(&mut self) {
        self.socket = None;
    }

    fn socket(&mut self) -> Result<&zmq::Socket, NetError> {
        if self.socket.is_none() {
            let socket = self
                .context
                .socket(zmq::REQ)
                .map_err(|e| NetError::Socket(e.to_string()))?;
            // Unsent requests must not keep the process alive at exit.
            socket
                .set_linger(0)
                .map_err(|e| NetError::Socket(e.to_string()))?;
            let ceiling = self
                .options
                .max_reply_bytes
                .saturating_mul(SOCKET_REPLY_CEILING_FACTOR)
                .min(i64::MAX as u64) as i64;
            socket
                .set_maxmsgsize(ceiling)
                .map_err(|e| NetError::Socket(e.to_string()))?;
            socket.connect(&self.address).map_err(|e| {
                NetError::Socket(format!("cannot connect to {:?}: {e}", self.address))
            })?;
            self.socket = Some(socket);
        }
        Ok(self.socket.as_ref().expect("socket was just opened"))
    }
}

/// How long a request may rightly run on the server before it replies: an
/// evaluation its own timeout, the code tools (which walk the image or run
/// printString) as long as a default evaluation; the rest answer at once.
pub fn run_allowance(body: &RequestBody) -> Duration {
    const DEFAULT_EVALUATION_MS: u64 = 30_000;
    match body {
        RequestBody::Evaluate(params) => {
            Duration::from_millis(params.timeout_ms.unwrap_or(DEFAULT_EVALUATION_MS))
        }
        RequestBody::Ping(_)
        | RequestBody::Describe(_)
        | RequestBody::Release(_)
        | RequestBody::Transcript(_)
        | RequestBody::Interrupt(_) => Duration::ZERO,
        RequestBody::Inspect(_)
        | RequestBody::ListClasses(_)
        | RequestBody::Class(_)
        | RequestBody::Method(_)
        | RequestBody::Compile(_)
        | RequestBody::Senders(_)
        | RequestBody::Implementors(_)
        | RequestBody::Complete(_) => Duration::from_millis(DEFAULT_EVALUATION_MS),
    }
}

/// Reads a reply's bytes as a protocol reply (the first half of what the
/// client makes of them; [`decode_answer`] is the second).
pub fn read_reply(bytes: &[u8]) -> Result<Reply, NetError> {
    let text =
        std::str::from_utf8(bytes).map_err(|_| NetError::Malformed("reply is not UTF-8".into()))?;
    Reply::from_json(text).map_err(|MalformedReply(why)| NetError::Malformed(why))
}

/// Decodes a reply's result into the type that matches the request.
pub fn decode_answer(
    request: &RequestBody,
    reply: Reply,
) -> Result<Result<Answer, ErrorObject>, NetError> {
    Ok(match request {
        RequestBody::Ping(_) => split_reply(reply)?.map(Answer::Ping),
        RequestBody::Describe(_) => split_reply(reply)?.map(|d| Answer::Describe(Box::new(d))),
        RequestBody::Evaluate(_) => split_reply(reply)?.map(Answer::Evaluate),
        RequestBody::Inspect(_) => split_reply(reply)?.map(Answer::Inspect),
        RequestBody::Release(_) => split_reply(reply)?.map(Answer::Release),
        RequestBody::ListClasses(_) => split_reply(reply)?.map(Answer::ListClasses),
        RequestBody::Class(_) => split_reply(reply)?.map(Answer::Class),
        RequestBody::Method(_) => split_reply(reply)?.map(Answer::Method),
        RequestBody::Compile(_) => split_reply(reply)?.map(Answer::Compile),
        RequestBody::Senders(_) => split_reply(reply)?.map(Answer::Senders),
        RequestBody::Implementors(_) => split_reply(reply)?.map(Answer::Implementors),
        RequestBody::Complete(_) => split_reply(reply)?.map(Answer::Complete),
        RequestBody::Transcript(_) => split_reply(reply)?.map(Answer::Transcript),
        RequestBody::Interrupt(_) => split_reply(reply)?.map(Answer::Interrupt),
    })
}

/// The typed result or the server's error; a reply of the wrong shape is a `NetError`.
fn split_reply<T: DeserializeOwned>(reply: Reply) -> Result<Result<T, ErrorObject>, NetError> {
    reply
        .into_result()
        .map_err(|MalformedReply(why)| NetError::Malformed(why))
}
