#!/bin/bash
# Full TLS handshakes per second through a terminating balancer (no session resumption), at a fixed concurrency of
# 32 connections from tlsgen (2 threads). Each connection: TCP connect, full handshake, an SSTP_DUPLEX_POST request
# forwarded in plaintext to the member, the member's "HTTP/1.1 200" read back, close_notify and FIN, then a new
# connection takes its place. Paths, one after the other, each with the same certificate:
#   vpnlb      vpnlb `type: sstp`, tls.mode terminate (what an SSTP farm runs), $LOOPS event loops, epoll
#   vpnlb-tcp  vpnlb `type: tcp`, tls.mode terminate (TLS offload without the SSTP request check)
#   haproxy    HAProxy `mode tcp`, `bind ... ssl crt`, nbthread $LOOPS
# all forwarding to the same plain TCP member (tlsgen serve, 127.0.3.1). Certificates (generated here): ECDSA P-256
# and RSA 2048; protocols TLS 1.3 (TLS_AES_128_GCM_SHA256) and TLS 1.2 (ECDHE-*-AES128-GCM-SHA256), key exchange
# X25519: the client offers one cipher suite, and X25519 first (P-256 second, which TLS 1.2 needs to accept an
# ECDSA P-256 certificate), so that every path does the same cryptography.
# Reports handshakes/s, connect-to-answer p50/p99 and the balancer's CPU time per handshake (utime + stime of its
# process over the measured window), and each vpnlb path against HAProxy in the same run. Loopback only; cleans
# up on exit; bounded by a watchdog. Writes the log and a TSV to benchmarks/results/e2e/.
#
# The JVM needs a long warm-up here: under this load C2 compiles for about a minute after start (on a busy 2-core
# machine), during which vpnlb's CPU cost per handshake is 2x-3x its steady state. Each vpnlb path is therefore
# first driven with the same load (5 s per protocol, not measured) for at least --jit-warmup seconds and until its
# JIT compiled for less than 1 s during such a chunk (at most 4 x --jit-warmup); the log gives the JIT compilation
# time that still fell into each measured window.
#
# usage: tls-handshakes.sh [--smoke] [--certs "ecdsa rsa"] [--tls "1.3 1.2"] [--paths "vpnlb vpnlb-tcp haproxy"]
#        [--duration SECONDS] [--warmup SECONDS] [--jit-warmup SECONDS] [--conns N] [--repeat N]
# env:   LOOPS (event loops and HAProxy threads, default nproc), BENCH_PORT (default 25500), VPNLB_JAVA_OPTS, KEEP=1
set -u
. "$(dirname "$0")/lib.sh"

CERTS="ecdsa rsa"; PROTOS="1.3 1.2"; PATHS="vpnlb vpnlb-tcp haproxy"; DURATION=5; WARMUP=3; JIT_WARMUP=30; CONNS=32
REPEAT=1; SMOKE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) SMOKE=1; DURATION=0.5; WARMUP=0.3; JIT_WARMUP=0; CERTS=ecdsa ;;
    --jit-warmup) JIT_WARMUP=$2; shift ;;
    --certs) CERTS=$2; shift ;;
    --tls) PROTOS=$2; shift ;;
    --paths) PATHS=$2; shift ;;
    --duration) DURATION=$2; shift ;;
    --warmup) WARMUP=$2; shift ;;
    --conns) CONNS=$2; shift ;;
    --repeat) REPEAT=$2; shift ;;
    *) echo "usage: $0 [--smoke] [--certs C] [--tls V] [--paths P] [--duration S] [--warmup S] [--jit-warmup S]" \
            "[--conns N] [--repeat N]" >&2; exit 2 ;;
  esac
  shift
done
watchdog $((SMOKE ? 180 : 1800 * REPEAT))

ensure_pkgs haproxy openssl && build_tlsgen && ensure_jar && make_certs || exit 1
start_tls_members || exit 1
open_results tls-handshakes
tls_machine_line | tee "$OUT.log"
echo "settings: $CONNS concurrent connections from tlsgen (2 threads), ${DURATION}s measured after ${WARMUP}s of the" \
  "same load (vpnlb: after at least ${JIT_WARMUP}s of JIT warm-up), event loops / HAProxy threads $LOOPS," \
  "repeat $REPEAT" | tee -a "$OUT.log"
printf 'run\tcert\ttls\tpath\thandshakes\tseconds\trate\tfailed\tp50_ms\tp99_ms\tcpu_us_per_hs\n' >"$OUT.tsv"

