#!/usr/bin/python3
"""Video anomaly detection on a real street scene, with injected anomalies.

The footage is OpenCV's sample vtest.avi (Debian package opencv-doc: 795
frames of pedestrians on a square, 768 x 576 at 10 frames/s).  Frames are
made grey and resized to SIZE x SIZE once, here, so that memae and the
baselines read exactly the same pixels (lossless ffv1 files):

  train/street.mkv   frames 0-449, normal
  test/object.mkv    frames 450-554; in its frames 35-69 a dark box (a cart,
                     SIZE/10 x SIZE/16) crosses the square at SIZE/32 px/frame
  test/fast.mkv      frames 555-729 played so that its frames 35-69 run 3x
                     fast (people suddenly hurry), 105 frames in all
  test/normal.mkv    frames 730-794, normal
  gt/intervals.txt   the abnormal frames, 1-based inclusive

For each recipe, memae trains the video3d preset (the official model) for
the same number of epochs (so the same steps on the same clips) and is
evaluated with `memae eval` (frame-level micro and macro AUC, the paper's
per-video min-max normalisation).  Two simple baselines are scored on the
same frames with the same normalisation:

  background z-score   mean over pixels of ((x - mu) / (sd + 1))^2, mu and sd
                       each pixel's mean and deviation over the training frames
  frame difference     mean over pixels of |x_t - x_(t-1)| (motion energy)

usage: /usr/bin/python3 bench/video_real.py [--dir D] [--memae build/memae]
       [--recipes paper,restore] [--epochs 6] [--threads 2] [--size 128]
       [--clip-stride 8]
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np
from sklearn.metrics import roc_auc_score

SRC = "/usr/share/doc/opencv-doc/examples/data/vtest.avi"
T = 16  # clip length; the clip of frames s..s+15 scores frame s+8


def decode(path, size):
    raw = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", path, "-vf",
                          f"scale={size}:{size},format=gray", "-f", "rawvideo", "-"],
                         check=True, capture_output=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, size, size)


def write(path, frames):
    n, h, w = frames.shape
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt",
                    "gray", "-s", f"{w}x{h}", "-r", "10", "-i", "-", "-c:v", "ffv1", path],
                   input=np.ascontiguousarray(frames).tobytes(), check=True)


def make_set(d, size):
    src = decode(SRC, size)
    if len(src) < 795:
        sys.exit(f"video_real.py: {SRC}: {len(src)} frames, expected 795")
    for sub in ("train", "test", "gt"):
        os.makedirs(os.path.join(d, sub), exist_ok=True)
    write(os.path.join(d, "train", "street.mkv"), src[:450])
    obj = src[450:555].copy()
    bw, bh, speed, y = size // 10, size // 16, size // 32, size * 3 // 5
    for i in range(35):
        x = i * speed
        obj[35 + i, y:y + bh, x:x + bw] = 20
    fast_idx = list(range(555, 590)) + [590 + 3 * i for i in range(35)] + list(range(695, 730))
    videos = {"object": obj, "fast": src[fast_idx], "normal": src[730:795]}
    gt = {}
    with open(os.path.join(d, "gt", "intervals.txt"), "w") as f:
        for name, frames in videos.items():
            write(os.path.join(d, "test", name + ".mkv"), frames)
            lab = np.zeros(len(frames), np.uint8)
            if name != "normal":
                lab[35:70] = 1
                f.write(f"{name}: 36 70\n")
            else:
                f.write(f"{name}:\n")
            gt[name] = lab
    return src[:450], videos, gt


def minmax(s):
    lo, hi = s.min(), s.max()
    return (s - lo) / (hi - lo) if hi > lo else np.zeros_like(s)


def baseline_aucs(train, videos, gt):
    """Frame AUCs of the two baselines on the frames memae scores (8..n-8)."""
    x = train.astype(np.float64)
    mu, sd = x.mean(0), x.std(0)
    out = {}
    for kind in ("background z-score", "frame difference"):
        ss, ls, per = [], [], {}
        for name, frames in videos.items():
            f = frames.astype(np.float64)
            if kind == "background z-score":
                s = (((f - mu) / (sd + 1)) ** 2).mean((1, 2))
            else:
                s = np.concatenate([[0.0], np.abs(np.diff(f, axis=0)).mean((1, 2))])
                s[0] = s[1]
            keep = slice(T // 2, len(frames) - T // 2 + 1)
            s, lab = minmax(s[keep]), gt[name][keep]
            ss.append(s)
            ls.append(lab)
            if lab.min() != lab.max():
                per[name] = roc_auc_score(lab, s)
        out[kind] = {"micro_auc": roc_auc_score(np.concatenate(ls), np.concatenate(ss)),
                     "macro_auc": float(np.mean(list(per.values()))), "video_auc": per}
    return out


def run_memae(a, d, recipe):
    m = os.path.join(d, f"m_{recipe}.safetensors")
    common = ["--cache", os.path.join(d, "cache"), "--threads", str(a.threads)]
    t0 = time.time()
    subprocess.run([a.memae, "train", "--preset", "video3d", "--data", os.path.join(d, "train"),
                    "--input-shape", f"1x16x{a.size}x{a.size}",
                    "--recipe", recipe, "--epochs", str(a.epochs), "--clip-stride",
                    str(a.clip_stride), "--batch", "4", "--seed", str(a.seed), "-o", m] + common,
                   check=True, stdout=subprocess.DEVNULL)
    secs = time.time() - t0
    e = json.loads(subprocess.run([a.memae, "eval", "-m", m, "--data", os.path.join(d, "test"),
                                   "--labels", os.path.join(d, "gt", "intervals.txt"), "--json",
                                   "--batch", "4"] + common,
                                  check=True, capture_output=True, text=True).stdout)
    per = {k: v for k, v in e["video_auc"].items() if v is not None}
    return {"micro_auc": e["micro_auc"], "macro_auc": e["macro_auc"], "video_auc": per,
            "train_seconds": secs}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--dir", default="/tmp/memae_video_real")
    p.add_argument("--memae", default="build/memae")
    p.add_argument("--recipes", default="paper,restore")
    p.add_argument("--epochs", type=int, default=6)
    p.add_argument("--clip-stride", type=int, default=8)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--size", type=int, default=128)
    a = p.parse_args()
    if not os.path.exists(SRC):
        sys.exit(f"video_real.py: {SRC} is missing (apt-get install opencv-doc)")
    train, videos, gt = make_set(a.dir, a.size)
    rows = baseline_aucs(train, videos, gt)
    for r in a.recipes.split(","):
        rows[f"memae --recipe {r}"] = run_memae(a, a.dir, r)
    names = [n for n in videos if n != "normal"]
    print(f"| detector | micro AUC | macro AUC | {' | '.join(names)} | training |")
    print("|---" * (4 + len(names)) + "|")
    for k, v in rows.items():
        t = f"{v['train_seconds']:.0f} s" if "train_seconds" in v else ""
        per = " | ".join(f"{v['video_auc'].get(n, float('nan')):.3f}" for n in names)
        print(f"| {k} | {v['micro_auc']:.3f} | {v['macro_auc']:.3f} | {per} | {t} |")
    print(json.dumps(rows), file=sys.stderr)


if __name__ == "__main__":
    main()
