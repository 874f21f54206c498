//! The help overlay: the active keymap's bindings, grouped by context, in a
//! centred popup drawn over everything. Generated from the keymap, so it
//! always tells the truth about the user's own bindings. `/` filters it;
//! long descriptions wrap under themselves.

use std::sync::Arc;

use tuirealm::component::{AppComponent, Component};
use tuirealm::event::{Event, Key, NoUserEvent};
use tuirealm::props::{Style, TextModifiers};
use tuirealm::ratatui::Frame;
use tuirealm::ratatui::layout::Rect;
use tuirealm::ratatui::text::{Line, Span};
use tuirealm::ratatui::widgets::{Block, Clear, Padding, Paragraph};

use super::transcript::prompt_key;
use super::{Draw, Pane, app_msg, scroll_step};
use crate::config::keymap::{Action, Binding, Context, Keymap, key_label, parse_key};
use crate::config::theme::HelpColors;
use crate::ui::editor_commands::EDITOR_KEYS;
use crate::ui::help_filter::HelpFilter;
use crate::ui::transcript_view::wrap;
use crate::ui::{Model, Msg, SearchStep, SharedModel};

#[derive(Component)]
pub struct Help {
    component: Pane<HelpDrawing>,
    keymap: Arc<Keymap>,
}

pub struct HelpDrawing {
    rows: Vec<HelpRow>,
    /// Width of the keys column: the widest keys of any row.
    key_width: usize,
    title: String,
    colours: HelpColors,
}

/// One action of one context: its keys and what it does, under `heading`.
#[derive(Debug, Clone, PartialEq)]
struct HelpRow {
    heading: &'static str,
    keys: String,
    description: String,
}

/// The heading of the editor's own keys, right after the workspace's bindings.
const EDITOR_HEADING: &str = "Workspace editor (keys the keymap leaves to it)";

impl Help {
    pub fn new(model: SharedModel, keymap: Arc<Keymap>, colours: HelpColors) -> Self {
        let label = |action| {
            let keys = keymap.keys_for(Context::Help, action);
            keys.first().map(key_label)
        };
        let mut title = String::from(" Keys ");
        if let Some(key) = label(Action::CloseHelp) {
            title.push_str(&format!("· {key} closes "));
        }
        if let Some(key) = label(Action::FilterHelp) {
            title.push_str(&format!("· {key} filters "));
        }
        let rows = help_rows(&keymap);
        let drawing = HelpDrawing {
            key_width: rows
                .iter()
                .map(|row| row.keys.chars().count())
                .max()
                .unwrap_or(0),
            rows,
            title,
            colours,
        };
        Self {
            component: Pane::new(model, drawing),
            keymap,
        }
    }
}

/// What the binding does where it works: Home and End move the selection
/// in a tool's rows, rather than through the transcript's entries.
fn description(binding: &Binding) -> &'static str {
    let in_debugger = binding.context == Context::Debugger;
    if let Some(text) = debugger_description(binding.action).filter(|_| in_debugger) {
        return text;
    }
    match (binding.context, binding.action) {
        (Context::Inspector | Context::Browser | Context::Debugger, Action::ScrollToTop) => {
            "To the first row"
        }
        (Context::Inspector | Context::Browser | Context::Debugger, Action::ScrollToBottom) => {
            "To the last row"
        }
        (_, action) => action.description(),
    }
}

/// The debugger moves through frames and variables, not lines, and its
/// evaluate line runs in the selected frame, not on an inspected object.
fn debugger_description(action: Action) -> Option<&'static str> {
    Some(match action {
        Action::ScrollUp => "The frame (or variable) above",
        Action::ScrollDown => "The frame (or variable) below",
        Action::PageUp => "A page of frames (or variables) up",
        Action::PageDown => "A page of frames (or variables) down",
        Action::ColumnLeft => "To the stack",
        Action::ColumnRight => "To the variables",
        Action::InspectField => "Frame: to its variables; variable: inspect it",
        Action::InspectorEvaluate => "Evaluate a line in the selected frame",
        Action::Browse => "Browse the selected frame's class",
        _ => return None,
    })
}

