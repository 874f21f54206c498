//! `stui --generate-support-bundle [PATH]`: one tar.gz with what a bug report
//! needs — the effective configuration and the user's file with secrets
//! removed, the tails of the client and server logs and of the server's
//! audit log, the server's describe, versions and the platform. Produced
//! also when the server is down. Never a secret key: no `*.key` file goes
//! in, and a line holding a secret key is cut from every member.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

use flate2::Compression;
use flate2::write::GzEncoder;
use serde_json::json;

use super::{Context, exit, status};
use crate::config::settings::Settings;
use crate::server::LocalServer;

/// What replaces a secret value.
pub const REMOVED: &str = "<removed>";
/// How much of the end of each log goes into the bundle.
pub const LOG_TAIL_BYTES: u64 = 1024 * 1024;
/// The audit log's last lines that go into the bundle.
pub const AUDIT_TAIL_LINES: usize = 200;
/// What replaces a line that held a secret key.
pub const SECRET_LINE_REMOVED: &str = "<line removed: it held a secret key>";

/// Words that make a configuration key secret. `key` counts too, except in
/// `keymap` (a file of key bindings, not a key).
const SECRET_WORDS: &[&str] = &[
    "auth",
    "token",
    "secret",
    "password",
    "passwd",
    "passphrase",
    "credential",
    "private",
    "cookie",
    "key",
];

/// True for a key whose value must not leave the machine.
pub fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase().replace("keymap", "");
    SECRET_WORDS.iter().any(|word| key.contains(word))
}

/// Replaces the value of every secret key, at any depth, with [`REMOVED`].
pub fn redact(value: &mut toml::Value) {
    match value {
        toml::Value::Table(table) => redact_table(table),
        toml::Value::Array(items) => items.iter_mut().for_each(redact),
        _ => {}
    }
}

fn redact_table(table: &mut toml::Table) {
    for (key, value) in table.iter_mut() {
        // An empty value (no key configured) hides nothing.
        let empty = value.as_str() == Some("");
        if is_secret_key(key) && !empty {
            *value = toml::Value::String(REMOVED.into());
        } else {
            redact(value);
        }
    }
}

/// The effective settings as TOML, secrets removed.
pub fn redacted_settings(settings: &Settings) -> String {
    let mut value = toml::Value::try_from(settings).expect("settings serialise");
    redact(&mut value);
    toml::to_string_pretty(&value).expect("a table serialises")
}

/// A TOML text with its secrets removed (comments do not survive); a text
/// that is not TOML is left out, since its secrets cannot be found.
pub fn redacted_toml(text: &str) -> Result<String, String> {
    let mut table: toml::Table = toml::from_str(text).map_err(|e| e.message().to_string())?;
    redact_table(&mut table);
    toml::to_string_pretty(&table).map_err(|e| e.to_string())
}

/// The last `max` bytes of a file, from the first whole line on.
pub fn tail(path: &Path, max: u64) -> Option<Vec<u8>> {
    let mut file = File::open(path).ok()?;
    let length = file.metadata().ok()?.len();
    let start = length.saturating_sub(max);
    file.seek(SeekFrom::Start(start)).ok()?;
    let mut bytes = Vec::new();
    file.take(max).read_to_end(&mut bytes).ok()?;
    if start > 0 {
        let cut = bytes.iter().position(|&b| b == b'\n').map_or(0, |n| n + 1);
        bytes.drain(..cut);
    }
    Some(bytes)
}

/// The last `lines` lines of a file (within its last [`LOG_TAIL_BYTES`]).
pub fn tail_lines(path: &Path, lines: usize) -> Option<Vec<u8>> {
    let bytes = tail(path, LOG_TAIL_BYTES)?;
    let text = String::from_utf8_lossy(&bytes);
    let all: Vec<&str> = text.lines().collect();
    let mut kept = all[all.len().saturating_sub(lines)..].join("\n");
    if !kept.is_empty() {
        kept.push('\n');
    }
    Some(kept.into_bytes())
}

/// The secret keys this machine holds: of the key file the local server's
/// settings name, and of every `*.key` file in the config directory's keys/.
fn secret_keys(settings: &Settings) -> Vec<String> {
    let keys_dir = crate::security::keys::keys_dir();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&keys_dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "key"))
        .collect();
    if !settings.local_server.server_key.is_empty() {
        files.push(PathBuf::from(&settings.local_server.server_key));
    }
    files
        .iter()
        // Parsed whatever their mode: a key file others may read is still a secret.
        .filter_map(|path| std::fs::read_to_string(path).ok())
        .filter_map(|text| crate::security::keys::parse_secret_file(&text).ok())
        .map(|pair| pair.secret)
        .collect()
}

