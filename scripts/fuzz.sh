#!/usr/bin/env bash
# The fuzz part of the test command: every libFuzzer target for a fixed number of executions
# (default 50000) from the committed seed corpus, so a run does the same work on any machine.
# For longer runs: fuzz/run.sh --seconds N.
set -euo pipefail
cd "$(dirname "$0")/.."
exec fuzz/run.sh --runs "${1:-50000}"
