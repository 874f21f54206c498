//! `stui server start|stop|status`, `stui conformance` and the TUI itself.

use std::io::Read;
use std::path::PathBuf;
use std::time::Duration;

use super::args::ServerAction;
use super::{Context, exit};
use crate::config::keymap::Keymap;
use crate::config::settings::Settings;
use crate::config::theme::Theme;
use crate::server::{Assignment, LocalServer, ServerStatus, SupervisorState};

/// The full-screen TUI.
pub fn tui(settings: &Settings) -> u8 {
    let keymap_file = (!settings.ui.keymap.is_empty()).then(|| PathBuf::from(&settings.ui.keymap));
    let theme_file = (!settings.ui.theme.is_empty()).then(|| PathBuf::from(&settings.ui.theme));
    let keymap = match Keymap::load(keymap_file.as_deref()) {
        Ok(keymap) => keymap,
        Err(error) => {
            eprintln!("stui: keymap error: {error}");
            return exit::CONFIG;
        }
    };
    let theme = match Theme::load(theme_file.as_deref()) {
        Ok(theme) => theme,
        Err(error) => {
            eprintln!("stui: theme error: {error}");
            return exit::CONFIG;
        }
    };
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableBracketedPaste);
        log::error!("panic: {info}");
        previous(info);
    }));
    match crate::app::runtime::run(settings, keymap, theme) {
        Ok(()) => exit::SUCCESS,
        Err(error) => {
            log::error!("the TUI stopped: {error}");
            eprintln!("stui: {error}");
            exit::FAILURE
        }
    }
}

/// `stui conformance`: exit 1 when any check fails.
pub fn conformance(settings: &Settings, address: Option<String>, timeout_ms: u64) -> u8 {
    let address = address.unwrap_or_else(|| settings.server.address.clone());
    let options = crate::conformance::Options {
        timeout: Duration::from_millis(timeout_ms.max(1)),
    };
    let summary = crate::conformance::run_with(&address, &options, &mut std::io::stdout());
    if summary.failed == 0 {
        exit::SUCCESS
    } else {
        exit::FAILURE
    }
}

/// `stui server start|stop|status|processes`.
pub fn server(context: &Context, action: ServerAction) -> u8 {
    let local = LocalServer::from_settings(&context.settings);
    match action {
        ServerAction::Processes { stop, .. } => super::processes::run(context, stop),
        ServerAction::Start => start(&local),
        ServerAction::Stop => stop(&local),
        ServerAction::Status { json } => status(&local, json),
        // main.rs runs it before reading the settings.
        ServerAction::Supervise => supervise(),
    }
}

/// The hidden `stui server supervise`: reads its assignment from stdin,
/// logs where the process that started it logs, and supervises.
pub fn supervise() -> u8 {
    let mut text = String::new();
    let _ = std::io::stdin().read_to_string(&mut text);
    let assignment: Assignment = match serde_json::from_str(&text) {
        Ok(assignment) => assignment,
        Err(error) => {
            eprintln!("stui: the supervisor's assignment on stdin is unreadable: {error}");
            return exit::USAGE;
        }
    };
    let level = assignment
        .log_level
        .parse()
        .unwrap_or(log::LevelFilter::Info);
    super::init_logging_to(&assignment.stui_log, level);
    crate::server::supervisor::run(assignment)
}

fn start(local: &LocalServer) -> u8 {
    match local.start() {
        Ok(started) => {
            let from = started.image.as_ref().map_or_else(
                || "its sources".to_string(),
                |image| image.display().to_string(),
            );
            println!(
                "started the local server at {} (supervisor pid {}, log {}); it answered ping {:.0} ms after it was launched, from {from}",
                local.address,
                started.pid,
                local.log_file.display(),
                started.ready_after.as_secs_f64() * 1000.0
            );
            exit::SUCCESS
        }
        Err(error) => {
            eprintln!("stui: {error}");
            exit::FAILURE
        }
    }
}

fn stop(local: &LocalServer) -> u8 {
    match local.stop() {
        Ok(Some(pid)) => {
            println!("stopped the local server (supervisor pid {pid})");
            exit::SUCCESS
        }
        Ok(None) => {
            println!(
                "no local server is running (no live pid in {})",
                local.pid_file.display()
            );
            exit::SUCCESS
        }
        Err(error) => {
            eprintln!("stui: {error}");
            exit::FAILURE
        }
    }
}

fn status(local: &LocalServer, json: bool) -> u8 {
    let status = local.status();
    let supervisor = status.supervisor.clone().unwrap_or_default();
    if json {
        super::print_json(&serde_json::json!({
            "running": status.pid.is_some(),
            "supervisor_pid": status.pid,
            "server_pid": supervisor.server_pid,
            "server_answering": supervisor.answering,
            "restarts": supervisor.restarts,
            "last_restart_reason": supervisor.last_restart_reason,
            "address": local.address,
            "answers": status.ping.is_some(),
            "round_trip_ms": status.ping.map(super::millis),
            "pid_file": local.pid_file,
            "log_file": local.log_file,
        }));
    } else {
        print_status(local, &status, &supervisor);
    }
    if status.ping.is_some() {
        exit::SUCCESS
    } else {
        exit::CONNECTION
    }
}

fn print_status(local: &LocalServer, status: &ServerStatus, supervisor: &SupervisorState) {
    match status.pid {
        Some(pid) => {
            let server = supervisor
                .server_pid
                .map_or("none (being restarted)".into(), |pid| pid.to_string());
            println!(
                "local server: running, pid {pid} (the supervisor), server pid {server} (pid file {})",
                local.pid_file.display()
            );
            match &supervisor.last_restart_reason {
                Some(reason) => println!(
                    "restarts: {}, the last because the server {reason}",
                    supervisor.restarts
                ),
                None => println!("restarts: 0"),
            }
        }
        None => println!("local server: not running"),
    }
    match status.ping {
        Some(round_trip) => println!(
            "{}: answers ping in {:.2} ms",
            local.address,
            round_trip.as_secs_f64() * 1000.0
        ),
        None => println!("{}: no answer", local.address),
    }
    println!("log: {}", local.log_file.display());
}
