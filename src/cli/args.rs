//! The command line (clap). [`parse_from`] also refuses the combinations
//! clap cannot express, so every usage error comes out of one place.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::error::ErrorKind;
use clap::{ArgGroup, Args, CommandFactory, Parser, Subcommand};

use jiff::Timestamp;

use crate::changes::Select;
use crate::cli::bench::Plan;

/// The code `--benchmark` and `stui bench` evaluate by default.
pub const DEFAULT_BENCH_CODE: &str = "3 + 4";
/// Clients and seconds of the concurrent part of `stui bench`.
pub const DEFAULT_LOAD_CLIENTS: u32 = 20;
pub const DEFAULT_LOAD_SECONDS: u32 = 5;

#[derive(Debug, Parser)]
#[command(
    name = "stui",
    version,
    about = "A keyboard-driven terminal IDE for a live Smalltalk image",
    long_about = "A keyboard-driven terminal IDE for a live Smalltalk image.\n\n\
        Without a command or flag, stui starts the TUI. The commands and the flags \
        --test-connection, --health-check, --status, --benchmark and \
        --generate-support-bundle run without a terminal, for scripts and monitoring.",
    after_help = super::EXIT_STATUS_HELP,
    group(
        ArgGroup::new("mode")
            .args(["test_connection", "health_check", "status", "benchmark", "generate_support_bundle"])
    ),
    group(
        ArgGroup::new("json_mode")
            .args(["test_connection", "health_check", "status", "benchmark"])
    ),
)]
pub struct Cli {
    /// Configuration file, laid over the built-in, /etc/stui/config.toml and
    /// the user's config.toml (`stui config show` tells which value came from where).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Server address, e.g. tcp://127.0.0.1:5555 (overrides config and STUI_SERVER_ADDRESS).
    #[arg(long, global = true, value_name = "ENDPOINT", value_parser = endpoint)]
    pub address: Option<String>,
    /// Trust a server whose key is not known yet (its fingerprint is shown on
    /// stderr): the key is written to known_servers and used from then on.
    #[arg(long, global = true)]
    pub trust: bool,
    /// Ping the server, then ask it to describe itself: print the round trip,
    /// its uptime, name, dialect and version.
    #[arg(long)]
    pub test_connection: bool,
    /// One ping, one try: exit 0 and print one `healthy …` line when the
    /// server answers within the timeout, else exit 2 and one `unhealthy …`
    /// line. For systemd, Kubernetes exec probes and scripts.
    #[arg(long)]
    pub health_check: bool,
    /// Server reachability, round trip, uptime, memory use, the local server,
    /// the config and log files; exit 0 when the server is up, 2 when down.
    #[arg(long)]
    pub status: bool,
    /// Measure round trips against the live server (the same as `stui bench`).
    #[arg(long)]
    pub benchmark: bool,
    /// With --benchmark: how many requests of each kind [default: 1000].
    #[arg(short = 'n', long, value_name = "N", requires = "benchmark",
          value_parser = clap::value_parser!(u32).range(1..))]
    pub count: Option<u32>,
    /// With --benchmark: the code to evaluate [default: 3 + 4].
    #[arg(long, value_name = "CODE", requires = "benchmark")]
    pub code: Option<String>,
    /// Write a tar.gz for a bug report: redacted configuration, log tails,
    /// the server's describe, versions, platform [default PATH:
    /// stui-support-<UTC timestamp>.tar.gz].
    #[arg(long, value_name = "PATH", num_args = 0..=1)]
    pub generate_support_bundle: Option<Option<PathBuf>>,
    /// With --test-connection, --health-check, --status or --benchmark: print
    /// one JSON object on one line.
    #[arg(long, requires = "json_mode")]
    pub json: bool,
    /// With --test-connection, --health-check, --status, --benchmark or
    /// --generate-support-bundle: how long one try waits for its reply, in
    /// milliseconds [default: server.request_timeout_ms].
    #[arg(long, value_name = "MS", requires = "mode",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: Option<u64>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Evaluate Smalltalk code and print its value (the Transcript output it
    /// produced comes first); errors go to stderr with exit status 1.
    Eval {
        /// The code, e.g. '3 + 4', or - to read it from stdin.
        #[arg(value_name = "CODE", allow_hyphen_values = true)]
        code: String,
        /// Stop the evaluation after this many milliseconds
        /// [default: server.evaluation_timeout_ms].
        #[arg(long, value_name = "MS")]
        timeout: Option<u64>,
        /// Print the result (or the error) as one JSON object.
        #[arg(long)]
        json: bool,
        /// Print the server's text as it is, control characters included.
        /// Without it, on a terminal, control characters (ESC, C0 but
        /// newline and tab, DEL, C1) show as escapes like \e, \x07,
        /// \u{9b}; to a pipe or file the text goes as it is.
        #[arg(long)]
        raw: bool,
    },
    /// Ping the server: print its address, the round trip and its uptime.
    Ping(ProbeArgs),
    /// Measure round trips: N evaluations through the client core, N client
    /// pings and N bare ZeroMQ pings; print p50/p90/p99/max and requests per
    /// second, and the client's overhead over the bare socket.
    Bench(BenchArgs),
    /// Check a server against the wire protocol: one line per check, then
    /// `N passed, M failed`; the exit status is 1 on any failure.
    Conformance {
        /// The server's endpoint (default: the configured server address).
        #[arg(value_name = "ADDRESS", value_parser = endpoint)]
        address: Option<String>,
        /// How long each check waits for one reply, in milliseconds.
        #[arg(long, value_name = "MS", default_value_t = 5000)]
        timeout: u64,
    },
    /// Make a CURVE key pair: the secret file (mode 0600) and its .pub, in
    /// the configuration directory's keys/; prints the public key and its
    /// fingerprint.
    Keygen {
        /// The server's key pair (keys/server.key) instead of this client's
        /// (security.client_key).
        #[arg(long)]
        server: bool,
        /// Replace existing key files.
        #[arg(long)]
        force: bool,
    },
    /// Manage the bundled local GNU Smalltalk server.
    Server {
        #[command(subcommand)]
        action: ServerAction,
    },
    /// List the code changes the server logged (classes, methods, package
    /// loads, with time, session and cause), or replay or export them.
    Changes(ChangesArgs),
    /// Show the effective configuration, or check a configuration, keymap
    /// or theme file.
    Config {
        #[command(subcommand)]
        action: ConfigAction,
    },
    /// File a file of Smalltalk code into the image (GNU Smalltalk's bracket
    /// class syntax or classic chunks); errors print as FILE:LINE:COLUMN.
    Filein {
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Stop after this many milliseconds [default: server.evaluation_timeout_ms].
        #[arg(long, value_name = "MS", value_parser = clap::value_parser!(u64).range(1..))]
        timeout: Option<u64>,
    },
    /// Print a class as a file-in (classic chunks), or write it to FILE.
    Fileout {
        #[arg(value_name = "CLASS")]
        class: String,
        #[arg(value_name = "FILE")]
        file: Option<PathBuf>,
        /// Replace FILE when it exists.
        #[arg(long, requires = "file")]
        force: bool,
    },
}

