#!/usr/bin/env bash
# Soak test: vpnlb under steady traffic with sessions churning for DURATION seconds; its resident memory, heap
# after a full collection and open files must stay flat.
#
# Topology: lib-netns.sh lib_topology_standard plus the client network 10.99.16.0/20 on the client's c0 (lb
# routes it back via 10.99.1.2). Members srv1 10.99.2.2 and srv2 10.99.3.2 are fault-peers.py responders.
# vpnlb runs with the options of bin/vpnlb (-XX:+UseG1GC -XX:+ExitOnOutOfMemoryError), a fixed pre-touched heap
# (-Xms256m -Xmx256m -XX:+AlwaysPreTouch) and Netty's default leak detection (simple: sampled reports in the
# log), on the ikev2 service with short timers so
# that sessions, persistence entries and SA routes come and go: session-idle-timeout 5s, persistence 10s.
#
# Traffic (fault-peers.py churn, UDP 500): every second NEW_PER_S new clients start, each from the next
# address of 10.99.16.0/20 (cycling; an address comes back after 4094 / NEW_PER_S seconds) and a random source
# port, send an IKE_SA_INIT then INFORMATIONAL requests at CLIENT_RATE a second for LIFETIME seconds, and stop.
# Offered load: NEW_PER_S x LIFETIME x CLIENT_RATE requests a second (default 20 x 5 x 20 = 2,000/s, plus as
# many answers), about NEW_PER_S x (LIFETIME + 5) sessions open at a time.
#
# Every SAMPLE seconds one CSV row (soak.csv in the work dir, kept with --keep-logs):
#   t_s,rss_kib,heap_after_gc_bytes,open_fds,threads,sessions_active,persistence_entries,sent,answered
# (heap: jcmd GC.run, then jvm_memory_used_bytes{area="heap"}; sent/answered: the clients' totals so far).
# Pass: vpnlb runs to the end with no LEAK report; it passed on at least 99.9% of the requests it received
# and of the members' answers (its counters against the members'; the clients' own count of answers is
# printed, not judged: a client process starved of CPU reads answers after it gave up on them), and RSS,
# heap after GC and open files stay within 10% of their value after warm-up: each series is taken as means
# of 3 samples in a row (one sample moves with the sessions open at that instant), the first mean after
# warm-up is the base, and every later mean must be within the tolerance.
# With gnuplot installed, soak.png charts the three series.
#
# usage: soak.sh [--keep-logs DIR] DURATION_SECONDS VPNLB_JAR [JAVA_BIN]
# Environment: VPNLBIT_SOAK_WARMUP (default: 190 s, at most the duration minus 60 s), VPNLBIT_SOAK_SAMPLE (10),
#   VPNLBIT_SOAK_NEW_PER_S (20), VPNLBIT_SOAK_LIFETIME (5), VPNLBIT_SOAK_CLIENT_RATE (20),
#   VPNLBIT_SOAK_TOLERANCE_PCT (10).
# Exit: 0 pass, 1 fail, 2 usage, 77 skip (one line "SKIP: reason": not root, no network namespaces, no
# python3, no jcmd).
# Everything created (namespaces vpnlbit-<pid>-*, their veths, processes, the temp dir) is removed on exit.
set -euo pipefail

SH_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib-netns.sh
. "$SH_DIR/lib-netns.sh"
# shellcheck source=lib-faults.sh
. "$SH_DIR/lib-faults.sh"
USAGE="[--keep-logs DIR] DURATION_SECONDS VPNLB_JAR [JAVA_BIN]"
lib_args "$USAGE" "$@"
DURATION=$ARG_WORD
[[ "$DURATION" =~ ^[0-9]+$ ]] && [ "$DURATION" -ge 30 ] || { echo "usage: $0 $USAGE (at least 30 s)" >&2; exit 2; }
RESULT_TAG="soak ${DURATION}s"

