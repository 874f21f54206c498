//! `stui server processes [--stop ID|all]`: the processes that evaluated code
//! forked and that still run (`describe.processes`), and stopping them
//! (`interrupt` with `process`). An evaluation never outlives its reply, but
//! a process it forked on purpose may; this is how the user sees and ends it.

use serde_json::json;

use super::{Context, answer, exit, print_json};
use crate::protocol::{
    DescribeResult, ForkedProcess, InterruptParams, InterruptResult, RequestBody,
};

pub fn run(context: &Context, stop: Option<String>) -> u8 {
    let mut client = match context.client() {
        Ok(client) => client,
        Err(failure) => return failure.finish(context.json),
    };
    if let Some(id) = stop {
        let body = RequestBody::Interrupt(InterruptParams {
            target: None,
            process: Some(id.clone()),
        });
        return match answer(client.call::<InterruptResult>(body)) {
            Ok(timed) => {
                let stopped = timed.value.interrupted;
                if context.json {
                    print_json(&json!({"ok": true, "stopped": stopped}));
                } else if stopped == 0 {
                    println!("no forked process {id} is running");
                } else {
                    println!(
                        "stopping {stopped} forked process(es) (their ensure: blocks run first)"
                    );
                }
                exit::SUCCESS
            }
            Err(failure) => failure.finish(context.json),
        };
    }
    match answer(client.describe()) {
        Ok(timed) => {
            print_listing(&timed.value, context.json);
            exit::SUCCESS
        }
        Err(failure) => failure.finish(context.json),
    }
}

fn print_listing(describe: &DescribeResult, json: bool) {
    let processes = describe.processes.clone().unwrap_or_default();
    let total = describe.processes_total.unwrap_or(processes.len() as u64);
    if json {
        print_json(&json!({"ok": true, "processes": processes, "total": total}));
        return;
    }
    if describe.processes.is_none() {
        println!("this server does not list the processes evaluated code forked");
        return;
    }
    println!("{total} process(es) forked by evaluated code still run");
    for process in &processes {
        println!("  {}", describe_process(process));
    }
    if total > processes.len() as u64 {
        println!("  … and {} more", total - processes.len() as u64);
    }
}

/// One line: id, state, priority, age, name, and the evaluation that forked it.
pub fn describe_process(process: &ForkedProcess) -> String {
    let mut line = format!(
        "{:<6} {:<9} priority {}  age {:.1} s",
        process.id,
        process.state,
        process.priority,
        process.age_ms as f64 / 1000.0
    );
    if let Some(name) = &process.name {
        line.push_str(&format!("  name {name:?}"));
    }
    if let Some(session) = &process.session {
        line.push_str(&format!("  session {session}"));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_process_line_names_what_the_user_needs() {
        let process = ForkedProcess {
            id: "p3".into(),
            name: Some("ticker".into()),
            priority: 3,
            state: "waiting".into(),
            session: Some("s1".into()),
            request: Some("r1".into()),
            age_ms: 12_345,
        };
        let line = describe_process(&process);
        for part in [
            "p3",
            "waiting",
            "priority 3",
            "12.3 s",
            "\"ticker\"",
            "session s1",
        ] {
            assert!(line.contains(part), "{line}");
        }
    }
}
