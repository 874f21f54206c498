//! `stui config show` (every key's effective value and the layer it came
//! from) and `stui config check FILE` (a configuration, keymap or theme file).

use std::path::Path;

use serde_json::{Map, Value, json};

use super::args::FileKind;
use super::exit;
use crate::config::ConfigError;
use crate::config::error::read_config_file;
use crate::config::keymap::{Keymap, parse_key};
use crate::config::layers::{self, Layered};
use crate::config::settings::Settings;
use crate::config::theme::Theme;

/// Prints the effective configuration as TOML, each key followed by where
/// its value came from, or as one JSON object.
pub fn show(layers: &Layered, json: bool) -> u8 {
    for (name, near) in layers::stray_env(std::env::vars().map(|(name, _)| name)) {
        let hint = near
            .map(|near| format!(" (did you mean {near}?)"))
            .unwrap_or_default();
        eprintln!("stui: warning: the environment variable {name} sets nothing{hint}");
    }
    if json {
        println!("{}", show_json(layers));
    } else {
        print!("{}", show_text(layers));
    }
    exit::SUCCESS
}

fn show_text(layers: &Layered) -> String {
    let mut text = String::new();
    let mut current = String::new();
    for (section, key) in layers::keys() {
        if section != current {
            let gap = if current.is_empty() { "" } else { "\n" };
            text.push_str(&format!("{gap}[{section}]\n"));
            current.clone_from(&section);
        }
        let entry = format!("{key} = {}", layers.table[&section][&key]);
        let source = layers.source(&format!("{section}.{key}"));
        text.push_str(&format!("{entry:<40} # {source}\n"));
    }
    text
}

/// `{"server.address": {"value": …, "source": …, "env": "STUI_SERVER_ADDRESS"}, …}`
fn show_json(layers: &Layered) -> Value {
    let mut keys = Map::new();
    for (section, key) in layers::keys() {
        let full = format!("{section}.{key}");
        let entry = json!({
            "value": layers.table[&section][&key],
            "source": layers.source(&full).to_string(),
            "env": layers::env_name(&section, &key),
        });
        keys.insert(full, entry);
    }
    Value::Object(keys)
}

/// Checks `file` as `kind`, or as what its content says it is; prints
/// `FILE: ok (…)` or the error naming key, line and nearest valid name.
pub fn check(file: &Path, kind: Option<FileKind>) -> u8 {
    let outcome = read_config_file(file, "file").and_then(|text| {
        let kind = kind.or_else(|| kind_of(file, &text)).ok_or_else(|| {
            let why = "cannot tell a configuration, keymap or theme apart: give --kind";
            ConfigError::new(file.display().to_string(), why)
        })?;
        check_as(file, &text, kind).map(|warnings| (kind, warnings))
    });
    match outcome {
        Ok((kind, warnings)) => {
            for warning in warnings {
                eprintln!("stui: warning: {warning}");
            }
            println!("{}: ok ({})", file.display(), kind_name(kind));
            exit::SUCCESS
        }
        Err(error) => {
            eprintln!("stui: {error}");
            exit::CONFIG
        }
    }
}

/// What STUI would warn of when loading the file (e.g. a key a terminal
/// may never send), or why it would refuse it.
fn check_as(file: &Path, text: &str, kind: FileKind) -> Result<Vec<String>, ConfigError> {
    let keymap_warnings = |keymap: Keymap| keymap.warnings().to_vec();
    match kind {
        FileKind::Config => {
            let mut layers = Layered::builtin();
            layers.apply_file(file, text)?;
            let ui = Settings::from_layered(&layers)?.ui;
            // The keymap and theme it names (a preset or a file) are checked
            // too: STUI would load them.
            Theme::load_setting(&ui.theme)?;
            Keymap::load_setting(&ui.keymap).map(keymap_warnings)
        }
        FileKind::Keymap => Keymap::load(Some(file)).map(keymap_warnings),
        FileKind::Theme => Theme::load(Some(file)).map(|_| Vec::new()),
    }
}

fn kind_name(kind: FileKind) -> &'static str {
    match kind {
        FileKind::Config => "configuration",
        FileKind::Keymap => "keymap",
        FileKind::Theme => "theme",
    }
}

/// The sections of a TOML text (its top-level tables).
fn sections_of(text: &str) -> Vec<String> {
    let table: toml::Table = toml::from_str(text).unwrap_or_default();
    let tables = table.into_iter().filter(|(_, value)| value.is_table());
    tables.map(|(name, _)| name).collect()
}

