//! One DEALER socket to one server, carrying many requests at once.
//!
//! Each request in flight has an entry in a table by id: when its current
//! try runs out, when its time allowance ends, how many tries it used. The
//! table is the whole of the reliability (Lazy Pirate over a DEALER): a try
//! that runs out resends the SAME id (the server joins the running request
//! or answers from its reply cache, so code runs at most once); after its
//! allowance a request counts its tries, and after the last one it gives up.
//! Nothing here blocks longer than the caller asks; the bridge thread and
//! the blocking [`super::Client`] both drive it.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde::Deserialize;

use super::client::{ClientOptions, NetError, read_reply};
use crate::protocol::{PingResult, Reply, Request, RequestBody};

/// The socket itself drops (unseen) replies beyond this many times the
/// configured maximum, so a runaway reply cannot take all memory; between
/// the two a reply is read and refused with a clear error.
const SOCKET_REPLY_CEILING_FACTOR: u64 = 4;

/// What became of a request in flight.
// A few outcomes per reply: boxing the reply would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Outcome<T> {
    Answered {
        id: String,
        tag: T,
        reply: Reply,
        round_trip: Duration,
    },
    /// The request is sent again after a counted try ran out (same id).
    Retrying {
        id: String,
        request_type: &'static str,
        attempt: u32,
        tries: u32,
    },
    Failed {
        id: String,
        tag: T,
        error: NetError,
    },
}

/// One request in the table.
struct InFlight<T> {
    tag: T,
    payload: String,
    request_type: &'static str,
    /// Its reply names the server instance (ping, describe).
    learns_instance: bool,
    sent: Instant,
    /// Until then tries that run out are free: the request may still run.
    allowance_ends: Instant,
    /// Counted tries so far (0 while within the allowance).
    attempt: u32,
    /// When the current try runs out, or the paused resend is due.
    due: Instant,
    /// Waiting out the backoff before the resend of try `attempt`.
    paused: bool,
    /// Connection drops seen while it waited (see `connection_dropped`).
    drops: u32,
    /// Asked again in this try because of a stray reply (once per try).
    asked_after_stray: bool,
}

/// Only the id of a reply, read without keeping the rest.
#[derive(Deserialize)]
struct IdOnly {
    #[serde(default)]
    id: Option<String>,
}

pub struct Connection<T> {
    address: String,
    session: String,
    options: ClientOptions,
    socket: zmq::Socket,
    /// Tells when the socket's connection drops: the only sign libzmq
    /// gives of a reply over the socket's ceiling.
    monitor: Option<zmq::Socket>,
    in_flight: HashMap<String, InFlight<T>>,
    /// The server instance last learned from ping or describe.
    instance: Option<String>,
    /// The last reply that answered nothing in flight, and when it came.
    stray: Option<(String, Instant)>,
    /// The last unreadable reply nobody could be named for, and when.
    unreadable: Option<(NetError, Instant)>,
    last_heard: Instant,
}

