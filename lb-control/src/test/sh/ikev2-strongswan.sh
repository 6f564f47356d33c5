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

# Bounds (seconds). Generous: the machine has 2 shared cores and vpnlb runs with paranoid leak detection.
LISTEN_TIMEOUT=${VPNLBIT_LISTEN_TIMEOUT:-90}
VICI_TIMEOUT=20
INITIATE_TIMEOUT=60

log() { echo "[$(date +%H:%M:%S)] $*"; }
skip() { echo "SKIP: $*"; exit 77; }

# ---------------------------------------------------------------- prerequisites (nothing created yet)
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, veths, charon); running as uid $(id -u)"
command -v ip >/dev/null 2>&1 || skip "no 'ip' command (install iproute2)"
command -v ss >/dev/null 2>&1 || skip "no 'ss' command (install iproute2)"
command -v ping >/dev/null 2>&1 || skip "no 'ping' command (install iputils-ping)"
command -v timeout >/dev/null 2>&1 || skip "no 'timeout' command (install coreutils)"
CHARON=""
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
if [ "$MODE" != vpnlb ] && [ "$MODE" != direct ]; then command -v socat >/dev/null 2>&1 || skip "no socat (needed for --relay)"; fi
if [ "$MODE" = vpnlb ]; then
  [ -n "$JAR" ] || usage
  if [ ! -f "$JAR" ]; then echo "FAIL: vpnlb jar not found: $JAR"; exit 1; fi
  if ! command -v "$JAVA_BIN" >/dev/null 2>&1; then echo "FAIL: java binary not found: $JAVA_BIN"; exit 1; fi
fi

P="vpnlbit-$$"
NS_C=$P-client NS_LB=$P-lb NS_S1=$P-srv1 NS_S2=$P-srv2
# Probe: can we create a network namespace at all (containers without CAP_SYS_ADMIN cannot)?
if ! err=$(ip netns add "$P-probe" 2>&1); then
  skip "cannot create network namespaces here: ${err//$'\n'/ }"
fi
ip netns del "$P-probe" 2>/dev/null || true
# Remove what an earlier run left behind only if it was SIGKILLed (its namespaces carry its pid, now dead).
for stale in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^vpnlbit-[0-9]+-(client|lb|srv1|srv2|probe)$' || true); do
  owner=${stale#vpnlbit-}; owner=${owner%%-*}
  kill -0 "$owner" 2>/dev/null && continue
  echo "removing stale namespace $stale (its test run, pid $owner, is gone)"
  stale_pids=$(ip netns pids "$stale" 2>/dev/null | tr '\n' ' ')
  [ -n "${stale_pids// }" ] && kill -KILL $stale_pids 2>/dev/null
  ip netns del "$stale" 2>/dev/null || true
done

# ---------------------------------------------------------------- cleanup (always)
NAMESPACES=()
BG_PIDS=()
WORK=""
FAILED=0
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
  if declare -F dump_logs >/dev/null; then dump_logs; fi
  echo "RESULT: FAIL ($MODE mode): interrupted by SIG$2"
  exit "$1"
}
trap cleanup EXIT
trap 'on_signal 130 INT' INT
trap 'on_signal 143 TERM' TERM
trap 'on_signal 129 HUP' HUP

WORK=$(mktemp -d /tmp/vpnlbit.XXXXXX)
chmod 700 "$WORK"

