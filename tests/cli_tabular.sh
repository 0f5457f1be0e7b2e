#!/usr/bin/env bash
# Tables end to end on generated records (tests/util/gen_table.awk: 10% anomalies):
# train / score / predict / eval / explain / the KDD protocol, threshold overrides,
# npz and mat files, and one clear error line per bad table.
set -u
. "$(dirname "$0")/util/cli.sh"
GEN="awk -f $(dirname "$0")/util/gen_table.awk -v frac=0.1 -v header=1"
FX=$(dirname "$0")/fixtures/tables
$GEN -v n=2000 -v seed=1 -v labels=1 >"$T/train.csv"
$GEN -v n=1000 -v seed=2 -v labels=1 >"$T/test.csv"
$GEN -v n=1000 -v seed=2 -v labels=0 >"$T/nolabel.csv"
M="$T/m.safetensors"
num() { sed -n "s/.*\"$1\":[[:space:]]*\([-0-9.e]*\).*/\1/p" "$2" | head -1; }
above() { awk -v a="$1" -v b="$2" 'BEGIN{exit !(a > b)}'; }

for c in train score predict eval explain; do
  "$BIN" $c --help | grep -q -- "--label-column" && ok "$c --help has the table flags" || bad "$c --help"
done
"$BIN" train --help | grep -q -- "--scale S .*(default zscore)" && ok "train --help: --scale" || bad "train --help --scale"
"$BIN" eval --protocol kdd --help | grep -q -- "--runs R .*(default 5)" && ok "eval --protocol kdd --help" || bad "kdd --help"

"$BIN" train --data "$T/train.csv" --label-column label --epochs 50 --threads 1 -o "$M" \
  >"$T/train.out" 2>"$T/train.err" && grep -q "1800 records, 9 features" "$T/train.out" \
  && grep -q "training on the 1800 of 2000 records labelled normal" "$T/train.err" \
  && ok "train on a CSV: 200 labelled anomalies dropped, proto one-hot (6 + 3 features)" \
  || bad "train: $(cat "$T/train.out" "$T/train.err")"
# Categories in the order they first appear (the anomalies come first in the file).
"$BIN" info -m "$M" | grep '^table ' | grep -F '"categories":["icmp","tcp","udp"]' | grep -qF '"kind":"zscore"' \
  && ok "encoding and scaling stored in the model" || bad "no memae_table"

# Chance: ROC-AUC 0.5, F1 about 0.1.  Measured 0.985 and 0.81 (at --contamination 0.1).
"$BIN" eval -m "$M" --data "$T/test.csv" --json >"$T/e.json" && auc=$(num roc_auc "$T/e.json") \
  && above "$auc" 0.95 && ok "eval with the file's labels: ROC-AUC $auc > 0.95" || bad "eval: $(cat "$T/e.json")"
"$BIN" eval -m "$M" --data "$T/test.csv" --contamination 0.1 --json >"$T/c.json" \
  && f1=$(num f1 "$T/c.json") && above "$f1" 0.7 && ok "eval --contamination 0.1: F1 $f1 > 0.7" \
  || bad "eval --contamination: $(cat "$T/c.json")"
t1=$(num threshold "$T/e.json"); t2=$(num threshold "$T/c.json")
[ "$t1" != "$t2" ] && ok "--contamination overrides the stored threshold ($t1 -> $t2)" || bad "same threshold"
"$BIN" eval -m "$M" --data "$T/test.csv" --threshold 1e9 --contamination 0.1 --json >"$T/t.json" \
  && [ "$(num threshold "$T/t.json")" = "1000000000" ] && [ "$(num recall "$T/t.json")" = "0" ] \
  && ok "--threshold wins over --contamination" || bad "--threshold: $(cat "$T/t.json")"

"$BIN" predict -m "$M" --data "$T/nolabel.csv" --contamination 0.1 -o "$T/p.csv" \
  && [ "$(grep -c ',1$' "$T/p.csv")" -eq 100 ] && [ "$(grep -c ',0$' "$T/p.csv")" -eq 900 ] \
  && ok "predict --contamination 0.1 flags 100 of 1000 (0/1 only)" || bad "predict: $(head -3 "$T/p.csv")"
"$BIN" predict -m "$M" --data "$T/nolabel.csv" | awk -F, '$2 != 0 && $2 != 1 {e=1} END {exit e || NR != 1000}' \
  && ok "predict by the stored threshold: 1000 lines of 0/1" || bad "predict stdout"
