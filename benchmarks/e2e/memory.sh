#!/bin/bash
# Memory per UDP session and per persistence entry.
#  1. vpnlb (epoll, or --transport) with max-sessions 2,000,000 and a 10-minute idle timeout; N first datagrams
#     (default 100,000), each from a new source address, open N concurrent sessions (each holds a connected
#     upstream UDP socket: one fd, one kernel socket). Measured before and after: the process RSS
#     (/proc/PID/status VmRSS; the heap is fixed and pre-touched, so this is native growth), the Java heap in use
#     after full GCs (jcmd GC.run, then GC.heap_info), and kernel
#     memory (/proc/meminfo Slab, i.e. socket, inode, file and epoll objects; system-wide, so run on a quiet
#     machine). Per session = delta / N. Persistence entries written by the sessions are included (one per
#     client address: vpnlb's persistence scope is vip by default).
#  2. PersistenceMemoryProbe (benchmarks.jar): heap per entry of PersistenceTable and SaTable with 1,000,000
#     entries, in process, after full GCs.
# Loopback only; cleans up on exit; bounded by a watchdog. Writes the log to benchmarks/results/e2e/.
#
# usage: memory.sh [--smoke] [--sessions N] [--entries N] [--transport epoll|io_uring]
set -u
. "$(dirname "$0")/lib.sh"

SESSIONS=100000; ENTRIES=1000000; TRANSPORT=epoll; SMOKE=0; RATE=10000
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) SMOKE=1; SESSIONS=2000; ENTRIES=20000 ;;
    --sessions) SESSIONS=$2; shift ;;
    --entries) ENTRIES=$2; shift ;;
    --transport) TRANSPORT=$2; shift ;;
    --rate) RATE=$2; shift ;;
    *) echo "usage: $0 [--smoke] [--sessions N] [--entries N] [--transport epoll|io_uring] [--rate PPS]" >&2
       exit 2 ;;
  esac
  shift
done
watchdog $((SMOKE ? 180 : 1200))

build_udpgen && ensure_jar || exit 1
command -v jcmd >/dev/null || { log "jcmd (JDK) is needed"; exit 1; }
raise_nofile
NOFILE=$(nofile_limit)
if [ "$NOFILE" -lt $((SESSIONS + 2000)) ]; then
  log "open files limited to $NOFILE here (hard limit; raising it needs CAP_SYS_RESOURCE): every session holds"\
      "an fd, so $((NOFILE - 2000)) sessions are measured instead of $SESSIONS; per-session figures are per session"
  SESSIONS=$((NOFILE - 2000))
fi
open_results memory
machine_line | tee "$OUT.log"
echo "open files limit $NOFILE; sessions to open $SESSIONS at $RATE/s" | tee -a "$OUT.log"

rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
slab_kib() { awk '/^Slab:/ {print $2}' /proc/meminfo; }
heap_used_kib() { # after a full GC; G1 prints "garbage-first heap total NK, used MK"
  jcmd "$1" GC.run >/dev/null 2>&1; sleep 1; jcmd "$1" GC.run >/dev/null 2>&1; sleep 1
  jcmd "$1" GC.heap_info 2>/dev/null | grep -oE 'used [0-9]+K' | head -1 | tr -dc 0-9
}
# UDP sockets (IPv4 and IPv6: Netty opens dual-stack sockets) in use system-wide (/proc/net/sockstat*). Listing /proc/PID/fd instead would itself create a proc
# inode and dentry per fd (about 900 B of slab each) and distort the kernel figure.
fds() { cat /proc/net/sockstat /proc/net/sockstat6 2>/dev/null | awk '/^UDP6?:/ {n += $3} END {print n + 0}'; }

write_vpnlb_config "$W/memory.yaml" "$TRANSPORT" ikev2 10m 2000000
# A fixed, pre-touched heap: its RSS is in the baseline and does not move when a GC resizes the heap, so the RSS
# delta is native memory (direct buffers, malloc, thread stacks) and the heap delta is measured after full GCs.
VPNLB_JAVA_OPTS=${MEMORY_JAVA_OPTS:--Xms1g -Xmx1g -XX:+AlwaysPreTouch}
start_vpnlb "$W/memory.yaml" vpnlb-memory || exit 1
# Warm the data path with 64 sessions of traffic (class loading, JIT), then measure the baseline.
timeout 60 "$UDPGEN" rate --target "$VIP:$NATT_PORT" --sink "$MEMBERS" --size 100 --rate 20000 --trial 1 \
  --warmup 1 --label warmup >/dev/null
