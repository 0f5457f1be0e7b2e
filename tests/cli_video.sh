#!/usr/bin/env bash
# Videos end to end on small videos made by ffmpeg (tests/util/make_videos.sh):
# a narrow video3d model trained on squares gliding the normal way finds the
# abnormal frames (a square that appears, moves the wrong way, moves too fast);
# the frame cache is reused and invalidated; every form of the ground truth
# gives the same AUC; bad inputs give one error line naming file and frame.
set -u
. "$(dirname "$0")/util/cli.sh"
V=$T/v C=$T/cache
bash "$(dirname "$0")/util/make_videos.sh" "$V" 32 64 || { bad "make_videos.sh"; finish cli_video; }
# 16 x 32 x 32 clips; 8-16 channels instead of 96-256, 100 memory slots instead of 2000.
CFG='{"encoder":[{"out":8,"kernel":3,"stride":[1,2,2],"padding":1},{"out":16,"kernel":3,"stride":2,"padding":1},
{"out":16,"kernel":3,"stride":2,"padding":1},{"out":16,"kernel":3,"stride":2,"padding":1}],
"decoder":[{"out":16,"kernel":3,"stride":2},{"out":16,"kernel":3,"stride":2},{"out":8,"kernel":3,"stride":2},
{"kernel":3,"stride":[1,2,2]}],"memory":{"enabled":true,"slots":100,"shrink_thres":0.0025}}'
TRAIN=(--preset video3d --config "$CFG" --input-shape 1x16x32x32 --data "$V/train" --cache "$C"
       --lr 0.001 --seed 3 --threads 1)
M=$T/m.safetensors
APPLY=(-m "$M" --cache "$C" --threads 1 --batch 16)

"$BIN" train --help | grep -q -- "--clip-stride" && ok "train --help: videos" || bad "train --help"
"$BIN" score --help | grep -q -- "--normalize" && ok "score --help: videos" || bad "score --help"
"$BIN" eval --help | grep -q -- "macro" && ok "eval --help: videos" || bad "eval --help"

"$BIN" train "${TRAIN[@]}" --epochs 3 -o "$M" >"$T/train.out" 2>"$T/train.err" \
  && grep -q "196 clips of 16 frames from 4 videos" "$T/train.out" && ok "train on 4 videos" \
  || bad "train: $(cat "$T/train.out" "$T/train.err")"
[ "$(grep -c '^epoch' "$T/train.err")" -eq 3 ] && ok "one progress line per epoch" || bad "progress"
[ "$(ls "$C" | grep -c '\.frames$')" -eq 4 ] && ok "4 videos cached" || bad "cache: $(ls "$C")"
"$BIN" train "${TRAIN[@]}" --epochs 2 --clip-stride 4 -o "$T/s4.safetensors" 2>/dev/null | grep -q "52 clips" \
  && ok "--clip-stride 4: 52 clips" || bad "clip stride"

# A run stopped after 1 epoch and resumed to 2 gives the model of the uninterrupted run.
"$BIN" train "${TRAIN[@]}" --epochs 1 --clip-stride 4 -o "$T/r.safetensors" >/dev/null 2>&1
"$BIN" train "${TRAIN[@]}" --epochs 2 --clip-stride 4 --resume -o "$T/r.safetensors" >/dev/null 2>&1
cmp -s "$T/s4.safetensors" "$T/r.safetensors" && ok "resume = uninterrupted" || bad "resume differs"

