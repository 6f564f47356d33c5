#!/bin/bash
# New sessions per second: first datagrams, each from a new source address (127.10.0.1, 127.10.0.2, ... chosen
# per datagram with IP_PKTINFO from one socket, so the generator opens no socket per client), sent to the NAT-T
# port and counted at the members. Each admitted first datagram is one session created: member chosen (Maglev),
# persistence entry written, upstream socket opened and connected, datagram forwarded.
#
# The first datagrams are ESP (SPI >= 256), so on the ikev2 service they pass vpnlb's flood protection without
# counting as half-open IKE_SA_INIT (ike.max-half-open does not apply); the per-source rate
# (ike.new-sessions-per-source) allows each new source its first session. --service udp measures a `type: udp`
# service instead (no inspection, no flood guard).
#
# Paths: direct (no balancer: the generator's and kernel's ceiling, no session is created), vpnlb-epoll,
# vpnlb-uring, nginx ($LOOPS workers; a UDP session per new client too). Reports the highest rate of new clients
# with under 0.1% lost first datagrams (bisection over fixed offered rates, --trial seconds each, --pause seconds
# between trials so that the previous trial's sessions expire: session-idle-timeout / proxy_timeout 3s) and the
# admitted rate at saturation. Every session holds an fd in vpnlb and in nginx: a trial opens at most rate x trial
# sessions, which must stay under the open-files limit (20,000 in this sandbox: hence 0.3 s trials). Loopback only; cleans up on exit; bounded by a watchdog.
#
# usage: new-sessions.sh [--smoke] [--service ikev2|udp] [--trial S] [--pause S] [--paths P] [--repeat N]
set -u
. "$(dirname "$0")/lib.sh"

SERVICE=ikev2; TRIAL=0.3; PAUSE=5; PATHS="direct vpnlb-epoll vpnlb-uring nginx"; REPEAT=1; SMOKE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) SMOKE=1; TRIAL=0.2; PAUSE=0.5 ;;
    --service) SERVICE=$2; shift ;;
    --trial) TRIAL=$2; shift ;;
    --pause) PAUSE=$2; shift ;;
    --paths) PATHS=$2; shift ;;
    --repeat) REPEAT=$2; shift ;;
    *) echo "usage: $0 [--smoke] [--service ikev2|udp] [--trial S] [--pause S] [--paths P] [--repeat N]" >&2
       exit 2 ;;
  esac
  shift
done
watchdog $((SMOKE ? 180 : 2400))

ensure_nginx && build_udpgen && ensure_jar || exit 1
io_uring_ok || PATHS=${PATHS//vpnlb-uring/}
raise_nofile
NOFILE=$(nofile_limit)
open_results new-sessions
machine_line | tee "$OUT.log"
echo "settings: service type $SERVICE, ESP first datagrams of 100 bytes, trial ${TRIAL}s, pause ${PAUSE}s," \
  "idle timeout 3s, event loops / nginx workers $LOOPS, open files limit $NOFILE (fd-safe up to" \
  "$(awk -v n="$NOFILE" -v t="$TRIAL" 'BEGIN { printf "%.0f", (n - 2000) / t }') new sessions/s per trial)" \
  | tee -a "$OUT.log"
printf 'run\tpath\tlossfree_new_per_s\tsat_offered_per_s\tsat_admitted_per_s\tsat_loss_pct\n' >"$OUT.tsv"

SRC_OCTET=10
run_path() { # run_path PATH RUN
  local path=$1 run=$2 target="$VIP:$NATT_PORT"
  case "$path" in
    direct) target=$MEMBER_A:$MEMBER_NATT_PORT ;;
    vpnlb-epoll) write_vpnlb_config "$W/epoll.yaml" epoll "$SERVICE" 3s 2000000 \
                   && start_vpnlb "$W/epoll.yaml" vpnlb-epoll || return 1 ;;
    vpnlb-uring) write_vpnlb_config "$W/uring.yaml" io_uring "$SERVICE" 3s 2000000 \
                   && start_vpnlb "$W/uring.yaml" vpnlb-uring || return 1 ;;
    nginx) start_nginx "$LOOPS" 3s || return 1 ;;
  esac
  if [ "$path" != direct ] && [ "$SMOKE" = 0 ]; then
    # Warm-up (JIT), not measured: 20,000 new clients from their own address range, then let them expire.
    timeout 60 "$UDPGEN" newsess --target "$target" --sink "$MEMBERS" --count 20000 --rate 10000 \
      --src-base 127.9.0.1 --label warmup >/dev/null
    sleep "$PAUSE"
  fi
  # A fresh 127.x range per path and run, so no source is ever seen twice by one balancer.
  SRC_OCTET=$((SRC_OCTET + 8))
  local line
  line=$(timeout 900 "$UDPGEN" newsess --target "$target" --sink "$MEMBERS" --size 100 --trial "$TRIAL" \
           --pause "$PAUSE" --src-base "127.$SRC_OCTET.0.1" --label "$path" \
           | tee -a "$OUT.log" | tee -a /dev/stderr | grep '^RESULT')
  case "$path" in
    vpnlb-*) echo "  vpnlb counters: sessions opened $(metric vpnlb_sessions_opened_total), drops by reason:" \
               "$(drops_by_reason)" | tee -a "$OUT.log"; stop_vpnlb ;;
    nginx) stop_nginx ;;
  esac
  [ -n "$line" ] || { log "$path: no result"; return 1; }
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$run" "$path" "$(field "$line" lossfree_new_per_s)" \
    "$(field "$line" sat_offered_per_s)" "$(field "$line" sat_admitted_per_s)" "$(field "$line" sat_loss_pct)" \
    >>"$OUT.tsv"
}

for run in $(seq 1 "$REPEAT"); do
  for path in $PATHS; do
    echo "== run $run, $path" | tee -a "$OUT.log"
    run_path "$path" "$run" || echo "  $path: FAILED (see stderr)" | tee -a "$OUT.log"
  done
done

{
  echo
  echo "new sessions per second (loss-free; admitted at saturation) and ratios in the same run:"
  printf '%-4s %-12s %12s %12s %10s %10s %10s\n' run path lossfree sat_admit vs_nginx vs_direct sat_vs_ngx
  awk -F'\t' 'function r(a, b) { if (b > 0) return sprintf("%.2f", a / b); return "n/a" }
    NR > 1 { k = $1 " " $2; lf[k] = $3; sa[k] = $5; keys[k] = 1 }
    END { for (k in keys) { split(k, p, " "); g = p[1] " ";
            printf "%-4s %-12s %12.0f %12.0f %10s %10s %10s\n", p[1], p[2], lf[k], sa[k], r(lf[k], lf[g "nginx"]),
              r(lf[k], lf[g "direct"]), r(sa[k], sa[g "nginx"]) } }' "$OUT.tsv" | sort -k1,1n -k2,2
} | tee -a "$OUT.log"
echo "results: $OUT.log $OUT.tsv" >&2
[ "$SMOKE" = 1 ] && grep -q $'\t' <(tail -n +2 "$OUT.tsv") && echo "smoke: ok"
exit 0
