#!/usr/bin/python3
"""Converts an official MemAE PyTorch checkpoint to a memae model file.

    scripts/convert_pytorch.py CHECKPOINT -o MODEL.safetensors
        [--input-shape C,T,H,W] [--shrink-thres L]

CHECKPOINT is what donggong1/memae-anomaly-detection's script_training.py
saves, torch.save(model.state_dict(), ...), of its AutoEncoderCov3DMem (the
video3d preset), in either torch.save format; a dict holding it under
'state_dict', 'model_state_dict' or 'model' works too.  memae's tensor names
are the official module names, so the tensors are copied as they are
(float32; batch-norm running statistics included).  The state_dict does not
hold everything, so:

  - channel widths and the number of memory slots come from the shapes;
  - strides, padding and output_padding are the official architecture's
    (docs/presets.md, video3d), which every checkpoint of it shares;
  - --input-shape (default C,16,256,256, C from the weights) is the clip
    shape scored; T must be a multiple of 8, H and W of 16;
  - --shrink-thres (default 0.0025, the official default) is the memory's
    hard-shrinkage threshold, a constructor argument and not a tensor: give
    the value the model was trained with.

The model file's metadata holds the configuration, the official input
normalisation ([0, 255] -> [-1, 1]) and the source file's SHA-256.  Needs
only Python's minimal standard library (no PyTorch, no numpy).  On error:
one line on stderr, exit status 1, and no output file.
"""
import argparse
import hashlib
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pth_reader import CheckpointError, load, state_dict  # noqa: E402

# The official AutoEncoderCov3DMem: nn.Sequential indices of the convolutions
# and batch norms (each LeakyReLU takes an index too), strides, output padding.
ENC_CONV, ENC_BN = (0, 3, 6, 9), (1, 4, 7, 10)
DEC_CONV, DEC_BN = (0, 3, 6, 9), (1, 4, 7)
ENC_STRIDE = ([1, 2, 2], [2, 2, 2], [2, 2, 2], [2, 2, 2])
DEC_STRIDE = ([2, 2, 2], [2, 2, 2], [2, 2, 2], [1, 2, 2])
DEC_OUTPAD = ([1, 1, 1], [1, 1, 1], [1, 1, 1], [0, 1, 1])
K = [3, 3, 3]
# What `memae init --preset video3d` stores: x * 2/255 - 1, the official
# ToTensor + Normalize(0.5, 0.5).
NORMALIZATION = {"kind": "affine", "uint8_scale": 2 / 255, "uint8_offset": -1}
FLOATS = ("F32", "F64", "F16", "BF16")
INTS = ("I64", "I32", "I16", "I8", "U8")


class ConvertError(Exception):
    pass


def to_json(x):
    """Compact JSON (the json module is not in python3-minimal)."""
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, (int, float)):
        return repr(x)
    if isinstance(x, str):
        out = []
        for c in x:
            if c in '"\\':
                out.append("\\" + c)
            elif ord(c) < 0x20:
                out.append("\\u%04x" % ord(c))
            else:
                out.append(c)
        return '"' + "".join(out) + '"'
    if isinstance(x, (list, tuple)):
        return "[" + ",".join(to_json(v) for v in x) + "]"
    if isinstance(x, dict):
        return "{" + ",".join(to_json(str(k)) + ":" + to_json(v) for k, v in x.items()) + "}"
    raise TypeError(type(x).__name__)


def expected_tensors(cin, enc, dec, slots):
    """(name, shape, kind) of every tensor of the official model, in order;
    kind 'param', 'buffer' or 'counter' (num_batches_tracked, optional)."""
    out = []

    def bn(prefix, c):
        out.extend([(prefix + ".weight", (c,), "param"), (prefix + ".bias", (c,), "param"),
                    (prefix + ".running_mean", (c,), "buffer"),
                    (prefix + ".running_var", (c,), "buffer"),
                    (prefix + ".num_batches_tracked", (), "counter")])

    prev = cin
    for i, c in enumerate(enc):
        out.append(("encoder.%d.weight" % ENC_CONV[i], (c, prev, *K), "param"))
        out.append(("encoder.%d.bias" % ENC_CONV[i], (c,), "param"))
        bn("encoder.%d" % ENC_BN[i], c)
        prev = c
    out.append(("mem_rep.memory.weight", (slots, prev), "param"))
    for j, c in enumerate(dec):
        out.append(("decoder.%d.weight" % DEC_CONV[j], (prev, c, *K), "param"))
        out.append(("decoder.%d.bias" % DEC_CONV[j], (c,), "param"))
        if j < len(DEC_BN):
            bn("decoder.%d" % DEC_BN[j], c)
        prev = c
    return out


def widths(sd):
    """Input channels, encoder and decoder widths, memory slots, read from
    the shapes of the tensors that carry them."""
    def dim(name, axis, ndim):
        if name not in sd:
            raise ConvertError("missing tensor '%s' (not an official MemAE video model?)" % name)
        shape = sd[name].shape
        if len(shape) != ndim:
            raise ConvertError("tensor '%s' has shape %s, expected %d dimensions"
                               % (name, list(shape), ndim))
        return shape[axis]

    enc = [dim("encoder.%d.weight" % i, 0, 5) for i in ENC_CONV]
    dec = [dim("decoder.%d.weight" % i, 1, 5) for i in DEC_CONV]
    return dim("encoder.0.weight", 1, 5), enc, dec, dim("mem_rep.memory.weight", 0, 2)


