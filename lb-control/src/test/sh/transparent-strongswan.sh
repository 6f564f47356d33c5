#!/usr/bin/env bash
# Transparent mode (source-nat: false) with real strongSwan peers: the server sees the client's own address.
#
# Topology of lib-netns.sh (lib_topology_standard):
#   client ns   c0 10.99.1.2/24, default via 10.99.1.1 ----veth---- lbc  10.99.1.1/24 (VIP, UDP 500 + 4500)  lb ns
#   srv1 ns     s0 10.99.2.2/24, default via 10.99.2.1 ----veth---- lbs1 10.99.2.1/24
#   srv2 ns     s0 10.99.3.2/24, default via 10.99.3.1 ----veth---- lbs2 10.99.3.1/24
# vpnlb runs the ikev2 service on the VIP with source-nat: false (transport auto, or --transport), Maglev over
# srv1 + srv2, persistence scope vip. The lb namespace has deploy/transparent-routing.sh up and does NOT forward
# IP (ip_forward=0): the servers' answers to 10.99.1.2 reach the client only through vpnlb's sessions.
# Every charon uses kernel-libipsec (user-space ESP, ESP-in-UDP on 4500), PSK.
#
# NAT-T: the server still detects a NAT, because the client addresses its IKE_SA_INIT to the VIP 10.99.1.1, not
# to the server's 10.99.2.2/10.99.3.2 (NAT_DETECTION_DESTINATION_IP does not match: vpnlb is a destination
# NAT even when it keeps the source). So IKE floats to 4500 and ESP is UDP-encapsulated as with source NAT;
# what changes is the remote address the server sees. The script records which side each charon believes is
# behind the NAT and asserts the parts that must hold:
#   - the client's IKE SA is ESTABLISHED with the VIP on 4500, its CHILD SA INSTALLED (TUNNEL-in-UDP)
#   - a ping through the tunnel to 10.99.200.1 gets answers
#   - exactly one server holds the SA (same IKE SPIs), and its `swanctl --list-sas` shows the remote
#     'client' @ 10.99.1.2[4500] (the client's own address and NAT-T port; with source NAT it would be
#     vpnlb's 10.99.2.1/10.99.3.1 and an ephemeral port), with inbound ESP packets counted
#   - that server's charon received the IKE_SA_INIT from 10.99.1.2[500] (the client's own IKE port)
#   - vpnlb's upstream sockets in the lb namespace are bound to 10.99.1.2:500 and 10.99.1.2:4500
#   - the other server never saw the client's SA; vpnlb still runs and reported no ByteBuf leak
#
# usage: transparent-strongswan.sh [--transport auto|epoll|io_uring] [--keep-logs DIR] VPNLB_JAR [JAVA_BIN]
#   --transport  vpnlb's transport (default auto: io_uring, else epoll); an unavailable one is a skip
# Exit: 0 pass, 1 fail, 2 usage, 77 skip (one line "SKIP: reason": not root, no network namespaces, no nft, no
# strongSwan with kernel-libipsec, or neither epoll nor io_uring on this machine).
# Everything created (namespaces vpnlbit-<pid>-*, their veths, processes, the temp dir) is removed on exit.
set -euo pipefail

KEEP_LOGS=""
TRANSPORT=auto
JAR=""
JAVA_BIN=""
usage() { echo "usage: $0 [--transport auto|epoll|io_uring] [--keep-logs DIR] VPNLB_JAR [JAVA_BIN]" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --keep-logs) [ $# -ge 2 ] || usage; KEEP_LOGS=$2; shift ;;
    --transport) [ $# -ge 2 ] || usage; TRANSPORT=$2; shift
                 case "$TRANSPORT" in auto|epoll|io_uring) ;; *) usage ;; esac ;;
    -h|--help|-*) usage ;;
    *) if [ -z "$JAR" ]; then JAR=$1; elif [ -z "$JAVA_BIN" ]; then JAVA_BIN=$1; else usage; fi ;;
  esac
  shift
done
JAVA_BIN=${JAVA_BIN:-java}
RESULT_TAG="transparent strongswan, transport $TRANSPORT"
SH_DIR=$(cd "$(dirname "$0")" && pwd)
ROUTING=$(cd "$SH_DIR/../../../.." && pwd)/deploy/transparent-routing.sh
# shellcheck source=lib-netns.sh
. "$SH_DIR/lib-netns.sh"

