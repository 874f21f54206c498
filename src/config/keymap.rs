//! Keymaps as data: per context, key strings mapped to action names.
//!
//! The presets (`keymaps/default.toml`, `pharo.toml`, `emacs.toml`) are built
//! in; the others are merged over the default. A user file names the preset it
//! extends (`extends = "pharo"`, else the default) and its entries are merged
//! over that. Lookups check the focused context, then `global`. The help
//! overlay and the status bar hint are generated from the active keymap, so
//! they never disagree with it.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::Path;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use toml::Spanned;
use tuirealm::event::{Key, KeyEvent, KeyModifiers};

use super::error::read_config_file;
pub use super::error::{ConfigError, nearest};

const DEFAULT_KEYMAP: &str = include_str!("../../keymaps/default.toml");
/// The built-in keymaps by name: `default` first, the others go over it.
const PRESETS: [(&str, &str); 3] = [
    ("default", DEFAULT_KEYMAP),
    ("pharo", include_str!("../../keymaps/pharo.toml")),
    ("emacs", include_str!("../../keymaps/emacs.toml")),
];
/// The action name that removes a binding in a user keymap.
const UNBIND: &str = "none";
/// The top-level key naming the preset a keymap file goes over.
pub(crate) const EXTENDS: &str = "extends";

/// Where a key is pressed. The focused pane's context is searched before `Global`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Context {
    Global,
    Workspace,
    Transcript,
    Inspector,
    Browser,
    Debugger,
    Help,
}

impl Context {
    pub const ALL: [Context; 7] = [
        Self::Global,
        Self::Workspace,
        Self::Transcript,
        Self::Inspector,
        Self::Browser,
        Self::Debugger,
        Self::Help,
    ];

    /// The table name in keymap files.
    pub fn name(self) -> &'static str {
        match self {
            Self::Global => "global",
            Self::Workspace => "workspace",
            Self::Transcript => "transcript",
            Self::Inspector => "inspector",
            Self::Browser => "browser",
            Self::Debugger => "debugger",
            Self::Help => "help",
        }
    }

    /// The heading in the help overlay.
    pub fn title(self) -> &'static str {
        match self {
            Self::Global => "Everywhere",
            Self::Workspace => "Workspace",
            Self::Transcript => "Transcript",
            Self::Inspector => "Inspector",
            Self::Browser => "Class browser",
            Self::Debugger => "Debugger",
            Self::Help => "This help",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|context| context.name() == name)
    }
}

/// Everything a key can be bound to.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    strum::EnumIter,
    strum::EnumString,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Action {
    Help,
    CloseHelp,
    ToggleConnection,
    Quit,
    FocusNext,
    Evaluate,
    PrintIt,
    InspectIt,
    Complete,
    Interrupt,
    ClearTranscript,
    ScrollUp,
    ScrollDown,
    PageUp,
    PageDown,
    ScrollToTop,
    ScrollToBottom,
    SaveImage,
    ReplayChanges,
    HistoryOlder,
    HistoryNewer,
    HistorySearch,
    Search,
    SearchNext,
    SearchPrevious,
    CloseSearch,
    CopyToWorkspace,
    SaveTranscript,
    CopyEntry,
    NewWorkspace,
    CloseWorkspace,
    RenameWorkspace,
    NextWorkspace,
    PreviousWorkspace,
    #[serde(rename = "workspace_1")]
    #[strum(serialize = "workspace_1")]
    Workspace1,
    #[serde(rename = "workspace_2")]
    #[strum(serialize = "workspace_2")]
    Workspace2,
    #[serde(rename = "workspace_3")]
    #[strum(serialize = "workspace_3")]
    Workspace3,
    #[serde(rename = "workspace_4")]
    #[strum(serialize = "workspace_4")]
    Workspace4,
    #[serde(rename = "workspace_5")]
    #[strum(serialize = "workspace_5")]
    Workspace5,
    #[serde(rename = "workspace_6")]
    #[strum(serialize = "workspace_6")]
    Workspace6,
    #[serde(rename = "workspace_7")]
    #[strum(serialize = "workspace_7")]
    Workspace7,
    #[serde(rename = "workspace_8")]
    #[strum(serialize = "workspace_8")]
    Workspace8,
    #[serde(rename = "workspace_9")]
    #[strum(serialize = "workspace_9")]
    Workspace9,
    OpenWorkspace,
    SaveWorkspace,
    SaveWorkspaceAs,
    Undo,
    Redo,
    SelectAll,
    Copy,
    Cut,
    Paste,
    Dedent,
    FilterHelp,
    FilterTranscript,
    ToggleStacks,
    SaveWholeValue,
    ToggleLineNumbers,
    InspectEntry,
    InspectField,
    InspectBack,
    InspectorEvaluate,
    CloseTool,
    Browse,
    Senders,
    Implementors,
    ColumnLeft,
    ColumnRight,
    EditMethod,
    ToggleClassSide,
    ToggleHierarchy,
    SourcePageDown,
    SourcePageUp,
    Accept,
    EditInWorkspace,
    NewMethod,
    NewClass,
    RemoveSelected,
    MoveToProtocol,
    Palette,
    DebugIt,
    ShowDebugger,
    StepInto,
    StepOver,
    StepThrough,
    Restart,
    Proceed,
    Abandon,
    NextDebugger,
    PreviousDebugger,
    EditFrame,
    HideDebugger,
}

impl Action {
    /// Every action, in declaration order.
    pub fn all() -> impl Iterator<Item = Action> {
        <Self as strum::IntoEnumIterator>::iter()
    }

