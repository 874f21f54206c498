//! `stui`: the TUI, and the commands that share its client core.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};

use stui::config::keymap::Keymap;
use stui::config::settings::Settings;
use stui::config::theme::Theme;
use stui::net::{Client, ClientOptions, NetError};
use stui::protocol::{EvaluateParams, RequestBody};
use stui::server::LocalServer;

/// Exit status when the server sent an error reply (evaluation, syntax, …).
const EXIT_ERROR_REPLY: u8 = 1;
/// Exit status for a bad configuration or command line.
const EXIT_CONFIG: u8 = 2;
/// Exit status when the server cannot be reached or answers garbage.
const EXIT_UNREACHABLE: u8 = 3;

#[derive(Parser)]
#[command(
    name = "stui",
    version,
    about = "A keyboard-driven terminal IDE for a live Smalltalk image"
)]
struct Cli {
    /// Configuration file (overrides config/default.toml; default: the user's config.toml).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Server address, e.g. tcp://127.0.0.1:5555 (overrides config and STUI_SERVER_ADDRESS).
    #[arg(long, global = true, value_name = "ENDPOINT")]
    address: Option<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Evaluate Smalltalk code and print its value.
    Eval {
        /// The code, e.g. '3 + 4'.
        code: String,
        /// Stop the evaluation after this many milliseconds (default: from the config).
        #[arg(long, value_name = "MS")]
        timeout: Option<u64>,
    },
    /// Ping the server and print the round trip.
    Ping,
    /// Check a server against the wire protocol: one line per check, then
    /// `N passed, M failed`; the exit status is 1 on any failure.
    Conformance {
        /// The server's endpoint (default: the configured server address).
        #[arg(value_name = "ADDRESS")]
        address: Option<String>,
        /// How long each check waits for one reply, in milliseconds.
        #[arg(long, value_name = "MS", default_value_t = 5000)]
        timeout: u64,
    },
    /// Manage the bundled local GNU Smalltalk server.
    Server {
        #[command(subcommand)]
        action: ServerAction,
    },
}

#[derive(Subcommand)]
enum ServerAction {
    /// Start the server in the background and wait until it answers.
    Start,
    /// Stop the server started with `stui server start`.
    Stop,
    /// Tell whether the server runs and answers.
    Status,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut settings = match Settings::load(cli.config.as_deref()) {
        Ok(loaded) => loaded.settings,
        Err(error) => {
            eprintln!("stui: configuration error: {error}");
            return ExitCode::from(EXIT_CONFIG);
        }
    };
    if let Some(address) = cli.address {
        settings.server.address = address;
    }
    init_logging(&settings);
    match cli.command {
        None => run_tui(&settings),
        Some(Command::Eval { code, timeout }) => eval(&settings, &code, timeout),
        Some(Command::Ping) => ping(&settings),
        Some(Command::Conformance { address, timeout }) => conformance(&settings, address, timeout),
        Some(Command::Server { action }) => server(&settings, action),
    }
}

/// Logs go to a file: the TUI owns the terminal.
fn init_logging(settings: &Settings) {
    let path = settings.log_file();
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let Ok(file) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
    else {
        return;
    };
    let level = settings.log.level.parse().unwrap_or(log::LevelFilter::Info);
    let _ = env_logger::Builder::new()
        .filter_level(level)
        // The zmq crate logs every socket drop at debug level.
        .filter_module("zmq", log::LevelFilter::Warn)
        .format_timestamp_millis()
        .target(env_logger::Target::Pipe(Box::new(file)))
        .try_init();
}

