//! The tools that open in the lower pane (the inspector for now), and the
//! inspector's state: a stack of inspected objects, root first, each with
//! the rows the server described and the row selected.

use crate::protocol::{InspectElement, InspectField, InspectResult};

/// Elements asked for at a time: more page in as the selection nears the end.
pub const INSPECT_PAGE: u64 = 50;
/// Bytes of an inspected object's own print (its fields' prints are cut
/// at 1000 by the server).
pub const INSPECT_PRINT_LIMIT: u64 = 10_000;

/// A tool shown in the lower pane in place of the transcript.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tool {
    Inspector(InspectorState),
    Browser(Box<super::browser::BrowserState>),
    Messages(super::messages::MessagesState),
    /// The debugger (its processes are `Model::debuggers`); where the
    /// focus goes when it closes.
    Debugger(super::Focus),
}

impl Tool {
    /// Where the focus goes when the tool closes.
    pub fn back_to(&self) -> &super::Focus {
        match self {
            Self::Inspector(state) => &state.back_to,
            Self::Browser(state) => &state.back_to,
            Self::Messages(state) => &state.back_to,
            Self::Debugger(back_to) => back_to,
        }
    }

    /// How the status bar and the pane title name it.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Inspector(_) => "Inspector",
            Self::Browser(_) => "Browser",
            Self::Messages(state) => state.kind.label(),
            Self::Debugger(_) => "Debugger",
        }
    }
}

/// A message of the inspector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InspectorMsg {
    Move(super::Scroll),
    /// Inspect the selected field or element.
    Drill,
    /// Back to the object inspected before.
    Back,
    /// Close the inspector and release its handles.
    Close,
    /// Open the evaluate line (code run with `self` bound to the object shown).
    OpenPrompt,
    /// A key in the evaluate line.
    Prompt(super::PromptKey),
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InspectorState {
    /// Root first; the last is shown.
    pub frames: Vec<InspectFrame>,
    /// Where the focus goes when it closes.
    pub back_to: super::Focus,
    /// Rows shown at the last draw: paging moves by it.
    pub height: usize,
    /// The evaluate line's text while it is open.
    pub prompt: Option<String>,
    /// The evaluate line's last code and what it answered, shown at the
    /// pane's foot (the transcript is hidden behind the inspector).
    pub last_result: Option<String>,
}

/// One inspected object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InspectFrame {
    /// Its part of the breadcrumb: the root's class, else the field name or index.
    pub label: String,
    /// The handle it was asked for by: a reply for another is stale.
    pub handle: String,
    /// `None` until the server answered.
    pub value: Option<InspectResult>,
    pub selected: usize,
    /// First row shown.
    pub scroll: usize,
    /// A page of elements was asked for and has not come yet.
    pub loading: bool,
}

/// A row of the inspector: a named field or an indexed element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row<'a> {
    Field(&'a InspectField),
    Element(&'a InspectElement),
}

impl Row<'_> {
    pub fn handle(&self) -> &str {
        match self {
            Self::Field(field) => &field.handle,
            Self::Element(element) => &element.handle,
        }
    }

    /// The breadcrumb part of the object it holds.
    pub fn label(&self) -> String {
        match self {
            Self::Field(field) => field.name.clone(),
            Self::Element(element) => element.index.to_string(),
        }
    }
}

impl InspectFrame {
    pub fn loading(label: String, handle: String) -> Self {
        Self {
            label,
            handle,
            value: None,
            selected: 0,
            scroll: 0,
            loading: true,
        }
    }

    /// A frame showing `value` (labelled with its class).
    pub fn with(value: InspectResult) -> Self {
        Self {
            loading: false,
            value: None,
            ..Self::loading(value.class.clone(), value.handle.clone())
        }
        .showing(value)
    }

    fn showing(mut self, value: InspectResult) -> Self {
        self.value = Some(value);
        self
    }

    pub fn rows(&self) -> Vec<Row<'_>> {
        let Some(value) = &self.value else {
            return Vec::new();
        };
        let fields = value.fields.iter().map(Row::Field);
        // A string is shown as its text: its characters are no rows.
        if is_text(value) {
            return fields.collect();
        }
        fields
            .chain(value.elements.iter().map(Row::Element))
            .collect()
    }

    /// Elements the server has that are not here yet.
    pub fn more_elements(&self) -> bool {
        self.value
            .as_ref()
            .is_some_and(|value| !is_text(value) && (value.elements.len() as u64) < value.size)
    }

    /// The handles this frame's object and rows hold.
    pub fn handles(&self) -> Vec<String> {
        let Some(value) = &self.value else {
            return Vec::new();
        };
        let rows = value.fields.iter().map(|field| field.handle.clone());
        let elements = value.elements.iter().map(|element| element.handle.clone());
        std::iter::once(value.handle.clone())
            .chain(rows)
            .chain(elements)
            .collect()
    }
}

impl InspectorState {
    pub fn frame(&self) -> Option<&InspectFrame> {
        self.frames.last()
    }

    pub fn frame_mut(&mut self) -> Option<&mut InspectFrame> {
        self.frames.last_mut()
    }

    /// `OrderedCollection › 1 › …`
    pub fn breadcrumb(&self) -> String {
        let labels: Vec<&str> = self.frames.iter().map(|f| f.label.as_str()).collect();
        labels.join(" › ")
    }
}

/// A string or symbol: shown as its text.
pub fn is_text(value: &InspectResult) -> bool {
    matches!(value.class.as_str(), "String" | "Symbol" | "UnicodeString")
}

/// A dictionary: its elements are `key->value` associations, shown as
/// `key → value`.
pub fn is_dictionary(value: &InspectResult) -> bool {
    value.class.ends_with("Dictionary") || value.class == "LookupTable"
}

/// A multi-line print (a dictionary's) on one line.
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
