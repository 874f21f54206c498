//! The user's work survives: saved images and the changes log, through
//! the real `stui` binary and the real GNU Smalltalk server it starts.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{StopOnDrop, TempDir, free_port, stui_in};
use serde_json::Value;
use stui::net::{Client, ClientOptions};
use stui::protocol::{CompileParams, CompileResult, RequestBody};

/// What `stui eval CODE` printed, asserting it succeeded.
fn eval(home: &Path, address: &str, code: &str) -> String {
    let output = stui_in(home, address, &["eval", code]);
    assert!(output.status.success(), "{code}: {output:?}");
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

fn start(home: &Path, address: &str, args: &[&str]) -> String {
    let output = stui_in(home, address, &[&["server", "start"], args].concat());
    assert!(output.status.success(), "{output:?}");
    String::from_utf8_lossy(&output.stdout).to_string()
}

/// Class Account with `deposit:` compiled through the protocol's
/// `compile` and `balance` by evaluating `compile:` (classic syntax).
fn define_account(home: &Path, address: &str) {
    eval(
        home,
        address,
        "Object subclass: #Account instanceVariableNames: 'balance' classVariableNames: '' package: 'Bank'",
    );
    let mut client = Client::new(
        address,
        "images-test",
        ClientOptions {
            request_timeout: Duration::from_secs(10),
            ..ClientOptions::default()
        },
    );
    let compiled = client
        .call::<CompileResult>(RequestBody::Compile(CompileParams {
            class: "Account".into(),
            source: "deposit: amount\n\tbalance := (balance ifNil: [0]) + amount".into(),
            protocol: Some("operations".into()),
            meta: None,
        }))
        .expect("the server answers compile")
        .value
        .expect("deposit: compiles");
    assert_eq!(compiled.selector, "deposit:");
    eval(
        home,
        address,
        "Account compile: 'balance\n\t^balance ifNil: [0]'",
    );
}

fn account_answers(home: &Path, address: &str) -> String {
    eval(
        home,
        address,
        "| a | a := Account new. a deposit: 30; deposit: 12. a balance",
    )
}

#[test]
fn methods_defined_two_ways_survive_stop_and_start() {
    let home = TempDir::new("images-stop");
    let address = format!("tcp://127.0.0.1:{}", free_port());
    let started = stui_in(home.path(), &address, &["server", "start"]);
    let _stop = StopOnDrop::after(started, home.path(), &address);
    define_account(home.path(), &address);
    assert_eq!(account_answers(home.path(), &address), "42");

    let stopped = stui_in(home.path(), &address, &["server", "stop"]);
    let said = String::from_utf8_lossy(&stopped.stdout).to_string();
    assert!(said.contains("saved the image \"default\""), "{said}");
    let started = start(home.path(), &address, &[]);
    assert!(started.contains("from the saved image"), "{started}");
    assert_eq!(account_answers(home.path(), &address), "42");
    // An image started from a saved one saves again.
    let saved = stui_in(home.path(), &address, &["server", "save"]);
    assert!(saved.status.success(), "{saved:?}");

    // --fresh is the bundled server alone; the saved image stays.
    stui_in(home.path(), &address, &["server", "stop", "--no-save"]);
    start(home.path(), &address, &["--fresh"]);
    assert_eq!(
        eval(home.path(), &address, "Smalltalk includesKey: #Account"),
        "false"
    );
    let listed = stui_in(home.path(), &address, &["server", "images", "--json"]);
    let json: Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(json["images"][0]["name"], "default", "{json}");
    assert_eq!(json["images"][0]["outdated"], false, "{json}");
}

#[test]
fn a_second_save_keeps_the_first_as_a_backup_and_names_are_checked() {
    let home = TempDir::new("images-save");
    let address = format!("tcp://127.0.0.1:{}", free_port());
    let started = stui_in(home.path(), &address, &["server", "start"]);
    let _stop = StopOnDrop::after(started, home.path(), &address);
    eval(home.path(), &address, "Smalltalk at: #Marker put: 1");
    assert!(
        stui_in(home.path(), &address, &["server", "save", "work"])
            .status
            .success()
    );
    eval(home.path(), &address, "Smalltalk at: #Marker put: 2");
    assert!(
        stui_in(home.path(), &address, &["server", "save", "work"])
            .status
            .success()
    );
    let images = home.path().join("data/stui/images");
    assert!(images.join("work.im").is_file());
    assert!(images.join("work.im.bak").is_file());
    assert!(!images.join("work.im.partial").exists());

    let refused = stui_in(home.path(), &address, &["server", "save", "../evil"]);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("is not an image name"),
        "{refused:?}"
    );

    stui_in(home.path(), &address, &["server", "stop", "--no-save"]);
    start(home.path(), &address, &["--image", "work"]);
    assert_eq!(eval(home.path(), &address, "Smalltalk at: #Marker"), "2");
    let missing = stui_in(home.path(), &address, &["server", "stop", "--no-save"]);
    assert!(missing.status.success());
    let nothing = stui_in(home.path(), &address, &["server", "save"]);
    assert!(!nothing.status.success());
    assert!(
        String::from_utf8_lossy(&nothing.stderr).contains("no server answers"),
        "{nothing:?}"
    );
    let unknown = stui_in(
        home.path(),
        &address,
        &["server", "start", "--image", "nope"],
    );
    assert!(!unknown.status.success());
    let said = String::from_utf8_lossy(&unknown.stderr);
    assert!(
        said.contains("no saved image named \"nope\"") && said.contains("work"),
        "{said}"
    );
}

