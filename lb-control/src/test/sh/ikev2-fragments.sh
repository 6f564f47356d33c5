#!/usr/bin/env bash
# RFC 7383 IKEv2 fragmentation through vpnlb, with certificate authentication; optionally writes the parser
# fixtures (real strongSwan datagrams captured in the lb namespace).
#
# Topology as in ikev2-strongswan.sh (lib-netns.sh): client 10.99.1.2 -- vpnlb on VIP 10.99.1.1 (source NAT)
# -- srv1 10.99.2.2 / srv2 10.99.3.2, kernel-libipsec (ESP-in-UDP on 4500).
# A CA and server/client certificates with 4096-bit RSA keys and $SANS subjectAltNames each (strongswan-pki)
# make IKE_AUTH several KB; every charon has `fragment_size = 576` and `fragmentation = yes`, so the client's
# IKE_AUTH request and the server's response are split into RFC 7383 fragments (Encrypted Fragment payload 53)
# that travel through vpnlb on UDP 4500 behind the non-ESP marker.
#
# Checks: the client split IKE_AUTH into at least MIN_FRAGMENTS fragments (its charon log) and the server
# holding the SA reassembled a message of that many fragments (its log); the capture in the lb namespace shows
# every fragment arriving from the client on the VIP and the same number leaving vpnlb towards that server;
# the IKE SA + CHILD SA establish with certificate auth, a ping crosses the tunnel, one server holds the SA.
# vpnlb's own fragment counter: if GET /metrics (admin API on 127.0.0.1:19090 in the lb namespace) has a
# vpnlb_*fragments_total counter, its total must be at least the client's fragment count;
# if it has none the script says the assertion is pending and does not fail.
#
# --fixtures-out FILE additionally waits for a NAT keepalive (keep_alive = 2s on the client) and writes one
# line per datagram `name|port|direction|hex` (UDP payload as vpnlb receives it: direction client = from the
# client to the VIP, member = from a server to vpnlb) for: IKE_SA_INIT request and response, the first IKE_AUTH
# fragment each way, a NAT keepalive, ESP-in-UDP each way.
#
# usage: ikev2-fragments.sh [--fixtures-out FILE] [--keep-logs DIR] VPNLB_JAR [JAVA_BIN]
# Exit: 0 pass, 1 fail, 2 usage, 77 skip (one line "SKIP: reason" on stdout).
# Everything created (namespaces vpnlbit-<pid>-*, their veths, processes, the temp dir) is removed on exit.
set -euo pipefail

FIXTURES_OUT=""
KEEP_LOGS=""
JAR=""
JAVA_BIN=""
usage() { echo "usage: $0 [--fixtures-out FILE] [--keep-logs DIR] VPNLB_JAR [JAVA_BIN]" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --fixtures-out) [ $# -ge 2 ] || usage; FIXTURES_OUT=$2; shift ;;
    --keep-logs) [ $# -ge 2 ] || usage; KEEP_LOGS=$2; shift ;;
    -h|--help|-*) usage ;;
    *) if [ -z "$JAR" ]; then JAR=$1; elif [ -z "$JAVA_BIN" ]; then JAVA_BIN=$1; else usage; fi ;;
  esac
  shift
done
JAVA_BIN=${JAVA_BIN:-java}
RESULT_TAG="fragments"
FRAGMENT_SIZE=576
MIN_FRAGMENTS=8
SANS=80
KEEPALIVE_TIMEOUT=15
# The charon options of every instance (inside charon { }).
CHARON_EXTRA="  fragment_size = $FRAGMENT_SIZE
  keep_alive = 2s"
# shellcheck source=lib-netns.sh
. "$(cd "$(dirname "$0")" && pwd)/lib-netns.sh"

lib_require_strongswan
lib_require_vpnlb
lib_require_cmd pki strongswan-pki
lib_require_cmd tcpdump tcpdump
if [ -n "$FIXTURES_OUT" ]; then
  mkdir -p "$(dirname "$FIXTURES_OUT")" && touch "$FIXTURES_OUT" 2>/dev/null || { echo "FAIL: cannot write $FIXTURES_OUT"; exit 1; }
  FIXTURES_OUT=$(cd "$(dirname "$FIXTURES_OUT")" && pwd)/$(basename "$FIXTURES_OUT")
fi
lib_init client lb srv1 srv2

