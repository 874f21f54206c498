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
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NetError {
    /// No reply after every try.
    #[error(
        "no reply from {address} after {tries} tries ({} ms in all)",
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

pub struct Client {
    context: zmq::Context,
    address: String,
    session: String,
    options: ClientOptions,
    socket: Option<zmq::Socket>,
    /// Tells when the request socket's connection drops (see [`Client::receive`]).
    monitor: Option<zmq::Socket>,
    /// The server instance last learned from ping or describe.
    instance: Option<String>,
}

/// How long one poll waits: keeps cancellation responsive.
const SLICE: Duration = Duration::from_millis(50);

/// One request's wait for its reply, across tries.
struct Wait<'a> {
    id: &'a str,
    started: Instant,
    /// The id of the last reply that was for another request.
    foreign: Option<String>,
}

/// True for the requests that run code or change the image: every type but
/// ping, describe, file_out (which only reads a class) and end_session.
/// Their resends must carry the instance.
pub fn runs_code(body: &RequestBody) -> bool {
    body.runs_code()
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
            monitor: None,
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
        // Every send of this request carries the instance known now, so a
        // resend to a restarted server is refused instead of run again.
        let payload = self.stamped(request).to_json();
        let per_try = self.options.request_timeout;
        // The request may rightly run this long. Until then an unanswered
        // try is re-asked at once (same id: the server joins the running
        // request, or answers a finished one from its cache, so a lost
        // reply costs one try's timeout, not the whole evaluation time);
        // only tries after it count against `tries`.
        let allowance = run_allowance(&request.body);
        let tries = self.options.tries.max(1);
        let mut wait = Wait {
            id: &request.id,
            started: Instant::now(),
            foreign: None,
        };
        let mut attempt = 0;
        loop {
            if wait.started.elapsed() >= allowance {
                attempt += 1;
                if attempt > tries {
                    break;
                }
                if attempt > 1 {
                    self.pause(self.options.backoff_before(attempt), &mut should_cancel)?;
                    on_retry(attempt);
                }
            }
            let deadline = Instant::now() + per_try;
            if let Some(reply) = self.one_try(&payload, deadline, &mut wait, &mut should_cancel)? {
                self.learn_instance(&request.body, &reply.value);
                return Ok(reply);
            }
            self.log_unanswered(request, attempt, tries);
            // A REQ socket that timed out cannot send again: close it and reopen.
            self.reset();
        }
        if let Some(other) = wait.foreign {
            return Err(NetError::Malformed(format!(
                "a reply with a foreign id ({other}) was ignored, and none came for {}",
                request.id
            )));
        }
        Err(NetError::NoReply {
            address: self.address.clone(),
            tries,
            waited: wait.started.elapsed(),
        })
    }

    /// The request as sent: with this client's known server instance when
    /// it runs code and names none itself.
    fn stamped<'r>(&self, request: &'r Request) -> std::borrow::Cow<'r, Request> {
        if request.instance.is_some() || !runs_code(&request.body) || self.instance.is_none() {
            return std::borrow::Cow::Borrowed(request);
        }
        let mut stamped = request.clone();
        stamped.instance = self.instance.clone();
        std::borrow::Cow::Owned(stamped)
    }

    /// Remembers the instance a ping or describe answered.
    fn learn_instance(&mut self, body: &RequestBody, reply: &Reply) {
        if runs_code(body) || !reply.ok {
            return;
        }
        let instance = reply
            .result
            .as_ref()
            .and_then(|result| result.get("instance"))
            .and_then(|instance| instance.as_str());
        if let Some(instance) = instance {
            self.instance = Some(instance.to_string());
        }
    }

    /// Sleeps `pause`, in slices, unless the caller cancels meanwhile.
    fn pause(
        &mut self,
        pause: Duration,
        should_cancel: &mut impl FnMut() -> bool,
    ) -> Result<(), NetError> {
        let resume = Instant::now() + pause;
        while Instant::now() < resume {
            if should_cancel() {
                return Err(NetError::Cancelled);
            }
            std::thread::sleep(resume.saturating_duration_since(Instant::now()).min(SLICE));
        }
        Ok(())
    }

    /// Sends `payload` and waits until `deadline` for the reply with the
    /// request's id (None: no such reply came). A reply with another id is
    /// ignored and the request asked again on a fresh socket (same id).
    fn one_try(
        &mut self,
        payload: &str,
        deadline: Instant,
        wait: &mut Wait,
        should_cancel: &mut impl FnMut() -> bool,
    ) -> Result<Option<Timed<Reply>>, NetError> {
        self.send_payload(payload)?;
        while Instant::now() < deadline {
            if should_cancel() {
                self.reset();
                return Err(NetError::Cancelled);
            }
            let slice = deadline
                .saturating_duration_since(Instant::now())
                .min(SLICE);
            let Some(frames) = self.receive(slice)? else {
                continue;
            };
            let reply = self.accept(frames)?;
            if reply.id.as_deref() == Some(wait.id) {
                let round_trip = wait.started.elapsed();
                return Ok(Some(Timed {
                    value: reply,
                    round_trip,
                }));
            }
            let other = format!("{:?}", reply.id);
            log::warn!(
                "a reply with a foreign id was ignored: {other} while waiting for {}",
                wait.id
            );
            wait.foreign = Some(other);
            self.reset();
            std::thread::sleep(SLICE.min(deadline.saturating_duration_since(Instant::now())));
            self.send_payload(payload)?;
        }
        Ok(None)
    }

    fn send_payload(&mut self, payload: &str) -> Result<(), NetError> {
        let address = self.address.clone();
        self.socket()?
            .send(payload.as_bytes(), 0)
            .map_err(|e| NetError::socket(format!("send to {address}"), e))
    }

    /// Every frame of the next message, if one comes within `slice`; a
    /// connection the socket dropped meanwhile is checked for a reply that
    /// exceeded the socket's size ceiling.
    fn receive(&mut self, slice: Duration) -> Result<Option<Vec<Vec<u8>>>, NetError> {
        let socket = self.socket()?;
        let readable = socket.poll(zmq::POLLIN, slice.as_millis().max(1) as i64)?;
        if readable > 0 {
            // All frames, so the REQ socket stays in step even when a
            // reply has more than the one the protocol allows.
            let frames = socket
                .recv_multipart(0)
                .map_err(|e| NetError::socket("receive", e))?;
            return Ok(Some(frames));
        }
        if self.connection_dropped() && self.same_server_still_answers() {
            return Err(NetError::ReplyOverCeiling {
                limit: self.socket_ceiling(),
            });
        }
        Ok(None)
    }

    /// The reply in `frames`, refused when it is not one frame of at most
    /// `max_reply_bytes`.
    fn accept(&self, frames: Vec<Vec<u8>>) -> Result<Reply, NetError> {
        let [bytes] = frames.as_slice() else {
            return Err(NetError::Malformed(format!(
                "the reply has {} frames; the protocol sends one",
                frames.len()
            )));
        };
        let limit = self.options.max_reply_bytes;
        if bytes.len() as u64 > limit {
            return Err(NetError::TooLarge {
                bytes: bytes.len() as u64,
                limit,
            });
        }
        read_reply(bytes)
    }

    fn log_unanswered(&self, request: &Request, attempt: u32, tries: u32) {
        let per_try = self.options.request_timeout.as_millis();
        if attempt == 0 {
            log::debug!(
                "no reply to {} ({}) within {per_try} ms: asking again while it may still run",
                request.id,
                request.body.type_name(),
            );
        } else {
            log::warn!(
                "no reply to {} ({}) from {} within {per_try} ms (try {attempt} of {tries})",
                request.id,
                request.body.type_name(),
                self.address,
            );
        }
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
        self.monitor = None;
    }

    /// The size over which the socket itself drops a reply unread.
    fn socket_ceiling(&self) -> u64 {
        self.options
            .max_reply_bytes
            .saturating_mul(SOCKET_REPLY_CEILING_FACTOR)
            .min(i64::MAX as u64)
    }

    fn socket(&mut self) -> Result<&zmq::Socket, NetError> {
        if self.socket.is_none() {
            let socket = self.open_socket()?;
            self.monitor = self.watch_disconnects(&socket);
            socket.connect(&self.address).map_err(|e| {
                NetError::socket(format!("cannot connect to {:?}", self.address), e)
            })?;
            self.socket = Some(socket);
        }
        Ok(self.socket.as_ref().expect("socket was just opened"))
    }

    /// A REQ socket with this client's options, not yet connected.
    fn open_socket(&self) -> Result<zmq::Socket, NetError> {
        let socket = self.context.socket(zmq::REQ)?;
        // Unsent requests must not keep the process alive at exit.
        socket.set_linger(0)?;
        socket.set_maxmsgsize(self.socket_ceiling() as i64)?;
        Ok(socket)
    }

    /// A socket that receives an event whenever `socket` loses its
    /// connection: the only sign libzmq gives of a reply over the ceiling.
    fn watch_disconnects(&self, socket: &zmq::Socket) -> Option<zmq::Socket> {
        let endpoint = format!("inproc://stui-monitor-{}", uuid::Uuid::new_v4());
        socket
            .monitor(&endpoint, zmq::SocketEvent::DISCONNECTED as i32)
            .ok()?;
        let monitor = self.context.socket(zmq::PAIR).ok()?;
        monitor.connect(&endpoint).ok()?;
        Some(monitor)
    }

    /// True when the request socket's connection dropped since last asked.
    fn connection_dropped(&self) -> bool {
        let Some(monitor) = &self.monitor else {
            return false;
        };
        let mut dropped = false;
        while let Ok(frames) = monitor.recv_multipart(zmq::DONTWAIT) {
            let event = frames.first().filter(|f| f.len() >= 2);
            dropped |= event.is_some_and(|f| {
                u16::from_ne_bytes([f[0], f[1]]) == zmq::SocketEvent::DISCONNECTED.to_raw()
            });
        }
        dropped
    }

    /// After a dropped connection: does the server still answer a ping, as
    /// the same process (when its instance is known)? Then it was this
    /// side that dropped the connection, over a reply too large.
    fn same_server_still_answers(&self) -> bool {
        let timeout = self.options.request_timeout.min(Duration::from_secs(2));
        match probe_instance(self, timeout) {
            Some(answered) => self.instance.is_none() || self.instance == answered,
            None => false,
        }
    }
}

/// One ping on a fresh socket: Some(its instance) when the server answered.
fn probe_instance(client: &Client, timeout: Duration) -> Option<Option<String>> {
    let socket = client.open_socket().ok()?;
    socket.connect(&client.address).ok()?;
    let ping = Request::new(
        uuid::Uuid::new_v4().to_string(),
        client.session.clone(),
        RequestBody::ping(),
    );
    socket.send(ping.to_json().as_bytes(), 0).ok()?;
    if socket.poll(zmq::POLLIN, timeout.as_millis() as i64).ok()? == 0 {
        return None;
    }
    let reply = read_reply(&socket.recv_bytes(0).ok()?).ok()?;
    let result: PingResult = reply.into_result().ok()?.ok()?;
    Some(result.process.instance)
}

/// How long a request may rightly run on the server before it replies: an
/// evaluation its own timeout, the code tools (which walk the image or run
/// printString) as long as a default evaluation; the rest answer at once.
pub fn run_allowance(body: &RequestBody) -> Duration {
    body.allowance()
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
