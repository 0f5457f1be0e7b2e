#!/usr/bin/env bash
# libmemae.so exports exactly the public API: the names memae.h declares with
# MEMAE_API, no internal memae_* / dn_* helper, and no declaration left
# unmarked (so a new function cannot be forgotten).  Also its SONAME.
set -u
. "$(dirname "$0")/util/cli.sh"
LIB=${MEMAE_LIB:-$(dirname "$BIN")/libmemae.so}
H=$(dirname "$0")/../include/memae.h

# Declared: the name before the first '(' or '[' of each MEMAE_API line.
sed -n 's/^MEMAE_API[^(\[]*[^a-zA-Z0-9_(\[]\([a-zA-Z_][a-zA-Z0-9_]*\)[(\[].*/\1/p' "$H" | sort >"$T/declared"
nm -D --defined-only "$LIB" | awk '{print $NF}' | sort >"$T/exported"
[ "$(wc -l <"$T/declared")" -gt 30 ] && ok "$(wc -l <"$T/declared") names declared with MEMAE_API" \
  || bad "too few MEMAE_API declarations parsed from $H"
extra=$(comm -13 "$T/declared" "$T/exported" | tr '\n' ' ')
[ -z "$extra" ] && ok "no symbol exported beyond memae.h ($(wc -l <"$T/exported") exported)" \
  || bad "exported but not in memae.h: $extra"
missing=$(comm -23 "$T/declared" "$T/exported" | tr '\n' ' ')
[ -z "$missing" ] && ok "every MEMAE_API name is exported" || bad "declared but not exported: $missing"
# A declaration at file scope without MEMAE_API (typedefs and macros aside).
unmarked=$(grep -nE '^(extern |const |void|int|size_t|int64_t|uint|double|float|memae_)[^;]*\(' "$H" \
  | grep -v MEMAE_API)
[ -z "$unmarked" ] && ok "every function declared in memae.h is marked MEMAE_API" \
  || bad "declared without MEMAE_API: $unmarked"
readelf -d "$LIB" | grep -q 'SONAME.*\[libmemae\.so\.0\]' && ok "SONAME libmemae.so.0" \
  || bad "SONAME: $(readelf -d "$LIB" | grep SONAME)"
finish cli_exports
