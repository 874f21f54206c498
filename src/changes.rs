//! The changes file: the server appends every change to code there, as a
//! file-in (docs/PROTOCOL.md, "Extensions of this implementation"). Here it
//! is read back into entries, entries are chosen (since the last save, since
//! a time, those a crash lost) and written out again as a file-in.
//!
//! Each entry is a header chunk on a line of its own, its body chunks, then a
//! blank line:
//!
//! ```text
//! "stui-change time=2026-12-07T10:11:12.345Z session=s1 cause=compile kind=method target=Foo>>bar"!
//! !Foo methodsFor: 'x'!
//! bar
//!     ^42! !
//!
//! ```

use std::path::Path;

use jiff::Timestamp;
use serde::Serialize;

use crate::protocol::{FileInParams, RequestBody};

const HEADER_START: &str = "\"stui-change ";
const HEADER_END: &str = "\"!";

/// What an entry changed. Kinds a newer server may add are kept as `Other`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, strum::EnumString, strum::Display)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Kind {
    Method,
    RemoveMethod,
    Class,
    RemoveClass,
    Package,
    /// The server started (target `fresh` or the image it started from).
    Start,
    /// The server saved its image (target: the image written).
    Save,
    #[serde(untagged)]
    #[strum(default, to_string = "{0}")]
    Other(String),
}

impl Kind {
    pub fn parse(name: &str) -> Self {
        name.parse()
            .expect("every name parses: unknown ones as Other")
    }

    /// True for the kinds that change code (and so are worth replaying).
    pub fn is_code(&self) -> bool {
        matches!(
            self,
            Self::Method | Self::RemoveMethod | Self::Class | Self::RemoveClass | Self::Package
        )
    }
}

/// One change, as the server logged it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// UTC ISO-8601 with milliseconds, as written (`2026-12-07T10:11:12.345Z`).
    pub time: String,
    /// None when no session made it (`-`: the server's own markers).
    pub session: Option<String>,
    pub cause: String,
    pub kind: Kind,
    pub target: String,
    /// The change as chunks (empty for markers), without the blank line.
    pub body: String,
    /// The 1-based line of the header in the file.
    pub line: usize,
    /// False when the entry was cut short (the server died while writing
    /// it): it is listed but never replayed or exported.
    pub complete: bool,
}

impl Entry {
    pub fn timestamp(&self) -> Option<Timestamp> {
        self.time.parse().ok()
    }

    /// A complete entry that changes code.
    pub fn is_replayable(&self) -> bool {
        self.complete && self.kind.is_code()
    }

    /// The header line, as the server writes it.
    pub fn header(&self) -> String {
        format!(
            "{HEADER_START}time={} session={} cause={} kind={} target={}{HEADER_END}",
            self.time,
            self.session.as_deref().unwrap_or("-"),
            self.cause,
            self.kind,
            self.target
        )
    }

    /// The entry in the file's own format: header, body, blank line.
    pub fn to_file_in(&self) -> String {
        let mut text = self.header();
        text.push('\n');
        if !self.body.is_empty() {
            text.push_str(&self.body);
            text.push('\n');
        }
        text.push('\n');
        text
    }
}

/// Which entries a command takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Select {
    All,
    /// [`ChangeLog::since_save`].
    SinceSave,
    /// [`ChangeLog::since`].
    Since(Timestamp),
}

/// A changes file read into entries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangeLog {
    pub entries: Vec<Entry>,
    /// Lines that belong to no entry (ignored): text before the first
    /// header, and headers cut short by a crash.
    pub skipped_lines: usize,
}

impl ChangeLog {
    /// Reads the file at `path`. Bytes that are not UTF-8 (a character cut
    /// by a crash) are read as U+FFFD rather than refusing the whole file.
    pub fn read(path: &Path) -> std::io::Result<Self> {
        let bytes = std::fs::read(path)?;
        Ok(Self::parse(&String::from_utf8_lossy(&bytes)))
    }

