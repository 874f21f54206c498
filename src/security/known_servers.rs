// STAND-IN for R1's module; the lead keeps R1's at merge.
//! The servers the user trusted: `<address> <z85 server public key>` lines.

use std::io::{self, Write};
use std::path::Path;

/// Trust `public_key` for `address` from now on: a line added to the file
/// at `path` (created mode 0600, in a private directory).
pub fn trust(path: &Path, address: &str, public_key: &str) -> io::Result<()> {
    let mut file = crate::paths::open_private_append(path)?;
    writeln!(file, "{address} {public_key}")
}
