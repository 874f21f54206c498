//! `cargo bench`: the figures behind STUI's speed and memory targets, printed,
//! never asserted. Runs against the real GNU Smalltalk server, after the
//! TUI's own figures (`STUI_BENCH_UI_ONLY=1` stops after those):
//!
//! - drawing the whole screen with a 100,000-entry transcript (per frame)
//! - a keystroke in the workspace, handling plus redraw, in an empty and in
//!   a 10,000-line highlighted workspace
//! - a 10,000-line bracketed paste into the workspace, update plus redraw
//! - a keystroke while a `complete` request is outstanding, and with the
//!   completion popup open and filtering (a reply recorded from gst)
//! - the tools: from a `class` reply of 300 methods (1,000 classes listed)
//!   to the browser's first frame, from a 2,000-method `senders` reply to
//!   the list's first frame, and a keystroke scrolling in that list
//! - a keystroke in the palette: filtering ~3,000 classes, the commands and
//!   1,000 history entries, plus the frame
//!
//! and then:
//!
//! - round trip of `ping` and of `evaluate 3 + 4` on loopback (median, p99, max)
//! - the idle server's CPU use and memory (RSS), and its RSS before and after
//!   10,000 evaluations in a row
//! - with the default settings: how long the bridge takes to report a killed
//!   server Down, and to reconnect on its own once it is back

#[path = "../tests/common/mod.rs"]
mod common;

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::TestServer;
use stui::app::view::{self, App};
use stui::app::{Connection, Model, Msg, TranscriptEntry};
use stui::config::keymap::Keymap;
use stui::config::settings::Settings;
use stui::config::theme::Theme;
use stui::net::{BridgeCommand, Client, ClientOptions, NetEvent};
use stui::protocol::{
    EvaluateParams, EvaluateResult, InterruptParams, InterruptResult, RequestBody,
};
use stui::ui::SharedModel;
use stui::ui::editor::Editor;
use tuirealm::event::{Event, Key, KeyEvent, KeyModifiers};
use tuirealm::listener::EventListenerCfg;
use tuirealm::ratatui::Terminal;
use tuirealm::ratatui::backend::TestBackend;

fn main() {
    // `cargo test --benches` runs this too: keep that run short.
    let quick = !std::env::args().any(|arg| arg == "--bench");
    let scale = if quick { 10 } else { 1 };

    ui_figures(scale);
    if std::env::var_os("STUI_BENCH_UI_ONLY").is_some() {
        return;
    }

    let server = TestServer::start();
    let mut client = Client::new(
        &server.address,
        "bench",
        ClientOptions {
            request_timeout: Duration::from_secs(5),
            tries: 1,
            ..ClientOptions::default()
        },
    );
    report(
        "ping round trip",
        &sample(1000 / scale, || client.ping().unwrap().round_trip),
    );
    report(
        "evaluate '3 + 4' round trip",
        &sample(500 / scale, || {
            let timed = client.evaluate("3 + 4").unwrap();
            assert_eq!(timed.value.unwrap().print, "7");
            timed.round_trip
        }),
    );
    report(
        "ping round trip while another session runs [true] whileTrue (target: < 50 ms)",
        &ping_under_load(&server.address, &mut client, 300 / scale),
    );
    let idle = Duration::from_secs(if quick { 1 } else { 10 });
    let (cpu_percent, idle_rss) = idle_server_cpu(server.pid(), idle);
    println!(
        "idle server: {cpu_percent:.2}% of a core over {} s, RSS {} KiB (target: < 2%)",
        idle.as_secs(),
        idle_rss
    );

    let evaluations = 10_000 / scale;
    let rss_before = rss_kib(server.pid());
    let started = Instant::now();
    for n in 0..evaluations {
        // Distinct code each time: nothing can be cached.
        let value = client.evaluate(&format!("{n} + 1")).unwrap().value.unwrap();
        assert_eq!(value.print, (n + 1).to_string());
    }
    println!(
        "{evaluations} evaluations in a row: server RSS {} KiB before, {} KiB after ({:.1} s)",
        rss_before,
        rss_kib(server.pid()),
        started.elapsed().as_secs_f64()
    );

    drop(client);
    let (noticed, reconnected) = outage(server);
    println!(
        "default settings: a killed server is reported Down after {} ms (target: a few seconds); \
         back on the same address, reconnected {} ms after it answers again",
        noticed.as_millis(),
        reconnected.as_millis()
    );
}

