#!/usr/bin/env bash
# Writes a small synthetic video anomaly data set with ffmpeg's lavfi sources:
#   OUT/train/   normal videos: one bright square gliding right at 1 px/frame
#                (wrapping around), at a different height and phase in each;
#   OUT/test/    the same scene with one abnormal event each, in frames A..B:
#                  appear   a second square appears and falls
#                  reverse  the square moves the wrong way (left)
#                  fast     the square moves five times too fast
#                plus one normal video;
#   OUT/gt/      the same ground truth in several forms (see src/io/gt.h):
#                  txt/<video>.txt   one 0/1 per frame and line
#                  npy/<video>.npy   the same as uint8 \  (with /usr/bin/python3
#                  mat/<video>.mat   variable 'l'     /   and numpy, scipy)
#                  intervals.txt     "<video>: <start> <end>", 1-based inclusive (the
#                                    UCSD Ped2 convention); "normal:" has no event
# Containers and codecs vary on purpose: ffv1/mkv, mjpeg/avi, h264/mp4 (when
# libx264 is there), and a folder of png frames.
# usage: make_videos.sh OUT [SIZE=32] [FRAMES=64]
set -eu
OUT=$1 S=${2:-32} N=${3:-64}
A=$((N * 3 / 8)) B=$((N * 5 / 8)) # the abnormal frames, 0-based inclusive
B6=$((S * 3 / 16))                 # the square's side
R=$((S - B6))                      # positions a square can take
mkdir -p "$OUT/train" "$OUT/test" "$OUT/gt/txt"
ff() { ffmpeg -nostdin -hide_banner -loglevel error -y "$@"; }
h264=mp4; ffmpeg -hide_banner -encoders 2>/dev/null | grep -q libx264 || h264=mkv

# scene OUT_FILE Y PHASE X_EXPR [EXTRA_FILTER]: the square at height Y, x from X_EXPR (uses n)
scene() {
  local file=$1 y=$2 x=$4 extra=${5:-}
  local g="color=c=0x303030:s=${S}x${S}:r=25:d=$(awk -v n="$N" 'BEGIN {print n / 25}'),format=gray[bg];"
  g+="color=c=0xe0e0e0:s=${B6}x${B6}:r=25[sq];[bg][sq]overlay=x='$x':y=$y:shortest=1"
  [ -n "$extra" ] && g+="[v];color=c=0xa0a0a0:s=${B6}x${B6}:r=25[sq2];[v][sq2]$extra"
  case "$file" in
    *.avi) ff -f lavfi -i "$g" -frames:v "$N" -c:v mjpeg -q:v 2 "$file" ;;
    *.mp4) ff -f lavfi -i "$g" -frames:v "$N" -c:v libx264 -qp 0 -pix_fmt yuv420p "$file" ;;
    */) mkdir -p "$file"; ff -f lavfi -i "$g" -frames:v "$N" "$file/%04d.png" ;;
    *) ff -f lavfi -i "$g" -frames:v "$N" -c:v ffv1 "$file" ;;
  esac
}
norm() { echo "mod(n+$1\,$R)"; } # normal motion from phase $1

scene "$OUT/train/walk1.mkv" $((S / 8)) 0 "$(norm 0)"
scene "$OUT/train/walk2.avi" $((S / 3)) 0 "$(norm 7)"
scene "$OUT/train/walk3.$h264" $((S / 2)) 0 "$(norm 13)"
scene "$OUT/train/walk4/" $((S * 2 / 3)) 0 "$(norm 3)"

clipn="clip(n-$A\,0\,$B-$A)" # frames spent in the event so far
scene "$OUT/test/appear.mkv" $((S / 3)) 0 "$(norm 5)" \
  "overlay=x=$((S / 2)):y='($S-$B6)*(n-$A)/($B-$A)':enable='between(n\,$A\,$B)':shortest=1"
scene "$OUT/test/reverse.avi" $((S / 2)) 0 "mod(n+2-2*$clipn+10*$R\,$R)"
scene "$OUT/test/fast.$h264" $((S / 4)) 0 "mod(n+9+4*$clipn\,$R)"
scene "$OUT/test/normal/" $((S * 3 / 5)) 0 "$(norm 11)"

: >"$OUT/gt/intervals.txt"
for v in appear reverse fast normal; do
  for ((f = 0; f < N; f++)); do
    [ $v != normal ] && [ $f -ge $A ] && [ $f -le $B ] && echo 1 || echo 0
  done >"$OUT/gt/txt/$v.txt"
  if [ $v != normal ]; then echo "$v: $((A + 1)) $((B + 1))"; else echo "$v:"; fi >>"$OUT/gt/intervals.txt"
done
if /usr/bin/python3 -c 'import numpy, scipy.io' 2>/dev/null; then
  mkdir -p "$OUT/gt/npy" "$OUT/gt/mat"
  /usr/bin/python3 - "$OUT/gt" <<'PY'
import glob, os, sys
import numpy as np, scipy.io
for t in glob.glob(os.path.join(sys.argv[1], "txt", "*.txt")):
    name, l = os.path.basename(t)[:-4], np.loadtxt(t, dtype=np.uint8)
    np.save(os.path.join(sys.argv[1], "npy", name + ".npy"), l)
    scipy.io.savemat(os.path.join(sys.argv[1], "mat", name + ".mat"), {"l": l[None, :].astype(np.float64)})
PY
fi