CLIENT=10.99.1.2 VIP=10.99.1.1

# ---------------------------------------------------------------- prerequisites (nothing created yet)
lib_require_strongswan
lib_require_cmd nft nftables
[ -f "$ROUTING" ] || { echo "FAIL: $ROUTING not found"; exit 1; }
lib_require_vpnlb

lib_init client lb srv1 srv2
dump_extra() {
  rm -f "$WORK/admin.token"     # not kept with --keep-logs
  echo "---- transparent-routing.sh status (lb) ----"; in_ns "$NS_LB" bash "$ROUTING" status 2>&1 | head -n 30
  echo "---- UDP sockets in lb ----"; in_ns "$NS_LB" ss -Huanp 2>&1 | head -n 30
}

# ---------------------------------------------------------------- topology
log "transparent mode: namespaces=$P-{client,lb,srv1,srv2} work=$WORK"
lib_topology_standard
# The servers answer the client's own address: their default route is the vpnlb host.
ip -n "$NS_S1" route add default via 10.99.2.1
ip -n "$NS_S2" route add default via 10.99.3.1
in_ns "$NS_LB" sysctl -qw net.ipv4.ip_forward=0
lib_topology_check
in_ns "$NS_LB" bash "$ROUTING" up >"$WORK/routing-up.out" 2>&1 || { cat "$WORK/routing-up.out"; fail "transparent-routing.sh up failed"; }
log "$(cat "$WORK/routing-up.out")"
start_tcpdump 200

# ---------------------------------------------------------------- vpnlb
cat > "$WORK/vpnlb.yaml" <<EOF
transport: $TRANSPORT
admin:                       # inside the lb namespace; the token stays in the work dir
  listen: 127.0.0.1:19090
  token-file: $WORK/admin.token
services:
  - name: ikev2
    type: ikev2
    listen: $VIP
    ports: [500, 4500]
    pool: vpn
    source-nat: false
    persistence: { scope: vip, timeout: 10m }
    session-idle-timeout: 5m
pools:
  - name: vpn
    algorithm: maglev
    members:
      - { address: 10.99.2.2 }
      - { address: 10.99.3.2 }
EOF
log "starting vpnlb: $JAVA_BIN -jar $JAR run --config $WORK/vpnlb.yaml (in $NS_LB)"
in_ns "$NS_LB" "$JAVA_BIN" -Dio.netty.leakDetection.level=paranoid -jar "$JAR" run --config "$WORK/vpnlb.yaml" \
  >"$WORK/vpnlb.log" 2>&1 </dev/null &
VPNLB_PID=$!; BG_PIDS+=("$VPNLB_PID")
# ss prints "10.99.1.1:500" for an IPv4 socket and "[::ffff:10.99.1.1]:500" for a dual-stack one (epoll).
udp_sockets() { in_ns "$NS_LB" ss -Huan"${1:-}" 2>/dev/null | sed -E 's/\[::ffff:([0-9.]+)\]/\1/g'; }
deadline=$((SECONDS + LISTEN_TIMEOUT))
while :; do
  if ! kill -0 "$VPNLB_PID" 2>/dev/null; then
    rc=0; wait "$VPNLB_PID" || rc=$?
    if grep -q "transport $TRANSPORT is not available" "$WORK/vpnlb.log"; then
      skip "transport $TRANSPORT is not available here: $(grep -m1 'is not available' "$WORK/vpnlb.log")"
    fi
    if grep -q 'needs the epoll or io_uring transport' "$WORK/vpnlb.log"; then
      skip "transparent mode needs epoll or io_uring, this machine has neither: $(grep -m1 '^vpnlb:' "$WORK/vpnlb.log")"
    fi
    fail "vpnlb exited (status $rc) before listening: $(grep -m1 '^vpnlb:' "$WORK/vpnlb.log" || tail -n1 "$WORK/vpnlb.log")"
  fi
  socks=$(udp_sockets l | awk '{print $4}')
  grep -qx "$VIP:500" <<<"$socks" && grep -qx "$VIP:4500" <<<"$socks" && break
  [ $SECONDS -lt $deadline ] || fail "vpnlb does not listen on $VIP UDP 500 and 4500 after ${LISTEN_TIMEOUT}s"
  sleep 0.2
