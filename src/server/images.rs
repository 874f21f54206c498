//! Saved user images: the running server's whole image (classes, methods,
//! globals) written by `save_image` under the data directory, so that
//! stopping and starting the server keeps the user's work. Each image
//! `NAME.im` has beside it the code history it holds (`NAME.im.history.st`,
//! written by the server) and what STUI knows about it (`NAME.json`): the
//! address it served, the stamp of the server it ran (an image of older
//! server sources or another gst is rebuilt from its history), when it was
//! saved and its size. The server keeps the previous image as
//! `NAME.im.bak` when it saves.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::{LocalServer, ServerError, io_error};
use crate::net::Client;
use crate::protocol::{FileInParams, FileInResult, RequestBody, SaveImageParams, SaveImageResult};

/// The name an image gets when none was given and the server runs none.
pub const DEFAULT_IMAGE: &str = "default";

/// What STUI records beside a saved image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImageMeta {
    pub address: String,
    /// `image_stamp` of the server that saved it.
    pub stamp: String,
    /// Seconds since the Unix epoch.
    pub saved_at: u64,
    pub bytes: u64,
    pub history_changes: u64,
}

/// A saved image found in the images directory.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedImage {
    pub name: String,
    pub path: PathBuf,
    pub meta: Option<ImageMeta>,
}

impl SavedImage {
    pub fn history_path(&self) -> PathBuf {
        history_path(&self.path)
    }

    /// Saved by a server of other sources or another gst.
    pub fn is_outdated(&self, current_stamp: &str) -> bool {
        self.meta
            .as_ref()
            .is_none_or(|meta| meta.stamp != current_stamp)
    }
}

/// Which image a start uses.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ImageChoice {
    /// The image last saved for the server's address; the bundled server
    /// when there is none.
    #[default]
    Last,
    /// The bundled server's own image, with no user code.
    Fresh,
    Named(String),
}

/// The name is a plain file name: letters, digits, `.`, `_`, `-`.
pub fn check_name(name: &str) -> Result<(), ServerError> {
    let plain = !name.is_empty()
        && !name.starts_with('.')
        && name.len() <= 100
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if plain {
        Ok(())
    } else {
        Err(ServerError::Image(format!(
            "{name:?} is not an image name: use letters, digits, '.', '_' and '-' (not first)"
        )))
    }
}

fn history_path(image: &Path) -> PathBuf {
    let mut name = image.as_os_str().to_owned();
    name.push(".history.st");
    PathBuf::from(name)
}

impl LocalServer {
    pub fn image_path(&self, name: &str) -> PathBuf {
        self.images_dir.join(format!("{name}.im"))
    }

    fn meta_path(&self, name: &str) -> PathBuf {
        self.images_dir.join(format!("{name}.json"))
    }

    /// Every saved image, newest first.
    pub fn saved_images(&self) -> Vec<SavedImage> {
        let Ok(entries) = std::fs::read_dir(&self.images_dir) else {
            return Vec::new();
        };
        let mut images: Vec<SavedImage> = entries
            .flatten()
            .filter_map(|entry| {
                let file = entry.file_name().to_string_lossy().to_string();
                let name = file.strip_suffix(".im")?.to_string();
                check_name(&name).ok()?;
                Some(self.saved_image(&name))
            })
            .collect();
        images.sort_by_key(|image| {
            std::cmp::Reverse(image.meta.as_ref().map_or(0, |meta| meta.saved_at))
        });
        images
    }

