//! The known_servers file: `<address> <z85 server public key>` per line,
//! `#` comments; written only once the user agreed (TUI prompt, `--trust`).

use std::fs;
use std::io;
use std::path::Path;

use super::SecurityError;
use super::keys::decode_key;

/// A key found in known_servers, and the line it is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownKey {
    pub public_key: String,
    pub line: usize,
}

/// The key known_servers pins for `address` (None: no line for it, or no
/// file). A malformed line anywhere is an error naming file and line.
pub fn lookup(path: &Path, address: &str) -> Result<Option<KnownKey>, SecurityError> {
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(SecurityError::io(path, e)),
    };
    let mut found = None;
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        let Some((entry_address, key)) =
            parse_line(line).map_err(|why| SecurityError::Malformed {
                path: path.to_path_buf(),
                line: number,
                why,
            })?
        else {
            continue;
        };
        if entry_address == address && found.is_none() {
            found = Some(KnownKey {
                public_key: key.to_string(),
                line: number,
            });
        }
    }
    Ok(found)
}

/// One line: None for a blank or comment line, else (address, key).
fn parse_line(line: &str) -> Result<Option<(&str, &str)>, String> {
    let trimmed = line.trim();
    if trimmed.is_empty() || trimmed.starts_with('#') {
        return Ok(None);
    }
    let words: Vec<&str> = trimmed.split_whitespace().collect();
    let [address, key] = words[..] else {
        return Err(format!(
            "expected \"<address> <public key>\", found {trimmed:?}"
        ));
    };
    decode_key(key)?;
    Ok(Some((address, key)))
}

/// Trusts `public_key` for `address`: replaces the line for that address
/// (and drops any further ones), or appends one. The file is 0600.
pub fn trust(path: &Path, address: &str, public_key: &str) -> io::Result<()> {
    decode_key(public_key).map_err(|why| io::Error::new(io::ErrorKind::InvalidInput, why))?;
    let old = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            "# Servers whose keys STUI trusts: <address> <Z85 public key>\n".to_string()
        }
        Err(e) => return Err(e),
    };
    let entry = format!("{address} {public_key}");
    let mut lines = Vec::new();
    let mut placed = false;
    for line in old.lines() {
        let for_address = line.split_whitespace().next() == Some(address);
        if !for_address {
            lines.push(line.to_string());
        } else if !placed {
            lines.push(entry.clone());
            placed = true;
        }
    }
    if !placed {
        lines.push(entry);
    }
    let text = lines.join("\n") + "\n";
    crate::paths::write_private_atomic(path, text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    const KEY_A: &str = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID";
    const KEY_B: &str = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";

    #[test]
    fn trust_appends_then_replaces_the_line_of_an_address() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("known_servers");
        assert_eq!(lookup(&path, "tcp://a:1").unwrap(), None);
        trust(&path, "tcp://a:1", KEY_A).unwrap();
        trust(&path, "tcp://b:2", KEY_B).unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let found = lookup(&path, "tcp://b:2").unwrap().unwrap();
        assert_eq!((found.public_key.as_str(), found.line), (KEY_B, 3));
        trust(&path, "tcp://a:1", KEY_B).unwrap();
        let found = lookup(&path, "tcp://a:1").unwrap().unwrap();
        assert_eq!((found.public_key.as_str(), found.line), (KEY_B, 2));
        let text = fs::read_to_string(&path).unwrap();
        assert_eq!(text.matches("tcp://a:1").count(), 1, "{text}");
        assert!(text.starts_with('#'), "{text}");
    }

    #[test]
    fn a_malformed_line_is_an_error_naming_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("known_servers");
        fs::write(&path, format!("# ok\ntcp://a:1 {KEY_A}\ntcp://b:2 nokey\n")).unwrap();
        let message = lookup(&path, "tcp://a:1").unwrap_err().to_string();
        assert!(
            message.starts_with(&format!("{}:3: ", path.display())),
            "{message}"
        );
        fs::write(&path, "tcp://a:1\n").unwrap();
        let message = lookup(&path, "tcp://a:1").unwrap_err().to_string();
        assert!(message.contains(":1: expected"), "{message}");
    }

    #[test]
    fn trust_refuses_a_key_that_is_not_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("known_servers");
        assert!(trust(&path, "tcp://a:1", "short").is_err());
        assert!(!path.exists());
    }
}