# The warm-up covers the longest state lifetime: the SA table keeps an IKE SA route at least 3 minutes after it
# was last learned, so the heap grows with the arriving clients for 180 s before it is flat (at most the duration
# minus a minute, which keeps at least 6 samples to judge).
WARMUP=${VPNLBIT_SOAK_WARMUP:-$(( DURATION - 60 < 190 ? DURATION - 60 : 190 ))}
SAMPLE=${VPNLBIT_SOAK_SAMPLE:-10}
NEW_PER_S=${VPNLBIT_SOAK_NEW_PER_S:-20}
LIFETIME=${VPNLBIT_SOAK_LIFETIME:-5}
CLIENT_RATE=${VPNLBIT_SOAK_CLIENT_RATE:-20}
TOLERANCE=${VPNLBIT_SOAK_TOLERANCE_PCT:-10}

# ---------------------------------------------------------------- prerequisites (nothing created yet)
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, veths); running as uid $(id -u)"
lib_require_cmd ip iproute2
lib_require_cmd ss iproute2
lib_require_cmd timeout coreutils
lib_require_python "the members and clients are fault-peers.py"
lib_require_vpnlb
JCMD=$(dirname "$(readlink -f "$(command -v "$JAVA_BIN")")")/jcmd
[ -x "$JCMD" ] || skip "no jcmd next to $JAVA_BIN (a JDK is needed to force collections)"

lib_init client lb srv1 srv2
dump_extra() {
  rm -f "$WORK/admin.token"     # not kept with --keep-logs
  local f
  for f in "$WORK"/member-*.log "$WORK/churn.txt"; do [ -f "$f" ] && { echo "---- $(basename "$f") (last 5 lines) ----"; tail -n 5 "$f"; }; done
  [ -f "$WORK/soak.csv" ] && { echo "---- soak.csv ----"; cat "$WORK/soak.csv"; }
}

log "soak: ${DURATION}s (warm-up ${WARMUP}s, a sample every ${SAMPLE}s), $NEW_PER_S new clients/s living ${LIFETIME}s" \
  "at $CLIENT_RATE requests/s; namespaces=$P-{client,lb,srv1,srv2} work=$WORK"
lib_topology_standard
in_ns "$NS_LB" sysctl -qw net.ipv4.ip_forward=0
ip -n "$NS_LB" route add 10.99.16.0/20 via 10.99.1.2
# every address of 10.99.16.0/20 is local to the client namespace (one route, not 4094 addresses)
ip -n "$NS_C" route add local 10.99.16.0/20 dev lo
lib_topology_check

cat >"$WORK/vpnlb.yaml" <<EOF
transport: auto
admin:
  listen: $ADMIN_LISTEN
  token-file: $WORK/admin.token
services:
  - name: ikev2
    type: ikev2
    listen: 10.99.1.1
    ports: [500, 4500]
    pool: vpn
    persistence: { scope: vip, timeout: 10s }
    session-idle-timeout: 5s
pools:
  - name: vpn
    members:
      - { address: 10.99.2.2 }
      - { address: 10.99.3.2 }
EOF
start_member srv1 "$NS_S1" 10.99.2.2
start_member srv2 "$NS_S2" 10.99.3.2
# A fixed, pre-touched heap: G1 growing or shrinking the heap (and its marking bitmaps) after a forced collection
# moved RSS by 10+ MiB in one step, which is not what the soak looks for (heap after GC judges the heap itself).
VPNLB_JVM_OPTS="-XX:+UseG1GC -XX:+ExitOnOutOfMemoryError -Xms256m -Xmx256m -XX:+AlwaysPreTouch" \
  start_vpnlb "$WORK/vpnlb.yaml"
JVM=$(vpnlb_jvm "$WORK/vpnlb.log")

in_ns "$NS_C" timeout $((DURATION + 60)) "$PYTHON" -u "$FAULT_PEERS" churn 10.99.1.1 500 10.99.16.0/20 \
  --new-per-second "$NEW_PER_S" --lifetime "$LIFETIME" --rate "$CLIENT_RATE" --duration "$DURATION" \
  --report "$SAMPLE" >"$WORK/churn.txt" 2>"$WORK/churn.err" </dev/null &
CHURN=$!; BG_PIDS+=("$CHURN")

