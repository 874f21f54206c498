//! The bridge thread: owns the connection to the server, carries out the
//! runtime's commands and reports [`NetEvent`]s. The UI never waits on it.
//!
//! One poll loop does everything: it wakes for a command (a doorbell socket
//! rings with each), a reply, a request's try running out, the heartbeat,
//! the Transcript poll or a reconnection. Requests go out at once, each
//! with its own deadline ([`Connection`]), so a `class` or a second
//! evaluation is answered while an evaluation runs. When the server stops
//! answering it reports `Down` and, unless the user disconnected,
//! reconnects on its own with a growing pause, trying the failover backups
//! in order.

use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::client::{ClientOptions, NetError, decode_answer};
use super::connection::{Connection, Outcome};
use super::transcript::TranscriptFeed;
use super::{Answer, NetEvent, ServerInfo};
use crate::protocol::{DescribeParams, Empty, InterruptParams, Reply, Request, RequestBody};
use crate::security::{Security, SecurityError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BridgeCommand {
    Connect,
    Disconnect,
    Send(Request),
    /// Stop a running request of the session (None: every one).
    Interrupt {
        target: Option<String>,
    },
    Shutdown,
}

/// Automatic reconnection: the first pause, doubled after each failed try.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reconnect {
    pub first: Duration,
    pub max: Duration,
}

/// The step before connecting to the first address, handed in by the
/// caller: the TUI starts its bundled server there when none answers.
pub trait BeforeConnect: Send {
    /// Makes sure a server runs at `address`; Ok(true) when it just started one.
    fn before_connect(
        &mut self,
        address: &str,
    ) -> Result<bool, Box<dyn std::error::Error + Send + Sync>>;
}

pub struct BridgeSettings {
    /// The server address, then the failover backups, in the order tried.
    pub addresses: Vec<String>,
    pub session: String,
    pub options: ClientOptions,
    /// Ping when nothing came from the server for this long.
    pub heartbeat: Option<Duration>,
    /// Fetch new Transcript output this often.
    pub transcript_poll: Option<Duration>,
    /// Reconnect on its own after the server went down; None = wait for F2.
    pub reconnect: Option<Reconnect>,
    /// Requests in flight at once; more are refused.
    pub max_in_flight: usize,
    /// The keys of each connection, resolved afresh at each try, and its
    /// handshake checked first; None = plaintext, unchecked.
    pub security: Option<Security>,
    pub before_connect: Option<Box<dyn BeforeConnect>>,
}

impl BridgeSettings {
    /// One address, no timers, no auto-start: the base that tests adjust.
    pub fn new(address: impl Into<String>, session: impl Into<String>) -> Self {
        Self {
            addresses: vec![address.into()],
            session: session.into(),
            options: ClientOptions::default(),
            heartbeat: None,
            transcript_poll: None,
            reconnect: None,
            max_in_flight: 64,
            security: None,
            before_connect: None,
        }
    }
}

/// How long quitting waits for the bridge.
const SHUTDOWN_WAIT: Duration = Duration::from_secs(1);
/// How long the session's end (and an interrupt before a disconnect) may take.
const PARTING_WAIT: Duration = Duration::from_millis(500);

pub struct Bridge {
    commands: Sender<BridgeCommand>,
    /// Rings the thread's poll awake after each command.
    doorbell: zmq::Socket,
    thread: Option<JoinHandle<()>>,
}

impl Bridge {
    pub fn spawn(settings: BridgeSettings, events: Sender<NetEvent>) -> Self {
        let (commands, inbox) = channel();
        let endpoint = format!("inproc://stui-bridge-{}", uuid::Uuid::new_v4());
        let listener = super::context()
            .socket(zmq::PULL)
            .expect("an inproc socket");
        listener.bind(&endpoint).expect("an inproc endpoint binds");
        let doorbell = super::context()
            .socket(zmq::PUSH)
            .expect("an inproc socket");
        doorbell.set_linger(0).expect("linger set");
        doorbell
            .connect(&endpoint)
            .expect("an inproc endpoint connects");
        let thread = std::thread::Builder::new()
            .name("stui-bridge".into())
            .spawn(move || Worker::new(settings, events, inbox, listener).run())
            .expect("the bridge thread starts");
        Self {
            commands,
            doorbell,
            thread: Some(thread),
        }
    }

