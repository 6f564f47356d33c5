#!/usr/bin/env bash
# Transparent mode (source-nat: false) end to end on plain UDP: the member sees the client's own address.
#
#   client ns   c0 10.98.1.2/24 (+ 10.98.1.3) ----veth---- lbc 10.98.1.1/24 (VIP, UDP 5000)    lb ns (vpnlb)
#   member ns   m0 10.98.2.2/24, default via 10.98.2.1 ----veth---- lbm 10.98.2.1/24
#
# vpnlb runs the udp service "plain" (listen 10.98.1.1 port 5000 -> member port 6000, source-nat: false) with
# the transport given as argument; the lb namespace has deploy/transparent-routing.sh up and does NOT forward
# IP (ip_forward=0), so a reply can only reach the client through vpnlb's session. The member is a small UDP
# echo that answers "saw ADDR:PORT" with the source address it saw and logs every datagram.
#
# Checks:
#   1. client 10.98.1.2:40123 -> VIP: the member saw 10.98.1.2:40123 (not vpnlb's 10.98.2.1), the reply
#      reaches the client from the VIP 10.98.1.1:5000, and vpnlb's upstream socket in the lb namespace is
#      bound to 10.98.1.2:40123 and connected to the member 10.98.2.2:6000.
#   2. a second client address 10.98.1.3:40124 is seen as itself, from the VIP again.
#   3. negative control: transparent-routing.sh down, a fresh client port: the member still receives the
#      datagram from the client's address but its reply does NOT come back (the lb namespace has no route that
#      delivers it to vpnlb's socket).
#   4. transparent-routing.sh up again, another fresh client port: replies come back again (the control
#      failed because of the routing and nothing else).
#   vpnlb must still be running at the end, without a ByteBuf leak report (paranoid leak detection).
#
# usage: transparent-udp.sh [--keep-logs DIR] TRANSPORT VPNLB_JAR [JAVA_BIN]
#   TRANSPORT   epoll | io_uring (the transports that can bind a foreign address)
# Exit: 0 pass, 1 fail, 2 usage, 77 skip (one line "SKIP: reason": not root, no network namespaces, no nft,
# no python3, or the transport is not available on this machine).
# Everything created (namespaces vpnlbit-<pid>-*, their veths, processes, the temp dir) is removed on exit.
set -euo pipefail

KEEP_LOGS=""
TRANSPORT=""
JAR=""
JAVA_BIN=""
usage() { echo "usage: $0 [--keep-logs DIR] epoll|io_uring VPNLB_JAR [JAVA_BIN]" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --keep-logs) [ $# -ge 2 ] || usage; KEEP_LOGS=$2; shift ;;
    -h|--help|-*) usage ;;
    *) if [ -z "$TRANSPORT" ]; then TRANSPORT=$1; elif [ -z "$JAR" ]; then JAR=$1
       elif [ -z "$JAVA_BIN" ]; then JAVA_BIN=$1; else usage; fi ;;
  esac
  shift
done
case "$TRANSPORT" in epoll|io_uring) ;; *) usage ;; esac
JAVA_BIN=${JAVA_BIN:-java}
RESULT_TAG="transparent udp, $TRANSPORT"
SH_DIR=$(cd "$(dirname "$0")" && pwd)
ROUTING=$(cd "$SH_DIR/../../../.." && pwd)/deploy/transparent-routing.sh
# shellcheck source=lib-netns.sh
. "$SH_DIR/lib-netns.sh"

VIP=10.98.1.1 VPORT=5000 MEMBER=10.98.2.2 MPORT=6000 LB_MEMBER_SIDE=10.98.2.1
REPLY_TIMEOUT=8     # seconds a client waits for a reply that must come (it resends every second)
NEG_TIMEOUT=4       # seconds the negative control waits for a reply that must not come

# ---------------------------------------------------------------- prerequisites (nothing created yet)
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, nftables, IP_TRANSPARENT); running as uid $(id -u)"
lib_require_cmd ip iproute2
lib_require_cmd ss iproute2
lib_require_cmd timeout coreutils
lib_require_cmd nft nftables
PYTHON=""
for c in /usr/bin/python3 "$(command -v python3 2>/dev/null || true)"; do
  [ -n "$c" ] && [ -x "$c" ] && { PYTHON=$c; break; }
