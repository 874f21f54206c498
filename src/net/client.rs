//! The client's options and errors, the blocking [`Client`] over one
//! [`Connection`], and what turns a reply into a typed answer.

use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;

use super::Answer;
use super::connection::{Connection, Outcome};
use crate::protocol::{
    DescribeResult, ErrorObject, EvaluateResult, MalformedReply, PingResult, Reply, Request,
    RequestBody,
};

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
    /// CURVE keys for every socket to the server; None = plaintext.
    pub curve: Option<crate::security::CurveKeys>,
}

/// The heartbeat of a blocking wait.
#[derive(Debug)]
struct Watcher {
    every: Option<Duration>,
    last: Instant,
}

impl Default for Watcher {
    fn default() -> Self {
        Self {
            every: None,
            last: Instant::now(),
        }
    }
}

impl Watcher {
    /// Pings when a heartbeat passed and no ping is in flight.
    fn ping_if_due(&mut self, connection: &mut Connection<Watch>) -> Result<(), NetError> {
        let Some(every) = self.every else {
            return Ok(());
        };
        let pinging = connection.count_in_flight(|tag| *tag == Watch::Heartbeat) > 0;
        if pinging || self.last.elapsed() < every {
            return Ok(());
        }
        self.last = Instant::now();
        let ping = connection.new_request(RequestBody::ping());
        connection.submit(&ping, Watch::Heartbeat)
    }
}

/// The values of `config/default.toml` (a test in `config` keeps them equal).
impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            request_timeout: Duration::from_millis(1500),
            tries: 3,
            retry_backoff: Duration::from_millis(200),
            max_reply_bytes: 64 * 1024 * 1024,
            curve: None,
        }
    }
}

impl ClientOptions {
    /// The pause before try `attempt` (2, 3, …): backoff, doubling, capped at 8x.
    pub fn backoff_before(&self, attempt: u32) -> Duration {
        let doublings = attempt.saturating_sub(2).min(3);
        self.retry_backoff * (1u32 << doublings)
    }
}

/// Why a request got no usable answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NetError {
    /// No reply after every try.
    #[error(
        "no reply from {address} after {tries} {} ({} ms in all)",
        if *tries == 1 { "try" } else { "tries" },
        waited.as_millis()
    )]
    NoReply {
        address: String,
        tries: u32,
        waited: Duration,
    },
    /// The reply could not be read as a protocol reply.
    #[error("unreadable reply: {0}")]
    Malformed(String),
    /// The socket could not be created or used.
    #[error("socket error: {0}")]
    Socket(#[from] zmq::Error),
    /// The socket could not `doing` (connect to an address, send, …).
    #[error("socket error: {doing}: {source}")]
    SocketWhile { doing: String, source: zmq::Error },
    /// The server stopped answering pings while a long request waited.
    #[error(
        "the server at {address} stopped answering during the evaluation (pings \
         unanswered; {} ms after it was sent)",
        waited.as_millis()
    )]
    Unresponsive { address: String, waited: Duration },
    /// The reply was larger than the configured maximum.
    #[error(
        "the reply was too large (over {limit} bytes): {bytes} bytes refused \
         (max_reply_bytes)"
    )]
    TooLarge { bytes: u64, limit: u64 },
    /// The reply was over the socket's own ceiling: the connection dropped
    /// it unread (the server, still the same process, answered a ping after).
    #[error("the reply was too large (over {limit} bytes): the connection dropped it unread")]
    ReplyOverCeiling { limit: u64 },
    /// The request was abandoned (disconnect or shutdown) before its reply.
    #[error("cancelled")]
    Cancelled,
}

impl NetError {
    /// A socket error while `doing` something.
    pub fn socket(doing: impl Into<String>, source: zmq::Error) -> Self {
        Self::SocketWhile {
            doing: doing.into(),
            source,
        }
    }
}

/// A reply together with the time it took to come back.
#[derive(Debug, Clone, PartialEq)]
pub struct Timed<T> {
    pub value: T,
    pub round_trip: Duration,
}

/// The blocking client of the CLI commands, tests and benchmarks: one
/// request at a time over a [`Connection`] (the bridge drives the same
/// connection with many requests at once).
pub struct Client {
    address: String,
    session: String,
    options: ClientOptions,
    connection: Option<Connection<Watch>>,
    /// The server instance last learned from ping or describe.
    instance: Option<String>,
}

/// How long one wait lasts at most: keeps cancellation responsive.
const SLICE: Duration = Duration::from_millis(50);

/// What a request of the blocking client is: the one awaited, or a ping
/// that checks on the server meanwhile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Watch {
    Awaited,
    Heartbeat,
}

impl Client {
    pub fn new(
        address: impl Into<String>,
        session: impl Into<String>,
        options: ClientOptions,
    ) -> Self {
        Self {
            address: address.into(),
            session: session.into(),
            options,
            connection: None,
            instance: None,
        }
    }

