#!/usr/bin/env bash
# Run by `make check-install` after `make install PREFIX=$INST`: build main.c
# against the installed copy through pkg-config, linked to libmemae.so and
# then to libmemae.a (--static), and run both.  Env: INST, CC, OUT (a folder).
set -u
CC=${CC:-cc}
export PKG_CONFIG_PATH=$INST/lib/pkgconfig
mkdir -p "$OUT"
fails=0
ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; fails=$((fails + 1)); }
SRC=$(dirname "$0")/main.c

# Shared: the program needs the library at run time (LD_LIBRARY_PATH, as the
# prefix is not in ld.so's path) and records its SONAME.
if $CC -o "$OUT/shared" "$SRC" $(pkg-config --cflags --libs memae) -lm 2>"$OUT/shared.log"; then
  ok "built against libmemae.so: $(pkg-config --libs memae)"
  readelf -d "$OUT/shared" | grep -q 'NEEDED.*\[libmemae\.so\.0\]' && ok "needs libmemae.so.0" \
    || bad "NEEDED: $(readelf -d "$OUT/shared" | grep NEEDED | tr '\n' ' ')"
  LD_LIBRARY_PATH=$INST/lib "$OUT/shared" "$OUT/shared.safetensors" && ok "runs (shared)" \
    || bad "run (shared)"
else
  bad "build (shared): $(cat "$OUT/shared.log")"
fi

# Static: libmemae.a (-l:libmemae.a, since -lmemae would pick the .so beside
# it) with everything pkg-config --static adds for its dependencies.
libs=$(pkg-config --static --libs memae | sed 's/-lmemae\b/-l:libmemae.a/')
if $CC -o "$OUT/static" "$SRC" $(pkg-config --static --cflags memae) $libs 2>"$OUT/static.log"; then
  ok "built against libmemae.a: pkg-config --static --libs memae"
  readelf -d "$OUT/static" | grep -q 'NEEDED.*libmemae' && bad "static build needs libmemae.so" \
    || ok "no libmemae.so needed"
  "$OUT/static" "$OUT/static.safetensors" && ok "runs (static)" || bad "run (static)"
else
  bad "build (static, $libs): $(cat "$OUT/static.log")"
fi
[ $fails -eq 0 ] && echo "check-install: all passed" || { echo "check-install: $fails failed"; exit 1; }