/// `members` without `*.key` files and with every line that holds one of
/// `secrets` (or a `secret_key = ` assignment, as key files have) replaced.
pub fn without_secrets(
    members: Vec<(String, Vec<u8>)>,
    secrets: &[String],
) -> Vec<(String, Vec<u8>)> {
    let holds_secret = |line: &str| {
        line.trim_start().starts_with("secret_key")
            || secrets.iter().any(|secret| line.contains(secret.as_str()))
    };
    members
        .into_iter()
        .filter(|(name, _)| !name.ends_with(".key"))
        .map(|(name, bytes)| {
            let text = String::from_utf8_lossy(&bytes);
            if !text.lines().any(holds_secret) {
                return (name, bytes);
            }
            let mut scrubbed: String = text
                .lines()
                .map(|line| {
                    if holds_secret(line) {
                        SECRET_LINE_REMOVED
                    } else {
                        line
                    }
                })
                .collect::<Vec<_>>()
                .join("\n");
            scrubbed.push('\n');
            (name, scrubbed.into_bytes())
        })
        .collect()
}

/// Days since 1970-01-01 as (year, month, day) (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// (year, month, day, hour, minute, second) in UTC.
fn utc(time: SystemTime) -> (i64, u32, u32, u64, u64, u64) {
    let seconds = time
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (year, month, day) = civil_from_days((seconds / 86_400) as i64);
    let of_day = seconds % 86_400;
    (
        year,
        month,
        day,
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60,
    )
}

