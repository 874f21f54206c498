//! How the browser's columns derive from the class list and the class
//! described: categories grouped from the list, a class's hierarchy, the
//! protocols of the side shown, and each column's rows and selection.

use std::collections::HashMap;

use super::browser::{BrowserState, Column, protocol_name};
use crate::protocol::ClassSummary;

/// The first row of the categories column: every class.
pub const ALL_CATEGORIES: &str = "all";
/// The first row of the protocols column: every method of the side.
pub const ALL_PROTOCOLS: &str = "-- all --";
/// The category of the classes the server gave none.
pub const NO_CATEGORY: &str = "(no category)";

/// A class's category as the categories column names it.
fn category_name(class: &ClassSummary) -> &str {
    class.category.as_deref().unwrap_or(NO_CATEGORY)
}

impl BrowserState {
    /// The server's list: every class sorted by name, their categories.
    pub fn set_class_list(&mut self, mut list: Vec<ClassSummary>) {
        list.sort_by(|a, b| a.name.cmp(&b.name));
        let mut categories: Vec<String> = list
            .iter()
            .map(|class| category_name(class).to_string())
            .collect();
        categories.sort();
        categories.dedup();
        self.all = list;
        self.categories = categories;
    }

    /// The category selected; `None` for "all".
    pub fn category(&self) -> Option<&str> {
        let at = self.category_selected.checked_sub(1)?;
        self.categories.get(at).map(String::as_str)
    }

    /// The category of the class named `name`, if listed.
    pub fn category_of(&self, name: &str) -> Option<&str> {
        let at = self
            .all
            .binary_search_by(|c| c.name.as_str().cmp(name))
            .ok()?;
        Some(category_name(&self.all[at]))
    }

    /// The row of `category` in the categories column (0, "all", if unknown).
    pub fn category_row(&self, category: Option<&str>) -> usize {
        category
            .and_then(|name| self.categories.iter().position(|c| c == name))
            .map_or(0, |at| at + 1)
    }

    /// The names of the classes in `category` (`None`: every class).
    pub fn classes_in(&self, category: Option<&str>) -> Vec<String> {
        self.all
            .iter()
            .filter(|class| category.is_none_or(|name| category_name(class) == name))
            .map(|class| class.name.clone())
            .collect()
    }

    /// Show the selected category's classes, `keep` selected if among them.
    pub fn show_category(&mut self, keep: Option<&str>) {
        self.hierarchy = None;
        self.classes = self.classes_in(self.category());
        self.class_selected = keep
            .and_then(|name| self.classes.iter().position(|c| c == name))
            .unwrap_or(0);
    }

    /// `name`'s hierarchy: its superclasses from the root down, itself, then
    /// its subclasses under it (theirs under them), each with its depth.
    pub fn hierarchy_of(&self, name: &str) -> Vec<(String, usize)> {
        let superclass: HashMap<&str, &str> = self
            .all
            .iter()
            .filter_map(|c| Some((c.name.as_str(), c.superclass.as_deref()?)))
            .collect();
        let mut chain = vec![name];
        while let Some(&up) = superclass.get(chain[chain.len() - 1]) {
            if chain.contains(&up) {
                break;
            }
            chain.push(up);
        }
        chain.reverse();
        let mut subclasses: HashMap<&str, Vec<&str>> = HashMap::new();
        for (&class, &up) in &superclass {
            subclasses.entry(up).or_default().push(class);
        }
        let depth = chain.len() - 1;
        let mut rows: Vec<(String, usize)> = chain
            .iter()
            .enumerate()
            .map(|(at, class)| (class.to_string(), at))
            .collect();
        // Depth first, each level sorted, as the class list is.
        let mut stack = vec![(name, depth)];
        while let Some((class, depth)) = stack.pop() {
            let mut under = subclasses.get(class).cloned().unwrap_or_default();
            under.sort_unstable_by(|a, b| b.cmp(a));
            for sub in under {
                stack.push((sub, depth + 1));
            }
            if class != name {
                rows.push((class.to_string(), depth));
            }
        }
        rows
    }

    /// The protocols of the side shown, sorted, each once.
    pub fn protocols(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.side_methods().iter().map(protocol_name).collect();
        names.sort_unstable();
        names.dedup();
        names
    }

    /// The protocol selected; `None` for "-- all --".
    pub fn protocol(&self) -> Option<&str> {
        let at = self.protocol_selected.checked_sub(1)?;
        self.protocols().get(at).copied()
    }

    /// The rows of `column` as they read (the hierarchy without its indent).
    pub fn rows(&self, column: Column) -> Vec<&str> {
        match column {
            Column::Categories => std::iter::once(ALL_CATEGORIES)
                .chain(self.categories.iter().map(String::as_str))
                .collect(),
            Column::Classes => self.classes.iter().map(String::as_str).collect(),
            Column::Protocols if self.class.is_none() => vec![],
            Column::Protocols => std::iter::once(ALL_PROTOCOLS)
                .chain(self.protocols())
                .collect(),
            Column::Methods => self
                .methods()
                .into_iter()
                .map(|m| m.selector.as_str())
                .collect(),
        }
    }

    /// The selected row of `column`.
    pub fn selected_mut(&mut self, column: Column) -> &mut usize {
        match column {
            Column::Categories => &mut self.category_selected,
            Column::Classes => &mut self.class_selected,
            Column::Protocols => &mut self.protocol_selected,
            Column::Methods => &mut self.method_selected,
        }
    }
}

impl Column {
    /// The column on the left, if any.
    pub fn left(self) -> Option<Self> {
        match self {
            Self::Categories => None,
            Self::Classes => Some(Self::Categories),
            Self::Protocols => Some(Self::Classes),
            Self::Methods => Some(Self::Protocols),
        }
    }

    /// The column on the right, if any.
    pub fn right(self) -> Option<Self> {
        match self {
            Self::Categories => Some(Self::Classes),
            Self::Classes => Some(Self::Protocols),
            Self::Protocols => Some(Self::Methods),
            Self::Methods => None,
        }
    }
}