fn run_tui(settings: &Settings) -> ExitCode {
    let keymap_file = (!settings.ui.keymap.is_empty()).then(|| PathBuf::from(&settings.ui.keymap));
    let theme_file = (!settings.ui.theme.is_empty()).then(|| PathBuf::from(&settings.ui.theme));
    let keymap = match Keymap::load(keymap_file.as_deref()) {
        Ok(keymap) => keymap,
        Err(error) => {
            eprintln!("stui: keymap error: {error}");
            return ExitCode::from(EXIT_CONFIG);
        }
    };
    let theme = match Theme::load(theme_file.as_deref()) {
        Ok(theme) => theme,
        Err(error) => {
            eprintln!("stui: theme error: {error}");
            return ExitCode::from(EXIT_CONFIG);
        }
    };
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableBracketedPaste);
        log::error!("panic: {info}");
        previous(info);
    }));
    match stui::app::runtime::run(settings, keymap, theme) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            log::error!("the TUI stopped: {error}");
            eprintln!("stui: {error}");
            ExitCode::FAILURE
        }
    }
}

fn client(settings: &Settings) -> Client {
    Client::new(
        &settings.server.address,
        format!("stui-cli-{}", uuid::Uuid::new_v4()),
        ClientOptions::from_settings(&settings.server),
    )
}

fn unreachable(error: NetError) -> ExitCode {
    eprintln!("stui: {error}");
    if matches!(error, NetError::NoReply { .. }) {
        eprintln!("stui: is the server running? `stui server start` starts the bundled one.");
    }
    ExitCode::from(EXIT_UNREACHABLE)
}

fn eval(settings: &Settings, code: &str, timeout: Option<u64>) -> ExitCode {
    let mut client = client(settings);
    // An evaluation may rightly take its whole timeout; a ping first tells an
    // absent server within the request timeout instead.
    if let Err(error) = client.ping() {
        return unreachable(error);
    }
    let body = RequestBody::Evaluate(EvaluateParams {
        code: code.to_string(),
        timeout_ms: Some(timeout.unwrap_or(settings.server.evaluation_timeout_ms)),
        print_limit: None,
    });
    match client.call::<stui::protocol::EvaluateResult>(body) {
        Ok(timed) => match timed.value {
            Ok(result) => {
                print!("{}", result.output);
                if !result.output.is_empty() && !result.output.ends_with('\n') {
                    println!();
                }
                println!("{}", result.print);
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("{error}");
                for frame in error.stack.iter().flatten().take(10) {
                    eprintln!("  {frame}");
                }
                ExitCode::from(EXIT_ERROR_REPLY)
            }
        },
        Err(error) => unreachable(error),
    }
}

fn ping(settings: &Settings) -> ExitCode {
    let mut client = client(settings);
    match client.ping() {
        Ok(timed) => match timed.value {
            Ok(pong) => {
                println!(
                    "{}: round trip {:.2} ms (server up {} s)",
                    settings.server.address,
                    timed.round_trip.as_secs_f64() * 1000.0,
                    pong.uptime_ms / 1000
                );
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("{error}");
                ExitCode::from(EXIT_ERROR_REPLY)
            }
        },
        Err(error) => unreachable(error),
    }
}

fn conformance(settings: &Settings, address: Option<String>, timeout_ms: u64) -> ExitCode {
    let address = address.unwrap_or_else(|| settings.server.address.clone());
    let options = stui::conformance::Options {
        timeout: Duration::from_millis(timeout_ms.max(1)),
    };
    let summary = stui::conformance::run_with(&address, &options, &mut std::io::stdout());
    if summary.failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn server(settings: &Settings, action: ServerAction) -> ExitCode {
    let local = LocalServer::from_settings(settings);
    match action {
        ServerAction::Start => match local.start() {
            Ok(started) => {
                println!(
                    "started the local server at {} (pid {}, log {})",
                    local.address,
                    started.pid,
                    local.log_file.display()
                );
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("stui: {error}");
                ExitCode::FAILURE
            }
        },
        ServerAction::Stop => match local.stop() {
            Ok(Some(pid)) => {
                println!("stopped the local server (pid {pid})");
                ExitCode::SUCCESS
            }
            Ok(None) => {
                println!(
                    "no local server is running (no live pid in {})",
                    local.pid_file.display()
                );
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("stui: {error}");
                ExitCode::FAILURE
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
                ExitCode::SUCCESS
            } else {
                ExitCode::from(EXIT_UNREACHABLE)
            }
        }
    }
}
