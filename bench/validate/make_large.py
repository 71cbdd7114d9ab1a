#!/usr/bin/env python3
"""Builds a ~2 MB playbook by chaining copies of a ~300-step playbook.

Usage: make_large.py SOURCE OUT [TARGET_BYTES]

Each copy gets fresh step ids (UUIDv4 from a fixed seed, so the output is reproducible). The main
flow of copy k, instead of ending, continues with the first step of copy k+1; copies after the first
lose their start step. Agents, targets, variables and markings are shared. The result is a valid
playbook with the same mix of step types, branches and loops as the source.
"""
import copy
import json
import math
import random
import re
import sys
import uuid

STEP_ID = re.compile(r"^[a-z-]+--[0-9a-f-]{36}$")


def main():
    source_path, out_path = sys.argv[1], sys.argv[2]
    target = int(sys.argv[3]) if len(sys.argv) > 3 else 2_000_000
    with open(source_path, encoding="utf-8") as handle:
        playbook = json.load(handle)
    size = len(json.dumps(playbook, indent=2))
    copies = max(1, math.ceil(target / size))
    rng = random.Random(1)

    workflow = playbook["workflow"]
    start_id = playbook["workflow_start"]
    first_id = workflow[start_id]["on_completion"]

    # The main flow: follow continuations from the start to its end step.
    step_id, last_id = first_id, start_id
    while workflow[step_id]["type"] != "end":
        step = workflow[step_id]
        last_id, step_id = step_id, step.get("on_completion") or step.get("on_success")
    main_end_id = step_id

    def renamed(mapping, value):
        if isinstance(value, str):
            return mapping.get(value, value)
        if isinstance(value, list):
            return [renamed(mapping, item) for item in value]
        if isinstance(value, dict):
            return {key: renamed(mapping, item) for key, item in value.items()}
        return value

    chained = {}
    previous_last, previous_end = None, None
    for index in range(copies):
        mapping = {}
        for key in workflow:
            if index == 0:
                mapping[key] = key
            else:
                prefix = key.split("--")[0]
                mapping[key] = f"{prefix}--{uuid.UUID(int=rng.getrandbits(128), version=4)}"
        part = {mapping[key]: renamed(mapping, copy.deepcopy(step)) for key, step in workflow.items()}
        if index > 0:
            del part[mapping[start_id]]
            # The previous copy's main flow continues here instead of ending.
            last = chained[previous_last]
            for pointer in ("on_completion", "on_success"):
                if last.get(pointer) == previous_end:
                    last[pointer] = mapping[first_id]
            still_used = any(previous_end in json.dumps(step) for step in chained.values())
            if not still_used:
                del chained[previous_end]
        chained.update(part)
        previous_last, previous_end = mapping[last_id], mapping[main_end_id]

    playbook["workflow"] = chained
    playbook["name"] = f"{playbook['name']} x{copies}"
    with open(out_path, "w", encoding="utf-8") as handle:
        json.dump(playbook, handle, indent=2)
        handle.write("\n")
    print(f"{out_path}: {copies} copies, {len(chained)} steps", file=sys.stderr)


if __name__ == "__main__":
    main()
