# shellcheck shell=bash
# Shared code of the real-peer scenario scripts (ikev2-strongswan.sh, ikev2-mobike.sh, ikev2-fragments.sh,
# ikev2-health.sh, ecmp-scaleout.sh): network namespaces, veths, vpnlb, strongSwan charon instances, packet
# capture, cleanup.
# Source it from a script that runs under `set -euo pipefail`; it defines functions and a few globals and
# creates nothing until lib_init is called.
#
# Conventions every scenario follows:
#   - exit 0 pass, 1 fail ("FAIL: ..." then "RESULT: FAIL ..."), 2 usage, 77 skip (one line "SKIP: reason")
#   - namespaces are named vpnlbit-<pid of the script>-<role>; a namespace whose owning pid is dead is stale
#     and removed by the next run; everything a run creates (namespaces, veths inside them, processes, the
#     temp dir) is removed by the EXIT trap, also after SIGTERM/SIGINT/SIGHUP
#   - all waits are polls with a deadline
#
# Topology of lib_topology_standard (the scenarios add to it):
#   client ns   c0 10.99.1.2/24 ----veth---- lbc  10.99.1.1/24 (VIP)  in lb ns
#   srv1 ns     s0 10.99.2.2/24 ----veth---- lbs1 10.99.2.1/24        in lb ns
#   srv2 ns     s0 10.99.3.2/24 ----veth---- lbs2 10.99.3.1/24        in lb ns
#   both servers own 10.99.200.1/32 on lo (the address pinged through the tunnel)
#
# Variables a scenario may set before calling the functions:
#   RESULT_TAG   text in the RESULT line, e.g. "vpnlb mode"        (default: the script's name)
#   KEEP_LOGS    directory the work dir is copied to on exit         (default: none)
#   JAR, JAVA_BIN  vpnlb jar and java binary for start_vpnlb / maglev_pick
#   VPNLB_JVM_OPTS  JVM options of start_vpnlb (default: -Dio.netty.leakDetection.level=paranoid)
#   CHARON_LOAD  plugin list of charon                               (default: see mkconf)
#   CHARON_EXTRA extra lines inside the charon { } section of every strongswan.conf made by mkconf
# Hook: a function named dump_extra, if defined, runs at the end of dump_logs.

LIB_NETNS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RESULT_TAG=${RESULT_TAG:-$(basename "$0" .sh)}
KEEP_LOGS=${KEEP_LOGS:-}
JAVA_BIN=${JAVA_BIN:-java}

# Bounds (seconds). Generous: the machine has 2 shared cores and vpnlb runs with paranoid leak detection.
LISTEN_TIMEOUT=${VPNLBIT_LISTEN_TIMEOUT:-90}
VICI_TIMEOUT=20
INITIATE_TIMEOUT=60

NAMESPACES=()
BG_PIDS=()
WORK=""
FAILED=0
TCPDUMP_PID=""
VPNLB_PID=""
declare -A CHARON_PID=()
declare -A CHARON_NS=()
declare -A CHARON_UP_MS=()   # when the vici socket appeared (charon's plugins, UDP sockets included, are loaded)

log() { echo "[$(date +%H:%M:%S.%3N)] $*"; }
skip() { echo "SKIP: $*"; exit 77; }
now_ms() { date +%s%3N; }