/// `2025-03-14T12:05:01Z`.
pub fn utc_rfc3339(time: SystemTime) -> String {
    let (y, mo, d, h, mi, s) = utc(time);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

/// `20250314T120501Z`: fit for a file name.
pub fn utc_compact(time: SystemTime) -> String {
    let (y, mo, d, h, mi, s) = utc(time);
    format!("{y:04}{mo:02}{d:02}T{h:02}{mi:02}{s:02}Z")
}

/// `stui-support-<UTC timestamp>.tar.gz`.
pub fn default_name(time: SystemTime) -> String {
    format!("stui-support-{}.tar.gz", utc_compact(time))
}

fn command_output(program: &str, args: &[&str]) -> String {
    match Command::new(program).args(args).output() {
        Ok(output) => {
            let text = String::from_utf8_lossy(&output.stdout).trim().to_string();
            if output.status.success() {
                text
            } else {
                format!(
                    "{text} ({}: {})",
                    output.status,
                    String::from_utf8_lossy(&output.stderr).trim()
                )
            }
        }
        Err(error) => format!("not run: {error}"),
    }
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|line| format!("  {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// versions.txt: stui, protocol, libzmq, GNU Smalltalk.
pub fn versions(settings: &Settings) -> String {
    let (major, minor, patch) = zmq::version();
    let gst = &settings.local_server.gst;
    format!(
        "stui {} ({} build, {}-{})\nprotocol {}\nlibzmq {major}.{minor}.{patch} (CURVE {})\n\
         {gst} --version:\n{}\n",
        env!("CARGO_PKG_VERSION"),
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
        std::env::consts::ARCH,
        std::env::consts::OS,
        crate::protocol::PROTOCOL_VERSION,
        if zmq::has("curve").unwrap_or(false) {
            "available"
        } else {
            "not available"
        },
        indent(&command_output(gst, &["--version"])),
    )
}

/// platform.txt: OS, kernel, architecture, terminal, CPUs.
pub fn platform() -> String {
    let env = |name: &str| std::env::var(name).unwrap_or_else(|_| "(unset)".into());
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mut text = format!(
        "os: {}\narch: {}\nuname -a: {}\ncpus: {cpus}\n",
        std::env::consts::OS,
        std::env::consts::ARCH,
        command_output("uname", &["-a"]),
    );
    for name in [
        "TERM",
        "COLORTERM",
        "TERM_PROGRAM",
        "LANG",
        "STUI_SERVER_ADDRESS",
        "STUI_LOG_LEVEL",
    ] {
        text.push_str(&format!("{name}: {}\n", env(name)));
    }
    let os_release = std::fs::read_to_string("/etc/os-release")
        .unwrap_or_else(|e| format!("(cannot read: {e})\n"));
    text.push_str("\n/etc/os-release:\n");
    text.push_str(&os_release);
    text
}

/// The members of the bundle, in order: (name, contents).
pub fn members(context: &Context) -> Vec<(String, Vec<u8>)> {
    let settings = &context.settings;
    let mut members = vec![(
        "config.toml".to_string(),
        format!(
            "# The effective configuration of stui {} (defaults, user file, environment,\n\
             # command line); values of secret keys are replaced by \"{REMOVED}\".\n{}",
            env!("CARGO_PKG_VERSION"),
            redacted_settings(settings)
        )
        .into_bytes(),
    )];
    if let Some(path) = &context.config_file {
        let text = match std::fs::read_to_string(path).map_err(|e| e.to_string()) {
            Ok(text) => redacted_toml(&text),
            Err(error) => Err(error),
        };
        let copy = match text {
            Ok(toml) => format!(
                "# {}, with the values of secret keys replaced by \"{REMOVED}\".\n{toml}",
                path.display()
            ),
            Err(why) => format!("# {} is left out: {why}\n", path.display()),
        };
        members.push(("user-config.toml".into(), copy.into_bytes()));
    }
    let local = LocalServer::from_settings(settings);
    for (name, path) in [
        ("stui.log", settings.log_file()),
        ("server.log", local.log_file),
    ] {
        if let Some(bytes) = tail(&path, LOG_TAIL_BYTES) {
            members.push((name.into(), bytes));
        }
    }
    let audit = local.security.audit_log.as_ref();
    if let Some(bytes) = audit.and_then(|path| tail_lines(path, AUDIT_TAIL_LINES)) {
        members.push(("audit.log".into(), bytes));
    }
    let status = status::check(context);
    let describe = match (&status.server, &status.server_connection.error) {
        (Some(describe), _) => json!(describe),
        (None, error) => json!({
            "error": error.clone().unwrap_or_else(|| "no describe".into()),
            "address": status.server_connection.address,
        }),
    };
    members.push(("describe.json".into(), pretty(&describe)));
    members.push(("status.json".into(), pretty(&status)));
    members.push(("versions.txt".into(), versions(settings).into_bytes()));
    members.push(("platform.txt".into(), platform().into_bytes()));
    without_secrets(members, &secret_keys(settings))
}

fn pretty(value: &impl serde::Serialize) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(value).expect("serialises");
    bytes.push(b'\n');
    bytes
}

/// Writes `members` as a tar.gz under the directory `prefix`.
pub fn write_archive(
    path: &Path,
    prefix: &str,
    members: &[(String, Vec<u8>)],
    mtime: SystemTime,
) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    // Logs may hold evaluated code: readable by the owner only.
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    let mut builder = tar::Builder::new(GzEncoder::new(file, Compression::default()));
    let seconds = mtime.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    for (name, contents) in members {
        let mut header = tar::Header::new_gnu();
        header.set_size(contents.len() as u64);
        header.set_mode(0o600);
        header.set_mtime(seconds);
        header.set_cksum();
        builder.append_data(&mut header, format!("{prefix}/{name}"), contents.as_slice())?;
    }
    builder.into_inner()?.finish()?.flush()
}

pub fn run(context: &Context, path: Option<PathBuf>) -> u8 {
    let now = SystemTime::now();
    let path = path.unwrap_or_else(|| PathBuf::from(default_name(now)));
    let prefix = format!("stui-support-{}", utc_compact(now));
    let members = members(context);
    if let Err(error) = write_archive(&path, &prefix, &members, now) {
        let _ = std::fs::remove_file(&path);
        eprintln!("stui: cannot write {}: {error}", path.display());
        return exit::FAILURE;
    }
    println!("{}", path.display());
    exit::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn secret_keys_are_recognised_but_keymap_is_not_one() {
        for key in [
            "auth",
            "auth_token",
            "api_key",
            "secret_key_file",
            "password",
            "DB_PASSWORD",
            "private_key",
            "server_public_key",
            "credentials",
        ] {
            assert!(is_secret_key(key), "{key}");
        }
        for key in ["keymap", "theme", "address", "tries", "log_level", "gst"] {
            assert!(!is_secret_key(key), "{key}");
        }
    }

    #[test]
    fn redaction_reaches_every_depth_and_keeps_the_rest() {
        let text = "token = \"t0p\"\n[ui]\nkeymap = \"/home/u/keys.toml\"\n\
                    [security]\nclient_secret_key = \"s3cr3t\"\nservers = [{ address = \"tcp://x:1\", auth = \"pw\" }]\n\
                    [auth]\nuser = \"u\"\n";
        let redacted = redacted_toml(text).unwrap();
        for secret in ["t0p", "s3cr3t", "\"pw\"", "\"u\""] {
            assert!(!redacted.contains(secret), "{secret} in {redacted}");
        }
        assert!(redacted.contains("/home/u/keys.toml"), "{redacted}");
        assert!(redacted.contains("tcp://x:1"), "{redacted}");
        let table: toml::Table = toml::from_str(&redacted).unwrap();
        assert_eq!(table["token"].as_str(), Some(REMOVED));
        assert_eq!(table["auth"].as_str(), Some(REMOVED));
        assert!(redacted_toml("not = = toml").is_err());
    }

    #[test]
    fn the_effective_settings_serialise_and_read_back() {
        let settings = Settings::defaults();
        let text = redacted_settings(&settings);
        let back: Settings = toml::from_str(&text).unwrap();
        assert_eq!(back, settings);
    }

    #[test]
    fn no_key_file_nor_line_of_a_secret_key_goes_in() {
        let secret = "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs".to_string();
        let members = vec![
            ("server.key".to_string(), b"anything".to_vec()),
            (
                "server.log".to_string(),
                format!("started\nloaded key {secret}\nready\n").into_bytes(),
            ),
            (
                "stui.log".to_string(),
                b"cat keys/other.key:\n  secret_key = \"xyz\"\n".to_vec(),
            ),
            ("audit.log".to_string(), b"{\"type\":\"ping\"}\n".to_vec()),
        ];
        let kept = without_secrets(members, std::slice::from_ref(&secret));
        let names: Vec<&str> = kept.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names, ["server.log", "stui.log", "audit.log"]);
        let text = |n: usize| String::from_utf8(kept[n].1.clone()).unwrap();
        assert_eq!(text(0), format!("started\n{SECRET_LINE_REMOVED}\nready\n"));
        assert_eq!(
            text(1),
            format!("cat keys/other.key:\n{SECRET_LINE_REMOVED}\n")
        );
        assert_eq!(text(2), "{\"type\":\"ping\"}\n");
    }

    #[test]
    fn the_audit_tail_is_its_last_lines() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("audit.log");
        let lines: String = (1..=300).map(|n| format!("{{\"n\":{n}}}\n")).collect();
        std::fs::write(&log, lines).unwrap();
        let tail = String::from_utf8(tail_lines(&log, 200).unwrap()).unwrap();
        assert_eq!(tail.lines().count(), 200);
        assert!(tail.starts_with("{\"n\":101}\n") && tail.ends_with("{\"n\":300}\n"));
        assert_eq!(tail_lines(&dir.path().join("absent"), 200), None);
    }

    #[test]
    fn utc_timestamps() {
        let at = |s: u64| UNIX_EPOCH + Duration::from_secs(s);
        assert_eq!(utc_rfc3339(at(0)), "1970-01-01T00:00:00Z");
        assert_eq!(utc_rfc3339(at(951_782_400)), "2000-02-29T00:00:00Z");
        assert_eq!(utc_rfc3339(at(1_700_000_000)), "2023-11-14T22:13:20Z");
        assert_eq!(utc_compact(at(1_700_000_000)), "20231114T221320Z");
        assert_eq!(
            default_name(at(1_700_000_000)),
            "stui-support-20231114T221320Z.tar.gz"
        );
    }

    #[test]
    fn a_log_tail_starts_at_a_whole_line() {
        let dir = std::env::temp_dir().join(format!("stui-tail-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let log = dir.join("x.log");
        std::fs::write(&log, "first line\nsecond line\nthird\n").unwrap();
        assert_eq!(
            tail(&log, 1000).unwrap(),
            b"first line\nsecond line\nthird\n"
        );
        assert_eq!(tail(&log, 15).unwrap(), b"third\n");
        assert_eq!(tail(&dir.join("absent.log"), 10), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn versions_and_platform_name_what_support_asks_for() {
        let versions = versions(&Settings::defaults());
        assert!(versions.starts_with(&format!("stui {}", env!("CARGO_PKG_VERSION"))));
        assert!(versions.contains("libzmq "), "{versions}");
        assert!(versions.contains("gst --version:\n  "), "{versions}");
        let platform = platform();
        for part in [
            "arch: ",
            "uname -a: ",
            "cpus: ",
            "TERM: ",
            "/etc/os-release:",
        ] {
            assert!(platform.contains(part), "{part} in {platform}");
        }
    }
}
