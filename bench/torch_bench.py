#!/usr/bin/python3
"""The PyTorch side of `make bench`: the same model as `memae bench`, timed the same way.

The model is built from memae's resolved configuration (`memae info --json`),
with the module structure of tests/golden/gen_golden.py (the official
nn.Sequential layout), so both sides run exactly the same layers.  One warm-up
step, then --steps training steps (forward, MSE + 0.0002 * entropy, backward,
Adam) and --steps scoring passes (eval mode, no grad), on random inputs.

    /usr/bin/python3 bench/torch_bench.py --info info.json --batch 64 --steps 20 --threads 2
"""
import argparse
import json
import os
import resource
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "golden"))
from gen_golden import MemAE, entropy  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--info", required=True, help="file with the output of memae info --json")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    cfg = json.load(open(a.info))["config"]
    model = MemAE(cfg)
    x = torch.rand(a.batch, *cfg["input_shape"])
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def train_step():
        rec, att = model(x)
        loss = F.mse_loss(rec, x)
        if att is not None:
            loss = loss + cfg["entropy_weight"] * entropy(att)
        opt.zero_grad()
        loss.backward()
        opt.step()

    model.train()
    train_step()
    t0 = time.perf_counter()
    for _ in range(a.steps):
        train_step()
    train = (time.perf_counter() - t0) / a.steps
    model.eval()
    with torch.no_grad():
        model(x)
        t0 = time.perf_counter()
        for _ in range(a.steps):
            rec, _ = model(x)
            ((rec - x) ** 2).flatten(1).mean(1)
        score = (time.perf_counter() - t0) / a.steps
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps({"backend": "pytorch", "batch": a.batch, "threads": a.threads,
                      "train_samples_per_s": a.batch / train,
                      "score_samples_per_s": a.batch / score, "peak_rss_mib": peak}))


if __name__ == "__main__":
    main()
