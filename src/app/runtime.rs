//! The TUI runtime: terminal set-up and restore, the tui-realm Application,
//! the bridge thread, and the loop that feeds messages to `update` and
//! carries out its effects. All side effects of the TUI live here.

use std::cell::RefCell;
use std::io::Write;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Sender, channel};
use std::time::{Duration, Instant};

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use tuirealm::application::PollStrategy;
use tuirealm::event::Event;
use tuirealm::listener::{EventListenerCfg, Poll};
use tuirealm::terminal::{CrosstermTerminalAdapter, TerminalAdapter};

use super::history_file;
use super::input;
use super::update::LocalCommand;
use super::view::{self, App};
use super::workspace_files;
use super::workspaces::WorkspaceEffect;
use super::{Effect, Model, Msg, update};
use crate::config::keymap::Keymap;
use crate::config::settings::Settings;
use crate::config::theme::Theme;
use crate::net::{Bridge, NetEvent, NetPort};
use crate::server::{LocalServer, attached};
use crate::ui::transcript_view::format_duration;
use crate::ui::trust::TrustMsg;
use crate::ui::{History, SharedModel, TranscriptEntry, WorkspaceMsg};

/// How long quitting waits for the bridge (saving and stopping a local
/// server); after that the process ends anyway.
const BRIDGE_STOP_WAIT: Duration = Duration::from_secs(1);
/// How long a tick waits for a key before the net events are looked at.
const TICK: Duration = Duration::from_millis(20);
/// The longest a burst of input is handled before the screen is drawn.
const BATCH_TIME: Duration = Duration::from_millis(40);
/// How often the listener takes what the input thread read, and how much at
/// most each time: enough for a paste without bracketed paste to pour in.
const INPUT_INTERVAL: Duration = Duration::from_millis(10);
const INPUT_MAX_PER_INTERVAL: usize = 4096;
/// The screen is drawn after every batch of messages, and at least this often.
const REDRAW_EVERY: Duration = Duration::from_millis(250);
/// How often time passes for the spinner and short-lived messages.
const TICK_EVERY: Duration = Duration::from_millis(crate::ui::status::TICK_MS);

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
    let (input_sender, terminal_input) = input::input_channel();
    let mut app: App =
        tuirealm::application::Application::init(EventListenerCfg::default().add_port(
            Box::new(terminal_input),
            INPUT_INTERVAL,
            INPUT_MAX_PER_INTERVAL,
        ));
    // Held until STUI ends: another STUI then keeps its workspaces apart.
    let (workspaces, _workspaces_lock, notices) = workspace_files::start(&crate::paths::data_dir());
    let mut model = Model::new(settings.server.address.clone(), session);
    model = model.with_workspaces(workspaces);
    for warning in keymap.warnings().iter().chain(&notices) {
        model
            .transcript
            .push(TranscriptEntry::Notice(warning.clone()));
    }
    model.evaluation_timeout_ms = settings.server.evaluation_timeout_ms;
    model.system_clipboard = settings.ui.system_clipboard;
    model.debug_on_error = settings.ui.debug_on_error;
    model.view.line_numbers = settings.ui.line_numbers;
    model.completion.delay = crate::ui::completion::delay(settings.ui.completion_delay_ms);
    model.transcript_max_entries =
        usize::try_from(settings.ui.transcript_max_entries).unwrap_or(usize::MAX);
    let history_path = history_file::history_file(&crate::paths::data_dir(), &model.address);
    model.history = load_history(&history_path);
    let model = Rc::new(RefCell::new(model));
    view::mount(&mut app, &model, Arc::new(keymap), &theme)?;

    // A closed terminal (SIGHUP) or a kill (SIGTERM, SIGINT) quits like
    // Ctrl+Q: the workspace is saved and a server STUI started is stopped.
    let signalled = Arc::new(AtomicBool::new(false));
    for signal in [SIGHUP, SIGTERM, SIGINT] {
        signal_hook::flag::register(signal, Arc::clone(&signalled))?;
    }

    let mut runtime = Runtime {
        app,
        model,
        net: NetPort::new(net_inbox),
        bridge,
        local,
        history_path,
        known_servers: settings.security().known_servers,
    };
    let mut terminal = Terminal::open()?;
    input::start_reading(input_sender)?;
    if settings.server.connect_on_start {
        runtime.step(Msg::ToggleConnection);
    }
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
        runtime.event_loop(&mut terminal, &signalled)
    }));
    // Whatever ended the loop (a terminal that is gone, even a panic), keep the text.
    if let Ok(model) = runtime.model.try_borrow()
        && let Effect::SaveWorkspace { path, text } = super::update::save_workspace(&model)
    {
        save_workspace(&path, &text);
    }
    drop(terminal);
    stop_bridge(runtime.bridge, runtime.local);
    outcome.unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// The keymap and theme the `ui` settings name. One that cannot be used is