    /// The name used in keymap files (the serde name).
    pub fn name(self) -> &'static str {
        self.into()
    }

    /// What the help overlay says the action does.
    pub fn description(self) -> &'static str {
        match self {
            Self::Help => "Show or hide this help",
            Self::CloseHelp => "Close this help",
            Self::ToggleConnection => "Connect to or disconnect from the server",
            Self::Quit => "Quit STUI",
            Self::FocusNext => "Move focus: workspace → tool → transcript",
            Self::Evaluate => "Do it: evaluate the selection or statement",
            Self::PrintIt => "Print it: insert the value after the code",
            Self::InspectIt => "Inspect it: open the inspector on the value",
            Self::Complete => "Complete the word at the cursor (a popup of candidates)",
            Self::Interrupt => "Interrupt running evaluations (asks which of several)",
            Self::ClearTranscript => "Clear the transcript",
            Self::ScrollUp => "Scroll up one line",
            Self::ScrollDown => "Scroll down one line",
            Self::PageUp => "Scroll up one page",
            Self::PageDown => "Scroll down one page",
            Self::ScrollToTop => "Scroll to the oldest entry",
            Self::ScrollToBottom => "Follow the newest entry",
            Self::SaveImage => "Save the local server's image (every class and method)",
            Self::ReplayChanges => "Replay the code changes made since the last save",
            Self::HistoryOlder => "Replace the text with the previous evaluated snippet",
            Self::HistoryNewer => "Next snippet; past the newest, the text typed before",
            Self::HistorySearch => "Search the evaluated snippets (again: older match)",
            Self::Search => "Search the transcript (Enter: newest match)",
            Self::SearchNext => "Next older match",
            Self::SearchPrevious => "Next newer match",
            Self::CloseSearch => "Close the search",
            Self::CopyToWorkspace => "Copy the matched or newest code into the workspace",
            Self::SaveTranscript => "Save the transcript to a file",
            Self::CopyEntry => "Copy the matched or newest entry to the clipboard",
            Self::NewWorkspace => "New workspace (tab)",
            Self::CloseWorkspace => "Close the workspace (asks when it has text)",
            Self::RenameWorkspace => "Rename the workspace",
            Self::NextWorkspace => "Next workspace",
            Self::PreviousWorkspace => "Previous workspace",
            Self::Workspace1 => "Go to workspace 1",
            Self::Workspace2 => "Go to workspace 2",
            Self::Workspace3 => "Go to workspace 3",
            Self::Workspace4 => "Go to workspace 4",
            Self::Workspace5 => "Go to workspace 5",
            Self::Workspace6 => "Go to workspace 6",
            Self::Workspace7 => "Go to workspace 7",
            Self::Workspace8 => "Go to workspace 8",
            Self::Workspace9 => "Go to workspace 9",
            Self::OpenWorkspace => "Open a file as a new workspace",
            Self::SaveWorkspace => "Save the workspace to its file, or ask for one",
            Self::SaveWorkspaceAs => "Save the workspace to another file",
            Self::Undo => "Undo (a word, a line or a command at a time)",
            Self::Redo => "Redo what was undone",
            Self::SelectAll => "Select all the text",
            Self::Copy => "Copy the selection (also to the system clipboard)",
            Self::Cut => "Cut the selection (also to the system clipboard)",
            Self::Paste => "Paste the text copied or cut last",
            Self::Dedent => "Dedent the selected lines, or the cursor's line",
            Self::FilterTranscript => "Show all entries, errors only or output only (cycles)",
            Self::SaveWholeValue => "Save the newest cut value whole to a file",
            Self::ToggleStacks => "Show whole error stacks, or their first frames",
            Self::FilterHelp => "Filter these keys as you type (Enter keeps, Esc clears)",
            Self::ToggleLineNumbers => "Show or hide line numbers",
            Self::InspectEntry => "Inspect the matched or newest value",
            Self::InspectField => "Inspect the selected field or element",
            Self::InspectBack => "Back to the object inspected before",
            Self::InspectorEvaluate => "Evaluate a line with self bound to the inspected object",
            Self::CloseTool => "Close the tool (releases its objects)",
            Self::Browse => "Browse the class under the cursor or selected",
            Self::Senders => "Senders of the selector under the cursor",
            Self::Implementors => "Implementors of the selector under the cursor",
            Self::ColumnLeft => "To the column on the left",
            Self::ColumnRight => "To the column on the right",
            Self::EditMethod => "To the next column; on a method: edit it here",
            Self::ToggleClassSide => "Class side / instance side",
            Self::ToggleHierarchy => "Classes: the class's hierarchy / its category's",
            Self::SourcePageDown => "Scroll the source down a page",
            Self::SourcePageUp => "Scroll the source up a page",
            Self::Accept => "Accept: compile the method edited (class: define it)",
            Self::EditInWorkspace => "The method or edit in a new workspace (Class>>selector)",
            Self::NewMethod => "New method: edit the method template",
            Self::NewClass => "New class: edit a class definition template",
            Self::RemoveSelected => "Remove the selected method or class (asks first)",
            Self::MoveToProtocol => "Move the selected method to another protocol",
            Self::DebugIt => "Debug it: evaluate, suspended before the first statement",
            Self::ShowDebugger => "The debugger: the session's suspended evaluations",
            Self::StepInto => "Into: step into the next send of the selected frame",
            Self::StepOver => "Over: run the selected frame's current send",
            Self::StepThrough => "Through: run until the selected frame returns",
            Self::Restart => "Restart the selected frame from its first statement",
            Self::Proceed => "Proceed: resume the evaluation",
            Self::Abandon => "Abandon: terminate the evaluation, close its debugger",
            Self::NextDebugger => "Next debugger (of several)",
            Self::PreviousDebugger => "Previous debugger",
            Self::EditFrame => "Edit the frame's method; accepting restarts the frame",
            Self::HideDebugger => "Hide the debugger (F9 shows it; the code stays suspended)",
            Self::Palette => "Palette: find classes, implementors, snippets, commands",
        }
    }

    /// The place (1 for the first) of the workspace a `workspace_N` action
    /// goes to.
    pub fn workspace_number(self) -> Option<usize> {
        let name = self.name().strip_prefix("workspace_")?;
        name.parse().ok()
    }

    pub fn from_name(name: &str) -> Option<Self> {
        name.parse().ok()
    }
}

