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

echo "== cacao-validate (release build) and serde_json"
cargo bench --quiet -p cacao-validate --bench validate -- --json "$root/bench/results/rust.json" "${groups[@]}"

echo "== Python jsonschema $("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("jsonschema"))') (official draft-07 schemas)"
"$venv/bin/python" bench/validate/baseline.py testdata/schemas/official --json bench/results/python.json "${groups[@]}"

"$venv/bin/python" bench/validate/report.py bench/results/rust.json bench/results/python.json
