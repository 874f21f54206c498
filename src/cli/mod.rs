//! The non-interactive commands (`stui eval`, `ping`, `--health-check`,
//! `--status`, `--benchmark`, `--generate-support-bundle`, …). They share the
//! client core with the TUI; `src/main.rs` only parses the command line and
//! dispatches here. Each command prints its result and answers an exit status
//! from [`exit`].

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;
use serde_json::{Value, json};

use crate::config::settings::Settings;
use crate::net::{Client, ClientOptions, NetError, Timed};
use crate::protocol::{ErrorCode, ErrorObject};
use crate::security::{CurveKeys, SecurityError};

pub mod args;
pub mod bench;
pub mod bundle;
pub mod changes;
pub mod config_cmd;
pub mod eval;
pub mod filing;
pub mod keygen;
pub mod load;
pub mod local;
pub mod probe;
pub mod processes;
pub mod status;

/// The exit statuses of `stui`, in one place (listed by `--help` and the README).
pub mod exit {
    /// Success (also `--help` and `--version`).
    pub const SUCCESS: u8 = 0;
    /// The server answered with an error (evaluation, syntax, …), or the
    /// command itself failed (a conformance check, starting the local
    /// server, writing a support bundle, keys refused or unusable).
    pub const FAILURE: u8 = 1;
    /// No usable answer from the server: no reply after the tries, an
    /// unreadable or too large reply, a socket error; the server is down.
    pub const CONNECTION: u8 = 2;
    /// The server restarted while the request was in flight (error
    /// `server_restarted`): its outcome is unknown, it was not run again.
    pub const RESTARTED: u8 = 3;
    /// The command line is wrong (unknown flag, missing value, conflicting
    /// flags); like `EX_USAGE` of sysexits.h.
    pub const USAGE: u8 = 64;
    /// A configuration, keymap or theme file is unusable; like `EX_CONFIG`.
    pub const CONFIG: u8 = 78;
}

/// The exit statuses as `--help` shows them; a unit test keeps it in step with [`exit`].
pub const EXIT_STATUS_HELP: &str = "\
Exit status:
  0   success
  1   the server answered with an error (evaluation or syntax error, …), or the
      command failed (conformance check, server start, writing a bundle,
      a server or key refused: unknown or changed server key, key files)
  2   connection problem: no reply after the tries, unreadable or too large
      reply, socket error (for --health-check and --status: the server is down)
  3   the server restarted while the request was in flight: its outcome is
      unknown (it was not run again); session variables are gone
  64  command-line usage error
  78  configuration error (config, keymap or theme file; the file and line are named)";

/// What the commands need besides their own arguments.
#[derive(Debug, Clone)]
pub struct Context {
    pub settings: Settings,
    /// The user's configuration file that was read, if any.
    pub config_file: Option<PathBuf>,
    /// Print one JSON document on stdout instead of text.
    pub json: bool,
    /// `--trust`: an unknown server's key is trusted (written to known_servers).
    pub trust: bool,
}

impl Context {
    /// A client core for this command, in a session of its own.
    pub fn client(&self) -> Result<Client, Failure> {
        self.client_with(self.settings.server.client_options())
    }

    /// A client that sends each request once (health checks, status).
    pub fn one_try_client(&self) -> Result<Client, Failure> {
        self.client_with(ClientOptions {
            tries: 1,
            ..self.settings.server.client_options()
        })
    }

    fn client_with(&self, options: ClientOptions) -> Result<Client, Failure> {
        self.client_at(&self.settings.server.address, options)
    }

    /// Every command's connection starts here: the keys for `address`
    /// are resolved and its first handshake checked.
    fn client_at(&self, address: &str, options: ClientOptions) -> Result<Client, Failure> {
        let curve = self.secure(address)?;
        Ok(Client::new(
            address,
            format!("stui-cli-{}", uuid::Uuid::new_v4()),
            ClientOptions { curve, ..options },
        ))
    }

    /// The CURVE keys for `address` (None: plaintext) once its first
    /// handshake passed. With `--trust` an unknown server's key is written
    /// to known_servers (and said on stderr) and the check made again.
    pub fn secure(&self, address: &str) -> Result<Option<CurveKeys>, Failure> {
        let security = self.settings.security();
        let timeout = Duration::from_millis(self.settings.server.request_timeout_ms);
        match security.connect_check(address, timeout) {
            Err(SecurityError::ServerKeyUnknown {
                public_key,
                fingerprint,
                ..
            }) if self.trust => {
                security.trust(address, &public_key)?;
                eprintln!(
                    "stui: trusted {address} {fingerprint} (written to {})",
                    security.known_servers.display()
                );
                Ok(security.connect_check(address, timeout)?)
            }
            outcome => Ok(outcome?),
        }
    }

