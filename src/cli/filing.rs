//! `stui filein FILE` and `stui fileout CLASS [FILE]`, and the `file_in`
//! request that `stui changes replay` sends too.

use std::io::IsTerminal;
use std::path::Path;

use super::eval::{Output, run_code};
use super::{Context, Failure, answer, exit};
use crate::protocol::{FileInResult, FileOutParams, FileOutResult, RequestBody};

/// Sends `code` as one `file_in` named `origin`.
pub fn file_in(
    context: &Context,
    code: String,
    origin: &str,
    timeout_ms: Option<u64>,
) -> Result<FileInResult, Failure> {
    let timeout_ms = timeout_ms.unwrap_or(context.settings.server.evaluation_timeout_ms);
    let body = crate::changes::file_in_request(code, origin, timeout_ms);
    run_code(context, body).map(|timed| timed.value)
}

/// What was filed in, for stdout: the classes and the methods, one line each.
pub fn summary(result: &FileInResult) -> String {
    let mut text = String::new();
    for (label, names) in [("classes", &result.classes), ("methods", &result.methods)] {
        if !names.is_empty() {
            text.push_str(&format!("{label}: {}\n", names.join(", ")));
        }
    }
    if text.is_empty() {
        text.push_str("no classes or methods\n");
    }
    text
}

/// The text of a file to file in; the error names the file and the fault.
pub fn read_source(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "{} is not UTF-8 text (invalid byte at offset {})",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })
}

pub fn filein(context: &Context, path: &Path, timeout_ms: Option<u64>) -> u8 {
    let code = match read_source(path) {
        Ok(code) => code,
        Err(why) => {
            eprintln!("stui: {why}");
            return exit::FAILURE;
        }
    };
    let origin = path.display().to_string();
    match file_in(context, code, &origin, timeout_ms) {
        Ok(result) => {
            print!("{}", shown_on_stdout(&summary(&result)));
            for error in &result.errors {
                let message = shown_on_stderr(&error.message);
                eprintln!("{origin}:{}:{}: {message}", error.line, error.column);
            }
            errors_status(&origin, result.errors.len())
        }
        Err(failure) => failure.finish(false),
    }
}

/// Success without errors; else a count on stderr and a failure.
pub fn errors_status(origin: &str, errors: usize) -> u8 {
    match errors {
        0 => exit::SUCCESS,
        1 => {
            eprintln!("stui: 1 error in {origin}");
            exit::FAILURE
        }
        n => {
            eprintln!("stui: {n} errors in {origin}");
            exit::FAILURE
        }
    }
}

pub fn fileout(context: &Context, class: &str, to: Option<&Path>, force: bool) -> u8 {
    let body = RequestBody::FileOut(FileOutParams {
        class: class.to_string(),
    });
    let outcome = context
        .answering_client()
        .and_then(|mut client| answer(client.call::<FileOutResult>(body)));
    let mut code = match outcome {
        Ok(timed) => timed.value.code,
        Err(failure) => return failure.finish(false),
    };
    if !code.ends_with('\n') {
        code.push('\n');
    }
    match to {
        None => {
            print!("{}", shown_on_stdout(&code));
            exit::SUCCESS
        }
        Some(path) => write_file(path, &code, force, &format!("{class} to")),
    }
}

/// Writes `text` to `path` at once (see `paths::write_atomic`); refuses to
/// replace an existing file unless `force`. Says what it wrote.
pub fn write_file(path: &Path, text: &str, force: bool, what: &str) -> u8 {
    match crate::paths::write_atomic(path, text, !force) {
        Ok(()) => {
            println!("wrote {what} {} ({} bytes)", path.display(), text.len());
            exit::SUCCESS
        }
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
            eprintln!("stui: {} exists (--force replaces it)", path.display());
            exit::FAILURE
        }
        Err(error) => {
            eprintln!("stui: cannot write {}: {error}", path.display());
            exit::FAILURE
        }
    }
}

/// Server text on its way to a terminal has its control characters escaped
/// (as `stui eval` does); to a pipe or a file it goes as it is.
pub fn shown_on_stdout(text: &str) -> String {
    Output::choose(false, std::io::stdout().is_terminal()).show(text)
}

pub fn shown_on_stderr(text: &str) -> String {
    Output::choose(false, std::io::stderr().is_terminal()).show(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_lists_classes_then_methods() {
        let result = FileInResult {
            classes: vec!["Foo".into(), "Bar".into()],
            methods: vec!["Foo>>bar".into(), "Foo class>>new".into()],
            errors: vec![],
        };
        assert_eq!(
            summary(&result),
            "classes: Foo, Bar\nmethods: Foo>>bar, Foo class>>new\n"
        );
        let nothing = FileInResult {
            classes: vec![],
            methods: vec![],
            errors: vec![],
        };
        assert_eq!(summary(&nothing), "no classes or methods\n");
    }

    #[test]
    fn unreadable_sources_name_the_file_and_the_fault() {
        let missing = read_source(Path::new("/no/such/file.st")).unwrap_err();
        assert!(
            missing.starts_with("cannot read /no/such/file.st: "),
            "{missing}"
        );
        let dir = std::env::temp_dir().join(format!("stui-filing-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let latin1 = dir.join("latin1.st");
        std::fs::write(&latin1, b"'caf\xe9' printNl").unwrap();
        let why = read_source(&latin1).unwrap_err();
        assert!(
            why.ends_with("is not UTF-8 text (invalid byte at offset 4)"),
            "{why}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
