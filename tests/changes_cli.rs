//! `stui changes`, `stui filein` and `stui fileout` as a user runs them:
//! the real binary, a changes file in the server's format, and the real GNU
//! Smalltalk server.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use common::{TempDir, TestServer, free_port, run, stui};

const SUCCESS: i32 = 0;
const FAILURE: i32 = 1;
const CONNECTION: i32 = 2;
const USAGE: i32 = 64;

fn code(output: &Output) -> i32 {
    output.status.code().expect("stui exited")
}

/// A class (in the definition gst 3.2.5 knows), a method, a save, two more
/// methods (one with a `!` in a string), and a method the server was
/// writing when it was killed.
const SAMPLE: &str = r#"A note that is not an entry.
"stui-change time=2026-12-07T10:00:00.000Z session=- cause=server kind=start target=fresh"!

"stui-change time=2026-12-07T10:01:00.000Z session=3f2a1b9c-1234 cause=evaluate kind=class target=StuiSample"!
Object subclass: #StuiSample
	instanceVariableNames: 'a'
	classVariableNames: ''
	poolDictionaries: ''
	category: 'Demo'!

"stui-change time=2026-12-07T10:02:00.000Z session=3f2a1b9c-1234 cause=compile kind=method target=StuiSample>>bar"!
!StuiSample methodsFor: 'demo'!
bar
	"The answer"

	^42! !

"stui-change time=2026-12-07T10:03:00.000Z session=- cause=server kind=save target=/tmp/a.im"!

"stui-change time=2026-12-07T10:04:00.000Z session=3f2a1b9c-1234 cause=compile kind=method target=StuiSample>>baz"!
!StuiSample methodsFor: 'demo'!
baz
	^self bar + 1! !

"stui-change time=2026-12-07T10:05:00.000Z session=3f2a1b9c-1234 cause=compile kind=method target=StuiSample class>>qux"!
!StuiSample class methodsFor: 'demo'!
qux
	^
"#;

fn sample(dir: &Path) -> PathBuf {
    let file = dir.join("sample.changes");
    std::fs::write(&file, SAMPLE).unwrap();
    file
}

/// `stui changes --file <file> <args>` (the file option may come anywhere).
fn changes(home: &Path, file: &Path, args: &[&str]) -> (Output, String, String) {
    run(stui(home).arg("changes").arg("--file").arg(file).args(args))
}

/// A config file that makes an absent server fail fast: 300 ms a try, 2 tries.
fn against_nothing(home: &Path) -> Vec<String> {
    let config = home.join("fast.toml");
    std::fs::write(&config, "[server]\nrequest_timeout_ms = 300\ntries = 2\n").unwrap();
    let address = format!("tcp://127.0.0.1:{}", free_port());
    vec![
        "--config".into(),
        config.display().to_string(),
        "--address".into(),
        address,
    ]
}

#[test]
fn changes_lists_every_entry_and_flags_the_one_cut_short() {
    let home = TempDir::new("changes");
    let file = sample(home.path());
    let (output, stdout, stderr) = changes(home.path(), &file, &[]);
    assert_eq!(code(&output), SUCCESS, "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 6, "{stdout}");
    assert!(
        lines[1].contains("3f2a1b9c  evaluate  class"),
        "{}",
        lines[1]
    );
    assert!(lines[1].ends_with("StuiSample"), "{}", lines[1]);
    assert!(lines[5].ends_with("StuiSample class>>qux  (cut short: never replayed)"));
    assert!(stderr.contains("1 line belongs to no change"), "{stderr}");

    let (_, stdout, _) = changes(home.path(), &file, &["--since-save"]);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.contains("StuiSample>>baz"), "{stdout}");

    let (output, stdout, _) = changes(
        home.path(),
        &file,
        &["--since", "2026-12-07T10:03:00Z", "--json"],
    );
    assert_eq!(code(&output), SUCCESS);
    let listed: Value = serde_json::from_str(&stdout).unwrap();
    let entries = listed["entries"].as_array().unwrap();
    let kinds: Vec<&str> = entries
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["save", "method", "method"]);
    assert_eq!(entries[0]["session"], Value::Null);
    assert_eq!(
        entries[1]["body"],
        "!StuiSample methodsFor: 'demo'!\nbaz\n\t^self bar + 1! !"
    );
    assert_eq!(entries[2]["complete"], false);
}

#[test]
fn a_missing_changes_file_is_an_error_only_when_named() {
    let home = TempDir::new("changes");
    let (output, _, stderr) = changes(home.path(), &home.path().join("none.changes"), &[]);
    assert_eq!(code(&output), FAILURE);
    assert!(stderr.contains("cannot read the changes file"), "{stderr}");
    assert!(stderr.contains("none.changes"), "{stderr}");
    // The local server's own file, before any server logged to it.
    let (output, stdout, _) = run(stui(home.path()).arg("changes"));
    assert_eq!(code(&output), SUCCESS);
    assert!(stdout.starts_with("no changes in "), "{stdout}");
    assert!(
        stdout.trim_end().ends_with("server-5555.changes"),
        "{stdout}"
    );
}

