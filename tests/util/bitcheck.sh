#!/usr/bin/env bash
# tests/util/bitcheck.sh BIN OUT: seeded runs of the memae program BIN (train, score,
# reconstruct: images on Fashion-MNIST, a table, a small video3d model, the converted
# official model; ref and dnnl, 1 and 2 threads) whose outputs in OUT must be
# byte-identical across builds that should not change numerics, e.g.
#   for f in OUT1/*; do cmp "$f" OUT2/"${f##*/}"; done
# (make NATIVE=1 against the default build: identical; see the README).
set -eu
BIN=$1 OUT=$2 SRC=$(cd "$(dirname "$0")/../.." && pwd)
[ ! -e "$OUT" ] || { echo "bitcheck: $OUT exists; give a new folder" >&2; exit 1; }
mkdir -p "$OUT"
D=/usr/share/datasets/fashion-mnist
IMG=$D/t10k-images-idx3-ubyte.gz LAB=$D/t10k-labels-idx1-ubyte.gz
for be in ref dnnl; do
  for th in 1 2; do
    "$BIN" train --data $IMG --labels $LAB --normal-class 1 --batch 32 --seed 7 --epochs 2 \
      --backend $be --threads $th -o "$OUT/img_${be}_t$th.safetensors" >/dev/null 2>&1
    "$BIN" score -m "$OUT/img_${be}_t$th.safetensors" --data $IMG --backend $be --threads $th -o "$OUT/img_${be}_t$th.scores.npy"
    "$BIN" reconstruct -m "$OUT/img_${be}_t$th.safetensors" --data $IMG --backend $be --threads $th -o "$OUT/img_${be}_t$th.recon.npy"
  done
  # the converted official model (tests/fixtures/convert) scoring the fixture clips
  /usr/bin/python3 $SRC/scripts/convert_pytorch.py $SRC/tests/fixtures/convert/memae_t16.pth --input-shape 1,16,16,16 -o "$OUT/conv.safetensors" >/dev/null
  "$BIN" score -m "$OUT/conv.safetensors" --data $SRC/tests/fixtures/convert/clips.npy --backend $be --threads 2 -o "$OUT/fx_clips_${be}.npy"
  awk -f $SRC/tests/util/gen_table.awk -v frac=0.1 -v header=1 -v n=2000 -v seed=1 -v labels=1 >"$OUT/train.csv"
  "$BIN" train --data "$OUT/train.csv" --label-column label --epochs 20 --threads 2 --backend $be -o "$OUT/tab_$be.safetensors" >/dev/null 2>&1
  "$BIN" score -m "$OUT/tab_$be.safetensors" --data "$OUT/train.csv" --backend $be --threads 2 -o "$OUT/tab_$be.scores.npy"
done
# a small video3d model
V=$OUT/v; bash $SRC/tests/util/make_videos.sh "$V" 32 64 >/dev/null 2>&1
CFG='{"encoder":[{"out":8,"kernel":3,"stride":[1,2,2],"padding":1},{"out":16,"kernel":3,"stride":2,"padding":1},
{"out":16,"kernel":3,"stride":2,"padding":1},{"out":16,"kernel":3,"stride":2,"padding":1}],
"decoder":[{"out":16,"kernel":3,"stride":2},{"out":16,"kernel":3,"stride":2},{"out":8,"kernel":3,"stride":2},
{"kernel":3,"stride":[1,2,2]}],"memory":{"enabled":true,"slots":100,"shrink_thres":0.0025}}'
for be in ref dnnl; do
  "$BIN" train --preset video3d --config "$CFG" --input-shape 1x16x32x32 --data "$V/train" --cache "$OUT/cache" \
     --lr 0.001 --seed 3 --threads 2 --epochs 1 --clip-stride 4 --backend $be -o "$OUT/vid_$be.safetensors" >/dev/null 2>&1
  "$BIN" score -m "$OUT/vid_$be.safetensors" --cache "$OUT/cache" --threads 2 --batch 16 --backend $be --data "$V/test" -o "$OUT/vid_$be.csv"
done
rm -rf "$OUT/v" "$OUT/cache" "$OUT"/*.ckpt
ls "$OUT" | wc -l
