//! The layers of the settings, each over the one before: the built-in
//! `config/default.toml`, `/etc/stui/config.toml`, the user's config.toml,
//! `--config FILE`, then one `STUI_<SECTION>_<KEY>` environment variable per
//! key of the built-in file. Every key remembers the layer it came from.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use super::ConfigError;
use super::error::{line_of, nearest};

pub const DEFAULTS: &str = include_str!("../../config/default.toml");

/// The system-wide layer, between the built-in file and the user's.
pub const SYSTEM_FILE: &str = "/etc/stui/config.toml";

/// Older key names still accepted, with the key they now mean.
const ALIASES: [(&str, &str, &str); 1] = [("server", "max_queued_requests", "max_in_flight")];

/// Keys holding a file path: `~` is expanded and a relative path is taken
/// from the directory of the file that sets it.
const PATH_KEYS: [&str; 8] = [
    "ui.keymap",
    "ui.theme",
    "log.file",
    "security.client_key",
    "security.known_servers",
    "local_server.server_key",
    "local_server.authorized_keys",
    "local_server.audit_log",
];

/// Where the value of one key came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    BuiltIn,
    File {
        path: PathBuf,
        line: usize,
    },
    Env(String),
    /// A command-line flag such as `--address`.
    Flag(&'static str),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::BuiltIn => f.write_str("built-in"),
            Source::File { path, line } => write!(f, "{}:{line}", path.display()),
            Source::Env(name) => write!(f, "environment {name}"),
            Source::Flag(flag) => f.write_str(flag),
        }
    }
}

/// The merged key tree and, for each `section.key`, its source.
#[derive(Debug, Clone, PartialEq)]
pub struct Layered {
    pub table: toml::Table,
    pub sources: BTreeMap<String, Source>,
}

/// The built-in key tree.
pub fn defaults() -> toml::Table {
    toml::from_str(DEFAULTS).expect("config/default.toml is valid")
}

/// Every `(section, key)` of the built-in file, in the file's order.
pub fn keys() -> Vec<(String, String)> {
    let spans = toml::de::DeTable::parse(DEFAULTS)
        .expect("config/default.toml is valid")
        .into_inner();
    let mut keys = Vec::new();
    for (section, value) in spans {
        if let toml::de::DeValue::Table(table) = value.into_inner() {
            for (key, _) in table {
                let name = (section.get_ref().to_string(), key.get_ref().to_string());
                keys.push((key.span().start, name));
            }
        }
    }
    keys.sort();
    keys.into_iter().map(|(_, name)| name).collect()
}

/// The environment variable that overrides `section.key`.
pub fn env_name(section: &str, key: &str) -> String {
    format!("STUI_{section}_{key}").to_uppercase()
}

impl Layered {
    /// The built-in layer alone.
    pub fn builtin() -> Self {
        let sources = keys()
            .into_iter()
            .map(|(section, key)| (format!("{section}.{key}"), Source::BuiltIn))
            .collect();
        Self {
            table: defaults(),
            sources,
        }
    }

    /// Lays the config file `path` (whose text is `text`) over this one. An
    /// unknown key or a value of the wrong type names the file, line and key.
    pub fn apply_file(&mut self, path: &Path, text: &str) -> Result<(), ConfigError> {
        let file = path.display().to_string();
        let spans = toml::de::DeTable::parse(text)
            .map_err(|e| ConfigError::from_toml(&file, text, e))?
            .into_inner();
        let user: toml::Table =
            toml::from_str(text).map_err(|e| ConfigError::from_toml(&file, text, e))?;
        let base = path.parent().unwrap_or(Path::new(""));
        for (section, value) in user {
            let section_line = span_line(text, &spans, &section, None);
            let at = |line: usize, message: String| ConfigError::new(&file, message).on_line(line);
            let Some(toml::Value::Table(known)) = self.table.get(&section).cloned() else {
                let hint = did_you_mean(&section, self.table.keys().map(String::as_str));
                return Err(at(
                    section_line,
                    format!("unknown section [{section}]{hint}"),
                ));
            };
            let toml::Value::Table(entries) = value else {
                return Err(at(
                    section_line,
                    format!("'{section}' must be a section: [{section}]"),
                ));
            };
            let known_keys: Vec<String> = known.keys().cloned().collect();
            for (key, value) in entries {
                let line = span_line(text, &spans, &section, Some(&key));
                let key = canonical(&section, key);
                let Some(default) = known.get(&key) else {
                    let hint = did_you_mean(&key, known_keys.iter().map(String::as_str));
                    return Err(at(
                        line,
                        format!("unknown key '{key}' in [{section}]{hint}"),
                    ));
                };
                let full = format!("{section}.{key}");
                if !same_kind(default, &value) {
                    let (want, got) = (kind(default), kind(&value));
                    return Err(at(line, format!("{full} must be {want}, not {got}")));
                }
                let value = resolve_path(&full, value, Some(base));
                self.set(
                    &section,
                    &key,
                    value,
                    Source::File {
                        path: path.into(),
                        line,
                    },
                );
            }
        }
        Ok(())
    }