impl<T> Connection<T> {
    /// A DEALER socket connected (in the background) to `address`.
    pub fn open(
        address: impl Into<String>,
        session: impl Into<String>,
        options: ClientOptions,
    ) -> Result<Self, NetError> {
        let address = address.into();
        // A context of its own: the socket and its disconnect monitor
        // must share one, and monitors in the process-wide context stalled
        // replies of other connections when several ran at once.
        let context = zmq::Context::new();
        let socket = context.socket(zmq::DEALER)?;
        // Unsent requests must not keep the process alive at exit.
        socket.set_linger(0)?;
        socket.set_maxmsgsize(socket_ceiling(&options) as i64)?;
        crate::security::apply(&socket, options.curve.as_ref())?;
        let monitor = watch_disconnects(&context, &socket);
        socket
            .connect(&address)
            .map_err(|e| NetError::socket(format!("cannot connect to {address:?}"), e))?;
        Ok(Self {
            address,
            session: session.into(),
            options,
            socket,
            monitor,
            in_flight: HashMap::new(),
            instance: None,
            stray: None,
            unreadable: None,
            last_heard: Instant::now(),
        })
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

    pub fn set_options(&mut self, options: ClientOptions) {
        self.options = options;
    }

    pub fn instance(&self) -> Option<&str> {
        self.instance.as_deref()
    }

    pub fn set_instance(&mut self, instance: Option<String>) {
        self.instance = instance;
    }

    /// When a reply last came from the server (or the socket was opened).
    pub fn last_heard(&self) -> Instant {
        self.last_heard
    }

    pub fn in_flight(&self) -> usize {
        self.in_flight.len()
    }

    /// How many requests in flight have a tag that `pick` picks.
    pub fn count_in_flight(&self, pick: impl Fn(&T) -> bool) -> usize {
        self.in_flight
            .values()
            .filter(|entry| pick(&entry.tag))
            .count()
    }

    pub fn is_in_flight(&self, id: &str) -> bool {
        self.in_flight.contains_key(id)
    }

    /// A request of this connection's session with a fresh id. Ids are
    /// UUIDs: several clients may share a session, and the server answers
    /// a repeated id from its reply cache.
    pub fn new_request(&self, body: RequestBody) -> Request {
        Request::new(uuid::Uuid::new_v4().to_string(), self.session.clone(), body)
    }

    /// Sends `request` and enters it in the table; `tag` comes back with its outcome.
    pub fn submit(&mut self, request: &Request, tag: T) -> Result<(), NetError> {
        // Every send of it carries the instance known now, so a resend to
        // a restarted server is refused instead of run again.
        let payload = self.stamped(request).to_json();
        self.send_payload(&payload)?;
        let now = Instant::now();
        let allowance = request.body.allowance();
        self.in_flight.insert(
            request.id.clone(),
            InFlight {
                tag,
                payload,
                request_type: request.body.type_name(),
                learns_instance: !request.body.runs_code(),
                sent: now,
                allowance_ends: now + allowance,
                attempt: u32::from(allowance.is_zero()),
                due: now + self.options.request_timeout,
                paused: false,
                drops: 0,
                asked_after_stray: false,
            },
        );
        Ok(())
    }

    /// Forgets a request: its reply, if one comes, is ignored.
    pub fn cancel(&mut self, id: &str) -> Option<T> {
        self.in_flight.remove(id).map(|entry| entry.tag)
    }

    /// Forgets every request, answering their tags (the server went away).
    pub fn abandon_all(&mut self) -> Vec<(String, T, Instant)> {
        self.in_flight
            .drain()
            .map(|(id, entry)| (id, entry.tag, entry.sent))
            .collect()
    }

    /// The earliest moment a request's try runs out or its resend is due.
    pub fn next_due(&self) -> Option<Instant> {
        self.in_flight.values().map(|entry| entry.due).min()
    }

    /// Waits up to `timeout` for a reply or (when given) a message on
    /// `doorbell`. Answers whether the doorbell rang. (A dropped connection
    /// shows when a try runs out: see [`Connection::drain`].)
    pub fn wait(
        &self,
        doorbell: Option<&zmq::Socket>,
        timeout: Duration,
    ) -> Result<bool, NetError> {
        let mut items = [
            self.socket.as_poll_item(zmq::POLLIN),
            match doorbell {
                Some(doorbell) => doorbell.as_poll_item(zmq::POLLIN),
                None => self.socket.as_poll_item(zmq::POLLIN),
            },
        ];
        let count = if doorbell.is_some() { 2 } else { 1 };
        zmq::poll(&mut items[..count], poll_timeout(timeout))?;
        Ok(doorbell.is_some() && items[1].is_readable())
    }

    /// Waits up to `timeout` for a reply with a blocking receive (the
    /// blocking client's path: no poll on the way), then drains.
    pub fn receive_for(&mut self, timeout: Duration) -> Result<Vec<Outcome<T>>, NetError> {
        let millis = i32::try_from(poll_timeout(timeout)).unwrap_or(i32::MAX);
        self.socket.set_rcvtimeo(millis)?;
        let first = match self.socket.recv_multipart(0) {
            Ok(frames) => Some(frames),
            Err(zmq::Error::EAGAIN) => None,
            Err(e) => return Err(NetError::socket("receive", e)),
        };
        self.drain_from(first)
    }

    /// Reads every reply that has come, then settles the tries that ran
    /// out: what became of the requests, in order.
    pub fn drain(&mut self) -> Result<Vec<Outcome<T>>, NetError> {
        self.drain_from(None)
    }

    fn drain_from(&mut self, first: Option<Vec<Vec<u8>>>) -> Result<Vec<Outcome<T>>, NetError> {
        let mut outcomes = Vec::new();
        let mut heard = false;
        if let Some(frames) = first {
            heard = true;
            outcomes.extend(self.accept(frames));
        }
        while let Some(frames) = self.receive()? {
            heard = true;
            if let Some(outcome) = self.accept(frames) {
                outcomes.push(outcome);
            }
        }
        if heard {
            self.last_heard = Instant::now();
        } else if self.connection_dropped() {
            self.after_a_drop(&mut outcomes)?;
        }
        if self.next_due().is_some_and(|due| due <= Instant::now()) {
            self.settle_due(&mut outcomes)?;
        }
        Ok(outcomes)
    }

    fn receive(&self) -> Result<Option<Vec<Vec<u8>>>, NetError> {
        match self.socket.recv_multipart(zmq::DONTWAIT) {
            Ok(frames) => Ok(Some(frames)),
            Err(zmq::Error::EAGAIN) => Ok(None),
            Err(e) => Err(NetError::socket("receive", e)),
        }
    }

    /// What one message from the server means for the table.
    fn accept(&mut self, mut frames: Vec<Vec<u8>>) -> Option<Outcome<T>> {
        // REQ-style framing: the empty delimiter first, then the body.
        if frames.first().is_some_and(Vec::is_empty) {
            frames.remove(0);
        }
        let first = frames.first()?;
        // One parse in the usual case; the id alone when the reply is unreadable.
        let read = read_body(first, &self.options);
        let named = match &read {
            Ok(reply) => reply.id.clone(),
            Err(_) => reply_id(first),
        };
        let Some(id) = named else {
            return match read {
                Ok(_) => self.stray_reply("null".into()),
                Err(error) => self.unreadable_reply(error),
            };
        };
        if !self.in_flight.contains_key(&id) {
            return self.stray_reply(format!("{:?}", Some(&id)));
        }
        let entry = self.in_flight.remove(&id).expect("checked just now");
        let read = match frames.len() {
            1 => read,
            n => Err(NetError::Malformed(format!(
                "the reply has {n} frames; the protocol sends one"
            ))),
        };
        Some(match read {
            Ok(reply) => {
                if entry.learns_instance {
                    self.learn_instance(&reply);
                }
                Outcome::Answered {
                    id,
                    tag: entry.tag,
                    reply,
                    round_trip: entry.sent.elapsed(),
                }
            }
            Err(error) => Outcome::Failed {
                id,
                tag: entry.tag,
                error,
            },
        })
    }

    /// A reply for no request in flight: late, or the server confused
    /// its replies. Each request in flight is asked again at once (same
    /// id: answered from the server's cache), in case its own reply is the
    /// one that went astray; once per try, so copies of replies cannot
    /// keep each other going.
    fn stray_reply(&mut self, id: String) -> Option<Outcome<T>> {
        log::warn!("a reply that answers no request in flight was ignored: {id}");
        self.stray = Some((id, Instant::now()));
        let payloads: Vec<String> = self
            .in_flight
            .values_mut()
            .filter_map(|entry| {
                let first = !std::mem::replace(&mut entry.asked_after_stray, true);
                first.then(|| entry.payload.clone())
            })
            .collect();
        for payload in payloads {
            if let Err(error) = self.send_payload(&payload) {
                log::warn!("asking again after a stray reply: {error}");
            }
        }
        None
    }

    /// A reply that names no request: with one request in flight it can
    /// only be that one's; with several, each waits for its resend.
    fn unreadable_reply(&mut self, error: NetError) -> Option<Outcome<T>> {
        log::warn!("an unreadable reply: {error}");
        if self.in_flight.len() == 1 {
            let id = self.in_flight.keys().next().cloned()?;
            let entry = self.in_flight.remove(&id)?;
            return Some(Outcome::Failed {
                id,
                tag: entry.tag,
                error,
            });
        }
        self.unreadable = Some((error, Instant::now()));
        None
    }

    fn learn_instance(&mut self, reply: &Reply) {
        let instance = reply
            .result
            .as_ref()
            .and_then(|result| result.get("instance"))
            .and_then(|instance| instance.as_str());
        if reply.ok
            && let Some(instance) = instance
        {
            self.instance = Some(instance.to_string());
        }
    }

    /// Resends the requests whose try ran out, and gives up on those
    /// that used their last try.
    fn settle_due(&mut self, outcomes: &mut Vec<Outcome<T>>) -> Result<(), NetError> {
        let now = Instant::now();
        let due: Vec<String> = self
            .in_flight
            .iter()
            .filter(|(_, entry)| entry.due <= now)
            .map(|(id, _)| id.clone())
            .collect();
        for id in due {
            let tries = self.options.tries.max(1);
            let entry = self.in_flight.get_mut(&id).expect("listed just now");
            entry.asked_after_stray = false;
            if entry.paused {
                entry.paused = false;
                entry.due = now + self.options.request_timeout;
                let (payload, attempt, request_type) =
                    (entry.payload.clone(), entry.attempt, entry.request_type);
                self.send_payload(&payload)?;
                outcomes.push(Outcome::Retrying {
                    id,
                    request_type,
                    attempt,
                    tries,
                });
                continue;
            }
            if now < entry.allowance_ends {
                // It may still run: ask again at once, free of charge.
                log::debug!("no reply to {id} yet: asking again while it may still run");
                entry.due = now + self.options.request_timeout;
                let payload = entry.payload.clone();
                self.send_payload(&payload)?;
                continue;
            }
            entry.attempt += 1;
            if entry.attempt > tries {
                outcomes.push(self.give_up(id, tries));
                continue;
            }
            log::warn!(
                "no reply to {id} ({}) from {} (try {} of {tries})",
                entry.request_type,
                self.address,
                entry.attempt - 1
            );
            if entry.attempt == 1 {
                entry.due = now + self.options.request_timeout;
                let payload = entry.payload.clone();
                self.send_payload(&payload)?;
            } else {
                entry.paused = true;
                entry.due = now + self.options.backoff_before(entry.attempt);
            }
        }
        Ok(())
    }

    fn give_up(&mut self, id: String, tries: u32) -> Outcome<T> {
        let entry = self
            .in_flight
            .remove(&id)
            .expect("given up while in flight");
        let since = |at: &Instant| *at >= entry.sent;
        let error = if let Some((other, _)) = self.stray.as_ref().filter(|(_, at)| since(at)) {
            NetError::Malformed(format!(
                "a reply with a foreign id ({other}) was ignored, and none came for {id}"
            ))
        } else if let Some((error, _)) = self.unreadable.as_ref().filter(|(_, at)| since(at)) {
            error.clone()
        } else {
            NetError::NoReply {
                address: self.address.clone(),
                tries,
                waited: entry.sent.elapsed(),
            }
        };
        Outcome::Failed {
            id,
            tag: entry.tag,
            error,
        }
    }

    fn send_payload(&self, payload: &str) -> Result<(), NetError> {
        // Framed as a REQ socket frames it, so any ROUTER server reads it.
        self.socket
            .send_multipart([&b""[..], payload.as_bytes()], zmq::DONTWAIT)
            .map_err(|e| NetError::socket(format!("send to {}", self.address), e))
    }

    /// The request as sent: with the known server instance when it runs
    /// code and names none itself.
    fn stamped<'r>(&self, request: &'r Request) -> std::borrow::Cow<'r, Request> {
        if request.instance.is_some() || !request.body.runs_code() || self.instance.is_none() {
            return std::borrow::Cow::Borrowed(request);
        }
        let mut stamped = request.clone();
        stamped.instance = self.instance.clone();
        std::borrow::Cow::Owned(stamped)
    }

    /// True when the socket's connection dropped since last asked.
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

    /// The connection dropped. When the same server still answers, it was
    /// this side that dropped it, over a reply too large: with one request
    /// in flight that is the one; with several, each is asked again and a
    /// request in flight across two such drops is the one.
    fn after_a_drop(&mut self, outcomes: &mut Vec<Outcome<T>>) -> Result<(), NetError> {
        if self.in_flight.is_empty() || !self.same_server_still_answers() {
            return Ok(());
        }
        let limit = socket_ceiling(&self.options);
        let alone = self.in_flight.len() == 1;
        let ids: Vec<String> = self.in_flight.keys().cloned().collect();
        for id in ids {
            let entry = self.in_flight.get_mut(&id).expect("listed just now");
            entry.drops += 1;
            if alone || entry.drops >= 2 {
                let entry = self.in_flight.remove(&id).expect("listed just now");
                outcomes.push(Outcome::Failed {
                    id,
                    tag: entry.tag,
                    error: NetError::ReplyOverCeiling { limit },
                });
            } else {
                let payload = entry.payload.clone();
                self.send_payload(&payload)?;
            }
        }
        Ok(())
    }

    /// After a dropped connection: does the server still answer a ping, as
    /// the same process (when its instance is known)?
    fn same_server_still_answers(&self) -> bool {
        let timeout = self.options.request_timeout.min(Duration::from_secs(1));
        let curve = self.options.curve.as_ref();
        match probe_instance(&self.address, &self.session, curve, timeout) {
            Some(answered) => self.instance.is_none() || self.instance == answered,
            None => false,
        }
    }
}

