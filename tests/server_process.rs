//! The bundled server as a process, against the real GNU Smalltalk server:
//! no evaluation outlives its reply (the server is idle afterwards), what
//! evaluated code writes to stdout reaches the user, the processes it forks
//! are listed and stopped by `stui server processes`, the saved image starts
//! and survives a full garbage collection, and many clients at once neither
//! kill the server nor lose a reply.

mod common;

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::{StopOnDrop, TempDir, TestServer, free_port, stui_in};
use serde_json::Value;
use stui::net::{Client, ClientOptions};
use stui::protocol::{EvaluateParams, EvaluateResult, RequestBody};

fn client(server: &TestServer) -> Client {
    Client::new(
        &server.address,
        format!("test-{}", uuid::Uuid::new_v4()),
        ClientOptions {
            request_timeout: Duration::from_secs(5),
            tries: 1,
            ..ClientOptions::default()
        },
    )
}

fn evaluate(client: &mut Client, code: &str, timeout_ms: u64) -> Result<EvaluateResult, String> {
    let body = RequestBody::Evaluate(EvaluateParams {
        code: code.into(),
        timeout_ms: Some(timeout_ms),
        print_limit: None,
        receiver: None,
        debug: None,
    });
    match client.call::<EvaluateResult>(body) {
        Ok(timed) => timed
            .value
            .map_err(|error| format!("{:?}: {}", error.code, error.message)),
        Err(error) => Err(format!("no reply: {error}")),
    }
}

/// User plus system CPU time of a process, in clock ticks.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("the server runs");
    let after_name = stat.rsplit_once(')').expect("a stat line").1;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

#[test]
fn no_evaluation_keeps_running_after_its_reply() {
    let server = TestServer::start();
    let mut client = client(&server);
    let timed_out = evaluate(&mut client, "[true] whileTrue", 300).unwrap_err();
    assert!(timed_out.contains("Timeout"), "{timed_out}");
    let stubborn = evaluate(
        &mut client,
        "[[true] whileTrue] ensure: [[true] whileTrue]",
        300,
    )
    .unwrap_err();
    assert!(stubborn.contains("Timeout"), "{stubborn}");
    let live = evaluate(
        &mut client,
        "(Process allInstances select: [:p | p isTerminated not and: [p name = 'stui request']]) size",
        5000,
    )
    .unwrap();
    assert_eq!(live.print, "1", "only the evaluation asking is running");
    // Idle means under 1% of a core: at most 2 ticks of 10 ms in 2 s.
    std::thread::sleep(Duration::from_millis(300));
    let before = cpu_ticks(server.pid());
    std::thread::sleep(Duration::from_secs(2));
    let used = cpu_ticks(server.pid()) - before;
    assert!(
        used <= 2,
        "the server used {used} ticks in 2 s after the replies"
    );
}

#[test]
fn what_code_writes_to_stdout_and_stderr_is_its_output() {
    let server = TestServer::start();
    let mut client = client(&server);
    let result = evaluate(
        &mut client,
        "stdout nextPutAll: 'to stdout'; nl; flush. stderr nextPutAll: 'to stderr'; nl. Transcript showCr: 'to the Transcript'. 42",
        5000,
    )
    .unwrap();
    assert_eq!(result.print, "42");
    assert_eq!(result.output, "to stdout\nto stderr\nto the Transcript\n");
    let log = std::fs::read_to_string(&server.log_file).unwrap_or_default();
    assert!(
        !log.contains("to stdout"),
        "stdout of user code went to the log:\n{log}"
    );
}

#[test]
fn what_the_vm_writes_to_stderr_for_an_evaluation_is_its_output() {
    // A C call with an argument of the wrong type: the VM itself prints a
    // diagnostic to file descriptor 2 (GNU Smalltalk's Sockets tests do so
    // on purpose); it belongs to the evaluation, not to the server log.
    let server = TestServer::start();
    let mut client = client(&server);
    let result = evaluate(
        &mut client,
        "[StuiGstZmq close: 3] on: Error do: [:e | 'failed']",
        5000,
    )
    .unwrap();
    assert_eq!(result.print, "'failed'");
    assert!(
        result
            .output
            .starts_with("Attempt to pass an instance of SmallInteger as a void *"),
        "{:?}",
        result.output
    );
    let log = std::fs::read_to_string(&server.log_file).unwrap_or_default();
    assert!(!log.contains("void *"), "{log}");
}

