//! The mouse, and the view of the workspace: a click focuses the pane under
//! it (and in the workspace places the cursor, a drag selects), the wheel
//! scrolls the pane under it; Alt+L shows or hides line numbers. Positions
//! are read against the areas the panes were drawn in last.

use ratatui_textarea::CursorMove;
use tuirealm::event::{MouseButton, MouseEvent, MouseEventKind};
use tuirealm::ratatui::layout::{Position, Rect};

use crate::ui::{Focus, Model, Scroll};

/// Lines one notch of the wheel scrolls.
const WHEEL_LINES: i16 = 3;

pub fn toggle_line_numbers(model: &mut Model) {
    model.view.line_numbers = !model.view.line_numbers;
}

/// What the mouse did; the effects are the tool's (a page of elements to ask for).
pub fn mouse(model: &mut Model, event: MouseEvent) -> Vec<super::update::Effect> {
    let at = Position::new(event.column, event.row);
    let pane = if model.view.workspace_pane.contains(at) {
        Focus::Workspace
    } else if model.view.transcript_pane.contains(at) {
        // The lower pane: the tool in it, while it is shown there.
        if model.shows_tool() {
            return tool_mouse(model, event.kind, at);
        }
        Focus::Transcript
    } else {
        return vec![];
    };
    match (event.kind, pane) {
        (MouseEventKind::ScrollUp | MouseEventKind::ScrollDown, Focus::Workspace) => {
            let rows = if event.kind == MouseEventKind::ScrollUp {
                -WHEEL_LINES
            } else {
                WHEEL_LINES
            };
            model.view.editor.area.scroll((rows, 0));
        }
        (MouseEventKind::ScrollUp | MouseEventKind::ScrollDown, Focus::Transcript) => {
            let step = if event.kind == MouseEventKind::ScrollUp {
                Scroll::Up
            } else {
                Scroll::Down
            };
            for _ in 0..WHEEL_LINES {
                model.view.transcript.scroll(&model.transcript, step);
            }
        }
        (MouseEventKind::Down(MouseButton::Left), pane) => {
            model.focus = pane.clone();
            if pane == Focus::Workspace {
                place_cursor(model, at, false);
            }
        }
        (MouseEventKind::Drag(MouseButton::Left), Focus::Workspace)
            if model.focus == Focus::Workspace =>
        {
            place_cursor(model, at, true);
        }
        _ => {}
    }
    vec![]
}

/// A click focuses the tool in the lower pane; the wheel moves its selection.
fn tool_mouse(model: &mut Model, kind: MouseEventKind, at: Position) -> Vec<super::update::Effect> {
    let step = match kind {
        MouseEventKind::Down(MouseButton::Left) => {
            model.focus = Focus::Tool;
            return vec![];
        }
        MouseEventKind::ScrollUp => Scroll::Up,
        MouseEventKind::ScrollDown => Scroll::Down,
        _ => return vec![],
    };
    // A notch a frame (each asks for its variables).
    if matches!(model.tool, Some(crate::ui::inspector::Tool::Debugger(_))) {
        let step = crate::ui::debugger::DebuggerMsg::Move(step);
        return super::debugger::update(model, step);
    }
    // Whichever tool is open takes it; the others ignore it. The browser
    // scrolls its source or moves its selection, as the place says.
    let browser = crate::ui::browser::BrowserMsg::Wheel(step, at);
    let mut effects = super::browser::update(model, browser);
    let list = crate::ui::messages::MessagesMsg::Move(step);
    let step = crate::ui::inspector::InspectorMsg::Move(step);
    for _ in 0..WHEEL_LINES {
        effects.extend(super::inspector::update(model, step));
        effects.extend(super::messages::update(model, list));
    }
    effects
}