# ---------------------------------------------------------------- topology, capture (full datagrams), vpnlb
log "fragments: namespaces=$P-{client,lb,srv1,srv2} work=$WORK"
lib_topology_standard
in_ns "$NS_LB" sysctl -qw net.ipv4.ip_forward=0
lib_topology_check
start_tcpdump 0
vpnlb_yaml "$WORK/vpnlb.yaml"
start_vpnlb "$WORK/vpnlb.yaml"

# ---------------------------------------------------------------- certificates
T0=$(now_ms)
PKI=$WORK/pki; mkdir -p "$PKI"
pkiq() { pki "$@" 2>"$PKI/pki.err" || { cat "$PKI/pki.err"; fail "pki $1 failed"; }; }
pkiq --gen --type rsa --size 4096 --outform pem > "$PKI/ca.key"
pkiq --self --ca --lifetime 2 --in "$PKI/ca.key" --dn "CN=vpnlbit test CA" --outform pem > "$PKI/ca.crt"
for h in server client; do
  pkiq --gen --type rsa --size 4096 --outform pem > "$PKI/$h.key"
  # many SANs make IKE_AUTH several KB, hence several fragments of $FRAGMENT_SIZE bytes
  sans=(--san "$h"); for i in $(seq 1 $SANS); do sans+=(--san "$h-alt-name-$i.vpnlbit.test.example"); done
  pkiq --pub --in "$PKI/$h.key" > "$PKI/$h.pub"
  pkiq --issue --lifetime 2 --cacert "$PKI/ca.crt" --cakey "$PKI/ca.key" --in "$PKI/$h.pub" \
       --dn "CN=$h" "${sans[@]}" --outform pem > "$PKI/$h.crt"
done
log "certificates: CA + server + client, RSA 4096, $SANS SANs each ($(wc -c < "$PKI/client.crt") bytes PEM), $(( $(now_ms) - T0 )) ms"

cert_conf() { # name role(server|client) [address pool]
  local d=$WORK/$1
  cp "$PKI/ca.crt" "$d/swanctl/x509ca/"; cp "$PKI/$2.crt" "$d/swanctl/x509/"; cp "$PKI/$2.key" "$d/swanctl/private/"
  if [ "$2" = server ]; then
    cat > "$d/swanctl/swanctl.conf" <<EOF
connections {
  rw {
    version = 2
    local_addrs = $3
    remote_addrs = %any
    proposals = aes128-sha256-modp2048
    fragmentation = yes
    pools = vpool
    local { auth = pubkey
            certs = server.crt
            id = server }
    remote { auth = pubkey
             id = client }
    children { net { local_ts = 10.99.200.1/32
                     esp_proposals = aes128-sha256 } }
  }
}
pools { vpool { addrs = $4 } }
EOF
  else
    cat > "$d/swanctl/swanctl.conf" <<EOF
connections {
  home {
    version = 2
    remote_addrs = 10.99.1.1
    proposals = aes128-sha256-modp2048
    fragmentation = yes
    vips = 0.0.0.0
    local { auth = pubkey
            certs = client.crt
            id = client }
    remote { auth = pubkey
             id = server }
    children { net { remote_ts = 10.99.200.1/32
                     esp_proposals = aes128-sha256 } }
  }
}
EOF
  fi
}
mkconf srv1; cert_conf srv1 server 10.99.2.2 10.99.100.0/24
mkconf srv2; cert_conf srv2 server 10.99.3.2 10.99.101.0/24
mkconf client; cert_conf client client
start_charon srv1 "$NS_S1"
start_charon srv2 "$NS_S2"
start_charon client "$NS_C"
log "charon started in client, srv1, srv2 (certificates, fragment_size = $FRAGMENT_SIZE, keep_alive = 2s)"

# ---------------------------------------------------------------- IKE SA + CHILD SA, ping
initiate client "$NS_C" net "$WORK/initiate.out" \
  || fail "swanctl --initiate failed: $(grep -m1 -E 'failed|error' "$WORK/initiate.out" || tail -n 1 "$WORK/initiate.out")"
