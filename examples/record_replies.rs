//! Records the replies of a live server to one realistic request of each
//! protocol type and each main error, as the fixtures the protocol tests
//! decode (`tests/fixtures/replies/<name>.json`, the exact bytes received).
//!
//! `cargo run --release --example record_replies -- tcp://127.0.0.1:5555 tests/fixtures/replies`
//!
//! The requests are in `tests/fixtures/reply_script.rs`, which the tests
//! replay against a live server to check that the recorded files are current.

#[path = "../tests/fixtures/reply_script.rs"]
mod reply_script;

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let address = args.next().unwrap_or_else(|| "tcp://127.0.0.1:5555".into());
    let directory = PathBuf::from(
        args.next()
            .unwrap_or_else(|| "tests/fixtures/replies".into()),
    );
    let recorded = match reply_script::record(&address) {
        Ok(recorded) => recorded,
        Err(why) => {
            eprintln!("recording from {address} failed: {why}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(why) = std::fs::create_dir_all(&directory) {
        eprintln!("cannot create {}: {why}", directory.display());
        return ExitCode::FAILURE;
    }
    let mut unexpected = 0;
    for reply in &recorded {
        if let Err(why) = reply_script::check_expectation(reply) {
            eprintln!("not written: {why}");
            unexpected += 1;
            continue;
        }
        let path = directory.join(format!("{}.json", reply.name));
        let mut bytes = reply.reply.clone();
        bytes.push(b'\n');
        if let Err(why) = std::fs::write(&path, bytes) {
            eprintln!("cannot write {}: {why}", path.display());
            return ExitCode::FAILURE;
        }
        println!("{} ({} bytes)", path.display(), reply.reply.len());
    }
    if unexpected > 0 {
        eprintln!("{unexpected} replies were not what their request expects");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
