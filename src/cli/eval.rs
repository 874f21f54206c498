//! `stui eval CODE` and `stui eval -`.

use std::io::Read;

use serde_json::{Value, json};

use super::{Context, Failure, answer, exit, millis, print_json};
use crate::net::Timed;
use crate::protocol::{EvaluateParams, EvaluateResult, RequestBody};

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

pub fn run(context: &Context, code: &str, timeout_ms: Option<u64>) -> u8 {
    let code = match code_from(code, &mut std::io::stdin().lock()) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("stui: cannot read the code from stdin: {error}");
            return exit::FAILURE;
        }
    };
    match evaluate(context, &code, timeout_ms) {
        Ok(timed) => {
            if context.json {
                print_json(&success_json(&timed));
            } else {
                print!("{}", success_text(&timed.value));
            }
            exit::SUCCESS
        }
        Err(failure) => {
            if let (false, Failure::Reply(error)) = (context.json, &failure) {
                // What the code wrote before it failed.
                print!("{}", with_newline(error.output.as_deref().unwrap_or("")));
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
    // An evaluation may rightly take its whole timeout; a ping first tells an
    // absent server within the request timeout instead (and picks a
    // failover backup when the server does not answer).
    let mut client = context.answering_client()?;
    let body = RequestBody::Evaluate(EvaluateParams {
        code: code.to_string(),
        timeout_ms: Some(timeout_ms.unwrap_or(context.settings.server.evaluation_timeout_ms)),
        print_limit: None,
    });
    answer(client.call(body))
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
            duration_us: 12,
        }
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
