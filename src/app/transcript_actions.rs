//! What the transcript gives back: an entry's code into the workspace, an
//! entry's text to the system clipboard, and the whole transcript to a file
//! (written by the runtime).

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

/// What came of saving the transcript, in the transcript and the status bar.
pub fn saved(model: &mut Model, notice: String) {
    model.status.say(notice.clone());
    model.transcript.push(TranscriptEntry::Notice(notice));
}

/// The entry the transcript's search matched, else the newest: what the
/// transcript's commands act on.
pub(super) fn transcript_anchor(model: &Model) -> usize {
    let matched = model.view.search.as_ref().and_then(|search| search.current);
    matched.unwrap_or(model.transcript.len().saturating_sub(1))
}

/// The text of the entry the search matched (else the newest), for the
/// terminal to put on the system clipboard (OSC 52): a terminal selection
/// would pick up the panes' borders too.
pub fn copy_entry(model: &mut Model) -> Vec<Effect> {
    let entry = model.transcript.get(transcript_anchor(model));
    let Some(text) = entry.map(clipboard_text) else {
        model.status.say("Nothing to copy.");
        return vec![];
    };
    if !model.system_clipboard {
        model
            .status
            .say("The system clipboard is off (ui.system_clipboard).");
        return vec![];
    }
    model.status.say("Copied to the clipboard.");
    vec![Effect::SetClipboard(text)]
}

/// What of an entry is worth pasting elsewhere: a value's print without its
/// class and time, code without the prompt.
fn clipboard_text(entry: &TranscriptEntry) -> String {
    match entry {
        TranscriptEntry::Input { code } => code.clone(),
        TranscriptEntry::Value { print, .. } => print.clone(),
        TranscriptEntry::Output(text) | TranscriptEntry::Notice(text) => text.clone(),
        TranscriptEntry::Error(_) | TranscriptEntry::Dropped { .. } => entry_text(entry),
    }
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
    fn what_came_of_saving_shows_in_the_transcript_and_the_status_bar() {
        let mut model = model();
        let effects = update(
            &mut model,
            Msg::TranscriptSaved("Saved the transcript to t.txt.".into()),
        );
        assert!(effects.is_empty());
        assert_eq!(
            model.transcript.last(),
            Some(&TranscriptEntry::Notice(
                "Saved the transcript to t.txt.".into()
            ))
        );
        assert_eq!(
            model.status.message(),
            Some("Saved the transcript to t.txt.")
        );
    }

    #[test]
    fn c_puts_the_newest_entry_or_the_match_on_the_system_clipboard() {
        let mut model = model();
        let copied = |text: &str| vec![Effect::SetClipboard(text.into())];
        assert_eq!(update(&mut model, Msg::CopyEntry), copied("an Object"));
        assert_eq!(model.status.message(), Some("Copied to the clipboard."));
        update(&mut model, Msg::SearchTranscript(SearchStep::Open));
        update(&mut model, Msg::SearchTranscript(SearchStep::Type('+')));
        // The code, without the transcript's `> ` prompt.
        assert_eq!(update(&mut model, Msg::CopyEntry), copied("3 + 4"));
    }

    #[test]
    fn a_value_is_copied_without_its_class_and_time() {
        let mut model = model();
        model.transcript.push(TranscriptEntry::Value {
            print: "42".into(),
            class: "SmallInteger".into(),
            truncated: false,
            duration_us: 120,
            handle: None,
        });
        let effects = update(&mut model, Msg::CopyEntry);
        assert_eq!(effects, [Effect::SetClipboard("42".into())]);
    }

    #[test]
    fn nothing_is_copied_with_the_system_clipboard_off_or_an_empty_transcript() {
        let mut model = model();
        model.system_clipboard = false;
        assert!(update(&mut model, Msg::CopyEntry).is_empty());
        assert_eq!(
            model.status.message(),
            Some("The system clipboard is off (ui.system_clipboard).")
        );
        model.system_clipboard = true;
        model.transcript.clear();
        assert!(update(&mut model, Msg::CopyEntry).is_empty());
        assert_eq!(model.status.message(), Some("Nothing to copy."));
    }

    #[test]
    fn saving_hands_the_text_to_the_runtime() {
        let mut model = model();
        let effects = update(&mut model, Msg::SaveTranscript);
        let expected = "> 3 + 4\n7\n> Object new\nan Object\n";
        assert_eq!(effects, [Effect::SaveTranscript(expected.into())]);
    }
}
