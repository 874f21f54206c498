//! The status bar: connection state, pending evaluations, and a key hint.
//!
//! It is never focused, so `view::mount` subscribes it to every event; it is
//! the one place that turns the bridge's [`NetEvent`]s into `Msg::Net`.

use tuirealm::command::{Cmd, CmdResult};
use tuirealm::component::{AppComponent, Component};
use tuirealm::event::Event;
use tuirealm::props::{AttrValue, Attribute, Props, QueryResult, Style, TextModifiers};
use tuirealm::ratatui::Frame;
use tuirealm::ratatui::layout::{HorizontalAlignment, Rect};
use tuirealm::ratatui::text::{Line, Span};
use tuirealm::ratatui::widgets::Paragraph;
use tuirealm::state::State;

use super::transcript::format_duration;
use crate::app::{Connection, Msg};
use crate::config::keymap::{Action, Context, Keymap, key_label};
use crate::config::theme::StatusBarColors;
use crate::net::NetEvent;

pub struct StatusBar {
    connection: Connection,
    pending: usize,
    /// Why a request is being sent again, while it is.
    retrying: Option<String>,
    /// Key hints, most important first; as many as fit are shown.
    hints: Vec<String>,
    colours: StatusBarColors,
    props: Props,
}

impl StatusBar {
    pub fn new(keymap: &Keymap, colours: StatusBarColors) -> Self {
        Self {
            connection: Connection::Disconnected,
            pending: 0,
            retrying: None,
            hints: key_hints(keymap),
            colours,
            props: Props::default(),
        }
    }

    pub fn set_status(&mut self, connection: &Connection, pending: usize, retrying: Option<&str>) {
        self.connection = connection.clone();
        self.pending = pending;
        self.retrying = retrying.map(str::to_string);
    }

    fn state_colour(&self) -> tuirealm::props::Color {
        match self.connection {
            Connection::Disconnected => self.colours.disconnected,
            Connection::Connecting { .. } => self.colours.connecting,
            Connection::Connected { .. } => self.colours.connected,
            Connection::Down { .. } => self.colours.down,
        }
    }
}

/// `Connected · stui-gst 0.1.0 · GNU Smalltalk 3.2.5 · 0.4 ms`, `Down: reason`, …
pub fn connection_text(connection: &Connection) -> String {
    match connection {
        Connection::Disconnected => "Disconnected".into(),
        Connection::Connecting {
            starting_server: true,
            ..
        } => "Starting server…".into(),
        Connection::Connecting { address, .. } => format!("Connecting to {address}…"),
        Connection::Connected {
            info,
            round_trip_us,
        } => {
            let backup = match info.backup {
                0 => String::new(),
                n => format!(" · backup {n} {}", info.address),
            };
            format!(
                "Connected{backup} · {} · {} {} · {}",
                info.server,
                info.dialect,
                info.dialect_version,
                format_duration(*round_trip_us)
            )
        }
        Connection::Down {
            reason,
            retry_in_ms: Some(pause),
        } => format!(
            "Down: {reason} · reconnecting in {}",
            format_duration(pause.saturating_mul(1000))
        ),
        Connection::Down { reason, .. } => format!("Down: {reason}"),
    }
}

/// `F1 help`, `F2 connect/disconnect`, `Ctrl+E eval`, `Ctrl+Q quit`, from the active keymap.
fn key_hints(keymap: &Keymap) -> Vec<String> {
    const HINTS: [(Context, Action, &str); 4] = [
        (Context::Global, Action::Help, "help"),
        (
            Context::Global,
            Action::ToggleConnection,
            "connect/disconnect",
        ),
        (Context::Workspace, Action::Evaluate, "eval"),
        (Context::Global, Action::Quit, "quit"),
    ];
    HINTS
        .iter()
        .filter_map(|(context, action, what)| {
            let key = *keymap.keys_for(*context, *action).first()?;
            Some(format!("{} {what}", key_label(&key)))
        })
        .collect()
}

/// The most hints that fit in `room` columns, separated by two spaces.
fn fitting_hint(hints: &[String], room: usize) -> String {
    let mut hint = String::new();
    for item in hints {
        let separator = if hint.is_empty() { "" } else { "  " };
        if hint.chars().count() + separator.len() + item.chars().count() > room {
            break;
        }
        hint.push_str(separator);
        hint.push_str(item);
    }
    hint
}

impl Component for StatusBar {
    fn view(&mut self, frame: &mut Frame, area: Rect) {
        let base = Style::default().bg(self.colours.bg).fg(self.colours.fg);
        let state = Style::default()
            .fg(self.state_colour())
            .add_modifier(TextModifiers::BOLD);
        let mut status = Line::from(vec![Span::raw(" ")]);
        // Most urgent first: a narrow terminal cuts the end of the line.
        if let Some(retrying) = &self.retrying {
            status.push_span(Span::styled(
                format!("{retrying} · "),
                Style::default().fg(self.colours.connecting),
            ));
        }
        status.push_span(Span::styled(connection_text(&self.connection), state));
        match self.pending {
            0 => {}
            1 => status.push_span(Span::raw(" · evaluating…")),
            n => status.push_span(Span::raw(format!(" · evaluating {n}…"))),
        }
        // Hints give way to the status when the terminal is narrow.
        let room = usize::from(area.width).saturating_sub(status.width() + 3);
        let hint = fitting_hint(&self.hints, room);
        frame.render_widget(Paragraph::new(status).style(base), area);
        if !hint.is_empty() {
            frame.render_widget(
                Paragraph::new(format!("{hint} "))
                    .style(base)
                    .alignment(HorizontalAlignment::Right),
                area,
            );
        }
    }

    fn query<'a>(&'a self, attr: Attribute) -> Option<QueryResult<'a>> {
        self.props.get_for_query(attr)
    }

    fn attr(&mut self, attr: Attribute, value: AttrValue) {
        self.props.set(attr, value);
    }

    fn state(&self) -> State {
        State::None
    }

    fn perform(&mut self, cmd: Cmd) -> CmdResult {
        CmdResult::Invalid(cmd)
    }
}

impl AppComponent<Msg, NetEvent> for StatusBar {
    fn on(&mut self, event: &Event<NetEvent>) -> Option<Msg> {
        match event {
            Event::User(net_event) => Some(Msg::Net(net_event.clone())),
            _ => None,
        }
    }
}
