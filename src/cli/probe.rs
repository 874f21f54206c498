//! Is the server there? `stui ping`, `stui --test-connection` and
//! `stui --health-check`.

use serde_json::{Value, json};

use super::{Context, Failure, answer, exit, human_uptime, millis, print_json};
use crate::net::{Client, NetError, Timed};
use crate::protocol::{DescribeResult, PingResult};

/// What a ping, and optionally a describe after it, found.
#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    pub address: String,
    pub ping: Result<Timed<PingResult>, Failure>,
    /// Asked only when wanted and the ping was answered.
    pub describe: Option<Result<Timed<DescribeResult>, Failure>>,
}

impl Probe {
    /// Pings through `client`; then, when `describe` and the ping was
    /// answered, asks the server to describe itself.
    pub fn run(client: &mut Client, describe: bool) -> Self {
        let ping = answer(client.ping());
        let describe = (describe && ping.is_ok()).then(|| answer(client.describe()));
        Self {
            address: client.address().to_string(),
            ping,
            describe,
        }
    }

    /// A probe that never got to ping: the connection was refused (`failure`).
    pub fn refused(address: &str, failure: Failure) -> Self {
        Self {
            address: address.to_string(),
            ping: Err(failure),
            describe: None,
        }
    }

    /// Pings through the client `client` answers, or tells why there is none.
    pub fn run_with(client: Result<Client, Failure>, address: &str, describe: bool) -> Self {
        match client {
            Ok(mut client) => Self::run(&mut client, describe),
            Err(failure) => Self::refused(address, failure),
        }
    }

    /// The first failure, ping's before describe's.
    pub fn failure(&self) -> Option<&Failure> {
        match (&self.ping, &self.describe) {
            (Err(failure), _) | (Ok(_), Some(Err(failure))) => Some(failure),
            _ => None,
        }
    }

    pub fn described(&self) -> Option<&Timed<DescribeResult>> {
        self.describe.as_ref().and_then(|d| d.as_ref().ok())
    }

    /// `stui ping` as text.
    pub fn ping_line(&self, ping: &Timed<PingResult>) -> String {
        format!(
            "{}: round trip {:.2} ms, server up {}",
            self.address,
            millis(ping.round_trip),
            human_uptime(ping.value.uptime_ms)
        )
    }

    /// `stui ping --json` (and the first part of `--test-connection --json`).
    pub fn to_json(&self) -> Value {
        let mut value = match self.failure() {
            Some(failure) => failure.to_json(),
            None => json!({"ok": true}),
        };
        value["address"] = json!(self.address);
        if let Ok(ping) = &self.ping {
            value["round_trip_ms"] = json!(millis(ping.round_trip));
            value["uptime_ms"] = json!(ping.value.uptime_ms);
        }
        if let Some(describe) = self.described() {
            value["server"] = json!(describe.value);
            value["describe_round_trip_ms"] = json!(millis(describe.round_trip));
        }
        value
    }
}

/// `server: stui-gst 0.1.0, GNU Smalltalk 3.2.5 (protocol 1, pid 42)`.
pub fn server_line(describe: &DescribeResult) -> String {
    format!(
        "server: {}, {} {} (protocol {}, pid {})",
        describe.server,
        describe.dialect,
        describe.dialect_version,
        describe.protocol,
        describe.pid
    )
}

/// `stui ping` and `stui --test-connection`.
pub fn ping(context: &Context, describe: bool) -> u8 {
    let probe = Probe::run_with(context.client(), context.address(), describe);
    if context.json {
        print_json(&probe.to_json());
        return probe.failure().map_or(exit::SUCCESS, Failure::exit_code);
    }
    if let Ok(ping) = &probe.ping {
        println!("{}", probe.ping_line(ping));
    }
    if let Some(failure) = probe.failure() {
        failure.report();
        return failure.exit_code();
    }
    if let Some(describe) = probe.described() {
        println!("{}", server_line(&describe.value));
    }
    exit::SUCCESS
}

/// What `--health-check` decided, and its one line.
#[derive(Debug, Clone, PartialEq)]
pub struct Health {
    pub healthy: bool,
    pub line: String,
    pub json: Value,
}