/// Kills `server` under a connected bridge with the default settings and
/// starts it again: how long until Down, and from its restart until Connected.
fn outage(mut server: TestServer) -> (Duration, Duration) {
    let settings = Settings::defaults();
    let mut bridge_settings = stui::server::attached::bridge_settings(&settings, "bench-outage");
    bridge_settings.addresses = vec![server.address.clone()];
    bridge_settings.before_connect = None;
    let (bridge, inbox) = common::spawn_bridge_with(bridge_settings);
    bridge.send(BridgeCommand::Connect);
    let wait_for = |wanted: fn(&NetEvent) -> bool| loop {
        let event = common::next_event(&inbox);
        if wanted(&event) {
            break;
        }
    };
    wait_for(|event| matches!(event, NetEvent::Connected { .. }));
    let address = server.address.clone();
    let killed = Instant::now();
    server.kill();
    wait_for(|event| matches!(event, NetEvent::Down { .. }));
    let noticed = killed.elapsed();
    let restarted = TestServer::start_at(&address, &[]);
    let answering = Instant::now();
    wait_for(|event| matches!(event, NetEvent::Connected { .. }));
    let reconnected = answering.elapsed();
    drop(bridge);
    drop(restarted);
    (noticed, reconnected)
}

/// Pings while a runaway evaluation runs in another session, then interrupts it.
fn ping_under_load(address: &str, client: &mut Client, count: usize) -> Vec<Duration> {
    let options = ClientOptions {
        request_timeout: Duration::from_secs(5),
        tries: 1,
        ..ClientOptions::default()
    };
    let mut runaway = Client::new(address, "bench-runaway", options.clone());
    let looping = std::thread::spawn(move || {
        runaway.call::<EvaluateResult>(RequestBody::Evaluate(EvaluateParams {
            code: "[true] whileTrue".into(),
            timeout_ms: Some(60_000),
            print_limit: None,
            receiver: None,
            debug: None,
        }))
    });
    std::thread::sleep(Duration::from_millis(300));
    let samples = sample(count, || client.ping().unwrap().round_trip);
    let mut control = Client::new(address, "bench-runaway", options);
    let interrupted = control
        .call::<InterruptResult>(RequestBody::Interrupt(InterruptParams::default()))
        .unwrap()
        .value
        .unwrap();
    assert_eq!(interrupted.interrupted, 1);
    let answer = looping.join().unwrap().unwrap().value;
    assert!(answer.is_err(), "the loop answers interrupted");
    samples
}

fn sample(count: usize, mut measure: impl FnMut() -> Duration) -> Vec<Duration> {
    let mut samples: Vec<Duration> = (0..count.max(1)).map(|_| measure()).collect();
    samples.sort();
    samples
}

fn report(what: &str, sorted: &[Duration]) {
    let at = |q: f64| sorted[((sorted.len() - 1) as f64 * q).round() as usize];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{what}: median {:.3} ms, p99 {:.3} ms, max {:.3} ms ({} samples)",
        ms(at(0.5)),
        ms(at(0.99)),
        ms(at(1.0)),
        sorted.len()
    );
}

/// CPU share of `pid` over `window` (from /proc/PID/stat), and its RSS.
fn idle_server_cpu(pid: u32, window: Duration) -> (f64, u64) {
    let ticks = || -> u64 {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
        let after_name = stat.rsplit_once(')').unwrap().1;
        let fields: Vec<&str> = after_name.split_whitespace().collect();
        // utime and stime are fields 14 and 15 of stat, 12 and 13 after the name.
        fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
    };
    let ticks_per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    let before = ticks();
    std::thread::sleep(window);
    let used = (ticks() - before) as f64 / ticks_per_second;
    (used / window.as_secs_f64() * 100.0, rss_kib(pid))
}

/// The resident set size of `pid`, from /proc/PID/status.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kib| kib.parse().ok())
        .unwrap_or(0)
}

fn mounted_app(model: &SharedModel) -> App {
    let mut app = App::init(EventListenerCfg::default());
    view::mount(
        &mut app,
        model,
        Arc::new(Keymap::default()),
        &Theme::default(),
    )
    .expect("components mount");
    app
}