"$BIN" score -m "$M" --data "$T/test.csv" -o "$T/s1.csv" && "$BIN" score -m "$M" --data "$T/nolabel.csv" -o "$T/s2.csv" \
  && cmp -s "$T/s1.csv" "$T/s2.csv" && ok "the label column is not a feature" || bad "labels changed the scores"
"$BIN" score -m "$M" --data "$T/test.csv" -o "$T/s.npy" && [ "$(stat -c %s "$T/s.npy")" -eq 4128 ] \
  && ok "score .npy" || bad "score npy"

"$BIN" explain -m "$M" --data "$T/test.csv" --top 2 -o "$T/ex.csv" && [ "$(wc -l <"$T/ex.csv")" -eq 2001 ] \
  && head -1 "$T/ex.csv" | grep -q "index,score,anomaly,rank,column,error" && ok "explain: 2 columns per record" \
  || bad "explain: $(head -3 "$T/ex.csv")"
# All 7 columns: their errors over the 9 encoded features add up to the mse score.
"$BIN" explain -m "$M" --data "$T/test.csv" --top 7 -o "$T/all.csv" \
  && awk -F, 'NR > 1 {s[$1] = $2; e[$1] += $6} END {for (i in s) if ((e[i] / 9 - s[i]) ^ 2 > 1e-10 * (1 + s[i] ^ 2)) bad++; exit bad > 0 || length(s) != 1000}' "$T/all.csv" \
  && ok "explain: column errors / 9 = the score, for all 1000 records" || bad "explain sums"
# Anomaly 0 of the test file is icmp or has shifted features: its top column is one of them.
"$BIN" explain -m "$M" --data "$T/test.csv" --top 1 --anomalies --json -o "$T/ex.json" \
  && grep -q '"column"' "$T/ex.json" && ok "explain --anomalies --json" || bad "explain json"
n_anom=$(grep -c '"index"' "$T/ex.json"); n_pred=$("$BIN" predict -m "$M" --data "$T/test.csv" | grep -c ',1$')
[ "$n_anom" -eq "$n_pred" ] && ok "explain --anomalies lists the $n_pred predicted anomalies" || bad "explain --anomalies $n_anom vs $n_pred"

# The KDD protocol: 2 runs, 20% of the test records flagged.  Measured F1 about 0.79.
"$BIN" eval --protocol kdd --data "$T/train.csv" --label-column label --runs 2 --epochs 50 --threads 1 --json >"$T/k.json" \
  && f1=$(num f1 "$T/k.json") && above "$f1" 0.65 && [ "$(grep -c '"seed"' "$T/k.json")" -eq 2 ] \
  && ok "eval --protocol kdd: mean F1 $f1 > 0.65 over 2 runs" || bad "kdd: $(cat "$T/k.json")"

# KDDCUP99's layout: no header, labels by index, "normal." the minority: it becomes the anomaly.
awk -f "$(dirname "$0")/util/gen_table.awk" -v n=500 -v frac=0.8 -v seed=4 -v labels=1 \
  | sed 's/,normal$/,normal./; s/,attack$/,smurf./' >"$T/kdd.csv"
"$BIN" eval --protocol kdd --data "$T/kdd.csv" --label-column 7 --normal-label normal. --runs 1 --epochs 1 --json >"$T/k2.json" \
  && [ "$(num anomaly_label "$T/k2.json")" = "0" ] && [ "$(num test_anomalies "$T/k2.json")" = "100" ] \
  && ok "kdd protocol: the minority label (normal.) is the anomaly" || bad "kdd flip: $(cat "$T/k2.json")"

# Scaling: minmax stored and applied; init gives the identity.
"$BIN" train --data "$T/train.csv" --label-column label --scale minmax --epochs 1 -o "$T/mm.safetensors" >/dev/null 2>&1 \
  && "$BIN" info -m "$T/mm.safetensors" | grep -q '"kind":"minmax"' && ok "train --scale minmax" || bad "minmax"
awk -F, 'NR > 1 {print $1 "," $2 "," $3}' "$T/test.csv" >"$T/three.csv"
"$BIN" init --preset tabular --input-shape 3 -o "$T/i.safetensors" >/dev/null \
  && "$BIN" reconstruct -m "$T/i.safetensors" --data "$T/three.csv" -o "$T/r.npy" \
  && ok "an init model reads a numeric CSV as it is" || bad "init model on CSV"

