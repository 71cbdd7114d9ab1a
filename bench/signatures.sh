#!/usr/bin/env bash
# Signature benchmark: cacao-sign (release build) against the Python baseline (cryptography +
# rfc8785 from PyPI, in bench/.venv) on the same signed ~120 KB playbooks, measured in one run.
# Prints each time and the ratio baseline / cacao (above 1 means cacao is faster).
set -euo pipefail
cd "$(dirname "$0")/.."

# The venv is shared with the other benchmarks, which install their own packages into it.
if [ ! -x bench/.venv/bin/python ]; then
    python3 -m venv bench/.venv
fi
bench/.venv/bin/pip install --quiet --disable-pip-version-check cryptography rfc8785

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cargo bench --quiet -p cacao-sign --bench verify -- --write "$work" | tee "$work/rust.txt"
for algorithm in ES256 RS256 Ed25519; do
    bench/.venv/bin/python bench/jss_baseline.py "$work/$algorithm.json" "$algorithm" >> "$work/python.txt"
done
cat "$work/python.txt" | sed 's/^/python /'

echo
echo "verify, microseconds per playbook (ratio = python / cacao):"
for algorithm in ES256 RS256 Ed25519; do
    rust=$(awk -v a="$algorithm" '$1 == "verify_us" && $2 == a {print $3}' "$work/rust.txt")
    python=$(awk -v a="$algorithm" '$1 == "verify_us" && $2 == a {print $3}' "$work/python.txt")
    awk -v a="$algorithm" -v r="$rust" -v p="$python" \
        'BEGIN {printf "  %-8s cacao %10.1f  python %10.1f  ratio %.2f\n", a, r, p, p / r}'
done
