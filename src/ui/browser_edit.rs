//! Editing in the class browser, as in Pharo's System Browser: the bottom
//! pane becomes an editor on a method's source, on a new method's template
//! or on a class definition; accepting compiles (or, for a class,
//! evaluates) it. While it edits, the columns stay as they are: the pane
//! keeps its edit until it is accepted or discarded (Esc asks first when
//! the text was changed), so no edit is lost by moving the selection.

use super::editor::Editor;
use super::msg::EditCommand;
use tuirealm::event::KeyEvent;

/// Pharo's template of a new method.
pub const METHOD_TEMPLATE: &str = "messageSelectorAndArgumentNames\n\t\"comment stating purpose of message\"\n\n\t| temporaries |\n\tstatements";

/// The protocol of a new method when no method is selected.
pub const UNCLASSIFIED: &str = "as yet unclassified";

/// The class definition template gst 3.2.5 understands (the form the
/// server's `class` request describes classes in), under `superclass`.
pub fn class_template(superclass: &str, category: &str) -> String {
    format!(
        "{superclass} subclass: #NameOfSubclass\n\tinstanceVariableNames: ''\n\tclassVariableNames: ''\n\tpoolDictionaries: ''\n\tcategory: '{category}'"
    )
}

/// A message of the browser's editor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditMsg {
    /// The selected method's source in a new workspace named
    /// `Class>>selector`, where Accept compiles it (as before editing in place).
    InWorkspace,
    /// The new method template, for the selected class.
    NewMethod,
    /// The class definition template, under the selected class.
    NewClass,
    /// A key that edits the text.
    Key(KeyEvent),
    Paste(String),
    Command(EditCommand),
    /// Compile the method (or evaluate the class definition).
    Accept,
    /// Esc: leave the edit (asks first when the text was changed).
    Cancel,
    /// The answer to "discard the changes?".
    Discard(bool),
}

/// What the edit is of, and so what accepting does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditTarget {
    /// A method of `class` (its class side when `meta`); `selector` is
    /// `None` for a new one. Accepting compiles it in `protocol`.
    Method {
        class: String,
        meta: bool,
        selector: Option<String>,
        protocol: Option<String>,
    },
    /// A class definition: accepting evaluates it.
    ClassDefinition,
}

/// Where the compiler stopped, as the pane shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditError {
    /// The message, with the code line and a caret under the place when
    /// the error has one.
    pub text: String,
    /// The 0-based (row, column) of the error in the text.
    pub at: Option<(usize, usize)>,
}

/// The browser's source pane while it edits.
#[derive(Debug, Clone)]
pub struct BrowserEdit {
    pub editor: Editor,
    pub target: EditTarget,
    /// The text as opened: the edit is modified when it differs.
    pub original: String,
    pub error: Option<EditError>,
    /// Esc on a modified edit asked "discard?" and waits for y or n.
    pub asking_discard: bool,
    /// An accept was sent and has not been answered.
    pub accepting: bool,
}

impl PartialEq for BrowserEdit {
    fn eq(&self, other: &Self) -> bool {
        self.editor.text() == other.editor.text()
            && self.editor.area.cursor() == other.editor.area.cursor()
            && (&self.target, &self.original, &self.error)
                == (&other.target, &other.original, &other.error)
            && (self.asking_discard, self.accepting) == (other.asking_discard, other.accepting)
    }
}

impl Eq for BrowserEdit {}

impl BrowserEdit {
    pub fn new(target: EditTarget, text: &str) -> Self {
        Self {
            editor: Editor::new(text),
            target,
            original: text.to_string(),
            error: None,
            asking_discard: false,
            accepting: false,
        }
    }

    pub fn modified(&self) -> bool {
        self.editor.text() != self.original
    }

    /// How the pane's border names the edit: `Point>>x · accessing`,
    /// `Point>>(new method) · accessing`, `new class`.
    pub fn label(&self) -> String {
        match &self.target {
            EditTarget::Method {
                class,
                meta,
                selector,
                protocol,
            } => {
                let selector = selector.as_deref().unwrap_or("(new method)");
                let method = super::browser::method_label(class, *meta, selector);
                // None: the method keeps its protocol (the debugger's edit).
                match protocol {
                    Some(protocol) => format!("{method} · {protocol}"),
                    None => method,
                }
            }
            EditTarget::ClassDefinition => "new class".to_string(),
        }
    }
}

/// What a request of the browser's editor asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditAsk {
    /// `code` compiled in `class`.
    Compile { class: String, code: String },
    /// The class definition `code` evaluated.
    Define { code: String },
}

/// The edit of the tool in the lower pane: the browser's, or the
/// debugger's of its selected frame's method (the same editing).
pub fn open_edit(model: &super::Model) -> Option<&BrowserEdit> {
    match &model.tool {
        Some(super::inspector::Tool::Browser(state)) => state.edit.as_deref(),
        Some(super::inspector::Tool::Debugger(_)) => model.debuggers.active()?.edit.as_deref(),
        _ => None,
    }
}