# The cache is reused: the training videos' cache files are not rewritten.
stat -c '%n %i %.9Y' "$C"/*.frames >"$T/cache.before"
"$BIN" score "${APPLY[@]}" --data "$V/train" -o "$T/train.csv" && stat -c '%n %i %.9Y' "$C"/*.frames | cmp -s - "$T/cache.before" \
  && ok "second run reads the cache" || bad "cache rewritten"

"$BIN" score "${APPLY[@]}" --data "$V/test" -o "$T/s.csv" && [ "$(wc -l <"$T/s.csv")" -eq 257 ] \
  && head -1 "$T/s.csv" | grep -q "^video,frame,error,score$" && ok "score: 4 x 64 frames" || bad "score csv"
# Official alignment: clip t..t+15 scores frame t+8, so frames 0-7 and 57-63 have none.
awk -F, 'NR>1 && $1=="appear" && $3=="" {print $2}' "$T/s.csv" | tr '\n' ' ' \
  | grep -qx "0 1 2 3 4 5 6 7 57 58 59 60 61 62 63 " && ok "frames 0-7 and 57-63 unscored" || bad "alignment"
# Per video min-max: every video's scores span [0, 1].
awk -F, 'NR>1 && $4!="" {if (!($1 in lo) || $4<lo[$1]) lo[$1]=$4; if (!($1 in hi) || $4>hi[$1]) hi[$1]=$4}
  END {for (v in lo) if (lo[v]!=0 || hi[v]!=1) exit 1}' "$T/s.csv" && ok "--normalize video spans [0, 1]" || bad "video normalisation"
"$BIN" score "${APPLY[@]}" --data "$V/test" --fill-edges --normalize none -o "$T/f.csv" \
  && ! grep -q ",,$" "$T/f.csv" && awk -F, 'NR>1 && $3!=$4 {exit 1}' "$T/f.csv" \
  && [ "$(awk -F, '$1=="fast" && $2==0 {print $3}' "$T/f.csv")" = "$(awk -F, '$1=="fast" && $2==8 {print $3}' "$T/f.csv")" ] \
  && ok "--fill-edges, --normalize none (score = error)" || bad "fill edges / none"
# Train normalisation: the z-score of the error by the statistics stored at training.
"$BIN" score "${APPLY[@]}" --data "$V/test" --normalize train -o "$T/z.csv" \
  && awk -F, 'NR>1 && $4!="" {n++; if ($4 < 0) neg++} END {exit !(n == 196 && neg > 0)}' "$T/z.csv" \
  && ok "--normalize train" || bad "train normalisation"
expect_error "train statistics of another score" "score with --score mse" "$BIN" score "${APPLY[@]}" --data "$V/test" --normalize train --score mae -o "$T/x.csv"

"$BIN" predict "${APPLY[@]}" --data "$V/test" -o "$T/p.csv" && head -1 "$T/p.csv" | grep -q "video,frame,error,label" \
  && awk -F, 'NR>1 && $4!="" && $4!=0 && $4!=1 {exit 1} NR>1 && $4==1 {n++} END {exit !(n > 0)}' "$T/p.csv" \
  && ok "predict: 0/1 per frame" || bad "predict"

# Pictures: 3 heatmaps of the most abnormal frames, one plot per video.
"$BIN" score "${APPLY[@]}" --data "$V/test" --heatmaps "$T/hm" --heatmap-count 3 --labels "$V/gt/intervals.txt" -o "$T/h.csv" \
  && [ "$(ls "$T/hm" | grep -c '_[0-9]*\.png$')" -eq 3 ] && [ "$(ls "$T/hm" | grep -c '_scores\.png$')" -eq 4 ] \
  && head -c 8 "$T/hm/appear_scores.png" | grep -q PNG && ok "--heatmaps: 3 frames, 4 plots" || bad "heatmaps: $(ls "$T/hm")"
# Again into the same folder: the new set replaces the old one by name.
"$BIN" score "${APPLY[@]}" --data "$V/test" --heatmaps "$T/hm/" --heatmap-count 3 >/dev/null \
  && [ "$(ls "$T/hm" | wc -l)" -eq 7 ] && [ -z "$(ls "$T" | grep 'hm.tmp')" ] \
  && ok "--heatmaps into a folder that holds the set" || bad "heatmaps again: $(ls "$T/hm" "$T")"
# A write failing midway (a file size limit here, a full disk elsewhere) leaves no folder.
expect_error "--heatmaps: a failed write" "hm2.tmp.[0-9]*/.*png: cannot write" \
  bash -c 'trap "" XFSZ; ulimit -f 1; exec "$@" >/dev/null' - "$BIN" score "${APPLY[@]}" --data "$V/test" \
  --heatmaps "$T/hm2" --heatmap-count 3