done
log "vpnlb listens on $VIP:500 and $VIP:4500"

# ---------------------------------------------------------------- strongSwan
mkconf srv1; psk_server_conf srv1 10.99.2.2 10.99.100.0/24
mkconf srv2; psk_server_conf srv2 10.99.3.2 10.99.101.0/24
mkconf client; psk_client_conf client client
start_charon srv1 "$NS_S1"
start_charon srv2 "$NS_S2"
start_charon client "$NS_C"
log "charon started in client, srv1, srv2 ($CHARON, kernel-libipsec)"

log "initiating IKEv2 from client $CLIENT to the VIP $VIP"
if ! initiate client "$NS_C" net "$WORK/initiate.out"; then
  fail "swanctl --initiate failed: $(grep -m1 -E 'failed|error' "$WORK/initiate.out" || tail -n 1 "$WORK/initiate.out")"
fi
wait_client_sa client "$NS_C" 20
grep -q "remote 'server' @ $VIP\[4500\]" "$WORK/sas-client.txt" \
  || fail "client's IKE SA is not with $VIP[4500]: $(grep remote "$WORK/sas-client.txt" | head -n1)"
grep -q 'INSTALLED, TUNNEL-in-UDP' "$WORK/sas-client.txt" || fail "client's CHILD SA is not INSTALLED, TUNNEL-in-UDP"
log "client: IKE SA ${SPI_I}_i ${SPI_R}_r ESTABLISHED with $VIP[4500], CHILD SA INSTALLED (TUNNEL-in-UDP)"

# ---------------------------------------------------------------- ping through the tunnel
PING_RX=$(ping_tunnel "$NS_C" 3 3)
[ "${PING_RX:-0}" -ge 1 ] || fail "no reply to ping 10.99.200.1 through the tunnel"

# ---------------------------------------------------------------- the server sees the client's own address
mapfile -t HOLDERS < <(sa_holders "srv1:$NS_S1" "srv2:$NS_S2")
list_sas client "$NS_C"
[ "${#HOLDERS[@]}" -eq 1 ] || fail "expected exactly one server to hold IKE SA ${SPI_I}_i ${SPI_R}_r, found ${#HOLDERS[@]} (${HOLDERS[*]:-none})"
H=${HOLDERS[0]}
O=$(other_server "$H")
n_est=$(cat "$WORK/sas-srv1.txt" "$WORK/sas-srv2.txt" | grep -c 'ESTABLISHED' || true)
[ "$n_est" -eq 1 ] || fail "expected exactly one ESTABLISHED IKE SA over both servers, found $n_est"
REMOTE=$(sed -nE "s/.*remote  ?'client' @ ([0-9.]+\[[0-9]+\]).*/\1/p" "$WORK/sas-$H.txt" | head -n1)
log "$H holds the SA; its swanctl --list-sas: remote 'client' @ ${REMOTE:-?}"
[ "$REMOTE" = "$CLIENT[4500]" ] \
  || fail "$H sees the client at '${REMOTE:-?}', expected the client's own $CLIENT[4500] (source NAT would show ${SRV_LBADDR[$H]})"
grep -q 'INSTALLED, TUNNEL-in-UDP' "$WORK/sas-$H.txt" || fail "$H holds the IKE SA but no INSTALLED TUNNEL-in-UDP CHILD SA"
in_pkts=$(sed -nE 's/^ +in +[0-9a-f]+, +[0-9]+ bytes, +([0-9]+) packets.*/\1/p' "$WORK/sas-$H.txt" | head -n1)
[ "${in_pkts:-0}" -ge 1 ] || fail "$H's CHILD SA counted no inbound ESP packets"

HLOG=$WORK/$H/charon.log OLOG=$WORK/$O/charon.log
grep -Eq "received packet: from $CLIENT\[500\] to ${SRV_ADDR[$H]}\[500\]" "$HLOG" \
  || fail "$H's charon log shows no packet from the client's own $CLIENT[500] on UDP 500: $(grep -m1 'received packet' "$HLOG")"
grep -Eq "received packet: from $CLIENT\[4500\] to ${SRV_ADDR[$H]}\[4500\]" "$HLOG" \
  || fail "$H's charon log shows no packet from the client's own $CLIENT[4500] on UDP 4500"
