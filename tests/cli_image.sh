#!/usr/bin/env bash
# Images end to end on real Fashion-MNIST test images (Debian's dataset-fashion-mnist):
# train on one class, resume equals an uninterrupted run, score / predict /
# reconstruct / eval outputs, AUC above chance, and one clear error per bad input.
set -u
. "$(dirname "$0")/util/cli.sh"
D=/usr/share/datasets/fashion-mnist
if [ ! -e $D/t10k-images-idx3-ubyte.gz ]; then
  echo "cli_image: $D missing (apt-get install dataset-fashion-mnist)"; exit 1; fi
IMG=$D/t10k-images-idx3-ubyte.gz LAB=$D/t10k-labels-idx1-ubyte.gz
# The paper's recipe here; the default recipe (restore) has its own section below.
COMMON="--data $IMG --labels $LAB --normal-class 1 --batch 32 --seed 7 --recipe paper"

for c in train score predict reconstruct eval oneclass; do
  "$BIN" $c --help | grep -q -- "--threads" && ok "$c --help" || bad "$c --help"
done

# Trouser (class 1) against the other nine classes.
"$BIN" train $COMMON --backend ref --threads 2 --epochs 6 -o "$T/a.safetensors" >"$T/train.out" 2>"$T/train.err" \
  && grep -q "threshold" "$T/train.out" && ok "train 2 epochs" || bad "train: $(cat "$T/train.err")"
[ "$(grep -c '^epoch' "$T/train.err")" -eq 6 ] && ok "one progress line per epoch" || bad "progress lines"
[ -s "$T/a.safetensors.ckpt" ] && ok "checkpoint written" || bad "no checkpoint"

# An interrupted run (3 epochs done) resumed to 6 epochs gives the same bits:
# on the reference backend also on another thread count; on oneDNN (whose
# reductions split by thread count) at the same one.
"$BIN" train $COMMON --backend ref --threads 1 --epochs 3 -o "$T/b.safetensors" >/dev/null 2>&1
"$BIN" train $COMMON --backend ref --threads 1 --epochs 6 --resume -o "$T/b.safetensors" >/dev/null 2>&1
cmp -s "$T/a.safetensors" "$T/b.safetensors" && ok "resume = uninterrupted (ref)" || bad "resume differs (ref)"
if [ "${MEMAE_DNNL:-1}" = 0 ]; then
  echo "skip resume = uninterrupted (dnnl): built with DNNL=0, no oneDNN backend"
else
  "$BIN" train $COMMON --backend dnnl --threads 2 --epochs 6 -o "$T/d.safetensors" >/dev/null 2>&1
  "$BIN" train $COMMON --threads 2 --epochs 3 -o "$T/e.safetensors" >/dev/null 2>&1
  "$BIN" train $COMMON --threads 2 --epochs 6 --resume -o "$T/e.safetensors" >/dev/null 2>&1
  cmp -s "$T/d.safetensors" "$T/e.safetensors" && ok "resume = uninterrupted (dnnl, the default)" \
    || bad "resume differs (dnnl)"
fi
# A run killed mid-epoch resumes from its last checkpoint.
"$BIN" train $COMMON --threads 1 --epochs 40 -o "$T/k.safetensors" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 600); do [ -e "$T/k.safetensors.ckpt" ] && break; sleep 0.1; done
kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
[ ! -e "$T/k.safetensors" ] && ls "$T" | grep -qv tmp && ok "killed run left only its checkpoint" || bad "killed run output"
"$BIN" train $COMMON --threads 1 --epochs 2 --resume -o "$T/k.safetensors" >/dev/null 2>&1 \
  && ok "resume after kill" || bad "resume after kill"

"$BIN" score -m "$T/a.safetensors" --data $IMG -o "$T/s.npy" && [ "$(stat -c %s "$T/s.npy")" -eq 40128 ] \
  && ok "score .npy (10000 float32)" || bad "score npy"
"$BIN" score -m "$T/a.safetensors" --data $IMG -o "$T/s.csv" && [ "$(wc -l <"$T/s.csv")" -eq 10001 ] \
  && head -1 "$T/s.csv" | grep -q "index,score" && ok "score .csv" || bad "score csv"
"$BIN" score -m "$T/a.safetensors" --data $IMG --score mae | head -2 | grep -q "^1," && ok "score mae to stdout" || bad "score stdout"
"$BIN" predict -m "$T/a.safetensors" --data $IMG -o "$T/p.csv" \
  && n1=$(grep -c ',1$' "$T/p.csv") && [ "$n1" -gt 5000 ] && ok "predict ($n1 of 10000 flagged)" || bad "predict"
"$BIN" reconstruct -m "$T/a.safetensors" --data $IMG -o "$T/r.npy" \
  && head -c 128 "$T/r.npy" | grep -q "(10000, 1, 28, 28)" && ok "reconstruct shape" || bad "reconstruct"
"$BIN" eval -m "$T/a.safetensors" --data $IMG --labels $LAB --normal-class 1 --json >"$T/e.json" \
  && auc=$(sed -n 's/.*"roc_auc":[[:space:]]*\([0-9.]*\).*/\1/p' "$T/e.json") \
  && awk -v a="$auc" 'BEGIN{exit !(a > 0.80)}' && ok "eval: trouser ROC-AUC $auc > 0.80" || bad "eval auc: $(cat "$T/e.json")"
