#!/usr/bin/env bash
# Builds the libFuzzer targets with clang-14 and runs them, each from the committed seed corpus
# (fuzz/corpus/<target>, read only) plus what earlier runs found (build-fuzz/corpus/<target>,
# where new inputs go).
#
#   fuzz/run.sh --seconds 600              every target for ten minutes each
#   fuzz/run.sh --seconds 3600 resp_fuzz   one target for an hour
#   fuzz/run.sh --runs 50000               a fixed number of executions each (the test command)
#
# A crash stops the run with the target's log tail; the crashing input is left in build-fuzz/.
# Skips with a message when clang-14 is not installed.
set -euo pipefail
cd "$(dirname "$0")/.."
ALL_TARGETS=(varint_frame_fuzz request_decode_fuzz resp_fuzz rpc_frame_fuzz ws_frame_fuzz
  ws_handshake_fuzz)
limit=(-max_total_time=60)
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) limit=(-max_total_time="$2"); shift 2 ;;
    --runs) limit=(-runs="$2"); shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=("${ALL_TARGETS[@]}")
if ! command -v clang++-14 >/dev/null; then
  echo "fuzz: clang++-14 not installed; skipping fuzz runs"
  exit 0
fi
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++-14 \
  -DPARLEY_FUZZ=ON -DPARLEY_BUILD_TESTS=OFF >/dev/null
build_targets=()
for target in "${targets[@]}"; do build_targets+=(--target "$target"); done
cmake --build build-fuzz -j "$(nproc)" "${build_targets[@]}"
for target in "${targets[@]}"; do
  found="build-fuzz/corpus/$target"
  seeds="fuzz/corpus/$target"
  mkdir -p "$found"
  echo "fuzz: $target (${limit[*]}, seeds: $(find "$seeds" -type f | wc -l))"
  (cd build-fuzz && "./$target" "${limit[@]}" -max_len=4096 "../$found" "../$seeds") \
    2>"build-fuzz/$target.log" || { tail -50 "build-fuzz/$target.log"; exit 1; }
  grep -E "^(#[0-9]+|Done)" "build-fuzz/$target.log" | tail -1
done
