//! The user's directories (XDG on Linux, via the `directories` crate), and
//! the helpers that keep STUI's files private: what STUI writes (logs, the
//! workspace, pid files, the server's files and image) may hold evaluated
//! code, so files are 0600 and directories 0700, also when they existed
//! before with wider modes.

use std::fs::{self, File, OpenOptions, Permissions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use directories::ProjectDirs;

const PRIVATE_FILE: u32 = 0o600;
const PRIVATE_DIR: u32 = 0o700;

fn project() -> Option<ProjectDirs> {
    ProjectDirs::from("", "", "stui")
}

/// Where STUI keeps logs, history, the workspace and the server's files.
pub fn data_dir() -> PathBuf {
    project()
        .map(|dirs| dirs.data_dir().to_path_buf())
        .unwrap_or_else(|| std::env::temp_dir().join("stui"))
}

/// Where the local server's pid file lives: the runtime directory when the
/// system has one, else the data directory.
pub fn runtime_dir() -> PathBuf {
    project()
        .and_then(|dirs| dirs.runtime_dir().map(|d| d.to_path_buf()))
        .unwrap_or_else(|| data_dir().join("run"))
}

/// The user's config file (it may not exist).
pub fn config_file() -> Option<PathBuf> {
    project().map(|dirs| dirs.config_dir().join("config.toml"))
}

/// The directory of the user's config file, where keys and known_servers
/// are kept too.
pub fn config_dir() -> PathBuf {
    project()
        .map(|dirs| dirs.config_dir().to_path_buf())
        .unwrap_or_else(|| data_dir().join("config"))
}

/// Creates `dir` (and its missing parents) 0700. `dir` and those of its
/// ancestors that lie inside STUI's own directories are made 0700 when
/// they existed with another mode; directories of the user's (a log file's
/// chosen parent, the XDG roots) keep theirs.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(PRIVATE_DIR)
        .create(dir)?;
    let roots = [data_dir(), runtime_dir()];
    for ancestor in dir.ancestors() {
        let ours = ancestor == dir || roots.iter().any(|root| ancestor.starts_with(root));
        if !ours {
            break;
        }
        set_mode(ancestor, PRIVATE_DIR)?;
    }
    Ok(())
}

/// Writes `contents` to `path`, readable by its owner only, creating its
/// directory privately.
pub fn write_private(path: &Path, contents: impl AsRef<[u8]>) -> io::Result<()> {
    let mut file = open_private(path, OpenOptions::new().write(true).truncate(true))?;
    file.write_all(contents.as_ref())
}

/// Writes `contents` to `path` all at once or not at all: into a temporary
/// file beside it, then renamed over it, so a crash or a full disk never
/// leaves half a file. `create_new` refuses an existing `path`.
pub fn write_atomic(path: &Path, contents: impl AsRef<[u8]>, create_new: bool) -> io::Result<()> {
    if create_new && fs::symlink_metadata(path).is_ok() {
        return Err(io::Error::new(io::ErrorKind::AlreadyExists, "it exists"));
    }
    replace_file(path, contents.as_ref(), 0o666)
}

/// Writes `contents` to `path` at once, as [`write_atomic`] does, readable
/// by its owner only (also while being written), in a private directory.
pub fn write_private_atomic(path: &Path, contents: impl AsRef<[u8]>) -> io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_private_dir(dir)?;
    }
    replace_file(path, contents.as_ref(), PRIVATE_FILE)
}

/// Writes a temporary file beside `path` with `mode`, then renames it over `path`.
fn replace_file(path: &Path, contents: &[u8], mode: u32) -> io::Result<()> {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let partial = path.with_file_name(format!(".{name}.{}.partial", std::process::id()));
    let created = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(mode)
        .open(&partial);
    let written = created.and_then(|mut file| {
        file.write_all(contents)?;
        file.sync_all()
    });
    match written.and_then(|()| fs::rename(&partial, path)) {
        Ok(()) => Ok(()),
        Err(error) => {
            let _ = fs::remove_file(&partial);
            Err(error)
        }
    }
}

/// Opens `path` for appending (a log), creating it 0600 in a private
/// directory; an existing file is made 0600.
pub fn open_private_append(path: &Path) -> io::Result<File> {
    open_private(path, OpenOptions::new().append(true))
}

fn open_private(path: &Path, options: &mut OpenOptions) -> io::Result<File> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_private_dir(dir)?;
    }
    let file = options.create(true).mode(PRIVATE_FILE).open(path)?;
    file.set_permissions(Permissions::from_mode(PRIVATE_FILE))?;
    Ok(file)
}

/// Makes an existing file 0600 (one another program created); absent is fine.
pub fn make_private(path: &Path) -> io::Result<()> {
    match set_mode(path, PRIVATE_FILE) {
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    let current = fs::metadata(path)?.permissions().mode() & 0o7777;
    if current == mode {
        return Ok(());
    }
    fs::set_permissions(path, Permissions::from_mode(mode))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn private_files_and_dirs_are_created_and_repaired() {
        let root = std::env::temp_dir().join(format!("stui-paths-{}", uuid::Uuid::new_v4()));
        let file = root.join("a/b/file.txt");
        write_private(&file, "one").unwrap();
        assert_eq!(mode(&file), 0o600);
        assert_eq!(mode(&root.join("a/b")), 0o700);

        fs::set_permissions(&file, Permissions::from_mode(0o644)).unwrap();
        fs::set_permissions(root.join("a/b"), Permissions::from_mode(0o755)).unwrap();
        let mut log = open_private_append(&file).unwrap();
        log.write_all(b" two").unwrap();
        assert_eq!(fs::read_to_string(&file).unwrap(), "one two");
        assert_eq!(mode(&file), 0o600, "an existing file is made private");
        assert_eq!(mode(&root.join("a/b")), 0o700, "so is its directory");

        write_private(&file, "three").unwrap();
        assert_eq!(fs::read_to_string(&file).unwrap(), "three");
        make_private(&root.join("absent")).unwrap();
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn atomic_writes_replace_whole_files_or_refuse_existing_ones() {
        let dir = std::env::temp_dir().join(format!("stui-atomic-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let file = dir.join("out.st");
        write_atomic(&file, "one", true).unwrap();
        let refused = write_atomic(&file, "two", true).unwrap_err();
        assert_eq!(refused.kind(), io::ErrorKind::AlreadyExists);
        write_atomic(&file, "three", false).unwrap();
        assert_eq!(fs::read_to_string(&file).unwrap(), "three");
        // Nothing is left beside it.
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1);
        let missing_dir = dir.join("no/such/dir/x.st");
        assert!(write_atomic(&missing_dir, "x", false).is_err());
        fs::remove_dir_all(&dir).unwrap();
    }
}
