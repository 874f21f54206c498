//! `stui server start|stop|status`, `stui conformance` and the TUI itself.

use std::path::PathBuf;
use std::time::Duration;

use super::args::ServerAction;
use super::{Context, exit};
use crate::config::keymap::Keymap;
use crate::config::settings::Settings;
use crate::config::theme::Theme;
use crate::server::LocalServer;

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
        ServerAction::Start => match local.start() {
            Ok(started) => {
                let from = started.image.as_ref().map_or_else(
                    || "its sources".to_string(),
                    |image| image.display().to_string(),
                );
                println!(
                    "started the local server at {} (pid {}, log {}); it answered ping {:.0} ms after it was launched, from {from}",
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
        },
        ServerAction::Stop => match local.stop() {
            Ok(Some(pid)) => {
                println!("stopped the local server (pid {pid})");
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
        },
        ServerAction::Status => {
            let status = local.status();
            match status.pid {
                Some(pid) => println!(
                    "local server: running, pid {pid} (pid file {})",
                    local.pid_file.display()
                ),
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
            if status.ping.is_some() {
                exit::SUCCESS
            } else {
                exit::CONNECTION
            }
        }
    }
}
