//! Update tests of the status bar's state: ticks, round trips, retries.

use super::update;
use super::update::tests::connected_model;
use crate::net::NetEvent;
use crate::ui::Msg;
use crate::ui::status::MESSAGE_TICKS;

fn retrying(id: &str, request_type: &str) -> Msg {
    Msg::Net(NetEvent::Retrying {
        id: id.into(),
        request_type: request_type.into(),
        attempt: 2,
        tries: 3,
    })
}

#[test]
fn ticks_turn_the_spinner_and_end_a_message() {
    let mut model = connected_model();
    model.status.say("Transcript saved.");
    let first = model.status.spinner();
    assert!(update(&mut model, Msg::Animate).is_empty());
    assert_ne!(model.status.spinner(), first);
    for _ in 1..MESSAGE_TICKS {
        update(&mut model, Msg::Animate);
    }
    assert_eq!(model.status.message(), None);
}

#[test]
fn heartbeats_feed_the_sparkline() {
    let mut model = connected_model();
    for micros in [200, 400, 800] {
        update(
            &mut model,
            Msg::Net(NetEvent::Alive {
                round_trip_us: micros,
                instance: None,
                restart_reason: None,
            }),
        );
    }
    assert_eq!(model.status.sparkline(), "▂▄█");
}

#[test]
fn a_reconnection_wants_ticks_and_counts_from_the_last_try() {
    let mut model = connected_model();
    let down = || {
        Msg::Net(NetEvent::Down {
            reason: "gone".into(),
            retry_in_ms: Some(2000),
        })
    };
    update(&mut model, down());
    for _ in 0..5 {
        update(&mut model, Msg::Animate);
    }
    assert!(model.reconnecting);
    assert_eq!(model.status.in_state_ms(), 500);
    update(&mut model, down());
    assert_eq!(model.status.in_state_ms(), 0);
}

#[test]
fn a_retried_background_request_says_nothing() {
    let mut model = connected_model();
    let entries = model.transcript.len();
    update(&mut model, retrying("s1-heartbeat", "ping"));
    update(&mut model, retrying("s1-poll", "transcript"));
    assert_eq!(model.retrying, None);
    assert_eq!(model.transcript.len(), entries);
}
