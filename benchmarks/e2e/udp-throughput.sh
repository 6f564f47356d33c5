#!/bin/bash
# UDP throughput on the NAT-T port: 64 client flows of ESP-in-UDP datagrams (SPI >= 256, valid for vpnlb's NAT-T
# inspection) at 1,400 and 100 bytes, through each path:
#   direct       clients send to the two members themselves (no balancer)
#   vpnlb-epoll  vpnlb, transport epoll, $LOOPS event loops (ikev2 service, "P1:M1","P2:M2", NAT-T on P2)
#   vpnlb-uring  the same on io_uring
#   nginx        nginx stream UDP proxy, $LOOPS workers, reuseport, hash $remote_addr consistent
# For each: the loss-free rate (highest offered rate with < 0.1% loss, by bisection over fixed offered loads) and
# the delivered rate at saturation. Prints ratios vs nginx and vs direct; writes the raw log and a TSV summary to
# benchmarks/results/e2e/. Loopback only; cleans up on exit; bounded by a watchdog.
#
# usage: udp-throughput.sh [--smoke] [--sizes "1400 100"] [--paths "direct vpnlb-epoll vpnlb-uring nginx"]
#        [--trial SECONDS] [--repeat N]
# env:   LOOPS (event loops and nginx workers, default nproc), BENCH_PORT (default 25500), VPNLB_JAVA_OPTS, KEEP=1,
#        BASELINE_JAR (adds the path vpnlb-baseline: epoll with that jar, for a before/after pair in one run)
set -u
. "$(dirname "$0")/lib.sh"

SIZES="1400 100"; PATHS="direct vpnlb-epoll vpnlb-uring nginx"; TRIAL=2; WARMUP=2; REPEAT=1; SMOKE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) SMOKE=1; TRIAL=0.3; WARMUP=0.2; SIZES=100 ;;
    --sizes) SIZES=$2; shift ;;
    --paths) PATHS=$2; shift ;;
    --trial) TRIAL=$2; shift ;;
    --repeat) REPEAT=$2; shift ;;
    *) echo "usage: $0 [--smoke] [--sizes S] [--paths P] [--trial SECONDS] [--repeat N]" >&2; exit 2 ;;
  esac
  shift
done
watchdog $((SMOKE ? 180 : 3600))

ensure_nginx && build_udpgen && ensure_jar || exit 1
io_uring_ok || PATHS=${PATHS//vpnlb-uring/}
[ -n "${BASELINE_JAR:-}" ] && [[ " $PATHS " != *" vpnlb-baseline "* ]] && PATHS="$PATHS vpnlb-baseline"
open_results udp-throughput
machine_line | tee "$OUT.log"
echo "settings: flows 64, trial ${TRIAL}s per offered load, event loops / nginx workers $LOOPS, repeat $REPEAT" \
  | tee -a "$OUT.log"
printf 'run\tpath\tsize\tlossfree_pps\tsat_offered_pps\tsat_delivered_pps\tsat_loss_pct\tgenerator_bound\n' >"$OUT.tsv"

run_path() { # run_path PATH SIZE RUN
  local path=$1 size=$2 run=$3 target="$VIP:$NATT_PORT"
  case "$path" in
    direct) target=$MEMBERS ;;
    vpnlb-epoll) write_vpnlb_config "$W/epoll.yaml" epoll && start_vpnlb "$W/epoll.yaml" vpnlb-epoll || return 1 ;;
    vpnlb-baseline) write_vpnlb_config "$W/epoll.yaml" epoll && start_vpnlb "$W/epoll.yaml" vpnlb-baseline "$W/vpnlb-baseline.jar" || return 1 ;;
    vpnlb-uring) write_vpnlb_config "$W/uring.yaml" io_uring && start_vpnlb "$W/uring.yaml" vpnlb-uring || return 1 ;;
    nginx) start_nginx "$LOOPS" 60s || return 1 ;;
  esac
  local line
  line=$(timeout 600 "$UDPGEN" search --target "$target" --sink "$MEMBERS" --flows 64 --size "$size" \
           --trial "$TRIAL" --warmup "$WARMUP" --label "$path" | tee -a "$OUT.log" | tee -a /dev/stderr | grep '^RESULT')
  case "$path" in
    vpnlb-*) echo "  vpnlb counters: rx $(metric vpnlb_listener_rx_datagrams_total) drops $(metric vpnlb_drops_total)" \
               "sessions $(metric vpnlb_sessions_active)" | tee -a "$OUT.log"; stop_vpnlb ;;
    nginx) stop_nginx ;;
  esac
  [ -n "$line" ] || { log "$path: no result"; return 1; }
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$run" "$path" "$size" "$(field "$line" lossfree_pps)" \
    "$(field "$line" sat_offered_pps)" "$(field "$line" sat_delivered_pps)" "$(field "$line" sat_loss_pct)" \
    "$(field "$line" generator_bound)" >>"$OUT.tsv"
}

for run in $(seq 1 "$REPEAT"); do
  for size in $SIZES; do
    for path in $PATHS; do
      echo "== run $run, $path, $size bytes" | tee -a "$OUT.log"
      run_path "$path" "$size" "$run" || echo "  $path: FAILED (see stderr)" | tee -a "$OUT.log"
    done
  done
done

# Ratios within each run (paths measured side by side, one after the other, same machine state).
{
  echo
  echo "ratios (loss-free rate; delivered at saturation), per run:"
  printf '%-4s %-6s %-12s %12s %12s %10s %10s %10s %10s\n' run size path lossfree sat_deliv vs_nginx vs_direct \
    sat_vs_ngx sat_vs_dir
  awk -F'\t' -f "$E2E/ratios.awk" "$OUT.tsv" | sort -k1,1n -k2,2nr -k3,3
} | tee -a "$OUT.log"
echo "results: $OUT.log $OUT.tsv" >&2
[ "$SMOKE" = 1 ] && grep -q $'\t' <(tail -n +2 "$OUT.tsv") && echo "smoke: ok"
exit 0