/// One row per action and context, its keys joined, in the order of
/// `Context::ALL`; the editor's own keys follow the workspace's.
fn help_rows(keymap: &Keymap) -> Vec<HelpRow> {
    let mut bindings = where_bindings_work(keymap);
    bindings.sort_by_key(|binding| {
        let context = Context::ALL.iter().position(|c| *c == binding.context);
        (context, binding.action)
    });
    let mut rows: Vec<HelpRow> = Vec::new();
    for binding in bindings {
        let heading = binding.context.title();
        match rows.last_mut() {
            Some(row) if row.heading == heading && row.description == description(&binding) => {
                row.keys.push_str(", ");
                row.keys.push_str(&key_label(&binding.key));
            }
            _ => rows.push(HelpRow {
                heading,
                keys: key_label(&binding.key),
                description: description(&binding).to_string(),
            }),
        }
    }
    let after_workspace = rows
        .iter()
        .rposition(|row| row.heading == Context::Workspace.title())
        .map_or(rows.len(), |last| last + 1);
    let editor_rows = editor_keys(keymap).map(|(keys, description)| HelpRow {
        heading: EDITOR_HEADING,
        keys,
        description: description.to_string(),
    });
    rows.splice(
        after_workspace..after_workspace,
        editor_rows.collect::<Vec<_>>(),
    );
    collapse_numbered(rows)
}

/// Rows that count up together (`Alt+1  Go to workspace 1`, `Alt+2  Go to
/// workspace 2`, …) as one: `Alt+1…9  Go to workspace 1…9`.
fn collapse_numbered(rows: Vec<HelpRow>) -> Vec<HelpRow> {
    let mut collapsed = Vec::with_capacity(rows.len());
    let mut at = 0;
    while at < rows.len() {
        let run = numbered_run(&rows[at..]);
        let first = rows[at].clone();
        if run < 3 {
            collapsed.push(first);
            at += 1;
            continue;
        }
        let last = rows[at + run - 1].keys.chars().last().unwrap_or_default();
        collapsed.push(HelpRow {
            keys: format!("{}…{last}", first.keys),
            description: format!("{}…{last}", first.description),
            ..first
        });
        at += run;
    }
    collapsed
}

/// How many rows, from the first, count up from it: same heading, keys and
/// description the same but for a last digit one more than the row before.
fn numbered_run(rows: &[HelpRow]) -> usize {
    let Some(start) = rows.first().and_then(numbered) else {
        return 1;
    };
    let (heading, (keys, description, digit)) = (rows[0].heading, start);
    let counts_on = |(n, row): &(usize, &HelpRow)| {
        let next = digit + u32::try_from(*n).unwrap_or(u32::MAX);
        row.heading == heading && numbered(row) == Some((keys, description, next))
    };
    rows.iter()
        .enumerate()
        .skip(1)
        .take_while(counts_on)
        .count()
        + 1
}

/// A row's keys and description without their last character, and that
/// digit, when both end in the same digit.
fn numbered(row: &HelpRow) -> Option<(&str, &str, u32)> {
    let (keys, digit) = split_last_digit(&row.keys)?;
    let (description, same) = split_last_digit(&row.description)?;
    (digit == same).then_some((keys, description, digit))
}

fn split_last_digit(text: &str) -> Option<(&str, u32)> {
    let digit = text.chars().last()?.to_digit(10)?;
    Some((&text[..text.len() - 1], digit))
}

/// The bindings, a global key that a pane binds to something else listed
/// under the panes where it still works (Shift+Tab moves focus from the
/// transcript, but dedents in the workspace), not under "Everywhere".
fn where_bindings_work(keymap: &Keymap) -> Vec<Binding> {
    const PANES: [Context; 2] = [Context::Workspace, Context::Transcript];
    let mut bindings = Vec::new();
    for binding in keymap.bindings() {
        let works_in =
            |pane: &&Context| keymap.lookup(**pane, &binding.key) == Some(binding.action);
        if binding.context != Context::Global || PANES.iter().all(|pane| works_in(&pane)) {
            bindings.push(binding);
            continue;
        }
        bindings.extend(
            PANES
                .iter()
                .filter(works_in)
                .map(|&context| Binding { context, ..binding }),
        );
    }
    bindings
}

