#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# dieharder over stream v1's raw words (docs/robustness.md, "Statistical battery").
#
#   tests/stats/battery.sh [single|streams|seeds ...]     default: all three, one after another
#
# Each mode pipes tests/stats/stream_words.py (the "bits" distribution through the public
# API; streams/seeds interleave 4 adjacent stream ids / seeds word by word) into
# `dieharder -g 200` (raw stdin) and writes build/battery/<mode>.txt, one timestamped line
# per test. DIEHARDER_TESTS picks the tests: "all" runs `dieharder -a` (hours per mode: its
# rgb_lagged_sum alone reads 33 lags of about 13 GB); the default is every -a test except
# diehard_sums (which dieharder marks "Do Not Use") and rgb_lagged_sum, with one n-tuple
# size for each multi-size rgb test; or give a list of names, NAME:NTUPLE for one size.
# Every WEAK verdict is rerun once on fresh words (the next seed) and recorded as a rerun.
# Needs Debian's dieharder (a developer tool: apt-get install dieharder) and the package
# installed in PYTHON's environment. Run it niced in the background.
set -euo pipefail
cd "$(dirname "$0")/../.."
PYTHON=${PYTHON:-.venv/bin/python}
SEED=${BATTERY_SEED:-24301}
DEFAULT="diehard_birthdays diehard_operm5 diehard_rank_32x32 diehard_rank_6x8 diehard_bitstream
diehard_opso diehard_oqso diehard_dna diehard_count_1s_str diehard_count_1s_byt
diehard_parking_lot diehard_2dsphere diehard_3dsphere diehard_squeeze diehard_runs
diehard_craps marsaglia_tsang_gcd sts_monobit sts_runs sts_serial rgb_bitdist:8
rgb_minimum_distance:4 rgb_permutations:5 rgb_kstest_test dab_bytedistrib dab_dct
dab_filltree dab_filltree2 dab_monobit2"
TESTS=${DIEHARDER_TESTS:-$DEFAULT}
OUT=build/battery
mkdir -p "$OUT"
command -v dieharder >/dev/null || { echo "dieharder not found (apt-get install dieharder)" >&2; exit 2; }
modes=("$@")
[ ${#modes[@]} -eq 0 ] && modes=(single streams seeds)

run() {  # mode seed dieharder-args...
  local mode=$1 seed=$2
  shift 2
  "$PYTHON" tests/stats/stream_words.py "$mode" --seed "$seed" --k 4 | dieharder -g 200 "$@" |
    while IFS= read -r line; do
      case "$line" in *"|"*PASSED*|*"|"*WEAK*|*"|"*FAILED*) echo "$(date -u +%T) $line" ;; esac
    done
}

one() {  # mode seed NAME[:NTUPLE]
  local name=${3%%:*} ntup=
  [[ $3 == *:* ]] && ntup=${3#*:}
  run "$1" "$2" -d "$name" ${ntup:+-n "$ntup"}
}

for mode in "${modes[@]}"; do
  log="$OUT/$mode.txt"
  {
    echo "# mode=$mode seed=$SEED started $(date -u +%FT%TZ)"
    echo "# tests: $(echo $TESTS)"
    if [ "$TESTS" = all ]; then
      run "$mode" "$SEED" -a
    else
      for t in $TESTS; do one "$mode" "$SEED" "$t"; done
    fi
    echo "# finished $(date -u +%FT%TZ)"
  } > "$log" 2>&1
  # A good generator gives WEAK (p < 0.005 or > 0.995) for about 1 in 100 p-values; a flaw
  # stays WEAK or turns FAILED on fresh words.
  grep -E '\|\s*WEAK' "$log" | awk -F'|' '{n = $1; sub(/^[0-9:]+ +/, "", n); gsub(/ /, "", n); print n ":" ($2 + 0)}' |
    sort -u | while read -r t; do
      name=${t%%:*} ntup=${t#*:}
      case "$name" in sts_serial|rgb_*) ;; *) t=$name ;; esac
      [ "$ntup" = 0 ] && t=$name
      echo "# rerun of $t, seed $((SEED + 1))" >> "$log"
      one "$mode" $((SEED + 1)) "$t" >> "$log" 2>&1
    done
  echo "$mode: $(grep -c PASSED "$log") PASSED, $(grep -c WEAK "$log") WEAK, $(grep -c FAILED "$log") FAILED -> $log"
done
