#!/bin/bash
# PNG bar charts of the latest (or given) udp-throughput, udp-latency, new-sessions, tls-handshakes and
# tls-throughput TSVs, averaged over runs:
#   results/e2e/udp-throughput.png  (loss-free and saturation rate per path and size)
#   results/e2e/udp-latency.png     (p50, p99, p99.9 per path, 100-byte requests)
#   results/e2e/new-sessions.png    (loss-free new sessions per second per path)
#   results/e2e/tls-handshakes.png  (handshakes/s and balancer CPU per handshake, per path, certificate, protocol)
#   results/e2e/tls-throughput.png  (MB/s and balancer CPU per GB, per path and direction)
# usage: charts.sh [THROUGHPUT.tsv] [LATENCY.tsv] [NEWSESSIONS.tsv] [TLSHANDSHAKES.tsv] [TLSTHROUGHPUT.tsv]
#        (needs gnuplot; installs gnuplot-nox)
set -eu
HERE=$(cd "$(dirname "$0")" && pwd); R=$HERE/../results/e2e
command -v gnuplot >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gnuplot-nox >/dev/null
latest() { ls -t "$R"/$1-*.tsv 2>/dev/null | head -1; }
TP=${1:-$(latest udp-throughput)}; LT=${2:-$(latest udp-latency)}; NS=${3:-$(latest new-sessions)}
TH=${4:-$(latest tls-handshakes)}; TT=${5:-$(latest tls-throughput)}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
ORDER="direct vpnlb-epoll vpnlb-uring nginx"
if [ -n "$TP" ]; then
  # rows: path, lossfree@1400, sat@1400, lossfree@100, sat@100 (kpps, mean over runs)
  for p in $ORDER; do
    awk -F'\t' -v p="$p" 'NR > 1 && $2 == p { n[$3]++; lf[$3] += $4; sd[$3] += $6 }
      END { if (n[1400] + n[100] > 0) printf "%s %.1f %.1f %.1f %.1f\n", p, lf[1400] / (n[1400] ? n[1400] : 1) / 1000,
            sd[1400] / (n[1400] ? n[1400] : 1) / 1000, lf[100] / (n[100] ? n[100] : 1) / 1000,
            sd[100] / (n[100] ? n[100] : 1) / 1000 }' "$TP"
  done >"$T/tp.dat"
  gnuplot <<G
set terminal pngcairo size 900,500; set output "$R/udp-throughput.png"
set title "UDP NAT-T throughput, 64 flows (mean of runs in $(basename "$TP"))"
set style data histograms; set style histogram clustered gap 1; set style fill solid 0.8 border -1
set ylabel "thousand datagrams/s"; set key top right; set grid ytics; set yrange [0:*]
plot "$T/tp.dat" using 2:xtic(1) title "loss-free 1400 B", '' using 3 title "saturation 1400 B", \
     '' using 4 title "loss-free 100 B", '' using 5 title "saturation 100 B"
G
  echo "$R/udp-throughput.png"
fi
if [ -n "$LT" ]; then
  for p in $ORDER; do
    awk -F'\t' -v p="$p" 'NR > 1 && $2 == p && $3 == 100 { n++; a += $6; b += $8; c += $9 }
      END { if (n) printf "%s %.1f %.1f %.1f\n", p, a / n, b / n, c / n }' "$LT"
  done >"$T/lt.dat"
  gnuplot <<G
set terminal pngcairo size 900,500; set output "$R/udp-latency.png"
set title "UDP round trip at a fixed rate, 100-byte requests (mean of runs in $(basename "$LT"))"
set style data histograms; set style histogram clustered gap 1; set style fill solid 0.8 border -1
set ylabel "microseconds (log)"; set logscale y; set key top left; set grid ytics
plot "$T/lt.dat" using 2:xtic(1) title "p50", '' using 3 title "p99", '' using 4 title "p99.9"
G
  echo "$R/udp-latency.png"
fi
if [ -n "$NS" ]; then
  for p in $ORDER; do
    awk -F'\t' -v p="$p" 'NR > 1 && $2 == p { n++; a += $3; b += $5 }
      END { if (n) printf "%s %.1f %.1f\n", p, a / n / 1000, b / n / 1000 }' "$NS"
  done >"$T/ns.dat"
  gnuplot <<G