/// The editor's own keys that no binding of the workspace takes, as labels.
fn editor_keys(keymap: &Keymap) -> impl Iterator<Item = (String, &'static str)> + '_ {
    EDITOR_KEYS.into_iter().filter_map(|(keys, description)| {
        let free: Vec<String> = keys
            .iter()
            .filter_map(|key| parse_key(key).ok())
            .filter(|key| keymap.lookup(Context::Workspace, key).is_none())
            .map(|key| key_label(&key))
            .collect();
        (!free.is_empty()).then(|| (free.join(", "), description))
    })
}

impl HelpDrawing {
    /// A heading per context with rows the filter shows, then those rows:
    /// keys, and the description wrapped to `width` under itself.
    fn lines(&self, filter: Option<&HelpFilter>, width: usize) -> Vec<Line<'static>> {
        let heading = Style::default()
            .fg(self.colours.fg)
            .add_modifier(TextModifiers::BOLD | TextModifiers::UNDERLINED);
        let key_style = Style::default().fg(self.colours.key);
        let key_width = self.key_width;
        let indent = key_width + 4;
        let room = width.saturating_sub(indent).max(12);
        let mut lines = Vec::new();
        let mut heading_shown = None;
        let shown = |row: &&HelpRow| {
            // The heading too: "/browser" shows the class browser's keys.
            let text = format!("{} {} {}", row.heading, row.keys, row.description);
            filter.is_none_or(|f| f.shows(&text))
        };
        for row in self.rows.iter().filter(shown) {
            if heading_shown != Some(row.heading) {
                if !lines.is_empty() {
                    lines.push(Line::default());
                }
                lines.push(Line::styled(row.heading, heading));
                heading_shown = Some(row.heading);
            }
            let description = wrap(Line::raw(row.description.clone()), room);
            for (n, part) in description.into_iter().enumerate() {
                let keys = if n == 0 { row.keys.as_str() } else { "" };
                let mut line =
                    Line::from(Span::styled(format!("  {keys:<key_width$}  "), key_style));
                line.extend(part.spans);
                lines.push(line);
            }
        }
        if lines.is_empty() {
            lines.push(Line::raw("No key matches."));
        }
        lines
    }

    /// The widest row unwrapped, borders and padding included.
    fn natural_width(&self) -> usize {
        let widest = self.rows.iter().map(|row| row.description.chars().count());
        self.key_width + 4 + widest.max().unwrap_or(0) + 4
    }
}

/// The filter in the bottom border: its text and how many keys it shows.
fn filter_line(filter: &HelpFilter) -> String {
    let cursor = if filter.editing { "▏" } else { "" };
    format!(" /{}{cursor} · Esc clears ", filter.query)
}

