#!/usr/bin/env bash
# Fault injection with real peers in network namespaces: members that die, stall and flap; vpnlb killed and
# restarted under strongSwan tunnels; a reload storm under traffic; a full socket buffer and a full session
# table. One scenario per run (the first argument).
#
# Topology: lib-netns.sh lib_topology_standard (client 10.99.1.2 + extra addresses 10.99.1.10-199 on c0, VIP
# 10.99.1.1 in lb, srv1 10.99.2.2, srv2 10.99.3.2), vpnlb with source NAT. The members are fault-peers.py
# responders (IKE-shaped, they name themselves in every answer), except in `restart` (strongSwan charons).
# Clients are fault-peers.py clients: each from its own address and port, an IKE_SA_INIT then INFORMATIONAL
# requests at a fixed rate, every answer counted and attributed to the member that sent it.
#
#   members  health check ike (interval 500ms, timeout 300ms, rise 2, fall 2)
#            1. kill: 20 clients at 20 requests/s; srv1's responder gets SIGKILL mid-run. vpnlb marks srv1
#               DOWN; every client that was on srv2 got an answer to every request; every client that was on
#               srv1 ends on srv2 with no loss after its first answer from srv2.
#            2. stall: srv1 runs again and is UP; srv2's responder gets SIGSTOP (its port stays open). vpnlb
#               marks srv2 DOWN; 20 new sessions (among them clients Maglev sent to srv2 in step 1) are all
#               answered, all by srv1. SIGCONT: srv2 UP again.
#            3. flap: 20 clients on both members; nftables in srv2 drops UDP 500 for 4 s, passes for 4 s, three
#               times. vpnlb logs DOWN and UP transitions of srv2 (counted, at least 2 of each), its
#               health-check failure counter moves, the clients that were on srv1 lose nothing, vpnlb runs.
#   restart  strongSwan client (dpd_delay 2s, dpd_action restart, mobike no) with a tunnel through vpnlb to
#            srv1/srv2 (charon); a ping runs through the tunnel every 200 ms. vpnlb gets SIGKILL and is started
#            again at once with the same configuration. The ping must answer again within RESTART_BOUND s of the
#            restart; printed: restart -> listening, restart -> first ping reply, and whether the client kept
#            its IKE SA. The restarted vpnlb reaches the member from a new source port (source NAT); the
#            member learns it from the client's next DPD (RFC 7296 2.23 NAT mapping update). With
#            VPNLBIT_RESTART_MOBIKE=yes the client negotiates MOBIKE, and then the member does not update the
#            port by itself (RFC 4555 leaves that to the client, which sees no change): its ESP keeps going to
#            the old port and the tunnel stays dead (known limitation, see RELIABILITY.md).
#   reload   two services: ikev2 (pool vpn: srv1 + srv2, never changed) and aux (UDP 7000 -> 500, pool aux).
#            Files A and B differ in aux's session-idle-timeout and in pool aux's members (srv1 | srv1 + srv2).
#            For 30 s, 4 reloads a second alternate A and B, by SIGHUP and POST /api/v1/reload in turn, while
#            20 clients send 20 requests/s each on ikev2 and 4 clients on aux. Every ikev2 request is answered;
#            every POST answers 200; vpnlb_config_reloads_total{result="applied"} grows by at least the number
#            of POSTs and rejected stays 0; the JVM's open files and threads before and after the storm differ by
#            at most 4; no LEAK report (paranoid leak detection); vpnlb still runs.
#   limits   ikev2 with max-sessions 24; 16 clients on UDP 4500 (NAT-T) established.
#            1. buffer: while the clients keep sending, vpnlb is held with SIGSTOP (for the burst and 0.5 s
#               more) and a burst of BURST datagrams of 1,400 bytes hits UDP 4500 from 4 sockets, far more than
#               the listener's receive buffers (4 MiB each) hold. The kernel's UDP RcvbufErrors in lb grows (the refusals); after
#               SIGCONT every client is answered again by its member, on its own session (sessions opened on
#               4500 = 16 + 4 burst sockets).
#            2. table: 20 new clients on UDP 500 while the 16 keep flowing: exactly 24 - 20 = 4 get a session,
#               the others are refused, each refused datagram counted in vpnlb_drops_total{reason=
#               "session_limit"}; the 16 established clients lose nothing.
#
# usage: faults.sh [--keep-logs DIR] members|restart|reload|limits VPNLB_JAR [JAVA_BIN]
# Exit: 0 pass, 1 fail, 2 usage, 77 skip (one line "SKIP: reason": not root, no network namespaces, no python3,
# no curl or nft where needed, no strongSwan for restart).
# Everything created (namespaces vpnlbit-<pid>-*, their veths, processes, the temp dir) is removed on exit.
set -euo pipefail

