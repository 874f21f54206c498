//! `stui keygen` and the CLI's use of the keys, through the binary with
//! isolated XDG directories: file modes, refusals, fingerprints, and an
//! unknown server's key refused without `--trust` and trusted with it.

mod common;
mod pyserver;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use common::{TempDir, run, stui};
use pyserver::py_server;
use stui::security::keys;

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// The public key in a `.pub` file.
fn public_key(path: &Path) -> String {
    fs::read_to_string(path).unwrap().trim().to_string()
}

#[test]
fn keygen_writes_private_key_files_and_refuses_to_overwrite_them() {
    let home = TempDir::new("keygen");
    let dir = home.path().join("config/stui/keys");
    let (output, stdout, stderr) = run(stui(home.path()).arg("keygen"));
    assert!(output.status.success(), "{stderr}");
    let (secret, public) = (dir.join("client.key"), dir.join("client.pub"));
    assert_eq!(mode(&secret), 0o600);
    assert_eq!(mode(&public), 0o644);
    assert_eq!(mode(&dir), 0o700);
    let key = public_key(&public);
    assert!(stdout.contains(&secret.display().to_string()), "{stdout}");
    assert!(stdout.contains(&public.display().to_string()), "{stdout}");
    assert!(stdout.contains(&key), "{stdout}");
    let fingerprint = keys::fingerprint(&key).unwrap();
    assert!(
        stdout.contains(&format!("fingerprint: {fingerprint}")),
        "{stdout}"
    );
    assert_eq!(keys::read_secret_file(&secret).unwrap().public, key);

    let (output, _, stderr) = run(stui(home.path()).arg("keygen"));
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr.contains(&format!("{} exists", secret.display())),
        "{stderr}"
    );
    assert!(stderr.contains("--force"), "{stderr}");
    assert_eq!(public_key(&public), key, "refused: the key stays");

    let (output, _, stderr) = run(stui(home.path()).args(["keygen", "--force"]));
    assert!(output.status.success(), "{stderr}");
    assert_ne!(public_key(&public), key, "--force: a new key");
    assert_eq!(mode(&secret), 0o600);
}

#[test]
fn keygen_server_tells_how_clients_pin_the_key() {
    let home = TempDir::new("keygen-server");
    let (output, stdout, stderr) = run(stui(home.path()).args(["keygen", "--server"]));
    assert!(output.status.success(), "{stderr}");
    let public = home.path().join("config/stui/keys/server.pub");
    let key = public_key(&public);
    assert_eq!(
        mode(&home.path().join("config/stui/keys/server.key")),
        0o600
    );
    assert!(
        stdout.contains(&format!("server.public_key = \"{key}\"")),
        "{stdout}"
    );
    assert!(stdout.contains("full|read <comment>"), "{stdout}");
}

#[test]
fn a_client_key_others_may_read_stops_ping_with_the_fix() {
    let home = TempDir::new("key-mode");
    let (output, _, stderr) = run(stui(home.path()).arg("keygen"));
    assert!(output.status.success(), "{stderr}");
    let secret = home.path().join("config/stui/keys/client.key");
    fs::set_permissions(&secret, fs::Permissions::from_mode(0o644)).unwrap();
    let pinned = keys::generate().unwrap().public;
    let (output, _, stderr) = run(stui(home.path())
        .env("STUI_SERVER_PUBLIC_KEY", &pinned)
        .args(["--address", "tcp://127.0.0.1:7469", "ping"]));
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("{} has mode 0644", secret.display())),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("chmod 600 {}", secret.display())),
        "{stderr}"
    );
}

#[test]
fn an_unknown_server_is_refused_without_trust_and_remembered_with_it() {
    let home = TempDir::new("trust");
    let (output, stdout, stderr) = run(stui(home.path()).arg("keygen"));
    assert!(output.status.success(), "{stderr}");
    let client = stdout.lines().nth(2).unwrap().to_string();
    let server = keys::generate().unwrap();
    let Some(_server) = py_server(&["7468", "curve", &server.secret, &client]) else {
        return;
    };
    let address = "tcp://127.0.0.1:7468";
    let fingerprint = keys::fingerprint(&server.public).unwrap();
    let ping = |trust: bool| {
        let mut command = stui(home.path());
        command.args(["--address", address, "ping"]);
        if trust {
            command.arg("--trust");
        }
        run(&mut command)
    };
    let (output, _, stderr) = ping(false);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    for part in [address, fingerprint.as_str(), "--trust"] {
        assert!(stderr.contains(part), "{part} in {stderr}");
    }
    let known = home.path().join("config/stui/known_servers");
    assert!(!known.exists(), "nothing trusted without --trust");

    let (output, stdout, stderr) = ping(true);
    assert!(output.status.success(), "{stderr}");
    let told = format!(
        "trusted {address} {fingerprint} (written to {})",
        known.display()
    );
    assert!(stderr.contains(&told), "{stderr}");
    assert!(stdout.starts_with(address), "{stdout}");
    assert_eq!(mode(&known), 0o600);
    let line = format!("{address} {}", server.public);
    assert!(fs::read_to_string(&known).unwrap().contains(&line));

    let (output, _, stderr) = ping(false);
    assert!(output.status.success(), "trusted now: {stderr}");
    assert!(!stderr.contains("trusted"), "{stderr}");
}
