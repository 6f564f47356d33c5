#!/usr/bin/env bash
# Scale-out test: two vpnlb instances behind an ECMP router, the same pool on both, no shared state.
#
#   client ns   r0 10.99.10.100-199/24 (100 VPN clients) ---- cl 10.99.10.1/24    router ns
#   router ns   lb1 10.99.31.1/24 ---- rt 10.99.31.2/24  lb1 ns (vpnlb; VIP 10.99.1.1/32 on lo)
#               lb2 10.99.32.1/24 ---- rt 10.99.32.2/24  lb2 ns (vpnlb; VIP 10.99.1.1/32 on lo)
#   lbK ns      sM 10.99.1KM.1/24 ---- lbK 10.99.1KM.2/24 srvM ns, for K, M in 1 2 (a link per instance and
#               member); member srv1 owns 10.99.2.2/32 and srv2 10.99.3.2/32 on lo, each instance routes them
#               over its own links
#   The router forwards with net.ipv4.fib_multipath_hash_policy=1 (L4: addresses, protocol and ports) over a
#   multipath route 10.99.1.1/32 -> 10.99.31.2 + 10.99.32.2, so each client flow (address and port) goes to
#   one instance, and a client's UDP 500 and UDP 4500 flows often go to different ones.
#
# Both instances run lb-control/target/vpnlb.jar with one configuration file (lib-netns.sh's vpnlb_yaml: the
# ikev2 service on the VIP, source NAT, persistence scope vip, pool vpn = 10.99.2.2 + 10.99.3.2 with Maglev,
# maglev-table-size 4099). The members are ecmp-ike.py responders: they answer each IKEv2 datagram with their
# name, the source they saw (with source NAT that is the instance's address on the link, so the answer names
# the instance that forwarded the flow: 10.99.1KM.1 is instance K) and whether they hold the message's SA.
#
# Route to the VIP (argument ROUTING):
#   static  the router's multipath route is set with `ip route`; the withdrawal is `ip route replace` with lb2
#           only, which is what the router does when lb1's BGP session drops
#   bgp     BIRD 2 in the router (AS 65000, kernel protocol with `merge paths on`) and in each lb namespace
#           (AS 65100, announcing the VIP); the withdrawal is lb1's BIRD stopping (SIGTERM: BGP Cease)
#
# Checks:
#   1. 100 clients, each from its own address and two random source ports, run IKE_SA_INIT on UDP 500 and
#      then IKE_AUTH on UDP 4500 with the SPIs the member gave. Every client's two flows reach one member (the
#      4500 flow finds its SA there), that member is the one vpnlb's Maglev table gives the client address
#      (MaglevPick.java), both instances carried flows, both members got clients, and some clients had their
#      500 and 4500 flows on different instances (else the check above proves nothing).
#   2. Each instance's vpnlb_sessions_opened_total for 500 and 4500 equals the flows the members saw from it.
#   3. lb1's vpnlb gets SIGTERM and stops; its nexthop is withdrawn. Every client sends an INFORMATIONAL
#      request with its SPIs on both flows again, from the same ports: every flow is answered through lb2 by
#      the member that holds the client's SA, the same member as before. lb2 has opened exactly one session
#      per flow in all (the moved flows are new sessions there). lb2 still runs, no leak report.
#
# usage: ecmp-scaleout.sh [--keep-logs DIR] static|bgp VPNLB_JAR [JAVA_BIN]
# Exit: 0 pass, 1 fail, 2 usage, 77 skip (one line "SKIP: reason": not root, no network namespaces, no
# python3, bgp without BIRD 2).
# Everything created (namespaces vpnlbit-<pid>-*, their veths, processes, the temp dir) is removed on exit.
set -euo pipefail

SH_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib-netns.sh
. "$SH_DIR/lib-netns.sh"
USAGE="[--keep-logs DIR] static|bgp VPNLB_JAR [JAVA_BIN]"
lib_args "$USAGE" "$@"
ROUTING=$ARG_WORD
case "$ROUTING" in static|bgp) ;; *) echo "usage: $0 $USAGE" >&2; exit 2 ;; esac
RESULT_TAG="ecmp scale-out, $ROUTING route"

