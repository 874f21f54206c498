//! The workspaces on disk: `workspaces/<name>.st` and `workspaces/tabs.json`
//! in the data directory, the lock that keeps two STUIs from writing the
//! same files, and the user's files opened and saved. The runtime calls
//! these; `update` only asks for them.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, Write};
use std::os::fd::AsRawFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use crate::ui::workspaces::{Restored, TABS_FILE, TabsFile, Workspaces, name_problem};

/// The workspaces' directory inside the data directory.
pub const DIR: &str = "workspaces";
/// Locked (flock) by the STUI that owns the workspaces' directory.
pub const LOCK_FILE: &str = "workspaces.lock";
/// The one workspace file of earlier versions, moved into [`DIR`].
const LEGACY_FILE: &str = "workspace.st";
/// A file larger than this is not opened as a workspace.
const MAX_OPEN_BYTES: u64 = 16 << 20;

/// The data directory's workspaces are this process's while it holds the
/// lock; the kernel lets go when the process ends, even when killed.
#[derive(Debug)]
pub struct DataLock {
    _file: File,
}

/// Another STUI holds the lock (its pid when it wrote one), or the lock
/// file cannot be used.
#[derive(Debug, PartialEq, Eq)]
pub enum NotLocked {
    HeldBy(Option<u32>),
    Unusable(String),
}

/// Take the lock of `data_dir`'s workspaces without waiting.
pub fn lock(data_dir: &Path) -> Result<DataLock, NotLocked> {
    let unusable = |error: io::Error| NotLocked::Unusable(error.to_string());
    crate::paths::create_private_dir(data_dir).map_err(unusable)?;
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(data_dir.join(LOCK_FILE))
        .map_err(unusable)?;
    // SAFETY: flock on a descriptor this function owns; no memory is involved.
    let locked = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0;
    if !locked {
        let mut holder = String::new();
        let _ = file.read_to_string(&mut holder);
        return Err(NotLocked::HeldBy(holder.trim().parse().ok()));
    }
    // Who holds it, for the other STUI's notice.
    let _ = file.set_len(0);
    let _ = file.rewind();
    let _ = write!(file, "{}", std::process::id());
    Ok(DataLock { _file: file })
}

/// The workspaces of `data_dir` (and the lock), or, when another STUI holds
/// them, an empty workspace of this one's own whose files carry its pid in
/// their names: neither overwrites the other's text, and the next start
/// shows both. The notices say what happened.
pub fn start(data_dir: &Path) -> (Workspaces, Option<DataLock>, Vec<String>) {
    let dir = data_dir.join(DIR);
    match lock(data_dir) {
        Ok(lock) => {
            let (restored, active) = load(&dir, &data_dir.join(LEGACY_FILE));
            let workspaces = Workspaces::new(dir, String::new(), true).restore(restored, active);
            (workspaces, Some(lock), Vec::new())
        }
        Err(why) => {
            let tag = format!("-pid{}", std::process::id());
            let who = match why {
                NotLocked::HeldBy(Some(pid)) => format!("Another STUI (pid {pid}) uses"),
                NotLocked::HeldBy(None) => "Another STUI uses".into(),
                NotLocked::Unusable(error) => format!("Cannot lock ({error})"),
            };
            let notice = format!(
                "{who} the workspaces in {}: this STUI starts with its own, saved there as \
                 <name>{tag}.st so that neither overwrites the other's text; the next start \
                 shows them all.",
                dir.display()
            );
            (Workspaces::new(dir, tag, false), None, vec![notice])
        }
    }
}

