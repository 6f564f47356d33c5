#!/bin/bash
# CPU time a balancer spends per datagram at a fixed moderate rate: user + system time of the balancer's
# processes (all threads; for nginx its workers) read from /proc before and after each test, divided by the
# datagrams the members received; with perf installed, also its system calls per datagram. Measures of
# efficiency rather than of speed: the system-call count does not move with the load of other processes on a
# shared machine (CPU time does, by cache and scheduling effects, though far less than loss-free rates).
#   one-way: 64 flows client -> member (counting members)   -> microseconds per forwarded datagram
#   echo:    16 flows client -> member -> client            -> microseconds per round trip (2 datagrams)
# Paths: vpnlb-epoll, nginx ($LOOPS workers), and vpnlb-baseline when BASELINE_JAR is set. Each path runs a
# warm-up (sessions opened, JIT compiled) before it is measured. Loopback only; bounded; cleans up.
#
# usage: cpu-per-datagram.sh [--smoke] [--size 100] [--rate 20000] [--seconds 5] [--paths P] [--repeat N]
# env:   BASELINE_JAR (adds the path vpnlb-baseline: epoll with that jar, for a before/after pair in one run),
#        LOOPS, VPNLB_JAVA_OPTS, KEEP=1
set -u
. "$(dirname "$0")/lib.sh"

SIZE=100; RATE=20000; SECS=5; PATHS="vpnlb-epoll nginx"; REPEAT=1; SMOKE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) SMOKE=1; SECS=1; RATE=5000 ;;
    --size) SIZE=$2; shift ;;
    --rate) RATE=$2; shift ;;
    --seconds) SECS=$2; shift ;;
    --paths) PATHS=$2; shift ;;
    --repeat) REPEAT=$2; shift ;;
    *) echo "usage: $0 [--smoke] [--size N] [--rate PPS] [--seconds S] [--paths P] [--repeat N]" >&2; exit 2 ;;
  esac
  shift
done
watchdog $((SMOKE ? 180 : 1800))
ensure_nginx && build_udpgen && ensure_jar || exit 1
[ -n "${BASELINE_JAR:-}" ] && [[ " $PATHS " != *" vpnlb-baseline "* ]] && PATHS="$PATHS vpnlb-baseline"
open_results cpu-per-datagram
machine_line | tee "$OUT.log"
echo "settings: size $SIZE bytes, $RATE datagrams/s, ${SECS}s per test, event loops / nginx workers $LOOPS," \
  "repeat $REPEAT" | tee -a "$OUT.log"
printf 'run\tpath\ttest\tdatagrams\tcpu_ms\tus_per_datagram\tsyscalls_per_datagram\n' >"$OUT.tsv"
TICK=$(getconf CLK_TCK)
# perf (Debian: linux-perf) adds the system calls per datagram, a count that does not move with other load
PERF=0
perf stat -e raw_syscalls:sys_enter -- true >/dev/null 2>&1 && PERF=1

# cpu_ticks PID...: utime + stime of the processes (fields 14 and 15 of /proc/PID/stat; all their threads)
cpu_ticks() {
  local total=0 pid s
  for pid in "$@"; do
    s=$(cut -d')' -f2- "/proc/$pid/stat" 2>/dev/null) || continue
    total=$((total + $(awk '{ print $12 + $13 }' <<<"$s")))
  done
  echo "$total"
}

balancer_pids() { # the processes that forward: vpnlb's JVM, or nginx's workers
  case "$1" in
    nginx) pgrep -P "$(cat "$W/nginx.pid")" ;;
    *) echo "$VPNLB_PID" ;;
  esac
}

oneway() { timeout 120 "$UDPGEN" rate --target "$VIP:$NATT_PORT" --sink "$MEMBERS" --size "$SIZE" --rate "$RATE" \
             --trial "$1" --warmup 0 --sport 41000 --label one-way; }
echo_rt() { timeout 120 "$UDPGEN" ping --target "$VIP:$NATT_PORT" --echo "$MEMBERS" --flows 16 --size "$SIZE" \
              --rate "$RATE" --duration "$1" --sport 42000 --label echo; }

