# shellcheck shell=bash
# Shared code of faults.sh, soak.sh and attack-surface.sh, on top of lib-netns.sh (source that first): the
# fault-peers.py members and clients, vpnlb's JVM pid, metrics, the admin API and /proc samples.

FAULT_PEERS=$LIB_NETNS_DIR/fault-peers.py
declare -A MEMBER_PID=()

# start_member NAME NS ADDRESS [PORTS] : fault-peers.py member in NS (log $WORK/member-NAME.log), with a TCP
# echo on MEMBER_TCP_ECHO when that is set; waits until it listens. Sets MEMBER_PID[NAME].
start_member() {
  local name=$1 ns=$2 address=$3 ports=${4:-500,4500} deadline
  : >"$WORK/member-$name.log"
  # ip netns exec directly (not the in_ns function): $! is then the responder itself, for kill -KILL/-STOP
  ip netns exec "$ns" "$PYTHON" -u "$FAULT_PEERS" member "$name" "$address" --ports "$ports" \
    --tcp-echo "${MEMBER_TCP_ECHO:-0}" \
    >>"$WORK/member-$name.log" 2>&1 </dev/null &
  MEMBER_PID[$name]=$!; BG_PIDS+=("$!")
  deadline=$((SECONDS + 10))
  until grep -qs '^listening' "$WORK/member-$name.log"; do
    kill -0 "${MEMBER_PID[$name]}" 2>/dev/null || fail "member $name exited at start: $(tail -n 3 "$WORK/member-$name.log")"
    [ $SECONDS -lt $deadline ] || fail "member $name did not start listening within 10s"
    sleep 0.1
  done
}
# member_rx NAME : the datagrams member NAME has received so far (its last stats line; 0 before any).
member_rx() { sed -nE 's/^rx=([0-9]+) .*/\1/p' "$WORK/member-$1.log" | tail -n1 | grep . || echo 0; }

# vpnlb_jvm LOG : the pid vpnlb logged ("vpnlb running (pid N)"), waiting up to 20 s for the line.
vpnlb_jvm() {
  local pid deadline=$((SECONDS + 20))
  until pid=$(sed -nE 's/.*vpnlb running \(pid ([0-9]+)\).*/\1/p' "$1" | head -n1 | grep .); do
    [ $SECONDS -lt $deadline ] || fail "vpnlb listens but never logged 'vpnlb running (pid N)' ($(basename "$1"))"
    sleep 0.2
  done
  echo "$pid"
}

# metric NAME [FILTER...] : the sum of the values of the /metrics series NAME{...} whose labels contain every
# FILTER (literal text such as 'reason="session_limit"'); 0 when none matches. Reads $ADMIN_LISTEN in $NS_LB.
metric() {
  local name=$1; shift
  vpnlb_metrics "$ADMIN_LISTEN" | awk -v name="$name" -v filters="$*" '
    BEGIN { n = split(filters, f, " ") }
    { series = $1; sub(/\{.*/, "", series) }
    series == name { for (i = 1; i <= n; i++) if (!index($1, f[i])) next; sum += $NF }
    END { printf "%.0f\n", sum }'
}

# admin METHOD PATH [CURL_ARGS...] : curl to the admin API inside $NS_LB with the token; prints the body and,
# on a last line of its own, the HTTP status.
admin() {
  local method=$1 path=$2; shift 2
  in_ns "$NS_LB" curl -sS -m 10 -X "$method" -H "Authorization: Bearer $(cat "$WORK/admin.token")" \
    -w '\n%{http_code}\n' "$@" "http://$ADMIN_LISTEN$path"
}

# run_clients OUT PORT DURATION RATE CLIENT... : fault-peers.py clients from $NS_C to the VIP; the client lines
# go to OUT. Runs in the foreground.
run_clients() {
  local out=$1 port=$2 duration=$3 rate=$4 rc=0; shift 4
  in_ns "$NS_C" timeout $((${duration%.*} + 30)) "$PYTHON" -u "$FAULT_PEERS" clients 10.99.1.1 "$port" "$@" \
    --rate "$rate" --duration "$duration" >"$out" 2>"$out.err" </dev/null || rc=$?
  [ "$rc" = 0 ] || fail "fault-peers.py clients ($(basename "$out")) exited $rc: $(head -c 300 "$out.err")"
}
# client_field FILE FIELD : "ADDRESS:PORT VALUE" for every client line of FILE.
client_field() {
  awk -v k="$2" '$1 == "client" { for (i = 3; i <= NF; i++) if (index($i, k "=") == 1) print $2, substr($i, length(k) + 2) }' "$1"
}
# client_specs FIRST LAST PORT : ADDRESS:PORT specs for 10.99.1.FIRST .. 10.99.1.LAST, all from PORT.
client_specs() { local i; for i in $(seq "$1" "$2"); do printf '10.99.1.%d:%d ' "$i" "$3"; done; }
# add_client_addresses FIRST LAST : adds 10.99.1.FIRST .. 10.99.1.LAST to the client's c0.
add_client_addresses() {
  local i
  for i in $(seq "$1" "$2"); do echo "addr add 10.99.1.$i/24 dev c0"; done | ip -n "$NS_C" -batch -
}

# proc_fds PID / proc_rss_kb PID / proc_threads PID : open files, resident set (KiB), threads of PID.
proc_fds() { find "/proc/$1/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }
proc_rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
proc_threads() { awk '/^Threads:/ { print $2 }' "/proc/$1/status"; }
# heap_after_gc PID : bytes of heap in use right after a full collection (jcmd GC.run, then the
# jvm_memory_used_bytes{area="heap"} series). jcmd comes from the JDK of $JAVA_BIN.
heap_after_gc() {
  local jcmd
  jcmd=$(dirname "$(readlink -f "$(command -v "$JAVA_BIN")")")/jcmd
  [ -x "$jcmd" ] || fail "no jcmd next to $JAVA_BIN (a JDK is needed to force a collection)"
  "$jcmd" "$1" GC.run >/dev/null 2>&1 || fail "jcmd $1 GC.run failed"
  metric jvm_memory_used_bytes 'area="heap"'
}
# udp_rcvbuf_errors NS : the namespace's UDP RcvbufErrors counter (datagrams the kernel dropped because a
# socket's receive buffer was full).
udp_rcvbuf_errors() {
  in_ns "$1" awk '/^Udp:/ { if (!h) { for (i = 1; i <= NF; i++) col[$i] = i; h = 1 } else print $col["RcvbufErrors"] }' \
    /proc/net/snmp
}