SH_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib-netns.sh
. "$SH_DIR/lib-netns.sh"
# shellcheck source=lib-faults.sh
. "$SH_DIR/lib-faults.sh"
USAGE="[--keep-logs DIR] members|restart|reload|limits VPNLB_JAR [JAVA_BIN]"
lib_args "$USAGE" "$@"
SCENARIO=$ARG_WORD
case "$SCENARIO" in members|restart|reload|limits) ;; *) echo "usage: $0 $USAGE" >&2; exit 2 ;; esac
RESULT_TAG="faults, $SCENARIO"

HARD_WAIT=20          # seconds: give up waiting for a log line or a state
RESTART_BOUND=${VPNLBIT_RESTART_BOUND:-45}   # seconds from vpnlb's restart to a tunnel ping answered
BURST=${VPNLBIT_BURST:-30000}
RESTART_MOBIKE=${VPNLBIT_RESTART_MOBIKE:-no}   # restart: the client's swanctl mobike setting (see the header)

# ---------------------------------------------------------------- prerequisites (nothing created yet)
if [ "$SCENARIO" = restart ]; then
  lib_require_strongswan
  # retransmissions (DPD included) start after 1 s and give up only after about a minute
  CHARON_EXTRA="  retransmit_timeout = 1.0
  retransmit_base = 1.4
  retransmit_tries = 8"
else
  [ "$(id -u)" = 0 ] || skip "needs root (network namespaces, veths); running as uid $(id -u)"
  lib_require_cmd ip iproute2
  lib_require_cmd ss iproute2
  lib_require_cmd timeout coreutils
  lib_require_python "the members and clients are fault-peers.py"
fi
[ "$SCENARIO" = reload ] && lib_require_cmd curl curl
[ "$SCENARIO" = members ] && lib_require_cmd nft nftables
lib_require_vpnlb

lib_init client lb srv1 srv2
dump_extra() {
  local f
  rm -f "$WORK/admin.token"     # not kept with --keep-logs
  for f in "$WORK"/member-*.log; do [ -f "$f" ] && { echo "---- $(basename "$f") (last 5 lines) ----"; tail -n 5 "$f"; }; done
  for f in "$WORK"/clients-*.txt; do
    [ -f "$f" ] || continue
    echo "---- $(basename "$f") (clients with losses, first 10) ----"
    awk '$1 == "client" { split($3, s, "="); split($4, a, "="); if (s[2] != a[2]) print }' "$f" | head -n 10
    tail -n 1 "$f"
  done
  echo "---- /metrics: member health ----"
  vpnlb_metrics "$ADMIN_LISTEN" | grep -E '^vpnlb_member_(health|health_check)' | head -n 20
  echo "---- /metrics: drops, sessions, datagrams ----"
  vpnlb_metrics "$ADMIN_LISTEN" | grep -E '^vpnlb_(drops_total|sessions_(opened_total|active)|listener_.x_datagrams_total|upstream_errors_total)' \
    | grep -v ' 0\.0$' | head -n 30
}

log "scenario=$SCENARIO namespaces=$P-{client,lb,srv1,srv2} work=$WORK"
lib_topology_standard
in_ns "$NS_LB" sysctl -qw net.ipv4.ip_forward=0
add_client_addresses 10 199
lib_topology_check

# wait_log FILE REGEX [AFTER_LINE] : polls until a line matching REGEX appears in FILE after line AFTER_LINE
# (default 0); sets LOG_LINE to it.
wait_log() {
  local file=$1 re=$2 after=${3:-0} deadline=$((SECONDS + HARD_WAIT))
  while :; do
    LOG_LINE=$(RE=$re awk -v n="$after" 'NR > n && $0 ~ ENVIRON["RE"] { print; exit }' "$file")
    [ -n "$LOG_LINE" ] && return 0
    [ $SECONDS -lt $deadline ] || fail "no log line /$re/ in $(basename "$file") within ${HARD_WAIT}s"
    sleep 0.1
  done
}
lines() { wc -l < "$1"; }
health_re() { echo "pool vpn member ${SRV_ADDR[$1]//./\\.}:0: health [A-Z]+ -> $2"; }
# losses FILE [FIRST_MEMBER] : "N/M" clients (whose first answer came from FIRST_MEMBER, or all) with
# sent != answered.
losses() {
  awk -v m="${2:-}" '$1 == "client" { split($3, s, "="); split($4, a, "="); split($5, f, "=")
      if (m != "" && f[2] != m) next; n++; if (s[2] != a[2]) bad++ } END { printf "%d/%d\n", bad, n }' "$1"
}

