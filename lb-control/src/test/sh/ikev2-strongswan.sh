#!/usr/bin/env bash
# End-to-end test: a real strongSwan IKEv2 client and two real strongSwan servers, with vpnlb in between.
#
#   client ns                      lb ns (vpnlb)                            srv1 ns / srv2 ns
#   c0 10.99.1.2/24 ----veth---- lbc  10.99.1.1/24 (VIP, UDP 500 + 4500)
#                                lbs1 10.99.2.1/24 ----veth---- s0 10.99.2.2/24   (srv1)
#                                lbs2 10.99.3.1/24 ----veth---- s0 10.99.3.2/24   (srv2)
#   Both servers also own 10.99.200.1/32 on lo (the protected address pinged through the tunnel) and hand
#   out virtual IPs (srv1 10.99.100.0/24, srv2 10.99.101.0/24). vpnlb runs in source-NAT mode, so the
#   servers have no route back to the client network and lb does not forward IP: only vpnlb carries traffic.
#
# The kernel here has no ESP, so every charon uses kernel-libipsec (user-space ESP, always ESP-in-UDP on
# 4500): the tunnel ping exercises vpnlb's ESP-in-UDP forwarding on 4500, not only IKE.
#
# Checks: IKE SA and CHILD SA established through the VIP, ping through the tunnel, exactly one server
# holds the SA (same IKE SPIs as the client's SA), that server's charon received the client's IKE_SA_INIT
# on UDP 500, and the other server never saw the client's IKE SA at all.
#
# usage: ikev2-strongswan.sh [--direct | --relay | --relay-split] [--keep-logs DIR] VPNLB_JAR [JAVA_BIN]
#   (default)   through vpnlb: java -jar VPNLB_JAR run --config <generated yaml> in the lb namespace
#   --direct    harness self-check without any balancer: lb routes IP, the client talks to srv1 directly
#   --relay     harness self-check with a socat UDP relay (one per port) in lb towards srv1
#   --relay-split  negative control: socat sends 500 to srv1 and 4500 to srv2; this must FAIL (exit 1)
#   --keep-logs copy the logs (vpnlb, charon, swanctl, pcap) into DIR before cleaning up
#   VPNLB_JAR is required only in the default mode; JAVA_BIN defaults to `java` on PATH.
# Exit: 0 pass, 1 fail, 2 usage, 77 skip (one line "SKIP: reason" on stdout).
# Everything created (namespaces vpnlbit-<pid>-*, their veths, processes, the temp dir) is removed on exit.
# The namespace, vpnlb and charon plumbing is shared with the other scenarios: lib-netns.sh.
set -euo pipefail

MODE=vpnlb
KEEP_LOGS=""
JAR=""
JAVA_BIN=""
usage() { echo "usage: $0 [--direct | --relay | --relay-split] [--keep-logs DIR] VPNLB_JAR [JAVA_BIN]" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --direct) MODE=direct ;;
    --relay) MODE=relay ;;
    --relay-split) MODE=relay-split ;;
    --keep-logs) [ $# -ge 2 ] || usage; KEEP_LOGS=$2; shift ;;
    -h|--help) usage ;;
    -*) usage ;;
    *) if [ -z "$JAR" ]; then JAR=$1; elif [ -z "$JAVA_BIN" ]; then JAVA_BIN=$1; else usage; fi ;;
  esac
  shift
done
JAVA_BIN=${JAVA_BIN:-java}
RESULT_TAG="$MODE mode"
# shellcheck source=lib-netns.sh
. "$(cd "$(dirname "$0")" && pwd)/lib-netns.sh"

# ---------------------------------------------------------------- prerequisites (nothing created yet)
lib_require_strongswan
if [ "$MODE" != vpnlb ] && [ "$MODE" != direct ]; then command -v socat >/dev/null 2>&1 || skip "no socat (needed for --relay)"; fi
[ "$MODE" = vpnlb ] && lib_require_vpnlb

# ---------------------------------------------------------------- namespaces (cleanup on every exit)
lib_init client lb srv1 srv2

