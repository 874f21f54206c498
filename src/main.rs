//! `stui`: reads the command line and the configuration, then runs the TUI
//! or one of the commands of `stui::cli`.

use std::process::ExitCode;

use stui::cli::args::{Action, ConfigAction, ServerAction, parse_from};
use stui::cli::{self, Context, exit};
use stui::config::settings::{Loaded, Settings};

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
    // A file is checked on its own, whatever the effective configuration.
    if let Action::Config(ConfigAction::Check { file, kind }) = &invocation.action {
        return cli::config_cmd::check(file, *kind);
    }
    let mut loaded = match Settings::load(invocation.config.as_deref()) {
        Ok(loaded) => loaded,
        Err(error) => {
            eprintln!("stui: configuration error: {error}");
            return exit::CONFIG;
        }
    };
    loaded.apply_flags(invocation.address, invocation.request_timeout_ms);
    let Loaded {
        settings,
        layers,
        user_file,
    } = loaded;
    cli::init_logging(&settings);
    for (name, near) in stui::config::layers::stray_env(std::env::vars().map(|(name, _)| name)) {
        log::warn!("the environment variable {name} sets nothing (nearest: {near:?})");
    }
    let context = Context {
        settings,
        config_file: user_file.map(|file| std::path::absolute(&file).unwrap_or(file)),
        json: invocation.json,
        trust: invocation.trust,
    };
    match invocation.action {
        Action::Tui => cli::local::tui(&context.settings),
        Action::Eval { code, timeout, raw } => cli::eval::run(&context, &code, timeout, raw),
        Action::Ping => cli::probe::ping(&context, false),
        Action::TestConnection => cli::probe::ping(&context, true),
        Action::HealthCheck => cli::probe::health_check(&context),
        Action::Status => cli::status::run(&context),
        Action::Bench(plan) => cli::bench::run(&context, &plan),
        Action::SupportBundle(path) => cli::bundle::run(&context, path),
        Action::Conformance { address, timeout } => {
            cli::local::conformance(&context, address, timeout)
        }
        Action::Server(action) => cli::local::server(&context, action),
        Action::Keygen { server, force } => cli::keygen::run(&context.settings, server, force),
        Action::Config(ConfigAction::Show { json }) => cli::config_cmd::show(&layers, json),
        Action::Config(ConfigAction::Check { file, kind }) => cli::config_cmd::check(&file, kind),
        Action::Changes { file, command } => cli::changes::run(&context, file.as_deref(), &command),
        Action::FileIn { file, timeout } => cli::filing::filein(&context, &file, timeout),
        Action::FileOut { class, file, force } => {
            cli::filing::fileout(&context, &class, file.as_deref(), force)
        }
    }
}
