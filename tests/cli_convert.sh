#!/usr/bin/env bash
# scripts/convert_pytorch.py: a model saved by PyTorch (tests/golden/gen_convert.py)
# converted without PyTorch scores as PyTorch scored it; bad checkpoints give
# one error line and no file.  Needs /usr/bin/python3 (python3-minimal is enough).
set -u
. "$(dirname "$0")/util/cli.sh"
PY=/usr/bin/python3
CONV=scripts/convert_pytorch.py
F=tests/fixtures/convert

# close A.npy B.npy ROW RTOL: float32 vector A against row ROW of matrix B,
# |a - b| <= RTOL |b| everywhere (numpy-free npy reading).
close() {
  "$PY" - "$@" <<'PYEOF'
import ast, struct, sys
def npy(path):
    with open(path, "rb") as f:
        d = f.read()
    assert d[:6] == b"\x93NUMPY", path
    n = struct.unpack("<H", d[8:10])[0]
    h = ast.literal_eval(d[10:10 + n].decode())
    assert h["descr"] == "<f4" and not h["fortran_order"], h
    k = 1
    for s in h["shape"]:
        k *= s
    return h["shape"], struct.unpack("<%df" % k, d[10 + n:10 + n + 4 * k])
(sa, a), (sb, b), row, rtol = npy(sys.argv[1]), npy(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
want = b[row * len(a):(row + 1) * len(a)]
worst = max(abs(x - y) / abs(y) for x, y in zip(a, want))
print("max relative difference %.2g" % worst)
sys.exit(0 if len(a) == sb[1] and worst <= rtol else 1)
PYEOF
}

[ -x "$PY" ] || { bad "no $PY"; finish cli_convert; }
# float32 round-off of two implementations over a 16x16x16 clip: observed ~2e-7
RTOL=1e-5
for form in memae_t16 memae_t16_legacy; do
  if "$PY" "$CONV" "$F/$form.pth" -o "$T/$form.safetensors" --input-shape 1,16,16,16 \
       --shrink-thres 0.02 >/dev/null; then ok "convert $form"; else bad "convert $form"; continue; fi
  "$BIN" info -m "$T/$form.safetensors" | grep -q "20 slots, shrink_thres 0.02" \
    && ok "$form: memory config" || bad "$form: memory config"
  "$BIN" score -m "$T/$form.safetensors" --data "$F/clips.npy" -o "$T/mse.npy" \
    && close "$T/mse.npy" "$F/scores.npy" 0 $RTOL && ok "$form: mse scores as PyTorch's" \
    || bad "$form: mse scores differ from PyTorch's"
  "$BIN" score -m "$T/$form.safetensors" --data "$F/clips.npy" --score mae -o "$T/mae.npy" \
    && close "$T/mae.npy" "$F/scores.npy" 1 $RTOL && ok "$form: mae (official) scores as PyTorch's" \
    || bad "$form: mae scores differ from PyTorch's"
done

echo "not a checkpoint" > "$T/text.pth"
head -c 20000 "$F/memae_t16.pth" > "$T/cut.pth"
expect_error "not a checkpoint" "text.pth: not a PyTorch checkpoint" "$PY" "$CONV" "$T/text.pth" -o "$T/x.safetensors"
expect_error "cut zip" "cut.pth" "$PY" "$CONV" "$T/cut.pth" -o "$T/x.safetensors"
expect_error "missing tensor" "missing tensor 'decoder.4.running_var'" \
  "$PY" "$CONV" "$F/bad/missing_tensor.pth" -o "$T/x.safetensors"
expect_error "wrong shape" "'mem_rep.memory.weight' has shape \[3, 5\], expected \[3, 2\]" \
  "$PY" "$CONV" "$F/bad/wrong_shape.pth" -o "$T/x.safetensors"
expect_error "extra tensor" "unexpected tensor 'extra.weight'" \
  "$PY" "$CONV" "$F/bad/extra_tensor.pth" -o "$T/x.safetensors"
expect_error "pickled model" "save the model's state_dict" \
  "$PY" "$CONV" "$F/bad/whole_model.pth" -o "$T/x.safetensors"
expect_error "bad input shape" "T must be a multiple of 8" \
  "$PY" "$CONV" "$F/memae_t16.pth" -o "$T/x.safetensors" --input-shape 1,12,16,16
expect_error "missing file" "No such file" "$PY" "$CONV" "$T/none.pth" -o "$T/x.safetensors"
expect_error "unwritable output" "No such file" \
  "$PY" "$CONV" "$F/memae_t16.pth" -o /nonexistent/dir/m.safetensors --input-shape 1,16,16,16
# Deflate bombs: a storage entry inflating to 64 MiB where its tensors need a few KiB,
# declared honestly (lie=0) or as the size needed (lie=1).
for lie in 0 1; do
  "$PY" - "$F/memae_t16.pth" "$T/bomb$lie.pth" $lie <<'PYEOF'
import struct, sys, zlib
sys.path.insert(0, "scripts")
import pth_reader as r
data = open(sys.argv[1], "rb").read()
members = r._zip_members(data)
out, cd = bytearray(), bytearray()
for name, m in members.items():
    body = r._inflate(data, m, 1 << 30)
    usize, crc = len(body), zlib.crc32(body)
    if name.endswith("data/0"):
        big = bytes(64 << 20)
        usize, crc = (len(big), zlib.crc32(big)) if sys.argv[3] == "0" else (usize, crc)
        c = zlib.compressobj(9, zlib.DEFLATED, -15); body = c.compress(big) + c.flush(); method = 8
    else:
        method = 0
    n = name.encode()
    head = struct.pack("<HHHHHIIIHH", 20, 0, method, 0, 0, crc, len(body), usize, len(n), 0)
    cd += b"PK\x01\x02" + struct.pack("<H", 20) + head + struct.pack("<HHHII", 0, 0, 0, 0, len(out)) + n
    out += b"PK\x03\x04" + head + n + body
end = struct.pack("<HHHHIIH", 0, 0, len(members), len(members), len(cd), len(out), 0)
open(sys.argv[2], "wb").write(bytes(out + cd) + b"PK\x05\x06" + end)
PYEOF
  expect_error "deflate bomb (declared size $lie)" "bomb$lie.pth: zip entry .*data/0 .* it needs" \
    "$PY" "$CONV" "$T/bomb$lie.pth" -o "$T/x.safetensors" --input-shape 1,16,16,16
done
[ ! -e "$T/x.safetensors" ] && ok "no output after errors" || bad "an error left a file"
ls "$T" | grep -q tmp && bad "temporary file left" || ok "no temporary files"

finish cli_convert