wait_client_sa client "$NS_C" 20
rx=$(ping_tunnel "$NS_C" 3 3)
[ "$rx" -ge 1 ] || fail "no reply to ping 10.99.200.1 through the tunnel"
mapfile -t HOLDERS < <(sa_holders "srv1:$NS_S1" "srv2:$NS_S2")
[ "${#HOLDERS[@]}" -eq 1 ] || fail "expected exactly one server to hold IKE SA ${SPI_I}_i ${SPI_R}_r, found ${#HOLDERS[@]} (${HOLDERS[*]:-none})"
H=${HOLDERS[0]}
grep -q 'INSTALLED, TUNNEL-in-UDP' "$WORK/sas-$H.txt" || fail "$H holds the IKE SA but no INSTALLED TUNNEL-in-UDP CHILD SA"
grep -qE "authentication of 'client' with RSA[A-Z0-9_]* successful" "$WORK/$H/charon.log" \
  || fail "$H's log shows no successful RSA (certificate) authentication of 'client'"
grep -q 'using certificate "CN=client"' "$WORK/$H/charon.log" || fail "$H did not use the client's certificate"
log "tunnel up: IKE SA ${SPI_I}_i ${SPI_R}_r on $H, $rx/3 pings"

# ---------------------------------------------------------------- fragments in the charon logs
# charon (enc level 1): "splitting IKE message (N bytes) into M fragments" when sending, and
# "received fragment #i of M, reassembled fragmented IKE message (N bytes)" when the last one arrives.
split_line=$(grep -E 'splitting IKE message .* into [0-9]+ fragments' "$WORK/client/charon.log" | head -n1 || true)
[ -n "$split_line" ] || fail "the client's charon never split an IKE message into fragments"
C_FRAGS=$(sed -nE 's/.*into ([0-9]+) fragments.*/\1/p' <<<"$split_line")
C_BYTES=$(sed -nE 's/.*splitting IKE message[^0-9]*([0-9]+) bytes.*/\1/p' <<<"$split_line")
[ "$C_FRAGS" -ge "$MIN_FRAGMENTS" ] || fail "the client split IKE_AUTH into only $C_FRAGS fragments (expected >= $MIN_FRAGMENTS): $split_line"
reasm=$(grep -E "received fragment #[0-9]+ of $C_FRAGS, reassembled fragmented IKE message" "$WORK/$H/charon.log" | head -n1 || true)
[ -n "$reasm" ] || fail "$H never reassembled the client's $C_FRAGS-fragment message (its log has: $(grep -m3 -E 'fragment' "$WORK/$H/charon.log" | tr '\n' ' '))"
grep -qE 'parsed IKE_AUTH request 1 \[ .*CERT' "$WORK/$H/charon.log" || fail "$H did not parse an IKE_AUTH request with a certificate"
S_FRAGS=$(grep -E 'splitting IKE message .* into [0-9]+ fragments' "$WORK/$H/charon.log" | head -n1 | sed -nE 's/.*into ([0-9]+) fragments.*/\1/p')
S_REASM=$(grep -E 'reassembled fragmented IKE message' "$WORK/client/charon.log" | head -n1 | sed -nE 's/.*of ([0-9]+), reassembled.*/\1/p')
log "charon logs: client split IKE_AUTH ($C_BYTES bytes) into $C_FRAGS fragments, $H reassembled them; $H split its response into ${S_FRAGS:-?}, client reassembled ${S_REASM:-?}"
o=$(other_server "$H")
! grep -q "SPIs ${SPI_I}_i" "$WORK/$o/charon.log" || fail "$o also saw the client's IKE SA (SPI ${SPI_I}): fragments were split between servers"

