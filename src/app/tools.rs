//! What the tools of the lower pane share: one tool at a time, and closing
//! one gives the focus back to where it was opened from.

use super::update::Effect;
use crate::net::BridgeCommand;
use crate::protocol::{Request, RequestBody};
use crate::ui::inspector::Tool;
use crate::ui::{Focus, Model, Purpose};

/// Make room for a new tool: an open inspector lets its objects go, and the
/// focus the new tool gives back on closing is the one the old tool would
/// have given back (else the focus now). Returns the release requests too.
pub fn make_room(model: &mut Model) -> (Vec<Effect>, Focus) {
    let effects = match &model.tool {
        Some(Tool::Inspector(_)) => super::inspector::close(model),
        Some(Tool::Browser(_)) => super::browser_edit::keep_in_workspace(model),
        _ => vec![],
    };
    let back_to = match model.tool.take() {
        Some(tool) if model.focus == Focus::Tool => tool.back_to().clone(),
        _ => model.focus.clone(),
    };
    (effects, back_to)
}

/// Send a tool's request, its reply to go to `purpose`.
pub fn request(model: &mut Model, purpose: Purpose, body: RequestBody) -> Effect {
    let id = model.next_request_id();
    model.send(id.clone(), purpose);
    let request = Request::new(id, model.session.clone(), body);
    Effect::Bridge(BridgeCommand::Send(request))
}

/// Whether the server is there for a tool's request; if not, the status
/// bar says how to connect.
pub fn connected_or_say(model: &mut Model) -> bool {
    let connected = model.connection.is_connected();
    if !connected {
        model.status.say(NOT_CONNECTED);
    }
    connected
}

/// What a command that needs the server says while there is none.
pub const NOT_CONNECTED: &str = "Not connected: press F2 to connect first.";

/// Esc in a tool that holds nothing on the server: close it, focus back.
pub fn close(model: &mut Model) -> Vec<Effect> {
    if let Some(tool) = model.tool.take()
        && model.focus == Focus::Tool
    {
        model.focus = tool.back_to().clone();
    }
    vec![]
}
