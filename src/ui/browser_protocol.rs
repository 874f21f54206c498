//! Moving the browser's selected method to another protocol: a prompt on
//! the source pane's last row, the side's other protocols offered (Tab
//! completes to the first that starts with what is typed); Enter compiles
//! the method's source again in the protocol typed (`compile` with
//! `protocol`), which the server logs as any compile.

use super::PromptKey;

/// A message of the protocol prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProtocolMsg {
    /// Alt+P on a method: open the prompt.
    Open,
    /// Tab: complete to the first protocol offered starting with the input.
    Complete,
    Key(PromptKey),
}

/// The prompt, while it is open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtocolPrompt {
    pub method: MovedMethod,
    pub input: String,
    /// The side's protocols but the method's own.
    pub offered: Vec<String>,
}

/// The method moved, and to which protocol once asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MovedMethod {
    pub class: String,
    pub meta: bool,
    pub selector: String,
    pub source: String,
    pub protocol: String,
}

impl MovedMethod {
    /// `Foo>>bar`, `Foo class>>bar`.
    pub fn label(&self) -> String {
        super::browser::method_label(&self.class, self.meta, &self.selector)
    }
}

impl ProtocolPrompt {
    /// The first protocol offered that starts with the input (and is more).
    pub fn completion(&self) -> Option<&str> {
        let typed = self.input.to_lowercase();
        self.offered
            .iter()
            .find(|p| p.len() > self.input.len() && p.to_lowercase().starts_with(&typed))
            .map(String::as_str)
    }

    /// The prompt's line, the protocols offered after it.
    pub fn line(&self) -> String {
        let mut line = format!("Move {} to protocol: {}", self.method.label(), self.input);
        if !self.offered.is_empty() {
            line.push_str(&format!("   (Tab: {})", self.offered.join(", ")));
        }
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prompt(input: &str) -> ProtocolPrompt {
        ProtocolPrompt {
            method: MovedMethod {
                class: "Foo".into(),
                meta: true,
                selector: "bar".into(),
                source: "bar ^1".into(),
                protocol: "accessing".into(),
            },
            input: input.into(),
            offered: vec!["adding".into(), "printing".into(), "private".into()],
        }
    }

    #[test]
    fn tab_completes_to_the_first_protocol_starting_with_the_input() {
        assert_eq!(prompt("pr").completion(), Some("printing"));
        assert_eq!(prompt("pri").completion(), Some("printing"));
        assert_eq!(prompt("priv").completion(), Some("private"));
        assert_eq!(prompt("private").completion(), None);
        assert_eq!(prompt("x").completion(), None);
    }

    #[test]
    fn the_line_names_the_method_and_offers_the_protocols() {
        assert_eq!(
            prompt("pr").line(),
            "Move Foo class>>bar to protocol: pr   (Tab: adding, printing, private)"
        );
    }
}
