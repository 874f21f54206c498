//! The bundled server as a saved GNU Smalltalk image. Filing in every source
//! file at each start costs a few hundred milliseconds; an image holding the
//! loaded server (and the arithmetic fix, which re-applies itself when the
//! image starts) loads in a few. The image is built once, named after a stamp
//! of the server sources and of the gst that runs them, and built again when
//! either changes.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::UNIX_EPOCH;

use super::{LocalServer, SERVER_FILES, SNAPSHOT_FILE, ServerError, io_error};

/// The file (relative to the files directory) that starts serving; an image
/// holds every other file of the load order.
pub const START_FILE: &str = "gst/start.st";

const IMAGE_PREFIX: &str = "stui-server-";

impl LocalServer {
    /// The saved image for the current sources and gst, built now if it is
    /// missing. `files` are the installed sources in load order.
    pub fn ensure_image(&self, files: &[PathBuf]) -> Result<PathBuf, ServerError> {
        let path = self
            .files_dir
            .join(format!("{IMAGE_PREFIX}{}.im", stamp(&self.gst)));
        if path.is_file() {
            crate::paths::make_private(&path).map_err(|e| io_error(&path, e))?;
            return Ok(path);
        }
        self.build_image(files, &path)?;
        remove_stale_images(&self.files_dir, &path);
        Ok(path)
    }

    /// Files in everything but the start file, then snapshot.st, which saves
    /// the image to a temporary name; renamed once complete, so a crash never
    /// leaves a half-written image under the real name.
    fn build_image(&self, files: &[PathBuf], path: &Path) -> Result<(), ServerError> {
        let partial = path.with_extension(format!("im.{}.partial", std::process::id()));
        let sources = files.iter().filter(|file| !file.ends_with(START_FILE));
        // Not -g here: an image saved by `gst -g` aborts when it starts
        // (gst 3.2.5); the server turns the messages off itself.
        let mut command = Command::new(&self.gst);
        super::process::private_umask(&mut command);
        let output = command
            .args(sources)
            .arg(self.files_dir.join(SNAPSHOT_FILE.0))
            .arg("-a")
            .arg(&partial)
            .stdin(Stdio::null())
            .output()
            .map_err(|source| ServerError::CannotRun {
                program: self.gst.clone(),
                hint: super::GST_HINT,
                source,
            })?;
        if !output.status.success() || !partial.is_file() {
            let _ = std::fs::remove_file(&partial);
            let said = String::from_utf8_lossy(&output.stdout).to_string()
                + &String::from_utf8_lossy(&output.stderr);
            return Err(ServerError::Image(format!(
                "saving the server image failed ({}): {}",
                output.status,
                said.trim()
            )));
        }
        std::fs::rename(&partial, path).map_err(|e| io_error(path, e))?;
        log::info!("saved the server image {}", path.display());
        Ok(())
    }
}

/// Removes the images of other stamps (older sources or another gst).
fn remove_stale_images(dir: &Path, keep: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().to_string();
        if path != keep && name.starts_with(IMAGE_PREFIX) && name.ends_with(".im") {
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// A stamp of the server sources and of the gst installation: the embedded
/// file texts, `gst -v`, and the size and modification time of the gst
/// executable found on PATH.
pub fn stamp(gst: &str) -> String {
    let mut hash = Fnv64::new();
    for (name, text) in SERVER_FILES.iter().chain(std::iter::once(&SNAPSHOT_FILE)) {
        hash.write(name.as_bytes());
        hash.write(text.as_bytes());
    }
    if let Ok(output) = Command::new(gst).arg("-v").stdin(Stdio::null()).output() {
        hash.write(&output.stdout);
    }
    if let Some(metadata) = find_executable(gst).and_then(|path| std::fs::metadata(path).ok()) {
        hash.write(&metadata.len().to_le_bytes());
        let modified = metadata
            .modified()
            .ok()
            .and_then(|time| time.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |age| age.as_nanos());
        hash.write(&modified.to_le_bytes());
    }
    format!("{:016x}", hash.finish())
}

/// The file `program` names: itself when it holds a slash, else the first
/// match on PATH (symbolic links followed).
pub(super) fn find_executable(program: &str) -> Option<PathBuf> {
    if program.contains('/') {
        return std::fs::canonicalize(program).ok();
    }
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|dir| Path::new(dir).join(program))
        .find(|candidate| candidate.is_file())
        .and_then(|found| std::fs::canonicalize(found).ok())
}

/// FNV-1a, 64 bits: stable across Rust versions, unlike the std hasher.
struct Fnv64(u64);

impl Fnv64 {
    fn new() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 ^= u64::from(*byte);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stamp_is_stable_and_names_the_gst() {
        assert_eq!(stamp("gst"), stamp("gst"));
        assert_ne!(stamp("gst"), stamp("/nonexistent/gst"));
        assert_eq!(stamp("gst").len(), 16);
    }

    #[test]
    fn fnv_matches_its_reference_values() {
        let mut empty = Fnv64::new();
        empty.write(b"");
        assert_eq!(empty.finish(), 0xcbf2_9ce4_8422_2325);
        let mut a = Fnv64::new();
        a.write(b"a");
        assert_eq!(a.finish(), 0xaf63_dc4c_8601_ec8c);
    }
}
