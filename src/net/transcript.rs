//! The image's Transcript as the bridge follows it: a cursor, and the
//! bookkeeping that shows each piece of output once although it reaches the
//! client twice (in an evaluation's reply and in the polled Transcript).
//!
//! Pieces are told apart by position, never by text: a Transcript cursor
//! counts the bytes the image ever wrote, a poll's text ends at its `next`,
//! and an evaluation's reply says which cursor ranges its `output` fills
//! (`output_ranges`). What polls already showed is cut from the reply; what
//! the reply shows is cut from later polls. Each step is linear in the text
//! and the ranges at hand.

use super::{Answer, NetEvent};
use crate::protocol::{Cursor, ErrorObject, OutputRanges, TranscriptParams, TranscriptResult};

#[derive(Debug, Default)]
pub struct TranscriptFeed {
    /// Where the next poll starts; None = the session's own cursor.
    cursor: Option<Cursor>,
    /// How far polls showed the stream, when the server's cursors are byte
    /// counts (the only kind `output_ranges` goes with).
    shown_to: Option<u64>,
    /// Stream ranges `[from, to)` that replies showed and polls have not
    /// reached yet: cut from the polls' text. Sorted by `from`.
    skips: Vec<[u64; 2]>,
}

impl TranscriptFeed {
    pub fn params(&self) -> TranscriptParams {
        TranscriptParams {
            since: self.cursor.clone(),
        }
    }

    /// Takes a poll's result; answers the event for the UI, if there is
    /// anything to show.
    pub fn accept(&mut self, result: TranscriptResult) -> Option<NetEvent> {
        let next = result.next.as_u64();
        let text = match next {
            Some(end) if !self.skips.is_empty() => {
                let text = cut_ranges(&result.text, end, &self.skips);
                // Disjoint and sorted: the ranges passed are at the front.
                let passed = self.skips.partition_point(|range| range[1] <= end);
                self.skips.drain(..passed);
                text
            }
            _ => result.text,
        };
        self.shown_to = next;
        self.cursor = Some(result.next);
        let dropped = result.dropped.unwrap_or(0);
        (!text.is_empty() || dropped > 0).then_some(NetEvent::Transcript { text, dropped })
    }

    /// Settles an evaluation's reply: the output that polls already showed
    /// is cut from it, and the rest will be cut from later polls. `polling`:
    /// the Transcript is being polled (else the reply is the only place its
    /// output shows, and is left whole).
    pub fn settle(&mut self, result: &mut Result<Answer, ErrorObject>, polling: bool) {
        let (output, ranges) = match result {
            Ok(Answer::Evaluate(value)) => (&mut value.output, value.output_ranges.as_ref()),
            Err(error) => match error.output.as_mut() {
                Some(output) => (output, error.details.output_ranges.as_ref()),
                None => return,
            },
            Ok(_) => return,
        };
        if !polling {
            return;
        }
        match ranges {
            Some(ranges) => self.settle_ranges(output, ranges),
            // A server that does not say where its output lies: the polls
            // show all of it, once, and the reply none.
            None => output.clear(),
        }
    }

    fn settle_ranges(&mut self, output: &mut String, ranges: &OutputRanges) {
        let shown_to = self.shown_to.unwrap_or(0);
        let mut shown: u64 = 0;
        for &[from, to] in ranges {
            shown += to.min(shown_to).saturating_sub(from);
            let rest = from.max(shown_to);
            if rest < to {
                self.skips.push([rest, to]);
            }
        }
        self.skips.sort_unstable();
        let mut shown = usize::try_from(shown)
            .unwrap_or(usize::MAX)
            .min(output.len());
        while !output.is_char_boundary(shown) {
            shown += 1;
        }
        output.replace_range(..shown, "");
    }
}

/// `text`, which ends at cursor `end`, without the bytes of `skips` (sorted
/// by start). One pass over the text and the ranges.
pub fn cut_ranges(text: &str, end: u64, skips: &[[u64; 2]]) -> String {
    let start = end.saturating_sub(text.len() as u64);
    let bytes = text.as_bytes();
    let mut kept = Vec::with_capacity(bytes.len());
    let mut at = start;
    for &[from, to] in skips {
        if to <= at {
            continue;
        }
        if from >= end {
            break;
        }
        let from = from.max(at);
        kept.extend_from_slice(&bytes[offset(start, at)..offset(start, from)]);
        at = to.min(end);
    }
    kept.extend_from_slice(&bytes[offset(start, at)..]);
    match String::from_utf8(kept) {
        Ok(text) => text,
        // Ranges that cut a character: the server's cursors and text disagree.
        Err(error) => String::from_utf8_lossy(error.as_bytes()).into_owned(),
    }
}

