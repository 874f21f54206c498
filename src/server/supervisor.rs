//! The supervisor: a small process of `stui` itself (the hidden `stui
//! server supervise`) that runs the gst server, restarts it when it exits
//! or stops answering pings, and stops it when told to (SIGTERM, SIGINT,
//! SIGHUP). gst gets SIGKILL when the supervisor dies (PR_SET_PDEATHSIG),
//! so neither outlives the other. Restarts wait a back-off that doubles
//! with each quick crash; after too many in a row it gives up.

use std::path::PathBuf;
use std::process::{Child, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::process::{describe_exit, die_with_parent, terminate};
use super::{GST_HINT, Launch, LocalServer, ServerError, io_error};
use crate::net::client::decode_answer;
use crate::net::{Answer, Client};
use crate::paths::{make_private, open_private_append, write_private};
use crate::protocol::RequestBody;

/// A server that ran this long counts as healthy: the back-off and the
/// count of quick crashes start again.
const HEALTHY_AFTER: Duration = Duration::from_secs(60);

/// How the supervisor watches and restarts the server (`[local_server]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Supervision {
    /// A ping this often, on the supervisor's own socket.
    pub ping_every: Duration,
    /// No answer for this long: the server is stopped and started again.
    pub unresponsive_after: Duration,
    /// Between SIGTERM and SIGKILL.
    pub stop_grace: Duration,
    pub first_backoff: Duration,
    pub max_backoff: Duration,
    /// Give up after this many crashes in a row, each within a minute of
    /// its start.
    pub max_quick_crashes: u32,
    /// A server a TUI started is saved and stopped once no session has
    /// been active for this long (a TUI that was killed never said
    /// goodbye); zero: never.
    #[serde(default)]
    pub auto_stop_after: Duration,
}

impl Default for Supervision {
    fn default() -> Self {
        Self {
            ping_every: Duration::from_secs(1),
            unresponsive_after: Duration::from_secs(15),
            stop_grace: Duration::from_secs(3),
            first_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            max_quick_crashes: 5,
            auto_stop_after: Duration::from_secs(60),
        }
    }
}

/// What the launcher hands the supervisor (as JSON on its stdin).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assignment {
    pub local: LocalServer,
    /// The bundled server's image; None files in the sources.
    pub image: Option<PathBuf>,
    /// Which user image runs, and how the server came to run.
    pub launch: Launch,
    /// The client log (stui.log) and its level.
    pub stui_log: PathBuf,
    pub log_level: String,
}

/// Written next to the pid file for `stui server status`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SupervisorState {
    pub supervisor_pid: u32,
    /// The gst process, while one runs.
    pub server_pid: Option<u32>,
    /// That process has answered a ping.
    #[serde(default)]
    pub answering: bool,
    pub restarts: u64,
    pub last_restart_reason: Option<String>,
    /// The name saves go to, the user image the server runs (None: the
    /// bundled server's), and whether a TUI started it for itself.
    #[serde(default)]
    pub launch: Launch,
}

enum Outcome {
    Stop,
    /// A server a TUI started, with no active session for this long.
    Idle(Duration),
    Exited(ExitStatus),
    Unresponsive(Duration),
}

/// Runs the supervisor until it is told to stop (exit status 0) or gives
/// up (1).
pub fn run(assignment: Assignment) -> u8 {
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [libc::SIGTERM, libc::SIGINT, libc::SIGHUP] {
        let _ = signal_hook::flag::register(signal, stop.clone());
    }
    // SAFETY: umask(2) touches no memory.
    unsafe { libc::umask(0o077) };
    let mut supervisor = Supervisor {
        local: assignment.local,
        image: assignment.image,
        started_at: std::time::SystemTime::now(),
        stop,
        state: SupervisorState {
            supervisor_pid: std::process::id(),
            launch: assignment.launch,
            ..SupervisorState::default()
        },
        answered_once: false,
        quick_crashes: 0,
        backoff: Duration::ZERO,
        last_active: Instant::now(),
    };
    supervisor.backoff = supervisor.local.supervision.first_backoff;
    let status = supervisor.supervise();
    supervisor.remove_files();
    status
}

struct Supervisor {
    local: LocalServer,
    image: Option<PathBuf>,
    /// Images saved since then under the launch's name are what a restart
    /// runs: a crash after a save loses nothing saved.
    started_at: std::time::SystemTime,
    stop: Arc<AtomicBool>,
    state: SupervisorState,
    /// Some server of this supervisor answered a ping.
    answered_once: bool,
    quick_crashes: u32,
    backoff: Duration,
    /// When the server last had an active session (or was launched).
    last_active: Instant,
}

