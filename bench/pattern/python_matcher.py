"""Throughput of the OASIS reference matcher (stix2-matcher) over the pattern corpus.

Each case is matched the way the upstream tests call it: match(pattern, [bundle],
stix_version='2.1'), which parses the pattern and matches it. Prints key=value lines.
Usage: python_matcher.py CORPUS_JSONL [SECONDS]
"""
import json
import sys
import time

from stix2matcher.matcher import match


def main():
    corpus = sys.argv[1]
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 3.0
    cases = []
    with open(corpus, encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                case = json.loads(line)
                bundle = {"type": "bundle", "id": "bundle--00000000-0000-4000-8000-000000000000",
                          "objects": case["observed_data"]}
                cases.append((case["pattern"], bundle, case["matched"]))

    passes = 0
    matched = 0
    start = time.perf_counter()
    while passes == 0 or time.perf_counter() - start < seconds:
        for pattern, bundle, expected in cases:
            result = bool(match(pattern, [bundle], stix_version="2.1"))
            if result != expected:
                raise SystemExit(f"reference disagrees with the corpus on {pattern}")
            matched += result
        passes += 1
    elapsed = time.perf_counter() - start
    print(f"python_cases={len(cases)}")
    print(f"python_matched_per_pass={matched // passes}")
    print(f"python_cases_per_second={passes * len(cases) / elapsed:.1f}")


if __name__ == "__main__":
    main()
