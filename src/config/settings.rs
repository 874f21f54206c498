//! Settings: the embedded `config/default.toml`, then the user's file, then
//! the environment (`STUI_SERVER_ADDRESS`, `STUI_LOG_LEVEL`).

use std::path::{Path, PathBuf};

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::ConfigError;
use super::error::read_config_file;
use crate::net::ClientOptions;

const DEFAULTS: &str = include_str!("../../config/default.toml");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub server: ServerSettings,
    pub failover: FailoverSettings,
    pub local_server: LocalServerSettings,
    pub log: LogSettings,
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
    #[serde(alias = "max_queued_requests")]
    pub max_in_flight: usize,
    pub transcript_poll_ms: u64,
    pub reconnect_ms: u64,
    pub reconnect_max_ms: u64,
}

impl ServerSettings {
    /// The connection's options these settings ask for.
    pub fn client_options(&self) -> ClientOptions {
        ClientOptions {
            request_timeout: Duration::from_millis(self.request_timeout_ms),
            tries: self.tries,
            retry_backoff: Duration::from_millis(self.retry_backoff_ms),
            max_reply_bytes: self.max_reply_bytes,
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
}

/// Where the settings came from: which file, if any, was read.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    pub settings: Settings,
    pub user_file: Option<PathBuf>,
}

impl Settings {
    /// The built-in defaults alone.
    pub fn defaults() -> Self {
        toml::from_str(DEFAULTS).expect("config/default.toml is valid")
    }

    /// Defaults, then `explicit` (which must exist) or else the user's
    /// config.toml if there is one, then the environment.
    pub fn load(explicit: Option<&Path>) -> Result<Loaded, ConfigError> {
        let user_file = match explicit {
            Some(path) => Some(path.to_path_buf()),
            None => crate::paths::config_file().filter(|path| path.exists()),
        };
        let user_text = match &user_file {
            Some(path) => Some(read_config_file(path, "configuration")?),
            None => None,
        };
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let settings = Self::from_layers(
            user_file.as_deref(),
            user_text.as_deref(),
            env("STUI_SERVER_ADDRESS"),
            env("STUI_LOG_LEVEL"),
        )?;
        Ok(Loaded {
            settings,
            user_file,
        })
    }

    /// Merges the layers; separated from `load` so tests need no files or environment.
    pub fn from_layers(
        user_path: Option<&Path>,
        user_text: Option<&str>,
        env_address: Option<String>,
        env_log_level: Option<String>,
    ) -> Result<Self, ConfigError> {
        let mut merged: toml::Table =
            toml::from_str(DEFAULTS).expect("config/default.toml is valid");
        let source = user_path
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "configuration".into());
        if let Some(text) = user_text {
            let user: toml::Table =
                toml::from_str(text).map_err(|e| ConfigError::from_toml(&source, text, e))?;
            merge(&mut merged, user);
        }
        let mut settings: Settings = merged.try_into().map_err(|e: toml::de::Error| {
            ConfigError::new(&source, e.to_string().trim_end().to_string()).caused_by(e)
        })?;
        if let Some(address) = env_address {
            settings.server.address = address;
        }
        if let Some(level) = env_log_level {
            settings.log.level = level;
        }
        settings.validate().map_err(|why| {
            ConfigError::new(format!("{source} (with STUI_* environment overrides)"), why)
        })?;
        Ok(settings)
    }

