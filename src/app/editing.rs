//! The editor's commands from the keymap (in the workspace and the class
//! browser's source pane): undo and redo, select all, indent and dedent,
//! and the clipboard.

use super::update::Effect;
use crate::ui::editor::Editor;
use crate::ui::{EditCommand, Model};

pub(super) fn edit_command(model: &mut Model, command: EditCommand) -> Vec<Effect> {
    apply(&mut model.view.editor, command, model.system_clipboard)
}

/// Carry out `command` on `editor`; what it copies goes to the system
/// clipboard too when `system_clipboard`.
pub(super) fn apply(
    editor: &mut Editor,
    command: EditCommand,
    system_clipboard: bool,
) -> Vec<Effect> {
    let copied = match command {
        EditCommand::Undo => {
            editor.undo();
            None
        }
        EditCommand::Redo => {
            editor.redo();
            None
        }
        EditCommand::SelectAll => {
            editor.select_all();
            None
        }
        EditCommand::Dedent => {
            editor.dedent();
            None
        }
        EditCommand::Paste => {
            editor.paste_copied();
            None
        }
        EditCommand::Copy => editor.copy(),
        EditCommand::Cut => editor.cut(),
    };
    // The terminal puts it on the system clipboard (OSC 52), where it allows.
    match copied {
        Some(text) if system_clipboard => vec![Effect::SetClipboard(text)],
        _ => vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::update;
    use crate::ui::Msg;

    fn command(model: &mut Model, command: EditCommand) -> Vec<Effect> {
        update(model, Msg::EditCommand(command))
    }

    fn text(model: &Model) -> String {
        model.view.editor.text()
    }

    #[test]
    fn copy_and_cut_put_the_selection_on_the_system_clipboard() {
        let mut model = Model::new("a", "s").with_workspace("x := 1.\ny := 2.");
        assert!(
            command(&mut model, EditCommand::Copy).is_empty(),
            "nothing selected"
        );
        command(&mut model, EditCommand::SelectAll);
        let copied = || vec![Effect::SetClipboard("x := 1.\ny := 2.".into())];
        assert_eq!(command(&mut model, EditCommand::Copy), copied());
        assert_eq!(command(&mut model, EditCommand::Cut), copied());
        assert_eq!(text(&model), "");
        assert!(command(&mut model, EditCommand::Paste).is_empty());
        command(&mut model, EditCommand::Paste);
        assert_eq!(text(&model), "x := 1.\ny := 2.x := 1.\ny := 2.");
        model.system_clipboard = false;
        command(&mut model, EditCommand::SelectAll);
        assert!(
            command(&mut model, EditCommand::Copy).is_empty(),
            "turned off"
        );
    }

    #[test]
    fn undo_redo_and_dedent_change_the_workspace() {
        let mut model = Model::new("a", "s").with_workspace("    x");
        command(&mut model, EditCommand::Dedent);
        assert_eq!(text(&model), "x");
        command(&mut model, EditCommand::Undo);
        assert_eq!(text(&model), "    x");
        command(&mut model, EditCommand::Redo);
        assert_eq!(text(&model), "x");
    }
}