dump_logs() {
  set +e
  echo "==================== diagnostics ===================="
  if [ "$MODE" = vpnlb ] && [ -f "$WORK/vpnlb.log" ]; then
    echo "---- vpnlb log (last 150 lines of $(wc -l < "$WORK/vpnlb.log")) ----"; tail -n 150 "$WORK/vpnlb.log"
  fi
  for f in "$WORK"/socat-*.err; do [ -s "$f" ] && { echo "---- $(basename "$f") ----"; tail -n 20 "$f"; }; done
  for n in client srv1 srv2; do
    [ -f "$WORK/$n/charon.log" ] && { echo "---- charon log $n (last 60 lines) ----"; tail -n 60 "$WORK/$n/charon.log"; }
    [ -s "$WORK/$n/stdout" ] && { echo "---- charon stdout/stderr $n ----"; tail -n 20 "$WORK/$n/stdout"; }
  done
  [ -f "$WORK/initiate.out" ] && { echo "---- swanctl --initiate ----"; tail -n 40 "$WORK/initiate.out"; }
  for n in client srv1 srv2; do
    [ -f "$WORK/sas-$n.txt" ] && { echo "---- swanctl --list-sas $n ----"; cat "$WORK/sas-$n.txt"; }
  done
  stop_tcpdump
  if [ -s "$WORK/lb.pcap" ]; then
    echo "---- UDP seen in the lb namespace (first 80 packets) ----"
    in_ns "$NS_LB" timeout 10 tcpdump -nr "$WORK/lb.pcap" 2>/dev/null | head -n 80
  fi
  echo "====================================================="
}
fail() {
  echo "FAIL: $*"
  FAILED=1
  dump_logs
  echo "RESULT: FAIL ($MODE mode): $*"
  exit 1
}

# run a command inside a namespace, bounded
in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# ---------------------------------------------------------------- topology
log "mode=$MODE namespaces=$P-{client,lb,srv1,srv2} work=$WORK"
for n in "$NS_C" "$NS_LB" "$NS_S1" "$NS_S2"; do
  ip netns add "$n"
  NAMESPACES+=("$n")
  ip -n "$n" link set lo up
done
ip link add c0 netns "$NS_C" type veth peer name lbc netns "$NS_LB"
ip link add s0 netns "$NS_S1" type veth peer name lbs1 netns "$NS_LB"
ip link add s0 netns "$NS_S2" type veth peer name lbs2 netns "$NS_LB"
ip -n "$NS_C"  addr add 10.99.1.2/24 dev c0
ip -n "$NS_LB" addr add 10.99.1.1/24 dev lbc
ip -n "$NS_LB" addr add 10.99.2.1/24 dev lbs1
ip -n "$NS_LB" addr add 10.99.3.1/24 dev lbs2
ip -n "$NS_S1" addr add 10.99.2.2/24 dev s0
ip -n "$NS_S2" addr add 10.99.3.2/24 dev s0
for pair in "$NS_C c0" "$NS_LB lbc" "$NS_LB lbs1" "$NS_LB lbs2" "$NS_S1 s0" "$NS_S2 s0"; do
  set -- $pair; ip -n "$1" link set "$2" up
done
ip -n "$NS_C" route add default via 10.99.1.1
ip -n "$NS_S1" addr add 10.99.200.1/32 dev lo
ip -n "$NS_S2" addr add 10.99.200.1/32 dev lo
if [ "$MODE" = direct ]; then
  TARGET=10.99.2.2
  in_ns "$NS_LB" sysctl -qw net.ipv4.ip_forward=1
  ip -n "$NS_S1" route add 10.99.1.0/24 via 10.99.2.1
  ip -n "$NS_S2" route add 10.99.1.0/24 via 10.99.3.1
else
  TARGET=10.99.1.1                           # the VIP
  in_ns "$NS_LB" sysctl -qw net.ipv4.ip_forward=0
fi
in_ns "$NS_C" ping -c1 -W2 10.99.1.1 >/dev/null || fail "topology: client cannot reach 10.99.1.1"
in_ns "$NS_LB" ping -c1 -W2 10.99.2.2 >/dev/null || fail "topology: lb cannot reach srv1 10.99.2.2"
in_ns "$NS_LB" ping -c1 -W2 10.99.3.2 >/dev/null || fail "topology: lb cannot reach srv2 10.99.3.2"

