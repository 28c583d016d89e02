#!/usr/bin/env bash
# Checks that robin-runtime's layers import one way only:
#
#   api -> runtime -> scheduler -> driver -> engine -> loom
#
# (runtime/src/lib.rs documents what each layer owns.) A file may use `crate::X` paths
# of its own layer and of the layers below it; a `crate::` path into a layer above is a
# back-edge and fails the check. Comment lines are skipped (prose may name anything).
#
# Where each file and each `crate::` module belongs:
#   loom      loom.rs
#   engine    engine/            (the task engine)
#   driver    driver/
#   scheduler scheduler/, context.rs (the one thread-local)
#   runtime   runtime/, io.rs and io/, time.rs
#   api       api/, and `crate::task` (the public module lib.rs builds from api/)
# lib.rs only declares the layers and re-exports: it is not checked. Nor are test-only
# files (`loom_*.rs`, `*tests.rs`, always declared under `#[cfg(test)]`/`cfg(all(test,
# ..))`): a model or test of a lower layer may drive it through the real runtime above
# (build a `Runtime`, spawn through it); the check verifies they are test-only.
#
# Usage: scripts/check_layers.sh [SRC_DIR]   (default: runtime/src of this repo)
set -euo pipefail
cd "$(dirname "$0")/.."
src="${1:-runtime/src}"

rank_of_layer() {
  case "$1" in
    loom) echo 0 ;; engine) echo 1 ;; driver) echo 2 ;;
    scheduler) echo 3 ;; runtime) echo 4 ;; api) echo 5 ;;
    *) echo "check_layers: unknown layer '$1'" >&2; exit 2 ;;
  esac
}

# The layer a file belongs to (path relative to $src).
layer_of_file() {
  case "$1" in
    loom.rs) echo loom ;;
    engine/*) echo engine ;;
    driver/*) echo driver ;;
    scheduler/*|context.rs) echo scheduler ;;
    runtime/*|io.rs|io/*|time.rs) echo runtime ;;
    api/*) echo api ;;
    lib.rs) echo root ;;
    *) echo unknown ;;
  esac
}

# The layer a top-level module named in a `crate::` path belongs to.
layer_of_module() {
  case "$1" in
    loom) echo loom ;;
    engine) echo engine ;;
    driver) echo driver ;;
    scheduler|context) echo scheduler ;;
    runtime|io|time) echo runtime ;;
    api|task|spawn|task_local|__task_local_inner) echo api ;;
    *) echo unknown ;;
  esac
}

failures=0
checked=0
while IFS= read -r -d '' file; do
  rel="${file#"$src"/}"
  layer="$(layer_of_file "$rel")"
  if [ "$layer" = root ]; then
    continue
  fi
  base="$(basename "$rel" .rs)"
  case "$base" in
    loom_*|*tests)
      # Test-only: its `mod` line must sit under a cfg that needs `test`.
      dir="$(dirname "$file")"
      # (the attribute lines just above it; `#[path]` may sit between, in any file of the
      # directory or its parent module file)
      decl=$(grep -h -B2 -E "^[[:space:]]*(pub(\(crate\))? )?mod $base;" "$dir"/*.rs "$dir.rs" 2>/dev/null || true)
      if ! grep -qE 'cfg\((all\()?test' <<<"$decl"; then
        echo "check_layers: $src/$rel is named like a test file but its \`mod $base;\` is not under #[cfg(test)]" >&2
        failures=$((failures + 1))
      fi
      continue
      ;;
  esac
  if [ "$layer" = unknown ]; then
    echo "check_layers: $src/$rel belongs to no layer: add it to scripts/check_layers.sh" >&2
    failures=$((failures + 1))
    continue
  fi
  checked=$((checked + 1))
  own="$(rank_of_layer "$layer")"
  # Every `crate::module` (not `$crate::`, which macros expand in the user's crate) on a
  # line that is not a comment; a one-line group `crate::{a, b::c}` names `a` and `b`.
  while IFS=: read -r line module; do
    if [ "$module" = "{" ]; then
      echo "check_layers: $src/$rel:$line: a \`crate::{...}\` group spans lines: split it so each layer's import is on one line" >&2
      failures=$((failures + 1))
      continue
    fi
    target="$(layer_of_module "$module")"
    if [ "$target" = unknown ]; then
      echo "check_layers: $src/$rel:$line: \`crate::$module\` is in no layer: add it to scripts/check_layers.sh" >&2
      failures=$((failures + 1))
      continue
    fi
    if [ "$(rank_of_layer "$target")" -gt "$own" ]; then
      echo "check_layers: BACK-EDGE $src/$rel:$line: the $layer layer imports \`crate::$module\` ($target layer, above it)" >&2
      failures=$((failures + 1))
    fi
  done < <(awk '
    /^[[:space:]]*\/\// { next }
    {
      rest = $0
      while (match(rest, /(^|[^$[:alnum:]_])crate::(\{[^}]*\}|\{|[a-z_]+)/)) {
        hit = substr(rest, RSTART, RLENGTH)
        rest = substr(rest, RSTART + RLENGTH)
        sub(/^.*crate::/, "", hit)
        if (hit == "{") { print NR ":{"; continue }
        if (substr(hit, 1, 1) == "{") {
          gsub(/[{} ]/, "", hit)
          n = split(hit, parts, ",")
          for (i = 1; i <= n; i++) {
            name = parts[i]
            sub(/::.*/, "", name)
            if (name != "") print NR ":" name
          }
        } else {
          print NR ":" hit
        }
      }
    }' "$file")
done < <(find "$src" -name '*.rs' -print0 | sort -z)

if [ "$failures" -gt 0 ]; then
  echo "check_layers: $failures problem(s); layers must import downward only: api -> runtime -> scheduler -> driver -> engine -> loom" >&2
  exit 1
fi
echo "check_layers: $checked files, every crate:: path points down (api -> runtime -> scheduler -> driver -> engine -> loom)"