    /// Lays the `STUI_<SECTION>_<KEY>` variables that `lookup` finds (and
    /// that are not empty) over this one.
    pub fn apply_env(
        &mut self,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<(), ConfigError> {
        for (section, key) in keys() {
            let name = env_name(&section, &key);
            let Some(text) = lookup(&name).filter(|text| !text.is_empty()) else {
                continue;
            };
            let full = format!("{section}.{key}");
            let default = &self.table[&section][&key];
            let value = env_value(default, &text).ok_or_else(|| {
                let why = format!("{text:?} is not {} (for {full})", kind(default));
                ConfigError::new(Source::Env(name.clone()).to_string(), why)
            })?;
            let value = resolve_path(&full, value, None);
            self.set(&section, &key, value, Source::Env(name));
        }
        Ok(())
    }

    /// Sets `section.key` to `value` from `source`.
    pub fn set(&mut self, section: &str, key: &str, value: toml::Value, source: Source) {
        if let Some(toml::Value::Table(table)) = self.table.get_mut(section) {
            table.insert(key.to_string(), value);
            self.sources.insert(format!("{section}.{key}"), source);
        }
    }

    /// Where `section.key` came from.
    pub fn source(&self, key: &str) -> Source {
        self.sources.get(key).cloned().unwrap_or(Source::BuiltIn)
    }
}

/// The variables among `names` that name a section but none of its keys
/// (a typo sets nothing), each with the nearest variable that would: one
/// that ends the same way (`…_TIMEOUT_MS`), else the closest spelling.
pub fn stray_env(names: impl IntoIterator<Item = String>) -> Vec<(String, Option<String>)> {
    let known: Vec<String> = keys().iter().map(|(s, k)| env_name(s, k)).collect();
    let prefixes: Vec<String> = defaults().keys().map(|s| env_name(s, "")).collect();
    let mut stray = Vec::new();
    for name in names {
        let Some(prefix) = prefixes.iter().find(|p| name.starts_with(p.as_str())) else {
            continue;
        };
        if known.contains(&name) {
            continue;
        }
        let rest = &name[prefix.len()..];
        let same_end = known
            .iter()
            .filter(|k| k.starts_with(prefix.as_str()) && k.ends_with(rest));
        let near = nearest(&name, same_end.map(String::as_str))
            .or_else(|| nearest(&name, known.iter().map(String::as_str)));
        let near = near.map(String::from);
        stray.push((name, near));
    }
    stray
}

fn canonical(section: &str, key: String) -> String {
    ALIASES
        .iter()
        .find(|(s, old, _)| *s == section && *old == key)
        .map(|(_, _, new)| new.to_string())
        .unwrap_or(key)
}

fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    nearest(word, candidates)
        .map(|name| format!(" (did you mean '{name}'?)"))
        .unwrap_or_default()
}

/// The line of `[section]` or of `key` in it, from the parser's spans.
fn span_line(text: &str, spans: &toml::de::DeTable, section: &str, key: Option<&str>) -> usize {
    let Some((name, value)) = spans.get_key_value(section) else {
        return 1;
    };
    let start = match (key, value.get_ref()) {
        (Some(key), toml::de::DeValue::Table(table)) => table
            .get_key_value(key)
            .map(|(k, _)| k.span().start)
            .unwrap_or(name.span().start),
        _ => name.span().start,
    };
    line_of(text, start)
}

