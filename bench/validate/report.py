#!/usr/bin/env python3
"""Combines the Rust and Python measurements of one run into the two ratios the project reports:
speed against the Python `jsonschema` baseline (goal: at least 100x) and full validation against
parsing with serde_json alone (goal: at most 3x)."""
import json
import sys


def main():
    with open(sys.argv[1], encoding="utf-8") as handle:
        rust = {row["group"]: row for row in json.load(handle)}
    with open(sys.argv[2], encoding="utf-8") as handle:
        python = {row["group"]: row for row in json.load(handle)}
    print()
    print(f"{'group':<8} {'files':>5} {'bytes':>9} {'cacao µs':>10} {'serde_json µs':>14} {'jsonschema µs':>14} {'vs Python':>10} {'vs serde_json':>14}")
    for group, row in rust.items():
        baseline = python[group]
        speedup = baseline["jsonschema_us"] / row["validate_us"]
        overhead = row["validate_us"] / row["serde_json_us"]
        print(f"{group:<8} {row['files']:>5} {row['bytes']:>9} {row['validate_us']:>10.0f} {row['serde_json_us']:>14.0f} "
              f"{baseline['jsonschema_us']:>14.0f} {speedup:>9.0f}x {overhead:>13.2f}x")
    print()
    print("vs Python: how many times faster cacao validates than Python jsonschema (goal >= 100x).")
    print("vs serde_json: full validation time over serde_json parsing alone (goal <= 3x).")


if __name__ == "__main__":
    main()