/// `stui server start`'s team server options: each overrides its
/// `local_server.*` setting (see the README's "Team server").
#[derive(Debug, Clone, Default, PartialEq, Eq, Args)]
pub struct TeamServerFlags {
    /// The server's CURVE secret key file (`stui keygen --server`).
    #[arg(long, value_name = "PATH")]
    pub server_key: Option<PathBuf>,
    /// The clients' keys and roles (`<public key> full|read <comment>` lines).
    #[arg(long, value_name = "PATH")]
    pub authorized_keys: Option<PathBuf>,
    /// Listen here, e.g. tcp://0.0.0.0:5555 (needs both key options).
    #[arg(long, value_name = "ENDPOINT")]
    pub bind: Option<String>,
    /// The audit log (JSON lines).
    #[arg(long, value_name = "PATH")]
    pub audit_log: Option<PathBuf>,
    /// Also write the code itself to the audit log.
    #[arg(long)]
    pub audit_code: bool,
}

#[derive(Debug, Clone, Args)]
pub struct ChangesArgs {
    #[command(subcommand)]
    pub action: Option<ChangesAction>,
    #[command(flatten)]
    pub select: SelectArgs,
    /// Print one JSON object on one line.
    #[arg(long)]
    pub json: bool,
    /// The changes file [default: the local server's for the address, in
    /// the data directory].
    #[arg(long, value_name = "PATH", global = true)]
    pub file: Option<PathBuf>,
}

