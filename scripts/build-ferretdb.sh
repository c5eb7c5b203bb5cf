#!/usr/bin/env bash
# Builds build/ferretdb-test, the FerretDB v1 server (MongoDB wire protocol on SQLite) that the
# MongoDB tests start on loopback. Needs Go >= 1.24 (the machines' /usr/local/go); modules come
# from the Go module proxy and are cached, so later runs take seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
GO="$(command -v go || true)"
if [ -z "$GO" ] && [ -x /usr/local/go/bin/go ]; then GO=/usr/local/go/bin/go; fi
if [ -z "$GO" ]; then
  echo "build-ferretdb: no Go toolchain found (need Go >= 1.24 on PATH or in /usr/local/go)" >&2
  exit 1
fi
mkdir -p build
(cd tests/ferretdb && "$GO" build -o ../../build/ferretdb-test .)
echo "build-ferretdb: build/ferretdb-test ready"
