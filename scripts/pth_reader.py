"""Reads PyTorch checkpoints (.pt / .pth) without PyTorch.

Only Python's minimal standard library is used (Debian's python3-minimal:
no zipfile, json or numpy there), so that CI and users without PyTorch can
convert models.  Both formats torch.save writes are read:

  zip (PyTorch >= 1.6): <prefix>/data.pkl, the pickled object, whose tensors
      refer to storages <prefix>/data/<key>; <prefix>/byteorder says "little"
      or "big" (absent: little).  Entries are stored or deflated.
  legacy (before 1.6, or _use_new_zipfile_serialization=False): five pickles
      in a row (magic number, protocol version, system info, the object, the
      storage keys), then each storage as an int64 element count and its
      bytes.

The object is unpickled by a restricted Unpickler that knows only what a
state_dict holds (OrderedDict, tensors, storages): a checkpoint cannot run
code, and a pickled whole model (torch.save(model)) is refused with advice.
"""
import collections
import io
import pickle
import struct
import zlib


class CheckpointError(Exception):
    """A file that is not a readable PyTorch checkpoint of tensors."""


# torch.<Name>Storage -> (safetensors dtype, struct code, bytes per element)
STORAGES = {
    "FloatStorage": ("F32", "f", 4), "DoubleStorage": ("F64", "d", 8),
    "HalfStorage": ("F16", "e", 2), "BFloat16Storage": ("BF16", "H", 2),
    "LongStorage": ("I64", "q", 8), "IntStorage": ("I32", "i", 4),
    "ShortStorage": ("I16", "h", 2), "CharStorage": ("I8", "b", 1),
    "ByteStorage": ("U8", "B", 1), "BoolStorage": ("BOOL", "?", 1),
}

LEGACY_MAGIC = 0x1950a86a20f9469cfc6c
LEGACY_PROTOCOL = 1001


class StorageType:
    def __init__(self, name):
        self.name = name
        self.dtype, self.code, self.size = STORAGES[name]


class Storage:
    """Bytes of one storage, or (legacy) a view into a root storage."""

    def __init__(self, stype, data=None, base=None, offset=0):
        self.stype, self.data, self.base, self.offset = stype, data, base, offset

    def resolve(self):
        """(bytes, element offset) of the root storage."""
        if self.base is not None:
            data, off = self.base.resolve()
            return data, off + self.offset
        if self.data is None:
            raise CheckpointError("a storage has no data")
        return self.data, self.offset


class Tensor:
    def __init__(self, storage, offset, size, stride, order):
        self.storage, self.offset = storage, offset
        self.shape, self.stride = tuple(size), tuple(stride)
        self.order = order  # '<' or '>'

    @property
    def dtype(self):
        return self.storage.stype.dtype

    def numel(self):
        n = 1
        for d in self.shape:
            n *= d
        return n

    def _contiguous(self):
        want = 1
        for d, s in zip(reversed(self.shape), reversed(self.stride)):
            if d > 1 and s != want:
                return False
            want *= d
        return True

    def raw(self):
        """The elements in C order, in the file's byte order."""
        data, off = self.storage.resolve()
        size = self.storage.stype.size
        start, n = (off + self.offset) * size, self.numel()
        if start + n * size > len(data) and n:
            raise CheckpointError("a tensor of shape %s runs past its storage"
                                  % list(self.shape))
        if self._contiguous():
            return bytes(data[start:start + n * size])
        # A strided view (rare in a state_dict): gather element by element.
        out = bytearray()
        idx = [0] * len(self.shape)
        for _ in range(n):
            e = start + sum(i * s for i, s in zip(idx, self.stride)) * size
            out += data[e:e + size]
            for d in reversed(range(len(idx))):
                idx[d] += 1
                if idx[d] < self.shape[d]:
                    break
                idx[d] = 0
        return bytes(out)

    def values(self):
        """The elements as Python numbers, in C order."""
        code, n = self.storage.stype.code, self.numel()
        vals = struct.unpack("%s%d%s" % (self.order, n, code), self.raw())
        if self.dtype == "BF16":  # the high half of a float32
            vals = struct.unpack("<%df" % n, struct.pack("<%dI" % n, *[v << 16 for v in vals]))
        return vals


def _rebuild_tensor(order):
    def rebuild(storage, offset, size, stride, *unused):
        return Tensor(storage, offset, size, stride, order)
    return rebuild


def _rebuild_parameter(data, *unused):
    return data


