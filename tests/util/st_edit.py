#!/usr/bin/env python3
"""Write a damaged copy of a safetensors model file, for the hardening tests.

st_edit.py IN OUT OP [ARG...], OP one of:
  dup-meta          __metadata__ twice in the header
  dup-key           the first tensor's entry twice
  overlap           the second tensor starts 4 bytes inside the first
  gap               4 unused bytes before the last tensor
  trailing          4 bytes after the last tensor
  meta KEY VALUE    set a metadata entry (VALUE as given)
  nan TENSOR        the tensor's first float becomes NaN
  inf TENSOR        the tensor's first float becomes +inf
  big TENSOR        every float of the tensor becomes 3e38 (finite, but overflows)
"""
import json
import struct
import sys


def read(path):
    b = open(path, "rb").read()
    n = struct.unpack("<Q", b[:8])[0]
    return json.loads(b[8:8 + n]), b[8 + n:]


def write(path, header_text, data):
    h = header_text.encode()
    h += b" " * (-len(h) % 8)
    open(path, "wb").write(struct.pack("<Q", len(h)) + h + data)


def tensors(h):
    return sorted((k for k in h if k != "__metadata__"), key=lambda k: h[k]["data_offsets"][0])


def main():
    src, dst, op, args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    h, data = read(src)
    text = None
    names = tensors(h)
    if op == "dup-meta":
        meta = json.dumps(h["__metadata__"])
        text = json.dumps(h)[:-1] + ',"__metadata__":' + meta + "}"
    elif op == "dup-key":
        first = names[0]
        text = json.dumps(h)[:-1] + "," + json.dumps(first) + ":" + json.dumps(h[first]) + "}"
    elif op == "overlap":
        for k in names[1:]:
            h[k]["data_offsets"] = [o - 4 for o in h[k]["data_offsets"]]
        data = data[:-4]
    elif op == "gap":
        last = names[-1]
        b, e = h[last]["data_offsets"]
        h[last]["data_offsets"] = [b + 4, e + 4]
        data = data[:b] + b"\0" * 4 + data[b:]
    elif op == "trailing":
        data += b"\0" * 4
    elif op == "meta":
        h["__metadata__"][args[0]] = args[1]
    elif op in ("nan", "inf"):
        b = h[args[0]]["data_offsets"][0]
        data = data[:b] + struct.pack("<f", float(op)) + data[b + 4:]
    elif op == "big":
        b, e = h[args[0]]["data_offsets"]
        data = data[:b] + struct.pack("<f", 3e38) * ((e - b) // 4) + data[e:]
    else:
        sys.exit("st_edit.py: unknown operation " + op)
    write(dst, text if text is not None else json.dumps(h), data)


main()
