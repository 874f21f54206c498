//! The terminal's input, read on a thread of its own with crossterm's
//! blocking `read` and handed to tui-realm's listener through a channel.
//!
//! Why not tui-realm's crossterm port: it polls with a timeout, and
//! crossterm's poll(2) reader (the `use-dev-tty` feature) spins through the
//! last fraction of a millisecond of every timeout (about 6 % of a core
//! while idle), while its default epoll reader leaves input it did not read
//! in one go unread until more arrives (a paste without bracketed paste
//! stalled). A blocking read on the poll(2) reader has neither fault.

use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};

use tuirealm::event::{Event, NoUserEvent};
use tuirealm::listener::{Poll, PortError, PortResult};

/// The listener's end: what the reading thread has read so far.
pub struct TerminalInput {
    events: Receiver<crossterm::event::Event>,
}

impl Poll<NoUserEvent> for TerminalInput {
    fn poll(&mut self) -> PortResult<Option<Event<NoUserEvent>>> {
        match self.events.try_recv() {
            Ok(event) => Ok(Some(Event::from(event))),
            Err(TryRecvError::Empty) => Ok(None),
            Err(TryRecvError::Disconnected) => Err(PortError::PermanentError(
                "the terminal input thread ended".into(),
            )),
        }
    }
}

/// The port for the listener, and the sender [`start_reading`] needs.
pub fn input_channel() -> (Sender<crossterm::event::Event>, TerminalInput) {
    let (sender, events) = channel();
    (sender, TerminalInput { events })
}

/// Read the terminal until it is gone or the listener is. Start it once the
/// terminal is set up: a blocking read holds crossterm's reader, which the
/// keyboard-enhancement query needs too. The thread ends with the process.
pub fn start_reading(sender: Sender<crossterm::event::Event>) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("stui-input".into())
        .spawn(move || {
            loop {
                match crossterm::event::read() {
                    Ok(event) => {
                        if sender.send(event).is_err() {
                            return;
                        }
                    }
                    Err(error) => {
                        log::error!("cannot read the terminal: {error}");
                        return;
                    }
                }
            }
        })
        .map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use tuirealm::event::Key;

    #[test]
    fn what_was_read_comes_out_in_order_then_nothing() {
        let (sender, mut port) = input_channel();
        for c in ['a', 'b'] {
            let key = KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
            sender.send(crossterm::event::Event::Key(key)).unwrap();
        }
        let key = |event: Option<Event<NoUserEvent>>| match event {
            Some(Event::Keyboard(key)) => key.code,
            other => panic!("{other:?}"),
        };
        assert_eq!(key(port.poll().unwrap()), Key::Char('a'));
        assert_eq!(key(port.poll().unwrap()), Key::Char('b'));
        assert_eq!(port.poll().unwrap(), None);
        drop(sender);
        assert!(matches!(port.poll(), Err(PortError::PermanentError(_))));
    }
}