    fn saved_image(&self, name: &str) -> SavedImage {
        let meta = std::fs::read_to_string(self.meta_path(name))
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok());
        SavedImage {
            name: name.to_string(),
            path: self.image_path(name),
            meta,
        }
    }

    /// The image a start with `choice` runs: None for the bundled server.
    pub fn choose_image(&self, choice: &ImageChoice) -> Result<Option<SavedImage>, ServerError> {
        match choice {
            ImageChoice::Fresh => Ok(None),
            ImageChoice::Last => Ok(self.saved_images().into_iter().find(|image| {
                image
                    .meta
                    .as_ref()
                    .is_some_and(|m| m.address == self.address)
            })),
            ImageChoice::Named(name) => {
                check_name(name)?;
                let image = self.saved_image(name);
                if image.path.is_file() {
                    return Ok(Some(image));
                }
                let known: Vec<String> = self.saved_images().into_iter().map(|i| i.name).collect();
                Err(ServerError::Image(format!(
                    "no saved image named {name:?} in {} (saved: {})",
                    self.images_dir.display(),
                    if known.is_empty() {
                        "none".into()
                    } else {
                        known.join(", ")
                    }
                )))
            }
        }
    }

    /// Asks the running server to save its image as `name` (the server
    /// writes a temporary file, renames it and keeps the previous one as
    /// a backup), then records what STUI needs to start it again.
    pub fn save_image(&self, name: &str) -> Result<SavedImage, ServerError> {
        check_name(name)?;
        if self.ping(Duration::from_secs(1)).is_none() {
            return Err(ServerError::Image(format!(
                "no server answers at {}: nothing to save (start one with `stui server start`)",
                self.address
            )));
        }
        crate::paths::create_private_dir(&self.images_dir)
            .map_err(|e| io_error(&self.images_dir, e))?;
        let path = self.image_path(name);
        let saved = request_save(self, &path)?;
        let meta = ImageMeta {
            address: self.address.clone(),
            stamp: super::image::stamp(&self.gst),
            saved_at: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |age| age.as_secs()),
            bytes: saved.bytes,
            history_changes: saved.history_changes,
        };
        let meta_path = self.meta_path(name);
        let json = serde_json::to_string_pretty(&meta).expect("image metadata serialises");
        crate::paths::write_private(&meta_path, &json).map_err(|e| io_error(&meta_path, e))?;
        for file in [&path, &history_path(&path)] {
            crate::paths::make_private(file).map_err(|e| io_error(file, e))?;
        }
        log::info!("saved the image {} ({} bytes)", path.display(), saved.bytes);
        Ok(SavedImage {
            name: name.to_string(),
            path,
            meta: Some(meta),
        })
    }
}

/// What rebuilding an outdated image brought over.
#[derive(Debug, Clone, PartialEq)]
pub struct Rebuilt {
    pub name: String,
    /// Changes in the image's history, and the errors filing them in.
    pub changes: u64,
    pub errors: Vec<String>,
}

impl LocalServer {
    /// The server just started from the bundled image in place of
    /// `outdated`, saved by an older server: files in the code history
    /// saved with it and saves the result under its name.
    pub(super) fn rebuild(&self, outdated: &SavedImage) -> Result<Rebuilt, ServerError> {
        let history_path = outdated.history_path();
        let history = std::fs::read_to_string(&history_path).unwrap_or_default();
        let changes = outdated
            .meta
            .as_ref()
            .map_or(0, |meta| meta.history_changes);
        let mut errors = Vec::new();
        if !history.trim().is_empty() {
            let result = file_in(self, history, &format!("rebuild of {}", outdated.name)).map_err(
                |why| {
                    ServerError::Image(format!(
                        "rebuilding the image {} from {} failed: {why}",
                        outdated.name,
                        history_path.display()
                    ))
                },
            )?;
            errors = result
                .errors
                .iter()
                .map(|e| {
                    format!(
                        "{}:{}:{}: {}",
                        history_path.display(),
                        e.line,
                        e.column,
                        e.message
                    )
                })
                .collect();
        }
        for error in &errors {
            log::warn!("rebuilding the image {}: {error}", outdated.name);
        }
        self.save_image(&outdated.name)?;
        log::info!(
            "rebuilt the image {} for this server: {changes} changes brought over",
            outdated.name
        );
        Ok(Rebuilt {
            name: outdated.name.clone(),
            changes,
            errors,
        })
    }
}

fn file_in(local: &LocalServer, code: String, origin: &str) -> Result<FileInResult, String> {
    let mut client = one_shot_client(local, Duration::from_secs(300));
    let body = RequestBody::FileIn(FileInParams {
        code,
        origin: Some(origin.to_string()),
        timeout_ms: Some(300_000),
    });
    match client.call::<FileInResult>(body) {
        Ok(timed) => timed.value.map_err(|error| error.to_string()),
        Err(error) => Err(error.to_string()),
    }
}

/// A one-shot client in a session of its own, never an active one.
fn one_shot_client(local: &LocalServer, timeout: Duration) -> Client {
    let session = format!("stui-images-{}", uuid::Uuid::new_v4());
    local.one_shot_client(&session, timeout)
}

/// One `save_image` exchange; a snapshot of a large image takes a while.
fn request_save(local: &LocalServer, path: &Path) -> Result<SaveImageResult, ServerError> {
    let mut client = one_shot_client(local, Duration::from_secs(120));
    let body = RequestBody::SaveImage(SaveImageParams {
        path: path.display().to_string(),
    });
    let failed = |why: String| ServerError::Image(format!("saving the image failed: {why}"));
    match client.call::<SaveImageResult>(body) {
        Ok(timed) => timed.value.map_err(|error| failed(error.to_string())),
        Err(error) => Err(failed(error.to_string())),
    }
}
