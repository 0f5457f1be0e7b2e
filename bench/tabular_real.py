#!/usr/bin/python3
"""memae beside scikit-learn's classical detectors on a real table that installs offline.

Data: the Wisconsin Diagnostic Breast Cancer records (WDBC, 569 x 30) that
Debian's python3-sklearn ships (sklearn.datasets.load_breast_cancer, read from
/usr/lib/python3/dist-packages/sklearn/datasets/data/breast_cancer.csv).  As
ODDS does for its `wbc` set, malignant records are the anomalies and are
downsampled: all 357 benign records plus 21 malignant ones drawn with
--data-seed, 378 records with 5.6% anomalies (ODDS wbc: 378, 21).

Protocol (ADBench's): for each seed, a stratified 60/40 train/test split;
every detector fits on the same training records and scores the same test
records.  Two settings:
  unsupervised   fit on every training record (anomalies included, labels unused)
  normal-only    fit on the benign training records (memae's default with labels)
Threshold: PyOD's rule with contamination C = the anomaly share (5.6%), i.e. a
test score above the (1 - C) quantile of the training scores is an anomaly
(memae stores it at training; IsolationForest(contamination=C).predict does
the same; OC-SVM and PCA are thresholded the same way on their training
scores).  Reported: ROC-AUC, PR-AUC (average precision), F1 at that
threshold, mean and standard deviation over the seeds, and each detector's
wall time summed over the seeds.

Detectors (bench/classical.py's, higher score = more anomalous):
  memae R          memae train --recipe R (+ --memae-args) then memae eval, one row per
                   recipe of --recipes; the paper's recipe trains --paper-epochs (200),
                   the others their own default epochs unless --epochs is given
  IsolationForest  IsolationForest(contamination=C, random_state=seed), raw features
  OC-SVM           OneClassSVM(kernel='rbf', gamma='scale', nu=0.1) on z-scored
                   features (mean / std of its training records, as memae's
                   default --scale zscore); score -decision_function
  PCA              reconstruction error with the components explaining 90% of
                   the variance, on the same z-scored features

Then the paper's KDD protocol on the whole 378-record file (memae eval
--protocol kdd, which gets --memae-args too) and the same protocol for the
classical detectors (their own random halves, same seeds as numbers only).

usage: /usr/bin/python3 bench/tabular_real.py [--seeds 5] [--recipes default,paper]
           [--epochs E] [--paper-epochs 200] [--memae build/memae] [--memae-args "..."]
"""
import argparse
import csv
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time

import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import IsolationForest
from sklearn.metrics import average_precision_score, f1_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from classical import make_detector  # noqa: E402

CLASSICAL = (("IsolationForest", "iforest"), ("OC-SVM", "ocsvm"), ("PCA", "pca"))


def wbc_like(seed):
    d = load_breast_cancer()
    X, benign = d.data, d.target == 1
    rng = np.random.default_rng(seed)
    mal = rng.choice(np.flatnonzero(~benign), 21, replace=False)
    keep = np.concatenate([np.flatnonzero(benign), mal])
    rng.shuffle(keep)
    return X[keep], (~benign[keep]).astype(int), list(d.feature_names)


def write_csv(path, X, y, names):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(names + ["diagnosis"])
        for row, lab in zip(X, y):
            w.writerow([repr(float(v)) for v in row] + ["malignant" if lab else "benign"])


def memae(args, *cmd):
    out = subprocess.run([args.memae, *cmd, "--threads", str(args.threads)], check=True,
                         capture_output=True, text=True)
    return out.stdout


def recipes(args):
    """The memae rows: (name, flags for train and the KDD protocol)."""
    out = []
    for r in args.recipes.split(","):
        if r == "paper":
            out.append(("memae paper (%d epochs)" % args.paper_epochs,
                        ["--recipe", "paper", "--epochs", str(args.paper_epochs)]))
        else:
            ep = ["--epochs", str(args.epochs)] if args.epochs else []
            out.append(("memae %s%s" % (r, " (%d epochs)" % args.epochs if args.epochs else ""),
                        ["--recipe", r] + ep))
    return out


