//! The message list: the senders or the implementors of a selector, one
//! row per method, in the lower pane.

use crate::protocol::MethodRef;

/// Methods asked for at first, and how many more each time the selection
/// nears the end of a longer list (the server's default is 500).
pub const MESSAGES_PAGE: u64 = 1000;
/// Rows before the end of the methods listed at which more are asked for.
pub const MESSAGES_AHEAD: usize = 200;

/// Which list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessagesKind {
    Senders,
    Implementors,
}

impl MessagesKind {
    pub fn label(self) -> &'static str {
        match self {
            Self::Senders => "Senders",
            Self::Implementors => "Implementors",
        }
    }
}

/// A message of the message list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessagesMsg {
    Move(super::Scroll),
    /// The selected method in the class browser.
    Open,
    Close,
}

/// What a request of the list asked for: a reply for another is dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessagesAsk {
    pub kind: MessagesKind,
    pub selector: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessagesState {
    pub kind: MessagesKind,
    pub selector: String,
    /// `None` until the server answered.
    pub methods: Option<Vec<MethodRef>>,
    /// How many there are (more than listed past the limit).
    pub total: u64,
    pub selected: usize,
    /// Where the focus goes when it closes.
    pub back_to: super::Focus,
    /// Rows shown at the last draw: paging moves by it.
    pub height: usize,
    /// More methods were asked for and have not come yet.
    pub asking_more: bool,
}

impl MessagesState {
    /// A list of `kind` of `selector`, until the server answers.
    pub fn searching(kind: MessagesKind, selector: String, back_to: super::Focus) -> Self {
        Self {
            kind,
            selector,
            methods: None,
            total: 0,
            selected: 0,
            back_to,
            height: 0,
            asking_more: false,
        }
    }

    /// How many are listed.
    pub fn shown(&self) -> usize {
        self.methods.as_ref().map_or(0, Vec::len)
    }

    /// The pane's title: `Senders of #printOn: · 34`, or while the server
    /// has more than are listed `· 1000/2345` (`· 1000/2345, more coming`
    /// while they are asked for).
    pub fn title(&self) -> String {
        let (kind, selector) = (self.kind.label(), &self.selector);
        let shown = self.shown() as u64;
        let coming = if self.asking_more {
            ", more coming"
        } else {
            ""
        };
        if self.methods.is_some() && shown < self.total {
            format!(" {kind} of #{selector} · {shown}/{}{coming} ", self.total)
        } else {
            format!(" {kind} of #{selector} · {} ", self.total)
        }
    }

    /// The selection is near the end of a list the server has more of,
    /// and they were not asked for yet.
    pub fn wants_more(&self) -> bool {
        let shown = self.shown();
        !self.asking_more
            && self.methods.is_some()
            && (shown as u64) < self.total
            && self.selected + MESSAGES_AHEAD >= shown
    }

    /// The selected method.
    pub fn method(&self) -> Option<&MethodRef> {
        self.methods.as_ref()?.get(self.selected)
    }
}

/// `Class>>selector`, `Class class>>selector` on the class side.
pub fn method_name(method: &MethodRef) -> String {
    super::browser::method_label(&method.class, method.meta, &method.selector)
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The selector named at column `col` of `line`: a unary word, a binary
/// operator, or for a keyword part the whole keyword selector of its
/// message on this line (`inject:` in `c inject: 0 into: [...]` gives
/// `inject:into:`).
pub fn selector_at(line: &str, col: usize) -> Option<String> {
    let chars: Vec<char> = line.chars().collect();
    let mut col = col.min(chars.len());
    // Just after a keyword's colon: that keyword.
    if col > 0 && chars[col - 1] == ':' && chars.get(col).is_none_or(|c| !is_word(*c)) {
        col -= 1;
    }
    let start = chars[..col]
        .iter()
        .rposition(|c| !is_word(*c))
        .map_or(0, |at| at + 1);
    let end = chars[start..]
        .iter()
        .position(|c| !is_word(*c))
        .map_or(chars.len(), |at| start + at);
    if start == end {
        let binary: String = chars[col.min(chars.len().saturating_sub(1))..]
            .iter()
            .take_while(|c| "+-*/\\<>=~,@%|&?!".contains(**c))
            .collect();
        return (!binary.is_empty()).then_some(binary);
    }
    let word: String = chars[start..end].iter().collect();
    // A number is no selector: the prompt asks for one instead.
    if word.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    if !is_keyword_at(&chars, end) {
        return Some(word);
    }
    Some(keyword_selector(&chars, start).unwrap_or(format!("{word}:")))
}

/// A keyword part ends at `end`: a colon, not that of `:=`.
fn is_keyword_at(chars: &[char], end: usize) -> bool {
    chars.get(end) == Some(&':') && chars.get(end + 1) != Some(&'=')
}

/// The keyword parts at the same nesting as the one starting at `at`,
/// within its statement and brackets.
fn keyword_selector(chars: &[char], at: usize) -> Option<String> {
    let mut depth = 0i32;
    let mut from = 0;
    for (i, c) in chars[..at].iter().enumerate().rev() {
        match c {
            ')' | ']' | '}' => depth += 1,
            '(' | '[' | '{' if depth == 0 => {
                from = i + 1;
                break;
            }
            '(' | '[' | '{' => depth -= 1,
            '.' | ';' if depth == 0 => {
                from = i + 1;
                break;
            }
            _ => {}
        }
    }
    let mut selector = String::new();
    let (mut depth, mut i) = (0i32, from);
    while i < chars.len() {
        match chars[i] {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' | '.' | ';' if depth == 0 => break,
            ')' | ']' | '}' => depth -= 1,
            '\'' => {
                i += chars[i + 1..]
                    .iter()
                    .position(|c| *c == '\'')
                    .map_or(chars.len(), |p| p + 1)
            }
            '"' => {
                i += chars[i + 1..]
                    .iter()
                    .position(|c| *c == '"')
                    .map_or(chars.len(), |p| p + 1)
            }
            c if is_word(c) && (i == 0 || !is_word(chars[i - 1]) && chars[i - 1] != ':') => {
                let end = chars[i..]
                    .iter()
                    .position(|c| !is_word(*c))
                    .map_or(chars.len(), |p| i + p);
                if depth == 0 && is_keyword_at(chars, end) {
                    selector.extend(&chars[i..=end]);
                }
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    (!selector.is_empty()).then_some(selector)
}

#[cfg(test)]
mod tests {
    use super::selector_at;

    #[test]
    fn the_selector_at_the_cursor() {
        let at = |line: &str, col| selector_at(line, col);
        assert_eq!(at("x printOn: s", 4).as_deref(), Some("printOn:"));
        assert_eq!(at("x printString", 13).as_deref(), Some("printString"));
        assert_eq!(at("printOn:", 8).as_deref(), Some("printOn:"));
        let inject = "c inject: 0 into: [:a :b | a + b]";
        assert_eq!(at(inject, 3).as_deref(), Some("inject:into:"));
        assert_eq!(at(inject, 13).as_deref(), Some("inject:into:"));
        let nested = "d at: 1 put: (e at: 2)";
        assert_eq!(at(nested, 3).as_deref(), Some("at:put:"));
        assert_eq!(at(nested, 16).as_deref(), Some("at:"));
        assert_eq!(at("x := 3 + 4", 7).as_deref(), Some("+"));
        assert_eq!(at("  ", 1), None);
        assert_eq!(at("3 @ 4", 0), None, "a number");
        assert_eq!(at("x at: 12", 7), None, "a number");
    }
}