    pub fn send(&self, command: BridgeCommand) {
        // A send only fails when the thread has ended; shutdown reports that.
        let _ = self.commands.send(command);
        let _ = self.doorbell.send(&b""[..], zmq::DONTWAIT);
    }

    /// Stops the thread, waiting at most `SHUTDOWN_WAIT`: quitting never
    /// hangs on a server that does not answer. False: it did not stop in time.
    pub fn shutdown(mut self) -> bool {
        self.send(BridgeCommand::Shutdown);
        let Some(thread) = self.thread.take() else {
            return true;
        };
        let deadline = Instant::now() + SHUTDOWN_WAIT;
        while !thread.is_finished() {
            if Instant::now() >= deadline {
                log::warn!("the bridge did not stop within {SHUTDOWN_WAIT:?}: quitting anyway");
                return false;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        thread.join().is_ok()
    }
}

impl Drop for Bridge {
    /// Stops the thread the same way when a panic unwinds past the bridge.
    fn drop(&mut self) {
        self.send(BridgeCommand::Shutdown);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// What a request in flight was sent for.
#[derive(Debug)]
enum Purpose {
    /// The runtime's request: its reply is the runtime's.
    User(RequestBody),
    /// `describe` while connecting to the address with this index.
    Connect {
        index: usize,
    },
    /// `describe` after the server restarted under the session.
    Introduce,
    Heartbeat,
    PollTranscript,
    Interrupt,
    EndSession,
}

/// Why no connection to an address was opened.
enum Refusal {
    Failed(String),
    Security(SecurityError),
}

/// The link to a server.
enum Link {
    Idle,
    Connecting {
        connection: Box<Connection<Purpose>>,
        failures: Vec<String>,
    },
    Up(Box<Live>),
}

struct Live {
    connection: Connection<Purpose>,
    info: ServerInfo,
    last_heartbeat: Instant,
    last_poll: Instant,
    transcript: TranscriptFeed,
}

impl Link {
    fn connection(&self) -> Option<&Connection<Purpose>> {
        match self {
            Link::Idle => None,
            Link::Connecting { connection, .. } => Some(connection),
            Link::Up(live) => Some(&live.connection),
        }
    }

    fn connection_mut(&mut self) -> Option<&mut Connection<Purpose>> {
        match self {
            Link::Idle => None,
            Link::Connecting { connection, .. } => Some(connection),
            Link::Up(live) => Some(&mut live.connection),
        }
    }
}

struct Worker {
    settings: BridgeSettings,
    events: Sender<NetEvent>,
    inbox: Receiver<BridgeCommand>,
    doorbell: zmq::Socket,
    link: Link,
    /// Requests sent while connecting: they go out once connected.
    waiting: Vec<Request>,
    /// The user asked to be connected (Connect without a later Disconnect).
    wanted: bool,
    reconnect_at: Option<Instant>,
    reconnect_pause: Option<Duration>,
    shutting_down: bool,
}

/// Longest sleep with nothing due (a command rings the doorbell anyway).
const IDLE_WAIT: Duration = Duration::from_secs(3600);

impl Worker {
    fn new(
        settings: BridgeSettings,
        events: Sender<NetEvent>,
        inbox: Receiver<BridgeCommand>,
        doorbell: zmq::Socket,
    ) -> Self {
        Self {
            settings,
            events,
            inbox,
            doorbell,
            link: Link::Idle,
            waiting: Vec::new(),
            wanted: false,
            reconnect_at: None,
            reconnect_pause: None,
            shutting_down: false,
        }
    }

    fn emit(&self, event: NetEvent) {
        let _ = self.events.send(event);
    }

    fn run(mut self) {
        while !self.shutting_down {
            let timeout = self
                .next_wake()
                .map_or(IDLE_WAIT, |at| at.saturating_duration_since(Instant::now()));
            if let Err(error) = self.wait(timeout) {
                log::error!("the bridge cannot wait on its sockets: {error}");
                self.lost(error);
                std::thread::sleep(Duration::from_millis(50));
            }
            while self.doorbell.recv_bytes(zmq::DONTWAIT).is_ok() {}
            self.take_commands();
            if self.shutting_down {
                break;
            }
            self.serve_connection();
            self.timers();
        }
        self.end_session();
    }

    fn wait(&self, timeout: Duration) -> Result<(), NetError> {
        match self.link.connection() {
            Some(connection) => connection.wait(Some(&self.doorbell), timeout).map(|_| ()),
            None => {
                let millis = i64::try_from(timeout.as_millis()).unwrap_or(i64::MAX);
                self.doorbell.poll(zmq::POLLIN, millis.max(1))?;
                Ok(())
            }
        }
    }

    fn take_commands(&mut self) {
        loop {
            match self.inbox.try_recv() {
                Ok(command) => self.handle(command),
                Err(TryRecvError::Empty) => return,
                Err(TryRecvError::Disconnected) => {
                    self.shutting_down = true;
                    return;
                }
            }
        }
    }

    /// The earliest moment the loop has something to do, if any.
    fn next_wake(&self) -> Option<Instant> {
        match &self.link {
            Link::Idle => self.reconnect_at,
            Link::Connecting { connection, .. } => connection.next_due(),
            Link::Up(live) => [
                live.connection.next_due(),
                self.heartbeat_due(live),
                self.poll_due(live),
            ]
            .into_iter()
            .flatten()
            .min(),
        }
    }

    /// When the next heartbeat ping goes out: a heartbeat after the last
    /// one, which is no longer in flight.
    fn heartbeat_due(&self, live: &Live) -> Option<Instant> {
        let every = self.settings.heartbeat?;
        let pinging = live
            .connection
            .count_in_flight(|p| matches!(p, Purpose::Heartbeat));
        (pinging == 0).then_some(live.last_heartbeat + every)
    }

    /// When the next Transcript poll goes out: timed from the last one's
    /// answer, so a slow server is not asked twice.
    fn poll_due(&self, live: &Live) -> Option<Instant> {
        let every = self.settings.transcript_poll?;
        let polling = live
            .connection
            .count_in_flight(|p| matches!(p, Purpose::PollTranscript));
        (polling == 0).then_some(live.last_poll + every)
    }

    fn handle(&mut self, command: BridgeCommand) {
        match command {
            BridgeCommand::Connect => {
                self.wanted = true;
                if !matches!(self.link, Link::Connecting { .. }) {
                    self.connect_from(0, Vec::new());
                }
            }
            BridgeCommand::Disconnect => self.disconnect(),
            BridgeCommand::Send(request) => self.send_request(request),
            BridgeCommand::Interrupt { target } => self.interrupt(target),
            BridgeCommand::Shutdown => self.shutting_down = true,
        }
    }

    fn disconnect(&mut self) {
        self.wanted = false;
        self.reconnect_at = None;
        // An interrupt just sent is let out before the socket closes.
        self.settle_internal(PARTING_WAIT);
        self.drop_link("disconnected");
        self.emit(NetEvent::Disconnected);
    }

    fn send_request(&mut self, request: Request) {
        let in_flight = self.user_requests_in_flight();
        if in_flight >= self.settings.max_in_flight {
            return self.fail(
                request.id,
                format!(
                    "too many requests in flight: {in_flight} are waiting for replies (max_in_flight)"
                ),
            );
        }
        match &mut self.link {
            Link::Up(live) => {
                let outcome = live
                    .connection
                    .submit(&request, Purpose::User(request.body.clone()));
                if let Err(error) = outcome {
                    self.fail(request.id, error.to_string());
                    self.lost(error);
                }
            }
            Link::Connecting { .. } => self.waiting.push(request),
            Link::Idle => {
                let reason = match self.reconnect_at {
                    Some(at) => format!(
                        "not connected (reconnecting in {} s)",
                        at.saturating_duration_since(Instant::now()).as_secs() + 1
                    ),
                    None => "not connected".into(),
                };
                self.fail(request.id, reason);
            }
        }
    }

    fn user_requests_in_flight(&self) -> usize {
        let connecting = self.waiting.len();
        match &self.link {
            Link::Up(live) => {
                let user = |purpose: &Purpose| matches!(purpose, Purpose::User(_));
                live.connection.count_in_flight(user) + connecting
            }
            _ => connecting,
        }
    }

    /// Sends `interrupt` on the connection: the evaluation it stops then
    /// answers `interrupted`.
    fn interrupt(&mut self, target: Option<String>) {
        let Link::Up(live) = &mut self.link else {
            return;
        };
        let request = live
            .connection
            .new_request(RequestBody::Interrupt(InterruptParams {
                target,
                ..InterruptParams::default()
            }));
        if let Err(error) = live.connection.submit(&request, Purpose::Interrupt) {
            log::warn!("interrupt not sent: {error}");
        }
    }

    fn fail(&self, id: String, reason: String) {
        self.emit(NetEvent::Failed { id, reason });
    }

    /// Tries the addresses from `index` on, until one accepts a socket and
    /// a `describe` (whose reply the loop awaits).
    fn connect_from(&mut self, mut index: usize, mut failures: Vec<String>) {
        self.reconnect_at = None;
        // Refused for keys a person must fix first: retry slowly.
        let mut lasting = false;
        while let Some(address) = self.settings.addresses.get(index).cloned() {
            self.emit(NetEvent::Connecting {
                address: address.clone(),
                starting_server: false,
            });
            match self.open(index, &address) {
                Ok(connection) => {
                    self.link = Link::Connecting {
                        connection: Box::new(connection),
                        failures,
                    };
                    return;
                }
                Err(Refusal::Security(SecurityError::ServerKeyUnknown {
                    address,
                    public_key,
                    fingerprint,
                })) => return self.ask_to_trust(address, public_key, fingerprint),
                Err(Refusal::Security(error)) => {
                    lasting |= error.is_lasting();
                    failures.push(error.to_string());
                }
                Err(Refusal::Failed(failure)) => failures.push(failure),
            }
            index += 1;
        }
        self.link = Link::Idle;
        self.fail_waiting("the server is down");
        if let (true, Some(reconnect)) = (lasting, self.settings.reconnect) {
            self.reconnect_pause = Some(reconnect.max);
        }
        let retry_in = self.schedule_reconnect();
        self.emit(NetEvent::Down {
            reason: failures.join("; "),
            retry_in_ms: retry_in.map(|pause| pause.as_millis() as u64),
        });
    }

    /// The server wants CURVE and its key is unknown: no connection (and
    /// no retry) until the user trusts it and connects again.
    fn ask_to_trust(&mut self, address: String, public_key: String, fingerprint: String) {
        self.link = Link::Idle;
        self.fail_waiting("the server's key is not trusted");
        self.emit(NetEvent::Down {
            reason: format!(
                "the server at {address} is unknown (key {fingerprint}): not connected until it is trusted"
            ),
            retry_in_ms: None,
        });
        self.emit(NetEvent::UnknownServerKey {
            address,
            public_key,
            fingerprint,
        });
    }

    /// A connection to `address` with its `describe` sent (one try: the
    /// reconnection timer is the retry), after its handshake was checked.
    fn open(&mut self, index: usize, address: &str) -> Result<Connection<Purpose>, Refusal> {
        if index == 0 {
            self.prepare(address).map_err(Refusal::Failed)?;
        }
        let options = ClientOptions {
            tries: 1,
            curve: self.secure(address).map_err(Refusal::Security)?,
            ..self.settings.options.clone()
        };
        let failed = |e: NetError| Refusal::Failed(e.to_string());
        let mut connection =
            Connection::open(address, &self.settings.session, options).map_err(failed)?;
        let describe = connection.new_request(introduction());
        connection
            .submit(&describe, Purpose::Connect { index })
            .map_err(failed)?;
        Ok(connection)
    }

    /// The CURVE keys for `address` (read now: a key trusted meanwhile
    /// counts), once its first handshake passed.
    fn secure(&self, address: &str) -> Result<Option<crate::security::CurveKeys>, SecurityError> {
        match &self.settings.security {
            Some(security) => {
                security.connect_check(address, self.settings.options.request_timeout)
            }
            None => Ok(self.settings.options.curve.clone()),
        }
    }

    fn prepare(&mut self, address: &str) -> Result<(), String> {
        let Some(hook) = self.settings.before_connect.as_mut() else {
            return Ok(());
        };
        let started = hook
            .before_connect(address)
            .map_err(|e| format!("could not start the local server: {e}"))?;
        if started {
            self.emit(NetEvent::Connecting {
                address: address.to_string(),
                starting_server: true,
            });
        }
        Ok(())
    }

    /// Takes what came on the connection and what ran out.
    fn serve_connection(&mut self) {
        let Some(connection) = self.link.connection_mut() else {
            return;
        };
        match connection.drain() {
            Ok(outcomes) => {
                for outcome in outcomes {
                    self.settle(outcome);
                }
            }
            Err(error) => self.lost(error),
        }
    }

    fn settle(&mut self, outcome: Outcome<Purpose>) {
        match outcome {
            Outcome::Answered {
                id,
                tag,
                reply,
                round_trip,
            } => self.answered(id, tag, reply, round_trip),
            Outcome::Retrying {
                id,
                request_type,
                attempt,
                tries,
            } => self.emit(NetEvent::Retrying {
                id,
                request_type: request_type.to_string(),
                attempt,
                tries,
            }),
            Outcome::Failed { id, tag, error } => self.failed(id, tag, error),
        }
    }

    fn answered(&mut self, id: String, purpose: Purpose, reply: Reply, round_trip: Duration) {
        match purpose {
            Purpose::User(body) => self.user_reply(id, &body, reply, round_trip),
            Purpose::Connect { index } => self.described(index, reply, round_trip),
            Purpose::Heartbeat => self.pong(reply, round_trip),
            Purpose::PollTranscript => self.polled(reply),
            Purpose::Interrupt => log::info!("interrupt: {:?}", reply.result),
            Purpose::Introduce | Purpose::EndSession => {}
        }
    }

    fn user_reply(&mut self, id: String, body: &RequestBody, reply: Reply, round_trip: Duration) {
        let polling = self.settings.transcript_poll.is_some();
        match decode_answer(body, reply) {
            Ok(mut result) => {
                if let Link::Up(live) = &mut self.link {
                    live.transcript.settle(&mut result, polling);
                }
                self.emit(NetEvent::Reply {
                    id,
                    result,
                    round_trip_us: micros(round_trip),
                });
            }
            Err(error) => self.fail(id, error.to_string()),
        }
    }

    /// The reply to `describe` while connecting.
    fn described(&mut self, index: usize, reply: Reply, round_trip: Duration) {
        let Link::Connecting {
            connection,
            failures,
            ..
        } = std::mem::replace(&mut self.link, Link::Idle)
        else {
            return;
        };
        let address = connection.address().to_string();
        let describe = match decode_answer(&introduction(), reply) {
            Ok(Ok(Answer::Describe(describe))) => describe,
            Ok(Err(error)) => {
                let failure = format!("{address} refused describe: {error}");
                return self.next_address(index, failures, failure);
            }
            Ok(Ok(other)) => {
                let failure = format!("{address} answered describe with {other:?}");
                return self.next_address(index, failures, failure);
            }
            Err(error) => return self.next_address(index, failures, error.to_string()),
        };
        log::info!("connected to {} at {address}", describe.server);
        let mut connection = connection;
        connection.set_options(self.settings.options.clone());
        let now = Instant::now();
        let info = ServerInfo::new(&address, index, &describe);
        self.link = Link::Up(Box::new(Live {
            connection: *connection,
            info: info.clone(),
            last_heartbeat: now,
            last_poll: now,
            transcript: TranscriptFeed::default(),
        }));
        self.reconnect_pause = None;
        self.emit(NetEvent::Connected {
            info,
            round_trip_us: micros(round_trip),
        });
        for request in std::mem::take(&mut self.waiting) {
            self.send_request(request);
        }
    }

    fn next_address(&mut self, index: usize, mut failures: Vec<String>, failure: String) {
        failures.push(failure);
        self.connect_from(index + 1, failures);
    }

    /// A heartbeat answered: the round trip, and whether the server restarted.
    fn pong(&mut self, reply: Reply, round_trip: Duration) {
        let Link::Up(live) = &mut self.link else {
            return;
        };
        let pong = match decode_answer(&RequestBody::ping(), reply) {
            Ok(Ok(Answer::Ping(pong))) => pong,
            _ => Default::default(),
        };
        let restarted =
            pong.process.instance.is_some() && pong.process.instance != live.info.instance;
        live.info.instance.clone_from(&pong.process.instance);
        if restarted {
            // The new server knows this session from pings only: a
            // describe makes it an active session there, so a server a
            // TUI started is not stopped as unused.
            let introduce = live.connection.new_request(introduction());
            let _ = live.connection.submit(&introduce, Purpose::Introduce);
        }
        self.emit(NetEvent::Alive {
            round_trip_us: micros(round_trip),
            instance: pong.process.instance,
            restart_reason: pong.process.restart_reason,
        });
    }

    fn polled(&mut self, reply: Reply) {
        let Link::Up(live) = &mut self.link else {
            return;
        };
        live.last_poll = Instant::now();
        let body = RequestBody::Transcript(live.transcript.params());
        match decode_answer(&body, reply) {
            Ok(Ok(Answer::Transcript(result))) => {
                if let Some(event) = live.transcript.accept(result) {
                    self.emit(event);
                }
            }
            // A server without `transcript`, or one that refuses it: stop asking.
            Ok(Err(error)) => {
                log::warn!("transcript polling stops: {error}");
                self.settings.transcript_poll = None;
            }
            Ok(Ok(_)) | Err(_) => log::warn!("unusable transcript reply; polling goes on"),
        }
    }

    fn failed(&mut self, id: String, purpose: Purpose, error: NetError) {
        let server_gone = matches!(
            error,
            NetError::NoReply { .. } | NetError::Socket(_) | NetError::SocketWhile { .. }
        );
        match purpose {
            Purpose::Connect { index } => {
                let Link::Connecting { failures, .. } =
                    std::mem::replace(&mut self.link, Link::Idle)
                else {
                    return;
                };
                return self.next_address(index, failures, error.to_string());
            }
            Purpose::User(_) => self.fail(id, error.to_string()),
            _ if !server_gone => log::warn!("{id}: {error}"),
            _ => {}
        }
        if server_gone {
            self.lost(error);
        }
    }

    fn timers(&mut self) {
        let now = Instant::now();
        if let Link::Idle = self.link {
            if self.reconnect_at.is_some_and(|at| at <= now) {
                self.connect_from(0, Vec::new());
            }
            return;
        }
        let heartbeat_due = match &self.link {
            Link::Up(live) => self.heartbeat_due(live).is_some_and(|at| at <= now),
            _ => false,
        };
        let poll_due = match &self.link {
            Link::Up(live) => self.poll_due(live).is_some_and(|at| at <= now),
            _ => false,
        };
        let Link::Up(live) = &mut self.link else {
            return;
        };
        let mut sent = Ok(());
        if heartbeat_due {
            live.last_heartbeat = now;
            let ping = live.connection.new_request(RequestBody::ping());
            sent = live.connection.submit(&ping, Purpose::Heartbeat);
        }
        if poll_due && sent.is_ok() {
            live.last_poll = now;
            let poll = RequestBody::Transcript(live.transcript.params());
            let poll = live.connection.new_request(poll);
            sent = live.connection.submit(&poll, Purpose::PollTranscript);
        }
        if let Err(error) = sent {
            self.lost(error);
        }
    }

    /// The server stopped answering: fail what is in flight, report it
    /// down and plan the reconnection.
    fn lost(&mut self, error: NetError) {
        let address = self.link.connection().map(|c| c.address().to_string());
        for (id, purpose, sent) in self.take_in_flight() {
            if let (Purpose::User(_), Some(address)) = (purpose, &address) {
                let reason = NetError::Unresponsive {
                    address: address.clone(),
                    waited: sent.elapsed(),
                };
                self.fail(id, reason.to_string());
            }
        }
        self.link = Link::Idle;
        self.fail_waiting("the server is down");
        let retry_in = self.schedule_reconnect();
        self.emit(NetEvent::Down {
            reason: error.to_string(),
            retry_in_ms: retry_in.map(|pause| pause.as_millis() as u64),
        });
    }

    fn take_in_flight(&mut self) -> Vec<(String, Purpose, Instant)> {
        self.link
            .connection_mut()
            .map(Connection::abandon_all)
            .unwrap_or_default()
    }

    /// Closes the link, failing what was in flight or waiting with `why`.
    fn drop_link(&mut self, why: &str) {
        for (id, purpose, _) in self.take_in_flight() {
            if let Purpose::User(_) = purpose {
                self.fail(id, why.to_string());
            }
        }
        self.link = Link::Idle;
        self.fail_waiting(why);
    }

    fn fail_waiting(&mut self, why: &str) {
        for request in std::mem::take(&mut self.waiting) {
            self.fail(request.id, why.to_string());
        }
    }

    /// Waits up to `limit` for the interrupts and the session's end in flight.
    fn settle_internal(&mut self, limit: Duration) {
        let deadline = Instant::now() + limit;
        while let Link::Up(live) = &mut self.link {
            let now = Instant::now();
            if now >= deadline || live.connection.count_in_flight(is_parting) == 0 {
                return;
            }
            if live.connection.wait(None, deadline - now).is_err() {
                return;
            }
            self.serve_connection();
        }
    }

    /// Tells the server this session is leaving (one short try): it stops
    /// counting as active, and its variables are freed.
    fn end_session(&mut self) {
        if let Link::Up(live) = &mut self.link {
            let request = live
                .connection
                .new_request(RequestBody::EndSession(Empty {}));
            if live
                .connection
                .submit(&request, Purpose::EndSession)
                .is_ok()
            {
                self.settle_internal(PARTING_WAIT);
            }
        }
        self.drop_link("the client is quitting");
    }

    /// When the user still wants a connection, the pause before the next
    /// try: the first pause, then doubling up to the maximum.
    fn schedule_reconnect(&mut self) -> Option<Duration> {
        let reconnect = self.settings.reconnect.filter(|_| self.wanted)?;
        let pause = match self.reconnect_pause {
            None => reconnect.first,
            Some(last) => (last * 2).min(reconnect.max),
        };
        self.reconnect_pause = Some(pause);
        self.reconnect_at = Some(Instant::now() + pause);
        Some(pause)
    }
}

fn is_parting(purpose: &Purpose) -> bool {
    matches!(purpose, Purpose::Interrupt | Purpose::EndSession)
}

/// The `describe` an interactive client introduces itself with.
fn introduction() -> RequestBody {
    RequestBody::Describe(DescribeParams {
        interactive: Some(true),
        ..DescribeParams::default()
    })
}

fn micros(duration: Duration) -> u64 {
    duration.as_micros().min(u64::MAX as u128) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn worker(settings: BridgeSettings) -> (Worker, Receiver<NetEvent>) {
        let (events, inbox) = channel();
        let (_commands, commands) = channel();
        let doorbell = super::super::context().socket(zmq::PULL).unwrap();
        (Worker::new(settings, events, commands, doorbell), inbox)
    }

    #[test]
    fn reconnect_pause_doubles_up_to_the_maximum() {
        let mut settings = BridgeSettings::new("tcp://127.0.0.1:1", "s");
        settings.reconnect = Some(Reconnect {
            first: Duration::from_millis(100),
            max: Duration::from_millis(350),
        });
        let (mut worker, _events) = worker(settings);
        assert_eq!(
            worker.schedule_reconnect(),
            None,
            "not wanted: no reconnection"
        );
        worker.wanted = true;
        let pauses: Vec<u128> = (0..4)
            .map(|_| worker.schedule_reconnect().unwrap().as_millis())
            .collect();
        assert_eq!(pauses, [100, 200, 350, 350]);
    }

    #[test]
    fn a_refusal_a_person_must_fix_is_retried_at_the_longest_pause() {
        let dir = tempfile::tempdir().unwrap();
        let mut settings = BridgeSettings::new("tcp://127.0.0.1:7469", "s");
        settings.reconnect = Some(Reconnect {
            first: Duration::from_millis(100),
            max: Duration::from_millis(900),
        });
        // A pinned key, but no client key file: nothing to connect with.
        settings.security = Some(Security {
            pinned: Some("Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID".into()),
            client_key: dir.path().join("client.key"),
            known_servers: dir.path().join("known_servers"),
        });
        let (mut worker, events) = worker(settings);
        worker.wanted = true;
        worker.connect_from(0, Vec::new());
        let down = events
            .try_iter()
            .find(|e| matches!(e, NetEvent::Down { .. }));
        match down {
            Some(NetEvent::Down {
                reason,
                retry_in_ms,
            }) => {
                assert!(reason.contains("run stui keygen"), "{reason}");
                assert_eq!(retry_in_ms, Some(900));
            }
            other => panic!("expected Down, got {other:?}"),
        }
        assert!(matches!(worker.link, Link::Idle));
    }

    #[test]
    fn requests_beyond_the_maximum_in_flight_are_refused_by_id() {
        let mut settings = BridgeSettings::new("tcp://127.0.0.1:1", "s");
        settings.max_in_flight = 2;
        let (mut worker, events) = worker(settings);
        worker.link = Link::Connecting {
            connection: Box::new(
                Connection::open("tcp://127.0.0.1:1", "s", ClientOptions::default()).unwrap(),
            ),
            failures: Vec::new(),
        };
        for n in 0..3 {
            worker.send_request(Request::new(format!("r{n}"), "s", RequestBody::ping()));
        }
        assert_eq!(worker.waiting.len(), 2);
        match events.try_recv().unwrap() {
            NetEvent::Failed { id, reason } => {
                assert_eq!(id, "r2");
                assert!(reason.contains("max_in_flight"), "{reason}");
            }
            other => panic!("expected Failed, got {other:?}"),
        }
    }
}
