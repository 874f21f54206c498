//! `stui config show` / `stui config check` and the configuration's errors,
//! through the binary with isolated XDG directories (no server needed).

mod common;

use std::path::{Path, PathBuf};

use serde_json::Value;

use common::{TempDir, run, stui};

const USAGE: i32 = 64;
const CONFIG: i32 = 78;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn show_names_the_source_of_each_layer() {
    let home = TempDir::new("config-show");
    let user = write(
        home.path(),
        "config/stui/config.toml",
        "[server]\ntries = 5\n",
    );
    let given = write(home.path(), "given.toml", "[server]\nheartbeat_ms = 700\n");
    let (output, stdout, stderr) = run(stui(home.path())
        .env("STUI_LOCAL_SERVER_AUTO_START", "false")
        .args(["--address", "tcp://127.0.0.1:7777", "--config"])
        .arg(&given)
        .args(["config", "show"]));
    assert!(output.status.success(), "{stderr}");
    let line = |key: &str| {
        let found = stdout
            .lines()
            .find(|line| line.starts_with(&format!("{key} = ")));
        found
            .unwrap_or_else(|| panic!("{key} in {stdout}"))
            .to_string()
    };
    assert!(
        line("tries").ends_with(&format!("# {}:2", user.display())),
        "{stdout}"
    );
    assert!(line("heartbeat_ms").ends_with(&format!("# {}:2", given.display())));
    assert!(line("auto_start").contains("false"), "{stdout}");
    assert!(line("auto_start").ends_with("# environment STUI_LOCAL_SERVER_AUTO_START"));
    assert!(line("address").ends_with("# --address"), "{stdout}");
    assert!(line("retry_backoff_ms").ends_with("# built-in"), "{stdout}");
}

#[test]
fn show_json_gives_value_source_and_variable() {
    let home = TempDir::new("config-show-json");
    let (output, stdout, stderr) = run(stui(home.path())
        .env("STUI_SERVER_REQUEST_TIMEOUT_MS", "900")
        .args(["config", "show", "--json"]));
    assert!(output.status.success(), "{stderr}");
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let shown: Value = serde_json::from_str(&stdout).unwrap();
    let timeout = &shown["server.request_timeout_ms"];
    assert_eq!(timeout["value"], 900);
    assert_eq!(
        timeout["source"],
        "environment STUI_SERVER_REQUEST_TIMEOUT_MS"
    );
    assert_eq!(shown["server.tries"]["source"], "built-in");
    assert_eq!(shown["server.tries"]["env"], "STUI_SERVER_TRIES");
}

#[test]
fn check_names_file_line_key_and_the_nearest_key() {
    let home = TempDir::new("config-check");
    let bad = write(
        home.path(),
        "bad.toml",
        "[server]\ntries = 2\nadress = \"tcp://x:1\"\n",
    );
    let (output, stdout, stderr) = run(stui(home.path()).arg("config").arg("check").arg(&bad));
    assert_eq!(output.status.code(), Some(CONFIG), "{stdout}");
    let expected = format!("{}:3: unknown key 'adress' in [server]", bad.display());
    assert!(stderr.contains(&expected), "{stderr}");
    assert!(stderr.contains("did you mean 'address'"), "{stderr}");

    let typed = write(
        home.path(),
        "typed.toml",
        "[server]\nheartbeat_ms = \"2s\"\n",
    );
    let (output, _, stderr) = run(stui(home.path()).arg("config").arg("check").arg(&typed));
    assert_eq!(output.status.code(), Some(CONFIG));
    assert!(
        stderr.contains("typed.toml:2: server.heartbeat_ms must be"),
        "{stderr}"
    );

    let named = write(home.path(), "named.toml", "[ui]\nkeymap = \"k.toml\"\n");
    write(home.path(), "k.toml", "[global]\n\n\"f1\" = \"hlep\"\n");
    let (output, _, stderr) = run(stui(home.path()).arg("config").arg("check").arg(&named));
    assert_eq!(output.status.code(), Some(CONFIG));
    assert!(
        stderr.contains("k.toml:3:") && stderr.contains("help"),
        "{stderr}"
    );

    let presets = write(
        home.path(),
        "presets.toml",
        "[ui]\nkeymap = \"pharo\"\ntheme = \"light\"\n",
    );
    let (output, _, stderr) = run(stui(home.path()).arg("config").arg("check").arg(&presets));
    assert!(output.status.success(), "the presets are known: {stderr}");

    let good = write(home.path(), "good.toml", "[server]\ntries = 2\n");
    let (output, stdout, _) = run(stui(home.path()).arg("config").arg("check").arg(&good));
    assert!(output.status.success());
    assert!(
        stdout.ends_with("good.toml: ok (configuration)\n"),
        "{stdout}"
    );
}

