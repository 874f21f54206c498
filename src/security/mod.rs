//! The client's side of CURVE: its key files, the servers it trusts, which
//! keys a connection to an address uses, and what a failed handshake means.
//!
//! Per address: a pinned key (`server.public_key`, else a known_servers
//! line) means CURVE with it, never plaintext; no pinned key means
//! plaintext, and a server that wants CURVE is reported as unknown (with
//! its key from the key endpoint) for the user to trust or not.

use std::path::{Path, PathBuf};

pub mod handshake;
pub mod keys;
pub mod known_servers;

pub use handshake::check;
pub use keys::{KeyPair, fingerprint};

/// Why a connection is not made, or a key file not used: one line each.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecurityError {
    #[error(
        "the server at {address} presents {presented} but {pinned} is pinned for it \
         ({pinned_where}): refused. If the server's key was changed on purpose, remove the old entry."
    )]
    ServerKeyChanged {
        address: String,
        /// The fingerprint pinned.
        pinned: String,
        /// `key SHA256:…` when the key endpoint told it, else a description.
        presented: String,
        /// `server.public_key` or `known_servers line N`.
        pinned_where: String,
    },
    #[error(
        "the server at {address} refused this client's key {fingerprint} (not in its \
         authorized_keys): ask its admin to add the line \"{public_key} read|full <comment>\""
    )]
    ClientKeyRefused {
        address: String,
        fingerprint: String,
        public_key: String,
    },
    #[error(
        "the server at {address} requires CURVE and no client key was found at {}: run stui keygen",
        path.display()
    )]
    NoClientKey { address: String, path: PathBuf },
    #[error("the server at {address} does not use CURVE but a key is pinned for it: refused")]
    PinnedButPlaintext { address: String },
    #[error(
        "the server at {address} is unknown: its key fingerprint is {fingerprint}. Run again \
         with --trust to trust it, or set server.public_key"
    )]
    ServerKeyUnknown {
        address: String,
        public_key: String,
        fingerprint: String,
    },
    #[error(
        "the server at {address} requires CURVE and its key could not be fetched from \
         {endpoint} ({why}): set server.public_key to the server's public key"
    )]
    KeyEndpoint {
        address: String,
        endpoint: String,
        why: String,
    },
    #[error("the CURVE handshake with the server at {address} failed: {why}")]
    HandshakeFailed { address: String, why: String },
    #[error(
        "{} has mode {mode:04o}: a secret key file must be readable by its owner only: run chmod 600 {}",
        path.display(), path.display()
    )]
    KeyFileMode { path: PathBuf, mode: u32 },
    #[error("{}:{line}: {why}", path.display())]
    Malformed {
        path: PathBuf,
        line: usize,
        why: String,
    },
    #[error("{} exists: give --force to replace it", path.display())]
    KeyFileExists { path: PathBuf },
    #[error("{}: {why}", path.display())]
    Io { path: PathBuf, why: String },
}

impl SecurityError {
    pub fn io(path: &Path, error: std::io::Error) -> Self {
        Self::Io {
            path: path.to_path_buf(),
            why: error.to_string(),
        }
    }

    /// Errors that retrying will not fix (a person must act first).
    pub fn is_lasting(&self) -> bool {
        !matches!(
            self,
            Self::KeyEndpoint { .. } | Self::HandshakeFailed { .. }
        )
    }
}

/// The keys of one CURVE connection, as raw bytes: the client's pair and
/// the server's public key.
#[derive(Clone, PartialEq, Eq)]
pub struct CurveKeys {
    pub server_public: [u8; 32],
    pub client_public: [u8; 32],
    pub client_secret: [u8; 32],
}

impl std::fmt::Debug for CurveKeys {
    /// Never the secret: options are logged.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "CurveKeys {{ server: {}, client: {} }}",
            keys::fingerprint_of_bytes(&self.server_public),
            keys::fingerprint_of_bytes(&self.client_public)
        )
    }
}

impl CurveKeys {
    /// The keys to reach the server holding `server_public` as `client`
    /// (a server's own pair reaches itself: it is always authorized).
    pub fn new(server_public: &str, client: &KeyPair) -> Result<Self, String> {
        Ok(Self {
            server_public: keys::decode_key(server_public)?,
            client_public: keys::decode_key(&client.public)?,
            client_secret: keys::decode_key(&client.secret)?,
        })
    }
}

/// Makes `socket` a CURVE client with `curve` (None: leaves it plaintext).
/// Before `connect`: the options apply to connections made after them.
pub fn apply(socket: &zmq::Socket, curve: Option<&CurveKeys>) -> Result<(), zmq::Error> {
    let Some(curve) = curve else {
        return Ok(());
    };
    socket.set_curve_serverkey(&curve.server_public)?;
    socket.set_curve_publickey(&curve.client_public)?;
    socket.set_curve_secretkey(&curve.client_secret)
}

/// What the client knows to secure its connections: the settings
/// `server.public_key`, `security.client_key`, `security.known_servers`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Security {
    /// Z85, pinned for every address; None = look in known_servers.
    pub pinned: Option<String>,
    pub client_key: PathBuf,
    pub known_servers: PathBuf,
}

/// How to connect to one address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    Plain,
    Curve {
        keys: CurveKeys,
        /// Where the server key was pinned (for messages).
        pinned_where: String,
    },
}

impl Choice {
    pub fn curve(&self) -> Option<&CurveKeys> {
        match self {
            Choice::Plain => None,
            Choice::Curve { keys, .. } => Some(keys),
        }
    }
}