fn model_with_transcript(entries: usize) -> Model {
    let mut model = Model::new("tcp://127.0.0.1:5555", "bench");
    model.connection = Connection::Connected {
        info: common::gst_server_info(),
        round_trip_us: 500,
    };
    for n in 0..entries / 2 {
        model.transcript.push(TranscriptEntry::Input {
            code: format!("{n} + {n}"),
        });
        model.transcript.push(TranscriptEntry::Value {
            print: (2 * n).to_string(),
            class: "SmallInteger".into(),
            truncated: false,
            duration_us: 40,
            handle: None,
        });
    }
    model
}

/// The TUI's own costs, without a server: a frame with a long transcript,
/// a keystroke until its frame is drawn in an empty and in a 10,000-line
/// workspace, and a 10,000-line bracketed paste until its frame is drawn.
fn ui_figures(scale: usize) {
    let entries = 100_000 / scale;
    let model = Rc::new(RefCell::new(model_with_transcript(entries)));
    let mut app = mounted_app(&model);
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    view::sync(&mut app, &model.borrow());
    report(
        &format!("draw 120x40 screen, {entries} transcript entries"),
        &sample(200 / scale, || {
            let started = Instant::now();
            terminal
                .draw(|frame| view::draw(&mut app, &model, frame))
                .unwrap();
            started.elapsed()
        }),
    );
    for lines in [0, 10_000] {
        let model = Rc::new(RefCell::new(model_with_workspace(lines)));
        let typed = "x := x + 1. ".chars().map(Key::Char).chain([Key::Enter]);
        let samples = keystrokes(&model, 500 / scale, typed.cycle());
        report(
            &format!("keystroke to frame, {lines}-line highlighted workspace (cursor at the end)"),
            &samples,
        );
    }
    completion_figures(scale);
    tool_figures(scale);
    palette_figures(scale);
    let paste = workspace_text(10_000);
    report(
        "10,000-line bracketed paste into an empty workspace: update + frame",
        &sample(20 / scale, || {
            let model = Rc::new(RefCell::new(model_with_workspace(0)));
            let mut app = mounted_app(&model);
            let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
            let started = Instant::now();
            stui::app::update(&mut model.borrow_mut(), Msg::Paste(paste.clone()));
            view::sync(&mut app, &model.borrow());
            terminal
                .draw(|frame| view::draw(&mut app, &model, frame))
                .unwrap();
            started.elapsed()
        }),
    );
}

/// Typing in a 10,000-line workspace while completion waits for the server
/// (the editor must not), and while its popup filters a recorded reply.
fn completion_figures(scale: usize) {
    let model = Rc::new(RefCell::new(model_with_workspace(10_000)));
    let request = {
        let mut model = model.borrow_mut();
        model.view.editor.paste("\n3 print");
        match &stui::app::update(&mut model, Msg::Complete)[..] {
            [stui::app::Effect::Bridge(BridgeCommand::Send(request))] => request.clone(),
            other => panic!("one request: {other:?}"),
        }
    };
    // The reply never comes: letters and Backspace go on regardless.
    let keys = [Key::Char('S'), Key::Backspace].into_iter().cycle();
    report(
        "keystroke to frame, a complete request outstanding (10,000 lines)",
        &keystrokes(&model, 500 / scale, keys.clone()),
    );
    let path = common::repo_root().join("tests/fixtures/completion/print.json");
    let reply = stui::net::client::read_reply(&std::fs::read(path).unwrap()).unwrap();
    let result = stui::net::client::decode_answer(&request.body, reply).unwrap();
    let id = request.id.clone();
    let event = NetEvent::Reply {
        id,
        result,
        round_trip_us: 1,
    };
    stui::app::update(&mut model.borrow_mut(), Msg::Net(event));
    assert!(model.borrow().completion.popup.is_some());
    report(
        "keystroke to frame, completion popup filtering 36 candidates (10,000 lines)",
        &keystrokes(&model, 500 / scale, keys),
    );
}

