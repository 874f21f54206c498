//! Using STUI's client core as a library: evaluate code on a running server.
//!
//! `cargo run --example eval_once -- '3 + 4' [tcp://127.0.0.1:5555]`

use std::time::Duration;

use stui::net::{Client, ClientOptions};

fn main() {
    let mut args = std::env::args().skip(1);
    let code = args.next().unwrap_or_else(|| "3 + 4".into());
    let address = args.next().unwrap_or_else(|| "tcp://127.0.0.1:5555".into());
    let mut client = Client::new(
        address,
        "example-session",
        ClientOptions {
            request_timeout: Duration::from_secs(3),
            tries: 3,
            ..ClientOptions::default()
        },
    );
    match client.evaluate(&code) {
        Ok(timed) => match timed.value {
            Ok(value) => println!(
                "{} ({}, {:.2} ms round trip)",
                value.print,
                value.class,
                timed.round_trip.as_secs_f64() * 1000.0
            ),
            Err(error) => eprintln!("{error}"),
        },
        Err(error) => eprintln!("{error}"),
    }
}
