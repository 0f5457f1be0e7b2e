#!/usr/bin/python3
"""Writes tests/fixtures/convert/: a small MemAE video model saved by PyTorch
the way the official code saves it, and PyTorch's scores of a few clips, for
tests/cli_convert.sh (scripts/convert_pytorch.py must reproduce them).

Run with /usr/bin/python3 (needs torch and numpy) from the repository root:
    /usr/bin/python3 tests/golden/gen_convert.py [folder]

The network is gen_golden.py's replica of the official AutoEncoderCov3DMem
(same module names, so the same state_dict keys) at narrow widths: the
video3d_t16 configuration (1x16x16x16 clips, widths 4-6-8-8, 20 memory
slots, shrink_thres 0.02), with gen_golden.py's non-trivial fixture weights
and batch-norm running statistics.  Files:
    memae_t16.pth         torch.save(model.state_dict(), path) (zip format)
    memae_t16_legacy.pth  the same, _use_new_zipfile_serialization=False (the
                          format of PyTorch < 1.6, when the official code and
                          its released models were made)
    clips.npy             float32 (3, 1, 16, 16, 16) in [-1, 1]
    scores.npy            float32 (2, 3): per clip, in eval mode, the mean
                          squared (row 0) and mean absolute (row 1, the
                          official test script's score for grey clips)
                          reconstruction error
    bad/*.pth             a tiny model of the same layout (widths 2, 3
                          slots) spoiled one way each: missing_tensor (no
                          decoder.4.running_var), wrong_shape (memory 3x5
                          for a code of 2 channels), extra_tensor, and
                          whole_model (torch.save(model): pickled classes)
"""
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_golden as g  # noqa: E402

SEED = 20261129


def tiny_model():
    cfg = json.loads(json.dumps(g.MODEL_CONFIGS["video3d_t16"]))
    for layer in cfg["encoder"] + cfg["decoder"][:-1]:
        layer["out"] = 2
    cfg["memory"]["slots"] = 3
    return g.MemAE(cfg)


def write_bad(out):
    os.makedirs(os.path.join(out, "bad"), exist_ok=True)
    model = tiny_model()

    def save(name, sd, legacy=True):
        torch.save(sd, os.path.join(out, "bad", name), _use_new_zipfile_serialization=not legacy)

    sd = model.state_dict()
    del sd["decoder.4.running_var"]
    save("missing_tensor.pth", sd)
    sd = model.state_dict()
    sd["mem_rep.memory.weight"] = torch.zeros(3, 5)
    save("wrong_shape.pth", sd)
    sd = model.state_dict()
    sd["extra.weight"] = torch.zeros(2)
    save("extra_tensor.pth", sd)
    save("whole_model.pth", model, legacy=False)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures/convert"
    os.makedirs(out, exist_ok=True)
    cfg = g.MODEL_CONFIGS["video3d_t16"]
    torch.manual_seed(SEED)
    model = g.MemAE(cfg)
    g.init_fixture_weights(model, 0.2, 8.0)
    model.eval()
    x = torch.rand(3, *cfg["input_shape"]) * 2 - 1
    stats = []
    model.mem_rep.stats = stats
    with torch.no_grad():
        y, _ = model(x)
    model.mem_rep.stats = None
    # A weight within float32 noise of the threshold could shrink in one
    # implementation and not the other: refuse such a draw.
    margin = g.shrink_margin(stats)
    assert margin > g.MIN_SHRINK_MARGIN, margin
    r = (y - x).reshape(3, -1)
    scores = torch.stack([(r ** 2).mean(dim=1), r.abs().mean(dim=1)])
    torch.save(model.state_dict(), os.path.join(out, "memae_t16.pth"))
    torch.save(model.state_dict(), os.path.join(out, "memae_t16_legacy.pth"),
               _use_new_zipfile_serialization=False)
    np.save(os.path.join(out, "clips.npy"), x.numpy().astype(np.float32))
    np.save(os.path.join(out, "scores.npy"), scores.numpy().astype(np.float32))
    write_bad(out)
    print("shrink margin %.4g, scores\n%s" % (margin, scores.numpy()))


if __name__ == "__main__":
    main()
