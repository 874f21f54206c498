//! `stui --status`: is the server up, how fast, how big, and where the
//! client's files are.

use std::time::SystemTime;

use serde::Serialize;

use super::probe::Probe;
use super::{Context, exit, human_uptime, millis, print_json, rss_bytes};
use crate::protocol::DescribeResult;
use crate::server::{LocalServer, is_loopback};

/// Everything `--status --json` prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Status {
    /// "up" when the server answered ping, else "down".
    pub status: &'static str,
    /// When the check ran, UTC (RFC 3339).
    pub checked_at: String,
    pub server_connection: Connection,
    /// The server's `describe` result.
    pub server: Option<DescribeResult>,
    /// Round trip of the last reply received (describe, else ping), in ms.
    pub last_response_ms: Option<f64>,
    /// The server's uptime.
    pub uptime_ms: Option<u64>,
    pub memory_usage: Memory,
    pub client: ClientInfo,
    /// The user's configuration file that was read (null: built-in defaults only).
    pub config_file: Option<String>,
    /// The client's log file.
    pub log_file: String,
    pub local_server: LocalServerInfo,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Connection {
    pub address: String,
    pub reachable: bool,
    /// Ping round trip.
    pub round_trip_ms: Option<f64>,
    /// How long the (single) try waited at most.
    pub timeout_ms: u64,
    /// Why the server is down, or why describe failed.
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Memory {
    /// Resident set size of the server process, when it runs on this machine
    /// (loopback address) and /proc/<pid>/status is readable.
    pub server_rss_bytes: Option<u64>,
    pub client_rss_bytes: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClientInfo {
    pub version: String,
    /// The session this check used.
    pub session: String,
    pub pid: u32,
    pub libzmq: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LocalServerInfo {
    /// Pid of the supervisor of the bundled server started by `stui server
    /// start` (or the TUI) for this address, when it runs.
    pub pid: Option<u32>,
    /// The gst process it runs, how often it restarted it and why it last did.
    pub server_pid: Option<u32>,
    pub restarts: u64,
    pub last_restart_reason: Option<String>,
    pub pid_file: String,
    pub log_file: String,
}

impl Status {
    /// The status from a probe of the server; `client` and the paths describe this process.
    pub fn from_probe(
        probe: &Probe,
        context: &Context,
        session: &str,
        server_rss_bytes: impl FnOnce(&DescribeResult) -> Option<u64>,
    ) -> Self {
        let ping = probe.ping.as_ref().ok();
        let described = probe.described();
        let local = LocalServer::from_settings(&context.settings);
        let supervisor_pid = local.running_pid();
        let supervisor = supervisor_pid
            .and_then(|_| local.supervisor_state())
            .unwrap_or_default();
        let (major, minor, patch) = zmq::version();
        Self {
            status: if ping.is_some() { "up" } else { "down" },
            checked_at: super::bundle::utc_rfc3339(SystemTime::now()),
            server_connection: Connection {
                address: probe.address.clone(),
                reachable: ping.is_some(),
                round_trip_ms: ping.map(|p| millis(p.round_trip)),
                timeout_ms: context.request_timeout_ms(),
                error: probe.failure().map(ToString::to_string),
            },
            server: described.map(|d| d.value.clone()),
            last_response_ms: described
                .map(|d| d.round_trip)
                .or(ping.map(|p| p.round_trip))
                .map(millis),
            uptime_ms: described
                .map(|d| d.value.uptime_ms)
                .or(ping.map(|p| p.value.uptime_ms)),
            memory_usage: Memory {
                server_rss_bytes: described.and_then(|d| server_rss_bytes(&d.value)),
                client_rss_bytes: rss_bytes("self"),
            },
            client: ClientInfo {
                version: env!("CARGO_PKG_VERSION").into(),
                session: session.into(),
                pid: std::process::id(),
                libzmq: format!("{major}.{minor}.{patch}"),
            },
            config_file: context
                .config_file
                .as_ref()
                .map(|p| p.display().to_string()),
            log_file: context.settings.log_file().display().to_string(),
            local_server: LocalServerInfo {
                pid: supervisor_pid,
                server_pid: supervisor.server_pid,
                restarts: supervisor.restarts,
                last_restart_reason: supervisor.last_restart_reason,
                pid_file: local.pid_file.display().to_string(),
                log_file: local.log_file.display().to_string(),
            },
        }
    }

    pub fn is_up(&self) -> bool {
        self.status == "up"
    }

    /// The status as text, one fact a line.
    pub fn to_text(&self) -> String {
        let connection = &self.server_connection;
        let mut lines = vec![format!("status:       {}", self.status)];
        lines.push(match connection.round_trip_ms {
            Some(ms) => format!(
                "address:      {} (round trip {ms:.2} ms)",
                connection.address
            ),
            None => format!("address:      {}", connection.address),
        });
        if let Some(error) = &connection.error {
            lines.push(format!("error:        {error}"));
        }
        if let Some(server) = &self.server {
            lines.push(format!(
                "server:       {}, {} {}, protocol {}, pid {}",
                server.server, server.dialect, server.dialect_version, server.protocol, server.pid
            ));
        }
        if let Some(uptime) = self.uptime_ms {
            lines.push(format!("uptime:       {}", human_uptime(uptime)));
        }
        let memory = &self.memory_usage;
        lines.push(format!(
            "memory:       server {}, client {}",
            mebibytes(memory.server_rss_bytes),
            mebibytes(memory.client_rss_bytes)
        ));
        lines.push(format!(
            "local server: {} (pid file {})",
            self.local_server.describe(),
            self.local_server.pid_file
        ));
        lines.push(format!(
            "config:       {}",
            self.config_file.as_deref().unwrap_or("built-in defaults")
        ));
        lines.push(format!("log:          {}", self.log_file));
        lines.push(format!(
            "client:       stui {} (libzmq {}), pid {}",
            self.client.version, self.client.libzmq, self.client.pid
        ));
        lines.join("\n")
    }
}

impl LocalServerInfo {
    /// `not running`, or the pids and restarts.
    fn describe(&self) -> String {
        let Some(pid) = self.pid else {
            return "not running".into();
        };
        let server = self.server_pid.map_or("none".into(), |pid| pid.to_string());
        let mut text = format!("supervisor pid {pid}, server pid {server}");
        if let Some(reason) = &self.last_restart_reason {
            text.push_str(&format!(
                ", {} restart(s), the last because it {reason}",
                self.restarts
            ));
        }
        text
    }
}

fn mebibytes(bytes: Option<u64>) -> String {
    match bytes {
        Some(bytes) => format!("{:.1} MiB RSS", bytes as f64 / (1024.0 * 1024.0)),
        None => "unknown".into(),
    }
}

/// The server's RSS, when it runs on this machine.
pub fn local_rss(address: &str, describe: &DescribeResult) -> Option<u64> {
    is_loopback(address)
        .then(|| rss_bytes(&describe.pid.to_string()))
        .flatten()
}

/// Probes the server once and builds the status (shared with the support bundle).
pub fn check(context: &Context) -> Status {
    let client = context.one_try_client();
    let session = client
        .as_ref()
        .map_or("", |client| client.session())
        .to_string();
    let probe = Probe::run_with(client, context.address(), true);
    Status::from_probe(&probe, context, &session, |describe| {
        local_rss(&probe.address, describe)
    })
}

pub fn run(context: &Context) -> u8 {
    let status = check(context);
    if context.json {
        print_json(&status);
    } else {
        println!("{}", status.to_text());
    }
    if status.is_up() {
        exit::SUCCESS
    } else {
        exit::CONNECTION
    }
}

#[cfg(test)]
mod tests {
    use super::super::probe::tests::{down, up};
    use super::*;
    use crate::config::settings::Settings;

    fn context() -> Context {
        Context {
            settings: Settings::defaults(),
            config_file: None,
            json: true,
            trust: false,
        }
    }

    #[test]
    fn an_answering_server_is_up_with_its_describe_and_memory() {
        let status = Status::from_probe(&up(), &context(), "s1", |d| Some(d.pid * 1000));
        assert!(status.is_up());
        let value = serde_json::to_value(&status).unwrap();
        assert_eq!(value["status"], "up");
        assert_eq!(value["server_connection"]["reachable"], true);
        assert_eq!(value["server_connection"]["round_trip_ms"], 1.234);
        assert_eq!(value["server_connection"]["error"], serde_json::Value::Null);
        assert_eq!(value["server"]["server"], "stui-gst 0.1.0");
        assert_eq!(value["last_response_ms"], 2.0);
        assert_eq!(value["uptime_ms"], 5000);
        assert_eq!(value["memory_usage"]["server_rss_bytes"], 42_000);
        assert!(value["memory_usage"]["client_rss_bytes"].as_u64().unwrap() > 0);
        assert_eq!(value["client"]["session"], "s1");
        assert_eq!(value["client"]["version"], env!("CARGO_PKG_VERSION"));
        assert_eq!(value["config_file"], serde_json::Value::Null);
        assert!(value["local_server"]["pid_file"].is_string());
        let text = status.to_text();
        assert!(text.starts_with("status:       up\n"), "{text}");
        assert!(text.contains("GNU Smalltalk 3.2.5"), "{text}");
    }

    #[test]
    fn an_absent_server_is_down_with_the_reason() {
        let status = Status::from_probe(&down(), &context(), "s1", |_| unreachable!());
        assert!(!status.is_up());
        let value = serde_json::to_value(&status).unwrap();
        assert_eq!(value["status"], "down");
        assert_eq!(value["server_connection"]["reachable"], false);
        assert!(
            value["server_connection"]["error"]
                .as_str()
                .unwrap()
                .starts_with("no reply from")
        );
        assert_eq!(value["server"], serde_json::Value::Null);
        assert_eq!(
            value["memory_usage"]["server_rss_bytes"],
            serde_json::Value::Null
        );
        assert!(status.to_text().contains("error:        no reply from"));
    }

    #[test]
    fn server_memory_is_read_only_on_this_machine() {
        let mut describe = super::super::probe::tests::describe_result();
        describe.pid = u64::from(std::process::id());
        assert!(local_rss("tcp://127.0.0.1:5555", &describe).is_some());
        assert_eq!(local_rss("tcp://10.1.2.3:5555", &describe), None);
    }
}
