//! The status bar: connection state, the recent round trips, running
//! evaluations (with a spinner), short-lived messages, and key hints.

use tuirealm::component::{AppComponent, Component};
use tuirealm::event::{Event, NoUserEvent};
use tuirealm::props::{Style, TextModifiers};
use tuirealm::ratatui::Frame;
use tuirealm::ratatui::layout::{HorizontalAlignment, Rect};
use tuirealm::ratatui::text::{Line, Span};
use tuirealm::ratatui::widgets::Paragraph;

use super::{Draw, Pane};
use crate::config::keymap::{Action, Context, Keymap, key_label};
use crate::config::theme::StatusBarColors;
use crate::ui::transcript_view::format_duration;
use crate::ui::{Connection, Focus, Model, Msg, SharedModel};

/// Never focused: it only draws.
#[derive(Component)]
pub struct StatusBar {
    component: Pane<StatusDrawing>,
}

pub struct StatusDrawing {
    /// Key hints, most important first; as many as fit are shown.
    hints: Vec<String>,
    /// `Ctrl+G interrupt`: the first hint while evaluations run.
    interrupt_hint: Option<String>,
    /// In place of `hints` but the first (help) while a tool has the focus.
    tool_hints: super::status_hints::ToolHints,
    /// Keymap warnings and configuration not used at start-up; the transcript has them.
    problems: usize,
    colours: StatusBarColors,
}

impl StatusBar {
    pub fn new(model: SharedModel, keymap: &Keymap, colours: StatusBarColors) -> Self {
        let drawing = StatusDrawing {
            hints: key_hints(keymap),
            interrupt_hint: hint(keymap, Context::Global, Action::Interrupt, "interrupt"),
            tool_hints: super::status_hints::ToolHints::new(keymap),
            problems: keymap.warnings().len(),
            colours,
        };
        Self {
            component: Pane::new(model, drawing),
        }
    }
}

impl StatusDrawing {
    fn state_colour(&self, connection: &Connection) -> tuirealm::props::Color {
        match connection {
            Connection::Disconnected => self.colours.disconnected,
            Connection::Connecting { .. } => self.colours.connecting,
            Connection::Connected { .. } => self.colours.connected,
            Connection::Down { .. } => self.colours.down,
        }
    }

    /// Most urgent first: a narrow terminal cuts the end of the line.
    /// `compact` leaves out what the screen shows elsewhere or matters
    /// least (the workspace's name, the server's name and dialect).
    fn status(&self, model: &Model, compact: bool) -> Line<'static> {
        let state = Style::default()
            .fg(self.state_colour(&model.connection))
            .add_modifier(TextModifiers::BOLD);
        let mut status = Line::from(vec![Span::raw(" ")]);
        if self.problems > 0 {
            let plural = if self.problems == 1 { "" } else { "s" };
            status.push_span(Span::styled(
                format!("{} config problem{plural} (transcript) · ", self.problems),
                Style::default().fg(self.colours.down),
            ));
        }
        if let Some(message) = model.status.message() {
            status.push_span(Span::styled(
                format!("{message} · "),
                Style::default().add_modifier(TextModifiers::BOLD),
            ));
        }
        if let Some(retrying) = &model.retrying {
            status.push_span(Span::styled(
                format!("{retrying} · "),
                Style::default().fg(self.colours.connecting),
            ));
        }
        if let Some(tool) = model.tool.as_ref().filter(|_| model.focus == Focus::Tool) {
            status.push_span(Span::raw(format!("{} · ", tool.name())));
        } else if model.workspaces.shown() {
            let name = &model.workspaces.active_tab().name;
            status.push_span(Span::raw(format!("workspace {name} · ")));
        }
        let spinner = model.status.spinner();
        match model.running_evaluations().len() {
            0 => {}
            1 => status.push_span(Span::raw(format!("{spinner} evaluating… · "))),
            n => status.push_span(Span::raw(format!("{spinner} {n} running · "))),
        }
        let connection = connection_text(&model.connection, model.status.in_state_ms(), compact);
        status.push_span(Span::styled(connection, state));
        let sparkline = model.status.sparkline();
        if model.connection.is_connected() && !sparkline.is_empty() {
            status.push_span(Span::raw(format!(" {sparkline}")));
        }
        status
    }
}