/// Which changes: all of them unless one of these is given.
#[derive(Debug, Clone, Args)]
#[group(multiple = false)]
pub struct SelectArgs {
    /// Those logged since TIME: a date-time (2026-12-07T10:00:00Z, or local
    /// without an offset), a local date (2026-12-07), or an age (30m, 2h, 1d).
    #[arg(long, value_name = "TIME", value_parser = crate::cli::changes::parse_time)]
    pub since: Option<Timestamp>,
    /// The code changes since the image was last saved.
    #[arg(long)]
    pub since_save: bool,
}

impl SelectArgs {
    fn select(&self) -> Select {
        match (self.since, self.since_save) {
            (Some(time), _) => Select::Since(time),
            (None, true) => Select::SinceSave,
            (None, false) => Select::All,
        }
    }
}

#[derive(Debug, Clone, Subcommand)]
pub enum ChangesAction {
    /// File the code changes made since the last save back into the running
    /// image (after a crash), as one file-in.
    Replay {
        /// Every code change of the file, not only those since the last save.
        #[arg(long)]
        all: bool,
        /// Stop after this many milliseconds [default: server.evaluation_timeout_ms].
        #[arg(long, value_name = "MS", value_parser = clap::value_parser!(u64).range(1..))]
        timeout: Option<u64>,
    },
    /// Write the changes (all of them by default) to FILE as a file-in.
    Export {
        #[arg(value_name = "FILE")]
        to: PathBuf,
        #[command(flatten)]
        select: SelectArgs,
        /// Replace FILE when it exists.
        #[arg(long)]
        force: bool,
    },
}

/// What `stui changes` does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangesCommand {
    List(Select),
    Replay {
        all: bool,
        timeout: Option<u64>,
    },
    Export {
        to: PathBuf,
        select: Select,
        force: bool,
    },
}

impl ChangesArgs {
    /// The listing's flags go with the listing only (clap's
    /// `args_conflicts_with_subcommands` would refuse `--file` too).
    fn command(self) -> Result<ChangesCommand, clap::Error> {
        let listing = [
            (self.select.since.is_some(), "--since"),
            (self.select.since_save, "--since-save"),
            (self.json, "--json"),
        ];
        if let (Some(action), Some((_, flag))) =
            (&self.action, listing.iter().find(|(set, _)| *set))
        {
            let name = match action {
                ChangesAction::Replay { .. } => "replay",
                ChangesAction::Export { .. } => "export",
            };
            return Err(Cli::command().error(
                ErrorKind::ArgumentConflict,
                format!("the flag '{flag}' cannot be used with 'changes {name}'"),
            ));
        }
        Ok(match self.action {
            None => ChangesCommand::List(self.select.select()),
            Some(ChangesAction::Replay { all, timeout }) => ChangesCommand::Replay { all, timeout },
            Some(ChangesAction::Export { to, select, force }) => ChangesCommand::Export {
                to,
                select: select.select(),
                force,
            },
        })
    }
}

/// `--json` and `--timeout` of the commands that only ask the server.
#[derive(Debug, Clone, Args)]
pub struct ProbeArgs {
    /// Print one JSON object on one line.
    #[arg(long)]
    pub json: bool,
    /// How long one try waits for its reply, in milliseconds
    /// [default: server.request_timeout_ms].
    #[arg(long, value_name = "MS", value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: Option<u64>,
}

#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    /// How many requests of each kind.
    #[arg(short = 'n', long, value_name = "N", default_value_t = 1000,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub count: u32,
    /// The code to evaluate.
    #[arg(long, value_name = "CODE", default_value = DEFAULT_BENCH_CODE)]
    pub code: String,
    /// Then this many clients evaluate the code at once (0: skip that part).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_LOAD_CLIENTS)]
    pub clients: u32,
    /// For this many seconds.
    #[arg(long, value_name = "S", default_value_t = DEFAULT_LOAD_SECONDS,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub load_seconds: u32,
    #[command(flatten)]
    pub probe: ProbeArgs,
}

