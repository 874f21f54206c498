//! `m` in the transcript: the newest value the server (or the transcript)
//! cut, fetched whole by its handle and written to a file, since the
//! transcript keeps only 64 KB of an entry.

use super::update::Effect;
use crate::net::{Answer, BridgeCommand};
use crate::protocol::{ErrorObject, InspectParams, Request, RequestBody};
use crate::ui::model::format_bytes;
use crate::ui::{Model, Purpose, TranscriptEntry};

/// The most a whole value may print (the reply must stay under
/// `server.max_reply_bytes`, 64 MiB by default).
const WHOLE_PRINT_LIMIT: u64 = 32 << 20;

/// Ask the server for the whole print of the newest cut value.
pub fn request(model: &mut Model) -> Vec<Effect> {
    let Some(handle) = model.cut_value.clone() else {
        let notice = "No value was cut: every value is in the transcript whole.";
        model
            .transcript
            .push(TranscriptEntry::Notice(notice.into()));
        return vec![];
    };
    if !model.connection.is_connected() {
        let notice = "Not connected: press F2 to connect, then save the value again.";
        model
            .transcript
            .push(TranscriptEntry::Notice(notice.into()));
        return vec![];
    }
    let id = model.next_request_id();
    let body = RequestBody::Inspect(InspectParams {
        handle: Some(handle),
        limit: Some(0),
        print_limit: Some(WHOLE_PRINT_LIMIT),
        ..InspectParams::default()
    });
    model.send(id.clone(), Purpose::WholeValue);
    model.status.say("Fetching the whole value…");
    let request = Request::new(id, model.session.clone(), body);
    vec![Effect::Bridge(BridgeCommand::Send(request))]
}

/// The whole print goes to a file (written off the UI thread).
pub fn reply(model: &mut Model, result: Result<Answer, ErrorObject>) -> Vec<Effect> {
    match result {
        Ok(Answer::Inspect(value)) => {
            let size = format_bytes(value.print.len());
            let what = format!(
                "the whole {} ({size}{})",
                value.class,
                cut_note(value.truncated)
            );
            vec![Effect::SaveValue {
                what,
                text: value.print,
            }]
        }
        Ok(other) => {
            log::error!("a whole value was answered as {}", other.type_name());
            vec![]
        }
        Err(error) => {
            let notice = format!("Cannot fetch the whole value: {error}");
            model.transcript.push(TranscriptEntry::Notice(notice));
            vec![]
        }
    }
}

fn cut_note(truncated: bool) -> &'static str {
    if truncated { ", cut at 32 MB" } else { "" }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::update;
    use crate::app::update::tests::connected_model;
    use crate::net::NetEvent;
    use crate::protocol::{EvaluateResult, InspectResult};
    use crate::ui::Msg;

    fn cut_value_reply(model: &mut Model) {
        let effects = update(model, Msg::Evaluate("String new: 200000".into()));
        let Some(Effect::Bridge(BridgeCommand::Send(request))) = effects.get(1) else {
            panic!("{effects:?}");
        };
        let value = EvaluateResult {
            print: "'aaaa'".into(),
            class: "String".into(),
            truncated: true,
            handle: "h7".into(),
            output: String::new(),
            output_ranges: None,
            duration_us: 5,
            warnings: Vec::new(),
        };
        let id = request.id.clone();
        let result = Ok(Answer::Evaluate(value));
        update(
            model,
            Msg::Net(NetEvent::Reply {
                id,
                result,
                round_trip_us: 1,
            }),
        );
    }

    #[test]
    fn the_newest_cut_value_is_fetched_whole_by_its_handle_and_saved() {
        let mut model = connected_model();
        assert!(update(&mut model, Msg::SaveWholeValue).is_empty());
        cut_value_reply(&mut model);
        let effects = update(&mut model, Msg::SaveWholeValue);
        let [Effect::Bridge(BridgeCommand::Send(request))] = &effects[..] else {
            panic!("{effects:?}");
        };
        let RequestBody::Inspect(params) = &request.body else {
            panic!("{request:?}");
        };
        assert_eq!(params.handle.as_deref(), Some("h7"));
        assert_eq!(params.print_limit, Some(WHOLE_PRINT_LIMIT));
        let whole = InspectResult {
            handle: "h7".into(),
            class: "String".into(),
            print: "a".repeat(200_002),
            fields: vec![],
            size: 200_000,
            elements: vec![],
            truncated: false,
            offset: 0,
        };
        let result = Ok(Answer::Inspect(whole));
        let id = request.id.clone();
        let saved = update(
            &mut model,
            Msg::Net(NetEvent::Reply {
                id,
                result,
                round_trip_us: 1,
            }),
        );
        let [Effect::SaveValue { what, text }] = &saved[..] else {
            panic!("{saved:?}");
        };
        assert_eq!(what, "the whole String (200 KB)");
        assert_eq!(text.len(), 200_002);
    }
}
