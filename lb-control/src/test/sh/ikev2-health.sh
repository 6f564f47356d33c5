#!/usr/bin/env bash
# IKE health checks of vpnlb against real strongSwan servers: a server whose charon stops is marked DOWN in
# time, new clients go to the other server, and the server comes back UP when charon runs again.
#
# Topology as in ikev2-strongswan.sh (lib-netns.sh) plus a second client namespace:
#   client  c0 10.99.1.2/24  ---- lbc  10.99.1.1/24 (VIP)
#   client2 c0 10.99.4.x/24  ---- lbc2 10.99.4.1/24        (x chosen below; default route via 10.99.4.1)
#   srv1 10.99.2.2, srv2 10.99.3.2 (PSK, kernel-libipsec), vpnlb with source NAT and on pool vpn
#   health-check: { type: ike, interval: 1s, timeout: 500ms, rise: 2, fall: 2 }.
#
#  1. Both charons answer vpnlb's IKE_SA_INIT probes (each server's log shows at least 2 before any client).
#  2. client builds a tunnel; one server (H) holds the SA.
#  3. client2's address is chosen so that vpnlb's Maglev table would send it to H while both servers are UP
#     (MaglevPick.java, vpnlb's own classes over the same YAML; its answer for 10.99.1.2 must match H).
#  4. charon on H is stopped (SIGTERM, waited for). vpnlb must log
#     `pool vpn member <H>:0: health <state> -> DOWN (...)` within interval x fall + timeout = 2.5 s of the
#     exit (plus HEALTH_GRACE_MS for scheduling on a loaded 2-core machine); the measured delay is printed.
#  5. client2 initiates: its IKE SA must be on the other server (O), and ping through it.
#  6. charon on H is started again: vpnlb must log `... <H>:0: health <state> -> UP` within rise x interval +
#     timeout (+ grace) of charon running again (its vici socket, opened with its UDP sockets, appeared).
# If GET /metrics answers (admin API on 127.0.0.1:19090 in the lb namespace), vpnlb_member_health must agree
# (state "down" = 1 for H while it is down, "up" = 1 after); otherwise that check is reported as not done.
#
# usage: ikev2-health.sh [--keep-logs DIR] VPNLB_JAR [JAVA_BIN]
# Exit: 0 pass, 1 fail, 2 usage, 77 skip (one line "SKIP: reason" on stdout).
# Everything created (namespaces vpnlbit-<pid>-*, their veths, processes, the temp dir) is removed on exit.
set -euo pipefail

KEEP_LOGS=""
JAR=""
JAVA_BIN=""
usage() { echo "usage: $0 [--keep-logs DIR] VPNLB_JAR [JAVA_BIN]" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --keep-logs) [ $# -ge 2 ] || usage; KEEP_LOGS=$2; shift ;;
    -h|--help|-*) usage ;;
    *) if [ -z "$JAR" ]; then JAR=$1; elif [ -z "$JAVA_BIN" ]; then JAVA_BIN=$1; else usage; fi ;;
  esac
  shift
done
JAVA_BIN=${JAVA_BIN:-java}
RESULT_TAG="health"
# shellcheck source=lib-netns.sh
. "$(cd "$(dirname "$0")" && pwd)/lib-netns.sh"

INTERVAL_MS=1000 TIMEOUT_MS=500 RISE=2 FALL=2
DOWN_BOUND_MS=$((INTERVAL_MS * FALL + TIMEOUT_MS))
UP_BOUND_MS=$((INTERVAL_MS * RISE + TIMEOUT_MS))
HEALTH_GRACE_MS=${VPNLBIT_HEALTH_GRACE_MS:-1000}   # thread scheduling + log polling on a shared 2-core machine
HARD_WAIT=20                                        # seconds: give up waiting for a log line

lib_require_strongswan
lib_require_vpnlb
lib_init client client2 lb srv1 srv2
NS_C2=$P-client2

# ---------------------------------------------------------------- topology
log "health: namespaces=$P-{client,client2,lb,srv1,srv2} work=$WORK"
lib_topology_standard
ip link add c0 netns "$NS_C2" type veth peer name lbc2 netns "$NS_LB"
ip -n "$NS_LB" addr add 10.99.4.1/24 dev lbc2
ip -n "$NS_C2" link set c0 up
ip -n "$NS_LB" link set lbc2 up
in_ns "$NS_LB" sysctl -qw net.ipv4.ip_forward=0
lib_topology_check
start_tcpdump 200

