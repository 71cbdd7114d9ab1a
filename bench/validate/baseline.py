#!/usr/bin/env python3
"""The Python baseline: the `jsonschema` package validating playbooks against the official CACAO
schemas (draft-07, as they declare), all errors collected, parsing included.

Usage: baseline.py SCHEMAS_DIR [--json OUT] GROUP=PATH...

Timing mirrors the Rust benchmark: one pass over all files of a group (json.loads plus
iter_errors), repeated until a second has passed (at least 10 passes), mean pass reported
in microseconds of this thread's CPU time (time.thread_time_ns), so that other processes on a
shared machine do not distort the ratio.
"""
import importlib.metadata
import json
import os
import sys
import time

import jsonschema
import referencing
import referencing.jsonschema

PLAYBOOK_ID = "https://raw.githubusercontent.com/oasis-open/cacao-json-schemas/main/schemas/playbook.json"


def load_validator(schemas_dir):
    resources = []
    for root, _, names in os.walk(schemas_dir):
        for name in names:
            if name.endswith(".json"):
                with open(os.path.join(root, name), encoding="utf-8") as handle:
                    schema = json.load(handle)
                if "$id" not in schema:
                    continue
                resource = referencing.Resource.from_contents(schema, default_specification=referencing.jsonschema.DRAFT7)
                resources.append((schema["$id"], resource))
    registry = referencing.Registry().with_resources(resources)
    playbook = registry[PLAYBOOK_ID].contents
    return jsonschema.Draft7Validator(playbook, registry=registry)


def json_files(path):
    if os.path.isdir(path):
        found = []
        for root, _, names in os.walk(path):
            found.extend(os.path.join(root, name) for name in names if name.endswith(".json") and name != "manifest.json")
        return sorted(found)
    return [path]


def one_pass(validator, texts):
    errors = 0
    for text in texts:
        try:
            document = json.loads(text)
        except ValueError:
            errors += 1
            continue
        errors += sum(1 for _ in validator.iter_errors(document))
    return errors


def mean_pass(validator, texts):
    for _ in range(3):
        one_pass(validator, texts)
    passes = 0
    started = time.perf_counter()
    begin = time.thread_time_ns()
    while passes < 10 or time.perf_counter() - started < 1.0:
        one_pass(validator, texts)
        passes += 1
    return (time.thread_time_ns() - begin) / 1e3 / passes


def main():
    arguments = sys.argv[1:]
    schemas_dir = arguments.pop(0)
    out = None
    if "--json" in arguments:
        index = arguments.index("--json")
        out = arguments[index + 1]
        del arguments[index : index + 2]
    validator = load_validator(schemas_dir)
    results = []
    print(f"{'group':<10} {'files':>6} {'bytes':>10} {'jsonschema µs':>14}")
    for argument in arguments:
        group, _, path = argument.partition("=")
        files = json_files(path)
        texts = []
        for name in files:
            with open(name, "rb") as handle:
                texts.append(handle.read())
        micros = mean_pass(validator, texts)
        size = sum(len(text) for text in texts)
        print(f"{group:<10} {len(files):>6} {size:>10} {micros:>14.1f}")
        results.append({"group": group, "files": len(files), "bytes": size, "jsonschema_us": micros,
                        "jsonschema_version": importlib.metadata.version("jsonschema")})
    if out:
        with open(out, "w", encoding="utf-8") as handle:
            json.dump(results, handle, indent=2)


if __name__ == "__main__":
    main()
