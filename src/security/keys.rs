//! CURVE keys: Z85 text, fingerprints, and the secret key file of
//! `stui keygen` (mode 0600, refused when others may read it).

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use base64::Engine;
use sha2::Digest;

use super::SecurityError;

/// The 85 characters of Z85 (ZeroMQ RFC 32), in value order.
const Z85: &[u8; 85] =
    b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

/// A key as Z85 text is this long (32 bytes).
pub const Z85_KEY_CHARS: usize = 40;

/// A CURVE key pair as Z85 text.
#[derive(Clone, PartialEq, Eq)]
pub struct KeyPair {
    pub public: String,
    pub secret: String,
}

impl std::fmt::Debug for KeyPair {
    /// Never the secret: a key pair may end up in a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "KeyPair {{ public: {:?}, secret: <hidden> }}",
            self.public
        )
    }
}

/// Whose key a secret key file holds (named in its first line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyOwner {
    Client,
    Server,
}

impl KeyOwner {
    pub fn name(self) -> &'static str {
        match self {
            KeyOwner::Client => "client",
            KeyOwner::Server => "server",
        }
    }
}

/// A fresh key pair from libzmq (libsodium's random source).
pub fn generate() -> Result<KeyPair, zmq::Error> {
    let pair = zmq::CurveKeyPair::new()?;
    let encode = |bytes: &[u8; 32]| zmq::z85_encode(bytes).expect("32 bytes encode in Z85");
    Ok(KeyPair {
        public: encode(&pair.public_key),
        secret: encode(&pair.secret_key),
    })
}

/// The 32 bytes of a key given as 40 Z85 characters; else why not.
pub fn decode_key(text: &str) -> Result<[u8; 32], String> {
    if text.len() != Z85_KEY_CHARS {
        return Err(format!(
            "{text:?} is not a key: a key is {Z85_KEY_CHARS} Z85 characters, this has {}",
            text.chars().count()
        ));
    }
    let mut key = [0u8; 32];
    for (chunk, out) in text.as_bytes().chunks(5).zip(key.chunks_mut(4)) {
        let mut value: u64 = 0;
        for &c in chunk {
            let Some(digit) = Z85.iter().position(|&z| z == c) else {
                return Err(format!(
                    "{text:?} is not a key: {:?} is not a Z85 character",
                    c as char
                ));
            };
            value = value * 85 + digit as u64;
        }
        let value = u32::try_from(value)
            .map_err(|_| format!("{text:?} is not a key: it does not decode as Z85"))?;
        out.copy_from_slice(&value.to_be_bytes());
    }
    Ok(key)
}

/// OpenSSH style: `SHA256:` and the unpadded base64 of the key's SHA-256.
pub fn fingerprint_of_bytes(key: &[u8; 32]) -> String {
    let digest = sha2::Sha256::digest(key);
    format!(
        "SHA256:{}",
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(digest)
    )
}

/// The fingerprint of a Z85 key.
pub fn fingerprint(z85: &str) -> Result<String, String> {
    decode_key(z85).map(|key| fingerprint_of_bytes(&key))
}

/// Where `stui keygen` writes key files: `<config dir>/keys`.
pub fn keys_dir() -> PathBuf {
    crate::paths::config_dir().join("keys")
}

/// Where `stui keygen` writes: `<config dir>/keys/client.key` or `server.key`.
pub fn default_secret_path(owner: KeyOwner) -> PathBuf {
    keys_dir().join(format!("{}.key", owner.name()))
}

/// The public file beside a secret key file (`client.key` → `client.pub`).
pub fn public_path(secret_path: &Path) -> PathBuf {
    secret_path.with_extension("pub")
}

/// The text of a secret key file.
pub fn secret_file_text(pair: &KeyPair, owner: KeyOwner) -> String {
    format!(
        "# STUI CURVE secret key ({}). Keep it private: anyone holding it can act as this key.\n\
         public_key = \"{}\"\nsecret_key = \"{}\"\n",
        owner.name(),
        pair.public,
        pair.secret
    )
}

/// Writes the secret file (0600 from its creation, in a 0700 directory)
/// and its `.pub` (0644). Without `force` an existing file is refused.
pub fn write_key_files(
    secret_path: &Path,
    pair: &KeyPair,
    owner: KeyOwner,
    force: bool,
) -> Result<(), SecurityError> {
    let public = public_path(secret_path);
    if !force {
        for path in [secret_path, public.as_path()] {
            if fs::symlink_metadata(path).is_ok() {
                return Err(SecurityError::KeyFileExists {
                    path: path.to_path_buf(),
                });
            }
        }
    }
    // A directory made for the keys is 0700; one of the user's keeps its mode.
    let missing = |d: &&Path| !d.as_os_str().is_empty() && !d.exists();
    if let Some(dir) = secret_path.parent().filter(missing) {
        crate::paths::create_private_dir(dir).map_err(|e| SecurityError::io(dir, e))?;
    }
    let text = secret_file_text(pair, owner);
    write_new(secret_path, text.as_bytes(), 0o600)
        .map_err(|e| SecurityError::io(secret_path, e))?;
    let line = format!("{}\n", pair.public);
    write_new(&public, line.as_bytes(), 0o644).map_err(|e| SecurityError::io(&public, e))
}

/// Writes `contents` to a file made with `mode` (an existing one is
/// removed first, so the mode is never that of an older file).
fn write_new(path: &Path, contents: &[u8], mode: u32) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)?;
    // The umask may have taken bits away from 0644; never added any.
    file.set_permissions(fs::Permissions::from_mode(mode))?;
    file.write_all(contents)?;
    file.sync_all()
}

