//! TUI components.
