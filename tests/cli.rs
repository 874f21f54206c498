//! The `stui` command line against the real GNU Smalltalk server.

mod common;

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::{TempDir, TestServer, free_port};

/// The binary with its user directories inside `home`, so nothing of the
/// real user's is read or written.
fn stui(home: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_stui"));
    command
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_RUNTIME_DIR", home.join("run"))
        .env_remove("STUI_SERVER_ADDRESS")
        .env_remove("STUI_LOG_LEVEL");
    command
}

fn run(command: &mut Command) -> (Output, String, String) {
    let output = command.output().expect("stui runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output, stdout, stderr)
}

#[test]
fn eval_prints_the_value_and_exits_zero() {
    let server = TestServer::start();
    let home = TempDir::new("cli");
    let (output, stdout, stderr) =
        run(stui(home.path()).args(["--address", &server.address, "eval", "3 + 4"]));
    assert!(output.status.success(), "{stderr}");
    assert_eq!(stdout, "7\n");
    assert_eq!(stderr, "");
}

#[test]
fn eval_errors_go_to_stderr_with_a_non_zero_exit() {
    let server = TestServer::start();
    let home = TempDir::new("cli");
    let (output, stdout, stderr) =
        run(stui(home.path()).args(["--address", &server.address, "eval", "1/0"]));
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout, "");
    assert!(stderr.contains("ZeroDivide"), "{stderr}");

    let (output, _, stderr) =
        run(stui(home.path()).args(["--address", &server.address, "eval", "3 +"]));
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr.contains("Syntax error at line 1, column"),
        "{stderr}"
    );
}

#[test]
fn eval_against_nothing_fails_clearly_within_the_timeout() {
    let home = TempDir::new("cli");
    let config = home.path().join("stui.toml");
    std::fs::write(&config, "[server]\nrequest_timeout_ms = 300\ntries = 2\n").unwrap();
    let address = format!("tcp://127.0.0.1:{}", free_port());
    let started = Instant::now();
    let (output, _, stderr) = run(stui(home.path()).arg("--config").arg(&config).args([
        "--address",
        &address,
        "eval",
        "3 + 4",
    ]));
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr.contains(&format!("no reply from {address} after 2 tries")),
        "{stderr}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn environment_overrides_the_address() {
    let server = TestServer::start();
    let home = TempDir::new("cli");
    let (output, stdout, stderr) = run(stui(home.path())
        .env("STUI_SERVER_ADDRESS", &server.address)
        .args(["eval", "6 * 7"]));
    assert!(output.status.success(), "{stderr}");
    assert_eq!(stdout, "42\n");
}

#[test]
fn a_broken_config_file_is_named_and_refused() {
    let home = TempDir::new("cli");
    let config = home.path().join("broken.toml");
    std::fs::write(&config, "[server]\ntries = \"many\"\n").unwrap();
    let (output, _, stderr) = run(stui(home.path()).arg("--config").arg(&config).arg("ping"));
    assert_eq!(output.status.code(), Some(78));
    assert!(stderr.contains("broken.toml"), "{stderr}");
    assert!(stderr.contains("tries"), "{stderr}");
}

#[test]
fn ping_prints_the_round_trip() {
    let server = TestServer::start();
    let home = TempDir::new("cli");
    let (output, stdout, stderr) =
        run(stui(home.path()).args(["--address", &server.address, "ping"]));
    assert!(output.status.success(), "{stderr}");
    assert!(
        stdout.contains("round trip") && stdout.contains("ms"),
        "{stdout}"
    );
}

#[test]
fn server_start_status_stop_manage_the_bundled_server() {
    let home = TempDir::new("cli");
    let address = format!("tcp://127.0.0.1:{}", free_port());
    let with_address = |command: &mut Command| {
        command.args(["--address", &address]);
    };

    let mut start = stui(home.path());
    with_address(&mut start);
    let (output, stdout, stderr) = run(start.args(["server", "start"]));
    assert!(output.status.success(), "{stdout}{stderr}");
    assert!(stdout.contains("started the local server"), "{stdout}");

    let mut status = stui(home.path());
    with_address(&mut status);
    let (output, stdout, _) = run(status.args(["server", "status"]));
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.contains("running, pid"), "{stdout}");
    assert!(stdout.contains("answers ping"), "{stdout}");

    let mut again = stui(home.path());
    with_address(&mut again);
    let (output, _, stderr) = run(again.args(["server", "start"]));
    assert!(!output.status.success());
    assert!(stderr.contains("already running"), "{stderr}");

    let mut eval = stui(home.path());
    with_address(&mut eval);
    let (_, stdout, _) = run(eval.args(["eval", "3 + 4"]));
    assert_eq!(stdout, "7\n");

    let mut stop = stui(home.path());
    with_address(&mut stop);
    let (output, stdout, _) = run(stop.args(["server", "stop"]));
    assert!(output.status.success());
    assert!(stdout.contains("stopped the local server"), "{stdout}");

    let mut status = stui(home.path());
    with_address(&mut status);
    let (output, stdout, _) = run(status.args(["server", "status"]));
    assert_eq!(output.status.code(), Some(2));
    assert!(stdout.contains("not running"), "{stdout}");
    assert!(
        server_log_in_data_dir(home.path()),
        "the server log is in the data directory"
    );
}

fn server_log_in_data_dir(home: &Path) -> bool {
    std::fs::read_dir(home.join("data/stui"))
        .map(|entries| {
            entries
                .flatten()
                .any(|e| e.file_name().to_string_lossy().starts_with("server-"))
        })
        .unwrap_or(false)
}
