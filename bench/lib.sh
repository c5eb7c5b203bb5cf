# bench/lib.sh — sourced by bench/run.sh and bench/cluster_idle.sh: servers on loopback, started
# and stopped by pid. Callers use `set -euo pipefail`.

# free_port: a loopback port nobody listens on right now.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# stop_pids SECONDS PID...: SIGTERM to all of them at once, then up to SECONDS for each to exit
# before SIGKILL; reaps the ones that are this shell's children.
stop_pids() {
  local tenths=$(($1 * 10)) pid
  shift
  for pid in "$@"; do kill "$pid" 2>/dev/null || true; done
  for pid in "$@"; do
    for _ in $(seq "$tenths"); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}

# wait_for_line FILE PATTERN NAME PID [LOG] [SECONDS]: returns once PATTERN shows in FILE (at most
# SECONDS, default 120); exits the script, with the end of LOG (default FILE), when PID exits first
# or time runs out.
wait_for_line() {
  local file="$1" pattern="$2" name="$3" pid="$4" log="${5:-$1}" seconds="${6:-120}"
  for _ in $(seq $((seconds * 10))); do
    if grep -q "$pattern" "$file" 2>/dev/null; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "$(basename "$0"): $name exited before it was ready:" >&2
      tail -20 "$log" >&2
      exit 1
    fi
    sleep 0.1
  done
  echo "$(basename "$0"): $name did not become ready" >&2
  kill "$pid" 2>/dev/null || true
  exit 1
}

# start_redis DIR ARGS...: redis-server (REDIS_SERVER_BIN, default redis-server) on a free
# loopback port, its files and log in DIR, with ARGS added (persistence settings); sets
# redis_port and redis_pid once it accepts connections.
start_redis() {
  local dir="$1"
  shift
  mkdir -p "$dir"
  redis_port="$(free_port)"
  "${REDIS_SERVER_BIN:-redis-server}" --port "$redis_port" --bind 127.0.0.1 --dir "$dir" \
    --daemonize no "$@" >"$dir/redis.log" 2>&1 &
  redis_pid=$!
  wait_for_line "$dir/redis.log" "Ready to accept connections" redis-server "$redis_pid"
}

# metric_of PORT NAME: the value of one series on a node's /metrics (admin port), or "n/a".
metric_of() {
  curl -s "http://127.0.0.1:$1/metrics" 2>/dev/null |
    awk -v name="$2" '$1 == name { print $2; found = 1 } END { if (!found) print "n/a" }'
}

# wait_for_load: with WAIT_FOR_LOAD set (e.g. 0.5), waits (at most WAIT_MAX seconds, default 300)
# until the 1-minute load average is below it, since other work on the 2 cores skews every figure.
wait_for_load() {
  if [ -n "${WAIT_FOR_LOAD:-}" ]; then
    for _ in $(seq $(( ${WAIT_MAX:-300} / 5 ))); do
      python3 -c "import sys; sys.exit(0 if float(open('/proc/loadavg').read().split()[0]) < float('$WAIT_FOR_LOAD') else 1)" && break
      sleep 5
    done
  fi
}
