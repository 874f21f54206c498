//! Several workspaces (tabs): their names, files and parked editors, the
//! one-line prompt that renames, opens, saves and confirms, and the
//! autosave clock. The active workspace's editor is `model.view.editor`, so
//! code that works on "the workspace" needs no change; switching swaps
//! editors in and out of the tabs.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::editor::Editor;
use super::model::Model;

/// The file (beside the `.st` files) that keeps the tabs' order, their
/// files of the user's and which one was active.
pub const TABS_FILE: &str = "tabs.json";

/// What the workspace messages ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkspaceMsg {
    New,
    /// Close the active workspace (asks first when it has text: its file goes).
    Close,
    /// Ask for a new name of the active workspace.
    Rename,
    Next,
    Previous,
    /// Go to the workspace at this place in the tab line (0: the first).
    GoTo(usize),
    /// Ask for a file to open as a new workspace.
    Open,
    /// Save the active workspace to its file of the user's, or ask for one.
    Save,
    /// Ask for a file to save the active workspace to.
    SaveAs,
    Prompt(PromptKey),
    /// The runtime read the file `path` asked for by an open.
    Opened {
        path: PathBuf,
        text: Result<String, String>,
    },
    /// The runtime wrote workspace `tab` to the user's file `path`, or not.
    SavedTo {
        tab: u64,
        path: PathBuf,
        error: Option<String>,
    },
    /// Writing a workspace's own file failed.
    SaveFailed {
        path: PathBuf,
        error: String,
    },
}

/// A key in the workspace prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKey {
    Type(char),
    Backspace,
    /// Empty the line (Ctrl+U, as in a shell).
    Clear,
    Accept,
    Cancel,
}

impl PromptKey {
    /// Apply a typing key (a character, Backspace, Clear) to `line`;
    /// false for Accept and Cancel, which each prompt answers itself.
    pub fn edit(self, line: &mut String) -> bool {
        match self {
            PromptKey::Type(c) => line.push(c),
            PromptKey::Backspace => {
                line.pop();
            }
            PromptKey::Clear => line.clear(),
            PromptKey::Accept | PromptKey::Cancel => return false,
        }
        true
    }
}

/// What the prompt asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    Rename,
    Open,
    SaveAs,
    /// "Close workspace x and delete its file? (y/n)"
    ConfirmClose,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspacePrompt {
    pub kind: PromptKind,
    pub input: String,
    /// Why the last answer was refused; the prompt stays open.
    pub error: Option<String>,
}

/// One workspace.
#[derive(Debug, Clone)]
pub struct Tab {
    /// Stable while tabs come and go: replies from the runtime name it.
    pub id: u64,
    pub name: String,
    /// The user's file it was opened from or saved to: Save writes there.
    pub file: Option<PathBuf>,
    /// The editor of an inactive workspace; the active one's is `model.view.editor`.
    pub(crate) parked: Editor,
    /// Hash of the text last written to its own file.
    pub(crate) saved: Option<u64>,
}

/// The typing clock of the autosave: `update` notes edits, a tick stamps them.
#[derive(Debug, Clone, Default)]
pub(crate) struct Autosave {
    /// A message that may have edited came since the last tick.
    pub touched: bool,
    /// The first and the last tick that saw an edit not yet saved.
    pub first: Option<Instant>,
    pub last: Option<Instant>,
}

#[derive(Debug, Clone)]
pub struct Workspaces {
    /// Where each workspace's `<name>.st` file goes.
    pub dir: PathBuf,
    /// Put after the name in file names by a STUI that does not hold the
    /// data directory's lock, so that its files never meet the other's.
    pub file_tag: String,
    /// Only the STUI holding the lock writes the tabs file.
    pub owns_tabs_file: bool,
    pub tabs: Vec<Tab>,
    pub active: usize,
    pub prompt: Option<WorkspacePrompt>,
    pub(crate) autosave: Autosave,
    next_id: u64,
}

impl Default for Workspaces {
    fn default() -> Self {
        Self::new(PathBuf::from("workspaces"), String::new(), true)
    }
}

/// The tabs file's contents.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TabsFile {
    pub active: usize,
    pub tabs: Vec<TabEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TabEntry {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<PathBuf>,
}

/// A workspace as read at start-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    pub name: String,
    pub file: Option<PathBuf>,
    pub text: String,
}

impl Workspaces {
    /// One empty workspace, named `1`.
    pub fn new(dir: PathBuf, file_tag: String, owns_tabs_file: bool) -> Self {
        let mut workspaces = Self {
            dir,
            file_tag,
            owns_tabs_file,
            tabs: Vec::new(),
            active: 0,
            prompt: None,
            autosave: Autosave::default(),
            next_id: 0,
        };
        workspaces.add("1".into(), None, "");
        workspaces
    }