/// The size over which the socket itself drops a reply unread.
fn socket_ceiling(options: &ClientOptions) -> u64 {
    options
        .max_reply_bytes
        .saturating_mul(SOCKET_REPLY_CEILING_FACTOR)
        .min(i64::MAX as u64)
}

fn poll_timeout(timeout: Duration) -> i64 {
    // Round up: a 0.4 ms wait must not become a busy 0 ms poll loop.
    let millis = timeout.as_micros().div_ceil(1000);
    i64::try_from(millis).unwrap_or(i64::MAX)
}

/// The id a reply's bytes name, when they are JSON with a string id.
fn reply_id(bytes: &[u8]) -> Option<String> {
    serde_json::from_slice::<IdOnly>(bytes).ok()?.id
}

/// A reply body of at most `max_reply_bytes`, read as a protocol reply.
fn read_body(bytes: &[u8], options: &ClientOptions) -> Result<Reply, NetError> {
    let limit = options.max_reply_bytes;
    if bytes.len() as u64 > limit {
        return Err(NetError::TooLarge {
            bytes: bytes.len() as u64,
            limit,
        });
    }
    read_reply(bytes)
}

/// A socket that receives an event whenever `socket` loses its connection.
fn watch_disconnects(context: &zmq::Context, socket: &zmq::Socket) -> Option<zmq::Socket> {
    let endpoint = format!("inproc://stui-monitor-{}", uuid::Uuid::new_v4());
    socket
        .monitor(&endpoint, zmq::SocketEvent::DISCONNECTED as i32)
        .ok()?;
    let monitor = context.socket(zmq::PAIR).ok()?;
    monitor.connect(&endpoint).ok()?;
    Some(monitor)
}

/// One ping on a socket of its own: Some(its instance) when the server answered.
fn probe_instance(
    address: &str,
    session: &str,
    curve: Option<&crate::security::CurveKeys>,
    timeout: Duration,
) -> Option<Option<String>> {
    let socket = super::context().socket(zmq::REQ).ok()?;
    socket.set_linger(0).ok()?;
    crate::security::apply(&socket, curve).ok()?;
    socket.connect(address).ok()?;
    let ping = Request::new(
        uuid::Uuid::new_v4().to_string(),
        session,
        RequestBody::ping(),
    );
    socket.send(ping.to_json().as_bytes(), 0).ok()?;
    if socket.poll(zmq::POLLIN, poll_timeout(timeout)).ok()? == 0 {
        return None;
    }
    let reply = read_reply(&socket.recv_bytes(0).ok()?).ok()?;
    let result: PingResult = reply.into_result().ok()?.ok()?;
    Some(result.process.instance)
}