VIP=10.99.1.1
CLIENTS=100
FLOW_TIMEOUT=20     # seconds a client flow resends (once a second) until its answer comes
STOP_TIMEOUT=30     # seconds lb1's vpnlb may take to stop after SIGTERM
ROUTE_TIMEOUT=60    # seconds the BGP sessions may take to install (or withdraw) the VIP's nexthops
declare -A MEMBER_NAME=([10.99.2.2]=srv1 [10.99.3.2]=srv2)

# ---------------------------------------------------------------- prerequisites (nothing created yet)
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, veths, routes); running as uid $(id -u)"
lib_require_cmd ip iproute2
lib_require_cmd ss iproute2
lib_require_cmd timeout coreutils
lib_require_cmd shuf coreutils
lib_require_python "the members and clients are ecmp-ike.py"
if [ "$ROUTING" = bgp ]; then
  lib_require_cmd bird bird2
  lib_require_cmd birdc bird2
  bird --version 2>&1 | grep -q 'BIRD version 2' || skip "bgp needs BIRD 2, found: $(bird --version 2>&1 | head -n1)"
fi
lib_require_vpnlb

lib_init client router lb1 lb2 srv1 srv2
NS_R=$P-router NS_LB1=$P-lb1 NS_LB2=$P-lb2
dump_extra() {
  local f
  rm -f "$WORK/admin.token"     # not kept with --keep-logs
  for f in "$WORK"/member-*.log "$WORK"/bird-*.log; do
    [ -f "$f" ] && { echo "---- $(basename "$f") (last 20 lines) ----"; tail -n 20 "$f"; }
  done
  for f in "$WORK"/flows-*.txt; do
    [ -f "$f" ] || continue
    echo "---- $(basename "$f") (first 10 and unanswered flows) ----"; head -n 10 "$f"; grep ' none ' "$f" | head -n 10
  done
  echo "---- router: route to the VIP ----"; ip -n "$NS_R" route show "$VIP" 2>&1
  if [ "$ROUTING" = bgp ] && [ -S "$WORK/bird-router.ctl" ]; then
    echo "---- router: BGP sessions ----"; in_ns "$NS_R" timeout 5 birdc -s "$WORK/bird-router.ctl" show protocols 2>&1
  fi
}

# ---------------------------------------------------------------- topology
log "routing=$ROUTING namespaces=$P-{client,router,lb1,lb2,srv1,srv2} work=$WORK"
veth_link "$NS_C" r0 10.99.10.2/24 "$NS_R" cl 10.99.10.1/24
for i in $(seq 0 $((CLIENTS - 1))); do echo "addr add 10.99.10.$((100 + i))/24 dev r0"; done | ip -n "$NS_C" -batch -
ip -n "$NS_C" route add default via 10.99.10.1
in_ns "$NS_R" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.fib_multipath_hash_policy=1 \
  net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
for k in 1 2; do
  ns=$P-lb$k
  veth_link "$NS_R" "lb$k" "10.99.3$k.1/24" "$ns" rt "10.99.3$k.2/24"
  ip -n "$ns" addr add "$VIP/32" dev lo
  ip -n "$ns" route add default via "10.99.3$k.1"
  in_ns "$ns" sysctl -qw net.ipv4.ip_forward=0
  for m in 1 2; do
    veth_link "$ns" "s$m" "10.99.1$k$m.1/24" "$P-srv$m" "lb$k" "10.99.1$k$m.2/24"
  done
  ip -n "$ns" route add 10.99.2.2/32 via "10.99.1${k}1.2"
  ip -n "$ns" route add 10.99.3.2/32 via "10.99.1${k}2.2"
done
ip -n "$NS_S1" addr add 10.99.2.2/32 dev lo
ip -n "$NS_S2" addr add 10.99.3.2/32 dev lo
in_ns "$NS_C" ping -c1 -W2 10.99.10.1 >/dev/null || fail "topology: client cannot reach the router"
for k in 1 2; do
  in_ns "$NS_R" ping -c1 -W2 "10.99.3$k.2" >/dev/null || fail "topology: router cannot reach lb$k"
  for member in 10.99.2.2 10.99.3.2; do
    in_ns "$P-lb$k" ping -c1 -W2 "$member" >/dev/null || fail "topology: lb$k cannot reach the member $member"
  done
done