/// One key binding, as listed by [`Keymap::bindings`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Binding {
    pub context: Context,
    pub key: KeyEvent,
    pub action: Action,
}

/// The active key bindings, per context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    contexts: HashMap<Context, HashMap<KeyEvent, Bound>>,
    /// How many keymap files were merged to make this one.
    layers: u32,
    /// Bindings a terminal may never send, and start-up configuration problems.
    warnings: Vec<String>,
}

/// An action bound to a key, and where a keymap file listed that binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Bound {
    action: Action,
    /// Orders an action's keys for hints: the newest file's bindings first
    /// (a preset's over the default's, a user's over a preset's), then the
    /// order the file lists them in.
    listed: (std::cmp::Reverse<u32>, usize),
}

/// One top-level entry of a keymap or theme file: `extends = "preset"` or a
/// `[section]` table.
pub(crate) enum Entry {
    Extends(String),
    Table(BTreeMap<Spanned<String>, Spanned<String>>),
    /// A table whose `key` has a value that is not a string (`fg = 5`):
    /// kept to report with the key and its line (see [`parse_tables`]).
    NotAString {
        key: String,
        value: Spanned<toml::Value>,
    },
}

impl<'de> Deserialize<'de> for Entry {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(EntryVisitor)
    }
}

/// Reads the table entry by entry so that keys and actions keep their spans.
struct EntryVisitor;

impl<'de> Visitor<'de> for EntryVisitor {
    type Value = Entry;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a preset name or a table of \"key\" = \"action\"")
    }

    fn visit_str<E: serde::de::Error>(self, name: &str) -> Result<Entry, E> {
        Ok(Entry::Extends(name.to_string()))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entry, A::Error> {
        let mut table = BTreeMap::new();
        while let Some((key, value)) = map.next_entry::<Spanned<String>, Spanned<toml::Value>>()? {
            let span = value.span();
            match value.into_inner() {
                toml::Value::String(text) => table.insert(key, Spanned::new(span, text)),
                other => {
                    let value = Spanned::new(span, other);
                    let key = key.into_inner();
                    return Ok(Entry::NotAString { key, value });
                }
            };
        }
        Ok(Entry::Table(table))
    }
}

/// A keymap or theme file, with spans for error lines.
pub(crate) type TablesFile = BTreeMap<Spanned<String>, Spanned<Entry>>;

/// A keymap or theme file read from `text`; an error names `file`, the
/// line and, for a value that is not a string, its key.
pub(crate) fn parse_tables(text: &str, file: &str) -> Result<TablesFile, ConfigError> {
    let parsed: TablesFile =
        toml::from_str(text).map_err(|e| ConfigError::from_toml(file, text, e))?;
    for (section, entry) in &parsed {
        if let Entry::NotAString { key, value } = entry.get_ref() {
            let message = format!(
                "`{}.{key}` = {}: a value in quotes is expected here",
                section.get_ref(),
                value.get_ref()
            );
            return Err(ConfigError::new(file, message).at(text, value.span().start));
        }
    }
    Ok(parsed)
}

impl Default for Keymap {
    /// The built-in default keymap.
    fn default() -> Self {
        Self::preset("default").expect("the built-in keymaps are valid (tested)")
    }
}

impl Keymap {
    fn empty() -> Self {
        Self {
            contexts: HashMap::new(),
            layers: 0,
            warnings: Vec::new(),
        }
    }

    /// The names of the built-in keymaps.
    pub fn preset_names() -> [&'static str; 3] {
        PRESETS.map(|(name, _)| name)
    }

    /// The built-in keymap `name`: the default with the preset merged over it.
    pub fn preset(name: &str) -> Result<Self, ConfigError> {
        let mut keymap = Self::empty();
        for (preset, text) in PRESETS {
            if preset == "default" || preset == name {
                keymap.merge_toml(text, &preset_file(preset))?;
            }
        }
        if Self::preset_names().contains(&name) {
            // The presets bind keys such as Ctrl+I on purpose, beside an
            // alternative every terminal sends: nothing to warn about.
            keymap.warnings.clear();
            return Ok(keymap);
        }
        let hint = nearest(name, Self::preset_names()).unwrap_or("default");
        Err(ConfigError::new(
            "keymap setting",
            format!("no built-in keymap \"{name}\"; did you mean \"{hint}\"?"),
        ))
    }

    /// The built-in default with `user_file`'s entries merged over it (or over
    /// the preset the file `extends`). Pass `None` when there is no user
    /// keymap; a path that cannot be read is an error.
    pub fn load(user_file: Option<&Path>) -> Result<Self, ConfigError> {
        let mut keymap = Self::default();
        if let Some(path) = user_file {
            let text = read_config_file(path, "keymap")?;
            keymap.merge_toml(&text, &path.display().to_string())?;
        }
        Ok(keymap)
    }

    /// The keymap the `ui.keymap` setting names: empty for the default, a
    /// file (a path with a `/` or ending in `.toml`), else a preset name.
    pub fn load_setting(setting: &str) -> Result<Self, ConfigError> {
        match setting {
            "" => Ok(Self::default()),
            path if is_path(path) => Self::load(Some(Path::new(path))),
            name => Self::preset(name),
        }
    }

    /// What the user should know about this keymap and the configuration it
    /// came with: keys a terminal may never send, files that were not used.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Adds a start-up problem for the transcript and the status bar to show.
    pub fn add_warning(&mut self, warning: String) {
        self.warnings.push(warning);
    }

