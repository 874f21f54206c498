//! The `stui` command line against the real GNU Smalltalk server.

mod common;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use common::{TempDir, TestServer, free_port, run, stui};

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

// ---------------------------------------------------------------------------
// The non-interactive commands, against the real server and against nothing.

/// Exit statuses (`stui --help` lists them).
const SUCCESS: i32 = 0;
const FAILURE: i32 = 1;
const CONNECTION: i32 = 2;
const USAGE: i32 = 64;
const CONFIG: i32 = 78;

/// `stui --address <address> <args>`.
fn stui_at(home: &Path, address: &str, args: &[&str]) -> (Output, String, String) {
    run(stui(home).args(["--address", address]).args(args))
}

/// A config file that makes an absent server fail fast: 300 ms a try, 2 tries.
fn fast_config(home: &Path) -> PathBuf {
    let config = home.join("fast.toml");
    std::fs::write(
        &config,
        "[server]\nrequest_timeout_ms = 300\ntries = 2\n[ui]\nkeymap = \"/home/u/my-keys.toml\"\n",
    )
    .unwrap();
    config
}

/// `stui --config <fast config> --address <a port nobody listens on> <args>`.
fn stui_against_nothing(home: &Path, args: &[&str]) -> (Output, String, String, String) {
    let address = format!("tcp://127.0.0.1:{}", free_port());
    let config = fast_config(home);
    let (output, stdout, stderr) = run(stui(home)
        .arg("--config")
        .arg(&config)
        .args(["--address", &address])
        .args(args));
    (output, stdout, stderr, address)
}

