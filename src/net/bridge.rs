//! The bridge thread: owns the ZeroMQ socket (and a local server it started),
//! carries out the runtime's commands and reports [`NetEvent`]s. The UI never
//! waits on it.

use std::collections::VecDeque;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, TryRecvError, channel};
use std::thread::JoinHandle;
use std::time::Duration;

use super::client::{Client, ClientOptions, NetError, decode_answer};
use super::{NetEvent, ServerInfo};
use crate::protocol::{InterruptParams, InterruptResult, Request, RequestBody};
use crate::server::{LocalServer, ServerError, StartedServer};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BridgeCommand {
    Connect,
    Disconnect,
    Send(Request),
    /// Stop the session's running evaluation (sent on a second socket).
    Interrupt,
    Shutdown,
}

#[derive(Debug, Clone)]
pub struct BridgeSettings {
    pub address: String,
    pub session: String,
    pub options: ClientOptions,
    /// Ping this often while connected and idle.
    pub heartbeat: Option<Duration>,
    /// Set when STUI may start the bundled server for this address.
    pub auto_start: Option<LocalServer>,
}

pub struct Bridge {
    commands: Sender<BridgeCommand>,
    thread: Option<JoinHandle<()>>,
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
}

impl Drop for Bridge {
    /// Stops the thread (and a server it started) and waits for it, also
    /// when a panic unwinds past the bridge.
    fn drop(&mut self) {
        self.send(BridgeCommand::Shutdown);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

struct Worker {
    settings: BridgeSettings,
    events: Sender<NetEvent>,
    inbox: Receiver<BridgeCommand>,
    client: Option<Client>,
    queue: VecDeque<Request>,
    started: Option<StartedServer>,
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
            client: None,
            queue: VecDeque::new(),
            started: None,
            shutting_down: false,
        }
    }

    fn emit(&self, event: NetEvent) {
        let _ = self.events.send(event);
    }

    fn run(mut self) {
        while !self.shutting_down {
            if let Some(request) = self.queue.pop_front() {
                self.send_request(request);
                continue;
            }
            let command = match (self.client.is_some(), self.settings.heartbeat) {
                (true, Some(every)) => self.inbox.recv_timeout(every),
                _ => self
                    .inbox
                    .recv()
                    .map_err(|_| RecvTimeoutError::Disconnected),
            };
            match command {
                Ok(command) => self.handle(command),
                Err(RecvTimeoutError::Timeout) => self.heartbeat(),
                Err(RecvTimeoutError::Disconnected) => break,
            }
        }
        self.client = None;
        if let (Some(started), Some(local)) = (self.started.take(), &self.settings.auto_start) {
            local.stop_started(started);
        }
    }

    fn handle(&mut self, command: BridgeCommand) {
        match command {
            BridgeCommand::Connect => self.connect(),
            BridgeCommand::Disconnect => {
                self.client = None;
                self.queue.clear();
                self.emit(NetEvent::Disconnected);
            }
            BridgeCommand::Send(request) => {
                if self.client.is_some() {
                    self.queue.push_back(request);
                } else {
                    self.emit(NetEvent::Failed {
                        id: request.id,
                        reason: "not connected".into(),
                    });
                }
            }
            // Nothing is running between requests.
            BridgeCommand::Interrupt => {}
            BridgeCommand::Shutdown => self.shutting_down = true,
        }
    }