def run_memae(args, tmp, Xtr, ytr, Xte, yte, names, normal_only, c, seed, rflags):
    tr, te, m = (os.path.join(tmp, n) for n in ("train.csv", "test.csv", "m.safetensors"))
    write_csv(tr, Xtr, ytr, names)
    write_csv(te, Xte, yte, names)
    flags = ["--label-column", "diagnosis", "--normal-label", "benign"]
    memae(args, "train", "--data", tr, *flags, "-o", m, *rflags,
          "--contamination", str(c), "--seed", str(seed),
          *([] if normal_only else ["--keep-anomalies"]), *shlex.split(args.memae_args))
    r = json.loads(memae(args, "eval", "-m", m, "--data", te, "--json"))
    return r["roc_auc"], r["pr_auc"], r["f1"]


def run_iforest(Xtr, ytr, Xte, yte, normal_only, c, seed):
    fit = Xtr[ytr == 0] if normal_only else Xtr
    f = IsolationForest(contamination=c, random_state=seed).fit(fit)
    s = -f.score_samples(Xte)
    pred = (f.predict(Xte) == -1).astype(int)
    return roc_auc_score(yte, s), average_precision_score(yte, s), f1_score(yte, pred)


def fit_score(det, Xfit, Xte):
    """Fit a bench/classical.py detector; its scores of Xte and of Xfit.  OC-SVM and PCA see
    z-scored features (the statistics of Xfit), IsolationForest the raw ones."""
    if det != "iforest":
        sc = StandardScaler().fit(Xfit)
        Xfit, Xte = sc.transform(Xfit), sc.transform(Xte)
    d = make_detector(det, 0).fit(Xfit)
    return d.score(Xte), d.score(Xfit)


def run_classical(det, Xtr, ytr, Xte, yte, normal_only, c, seed):
    if det == "iforest":
        return run_iforest(Xtr, ytr, Xte, yte, normal_only, c, seed)
    fit = Xtr[ytr == 0] if normal_only else Xtr
    s, s_fit = fit_score(det, fit, Xte)
    pred = (s > np.quantile(s_fit, 1 - c)).astype(int)
    return roc_auc_score(yte, s), average_precision_score(yte, s), f1_score(yte, pred)


def classical_kdd(det, X, y, runs, seed0, share=0.2):
    out = []
    for r in range(runs):
        rng = np.random.default_rng(seed0 + r)
        normal = rng.permutation(np.flatnonzero(y == 0))
        half = len(normal) // 2
        test = np.concatenate([normal[half:], np.flatnonzero(y == 1)])
        if det == "iforest":
            f = IsolationForest(random_state=seed0 + r).fit(X[normal[:half]])
            s = -f.score_samples(X[test])
        else:
            s = fit_score(det, X[normal[:half]], X[test])[0]
        pred = (s > np.quantile(s, 1 - share)).astype(int)
        yt = y[test]
        tp = int((pred & yt).sum())
        p, rc = tp / max(pred.sum(), 1), tp / max(yt.sum(), 1)
        out.append((p, rc, 2 * p * rc / max(p + rc, 1e-12), roc_auc_score(yt, s)))
    return np.array(out)


