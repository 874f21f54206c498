//! Removing in the class browser, as Pharo's System Browser does: the
//! selected method, or the selected class (not one with subclasses), after
//! a y/n question below the columns. The server removes it through
//! `evaluate` (`Foo removeSelector: #bar`, `Foo removeFromSystem`), which
//! its changes log records as any other code change.

/// A message of the browser's removal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemoveMsg {
    /// Delete: ask whether to remove the selected method (or class).
    Ask,
    /// The answer to the question: y removes, n (or Esc) keeps.
    Answer(bool),
}

/// What the question asks to remove.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Removal {
    Method {
        class: String,
        meta: bool,
        selector: String,
        protocol: Option<String>,
        /// The source, said in the transcript once removed (to recover it).
        source: String,
        /// The method to select afterwards: the next one, else the one before.
        neighbour: Option<String>,
    },
    Class {
        name: String,
        /// Its methods, both sides.
        methods: usize,
        /// Its definition, said in the transcript once removed.
        definition: String,
        /// The class to select afterwards: the next one, else the one before.
        neighbour: Option<String>,
    },
}

impl Removal {
    /// `Foo>>bar`, `Foo class>>bar`, or `Foo`.
    pub fn label(&self) -> String {
        match self {
            Self::Method {
                class,
                meta,
                selector,
                ..
            } => super::browser::method_label(class, *meta, selector),
            Self::Class { name, .. } => name.clone(),
        }
    }

    /// The question the browser asks.
    pub fn question(&self) -> String {
        match self {
            Self::Method { .. } => format!("Remove the method {}? (y/n)", self.label()),
            Self::Class { name, methods, .. } => {
                let plural = if *methods == 1 { "" } else { "s" };
                format!("Remove the class {name}, no subclasses, {methods} method{plural}? (y/n)")
            }
        }
    }

    /// The code the server evaluates to remove it.
    pub fn code(&self) -> String {
        match self {
            Self::Method {
                class,
                meta,
                selector,
                ..
            } => format!(
                "{} removeSelector: {}",
                super::browser::side_name(class, *meta),
                symbol_literal(selector)
            ),
            Self::Class { name, .. } => format!("{name} removeFromSystem"),
        }
    }
}

/// `#bar`, `#at:put:`, `#+`; `#'…'` for what is not a plain selector.
fn symbol_literal(selector: &str) -> String {
    let plain = selector
        .chars()
        .all(|c| c.is_alphanumeric() || c == '_' || c == ':')
        || selector.chars().all(|c| "+-*/\\<>=~@%|&?,".contains(c));
    if plain && !selector.is_empty() {
        format!("#{selector}")
    } else {
        format!("#'{}'", selector.replace('\'', "''"))
    }
}

/// The neighbour of the row `at` of `rows` once it is gone: the next row,
/// else the one before.
pub fn neighbour(rows: &[&str], at: usize) -> Option<String> {
    rows.get(at + 1)
        .or_else(|| at.checked_sub(1).and_then(|before| rows.get(before)))
        .map(|row| row.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn method(selector: &str, meta: bool) -> Removal {
        Removal::Method {
            class: "Foo".into(),
            meta,
            selector: selector.into(),
            protocol: None,
            source: String::new(),
            neighbour: None,
        }
    }

    #[test]
    fn the_code_removes_the_selector_on_the_side_shown() {
        assert_eq!(method("bar", false).code(), "Foo removeSelector: #bar");
        assert_eq!(
            method("at:put:", true).code(),
            "Foo class removeSelector: #at:put:"
        );
        assert_eq!(method("+", false).code(), "Foo removeSelector: #+");
        let class = Removal::Class {
            name: "Foo".into(),
            methods: 2,
            definition: String::new(),
            neighbour: None,
        };
        assert_eq!(class.code(), "Foo removeFromSystem");
    }

    #[test]
    fn the_question_names_what_goes() {
        assert_eq!(
            method("bar", true).question(),
            "Remove the method Foo class>>bar? (y/n)"
        );
        let class = |methods| Removal::Class {
            name: "Foo".into(),
            methods,
            definition: String::new(),
            neighbour: None,
        };
        assert_eq!(
            class(1).question(),
            "Remove the class Foo, no subclasses, 1 method? (y/n)"
        );
        assert!(class(0).question().contains("0 methods"));
    }

    #[test]
    fn the_neighbour_is_the_next_row_else_the_one_before() {
        let rows = ["a", "b", "c"];
        assert_eq!(neighbour(&rows, 1).as_deref(), Some("c"));
        assert_eq!(neighbour(&rows, 2).as_deref(), Some("b"));
        assert_eq!(neighbour(&["a"], 0), None);
    }
}
