#!/usr/bin/env bash
# Engine benchmarks: per-step overhead (no journal, fsync'd journal), 1,000 parallel branches
# sleeping 1 s, and bash `true` steps against spawning `bash -c true` directly.
# Usage: bench/engine/run.sh        (CACAO_BENCH_QUICK=1 for a short smoke run)
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo bench -p cacao-cli --bench engine "$@"