/// A rectangle of at most `width` x `height`, centred in `area`.
pub(super) fn centred(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

impl Draw for HelpDrawing {
    fn draw(&self, model: &mut Model, frame: &mut Frame, area: Rect, _focused: bool) {
        if !model.help_visible {
            return;
        }
        let width = u16::try_from(self.natural_width()).unwrap_or(u16::MAX);
        let width = width.min(area.width.saturating_sub(2));
        let view = &mut model.view;
        let lines = self.lines(
            view.help_filter.as_ref(),
            usize::from(width.saturating_sub(4)),
        );
        let height = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
        // Leave a margin so the popup reads as an overlay on the screen beneath.
        let popup = centred(area, width, height.min(area.height.saturating_sub(2)));
        let block = Block::bordered()
            .title(self.title.clone())
            .border_style(Style::default().fg(self.colours.key))
            .padding(Padding::horizontal(1));
        view.help_height = usize::from(block.inner(popup).height);
        let max_scroll = lines.len().saturating_sub(view.help_height);
        view.help_scroll = view.help_scroll.min(max_scroll);
        let block = match (&view.help_filter, view.help_scroll < max_scroll) {
            (Some(filter), _) => block.title_bottom(filter_line(filter)),
            (None, true) => block.title_bottom(" ↓ more "),
            (None, false) => block,
        };
        let style = Style::default().fg(self.colours.fg).bg(self.colours.bg);
        let visible: Vec<Line<'static>> = lines.into_iter().skip(view.help_scroll).collect();
        frame.render_widget(Clear, popup);
        frame.render_widget(Paragraph::new(visible).block(block).style(style), popup);
    }
}

impl AppComponent<Msg, NoUserEvent> for Help {
    fn on(&mut self, event: &Event<NoUserEvent>) -> Option<Msg> {
        let Event::Keyboard(key) = event else {
            return None;
        };
        let filter = self.component.model.borrow().view.help_filter.clone();
        match &filter {
            Some(filter) if filter.editing => {
                if let Some(step) = prompt_key(key) {
                    return Some(Msg::SearchHelp(step));
                }
            }
            // Esc clears the filter before it closes the help.
            Some(_) if key.code == Key::Esc => return Some(Msg::SearchHelp(SearchStep::Close)),
            _ => {}
        }
        let action = self.keymap.lookup(Context::Help, key)?;
        if action == Action::FilterHelp {
            return Some(Msg::SearchHelp(SearchStep::Open));
        }
        match scroll_step(action) {
            Some(step) => Some(Msg::ScrollHelp(step)),
            None => app_msg(action),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn editor_key_labels(keymap: &Keymap) -> Vec<String> {
        editor_keys(keymap).map(|(keys, _)| keys).collect()
    }

    #[test]
    fn keys_that_count_up_with_their_workspace_share_one_row() {
        let rows = help_rows(&Keymap::default());
        let jump: Vec<&HelpRow> = rows
            .iter()
            .filter(|row| row.description.starts_with("Go to workspace"))
            .collect();
        assert_eq!(jump.len(), 1, "{jump:?}");
        assert_eq!(jump[0].keys, "Alt+1…9");
        assert_eq!(jump[0].description, "Go to workspace 1…9");
        // One rebound: its row stands apart, the rest still count up.
        let mut keymap = Keymap::default();
        let text = "[global]\n\"alt-1\" = \"none\"\n\"f9\" = \"workspace_1\"\n";
        keymap.merge_toml(text, "u.toml").unwrap();
        let rows = help_rows(&keymap);
        let jump: Vec<(&str, &str)> = rows
            .iter()
            .filter(|row| row.description.starts_with("Go to workspace"))
            .map(|row| (row.keys.as_str(), row.description.as_str()))
            .collect();
        assert_eq!(
            jump,
            [
                ("F9", "Go to workspace 1"),
                ("Alt+2…9", "Go to workspace 2…9")
            ]
        );
    }

    #[test]
    fn the_editor_group_lists_the_keys_the_keymap_leaves_to_the_editor() {
        let labels = editor_key_labels(&Keymap::default());
        assert!(labels.contains(&"Tab".to_string()), "{labels:?}");
        // Ctrl+K opens the palette: Alt+K deletes to the end of the line.
        assert!(labels.contains(&"Alt+K".to_string()), "{labels:?}");
        assert!(labels.contains(&"Ctrl+J".to_string()), "{labels:?}");
        let emacs = editor_key_labels(&Keymap::preset("emacs").unwrap());
        assert!(emacs.contains(&"Ctrl+K, Alt+K".to_string()), "{emacs:?}");
        let mut keymap = Keymap::default();
        keymap
            .merge_toml("[workspace]\n\"ctrl-j\" = \"evaluate\"\n", "u.toml")
            .unwrap();
        let labels = editor_key_labels(&keymap);
        assert!(!labels.contains(&"Ctrl+J".to_string()), "{labels:?}");
    }

    #[test]
    fn the_editor_keys_follow_the_workspace_bindings() {
        let headings: Vec<&str> = help_rows(&Keymap::default())
            .iter()
            .map(|row| row.heading)
            .collect();
        let first = headings.iter().position(|h| *h == EDITOR_HEADING).unwrap();
        let last = headings.iter().rposition(|h| *h == EDITOR_HEADING).unwrap();
        assert_eq!(headings[first - 1], Context::Workspace.title());
        assert_eq!(headings[last + 1], Context::Transcript.title());
    }

    #[test]
    fn a_global_key_a_pane_takes_is_listed_where_it_still_works() {
        let rows = help_rows(&Keymap::default());
        let focus = Action::FocusNext.description();
        let keys_under = |heading: &str| {
            rows.iter()
                .find(|row| row.heading == heading && row.description == focus)
                .map(|row| row.keys.clone())
        };
        // Shift+Tab dedents in the workspace.
        assert_eq!(keys_under("Everywhere").as_deref(), Some("F6"));
        assert_eq!(keys_under("Transcript").as_deref(), Some("Shift+Tab, Tab"));
    }

    #[test]
    fn the_debuggers_keys_say_what_they_do_in_the_debugger() {
        let rows = help_rows(&Keymap::default());
        let under_debugger = |keys: &str| {
            rows.iter()
                .find(|row| row.heading == Context::Debugger.title() && row.keys == keys)
                .map(|row| row.description.as_str())
        };
        assert_eq!(
            under_debugger("Down"),
            Some("The frame (or variable) below")
        );
        assert_eq!(under_debugger("End"), Some("To the last row"));
        assert_eq!(
            under_debugger(":"),
            Some("Evaluate a line in the selected frame")
        );
        assert_eq!(
            under_debugger("Enter"),
            Some("Frame: to its variables; variable: inspect it")
        );
    }
}