# ---------------------------------------------------------------- command line
# lib_args "USAGE" "$@" : parses the usual scenario command line [--keep-logs DIR] WORD VPNLB_JAR [JAVA_BIN];
# sets KEEP_LOGS, ARG_WORD, JAR and JAVA_BIN (default java). Anything else prints "usage: $0 USAGE", exit 2.
lib_args() {
  local usage="usage: $0 $1" words=()
  shift
  while [ $# -gt 0 ]; do
    case "$1" in
      --keep-logs) [ $# -ge 2 ] || { echo "$usage" >&2; exit 2; }; KEEP_LOGS=$2; shift ;;
      -*) echo "$usage" >&2; exit 2 ;;
      *) words+=("$1") ;;
    esac
    shift
  done
  [ ${#words[@]} -ge 2 ] && [ ${#words[@]} -le 3 ] || { echo "$usage" >&2; exit 2; }
  ARG_WORD=${words[0]} JAR=${words[1]} JAVA_BIN=${words[2]:-java}
}

# ---------------------------------------------------------------- prerequisites (nothing created yet)
# Root, iproute2, ping, coreutils timeout, strongSwan charon + swanctl + kernel-libipsec, /dev/net/tun.
lib_require_strongswan() {
  [ "$(id -u)" = 0 ] || skip "needs root (network namespaces, veths, charon); running as uid $(id -u)"
  command -v ip >/dev/null 2>&1 || skip "no 'ip' command (install iproute2)"
  command -v ss >/dev/null 2>&1 || skip "no 'ss' command (install iproute2)"
  command -v ping >/dev/null 2>&1 || skip "no 'ping' command (install iputils-ping)"
  command -v timeout >/dev/null 2>&1 || skip "no 'timeout' command (install coreutils)"
  CHARON=""
  local c d
  for c in /usr/lib/ipsec/charon /usr/libexec/ipsec/charon /usr/lib/strongswan/charon /usr/libexec/strongswan/charon; do
    [ -x "$c" ] && { CHARON=$c; break; }
  done
  [ -n "$CHARON" ] || skip "no strongSwan charon daemon (install strongswan-charon)"
  command -v swanctl >/dev/null 2>&1 || skip "no swanctl (install strongswan-swanctl)"
  LIBIPSEC=""
  for d in "$(dirname "$CHARON")/plugins" /usr/lib/ipsec/plugins /usr/lib/x86_64-linux-gnu/ipsec/plugins /usr/lib64/ipsec/plugins; do
    [ -e "$d/libstrongswan-kernel-libipsec.so" ] && { LIBIPSEC=$d/libstrongswan-kernel-libipsec.so; break; }
  done
  [ -n "$LIBIPSEC" ] || skip "no strongSwan kernel-libipsec plugin (install libcharon-extra-plugins)"
  [ -c /dev/net/tun ] || skip "no /dev/net/tun (kernel-libipsec needs a TUN device)"
}
lib_require_cmd() { # command package
  command -v "$1" >/dev/null 2>&1 || skip "no $1 (install $2)"
}
# lib_require_python WHAT : sets PYTHON to a python3 binary (Debian's /usr/bin/python3 first); skips without one,
# saying WHAT needs it.
lib_require_python() {
  local c
  PYTHON=""
  for c in /usr/bin/python3 "$(command -v python3 2>/dev/null || true)"; do
    [ -n "$c" ] && [ -x "$c" ] && { PYTHON=$c; return 0; }
  done
  skip "no python3 ($1)"
}
# The vpnlb jar and a java binary; missing ones are failures, not skips (the build should have made them).
lib_require_vpnlb() {
  [ -n "$JAR" ] || { echo "usage: a VPNLB_JAR argument is required" >&2; exit 2; }
  if [ ! -f "$JAR" ]; then echo "FAIL: vpnlb jar not found: $JAR"; exit 1; fi
  if ! command -v "$JAVA_BIN" >/dev/null 2>&1; then echo "FAIL: java binary not found: $JAVA_BIN"; exit 1; fi
}

# ---------------------------------------------------------------- namespaces, traps, work dir
# lib_init ROLE... : probes that namespaces can be made (skip otherwise), removes stale namespaces of dead
# runs, installs the cleanup traps, makes the work dir and the namespaces vpnlbit-<pid>-<role> (lo up).
# Sets P and, for the standard roles, NS_C (client) NS_LB (lb) NS_S1 (srv1) NS_S2 (srv2).
lib_init() {
  P="vpnlbit-$$"
  local err stale owner stale_pids role n
  if ! err=$(ip netns add "$P-probe" 2>&1); then
    skip "cannot create network namespaces here: ${err//$'\n'/ }"
  fi
  ip netns del "$P-probe" 2>/dev/null || true
  # Remove what an earlier run left behind only if it was SIGKILLed (its namespaces carry its pid, now dead).
  for stale in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^vpnlbit-[0-9]+-[a-z0-9]+$' || true); do
    owner=${stale#vpnlbit-}; owner=${owner%%-*}
    kill -0 "$owner" 2>/dev/null && continue
    echo "removing stale namespace $stale (its test run, pid $owner, is gone)"
    stale_pids=$(ip netns pids "$stale" 2>/dev/null | tr '\n' ' ')
    [ -n "${stale_pids// }" ] && kill -KILL $stale_pids 2>/dev/null
    ip netns del "$stale" 2>/dev/null || true
  done

  trap cleanup EXIT
  trap 'on_signal 130 INT' INT
  trap 'on_signal 143 TERM' TERM
  trap 'on_signal 129 HUP' HUP

  WORK=$(mktemp -d /tmp/vpnlbit.XXXXXX)
  chmod 700 "$WORK"

  for role in "$@"; do
    n=$P-$role
    ip netns add "$n"
    NAMESPACES+=("$n")
    ip -n "$n" link set lo up
  done
  NS_C=$P-client NS_LB=$P-lb NS_S1=$P-srv1 NS_S2=$P-srv2
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM HUP
  set +e
  local pids="" n p alive i
  for n in "${NAMESPACES[@]}"; do pids="$pids $(ip netns pids "$n" 2>/dev/null | tr '\n' ' ')"; done
  pids="$pids ${BG_PIDS[*]:-}"
  pids=$(echo $pids | tr ' ' '\n' | sort -un | tr '\n' ' ')
  if [ -n "${pids// }" ]; then
    kill -TERM $pids 2>/dev/null
    for i in $(seq 1 50); do
      alive=""; for p in $pids; do kill -0 "$p" 2>/dev/null && alive="$alive $p"; done
      [ -z "$alive" ] && break
      sleep 0.1
    done
    [ -n "$alive" ] && kill -KILL $alive 2>/dev/null
    wait 2>/dev/null
  fi
  for n in "${NAMESPACES[@]}"; do ip netns del "$n" 2>/dev/null; done
  if [ -n "$KEEP_LOGS" ] && [ -n "$WORK" ] && [ -d "$WORK" ]; then
    mkdir -p "$KEEP_LOGS" && cp -r "$WORK"/. "$KEEP_LOGS"/ 2>/dev/null
    find "$KEEP_LOGS" \( -type s -o -name '*.key' \) -delete 2>/dev/null
  fi
  [ -n "$WORK" ] && rm -rf "$WORK"
  exit "$rc"
}
on_signal() { # rc signal
  trap - INT TERM HUP
  echo "FAIL: interrupted by SIG$2 (test timeout?)"
  dump_logs
  echo "RESULT: FAIL ($RESULT_TAG): interrupted by SIG$2"
  exit "$1"
}

dump_logs() {
  set +e
  echo "==================== diagnostics ===================="
  local f d n
  for f in "$WORK"/vpnlb*.log; do
    [ -f "$f" ] && { echo "---- $(basename "$f" .log) log (last 150 lines of $(wc -l < "$f")) ----"; tail -n 150 "$f"; }
  done
  for f in "$WORK"/socat-*.err; do [ -s "$f" ] && { echo "---- $(basename "$f") ----"; tail -n 20 "$f"; }; done
  for d in "$WORK"/*/; do
    n=$(basename "$d")
    [ -f "$d/charon.log" ] && { echo "---- charon log $n (last 60 lines) ----"; tail -n 60 "$d/charon.log"; }
    [ -s "$d/stdout" ] && { echo "---- charon stdout/stderr $n ----"; tail -n 20 "$d/stdout"; }
  done
  for f in "$WORK"/initiate*.out; do
    [ -f "$f" ] && { echo "---- swanctl --initiate ($(basename "$f")) ----"; tail -n 40 "$f"; }
  done
  for f in "$WORK"/sas-*.txt; do
    [ -f "$f" ] && { echo "---- swanctl --list-sas $(basename "$f" .txt | sed 's/^sas-//') ----"; cat "$f"; }
  done
  stop_tcpdump
  if [ -s "$WORK/lb.pcap" ]; then
    echo "---- UDP seen in the lb namespace (first 80 packets) ----"
    in_ns "$NS_LB" timeout 10 tcpdump -nr "$WORK/lb.pcap" 2>/dev/null | head -n 80
  fi
  if declare -F dump_extra >/dev/null; then dump_extra; fi
  echo "====================================================="
}
fail() {
  echo "FAIL: $*"
  FAILED=1
  dump_logs
  echo "RESULT: FAIL ($RESULT_TAG): $*"
  exit 1
}

# run a command inside a namespace
in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# ---------------------------------------------------------------- topology
# veth_link NS_A IF_A ADDR_A/LEN NS_B IF_B ADDR_B/LEN : a veth pair made directly inside the two namespaces.
veth_link() {
  ip link add "$2" netns "$1" type veth peer name "$5" netns "$4"
  ip -n "$1" addr add "$3" dev "$2"
  ip -n "$4" addr add "$6" dev "$5"
  ip -n "$1" link set "$2" up
  ip -n "$4" link set "$5" up
}
lib_topology_standard() {
  veth_link "$NS_C" c0 10.99.1.2/24 "$NS_LB" lbc 10.99.1.1/24
  veth_link "$NS_S1" s0 10.99.2.2/24 "$NS_LB" lbs1 10.99.2.1/24
  veth_link "$NS_S2" s0 10.99.3.2/24 "$NS_LB" lbs2 10.99.3.1/24
  ip -n "$NS_C" route add default via 10.99.1.1
  ip -n "$NS_S1" addr add 10.99.200.1/32 dev lo
  ip -n "$NS_S2" addr add 10.99.200.1/32 dev lo
}
lib_topology_check() {
  in_ns "$NS_C" ping -c1 -W2 10.99.1.1 >/dev/null || fail "topology: client cannot reach 10.99.1.1"
  in_ns "$NS_LB" ping -c1 -W2 10.99.2.2 >/dev/null || fail "topology: lb cannot reach srv1 10.99.2.2"
  in_ns "$NS_LB" ping -c1 -W2 10.99.3.2 >/dev/null || fail "topology: lb cannot reach srv2 10.99.3.2"
}

# ---------------------------------------------------------------- packet capture in lb
# start_tcpdump [SNAPLEN] : UDP in the lb namespace, all interfaces, to $WORK/lb.pcap (no-op without tcpdump).
# A large buffer (-B, KiB): a burst of a dozen IKE fragments must not be dropped by the kernel.
start_tcpdump() {
  local snap=${1:-200} i
  command -v tcpdump >/dev/null 2>&1 || return 0
  TCPDUMP_CMD="tcpdump --immediate-mode -U -B 8192 -s $snap -c 20000 -ni any -w lb.pcap udp"
  in_ns "$NS_LB" tcpdump --immediate-mode -U -B 8192 -s "$snap" -c 20000 -ni any -w "$WORK/lb.pcap" udp >"$WORK/tcpdump.err" 2>&1 &
  TCPDUMP_PID=$!; BG_PIDS+=("$TCPDUMP_PID")
  for i in $(seq 1 50); do grep -q 'listening on' "$WORK/tcpdump.err" 2>/dev/null && break; sleep 0.1; done
}
stop_tcpdump() {
  if [ -n "$TCPDUMP_PID" ]; then kill -TERM "$TCPDUMP_PID" 2>/dev/null || true; wait "$TCPDUMP_PID" 2>/dev/null || true; TCPDUMP_PID=""; fi
  return 0
}
# After stop_tcpdump: how many packets the kernel dropped before tcpdump saw them (0 when unknown).
tcpdump_drops() {
  sed -nE 's/^([0-9]+) packets? dropped by kernel.*/\1/p' "$WORK/tcpdump.err" 2>/dev/null | tail -n1 | grep . || echo 0
}
# Count of datagrams per destination host:port (500/4500) in the capture, one line.
pcap_port_summary() {
  [ -s "$WORK/lb.pcap" ] || return 0
  in_ns "$NS_LB" timeout 10 tcpdump -nr "$WORK/lb.pcap" 2>/dev/null | awk '
    { for (i = 1; i <= NF; i++) if ($i == ">") { dst = $(i + 1); sub(/:$/, "", dst); n = split(dst, q, "."); port = q[n]; host = q[1] "." q[2] "." q[3] "." q[4];
        if (port == 500 || port == 4500) c[host ":" port]++ } }
    END { for (k in c) printf "%s=%d\n", k, c[k] }' | sort -V | tr '\n' ' ' || true
}

# ---------------------------------------------------------------- vpnlb
# start_vpnlb YAML [LOG] : runs vpnlb in the namespace $NS_LB (log LOG, default $WORK/vpnlb.log; keep the name
# vpnlb*.log so dump_logs shows it) and waits until it listens on UDP 500 and 4500. Sets VPNLB_PID.
start_vpnlb() {
  local yaml=$1 vlog=${2:-$WORK/vpnlb.log} deadline socks rc
  log "starting vpnlb: $JAVA_BIN -jar $JAR run --config $yaml (in $NS_LB)"
  # shellcheck disable=SC2086
  in_ns "$NS_LB" "$JAVA_BIN" ${VPNLB_JVM_OPTS:--Dio.netty.leakDetection.level=paranoid} -jar "$JAR" run --config "$yaml" \
    >"$vlog" 2>&1 </dev/null &
  VPNLB_PID=$!; BG_PIDS+=("$VPNLB_PID")
  deadline=$((SECONDS + LISTEN_TIMEOUT))
  while :; do
    kill -0 "$VPNLB_PID" 2>/dev/null || { rc=0; wait "$VPNLB_PID" || rc=$?; fail "vpnlb exited (status $rc) before listening on UDP 500 and 4500"; }
    socks=$(in_ns "$NS_LB" ss -Hulnp 2>/dev/null | awk '{print $4}')
    if grep -Eq ':500$' <<<"$socks" && grep -Eq ':4500$' <<<"$socks"; then break; fi
    [ $SECONDS -lt $deadline ] || fail "vpnlb does not listen on UDP 500 and 4500 after ${LISTEN_TIMEOUT}s (sockets: $(tr '\n' ' ' <<<"$socks"))"
    sleep 0.3
  done
  log "vpnlb listens: $(in_ns "$NS_LB" ss -Hulnp | awk '{print $4}' | grep -E ':(500|4500)$' | sort | tr '\n' ' ')"
}
# Failures common to every vpnlb scenario at the end of a run: the vpnlb of $VPNLB_PID with log LOG (default
# $WORK/vpnlb.log) still runs and reported no leak.
vpnlb_final_checks() {
  local vlog=${1:-$WORK/vpnlb.log}
  kill -0 "$VPNLB_PID" 2>/dev/null \
    || fail "vpnlb ($(basename "$vlog" .log)) is no longer running at the end of the test"
  vpnlb_log_checks "$vlog"
}
# vpnlb_log_checks LOG : fails on a ByteBuf leak report in a vpnlb log; notes logged errors.
vpnlb_log_checks() {
  # paranoid leak detection reports at GC time, so this catches only what showed up during the run
  if grep -q 'LEAK:' "$1"; then fail "vpnlb reported a ByteBuf leak (see $(basename "$1"))"; fi
  if grep -qE '\[ERROR\]|Exception' "$1"; then
    log "note: vpnlb logged errors or exceptions ($(basename "$1")):"
    grep -E '\[ERROR\]|Exception' "$1" | head -n 5 | sed 's/^/    /'
  fi
}
# vpnlb_metrics HOST:PORT : the body of GET /metrics from inside the lb namespace (empty when not served).
# Plain bash /dev/tcp, so no curl is needed.
vpnlb_metrics() {
  local host=${1%:*} port=${1##*:}
  in_ns "$NS_LB" timeout 5 bash -c '
    exec 3<>"/dev/tcp/$0/$1" || exit 1
    printf "GET /metrics HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n\r\n" "$0" >&3
    cat <&3' "$host" "$port" 2>/dev/null | tr -d '\r' | awk 'body { print } /^$/ { body = 1 }' || true
}

# maglev_pick YAML POOL ADDRESS... : for each client address, the address of the member vpnlb's Maglev table
# picks while every member of POOL is eligible, as "ADDRESS MEMBER" lines. Runs MaglevPick.java (JDK source
# launcher) against the jar's own classes: ConfigLoader for the same YAML, SnapshotBuilder.memberKey for the
# member keys, MaglevTable and ClientHash for the lookup, so it follows vpnlb's real code.
maglev_pick() {
  local yaml=$1 pool=$2 out; shift 2
  if ! out=$("$JAVA_BIN" -cp "$JAR" "$LIB_NETNS_DIR/MaglevPick.java" "$yaml" "$pool" "$@" 2>&1); then
    if grep -qiE 'jdk\.compiler|source-file mode|No compiler|unrecognized option' <<<"$out"; then
      skip "the Maglev helper needs a JDK ($JAVA_BIN cannot run a single-file source program): $(head -n1 <<<"$out")"
    fi
    fail "MaglevPick.java failed: $out"
  fi
  echo "$out"
}

# ---------------------------------------------------------------- strongSwan
CHARON_LOAD=${CHARON_LOAD:-"random nonce aes sha1 sha2 hmac pem pkcs1 pkcs8 x509 pubkey gmp mgf1 kdf kernel-libipsec kernel-netlink socket-default vici updown"}
CHARON_EXTRA=${CHARON_EXTRA:-}
# mkconf NAME : $WORK/NAME/{strongswan.conf,swanctl/...} with a private vici socket and charon.log.
mkconf() {
  local d=$WORK/$1
  mkdir -p "$d/swanctl/conf.d" "$d/swanctl/x509" "$d/swanctl/x509ca" "$d/swanctl/private"
  cat > "$d/strongswan.conf" <<EOF
charon {
  load = $CHARON_LOAD
  install_routes = yes
  retransmit_tries = 4
$CHARON_EXTRA
  plugins {
    vici { socket = unix://$d/charon.vici }
  }
  filelog {
    main {
      path = $d/charon.log
      time_format = %H:%M:%S
      default = 1
      ike = 2
      net = 2
      enc = 1
      mgr = 2
      flush_line = yes
    }
  }
}
swanctl {
  load = random nonce pem pkcs1 pkcs8 x509 pubkey
  plugins { vici { socket = unix://$d/charon.vici } }
}
EOF
}
swan() { # name ns swanctl-args...
  local n=$1 ns=$2; shift 2
  STRONGSWAN_CONF=$WORK/$n/strongswan.conf SWANCTL_DIR=$WORK/$n/swanctl \
    ip netns exec "$ns" timeout 30 swanctl "$@" --uri "unix://$WORK/$n/charon.vici"
}
# start_charon NAME NS : charon with $WORK/NAME/strongswan.conf in NS, then swanctl --load-all.
start_charon() {
  local n=$1 ns=$2 d=$WORK/$1 pid deadline
  rm -f "$d/charon.vici"
  # charon's pid file is /var/run/charon.pid: give each instance a private /run (ip netns exec already runs
  # the command in its own mount namespace, so the tmpfs is invisible outside). exec keeps the pid: $! is charon.
  ip netns exec "$ns" env STRONGSWAN_CONF="$d/strongswan.conf" \
    sh -c "mount -t tmpfs -o size=4m tmpfs /run && exec $CHARON" >>"$d/stdout" 2>&1 </dev/null &
  pid=$!; BG_PIDS+=("$pid")
  CHARON_PID[$n]=$pid CHARON_NS[$n]=$ns
  deadline=$((SECONDS + VICI_TIMEOUT))
  until [ -S "$d/charon.vici" ]; do
    kill -0 "$pid" 2>/dev/null || fail "charon ($n) exited at start"
    [ $SECONDS -lt $deadline ] || fail "charon ($n) did not open its vici socket within ${VICI_TIMEOUT}s"
    sleep 0.1
  done
  CHARON_UP_MS[$n]=$(now_ms)
  swan "$n" "$ns" --load-all >"$d/load.out" 2>&1 || { cat "$d/load.out"; fail "swanctl --load-all ($n) failed"; }
  grep -q 'loaded connection' "$d/load.out" || { cat "$d/load.out"; fail "swanctl --load-all ($n) loaded no connection"; }
}
# stop_charon NAME : SIGTERM, wait (bounded) for the process to exit, SIGKILL if it does not.
stop_charon() {
  local n=$1 pid=${CHARON_PID[$1]:-} i
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then log "charon ($n) ignored SIGTERM for 10s; SIGKILL"; kill -KILL "$pid" 2>/dev/null || true; fi
  wait "$pid" 2>/dev/null || true
  CHARON_PID[$n]=""
}
# initiate NAME NS CHILD OUTFILE : swanctl --initiate in the background + wait, so a SIGTERM from the test
# runner is handled at once, not after the timeout. Returns swanctl's status.
initiate() {
  local n=$1 ns=$2 child=$3 out=$4 pid
  STRONGSWAN_CONF=$WORK/$n/strongswan.conf ip netns exec "$ns" timeout $((INITIATE_TIMEOUT + 10)) \
    swanctl --initiate --child "$child" --timeout "$INITIATE_TIMEOUT" --uri "unix://$WORK/$n/charon.vici" \
    >"$out" 2>&1 </dev/null &
  pid=$!; BG_PIDS+=("$pid")
  wait "$pid"
}
list_sas() { # name ns -> file $WORK/sas-name.txt
  swan "$1" "$2" --list-sas 2>&1 | grep -vE 'tpm|TPM|aesni' >"$WORK/sas-$1.txt" || true
}
# wait_client_sa NAME NS [SECONDS] : until NAME has an ESTABLISHED IKE SA with an INSTALLED CHILD SA; then
# sets SPI_I SPI_R from it.
wait_client_sa() {
  local n=$1 ns=$2 deadline=$((SECONDS + ${3:-20})) spis
  while :; do
    list_sas "$n" "$ns"
    grep -q 'ESTABLISHED' "$WORK/sas-$n.txt" && grep -q 'INSTALLED' "$WORK/sas-$n.txt" && break
    [ $SECONDS -lt $deadline ] || fail "$n has no ESTABLISHED IKE SA with an INSTALLED CHILD SA"
    sleep 0.3
  done
  spis=$(sed -nE 's/.*ESTABLISHED, IKEv2, ([0-9a-f]{16})_i\*? ([0-9a-f]{16})_r.*/\1 \2/p' "$WORK/sas-$n.txt" | head -n1)
  SPI_I=${spis% *}; SPI_R=${spis#* }
  [ -n "$SPI_I" ] && [ -n "$SPI_R" ] || fail "cannot read the IKE SPIs from $n's SA"
}
# sa_holders NAME:NS... : prints the names of the charons whose --list-sas shows IKE SA ${SPI_I}_i ${SPI_R}_r
# ESTABLISHED (refreshes $WORK/sas-NAME.txt of each).
sa_holders() {
  local pair n ns
  for pair in "$@"; do
    n=${pair%%:*} ns=${pair#*:}
    list_sas "$n" "$ns"
    if grep -q "ESTABLISHED, IKEv2, ${SPI_I}_i ${SPI_R}_r" "$WORK/sas-$n.txt"; then echo "$n"; fi
  done
}
# ping_tunnel NS COUNT [DEADLINE_PER_REPLY] : pings 10.99.200.1; prints the replies received (a number).
ping_tunnel() {
  local out
  out=$(in_ns "$1" ping -n -c "$2" -i 0.3 -W "${3:-2}" 10.99.200.1 2>&1) || true
  echo "$out" | grep -E 'bytes from|transmitted' | sed 's/^/    /' >&2
  local rx; rx=$(sed -nE 's/.* ([0-9]+) received.*/\1/p' <<<"$out")
  echo "${rx:-0}"
}
# vpnlb_log_ms LINE : epoch milliseconds of a vpnlb log line (simplelogger ISO timestamp at its start).
vpnlb_log_ms() {
  local ts; ts=$(awk '{print $1}' <<<"$1")
  date -d "$ts" +%s%3N 2>/dev/null || echo 0
}

# ---------------------------------------------------------------- configurations shared by the scenarios
ADMIN_LISTEN=127.0.0.1:19090
# vpnlb_yaml FILE [SERVICE_EXTRA] [POOL_EXTRA] : the ikev2 service on the VIP 10.99.1.1 (500, 4500), source NAT,
# pool vpn = srv1 + srv2 with Maglev; extra YAML lines (indented 4 spaces) go into the service and the pool.
# The admin API listens on $ADMIN_LISTEN inside the lb namespace, with its token in the work dir.
vpnlb_yaml() {
  cat > "$1" <<EOF
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
    source-nat: true
    persistence: { scope: vip, timeout: 10m }
    session-idle-timeout: 5m
${2:-}
pools:
  - name: vpn
    algorithm: maglev
    members:
      - { address: 10.99.2.2 }
      - { address: 10.99.3.2 }
${3:-}
EOF
}
PSK="vpnlbit-psk-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
# psk_server_conf NAME ADDRESS VIRTUAL_IP_POOL [EXTRA_CONNECTION_LINES] : a PSK responder for clients with
# any identity listed in PSK_CLIENT_IDS (default: client), protecting 10.99.200.1/32.
psk_server_conf() {
  local ids="" i=2 id
  for id in ${PSK_CLIENT_IDS:-client}; do ids="$ids
                  id-$i = $id"; i=$((i + 1)); done
  cat > "$WORK/$1/swanctl/swanctl.conf" <<EOF
connections {
  rw {
    version = 2
    local_addrs = $2
    remote_addrs = %any
    proposals = aes128-sha256-modp2048
    pools = vpool
    ${4:-}
    local { auth = psk
            id = server }
    remote { auth = psk }
    children { net { local_ts = 10.99.200.1/32
                     esp_proposals = aes128-sha256 } }
  }
}
pools { vpool { addrs = $3 } }
secrets { ike-1 { id-1 = server$ids
                  secret = "$PSK" } }
EOF
}
# psk_client_conf NAME ID [EXTRA_CONNECTION_LINES] : connection "home" to the VIP with child "net".
psk_client_conf() {
  cat > "$WORK/$1/swanctl/swanctl.conf" <<EOF
connections {
  home {
    version = 2
    remote_addrs = 10.99.1.1
    proposals = aes128-sha256-modp2048
    vips = 0.0.0.0
    ${3:-}
    local { auth = psk
            id = $2 }
    remote { auth = psk
             id = server }
    children { net { remote_ts = 10.99.200.1/32
                     esp_proposals = aes128-sha256 } }
  }
}
secrets { ike-1 { id-1 = server
                  id-2 = $2
                  secret = "$PSK" } }
EOF
}
declare -A SRV_ADDR=([srv1]=10.99.2.2 [srv2]=10.99.3.2)
declare -A SRV_LBADDR=([srv1]=10.99.2.1 [srv2]=10.99.3.1)
other_server() { [ "$1" = srv1 ] && echo srv2 || echo srv1; }
server_of_address() { case "$1" in 10.99.2.2) echo srv1 ;; 10.99.3.2) echo srv2 ;; *) echo "?" ;; esac; }
