//! `stui bench` / `stui --benchmark`: round trips against the live server
//! through the client core, next to bare ZeroMQ round trips of the same run
//! (so the client's own cost shows as a ratio) and to a ZeroMQ echo inside
//! this process (the machine's floor); where the server's time went, from
//! its stage timings; and many clients evaluating at once (`load`).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::load::LoadReport;
use super::probe::Probe;
use super::{Context, Failure, answer, exit, print_json};
use crate::net::{Client, NetError};
use crate::protocol::{
    DescribeParams, DescribeResult, EvaluateParams, EvaluateResult, PingResult, Request,
    RequestBody, TypeTimings,
};

/// Figures of one kind of request, in microseconds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub count: usize,
    pub p50_us: u64,
    pub p90_us: u64,
    pub p99_us: u64,
    pub max_us: u64,
    /// `count` divided by the sum of the round trips.
    pub requests_per_second: f64,
}

/// The nearest-rank percentile `p` (0–100) of ascending `sorted` values.
pub fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

impl Summary {
    pub fn of(samples: &[Duration]) -> Self {
        let mut micros: Vec<u64> = samples.iter().map(|d| d.as_micros() as u64).collect();
        micros.sort_unstable();
        let total: Duration = samples.iter().sum();
        Self {
            count: samples.len(),
            p50_us: percentile(&micros, 50.0),
            p90_us: percentile(&micros, 90.0),
            p99_us: percentile(&micros, 99.0),
            max_us: micros.last().copied().unwrap_or(0),
            requests_per_second: if total.is_zero() {
                0.0
            } else {
                (samples.len() as f64 / total.as_secs_f64() * 10.0).round() / 10.0
            },
        }
    }
}

/// How much slower the client core is than a bare REQ socket, at the median.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Overhead {
    /// Client-core ping p50 / bare ping p50.
    pub client_ping_p50_ratio: f64,
    /// Evaluation p50 / bare ping p50.
    pub evaluate_p50_ratio: f64,
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        (a as f64 / b as f64 * 100.0).round() / 100.0
    }
}

/// What `--benchmark --json` prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub address: String,
    /// The server's name from `describe`.
    pub server: Option<String>,
    pub code: String,
    pub count: u32,
    /// Requests of each kind sent before measuring.
    pub warmup: u32,
    pub evaluate: Summary,
    pub client_ping: Summary,
    pub bare_ping: Summary,
    /// A ZeroMQ REQ/ROUTER echo between two threads of this process over
    /// loopback TCP: the round trip no server can beat on this machine.
    pub zmq_echo: Summary,
    pub overhead: Overhead,
    /// The server's own stage timings of its recent requests, per type
    /// (`describe` with `timings`), when it reports them.
    pub server_stages: Option<BTreeMap<String, TypeTimings>>,
    /// Several clients at once, when asked for.
    pub load: Option<LoadReport>,
}

impl Report {
    pub fn new(
        address: &str,
        server: Option<String>,
        code: &str,
        warmup: u32,
        samples: &Samples,
    ) -> Self {
        let evaluate = Summary::of(&samples.evaluate);
        let client_ping = Summary::of(&samples.client_ping);
        let bare_ping = Summary::of(&samples.bare_ping);
        let zmq_echo = Summary::of(&samples.zmq_echo);
        Self {
            address: address.into(),
            server,
            code: code.into(),
            count: samples.evaluate.len() as u32,
            warmup,
            overhead: Overhead {
                client_ping_p50_ratio: ratio(client_ping.p50_us, bare_ping.p50_us),
                evaluate_p50_ratio: ratio(evaluate.p50_us, bare_ping.p50_us),
            },
            evaluate,
            client_ping,
            bare_ping,
            zmq_echo,
            server_stages: None,
            load: None,
        }
    }

    pub fn to_text(&self) -> String {
        let mut lines = vec![
            format!(
                "benchmark of {}{}: {} requests of each kind after {} warm-up rounds",
                self.address,
                self.server
                    .as_deref()
                    .map(|s| format!(" ({s})"))
                    .unwrap_or_default(),
                self.count,
                self.warmup
            ),
            format!(
                "{:<24}{:>8}{:>10}{:>10}{:>10}{:>10}{:>10}",
                "round trip", "count", "p50 us", "p90 us", "p99 us", "max us", "req/s"
            ),
        ];
        for (what, summary) in [
            (format!("evaluate {}", one_line(&self.code)), &self.evaluate),
            ("client ping".to_string(), &self.client_ping),
            ("bare zmq ping".to_string(), &self.bare_ping),
            ("zmq echo (floor)".to_string(), &self.zmq_echo),
        ] {
            lines.push(format!(
                "{:<24}{:>8}{:>10}{:>10}{:>10}{:>10}{:>10.1}",
                what,
                summary.count,
                summary.p50_us,
                summary.p90_us,
                summary.p99_us,
                summary.max_us,
                summary.requests_per_second
            ));
        }
        lines.push(format!(
            "client overhead: client ping p50 / bare ping p50 = {:.2}, evaluate p50 / bare ping p50 = {:.2}",
            self.overhead.client_ping_p50_ratio, self.overhead.evaluate_p50_ratio
        ));
        if let Some(stages) = &self.server_stages {
            lines.extend(stage_lines(stages));
        }
        if let Some(load) = &self.load {
            lines.push(load.to_text());
        }
        lines.extend(self.target_lines());
        lines.join("\n")
    }

