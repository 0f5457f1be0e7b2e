#!/usr/bin/python3
"""Writes tests/fixtures/gt/: the same frame labels of three videos in every
ground-truth form mae_gt_load reads (src/io/gt.h), plus a few bad files.

Run with /usr/bin/python3 (needs numpy and scipy) from the repository root:
    /usr/bin/python3 tests/golden/gen_gt.py [folder]

The videos (tests/test_gt.c holds the same truth):
    Test001  20 frames, anomalous 5-9 and 15-16 (1-based, inclusive)
    Test002  15 frames, anomalous 1-3 and 12-15
    Test003  12 frames, all normal
Avenue-style files name the same videos 01, 02, 03 ("1_label.mat", ...).
"""
import os
import sys

import numpy as np
import scipy.io as sio

VIDEOS = [("Test001", 20, [(5, 9), (15, 16)]),
          ("Test002", 15, [(1, 3), (12, 15)]),
          ("Test003", 12, [])]


def labels(frames, intervals):
    y = np.zeros(frames, np.uint8)
    for a, b in intervals:
        y[a - 1:b] = 1
    return y


def cell(items):
    c = np.empty((1, len(items)), dtype=object)
    for i, x in enumerate(items):
        c[0, i] = x
    return c


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures/gt"
    for d in ("txt", "npy", "pixel_npy", "memae_mat", "avenue", "bad"):
        os.makedirs(os.path.join(out, d), exist_ok=True)
    ys = [labels(n, iv) for _, n, iv in VIDEOS]
    seps = ["\n", " ", ", "]
    dtypes = [np.uint8, np.float32, np.bool_]
    rng = np.random.default_rng(7)
    for k, ((name, n, iv), y) in enumerate(zip(VIDEOS, ys)):
        write(os.path.join(out, "txt", name + ".txt"), seps[k].join(map(str, y)) + "\n")
        np.save(os.path.join(out, "npy", name + ".npy"), y.astype(dtypes[k]))
        # MemAE's Test_gt: 'l', a 1 x F double row (matlab_script/trans_img2label.m)
        sio.savemat(os.path.join(out, "memae_mat", name + ".mat"), {"l": y[None, :].astype(float)})
        # Avenue's testing_label_mask/<n>_label.mat: 'volLabel', 1 x F cell of H x W masks
        masks = []
        for t in range(n):
            m = np.zeros((4, 5), np.uint8)
            if y[t]:
                m[rng.integers(4), rng.integers(5)] = 1
            masks.append(m)
        sio.savemat(os.path.join(out, "avenue", "%d_label.mat" % (k + 1)), {"volLabel": cell(masks)})
        # ShanghaiTech's test_pixel_mask/<name>.npy: F x H x W masks
        np.save(os.path.join(out, "pixel_npy", name + ".npy"), np.stack(masks))
    all_y = np.concatenate(ys)
    np.save(os.path.join(out, "all.npy"), all_y.astype(np.int64))
    sio.savemat(os.path.join(out, "all_cells.mat"), {"gt": cell([y[None, :].astype(float) for y in ys])})
    write(os.path.join(out, "all.txt"), "\n".join(map(str, all_y)) + "\n")
    write(os.path.join(out, "intervals.txt"),
          "# one line per video, in order\n5 9 15 16\n[1, 3] [12, 15]\n[]\n")
    write(os.path.join(out, "intervals_named.txt"),
          "Test3:\nTest002: 1-3, 12-15\n\nTest001: 5-9, 15:16   # two events\n")
    write(os.path.join(out, "UCSDped2.m"),
          "TestVideoFile = {};\n"
          "TestVideoFile{end+1}.gt_frame = [5:9, 15:16];\n"
          "TestVideoFile{end+1}.gt_frame = [1:3, 12:15];\n"
          "TestVideoFile{end+1}.gt_frame = [];\n")
    # bad: Test001 with 19 labels, and with a 0.5
    sio.savemat(os.path.join(out, "bad", "short.mat"), {"l": ys[0][None, :-1].astype(float)})
    half = ys[0].astype(float)
    half[3] = 0.5
    sio.savemat(os.path.join(out, "bad", "half.mat"), {"l": half[None, :]})
    sio.savemat(os.path.join(out, "bad", "noname.mat"), {"name": np.array(["abc"])})


if __name__ == "__main__":
    main()