    /// The server instance last learned from ping or describe.
    pub fn instance(&self) -> Option<&str> {
        self.instance.as_deref()
    }

    /// Takes `instance` as the server's (e.g. learned by another client of
    /// the same server).
    pub fn set_instance(&mut self, instance: Option<String>) {
        if let Some(connection) = &mut self.connection {
            connection.set_instance(instance.clone());
        }
        self.instance = instance;
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
    /// UUIDs: several clients may share a session, and the server answers
    /// a repeated id from its reply cache.
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

    /// [`Client::send`], telling `on_retry` the number of each counted try
    /// after the first just before it is sent.
    pub fn send_observed(
        &mut self,
        request: &Request,
        mut should_cancel: impl FnMut() -> bool,
        mut on_retry: impl FnMut(u32),
    ) -> Result<Timed<Reply>, NetError> {
        let mut watch = Watcher::default();
        let outcome = self.wait_for(request, &mut watch, &mut should_cancel, &mut on_retry);
        if let Some(connection) = &self.connection {
            self.instance = connection.instance().map(str::to_string);
        }
        if matches!(outcome, Err(NetError::NoReply { .. })) {
            // Requests queued for a server that is gone are not sent later.
            self.reset();
        }
        outcome
    }

    /// [`Client::call`] for a request that may rightly run long: while its
    /// reply is awaited the server is pinged on the same connection every
    /// `heartbeat` (zero: never), so a server that stops answering is
    /// reported after the ping's tries, not after the whole allowance.
    pub fn call_watched<T: DeserializeOwned>(
        &mut self,
        body: RequestBody,
        heartbeat: Duration,
    ) -> Result<Timed<Result<T, ErrorObject>>, NetError> {
        let request = self.new_request(body);
        let mut watch = Watcher {
            every: (!heartbeat.is_zero()).then_some(heartbeat),
            last: Instant::now(),
        };
        let reply = self.wait_for(&request, &mut watch, &mut || false, &mut |_| {})?;
        Ok(Timed {
            value: split_reply(reply.value)?,
            round_trip: reply.round_trip,
        })
    }

    fn wait_for(
        &mut self,
        request: &Request,
        watch: &mut Watcher,
        should_cancel: &mut impl FnMut() -> bool,
        on_retry: &mut impl FnMut(u32),
    ) -> Result<Timed<Reply>, NetError> {
        let connection = self.connection()?;
        connection.submit(request, Watch::Awaited)?;
        let started = Instant::now();
        loop {
            if should_cancel() {
                connection.cancel(&request.id);
                return Err(NetError::Cancelled);
            }
            watch.ping_if_due(connection)?;
            let until_due = connection
                .next_due()
                .map_or(SLICE, |due| due.saturating_duration_since(Instant::now()));
            for outcome in connection.receive_for(until_due.min(SLICE))? {
                match outcome {
                    Outcome::Answered {
                        id,
                        reply,
                        round_trip,
                        tag: Watch::Awaited,
                    } if id == request.id => {
                        return Ok(Timed {
                            value: reply,
                            round_trip,
                        });
                    }
                    Outcome::Failed {
                        id,
                        error,
                        tag: Watch::Awaited,
                    } if id == request.id => return Err(error),
                    Outcome::Retrying { id, attempt, .. } if id == request.id => on_retry(attempt),
                    Outcome::Failed {
                        error: NetError::NoReply { .. },
                        tag: Watch::Heartbeat,
                        ..
                    } => {
                        connection.cancel(&request.id);
                        return Err(NetError::Unresponsive {
                            address: connection.address().to_string(),
                            waited: started.elapsed(),
                        });
                    }
                    _ => {}
                }
            }
        }
    }

    fn connection(&mut self) -> Result<&mut Connection<Watch>, NetError> {
        if self.connection.is_none() {
            let mut connection =
                Connection::open(&self.address, &self.session, self.options.clone())?;
            connection.set_instance(self.instance.clone());
            self.connection = Some(connection);
        }
        Ok(self.connection.as_mut().expect("opened just now"))
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
        if let Some(connection) = &mut self.connection {
            connection.set_options(options.clone());
        }
        self.options = options;
    }

    /// Closes the socket; the next request opens a new one.
    pub fn reset(&mut self) {
        self.connection = None;
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
    Answer::decode(request, reply).map_err(|MalformedReply(why)| NetError::Malformed(why))
}

/// The typed result or the server's error; a reply of the wrong shape is a `NetError`.
pub fn split_reply<T: DeserializeOwned>(reply: Reply) -> Result<Result<T, ErrorObject>, NetError> {
    reply
        .into_result()
        .map_err(|MalformedReply(why)| NetError::Malformed(why))
}