/// `Connected · stui-gst 0.1.0 · GNU Smalltalk 3.2.5 · 0.4 ms` (`compact`:
/// `Connected · 0.4 ms`), `Down: reason · reconnecting in 3 s` (counting
/// down over `in_state_ms`), …
pub fn connection_text(connection: &Connection, in_state_ms: u64, compact: bool) -> String {
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
            let round_trip = format_duration(*round_trip_us);
            // The server's role for this key: evaluating would be refused.
            let access = if info.read_only { " · read-only" } else { "" };
            if compact {
                return format!("Connected{access}{backup} · {round_trip}");
            }
            format!(
                "Connected{access}{backup} · {} · {} {} · {round_trip}",
                info.server, info.dialect, info.dialect_version,
            )
        }
        Connection::Down {
            reason,
            retry_in_ms: Some(pause),
        } => match pause.saturating_sub(in_state_ms) {
            0 => format!("Down: {reason} · reconnecting…"),
            left => format!("Down: {reason} · reconnecting in {} s", left.div_ceil(1000)),
        },
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
        .filter_map(|(context, action, what)| hint(keymap, *context, *action, what))
        .collect()
}

/// `Ctrl+G interrupt`: the first key bound to `action`, and what it does.
pub(super) fn hint(
    keymap: &Keymap,
    context: Context,
    action: Action,
    what: &str,
) -> Option<String> {
    let key = *keymap.keys_for(context, action).first()?;
    Some(format!("{} {what}", key_label(&key)))
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

impl Draw for StatusDrawing {
    fn draw(&self, model: &mut Model, frame: &mut Frame, area: Rect, _focused: bool) {
        let base = Style::default().bg(self.colours.bg).fg(self.colours.fg);
        let width = usize::from(area.width);
        // While code runs, how to stop it matters most.
        let running = !model.running_evaluations().is_empty();
        let hints: Vec<String> = match self.tool_hints.for_focus(model) {
            Some(tool) => self.hints.iter().take(1).chain(tool).cloned().collect(),
            None => self.hints.clone(),
        };
        let hints: Vec<String> = match &self.interrupt_hint {
            Some(interrupt) if running => [interrupt.clone()].into_iter().chain(hints).collect(),
            _ => hints,
        };
        let first_hint = hints.first().map_or(0, |hint| hint.chars().count() + 3);
        let mut status = self.status(model, false);
        if status.width() + first_hint > width {
            status = self.status(model, true);
        }
        // Hints give way to the status when the terminal is narrow, all but
        // the first (help, or interrupt while code runs): without it the
        // other keys cannot be found.
        let room = width.saturating_sub(status.width() + 3);
        let mut hint = fitting_hint(&hints, room);
        if hint.is_empty() {
            hint = fitting_hint(&hints[..hints.len().min(1)], width / 2);
        }
        let hint_width = if hint.is_empty() {
            0
        } else {
            hint.chars().count() + 2
        };
        let hint_width = u16::try_from(hint_width)
            .unwrap_or(area.width)
            .min(area.width);
        // Side by side: a paragraph's style is set over its whole area, and
        // drawn over the status it would paint the state colour over.
        let status_area = Rect {
            width: area.width - hint_width,
            ..area
        };
        let hint_area = Rect {
            x: area.x + status_area.width,
            width: hint_width,
            ..area
        };
        let status = super::status_hints::ellipsized(status, usize::from(status_area.width));
        frame.render_widget(Paragraph::new(status).style(base), status_area);
        frame.render_widget(
            Paragraph::new(format!("{hint} "))
                .style(base)
                .alignment(HorizontalAlignment::Right),
            hint_area,
        );
    }
}

impl AppComponent<Msg, NoUserEvent> for StatusBar {
    fn on(&mut self, _event: &Event<NoUserEvent>) -> Option<Msg> {
        None
    }
}