echo "t_s,rss_kib,heap_after_gc_bytes,open_fds,threads,sessions_active,persistence_entries,sent,answered" >"$WORK/soak.csv"
START=$SECONDS
n=0
while kill -0 "$CHURN" 2>/dev/null; do
  n=$((n + 1))
  due=$((START + n * SAMPLE))
  while [ $SECONDS -lt $due ] && kill -0 "$CHURN" 2>/dev/null; do sleep 0.5; done
  kill -0 "$CHURN" 2>/dev/null || break
  kill -0 "$JVM" 2>/dev/null || fail "vpnlb exited during the soak (at $((SECONDS - START)) s)"
  heap=$(heap_after_gc "$JVM")
  rss=$(proc_rss_kb "$JVM") fds=$(proc_fds "$JVM") threads=$(proc_threads "$JVM")
  sessions=$(metric vpnlb_sessions_active 'service="ikev2"')
  persisted=$(metric vpnlb_persistence_entries)
  window=$(grep -E '^t=' "$WORK/churn.txt" | tail -n1)
  sent=$(sed -nE 's/.* sent=([0-9]+) .*/\1/p' <<<"$window")
  answered=$(sed -nE 's/.* answered=([0-9]+) .*/\1/p' <<<"$window")
  { echo "== t=$((n * SAMPLE))"; vpnlb_metrics "$ADMIN_LISTEN" | grep -E '^vpnlb_' | grep -v ' 0\.0$'; } >>"$WORK/metrics.txt"
  echo "$((n * SAMPLE)),$rss,$heap,$fds,$threads,$sessions,$persisted,${sent:-},${answered:-}" >>"$WORK/soak.csv"
  log "t=$((n * SAMPLE))s rss=${rss}KiB heap=$((heap / 1024))KiB fds=$fds threads=$threads sessions=$sessions" \
    "persistence=$persisted sent=${sent:-?} answered=${answered:-?}"
done
rc=0; wait "$CHURN" || rc=$?
[ "$rc" = 0 ] || fail "the churn clients exited $rc: $(head -c 300 "$WORK/churn.err")"
vpnlb_final_checks

# ---------------------------------------------------------------- verdict
TOTAL=$(grep '^total' "$WORK/churn.txt" || true)
[ -n "$TOTAL" ] || fail "the churn clients printed no total"
SENT=$(sed -nE 's/.* sent=([0-9]+) .*/\1/p' <<<"$TOTAL") ANSWERED=$(sed -nE 's/.* answered=([0-9]+) .*/\1/p' <<<"$TOTAL")
CLIENTS=$(sed -nE 's/.* clients=([0-9]+).*/\1/p' <<<"$TOTAL")
# vpnlb's own losses, whatever the clients managed to read: requests it received vs what reached the members,
# and the members' answers vs what it sent back to the clients (the members print their counts every second)
sleep 2
LB_RX=$(metric vpnlb_listener_rx_datagrams_total 'listener="ikev2/500"')
LB_TX=$(metric vpnlb_listener_tx_datagrams_total 'listener="ikev2/500"')
M_RX=0 M_ANS=0
for m in srv1 srv2; do
  M_RX=$((M_RX + $(member_rx "$m")))
  M_ANS=$((M_ANS + $(sed -nE 's/.* answered=([0-9]+) .*/\1/p' "$WORK/member-$m.log" | tail -n1 | grep . || echo 0)))
done
# datagrams the members' own sockets dropped (a responder starved of CPU) are not vpnlb's losses
M_OVERFLOW=$(( $(udp_rcvbuf_errors "$NS_S1") + $(udp_rcvbuf_errors "$NS_S2") ))
[ "$(((M_RX + M_OVERFLOW) * 1000))" -ge "$((LB_RX * 999))" ] \
  || fail "vpnlb received $LB_RX requests, the members only $M_RX (and their sockets dropped $M_OVERFLOW)"
