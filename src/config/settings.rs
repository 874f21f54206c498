//! Settings: the layers of `super::layers` read into typed sections and
//! checked.

use std::path::{Path, PathBuf};

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::ConfigError;
use super::error::read_config_file;
use super::layers::{DEFAULTS, Layered, SYSTEM_FILE, Source};
use crate::net::ClientOptions;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub server: ServerSettings,
    pub failover: FailoverSettings,
    pub local_server: LocalServerSettings,
    pub log: LogSettings,
    pub security: SecuritySettings,
    pub ui: UiSettings,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    pub address: String,
    pub connect_on_start: bool,
    pub request_timeout_ms: u64,
    pub tries: u32,
    pub evaluation_timeout_ms: u64,
    pub heartbeat_ms: u64,
    pub retry_backoff_ms: u64,
    pub max_reply_bytes: u64,
    /// Requests in flight at once on the connection; more are refused.
    pub max_in_flight: usize,
    pub transcript_poll_ms: u64,
    pub reconnect_ms: u64,
    pub reconnect_max_ms: u64,
    /// The server's CURVE public key (Z85), pinned for every address; "" = none.
    pub public_key: String,
}

impl ServerSettings {
    /// The connection's options these settings ask for.
    pub fn client_options(&self) -> ClientOptions {
        ClientOptions {
            request_timeout: Duration::from_millis(self.request_timeout_ms),
            tries: self.tries,
            retry_backoff: Duration::from_millis(self.retry_backoff_ms),
            max_reply_bytes: self.max_reply_bytes,
            // Resolved per address before connecting (crate::security).
            curve: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FailoverSettings {
    pub backup_servers: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocalServerSettings {
    pub auto_start: bool,
    pub gst: String,
    pub start_timeout_ms: u64,
    pub max_message_bytes: u64,
    pub log_level: String,
    pub ping_ms: u64,
    pub unresponsive_after_ms: u64,
    pub stop_grace_ms: u64,
    pub restart_backoff_ms: u64,
    pub restart_backoff_max_ms: u64,
    pub max_quick_crashes: u32,
    pub save_on_stop: bool,
    pub auto_stop_after_ms: u64,
    /// The server's CURVE secret key file; "" = no CURVE.
    pub server_key: String,
    /// The clients' keys and roles (with `server_key`).
    pub authorized_keys: String,
    /// Where the server listens; "" = `server.address`.
    pub bind: String,
    /// The server's audit log; "" = audit.log in the data directory.
    pub audit_log: String,
    /// The audit log also holds the code.
    pub audit_code: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    pub file: String,
    pub level: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UiSettings {
    pub keymap: String,
    pub theme: String,
    /// Copy and cut in the workspace also set the system clipboard (OSC 52).
    pub system_clipboard: bool,
    /// `auto`, `16`, `256` or `truecolor` (see `ColorDepth::from_setting`).
    pub colors: String,
    pub line_numbers: bool,
    /// The pause in typing a word after which completions pop up; 0 = only on request.
    pub completion_delay_ms: u64,
    /// Transcript entries kept before the oldest are dropped.
    pub transcript_max_entries: u64,
    /// An unhandled error in a workspace evaluation opens the debugger
    /// (where the server can debug) instead of ending it.
    pub debug_on_error: bool,
}

/// The client's CURVE key and the servers it trusts ("" = the default file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecuritySettings {
    pub client_key: String,
    pub known_servers: String,
}

/// The settings, the layers they were merged from, and the user's file.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    pub settings: Settings,
    pub layers: Layered,
    /// The file given with `--config`, else the user's config.toml if read.
    pub user_file: Option<PathBuf>,
}

impl Loaded {
    /// `--address` and `--timeout`: the top layer.
    pub fn apply_flags(&mut self, address: Option<String>, request_timeout_ms: Option<u64>) {
        if let Some(address) = address {
            let value = toml::Value::String(address.clone());
            self.layers
                .set("server", "address", value, Source::Flag("--address"));
            self.settings.server.address = address;
        }
        if let Some(timeout) = request_timeout_ms {
            let value = toml::Value::Integer(timeout.try_into().unwrap_or(i64::MAX));
            let flag = Source::Flag("--timeout");
            self.layers.set("server", "request_timeout_ms", value, flag);
            self.settings.server.request_timeout_ms = timeout;
        }
    }
}

/// The files of the layers, lowest first.
#[derive(Debug, Clone, PartialEq)]
pub struct Files {
    /// `/etc/stui/config.toml`; read when it exists.
    pub system: PathBuf,
    /// The user's config.toml; read when it exists.
    pub user: Option<PathBuf>,
    /// `--config FILE`; it must exist.
    pub explicit: Option<PathBuf>,
}

impl Settings {
    /// The built-in defaults alone.
    pub fn defaults() -> Self {
        toml::from_str(DEFAULTS).expect("config/default.toml is valid")
    }

    /// Every layer: the built-in file, /etc, the user's file, `explicit`,
    /// then the process's `STUI_*` environment.
    pub fn load(explicit: Option<&Path>) -> Result<Loaded, ConfigError> {
        let files = Files {
            system: PathBuf::from(SYSTEM_FILE),
            user: crate::paths::config_file(),
            explicit: explicit.map(Path::to_path_buf),
        };
        Self::load_from(&files, |name| std::env::var(name).ok())
    }

    /// Every layer, from these files and the environment `env` looks up.
    pub fn load_from(
        files: &Files,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Loaded, ConfigError> {
        let existing = |path: &Option<PathBuf>| path.clone().filter(|path| path.exists());
        let user = existing(&files.user);
        let mut layers = Layered::builtin();
        let read = [
            existing(&Some(files.system.clone())),
            user.clone(),
            files.explicit.clone(),
        ];
        for path in read.into_iter().flatten() {
            let text = read_config_file(&path, "configuration")?;
            layers.apply_file(&path, &text)?;
        }
        layers.apply_env(env)?;
        Ok(Loaded {
            settings: Self::from_layered(&layers)?,
            user_file: files.explicit.clone().or(user),
            layers,
        })
    }

    /// The settings of merged layers; a value refused names the layer it came from.
    pub fn from_layered(layers: &Layered) -> Result<Self, ConfigError> {
        let settings: Settings =
            layers
                .table
                .clone()
                .try_into()
                .map_err(|e: toml::de::Error| {
                    ConfigError::new("configuration", e.message().trim().to_string()).caused_by(e)
                })?;
        settings
            .validate()
            .map_err(|(key, why)| match layers.source(key) {
                Source::File { path, line } => {
                    ConfigError::new(path.display().to_string(), why).on_line(line)
                }
                source => ConfigError::new(source.to_string(), why),
            })?;
        Ok(settings)
    }

    /// The first value refused: its key and why.
    fn validate(&self) -> Result<(), (&'static str, String)> {
        let refuse = |key, why: String| Err((key, format!("{key} {why}")));
        if let Err(why) = check_endpoint(&self.server.address) {
            return refuse("server.address", why);
        }
        for (n, backup) in self.failover.backup_servers.iter().enumerate() {
            if let Err(why) = check_endpoint(backup) {
                return Err((
                    "failover.backup_servers",
                    format!("failover.backup_servers[{n}] {why}"),
                ));
            }
        }
        let (server, local) = (&self.server, &self.local_server);
        let minimums = [
            ("server.max_reply_bytes", server.max_reply_bytes, 1024),
            ("server.max_in_flight", server.max_in_flight as u64, 1),
            ("server.tries", u64::from(server.tries), 1),
            ("server.request_timeout_ms", server.request_timeout_ms, 1),
            ("local_server.ping_ms", local.ping_ms, 1),
            (
                "ui.transcript_max_entries",
                self.ui.transcript_max_entries,
                1,
            ),
        ];
        for (key, value, least) in minimums {
            if value < least {
                return refuse(key, format!("must be at least {least}"));
            }
        }
        if local.unresponsive_after_ms <= local.ping_ms {
            let why = "must be more than local_server.ping_ms".to_string();
            return refuse("local_server.unresponsive_after_ms", why);
        }
        let pinned = &self.server.public_key;
        if !pinned.is_empty()
            && let Err(why) = crate::security::keys::decode_key(pinned)
        {
            return refuse("server.public_key", format!("is unusable: {why}"));
        }
        if let Err(why) = super::theme::ColorDepth::from_setting(&self.ui.colors) {
            return refuse("ui.colors", why);
        }
        for (key, level) in [
            ("log.level", &self.log.level),
            ("local_server.log_level", &self.local_server.log_level),
        ] {
            if level.parse::<log::LevelFilter>().is_err() {
                let why = format!("{level:?} is not one of off, error, warn, info, debug, trace");
                return refuse(key, why);
            }
        }
        Ok(())
    }

    /// The server address followed by the failover backups, in the order tried.
    pub fn server_addresses(&self) -> Vec<String> {
        std::iter::once(self.server.address.clone())
            .chain(self.failover.backup_servers.iter().cloned())
            .collect()
    }

    /// What the client secures its connections with (the default files
    /// in the configuration directory where a path is empty).
    pub fn security(&self) -> crate::security::Security {
        let path_or = |path: &str, default: PathBuf| {
            if path.is_empty() {
                default
            } else {
                PathBuf::from(path)
            }
        };
        let owner = crate::security::keys::KeyOwner::Client;
        crate::security::Security {
            pinned: Some(self.server.public_key.clone()).filter(|key| !key.is_empty()),
            client_key: path_or(
                &self.security.client_key,
                crate::security::keys::default_secret_path(owner),
            ),
            known_servers: path_or(
                &self.security.known_servers,
                crate::paths::config_dir().join("known_servers"),
            ),
        }
    }

    /// The client log file: the configured one, or stui.log in the data directory.
    pub fn log_file(&self) -> PathBuf {
        if self.log.file.is_empty() {
            crate::paths::data_dir().join("stui.log")
        } else {
            PathBuf::from(&self.log.file)
        }
    }
}

/// The transports of ZeroMQ endpoints (`transport://address`).
const TRANSPORTS: [&str; 8] = ["tcp", "ipc", "inproc", "pgm", "epgm", "vmci", "ws", "wss"];

/// `Ok` when `address` is a ZeroMQ endpoint such as tcp://127.0.0.1:5555;
/// else why not.
pub fn check_endpoint(address: &str) -> Result<(), String> {
    match address.split_once("://") {
        Some((transport, rest)) if TRANSPORTS.contains(&transport) && !rest.is_empty() => Ok(()),
        _ => Err(format!(
            "{address:?} is not a ZeroMQ endpoint such as tcp://127.0.0.1:5555"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The settings of the built-in file, `file` (path, text) and `env`.
    fn settings_of(
        file: Option<(&str, &str)>,
        env: &[(&str, &str)],
    ) -> Result<Settings, ConfigError> {
        layered(file, env).and_then(|layers| Settings::from_layered(&layers))
    }

    fn layered(file: Option<(&str, &str)>, env: &[(&str, &str)]) -> Result<Layered, ConfigError> {
        let mut layers = Layered::builtin();
        if let Some((path, text)) = file {
            layers.apply_file(Path::new(path), text)?;
        }
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        layers.apply_env(|name| env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))?;
        Ok(layers)
    }

    fn error_of(file: Option<(&str, &str)>, env: &[(&str, &str)]) -> String {
        settings_of(file, env).unwrap_err().to_string()
    }

    #[test]
    fn defaults_point_at_the_local_server() {
        let settings = Settings::defaults();
        assert_eq!(settings.server.address, "tcp://127.0.0.1:5555");
        assert!(settings.local_server.auto_start);
        assert_eq!(settings.local_server.max_message_bytes, 16 * 1024 * 1024);
        assert_eq!(settings_of(None, &[]).unwrap(), settings);
    }

    #[test]
    fn the_connection_defaults_are_the_default_files() {
        assert_eq!(
            Settings::defaults().server.client_options(),
            ClientOptions::default()
        );
    }

    #[test]
    fn user_file_overrides_one_key_and_keeps_the_rest() {
        let text = "[server]\naddress = \"tcp://127.0.0.1:6000\"\n";
        let layers = layered(Some(("/home/u/stui.toml", text)), &[]).unwrap();
        let settings = Settings::from_layered(&layers).unwrap();
        assert_eq!(settings.server.address, "tcp://127.0.0.1:6000");
        assert_eq!(settings.server.tries, Settings::defaults().server.tries);
        let from = layers.source("server.address");
        assert_eq!(
            from,
            Source::File {
                path: "/home/u/stui.toml".into(),
                line: 2
            }
        );
        assert_eq!(layers.source("server.tries"), Source::BuiltIn);
    }

    #[test]
    fn environment_overrides_the_file_for_every_key() {
        let text = "[server]\naddress = \"tcp://127.0.0.1:6000\"\n[log]\nlevel = \"warn\"\n";
        let env = [
            ("STUI_SERVER_ADDRESS", "tcp://127.0.0.1:7000"),
            ("STUI_LOG_LEVEL", "debug"),
            ("STUI_SERVER_REQUEST_TIMEOUT_MS", "900"),
            ("STUI_LOCAL_SERVER_AUTO_START", "false"),
            ("STUI_FAILOVER_BACKUP_SERVERS", "tcp://a:1, tcp://b:2"),
            ("STUI_SERVER_TRIES", ""),
        ];
        let layers = layered(Some(("c.toml", text)), &env).unwrap();
        let settings = Settings::from_layered(&layers).unwrap();
        assert_eq!(settings.server.address, "tcp://127.0.0.1:7000");
        assert_eq!(settings.log.level, "debug");
        assert_eq!(settings.server.request_timeout_ms, 900);
        assert!(!settings.local_server.auto_start);
        assert_eq!(settings.failover.backup_servers, ["tcp://a:1", "tcp://b:2"]);
        assert_eq!(settings.server.tries, 3, "an empty variable is no override");
        let from = layers.source("server.request_timeout_ms");
        assert_eq!(from, Source::Env("STUI_SERVER_REQUEST_TIMEOUT_MS".into()));
    }

    #[test]
    fn an_environment_value_of_the_wrong_kind_names_the_variable() {
        let error = error_of(None, &[("STUI_SERVER_HEARTBEAT_MS", "2s")]);
        assert!(
            error.starts_with("environment STUI_SERVER_HEARTBEAT_MS: \"2s\""),
            "{error}"
        );
        assert!(error.contains("server.heartbeat_ms"), "{error}");
    }

    #[test]
    fn malformed_file_names_the_file_and_line() {
        let error = error_of(Some(("/home/u/stui.toml", "[server]\naddress = \n")), &[]);
        assert!(error.contains("/home/u/stui.toml:2:"), "{error}");
    }

    #[test]
    fn an_unknown_key_names_file_line_key_and_the_nearest_key() {
        let text = "[server]\ntries = 2\nadress = \"tcp://x:1\"\n";
        let error = error_of(Some(("c.toml", text)), &[]);
        assert!(
            error.starts_with("c.toml:3: unknown key 'adress' in [server]"),
            "{error}"
        );
        assert!(error.contains("did you mean 'address'"), "{error}");
        let error = error_of(Some(("c.toml", "[sever]\ntries = 2\n")), &[]);
        assert!(
            error.starts_with("c.toml:1: unknown section [sever]"),
            "{error}"
        );
        assert!(error.contains("did you mean 'server'"), "{error}");
    }

    #[test]
    fn a_wrong_type_names_file_line_and_key() {
        let text = "[server]\n\nheartbeat_ms = \"2s\"\n";
        let error = error_of(Some(("c.toml", text)), &[]);
        assert!(
            error.starts_with("c.toml:3: server.heartbeat_ms must be a whole number"),
            "{error}"
        );
        let text = "[failover]\nbackup_servers = [1]\n";
        let error = error_of(Some(("c.toml", text)), &[]);
        assert!(error.contains("with other values than strings"), "{error}");
        let error = error_of(Some(("c.toml", "server = 1\n")), &[]);
        assert!(error.contains("'server' must be a section"), "{error}");
        let error = error_of(Some(("c.toml", "[server]\ntries = -1\n")), &[]);
        assert!(error.starts_with("c.toml:2: server.tries"), "{error}");
    }

    #[test]
    fn the_colour_depth_is_a_layered_setting() {
        assert_eq!(settings_of(None, &[]).unwrap().ui.colors, "auto");
        let forced = settings_of(Some(("c.toml", "[ui]\ncolors = \"16\"\n")), &[]);
        assert_eq!(forced.unwrap().ui.colors, "16");
        let env = settings_of(None, &[("STUI_UI_COLORS", "256")]);
        assert_eq!(env.unwrap().ui.colors, "256");
        let error = error_of(Some(("c.toml", "[ui]\ncolors = \"88\"\n")), &[]);
        assert!(
            error.starts_with("c.toml:2: ui.colors \"88\" is not one of"),
            "{error}"
        );
    }

    #[test]
    fn the_transcript_cap_is_a_setting_of_at_least_one_entry() {
        let settings = settings_of(None, &[]).unwrap();
        assert_eq!(settings.ui.transcript_max_entries, 10_000);
        let env = settings_of(None, &[("STUI_UI_TRANSCRIPT_MAX_ENTRIES", "500")]);
        assert_eq!(env.unwrap().ui.transcript_max_entries, 500);
        let error = error_of(None, &[("STUI_UI_TRANSCRIPT_MAX_ENTRIES", "0")]);
        assert!(
            error.contains("ui.transcript_max_entries must be at least 1"),
            "{error}"
        );
    }

    #[test]
    fn a_refused_value_names_where_it_came_from_and_nothing_else() {
        let error = error_of(Some(("c.toml", "[server]\n\ntries = 0\n")), &[]);
        assert_eq!(error, "c.toml:3: server.tries must be at least 1");
        let error = error_of(None, &[("STUI_SERVER_ADDRESS", "127.0.0.1:5555")]);
        assert!(
            error.starts_with("environment STUI_SERVER_ADDRESS: server.address"),
            "{error}"
        );
        let error = error_of(None, &[("STUI_LOG_LEVEL", "loud")]);
        assert!(error.contains("log.level"), "{error}");
    }

    #[test]
    fn the_older_name_of_max_in_flight_is_accepted() {
        let settings = settings_of(Some(("c.toml", "[server]\nmax_queued_requests = 7\n")), &[]);
        assert_eq!(settings.unwrap().server.max_in_flight, 7);
    }

    #[test]
    fn paths_expand_the_home_and_follow_the_file() {
        let home = directories::BaseDirs::new()
            .unwrap()
            .home_dir()
            .to_path_buf();
        let text = "[ui]\nkeymap = \"~/.config/stui/keymap.toml\"\ntheme = \"themes/t.toml\"\n[log]\nfile = \"/var/log/stui.log\"\n";
        let settings = settings_of(Some(("/etc/stui/config.toml", text)), &[]).unwrap();
        assert_eq!(
            PathBuf::from(settings.ui.keymap),
            home.join(".config/stui/keymap.toml")
        );
        assert_eq!(settings.ui.theme, "/etc/stui/themes/t.toml");
        assert_eq!(settings.log.file, "/var/log/stui.log");
        assert_eq!(
            settings_of(None, &[]).unwrap().ui.keymap,
            "",
            "empty stays empty"
        );
        let presets = "[ui]\nkeymap = \"pharo\"\ntheme = \"light\"\n";
        let settings = settings_of(Some(("/etc/stui/config.toml", presets)), &[]).unwrap();
        assert_eq!(
            (settings.ui.keymap.as_str(), settings.ui.theme.as_str()),
            ("pharo", "light")
        );
    }

    #[test]
    fn the_layers_go_builtin_system_user_explicit_environment() {
        let dir = tempfile::tempdir().unwrap();
        let file = |name: &str, text: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            path
        };
        let files = Files {
            system: file(
                "etc.toml",
                "[server]\ntries = 4\nheartbeat_ms = 1\nreconnect_ms = 1\n",
            ),
            user: Some(file("user.toml", "[server]\ntries = 5\nheartbeat_ms = 2\n")),
            explicit: Some(file("given.toml", "[server]\ntries = 6\n")),
        };
        let loaded = Settings::load_from(&files, |_| None).unwrap();
        let server = &loaded.settings.server;
        assert_eq!(
            (server.tries, server.heartbeat_ms, server.reconnect_ms),
            (6, 2, 1)
        );
        assert_eq!(loaded.user_file, files.explicit);
        let env = |name: &str| (name == "STUI_SERVER_TRIES").then(|| "7".to_string());
        assert_eq!(
            Settings::load_from(&files, env)
                .unwrap()
                .settings
                .server
                .tries,
            7
        );
    }

    #[test]
    fn the_example_config_is_valid_and_sets_failover() {
        let text = include_str!("../../examples/config.toml");
        let settings = settings_of(Some(("examples/config.toml", text)), &[]).unwrap();
        assert_eq!(
            settings.server_addresses(),
            ["tcp://127.0.0.1:5555", "tcp://127.0.0.1:5556"]
        );
    }

    #[test]
    fn a_backup_that_is_not_an_endpoint_is_named() {
        let text = "[failover]\nbackup_servers = [\"tcp://a:1\", \"b:2\"]\n";
        let error = error_of(Some(("c.toml", text)), &[]);
        assert!(error.contains("failover.backup_servers[1]"), "{error}");
    }

    #[test]
    fn a_pinned_server_key_must_be_a_z85_key() {
        let text = "[server]\npublic_key = \"not-a-key\"\n";
        let error = error_of(Some(("/home/u/c.toml", text)), &[]);
        assert!(error.starts_with("/home/u/c.toml:2"), "{error}");
        assert!(error.contains("server.public_key is unusable"), "{error}");
        assert!(error.contains("40 Z85 characters"), "{error}");
        let key = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID";
        let settings = settings_of(None, &[("STUI_SERVER_PUBLIC_KEY", key)]).unwrap();
        let security = settings.security();
        assert_eq!(security.pinned.as_deref(), Some(key));
        assert!(security.client_key.ends_with("keys/client.key"));
        assert!(Settings::defaults().security().pinned.is_none());
    }

    #[test]
    fn the_security_files_are_paths_taken_from_the_config_file() {
        let text = "[security]\nclient_key = \"client.key\"\nknown_servers = \"/k/known\"\n";
        let security = settings_of(Some(("/home/u/c.toml", text)), &[])
            .unwrap()
            .security();
        assert_eq!(security.client_key, PathBuf::from("/home/u/client.key"));
        assert_eq!(security.known_servers, PathBuf::from("/k/known"));
    }

    #[test]
    fn endpoints_need_a_zeromq_transport() {
        assert!(check_endpoint("tcp://127.0.0.1:5555").is_ok());
        assert!(check_endpoint("ipc:///tmp/stui").is_ok());
        for garbage in ["garbage", "127.0.0.1:5555", "http://x:1", "tcp://"] {
            assert!(check_endpoint(garbage).is_err(), "{garbage}");
        }
    }
}
