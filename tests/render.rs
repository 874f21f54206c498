//! Headless screen and key-handling tests of the TUI layer: no terminal, no server.
//! They assert the text a user reads, mostly as reviewed snapshots
//! (tests/snapshots/) of whole screens and of each component at 80x24 and
//! 120x40. A missing or changed snapshot fails `cargo test`; `cargo insta
//! review` (or INSTA_UPDATE=always) is only needed to accept a new one.

mod common;

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use ratatui_textarea::CursorMove;
use stui::app::view::{self, App, Id};
use stui::app::{Connection, Focus, Model, Msg, TranscriptEntry};
use stui::config::keymap::Keymap;
use stui::config::theme::{ColorDepth, Theme};
use stui::net::Answer;
use stui::net::NetEvent;
use stui::protocol::{ErrorCode, ErrorObject, EvaluateResult};
use stui::ui::trust::TrustMsg;
use stui::ui::{EditCommand, History, InterruptChoice, Scroll, SearchStep, SharedModel};
use tuirealm::event::{Event, Key, KeyEvent, KeyModifiers, NoUserEvent};
use tuirealm::listener::{EventListenerCfg, Poll, PortResult};
use tuirealm::props::Color;
use tuirealm::ratatui::Terminal;
use tuirealm::ratatui::backend::TestBackend;
use tuirealm::ratatui::buffer::Buffer;
use tuirealm::ratatui::layout::Rect;
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

/// The mounted components over one shared model, as the runtime has them.
struct Tui {
    app: App,
    model: SharedModel,
}

impl Tui {
    fn with_keymap(workspace_text: &str, keymap: Keymap) -> Self {
        Self::themed(workspace_text, keymap, &Theme::default())
    }

    fn themed(workspace_text: &str, keymap: Keymap, theme: &Theme) -> Self {
        let model = Rc::new(RefCell::new(model().with_workspace(workspace_text)));
        let mut app = App::init(EventListenerCfg::default());
        view::mount(&mut app, &model, Arc::new(keymap), theme).expect("components mount");
        Self { app, model }
    }

    fn type_into(&mut self, id: Id, text: &str) {
        for c in text.chars() {
            self.press(id, key(Key::Char(c)));
        }
    }

    /// Show `model`'s state, keeping the view state (editor, scrolling).
    fn show(&mut self, model: &Model) {
        let mut shared = self.model.borrow_mut();
        let view = shared.view.clone();
        *shared = model.clone();
        shared.view = view;
        view::sync(&mut self.app, &shared);
    }

    /// `event` to component `id`; its message is carried out as the runtime would.
    fn press(&mut self, id: Id, event: Event<NoUserEvent>) -> Option<Msg> {
        let msg = self.app.get_component_mut(&id).unwrap().on(&event);
        if let Some(msg) = &msg {
            stui::app::update(&mut self.model.borrow_mut(), msg.clone());
        }
        msg
    }

    fn workspace_text(&self) -> String {
        self.model.borrow().view.editor.text()
    }
}

fn mounted_app(workspace_text: &str) -> Tui {
    Tui::with_keymap(workspace_text, Keymap::default())
}

/// The terminal sizes every snapshot is taken at.
const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

/// The whole `width`x`height` screen drawn for `model`.
fn drawn(tui: &mut Tui, model: &Model, width: u16, height: u16) -> Buffer {
    tui.show(model);
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| view::draw(&mut tui.app, &tui.model, frame))
        .unwrap();
    terminal.backend().buffer().clone()
}

/// The whole `width`x`height` screen for `model`, one line per row.
fn screen_sized(tui: &mut Tui, model: &Model, width: u16, height: u16) -> String {
    buffer_to_string(&drawn(tui, model, width, height))
}

/// `screen_sized` with each row's colour runs (see `styled_screen`).
fn styled_screen_sized(tui: &mut Tui, model: &Model, width: u16, height: u16) -> String {
    styled_screen(&drawn(tui, model, width, height))
}