[ "$((LB_TX * 1000))" -ge "$((M_ANS * 999))" ] || fail "the members answered $M_ANS requests, vpnlb sent only $LB_TX to clients"
# flat COLUMN NAME : the samples after warm-up, as means of 3 in a row (30 s at the default sample period: a
# single sample moves with the number of sessions open at that instant); the first mean is the base, and every
# later mean must be within TOLERANCE% of it, or within FLOOR (absolute, in the column's unit) where one is given.
# Prints "NAME base=B min=MIN max=MAX maxdev=D%".
flat() {
  awk -F, -v c="$1" -v name="$2" -v floor="${3:-0}" -v w="$WARMUP" -v tol="$TOLERANCE" '
    NR > 1 && $1 >= w { v[++n] = $c + 0 }
    END {
      if (n < 3) { print name " fewer than 3 samples after warm-up"; exit 1 }
      for (i = 3; i <= n; i++) {
        m = (v[i - 2] + v[i - 1] + v[i]) / 3
        if (i == 3) { base = lo = hi = m }
        if (m < lo) lo = m
        if (m > hi) hi = m
      }
      if (base == 0) { print name " base 0"; exit 1 }
      dev = (hi - base > base - lo ? hi - base : base - lo) * 100 / base
      within_floor = hi - base <= floor && base - lo <= floor
      printf "%s base=%d min=%d max=%d maxdev=%.1f%%%s\n", name, base, lo, hi, dev,
        (floor > 0 ? sprintf(" (or within %d)", floor) : "")
      exit dev > tol && !within_floor }' "$WORK/soak.csv"
}
VERDICT=() BAD=0
# Heap after GC: 2 MiB either way passes whatever the percentage. The heap of this soak is about 11 MiB, and a
# forced collection now and then keeps a transient 1.1 MiB (seen in CI: samples of 10.5 and 11.6 MiB alternate),
# which alone is 10% of it; a leak of 2 MiB in the judged 80 s would be 1.3 KiB per client that arrived meanwhile.
for col in "2 rss_kib" "3 heap_after_gc_bytes $((2 * 1024 * 1024))" "4 open_fds"; do
  # shellcheck disable=SC2086
  line=$(flat $col) || BAD=1
  VERDICT+=("$line")
done
SAMPLES_AFTER=$(awk -F, -v w="$WARMUP" 'NR > 1 && $1 >= w' "$WORK/soak.csv" | wc -l)
[ "$SAMPLES_AFTER" -ge 4 ] || fail "only $SAMPLES_AFTER samples after the warm-up: run longer"

if command -v gnuplot >/dev/null 2>&1; then
  gnuplot <<EOF 2>"$WORK/gnuplot.err" || log "note: gnuplot failed: $(head -c 200 "$WORK/gnuplot.err")"
set terminal pngcairo size 1000,600
set output "$WORK/soak.png"
set datafile separator ","
set title "vpnlb soak: ${DURATION} s, ${NEW_PER_S} new clients/s, $((NEW_PER_S * LIFETIME * CLIENT_RATE)) requests/s"
set xlabel "seconds"
set ylabel "MiB (RSS, heap after GC)"
set y2label "open files"
set ytics nomirror
set y2tics
set yrange [0:*]
set y2range [0:*]
set grid
set key center right
set arrow from $WARMUP, graph 0 to $WARMUP, graph 1 nohead dt 2
plot "$WORK/soak.csv" using 1:(\$2/1024) every ::1 with linespoints title "RSS", \
     "" using 1:(\$3/1048576) every ::1 with linespoints title "heap after GC", \
     "" using 1:4 every ::1 axes x1y2 with linespoints title "open files"
EOF
fi

echo "----------------------------------------------------------------"
echo "traffic : $CLIENTS clients over ${DURATION}s ($NEW_PER_S new/s, ${LIFETIME}s each, $CLIENT_RATE requests/s each);" \
  "the clients read $ANSWERED answers to $SENT requests"
echo "vpnlb   : received $LB_RX requests, members got $M_RX (their sockets dropped $M_OVERFLOW) and answered $M_ANS," \
  "vpnlb sent $LB_TX answers back"
printf 'flat    : %s\n' "${VERDICT[@]}"
echo "samples : $(($(wc -l < "$WORK/soak.csv") - 1)) ($SAMPLES_AFTER after the ${WARMUP}s warm-up), tolerance ${TOLERANCE}%"
echo "----------------------------------------------------------------"
[ "$BAD" = 0 ] || fail "a series moved more than ${TOLERANCE}% from its value after warm-up: ${VERDICT[*]}"
echo "RESULT: PASS ($RESULT_TAG): RSS, heap after GC (or within 2 MiB) and open files within ${TOLERANCE}%" \
  "after warm-up"
exit 0