class _Unpickler(pickle.Unpickler):
    def __init__(self, f, load_storage, order):
        super().__init__(f)
        self.load_storage = load_storage
        self.allowed = {
            ("collections", "OrderedDict"): collections.OrderedDict,
            ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor(order),
            ("torch._utils", "_rebuild_tensor"): _rebuild_tensor(order),
            ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
            ("torch._utils", "_rebuild_parameter_with_state"): _rebuild_parameter,
        }

    def find_class(self, module, name):
        if module == "torch" and name in STORAGES:
            return StorageType(name)
        if (module, name) in self.allowed:
            return self.allowed[(module, name)]
        raise CheckpointError(
            "it holds a %s.%s object, not only tensors (save the model's "
            "state_dict: torch.save(model.state_dict(), path))" % (module, name))

    def persistent_load(self, pid):
        if self.load_storage is None:
            raise CheckpointError("unexpected storage reference")
        return self.load_storage(pid)


# data.pkl and byteorder are small; a storage needs what its tensors' shapes say.
PICKLE_CAP = 64 << 20


class _Member:
    """A zip entry, not yet inflated."""

    def __init__(self, name, method, crc, csize, usize, start):
        self.name, self.method, self.crc = name, method, crc
        self.csize, self.usize, self.start = csize, usize, start


def _zip_members(data):
    """{name: _Member} of a zip archive (stored or deflated entries, zip64)."""
    eocd = data.rfind(b"PK\x05\x06", max(0, len(data) - 65557))
    if eocd < 0:
        raise CheckpointError("not a zip archive")
    n, cd_off = struct.unpack_from("<H", data, eocd + 10)[0], struct.unpack_from("<I", data, eocd + 16)[0]
    if n == 0xFFFF or cd_off == 0xFFFFFFFF:
        loc = eocd - 20
        if loc < 0 or data[loc:loc + 4] != b"PK\x06\x07":
            raise CheckpointError("damaged zip64 archive")
        z = struct.unpack_from("<Q", data, loc + 8)[0]
        if data[z:z + 4] != b"PK\x06\x06":
            raise CheckpointError("damaged zip64 archive")
        n, cd_off = struct.unpack_from("<Q", data, z + 32)[0], struct.unpack_from("<Q", data, z + 48)[0]
    members, pos = {}, cd_off
    for _ in range(n):
        if data[pos:pos + 4] != b"PK\x01\x02":
            raise CheckpointError("damaged zip directory")
        method, crc, csize, usize, nlen, xlen, clen = struct.unpack_from("<H4xIIIHHH", data, pos + 10)
        local = struct.unpack_from("<I", data, pos + 42)[0]
        name = data[pos + 46:pos + 46 + nlen].decode("utf-8", "replace")
        extra = data[pos + 46 + nlen:pos + 46 + nlen + xlen]
        usize, csize, local = _zip64_sizes(extra, usize, csize, local)
        pos += 46 + nlen + xlen + clen
        if data[local:local + 4] != b"PK\x03\x04":
            raise CheckpointError("damaged zip entry %s" % name)
        lnlen, lxlen = struct.unpack_from("<HH", data, local + 26)
        if method not in (0, 8):
            raise CheckpointError("zip entry %s uses compression method %d" % (name, method))
        members[name] = _Member(name, method, crc, csize, usize, local + 30 + lnlen + lxlen)
    return members


def _inflate(data, m, cap):
    """The bytes of entry m, refused when they would exceed cap bytes (a
    deflate bomb expands no further than that)."""
    if m.usize > cap:
        raise CheckpointError("zip entry %s holds %d bytes, more than the %d it needs"
                              % (m.name, m.usize, cap))
    body = data[m.start:m.start + m.csize]
    if m.method == 8:
        try:
            body = zlib.decompressobj(-15).decompress(body, cap + 1)
        except zlib.error:
            raise CheckpointError("zip entry %s is damaged (deflate)" % m.name)
    if len(body) > cap:
        raise CheckpointError("zip entry %s expands past the %d bytes it needs" % (m.name, cap))
    if len(body) != m.usize or zlib.crc32(body) != m.crc:
        raise CheckpointError("zip entry %s is damaged (size or CRC)" % m.name)
    return body


