//! Colour themes as data: `themes/default.toml` is built in, and a user theme
//! file sets any subset of its fields over it.

use std::collections::BTreeMap;
use std::path::Path;

use toml::Spanned;
use tuirealm::props::Color;

use super::ConfigError;
use super::error::{nearest, read_config_file};

const DEFAULT_THEME: &str = include_str!("../../themes/default.toml");
const DEFAULT_THEME_NAME: &str = "themes/default.toml (built in)";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WorkspaceColors {
    pub border_focused: Color,
    pub border_unfocused: Color,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TranscriptColors {
    pub input: Color,
    pub value: Color,
    pub class: Color,
    pub output: Color,
    pub error: Color,
    pub notice: Color,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StatusBarColors {
    pub bg: Color,
    pub fg: Color,
    pub disconnected: Color,
    pub connecting: Color,
    pub connected: Color,
    pub down: Color,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HelpColors {
    pub fg: Color,
    pub bg: Color,
    pub key: Color,
}

/// The workspace's highlighting: one colour per kind of token, and the
/// background of the bracket matching the one at the cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SyntaxColors {
    pub comment: Color,
    pub string: Color,
    pub symbol: Color,
    pub character: Color,
    pub number: Color,
    pub keyword: Color,
    pub unary: Color,
    pub binary: Color,
    pub pseudo_variable: Color,
    /// Block parameters and temporaries where they are declared.
    pub declaration: Color,
    /// `:=` and `^`.
    pub assignment: Color,
    /// `;`, `.`, bars and brackets.
    pub punctuation: Color,
    pub error: Color,
    pub matching_bracket: Color,
}

const SYNTAX_FIELDS: [&str; 14] = [
    "comment",
    "string",
    "symbol",
    "character",
    "number",
    "keyword",
    "unary",
    "binary",
    "pseudo_variable",
    "declaration",
    "assignment",
    "punctuation",
    "error",
    "matching_bracket",
];

impl SyntaxColors {
    fn slot(&mut self, field: &str) -> Option<&mut Color> {
        Some(match field {
            "comment" => &mut self.comment,
            "string" => &mut self.string,
            "symbol" => &mut self.symbol,
            "character" => &mut self.character,
            "number" => &mut self.number,
            "keyword" => &mut self.keyword,
            "unary" => &mut self.unary,
            "binary" => &mut self.binary,
            "pseudo_variable" => &mut self.pseudo_variable,
            "declaration" => &mut self.declaration,
            "assignment" => &mut self.assignment,
            "punctuation" => &mut self.punctuation,
            "error" => &mut self.error,
            "matching_bracket" => &mut self.matching_bracket,
            _ => return None,
        })
    }
}

/// Every colour the TUI draws with. Pane borders of both panes use the
/// `workspace` border colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub workspace: WorkspaceColors,
    pub transcript: TranscriptColors,
    pub status_bar: StatusBarColors,
    pub help: HelpColors,
    pub syntax: SyntaxColors,
}

/// The `[section] field` names a theme file may set.
const FIELDS: [(&str, &[&str]); 5] = [
    ("workspace", &["border_focused", "border_unfocused"]),
    (
        "transcript",
        &["input", "value", "class", "output", "error", "notice"],
    ),
    (
        "status_bar",
        &[
            "bg",
            "fg",
            "disconnected",
            "connecting",
            "connected",
            "down",
        ],
    ),
    ("help", &["fg", "bg", "key"]),
    ("syntax", &SYNTAX_FIELDS),
];

/// A theme file: `[section]` tables of `field = "colour"`, with spans for error lines.
type ThemeFile = BTreeMap<Spanned<String>, BTreeMap<Spanned<String>, Spanned<String>>>;

impl Default for Theme {
    /// The built-in theme.
    fn default() -> Self {
        let mut theme = Self {
            workspace: WorkspaceColors::default(),
            transcript: TranscriptColors::default(),
            status_bar: StatusBarColors::default(),
            help: HelpColors::default(),
            syntax: SyntaxColors::default(),
        };
        theme
            .merge_toml(DEFAULT_THEME, DEFAULT_THEME_NAME)
            .expect("the built-in theme is valid (tested)");
        theme
    }
}

impl Theme {
    /// The built-in theme with `file`'s colours set over it (fields it leaves out keep
    /// their default). Pass `None` for the built-in theme alone.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let mut theme = Self::default();
        if let Some(path) = file {
            let text = read_config_file(path, "theme")?;
            theme.merge_toml(&text, &path.display().to_string())?;
        }
        Ok(theme)
    }

    /// Set the colours of theme TOML `text` over this theme. `file` names it in errors.
    /// Nothing is changed when the text has an error.
    pub fn merge_toml(&mut self, text: &str, file: &str) -> Result<(), ConfigError> {
        let parsed: ThemeFile =
            toml::from_str(text).map_err(|e| ConfigError::from_toml(file, text, e))?;
        let mut merged = *self;
        for (section, fields) in parsed {
            for (field, value) in fields {
                let name = format!("{}.{}", section.get_ref(), field.get_ref());
                let slot = merged
                    .slot(section.get_ref(), field.get_ref())
                    .ok_or_else(|| {
                        let known = known_fields();
                        let hint =
                            nearest(&name, known.iter().map(String::as_str)).unwrap_or_default();
                        ConfigError::new(
                            file,
                            format!("unknown theme field `{name}`; did you mean `{hint}`?"),
                        )
                        .at(text, field.span().start)
                    })?;
                *slot = value.get_ref().parse().map_err(|_| {
                    ConfigError::new(
                        file,
                        format!(
                            "`{name}`: \"{}\" is not a colour (use a name such as cyan, \
                             lightgreen or reset, a 256-colour index, or #rrggbb)",
                            value.get_ref()
                        ),
                    )
                    .at(text, value.span().start)
                })?;
            }
        }
        *self = merged;
        Ok(())
    }

    fn slot(&mut self, section: &str, field: &str) -> Option<&mut Color> {
        if section == "syntax" {
            return self.syntax.slot(field);
        }
        let (w, t, s, h) = (
            &mut self.workspace,
            &mut self.transcript,
            &mut self.status_bar,
            &mut self.help,
        );
        Some(match (section, field) {
            ("workspace", "border_focused") => &mut w.border_focused,
            ("workspace", "border_unfocused") => &mut w.border_unfocused,
            ("transcript", "input") => &mut t.input,
            ("transcript", "value") => &mut t.value,
            ("transcript", "class") => &mut t.class,
            ("transcript", "output") => &mut t.output,
            ("transcript", "error") => &mut t.error,
            ("transcript", "notice") => &mut t.notice,
            ("status_bar", "bg") => &mut s.bg,
            ("status_bar", "fg") => &mut s.fg,
            ("status_bar", "disconnected") => &mut s.disconnected,
            ("status_bar", "connecting") => &mut s.connecting,
            ("status_bar", "connected") => &mut s.connected,
            ("status_bar", "down") => &mut s.down,
            ("help", "fg") => &mut h.fg,
            ("help", "bg") => &mut h.bg,
            ("help", "key") => &mut h.key,
            _ => return None,
        })
    }
}

