#!/usr/bin/python3
"""memae's one-class Fashion-MNIST protocol for scikit-learn's classical detectors.

The protocol of `memae oneclass` (cli/cmd_oneclass.c): for each class k, fit
on the 6000 training images of class k (pixels / 255, flattened to 784
values), score the 10000 test images (class k normal = 0, every other class
anomalous = 1) and report the ROC-AUC per class and the mean over the
classes.  The IDX files are read here with gzip + numpy.

Detectors (higher score = more anomalous):
  iforest  IsolationForest(random_state=seed), default settings
           (100 trees, 256 samples per tree); score -score_samples
  ocsvm    OneClassSVM(kernel='rbf', gamma='scale', nu=0.1); score
           -decision_function.  gamma='scale' = 1 / (784 * X.var()) of the
           class's training pixels (--ocsvm-gamma auto: 1 / 784)
  pca      PCA with as many components as explain 90% of the training
           variance (--pca-var); score: squared reconstruction error
  lof      LocalOutlierFactor(n_neighbors=20, novelty=True, algorithm="brute"); score
           -score_samples (optional, --detectors iforest,ocsvm,pca,lof)
Only IsolationForest is randomised: it runs once per --seeds value and its
mean AUC is reported as mean ± std over the seeds; the others are
deterministic and run once.

With --memae BIN, memae runs in the same run on the same classes, once per
seed: `BIN oneclass --json --classes C --seed S --threads T [--memae-args]`;
its JSON (per-class "auc" and "mean_auc" under "memae", and under "ae" with
--baseline ae) becomes rows of the same table.

usage: /usr/bin/python3 bench/classical.py [--classes 0-9] [--seeds 1,2,3]
           [--detectors iforest,ocsvm,pca] [--memae build/memae --memae-args "--epochs 5"]
           [--json FILE]
"""
import argparse
import gzip
import json
import os
import shlex
import subprocess
import sys
import time

import numpy as np
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score
from sklearn.neighbors import LocalOutlierFactor
from sklearn.svm import OneClassSVM

NCLASS = 10
RANDOMISED = {"iforest"}
LABELS = {
    "iforest": "IsolationForest (default settings)",
    "ocsvm": "OC-SVM (RBF, gamma=%s, nu=%g)",
    "pca": "PCA reconstruction error (%g%% variance)",
    "lof": "LOF (novelty, 20 neighbours)",
}


# ---- detectors shared with bench/tabular_real.py -------------------------------------------

class PCARecon:
    """PCA keeping the components that explain `var` of the variance; the score is the squared
    reconstruction error."""

    def __init__(self, var=0.9):
        self.var = var

    def fit(self, X):
        # the principal axes from the eigenvectors of the covariance matrix (what
        # sklearn.decomposition.PCA(n_components=var) keeps, computed in float64 on the
        # d x d covariance, which is quicker than an SVD of the n x d data for n >> d)
        X = np.asarray(X, dtype=np.float64)
        self.mean = X.mean(axis=0)
        Xc = X - self.mean
        w, v = np.linalg.eigh(Xc.T @ Xc / max(len(X) - 1, 1))
        w, v = np.clip(w[::-1], 0, None), v[:, ::-1]
        ratio = np.cumsum(w) / w.sum()
        self.k = int(np.searchsorted(ratio, self.var) + 1)
        self.components = v[:, :self.k]
        return self

    def score(self, X):
        Xc = np.asarray(X, dtype=np.float64) - self.mean
        r = (Xc @ self.components) @ self.components.T
        return ((Xc - r) ** 2).sum(axis=1)


def make_detector(name, seed, ocsvm_gamma="scale", nu=0.1, pca_var=0.9, contamination="auto"):
    """An object with fit(X) and score(X) (higher = more anomalous)."""
    if name == "iforest":
        d = IsolationForest(random_state=seed, contamination=contamination)
        return _Wrap(d, lambda m, X: -m.score_samples(X))
    if name == "ocsvm":
        d = OneClassSVM(kernel="rbf", gamma=ocsvm_gamma, nu=nu, cache_size=1000)
        return _Wrap(d, lambda m, X: -m.decision_function(X))
    if name == "pca":
        return PCARecon(pca_var)
    if name == "lof":
        d = LocalOutlierFactor(n_neighbors=20, novelty=True, algorithm="brute")
        return _Wrap(d, lambda m, X: -m.score_samples(X))
    raise ValueError("unknown detector %r" % name)


class _Wrap:
    def __init__(self, model, scorer):
        self.model, self.scorer = model, scorer

    def fit(self, X):
        self.model.fit(X)
        return self

    def score(self, X):
        return self.scorer(self.model, X)


# ---- data -------------------------------------------------------------------------------------