/// Reads a secret key file, refusing one that group or others may read.
pub fn read_secret_file(path: &Path) -> Result<KeyPair, SecurityError> {
    let metadata = fs::metadata(path).map_err(|e| SecurityError::io(path, e))?;
    let mode = metadata.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(SecurityError::KeyFileMode {
            path: path.to_path_buf(),
            mode,
        });
    }
    let text = fs::read_to_string(path).map_err(|e| SecurityError::io(path, e))?;
    parse_secret_file(&text).map_err(|(line, why)| SecurityError::Malformed {
        path: path.to_path_buf(),
        line,
        why,
    })
}

/// The key pair of a secret file's text; else the line and what is wrong.
pub fn parse_secret_file(text: &str) -> Result<KeyPair, (usize, String)> {
    let (mut public, mut secret) = (None, None);
    let mut last_line = 0;
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        last_line = number;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (name, value) = parse_assignment(line).map_err(|why| (number, why))?;
        decode_key(&value).map_err(|why| (number, format!("{name}: {why}")))?;
        match name.as_str() {
            "public_key" => public = Some(value),
            "secret_key" => secret = Some(value),
            other => {
                let why = format!("unknown name {other:?} (public_key or secret_key)");
                return Err((number, why));
            }
        }
    }
    match (public, secret) {
        (Some(public), Some(secret)) => Ok(KeyPair { public, secret }),
        (None, _) => Err((last_line, "no public_key line".into())),
        (_, None) => Err((last_line, "no secret_key line".into())),
    }
}

/// `name = "value"` → (name, value).
fn parse_assignment(line: &str) -> Result<(String, String), String> {
    let expected = || format!("expected name = \"value\", found {line:?}");
    let (name, value) = line.split_once('=').ok_or_else(expected)?;
    let value = value.trim();
    let value = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .ok_or_else(expected)?;
    Ok((name.trim().to_string(), value.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The key pair of ZeroMQ's CURVE examples (RFC 26).
    pub const PUBLIC: &str = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID";
    pub const SECRET: &str = "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs";

    #[test]
    fn the_fingerprint_is_openssh_style_and_matches_python() {
        // python3: "SHA256:" + base64.b64encode(hashlib.sha256(
        //   zmq.utils.z85.decode(PUBLIC)).digest()).decode().rstrip("=")
        assert_eq!(
            fingerprint(PUBLIC).unwrap(),
            "SHA256:67OvTdmc7/Nun5C12z5FDkr9NWhEMfqfDsnuWvXD6MM"
        );
        let key = decode_key(PUBLIC).unwrap();
        assert_eq!(key[..4], [0xbb, 0x88, 0x47, 0x1d]);
    }

    #[test]
    fn only_forty_z85_characters_that_decode_are_a_key() {
        assert!(decode_key(&PUBLIC[..39]).unwrap_err().contains("40 Z85"));
        let bad = format!("{}~", &PUBLIC[..39]);
        assert!(decode_key(&bad).unwrap_err().contains("'~'"));
        // "#####" is 85^5 - 1: more than 32 bits.
        let overflow = format!("#####{}", &PUBLIC[5..]);
        assert!(
            decode_key(&overflow)
                .unwrap_err()
                .contains("does not decode")
        );
    }

    #[test]
    fn generated_keys_decode_and_are_distinct() {
        let (a, b) = (generate().unwrap(), generate().unwrap());
        assert_ne!(a, b);
        for key in [&a.public, &a.secret] {
            assert!(decode_key(key).is_ok(), "{key}");
        }
        assert!(!format!("{a:?}").contains(&a.secret));
    }

    #[test]
    fn key_files_are_written_0600_and_0644_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys").join("client.key");
        let pair = KeyPair {
            public: PUBLIC.into(),
            secret: SECRET.into(),
        };
        write_key_files(&path, &pair, KeyOwner::Client, false).unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
        let public = dir.path().join("keys").join("client.pub");
        assert_eq!(mode(&public), 0o644);
        assert_eq!(fs::read_to_string(&public).unwrap(), format!("{PUBLIC}\n"));
        assert_eq!(read_secret_file(&path).unwrap(), pair);
        let again = write_key_files(&path, &pair, KeyOwner::Client, false).unwrap_err();
        assert!(again.to_string().contains("client.key"), "{again}");
        write_key_files(&path, &pair, KeyOwner::Client, true).unwrap();
    }

    #[test]
    fn a_secret_file_others_may_read_is_refused_with_the_fix() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("client.key");
        let pair = KeyPair {
            public: PUBLIC.into(),
            secret: SECRET.into(),
        };
        fs::write(&path, secret_file_text(&pair, KeyOwner::Client)).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        let message = read_secret_file(&path).unwrap_err().to_string();
        assert!(message.contains("mode 0644"), "{message}");
        assert!(
            message.contains(&format!("chmod 600 {}", path.display())),
            "{message}"
        );
    }

    #[test]
    fn a_malformed_secret_file_names_its_line() {
        let text = format!("# c\npublic_key = \"{PUBLIC}\"\nsecret_key = oops\n");
        let (line, why) = parse_secret_file(&text).unwrap_err();
        assert_eq!(line, 3);
        assert!(why.contains("name = \"value\""), "{why}");
        let text = format!("public_key = \"{PUBLIC}\"\nsecret_key = \"short\"\n");
        assert_eq!(parse_secret_file(&text).unwrap_err().0, 2);
        let (_, why) = parse_secret_file(&format!("public_key = \"{PUBLIC}\"\n")).unwrap_err();
        assert!(why.contains("no secret_key"), "{why}");
    }
}