#[test]
fn a_warning_shows_its_message_and_a_halt_ends_the_evaluation() {
    let server = TestServer::start();
    let mut client = client(&server);
    let warned = evaluate(&mut client, "(Warning signal: 'careful') printString", 5000).unwrap();
    assert_eq!(warned.print, "'nil'");
    assert!(
        warned.output.contains("Warning: careful"),
        "{}",
        warned.output
    );
    let halted = evaluate(&mut client, "self halt. 3", 5000).unwrap_err();
    assert!(halted.contains("EvaluationError"), "{halted}");
}

#[test]
fn server_processes_lists_forked_processes_and_stops_them() {
    let server = TestServer::start();
    let home = TempDir::new("processes");
    let mut client = client(&server);
    evaluate(
        &mut client,
        "ticker := [[true] whileTrue: [(Delay forMilliseconds: 50) wait]] newProcess. ticker name: 'ticker'; resume. 1",
        5000,
    )
    .unwrap();
    let listed = stui_in(
        home.path(),
        &server.address,
        &["server", "processes", "--json"],
    );
    assert!(listed.status.success());
    let json: Value = serde_json::from_slice(&listed.stdout).unwrap();
    let processes = json["processes"].as_array().unwrap();
    assert_eq!(processes.len(), 1, "{json}");
    assert_eq!(processes[0]["name"], "ticker");
    let id = processes[0]["id"].as_str().unwrap().to_string();
    let text = stui_in(home.path(), &server.address, &["server", "processes"]);
    let text = String::from_utf8_lossy(&text.stdout).to_string();
    assert!(text.contains(&id) && text.contains("\"ticker\""), "{text}");

    let stopped = stui_in(
        home.path(),
        &server.address,
        &["server", "processes", "--stop", &id],
    );
    assert!(stopped.status.success());
    assert!(String::from_utf8_lossy(&stopped.stdout).contains("stopping 1"));
    std::thread::sleep(Duration::from_millis(400));
    let ended = evaluate(&mut client, "ticker isTerminated", 5000).unwrap();
    assert_eq!(ended.print, "true");
    let listed = stui_in(
        home.path(),
        &server.address,
        &["server", "processes", "--json"],
    );
    let json: Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(json["total"], 0, "{json}");
}

