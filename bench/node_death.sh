#!/usr/bin/env bash
# bench/node_death.sh — a node dies with its sessions (issue 14). Two Redis-backed Parley nodes, A
# and B, share one redis-server and their users; SESSIONS users, each with a password hash of its
# own at the default Argon2id cost, log in on B; B gets kill -9; parley-bench logs every dropped
# session in again on A at once (the worst case: real clients add jitter) and reports the seconds
# from the first drop to the last login. A's /metrics then show the sessions it holds and how many
# of those logins ran Argon2id. Each run pairs the verification cache's shared level on and off
# (MODES), alternating.
#
# Environment (all optional):
#   BUILD_DIR (<repo>/build), SESSIONS (10000), MODES ("on off"), REPEATS (1 round of MODES)
#   STORE      sqlite (default): each node keeps its own copy of one seeded SQLite store, so a
#              user lookup costs an indexed read and the figures are Parley's and Redis's.
#              ferretdb: both nodes on one FerretDB (scripts/build-ferretdb.sh), as a cluster
#              shares MongoDB. FerretDB's SQLite backend uses an index for string and ObjectId
#              _ids only; Parley's are int64, so every login scans the whole user collection and
#              FerretDB bounds the result (use a smaller SESSIONS).
#   INITIAL_LOGIN_RATE (150/s: the users' first logins on B, each an Argon2id run there),
#   LOGIN_CONCURRENCY (1000 per parley-bench worker), WAIT (600s: bound on the failover),
#   LOGIN_TIMEOUT (3600s: bound on the first logins on B, slow on a busy machine)
#   QUICK=1 (200 sessions; nothing recorded), REDIS_SERVER (redis-server),
#   PARLEY_FERRETDB (build/ferretdb-test), WAIT_FOR_LOAD / WAIT_MAX (as for run.sh)
# Writes bench/results/<date>-node-death[-ferretdb][-<sessions> unless 10000].json and regenerates
# its section of bench/RESULTS.md. Every process started here is stopped by pid; traffic stays on loopback.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
bench_dir="$repo/bench"
BUILD_DIR="${BUILD_DIR:-$repo/build}"
QUICK="${QUICK:-0}"
if [ "$QUICK" = 1 ]; then SESSIONS="${SESSIONS:-200}"; else SESSIONS="${SESSIONS:-10000}"; fi
MODES="${MODES:-on off}"
REPEATS="${REPEATS:-1}"
STORE="${STORE:-sqlite}"
INITIAL_LOGIN_RATE="${INITIAL_LOGIN_RATE:-150}"
LOGIN_CONCURRENCY="${LOGIN_CONCURRENCY:-1000}"
WAIT="${WAIT:-600}"
LOGIN_TIMEOUT="${LOGIN_TIMEOUT:-3600}"
REDIS_SERVER_BIN="${REDIS_SERVER:-redis-server}"  # for start_redis (lib.sh)
FERRETDB_BIN="${PARLEY_FERRETDB:-$BUILD_DIR/ferretdb-test}"
# shellcheck source=bench/lib.sh
. "$bench_dir/lib.sh"
PARLEY="$BUILD_DIR/parley"
BENCH="$BUILD_DIR/parley-bench"
for binary in "$PARLEY" "$BENCH"; do
  [ -x "$binary" ] || { echo "node_death.sh: $binary missing; build it first" >&2; exit 1; }
done
case "$STORE" in
  sqlite) ;;
  ferretdb)
    [ -x "$FERRETDB_BIN" ] || {
      echo "node_death.sh: $FERRETDB_BIN missing: run scripts/build-ferretdb.sh" >&2
      exit 1
    }
    ;;
  *) echo "node_death.sh: STORE is sqlite or ferretdb, not '$STORE'" >&2; exit 2 ;;
esac

