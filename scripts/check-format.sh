#!/usr/bin/env bash
# Fails when a C++ file differs from .clang-format (run scripts/format.sh to fix).
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files --cached --others --exclude-standard -- '*.h' '*.cpp')
if [ "${#files[@]}" -eq 0 ]; then exit 0; fi
clang-format-14 --dry-run -Werror "${files[@]}"
echo "check-format: ${#files[@]} files formatted"