#[test]
fn an_export_is_a_file_in_that_gst_reads() {
    let home = TempDir::new("changes");
    let file = sample(home.path());
    let out = home.path().join("out.st");
    let (output, stdout, stderr) = changes(home.path(), &file, &["export", out.to_str().unwrap()]);
    assert_eq!(code(&output), SUCCESS, "{stderr}");
    assert!(stdout.starts_with("wrote 3 changes to "), "{stdout}");
    assert!(
        stderr.contains(":25: method StuiSample class>>qux was cut short"),
        "{stderr}"
    );
    let exported = std::fs::read_to_string(&out).unwrap();
    assert!(!exported.contains("qux"), "{exported}");
    // Not replaced without --force; replaced with it.
    let (output, _, stderr) = changes(home.path(), &file, &["export", out.to_str().unwrap()]);
    assert_eq!(code(&output), FAILURE);
    assert!(stderr.contains("exists (--force replaces it)"), "{stderr}");
    let (output, stdout, _) = changes(
        home.path(),
        &file,
        &["export", out.to_str().unwrap(), "--since-save", "--force"],
    );
    assert_eq!(code(&output), SUCCESS);
    assert!(stdout.starts_with("wrote 1 changes to "), "{stdout}");
    // The whole export, header comments included, files into plain gst.
    changes(
        home.path(),
        &file,
        &["export", out.to_str().unwrap(), "--force"],
    );
    let check = home.path().join("check.st");
    std::fs::write(
        &check,
        "Transcript showCr: StuiSample new baz printString!\n",
    )
    .unwrap();
    let gst = std::process::Command::new("gst")
        .arg(&out)
        .arg(&check)
        .output()
        .expect("gst runs (scripts/install-deps.sh installs it)");
    let said =
        String::from_utf8_lossy(&gst.stdout).into_owned() + &String::from_utf8_lossy(&gst.stderr);
    assert_eq!(said.trim_start().lines().next(), Some("43"), "{said}");
    assert!(!said.contains("error"), "{said}");
}

#[test]
fn replay_with_nothing_to_replay_needs_no_server() {
    let home = TempDir::new("changes");
    let saved = home.path().join("saved.changes");
    std::fs::write(
        &saved,
        "\"stui-change time=2026-12-07T10:03:00.000Z session=- cause=server kind=save target=/a.im\"!\n\n",
    )
    .unwrap();
    let (output, stdout, stderr) = run(stui(home.path())
        .args(against_nothing(home.path()))
        .args(["changes", "replay", "--file"])
        .arg(&saved));
    assert_eq!(code(&output), SUCCESS, "{stderr}");
    assert!(stdout.starts_with("nothing to replay: no code changes since the last save"));
}

