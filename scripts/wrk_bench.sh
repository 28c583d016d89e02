#!/usr/bin/env bash
# wrk against examples/http_server (robin) and examples/http_server_tokio (the same hello
# route on tokio), 127.0.0.1 only, bounded duration. Prints requests/s and p99 for both.
# Usage: scripts/wrk_bench.sh [seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-10}"
conns="${2:-50}"
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)"; exit 1; }
cargo build --release --features hyper --example http_server --example http_server_tokio -q
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
  printf '%-6s requests/s %10s   p99 %8s\n' "$1" "$rps" "$p99"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}
run robin http_server 3801
run tokio http_server_tokio 3802
