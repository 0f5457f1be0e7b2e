#!/usr/bin/env bash
# The memae program: init and info, their help, and one clear error line per bad input.
set -u
. "$(dirname "$0")/util/cli.sh"

"$BIN" --help | grep -q "init" && ok "help lists commands" || bad "help"
for c in init info; do
  "$BIN" $c --help | grep -q -- "--threads" && ok "$c --help" || bad "$c --help"
done

"$BIN" init --preset image2d --seed 3 -o "$T/a.safetensors" >/dev/null && ok "init image2d" || bad "init image2d"
"$BIN" init --preset image2d --seed 3 -o "$T/b.safetensors" >/dev/null
cmp -s "$T/a.safetensors" "$T/b.safetensors" && ok "same seed, same file" || bad "seeded init differs"
"$BIN" info -m "$T/a.safetensors" | grep -q "parameters   104865" && ok "info" || bad "info"
"$BIN" info -m "$T/a.safetensors" --json | grep -q '"parameters":	104865' && ok "info --json" || bad "info --json"
"$BIN" init --preset tabular --input-shape 30 -o "$T/t.safetensors" >/dev/null && ok "init tabular 30" || bad "init tabular"
"$BIN" init --preset image2d --config '{"memory":{"slots":50,"addressing":"cosine"}}' --input-shape 3x32x32 -o "$T/c.safetensors" >/dev/null \
  && "$BIN" info -m "$T/c.safetensors" | grep -q "50 slots, shrink_thres 0.02, cosine" && ok "init --config" || bad "init --config"

expect_error "init without -o" "-o MODEL is required" "$BIN" init --preset image2d
expect_error "unknown preset" "unknown preset 'video'" "$BIN" init --preset video -o "$T/x.safetensors"
expect_error "bad shape text" "--input-shape" "$BIN" init --preset image2d --input-shape 1x28 -o "$T/x.safetensors"
expect_error "shape too small" "too small" "$BIN" init --preset image2d --input-shape 1x5x5 -o "$T/x.safetensors"
expect_error "bad threads" "--threads" "$BIN" init --threads many -o "$T/x.safetensors"
expect_error "bad config json" "not a JSON object" "$BIN" init --config '{oops' -o "$T/x.safetensors"
expect_error "missing model" "cannot open" "$BIN" info -m "$T/none.safetensors"
head -c 100 "$T/a.safetensors" > "$T/trunc.safetensors"
expect_error "truncated model" "trunc.safetensors" "$BIN" info -m "$T/trunc.safetensors"
[ ! -e "$T/x.safetensors" ] && ok "no output after errors" || bad "an error left a file"
ls "$T" | grep -q tmp && bad "temporary file left" || ok "no temporary files"
expect_error "unwritable output" "cannot" "$BIN" init -o /nonexistent/dir/m.safetensors

# The default backend: dnnl, or ref in a build without oneDNN (make DNNL=0),
# where asking for dnnl is one error line that says so.
BENCH=(bench --preset tabular --input-shape 6 --steps 1 --batch 4 --json)
if [ "${MEMAE_DNNL:-1}" = 0 ]; then
  "$BIN" "${BENCH[@]}" | grep -q '"backend":"ref"' && ok "default backend ref (DNNL=0)" || bad "default backend"
  expect_error "--backend dnnl without oneDNN" "DNNL=0" "$BIN" "${BENCH[@]}" --backend dnnl
else
  "$BIN" "${BENCH[@]}" | grep -q '"backend":"dnnl"' && ok "default backend dnnl" || bad "default backend"
fi
"$BIN" "${BENCH[@]}" --backend ref | grep -q '"backend":"ref"' && ok "--backend ref" || bad "--backend ref"

# The program reaches the library through memae.h only: no header under src/.
R=$(dirname "$0")/..
grep -rn '#include "[^"]*/' "$R/cli" >"$T/inc" && bad "cli/ includes a library header: $(cat "$T/inc")" \
  || ok "cli/ includes memae.h only"

finish cli_basic
