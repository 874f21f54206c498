//! The user's directories (XDG on Linux, via the `directories` crate).

use std::path::PathBuf;

use directories::ProjectDirs;

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