def check_tensors(sd, expected):
    names = {name for name, _, _ in expected}
    for name, shape, kind in expected:
        if name not in sd:
            if kind == "counter":
                continue  # PyTorch before 0.4.1 had no num_batches_tracked
            raise ConvertError("missing tensor '%s'" % name)
        t = sd[name]
        if tuple(t.shape) != shape:
            raise ConvertError("tensor '%s' has shape %s, expected %s"
                               % (name, list(t.shape), list(shape)))
        if t.dtype not in (INTS if kind == "counter" else FLOATS):
            raise ConvertError("tensor '%s' has type %s" % (name, t.dtype))
    extra = sorted(k for k in sd if k not in names)
    if extra:
        raise ConvertError("unexpected tensor '%s' (not part of the official model)" % extra[0])


def tensor_bytes(t, kind):
    """Little-endian float32, or int64 for the batch counters."""
    if kind == "counter":
        return struct.pack("<%dq" % t.numel(), *[int(v) for v in t.values()])
    if t.dtype == "F32" and t.order == "<":
        return t.raw()
    return struct.pack("<%df" % t.numel(), *t.values())


def config(cin, enc, dec, slots, shape, shrink):
    return {
        "preset": "video3d", "kind": "conv", "input_shape": list(shape),
        "encoder": [{"out": c, "kernel": K, "stride": s, "padding": [1, 1, 1]}
                    for c, s in zip(enc, ENC_STRIDE)],
        "decoder": [{"out": c, "kernel": K, "stride": s, "padding": [1, 1, 1],
                     "output_padding": p} for c, s, p in zip(dec, DEC_STRIDE, DEC_OUTPAD)],
        "batch_norm": True, "activation": "leaky_relu", "code_activation": True,
        "memory": {"enabled": True, "slots": slots, "shrink_thres": shrink,
                   "addressing": "dot", "query": "position"},
        "entropy_weight": 0.0002,
    }


def write_safetensors(path, tensors, meta):
    """tensors: (name, dtype, shape, bytes); written atomically."""
    header, off = {"__metadata__": meta}, 0
    for name, dtype, shape, data in tensors:
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [off, off + len(data)]}
        off += len(data)
    h = to_json(header).encode()
    h += b" " * (-len(h) % 8)
    tmp = "%s.tmp.%d" % (path, os.getpid())
    try:
        with open(tmp, "wb") as f:
            f.write(struct.pack("<Q", len(h)) + h)
            for _, _, _, data in tensors:
                f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def parse_shape(text, cin):
    try:
        shape = [int(v) for v in text.replace("x", ",").split(",")]
    except ValueError:
        raise ConvertError("--input-shape '%s' is not C,T,H,W" % text)
    if len(shape) == 3:
        shape = [cin] + shape
    if len(shape) != 4 or min(shape) < 1:
        raise ConvertError("--input-shape '%s' is not C,T,H,W" % text)
    if shape[0] != cin:
        raise ConvertError("--input-shape has %d channels, the weights take %d" % (shape[0], cin))
    if shape[1] % 8 or shape[2] % 16 or shape[3] % 16:
        raise ConvertError("--input-shape %s: T must be a multiple of 8 and H, W of 16 "
                           "(three stride-2 steps in time, four in space)"
                           % "x".join(map(str, shape)))
    return shape


def convert(src, dst, shape_text, shrink):
    sd = state_dict(load(src))
    cin, enc, dec, slots = widths(sd)
    if dec[-1] != cin:
        raise ConvertError("the decoder outputs %d channels, the encoder takes %d" % (dec[-1], cin))
    shape = parse_shape(shape_text or "%d,16,256,256" % cin, cin)
    expected = expected_tensors(cin, enc, dec, slots)
    check_tensors(sd, expected)
    tensors = [(n, "I64" if kind == "counter" else "F32", s, tensor_bytes(sd[n], kind))
               for n, s, kind in expected if n in sd]
    with open(src, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    meta = {
        "memae_config": to_json(config(cin, enc, dec, slots, shape, shrink)),
        "memae_normalization": to_json(NORMALIZATION),
        "memae_source": to_json({"format": "pytorch", "file": os.path.basename(src),
                                 "sha256": digest, "converter": "scripts/convert_pytorch.py"}),
    }
    write_safetensors(dst, tensors, meta)
    return cin, enc, dec, slots, shape


def main():
    ap = argparse.ArgumentParser(description="Official MemAE PyTorch checkpoint -> memae model file.")
    ap.add_argument("checkpoint", help="the .pt / .pth file")
    ap.add_argument("-o", "--output", required=True, help="the memae model (.safetensors)")
    ap.add_argument("--input-shape", help="clip shape C,T,H,W (default C,16,256,256)")
    ap.add_argument("--shrink-thres", type=float, default=0.0025,
                    help="memory shrinkage threshold the model was trained with (default 0.0025)")
    a = ap.parse_args()
    try:
        if not a.shrink_thres >= 0:
            raise ConvertError("--shrink-thres must be >= 0")
        cin, enc, dec, slots, shape = convert(a.checkpoint, a.output, a.input_shape, a.shrink_thres)
    except (ConvertError, CheckpointError) as e:
        sys.exit("convert_pytorch: %s: %s" % (a.checkpoint, e))
    except OSError as e:
        sys.exit("convert_pytorch: %s" % e)
    except Exception as e:  # a damaged file: pickle, struct, unicode errors
        sys.exit("convert_pytorch: %s: damaged or not a checkpoint (%s: %s)"
                 % (a.checkpoint, type(e).__name__, e))
    print("wrote %s: video3d, input %s, encoder %s, decoder %s, %d memory slots"
          % (a.output, "x".join(map(str, shape)), enc, dec, slots))


if __name__ == "__main__":
    main()