# ---------------------------------------------------------------- topology
log "mode=$MODE namespaces=$P-{client,lb,srv1,srv2} work=$WORK"
lib_topology_standard
if [ "$MODE" = direct ]; then
  TARGET=10.99.2.2
  in_ns "$NS_LB" sysctl -qw net.ipv4.ip_forward=1
  ip -n "$NS_S1" route add 10.99.1.0/24 via 10.99.2.1
  ip -n "$NS_S2" route add 10.99.1.0/24 via 10.99.3.1
else
  TARGET=10.99.1.1                           # the VIP
  in_ns "$NS_LB" sysctl -qw net.ipv4.ip_forward=0
fi
lib_topology_check

# ---------------------------------------------------------------- packet capture in lb (diagnostics only)
start_tcpdump 200

# ---------------------------------------------------------------- the middle box
if [ "$MODE" = vpnlb ]; then
  vpnlb_yaml "$WORK/vpnlb.yaml"
  start_vpnlb "$WORK/vpnlb.yaml"
else # relay, relay-split
  for port in 500 4500; do
    dst=10.99.2.2; [ "$MODE" = relay-split ] && [ $port = 4500 ] && dst=10.99.3.2
    in_ns "$NS_LB" socat -T 120 "UDP4-LISTEN:$port,bind=10.99.1.1,fork,reuseaddr" "UDP4:$dst:$port" \
      >"$WORK/socat-$port.err" 2>&1 </dev/null &
    BG_PIDS+=("$!")
  done
  deadline=$((SECONDS + 10))
  until socks=$(in_ns "$NS_LB" ss -Huln | awk '{print $4}'); grep -q ':500$' <<<"$socks" && grep -q ':4500$' <<<"$socks"; do
    [ $SECONDS -lt $deadline ] || fail "socat relay does not listen"
    sleep 0.1
  done
fi

# ---------------------------------------------------------------- strongSwan
PSK="vpnlbit-psk-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
server_conf() { # name address pool
  cat > "$WORK/$1/swanctl/swanctl.conf" <<EOF
connections {
  rw {
    version = 2
    local_addrs = $2
    remote_addrs = %any
    proposals = aes128-sha256-modp2048
    pools = vpool
    local { auth = psk
            id = server }
    remote { auth = psk
             id = client }
    children { net { local_ts = 10.99.200.1/32
                     esp_proposals = aes128-sha256 } }
  }
}
pools { vpool { addrs = $3 } }
secrets { ike-1 { id-1 = server
                  id-2 = client
                  secret = "$PSK" } }
EOF
}
mkconf srv1; server_conf srv1 10.99.2.2 10.99.100.0/24
mkconf srv2; server_conf srv2 10.99.3.2 10.99.101.0/24
mkconf client
cat > "$WORK/client/swanctl/swanctl.conf" <<EOF
connections {
  home {
    version = 2
    remote_addrs = $TARGET
    proposals = aes128-sha256-modp2048
    vips = 0.0.0.0
    local { auth = psk
            id = client }
    remote { auth = psk
             id = server }
    children { net { remote_ts = 10.99.200.1/32
                     esp_proposals = aes128-sha256 } }
  }
}
secrets { ike-1 { id-1 = server
                  id-2 = client
                  secret = "$PSK" } }
EOF

start_charon srv1 "$NS_S1"
start_charon srv2 "$NS_S2"
start_charon client "$NS_C"
log "charon started in client, srv1, srv2 ($CHARON, kernel-libipsec)"

# ---------------------------------------------------------------- IKE SA + CHILD SA
log "initiating IKEv2 from client to $TARGET"
if ! initiate client "$NS_C" net "$WORK/initiate.out"; then
  fail "swanctl --initiate failed: $(grep -m1 -E 'failed|error' "$WORK/initiate.out" || tail -n 1 "$WORK/initiate.out")"