def _zip64_sizes(extra, usize, csize, local):
    """Replaces 0xFFFFFFFF fields by their zip64 extra-field values."""
    p = 0
    while p + 4 <= len(extra):
        tag, size = struct.unpack_from("<HH", extra, p)
        if tag == 1:
            vals, q = [], p + 4
            for v in (usize, csize, local):
                if v == 0xFFFFFFFF:
                    v = struct.unpack_from("<Q", extra, q)[0]
                    q += 8
                vals.append(v)
            return tuple(vals)
        p += 4 + size
    return usize, csize, local


def _load_zip(data):
    members = _zip_members(data)
    pkl = [k for k in members if k.endswith("data.pkl") and k.count("/") == 1]
    if not pkl:
        raise CheckpointError("a zip archive, but not a PyTorch checkpoint (no data.pkl)")
    prefix = pkl[0][:-len("data.pkl")]
    bo = members.get(prefix + "byteorder")
    order = ">" if bo is not None and _inflate(data, bo, 16).strip() == b"big" else "<"
    cache = {}

    def load_storage(pid):
        # ("storage", type, key, location, element count)
        if not (isinstance(pid, tuple) and len(pid) >= 5 and pid[0] == "storage"
                and isinstance(pid[1], StorageType) and isinstance(pid[4], int) and pid[4] >= 0):
            raise CheckpointError("unexpected reference %r" % (pid[:1],))
        stype, key = pid[1], str(pid[2])
        if key not in cache:
            name = prefix + "data/" + key
            if name not in members:
                raise CheckpointError("storage %s is missing" % name)
            cache[key] = Storage(stype, _inflate(data, members[name], pid[4] * stype.size))
        return cache[key]

    pickled = _inflate(data, members[pkl[0]], PICKLE_CAP)
    return _Unpickler(io.BytesIO(pickled), load_storage, order).load()


def _load_legacy(data):
    f = io.BytesIO(data)
    try:
        magic = _Unpickler(f, None, "<").load()
    except (pickle.UnpicklingError, EOFError, ValueError, IndexError):
        magic = None
    if magic != LEGACY_MAGIC:
        raise CheckpointError("not a PyTorch checkpoint (neither a zip archive nor "
                              "the legacy torch.save format)")
    if _Unpickler(f, None, "<").load() != LEGACY_PROTOCOL:
        raise CheckpointError("unknown legacy PyTorch protocol version")
    info = _Unpickler(f, None, "<").load()
    order = "<" if not isinstance(info, dict) or info.get("little_endian", True) else ">"
    roots = {}

    def load_storage(pid):
        if not (isinstance(pid, tuple) and len(pid) >= 5 and pid[0] == "storage"):
            raise CheckpointError("unexpected reference %r (a pickled module?)" % (pid[:1],))
        stype, key, view = pid[1], str(pid[2]), pid[5] if len(pid) > 5 else None
        root = roots.setdefault(key, Storage(stype))
        if view:
            return Storage(stype, base=root, offset=view[1])
        return root

    obj = _Unpickler(f, load_storage, order).load()
    for key in _Unpickler(f, None, order).load():
        root = roots.get(str(key))
        head = f.read(8)
        if root is None or len(head) != 8:
            raise CheckpointError("legacy checkpoint: storage %s is missing or cut" % key)
        count = struct.unpack(order + "q", head)[0]
        root.data = f.read(count * root.stype.size)
        if len(root.data) != count * root.stype.size:
            raise CheckpointError("legacy checkpoint is truncated (storage %s)" % key)
    return obj


def load(path):
    """The unpickled object of a checkpoint file, tensors as Tensor."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] == b"PK\x03\x04":
        return _load_zip(data)
    return _load_legacy(data)


def state_dict(obj):
    """The {name: Tensor} of a loaded checkpoint: the object itself, or its
    'state_dict' / 'model_state_dict' / 'model' entry; a DataParallel
    'module.' prefix is dropped."""
    for _ in range(3):
        if isinstance(obj, dict) and obj and all(isinstance(v, Tensor) for v in obj.values()):
            if all(k.startswith("module.") for k in obj):
                obj = collections.OrderedDict((k[7:], v) for k, v in obj.items())
            return obj
        if not isinstance(obj, dict):
            break
        inner = [obj[k] for k in ("state_dict", "model_state_dict", "model") if k in obj]
        if not inner:
            break
        obj = inner[0]
    keys = ", ".join(sorted(map(str, obj))[:6]) if isinstance(obj, dict) else type(obj).__name__
    raise CheckpointError("no state_dict of tensors in the checkpoint (found: %s)" % keys)
