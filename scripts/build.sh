#!/usr/bin/env bash
# Configures and builds Parley into build/ (binary: build/parley).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="$BUILD_TYPE" -DPARLEY_WERROR=ON >/dev/null
cmake --build build -j "$(nproc)"
