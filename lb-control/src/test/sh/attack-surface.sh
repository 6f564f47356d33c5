#!/usr/bin/env bash
# Attack surface of a running vpnlb, seen from a client network: what answers on the VIP, what the admin API
# lets through, and whether any secret leaks into the log or the admin API's answers.
#
# Topology: lib-netns.sh lib_topology_standard (client 10.99.1.2, VIP 10.99.1.1 in lb, srv1 10.99.2.2, srv2
# 10.99.3.2; the members are fault-peers.py responders). vpnlb serves
#   ikev2  UDP 500 + 4500 on the VIP -> pool vpn
#   sstp   TCP 443 on the VIP, TLS terminated with a .pfx whose password is in a password file -> member port 80
#   echo   TCP 8443 on the VIP, TLS terminated with the same .pfx -> member port 7 (the members echo TCP there)
#   admin  127.0.0.1:19090 in lb (the default: loopback), bearer token generated into the work dir
# The certificate's private key, the .pfx password and the admin token are random per run.
#
# Checks:
#   1. nmap from the client namespace: a TCP connect scan of every port of the VIP finds exactly 443 and 8443
#      open; a UDP
#      scan of a bounded list (500, 4500, 443, the admin port, the local ports of vpnlb's other UDP sockets,
#      toward the members and for health checks, and 53, 67-69, 123, 137, 161, 514, 1194, 1701, 5000-5100,
#      9090, 10500, 10501) finds every port closed except 500 and 4500. The admin port does not answer on the VIP (curl is refused), and in lb only
#      127.0.0.1 listens on it.
#   2. Secrets: the token, the .pfx password and the private key (each base-64 line of its PKCS#8 PEM, and its
#      private exponent in hex) appear nowhere in: the vpnlb log, GET /, /healthz, /readyz, /metrics,
#      /api/v1/openapi.json, /services, /pools, /pools/vpn/members, /persistence, /certificates, POST /reload
#      (applied), answers to a wrong token (401) and to an invalid PATCH (422), a reload of a file whose
#      password file holds a wrong password (rejected: the answer and the log must not show either password),
#      and the output of `vpnlb status` and `vpnlb check` on that file (which must report the wrong password). /certificates must list the
#      certificate (subject CN), so the grep would see a leak in it. A TLS connection to the echo service
#      opened before that rejected reload still echoes after it (a rejected reload changes nothing).
#   3. Wrong-token rate limit (step 2 sent its wrong token from 127.0.0.3): 20 wrong tokens from 127.0.0.1 get 401; then even the right token gets 429 (with
#      Retry-After) from 127.0.0.1, while 127.0.0.2 still gets 200 with it; 20 wrong tokens from 127.0.0.2
#      lock that address out too.
#   vpnlb still runs at the end and reported no leak.
# TLS cipher grading (nmap ssl-enum-ciphers) is SstpTerminateIT's (lb-dataplane), not repeated here.
#
# usage: attack-surface.sh [--keep-logs DIR] scan VPNLB_JAR [JAVA_BIN]
# Exit: 0 pass, 1 fail, 2 usage, 77 skip (one line "SKIP: reason": not root, no network namespaces, no python3,
# nmap, curl or openssl).
# Everything created (namespaces vpnlbit-<pid>-*, their veths, processes, the temp dir) is removed on exit.
set -euo pipefail

SH_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib-netns.sh
. "$SH_DIR/lib-netns.sh"
# shellcheck source=lib-faults.sh
. "$SH_DIR/lib-faults.sh"
USAGE="[--keep-logs DIR] scan VPNLB_JAR [JAVA_BIN]"
lib_args "$USAGE" "$@"
[ "$ARG_WORD" = scan ] || { echo "usage: $0 $USAGE" >&2; exit 2; }
RESULT_TAG="attack surface"
VIP=10.99.1.1
ADMIN_PORT=${ADMIN_LISTEN##*:}

# ---------------------------------------------------------------- prerequisites (nothing created yet)
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, veths, nmap); running as uid $(id -u)"
lib_require_cmd ip iproute2
lib_require_cmd ss iproute2
lib_require_cmd timeout coreutils
lib_require_cmd nmap nmap
lib_require_cmd curl curl
lib_require_cmd openssl openssl
lib_require_python "the members are fault-peers.py"
lib_require_vpnlb

