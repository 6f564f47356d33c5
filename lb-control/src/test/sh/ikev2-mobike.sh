#!/usr/bin/env bash
# MOBIKE (RFC 4555) through vpnlb: a strongSwan client changes its address while its tunnel is up.
#
# Topology and servers as in ikev2-strongswan.sh (lib-netns.sh): client 10.99.1.2 -- vpnlb on VIP 10.99.1.1
# (source NAT) -- srv1 10.99.2.2 / srv2 10.99.3.2, PSK, kernel-libipsec (ESP-in-UDP on 4500), mobike = yes on
# every charon.
#
#  1. The client builds its IKE SA + CHILD SA through vpnlb and pings 10.99.200.1; one server (H) holds the SA.
#  2. The client moves: a new address NEW is added on c0 and 10.99.1.2 is removed (promote_secondaries, so the
#     new address survives; the default route is re-added). NEW is chosen so that vpnlb's Maglev hash sends
#     it to the OTHER server: MaglevPick.java runs vpnlb's own ConfigLoader, SnapshotBuilder.memberKey,
#     MaglevTable and ClientHash from the jar over the same YAML and candidate addresses 10.99.1.3..60. The
#     helper's answer for 10.99.1.2 must equal the server that really got the SA (else the script fails: its
#     model of vpnlb's selection would be wrong). --spi-routing off is the check that the choice matters.
#  3. charon sends UPDATE_SA_ADDRESSES from NEW:4500.
#     --spi-routing on (default; vpnlb's default): vpnlb routes the unknown address by the IKE SPIs to H.
#       Pass = the client's SA is now at NEW and acknowledged, H parsed the UPD_SA_ADDR request (its SA's remote
#       port moved to vpnlb's new session), the other server never saw the SA, H still holds the same SPIs and
#       4 of 5 pings through the tunnel come back.
#     --spi-routing off (`ike: { spi-routing: false }`): plain source affinity balances NEW by Maglev to the
#       other server. Pass = the tunnel is lost: after the client has retransmitted its update at least once,
#       H never saw UPD_SA_ADDR and no ping comes back (where vpnlb did send the update is reported).
#
# usage: ikev2-mobike.sh [--spi-routing on|off] [--keep-logs DIR] VPNLB_JAR [JAVA_BIN]
# Exit: 0 pass, 1 fail, 2 usage, 77 skip (one line "SKIP: reason" on stdout).
# Everything created (namespaces vpnlbit-<pid>-*, their veths, processes, the temp dir) is removed on exit.
set -euo pipefail

SPI_ROUTING=on
KEEP_LOGS=""
JAR=""
JAVA_BIN=""
usage() { echo "usage: $0 [--spi-routing on|off] [--keep-logs DIR] VPNLB_JAR [JAVA_BIN]" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --spi-routing) [ $# -ge 2 ] || usage; SPI_ROUTING=$2; shift
                   [ "$SPI_ROUTING" = on ] || [ "$SPI_ROUTING" = off ] || usage ;;
    --keep-logs) [ $# -ge 2 ] || usage; KEEP_LOGS=$2; shift ;;
    -h|--help|-*) usage ;;
    *) if [ -z "$JAR" ]; then JAR=$1; elif [ -z "$JAVA_BIN" ]; then JAVA_BIN=$1; else usage; fi ;;
  esac
  shift
done
JAVA_BIN=${JAVA_BIN:-java}
RESULT_TAG="mobike, spi-routing $SPI_ROUTING"
# shellcheck source=lib-netns.sh
. "$(cd "$(dirname "$0")" && pwd)/lib-netns.sh"

UPDATE_TIMEOUT=20       # move -> update answered (on) / retransmitted (off)

lib_require_strongswan
lib_require_vpnlb
lib_init client lb srv1 srv2

# ---------------------------------------------------------------- topology
log "mobike, spi-routing $SPI_ROUTING: namespaces=$P-{client,lb,srv1,srv2} work=$WORK"
lib_topology_standard
in_ns "$NS_LB" sysctl -qw net.ipv4.ip_forward=0
# Deleting the primary address must promote the secondary (the new one) instead of removing it too.
in_ns "$NS_C" sysctl -qw net.ipv4.conf.all.promote_secondaries=1
in_ns "$NS_C" sysctl -qw net.ipv4.conf.c0.promote_secondaries=1
lib_topology_check
start_tcpdump 200