/// The workspaces saved in `dir`, in the tabs file's order, then any other
/// `.st` file there (another STUI's); the active one's index. The first
/// time, the one workspace of earlier versions (`legacy`) moves in.
pub fn load(dir: &Path, legacy: &Path) -> (Vec<Restored>, usize) {
    let tabs_file: TabsFile = fs::read_to_string(dir.join(TABS_FILE))
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default();
    let read = |name: &str| fs::read_to_string(dir.join(format!("{name}.st")));
    let mut restored: Vec<Restored> = Vec::new();
    for entry in tabs_file.tabs {
        // Two tabs of one name would write one file.
        let taken = restored.iter().any(|tab| tab.name == entry.name);
        if taken || name_problem(&entry.name).is_some() {
            continue;
        }
        restored.push(Restored {
            text: read(&entry.name).unwrap_or_default(),
            name: entry.name,
            file: entry.file,
        });
    }
    for name in other_files(dir, &restored) {
        match read(&name) {
            // An empty one holds nothing to keep.
            Ok(text) if text.is_empty() => {
                let _ = fs::remove_file(dir.join(format!("{name}.st")));
            }
            Ok(text) => restored.push(Restored {
                name,
                file: None,
                text,
            }),
            Err(error) => log::error!("cannot read the workspace {name}: {error}"),
        }
    }
    if restored.is_empty()
        && let Ok(text) = fs::read_to_string(legacy)
    {
        if crate::paths::write_private_atomic(&dir.join("1.st"), &text).is_ok() {
            let _ = fs::remove_file(legacy);
        }
        restored.push(Restored {
            name: "1".into(),
            file: None,
            text,
        });
    }
    (restored, tabs_file.active)
}

/// The names of the `.st` files in `dir` that `known` lacks, sorted.
fn other_files(dir: &Path, known: &[Restored]) -> Vec<String> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter_map(|file| file.strip_suffix(".st").map(String::from))
        .filter(|name| name_problem(name).is_none())
        .filter(|name| !known.iter().any(|tab| tab.name == *name))
        .collect();
    names.sort();
    names
}

/// Write a workspace's file (or the tabs file) at once; an empty
/// workspace that never had a file gets none.
pub fn write(path: &Path, text: &str) -> Result<(), String> {
    if text.is_empty() && fs::symlink_metadata(path).is_err() {
        return Ok(());
    }
    crate::paths::write_private_atomic(path, text).map_err(|error| in_words(&error))
}

/// Delete a workspace's file; one that is not there is fine.
pub fn remove(path: &Path) {
    match fs::remove_file(path) {
        Err(error) if error.kind() != io::ErrorKind::NotFound => {
            log::error!("cannot remove {}: {error}", path.display());
        }
        _ => {}
    }
}

/// The user's file `input` (`~`, relative to the current directory) and its text.
pub fn open(input: &str) -> (PathBuf, Result<String, String>) {
    let path = expand(input);
    let text = fs::metadata(&path)
        .and_then(|meta| {
            if meta.len() > MAX_OPEN_BYTES {
                Err(io::Error::other("larger than 16 MiB"))
            } else {
                fs::read_to_string(&path)
            }
        })
        .map_err(|error| in_words(&error));
    (path, text)
}

/// Write `text` to the user's file `input`, at once; the path and any error.
pub fn export(input: &str, text: &str) -> (PathBuf, Option<String>) {
    let path = expand(input);
    let error = crate::paths::write_atomic(&path, text, false).err();
    (path, error.map(|error| in_words(&error)))
}

/// `No such file or directory`, without the `(os error 2)` that means
/// nothing to a user.
pub fn in_words(error: &io::Error) -> String {
    let text = error.to_string();
    match text.rsplit_once(" (os error ") {
        Some((words, _)) => words.to_string(),
        None => text,
    }
}

fn expand(input: &str) -> PathBuf {
    let home = directories::BaseDirs::new().map(|dirs| dirs.home_dir().to_path_buf());
    let cwd = std::env::current_dir().unwrap_or_default();
    expand_path(input, home.as_deref(), &cwd)
}