fn same_kind(default: &toml::Value, value: &toml::Value) -> bool {
    use toml::Value::*;
    match (default, value) {
        (Integer(_), Integer(n)) => *n >= 0,
        (Array(_), Array(items)) => items.iter().all(toml::Value::is_str),
        _ => default.type_str() == value.type_str(),
    }
}

fn kind(value: &toml::Value) -> &'static str {
    match value {
        toml::Value::String(_) => "a string",
        toml::Value::Integer(n) if *n >= 0 => "a whole number of 0 or more",
        toml::Value::Integer(_) => "a negative number",
        toml::Value::Boolean(_) => "true or false",
        toml::Value::Array(items) if items.iter().all(toml::Value::is_str) => "a list of strings",
        toml::Value::Array(_) => "a list with other values than strings",
        other => other.type_str(),
    }
}

/// The value of an environment variable, read as the kind of `default`:
/// lists are comma-separated.
fn env_value(default: &toml::Value, text: &str) -> Option<toml::Value> {
    Some(match default {
        toml::Value::Integer(_) => {
            toml::Value::Integer(text.trim().parse::<u64>().ok()?.try_into().ok()?)
        }
        toml::Value::Boolean(_) => toml::Value::Boolean(text.trim().parse().ok()?),
        toml::Value::Array(_) => toml::Value::Array(
            text.split(',')
                .map(str::trim)
                .filter(|item| !item.is_empty())
                .map(|item| toml::Value::String(item.into()))
                .collect(),
        ),
        _ => toml::Value::String(text.into()),
    })
}

/// `~` expanded, and a relative path taken from `base` (a config file's
/// directory) for the path keys; other values as they are.
fn resolve_path(full: &str, value: toml::Value, base: Option<&Path>) -> toml::Value {
    let toml::Value::String(text) = &value else {
        return value;
    };
    // `keymap = "pharo"` names a preset, not a file beside the config.
    let names_preset = matches!(full, "ui.keymap" | "ui.theme") && !super::keymap::is_path(text);
    if text.is_empty() || !PATH_KEYS.contains(&full) || names_preset {
        return value;
    }
    let home = directories::BaseDirs::new().map(|dirs| dirs.home_dir().to_path_buf());
    let path = match (text.strip_prefix("~/"), home) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => PathBuf::from(text),
    };
    let path = match base {
        Some(base) if path.is_relative() => base.join(path),
        _ => path,
    };
    toml::Value::String(path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_readme_table_has_every_key_and_its_variable() {
        let readme = include_str!("../../README.md");
        for (section, key) in keys() {
            let row = format!("| `{section}.{key}` | `{}` |", env_name(&section, &key));
            let found = readme.lines().any(|line| line.starts_with(&row));
            assert!(found, "README's Configuration table lacks the row {row}");
        }
    }

    #[test]
    fn a_variable_naming_no_key_is_told_with_the_nearest() {
        let names = [
            "STUI_SERVER_TIMEOUT_MS",
            "STUI_SERVER_TRIES",
            "STUI_GST_ARITHMETIC_FIX",
        ];
        let stray = stray_env(names.map(String::from));
        assert_eq!(stray.len(), 1, "{stray:?}");
        assert_eq!(stray[0].0, "STUI_SERVER_TIMEOUT_MS");
        assert_eq!(
            stray[0].1.as_deref(),
            Some("STUI_SERVER_REQUEST_TIMEOUT_MS")
        );
    }

    #[test]
    fn the_keys_come_in_the_order_of_the_built_in_file() {
        let keys = keys();
        assert_eq!(keys[0], ("server".to_string(), "address".to_string()));
        assert_eq!(keys.last().unwrap().1, "debug_on_error");
    }

    #[test]
    fn every_key_has_a_variable_of_its_own() {
        let names: std::collections::BTreeSet<_> =
            keys().iter().map(|(s, k)| env_name(s, k)).collect();
        assert_eq!(names.len(), keys().len());
        assert!(names.contains("STUI_LOCAL_SERVER_AUTO_START"));
    }
}