[ -z "$(ls "$T" | grep hm2)" ] && ok "no partial set of pictures" || bad "left: $(ls "$T" | grep hm2)"
# Ties (every video peaks at 1) go to the first video and frame, as in the file.
top=$(awk -F, 'NR>1 && $4!="" {print $4, $1"_"sprintf("%05d", $2)}' "$T/h.csv" | sort -s -k1,1gr | head -1 | cut -d' ' -f2)
[ -e "$T/hm/$top.png" ] && ok "heatmap of the top frame ($top)" || bad "no heatmap for $top"

# Frame-level AUC on the abnormal videos: at least 0.75 micro and 0.85 macro (chance: 0.5).
"$BIN" eval "${APPLY[@]}" --data "$V/test" --labels "$V/gt/intervals.txt" --json >"$T/e.json" \
  && micro=$(sed -n 's/.*"micro_auc":[[:space:]]*\([0-9.]*\).*/\1/p' "$T/e.json") \
  && macro=$(sed -n 's/.*"macro_auc":[[:space:]]*\([0-9.]*\).*/\1/p' "$T/e.json") \
  && awk -v a="$micro" -v b="$macro" 'BEGIN{exit !(a > 0.75 && b > 0.85)}' \
  && ok "eval: micro AUC $micro > 0.75, macro AUC $macro > 0.85" || bad "eval auc: $(cat "$T/e.json")"
grep -q '"normal":[[:space:]]*null' "$T/e.json" && ok "one-class video has no AUC" || bad "per-video AUC"
for g in npy mat; do
  [ -e "$V/gt/$g" ] || { echo "skip gt/$g (no numpy/scipy)"; continue; }
  "$BIN" eval "${APPLY[@]}" --data "$V/test" --labels "$V/gt/$g" --json | grep '"micro_auc"' \
    | grep -q "$micro" && ok "labels as $g: same AUC" || bad "labels as $g"
done
"$BIN" eval "${APPLY[@]}" --data "$V/test" --labels "$V/gt/txt" \
  | grep -q "^micro AUC *$(printf '%.4f' "$micro") " && ok "labels as txt, text output: same AUC" || bad "labels as txt"

# Clips as a float32 .npy (N, 1, 16, 32, 32): reconstruct writes them, score takes them.
printf '%s\n' "test/fast.mp4" "test/normal" >"$V/list.txt"
"$BIN" reconstruct "${APPLY[@]}" --data "$V/list.txt" --clip-stride 16 -o "$T/r.npy" \
  && head -c 128 "$T/r.npy" | grep -q "(8, 1, 16, 32, 32)" && ok "reconstruct a list of 2 videos" || bad "reconstruct"
"$BIN" score "${APPLY[@]}" --data "$T/r.npy" -o "$T/r.csv" && [ "$(wc -l <"$T/r.csv")" -eq 9 ] \
  && ok "score clips from .npy" || bad "score npy clips"

# A changed video invalidates its cache.
f=$(ls "$C"/walk1-*.frames)
sum=$(md5sum <"$f")
cp "$V/test/appear.mkv" "$V/train/walk1.mkv"
"$BIN" score "${APPLY[@]}" --data "$V/train" -o "$T/t2.csv" && [ "$(md5sum <"$f")" != "$sum" ] \
  && ok "changed video decoded again" || bad "stale cache"

# Bad inputs: one line naming the file (and frame), non-zero exit, no output.
mkdir -p "$T/bad/empty"
head -c 3000 "$V/test/fast.mp4" >"$T/bad/cut.mp4"
expect_error "truncated video" "cut.mp4" "$BIN" score "${APPLY[@]}" --data "$T/bad/cut.mp4" -o "$T/x.csv"
cp "$V/train/walk2.avi" "$T/bad/dmg.avi"
/usr/bin/python3 - "$T/bad/dmg.avi" <<'PY'
import sys  # zero 400 bytes inside the 31st JPEG frame
d = bytearray(open(sys.argv[1], "rb").read())
at = [i for i in range(len(d) - 2) if d[i:i + 3] == b"\xff\xd8\xff"][30] + 200
d[at:at + 400] = bytes(400)
open(sys.argv[1], "wb").write(d)
PY
expect_error "damaged frame" "dmg.avi: truncated: the container says 64 frames, 30 decoded (damaged data ended it)" \
  "$BIN" score "${APPLY[@]}" --data "$T/bad/dmg.avi" -o "$T/x.csv"