# ---------------------------------------------------------------- vpnlb
SPI_BOOL=$([ "$SPI_ROUTING" = on ] && echo true || echo false)
vpnlb_yaml "$WORK/vpnlb.yaml" "    ike: { spi-routing: $SPI_BOOL }"
# Where vpnlb's Maglev table sends 10.99.1.2 and each candidate new address (both servers eligible).
CANDIDATES=$(seq -f '10.99.1.%g' 3 60 | tr '\n' ' ')
# shellcheck disable=SC2086
maglev_pick "$WORK/vpnlb.yaml" vpn 10.99.1.2 $CANDIDATES >"$WORK/maglev-pick.txt"
start_vpnlb "$WORK/vpnlb.yaml"

# ---------------------------------------------------------------- strongSwan
mkconf srv1; psk_server_conf srv1 10.99.2.2 10.99.100.0/24 "mobike = yes"
mkconf srv2; psk_server_conf srv2 10.99.3.2 10.99.101.0/24 "mobike = yes"
mkconf client; psk_client_conf client client "mobike = yes"
start_charon srv1 "$NS_S1"
start_charon srv2 "$NS_S2"
start_charon client "$NS_C"
log "charon started in client, srv1, srv2 ($CHARON, kernel-libipsec, mobike = yes)"

# ---------------------------------------------------------------- tunnel up
initiate client "$NS_C" net "$WORK/initiate.out" \
  || fail "swanctl --initiate failed: $(grep -m1 -E 'failed|error' "$WORK/initiate.out" || tail -n 1 "$WORK/initiate.out")"
wait_client_sa client "$NS_C" 20
grep -q "local  'client' @ 10.99.1.2\[4500\]" "$WORK/sas-client.txt" || fail "client's IKE SA is not from 10.99.1.2[4500]"
rx=$(ping_tunnel "$NS_C" 3 3)
[ "$rx" -ge 1 ] || fail "no reply to ping 10.99.200.1 through the tunnel before the move"
mapfile -t HOLDERS < <(sa_holders "srv1:$NS_S1" "srv2:$NS_S2")
[ "${#HOLDERS[@]}" -eq 1 ] || fail "expected exactly one server to hold IKE SA ${SPI_I}_i ${SPI_R}_r, found ${#HOLDERS[@]} (${HOLDERS[*]:-none})"
H=${HOLDERS[0]}; O=$(other_server "$H")
log "tunnel up: IKE SA ${SPI_I}_i ${SPI_R}_r on $H (${SRV_ADDR[$H]}), $rx/3 pings"

predicted=$(awk '$1 == "10.99.1.2" { print $2 }' "$WORK/maglev-pick.txt")
[ "$predicted" = "${SRV_ADDR[$H]}" ] \
  || fail "MaglevPick says vpnlb sends 10.99.1.2 to $predicted but $H (${SRV_ADDR[$H]}) got the SA: the helper does not model vpnlb's selection"
NEW=$(awk -v h="${SRV_ADDR[$H]}" '$1 != "10.99.1.2" && $2 != h { print $1; exit }' "$WORK/maglev-pick.txt")
[ -n "$NEW" ] || fail "no candidate address in 10.99.1.3..60 hashes to $O (see $WORK/maglev-pick.txt)"
log "new client address $NEW: vpnlb's Maglev table sends it to $O (${SRV_ADDR[$O]}), not to the SA holder $H"

H_PORT_BEFORE=$(sed -nE "s/.*remote 'client' @ ${SRV_LBADDR[$H]//./\\.}\[([0-9]+)\].*/\1/p" "$WORK/sas-$H.txt" | head -n1)
c_off=$(wc -l < "$WORK/client/charon.log"); h_off=$(wc -l < "$WORK/$H/charon.log"); o_off=$(wc -l < "$WORK/$O/charon.log")
since() { tail -n +"$(($2 + 1))" "$1"; }   # file offset: the lines after offset

# ---------------------------------------------------------------- the move
log "moving the client: add $NEW/24 on c0, delete 10.99.1.2/24, re-add the default route"
ip -n "$NS_C" addr add "$NEW/24" dev c0
ip -n "$NS_C" addr del 10.99.1.2/24 dev c0
ip -n "$NS_C" route replace default via 10.99.1.1
ip -n "$NS_C" -4 -br addr show dev c0 | sed 's/^/    /'
T_MOVE=$(now_ms)

