//! The concurrent part of `stui bench`: several clients, each in a session
//! of its own, evaluating as fast as they can for a while. It shows the
//! latency everyone sees under load, the errors, and whether the server
//! shares itself fairly (the completions of the slowest and fastest client).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;

use super::bench::Summary;
use crate::net::{Client, ClientOptions};
use crate::protocol::{EvaluateParams, EvaluateResult, RequestBody};

/// What the clients measured together.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoadReport {
    pub clients: usize,
    pub seconds: f64,
    /// Round trips of every answered evaluation of every client.
    pub evaluate: Summary,
    /// Evaluations that got no value: error replies or no reply.
    pub errors: u64,
    /// The first few of those, as text.
    pub error_samples: Vec<String>,
    /// Completions of the client that got the fewest, and the most.
    pub min_per_client: u64,
    pub max_per_client: u64,
}

/// One client's share of the run.
struct ClientRun {
    round_trips: Vec<Duration>,
    errors: Vec<String>,
}

/// Runs `clients` clients against `address` for `duration`, each evaluating
/// `code` back to back.
pub fn run(
    address: &str,
    options: &ClientOptions,
    code: &str,
    clients: usize,
    duration: Duration,
) -> LoadReport {
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let workers: Vec<_> = (0..clients)
        .map(|_| {
            let (address, options, code, stop) = (
                address.to_string(),
                options.clone(),
                code.to_string(),
                stop.clone(),
            );
            std::thread::spawn(move || one_client(&address, options, &code, &stop))
        })
        .collect();
    std::thread::sleep(duration);
    stop.store(true, Ordering::Relaxed);
    let runs: Vec<ClientRun> = workers
        .into_iter()
        .map(|worker| {
            worker.join().unwrap_or_else(|_| ClientRun {
                round_trips: Vec::new(),
                errors: vec!["a client thread panicked".into()],
            })
        })
        .collect();
    report(clients, started.elapsed(), &runs)
}

fn one_client(address: &str, options: ClientOptions, code: &str, stop: &AtomicBool) -> ClientRun {
    let mut client = Client::new(
        address,
        format!("stui-bench-load-{}", uuid::Uuid::new_v4()),
        options,
    );
    let body = RequestBody::Evaluate(EvaluateParams {
        code: code.to_string(),
        timeout_ms: Some(10_000),
        print_limit: None,
        receiver: None,
        debug: None,
    });
    let mut run = ClientRun {
        round_trips: Vec::new(),
        errors: Vec::new(),
    };
    while !stop.load(Ordering::Relaxed) {
        let started = Instant::now();
        match client.call::<EvaluateResult>(body.clone()) {
            Ok(timed) if timed.value.is_ok() => run.round_trips.push(started.elapsed()),
            Ok(timed) => run.errors.push(format!("{:?}", timed.value.err())),
            Err(error) => run.errors.push(error.to_string()),
        }
    }
    run
}

fn report(clients: usize, elapsed: Duration, runs: &[ClientRun]) -> LoadReport {
    let all: Vec<Duration> = runs
        .iter()
        .flat_map(|run| run.round_trips.clone())
        .collect();
    let per_client: Vec<u64> = runs
        .iter()
        .map(|run| run.round_trips.len() as u64)
        .collect();
    let errors: Vec<&String> = runs.iter().flat_map(|run| run.errors.iter()).collect();
    LoadReport {
        clients,
        seconds: (elapsed.as_secs_f64() * 10.0).round() / 10.0,
        evaluate: Summary::of(&all),
        errors: errors.len() as u64,
        error_samples: errors.iter().take(3).map(|e| e.to_string()).collect(),
        min_per_client: per_client.iter().copied().min().unwrap_or(0),
        max_per_client: per_client.iter().copied().max().unwrap_or(0),
    }
}

impl LoadReport {
    pub fn to_text(&self) -> String {
        let mut text = format!(
            "{} clients evaluating at once for {:.1} s: {} evaluations, p50 {} us, p90 {} us, p99 {} us, max {} us, {} errors; per client {} to {}",
            self.clients,
            self.seconds,
            self.evaluate.count,
            self.evaluate.p50_us,
            self.evaluate.p90_us,
            self.evaluate.p99_us,
            self.evaluate.max_us,
            self.errors,
            self.min_per_client,
            self.max_per_client
        );
        for sample in &self.error_samples {
            text.push_str(&format!("\n  error: {sample}"));
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_counts_errors_and_the_share_of_each_client() {
        let micros = |list: &[u64]| -> Vec<Duration> {
            list.iter().copied().map(Duration::from_micros).collect()
        };
        let runs = [
            ClientRun {
                round_trips: micros(&[100, 200, 300]),
                errors: vec![],
            },
            ClientRun {
                round_trips: micros(&[400]),
                errors: vec!["no reply".into()],
            },
        ];
        let report = report(2, Duration::from_secs(2), &runs);
        assert_eq!(report.evaluate.count, 4);
        assert_eq!(report.errors, 1);
        assert_eq!((report.min_per_client, report.max_per_client), (1, 3));
        let text = report.to_text();
        assert!(text.contains("2 clients"), "{text}");
        assert!(text.contains("1 errors"), "{text}");
        assert!(text.contains("error: no reply"), "{text}");
    }
}