#[test]
fn the_saved_image_starts_the_server_and_survives_a_full_collection() {
    let home = TempDir::new("image");
    let address = format!("tcp://127.0.0.1:{}", free_port());
    let first = stui_in(home.path(), &address, &["server", "start"]);
    assert!(first.status.success(), "{first:?}");
    let said = String::from_utf8_lossy(&first.stdout).to_string();
    assert!(
        said.contains("answered ping") && said.contains(".im"),
        "{said}"
    );
    let stop = stui_in(home.path(), &address, &["server", "stop"]);
    assert!(stop.status.success());

    let again = stui_in(home.path(), &address, &["server", "start"]);
    assert!(again.status.success());
    let collected = stui_in(
        home.path(),
        &address,
        &[
            "eval",
            "ObjectMemory globalGarbageCollect. ObjectMemory compact. 100 factorial printString size > 100",
        ],
    );
    assert_eq!(
        String::from_utf8_lossy(&collected.stdout),
        "true\n",
        "{collected:?}"
    );
    let describe = stui_in(home.path(), &address, &["--test-connection", "--json"]);
    let json: Value = serde_json::from_slice(&describe.stdout).unwrap();
    let image = json["server"]["image"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    // The stop saved the image, and the second start ran that one.
    assert!(image.ends_with("images/default.im"), "{json}");
    assert!(
        stui_in(home.path(), &address, &["server", "stop"])
            .status
            .success()
    );
}

#[test]
fn twenty_clients_at_once_get_every_reply_and_the_server_lives_on() {
    let server = TestServer::start();
    let options = ClientOptions {
        request_timeout: Duration::from_secs(5),
        tries: 1,
        ..ClientOptions::default()
    };
    let started = Instant::now();
    let report = stui::cli::load::run(
        &server.address,
        &options,
        "3 + 4",
        20,
        Duration::from_secs(3),
    );
    assert_eq!(report.errors, 0, "{}", report.to_text());
    assert!(report.evaluate.count > 100, "{}", report.to_text());
    assert!(report.min_per_client > 0, "{}", report.to_text());
    assert!(started.elapsed() < Duration::from_secs(20));
    let mut client = client(&server);
    assert_eq!(evaluate(&mut client, "3 + 4", 5000).unwrap().print, "7");
}

/// `stui` with isolated directories and a config file of the test's.
fn stui_configured(home: &Path, address: &str, config: &str, args: &[&str]) -> Output {
    let file = home.join("test-config.toml");
    std::fs::write(&file, config).unwrap();
    Command::new(env!("CARGO_BIN_EXE_stui"))
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_RUNTIME_DIR", home.join("run"))
        .arg("--config")
        .arg(&file)
        .args(["--address", address])
        .args(args)
        .output()
        .expect("stui runs")
}

/// Short supervision times, so that a test sees restarts in seconds.
const QUICK_SUPERVISION: &str = "[local_server]\nping_ms = 300\nunresponsive_after_ms = 2000\n\
    stop_grace_ms = 500\nrestart_backoff_ms = 200\n";

fn server_status(home: &Path, address: &str) -> Value {
    let output = stui_configured(
        home,
        address,
        QUICK_SUPERVISION,
        &["server", "status", "--json"],
    );
    serde_json::from_slice(&output.stdout).expect("server status --json prints JSON")
}

/// `stui server status --json` once the supervisor has seen its server
/// answer (a server killed before that counts as failing to start).
fn supervised_and_answering(home: &Path, address: &str) -> Value {
    let started = Instant::now();
    loop {
        let status = server_status(home, address);
        if status["server_answering"] == true {
            return status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the supervisor never saw its server answer: {status}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn alive(pid: u64) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        !stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z'))
    })
}

/// Processes whose command line names `needle`.
fn processes_naming(needle: &str) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter(|entry| entry.file_name().to_string_lossy().parse::<u64>().is_ok())
        .filter(|entry| alive(entry.file_name().to_string_lossy().parse().unwrap()))
        .filter_map(|entry| std::fs::read(entry.path().join("cmdline")).ok())
        .map(|raw| String::from_utf8_lossy(&raw).replace('\0', " "))
        .filter(|line| line.contains(needle))
        .collect()
}

fn send(pid: u64, signal: libc::c_int) {
    // SAFETY: kill(2) with a pid this test read from the supervisor.
    assert_eq!(unsafe { libc::kill(pid as libc::pid_t, signal) }, 0);
}

