//! Headless screen and key-handling tests of the TUI layer: no terminal, no server.
//! They assert the text a user reads on an 80x24 screen.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use stui::app::view::{self, App, Id};
use stui::app::{Connection, Focus, Model, Msg, TranscriptEntry};
use stui::components::{Help, Transcript, Workspace};
use stui::config::keymap::Keymap;
use stui::config::theme::Theme;
use stui::net::NetEvent;
use stui::protocol::{ErrorCode, ErrorObject};
use tuirealm::application::PollStrategy;
use tuirealm::component::AppComponent;
use tuirealm::event::{Event, Key, KeyEvent, KeyModifiers};
use tuirealm::listener::{EventListenerCfg, Poll, PortResult};
use tuirealm::ratatui::Terminal;
use tuirealm::ratatui::backend::TestBackend;
use tuirealm::testing::buffer_to_string;

fn model() -> Model {
    Model::new("tcp://127.0.0.1:5555", "test-session")
}

fn connected() -> Connection {
    Connection::Connected {
        info: common::gst_server_info(),
        round_trip_us: 400,
    }
}

fn mounted_app(workspace_text: &str) -> App {
    let mut app = App::init(EventListenerCfg::default());
    view::mount(
        &mut app,
        Arc::new(Keymap::default()),
        &Theme::default(),
        workspace_text,
    )
    .expect("components mount");
    app
}

/// The whole 80x24 screen for `model`, one line per row.
fn screen(app: &mut App, model: &Model) -> String {
    view::sync(app, model);
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal
        .draw(|frame| view::draw(app, model, frame))
        .unwrap();
    buffer_to_string(terminal.backend().buffer())
}

fn screen_of(model: &Model) -> String {
    screen(&mut mounted_app(""), model)
}

fn assert_shows(screen: &str, text: &str) {
    assert!(screen.contains(text), "screen lacks {text:?}:\n{screen}");
}

fn key(code: Key) -> Event<NetEvent> {
    Event::Keyboard(KeyEvent::new(code, KeyModifiers::NONE))
}

fn ctrl(c: char) -> Event<NetEvent> {
    Event::Keyboard(KeyEvent::new(Key::Char(c), KeyModifiers::CONTROL))
}

fn shift(code: Key) -> Event<NetEvent> {
    Event::Keyboard(KeyEvent::new(code, KeyModifiers::SHIFT))
}

fn workspace(text: &str) -> Workspace {
    Workspace::new(
        Arc::new(Keymap::default()),
        Theme::default().workspace,
        text,
    )
}

fn transcript() -> Transcript {
    Transcript::new(Arc::new(Keymap::default()), &Theme::default())
}

// -- status bar

#[test]
fn status_bar_shows_connected_server_and_round_trip() {
    let mut model = model();
    model.connection = connected();
    let screen = screen_of(&model);
    let status = screen.lines().nth(23).unwrap();
    assert!(
        status.contains("Connected · stui-gst 0.1.0 · GNU Smalltalk 3.2.5 · 0.4 ms"),
        "{status:?}"
    );
}

#[test]
fn status_bar_shows_disconnected_with_key_hints() {
    let screen = screen_of(&model());
    let status = screen.lines().nth(23).unwrap();
    assert!(status.contains("Disconnected"), "{status:?}");
    for hint in [
        "F1 help",
        "F2 connect/disconnect",
        "Ctrl+E eval",
        "Ctrl+Q quit",
    ] {
        assert!(status.contains(hint), "{status:?} lacks {hint:?}");
    }
}

#[test]
fn status_bar_shows_reconnection_failover_and_retries() {
    let mut model = model();
    model.connection = Connection::Down {
        retry_in_ms: Some(2000),
        reason: "no reply after 3 tries".into(),
    };
    assert_shows(
        &screen_of(&model),
        "Down: no reply after 3 tries · reconnecting in 2 s",
    );

    let mut backup = connected();
    if let Connection::Connected { info, .. } = &mut backup {
        info.address = "tcp://10.0.0.2:5555".into();
        info.backup = 1;
    }
    model.connection = backup;
    assert_shows(
        &screen_of(&model),
        "Connected · backup 1 tcp://10.0.0.2:5555 · stui-gst",
    );
    // A retry comes first: a narrow terminal cuts the end of the line.
    model.retrying = Some("no reply yet: evaluate sent again (2/3)".into());
    assert_shows(
        &screen_of(&model),
        " no reply yet: evaluate sent again (2/3) · Connected · backup 1",
    );
}

