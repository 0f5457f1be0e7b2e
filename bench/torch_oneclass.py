#!/usr/bin/python3
"""PyTorch reference for `memae oneclass`: one-class Fashion-MNIST with MemAE.

Mirrors memae's `image2d` preset and one-class protocol (docs/model.md,
docs/presets.md, docs/protocols.md) so that the two mean AUCs can be put side by side:

  * model: encoder Conv2d(1,16,k1,s2) / Conv2d(16,32,k3,s2) / Conv2d(32,64,k3,s2),
    each + BatchNorm + LeakyReLU(0.2); memory of N=100 slots over ONE flat
    query per image (the 64x2x2 code, C=256), dot-product addressing, softmax,
    hard shrinkage lambda=1/N then L1 re-normalisation (as the official
    donggong1/memae-anomaly-detection code); decoder ConvTranspose2d
    64->64->32->1 (k3, s2, output_padding 1; the last linear, padding 1);
    the official weights_init; module names `encoder`, `mem_rep.memory.weight`,
    `decoder` as in the official code.  `--baseline ae` drops the memory.
  * training, per class k: the training images of class k only, shuffled each
    epoch, batch 64, Adam(lr 1e-3, betas (0.9, 0.999), eps 1e-8),
    loss = MSE + 0.0002 * entropy of the addressing weights; a last partial
    batch is kept if it has >= 2 samples (batch norm needs 2).
  * scoring: eval mode (BN running statistics), score = per-image MSE over its
    pixels, class k normal (0) and all other classes anomalous (1), ROC-AUC.

Run with the system interpreter (it has torch, numpy and sklearn):

    /usr/bin/python3 bench/torch_oneclass.py --epochs 5 --threads 2 --json
    /usr/bin/python3 bench/torch_oneclass.py --baseline ae --classes 0,3,5
"""
import argparse
import gzip
import json
import math
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.metrics import roc_auc_score

ENTROPY_WEIGHT = 0.0002