    /// The workspaces read at start-up (at least one), `active` selected.
    pub fn restore(mut self, restored: Vec<Restored>, active: usize) -> Self {
        if restored.is_empty() {
            return self;
        }
        self.tabs.clear();
        for Restored { name, file, text } in restored {
            self.add(name, file, &text);
        }
        self.active = active.min(self.tabs.len() - 1);
        self
    }

    /// Append a workspace holding `text` (on disk already); answers its index.
    pub(crate) fn add(&mut self, name: String, file: Option<PathBuf>, text: &str) -> usize {
        self.next_id += 1;
        self.tabs.push(Tab {
            id: self.next_id,
            name,
            file,
            parked: Editor::new(text),
            saved: Some(text_hash(text)),
        });
        self.tabs.len() - 1
    }

    pub fn active_tab(&self) -> &Tab {
        &self.tabs[self.active]
    }

    pub(crate) fn active_tab_mut(&mut self) -> &mut Tab {
        &mut self.tabs[self.active]
    }

    /// The workspace's own file in the data directory.
    pub fn path_of(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}{}.st", self.file_tag))
    }

    pub fn tabs_file(&self) -> PathBuf {
        self.dir.join(TABS_FILE)
    }

    /// The tabs file's text: order, files of the user's, the active one.
    pub fn tabs_file_text(&self) -> String {
        let file = TabsFile {
            active: self.active,
            tabs: self
                .tabs
                .iter()
                .map(|tab| TabEntry {
                    name: tab.name.clone(),
                    file: tab.file.clone(),
                })
                .collect(),
        };
        serde_json::to_string_pretty(&file).unwrap_or_default()
    }

    /// The smallest number not yet a workspace's name.
    pub fn fresh_name(&self) -> String {
        (1..)
            .map(|n: usize| n.to_string())
            .find(|name| self.find(name).is_none())
            .unwrap_or_default()
    }

    /// `base`, or `base-2`, `base-3`… whichever no workspace has.
    pub fn unique_name(&self, base: &str) -> String {
        std::iter::once(base.to_string())
            .chain((2..).map(|n: usize| format!("{base}-{n}")))
            .find(|name| self.find(name).is_none())
            .unwrap_or_default()
    }

    pub fn find(&self, name: &str) -> Option<usize> {
        self.tabs.iter().position(|tab| tab.name == name)
    }

    /// Whether the tab line and the status bar name the workspaces: not
    /// for the one workspace a user who never made another has.
    pub fn shown(&self) -> bool {
        self.tabs.len() > 1 || self.tabs[0].name != "1"
    }
}

/// Why `name` cannot name a workspace (it is a file name too), if it cannot.
pub fn name_problem(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        Some("a name is needed")
    } else if name.chars().count() > 40 {
        Some("at most 40 characters")
    } else if name.starts_with('.') {
        Some("it cannot start with a dot")
    } else if name.contains(['/', '\\']) || name.chars().any(char::is_control) {
        Some("no slashes or control characters")
    } else {
        None
    }
}

/// A workspace name from a file's name: its stem, made acceptable.
pub fn name_from_path(path: &Path) -> String {
    let stem = path
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name: String = stem
        .trim_start_matches('.')
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '/' | '\\'))
        .take(40)
        .collect();
    if name.is_empty() { "file".into() } else { name }
}

/// A hash of a workspace's text: has it changed since it was saved?
pub fn text_hash(text: &str) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
}

impl Model {
    /// A model with these workspaces, the active one's editor in the view.
    pub fn with_workspaces(mut self, mut workspaces: Workspaces) -> Self {
        let active = workspaces.active_tab_mut();
        self.view.editor = std::mem::take(&mut active.parked);
        self.workspaces = workspaces;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_file_names_and_fresh_ones_count_up() {
        let mut workspaces = Workspaces::default();
        assert_eq!(workspaces.fresh_name(), "2");
        workspaces.add("3".into(), None, "");
        assert_eq!(workspaces.fresh_name(), "2");
        assert_eq!(workspaces.unique_name("3"), "3-2");
        assert_eq!(name_problem("notes"), None);
        assert!(name_problem("").is_some());
        assert!(name_problem("../x").is_some());
        assert!(name_problem(".hidden").is_some());
        assert!(name_problem(&"x".repeat(41)).is_some());
        assert_eq!(name_from_path(Path::new("/tmp/Bank.st")), "Bank");
        assert_eq!(name_from_path(Path::new("/tmp/.st")), "st");
        let tagged = Workspaces::new("/d".into(), "-pid7".into(), false);
        assert_eq!(tagged.path_of("1"), PathBuf::from("/d/1-pid7.st"));
    }
}