/// replaced by the default, and the error, like any keymap warning, is
/// carried by the keymap to the transcript and the status bar: a typo in a
/// keymap must not keep STUI from starting.
pub fn keymap_and_theme(settings: &Settings) -> (Keymap, Theme) {
    let (mut keymap, keymap_error) = match Keymap::load_setting(&settings.ui.keymap) {
        Ok(keymap) => (keymap, None),
        Err(error) => (Keymap::default(), Some(error)),
    };
    if let Some(error) = keymap_error {
        keymap.add_warning(format!("Keymap not used, the default is: {error}"));
    }
    let theme = Theme::load_setting(&settings.ui.theme).unwrap_or_else(|error| {
        keymap.add_warning(format!("Theme not used, the default is: {error}"));
        Theme::default()
    });
    (keymap, theme)
}

/// The net events waiting in `port`, as messages for `update`.
pub fn net_messages(port: &mut impl Poll<NetEvent>) -> Vec<Msg> {
    let mut messages = Vec::new();
    // A bounded batch: a flood of output must not starve the keyboard.
    while messages.len() < 64 {
        match port.poll() {
            Ok(Some(Event::User(event))) => messages.push(Msg::Net(event)),
            _ => break,
        }
    }
    messages
}

struct Runtime {
    app: App,
    model: SharedModel,
    net: NetPort,
    bridge: Bridge,
    local: Local,
    history_path: PathBuf,
    /// Where the server keys the user trusts are kept.
    known_servers: PathBuf,
}

impl Runtime {
    fn event_loop(
        &mut self,
        terminal: &mut Terminal,
        signalled: &AtomicBool,
    ) -> Result<(), Box<dyn std::error::Error>> {
        let mut changed = true;
        let mut drawn = Instant::now();
        let mut size = crossterm::terminal::size().ok();
        let mut ticked = Instant::now();
        loop {
            let now_size = crossterm::terminal::size().ok();
            if changed || now_size != size || drawn.elapsed() >= REDRAW_EVERY {
                view::sync(&mut self.app, &self.model.borrow());
                terminal.draw(&mut self.app, &self.model)?;
                (drawn, size) = (Instant::now(), now_size);
            }
            if self.model.borrow().quit {
                return Ok(());
            }
            if signalled.load(Ordering::Relaxed) {
                log::info!("quitting on a signal");
                self.step(Msg::Quit);
                return Ok(());
            }
            changed = self.input_batch();
            let mut messages = net_messages(&mut self.net);
            if ticked.elapsed() >= TICK_EVERY && self.wants_ticks() {
                messages.push(Msg::Animate);
                ticked = Instant::now();
            }
            changed |= !messages.is_empty();
            for msg in messages {
                self.step(msg);
            }
            // The autosave's clock: not a change to draw by itself.
            self.step(Msg::Tick(Instant::now()));
        }
    }

