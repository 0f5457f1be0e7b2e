#!/usr/bin/env bash
# Frame-level AUC and scoring speed of the official video3d model (1x16x256x256,
# 96-256 channels, 2000 memory slots) on the synthetic set of
# tests/util/make_videos.sh at 256 x 256, 64 frames per video, on oneDNN.
# Training is brief on purpose (about 3 minutes in all on 2 idle cores): EPOCHS epochs over
# clips STRIDE frames apart.  The eval command's time is one pass of decoding
# and scoring every clip, so frames/s = scored frames / time (decoding 256
# small frames is a fraction of a second of it).  RECIPE (default paper, the
# recipe of the speed figures in the README) picks the recipe; detection
# quality needs longer training: RECIPE=default EPOCHS=12 STRIDE=4.
# SIZE (default 256) makes the set and the model at SIZE x SIZE.
# usage: bench/video.sh [DIR=/tmp/memae_video_bench]   (THREADS, EPOCHS, STRIDE, LR, RECIPE)
set -eu
B=${MEMAE_BIN:-build/memae} D=${1:-/tmp/memae_video_bench}
TH=${THREADS:-2} EPOCHS=${EPOCHS:-3} STRIDE=${STRIDE:-8} LR=${LR:-0.001} RECIPE=${RECIPE:-paper} S=${SIZE:-256}
[ -d "$D/train" ] || bash "$(dirname "$0")/../tests/util/make_videos.sh" "$D" "$S" 64
COMMON=(--cache "$D/cache" --backend dnnl --threads "$TH")
SHAPE=(--input-shape "1x16x${S}x${S}")
echo "== train: recipe $RECIPE, $EPOCHS epochs, clip stride $STRIDE, batch 4, lr $LR"
/usr/bin/time -f "train: %e s, peak %M KiB" "$B" train --preset video3d --data "$D/train" \
  "${COMMON[@]}" "${SHAPE[@]}" --recipe "$RECIPE" --epochs "$EPOCHS" --clip-stride "$STRIDE" --batch 4 --lr "$LR" -o "$D/m_$RECIPE.safetensors"
echo "== eval (decoding the test videos into the cache, scoring every clip, metrics)"
start=$(date +%s.%N)
"$B" eval -m "$D/m_$RECIPE.safetensors" --data "$D/test" "${COMMON[@]}" --batch 4 \
  --labels "$D/gt/intervals.txt" --json | tee "$D/eval_$RECIPE.json"
end=$(date +%s.%N)
frames=$(sed -n 's/.*"frames_scored":[[:space:]]*\([0-9]*\).*/\1/p' "$D/eval_$RECIPE.json")
awk -v f="$frames" -v s="$start" -v e="$end" \
  'BEGIN {printf "scored %d frames in %.1f s: %.2f frames/s\n", f, e - s, f / (e - s)}'
