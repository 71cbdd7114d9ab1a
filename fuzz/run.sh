#!/usr/bin/env bash
# Fuzzes the validator and the formatter, seeded with the conformance corpus and the examples.
# Usage: fuzz/run.sh [SECONDS]   (default 600, the project's required minimum run)
# Needs a nightly toolchain and cargo-fuzz: `rustup toolchain install nightly` and
# `cargo install cargo-fuzz`. Crashes land in fuzz/artifacts/validate/.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-600}"

mkdir -p corpus/validate
find ../testdata/corpus/validate ../testdata/examples -name '*.json' ! -name manifest.json \
    -exec cp {} corpus/validate/ \;

cargo +nightly fuzz run validate corpus/validate -- \
    -dict=cacao.dict -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=4096
