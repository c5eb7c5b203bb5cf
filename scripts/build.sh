#!/usr/bin/env bash
# Configures and builds Parley into build/ (binary: build/parley). Arguments name the targets to
# build (e.g. `parley parley-cli`); none builds everything: tests, benchmarks and fuzz targets too.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="$BUILD_TYPE" -DPARLEY_WERROR=ON >/dev/null
targets=()
for target in "$@"; do targets+=(--target "$target"); done
cmake --build build -j "$(nproc)" "${targets[@]}"