/// `input` as a shell would take it: `~` is the home directory, and a
/// relative path starts at `cwd`.
pub fn expand_path(input: &str, home: Option<&Path>, cwd: &Path) -> PathBuf {
    let input = input.trim();
    let path = match (input, input.strip_prefix("~/"), home) {
        ("~", _, Some(home)) => home.to_path_buf(),
        (_, Some(rest), Some(home)) => home.join(rest),
        _ => PathBuf::from(input),
    };
    cwd.join(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_that_is_not_there_is_told_in_words() {
        let (_, text) = open("/nonexistent-stui-dir/x.st");
        assert_eq!(text, Err("No such file or directory".to_string()));
    }

    #[test]
    fn paths_expand_the_home_and_start_at_the_current_directory() {
        let home = Path::new("/home/ann");
        let cwd = Path::new("/work");
        let expand = |input| expand_path(input, Some(home), cwd);
        assert_eq!(expand("~/a.st"), PathBuf::from("/home/ann/a.st"));
        assert_eq!(expand("~"), PathBuf::from("/home/ann"));
        assert_eq!(expand(" b.st "), PathBuf::from("/work/b.st"));
        assert_eq!(expand("/tmp/c.st"), PathBuf::from("/tmp/c.st"));
        assert_eq!(expand("~ann/d.st"), PathBuf::from("/work/~ann/d.st"));
    }

    #[test]
    fn a_second_lock_of_the_same_data_directory_is_refused_and_names_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let held = lock(dir.path()).expect("the first lock");
        let refused = lock(dir.path()).unwrap_err();
        assert_eq!(refused, NotLocked::HeldBy(Some(std::process::id())));
        drop(held);
        assert!(
            lock(dir.path()).is_ok(),
            "free again once the holder is gone"
        );
    }

    #[test]
    fn two_stuis_on_one_data_directory_keep_each_others_text() {
        let data = tempfile::tempdir().unwrap();
        let (first, lock, said) = start(data.path());
        assert!(lock.is_some() && said.is_empty() && first.owns_tabs_file);
        let (second, none, said) = start(data.path());
        assert!(none.is_none() && !second.owns_tabs_file);
        assert!(said[0].starts_with("Another STUI (pid "), "{said:?}");
        // Both write their first workspace: two files, both kept.
        let (mine, theirs) = (first.path_of("1"), second.path_of("1"));
        assert_ne!(mine, theirs);
        write(&mine, "2 + 2").unwrap();
        write(&theirs, "3 + 3").unwrap();
        drop(lock);
        let (restored, _) = load(&data.path().join(DIR), Path::new("/nonexistent"));
        let texts: Vec<&str> = restored.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(texts, ["2 + 2", "3 + 3"]);
    }

    #[test]
    fn the_one_workspace_of_earlier_versions_becomes_the_first() {
        let data = tempfile::tempdir().unwrap();
        let legacy = data.path().join(LEGACY_FILE);
        fs::write(&legacy, "x := 42.").unwrap();
        let dir = data.path().join(DIR);
        let (restored, active) = load(&dir, &legacy);
        assert_eq!(restored.len(), 1);
        assert_eq!((restored[0].name.as_str(), active), ("1", 0));
        assert_eq!(restored[0].text, "x := 42.");
        assert_eq!(fs::read_to_string(dir.join("1.st")).unwrap(), "x := 42.");
        assert!(!legacy.exists(), "moved, not copied");
    }

    #[test]
    fn tabs_come_back_in_order_with_their_files_and_the_active_one() {
        let data = tempfile::tempdir().unwrap();
        let dir = data.path().join(DIR);
        let tabs = r#"{"active": 1, "tabs": [{"name": "b"}, {"name": "a", "file": "/x/a.st"},
            {"name": "b"}, {"name": "../up"}]}"#;
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join(TABS_FILE), tabs).unwrap();
        fs::write(dir.join("a.st"), "1").unwrap();
        fs::write(dir.join("empty.st"), "").unwrap();
        let (restored, active) = load(&dir, Path::new("/nonexistent"));
        let names: Vec<&str> = restored.iter().map(|r| r.name.as_str()).collect();
        assert_eq!((names, active), (vec!["b", "a"], 1));
        assert_eq!(restored[1].file, Some(PathBuf::from("/x/a.st")));
        assert_eq!(restored[0].text, "", "a tab without a file is empty");
        assert!(!dir.join("empty.st").exists(), "an empty stray file goes");
        // No file for an empty workspace that never had one.
        write(&dir.join("new.st"), "").unwrap();
        assert!(!dir.join("new.st").exists());
    }
}
