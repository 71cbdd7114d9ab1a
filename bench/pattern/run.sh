#!/usr/bin/env bash
# Matcher throughput of stix-pattern against the OASIS reference matcher (PyPI stix2-matcher
# 3.0.0 with stix2-patterns), both over the 188 matcher cases of testdata/corpus/pattern in one
# run, and the cost of one CACAO condition comparison.
#
# Usage: bench/pattern/run.sh [SECONDS]   (measuring time per part and round, default 5)
# Goals: at least 200 times the Python throughput; under 1 microsecond per comparison.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-5}"
corpus=testdata/corpus/pattern/matcher.jsonl

# The Python baseline lives in bench/.venv (git-ignored), installed from PyPI.
if ! bench/.venv/bin/python -c 'import stix2matcher' 2>/dev/null; then
    python3 -m venv bench/.venv
    bench/.venv/bin/pip install --quiet 'stix2-matcher==3.0.0' 'stix2-patterns==2.1.2'
fi

echo "building the Rust benchmark (release profile)..." >&2
cargo bench -p stix-pattern --bench throughput --no-run --quiet 2>/dev/null || cargo bench -p stix-pattern --bench throughput --no-run

# Three alternating rounds; the best round of each side counts, so that a burst of other work
# on the machine does not decide the ratio.
value() { printf '%s\n' "$1" | sed -n "s/^$2=//p"; }
best() { python3 -c "import sys; print(max(float(x) for x in sys.argv[1:]))" "$@"; }
lowest() { python3 -c "import sys; print(min(float(x) for x in sys.argv[1:]))" "$@"; }
rust_rates=(); python_rates=(); condition_times=()
for round in 1 2 3; do
    rust_output="$(cargo bench -p stix-pattern --bench throughput --quiet -- "$seconds")"
    python_output="$(bench/.venv/bin/python bench/pattern/python_matcher.py "$corpus" "$seconds")"
    rust_rates+=("$(value "$rust_output" rust_cases_per_second)")
    python_rates+=("$(value "$python_output" python_cases_per_second)")
    condition_times+=("$(value "$rust_output" condition_nanoseconds_per_comparison)")
    echo "round $round: rust ${rust_rates[-1]} cases/s, python ${python_rates[-1]} cases/s" >&2
done
rust_rate="$(best "${rust_rates[@]}")"
python_rate="$(best "${python_rates[@]}")"
condition_ns="$(lowest "${condition_times[@]}")"
ratio="$(python3 -c "print(f'{$rust_rate / $python_rate:.0f}')")"

echo "corpus: $(value "$rust_output" rust_cases) matcher cases ($(value "$rust_output" rust_matched_per_pass) match), parse + match per case"
echo "stix-pattern (Rust):          $rust_rate cases/s (best of 3 rounds)"
echo "stix2-matcher 3.0.0 (Python): $python_rate cases/s (best of 3 rounds)"
echo "ratio:                        ${ratio}x (goal >= 200x)"
echo "condition evaluation:         $condition_ns ns per comparison (goal < 1000 ns)"