# ---------------------------------------------------------------- data
def read_idx(path):
    """Read a gzipped IDX file (ubyte) into a numpy array."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_split(data_dir, split):
    images = read_idx(os.path.join(data_dir, f"{split}-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(data_dir, f"{split}-labels-idx1-ubyte.gz"))
    x = (images.astype(np.float32) / 255.0)[:, None, :, :]  # (N, 1, 28, 28)
    return torch.from_numpy(x), labels.astype(np.int64)


# ---------------------------------------------------------------- model
def hard_shrink_relu(w, lambd, eps=1e-12):
    return F.relu(w - lambd) * w / (torch.abs(w - lambd) + eps)


class MemoryUnit(nn.Module):
    def __init__(self, mem_dim, fea_dim, shrink_thres):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(mem_dim, fea_dim))  # N x C
        self.shrink_thres = shrink_thres
        stdv = 1.0 / math.sqrt(fea_dim)
        self.weight.data.uniform_(-stdv, stdv)

    def forward(self, q):  # q: (Q, C)
        att = F.softmax(F.linear(q, self.weight), dim=1)  # (Q, N), dot product
        if self.shrink_thres > 0:
            att = hard_shrink_relu(att, self.shrink_thres)
            att = F.normalize(att, p=1, dim=1)
        return att @ self.weight, att


class MemModule(nn.Module):
    """Memory over one flat query per sample: (B, C, H, W) -> B queries of C*H*W."""

    def __init__(self, mem_dim, fea_dim, shrink_thres):
        super().__init__()
        self.memory = MemoryUnit(mem_dim, fea_dim, shrink_thres)

    def forward(self, z):
        out, att = self.memory(z.reshape(z.shape[0], -1))
        return out.reshape(z.shape), att


class AutoEncoder(nn.Module):
    def __init__(self, use_memory=True, mem_dim=100):
        super().__init__()

        def block(layer, ch):
            return [layer, nn.BatchNorm2d(ch), nn.LeakyReLU(0.2, inplace=True)]

        self.encoder = nn.Sequential(
            *block(nn.Conv2d(1, 16, 1, stride=2, padding=0), 16),
            *block(nn.Conv2d(16, 32, 3, stride=2, padding=0), 32),
            *block(nn.Conv2d(32, 64, 3, stride=2, padding=0), 64))
        self.mem_rep = MemModule(mem_dim, 64 * 2 * 2, 1.0 / mem_dim) if use_memory else None
        self.decoder = nn.Sequential(
            *block(nn.ConvTranspose2d(64, 64, 3, stride=2, padding=0, output_padding=1), 64),
            *block(nn.ConvTranspose2d(64, 32, 3, stride=2, padding=0, output_padding=1), 32),
            nn.ConvTranspose2d(32, 1, 3, stride=2, padding=1, output_padding=1))

    def forward(self, x):
        z = self.encoder(x)
        att = None
        if self.mem_rep is not None:
            z, att = self.mem_rep(z)
        return self.decoder(z), att


def weights_init(m):
    """The official weights_init (conv biases keep PyTorch's default)."""
    name = m.__class__.__name__
    if name.find("Conv") != -1:
        m.weight.data.normal_(0.0, 0.02)
    elif name.find("BatchNorm") != -1:
        m.weight.data.normal_(1.0, 0.02)
        m.bias.data.fill_(0)


def entropy_loss(att, eps=1e-12):
    return (-att * torch.log(att + eps)).sum(dim=1).mean()


# ---------------------------------------------------------------- protocol
def seed_all(seed):
    torch.manual_seed(seed)
    np.random.seed(seed)
    random.seed(seed)


def train_class(model, x, args):
    opt = torch.optim.Adam(model.parameters(), lr=args.lr, betas=(0.9, 0.999), eps=1e-8)
    model.train()
    n, seen = x.shape[0], 0
    for _ in range(args.epochs):
        perm = torch.randperm(n)
        for start in range(0, n, args.batch):
            idx = perm[start:start + args.batch]
            if idx.numel() < 2:  # batch norm needs at least 2 samples
                continue
            xb = x[idx]
            rec, att = model(xb)
            loss = F.mse_loss(rec, xb)
            if att is not None:
                loss = loss + ENTROPY_WEIGHT * entropy_loss(att)
            opt.zero_grad()
            loss.backward()
            opt.step()
            seen += idx.numel()
    return seen


@torch.no_grad()
def score(model, x, batch=1000):
    model.eval()
    out = []
    for start in range(0, x.shape[0], batch):
        xb = x[start:start + batch]
        rec, _ = model(xb)
        out.append(((rec - xb) ** 2).flatten(1).mean(dim=1))
    return torch.cat(out).numpy()


def parse_classes(spec):
    classes = []
    for part in spec.split(","):
        if "-" in part:
            lo, hi = part.split("-")
            classes.extend(range(int(lo), int(hi) + 1))
        elif part.strip():
            classes.append(int(part))
    if not classes or any(c < 0 or c > 9 for c in classes):
        raise argparse.ArgumentTypeError(f"bad class list: {spec!r}")
    return classes


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--classes", type=parse_classes, default=list(range(10)))
    p.add_argument("--baseline", choices=["memae", "ae"], default="memae")
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--json", action="store_true")
    args = p.parse_args()

    torch.set_num_threads(args.threads)
    x_train, y_train = load_split(args.data_dir, "train")
    x_test, y_test = load_split(args.data_dir, "t10k")
    log = sys.stderr if args.json else sys.stdout

    aucs, train_s, score_s, n_train, n_score = {}, 0.0, 0.0, 0, 0
    for k in args.classes:
        seed_all(args.seed + k)
        model = AutoEncoder(use_memory=(args.baseline == "memae"))
        model.apply(weights_init)
        x_k = x_train[torch.from_numpy(y_train == k)]

        t0 = time.perf_counter()
        n_train += train_class(model, x_k, args)
        t1 = time.perf_counter()
        scores = score(model, x_test)
        t2 = time.perf_counter()
        n_score += x_test.shape[0]
        train_s += t1 - t0
        score_s += t2 - t1

        aucs[str(k)] = float(roc_auc_score((y_test != k).astype(np.int64), scores))
        print(f"class {k}: auc {aucs[str(k)]:.4f}  (train {t1 - t0:.1f} s, "
              f"score {t2 - t1:.1f} s)", file=log, flush=True)

    mean_auc = float(np.mean(list(aucs.values())))
    if args.json:
        print(json.dumps({
            "method": args.baseline, "epochs": args.epochs, "seed": args.seed,
            "threads": args.threads, "auc": aucs, "mean_auc": mean_auc,
            "train_seconds": train_s, "score_seconds": score_s,
            "train_samples_per_s": n_train / train_s,
            "score_samples_per_s": n_score / score_s}))
    else:
        print(f"mean auc {mean_auc:.4f}  ({args.baseline}, {args.epochs} epochs, "
              f"train {n_train / train_s:.0f} samples/s, score {n_score / score_s:.0f} samples/s)")


if __name__ == "__main__":
    main()