# ---------------------------------------------------------------- the capture in lb
# decode_pcap: one line per UDP datagram to/from port 500/4500 seen in lb:
#   flow|port|kind|exchange|response|fragment|total|hex
# flow: client (client -> VIP), to_client (VIP -> client), to_member (vpnlb -> server), member (server -> vpnlb)
# kind: ike (500, or 4500 behind the non-ESP marker), keepalive, esp, bad (IKE length disagrees: truncated)
decode_pcap() {
  in_ns "$NS_LB" timeout 20 tcpdump -nn -x -r "$WORK/lb.pcap" 2>/dev/null | awk '
    function hv(c) { return index("0123456789abcdef", c) - 1 }
    function byte(s, i) { return hv(substr(s, 2 * i + 1, 1)) * 16 + hv(substr(s, 2 * i + 2, 1)) }
    function u16(s, i) { return byte(s, i) * 256 + byte(s, i + 1) }
    function u32(s, i) { return u16(s, i) * 65536 + u16(s, i + 2) }
    function host(a) { n = split(a, q, "."); return q[1] "." q[2] "." q[3] "." q[4] }
    function port(a) { n = split(a, q, "."); return q[n] }
    function emit(   ihl, p, len, flow, prt, off, kind, exch, resp, frag, total, np, sh, dh) {
      if (hex == "") return
      hex = tolower(hex)
      ihl = (byte(hex, 0) % 16) * 4
      p = substr(hex, 2 * (ihl + 8) + 1)
      len = length(p) / 2
      sh = host(src); dh = host(dst)
      if (dh == "10.99.1.1" && sh != "10.99.1.1") { flow = "client"; prt = port(dst) }
      else if (sh == "10.99.1.1") { flow = "to_client"; prt = port(src) }
      else if (sh == "10.99.2.2" || sh == "10.99.3.2") { flow = "member"; prt = port(src) }
      else if (dh == "10.99.2.2" || dh == "10.99.3.2") { flow = "to_member"; prt = port(dst) }
      else return
      if (prt != 500 && prt != 4500) return
      off = 0; kind = "ike"
      if (prt == 4500) {
        if (len == 1 && byte(p, 0) == 255) kind = "keepalive"
        else if (len >= 4 && u32(p, 0) == 0) off = 4
        else kind = "esp"
      }
      exch = resp = frag = total = "-"
      if (kind == "ike") {
        if (len - off < 28 || u32(p, off + 24) != len - off) kind = "bad"
        else {
          np = byte(p, off + 16); exch = byte(p, off + 18); resp = int(byte(p, off + 19) / 32) % 2
          if (np == 53 && len - off >= 36) { frag = u16(p, off + 32); total = u16(p, off + 34) }
        }
      }
      print flow "|" prt "|" kind "|" exch "|" resp "|" frag "|" total "|" p
    }
    /^[0-9]/ { emit(); hex = ""; src = dst = ""
               for (i = 1; i <= NF; i++) if ($i == "IP" && $(i + 2) == ">") { src = $(i + 1); dst = $(i + 3); sub(/:$/, "", dst) }
               next }
    /^[ \t]+0x[0-9a-f]+:/ { for (i = 2; i <= NF; i++) hex = hex $i; next }
    END { emit() }'
}
# count FLOW PORT KIND EXCH [FRAGMENTED]: datagrams in $WORK/decoded.txt
count_decoded() {
  awk -F'|' -v f="$1" -v p="$2" -v k="$3" -v x="$4" -v fr="${5:-}" \
    '$1 == f && $2 == p && $3 == k && (x == "" || $4 == x) && (fr == "" || $6 != "-") { n++ } END { print n + 0 }' "$WORK/decoded.txt"
}

if [ -n "$FIXTURES_OUT" ]; then
  # strongSwan sends a NAT keepalive after keep_alive (2s) without other traffic towards the peer.
  deadline=$((SECONDS + KEEPALIVE_TIMEOUT))
  until in_ns "$NS_LB" timeout 10 tcpdump -nr "$WORK/lb.pcap" -c 1 'udp and dst host 10.99.1.1 and dst port 4500 and udp[4:2] = 9' 2>/dev/null | grep -q .; do
    [ $SECONDS -lt $deadline ] || fail "no NAT keepalive from the client within ${KEEPALIVE_TIMEOUT}s (keep_alive = 2s)"
    sleep 0.5
  done
fi
stop_tcpdump
decode_pcap > "$WORK/decoded.txt"
[ -s "$WORK/decoded.txt" ] || fail "the capture in lb holds no IKE/NAT-T datagrams"
P_IN=$(count_decoded client 4500 ike 35 frag)
P_OUT=$(count_decoded to_member 4500 ike 35 frag)
P_BACK=$(count_decoded member 4500 ike 35 frag)
P_BAD=$(awk -F'|' '$3 == "bad" { n++ } END { print n + 0 }' "$WORK/decoded.txt")
DROPS=$(tcpdump_drops)
log "capture in lb: IKE_AUTH fragments client->VIP $P_IN, vpnlb->$H $P_OUT, $H->vpnlb $P_BACK; malformed $P_BAD; dropped by the kernel before capture $DROPS"
if [ "$DROPS" -eq 0 ]; then
  [ "$P_IN" -ge "$C_FRAGS" ] || fail "the capture shows $P_IN IKE_AUTH fragments from the client, its log says it sent $C_FRAGS"
  [ "$P_OUT" -eq "$P_IN" ] || fail "vpnlb forwarded $P_OUT IKE_AUTH fragments to the servers but received $P_IN from the client"
else
  log "note: tcpdump lost $DROPS packet(s), so the fragment counts of the capture are not asserted (the charon logs are)"
