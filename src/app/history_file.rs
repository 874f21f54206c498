//! The history file of one server address: a JSON array of snippets,
//! oldest first, under the data directory. Only the runtime calls this.

use std::io;
use std::path::{Path, PathBuf};

/// `history/<address>.json`, the address made a safe file name.
pub fn history_file(data_dir: &Path, address: &str) -> PathBuf {
    let name: String = address
        .chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '.' | '-' => c,
            _ => '_',
        })
        .collect();
    data_dir.join("history").join(format!("{name}.json"))
}

/// The snippets kept in `path`; none when there is no file yet.
pub fn load(path: &Path) -> io::Result<Vec<String>> {
    match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text).map_err(io::Error::other),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(error) => Err(error),
    }
}

/// Replaces `path` with `snippets` at once: a crash never leaves half a history.
pub fn save(path: &Path, snippets: &[String]) -> io::Result<()> {
    let json = serde_json::to_string_pretty(snippets).map_err(io::Error::other)?;
    crate::paths::write_private_atomic(path, json)
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn the_history_file_round_trips_and_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = history_file(dir.path(), "tcp://127.0.0.1:5555");
        assert!(path.ends_with("history/tcp___127.0.0.1_5555.json"));
        assert_eq!(load(&path).unwrap(), Vec::<String>::new());
        let snippets = vec!["3 + 4".to_string(), "'a\nb' \"q\" size".to_string()];
        save(&path, &snippets).unwrap();
        assert_eq!(load(&path).unwrap(), snippets);
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}