measure() { # measure RUN PATH TEST COUNT_FIELD COMMAND...
  local run=$1 path=$2 test=$3 field=$4; shift 4
  local pids a b line n perf_pid= syscalls=-1
  pids=$(balancer_pids "$path")
  if [ "$PERF" = 1 ]; then
    # system calls of every thread of the balancer while the test runs (perf stat -p follows all its threads)
    perf stat -x, -e raw_syscalls:sys_enter -p "$(echo $pids | tr ' ' ',')" -o "$W/perf.txt" &
    perf_pid=$!
    sleep 0.5
  fi
  a=$(cpu_ticks $pids)
  line=$("$@" | grep '^RESULT')
  b=$(cpu_ticks $pids)
  if [ -n "$perf_pid" ]; then
    kill -INT "$perf_pid" 2>/dev/null; wait "$perf_pid" 2>/dev/null
    syscalls=$(awk -F, '/raw_syscalls:sys_enter/ { print $1 }' "$W/perf.txt" | grep -E '^[0-9]+$' || echo -1)
  fi
  n=$(field "$line" "$field")
  [ -n "$n" ] && [ "$n" -gt 0 ] || { log "$path $test: no datagrams counted ($line)"; return 1; }
  awk -v r="$run" -v p="$path" -v t="$test" -v n="$n" -v a="$a" -v b="$b" -v hz="$TICK" -v sc="$syscalls" \
      -v out="$OUT.tsv" 'BEGIN {
    ms = (b - a) * 1000 / hz; us = ms * 1000 / n; spd = sc >= 0 ? sc / n : -1
    printf "%-15s %-8s %9d datagrams  cpu %7.0f ms  %6.2f us  %5.2f system calls per %s\n", p, t, n, ms, us, spd,
      (t == "echo" ? "round trip" : "datagram")
    printf "%s\t%s\t%s\t%d\t%.0f\t%.3f\t%.3f\n", r, p, t, n, ms, us, spd >> out
    printf "RESULT path=%s test=%s datagrams=%d cpu_ms=%.0f us_per_datagram=%.3f syscalls_per_datagram=%.3f\n",
      p, t, n, ms, us, spd }' | tee -a "$OUT.log"
}

run_path() { # run_path PATH RUN
  local path=$1 run=$2
  case "$path" in
    vpnlb-epoll) write_vpnlb_config "$W/epoll.yaml" epoll ikev2 10m \
                   && start_vpnlb "$W/epoll.yaml" vpnlb-epoll || return 1 ;;
    vpnlb-baseline) write_vpnlb_config "$W/epoll.yaml" epoll ikev2 10m \
                      && start_vpnlb "$W/epoll.yaml" vpnlb-baseline "$W/vpnlb-baseline.jar" || return 1 ;;
    nginx) start_nginx "$LOOPS" 10m || return 1 ;;
    *) log "unknown path $path"; return 1 ;;
  esac
  # warm-up: the sessions of both tests (same source ports) and the JIT
  oneway "$SECS" >/dev/null; echo_rt "$SECS" >/dev/null
  echo "== run $run, $path" | tee -a "$OUT.log"
  measure "$run" "$path" one-way recv oneway "$SECS"
  measure "$run" "$path" echo total_sent echo_rt "$SECS"
  case "$path" in nginx) stop_nginx ;; *) stop_vpnlb ;; esac
}

for run in $(seq 1 "$REPEAT"); do
  for path in $PATHS; do
    run_path "$path" "$run" || echo "  $path: FAILED (see stderr)" | tee -a "$OUT.log"
  done
done

echo "" | tee -a "$OUT.log"
echo "CPU per datagram against nginx (lower is better; ratio = path / nginx of the same run and test):" \
  | tee -a "$OUT.log"
awk -F'\t' 'NR > 1 { k = $1 " " $3; v[k " " $2] = $6; keys[$1 "\t" $2 "\t" $3] = $6; sc[$1 "\t" $2 "\t" $3] = $7 }
  END { for (k in keys) { split(k, f, "\t"); n = v[f[1] " " f[3] " nginx"];
          printf "run %s %-15s %-8s %7.2f us  %s x nginx  %s system calls\n", f[1], f[2], f[3], keys[k],
            (n > 0 ? sprintf("%.2f", keys[k] / n) : "n/a"), sc[k] } }' "$OUT.tsv" | sort | tee -a "$OUT.log"
echo "results: $OUT.log $OUT.tsv" >&2
[ "$SMOKE" = 1 ] && grep -q '^RESULT path=' "$OUT.log" && echo "smoke: ok"
exit 0