fi
[ "$P_BAD" -eq 0 ] || fail "$P_BAD captured IKE datagram(s) whose IKE length disagrees with the UDP payload"

# ---------------------------------------------------------------- vpnlb's counters
METRICS=$(vpnlb_metrics "$ADMIN_LISTEN")
printf '%s\n' "$METRICS" > "$WORK/metrics.txt"
# counters such as vpnlb_ike_fragments_total{...}; not gauges like a member's fragmentation support
FRAG_SERIES=$(grep -E '^vpnlb_[a-z0-9_]*fragments?_total(\{| )' <<<"$METRICS" || true)
if [ -z "$METRICS" ]; then
  VPNLB_FRAGS="pending: GET /metrics on $ADMIN_LISTEN did not answer"
elif [ -z "$FRAG_SERIES" ]; then
  VPNLB_FRAGS="pending: /metrics has no vpnlb_*fragments_total counter yet ($(grep -c '^vpnlb_' <<<"$METRICS") vpnlb_ samples)"
else
  sum=$(awk '{ s += $NF } END { printf "%d", s }' <<<"$FRAG_SERIES")
  echo "$FRAG_SERIES" | sed 's/^/    /'
  [ "$sum" -ge "$C_FRAGS" ] || fail "vpnlb's fragment counters add up to $sum, the client sent $C_FRAGS fragments"
  VPNLB_FRAGS="$sum (sum of $(wc -l <<<"$FRAG_SERIES") vpnlb_*fragments_total series)"
fi
log "vpnlb fragment counter: $VPNLB_FRAGS"
# Nothing of this clean run may have been dropped by vpnlb (when /metrics shows drops).
DROPPED=$(grep -E '^vpnlb_drops_total\{' <<<"$METRICS" | awk '$NF + 0 > 0' || true)
[ -z "$DROPPED" ] || fail "vpnlb dropped datagrams during the fragment run: $(tr '\n' ' ' <<<"$DROPPED")"

