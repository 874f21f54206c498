//! End to end: the real binary in tmux, starting the real GNU Smalltalk
//! server itself, driven with send-keys and read with capture-pane.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::security::{CurveServer, Keys, authorized_line};
use common::{TempDir, free_port};
use stui::server::ping_once;

/// One tmux server of our own (its own socket), killed on drop.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(command: &str, width: u16, height: u16) -> Self {
        let tmux = Self {
            socket: format!("stui-e2e-{}-{}", std::process::id(), uuid::Uuid::new_v4()),
        };
        let status = tmux
            .cmd()
            .args(["-f", "/dev/null", "new-session", "-d", "-s", "e2e"])
            .args(["-x", &width.to_string(), "-y", &height.to_string()])
            .arg(command)
            .status()
            .expect("tmux runs (scripts/install-deps.sh installs it)");
        assert!(status.success());
        tmux
    }

    fn cmd(&self) -> Command {
        let mut command = Command::new("tmux");
        command.args(["-L", &self.socket]);
        command
    }

    fn send_keys(&self, keys: &[&str]) {
        let status = self
            .cmd()
            .args(["send-keys", "-t", "e2e"])
            .args(keys)
            .status()
            .unwrap();
        assert!(status.success());
    }

    fn type_text(&self, text: &str) {
        let status = self
            .cmd()
            .args(["send-keys", "-t", "e2e", "-l", text])
            .status()
            .unwrap();
        assert!(status.success());
    }

    fn screen(&self) -> String {
        let output = self
            .cmd()
            .args(["capture-pane", "-p", "-t", "e2e"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// The pid of the process the pane's shell runs (stui).
    fn child_pid(&self) -> u32 {
        let output = self
            .cmd()
            .args(["list-panes", "-t", "e2e", "-F", "#{pane_pid}"])
            .output()
            .unwrap();
        let shell = String::from_utf8_lossy(&output.stdout).trim().to_string();
        let children = Command::new("pgrep").args(["-P", &shell]).output().unwrap();
        String::from_utf8_lossy(&children.stdout)
            .lines()
            .next()
            .and_then(|pid| pid.trim().parse().ok())
            .expect("the pane runs stui")
    }

    /// Pastes `text` the way a terminal without bracketed paste does: as
    /// typed keys (tmux `paste-buffer` without `-p`).
    fn paste_as_keys(&self, text: &str, scratch: &Path) {
        let file = scratch.join("paste.txt");
        std::fs::write(&file, text).unwrap();
        let loaded = self.cmd().arg("load-buffer").arg(&file).status().unwrap();
        assert!(loaded.success());
        let pasted = self.cmd().args(["paste-buffer", "-t", "e2e"]).status();
        assert!(pasted.unwrap().success());
    }

    fn alternate_screen_on(&self) -> bool {
        let output = self
            .cmd()
            .args(["display-message", "-p", "-t", "e2e", "#{alternate_on}"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&output.stdout).trim() == "1"
    }

    /// Waits until the screen satisfies `check`, or fails with the screen.
    fn wait_for(&self, what: &str, timeout: Duration, check: impl Fn(&str) -> bool) -> String {
        let started = Instant::now();
        loop {
            let screen = self.screen();
            if check(&screen) {
                return screen;
            }
            assert!(
                started.elapsed() < timeout,
                "timed out waiting for {what}; the screen shows:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Tmux {
    /// Waits until stui says it is connected to the GNU Smalltalk server
    /// (starting that server can take a while); answers the screen.
    fn wait_until_connected(&self) -> String {
        self.wait_for("stui connected", Duration::from_secs(60), |s| {
            s.contains("Connected") && s.contains("GNU Smalltalk")
        })
    }

    /// Types `code` and evaluates it with the default keymap's Do it.
    fn do_it(&self, code: &str) {
        self.type_text(code);
        self.send_keys(&["C-e"]);
    }

    /// Waits until tmux's paste buffer (where OSC 52 puts what a program
    /// copies, with `set-clipboard on`) holds `expected`.
    fn wait_for_clipboard(&self, expected: &str) {
        let started = Instant::now();
        loop {
            let buffer = self.cmd().arg("show-buffer").output().unwrap();
            if String::from_utf8_lossy(&buffer.stdout) == expected {
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "the copy did not reach tmux's buffer: {buffer:?}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn wait_until_disconnected(&self) {
        self.wait_for("stui disconnected", Duration::from_secs(20), |s| {
            s.contains("Disconnected")
        });
    }

    /// Ctrl+Q, then waits until stui has exited with status 0; answers
    /// the screen with what it said on the way out.
    fn quit(&self) -> String {
        self.send_keys(&["C-q"]);
        let screen = self.wait_for("stui to exit", Duration::from_secs(30), |s| {
            s.contains("STUI-EXIT=")
        });
        assert!(screen.contains("STUI-EXIT=0"), "{screen}");
        screen
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd().arg("kill-server").status();
    }
}

/// The screen's lines without the panes' borders.
fn pane_lines(screen: &str) -> impl Iterator<Item = &str> {
    screen.lines().map(|line| line.trim_matches(['│', ' ']))
}

/// Whether the transcript shows the result `value`, a SmallInteger.
fn shows_small_integer(screen: &str, value: &str) -> bool {
    pane_lines(screen)
        .any(|line| line.starts_with(&format!("{value} ")) && line.contains("SmallInteger"))
}

fn shell_quote(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', r"'\''"))
}

/// Starts the release binary in tmux with its own user directories in
/// `home`, the given config file text and address; answers the tmux and the
/// file that catches the binary's stderr.
fn launch(home: &TempDir, address: &str, config_text: &str) -> (Tmux, std::path::PathBuf) {
    launch_as("stui", home, address, config_text)
}

/// `launch` for one of several TUIs sharing `home`: `name` tells their
/// config and stderr files apart.
fn launch_as(
    name: &str,
    home: &TempDir,
    address: &str,
    config_text: &str,
) -> (Tmux, std::path::PathBuf) {
    let config = home.path().join(format!("{name}.toml"));
    std::fs::write(&config, config_text).unwrap();
    let stderr_file = home.path().join(format!("{name}-stderr.txt"));
    let command = format!(
        "env HOME={home} XDG_CONFIG_HOME={home}/config XDG_DATA_HOME={home}/data XDG_RUNTIME_DIR={home}/run \
         STUI_SERVER_ADDRESS={address} {binary} --config {config} 2>{stderr}; echo STUI-EXIT=$?; sleep 600",
        home = shell_quote(home.path()),
        binary = shell_quote(Path::new(env!("CARGO_BIN_EXE_stui"))),
        config = shell_quote(&config),
        stderr = shell_quote(&stderr_file),
    );
    (Tmux::start(&command, 100, 30), stderr_file)
}

/// A loopback address nobody listens on yet, for a server of the test's own.
fn new_address() -> String {
    format!("tcp://127.0.0.1:{}", free_port())
}

/// Config text that keeps stui from connecting at start.
const OFFLINE: &str = "[server]\nconnect_on_start = false\n";

/// `launch` in a new home (named after `label`) for a server at a new
/// address, once stui is connected: answers the home, address and tmux.
fn launch_connected(label: &str, config_text: &str) -> (TempDir, String, Tmux) {
    let home = TempDir::new(label);
    let address = new_address();
    let (tmux, _) = launch(&home, &address, config_text);
    tmux.wait_until_connected();
    (home, address, tmux)
}

/// `launch` with `OFFLINE`, once stui shows it is disconnected.
fn launch_disconnected(home: &TempDir, address: &str) -> (Tmux, std::path::PathBuf) {
    let (tmux, stderr_file) = launch(home, address, OFFLINE);
    tmux.wait_until_disconnected();
    (tmux, stderr_file)
}

/// Closes the terminal (stui gets SIGHUP) and waits until the server stui
/// started at `address` has stopped.
fn hang_up(tmux: Tmux, address: &str) {
    drop(tmux);
    wait_until_stopped(address);
}

/// Waits until nothing answers at `address` any more.
fn wait_until_stopped(address: &str) {
    let started = Instant::now();
    while ping_once(address, Duration::from_millis(200)).is_some() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the server at {address} was not stopped"
        );
    }
}

#[test]
fn f2_connects_ctrl_e_evaluates_and_ctrl_q_restores_the_terminal() {
    let home = TempDir::new("e2e");
    let address = new_address();
    // Start disconnected so F2 does the connecting (and starts the server).
    let (tmux, stderr_file) = launch_disconnected(&home, &address);
    assert!(
        tmux.alternate_screen_on(),
        "the TUI uses the alternate screen"
    );

    tmux.send_keys(&["F2"]);
    tmux.wait_until_connected();
    assert!(
        ping_once(&address, Duration::from_secs(2)).is_some(),
        "STUI started the bundled server at {address}"
    );

    tmux.do_it("3 + 4");
    let screen = tmux.wait_for("the value 7", Duration::from_secs(20), |s| {
        shows_small_integer(s, "7")
    });
    assert!(
        screen.contains("> 3 + 4"),
        "the transcript shows the code:\n{screen}"
    );

    // Variables persist; errors are readable and do not end the session.
    tmux.send_keys(&["Enter"]);
    tmux.type_text("x := 6 * 7.");
    tmux.send_keys(&["C-e", "Enter"]);
    tmux.do_it("x");
    tmux.wait_for("x answering 42", Duration::from_secs(20), |s| {
        // Once for the assignment's value, once for `x` alone.
        pane_lines(s).filter(|line| line.starts_with("42 ")).count() == 2
    });
    tmux.send_keys(&["Enter"]);
    tmux.do_it("1/0");
    tmux.wait_for("the ZeroDivide error", Duration::from_secs(20), |s| {
        s.contains("ZeroDivide")
    });
    // It suspended in the debugger (ui.debug_on_error): Abandon ends it.
    tmux.send_keys(&["a"]);
    tmux.wait_for("the debugger to close", Duration::from_secs(10), |s| {
        !s.contains("Debugger d1")
    });

    // A runaway evaluation keeps the UI alive and Ctrl+G stops it.
    tmux.send_keys(&["Enter"]);
    tmux.do_it("[true] whileTrue");
    tmux.wait_for("the evaluation to run", Duration::from_secs(10), |s| {
        s.contains("evaluating")
    });
    tmux.send_keys(&["C-g"]);
    tmux.wait_for("the interrupted reply", Duration::from_secs(20), |s| {
        s.contains("interrupted") && !s.contains("evaluating")
    });

    tmux.send_keys(&["F1"]);
    tmux.wait_for("the help overlay", Duration::from_secs(10), |s| {
        s.contains(" Keys ") && s.contains("Ctrl+E")
    });
    tmux.send_keys(&["Escape"]);
    tmux.wait_for("the help to close", Duration::from_secs(10), |s| {
        !s.contains(" Keys ")
    });

    tmux.quit();
    assert!(
        !tmux.alternate_screen_on(),
        "the terminal left the alternate screen"
    );
    let stderr = std::fs::read_to_string(&stderr_file).unwrap_or_default();
    assert_eq!(stderr, "", "nothing was written to stderr");

    // The server STUI started is stopped on exit.
    wait_until_stopped(&address);
    // The workspace text survives for the next start.
    let saved = std::fs::read_to_string(home.path().join("data/stui/workspaces/1.st")).unwrap();
    assert!(saved.contains("x := 6 * 7."), "{saved}");
}

#[test]
fn closing_the_terminal_stops_the_server_and_keeps_the_workspace() {
    // The default: connect (and start the server) at once.
    let home = TempDir::new("e2e-hup");
    let address = new_address();
    let (tmux, stderr) = launch(&home, &address, "");
    tmux.wait_until_connected();
    tmux.type_text("Transcript showCr: 'unsaved work'");
    tmux.wait_for("the typed text", Duration::from_secs(10), |s| {
        s.contains("unsaved work")
    });
    // Killing the tmux server hangs up the terminal: stui gets SIGHUP.
    let stui = tmux.child_pid();
    hang_up(tmux, &address);
    let started = Instant::now();
    let saved = loop {
        let text = std::fs::read_to_string(home.path().join("data/stui/workspaces/1.st"));
        match text {
            Ok(text) if text.contains("unsaved work") => break text,
            _ => assert!(
                started.elapsed() < Duration::from_secs(10),
                "the workspace was not saved on hang-up"
            ),
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(saved.starts_with("Transcript showCr:"), "{saved}");
    // It ends quietly: what it would say on leaving has no terminal to go to.
    let started = Instant::now();
    while Path::new(&format!("/proc/{stui}")).exists() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "stui still runs"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let errors = std::fs::read_to_string(&stderr).unwrap();
    assert!(!errors.contains("panicked"), "{errors}");
}

#[test]
fn print_it_puts_the_value_after_the_code_and_backspace_takes_it_away() {
    let (_home, address, tmux) = launch_connected("e2e-print", "");
    tmux.type_text("3 + 4");
    tmux.send_keys(&["C-p"]);
    tmux.wait_for("the printed 7", Duration::from_secs(20), |s| {
        pane_lines(s).any(|line| line.starts_with("3 + 4 \"7\""))
    });
    tmux.send_keys(&["BSpace"]);
    tmux.wait_for("the 7 removed", Duration::from_secs(10), |s| {
        pane_lines(s).any(|line| line.trim_end() == "3 + 4")
    });
    hang_up(tmux, &address);
}

#[test]
fn the_tui_shows_output_from_elsewhere_and_comes_back_after_its_server_is_killed() {
    let home = TempDir::new("e2e-reconnect");
    let port = free_port();
    let address = format!("tcp://127.0.0.1:{port}");
    let (tmux, _) = launch(
        &home,
        &address,
        "[server]\nheartbeat_ms = 500\nrequest_timeout_ms = 1000\ntries = 2\n\
         transcript_poll_ms = 200\nreconnect_ms = 300\nreconnect_max_ms = 1000\n",
    );
    tmux.wait_until_connected();

    // Another client writes to the image's Transcript: the TUI shows it.
    let status = Command::new(env!("CARGO_BIN_EXE_stui"))
        .env("XDG_DATA_HOME", home.path().join("cli-data"))
        .env("XDG_RUNTIME_DIR", home.path().join("cli-run"))
        .env("XDG_CONFIG_HOME", home.path().join("cli-config"))
        .args(["--address", &address, "eval"])
        .arg("Transcript showCr: 'hello from elsewhere'")
        .status()
        .unwrap();
    assert!(status.success());
    tmux.wait_for("the other client's output", Duration::from_secs(20), |s| {
        s.contains("hello from elsewhere")
    });

    // The server dies: the TUI says so, starts it again and reconnects alone.
    let pid_file = home.path().join(format!("run/stui/server-{port}.pid"));
    let pid = std::fs::read_to_string(&pid_file).expect("the started server's pid file");
    let killed = Command::new("kill")
        .args(["-9", pid.trim()])
        .status()
        .unwrap();
    assert!(killed.success());
    let screen = tmux.wait_for("the reconnection", Duration::from_secs(60), |s| {
        s.contains("new server process") && s.contains("Connected ·")
    });
    assert!(screen.contains("Server down"), "{screen}");
    assert!(screen.contains("Reconnected to"), "{screen}");
    tmux.do_it("3 + 4");
    tmux.wait_for(
        "the value 7 after reconnecting",
        Duration::from_secs(20),
        |s| shows_small_integer(s, "7"),
    );
    tmux.quit();
    wait_until_stopped(&address);
}

/// The `stui` CLI with the same user directories as the TUIs in `home`;
/// asserts it succeeded.
fn cli(home: &TempDir, address: &str, args: &[&str]) -> std::process::Output {
    let output = common::stui_in(home.path(), address, args);
    assert!(output.status.success(), "{args:?}: {output:?}");
    output
}

#[test]
fn two_tuis_share_the_server_and_the_last_to_quit_saves_and_stops_it() {
    let home = TempDir::new("e2e-shared");
    let address = new_address();
    let (first, _) = launch_as("first", &home, &address, "");
    first.wait_until_connected();
    let (second, _) = launch_as("second", &home, &address, "");
    second.wait_until_connected();
    second.do_it("x := 6 * 7.");
    second.wait_for("x assigned", Duration::from_secs(20), |s| {
        shows_small_integer(s, "42")
    });

    // The first quits: the server stays up for the second, and it says so.
    let said = first.quit();
    assert!(
        said.contains("running: 1 other session(s) use it"),
        "{said}"
    );
    second.send_keys(&["Enter"]);
    second.do_it("x + 1");
    second.wait_for("x still 42", Duration::from_secs(20), |s| {
        shows_small_integer(s, "43")
    });
    // Ctrl+S saves the image whenever the user likes.
    second.send_keys(&["C-s"]);
    second.wait_for("the save", Duration::from_secs(20), |s| {
        s.contains("Saved the image \"default\"")
    });

    // The last quits: the image is saved and the server stopped.
    let said = second.quit();
    assert!(said.contains("saved the image"), "{said}");
    wait_until_stopped(&address);
    assert!(home.path().join("data/stui/images/default.im").is_file());
}

#[test]
fn after_a_crash_the_tui_offers_to_replay_the_lost_changes() {
    let (home, address, tmux) = launch_connected(
        "e2e-replay",
        "[server]\nheartbeat_ms = 500\nreconnect_ms = 300\n",
    );
    cli(&home, &address, &["server", "save"]);
    cli(
        &home,
        &address,
        &[
            "eval",
            "Object subclass: #Lost instanceVariableNames: '' classVariableNames: '' package: 'Test'. Lost compile: 'answer ^42'",
        ],
    );
    // The server process dies; its supervisor starts the saved image again.
    let status = cli(&home, &address, &["server", "status", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    let pid = json["server_pid"].as_i64().expect("the server's pid") as i32;
    unsafe { libc::kill(pid, libc::SIGKILL) };
    tmux.wait_for("the offer to replay", Duration::from_secs(60), |s| {
        s.contains("2 change(s)") && s.contains("replay_changes")
    });
    tmux.send_keys(&["F5"]);
    tmux.wait_for("the replay", Duration::from_secs(30), |s| {
        s.contains("Replayed 2 change(s)")
    });
    tmux.do_it("Lost new answer");
    tmux.wait_for(
        "the replayed method's answer",
        Duration::from_secs(20),
        |s| shows_small_integer(s, "42"),
    );
    tmux.quit();
    wait_until_stopped(&address);
}

#[test]
fn a_quick_evaluation_answers_beside_a_slow_one_and_ctrl_g_asks_which_to_stop() {
    let (_home, address, tmux) = launch_connected("e2e-concurrent", "");

    // One statement (Do it takes the statement at the cursor).
    let slow = "[(Delay forSeconds: 6) wait. 111] value";
    tmux.type_text(slow);
    tmux.send_keys(&["C-e", "Enter"]);
    tmux.type_text("6 * 7");
    let asked = Instant::now();
    tmux.send_keys(&["C-e"]);
    let screen = tmux.wait_for("42 beside the slow one", Duration::from_secs(5), |s| {
        shows_small_integer(s, "42")
    });
    assert!(
        asked.elapsed() < Duration::from_secs(4),
        "42 did not wait for the slow evaluation: {:?}",
        asked.elapsed()
    );
    assert!(
        !pane_lines(&screen).any(|line| line.starts_with("111 ")),
        "{screen}"
    );
    let screen = tmux.wait_for("111 after six seconds", Duration::from_secs(20), |s| {
        shows_small_integer(s, "111")
    });
    // Output came between: the slow result stands under its code again.
    let lines: Vec<&str> = pane_lines(&screen).collect();
    let at = lines
        .iter()
        .position(|line| line.starts_with("111 "))
        .unwrap();
    assert!(
        lines[at - 1].contains(&format!("> {slow}")),
        "the result is paired with its code:\n{screen}"
    );

    // Two runaways: the status bar counts them, Ctrl+G asks which to stop.
    for _ in 0..2 {
        tmux.send_keys(&["Enter"]);
        tmux.do_it("[true] whileTrue");
    }
    tmux.wait_for("2 running", Duration::from_secs(10), |s| {
        s.contains("2 running")
    });
    tmux.send_keys(&["C-g"]);
    tmux.wait_for("the question", Duration::from_secs(10), |s| {
        s.contains("Interrupt: a = all")
    });
    tmux.send_keys(&["1"]);
    tmux.wait_for(
        "one interrupted, one running",
        Duration::from_secs(20),
        |s| s.contains("interrupted") && s.contains("evaluating") && !s.contains("2 running"),
    );
    tmux.send_keys(&["C-g"]);
    tmux.wait_for("none running", Duration::from_secs(20), |s| {
        !s.contains("evaluating") && !s.contains("running")
    });
    tmux.quit();
    wait_until_stopped(&address);
}

#[test]
fn sigterm_during_a_runaway_evaluation_quits_within_a_second_and_keeps_the_text() {
    let (home, address, tmux) = launch_connected("e2e-term", "");
    tmux.do_it("[true] whileTrue");
    tmux.wait_for("the evaluation to run", Duration::from_secs(10), |s| {
        s.contains("evaluating")
    });
    let pid = tmux.child_pid();
    let asked = Instant::now();
    unsafe { libc::kill(pid as i32, libc::SIGTERM) };
    let screen = tmux.wait_for("stui to exit", Duration::from_secs(10), |s| {
        s.contains("STUI-EXIT=")
    });
    assert!(
        asked.elapsed() < Duration::from_millis(1500),
        "quit after {:?}",
        asked.elapsed()
    );
    assert!(screen.contains("STUI-EXIT=0"), "{screen}");
    let saved = std::fs::read_to_string(home.path().join("data/stui/workspaces/1.st")).unwrap();
    assert!(saved.contains("[true] whileTrue"), "{saved}");
    // The server it started, busy with the runaway, is stopped too.
    wait_until_stopped(&address);
}

#[test]
fn a_second_workspace_and_its_text_come_back_after_a_restart() {
    let home = TempDir::new("e2e-tabs");
    let address = new_address();
    let (tmux, _) = launch_disconnected(&home, &address);
    tmux.type_text("1 + 1");
    tmux.send_keys(&["C-t"]);
    tmux.wait_for("a second workspace", Duration::from_secs(10), |s| {
        s.contains("┌ 1 │ 2 ─") && s.contains("workspace 2 ·") && !s.contains("1 + 1")
    });
    tmux.type_text("2 + 2");
    tmux.wait_for("the typed text", Duration::from_secs(10), |s| {
        s.contains("2 + 2")
    });
    tmux.quit();
    drop(tmux);

    let (tmux, stderr_file) = launch(&home, &address, OFFLINE);
    tmux.wait_for(
        "both workspaces, the second active",
        Duration::from_secs(20),
        |s| s.contains("┌ 1 │ 2 ─") && s.contains("workspace 2 ·") && s.contains("2 + 2"),
    );
    tmux.send_keys(&["C-PPage"]);
    tmux.wait_for("the first workspace's text", Duration::from_secs(10), |s| {
        s.contains("1 + 1") && s.contains("workspace 1 ·")
    });
    // Alt+2 goes straight to the second.
    tmux.send_keys(&["M-2"]);
    tmux.wait_for(
        "the second workspace's text",
        Duration::from_secs(10),
        |s| s.contains("2 + 2") && s.contains("workspace 2 ·"),
    );
    tmux.quit();
    let stderr = std::fs::read_to_string(&stderr_file).unwrap_or_default();
    assert_eq!(stderr, "", "nothing was written to stderr");
}

#[test]
fn two_tuis_on_one_data_directory_both_keep_their_text() {
    let home = TempDir::new("e2e-lock");
    let address = new_address();
    let (first, _) = launch_as("first", &home, &address, OFFLINE);
    first.wait_until_disconnected();
    first.type_text("2 + 2");
    let (second, _) = launch_as("second", &home, &address, OFFLINE);
    second.wait_for(
        "the second TUI to say it keeps apart",
        Duration::from_secs(20),
        |s| s.contains("Another STUI (pid"),
    );
    second.type_text("3 + 3");
    second.wait_for("the typed text", Duration::from_secs(10), |s| {
        s.contains("3 + 3")
    });
    // The first quits last: before, the last to save won.
    second.quit();
    first.quit();
    drop((first, second));

    let (tmux, _) = launch(&home, &address, OFFLINE);
    let screen = tmux.wait_for("both texts back", Duration::from_secs(20), |s| {
        s.contains("2 + 2") && s.contains("workspace 1 ·")
    });
    assert!(
        screen.contains("│ 1-pid"),
        "the second's workspace is a tab:\n{screen}"
    );
    tmux.send_keys(&["C-PPage"]);
    tmux.wait_for("the second's text", Duration::from_secs(10), |s| {
        s.contains("3 + 3")
    });
    tmux.quit();
}

#[test]
fn text_typed_a_second_before_a_kill_9_is_on_disk() {
    let home = TempDir::new("e2e-autosave");
    let address = new_address();
    let (tmux, _) = launch_disconnected(&home, &address);
    tmux.type_text("x := 'typed, never evaluated'.");
    tmux.wait_for("the typed text", Duration::from_secs(10), |s| {
        s.contains("never evaluated")
    });
    let file = home.path().join("data/stui/workspaces/1.st");
    let started = Instant::now();
    while !std::fs::read_to_string(&file).is_ok_and(|text| text.contains("never evaluated")) {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "not saved after typing stopped"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    unsafe { libc::kill(tmux.child_pid() as i32, libc::SIGKILL) };
    tmux.wait_for("stui killed", Duration::from_secs(10), |s| {
        s.contains("STUI-EXIT=")
    });
    let saved = std::fs::read_to_string(&file).unwrap();
    assert_eq!(saved, "x := 'typed, never evaluated'.");
}

#[test]
fn tab_indents_the_selected_lines_and_copy_reaches_the_terminal_clipboard() {
    let home = TempDir::new("e2e-indent");
    let address = new_address();
    let (tmux, _) = launch(&home, &address, OFFLINE);
    // tmux takes OSC 52 from the programs in it into its paste buffer.
    let status = tmux
        .cmd()
        .args(["set", "-g", "set-clipboard", "on"])
        .status();
    assert!(status.unwrap().success());
    tmux.wait_until_disconnected();
    tmux.type_text("x := 1.");
    tmux.send_keys(&["Enter"]);
    tmux.type_text("y := 2.");
    tmux.send_keys(&["S-Up", "S-Home", "Tab"]);
    let indented = |s: &str| s.contains("│    x := 1.") && s.contains("│    y := 2.");
    tmux.wait_for("both lines indented", Duration::from_secs(10), indented);
    tmux.send_keys(&["C-c"]);
    tmux.wait_for_clipboard("    x := 1.\n    y := 2.");
    tmux.send_keys(&["BTab"]);
    tmux.wait_for("both lines dedented", Duration::from_secs(10), |s| {
        s.contains("│x := 1.") && s.contains("│y := 2.")
    });
    tmux.send_keys(&["C-z"]);
    tmux.wait_for("the dedent undone", Duration::from_secs(10), indented);
    // `c` in the transcript copies its newest entry, without the borders.
    tmux.send_keys(&["C-e"]);
    let notice = "Not connected: press F2 to connect, then evaluate again.";
    tmux.wait_for("the notice", Duration::from_secs(10), |s| {
        s.contains(notice)
    });
    tmux.send_keys(&["F6", "c"]);
    tmux.wait_for_clipboard(notice);
    tmux.quit();
}

#[test]
fn a_syntax_error_puts_the_cursor_at_its_place_and_a_read_only_variable_warns() {
    // Without the debugger: `a + b` fails (nil + nil) below its warnings.
    let (_home, address, tmux) = launch_connected("e2e-caret", "[ui]\ndebug_on_error = false\n");
    tmux.type_text("3 + ) 4");
    tmux.send_keys(&["Home", "C-e"]);
    tmux.wait_for("the caret under the )", Duration::from_secs(20), |s| {
        let lines: Vec<&str> = s.lines().collect();
        lines
            .windows(2)
            .any(|pair| pair[0].starts_with("│    3 + ) 4") && pair[1].starts_with("│        ^ "))
    });
    // The cursor went from the line's start to the error: typing lands there.
    tmux.type_text("X");
    tmux.wait_for("X typed at the error", Duration::from_secs(10), |s| {
        pane_lines(s).any(|line| line == "3 + X) 4")
    });
    tmux.send_keys(&["C-a"]);
    tmux.do_it("a + b");
    let screen = tmux.wait_for("the warning", Duration::from_secs(20), |s| {
        s.contains("Warning: undeclared variable a (it is nil)")
    });
    assert!(
        screen.contains("Warning: undeclared variable b (it is nil)"),
        "{screen}"
    );
    hang_up(tmux, &address);
}

/// Deletes `count` characters before the cursor.
fn erase(tmux: &Tmux, count: usize) {
    let keys = vec!["BSpace"; count];
    tmux.send_keys(&keys);
}

const EMPTY_WORKSPACE: &str = "Type Smalltalk here";

#[test]
fn ctrl_r_finds_an_earlier_snippet_and_enter_puts_it_back() {
    let (_home, address, tmux) = launch_connected("e2e-history", "");
    for (code, value) in [("3 + 4", "7 "), ("10 factorial", "3628800 ")] {
        tmux.do_it(code);
        tmux.wait_for(value, Duration::from_secs(20), |s| {
            pane_lines(s).any(|line| line.starts_with(value) && line.contains("Integer"))
        });
        erase(&tmux, code.len());
        tmux.wait_for("an empty workspace", Duration::from_secs(10), |s| {
            s.contains(EMPTY_WORKSPACE)
        });
    }
    // At once after Ctrl+R, as a fast typist would: the keys go to its prompt.
    tmux.send_keys(&["C-r", "3", "Space", "+"]);
    tmux.wait_for("the match in the prompt", Duration::from_secs(10), |s| {
        s.contains("History search '3 +': 3 + 4")
    });
    tmux.send_keys(&["Enter"]);
    tmux.wait_for(
        "the snippet in the workspace",
        Duration::from_secs(10),
        |s| !s.contains(EMPTY_WORKSPACE) && pane_lines(s).any(|line| line == "3 + 4"),
    );
    hang_up(tmux, &address);
}

#[test]
fn the_pharo_preset_evaluates_with_ctrl_d() {
    let (_home, address, tmux) = launch_connected("e2e-pharo", "[ui]\nkeymap = \"pharo\"\n");
    let screen = tmux.screen();
    assert!(!screen.contains("config problem"), "{screen}");
    tmux.type_text("6 * 7");
    tmux.send_keys(&["C-d"]);
    tmux.wait_for("the value 42", Duration::from_secs(20), |s| {
        shows_small_integer(s, "42")
    });
    hang_up(tmux, &address);
}

#[test]
fn m_saves_a_value_the_server_cut_whole_to_a_file() {
    let (home, address, tmux) = launch_connected("e2e-whole", "");
    tmux.do_it("String new: 250000 withAll: $a");
    tmux.wait_for("the cut value", Duration::from_secs(20), |s| {
        s.contains("cut: m saves it")
    });
    tmux.send_keys(&["F6", "m"]);
    let screen = tmux.wait_for("where it was saved", Duration::from_secs(20), |s| {
        s.contains("Saved the whole String")
    });
    let data = home.path().join("data/stui");
    let saved: Vec<_> = std::fs::read_dir(&data)
        .unwrap()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| {
            path.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("value-")
        })
        .collect();
    let [file] = &saved[..] else {
        panic!("one value file in {}: {saved:?}\n{screen}", data.display());
    };
    // The print: the string in quotes, whole.
    let text = std::fs::read_to_string(file).unwrap();
    assert_eq!(text.len(), 250_002, "{}", &text[..40]);
    hang_up(tmux, &address);
}

#[test]
fn a_paste_without_bracketed_paste_arrives_whole_and_is_not_left_waiting() {
    let home = TempDir::new("e2e-paste");
    let address = new_address();
    let (tmux, _) = launch_disconnected(&home, &address);
    let text: Vec<String> = (1..=2000)
        .map(|n| format!("x{n} := {n} + 1. \"line {n}\""))
        .collect();
    tmux.paste_as_keys(&text.join("\n"), home.path());
    // Every key is read even though no other key follows the paste.
    tmux.wait_for("the last pasted line", Duration::from_secs(60), |s| {
        s.contains("\"line 2000\"")
    });
    tmux.quit();
    let saved = std::fs::read_to_string(home.path().join("data/stui/workspaces/1.st")).unwrap();
    assert_eq!(saved.lines().count(), 2000);
    assert_eq!(
        saved,
        text.join("\n"),
        "every line, in order, nothing doubled"
    );
}

#[test]
fn keys_right_after_a_focus_change_go_to_the_pane_focused() {
    let home = TempDir::new("e2e-focus");
    let address = new_address();
    let (tmux, _) = launch_disconnected(&home, &address);
    tmux.type_text("abc");
    // Disconnected, Do it leaves a notice in the transcript.
    tmux.send_keys(&["C-e"]);
    tmux.wait_for("the notice", Duration::from_secs(10), |s| {
        s.contains("Not connected")
    });
    // One write: both keys come in the same batch.
    tmux.send_keys(&["F6", "?"]);
    let screen = tmux.wait_for("help from the transcript", Duration::from_secs(10), |s| {
        s.contains(" Keys ")
    });
    assert!(
        !screen.contains("abc?"),
        "`?` went to the workspace:\n{screen}"
    );
    // Alone: an Escape followed at once by F6's sequence would read as Alt+F6.
    tmux.send_keys(&["Escape"]);
    tmux.wait_for("help closed", Duration::from_secs(10), |s| {
        !s.contains(" Keys ")
    });
    tmux.send_keys(&["F6"]);
    tmux.type_text("d");
    tmux.wait_for("the workspace focused", Duration::from_secs(10), |s| {
        s.contains("abcd")
    });
    tmux.send_keys(&["F6", "C-l"]);
    tmux.wait_for("the transcript cleared", Duration::from_secs(10), |s| {
        !s.contains("Not connected")
    });
}

#[test]
fn after_a_resize_and_back_the_lines_above_fill_the_workspace_again() {
    let home = TempDir::new("e2e-resize");
    let address = new_address();
    let (tmux, _) = launch_disconnected(&home, &address);
    let text: Vec<String> = (1..=40).map(|n| format!("\"line {n}\"")).collect();
    tmux.paste_as_keys(&text.join("\n"), home.path());
    tmux.wait_for("the last line", Duration::from_secs(20), |s| {
        s.contains("\"line 40\"")
    });
    for (width, height) in [("60", "15"), ("100", "30")] {
        let resized = tmux
            .cmd()
            .args(["resize-window", "-t", "e2e", "-x", width, "-y", height])
            .status()
            .unwrap();
        assert!(resized.success());
    }
    // A 30-row screen has room for 15 lines of text: lines 26 to 40 show,
    // not the few the 15-row screen had, over empty rows.
    let screen = tmux.wait_for("the workspace filled", Duration::from_secs(10), |s| {
        s.contains("\"line 26\"") && s.contains("\"line 40\"")
    });
    assert!(screen.contains(" 40/40 "), "{screen}");
}

#[test]
fn a_click_focuses_the_pane_under_it_and_places_the_cursor() {
    let home = TempDir::new("e2e-mouse");
    let address = new_address();
    let (tmux, _) = launch_disconnected(&home, &address);
    tmux.type_text("abc");
    // A left press and release in the terminal's SGR encoding (1-based
    // column;row): row 21 is in the transcript of the 30-row screen.
    let click = |column: u16, row: u16| {
        tmux.type_text(&format!("\x1b[<0;{column};{row}M\x1b[<0;{column};{row}m"));
    };
    click(10, 21);
    tmux.type_text("?");
    tmux.wait_for("help, from the transcript", Duration::from_secs(10), |s| {
        s.contains(" Keys ")
    });
    tmux.send_keys(&["Escape"]);
    tmux.wait_for("help closed", Duration::from_secs(10), |s| {
        !s.contains(" Keys ")
    });
    // Between `a` and `b` (the text starts at the second column and row).
    click(3, 2);
    tmux.type_text("X");
    tmux.wait_for("X typed where clicked", Duration::from_secs(10), |s| {
        s.contains("aXbc")
    });
}

#[test]
fn completion_pops_up_after_a_pause_and_on_tab_and_enter_inserts_the_class() {
    let (_home, _address, tmux) = launch_connected("e2e-complete", "");
    tmux.type_text("x := Ordered");
    // A pause in typing (ui.completion_delay_ms, 300 ms) opens the popup by itself.
    let popup = |s: &str| s.contains("OrderedCollection class");
    tmux.wait_for("the popup after a pause", Duration::from_secs(20), popup);
    tmux.send_keys(&["Escape"]);
    tmux.wait_for("the popup closed", Duration::from_secs(10), |s| !popup(s));
    // Tab after the word asks at once.
    tmux.send_keys(&["Tab"]);
    tmux.wait_for("the popup on Tab", Duration::from_secs(20), popup);
    tmux.send_keys(&["Enter"]);
    tmux.wait_for("the class inserted", Duration::from_secs(10), |s| {
        s.contains("│x := OrderedCollection ") && !popup(s)
    });
    tmux.send_keys(&["C-e"]);
    tmux.wait_for("its value", Duration::from_secs(20), |s| {
        pane_lines(s).any(|line| line.starts_with("OrderedCollection ") && line.contains("class"))
    });
    tmux.quit();
}

#[test]
fn in_the_browsers_edit_tab_completes_a_temporary_of_the_method() {
    // Only Tab opens the popup here, so that Tab does not accept one opened by a pause.
    let config = "[ui]\ncompletion_delay_ms = 0\n";
    let (_home, _address, tmux) = launch_connected("e2e-complete-browser", config);
    tmux.type_text("OrderedCollection");
    tmux.send_keys(&["C-b"]);
    tmux.wait_for("the class", Duration::from_secs(20), |s| {
        s.contains("›OrderedCollection") && s.contains("variableSubclass: #OrderedCollection")
    });
    // To removeFirst (as in the browser's test), Enter edits it.
    tmux.send_keys(&["Right", "Right", "End", "Up", "Up", "Up", "Up"]);
    tmux.wait_for("the source", Duration::from_secs(20), |s| {
        s.contains("OrderedCollection>>removeFirst · removing")
    });
    tmux.send_keys(&["Enter"]);
    tmux.wait_for("the edit", Duration::from_secs(20), |s| {
        s.contains("Editing OrderedCollection>>removeFirst")
    });
    // A new line under `| answer |`, then a prefix of the temporary.
    tmux.send_keys(&["Down", "Down", "Down", "Down", "End", "Enter"]);
    tmux.type_text("ans");
    tmux.send_keys(&["Tab"]);
    // The popup's columns widen with the longest candidate: match words.
    let popup = |s: &str| {
        s.lines().any(|line| {
            let words: Vec<&str> = line
                .split(|c: char| c.is_whitespace() || c == '│')
                .filter(|word| !word.is_empty())
                .collect();
            words.windows(2).any(|pair| pair == ["answer", "variable"])
        })
    };
    tmux.wait_for("the temporary offered", Duration::from_secs(20), popup);
    tmux.send_keys(&["Enter"]);
    tmux.wait_for("the temporary inserted", Duration::from_secs(10), |s| {
        !popup(s) && pane_lines(s).any(|line| line == "answer")
    });
}

#[test]
fn the_inspector_evaluate_line_runs_code_on_the_inspected_object() {
    let (_home, address, tmux) = launch_connected("e2e-inspector-eval", "");
    tmux.type_text("OrderedCollection new add: 3; yourself");
    tmux.send_keys(&["M-i"]);
    tmux.wait_for("the inspector", Duration::from_secs(20), |s| {
        s.contains("Inspector · OrderedCollection ─") && s.contains("1 element")
    });
    tmux.type_text(":");
    tmux.wait_for("the evaluate line", Duration::from_secs(20), |s| {
        s.contains("self ▸")
    });
    tmux.type_text("self add: 4");
    tmux.send_keys(&["Enter"]);
    // The object is shown again as the code left it.
    tmux.wait_for("the grown collection", Duration::from_secs(20), |s| {
        s.contains("OrderedCollection · 2 elements") && s.contains("OrderedCollection (3 4 )")
    });
    // The value went to the transcript, as Do it's.
    tmux.send_keys(&["Escape"]);
    tmux.wait_for(
        "the value in the transcript",
        Duration::from_secs(20),
        |s| {
            s.contains("self add: 4")
                && pane_lines(s).any(|line| line.starts_with("4 ") && line.contains("SmallInteger"))
        },
    );
    tmux.quit();
    wait_until_stopped(&address);
}

#[test]
fn ctrl_b_browses_a_class_enter_edits_a_method_and_alt_a_compiles_it() {
    let (_home, _address, tmux) = launch_connected("e2e-browser", "");
    tmux.type_text("OrderedCollection");
    tmux.send_keys(&["C-b"]);
    tmux.wait_for("the class", Duration::from_secs(20), |s| {
        s.contains("Browser · OrderedCollection")
            && s.contains("›OrderedCollection")
            && s.contains("variableSubclass: #OrderedCollection")
    });
    // Past the protocols (-- all --) to the methods, the last one, then up
    // to removeFirst (sorted: size, shrinkSize, shrink, removeLast, removeFirst).
    tmux.send_keys(&["Right", "Right", "End", "Up", "Up", "Up", "Up"]);
    tmux.wait_for("the source", Duration::from_secs(20), |s| {
        s.contains("OrderedCollection>>removeFirst · removing")
            && s.contains("Remove an object from the start of the receiver")
    });
    // Enter: the source pane edits it; Alt+A compiles it back, in place.
    tmux.send_keys(&["Enter"]);
    tmux.wait_for("the edit", Duration::from_secs(20), |s| {
        s.contains("Editing OrderedCollection>>removeFirst · removing")
    });
    tmux.send_keys(&["M-a"]);
    tmux.wait_for("compiled", Duration::from_secs(20), |s| {
        s.contains("Compiled OrderedCollection>>removeFirst")
            && s.contains("OrderedCollection>>removeFirst · removing")
            && !s.contains("Editing")
    });
    // w: the source in a new workspace, where Alt+A compiles it too.
    tmux.send_keys(&["M-w"]);
    tmux.wait_for("the method's workspace", Duration::from_secs(20), |s| {
        s.contains("OrderedCollection>>removeFirst")
            && s.contains("Remove an object from the start of the receiver")
            && !s.contains("Browser ·")
    });
    tmux.send_keys(&["M-a"]);
    tmux.wait_for(
        "compiled from the workspace",
        Duration::from_secs(20),
        |s| s.contains("Compiled OrderedCollection>>removeFirst"),
    );
}

#[test]
fn the_browser_defines_a_class_and_adds_a_method_that_works_at_once_and_shows_an_error_in_place() {
    let (_home, _address, tmux) = launch_connected("e2e-browser-edit", "");
    let in_time = Duration::from_secs(20);
    tmux.type_text("Object");
    tmux.send_keys(&["C-b"]);
    tmux.wait_for("the class", in_time, |s| s.contains("›Object "));
    // F8: the class definition template under Object; Ctrl+S evaluates it.
    tmux.send_keys(&["F8"]);
    tmux.wait_for("the class template", in_time, |s| {
        s.contains("Object subclass: #NameOfSubclass") && s.contains("Editing new class")
    });
    tmux.send_keys(&["C-a"]);
    tmux.type_text(
        "Object subclass: #StuiE2ePoint instanceVariableNames: 'x y' \
         classVariableNames: '' poolDictionaries: '' category: 'StuiE2e'",
    );
    tmux.send_keys(&["C-s"]);
    tmux.wait_for("the class defined and browsed", in_time, |s| {
        s.contains("Defined StuiE2ePoint")
            && s.contains("›StuiE2ePoint")
            && s.contains("Object subclass: #StuiE2ePoint")
    });
    // F7: the method template; Ctrl+S compiles the method into the class.
    tmux.send_keys(&["F7"]);
    tmux.wait_for("the method template", in_time, |s| {
        s.contains("messageSelectorAndArgumentNames")
            && s.contains("Editing StuiE2ePoint>>(new method) · as yet unclassified")
    });
    tmux.send_keys(&["C-a"]);
    tmux.type_text("sum");
    tmux.send_keys(&["Enter", "Tab"]);
    tmux.type_text("^ 3 + 4");
    tmux.send_keys(&["C-s"]);
    tmux.wait_for("the method compiled and selected", in_time, |s| {
        s.contains("Compiled StuiE2ePoint>>sum")
            && s.contains("›sum")
            && s.contains("StuiE2ePoint>>sum · as yet unclassified")
    });
    // It works at once: evaluated in the workspace.
    tmux.send_keys(&["Escape"]);
    tmux.wait_for("the browser closed", in_time, |s| !s.contains("Browser ·"));
    tmux.send_keys(&["C-a"]);
    tmux.type_text("StuiE2ePoint new sum");
    tmux.send_keys(&["C-e"]);
    tmux.wait_for("the new method's value", in_time, |s| {
        shows_small_integer(s, "7")
    });
    // A syntax error: shown in the pane at its place, the edit kept.
    tmux.send_keys(&["C-a"]);
    tmux.type_text("StuiE2ePoint");
    tmux.send_keys(&["C-b"]);
    tmux.wait_for("the class again", in_time, |s| {
        s.contains("›StuiE2ePoint") && s.contains("as yet unclass")
    });
    // Past the protocols to the methods: sum, its source below.
    tmux.send_keys(&["Right", "Right"]);
    tmux.wait_for("the source", in_time, |s| {
        s.contains("›sum") && s.contains("^ 3 + 4")
    });
    tmux.send_keys(&["Enter"]);
    tmux.wait_for("the edit", in_time, |s| {
        s.contains("Editing StuiE2ePoint>>sum")
    });
    tmux.send_keys(&["Down", "End"]);
    tmux.type_text(" +");
    tmux.send_keys(&["C-s"]);
    let screen = tmux.wait_for("the error", in_time, |s| {
        s.contains("Syntax error at line 2")
            && s.contains("Editing StuiE2ePoint>>sum · as yet unclassified · modified")
    });
    let lines: Vec<&str> = pane_lines(&screen).collect();
    let error = lines
        .iter()
        .position(|line| line.starts_with("Syntax error at line 2"))
        .unwrap();
    assert_eq!(lines[error + 1], "^ 3 + 4 +", "{screen}");
    assert_eq!(lines[error + 2], "^", "the caret: {screen}");
    assert!(lines[..error].contains(&"^ 3 + 4 +"), "the edit: {screen}");
}

/// The entries of the changes log the server stui started keeps in `home`.
fn changes_log(home: &TempDir) -> String {
    let mut dirs = vec![home.path().to_path_buf()];
    let mut text = String::new();
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "changes") {
                text.push_str(&std::fs::read_to_string(path).unwrap());
            }
        }
    }
    text
}

/// A value line of the transcript: `print  Class · …`.
fn shows_value(screen: &str, print: &str, class: &str) -> bool {
    pane_lines(screen).any(|line| line.starts_with(&format!("{print}  {class}")))
}

#[test]
fn the_browser_removes_a_method_moves_another_then_removes_the_class_all_logged() {
    let (home, _address, tmux) = launch_connected("e2e-browser-remove", "");
    let in_time = Duration::from_secs(20);
    tmux.type_text(
        "Object subclass: #StuiE2eGone instanceVariableNames: '' classVariableNames: '' \
         package: 'StuiE2eRm'. (Smalltalk at: #StuiE2eGone) compile: 'bye ^1'; compile: 'stay ^2'",
    );
    tmux.send_keys(&["C-a", "C-e"]);
    tmux.wait_for("the class and its methods", in_time, |s| {
        s.contains("CompiledMethod")
    });
    tmux.send_keys(&["C-a"]);
    tmux.type_text("StuiE2eGone");
    tmux.send_keys(&["C-b"]);
    tmux.wait_for("the class", in_time, |s| s.contains("›StuiE2eGone"));
    tmux.send_keys(&["Right", "Right"]);
    tmux.wait_for("the method bye", in_time, |s| {
        s.contains("›bye") && s.contains("^1")
    });
    // Delete asks; y removes it and selects its neighbour.
    tmux.send_keys(&["DC"]);
    tmux.wait_for("the question", in_time, |s| {
        s.contains("Remove the method StuiE2eGone>>bye? (y/n)")
    });
    tmux.send_keys(&["y"]);
    tmux.wait_for("the neighbour selected", in_time, |s| {
        s.contains("Removed StuiE2eGone>>bye") && s.contains("›stay") && !s.contains(" bye ")
    });
    // Alt+P moves it to another protocol, which then lists it.
    tmux.send_keys(&["M-p"]);
    tmux.wait_for("the protocol prompt", in_time, |s| {
        s.contains("Move StuiE2eGone>>stay to protocol:")
    });
    tmux.type_text("keeping");
    tmux.send_keys(&["Enter"]);
    tmux.wait_for("the method in its new protocol", in_time, |s| {
        s.contains("Moved StuiE2eGone>>stay to keeping")
            && s.contains("›keeping")
            && s.contains("StuiE2eGone>>stay · keeping")
    });
    tmux.send_keys(&["Escape"]);
    tmux.wait_for("the transcript", in_time, |s| {
        s.contains("Removed StuiE2eGone>>bye") && s.contains("its source was:")
    });
    tmux.send_keys(&["C-a"]);
    tmux.type_text("StuiE2eGone new respondsTo: #bye");
    tmux.send_keys(&["C-e"]);
    tmux.wait_for("bye is gone", in_time, |s| shows_value(s, "false", "False"));
    // The class: Delete in the classes column, its method counted.
    tmux.send_keys(&["C-a"]);
    tmux.type_text("StuiE2eGone");
    tmux.send_keys(&["C-b"]);
    tmux.wait_for("the class again", in_time, |s| s.contains("›StuiE2eGone"));
    tmux.send_keys(&["DC"]);
    tmux.wait_for("the class question", in_time, |s| {
        s.contains("Remove the class StuiE2eGone, no subclasses, 1 method? (y/n)")
    });
    tmux.send_keys(&["y"]);
    tmux.wait_for("the class list without it", in_time, |s| {
        s.contains("Removed the class StuiE2eGone")
            && !s.contains("›StuiE2eGone")
            && s.contains("›")
    });
    tmux.send_keys(&["Escape"]);
    tmux.wait_for("the browser closed", in_time, |s| !s.contains("Browser ·"));
    tmux.send_keys(&["C-a"]);
    tmux.type_text("Smalltalk includesKey: #StuiE2eGone");
    tmux.send_keys(&["C-e"]);
    tmux.wait_for("the class is gone", in_time, |s| {
        shows_value(s, "false", "False")
    });
    let log = changes_log(&home);
    assert!(
        log.contains("kind=remove_method target=StuiE2eGone>>bye"),
        "{log}"
    );
    assert!(
        log.contains("kind=remove_class target=StuiE2eGone"),
        "{log}"
    );
}

#[test]
fn the_browser_shows_the_category_a_protocol_its_methods_and_the_class_side() {
    let (_home, _address, tmux) = launch_connected("e2e-browser-columns", "");
    tmux.type_text("OrderedCollection");
    tmux.send_keys(&["C-b"]);
    tmux.wait_for("the category and the class", Duration::from_secs(20), |s| {
        s.contains("›Collections-Sequence")
            && s.contains("›OrderedCollection")
            && s.contains("›-- all --")
    });
    // To the protocols, "rem" jumps to removing; its methods only.
    tmux.send_keys(&["Right"]);
    tmux.type_text("rem");
    tmux.wait_for("the protocol", Duration::from_secs(20), |s| {
        s.contains("›removing") && s.contains("removeAtIndex:") && !s.contains("addFirst:")
    });
    tmux.send_keys(&["Right"]);
    tmux.type_text("removef");
    tmux.wait_for("the source", Duration::from_secs(20), |s| {
        s.contains("›removeFirst")
            && s.contains("OrderedCollection>>removeFirst · removing")
            && s.contains("Remove an object from the start of the receiver")
    });
    // Alt+PgDn scrolls the source: its first lines are above now.
    tmux.send_keys(&["M-NPage"]);
    tmux.wait_for("the source scrolled", Duration::from_secs(10), |s| {
        s.contains(" above") && !s.contains("Remove an object from the start of the receiver")
    });
    // The class side: its own protocols and methods, the source of new.
    tmux.send_keys(&["M-c"]);
    tmux.wait_for("the class side", Duration::from_secs(20), |s| {
        s.contains("Browser · OrderedCollection class")
            && s.contains("instance creation")
            && s.contains("new:")
            && s.contains("OrderedCollection class>>new · instance creation")
    });
    // The hierarchy: the superclasses above the class.
    tmux.send_keys(&["M-h"]);
    tmux.wait_for("the hierarchy", Duration::from_secs(20), |s| {
        s.contains("· hierarchy") && s.contains("SequenceableCollect") && s.contains("  Iterable")
    });
}

#[test]
fn ctrl_n_lists_the_senders_of_print_on_and_enter_browses_one() {
    let (_home, _address, tmux) = launch_connected("e2e-senders", "");
    tmux.type_text("printOn:");
    tmux.send_keys(&["C-n"]);
    tmux.wait_for("the senders", Duration::from_secs(30), |s| {
        s.contains("Senders of #printOn: ·")
            && s.contains("›Array>>printOn:")
            && s.contains("Collection>>printOn:")
    });
    // Enter: Array>>printOn: in the class browser, its source below.
    tmux.send_keys(&["Enter"]);
    tmux.wait_for("the method browsed", Duration::from_secs(20), |s| {
        s.contains("Browser · Array") && s.contains("Array>>printOn: ·")
    });
    // Esc: back to the list, then Esc closes it.
    tmux.send_keys(&["Escape"]);
    tmux.wait_for("the list again", Duration::from_secs(10), |s| {
        !s.contains("Browser ·") && s.contains("›Array>>printOn:")
    });
    tmux.send_keys(&["Escape"]);
    tmux.wait_for("closed", Duration::from_secs(10), |s| {
        !s.contains("Browser ·") && !s.contains("Senders of")
    });
}

/// Every tool works while an evaluation runs: browse and senders answer
/// before the slow evaluation's value; then Ctrl+N in the transcript offers
/// the last selector of the entry's code, and Enter lists its real senders.
#[test]
fn tools_answer_while_an_evaluation_runs_and_senders_reach_from_the_transcript() {
    let (_home, address, tmux) = launch_connected("e2e-reach", "");
    // Long enough that a loaded machine still browses and lists within it.
    tmux.do_it("[(Delay forSeconds: 8) wait. 42] value");
    let running = |s: &str| s.contains("evaluating…");
    tmux.wait_for("the evaluation running", Duration::from_secs(10), running);
    // In a new workspace: Ctrl+B on a class name.
    tmux.send_keys(&["C-t"]);
    tmux.type_text("OrderedCollection");
    tmux.send_keys(&["C-b"]);
    tmux.wait_for("the class browsed", Duration::from_secs(20), |s| {
        s.contains("Browser · OrderedCollection") && s.contains("variableSubclass:")
    });
    assert!(running(&tmux.screen()), "{}", tmux.screen());
    // Esc back to the workspace: Ctrl+N on a keyword.
    tmux.send_keys(&["Escape"]);
    tmux.wait_for("the browser closed", Duration::from_secs(10), |s| {
        !s.contains("Browser ·")
    });
    tmux.type_text(" printOn:");
    tmux.send_keys(&["C-n"]);
    let screen = tmux.wait_for("the senders", Duration::from_secs(20), |s| {
        s.contains("Senders of #printOn: ·") && s.contains("›Array>>printOn:")
    });
    assert!(running(&screen), "the evaluation ended first:\n{screen}");
    // Esc closes the list, F6 focuses the transcript; the 42 comes there.
    tmux.send_keys(&["Escape"]);
    tmux.wait_for("the list closed", Duration::from_secs(10), |s| {
        !s.contains("Senders of")
    });
    tmux.send_keys(&["F6"]);
    tmux.wait_for("the 42", Duration::from_secs(20), |s| {
        shows_small_integer(s, "42")
    });
    tmux.send_keys(&["C-n"]);
    tmux.wait_for("the prompt", Duration::from_secs(10), |s| {
        s.contains("Senders of: value")
    });
    tmux.send_keys(&["Enter"]);
    tmux.wait_for("the senders of value", Duration::from_secs(20), |s| {
        s.contains("Senders of #value ·") && s.contains("Association>>printOn:")
    });
    tmux.quit();
    wait_until_stopped(&address);
}

/// A list longer than a page: the first 1000 of 1200 senders, the title
/// says so; End asks for the rest, which come with the selection kept.
#[test]
fn a_long_senders_list_asks_for_the_rest_near_its_end() {
    let (_home, address, tmux) = launch_connected("e2e-long-list", "");
    tmux.type_text("1 to: 1200 do: [:i | Object compile: 'zzReach', i printString, ' ^self zork']");
    tmux.send_keys(&["C-a", "C-e"]);
    tmux.wait_for("the methods compiled", Duration::from_secs(30), |s| {
        shows_small_integer(s, "1")
    });
    tmux.send_keys(&["C-a"]);
    tmux.type_text("zork");
    tmux.send_keys(&["C-n"]);
    tmux.wait_for("the first page", Duration::from_secs(30), |s| {
        s.contains("Senders of #zork · 1000/1200") && s.contains("›Object>>zzReach1 ")
    });
    // End: the 1000th by name (zzReach818) selected, the rest asked for;
    // they come with it still selected, and End goes on to zzReach999.
    tmux.send_keys(&["End"]);
    tmux.wait_for("the rest", Duration::from_secs(30), |s| {
        s.contains("Senders of #zork · 1200 ") && s.contains("›Object>>zzReach818 ")
    });
    tmux.send_keys(&["End"]);
    tmux.wait_for("the last", Duration::from_secs(10), |s| {
        s.contains("›Object>>zzReach999 ")
    });
    tmux.quit();
    wait_until_stopped(&address);
}

#[test]
fn inspect_it_opens_the_inspector_drills_into_an_element_and_goes_back() {
    let (_home, address, tmux) = launch_connected("e2e-inspector", "");
    tmux.type_text("OrderedCollection new add: 3; add: 4; yourself");
    tmux.send_keys(&["M-i"]);
    let screen = tmux.wait_for("the inspector", Duration::from_secs(20), |s| {
        s.contains("Inspector · OrderedCollection ─") && s.contains("2 elements")
    });
    let element = |screen: &str, index: &str, print: &str| {
        pane_lines(screen).any(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            words.len() == 3 && words[0].ends_with(index) && words[1] == print
        })
    };
    assert!(
        element(&screen, "[1]", "3") && element(&screen, "[2]", "4"),
        "{screen}"
    );
    // Down past the two fields to element 1, Enter drills into it.
    tmux.send_keys(&["Down", "Down", "Enter"]);
    tmux.wait_for("the element", Duration::from_secs(20), |s| {
        s.contains("Inspector · OrderedCollection › 1") && s.contains("3  SmallInteger")
    });
    tmux.send_keys(&["BSpace"]);
    tmux.wait_for("the collection again", Duration::from_secs(20), |s| {
        s.contains("Inspector · OrderedCollection ─") && element(s, "›[1]", "3")
    });
    // Esc closes it: the transcript is back and says what was inspected.
    tmux.send_keys(&["Escape"]);
    tmux.wait_for("the transcript", Duration::from_secs(20), |s| {
        s.contains("OrderedCollection (3 4 ) (OrderedCollection) · in the inspector")
            && !s.contains("Inspector ·")
    });
    // Enter on a value in the transcript inspects it by its handle.
    tmux.do_it("\n6 * 7");
    tmux.wait_for("42", Duration::from_secs(20), |s| {
        shows_small_integer(s, "42")
    });
    tmux.send_keys(&["F6", "Enter"]);
    tmux.wait_for("the value inspected", Duration::from_secs(20), |s| {
        s.contains("Inspector · SmallInteger") && s.contains("42  SmallInteger")
    });
    tmux.quit();
    wait_until_stopped(&address);
}

/// Ctrl+K reaches STUI in tmux (Shift+Enter does not: tmux sends it as
/// Enter), and a command runs as its key would.
#[test]
fn ctrl_k_finds_a_class_to_browse_and_a_command_to_run() {
    let (_home, _address, tmux) = launch_connected("e2e-palette", "");
    tmux.send_keys(&["C-k"]);
    tmux.type_text("OrdColl");
    tmux.wait_for("the class found", Duration::from_secs(20), |s| {
        s.contains("› OrdColl") && s.contains("Classes") && s.contains("  OrderedCollection")
    });
    tmux.send_keys(&["Enter"]);
    tmux.wait_for("the class browsed", Duration::from_secs(20), |s| {
        s.contains("Browser · OrderedCollection")
            && s.contains("variableSubclass: #OrderedCollection")
            && !s.contains("› OrdColl")
    });
    tmux.send_keys(&["C-k"]);
    tmux.type_text("new workspace");
    tmux.wait_for("the command found", Duration::from_secs(10), |s| {
        s.contains("Commands") && s.contains("New workspace (tab)") && s.contains("Ctrl+T")
    });
    tmux.send_keys(&["Enter"]);
    tmux.wait_for("a second workspace", Duration::from_secs(10), |s| {
        s.contains("┌ 1 │ 2 ") && !s.contains("› new workspace")
    });
}

#[test]
fn an_error_opens_the_debugger_which_esc_hides_f9_shows_and_abandon_closes() {
    let (_home, address, tmux) = launch_connected("e2e-debugger", "");
    tmux.do_it("3 + (1/0)");
    tmux.wait_for("the debugger on ZeroDivide", Duration::from_secs(20), |s| {
        s.contains("Debugger d1 · ZeroDivide: The program attempted to divide a number by zero")
            && s.contains("SmallInteger>>/")
            && s.contains("i into")
    });
    tmux.send_keys(&["Escape"]);
    tmux.wait_for("the transcript again", Duration::from_secs(10), |s| {
        !s.contains("Debugger d1") && s.contains("in debugger d1")
    });
    tmux.send_keys(&["F9"]);
    tmux.wait_for("the debugger back", Duration::from_secs(10), |s| {
        s.contains("Debugger d1 · ZeroDivide")
    });
    tmux.send_keys(&["a"]);
    let screen = tmux.wait_for("the debugger closed", Duration::from_secs(10), |s| {
        !s.contains("Debugger d1") && s.contains("Transcript")
    });
    assert!(
        pane_lines(&screen).any(|line| line == "3 + (1/0)"),
        "{screen}"
    );
    // The process is gone on the server too.
    tmux.send_keys(&["F9"]);
    tmux.wait_for("no debugger left", Duration::from_secs(10), |s| {
        s.contains("No debugger is open.")
    });
    hang_up(tmux, &address);
}

#[test]
fn quitting_ends_the_session_and_so_terminates_its_suspended_evaluations() {
    let server = common::TestServer::start();
    let home = TempDir::new("e2e-debugger-quit");
    let (tmux, _) = launch(&home, &server.address, "");
    tmux.wait_until_connected();
    tmux.do_it("[1/0] ensure: [Smalltalk at: #StuiQuitProbe put: 42]");
    tmux.wait_for("the debugger", Duration::from_secs(20), |s| {
        s.contains("Debugger d1 · ZeroDivide")
    });
    tmux.quit();
    // The ensure: block ran when end_session terminated the process.
    let mut client = common::client(&server, "e2e-probe");
    let started = Instant::now();
    loop {
        let probe = client.evaluate("Smalltalk at: #StuiQuitProbe ifAbsent: [nil]");
        let print = probe.unwrap().value.unwrap().print;
        if print == "42" {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "still {print}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Replaces the workspace's text with `code` and evaluates it (Do it).
fn do_it_alone(tmux: &Tmux, code: &str) {
    tmux.send_keys(&["C-a", "BSpace"]);
    tmux.do_it(code);
}

/// The screen with its colours (SGR sequences), to see the current send's
/// background.
fn styled_screen(tmux: &Tmux) -> String {
    let output = tmux
        .cmd()
        .args(["capture-pane", "-e", "-p", "-t", "e2e"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Whether the variables pane shows `name` with the SmallInteger `value`.
fn shows_variable(screen: &str, name: &str, value: &str) -> bool {
    pane_lines(screen).any(|line| {
        let mut words = line.trim_start_matches('›').split_whitespace();
        words.next() == Some(name) && words.next() == Some(value)
    })
}

#[test]
fn stepping_out_of_zero_divide_then_abandoning_leaves_the_text_and_no_debugger() {
    let (_home, address, tmux) = launch_connected("e2e-debugger-out", "");
    tmux.do_it("1/0");
    tmux.wait_for("the debugger on ZeroDivide", Duration::from_secs(20), |s| {
        s.contains("Debugger d1 · ZeroDivide") && s.contains("› 0 Number>>zeroDivide")
    });
    tmux.send_keys(&["t"]);
    tmux.wait_for("zeroDivide stepped out of", Duration::from_secs(20), |s| {
        s.contains("Debugger d1 · Stepped") && !s.contains("Number>>zeroDivide")
    });
    tmux.send_keys(&["a"]);
    let screen = tmux.wait_for("the debugger closed", Duration::from_secs(10), |s| {
        !s.contains("Debugger d1") && s.contains("Transcript")
    });
    assert!(pane_lines(&screen).any(|line| line == "1/0"), "{screen}");
    // F9 asks the server (debug_list): it holds none any more.
    tmux.send_keys(&["F9"]);
    tmux.wait_for("no debugger left", Duration::from_secs(10), |s| {
        s.contains("No debugger is open.")
    });
    hang_up(tmux, &address);
}

#[test]
fn debug_it_marks_the_first_send_and_stepping_over_finishes_with_the_value() {
    let (_home, address, tmux) = launch_connected("e2e-debug-it", "");
    tmux.type_text("3 + 4");
    tmux.send_keys(&["M-D"]);
    tmux.wait_for(
        "the DoIt before its first statement",
        Duration::from_secs(20),
        |s| s.contains("Debugger d1 · Debug it") && s.contains("› 0 UndefinedObject>>DoIt"),
    );
    let styled = styled_screen(&tmux);
    let source = styled
        .lines()
        .skip_while(|line| !line.contains("── UndefinedObject>>DoIt"))
        .nth(1)
        .unwrap_or_default();
    assert!(
        source.contains("\x1b[48;") && source.contains("m3"),
        "the send `3 + 4` has the current send's background: {source:?}"
    );
    // Steps are line-granular on gst: one over runs this one-line DoIt to
    // its end (a send-granular debugger would take two).
    tmux.send_keys(&["o"]);
    let screen = tmux.wait_for("the value", Duration::from_secs(20), |s| {
        shows_small_integer(s, "7")
    });
    assert!(!screen.contains("Debugger d1"), "{screen}");
    hang_up(tmux, &address);
}

#[test]
fn a_method_fixed_in_the_debugger_restarts_and_proceeding_answers_its_value() {
    let (_home, address, tmux) = launch_connected("e2e-debugger-fix", "");
    tmux.do_it("Object subclass: #StuiE2eRatio");
    tmux.wait_for("the class", Duration::from_secs(20), |s| {
        s.contains("StuiE2eRatio class")
    });
    do_it_alone(&tmux, "StuiE2eRatio compile: 'ratio: x ^10 / (x - x)'");
    tmux.wait_for("the method", Duration::from_secs(20), |s| {
        s.contains("StuiE2eRatio>>ratio:  CompiledMethod")
    });
    do_it_alone(&tmux, "StuiE2eRatio new ratio: 5");
    tmux.wait_for("the debugger on ZeroDivide", Duration::from_secs(20), |s| {
        s.contains("Debugger d1 · ZeroDivide") && s.contains("2 StuiE2eRatio>>ratio:")
    });
    tmux.send_keys(&["Down", "Down", "e"]);
    tmux.wait_for("the method in the edit", Duration::from_secs(20), |s| {
        s.contains("Editing StuiE2eRatio>>ratio:") && s.contains("^10 / (x - x)")
    });
    tmux.send_keys(&["Down", "End"]);
    erase(&tmux, "(x - x)".len());
    tmux.type_text("x");
    tmux.send_keys(&["C-s"]);
    // Restarted: the fixed method is where the process stands now.
    tmux.wait_for("the frame restarted", Duration::from_secs(20), |s| {
        s.contains("› 0 StuiE2eRatio>>ratio:")
            && s.contains("^10 / x")
            && !s.contains("SmallInteger>>/")
            && !s.contains("Editing")
    });
    tmux.send_keys(&["p"]);
    let screen = tmux.wait_for("the value", Duration::from_secs(20), |s| {
        shows_small_integer(s, "2")
    });
    assert!(!screen.contains("Debugger d1"), "{screen}");
    hang_up(tmux, &address);
}

#[test]
fn a_halt_in_a_loop_stops_each_time_and_the_last_proceed_answers_the_loop() {
    let (_home, address, tmux) = launch_connected("e2e-debugger-halt", "");
    tmux.do_it("(1 to: 3) inject: 0 into: [:sum :i | self halt. sum + i]");
    for i in ["1", "2", "3"] {
        tmux.wait_for("the halt", Duration::from_secs(20), |s| {
            s.contains("Debugger d1 · Halt") && shows_variable(s, "i", i)
        });
        tmux.send_keys(&["p"]);
    }
    let screen = tmux.wait_for("the loop's value", Duration::from_secs(20), |s| {
        shows_small_integer(s, "6")
    });
    assert!(!screen.contains("Debugger d1"), "{screen}");
    hang_up(tmux, &address);
}

#[test]
fn an_unknown_curve_server_is_trusted_only_after_yes_and_then_answers() {
    let alice = Keys::generate();
    let server = CurveServer::start(&[authorized_line(&alice, "full", "alice")], &[]);
    let home = TempDir::new("e2e-trust");
    alice.write_secret(&home.path().join("config/stui/keys/client.key"), 0o600);
    let (tmux, _) = launch(&home, &server.address, "");
    let fingerprint = server.keys.fingerprint();
    tmux.wait_for(
        "the question naming the key",
        Duration::from_secs(30),
        |s| s.contains("Unknown server key") && s.contains(&fingerprint),
    );
    let known_servers = home.path().join("config/stui/known_servers");
    assert!(
        !known_servers.exists(),
        "nothing is trusted before the answer"
    );
    tmux.send_keys(&["y"]);
    tmux.wait_until_connected();
    let known = std::fs::read_to_string(&known_servers).unwrap();
    assert!(
        known.contains(&format!("{} {}", server.address, server.keys.public)),
        "{known}"
    );
    tmux.type_text("3 + 4");
    tmux.send_keys(&["C-p"]);
    tmux.wait_for("the printed 7", Duration::from_secs(20), |s| {
        pane_lines(s).any(|line| line.starts_with("3 + 4 \"7\""))
    });
}
