#!/usr/bin/env bash
# One command from a fresh Debian 12 machine: install, build, and start one Parley node on the
# embedded default (SQLite + in-process state) with the demo data. Extra arguments go to parley.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
# Only what this command starts, and the protocol client the README shows: the tests and
# benchmarks take most of a full build's time.
./scripts/build.sh parley parley-cli
exec ./build/parley --demo-data --data-dir ./data "$@"
