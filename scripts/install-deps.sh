#!/usr/bin/env bash
# Installs every Debian 12 package Parley needs to build, run and test. Safe to run again.
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

PACKAGES=(
  # toolchain
  g++ cmake ninja-build pkg-config ccache git
  # libraries (Boost 1.81 from bookworm; never the 1.74 libboost-dev, which conflicts)
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libprotobuf-dev protobuf-compiler libsqlite3-dev libspdlog-dev libfmt-dev
  libtomlplusplus-dev libcli11-dev libsodium-dev prometheus-cpp-dev
  libhiredis-dev libmongoc-dev libbson-dev libssl-dev
  # tests: GoogleTest, the format check, libFuzzer, real Redis servers
  libgtest-dev libgmock-dev clang-format-14 clang-14 libfuzzer-14-dev libclang-rt-14-dev
  redis-server redis-tools python3 curl
  # bench/run.sh tls: a self-signed certificate
  openssl
  # the web console: Node.js (with npm) builds it; its browser test drives Debian's chromium
  nodejs chromium
)

missing=()
for package in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# Debian's nodejs comes without npm (its own package); NodeSource's nodejs includes it, and
# Debian's npm package would conflict with that one.
if ! command -v npm >/dev/null; then
  echo "install-deps: installing npm"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get install -y -q --no-install-recommends npm
fi
# Vite needs Node.js 20.19 or later; Debian 12's own nodejs is 18.
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "install-deps: Node.js $(node --version) is too old for the console's build (Vite needs 20.19+);" \
    "install Node.js 20 or 22 (e.g. from NodeSource)" >&2
  exit 1
fi