#[test]
fn status_bar_shows_down_reason_connecting_and_pending() {
    let mut model = model();
    model.connection = Connection::Down {
        retry_in_ms: None,
        reason: "no reply after 3 tries".into(),
    };
    assert_shows(&screen_of(&model), "Down: no reply after 3 tries");

    model.connection = Connection::Connecting {
        address: "tcp://127.0.0.1:5555".into(),
        starting_server: false,
    };
    assert_shows(&screen_of(&model), "Connecting to tcp://127.0.0.1:5555…");

    model.connection = Connection::Connecting {
        address: "tcp://127.0.0.1:5555".into(),
        starting_server: true,
    };
    assert_shows(&screen_of(&model), "Starting server…");

    model.connection = connected();
    model.pending.insert(
        "s-1".into(),
        stui::app::model::PendingEvaluation {
            code: "(Delay forSeconds: 5) wait".into(),
        },
    );
    assert_shows(&screen_of(&model), "evaluating…");
}

// -- transcript

#[test]
fn transcript_shows_input_value_class_and_time() {
    let mut model = model();
    model.transcript = vec![
        TranscriptEntry::Input {
            code: "3 + 4".into(),
        },
        TranscriptEntry::Value {
            print: "7".into(),
            class: "SmallInteger".into(),
            truncated: false,
            duration_us: 120,
        },
    ];
    let screen = screen_of(&model);
    assert_shows(&screen, "> 3 + 4");
    assert_shows(&screen, "7  SmallInteger · 0.12 ms");
}

#[test]
fn transcript_indents_multi_line_input_and_marks_truncation() {
    let mut model = model();
    model.transcript = vec![
        TranscriptEntry::Input {
            code: "| x |\nx := 3.\nx * 2".into(),
        },
        TranscriptEntry::Value {
            print: "'aaaa'".into(),
            class: "String".into(),
            truncated: true,
            duration_us: 2_000,
        },
        TranscriptEntry::Output("hello from Transcript".into()),
        TranscriptEntry::Notice("Connected.".into()),
    ];
    let screen = screen_of(&model);
    assert_shows(&screen, "> | x |");
    assert_shows(&screen, "  x := 3.");
    assert_shows(&screen, "(truncated)");
    assert_shows(&screen, "hello from Transcript");
    assert_shows(&screen, "Connected.");
}

#[test]
fn transcript_shows_syntax_error_position() {
    let mut model = model();
    let mut error = ErrorObject::new(ErrorCode::SyntaxError, "expected expression");
    error.line = Some(1);
    error.column = Some(4);
    model.transcript = vec![
        TranscriptEntry::Input { code: "3 +".into() },
        TranscriptEntry::Error(error),
    ];
    assert_shows(
        &screen_of(&model),
        "Syntax error at line 1, column 4: expected expression",
    );
}

#[test]
fn transcript_shows_evaluation_error_class_message_and_frames() {
    let mut model = model();
    let mut error = ErrorObject::new(
        ErrorCode::EvaluationError,
        "The program attempted to divide a number by zero",
    );
    error.class = Some("ZeroDivide".into());
    error.stack = Some(
        (0..9)
            .map(|n| format!("SmallInteger(Number)>>frame{n}"))
            .collect(),
    );
    model.transcript = vec![TranscriptEntry::Error(error)];
    let screen = screen_of(&model);
    assert_shows(
        &screen,
        "ZeroDivide: The program attempted to divide a number by zero",
    );
    assert_shows(&screen, "SmallInteger(Number)>>frame0");
    assert_shows(&screen, "… 4 more frames");
    assert!(!screen.contains("frame8"), "only a few frames are shown");
}

#[test]
fn transcript_wraps_long_lines_and_follows_the_newest_entry() {
    let mut model = model();
    model.transcript = (0..50)
        .map(|n| TranscriptEntry::Output(format!("line {n}")))
        .collect();
    model
        .transcript
        .push(TranscriptEntry::Output("x".repeat(100) + "END"));
    let screen = screen_of(&model);
    assert_shows(&screen, "line 49");
    assert_shows(&screen, "END");
    assert!(!screen.contains("line 0\n"), "old entries scrolled away");
}

#[test]
fn transcript_scroll_keys_move_away_from_the_tail() {
    let mut app = mounted_app("");
    let mut model = model();
    model.focus = Focus::Transcript;
    model.transcript = (0..50)
        .map(|n| TranscriptEntry::Output(format!("line {n}")))
        .collect();
    screen(&mut app, &model);
    let transcript = app.get_component_mut(&Id::Transcript).unwrap();
    for _ in 0..3 {
        assert_eq!(transcript.on(&key(Key::PageUp)), None);
    }
    let scrolled = screen(&mut app, &model);
    assert!(!scrolled.contains("line 49"), "{scrolled}");
    assert_shows(&scrolled, "scrolled, End follows");
    let transcript = app.get_component_mut(&Id::Transcript).unwrap();
    transcript.on(&key(Key::End));
    assert_shows(&screen(&mut app, &model), "line 49");
}