fi
wait_client_sa client "$NS_C" 20
grep -q "remote 'server' @ $TARGET\[4500\]" "$WORK/sas-client.txt" \
  || fail "client's IKE SA is not with $TARGET[4500] (expected NAT-T on 4500): $(grep remote "$WORK/sas-client.txt" | head -n1)"
grep -q 'TUNNEL-in-UDP' "$WORK/sas-client.txt" || fail "client's CHILD SA is not UDP-encapsulated (TUNNEL-in-UDP)"
VIP_ADDR=$(sed -nE "s/.*local  'client' @ [0-9.]+\[[0-9]+\] \[([0-9.]+)\].*/\1/p" "$WORK/sas-client.txt" | head -n1)
log "client: IKE SA ${SPI_I}_i ${SPI_R}_r ESTABLISHED with $TARGET[4500], CHILD SA INSTALLED (TUNNEL-in-UDP), virtual IP ${VIP_ADDR:-none}"

# ---------------------------------------------------------------- ping through the tunnel
PING_RX=$(ping_tunnel "$NS_C" 3 3)
[ "$PING_RX" -ge 1 ] || fail "no reply to ping 10.99.200.1 through the tunnel"

# ---------------------------------------------------------------- which server holds the SA
list_sas srv1 "$NS_S1"; list_sas srv2 "$NS_S2"
list_sas client "$NS_C"
declare -A ADDR=([srv1]=10.99.2.2 [srv2]=10.99.3.2)
declare -A LBADDR=([srv1]=10.99.2.1 [srv2]=10.99.3.1)
HOLDERS=()
for s in srv1 srv2; do
  if grep -q "ESTABLISHED, IKEv2, ${SPI_I}_i ${SPI_R}_r" "$WORK/sas-$s.txt"; then HOLDERS+=("$s"); fi
done
n_est=$(cat "$WORK/sas-srv1.txt" "$WORK/sas-srv2.txt" | grep -c 'ESTABLISHED' || true)
[ "${#HOLDERS[@]}" -eq 1 ] || fail "expected exactly one server to hold IKE SA ${SPI_I}_i ${SPI_R}_r, found ${#HOLDERS[@]} (${HOLDERS[*]:-none})"
[ "$n_est" -eq 1 ] || fail "expected exactly one ESTABLISHED IKE SA over both servers, found $n_est"
H=${HOLDERS[0]}
O=$([ "$H" = srv1 ] && echo srv2 || echo srv1)
grep -q 'INSTALLED, TUNNEL-in-UDP' "$WORK/sas-$H.txt" || fail "$H holds the IKE SA but no INSTALLED TUNNEL-in-UDP CHILD SA"
in_pkts=$(sed -nE 's/^ +in +[0-9a-f]+, +[0-9]+ bytes, +([0-9]+) packets.*/\1/p' "$WORK/sas-$H.txt" | head -n1)
[ "${in_pkts:-0}" -ge 1 ] || fail "$H's CHILD SA counted no inbound ESP packets"
if [ "$MODE" != direct ]; then
  grep -q "remote 'client' @ ${LBADDR[$H]}\[" "$WORK/sas-$H.txt" \
    || fail "$H does not see the client at vpnlb's address ${LBADDR[$H]} (source NAT): $(grep "remote 'client'" "$WORK/sas-$H.txt" | head -n1)"
fi

# The client's IKE_SA_INIT (on UDP 500) must have reached the holder, and the other server must never have
# seen the client's IKE SA (checkout lines carry the initiator SPI; charon logs them at mgr level 2).
HLOG=$WORK/$H/charon.log OLOG=$WORK/$O/charon.log
grep -Eq "received packet: from [0-9.]+\[[0-9]+\] to ${ADDR[$H]}\[500\]" "$HLOG" \
  || fail "$H holds the SA but its charon log shows no packet received on UDP 500"
