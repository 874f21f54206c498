#!/usr/bin/env bash
# Sets everything up on a fresh Debian/Ubuntu machine and starts the STUI TUI.
# With the default config it connects to tcp://127.0.0.1:5555 and, when
# nothing answers there, starts the bundled GNU Smalltalk server itself.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
if ! command -v cargo >/dev/null; then
  echo "run: cargo not found. Install Rust 1.88 or newer with rustup (https://rustup.rs), then run this again." >&2
  exit 1
fi
cargo build --release --quiet
exec target/release/stui "$@"