# ---------------------------------------------------------------- parser fixtures
# hex_facts PORT HEX : the header fields a parser should find, in words.
hex_facts() {
  local port=$1 h=$2 off=0
  if [ "${#h}" -eq 2 ]; then echo "keepalive byte 0x$h"; return; fi
  if [ "$port" = 4500 ]; then
    if [ "${h:0:8}" != 00000000 ]; then echo "ESP SPI 0x${h:0:8}, sequence number $((16#${h:8:8}))"; return; fi
    off=8; printf 'non-ESP marker, '
  fi
  local ike=${h:$off}
  printf 'IKE SPIi %s SPIr %s, next payload %d, version 0x%s, exchange type %d, flags 0x%s, message ID %d, length %d' \
    "${ike:0:16}" "${ike:16:16}" "$((16#${ike:32:2}))" "${ike:34:2}" "$((16#${ike:36:2}))" "${ike:38:2}" \
    "$((16#${ike:40:8}))" "$((16#${ike:48:8}))"
  if [ "$((16#${ike:32:2}))" = 53 ]; then
    printf ', fragment number %d of %d' "$((16#${ike:64:4}))" "$((16#${ike:68:4}))"
  fi
  echo
}
write_fixtures() {
  local out=$1 tmp=$1.tmp version
  version=$(in_ns "$NS_C" "$CHARON" --version 2>/dev/null | grep -oE 'strongSwan [0-9.]+' | head -n1 || true)
  [ -n "$version" ] || version=$(swanctl --version 2>/dev/null | grep -oE 'strongSwan [0-9.]+' | head -n1 || true)
  # name flow port kind exchange response fragment-number
  local specs="ike_sa_init_request client 500 ike 34 0 -
ike_sa_init_response member 500 ike 34 1 -
ike_auth_fragment_request client 4500 ike 35 0 1
ike_auth_fragment_response member 4500 ike 35 1 1
nat_keepalive client 4500 keepalive - - -
esp_in_udp_request client 4500 esp - - -
esp_in_udp_reply member 4500 esp - - -"
  {
    echo "# Real strongSwan IKEv2 datagrams, captured through vpnlb by lb-control/src/test/sh/ikev2-fragments.sh --fixtures-out"
    echo "# on $(date -u +%Y-%m-%d) with ${version:-strongSwan (version unknown)} (charon with kernel-libipsec) as client and servers,"
    echo "# certificate auth (RSA 4096, $SANS SANs), fragment_size = $FRAGMENT_SIZE, keep_alive = 2s, proposals aes128-sha256-modp2048,"
    echo "# ESP aes128-sha256 in UDP 4500. Captured in vpnlb's (lb) network namespace with: $TCPDUMP_CMD"
    echo "# and extracted with tcpdump -nn -x -r lb.pcap (UDP payload = IP payload after the 8-byte UDP header)."
    echo "# Format: name|port|direction|hex. port: the VIP/member UDP port (500 or 4500). direction: client = sent by the"
    echo "# client to the VIP (as vpnlb's listener receives it), member = sent by a server to vpnlb (as vpnlb's upstream"
    echo "# socket receives it). hex: the whole UDP payload, lower case; on 4500 IKE messages start with the 4-byte"
    echo "# non-ESP marker 00000000. Lines starting with # are comments; each datagram line follows a comment saying what it is."
  } > "$tmp"
  local name flow port kind exch resp frag line hex desc n=0
  while read -r name flow port kind exch resp frag; do
    line=$(awk -F'|' -v f="$flow" -v p="$port" -v k="$kind" -v x="$exch" -v r="$resp" -v fr="$frag" \
      '$1 == f && $2 == p && $3 == k && (x == "-" || $4 == x) && (r == "-" || $5 == r) && (fr == "-" || $6 == fr) { print; exit }' "$WORK/decoded.txt")
    [ -n "$line" ] || fail "fixtures: no captured datagram for $name ($flow, UDP $port, $kind, exchange $exch)"
    hex=${line##*|}
    case "$name" in
      ike_sa_init_request)  desc="IKE_SA_INIT request (message ID 0, Initiator flag) from the client, plain IKE on UDP 500" ;;
      ike_sa_init_response) desc="IKE_SA_INIT response from the server, plain IKE on UDP 500" ;;
      ike_auth_fragment_request)  desc="IKE_AUTH request fragment 1 of $(cut -d'|' -f7 <<<"$line") (Encrypted Fragment payload, type 53) from the client, behind the non-ESP marker" ;;
      ike_auth_fragment_response) desc="IKE_AUTH response fragment 1 of $(cut -d'|' -f7 <<<"$line") (Encrypted Fragment payload, type 53) from the server, behind the non-ESP marker" ;;
      nat_keepalive)        desc="NAT-T keepalive (RFC 3948): the single byte 0xFF from the client" ;;
      esp_in_udp_request)   desc="ESP in UDP (RFC 3948): a tunnelled ICMP echo request from the client; starts with its non-zero ESP SPI" ;;
      esp_in_udp_reply)     desc="ESP in UDP (RFC 3948): the tunnelled ICMP echo reply from the server; starts with its non-zero ESP SPI" ;;
    esac
    echo "# $name: $desc, $(( ${#hex} / 2 )) bytes; $(hex_facts "$port" "$hex")" >> "$tmp"
    echo "$name|$port|$( [ "$flow" = client ] && echo client || echo member )|$hex" >> "$tmp"
    n=$((n + 1))
  done <<<"$specs"
  mv "$tmp" "$out"
  log "fixtures: $n datagrams written to $out"
}
[ -n "$FIXTURES_OUT" ] && write_fixtures "$FIXTURES_OUT"

vpnlb_final_checks
echo "----------------------------------------------------------------"
echo "certificates      : RSA 4096, $SANS SANs each; fragment_size = $FRAGMENT_SIZE on every charon"
echo "client IKE SA     : ${SPI_I}_i ${SPI_R}_r ESTABLISHED via 10.99.1.1, held by $H; tunnel ping $rx/3"
echo "charon logs       : client split IKE_AUTH ($C_BYTES bytes) into $C_FRAGS fragments, $H reassembled them; $H's response ${S_FRAGS:-?} fragments, client reassembled ${S_REASM:-?}"
echo "lb capture        : IKE_AUTH fragments client->VIP $P_IN, vpnlb->$H $P_OUT, $H->vpnlb $P_BACK"
echo "vpnlb counter     : $VPNLB_FRAGS"
[ -n "$FIXTURES_OUT" ] && echo "fixtures          : $FIXTURES_OUT"
echo "----------------------------------------------------------------"
echo "RESULT: PASS ($RESULT_TAG): certificate IKE_AUTH in $C_FRAGS RFC 7383 fragments through vpnlb, SA on $H, tunnel ping ok"
exit 0
