//! Moving through the class browser's columns (categories | classes |
//! protocols | methods), the letters' jump in each, the class side and
//! hierarchy toggles, and scrolling the source below the columns.

use super::browser::{browser, show_selected};
use super::update::Effect;
use crate::ui::browser::{BrowserMsg, BrowserState, Column, find};
use crate::ui::{Model, Scroll};

/// Lines one notch of the wheel scrolls the source.
const WHEEL_LINES: usize = 3;

pub fn update(model: &mut Model, msg: BrowserMsg) -> Vec<Effect> {
    match msg {
        BrowserMsg::Move(step) => move_selection(model, step),
        BrowserMsg::Left => step_column(model, Column::left),
        BrowserMsg::Right => step_column(model, Column::right),
        BrowserMsg::Jump(letter) => jump(model, letter),
        BrowserMsg::ToggleSide => toggle_side(model),
        BrowserMsg::ToggleHierarchy => toggle_hierarchy(model),
        BrowserMsg::ScrollSource(step) => {
            if let Some(state) = browser(model) {
                scroll_source(state, step, 1);
            }
            vec![]
        }
        BrowserMsg::Wheel(step, at) => wheel(model, step, at),
        // `browser::update` takes these itself.
        BrowserMsg::Edit | BrowserMsg::Close => vec![],
    }
}

fn move_selection(model: &mut Model, step: Scroll) -> Vec<Effect> {
    let Some(state) = browser(model) else {
        return vec![];
    };
    let column = state.column;
    let count = state.rows(column).len();
    let page = state.height.saturating_sub(1).max(1);
    let at = step.select(*state.selected_mut(column), count, page);
    state.typed.clear();
    select(model, column, at)
}

/// Row `at` of `column` selected, and what it shows asked for: a category
/// lists its classes (the class selected stays if it is among them), a
/// protocol its methods.
fn select(model: &mut Model, column: Column, at: usize) -> Vec<Effect> {
    let Some(state) = browser(model) else {
        return vec![];
    };
    *state.selected_mut(column) = at;
    match column {
        Column::Categories => {
            let keep = state.class_name().map(str::to_string);
            state.show_category(keep.as_deref());
        }
        // In the hierarchy the categories column follows the class.
        Column::Classes if state.hierarchy.is_some() => {
            let category = state.class_name().and_then(|name| state.category_of(name));
            state.category_selected = state.category_row(category);
        }
        Column::Protocols => state.method_selected = 0,
        Column::Classes | Column::Methods => {}
    }
    show_selected(model)
}

/// Left or Right: the next column that has rows.
fn step_column(model: &mut Model, next: fn(Column) -> Option<Column>) -> Vec<Effect> {
    let Some(state) = browser(model) else {
        return vec![];
    };
    match next(state.column) {
        Some(column) => to_column(model, column),
        None => vec![],
    }
}

/// To `column`, if it has rows to select.
pub(super) fn to_column(model: &mut Model, column: Column) -> Vec<Effect> {
    let Some(state) = browser(model) else {
        return vec![];
    };
    if state.rows(column).is_empty() {
        return vec![];
    }
    state.column = column;
    state.typed.clear();
    show_selected(model)
}

fn jump(model: &mut Model, letter: char) -> Vec<Effect> {
    let Some(state) = browser(model) else {
        return vec![];
    };
    state.typed.push(letter);
    let column = state.column;
    let found = find(&state.rows(column), &state.typed);
    match found {
        // The same row: it is shown, or asked for, already.
        Some(at) if at != *state.selected_mut(column) => select(model, column, at),
        _ => vec![],
    }
}

/// The instance side or the class side: the protocols and methods of the
/// other, from "-- all --".
fn toggle_side(model: &mut Model) -> Vec<Effect> {
    let Some(state) = browser(model) else {
        return vec![];
    };
    state.meta = !state.meta;
    state.protocol_selected = 0;
    state.method_selected = 0;
    state.source = None;
    if state.column == Column::Methods && state.methods().is_empty() {
        state.column = Column::Protocols;
    }
    show_selected(model)
}

/// The classes column as the selected class's hierarchy, or back as the
/// category's classes (the category of the class selected, unless the one
/// selected before holds it).
fn toggle_hierarchy(model: &mut Model) -> Vec<Effect> {
    let Some(state) = browser(model) else {
        return vec![];
    };
    let Some(name) = state.classes.get(state.class_selected).cloned() else {
        model.status.say("No class to show the hierarchy of yet.");
        return vec![];
    };
    if state.hierarchy.is_some() {
        if !state.classes_in(state.category()).contains(&name) {
            state.category_selected = state.category_row(state.category_of(&name));
        }
        state.show_category(Some(&name));
    } else {
        show_hierarchy(state, &name);
    }
    if state.column == Column::Categories {
        state.column = Column::Classes;
    }
    show_selected(model)
}

fn show_hierarchy(state: &mut BrowserState, name: &str) {
    let (names, depths) = state.hierarchy_of(name).into_iter().unzip();
    state.classes = names;
    state.hierarchy = Some(depths);
    state.class_selected = state.classes.iter().position(|c| c == name).unwrap_or(0);
}

