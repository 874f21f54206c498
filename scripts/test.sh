#!/usr/bin/env bash
# Runs every test of STUI: style checks, Rust unit, rendering, integration
# (against the real GNU Smalltalk server) and end-to-end (the release binary
# in tmux), then the server's own SUnit tests and GNU Smalltalk's package
# suites through `stui eval` (compared with gst-sunit). Installs what is
# missing first.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
command -v cargo >/dev/null || { echo "test: cargo not found; install Rust (rustup) first" >&2; exit 1; }

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --release --all-targets -- -D warnings
echo "== cargo test (unit, rendering, integration, end-to-end)"
# One release build serves both the tests and the end-to-end binary.
cargo test --release
echo "== Smalltalk server SUnit tests"
bash scripts/test-smalltalk.sh
echo "== GNU Smalltalk package suites through stui eval"
bash scripts/test-packages.sh
