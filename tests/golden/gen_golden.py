#!/usr/bin/env python3
"""Generate the golden-vector fixtures of the memae C tests with PyTorch.

Run from anywhere (needs the system python that sees torch and numpy):

    /usr/bin/python3 tests/golden/gen_golden.py

It (re)writes, into tests/fixtures/ (relative to this script's location):

  memory_<case>.safetensors   the memory module alone (MemModule of
      donggong1/memae-anomaly-detection, plus the cosine and "flat" options):
      cases dot_lam0, dot_shrink, cos_lam0, cos_shrink, dot_flat_shrink.
      Tensors: input, memory, upstream, output, att (the (Q, N) weights after
      shrinkage, queries in channels-last order), entropy (scalar),
      grad_memory, grad_input: gradients of
      L = sum(output * upstream) + 0.5 * entropy.
      Metadata: shrink_thres, addressing, query, entropy_weight ("0.5"),
      zero_queries (number of all-zero rows of att).

  model_<name>.safetensors    whole MemAE models: image2d, tabular, video3d
      (the configs of the brief) and video3d_t16 (video3d on 16-frame
      clips, [1, 16, 16, 16]: a well-conditioned variant, see below).
      Tensors: every state_dict entry (initial state); test.input,
      test.output_eval (eval forward), test.output_train (first training
      forward), test.att_train (its (Q, N) addressing weights), test.loss,
      test.mse, test.entropy (first step), grad.<param> (first backward),
      test.input2 (input of the second step), test.loss2, and after.<name>
      for every state_dict entry after two Adam steps (lr 0.01, betas
      (0.9, 0.999), eps 1e-8).
      Metadata: memae_config (compact JSON), lr, steps, and the diagnostics
      bn_cancelled_bias, memory_rows_unused_step1, f32_vs_f64_maxabs.

Everything is float32 on the CPU with fixed seeds, so the output is
deterministic.  The safetensors files are written by hand (no safetensors
package needed).  The fixture initialisation is not the official one (see
init_fixture_weights); the memory is initialised wider than
U(-1/sqrt(C), 1/sqrt(C)) so that the addressing is far from uniform.

Notes for the C side (what float32 can and cannot reproduce):
  * "bn_cancelled_bias": conv biases directly followed by batch norm.  In
    training mode their gradient is mathematically zero; PyTorch's float32
    value is round-off, and Adam's first step turns round-off into an update
    of up to +-lr.  Compare their grad.* with an absolute tolerance only;
    their after.* values are not reproducible, and neither exactly is the
    following batch norm's after.running_mean (off by up to 0.1 * 2 * lr).
  * "memory_rows_unused_step1": memory slots that no query addresses after
    shrinkage in the first training step.  With shrinkage followed by L1
    re-normalisation the gradient reaching such a slot is mathematically
    zero (the re-normalised weights do not change when all logits shift
    together), so again Adam turns round-off into an update: compare those
    rows of after.mem_rep.memory.weight loosely (up to 2 * lr) or skip them.
  * "f32_vs_f64_maxabs" (JSON): for every stored result tensor, the largest
    absolute difference between this float32 run and the same computation
    in float64 from the same initial state and inputs (for
    after.mem_rep.memory.weight, over the used rows only): the tolerance
    that a correct float32 implementation can be expected to need.
  * video3d (the brief's config) has a 1x1x1 code, so its last encoder
    batch norm normalises B = 2 values per channel; its gradient is then
    eps-dominated, and the encoder gradients carry float32 relative errors
    of about 1e-3 (see f32_vs_f64_maxabs).  video3d_t16 does not have this
    problem.
"""

import json
import math
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.normpath(os.path.join(HERE, "..", "fixtures"))

SEED = 20190101
ENT_EPS = 1e-12          # entropy: -w * log(w + 1e-12)
SHRINK_EPS = 1e-12       # shrinkage: relu(w - l) * w / (|w - l| + 1e-12)
COS_EPS = 1e-8           # cosine addressing: F.normalize(.., eps=1e-8)
LR = 0.01
MIN_SHRINK_MARGIN = 1e-4  # |w - lambda| must exceed this for every weight


