#!/usr/bin/env bash
# Measures the cost of one ssh command through cacao's ssh executor against the OpenSSH client
# (the baseline), on a private sshd on loopback. Needs root (the benchmark, like the tests, logs in
# as a throwaway account) and Debian's openssh-server (scripts/ensure-peers installs it).
#
#   bench/executors.sh [RUNS]      # default 50 runs of each
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-peers
exec cargo bench -p cacao-executors --bench ssh_round_trip -- "${1:-50}"
