#!/usr/bin/env bash
# Hostile inputs (issue 12): damaged model files, metadata and configurations
# are one error line naming what was wrong, and leave no output behind.
set -u
. "$(dirname "$0")/util/cli.sh"
ST="/usr/bin/env python3 $(dirname "$0")/util/st_edit.py"
GEN="awk -f $(dirname "$0")/util/gen_table.awk -v frac=0.1 -v header=1"
M="$T/m.safetensors"
"$BIN" init --preset image2d --seed 1 -o "$M" >/dev/null || bad "init"

# 1. The header: a key twice, overlapping or gapped tensors, trailing bytes.
for op in dup-meta:"'__metadata__' twice" dup-key:"'encoder.0.weight' twice" \
          overlap:"overlaps tensor" gap:"a gap of 4 bytes" trailing:"4 trailing bytes"; do
  $ST "$M" "$T/x.safetensors" "${op%%:*}"
  expect_error "model file: ${op%%:*}" "x.safetensors: .*${op#*:}" "$BIN" info -m "$T/x.safetensors"
done
expect_error "a directory as the model" "$T: is a directory" "$BIN" info -m "$T"

# 5. --config with a key twice.
expect_error "--config: preset twice" "'preset' appears twice" \
  "$BIN" init --config '{"preset":"image2d","preset":"tabular"}' -o "$T/p.safetensors"
[ ! -e "$T/p.safetensors" ] && ok "no model from a config with a key twice" || bad "model written"

# 3. Geometry: a huge stride or size is refused, not wrapped.
expect_error "huge stride" "stride must be an integer from 1 to 64" \
  "$BIN" init --config '{"encoder":[{"out":8,"stride":1000000000}]}' -o "$T/g.safetensors"
expect_error "huge out" "out must be an integer from 1 to 65536" \
  "$BIN" init --config '{"encoder":[{"out":1000000000}]}' -o "$T/g.safetensors"
up='{"out":2,"kernel":64,"stride":64,"padding":0,"output_padding":0}'
expect_error "decoder growing past the limit" "decoder.3: output size 268435456 along H is above" \
  "$BIN" init --config "{\"input_shape\":[1,65536,1],\"encoder\":[{\"out\":2,\"kernel\":1},
  {\"out\":2,\"kernel\":1}],\"decoder\":[$up,$up]}" -o "$T/g.safetensors"

# 4. Memory: a file's tensors are checked against its configuration before
# anything is allocated, and a model larger than the memory limit is refused.
python3 - "$M" "$T/slots.safetensors" <<'PY'
import json, struct, sys
b = open(sys.argv[1], "rb").read(); n = struct.unpack("<Q", b[:8])[0]; h = json.loads(b[8:8 + n])
c = json.loads(h["__metadata__"]["memae_config"]); c["memory"]["slots"] = 1000000
h["__metadata__"]["memae_config"] = json.dumps(c)
t = json.dumps(h).encode(); t += b" " * (-len(t) % 8)
open(sys.argv[2], "wb").write(struct.pack("<Q", len(t)) + t + b[8 + n:])
PY
# (1e6 x 256 floats: 4 GB of buffers before the fix, so a 600 MB address-space limit shows
# it; not under ASan, whose shadow memory needs terabytes of address space.)
vlimit=600000
ldd "$BIN" 2>/dev/null | grep -q libasan && vlimit=unlimited
expect_error "1e6 slots in the config, 100 in the file" \
  "tensor 'mem_rep.memory.weight' has shape \[100,.*expected \[1000000," \
  bash -c 'ulimit -v "$0" && exec "$@"' $vlimit "$BIN" info -m "$T/slots.safetensors"
MEMAE_MAX_MEMORY=1M expect_error "a model above MEMAE_MAX_MEMORY" "more than the 1 MiB of memory" \
  "$BIN" init --preset image2d -o "$T/big.safetensors"

# 8. Non-finite weights.
$ST "$M" "$T/nan.safetensors" nan encoder.0.weight
expect_error "NaN weight" "nan.safetensors: tensor 'encoder.0.weight' holds NaN" "$BIN" info -m "$T/nan.safetensors"
$ST "$M" "$T/inf.safetensors" inf decoder.0.bias
expect_error "infinite weight" "tensor 'decoder.0.bias' holds an infinite value" "$BIN" info -m "$T/inf.safetensors"

# 8. Finite weights that overflow: a non-finite score is an error naming the sample.
python3 - "$T/x.npy" <<'PY'
import struct, sys
h = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 1, 28, 28), }"
h += " " * (-(len(h) + 11) % 64) + "\n"
v = [(i % 7) / 7 for i in range(3 * 784)]
open(sys.argv[1], "wb").write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h.encode()
                              + struct.pack("<%df" % len(v), *v))
