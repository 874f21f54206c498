//! The bundled local GNU Smalltalk server: start, stop, status.
//! Its files are embedded in the binary and written to the data directory,
//! where a saved image of them is kept (see `image`); the pid file goes to
//! the runtime directory, the log to the data directory.

mod image;

pub use image::stamp as image_stamp;

use std::fs;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::config::settings::Settings;
use crate::net::{Client, ClientOptions};

include!(concat!(env!("OUT_DIR"), "/server_files.rs"));

/// How the local server is run and where its files go.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalServer {
    pub address: String,
    pub gst: String,
    pub max_message_bytes: u64,
    pub log_level: String,
    pub start_timeout: Duration,
    pub pid_file: PathBuf,
    pub log_file: PathBuf,
    pub files_dir: PathBuf,
}

#[derive(Debug)]
pub enum ServerError {
    NotLoopback(String),
    AlreadyRunning { pid: u32 },
    AddressInUse(String),
    Spawn(String),
    Exited { status: String, log_tail: String },
    NotReady { waited: Duration, log_tail: String },
    Image(String),
    Io(String),
}

impl std::fmt::Display for ServerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotLoopback(address) => write!(
                f,
                "{address} is not a loopback address: STUI only starts servers on this machine"
            ),
            Self::AlreadyRunning { pid } => {
                write!(f, "the local server is already running (pid {pid})")
            }
            Self::AddressInUse(address) => write!(
                f,
                "something else answers or listens at {address}; choose another server.address"
            ),
            Self::Spawn(why) => write!(f, "cannot start the server: {why}"),
            Self::Exited { status, log_tail } => {
                write!(f, "the server exited during start-up ({status})")?;
                if !log_tail.is_empty() {
                    write!(f, "; its log ends with:\n{log_tail}")?;
                }
                Ok(())
            }
            Self::NotReady { waited, log_tail } => {
                write!(
                    f,
                    "the server did not answer ping within {} ms",
                    waited.as_millis()
                )?;
                if !log_tail.is_empty() {
                    write!(f, "; its log ends with:\n{log_tail}")?;
                }
                Ok(())
            }
            Self::Image(why) | Self::Io(why) => write!(f, "{why}"),
        }
    }
}

impl std::error::Error for ServerError {}

/// What `status` found.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerStatus {
    /// The pid in the pid file, when that process is alive.
    pub pid: Option<u32>,
    /// The round trip of a ping, when the address answers.
    pub ping: Option<Duration>,
}