    /// The speed targets, each with this run's figure.
    fn target_lines(&self) -> Vec<String> {
        let verdict = |met: bool| if met { "met" } else { "missed" };
        let mut lines = vec![
            format!(
                "target evaluate p50 < 500 us: {} us, {}",
                self.evaluate.p50_us,
                verdict(self.evaluate.p50_us < 500)
            ),
            format!(
                "target evaluate p99 < 2000 us: {} us, {}",
                self.evaluate.p99_us,
                verdict(self.evaluate.p99_us < 2000)
            ),
            format!(
                "target ping p50 < 200 us: {} us, {} (zmq echo floor here: {} us)",
                self.client_ping.p50_us,
                verdict(self.client_ping.p50_us < 200),
                self.zmq_echo.p50_us
            ),
        ];
        if let Some(load) = &self.load {
            lines.push(format!(
                "target {} clients p99 < 10000 us with no error: {} us, {} errors, {}",
                load.clients,
                load.evaluate.p99_us,
                load.errors,
                verdict(load.evaluate.p99_us < 10_000 && load.errors == 0)
            ));
        }
        lines
    }
}

/// The server's stage timings of `evaluate` and `ping`: p50 and p99 of each stage.
fn stage_lines(stages: &BTreeMap<String, TypeTimings>) -> Vec<String> {
    let order = [
        "receive", "decode", "queue", "compile", "run", "print", "encode", "send", "server",
    ];
    let mut lines = vec!["server stages, p50/p99 us (its recent requests):".to_string()];
    for kind in ["evaluate", "ping"] {
        let Some(timings) = stages.get(kind) else {
            continue;
        };
        let figures: Vec<String> = order
            .iter()
            .filter_map(|stage| {
                timings
                    .stages_us
                    .get(*stage)
                    .map(|t| format!("{stage} {}/{}", t.p50, t.p99))
            })
            .collect();
        lines.push(format!("  {kind:<9} {}", figures.join("  ")));
    }
    lines
}

/// The code on one line, shortened to fit the table.
fn one_line(code: &str) -> String {
    let flat = code.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= 15 {
        flat
    } else {
        format!("{}…", flat.chars().take(14).collect::<String>())
    }
}

/// Round trips measured, one list a kind.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Samples {
    pub evaluate: Vec<Duration>,
    pub client_ping: Vec<Duration>,
    pub bare_ping: Vec<Duration>,
    pub zmq_echo: Vec<Duration>,
}