/// The built-in themes, by the name their snapshots carry.
fn themes() -> [(&'static str, Theme); 3] {
    [
        ("dark", Theme::default()),
        ("light", Theme::preset("light").unwrap()),
        ("high_contrast", Theme::preset("high-contrast").unwrap()),
    ]
}

/// The whole 80x24 screen for `model`, one line per row.
fn screen(tui: &mut Tui, model: &Model) -> String {
    screen_sized(tui, model, 80, 24)
}

/// Component `id` alone, in the area the layout gives it on a
/// `width`x`height` screen (the help overlay: the whole screen).
fn component_sized(tui: &mut Tui, model: &Model, id: Id, width: u16, height: u16) -> String {
    tui.show(model);
    let screen = Rect::new(0, 0, width, height);
    let [workspace, transcript, status] = view::layout(screen);
    let area = match id {
        Id::Workspace => workspace,
        Id::Transcript
        | Id::Inspector
        | Id::Browser
        | Id::BrowserSource
        | Id::MessageList
        | Id::Debugger => transcript,
        Id::StatusBar
        | Id::InterruptPrompt
        | Id::HistoryPrompt
        | Id::WorkspacePrompt
        | Id::InspectorPrompt
        | Id::ReachPrompt => status,
        Id::Help | Id::Completion | Id::Palette | Id::TrustPrompt => screen,
    };
    let mut terminal = Terminal::new(TestBackend::new(area.width, area.height)).unwrap();
    terminal
        .draw(|frame| tui.app.view(&id, frame, frame.area()))
        .unwrap();
    buffer_to_string(terminal.backend().buffer())
}

/// Snapshots `render(width, height)` at each of [`SIZES`] as `{name}_{width}x{height}`;
/// `description` (in the .snap file) says what a reviewer should see.
fn assert_snapshots(name: &str, description: &str, mut render: impl FnMut(u16, u16) -> String) {
    for (width, height) in SIZES {
        let shown = render(width, height);
        insta::with_settings!({ description => description, omit_expression => true }, {
            insta::assert_snapshot!(format!("{name}_{width}x{height}"), shown);
        });
    }
}

/// Whole-screen snapshots of `model` with `workspace_text` in the workspace.
fn assert_screens(name: &str, description: &str, workspace_text: &str, model: &Model) {
    assert_snapshots(name, description, |width, height| {
        let shown = screen_sized(&mut mounted_app(workspace_text), model, width, height);
        assert_eq!(shown.lines().count(), usize::from(height), "{shown}");
        shown
    });
}

/// The text rows of a screen without the panes' side borders.
fn rows(screen: &str) -> Vec<&str> {
    screen
        .lines()
        .map(|line| line.trim_matches(|c| c == '│' || c == ' '))
        .collect()
}

/// The model after `events`, as the bridge would report them.
fn after(events: impl IntoIterator<Item = NetEvent>) -> Model {
    let mut model = model();
    for event in events {
        stui::app::update(&mut model, Msg::Net(event));
    }
    model
}

fn connected_event() -> NetEvent {
    NetEvent::Connected {
        info: common::gst_server_info(),
        round_trip_us: 400,
    }
}

/// `code` sent and answered with `value` of `class`.
fn evaluated(code: &str, value: &str, class: &str, duration_us: u64) -> [TranscriptEntry; 2] {
    [
        TranscriptEntry::Input { code: code.into() },
        TranscriptEntry::Value {
            print: value.into(),
            class: class.into(),
            truncated: false,
            duration_us,
            handle: None,
        },
    ]
}

fn zero_divide() -> ErrorObject {
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
    error
}

fn syntax_error() -> ErrorObject {
    let mut error = ErrorObject::new(ErrorCode::SyntaxError, "expected expression");
    error.line = Some(1);
    error.column = Some(4);
    error
}

const WORKSPACE_TEXT: &str = "| x |\nx := 3 + 4.\nTranscript showCr: 'hello'.\nx / 0";

fn screen_of(model: &Model) -> String {
    screen(&mut mounted_app(""), model)
}

fn assert_shows(screen: &str, text: &str) {
    assert!(screen.contains(text), "screen lacks {text:?}:\n{screen}");
}

fn key(code: Key) -> Event<NoUserEvent> {
    Event::Keyboard(KeyEvent::new(code, KeyModifiers::NONE))
}

fn ctrl(c: char) -> Event<NoUserEvent> {
    Event::Keyboard(KeyEvent::new(Key::Char(c), KeyModifiers::CONTROL))
}

fn shift(code: Key) -> Event<NoUserEvent> {
    Event::Keyboard(KeyEvent::new(code, KeyModifiers::SHIFT))
}

// -- whole screens, in the states a user sees

#[test]
fn screen_disconnected() {
    let mut model = model();
    stui::app::update(&mut model, Msg::Evaluate("x := 3 + 4.".into()));
    assert_screens(
        "disconnected",
        "Not connected: workspace text on top, the transcript tells to press F2 \
         after an evaluation was tried, the status line says Disconnected and key hints.",
        WORKSPACE_TEXT,
        &model,
    );
}

#[test]
fn screen_connecting() {
    let model = after([NetEvent::Connecting {
        address: "tcp://127.0.0.1:5555".into(),
        starting_server: false,
    }]);
    assert_screens(
        "connecting",
        "Connecting to a server: the status line names the address.",
        WORKSPACE_TEXT,
        &model,
    );
}

#[test]
fn screen_starting_server() {
    let model = after([NetEvent::Connecting {
        address: "tcp://127.0.0.1:5555".into(),
        starting_server: true,
    }]);
    assert_screens(
        "starting_server",
        "No server answered: the transcript says the bundled one is being started, \
         the status line says Starting server….",
        WORKSPACE_TEXT,
        &model,
    );
}

#[test]
fn screen_connected_with_a_result() {
    let mut model = after([connected_event()]);
    model
        .transcript
        .extend(evaluated("x := 3 + 4.", "7", "SmallInteger", 120));
    // A reply's Transcript output comes between its input and its value.
    let [input, value] = evaluated(
        "Transcript showCr: 'hello'.",
        "a TextCollector",
        "TextCollector",
        2_400,
    );
    model.transcript.push(input);
    model
        .transcript
        .push(TranscriptEntry::Output("hello\n".into()));
    model.transcript.push(value);
    assert_screens(
        "connected_result",
        "Connected: the transcript shows the connect notice, each input after > and \
         its value, class and time; the status line shows server, dialect and round trip.",
        WORKSPACE_TEXT,
        &model,
    );
}

#[test]
fn screen_evaluation_error_with_stack() {
    let mut model = after([connected_event()]);
    model.transcript.push(TranscriptEntry::Input {
        code: "x / 0".into(),
    });
    model.transcript.push(TranscriptEntry::Error(zero_divide()));
    assert_screens(
        "evaluation_error",
        "An evaluation error: class and message, the first frames of the stack \
         and how many more there are.",
        WORKSPACE_TEXT,
        &model,
    );
}

#[test]
fn screen_syntax_error() {
    let mut model = after([connected_event()]);
    model
        .transcript
        .push(TranscriptEntry::Input { code: "3 +".into() });
    model
        .transcript
        .push(TranscriptEntry::Error(syntax_error()));
    assert_screens(
        "syntax_error",
        "A syntax error with its line and column.",
        "3 +",
        &model,
    );
}

#[test]
fn screen_help_overlay() {
    let mut model = after([connected_event()]);
    model.help_visible = true;
    assert_screens(
        "help",
        "The help overlay centred over the screen: each binding of the keymap \
         with what it does, and how to close it.",
        WORKSPACE_TEXT,
        &model,
    );
}

#[test]
fn screen_help_filtered_in_each_theme() {
    let mut model = after([connected_event()]);
    model.help_visible = true;
    for (name, theme) in themes() {
        assert_snapshots(
            &format!("help_filtered_{name}"),
            "The help after / and \"scroll\": only the bindings whose keys or \
             description say scroll, under the headings of their contexts, the \
             filter in the bottom border; then the colour runs of the theme.",
            |width, height| {
                let mut tui = Tui::themed(WORKSPACE_TEXT, Keymap::default(), &theme);
                screen_sized(&mut tui, &model, width, height);
                tui.type_into(Id::Help, "/scroll");
                styled_screen_sized(&mut tui, &model, width, height)
            },
        );
    }
}

#[test]
fn screen_help_filtered_by_a_tools_name() {
    let mut model = after([connected_event()]);
    model.help_visible = true;
    assert_snapshots(
        "help_filtered_browser",
        "The help after / and \"browser\": the class browser's keys under their \
         heading (a heading matches as its rows' words do); before, no key matched.",
        |width, height| {
            let mut tui = mounted_app(WORKSPACE_TEXT);
            screen_sized(&mut tui, &model, width, height);
            tui.type_into(Id::Help, "/browser");
            screen_sized(&mut tui, &model, width, height)
        },
    );
}

#[test]
fn help_filter_keys() {
    let mut model = model();
    model.help_visible = true;
    let mut tui = mounted_app("");
    tui.show(&model);
    assert_eq!(
        tui.press(Id::Help, key(Key::Char('/'))),
        Some(Msg::SearchHelp(SearchStep::Open))
    );
    // While typing, q is a letter, not "close".
    tui.type_into(Id::Help, "quit");
    assert_eq!(
        tui.press(Id::Help, key(Key::Enter)),
        Some(Msg::SearchHelp(SearchStep::Submit))
    );
    let shown = screen(&mut tui, &model);
    assert_shows(&shown, "Quit STUI");
    assert!(!shown.contains("Connect to or disconnect"), "{shown}");
    // Esc clears the filter, then closes the help.
    let clear = Msg::SearchHelp(SearchStep::Close);
    assert_eq!(tui.press(Id::Help, key(Key::Esc)), Some(clear));
    assert_eq!(tui.press(Id::Help, key(Key::Esc)), Some(Msg::CloseHelp));
}

#[test]
fn screen_down_with_reason() {
    let model = after([
        connected_event(),
        NetEvent::Down {
            reason: "no reply after 3 tries".into(),
            retry_in_ms: Some(2000),
        },
    ]);
    assert_screens(
        "down",
        "The server stopped answering: the transcript and the status line say why, \
         and when the next try to reconnect is.",
        WORKSPACE_TEXT,
        &model,
    );
}

/// 50 short lines and a long one that wraps.
fn long_transcript() -> Model {
    let mut model = after([connected_event()]);
    model.transcript = (0..50)
        .map(|n| TranscriptEntry::Output(format!("line {n}")))
        .collect();
    model
        .transcript
        .push(TranscriptEntry::Output("x".repeat(100) + "END"));
    model
}

#[test]
fn screen_long_transcript_follows_the_newest_entry() {
    assert_screens(
        "long_transcript_tail",
        "A transcript longer than its pane shows the newest lines, the long last \
         one wrapped to the pane's width.",
        "",
        &long_transcript(),
    );
}

#[test]
fn screen_long_transcript_scrolled() {
    let mut model = long_transcript();
    model.focus = Focus::Transcript;
    assert_snapshots(
        "long_transcript_scrolled",
        "The focused transcript after three PageUp: older lines, and the title \
         says it is scrolled and End follows again.",
        |width, height| {
            let mut tui = mounted_app("");
            screen_sized(&mut tui, &model, width, height);
            for _ in 0..3 {
                assert_eq!(
                    tui.press(Id::Transcript, key(Key::PageUp)),
                    Some(Msg::ScrollTranscript(Scroll::PageUp))
                );
            }
            screen_sized(&mut tui, &model, width, height)
        },
    );
}

#[test]
fn screen_dropped_entries_notice() {
    let mut model = after([connected_event()]);
    model.transcript_max_entries = 6;
    for n in 0..12 {
        let text = format!("tick {n}\n");
        stui::app::update(
            &mut model,
            Msg::Net(NetEvent::Transcript { text, dropped: 0 }),
        );
    }
    assert_screens(
        "dropped_entries",
        "Past the cap the oldest entries go: one notice at the top counts them \
         (7: the connection notice and tick 0 to 5), then the newest six, tick 6 to 11.",
        "",
        &model,
    );
}

#[test]
fn screen_transcript_search_prompt() {
    let mut model = long_transcript();
    model.focus = Focus::Transcript;
    assert_snapshots(
        "transcript_search",
        "The focused transcript after / and \"line 1\": the prompt in its bottom \
         border counts 11 matches, and the newest, line 19, is reversed at the top.",
        |width, height| {
            let mut tui = mounted_app("");
            screen_sized(&mut tui, &model, width, height);
            let search = Msg::SearchTranscript(SearchStep::Open);
            assert_eq!(tui.press(Id::Transcript, key(Key::Char('/'))), Some(search));
            for c in "line 1".chars() {
                tui.press(Id::Transcript, key(Key::Char(c)));
            }
            screen_sized(&mut tui, &model, width, height)
        },
    );
}

#[test]
fn screen_transcript_search_in_each_theme() {
    let mut model = long_transcript();
    model.focus = Focus::Transcript;
    for (name, theme) in themes() {
        assert_snapshots(
            &format!("transcript_search_{name}"),
            "The focused transcript after / and \"line 1\": the prompt in its bottom \
             border counts 11 matches, the newest (line 19) reversed at the top; then \
             the colour runs of the theme.",
            |width, height| {
                let mut tui = Tui::themed("", Keymap::default(), &theme);
                screen_sized(&mut tui, &model, width, height);
                tui.type_into(Id::Transcript, "/line 1");
                styled_screen_sized(&mut tui, &model, width, height)
            },
        );
    }
}

/// Output, a value, and an error raised after some output.
fn mixed_transcript() -> Model {
    let mut model = after([connected_event()]);
    model.focus = Focus::Transcript;
    model
        .transcript
        .extend(evaluated("3 + 4", "7", "SmallInteger", 120));
    model.transcript.push(TranscriptEntry::Input {
        code: "Transcript showCr: 'tick'. 1/0".into(),
    });
    model
        .transcript
        .push(TranscriptEntry::Output("tick\n".into()));
    model.transcript.push(TranscriptEntry::Error(zero_divide()));
    model
}

#[test]
fn screen_transcript_errors_only_with_whole_stacks() {
    assert_snapshots(
        "transcript_errors_only",
        "After f and x in the transcript: the title says errors only and whole stacks; the code \
         that raised the ZeroDivide and the error with all nine frames; the \
         value, the output and the notices are hidden.",
        |width, height| {
            let model = mixed_transcript();
            let mut tui = mounted_app("");
            screen_sized(&mut tui, &model, width, height);
            assert_eq!(
                tui.press(Id::Transcript, key(Key::Char('f'))),
                Some(Msg::FilterTranscript)
            );
            assert_eq!(
                tui.press(Id::Transcript, key(Key::Char('x'))),
                Some(Msg::ToggleStacks)
            );
            screen_sized(&mut tui, &model, width, height)
        },
    );
}

#[test]
fn a_filter_that_hides_everything_says_how_to_change_it() {
    let mut model = after([connected_event()]);
    model.focus = Focus::Transcript;
    let mut tui = mounted_app("");
    tui.show(&model);
    tui.press(Id::Transcript, key(Key::Char('f')));
    let shown = screen(&mut tui, &model);
    assert_shows(&shown, "Transcript · errors only");
    assert_shows(&shown, "Nothing to show (f changes the filter).");
}

#[test]
fn search_keys_step_through_the_matches() {
    let mut model = long_transcript();
    model.focus = Focus::Transcript;
    let mut tui = mounted_app("");
    tui.show(&model);
    // Without a search, n is no key of the transcript.
    assert_eq!(tui.press(Id::Transcript, key(Key::Char('n'))), None);
    for c in "/line 4".chars() {
        tui.press(Id::Transcript, key(Key::Char(c)));
    }
    // Ctrl+Q still quits from the prompt.
    assert_eq!(tui.press(Id::Transcript, ctrl('q')), Some(Msg::Quit));
    tui.press(Id::Transcript, key(Key::Enter));
    let current = |tui: &Tui| tui.model.borrow().view.search.as_ref().unwrap().current;
    assert_eq!(current(&tui), Some(49));
    tui.press(Id::Transcript, key(Key::Char('n')));
    assert_eq!(current(&tui), Some(48));
    let newer = Msg::SearchTranscript(SearchStep::Previous);
    assert_eq!(
        tui.press(Id::Transcript, shift(Key::Char('N'))),
        Some(newer)
    );
    assert_eq!(current(&tui), Some(49));
    tui.press(Id::Transcript, key(Key::Esc));
    assert!(tui.model.borrow().view.search.is_none());
}

// -- each component alone

#[test]
fn component_workspace() {
    assert_snapshots(
        "component_workspace",
        "The workspace pane with its text.",
        |width, height| {
            let mut app = mounted_app(WORKSPACE_TEXT);
            component_sized(&mut app, &model(), Id::Workspace, width, height)
        },
    );
}

/// Code with a token of each kind, and a block to match brackets in.
const HIGHLIGHTED_CODE: &str = "\"Sum the squares\"
| squares total |
squares := #(1 2 3) collect: [:x | x * x].
total := squares inject: 0 into: [:sum :each | sum + each].
Transcript show: 'total: ', total printString; cr.
^ total > 16r1F ifTrue: [#big] ifFalse: [$s]";

#[test]
fn component_workspace_highlighted() {
    assert_snapshots(
        "component_workspace_highlighted",
        "The workspace with Smalltalk code of each token kind (the colours are \
         checked by workspace_colours_tokens_and_the_matching_bracket).",
        |width, height| {
            let mut app = mounted_app(HIGHLIGHTED_CODE);
            component_sized(&mut app, &model(), Id::Workspace, width, height)
        },
    );
}

#[test]
fn component_workspace_line_numbers_and_a_long_line() {
    assert_snapshots(
        "component_workspace_line_numbers",
        "Line numbers on, the cursor at the end of a 265-character line: the \
         view scrolled sideways, `‹` on the left border beside each row with \
         text hidden to the left, `2/4 · col 266` on the bottom border.",
        |width, height| {
            let long = format!("x := '{}'.", "a".repeat(257));
            let mut app = mounted_app(&format!("| x |\n{long}\nx size\n"));
            {
                let mut model = app.model.borrow_mut();
                model.view.line_numbers = true;
                let editor = &mut model.view.editor.area;
                editor.move_cursor(CursorMove::Jump(1, 265));
            }
            component_sized(&mut app, &model(), Id::Workspace, width, height)
        },
    );
}

/// The workspace drawn alone at 80x24 with the cursor at (`row`, `column`).
fn workspace_buffer(text: &str, row: u16, column: u16) -> Buffer {
    let mut tui = mounted_app(text);
    let cursor = CursorMove::Jump(row, column);
    tui.model.borrow_mut().view.editor.area.move_cursor(cursor);
    let area = view::layout(Rect::new(0, 0, 80, 24))[0];
    let mut terminal = Terminal::new(TestBackend::new(area.width, area.height)).unwrap();
    terminal
        .draw(|frame| tui.app.view(&Id::Workspace, frame, frame.area()))
        .unwrap();
    terminal.backend().buffer().clone()
}

#[test]
fn workspace_colours_tokens_and_the_matching_bracket() {
    // The cursor on the `[` of line 3 (column 29); the text starts at (1, 1).
    let buffer = workspace_buffer(HIGHLIGHTED_CODE, 2, 29);
    let syntax = Theme::default().syntax;
    let fg = |x: u16, y: u16| buffer[(x + 1, y + 1)].fg;
    let bg = |x: u16, y: u16| buffer[(x + 1, y + 1)].bg;
    assert_eq!(fg(0, 0), syntax.comment);
    assert_eq!(fg(2, 1), syntax.declaration, "temporary `squares`");
    assert_eq!(fg(8, 2), syntax.assignment);
    assert_eq!(fg(11, 2), syntax.punctuation, "`#(`");
    assert_eq!(fg(13, 2), syntax.number);
    assert_eq!(fg(20, 2), syntax.keyword, "`collect:`");
    assert_eq!(fg(30, 2), syntax.declaration, "block parameter `:x`");
    assert_eq!(fg(37, 2), syntax.binary, "`*`");
    assert_eq!(fg(0, 3), Color::Reset, "variables keep the text's colour");
    assert_eq!(fg(17, 4), syntax.string);
    assert_eq!(fg(34, 4), syntax.unary, "`printString`");
    assert_eq!(fg(0, 5), syntax.assignment, "`^`");
    assert_eq!(fg(10, 5), syntax.number, "`16r1F`");
    assert_eq!(fg(26, 5), syntax.symbol, "`#big`");
    assert_eq!(fg(42, 5), syntax.character, "`$s`");
    assert_eq!(bg(29, 2), syntax.matching_bracket, "the `[` at the cursor");
    assert_eq!(bg(40, 2), syntax.matching_bracket, "its `]`");
    assert_ne!(bg(18, 2), syntax.matching_bracket, "other brackets");
}

#[test]
fn a_comment_opened_above_the_view_colours_the_visible_lines() {
    let text = format!("\"a comment\n{}\nstill\" x", "of many lines\n".repeat(60));
    // The cursor on the last line scrolls the top of the comment out of view.
    let buffer = workspace_buffer(&text, 62, 0);
    let syntax = Theme::default().syntax;
    assert_eq!(buffer[(1, 1)].fg, syntax.comment);
    let last = (1..buffer.area.height)
        .rev()
        .find(|&y| buffer[(1, y)].symbol() == "s")
        .expect("the last line is in view");
    assert_eq!(buffer[(6, last)].fg, syntax.comment, "the closing quote");
    assert_eq!(buffer[(8, last)].fg, Color::Reset, "`x` after the comment");
}

#[test]
fn component_transcript() {
    let mut model = after([connected_event()]);
    model.transcript.push(TranscriptEntry::Input {
        code: "| x |\nx := 3.\nx * 2".into(),
    });
    model.transcript.push(TranscriptEntry::Value {
        print: "6".into(),
        class: "SmallInteger".into(),
        truncated: false,
        duration_us: 120,
        handle: None,
    });
    model.transcript.push(TranscriptEntry::Input {
        code: "String new: 100000 withAll: $a".into(),
    });
    model.transcript.push(TranscriptEntry::Value {
        print: "'aaaa'".into(),
        class: "String".into(),
        truncated: true,
        duration_us: 2_000,
        handle: None,
    });
    model
        .transcript
        .push(TranscriptEntry::Input { code: "3 +".into() });
    model
        .transcript
        .push(TranscriptEntry::Error(syntax_error()));
    assert_snapshots(
        "component_transcript",
        "The transcript pane: a multi-line input indented under >, values with \
         class and time, a truncated value marked, a syntax error.",
        |width, height| {
            let mut app = mounted_app("");
            component_sized(&mut app, &model, Id::Transcript, width, height)
        },
    );
}

#[test]
fn component_status_bar() {
    let model = after([connected_event()]);
    assert_snapshots(
        "component_status_bar",
        "The status line when connected: server, dialect, round trip, then as \
         many key hints as fit.",
        |width, height| {
            let mut app = mounted_app("");
            component_sized(&mut app, &model, Id::StatusBar, width, height)
        },
    );
}

#[test]
fn component_status_bar_busy() {
    let mut model = after([connected_event()]);
    for micros in [300, 350, 900, 400, 250, 2_000, 420, 380] {
        let alive = NetEvent::Alive {
            round_trip_us: micros,
            instance: None,
            restart_reason: None,
        };
        stui::app::update(&mut model, Msg::Net(alive));
    }
    stui::app::update(
        &mut model,
        Msg::Evaluate("(Delay forSeconds: 6) wait".into()),
    );
    for _ in 0..3 {
        stui::app::update(&mut model, Msg::Animate);
    }
    model.status.say("Saved.");
    assert_snapshots(
        "component_status_bar_busy",
        "The status line while an evaluation runs: the short-lived message first, \
         the spinner (4th frame) and evaluating…, then the connection with the last \
         round trip (0.38 ms) and a sparkline of the last nine (the 2 ms one highest); \
         the first key hint is Ctrl+G interrupt.",
        |width, height| {
            let mut app = mounted_app("");
            component_sized(&mut app, &model, Id::StatusBar, width, height)
        },
    );
}

#[test]
fn component_help() {
    let mut model = model();
    model.help_visible = true;
    assert_snapshots(
        "component_help",
        "The help overlay alone over an empty screen.",
        |width, height| {
            let mut app = mounted_app("");
            component_sized(&mut app, &model, Id::Help, width, height)
        },
    );
}

#[test]
fn component_interrupt_prompt() {
    let mut model = after([connected_event()]);
    for code in ["(Delay forSeconds: 6) wait. 111", "6 * 7"] {
        stui::app::update(&mut model, Msg::Evaluate(code.into()));
    }
    stui::app::update(&mut model, Msg::Interrupt);
    assert_snapshots(
        "component_interrupt_prompt",
        "The question in the status line when Ctrl+G finds two evaluations running.",
        |width, height| {
            let mut tui = mounted_app("");
            component_sized(&mut tui, &model, Id::InterruptPrompt, width, height)
        },
    );
}

// -- what the snapshots do not show

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
        &screen_sized(&mut mounted_app(""), &model, 120, 24),
        "Connected · backup 1 tcp://10.0.0.2:5555 · stui-gst",
    );
    // A retry comes first: a narrow terminal cuts the end of the line.
    model.retrying = Some("no answer yet: asked again (2 of 3)".into());
    assert_shows(
        &screen_of(&model),
        " no answer yet: asked again (2 of 3) · Connected · backup 1",
    );
}