fn json_line(stdout: &str) -> Value {
    assert_eq!(stdout.lines().count(), 1, "one line of JSON: {stdout}");
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

fn code(output: &Output) -> i32 {
    output.status.code().expect("stui exited")
}

#[test]
fn eval_prints_output_then_value_reads_stdin_and_reports_errors_fully() {
    let server = TestServer::start();
    let home = TempDir::new("cli");
    let at = |args: &[&str]| stui_at(home.path(), &server.address, args);

    let (output, stdout, stderr) = at(&["eval", "Transcript showCr: 'hello'. 3 + 4"]);
    assert_eq!(code(&output), SUCCESS, "{stderr}");
    assert_eq!(stdout, "hello\n7\n");

    let mut piped = stui(home.path())
        .args(["--address", &server.address, "eval", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    piped
        .stdin
        .take()
        .unwrap()
        .write_all(b"| x |\nx := 6.\nx * 7\n")
        .unwrap();
    let output = piped.wait_with_output().unwrap();
    assert_eq!(code(&output), SUCCESS);
    assert_eq!(String::from_utf8_lossy(&output.stdout), "42\n");

    let (output, stdout, stderr) = at(&["eval", "Transcript showCr: 'before'. 1/0"]);
    assert_eq!(code(&output), FAILURE);
    assert_eq!(stdout, "before\n", "output written before the error");
    let mut lines = stderr.lines();
    assert_eq!(
        lines.next(),
        Some("ZeroDivide: The program attempted to divide a number by zero")
    );
    assert!(
        lines.any(|frame| frame.starts_with("  ") && frame.contains(">>/")),
        "stack frames: {stderr}"
    );

    let (output, stdout, stderr) = at(&["eval", "3 + 4.\n(5 *"]);
    assert_eq!(code(&output), FAILURE);
    assert_eq!(stdout, "");
    assert!(
        stderr.starts_with("Syntax error at line 2, column "),
        "{stderr}"
    );
}

#[test]
fn eval_json_prints_one_object_with_the_same_exit_statuses() {
    let server = TestServer::start();
    let home = TempDir::new("cli");
    let at = |args: &[&str]| stui_at(home.path(), &server.address, args);

    let (output, stdout, stderr) = at(&["eval", "--json", "Transcript show: 'x'. 3 + 4"]);
    assert_eq!(code(&output), SUCCESS, "{stderr}");
    let value = json_line(&stdout);
    assert_eq!(value["ok"], true);
    assert_eq!(value["result"]["print"], "7");
    assert_eq!(value["result"]["class"], "SmallInteger");
    assert_eq!(value["result"]["output"], "x");
    assert!(value["result"]["duration_us"].is_u64());
    assert!(value["round_trip_ms"].is_f64());

    let (output, stdout, stderr) = at(&["eval", "--json", "1/0"]);
    assert_eq!(code(&output), FAILURE);
    assert_eq!(stderr, "");
    let value = json_line(&stdout);
    assert_eq!(value["ok"], false);
    assert_eq!(value["error"]["code"], "evaluation_error");
    assert_eq!(value["error"]["class"], "ZeroDivide");
    assert!(!value["error"]["stack"].as_array().unwrap().is_empty());

    let (output, stdout, _) = at(&["eval", "--json", "3 +"]);
    assert_eq!(code(&output), FAILURE);
    let value = json_line(&stdout);
    assert_eq!(value["error"]["code"], "syntax_error");
    assert_eq!(value["error"]["line"], 1);
    assert!(value["error"]["column"].is_u64());
}

#[test]
fn ping_and_test_connection_show_round_trip_uptime_and_server() {
    let server = TestServer::start();
    let home = TempDir::new("cli");
    let at = |args: &[&str]| stui_at(home.path(), &server.address, args);

    let (output, stdout, _) = at(&["ping"]);
    assert_eq!(code(&output), SUCCESS);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.starts_with(&format!("{}: round trip ", server.address)));
    assert!(stdout.contains(" ms, server up "), "{stdout}");

    let (output, stdout, _) = at(&["ping", "--json"]);
    assert_eq!(code(&output), SUCCESS);
    let value = json_line(&stdout);
    assert_eq!(value["ok"], true);
    assert_eq!(value["address"], server.address.as_str());
    assert!(value["round_trip_ms"].is_f64());
    assert!(value["uptime_ms"].is_u64());

    let (output, stdout, stderr) = at(&["--test-connection"]);
    assert_eq!(code(&output), SUCCESS, "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(lines[0].contains("round trip"), "{stdout}");
    assert!(
        lines[1].starts_with("server: stui-gst ") && lines[1].contains("GNU Smalltalk 3.2.5"),
        "{stdout}"
    );

    let (output, stdout, _) = at(&["--test-connection", "--json"]);
    assert_eq!(code(&output), SUCCESS);
    let value = json_line(&stdout);
    assert_eq!(value["ok"], true);
    assert_eq!(value["server"]["dialect"], "GNU Smalltalk");
    assert_eq!(value["server"]["dialect_version"], "3.2.5");
    assert_eq!(value["server"]["pid"], server.pid());
}

#[test]
fn ping_test_connection_and_eval_against_nothing_exit_2() {
    let home = TempDir::new("cli");
    for args in [
        &["ping"][..],
        &["--test-connection"],
        &["eval", "3 + 4"],
        &["bench", "-n", "3"],
    ] {
        let (output, stdout, stderr, address) = stui_against_nothing(home.path(), args);
        assert_eq!(code(&output), CONNECTION, "{args:?}: {stderr}");
        assert_eq!(stdout, "", "{args:?}");
        assert!(
            stderr.contains(&format!("no reply from {address} after 2 tries")),
            "{args:?}: {stderr}"
        );
    }
    for args in [
        &["ping", "--json"][..],
        &["--test-connection", "--json"],
        &["eval", "--json", "3 + 4"],
        &["--benchmark", "--json"],
    ] {
        let (output, stdout, stderr, _) = stui_against_nothing(home.path(), args);
        assert_eq!(code(&output), CONNECTION, "{args:?}");
        assert_eq!(stderr, "", "{args:?}");
        let value = json_line(&stdout);
        assert_eq!(value["ok"], false, "{args:?}");
        assert!(
            value["connection_error"]
                .as_str()
                .is_some_and(|e| e.starts_with("no reply from")),
            "{args:?}: {value}"
        );
    }
}

#[test]
fn health_check_prints_one_line_and_exits_0_or_2() {
    let server = TestServer::start();
    let home = TempDir::new("cli");

    let (output, stdout, stderr) = stui_at(home.path(), &server.address, &["--health-check"]);
    assert_eq!(code(&output), SUCCESS, "{stderr}");
    assert_eq!(stderr, "");
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let words: Vec<&str> = stdout.split_whitespace().collect();
    assert_eq!(words[..3], ["healthy", server.address.as_str(), "stui-gst"]);
    assert!(words[4].parse::<f64>().is_ok(), "{stdout}");
    assert_eq!(words[5], "ms");

    let (output, stdout, _) = stui_at(
        home.path(),
        &server.address,
        &["--health-check", "--json", "--timeout", "2000"],
    );
    assert_eq!(code(&output), SUCCESS);
    let value = json_line(&stdout);
    assert_eq!(value["healthy"], true);
    assert_eq!(value["timeout_ms"], 2000);
    assert!(value["round_trip_ms"].is_f64());

    let (output, stdout, stderr, address) = stui_against_nothing(home.path(), &["--health-check"]);
    assert_eq!(code(&output), CONNECTION);
    assert_eq!(stderr, "");
    assert_eq!(
        stdout,
        format!("unhealthy {address}: no reply within 300 ms\n")
    );

    let (output, stdout, _, address) = stui_against_nothing(
        home.path(),
        &["--health-check", "--timeout", "150", "--json"],
    );
    assert_eq!(code(&output), CONNECTION);
    let value = json_line(&stdout);
    assert_eq!(value["healthy"], false);
    assert_eq!(value["address"], address.as_str());
    assert_eq!(value["error"], "no reply within 150 ms");
}

#[test]
fn status_json_describes_server_memory_and_files() {
    let server = TestServer::start();
    let home = TempDir::new("cli");
    let config = fast_config(home.path());
    let (output, stdout, stderr) = run(stui(home.path()).arg("--config").arg(&config).args([
        "--address",
        &server.address,
        "--status",
        "--json",
    ]));
    assert_eq!(code(&output), SUCCESS, "{stderr}");
    let status = json_line(&stdout);
    assert_eq!(status["status"], "up");
    let connection = &status["server_connection"];
    assert_eq!(connection["address"], server.address.as_str());
    assert_eq!(connection["reachable"], true);
    assert!(connection["round_trip_ms"].is_f64());
    assert!(connection["error"].is_null());
    assert_eq!(status["server"]["server"], "stui-gst 0.1.0");
    assert_eq!(status["server"]["pid"], server.pid());
    assert!(status["last_response_ms"].is_f64());
    assert!(status["uptime_ms"].is_u64());
    let memory = &status["memory_usage"];
    assert!(
        memory["server_rss_bytes"]
            .as_u64()
            .is_some_and(|b| b > 1_000_000),
        "{memory}"
    );
    assert!(
        memory["client_rss_bytes"].as_u64().is_some_and(|b| b > 0),
        "{memory}"
    );
    assert_eq!(status["client"]["version"], env!("CARGO_PKG_VERSION"));
    assert!(status["client"]["session"].is_string());
    assert!(
        status["config_file"]
            .as_str()
            .is_some_and(|f| f.ends_with("fast.toml")),
        "{status}"
    );
    assert!(
        status["log_file"]
            .as_str()
            .is_some_and(|f| f.starts_with(home.path().to_str().unwrap())),
        "{status}"
    );
    assert!(
        status["local_server"]["pid"].is_null(),
        "no stui server start here"
    );
    assert!(status["local_server"]["pid_file"].is_string());

    let (output, stdout, _) = stui_at(home.path(), &server.address, &["--status"]);
    assert_eq!(code(&output), SUCCESS);
    assert!(stdout.starts_with("status:       up\n"), "{stdout}");
    assert!(stdout.contains("GNU Smalltalk 3.2.5"), "{stdout}");
}

#[test]
fn status_against_nothing_is_down_with_exit_2() {
    let home = TempDir::new("cli");
    let (output, stdout, _, address) = stui_against_nothing(home.path(), &["--status", "--json"]);
    assert_eq!(code(&output), CONNECTION);
    let status = json_line(&stdout);
    assert_eq!(status["status"], "down");
    assert_eq!(status["server_connection"]["address"], address.as_str());
    assert_eq!(status["server_connection"]["reachable"], false);
    assert!(status["server_connection"]["error"].is_string());
    assert!(status["server"].is_null());
    assert!(status["memory_usage"]["server_rss_bytes"].is_null());

    let (output, stdout, _, _) = stui_against_nothing(home.path(), &["--status"]);
    assert_eq!(code(&output), CONNECTION);
    assert!(stdout.starts_with("status:       down\n"), "{stdout}");
}

/// The numbers of a row of the benchmark table: count, p50, p90, p99, max, req/s.
fn bench_row(stdout: &str, label: &str) -> Vec<f64> {
    let line = stdout
        .lines()
        .find(|line| line.starts_with(label))
        .unwrap_or_else(|| panic!("no {label} row in {stdout}"));
    let words: Vec<&str> = line.split_whitespace().collect();
    words[words.len() - 6..]
        .iter()
        .map(|w| w.parse().unwrap_or_else(|_| panic!("{w} in {line}")))
        .collect()
}

#[test]
fn bench_prints_percentiles_for_client_and_bare_socket() {
    let server = TestServer::start();
    let home = TempDir::new("cli");

    let (output, stdout, stderr) = stui_at(home.path(), &server.address, &["bench", "-n", "5"]);
    assert_eq!(code(&output), SUCCESS, "{stderr}");
    for label in ["evaluate 3 + 4", "client ping", "bare zmq ping"] {
        let row = bench_row(&stdout, label);
        assert_eq!(row[0], 5.0, "{label}: {stdout}");
        assert!(
            row[1] <= row[2] && row[2] <= row[3] && row[3] <= row[4],
            "{stdout}"
        );
    }
    let overhead = stdout
        .lines()
        .find(|l| l.starts_with("client overhead:"))
        .expect("an overhead line");
    let ratios: Vec<f64> = overhead
        .split('=')
        .skip(1)
        .map(|part| part.split(',').next().unwrap().trim().parse().unwrap())
        .collect();
    assert_eq!(ratios.len(), 2, "{overhead}");

    let (output, stdout, _) = stui_at(
        home.path(),
        &server.address,
        &["--benchmark", "-n", "4", "--code", "6 * 7", "--json"],
    );
    assert_eq!(code(&output), SUCCESS);
    let report = json_line(&stdout);
    assert_eq!(report["count"], 4);
    assert_eq!(report["code"], "6 * 7");
    for kind in ["evaluate", "client_ping", "bare_ping"] {
        let summary = &report[kind];
        assert_eq!(summary["count"], 4, "{kind}");
        for figure in ["p50_us", "p90_us", "p99_us", "max_us"] {
            assert!(summary[figure].is_u64(), "{kind}.{figure}: {report}");
        }
        assert!(summary["requests_per_second"].is_number(), "{report}");
    }
    assert!(report["overhead"]["client_ping_p50_ratio"].is_number());
    assert!(report["overhead"]["evaluate_p50_ratio"].is_number());

    let (output, _, stderr) = stui_at(
        home.path(),
        &server.address,
        &["bench", "-n", "2", "--code", "1/0"],
    );
    assert_eq!(code(&output), FAILURE);
    assert!(stderr.contains("ZeroDivide"), "{stderr}");
}

/// The members of a tar.gz: name (without the top directory) and text.
fn unpack(path: &Path) -> Vec<(String, String)> {
    let file = std::fs::File::open(path).unwrap();
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
    archive
        .entries()
        .unwrap()
        .map(|entry| {
            let mut entry = entry.unwrap();
            let name = entry.path().unwrap().display().to_string();
            let (top, name) = name.split_once('/').expect("one top directory");
            assert!(top.starts_with("stui-support-"), "{top}");
            let mut text = String::new();
            entry.read_to_string(&mut text).unwrap();
            (name.to_string(), text)
        })
        .collect()
}

/// Every key that names a secret holds "<removed>" (or nothing: an empty
/// value hides nothing), at any depth.
fn assert_no_secrets(value: &toml::Value, path: &str) {
    if let toml::Value::Table(table) = value {
        for (key, value) in table {
            if stui::cli::bundle::is_secret_key(key) {
                let shown = value.as_str();
                assert!(
                    matches!(shown, Some("<removed>" | "")),
                    "{path}.{key}: {shown:?}"
                );
            } else {
                assert_no_secrets(value, &format!("{path}.{key}"));
            }
        }
    }
}

fn member<'a>(members: &'a [(String, String)], name: &str) -> &'a str {
    &members
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no {name} in {:?}", names(members)))
        .1
}

fn names(members: &[(String, String)]) -> Vec<&str> {
    members.iter().map(|(n, _)| n.as_str()).collect()
}

fn check_bundle_basics(members: &[(String, String)]) {
    for name in [
        "config.toml",
        "user-config.toml",
        "stui.log",
        "describe.json",
        "status.json",
        "versions.txt",
        "platform.txt",
    ] {
        member(members, name);
    }
    for name in ["config.toml", "user-config.toml"] {
        let config: toml::Value = toml::from_str(member(members, name)).unwrap();
        assert_no_secrets(&config, name);
        assert_eq!(
            config["ui"]["keymap"].as_str(),
            Some("/home/u/my-keys.toml"),
            "keymap is not a secret"
        );
    }
    let effective: toml::Value = toml::from_str(member(members, "config.toml")).unwrap();
    assert_eq!(
        effective["server"]["request_timeout_ms"].as_integer(),
        Some(300)
    );
    let versions = member(members, "versions.txt");
    assert!(versions.starts_with("stui "), "{versions}");
    assert!(versions.contains("libzmq "), "{versions}");
    assert!(versions.contains("GNU Smalltalk"), "{versions}");
    let platform = member(members, "platform.txt");
    assert!(platform.contains("uname -a: Linux"), "{platform}");
    assert!(platform.contains("cpus: "), "{platform}");
}

#[test]
fn support_bundle_holds_redacted_config_logs_describe_and_versions() {
    let server = TestServer::start();
    let home = TempDir::new("cli");
    let config = fast_config(home.path());
    // The local server's log at this address is bundled too.
    let port = server.address.rsplit(':').next().unwrap();
    let server_log = home.path().join(format!("data/stui/server-{port}.log"));
    std::fs::create_dir_all(server_log.parent().unwrap()).unwrap();
    std::fs::write(&server_log, "server started\n").unwrap();

    let bundle = home.path().join("bundle.tar.gz");
    let (output, stdout, stderr) = run(stui(home.path()).arg("--config").arg(&config).args([
        "--address",
        &server.address,
        "--generate-support-bundle",
        bundle.to_str().unwrap(),
    ]));
    assert_eq!(code(&output), SUCCESS, "{stderr}");
    assert_eq!(stdout.trim_end(), bundle.display().to_string());
    let members = unpack(&bundle);
    check_bundle_basics(&members);
    assert_eq!(member(&members, "server.log"), "server started\n");
    let describe: Value = serde_json::from_str(member(&members, "describe.json")).unwrap();
    assert_eq!(describe["dialect"], "GNU Smalltalk");
    assert_eq!(describe["pid"], server.pid());

    // Without a PATH: stui-support-<UTC timestamp>.tar.gz in the current directory.
    let (output, stdout, _) = run(stui(home.path())
        .current_dir(home.path())
        .arg("--config")
        .arg(&config)
        .args(["--address", &server.address, "--generate-support-bundle"]));
    assert_eq!(code(&output), SUCCESS);
    let name = stdout.trim_end();
    assert!(
        name.starts_with("stui-support-") && name.ends_with("Z.tar.gz"),
        "{name}"
    );
    assert!(home.path().join(name).is_file());
}

#[test]
fn support_bundle_is_produced_with_the_server_down() {
    let home = TempDir::new("cli");
    let bundle = home.path().join("down.tar.gz");
    let (output, stdout, stderr, address) = stui_against_nothing(
        home.path(),
        &["--generate-support-bundle", bundle.to_str().unwrap()],
    );
    assert_eq!(code(&output), SUCCESS, "{stderr}");
    assert_eq!(stdout.trim_end(), bundle.display().to_string());
    let members = unpack(&bundle);
    check_bundle_basics(&members);
    let describe: Value = serde_json::from_str(member(&members, "describe.json")).unwrap();
    assert_eq!(describe["address"], address.as_str());
    assert!(
        describe["error"]
            .as_str()
            .is_some_and(|e| e.starts_with("no reply from")),
        "{describe}"
    );
}

#[test]
fn support_bundle_has_the_audit_tail_and_never_a_secret_key() {
    let home = TempDir::new("cli");
    let secret = "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs";
    let keys = home.path().join("config/stui/keys");
    std::fs::create_dir_all(&keys).unwrap();
    let key_file = format!(
        "# STUI CURVE secret key (server). Keep it private: anyone holding it can act as this key.\n\
         public_key = \"Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{{hID\"\nsecret_key = \"{secret}\"\n"
    );
    std::fs::write(keys.join("server.key"), key_file).unwrap();
    let data = home.path().join("data/stui");
    std::fs::create_dir_all(&data).unwrap();
    // A log that caught the secret (say, a key file pasted into an evaluation).
    std::fs::write(data.join("stui.log"), format!("pasted {secret} here\n")).unwrap();
    let audit: String = (1..=250)
        .map(|n| format!("{{\"session\":\"s\",\"type\":\"evaluate\",\"n\":{n}}}\n"))
        .collect();
    std::fs::write(data.join("audit.log"), audit).unwrap();

    let bundle = home.path().join("keys.tar.gz");
    let (output, _, stderr, _) = stui_against_nothing(
        home.path(),
        &["--generate-support-bundle", bundle.to_str().unwrap()],
    );
    assert_eq!(code(&output), SUCCESS, "{stderr}");
    let members = unpack(&bundle);
    for (name, text) in &members {
        assert!(!name.ends_with(".key"), "{name} in the bundle");
        assert!(!text.contains(secret), "the secret key in {name}:\n{text}");
    }
    assert!(member(&members, "stui.log").contains("<line removed: it held a secret key>"));
    let audit = member(&members, "audit.log");
    assert_eq!(audit.lines().count(), 200, "{audit}");
    assert!(audit.starts_with("{\"session\":\"s\",\"type\":\"evaluate\",\"n\":51}\n"));
    assert!(audit.ends_with("\"n\":250}\n"), "{audit}");
}

#[test]
fn server_start_refuses_a_bind_beyond_loopback_without_keys() {
    let home = TempDir::new("cli");
    let port = free_port();
    let address = format!("tcp://127.0.0.1:{port}");
    let bind = format!("tcp://0.0.0.0:{port}");
    let start = |extra: &[&str]| {
        run(stui(home.path())
            .args(["--address", &address, "server", "start", "--bind", &bind])
            .args(extra))
    };
    let (output, stdout, stderr) = start(&[]);
    assert_eq!(code(&output), FAILURE, "{stdout}");
    assert_eq!(
        stderr,
        format!(
            "stui: refusing to listen on {bind} without encryption: set \
             local_server.server_key and local_server.authorized_keys (see stui keygen --server)\n"
        )
    );
    // One key option without the other is refused too; nothing was started.
    let (output, _, stderr) = start(&["--server-key", "/nonexistent/server.key"]);
    assert_eq!(code(&output), FAILURE);
    assert!(stderr.contains("go together"), "{stderr}");
    assert!(stui::server::ping_once(&address, Duration::from_millis(200)).is_none());
}

#[test]
fn usage_errors_exit_64_and_help_lists_the_exit_statuses() {
    let home = TempDir::new("cli");
    for args in [
        &["--status", "--health-check"][..],
        &["--json"],
        &["--status", "eval", "3"],
        &["--benchmark", "--generate-support-bundle"],
        &["-n", "5"],
        &["eval"],
        &["bench", "-n", "zero"],
        &["--no-such-flag"],
    ] {
        let (output, stdout, stderr) = run(stui(home.path()).args(args));
        assert_eq!(code(&output), USAGE, "{args:?}: {stderr}");
        assert_eq!(stdout, "", "{args:?}");
        assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
    }
    let (output, stdout, _) = run(stui(home.path()).arg("--help"));
    assert_eq!(code(&output), SUCCESS);
    for listed in [
        "Exit status:",
        "  0 ",
        "  1 ",
        "  2 ",
        "  64 ",
        "  78 ",
        "--health-check",
    ] {
        assert!(stdout.contains(listed), "{listed} in {stdout}");
    }
    let (output, stdout, _) = run(stui(home.path()).arg("--version"));
    assert_eq!(code(&output), SUCCESS);
    assert_eq!(stdout, format!("stui {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn configuration_errors_exit_78_with_file_and_line() {
    let home = TempDir::new("cli");
    let config = home.path().join("bad.toml");
    std::fs::write(
        &config,
        "[server]\naddress = \"tcp://127.0.0.1:1\"\ntries = = 3\n",
    )
    .unwrap();
    for args in [
        &["--health-check"][..],
        &["--status", "--json"],
        &["eval", "1"],
    ] {
        let (output, stdout, stderr) =
            run(stui(home.path()).arg("--config").arg(&config).args(args));
        assert_eq!(code(&output), CONFIG, "{args:?}");
        assert_eq!(stdout, "");
        assert!(stderr.contains("bad.toml:3:"), "{args:?}: {stderr}");
    }
}

#[test]
fn eval_fails_over_to_the_first_backup_that_answers() {
    let server = TestServer::start();
    let home = TempDir::new("cli-failover");
    let dead = format!("tcp://127.0.0.1:{}", free_port());
    let config = home.path().join("failover.toml");
    std::fs::write(
        &config,
        format!(
            "[server]\naddress = \"{dead}\"\nrequest_timeout_ms = 300\ntries = 1\n\
             [failover]\nbackup_servers = [\"{dead}\", \"{}\"]\n",
            server.address
        ),
    )
    .unwrap();
    let (output, stdout, stderr) = run(stui(home.path())
        .arg("--config")
        .arg(&config)
        .args(["eval", "3 + 4"]));
    assert!(output.status.success(), "{stderr}");
    assert_eq!(stdout, "7\n");

    // With no backup answering, the failure names the last one tried.
    drop(server);
    let (output, _, stderr) = run(stui(home.path())
        .arg("--config")
        .arg(&config)
        .args(["eval", "3 + 4"]));
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("no reply from tcp://127.0.0.1:"),
        "{stderr}"
    );
}

// -- hostile or restarted servers, liveness, localhost

/// A fake server (a real ROUTER socket): answers ping with instance `i1`
/// and every evaluate with `evaluate_reply(id)`. Stops when dropped.
fn fake_server(
    evaluate_reply: impl Fn(&Value) -> Value + Send + 'static,
) -> (String, common::Background) {
    let address = format!("tcp://127.0.0.1:{}", free_port());
    let context = zmq::Context::new();
    let socket = context.socket(zmq::ROUTER).unwrap();
    socket.set_linger(0).unwrap();
    socket.bind(&address).unwrap();
    let serving = common::Background::spawn(move |stop| {
        let _context = context;
        while !stop.load(std::sync::atomic::Ordering::Relaxed) {
            if socket.poll(zmq::POLLIN, 20).unwrap() == 0 {
                continue;
            }
            let frames = socket.recv_multipart(0).unwrap();
            let body: Value = serde_json::from_slice(frames.last().unwrap()).unwrap();
            let reply = match body["type"].as_str() {
                Some("evaluate") => evaluate_reply(&body["id"]),
                _ => serde_json::json!({"stui": 1, "id": body["id"], "ok": true,
                                        "result": {"uptime_ms": 1, "instance": "i1"}}),
            };
            let bytes = reply.to_string().into_bytes();
            socket
                .send_multipart([frames[0].clone(), Vec::new(), bytes], 0)
                .unwrap();
        }
    });
    (address, serving)
}

/// Prints terminal control sequences: clear screen, a window title, the
/// clipboard (OSC 52), a bell and the C1 CSI.
const HOSTILE_PRINT: &str = "\u{1b}[2J\u{1b}]0;owned\u{7}\u{1b}]52;c;cm0gLXJm\u{7}\u{9b}31mred";

fn hostile_value(id: &Value) -> Value {
    serde_json::json!({"stui": 1, "id": id, "ok": true, "result": {
        "print": HOSTILE_PRINT, "class": "String", "truncated": false,
        "handle": "h", "output": "", "duration_us": 1}})
}

#[test]
fn eval_escapes_control_characters_on_a_terminal_and_raw_prints_them() {
    let (address, _server) = fake_server(hostile_value);
    let home = TempDir::new("cli");
    // A pipe: the text as it is, with or without --raw.
    for args in [&["eval", "x"][..], &["eval", "--raw", "x"]] {
        let (output, stdout, _) = stui_at(home.path(), &address, args);
        assert!(output.status.success());
        assert_eq!(stdout, format!("{HOSTILE_PRINT}\n"), "{args:?}");
    }
    // A terminal (a pty made by script(1)): escaped, unless --raw.
    let on_terminal = |extra: &str| {
        let command = format!(
            "{} --address {address} eval {extra} x",
            env!("CARGO_BIN_EXE_stui")
        );
        let mut script = Command::new("script");
        script
            .env("HOME", home.path())
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .env("XDG_DATA_HOME", home.path().join("data"))
            .env("XDG_RUNTIME_DIR", home.path().join("run"))
            .args(["-qec", &command, "/dev/null"])
            .stdin(Stdio::null());
        let (output, stdout, _) = run(&mut script);
        assert!(output.status.success(), "{stdout}");
        stdout
    };
    let escaped = on_terminal("");
    assert!(
        escaped.contains(r"\e[2J\e]0;owned\x07\e]52;c;cm0gLXJm\x07\u{9b}31mred"),
        "{escaped:?}"
    );
    assert!(!escaped.contains('\u{1b}'), "{escaped:?}");
    assert!(on_terminal("--raw").contains(HOSTILE_PRINT));
}

#[test]
fn eval_caught_by_a_server_restart_exits_3_saying_the_outcome_is_unknown() {
    let (address, _server) = fake_server(|id| {
        serde_json::json!({"stui": 1, "id": id, "ok": false, "error": {
            "code": "server_restarted", "message": "instance differs", "instance": "i2"}})
    });
    let home = TempDir::new("cli");
    let (output, stdout, stderr) = stui_at(home.path(), &address, &["eval", "x := 1"]);
    assert_eq!(code(&output), 3, "{stderr}");
    assert_eq!(stdout, "");
    assert!(
        stderr.contains(
            "the server restarted while this request was in flight: its outcome is unknown \
             (it was not run again); session variables are gone"
        ),
        "{stderr}"
    );
    let (_, help, _) = run(stui(home.path()).arg("--help"));
    assert!(help.contains("3   the server restarted"), "{help}");
}

#[test]
fn eval_reports_a_server_killed_mid_evaluation_within_seconds() {
    let mut server = TestServer::start();
    let home = TempDir::new("cli");
    let config = home.path().join("live.toml");
    std::fs::write(
        &config,
        "[server]\nrequest_timeout_ms = 400\ntries = 2\nheartbeat_ms = 500\n",
    )
    .unwrap();
    let child = stui(home.path())
        .arg("--config")
        .arg(&config)
        .args([
            "--address",
            &server.address,
            "eval",
            "(Delay forSeconds: 30) wait",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1000));
    // SIGKILL: nothing of the server answers any more.
    server.kill();
    let killed = Instant::now();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        killed.elapsed() < Duration::from_secs(5),
        "reported after {:?}",
        killed.elapsed()
    );
    assert_eq!(code(&output), 2, "{stderr}");
    assert!(
        stderr.contains(&format!(
            "the server at {} stopped answering during the evaluation",
            server.address
        )),
        "{stderr}"
    );
}

#[test]
fn localhost_addresses_work() {
    let server = TestServer::start();
    let port = server.address.rsplit(':').next().unwrap();
    let home = TempDir::new("cli");
    let localhost = format!("tcp://localhost:{port}");
    let (output, stdout, stderr) = stui_at(home.path(), &localhost, &["eval", "3 + 4"]);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(stdout, "7\n");
    let (output, _, stderr) = stui_at(home.path(), &localhost, &["ping"]);
    assert!(output.status.success(), "{stderr}");
}
