#!/usr/bin/env bash
# The objective's own phase diagram: for each price (regime), input size n,
# width m and beta, which algorithm's fitted posterior has the lowest
# NMSE + beta·KL (experiments/examples/description_length.rs, from hand-written starts
# at two sharpnesses each and an Adam start, 3000 steps per fit). One
# description_length process per (regime, size, quarter of the beta grid),
# JOBS at a time (each one thread); then experiments/python/objective_map.py
# prints the table.
#
#   experiments/scripts/objective_map.sh [OUT]        (default runs/objective_map)
#   REGIMES="wide-prior" SIZES="4:12 8:24" JOBS=2 experiments/scripts/objective_map.sh
set -euo pipefail
out=${1:-runs/objective_map}
jobs=${JOBS:-$(nproc)}
# Built each time unless BIN names a binary, so that a stale one is never
# used (cargo does nothing when it is up to date).
if [ -z "${BIN:-}" ]; then
  cargo build --release --example description_length
fi
bin=${BIN:-target/release/examples/description_length}
mkdir -p "$out"
# The discover grid (13 betas from 1e-7 to 1e-1), in quarters.
quarters="1e-7,3.2e-7,1e-6 3.2e-6,1e-5,3.2e-5 1e-4,3.2e-4,1e-3 3.2e-3,1e-2,3.2e-2,1e-1"
# Each regime's flags. Sharpnesses: swish's accuracy needs sharp starts (4,
# 10); under ReLU each algorithm has its own best k (double-sided 1.4, the
# spread-out pudding 2; docs/findings.md, "ReLU networks").
declare -A flags=(
  [default]="--sharpness 4,10"
  [wide-prior]="--sharpness 4,10 --priors 10,1,1,1"
  [wider-prior]="--sharpness 4,10 --priors 30,1,1,1"
  [relu-priced-by-size]="--sharpness 1.4,2 --activation relu --fixed-std --initial-std 0.001"
)
for regime in ${REGIMES:-relu-priced-by-size wider-prior wide-prior default}; do
  [ -n "${flags[$regime]:-}" ] || { echo "unknown regime $regime" >&2; exit 2; }
  for size in ${SIZES:-8:24 6:18 4:12}; do
    n=${size%%:*} m=${size##*:} part=0
    for betas in $quarters; do
      part=$((part + 1))
      echo "$out/$regime/n$n-m$m-$part $n $m $betas ${flags[$regime]}"
    done
  done
done | RAYON_NUM_THREADS=1 xargs -P "$jobs" -L 1 sh -c '
  dir=$0 n=$1 m=$2 betas=$3; shift 3
  mkdir -p "$dir"
  '"$bin"' --n "$n" --m "$m" --betas "$betas" --out "$dir" "$@" > "$dir/table.txt" 2>&1 \
    || echo "failed: $dir" >&2'
python3 experiments/python/objective_map.py "$out"