    fn connect(&mut self) {
        let address = self.settings.address.clone();
        self.client = None;
        self.emit(NetEvent::Connecting {
            address: address.clone(),
            starting_server: false,
        });
        // A server this session started and that died since may be started again.
        if self.started.as_mut().is_some_and(StartedServer::has_exited) {
            log::warn!("the local server this session started has exited");
            self.started = None;
        }
        if let Some(local) = self.settings.auto_start.clone()
            && self.started.is_none()
        {
            let started = match local.check_free() {
                Ok(()) => {
                    self.emit(NetEvent::Connecting {
                        address: address.clone(),
                        starting_server: true,
                    });
                    local.spawn().map(Some)
                }
                // Some server is there already: connect to it.
                Err(ServerError::AlreadyRunning { .. } | ServerError::AddressInUse(_)) => Ok(None),
                Err(error) => Err(error),
            };
            match started {
                Ok(started) => self.started = started,
                Err(error) => {
                    self.emit(NetEvent::Down {
                        reason: format!("could not start the local server: {error}"),
                    });
                    return;
                }
            }
        }
        let mut client = Client::new(
            &address,
            &self.settings.session,
            self.settings.options.clone(),
        );
        match client.describe() {
            Ok(timed) => match timed.value {
                Ok(describe) => {
                    log::info!("connected to {} at {address}", describe.server);
                    self.client = Some(client);
                    self.emit(NetEvent::Connected {
                        info: ServerInfo::from(&describe),
                        round_trip_us: micros(timed.round_trip),
                    });
                }
                Err(error) => self.emit(NetEvent::Down {
                    reason: format!("{address} refused describe: {error}"),
                }),
            },
            Err(error) => self.emit(NetEvent::Down {
                reason: error.to_string(),
            }),
        }
    }

    fn heartbeat(&mut self) {
        let Some(client) = self.client.as_mut() else {
            return;
        };
        match client.ping() {
            Ok(timed) => self.emit(NetEvent::Alive {
                round_trip_us: micros(timed.round_trip),
            }),
            Err(error) => self.lost(error),
        }
    }

    fn send_request(&mut self, request: Request) {
        let Some(client) = self.client.as_mut() else {
            self.emit(NetEvent::Failed {
                id: request.id,
                reason: "not connected".into(),
            });
            return;
        };
        // While waiting, keep reading commands: a disconnect or shutdown
        // abandons the wait, new requests queue up behind this one.
        let inbox = &self.inbox;
        let queue = &mut self.queue;
        let settings = &self.settings;
        let mut stop = None;
        let outcome = client.send(&request, || {
            loop {
                match inbox.try_recv() {
                    Ok(BridgeCommand::Send(next)) => queue.push_back(next),
                    Ok(BridgeCommand::Interrupt) => interrupt(settings),
                    Ok(BridgeCommand::Connect) => {}
                    Ok(other) => {
                        stop = Some(other);
                        return true;
                    }
                    Err(TryRecvError::Empty) => return false,
                    Err(TryRecvError::Disconnected) => {
                        stop = Some(BridgeCommand::Shutdown);
                        return true;
                    }
                }
            }
        });
        match outcome {
            Ok(reply) => match decode_answer(&request.body, reply.value) {
                Ok(result) => self.emit(NetEvent::Reply {
                    id: request.id,
                    result,
                    round_trip_us: micros(reply.round_trip),
                }),
                Err(error) => self.emit(NetEvent::Failed {
                    id: request.id,
                    reason: error.to_string(),
                }),
            },
            Err(NetError::Cancelled) => {
                self.emit(NetEvent::Failed {
                    id: request.id,
                    reason: "cancelled".into(),
                });
            }
            Err(NetError::Malformed(why)) => self.emit(NetEvent::Failed {
                id: request.id,
                reason: format!("unreadable reply: {why}"),
            }),
            Err(error) => {
                self.emit(NetEvent::Failed {
                    id: request.id,
                    reason: error.to_string(),
                });
                self.lost(error);
            }
        }
        if let Some(command) = stop {
            self.handle(command);
        }
    }

    /// The server stopped answering: report it down and drop what was queued.
    fn lost(&mut self, error: NetError) {
        self.client = None;
        for request in self.queue.drain(..) {
            let _ = self.events.send(NetEvent::Failed {
                id: request.id,
                reason: "the server is down".into(),
            });
        }
        self.emit(NetEvent::Down {
            reason: error.to_string(),
        });
    }
}

/// Sends `interrupt` for the session on a socket of its own: the request
/// socket is busy waiting for the evaluation it interrupts, which then
/// answers `interrupted`.
fn interrupt(settings: &BridgeSettings) {
    let mut control = Client::new(
        &settings.address,
        &settings.session,
        ClientOptions {
            request_timeout: settings.options.request_timeout,
            tries: 1,
            ..ClientOptions::default()
        },
    );
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