# ---------------------------------------------------------------- members
for m in 1 2; do
  member=$([ $m = 1 ] && echo 10.99.2.2 || echo 10.99.3.2)
  in_ns "$P-srv$m" "$PYTHON" -u "$SH_DIR/ecmp-ike.py" member "srv$m" "$member" \
    >"$WORK/member-srv$m.log" 2>&1 </dev/null &
  BG_PIDS+=("$!")
done
deadline=$((SECONDS + 10))
until grep -qs '^listening' "$WORK/member-srv1.log" && grep -qs '^listening' "$WORK/member-srv2.log"; do
  [ $SECONDS -lt $deadline ] || fail "the members' responders did not start"
  sleep 0.1
done

# ---------------------------------------------------------------- the two instances (one configuration)
vpnlb_yaml "$WORK/vpnlb.yaml" "" "    maglev-table-size: 4099"
declare -A LB_PID=() LB_JVM=()
for k in 1 2; do
  NS_LB=$P-lb$k start_vpnlb "$WORK/vpnlb.yaml" "$WORK/vpnlb-lb$k.log"
  LB_PID[$k]=$VPNLB_PID
  deadline=$((SECONDS + 20))
  until LB_JVM[$k]=$(sed -nE 's/.*vpnlb running \(pid ([0-9]+)\).*/\1/p' "$WORK/vpnlb-lb$k.log" | head -n1 | grep .); do
    [ $SECONDS -lt $deadline ] || fail "lb$k's vpnlb listens but never logged 'vpnlb running (pid N)'"
    sleep 0.2
  done
done

# ---------------------------------------------------------------- route to the VIP
# vip_nexthops : the gateways of the router's route to the VIP, sorted, one line ("" when there is none).
vip_nexthops() {
  ip -n "$NS_R" route show "$VIP/32" 2>/dev/null | grep -oE 'via [0-9.]+' | awk '{print $2}' | sort | paste -sd' '
}
# wait_nexthops "GATEWAYS" : polls until the router's route to the VIP has exactly these gateways.
wait_nexthops() {
  local deadline=$((SECONDS + ROUTE_TIMEOUT))
  until [ "$(vip_nexthops)" = "$1" ]; do
    [ $SECONDS -lt $deadline ] \
      || fail "the router's route to $VIP has gateways '$(vip_nexthops)' after ${ROUTE_TIMEOUT}s, expected '$1'"
    sleep 0.2
  done
}
BGP_TIMERS="connect delay time 1; connect retry time 2; error wait time 1, 5; hold time 6; keepalive time 2;"
# start_bird NAME NS : BIRD 2 with $WORK/bird-NAME.conf in NS, control socket $WORK/bird-NAME.ctl.
start_bird() {
  local conf=$WORK/bird-$1.conf out
  out=$(bird -p -c "$conf" 2>&1) || fail "BIRD rejects $(basename "$conf"): $out"
  in_ns "$2" bird -f -c "$conf" -s "$WORK/bird-$1.ctl" -P "$WORK/bird-$1.pid" >>"$WORK/bird-$1.log" 2>&1 </dev/null &
  BG_PIDS+=("$!")
}
if [ "$ROUTING" = static ]; then
  ip -n "$NS_R" route add "$VIP/32" nexthop via 10.99.31.2 nexthop via 10.99.32.2
else
  cat > "$WORK/bird-router.conf" <<EOF
log "$WORK/bird-router.log" all;
router id 10.99.31.1;
protocol device { }
protocol kernel {
  ipv4 { import none; export where source = RTS_BGP; };
  merge paths on;            # equal BGP routes from both balancers -> one multipath kernel route
}
template bgp balancer {
  local as 65000;
  $BGP_TIMERS
  ipv4 { import where net = $VIP/32; export none; };
}
protocol bgp lb1 from balancer { neighbor 10.99.31.2 as 65100; source address 10.99.31.1; }
protocol bgp lb2 from balancer { neighbor 10.99.32.2 as 65100; source address 10.99.32.1; }
EOF
  start_bird router "$NS_R"
  for k in 1 2; do
    cat > "$WORK/bird-lb$k.conf" <<EOF
log "$WORK/bird-lb$k.log" all;
router id 10.99.3$k.2;
protocol device { }
protocol static vip { ipv4; route $VIP/32 via "lo"; }
protocol bgp upstream {
  local 10.99.3$k.2 as 65100;
  neighbor 10.99.3$k.1 as 65000;
  $BGP_TIMERS
  ipv4 { import none; export where proto = "vip"; };
}
EOF
    start_bird "lb$k" "$P-lb$k"
  done