lib_init client lb srv1 srv2
dump_extra() {
  local f
  # the secrets of this run are not kept with --keep-logs
  rm -f "$WORK/admin.token" "$WORK"/*.pass "$WORK"/*.pfx "$WORK"/*.key "$WORK"/secrets.txt
  for f in "$WORK"/nmap-*.txt; do [ -f "$f" ] && { echo "---- $(basename "$f") ----"; grep -vE '^#' "$f" | head -n 20; }; done
}

log "namespaces=$P-{client,lb,srv1,srv2} work=$WORK"
lib_topology_standard
in_ns "$NS_LB" sysctl -qw net.ipv4.ip_forward=0
# closed UDP ports answer with ICMP port unreachable at once (nmap tells closed from open|filtered by it)
in_ns "$NS_LB" sysctl -qw net.ipv4.icmp_ratelimit=0
lib_topology_check

# ---------------------------------------------------------------- secrets of this run
PFX_PASS="pfx-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
WRONG_PASS="wrong-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/vpn.key" -out "$WORK/vpn.crt" -days 30 \
  -subj "/CN=vpn.attack-surface.test" >/dev/null 2>&1 || fail "openssl could not make the certificate"
openssl pkcs12 -export -in "$WORK/vpn.crt" -inkey "$WORK/vpn.key" -out "$WORK/vpn.pfx" \
  -passout "pass:$PFX_PASS" >/dev/null 2>&1 || fail "openssl could not make the .pfx"
printf '%s\n' "$PFX_PASS" >"$WORK/vpn.pass"
printf '%s\n' "$WRONG_PASS" >"$WORK/wrong.pass"
chmod 600 "$WORK"/*.pass "$WORK/vpn.key"
# key material: every full base-64 line of the PKCS#8 PEM, and the private exponent in hex
grep -vE '^-----' "$WORK/vpn.key" | awk 'length($0) == 64' >"$WORK/secrets.txt"
openssl rsa -in "$WORK/vpn.key" -noout -text 2>/dev/null \
  | awk '/^privateExponent:/ { on = 1; next } /^[a-zA-Z]/ { on = 0 } on' | tr -d ' \n:' | cut -c3-42 >>"$WORK/secrets.txt"
echo >>"$WORK/secrets.txt"
printf '%s\n%s\n' "$PFX_PASS" "$WRONG_PASS" >>"$WORK/secrets.txt"
sed -i '/^$/d' "$WORK/secrets.txt"
[ "$(wc -l < "$WORK/secrets.txt")" -ge 20 ] || fail "could not collect the key material to look for ($(wc -l < "$WORK/secrets.txt") lines)"

# listening NS SS_OPTIONS : local addresses of the sockets ss lists, IPv4-mapped ones as plain IPv4
listening() { in_ns "$1" ss "$2" | awk '{ print $4 }' | sed -E 's/^\[::ffff:([0-9.]+)\]/\1/'; }
# attack_yaml FILE PASSWORD_FILE
attack_yaml() {
  cat >"$1" <<EOF
transport: auto
admin:
  listen: $ADMIN_LISTEN
  token-file: $WORK/admin.token
services:
  - name: ikev2
    type: ikev2
    listen: $VIP
    ports: [500, 4500]
    pool: vpn
  - name: sstp
    type: sstp
    listen: $VIP
    ports: ["443:80"]
    pool: vpn
    tls:
      mode: terminate
      certificate: $WORK/vpn.pfx
      password-file: $2
  - name: echo
    type: tcp
    listen: $VIP
    ports: ["8443:7"]
    pool: vpn
    tls:
      mode: terminate
      certificate: $WORK/vpn.pfx
      password-file: $2
pools:
  - name: vpn
    members:
      - { address: 10.99.2.2 }
      - { address: 10.99.3.2 }
EOF
}
attack_yaml "$WORK/good.yaml" "$WORK/vpn.pass"
attack_yaml "$WORK/wrong.yaml" "$WORK/wrong.pass"
cp "$WORK/good.yaml" "$WORK/vpnlb.yaml"

MEMBER_TCP_ECHO=7 start_member srv1 "$NS_S1" 10.99.2.2
MEMBER_TCP_ECHO=7 start_member srv2 "$NS_S2" 10.99.3.2
start_vpnlb "$WORK/vpnlb.yaml"
JVM=$(vpnlb_jvm "$WORK/vpnlb.log")
deadline=$((SECONDS + 20))
until listening "$NS_LB" -Hltn | grep -qx "$VIP:443"; do
  [ $SECONDS -lt $deadline ] || fail "vpnlb does not listen on TCP $VIP:443"
  sleep 0.2
done
printf '%s\n' "$(cat "$WORK/admin.token")" >>"$WORK/secrets.txt"
TOKEN=$(cat "$WORK/admin.token")
[ ${#TOKEN} -ge 16 ] || fail "the generated admin token is only ${#TOKEN} characters"
# some traffic, so that sessions, persistence entries and counters exist in what the API shows
run_clients "$WORK/clients.txt" 500 2 5 10.99.1.2:46001

# ---------------------------------------------------------------- 1. scans
log "scan: TCP connect scan of every port of $VIP from the client namespace"
in_ns "$NS_C" timeout 300 nmap -n -Pn -sT -p- --min-rate 3000 --max-retries 1 "$VIP" -oG "$WORK/nmap-tcp.txt" >/dev/null \
  || fail "nmap TCP scan failed"
TCP_OPEN=$(grep -oE '[0-9]+/open/tcp' "$WORK/nmap-tcp.txt" | cut -d/ -f1 | sort -n | paste -sd' ' || true)
grep -q 'Ports:\|Ignored State' "$WORK/nmap-tcp.txt" || fail "nmap TCP scan gave no port states"
[ "$TCP_OPEN" = "443 8443" ] || fail "TCP ports open on the VIP: '${TCP_OPEN}', expected only 443 8443"

# every other UDP socket of vpnlb (the sessions' sockets toward the members, health checks): its local port
UPSTREAM=$(in_ns "$NS_LB" ss -Huanp | grep -F "pid=$JVM," | awk '{ print $4 }' \
  | sed -E 's/^\[::ffff:([0-9.]+)\]/\1/; s/.*:([0-9]+)$/\1/' | grep -vxE '500|4500' | sort -un | paste -sd, || true)
[ -n "$UPSTREAM" ] || fail "vpnlb holds no UDP socket toward the members although a client has a session"
UDP_PORTS="53,67-69,123,137,161,443,500,514,1194,1701,4500,5000-5100,9090,10500,10501,$ADMIN_PORT${UPSTREAM:+,$UPSTREAM}"
log "scan: UDP scan of $VIP ports $UDP_PORTS"
in_ns "$NS_C" timeout 300 nmap -n -Pn -sU -p "$UDP_PORTS" --max-retries 2 "$VIP" -oG "$WORK/nmap-udp.txt" >/dev/null \
  || fail "nmap UDP scan failed"
UDP_NOT_CLOSED=$(awk '/Ports:/' "$WORK/nmap-udp.txt" | tr ',' '\n' | grep -oE '[0-9]+/(open|open\|filtered|filtered)/udp' \
  | cut -d/ -f1 | sort -n | paste -sd' ' || true)
UDP_CLOSED=$(awk '/Ports:/' "$WORK/nmap-udp.txt" | tr ',' '\n' | grep -cE '/closed/udp' || true)
# with many closed ports nmap folds them into "Ignored State: closed (N)"
UDP_IGNORED=$(sed -nE 's/.*Ignored State: closed \(([0-9]+)\).*/\1/p' "$WORK/nmap-udp.txt" | head -n1)
[ "$UDP_NOT_CLOSED" = "500 4500" ] || fail "UDP ports not closed on the VIP: '$UDP_NOT_CLOSED', expected 500 4500"
UDP_CLOSED=$((UDP_CLOSED + ${UDP_IGNORED:-0}))

ADMIN_ON_VIP=$(in_ns "$NS_C" curl -s -m 5 -o /dev/null -w '%{http_code}' "http://$VIP:$ADMIN_PORT/healthz" || true)
[ "$ADMIN_ON_VIP" = 000 ] || fail "the admin port answers on the VIP (HTTP $ADMIN_ON_VIP)"
ADMIN_BINDS=$(listening "$NS_LB" -Hltn | grep -E ":$ADMIN_PORT\$" | paste -sd' ' || true)
[ "$ADMIN_BINDS" = "$ADMIN_LISTEN" ] || fail "the admin port is bound on '$ADMIN_BINDS', expected only $ADMIN_LISTEN"
log "scan: TCP open: $TCP_OPEN; UDP not closed: $UDP_NOT_CLOSED ($UDP_CLOSED closed, upstream ports ${UPSTREAM:-none});" \
  "admin only on $ADMIN_BINDS"

# ---------------------------------------------------------------- 2. secrets
mkdir -p "$WORK/out"
get() { # NAME PATH [curl args]: body and status to $WORK/out/NAME
  local name=$1 path=$2; shift 2
  in_ns "$NS_LB" curl -sS -m 10 -w '\n%{http_code}\n' "$@" "http://$ADMIN_LISTEN$path" >"$WORK/out/$name" 2>&1 || true
}
AUTH=(-H "Authorization: Bearer $TOKEN")
get status-page /
get healthz /healthz
get readyz /readyz
get metrics /metrics
get openapi /api/v1/openapi.json
get services /api/v1/services "${AUTH[@]}"
get pools /api/v1/pools "${AUTH[@]}"
get members /api/v1/pools/vpn/members "${AUTH[@]}"
get persistence /api/v1/persistence "${AUTH[@]}"
get certificates /api/v1/certificates "${AUTH[@]}"
get reload-applied /api/v1/reload -X POST "${AUTH[@]}"
get wrong-token /api/v1/services -H "Authorization: Bearer not-the-token" --interface 127.0.0.3
get bad-patch /api/v1/pools/vpn/members/10.99.2.2 -X PATCH "${AUTH[@]}" -H 'Content-Type: application/json' \
  --data '{"weight": 5000, "admin_state": "sideways"}'
in_ns "$NS_C" timeout 90 "$PYTHON" -u "$FAULT_PEERS" tls-hold "$VIP" 8443 --hold-file "$WORK/hold" \
  >"$WORK/tls-hold.txt" 2>&1 </dev/null &
HOLD=$!; BG_PIDS+=("$HOLD")
deadline=$((SECONDS + 20))
until grep -q 'first ok' "$WORK/tls-hold.txt"; do
  kill -0 "$HOLD" 2>/dev/null || fail "the TLS echo client failed before the reload: $(cat "$WORK/tls-hold.txt")"
  [ $SECONDS -lt $deadline ] || fail "the TLS echo client got no echo within 20 s"
  sleep 0.2
done
cp "$WORK/wrong.yaml" "$WORK/vpnlb.yaml"
get reload-wrong-password /api/v1/reload -X POST "${AUTH[@]}"
cp "$WORK/good.yaml" "$WORK/vpnlb.yaml"
touch "$WORK/hold"
HOLD_RC=0; wait "$HOLD" || HOLD_RC=$?
[ "$HOLD_RC" = 0 ] || fail "a TLS connection opened before the rejected reload did not survive it: $(tail -n1 "$WORK/tls-hold.txt")"
in_ns "$NS_LB" timeout 60 "$JAVA_BIN" -jar "$JAR" status --config "$WORK/vpnlb.yaml" >"$WORK/out/cli-status" 2>&1 || true
timeout 60 "$JAVA_BIN" -jar "$JAR" check --config "$WORK/wrong.yaml" >"$WORK/out/cli-check-wrong-password" 2>&1 || true

expect_status() { # NAME CODE
  [ "$(tail -n1 "$WORK/out/$1")" = "$2" ] || fail "$1 answered $(tail -n1 "$WORK/out/$1"), expected $2: $(head -c 300 "$WORK/out/$1")"
}
for n in healthz readyz metrics openapi services pools members persistence certificates reload-applied; do
  expect_status "$n" 200
done
expect_status status-page 200
expect_status wrong-token 401
expect_status bad-patch 422
expect_status reload-wrong-password 422
grep -q 'vpn.attack-surface.test' "$WORK/out/certificates" || fail "/api/v1/certificates does not list the certificate"
grep -qiE 'password|pfx|certificate' "$WORK/out/reload-wrong-password" \
  || fail "the rejected reload does not say why: $(head -c 300 "$WORK/out/reload-wrong-password")"
grep -q 'wrong password' "$WORK/out/cli-check-wrong-password" \
  || fail "vpnlb check does not report the wrong .pfx password: $(head -c 300 "$WORK/out/cli-check-wrong-password")"
grep -q 'Services' "$WORK/out/cli-status" || grep -q 'ikev2' "$WORK/out/cli-status" \
  || fail "vpnlb status printed no services: $(head -c 300 "$WORK/out/cli-status")"
cp "$WORK/vpnlb.log" "$WORK/out/vpnlb.log"
LEAKS=$(grep -rlFf "$WORK/secrets.txt" "$WORK/out" || true)
[ -z "$LEAKS" ] || fail "a secret appears in: $(for f in $LEAKS; do printf '%s ' "$(basename "$f")"; done)"
OUTPUTS=$(find "$WORK/out" -type f | wc -l)
log "secrets: $(wc -l < "$WORK/secrets.txt") strings (token, 2 passwords, key lines and exponent) in none of $OUTPUTS outputs"

# ---------------------------------------------------------------- 3. wrong-token rate limit
# code FROM TOKEN : HTTP status of GET /api/v1/pools from source address FROM with TOKEN
code() {
  in_ns "$NS_LB" curl -s -m 10 -o /dev/null -w '%{http_code}' --interface "$1" -H "Authorization: Bearer $2" \
    "http://$ADMIN_LISTEN/api/v1/pools" || true
}
declare -A WRONG=()
for from in 127.0.0.1 127.0.0.2; do
  codes=$(code "$from" wrong-1)
  for i in $(seq 2 20); do codes="$codes $(code "$from" "wrong-$i")"; done
  WRONG[$from]=$(tr ' ' '\n' <<<"$codes" | sort | uniq -c | awk '{ printf "%s%sx%s", sep, $1, $2; sep = "," }')
  [ "$(tr ' ' '\n' <<<"$codes" | grep -c '^401$')" = 20 ] || fail "20 wrong tokens from $from got:$codes (expected 401 each)"
  got=$(code "$from" "$TOKEN")
  [ "$got" = 429 ] || fail "after 20 wrong tokens from $from the right token got $got, expected 429"
  if [ "$from" = 127.0.0.1 ]; then
    other=$(code 127.0.0.2 "$TOKEN")
    [ "$other" = 200 ] || fail "127.0.0.2 got $other with the right token while only 127.0.0.1 is locked out"
  fi
done
RETRY=$(in_ns "$NS_LB" curl -s -m 10 -D - -o /dev/null -H "Authorization: Bearer $TOKEN" \
  "http://$ADMIN_LISTEN/api/v1/pools" | tr -d '\r' | sed -nE 's/^[Rr]etry-[Aa]fter: *//p')
[ -n "$RETRY" ] || fail "the 429 answer has no Retry-After header"
grep -q 'wrong or missing tokens' "$WORK/vpnlb.log" || fail "vpnlb did not log the lock-out"
log "rate limit: 127.0.0.1 ${WRONG[127.0.0.1]} then 429 (Retry-After $RETRY) while 127.0.0.2 got 200;" \
  "127.0.0.2 ${WRONG[127.0.0.2]} then 429"

vpnlb_final_checks
if grep -rqFf "$WORK/secrets.txt" "$WORK/vpnlb.log"; then fail "a secret appears in the vpnlb log"; fi

echo "----------------------------------------------------------------"
echo "TCP scan      : all 65535 ports of $VIP, open: $TCP_OPEN"
echo "UDP scan      : $UDP_PORTS; not closed: $UDP_NOT_CLOSED; closed: $UDP_CLOSED"
echo "admin         : bound on $ADMIN_BINDS only; $VIP:$ADMIN_PORT refuses connections"
echo "reload        : a reload with a wrong .pfx password is rejected (422) and a TLS connection open across it still echoes"
echo "secrets       : token, .pfx password, a wrong password, $(($(wc -l < "$WORK/secrets.txt") - 3)) strings of" \
  "key material: in none of $OUTPUTS outputs (log, 13 admin API answers, CLI status and check)"
echo "rate limit    : 20 wrong tokens -> 401 each, then 429 (Retry-After $RETRY) per source; the other source unaffected"
echo "----------------------------------------------------------------"
echo "RESULT: PASS ($RESULT_TAG): only the VPN ports answer on the VIP, no secret in logs or API, wrong tokens limited"
exit 0
