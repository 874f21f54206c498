//! The bundled local GNU Smalltalk server: start, stop, status.
//! Its files are embedded in the binary and written to the data directory,
//! where a saved image of them is kept (see `image`); the pid file goes to
//! the runtime directory, the log to the data directory. gst runs under a
//! supervisor (see `supervisor`), a process of `stui` itself that the pid
//! file names.

pub mod attached;
mod image;
mod images;
pub mod process;
pub mod security;
pub mod supervisor;

pub use image::stamp as image_stamp;
pub use images::{DEFAULT_IMAGE, ImageChoice, ImageMeta, Rebuilt, SavedImage, check_name};
pub use security::ServerSecurity;
pub use supervisor::{Assignment, Supervision, SupervisorState};

use std::fs;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::config::settings::Settings;
use crate::net::{Client, ClientOptions};
use crate::protocol::{Empty, EndSessionResult, RequestBody};
use process::{command_line, process_alive, terminate};

include!(concat!(env!("OUT_DIR"), "/server_files.rs"));

/// How the local server is run and where its files go.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalServer {
    pub address: String,
    pub gst: String,
    pub max_message_bytes: u64,
    pub log_level: String,
    pub start_timeout: Duration,
    /// Names the supervisor's pid.
    pub pid_file: PathBuf,
    pub log_file: PathBuf,
    /// Where the server logs every change to code (see `crate::changes`).
    pub changes_file: PathBuf,
    pub files_dir: PathBuf,
    /// Saved user images (see `images`).
    pub images_dir: PathBuf,
    /// Save the image before stopping a server (`local_server.save_on_stop`).
    pub save_on_stop: bool,
    pub supervision: Supervision,
    /// The `stui` executable that runs the supervisor, and where the
    /// supervisor logs (the client log).
    pub stui_exe: PathBuf,
    pub stui_log: PathBuf,
    /// CURVE, the audit log, and where it listens (see `security`).
    pub security: ServerSecurity,
}

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("{0} is not a loopback address: STUI only starts servers on this machine")]
    NotLoopback(String),
    #[error("the local server is already running (pid {pid})")]
    AlreadyRunning { pid: u32 },
    #[error("something else answers or listens at {0}; choose another server.address")]
    AddressInUse(String),
    #[error("cannot start the server: {0}")]
    Spawn(String),
    /// `program` could not be run; `hint` follows the reason.
    #[error("cannot start the server: {program} ({source}){hint}")]
    CannotRun {
        program: String,
        hint: &'static str,
        source: std::io::Error,
    },
    #[error("cannot start the server: the supervisor did not read its assignment: {0}")]
    Assignment(#[source] std::io::Error),
    #[error("the server exited during start-up ({status}){}", log_ends(log_tail))]
    Exited { status: String, log_tail: String },
    #[error(
        "the server did not answer ping within {} ms{}",
        waited.as_millis(),
        log_ends(log_tail)
    )]
    NotReady { waited: Duration, log_tail: String },
    #[error("{0}")]
    Image(String),
    /// The security settings ask for what the server would refuse.
    #[error("{0}")]
    Security(String),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// What follows a failure to run gst.
const GST_HINT: &str = "; is GNU Smalltalk installed?";

/// How a start-up error quotes the server log's last lines, if any.
fn log_ends(log_tail: &str) -> String {
    if log_tail.is_empty() {
        String::new()
    } else {
        format!("; its log ends with:\n{log_tail}")
    }
}

/// What a TUI's departure did to the local server (see `depart`).
#[derive(Debug)]
pub enum Departure {
    /// Not a server a TUI started, or none runs.
    NotOurs,
    LeftRunning {
        others: u64,
    },
    /// Saved first when the settings say so (None: not saved).
    Stopped {
        saved: Option<Result<SavedImage, ServerError>>,
    },
}

impl Departure {
    /// The TUI's last words about the server, if any.
    pub fn message(&self, address: &str) -> Option<String> {
        match self {
            Self::NotOurs => None,
            Self::LeftRunning { others } => Some(format!(
                "left the local server at {address} running: {others} other session(s) use it"
            )),
            Self::Stopped { saved: None } => Some(format!("stopped the local server at {address}")),
            Self::Stopped {
                saved: Some(Ok(image)),
            } => Some(format!(
                "saved the image {} and stopped the local server at {address}",
                image.path.display()
            )),
            Self::Stopped {
                saved: Some(Err(error)),
            } => Some(format!(
                "stopped the local server at {address}; the image was NOT saved: {error}"
            )),
        }
    }
}