#[test]
fn the_reconnection_counts_down_with_the_ticks() {
    let mut model = after([
        connected_event(),
        NetEvent::Down {
            reason: "no reply after 3 tries".into(),
            retry_in_ms: Some(3000),
        },
    ]);
    assert_shows(&screen_of(&model), "reconnecting in 3 s");
    for _ in 0..12 {
        stui::app::update(&mut model, Msg::Animate);
    }
    assert_shows(&screen_of(&model), "reconnecting in 2 s");
    for _ in 0..20 {
        stui::app::update(&mut model, Msg::Animate);
    }
    assert_shows(&screen_of(&model), "· reconnecting…");
}

#[test]
fn status_bar_shows_down_without_retry_and_pending() {
    let mut model = model();
    model.connection = Connection::Down {
        retry_in_ms: None,
        reason: "no reply after 3 tries".into(),
    };
    let status = screen_of(&model).lines().nth(23).unwrap().to_string();
    assert!(
        status.starts_with(" Down: no reply after 3 tries "),
        "{status:?}"
    );
    assert!(!status.contains("reconnecting"), "{status:?}");

    model.connection = connected();
    stui::app::update(
        &mut model,
        Msg::Evaluate("(Delay forSeconds: 5) wait".into()),
    );
    assert_shows(&screen_of(&model), "evaluating…");
    stui::app::update(&mut model, Msg::Evaluate("6 * 7".into()));
    assert_shows(&screen_of(&model), " 2 running · Connected · 0.4 ms ");
    let wide = screen_sized(&mut mounted_app(""), &model, 120, 24);
    assert_shows(&wide, " 2 running · Connected · stui-gst");
}

#[test]
fn status_bar_at_60_columns_keeps_the_help_hint() {
    let mut model = model();
    model.connection = connected();
    let shown = screen_sized(&mut mounted_app(""), &model, 60, 24);
    let status = shown.lines().nth(23).unwrap();
    assert!(status.contains(" F1 help"), "{status:?}");
    // Too narrow for the server's name and dialect: the state and round
    // trip stay whole instead of being cut in the middle of a word.
    assert!(status.starts_with(" Connected · 0.4 ms "), "{status:?}");
    let shown = screen_sized(&mut mounted_app(""), &model, 100, 24);
    let status = shown.lines().nth(23).unwrap();
    assert!(
        status.starts_with(" Connected · stui-gst 0.1.0 · GNU Smalltalk 3.2.5 · 0.4 ms"),
        "{status:?}"
    );
    // Wide enough, every hint is there.
    let shown = screen_sized(&mut mounted_app(""), &model, 160, 24);
    assert_shows(
        &shown,
        "F1 help  F2 connect/disconnect  Ctrl+E eval  Ctrl+Q quit",
    );
    // The key a keymap lists first: Pharo's Do it in the pharo preset.
    let mut pharo = Tui::with_keymap("", Keymap::preset("pharo").unwrap());
    let shown = screen_sized(&mut pharo, &model, 160, 24);
    assert_shows(&shown, "Ctrl+D eval  Ctrl+Q quit");
}

#[test]
fn status_bar_says_when_the_configuration_had_problems() {
    let mut keymap = Keymap::default();
    keymap.add_warning("keymap.toml:2: unknown action".into());
    let mut tui = Tui::with_keymap("", keymap);
    let status = screen(&mut tui, &model())
        .lines()
        .nth(23)
        .unwrap()
        .to_string();
    assert!(
        status.starts_with(" 1 config problem (transcript) · Disconnected"),
        "{status:?}"
    );
}

/// The screen's text, then each row's colour runs (`first-last fg/bg`), so
/// that a snapshot shows what a theme paints.
fn styled_screen(buffer: &Buffer) -> String {
    let mut shown = buffer_to_string(buffer);
    let width = usize::from(buffer.area.width);
    for (y, row) in buffer.content.chunks(width).enumerate() {
        let mut runs: Vec<(usize, usize, String)> = Vec::new();
        for (x, cell) in row.iter().enumerate() {
            let colours = format!("{:?}/{:?}", cell.fg, cell.bg);
            match runs.last_mut() {
                Some((_, last, previous)) if *previous == colours => *last = x,
                _ => runs.push((x, x, colours)),
            }
        }
        let runs: Vec<String> = runs
            .into_iter()
            .map(|(first, last, colours)| format!("{first}-{last} {colours}"))
            .collect();
        shown.push_str(&format!("{y:>2}: {}\n", runs.join(", ")));
    }
    shown
}

/// Highlighted code with the cursor on a bracket, and in the transcript a
/// value, output and an error, drawn in `theme` at `width`x`height`.
fn themed_screen(theme: &Theme, width: u16, height: u16) -> String {
    let mut tui = Tui::themed(HIGHLIGHTED_CODE, Keymap::default(), theme);
    // On the `[` of line 3: it and its `]` are marked.
    let cursor = CursorMove::Jump(2, 29);
    tui.model.borrow_mut().view.editor.area.move_cursor(cursor);
    let mut model = after([connected_event()]);
    model
        .transcript
        .extend(evaluated("x := 3 + 4.", "7", "SmallInteger", 120));
    model
        .transcript
        .push(TranscriptEntry::Output("hello\n".into()));
    model
        .transcript
        .push(TranscriptEntry::Error(syntax_error()));
    styled_screen_sized(&mut tui, &model, width, height)
}

#[test]
fn screen_in_each_theme() {
    let light = Theme::preset("light").unwrap();
    let themes = [
        ("dark", Theme::default()),
        ("light", light),
        ("high_contrast", Theme::preset("high-contrast").unwrap()),
        ("light_16_colours", light.for_depth(ColorDepth::Ansi16)),
    ];
    for (name, theme) in themes {
        assert_snapshots(
            &format!("theme_{name}"),
            "The connected screen: the workspace with code of each token kind, the \
             cursor on the `[` of line 3 (it and its `]` marked), a value, output and \
             an error in the transcript; then per row the foreground/background \
             colour runs of the theme.",
            |width, height| themed_screen(&theme, width, height),
        );
    }
}

