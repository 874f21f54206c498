//! The class browser's state: the class list, the selected class as the
//! server described it, its methods, and the selected method's source.

use crate::protocol::{ClassResult, MethodResult, MethodSummary};

/// Classes asked for at once (the server's default is 500).
pub const CLASS_LIMIT: u64 = 5000;

/// A message of the browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BrowserMsg {
    Move(super::Scroll),
    /// To the classes column.
    Left,
    /// To the methods column.
    Right,
    /// A letter typed in the classes column: jump to the first class
    /// starting with the letters typed so far.
    Jump(char),
    /// The selected method's source into a new workspace, to edit and accept.
    Edit,
    Close,
}

/// The column with the selection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Column {
    #[default]
    Classes,
    Methods,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BrowserState {
    /// Class names, sorted; empty until the server answered.
    pub classes: Vec<String>,
    pub class_selected: usize,
    /// The class named on opening, until the list comes and selects it.
    pub wanted: Option<String>,
    /// The method to select once the class is described (from a message list).
    pub wanted_method: Option<String>,
    /// The selected class as described; `None` while it is asked for.
    pub class: Option<ClassResult>,
    pub column: Column,
    /// In the methods column: the selected method.
    pub method_selected: usize,
    /// The selected method's source; `None` while it is asked for.
    pub source: Option<MethodResult>,
    /// Letters typed for the jump in the classes column.
    pub typed: String,
    /// Where the focus goes when it closes.
    pub back_to: super::Focus,
    /// Rows of the columns at the last draw: paging moves by it.
    pub height: usize,
    /// The source pane's edit, while it edits (see `browser_edit`).
    pub edit: Option<Box<super::browser_edit::BrowserEdit>>,
}

impl BrowserState {
    /// The class name selected (or wanted, before the list came).
    pub fn class_name(&self) -> Option<&str> {
        self.classes
            .get(self.class_selected)
            .or(self.wanted.as_ref())
            .map(String::as_str)
    }

    /// The instance-side methods of the selected class.
    pub fn methods(&self) -> &[MethodSummary] {
        self.class
            .as_ref()
            .map_or(&[], |class| class.methods.instance.as_slice())
    }

    /// The method selected, in the methods column.
    pub fn method(&self) -> Option<&MethodSummary> {
        match self.column {
            Column::Methods => self.methods().get(self.method_selected),
            Column::Classes => None,
        }
    }

    /// The first class starting with `prefix`, else the nearest name by
    /// Jaro-Winkler (typos still land somewhere close).
    pub fn find(&self, prefix: &str) -> Option<usize> {
        let lower = prefix.to_lowercase();
        let starts = self
            .classes
            .iter()
            .position(|name| name.to_lowercase().starts_with(&lower));
        starts.or_else(|| {
            let score = |name: &String| strsim::jaro_winkler(&name.to_lowercase(), &lower);
            (0..self.classes.len())
                .max_by(|&a, &b| score(&self.classes[a]).total_cmp(&score(&self.classes[b])))
        })
    }
}

/// What a request of the browser asked for: a reply for a class or method
/// no longer selected is dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BrowserAsk {
    Classes,
    Class(String),
    Method {
        class: String,
        selector: String,
    },
    /// Accept in the workspace named `Class>>selector`: `code` compiled in
    /// `class`.
    Compile {
        class: String,
        code: String,
    },
}
