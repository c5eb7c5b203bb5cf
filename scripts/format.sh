#!/usr/bin/env bash
# Formats every C++ file in place with .clang-format.
set -euo pipefail
cd "$(dirname "$0")/.."
git ls-files --cached --others --exclude-standard -- '*.h' '*.cpp' | xargs clang-format-14 -i
