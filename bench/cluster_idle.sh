#!/usr/bin/env bash
# bench/cluster_idle.sh — 100,000 concurrent logged-in sessions on this one machine (issue 4):
# NODES Parley processes (each its own node id, SQLite store and RPC port) share one WebSocket
# port with SO_REUSEPORT and one redis-server for the session registry, because one process may
# hold at most 20,000 sockets here. parley-bench logs SESSIONS users in through that port (the
# kernel spreads the connections over the nodes), holds them idle, and the script records the
# memory of every node and of Redis, and checks that Redis knows every session.
#
# Environment (all optional): BUILD_DIR (default <repo>/build), SESSIONS (100000), NODES (6),
# LOGIN_RATE (5000/s), HOLD (10s), REDIS_SERVER (redis-server).
# Writes bench/results/<date>-cluster-idle.json. Every process started here is stopped by pid.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$repo/build}"
SESSIONS="${SESSIONS:-100000}"
NODES="${NODES:-6}"
LOGIN_RATE="${LOGIN_RATE:-5000}"
HOLD="${HOLD:-10s}"
REDIS_SERVER_BIN="${REDIS_SERVER:-redis-server}"  # for start_redis (lib.sh)
# shellcheck source=bench/lib.sh
. "$repo/bench/lib.sh"
PARLEY="$BUILD_DIR/parley"
BENCH="$BUILD_DIR/parley-bench"
for binary in "$PARLEY" "$BENCH"; do
  [ -x "$binary" ] || { echo "cluster_idle.sh: $binary missing; build it first" >&2; exit 1; }
done

work="$(mktemp -d /tmp/parley-cluster-idle-XXXXXX)"
pids=()
cleanup() {
  # A node unregisters each of its sessions from Redis on SIGTERM: with ~17,000 each that takes
  # a while, so wait up to a minute before SIGKILL.
  if [ "${#pids[@]}" -gt 0 ]; then stop_pids 60 "${pids[@]}"; fi
  rm -rf "$work"
}
trap cleanup EXIT
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

start_redis "$work/redis" --save '' --appendonly no
pids+=("$redis_pid")

ws_port="$(free_port)"
users_per_node="$SESSIONS"  # every node's own store must know every user that may land on it
node_pids=()
for i in $(seq 1 "$NODES"); do
  mkdir -p "$work/node$i"
  "$PARLEY" --node-id "bench$i" --worker-id "$i" --bind 127.0.0.1 --ws-port "$ws_port" \
    --tcp-port -1 --admin-port -1 --rpc-port 0 --data-dir "$work/node$i" \
    --redis-session-uris "redis://127.0.0.1:$redis_port" --argon2-ops-limit 1 \
    --argon2-mem-limit-kib 64 --log-level warn --demo-data true --throttle false \
    --demo-user-count "$users_per_node" >"$work/node$i.out" 2>"$work/node$i.err" &
  node_pids+=("$!")
  pids+=("$!")
done
for i in $(seq 1 "$NODES"); do
  wait_for_line "$work/node$i.out" "parley ready" "node $i" "${node_pids[$((i - 1))]}" \
    "$work/node$i.err"
done
idle_rss=0
for pid in "${node_pids[@]}"; do idle_rss=$((idle_rss + $(rss_kib "$pid"))); done
redis_idle="$(redis-cli -p "$redis_port" info memory | awk -F: '/^used_memory:/ {print $2}' | tr -d '\r')"

echo "+ $(uptime | sed 's/.*load/load/')" >&2
"$BENCH" --port "$ws_port" --server-pid "${node_pids[0]}" --label "parley x$NODES + redis" idle \
  "sessions=$SESSIONS" "login_rate=$LOGIN_RATE" "duration=$HOLD" max_duration=600s \
  --json-out "$work/bench.json" >"$work/bench.txt" 2>&1 &
bench_pid=$!
pids+=("$bench_pid")
# Sample memory while the sessions are held (the bench holds them for HOLD after the last login).
peak_rss=0
registered=0
while kill -0 "$bench_pid" 2>/dev/null; do
  total=0
  for pid in "${node_pids[@]}"; do total=$((total + $(rss_kib "$pid"))); done
  [ "$total" -gt "$peak_rss" ] && peak_rss="$total"
  keys="$(redis-cli -p "$redis_port" dbsize 2>/dev/null || echo 0)"
  [ "$keys" -gt "$registered" ] 2>/dev/null && registered="$keys"
  sleep 1
done
wait "$bench_pid" || true
grep -v '^{' "$work/bench.txt" >&2 || true
redis_peak="$(redis-cli -p "$redis_port" info memory | awk -F: '/^used_memory_peak:/ {print $2}' | tr -d '\r')"

mkdir -p "$repo/bench/results"
out="$repo/bench/results/$(date +%F)-cluster-idle.json"
python3 - "$work/bench.json" "$out" <<EOF
import json, sys, os
bench = json.load(open(sys.argv[1])) if os.path.exists(sys.argv[1]) else {}
result = {
  "scenario": "cluster-idle", "date": "$(date -Is)", "nodes": $NODES, "sessions": $SESSIONS,
  "load_before": "$(cut -d' ' -f1-3 /proc/loadavg)",
  "nodes_rss_idle_kib": $idle_rss, "nodes_rss_peak_kib": $peak_rss,
  "bytes_per_session_all_nodes": round(($peak_rss - $idle_rss) * 1024 / max($SESSIONS, 1)),
  "redis_used_memory_idle": $redis_idle, "redis_used_memory_peak": $redis_peak,
  "redis_keys_max": $registered,
  "bench": bench,
}
json.dump(result, open(sys.argv[2], "w"), indent=1)
print(json.dumps({k: v for k, v in result.items() if k != "bench"}))
EOF
echo "cluster_idle.sh: wrote $out" >&2
