//! The one error type of configuration files: which file, where, and why.

use std::path::Path;

/// A configuration file that could not be used: which file, where, and why.
#[derive(Debug, thiserror::Error)]
#[error("{file}{}: {message}", line.map(|line| format!(":{line}")).unwrap_or_default())]
pub struct ConfigError {
    pub file: String,
    /// 1-based line of the offending entry, when known.
    pub line: Option<usize>,
    pub message: String,
    /// The error underneath (reading the file, TOML), when there is one.
    pub source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl ConfigError {
    pub fn new(file: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            file: file.into(),
            line: None,
            message: message.into(),
            source: None,
        }
    }

    /// Keeps the error underneath `message`.
    pub fn caused_by(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    /// Locate the error at the line holding byte `offset` of `text`.
    pub fn at(mut self, text: &str, offset: usize) -> Self {
        self.line = Some(line_of(text, offset));
        self
    }

    /// Locate the error at 1-based `line`.
    pub fn on_line(mut self, line: usize) -> Self {
        self.line = Some(line);
        self
    }

    /// A TOML syntax or shape error, located at its line when toml knows it.
    pub fn from_toml(file: &str, text: &str, error: toml::de::Error) -> Self {
        let span = error.span();
        let error_at = Self::new(file, error.message().trim()).caused_by(error);
        match span {
            Some(span) => error_at.at(text, span.start),
            None => error_at,
        }
    }
}

/// 1-based line number of byte `offset` in `text`.
pub fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset).unwrap_or(text).matches('\n').count() + 1
}

/// The candidate closest to `word` by edit distance (for "did you mean" hints).
pub fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .min_by_key(|candidate| strsim::levenshtein(word, candidate))
}

/// Reads the `what` file at `path` (keymap, theme, configuration); an error
/// names the file.
pub fn read_config_file(path: &Path, what: &str) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|e| {
        ConfigError::new(
            path.display().to_string(),
            format!("cannot read {what}: {e}"),
        )
        .caused_by(e)
    })
}
