//! Colour themes as data: the presets of `themes/` are built in (`dark`,
//! the default, is `themes/default.toml`), and a user theme file sets any
//! subset of the fields over the default. On a terminal with fewer colours
//! than a theme uses, each colour becomes the nearest one it has.

use std::collections::BTreeMap;
use std::path::Path;

use toml::Spanned;
use tuirealm::props::Color;

use super::ConfigError;
use super::error::{nearest, read_config_file};
use super::keymap::{EXTENDS, Entry, is_path, parse_tables};

const DEFAULT_THEME: &str = include_str!("../../themes/default.toml");
const DEFAULT_THEME_NAME: &str = "themes/default.toml (built in)";
/// The built-in themes by name; each goes over the default.
const PRESETS: [(&str, &str); 3] = [
    ("dark", DEFAULT_THEME),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
];

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
    /// The debugger's background of the send running in a frame.
    pub current_send: Color,
}

const SYNTAX_FIELDS: [&str; 15] = [
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
    "current_send",
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
            "current_send" => &mut self.current_send,
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

    /// The names of the built-in themes.
    pub fn preset_names() -> [&'static str; 3] {
        PRESETS.map(|(name, _)| name)
    }

    /// The built-in theme `name`.
    pub fn preset(name: &str) -> Result<Self, ConfigError> {
        let mut theme = Self::default();
        let Some((_, text)) = PRESETS.iter().find(|(preset, _)| *preset == name) else {
            let hint = nearest(name, Self::preset_names()).unwrap_or("dark");
            return Err(ConfigError::new(
                "theme setting",
                format!("no built-in theme \"{name}\"; did you mean \"{hint}\"?"),
            ));
        };
        theme.merge_toml(text, &format!("themes/{name}.toml (built in)"))?;
        Ok(theme)
    }

    /// The theme the `ui.theme` setting names: empty for the default, a file
    /// (a path with a `/` or ending in `.toml`), else a preset name.
    pub fn load_setting(setting: &str) -> Result<Self, ConfigError> {
        match setting {
            "" => Ok(Self::default()),
            path if is_path(path) => Self::load(Some(Path::new(path))),
            name => Self::preset(name),
        }
    }

    /// This theme with every colour a terminal of `depth` cannot show
    /// replaced by the nearest one it can.
    pub fn for_depth(mut self, depth: ColorDepth) -> Self {
        for (section, fields) in FIELDS {
            for field in fields {
                if let Some(colour) = self.slot(section, field) {
                    *colour = depth.nearest(*colour);
                }
            }
        }
        self
    }

    /// Set the colours of theme TOML `text` over this theme; when the text
    /// `extends` a preset, over that preset instead. `file` names it in
    /// errors. Nothing is changed when the text has an error.
    pub fn merge_toml(&mut self, text: &str, file: &str) -> Result<(), ConfigError> {
        let parsed = parse_tables(text, file)?;
        let mut merged = *self;
        // The preset first, whatever the order of the file.
        let (extends, sections): (Vec<_>, Vec<_>) = parsed
            .iter()
            .partition(|(section, _)| section.get_ref() == EXTENDS);
        for (section, entry) in extends.into_iter().chain(sections) {
            let at = |message: String| ConfigError::new(file, message).at(text, entry.span().start);
            match (section.get_ref().as_str(), entry.get_ref()) {
                (EXTENDS, Entry::Extends(preset)) => {
                    merged = Self::preset(preset).map_err(|error| at(error.message))?;
                }
                (_, Entry::Table(fields)) => merged.merge_section(section, fields, text, file)?,
                (_, Entry::Extends(_) | Entry::NotAString { .. }) => {
                    return Err(at(format!(
                        "`{}` must be a table of colours; only `extends` names a preset",
                        section.get_ref()
                    )));
                }
            }
        }
        *self = merged;
        Ok(())
    }

    fn merge_section(
        &mut self,
        section: &Spanned<String>,
        fields: &BTreeMap<Spanned<String>, Spanned<String>>,
        text: &str,
        file: &str,
    ) -> Result<(), ConfigError> {
        for (field, value) in fields {
            let name = format!("{}.{}", section.get_ref(), field.get_ref());
            let slot = self
                .slot(section.get_ref(), field.get_ref())
                .ok_or_else(|| {
                    let known = known_fields();
                    let hint = nearest(&name, known.iter().map(String::as_str)).unwrap_or_default();
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

/// How many colours a terminal shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorDepth {
    Ansi16,
    Indexed256,
    TrueColor,
}

/// The 16 ANSI colours, as xterm shows them.
const ANSI16: [(Color, (u8, u8, u8)); 16] = [
    (Color::Black, (0, 0, 0)),
    (Color::Red, (205, 0, 0)),
    (Color::Green, (0, 205, 0)),
    (Color::Yellow, (205, 205, 0)),
    (Color::Blue, (0, 0, 238)),
    (Color::Magenta, (205, 0, 205)),
    (Color::Cyan, (0, 205, 205)),
    (Color::Gray, (229, 229, 229)),
    (Color::DarkGray, (127, 127, 127)),
    (Color::LightRed, (255, 0, 0)),
    (Color::LightGreen, (0, 255, 0)),
    (Color::LightYellow, (255, 255, 0)),
    (Color::LightBlue, (92, 92, 255)),
    (Color::LightMagenta, (255, 0, 255)),
    (Color::LightCyan, (0, 255, 255)),
    (Color::White, (255, 255, 255)),
];

/// The levels of the 6x6x6 cube of the 256-colour palette.
const CUBE: [u8; 6] = [0, 95, 135, 175, 215, 255];

impl ColorDepth {
    /// The `ui.colors` setting: `None` for `auto` (detect), else the depth
    /// it forces.
    pub fn from_setting(setting: &str) -> Result<Option<Self>, String> {
        match setting {
            "auto" | "" => Ok(None),
            "16" => Ok(Some(Self::Ansi16)),
            "256" => Ok(Some(Self::Indexed256)),
            "truecolor" | "24bit" => Ok(Some(Self::TrueColor)),
            other => Err(format!("{other:?} is not one of auto, 16, 256, truecolor")),
        }
    }

    /// From the environment: `COLORTERM=truecolor` (or `24bit`), else a
    /// `TERM` naming 256 colours, else the 16 every terminal has.
    pub fn detect(colorterm: Option<&str>, term: Option<&str>) -> Self {
        if matches!(colorterm, Some("truecolor" | "24bit")) {
            Self::TrueColor
        } else if term.is_some_and(|term| term.contains("256")) {
            Self::Indexed256
        } else {
            Self::Ansi16
        }
    }

    /// The colour nearest `colour` that this depth shows.
    pub fn nearest(self, colour: Color) -> Color {
        let rgb = match colour {
            Color::Rgb(r, g, b) => (r, g, b),
            Color::Indexed(index) if self == Self::Ansi16 => indexed_rgb(index),
            other => return other,
        };
        match self {
            Self::TrueColor => colour,
            Self::Indexed256 => Color::Indexed(cube_index(rgb)),
            Self::Ansi16 => ansi16(rgb),
        }
    }
}

/// The ANSI colour of `rgb`'s hue (or grey level): nearest by distance would
/// turn dark colours black, and a dark yellow red.
fn ansi16((r, g, b): (u8, u8, u8)) -> Color {
    const HUES: [(Color, Color); 6] = [
        (Color::Red, Color::LightRed),
        (Color::Yellow, Color::LightYellow),
        (Color::Green, Color::LightGreen),
        (Color::Cyan, Color::LightCyan),
        (Color::Blue, Color::LightBlue),
        (Color::Magenta, Color::LightMagenta),
    ];
    let (max, min) = (r.max(g).max(b), r.min(g).min(b));
    if max - min < 40 {
        return match max {
            0..=63 => Color::Black,
            64..=159 => Color::DarkGray,
            160..=239 => Color::Gray,
            _ => Color::White,
        };
    }
    let (rf, gf, bf, span) = (
        f32::from(r),
        f32::from(g),
        f32::from(b),
        f32::from(max - min),
    );
    let hue = if max == r {
        60.0 * ((gf - bf) / span)
    } else if max == g {
        60.0 * ((bf - rf) / span) + 120.0
    } else {
        60.0 * ((rf - gf) / span) + 240.0
    };
    // Sectors of 60 degrees centred on red, yellow, green, cyan, blue, magenta.
    let sector = ((hue.rem_euclid(360.0) + 30.0) / 60.0) as usize % 6;
    let (normal, light) = HUES[sector];
    if max > 200 { light } else { normal }
}

fn distance(a: (u8, u8, u8), b: (u8, u8, u8)) -> u32 {
    let d = |x: u8, y: u8| (i32::from(x) - i32::from(y)).unsigned_abs().pow(2);
    d(a.0, b.0) + d(a.1, b.1) + d(a.2, b.2)
}

/// The 256-palette index nearest `rgb`: the closest of the colour cube and the grey ramp.
fn cube_index(rgb: (u8, u8, u8)) -> u8 {
    let level = |v: u8| {
        (0u8..6)
            .min_by_key(|i| (i32::from(CUBE[usize::from(*i)]) - i32::from(v)).abs())
            .unwrap_or(0)
    };
    let cube = 16 + 36 * level(rgb.0) + 6 * level(rgb.1) + level(rgb.2);
    let average = (u16::from(rgb.0) + u16::from(rgb.1) + u16::from(rgb.2)) / 3;
    let grey = 232 + u8::try_from((average.saturating_sub(3) / 10).min(23)).unwrap_or(23);
    [cube, grey]
        .into_iter()
        .min_by_key(|index| distance(rgb, indexed_rgb(*index)))
        .unwrap_or(cube)
}

/// What a 256-palette index shows, as xterm draws it.
fn indexed_rgb(index: u8) -> (u8, u8, u8) {
    match index {
        0..=15 => ANSI16[usize::from(index)].1,
        16..=231 => {
            let i = index - 16;
            let at = |n: u8| CUBE[usize::from(n % 6)];
            (at(i / 36), at(i / 6), at(i))
        }
        _ => {
            let v = 8 + 10 * (index - 232);
            (v, v, v)
        }
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

    /// A preset's `[section]` tables of `field = "colour"`.
    type ThemeFile = BTreeMap<Spanned<String>, BTreeMap<Spanned<String>, Spanned<String>>>;

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
    fn every_preset_sets_every_field_and_loads_by_name() {
        let field_count: usize = FIELDS.iter().map(|(_, fields)| fields.len()).sum();
        for (name, text) in PRESETS {
            let parsed: ThemeFile = toml::from_str(text).unwrap();
            let set: usize = parsed.values().map(BTreeMap::len).sum();
            assert_eq!(set, field_count, "{name} sets every field");
            assert_eq!(
                Theme::load_setting(name).unwrap(),
                Theme::preset(name).unwrap()
            );
        }
        assert_eq!(Theme::preset("dark").unwrap(), Theme::default());
        let light = Theme::preset("light").unwrap();
        assert_eq!(light.status_bar.connected, Color::Rgb(0, 0x64, 0));
        assert_eq!(Theme::load_setting("").unwrap(), Theme::default());
    }

    #[test]
    fn unknown_preset_and_missing_file_are_errors() {
        let error = Theme::load_setting("hight-contrast")
            .unwrap_err()
            .to_string();
        assert!(error.contains("did you mean \"high-contrast\""), "{error}");
        let error = Theme::load_setting("/nonexistent/t.toml")
            .unwrap_err()
            .to_string();
        assert!(error.contains("/nonexistent/t.toml"), "{error}");
    }

    #[test]
    fn colour_depth_comes_from_colorterm_then_term() {
        let detect = ColorDepth::detect;
        assert_eq!(
            detect(Some("truecolor"), Some("xterm")),
            ColorDepth::TrueColor
        );
        assert_eq!(detect(Some("24bit"), None), ColorDepth::TrueColor);
        assert_eq!(detect(None, Some("xterm-256color")), ColorDepth::Indexed256);
        assert_eq!(detect(Some("yes"), Some("xterm")), ColorDepth::Ansi16);
        assert_eq!(detect(None, None), ColorDepth::Ansi16);
    }

    #[test]
    fn the_colors_setting_forces_a_depth_or_detects() {
        let setting = ColorDepth::from_setting;
        assert_eq!(setting("auto"), Ok(None));
        assert_eq!(setting("16"), Ok(Some(ColorDepth::Ansi16)));
        assert_eq!(setting("256"), Ok(Some(ColorDepth::Indexed256)));
        assert_eq!(setting("truecolor"), Ok(Some(ColorDepth::TrueColor)));
        let error = setting("88").unwrap_err();
        assert!(error.contains("auto, 16, 256, truecolor"), "{error}");
    }

    #[test]
    fn colours_become_the_nearest_a_terminal_shows() {
        let (ansi, indexed) = (ColorDepth::Ansi16, ColorDepth::Indexed256);
        assert_eq!(ansi.nearest(Color::Rgb(0, 0x64, 0)), Color::Green);
        assert_eq!(ansi.nearest(Color::Rgb(0xb0, 0, 0)), Color::Red);
        assert_eq!(ansi.nearest(Color::Indexed(196)), Color::LightRed);
        assert_eq!(ansi.nearest(Color::Cyan), Color::Cyan);
        assert_eq!(
            indexed.nearest(Color::Rgb(0xd0, 0xd0, 0xd0)),
            Color::Indexed(252)
        );
        assert_eq!(
            indexed.nearest(Color::Rgb(0, 0x5f, 0xaf)),
            Color::Indexed(25)
        );
        assert_eq!(indexed.nearest(Color::Reset), Color::Reset);
        let truecolor = Theme::preset("light").unwrap();
        assert_eq!(truecolor.for_depth(ColorDepth::TrueColor), truecolor);
        // The light theme on 16 colours keeps its state colours apart.
        let light = truecolor.for_depth(ansi).status_bar;
        let states = [
            light.connected,
            light.connecting,
            light.down,
            light.disconnected,
        ];
        for (i, a) in states.iter().enumerate() {
            assert!(!matches!(a, Color::Rgb(..) | Color::Indexed(_)), "{a:?}");
            assert!(!states[i + 1..].contains(a), "{states:?}");
        }
    }

    #[test]
    fn status_states_differ_from_each_other_and_the_bar_in_every_theme() {
        let depths = [
            ColorDepth::TrueColor,
            ColorDepth::Indexed256,
            ColorDepth::Ansi16,
        ];
        for name in Theme::preset_names() {
            for depth in depths {
                let bar = Theme::preset(name).unwrap().for_depth(depth).status_bar;
                let states = [bar.connected, bar.connecting, bar.down, bar.disconnected];
                for (i, state) in states.iter().enumerate() {
                    assert_ne!(*state, bar.bg, "{name} {depth:?}: {states:?}");
                    assert!(
                        !states[i + 1..].contains(state),
                        "{name} {depth:?}: {states:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_user_theme_extends_a_preset() {
        let mut theme = Theme::default();
        theme
            .merge_toml("extends = \"light\"\n[help]\nkey = \"magenta\"\n", "t.toml")
            .unwrap();
        let light = Theme::preset("light").unwrap();
        assert_eq!(theme.help.key, Color::Magenta);
        assert_eq!(theme.status_bar, light.status_bar);
        let error = Theme::default()
            .merge_toml("\nextends = \"lite\"\n", "t.toml")
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("t.toml:2:"), "{error}");
        assert!(error.contains("did you mean \"light\""), "{error}");
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
        assert!(error.contains("`help.fg` = 3"), "{error}");
        let error = Theme::default()
            .merge_toml("[status_bar]\nbg = \"blue\"\nconnected = 5\n", "t.toml")
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("t.toml:3"), "{error}");
        assert!(error.contains("`status_bar.connected` = 5"), "{error}");
    }
}
