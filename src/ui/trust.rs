//! Trust on first use: the question asked when a server wants CURVE and
//! its key is neither pinned nor known (see `crate::app::trust`).

/// The server key waiting for the user's yes or no.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustQuestion {
    pub address: String,
    /// Z85, as known_servers keeps it.
    pub public_key: String,
    /// `SHA256:…`, what the server's admin can compare.
    pub fingerprint: String,
}

/// What the question's keys and the writing of known_servers tell `update`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrustMsg {
    /// y: trust the key and connect.
    Trust,
    /// n or Esc: do not; stay disconnected.
    Refuse,
    /// The key was written to known_servers (`error`: it could not be).
    Written {
        address: String,
        error: Option<String>,
    },
}