impl Health {
    pub fn of(probe: &Probe, timeout_ms: u64) -> Self {
        match (&probe.ping, probe.described(), probe.failure()) {
            (Ok(ping), Some(describe), None) => Self {
                healthy: true,
                line: format!(
                    "healthy {} {} {:.2} ms",
                    probe.address,
                    describe.value.server,
                    millis(ping.round_trip)
                ),
                json: json!({
                    "healthy": true,
                    "address": probe.address,
                    "server": describe.value.server,
                    "round_trip_ms": millis(ping.round_trip),
                    "uptime_ms": ping.value.uptime_ms,
                    "timeout_ms": timeout_ms,
                }),
            },
            (_, _, failure) => {
                let why = match failure {
                    Some(Failure::Connection(NetError::NoReply { .. })) => {
                        format!("no reply within {timeout_ms} ms")
                    }
                    Some(Failure::Reply(error)) => format!("error reply: {error}"),
                    Some(failure) => failure.to_string(),
                    None => "no describe".into(),
                };
                Self {
                    healthy: false,
                    line: format!("unhealthy {}: {why}", probe.address),
                    json: json!({
                        "healthy": false,
                        "address": probe.address,
                        "error": why,
                        "timeout_ms": timeout_ms,
                    }),
                }
            }
        }
    }
}

/// `stui --health-check`: one try, one line, exit 0 or 2.
pub fn health_check(context: &Context) -> u8 {
    let probe = Probe::run_with(context.one_try_client(), context.address(), true);
    let health = Health::of(&probe, context.request_timeout_ms());
    if context.json {
        print_json(&health.json);
    } else {
        println!("{}", health.line);
    }
    if health.healthy {
        exit::SUCCESS
    } else {
        exit::CONNECTION
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::protocol::{ErrorCode, ErrorObject};
    use std::time::Duration;

    pub(crate) fn describe_result() -> DescribeResult {
        DescribeResult {
            server: "stui-gst 0.1.0".into(),
            dialect: "GNU Smalltalk".into(),
            dialect_version: "3.2.5".into(),
            protocol: 1,
            types: vec!["ping".into()],
            max_message_bytes: 1024,
            pid: 42,
            image: None,
            uptime_ms: 5000,
            arithmetic_fix: None,
            processes: None,
            processes_total: None,
            timings: None,
            ..Default::default()
        }
    }

    pub(crate) fn up() -> Probe {
        Probe {
            address: "tcp://127.0.0.1:5555".into(),
            ping: Ok(Timed {
                value: PingResult {
                    uptime_ms: 4_200,
                    ..Default::default()
                },
                round_trip: Duration::from_micros(1234),
            }),
            describe: Some(Ok(Timed {
                value: describe_result(),
                round_trip: Duration::from_micros(2000),
            })),
        }
    }

    pub(crate) fn down() -> Probe {
        Probe {
            address: "tcp://127.0.0.1:5555".into(),
            ping: Err(Failure::Connection(NetError::NoReply {
                address: "tcp://127.0.0.1:5555".into(),
                tries: 1,
                waited: Duration::from_millis(3001),
            })),
            describe: None,
        }
    }

    #[test]
    fn a_healthy_server_gets_one_line_with_name_and_round_trip() {
        let health = Health::of(&up(), 3000);
        assert!(health.healthy);
        assert_eq!(
            health.line,
            "healthy tcp://127.0.0.1:5555 stui-gst 0.1.0 1.23 ms"
        );
        assert_eq!(health.json["healthy"], true);
        assert_eq!(health.json["round_trip_ms"], 1.234);
    }

    #[test]
    fn an_absent_server_is_unhealthy_with_the_timeout() {
        let health = Health::of(&down(), 3000);
        assert!(!health.healthy);
        assert_eq!(
            health.line,
            "unhealthy tcp://127.0.0.1:5555: no reply within 3000 ms"
        );
        assert_eq!(health.json["error"], "no reply within 3000 ms");
        let mut refused = up();
        refused.describe = Some(Err(Failure::Reply(Box::new(ErrorObject::new(
            ErrorCode::Internal,
            "broken",
        )))));
        let health = Health::of(&refused, 3000);
        assert!(!health.healthy);
        assert_eq!(
            health.line,
            "unhealthy tcp://127.0.0.1:5555: error reply: internal: broken"
        );
    }

    #[test]
    fn ping_json_and_text_name_address_round_trip_and_uptime() {
        let probe = up();
        let value = probe.to_json();
        assert_eq!(value["ok"], true);
        assert_eq!(value["address"], "tcp://127.0.0.1:5555");
        assert_eq!(value["round_trip_ms"], 1.234);
        assert_eq!(value["uptime_ms"], 4200);
        assert_eq!(value["server"]["dialect"], "GNU Smalltalk");
        assert_eq!(
            probe.ping_line(probe.ping.as_ref().unwrap()),
            "tcp://127.0.0.1:5555: round trip 1.23 ms, server up 4.2 s"
        );
        assert_eq!(
            server_line(&describe_result()),
            "server: stui-gst 0.1.0, GNU Smalltalk 3.2.5 (protocol 1, pid 42)"
        );
        let value = down().to_json();
        assert_eq!(value["ok"], false);
        assert_eq!(value["address"], "tcp://127.0.0.1:5555");
        assert!(
            value["connection_error"]
                .as_str()
                .unwrap()
                .starts_with("no reply")
        );
    }
}
