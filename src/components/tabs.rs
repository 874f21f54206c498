//! The tab line: the workspaces' names in the workspace pane's title, the
//! active one highlighted, cut around it when they do not all fit.

use tuirealm::props::{Style, TextModifiers};
use tuirealm::ratatui::text::{Line, Span};

use crate::config::keymap::Action;
use crate::config::theme::WorkspaceColors;
use crate::ui::{WorkspaceMsg, Workspaces};

/// The workspace message of a workspace action.
pub fn action_msg(action: Action) -> Option<WorkspaceMsg> {
    Some(match action {
        Action::NewWorkspace => WorkspaceMsg::New,
        Action::CloseWorkspace => WorkspaceMsg::Close,
        Action::RenameWorkspace => WorkspaceMsg::Rename,
        Action::NextWorkspace => WorkspaceMsg::Next,
        Action::PreviousWorkspace => WorkspaceMsg::Previous,
        Action::OpenWorkspace => WorkspaceMsg::Open,
        Action::SaveWorkspace => WorkspaceMsg::Save,
        Action::SaveWorkspaceAs => WorkspaceMsg::SaveAs,
        _ => WorkspaceMsg::GoTo(action.workspace_number()? - 1),
    })
}

/// The pane's title for a pane `width` columns wide: ` Workspace ` while
/// there is one workspace of the default name, else the tab line.
pub fn title(workspaces: &Workspaces, colours: &WorkspaceColors, width: u16) -> Line<'static> {
    if !workspaces.shown() {
        return Line::from(" Workspace ");
    }
    let labels: Vec<String> = workspaces
        .tabs
        .iter()
        .map(|tab| format!(" {} ", tab.name))
        .collect();
    let (first, last) = visible(
        &labels,
        workspaces.active,
        usize::from(width).saturating_sub(4),
    );
    let active = Style::default()
        .fg(colours.border_focused)
        .add_modifier(TextModifiers::REVERSED | TextModifiers::BOLD);
    let other = Style::default().fg(colours.border_unfocused);
    let mut spans = Vec::new();
    if first > 0 {
        spans.push(Span::styled("…", other));
    }
    for (index, label) in labels.iter().enumerate().take(last + 1).skip(first) {
        if index > first {
            spans.push(Span::styled("│", other));
        }
        let style = if index == workspaces.active {
            active
        } else {
            other
        };
        spans.push(Span::styled(label.clone(), style));
    }
    if last + 1 < labels.len() {
        spans.push(Span::styled("…", other));
    }
    Line::from(spans)
}

/// The first and last labels shown: from the active one outwards while
/// they fit in `room` columns (with a separator each, and `…` where cut).
fn visible(labels: &[String], active: usize, room: usize) -> (usize, usize) {
    let width = |first: usize, last: usize| {
        let names: usize = labels[first..=last].iter().map(|l| l.chars().count()).sum();
        let cut = usize::from(first > 0) + usize::from(last + 1 < labels.len());
        names + (last - first) + cut
    };
    let (mut first, mut last) = (active, active);
    loop {
        let mut grew = false;
        if last + 1 < labels.len() && width(first, last + 1) <= room {
            last += 1;
            grew = true;
        }
        if first > 0 && width(first - 1, last) <= room {
            first -= 1;
            grew = true;
        }
        if !grew {
            return (first, last);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tabs_that_do_not_fit_are_cut_around_the_active_one() {
        let labels: Vec<String> = (1..=9).map(|n| format!(" tab{n} ")).collect();
        assert_eq!(visible(&labels, 0, 200), (0, 8));
        // Seven columns a tab with its separator.
        assert_eq!(visible(&labels, 4, 24), (3, 5));
        assert_eq!(visible(&labels, 0, 24), (0, 2));
        assert_eq!(visible(&labels, 8, 24), (6, 8));
        assert_eq!(
            visible(&labels, 8, 2),
            (8, 8),
            "the active one always shows"
        );
    }
}