# The client's update leaves from NEW:4500 (wait for it in either mode).
NEW_RE=${NEW//./\\.}
deadline=$((SECONDS + UPDATE_TIMEOUT))
until since "$WORK/client/charon.log" "$c_off" | grep -Eq "sending packet: from $NEW_RE\[4500\] to 10\.99\.1\.1\[4500\]"; do
  [ $SECONDS -lt $deadline ] || fail "the client sent nothing from $NEW:4500 within ${UPDATE_TIMEOUT}s of the move (no MOBIKE update)"
  sleep 0.2
done
log "client sent from $NEW[4500] $(( $(now_ms) - T_MOVE )) ms after the move"
since "$WORK/client/charon.log" "$c_off" | grep -E 'UPD_SA_ADDR|path|roam|MOBIKE|address' | head -n 8 | sed 's/^/    client: /' || true

if [ "$SPI_ROUTING" = on ]; then
  # ------------------------------------------------------------ on: the SA follows the client
  deadline=$((SECONDS + UPDATE_TIMEOUT))
  while :; do
    list_sas client "$NS_C"
    client_moved=0; grep -q "local  'client' @ $NEW_RE\[4500\]" "$WORK/sas-client.txt" && client_moved=1
    h_upd=$(since "$WORK/$H/charon.log" "$h_off" | grep -cE 'parsed INFORMATIONAL request [0-9]+ \[.*N\(UPD_SA_ADDR\)' || true)
    c_ack=$(since "$WORK/client/charon.log" "$c_off" | grep -cE 'parsed INFORMATIONAL response [0-9]+' || true)
    [ "$client_moved" = 1 ] && [ "$h_upd" -ge 1 ] && [ "$c_ack" -ge 1 ] && break
    [ $SECONDS -lt $deadline ] || fail "MOBIKE update not completed through vpnlb within ${UPDATE_TIMEOUT}s (client SA at $NEW: $client_moved, $H parsed UPD_SA_ADDR: $h_upd, client got the response: $c_ack)"
    sleep 0.3
  done
  T_UPDATED=$(now_ms)
  log "update done $((T_UPDATED - T_MOVE)) ms after the move: client SA at $NEW[4500], $H parsed UPD_SA_ADDR, client got the response"
  grep -q 'ESTABLISHED' "$WORK/sas-client.txt" && grep -q 'INSTALLED' "$WORK/sas-client.txt" \
    || fail "client's SA is no longer ESTABLISHED with an INSTALLED CHILD SA after the move"
  rx=$(ping_tunnel "$NS_C" 5 2)
  [ "$rx" -ge 4 ] || fail "tunnel lost after the move: $rx/5 pings through the tunnel from $NEW"
  mapfile -t HOLDERS < <(sa_holders "srv1:$NS_S1" "srv2:$NS_S2")
  [ "${#HOLDERS[@]}" -eq 1 ] && [ "${HOLDERS[0]}" = "$H" ] \
    || fail "after the move IKE SA ${SPI_I}_i ${SPI_R}_r is held by '${HOLDERS[*]:-none}', expected only $H"
  H_PORT_AFTER=$(sed -nE "s/.*remote 'client' @ ${SRV_LBADDR[$H]//./\\.}\[([0-9]+)\].*/\1/p" "$WORK/sas-$H.txt" | head -n1)
  [ -n "$H_PORT_AFTER" ] && [ "$H_PORT_AFTER" != "$H_PORT_BEFORE" ] \
    || fail "$H's SA still sees the client at ${SRV_LBADDR[$H]}[$H_PORT_BEFORE] (expected vpnlb's new session port after the move, got '${H_PORT_AFTER:-none}')"
  if since "$WORK/$O/charon.log" "$o_off" | grep -q "SPIs ${SPI_I}_i"; then
    fail "$O saw the client's IKE SA (SPI ${SPI_I}) after the move: vpnlb split the roamed client"
  fi
  o_rx=$(since "$WORK/$O/charon.log" "$o_off" | grep -cE 'received packet: from [0-9.]+\[[0-9]+\] to [0-9.]+\[4500\]' || true)
  [ "$o_rx" -eq 0 ] || fail "$O received $o_rx packet(s) on 4500 after the move although SPI routing is on"
  vpnlb_final_checks
  stop_tcpdump
  echo "----------------------------------------------------------------"
  echo "before the move   : client 10.99.1.2 -> IKE SA ${SPI_I}_i ${SPI_R}_r on $H (Maglev also predicts $H)"
  echo "after the move    : client $NEW (Maglev: $O); UPDATE_SA_ADDRESSES reached $H after $((T_UPDATED - T_MOVE)) ms"
  echo "holder            : $H keeps the SA; it sees vpnlb at ${SRV_LBADDR[$H]}[$H_PORT_BEFORE] -> [$H_PORT_AFTER]; $O saw nothing"
  echo "tunnel ping       : $rx/5 replies after the move"
  echo "lb capture (to)   : $(pcap_port_summary)"
  echo "----------------------------------------------------------------"
  echo "RESULT: PASS ($RESULT_TAG): the tunnel survived the client's move to $NEW and stayed on $H"
  exit 0
fi

# ---------------------------------------------------------------- off: the tunnel is lost
# Wait until the client has retransmitted its update at least once, so H had every chance to see it.
deadline=$((SECONDS + UPDATE_TIMEOUT))
# (charon logs MOBIKE retransmissions as "path probing attempt N", others as "retransmit N of request")
until since "$WORK/client/charon.log" "$c_off" | grep -Eq 'retransmit [0-9]+ of request|path probing attempt [2-9]'; do
  if since "$WORK/client/charon.log" "$c_off" | grep -Eq 'parsed INFORMATIONAL response [0-9]+'; then
    break   # answered: checked below
  fi
  [ $SECONDS -lt $deadline ] || fail "the client neither retransmitted nor got an answer to its update within ${UPDATE_TIMEOUT}s"
  sleep 0.3
done
rx=$(ping_tunnel "$NS_C" 3 2)
h_upd=$(since "$WORK/$H/charon.log" "$h_off" | grep -cE 'N\(UPD_SA_ADDR\)' || true)
h_rx=$(since "$WORK/$H/charon.log" "$h_off" | grep -cE 'received packet: from [0-9.]+\[[0-9]+\] to [0-9.]+\[4500\]' || true)
o_rx=$(since "$WORK/$O/charon.log" "$o_off" | grep -cE 'received packet: from [0-9.]+\[[0-9]+\] to [0-9.]+\[4500\]' || true)
c_ack=$(since "$WORK/client/charon.log" "$c_off" | grep -cE 'parsed INFORMATIONAL response [0-9]+' || true)
mapfile -t HOLDERS < <(sa_holders "srv1:$NS_S1" "srv2:$NS_S2")
log "after the move: pings $rx/3, $H parsed UPD_SA_ADDR $h_upd time(s) and received $h_rx packet(s) on 4500, $O received $o_rx packet(s) on 4500, client got $c_ack INFORMATIONAL response(s); SA holders: ${HOLDERS[*]:-none}"
if [ "$rx" -gt 0 ]; then
  fail "the tunnel survived the move with spi-routing off ($rx/3 pings): $NEW was expected to be balanced to $O"
fi
[ "$h_upd" -eq 0 ] || fail "$H received the client's UPDATE_SA_ADDRESSES although spi-routing is off and Maglev sends $NEW to $O"
[ "$c_ack" -eq 0 ] || fail "the client's MOBIKE update was answered although spi-routing is off"
where="vpnlb sent the roamed client's datagrams to $O ($o_rx received on 4500)"
[ "$o_rx" -ge 1 ] || where="no server received the roamed client's datagrams (vpnlb dropped them)"
vpnlb_final_checks
stop_tcpdump
echo "----------------------------------------------------------------"
echo "before the move   : client 10.99.1.2 -> IKE SA ${SPI_I}_i ${SPI_R}_r on $H (Maglev also predicts $H)"
echo "after the move    : client $NEW (Maglev: $O); $where"
echo "holder            : $H never saw the update (UPD_SA_ADDR 0x, 4500 packets $h_rx)"
echo "tunnel ping       : $rx/3 replies after the move (the tunnel is lost)"
echo "lb capture (to)   : $(pcap_port_summary)"
echo "----------------------------------------------------------------"
echo "RESULT: PASS ($RESULT_TAG): without SPI routing the client's move to $NEW lost the tunnel; $where"
exit 0