# 11. A video cut short (what its container says against what decodes) is an error,
# the same from the cache; --allow-truncated uses its frames with a one-line warning.
for v in walk1.mkv walk2.avi; do
  s=$(stat -c %s "$V/train/$v"); head -c $((s * 6 / 10)) "$V/train/$v" >"$T/bad/cut_$v"
  for run in decoded cached; do
    expect_error "cut $v ($run)" "cut_$v: truncated: the container says 64 frames, 3[0-9] decoded" \
      "$BIN" score "${APPLY[@]}" --data "$T/bad/cut_$v" -o "$T/x.csv"
    [ ! -e "$T/x.csv" ] || bad "scores written for cut_$v"
    "$BIN" score "${APPLY[@]}" --data "$T/bad/cut_$v" --allow-truncated -o "$T/x.csv" 2>"$T/err" \
      && [ "$(wc -l <"$T/err")" -eq 1 ] && grep -q "warning: .*cut_$v: truncated, its 3[0-9] frames are used" "$T/err" \
      && [ "$(wc -l <"$T/x.csv")" -ge 31 ] && ok "cut $v with --allow-truncated ($run)" \
      || bad "cut $v --allow-truncated ($run): $(cat "$T/err")"
    rm -f "$T/x.csv"
  done
done
for cmd in train predict eval reconstruct; do
  "$BIN" $cmd --help | grep -q -- "--allow-truncated" && ok "$cmd --help: --allow-truncated" || bad "$cmd --help"
done
printf '%s\n' "test/fast.mp4" "test/missing.avi" >"$V/bad.txt"
expect_error "missing video in a list" "bad.txt: line 2" "$BIN" score "${APPLY[@]}" --data "$V/bad.txt" -o "$T/x.csv"
expect_error "empty folder" "no videos" "$BIN" score "${APPLY[@]}" --data "$T/bad/empty" -o "$T/x.csv"
/usr/bin/python3 - "$T/bad/small.npy" <<'PY'
import sys  # a float32 .npy of shape (2, 1, 16, 16, 16), without numpy
h = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 1, 16, 16, 16), }"
h += " " * (118 - len(h)) + "\n"
open(sys.argv[1], "wb").write(b"\x93NUMPY\x01\x00" + bytes([len(h), 0]) + h.encode() + bytes(4 * 2 * 16 ** 3))
PY
expect_error "npy of other frames" "small.npy: array of shape" "$BIN" score "${APPLY[@]}" --data "$T/bad/small.npy" -o "$T/x.csv"
expect_error "video scores as npy" "written as .csv" "$BIN" score "${APPLY[@]}" --data "$V/test" -o "$T/x.npy"
expect_error "video reconstructions as csv" "written as .npy" "$BIN" reconstruct "${APPLY[@]}" --data "$V/test" -o "$T/x.csv"
expect_error "contamination on videos" "--contamination is for tables" "$BIN" predict "${APPLY[@]}" --data "$V/test" --contamination 0.5 -o "$T/x.csv"
expect_error "eval threshold on videos" "not for videos" "$BIN" eval "${APPLY[@]}" --data "$V/test" --labels "$V/gt/intervals.txt" --threshold 1
mkdir -p "$T/bad/short/clip" && cp "$V"/test/normal/000?.png "$T/bad/short/clip/"
expect_error "videos too short" "no video has 16 frames" "$BIN" train --preset video3d --config "$CFG" \
  --input-shape 1x16x32x32 --data "$T/bad/short" --cache "$C" --epochs 1 -o "$T/x.safetensors"
[ ! -e "$T/x.csv" ] && [ ! -e "$T/x.npy" ] && [ ! -e "$T/x.safetensors" ] && ok "no output after errors" || bad "an error left a file"
ls "$C" | grep -q tmp && bad "temporary cache file left" || ok "no temporary cache files"

finish cli_video