PY
$ST "$M" "$T/big.safetensors" big decoder.6.weight
expect_error "overflowing score" "sample 0 scores infinity" \
  "$BIN" score -m "$T/big.safetensors" --data "$T/x.npy"

# 7. The stored normalisation: anything but identity or a finite affine rule.
for rule in '{"kind":"affne"}' '3' 'not json' '{"kind":"affine","uint8_scale":"x","uint8_offset":0}'; do
  $ST "$M" "$T/n.safetensors" meta memae_normalization "$rule"
  expect_error "memae_normalization $rule" "n.safetensors: the model's memae_normalization" \
    "$BIN" info -m "$T/n.safetensors"
done

# 2. The stored table encoding: label_index out of range, malformed fields.
$GEN -v n=300 -v seed=1 -v labels=1 >"$T/train.csv"
"$BIN" train --data "$T/train.csv" --label-column label --epochs 1 --threads 1 -o "$T/tab.safetensors" \
  >/dev/null 2>&1 || bad "train a table model"
table=$("$BIN" info -m "$T/tab.safetensors" | sed -n 's/^table *//p')
for edit in 's/"label_index":[0-9]*/"label_index":99/' 's/"label_index":[0-9]*/"label_index":-1/' \
            's/"delimiter":","/"delimiter":"\\""/' 's/"kind":"zscore"/"kind":"zscor"/' \
            's/"header":true/"header":true,"header":false/'; do
  $ST "$T/tab.safetensors" "$T/t2.safetensors" meta memae_table "$(printf '%s' "$table" | sed "$edit")"
  expect_error "memae_table: $edit" "t2.safetensors: the model's memae_table metadata is malformed" \
    "$BIN" score -m "$T/t2.safetensors" --data "$T/train.csv"
done

# 9. Output lost on a full disk: every command writing to stdout fails.
for cmd in "info -m $M" "info -m $M --json" "score -m $M --data $T/x.npy" \
           "predict -m $M --data $T/x.npy --threshold 0.1" \
           "eval -m $T/tab.safetensors --data $T/train.csv --json" --help; do
  expect_error "$cmd > /dev/full" "cannot write to standard output" \
    bash -c 'exec "$@" >/dev/full' - "$BIN" $cmd
done

# 10. CSV: a NUL byte is refused; cell text in errors is escaped, cut, on one line.
printf 'a,b\n1,2\n3,4\n5,7\n2,2\n' >"$T/num.csv"
"$BIN" train --data "$T/num.csv" --batch 2 --epochs 1 -o "$T/num.safetensors" >/dev/null 2>&1 || bad "train num.csv"
printf 'a,b\n1,2\n0.2\0garbage,3\n' >"$T/nul.csv"
expect_error "CSV NUL byte" "nul.csv: line 3 holds a NUL byte" "$BIN" score -m "$T/num.safetensors" --data "$T/nul.csv"
printf 'a,b\n"x\ny'"'"'%s",3\n' "$(printf 'z%.0s' $(seq 200))" >"$T/long.csv"
expect_error "CSV cell quoted escaped and cut" "column 'a': 'x\\\\ny\\\\'zzzz*\\.\\.\\.' is not a number" \
  "$BIN" score -m "$T/num.safetensors" --data "$T/long.csv"

# 6. A truncated .mat (uncompressed, or its variables compressed) is an error,
# not a file without labels; 14. NaN in a .mat names the file.
FX=$(dirname "$0")/fixtures/tables
python3 - "$FX/odds.mat" "$T" <<'PY'
import struct, sys, zlib
d = open(sys.argv[1], "rb").read()
open(sys.argv[2] + "/cut.mat", "wb").write(d[:-8])
z, o = d[:128], 128
while o < len(d):
    n = struct.unpack_from("<I", d, o + 4)[0]
    c = zlib.compress(d[o:o + 8 + n]); z += struct.pack("<II", 15, len(c)) + c; o += 8 + n
