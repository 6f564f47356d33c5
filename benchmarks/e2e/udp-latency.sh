#!/bin/bash
# UDP request/response latency on the NAT-T port at a fixed moderate rate (open loop, default 10,000 requests/s
# over 16 client flows; each request an ESP-in-UDP datagram carrying its send time; the two members echo it).
# Paths: direct (no balancer), vpnlb-epoll, vpnlb-uring, nginx ($LOOPS workers, hash $remote_addr consistent).
# Prints p50/p90/p99/p99.9/max of the round trip, and the p99 added by each balancer over the direct path.
# Loopback only; cleans up on exit; bounded by a watchdog. Writes the log and a TSV to benchmarks/results/e2e/.
#
# usage: udp-latency.sh [--smoke] [--rate PPS] [--duration SECONDS] [--sizes "100 1400"] [--paths P] [--repeat N]
# env:   WARM_SECONDS (unmeasured traffic through a balancer before its measurement, default 2),
#        BASELINE_JAR (adds the path vpnlb-baseline: epoll with that jar, for a before/after pair in one run)
set -u
. "$(dirname "$0")/lib.sh"

RATE=10000; DURATION=5; SIZES="100 1400"; PATHS="direct vpnlb-epoll vpnlb-uring nginx"; REPEAT=1; SMOKE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) SMOKE=1; DURATION=0.5; SIZES=100; RATE=2000 ;;
    --rate) RATE=$2; shift ;;
    --duration) DURATION=$2; shift ;;
    --sizes) SIZES=$2; shift ;;
    --paths) PATHS=$2; shift ;;
    --repeat) REPEAT=$2; shift ;;
    *) echo "usage: $0 [--smoke] [--rate PPS] [--duration S] [--sizes S] [--paths P] [--repeat N]" >&2; exit 2 ;;
  esac
  shift
done
watchdog $((SMOKE ? 180 : 1800))

ensure_nginx && build_udpgen && ensure_jar || exit 1
io_uring_ok || PATHS=${PATHS//vpnlb-uring/}
[ -n "${BASELINE_JAR:-}" ] && [[ " $PATHS " != *" vpnlb-baseline "* ]] && PATHS="$PATHS vpnlb-baseline"
open_results udp-latency
machine_line | tee "$OUT.log"
echo "settings: 16 flows, $RATE requests/s, ${DURATION}s measured after 1s warm-up, event loops / nginx workers $LOOPS" \
  | tee -a "$OUT.log"
printf 'run\tpath\tsize\trequests\treplies\tp50_us\tp90_us\tp99_us\tp999_us\tmax_us\n' >"$OUT.tsv"

run_path() { # run_path PATH SIZE RUN
  local path=$1 size=$2 run=$3 target="$VIP:$NATT_PORT" warm=0
  case "$path" in
    direct) target=$MEMBERS ;;
    vpnlb-epoll) write_vpnlb_config "$W/epoll.yaml" epoll && start_vpnlb "$W/epoll.yaml" vpnlb-epoll || return 1; warm=1 ;;
    vpnlb-baseline) write_vpnlb_config "$W/epoll.yaml" epoll && start_vpnlb "$W/epoll.yaml" vpnlb-baseline "$W/vpnlb-baseline.jar" || return 1; warm=1 ;;
    vpnlb-uring) write_vpnlb_config "$W/uring.yaml" io_uring && start_vpnlb "$W/uring.yaml" vpnlb-uring || return 1
                 warm=1 ;;
    nginx) start_nginx "$LOOPS" 60s || return 1 ;;
  esac
  if [ "$warm" = 1 ] && [ "$SMOKE" = 0 ]; then
    # JIT warm-up of the balancer, not measured: WARM_SECONDS (default 2) of the same traffic plus 1 s.
    timeout 600 "$UDPGEN" ping --target "$target" --echo "$MEMBERS" --flows 16 --size "$size" --rate "$RATE" \
      --duration "${WARM_SECONDS:-2}" --label warmup >/dev/null
  fi
  local line
  line=$(timeout 120 "$UDPGEN" ping --target "$target" --echo "$MEMBERS" --flows 16 --size "$size" --rate "$RATE" \
           --duration "$DURATION" --label "$path" | tee -a "$OUT.log" | tee -a /dev/stderr | grep '^RESULT')
  case "$path" in vpnlb-*) stop_vpnlb ;; nginx) stop_nginx ;; esac
  [ -n "$line" ] || { log "$path: no result"; return 1; }
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$run" "$path" "$size" "$(field "$line" requests)" \
    "$(field "$line" replies)" "$(field "$line" p50_us)" "$(field "$line" p90_us)" "$(field "$line" p99_us)" \
    "$(field "$line" p999_us)" "$(field "$line" max_us)" >>"$OUT.tsv"
}

for run in $(seq 1 "$REPEAT"); do
  for size in $SIZES; do
    for path in $PATHS; do
      echo "== run $run, $path, $size bytes" | tee -a "$OUT.log"
      run_path "$path" "$size" "$run" || echo "  $path: FAILED (see stderr)" | tee -a "$OUT.log"
    done
  done
done

{
  echo
  echo "round trip (us) and what each balancer adds over direct (same run and size):"
  printf '%-4s %-6s %-12s %9s %9s %9s %11s %11s %12s\n' run size path p50 p99 p99.9 added_p50 added_p99 \
    p99_add_vs_ngx
  awk -F'\t' 'function r(a, b) { if (b > 0) return sprintf("%.2f", a / b); return "n/a" }
    NR > 1 { k = $1 " " $3 " " $2; p50[k] = $6; p99[k] = $8; p999[k] = $9; keys[k] = 1 }
    END { for (k in keys) { split(k, p, " "); g = p[1] " " p[2] " "; a50 = p50[k] - p50[g "direct"];
            a99 = p99[k] - p99[g "direct"]; n99 = p99[g "nginx"] - p99[g "direct"];
            printf "%-4s %-6s %-12s %9.1f %9.1f %9.1f %11.1f %11.1f %12s\n", p[1], p[2], p[3], p50[k], p99[k],
              p999[k], a50, a99, r(a99, n99) } }' "$OUT.tsv" | sort -k1,1n -k2,2n -k3,3
} | tee -a "$OUT.log"
echo "results: $OUT.log $OUT.tsv" >&2
[ "$SMOKE" = 1 ] && grep -q $'\t' <(tail -n +2 "$OUT.tsv") && echo "smoke: ok"
exit 0
