#!/bin/bash
# Bulk TLS throughput over 8 long connections from tlsgen (2 threads), TLS 1.3 with TLS_AES_128_GCM_SHA256 and an
# ECDSA P-256 certificate. Every connection opens with an SSTP_DUPLEX_POST request and the member's "HTTP/1.1 200",
# then carries SSTP data packets of 4,000 bytes:
#   down  the member streams to the client (the heavy direction of a VPN)
#   echo  the client sends (at most 256 KiB unanswered per connection) and the member echoes
# counted as application bytes the client received in the measured window. Paths, one after the other:
#   direct               client -> TLS member (tlsgen serve with the same certificate), no balancer: the ceiling
#   vpnlb-terminate      vpnlb `type: sstp`, tls.mode terminate -> plain member ($LOOPS event loops, epoll)
#   vpnlb-tcp-terminate  vpnlb `type: tcp`, tls.mode terminate -> plain member (no SSTP packet inspection)
#   haproxy-terminate    HAProxy `mode tcp`, `bind ... ssl crt` -> plain member (nbthread $LOOPS)
#   vpnlb-passthrough    vpnlb `type: sstp`, tls.mode passthrough -> TLS member
#   haproxy-passthrough  HAProxy `mode tcp` without TLS -> TLS member
# Reports MB/s and the balancer's CPU seconds per GB carried (utime + stime of its process over the measured
# window), each path against HAProxy in the same mode and run, and against direct. Loopback only; cleans up on
# exit; bounded by a watchdog. Writes the log and a TSV to benchmarks/results/e2e/.
#
# Each vpnlb path is first driven with the same load (5 s per direction, not measured) for at least --jit-warmup
# seconds and until its JIT compiled for less than 1 s during such a chunk (at most 4 x --jit-warmup), so that the
# data path runs compiled; the log gives the JIT compilation time that still fell into each measured window.
#
# usage: tls-throughput.sh [--smoke] [--dirs "down echo"] [--paths P] [--duration SECONDS] [--warmup SECONDS]
#        [--jit-warmup SECONDS] [--conns N] [--repeat N]
# env:   LOOPS (event loops and HAProxy threads, default nproc), BENCH_PORT (default 25500), VPNLB_JAVA_OPTS, KEEP=1
set -u
. "$(dirname "$0")/lib.sh"

DIRS="down echo"; DURATION=5; WARMUP=3; JIT_WARMUP=30; CONNS=8; REPEAT=1; SMOKE=0
PATHS="direct vpnlb-terminate vpnlb-tcp-terminate haproxy-terminate vpnlb-passthrough haproxy-passthrough"
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) SMOKE=1; DURATION=0.5; WARMUP=0.3; JIT_WARMUP=0 ;;
    --jit-warmup) JIT_WARMUP=$2; shift ;;
    --dirs) DIRS=$2; shift ;;
    --paths) PATHS=$2; shift ;;
    --duration) DURATION=$2; shift ;;
    --warmup) WARMUP=$2; shift ;;
    --conns) CONNS=$2; shift ;;
    --repeat) REPEAT=$2; shift ;;
    *) echo "usage: $0 [--smoke] [--dirs D] [--paths P] [--duration S] [--warmup S] [--conns N] [--repeat N]" >&2
       exit 2 ;;
  esac
  shift
done
watchdog $((SMOKE ? 180 : 3600))

ensure_pkgs haproxy openssl && build_tlsgen && ensure_jar && make_certs || exit 1
start_tls_members || exit 1
open_results tls-throughput
tls_machine_line | tee "$OUT.log"
echo "settings: $CONNS connections from tlsgen (2 threads), TLS 1.3 AES-128-GCM, ${DURATION}s measured after" \
  "${WARMUP}s of the same load (vpnlb: after at least ${JIT_WARMUP}s of JIT warm-up), event loops / HAProxy" \
  "threads $LOOPS, repeat $REPEAT" | tee -a "$OUT.log"
printf 'run\tdir\tpath\tbytes\tseconds\tmbps\tfailed\tcpu_s_per_gb\n' >"$OUT.tsv"

start_path() { # start_path PATH: sets TARGET and BALANCER_PID (empty for direct)
  local path=$1
  TARGET=$VIP:$TLS_PORT; BALANCER_PID=
  case "$path" in
    direct) TARGET=$MEMBER_A:$TLS_MEMBER_TLS_PORT ;;
    vpnlb-terminate) write_vpnlb_tls_config "$W/$path.yaml" sstp terminate "$W/ecdsa.pem" ;;
    vpnlb-tcp-terminate) write_vpnlb_tls_config "$W/$path.yaml" tcp terminate "$W/ecdsa.pem" ;;
    vpnlb-passthrough) write_vpnlb_tls_config "$W/$path.yaml" sstp passthrough ;;
    haproxy-terminate) start_haproxy terminate "$W/ecdsa.pem" || return 1; BALANCER_PID=$HAPROXY_PID ;;
    haproxy-passthrough) start_haproxy passthrough || return 1; BALANCER_PID=$HAPROXY_PID ;;
    *) log "unknown path $path"; return 1 ;;
  esac
  case "$path" in
    vpnlb-*) start_vpnlb "$W/$path.yaml" "$path" || return 1; BALANCER_PID=$VPNLB_PID
             [ "$path" = vpnlb-passthrough ] \
               || echo "  vpnlb TLS provider: $(vpnlb_tls_provider "$path")" | tee -a "$OUT.log"
             jit_warmup ;;
  esac
}