    /// Handle the terminal's events waiting now (after at most [`TICK`] for
    /// the first), one at a time: each is routed to the pane focused after
    /// the one before it was handled (F6 then `?` opens help from the
    /// transcript). A burst (a paste without bracketed paste) is taken in
    /// one batch of up to [`BATCH_TIME`] and drawn once. True if any came.
    fn input_batch(&mut self) -> bool {
        let started = Instant::now();
        let mut wait = TICK;
        let mut any = false;
        while started.elapsed() < BATCH_TIME {
            let messages = match self.app.tick(PollStrategy::Once(wait)) {
                Ok(messages) => messages,
                Err(error) => {
                    log::error!("event loop: {error}");
                    Vec::new()
                }
            };
            // An event that means nothing (a key release) ends the batch
            // early too: the next is read at once on the next round.
            if messages.is_empty() {
                break;
            }
            any = true;
            for msg in messages {
                self.step(msg);
            }
            view::sync(&mut self.app, &self.model.borrow());
            if self.model.borrow().quit {
                break;
            }
            wait = Duration::ZERO;
        }
        any
    }

    /// A spinner turns or a message waits to go; an idle TUI gets no ticks.
    fn wants_ticks(&self) -> bool {
        let model = self.model.borrow();
        model
            .status
            .wants_ticks(!model.pending.is_empty() || model.reconnecting)
    }

    /// Update the model with `msg` and carry out the effects.
    fn step(&mut self, msg: Msg) {
        let effects = update(&mut self.model.borrow_mut(), msg);
        for effect in effects {
            match effect {
                Effect::Bridge(command) => self.bridge.send(command),
                Effect::Local(command) => self.local.run(command),
                Effect::SaveWorkspace { path, text } => {
                    if let Err(error) = workspace_files::write(&path, &text) {
                        self.step(Msg::Workspaces(WorkspaceMsg::SaveFailed { path, error }));
                    }
                }
                Effect::Workspaces(effect) => self.workspace_files(effect),
                Effect::SaveHistory(snippets) => save_history(&self.history_path, &snippets),
                Effect::SetClipboard(text) => super::clipboard::set(&text),
                Effect::SaveTranscript(text) => {
                    self.step(Msg::TranscriptSaved(save_transcript(&text)));
                }
                Effect::Key(key) => self.press(key),
                Effect::TrustServer {
                    address,
                    public_key,
                } => self.trust_server(address, &public_key),
                Effect::SaveValue { what, text } => {
                    // Megabytes: off the UI thread; the notice comes back as an event.
                    let events = self.local.events.clone();
                    std::thread::spawn(move || {
                        let notice = save_stamped("value", &what, &text);
                        let _ = events.send(NetEvent::LocalServer(notice));
                    });
                }
            }
        }
    }
}

impl Runtime {
    /// `key` to the pane the model focuses, as if typed there.
    fn press(&mut self, key: tuirealm::event::KeyEvent) {
        view::sync(&mut self.app, &self.model.borrow());
        let Some(id) = self.app.focus().copied() else {
            return;
        };
        let msg = self
            .app
            .get_component_mut(&id)
            .and_then(|pane| pane.on(&Event::Keyboard(key)));
        if let Some(msg) = msg {
            self.step(msg);
        }
    }

    /// Add the key the user trusted to known_servers; `update` then
    /// connects, or shows why it could not be written.
    fn trust_server(&mut self, address: String, public_key: &str) {
        let path = &self.known_servers;
        let error = crate::security::known_servers::trust(path, &address, public_key)
            .err()
            .map(|error| format!("{}: {error}", path.display()));
        self.step(Msg::Trust(TrustMsg::Written { address, error }));
    }

    /// Carry out a workspace file effect; what came of it goes back to `update`.
    fn workspace_files(&mut self, effect: WorkspaceEffect) {
        match effect {
            WorkspaceEffect::Remove(path) => workspace_files::remove(&path),
            WorkspaceEffect::Open(input) => {
                let (path, text) = workspace_files::open(&input);
                self.step(Msg::Workspaces(WorkspaceMsg::Opened { path, text }));
            }
            WorkspaceEffect::Export { tab, path, text } => {
                let (path, error) = workspace_files::export(&path, &text);
                self.step(Msg::Workspaces(WorkspaceMsg::SavedTo { tab, path, error }));
            }
        }
    }
}