// -- help and the whole screen

#[test]
fn help_overlay_lists_bindings_from_the_keymap() {
    let mut model = model();
    model.help_visible = true;
    let screen = screen_of(&model);
    assert_shows(&screen, "Ctrl+E");
    assert_shows(&screen, "Evaluate selection or current line");
    assert_shows(&screen, "F2");
    assert_shows(&screen, "Connect to or disconnect from the server");
    assert_shows(&screen, "Esc closes");
}

#[test]
fn help_follows_a_user_keymap() {
    let mut keymap = Keymap::default();
    keymap
        .merge_toml("[workspace]\n\"ctrl-j\" = \"evaluate\"\n", "user.toml")
        .unwrap();
    let mut app = App::init(EventListenerCfg::default());
    view::mount(&mut app, Arc::new(keymap), &Theme::default(), "").unwrap();
    let mut model = model();
    model.help_visible = true;
    assert_shows(&screen(&mut app, &model), "Ctrl+E, Ctrl+J");
}

#[test]
fn whole_screen_has_workspace_transcript_and_status_line() {
    let mut app = mounted_app("Transcript showCr: 'hello'");
    let mut model = model();
    model.transcript = vec![TranscriptEntry::Notice("Welcome to STUI.".into())];
    let screen = screen(&mut app, &model);
    assert_eq!(screen.lines().count(), 24);
    assert_shows(&screen, "Workspace");
    assert_shows(&screen, "Transcript showCr: 'hello'");
    assert_shows(&screen, "Transcript ");
    assert_shows(&screen, "Welcome to STUI.");
    assert!(screen.lines().nth(23).unwrap().contains("Disconnected"));
    // Workspace on top (~60%), transcript below it.
    let row_of = |text: &str| screen.lines().position(|line| line.contains(text)).unwrap();
    assert!(row_of("Workspace") < row_of("Welcome to STUI."));
    assert!(row_of("Welcome to STUI.") >= 13);
}

#[test]
fn sync_moves_focus_with_the_model() {
    let mut app = mounted_app("");
    let mut model = model();
    view::sync(&mut app, &model);
    assert_eq!(app.focus(), Some(&Id::Workspace));
    model.focus = Focus::Transcript;
    view::sync(&mut app, &model);
    assert_eq!(app.focus(), Some(&Id::Transcript));
    model.help_visible = true;
    view::sync(&mut app, &model);
    assert_eq!(app.focus(), Some(&Id::Help));
    model.help_visible = false;
    view::sync(&mut app, &model);
    assert_eq!(app.focus(), Some(&Id::Transcript));
}

#[test]
fn workspace_text_round_trips_for_saving() {
    let text = "| a |\na := 3.\n\n\ta printNl.\n";
    let app = mounted_app(text);
    assert_eq!(view::workspace_text(&app), text);
}

// -- keys

#[test]
fn ctrl_e_evaluates_the_current_line() {
    let mut workspace = workspace("3 + 4");
    assert_eq!(
        workspace.on(&ctrl('e')),
        Some(Msg::Evaluate("3 + 4".into()))
    );
}

#[test]
fn ctrl_e_evaluates_the_line_under_the_cursor() {
    let mut workspace = workspace("x := 3.\ny := x + 4.\nz := 0");
    workspace.on(&key(Key::Down));
    assert_eq!(
        workspace.on(&ctrl('e')),
        Some(Msg::Evaluate("y := x + 4.".into()))
    );
}

#[test]
fn ctrl_e_evaluates_the_selection() {
    let mut workspace = workspace("x := 3.\ny := x + 4.\nz := 0");
    workspace.on(&key(Key::Down));
    for _ in 0..4 {
        workspace.on(&shift(Key::Right));
    }
    assert_eq!(workspace.on(&ctrl('e')), Some(Msg::Evaluate("y :=".into())));

    let mut workspace = workspace_multi_line_selection();
    assert_eq!(
        workspace.on(&ctrl('e')),
        Some(Msg::Evaluate("x := 3.\ny := x + 4.".into()))
    );
}

