#!/bin/bash
# Where a running vpnlb allocates per datagram: JFR allocation samples on the event-loop threads and GC pauses,
# under 10,000 round trips/s (16 flows, 100-byte ESP, echoing members) for 10 s after a 3 s warm-up. Prints the
# top allocation sites (share of sampled bytes) and the GC pauses; keeps the .jfr and GC log in
# benchmarks/results/e2e/. Loopback only; bounded; cleans up. Needs jq and the JDK's jfr tool.
# usage: alloc-profile.sh [epoll|io_uring]
set -u
. "$(dirname "$0")/lib.sh"
T=${1:-epoll}
watchdog 300
ensure_pkgs jq && build_udpgen && ensure_jar || exit 1
command -v jfr >/dev/null || { log "jfr (JDK) is needed"; exit 1; }
open_results alloc-profile "$T"
VPNLB_JAVA_OPTS="-XX:StartFlightRecording:settings=profile,dumponexit=true,filename=$OUT.jfr -Xlog:gc*:file=$OUT-gc.log"
write_vpnlb_config "$W/profile.yaml" "$T" ikev2 10m 200000
start_vpnlb "$W/profile.yaml" vpnlb-profile || exit 1
for phase in warmup:3 measured:10; do
  timeout 60 "$UDPGEN" ping --target "$VIP:$NATT_PORT" --echo "$MEMBERS" --flows 16 --size 100 --rate 10000 \
    --duration "${phase#*:}" --sport 43000 --label "${phase%:*}" | grep '^RESULT'
done | tee "$OUT.log"
stop_vpnlb
sleep 1
{
  echo "top allocation sites on the vpnlb-$T event loops (share of sampled bytes; object < frames):"
  jfr print --json --events jdk.ObjectAllocationSample "$OUT.jfr" 2>/dev/null \
    | jq -r --arg t "vpnlb-$T" '.recording.events[] | select(.values.eventThread.javaName // "" | startswith($t))
        | [.values.objectClass.name, .values.weight,
           ((.values.stackTrace.frames // [])[0:4] | map(.method.type.name + "." + .method.name) | join(" < "))] | @tsv' \
    | awk -F'\t' '{ w[$1 "\t" $3] += $2; t += $2 } END { for (k in w) printf "%5.1f%%\t%s\n", 100 * w[k] / t, k }' \
    | sort -rn | head -20
  echo "GC pauses (the measured window starts about 4 s after start):"
  grep -E 'Pause' "$OUT-gc.log" | grep -v 'gc,start'
} | tee -a "$OUT.log"
echo "results: $OUT.log $OUT.jfr $OUT-gc.log" >&2
