//! The local server as a team server: the `local_server.*` settings of
//! CURVE and the audit log, the gst options they become, and the refusal
//! of a listening address other machines reach without encryption. STUI
//! and the supervisor keep connecting through `server.address` (loopback);
//! with CURVE they connect with the server's own key pair, which the
//! server always authorizes (role full).

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{ServerError, is_loopback};
use crate::config::settings::LocalServerSettings;

/// What the server is started with beyond its address and files.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ServerSecurity {
    /// The server's CURVE secret key file: CURVE is on with it.
    pub server_key: Option<PathBuf>,
    /// The clients' public keys and roles.
    pub authorized_keys: Option<PathBuf>,
    /// Where the server listens, when not at the address clients use.
    pub bind: Option<String>,
    /// One JSON line per request; None: no audit log.
    pub audit_log: Option<PathBuf>,
    /// The audit log also holds the code.
    pub audit_code: bool,
}

/// "" means none.
fn path_setting(value: &str) -> Option<PathBuf> {
    (!value.is_empty()).then(|| PathBuf::from(value))
}

impl ServerSecurity {
    /// From the settings; the audit log defaults to audit.log in the data directory.
    pub fn from_settings(local: &LocalServerSettings) -> Self {
        Self {
            server_key: path_setting(&local.server_key),
            authorized_keys: path_setting(&local.authorized_keys),
            bind: (!local.bind.is_empty()).then(|| local.bind.clone()),
            audit_log: Some(
                path_setting(&local.audit_log)
                    .unwrap_or_else(|| crate::paths::data_dir().join("audit.log")),
            ),
            audit_code: local.audit_code,
        }
    }

    /// `stui server start`'s options over the settings.
    pub fn override_with(&mut self, flags: &crate::cli::args::TeamServerFlags) {
        let flags = flags.clone();
        self.server_key = flags.server_key.or(self.server_key.take());
        self.authorized_keys = flags.authorized_keys.or(self.authorized_keys.take());
        self.bind = flags.bind.or(self.bind.take());
        self.audit_log = flags.audit_log.or(self.audit_log.take());
        self.audit_code |= flags.audit_code;
    }

    /// The endpoint gst listens on: the bind, else `address`.
    pub fn endpoint<'a>(&'a self, address: &'a str) -> &'a str {
        self.bind.as_deref().unwrap_or(address)
    }

    /// The gst options of these settings (the endpoint apart).
    pub fn gst_args(&self) -> Vec<OsString> {
        let mut args: Vec<OsString> = Vec::new();
        let mut pass = |option: &str, value: &Path| {
            args.push(option.into());
            args.push(value.as_os_str().to_owned());
        };
        if let (Some(key), Some(authorized)) = (&self.server_key, &self.authorized_keys) {
            pass("--server-key", key);
            pass("--authorized-keys", authorized);
        }
        if let Some(audit_log) = &self.audit_log {
            pass("--audit-log", audit_log);
        }
        if self.audit_code {
            args.extend(["--audit-code".into(), "true".into()]);
        }
        args
    }

    /// Refuses what the server would refuse, with the settings to change:
    /// one key setting without the other, a key file that cannot be read,
    /// a bind beyond this machine without CURVE, or one that `address`
    /// (where STUI and the supervisor connect) does not reach.
    pub fn check(&self, address: &str) -> Result<(), ServerError> {
        let refuse = |why: String| Err(ServerError::Security(why));
        let curve = match (&self.server_key, &self.authorized_keys) {
            (Some(key), Some(_)) => {
                crate::security::keys::read_secret_file(key).map_err(|why| {
                    let key = key.display();
                    ServerError::Security(format!("local_server.server_key {key}: {why}"))
                })?;
                true
            }
            (None, None) => false,
            _ => {
                return refuse(
                    "local_server.server_key and local_server.authorized_keys go together: \
                     set both (see stui keygen --server) or neither"
                        .into(),
                );
            }
        };
        let endpoint = self.endpoint(address);
        if !curve && !is_loopback(endpoint) {
            return refuse(format!(
                "refusing to listen on {endpoint} without encryption: set \
                 local_server.server_key and local_server.authorized_keys (see stui keygen --server)"
            ));
        }
        if !reaches(address, endpoint) {
            return refuse(format!(
                "local_server.bind {endpoint} is not reached through server.address {address}, \
                 where STUI and the supervisor connect: listen on every interface at its port \
                 (e.g. tcp://0.0.0.0:5555) or leave local_server.bind empty"
            ));
        }
        Ok(())
    }
}

