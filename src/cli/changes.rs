//! `stui changes [--since TIME | --since-save] [--json]`, `stui changes
//! replay [--all]` and `stui changes export FILE`: the server's changes
//! file (see `crate::changes`), listed, filed back in, or written out.

use std::path::Path;

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde_json::json;

use super::args::ChangesCommand;
use super::eval::run_code;
use super::filing::{errors_status, shown_on_stderr, shown_on_stdout, summary};
use super::{Context, exit, print_json};
use crate::changes::{
    ChangeLog, Entry, REPLAY_ORIGIN, Select, file_in_text, locate, replay_request,
};
use crate::protocol::FileInResult;
use crate::server::LocalServer;

/// `--since TIME`: an age (`30m`, `2h`, `1d`), an RFC 3339 date-time, a
/// local date-time without offset, or a local date (its midnight).
pub fn parse_time(text: &str) -> Result<Timestamp, String> {
    parse_time_at(text, Timestamp::now(), &TimeZone::system())
}

/// [`parse_time`] with the clock and the time zone given.
pub fn parse_time_at(text: &str, now: Timestamp, zone: &TimeZone) -> Result<Timestamp, String> {
    let text = text.trim();
    if let Some(age) = parse_age(text) {
        return now
            .checked_sub(age)
            .map_err(|_| format!("{text} ago is before any date"));
    }
    if let Ok(time) = text.parse::<Timestamp>() {
        return Ok(time);
    }
    let local = text.parse::<jiff::civil::DateTime>().or_else(|_| {
        text.parse::<jiff::civil::Date>()
            .map(|d| d.to_datetime(jiff::civil::Time::midnight()))
    });
    match local {
        Ok(local) => zone.to_timestamp(local).map_err(|e| format!("{text}: {e}")),
        Err(_) => Err(format!(
            "'{text}' is not a time: write a date-time (2026-12-07T10:00:00Z, or local \
             2026-12-07T10:00), a date (2026-12-07) or an age (45s, 30m, 2h, 1d, 2w)"
        )),
    }
}

/// `30m`, `2h`, `1d`, `2w`, `45s`: digits and one unit.
fn parse_age(text: &str) -> Option<SignedDuration> {
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (digits, unit) = text.split_at(split);
    let count: i64 = digits.parse().ok()?;
    let seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        _ => return None,
    };
    Some(SignedDuration::from_secs(count.checked_mul(seconds)?))
}

/// An entry's time in the local zone, to the second (the ISO text when it
/// does not read as a time).
pub fn local_time(entry: &Entry, zone: &TimeZone) -> String {
    match entry.timestamp() {
        Some(time) => zone
            .to_datetime(time)
            .strftime("%Y-%m-%d %H:%M:%S")
            .to_string(),
        None => entry.time.clone(),
    }
}

/// One line of the list: time, session (short), cause, kind, target.
pub fn list_line(entry: &Entry, zone: &TimeZone) -> String {
    let session: String = entry
        .session
        .as_deref()
        .unwrap_or("-")
        .chars()
        .take(8)
        .collect();
    let mut line = format!(
        "{}  {session:<8}  {:<8}  {:<13}  {}",
        local_time(entry, zone),
        entry.cause,
        entry.kind,
        entry.target
    );
    if !entry.complete {
        line.push_str("  (cut short: never replayed)");
    }
    line
}

pub fn run(context: &Context, file: Option<&Path>, command: &ChangesCommand) -> u8 {
    let path = file.map_or_else(
        || LocalServer::from_settings(&context.settings).changes_file,
        Path::to_path_buf,
    );
    let log = match load(&path, file.is_some()) {
        Ok(log) => log,
        Err(why) => {
            eprintln!("stui: {why}");
            return exit::FAILURE;
        }
    };
    match command {
        ChangesCommand::List(select) => list(context, &path, &log, *select),
        ChangesCommand::Replay { all, timeout } => replay(context, &path, &log, *all, *timeout),
        ChangesCommand::Export { to, select, force } => export(&path, &log, to, *select, *force),
    }
}

/// The log at `path`. A missing file is an error when the user named it,
/// and no changes yet when it is the local server's.
fn load(path: &Path, named: bool) -> Result<ChangeLog, String> {
    match ChangeLog::read(path) {
        Ok(log) => Ok(log),
        Err(e) if !named && e.kind() == std::io::ErrorKind::NotFound => Ok(ChangeLog::default()),
        Err(e) => Err(format!(
            "cannot read the changes file {}: {e}",
            path.display()
        )),
    }
}

fn list(context: &Context, path: &Path, log: &ChangeLog, select: Select) -> u8 {
    let entries = log.select(select);
    if context.json {
        print_json(&json!({"file": path, "entries": entries, "skipped_lines": log.skipped_lines}));
        return exit::SUCCESS;
    }
    if entries.is_empty() {
        println!("no changes in {}", path.display());
        return exit::SUCCESS;
    }
    let zone = TimeZone::system();
    let lines: String = entries
        .iter()
        .map(|entry| list_line(entry, &zone) + "\n")
        .collect();
    print!("{}", shown_on_stdout(&lines));
    match log.skipped_lines {
        0 => {}
        1 => eprintln!(
            "stui: {}: 1 line belongs to no change (ignored)",
            path.display()
        ),
        n => eprintln!(
            "stui: {}: {n} lines belong to no change (ignored)",
            path.display()
        ),
    }
    exit::SUCCESS
}