# ---------------------------------------------------------------- vpnlb config, Maglev predictions
vpnlb_yaml "$WORK/vpnlb.yaml" "" \
  "    health-check: { type: ike, interval: ${INTERVAL_MS}ms, timeout: ${TIMEOUT_MS}ms, rise: $RISE, fall: $FALL }"
# shellcheck disable=SC2046
maglev_pick "$WORK/vpnlb.yaml" vpn 10.99.1.2 $(seq -f '10.99.4.%g' 2 60) >"$WORK/maglev-pick.txt"

# ---------------------------------------------------------------- servers first, then vpnlb (members start UP)
PSK_CLIENT_IDS="client client2"
mkconf srv1; psk_server_conf srv1 10.99.2.2 10.99.100.0/24
mkconf srv2; psk_server_conf srv2 10.99.3.2 10.99.101.0/24
mkconf client; psk_client_conf client client
mkconf client2; psk_client_conf client2 client2
start_charon srv1 "$NS_S1"
start_charon srv2 "$NS_S2"
start_vpnlb "$WORK/vpnlb.yaml"
deadline=$((SECONDS + 10))
until grep -q 'health check every' "$WORK/vpnlb.log"; do
  [ $SECONDS -lt $deadline ] && { sleep 0.2; continue; }
  fail "vpnlb did not log that it runs the pool's health check (HealthChecker: 'pool vpn: ike health check every 1s ...'): this build accepts the health-check settings but does not run them"
done
grep -m1 'health check every' "$WORK/vpnlb.log" | sed 's/^/    /'

# vpnlb's probes reach both charons (an IKE_SA_INIT request from vpnlb's address on each link).
probes() { grep -cE "received packet: from ${SRV_LBADDR[$1]//./\\.}\[[0-9]+\] to ${SRV_ADDR[$1]//./\\.}\[500\]" "$WORK/$1/charon.log" || true; }
deadline=$((SECONDS + HARD_WAIT))
until [ "$(probes srv1)" -ge 2 ] && [ "$(probes srv2)" -ge 2 ]; do
  [ $SECONDS -lt $deadline ] || fail "vpnlb's IKE probes did not reach both servers twice within ${HARD_WAIT}s (srv1 $(probes srv1), srv2 $(probes srv2))"
  sleep 0.2
done
grep -qE 'health [A-Z]+ -> DOWN' "$WORK/vpnlb.log" && fail "vpnlb marked a member DOWN while both charons run: $(grep -m1 -E 'health [A-Z]+ -> DOWN' "$WORK/vpnlb.log")"
probe_reply=$(grep -m1 -E 'generating IKE_SA_INIT response 0' "$WORK/srv1/charon.log" | sed -E 's/.*generating //' || true)
log "both servers answer vpnlb's IKE probes (srv1 $(probes srv1), srv2 $(probes srv2) so far; srv1 answers: ${probe_reply:-?})"

# ---------------------------------------------------------------- client 1: tunnel up
start_charon client "$NS_C"
initiate client "$NS_C" net "$WORK/initiate.out" \
  || fail "swanctl --initiate (client) failed: $(grep -m1 -E 'failed|error' "$WORK/initiate.out" || tail -n 1 "$WORK/initiate.out")"
wait_client_sa client "$NS_C" 20
rx=$(ping_tunnel "$NS_C" 3 3)
[ "$rx" -ge 1 ] || fail "no reply to ping 10.99.200.1 through client's tunnel"
mapfile -t HOLDERS < <(sa_holders "srv1:$NS_S1" "srv2:$NS_S2")
[ "${#HOLDERS[@]}" -eq 1 ] || fail "expected exactly one server to hold client's IKE SA ${SPI_I}_i ${SPI_R}_r, found ${#HOLDERS[@]} (${HOLDERS[*]:-none})"
H=${HOLDERS[0]}; O=$(other_server "$H")
C1_SPI=${SPI_I}
log "client: IKE SA ${SPI_I}_i ${SPI_R}_r on $H, $rx/3 pings"