SESS0=$(metric vpnlb_sessions_active)
RSS0=$(rss_kib "$VPNLB_PID"); HEAP0=$(heap_used_kib "$VPNLB_PID"); SLAB0=$(slab_kib); FD0=$(fds "$VPNLB_PID")
jcmd "$VPNLB_PID" GC.class_histogram >"$W/histo0.txt" 2>/dev/null
cp /proc/slabinfo "$W/slab0.txt" 2>/dev/null
echo "baseline: sessions $SESS0, RSS ${RSS0} KiB, heap used ${HEAP0} KiB, slab ${SLAB0} KiB, UDP sockets $FD0" | tee -a "$OUT.log"

line=$(timeout 600 "$UDPGEN" newsess --target "$VIP:$NATT_PORT" --sink "$MEMBERS" --size 100 --count "$SESSIONS" \
         --rate "$RATE" --src-base 127.40.0.1 --label sessions | tee -a "$OUT.log" | grep '^RESULT')
sleep 1
SESS1=$(metric vpnlb_sessions_active); PERS1=$(metric vpnlb_persistence_entries)
RSS1=$(rss_kib "$VPNLB_PID"); HEAP1=$(heap_used_kib "$VPNLB_PID"); SLAB1=$(slab_kib); FD1=$(fds "$VPNLB_PID")
jcmd "$VPNLB_PID" GC.class_histogram >"$W/histo1.txt" 2>/dev/null
cp /proc/slabinfo "$W/slab1.txt" 2>/dev/null
echo "loaded:   sessions $SESS1, persistence entries $PERS1, RSS ${RSS1} KiB, heap used ${HEAP1} KiB," \
  "slab ${SLAB1} KiB, UDP sockets $FD1 ($line)" | tee -a "$OUT.log"
stop_vpnlb

N=$((SESS1 - SESS0))
[ "$N" -gt 0 ] || { log "no sessions were opened"; exit 1; }
awk -v n="$N" -v r0="$RSS0" -v r1="$RSS1" -v h0="$HEAP0" -v h1="$HEAP1" -v s0="$SLAB0" -v s1="$SLAB1" 'BEGIN {
  rss = (r1 - r0) * 1024 / n; heap = (h1 - h0) * 1024 / n; slab = (s1 - s0) * 1024 / n
  printf "per session (%d sessions): Java heap after GC %.0f B, native RSS growth %.0f B (heap pre-touched), " \
         "kernel slab %.0f B; heap + native + kernel %.0f B (target 1024 B)\n", n, heap, rss, slab, heap + rss + slab
  printf "RESULT kind=udp_sessions sessions=%d heap_bytes_per_session=%.0f native_rss_bytes_per_session=%.0f " \
         "kernel_slab_bytes_per_session=%.0f total_bytes_per_session=%.0f\n", n, heap, rss, slab, heap + rss + slab
}' | tee -a "$OUT.log"

# What the heap holds per session: the classes whose instance count grew, bytes per session (GC.class_histogram
# after a full GC, loaded minus baseline).
echo "heap per session by class (top 25; count and bytes per session):" | tee -a "$OUT.log"
awk -v n="$N" 'FNR == NR && $1 ~ /^[0-9]+:$/ { c0[$4] = $2; b0[$4] = $3; next }
  $1 ~ /^[0-9]+:$/ { dc = ($2 - c0[$4]) / n; db = ($3 - b0[$4]) / n; if (db >= 1) printf "%8.2f %8.1f  %s\n", dc, db, $4 }' \
  "$W/histo0.txt" "$W/histo1.txt" | sort -k2,2nr | head -25 | tee -a "$OUT.log"

if [ -s "$W/slab0.txt" ] && [ -s "$W/slab1.txt" ]; then
  echo "kernel slab caches per session (top 10; objects and bytes per session, system-wide delta):" | tee -a "$OUT.log"
  awk -v n="$N" 'FNR == NR { a0[$1] = $2; next } $1 !~ /^#|^slabinfo/ {
      d = ($2 - a0[$1]) / n; if (d * $4 >= 8) printf "%8.2f %8.0f  %s (%d B)\n", d, d * $4, $1, $4 }' \
    "$W/slab0.txt" "$W/slab1.txt" | sort -k2,2nr | head -10 | tee -a "$OUT.log"
fi

echo "persistence and SA tables, $ENTRIES entries each (in-process probe, heap after full GC):" | tee -a "$OUT.log"
BENCH_JAR=$BENCH/target/benchmarks.jar
[ -f "$BENCH_JAR" ] || (cd "$ROOT" && mvn -q -B -o -pl benchmarks package -DskipTests) || exit 1
timeout 300 $JAVA -Xmx4g -cp "$BENCH_JAR" io.vpnlb.control.persistence.PersistenceMemoryProbe "$ENTRIES" \
  | tee -a "$OUT.log"
echo "results: $OUT.log" >&2
[ "$SMOKE" = 1 ] && grep -q '^RESULT kind=udp_sessions' "$OUT.log" && grep -q '^RESULT table=' "$OUT.log" \
  && echo "smoke: ok"
exit 0
