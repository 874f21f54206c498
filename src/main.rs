//! `stui`: reads the command line and the configuration, then runs the TUI
//! or one of the commands of `stui::cli`.

use std::process::ExitCode;

use stui::app::runtime;
use stui::cli::args::{Action, ServerAction, parse_from};
use stui::cli::{self, Context, exit};
use stui::config::settings::Settings;
use stui::config::theme::ColorDepth;

fn main() -> ExitCode {
    ExitCode::from(run())
}

fn run() -> u8 {
    let invocation = match parse_from(std::env::args_os()) {
        Ok(invocation) => invocation,
        Err(error) => {
            // Usage errors go to stderr; --help and --version to stdout.
            let _ = error.print();
            return if error.use_stderr() {
                exit::USAGE
            } else {
                exit::SUCCESS
            };
        }
    };
    // The supervisor gets its settings from the process that starts it.
    if invocation.action == Action::Server(ServerAction::Supervise) {
        return cli::local::supervise();
    }
    let loaded = match Settings::load(invocation.config.as_deref()) {
        Ok(loaded) => loaded,
        Err(error) => {
            eprintln!("stui: configuration error: {error}");
            return exit::CONFIG;
        }
    };
    let mut settings = loaded.settings;
    if let Some(address) = invocation.address {
        settings.server.address = address;
    }
    if let Some(timeout) = invocation.request_timeout_ms {
        settings.server.request_timeout_ms = timeout;
    }
    cli::init_logging(&settings);
    let context = Context {
        settings,
        config_file: loaded
            .user_file
            .map(|file| std::path::absolute(&file).unwrap_or(file)),
        json: invocation.json,
    };
    match invocation.action {
        Action::Tui => tui(&context.settings),
        Action::Eval { code, timeout, raw } => cli::eval::run(&context, &code, timeout, raw),
        Action::Ping => cli::probe::ping(&context, false),
        Action::TestConnection => cli::probe::ping(&context, true),
        Action::HealthCheck => cli::probe::health_check(&context),
        Action::Status => cli::status::run(&context),
        Action::Bench(plan) => cli::bench::run(&context, &plan),
        Action::SupportBundle(path) => cli::bundle::run(&context, path),
        Action::Conformance { address, timeout } => {
            cli::local::conformance(&context.settings, address, timeout)
        }
        Action::Server(action) => cli::local::server(&context, action),
        Action::Changes { file, command } => cli::changes::run(&context, file.as_deref(), &command),
        Action::FileIn { file, timeout } => cli::filing::filein(&context, &file, timeout),
        Action::FileOut { class, file, force } => {
            cli::filing::fileout(&context, &class, file.as_deref(), force)
        }
    }
}

/// The full-screen TUI. A keymap or theme that cannot be used does not stop
/// it: the default is used and the error shown (see `keymap_and_theme`).
fn tui(settings: &Settings) -> u8 {
    let (keymap, theme) = runtime::keymap_and_theme(settings);
    let env = |name| std::env::var(name).ok();
    let depth = ColorDepth::detect(env("COLORTERM").as_deref(), env("TERM").as_deref());
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableBracketedPaste);
        log::error!("panic: {info}");
        previous(info);
    }));
    match runtime::run(settings, keymap, theme.for_depth(depth)) {
        Ok(()) => exit::SUCCESS,
        Err(error) => {
            log::error!("the TUI stopped: {error}");
            eprintln!("stui: {error}");
            exit::FAILURE
        }
    }
}
