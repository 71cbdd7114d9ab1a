"""Python baseline for bench/signatures.sh: verify a signed playbook with `cryptography` and
`rfc8785`, using the independent checker of the CLI tests, and print microseconds per verify
(parsing excluded on both sides)."""

import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "crates", "cacao-cli", "tests", "interop"))
import verify_jss  # noqa: E402


def main(path, algorithm):
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    playbook = json.loads(text)
    real_open = open

    def verify():
        # verify_jss.main reads the file; feed it the parsed document instead.
        verify_jss.json.load = lambda _handle: playbook
        with real_open(os.devnull, "w") as quiet:
            stdout = sys.stdout
            sys.stdout = quiet
            try:
                assert verify_jss.main(path) == 0
            finally:
                sys.stdout = stdout

    verify()
    start = time.perf_counter()
    iterations = 0
    while time.perf_counter() - start < 1.0:
        verify()
        iterations += 1
    elapsed = time.perf_counter() - start
    print(f"verify_us {algorithm} {elapsed * 1e6 / iterations:.1f}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