set terminal pngcairo size 900,500; set output "$R/new-sessions.png"
set title "New sessions per second, ESP first datagrams (mean of runs in $(basename "$NS"))"
set style data histograms; set style histogram clustered gap 1; set style fill solid 0.8 border -1
set ylabel "thousand new clients/s"; set key top right; set grid ytics; set yrange [0:*]
plot "$T/ns.dat" using 2:xtic(1) title "loss-free", '' using 3 title "admitted at saturation"
G
  echo "$R/new-sessions.png"
fi
if [ -n "$TH" ]; then
  # rows: path, then rate and CPU us per handshake for ecdsa 1.3, ecdsa 1.2, rsa 1.3, rsa 1.2 (mean over runs)
  for p in vpnlb vpnlb-tcp haproxy; do
    awk -F'\t' -v p="$p" 'NR > 1 && $4 == p { k = $2 " " $3; n[k]++; r[k] += $7; c[k] += $11 }
      function m(s, k) { return n[k] ? s[k] / n[k] : "-" }
      END { if (length(n)) printf "%s %s %s %s %s %s %s %s %s\n", p, m(r, "ecdsa 1.3"), m(r, "ecdsa 1.2"),
            m(r, "rsa 1.3"), m(r, "rsa 1.2"), m(c, "ecdsa 1.3"), m(c, "ecdsa 1.2"), m(c, "rsa 1.3"),
            m(c, "rsa 1.2") }' "$TH"
  done >"$T/th.dat"
  gnuplot <<G
set terminal pngcairo size 1200,500; set output "$R/tls-handshakes.png"; set datafile missing "-"
set multiplot layout 1,2 title "Full TLS handshakes, 32 concurrent connections (mean of runs in $(basename "$TH"))"
set style data histograms; set style histogram clustered gap 1; set style fill solid 0.8 border -1
set key below horizontal; set grid ytics; set yrange [0:*]
set title "handshakes/s (higher is better)"; set ylabel "handshakes/s"
plot "$T/th.dat" using 2:xtic(1) title "ECDSA TLS 1.3", '' using 3 title "ECDSA TLS 1.2", \
     '' using 4 title "RSA TLS 1.3", '' using 5 title "RSA TLS 1.2"
set title "balancer CPU per handshake (lower is better)"; set ylabel "microseconds"
plot "$T/th.dat" using 6:xtic(1) title "ECDSA TLS 1.3", '' using 7 title "ECDSA TLS 1.2", \
     '' using 8 title "RSA TLS 1.3", '' using 9 title "RSA TLS 1.2"
unset multiplot
G
  echo "$R/tls-handshakes.png"
fi
if [ -n "$TT" ]; then
  # rows: path, MB/s down, MB/s echo, CPU s/GB down, CPU s/GB echo (mean over runs; "-" for direct's CPU)
  for p in direct vpnlb-terminate vpnlb-tcp-terminate haproxy-terminate vpnlb-passthrough haproxy-passthrough; do
    awk -F'\t' -v p="$p" 'NR > 1 && $3 == p { n[$2]++; m[$2] += $6; c[$2] += $8 }
      function v(s, k) { return n[k] ? s[k] / n[k] : "-" }
      function cpu(k) { return n[k] && c[k] >= 0 ? c[k] / n[k] : "-" }
      END { if (length(n)) printf "%s %s %s %s %s\n", p, v(m, "down"), v(m, "echo"), cpu("down"), cpu("echo") }' "$TT"
  done >"$T/tt.dat"
  gnuplot <<G
set terminal pngcairo size 1200,500; set output "$R/tls-throughput.png"; set datafile missing "-"
set multiplot layout 1,2 title "TLS 1.3 bulk throughput, 8 connections (mean of runs in $(basename "$TT"))"
set style data histograms; set style histogram clustered gap 1; set style fill solid 0.8 border -1
set key top right; set grid ytics; set yrange [0:*]; set offsets 0, 0, graph 0.05, 0; set xtics rotate by -30
set title "MB/s (higher is better)"; set ylabel "MB/s"
plot "$T/tt.dat" using 2:xtic(1) title "down", '' using 3 title "echo"
set title "balancer CPU per GB (lower is better)"; set ylabel "CPU seconds per GB"
plot "$T/tt.dat" using 4:xtic(1) title "down", '' using 5 title "echo"
unset multiplot
G
  echo "$R/tls-throughput.png"
fi