done
[ -n "$PYTHON" ] || skip "no python3 (the UDP echo member and client are small python scripts)"
[ -f "$ROUTING" ] || { echo "FAIL: $ROUTING not found"; exit 1; }
lib_require_vpnlb

lib_init client lb member
NS_M=$P-member
dump_extra() {
  local f
  rm -f "$WORK/admin.token"     # not kept with --keep-logs
  for f in "$WORK"/member.log "$WORK"/probe-*.out; do
    [ -f "$f" ] && { echo "---- $(basename "$f") ----"; tail -n 30 "$f"; }
  done
  echo "---- transparent-routing.sh status (lb) ----"; in_ns "$NS_LB" bash "$ROUTING" status 2>&1 | head -n 30
  echo "---- UDP sockets in lb ----"; in_ns "$NS_LB" ss -Huanp 2>&1 | head -n 30
}

# ---------------------------------------------------------------- topology
log "transport=$TRANSPORT namespaces=$P-{client,lb,member} work=$WORK"
veth_link "$NS_C" c0 10.98.1.2/24 "$NS_LB" lbc 10.98.1.1/24
veth_link "$NS_M" m0 10.98.2.2/24 "$NS_LB" lbm 10.98.2.1/24
ip -n "$NS_C" addr add 10.98.1.3/24 dev c0
ip -n "$NS_C" route add default via 10.98.1.1
ip -n "$NS_M" route add default via 10.98.2.1      # the member answers the client through the vpnlb host
in_ns "$NS_LB" sysctl -qw net.ipv4.ip_forward=0     # ... where only vpnlb's sockets can take the answer
in_ns "$NS_C" ping -c1 -W2 "$VIP" >/dev/null || fail "topology: client cannot reach $VIP"
in_ns "$NS_LB" ping -c1 -W2 "$MEMBER" >/dev/null || fail "topology: lb cannot reach the member $MEMBER"
in_ns "$NS_LB" bash "$ROUTING" up >"$WORK/routing-up.out" 2>&1 || { cat "$WORK/routing-up.out"; fail "transparent-routing.sh up failed"; }
log "$(cat "$WORK/routing-up.out")"
start_tcpdump 128

# ---------------------------------------------------------------- member (UDP echo that names the source it saw)
cat > "$WORK/udp.py" <<'PY'
import socket, sys, time
def echo(addr, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, port))
    print("listening %s:%d" % (addr, port), flush=True)
    while True:
        data, peer = s.recvfrom(65535)
        print("rx %s:%d %s" % (peer[0], peer[1], data.decode(errors="replace")), flush=True)
        s.sendto(("saw %s:%d" % peer).encode(), peer)
def send(bind_addr, bind_port, dst, dport, timeout):
    # Resend once a second (the same source, so the same vpnlb session) until a reply or the deadline.
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((bind_addr, bind_port))
    deadline = time.monotonic() + timeout
    n = 0
    while time.monotonic() < deadline:
        n += 1
        s.sendto(("probe from %s:%d #%d" % (bind_addr, bind_port, n)).encode(), (dst, dport))
        s.settimeout(max(0.05, min(1.0, deadline - time.monotonic())))
        try:
            data, peer = s.recvfrom(65535)
        except socket.timeout:
            continue
        print("reply from %s:%d after %d send(s): %s" % (peer[0], peer[1], n, data.decode(errors="replace")), flush=True)
        return 0
    print("no reply within %gs after %d send(s)" % (timeout, n), flush=True)
    return 3
if sys.argv[1] == "echo":
    echo(sys.argv[2], int(sys.argv[3]))
else:
    sys.exit(send(sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5]), float(sys.argv[6])))
PY
in_ns "$NS_M" "$PYTHON" -u "$WORK/udp.py" echo "$MEMBER" "$MPORT" >"$WORK/member.log" 2>&1 </dev/null &
BG_PIDS+=("$!")
deadline=$((SECONDS + 10))
until grep -q '^listening' "$WORK/member.log" 2>/dev/null; do
  [ $SECONDS -lt $deadline ] || fail "the member's UDP echo did not start"
  sleep 0.1