predicted=$(awk '$1 == "10.99.1.2" { print $2 }' "$WORK/maglev-pick.txt")
[ "$predicted" = "${SRV_ADDR[$H]}" ] \
  || fail "MaglevPick says vpnlb sends 10.99.1.2 to $predicted but $H (${SRV_ADDR[$H]}) got the SA: the helper does not model vpnlb's selection"
C2_ADDR=$(awk -v h="${SRV_ADDR[$H]}" '$1 ~ /^10\.99\.4\./ && $2 == h { print $1; exit }' "$WORK/maglev-pick.txt")
[ -n "$C2_ADDR" ] || fail "no candidate in 10.99.4.2..60 that Maglev sends to $H"
ip -n "$NS_C2" addr add "$C2_ADDR/24" dev c0
ip -n "$NS_C2" route add default via 10.99.4.1
in_ns "$NS_C2" ping -c1 -W2 10.99.1.1 >/dev/null || fail "topology: client2 ($C2_ADDR) cannot reach 10.99.1.1"
log "client2 gets $C2_ADDR: with both servers UP vpnlb's Maglev table sends it to $H"

# ---------------------------------------------------------------- metrics (optional)
METRICS_OK=0
[ -n "$(vpnlb_metrics "$ADMIN_LISTEN" | grep -m1 '^vpnlb_member_health')" ] && METRICS_OK=1
# member_health_is ADDRESS STATE : vpnlb_member_health{member="ADDRESS" (or "ADDRESS:0"),state="STATE"} is 1
member_health_is() {
  vpnlb_metrics "$ADMIN_LISTEN" | grep -E '^vpnlb_member_health\{' | grep -E "member=\"${1//./\\.}(:0)?\"" \
    | grep -F "state=\"$2\"" | awk '{ v = $NF; n++ } END { exit !(n == 1 && v + 0 == 1) }'
}
METRIC_NOTES=""