def fmt(v):
    v = np.array(v)
    return "%.3f ± %.3f" % (v.mean(), v.std())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--recipes", default="default,paper",
                    help="memae recipes to run, one row each (default: default,paper)")
    ap.add_argument("--epochs", type=int, default=0,
                    help="memae epochs for the recipes other than paper (default: the recipe's)")
    ap.add_argument("--paper-epochs", type=int, default=200,
                    help="epochs of the paper recipe's row (default 200)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--data-seed", type=int, default=0)
    ap.add_argument("--memae", default="build/memae")
    ap.add_argument("--memae-args", default="",
                    help='extra flags for memae train and eval --protocol kdd, e.g. '
                         '"--recipe paper" (a single flag: --memae-args=--flag)')
    ap.add_argument("--json", metavar="FILE", help="also write every number to FILE")
    args = ap.parse_args()
    out = {"data": "wbc-like WDBC", "seeds": args.seeds, "epochs": args.epochs,
           "memae_args": args.memae_args, "splits": {}, "kdd": {}}
    X, y, names = wbc_like(args.data_seed)
    c = float(y.mean())
    print("data: WDBC from python3-sklearn, %d records, %d anomalies (%.1f%%), %d features"
          % (len(y), y.sum(), 100 * c, X.shape[1]))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for normal_only in (False, True):
            rows_m = recipes(args)
            res = {n: [] for n in [n for n, _ in rows_m] + [n for n, _ in CLASSICAL]}
            secs = dict.fromkeys(res, 0.0)
            for seed in range(args.seeds):
                Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.4, stratify=y,
                                                      random_state=seed)
                for name, rflags in rows_m:
                    t0 = time.perf_counter()
                    res[name].append(run_memae(args, tmp, Xtr, ytr, Xte, yte, names,
                                               normal_only, c, seed + 1, rflags))
                    secs[name] += time.perf_counter() - t0
                for name, det in CLASSICAL:
                    t0 = time.perf_counter()
                    res[name].append(run_classical(det, Xtr, ytr, Xte, yte, normal_only, c,
                                                   seed))
                    secs[name] += time.perf_counter() - t0
            setting = "normal-only" if normal_only else "unsupervised"
            out["splits"][setting] = {
                name: {"roc_auc": [float(a[0]) for a in v], "pr_auc": [float(a[1]) for a in v],
                       "f1": [float(a[2]) for a in v], "seconds": secs[name]}
                for name, v in res.items()}
            for name, v in res.items():
                v = np.array(v)
                rows.append((("normal-only" if normal_only else "unsupervised"), name,
                             fmt(v[:, 0]), fmt(v[:, 1]), fmt(v[:, 2]), secs[name]))
        print("\n%d seeds, 60/40 stratified splits, threshold: contamination %.3f%s\n"
              % (args.seeds, c, ("; memae flags: " + args.memae_args) if args.memae_args
                 else ""))
        print("| setting | detector | ROC-AUC | PR-AUC | F1 | wall time |")
        print("|---|---|---|---|---|---|")
        for r in rows:
            print("| %s | %s | %s | %s | %s | %.2f s |" % r)
        whole = os.path.join(tmp, "wbc.csv")
        write_csv(whole, X, y, names)
        kdd = []
        for name, rflags in recipes(args):
            t0 = time.perf_counter()
            k = json.loads(memae(args, "eval", "--protocol", "kdd", "--data", whole,
                                 "--label-column", "diagnosis", "--normal-label", "benign",
                                 "--runs", str(args.seeds), *rflags, "--json",
                                 *shlex.split(args.memae_args)))
            kdd.append((name, k, time.perf_counter() - t0))
    print("\nKDD protocol (train on a random half of the benign records, test on the rest and "
          "every malignant one, top 20%% flagged), %d runs:\n" % args.seeds)
    print("| detector | precision | recall | F1 | ROC-AUC | wall time |")
    print("|---|---|---|---|---|---|")
    for name, k, tk in kdd:
        print("| %s | %.3f ± %.3f | %.3f ± %.3f | %.3f ± %.3f | %.3f ± %.3f | %.2f s |"
              % (name, k["precision"], k["precision_std"], k["recall"], k["recall_std"], k["f1"],
                 k["f1_std"], k["roc_auc"], k["roc_auc_std"], tk))
        out["kdd"][name] = dict(k, seconds=tk)
    for name, det in CLASSICAL:
        t0 = time.perf_counter()
        f = classical_kdd(det, X, y, args.seeds, 1)
        out["kdd"][name] = {m: f[:, i].tolist() for i, m in
                            enumerate(("precision", "recall", "f1", "roc_auc"))}
        out["kdd"][name]["seconds"] = time.perf_counter() - t0
        print("| %s | %s | %s | %s | %s | %.2f s |"
              % (name, fmt(f[:, 0]), fmt(f[:, 1]), fmt(f[:, 2]), fmt(f[:, 3]),
                 time.perf_counter() - t0))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    sys.exit(main())
