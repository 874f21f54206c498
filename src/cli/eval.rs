//! `stui eval CODE` and `stui eval -`.

use std::io::{IsTerminal, Read};
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::{Context, Failure, answer, exit, millis, print_json};
use crate::net::Timed;
use crate::protocol::{ErrorObject, EvaluateParams, EvaluateResult, RequestBody};

/// Text from the server on its way to a terminal: control characters (ESC,
/// C0 but newline and tab, DEL, C1) shown as escapes, so a hostile server
/// cannot retitle the window, clear the screen or write the clipboard.
pub fn escape_controls(text: &str) -> String {
    let mut shown = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\t' => shown.push(c),
            '\u{1b}' => shown.push_str("\\e"),
            '\0'..='\u{1f}' | '\u{7f}' => shown.push_str(&format!("\\x{:02x}", c as u32)),
            '\u{80}'..='\u{9f}' => shown.push_str(&format!("\\u{{{:x}}}", c as u32)),
            _ => shown.push(c),
        }
    }
    shown
}

/// How `stui eval` prints what the server sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// As it came (`--raw`, or stdout is not a terminal).
    Raw,
    /// Control characters escaped (see [`escape_controls`]).
    Escaped,
}

impl Output {
    /// Escaped on a terminal unless `raw`; as it is for pipes and files.
    pub fn choose(raw: bool, terminal: bool) -> Self {
        if raw || !terminal {
            Self::Raw
        } else {
            Self::Escaped
        }
    }

    pub fn show(self, text: &str) -> String {
        match self {
            Self::Raw => text.to_string(),
            Self::Escaped => escape_controls(text),
        }
    }

    /// The error's server-written texts, shown this way.
    fn show_error(self, error: &mut ErrorObject) {
        error.message = self.show(&error.message);
        error.class = error.class.as_deref().map(|c| self.show(c));
        for frame in error.stack.iter_mut().flatten() {
            *frame = self.show(frame);
        }
    }
}

/// The code to evaluate: the argument, or stdin for `-`.
pub fn code_from(argument: &str, stdin: &mut impl Read) -> std::io::Result<String> {
    if argument != "-" {
        return Ok(argument.to_string());
    }
    let mut code = String::new();
    stdin.read_to_string(&mut code)?;
    Ok(code)
}

/// `{"ok": true, "result": {…}, "round_trip_ms": n}`.
pub fn success_json(timed: &Timed<EvaluateResult>) -> Value {
    json!({"ok": true, "result": timed.value, "round_trip_ms": millis(timed.round_trip)})
}

/// The Transcript output, then the value: what `stui eval` prints on stdout.
pub fn success_text(result: &EvaluateResult) -> String {
    let mut text = with_newline(&result.output);
    text.push_str(&result.print);
    text.push('\n');
    text
}

fn with_newline(output: &str) -> String {
    let mut text = output.to_string();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

pub fn run(context: &Context, code: &str, timeout_ms: Option<u64>, raw: bool) -> u8 {
    let code = match code_from(code, &mut std::io::stdin().lock()) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("stui: cannot read the code from stdin: {error}");
            return exit::FAILURE;
        }
    };
    let stdout = Output::choose(raw, std::io::stdout().is_terminal());
    match evaluate(context, &code, timeout_ms) {
        Ok(timed) => {
            if context.json {
                print_json(&success_json(&timed));
            } else {
                print!("{}", stdout.show(&success_text(&timed.value)));
            }
            exit::SUCCESS
        }
        Err(mut failure) => {
            if let (false, Failure::Reply(error)) = (context.json, &mut failure) {
                // What the code wrote before it failed.
                let output = with_newline(error.output.as_deref().unwrap_or(""));
                print!("{}", stdout.show(&output));
                Output::choose(raw, std::io::stderr().is_terminal()).show_error(error);
            }
            failure.finish(context.json)
        }
    }
}

fn evaluate(
    context: &Context,
    code: &str,
    timeout_ms: Option<u64>,
) -> Result<Timed<EvaluateResult>, Failure> {
    let body = RequestBody::Evaluate(EvaluateParams {
        code: code.to_string(),
        timeout_ms: Some(timeout_ms.unwrap_or(context.settings.server.evaluation_timeout_ms)),
        print_limit: None,
        receiver: None,
        debug: None,
    });
    run_code(context, body)
}

/// Sends a request that runs code (and may rightly take its whole
/// timeout) to the first server that answers, watched by heartbeats.
pub fn run_code<T: DeserializeOwned>(
    context: &Context,
    body: RequestBody,
) -> Result<Timed<T>, Failure> {
    // A ping first tells an absent server within the request timeout
    // (and picks a failover backup when the server does not answer).
    let mut client = context.answering_client()?;
    let heartbeat = Duration::from_millis(context.settings.server.heartbeat_ms);
    answer(client.call_watched(body, heartbeat))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn result(print: &str, output: &str) -> EvaluateResult {
        EvaluateResult {
            print: print.into(),
            class: "SmallInteger".into(),
            truncated: false,
            handle: "h1".into(),
            output: output.into(),
            output_ranges: None,
            duration_us: 12,
            warnings: Vec::new(),
        }
    }

    #[test]
    fn control_characters_from_the_server_are_escaped_for_a_terminal() {
        // OSC 52 (write the clipboard), terminated by BEL.
        assert_eq!(
            escape_controls("\u{1b}]52;c;aGk=\u{7}"),
            "\\e]52;c;aGk=\\x07"
        );
        // CSI clear screen and cursor home.
        assert_eq!(escape_controls("\u{1b}[2J\u{1b}[H"), "\\e[2J\\e[H");
        assert_eq!(escape_controls("ding\u{7}"), "ding\\x07");
        // The one-character C1 CSI, and DEL.
        assert_eq!(escape_controls("\u{9b}2J\u{7f}"), "\\u{9b}2J\\x7f");
        // Text, newlines, tabs and other characters stay as they are.
        assert_eq!(escape_controls("a\tb\nçé ✓\r"), "a\tb\nçé ✓\\x0d");
    }

    #[test]
    fn escaping_applies_on_a_terminal_unless_raw() {
        let text = "\u{1b}[2J";
        assert_eq!(Output::choose(false, true).show(text), "\\e[2J");
        assert_eq!(Output::choose(true, true).show(text), text);
        assert_eq!(Output::choose(false, false).show(text), text);
    }

    #[test]
    fn a_dash_reads_the_code_from_stdin() {
        let mut stdin = "| x |\nx := 3.\nx + 4\n".as_bytes();
        assert_eq!(
            code_from("-", &mut stdin).unwrap(),
            "| x |\nx := 3.\nx + 4\n"
        );
        assert_eq!(
            code_from("3 + 4", &mut "ignored".as_bytes()).unwrap(),
            "3 + 4"
        );
    }

    #[test]
    fn output_comes_before_the_value_on_its_own_line() {
        assert_eq!(success_text(&result("7", "")), "7\n");
        assert_eq!(success_text(&result("7", "hi")), "hi\n7\n");
        assert_eq!(success_text(&result("7", "hi\n")), "hi\n7\n");
    }

    #[test]
    fn json_holds_the_whole_result() {
        let timed = Timed {
            value: result("7", "hi"),
            round_trip: Duration::from_micros(1500),
        };
        let value = success_json(&timed);
        assert_eq!(value["ok"], true);
        assert_eq!(value["result"]["print"], "7");
        assert_eq!(value["result"]["class"], "SmallInteger");
        assert_eq!(value["result"]["output"], "hi");
        assert_eq!(value["result"]["duration_us"], 12);
        assert_eq!(value["round_trip_ms"], 1.5);
    }
}