/// Warns of the entries a crash cut short: they are left out.
fn warn_cut_short(path: &Path, log: &ChangeLog) {
    for entry in log.cut_short() {
        eprintln!(
            "stui: {}:{}: {} {} was cut short (the server stopped while writing it): left out",
            path.display(),
            entry.line,
            entry.kind,
            shown_on_stderr(&entry.target)
        );
    }
}

fn replay(context: &Context, path: &Path, log: &ChangeLog, all: bool, timeout: Option<u64>) -> u8 {
    let entries: Vec<&Entry> = if all {
        log.entries.iter().filter(|e| e.is_replayable()).collect()
    } else {
        log.since_save()
    };
    warn_cut_short(path, log);
    if entries.is_empty() {
        let which = if all { "" } else { " since the last save" };
        println!(
            "nothing to replay: no code changes{which} in {}",
            path.display()
        );
        return exit::SUCCESS;
    }
    let timeout = timeout.unwrap_or(context.settings.server.evaluation_timeout_ms);
    let request = replay_request(&entries, timeout);
    match run_code::<FileInResult>(context, request).map(|timed| timed.value) {
        Ok(result) => {
            println!("replayed {} changes from {}", entries.len(), path.display());
            print!("{}", shown_on_stdout(&summary(&result)));
            for error in &result.errors {
                let message = shown_on_stderr(&error.message);
                match locate(&entries, error.line) {
                    Some((entry, line)) => eprintln!(
                        "{}:{line}:{}: {message} ({} {}, {})",
                        path.display(),
                        error.column,
                        entry.kind,
                        shown_on_stderr(&entry.target),
                        entry.time
                    ),
                    None => eprintln!("{REPLAY_ORIGIN}:{}:{}: {message}", error.line, error.column),
                }
            }
            errors_status(&path.display().to_string(), result.errors.len())
        }
        Err(failure) => failure.finish(false),
    }
}

fn export(path: &Path, log: &ChangeLog, to: &Path, select: Select, force: bool) -> u8 {
    let entries = log.select(select);
    warn_cut_short(path, log);
    if !entries.iter().any(|e| e.is_replayable()) {
        println!(
            "nothing to export: no code changes selected in {}",
            path.display()
        );
        return exit::SUCCESS;
    }
    let text = file_in_text(entries.iter().copied());
    let count = entries.iter().filter(|e| e.is_replayable()).count();
    super::filing::write_file(to, &text, force, &format!("{count} changes to"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Result<Timestamp, String> {
        let now: Timestamp = "2026-12-07T12:00:00Z".parse().unwrap();
        parse_time_at(text, now, &TimeZone::fixed(jiff::tz::offset(1)))
    }

    fn utc(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn ages_count_back_from_now() {
        assert_eq!(at("30m"), Ok(utc("2026-12-07T11:30:00Z")));
        assert_eq!(at("2h"), Ok(utc("2026-12-07T10:00:00Z")));
        assert_eq!(at("1d"), Ok(utc("2026-12-06T12:00:00Z")));
        assert_eq!(at("2w"), Ok(utc("2026-11-23T12:00:00Z")));
        assert_eq!(at("45s"), Ok(utc("2026-12-07T11:59:15Z")));
        assert_eq!(at(" 0m "), Ok(utc("2026-12-07T12:00:00Z")));
    }

    #[test]
    fn date_times_with_an_offset_are_taken_as_they_are() {
        assert_eq!(
            at("2026-12-07T10:11:12.345Z"),
            Ok(utc("2026-12-07T10:11:12.345Z"))
        );
        assert_eq!(
            at("2026-12-07T10:00:00+02:00"),
            Ok(utc("2026-12-07T08:00:00Z"))
        );
    }

    #[test]
    fn dates_and_date_times_without_offset_are_local() {
        // One hour east of UTC, as Paris in December.
        assert_eq!(at("2026-12-07"), Ok(utc("2026-12-06T23:00:00Z")));
        assert_eq!(at("2026-12-07T10:00"), Ok(utc("2026-12-07T09:00:00Z")));
        assert_eq!(at("2026-12-07 10:00:30"), Ok(utc("2026-12-07T09:00:30Z")));
    }

    #[test]
    fn other_text_is_refused_with_the_accepted_forms() {
        for bad in ["", "yesterday", "2h30m", "5y", "-3h", "2026-13-01", "h"] {
            let why = at(bad).unwrap_err();
            assert!(
                why.contains("an age (45s, 30m, 2h, 1d, 2w)"),
                "{bad}: {why}"
            );
        }
        assert!(at("99999999999999w").is_err());
    }

    #[test]
    fn list_lines_show_local_time_short_session_and_flags() {
        let log = ChangeLog::parse(
            "\"stui-change time=2026-12-07T10:11:12.345Z session=3f2a1b9c-77 cause=compile kind=method target=Foo class>>bar\"!\n!Foo class methodsFor: 'x'!\nbar\n\t^1! !\n\n\"stui-change time=2026-12-07T10:12:00.000Z session=- cause=server kind=save target=/d/a.im\"!\n",
        );
        let zone = TimeZone::fixed(jiff::tz::offset(1));
        assert_eq!(
            list_line(&log.entries[0], &zone),
            "2026-12-07 11:11:12  3f2a1b9c  compile   method         Foo class>>bar"
        );
        assert_eq!(
            list_line(&log.entries[1], &zone),
            "2026-12-07 11:12:00  -         server    save           /d/a.im  (cut short: never replayed)"
        );
    }
}