/// A server this process started; stopping it also reaps the child.
#[derive(Debug)]
pub struct StartedServer {
    pub pid: u32,
    /// From spawning gst to its first answered ping.
    pub ready_after: Duration,
    /// The saved image it runs, or None when it filed in the sources.
    pub image: Option<PathBuf>,
    child: Child,
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
        Self {
            address: settings.server.address.clone(),
            gst: settings.local_server.gst.clone(),
            max_message_bytes: settings.local_server.max_message_bytes,
            log_level: settings.local_server.log_level.clone(),
            start_timeout: Duration::from_millis(settings.local_server.start_timeout_ms),
            pid_file: crate::paths::runtime_dir().join(format!("server-{port}.pid")),
            log_file: data.join(format!("server-{port}.log")),
            files_dir: data.join("server").join(env!("CARGO_PKG_VERSION")),
        }
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
        if !unchanged {
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).map_err(|e| io_error(parent, e))?;
            }
            fs::write(&path, text).map_err(|e| io_error(&path, e))?;
        }
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
            &self.address,
            "--log-file",
            &self.log_file.display().to_string(),
            "--log-level",
            &self.log_level,
            "--max-message-bytes",
            &self.max_message_bytes.to_string(),
        ]);
        command
    }

    /// Starts the server detached from the terminal, writes the pid file and
    /// waits until it answers ping; refuses when the address is not free.
    pub fn start(&self) -> Result<StartedServer, ServerError> {
        self.check_free()?;
        self.spawn()
    }

    /// Ok when a server may be started here: a loopback address where no
    /// server of ours runs and nothing answers.
    pub fn check_free(&self) -> Result<(), ServerError> {
        if !is_loopback(&self.address) {
            return Err(ServerError::NotLoopback(self.address.clone()));
        }
        if let Some(pid) = self.running_pid() {
            return Err(ServerError::AlreadyRunning { pid });
        }
        if ping_once(&self.address, Duration::from_millis(500)).is_some() {
            return Err(ServerError::AddressInUse(self.address.clone()));
        }
        Ok(())
    }

    /// Starts the server without checking the address first: for callers
    /// that just did (see `check_free`). Runs the saved image, built first
    /// when the sources or gst changed; when the image cannot be built or
    /// its server exits during start-up, files in the sources instead.
    pub fn spawn(&self) -> Result<StartedServer, ServerError> {
        let files = self.install_files()?;
        let image = match self.ensure_image(&files) {
            Ok(image) => Some(image),
            Err(error) => {
                log::warn!("starting the server from its sources: {error}");
                None
            }
        };
        match (self.spawn_with(&files, image.as_deref()), image) {
            (Err(error @ ServerError::Exited { .. }), Some(image)) => {
                log::warn!(
                    "the server image {} did not start ({error}); removed, starting from the sources",
                    image.display()
                );
                let _ = fs::remove_file(&image);
                self.spawn_with(&files, None)
            }
            (result, _) => result,
        }
    }

    fn spawn_with(
        &self,
        files: &[PathBuf],
        image: Option<&Path>,
    ) -> Result<StartedServer, ServerError> {
        for dir in [self.pid_file.parent(), self.log_file.parent()]
            .into_iter()
            .flatten()
        {
            fs::create_dir_all(dir).map_err(|e| io_error(dir, e))?;
        }
        let log_start = fs::metadata(&self.log_file).map(|m| m.len()).unwrap_or(0);
        let output = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log_file)
            .map_err(|e| io_error(&self.log_file, e))?;
        let errors = output
            .try_clone()
            .map_err(|e| io_error(&self.log_file, e))?;
        let mut command = self.command(files, image);
        command.stdin(Stdio::null()).stdout(output).stderr(errors);
        // Its own process group: a Ctrl+C in the terminal must not kill it.
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let started = Instant::now();
        let mut child = command.spawn().map_err(|e| {
            ServerError::Spawn(format!("{} ({e}); is GNU Smalltalk installed?", self.gst))
        })?;
        let pid = child.id();
        fs::write(&self.pid_file, format!("{pid}\n")).map_err(|e| io_error(&self.pid_file, e))?;
        log::info!("started the local server, pid {pid}, at {}", self.address);
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                let _ = fs::remove_file(&self.pid_file);
                return Err(ServerError::Exited {
                    status: status.to_string(),
                    log_tail: log_tail(&self.log_file, log_start),
                });
            }
            // Short tries: each one connects afresh, so the first ping after
            // the server binds is answered at once.
            if ping_once(&self.address, Duration::from_millis(20)).is_some() {
                return Ok(StartedServer {
                    pid,
                    ready_after: started.elapsed(),
                    image: image.map(Path::to_path_buf),
                    child,
                });
            }
            if started.elapsed() >= self.start_timeout {
                let _ = child.kill();
                let _ = child.wait();
                let _ = fs::remove_file(&self.pid_file);
                return Err(ServerError::NotReady {
                    waited: started.elapsed(),
                    log_tail: log_tail(&self.log_file, log_start),
                });
            }
        }
    }

    /// Stops the server named by the pid file. Answers the pid it stopped.
    pub fn stop(&self) -> Result<Option<u32>, ServerError> {
        let Some(pid) = self.running_pid() else {
            let _ = fs::remove_file(&self.pid_file);
            return Ok(None);
        };
        terminate(pid, || process_alive(pid));
        let _ = fs::remove_file(&self.pid_file);
        log::info!("stopped the local server, pid {pid}");
        Ok(Some(pid))
    }

    /// Stops a server this process started, and reaps it.
    pub fn stop_started(&self, mut started: StartedServer) {
        let pid = started.pid;
        terminate(pid, || matches!(started.child.try_wait(), Ok(None)));
        let _ = started.child.wait();
        if self.pid_file_pid() == Some(pid) {
            let _ = fs::remove_file(&self.pid_file);
        }
        log::info!("stopped the local server this session started, pid {pid}");
    }

    pub fn status(&self) -> ServerStatus {
        ServerStatus {
            pid: self.running_pid(),
            ping: ping_once(&self.address, Duration::from_millis(1000)),
        }
    }

    fn pid_file_pid(&self) -> Option<u32> {
        fs::read_to_string(&self.pid_file).ok()?.trim().parse().ok()
    }

    /// The pid in the pid file, if that process is alive and is a gst.
    pub fn running_pid(&self) -> Option<u32> {
        let pid = self.pid_file_pid()?;
        (process_alive(pid) && is_gst(pid)).then_some(pid)
    }
}

/// SIGTERM, a grace period, then SIGKILL.
fn terminate(pid: u32, mut alive: impl FnMut() -> bool) {
    send_signal(pid, libc::SIGTERM);
    let deadline = Instant::now() + Duration::from_secs(3);
    while alive() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    if alive() {
        send_signal(pid, libc::SIGKILL);
    }
}

fn send_signal(pid: u32, signal: libc::c_int) {
    // SAFETY: kill(2) has no memory effects; a stale pid only yields ESRCH.
    unsafe {
        libc::kill(pid as libc::pid_t, signal);
    }
}

fn process_alive(pid: u32) -> bool {
    // A zombie still "exists" for kill(0); /proc tells it apart.
    let state = fs::read_to_string(format!("/proc/{pid}/stat")).ok();
    match state {
        Some(stat) => !stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
        // SAFETY: signal 0 only checks that the process exists.
        None => unsafe { libc::kill(pid as libc::pid_t, 0) == 0 },
    }
}

fn is_gst(pid: u32) -> bool {
    match fs::read(format!("/proc/{pid}/cmdline")) {
        Ok(cmdline) => String::from_utf8_lossy(&cmdline).contains("gst"),
        Err(_) => true,
    }
}

/// One ping with a short timeout and a single try: answers the round trip.
pub fn ping_once(address: &str, timeout: Duration) -> Option<Duration> {
    let mut client = Client::new(
        address,
        "stui-probe",
        ClientOptions {
            request_timeout: timeout,
            tries: 1,
            ..ClientOptions::default()
        },
    );
    match client.ping() {
        Ok(timed) if timed.value.is_ok() => Some(timed.round_trip),
        _ => None,
    }
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

/// The last lines the server wrote to its log since `from`.
/// The last lines the server wrote to its log since `from`, then the last
/// lines the VM itself wrote to stderr (`<log>.stderr`, where a crash's
/// last words go once the server runs).
fn log_tail(path: &Path, from: u64) -> String {
    let mut tail = last_lines(path, from);
    let mut vm_stderr = path.as_os_str().to_owned();
    vm_stderr.push(".stderr");
    let vm = last_lines(Path::new(&vm_stderr), 0);
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

fn io_error(path: &Path, error: std::io::Error) -> ServerError {
    ServerError::Io(format!("{}: {error}", path.display()))
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
}
