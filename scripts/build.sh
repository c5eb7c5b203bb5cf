#!/usr/bin/env bash
# Configures and builds Parley into build/ (binary: build/parley). Arguments name the targets to
# build (e.g. `parley parley-cli`); none builds everything: tests, benchmarks and fuzz targets too.
# With no targets or with `parley`, also builds the web console (console/, npm) into build/console,
# where parley serves it at /console/. PARLEY_SKIP_CONSOLE=1 skips the console.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}"

build_console() {
  if ! command -v npm >/dev/null; then
    echo "build.sh: npm not found (scripts/install-deps.sh installs it); the console is not built" >&2
    exit 1
  fi
  (
    cd console
    # npm ci starts from an empty node_modules; skip it while the lockfile has not changed since.
    if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
      npm ci --no-audit --no-fund
    fi
    npm run build --silent -- --outDir "$PWD/../build/console" --emptyOutDir --logLevel warn
  )
}

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="$BUILD_TYPE" -DPARLEY_WERROR=ON >/dev/null
targets=()
console=$([ "$#" -eq 0 ] && echo yes || echo no)
for target in "$@"; do
  targets+=(--target "$target")
  if [ "$target" = parley ]; then console=yes; fi
done
if [ "$console" = yes ] && [ "${PARLEY_SKIP_CONSOLE:-0}" != 1 ]; then build_console; fi
cmake --build build -j "$(nproc)" "${targets[@]}"