"$BIN" eval -m "$T/a.safetensors" --data $IMG --labels $LAB --normal-class 1 | grep -q "precision" \
  && ok "eval text" || bad "eval text"

# A folder of images (png, bmp, tif, jpg), decoded by FFmpeg and resized to 28 x 28.
"$BIN" score -m "$T/a.safetensors" --data tests/fixtures/images -o "$T/f.csv" \
  && [ "$(wc -l <"$T/f.csv")" -eq 6 ] && ok "score a folder of images" || bad "folder of images"

# Bad inputs: one line, non-zero exit, no output left behind.
head -c 5000 $D/t10k-images-idx3-ubyte.gz | gzip -dc 2>/dev/null | head -c 3000 > "$T/trunc.idx"
expect_error "truncated IDX" "trunc.idx" "$BIN" score -m "$T/a.safetensors" --data "$T/trunc.idx" -o "$T/x.npy"
cp "$T/r.npy" "$T/nan.npy"; printf '\x00\x00\xc0\x7f' | dd of="$T/nan.npy" bs=1 seek=$((128 + 4 * 800)) conv=notrunc 2>/dev/null
expect_error "NaN in data" "sample 1 has a non-finite" "$BIN" score -m "$T/a.safetensors" --data "$T/nan.npy" -o "$T/x.npy"
expect_error "labels count" "labels for" "$BIN" eval -m "$T/a.safetensors" --data "$T/r.npy" --labels $D/train-labels-idx1-ubyte.gz --normal-class 1
expect_error "wrong shape" "does not fit" "$BIN" score -m "$T/a.safetensors" --data "$T/s.npy"
expect_error "bad output ext" "must end in .npy or .csv" "$BIN" score -m "$T/a.safetensors" --data "$T/r.npy" -o "$T/x.txt"
expect_error "missing data" "--data" "$BIN" train -o "$T/x.safetensors"
expect_error "resume without checkpoint" "cannot open" "$BIN" train $COMMON --epochs 1 --resume -o "$T/none.safetensors"
expect_error "resume other settings" "resume with the same" "$BIN" train $COMMON --batch 16 --epochs 3 --resume -o "$T/a.safetensors"
expect_error "bad classes" "--classes" "$BIN" oneclass --classes 3-12
expect_error "unknown recipe" "unknown recipe 'fancy'" "$BIN" train $COMMON --recipe fancy --epochs 1 -o "$T/x.safetensors"
expect_error "resume another recipe's model" "another model configuration" "$BIN" train $COMMON --recipe restore --epochs 9 --resume -o "$T/a.safetensors"
[ ! -e "$T/x.npy" ] && [ ! -e "$T/x.txt" ] && [ ! -e "$T/x.safetensors" ] && ok "no output after errors" || bad "an error left a file"

# The default recipe (restore: the wider encoder, four turns, per-pixel weights):
# resumes to the same bits, stores what scoring needs, and beats the paper's
# recipe on trousers at fewer epochs.
R="--data $IMG --labels $LAB --normal-class 1 --batch 32 --seed 7 --threads 2"
"$BIN" train $R --epochs 4 -o "$T/ra.safetensors" >"$T/r.out" 2>&1 \
  && grep -q "4 epochs" "$T/r.out" && ok "train, default recipe" || bad "train restore: $(cat "$T/r.out")"
"$BIN" train $R --epochs 2 -o "$T/rb.safetensors" >/dev/null 2>&1
"$BIN" train $R --epochs 4 --resume -o "$T/rb.safetensors" >/dev/null 2>&1
cmp -s "$T/ra.safetensors" "$T/rb.safetensors" && ok "restore: resume = uninterrupted" || bad "restore resume differs"
expect_error "resume another recipe" "made with the recipe 'restore'" "$BIN" train $R --recipe weighted --epochs 6 --resume -o "$T/rb.safetensors"
"$BIN" info -m "$T/ra.safetensors" | grep -q '"name":"restore"' && "$BIN" info -m "$T/ra.safetensors" | grep -q "memae_recipe.pixel_weight" \
  && ok "info shows the recipe and its weights" || bad "info: recipe"
"$BIN" eval -m "$T/ra.safetensors" --data $IMG --labels $LAB --normal-class 1 --json >"$T/re.json" \
  && rauc=$(sed -n 's/.*"roc_auc":[[:space:]]*\([0-9.]*\).*/\1/p' "$T/re.json") \
  && awk -v a="$rauc" -v p="$auc" 'BEGIN{exit !(a > 0.90 && a > p)}' \
  && ok "restore: trouser ROC-AUC $rauc > 0.90 and > paper's $auc" || bad "restore auc: $(cat "$T/re.json")"
expect_error "restore scores are mse" "calibrated on mse" "$BIN" score -m "$T/ra.safetensors" --data $IMG --score mae -o "$T/x.csv"
"$BIN" train --data tests/fixtures/images --recipe restore --epochs 1 --input-shape 1x28x32 -o "$T/x.safetensors" >"$T/o" 2>&1
grep -q "square" "$T/o" && [ ! -e "$T/x.safetensors" ] && ok "restore on non-square images: one error" || bad "non-square: $(cat "$T/o")"

finish cli_image
