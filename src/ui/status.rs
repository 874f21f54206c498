//! What the status bar shows besides the connection: recent round trips
//! (a sparkline), a spinner while requests run, and short-lived messages.
//! Time is counted in ticks the runtime sends (`Msg::Animate`), so this stays
//! pure and testable.

use std::collections::VecDeque;

/// How often the runtime sends `Msg::Animate` while something animates.
pub const TICK_MS: u64 = 100;
/// Round trips the sparkline shows.
pub const SPARK_SAMPLES: usize = 16;
/// How long a short-lived message stays: 4 s.
pub const MESSAGE_TICKS: u64 = 40;

/// Round trips above this many times the median all show as the top bar.
const OUTLIER_FACTOR: u64 = 4;
const SPARKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
const SPINNER: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatusState {
    /// The last round trips (µs), oldest first.
    round_trips: VecDeque<u64>,
    /// Ticks since start: the spinner's frame and the messages' clock.
    ticks: u64,
    /// A short-lived message and the tick it goes at.
    message: Option<(String, u64)>,
    /// The tick the connection last changed state at.
    state_since: u64,
}

impl StatusState {
    pub fn record_round_trip(&mut self, micros: u64) {
        if self.round_trips.len() == SPARK_SAMPLES {
            self.round_trips.pop_front();
        }
        self.round_trips.push_back(micros);
    }

    /// Show `text` for a few seconds.
    pub fn say(&mut self, text: impl Into<String>) {
        self.message = Some((text.into(), self.ticks + MESSAGE_TICKS));
    }

    /// The short-lived message, while it lasts.
    pub fn message(&self) -> Option<&str> {
        self.message.as_ref().map(|(text, _)| text.as_str())
    }

    /// The connection changed state: countdowns start from now.
    pub fn state_changed(&mut self) {
        self.state_since = self.ticks;
    }

    /// Milliseconds since the connection last changed state.
    pub fn in_state_ms(&self) -> u64 {
        (self.ticks - self.state_since) * TICK_MS
    }

    pub fn tick(&mut self) {
        self.ticks += 1;
        if self
            .message
            .as_ref()
            .is_some_and(|(_, until)| self.ticks >= *until)
        {
            self.message = None;
        }
    }

    /// Whether ticks change anything: a spinner turns, a countdown runs
    /// (`busy`) or a message waits to go. An idle TUI gets no ticks (and
    /// draws no more often).
    pub fn wants_ticks(&self, busy: bool) -> bool {
        busy || self.message.is_some()
    }

    pub fn spinner(&self) -> char {
        SPINNER[(self.ticks % SPINNER.len() as u64) as usize]
    }

    /// The round trips as bars from 0 to the largest, at most 4x the median (a flat line when all
    /// are equal); empty with fewer than two, which show no trend.
    pub fn sparkline(&self) -> String {
        if self.round_trips.len() < 2 {
            return String::new();
        }
        // The top bar stands for at most 4x the median: one slow round trip
        // (the first after a start) shows full without flattening the rest.
        let mut sorted: Vec<u64> = self.round_trips.iter().copied().collect();
        sorted.sort_unstable();
        let ceiling = sorted[sorted.len() / 2].saturating_mul(OUTLIER_FACTOR);
        let largest = sorted[sorted.len() - 1].min(ceiling).max(1);
        self.round_trips
            .iter()
            .map(|&micros| {
                // Round up, so that any round trip shows at least the lowest bar.
                let level = (micros.min(largest) * SPARKS.len() as u64).div_ceil(largest);
                SPARKS[(level.clamp(1, SPARKS.len() as u64) - 1) as usize]
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sparkline_scales_to_the_largest_of_the_last_sixteen() {
        let mut status = StatusState::default();
        status.record_round_trip(400);
        assert_eq!(status.sparkline(), "", "one sample shows no trend");
        for micros in [800, 200, 100, 400] {
            status.record_round_trip(micros);
        }
        assert_eq!(status.sparkline(), "▄█▂▁▄");
        for _ in 0..20 {
            status.record_round_trip(300);
        }
        assert_eq!(status.sparkline(), "█".repeat(SPARK_SAMPLES));
    }

    #[test]
    fn one_slow_round_trip_does_not_flatten_the_others() {
        let mut status = StatusState::default();
        for micros in [50_000, 200, 400, 200, 400] {
            status.record_round_trip(micros);
        }
        // Median 400: the top bar is 1.6 ms, the slow start shows full.
        assert_eq!(status.sparkline(), "█▁▂▁▂");
    }

    #[test]
    fn a_message_goes_after_a_few_seconds_of_ticks() {
        let mut status = StatusState::default();
        assert!(!status.wants_ticks(false));
        status.say("Transcript saved.");
        assert!(status.wants_ticks(false));
        for _ in 1..MESSAGE_TICKS {
            status.tick();
        }
        assert_eq!(status.message(), Some("Transcript saved."));
        status.tick();
        assert_eq!(status.message(), None);
        assert!(!status.wants_ticks(false));
        assert!(status.wants_ticks(true));
    }

    #[test]
    fn time_in_a_state_counts_from_its_change() {
        let mut status = StatusState::default();
        status.tick();
        status.state_changed();
        for _ in 0..12 {
            status.tick();
        }
        assert_eq!(status.in_state_ms(), 1_200);
    }

    #[test]
    fn the_spinner_turns_with_the_ticks() {
        let mut status = StatusState::default();
        let first = status.spinner();
        status.tick();
        assert_ne!(status.spinner(), first);
        for _ in 1..SPINNER.len() {
            status.tick();
        }
        assert_eq!(status.spinner(), first);
    }
}
