//! Search in the transcript: `/` opens a prompt, each key re-runs the
//! query and shows the newest matching entry; `n` / `N` step through the
//! matches, older and newer.

use super::model::{Model, TranscriptEntry};
use super::msg::SearchStep;
use super::transcript_view::entry_text;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TranscriptSearch {
    pub query: String,
    /// Keys go to the prompt (until Enter or Esc).
    pub editing: bool,
    /// The entry of the match shown, if any matches.
    pub current: Option<usize>,
    /// How many entries match.
    pub matches: usize,
}

pub fn search(model: &mut Model, step: SearchStep) {
    if step == SearchStep::Close {
        model.view.search = None;
        return;
    }
    let mut search = model.view.search.take().unwrap_or_default();
    match step {
        SearchStep::Open => search.editing = true,
        SearchStep::Type(c) => search.query.push(c),
        SearchStep::Backspace => {
            search.query.pop();
        }
        SearchStep::Submit => search.editing = false,
        SearchStep::Next | SearchStep::Previous | SearchStep::Close => {}
    }
    let filter = model.view.transcript.filter;
    let found = matching(&model.transcript, &search.query);
    // Only what the filter shows can be found.
    let found: Vec<usize> = found
        .into_iter()
        .filter(|&index| filter.shows(&model.transcript, index))
        .collect();
    search.matches = found.len();
    search.current = match step {
        SearchStep::Next => search
            .current
            .and_then(|at| found.iter().rev().find(|&&n| n < at).copied())
            .or(search.current),
        SearchStep::Previous => search
            .current
            .and_then(|at| found.iter().find(|&&n| n > at).copied())
            .or(search.current),
        _ => found.last().copied(),
    };
    if let Some(entry) = search.current {
        model.view.transcript.show_entry(&model.transcript, entry);
    }
    model.view.search = Some(search);
}

/// The entries whose text contains `query`, ignoring case; none for an
/// empty query.
fn matching(entries: &[TranscriptEntry], query: &str) -> Vec<usize> {
    if query.is_empty() {
        return Vec::new();
    }
    let query = query.to_lowercase();
    entries
        .iter()
        .enumerate()
        .filter(|(_, entry)| entry_text(entry).to_lowercase().contains(&query))
        .map(|(index, _)| index)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> Model {
        let mut model = Model::new("a", "s");
        model.transcript = ["3 + 4", "7", "Object new", "an Object", "3 factorial"]
            .map(|text| TranscriptEntry::Output(text.into()))
            .to_vec();
        model
    }

    fn typed(model: &mut Model, text: &str) {
        search(model, SearchStep::Open);
        for c in text.chars() {
            search(model, SearchStep::Type(c));
        }
    }

    #[test]
    fn typing_finds_the_newest_match_and_n_steps_older() {
        let mut model = model();
        typed(&mut model, "OBJ");
        let found = model.view.search.clone().unwrap();
        assert_eq!((found.current, found.matches), (Some(3), 2));
        search(&mut model, SearchStep::Submit);
        assert!(!model.view.search.as_ref().unwrap().editing);
        search(&mut model, SearchStep::Next);
        assert_eq!(model.view.search.as_ref().unwrap().current, Some(2));
        // No older match: it stays.
        search(&mut model, SearchStep::Next);
        assert_eq!(model.view.search.as_ref().unwrap().current, Some(2));
        search(&mut model, SearchStep::Previous);
        assert_eq!(model.view.search.as_ref().unwrap().current, Some(3));
        search(&mut model, SearchStep::Close);
        assert_eq!(model.view.search, None);
    }

    #[test]
    fn backspace_widens_the_query_and_no_match_shows_none() {
        let mut model = model();
        typed(&mut model, "3x");
        assert_eq!(model.view.search.as_ref().unwrap().matches, 0);
        search(&mut model, SearchStep::Backspace);
        let found = model.view.search.clone().unwrap();
        assert_eq!((found.current, found.matches), (Some(4), 2));
    }
}