if grep -Eq "received packet: from ${SRV_LBADDR[$H]}\[" "$HLOG"; then
  fail "$H received IKE packets from vpnlb's own address ${SRV_LBADDR[$H]} (source NAT) in transparent mode"
fi
if grep -q "SPIs ${SPI_I}_i" "$OLOG"; then fail "$O also saw the client's IKE SA (initiator SPI ${SPI_I}): traffic was split between servers"; fi

# What NAT-T detection concluded on each side (recorded, see the header: the VIP makes the server see a NAT).
nat_view() { # charon.log -> one phrase
  local l=$1 v=""
  grep -q 'local host is behind NAT' "$l" && v="local host behind NAT"
  grep -q 'remote host is behind NAT' "$l" && v="${v:+$v, }remote host behind NAT"
  echo "${v:-no NAT detected}"
}
NAT_C=$(nat_view "$WORK/client/charon.log") NAT_H=$(nat_view "$HLOG")
log "NAT-T detection: client: $NAT_C; $H: $NAT_H"
# The server hashes the source it saw into NAT_DETECTION_DESTINATION_IP: the client's own 10.99.1.2:500 in
# transparent mode, so the client must find its own address unchanged. (With source NAT the client logs
# "local host is behind NAT". "remote host is behind NAT" is expected on both ends: kernel-libipsec requires
# UDP encapsulation, so every charon sends a faked NAT_DETECTION_SOURCE_IP.)
if grep -q 'local host is behind NAT' "$WORK/client/charon.log"; then
  fail "the client's charon concluded that it is behind a NAT: $H did not see the client's own address in IKE_SA_INIT"
fi

# vpnlb's upstream sockets carry the client's own address and ports.
SOCKS=$(udp_sockets p)
for port in 500 4500; do
  line=$(awk -v l="$CLIENT:$port" -v r="${SRV_ADDR[$H]}:$port" '$4 == l && $5 == r' <<<"$SOCKS" | head -n1)
  [ -n "$line" ] || fail "no upstream socket $CLIENT:$port -> ${SRV_ADDR[$H]}:$port in the lb namespace: $(tr '\n' ';' <<<"$SOCKS")"
  grep -q java <<<"$line" || fail "the upstream socket $CLIENT:$port -> ${SRV_ADDR[$H]}:$port is not vpnlb's: $line"
done
log "vpnlb upstream sockets: $CLIENT:500 -> ${SRV_ADDR[$H]}:500, $CLIENT:4500 -> ${SRV_ADDR[$H]}:4500"

rm -f "$WORK/admin.token"     # not kept with --keep-logs
kill -0 "$VPNLB_PID" 2>/dev/null || fail "vpnlb is no longer running at the end of the test"
if grep -q 'LEAK:' "$WORK/vpnlb.log"; then fail "vpnlb reported a ByteBuf leak (see its log)"; fi
if grep -qE '\[ERROR\]|Exception' "$WORK/vpnlb.log"; then
  log "note: vpnlb logged errors or exceptions:"; grep -E '\[ERROR\]|Exception' "$WORK/vpnlb.log" | head -n 5 | sed 's/^/    /'
fi

TRANSPORT=$(sed -nE 's/.*Balancer - transport ([a-z_]+) with.*/\1/p' "$WORK/vpnlb.log" | head -n1)
stop_tcpdump
echo "----------------------------------------------------------------"
echo "vpnlb             : source-nat: false, transport ${TRANSPORT:-?}, transparent-routing.sh up in lb"
echo "client IKE SA     : ${SPI_I}_i ${SPI_R}_r, ESTABLISHED via $VIP[4500], CHILD SA INSTALLED TUNNEL-in-UDP"
echo "tunnel ping       : $PING_RX/3 replies from 10.99.200.1; $H CHILD SA in-packets=$in_pkts"
echo "SA held by        : $H (${SRV_ADDR[$H]}), remote 'client' @ $REMOTE (the client's own address)"
echo "NAT-T detection   : client: $NAT_C; $H: $NAT_H"
echo "lb capture (to)   : $(pcap_port_summary)"
echo "----------------------------------------------------------------"
echo "RESULT: PASS ($RESULT_TAG): IKE SA + CHILD SA through $VIP with source-nat: false, tunnel ping ok, $H sees the client as $REMOTE"
exit 0
