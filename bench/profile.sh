#!/usr/bin/env bash
# Where a training step's time goes: perf's split between oneDNN's JIT code,
# memae's own kernels and the rest, then oneDNN's time per primitive with the
# GFLOP/s the convolutions reach and their fraction of the machine's peak.
# Usage: bench/profile.sh [PRESET] [SHAPE] [BATCH] [STEPS] [THREADS]
#   e.g. bench/profile.sh video3d 1x16x128x128 4 2 2
set -eu
BIN=${MEMAE_BIN:-build/memae}
PRESET=${1:-image2d} SHAPE=${2:-1x28x28} BATCH=${3:-64} STEPS=${4:-20} THREADS=${5:-$(nproc)}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
run=("$BIN" bench --preset "$PRESET" --input-shape "$SHAPE" --batch "$BATCH" --steps "$STEPS"
     --threads "$THREADS" --backend dnnl)
if command -v perf >/dev/null; then
  perf record -q -o "$T/perf.data" "${run[@]}" >/dev/null 2>&1
  echo "== perf: share of samples per module (training and scoring steps, set-up included)"
  perf report -q -i "$T/perf.data" --no-children --sort dso 2>/dev/null | head -8
  echo "== perf: memae's own hottest functions"
  perf report -q -i "$T/perf.data" --no-children --sort dso,sym 2>/dev/null | grep memae | head -8
fi
echo "== the machine's FP32 peak at $THREADS threads (bench/peak_flops.c, best of 3)"
peak=
if cc -O3 -funroll-loops -mavx512f -fopenmp "$(dirname "$0")/peak_flops.c" -o "$T/peak" 2>/dev/null; then
  peak=$(for _ in 1 2 3; do "$T/peak" "$THREADS"; done | tee /dev/stderr |
         sed -n 's/.*: \([0-9.]*\) GFLOP.*/\1/p' | sort -g | tail -1)
fi
echo "== oneDNN primitives (DNNL_VERBOSE), first call of each left out"
DNNL_VERBOSE=1 "${run[@]}" > "$T/verbose.txt" 2>&1
grep -v '^onednn_verbose' "$T/verbose.txt" || true
/usr/bin/python3 "$(dirname "$0")/dnnl_profile.py" "$T/verbose.txt" ${peak:+--peak-gflops "$peak"}