#[test]
fn replay_filein_and_fileout_against_nothing_exit_2() {
    let home = TempDir::new("changes");
    let file = sample(home.path());
    let source = home.path().join("foo.st");
    std::fs::write(&source, "Object subclass: Foo [ bar [ ^42 ] ]\n").unwrap();
    for args in [
        vec!["changes", "replay", "--file", file.to_str().unwrap()],
        vec!["filein", source.to_str().unwrap()],
        vec!["fileout", "Object"],
    ] {
        let (output, _, stderr) = run(stui(home.path())
            .args(against_nothing(home.path()))
            .args(&args));
        assert_eq!(code(&output), CONNECTION, "{args:?}: {stderr}");
        assert!(
            stderr.contains("is the server running?"),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn filein_names_a_file_it_cannot_read() {
    let home = TempDir::new("changes");
    let missing = home.path().join("missing.st");
    let (output, _, stderr) = run(stui(home.path()).arg("filein").arg(&missing));
    assert_eq!(code(&output), FAILURE);
    assert!(stderr.starts_with(&format!("stui: cannot read {}", missing.display())));
    let latin1 = home.path().join("latin1.st");
    std::fs::write(&latin1, b"'caf\xe9' printNl").unwrap();
    let (output, _, stderr) = run(stui(home.path()).arg("filein").arg(&latin1));
    assert_eq!(code(&output), FAILURE);
    assert!(stderr.contains("latin1.st is not UTF-8 text"), "{stderr}");
}

#[test]
fn wrong_arguments_are_usage_errors() {
    let home = TempDir::new("changes");
    for args in [
        &["changes", "--since", "yesterday"][..],
        &["changes", "--since", "1h", "--since-save"],
        &["changes", "--json", "replay"],
        &["changes", "export"],
        &["filein"],
        &["fileout"],
        &["fileout", "Foo", "--force"],
    ] {
        let (output, stdout, stderr) = run(stui(home.path()).args(args));
        assert_eq!(code(&output), USAGE, "{args:?}: {stderr}");
        assert_eq!(stdout, "", "{args:?}");
        assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
    }
}

// ---- against a server with file_in and file_out ----------------------------

fn at(home: &Path, server: &TestServer, args: &[&str]) -> (Output, String, String) {
    run(stui(home).args(["--address", &server.address]).args(args))
}

#[test]
fn filein_of_bracket_syntax_defines_a_class_that_answers() {
    let server = TestServer::start();
    let home = TempDir::new("changes");
    let source = home.path().join("foo.st");
    std::fs::write(
        &source,
        "Object subclass: StuiFiledIn [\n    bar [ ^42 ]\n]\n\nStuiFiledIn class extend [ make [ ^self new ] ]\n",
    )
    .unwrap();
    let (output, stdout, stderr) = at(home.path(), &server, &["filein", source.to_str().unwrap()]);
    assert_eq!(code(&output), SUCCESS, "{stdout}{stderr}");
    assert!(stdout.contains("classes: StuiFiledIn"), "{stdout}");
    assert!(stdout.contains("StuiFiledIn>>bar"), "{stdout}");
    let (_, stdout, _) = at(home.path(), &server, &["eval", "StuiFiledIn make bar"]);
    assert_eq!(stdout, "42\n");
    // Errors come as FILE:LINE:COLUMN, and the exit status says so.
    let broken = home.path().join("broken.st");
    std::fs::write(&broken, "Object subclass: StuiBroken [\n    bar [ ^ ]\n]\n").unwrap();
    let (output, _, stderr) = at(home.path(), &server, &["filein", broken.to_str().unwrap()]);
    assert_eq!(code(&output), FAILURE);
    assert!(
        stderr.contains(&format!("{}:2:", broken.display())),
        "{stderr}"
    );
}

#[test]
fn a_class_filed_out_files_into_a_fresh_server() {
    let home = TempDir::new("changes");
    let out = home.path().join("StuiOut.st");
    {
        let server = TestServer::start();
        let (output, _, stderr) = at(
            home.path(),
            &server,
            &[
                "eval",
                "Object subclass: StuiOut [ | a | bar [ ^'wow!' size + 38 ] ]. \
                 StuiOut class extend [ make [ ^self new ] ]. StuiOut comment: 'A sample'",
            ],
        );
        assert_eq!(code(&output), SUCCESS, "{stderr}");
        let (output, stdout, stderr) = at(
            home.path(),
            &server,
            &["fileout", "StuiOut", out.to_str().unwrap()],
        );
        assert_eq!(code(&output), SUCCESS, "{stderr}");
        assert!(stdout.starts_with("wrote StuiOut to "), "{stdout}");
        let (output, stdout, _) = at(home.path(), &server, &["fileout", "StuiOut"]);
        assert_eq!(code(&output), SUCCESS);
        assert_eq!(stdout, std::fs::read_to_string(&out).unwrap());
        let (output, _, stderr) = at(home.path(), &server, &["fileout", "StuiNoSuchClass"]);
        assert_eq!(code(&output), FAILURE, "{stderr}");
        assert!(stderr.contains("not_found"), "{stderr}");
    }
    let fresh = TestServer::start();
    let (output, stdout, stderr) = at(home.path(), &fresh, &["filein", out.to_str().unwrap()]);
    assert_eq!(code(&output), SUCCESS, "{stdout}{stderr}");
    let (_, stdout, _) = at(home.path(), &fresh, &["eval", "StuiOut make bar"]);
    assert_eq!(stdout, "42\n");
    let (_, stdout, _) = at(home.path(), &fresh, &["eval", "StuiOut comment"]);
    assert_eq!(stdout, "'A sample'\n");
}

#[test]
fn changes_replay_brings_back_what_a_kill_took() {
    let home = TempDir::new("changes");
    let log = home.path().join("server.changes");
    let log_arg = log.to_str().unwrap();
    let address = format!("tcp://127.0.0.1:{}", free_port());
    {
        let mut server = TestServer::start_at(&address, &["--changes-file", log_arg]);
        let (output, _, stderr) = at(
            home.path(),
            &server,
            &[
                "eval",
                "Object subclass: #StuiLost instanceVariableNames: '' classVariableNames: '' \
                 package: 'Demo'. StuiLost compile: 'bar ^42'",
            ],
        );
        assert_eq!(code(&output), SUCCESS, "{stderr}");
        server.kill();
    }
    let server = TestServer::start_at(&address, &["--changes-file", log_arg]);
    let (_, stdout, _) = at(
        home.path(),
        &server,
        &["eval", "Smalltalk includesKey: #StuiLost"],
    );
    assert_eq!(stdout, "false\n");
    let (output, stdout, stderr) = at(
        home.path(),
        &server,
        &["changes", "replay", "--file", log_arg],
    );
    assert_eq!(code(&output), SUCCESS, "{stdout}{stderr}");
    assert!(stdout.contains("StuiLost>>bar"), "{stdout}");
    let (_, stdout, _) = at(home.path(), &server, &["eval", "StuiLost new bar"]);
    assert_eq!(stdout, "42\n");
    // The replay is logged as such.
    let (_, stdout, _) = at(
        home.path(),
        &server,
        &["changes", "--file", log_arg, "--json"],
    );
    let listed: Value = serde_json::from_str(&stdout).unwrap();
    let causes: Vec<&str> = listed["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["cause"].as_str().unwrap())
        .collect();
    assert!(causes.contains(&"replay"), "{causes:?}");
}