work="$(mktemp -d /tmp/parley-node-death-XXXXXX)"
pids=()
cleanup() {
  if [ "${#pids[@]}" -gt 0 ]; then stop_pids 30 "${pids[@]}"; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# wait_for_line_or_exit FILE PATTERN PID SECONDS: true once PATTERN shows in FILE, false when PID
# exits first or time runs out (the bench's own report says why).
wait_for_line_or_exit() {
  local file="$1" pattern="$2" pid="$3" seconds="$4"
  for _ in $(seq $((seconds * 10))); do
    if grep -q "$pattern" "$file" 2>/dev/null; then return 0; fi
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# start_ferretdb DIR: FerretDB over DIR's files; sets ferretdb_port and ferretdb_pid.
start_ferretdb() {
  local dir="$1"
  mkdir -p "$dir/data"
  ferretdb_port="$(free_port)"
  "$FERRETDB_BIN" --listen-addr="127.0.0.1:$ferretdb_port" --data-dir="$dir/data" \
    >"$dir/out" 2>"$dir/err" &
  ferretdb_pid=$!
  pids+=("$ferretdb_pid")
  wait_for_line "$dir/out" "ferretdb ready" ferretdb "$ferretdb_pid" "$dir/err"
}

# cpu_ticks PID: user + system CPU time of a process so far, in clock ticks.
cpu_ticks() {
  awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# redis_cpu PORT: CPU seconds the redis-server has used so far (INFO cpu).
redis_cpu() {
  redis-cli -p "$1" info cpu | tr -d '\r' |
    awk -F: '/^used_cpu_(sys|user):/ { total += $2 } END { print total + 0 }'
}

# store_args NODE_DIR: the flags that put a node's business data in its store.
store_args() {
  if [ "$STORE" = ferretdb ]; then
    echo "--data-dir=$1 --mongo-uri=mongodb://127.0.0.1:$ferretdb_port/ --mongo-database=bench"
  else
    echo "--data-dir=$1"
  fi
}

# seed: the users, once, into a template every run copies: an embedded node's data dir, or a
# FerretDB's. One Argon2id run per user at the default cost, on both cores.
seed() {
  local dir="$work/template" store
  mkdir -p "$dir/node"
  if [ "$STORE" = ferretdb ]; then start_ferretdb "$dir/ferretdb"; fi
  store="$(store_args "$dir/node")"
  echo "+ seeding $SESSIONS users with hashes of their own ($STORE)" >&2
  # shellcheck disable=SC2086
  "$PARLEY" --node-id seed --bind=127.0.0.1 --ws-port=0 --tcp-port=-1 --admin-port=-1 \
    $store --log-level=warn --demo-data=true --demo-user-count="$SESSIONS" \
    --demo-distinct-password-hashes=true >"$dir/seed.out" 2>"$dir/seed.err" &
  local pid=$!
  pids+=("$pid")
  wait_for_line "$dir/seed.out" "parley ready" "seeding parley" "$pid" "$dir/seed.err" 3600
  stop_pids 60 "$pid"
  if [ "$STORE" = ferretdb ]; then stop_pids 30 "$ferretdb_pid"; fi
}

# start_node NAME WORKER_ID MODE: a Redis-backed node over this run's store; sets node_pid,
# node_ws, node_admin.
start_node() {
  local name="$1" worker_id="$2" mode="$3" dir="$run_dir/$1" store cache_args=""
  if [ "$STORE" = sqlite ]; then cp -a "$work/template/node" "$dir"; else mkdir -p "$dir"; fi
  if [ "$mode" = off ]; then cache_args="--shared-verification-cache-seconds=0"; fi
  store="$(store_args "$dir")"
  # shellcheck disable=SC2086
  "$PARLEY" --node-id "$name" --worker-id "$worker_id" --bind=127.0.0.1 --ws-port=0 \
    --tcp-port=-1 --admin-port=0 --admin-password=x --rpc-port=0 --throttle=false $store \
    --redis-session-uris="redis://127.0.0.1:$redis_port" --log-level=warn $cache_args \
    >"$run_dir/$name.out" 2>"$run_dir/$name.err" &
  node_pid=$!
  pids+=("$node_pid")
  wait_for_line "$run_dir/$name.out" "parley ready" "node $name" "$node_pid" "$run_dir/$name.err"
  node_ws="$(grep -o 'ws=[0-9]*' "$run_dir/$name.out" | head -1 | cut -d= -f2)"
  node_admin="$(grep -o 'admin=[0-9]*' "$run_dir/$name.out" | head -1 | cut -d= -f2)"
}

# run_once MODE INDEX: one node death with the shared cache level on or off.
run_once() {
  local mode="$1" index="$2" name
  name="death-$mode-$index"
  run_dir="$work/$name"
  mkdir -p "$run_dir"
  start_redis "$run_dir/redis" --save "" --appendonly yes --appendfsync everysec
  pids+=("$redis_pid")
  if [ "$STORE" = ferretdb ]; then
    cp -a "$work/template/ferretdb" "$run_dir/ferretdb"
    start_ferretdb "$run_dir/ferretdb"
  fi
  start_node a 1 "$mode"
  local a_pid="$node_pid" a_ws="$node_ws" a_admin="$node_admin"
  start_node b 2 "$mode"
  local b_pid="$node_pid" b_ws="$node_ws"

  local cmd=("$BENCH" --port "$b_ws" --server-pid "$b_pid" --label "node death, cache $mode"
    --json-out "$run_dir/bench.json" failover "sessions=$SESSIONS" "failover_port=$a_ws"
    "login_rate=$INITIAL_LOGIN_RATE" "login_concurrency=$LOGIN_CONCURRENCY" "duration=${WAIT}s"
    "login_timeout=${LOGIN_TIMEOUT}s" "max_duration=$((WAIT + LOGIN_TIMEOUT + 60))s")
  wait_for_load
  # The command as run, with the ports and pid that change every run named instead.
  printf '%s ' "parley-bench --port B --server-pid B_PID" "${cmd[@]:9}" |
    sed "s/failover_port=$a_ws/failover_port=A/" >"$run_dir/cmd"
  echo "+ $(uptime | sed 's/.*load/load/')" >&2
  echo "+ ${cmd[*]}" >&2
  "${cmd[@]}" >"$run_dir/bench.out" 2>&1 &
  local bench_pid=$!
  pids+=("$bench_pid")
  wait_for_line "$run_dir/bench.out" "sessions online" parley-bench "$bench_pid" \
    "$run_dir/bench.out" $((LOGIN_TIMEOUT + 60))
  local b_full
  b_full="$(metric_of "$(grep -o 'admin=[0-9]*' "$run_dir/b.out" | cut -d= -f2)" \
    parley_password_full_verifications_total)"
  local load_at_kill a_cpu_before redis_cpu_before
  load_at_kill="$(cut -d' ' -f1-3 /proc/loadavg)"
  a_cpu_before="$(cpu_ticks "$a_pid")"
  redis_cpu_before="$(redis_cpu "$redis_port")"
  kill -9 "$b_pid"
  { wait "$b_pid"; } 2>/dev/null || true
  # Once every session is back the bench holds them a few seconds: A's view is read then.
  local a_sessions="n/a" a_full="n/a" a_shared="n/a" a_memory="n/a" redis_sessions="n/a"
  local a_cpu="n/a" redis_cpu_used="n/a"
  if wait_for_line_or_exit "$run_dir/bench.out" "logged in again; holding" "$bench_pid" \
    $((WAIT + 60)); then
    # CPU seconds A and Redis spent from the kill until every session was back (and the few
    # milliseconds to read it).
    a_cpu="$(python3 -c "import os; print(($(cpu_ticks "$a_pid") - $a_cpu_before) / os.sysconf('SC_CLK_TCK'))")"
    redis_cpu_used="$(python3 -c "print(round($(redis_cpu "$redis_port") - $redis_cpu_before, 2))")"
    a_sessions="$(metric_of "$a_admin" parley_sessions)"
    a_full="$(metric_of "$a_admin" parley_password_full_verifications_total)"
    a_shared="$(metric_of "$a_admin" parley_password_shared_cache_hits_total)"
    a_memory="$(metric_of "$a_admin" parley_password_cache_hits_total)"
    redis_sessions="$(redis-cli -p "$redis_port" --scan --pattern 'im:sess:*' | wc -l)"
  fi
  wait "$bench_pid" || true
  grep -v '^{' "$run_dir/bench.out" >&2 || true
  # What A holds now, and how many of those logins cost it an Argon2id run.
  python3 - "$run_dir" "$mode" "$STORE" "$b_full" "$load_at_kill" "$a_sessions" "$a_full" \
    "$a_shared" "$a_memory" "$redis_sessions" "$a_cpu" "$redis_cpu_used" <<'EOF'
import json, os, sys
(run_dir, mode, store, b_full, load, a_sessions, a_full, a_shared, a_memory, redis_sessions,
 a_cpu, redis_cpu) = sys.argv[1:]
def number(text):
    try:
        return int(float(text))
    except ValueError:
        return None
bench_path = os.path.join(run_dir, "bench.json")
run = {
    "cache": mode, "store": store, "command": open(os.path.join(run_dir, "cmd")).read().strip(),
    "load_at_kill": load,
    "b_full_verifications_before_kill": number(b_full),
    "a_sessions_after": number(a_sessions),
    "a_full_verifications": number(a_full),
    "a_shared_cache_hits": number(a_shared),
    "a_memory_cache_hits": number(a_memory),
    "redis_session_entries_after": number(redis_sessions),
    "a_cpu_seconds_failover": float(a_cpu) if a_cpu != "n/a" else None,
    "redis_cpu_seconds_failover": float(redis_cpu) if redis_cpu != "n/a" else None,
    "result": json.load(open(bench_path)) if os.path.exists(bench_path) else None,
}
json.dump(run, open(os.path.join(run_dir, "run.json"), "w"))
EOF
  stop_pids 60 "$a_pid"
  if [ "$STORE" = ferretdb ]; then stop_pids 30 "$ferretdb_pid"; fi
  stop_pids 10 "$redis_pid"
}

seed
for repeat in $(seq "$REPEATS"); do
  for mode in $MODES; do
    run_once "$mode" "$repeat"
    sleep 5
  done
done

date_tag="$(date -u +%Y-%m-%d)"
commit="$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)"
dirty="$(git -C "$repo" status --porcelain -- src 2>/dev/null | head -1)"
suffix=""
if [ "$STORE" != sqlite ]; then suffix="-$STORE"; fi
if [ "$SESSIONS" != 10000 ]; then suffix="$suffix-$SESSIONS"; fi
out="$bench_dir/results/$date_tag-node-death$suffix.json"
if [ "$QUICK" = 1 ]; then out="/tmp/parley-bench-quick-node-death$suffix.json"; fi
python3 - "$work" "$out" "$commit${dirty:+ (src modified)}" "$STORE" "$SESSIONS" <<'EOF'
import glob, json, os, sys
work, out, commit, store, sessions = sys.argv[1:]
runs = [json.load(open(p)) for p in sorted(glob.glob(os.path.join(work, "death-*", "run.json")))]
runs.sort(key=lambda r: r["cache"] != "on")
model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
              if l.startswith("model name")), "")
mem = next(int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal:"))
doc = {"scenario": "node-death", "backend": "redis+" + store, "store": store,
       "sessions": int(sessions), "commit": commit,
       "date": runs[0]["result"]["date"] if runs and runs[0]["result"] else "",
       "machine": {"nproc": os.cpu_count(), "mem_total_gib": round(mem / 1048576, 1),
                   "cpu": model, "kernel": os.uname().release},
       "runs": runs}
with open(out, "w") as f:
    json.dump(doc, f, indent=1, sort_keys=True)
    f.write("\n")
print("node_death.sh: wrote " + out, file=sys.stderr)
EOF
if [ "$QUICK" != 1 ]; then
  python3 "$bench_dir/storm_table.py" "$bench_dir/results" "$bench_dir/RESULTS.md"
fi