/// A ROUTER socket in a thread of this process that answers every message
/// with a fixed ping reply, as fast as ZeroMQ can: the floor of a round trip.
struct EchoServer {
    address: String,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl EchoServer {
    fn start(context: &zmq::Context) -> Result<Self, Failure> {
        let socket_error = |e: zmq::Error| Failure::Connection(NetError::Socket(e));
        let socket = context.socket(zmq::ROUTER).map_err(socket_error)?;
        socket.set_linger(0).map_err(socket_error)?;
        socket.set_rcvtimeo(50).map_err(socket_error)?;
        socket.bind("tcp://127.0.0.1:*").map_err(socket_error)?;
        let address = socket
            .get_last_endpoint()
            .map_err(socket_error)?
            .unwrap_or_default();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stopped = stop.clone();
        let thread = std::thread::spawn(move || {
            let reply = br#"{"stui":1,"id":"echo","ok":true,"result":{"uptime_ms":1}}"#;
            while !stopped.load(std::sync::atomic::Ordering::Relaxed) {
                if let Ok(mut frames) = socket.recv_multipart(0) {
                    frames.pop();
                    frames.push(reply.to_vec());
                    let _ = socket.send_multipart(frames, 0);
                }
            }
        });
        Ok(Self {
            address,
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for EchoServer {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A REQ socket that sends ready-made request text and reads the reply
/// bytes without decoding them: the floor the client core is compared with.
struct BareSocket {
    socket: zmq::Socket,
    address: String,
    session: String,
    timeout: Duration,
}

impl BareSocket {
    fn open(
        context: &zmq::Context,
        address: &str,
        curve: Option<&crate::security::CurveKeys>,
        timeout: Duration,
    ) -> Result<Self, Failure> {
        let socket_error = |e: zmq::Error| Failure::Connection(NetError::Socket(e));
        let socket = context.socket(zmq::REQ).map_err(socket_error)?;
        socket.set_linger(0).map_err(socket_error)?;
        crate::security::apply(&socket, curve).map_err(socket_error)?;
        socket
            .set_rcvtimeo(timeout.as_millis().min(i32::MAX as u128) as i32)
            .map_err(socket_error)?;
        socket.connect(address).map_err(|e| {
            Failure::Connection(NetError::socket(
                format!("cannot connect to {address:?}"),
                e,
            ))
        })?;
        Ok(Self {
            socket,
            address: address.into(),
            session: format!("stui-bench-bare-{}", uuid::Uuid::new_v4()),
            timeout,
        })
    }

    /// A ping request with its own id, serialised before the clock starts.
    fn ping_payload(&self, n: u32) -> String {
        Request::new(
            format!("bare-{n}"),
            self.session.clone(),
            RequestBody::ping(),
        )
        .to_json()
    }

    fn round_trip(&self, payload: &str) -> Result<Duration, Failure> {
        let started = Instant::now();
        self.socket
            .send(payload.as_bytes(), 0)
            .map_err(|e| Failure::Connection(NetError::socket("send", e)))?;
        match self.socket.recv_bytes(0) {
            Ok(_reply) => Ok(started.elapsed()),
            Err(zmq::Error::EAGAIN) => Err(Failure::Connection(NetError::NoReply {
                address: self.address.clone(),
                tries: 1,
                waited: self.timeout,
            })),
            Err(e) => Err(Failure::Connection(NetError::socket("receive", e))),
        }
    }
}

/// The wall time of one call of the client core, decoding included.
fn timed_call<T>(
    call: impl FnOnce() -> Result<crate::net::Timed<Result<T, crate::protocol::ErrorObject>>, NetError>,
) -> Result<Duration, Failure> {
    let started = Instant::now();
    answer(call())?;
    Ok(started.elapsed())
}

/// Warm-up rounds before measuring `count` rounds.
pub fn warmup_for(count: u32) -> u32 {
    (count / 10).clamp(5, 50)
}

/// The sockets one round of the benchmark talks through.
struct Targets<'a> {
    client: &'a mut Client,
    bare: &'a BareSocket,
    echo: &'a BareSocket,
    evaluate: &'a RequestBody,
}

/// Runs `rounds` rounds of an evaluation, a client ping, a bare ping and an
/// echo, interleaved so that drift in the machine's load touches all alike.
/// The two pings take turns coming first: the one right after the
/// evaluation meets the server still tidying up after it.
fn measure(
    targets: &mut Targets,
    first: u32,
    rounds: u32,
    samples: &mut Samples,
) -> Result<(), Failure> {
    for n in first..first + rounds {
        let evaluate = targets.evaluate.clone();
        samples.evaluate.push(timed_call::<EvaluateResult>(|| {
            targets.client.call(evaluate)
        })?);
        let payload = targets.bare.ping_payload(n);
        if n % 2 == 0 {
            samples.bare_ping.push(targets.bare.round_trip(&payload)?);
        }
        samples
            .client_ping
            .push(timed_call::<PingResult>(|| targets.client.ping())?);
        if n % 2 == 1 {
            samples.bare_ping.push(targets.bare.round_trip(&payload)?);
        }
        samples.zmq_echo.push(targets.echo.round_trip(&payload)?);
    }
    Ok(())
}

/// The server's stage timings, when it reports them; with `reset`, it
/// forgets them afterwards (before measuring, so that the figures are this
/// run's).
fn server_stages(client: &mut Client, reset: bool) -> Option<BTreeMap<String, TypeTimings>> {
    let body = RequestBody::Describe(DescribeParams {
        timings: Some(!reset),
        reset_timings: Some(reset),
        ..DescribeParams::default()
    });
    let described = answer(client.call::<DescribeResult>(body)).ok()?;
    described.value.timings
}

/// What to measure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub count: u32,
    pub code: String,
    /// Clients of the concurrent phase (0: none).
    pub clients: u32,
    pub load_seconds: u32,
}

fn benchmark(context: &Context, plan: &Plan) -> Result<Report, Failure> {
    let (count, code) = (plan.count, plan.code.as_str());
    let mut client = context.client()?;
    let probe = Probe::run(&mut client, true);
    if let Some(failure) = probe.failure() {
        return Err(failure.clone());
    }
    let zmq_context = crate::net::context();
    // The bare sockets only measure: a busy machine must not fail the run.
    let timeout = client
        .options()
        .request_timeout
        .max(Duration::from_secs(10));
    let curve = client.options().curve.clone();
    let bare = BareSocket::open(zmq_context, context.address(), curve.as_ref(), timeout)?;
    let echo_server = EchoServer::start(zmq_context)?;
    let echo = BareSocket::open(zmq_context, &echo_server.address, None, timeout)?;
    let evaluate = RequestBody::Evaluate(EvaluateParams {
        code: code.to_string(),
        timeout_ms: Some(context.settings.server.evaluation_timeout_ms),
        print_limit: None,
        receiver: None,
        debug: None,
    });
    let warmup = warmup_for(count);
    let mut targets = Targets {
        client: &mut client,
        bare: &bare,
        echo: &echo,
        evaluate: &evaluate,
    };
    measure(&mut targets, 0, warmup, &mut Samples::default())?;
    server_stages(targets.client, true);
    let mut samples = Samples::default();
    measure(&mut targets, warmup, count, &mut samples)?;
    let server = probe.described().map(|d| d.value.server.clone());
    let mut report = Report::new(context.address(), server, code, warmup, &samples);
    report.server_stages = server_stages(&mut client, false);
    if plan.clients > 0 {
        report.load = Some(super::load::run(
            context.address(),
            client.options(),
            code,
            plan.clients as usize,
            Duration::from_secs(u64::from(plan.load_seconds.max(1))),
        ));
    }
    Ok(report)
}

pub fn run(context: &Context, plan: &Plan) -> u8 {
    match benchmark(context, plan) {
        Ok(report) => {
            if context.json {
                print_json(&report);
            } else {
                println!("{}", report.to_text());
            }
            exit::SUCCESS
        }
        Err(failure) => {
            if let (false, Failure::Reply(_)) = (context.json, &failure) {
                eprintln!("stui: the benchmark code failed:");
            }
            failure.finish(context.json)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let values: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&values, 50.0), 50);
        assert_eq!(percentile(&values, 90.0), 90);
        assert_eq!(percentile(&values, 99.0), 99);
        assert_eq!(percentile(&values, 100.0), 100);
        assert_eq!(percentile(&[7], 50.0), 7);
        assert_eq!(percentile(&[7], 99.0), 7);
        assert_eq!(percentile(&[1, 2, 3], 50.0), 2);
        assert_eq!(percentile(&[1, 2, 3, 4], 50.0), 2);
        assert_eq!(percentile(&[], 50.0), 0);
        assert_eq!(percentile(&[5, 9], 0.0), 5);
    }

    #[test]
    fn a_summary_has_percentiles_max_and_rate() {
        let samples: Vec<Duration> = [400, 100, 300, 200]
            .into_iter()
            .map(Duration::from_micros)
            .collect();
        let summary = Summary::of(&samples);
        assert_eq!(summary.count, 4);
        assert_eq!(summary.p50_us, 200);
        assert_eq!(summary.p90_us, 400);
        assert_eq!(summary.max_us, 400);
        // 4 requests in 1 ms in all.
        assert_eq!(summary.requests_per_second, 4000.0);
        assert_eq!(Summary::of(&[]).requests_per_second, 0.0);
    }

    #[test]
    fn the_report_compares_the_client_with_the_bare_socket() {
        let micros = |list: &[u64]| -> Vec<Duration> {
            list.iter().copied().map(Duration::from_micros).collect()
        };
        let samples = Samples {
            evaluate: micros(&[1500, 1500, 1600]),
            client_ping: micros(&[600, 600, 700]),
            bare_ping: micros(&[500, 500, 520]),
            zmq_echo: micros(&[100, 110, 120]),
        };
        let report = Report::new(
            "tcp://127.0.0.1:1",
            Some("stui-gst 0.1.0".into()),
            "3 + 4",
            5,
            &samples,
        );
        assert_eq!(report.count, 3);
        assert_eq!(report.overhead.client_ping_p50_ratio, 1.2);
        assert_eq!(report.overhead.evaluate_p50_ratio, 3.0);
        let value = serde_json::to_value(&report).unwrap();
        assert_eq!(value["bare_ping"]["p50_us"], 500);
        assert_eq!(value["evaluate"]["max_us"], 1600);
        let text = report.to_text();
        assert!(text.contains("evaluate 3 + 4"), "{text}");
        assert!(text.contains("bare zmq ping"), "{text}");
        assert!(text.contains("= 1.20"), "{text}");
    }

    #[test]
    fn long_code_is_shortened_in_the_table_and_warmup_is_short() {
        assert_eq!(one_line("3 +\n 4"), "3 + 4");
        assert_eq!(
            one_line("(1 to: 1000) inject: 0 into: [:a :b | a + b]")
                .chars()
                .count(),
            15
        );
        assert_eq!(warmup_for(1), 5);
        assert_eq!(warmup_for(1000), 50);
        assert_eq!(warmup_for(200), 20);
    }
}
