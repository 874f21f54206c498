//! Test support: a real GNU Smalltalk server on a free loopback port.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, channel};
use std::thread::JoinHandle;

use stui::net::{Bridge, BridgeSettings, Client, ClientOptions, NetEvent, ServerInfo};
use stui::server::{LocalServer, ping_once};

pub mod debug;
pub mod security;

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A client of `server` in `session`: one try, 5 s a request.
pub fn client(server: &TestServer, session: &str) -> Client {
    Client::new(
        &server.address,
        session,
        ClientOptions {
            request_timeout: Duration::from_secs(5),
            tries: 1,
            ..ClientOptions::default()
        },
    )
}

/// A loopback port nobody listens on right now, and that this test process
/// handed out to no other test.
pub fn free_port() -> u16 {
    loop {
        let port = any_free_port();
        if handed_out().insert(port) {
            return port;
        }
    }
}

/// A free port whose next port is free too (a CURVE server's key endpoint
/// is there), both handed out to no other test.
pub fn free_port_pair() -> u16 {
    loop {
        let port = any_free_port();
        let next_free = std::net::TcpListener::bind(("127.0.0.1", port + 1)).is_ok();
        let mut taken = handed_out();
        if next_free && !taken.contains(&port) && !taken.contains(&(port + 1)) {
            taken.extend([port, port + 1]);
            return port;
        }
    }
}

fn any_free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port")
}

fn handed_out() -> std::sync::MutexGuard<'static, std::collections::HashSet<u16>> {
    static PORTS: std::sync::OnceLock<std::sync::Mutex<std::collections::HashSet<u16>>> =
        std::sync::OnceLock::new();
    PORTS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The saved server image, as `stui server start` builds and runs it: the
/// server files bundled in this build, installed under the target
/// directory and saved once per stamp (built at most once per test process).
pub fn server_image() -> &'static ServerImage {
    static IMAGE: std::sync::OnceLock<ServerImage> = std::sync::OnceLock::new();
    IMAGE.get_or_init(|| {
        let files_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("server-image");
        let local = LocalServer {
            address: String::new(),
            gst: "gst".into(),
            max_message_bytes: 16 << 20,
            log_level: "info".into(),
            start_timeout: Duration::from_secs(30),
            pid_file: files_dir.join("unused.pid"),
            log_file: files_dir.join("unused.log"),
            changes_file: files_dir.join("unused.changes"),
            images_dir: files_dir.join("images"),
            save_on_stop: false,
            files_dir: files_dir.clone(),
            supervision: stui::server::Supervision::default(),
            stui_exe: env!("CARGO_BIN_EXE_stui").into(),
            stui_log: files_dir.join("stui.log"),
            security: Default::default(),
        };
        let files = local.install_files().expect("the server files install");
        let image = local
            .ensure_image(&files)
            .expect("gst saves the server image (scripts/install-deps.sh installs gst)");
        ServerImage {
            image,
            start_file: files_dir.join("gst/start.st"),
        }
    })
}

pub struct ServerImage {
    pub image: PathBuf,
    pub start_file: PathBuf,
}

/// A real server process, killed on drop.
pub struct TestServer {
    pub address: String,
    pub log_file: PathBuf,
    child: Child,
    _dir: TempDir,
}

impl TestServer {
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    pub fn start_with(extra_args: &[&str]) -> Self {
        Self::start_at(&format!("tcp://127.0.0.1:{}", free_port()), extra_args)
    }

    /// A server whose process has the environment variables `env` too.
    pub fn start_with_env(env: &[(&str, &str)]) -> Self {
        Self::launch(&format!("tcp://127.0.0.1:{}", free_port()), &[], env)
    }

    /// A server on `address`, e.g. to restart one where a client expects it.
    pub fn start_at(address: &str, extra_args: &[&str]) -> Self {
        Self::launch(address, extra_args, &[])
    }

    fn launch(address: &str, extra_args: &[&str], env: &[(&str, &str)]) -> Self {
        let dir = TempDir::new("server");
        let address = address.to_string();
        let log_file = dir.path().join("server.log");
        let image = server_image();
        let child = Command::new("gst")
            .arg("-g")
            .arg("-I")
            .arg(&image.image)
            .arg(&image.start_file)
            .arg("-a")
            .args(["--endpoint", &address, "--log-file"])
            .arg(&log_file)
            .args(extra_args)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("gst runs (scripts/install-deps.sh installs it)");
        let mut server = Self {
            address,
            log_file,
            child,
            _dir: dir,
        };
        let started = Instant::now();
        while ping_once(&server.address, Duration::from_millis(200)).is_none() {
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("the server exited during start-up: {status}");
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the server did not answer ping within 30 s"
            );
        }
        server
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A temporary directory removed on drop, named after what it is for.
pub struct TempDir(tempfile::TempDir);

impl TempDir {
    pub fn new(label: &str) -> Self {
        let dir = tempfile::Builder::new()
            .prefix(&format!("stui-test-{label}-"))
            .tempdir()
            .expect("a temporary directory");
        Self(dir)
    }

