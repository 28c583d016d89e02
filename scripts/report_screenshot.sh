#!/usr/bin/env bash
# Regenerates docs/report.png, the README's screenshot of the comparison report: runs
# `compare` (full mode unless told otherwise), then renders target/compare/report.html in
# headless Chromium (Debian's `chromium`; a throw-away profile, no network features).
# Usage: scripts/report_screenshot.sh [--quick | --full | --reuse] [WIDTHxHEIGHT]
#   --reuse  screenshot the existing target/compare/report.html without re-running compare.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:---full}"
size="${2:-1280x2500}"
chromium=/usr/bin/chromium
[ -x "$chromium" ] || { echo "$chromium is missing (apt-get install chromium)"; exit 1; }
if [ "$mode" != "--reuse" ]; then
  cargo run --release -q -p robin-bench --bin compare -- "$mode" --no-progress
fi
html="$(realpath target/compare/report.html)"
[ -f "$html" ] || { echo "no $html: run compare first"; exit 1; }
mkdir -p docs
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync --hide-scrollbars \
  --user-data-dir="$profile" --screenshot="$PWD/docs/report.png" \
  --window-size="${size/x/,}" "file://$html" 2>/dev/null
echo "wrote docs/report.png ($size) from $html"