impl Supervisor {
    fn supervise(&mut self) -> u8 {
        let pid_file = self.local.pid_file.clone();
        if let Err(error) = write_private(&pid_file, format!("{}\n", self.state.supervisor_pid)) {
            self.note_error(&format!("cannot write {}: {error}", pid_file.display()));
            return 1;
        }
        loop {
            let mut child = match self.launch() {
                Ok(child) => child,
                Err(error) => {
                    // The error says "cannot start the server" itself.
                    self.note_error(&error.to_string());
                    return 1;
                }
            };
            let launched = Instant::now();
            let reason = match self.watch(&mut child) {
                Outcome::Stop => {
                    self.stop_child(&mut child);
                    self.note(log::Level::Info, "stopped the server, as asked");
                    return 0;
                }
                Outcome::Idle(idle) => {
                    self.save_before_idle_stop();
                    self.stop_child(&mut child);
                    self.note(
                        log::Level::Info,
                        &format!(
                            "stopped the server a TUI started: no session for {} s",
                            idle.as_secs()
                        ),
                    );
                    return 0;
                }
                Outcome::Exited(status) => describe_exit(status),
                Outcome::Unresponsive(silent) => {
                    self.stop_child(&mut child);
                    format!("stopped answering pings for {} s", silent.as_secs())
                }
            };
            if !self.answered_once {
                if self.fall_back_to_sources(&reason) {
                    continue;
                }
                self.note_error(&format!("the server {reason} during start-up"));
                return 1;
            }
            if !self.restart_after(&reason, launched.elapsed()) {
                return 1;
            }
        }
    }

    /// Starts gst with the restart count and reason in its environment.
    fn launch(&mut self) -> Result<Child, ServerError> {
        let files = self.local.install_files()?;
        self.follow_saves();
        let image = self
            .state
            .launch
            .user_image
            .as_ref()
            .or(self.image.as_ref());
        let mut command = self.local.command(&files, image.map(PathBuf::as_path));
        let log = &self.local.log_file;
        let output = open_private_append(log).map_err(|e| io_error(log, e))?;
        let errors = output.try_clone().map_err(|e| io_error(log, e))?;
        let _ = make_private(&super::vm_stderr_file(log));
        command.stdin(Stdio::null()).stdout(output).stderr(errors);
        command.env_remove("STUI_RESTART_COUNT");
        command.env_remove("STUI_RESTART_REASON");
        if let Some(reason) = &self.state.last_restart_reason {
            command.env("STUI_RESTART_COUNT", self.state.restarts.to_string());
            command.env("STUI_RESTART_REASON", reason);
        }
        // gst inherits the supervisor's umask (077, set in `run`).
        die_with_parent(&mut command, libc::SIGKILL);
        let child = command.spawn().map_err(|source| ServerError::CannotRun {
            program: self.local.gst.clone(),
            hint: GST_HINT,
            source,
        })?;
        self.state.server_pid = Some(child.id());
        self.state.answering = false;
        self.write_state();
        log::info!(
            "supervisor {}: started the server, pid {}, at {}",
            self.state.supervisor_pid,
            child.id(),
            self.local.address
        );
        Ok(child)
    }

