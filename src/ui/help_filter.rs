//! `/` in the help: typing narrows the bindings shown to those whose keys
//! or description contain the text; Enter keeps the filter and gives the
//! keys back to scrolling, Esc clears it.

use super::model::ViewState;
use super::msg::SearchStep;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HelpFilter {
    pub query: String,
    /// Keys go to the filter (until Enter or Esc).
    pub editing: bool,
}

impl HelpFilter {
    /// Whether a row with `text` is shown: every row while the query is empty.
    pub fn shows(&self, text: &str) -> bool {
        text.to_lowercase().contains(&self.query.to_lowercase())
    }
}

pub fn filter_help(view: &mut ViewState, step: SearchStep) {
    if step == SearchStep::Close {
        view.help_filter = None;
        return;
    }
    let filter = view.help_filter.get_or_insert_with(HelpFilter::default);
    match step {
        SearchStep::Open => filter.editing = true,
        SearchStep::Type(c) => filter.query.push(c),
        SearchStep::Backspace => {
            filter.query.pop();
        }
        SearchStep::Submit => filter.editing = false,
        SearchStep::Next | SearchStep::Previous | SearchStep::Close => {}
    }
    // The matches start at the top.
    view.help_scroll = 0;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::update;
    use crate::ui::{Model, Msg};

    fn help_filter(model: &Model) -> Option<HelpFilter> {
        model.view.help_filter.clone()
    }

    #[test]
    fn typing_filters_enter_keeps_it_and_esc_clears_it() {
        let mut model = Model::new("a", "s");
        update(&mut model, Msg::ToggleHelp);
        model.view.help_scroll = 5;
        update(&mut model, Msg::SearchHelp(SearchStep::Open));
        for c in "evalx".chars() {
            update(&mut model, Msg::SearchHelp(SearchStep::Type(c)));
        }
        update(&mut model, Msg::SearchHelp(SearchStep::Backspace));
        let filter = help_filter(&model).unwrap();
        assert_eq!((filter.query.as_str(), filter.editing), ("eval", true));
        assert_eq!(model.view.help_scroll, 0);
        assert!(filter.shows("Ctrl+E  Do it: EVALuate the selection"));
        assert!(!filter.shows("Ctrl+Q  Quit STUI"));
        update(&mut model, Msg::SearchHelp(SearchStep::Submit));
        assert!(!help_filter(&model).unwrap().editing);
        update(&mut model, Msg::SearchHelp(SearchStep::Close));
        assert_eq!(help_filter(&model), None);
        assert!(model.help_visible, "Esc clears the filter first");
    }

    #[test]
    fn the_help_opens_without_the_last_filter() {
        let mut model = Model::new("a", "s");
        update(&mut model, Msg::ToggleHelp);
        update(&mut model, Msg::SearchHelp(SearchStep::Open));
        update(&mut model, Msg::CloseHelp);
        update(&mut model, Msg::ToggleHelp);
        assert_eq!(help_filter(&model), None);
    }
}