done

# ---------------------------------------------------------------- vpnlb
cat > "$WORK/vpnlb.yaml" <<EOF
transport: $TRANSPORT
admin:                       # inside the lb namespace; the token stays in the work dir
  listen: 127.0.0.1:19090
  token-file: $WORK/admin.token
services:
  - name: plain
    type: udp
    listen: $VIP
    ports: ["$VPORT:$MPORT"]
    pool: p
    source-nat: false
    session-idle-timeout: 5m
pools:
  - name: p
    members:
      - { address: $MEMBER }
EOF
log "starting vpnlb: $JAVA_BIN -jar $JAR run --config $WORK/vpnlb.yaml (in $NS_LB)"
in_ns "$NS_LB" "$JAVA_BIN" -Dio.netty.leakDetection.level=paranoid -jar "$JAR" run --config "$WORK/vpnlb.yaml" \
  >"$WORK/vpnlb.log" 2>&1 </dev/null &
VPNLB_PID=$!; BG_PIDS+=("$VPNLB_PID")
deadline=$((SECONDS + LISTEN_TIMEOUT))
# ss prints "10.98.1.1:5000" for an IPv4 socket and "[::ffff:10.98.1.1]:5000" for a dual-stack one (epoll).
udp_sockets() { in_ns "$NS_LB" ss -Huan"${1:-}" 2>/dev/null | sed -E 's/\[::ffff:([0-9.]+)\]/\1/g'; }
while ! udp_sockets | awk '{print $4}' | grep -qx "$VIP:$VPORT"; do
  if ! kill -0 "$VPNLB_PID" 2>/dev/null; then
    rc=0; wait "$VPNLB_PID" || rc=$?
    if grep -q "transport $TRANSPORT is not available" "$WORK/vpnlb.log"; then
      skip "transport $TRANSPORT is not available here: $(grep -m1 'is not available' "$WORK/vpnlb.log")"
    fi
    fail "vpnlb exited (status $rc) before listening on $VIP:$VPORT: $(grep -m1 '^vpnlb:' "$WORK/vpnlb.log" || tail -n1 "$WORK/vpnlb.log")"
  fi
  [ $SECONDS -lt $deadline ] || fail "vpnlb does not listen on $VIP:$VPORT after ${LISTEN_TIMEOUT}s"
  sleep 0.2
done
log "vpnlb listens on $VIP:$VPORT"

# ---------------------------------------------------------------- probes
# probe NAME ADDR PORT TIMEOUT : one client exchange; sets REPLY_FROM ("" when no reply) and REPLY_TEXT.
probe() {
  local name=$1 addr=$2 port=$3 t=$4 rc=0
  in_ns "$NS_C" timeout $((${t%.*} + 10)) "$PYTHON" -u "$WORK/udp.py" send "$addr" "$port" "$VIP" "$VPORT" "$t" \
    >"$WORK/probe-$name.out" 2>&1 </dev/null || rc=$?
  REPLY_FROM=$(sed -nE 's/^reply from ([0-9.]+:[0-9]+) .*/\1/p' "$WORK/probe-$name.out")
  REPLY_TEXT=$(sed -nE 's/^reply from [^:]+:[0-9]+ after [0-9]+ send\(s\): (.*)/\1/p' "$WORK/probe-$name.out")
  log "probe $name from $addr:$port: $(cat "$WORK/probe-$name.out") (rc=$rc)"
}
# member_saw ADDR:PORT : did the member receive a datagram from exactly that source?
member_saw() { grep -q "^rx $1 " "$WORK/member.log"; }
expect_transparent() { # name addr port
  local name=$1 src=$2:$3
  probe "$name" "$2" "$3" "$REPLY_TIMEOUT"
  [ -n "$REPLY_FROM" ] || fail "$name: no reply reached the client $src within ${REPLY_TIMEOUT}s"
  [ "$REPLY_FROM" = "$VIP:$VPORT" ] || fail "$name: the reply reached the client from $REPLY_FROM, expected the VIP $VIP:$VPORT"
  [ "$REPLY_TEXT" = "saw $src" ] \
    || fail "$name: the member saw '${REPLY_TEXT#saw }', expected the client's own $src (source NAT would show $LB_MEMBER_SIDE)"
  member_saw "$src" || fail "$name: the member's log has no datagram from $src"
}