/// Move the workspace cursor to the text drawn at `at` (clamped to the
/// text), extending the selection when `selecting`, else dropping it.
fn place_cursor(model: &mut Model, at: Position, selecting: bool) {
    let text: Rect = model.view.workspace_text;
    if text.width == 0 || text.height == 0 {
        return;
    }
    let editor = &mut model.view.editor.area;
    let (top, left) = editor.scroll_offset();
    let row = usize::from(top) + usize::from(at.y.saturating_sub(text.y).min(text.height - 1));
    let column = usize::from(left) + usize::from(at.x.saturating_sub(text.x));
    let target = editor.screen_to_data(row, column);
    if !selecting {
        editor.cancel_selection();
    } else if editor.selection_range().is_none() {
        editor.start_selection();
    }
    let clamp = |n: usize| u16::try_from(n).unwrap_or(u16::MAX);
    editor.move_cursor(CursorMove::Jump(clamp(target.0), clamp(target.1)));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::{Msg, update};
    use crate::ui::TranscriptEntry;
    use tuirealm::event::KeyModifiers;

    fn event(kind: MouseEventKind, column: u16, row: u16) -> Msg {
        Msg::Mouse(MouseEvent {
            kind,
            modifiers: KeyModifiers::NONE,
            column,
            row,
        })
    }

    /// A workspace pane at rows 0..10 (text inside its border) over a
    /// transcript at rows 10..20, as if just drawn 40 columns wide.
    fn drawn_model(text: &str) -> Model {
        let mut model = Model::new("a", "s").with_workspace(text);
        model.view.workspace_pane = Rect::new(0, 0, 40, 10);
        model.view.workspace_text = Rect::new(1, 1, 38, 8);
        model.view.transcript_pane = Rect::new(0, 10, 40, 10);
        model
    }

    #[test]
    fn a_click_focuses_the_pane_and_places_the_cursor_in_the_text() {
        let mut model = drawn_model("first line\nsecond\nthird");
        model.focus = Focus::Transcript;
        update(
            &mut model,
            event(MouseEventKind::Down(MouseButton::Left), 4, 2),
        );
        assert_eq!(model.focus, Focus::Workspace);
        assert_eq!(model.view.editor.area.cursor(), (1, 3));
        // Right of a line's end: at its end; below the text: on its last line.
        update(
            &mut model,
            event(MouseEventKind::Down(MouseButton::Left), 30, 1),
        );
        assert_eq!(model.view.editor.area.cursor(), (0, 10));
        update(
            &mut model,
            event(MouseEventKind::Down(MouseButton::Left), 2, 8),
        );
        assert_eq!(model.view.editor.area.cursor(), (2, 1));
        update(
            &mut model,
            event(MouseEventKind::Down(MouseButton::Left), 5, 15),
        );
        assert_eq!(model.focus, Focus::Transcript);
        assert_eq!(model.view.editor.area.cursor(), (2, 1), "kept");
    }

    #[test]
    fn the_wheel_moves_in_a_message_list() {
        use crate::protocol::MethodRef;
        use crate::ui::messages::{MessagesKind, MessagesState};
        let mut model = drawn_model("printOn:");
        let method = MethodRef {
            class: "Object".into(),
            selector: "printOn:".into(),
            meta: false,
        };
        model.tool = Some(crate::ui::inspector::Tool::Messages(MessagesState {
            methods: Some(vec![method; 10]),
            total: 10,
            selected: 0,
            height: 8,
            ..MessagesState::searching(MessagesKind::Senders, "printOn:".into(), Focus::Workspace)
        }));
        model.focus = Focus::Tool;
        update(&mut model, event(MouseEventKind::ScrollDown, 5, 15));
        let Some(crate::ui::inspector::Tool::Messages(list)) = &model.tool else {
            panic!("no list");
        };
        assert_eq!(list.selected, WHEEL_LINES as usize);
    }

    #[test]
    fn a_drag_selects_from_where_the_button_went_down() {
        let mut model = drawn_model("abcdef\nghij");
        update(
            &mut model,
            event(MouseEventKind::Down(MouseButton::Left), 2, 1),
        );
        update(
            &mut model,
            event(MouseEventKind::Drag(MouseButton::Left), 3, 2),
        );
        let selected = model.view.editor.area.selection_range();
        assert_eq!(selected, Some(((0, 1), (1, 2))));
        update(
            &mut model,
            event(MouseEventKind::Down(MouseButton::Left), 2, 1),
        );
        assert_eq!(model.view.editor.area.selection_range(), None);
    }

    #[test]
    fn the_wheel_scrolls_the_pane_under_it() {
        let mut model = drawn_model("");
        for n in 0..30 {
            model
                .transcript
                .push(TranscriptEntry::Notice(n.to_string()));
        }
        model
            .view
            .transcript
            .scroll(&model.transcript, Scroll::Bottom);
        let before = model.view.transcript;
        update(&mut model, event(MouseEventKind::ScrollUp, 5, 15));
        assert_ne!(model.view.transcript, before);
        update(&mut model, event(MouseEventKind::ScrollDown, 5, 15));
        update(&mut model, event(MouseEventKind::ScrollDown, 5, 15));
        assert_eq!(model.focus, Focus::Workspace, "the wheel does not focus");

        let lines: Vec<String> = (0..40).map(|n| n.to_string()).collect();
        let mut model = drawn_model(&lines.join("\n"));
        update(&mut model, event(MouseEventKind::ScrollDown, 5, 5));
        assert_eq!(model.view.editor.area.scroll_offset().0, 3);
        update(&mut model, event(MouseEventKind::ScrollUp, 5, 5));
        assert_eq!(model.view.editor.area.scroll_offset().0, 0);
        // Outside both panes (the status line) nothing happens.
        update(
            &mut model,
            event(MouseEventKind::Down(MouseButton::Left), 5, 25),
        );
        assert_eq!(model.focus, Focus::Workspace);
    }

    #[test]
    fn alt_l_shows_and_hides_line_numbers() {
        let mut model = drawn_model("");
        assert!(!model.view.line_numbers);
        update(&mut model, Msg::ToggleLineNumbers);
        assert!(model.view.line_numbers);
        update(&mut model, Msg::ToggleLineNumbers);
        assert!(!model.view.line_numbers);
    }
}