/// Typing `OrdColl` and erasing it again in the palette over 3,000 classes
/// (gst's recorded 386, and variants of them), the keymap's commands and
/// 1,000 snippets: each keystroke filters every source again.
fn palette_figures(scale: usize) {
    use stui::ui::palette::PaletteMsg;
    let path = common::repo_root().join("tests/fixtures/palette/classes.json");
    let reply: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let real: Vec<String> = (reply["result"]["classes"].as_array().unwrap().iter())
        .map(|class| class["name"].as_str().unwrap().to_string())
        .collect();
    let mut classes: Vec<String> = (0..3_000)
        .map(|n| match n / real.len() {
            0 => real[n % real.len()].clone(),
            round => format!("{}Variant{round}", real[n % real.len()]),
        })
        .collect();
    classes.sort();
    let mut model = model_with_workspace(0);
    model.history = stui::ui::History::new(
        (0..1_000)
            .map(|n| format!("x{n} := OrderedCollection new add: {n}; yourself.\nx{n} printNl"))
            .collect(),
    );
    let model = Rc::new(RefCell::new(model));
    let mut app = mounted_app(&model);
    {
        let mut model = model.borrow_mut();
        stui::app::update(&mut model, Msg::Palette(PaletteMsg::Open));
        model.palette.classes = Some(classes);
    }
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    let typed = "OrdColl".chars().map(Key::Char);
    let mut keys = typed.chain(std::iter::repeat_n(Key::Backspace, 7)).cycle();
    let samples = sample(700 / scale, || {
        let key = Event::Keyboard(KeyEvent::new(keys.next().unwrap(), KeyModifiers::NONE));
        let started = Instant::now();
        let msg = app
            .get_component_mut(&view::Id::Palette)
            .and_then(|palette| palette.on(&key));
        stui::app::update(&mut model.borrow_mut(), msg.expect("a palette key"));
        view::sync(&mut app, &model.borrow());
        terminal
            .draw(|frame| view::draw(&mut app, &model, frame))
            .unwrap();
        started.elapsed()
    });
    report(
        "palette keystroke to frame: filter 3,000 classes, the commands and 1,000 snippets",
        &samples,
    );
}

/// `count` of `keys` typed into the workspace of `model`, each timed from
/// the key event until its frame is drawn.
fn keystrokes(model: &SharedModel, count: usize, keys: impl Iterator<Item = Key>) -> Vec<Duration> {
    keystrokes_in(view::Id::Workspace, model, count, keys)
}

/// `keystrokes` into component `id`.
fn keystrokes_in(
    id: view::Id,
    model: &SharedModel,
    count: usize,
    mut keys: impl Iterator<Item = Key>,
) -> Vec<Duration> {
    let mut app = mounted_app(model);
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    view::sync(&mut app, &model.borrow());
    terminal
        .draw(|frame| view::draw(&mut app, model, frame))
        .unwrap();
    sample(count, || {
        let key = Event::Keyboard(KeyEvent::new(keys.next().unwrap(), KeyModifiers::NONE));
        let started = Instant::now();
        let msg = app
            .get_component_mut(&id)
            .and_then(|component| component.on(&key));
        if let Some(msg) = msg {
            stui::app::update(&mut model.borrow_mut(), msg);
        }
        view::sync(&mut app, &model.borrow());
        terminal
            .draw(|frame| view::draw(&mut app, model, frame))
            .unwrap();
        started.elapsed()
    })
}