    /// Waits until the server exits, stops answering, or a stop is asked.
    fn watch(&mut self, child: &mut Child) -> Outcome {
        let supervision = self.local.supervision.clone();
        let mut pinger = self.local.one_shot_client(
            &format!("stui-supervisor-{}", self.state.supervisor_pid),
            supervision.ping_every.min(Duration::from_secs(2)),
        );
        let launched = Instant::now();
        let mut last_answer: Option<Instant> = None;
        let mut next_ping = launched;
        self.last_active = launched;
        loop {
            if self.stop.load(Ordering::Relaxed) {
                return Outcome::Stop;
            }
            if let Some(idle) = self.idle_too_long() {
                return Outcome::Idle(idle);
            }
            if let Ok(Some(status)) = child.try_wait() {
                return Outcome::Exited(status);
            }
            if Instant::now() >= next_ping {
                if self.ping(&mut pinger, last_answer.is_some()) {
                    last_answer = Some(Instant::now());
                }
                let (silent_since, limit) = match last_answer {
                    Some(at) => (at, supervision.unresponsive_after),
                    None => (launched, self.local.start_timeout),
                };
                if silent_since.elapsed() >= limit {
                    return Outcome::Unresponsive(silent_since.elapsed());
                }
                next_ping = match last_answer {
                    Some(_) => Instant::now() + supervision.ping_every,
                    None => Instant::now(),
                };
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// One ping. Until the server first answers, short tries on fresh
    /// sockets, so that its start is seen at once (a server that dies
    /// after it listened is not a start-up failure).
    fn ping(&mut self, pinger: &mut Client, answered: bool) -> bool {
        let answers = if answered {
            let request = pinger.new_request(RequestBody::ping());
            let reply = pinger.send(&request, || self.stop.load(Ordering::Relaxed));
            let reply_ok = reply.is_ok();
            if let Ok(Ok(Ok(Answer::Ping(pong)))) =
                reply.map(|timed| decode_answer(&request.body, timed.value))
                && pong.active_sessions.unwrap_or(1) > 0
            {
                self.last_active = Instant::now();
            }
            reply_ok
        } else {
            self.local.ping(Duration::from_millis(50)).is_some()
        };
        if answers && !answered {
            self.answered_once = true;
            self.state.answering = true;
            self.write_state();
        }
        answers
    }

    /// How long a server a TUI started has had no active session, once
    /// that is past `auto_stop_after`.
    fn idle_too_long(&self) -> Option<Duration> {
        let limit = self.local.supervision.auto_stop_after;
        let idle = self.last_active.elapsed();
        (self.state.launch.auto_started && !limit.is_zero() && idle >= limit).then_some(idle)
    }

    fn save_before_idle_stop(&self) {
        match self.local.save_before_stop() {
            Some(Ok(image)) => self.note(
                log::Level::Info,
                &format!("saved the image {} before stopping", image.path.display()),
            ),
            Some(Err(error)) => self.note_error(&format!("the image was not saved: {error}")),
            None => {}
        }
    }

    fn stop_child(&self, child: &mut Child) {
        let grace = self.local.supervision.stop_grace;
        terminate(child.id(), || matches!(child.try_wait(), Ok(None)), grace);
        let _ = child.wait();
    }

    /// Runs the image last saved under the launch's name when it was saved
    /// after this supervisor started (and by this server version).
    fn follow_saves(&mut self) {
        let name = self.state.launch.image_name.clone();
        let stamp = super::image_stamp(&self.local.gst);
        // The image file's own time: the metadata's is in whole seconds.
        let saved = self.local.saved_images().into_iter().find(|image| {
            image.name == name
                && !image.is_outdated(&stamp)
                && std::fs::metadata(&image.path)
                    .and_then(|metadata| metadata.modified())
                    .is_ok_and(|written| written > self.started_at)
        });
        if let Some(image) = saved {
            self.state.launch.user_image = Some(image.path);
        }
    }

    /// A user image whose server never answered is left as it is and the
    /// bundled server starts instead; a bundled image is removed and the
    /// sources are filed in. False when there is nothing to fall back to.
    fn fall_back_to_sources(&mut self, reason: &str) -> bool {
        if let Some(user_image) = self.state.launch.user_image.take() {
            self.note(
                log::Level::Error,
                &format!(
                    "the saved image {} did not start (the server {reason}); it is kept, and the bundled server starts instead",
                    user_image.display()
                ),
            );
            self.started_at = std::time::SystemTime::now() + Duration::from_secs(1);
            return true;
        }
        let Some(image) = self.image.take() else {
            return false;
        };
        self.note(
            log::Level::Warn,
            &format!(
                "the server image {} did not start (the server {reason}); removed, starting from the sources",
                image.display()
            ),
        );
        let _ = std::fs::remove_file(&image);
        true
    }

    /// Counts the crash and waits its back-off; false when giving up or
    /// told to stop meanwhile.
    fn restart_after(&mut self, reason: &str, ran: Duration) -> bool {
        let supervision = self.local.supervision.clone();
        if ran >= HEALTHY_AFTER {
            self.quick_crashes = 0;
            self.backoff = supervision.first_backoff;
        }
        self.quick_crashes += 1;
        self.state.server_pid = None;
        self.state.answering = false;
        if self.quick_crashes > supervision.max_quick_crashes {
            self.note_error(&format!(
                "the server failed {} times in a row, each within a minute of its start (last: it {reason}); giving up",
                self.quick_crashes
            ));
            return false;
        }
        let pause = self.backoff;
        self.backoff = (self.backoff * 2).min(supervision.max_backoff);
        self.state.restarts += 1;
        self.state.last_restart_reason = Some(reason.to_string());
        self.write_state();
        self.note(
            log::Level::Warn,
            &format!(
                "the server {reason}; starting it again in {:.1} s (restart {})",
                pause.as_secs_f64(),
                self.state.restarts
            ),
        );
        self.sleep_unless_stopped(pause)
    }

    fn sleep_unless_stopped(&self, pause: Duration) -> bool {
        let until = Instant::now() + pause;
        while Instant::now() < until {
            if self.stop.load(Ordering::Relaxed) {
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        !self.stop.load(Ordering::Relaxed)
    }

    fn write_state(&self) {
        let path = self.local.state_file();
        let json = serde_json::to_string(&self.state).expect("the state serialises");
        if let Err(error) = write_private(&path, json) {
            log::warn!("cannot write {}: {error}", path.display());
        }
    }

    fn remove_files(&self) {
        if self.local.pid_file_pid() == Some(self.state.supervisor_pid) {
            let _ = std::fs::remove_file(&self.local.pid_file);
        }
        let _ = std::fs::remove_file(self.local.state_file());
    }

    fn note_error(&self, message: &str) {
        self.note(log::Level::Error, message);
    }

    /// To the stui log and to the server's log, where its own lines are.
    fn note(&self, level: log::Level, message: &str) {
        let pid = self.state.supervisor_pid;
        log::log!(level, "supervisor {pid}: {message}");
        if let Ok(mut file) = open_private_append(&self.local.log_file) {
            use std::io::Write;
            let now = crate::cli::bundle::utc_rfc3339(std::time::SystemTime::now());
            let _ = writeln!(file, "{now} {level} supervisor {pid}: {message}");
        }
    }
}
