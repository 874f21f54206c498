//! The snippets evaluated against one server, oldest first, and the two
//! ways back to them: stepping (Alt+Up / Alt+Down) and searching (Ctrl+R).

/// How many snippets are kept; the oldest go first.
pub const HISTORY_CAP: usize = 1_000;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    /// Oldest first, no two equal.
    pub snippets: Vec<String>,
    /// The snippet stepping shows now; `None` while the user's own text is shown.
    recalled: Option<usize>,
    /// The text the workspace held before stepping began, given back past the newest.
    draft: String,
}

/// Ctrl+R's state: what is typed and the snippet it found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistorySearch {
    pub query: String,
    /// Index into `History::snippets`.
    pub found: Option<usize>,
}

impl History {
    pub fn new(snippets: Vec<String>) -> Self {
        let mut history = Self::default();
        for snippet in snippets {
            history.push(snippet);
        }
        history
    }

    /// Record an evaluated snippet: an equal one moves to the newest place.
    pub fn push(&mut self, snippet: String) {
        self.snippets.retain(|old| *old != snippet);
        self.snippets.push(snippet);
        let excess = self.snippets.len().saturating_sub(HISTORY_CAP);
        self.snippets.drain(..excess);
        self.recalled = None;
    }

    /// The snippet before the one shown (the newest at first), keeping
    /// `current` as the draft when stepping begins.
    pub fn older(&mut self, current: &str) -> Option<&str> {
        let index = match self.recalled {
            None if self.snippets.is_empty() => return None,
            None => {
                self.draft = current.to_string();
                self.snippets.len() - 1
            }
            Some(index) => index.checked_sub(1)?,
        };
        self.recalled = Some(index);
        Some(&self.snippets[index])
    }

    /// The snippet after the one shown, or the draft past the newest.
    pub fn newer(&mut self) -> Option<&str> {
        let index = self.recalled?;
        if index + 1 < self.snippets.len() {
            self.recalled = Some(index + 1);
            return Some(&self.snippets[index + 1]);
        }
        self.recalled = None;
        Some(&self.draft)
    }

    /// Stop stepping: the draft belongs to a workspace no longer shown.
    pub fn end_recall(&mut self) {
        self.recalled = None;
    }

    /// The newest snippet older than `before` (all when `None`) containing `query`.
    pub fn find(&self, query: &str, before: Option<usize>) -> Option<usize> {
        let end = before.unwrap_or(self.snippets.len());
        self.snippets[..end.min(self.snippets.len())]
            .iter()
            .rposition(|snippet| snippet.contains(query))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn history(snippets: &[&str]) -> History {
        History::new(snippets.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn an_equal_snippet_moves_to_the_newest_place_and_the_cap_drops_the_oldest() {
        let mut h = history(&["a", "b", "c"]);
        h.push("a".into());
        assert_eq!(h.snippets, ["b", "c", "a"]);
        for n in 0..HISTORY_CAP {
            h.push(n.to_string());
        }
        assert_eq!(h.snippets.len(), HISTORY_CAP);
        assert_eq!(h.snippets[0], "0");
    }

    #[test]
    fn stepping_goes_back_and_returns_to_the_draft() {
        let mut h = history(&["a", "b"]);
        assert_eq!(h.newer(), None);
        assert_eq!(h.older("draft"), Some("b"));
        assert_eq!(h.older("b"), Some("a"));
        assert_eq!(h.older("a"), None);
        assert_eq!(h.newer(), Some("b"));
        assert_eq!(h.newer(), Some("draft"));
        assert_eq!(h.newer(), None);
    }

    #[test]
    fn find_looks_older_than_the_last_match() {
        let h = history(&["x foo", "bar", "foo y"]);
        assert_eq!(h.find("foo", None), Some(2));
        assert_eq!(h.find("foo", Some(2)), Some(0));
        assert_eq!(h.find("foo", Some(0)), None);
    }
}