/// Give the bridge at most [`BRIDGE_STOP_WAIT`] to stop (the last TUI to
/// leave a server a TUI started saves and stops it), then go anyway: the
/// terminal is back to normal, so the user reads what became of it.
fn stop_bridge(bridge: Bridge, local: Local) {
    let leave = move || {
        bridge.shutdown();
        attached::depart(local.server.as_ref(), &local.session)
    };
    if let Some(last_words) = within(BRIDGE_STOP_WAIT, leave) {
        // After a hang-up there is no terminal to tell: println! would panic.
        let _ = writeln!(std::io::stdout(), "stui: {last_words}");
    }
}

/// What `stop` says, or that it did not finish within `wait` (it is left
/// running on its own thread, which ends with the process).
fn within(
    wait: Duration,
    stop: impl FnOnce() -> Option<String> + Send + 'static,
) -> Option<String> {
    let (done, outcome) = channel();
    let stopping = std::thread::Builder::new()
        .name("stui-quit".into())
        .spawn(move || {
            let _ = done.send(stop());
        });
    if let Err(error) = stopping {
        log::error!("cannot stop the bridge: {error}");
        return None;
    }
    match outcome.recv_timeout(wait) {
        Ok(last_words) => last_words,
        Err(_) => {
            log::warn!("the bridge did not stop within {wait:?}: quitting anyway");
            Some(format!(
                "quit without waiting for the connection to close (no answer within {})",
                format_duration(u64::try_from(wait.as_micros()).unwrap_or(u64::MAX))
            ))
        }
    }
}

/// The local server beside the bridge: its commands take seconds, so each
/// runs on a thread of its own and reports as `NetEvent::LocalServer`.
struct Local {
    server: Option<LocalServer>,
    session: String,
    events: Sender<NetEvent>,
}

impl Local {
    fn run(&self, command: LocalCommand) {
        let (server, session, events) = (
            self.server.clone(),
            self.session.clone(),
            self.events.clone(),
        );
        std::thread::spawn(move || {
            let server = server.as_ref();
            let said = match command {
                LocalCommand::SaveImage => Some(attached::save_image(server)),
                LocalCommand::ReplayChanges => Some(attached::replay_changes(server, &session)),
                LocalCommand::OfferLostChanges => attached::lost_changes_notice(server),
            };
            if let Some(text) = said {
                let _ = events.send(NetEvent::LocalServer(text));
            }
        });
    }
}

fn save_workspace(path: &Path, text: &str) {
    if let Err(error) = workspace_files::write(path, text) {
        log::error!("cannot save the workspace to {}: {error}", path.display());
    }
}

/// The history kept for this address; an unreadable file is logged and
/// left alone until the next evaluation replaces it.
fn load_history(path: &Path) -> History {
    match history_file::load(path) {
        Ok(snippets) => History::new(snippets),
        Err(error) => {
            log::error!("cannot read the history {}: {error}", path.display());
            History::default()
        }
    }
}

fn save_history(path: &Path, snippets: &[String]) {
    if let Err(error) = history_file::save(path, snippets) {
        log::error!("cannot save the history to {}: {error}", path.display());
    }
}

fn save_transcript(text: &str) -> String {
    save_stamped("transcript", "the transcript", text)
}

/// Write `text` (`what` it is) to a new timestamped file `{prefix}-….txt`
/// in the data directory; the notice says where, or why not.
fn save_stamped(prefix: &str, what: &str, text: &str) -> String {
    // A UTC stamp: the names sort by time.
    let stamp = jiff::Timestamp::now().strftime("%Y%m%d-%H%M%SZ");
    let path = crate::paths::data_dir().join(format!("{prefix}-{stamp}.txt"));
    match crate::paths::write_private(&path, text) {
        Ok(()) => format!("Saved {what} to {}.", path.display()),
        Err(error) => format!(
            "Cannot save {what} to {}: {}",
            path.display(),
            workspace_files::in_words(&error)
        ),
    }
}

/// The terminal in raw mode on the alternate screen; restored on drop.
struct Terminal {
    adapter: CrosstermTerminalAdapter,
    /// Keyboard enhancement was pushed: pop it on the way out.
    enhanced: bool,
}