/// Waits up to `limit` for a ping that `accept`s the server's answer.
fn wait_for_ping(
    address: &str,
    limit: Duration,
    what: &str,
    accept: impl Fn(&stui::protocol::PingResult) -> bool,
) -> stui::protocol::PingResult {
    let started = Instant::now();
    loop {
        let mut client = Client::new(
            address,
            "supervision-test",
            ClientOptions {
                request_timeout: Duration::from_millis(500),
                tries: 1,
                ..ClientOptions::default()
            },
        );
        if let Ok(timed) = client.ping()
            && let Ok(ping) = timed.value
            && accept(&ping)
        {
            return ping;
        }
        assert!(started.elapsed() < limit, "no {what} within {limit:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn the_supervisor_restarts_a_killed_or_stopped_server_and_stop_leaves_nothing() {
    let home = TempDir::new("supervisor");
    let port = free_port();
    let address = format!("tcp://127.0.0.1:{port}");
    let run = |args: &[&str]| stui_configured(home.path(), &address, QUICK_SUPERVISION, args);
    let started = run(&["server", "start"]);
    let _stop = StopOnDrop::after(started, home.path(), &address);
    let first = wait_for_ping(&address, Duration::from_secs(5), "answer", |_| true);
    assert_eq!(
        first.process.restarts, None,
        "a first server was not restarted"
    );
    let status = supervised_and_answering(home.path(), &address);
    let supervisor = status["supervisor_pid"].as_u64().expect("a supervisor pid");
    let server = status["server_pid"].as_u64().expect("a server pid");
    assert_ne!(supervisor, server);

    send(server, libc::SIGKILL);
    let second = wait_for_ping(&address, Duration::from_secs(15), "new server", |ping| {
        ping.process.instance != first.process.instance
    });
    assert_eq!(
        second.process.restarts,
        Some(1),
        "the server log:\n{}",
        std::fs::read_to_string(home.path().join(format!("data/stui/server-{port}.log")))
            .unwrap_or_default()
    );
    let reason = second.process.restart_reason.clone().unwrap_or_default();
    assert!(reason.contains("signal 9"), "{reason}");
    let status = server_status(home.path(), &address);
    assert_eq!(status["restarts"], 1, "{status}");
    assert_eq!(status["supervisor_pid"], supervisor, "{status}");
    let stopped = status["server_pid"].as_u64().expect("the new server's pid");
    assert_ne!(stopped, server);

    // A server that stops answering (SIGSTOP) is killed and started again.
    supervised_and_answering(home.path(), &address);
    send(stopped, libc::SIGSTOP);
    let third = wait_for_ping(&address, Duration::from_secs(30), "restart", |ping| {
        ping.process.restarts == Some(2)
    });
    let reason = third.process.restart_reason.unwrap_or_default();
    assert!(reason.contains("stopped answering pings"), "{reason}");
    assert!(!alive(stopped), "the stopped server was killed");

    let stop = run(&["server", "stop"]);
    assert!(stop.status.success(), "{stop:?}");
    let newest = server_status(home.path(), &address);
    assert_eq!(newest["running"], false, "{newest}");
    assert!(!alive(supervisor), "the supervisor is gone");
    let left = processes_naming(&format!(":{port}"));
    assert!(left.is_empty(), "left running: {left:?}");
}

#[test]
fn a_killed_supervisor_takes_its_server_with_it() {
    let home = TempDir::new("supervisor-killed");
    let port = free_port();
    let address = format!("tcp://127.0.0.1:{port}");
    let started = stui_configured(
        home.path(),
        &address,
        QUICK_SUPERVISION,
        &["server", "start"],
    );
    let _stop = StopOnDrop::after(started, home.path(), &address);
    let status = server_status(home.path(), &address);
    let supervisor = status["supervisor_pid"].as_u64().unwrap();
    let server = status["server_pid"].as_u64().unwrap();
    send(supervisor, libc::SIGKILL);
    let deadline = Instant::now() + Duration::from_secs(10);
    while alive(server) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(!alive(server), "gst outlived its supervisor");
}

#[test]
fn a_localhost_address_starts_a_server_that_answers() {
    let home = TempDir::new("localhost");
    let address = format!("tcp://localhost:{}", free_port());
    let started = stui_in(home.path(), &address, &["server", "start"]);
    let _stop = StopOnDrop::after(started, home.path(), &address);
    let ping = stui_in(home.path(), &address, &["ping"]);
    assert!(ping.status.success(), "{ping:?}");
    let stop = stui_in(home.path(), &address, &["server", "stop"]);
    assert!(stop.status.success(), "{stop:?}");
}

/// Every file and directory under `dir` with a wider mode than private.
fn not_private(dir: &Path) -> Vec<String> {
    use std::os::unix::fs::PermissionsExt;
    let mut wrong = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return wrong;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let meta = std::fs::symlink_metadata(&path).unwrap();
        let mode = meta.permissions().mode() & 0o777;
        let expected = if meta.is_dir() { 0o700 } else { 0o600 };
        if mode != expected {
            wrong.push(format!("{:o} {}", mode, path.display()));
        }
        if meta.is_dir() {
            wrong.extend(not_private(&path));
        }
    }
    wrong
}

#[test]
fn what_stui_and_its_server_write_is_private() {
    let home = TempDir::new("private");
    let address = format!("tcp://127.0.0.1:{}", free_port());
    let started = stui_in(home.path(), &address, &["server", "start"]);
    let _stop = StopOnDrop::after(started, home.path(), &address);
    let evaluated = stui_in(
        home.path(),
        &address,
        &["eval", "Transcript showCr: 'hello'. 3 + 4"],
    );
    assert_eq!(String::from_utf8_lossy(&evaluated.stdout), "hello\n7\n");
    // The server has written its log and the VM's stderr file meanwhile.
    let status = stui_in(home.path(), &address, &["server", "status"]);
    assert!(status.status.success());
    let mut wrong = Vec::new();
    for dir in ["data", "config", "run"] {
        wrong.extend(not_private(&home.path().join(dir)));
    }
    let stop = stui_in(home.path(), &address, &["server", "stop"]);
    assert!(stop.status.success());
    assert!(
        home.path().join("data/stui/stui.log").is_file(),
        "the walk saw the client log"
    );
    assert!(wrong.is_empty(), "not private: {wrong:#?}");
}