# ================================================================ members
scenario_members() {
  lib_require_python "the members and clients are fault-peers.py"
  vpnlb_yaml "$WORK/vpnlb.yaml" "" "    health-check: { type: ike, interval: 500ms, timeout: 300ms, rise: 2, fall: 2 }"
  start_member srv1 "$NS_S1" 10.99.2.2
  start_member srv2 "$NS_S2" 10.99.3.2
  start_vpnlb "$WORK/vpnlb.yaml"

  # ---- 1. kill
  log "kill: 20 clients for 10 s; srv1's responder gets SIGKILL after 4 s"
  # shellcheck disable=SC2046
  run_clients "$WORK/clients-kill.txt" 500 10 20 $(client_specs 10 29 40001) &
  local cpid=$! mark t_kill
  sleep 4
  mark=$(lines "$WORK/vpnlb.log")
  t_kill=$(now_ms)
  kill -KILL "${MEMBER_PID[srv1]}"
  wait "${MEMBER_PID[srv1]}" 2>/dev/null || true
  wait_log "$WORK/vpnlb.log" "$(health_re srv1 DOWN)" "$mark"
  KILL_DOWN_MS=$(($(vpnlb_log_ms "$LOG_LINE") - t_kill))
  wait "$cpid" || fail "kill: the clients failed"
  local on1 on2 bad
  on1=$(awk '$1 == "client" && $5 == "first=srv1"' "$WORK/clients-kill.txt" | wc -l)
  on2=$(awk '$1 == "client" && $5 == "first=srv2"' "$WORK/clients-kill.txt" | wc -l)
  [ "$on1" -gt 0 ] && [ "$on2" -gt 0 ] || fail "kill: clients per member srv1=$on1 srv2=$on2 (need both)"
  [ $((on1 + on2)) = 20 ] || fail "kill: only $((on1 + on2)) of 20 clients were answered at all"
  KILL_SURVIVOR_LOSS=$(losses "$WORK/clients-kill.txt" srv2)
  [ "${KILL_SURVIVOR_LOSS%/*}" = 0 ] || fail "kill: $KILL_SURVIVOR_LOSS clients of srv2 (the survivor) lost requests"
  bad=$(awk '$1 == "client" && $5 == "first=srv1" && ($6 != "last=srv2" || $8 != "lost_after_move=0")' \
    "$WORK/clients-kill.txt")
  [ -z "$bad" ] || fail "kill: clients of srv1 that did not move to srv2 without further loss: $(head -n 3 <<<"$bad")"
  KILL_MOVED_LOST=$(awk '$1 == "client" && $5 == "first=srv1" { split($3, s, "="); split($4, a, "="); l += s[2] - a[2] }
    END { print l + 0 }' "$WORK/clients-kill.txt")
  [ "$(metric vpnlb_member_health 'member="10.99.2.2' 'state="down"')" = 1 ] \
    || fail "kill: /metrics does not show srv1 down"
  log "kill: srv1 DOWN ${KILL_DOWN_MS} ms after SIGKILL; clients srv1=$on1 (moved, $KILL_MOVED_LOST requests lost" \
    "during the failover) srv2=$on2 (losses $KILL_SURVIVOR_LOSS)"
  KILL_ON1=$on1 KILL_ON2=$on2

  # ---- 2. stall
  mark=$(lines "$WORK/vpnlb.log")
  start_member srv1 "$NS_S1" 10.99.2.2
  wait_log "$WORK/vpnlb.log" "$(health_re srv1 UP)" "$mark"
  log "stall: srv1 UP again; SIGSTOP to srv2's responder"
  mark=$(lines "$WORK/vpnlb.log")
  local t_stop
  t_stop=$(now_ms)
  kill -STOP "${MEMBER_PID[srv2]}"
  wait_log "$WORK/vpnlb.log" "$(health_re srv2 DOWN)" "$mark"
  STALL_DOWN_MS=$(($(vpnlb_log_ms "$LOG_LINE") - t_stop))
  in_ns "$NS_S2" ss -Hulnp | grep -q '10.99.3.2:500 ' || fail "stall: srv2's port 500 is not open any more"
  # shellcheck disable=SC2046
  run_clients "$WORK/clients-stall.txt" 500 3 10 $(client_specs 10 29 41001)
  STALL_WRONG=$(awk '$1 == "client" && !($5 == "first=srv1" && $6 == "last=srv1")' "$WORK/clients-stall.txt" | wc -l)
  [ "$STALL_WRONG" = 0 ] || fail "stall: $STALL_WRONG new clients were not answered by srv1 alone while srv2 is DOWN"
  STALL_LOSS=$(losses "$WORK/clients-stall.txt")
  [ "${STALL_LOSS%/*}" = 0 ] || fail "stall: $STALL_LOSS new clients lost requests while srv2 is DOWN"
  mark=$(lines "$WORK/vpnlb.log")
  kill -CONT "${MEMBER_PID[srv2]}"
  wait_log "$WORK/vpnlb.log" "$(health_re srv2 UP)" "$mark"
  log "stall: srv2 DOWN ${STALL_DOWN_MS} ms after SIGSTOP; 20 new clients (${KILL_ON2} of them Maglev's for srv2)" \
    "all on srv1, losses $STALL_LOSS; srv2 UP after SIGCONT"

  # ---- 3. flap
  in_ns "$NS_S2" nft -f - <<'EOF'
table inet flap {
  chain input { type filter hook input priority 0; }
}
EOF
  local checks0 fail0 tdown0 tup0 downs ups i
  checks0=$(metric vpnlb_member_health_checks_total 'member="10.99.3.2')
  fail0=$(metric vpnlb_member_health_check_failures_total 'member="10.99.3.2')
  tdown0=$(metric vpnlb_member_health_transitions_total 'member="10.99.3.2' 'to="down"')
  tup0=$(metric vpnlb_member_health_transitions_total 'member="10.99.3.2' 'to="up"')
  mark=$(lines "$WORK/vpnlb.log")
  log "flap: 20 new clients for 26 s; srv2 drops UDP 500 4 s of every 8 s, three times"
  # shellcheck disable=SC2046
  run_clients "$WORK/clients-flap.txt" 500 26 10 $(client_specs 60 79 42001) &
  cpid=$!
  sleep 1
  for i in 1 2 3; do
    in_ns "$NS_S2" nft add rule inet flap input udp dport 500 drop
    sleep 4
    in_ns "$NS_S2" nft flush chain inet flap input
    sleep 4
  done
  wait "$cpid" || fail "flap: the clients failed"
  # The counters are read before and after the log (a transition is counted, then logged): a transition while
  # they are read moves only the later reading, unless it falls between its count and its log line
  # (microseconds; srv2 has been stable for seconds by now).
  local tdown1 tup1 tdown2 tup2
  tdown1=$(($(metric vpnlb_member_health_transitions_total 'member="10.99.3.2' 'to="down"') - tdown0))
  tup1=$(($(metric vpnlb_member_health_transitions_total 'member="10.99.3.2' 'to="up"') - tup0))
  downs=$(tail -n +"$((mark + 1))" "$WORK/vpnlb.log" | grep -cE "$(health_re srv2 DOWN)" || true)
  ups=$(tail -n +"$((mark + 1))" "$WORK/vpnlb.log" | grep -cE "$(health_re srv2 UP)" || true)
  tdown2=$(($(metric vpnlb_member_health_transitions_total 'member="10.99.3.2' 'to="down"') - tdown0))
  tup2=$(($(metric vpnlb_member_health_transitions_total 'member="10.99.3.2' 'to="up"') - tup0))
  [ "$tdown1" -le "$downs" ] && [ "$downs" -le "$tdown2" ] && [ "$tup1" -le "$ups" ] && [ "$ups" -le "$tup2" ] \
    || fail "flap: vpnlb_member_health_transitions_total of srv2 moved by down $tdown1..$tdown2, up $tup1..$tup2;" \
      "the log has $downs DOWN and $ups UP"
  FLAP_CHECKS=$(($(metric vpnlb_member_health_checks_total 'member="10.99.3.2') - checks0))
  FLAP_FAILS=$(($(metric vpnlb_member_health_check_failures_total 'member="10.99.3.2') - fail0))
  [ "$downs" -ge 2 ] && [ "$ups" -ge 2 ] || fail "flap: vpnlb logged $downs DOWN and $ups UP transitions of srv2 (expected >= 2 each)"
  [ "$FLAP_FAILS" -gt 0 ] || fail "flap: vpnlb_member_health_check_failures_total of srv2 did not move"
  local s1
  s1=$(awk '$1 == "client" && $5 == "first=srv1"' "$WORK/clients-flap.txt" | wc -l)
  [ "$s1" -gt 0 ] || fail "flap: no client was on srv1"
  FLAP_STABLE_LOSS=$(losses "$WORK/clients-flap.txt" srv1)
  [ "${FLAP_STABLE_LOSS%/*}" = 0 ] || fail "flap: $FLAP_STABLE_LOSS clients of the stable member srv1 lost requests"
  FLAP_DOWNS=$downs FLAP_UPS=$ups
  vpnlb_final_checks
  log "flap: $downs DOWN and $ups UP transitions, $FLAP_CHECKS checks of srv2 ($FLAP_FAILS failed);" \
    "srv1's clients losses $FLAP_STABLE_LOSS"

  echo "----------------------------------------------------------------"
  echo "kill    : srv1 DOWN ${KILL_DOWN_MS} ms after SIGKILL; $KILL_ON1 clients moved to srv2 ($KILL_MOVED_LOST" \
    "requests lost in the failover, none after), $KILL_ON2 clients of srv2 lost nothing ($KILL_SURVIVOR_LOSS with losses)"
  echo "stall   : srv2 DOWN ${STALL_DOWN_MS} ms after SIGSTOP (port open); 20 new clients all on srv1, losses $STALL_LOSS"
  echo "flap    : 3 cycles of 4 s: $FLAP_DOWNS DOWN + $FLAP_UPS UP transitions, $FLAP_FAILS of $FLAP_CHECKS checks" \
    "failed; stable member's clients with losses $FLAP_STABLE_LOSS"
  echo "----------------------------------------------------------------"
  echo "RESULT: PASS ($RESULT_TAG): killed, stalled and flapping members are taken out; other clients lose nothing"
}

# ================================================================ restart
scenario_restart() {
  local jvm old_spi_i old_spi_r holders h t_kill t_start t_listen t_ping deadline ping_pid rx kept
  vpnlb_yaml "$WORK/vpnlb.yaml"
  mkconf srv1; psk_server_conf srv1 10.99.2.2 10.99.100.0/24
  mkconf srv2; psk_server_conf srv2 10.99.3.2 10.99.101.0/24
  mkconf client; psk_client_conf client client "dpd_delay = 2s
    mobike = $RESTART_MOBIKE"
  # a dead peer restarts the CHILD_SA instead of dropping it
  sed -i 's/esp_proposals = aes128-sha256 } }/esp_proposals = aes128-sha256\n                     dpd_action = restart } }/' \
    "$WORK/client/swanctl/swanctl.conf"
  start_charon srv1 "$NS_S1"
  start_charon srv2 "$NS_S2"
  start_charon client "$NS_C"
  start_vpnlb "$WORK/vpnlb.yaml"
  jvm=$(vpnlb_jvm "$WORK/vpnlb.log")
  initiate client "$NS_C" net "$WORK/initiate.out" \
    || fail "swanctl --initiate failed: $(grep -m1 -E 'failed|error' "$WORK/initiate.out" || tail -n 1 "$WORK/initiate.out")"
  wait_client_sa client "$NS_C" 20
  old_spi_i=$SPI_I old_spi_r=$SPI_R
  rx=$(ping_tunnel "$NS_C" 3 3)
  [ "$rx" -ge 1 ] || fail "no reply to ping 10.99.200.1 through the tunnel before the restart"
  mapfile -t holders < <(sa_holders "srv1:$NS_S1" "srv2:$NS_S2")
  [ "${#holders[@]}" = 1 ] || fail "expected one server to hold the client's SA, found ${holders[*]:-none}"
  h=${holders[0]}
  log "restart: tunnel up (IKE SA ${SPI_I}_i ${SPI_R}_r on $h, $rx/3 pings); a ping every 200 ms from now on"

  in_ns "$NS_C" ping -D -n -i 0.2 -W 1 10.99.200.1 >"$WORK/ping.txt" 2>&1 </dev/null &
  ping_pid=$!; BG_PIDS+=("$ping_pid")
  sleep 2
  t_kill=$(now_ms)
  kill -KILL "$jvm"
  wait "$VPNLB_PID" 2>/dev/null || true
  ! kill -0 "$jvm" 2>/dev/null || fail "vpnlb (pid $jvm) still runs after SIGKILL"
  t_start=$(now_ms)
  log "restart: vpnlb SIGKILLed; starting it again"
  start_vpnlb "$WORK/vpnlb.yaml" "$WORK/vpnlb-2.log"
  t_listen=$(now_ms)
  deadline=$((SECONDS + RESTART_BOUND))
  t_ping=""
  until [ -n "$t_ping" ]; do
    t_ping=$(awk -v after="$t_start" '/bytes from/ { gsub(/[\[\]]/, "", $1); ms = $1 * 1000; if (ms > after) { printf "%.0f\n", ms; exit } }' \
      "$WORK/ping.txt")
    [ -n "$t_ping" ] && break
    [ $SECONDS -lt $deadline ] || fail "no tunnel ping answered within ${RESTART_BOUND}s of vpnlb's restart"
    sleep 0.2
  done
  kill "$ping_pid" 2>/dev/null || true
  wait "$ping_pid" 2>/dev/null || true
  wait_client_sa client "$NS_C" 20
  if [ "$SPI_I/$SPI_R" = "$old_spi_i/$old_spi_r" ]; then kept="kept its IKE SA"; else kept="re-established (IKE SA ${SPI_I}_i ${SPI_R}_r)"; fi
  rx=$(ping_tunnel "$NS_C" 5 3)
  [ "$rx" -ge 4 ] || fail "only $rx of 5 pings through the tunnel after the restart"
  RESTART_LISTEN_MS=$((t_listen - t_start)) RESTART_PING_MS=$((t_ping - t_start)) RESTART_OUTAGE_MS=$((t_ping - t_kill))
  VPNLB_PID=$VPNLB_PID vpnlb_final_checks "$WORK/vpnlb-2.log"
  vpnlb_log_checks "$WORK/vpnlb.log"
  log "restart: listening ${RESTART_LISTEN_MS} ms and first ping reply ${RESTART_PING_MS} ms after the restart; client $kept"

  echo "----------------------------------------------------------------"
  echo "restart : vpnlb SIGKILLed and started again at once; listening after ${RESTART_LISTEN_MS} ms," \
    "first tunnel ping reply after ${RESTART_PING_MS} ms (${RESTART_OUTAGE_MS} ms after the kill)"
  echo "client  : $kept (dpd_delay 2s), $rx/5 pings after; SA on $h before the restart"
  echo "----------------------------------------------------------------"
  echo "RESULT: PASS ($RESULT_TAG): tunnel answers again ${RESTART_PING_MS} ms after vpnlb's restart"
}

# ================================================================ reload
# reload_yaml FILE IDLE_TIMEOUT AUX_MEMBER... : ikev2 (pool vpn: srv1 + srv2) and aux (UDP 7000 -> member port
# 500, pool aux with the given members, session-idle-timeout IDLE_TIMEOUT) on the VIP.
reload_yaml() {
  local file=$1 idle=$2 m; shift 2
  {
    cat <<EOF
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
    persistence: { scope: service, timeout: 10m }
    session-idle-timeout: 5m
  - name: aux
    type: udp
    listen: 10.99.1.1
    ports: ["7000:500"]
    pool: aux
    persistence: { scope: service, timeout: 10m }
    session-idle-timeout: $idle
pools:
  - name: vpn
    members:
      - { address: 10.99.2.2 }
      - { address: 10.99.3.2 }
  - name: aux
    members:
EOF
    for m in "$@"; do echo "      - { address: $m }"; done
  } >"$file"
}
scenario_reload() {
  local jvm cpid apid i posts=0 hups=0 code fds0 fds1 thr0 thr1 heap0 heap1 applied0 rejected0 applied rejected
  local storm=30 per_second=4
  reload_yaml "$WORK/a.yaml" 30s 10.99.2.2
  reload_yaml "$WORK/b.yaml" 45s 10.99.2.2 10.99.3.2
  cp "$WORK/a.yaml" "$WORK/vpnlb.yaml"
  start_member srv1 "$NS_S1" 10.99.2.2
  start_member srv2 "$NS_S2" 10.99.3.2
  start_vpnlb "$WORK/vpnlb.yaml"
  jvm=$(vpnlb_jvm "$WORK/vpnlb.log")
  heap0=$(heap_after_gc "$jvm")
  log "reload: 20 ikev2 clients (20/s each) and 4 aux clients (10/s each) for $((storm + 5)) s"
  # shellcheck disable=SC2046
  run_clients "$WORK/clients-ikev2.txt" 500 $((storm + 5)) 20 $(client_specs 10 29 45001) &
  cpid=$!
  # shellcheck disable=SC2046
  run_clients "$WORK/clients-aux.txt" 7000 $((storm + 5)) 10 $(client_specs 150 153 45001) &
  apid=$!
  sleep 2
  fds0=$(proc_fds "$jvm") thr0=$(proc_threads "$jvm")
  applied0=$(metric vpnlb_config_reloads_total 'result="applied"')
  rejected0=$(metric vpnlb_config_reloads_total 'result="rejected"')
  log "reload: storm of $per_second reloads a second for $storm s (files A/B, SIGHUP and POST in turn)"
  local t0 t_end now_t due i=0
  t0=$(now_ms) t_end=$(($(now_ms) + storm * 1000))
  while [ "$(now_ms)" -lt "$t_end" ]; do
    i=$((i + 1))
    if [ $((i % 2)) = 1 ]; then cp "$WORK/b.yaml" "$WORK/next.yaml"; else cp "$WORK/a.yaml" "$WORK/next.yaml"; fi
    mv -f "$WORK/next.yaml" "$WORK/vpnlb.yaml"
    if [ $((i % 4)) -lt 2 ]; then
      kill -HUP "$jvm"; hups=$((hups + 1))
    else
      code=$(admin POST /api/v1/reload -o /dev/null | tail -n1)
      [ "$code" = 200 ] || fail "reload: POST /api/v1/reload answered $code (reload $i)"
      posts=$((posts + 1))
    fi
    # the next reload is due at t0 + i/per_second s; sleep only what is left of that
    now_t=$(now_ms) due=$((t0 + i * 1000 / per_second))
    [ "$due" -le "$now_t" ] || sleep "$(printf '0.%03d' $((due - now_t)))"
  done
  STORM_S=$(( ($(now_ms) - t0) / 1000 ))
  sleep 1
  fds1=$(proc_fds "$jvm") thr1=$(proc_threads "$jvm")
  wait "$cpid" || fail "reload: the ikev2 clients failed"
  wait "$apid" || fail "reload: the aux clients failed"
  heap1=$(heap_after_gc "$jvm")
  applied=$(($(metric vpnlb_config_reloads_total 'result="applied"') - applied0))
  rejected=$(($(metric vpnlb_config_reloads_total 'result="rejected"') - rejected0))
  RELOAD_LOSS=$(losses "$WORK/clients-ikev2.txt")
  RELOAD_SENT=$(sed -nE 's/^total sent=([0-9]+) .*/\1/p' "$WORK/clients-ikev2.txt")
  AUX_TOTAL=$(tail -n1 "$WORK/clients-aux.txt")
  log "reload: $hups SIGHUP + $posts POST; applied $applied, rejected $rejected; fds $fds0 -> $fds1, threads" \
    "$thr0 -> $thr1, heap after GC $heap0 -> $heap1 bytes; ikev2 clients with losses $RELOAD_LOSS; aux $AUX_TOTAL"
  [ "$rejected" = 0 ] || fail "reload: $rejected reloads were rejected (both files are valid)"
  [ "$applied" -ge "$posts" ] || fail "reload: only $applied reloads applied for $posts POSTs and $hups SIGHUPs"
  if grep -q 'reload on SIGHUP failed' "$WORK/vpnlb.log"; then
    fail "reload: a SIGHUP reload failed: $(grep -m1 -A3 'reload on SIGHUP failed' "$WORK/vpnlb.log")"
  fi
  [ "${RELOAD_LOSS%/*}" = 0 ] || fail "reload: $RELOAD_LOSS ikev2 clients (unchanged service) lost requests during the storm"
  [ $((fds1 - fds0)) -le 4 ] && [ $((fds0 - fds1)) -le 4 ] || fail "reload: open files of vpnlb went from $fds0 to $fds1"
  [ $((thr1 - thr0)) -le 4 ] && [ $((thr0 - thr1)) -le 4 ] || fail "reload: threads of vpnlb went from $thr0 to $thr1"
  vpnlb_final_checks

  echo "----------------------------------------------------------------"
  echo "storm   : $((hups + posts)) reloads in $STORM_S s ($hups SIGHUP, $posts POST, all 200), alternating files A/B" \
    "(aux: idle timeout 30s/45s, pool aux 1/2 members); reloads applied $applied, rejected $rejected"
  echo "ikev2   : unchanged service, 20 clients: $RELOAD_SENT requests, clients with losses $RELOAD_LOSS"
  echo "aux     : changed service, 4 clients: $AUX_TOTAL"
  echo "vpnlb   : open files $fds0 -> $fds1, threads $thr0 -> $thr1, heap after GC $heap0 -> $heap1 bytes, no LEAK report"
  echo "----------------------------------------------------------------"
  echo "RESULT: PASS ($RESULT_TAG): $((hups + posts)) reloads under traffic, no request lost on the unchanged service"
}

# ================================================================ limits
scenario_limits() {
  local max=24 est=16 cpid jvm rcv0 rcv1 rx0 rx1 opened bad newcomers admitted refused_sent drops0 drops
  vpnlb_yaml "$WORK/vpnlb.yaml" "    max-sessions: $max"
  start_member srv1 "$NS_S1" 10.99.2.2
  start_member srv2 "$NS_S2" 10.99.3.2
  start_vpnlb "$WORK/vpnlb.yaml"
  jvm=$(vpnlb_jvm "$WORK/vpnlb.log")
  local specs
  specs=$(client_specs 10 $((10 + est - 1)) 43001)
  # shellcheck disable=SC2086
  run_clients "$WORK/clients-established.txt" 4500 3 10 $specs
  [ "$(losses "$WORK/clients-established.txt")" = "0/$est" ] \
    || fail "buffer: the $est clients did not all get every answer before the burst"
  declare -A MEMBER_OF=()
  while read -r c m; do MEMBER_OF[$c]=$m; done < <(client_field "$WORK/clients-established.txt" first)

  # ---- 1. buffer
  log "buffer: $est clients keep sending on 4500; vpnlb held (SIGSTOP) while $BURST datagrams of 1,400 bytes arrive"
  # shellcheck disable=SC2086
  run_clients "$WORK/clients-burst.txt" 4500 8 20 $specs &
  cpid=$!
  sleep 2
  rcv0=$(udp_rcvbuf_errors "$NS_LB")
  rx0=$(metric vpnlb_listener_rx_datagrams_total 'listener="ikev2/4500"')
  kill -STOP "$jvm"
  in_ns "$NS_C" timeout 60 "$PYTHON" "$FAULT_PEERS" burst 10.99.1.1 4500 10.99.1.199 --count "$BURST" --sockets 4 \
    >"$WORK/burst.txt" 2>&1 || { kill -CONT "$jvm"; fail "burst sender failed: $(cat "$WORK/burst.txt")"; }
  sleep 0.5
  kill -CONT "$jvm"
  wait "$cpid" || fail "buffer: the clients failed"
  # shellcheck disable=SC2086
  run_clients "$WORK/clients-after.txt" 4500 3 10 $specs
  rcv1=$(udp_rcvbuf_errors "$NS_LB")
  rx1=$(metric vpnlb_listener_rx_datagrams_total 'listener="ikev2/4500"')
  BUF_REFUSED=$((rcv1 - rcv0)) BUF_RX=$((rx1 - rx0))
  BUF_LOSS=$(awk '$1 == "client" { split($3, s, "="); split($4, a, "="); l += s[2] - a[2]; n += s[2] } END { printf "%d of %d", l, n }' \
    "$WORK/clients-burst.txt")
  [ "$BUF_REFUSED" -gt 0 ] || fail "buffer: the kernel refused no datagram (UDP RcvbufErrors did not grow): the burst did not fill the buffers"
  [ "$(losses "$WORK/clients-after.txt")" = "0/$est" ] || fail "buffer: after the burst, clients lost requests: $(losses "$WORK/clients-after.txt")"
  bad=$(client_field "$WORK/clients-after.txt" last | while read -r c m; do [ "$m" = "${MEMBER_OF[$c]}" ] || echo "$c:$m"; done)
  [ -z "$bad" ] || fail "buffer: clients answered by another member after the burst: $bad"
  opened=$(metric vpnlb_sessions_opened_total 'listener="ikev2/4500"')
  [ "$opened" = $((est + 4)) ] \
    || fail "buffer: $opened sessions opened on 4500, expected $est clients + 4 burst sockets (an established session was lost)"
  log "buffer: $(cat "$WORK/burst.txt"); kernel refused $BUF_REFUSED (RcvbufErrors), vpnlb read $BUF_RX;" \
    "clients lost $BUF_LOSS requests during the burst, none after; sessions opened on 4500: $opened"

  # ---- 2. table
  newcomers=20
  drops0=$(metric vpnlb_drops_total 'listener="ikev2/500"' 'reason="session_limit"')
  log "table: $newcomers new clients on 500 while $((est + 4)) of $max sessions are taken; the $est keep sending"
  # shellcheck disable=SC2086
  run_clients "$WORK/clients-table-est.txt" 4500 5 10 $specs &
  cpid=$!
  # shellcheck disable=SC2046
  run_clients "$WORK/clients-newcomers.txt" 500 3 2 $(client_specs 100 $((100 + newcomers - 1)) 44001)
  wait "$cpid" || fail "table: the established clients failed"
  drops=$(($(metric vpnlb_drops_total 'listener="ikev2/500"' 'reason="session_limit"') - drops0))
  admitted=$(awk '$1 == "client" && $4 != "answered=0"' "$WORK/clients-newcomers.txt" | wc -l)
  refused_sent=$(awk '$1 == "client" && $4 == "answered=0" { split($3, s, "="); n += s[2] } END { print n + 0 }' \
    "$WORK/clients-newcomers.txt")
  [ "$admitted" = $((max - est - 4)) ] || fail "table: $admitted new clients got a session, expected $((max - est - 4))"
  [ "$(losses "$WORK/clients-newcomers.txt" | cut -d/ -f1)" = $((newcomers - admitted)) ] \
    || fail "table: an admitted new client lost requests: $(losses "$WORK/clients-newcomers.txt")"
  [ "$drops" = "$refused_sent" ] \
    || fail "table: vpnlb_drops_total{reason=\"session_limit\"} grew by $drops, the refused clients sent $refused_sent"
  [ "$(losses "$WORK/clients-table-est.txt")" = "0/$est" ] \
    || fail "table: established clients lost requests while the table was full: $(losses "$WORK/clients-table-est.txt")"
  [ "$(metric vpnlb_sessions_active 'service="ikev2"')" = "$max" ] \
    || fail "table: vpnlb_sessions_active is $(metric vpnlb_sessions_active 'service="ikev2"'), expected $max"
  vpnlb_final_checks
  log "table: $admitted admitted, $((newcomers - admitted)) refused; session_limit drops $drops = datagrams they sent"

  echo "----------------------------------------------------------------"
  echo "buffer  : vpnlb stopped for the burst; $(cat "$WORK/burst.txt"); kernel refused $BUF_REFUSED datagrams" \
    "(UDP RcvbufErrors); $est established clients lost $BUF_LOSS requests during it, 0 after, same members"
  echo "table   : max-sessions $max with $((est + 4)) taken: $admitted of $newcomers new clients admitted;" \
    "$drops session_limit drops (= datagrams of the refused clients); established clients lost 0"
  echo "----------------------------------------------------------------"
  echo "RESULT: PASS ($RESULT_TAG): refusals counted, established sessions keep flowing"
}

case "$SCENARIO" in
  members) scenario_members ;;
  restart) scenario_restart ;;
  reload) scenario_reload ;;
  limits) scenario_limits ;;
esac
exit 0
