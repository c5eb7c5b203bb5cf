#!/usr/bin/env bash
# One command from a fresh Debian 12 machine: install, build, check formatting and run the whole
# test suite (unit, integration against real parley processes, fuzz smoke runs).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/check-format.sh
./scripts/build.sh
(cd build && ctest --output-on-failure --timeout 300 -j 2)
./scripts/fuzz.sh 5
