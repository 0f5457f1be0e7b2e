# Shared by tests/cli_*.sh: a temporary folder, ok/bad counters, expect_error.
BIN=${MEMAE_BIN:-build/memae}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; fails=$((fails + 1)); }

# expect_error NAME NEEDLE CMD...: non-zero exit, exactly one stderr line containing NEEDLE
expect_error() {
  local name=$1 needle=$2; shift 2
  if "$@" >"$T/out" 2>"$T/err"; then bad "$name: exit status 0"; return; fi
  if [ "$(wc -l <"$T/err")" -ne 1 ] || ! grep -q -- "$needle" "$T/err"; then
    bad "$name: stderr was: $(cat "$T/err")"; return; fi
  ok "$name"
}

# finish NAME: the summary line and the exit status
finish() {
  [ $fails -eq 0 ] && echo "$1: all passed" || { echo "$1: $fails failed"; exit 1; }
}