    pub fn parse(text: &str) -> Self {
        let mut log = Self::default();
        let mut pending: Option<Pending> = None;
        for (index, raw) in text.split_inclusive('\n').enumerate() {
            let line = raw.trim_end_matches(['\n', '\r']);
            let Some((offset, header)) = find_header(line) else {
                if is_cut_header(line, raw) {
                    // A header cut short: the entry before it is whole.
                    log.entries.extend(pending.take().map(Pending::finish));
                    log.skipped_lines += 1;
                    continue;
                }
                match &mut pending {
                    Some(entry) => entry.push(raw),
                    None => log.skipped_lines += 1,
                }
                continue;
            };
            // A header after text on its line: the text ends the entry
            // before it, which was cut short.
            let cut = &raw[..offset];
            if let Some(mut entry) = pending.take() {
                if !cut.starts_with(HEADER_START) {
                    entry.push(cut);
                }
                log.entries.push(entry.finish());
            } else if offset > 0 {
                log.skipped_lines += 1;
            }
            pending = Some(Pending::new(header, index + 1));
        }
        log.entries.extend(pending.map(Pending::finish));
        log
    }

    pub fn select(&self, select: Select) -> Vec<&Entry> {
        match select {
            Select::All => self.entries.iter().collect(),
            Select::SinceSave => self.since_save(),
            Select::Since(time) => self.since(time),
        }
    }

    /// Complete code entries after the last `save` marker (all of them
    /// when the image was never saved).
    pub fn since_save(&self) -> Vec<&Entry> {
        let start = self
            .last_index(0, |e| e.kind == Kind::Save)
            .map_or(0, |i| i + 1);
        replayable(&self.entries[start..])
    }

    /// Entries (of every kind) logged at or after `time`.
    pub fn since(&self, time: Timestamp) -> Vec<&Entry> {
        self.entries
            .iter()
            .filter(|e| e.timestamp().is_some_and(|t| t >= time))
            .collect()
    }

    /// The code changes the running image lacks after a crash: those after
    /// the last save and before the last start, when that start loaded a
    /// saved image (not `fresh`) and nothing was replayed since.
    pub fn lost_at_restart(&self) -> Vec<&Entry> {
        let Some(start) = self.last_index(0, |e| e.kind == Kind::Start) else {
            return Vec::new();
        };
        let after = &self.entries[start + 1..];
        if self.entries[start].target == "fresh" || after.iter().any(|e| e.cause == "replay") {
            return Vec::new();
        }
        let saved = self.entries[..start]
            .iter()
            .rposition(|e| e.kind == Kind::Save)
            .map_or(0, |i| i + 1);
        replayable(&self.entries[saved..start])
    }

    /// Entries the server did not finish writing.
    pub fn cut_short(&self) -> Vec<&Entry> {
        self.entries.iter().filter(|e| !e.complete).collect()
    }

    fn last_index(&self, from: usize, test: impl Fn(&Entry) -> bool) -> Option<usize> {
        self.entries[from..]
            .iter()
            .rposition(test)
            .map(|i| i + from)
    }
}

fn replayable(entries: &[Entry]) -> Vec<&Entry> {
    entries.iter().filter(|e| e.is_replayable()).collect()
}

/// The `origin` of a replay's `file_in`: the server logs what it files in
/// with the cause `replay` (which ends an offer of `lost_at_restart`).
pub const REPLAY_ORIGIN: &str = "changes replay";

/// A `file_in` of `code`, named `origin` in messages and in the log.
pub fn file_in_request(code: String, origin: &str, timeout_ms: u64) -> RequestBody {
    RequestBody::FileIn(FileInParams {
        code,
        origin: Some(origin.to_string()),
        timeout_ms: Some(timeout_ms),
    })
}

/// The one `file_in` that replays `entries` (the CLI's `stui changes
/// replay` and the TUI's both send it).
pub fn replay_request(entries: &[&Entry], timeout_ms: u64) -> RequestBody {
    file_in_request(
        file_in_text(entries.iter().copied()),
        REPLAY_ORIGIN,
        timeout_ms,
    )
}

