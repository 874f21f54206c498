//! Which of the tool and the transcript the lower pane shows: the tool,
//! except while the transcript has the focus or has just been raised by a
//! Do it from the workspace (else its value or error would go unseen).

use crate::ui::{Focus, Model};

/// Show the transcript over the tool until the tool has the focus again.
pub(super) fn raise_transcript(model: &mut Model) {
    model.transcript_raised = true;
}

/// After every message: a tool with the focus is shown again.
pub(super) fn settle(model: &mut Model) {
    if model.focus == Focus::Tool {
        model.transcript_raised = false;
    }
}

#[cfg(test)]
mod tests {
    use crate::app::browser::tests::browsing;
    use crate::app::update::{Effect, update};
    use crate::net::{BridgeCommand, NetEvent};
    use crate::protocol::{ErrorCode, ErrorObject};
    use crate::ui::{Focus, Msg};

    #[test]
    fn do_it_beside_an_open_tool_shows_the_transcript_until_the_tool_has_the_focus() {
        let mut model = browsing();
        model.focus = Focus::Workspace;
        assert!(model.shows_tool());
        update(&mut model, Msg::EvaluateSelection);
        assert!(!model.shows_tool(), "the value must be seen");
        update(&mut model, Msg::FocusNext);
        assert_eq!(model.focus, Focus::Tool);
        assert!(model.shows_tool());
        update(&mut model, Msg::FocusNext);
        update(&mut model, Msg::FocusNext);
        assert_eq!(model.focus, Focus::Workspace);
        assert!(model.shows_tool(), "back as it was before the Do it");
    }

    #[test]
    fn a_failed_print_it_beside_an_open_tool_shows_its_error() {
        let mut model = browsing();
        model.focus = Focus::Workspace;
        let effects = update(&mut model, Msg::PrintSelection);
        assert!(
            model.shows_tool(),
            "Print it's value goes into the workspace"
        );
        let id = effects
            .iter()
            .find_map(|effect| match effect {
                Effect::Bridge(BridgeCommand::Send(request)) => Some(request.id.clone()),
                _ => None,
            })
            .expect("Print it sent");
        let error = ErrorObject::new(ErrorCode::EvaluationError, "nil does not understand #foo");
        let event = NetEvent::Reply {
            id,
            result: Err(error),
            round_trip_us: 9,
        };
        update(&mut model, Msg::Net(event));
        assert!(!model.shows_tool());
    }
}