fi
wait_nexthops "10.99.31.2 10.99.32.2"
log "router: $(ip -n "$NS_R" route show "$VIP/32" | tr '\n\t' '  ')"

# ---------------------------------------------------------------- expectations
ADDRS=() SPECS=()
mapfile -t PORTS < <(shuf -i 20000-59999 -n $((2 * CLIENTS)))
for i in $(seq 0 $((CLIENTS - 1))); do
  ADDRS+=("10.99.10.$((100 + i))")
  SPECS+=("10.99.10.$((100 + i)):${PORTS[$((2 * i))]}:${PORTS[$((2 * i + 1))]}")
done
declare -A EXPECT=()
while read -r addr member; do EXPECT[$addr]=${MEMBER_NAME[$member]:-$member}; done \
  < <(maglev_pick "$WORK/vpnlb.yaml" vpn "${ADDRS[@]}")
[ ${#EXPECT[@]} = "$CLIENTS" ] || fail "MaglevPick gave ${#EXPECT[@]} answers for $CLIENTS clients"

# ---------------------------------------------------------------- traffic
# run_clients PHASE : ecmp-ike.py client PHASE for every client; the flow lines go to $WORK/flows-PHASE.txt.
run_clients() {
  local rc=0
  in_ns "$NS_C" timeout $((3 * FLOW_TIMEOUT)) "$PYTHON" -u "$SH_DIR/ecmp-ike.py" client "$WORK/sas.json" "$VIP" "$1" \
    --timeout "$FLOW_TIMEOUT" "${SPECS[@]}" >"$WORK/flows-$1.txt" 2>"$WORK/client-$1.err" </dev/null || rc=$?
  [ "$rc" = 0 ] || fail "$1: $(grep -c ' none ' "$WORK/flows-$1.txt" || true) flow(s) got no answer within" \
    "${FLOW_TIMEOUT}s (client exit $rc: $(head -c 300 "$WORK/client-$1.err"))"
}
# flows_table PHASE : one line per client from $WORK/flows-PHASE.txt:
#   ADDRESS MEMBER500 INSTANCE500 SA500 MEMBER4500 INSTANCE4500 SA4500
# The instance is read from the source the member saw: 10.99.1KM.1 is instance K's address on its link to
# member M (anything else shows as ?).
flows_table() {
  awk '
    function field(k,   i) {
      for (i = 5; i <= NF; i++) if (index($i, k "=") == 1) return substr($i, length(k) + 2)
      return "-"
    }
    $1 == "flow" && $5 != "none" {
      split(field("saw"), a, "[.:]")
      inst = (a[1] a[2] a[4]) == "10991" && a[3] ~ /^1[12][12]$/ ? "lb" substr(a[3], 2, 1) : "?"
      m[$2, $4] = field("member"); i[$2, $4] = inst; s[$2, $4] = field("sa"); seen[$2] = 1
    }
    END { for (c in seen) print c, m[c, 500], i[c, 500], s[c, 500], m[c, 4500], i[c, 4500], s[c, 4500] }' \
    "$WORK/flows-$1.txt" | sort -V
}
# opened K PORT : lbK's vpnlb_sessions_opened_total of its listener ikev2/PORT (metrics need no token).
opened() {
  NS_LB=$P-lb$1 vpnlb_metrics "$ADMIN_LISTEN" \
    | awk -v l="listener=\"ikev2/$2\"" '/^vpnlb_sessions_opened_total\{/ && index($0, l) { v = $NF; n++ }
        END { if (n == 1) printf "%d\n", v; else print "none" }'
}

log "phase 1: $CLIENTS clients open IKE SAs (IKE_SA_INIT on 500, then IKE_AUTH on 4500)"
run_clients open
flows_table open > "$WORK/table-open.txt"
[ "$(wc -l < "$WORK/table-open.txt")" = "$CLIENTS" ] \
  || fail "phase 1: answers for $(wc -l < "$WORK/table-open.txt") clients, expected $CLIENTS"
declare -A BEFORE=() INST500=() INST4500=()
declare -A COUNT=([lb1-500]=0 [lb2-500]=0 [lb1-4500]=0 [lb2-4500]=0 [srv1]=0 [srv2]=0)
SPLIT=0 AGREE=0 BAD=()
while read -r addr m500 i500 s500 m4500 i4500 s4500; do
  BEFORE[$addr]=$m500 INST500[$addr]=$i500 INST4500[$addr]=$i4500
  case "$i500/$i4500" in
    lb[12]/lb[12]) ;;
    *) BAD+=("$addr: unknown instance ($i500 for 500, $i4500 for 4500)"); continue ;;
  esac
  COUNT[$i500-500]=$((${COUNT[$i500-500]} + 1)) COUNT[$i4500-4500]=$((${COUNT[$i4500-4500]} + 1))
  [ "$i500" != "$i4500" ] && SPLIT=$((SPLIT + 1))
  if [ "$m500" != "$m4500" ]; then
    BAD+=("$addr: 500 via $i500 reached $m500, 4500 via $i4500 reached $m4500")
  elif [ "$m500" != "${EXPECT[$addr]}" ]; then
    BAD+=("$addr: reached $m500, Maglev gives ${EXPECT[$addr]}")
  elif [ "$s500/$s4500" != new/known ]; then
    BAD+=("$addr: $m500 answered IKE_SA_INIT with sa=$s500 and IKE_AUTH with sa=$s4500 (expected new/known)")
  else
    AGREE=$((AGREE + 1)); COUNT[$m500]=$((${COUNT[$m500]} + 1))
  fi