    /// A client of the first server that answers `ping`: `server.address`,
    /// then each of `[failover] backup_servers` in order. Without an answer,
    /// the failure of the last one tried.
    pub fn answering_client(&self) -> Result<Client, Failure> {
        let options = self.settings.server.client_options();
        let mut last = None;
        for address in self.settings.server_addresses() {
            // A server refused for its keys is reported, not skipped.
            let mut client = self.client_at(&address, options.clone())?;
            match answer(client.ping()) {
                Ok(_) => {
                    if address != self.settings.server.address {
                        log::info!(
                            "{} did not answer: using backup {address}",
                            self.settings.server.address
                        );
                    }
                    return Ok(client);
                }
                Err(failure @ Failure::Reply(_)) => return Err(failure),
                Err(failure) => last = Some(failure),
            }
        }
        Err(last.expect("server_addresses has the server address"))
    }

    pub fn address(&self) -> &str {
        &self.settings.server.address
    }

    pub fn request_timeout_ms(&self) -> u64 {
        self.settings.server.request_timeout_ms
    }
}

/// Why a request brought no result: the server's error reply, or no usable reply.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Failure {
    /// Boxed: an error object is large, and most results are not errors.
    #[error("{0}")]
    Reply(Box<ErrorObject>),
    #[error(transparent)]
    Connection(NetError),
    /// The connection was not made: its keys do not fit (or are unusable).
    #[error(transparent)]
    Security(#[from] SecurityError),
}

impl Failure {
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Reply(error) if error.code == ErrorCode::ServerRestarted => exit::RESTARTED,
            Self::Reply(_) | Self::Security(_) => exit::FAILURE,
            Self::Connection(_) => exit::CONNECTION,
        }
    }

    /// `{"ok": false, "error": {…}}` or `{"ok": false, "connection_error": "…"}`.
    pub fn to_json(&self) -> Value {
        match self {
            Self::Reply(error) => json!({"ok": false, "error": error}),
            Self::Connection(error) => json!({"ok": false, "connection_error": error.to_string()}),
            Self::Security(error) => json!({"ok": false, "security_error": error.to_string()}),
        }
    }

    /// Prints the failure to stderr, with the stack frames of an evaluation
    /// error and a hint when nothing answered.
    pub fn report(&self) {
        match self {
            Self::Reply(error) => {
                eprintln!("{error}");
                for frame in error.stack.iter().flatten() {
                    eprintln!("  {frame}");
                }
            }
            Self::Connection(error) => {
                eprintln!("stui: {error}");
                if matches!(error, NetError::NoReply { .. }) {
                    eprintln!(
                        "stui: is the server running? `stui server start` starts the bundled one."
                    );
                }
            }
            Self::Security(error) => eprintln!("stui: {error}"),
        }
    }

    /// Prints the failure as `--json` or as text, and answers its exit status.
    pub fn finish(&self, json: bool) -> u8 {
        if json {
            print_json(&self.to_json());
        } else {
            self.report();
        }
        self.exit_code()
    }
}

/// The result of one call of the client core, with the server's error reply
/// and a missing reply both as [`Failure`].
pub fn answer<T>(
    outcome: Result<Timed<Result<T, ErrorObject>>, NetError>,
) -> Result<Timed<T>, Failure> {
    let timed = outcome.map_err(Failure::Connection)?;
    match timed.value {
        Ok(value) => Ok(Timed {
            value,
            round_trip: timed.round_trip,
        }),
        Err(error) => Err(Failure::Reply(Box::new(error))),
    }
}

/// Milliseconds with microsecond precision, for JSON.
pub fn millis(duration: Duration) -> f64 {
    (duration.as_secs_f64() * 1_000_000.0).round() / 1000.0
}

/// A server uptime for people: `42.0 s`, `3 min 12 s`, `5 h 2 min`, `2 d 3 h`.
pub fn human_uptime(ms: u64) -> String {
    let seconds = ms / 1000;
    match seconds {
        0..60 => format!("{:.1} s", ms as f64 / 1000.0),
        60..3600 => format!("{} min {} s", seconds / 60, seconds % 60),
        3600..86400 => format!("{} h {} min", seconds / 3600, seconds % 3600 / 60),
        _ => format!("{} d {} h", seconds / 86400, seconds % 86400 / 3600),
    }
}

/// One JSON document on one line of stdout.
pub fn print_json(value: &impl Serialize) {
    let line = serde_json::to_string(value).expect("the output always serialises");
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{line}");
}

