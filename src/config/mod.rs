//! Configuration: settings (config/default.toml + user file + environment),
//! the keymap and the theme. Each loader names the file and the problem on error.

pub mod error;
pub mod keymap;
pub mod layers;
pub mod settings;
pub mod theme;

pub use error::ConfigError;
