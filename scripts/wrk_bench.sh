#!/usr/bin/env bash
# wrk against the same hello-world server on robin (examples/http_hello) and on tokio
# (examples/http_server_tokio): one program, line for line, on each runtime; then the full
# robin example (examples/http_server: header timeout, graceful shutdown) as a third line.
# 127.0.0.1 only, bounded duration. Prints requests/s and p99 for each.
# Usage: scripts/wrk_bench.sh [seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-10}"
conns="${2:-50}"
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)"; exit 1; }
cargo build --release --features hyper --example http_hello --example http_server_tokio --example http_server -q
run() { # name, binary, port
  "target/release/examples/$2" "127.0.0.1:$3" >/dev/null &
  local pid=$!
  trap 'kill $pid 2>/dev/null || true' RETURN
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$3/" >/dev/null && break; sleep 0.05; done
  local out
  out=$(wrk -t2 -c"$conns" -d"${secs}s" --latency "http://127.0.0.1:$3/")
  local rps p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  printf '%-11s requests/s %10s   p99 %8s\n' "$1" "$rps" "$p99"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}
run robin http_hello 3801
run tokio http_server_tokio 3802
run robin-full http_server 3803
