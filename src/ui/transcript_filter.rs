//! Which transcript entries are shown: all, errors only (with the code
//! that raised each), or the image's Transcript output only. `f` cycles.

use super::model::TranscriptEntry;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TranscriptFilter {
    #[default]
    All,
    Errors,
    Output,
}

impl TranscriptFilter {
    /// The next one `f` gives.
    pub fn next(self) -> Self {
        match self {
            Self::All => Self::Errors,
            Self::Errors => Self::Output,
            Self::Output => Self::All,
        }
    }

    /// What the pane's title says; nothing when every entry is shown.
    pub fn label(self) -> Option<&'static str> {
        match self {
            Self::All => None,
            Self::Errors => Some("errors only"),
            Self::Output => Some("output only"),
        }
    }

    /// Whether entry `index` is shown.
    pub fn shows(self, entries: &[TranscriptEntry], index: usize) -> bool {
        match (self, &entries[index]) {
            (Self::All, _) => true,
            (Self::Errors, TranscriptEntry::Error(_)) => true,
            (Self::Errors, TranscriptEntry::Input { .. }) => raised_an_error(entries, index),
            (Self::Output, TranscriptEntry::Output(_)) => true,
            _ => false,
        }
    }
}

/// Whether the result under the code at `index` (after any output) is an error.
fn raised_an_error(entries: &[TranscriptEntry], index: usize) -> bool {
    let result = entries[index + 1..]
        .iter()
        .find(|entry| !matches!(entry, TranscriptEntry::Output(_)));
    matches!(result, Some(TranscriptEntry::Error(_)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{ErrorCode, ErrorObject};

    fn entries() -> Vec<TranscriptEntry> {
        let input = |code: &str| TranscriptEntry::Input { code: code.into() };
        vec![
            input("3 + 4"),
            TranscriptEntry::Output("out".into()),
            TranscriptEntry::Notice("n".into()),
            input("1/0"),
            TranscriptEntry::Output("before".into()),
            TranscriptEntry::Error(ErrorObject::new(ErrorCode::EvaluationError, "ZeroDivide")),
        ]
    }

    fn shown(filter: TranscriptFilter) -> Vec<usize> {
        let all = entries();
        (0..all.len()).filter(|&i| filter.shows(&all, i)).collect()
    }

    #[test]
    fn f_cycles_the_filter_search_finds_only_what_shows_and_x_toggles_stacks() {
        use crate::app::update;
        use crate::ui::{Model, Msg, SearchStep};
        let mut model = Model::new("a", "s");
        model.transcript = entries();
        update(&mut model, Msg::SearchTranscript(SearchStep::Open));
        update(&mut model, Msg::FilterTranscript);
        assert_eq!(model.view.transcript.filter, TranscriptFilter::Errors);
        assert_eq!(model.view.search, None, "its match may be hidden");
        update(&mut model, Msg::SearchTranscript(SearchStep::Open));
        for c in "before".chars() {
            update(&mut model, Msg::SearchTranscript(SearchStep::Type(c)));
        }
        let search = model.view.search.clone().unwrap();
        // The output that says it is hidden.
        assert_eq!((search.matches, search.current), (0, None));
        assert!(!model.view.transcript.full_stacks);
        update(&mut model, Msg::ToggleStacks);
        assert!(model.view.transcript.full_stacks);
        update(&mut model, Msg::ToggleStacks);
        assert!(!model.view.transcript.full_stacks);
    }

    #[test]
    fn each_filter_shows_its_entries() {
        assert_eq!(shown(TranscriptFilter::All), [0, 1, 2, 3, 4, 5]);
        assert_eq!(shown(TranscriptFilter::Errors), [3, 5]);
        assert_eq!(shown(TranscriptFilter::Output), [1, 4]);
        let mut filter = TranscriptFilter::All;
        let labels: Vec<_> = (0..3)
            .map(|_| {
                filter = filter.next();
                filter.label()
            })
            .collect();
        assert_eq!(labels, [Some("errors only"), Some("output only"), None]);
    }
}