# ---------------------------------------------------------------- stop charon on H -> DOWN
KEY_H="${SRV_ADDR[$H]}:0"
KEY_RE=${KEY_H//./\\.}
log "stopping charon on $H"
T_KILL=$(now_ms)
stop_charon "$H"
T_EXIT=$(now_ms)
log "charon on $H exited $((T_EXIT - T_KILL)) ms after SIGTERM"
deadline=$((SECONDS + HARD_WAIT))
until DOWN_LINE=$(grep -m1 -E "pool vpn member $KEY_RE: health [A-Z]+ -> DOWN" "$WORK/vpnlb.log"); do
  [ $SECONDS -lt $deadline ] || fail "vpnlb did not mark $H ($KEY_H) DOWN within ${HARD_WAIT}s of charon stopping"
  sleep 0.1
done
T_DOWN=$(vpnlb_log_ms "$DOWN_LINE")
DOWN_MS=$((T_DOWN - T_EXIT))
echo "    $DOWN_LINE"
grep -q '\[WARN\]' <<<"$DOWN_LINE" || fail "the DOWN transition is not logged at WARN: $DOWN_LINE"
log "$H DOWN ${DOWN_MS} ms after charon exited ($((T_DOWN - T_KILL)) ms after SIGTERM); bound interval x fall + timeout = ${DOWN_BOUND_MS} ms (+${HEALTH_GRACE_MS} ms grace)"
[ "$T_DOWN" -gt 0 ] || fail "cannot read the timestamp of vpnlb's log line: $DOWN_LINE"
[ "$DOWN_MS" -le $((DOWN_BOUND_MS + HEALTH_GRACE_MS)) ] \
  || fail "$H was marked DOWN ${DOWN_MS} ms after charon exited; expected within ${DOWN_BOUND_MS} ms (+${HEALTH_GRACE_MS} ms grace)"
if [ "$METRICS_OK" = 1 ]; then
  member_health_is "${SRV_ADDR[$H]}" down || fail "/metrics: vpnlb_member_health{member=\"${SRV_ADDR[$H]}\",state=\"down\"} is not 1 after the DOWN log line: $(vpnlb_metrics "$ADMIN_LISTEN" | grep -E '^vpnlb_member_health\{' | tr '\n' ' ')"
  METRIC_NOTES="metrics agree (down)"
fi

# ---------------------------------------------------------------- client 2 -> O
start_charon client2 "$NS_C2"
o_off=$(wc -l < "$WORK/$O/charon.log")
initiate client2 "$NS_C2" net "$WORK/initiate-client2.out" \
  || fail "swanctl --initiate (client2) failed while $H is DOWN: $(grep -m1 -E 'failed|error' "$WORK/initiate-client2.out" || tail -n 1 "$WORK/initiate-client2.out")"
wait_client_sa client2 "$NS_C2" 20
[ "$SPI_I" != "$C1_SPI" ] || fail "client2's SA has the same SPI as client's"
rx2=$(ping_tunnel "$NS_C2" 3 3)
[ "$rx2" -ge 1 ] || fail "no reply to ping 10.99.200.1 through client2's tunnel"
mapfile -t HOLDERS < <(sa_holders "$O:${CHARON_NS[$O]}")
[ "${#HOLDERS[@]}" -eq 1 ] || fail "client2's IKE SA ${SPI_I}_i ${SPI_R}_r is not on $O although $H is DOWN"
grep -q "remote 'client2' @ ${SRV_LBADDR[$O]//./\\.}\[" "$WORK/sas-$O.txt" || fail "$O's SA with client2 is not through vpnlb (${SRV_LBADDR[$O]})"
log "client2 ($C2_ADDR): IKE SA ${SPI_I}_i ${SPI_R}_r on $O, $rx2/3 pings"

# ---------------------------------------------------------------- restart charon on H -> UP
log "starting charon on $H again"
start_charon "$H" "${CHARON_NS[$H]}"
T_BACK=${CHARON_UP_MS[$H]}   # charon's sockets are open (its vici socket appeared)
deadline=$((SECONDS + HARD_WAIT))
until UP_LINE=$(grep -E "pool vpn member $KEY_RE: health [A-Z]+ -> UP" "$WORK/vpnlb.log" | tail -n1 | grep .) \
      && [ "$(vpnlb_log_ms "$UP_LINE")" -gt "$T_DOWN" ]; do
  [ $SECONDS -lt $deadline ] || fail "vpnlb did not mark $H ($KEY_H) UP within ${HARD_WAIT}s of charon running again"
  sleep 0.1
done
T_UP=$(vpnlb_log_ms "$UP_LINE")
UP_MS=$((T_UP - T_BACK))
echo "    $UP_LINE"
log "$H UP ${UP_MS} ms after charon was up again ($(( T_UP - T_DOWN )) ms after DOWN); bound rise x interval + timeout = ${UP_BOUND_MS} ms (+${HEALTH_GRACE_MS} ms grace)"
[ "$UP_MS" -le $((UP_BOUND_MS + HEALTH_GRACE_MS)) ] \
  || fail "$H was marked UP ${UP_MS} ms after charon was up again; expected within ${UP_BOUND_MS} ms (+${HEALTH_GRACE_MS} ms grace)"
if [ "$METRICS_OK" = 1 ]; then
  member_health_is "${SRV_ADDR[$H]}" up || fail "/metrics: vpnlb_member_health{member=\"${SRV_ADDR[$H]}\",state=\"up\"} is not 1 after the UP log line: $(vpnlb_metrics "$ADMIN_LISTEN" | grep -E '^vpnlb_member_health\{' | tr '\n' ' ')"
  METRIC_NOTES="metrics agree (down, then up)"
fi
[ -n "$METRIC_NOTES" ] || METRIC_NOTES="not checked: GET /metrics has no vpnlb_member_health"

vpnlb_final_checks
stop_tcpdump
echo "----------------------------------------------------------------"
echo "health check      : ike, interval ${INTERVAL_MS}ms, timeout ${TIMEOUT_MS}ms, rise $RISE, fall $FALL"
echo "client            : 10.99.1.2 -> IKE SA on $H"
printf '%-18s: ' "$H down"; echo "marked DOWN ${DOWN_MS} ms after charon exited (bound ${DOWN_BOUND_MS} ms)"
echo "client2           : $C2_ADDR (Maglev with both UP: $H) -> IKE SA on $O, $rx2/3 pings"
printf '%-18s: ' "$H back"; echo "marked UP ${UP_MS} ms after charon was up again (bound ${UP_BOUND_MS} ms)"
echo "metrics           : $METRIC_NOTES"
echo "----------------------------------------------------------------"
echo "RESULT: PASS ($RESULT_TAG): $H DOWN in ${DOWN_MS} ms, new client on $O, $H UP again in ${UP_MS} ms"
exit 0
