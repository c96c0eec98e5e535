#!/usr/bin/env bash
# Times the benchmark programs with glia and prints a table:
#   program  seconds  max-RSS-KiB  ok
# Usage: testdata/bench/run.sh [--check] [runs]
#   --check   only verify each program's output (used by CI)
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
  best=999; rss=0
  for _ in $(seq "$runs"); do
    out=$( { /usr/bin/time -f '%e %M' "$bin" "$prog.glia" >/dev/null; } 2>&1 | tail -1)
    t=${out% *}; m=${out#* }
    best=$(awk -v a="$best" -v b="$t" 'BEGIN{print (b<a)?b:a}')
    [ "$m" -gt "$rss" ] && rss=$m
  done
  printf '%-10s %10s %12s %s\n' "$prog" "$best" "$rss" "$ok"
done
exit $fail