open(sys.argv[2] + "/cutz.mat", "wb").write(z[:-6])
open(sys.argv[2] + "/nan.mat", "wb").write(d.replace(struct.pack("<d", 2.1), struct.pack("<d", float("nan"))))
PY
expect_error "truncated .mat" "cut.mat: truncated: the variable at byte 280" \
  "$BIN" train --data "$T/cut.mat" --batch 2 --epochs 1 -o "$T/mat.safetensors"
expect_error "truncated compressed .mat" "cutz.mat: truncated" \
  "$BIN" train --data "$T/cutz.mat" --batch 2 --epochs 1 -o "$T/mat.safetensors"
expect_error "NaN in a .mat" "nan.mat: X holds NaN at record 2, column 1" \
  "$BIN" train --data "$T/nan.mat" --batch 2 --epochs 1 -o "$T/mat.safetensors"
[ ! -e "$T/mat.safetensors" ] && ok "no model from a bad .mat" || bad "model written from a bad .mat"
# Fuzzing's finds (fuzz/corpus/*/regress-*): lengths libmatio would allocate before
# reading, checked against the file's bytes first (a 4 GB name; a version 4 header).
FZ=$(dirname "$0")/../fuzz/corpus
cp "$FZ/fuzz_mat/regress-oom-name-length" "$T/name.mat"
tail -c +2 "$FZ/fuzz_gt/regress-oom-v4-name-length" >"$T/v4.mat"
expect_error ".mat: a 4 GB variable name" "name.mat: the variable at byte 128 has sizes its 144 bytes cannot hold" \
  bash -c 'ulimit -v "$0" && exec "$@"' $vlimit "$BIN" train --data "$T/name.mat" --epochs 1 -o "$T/mat.safetensors"
expect_error ".mat version 4: a 2 GB name" "v4.mat: not a MATLAB .mat file (as version 4, the variable at byte 0" \
  bash -c 'ulimit -v "$0" && exec "$@"' $vlimit "$BIN" train --data "$T/v4.mat" --epochs 1 -o "$T/mat.safetensors"
# (elements after a matrix's name: a sparse array's, a numeric one's)
tail -c +2 "$FZ/fuzz_gt/regress-oom-sparse-element-length" >"$T/sp.mat"
cp "$FZ/fuzz_mat/regress-oom-element-length" "$T/el.mat"
for f in sp el; do
  expect_error ".mat: an element longer than its matrix ($f)" "$f.mat: the variable at byte 128 has sizes its" \
    bash -c 'ulimit -v "$0" && exec "$@"' $vlimit "$BIN" train --data "$T/$f.mat" --epochs 1 -o "$T/mat.safetensors"
done
# (a version 4 sparse matrix of 788,529,152 rows and no column)
cp "$FZ/fuzz_mat/regress-oom-v4-sparse-rows" "$T/v4s.mat"
expect_error ".mat version 4: a sparse matrix's rows" "v4s.mat: not a MATLAB .mat file (as version 4" \
  bash -c 'ulimit -v "$0" && exec "$@"' $vlimit "$BIN" train --data "$T/v4s.mat" --epochs 1 -o "$T/mat.safetensors"
# (a version 5 header with version 0 is read as version 4 too)
tail -c +2 "$FZ/fuzz_gt/regress-oom-v4-behind-v5-magic" >"$T/v4b.mat"
expect_error ".mat: version 0 behind the IM mark" "v4b.mat: not a MATLAB .mat file (as version 4" \
  bash -c 'ulimit -v "$0" && exec "$@"' $vlimit "$BIN" train --data "$T/v4b.mat" --epochs 1 -o "$T/mat.safetensors"

# 11. A PNG whose CRC is wrong: decoded, with a warning naming the file and chunk.
mkdir -p "$T/png"
python3 - "$T/png/a.png" <<'PY'
import struct, sys, zlib
def chunk(t, d): return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
raw = b"".join(b"\0" + bytes((x * 9 + y) % 256 for x in range(28)) for y in range(28))
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 28, 28, 8, 0, 0, 0, 0)) \
      + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
open(sys.argv[1], "wb").write(png)
i = png.index(b"IEND") - 5  # the last byte of IDAT's CRC
open(sys.argv[1].replace("a.png", "b.png"), "wb").write(png[:i] + bytes([png[i] ^ 1]) + png[i + 1:])
PY
"$BIN" score -m "$M" --data "$T/png" >"$T/out" 2>"$T/err" && [ "$(wc -l <"$T/out")" -eq 2 ] \
  && [ "$(wc -l <"$T/err")" -eq 1 ] \
  && grep -q "warning: .*png/b.png: damaged PNG: the CRC of its IDAT chunk (at byte 33) is wrong" "$T/err" \
  && ok "PNG with a wrong CRC: a warning" || bad "PNG CRC: $(cat "$T/err")"

