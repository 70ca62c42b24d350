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
# size for each multi-size rgb test; or give a list of test numbers, NUMBER:NTUPLE for one
# size. BATTERY_TAG is appended to the log's name.
# Every WEAK verdict is rerun once on fresh words (the next seed) and recorded as a rerun.
# Needs Debian's dieharder (a developer tool: apt-get install dieharder) and the package
# installed in PYTHON's environment. Run it niced in the background.
set -euo pipefail
cd "$(dirname "$0")/../.."
PYTHON=${PYTHON:-.venv/bin/python}
SEED=${BATTERY_SEED:-24301}
# Test numbers as `dieharder -l` lists them (names in its output differ from -d names).
DEFAULT="0 1 2 3 4 5 6 7 8 9 10 11 12 13 15 16 17 100 101 102 200:8 201:4 202:5 204 205 206 207 208 209"
TESTS=${DIEHARDER_TESTS:-$DEFAULT}
OUT=build/battery
TAG=${BATTERY_TAG:-}
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

# The -d number of a test from the name its results carry (dieharder's own table).
number_of() {
  case "$1" in
    diehard_birthdays) echo 0 ;; diehard_operm5) echo 1 ;; diehard_rank_32x32) echo 2 ;;
    diehard_rank_6x8) echo 3 ;; diehard_bitstream) echo 4 ;; diehard_opso) echo 5 ;;
    diehard_oqso) echo 6 ;; diehard_dna) echo 7 ;; diehard_count_1s_str) echo 8 ;;
    diehard_count_1s_byt) echo 9 ;; diehard_parking_lot) echo 10 ;; diehard_2dsphere) echo 11 ;;
    diehard_3dsphere) echo 12 ;; diehard_squeeze) echo 13 ;; diehard_sums) echo 14 ;;
    diehard_runs) echo 15 ;; diehard_craps) echo 16 ;; marsaglia_tsang_gcd) echo 17 ;;
    sts_monobit) echo 100 ;; sts_runs) echo 101 ;; sts_serial) echo 102 ;;
    rgb_bitdist) echo 200 ;; rgb_minimum_distance) echo 201 ;; rgb_permutations) echo 202 ;;
    rgb_lagged_sum) echo 203 ;; rgb_kstest_test) echo 204 ;; dab_bytedistrib) echo 205 ;;
    dab_dct) echo 206 ;; dab_filltree) echo 207 ;; dab_filltree2) echo 208 ;;
    dab_monobit2) echo 209 ;;
  esac
}

one() {  # mode seed NUMBER[:NTUPLE]
  local name=${3%%:*} ntup=
  [[ $3 == *:* ]] && ntup=${3#*:}
  run "$1" "$2" -d "$name" ${ntup:+-n "$ntup"}
}

for mode in "${modes[@]}"; do
  log="$OUT/$mode$TAG.txt"
  {
    echo "# mode=$mode seed=$SEED started $(date -u +%FT%TZ)"
    echo "# tests: $(echo $TESTS)"
    if [ "$TESTS" = all ]; then
      run "$mode" "$SEED" -a
    else
      for t in $TESTS; do one "$mode" "$SEED" "$t" || echo "# error running test $t"; done
    fi
    echo "# finished $(date -u +%FT%TZ)"
  } > "$log" 2>&1
  # A good generator gives WEAK (p < 0.005 or > 0.995) for about 1 in 100 p-values; a flaw
  # stays WEAK or turns FAILED on fresh words.
  grep -E '\|\s*WEAK' "$log" | awk -F'|' '{n = $1; sub(/^[0-9:]+ +/, "", n); gsub(/ /, "", n); print n, ($2 + 0)}' |
    sort -u | while read -r name ntup; do
      num=$(number_of "$name")
      [ -n "$num" ] || { echo "# no test number for $name" >> "$log"; continue; }
      case "$name" in sts_serial|rgb_*) t="$num:$ntup" ;; *) t=$num ;; esac
      [ "$ntup" = 0 ] && t=$num
      echo "# rerun of $name ($t), seed $((SEED + 1))" >> "$log"
      one "$mode" $((SEED + 1)) "$t" >> "$log" 2>&1 || echo "# error running test $t" >> "$log"
    done
  echo "$mode: $(grep -c PASSED "$log") PASSED, $(grep -c WEAK "$log") WEAK, $(grep -c FAILED "$log") FAILED -> $log"
done
