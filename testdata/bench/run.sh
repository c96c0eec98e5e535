#!/usr/bin/env bash
# Times the benchmark programs with glia and prints a table:
#   program  best wall seconds over N runs  max RSS (KiB)  output ok
# Usage: testdata/bench/run.sh [--check] [runs]
#   --check   only verify each program's output (CI does this)
# Peers (glojure, let-go) are measured outside the project.
set -euo pipefail
cd "$(dirname "$0")"
check=0
if [ "${1:-}" = "--check" ]; then check=1; shift; fi
runs=${1:-5}
bin=$(mktemp -d)/glia
(cd ../.. && go build -o "$bin" ./cmd/glia)
fail=0
printf '%-10s %10s %12s %s\n' program best_s max_rss_kib ok
for prog in startup fib25 fib30 loop colls strings; do
  want=$(cat "$prog.out")
  got=$("$bin" "$prog.glia")
  ok=yes
  if [ "$got" != "$want" ]; then ok="NO (got: $got)"; fail=1; fi
  if [ $check = 1 ]; then printf '%-10s %10s %12s %s\n' "$prog" - - "$ok"; continue; fi
  best=999; rss=-
  for _ in $(seq "$runs"); do
    start=$EPOCHREALTIME
    "$bin" "$prog.glia" >/dev/null
    end=$EPOCHREALTIME
    best=$(awk -v a="$best" -v s="$start" -v e="$end" 'BEGIN{t=e-s; printf "%.4f", (t<a)?t:a}')
  done
  if [ -x /usr/bin/time ]; then
    rss=$( { /usr/bin/time -f '%M' "$bin" "$prog.glia" >/dev/null; } 2>&1 | tail -1)
  fi
  printf '%-10s %10s %12s %s\n' "$prog" "$best" "$rss" "$ok"
done
exit $fail
