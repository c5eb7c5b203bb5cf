#!/usr/bin/env bash
# One command from a fresh Debian 12 machine: install, build, check formatting and run the whole
# test suite (fuzz smoke runs, then unit and end-to-end tests against real parley processes).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/check-format.sh
./scripts/build.sh
./scripts/build-ferretdb.sh
./scripts/fuzz.sh
# Last, so that its summary line closes the output.
(cd build && ctest --output-on-failure --timeout 300 -j 2)