#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum ServerAction {
    /// Start the server in the background and wait until it answers: from
    /// the image last saved for its address, unless told otherwise.
    Start {
        /// Start from the saved image of this name (see `stui server images`).
        #[arg(long, value_name = "NAME", conflicts_with = "fresh")]
        image: Option<String>,
        /// Start from the bundled server alone, with none of the saved code.
        #[arg(long)]
        fresh: bool,
        #[command(flatten)]
        team: TeamServerFlags,
    },
    /// Stop the local server, saving its image first (unless
    /// `local_server.save_on_stop` is false or `--no-save` is given).
    Stop {
        /// Stop without saving the image.
        #[arg(long)]
        no_save: bool,
    },
    /// Save the running server's image (classes, methods, globals) under
    /// NAME, by default the name it was started from ("default" at first).
    Save {
        #[arg(value_name = "NAME")]
        name: Option<String>,
    },
    /// List the saved images: name, size, when saved, the address they
    /// served, and whether they need rebuilding for this server.
    Images {
        /// Print one JSON object on one line.
        #[arg(long)]
        json: bool,
    },
    /// Tell whether the server runs and answers: the supervisor's and the
    /// server's pids, how often it was restarted and why it last was.
    Status {
        /// Print one JSON object on one line.
        #[arg(long)]
        json: bool,
    },
    /// Run the server and restart it when it fails (what `start` runs in
    /// the background; it reads its assignment as JSON on stdin).
    #[command(hide = true)]
    Supervise,
    /// List the processes that evaluated code forked and that still run
    /// (at the configured address), or stop one of them.
    Processes {
        /// Stop the process with this id (from the list), or `all`.
        #[arg(long, value_name = "ID")]
        stop: Option<String>,
        /// Print one JSON object on one line.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum ConfigAction {
    /// Print every key's effective value and where it came from: built-in,
    /// a file and its line, an environment variable, or a flag.
    Show {
        /// Print one JSON object on one line.
        #[arg(long)]
        json: bool,
    },
    /// Check FILE: a configuration, a keymap or a theme (told by its
    /// sections, or by --kind). An error names the line, the key and the
    /// nearest valid name; the exit status is then 78.
    Check {
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// What FILE is, when its content does not tell.
        #[arg(long, value_enum)]
        kind: Option<FileKind>,
    },
}

/// The kinds of file `stui config check` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FileKind {
    Config,
    Keymap,
    Theme,
}

/// What to run, once the command line is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Tui,
    Eval {
        code: String,
        timeout: Option<u64>,
        raw: bool,
    },
    Ping,
    TestConnection,
    HealthCheck,
    Status,
    Bench(Plan),
    SupportBundle(Option<PathBuf>),
    Conformance {
        address: Option<String>,
        timeout: u64,
    },
    Server(ServerAction),
    Keygen {
        server: bool,
        force: bool,
    },
    Config(ConfigAction),
    Changes {
        /// The changes file, when not the local server's.
        file: Option<PathBuf>,
        command: ChangesCommand,
    },
    FileIn {
        file: PathBuf,
        timeout: Option<u64>,
    },
    FileOut {
        class: String,
        file: Option<PathBuf>,
        force: bool,
    },
}

/// A command line read and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    pub config: Option<PathBuf>,
    pub address: Option<String>,
    pub action: Action,
    pub json: bool,
    /// Overrides `server.request_timeout_ms` for this run.
    pub request_timeout_ms: Option<u64>,
    /// `--trust`: trust an unknown server's key.
    pub trust: bool,
}

