#!/usr/bin/env bash
# Writes the fuzz seed corpora (fuzz/corpus/<target>/) from test-vectors/ and from tokens
# signed with the targets' fixed keys. The corpus is not committed (.gitignore); CI runs this.
set -euo pipefail
cd "$(dirname "$0")"
CARGO_TARGET_DIR="$PWD/target/seed" cargo run --quiet --release \
  --manifest-path seed/Cargo.toml -- "$PWD/corpus"