#[test]
fn after_kill_9_changes_replay_brings_the_methods_back() {
    let home = TempDir::new("images-crash");
    let port = free_port();
    let address = format!("tcp://127.0.0.1:{port}");
    let started = stui_in(home.path(), &address, &["server", "start"]);
    let _stop = StopOnDrop::after(started, home.path(), &address);
    define_account(home.path(), &address);

    // The machine dies: supervisor and server, with no chance to save.
    let status = stui_in(home.path(), &address, &["server", "status", "--json"]);
    let json: Value = serde_json::from_slice(&status.stdout).unwrap();
    for pid in [&json["supervisor_pid"], &json["server_pid"]] {
        let pid = pid.as_i64().expect("a pid") as i32;
        unsafe { libc::kill(pid, libc::SIGKILL) };
    }
    while stui::server::ping_once(&address, Duration::from_millis(200)).is_some() {}

    start(home.path(), &address, &[]);
    let gone = stui_in(home.path(), &address, &["eval", "Account new balance"]);
    assert!(!gone.status.success(), "the class died with the server");
    let replayed = stui_in(home.path(), &address, &["changes", "replay"]);
    assert!(replayed.status.success(), "{replayed:?}");
    assert_eq!(account_answers(home.path(), &address), "42");
}

#[test]
fn an_image_of_an_older_server_is_rebuilt_from_its_history() {
    let home = TempDir::new("images-rebuild");
    let address = format!("tcp://127.0.0.1:{}", free_port());
    let started = stui_in(home.path(), &address, &["server", "start"]);
    let _stop = StopOnDrop::after(started, home.path(), &address);
    define_account(home.path(), &address);
    assert!(
        stui_in(home.path(), &address, &["server", "stop"])
            .status
            .success()
    );

    // As if the server sources or gst had changed since the save.
    let meta_path = home.path().join("data/stui/images/default.json");
    let mut meta: Value =
        serde_json::from_str(&std::fs::read_to_string(&meta_path).unwrap()).unwrap();
    meta["stamp"] = Value::from("0000000000000000");
    std::fs::write(&meta_path, meta.to_string()).unwrap();

    let said = start(home.path(), &address, &[]);
    assert!(
        said.contains("rebuilt on this one from its history"),
        "{said}"
    );
    assert_eq!(account_answers(home.path(), &address), "42");
    let listed = stui_in(home.path(), &address, &["server", "images", "--json"]);
    let json: Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(json["images"][0]["outdated"], false, "saved again: {json}");
}

#[test]
fn a_server_a_tui_started_and_no_session_uses_is_saved_and_stopped() {
    let dir = TempDir::new("images-idle");
    let address = format!("tcp://127.0.0.1:{}", free_port());
    let mut local = common::local_server_in(dir.path(), &address);
    local.supervision.auto_stop_after = Duration::from_secs(3);
    // As a TUI starts it; the TUI was killed before it said anything.
    let started = local.spawn().expect("the server starts");
    assert!(started.launch.auto_started);
    let waited = std::time::Instant::now();
    while stui::server::ping_once(&address, Duration::from_millis(200)).is_some() {
        assert!(
            waited.elapsed() < Duration::from_secs(30),
            "the unused server is still up"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(
        waited.elapsed() >= Duration::from_secs(2),
        "stopped too soon"
    );
    assert!(local.image_path("default").is_file(), "saved first");
    let log = std::fs::read_to_string(&local.log_file).unwrap();
    assert!(log.contains("no session for"), "{log}");
}