# --------------------------------------------------------------------------
# safetensors writer / reader
# --------------------------------------------------------------------------

_DTYPES = {np.dtype(np.float32): "F32", np.dtype(np.int64): "I64",
           np.dtype(np.float64): "F64", np.dtype(np.int32): "I32"}
_NP = {v: k for k, v in _DTYPES.items()}


def to_numpy(t):
    if isinstance(t, torch.Tensor):
        t = t.detach().cpu().numpy()
    a = np.asarray(t)
    if a.dtype not in _DTYPES:
        raise TypeError("unsupported dtype %s" % a.dtype)
    # (not np.ascontiguousarray: it turns 0-d scalars into shape [1])
    return np.array(a, order="C", copy=True)


def write_safetensors(path, tensors, metadata):
    """tensors: list of (name, array) in file order; metadata: str -> str."""
    header = {}
    blobs = []
    offset = 0
    for name, arr in tensors:
        arr = to_numpy(arr)
        raw = arr.astype(arr.dtype.newbyteorder("<"), copy=False).tobytes()
        header[name] = {"dtype": _DTYPES[arr.dtype], "shape": list(arr.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    for k, v in metadata.items():
        if not isinstance(v, str):
            raise TypeError("metadata value of %s must be a string" % k)
    header["__metadata__"] = dict(metadata)
    hbytes = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hbytes += b" " * ((-len(hbytes)) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(hbytes)))
        f.write(hbytes)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", {})
    body = data[8 + n:]
    out = {}
    for name, info in header.items():
        b, e = info["data_offsets"]
        dt = _NP[info["dtype"]].newbyteorder("<")
        out[name] = np.frombuffer(body[b:e], dtype=dt).reshape(info["shape"])
    return out, meta


# --------------------------------------------------------------------------
# memory module (MemModule of the official code, plus the options)
# --------------------------------------------------------------------------

def to_queries(z, query):
    """(B, C, ...) -> (Q, C'), channels-last ('position') or per sample."""
    if query == "flat":
        return z.reshape(z.shape[0], -1)
    if z.dim() == 2:
        return z
    perm = [0] + list(range(2, z.dim())) + [1]
    return z.permute(*perm).contiguous().view(-1, z.shape[1])


def from_queries(y, shape, query):
    if query == "flat" or len(shape) == 2:
        return y.reshape(shape)
    cl_shape = [shape[0]] + list(shape[2:]) + [shape[1]]
    perm = [0, len(shape) - 1] + list(range(1, len(shape) - 1))
    return y.view(*cl_shape).permute(*perm).contiguous()


def memory_address(q, M, shrink, addressing, stats=None):
    if addressing == "dot":
        a = F.linear(q, M)
    elif addressing == "cosine":
        a = F.linear(F.normalize(q, dim=1, eps=COS_EPS),
                     F.normalize(M, dim=1, eps=COS_EPS))
    else:
        raise ValueError(addressing)
    w = F.softmax(a, dim=1)
    if stats is not None:
        stats.append((w.detach().clone(), shrink))
    if shrink > 0:
        w = (F.relu(w - shrink) * w) / (torch.abs(w - shrink) + SHRINK_EPS)
        w = F.normalize(w, p=1, dim=1)
    return w


def memory_forward(z, M, shrink, addressing, query, stats=None):
    q = to_queries(z, query)
    w = memory_address(q, M, shrink, addressing, stats)
    y = F.linear(w, M.t())          # w @ M, as the official code
    return from_queries(y, z.shape, query), w


def entropy(w):
    return (-w * torch.log(w + ENT_EPS)).sum(dim=1).mean()


def shrink_margin(stats):
    """Smallest |w - lambda| over all pre-shrinkage weights."""
    m = math.inf
    for w, lam in stats:
        if lam > 0:
            m = min(m, float((w.double() - lam).abs().min()))
    return m


# --------------------------------------------------------------------------
# fixture 1: memory module cases
# --------------------------------------------------------------------------

MEMORY_CASES = [
    # name, input shape, N, addressing, query, shrink, zero query index
    ("dot_lam0", (2, 6, 2, 2, 3), 10, "dot", "position", 0.0, None),
    ("dot_shrink", (2, 6, 3, 3), 10, "dot", "position", 0.12, (0, 1, 2)),
    ("cos_lam0", (3, 6, 2, 2), 10, "cosine", "position", 0.0, None),
    ("cos_shrink", (5, 6), 10, "cosine", "position", 0.12, (2,)),
    ("dot_flat_shrink", (3, 4, 2, 2), 10, "dot", "flat", 0.05, None),
]
MEM_ENTROPY_WEIGHT = 0.5


def gen_memory_case(idx, name, shape, n_slots, addressing, query, shrink,
                    zero_at):
    torch.manual_seed(SEED + 100 + idx)
    c = int(np.prod(shape[1:])) if query == "flat" else shape[1]
    bound = 1.0 / math.sqrt(c)
    M0 = torch.empty(n_slots, c).uniform_(-bound, bound)
    # scale 4: logits of std ~2.3 for dot addressing, far from uniform
    x0 = torch.randn(*shape) * 4.0
    if zero_at is not None:
        # one query (one position of sample 0, all channels) set to zero
        if len(shape) == 2:
            x0[zero_at[0]] = 0.0
        else:
            x0[(zero_at[0], slice(None)) + tuple(zero_at[1:])] = 0.0
    up = torch.randn(*shape)

    def run(dtype):
        x = x0.to(dtype).clone().requires_grad_(True)
        M = M0.to(dtype).clone().requires_grad_(True)
        stats = []
        y, w = memory_forward(x, M, shrink, addressing, query, stats)
        ent = entropy(w)
        loss = (y * up.to(dtype)).sum() + MEM_ENTROPY_WEIGHT * ent
        loss.backward()
        return {"output": y.detach(), "att": w.detach(), "entropy": ent.detach(),
                "grad_memory": M.grad, "grad_input": x.grad}, stats

    r, stats = run(torch.float32)
    r64, _ = run(torch.float64)
    margin = shrink_margin(stats)
    if shrink > 0 and margin < MIN_SHRINK_MARGIN:
        raise RuntimeError("memory_%s: a weight is within %g of lambda"
                           % (name, margin))
    zero_rows = int((r["att"].abs().sum(dim=1) == 0).sum())
    if zero_at is not None and zero_rows < 1:
        raise RuntimeError("memory_%s: expected a zero query" % name)
    if zero_at is None and addressing == "dot" and shrink == 0:
        assert zero_rows == 0
    diffs = {k: float((r[k].double() - r64[k]).abs().max()) for k in r}

    tensors = [("input", x0), ("memory", M0), ("upstream", up),
               ("output", r["output"]), ("att", r["att"]),
               ("entropy", r["entropy"]), ("grad_memory", r["grad_memory"]),
               ("grad_input", r["grad_input"])]
    meta = {"shrink_thres": repr(float(shrink)), "addressing": addressing,
            "query": query, "entropy_weight": repr(MEM_ENTROPY_WEIGHT),
            "zero_queries": str(zero_rows)}
    path = os.path.join(OUT_DIR, "memory_%s.safetensors" % name)
    write_safetensors(path, tensors, meta)
    maxw = r["att"].max(dim=1).values
    print("memory_%-16s Q=%-3d C=%-3d zero_queries=%d min|w-l|=%s "
          "median max-weight=%.3f max|f32-f64|=%.2g"
          % (name, r["att"].shape[0], c, zero_rows,
             "%.4f" % margin if shrink > 0 else "-",
             float(maxw.median()), max(diffs.values())))
    return path


# --------------------------------------------------------------------------
# fixture 2: whole models
# --------------------------------------------------------------------------

class MemoryUnit(nn.Module):
    def __init__(self, n_slots, dim, shrink, addressing):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(n_slots, dim))
        self.shrink = shrink
        self.addressing = addressing
        bound = 1.0 / math.sqrt(dim)
        self.weight.data.uniform_(-bound, bound)


