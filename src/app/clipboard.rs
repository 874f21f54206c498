//! The system clipboard through the terminal: OSC 52 carries base64 text
//! that the terminal (or tmux with `set-clipboard on`) puts on the clipboard.
//! Terminals that do not know it ignore it.

use std::io::Write;

/// Put `text` on the system clipboard, where the terminal allows.
pub(super) fn set(text: &str) {
    let mut out = std::io::stdout();
    let written = out
        .write_all(osc52(text).as_bytes())
        .and_then(|()| out.flush());
    if let Err(error) = written {
        log::warn!("cannot send the clipboard to the terminal: {error}");
    }
}

/// The escape sequence that sets the clipboard to `text`.
fn osc52(text: &str) -> String {
    format!("\x1b]52;c;{}\x07", base64(text.as_bytes()))
}

/// Standard base64 (RFC 4648) with padding.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut encoded = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let group = chunk.iter().enumerate().fold(0u32, |group, (i, byte)| {
            group | u32::from(*byte) << (16 - 8 * i)
        });
        for i in 0..4 {
            if i <= chunk.len() {
                let sextet = (group >> (18 - 6 * i)) & 0x3f;
                encoded.push(char::from(ALPHABET[sextet as usize]));
            } else {
                encoded.push('=');
            }
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_rfc_vectors() {
        let vectors = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in vectors {
            assert_eq!(base64(plain.as_bytes()), encoded, "{plain:?}");
        }
        assert_eq!(base64(&[0xff, 0xfe]), "//4=");
    }

    #[test]
    fn the_sequence_carries_the_text_for_the_clipboard() {
        assert_eq!(osc52("x := 1"), "\x1b]52;c;eCA6PSAx\x07");
    }
}