#[test]
fn check_hands_keymaps_and_themes_to_their_loaders() {
    let home = TempDir::new("config-check-kinds");
    let root = common::repo_root();
    for (file, kind) in [
        ("keymaps/default.toml", "keymap"),
        ("themes/default.toml", "theme"),
    ] {
        let (output, stdout, stderr) = run(stui(home.path())
            .arg("config")
            .arg("check")
            .arg(root.join(file)));
        assert!(output.status.success(), "{file}: {stderr}");
        assert!(stdout.ends_with(&format!("ok ({kind})\n")), "{stdout}");
    }
    let keymap = write(home.path(), "k.toml", "[global]\n\"ctrl-q\" = \"qiut\"\n");
    let (output, _, stderr) = run(stui(home.path()).arg("config").arg("check").arg(&keymap));
    assert_eq!(output.status.code(), Some(CONFIG));
    assert!(
        stderr.contains("k.toml:2:") && stderr.contains("quit"),
        "{stderr}"
    );
    // Accepted, with the warning STUI gives at start.
    let never = write(
        home.path(),
        "never.toml",
        "[workspace]\n\"ctrl-enter\" = \"evaluate\"\n",
    );
    let (output, stdout, stderr) = run(stui(home.path())
        .args(["config", "check", "--kind", "keymap"])
        .arg(&never));
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.ends_with("never.toml: ok (keymap)\n"), "{stdout}");
    assert!(
        stderr.contains("never.toml:2") && stderr.contains("\"ctrl-enter\" may never fire"),
        "{stderr}"
    );
    let plain = write(home.path(), "plain.toml", "");
    let (output, _, stderr) = run(stui(home.path())
        .args(["config", "check", "--kind", "theme"])
        .arg(&plain));
    assert!(output.status.success(), "{stderr}");
}

#[test]
fn a_refused_value_names_its_file_and_line_only() {
    let home = TempDir::new("config-tries");
    let config = write(home.path(), "c.toml", "[server]\n\ntries = 0\n");
    let (output, _, stderr) = run(stui(home.path()).arg("--config").arg(&config).arg("ping"));
    assert_eq!(output.status.code(), Some(CONFIG));
    assert!(
        stderr.contains("c.toml:3: server.tries must be at least 1"),
        "{stderr}"
    );
    assert!(!stderr.contains("STUI_"), "{stderr}");
}

#[test]
fn paths_in_a_config_file_follow_the_file_and_the_home() {
    let home = TempDir::new("config-paths");
    let text = "[ui]\nkeymap = \"~/k.toml\"\ntheme = \"t.toml\"\n";
    let config = write(home.path(), "dir/c.toml", text);
    let (output, stdout, stderr) = run(stui(home.path())
        .arg("--config")
        .arg(&config)
        .args(["config", "show", "--json"]));
    assert!(output.status.success(), "{stderr}");
    let shown: Value = serde_json::from_str(&stdout).unwrap();
    let keymap = home.path().join("k.toml");
    assert_eq!(shown["ui.keymap"]["value"], keymap.display().to_string());
    let theme = home.path().join("dir/t.toml");
    assert_eq!(shown["ui.theme"]["value"], theme.display().to_string());
}

#[test]
fn an_address_that_is_no_endpoint_is_a_usage_error() {
    let home = TempDir::new("config-address");
    let (output, _, stderr) = run(stui(home.path()).args(["--address", "garbage", "ping"]));
    assert_eq!(output.status.code(), Some(USAGE), "{stderr}");
    assert!(
        stderr.contains("\"garbage\" is not a ZeroMQ endpoint"),
        "{stderr}"
    );
}

#[test]
fn show_warns_of_a_variable_that_sets_nothing() {
    let home = TempDir::new("config-stray");
    let (output, _, stderr) = run(stui(home.path())
        .env("STUI_SERVER_TIMEOUT_MS", "900")
        .args(["config", "show"]));
    assert!(output.status.success(), "{stderr}");
    let warning =
        "STUI_SERVER_TIMEOUT_MS sets nothing (did you mean STUI_SERVER_REQUEST_TIMEOUT_MS?)";
    assert!(stderr.contains(warning), "{stderr}");
}