/// `lines` lines of Smalltalk with comments, strings, symbols and blocks.
fn workspace_text(lines: usize) -> String {
    (0..lines)
        .map(|n| {
            format!("x{n} := #(1 $a 'two') collect: [:each | each printString , {n}]. \"{n}\"")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A model whose workspace holds `lines` lines, the cursor at the end.
fn model_with_workspace(lines: usize) -> Model {
    let mut model = model_with_transcript(20);
    model.view.editor = Editor::new(&workspace_text(lines));
    model
        .view
        .editor
        .area
        .move_cursor(ratatui_textarea::CursorMove::Bottom);
    model
        .view
        .editor
        .area
        .move_cursor(ratatui_textarea::CursorMove::End);
    model
}

/// The requests `effects` send, in order.
fn requests(effects: &[stui::app::Effect]) -> Vec<stui::protocol::Request> {
    effects
        .iter()
        .filter_map(|effect| match effect {
            stui::app::Effect::Bridge(BridgeCommand::Send(request)) => Some(request.clone()),
            _ => None,
        })
        .collect()
}

fn answer(model: &SharedModel, id: &str, answer: stui::net::Answer) {
    let event = NetEvent::Reply {
        id: id.to_string(),
        result: Ok(answer),
        round_trip_us: 1,
    };
    stui::app::update(&mut model.borrow_mut(), Msg::Net(event));
}

/// Times `answer` to the request `ask` sends, with its update, until the
/// whole screen is drawn; `ask` (untimed) opens the tool anew each time,
/// and `shows` checks the frame drawn (untimed).
fn reply_to_frame(
    count: usize,
    mut ask: impl FnMut(&SharedModel) -> (String, stui::net::Answer),
    shows: &str,
) -> Vec<Duration> {
    let model = Rc::new(RefCell::new(model_with_workspace(0)));
    let mut app = mounted_app(&model);
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    sample(count, || {
        let (id, reply) = ask(&model);
        let started = Instant::now();
        answer(&model, &id, reply);
        view::sync(&mut app, &model.borrow());
        terminal
            .draw(|frame| view::draw(&mut app, &model, frame))
            .unwrap();
        let took = started.elapsed();
        let screen = tuirealm::testing::buffer_to_string(terminal.backend().buffer());
        assert!(screen.contains(shows), "{screen}");
        took
    })
}

/// The class browser and the message list, each from its reply to its
/// first frame, and a keystroke scrolling a 2,000-method list.
fn tool_figures(scale: usize) {
    use stui::net::Answer;
    use stui::protocol::{
        ClassMethods, ClassResult, ClassSummary, ListClassesResult, MethodRef, MethodSummary,
        MethodsResult,
    };
    use stui::ui::messages::MessagesKind;
    let classes = Answer::ListClasses(ListClassesResult {
        classes: (0..1000)
            .map(|n| ClassSummary {
                name: format!("Class{n:04}"),
                superclass: Some("Object".into()),
                category: None,
            })
            .collect(),
        total: 1000,
    });
    let described = Answer::Class(ClassResult {
        name: "Class0500".into(),
        superclass: Some("Object".into()),
        subclasses: vec![],
        category: None,
        comment: None,
        definition: "Object subclass: #Class0500".into(),
        instance_variables: vec![],
        class_variables: vec![],
        methods: ClassMethods {
            instance: (0..300)
                .map(|n| MethodSummary {
                    selector: format!("method{n:03}:with:"),
                    protocol: Some("accessing".into()),
                })
                .collect(),
            class: vec![],
        },
    });
    report(
        "class reply (300 methods, 1,000 classes listed) to the browser's first frame, 120x40",
        &reply_to_frame(
            200 / scale,
            |model| {
                model.borrow_mut().view.editor = Editor::new("Class0500");
                model.borrow_mut().focus = stui::app::Focus::Workspace;
                let sent = requests(&stui::app::update(&mut model.borrow_mut(), Msg::Browse));
                answer(model, &sent[0].id, classes.clone());
                (sent[1].id.clone(), described.clone())
            },
            "method000:with:",
        ),
    );
    let senders = Answer::Senders(MethodsResult {
        methods: (0..2000)
            .map(|n| MethodRef {
                class: format!("Class{n:04}"),
                selector: format!("method{n}"),
                meta: false,
            })
            .collect(),
        total: 2000,
    });
    let list = |model: &SharedModel| {
        model.borrow_mut().view.editor = Editor::new("size");
        model.borrow_mut().focus = stui::app::Focus::Workspace;
        let msg = Msg::Messages(MessagesKind::Senders);
        let sent = requests(&stui::app::update(&mut model.borrow_mut(), msg));
        (sent[0].id.clone(), senders.clone())
    };
    report(
        "senders reply (2,000 methods) to the message list's first frame, 120x40",
        &reply_to_frame(200 / scale, list, "Senders of #size · 2000"),
    );
    let model = Rc::new(RefCell::new(model_with_workspace(0)));
    let (id, reply) = list(&model);
    answer(&model, &id, reply);
    let scrolling = [Key::Down; 20].into_iter().chain([
        Key::PageDown,
        Key::End,
        Key::Up,
        Key::PageUp,
        Key::Home,
    ]);
    report(
        "keystroke to frame scrolling a 2,000-method senders list, 120x40",
        &keystrokes_in(
            view::Id::MessageList,
            &model,
            500 / scale,
            scrolling.cycle(),
        ),
    );
}