/// Reads the command line; `Err` is a usage error, or the text of `--help`
/// or `--version` (see [`clap::Error::use_stderr`]).
pub fn parse_from<I, T>(args: I) -> Result<Invocation, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let mut cli = Cli::try_parse_from(args)?;
    let flag = [
        (cli.test_connection, "--test-connection"),
        (cli.health_check, "--health-check"),
        (cli.status, "--status"),
        (cli.benchmark, "--benchmark"),
        (
            cli.generate_support_bundle.is_some(),
            "--generate-support-bundle",
        ),
    ]
    .into_iter()
    .find_map(|(set, name)| set.then_some(name));
    check_benchmark_options(&cli)?;
    let (config, address) = (cli.config.clone(), cli.address.clone());
    let (json, timeout, trust) = (cli.json, cli.timeout, cli.trust);
    let (action, json, request_timeout_ms) = match (cli.command.take(), flag) {
        (Some(command), Some(flag)) => {
            return Err(Cli::command().error(
                ErrorKind::ArgumentConflict,
                format!(
                    "the flag '{flag}' cannot be used with the command '{}'",
                    command_name(&command)
                ),
            ));
        }
        (Some(command), None) => command_action(command)?,
        (None, _) => (flag_action(cli), json, timeout),
    };
    Ok(Invocation {
        config,
        address,
        action,
        json,
        request_timeout_ms,
        trust,
    })
}

/// clap waives `requires = "benchmark"` when a flag that conflicts with
/// --benchmark is present; say it here instead.
fn check_benchmark_options(cli: &Cli) -> Result<(), clap::Error> {
    if cli.benchmark {
        return Ok(());
    }
    let stray = [
        (cli.count.is_some(), "--count"),
        (cli.code.is_some(), "--code"),
    ];
    match stray.into_iter().find(|(set, _)| *set) {
        Some((_, name)) => Err(Cli::command().error(
            ErrorKind::MissingRequiredArgument,
            format!("the argument '{name}' goes with '--benchmark'"),
        )),
        None => Ok(()),
    }
}

/// A subcommand's action, whether it prints JSON, and its request timeout.
fn command_action(command: Command) -> Result<(Action, bool, Option<u64>), clap::Error> {
    Ok(match command {
        Command::Eval {
            code,
            timeout,
            json,
            raw,
        } => (Action::Eval { code, timeout, raw }, json, None),
        Command::Ping(probe) => (Action::Ping, probe.json, probe.timeout),
        Command::Bench(bench) => (
            Action::Bench(Plan {
                count: bench.count,
                code: bench.code,
                clients: bench.clients,
                load_seconds: bench.load_seconds,
            }),
            bench.probe.json,
            bench.probe.timeout,
        ),
        Command::Conformance { address, timeout } => {
            (Action::Conformance { address, timeout }, false, None)
        }
        Command::Keygen { server, force } => (Action::Keygen { server, force }, false, None),
        Command::Server { action } => {
            let json = matches!(
                action,
                ServerAction::Processes { json: true, .. }
                    | ServerAction::Status { json: true }
                    | ServerAction::Images { json: true }
            );
            (Action::Server(action), json, None)
        }
        Command::Config { action } => {
            let json = action == ConfigAction::Show { json: true };
            (Action::Config(action), json, None)
        }
        Command::Changes(changes) => {
            let (file, json) = (changes.file.clone(), changes.json);
            let command = changes.command()?;
            (Action::Changes { file, command }, json, None)
        }
        Command::Filein { file, timeout } => (Action::FileIn { file, timeout }, false, None),
        Command::Fileout { class, file, force } => {
            (Action::FileOut { class, file, force }, false, None)
        }
    })
}

/// The action of the top-level flags, or the TUI when none is given.
fn flag_action(cli: Cli) -> Action {
    if cli.test_connection {
        Action::TestConnection
    } else if cli.health_check {
        Action::HealthCheck
    } else if cli.status {
        Action::Status
    } else if cli.benchmark {
        Action::Bench(Plan {
            count: cli.count.unwrap_or(1000),
            code: cli.code.unwrap_or_else(|| DEFAULT_BENCH_CODE.into()),
            clients: DEFAULT_LOAD_CLIENTS,
            load_seconds: DEFAULT_LOAD_SECONDS,
        })
    } else if let Some(path) = cli.generate_support_bundle {
        Action::SupportBundle(path)
    } else {
        Action::Tui
    }
}

/// A ZeroMQ endpoint, checked as the configuration checks `server.address`.
fn endpoint(text: &str) -> Result<String, String> {
    crate::config::settings::check_endpoint(text).map(|()| text.to_string())
}

