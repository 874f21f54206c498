//! The tui-realm port that hands the bridge's events to the Application.

use std::sync::mpsc::{Receiver, TryRecvError};

use tuirealm::event::Event;
use tuirealm::listener::{Poll, PortResult};

use super::NetEvent;

pub struct NetPort {
    events: Receiver<NetEvent>,
}

impl NetPort {
    pub fn new(events: Receiver<NetEvent>) -> Self {
        Self { events }
    }
}

impl Poll<NetEvent> for NetPort {
    fn poll(&mut self) -> PortResult<Option<Event<NetEvent>>> {
        match self.events.try_recv() {
            Ok(event) => Ok(Some(Event::User(event))),
            // A finished bridge is not an error of the port: an Err would make
            // `tick` drop that tick's keyboard events too.
            Err(TryRecvError::Empty | TryRecvError::Disconnected) => Ok(None),
        }
    }
}