# 13. One writer per -o: a second run is refused while the first holds MODEL.lock.
L="$T/lk.safetensors"
expect_error "a second writer to the same -o" "lk.safetensors: another run is writing it (.*lk.safetensors.lock is locked)" \
  flock "$L.lock" "$BIN" train --data "$T/num.csv" --batch 2 --epochs 1 -o "$L"
[ ! -e "$L" ] && ok "no model from the refused run" || bad "the refused run wrote $L"
# Temporaries of dead runs are removed, a live process's kept; the lock goes at the end.
sh -c 'exit 0' & dead=$!; wait $dead
touch "$L.tmp.$dead" "$L.ckpt.tmp.$dead" "$L.tmp.$$"
"$BIN" train --data "$T/num.csv" --batch 2 --epochs 1 -o "$L" >/dev/null 2>&1 || bad "train after a dead run"
[ ! -e "$L.tmp.$dead" ] && [ ! -e "$L.ckpt.tmp.$dead" ] && [ -e "$L.tmp.$$" ] && [ ! -e "$L.lock" ] \
  && ok "stale temporaries of dead pids removed, the lock released" || bad "temporaries: $(ls "$T" | grep lk)"
# A temporary's name taken by a link (this pid's, as exec keeps it) is not followed.
echo keep >"$T/victim"
bash -c 'ln -s "$1" "$2.tmp.$$" && exec "${@:3}"' - "$T/victim" "$T/o.safetensors" \
  "$BIN" init --preset tabular --input-shape 4 -o "$T/o.safetensors" >/dev/null 2>&1 || bad "init over a link"
[ "$(cat "$T/victim")" = keep ] && [ -f "$T/o.safetensors" ] && [ ! -L "$T/o.safetensors" ] \
  && ok "a link at the temporary's name is not written through" || bad "the link was followed"
ln -s "$T/victim" "$T/sl.safetensors.lock"
expect_error "a link as MODEL.lock" "sl.safetensors: .*sl.safetensors.lock is a symbolic link" \
  "$BIN" train --data "$T/num.csv" --batch 2 --epochs 1 -o "$T/sl.safetensors"

# 14. A folder that cannot be written fails before training (not after an epoch).
# (As root, whom permissions do not stop, the run is made as nobody.)
asuser=()
[ "$(id -u)" = 0 ] && asuser=(setpriv --reuid=65534 --regid=65534 --clear-groups) && chmod a+rx "$T"
mkdir "$T/ro" && chmod 555 "$T/ro" && chmod a+r "$T/num.csv"
if "${asuser[@]}" test -x "$BIN" -a -r "$T/num.csv"; then
  expect_error "train into a read-only folder" "ro/m.safetensors: cannot write into the folder .*ro: Permission denied" \
    "${asuser[@]}" "$BIN" train --data "$T/num.csv" --batch 2 --epochs 1 -o "$T/ro/m.safetensors"
else
  ok "train into a read-only folder: skipped (nobody cannot run $BIN here)"
fi
chmod 755 "$T/ro"

# 4. --max-memory: the limit MEMAE_MAX_MEMORY sets, on the commands that build models.
expect_error "a model above --max-memory" "more than the 1 MiB of memory" \
  "$BIN" init --preset image2d --max-memory 1M -o "$T/lim.safetensors"
expect_error "--max-memory: not a size" "--max-memory: '2X' is not a size" \
  "$BIN" init --preset image2d --max-memory 2X -o "$T/lim.safetensors"
[ ! -e "$T/lim.safetensors" ] && ok "no model above the memory limit" || bad "model written"
MEMAE_MAX_MEMORY=1M "$BIN" init --preset image2d --max-memory 2G -o "$T/lim.safetensors" >/dev/null \
  && ok "--max-memory wins over MEMAE_MAX_MEMORY" || bad "--max-memory over the variable"
for c in init train oneclass bench eval; do
  "$BIN" $c --help | grep -q -- "--max-memory SIZE" || bad "$c --help: no --max-memory"
done

finish cli_hardening
