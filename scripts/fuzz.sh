#!/usr/bin/env bash
# Builds the libFuzzer targets with clang-14 and runs each for N seconds (default 5). Skips with
# a message when clang-14 is not installed.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET="${1:-5}"
if ! command -v clang++-14 >/dev/null; then
  echo "fuzz: clang++-14 not installed; skipping fuzz runs"
  exit 0
fi
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++-14 \
  -DPARLEY_FUZZ=ON -DPARLEY_BUILD_TESTS=OFF >/dev/null
cmake --build build-fuzz -j "$(nproc)" --target varint_frame_fuzz request_decode_fuzz resp_fuzz rpc_frame_fuzz \
  ws_frame_fuzz ws_handshake_fuzz
for target in varint_frame_fuzz request_decode_fuzz resp_fuzz rpc_frame_fuzz ws_frame_fuzz \
  ws_handshake_fuzz; do
  corpus="build-fuzz/corpus/$target"
  mkdir -p "$corpus"
  echo "fuzz: $target for ${SECONDS_PER_TARGET}s"
  "build-fuzz/$target" -max_total_time="$SECONDS_PER_TARGET" -max_len=4096 "$corpus" \
    2>"build-fuzz/$target.log" || { tail -50 "build-fuzz/$target.log"; exit 1; }
  grep -E "^(#[0-9]+|Done)" "build-fuzz/$target.log" | tail -1
done