done < "$WORK/table-open.txt"
[ ${#BAD[@]} = 0 ] || fail "phase 1: ${#BAD[@]} client(s) broken: $(printf '%s; ' "${BAD[@]:0:5}")"
log "phase 1: 500 flows lb1=${COUNT[lb1-500]} lb2=${COUNT[lb2-500]}," \
  "4500 flows lb1=${COUNT[lb1-4500]} lb2=${COUNT[lb2-4500]}, split=$SPLIT," \
  "members srv1=${COUNT[srv1]} srv2=${COUNT[srv2]}, agree=$AGREE/$CLIENTS"
[ "$SPLIT" -gt 0 ] || fail "phase 1: no client had its 500 and 4500 flows on different instances" \
  "(ECMP did not hash on ports): the agreement shows nothing"
for k in 1 2; do
  [ $((${COUNT[lb$k-500]} + ${COUNT[lb$k-4500]})) -gt 0 ] \
    || fail "phase 1: instance lb$k carried no flow (ECMP sent everything to one instance)"
done
[ "${COUNT[srv1]}" -gt 0 ] && [ "${COUNT[srv2]}" -gt 0 ] \
  || fail "phase 1: all clients on one member (srv1=${COUNT[srv1]} srv2=${COUNT[srv2]}): agreement would prove nothing"
for k in 1 2; do
  for port in 500 4500; do
    got=$(opened "$k" "$port")
    [ "$got" = "${COUNT[lb$k-$port]}" ] \
      || fail "phase 1: lb$k's vpnlb_sessions_opened_total for port $port is $got," \
              "the members saw ${COUNT[lb$k-$port]} flows from lb$k"
  done
done

# ---------------------------------------------------------------- failover: lb1 stops, its route goes
if [ "$ROUTING" = bgp ]; then WITHDRAWAL="SIGTERM to lb1's BIRD"; else WITHDRAWAL="ip route replace"; fi
log "failover: SIGTERM to lb1's vpnlb (pid ${LB_JVM[1]}), then its route is withdrawn ($WITHDRAWAL)"
kill -TERM "${LB_JVM[1]}"
deadline=$((SECONDS + STOP_TIMEOUT))
while kill -0 "${LB_JVM[1]}" 2>/dev/null; do
  [ $SECONDS -lt $deadline ] || fail "lb1's vpnlb still runs ${STOP_TIMEOUT}s after SIGTERM"
  sleep 0.2
done
LB1_RC=0; wait "${LB_PID[1]}" || LB1_RC=$?
grep -q 'stopping' "$WORK/vpnlb-lb1.log" \
  || fail "lb1's vpnlb exited ($LB1_RC) without its shutdown ('stopping' not logged)"
vpnlb_log_checks "$WORK/vpnlb-lb1.log"
WITHDRAW_MS=$(now_ms)
if [ "$ROUTING" = static ]; then
  ip -n "$NS_R" route replace "$VIP/32" via 10.99.32.2
else
  kill -TERM "$(cat "$WORK/bird-lb1.pid")"
fi
wait_nexthops "10.99.32.2"
WITHDRAWN_MS=$(($(now_ms) - WITHDRAW_MS))
log "router: $(ip -n "$NS_R" route show "$VIP/32") ($WITHDRAWN_MS ms after the $WITHDRAWAL;" \
  "lb1's vpnlb exit status $LB1_RC)"

log "phase 2: every client sends INFORMATIONAL on both flows again, from the same ports"
run_clients resend
flows_table resend > "$WORK/table-resend.txt"
[ "$(wc -l < "$WORK/table-resend.txt")" = "$CLIENTS" ] \
  || fail "phase 2: answers for $(wc -l < "$WORK/table-resend.txt") clients, expected $CLIENTS"
MOVED500=0 MOVED4500=0 AGREE2=0 BAD=()
while read -r addr m500 i500 s500 m4500 i4500 s4500; do
  [ "${INST500[$addr]}" = lb1 ] && MOVED500=$((MOVED500 + 1))
  [ "${INST4500[$addr]}" = lb1 ] && MOVED4500=$((MOVED4500 + 1))
  if [ "$i500/$i4500" != lb2/lb2 ]; then
    BAD+=("$addr: answered via $i500 (500) and $i4500 (4500), expected lb2 only")
  elif [ "$m500" != "${BEFORE[$addr]}" ] || [ "$m4500" != "${BEFORE[$addr]}" ]; then
    BAD+=("$addr: 500 reached $m500, 4500 reached $m4500, before the failover ${BEFORE[$addr]}")
  elif [ "$s500/$s4500" != known/known ]; then
    BAD+=("$addr: $m500 does not hold the client's SA (sa=$s500 on 500, sa=$s4500 on 4500)")
  else
    AGREE2=$((AGREE2 + 1))
  fi
done < "$WORK/table-resend.txt"
[ ${#BAD[@]} = 0 ] || fail "phase 2: ${#BAD[@]} client(s) broken after the failover: $(printf '%s; ' "${BAD[@]:0:5}")"
[ $((MOVED500 + MOVED4500)) -gt 0 ] || fail "phase 2: no flow had been on lb1, the failover moved nothing"
for port in 500 4500; do
  got=$(opened 2 "$port")
  [ "$got" = "$CLIENTS" ] \
    || fail "phase 2: lb2's vpnlb_sessions_opened_total for port $port is $got," \
            "expected $CLIENTS (one session per client flow)"
done
log "phase 2: moved 500 flows=$MOVED500, moved 4500 flows=$MOVED4500, agree=$AGREE2/$CLIENTS"

VPNLB_PID=${LB_PID[2]} vpnlb_final_checks "$WORK/vpnlb-lb2.log"
rm -f "$WORK/admin.token"     # not kept with --keep-logs

echo "----------------------------------------------------------------"
echo "route to the VIP        : $ROUTING, router hash policy L4 (fib_multipath_hash_policy=1)"
echo "clients                 : $CLIENTS addresses, 2 random source ports each; Maglev table 4099 on both instances"
echo "500 flows per instance  : lb1=${COUNT[lb1-500]} lb2=${COUNT[lb2-500]}"
echo "4500 flows per instance : lb1=${COUNT[lb1-4500]} lb2=${COUNT[lb2-4500]}"
echo "split clients           : $SPLIT (500 and 4500 on different instances)"
echo "clients per member      : srv1=${COUNT[srv1]} srv2=${COUNT[srv2]}"
echo "agreement before        : $AGREE/$CLIENTS (one member for both flows, the Maglev member, SA found on 4500)"
echo "failover                : lb1 stopped, route to it gone $WITHDRAWN_MS ms after the $WITHDRAWAL;" \
  "moved flows 500=$MOVED500 4500=$MOVED4500"
echo "agreement after         : $AGREE2/$CLIENTS (both flows via lb2 to the same member, SA found)"
echo "----------------------------------------------------------------"
echo "RESULT: PASS ($RESULT_TAG): every client's 500 and 4500 flows reach its Maglev member through either" \
  "instance, and still do after lb1 fails"
exit 0