impl Terminal {
    fn open() -> Result<Self, Box<dyn std::error::Error>> {
        // The adapter installs a panic hook that restores the terminal first.
        let mut adapter = CrosstermTerminalAdapter::new()?;
        adapter.enable_raw_mode()?;
        adapter.enter_alternate_screen()?;
        let _ = adapter.enable_bracketed_paste();
        // Clicks and the wheel come as events (Shift+drag still selects text
        // in most terminals); `restore` (and the adapter's panic hook) ends it.
        let _ = adapter.enable_mouse_capture();
        let enhanced = enable_key_disambiguation();
        adapter.clear_screen()?;
        Ok(Self { adapter, enhanced })
    }

    fn draw(
        &mut self,
        app: &mut App,
        model: &SharedModel,
    ) -> Result<(), Box<dyn std::error::Error>> {
        self.adapter.draw(|frame| view::draw(app, model, frame))?;
        Ok(())
    }
}

/// Ask the terminal to tell Ctrl+I from Tab (and Ctrl+M from Enter) where
/// it can: true when it said it can and the request went out.
fn enable_key_disambiguation() -> bool {
    use crossterm::event::{KeyboardEnhancementFlags, PushKeyboardEnhancementFlags};
    let flags = KeyboardEnhancementFlags::DISAMBIGUATE_ESCAPE_CODES;
    crossterm::terminal::supports_keyboard_enhancement().unwrap_or(false)
        && crossterm::execute!(std::io::stdout(), PushKeyboardEnhancementFlags(flags)).is_ok()
}

impl Drop for Terminal {
    fn drop(&mut self) {
        if self.enhanced {
            let _ = crossterm::execute!(
                std::io::stdout(),
                crossterm::event::PopKeyboardEnhancementFlags
            );
        }
        let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableBracketedPaste);
        if let Err(error) = self.adapter.restore() {
            log::error!("cannot restore the terminal: {error}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unusable_keymap_or_theme_gives_the_default_and_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        let keymap_file = dir.path().join("keymap.toml");
        std::fs::write(&keymap_file, "[workspace]\n\"ctrl-e\" = \"evalute\"\n").unwrap();
        let mut settings = Settings::defaults();
        settings.ui.keymap = keymap_file.display().to_string();
        settings.ui.theme = "lihgt".into();
        let (keymap, theme) = keymap_and_theme(&settings);
        assert_eq!(theme, Theme::default());
        let mut defaults = Keymap::default();
        for warning in keymap.warnings() {
            defaults.add_warning(warning.clone());
        }
        assert_eq!(keymap, defaults);
        let [keymap_error, theme_error] = keymap.warnings() else {
            panic!("{:?}", keymap.warnings());
        };
        let line = format!("{}:2:", keymap_file.display());
        assert!(keymap_error.contains(&line), "{keymap_error}");
        assert!(
            keymap_error.contains("did you mean \"evaluate\""),
            "{keymap_error}"
        );
        assert!(
            theme_error.contains("did you mean \"light\""),
            "{theme_error}"
        );

        settings.ui.keymap = "pharo".into();
        settings.ui.theme = "high-contrast".into();
        let (keymap, theme) = keymap_and_theme(&settings);
        assert_eq!(keymap, Keymap::preset("pharo").unwrap());
        assert_eq!(theme, Theme::preset("high-contrast").unwrap());
    }

    #[test]
    fn quitting_does_not_wait_for_a_bridge_that_hangs() {
        let started = Instant::now();
        let said = within(Duration::from_millis(100), || {
            std::thread::sleep(Duration::from_secs(5));
            None
        });
        assert!(started.elapsed() < Duration::from_secs(1));
        assert_eq!(
            said.as_deref(),
            Some("quit without waiting for the connection to close (no answer within 100 ms)")
        );
        let said = within(Duration::from_secs(1), || Some("stopped the server".into()));
        assert_eq!(said.as_deref(), Some("stopped the server"));
    }
}
