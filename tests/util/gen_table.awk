# Generated records with a known anomaly share for tests/cli_tabular.sh.
# usage: awk -v n=1000 -v frac=0.1 -v seed=1 [-v header=1] [-v labels=1] -f gen_table.awk
# Normal records lie near a 2-dim linear subspace of R^6 (plus noise 0.2) and are
# tcp or udp; the first frac*n records are anomalies: two distinct features
# shifted by +-3, and icmp half of the time.  Columns a..f, proto, label.
function gauss() { return sqrt(-2 * log(1 - rand())) * cos(6.283185307 * rand()) }
BEGIN {
  srand(seed)
  split("1 0 0.5 1 -1 0.3", w1, " "); split("0 1 0.5 -1 1 1", w2, " ")
  if (header) print "a,b,c,d,e,f,proto" (labels ? ",label" : "")
  for (i = 0; i < n; i++) {
    anom = i < frac * n
    z1 = gauss(); z2 = gauss()
    for (j = 1; j <= 6; j++) x[j] = w1[j] * z1 + w2[j] * z2 + 0.2 * gauss()
    if (anom) {
      j0 = 1 + int(rand() * 6); j1 = 1 + (j0 + int(rand() * 5)) % 6
      x[j0] += rand() < 0.5 ? 3 : -3; x[j1] += rand() < 0.5 ? 3 : -3
    }
    proto = (anom && rand() < 0.5) ? "icmp" : (rand() < 0.5 ? "tcp" : "udp")
    line = sprintf("%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%s", x[1], x[2], x[3], x[4], x[5], x[6], proto)
    if (labels) line = line "," (anom ? "attack" : "normal")
    print line
  }
}