fn known_fields() -> Vec<String> {
    FIELDS
        .iter()
        .flat_map(|(section, fields)| fields.iter().map(move |field| format!("{section}.{field}")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_field_has_a_slot_and_the_default_sets_them_all() {
        let mut theme = Theme::default();
        let mut count = 0;
        for (section, fields) in FIELDS {
            for field in fields {
                assert!(theme.slot(section, field).is_some(), "{section}.{field}");
                count += 1;
            }
        }
        let parsed: ThemeFile = toml::from_str(DEFAULT_THEME).unwrap();
        let in_default: usize = parsed.values().map(BTreeMap::len).sum();
        assert_eq!(in_default, count, "the built-in theme sets every field");
    }

    #[test]
    fn default_theme_parses_names() {
        let theme = Theme::load(None).unwrap();
        assert_eq!(theme.workspace.border_focused, Color::Cyan);
        assert_eq!(theme.transcript.value, Color::LightGreen);
        assert_eq!(theme.transcript.output, Color::Reset);
    }

    #[test]
    fn user_theme_overrides_some_fields_and_keeps_the_rest() {
        let mut theme = Theme::default();
        theme
            .merge_toml(
                "[transcript]\nvalue = \"#102030\"\n[help]\nkey = \"magenta\"\n",
                "light.toml",
            )
            .unwrap();
        assert_eq!(theme.transcript.value, Color::Rgb(0x10, 0x20, 0x30));
        assert_eq!(theme.help.key, Color::Magenta);
        assert_eq!(theme.workspace.border_focused, Color::Cyan);
    }

    #[test]
    fn syntax_colours_are_set_like_the_others() {
        let mut theme = Theme::default();
        assert_eq!(theme.syntax.comment, Color::DarkGray);
        theme
            .merge_toml("[syntax]\nkeyword = \"#ff0000\"\n", "t.toml")
            .unwrap();
        assert_eq!(theme.syntax.keyword, Color::Rgb(0xff, 0, 0));
        let error = theme
            .merge_toml("[syntax]\nkeywords = \"red\"\n", "t.toml")
            .unwrap_err()
            .to_string();
        assert!(error.contains("did you mean `syntax.keyword`"), "{error}");
    }

    #[test]
    fn bad_colour_names_file_line_and_field() {
        let mut theme = Theme::default();
        let error = theme
            .merge_toml(
                "[status_bar]\nbg = \"blue\"\nconnected = \"grean\"\n",
                "t.toml",
            )
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("t.toml:3:"), "{error}");
        assert!(error.contains("status_bar.connected"), "{error}");
        assert!(error.contains("grean"), "{error}");
        // The failed merge changed nothing, not even the valid `bg`.
        assert_eq!(theme, Theme::default());
    }

    #[test]
    fn unknown_field_suggests_the_nearest() {
        let error = Theme::default()
            .merge_toml("[transcript]\nerorr = \"red\"\n", "t.toml")
            .unwrap_err()
            .to_string();
        assert!(error.contains("transcript.erorr"), "{error}");
        assert!(error.contains("did you mean `transcript.error`"), "{error}");
    }

    #[test]
    fn malformed_toml_names_the_file() {
        let error = Theme::default()
            .merge_toml("[help\nfg = ", "broken-theme.toml")
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("broken-theme.toml:1"), "{error}");
    }

    #[test]
    fn non_string_colour_is_an_error() {
        let error = Theme::default()
            .merge_toml("[help]\nfg = 3\n", "t.toml")
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("t.toml:2"), "{error}");
    }
}