def read_idx(path):
    """An IDX file (gzipped or not) as a numpy array of its stored shape."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if data[0] != 0 or data[1] != 0:
        raise ValueError("%s: not an IDX file" % path)
    dtypes = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
    dt, ndim = np.dtype(dtypes[data[2]]), data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim))
    a = np.frombuffer(data, dtype=dt, offset=4 + 4 * ndim, count=int(np.prod(shape)))
    return a.reshape(shape)


def find(d, name):
    p = os.path.join(d, name)
    return p + ".gz" if os.path.exists(p + ".gz") else p


def load(d, prefix):
    x = read_idx(find(d, prefix + "-images-idx3-ubyte"))
    y = read_idx(find(d, prefix + "-labels-idx1-ubyte")).astype(np.int64)
    if len(x) != len(y):
        raise ValueError("%s: %d images, %d labels" % (prefix, len(x), len(y)))
    return (x.reshape(len(x), -1).astype(np.float32) / 255.0), y


def parse_classes(s):
    out = set()
    for part in s.split(","):
        if "-" in part:
            a, b = part.split("-")
            out.update(range(int(a), int(b) + 1))
        else:
            out.add(int(part))
    if not out or min(out) < 0 or max(out) >= NCLASS:
        raise argparse.ArgumentTypeError("classes must be within 0-9")
    return sorted(out)


# ---- runs ---------------------------------------------------------------------------------------

def run_detector(args, name, seed, classes, train, test):
    (xtr, ytr), (xte, yte) = train, test
    aucs, secs = {}, {}
    for k in classes:
        t0 = time.perf_counter()
        det = make_detector(name, seed, args.ocsvm_gamma, args.nu, args.pca_var)
        det.fit(xtr[ytr == k])
        s = det.score(xte)
        secs[k] = time.perf_counter() - t0
        aucs[k] = float(roc_auc_score((yte != k).astype(int), s))
        print("  %-8s seed %-3s class %d  AUC %.4f  %6.1f s" % (
            name, seed if name in RANDOMISED else "-", k, aucs[k], secs[k]),
              file=sys.stderr, flush=True)
    return aucs, secs


def run_memae(args, seed, classes):
    cmd = [args.memae, "oneclass", "--json", "--classes", ",".join(map(str, classes)),
           "--seed", str(seed), "--threads", str(args.threads), "--data-dir", args.data_dir,
           *shlex.split(args.memae_args)]
    print("  " + " ".join(shlex.quote(c) for c in cmd), file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode:
        sys.exit("%s failed (exit %d):\n%s" % (" ".join(cmd), p.returncode, p.stderr))
    out = p.stdout
    wall = time.perf_counter() - t0
    j = json.loads(out)
    rows = {}
    for key in ("memae", "ae"):
        if key in j:
            rows[key] = {int(k): float(v) for k, v in j[key]["auc"].items()}
    print("  memae    seed %-3s mean AUC %s  %6.1f s" % (
        seed, ", ".join("%s %.4f" % (k, j[k]["mean_auc"]) for k in rows), wall),
        file=sys.stderr, flush=True)
    return rows, wall, j


def summarise(per_seed, classes):
    """per_seed: {seed: {class: auc}} -> per-class mean, mean-AUC mean and std over seeds."""
    seeds = sorted(per_seed)
    per_class = {k: float(np.mean([per_seed[s][k] for s in seeds])) for k in classes}
    means = [float(np.mean([per_seed[s][k] for k in classes])) for s in seeds]
    return per_class, float(np.mean(means)), float(np.std(means)), means


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n", 2)[2])
    ap.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--classes", type=parse_classes, default=list(range(NCLASS)),
                    help="e.g. 0-9 (default), 0,3,5 or 2-4")
    ap.add_argument("--seeds", default="1",
                    help="comma-separated seeds for the randomised detectors and memae "
                         "(default 1)")
    ap.add_argument("--detectors", default="iforest,ocsvm,pca",
                    help="comma-separated from iforest, ocsvm, pca, lof (default "
                         "iforest,ocsvm,pca)")
    ap.add_argument("--ocsvm-gamma", default="scale", help="scale (default) or auto")
    ap.add_argument("--nu", type=float, default=0.1, help="OC-SVM nu (default 0.1)")
    ap.add_argument("--pca-var", type=float, default=0.9,
                    help="share of the variance the PCA keeps (default 0.9)")
    ap.add_argument("--memae", metavar="BIN", help="also run BIN oneclass in the same run")
    ap.add_argument("--memae-args", default="",
                    help='extra arguments for memae oneclass, e.g. "--epochs 5 --recipe paper" '
                         '(a single flag: --memae-args=--flag)')
    ap.add_argument("--threads", type=int, default=2, help="memae's --threads (default 2)")
    ap.add_argument("--json", metavar="FILE", help="write every number to FILE")
    args = ap.parse_args()
    seeds = [int(s) for s in args.seeds.split(",") if s]
    dets = [d for d in args.detectors.split(",") if d]
    for d in dets:
        if d not in LABELS:
            ap.error("unknown detector %r" % d)
    classes = args.classes

    t0 = time.perf_counter()
    train, test = load(args.data_dir, "train"), load(args.data_dir, "t10k")
    print("data: %s, train %s, test %s, loaded in %.1f s" % (
        args.data_dir, train[0].shape, test[0].shape, time.perf_counter() - t0),
        file=sys.stderr)

    results = []  # dicts: name, label, per_seed, seconds
    for name in dets:
        label = LABELS[name]
        if name == "ocsvm":
            label = label % (args.ocsvm_gamma, args.nu)
        elif name == "pca":
            label = label % (100 * args.pca_var)
        run_seeds = seeds if name in RANDOMISED else [None]
        per_seed, secs = {}, {}
        for s in run_seeds:
            a, t = run_detector(args, name, s if s is not None else 0, classes, train, test)
            per_seed[s if s is not None else "-"] = a
            secs[s if s is not None else "-"] = t
        results.append({"name": name, "label": label, "per_seed": per_seed, "seconds": secs})

    memae_raw = []
    if args.memae:
        mrows = {}
        for s in seeds:
            rows, wall, j = run_memae(args, s, classes)
            memae_raw.append({"seed": s, "wall_seconds": wall, "output": j})
            for key, a in rows.items():
                mrows.setdefault(key, ({}, {}))
                mrows[key][0][s] = a
                mrows[key][1][s] = wall
        extra = (" " + args.memae_args) if args.memae_args else ""
        for key, (per_seed, walls) in mrows.items():
            label = "memae oneclass%s%s" % (extra, " (memory off: --baseline ae)" if key == "ae"
                                            else "")
            # one process trains and scores every class: its wall time, not per class
            results.append({"name": "memae" if key == "memae" else "memae-ae", "label": label,
                            "per_seed": per_seed, "seconds": {s: {"all": w}
                                                              for s, w in walls.items()}})

    # ---- table
    print("\nOne-class Fashion-MNIST (fit on the 6000 training images of class k, score the "
          "10000 test images), ROC-AUC; randomised rows: per-class mean over seeds %s, mean "
          "± std of the mean AUC over the seeds\n" % ",".join(map(str, seeds)))
    print("| detector | " + " | ".join(str(k) for k in classes) + " | mean | wall time |")
    print("|---|" + "---|" * len(classes) + "---|---|")
    out = {"protocol": "oneclass", "data_dir": args.data_dir, "classes": classes,
           "seeds": seeds, "detectors": {}, "memae_raw": memae_raw,
           "settings": {"ocsvm_gamma": args.ocsvm_gamma, "nu": args.nu,
                        "pca_var": args.pca_var, "memae_args": args.memae_args}}
    for r in results:
        per_class, mean, std, means = summarise(r["per_seed"], classes)
        nseed = len(r["per_seed"])
        total = sum(sum(t.values()) for t in r["seconds"].values())
        cell = "**%.4f ± %.4f**" % (mean, std) if nseed > 1 else "**%.4f**" % mean
        wall = "%.1f s" % total if nseed == 1 else "%.1f s (%d seeds)" % (total, nseed)
        print("| %s | %s | %s | %s |" % (r["label"], " | ".join("%.4f" % per_class[k]
                                                                for k in classes), cell, wall))
        out["detectors"][r["name"]] = {
            "label": r["label"], "auc": {str(k): v for k, v in per_class.items()},
            "mean_auc": mean, "mean_auc_std": std,
            "per_seed": {str(s): {"auc": {str(k): v for k, v in a.items()},
                                  "mean_auc": float(np.mean(list(a.values())))}
                         for s, a in r["per_seed"].items()},
            "seconds": {str(s): {str(k): v for k, v in t.items()}
                        for s, t in r["seconds"].items()},
            "wall_seconds": total}
    print("\nwall time per detector (fit on one class + score the test set, summed over the "
          "classes; memae: its whole process):")
    for r in results:
        d = out["detectors"][r["name"]]
        per = [sum(t.values()) for t in r["seconds"].values()]
        print("  %-52s %8.1f s%s" % (r["label"], d["wall_seconds"],
                                     "" if len(per) == 1 else "  (per seed: %s)"
                                     % ", ".join("%.1f" % p for p in per)))
    out["total_seconds"] = time.perf_counter() - t0
    print("total %.1f s" % out["total_seconds"])
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    sys.exit(main())
