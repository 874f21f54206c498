//! The bridge thread: owns the ZeroMQ sockets (and a local server it started),
//! carries out the runtime's commands and reports [`NetEvent`]s. The UI never
//! waits on it.
//!
//! While connected it sends queued requests one at a time, pings when idle
//! (heartbeat) and polls the image's Transcript. When the server stops
//! answering it reports `Down` and, unless the user disconnected, reconnects
//! on its own with a growing pause, trying the failover backups in order.

use std::collections::VecDeque;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, TryRecvError, channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::client::{Client, ClientOptions, NetError, Timed, decode_answer, run_allowance};
use super::transcript::TranscriptFeed;
use super::{Answer, NetEvent, ServerInfo};
use crate::config::settings::Settings;
use crate::protocol::{
    DescribeParams, DescribeResult, Empty, EndSessionResult, InterruptParams, InterruptResult,
    Reply, Request, RequestBody, TranscriptResult,
};
use crate::server::{LocalServer, ServerError, StartedServer, is_loopback};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BridgeCommand {
    Connect,
    Disconnect,
    Send(Request),
    /// Stop running requests (sent on a second socket): `None` = every
    /// running request of the session, `Some(id)` = that request.
    Interrupt {
        target: Option<String>,
    },
    /// Save the local server's image; the outcome comes as `LocalServer`.
    SaveImage,
    /// File in the changes made since the last save.
    ReplayChanges,
    Shutdown,
}

/// Automatic reconnection: the first pause, doubled after each failed try.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reconnect {
    pub first: Duration,
    pub max: Duration,
}

#[derive(Debug, Clone)]
pub struct BridgeSettings {
    /// The server address, then the failover backups, in the order tried.
    pub addresses: Vec<String>,
    pub session: String,
    pub options: ClientOptions,
    /// Ping this often while connected and idle.
    pub heartbeat: Option<Duration>,
    /// Fetch new Transcript output this often while connected and idle.
    pub transcript_poll: Option<Duration>,
    /// Reconnect on its own after the server went down; None = wait for F2.
    pub reconnect: Option<Reconnect>,
    /// Requests waiting behind the one in flight; more are refused.
    pub max_queued: usize,
    /// Set when STUI may start the bundled server for the first address.
    pub auto_start: Option<LocalServer>,
    /// The local server at the first address, when it is a loopback one:
    /// its images and changes file.
    pub local: Option<LocalServer>,
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
            max_queued: 64,
            auto_start: None,
            local: None,
        }
    }

    pub fn from_settings(settings: &Settings, session: impl Into<String>) -> Self {
        let server = &settings.server;
        let every = |ms: u64| (ms > 0).then(|| Duration::from_millis(ms));
        let local = is_loopback(&server.address).then(|| LocalServer::from_settings(settings));
        let auto_start = local.clone().filter(|_| settings.local_server.auto_start);
        Self {
            addresses: settings.server_addresses(),
            session: session.into(),
            options: ClientOptions::from_settings(server),
            heartbeat: every(server.heartbeat_ms),
            transcript_poll: every(server.transcript_poll_ms),
            reconnect: every(server.reconnect_ms).map(|first| Reconnect {
                first,
                max: Duration::from_millis(server.reconnect_max_ms).max(first),
            }),
            max_queued: server.max_queued_requests,
            auto_start,
            local,
        }
    }
}

/// How long quitting waits for the bridge (and a save of the image on the way).
const SHUTDOWN_WAIT: Duration = Duration::from_secs(5);

pub struct Bridge {
    commands: Sender<BridgeCommand>,
    /// Answers what became of the local server when the TUI left.
    thread: Option<JoinHandle<Option<String>>>,
}

impl Bridge {
    pub fn spawn(settings: BridgeSettings, events: Sender<NetEvent>) -> Self {
        let (commands, inbox) = channel();
        let thread = std::thread::Builder::new()
            .name("stui-bridge".into())
            .spawn(move || Worker::new(settings, events, inbox).run())
            .expect("the bridge thread starts");
        Self {
            commands,
            thread: Some(thread),
        }
    }

    pub fn send(&self, command: BridgeCommand) {
        // A send only fails when the thread has ended; shutdown reports that.
        let _ = self.commands.send(command);
    }

