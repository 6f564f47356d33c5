#!/bin/bash
# Heap bytes a RUNNING vpnlb allocates per datagram of an established session, Netty's own allocations included
# (what JMH cannot see: the received DatagramPacket and sender InetSocketAddress, the reply envelope, ...).
# vpnlb runs with the Epsilon GC (no collection, so heap in use only grows and its growth is exactly what was
# allocated); after a warm-up the heap in use is read (jcmd GC.heap_info) before and after
#   one-way:  N datagrams client -> member (64 flows, ESP, counting members)      -> bytes per client datagram
#   echo:     N requests client -> member -> client (16 flows, the members echo)  -> bytes per round trip
# and an idle period of the same length is subtracted (timers, sweeper). Loopback only; bounded; cleans up.
#
# usage: alloc-per-datagram.sh [--smoke] [--transport epoll|io_uring] [--size 100] [--rate 20000] [--seconds 5]
set -u
. "$(dirname "$0")/lib.sh"

TRANSPORT=epoll; SIZE=100; RATE=20000; SECS=5; SMOKE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) SMOKE=1; SECS=1; RATE=5000 ;;
    --transport) TRANSPORT=$2; shift ;;
    --size) SIZE=$2; shift ;;
    --rate) RATE=$2; shift ;;
    --seconds) SECS=$2; shift ;;
    *) echo "usage: $0 [--smoke] [--transport T] [--size N] [--rate PPS] [--seconds S]" >&2; exit 2 ;;
  esac
  shift
done
watchdog $((SMOKE ? 180 : 600))
build_udpgen && ensure_jar || exit 1
command -v jcmd >/dev/null || { log "jcmd (JDK) is needed"; exit 1; }
open_results alloc-per-datagram "$TRANSPORT-$SIZE"
machine_line | tee "$OUT.log"
echo "settings: transport $TRANSPORT, size $SIZE bytes, $RATE datagrams/s, ${SECS}s per test" | tee -a "$OUT.log"

# Epsilon prints the allocation space as "space NK, P% used [bottom, top, end)": in use = top - bottom.
used_kib() {
  local a
  a=($(jcmd "$VPNLB_PID" GC.heap_info 2>/dev/null | grep -m1 'used \[0x' | grep -oE '0x[0-9a-f]+'))
  echo $(( (${a[1]} - ${a[0]}) / 1024 ))
}

# No TLABs: heap in use then grows by each allocation, not by whole thread-local buffers (exact counts; the
# shared-pointer allocation is slower, which does not matter at these moderate rates).
VPNLB_JAVA_OPTS="-XX:+UnlockExperimentalVMOptions -XX:+UseEpsilonGC -XX:-UseTLAB -Xms6g -Xmx6g"
write_vpnlb_config "$W/alloc.yaml" "$TRANSPORT" ikev2 10m 200000
start_vpnlb "$W/alloc.yaml" vpnlb-alloc || exit 1
# Warm-up: the sessions of both tests opened (same addresses and ports as measured below), JIT compiled.
timeout 120 "$UDPGEN" rate --target "$VIP:$NATT_PORT" --sink "$MEMBERS" --size "$SIZE" --rate "$RATE" \
  --trial "$SECS" --warmup 2 --sport 41000 --label warm >/dev/null
timeout 120 "$UDPGEN" ping --target "$VIP:$NATT_PORT" --echo "$MEMBERS" --flows 16 --size "$SIZE" --rate "$RATE" \
  --duration "$SECS" --sport 42000 --label warm >/dev/null
sleep 1

U0=$(used_kib); sleep "$SECS"; U1=$(used_kib)
IDLE_KIB_PER_S=$(awk -v a="$U0" -v b="$U1" -v s="$SECS" 'BEGIN { printf "%.1f", (b - a) / s }')
echo "idle: heap grew $((U1 - U0)) KiB in ${SECS}s" | tee -a "$OUT.log"

measure() { # measure LABEL DATAGRAMS_FIELD COMMAND...: prints bytes per counted datagram
  local label=$1 field=$2; shift 2
  local a b t0 t1 line n
  a=$(used_kib); t0=$(date +%s.%N)
  line=$("$@" | grep '^RESULT')
  t1=$(date +%s.%N); b=$(used_kib)
  n=$(field "$line" "$field")
  awk -v a="$a" -v b="$b" -v n="$n" -v idle="$IDLE_KIB_PER_S" -v t0="$t0" -v t1="$t1" -v l="$label" 'BEGIN {
    net = (b - a - idle * (t1 - t0)) * 1024
    printf "%s: %d datagrams, heap +%d KiB in %.1fs (idle share %.0f KiB): %.0f B per datagram\n", l, n, b - a,
      t1 - t0, idle * (t1 - t0), net / n
    printf "RESULT test=%s datagrams=%d bytes_per_datagram=%.0f\n", l, n, net / n }'
}
# One-way: the warm-up's 64 flows and sessions again; counted = datagrams the members got.
measure one-way-client-to-member recv \
  timeout 120 "$UDPGEN" rate --target "$VIP:$NATT_PORT" --sink "$MEMBERS" --size "$SIZE" --rate "$RATE" \
    --trial "$SECS" --warmup 0 --sport 41000 --label one-way | tee -a "$OUT.log"
# Echo: every request sent (the 1 s of uncounted warm-up included) is one client datagram and one member reply.
measure echo-round-trip total_sent \
  timeout 120 "$UDPGEN" ping --target "$VIP:$NATT_PORT" --echo "$MEMBERS" --flows 16 --size "$SIZE" --rate "$RATE" \
    --duration "$SECS" --sport 42000 --label echo | tee -a "$OUT.log"
echo "results: $OUT.log" >&2
[ "$SMOKE" = 1 ] && grep -q '^RESULT test=' "$OUT.log" && echo "smoke: ok"
exit 0