/// What `status` found.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerStatus {
    /// The pid in the pid file (the supervisor's), when that process is alive.
    pub pid: Option<u32>,
    /// What the supervisor says: the gst pid, restarts and why.
    pub supervisor: Option<SupervisorState>,
    /// The round trip of a ping, when the address answers.
    pub ping: Option<Duration>,
}

/// A server this process started: the supervisor is its child; stopping
/// it also reaps the child.
#[derive(Debug)]
pub struct StartedServer {
    /// The supervisor's pid.
    pub pid: u32,
    /// From launching the supervisor to the server's first answered ping.
    pub ready_after: Duration,
    /// The image it runs, or None when it filed in the sources.
    pub image: Option<PathBuf>,
    pub launch: Launch,
    /// When the chosen image was saved by an older server: the changes of
    /// its history brought over onto the new server's image.
    pub rebuilt: Option<Rebuilt>,
    child: Child,
}

/// Which user image a server runs and how it came to run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Launch {
    /// Where `stui server save` with no name, and the save on stop, go.
    pub image_name: String,
    /// The saved image it runs; None: the bundled server's image.
    pub user_image: Option<PathBuf>,
    /// A TUI started it for itself: the last TUI to leave stops it.
    pub auto_started: bool,
    /// The secret key file it runs with (CURVE), which `stui server
    /// status`, `stop` and `save` connect with when the settings name
    /// none (it was given to `stui server start` as a flag).
    #[serde(default)]
    pub server_key: Option<PathBuf>,
}

impl StartedServer {
    /// True once the process has ended (it is reaped then).
    pub fn has_exited(&mut self) -> bool {
        !matches!(self.child.try_wait(), Ok(None))
    }
}

impl LocalServer {
    pub fn from_settings(settings: &Settings) -> Self {
        let port = endpoint_port(&settings.server.address).unwrap_or_else(|| "default".into());
        let data = crate::paths::data_dir();
        let local = &settings.local_server;
        let millis = Duration::from_millis;
        Self {
            address: settings.server.address.clone(),
            gst: local.gst.clone(),
            max_message_bytes: local.max_message_bytes,
            log_level: local.log_level.clone(),
            start_timeout: millis(local.start_timeout_ms),
            pid_file: crate::paths::runtime_dir().join(format!("server-{port}.pid")),
            log_file: data.join(format!("server-{port}.log")),
            changes_file: data.join(format!("server-{port}.changes")),
            files_dir: data.join("server").join(env!("CARGO_PKG_VERSION")),
            images_dir: data.join("images"),
            save_on_stop: local.save_on_stop,
            supervision: Supervision {
                ping_every: millis(local.ping_ms),
                unresponsive_after: millis(local.unresponsive_after_ms),
                stop_grace: millis(local.stop_grace_ms),
                first_backoff: millis(local.restart_backoff_ms),
                max_backoff: millis(local.restart_backoff_max_ms),
                max_quick_crashes: local.max_quick_crashes,
                auto_stop_after: millis(local.auto_stop_after_ms),
            },
            stui_exe: std::env::current_exe().unwrap_or_else(|_| "stui".into()),
            stui_log: settings.log_file(),
            security: ServerSecurity::from_settings(local),
        }
    }

    /// The supervisor's state file, next to the pid file.
    pub fn state_file(&self) -> PathBuf {
        self.pid_file.with_extension("state.json")
    }

    /// Writes the embedded server files and answers their paths in load order.
    pub fn install_files(&self) -> Result<Vec<PathBuf>, ServerError> {
        if SERVER_FILES.is_empty() {
            return Err(ServerError::Spawn(
                "this build bundles no server files".into(),
            ));
        }
        self.install_file(SNAPSHOT_FILE)?;
        SERVER_FILES
            .iter()
            .map(|file| self.install_file(*file))
            .collect()
    }

    fn install_file(&self, (name, text): (&str, &str)) -> Result<PathBuf, ServerError> {
        let path = self.files_dir.join(name);
        let unchanged = fs::read_to_string(&path).is_ok_and(|old| old == text);
        let result = if unchanged {
            crate::paths::make_private(&path)
        } else {
            crate::paths::write_private(&path, text)
        };
        result.map_err(|e| io_error(&path, e))?;
        Ok(path)
    }