start_path() { # start_path PATH CERT: sets BALANCER_PID
  local path=$1 cert=$2
  case "$path" in
    vpnlb|vpnlb-tcp)
      local type=sstp; [ "$path" = vpnlb-tcp ] && type=tcp
      write_vpnlb_tls_config "$W/$path.yaml" "$type" terminate "$W/$cert.pem" \
        && start_vpnlb "$W/$path.yaml" "$path-$cert" || return 1
      echo "  vpnlb TLS provider: $(vpnlb_tls_provider "$path-$cert")" | tee -a "$OUT.log"
      BALANCER_PID=$VPNLB_PID
      jit_warmup ;;
    haproxy) start_haproxy terminate "$W/$cert.pem" || return 1; BALANCER_PID=$HAPROXY_PID ;;
    *) log "unknown path $path"; return 1 ;;
  esac
}

stop_path() { # stop_path PATH
  case "$1" in
    vpnlb*) echo "  vpnlb counters: accepted $(metric vpnlb_tcp_connections_accepted_total)" \
              "forwarded $(metric vpnlb_tcp_connections_opened_total)" \
              "sstp requests $(metric vpnlb_sstp_requests_total) drops: $(tcp_drops_by_reason)" | tee -a "$OUT.log"
            stop_vpnlb ;;
    haproxy) stop_haproxy ;;
  esac
}

# jit_chunk: 5 s of the measured load per protocol, not measured.
jit_chunk() {
  local tls
  for tls in $PROTOS; do
    timeout 60 "$TLSGEN" hs --target "$VIP:$TLS_PORT" --conns "$CONNS" --threads 2 --duration 5 --warmup 0 \
      --tls "$tls" --label jit-warmup >/dev/null 2>&1
  done
}
jit_warmup() { jit_settle "$JIT_WARMUP" jit_chunk; }

measure() { # measure RUN CERT PATH TLS
  local run=$1 cert=$2 path=$3 tls=$4 line jit0
  case "$path" in vpnlb*) jit0=$(jit_seconds) ;; esac
  line=$(timeout 300 "$TLSGEN" hs --target "$VIP:$TLS_PORT" --conns "$CONNS" --threads 2 --duration "$DURATION" \
           --warmup "$WARMUP" --tls "$tls" --cpu-pid "$BALANCER_PID" --label "$path-$cert-tls$tls" 2>&1 \
           | tee -a "$OUT.log" | tee -a /dev/stderr | grep '^RESULT')
  case "$path" in vpnlb*) echo "  JIT compilation during the warm-up and measured window: $(awk -v a="$jit0" \
                           -v b="$(jit_seconds)" 'BEGIN { printf "%.2f", b - a }') s" | tee -a "$OUT.log" ;; esac
  [ -n "$line" ] || { log "$path: no result"; return 1; }
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$run" "$cert" "$tls" "$path" "$(field "$line" handshakes)" \
    "$(field "$line" seconds)" "$(field "$line" rate)" "$(field "$line" failed)" "$(field "$line" p50_ms)" \
    "$(field "$line" p99_ms)" "$(field "$line" cpu_us_per_hs)" >>"$OUT.tsv"
}

for run in $(seq 1 "$REPEAT"); do
  for cert in $CERTS; do
    for path in $PATHS; do
      echo "== run $run, $path, $cert certificate" | tee -a "$OUT.log"
      if start_path "$path" "$cert"; then
        for tls in $PROTOS; do
          measure "$run" "$cert" "$path" "$tls" || echo "  $path TLS $tls: FAILED (see stderr)" | tee -a "$OUT.log"
        done
      else
        echo "  $path: FAILED to start (see stderr)" | tee -a "$OUT.log"
      fi
      stop_path "$path"
    done
  done
done

# Each path against HAProxy of the same run, certificate and protocol: rate (higher is better) and balancer CPU
# per handshake (lower is better).
{
  echo
  echo "handshakes/s and balancer CPU per handshake, against haproxy in the same run:"
  printf '%-4s %-6s %-4s %-10s %10s %10s %10s %12s %12s\n' run cert tls path rate vs_haproxy p99_ms cpu_us_per_hs \
    cpu_vs_haproxy
  awk -F'\t' 'function r(a, b) { if (b > 0) return sprintf("%.2f", a / b); return "n/a" }
    NR > 1 { k = $1 " " $2 " " $3 " " $4; rate[k] = $7; p99[k] = $10; cpu[k] = $11; keys[k] = 1 }
    END { for (k in keys) { split(k, p, " "); h = p[1] " " p[2] " " p[3] " haproxy";
            printf "%-4s %-6s %-4s %-10s %10.0f %10s %10.1f %12.0f %12s\n", p[1], p[2], p[3], p[4], rate[k],
              r(rate[k], rate[h]), p99[k], cpu[k], r(cpu[k], cpu[h]) } }' "$OUT.tsv" | sort -k1,1n -k2,2 -k3,3r -k4,4
} | tee -a "$OUT.log"
echo "results: $OUT.log $OUT.tsv" >&2
[ "$SMOKE" = 1 ] && grep -q $'\t' <(tail -n +2 "$OUT.tsv") && ! grep -q FAILED "$OUT.log" && echo "smoke: ok"
exit 0