/// The entries as one file-in, in the changes file's own format (headers
/// are comment chunks, so gst files the whole text in). Entries cut short
/// are left out: half a chunk would swallow what follows it.
pub fn file_in_text<'a>(entries: impl IntoIterator<Item = &'a Entry>) -> String {
    entries
        .into_iter()
        .filter(|e| e.complete)
        .map(Entry::to_file_in)
        .collect()
}

/// Where `line` of the [`file_in_text`] of `entries` came from: its entry,
/// and the line in the changes file (an entry is written back line for line).
pub fn locate<'a>(entries: &[&'a Entry], line: u64) -> Option<(&'a Entry, u64)> {
    let mut first = 1u64;
    for entry in entries.iter().filter(|e| e.complete) {
        let lines = entry.to_file_in().lines().count() as u64;
        if line < first + lines {
            return Some((entry, entry.line as u64 + line - first));
        }
        first += lines;
    }
    None
}

/// The header's fields, before the body is known.
struct Header {
    time: String,
    session: Option<String>,
    cause: String,
    kind: Kind,
    target: String,
}

/// Where a header starts in `line` and its fields. A header normally
/// starts the line; after a crash mid-line, the next header follows the
/// cut text on the same line.
fn find_header(line: &str) -> Option<(usize, Header)> {
    if let Some(header) = parse_header(line) {
        return Some((0, header));
    }
    let offset = line.rfind(HEADER_START)?;
    parse_header(&line[offset..]).map(|header| (offset, header))
}

/// A line that starts like a header but is none: the server died while
/// writing it (the last line, without its newline, may hold just its start).
fn is_cut_header(line: &str, raw: &str) -> bool {
    line.starts_with(HEADER_START)
        || (!raw.ends_with('\n') && !line.is_empty() && HEADER_START.starts_with(line))
}

/// `"stui-change time=T session=S cause=C kind=K target=rest"!`, fields in
/// this order; the target is the rest of the line (it may hold spaces).
fn parse_header(line: &str) -> Option<Header> {
    let inner = line.strip_prefix(HEADER_START)?.strip_suffix(HEADER_END)?;
    let mut rest = inner;
    let mut field = |name: &str| -> Option<String> {
        let (word, tail) = rest.split_once(' ')?;
        rest = tail;
        let value = word.strip_prefix(name)?.strip_prefix('=')?;
        (!value.is_empty()).then(|| value.to_string())
    };
    let time = field("time")?;
    let session = field("session")?;
    let cause = field("cause")?;
    let kind = field("kind")?;
    let target = rest.strip_prefix("target=")?;
    if target.contains('"') {
        return None;
    }
    Some(Header {
        time,
        session: (session != "-").then_some(session),
        cause,
        kind: Kind::parse(&kind),
        target: target.to_string(),
    })
}

/// An entry whose body is being read.
struct Pending {
    header: Header,
    line: usize,
    body: String,
    /// Inside a chunk: text other than white space since the last `!`.
    in_chunk: bool,
}

impl Pending {
    fn new(header: Header, line: usize) -> Self {
        Self {
            header,
            line,
            body: String::new(),
            in_chunk: false,
        }
    }