    fn validate(&self) -> Result<(), String> {
        if !self.server.address.contains("://") {
            return Err(format!(
                "server.address {:?} is not a ZeroMQ endpoint such as tcp://127.0.0.1:5555",
                self.server.address
            ));
        }
        for (n, backup) in self.failover.backup_servers.iter().enumerate() {
            if !backup.contains("://") {
                return Err(format!(
                    "failover.backup_servers[{n}] {backup:?} is not a ZeroMQ endpoint such as tcp://10.0.0.2:5555"
                ));
            }
        }
        if self.server.max_reply_bytes < 1024 {
            return Err("server.max_reply_bytes must be at least 1024".into());
        }
        if self.server.max_in_flight == 0 {
            return Err("server.max_in_flight must be at least 1".into());
        }
        if self.server.tries == 0 {
            return Err("server.tries must be at least 1".into());
        }
        if self.server.request_timeout_ms == 0 {
            return Err("server.request_timeout_ms must be more than 0".into());
        }
        let local = &self.local_server;
        if local.ping_ms == 0 || local.unresponsive_after_ms <= local.ping_ms {
            return Err(
                "local_server.ping_ms must be more than 0 and less than local_server.unresponsive_after_ms"
                    .into(),
            );
        }
        for (key, level) in [
            ("log.level", &self.log.level),
            ("local_server.log_level", &self.local_server.log_level),
        ] {
            if level.parse::<log::LevelFilter>().is_err() {
                return Err(format!(
                    "{key} {level:?} is not one of off, error, warn, info, debug, trace"
                ));
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

    /// The client log file: the configured one, or stui.log in the data directory.
    pub fn log_file(&self) -> PathBuf {
        if self.log.file.is_empty() {
            crate::paths::data_dir().join("stui.log")
        } else {
            PathBuf::from(&self.log.file)
        }
    }
}

/// Overlays `user` on `base`, table by table, so a user file may set one key alone.
fn merge(base: &mut toml::Table, user: toml::Table) {
    for (key, value) in user {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(base_table)), toml::Value::Table(user_table)) => {
                merge(base_table, user_table)
            }
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_point_at_the_local_server() {
        let settings = Settings::defaults();
        assert_eq!(settings.server.address, "tcp://127.0.0.1:5555");
        assert!(settings.local_server.auto_start);
        assert_eq!(settings.local_server.max_message_bytes, 16 * 1024 * 1024);
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
        let settings = Settings::from_layers(
            Some(Path::new("/home/u/stui.toml")),
            Some("[server]\naddress = \"tcp://127.0.0.1:6000\"\n"),
            None,
            None,
        )
        .unwrap();
        assert_eq!(settings.server.address, "tcp://127.0.0.1:6000");
        assert_eq!(settings.server.tries, Settings::defaults().server.tries);
    }

    #[test]
    fn environment_overrides_the_file() {
        let settings = Settings::from_layers(
            None,
            Some("[server]\naddress = \"tcp://127.0.0.1:6000\"\n[log]\nlevel = \"warn\"\n"),
            Some("tcp://127.0.0.1:7000".into()),
            Some("debug".into()),
        )
        .unwrap();
        assert_eq!(settings.server.address, "tcp://127.0.0.1:7000");
        assert_eq!(settings.log.level, "debug");
    }

    #[test]
    fn malformed_file_names_the_file_and_line() {
        let error = Settings::from_layers(
            Some(Path::new("/home/u/stui.toml")),
            Some("[server]\naddress = \n"),
            None,
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains("/home/u/stui.toml"), "{error}");
        assert!(error.contains("stui.toml:2:"), "{error}");
    }

    #[test]
    fn unknown_key_and_wrong_type_are_named() {
        let unknown = Settings::from_layers(
            Some(Path::new("c.toml")),
            Some("[server]\nadress = \"tcp://x:1\"\n"),
            None,
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(unknown.contains("adress"), "{unknown}");
        let wrong_type = Settings::from_layers(
            Some(Path::new("c.toml")),
            Some("[server]\ntries = \"three\"\n"),
            None,
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(wrong_type.contains("tries"), "{wrong_type}");
    }

    #[test]
    fn bad_values_are_refused_with_the_key() {
        let error = Settings::from_layers(None, None, Some("127.0.0.1:5555".into()), None)
            .unwrap_err()
            .to_string();
        assert!(error.contains("server.address"), "{error}");
        let error = Settings::from_layers(None, None, None, Some("loud".into()))
            .unwrap_err()
            .to_string();
        assert!(error.contains("log.level"), "{error}");
    }

    #[test]
    fn the_example_config_is_valid_and_sets_failover() {
        let settings = Settings::from_layers(
            Some(Path::new("examples/config.toml")),
            Some(include_str!("../../examples/config.toml")),
            None,
            None,
        )
        .unwrap();
        assert_eq!(
            settings.server_addresses(),
            ["tcp://127.0.0.1:5555", "tcp://127.0.0.1:5556"]
        );
    }

    #[test]
    fn a_backup_that_is_not_an_endpoint_is_named() {
        let error = Settings::from_layers(
            Some(Path::new("c.toml")),
            Some("[failover]\nbackup_servers = [\"tcp://a:1\", \"b:2\"]\n"),
            None,
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains("failover.backup_servers[1]"), "{error}");
    }
}
