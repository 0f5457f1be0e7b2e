#!/usr/bin/python3
"""Writes the small IDX and npy fixtures read by tests/test_loaders.c.

Run from the repository root with the system interpreter (it has numpy):
    /usr/bin/python3 tests/golden/gen_loaders.py
Element i (in C order) follows the formulas below; test_loaders.c uses the same
ones, so keep them in sync.  Output is deterministic (gzip mtime 0).
"""
import gzip
import os
import struct

import numpy as np

OUT = os.path.join("tests", "fixtures", "loaders")


def val_u8(n):
    return ((np.arange(n) * 37 + 11) % 256).astype(np.uint8)


def val_f(n, dtype):  # exact in float32: multiples of 1/4
    return (np.arange(n) * 0.25 - 1.5).astype(dtype)


def val_i64(n):
    return np.arange(n, dtype=np.int64) * 1000000007 - 5


def val_i16(n):
    return (np.arange(n) * 200 - 300).astype(np.int16)


def make(shape, fn, *args):
    n = int(np.prod(shape)) if shape else 1
    return fn(n, *args).reshape(shape)


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def idx_bytes(a):
    code = {np.uint8: 0x08, np.int16: 0x0B, np.float32: 0x0D}[a.dtype.type]
    head = struct.pack(">BBBB", 0, 0, code, a.ndim) + struct.pack(">%dI" % a.ndim, *a.shape)
    return head + a.astype(a.dtype.newbyteorder(">")).tobytes()


def gz(data):
    return gzip.compress(data, mtime=0)


def npy(name, a, version=(1, 0)):
    with open(os.path.join(OUT, name), "wb") as f:
        np.lib.format.write_array(f, a, version=version, allow_pickle=False)


def main():
    os.makedirs(OUT, exist_ok=True)
    images = make((3, 4, 5), val_u8)
    labels = make((10,), val_u8)
    write("images.idx", idx_bytes(images))
    write("images.idx.gz", gz(idx_bytes(images)))
    write("labels.idx", idx_bytes(labels))
    write("labels.idx.gz", gz(idx_bytes(labels)))
    write("f32.idx", idx_bytes(make((2, 3), val_f, np.float32)))
    write("i16.idx", idx_bytes(make((4,), val_i16)))

    shapes = {1: (5,), 2: (2, 3), 3: (2, 3, 4), 4: (2, 1, 3, 2)}
    for nd, shape in shapes.items():
        npy("u1_%dd.npy" % nd, make(shape, val_u8))
        npy("f4_%dd.npy" % nd, make(shape, val_f, np.float32))
    npy("f4_0d.npy", make((), val_f, np.float32))
    npy("u1_empty.npy", np.zeros((0, 3), np.uint8))
    npy("f4_2d_v2.npy", make((2, 3), val_f, np.float32), version=(2, 0))
    npy("u1_3d_v3.npy", make((2, 3, 4), val_u8), version=(3, 0))
    npy("f8_2d.npy", make((2, 3), val_f, np.float64))
    npy("i8_1d.npy", make((5,), val_i64))
    npy("b1_1d.npy", np.arange(5) % 3 == 0)
    npy("f4be_2d.npy", make((2, 3), val_f, np.dtype(">f4")))
    npy("f4_fortran.npy", np.asfortranarray(make((2, 3), val_f, np.float32)))
    npy("f2_1d.npy", make((5,), val_f, np.float16))


if __name__ == "__main__":
    main()