    fn push(&mut self, text: &str) {
        self.body.push_str(text);
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                // `!!` is a `!` inside a chunk; one `!` ends the chunk.
                '!' if chars.next_if_eq(&'!').is_some() => self.in_chunk = true,
                '!' => self.in_chunk = false,
                c if !c.is_whitespace() => self.in_chunk = true,
                _ => {}
            }
        }
    }

    /// Complete: every chunk ended, then the blank line that ends an entry.
    fn finish(self) -> Entry {
        let blank_line_ends = self.body == "\n"
            || self.body == "\r\n"
            || self.body.ends_with("\n\n")
            || self.body.ends_with("\n\r\n");
        Entry {
            time: self.header.time,
            session: self.header.session,
            cause: self.header.cause,
            kind: self.header.kind,
            target: self.header.target,
            complete: !self.in_chunk && blank_line_ends,
            body: self.body.trim_end().to_string(),
            line: self.line,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(time: &str, cause: &str, kind: &str, target: &str) -> String {
        format!(
            "\"stui-change time={time} session=s1 cause={cause} kind={kind} target={target}\"!\n"
        )
    }

    fn method(time: &str, class: &str, source: &str) -> String {
        let selector = source.lines().next().unwrap();
        format!(
            "{}!{class} methodsFor: 'x'!\n{source}! !\n\n",
            header(time, "compile", "method", &format!("{class}>>{selector}"))
        )
    }

    fn marker(time: &str, kind: &str, target: &str) -> String {
        format!(
            "{}\n",
            header(time, "server", kind, target).replace("s1", "-")
        )
    }

    fn class(time: &str, name: &str) -> String {
        format!(
            "{}Object subclass: #{name}\n\tinstanceVariableNames: 'a'\n\tclassVariableNames: ''\n\tpackage: 'Demo'!\n\n",
            header(time, "evaluate", "class", name)
        )
    }

    const T1: &str = "2026-12-07T10:00:00.000Z";
    const T2: &str = "2026-12-07T10:05:00.000Z";
    const T3: &str = "2026-12-07T10:10:00.000Z";
    const T4: &str = "2026-12-07T10:15:00.000Z";
    const T5: &str = "2026-12-07T10:20:00.000Z";

    fn targets(entries: &[&Entry]) -> Vec<String> {
        entries.iter().map(|e| e.target.clone()).collect()
    }

    #[test]
    fn entries_are_read_with_their_fields_and_bodies() {
        let text = format!(
            "{}{}{}",
            marker(T1, "start", "fresh"),
            class(T2, "Foo"),
            method(T3, "Foo class", "bar\n\t\"a comment\"\n\n\t^42")
        );
        let log = ChangeLog::parse(&text);
        assert_eq!(log.skipped_lines, 0);
        assert_eq!(log.entries.len(), 3);
        let start = &log.entries[0];
        assert_eq!(
            (
                start.kind.clone(),
                start.session.clone(),
                start.body.as_str()
            ),
            (Kind::Start, None, "")
        );
        assert_eq!(
            (start.cause.as_str(), start.target.as_str()),
            ("server", "fresh")
        );
        let class = &log.entries[1];
        assert_eq!(class.kind, Kind::Class);
        assert_eq!(class.session.as_deref(), Some("s1"));
        assert!(class.body.starts_with("Object subclass: #Foo\n"));
        assert!(class.body.ends_with("package: 'Demo'!"));
        let method = &log.entries[2];
        assert_eq!(method.target, "Foo class>>bar");
        assert_eq!(method.line, 9);
        // A blank line inside a method does not end the entry.
        assert_eq!(
            method.body,
            "!Foo class methodsFor: 'x'!\nbar\n\t\"a comment\"\n\n\t^42! !"
        );
        assert!(log.entries.iter().all(|e| e.complete));
        assert_eq!(method.timestamp(), Some(T3.parse().unwrap()));
    }

    #[test]
    fn writing_entries_back_gives_the_same_text() {
        let text = format!(
            "{}{}{}",
            marker(T1, "start", "/d/a.im"),
            class(T2, "Foo"),
            method(T3, "Foo", "bar\n\t^'a!!b'")
        );
        let log = ChangeLog::parse(&text);
        assert_eq!(file_in_text(&log.entries), text);
        assert_eq!(ChangeLog::parse(&file_in_text(&log.entries)), log);
    }

    #[test]
    fn doubled_bangs_stay_inside_their_chunk() {
        let text = method(T1, "Foo", "bar\n\t^'wow!!'");
        let log = ChangeLog::parse(&text);
        assert!(log.entries[0].complete);
        assert!(log.entries[0].body.contains("^'wow!!'! !"));
    }

    #[test]
    fn foreign_text_before_the_first_header_is_skipped() {
        let text = format!(
            "Some notes\n\"stui-change broken\"!\n\n{}",
            class(T1, "Foo")
        );
        let log = ChangeLog::parse(&text);
        assert_eq!(log.skipped_lines, 3);
        assert_eq!(targets(&log.entries.iter().collect::<Vec<_>>()), ["Foo"]);
    }

    #[test]
    fn headers_need_every_field_in_order() {
        for bad in [
            "\"stui-change time=1 session=s cause=c kind=k\"!",
            "\"stui-change session=s time=1 cause=c kind=k target=t\"!",
            "\"stui-change time=1 session=s cause=c kind=k target=t\"",
            "\"stui-change time= session=s cause=c kind=k target=t\"!",
            "\"stui-change time=1 session=s cause=c kind=k target=a\"b\"!",
            " \"stui-change time=1 session=s cause=c kind=k target=t\"!x",
        ] {
            assert!(parse_header(bad).is_none(), "{bad}");
        }
        let spaced =
            parse_header("\"stui-change time=1 session=- cause=c kind=k target=Foo class>>a: b\"!")
                .unwrap();
        assert_eq!(spaced.target, "Foo class>>a: b");
        assert_eq!(spaced.session, None);
        assert_eq!(spaced.kind, Kind::Other("k".into()));
    }

    #[test]
    fn a_last_entry_cut_short_is_flagged_and_never_exported() {
        let whole = format!("{}{}", class(T1, "Foo"), method(T2, "Foo", "bar\n\t^42"));
        // Every cut of the last entry, to the byte, reads without panic.
        let last_starts = class(T1, "Foo").len();
        for cut in last_starts..whole.len() {
            let Some(text) = whole.get(..cut) else {
                continue;
            };
            let log = ChangeLog::parse(text);
            assert!(log.entries[0].complete, "cut at {cut}");
            if log.entries.len() == 2 {
                assert!(!log.entries[1].complete, "cut at {cut}: {text:?}");
                assert_eq!(log.cut_short().len(), 1);
                assert_eq!(file_in_text(&log.entries), class(T1, "Foo"));
            }
        }
        assert!(ChangeLog::parse(&whole).entries[1].complete);
    }

    #[test]
    fn a_cut_entry_followed_by_a_restart_is_flagged_and_the_rest_is_read() {
        let cut = &method(T1, "Foo", "bar\n\t^42")[..100];
        // The restarted server appends on the cut line.
        let text = format!(
            "{cut}{}{}",
            marker(T2, "start", "/d/a.im"),
            class(T3, "Bar")
        );
        let log = ChangeLog::parse(&text);
        assert_eq!(log.entries.len(), 3);
        assert!(!log.entries[0].complete);
        assert_eq!(log.entries[1].kind, Kind::Start);
        assert!(log.entries[1].complete && log.entries[2].complete);
        let own_line = format!("{cut}\n{}", marker(T2, "start", "/d/a.im"));
        let log = ChangeLog::parse(&own_line);
        assert!(!log.entries[0].complete);
        assert!(log.entries[1].complete);
    }

    #[test]
    fn a_missing_blank_line_or_open_chunk_is_not_complete() {
        let log = ChangeLog::parse(&header(T1, "compile", "class", "Foo"));
        assert!(!log.entries[0].complete);
        let open = format!(
            "{}Object subclass: #Foo\n\n",
            header(T1, "evaluate", "class", "Foo")
        );
        assert!(!ChangeLog::parse(&open).entries[0].complete);
        let crlf = marker(T1, "save", "/d/a.im").replace('\n', "\r\n");
        let log = ChangeLog::parse(&crlf);
        assert!(log.entries[0].complete);
        assert_eq!(log.entries[0].target, "/d/a.im");
    }

    #[test]
    fn since_save_takes_the_code_after_the_last_save() {
        let text = format!(
            "{}{}{}{}{}",
            class(T1, "Foo"),
            marker(T2, "save", "/d/a.im"),
            method(T3, "Foo", "bar\n\t^1"),
            marker(T4, "start", "/d/a.im"),
            method(T5, "Foo", "baz\n\t^2")
        );
        let log = ChangeLog::parse(&text);
        assert_eq!(targets(&log.since_save()), ["Foo>>bar", "Foo>>baz"]);
        let never_saved = ChangeLog::parse(&format!("{}{}", class(T1, "A"), class(T2, "B")));
        assert_eq!(targets(&never_saved.since_save()), ["A", "B"]);
        let saved_last = format!("{text}{}", marker(T5, "save", "/d/a.im"));
        assert!(ChangeLog::parse(&saved_last).since_save().is_empty());
    }

    #[test]
    fn since_takes_every_entry_from_a_time_on() {
        let text = format!(
            "{}{}{}",
            class(T1, "Foo"),
            marker(T2, "save", "/d/a.im"),
            class(T3, "Bar")
        );
        let log = ChangeLog::parse(&text);
        assert_eq!(targets(&log.since(T2.parse().unwrap())), ["/d/a.im", "Bar"]);
        assert_eq!(
            log.since("2026-12-07T10:00:00.001Z".parse().unwrap()).len(),
            2
        );
        assert!(
            log.since("2027-01-01T00:00:00Z".parse().unwrap())
                .is_empty()
        );
    }

    #[test]
    fn lost_at_restart_is_what_a_crash_took_from_a_saved_image() {
        let crashed = format!(
            "{}{}{}{}{}",
            marker(T1, "start", "fresh"),
            class(T1, "Old"),
            marker(T2, "save", "/d/a.im"),
            method(T3, "Foo", "bar\n\t^1") + &class(T3, "Foo"),
            marker(T4, "start", "/d/a.im"),
        );
        let log = ChangeLog::parse(&crashed);
        assert_eq!(targets(&log.lost_at_restart()), ["Foo>>bar", "Foo"]);
        // Work after the restart is in the image: not lost.
        let later = format!("{crashed}{}", class(T5, "New"));
        assert_eq!(ChangeLog::parse(&later).lost_at_restart().len(), 2);
        // A replay after the start brought them back.
        let replayed = format!(
            "{crashed}{}",
            method(T5, "Foo", "bar\n\t^1").replace("cause=compile", "cause=replay")
        );
        assert!(ChangeLog::parse(&replayed).lost_at_restart().is_empty());
        // A fresh start has no saved image to bring them to.
        let fresh = crashed.replace("target=/d/a.im\"!\n\n", "target=fresh\"!\n\n");
        assert!(ChangeLog::parse(&fresh).lost_at_restart().is_empty());
        // A clean stop saves before the next start.
        let clean = format!(
            "{}{}{}",
            class(T1, "Foo"),
            marker(T2, "save", "/d/a.im"),
            marker(T3, "start", "/d/a.im")
        );
        assert!(ChangeLog::parse(&clean).lost_at_restart().is_empty());
        assert!(
            ChangeLog::parse(&class(T1, "Foo"))
                .lost_at_restart()
                .is_empty()
        );
    }

    #[test]
    fn lines_of_an_export_lead_back_to_the_changes_file() {
        let text = format!(
            "{}{}{}{}",
            class(T1, "Foo"),
            marker(T2, "save", "/d/a.im"),
            method(T3, "Foo", "bar\n\t^1"),
            method(T4, "Foo", "baz\n\t^2")
        );
        let log = ChangeLog::parse(&text);
        let entries = log.since_save();
        let exported = file_in_text(entries.iter().copied());
        let original: Vec<&str> = text.lines().collect();
        for (index, line) in exported.lines().enumerate() {
            let (entry, at) = locate(&entries, index as u64 + 1).unwrap();
            assert_eq!(original[at as usize - 1], line, "line {}", index + 1);
            if line.contains("^1") {
                assert_eq!(entry.target, "Foo>>bar");
            }
        }
        assert_eq!(locate(&entries, 1).unwrap().0.target, "Foo>>bar");
        assert!(locate(&entries, 1000).is_none());
    }

    #[test]
    fn kinds_read_and_write_by_name() {
        for name in [
            "method",
            "remove_method",
            "class",
            "remove_class",
            "package",
            "start",
            "save",
            "later",
        ] {
            assert_eq!(Kind::parse(name).to_string(), name);
        }
        assert!(Kind::Package.is_code() && !Kind::Save.is_code());
        assert_eq!(
            serde_json::to_value(Kind::RemoveMethod).unwrap(),
            "remove_method"
        );
        assert_eq!(serde_json::to_value(Kind::parse("later")).unwrap(), "later");
    }
}
