//! `stui keygen [--server] [--force]`: a CURVE key pair for this client (or
//! for a server), written as the secret file (0600) and its `.pub`.

use std::path::Path;

use super::exit;
use crate::config::settings::Settings;
use crate::security::keys::{self, KeyOwner, KeyPair};

/// Writes a fresh key pair and prints where, the public key and its fingerprint.
pub fn run(settings: &Settings, server: bool, force: bool) -> u8 {
    let (owner, path) = if server {
        let owner = KeyOwner::Server;
        (owner, keys::default_secret_path(owner))
    } else {
        (KeyOwner::Client, settings.security().client_key)
    };
    let written = keys::generate()
        .map_err(|e| format!("cannot make a key pair: {e}"))
        .and_then(|pair| {
            keys::write_key_files(&path, &pair, owner, force)
                .map(|()| pair)
                .map_err(|e| e.to_string())
        });
    match written {
        Ok(pair) => {
            print!("{}", report(&path, &pair, owner));
            exit::SUCCESS
        }
        Err(why) => {
            eprintln!("stui: {why}");
            exit::FAILURE
        }
    }
}

/// What keygen prints: the files, the public key, its fingerprint, and
/// for a server how clients and its authorized_keys use the keys.
pub fn report(path: &Path, pair: &KeyPair, owner: KeyOwner) -> String {
    let fingerprint = keys::fingerprint(&pair.public).expect("a generated key decodes");
    let mut text = format!(
        "secret key: {} (mode 0600: keep it private)\npublic key: {}\n{}\nfingerprint: {fingerprint}\n",
        path.display(),
        keys::public_path(path).display(),
        pair.public
    );
    match owner {
        KeyOwner::Server => text.push_str(&format!(
            "Clients pin it with server.public_key = \"{}\" in their config.toml.\n\
             Each client's line in the server's authorized_keys: \
             \"<client public key> full|read <comment>\" (e.g. alice@laptop).\n",
            pair.public
        )),
        KeyOwner::Client => text.push_str(&format!(
            "Its line in a server's authorized_keys (role full or read): \"{} full <comment>\"\n",
            pair.public
        )),
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_names_both_files_the_key_and_its_fingerprint() {
        let pair = keys::generate().unwrap();
        let path = Path::new("/c/stui/keys/server.key");
        let text = report(path, &pair, KeyOwner::Server);
        assert!(text.contains("/c/stui/keys/server.key"), "{text}");
        assert!(text.contains("/c/stui/keys/server.pub"), "{text}");
        assert!(
            text.contains(&keys::fingerprint(&pair.public).unwrap()),
            "{text}"
        );
        assert!(text.contains(&format!("server.public_key = \"{}\"", pair.public)));
        assert!(text.contains("full|read <comment>"), "{text}");
        assert!(!text.contains(&pair.secret), "{text}");
        let text = report(path, &pair, KeyOwner::Client);
        assert!(
            text.contains(&format!("\"{} full <comment>\"", pair.public)),
            "{text}"
        );
    }
}
