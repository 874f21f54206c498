//! The class browser's state, Pharo's System Browser in Miller columns:
//! categories | classes | protocols | methods, the selected class as the
//! server described it, and below the selected method's source (else the
//! class definition). How the columns derive from the class list is in
//! `browser_columns`.

use std::borrow::Cow;

use crate::protocol::{ClassResult, ClassSummary, MethodResult, MethodSummary};
use tuirealm::ratatui::layout::{Position, Rect};

/// Classes asked for at once (the server's default is 500): all of them.
pub const CLASS_LIMIT: u64 = 5000;

/// A message of the browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BrowserMsg {
    Move(super::Scroll),
    /// To the column on the left.
    Left,
    /// To the column on the right.
    Right,
    /// A letter typed: jump to the first row of the column starting with
    /// the letters typed so far.
    Jump(char),
    /// The selected method's source into a new workspace, to edit and accept.
    Edit,
    /// Between the instance side and the class side.
    ToggleSide,
    /// Between the category's classes and the selected class's hierarchy.
    ToggleHierarchy,
    /// Scroll the source below the columns.
    ScrollSource(super::Scroll),
    /// The mouse wheel at a place: over the source it scrolls it, elsewhere
    /// it moves the selection.
    Wheel(super::Scroll, Position),
    Close,
}

/// The column with the selection, left to right.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Column {
    Categories,
    #[default]
    Classes,
    Protocols,
    Methods,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BrowserState {
    /// Every class the server listed, sorted by name; empty until it answered.
    pub all: Vec<ClassSummary>,
    /// The category names, sorted; the column shows "all" above them.
    pub categories: Vec<String>,
    /// The row of the categories column: 0 is "all".
    pub category_selected: usize,
    /// The classes column: the category's class names, or the hierarchy's.
    pub classes: Vec<String>,
    pub class_selected: usize,
    /// In the hierarchy view, the depth of each row of `classes`.
    pub hierarchy: Option<Vec<usize>>,
    /// The class named on opening, until the list comes and selects it.
    pub wanted: Option<String>,
    /// The method to select once the class is described (from a message list).
    pub wanted_method: Option<String>,
    /// The class side (`methods.class`, `meta: true`) rather than the instance side.
    pub meta: bool,
    /// The selected class as described; `None` while it is asked for.
    pub class: Option<ClassResult>,
    pub column: Column,
    /// The row of the protocols column: 0 is "-- all --".
    pub protocol_selected: usize,
    /// In the methods column: the selected method (of the protocol's).
    pub method_selected: usize,
    /// The selected method's source; `None` while it is asked for.
    pub source: Option<MethodResult>,
    /// Letters typed for the jump in the column.
    pub typed: String,
    /// Where the focus goes when it closes.
    pub back_to: super::Focus,
    /// Rows of the columns at the last draw: paging moves by it.
    pub height: usize,
    /// Lines of the source scrolled past.
    pub source_scroll: usize,
    /// Where the source was drawn last (the wheel over it scrolls it).
    pub source_area: Rect,
    /// The source pane's edit, while it edits (see `browser_edit`).
    pub edit: Option<Box<super::browser_edit::BrowserEdit>>,
    /// "Remove …? (y/n)" asked, waiting for the answer (see `browser_remove`).
    pub removing: Option<super::browser_remove::Removal>,
    /// The "move to protocol" prompt, while open (see `browser_protocol`).
    pub moving: Option<super::browser_protocol::ProtocolPrompt>,
    /// The message list it was opened from: Esc goes back to it.
    pub from_list: Option<super::messages::MessagesState>,
}

impl BrowserState {
    /// The class name selected (or wanted, before the list came).
    pub fn class_name(&self) -> Option<&str> {
        self.classes
            .get(self.class_selected)
            .or(self.wanted.as_ref())
            .map(String::as_str)
    }

    /// The methods of the selected class on the side shown.
    pub fn side_methods(&self) -> &[MethodSummary] {
        self.class.as_ref().map_or(&[], |class| {
            let methods = &class.methods;
            if self.meta {
                methods.class.as_slice()
            } else {
                methods.instance.as_slice()
            }
        })
    }