grep -q 'parsed IKE_SA_INIT request 0' "$HLOG" || fail "$H holds the SA but never parsed an IKE_SA_INIT request"
grep -q "SPIs ${SPI_I}_i" "$HLOG" || fail "$H's charon log never mentions the client's initiator SPI ${SPI_I}"
# Per worker thread, charon logs: "checkout IKEv2 SA by message with SPIs <SPIi>_i 0000000000000000_r",
# "received packet: from X to <server>[500] (N bytes)", "parsed IKE_SA_INIT request 0 [...]".
init500=$(awk -v spi="$SPI_I" -v to="to ${ADDR[$H]}[500] (" '
  { tid = $2; sub(/\[.*/, "", tid) }
  /checkout IKEv2 SA by message with SPIs/ { st[tid] = index($0, "SPIs " spi "_i 0000000000000000_r") ? 1 : 0; next }
  /\[NET\] received packet: from .* bytes\)$/ { if (st[tid] == 1) st[tid] = index($0, to) ? 2 : 0; next }
  /\[ENC\] parsed IKE_SA_INIT request 0 / { if (st[tid] == 2) n++; st[tid] = 0 }
  END { print n + 0 }' "$HLOG")
[ "$init500" -ge 1 ] || fail "$H holds the SA but its charon log does not show the client's IKE_SA_INIT (SPIi ${SPI_I}) arriving on UDP 500"
if grep -q "SPIs ${SPI_I}_i" "$OLOG"; then fail "$O also saw the client's IKE SA (initiator SPI ${SPI_I}): traffic was split between servers"; fi
o_init=$(grep -c 'parsed IKE_SA_INIT request' "$OLOG" || true)
o_rx=$(grep -cE 'received packet: .* bytes\)$' "$OLOG" || true)
if [ "$MODE" = vpnlb ] && [ "$o_init" -ne 0 ]; then
  # vpnlb has no health check configured here, so nothing but the client should send IKE_SA_INIT.
  fail "$O parsed $o_init IKE_SA_INIT request(s) although the client's SA is on $H"
fi

if [ "$MODE" = vpnlb ]; then
  kill -0 "$VPNLB_PID" 2>/dev/null || fail "vpnlb is no longer running at the end of the test"
  # paranoid leak detection reports at GC time, so this catches only what showed up during the run
  if grep -q 'LEAK:' "$WORK/vpnlb.log"; then fail "vpnlb reported a ByteBuf leak (see its log)"; fi
fi

# ---------------------------------------------------------------- summary
stop_tcpdump
pcap_summary=""
if [ -s "$WORK/lb.pcap" ]; then
  pcap_summary=$(in_ns "$NS_LB" timeout 10 tcpdump -nr "$WORK/lb.pcap" 2>/dev/null | awk '
    { for (i = 1; i <= NF; i++) if ($i == ">") { dst = $(i + 1); sub(/:$/, "", dst); n = split(dst, q, "."); port = q[n]; host = q[1] "." q[2] "." q[3] "." q[4];
        if (port == 500 || port == 4500) c[host ":" port]++ } }
    END { for (k in c) printf "%s=%d\n", k, c[k] }' | sort -V | tr '\n' ' ') || true
fi
echo "----------------------------------------------------------------"
echo "client IKE SA     : ${SPI_I}_i ${SPI_R}_r, ESTABLISHED via $TARGET[4500], CHILD SA INSTALLED TUNNEL-in-UDP"
echo "tunnel ping       : $PING_RX/3 replies from 10.99.200.1 (virtual IP ${VIP_ADDR:-none}); $H CHILD SA in-packets=$in_pkts"
echo "SA held by        : $H (${ADDR[$H]}); its charon parsed the client's IKE_SA_INIT on UDP 500 (${init500}x)"
echo "other server      : $O (${ADDR[$O]}) received $o_rx IKE packet(s), $o_init IKE_SA_INIT, none of the client's SA"
[ -n "$pcap_summary" ] && echo "lb capture (to)   : $pcap_summary"
echo "----------------------------------------------------------------"
echo "RESULT: PASS ($MODE mode): IKE SA + CHILD SA through $TARGET, tunnel ping ok, SA held by $H which also got the client's UDP 500 traffic"
exit 0
