#!/usr/bin/env bash
# Loads deploy/nftables/vpnlb.nft into a vpnlb host made of network namespaces and checks what answers:
#
#   client (203.0.113.100) --ext-- lb (VIP 203.0.113.10, management 10.0.0.5) --mgmt-- admin (10.0.0.50)
#
# The lb namespace listens on TCP 443, 9090 (admin API), 22, 8080 and UDP 500, 4500, 5000 on every address.
# From the client only the VIP's VPN ports may answer, and not the admin port even at the management address;
# from the admin network the admin API and SSH answer, the VPN ports do not.
#
#   nftables-netns.sh NFT_FILE
# Exit 0 all as expected, 1 a mismatch (the table says which), 77 cannot run here (not root, tool missing).
set -euo pipefail

nft_file="$(realpath "$1")"
[[ $EUID -eq 0 ]] || { echo "SKIP: needs root for network namespaces and nftables"; exit 77; }
for tool in ip nft python3; do
    command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done

ns_lb="vpnlbnft-$$-lb"
ns_client="vpnlbnft-$$-client"
ns_admin="vpnlbnft-$$-admin"
work="$(mktemp -d)"
listener_pid=""

cleanup() {
    set +e
    if [[ -n "$listener_pid" ]]; then
        kill "$listener_pid" 2>/dev/null
        wait "$listener_pid" 2>/dev/null
    fi
    for ns in "$ns_lb" "$ns_client" "$ns_admin"; do ip netns delete "$ns" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for ns in "$ns_lb" "$ns_client" "$ns_admin"; do
    ip netns add "$ns"
    ip -n "$ns" link set lo up
done
ip link add ext netns "$ns_lb" type veth peer name ext netns "$ns_client"
ip link add mgmt netns "$ns_lb" type veth peer name mgmt netns "$ns_admin"
ip -n "$ns_lb" address add 203.0.113.10/24 dev ext
ip -n "$ns_lb" address add 10.0.0.5/24 dev mgmt
ip -n "$ns_client" address add 203.0.113.100/24 dev ext
ip -n "$ns_admin" address add 10.0.0.50/24 dev mgmt
for ns in "$ns_lb" "$ns_client" "$ns_admin"; do
    for dev in ext mgmt; do ip -n "$ns" link set "$dev" up 2>/dev/null || true; done
done
# The client can route to the management network through the lb host: only the firewall stops it there.
ip -n "$ns_client" route add 10.0.0.0/24 via 203.0.113.10
ip netns exec "$ns_lb" sysctl -qw net.ipv4.ip_forward=0

# The site's definitions for this topology; the rules themselves are the shipped file's.
sed -e 's|^define vip4 = .*|define vip4 = { 203.0.113.10 }|' \
    -e 's|^define mgmt_if = .*|define mgmt_if = "mgmt"|' \
    -e 's|^define mgmt_net4 = .*|define mgmt_net4 = { 10.0.0.0/24 }|' \
    -e 's|^define admin_port = .*|define admin_port = 9090|' \
    -e 's|^define vrrp_if = .*|define vrrp_if = "mgmt"|' \
    "$nft_file" > "$work/vpnlb.nft"
ip netns exec "$ns_lb" nft -f "$work/vpnlb.nft"

cat > "$work/listen.py" <<'PY'
import selectors, socket, sys
sel = selectors.DefaultSelector()
for port in (443, 9090, 22, 8080):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port)); s.listen(16); s.setblocking(False)
    sel.register(s, selectors.EVENT_READ, "tcp")
for port in (500, 4500, 5000):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", port)); s.setblocking(False)
    sel.register(s, selectors.EVENT_READ, "udp")
print("listening", flush=True)
while True:
    for key, _ in sel.select():
        s = key.fileobj
        if key.data == "tcp":
            conn, _ = s.accept(); conn.close()
        else:
            data, peer = s.recvfrom(2048); s.sendto(data, peer)
PY
cat > "$work/probe.py" <<'PY'
import socket, sys
proto, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
if proto == "tcp":
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM); s.settimeout(1.0)
    try:
        s.connect((host, port)); print("open")
    except (socket.timeout, OSError):
        print("closed")
else:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(1.0)
    s.sendto(b"probe", (host, port))
    try:
        s.recvfrom(2048); print("open")
    except (socket.timeout, OSError):
        print("closed")
PY
ip netns exec "$ns_lb" python3 "$work/listen.py" > "$work/listen.out" 2>&1 &
listener_pid=$!
for _ in $(seq 1 50); do grep -q listening "$work/listen.out" 2>/dev/null && break; sleep 0.1; done
grep -q listening "$work/listen.out" || { echo "listener did not start:"; cat "$work/listen.out"; exit 1; }

failures=0
expect() { # FROM_NS LABEL PROTO HOST PORT EXPECTED
    local got
    got="$(ip netns exec "$1" python3 "$work/probe.py" "$3" "$4" "$5")"
    printf '%-7s -> %-14s %-4s %-5s expected %-6s got %-6s %s\n' "$2" "$4" "$3" "$5" "$6" "$got" \
        "$([[ "$got" == "$6" ]] && echo ok || echo MISMATCH)"
    [[ "$got" == "$6" ]] || failures=$((failures + 1))
}

expect "$ns_client" client udp 203.0.113.10 500 open
expect "$ns_client" client udp 203.0.113.10 4500 open
expect "$ns_client" client tcp 203.0.113.10 443 open
expect "$ns_client" client tcp 203.0.113.10 9090 closed
expect "$ns_client" client tcp 203.0.113.10 22 closed
expect "$ns_client" client tcp 203.0.113.10 8080 closed
expect "$ns_client" client udp 203.0.113.10 5000 closed
expect "$ns_client" client tcp 10.0.0.5 9090 closed
expect "$ns_admin" admin tcp 10.0.0.5 9090 open
expect "$ns_admin" admin tcp 10.0.0.5 22 open
expect "$ns_admin" admin tcp 10.0.0.5 443 closed
expect "$ns_admin" admin udp 10.0.0.5 500 closed
expect "$ns_admin" admin tcp 10.0.0.5 8080 closed

echo "dropped by the input chain: $(ip netns exec "$ns_lb" nft list chain inet vpnlb input \
    | awk '/counter packets/ {print $3 " packets"}' | tail -1)"
if (( failures > 0 )); then
    echo "FAIL: $failures probe(s) did not get the expected answer"
    exit 1
fi
echo "PASS: only the VIP's VPN ports answer clients; the admin API answers only the management network"