/// What a file is, by its sections: a configuration's, a keymap's
/// (`[global]`, or entries named by keys such as "ctrl-e") or a theme's
/// (`[status_bar]`, or colour fields); by its name when it has no sections.
fn kind_of(file: &Path, text: &str) -> Option<FileKind> {
    let Ok(table) = toml::from_str::<toml::Table>(text) else {
        // Its syntax error is reported as a configuration's, with its line.
        return Some(FileKind::Config);
    };
    let keymap = sections_of(include_str!("../../keymaps/default.toml"));
    let theme = sections_of(include_str!("../../themes/default.toml"));
    let sections = sections_of(text);
    let known = |s: &String| keymap.contains(s) || theme.contains(s);
    if sections.is_empty() {
        let name = file.file_name()?.to_string_lossy().to_lowercase();
        let words = [
            ("keymap", FileKind::Keymap),
            ("theme", FileKind::Theme),
            ("config", FileKind::Config),
        ];
        return words
            .into_iter()
            .find(|(word, _)| name.contains(word))
            .map(|(_, kind)| kind);
    }
    // A section of neither (a typo of a configuration's too) is checked as
    // a configuration's, which names the nearest section.
    if !sections.iter().all(known) {
        return Some(FileKind::Config);
    }
    if sections.iter().any(|s| !theme.contains(s)) {
        return Some(FileKind::Keymap);
    }
    if sections.iter().any(|s| !keymap.contains(s)) {
        return Some(FileKind::Theme);
    }
    let mut names = table
        .values()
        .filter_map(toml::Value::as_table)
        .flat_map(|t| t.keys());
    let keys = names.any(|name| parse_key(name).is_ok());
    Some(if keys {
        FileKind::Keymap
    } else {
        FileKind::Theme
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::layers::Source;

    #[test]
    fn show_prints_every_key_with_its_source_as_toml() {
        let mut layers = Layered::builtin();
        layers
            .apply_file(Path::new("/u/c.toml"), "[server]\ntries = 5\n")
            .unwrap();
        let text = show_text(&layers);
        assert!(text.contains("tries = 5"), "{text}");
        assert!(text.contains("# /u/c.toml:2"), "{text}");
        assert!(text.contains("# built-in"), "{text}");
        let reread: toml::Table = toml::from_str(&text).unwrap();
        assert_eq!(reread, layers.table, "the output is the effective config");
    }

    #[test]
    fn show_json_names_value_source_and_variable_of_every_key() {
        let mut layers = Layered::builtin();
        let value = toml::Value::Boolean(false);
        let env = Source::Env("STUI_LOCAL_SERVER_AUTO_START".into());
        layers.set("local_server", "auto_start", value, env);
        let shown = show_json(&layers);
        assert_eq!(shown.as_object().unwrap().len(), layers::keys().len());
        let entry = &shown["local_server.auto_start"];
        assert_eq!(entry["value"], false);
        assert_eq!(entry["source"], "environment STUI_LOCAL_SERVER_AUTO_START");
        assert_eq!(shown["server.tries"]["env"], "STUI_SERVER_TRIES");
    }

    #[test]
    fn the_kind_of_a_file_is_told_by_its_content() {
        let kind = |text: &str| kind_of(Path::new("x.toml"), text);
        assert_eq!(kind("[server]\ntries = 2\n"), Some(FileKind::Config));
        assert_eq!(kind("[sever]\ntries = 2\n"), Some(FileKind::Config));
        assert_eq!(
            kind("[status_bar]\nconnected = \"green\"\n"),
            Some(FileKind::Theme)
        );
        assert_eq!(kind("[global]\nf1 = \"help\"\n"), Some(FileKind::Keymap));
        assert_eq!(
            kind("[workspace]\n\"ctrl-e\" = \"evaluate\"\n"),
            Some(FileKind::Keymap)
        );
        assert_eq!(
            kind("[workspace]\nborder_focused = \"red\"\n"),
            Some(FileKind::Theme)
        );
        assert_eq!(
            kind_of(Path::new("my-theme.toml"), ""),
            Some(FileKind::Theme)
        );
        assert_eq!(kind_of(Path::new("x.toml"), ""), None);
        assert_eq!(kind("server = \n"), Some(FileKind::Config));
    }
}