fn offset(start: u64, cursor: u64) -> usize {
    usize::try_from(cursor - start).expect("a cursor inside the text")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{ErrorCode, EvaluateResult};
    use serde_json::json;

    fn poll(text: &str, next: u64) -> TranscriptResult {
        TranscriptResult {
            text: text.into(),
            next: json!(next),
            dropped: None,
        }
    }

    fn evaluation(output: &str, ranges: Option<OutputRanges>) -> Answer {
        Answer::Evaluate(EvaluateResult {
            print: "3".into(),
            class: "SmallInteger".into(),
            truncated: false,
            handle: "h1".into(),
            output: output.into(),
            output_ranges: ranges,
            duration_us: 1,
            warnings: Vec::new(),
        })
    }

    fn output_of(result: &Result<Answer, ErrorObject>) -> &str {
        match result {
            Ok(Answer::Evaluate(value)) => &value.output,
            Err(error) => error.output.as_deref().unwrap_or(""),
            Ok(_) => "",
        }
    }

    fn text_of(event: Option<NetEvent>) -> String {
        match event {
            Some(NetEvent::Transcript { text, .. }) => text,
            None => String::new(),
            Some(other) => panic!("expected Transcript, got {other:?}"),
        }
    }

    #[test]
    fn ranges_are_cut_by_position_not_by_text() {
        // "mine" at 10..15, "mine" again (someone else's) at 15..20.
        assert_eq!(cut_ranges("mine\nmine\n", 20, &[[10, 15]]), "mine\n");
        assert_eq!(
            cut_ranges("ab|cd|ef", 108, &[[102, 103], [105, 106]]),
            "abcdef"
        );
        // Ranges outside the text, or reaching past either end.
        assert_eq!(cut_ranges("abcdef", 6, &[[0, 2], [5, 9]]), "cde");
        assert_eq!(cut_ranges("abc", 3, &[[7, 9]]), "abc");
        assert_eq!(cut_ranges("", 3, &[[0, 3]]), "");
        // A range that cuts a character (cursors and text disagree) never panics.
        assert_eq!(cut_ranges("é", 2, &[[0, 1]]), "\u{fffd}");
    }

    #[test]
    fn output_shown_with_a_reply_is_not_shown_again_by_the_next_poll() {
        let mut feed = TranscriptFeed::default();
        assert_eq!(text_of(feed.accept(poll("", 10))), "");
        // The evaluation wrote "mine\n" at 16..21; someone else "other\n" before it.
        let mut reply = Ok(evaluation("mine\n", Some(vec![[16, 21]])));
        feed.settle(&mut reply, true);
        assert_eq!(output_of(&reply), "mine\n");
        let event = feed.accept(poll("other\nmine\n", 21));
        assert_eq!(text_of(event), "other\n");
        assert_eq!(feed.params().since, Some(json!(21)));
        // The same text written again later is shown.
        assert_eq!(text_of(feed.accept(poll("mine\n", 26))), "mine\n");
    }

    #[test]
    fn output_streamed_while_an_evaluation_ran_is_cut_from_its_reply() {
        let mut feed = TranscriptFeed::default();
        assert_eq!(text_of(feed.accept(poll("", 0))), "");
        assert_eq!(text_of(feed.accept(poll("1\n", 2))), "1\n");
        assert_eq!(text_of(feed.accept(poll("x\n2\n", 6))), "x\n2\n");
        // Its output fills 0..2, 4..6 and 6..8 (x\n was someone else's).
        let mut reply = Ok(evaluation("1\n2\n3\n", Some(vec![[0, 2], [4, 8]])));
        feed.settle(&mut reply, true);
        assert_eq!(output_of(&reply), "3\n", "only what polls did not show");
        // The rest arrives with the next poll too, and is not shown twice.
        assert_eq!(text_of(feed.accept(poll("3\ny\n", 10))), "y\n");
        assert_eq!(text_of(feed.accept(poll("3\n", 12))), "3\n");
    }

    #[test]
    fn a_reply_before_the_first_poll_is_shown_whole_and_cut_from_it() {
        let mut feed = TranscriptFeed::default();
        let mut reply = Ok(evaluation("hi\n", Some(vec![[40, 43]])));
        feed.settle(&mut reply, true);
        assert_eq!(output_of(&reply), "hi\n");
        assert_eq!(text_of(feed.accept(poll("a\nhi\nb\n", 45))), "a\nb\n");
    }

    #[test]
    fn a_truncated_reply_shows_its_note_and_polls_show_only_what_it_lacked() {
        let mut feed = TranscriptFeed::default();
        feed.accept(poll("", 0));
        let note = "\n[stui: output truncated after 4 bytes]";
        let mut reply = Ok(evaluation(&format!("abcd{note}"), Some(vec![[0, 4]])));
        feed.settle(&mut reply, true);
        assert_eq!(output_of(&reply), format!("abcd{note}"));
        assert_eq!(text_of(feed.accept(poll("abcdefgh", 8))), "efgh");
        // Polls that already showed all of it leave only the note.
        let mut feed = TranscriptFeed::default();
        feed.accept(poll("abcdefgh", 8));
        let mut reply = Ok(evaluation(&format!("abcd{note}"), Some(vec![[0, 4]])));
        feed.settle(&mut reply, true);
        assert_eq!(output_of(&reply), note);
        assert_eq!(feed.accept(poll("", 8)), None);
    }

    #[test]
    fn an_error_reply_is_settled_like_a_value() {
        let mut feed = TranscriptFeed::default();
        feed.accept(poll("", 0));
        feed.accept(poll("before\n", 7));
        let mut error = ErrorObject::new(ErrorCode::EvaluationError, "ZeroDivide");
        error.output = Some("before\nafter\n".into());
        error.details.output_ranges = Some(vec![[0, 13]]);
        let mut reply = Err(error);
        feed.settle(&mut reply, true);
        assert_eq!(output_of(&reply), "after\n");
        assert_eq!(feed.accept(poll("after\n", 13)), None);
    }

    #[test]
    fn without_ranges_the_polls_show_the_output_and_the_reply_none() {
        let mut feed = TranscriptFeed::default();
        feed.accept(poll("", 0));
        let mut reply = Ok(evaluation("out\n", None));
        feed.settle(&mut reply, true);
        assert_eq!(output_of(&reply), "");
        assert_eq!(text_of(feed.accept(poll("out\n", 4))), "out\n");
        // Not polling: the reply is the only place it shows.
        let mut reply = Ok(evaluation("out\n", None));
        feed.settle(&mut reply, false);
        assert_eq!(output_of(&reply), "out\n");
    }

    #[test]
    fn a_megabyte_of_interleaved_output_is_settled_in_linear_time() {
        // 1 MiB written in 16-byte pieces, every other piece the
        // evaluation's (32768 ranges), polled in 1 KiB steps while it runs;
        // the reply comes halfway. The old text search took minutes here.
        let piece = "0123456789abcde\n";
        let total = 1 << 20;
        let mut feed = TranscriptFeed::default();
        feed.accept(poll("", 0));
        let ranges: OutputRanges = (0..total / 32)
            .map(|k| [k as u64 * 32, k as u64 * 32 + 16])
            .collect();
        let output = piece.repeat(total / 32);
        let mut shown = String::new();
        for step in 0..total / 1024 {
            if step == total / 2048 {
                let mut reply = Ok(evaluation(&output, Some(ranges.clone())));
                feed.settle(&mut reply, true);
                assert_eq!(output_of(&reply).len(), total / 4);
                shown.push_str(output_of(&reply));
            }
            let text = piece.repeat(64);
            shown.push_str(&text_of(feed.accept(poll(&text, (step as u64 + 1) * 1024))));
        }
        assert_eq!(shown.len(), total, "each byte shown once");
        assert!(feed.skips.is_empty());
    }

    #[test]
    fn lost_output_is_reported_even_without_text() {
        let mut feed = TranscriptFeed::default();
        let event = feed.accept(TranscriptResult {
            text: String::new(),
            next: json!(5000),
            dropped: Some(4096),
        });
        assert_eq!(
            event,
            Some(NetEvent::Transcript {
                text: String::new(),
                dropped: 4096
            })
        );
        assert_eq!(feed.accept(poll("", 5000)), None);
    }
}