    /// Stops the thread and waits for it; answers what it did with a
    /// local server a TUI started (saved and stopped it, or left it to
    /// the other sessions), for the TUI's last words.
    ///
    /// Waits at most `SHUTDOWN_WAIT`: quitting never hangs on a server that
    /// does not answer (a server a TUI started and nobody uses is saved and
    /// stopped by its supervisor anyway).
    pub fn shutdown(mut self) -> Option<String> {
        self.send(BridgeCommand::Shutdown);
        let thread = self.thread.take()?;
        let deadline = Instant::now() + SHUTDOWN_WAIT;
        while !thread.is_finished() {
            if Instant::now() >= deadline {
                log::warn!("the bridge did not stop within {SHUTDOWN_WAIT:?}: quitting anyway");
                return Some(format!(
                    "quit without waiting for the local server (no answer within {} s)",
                    SHUTDOWN_WAIT.as_secs()
                ));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        thread.join().ok().flatten()
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

/// What the timers are waiting for while connected.
struct Connected {
    client: Client,
    last_exchange: Instant,
    last_poll: Instant,
    transcript: TranscriptFeed,
    /// The server process last seen: another one means it restarted.
    instance: Option<String>,
}

struct Worker {
    settings: BridgeSettings,
    events: Sender<NetEvent>,
    inbox: Receiver<BridgeCommand>,
    connected: Option<Connected>,
    queue: VecDeque<Request>,
    started: Option<StartedServer>,
    /// The user asked to be connected (Connect without a later Disconnect).
    wanted: bool,
    reconnect_at: Option<Instant>,
    reconnect_pause: Option<Duration>,
    /// A command read while waiting for a reply that ends the wait.
    deferred: Option<BridgeCommand>,
    /// The second socket: interrupts, and liveness pings and Transcript
    /// polls while a long request waits.
    control: Option<Client>,
    shutting_down: bool,
}

impl Worker {
    fn new(
        settings: BridgeSettings,
        events: Sender<NetEvent>,
        inbox: Receiver<BridgeCommand>,
    ) -> Self {
        Self {
            settings,
            events,
            inbox,
            connected: None,
            queue: VecDeque::new(),
            started: None,
            wanted: false,
            reconnect_at: None,
            reconnect_pause: None,
            deferred: None,
            control: None,
            shutting_down: false,
        }
    }

    fn emit(&self, event: NetEvent) {
        let _ = self.events.send(event);
    }

    fn run(mut self) -> Option<String> {
        while !self.shutting_down {
            if let Some(command) = self.deferred.take() {
                self.handle(command);
                continue;
            }
            if self.connected.is_some()
                && let Some(request) = self.queue.pop_front()
            {
                self.send_request(request);
                continue;
            }
            let command = match self.next_timer() {
                Some(at) => self
                    .inbox
                    .recv_timeout(at.saturating_duration_since(Instant::now())),
                None => self
                    .inbox
                    .recv()
                    .map_err(|_| RecvTimeoutError::Disconnected),
            };
            match command {
                Ok(command) => self.handle(command),
                Err(RecvTimeoutError::Timeout) => self.timer_fired(),
                Err(RecvTimeoutError::Disconnected) => break,
            }
        }
        if let Some(connected) = self.connected.take() {
            end_session(connected.client);
        }
        let local = self.settings.local.as_ref()?;
        local.depart(&self.settings.session).message(&local.address)
    }

    /// The earliest moment a timer needs the thread, if any.
    fn next_timer(&self) -> Option<Instant> {
        match &self.connected {
            Some(connected) => [
                self.settings
                    .heartbeat
                    .map(|every| connected.last_exchange + every),
                self.settings
                    .transcript_poll
                    .map(|every| connected.last_poll + every),
            ]
            .into_iter()
            .flatten()
            .min(),
            None => self.reconnect_at,
        }
    }

    fn timer_fired(&mut self) {
        let now = Instant::now();
        let Some(connected) = &self.connected else {
            if self.reconnect_at.is_some_and(|at| at <= now) {
                self.connect();
            }
            return;
        };
        let due = |last: Instant, every: Option<Duration>| every.is_some_and(|e| last + e <= now);
        if due(connected.last_poll, self.settings.transcript_poll) {
            self.poll_transcript();
        } else if due(connected.last_exchange, self.settings.heartbeat) {
            self.heartbeat();
        }
    }

    fn handle(&mut self, command: BridgeCommand) {
        match command {
            BridgeCommand::Connect => {
                self.wanted = true;
                self.connect();
            }
            BridgeCommand::Disconnect => {
                self.wanted = false;
                self.connected = None;
                self.reconnect_at = None;
                self.fail_queued("disconnected");
                self.emit(NetEvent::Disconnected);
            }
            BridgeCommand::Send(request) => {
                if self.connected.is_some() {
                    self.enqueue(request);
                } else {
                    let reason = match self.reconnect_at {
                        Some(at) => format!(
                            "not connected (reconnecting in {} s)",
                            at.saturating_duration_since(Instant::now()).as_secs() + 1
                        ),
                        None => "not connected".into(),
                    };
                    self.emit(NetEvent::Failed {
                        id: request.id,
                        reason,
                    });
                }
            }
            // Nothing is running between requests.
            BridgeCommand::Interrupt { .. } => {}
            BridgeCommand::SaveImage => {
                let outcome = self.save_image();
                self.emit(NetEvent::LocalServer(outcome));
            }
            BridgeCommand::ReplayChanges => {
                let outcome = self.replay_changes();
                self.emit(NetEvent::LocalServer(outcome));
            }
            BridgeCommand::Shutdown => self.shutting_down = true,
        }
    }

    /// After the local server (re)started: the code changes it lost (made
    /// after the last save, before a crash) are offered for replay.
    fn offer_lost_changes(&self) {
        let Some(local) = &self.settings.local else {
            return;
        };
        let Ok(log) = crate::changes::ChangeLog::read(&local.changes_file) else {
            return;
        };
        let lost = log.lost_at_restart().len();
        if lost > 0 {
            self.emit(NetEvent::LocalServer(format!(
                "{lost} change(s) to code made since the last save are not in the image the server started from: press F5 (replay_changes) to replay them."
            )));
        }
    }

    /// Saves the local server's image under the name it was started
    /// with; answers what to tell the user.
    fn save_image(&self) -> String {
        let Some(local) = &self.settings.local else {
            return "Saving the image needs a local server (a loopback address); save a remote image on its machine.".into();
        };
        let name = local.image_name_for_saves();
        match local.save_image(&name) {
            Ok(image) => format!("Saved the image \"{name}\" to {}.", image.path.display()),
            Err(error) => format!("The image was not saved: {error}"),
        }
    }

    /// Files the changes made since the last save into the server again
    /// (after a crash lost them); answers what to tell the user.
    fn replay_changes(&self) -> String {
        let Some(local) = &self.settings.local else {
            return "Replaying changes needs a local server (a loopback address).".into();
        };
        match replay_since_save(local, &self.settings.session) {
            Ok(report) => report,
            Err(error) => format!("The changes were not replayed: {error}"),
        }
    }

    fn enqueue(&mut self, request: Request) {
        enqueue(
            &mut self.queue,
            self.settings.max_queued,
            &self.events,
            request,
        );
    }

    /// Tries the server address, then each backup, until one answers
    /// `describe`. One try each: the reconnection timer is the retry.
    fn connect(&mut self) {
        self.connected = None;
        self.reconnect_at = None;
        // A server this session started and that died since may be started again.
        if self.started.as_mut().is_some_and(StartedServer::has_exited) {
            log::warn!("the local server this session started has exited");
            self.started = None;
        }
        let addresses = self.settings.addresses.clone();
        let mut failures = Vec::new();
        for (index, address) in addresses.iter().enumerate() {
            self.emit(NetEvent::Connecting {
                address: address.clone(),
                starting_server: false,
            });
            if index == 0
                && let Err(error) = self.start_local_server_if_absent(address)
            {
                failures.push(format!("could not start the local server: {error}"));
                continue;
            }
            let mut client = Client::new(
                address,
                &self.settings.session,
                ClientOptions {
                    tries: 1,
                    ..self.settings.options.clone()
                },
            );
            let request = client.new_request(RequestBody::Describe(DescribeParams {
                interactive: Some(true),
                ..DescribeParams::default()
            }));
            let outcome = self.exchange(&mut client, &request, None);
            if self.deferred.is_some() {
                // Disconnect or shutdown while connecting: that wins.
                self.fail_queued("disconnected while connecting");
                return;
            }
            match outcome.map(|timed| (decode_answer(&request.body, timed.value), timed.round_trip))
            {
                Ok((Ok(Ok(Answer::Describe(describe))), round_trip)) => {
                    log::info!("connected to {} at {address}", describe.server);
                    client.set_options(self.settings.options.clone());
                    let now = Instant::now();
                    self.connected = Some(Connected {
                        client,
                        last_exchange: now,
                        last_poll: now,
                        transcript: TranscriptFeed::default(),
                        instance: describe.process.instance.clone(),
                    });
                    self.reconnect_pause = None;
                    self.emit(NetEvent::Connected {
                        info: ServerInfo::new(address, index, &describe),
                        round_trip_us: micros(round_trip),
                    });
                    self.offer_lost_changes();
                    return;
                }
                Ok((Ok(Err(error)), _)) => {
                    failures.push(format!("{address} refused describe: {error}"))
                }
                Ok((Ok(Ok(other)), _)) => {
                    failures.push(format!("{address} answered describe with {other:?}"))
                }
                Ok((Err(error), _)) | Err(error) => failures.push(error.to_string()),
            }
        }
        self.fail_queued("the server is down");
        let retry_in = self.schedule_reconnect();
        self.emit(NetEvent::Down {
            reason: failures.join("; "),
            retry_in_ms: retry_in.map(|pause| pause.as_millis() as u64),
        });
    }

    /// Starts the bundled server when auto-start applies and nothing
    /// answers at `address`; a server already there is used as it is.
    fn start_local_server_if_absent(&mut self, address: &str) -> Result<(), ServerError> {
        let Some(local) = self.settings.auto_start.clone() else {
            return Ok(());
        };
        if self.started.is_some() {
            return Ok(());
        }
        match local.check_free() {
            Ok(()) => {
                self.emit(NetEvent::Connecting {
                    address: address.to_string(),
                    starting_server: true,
                });
                self.started = Some(local.spawn()?);
                Ok(())
            }
            Err(ServerError::AlreadyRunning { .. } | ServerError::AddressInUse(_)) => Ok(()),
            Err(error) => Err(error),
        }
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

    fn heartbeat(&mut self) {
        let Some(mut connected) = self.connected.take() else {
            return;
        };
        let request = connected.client.new_request(RequestBody::ping());
        let outcome = self.exchange(&mut connected.client, &request, None);
        connected.last_exchange = Instant::now();
        match outcome {
            Ok(timed) => {
                let round_trip_us = micros(timed.round_trip);
                let pong = match decode_answer(&request.body, timed.value) {
                    Ok(Ok(Answer::Ping(pong))) => pong,
                    _ => Default::default(),
                };
                let restarted =
                    pong.process.instance.is_some() && pong.process.instance != connected.instance;
                connected.instance.clone_from(&pong.process.instance);
                if restarted {
                    // The new server knows this session from pings only:
                    // a describe makes it an active session there, so a
                    // server a TUI started is not stopped as unused.
                    let _ = connected
                        .client
                        .call::<DescribeResult>(RequestBody::Describe(DescribeParams {
                            interactive: Some(true),
                            ..DescribeParams::default()
                        }));
                }
                self.connected = Some(connected);
                self.emit(NetEvent::Alive {
                    round_trip_us,
                    instance: pong.process.instance,
                    restart_reason: pong.process.restart_reason,
                });
                if restarted {
                    self.offer_lost_changes();
                }
            }
            Err(NetError::Cancelled) => self.connected = Some(connected),
            Err(error) => self.lost(error),
        }
    }

    fn poll_transcript(&mut self) {
        let Some(mut connected) = self.connected.take() else {
            return;
        };
        let request = connected
            .client
            .new_request(RequestBody::Transcript(connected.transcript.params()));
        let outcome = self.exchange(&mut connected.client, &request, None);
        connected.last_poll = Instant::now();
        match outcome.map(|timed| decode_answer(&request.body, timed.value)) {
            Ok(Ok(Ok(Answer::Transcript(result)))) => {
                let event = connected.transcript.accept(result);
                self.connected = Some(connected);
                if let Some(event) = event {
                    self.emit(event);
                }
            }
            // A server without `transcript`, or one that refuses it: stop asking.
            Ok(Ok(Err(error))) => {
                log::warn!("transcript polling stops: {error}");
                self.settings.transcript_poll = None;
                self.connected = Some(connected);
            }
            Ok(Ok(Ok(_)) | Err(_))
            | Err(
                NetError::Malformed(_)
                | NetError::TooLarge { .. }
                | NetError::ReplyOverCeiling { .. },
            ) => {
                log::warn!("unusable transcript reply; polling goes on");
                self.connected = Some(connected);
            }
            Err(NetError::Cancelled) => self.connected = Some(connected),
            Err(error) => self.lost(error),
        }
    }

    fn send_request(&mut self, request: Request) {
        let Some(mut connected) = self.connected.take() else {
            self.emit(NetEvent::Failed {
                id: request.id,
                reason: "not connected".into(),
            });
            return;
        };
        let outcome = self.exchange(
            &mut connected.client,
            &request,
            Some(&mut connected.transcript),
        );
        connected.last_exchange = Instant::now();
        match outcome {
            Ok(reply) => match decode_answer(&request.body, reply.value) {
                Ok(mut result) => {
                    let polling = self.settings.transcript_poll.is_some();
                    connected.transcript.settle(&mut result, polling);
                    self.connected = Some(connected);
                    self.emit(NetEvent::Reply {
                        id: request.id,
                        result,
                        round_trip_us: micros(reply.round_trip),
                    });
                }
                Err(error) => {
                    self.connected = Some(connected);
                    self.emit(NetEvent::Failed {
                        id: request.id,
                        reason: error.to_string(),
                    });
                }
            },
            // The server answered, just not usably: it is still there.
            Err(
                error @ (NetError::Cancelled
                | NetError::Malformed(_)
                | NetError::TooLarge { .. }
                | NetError::ReplyOverCeiling { .. }),
            ) => {
                self.connected = Some(connected);
                self.emit(NetEvent::Failed {
                    id: request.id,
                    reason: error.to_string(),
                });
            }
            Err(error) => {
                self.emit(NetEvent::Failed {
                    id: request.id,
                    reason: error.to_string(),
                });
                self.lost(error);
            }
        }
    }

    /// Sends `request` on `client` and waits for its reply. Meanwhile new
    /// requests queue up, an interrupt goes out on a second (control)
    /// socket, and a disconnect or shutdown ends the wait (kept in
    /// `deferred`). A long wait (an evaluation) pings on the control socket
    /// every heartbeat, so a server that died is noticed before the
    /// evaluation's own timeout, and polls the Transcript there so output
    /// shows while the evaluation runs.
    fn exchange(
        &mut self,
        client: &mut Client,
        request: &Request,
        mut transcript: Option<&mut TranscriptFeed>,
    ) -> Result<Timed<Reply>, NetError> {
        let address = client.address().to_string();
        let tries = client.options().tries;
        // One control socket serves every wait at this address.
        let mut control = match self.control.take() {
            Some(control) if control.address() == address => control,
            _ => Client::new(
                &address,
                &self.settings.session,
                ClientOptions {
                    tries: 1,
                    ..client.options().clone()
                },
            ),
        };
        // Its pings then tell a restart from the instance the request was sent to.
        control.set_instance(client.instance().map(str::to_string));
        let (inbox, queue, events) = (&self.inbox, &mut self.queue, &self.events);
        // Only a request that may run long (an evaluation, a code tool)
        // needs a liveness check: the others give up after their tries.
        let long = !run_allowance(&request.body).is_zero();
        let check_every = self
            .settings
            .heartbeat
            .filter(|_| long)
            .map(|every| every.max(client.options().request_timeout));
        let poll_every = self.settings.transcript_poll.filter(|_| long);
        let max_queued = self.settings.max_queued;
        let deferred = &mut self.deferred;
        let started = Instant::now();
        let mut last_check = started;
        let mut last_poll = started;
        let mut unresponsive = false;
        let outcome = client.send_observed(
            request,
            || loop {
                match inbox.try_recv() {
                    Ok(BridgeCommand::Send(next)) => enqueue(queue, max_queued, events, next),
                    Ok(BridgeCommand::Interrupt { .. }) => interrupt(&mut control),
                    Ok(BridgeCommand::Connect) => {}
                    Ok(other) => {
                        *deferred = Some(other);
                        return true;
                    }
                    Err(TryRecvError::Empty) => {
                        if check_every.is_some_and(|every| last_check.elapsed() >= every) {
                            if control.ping().is_err() {
                                unresponsive = true;
                                return true;
                            }
                            last_check = Instant::now();
                        }
                        if let (Some(every), Some(feed)) = (poll_every, transcript.as_deref_mut())
                            && last_poll.elapsed() >= every
                        {
                            last_poll = Instant::now();
                            let polled = control
                                .call::<TranscriptResult>(RequestBody::Transcript(feed.params()));
                            if let Ok(Timed {
                                value: Ok(result), ..
                            }) = polled
                                && let Some(event) = feed.accept(result)
                            {
                                let _ = events.send(event);
                            }
                        }
                        return false;
                    }
                    Err(TryRecvError::Disconnected) => {
                        *deferred = Some(BridgeCommand::Shutdown);
                        return true;
                    }
                }
            },
            |attempt| {
                let _ = events.send(NetEvent::Retrying {
                    id: request.id.clone(),
                    request_type: request.body.type_name().to_string(),
                    attempt,
                    tries,
                });
            },
        );
        self.control = Some(control);
        if unresponsive {
            return Err(NetError::Unresponsive {
                address,
                waited: started.elapsed(),
            });
        }
        outcome
    }

    /// The server stopped answering: report it down, fail what was queued
    /// and plan the reconnection.
    fn lost(&mut self, error: NetError) {
        self.connected = None;
        self.fail_queued("the server is down");
        let retry_in = self.schedule_reconnect();
        self.emit(NetEvent::Down {
            reason: error.to_string(),
            retry_in_ms: retry_in.map(|pause| pause.as_millis() as u64),
        });
    }

    fn fail_queued(&mut self, why: &str) {
        for request in self.queue.drain(..) {
            let _ = self.events.send(NetEvent::Failed {
                id: request.id,
                reason: why.to_string(),
            });
        }
    }
}

/// Queues `request` behind the one in flight, or refuses it when the queue is full.
fn enqueue(
    queue: &mut VecDeque<Request>,
    max_queued: usize,
    events: &Sender<NetEvent>,
    request: Request,
) {
    if queue.len() >= max_queued {
        let _ = events.send(NetEvent::Failed {
            id: request.id,
            reason: format!(
                "request queue full: {} requests are already waiting for the one in flight",
                queue.len()
            ),
        });
    } else {
        queue.push_back(request);
    }
}

/// Sends `interrupt` for the session on the control socket: the request
/// socket is busy waiting for the evaluation it interrupts, which then
/// answers `interrupted`.
fn interrupt(control: &mut Client) {
    let outcome =
        control.call::<InterruptResult>(RequestBody::Interrupt(InterruptParams::default()));
    match outcome {
        Ok(timed) => log::info!("interrupt: {:?}", timed.value),
        Err(error) => log::warn!("interrupt got no answer: {error}"),
    }
}

fn micros(duration: Duration) -> u64 {
    duration.as_micros().min(u64::MAX as u128) as u64
}

/// Tells the server this session is leaving (one short try): it stops
/// counting as active, and its variables are freed.
fn end_session(mut client: Client) {
    client.set_options(ClientOptions {
        request_timeout: Duration::from_millis(500),
        tries: 1,
        ..client.options().clone()
    });
    let ended = client.call::<EndSessionResult>(RequestBody::EndSession(Empty {}));
    if let Err(error) = ended {
        log::warn!("ending the session: {error}");
    }
}

/// Files the changes made since the last save into the local server.
fn replay_since_save(local: &LocalServer, session: &str) -> Result<String, String> {
    let log = crate::changes::ChangeLog::read(&local.changes_file)
        .map_err(|e| format!("{}: {e}", local.changes_file.display()))?;
    let entries = log.since_save();
    if entries.is_empty() {
        return Ok("No changes since the last save: nothing to replay.".into());
    }
    let mut client = Client::new(&local.address, session, ClientOptions::default());
    let body = crate::changes::replay_request(&entries, 300_000);
    let result = client
        .call::<crate::protocol::FileInResult>(body)
        .map_err(|e| e.to_string())?
        .value
        .map_err(|e| e.to_string())?;
    let mut report = format!(
        "Replayed {} change(s): {} method(s), classes {}.",
        entries.len(),
        result.methods.len(),
        result.classes.join(", ")
    );
    for error in &result.errors {
        report.push_str(&format!("\nline {}: {}", error.line, error.message));
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reconnect_pause_doubles_up_to_the_maximum() {
        let (events, _inbox) = channel();
        let (_commands, inbox) = channel();
        let mut settings = BridgeSettings::new("tcp://127.0.0.1:1", "s");
        settings.reconnect = Some(Reconnect {
            first: Duration::from_millis(100),
            max: Duration::from_millis(350),
        });
        let mut worker = Worker::new(settings, events, inbox);
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
    fn a_full_queue_refuses_the_new_request_by_id() {
        let (events, inbox) = channel();
        let mut queue = VecDeque::new();
        let request = |n: u32| Request::new(format!("r{n}"), "s", RequestBody::ping());
        for n in 0..3 {
            enqueue(&mut queue, 2, &events, request(n));
        }
        assert_eq!(queue.len(), 2);
        match inbox.try_recv().unwrap() {
            NetEvent::Failed { id, reason } => {
                assert_eq!(id, "r2");
                assert!(reason.contains("queue full"), "{reason}");
            }
            other => panic!("expected Failed, got {other:?}"),
        }
    }
}