class MemModule(nn.Module):
    def __init__(self, n_slots, dim, shrink, addressing, query):
        super().__init__()
        self.memory = MemoryUnit(n_slots, dim, shrink, addressing)
        self.query = query
        self.stats = None

    def forward(self, z):
        return memory_forward(z, self.memory.weight, self.memory.shrink,
                              self.memory.addressing, self.query, self.stats)


def _act(cfg):
    if cfg["activation"] == "leaky_relu":
        return nn.LeakyReLU(0.2)
    if cfg["activation"] == "tanh":
        return nn.Tanh()
    raise ValueError(cfg["activation"])


class MemAE(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        nd = len(cfg["input_shape"]) - 1
        conv = cfg["kind"] == "conv"
        Conv = {2: nn.Conv2d, 3: nn.Conv3d}.get(nd) if conv else None
        ConvT = {2: nn.ConvTranspose2d, 3: nn.ConvTranspose3d}.get(nd) if conv else None
        BN = ({1: nn.BatchNorm1d, 2: nn.BatchNorm2d, 3: nn.BatchNorm3d}[nd]
              if conv else nn.BatchNorm1d)
        bn = cfg["batch_norm"]

        layers = []
        cin = cfg["input_shape"][0]
        enc = cfg["encoder"]
        for i, l in enumerate(enc):
            if conv:
                layers.append(Conv(cin, l["out"], tuple(l["kernel"]),
                                   tuple(l["stride"]), tuple(l["padding"]),
                                   bias=True))
            else:
                layers.append(nn.Linear(cin, l["out"]))
            if i < len(enc) - 1 or cfg["code_activation"]:
                if bn:
                    layers.append(BN(l["out"]))
                layers.append(_act(cfg))
            cin = l["out"]
        self.encoder = nn.Sequential(*layers)

        with torch.no_grad():
            self.encoder.eval()
            code_shape = tuple(self.encoder(
                torch.zeros(1, *cfg["input_shape"])).shape[1:])
        self.code_shape = code_shape

        mem = cfg["memory"]
        if mem["enabled"]:
            dim = (int(np.prod(code_shape)) if mem["query"] == "flat"
                   else code_shape[0])
            self.mem_rep = MemModule(mem["slots"], dim, mem["shrink_thres"],
                                     mem["addressing"], mem["query"])
        else:
            self.mem_rep = None

        layers = []
        dec = cfg["decoder"]
        for j, l in enumerate(dec):
            if conv:
                layers.append(ConvT(cin, l["out"], tuple(l["kernel"]),
                                    tuple(l["stride"]), tuple(l["padding"]),
                                    tuple(l["output_padding"]), bias=True))
            else:
                layers.append(nn.Linear(cin, l["out"]))
            if j < len(dec) - 1:
                if bn:
                    layers.append(BN(l["out"]))
                layers.append(_act(cfg))
            cin = l["out"]
        self.decoder = nn.Sequential(*layers)

    def forward(self, x):
        z = self.encoder(x)
        att = None
        if self.mem_rep is not None:
            z, att = self.mem_rep(z)
        return self.decoder(z), att


def init_fixture_weights(model, weight_std, mem_scale):
    """Non-trivial fixture initialisation (not the official weights_init):
    conv / transposed-conv / linear weights N(0, weight_std), their biases
    U(-0.1, 0.1), batch norm weight N(1, 0.1), bias N(0, 0.1), running_mean
    N(0, 0.1), running_var U(0.5, 1.5), num_batches_tracked 3, memory
    U(-mem_scale/sqrt(C), mem_scale/sqrt(C)).  The scales are chosen so that
    the addressing weights are far from uniform and no weight lies within
    MIN_SHRINK_MARGIN of the shrinkage threshold."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.Conv2d, nn.Conv3d, nn.ConvTranspose2d,
                              nn.ConvTranspose3d, nn.Linear)):
                m.weight.normal_(0.0, weight_std)
                m.bias.uniform_(-0.1, 0.1)
            elif isinstance(m, nn.modules.batchnorm._BatchNorm):
                m.weight.normal_(1.0, 0.1)
                m.bias.normal_(0.0, 0.1)
                m.running_mean.normal_(0.0, 0.1)
                m.running_var.uniform_(0.5, 1.5)
                m.num_batches_tracked.fill_(3)
            elif isinstance(m, MemoryUnit):
                bound = mem_scale / math.sqrt(m.weight.shape[1])
                m.weight.uniform_(-bound, bound)


def bn_cancelled_biases(model):
    """Names of conv/linear biases immediately followed by batch norm."""
    names = []
    for seq_name in ("encoder", "decoder"):
        seq = getattr(model, seq_name)
        mods = list(seq)
        for i in range(len(mods) - 1):
            if (hasattr(mods[i], "bias") and mods[i].bias is not None
                    and isinstance(mods[i + 1], nn.modules.batchnorm._BatchNorm)
                    and not isinstance(mods[i], nn.modules.batchnorm._BatchNorm)):
                names.append("%s.%d.bias" % (seq_name, i))
    return names


def run_model(cfg, state, x1, x2, dtype):
    """Eval forward, then two Adam steps; returns the results and stats."""
    model = MemAE(cfg)
    model.load_state_dict(state)
    model.to(dtype)
    stats = []
    if model.mem_rep is not None:
        model.mem_rep.stats = stats
    x1 = x1.to(dtype)
    x2 = x2.to(dtype)
    ew = cfg["entropy_weight"]
    res = {}

    model.eval()
    with torch.no_grad():
        res["test.output_eval"], _ = model(x1)

    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=LR, betas=(0.9, 0.999),
                           eps=1e-8, weight_decay=0.0, amsgrad=False,
                           foreach=False)
    for step, x in enumerate((x1, x2)):
        opt.zero_grad()
        recon, att = model(x)
        mse = F.mse_loss(recon, x)
        ent = entropy(att) if att is not None else torch.zeros((), dtype=dtype)
        loss = mse + ew * ent
        loss.backward()
        if step == 0:
            res["test.output_train"] = recon.detach().clone()
            if att is not None:
                res["test.att_train"] = att.detach().clone()
            res["test.loss"] = loss.detach().clone()
            res["test.mse"] = mse.detach().clone()
            res["test.entropy"] = ent.detach().clone()
            for n, p in model.named_parameters():
                res["grad." + n] = p.grad.detach().clone()
        else:
            res["test.loss2"] = loss.detach().clone()
        opt.step()
    for n, t in model.state_dict().items():
        res["after." + n] = t.detach().clone()
    return model, res, stats


MODEL_CONFIGS = {
    "image2d": {
        "preset": "image2d", "kind": "conv", "input_shape": [1, 28, 28],
        "encoder": [
            {"out": 16, "kernel": [1, 1], "stride": [2, 2], "padding": [0, 0]},
            {"out": 32, "kernel": [3, 3], "stride": [2, 2], "padding": [0, 0]},
            {"out": 64, "kernel": [3, 3], "stride": [2, 2], "padding": [0, 0]},
        ],
        "decoder": [
            {"out": 64, "kernel": [3, 3], "stride": [2, 2], "padding": [0, 0],
             "output_padding": [1, 1]},
            {"out": 32, "kernel": [3, 3], "stride": [2, 2], "padding": [0, 0],
             "output_padding": [1, 1]},
            {"out": 1, "kernel": [3, 3], "stride": [2, 2], "padding": [1, 1],
             "output_padding": [1, 1]},
        ],
        "batch_norm": True, "activation": "leaky_relu",
        "code_activation": True,
        "memory": {"enabled": True, "slots": 100, "shrink_thres": 0.01,
                   "addressing": "dot", "query": "flat"},
        "entropy_weight": 0.0002,
    },
    "tabular": {
        "preset": "tabular", "kind": "mlp", "input_shape": [30],
        "encoder": [{"out": 15}, {"out": 8}, {"out": 4}, {"out": 3}],
        "decoder": [{"out": 4}, {"out": 8}, {"out": 15}, {"out": 30}],
        "batch_norm": False, "activation": "tanh", "code_activation": False,
        "memory": {"enabled": True, "slots": 50, "shrink_thres": 0.02,
                   "addressing": "dot", "query": "position"},
        "entropy_weight": 0.0002,
    },
    "video3d": {
        "preset": "video3d", "kind": "conv", "input_shape": [1, 8, 16, 16],
        "encoder": [
            {"out": 4, "kernel": [3, 3, 3], "stride": [1, 2, 2],
             "padding": [1, 1, 1]},
            {"out": 6, "kernel": [3, 3, 3], "stride": [2, 2, 2],
             "padding": [1, 1, 1]},
            {"out": 8, "kernel": [3, 3, 3], "stride": [2, 2, 2],
             "padding": [1, 1, 1]},
            {"out": 8, "kernel": [3, 3, 3], "stride": [2, 2, 2],
             "padding": [1, 1, 1]},
        ],
        "decoder": [
            {"out": 8, "kernel": [3, 3, 3], "stride": [2, 2, 2],
             "padding": [1, 1, 1], "output_padding": [1, 1, 1]},
            {"out": 6, "kernel": [3, 3, 3], "stride": [2, 2, 2],
             "padding": [1, 1, 1], "output_padding": [1, 1, 1]},
            {"out": 4, "kernel": [3, 3, 3], "stride": [2, 2, 2],
             "padding": [1, 1, 1], "output_padding": [1, 1, 1]},
            {"out": 1, "kernel": [3, 3, 3], "stride": [1, 2, 2],
             "padding": [1, 1, 1], "output_padding": [0, 1, 1]},
        ],
        "batch_norm": True, "activation": "leaky_relu",
        "code_activation": True,
        "memory": {"enabled": True, "slots": 20, "shrink_thres": 0.02,
                   "addressing": "dot", "query": "position"},
        "entropy_weight": 0.0002,
    },
}

# The video3d config of the brief has a 1x1x1 code: its last encoder batch
# norm sees only B = 2 values per channel, so the gradient through it is
# eps-dominated and ill-conditioned (the float32 gradients of the whole
# encoder carry relative errors ~1e-3, and Adam amplifies them).  It is kept
# as asked; "video3d_t16" is the same network on 16-frame clips (the
# preset's clip length), whose 2x1x1 code makes it well conditioned.
MODEL_CONFIGS["video3d_t16"] = json.loads(json.dumps(MODEL_CONFIGS["video3d"]))
MODEL_CONFIGS["video3d_t16"]["input_shape"] = [1, 16, 16, 16]

# fixture name: (batch, input distribution, weight std, memory init scale,
# seed offset).  Seeds and memory scales were chosen (by comparing with the
# same computation in float64, and with a batch-permuted float32 run) so that
# no addressing weight is near lambda and the two Adam steps are not
# dominated by float32 round-off (see the module docstring).
MODEL_RUNS = {
    "image2d": (3, "uniform01", 0.2, 16.0, 8),
    "tabular": (6, "normal", 0.8, 8.0, 8),
    "video3d": (2, "uniform11", 0.2, 8.0, 13),
    "video3d_t16": (2, "uniform11", 0.2, 8.0, 2),
}


def make_input(kind, shape):
    if kind == "uniform01":
        return torch.rand(*shape)
    if kind == "uniform11":
        return torch.rand(*shape) * 2.0 - 1.0
    if kind == "normal":
        return torch.randn(*shape)
    raise ValueError(kind)


def gen_model(name):
    cfg = MODEL_CONFIGS[name]
    batch, dist, weight_std, mem_scale, seed_off = MODEL_RUNS[name]
    torch.manual_seed(SEED + 1000 * seed_off)
    np.random.seed(SEED + seed_off)
    model = MemAE(cfg)
    init_fixture_weights(model, weight_std, mem_scale)
    state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    shape = [batch] + list(cfg["input_shape"])
    x1 = make_input(dist, shape)
    x2 = make_input(dist, shape)

    _, r, stats = run_model(cfg, state, x1, x2, torch.float32)
    _, r64, _ = run_model(cfg, state, x1, x2, torch.float64)
    margin = shrink_margin(stats)
    if margin < MIN_SHRINK_MARGIN:
        raise RuntimeError("model_%s: a weight is within %g of lambda"
                           % (name, margin))
    # memory slots that no query addresses (after shrinkage) in the first
    # training step: their gradient is mathematically zero but float32
    # round-off, which Adam turns into updates of up to lr
    att = r.get("test.att_train")
    if att is not None and cfg["memory"]["shrink_thres"] > 0:
        unused = (att == 0).all(dim=0).nonzero().flatten().tolist()
    else:
        unused = []
    diffs = {}
    for k, v in r.items():
        d = (v.double() - r64[k].double()).abs()
        if k == "after.mem_rep.memory.weight" and unused:
            keep = torch.ones(d.shape[0], dtype=torch.bool)
            keep[unused] = False
            d = d[keep]
        diffs[k] = float(d.max()) if d.numel() else 0.0

    tensors = [(k, v) for k, v in state.items()]
    tensors.append(("test.input", x1))
    order = ["test.output_eval", "test.output_train", "test.att_train",
             "test.loss", "test.mse", "test.entropy"]
    tensors += [(k, r[k]) for k in order if k in r]
    tensors += [(k, v) for k, v in r.items() if k.startswith("grad.")]
    tensors.append(("test.input2", x2))
    tensors.append(("test.loss2", r["test.loss2"]))
    tensors += [(k, v) for k, v in r.items() if k.startswith("after.")]

    cancelled = bn_cancelled_biases(model)
    meta = {
        "memae_config": json.dumps(cfg, separators=(",", ":")),
        "lr": repr(LR),
        "steps": "2",
        "bn_cancelled_bias": ",".join(cancelled),
        "memory_rows_unused_step1": ",".join(map(str, unused)),
        "f32_vs_f64_maxabs": json.dumps(
            {k: float("%.3g" % v) for k, v in diffs.items()},
            separators=(",", ":")),
    }
    path = os.path.join(OUT_DIR, "model_%s.safetensors" % name)
    write_safetensors(path, tensors, meta)

    zero_q = int((att.abs().sum(dim=1) == 0).sum()) if att is not None else 0
    print("model_%-11s code=%s Q=%d loss=%.6f mse=%.6f ent=%.4f "
          "loss2=%.6f min|w-l|=%.2e zero_queries=%d unused_rows=%d"
          % (name, "x".join(map(str, model.code_shape)),
             att.shape[0] if att is not None else 0, float(r["test.loss"]),
             float(r["test.mse"]), float(r["test.entropy"]),
             float(r["test.loss2"]), margin, zero_q, len(unused)))
    skip = set("after." + c for c in cancelled)
    skip |= set("after.%s.%d.running_mean" % (c.split(".")[0],
                                             int(c.split(".")[1]) + 1)
                for c in cancelled)
    worst = sorted(((v, k) for k, v in diffs.items() if k not in skip),
                   reverse=True)[:4]
    print("    largest |f32-f64| (but after.<bn_cancelled_bias> and the "
          "next running_mean): "
          + ", ".join("%s %.2g" % (k, v) for v, k in worst))
    if cancelled:
        print("    bn_cancelled_bias: " + ", ".join(
            "%s |grad|max %.1e |after-f64| %.1e"
            % (c, float(r["grad." + c].abs().max()), diffs["after." + c])
            for c in cancelled))
    return path


# --------------------------------------------------------------------------

def self_check(path):
    """Re-read a file and check that it round-trips."""
    t, meta = read_safetensors(path)
    for k, v in meta.items():
        assert isinstance(v, str), (path, k)
    assert all(np.isfinite(a).all() for a in t.values()
               if a.dtype.kind == "f"), path
    return t, meta


def main():
    torch.set_num_threads(1)      # deterministic reductions
    torch.use_deterministic_algorithms(True)
    os.makedirs(OUT_DIR, exist_ok=True)
    paths = []
    for i, case in enumerate(MEMORY_CASES):
        paths.append(gen_memory_case(i, *case))
    for name in MODEL_CONFIGS:
        paths.append(gen_model(name))
    total = 0
    for p in paths:
        self_check(p)
        total += os.path.getsize(p)
    print("wrote %d files, %d bytes in total, to %s" % (len(paths), total,
                                                        OUT_DIR))
    return 0


if __name__ == "__main__":
    sys.exit(main())