#[test]
fn screen_interrupt_question() {
    let mut model = after([connected_event()]);
    for code in [
        "(Delay forSeconds: 6) wait. 111",
        "[true] whileTrue",
        "6 * 7",
    ] {
        stui::app::update(&mut model, Msg::Evaluate(code.into()));
    }
    stui::app::update(&mut model, Msg::Interrupt);
    assert_screens(
        "interrupt_question",
        "Ctrl+G with three evaluations running: the status line asks which to \
         interrupt (a = all, 1..3 = the n-th oldest, Esc = none).",
        WORKSPACE_TEXT,
        &model,
    );
}

/// The bridge met a server that wants CURVE and whose key is not known.
fn unknown_server_key() -> NetEvent {
    NetEvent::UnknownServerKey {
        address: "tcp://10.0.0.5:5555".into(),
        public_key: "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7".into(),
        fingerprint: "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU".into(),
    }
}

#[test]
fn screen_trust_question() {
    let model = after([
        NetEvent::Connecting {
            address: "tcp://10.0.0.5:5555".into(),
            starting_server: false,
        },
        unknown_server_key(),
    ]);
    assert_screens(
        "trust_question",
        "A server that wants CURVE and whose key is unknown: a box over the \
         workspace names its address and key fingerprint, asks to check it with the \
         admin, and to answer y (trust and connect) or n/Esc; the status line says \
         Disconnected.",
        WORKSPACE_TEXT,
        &model,
    );
}

#[test]
fn the_trust_question_takes_the_keys_and_only_a_clear_answer() {
    let mut tui = mounted_app(WORKSPACE_TEXT);
    let model = after([unknown_server_key()]);
    tui.show(&model);
    assert_eq!(tui.app.focus(), Some(&Id::TrustPrompt));
    let mut press = |event| {
        tui.app
            .get_component_mut(&Id::TrustPrompt)
            .unwrap()
            .on(&event)
    };
    assert_eq!(press(key(Key::Char('x'))), None);
    assert_eq!(press(key(Key::Enter)), None);
    assert_eq!(
        press(key(Key::Char('y'))),
        Some(Msg::Trust(TrustMsg::Trust))
    );
    assert_eq!(
        press(key(Key::Char('n'))),
        Some(Msg::Trust(TrustMsg::Refuse))
    );
    assert_eq!(press(key(Key::Esc)), Some(Msg::Trust(TrustMsg::Refuse)));
    assert_eq!(press(ctrl('q')), Some(Msg::Quit));
    // Refused: the question goes, the workspace has the keys and its text again.
    tui.press(Id::TrustPrompt, key(Key::Esc));
    view::sync(&mut tui.app, &tui.model.borrow());
    assert_eq!(tui.app.focus(), Some(&Id::Workspace));
    assert_eq!(tui.workspace_text(), WORKSPACE_TEXT);
    let current = tui.model.borrow().clone();
    let shown = screen_sized(&mut tui, &current, 120, 40);
    assert_shows(&shown, "was not trusted");
}

#[test]
fn component_status_bar_read_only() {
    let mut info = common::gst_server_info();
    info.read_only = true;
    let model = after([NetEvent::Connected {
        info,
        round_trip_us: 400,
    }]);
    assert_snapshots(
        "component_status_bar_read_only",
        "Connected with a key of role read: the status line says read-only right \
         after Connected.",
        |width, height| {
            let mut app = mounted_app("");
            component_sized(&mut app, &model, Id::StatusBar, width, height)
        },
    );
}

#[test]
fn transcript_keeps_only_the_newest_rows() {
    let shown = screen_of(&long_transcript());
    let shown = rows(&shown);
    assert!(shown.contains(&"line 49"), "{shown:#?}");
    // "line 0" and "line 1" are whole rows while they are shown.
    assert!(
        !shown.contains(&"line 0"),
        "old entries scrolled away: {shown:#?}"
    );
    assert!(!shown.contains(&"line 1"), "{shown:#?}");
    let mut short = model();
    short.transcript = vec![TranscriptEntry::Output("line 0".into())];
    assert!(rows(&screen_of(&short)).contains(&"line 0"));
}

#[test]
fn transcript_shows_only_a_few_frames_of_a_stack() {
    let mut model = model();
    model.transcript = vec![TranscriptEntry::Error(zero_divide())];
    let screen = screen_of(&model);
    assert_shows(&screen, "SmallInteger(Number)>>frame0");
    assert_shows(&screen, "… 4 more frames");
    assert!(!screen.contains("frame8"), "only a few frames are shown");
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
    for _ in 0..3 {
        app.press(Id::Transcript, key(Key::PageUp));
    }
    let scrolled = screen(&mut app, &model);
    assert!(!scrolled.contains("line 49"), "{scrolled}");
    assert_shows(&scrolled, "scrolled, End follows");
    app.press(Id::Transcript, key(Key::End));
    assert_shows(&screen(&mut app, &model), "line 49");
}

#[test]
fn help_follows_a_user_keymap() {
    let mut keymap = Keymap::default();
    keymap
        .merge_toml("[workspace]\n\"ctrl-j\" = \"evaluate\"\n", "user.toml")
        .unwrap();
    let mut app = Tui::with_keymap("", keymap);
    let mut model = model();
    model.help_visible = true;
    // Filtered to the workspace's evaluation keys, which a full help at 80x24 scrolls to.
    app.model.borrow_mut().view.help_filter = Some(stui::ui::help_filter::HelpFilter {
        query: "Do it".into(),
        editing: false,
    });
    assert_shows(&screen(&mut app, &model), "Ctrl+E, Ctrl+J");
}

#[test]
fn presets_evaluate_with_their_own_keys() {
    for (preset, key) in [("pharo", 'd'), ("emacs", 'j')] {
        let mut tui = Tui::with_keymap("3 + 4", Keymap::preset(preset).unwrap());
        assert_eq!(
            tui.press(Id::Workspace, ctrl(key)),
            Some(Msg::EvaluateSelection),
            "{preset}"
        );
        assert_eq!(tui.workspace_text(), "3 + 4", "{preset}");
    }
}

#[test]
fn whole_screen_has_workspace_transcript_and_status_line() {
    let mut app = mounted_app("Transcript showCr: 'hello'");
    let mut model = model();
    model.transcript = vec![TranscriptEntry::Notice("Welcome to STUI.".into())];
    let screen = screen(&mut app, &model);
    assert_eq!(screen.lines().count(), 24);
    // Each pane's title is in its top border; the workspace's text is not.
    let row_of = |prefix: &str| {
        screen
            .lines()
            .position(|line| line.starts_with(prefix))
            .unwrap_or_else(|| panic!("no row starts with {prefix:?}:\n{screen}"))
    };
    let workspace = row_of("┌ Workspace");
    let transcript = row_of("┌ Transcript");
    assert_eq!(workspace, 0);
    assert_eq!(row_of("│Transcript showCr: 'hello'"), 1);
    assert!(screen.lines().nth(23).unwrap().contains("Disconnected"));
    // Workspace on top (~60%), transcript below it.
    assert_eq!(transcript, 14, "{screen}");
    assert_eq!(row_of("│Welcome to STUI."), transcript + 1);
}

#[test]
fn sync_moves_focus_with_the_model() {
    let mut tui = mounted_app("");
    let mut model = model();
    view::sync(&mut tui.app, &model);
    assert_eq!(tui.app.focus(), Some(&Id::Workspace));
    model.focus = Focus::Transcript;
    view::sync(&mut tui.app, &model);
    assert_eq!(tui.app.focus(), Some(&Id::Transcript));
    model.help_visible = true;
    view::sync(&mut tui.app, &model);
    assert_eq!(tui.app.focus(), Some(&Id::Help));
    model.choosing_interrupt = true;
    view::sync(&mut tui.app, &model);
    assert_eq!(tui.app.focus(), Some(&Id::InterruptPrompt));
    model.help_visible = false;
    model.choosing_interrupt = false;
    view::sync(&mut tui.app, &model);
    assert_eq!(tui.app.focus(), Some(&Id::Transcript));
}

#[test]
fn workspace_text_round_trips_for_saving() {
    let text = "| a |\na := 3.\n\n\ta printNl.\n";
    assert_eq!(mounted_app(text).workspace_text(), text);
}

// -- keys

/// Ctrl+E in the workspace, handled as the runtime would: the code sent.
fn ctrl_e_sends(tui: &mut Tui) -> String {
    tui.model.borrow_mut().connection = connected();
    assert_eq!(
        tui.press(Id::Workspace, ctrl('e')),
        Some(Msg::EvaluateSelection)
    );
    match tui.model.borrow().transcript.last() {
        Some(TranscriptEntry::Input { code }) => code.clone(),
        other => panic!("expected the code sent, got {other:?}"),
    }
}

#[test]
fn ctrl_e_evaluates_the_current_line() {
    assert_eq!(ctrl_e_sends(&mut mounted_app("3 + 4")), "3 + 4");
}

#[test]
fn ctrl_e_evaluates_the_statement_under_the_cursor() {
    let mut tui = mounted_app("x := 3.\ny := x + 4.\nz := 0");
    tui.press(Id::Workspace, key(Key::Down));
    assert_eq!(ctrl_e_sends(&mut tui), "y := x + 4");
}

#[test]
fn ctrl_e_evaluates_the_selection() {
    let mut tui = mounted_app("x := 3.\ny := x + 4.\nz := 0");
    tui.press(Id::Workspace, key(Key::Down));
    for _ in 0..4 {
        tui.press(Id::Workspace, shift(Key::Right));
    }
    assert_eq!(ctrl_e_sends(&mut tui), "y :=");

    let mut tui = mounted_app("x := 3.\ny := x + 4.\nz := 0");
    tui.press(Id::Workspace, shift(Key::Down));
    tui.press(Id::Workspace, shift(Key::End));
    assert_eq!(ctrl_e_sends(&mut tui), "x := 3.\ny := x + 4.");
}