/// Scroll the source by `step` (`lines` a line), within its text.
fn scroll_source(state: &mut BrowserState, step: Scroll, lines: usize) {
    let height = usize::from(state.source_area.height).max(1);
    let count = state.shown_text().map_or(0, |text| text.lines().count());
    let last = count.saturating_sub(height);
    let page = height.saturating_sub(1).max(1);
    state.source_scroll = match step {
        Scroll::Up => state.source_scroll.saturating_sub(lines),
        Scroll::Down => state.source_scroll + lines,
        Scroll::PageUp => state.source_scroll.saturating_sub(page),
        Scroll::PageDown => state.source_scroll + page,
        Scroll::Top => 0,
        Scroll::Bottom => last,
    }
    .min(last);
}

/// One notch of the wheel: over the source it scrolls it, elsewhere it
/// moves the selection of the column.
fn wheel(model: &mut Model, step: Scroll, at: tuirealm::ratatui::layout::Position) -> Vec<Effect> {
    let Some(state) = browser(model) else {
        return vec![];
    };
    if state.source_area.contains(at) {
        scroll_source(state, step, WHEEL_LINES);
        return vec![];
    }
    (0..WHEEL_LINES)
        .flat_map(|_| move_selection(model, step))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::browser::tests::{answer, browsing, key, on_remove_first, sent, state};
    use crate::protocol::RequestBody;
    use crate::ui::browser::BrowserMsg;
    use tuirealm::ratatui::layout::{Position, Rect};

    fn asked_class(asks: &[(String, RequestBody)]) -> Option<&str> {
        asks.iter().find_map(|(_, body)| match body {
            RequestBody::Class(params) => Some(params.name.as_str()),
            _ => None,
        })
    }

    #[test]
    fn left_of_the_classes_are_the_categories_and_moving_there_lists_others() {
        let mut model = browsing();
        key(&mut model, BrowserMsg::Left);
        assert_eq!(state(&model).column, Column::Categories);
        assert!(key(&mut model, BrowserMsg::Left).is_empty(), "the leftmost");
        let asks = sent(&key(&mut model, BrowserMsg::Move(Scroll::Down)));
        let state = state(&model);
        assert_eq!(state.category(), Some("Collections-Text"));
        assert!(state.classes.iter().any(|c| c == "String"));
        assert_eq!(asked_class(&asks), Some(state.classes[0].as_str()));
    }

    #[test]
    fn the_category_all_keeps_the_class_selected() {
        let mut model = browsing();
        key(&mut model, BrowserMsg::Left);
        let asks = sent(&key(&mut model, BrowserMsg::Move(Scroll::Top)));
        let state = state(&model);
        assert_eq!(state.category(), None);
        assert_eq!(state.classes.len(), 386);
        assert_eq!(state.class_name(), Some("OrderedCollection"));
        assert!(asks.is_empty(), "described already");
    }

    #[test]
    fn a_protocol_lists_only_its_methods() {
        let mut model = browsing();
        key(&mut model, BrowserMsg::Right);
        assert_eq!(state(&model).rows(Column::Protocols)[0], "-- all --");
        let all = state(&model).methods().len();
        key(&mut model, BrowserMsg::Move(Scroll::Down));
        let state = state(&model);
        assert_eq!(state.protocol(), Some("accessing"));
        assert!(state.methods().len() < all);
        assert!(
            state
                .methods()
                .iter()
                .all(|m| m.protocol.as_deref() == Some("accessing"))
        );
        assert_eq!(state.method(), None, "the definition still shows");
    }

    #[test]
    fn letters_jump_in_the_protocols_the_methods_and_the_categories() {
        let mut model = browsing();
        key(&mut model, BrowserMsg::Right);
        for letter in "rem".chars() {
            key(&mut model, BrowserMsg::Jump(letter));
        }
        assert_eq!(state(&model).protocol(), Some("removing"));
        key(&mut model, BrowserMsg::Right);
        let asks = sent(&key(&mut model, BrowserMsg::Jump('r')));
        assert!(matches!(&asks[0].1, RequestBody::Method(m) if m.selector.starts_with('r')));
        for letter in "emovef".chars() {
            key(&mut model, BrowserMsg::Jump(letter));
        }
        assert_eq!(state(&model).method().unwrap().selector, "removeFirst");
        for _ in 0..3 {
            key(&mut model, BrowserMsg::Left);
        }
        for letter in "stre".chars() {
            key(&mut model, BrowserMsg::Jump(letter));
        }
        assert_eq!(state(&model).category(), Some("Streams"));
    }

    #[test]
    fn the_class_side_shows_its_methods_and_asks_for_them_as_meta() {
        let mut model = on_remove_first();
        let asks = sent(&key(&mut model, BrowserMsg::ToggleSide));
        let state_now = state(&model);
        assert!(state_now.meta);
        assert_eq!(
            state_now.shown_class_name().as_deref(),
            Some("OrderedCollection class")
        );
        assert_eq!(
            state_now.rows(Column::Protocols),
            ["-- all --", "instance creation"]
        );
        assert_eq!(state_now.method().unwrap().selector, "new");
        let RequestBody::Method(params) = &asks[0].1 else {
            panic!("{asks:?}");
        };
        assert_eq!(params.meta, Some(true));
        let asks = sent(&key(&mut model, BrowserMsg::Move(Scroll::Down)));
        answer(&mut model, &asks[0].0, "new_colon");
        assert!(state(&model).source.as_ref().unwrap().meta);
        assert!(
            state(&model)
                .shown_text()
                .unwrap()
                .starts_with("new: anInteger")
        );
        key(&mut model, BrowserMsg::ToggleSide);
        assert!(!state(&model).meta);
        assert!(state(&model).methods().len() > 2);
    }

    #[test]
    fn enter_on_a_class_side_method_names_its_workspace_class_side() {
        let mut model = browsing();
        key(&mut model, BrowserMsg::ToggleSide);
        key(&mut model, BrowserMsg::Right);
        key(&mut model, BrowserMsg::Right);
        let asks = sent(&key(&mut model, BrowserMsg::Move(Scroll::Down)));
        answer(&mut model, &asks[0].0, "new_colon");
        crate::app::update::update(
            &mut model,
            crate::ui::Msg::BrowserEdit(crate::ui::browser_edit::EditMsg::InWorkspace),
        );
        let tab = model.workspaces.active_tab();
        assert_eq!(tab.name, "OrderedCollection class>>new:");
    }

    #[test]
    fn the_hierarchy_shows_superclasses_above_and_subclasses_below() {
        let mut model = browsing();
        assert!(sent(&key(&mut model, BrowserMsg::ToggleHierarchy)).is_empty());
        let state_now = state(&model);
        let rows: Vec<(&str, usize)> = state_now
            .classes
            .iter()
            .map(String::as_str)
            .zip(state_now.hierarchy.clone().unwrap())
            .collect();
        assert_eq!(
            rows[..5],
            [
                ("Object", 0),
                ("Iterable", 1),
                ("Collection", 2),
                ("SequenceableCollection", 3),
                ("OrderedCollection", 4)
            ]
        );
        assert!(rows.contains(&("SortedCollection", 5)));
        assert_eq!(state_now.class_name(), Some("OrderedCollection"));
        // Up selects the superclass; toggling back shows its category.
        let asks = sent(&key(&mut model, BrowserMsg::Move(Scroll::Up)));
        assert_eq!(asked_class(&asks), Some("SequenceableCollection"));
        key(&mut model, BrowserMsg::ToggleHierarchy);
        let state = state(&model);
        assert_eq!(state.hierarchy, None);
        assert_eq!(state.category(), Some("Collections-Sequenceable"));
        assert_eq!(state.class_name(), Some("SequenceableCollection"));
    }

    #[test]
    fn in_the_hierarchy_the_category_follows_the_class_and_stays_on_leaving() {
        let mut model = browsing();
        key(&mut model, BrowserMsg::ToggleHierarchy);
        key(&mut model, BrowserMsg::Move(Scroll::Top));
        assert_eq!(state(&model).category(), Some("Language-Implementation"));
        key(&mut model, BrowserMsg::ToggleHierarchy);
        let state = state(&model);
        assert_eq!(state.class_name(), Some("Object"));
        assert_eq!(state.category(), Some("Language-Implementation"));
    }

    /// removeFirst (15 lines) drawn in 4 rows.
    fn scrollable() -> Model {
        let mut model = on_remove_first();
        if let Some(crate::ui::inspector::Tool::Browser(state)) = &mut model.tool {
            state.source_area = Rect::new(1, 10, 40, 4);
        }
        model
    }

    #[test]
    fn the_source_scrolls_by_pages_within_its_text() {
        let mut model = scrollable();
        let lines = state(&model).shown_text().unwrap().lines().count();
        key(&mut model, BrowserMsg::ScrollSource(Scroll::PageDown));
        assert_eq!(state(&model).source_scroll, 3);
        for _ in 0..10 {
            key(&mut model, BrowserMsg::ScrollSource(Scroll::PageDown));
        }
        assert_eq!(
            state(&model).source_scroll,
            lines - 4,
            "the last line at the bottom"
        );
        key(&mut model, BrowserMsg::ScrollSource(Scroll::PageUp));
        assert_eq!(state(&model).source_scroll, lines - 7);
        // Another method shows from its top.
        key(&mut model, BrowserMsg::Move(Scroll::Up));
        assert_eq!(state(&model).source_scroll, 0);
    }

    #[test]
    fn the_wheel_over_the_source_scrolls_it_elsewhere_moves_the_selection() {
        let mut model = scrollable();
        let selected = state(&model).method_selected;
        let over_source = Position::new(5, 11);
        key(&mut model, BrowserMsg::Wheel(Scroll::Down, over_source));
        assert_eq!(state(&model).source_scroll, 3);
        assert_eq!(state(&model).method_selected, selected);
        key(
            &mut model,
            BrowserMsg::Wheel(Scroll::Up, Position::new(5, 2)),
        );
        assert_eq!(state(&model).method_selected, selected - 3);
    }
}
