//! Reaching the tools from every pane: what "the class" and "the selector
//! under the cursor" mean where there is no text cursor, and the one-line
//! prompt that asks for a name where nothing sensible is under it.

use super::lexer::{self, Class};
use super::messages::{MessagesKind, selector_at};

/// What Ctrl+B, Ctrl+N and Ctrl+M ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    Browse,
    Messages(MessagesKind),
}

impl Reach {
    /// The prompt's question.
    pub fn question(self) -> &'static str {
        match self {
            Self::Browse => "Browse class: ",
            Self::Messages(MessagesKind::Senders) => "Senders of: ",
            Self::Messages(MessagesKind::Implementors) => "Implementors of: ",
        }
    }
}

/// The prompt over the status line, prefilled with the best guess.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReachPrompt {
    pub reach: Reach,
    pub input: String,
}

/// The class to browse for a value's class: a class's own class
/// (`Object class`) browses the class itself.
pub fn class_to_browse(class: &str) -> String {
    class.trim().trim_end_matches(" class").to_string()
}

/// The selector of the last message `code` sends (the whole keyword
/// selector of a keyword message), if it sends any.
pub fn last_selector(code: &str) -> Option<String> {
    let last = lexer::tokens(code).into_iter().rev().find(|token| {
        matches!(
            token.class,
            Class::Keyword | Class::UnarySelector | Class::BinarySelector
        )
    })?;
    let line_start = code[..last.range.start].rfind('\n').map_or(0, |at| at + 1);
    let line_end = code[line_start..]
        .find('\n')
        .map_or(code.len(), |at| line_start + at);
    let column = code[line_start..last.range.start].chars().count();
    selector_at(&code[line_start..line_end], column)
}

/// The class named by the capitalised word ending at the end of `line`
/// (the inspector's evaluate line has its cursor there).
pub fn class_at_end(line: &str) -> Option<String> {
    let word: String = line
        .chars()
        .rev()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    word.starts_with(char::is_uppercase).then_some(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_selector_sent() {
        assert_eq!(
            last_selector("3 printString").as_deref(),
            Some("printString")
        );
        let keyword = "#(1 2) inject: 0 into: [:a :b | a + b]";
        assert_eq!(last_selector(keyword).as_deref(), Some("+"));
        let two_lines = "x := OrderedCollection new.\nx add: 3; yourself";
        assert_eq!(last_selector(two_lines).as_deref(), Some("yourself"));
        assert_eq!(last_selector("d at: 1 put: 2").as_deref(), Some("at:put:"));
        assert_eq!(last_selector("42"), None);
    }

    #[test]
    fn a_metaclass_browses_its_class() {
        assert_eq!(
            class_to_browse("OrderedCollection class"),
            "OrderedCollection"
        );
        assert_eq!(class_to_browse("SmallInteger"), "SmallInteger");
    }

    #[test]
    fn the_class_at_the_end_of_a_line() {
        assert_eq!(class_at_end("self isKindOf: Set").as_deref(), Some("Set"));
        assert_eq!(class_at_end("self size"), None);
        assert_eq!(class_at_end(""), None);
    }
}