impl Security {
    /// The pinned key and where it was pinned, for `address`.
    pub fn pinned_for(&self, address: &str) -> Result<Option<(String, String)>, SecurityError> {
        if let Some(key) = &self.pinned {
            return Ok(Some((key.clone(), "server.public_key".into())));
        }
        let known = known_servers::lookup(&self.known_servers, address)?;
        Ok(known.map(|known| {
            let place = format!("{} line {}", self.known_servers.display(), known.line);
            (known.public_key, place)
        }))
    }

    /// How to connect to `address` now (read afresh each time, so a key
    /// trusted meanwhile is used).
    pub fn resolve(&self, address: &str) -> Result<Choice, SecurityError> {
        let Some((server_key, pinned_where)) = self.pinned_for(address)? else {
            return Ok(Choice::Plain);
        };
        if !self.client_key.exists() {
            return Err(SecurityError::NoClientKey {
                address: address.to_string(),
                path: self.client_key.clone(),
            });
        }
        let pair = keys::read_secret_file(&self.client_key)?;
        // read_secret_file checked the pair: only the pinned key may be bad.
        let keys =
            CurveKeys::new(&server_key, &pair).map_err(|why| SecurityError::HandshakeFailed {
                address: address.to_string(),
                why: format!("the pinned key ({pinned_where}) is unusable: {why}"),
            })?;
        Ok(Choice::Curve { keys, pinned_where })
    }

    /// Resolves the keys for `address` and checks the first handshake:
    /// the CURVE keys to use (None: plaintext), or why not to connect.
    pub fn connect_check(
        &self,
        address: &str,
        timeout: std::time::Duration,
    ) -> Result<Option<CurveKeys>, SecurityError> {
        let choice = self.resolve(address)?;
        handshake::check(address, &choice, timeout)?;
        Ok(choice.curve().cloned())
    }

    /// Writes `public_key` as the trusted key of `address`.
    pub fn trust(&self, address: &str, public_key: &str) -> Result<(), SecurityError> {
        known_servers::trust(&self.known_servers, address, public_key)
            .map_err(|e| SecurityError::io(&self.known_servers, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    const SERVER: &str = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";

    fn security(dir: &Path, pinned: Option<&str>) -> Security {
        Security {
            pinned: pinned.map(str::to_string),
            client_key: dir.join("keys/client.key"),
            known_servers: dir.join("known_servers"),
        }
    }

    #[test]
    fn an_address_without_a_pinned_key_is_plaintext() {
        let dir = tempfile::tempdir().unwrap();
        let choice = security(dir.path(), None).resolve("tcp://h:1").unwrap();
        assert_eq!(choice, Choice::Plain);
    }

    #[test]
    fn a_pinned_key_needs_a_client_key() {
        let dir = tempfile::tempdir().unwrap();
        let error = security(dir.path(), Some(SERVER))
            .resolve("tcp://h:1")
            .unwrap_err();
        let message = error.to_string();
        assert!(message.contains("tcp://h:1"), "{message}");
        assert!(
            message.contains("keys/client.key: run stui keygen"),
            "{message}"
        );
    }

    #[test]
    fn the_configured_key_wins_over_known_servers() {
        let dir = tempfile::tempdir().unwrap();
        let pair = keys::generate().unwrap();
        let with_config = security(dir.path(), Some(SERVER));
        keys::write_key_files(
            &with_config.client_key,
            &pair,
            keys::KeyOwner::Client,
            false,
        )
        .unwrap();
        let known = keys::generate().unwrap().public;
        with_config.trust("tcp://h:1", &known).unwrap();
        let Choice::Curve { keys, pinned_where } = with_config.resolve("tcp://h:1").unwrap() else {
            panic!("expected CURVE");
        };
        assert_eq!(pinned_where, "server.public_key");
        assert_eq!(keys.server_public, keys::decode_key(SERVER).unwrap());
        assert_eq!(keys.client_public, keys::decode_key(&pair.public).unwrap());
        let from_file = security(dir.path(), None);
        let Choice::Curve { keys, pinned_where } = from_file.resolve("tcp://h:1").unwrap() else {
            panic!("expected CURVE");
        };
        assert!(
            pinned_where.ends_with("known_servers line 2"),
            "{pinned_where}"
        );
        assert_eq!(keys.server_public, keys::decode_key(&known).unwrap());
        assert_eq!(from_file.resolve("tcp://other:1").unwrap(), Choice::Plain);
    }

    #[test]
    fn a_client_key_others_may_read_is_refused_when_used() {
        let dir = tempfile::tempdir().unwrap();
        let security = security(dir.path(), Some(SERVER));
        let pair = keys::generate().unwrap();
        keys::write_key_files(&security.client_key, &pair, keys::KeyOwner::Client, false).unwrap();
        std::fs::set_permissions(&security.client_key, std::fs::Permissions::from_mode(0o640))
            .unwrap();
        let error = security.resolve("tcp://h:1").unwrap_err();
        assert!(matches!(
            error,
            SecurityError::KeyFileMode { mode: 0o640, .. }
        ));
    }

    #[test]
    fn curve_keys_never_show_the_secret() {
        let pair = keys::generate().unwrap();
        let keys = CurveKeys {
            server_public: [1; 32],
            client_public: keys::decode_key(&pair.public).unwrap(),
            client_secret: keys::decode_key(&pair.secret).unwrap(),
        };
        let shown = format!("{keys:?}");
        assert!(shown.contains("SHA256:"), "{shown}");
        assert!(!shown.contains("client_secret"), "{shown}");
    }
}