    /// The command line that runs the server (also shown by `stui server
    /// status`): from `image` when given, else filing in `files`.
    pub fn command(&self, files: &[PathBuf], image: Option<&Path>) -> Command {
        let mut command = Command::new(&self.gst);
        command.arg("-g");
        match image {
            Some(image) => {
                command
                    .arg("-I")
                    .arg(image)
                    .arg(self.files_dir.join(image::START_FILE));
            }
            None => {
                command.args(files);
            }
        }
        command.arg("-a").args([
            "--endpoint",
            self.security.endpoint(&self.address),
            "--log-file",
            &self.log_file.display().to_string(),
            "--log-level",
            &self.log_level,
            "--max-message-bytes",
            &self.max_message_bytes.to_string(),
            "--changes-file",
            &self.changes_file.display().to_string(),
        ]);
        command.args(self.security.gst_args());
        command
    }

    /// Starts the server under a supervisor detached from this process (it
    /// outlives it), from the image `choice` names, and waits until the
    /// server answers ping; refuses when the address is not free. For
    /// `stui server start`.
    pub fn start(&self, choice: &ImageChoice) -> Result<StartedServer, ServerError> {
        self.check_free()?;
        self.launch_supervisor(choice, false)
    }

    /// Ok when a server may be started here: a loopback address where no
    /// server of ours runs and nothing answers, and security settings the
    /// server accepts (a bind beyond loopback only with CURVE).
    pub fn check_free(&self) -> Result<(), ServerError> {
        if !is_loopback(&self.address) {
            return Err(ServerError::NotLoopback(self.address.clone()));
        }
        self.security.check(&self.address)?;
        if let Some(pid) = self.running_pid() {
            return Err(ServerError::AlreadyRunning { pid });
        }
        if self.ping(Duration::from_millis(500)).is_some() || port_taken(&self.address) {
            return Err(ServerError::AddressInUse(self.address.clone()));
        }
        Ok(())
    }

    /// Starts the server for a TUI, from the image last saved for the
    /// address, without checking the address first (the caller just did,
    /// see `check_free`). It is detached like any other: it stays up while
    /// other sessions use it, and the last TUI to leave stops it (`depart`).
    pub fn spawn(&self) -> Result<StartedServer, ServerError> {
        self.launch_supervisor(&ImageChoice::Last, true)
    }

    /// Installs the files and the bundled server's image (built first when
    /// the sources or gst changed; the sources are filed in when it cannot
    /// be built), runs the supervisor and waits for the server's first
    /// answer. A user image of an older server is rebuilt from its history.
    fn launch_supervisor(
        &self,
        choice: &ImageChoice,
        auto_started: bool,
    ) -> Result<StartedServer, ServerError> {
        let files = self.install_files()?;
        let image = match self.ensure_image(&files) {
            Ok(image) => Some(image),
            Err(error) => {
                log::warn!("starting the server from its sources: {error}");
                None
            }
        };
        let saved = self.choose_image(choice)?;
        let outdated = saved
            .as_ref()
            .filter(|saved| saved.is_outdated(&image::stamp(&self.gst)))
            .cloned();
        let launch = Launch {
            image_name: saved
                .as_ref()
                .map_or_else(|| DEFAULT_IMAGE.to_string(), |saved| saved.name.clone()),
            user_image: saved.filter(|_| outdated.is_none()).map(|saved| saved.path),
            auto_started,
            server_key: self.security.server_key.clone(),
        };
        let log_start = fs::metadata(&self.log_file).map(|m| m.len()).unwrap_or(0);
        let assignment = Assignment {
            local: self.clone(),
            image: image.clone(),
            launch: launch.clone(),
            stui_log: self.stui_log.clone(),
            log_level: log::max_level().to_string().to_lowercase(),
        };
        let started = Instant::now();
        let child = self.spawn_supervisor(&assignment)?;
        let pid = child.id();
        log::info!(
            "started the supervisor of the local server, pid {pid}, at {}",
            self.address
        );
        let mut server = StartedServer {
            pid,
            ready_after: Duration::ZERO,
            image: launch.user_image.clone().or(image),
            launch,
            rebuilt: None,
            child,
        };
        self.wait_until_ready(&mut server, started, log_start)?;
        server.ready_after = started.elapsed();
        if let Some(outdated) = outdated {
            server.rebuilt = Some(self.rebuild(&outdated)?);
        }
        Ok(server)
    }