# A label column named at eval time (a model from init has none), here by index.
awk -F, 'NR > 1 {print $1 "," $2 "," $3 "," ($8 == "attack")}' "$T/test.csv" >"$T/three_y.csv"
"$BIN" eval -m "$T/i.safetensors" --data "$T/three_y.csv" --label-column 3 --threshold 1 --json >"$T/iy.json" \
  && [ "$(num anomalies "$T/iy.json")" = "100" ] && ok "eval --label-column 3 on an init model" || bad "init --label-column"
expect_error "label index out of range" "no column '4' for the labels" \
  "$BIN" eval -m "$T/i.safetensors" --data "$T/three_y.csv" --label-column 4
# Widths and memory of the tabular MLP from --config (the last decoder width defaults to the input's).
"$BIN" train --data "$T/train.csv" --label-column label --epochs 1 -o "$T/cfg.safetensors" \
  --config '{"encoder":[{"out":16},{"out":4}],"decoder":[{"out":16},{}],"memory":{"slots":20}}' >/dev/null 2>&1 \
  && "$BIN" info -m "$T/cfg.safetensors" | grep -q "memory       20 slots" \
  && "$BIN" info -m "$T/cfg.safetensors" | grep -q "decoder.2 .* 16 -> 9 " && ok "train --config widths and memory" \
  || bad "tabular --config"

# npz (ADBench) and mat (ODDS) files with X and y.
for f in stored.npz deflated.npz fortran.npz odds.mat; do
  "$BIN" train --data "$FX/$f" --batch 2 --epochs 1 -o "$T/$f.safetensors" >"$T/o" 2>&1 \
    && grep -q "3 records, 3 features" "$T/o" && "$BIN" eval -m "$T/$f.safetensors" --data "$FX/$f" --threshold 0 >/dev/null \
    && ok "train and eval on $f" || bad "$f: $(cat "$T/o")"
done

# Bad tables: one line naming the file and the place, non-zero exit, no output.
sed '5s/,tcp,/,gre,/;5s/,udp,/,gre,/;5s/,icmp,/,gre,/' "$T/test.csv" >"$T/unseen.csv"
expect_error "unseen category" "unseen.csv: line 5, column 'proto': category 'gre' was not seen" \
  "$BIN" score -m "$M" --data "$T/unseen.csv" -o "$T/x.npy"
sed '7s/,[^,]*$//' "$T/test.csv" >"$T/ragged.csv"
expect_error "ragged row" "ragged.csv: line 7 has 7 fields, the first row has 8" "$BIN" eval -m "$M" --data "$T/ragged.csv"
sed '1s/^a,/x,/' "$T/test.csv" >"$T/renamed.csv"
expect_error "missing column" "no column 'a'" "$BIN" predict -m "$M" --data "$T/renamed.csv" -o "$T/x.csv"
sed '3s/^[^,]*,/,/' "$T/test.csv" >"$T/empty.csv"
expect_error "missing value" "line 3, column 'a': '' is empty" "$BIN" score -m "$M" --data "$T/empty.csv"
printf 'a,b\n1,"2\n' >"$T/quote.csv"
expect_error "unterminated quote" "quote.csv: line 2: a quoted field is never closed" \
  "$BIN" train --data "$T/quote.csv" -o "$T/x.safetensors"
expect_error "unknown label column" "no column 'kind' for the labels" \
  "$BIN" train --data "$T/train.csv" --label-column kind -o "$T/x.safetensors"
expect_error "bad --scale" "--scale: 'robust'" "$BIN" train --data "$T/train.csv" --scale robust -o "$T/x.safetensors"
expect_error "bad --header" "--header: 'maybe'" "$BIN" score -m "$M" --data "$T/test.csv" --header maybe
expect_error "npz without X" "no_x.npz: no array 'X'" "$BIN" train --data "$FX/no_x.npz" -o "$T/x.safetensors"
expect_error "truncated npz" "truncated.npz" "$BIN" score -m "$T/stored.npz.safetensors" --data "$FX/truncated.npz"
expect_error "mat without X" "no_x.mat: no variable 'X'" "$BIN" score -m "$T/odds.mat.safetensors" --data "$FX/no_x.mat"
expect_error "width mismatch" "X has 3 features, the model expects 9" "$BIN" score -m "$M" --data "$FX/odds.mat"
expect_error "kdd without labels" "no labels" "$BIN" eval --protocol kdd --data "$T/nolabel.csv"
left=$(cd "$T" && ls x.* 2>/dev/null)
[ -z "$left" ] && ok "no output after errors" || bad "an error left $left"
ls "$T" | grep -q tmp && bad "temporary file left" || ok "no temporary files"

finish cli_tabular
