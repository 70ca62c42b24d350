#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# dieharder over stream v1's raw words (docs/robustness.md, "Statistical battery").
#
#   tests/stats/battery.sh [single|streams|seeds ...]     default: all three
#
# Each mode pipes tests/stats/stream_words.py into `dieharder -g 200` (raw stdin) and writes
# build/battery/<mode>.txt. DIEHARDER_TESTS picks the tests: "all" (default) runs `-a`; a
# list of test numbers ("0 1 2 3 4 8 ...") runs `-d N` for each. Every WEAK verdict is
# rerun once on fresh words (a later seed; `-d N` alone) and recorded as such. Needs
# Debian's dieharder (a developer tool: apt-get install dieharder), and the package
# installed in PYTHON's environment. Run it niced in the background: -a takes about an hour
# per mode on one core.
set -euo pipefail
cd "$(dirname "$0")/../.."
PYTHON=${PYTHON:-.venv/bin/python}
TESTS=${DIEHARDER_TESTS:-all}
SEED=${BATTERY_SEED:-24301}
OUT=build/battery
mkdir -p "$OUT"
command -v dieharder >/dev/null || { echo "dieharder not found (apt-get install dieharder)" >&2; exit 2; }
modes=("$@")
[ ${#modes[@]} -eq 0 ] && modes=(single streams seeds)

run() {  # mode seed dieharder-args...
  local mode=$1 seed=$2
  shift 2
  "$PYTHON" tests/stats/stream_words.py "$mode" --seed "$seed" --k 4 | dieharder -g 200 "$@"
}

for mode in "${modes[@]}"; do
  log="$OUT/$mode.txt"
  {
    echo "# mode=$mode seed=$SEED tests=$TESTS started $(date -u +%FT%TZ)"
    if [ "$TESTS" = all ]; then
      run "$mode" "$SEED" -a
    else
      for d in $TESTS; do run "$mode" "$SEED" -d "$d"; done
    fi
    echo "# finished $(date -u +%FT%TZ)"
  } > "$log" 2>&1
  # Rerun each test that came out WEAK once, on another seed: a good generator shows WEAK in
  # about 1 of 100 p-values by design; a flaw stays weak or turns FAILED.
  grep -E '\|\s*WEAK' "$log" | awk -F'|' '{gsub(/ /, "", $1); print $1}' | sort -u |
    while read -r name; do
      echo "# rerun of $name, seed $((SEED + 1))" >> "$log"
      run "$mode" $((SEED + 1)) -d "$name" >> "$log" 2>&1
    done
  echo "$mode: $(grep -c PASSED "$log") PASSED, $(grep -c WEAK "$log") WEAK, $(grep -c FAILED "$log") FAILED -> $log"
done