# 1. the client's own address and port
expect_transparent first 10.98.1.2 40123
SOCK=$(udp_sockets p | awk -v l="10.98.1.2:40123" -v r="$MEMBER:$MPORT" '$4 == l && $5 == r' | head -n1)
[ -n "$SOCK" ] || fail "no upstream socket 10.98.1.2:40123 -> $MEMBER:$MPORT in the lb namespace: $(udp_sockets p | tr '\n' ';')"
grep -q 'java' <<<"$SOCK" || fail "the upstream socket 10.98.1.2:40123 -> $MEMBER:$MPORT is not vpnlb's: $SOCK"
log "upstream socket in lb: $(awk '{print $4, "->", $5}' <<<"$SOCK")"

# 2. a second client address is also seen as itself
expect_transparent second 10.98.1.3 40124

# 3. negative control: without the policy routing the member's answer cannot reach vpnlb's socket
in_ns "$NS_LB" bash "$ROUTING" down >"$WORK/routing-down.out" 2>&1 || { cat "$WORK/routing-down.out"; fail "transparent-routing.sh down failed"; }
! in_ns "$NS_LB" nft list table ip vpnlb_transparent >/dev/null 2>&1 || fail "transparent-routing.sh down left the nft table"
probe negative 10.98.1.2 40125 "$NEG_TIMEOUT"
[ -z "$REPLY_FROM" ] || fail "negative control: with transparent-routing.sh down a reply still came back (from $REPLY_FROM: $REPLY_TEXT)"
member_saw 10.98.1.2:40125 \
  || fail "negative control: the member never received the datagram from 10.98.1.2:40125 (the request path, not the routing, is broken)"
log "negative control: the member got the datagram from 10.98.1.2:40125, its answer did not come back"

# 4. routing up again: answers come back again
in_ns "$NS_LB" bash "$ROUTING" up >"$WORK/routing-up2.out" 2>&1 || { cat "$WORK/routing-up2.out"; fail "transparent-routing.sh up (again) failed"; }
expect_transparent again 10.98.1.2 40126

rm -f "$WORK/admin.token"     # not kept with --keep-logs
kill -0 "$VPNLB_PID" 2>/dev/null || fail "vpnlb is no longer running at the end of the test"
grep -q "Balancer - transport $TRANSPORT with" "$WORK/vpnlb.log" \
  || fail "vpnlb's log does not say it runs transport $TRANSPORT: $(grep -m1 'Balancer - transport' "$WORK/vpnlb.log")"
if grep -q 'LEAK:' "$WORK/vpnlb.log"; then fail "vpnlb reported a ByteBuf leak (see its log)"; fi
if grep -qE '\[ERROR\]|Exception' "$WORK/vpnlb.log"; then
  log "note: vpnlb logged errors or exceptions:"; grep -E '\[ERROR\]|Exception' "$WORK/vpnlb.log" | head -n 5 | sed 's/^/    /'
fi

echo "----------------------------------------------------------------"
echo "transport         : $TRANSPORT"
echo "client 10.98.1.2  : member saw 10.98.1.2:40123, reply from $VIP:$VPORT, vpnlb upstream socket bound to 10.98.1.2:40123"
echo "client 10.98.1.3  : member saw 10.98.1.3:40124, reply from $VIP:$VPORT"
echo "routing down      : member saw 10.98.1.2:40125, no reply within ${NEG_TIMEOUT}s (negative control)"
echo "routing up again  : member saw 10.98.1.2:40126, reply from $VIP:$VPORT"
echo "----------------------------------------------------------------"
echo "RESULT: PASS ($RESULT_TAG): the member sees each client's own address and port, replies return from the VIP only with the policy routing up"
exit 0
