//! The local server as the TUI uses it: the step the bridge is handed to
//! start it before connecting, and the image and changes commands the
//! runtime runs beside the bridge (they take seconds; the UI never waits).

use std::time::Duration;

use super::{LocalServer, ServerError, StartedServer, is_loopback};
use crate::config::settings::Settings;
use crate::net::{BeforeConnect, BridgeSettings, Client, ClientOptions, Reconnect};

/// The bridge's settings for `settings`, with the auto-start step when the
/// server is a local one STUI may start.
pub fn bridge_settings(settings: &Settings, session: impl Into<String>) -> BridgeSettings {
    let server = &settings.server;
    let every = |ms: u64| (ms > 0).then(|| Duration::from_millis(ms));
    let auto_start = is_loopback(&server.address) && settings.local_server.auto_start;
    BridgeSettings {
        addresses: settings.server_addresses(),
        session: session.into(),
        options: server.client_options(),
        heartbeat: every(server.heartbeat_ms),
        transcript_poll: every(server.transcript_poll_ms),
        reconnect: every(server.reconnect_ms).map(|first| Reconnect {
            first,
            max: Duration::from_millis(server.reconnect_max_ms).max(first),
        }),
        max_in_flight: server.max_in_flight,
        security: Some(settings.security()),
        before_connect: auto_start.then(|| {
            Box::new(AutoStart::new(LocalServer::from_settings(settings))) as Box<dyn BeforeConnect>
        }),
    }
}

/// The local server at the first address, when it is a loopback one.
pub fn local_server(settings: &Settings) -> Option<LocalServer> {
    is_loopback(&settings.server.address).then(|| LocalServer::from_settings(settings))
}

/// Starts the bundled server when nothing answers at its address; a
/// server already there is used as it is.
pub struct AutoStart {
    local: LocalServer,
    /// The server this TUI started (its supervisor), while it runs.
    started: Option<StartedServer>,
}

impl AutoStart {
    pub fn new(local: LocalServer) -> Self {
        Self {
            local,
            started: None,
        }
    }
}

impl BeforeConnect for AutoStart {
    fn before_connect(
        &mut self,
        _address: &str,
    ) -> Result<bool, Box<dyn std::error::Error + Send + Sync>> {
        // A server this session started and that died since may be started again.
        if self.started.as_mut().is_some_and(StartedServer::has_exited) {
            log::warn!("the local server this session started has exited");
            self.started = None;
        }
        if self.started.is_some() {
            return Ok(false);
        }
        match self.local.check_free() {
            Ok(()) => {
                gst_found(&self.local.gst)?;
                self.started = Some(self.local.spawn()?);
                Ok(true)
            }
            Err(ServerError::AlreadyRunning { .. } | ServerError::AddressInUse(_)) => Ok(false),
            Err(error) => Err(error.into()),
        }
    }
}

/// Without gst no start can succeed: say so plainly, rather than as the
/// supervisor's failure quoted from its log on every reconnection.
fn gst_found(gst: &str) -> Result<(), String> {
    match super::image::find_executable(gst) {
        Some(_) => Ok(()),
        None => Err(format!(
            "GNU Smalltalk (`{gst}`) was not found: install it (scripts/run.sh does) \
             or set local_server.gst"
        )),
    }
}

/// Saves the local server's image under the name it was started with;
/// answers what to tell the user.
pub fn save_image(local: Option<&LocalServer>) -> String {
    let Some(local) = local else {
        return "Saving the image needs a local server (a loopback address); save a remote image on its machine.".into();
    };
    let name = local.image_name_for_saves();
    match local.save_image(&name) {
        Ok(image) => format!("Saved the image \"{name}\" to {}.", image.path.display()),
        Err(error) => format!("The image was not saved: {error}"),
    }
}

/// Files the changes made since the last save into the server again
/// (after a crash lost them); answers what to tell the user.
pub fn replay_changes(local: Option<&LocalServer>, session: &str) -> String {
    let Some(local) = local else {
        return "Replaying changes needs a local server (a loopback address).".into();
    };
    match replay_since_save(local, session) {
        Ok(report) => report,
        Err(error) => format!("The changes were not replayed: {error}"),
    }
}

/// After the local server (re)started: the code changes it lost (made
/// after the last save, before a crash), offered for replay.
pub fn lost_changes_notice(local: Option<&LocalServer>) -> Option<String> {
    let log = crate::changes::ChangeLog::read(&local?.changes_file).ok()?;
    let lost = log.lost_at_restart().len();
    (lost > 0).then(|| format!(
        "{lost} change(s) to code made since the last save are not in the image the server started from: press F5 (replay_changes) to replay them."
    ))
}

/// What became of the local server when this TUI left (saved and
/// stopped it, or left it to the other sessions), for its last words.
pub fn depart(local: Option<&LocalServer>, session: &str) -> Option<String> {
    let local = local?;
    local.depart(session).message(&local.address)
}

fn replay_since_save(local: &LocalServer, session: &str) -> Result<String, String> {
    let log = crate::changes::ChangeLog::read(&local.changes_file)
        .map_err(|e| format!("{}: {e}", local.changes_file.display()))?;
    let entries = log.since_save();
    if entries.is_empty() {
        return Ok("No changes since the last save: nothing to replay.".into());
    }
    let defaults = ClientOptions::default();
    let mut options = local.client_options(defaults.request_timeout);
    // A replay is worth the usual tries (the server answers a resend once).
    options.tries = defaults.tries;
    let mut client = Client::new(&local.address, session, options);
    let body = crate::changes::replay_request(&entries, 300_000);
    let result = client
        .call::<crate::protocol::FileInResult>(body)
        .map_err(|e| e.to_string())?
        .value
        .map_err(|e| e.to_string())?;
    let mut report = format!(
        "Replayed {} change(s): {} method(s), classes {}.",
        entries.len(),
        result.methods.len(),
        result.classes.join(", ")
    );
    for error in &result.errors {
        report.push_str(&format!("\nline {}: {}", error.line, error.message));
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_gst_is_named_with_what_to_do() {
        let error = gst_found("no-such-gst-for-stui").unwrap_err();
        assert!(
            error.contains("`no-such-gst-for-stui`) was not found"),
            "{error}"
        );
        assert!(error.contains("local_server.gst"), "{error}");
        assert!(!error.ends_with(['.', '?']), "{error}");
        assert!(gst_found("/bin/sh").is_ok());
    }
}
