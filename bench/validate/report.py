#!/usr/bin/env python3
"""Combines the Rust and Python measurements of one run into the two ratios the project reports:
speed against the Python `jsonschema` baseline (goal: at least 100x) and full validation against
parsing with serde_json alone (goal: at most 3x).

Usage: report.py --rust RUST.json... --python PYTHON.json...
Each file is one round of one side. The ratios compare each side's best round (the least
disturbed by other load on the machine); every round's own ratio is printed too."""
import json
import sys


def load(paths):
    rounds = []
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            rounds.append({row["group"]: row for row in json.load(handle)})
    return rounds


def main():
    arguments = sys.argv[1:]
    if "--rust" not in arguments or "--python" not in arguments:
        sys.exit("usage: report.py --rust RUST.json... --python PYTHON.json...")
    rust_at, python_at = arguments.index("--rust"), arguments.index("--python")
    if rust_at < python_at:
        rust_paths, python_paths = arguments[rust_at + 1:python_at], arguments[python_at + 1:]
    else:
        python_paths, rust_paths = arguments[python_at + 1:rust_at], arguments[rust_at + 1:]
    rust, python = load(rust_paths), load(python_paths)

    print()
    print(f"best of {len(rust)} cacao and {len(python)} Python rounds:")
    print(f"{'group':<8} {'files':>5} {'bytes':>9} {'cacao µs':>10} {'serde_json µs':>14} {'jsonschema µs':>14} {'vs Python':>10} {'vs serde_json':>14}")
    for group, first in rust[0].items():
        validate = min(round_[group]["validate_us"] for round_ in rust)
        serde = min(round_[group]["serde_json_us"] for round_ in rust)
        baseline = min(round_[group]["jsonschema_us"] for round_ in python)
        print(f"{group:<8} {first['files']:>5} {first['bytes']:>9} {validate:>10.0f} {serde:>14.0f} "
              f"{baseline:>14.0f} {baseline / validate:>9.0f}x {validate / serde:>13.2f}x")
    print()
    print("each round on its own (vs Python, vs serde_json):")
    for group in rust[0]:
        pairs = [
            f"{p[group]['jsonschema_us'] / r[group]['validate_us']:.0f}x {r[group]['validate_us'] / r[group]['serde_json_us']:.2f}x"
            for r, p in zip(rust, python)
        ]
        print(f"  {group:<8} " + ", ".join(pairs))
    print()
    print("vs Python: how many times faster cacao validates than Python jsonschema (goal >= 100x).")
    print("vs serde_json: full validation time over serde_json parsing alone (goal <= 3x).")


if __name__ == "__main__":
    main()