    pub fn path(&self) -> &Path {
        self.0.path()
    }
}

/// A bridge thread to `address` and the receiver of its events.
pub fn spawn_bridge(
    address: &str,
    options: ClientOptions,
    heartbeat: Option<Duration>,
    auto_start: Option<LocalServer>,
) -> (Bridge, Receiver<NetEvent>) {
    let mut settings = BridgeSettings::new(address, "bridge-test");
    settings.options = options;
    settings.heartbeat = heartbeat;
    settings.before_connect = auto_start.map(|local| {
        Box::new(stui::server::attached::AutoStart::new(local)) as Box<dyn stui::net::BeforeConnect>
    });
    spawn_bridge_with(settings)
}

/// A bridge thread with these settings and the receiver of its events.
pub fn spawn_bridge_with(settings: BridgeSettings) -> (Bridge, Receiver<NetEvent>) {
    let (events, inbox) = channel();
    (Bridge::spawn(settings, events), inbox)
}

/// A bridge with these settings, told to connect, once it says Connected.
pub fn connected_bridge(settings: BridgeSettings) -> (Bridge, Receiver<NetEvent>) {
    let (bridge, inbox) = spawn_bridge_with(settings);
    bridge.send(stui::net::BridgeCommand::Connect);
    loop {
        match next_event(&inbox) {
            NetEvent::Connecting { .. } => continue,
            NetEvent::Connected { .. } => break,
            other => panic!("expected Connected, got {other:?}"),
        }
    }
    (bridge, inbox)
}

/// The bridge's next event; fails the test after 40 s without one.
pub fn next_event(inbox: &Receiver<NetEvent>) -> NetEvent {
    inbox
        .recv_timeout(Duration::from_secs(40))
        .expect("an event from the bridge")
}

/// A thread that serves a test until dropped: `work` loops until the flag
/// it is given is set, which dropping does before joining the thread.
pub struct Background {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Background {
    pub fn spawn(work: impl FnOnce(&AtomicBool) + Send + 'static) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || work(&flag));
        Self {
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// What the GNU Smalltalk server says of itself, for screens and models
/// that need a connected state without a server.
pub fn gst_server_info() -> ServerInfo {
    ServerInfo {
        server: "stui-gst 0.1.0".into(),
        dialect: "GNU Smalltalk".into(),
        dialect_version: "3.2.5".into(),
        address: "tcp://127.0.0.1:5555".into(),
        backup: 0,
        pid: 4242,
        instance: Some("gst-4242-a".into()),
        debugging: true,
        read_only: false,
    }
}

/// The `stui` binary with its user directories inside `home`, so nothing of
/// the real user's is read or written.
pub fn stui(home: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_stui"));
    command
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_RUNTIME_DIR", home.join("run"));
    // Every key can come from a STUI_* variable: none of the machine's may
    // leak into a test.
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("STUI_") {
            command.env_remove(name);
        }
    }
    command
}

/// Runs `command`: its output, stdout and stderr as text.
pub fn run(command: &mut Command) -> (Output, String, String) {
    let output = command.output().expect("stui runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output, stdout, stderr)
}

/// `stui ARGS` at `address` with its user directories inside `home`.
pub fn stui_in(home: &Path, address: &str, args: &[&str]) -> Output {
    stui(home)
        .args(["--address", address])
        .args(args)
        .output()
        .expect("stui runs")
}

/// Runs `stui server stop` when dropped, so that a failing test leaves no
/// server behind.
pub struct StopOnDrop<'a> {
    home: &'a Path,
    address: String,
}

impl<'a> StopOnDrop<'a> {
    /// Asserts that `started` (a `server start`) succeeded; that server is
    /// stopped when this is dropped, also when the test fails.
    pub fn after(started: Output, home: &'a Path, address: &str) -> Self {
        assert!(started.status.success(), "{started:?}");
        Self {
            home,
            address: address.to_string(),
        }
    }
}

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        let _ = stui_in(self.home, &self.address, &["server", "stop"]);
    }
}

/// The bundled local server at `address` with every file of it in `dir`,
/// as a TUI or `stui server start` would run it.
pub fn local_server_in(dir: &Path, address: &str) -> LocalServer {
    LocalServer {
        address: address.to_string(),
        gst: "gst".into(),
        max_message_bytes: 1 << 20,
        log_level: "info".into(),
        start_timeout: Duration::from_secs(30),
        pid_file: dir.join("server.pid"),
        log_file: dir.join("server.log"),
        changes_file: dir.join("server.changes"),
        images_dir: dir.join("images"),
        save_on_stop: true,
        files_dir: dir.join("files"),
        supervision: stui::server::Supervision::default(),
        stui_exe: env!("CARGO_BIN_EXE_stui").into(),
        stui_log: dir.join("stui.log"),
        security: Default::default(),
    }
}