# jit_chunk: 5 s of the measured load per direction, not measured.
jit_chunk() {
  local dir
  for dir in $DIRS; do
    timeout 60 "$TLSGEN" bulk --target "$TARGET" --conns "$CONNS" --threads 2 --duration 5 --warmup 0 \
      --tls 1.3 --dir "$dir" --label jit-warmup >/dev/null 2>&1
  done
}
jit_warmup() { jit_settle "$JIT_WARMUP" jit_chunk; }

stop_path() { # stop_path PATH
  case "$1" in
    vpnlb-*) echo "  vpnlb counters: accepted $(metric vpnlb_tcp_connections_accepted_total)" \
               "rx $(metric vpnlb_tcp_rx_bytes_total) tx $(metric vpnlb_tcp_tx_bytes_total)" \
               "drops: $(tcp_drops_by_reason)" | tee -a "$OUT.log"
             stop_vpnlb ;;
    haproxy-*) stop_haproxy ;;
  esac
}

measure() { # measure RUN PATH DIR
  local run=$1 path=$2 dir=$3 line cpu=() jit0
  [ -n "$BALANCER_PID" ] && cpu=(--cpu-pid "$BALANCER_PID")
  case "$path" in vpnlb*) jit0=$(jit_seconds) ;; esac
  line=$(timeout 300 "$TLSGEN" bulk --target "$TARGET" --conns "$CONNS" --threads 2 --duration "$DURATION" \
           --warmup "$WARMUP" --tls 1.3 --dir "$dir" "${cpu[@]}" --label "$path-$dir" 2>&1 \
           | tee -a "$OUT.log" | tee -a /dev/stderr | grep '^RESULT')
  case "$path" in vpnlb*) echo "  JIT compilation during the warm-up and measured window: $(awk -v a="$jit0" \
                           -v b="$(jit_seconds)" 'BEGIN { printf "%.2f", b - a }') s" | tee -a "$OUT.log" ;; esac
  [ -n "$line" ] || { log "$path: no result"; return 1; }
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$run" "$dir" "$path" "$(field "$line" bytes)" "$(field "$line" seconds)" \
    "$(field "$line" mbps)" "$(field "$line" failed)" "$(field "$line" cpu_s_per_gb)" >>"$OUT.tsv"
}

for run in $(seq 1 "$REPEAT"); do
  for path in $PATHS; do
    echo "== run $run, $path" | tee -a "$OUT.log"
    if start_path "$path"; then
      for dir in $DIRS; do
        measure "$run" "$path" "$dir" || echo "  $path $dir: FAILED (see stderr)" | tee -a "$OUT.log"
      done
    else
      echo "  $path: FAILED to start (see stderr)" | tee -a "$OUT.log"
    fi
    stop_path "$path"
  done
done

# Each path against HAProxy in the same mode (terminate or passthrough), run and direction, and against direct;
# balancer CPU per GB (lower is better) against HAProxy's.
{
  echo
  echo "MB/s and balancer CPU seconds per GB, against haproxy (same mode) and direct in the same run:"
  printf '%-4s %-5s %-20s %9s %10s %10s %10s %12s\n' run dir path MB/s vs_haproxy vs_direct cpu_s_per_gb \
    cpu_vs_haproxy
  awk -F'\t' 'function r(a, b) { if (b > 0) return sprintf("%.2f", a / b); return "n/a" }
    NR > 1 { k = $1 " " $2 " " $3; mbps[k] = $6; cpu[k] = $8; keys[k] = 1 }
    END { for (k in keys) { split(k, p, " "); g = p[1] " " p[2] " "; h = "";
            if (p[3] ~ /terminate$/) h = g "haproxy-terminate"
            else if (p[3] ~ /passthrough$/) h = g "haproxy-passthrough"
            printf "%-4s %-5s %-20s %9.1f %10s %10s %10s %12s\n", p[1], p[2], p[3], mbps[k],
              h == "" ? "-" : r(mbps[k], mbps[h]), r(mbps[k], mbps[g "direct"]),
              cpu[k] < 0 ? "-" : sprintf("%.2f", cpu[k]), h == "" || cpu[k] < 0 ? "-" : r(cpu[k], cpu[h]) } }' \
    "$OUT.tsv" | sort -k1,1n -k2,2 -k3,3
} | tee -a "$OUT.log"
echo "results: $OUT.log $OUT.tsv" >&2
[ "$SMOKE" = 1 ] && grep -q $'\t' <(tail -n +2 "$OUT.tsv") && ! grep -q FAILED "$OUT.log" && echo "smoke: ok"
exit 0