fn workspace_multi_line_selection() -> Workspace {
    let mut workspace = workspace("x := 3.\ny := x + 4.\nz := 0");
    workspace.on(&shift(Key::Down));
    workspace.on(&shift(Key::End));
    workspace
}

#[test]
fn question_mark_is_text_in_the_workspace_and_help_in_the_transcript() {
    let mut workspace = workspace("");
    // Terminals report `?` with Shift held.
    let question = Event::Keyboard(KeyEvent::new(Key::Char('?'), KeyModifiers::SHIFT));
    assert_eq!(workspace.on(&question), None);
    assert_eq!(workspace.text(), "?");
    assert_eq!(transcript().on(&question), Some(Msg::ToggleHelp));
}

#[test]
fn global_keys_work_in_every_pane() {
    let f2 = key(Key::Function(2));
    assert_eq!(workspace("").on(&f2), Some(Msg::ToggleConnection));
    assert_eq!(transcript().on(&f2), Some(Msg::ToggleConnection));
    assert_eq!(
        workspace("").on(&key(Key::Function(1))),
        Some(Msg::ToggleHelp)
    );
    assert_eq!(workspace("").on(&ctrl('q')), Some(Msg::Quit));
    assert_eq!(
        workspace("").on(&key(Key::Function(6))),
        Some(Msg::FocusNext)
    );
    assert_eq!(workspace("").on(&shift(Key::BackTab)), Some(Msg::FocusNext));
    assert_eq!(transcript().on(&key(Key::Tab)), Some(Msg::FocusNext));
    assert_eq!(transcript().on(&ctrl('l')), Some(Msg::ClearTranscript));
}

#[test]
fn help_keys_close_it() {
    let mut help = Help::new(Arc::new(Keymap::default()), Theme::default().help);
    assert_eq!(help.on(&key(Key::Esc)), Some(Msg::CloseHelp));
    assert_eq!(help.on(&key(Key::Function(1))), Some(Msg::CloseHelp));
    assert_eq!(help.on(&key(Key::Char('q'))), Some(Msg::CloseHelp));
    assert_eq!(help.on(&key(Key::Char('x'))), None);
}

#[test]
fn workspace_edits_with_unbound_keys_and_paste() {
    let mut workspace = workspace("");
    for c in "3 + 4".chars() {
        assert_eq!(workspace.on(&key(Key::Char(c))), None);
    }
    workspace.on(&key(Key::Enter));
    workspace.on(&key(Key::Tab));
    workspace.on(&Event::Paste("Transcript show: 'a'.\r\nx".into()));
    assert_eq!(workspace.text(), "3 + 4\n    Transcript show: 'a'.\nx");
    workspace.on(&key(Key::Backspace));
    assert_eq!(workspace.text(), "3 + 4\n    Transcript show: 'a'.\n");
}

// -- net events reach update as Msg::Net

struct OneEventPort(Option<NetEvent>);

impl Poll<NetEvent> for OneEventPort {
    fn poll(&mut self) -> PortResult<Option<Event<NetEvent>>> {
        Ok(self.0.take().map(Event::User))
    }
}

#[test]
fn net_events_from_a_port_become_net_messages_once() {
    let event = NetEvent::Down {
        reason: "gone".into(),
        retry_in_ms: None,
    };
    let port = OneEventPort(Some(event.clone()));
    let mut app = App::init(EventListenerCfg::default().add_port(
        Box::new(port),
        Duration::from_millis(1),
        1,
    ));
    view::mount(&mut app, Arc::new(Keymap::default()), &Theme::default(), "").unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut messages = Vec::new();
    while messages.is_empty() && Instant::now() < deadline {
        messages = app
            .tick(PollStrategy::UpTo(10, Duration::from_millis(20)))
            .unwrap();
    }
    assert_eq!(messages, vec![Msg::Net(event)]);
}

#[test]
fn a_restarted_server_and_a_request_caught_by_it_are_told_on_screen() {
    let mut model = model();
    model.connection = connected();
    stui::app::update(
        &mut model,
        Msg::Net(NetEvent::Alive {
            round_trip_us: 300,
            instance: Some("gst-9-b".into()),
            restart_reason: Some("heap limit".into()),
        }),
    );
    let mut error = ErrorObject::new(ErrorCode::ServerRestarted, "instance differs");
    error.details.instance = Some("gst-9-b".into());
    model.transcript.push(TranscriptEntry::Error(error));
    let screen = screen_of(&model);
    assert_shows(
        &screen,
        "The server restarted (heap limit): session variables are gone.",
    );
    assert_shows(
        &screen,
        "the server restarted while this request was in flight: its outcome is",
    );
}