fn command_name(command: &Command) -> &'static str {
    match command {
        Command::Eval { .. } => "eval",
        Command::Ping(_) => "ping",
        Command::Bench(_) => "bench",
        Command::Conformance { .. } => "conformance",
        Command::Keygen { .. } => "keygen",
        Command::Server { .. } => "server",
        Command::Config { .. } => "config",
        Command::Changes(_) => "changes",
        Command::Filein { .. } => "filein",
        Command::Fileout { .. } => "fileout",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Result<Invocation, clap::Error> {
        parse_from(std::iter::once("stui").chain(line.split_whitespace()))
    }

    fn usage_error(line: &str) -> String {
        let error = parse(line).expect_err(line);
        assert!(error.use_stderr(), "{line}: {error}");
        error.to_string()
    }

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn an_address_must_be_a_zeromq_endpoint() {
        let error = usage_error("--address garbage ping");
        assert!(
            error.contains("\"garbage\" is not a ZeroMQ endpoint"),
            "{error}"
        );
        usage_error("conformance 127.0.0.1:5555");
        assert!(parse("--address ipc:///tmp/s ping").is_ok());
    }

    #[test]
    fn no_arguments_start_the_tui() {
        assert_eq!(parse("").unwrap().action, Action::Tui);
        let with_file = parse("--config c.toml --address tcp://127.0.0.1:1").unwrap();
        assert_eq!(with_file.action, Action::Tui);
        assert_eq!(with_file.config, Some(PathBuf::from("c.toml")));
    }

    #[test]
    fn eval_takes_code_or_a_dash_and_its_own_flags() {
        let eval = parse("eval 3+4 --json --timeout 50").unwrap();
        assert_eq!(
            eval.action,
            Action::Eval {
                code: "3+4".into(),
                timeout: Some(50),
                raw: false,
            }
        );
        assert!(eval.json);
        let raw = parse("eval 3+4 --raw").unwrap();
        assert!(matches!(raw.action, Action::Eval { raw: true, .. }));
        assert_eq!(eval.request_timeout_ms, None);
        let stdin = parse("eval -").unwrap();
        assert!(matches!(stdin.action, Action::Eval { code, .. } if code == "-"));
        let negative = parse_from(["stui", "eval", "-3 abs"]).unwrap();
        assert!(matches!(negative.action, Action::Eval { code, .. } if code == "-3 abs"));
        let global = parse("--address tcp://127.0.0.1:1 eval 1").unwrap();
        assert_eq!(global.address.as_deref(), Some("tcp://127.0.0.1:1"));
    }

    #[test]
    fn top_level_flags_take_json_and_timeout() {
        let health = parse("--health-check --json --timeout 250").unwrap();
        assert_eq!(health.action, Action::HealthCheck);
        assert!(health.json);
        assert_eq!(health.request_timeout_ms, Some(250));
        assert_eq!(parse("--status").unwrap().action, Action::Status);
        assert_eq!(
            parse("--test-connection").unwrap().action,
            Action::TestConnection
        );
        let ping = parse("ping --json --timeout 9").unwrap();
        assert_eq!((ping.action, ping.json), (Action::Ping, true));
        assert_eq!(ping.request_timeout_ms, Some(9));
    }

    #[test]
    fn benchmark_flag_and_bench_command_are_the_same() {
        let expected = Action::Bench(Plan {
            count: 20,
            code: "1".into(),
            clients: DEFAULT_LOAD_CLIENTS,
            load_seconds: DEFAULT_LOAD_SECONDS,
        });
        assert_eq!(
            parse("--benchmark -n 20 --code 1").unwrap().action,
            expected
        );
        assert_eq!(parse("bench --count 20 --code 1").unwrap().action, expected);
        let defaults = Action::Bench(Plan {
            count: 1000,
            code: DEFAULT_BENCH_CODE.into(),
            clients: DEFAULT_LOAD_CLIENTS,
            load_seconds: DEFAULT_LOAD_SECONDS,
        });
        assert_eq!(parse("--benchmark").unwrap().action, defaults);
        assert_eq!(parse("bench").unwrap().action, defaults);
    }

    #[test]
    fn the_support_bundle_path_is_optional() {
        assert_eq!(
            parse("--generate-support-bundle").unwrap().action,
            Action::SupportBundle(None)
        );
        assert_eq!(
            parse("--generate-support-bundle /tmp/b.tar.gz")
                .unwrap()
                .action,
            Action::SupportBundle(Some(PathBuf::from("/tmp/b.tar.gz")))
        );
    }

    #[test]
    fn conflicting_and_misplaced_flags_are_usage_errors() {
        usage_error("--status --health-check");
        usage_error("--benchmark --generate-support-bundle");
        assert!(usage_error("--status eval 3").contains("'--status'"));
        usage_error("--health-check ping");
        usage_error("--json");
        usage_error("--generate-support-bundle x --json");
        usage_error("--timeout 5");
        usage_error("-n 5");
        usage_error("--status -n 5");
        usage_error("--benchmark -n 0");
        usage_error("bench -n many");
        usage_error("eval");
        usage_error("--no-such-flag");
        usage_error("server");
    }

    #[test]
    fn changes_lists_with_one_selection_or_replays_or_exports() {
        let list = parse("changes").unwrap();
        assert_eq!(
            list.action,
            Action::Changes {
                file: None,
                command: ChangesCommand::List(Select::All)
            }
        );
        let since_save = parse("changes --since-save --json --file /tmp/c.changes").unwrap();
        assert!(since_save.json);
        assert_eq!(
            since_save.action,
            Action::Changes {
                file: Some(PathBuf::from("/tmp/c.changes")),
                command: ChangesCommand::List(Select::SinceSave)
            }
        );
        let since = parse("changes --since 2026-12-07T10:00:00Z").unwrap();
        let time = "2026-12-07T10:00:00Z".parse().unwrap();
        assert!(matches!(since.action,
            Action::Changes { command: ChangesCommand::List(Select::Since(t)), .. } if t == time));
        assert_eq!(
            parse("changes replay --all --timeout 9000").unwrap().action,
            Action::Changes {
                file: None,
                command: ChangesCommand::Replay {
                    all: true,
                    timeout: Some(9000)
                }
            }
        );
        assert_eq!(
            parse("changes --file x replay").unwrap().action,
            Action::Changes {
                file: Some(PathBuf::from("x")),
                command: ChangesCommand::Replay {
                    all: false,
                    timeout: None
                }
            }
        );
        assert_eq!(
            parse("changes export out.st --since-save --force --file x")
                .unwrap()
                .action,
            Action::Changes {
                file: Some(PathBuf::from("x")),
                command: ChangesCommand::Export {
                    to: PathBuf::from("out.st"),
                    select: Select::SinceSave,
                    force: true
                }
            }
        );
    }

    #[test]
    fn filein_and_fileout_take_their_files() {
        assert_eq!(
            parse("filein foo.st --timeout 5").unwrap().action,
            Action::FileIn {
                file: PathBuf::from("foo.st"),
                timeout: Some(5)
            }
        );
        assert_eq!(
            parse("fileout Foo").unwrap().action,
            Action::FileOut {
                class: "Foo".into(),
                file: None,
                force: false
            }
        );
        assert_eq!(
            parse("fileout Foo foo.st --force").unwrap().action,
            Action::FileOut {
                class: "Foo".into(),
                file: Some(PathBuf::from("foo.st")),
                force: true
            }
        );
    }

    #[test]
    fn changes_filein_and_fileout_refuse_wrong_arguments() {
        usage_error("changes --since 2h --since-save");
        usage_error("changes --since yesterday");
        usage_error("changes --since-save replay");
        usage_error("changes replay --since-save");
        usage_error("changes export");
        usage_error("changes export a.st --since 1h --since-save");
        usage_error("filein");
        usage_error("filein a.st b.st");
        usage_error("fileout");
        usage_error("fileout Foo --force");
        usage_error("--status filein a.st");
        let why = usage_error("changes --since 5y");
        assert!(why.contains("an age (45s, 30m, 2h, 1d, 2w)"), "{why}");
    }

    #[test]
    fn help_and_version_are_not_errors() {
        let help = parse("--help").unwrap_err();
        assert!(!help.use_stderr());
        assert!(help.to_string().contains("Exit status:"), "{help}");
        assert!(!parse("--version").unwrap_err().use_stderr());
    }
}
