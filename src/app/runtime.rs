//! The TUI runtime: terminal set-up and restore, the tui-realm Application,
//! the bridge thread, and the loop that feeds messages to `update` and
//! carries out its effects. All side effects of the TUI live here.

use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Sender, channel};
use std::time::Duration;

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use tuirealm::application::PollStrategy;
use tuirealm::listener::EventListenerCfg;
use tuirealm::terminal::{CrosstermTerminalAdapter, TerminalAdapter};

use super::view::{self, App};
use super::{Effect, Model, Msg, update};
use crate::config::keymap::Keymap;
use crate::config::settings::Settings;
use crate::config::theme::Theme;
use crate::net::{Bridge, BridgeCommand, NetEvent, NetPort};
use crate::server::LocalServer;
use crate::server::attached;

/// Where the workspace text is kept between runs.
pub fn workspace_file() -> PathBuf {
    crate::paths::data_dir().join("workspace.st")
}

/// Runs the TUI until the user quits.
pub fn run(
    settings: &Settings,
    keymap: Keymap,
    theme: Theme,
) -> Result<(), Box<dyn std::error::Error>> {
    let session = uuid::Uuid::new_v4().to_string();
    let (net_events, net_inbox) = channel();
    let local = Local {
        server: attached::local_server(settings),
        session: session.clone(),
        events: net_events.clone(),
    };
    let bridge = Bridge::spawn(
        attached::bridge_settings(settings, session.clone()),
        net_events,
    );

    let mut app: App = tuirealm::application::Application::init(
        EventListenerCfg::default()
            .crossterm_input_listener(Duration::from_millis(10), 16)
            .add_port(
                Box::new(NetPort::new(net_inbox)),
                Duration::from_millis(10),
                16,
            ),
    );
    let workspace_path = workspace_file();
    let saved_workspace = std::fs::read_to_string(&workspace_path).unwrap_or_default();
    view::mount(&mut app, Arc::new(keymap), &theme, &saved_workspace)?;

    let mut model = Model::new(settings.server.address.clone(), session);
    model.evaluation_timeout_ms = settings.server.evaluation_timeout_ms;

    // A closed terminal (SIGHUP) or a kill (SIGTERM, SIGINT) quits like
    // Ctrl+Q: the workspace is saved and a server STUI started is stopped.
    let signalled = Arc::new(AtomicBool::new(false));
    for signal in [SIGHUP, SIGTERM, SIGINT] {
        signal_hook::flag::register(signal, Arc::clone(&signalled))?;
    }

    let mut terminal = Terminal::open()?;
    if settings.server.connect_on_start {
        for effect in update(&mut model, Msg::ToggleConnection) {
            carry_out(effect, &bridge, &local);
        }
    }
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
        event_loop(
            &mut app,
            &mut model,
            &mut terminal,
            &bridge,
            &local,
            &signalled,
        )
    }));
    // Whatever ended the loop (a terminal that is gone, even a panic), keep the text.
    save_workspace(&workspace_path, &view::workspace_text(&app));
    drop(terminal);
    // The last TUI to leave a server a TUI started saves and stops it; the
    // terminal is back to normal, so the user reads what became of it.
    if !bridge.shutdown() {
        println!("stui: quit without waiting for the connection to close");
    }
    if let Some(last_words) = attached::depart(local.server.as_ref(), &local.session) {
        println!("stui: {last_words}");
    }
    outcome.unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

fn event_loop(
    app: &mut App,
    model: &mut Model,
    terminal: &mut Terminal,
    bridge: &Bridge,
    local: &Local,
    signalled: &AtomicBool,
) -> Result<(), Box<dyn std::error::Error>> {
    let workspace_path = workspace_file();
    loop {
        view::sync(app, model);
        terminal.draw(app, model)?;
        if model.quit {
            return Ok(());
        }
        if signalled.load(Ordering::Relaxed) {
            log::info!("quitting on a signal");
            update(model, Msg::Quit);
            return Ok(());
        }
        match app.tick(PollStrategy::UpTo(32, Duration::from_millis(250))) {
            Ok(messages) => {
                for msg in messages {
                    if matches!(msg, Msg::Evaluate(_)) {
                        save_workspace(&workspace_path, &view::workspace_text(app));
                    }
                    for effect in update(model, msg) {
                        carry_out(effect, bridge, local);
                    }
                }
            }
            Err(error) => log::error!("event loop: {error}"),
        }
    }
}

/// The local server beside the bridge: its commands run on threads of
/// their own and report as `NetEvent::LocalServer`.
struct Local {
    server: Option<LocalServer>,
    session: String,
    events: Sender<NetEvent>,
}

impl Local {
    fn run(
        &self,
        command: impl FnOnce(Option<&LocalServer>, &str) -> Option<String> + Send + 'static,
    ) {
        let (server, session, events) = (
            self.server.clone(),
            self.session.clone(),
            self.events.clone(),
        );
        std::thread::spawn(move || {
            if let Some(text) = command(server.as_ref(), &session) {
                let _ = events.send(NetEvent::LocalServer(text));
            }
        });
    }
}

fn carry_out(effect: Effect, bridge: &Bridge, local: &Local) {
    match effect {
        Effect::Connect => bridge.send(BridgeCommand::Connect),
        Effect::Disconnect => bridge.send(BridgeCommand::Disconnect),
        Effect::Send(request) => bridge.send(BridgeCommand::Send(request)),
        Effect::Interrupt => bridge.send(BridgeCommand::Interrupt { target: None }),
        Effect::SaveImage => local.run(|server, _| Some(attached::save_image(server))),
        Effect::ReplayChanges => {
            local.run(|server, session| Some(attached::replay_changes(server, session)))
        }
        Effect::OfferLostChanges => local.run(|server, _| attached::lost_changes_notice(server)),
    }
}

fn save_workspace(path: &std::path::Path, text: &str) {
    let result = crate::paths::write_private(path, text);
    if let Err(error) = result {
        log::error!("cannot save the workspace to {}: {error}", path.display());
    }
}

/// The terminal in raw mode on the alternate screen; restored on drop.
struct Terminal {
    adapter: CrosstermTerminalAdapter,
}

impl Terminal {
    fn open() -> Result<Self, Box<dyn std::error::Error>> {
        // The adapter installs a panic hook that restores the terminal first.
        let mut adapter = CrosstermTerminalAdapter::new()?;
        adapter.enable_raw_mode()?;
        adapter.enter_alternate_screen()?;
        let _ = adapter.enable_bracketed_paste();
        adapter.clear_screen()?;
        Ok(Self { adapter })
    }

    fn draw(&mut self, app: &mut App, model: &Model) -> Result<(), Box<dyn std::error::Error>> {
        self.adapter.draw(|frame| view::draw(app, model, frame))?;
        Ok(())
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableBracketedPaste);
        if let Err(error) = self.adapter.restore() {
            log::error!("cannot restore the terminal: {error}");
        }
    }
}
