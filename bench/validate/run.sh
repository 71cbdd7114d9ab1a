#!/usr/bin/env bash
# Measures `cacao validate` in one run against its two baselines and prints both ratios:
#   - the Python `jsonschema` package validating the same files against the official CACAO
#     schemas (draft-07, as published), installed from PyPI into bench/.venv;
#   - parsing the same files with serde_json alone.
# Inputs: the whole conformance corpus (testdata/corpus/validate) and a ~2 MB playbook made by
# chaining copies of the corpus's ~300-step playbook (bench/validate/make_large.py).
# Results go to bench/results/ (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$PWD"

venv=bench/.venv
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check jsonschema

mkdir -p bench/results
"$venv/bin/python" bench/validate/make_large.py \
    testdata/corpus/validate/valid/large-generated-a.json bench/results/large-2mb.json

groups=("corpus=$root/testdata/corpus/validate" "large=$root/bench/results/large-2mb.json")

# The machine is shared and its speed drifts by tens of percent between minutes, so the two sides
# are measured in alternating rounds and each side's best round is compared (ROUNDS, default 3).
rounds="${ROUNDS:-3}"
version="$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("jsonschema"))')"
cargo bench --quiet -p cacao-validate --bench validate --no-run
rust_results=()
python_results=()
for round in $(seq 1 "$rounds"); do
    echo "== round $round of $rounds: cacao-validate (release build) and serde_json"
    cargo bench --quiet -p cacao-validate --bench validate -- --json "$root/bench/results/rust-$round.json" "${groups[@]}"
    echo "== round $round of $rounds: Python jsonschema $version (official draft-07 schemas)"
    "$venv/bin/python" bench/validate/baseline.py testdata/schemas/official --json "bench/results/python-$round.json" "${groups[@]}"
    rust_results+=("bench/results/rust-$round.json")
    python_results+=("bench/results/python-$round.json")
done

"$venv/bin/python" bench/validate/report.py --rust "${rust_results[@]}" --python "${python_results[@]}"