    /// Merge the bindings of keymap TOML `text` over this keymap; when the
    /// text `extends` a preset, over that preset instead. `file` names it in
    /// errors. Nothing is changed when the text has an error, or when it
    /// leaves no key to quit or to open the help.
    pub fn merge_toml(&mut self, text: &str, file: &str) -> Result<(), ConfigError> {
        let parsed = parse_tables(text, file)?;
        let mut merged = self.clone();
        let extends = parsed.iter().find(|(name, _)| name.get_ref() == EXTENDS);
        if let Some((_, entry)) = extends {
            let Entry::Extends(preset) = entry.get_ref() else {
                return Err(
                    ConfigError::new(file, "`extends` names a preset: \"pharo\"")
                        .at(text, entry.span().start),
                );
            };
            merged = Self::preset(preset).map_err(|error| {
                ConfigError::new(file, error.message).at(text, entry.span().start)
            })?;
        }
        for (name, entry) in &parsed {
            if name.get_ref() == EXTENDS {
                continue;
            }
            let context = context_named(name, text, file)?;
            let Entry::Table(entries) = entry.get_ref() else {
                return Err(ConfigError::new(
                    file,
                    format!(
                        "[{}] must be a table of \"key\" = \"action\"",
                        context.name()
                    ),
                )
                .at(text, entry.span().start));
            };
            merged.merge_context(context, entries, text, file)?;
        }
        merged.layers += 1;
        merged.check_essentials(file)?;
        *self = merged;
        Ok(())
    }

    fn merge_context(
        &mut self,
        context: Context,
        entries: &BTreeMap<Spanned<String>, Spanned<String>>,
        text: &str,
        file: &str,
    ) -> Result<(), ConfigError> {
        let in_context =
            |message: String| ConfigError::new(file, format!("[{}] {message}", context.name()));
        for (key_text, action_name) in entries {
            let key = parse_key(key_text.get_ref()).map_err(|why| {
                in_context(format!("bad key \"{}\": {why}", key_text.get_ref()))
                    .at(text, key_text.span().start)
            })?;
            let bindings = self.contexts.entry(context).or_default();
            if action_name.get_ref() == UNBIND {
                bindings.remove(&key);
                continue;
            }
            let action = Action::from_name(action_name.get_ref()).ok_or_else(|| {
                let names = Action::all().map(Action::name);
                let hint = nearest(action_name.get_ref(), names).unwrap_or("help");
                in_context(format!(
                    "unknown action \"{}\" for key \"{}\"; did you mean \"{hint}\"?",
                    action_name.get_ref(),
                    key_text.get_ref()
                ))
                .at(text, action_name.span().start)
            })?;
            let listed = (std::cmp::Reverse(self.layers + 1), key_text.span().start);
            bindings.insert(key, Bound { action, listed });
            if let Some(why) = never_sent(&key) {
                let warning =
                    in_context(format!("\"{}\" may never fire: {why}", key_text.get_ref()))
                        .at(text, key_text.span().start);
                self.warnings.push(warning.to_string());
            }
        }
        Ok(())
    }

