# Ratios of a udp-throughput TSV (run, path, size, lossfree, sat_offered, sat_delivered, ...): each path against
# nginx and against direct of the same run and size.
function r(a, b) { if (b > 0) return sprintf("%.2f", a / b); return "n/a" }
NR > 1 { k = $1 " " $3 " " $2; lf[k] = $4; sd[k] = $6; keys[k] = 1 }
END {
  for (k in keys) {
    split(k, p, " ")
    g = p[1] " " p[2] " "
    printf "%-4s %-6s %-12s %12.0f %12.0f %10s %10s %10s %10s\n", p[1], p[2], p[3], lf[k], sd[k],
      r(lf[k], lf[g "nginx"]), r(lf[k], lf[g "direct"]), r(sd[k], sd[g "nginx"]), r(sd[k], sd[g "direct"])
  }
}
