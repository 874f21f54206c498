//! `stui server start|stop|status`, `stui conformance` and the TUI itself.

use std::io::Read;
use std::time::Duration;

use super::args::ServerAction;
use super::{Context, exit};
use crate::config::settings::Settings;
use crate::config::theme::ColorDepth;
use crate::server::{
    Assignment, ImageChoice, LocalServer, SavedImage, ServerStatus, SupervisorState,
};

/// The full-screen TUI. A keymap or theme that cannot be used does not stop
/// it: the default is used and the error shown (see `keymap_and_theme`).
pub fn tui(settings: &Settings) -> u8 {
    let (keymap, theme) = crate::app::runtime::keymap_and_theme(settings);
    let env = |name| std::env::var(name).ok();
    // Validated with the settings: `auto` or a depth the user forces.
    let forced = ColorDepth::from_setting(&settings.ui.colors).unwrap_or_default();
    let depth = forced
        .unwrap_or_else(|| ColorDepth::detect(env("COLORTERM").as_deref(), env("TERM").as_deref()));
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableBracketedPaste);
        log::error!("panic: {info}");
        previous(info);
    }));
    match crate::app::runtime::run(settings, keymap, theme.for_depth(depth)) {
        Ok(()) => exit::SUCCESS,
        Err(error) => {
            log::error!("the TUI stopped: {error}");
            eprintln!("stui: {error}");
            exit::FAILURE
        }
    }
}

/// `stui conformance`: exit 1 when any check fails.
pub fn conformance(context: &Context, address: Option<String>, timeout_ms: u64) -> u8 {
    let address = address.unwrap_or_else(|| context.settings.server.address.clone());
    let curve = match context.secure(&address) {
        Ok(curve) => curve,
        Err(failure) => return failure.finish(false),
    };
    let options = crate::conformance::Options {
        timeout: Duration::from_millis(timeout_ms.max(1)),
        curve,
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
        ServerAction::Start { image, fresh, team } => {
            let choice = match (image, fresh) {
                (Some(name), _) => ImageChoice::Named(name),
                (None, true) => ImageChoice::Fresh,
                (None, false) => ImageChoice::Last,
            };
            let mut local = local;
            local.security.override_with(&team);
            start(&local, &choice)
        }
        ServerAction::Stop { no_save } => stop(&local, !no_save),
        ServerAction::Save { name } => save(&local, name),
        ServerAction::Images { json } => images(&local, json),
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

fn start(local: &LocalServer, choice: &ImageChoice) -> u8 {
    match local.start(choice) {
        Ok(started) => {
            let from = match (&started.launch.user_image, &started.image) {
                (Some(image), _) => format!("the saved image {}", image.display()),
                (None, Some(image)) => format!("the bundled server's image {}", image.display()),
                (None, None) => "its sources".to_string(),
            };
            println!(
                "started the local server at {} (supervisor pid {}, log {}); it answered ping {:.0} ms after it was launched, from {from}; saves go to the image \"{}\"",
                local.address,
                started.pid,
                local.log_file.display(),
                started.ready_after.as_secs_f64() * 1000.0,
                started.launch.image_name
            );
            if let Some(rebuilt) = &started.rebuilt {
                println!(
                    "the image \"{}\" was saved by an older server: rebuilt on this one from its history ({} changes)",
                    rebuilt.name, rebuilt.changes
                );
                for error in &rebuilt.errors {
                    eprintln!("stui: {error}");
                }
            }
            exit::SUCCESS
        }
        Err(error) => {
            eprintln!("stui: {error}");
            exit::FAILURE
        }
    }
}

fn stop(local: &LocalServer, save_first: bool) -> u8 {
    let saved = if save_first {
        local.save_before_stop()
    } else {
        None
    };
    match &saved {
        Some(Ok(image)) => println!("saved the image {}", describe_image(image)),
        Some(Err(error)) => eprintln!("stui: {error}; stopping without saving"),
        None => {}
    }
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

fn save(local: &LocalServer, name: Option<String>) -> u8 {
    let name = name.unwrap_or_else(|| local.image_name_for_saves());
    match local.save_image(&name) {
        Ok(image) => {
            println!("saved the image {}", describe_image(&image));
            exit::SUCCESS
        }
        Err(error) => {
            eprintln!("stui: {error}");
            exit::FAILURE
        }
    }
}

/// `NAME (PATH, 12.3 MB, 4 changes in its history)`.
fn describe_image(image: &SavedImage) -> String {
    let (bytes, changes) = image
        .meta
        .as_ref()
        .map_or((0, 0), |meta| (meta.bytes, meta.history_changes));
    format!(
        "\"{}\" ({}, {:.1} MB, {changes} changes in its history)",
        image.name,
        image.path.display(),
        bytes as f64 / 1e6
    )
}

fn images(local: &LocalServer, json: bool) -> u8 {
    let stamp = crate::server::image_stamp(&local.gst);
    let images = local.saved_images();
    if json {
        let list: Vec<_> = images
            .iter()
            .map(|image| {
                serde_json::json!({
                    "name": image.name,
                    "path": image.path,
                    "bytes": image.meta.as_ref().map(|m| m.bytes),
                    "saved_at": image.meta.as_ref().map(|m| m.saved_at),
                    "address": image.meta.as_ref().map(|m| &m.address),
                    "history_changes": image.meta.as_ref().map(|m| m.history_changes),
                    "outdated": image.is_outdated(&stamp),
                })
            })
            .collect();
        super::print_json(&serde_json::json!({ "images": list, "directory": local.images_dir }));
        return exit::SUCCESS;
    }
    if images.is_empty() {
        println!("no saved images in {}", local.images_dir.display());
        return exit::SUCCESS;
    }
    println!(
        "{:<20} {:>9}  {:<20} {:<24} note",
        "name", "size", "saved (UTC)", "address"
    );
    for image in &images {
        let (size, saved, address) = image.meta.as_ref().map_or_else(
            || ("?".to_string(), "?".to_string(), "?".to_string()),
            |meta| {
                let at = std::time::UNIX_EPOCH + std::time::Duration::from_secs(meta.saved_at);
                (
                    format!("{:.1} MB", meta.bytes as f64 / 1e6),
                    super::bundle::utc_rfc3339(at).chars().take(19).collect(),
                    meta.address.clone(),
                )
            },
        );
        let note = if image.is_outdated(&stamp) {
            "saved by another server version: rebuilt from its history at start"
        } else {
            ""
        };
        println!(
            "{:<20} {size:>9}  {saved:<20} {address:<24} {note}",
            image.name
        );
    }
    exit::SUCCESS
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
            "changes_file": local.changes_file,
            "image_name": status.pid.map(|_| &supervisor.launch.image_name),
            "user_image": status.pid.and(supervisor.launch.user_image.as_ref()),
            "started_by_tui": status.pid.map(|_| supervisor.launch.auto_started),
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
            let runs = supervisor.launch.user_image.as_ref().map_or_else(
                || "the bundled server's image".to_string(),
                |image| format!("the saved image {}", image.display()),
            );
            println!(
                "runs {runs}; saves go to the image \"{}\"{}",
                supervisor.launch.image_name,
                if supervisor.launch.auto_started {
                    "; started by a TUI (the last TUI to quit stops it)"
                } else {
                    ""
                }
            );
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