    fn spawn_supervisor(&self, assignment: &Assignment) -> Result<Child, ServerError> {
        let errors = crate::paths::open_private_append(&self.log_file)
            .map_err(|e| io_error(&self.log_file, e))?;
        let mut command = Command::new(&self.stui_exe);
        command
            .args(["server", "supervise"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(errors);
        // Its own process group: a Ctrl+C in the terminal must not kill it.
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        process::private_umask(&mut command);
        let mut child = command.spawn().map_err(|source| ServerError::CannotRun {
            program: self.stui_exe.display().to_string(),
            hint: "",
            source,
        })?;
        let json = serde_json::to_vec(assignment).expect("the assignment serialises");
        let handed = child.stdin.take().map(|mut stdin| stdin.write_all(&json));
        if let Some(Err(error)) = handed {
            let _ = child.kill();
            let _ = child.wait();
            return Err(ServerError::Assignment(error));
        }
        Ok(child)
    }

    /// Waits until the server answers ping, the supervisor gives up, or the
    /// start timeout (plus the supervisor's own stopping time) passes.
    fn wait_until_ready(
        &self,
        server: &mut StartedServer,
        started: Instant,
        log_start: u64,
    ) -> Result<(), ServerError> {
        let deadline = self.start_timeout + self.supervision.stop_grace + Duration::from_secs(2);
        loop {
            if let Ok(Some(status)) = server.child.try_wait() {
                return Err(ServerError::Exited {
                    status: process::describe_exit(status),
                    log_tail: log_tail(&self.log_file, log_start),
                });
            }
            // Short tries: each one connects afresh, so the first ping after
            // the server binds is answered at once.
            if self.ping(Duration::from_millis(20)).is_some() {
                return Ok(());
            }
            if started.elapsed() >= deadline {
                let _ = server.child.kill();
                let _ = server.child.wait();
                return Err(ServerError::NotReady {
                    waited: started.elapsed(),
                    log_tail: log_tail(&self.log_file, log_start),
                });
            }
        }
    }

    /// How long a supervisor may take to stop its server before it is killed.
    fn supervisor_grace(&self) -> Duration {
        self.supervision.stop_grace + Duration::from_secs(2)
    }

    /// Stops the supervisor named by the pid file, and so its server (a
    /// server that outlived it anyway is stopped too). Answers the pid it
    /// stopped.
    pub fn stop(&self) -> Result<Option<u32>, ServerError> {
        let Some(pid) = self.running_pid() else {
            let _ = fs::remove_file(&self.pid_file);
            let _ = fs::remove_file(self.state_file());
            return Ok(None);
        };
        let server_pid = self.supervisor_state().and_then(|state| state.server_pid);
        terminate(pid, || process_alive(pid), self.supervisor_grace());
        if let Some(server) = server_pid.filter(|&p| process_alive(p) && is_ours(p)) {
            terminate(
                server,
                || process_alive(server),
                self.supervision.stop_grace,
            );
        }
        let _ = fs::remove_file(&self.pid_file);
        let _ = fs::remove_file(self.state_file());
        log::info!("stopped the local server, pid {pid}");
        Ok(Some(pid))
    }

    /// Saves the running server's image before a stop, when the settings
    /// ask for it and the server answers: under the name it was started
    /// with. None when there was nothing to save.
    pub fn save_before_stop(&self) -> Option<Result<SavedImage, ServerError>> {
        if !self.save_on_stop || self.running_pid().is_none() {
            return None;
        }
        self.ping(Duration::from_millis(2000))?;
        Some(self.save_image(&self.image_name_for_saves()))
    }

    /// The image a save with no name goes to: the one the running server
    /// was started from, else `DEFAULT_IMAGE`.
    pub fn image_name_for_saves(&self) -> String {
        self.supervisor_state()
            .map(|state| state.launch.image_name)
            .filter(|name| !name.is_empty())
            .unwrap_or_else(|| DEFAULT_IMAGE.to_string())
    }

    /// A TUI of `session` leaves: a server a TUI started for itself is
    /// saved and stopped when no other session is active; one started
    /// with `stui server start` is the user's to stop.
    pub fn depart(&self, session: &str) -> Departure {
        let Some(state) = self.running_pid().and_then(|_| self.supervisor_state()) else {
            return Departure::NotOurs;
        };
        if !state.launch.auto_started {
            return Departure::NotOurs;
        }
        let others = self.other_active_sessions(session);
        if others > 0 {
            log::info!("left the local server running: {others} other session(s) use it");
            return Departure::LeftRunning { others };
        }
        let saved = self.save_before_stop();
        if let Some(Err(error)) = &saved {
            log::error!("{error}");
        }
        let _ = self.stop();
        Departure::Stopped { saved }
    }

    /// Ends `session` on the server (the bridge did when it was
    /// connected), then counts the sessions still active there (0 when the
    /// server does not answer).
    fn other_active_sessions(&self, session: &str) -> u64 {
        let mut client = self.one_shot_client(session, Duration::from_secs(2));
        let _ = client.call::<EndSessionResult>(RequestBody::EndSession(Empty {}));
        match client.ping() {
            Ok(timed) => timed
                .value
                .ok()
                .and_then(|pong| pong.active_sessions)
                .unwrap_or(0),
            Err(_) => 0,
        }
    }

    pub fn status(&self) -> ServerStatus {
        let pid = self.running_pid();
        ServerStatus {
            pid,
            supervisor: pid.and_then(|_| self.supervisor_state()),
            ping: self.ping(Duration::from_millis(1000)),
        }
    }

    /// What the supervisor last wrote (whether or not it still runs).
    pub fn supervisor_state(&self) -> Option<SupervisorState> {
        serde_json::from_str(&fs::read_to_string(self.state_file()).ok()?).ok()
    }

    fn pid_file_pid(&self) -> Option<u32> {
        fs::read_to_string(&self.pid_file).ok()?.trim().parse().ok()
    }

    /// The options of this process's own clients of the server: the
    /// supervisor's pings, saves, replays, ending a session. With CURVE
    /// they are to connect with the server's own key pair (`own_keys`).
    pub fn client_options(&self, timeout: Duration) -> ClientOptions {
        let curve = self.own_keys().and_then(|pair| {
            crate::security::CurveKeys::new(&pair.public, &pair)
                .inspect_err(|why| log::error!("the server's own key: {why}"))
                .ok()
        });
        ClientOptions {
            curve,
            ..one_try_options(timeout)
        }
    }

    /// The server's own key pair when it runs with CURVE: it authorizes
    /// it (role full), so this process's clients connect with it. The key
    /// file is the settings' or, for a server started with the flag, the
    /// one its supervisor recorded.
    pub fn own_keys(&self) -> Option<crate::security::keys::KeyPair> {
        let path = self
            .security
            .server_key
            .clone()
            .or_else(|| self.supervisor_state()?.launch.server_key)?;
        crate::security::keys::read_secret_file(&path)
            .inspect_err(|why| log::error!("{}: {why}", path.display()))
            .ok()
    }

    /// One ping of the server with a single try: answers the round trip.
    pub fn ping(&self, timeout: Duration) -> Option<Duration> {
        ping_with(&mut self.one_shot_client("stui-probe", timeout))
    }

    /// A client of the server for a single exchange in `session`: one try, this timeout.
    pub fn one_shot_client(&self, session: &str, timeout: Duration) -> Client {
        Client::new(&self.address, session, self.client_options(timeout))
    }

    /// The pid in the pid file, if that process is alive and is a
    /// supervisor (or, from older versions, a gst).
    pub fn running_pid(&self) -> Option<u32> {
        let pid = self.pid_file_pid()?;
        (process_alive(pid) && is_ours(pid)).then_some(pid)
    }
}

/// A supervisor (`stui server supervise`) or a gst, by its command line.
fn is_ours(pid: u32) -> bool {
    command_line(pid).is_none_or(|line| line.contains("gst") || line.contains("server supervise"))
}

/// Where the VM's own stderr goes once the server runs (the server's
/// choice: the log file's name with `.stderr`).
fn vm_stderr_file(log: &Path) -> PathBuf {
    let mut name = log.as_os_str().to_owned();
    name.push(".stderr");
    PathBuf::from(name)
}

/// One plaintext ping with a single try: answers the round trip.
pub fn ping_once(address: &str, timeout: Duration) -> Option<Duration> {
    ping_with(&mut Client::new(
        address,
        "stui-probe",
        one_try_options(timeout),
    ))
}

/// Plaintext options for one exchange: a single try, this timeout.
fn one_try_options(timeout: Duration) -> ClientOptions {
    ClientOptions {
        request_timeout: timeout,
        tries: 1,
        ..ClientOptions::default()
    }
}

fn ping_with(client: &mut Client) -> Option<Duration> {
    match client.ping() {
        Ok(timed) if timed.value.is_ok() => Some(timed.round_trip),
        _ => None,
    }
}

/// Whether something accepts TCP connections at a tcp endpoint: a server
/// that answers no plaintext ping (one with CURVE, not ours) still holds
/// the port, and a server started there would only fail to bind.
fn port_taken(address: &str) -> bool {
    use std::net::{TcpStream, ToSocketAddrs};
    let Some(host_port) = address.strip_prefix("tcp://") else {
        return false;
    };
    let Some(socket_address) = host_port
        .to_socket_addrs()
        .ok()
        .and_then(|mut all| all.next())
    else {
        return false;
    };
    TcpStream::connect_timeout(&socket_address, Duration::from_millis(300)).is_ok()
}

/// True for tcp endpoints on 127.0.0.0/8, ::1 or localhost, and for ipc/inproc.
pub fn is_loopback(address: &str) -> bool {
    let Some((scheme, rest)) = address.split_once("://") else {
        return false;
    };
    match scheme {
        "ipc" | "inproc" => true,
        "tcp" => {
            let host = match rest.rsplit_once(':') {
                Some((host, _)) => host,
                None => rest,
            };
            let host = host.trim_start_matches('[').trim_end_matches(']');
            host == "localhost"
                || host
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
        _ => false,
    }
}

fn endpoint_port(address: &str) -> Option<String> {
    let (_, rest) = address.split_once("://")?;
    let (_, port) = rest.rsplit_once(':')?;
    port.chars()
        .all(|c| c.is_ascii_digit())
        .then(|| port.to_string())
}

/// The last lines the server wrote to its log since `from`, then the last
/// lines the VM itself wrote to stderr (`<log>.stderr`, where a crash's
/// last words go once the server runs).
fn log_tail(path: &Path, from: u64) -> String {
    let mut tail = last_lines(path, from);
    let vm = last_lines(&vm_stderr_file(path), 0);
    if !vm.is_empty() {
        if !tail.is_empty() {
            tail.push('\n');
        }
        tail.push_str(&vm);
    }
    tail
}

fn last_lines(path: &Path, from: u64) -> String {
    let mut text = String::new();
    if let Ok(mut file) = fs::File::open(path) {
        let _ = file.seek(SeekFrom::Start(from));
        let _ = file.take(64 * 1024).read_to_string(&mut text);
    }
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(10)..].join("\n")
}

fn io_error(path: &Path, source: std::io::Error) -> ServerError {
    ServerError::Io {
        path: path.to_path_buf(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_addresses_are_recognised() {
        for address in [
            "tcp://127.0.0.1:5555",
            "tcp://127.3.4.5:1",
            "tcp://localhost:5555",
            "tcp://[::1]:5555",
            "ipc:///tmp/stui.sock",
        ] {
            assert!(is_loopback(address), "{address}");
        }
        for address in [
            "tcp://10.0.0.1:5555",
            "tcp://example.org:5555",
            "tcp://0.0.0.0:5555",
            "nonsense",
        ] {
            assert!(!is_loopback(address), "{address}");
        }
    }

    #[test]
    fn port_names_the_pid_file() {
        assert_eq!(
            endpoint_port("tcp://127.0.0.1:5555").as_deref(),
            Some("5555")
        );
        assert_eq!(endpoint_port("ipc:///tmp/x"), None);
    }

    #[test]
    fn the_server_logs_changes_to_the_addresss_changes_file() {
        let local = LocalServer::from_settings(&Settings::defaults());
        assert!(local.changes_file.ends_with("server-5555.changes"));
        let command = local.command(&[], None);
        let args: Vec<_> = command.get_args().collect();
        let passed = args
            .windows(2)
            .any(|pair| pair[0] == "--changes-file" && pair[1] == local.changes_file.as_os_str());
        assert!(passed, "{args:?}");
    }

    /// The option pairs (`--name value`) of the server's command line.
    fn options_of(local: &LocalServer) -> Vec<(String, String)> {
        let command = local.command(&[], None);
        let args: Vec<String> = command
            .get_args()
            .map(|arg| arg.to_string_lossy().into_owned())
            .skip_while(|arg| arg != "-a")
            .skip(1)
            .collect();
        args.chunks(2)
            .map(|pair| (pair[0].clone(), pair.get(1).cloned().unwrap_or_default()))
            .collect()
    }

    fn option<'a>(options: &'a [(String, String)], name: &str) -> Option<&'a str> {
        options
            .iter()
            .find(|(option, _)| option == name)
            .map(|(_, value)| value.as_str())
    }

    #[test]
    fn by_default_the_server_listens_at_the_address_without_curve_and_audits() {
        let local = LocalServer::from_settings(&Settings::defaults());
        let options = options_of(&local);
        assert_eq!(option(&options, "--endpoint"), Some("tcp://127.0.0.1:5555"));
        assert_eq!(option(&options, "--server-key"), None);
        assert_eq!(option(&options, "--authorized-keys"), None);
        assert_eq!(option(&options, "--audit-code"), None);
        let audit_log = crate::paths::data_dir().join("audit.log");
        assert_eq!(
            option(&options, "--audit-log"),
            Some(audit_log.to_str().unwrap())
        );
    }

    #[test]
    fn the_team_server_settings_reach_the_servers_command_line() {
        let mut settings = Settings::defaults();
        let local = &mut settings.local_server;
        local.server_key = "/keys/server.key".into();
        local.authorized_keys = "/keys/authorized_keys".into();
        local.bind = "tcp://0.0.0.0:5555".into();
        local.audit_log = "/var/log/stui/audit.log".into();
        local.audit_code = true;
        let options = options_of(&LocalServer::from_settings(&settings));
        let expected = [
            ("--endpoint", "tcp://0.0.0.0:5555"),
            ("--server-key", "/keys/server.key"),
            ("--authorized-keys", "/keys/authorized_keys"),
            ("--audit-log", "/var/log/stui/audit.log"),
            ("--audit-code", "true"),
        ];
        for (name, value) in expected {
            assert_eq!(option(&options, name), Some(value), "{name} in {options:?}");
        }
        // STUI and the supervisor still connect through the loopback address.
        assert_eq!(
            LocalServer::from_settings(&settings).address,
            "tcp://127.0.0.1:5555"
        );
    }

    #[test]
    fn a_server_started_with_a_key_flag_is_reached_with_that_key_later() {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("server.key");
        let text = "public_key = \"Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID\"\n\
                    secret_key = \"D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs\"\n";
        crate::paths::write_private(&key, text).unwrap();
        let mut local = LocalServer::from_settings(&Settings::defaults());
        local.pid_file = dir.path().join("server.pid");
        assert_eq!(local.own_keys(), None, "no key: plaintext");
        let state = SupervisorState {
            launch: Launch {
                server_key: Some(key),
                ..Launch::default()
            },
            ..SupervisorState::default()
        };
        fs::write(local.state_file(), serde_json::to_string(&state).unwrap()).unwrap();
        let pair = local.own_keys().expect("the key its supervisor recorded");
        assert_eq!(pair.public, "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID");
    }

    #[test]
    fn a_port_held_by_a_server_that_answers_no_plaintext_ping_is_in_use() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let mut settings = Settings::defaults();
        settings.server.address = format!("tcp://{}", listener.local_addr().unwrap());
        let dir = tempfile::tempdir().unwrap();
        let mut local = LocalServer::from_settings(&settings);
        local.pid_file = dir.path().join("server.pid");
        let why = local.check_free().unwrap_err();
        assert!(matches!(why, ServerError::AddressInUse(_)), "{why}");
    }

    #[test]
    fn a_bind_beyond_loopback_without_keys_is_refused_before_starting() {
        let mut settings = Settings::defaults();
        settings.local_server.bind = "tcp://0.0.0.0:5555".into();
        let why = LocalServer::from_settings(&settings)
            .check_free()
            .unwrap_err()
            .to_string();
        assert_eq!(
            why,
            "refusing to listen on tcp://0.0.0.0:5555 without encryption: set \
             local_server.server_key and local_server.authorized_keys (see stui keygen --server)"
        );
    }
}
