#!/usr/bin/env bash
# make bench: memae (ref and dnnl backends) and, where python3-torch is installed,
# the same model in PyTorch, in the same run at the same thread count; prints
# training / scoring samples/s, peak memory and the ratios to PyTorch.
# Usage: bench/run.sh [THREADS] [STEPS]
set -eu
BIN=${MEMAE_BIN:-build/memae}
THREADS=${1:-$(nproc)}
STEPS=${2:-10}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
have_torch=0
/usr/bin/python3 -c 'import torch' 2>/dev/null && have_torch=1
# preset, input shape, batch, steps (video steps are long: a few suffice)
cases="image2d 1x28x28 64 $STEPS
video3d 1x16x128x128 4 3
video3d 1x16x256x256 1 3"
printf '%-8s %-13s %5s %-7s %12s %12s %9s %8s %8s\n' preset shape batch backend train/s score/s peak_MiB xtrain xscore
echo "$cases" | while read -r preset shape batch steps; do
  "$BIN" init --preset "$preset" --input-shape "$shape" -o "$T/m.safetensors" >/dev/null
  "$BIN" info -m "$T/m.safetensors" --json > "$T/info.json"
  tt=0 ts=0
  if [ $have_torch = 1 ]; then
    /usr/bin/python3 bench/torch_bench.py --info "$T/info.json" --batch "$batch" --steps "$steps" \
      --threads "$THREADS" > "$T/torch.json"
    tt=$(sed -n 's/.*"train_samples_per_s": \([0-9.e+-]*\).*/\1/p' "$T/torch.json")
    ts=$(sed -n 's/.*"score_samples_per_s": \([0-9.e+-]*\).*/\1/p' "$T/torch.json")
    pk=$(sed -n 's/.*"peak_rss_mib": \([0-9.e+-]*\).*/\1/p' "$T/torch.json")
    printf '%-8s %-13s %5s %-7s %12.4g %12.4g %9.0f\n' "$preset" "$shape" "$batch" pytorch "$tt" "$ts" "$pk"
  fi
  for be in ref dnnl; do
    "$BIN" bench --preset "$preset" --input-shape "$shape" --batch "$batch" --steps "$steps" \
      --threads "$THREADS" --backend $be --json > "$T/m.json"
    mt=$(sed -n 's/.*"train_samples_per_s":\([0-9.e+-]*\).*/\1/p' "$T/m.json")
    ms=$(sed -n 's/.*"score_samples_per_s":\([0-9.e+-]*\).*/\1/p' "$T/m.json")
    mp=$(sed -n 's/.*"peak_rss_mib":\([0-9.e+-]*\).*/\1/p' "$T/m.json")
    rt=$(awk -v a="$mt" -v b="$tt" 'BEGIN{ if (b > 0) printf "%.2f", a / b; else print "-" }')
    rs=$(awk -v a="$ms" -v b="$ts" 'BEGIN{ if (b > 0) printf "%.2f", a / b; else print "-" }')
    printf '%-8s %-13s %5s %-7s %12.4g %12.4g %9.0f %8s %8s\n' "$preset" "$shape" "$batch" $be "$mt" "$ms" "$mp" "$rt" "$rs"
  done
done