    /// Without a key for `quit` only a signal ends STUI; without `help` the
    /// bindings cannot be looked up.
    fn check_essentials(&self, file: &str) -> Result<(), ConfigError> {
        for essential in [Action::Quit, Action::Help] {
            if !self.bindings().iter().any(|b| b.action == essential) {
                return Err(ConfigError::new(
                    file,
                    format!(
                        "no key is bound to \"{}\"; keep one (e.g. [global] \"f1\" = \"help\", \
                         \"ctrl-q\" = \"quit\")",
                        essential.name()
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The action bound to `key` in `context`, else in `global`.
    pub fn lookup(&self, context: Context, key: &KeyEvent) -> Option<Action> {
        let key = normalize(*key);
        let bound_in = |context| Some(self.contexts.get(&context)?.get(&key)?.action);
        bound_in(context).or_else(|| bound_in(Context::Global))
    }

    /// Every binding, grouped by context (in [`Context::ALL`] order), then by action.
    pub fn bindings(&self) -> Vec<Binding> {
        let mut all: Vec<Binding> = Context::ALL
            .into_iter()
            .flat_map(|context| {
                self.contexts
                    .get(&context)
                    .into_iter()
                    .flatten()
                    .map(move |(key, bound)| Binding {
                        context,
                        key: *key,
                        action: bound.action,
                    })
            })
            .collect();
        all.sort_by_key(|b| (b.context, b.action, key_sort_key(&b.key)));
        all
    }

    /// The keys bound to `action` in `context` (not counting `global`), the
    /// one the keymap lists first for it first: hints show that one
    /// (Ctrl+E evaluates in the default keymap, Ctrl+D in the pharo preset).
    pub fn keys_for(&self, context: Context, action: Action) -> Vec<KeyEvent> {
        let mut keys: Vec<(KeyEvent, Bound)> = self
            .contexts
            .get(&context)
            .into_iter()
            .flatten()
            .filter(|(_, bound)| bound.action == action)
            .map(|(key, bound)| (*key, *bound))
            .collect();
        keys.sort_by_key(|(_, bound)| bound.listed);
        keys.into_iter().map(|(key, _)| key).collect()
    }
}

/// Whether a `ui.keymap` or `ui.theme` setting names a file rather than a preset.
pub(crate) fn is_path(setting: &str) -> bool {
    setting.contains(std::path::MAIN_SEPARATOR) || setting.ends_with(".toml")
}

/// How errors and warnings name a built-in keymap.
fn preset_file(name: &str) -> String {
    format!("keymaps/{name}.toml (built in)")
}

fn context_named(name: &Spanned<String>, text: &str, file: &str) -> Result<Context, ConfigError> {
    Context::from_name(name.get_ref()).ok_or_else(|| {
        let names = Context::ALL.map(Context::name);
        let hint = nearest(name.get_ref(), names).unwrap_or("global");
        ConfigError::new(
            file,
            format!(
                "unknown context [{}]; did you mean [{hint}]? (contexts: {}; or `extends`)",
                name.get_ref(),
                names.join(", ")
            ),
        )
        .at(text, name.span().start)
    })
}

/// Why a terminal without keyboard enhancement never sends `key`, if it does not:
/// such a terminal sends Ctrl+I as Tab, Ctrl+M as Enter, Ctrl+H as Backspace,
/// and no modifier with Enter, Tab, Backspace, Esc or a digit.
fn never_sent(key: &KeyEvent) -> Option<&'static str> {
    let modified = !key.modifiers.is_empty();
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        Key::Enter | Key::Tab | Key::Backspace | Key::Esc if modified => {
            Some("most terminals send this key without its modifiers")
        }
        Key::Char('i' | 'm' | 'h') if ctrl => Some("terminals send it as Tab, Enter or Backspace"),
        Key::Char(c) if ctrl && (c.is_ascii_digit() || c.is_uppercase()) => {
            Some("terminals do not send Ctrl with a digit or with Shift")
        }
        _ => None,
    }
}

/// Named keys (Esc, Tab, arrows) first, then function keys, plain characters,
/// and modified keys: the order a reader expects.
fn key_sort_key(key: &KeyEvent) -> (u8, u8, String) {
    let kind = match key.code {
        Key::Function(n) => return (1, n, String::new()),
        // Ctrl keys first: Alt may not reach.
        _ if key.modifiers.contains(KeyModifiers::CONTROL) => 3,
        _ if !key.modifiers.is_empty() => 4,
        Key::Char(_) => 2,
        _ => 0,
    };
    (kind, 0, key_label(key))
}

/// Make a key event from the terminal comparable with a parsed key string:
/// a character already says whether Shift was held, and Shift+Tab is BackTab.
pub fn normalize(mut key: KeyEvent) -> KeyEvent {
    match key.code {
        // With keyboard enhancement Ctrl+Shift+D comes as Ctrl, Shift and
        // `d`: the same key as the `ctrl-shift-d` (Ctrl, `D`) of a keymap.
        Key::Char(c) if c.is_lowercase() && key.modifiers.contains(KeyModifiers::SHIFT) => {
            key.code = Key::Char(c.to_uppercase().next().unwrap_or(c));
            key.modifiers.remove(KeyModifiers::SHIFT);
        }
        Key::Char(_) | Key::BackTab => key.modifiers.remove(KeyModifiers::SHIFT),
        Key::Tab if key.modifiers.contains(KeyModifiers::SHIFT) => {
            key.code = Key::BackTab;
            key.modifiers.remove(KeyModifiers::SHIFT);
        }
        _ => {}
    }
    key
}

/// Parse a key string such as `ctrl-e`, `alt-x`, `shift-tab`, `f1`, `pageup` or `?`.
pub fn parse_key(text: &str) -> Result<KeyEvent, String> {
    let mut modifiers = KeyModifiers::NONE;
    let mut rest = text.trim();
    while let Some((modifier, after)) = strip_modifier(rest) {
        modifiers.insert(modifier);
        rest = after;
    }
    let mut chars = rest.chars();
    let code = match (chars.next(), chars.next()) {
        (None, _) => return Err("no key after the modifiers".into()),
        (Some(c), None) => Key::Char(c),
        _ => named_key(&rest.to_ascii_lowercase()).ok_or_else(|| {
            format!("unknown key name \"{rest}\" (try f1, esc, enter, tab, up, pageup, ctrl-e)")
        })?,
    };
    let mut key = KeyEvent::new(code, modifiers);
    if modifiers.contains(KeyModifiers::SHIFT) {
        match code {
            Key::Char(c) if c.is_alphabetic() => {
                key.code = Key::Char(c.to_uppercase().next().unwrap_or(c));
            }
            Key::Char(c) => {
                return Err(format!(
                    "write the shifted character itself instead of shift-{c}"
                ));
            }
            _ => {}
        }
    }
    Ok(normalize(key))
}

/// `ctrl-`, `alt-`, `shift-` (or with `+`), case-insensitive; never eats the last character.
fn strip_modifier(text: &str) -> Option<(KeyModifiers, &str)> {
    const PREFIXES: [(&str, KeyModifiers); 4] = [
        ("ctrl", KeyModifiers::CONTROL),
        ("control", KeyModifiers::CONTROL),
        ("alt", KeyModifiers::ALT),
        ("shift", KeyModifiers::SHIFT),
    ];
    PREFIXES.into_iter().find_map(|(name, modifier)| {
        let head = text.get(..name.len())?;
        let after = text[name.len()..]
            .strip_prefix(['-', '+'])
            .filter(|after| !after.is_empty())?;
        head.eq_ignore_ascii_case(name).then_some((modifier, after))
    })
}

fn named_key(name: &str) -> Option<Key> {
    let key = match name {
        "esc" | "escape" => Key::Esc,
        "enter" | "return" => Key::Enter,
        "tab" => Key::Tab,
        "backtab" => Key::BackTab,
        "space" => Key::Char(' '),
        "backspace" => Key::Backspace,
        "delete" | "del" => Key::Delete,
        "insert" | "ins" => Key::Insert,
        "up" => Key::Up,
        "down" => Key::Down,
        "left" => Key::Left,
        "right" => Key::Right,
        "home" => Key::Home,
        "end" => Key::End,
        "pageup" | "pgup" => Key::PageUp,
        "pagedown" | "pgdn" | "pgdown" => Key::PageDown,
        _ => {
            let number: u8 = name.strip_prefix('f')?.parse().ok()?;
            return (1..=24).contains(&number).then_some(Key::Function(number));
        }
    };
    Some(key)
}

/// How a key is written for people: `Ctrl+E`, `F1`, `Shift+Tab`, `PgUp`, `?`.
pub fn key_label(key: &KeyEvent) -> String {
    let mut label = String::new();
    let modifiers = key.modifiers;
    if modifiers.contains(KeyModifiers::CONTROL) {
        label.push_str("Ctrl+");
    }
    if modifiers.contains(KeyModifiers::ALT) {
        label.push_str("Alt+");
    }
    let shifted_letter = matches!(key.code, Key::Char(c) if c.is_uppercase());
    if modifiers.contains(KeyModifiers::SHIFT)
        || matches!(key.code, Key::BackTab)
        || (shifted_letter && !modifiers.is_empty())
    {
        label.push_str("Shift+");
    }
    let name = match key.code {
        Key::Char(' ') => "Space".to_string(),
        Key::Char(c) if !modifiers.is_empty() => c.to_uppercase().collect(),
        Key::Char(c) => c.to_string(),
        Key::Function(n) => format!("F{n}"),
        Key::BackTab | Key::Tab => "Tab".into(),
        Key::Esc => "Esc".into(),
        Key::Enter => "Enter".into(),
        Key::Backspace => "Backspace".into(),
        Key::Delete => "Del".into(),
        Key::Insert => "Ins".into(),
        Key::Up => "Up".into(),
        Key::Down => "Down".into(),
        Key::Left => "Left".into(),
        Key::Right => "Right".into(),
        Key::Home => "Home".into(),
        Key::End => "End".into(),
        Key::PageUp => "PgUp".into(),
        Key::PageDown => "PgDn".into(),
        other => format!("{other:?}"),
    };
    label.push_str(&name);
    label
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: Key, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn parses_key_strings() {
        let ctrl = KeyModifiers::CONTROL;
        let none = KeyModifiers::NONE;
        assert_eq!(parse_key("ctrl-e"), Ok(key(Key::Char('e'), ctrl)));
        assert_eq!(parse_key("Ctrl+E"), Ok(key(Key::Char('E'), ctrl)));
        assert_eq!(
            parse_key("alt-x"),
            Ok(key(Key::Char('x'), KeyModifiers::ALT))
        );
        assert_eq!(parse_key("shift-tab"), Ok(key(Key::BackTab, none)));
        assert_eq!(parse_key("backtab"), Ok(key(Key::BackTab, none)));
        assert_eq!(parse_key("f1"), Ok(key(Key::Function(1), none)));
        assert_eq!(parse_key("F12"), Ok(key(Key::Function(12), none)));
        assert_eq!(parse_key("esc"), Ok(key(Key::Esc, none)));
        assert_eq!(parse_key("enter"), Ok(key(Key::Enter, none)));
        assert_eq!(parse_key("up"), Ok(key(Key::Up, none)));
        assert_eq!(parse_key("pageup"), Ok(key(Key::PageUp, none)));
        assert_eq!(parse_key("?"), Ok(key(Key::Char('?'), none)));
        assert_eq!(parse_key("-"), Ok(key(Key::Char('-'), none)));
        assert_eq!(parse_key("ctrl--"), Ok(key(Key::Char('-'), ctrl)));
        assert_eq!(parse_key("shift-a"), Ok(key(Key::Char('A'), none)));
        assert_eq!(parse_key("shift-up"), Ok(key(Key::Up, KeyModifiers::SHIFT)));
        assert_eq!(
            parse_key("ctrl-alt-f"),
            Ok(key(Key::Char('f'), ctrl | KeyModifiers::ALT))
        );
    }

    #[test]
    fn rejects_bad_key_strings() {
        for bad in ["", "ctrl-", "f0", "f25", "hyper-x", "pagedwn", "shift-1"] {
            assert!(parse_key(bad).is_err(), "{bad:?} should not parse");
        }
    }

    #[test]
    fn labels_keys_for_people() {
        let label = |text| key_label(&parse_key(text).unwrap());
        assert_eq!(label("ctrl-e"), "Ctrl+E");
        assert_eq!(label("f2"), "F2");
        assert_eq!(label("backtab"), "Shift+Tab");
        assert_eq!(label("?"), "?");
        assert_eq!(label("pageup"), "PgUp");
        assert_eq!(label("alt-x"), "Alt+X");
    }

    #[test]
    fn terminal_events_match_parsed_keys() {
        let keymap = Keymap::default();
        // Terminals report `?` and Shift+Tab with the Shift modifier set.
        let question = key(Key::Char('?'), KeyModifiers::SHIFT);
        assert_eq!(
            keymap.lookup(Context::Transcript, &question),
            Some(Action::Help)
        );
        let shift_tab = key(Key::BackTab, KeyModifiers::SHIFT);
        assert_eq!(
            keymap.lookup(Context::Transcript, &shift_tab),
            Some(Action::FocusNext)
        );
        // In the workspace it dedents, as in other editors; F6 moves the focus.
        assert_eq!(
            keymap.lookup(Context::Workspace, &shift_tab),
            Some(Action::Dedent)
        );
    }

    #[test]
    fn the_key_a_keymap_lists_first_comes_first_the_newest_file_before_older_ones() {
        let first_evaluate = |keymap: &Keymap| {
            let keys = keymap.keys_for(Context::Workspace, Action::Evaluate);
            key_label(&keys[0])
        };
        assert_eq!(first_evaluate(&Keymap::default()), "Ctrl+E");
        assert_eq!(first_evaluate(&Keymap::preset("pharo").unwrap()), "Ctrl+D");
        let mut mine = Keymap::default();
        let text = "[workspace]\n\"f9\" = \"evaluate\"\n\"f8\" = \"evaluate\"\n";
        mine.merge_toml(text, "mine.toml").unwrap();
        let keys = mine.keys_for(Context::Workspace, Action::Evaluate);
        let labels: Vec<String> = keys.iter().map(key_label).collect();
        assert_eq!(labels, ["F9", "F8", "Ctrl+E", "Ctrl+D", "Alt+D"]);
    }

    #[test]
    fn workspace_actions_are_named_with_their_number() {
        assert_eq!(Action::Workspace3.name(), "workspace_3");
        assert_eq!(Action::from_name("workspace_9"), Some(Action::Workspace9));
        assert_eq!(Action::Workspace1.workspace_number(), Some(1));
        assert_eq!(Action::NextWorkspace.workspace_number(), None);
        let alt_2 = parse_key("alt-2").unwrap();
        assert_eq!(
            Keymap::default().lookup(Context::Transcript, &alt_2),
            Some(Action::Workspace2)
        );
    }

    #[test]
    fn lookup_prefers_the_context_then_global() {
        let keymap = Keymap::default();
        let f1 = key(Key::Function(1), KeyModifiers::NONE);
        assert_eq!(keymap.lookup(Context::Workspace, &f1), Some(Action::Help));
        assert_eq!(keymap.lookup(Context::Help, &f1), Some(Action::CloseHelp));
        let ctrl_e = parse_key("ctrl-e").unwrap();
        assert_eq!(
            keymap.lookup(Context::Workspace, &ctrl_e),
            Some(Action::Evaluate)
        );
        assert_eq!(keymap.lookup(Context::Transcript, &ctrl_e), None);
        let question = parse_key("?").unwrap();
        assert_eq!(keymap.lookup(Context::Workspace, &question), None);
    }

    #[test]
    fn the_built_in_keymap_binds_the_essentials() {
        let keymap = Keymap::load(None).unwrap();
        let f2 = parse_key("f2").unwrap();
        assert_eq!(
            keymap.lookup(Context::Global, &f2),
            Some(Action::ToggleConnection)
        );
        let ctrl_q = parse_key("ctrl-q").unwrap();
        assert_eq!(keymap.lookup(Context::Help, &ctrl_q), Some(Action::Quit));
        assert!(keymap.bindings().len() > 15);
    }

    #[test]
    fn user_entries_override_and_extend_the_defaults() {
        let mut keymap = Keymap::default();
        keymap
            .merge_toml(
                "[workspace]\n\"ctrl-e\" = \"none\"\n\"ctrl-j\" = \"evaluate\"\n\
                 [global]\n\"f1\" = \"quit\"\n",
                "user.toml",
            )
            .unwrap();
        let lookup = |context, text| keymap.lookup(context, &parse_key(text).unwrap());
        assert_eq!(lookup(Context::Workspace, "ctrl-e"), None);
        assert_eq!(lookup(Context::Workspace, "ctrl-j"), Some(Action::Evaluate));
        assert_eq!(lookup(Context::Workspace, "f1"), Some(Action::Quit));
        // Untouched defaults stay.
        assert_eq!(
            lookup(Context::Global, "f2"),
            Some(Action::ToggleConnection)
        );
        assert_eq!(lookup(Context::Help, "esc"), Some(Action::CloseHelp));
    }

    #[test]
    fn unknown_action_names_file_context_key_and_nearest_action() {
        let mut keymap = Keymap::default();
        let error = keymap
            .merge_toml("\n[workspace]\n\"ctrl-e\" = \"evalute\"\n", "my.toml")
            .unwrap_err();
        let text = error.to_string();
        assert_eq!(error.line, Some(3));
        for part in [
            "my.toml:3",
            "[workspace]",
            "ctrl-e",
            "evalute",
            "did you mean \"evaluate\"",
        ] {
            assert!(text.contains(part), "{text:?} lacks {part:?}");
        }
        // A failed merge leaves the keymap as it was.
        assert_eq!(keymap, Keymap::default());
    }

    #[test]
    fn bad_key_and_unknown_context_are_named() {
        let mut keymap = Keymap::default();
        let error = keymap
            .merge_toml("[transcript]\n\"ctrl-shiftx\" = \"help\"\n", "k.toml")
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("k.toml:2") && error.contains("ctrl-shiftx"),
            "{error}"
        );
        assert!(error.contains("[transcript]"), "{error}");

        let error = keymap
            .merge_toml("[workspce]\n\"f1\" = \"help\"\n", "k.toml")
            .unwrap_err()
            .to_string();
        assert!(error.contains("did you mean [workspace]"), "{error}");
    }

    #[test]
    fn malformed_toml_names_the_file() {
        let error = Keymap::default()
            .merge_toml("[global\n\"f1\" = ", "broken.toml")
            .unwrap_err();
        assert!(error.to_string().starts_with("broken.toml:1"), "{error}");
    }

    #[test]
    fn missing_user_file_is_an_error_naming_it() {
        let error = Keymap::load(Some(Path::new("/nonexistent/stui-keymap.toml"))).unwrap_err();
        assert!(error.to_string().contains("/nonexistent/stui-keymap.toml"));
    }

    #[test]
    fn action_names_match_serde_names() {
        for action in Action::all() {
            let json = serde_json::to_string(&action).unwrap();
            assert_eq!(json, format!("\"{}\"", action.name()));
        }
    }

    #[test]
    fn nearest_picks_the_closest_name() {
        assert_eq!(nearest("quti", ["quit", "help"]), Some("quit"));
        assert_eq!(
            nearest("page-up", Action::all().map(Action::name)),
            Some("page_up")
        );
    }

    #[test]
    fn presets_go_over_the_default() {
        for name in Keymap::preset_names() {
            let keymap = Keymap::preset(name).unwrap();
            assert!(
                keymap.warnings().is_empty(),
                "{name}: {:?}",
                keymap.warnings()
            );
            let f1 = parse_key("f1").unwrap();
            assert_eq!(keymap.lookup(Context::Global, &f1), Some(Action::Help));
        }
        let lookup = |name, context, text| {
            Keymap::preset(name)
                .unwrap()
                .lookup(context, &parse_key(text).unwrap())
        };
        assert_eq!(
            lookup("pharo", Context::Workspace, "ctrl-d"),
            Some(Action::Evaluate)
        );
        assert_eq!(
            lookup("pharo", Context::Workspace, "ctrl-e"),
            Some(Action::Evaluate)
        );
        assert_eq!(
            lookup("emacs", Context::Workspace, "ctrl-j"),
            Some(Action::Evaluate)
        );
        assert_eq!(
            lookup("emacs", Context::Transcript, "ctrl-v"),
            Some(Action::PageDown)
        );
        assert_eq!(
            lookup("default", Context::Workspace, "ctrl-d"),
            Some(Action::Evaluate)
        );
        // Emacs keeps Ctrl+D, Ctrl+P and Ctrl+E for the editor (delete,
        // line up, line end).
        assert_eq!(lookup("emacs", Context::Workspace, "ctrl-d"), None);
        assert_eq!(lookup("emacs", Context::Workspace, "ctrl-e"), None);
        assert_eq!(
            lookup("emacs", Context::Inspector, "ctrl-n"),
            Some(Action::ScrollDown)
        );
        assert_eq!(
            lookup("pharo", Context::Inspector, "alt-i"),
            Some(Action::InspectField)
        );
        assert_eq!(
            lookup("default", Context::Inspector, "backspace"),
            Some(Action::InspectBack)
        );
        assert_eq!(lookup("emacs", Context::Workspace, "ctrl-p"), None);
        // The class browser: Ctrl+B (emacs: M-., its C-b moves back a char).
        let browse = Some(Action::Browse);
        assert_eq!(lookup("default", Context::Workspace, "ctrl-b"), browse);
        assert_eq!(lookup("pharo", Context::Workspace, "ctrl-b"), browse);
        assert_eq!(lookup("emacs", Context::Workspace, "ctrl-b"), None);
        assert_eq!(lookup("emacs", Context::Workspace, "alt-."), browse);
        assert_eq!(
            lookup("emacs", Context::Browser, "ctrl-f"),
            Some(Action::ColumnRight)
        );
        assert_eq!(
            lookup("default", Context::Browser, "enter"),
            Some(Action::EditMethod)
        );
        // Letters jump in the browser's columns: the toggles take Alt.
        assert_eq!(lookup("default", Context::Browser, "e"), None);
        assert_eq!(
            lookup("default", Context::Browser, "alt-c"),
            Some(Action::ToggleClassSide)
        );
    }

    #[test]
    fn a_user_keymap_extends_a_preset_and_overrides_single_bindings() {
        let mut keymap = Keymap::default();
        keymap
            .merge_toml(
                "extends = \"pharo\"\n[workspace]\n\"ctrl-e\" = \"none\"\n",
                "user.toml",
            )
            .unwrap();
        let lookup = |context, text| keymap.lookup(context, &parse_key(text).unwrap());
        assert_eq!(lookup(Context::Workspace, "ctrl-d"), Some(Action::Evaluate));
        assert_eq!(lookup(Context::Workspace, "ctrl-e"), None);
        assert_eq!(lookup(Context::Global, "ctrl-q"), Some(Action::Quit));
    }

    #[test]
    fn the_setting_names_a_preset_or_a_file() {
        assert_eq!(Keymap::load_setting("").unwrap(), Keymap::default());
        assert_eq!(
            Keymap::load_setting("emacs").unwrap(),
            Keymap::preset("emacs").unwrap()
        );
        let error = Keymap::load_setting("phaor").unwrap_err().to_string();
        assert!(error.contains("did you mean \"pharo\""), "{error}");
        let error = Keymap::load_setting("/nonexistent/k.toml").unwrap_err();
        assert!(error.to_string().contains("/nonexistent/k.toml"), "{error}");
    }

    #[test]
    fn unknown_preset_names_the_line_and_the_nearest_preset() {
        let error = Keymap::default()
            .merge_toml("\nextends = \"pharoh\"\n", "u.toml")
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("u.toml:2:"), "{error}");
        assert!(error.contains("did you mean \"pharo\""), "{error}");
        let error = Keymap::default()
            .merge_toml("[extends]\n\"f1\" = \"help\"\n", "u.toml")
            .unwrap_err()
            .to_string();
        assert!(error.contains("`extends` names a preset"), "{error}");
    }

    #[test]
    fn ctrl_shift_d_debugs_as_an_enhanced_terminal_sends_it_and_alt_shift_d_as_tmux_does() {
        let keymap = Keymap::default();
        let both = KeyModifiers::CONTROL | KeyModifiers::SHIFT;
        let enhanced = KeyEvent::new(Key::Char('d'), both);
        assert_eq!(
            keymap.lookup(Context::Workspace, &enhanced),
            Some(Action::DebugIt)
        );
        let tmux = KeyEvent::new(Key::Char('D'), KeyModifiers::ALT | KeyModifiers::SHIFT);
        assert_eq!(
            keymap.lookup(Context::Workspace, &tmux),
            Some(Action::DebugIt)
        );
        let ctrl_d = KeyEvent::new(Key::Char('d'), KeyModifiers::CONTROL);
        assert_eq!(
            keymap.lookup(Context::Workspace, &ctrl_d),
            Some(Action::Evaluate)
        );
    }

    #[test]
    fn a_keymap_without_quit_or_help_is_refused() {
        let mut keymap = Keymap::default();
        let error = keymap
            .merge_toml("[global]\n\"ctrl-q\" = \"none\"\n", "u.toml")
            .unwrap_err()
            .to_string();
        assert!(error.contains("no key is bound to \"quit\""), "{error}");
        let no_help = "[global]\n\"f1\" = \"none\"\n[transcript]\n\"?\" = \"none\"\n\
                       [inspector]\n\"?\" = \"none\"\n[browser]\n\"?\" = \"none\"\n\
                       [debugger]\n\"?\" = \"none\"\n";
        let error = keymap
            .merge_toml(no_help, "u.toml")
            .unwrap_err()
            .to_string();
        assert!(error.contains("no key is bound to \"help\""), "{error}");
        assert_eq!(keymap, Keymap::default());
    }

    #[test]
    fn bindings_a_terminal_never_sends_are_kept_with_a_warning() {
        let mut keymap = Keymap::default();
        keymap
            .merge_toml(
                "[workspace]\n\"ctrl-enter\" = \"evaluate\"\n\"ctrl-i\" = \"evaluate\"\n",
                "u.toml",
            )
            .unwrap();
        let warnings = keymap.warnings();
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[0].starts_with("u.toml:2:"), "{warnings:?}");
        assert!(
            warnings[0].contains("\"ctrl-enter\" may never fire"),
            "{warnings:?}"
        );
        assert!(warnings[1].contains("ctrl-i"), "{warnings:?}");
    }
}
