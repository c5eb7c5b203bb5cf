#!/usr/bin/env bash
# bench/chaos.sh — the chaos harness (issue 14). For each topology, parley-chaos starts Parley
# nodes sharing a FerretDB and that Redis deployment (persisting: AOF, everysec), drives private
# and group messages through Turms clients that record every acknowledgement and push, and
# injects one fault per trial: a node killed with SIGKILL and started again, FLUSHALL, Redis
# restarted without its data, Redis restarted from an older copy of its files, a Cluster primary
# killed so that its replica takes over, FerretDB stopped and started. After each trial it counts
# acknowledged messages lost or duplicated, sequence ids going back, pushes missed, connected
# users not shown online, users shown online without a connection after one session TTL, and
# connections dropped, and measures how long healing took. The tables go to bench/CHAOS.md (one
# section per topology, replaced by each run of that topology).
#
# Environment (all optional):
#   CHAOS_TRIALS      trials of each fault, per topology (default 3; the target is all zeros over 100)
#   CHAOS_TOPOLOGIES  any of single, shards3, cluster3r1 (default: all three)
#   CHAOS_FAULTS      comma-separated, default all: node-kill, flushall, redis-restart-empty,
#                     redis-restart-older-copy, cluster-failover (cluster3r1 only), ferretdb-restart
#   CHAOS_NODES (3), CHAOS_USERS (24), CHAOS_RATE (20 messages/s), CHAOS_SEED (1)
#   CHAOS_ARGS        more parley-chaos flags (build/parley-chaos --help: timings, TTL, ...)
#   CHAOS_OUT         the document to update (default bench/CHAOS.md; "-" for none)
#   CHAOS_KEEP=1      keep every run's work dir (node logs); a failing run keeps its own anyway
#   BUILD_DIR         build tree (default <repo>/build); parley-chaos and parley are built there if
#                     missing, FerretDB's test server too (needs Go); needs redis-server and
#                     redis-cli on PATH (or $PARLEY_REDIS_SERVER, $PARLEY_REDIS_CLI)
#
# Every process a run starts listens on loopback on free ports, lives in a temp dir, and is
# stopped by its pid, also on Ctrl-C. Exit status: 0 when every count of every topology is zero.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
bench_dir="$repo/bench"
BUILD_DIR="${BUILD_DIR:-$repo/build}"
CHAOS_TRIALS="${CHAOS_TRIALS:-3}"
CHAOS_TOPOLOGIES="${CHAOS_TOPOLOGIES:-single shards3 cluster3r1}"
CHAOS_FAULTS="${CHAOS_FAULTS:-all}"
CHAOS_NODES="${CHAOS_NODES:-3}"
CHAOS_USERS="${CHAOS_USERS:-24}"
CHAOS_RATE="${CHAOS_RATE:-20}"
CHAOS_SEED="${CHAOS_SEED:-1}"
CHAOS_OUT="${CHAOS_OUT:-$bench_dir/CHAOS.md}"
chaos_bin="$BUILD_DIR/parley-chaos"

for topology in $CHAOS_TOPOLOGIES; do
  case "$topology" in
    single | shards3 | cluster3r1) ;;
    *)
      echo "chaos.sh: unknown topology '$topology' (single, shards3, cluster3r1)" >&2
      exit 2
      ;;
  esac
done
for tool in "${PARLEY_REDIS_SERVER:-redis-server}" "${PARLEY_REDIS_CLI:-redis-cli}"; do
  if ! command -v "$tool" >/dev/null; then
    echo "chaos.sh: $tool not found (apt-get install -y redis-server)" >&2
    exit 1
  fi
done
if [ ! -x "$chaos_bin" ] || [ ! -x "$BUILD_DIR/parley" ]; then
  echo "chaos.sh: building parley and parley-chaos in $BUILD_DIR" >&2
  cmake -S "$repo" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$BUILD_DIR" --target parley parley-chaos
fi
if [ -z "${PARLEY_FERRETDB:-}" ] && [ ! -x "$BUILD_DIR/ferretdb-test" ]; then
  echo "chaos.sh: building FerretDB's test server" >&2
  "$repo/scripts/build-ferretdb.sh" >&2
  if [ "$BUILD_DIR" != "$repo/build" ]; then cp "$repo/build/ferretdb-test" "$BUILD_DIR/"; fi
fi

work="$(mktemp -d /tmp/parley-chaos-run-XXXXXX)"
chaos_pid=""
cleanup() {
  # parley-chaos stops every server it started when it gets SIGTERM.
  if [ -n "$chaos_pid" ]; then
    kill "$chaos_pid" 2>/dev/null || true
    wait "$chaos_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
# parley-chaos runs in the background, so a signal reaches this script at once (bash acts on it
# only after a foreground command ends) and cleanup stops the run.
trap 'exit 130' INT
trap 'exit 143' TERM

commit="$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [ -n "$(git -C "$repo" status --porcelain -- src bench/chaos 2>/dev/null | head -1)" ]; then
  commit="$commit (modified)"
fi
status=0
for topology in $CHAOS_TOPOLOGIES; do
  echo "=== $topology: $CHAOS_TRIALS trial(s) of each fault ===" >&2
  keep=()
  if [ "${CHAOS_KEEP:-0}" = 1 ]; then keep=(--keep-work-dir); fi
  # shellcheck disable=SC2086
  cmd=("$chaos_bin" --topology "$topology" --trials "$CHAOS_TRIALS" --faults "$CHAOS_FAULTS"
    --nodes "$CHAOS_NODES" --users "$CHAOS_USERS" --rate "$CHAOS_RATE" --seed "$CHAOS_SEED" --verbose
    ${CHAOS_ARGS:-})
  started="$(date -u +%Y-%m-%dT%H:%MZ)"
  rc=0
  "${cmd[@]}" "${keep[@]}" --markdown-out "$work/$topology.md" --json-out "$work/$topology.json" &
  chaos_pid=$!
  wait "$chaos_pid" || rc=$?
  chaos_pid=""
  if [ "$rc" -ne 0 ]; then status=1; fi
  if [ "$rc" -eq 130 ] || [ ! -s "$work/$topology.md" ]; then
    echo "chaos.sh: $topology produced no result (exit $rc)" >&2
    exit "$([ "$rc" -eq 130 ] && echo 130 || echo 1)"
  fi
  if [ "$CHAOS_OUT" != "-" ]; then
    python3 "$bench_dir/chaos_doc.py" "$CHAOS_OUT" "$topology" "$work/$topology.md" \
      "$started" "$commit" "parley-chaos ${cmd[*]:1}"
  fi
done
exit "$status"
