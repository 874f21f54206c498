//! The image's Transcript as the bridge follows it: a cursor, and the
//! bookkeeping that shows each piece of output once although it reaches the
//! client twice (in an evaluation's reply and in the polled Transcript).

use super::{Answer, NetEvent};
use crate::protocol::{Cursor, ErrorObject, TranscriptParams, TranscriptResult};

#[derive(Debug, Default)]
pub struct TranscriptFeed {
    /// Where the next poll starts; None = the session's own cursor.
    cursor: Option<Cursor>,
    /// Evaluation output already shown with its reply: removed from the
    /// next poll.
    echoes: Vec<String>,
    /// What polls showed while an evaluation ran: removed from its reply.
    streamed: String,
}

impl TranscriptFeed {
    pub fn params(&self) -> TranscriptParams {
        TranscriptParams {
            since: self.cursor.clone(),
        }
    }

    /// Takes a poll's result; answers the event for the UI, if there is
    /// anything to show. `during_evaluation`: the session's evaluation is
    /// still running, so what is shown now must not be shown with its reply.
    pub fn accept(
        &mut self,
        result: TranscriptResult,
        during_evaluation: bool,
    ) -> Option<NetEvent> {
        self.cursor = Some(result.next);
        let text = strip_echoes(&result.text, &self.echoes);
        self.echoes.clear();
        if during_evaluation {
            self.streamed.push_str(&text);
        }
        let dropped = result.dropped.unwrap_or(0);
        (!text.is_empty() || dropped > 0).then_some(NetEvent::Transcript { text, dropped })
    }

    /// Settles an evaluation's reply: the output that polls already showed
    /// is cut from it, and the rest will be cut from the next poll.
    pub fn settle(&mut self, result: &mut Result<Answer, ErrorObject>) {
        let streamed = std::mem::take(&mut self.streamed);
        let output = match result {
            Ok(Answer::Evaluate(value)) => &mut value.output,
            Err(error) => match error.output.as_mut() {
                Some(output) => output,
                None => return,
            },
            Ok(_) => return,
        };
        let shown = shown_prefix_len(output, &streamed);
        output.replace_range(..shown, "");
        if !output.is_empty() {
            self.echoes.push(output.clone());
        }
    }
}

/// `text` without the first occurrence of each echo, taken in order.
pub fn strip_echoes(text: &str, echoes: &[String]) -> String {
    let mut remaining = text.to_string();
    let mut from = 0;
    for echo in echoes {
        if let Some(found) = remaining[from..].find(echo.as_str()) {
            let start = from + found;
            remaining.replace_range(start..start + echo.len(), "");
            from = start;
        }
    }
    remaining
}

/// How many leading bytes of `output` polls already showed: `streamed` holds
/// them in order, maybe interleaved with other output of the image, so the
/// longest prefix it contains is taken, then the longest continuation after
/// it, and so on.
pub fn shown_prefix_len(output: &str, streamed: &str) -> usize {
    let (mut shown, mut from) = (0, 0);
    loop {
        let rest = &output[shown..];
        let haystack = &streamed[from..];
        let len = longest_contained_prefix(rest, haystack);
        if len == 0 {
            return shown;
        }
        let at = haystack
            .find(&rest[..len])
            .expect("the prefix was found in it");
        from += at + len;
        shown += len;
    }
}

/// The length in bytes of the longest prefix of `text` (on a character
/// boundary) that `haystack` contains.
fn longest_contained_prefix(text: &str, haystack: &str) -> usize {
    let boundaries: Vec<usize> = text
        .char_indices()
        .map(|(index, _)| index)
        .skip(1)
        .chain([text.len()])
        .collect();
    // A prefix that is contained has every shorter prefix contained too.
    let contained = boundaries.partition_point(|&end| haystack.contains(&text[..end]));
    match contained {
        0 => 0,
        n => boundaries[n - 1],
    }
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

    fn evaluation(output: &str) -> Answer {
        Answer::Evaluate(EvaluateResult {
            print: "3".into(),
            class: "SmallInteger".into(),
            truncated: false,
            handle: "h1".into(),
            output: output.into(),
            duration_us: 1,
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
    fn echoes_are_stripped_once_and_in_order() {
        let echoes = vec!["hello\n".to_string(), "world\n".to_string()];
        assert_eq!(
            strip_echoes("other\nhello\nmiddle\nworld\nhello\n", &echoes),
            "other\nmiddle\nhello\n"
        );
        assert_eq!(strip_echoes("nothing here", &echoes), "nothing here");
        assert_eq!(strip_echoes("", &[]), "");
    }

    #[test]
    fn shown_prefix_is_the_longest_contained_on_a_character_boundary() {
        assert_eq!(shown_prefix_len("1\n2\n3\n", "x\n1\n2\n"), 4);
        // Interleaved with other output, in order.
        assert_eq!(shown_prefix_len("1\n2\n3\n", "1\nother\n2\n"), 4);
        assert_eq!(shown_prefix_len("1\n2\n", "1\n2\nmore"), 4);
        assert_eq!(shown_prefix_len("abc", "zzz"), 0);
        assert_eq!(shown_prefix_len("", "anything"), 0);
        // "é" is two bytes: a prefix never ends inside it.
        assert_eq!(shown_prefix_len("aé", "a\u{00c3}"), 1);
    }

    #[test]
    fn output_shown_with_a_reply_is_not_shown_again_by_the_next_poll() {
        let mut feed = TranscriptFeed::default();
        let mut reply = Ok(evaluation("mine\n"));
        feed.settle(&mut reply);
        assert_eq!(output_of(&reply), "mine\n");
        let event = feed.accept(poll("other\nmine\n", 10), false);
        assert_eq!(text_of(event), "other\n");
        assert_eq!(feed.params().since, Some(json!(10)));
        // Each echo is stripped once only.
        assert_eq!(text_of(feed.accept(poll("mine\n", 15), false)), "mine\n");
    }

    #[test]
    fn output_streamed_while_an_evaluation_ran_is_cut_from_its_reply() {
        let mut feed = TranscriptFeed::default();
        assert_eq!(text_of(feed.accept(poll("1\n", 2), true)), "1\n");
        assert_eq!(text_of(feed.accept(poll("x\n2\n", 6), true)), "x\n2\n");
        let mut reply = Ok(evaluation("1\n2\n3\n"));
        feed.settle(&mut reply);
        assert_eq!(output_of(&reply), "3\n", "only what polls did not show");
        // The rest arrives with the next poll too, and is not shown twice.
        assert_eq!(text_of(feed.accept(poll("3\ny\n", 10), false)), "y\n");
    }

    #[test]
    fn an_error_reply_is_settled_like_a_value() {
        let mut feed = TranscriptFeed::default();
        feed.accept(poll("before\n", 7), true);
        let mut error = ErrorObject::new(ErrorCode::EvaluationError, "ZeroDivide");
        error.output = Some("before\nafter\n".into());
        let mut reply = Err(error);
        feed.settle(&mut reply);
        assert_eq!(output_of(&reply), "after\n");
    }

    #[test]
    fn lost_output_is_reported_even_without_text() {
        let mut feed = TranscriptFeed::default();
        let event = feed.accept(
            TranscriptResult {
                text: String::new(),
                next: json!(5000),
                dropped: Some(4096),
            },
            false,
        );
        assert_eq!(
            event,
            Some(NetEvent::Transcript {
                text: String::new(),
                dropped: 4096
            })
        );
        assert_eq!(feed.accept(poll("", 5000), false), None);
    }
}