#[test]
fn keys_typed_in_the_same_tick_before_ctrl_e_are_evaluated() {
    let mut tui = mounted_app("");
    tui.model.borrow_mut().connection = connected();
    // One tick's events: every message is made before any is handled.
    let events = [
        key(Key::Char('7')),
        key(Key::Char('.')),
        ctrl('e'),
        key(Key::Enter),
        key(Key::Char('8')),
        ctrl('e'),
    ];
    let workspace = tui.app.get_component_mut(&Id::Workspace).unwrap();
    let messages: Vec<Msg> = events.iter().filter_map(|e| workspace.on(e)).collect();
    for msg in messages {
        stui::app::update(&mut tui.model.borrow_mut(), msg);
    }
    let sent: Vec<String> = tui
        .model
        .borrow()
        .transcript
        .iter()
        .filter_map(|entry| match entry {
            TranscriptEntry::Input { code } => Some(code.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(sent, ["7", "8"]);
}

#[test]
fn print_it_puts_the_value_after_the_statement_selected() {
    let mut tui = mounted_app("x := 3 + 4.\ny := x * 2");
    tui.model.borrow_mut().connection = connected();
    assert_eq!(
        tui.press(Id::Workspace, ctrl('p')),
        Some(Msg::PrintSelection)
    );
    let id = tui.model.borrow().running_evaluations()[0].to_string();
    let value = EvaluateResult {
        print: "7".into(),
        class: "SmallInteger".into(),
        truncated: false,
        handle: "h1".into(),
        output: String::new(),
        output_ranges: None,
        duration_us: 120,
        warnings: Vec::new(),
    };
    let reply = NetEvent::Reply {
        id,
        result: Ok(Answer::Evaluate(value)),
        round_trip_us: 9,
    };
    stui::app::update(&mut tui.model.borrow_mut(), Msg::Net(reply));
    assert_eq!(tui.workspace_text(), "x := 3 + 4 \"7\".\ny := x * 2");
    let model = tui.model.borrow().clone();
    let shown = screen(&mut tui, &model);
    insta::with_settings!({
        description => "Print it (Ctrl+P) on the first statement: its value as a comment \
                        after the code, selected, and in the transcript.",
        omit_expression => true,
    }, {
        insta::assert_snapshot!("print_it_80x24", shown);
    });
}

#[test]
fn question_mark_is_text_in_the_workspace_and_help_in_the_transcript() {
    let mut tui = mounted_app("");
    // Terminals report `?` with Shift held.
    let question = Event::Keyboard(KeyEvent::new(Key::Char('?'), KeyModifiers::SHIFT));
    assert!(matches!(
        tui.press(Id::Workspace, question.clone()),
        Some(Msg::Edit(_))
    ));
    assert_eq!(tui.workspace_text(), "?");
    assert_eq!(tui.press(Id::Transcript, question), Some(Msg::ToggleHelp));
}

#[test]
fn global_keys_work_in_every_pane() {
    let mut tui = mounted_app("");
    let f2 = key(Key::Function(2));
    let mut press = |id, event| tui.app.get_component_mut(&id).unwrap().on(&event);
    assert_eq!(
        press(Id::Workspace, f2.clone()),
        Some(Msg::ToggleConnection)
    );
    assert_eq!(press(Id::Transcript, f2), Some(Msg::ToggleConnection));
    assert_eq!(
        press(Id::Workspace, key(Key::Function(1))),
        Some(Msg::ToggleHelp)
    );
    assert_eq!(press(Id::Workspace, ctrl('q')), Some(Msg::Quit));
    assert_eq!(
        press(Id::Workspace, key(Key::Function(6))),
        Some(Msg::FocusNext)
    );
    assert_eq!(
        press(Id::Transcript, shift(Key::BackTab)),
        Some(Msg::FocusNext)
    );
    // In the workspace Shift+Tab dedents, as Tab indents.
    assert_eq!(
        press(Id::Workspace, shift(Key::BackTab)),
        Some(Msg::EditCommand(EditCommand::Dedent))
    );
    assert_eq!(press(Id::Transcript, key(Key::Tab)), Some(Msg::FocusNext));
    assert_eq!(press(Id::Transcript, ctrl('l')), Some(Msg::ClearTranscript));
    assert_eq!(press(Id::InterruptPrompt, ctrl('q')), Some(Msg::Quit));
}

#[test]
fn help_keys_close_and_scroll_it() {
    let mut tui = mounted_app("");
    let mut press = |event| tui.app.get_component_mut(&Id::Help).unwrap().on(&event);
    assert_eq!(press(key(Key::Esc)), Some(Msg::CloseHelp));
    assert_eq!(press(key(Key::Function(1))), Some(Msg::CloseHelp));
    assert_eq!(press(key(Key::Char('q'))), Some(Msg::CloseHelp));
    assert_eq!(press(key(Key::Char('x'))), None);
    assert_eq!(
        press(key(Key::PageDown)),
        Some(Msg::ScrollHelp(Scroll::PageDown))
    );
}

#[test]
fn the_interrupt_question_takes_the_next_key() {
    let mut tui = mounted_app("");
    let mut press = |event| {
        tui.app
            .get_component_mut(&Id::InterruptPrompt)
            .unwrap()
            .on(&event)
    };
    let chosen = |choice| Some(Msg::InterruptChosen(choice));
    assert_eq!(press(key(Key::Char('a'))), chosen(InterruptChoice::All));
    assert_eq!(press(key(Key::Char('2'))), chosen(InterruptChoice::Nth(2)));
    assert_eq!(press(key(Key::Esc)), chosen(InterruptChoice::None));
    assert_eq!(press(key(Key::Char('x'))), chosen(InterruptChoice::None));
}

#[test]
fn workspace_edits_with_unbound_keys_and_paste() {
    let mut tui = mounted_app("");
    for c in "3 + 4".chars() {
        tui.press(Id::Workspace, key(Key::Char(c)));
    }
    tui.press(Id::Workspace, key(Key::Enter));
    tui.press(Id::Workspace, key(Key::Tab));
    tui.press(
        Id::Workspace,
        Event::Paste("Transcript show: 'a'.\r\nx".into()),
    );
    assert_eq!(tui.workspace_text(), "3 + 4\n    Transcript show: 'a'.\nx");
    tui.press(Id::Workspace, key(Key::Backspace));
    assert_eq!(tui.workspace_text(), "3 + 4\n    Transcript show: 'a'.\n");
}

// -- net events reach update as Msg::Net, through no component

struct EventsPort(Vec<NetEvent>);

impl Poll<NetEvent> for EventsPort {
    fn poll(&mut self) -> PortResult<Option<Event<NetEvent>>> {
        Ok(self.0.pop().map(Event::User))
    }
}

#[test]
fn net_events_from_a_port_become_net_messages_once() {
    let event = NetEvent::Down {
        reason: "gone".into(),
        retry_in_ms: None,
    };
    let mut port = EventsPort(vec![event.clone()]);
    assert_eq!(
        stui::app::runtime::net_messages(&mut port),
        vec![Msg::Net(event)]
    );
    assert!(stui::app::runtime::net_messages(&mut port).is_empty());
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

#[test]
fn history_search_prompt_and_recall_keys() {
    let mut tui = mounted_app("1 + 1");
    tui.model.borrow_mut().history = History::new(
        ["x := 3 + 4", "Transcript showCr: 'hi'", "x printNl"]
            .map(String::from)
            .to_vec(),
    );
    tui.press(Id::Workspace, ctrl('r'));
    for c in "x ".chars() {
        tui.press(Id::HistoryPrompt, key(Key::Char(c)));
    }
    tui.press(Id::HistoryPrompt, ctrl('r'));
    let model = tui.model.borrow().clone();
    let shown = screen_sized(&mut tui, &model, 80, 24);
    insta::with_settings!({
        description => "Ctrl+R, 'x ' typed, Ctrl+R again: the status line shows the \
                        older of the two snippets holding 'x '; the workspace keeps its text.",
        omit_expression => true,
    }, {
        insta::assert_snapshot!("history_search_80x24", shown);
    });
    tui.press(Id::HistoryPrompt, key(Key::Enter));
    assert_eq!(tui.workspace_text(), "x := 3 + 4");
    let alt_up = Event::Keyboard(KeyEvent::new(Key::Up, KeyModifiers::ALT));
    tui.press(Id::Workspace, alt_up);
    assert_eq!(tui.workspace_text(), "x printNl");
}

#[test]
fn three_workspaces_in_the_tab_line_and_the_rename_prompt() {
    let mut tui = mounted_app("3 + 4");
    tui.press(Id::Workspace, ctrl('t'));
    for c in "x := 1".chars() {
        tui.press(Id::Workspace, key(Key::Char(c)));
    }
    tui.press(Id::Workspace, key(Key::Function(3)));
    tui.press(Id::WorkspacePrompt, key(Key::Backspace));
    for c in "bank".chars() {
        tui.press(Id::WorkspacePrompt, key(Key::Char(c)));
    }
    let model = tui.model.borrow().clone();
    let asking = screen_sized(&mut tui, &model, 80, 24);
    insta::with_settings!({
        description => "Ctrl+T made workspace 2, F3 asks for its new name: the status \
                        line is the prompt, 'bank' typed over the '2' it started with.",
        omit_expression => true,
    }, {
        insta::assert_snapshot!("workspace_rename_prompt_80x24", asking);
    });
    tui.press(Id::WorkspacePrompt, key(Key::Enter));
    tui.press(Id::Workspace, ctrl('t'));
    let ctrl_pageup = Event::Keyboard(KeyEvent::new(Key::PageUp, KeyModifiers::CONTROL));
    tui.press(Id::Workspace, ctrl_pageup);
    assert_eq!(tui.workspace_text(), "x := 1");
    let model = tui.model.borrow().clone();
    let shown = screen_sized(&mut tui, &model, 80, 24);
    insta::with_settings!({
        description => "Three workspaces, 1, bank and 2: bank is active (highlighted in \
                        the pane's title, named in the status bar) and shows its own text.",
        omit_expression => true,
    }, {
        insta::assert_snapshot!("three_workspaces_80x24", shown);
    });
    // The active tab is reversed in the focused border's colour, the others are not.
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal
        .draw(|frame| view::draw(&mut tui.app, &tui.model, frame))
        .unwrap();
    let title = &terminal.backend().buffer().content[..14];
    let reversed = |cell: &tuirealm::ratatui::buffer::Cell| {
        cell.modifier
            .contains(tuirealm::ratatui::style::Modifier::REVERSED)
    };
    let marked: String = title
        .iter()
        .filter(|cell| reversed(cell))
        .map(|cell| cell.symbol())
        .collect();
    assert_eq!(marked, " bank ");
    assert_eq!(title[7].fg, Theme::default().workspace.border_focused);
}

// ---- completion ------------------------------------------------------------

/// A connected TUI after typing `text` and asking for completions, answered
/// with the reply the real server gave (tests/fixtures/completion/<fixture>.json).
fn completing(text: &str, fixture: &str) -> Tui {
    let mut tui = mounted_app("");
    stui::app::update(&mut tui.model.borrow_mut(), Msg::Net(connected_event()));
    tui.type_into(Id::Workspace, text);
    let effects = stui::app::update(&mut tui.model.borrow_mut(), Msg::Complete);
    let [stui::app::Effect::Bridge(stui::net::BridgeCommand::Send(request))] = &effects[..] else {
        panic!("one request: {effects:?}");
    };
    let path = common::repo_root().join(format!("tests/fixtures/completion/{fixture}.json"));
    let bytes = std::fs::read(&path).unwrap();
    let reply = stui::net::client::read_reply(&bytes).unwrap();
    let result = stui::net::client::decode_answer(&request.body, reply).unwrap();
    let event = NetEvent::Reply {
        id: request.id.clone(),
        result,
        round_trip_us: 1,
    };
    stui::app::update(&mut tui.model.borrow_mut(), Msg::Net(event));
    tui
}

/// The screen as it is, without replacing the model.
fn screen_as_is(tui: &mut Tui, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| view::draw(&mut tui.app, &tui.model, frame))
        .unwrap();
    buffer_to_string(terminal.backend().buffer())
}

#[test]
fn completion_popup_offers_the_class_under_the_word() {
    assert_snapshots(
        "completion_class",
        "`x := Ordered` then Tab: the real server's one candidate, OrderedCollection \
         (class), in a popup under the word",
        |width, height| screen_as_is(&mut completing("x := Ordered", "ordered"), width, height),
    );
}

#[test]
fn completion_popup_scrolls_through_many_selectors() {
    assert_snapshots(
        "completion_selectors",
        "`3 print` then Tab, then Down nine times: the real server's selectors \
         starting with print (print itself left out), eight rows at a time, the \
         tenth selected and its position at the bottom right",
        |width, height| {
            let mut tui = completing("3 print", "print");
            for _ in 0..9 {
                tui.press(Id::Workspace, key(Key::Down));
            }
            screen_as_is(&mut tui, width, height)
        },
    );
}

#[test]
fn completion_popup_takes_its_colours_from_the_theme() {
    let mut tui = completing("x := Ordered", "ordered");
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal
        .draw(|frame| view::draw(&mut tui.app, &tui.model, frame))
        .unwrap();
    let theme = Theme::default();
    // The one entry is selected: the help's key colour behind it.
    let cell = &terminal.backend().buffer()[(6, 3)];
    assert_eq!(cell.symbol(), "O");
    assert_eq!((cell.fg, cell.bg), (theme.help.bg, theme.help.key));
}

#[test]
fn completion_popup_sits_under_the_word_after_wide_characters() {
    assert_snapshots(
        "completion_after_wide_characters",
        "`'こんにちは' -> Ordered` then Tab: the five wide characters take two columns \
         each, and the popup's OrderedCollection starts right under the O of Ordered",
        |width, height| {
            let mut tui = completing("'こんにちは' -> Ordered", "ordered");
            screen_as_is(&mut tui, width, height)
        },
    );
}

/// A reply the real server gave to `inspect`, recorded in tests/fixtures/inspector.
fn recorded_inspection(name: &str) -> stui::protocol::InspectResult {
    let path = common::repo_root().join(format!("tests/fixtures/inspector/{name}.json"));
    let text = std::fs::read_to_string(path).expect("a recorded reply");
    let reply: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    serde_json::from_value(reply["result"].clone()).expect("an inspect result")
}

/// The id of the one request `effects` send.
fn sent_id(effects: &[stui::app::Effect]) -> String {
    effects
        .iter()
        .find_map(|effect| match effect {
            stui::app::Effect::Bridge(stui::net::BridgeCommand::Send(request)) => {
                Some(request.id.clone())
            }
            _ => None,
        })
        .expect("a request")
}

fn inspect_reply(model: &mut Model, id: String, name: &str) {
    let event = NetEvent::Reply {
        id,
        result: Ok(Answer::Inspect(recorded_inspection(name))),
        round_trip_us: 300,
    };
    stui::app::update(model, Msg::Net(event));
}

const INSPECTED_CODE: &str = "OrderedCollection new add: 3; add: 4; yourself";

/// Inspect it on `INSPECTED_CODE`, answered as the real server answered it.
fn inspecting_collection() -> Model {
    let mut model = after([connected_event()]).with_workspace(INSPECTED_CODE);
    let id = sent_id(&stui::app::update(&mut model, Msg::InspectSelection));
    inspect_reply(&mut model, id, "collection");
    model
}

fn inspector_key(
    model: &mut Model,
    msg: stui::ui::inspector::InspectorMsg,
) -> Vec<stui::app::Effect> {
    stui::app::update(model, Msg::Inspector(msg))
}

#[test]
fn screen_inspector_on_a_collection() {
    use stui::ui::inspector::InspectorMsg;
    let mut model = inspecting_collection();
    inspector_key(&mut model, InspectorMsg::Move(Scroll::Down));
    inspector_key(&mut model, InspectorMsg::Move(Scroll::Down));
    assert_screens(
        "inspector_collection",
        "Inspect it on an OrderedCollection (the server's recorded reply): the inspector \
         replaces the transcript, its title the breadcrumb, then the print and class, the \
         named fields and the elements with their classes; element 1 is selected; the \
         status bar names the inspector.",
        INSPECTED_CODE,
        &model,
    );
}

#[test]
fn screen_inspector_drilled_into_an_element() {
    use stui::ui::inspector::InspectorMsg;
    let mut model = inspecting_collection();
    inspector_key(&mut model, InspectorMsg::Move(Scroll::Down));
    inspector_key(&mut model, InspectorMsg::Move(Scroll::Down));
    let id = sent_id(&inspector_key(&mut model, InspectorMsg::Drill));
    inspect_reply(&mut model, id, "element");
    assert_screens(
        "inspector_drilled",
        "Enter on element 1 of the collection: the breadcrumb says \
         OrderedCollection › 1, the pane shows the SmallInteger 3 with no fields.",
        INSPECTED_CODE,
        &model,
    );
}

#[test]
fn screen_inspector_evaluate_line() {
    use stui::ui::PromptKey;
    use stui::ui::inspector::InspectorMsg;
    let mut model = inspecting_collection();
    inspector_key(&mut model, InspectorMsg::OpenPrompt);
    for c in "self add: 5".chars() {
        inspector_key(&mut model, InspectorMsg::Prompt(PromptKey::Type(c)));
    }
    assert_screens(
        "inspector_evaluate_line",
        "`:` in the inspector, then `self add: 5` typed: the evaluate line covers the \
         status line (`self ▸ self add: 5`, a block cursor, the keys), the inspector \
         still shows the collection.",
        INSPECTED_CODE,
        &model,
    );
}

#[test]
fn completion_popup_over_the_inspectors_evaluate_line() {
    use stui::ui::PromptKey;
    use stui::ui::inspector::InspectorMsg;
    let mut model = inspecting_collection();
    inspector_key(&mut model, InspectorMsg::OpenPrompt);
    for c in "self inj".chars() {
        inspector_key(&mut model, InspectorMsg::Prompt(PromptKey::Type(c)));
    }
    complete_as_recorded(&mut model, "self_inj");
    assert_screens(
        "completion_inspector_line",
        "`:` in the inspector, `self inj`, then Tab: the real server's inject:into: \
         (selector) in a popup just above the evaluate line, its text lined up with inj",
        INSPECTED_CODE,
        &model,
    );
}

#[test]
fn screen_inspector_after_evaluating_on_the_line() {
    use stui::ui::PromptKey;
    use stui::ui::inspector::InspectorMsg;
    let mut model = inspecting_collection();
    inspector_key(&mut model, InspectorMsg::OpenPrompt);
    for c in "self inject: 0 into: [:a :b | a + b]".chars() {
        inspector_key(&mut model, InspectorMsg::Prompt(PromptKey::Type(c)));
    }
    let id = sent_id(&inspector_key(
        &mut model,
        InspectorMsg::Prompt(PromptKey::Accept),
    ));
    let value = stui::protocol::EvaluateResult {
        print: "7".into(),
        class: "SmallInteger".into(),
        truncated: false,
        handle: "h9".into(),
        output: String::new(),
        output_ranges: None,
        duration_us: 40,
        warnings: vec![],
    };
    let event = NetEvent::Reply {
        id,
        result: Ok(Answer::Evaluate(value)),
        round_trip_us: 300,
    };
    stui::app::update(&mut model, Msg::Net(event));
    assert_screens(
        "inspector_evaluated",
        "The evaluate line's code answered 7: the inspector's foot says \
         `self inject: 0 into: [:a :b | a + b] → 7` left of the \
         position, since the transcript it also went to is hidden; the collection is being \
         inspected again (loading more…).",
        INSPECTED_CODE,
        &model,
    );
}

/// The inspector pane alone on the recorded reply `name`.
fn inspector_component(name: &str, width: u16, height: u16) -> String {
    let mut model = after([connected_event()]);
    model.tool = Some(stui::ui::inspector::Tool::Inspector(
        stui::ui::inspector::InspectorState {
            frames: vec![stui::ui::inspector::InspectFrame::with(
                recorded_inspection(name),
            )],
            back_to: Focus::Workspace,
            height: 0,
            prompt: None,
            last_result: None,
        },
    ));
    model.focus = Focus::Tool;
    component_sized(&mut mounted_app(""), &model, Id::Inspector, width, height)
}

#[test]
fn component_inspector_views_of_a_dictionary_and_a_string() {
    assert_snapshots(
        "component_inspector_dictionary",
        "A Dictionary (recorded): its tally field, then each association as key → value.",
        |width, height| inspector_component("dictionary", width, height),
    );
    assert_snapshots(
        "component_inspector_string",
        "A two-line String (recorded): its text, not its characters one a row.",
        |width, height| inspector_component("string", width, height),
    );
    assert_snapshots(
        "component_inspector_large",
        "A 200-element collection (recorded first page of 50): rows up to the pane's \
         height, the position of the selection of all 202 rows in the bottom border.",
        |width, height| inspector_component("large", width, height),
    );
}

/// A reply the real server gave to the browser, recorded in tests/fixtures/browser.
fn recorded_browser_reply(name: &str) -> Answer {
    let path = common::repo_root().join(format!("tests/fixtures/browser/{name}.json"));
    let text = std::fs::read_to_string(path).expect("a recorded reply");
    let reply: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let result = reply["result"].clone();
    match name {
        "classes_all" => Answer::ListClasses(serde_json::from_value(result).unwrap()),
        "ordered_collection" => Answer::Class(serde_json::from_value(result).unwrap()),
        _ => Answer::Method(serde_json::from_value(result).unwrap()),
    }
}

fn browser_reply(model: &mut Model, id: String, name: &str) {
    let event = NetEvent::Reply {
        id,
        result: Ok(recorded_browser_reply(name)),
        round_trip_us: 300,
    };
    stui::app::update(model, Msg::Net(event));
}

/// The ids of the requests `effects` send.
fn sent_ids(effects: &[stui::app::Effect]) -> Vec<String> {
    effects
        .iter()
        .filter_map(|effect| match effect {
            stui::app::Effect::Bridge(stui::net::BridgeCommand::Send(request)) => {
                Some(request.id.clone())
            }
            _ => None,
        })
        .collect()
}

const BROWSED_CODE: &str = "OrderedCollection new";

/// Ctrl+B on `OrderedCollection`, answered as the real server answered it.
fn browsing_ordered_collection() -> Model {
    let mut model = after([connected_event()]).with_workspace(BROWSED_CODE);
    let ids = sent_ids(&stui::app::update(&mut model, Msg::Browse));
    browser_reply(&mut model, ids[0].clone(), "classes_all");
    browser_reply(&mut model, ids[1].clone(), "ordered_collection");
    model
}

fn browser_key(model: &mut Model, msg: stui::ui::browser::BrowserMsg) -> Vec<String> {
    sent_ids(&stui::app::update(model, Msg::Browser(msg)))
}

#[test]
fn screen_browser_on_a_class() {
    let model = browsing_ordered_collection();
    assert_screens(
        "browser_class",
        "Ctrl+B on OrderedCollection (the server's recorded replies, all 386 classes): \
         the browser replaces the transcript; four columns: its category \
         Collections-Sequenceable selected (bold), the category's classes with \
         OrderedCollection selected (reversed: the active column), its protocols from \
         -- all --, all its methods (none selected); below them its definition and \
         its comment (in quotes), highlighted; where the pane is short the rule says \
         how many lines more. Names too long for their column end in …",
        BROWSED_CODE,
        &model,
    );
}

/// Browsing OrderedCollection, Right twice, Down to removeFirst, its source answered.
fn browsing_remove_first() -> Model {
    use stui::ui::browser::BrowserMsg;
    let mut model = browsing_ordered_collection();
    browser_key(&mut model, BrowserMsg::Right);
    browser_key(&mut model, BrowserMsg::Right);
    let mut ids = vec![];
    while let Some(stui::ui::inspector::Tool::Browser(state)) = &model.tool {
        if state.method().is_some_and(|m| m.selector == "removeFirst") {
            break;
        }
        ids = browser_key(&mut model, BrowserMsg::Move(Scroll::Down));
    }
    browser_reply(&mut model, ids[0].clone(), "remove_first");
    model
}

#[test]
fn screen_browser_on_a_method() {
    let model = browsing_remove_first();
    assert_screens(
        "browser_method",
        "Right twice, then Down to removeFirst: the methods column has the selection \
         (kept in view), the protocol -- all -- bold; below it the method's real source, \
         highlighted, a ↓ mark on the rule saying how many lines more; the bottom border \
         says OrderedCollection>>removeFirst · removing.",
        BROWSED_CODE,
        &model,
    );
}

#[test]
fn screen_browser_asking_to_remove_a_method() {
    let mut model = browsing_remove_first();
    let msg = stui::ui::browser_remove::RemoveMsg::Ask;
    assert!(sent_ids(&stui::app::update(&mut model, Msg::BrowserRemove(msg))).is_empty());
    assert_screens(
        "browser_remove_method",
        "Delete on removeFirst: the last row of the source pane asks, in bold, \
         Remove the method OrderedCollection>>removeFirst? (y/n); nothing is sent yet.",
        BROWSED_CODE,
        &model,
    );
}

#[test]
fn screen_browser_moving_a_method_to_another_protocol() {
    use stui::ui::browser_protocol::ProtocolMsg;
    let mut model = browsing_remove_first();
    stui::app::update(&mut model, Msg::BrowserProtocol(ProtocolMsg::Open));
    for c in "enu".chars() {
        let key = ProtocolMsg::Key(stui::ui::PromptKey::Type(c));
        stui::app::update(&mut model, Msg::BrowserProtocol(key));
    }
    assert_screens(
        "browser_move_protocol",
        "Alt+P on removeFirst, then enu typed: the last row of the source pane reads, in \
         bold, Move OrderedCollection>>removeFirst to protocol: enu, then the other \
         protocols Tab completes to (cut at the pane's edge).",
        BROWSED_CODE,
        &model,
    );
}

#[test]
fn screen_browser_source_scrolled() {
    use stui::ui::browser::BrowserMsg;
    let mut model = browsing_remove_first();
    for _ in 0..4 {
        browser_key(&mut model, BrowserMsg::ScrollSource(Scroll::Down));
    }
    assert_screens(
        "browser_source_scrolled",
        "removeFirst's source scrolled down 4 lines: its first lines are gone, the rule \
         says ↑ 4 above (and ↓ how many more where the pane is shorter than the rest).",
        BROWSED_CODE,
        &model,
    );
}

#[test]
fn screen_browser_class_side() {
    use stui::ui::browser::BrowserMsg;
    let mut model = browsing_ordered_collection();
    browser_key(&mut model, BrowserMsg::ToggleSide);
    browser_key(&mut model, BrowserMsg::Right);
    browser_key(&mut model, BrowserMsg::Right);
    let ids = browser_key(&mut model, BrowserMsg::Move(Scroll::Down));
    browser_reply(&mut model, ids[0].clone(), "new_colon");
    assert_screens(
        "browser_class_side",
        "Alt+C on OrderedCollection, Right twice, Down: the title says OrderedCollection \
         class; the protocols are the class side's (-- all --, instance creation), the \
         methods new and new: (selected), below the real source of new:; the bottom \
         border says OrderedCollection class>>new: · instance creation.",
        BROWSED_CODE,
        &model,
    );
}

#[test]
fn screen_browser_hierarchy() {
    use stui::ui::browser::BrowserMsg;
    let mut model = browsing_ordered_collection();
    browser_key(&mut model, BrowserMsg::ToggleHierarchy);
    assert_screens(
        "browser_hierarchy",
        "Alt+H on OrderedCollection: the title says hierarchy; the classes column shows \
         Object, Iterable, Collection, SequenceableCollection above OrderedCollection \
         (selected), each indented one more, its subclasses below it indented further.",
        BROWSED_CODE,
        &model,
    );
}

fn browser_edit(model: &mut Model, msg: stui::ui::browser_edit::EditMsg) -> Vec<String> {
    sent_ids(&stui::app::update(model, Msg::BrowserEdit(msg)))
}

#[test]
fn screen_browser_editing_a_method() {
    use stui::ui::browser::BrowserMsg;
    let mut model = browsing_remove_first();
    stui::app::update(&mut model, Msg::Browser(BrowserMsg::Edit));
    let key = KeyEvent::new(Key::Char('x'), KeyModifiers::NONE);
    browser_edit(&mut model, stui::ui::browser_edit::EditMsg::Key(key));
    assert_screens(
        "browser_editing_method",
        "Enter on removeFirst, then x typed: the source pane is an editor on the method \
         (highlighted, the cursor after the x); the bottom border says Editing \
         OrderedCollection>>removeFirst · removing · modified and, where there is room \
         (not at 80 columns), which keys accept and cancel.",
        BROWSED_CODE,
        &model,
    );
}

/// Ctrl+Space in the focused editor of `model`, answered with the reply
/// the real server gave (tests/fixtures/completion/<fixture>.json).
fn complete_as_recorded(model: &mut Model, fixture: &str) {
    let ids = sent_ids(&stui::app::update(model, Msg::Complete));
    let path = common::repo_root().join(format!("tests/fixtures/completion/{fixture}.json"));
    let bytes = std::fs::read(&path).unwrap();
    let reply = stui::net::client::read_reply(&bytes).unwrap();
    let body = stui::protocol::RequestBody::Complete(stui::protocol::CompleteParams {
        code: String::new(),
        cursor: 0,
    });
    let result = stui::net::client::decode_answer(&body, reply).unwrap();
    let event = NetEvent::Reply {
        id: ids[0].clone(),
        result,
        round_trip_us: 300,
    };
    stui::app::update(model, Msg::Net(event));
}

#[test]
fn completion_popup_in_the_browsers_edit() {
    use stui::ui::browser::BrowserMsg;
    use stui::ui::browser_edit::EditMsg;
    let mut model = browsing_remove_first();
    stui::app::update(&mut model, Msg::Browser(BrowserMsg::Edit));
    // The cursor to the end of `\t| answer |`, a new line, `\tans`.
    for code in [
        Key::Down,
        Key::Down,
        Key::Down,
        Key::Down,
        Key::End,
        Key::Enter,
    ] {
        browser_edit(
            &mut model,
            EditMsg::Key(KeyEvent::new(code, KeyModifiers::NONE)),
        );
    }
    for c in "\tans".chars() {
        let code = if c == '\t' { Key::Tab } else { Key::Char(c) };
        browser_edit(
            &mut model,
            EditMsg::Key(KeyEvent::new(code, KeyModifiers::NONE)),
        );
    }
    // What the real server answered for this method's text.
    complete_as_recorded(&mut model, "ans_in_remove_first");
    assert_screens(
        "completion_browser_edit",
        "Enter on removeFirst, a new line under `| answer |`, Tab (indent) and ans, \
         then Ctrl+Space: under the word in the browser's source pane the method's \
         temporary answer (variable, though the server offers a selector of the \
         name) and the server's answer: (selector)",
        BROWSED_CODE,
        &model,
    );
}

#[test]
fn screen_browser_syntax_error_in_a_new_method() {
    use stui::ui::browser_edit::EditMsg;
    let mut model = browsing_ordered_collection();
    browser_edit(&mut model, EditMsg::NewMethod);
    browser_edit(&mut model, EditMsg::Command(EditCommand::SelectAll));
    let source = "sum\n\t\"The sum of the coordinates\"\n\n\t^ x + ";
    browser_edit(&mut model, EditMsg::Paste(source.into()));
    let ids = browser_edit(&mut model, EditMsg::Accept);
    // What the real server answered to this source.
    let path = common::repo_root().join("tests/fixtures/browser/sum_error.json");
    let reply: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let event = NetEvent::Reply {
        id: ids[0].clone(),
        result: Err(serde_json::from_value(reply["error"].clone()).unwrap()),
        round_trip_us: 300,
    };
    stui::app::update(&mut model, Msg::Net(event));
    assert_screens(
        "browser_syntax_error",
        "F7, a method with a syntax error typed over the template, Ctrl+S: the server's \
         error (line 4, column 8: Variable expected) stays in the pane below the text, \
         the code line and a caret under the place (at 80x24 the message only), the place \
         marked in the text and the cursor there; the text is as typed.",
        BROWSED_CODE,
        &model,
    );
}

#[test]
fn screen_browser_class_template() {
    let mut model = browsing_ordered_collection();
    browser_edit(&mut model, stui::ui::browser_edit::EditMsg::NewClass);
    assert_screens(
        "browser_class_template",
        "F8 on OrderedCollection: the source pane edits a class definition template \
         (OrderedCollection subclass: #NameOfSubclass … category: \
         'Collections-Sequenceable'), to be evaluated on accept.",
        BROWSED_CODE,
        &model,
    );
}

/// Ctrl+N on `printOn:`, answered with the senders the real server listed
/// (recorded in tests/fixtures/messages), Down pressed twice.
#[test]
fn screen_senders_of_print_on() {
    use stui::ui::messages::{MessagesKind, MessagesMsg};
    const CODE: &str = "printOn: aStream";
    let mut model = after([connected_event()]).with_workspace(CODE);
    let ids = sent_ids(&stui::app::update(
        &mut model,
        Msg::Messages(MessagesKind::Senders),
    ));
    let path = common::repo_root().join("tests/fixtures/messages/senders_print_on.json");
    let text = std::fs::read_to_string(path).expect("a recorded reply");
    let reply: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let event = NetEvent::Reply {
        id: ids[0].clone(),
        result: Ok(Answer::Senders(
            serde_json::from_value(reply["result"].clone()).unwrap(),
        )),
        round_trip_us: 300,
    };
    stui::app::update(&mut model, Msg::Net(event));
    for _ in 0..2 {
        let down = MessagesMsg::Move(Scroll::Down);
        stui::app::update(&mut model, Msg::MessageList(down));
    }
    assert_screens(
        "messages_senders",
        "Ctrl+N on printOn: (the real server's 34 senders): the list replaces the \
         transcript, titled 'Senders of #printOn: · 34', one Class>>selector row per \
         method (class-side ones as 'Class class>>selector'), the third selected; only \
         the rows that fit are drawn.",
        CODE,
        &model,
    );
}

/// Ctrl+B, Ctrl+N and Ctrl+M reach the tools from every pane, the
/// inspector's evaluate line too; the prompt they may open takes typing.
#[test]
fn browse_senders_and_implementors_keys_work_in_every_pane() {
    use stui::ui::PromptKey;
    use stui::ui::messages::MessagesKind;
    let mut tui = mounted_app("");
    let mut press = |id, event| tui.app.get_component_mut(&id).unwrap().on(&event);
    let senders = Some(Msg::Messages(MessagesKind::Senders));
    let implementors = Some(Msg::Messages(MessagesKind::Implementors));
    let alt = |c| Event::Keyboard(KeyEvent::new(Key::Char(c), KeyModifiers::ALT));
    for id in [
        Id::Workspace,
        Id::Transcript,
        Id::Inspector,
        Id::Browser,
        Id::MessageList,
        Id::InspectorPrompt,
    ] {
        assert_eq!(press(id, ctrl('b')), Some(Msg::Browse), "{id:?}");
        assert_eq!(press(id, ctrl('n')), senders, "{id:?}");
        assert_eq!(press(id, alt('n')), senders, "{id:?}");
        assert_eq!(press(id, alt('m')), implementors, "{id:?}");
    }
    assert_eq!(
        press(Id::ReachPrompt, key(Key::Char('n'))),
        Some(Msg::ReachPrompt(PromptKey::Type('n')))
    );
    assert_eq!(
        press(Id::ReachPrompt, key(Key::Enter)),
        Some(Msg::ReachPrompt(PromptKey::Accept))
    );
    assert_eq!(press(Id::ReachPrompt, ctrl('q')), Some(Msg::Quit));
}

/// Ctrl+N in the transcript: nothing there has a cursor, so a prompt asks,
/// offering the last selector of the newest entry's code.
#[test]
fn screen_senders_prompt_from_the_transcript() {
    use stui::ui::messages::MessagesKind;
    let mut model = after([connected_event()]);
    model
        .transcript
        .extend(evaluated("3 printString size", "1", "SmallInteger", 120));
    model.focus = Focus::Transcript;
    stui::app::update(&mut model, Msg::Messages(MessagesKind::Senders));
    assert_screens(
        "reach_senders_prompt",
        "Ctrl+N with the transcript focused: the status line is the prompt \
         'Senders of: size' (the last selector of the newest entry's code), a \
         block cursor after it and the keys' hint; the transcript still shows.",
        "",
        &model,
    );
}

/// A list of 2345 senders, the first 1000 answered, End pressed: the
/// title says how many are shown of how many while the rest is asked for.
#[test]
fn screen_a_long_senders_list_says_shown_of_total() {
    use stui::protocol::{MethodRef, MethodsResult};
    use stui::ui::messages::{MessagesKind, MessagesMsg};
    const CODE: &str = "size";
    let mut model = after([connected_event()]).with_workspace(CODE);
    let ids = sent_ids(&stui::app::update(
        &mut model,
        Msg::Messages(MessagesKind::Senders),
    ));
    let methods = (0..1000)
        .map(|n| MethodRef {
            class: format!("Class{n:04}"),
            selector: format!("method{n}"),
            meta: n % 7 == 0,
        })
        .collect();
    let event = NetEvent::Reply {
        id: ids[0].clone(),
        result: Ok(Answer::Senders(MethodsResult {
            methods,
            total: 2345,
        })),
        round_trip_us: 300,
    };
    stui::app::update(&mut model, Msg::Net(event));
    let more = sent_ids(&stui::app::update(
        &mut model,
        Msg::MessageList(MessagesMsg::Move(Scroll::Bottom)),
    ));
    assert_eq!(more.len(), 1, "the next ones are asked for");
    assert_screens(
        "messages_long_list",
        "Ctrl+N on size, 1000 of 2345 senders answered, End pressed: the title \
         is 'Senders of #size · 1000/2345, more coming' (the next are asked \
         for), the last rows (Class0999>>method999 \
         selected, at the bottom) are drawn, class-side ones as 'Class class>>…'.",
        CODE,
        &model,
    );
}

/// A reply the real server gave to the palette, recorded in tests/fixtures/palette.
fn palette_reply(model: &mut Model, id: String, name: &str) {
    let path = common::repo_root().join(format!("tests/fixtures/palette/{name}.json"));
    let text = std::fs::read_to_string(path).expect("a recorded reply");
    let reply: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let result = reply["result"].clone();
    let answer = match name {
        "classes" => Answer::ListClasses(serde_json::from_value(result).unwrap()),
        _ => Answer::Implementors(serde_json::from_value(result).unwrap()),
    };
    let event = NetEvent::Reply {
        id,
        result: Ok(answer),
        round_trip_us: 300,
    };
    stui::app::update(model, Msg::Net(event));
}

/// Ctrl+K, `new` typed and the pause over, answered with the real server's
/// classes and implementors of #new: every kind has rows. Down twice.
fn palette_on_new() -> Model {
    use stui::ui::WorkspaceMsg;
    use stui::ui::palette::{IMPLEMENTORS_DELAY, PaletteMsg};
    let mut model = after([connected_event()]);
    model.palette.commands = stui::ui::palette::commands(&Keymap::default());
    let snippets = [
        "Set new add: 3; yourself",
        "3 + 4",
        "OrderedCollection new\n    addFirst: 4;\n    yourself",
    ];
    model.history = History::new(snippets.map(String::from).to_vec());
    stui::app::update(&mut model, Msg::Workspaces(WorkspaceMsg::New));
    model.workspaces.tabs[1].name = "new ideas".into();
    let ids = sent_ids(&stui::app::update(
        &mut model,
        Msg::Palette(PaletteMsg::Open),
    ));
    palette_reply(&mut model, ids[0].clone(), "classes");
    for c in "new".chars() {
        stui::app::update(&mut model, Msg::Palette(PaletteMsg::Type(c)));
    }
    let now = std::time::Instant::now();
    stui::app::update(&mut model, Msg::Tick(now));
    let ids = sent_ids(&stui::app::update(
        &mut model,
        Msg::Tick(now + IMPLEMENTORS_DELAY),
    ));
    palette_reply(&mut model, ids[0].clone(), "implementors_new");
    for _ in 0..2 {
        stui::app::update(&mut model, Msg::Palette(PaletteMsg::Move(Scroll::Down)));
    }
    model
}

#[test]
fn screen_palette_with_every_kind() {
    assert_screens(
        "palette_new",
        "Ctrl+K, `new` typed (the real server's classes and implementors of #new): a \
         centred overlay, the query on top, then Classes, Implementors (five of 58, '… 53 \
         more (Tab)'), Workspaces ('new ideas'), History (the snippets with new, newest \
         first; the one of three lines on one row, '3 lines' on its right) and Commands (each with its key on the right), the matched letters \
         highlighted, the third row (Bag class>>new) selected; at 80x24 the rows that do not fit \
         are cut at the bottom.",
        "",
        &palette_on_new(),
    );
}

#[test]
fn palette_highlights_the_matched_letters_and_the_selected_row() {
    let model = palette_on_new();
    let buffer = drawn(&mut mounted_app(""), &model, 120, 40);
    let key_colour = Theme::default().help.key;
    let row_of = |text: &str| {
        let screen = buffer_to_string(&buffer);
        let (y, line) = (screen.lines().enumerate())
            .find(|(_, line)| line.contains(text))
            .expect(text);
        let x = line[..line.find(text).unwrap()].chars().count();
        (x as u16, y as u16)
    };
    // `New` of `New workspace (tab)` in the key colour, the rest not.
    let (x, y) = row_of("New workspace (tab)");
    let fg = |dx: u16| buffer[(x + dx, y)].fg;
    assert_eq!([fg(0), fg(1), fg(2)], [key_colour; 3]);
    assert_ne!(fg(4), key_colour);
    // The third row is selected: the key colour behind it.
    let selected = palette_selected_text(&model);
    let (x, y) = row_of(&selected);
    assert_eq!(buffer[(x, y)].bg, key_colour);
}

fn palette_selected_text(model: &Model) -> String {
    let palette = model.palette.open.as_ref().unwrap();
    palette.selected_row().unwrap().text.clone()
}

#[test]
fn palette_keys_reach_update_and_its_own_key_closes_it() {
    let mut tui = mounted_app("");
    tui.press(Id::Workspace, ctrl('k'));
    assert!(tui.model.borrow().palette.open.is_some());
    view::sync(&mut tui.app, &tui.model.borrow());
    assert_eq!(tui.app.focus(), Some(&Id::Palette));
    tui.type_into(Id::Palette, "help");
    let query = tui
        .model
        .borrow()
        .palette
        .open
        .as_ref()
        .unwrap()
        .query
        .clone();
    assert_eq!(query, "help");
    tui.press(Id::Palette, ctrl('k'));
    assert!(tui.model.borrow().palette.open.is_none());
}

#[test]
fn palette_scrolls_to_keep_the_selected_row_in_view() {
    use stui::ui::palette::PaletteMsg;
    let mut model = palette_on_new();
    stui::app::update(&mut model, Msg::Palette(PaletteMsg::Move(Scroll::Bottom)));
    let screen = screen_sized(&mut mounted_app(""), &model, 80, 24);
    assert_shows(&screen, &palette_selected_text(&model));
    assert_shows(&screen, "› new▏");
    // The first heading went up out of view.
    assert!(!screen.contains("│Classes"), "{screen}");
}

/// The `member` of a reply in tests/fixtures/debugger, each recorded from the
/// real server (`collect-*`: one per request of the contract's Debugging
/// section, on `#(3 4) collect: [:x | x / 0]`).
fn debugger_fixture<T: serde::de::DeserializeOwned>(name: &str, member: &str) -> T {
    let path = common::repo_root().join(format!("tests/fixtures/debugger/{name}.json"));
    let text = std::fs::read_to_string(path).expect("a fixture");
    let reply: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    serde_json::from_value(reply[member].clone()).expect("the type")
}

const DEBUGGED_CODE: &str = "#(3 4) collect: [:x | x / 0]";

fn reply_to(
    model: &mut Model,
    effects: &[stui::app::Effect],
    result: Answer,
) -> Vec<stui::app::Effect> {
    let event = NetEvent::Reply {
        id: sent_id(effects),
        result: Ok(result),
        round_trip_us: 300,
    };
    stui::app::update(model, Msg::Net(event))
}

/// Do it on `DEBUGGED_CODE` suspended (as the server answered), its stack
/// `stack` (a fixture) shown, and frame `frame`'s variables (the contract's).
fn debugging(stack: &str, frame: usize) -> Model {
    use stui::ui::debugger::DebuggerMsg;
    let mut model = after([connected_event()]).with_workspace(DEBUGGED_CODE);
    let sent = stui::app::update(&mut model, Msg::EvaluateSelection);
    let event = NetEvent::Reply {
        id: sent_id(&sent),
        result: Err(debugger_fixture("suspended", "error")),
        round_trip_us: 300,
    };
    let asked = stui::app::update(&mut model, Msg::Net(event));
    let mut asked = reply_to(
        &mut model,
        &asked,
        Answer::DebugStack(debugger_fixture(stack, "result")),
    );
    for _ in 0..frame {
        asked = stui::app::update(&mut model, Msg::Debugger(DebuggerMsg::Move(Scroll::Down)));
    }
    let variables = debugger_fixture("collect-debug_frame", "result");
    reply_to(&mut model, &asked, Answer::DebugFrame(variables));
    model
}

#[test]
fn debugger_title_too_long_for_its_border_ends_in_an_ellipsis() {
    use stui::ui::debugger::DebugSession;
    let mut model = debugging("collect-debug_stack", 0);
    let other = DebugSession::new("d3".into(), "nil foo".into(), "Halt".into());
    model.debuggers.add(other);
    model.debuggers.cycle(true);
    let screen = screen_sized(&mut mounted_app(""), &model, 80, 24);
    let title = screen
        .lines()
        .find(|line| line.contains("Debugger d2"))
        .expect("the debugger's title");
    assert!(
        title.ends_with("… ┐"),
        "cut short with an ellipsis: {title}"
    );
}

#[test]
fn screen_debugger_on_zero_divide() {
    assert_screens(
        "debugger_zero_divide",
        "Do it on `#(3 4) collect: [:x | x / 0]` with debug on_error: the debugger takes most \
         of the screen, its title says d2 and ZeroDivide with its message; the stack of the \
         real server's reply (innermost first, frame 0 Number>>zeroDivide selected), its \
         source highlighted with no mark (the server gives no start/stop yet), the receiver \
         and variables below (80 wide) or beside the source (120 wide); the transcript line \
         is hidden behind it; the status bar hints Into, Over, Through, Restart, Proceed, \
         Abandon.",
        DEBUGGED_CODE,
        &debugging("debug_stack", 0),
    );
}

#[test]
fn screen_debugger_marks_the_current_send_and_shows_the_evaluate_line() {
    use stui::ui::PromptKey;
    use stui::ui::debugger::DebuggerMsg;
    let mut model = debugging("collect-debug_stack", 1);
    stui::app::update(&mut model, Msg::Debugger(DebuggerMsg::Enter));
    let debug = |model: &mut Model, msg| stui::app::update(model, Msg::Debugger(msg));
    debug(&mut model, DebuggerMsg::OpenPrompt);
    for c in "arg + 4".chars() {
        debug(&mut model, DebuggerMsg::Prompt(PromptKey::Type(c)));
    }
    let asked = debug(&mut model, DebuggerMsg::Prompt(PromptKey::Accept));
    let value = debugger_fixture("collect-debug_evaluate", "result");
    let asked = reply_to(&mut model, &asked, Answer::DebugEvaluate(value));
    let variables = debugger_fixture("collect-debug_frame", "result");
    reply_to(&mut model, &asked, Answer::DebugFrame(variables));
    debug(&mut model, DebuggerMsg::OpenPrompt);
    for c in "self".chars() {
        debug(&mut model, DebuggerMsg::Prompt(PromptKey::Type(c)));
    }
    assert_screens(
        "debugger_current_send",
        "The contract's stack (with start/stop), frame 1 SmallInteger>>/ selected: its source \
         scrolled to the current send `self zeroDivide`, which has the current_send \
         background; Enter moved the arrows to the variables (self and arg); the evaluate \
         line `frame ▸ self` is open at the pane's foot and the border's foot shows the \
         answer of the last one, `arg + 4 → 4`.",
        DEBUGGED_CODE,
        &model,
    );
    // The mark is a background: the cells that have it spell the send.
    let current_send = Theme::default().syntax.current_send;
    for (width, height) in SIZES {
        let buffer = drawn(&mut mounted_app(DEBUGGED_CODE), &model, width, height);
        let marked: String = buffer
            .content()
            .iter()
            .filter(|cell| cell.bg == current_send)
            .map(|cell| cell.symbol())
            .collect();
        assert_eq!(marked, "self zeroDivide", "at {width}x{height}");
    }
}

#[test]
fn screen_debugger_edits_the_frames_method_in_place() {
    use stui::ui::debugger::DebuggerMsg;
    let mut model = debugging("collect-debug_stack", 1);
    stui::app::update(&mut model, Msg::Debugger(DebuggerMsg::Edit));
    assert_screens(
        "debugger_edit",
        "`e` on frame 1 SmallInteger>>/: the source pane is the browser's editor on the \
         method's source (highlighted, the cursor at its start), the rule above it says \
         `Editing SmallInteger>>/` and the keys that accept and cancel.",
        DEBUGGED_CODE,
        &model,
    );
}
