#!/usr/bin/env bash
# Where do blind starts end under the objective NMSE + beta·KL, with a
# blind generator's own priors? For each checkpoint of a blind run, input
# size n (m = 3n) and beta: fits (experiments/examples/description_length.rs,
# 1500 steps, the checkpoint's priors) from the networks that generator
# writes (`--generated 8`), from an Adam-trained network (`adam`) and along
# two homotopy chains in beta from it (`--homotopy`), beside the
# hand-written starts for reference (only compared against, never a start
# of a blind chain). One process per (checkpoint, size), JOBS at a time;
# then experiments/python/blind_starts.py tabulates the labels.
#
#   experiments/scripts/blind_starts.sh OUT CHECKPOINT...
#   JOBS=2 SIZES="4 6 8" BETAS=1e-7,1e-6,1e-5 experiments/scripts/blind_starts.sh \
#     runs/blind-starts runs/blind-teacher/seed-*/checkpoint.safetensors
set -euo pipefail
out=$1
shift
jobs=${JOBS:-$(nproc)}
if [ -z "${BIN:-}" ]; then
  cargo build --release --example description_length
fi
bin=${BIN:-target/release/examples/description_length}
mkdir -p "$out"
for checkpoint in "$@"; do
  # runs/LEVER/seed-S/checkpoint.safetensors -> LEVER-seed-S, seed S
  run=$(basename "$(dirname "$(dirname "$checkpoint")")")-$(basename "$(dirname "$checkpoint")")
  seed=$(basename "$(dirname "$checkpoint")" | sed 's/[^0-9]//g')
  for n in ${SIZES:-8 6 4}; do
    echo "$out/$run/n$n $n $((3 * n)) ${seed:-0} $checkpoint"
  done
done | xargs -P "$jobs" -L 1 sh -c '
  mkdir -p "$0" &&
  "'"$bin"'" --n "$1" --m "$2" --seed "$3" --checkpoint "$4" --generated 8 --homotopy \
    --steps 1500 --betas "'"${BETAS:-1e-7,1e-6,1e-5}"'" --out "$0" > "$0/stdout.txt" 2>&1 &&
  echo "done $0"'