/// Logs go to a file: the TUI owns the terminal, and the commands' stdout
/// and stderr are for their results.
pub fn init_logging(settings: &Settings) {
    let level = settings.log.level.parse().unwrap_or(log::LevelFilter::Info);
    init_logging_to(&settings.log_file(), level);
}

/// Logging to `path` (created 0600: the log may hold evaluated code).
pub fn init_logging_to(path: &std::path::Path, level: log::LevelFilter) {
    let Ok(file) = crate::paths::open_private_append(path) else {
        return;
    };
    let _ = env_logger::Builder::new()
        .filter_level(level)
        // The zmq crate logs every socket drop at debug level.
        .filter_module("zmq", log::LevelFilter::Warn)
        .format_timestamp_millis()
        .target(env_logger::Target::Pipe(Box::new(file)))
        .try_init();
}

/// The resident set size in bytes from the text of `/proc/<pid>/status`.
pub fn parse_vm_rss(proc_status: &str) -> Option<u64> {
    let line = proc_status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let mut words = line["VmRSS:".len()..].split_whitespace();
    let amount: u64 = words.next()?.parse().ok()?;
    match words.next() {
        Some("kB") | None => Some(amount * 1024),
        Some(_) => None,
    }
}

/// The resident set size of a process on this machine, when readable.
pub fn rss_bytes(pid: &str) -> Option<u64> {
    parse_vm_rss(&std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_statuses_are_distinct_and_listed_in_the_help() {
        let codes = [
            exit::SUCCESS,
            exit::FAILURE,
            exit::CONNECTION,
            exit::RESTARTED,
            exit::USAGE,
            exit::CONFIG,
        ];
        for (n, code) in codes.iter().enumerate() {
            assert!(!codes[n + 1..].contains(code), "{code} twice");
            let listed = format!("\n  {code} ");
            assert!(EXIT_STATUS_HELP.contains(&listed), "{code} not in the help");
        }
    }

    #[test]
    fn failures_have_their_json_shape_and_exit_status() {
        let reply = Failure::Reply(Box::new(ErrorObject::new(
            ErrorCode::SyntaxError,
            "expected expression",
        )));
        assert_eq!(reply.exit_code(), exit::FAILURE);
        assert_eq!(
            reply.to_json(),
            json!({"ok": false, "error": {"code": "syntax_error", "message": "expected expression"}})
        );
        let restarted = Failure::Reply(Box::new(ErrorObject::new(
            ErrorCode::ServerRestarted,
            "instance differs",
        )));
        assert_eq!(restarted.exit_code(), exit::RESTARTED);
        let refused = zmq::Error::ECONNREFUSED;
        let down = Failure::Connection(NetError::Socket(refused));
        assert_eq!(down.exit_code(), exit::CONNECTION);
        assert_eq!(
            down.to_json(),
            json!({"ok": false, "connection_error": format!("socket error: {refused}")})
        );
    }

    #[test]
    fn answer_splits_replies_into_results_and_failures() {
        let ok: Result<Timed<Result<u32, ErrorObject>>, NetError> = Ok(Timed {
            value: Ok(7),
            round_trip: Duration::from_millis(2),
        });
        assert_eq!(answer(ok).unwrap().value, 7);
        let error = ErrorObject::new(ErrorCode::Internal, "x");
        let refused: Result<Timed<Result<u32, ErrorObject>>, NetError> = Ok(Timed {
            value: Err(error.clone()),
            round_trip: Duration::ZERO,
        });
        assert_eq!(
            answer(refused).unwrap_err(),
            Failure::Reply(Box::new(error))
        );
        let down: Result<Timed<Result<u32, ErrorObject>>, NetError> = Err(NetError::Cancelled);
        assert_eq!(
            answer(down).unwrap_err(),
            Failure::Connection(NetError::Cancelled)
        );
    }

    #[test]
    fn durations_print_for_people_and_for_json() {
        assert_eq!(millis(Duration::from_micros(1234)), 1.234);
        assert_eq!(human_uptime(4_200), "4.2 s");
        assert_eq!(human_uptime(192_000), "3 min 12 s");
        assert_eq!(human_uptime(5 * 3_600_000 + 120_000), "5 h 2 min");
        assert_eq!(human_uptime(2 * 86_400_000 + 3 * 3_600_000), "2 d 3 h");
    }

    #[test]
    fn vm_rss_is_read_from_proc_status() {
        let status = "Name:\tgst\nVmPeak:\t  30000 kB\nVmRSS:\t   21656 kB\nThreads:\t1\n";
        assert_eq!(parse_vm_rss(status), Some(21656 * 1024));
        assert_eq!(parse_vm_rss("Name:\tkthreadd\n"), None);
        assert!(rss_bytes("self").is_some_and(|bytes| bytes > 0));
    }
}