/// True when a client connecting to `address` reaches a server listening
/// on `endpoint`: the same endpoint, or tcp on the same port of every
/// interface (or of loopback).
fn reaches(address: &str, endpoint: &str) -> bool {
    if address == endpoint {
        return true;
    }
    let tcp_host_port = crate::net::tcp_host_port;
    let (Some((_, port)), Some((host, bind_port))) =
        (tcp_host_port(address), tcp_host_port(endpoint))
    else {
        return false;
    };
    let every_interface = ["*", "0.0.0.0", "[::]", "::"].contains(&host);
    port == bind_port && (every_interface || is_loopback(endpoint))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The key pair of ZeroMQ's CURVE examples (RFC 26).
    const PUBLIC: &str = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID";
    const SECRET: &str = "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs";

    fn key_file(dir: &Path) -> PathBuf {
        let path = dir.join("server.key");
        let text = format!(
            "# STUI CURVE secret key (server). Keep it private: anyone holding it can act as this key.\n\
             public_key = \"{PUBLIC}\"\nsecret_key = \"{SECRET}\"\n"
        );
        crate::paths::write_private(&path, &text).unwrap();
        path
    }

    fn with_keys(dir: &Path, bind: Option<&str>) -> ServerSecurity {
        ServerSecurity {
            server_key: Some(key_file(dir)),
            authorized_keys: Some(dir.join("authorized_keys")),
            bind: bind.map(String::from),
            ..ServerSecurity::default()
        }
    }

    const ADDRESS: &str = "tcp://127.0.0.1:5555";

    #[test]
    fn a_bind_beyond_loopback_needs_both_key_settings() {
        let plain = ServerSecurity {
            bind: Some("tcp://0.0.0.0:5555".into()),
            ..ServerSecurity::default()
        };
        let why = plain.check(ADDRESS).unwrap_err().to_string();
        assert!(
            why.contains("refusing to listen on tcp://0.0.0.0:5555 without encryption")
                && why.contains("local_server.server_key and local_server.authorized_keys"),
            "{why}"
        );
        let dir = tempfile::tempdir().unwrap();
        let keyed = with_keys(dir.path(), Some("tcp://0.0.0.0:5555"));
        assert!(keyed.check(ADDRESS).is_ok());
        let half = ServerSecurity {
            authorized_keys: None,
            ..keyed
        };
        let why = half.check(ADDRESS).unwrap_err().to_string();
        assert!(why.contains("go together"), "{why}");
    }

    #[test]
    fn loopback_without_keys_is_as_before() {
        assert!(ServerSecurity::default().check(ADDRESS).is_ok());
    }

    #[test]
    fn an_unreadable_key_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let mut keyed = with_keys(dir.path(), None);
        let missing = dir.path().join("missing.key");
        keyed.server_key = Some(missing.clone());
        let why = keyed.check(ADDRESS).unwrap_err().to_string();
        let named = format!("local_server.server_key {}:", missing.display());
        assert!(why.contains(&named), "{why}");
    }

    #[test]
    fn a_bind_the_address_does_not_reach_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        for bind in ["tcp://192.168.1.5:5555", "tcp://0.0.0.0:6000"] {
            let why = with_keys(dir.path(), Some(bind))
                .check(ADDRESS)
                .unwrap_err();
            assert!(why.to_string().contains("is not reached through"), "{why}");
        }
        for bind in ["tcp://*:5555", "tcp://[::]:5555", "tcp://127.0.0.1:5555"] {
            assert!(
                with_keys(dir.path(), Some(bind)).check(ADDRESS).is_ok(),
                "{bind}"
            );
        }
    }
}