    /// The methods column: the side's methods in the selected protocol.
    pub fn methods(&self) -> Vec<&MethodSummary> {
        let protocol = self.protocol();
        self.side_methods()
            .iter()
            .filter(|method| protocol.is_none_or(|p| protocol_name(method) == p))
            .collect()
    }

    /// The method selected, in the methods column.
    pub fn method(&self) -> Option<&MethodSummary> {
        match self.column {
            Column::Methods => self.methods().get(self.method_selected).copied(),
            _ => None,
        }
    }

    /// The text below the columns: the method's source, or the definition.
    pub fn shown_text(&self) -> Option<Cow<'_, str>> {
        match (self.method(), &self.source, &self.class) {
            (Some(_), Some(source), _) => Some(Cow::Borrowed(&source.source)),
            (Some(_), None, _) => None,
            (None, _, Some(class)) => Some(definition_and_comment(class)),
            (None, _, None) => None,
        }
    }

    /// How the title names the class: `Foo`, or `Foo class` on the class side.
    pub fn shown_class_name(&self) -> Option<String> {
        Some(side_name(self.class_name()?, self.meta))
    }
}

/// A class's definition, then its comment as a Smalltalk comment (a `"`
/// in it doubled), as Pharo's browser shows a class.
fn definition_and_comment(class: &ClassResult) -> Cow<'_, str> {
    match class.comment.as_deref().map(str::trim) {
        Some(comment) if !comment.is_empty() => {
            let quoted = comment.replace('"', "\"\"");
            Cow::Owned(format!("{}\n\n\"{quoted}\"", class.definition))
        }
        _ => Cow::Borrowed(&class.definition),
    }
}

/// `Foo`, or `Foo class` on the class side.
pub fn side_name(class: &str, meta: bool) -> String {
    if meta {
        format!("{class} class")
    } else {
        class.to_string()
    }
}

/// `Foo>>bar`, or `Foo class>>bar` on the class side.
pub fn method_label(class: &str, meta: bool, selector: &str) -> String {
    format!("{}>>{selector}", side_name(class, meta))
}

/// A method's protocol as the protocols column names it.
pub fn protocol_name(method: &MethodSummary) -> &str {
    method.protocol.as_deref().unwrap_or(UNCLASSIFIED)
}

/// The protocol of a method the server gave none.
pub const UNCLASSIFIED: &str = "as yet unclassified";

/// The first of `names` starting with `prefix`, else the nearest name by
/// Jaro-Winkler (typos still land somewhere close).
pub fn find(names: &[&str], prefix: &str) -> Option<usize> {
    let lower = prefix.to_lowercase();
    let starts = names
        .iter()
        .position(|name| name.to_lowercase().starts_with(&lower));
    starts.or_else(|| {
        let score = |name: &str| strsim::jaro_winkler(&name.to_lowercase(), &lower);
        (0..names.len()).max_by(|&a, &b| score(names[a]).total_cmp(&score(names[b])))
    })
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
        meta: bool,
    },
    /// Accept in the workspace named `Class>>selector`: `code` compiled in
    /// `class`.
    Compile {
        class: String,
        code: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class_with_comment(comment: Option<&str>) -> BrowserState {
        let class: ClassResult = serde_json::from_value(serde_json::json!({
            "name": "Foo", "superclass": "Object", "subclasses": [],
            "category": "Demo", "comment": comment,
            "definition": "Object subclass: #Foo",
            "instance_variables": [], "class_variables": [],
            "methods": {"instance": [], "class": []}
        }))
        .unwrap();
        BrowserState {
            class: Some(class),
            ..BrowserState::default()
        }
    }

    #[test]
    fn a_class_shows_its_definition_then_its_comment_quoted() {
        let state = class_with_comment(Some("A \"quoted\" word.\n"));
        assert_eq!(
            state.shown_text().unwrap(),
            "Object subclass: #Foo\n\n\"A \"\"quoted\"\" word.\""
        );
        let state = class_with_comment(None);
        assert_eq!(state.shown_text().unwrap(), "Object subclass: #Foo");
        let state = class_with_comment(Some("  "));
        assert_eq!(state.shown_text().unwrap(), "Object subclass: #Foo");
    }
}