# ---------------------------------------------------------------- packet capture in lb (diagnostics only)
TCPDUMP_PID=""
stop_tcpdump() {
  if [ -n "$TCPDUMP_PID" ]; then kill -TERM "$TCPDUMP_PID" 2>/dev/null || true; wait "$TCPDUMP_PID" 2>/dev/null || true; TCPDUMP_PID=""; fi
  return 0
}
if command -v tcpdump >/dev/null 2>&1; then
  in_ns "$NS_LB" tcpdump --immediate-mode -U -s 200 -c 5000 -ni any -w "$WORK/lb.pcap" udp >"$WORK/tcpdump.err" 2>&1 &
  TCPDUMP_PID=$!; BG_PIDS+=("$TCPDUMP_PID")
  for i in $(seq 1 50); do grep -q 'listening on' "$WORK/tcpdump.err" 2>/dev/null && break; sleep 0.1; done
fi

# ---------------------------------------------------------------- the middle box
if [ "$MODE" = vpnlb ]; then
  cat > "$WORK/vpnlb.yaml" <<EOF
transport: auto
services:
  - name: ikev2
    type: ikev2
    listen: 10.99.1.1
    ports: [500, 4500]
    pool: vpn
    source-nat: true
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
  deadline=$((SECONDS + LISTEN_TIMEOUT))
  while :; do
    kill -0 "$VPNLB_PID" 2>/dev/null || { rc=0; wait "$VPNLB_PID" || rc=$?; fail "vpnlb exited (status $rc) before listening on UDP 500 and 4500"; }
    socks=$(in_ns "$NS_LB" ss -Hulnp 2>/dev/null | awk '{print $4}')
    if grep -Eq ':500$' <<<"$socks" && grep -Eq ':4500$' <<<"$socks"; then break; fi
    [ $SECONDS -lt $deadline ] || fail "vpnlb does not listen on UDP 500 and 4500 after ${LISTEN_TIMEOUT}s (sockets: $(tr '\n' ' ' <<<"$socks"))"
    sleep 0.3
  done
  log "vpnlb listens: $(in_ns "$NS_LB" ss -Hulnp | awk '{print $4}' | grep -E ':(500|4500)$' | sort | tr '\n' ' ')"
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
mkconf() { # name
  local d=$WORK/$1
  mkdir -p "$d/swanctl/conf.d" "$d/swanctl/x509" "$d/swanctl/x509ca" "$d/swanctl/private"
  cat > "$d/strongswan.conf" <<EOF
charon {
  load = random nonce aes sha1 sha2 hmac pem pkcs1 pkcs8 x509 pubkey gmp mgf1 kdf kernel-libipsec kernel-netlink socket-default vici updown
  install_routes = yes
  retransmit_tries = 4
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

swan() { # name ns swanctl-args...
  local n=$1 ns=$2; shift 2
  STRONGSWAN_CONF=$WORK/$n/strongswan.conf SWANCTL_DIR=$WORK/$n/swanctl \
    ip netns exec "$ns" timeout 30 swanctl "$@" --uri "unix://$WORK/$n/charon.vici"
}
start_charon() { # name ns
  local n=$1 ns=$2 d=$WORK/$1 pid deadline
  # charon's pid file is /var/run/charon.pid: give each instance a private /run (ip netns exec already runs
  # the command in its own mount namespace, so the tmpfs is invisible outside).
  ip netns exec "$ns" env STRONGSWAN_CONF="$d/strongswan.conf" \
    sh -c "mount -t tmpfs -o size=4m tmpfs /run && exec $CHARON" >"$d/stdout" 2>&1 </dev/null &
  pid=$!; BG_PIDS+=("$pid")
  deadline=$((SECONDS + VICI_TIMEOUT))
  until [ -S "$d/charon.vici" ]; do
    kill -0 "$pid" 2>/dev/null || fail "charon ($n) exited at start"
    [ $SECONDS -lt $deadline ] || fail "charon ($n) did not open its vici socket within ${VICI_TIMEOUT}s"
    sleep 0.1
  done
  swan "$n" "$ns" --load-all >"$d/load.out" 2>&1 || { cat "$d/load.out"; fail "swanctl --load-all ($n) failed"; }
  grep -q 'loaded connection' "$d/load.out" || { cat "$d/load.out"; fail "swanctl --load-all ($n) loaded no connection"; }
}
start_charon srv1 "$NS_S1"
start_charon srv2 "$NS_S2"
start_charon client "$NS_C"
log "charon started in client, srv1, srv2 ($CHARON, kernel-libipsec)"

# ---------------------------------------------------------------- IKE SA + CHILD SA
log "initiating IKEv2 from client to $TARGET"
# (in the background + wait, so a SIGTERM from the test runner is handled at once, not after the timeout)
STRONGSWAN_CONF=$WORK/client/strongswan.conf ip netns exec "$NS_C" timeout $((INITIATE_TIMEOUT + 10)) \
  swanctl --initiate --child net --timeout "$INITIATE_TIMEOUT" --uri "unix://$WORK/client/charon.vici" \
  >"$WORK/initiate.out" 2>&1 </dev/null &
INITIATE_PID=$!; BG_PIDS+=("$INITIATE_PID")
if ! wait "$INITIATE_PID"; then
  fail "swanctl --initiate failed: $(grep -m1 -E 'failed|error' "$WORK/initiate.out" || tail -n 1 "$WORK/initiate.out")"
fi
list_sas() { # name ns -> file sas-name.txt
  swan "$1" "$2" --list-sas 2>&1 | grep -vE 'tpm|TPM|aesni' >"$WORK/sas-$1.txt" || true
}
deadline=$((SECONDS + 20))
while :; do
  list_sas client "$NS_C"
  grep -q 'ESTABLISHED' "$WORK/sas-client.txt" && grep -q 'INSTALLED' "$WORK/sas-client.txt" && break
  [ $SECONDS -lt $deadline ] || fail "client has no ESTABLISHED IKE SA with an INSTALLED CHILD SA"
  sleep 0.3
done
spis=$(sed -nE 's/.*ESTABLISHED, IKEv2, ([0-9a-f]{16})_i\*? ([0-9a-f]{16})_r.*/\1 \2/p' "$WORK/sas-client.txt" | head -n1)
SPI_I=${spis% *}; SPI_R=${spis#* }
[ -n "$SPI_I" ] && [ -n "$SPI_R" ] || fail "cannot read the IKE SPIs from the client's SA"
grep -q "remote 'server' @ $TARGET\[4500\]" "$WORK/sas-client.txt" \
  || fail "client's IKE SA is not with $TARGET[4500] (expected NAT-T on 4500): $(grep remote "$WORK/sas-client.txt" | head -n1)"
grep -q 'TUNNEL-in-UDP' "$WORK/sas-client.txt" || fail "client's CHILD SA is not UDP-encapsulated (TUNNEL-in-UDP)"
VIP_ADDR=$(sed -nE "s/.*local  'client' @ [0-9.]+\[[0-9]+\] \[([0-9.]+)\].*/\1/p" "$WORK/sas-client.txt" | head -n1)
log "client: IKE SA ${SPI_I}_i ${SPI_R}_r ESTABLISHED with $TARGET[4500], CHILD SA INSTALLED (TUNNEL-in-UDP), virtual IP ${VIP_ADDR:-none}"

# ---------------------------------------------------------------- ping through the tunnel
PING_OUT=$(in_ns "$NS_C" ping -n -c 3 -i 0.5 -W 3 10.99.200.1 2>&1) || true
echo "$PING_OUT" | grep -E 'bytes from|transmitted' | sed 's/^/    /'
PING_RX=$(sed -nE 's/.* ([0-9]+) received.*/\1/p' <<<"$PING_OUT")
[ "${PING_RX:-0}" -ge 1 ] || fail "no reply to ping 10.99.200.1 through the tunnel"

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
