//! `cargo bench --bench load`: the server's fairness figures, printed, never
//! asserted. Runs against the real GNU Smalltalk server.
//!
//! - 20 clients evaluating small expressions as fast as they can for 15 s:
//!   latency p50/p99/max, completions per client, errors (target: p99 < 50 ms,
//!   zero errors, every request answered once)
//! - another session's ping while a 16 MiB request is served (target: < 100 ms)
//! - the cost of a request with 10,000 idle sessions (target: < 0.1 ms more)

#[path = "../tests/common/mod.rs"]
mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use common::TestServer;
use serde_json::json;
use stui::net::{Client, ClientOptions};

fn main() {
    // `cargo test --benches` runs this too: keep that run short.
    let quick = !std::env::args().any(|arg| arg == "--bench");
    let server = TestServer::start();
    let seconds = if quick { 2 } else { 15 };
    many_clients(&server.address, 20, Duration::from_secs(seconds));
    ping_during_a_large_request(
        &server.address,
        "evaluate of a 16 MiB string literal",
        |size| {
            json!({"stui": 1, "id": "big", "session": "big", "type": "evaluate",
               "params": {"code": format!("'{}' size", "x".repeat(size)), "timeout_ms": 60000}})
        },
    );
    ping_during_a_large_request(&server.address, "ping padded to 16 MiB", |size| {
        json!({"stui": 1, "id": "big-ping", "session": "big", "type": "ping",
               "pad": "x".repeat(size)})
    });
    many_sessions(&server.address, if quick { 1_000 } else { 10_000 });
}

fn client(address: &str, session: &str) -> Client {
    Client::new(
        address,
        session,
        ClientOptions {
            request_timeout: Duration::from_secs(30),
            tries: 1,
            ..ClientOptions::default()
        },
    )
}

/// Each client evaluates `n + i` with a fresh n each time and checks the
/// answer, so a reply given to the wrong request or twice shows as an error.
fn many_clients(address: &str, clients: usize, duration: Duration) {
    let stop = Arc::new(AtomicBool::new(false));
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let workers: Vec<_> = (0..clients)
        .map(|i| {
            let (stop, latencies, address) = (stop.clone(), latencies.clone(), address.to_string());
            thread::spawn(move || {
                let mut session = client(&address, &format!("load-{i}"));
                let (mut done, mut errors, mut mine) = (0u64, 0u64, Vec::new());
                while !stop.load(Ordering::Relaxed) {
                    let n = done * 1000 + i as u64;
                    match session.evaluate(&format!("{n} + 1")) {
                        Ok(timed)
                            if timed
                                .value
                                .as_ref()
                                .is_ok_and(|v| v.print == (n + 1).to_string()) =>
                        {
                            mine.push(timed.round_trip)
                        }
                        _ => errors += 1,
                    }
                    done += 1;
                }
                latencies.lock().unwrap().extend(mine);
                (done, errors)
            })
        })
        .collect();
    thread::sleep(duration);
    stop.store(true, Ordering::Relaxed);
    let counts: Vec<(u64, u64)> = workers.into_iter().map(|w| w.join().unwrap()).collect();
    let mut all = latencies.lock().unwrap().clone();
    all.sort();
    let errors: u64 = counts.iter().map(|c| c.1).sum();
    let per_client: Vec<u64> = counts.iter().map(|c| c.0).collect();
    println!(
        "{clients} clients evaluating for {} s: {} answers, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms \
         (target: p99 < 50 ms); per client {}..{} completions; {errors} errors or wrong answers (target: 0)",
        duration.as_secs(),
        all.len(),
        ms(percentile(&all, 50)),
        ms(percentile(&all, 99)),
        ms(*all.last().unwrap_or(&Duration::ZERO)),
        per_client.iter().min().unwrap(),
        per_client.iter().max().unwrap(),
    );
}

/// Pings from one session while another sends a 16 MiB request.
fn ping_during_a_large_request(
    address: &str,
    what: &str,
    body: impl Fn(usize) -> serde_json::Value,
) {
    let context = zmq::Context::new();
    let big = context.socket(zmq::REQ).unwrap();
    big.set_linger(0).unwrap();
    big.connect(address).unwrap();
    let text = body(16 * 1024 * 1024 - 400).to_string();
    let mut session = client(address, "pinger");
    let sent = Instant::now();
    big.send(text.as_bytes(), 0).unwrap();
    let mut pings = Vec::new();
    while big.poll(zmq::POLLIN, 0).unwrap() == 0 && sent.elapsed() < Duration::from_secs(120) {
        pings.push(session.ping().unwrap().round_trip);
        thread::sleep(Duration::from_millis(2));
    }
    let answered = big.recv_bytes(0).map(|reply| reply.len()).unwrap_or(0);
    pings.sort();
    println!(
        "ping while the server serves a {what} ({:.1} s, reply {answered} bytes): {} pings, \
         p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms (target: < 100 ms)",
        sent.elapsed().as_secs_f64(),
        pings.len(),
        ms(percentile(&pings, 50)),
        ms(percentile(&pings, 99)),
        ms(*pings.last().unwrap_or(&Duration::ZERO)),
    );
}

/// One session's request cost, before and after `count` other sessions
/// (each with workspace variables) exist.
fn many_sessions(address: &str, count: usize) {
    let mut session = client(address, "steady");
    let before = request_costs(&mut session);
    let started = Instant::now();
    for i in 0..count {
        let mut other = client(address, &format!("idle-{i}"));
        other.evaluate("x := 3").unwrap().value.unwrap();
    }
    let created = started.elapsed();
    let after = request_costs(&mut session);
    println!(
        "{count} sessions with workspaces made in {:.1} s ({:.2} ms each); one session's ping p50 \
         {:.3} → {:.3} ms, evaluate p50 {:.3} → {:.3} ms (target: < 0.1 ms more)",
        created.as_secs_f64(),
        ms(created) / count as f64,
        ms(before.0),
        ms(after.0),
        ms(before.1),
        ms(after.1),
    );
}

fn request_costs(session: &mut Client) -> (Duration, Duration) {
    let mut pings: Vec<_> = (0..300)
        .map(|_| session.ping().unwrap().round_trip)
        .collect();
    let mut evaluations: Vec<_> = (0..300)
        .map(|_| session.evaluate("3 + 4").unwrap().round_trip)
        .collect();
    pings.sort();
    evaluations.sort();
    (percentile(&pings, 50), percentile(&evaluations, 50))
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[(sorted.len() * p / 100).min(sorted.len() - 1)]
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
