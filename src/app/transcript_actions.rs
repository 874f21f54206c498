//! What the transcript gives back: an entry's code into the workspace, and
//! the whole transcript to a file (written by the runtime).

use super::update::Effect;
use crate::ui::transcript_view::entry_text;
use crate::ui::{Focus, Model, TranscriptEntry};

/// Put the code of the input entry at or above the search match (else the
/// newest input) into the workspace on lines of its own, selected (Ctrl+E
/// runs it again), and focus it.
pub fn copy_to_workspace(model: &mut Model) {
    let from = model
        .view
        .search
        .as_ref()
        .and_then(|search| search.current)
        .unwrap_or(model.transcript.len().saturating_sub(1));
    let code = model
        .transcript
        .iter()
        .take(from + 1)
        .rev()
        .find_map(|entry| match entry {
            TranscriptEntry::Input { code } => Some(code.clone()),
            _ => None,
        });
    match code {
        Some(code) => {
            model.view.editor.insert_on_own_line(&code);
            model.focus = Focus::Workspace;
            model.status.say("Copied into the workspace.");
        }
        None => model
            .transcript
            .push(TranscriptEntry::Notice("No evaluated code to copy.".into())),
    }
}

/// The transcript as text, for the runtime to write to a file.
pub fn save_transcript(model: &Model) -> Vec<Effect> {
    let mut text: String = model
        .transcript
        .iter()
        .map(entry_text)
        .collect::<Vec<_>>()
        .join("\n");
    text.push('\n');
    vec![Effect::SaveTranscript(text)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::update;
    use crate::ui::editor::Editor;
    use crate::ui::{Msg, SearchStep};

    fn model() -> Model {
        let mut model = Model::new("a", "s");
        model.focus = Focus::Transcript;
        model.transcript = vec![
            TranscriptEntry::Input {
                code: "3 + 4".into(),
            },
            TranscriptEntry::Output("7".into()),
            TranscriptEntry::Input {
                code: "Object new".into(),
            },
            TranscriptEntry::Output("an Object".into()),
        ];
        model
    }

    #[test]
    fn the_newest_code_goes_into_the_workspace() {
        let mut model = model();
        update(&mut model, Msg::CopyToWorkspace);
        assert_eq!(model.view.editor.text(), "Object new");
        assert_eq!(model.focus, Focus::Workspace);
        assert_eq!(model.status.message(), Some("Copied into the workspace."));
    }

    #[test]
    fn the_code_goes_on_a_line_of_its_own_selected() {
        let mut model = model();
        model.view.editor = Editor::new("x := 1.\ny");
        model.view.editor.place_cursor((0, 2));
        update(&mut model, Msg::CopyToWorkspace);
        assert_eq!(model.view.editor.text(), "x := 1.\nObject new\ny");
        let evaluand = model.view.editor.code_to_evaluate().unwrap();
        assert_eq!(evaluand.code, "Object new");
    }

    #[test]
    fn with_a_search_the_code_at_or_above_the_match_goes() {
        let mut model = model();
        update(&mut model, Msg::SearchTranscript(SearchStep::Open));
        update(&mut model, Msg::SearchTranscript(SearchStep::Type('7')));
        update(&mut model, Msg::CopyToWorkspace);
        assert_eq!(model.view.editor.text(), "3 + 4");
    }

    #[test]
    fn saving_hands_the_text_to_the_runtime() {
        let mut model = model();
        let effects = update(&mut model, Msg::SaveTranscript);
        let expected = "> 3 + 4\n7\n> Object new\nan Object\n";
        assert_eq!(effects, [Effect::SaveTranscript(expected.into())]);
    }
}
