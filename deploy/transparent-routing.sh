#!/usr/bin/env bash
# Policy routing for vpnlb's transparent mode (source-nat: false).
#
# In transparent mode vpnlb opens each session's socket toward the member with the client's own address and
# port (IP_TRANSPARENT), so the member sees the real client. The member answers the client's address; its
# default route (or a route to the client networks) must point at the vpnlb host. On the vpnlb host those
# answers are addressed to a foreign IP: this script marks packets that belong to a transparent socket and
# routes marked packets to the local stack, where the session's socket receives them.
#
#   deploy/transparent-routing.sh up   [--mark 0x1] [--table 100]
#   deploy/transparent-routing.sh down [--mark 0x1] [--table 100]
#   deploy/transparent-routing.sh status
#
# Needs root, nftables (nft) and iproute2. Idempotent: "up" twice does no harm, "down" removes only what "up"
# added. Run it at boot before vpnlb (for example from a systemd unit with Before=vpnlb.service).
set -euo pipefail

mark=0x1
table=100
action="${1:-}"
shift || true
while [[ $# -gt 0 ]]; do
    case "$1" in
        --mark) mark="$2"; shift 2 ;;
        --table) table="$2"; shift 2 ;;
        *) echo "transparent-routing.sh: unknown option $1" >&2; exit 2 ;;
    esac
done

nft_table=vpnlb_transparent

up() {
    command -v nft >/dev/null || { echo "transparent-routing.sh: nft is missing (apt-get install nftables)" >&2; exit 1; }
    nft -f - <<NFT
table ip ${nft_table} {
    chain prerouting {
        type filter hook prerouting priority mangle; policy accept;
        meta l4proto { udp, tcp } socket transparent 1 meta mark set ${mark} accept
    }
}
NFT
    ip rule show | grep -q "fwmark ${mark} lookup ${table}" || ip rule add fwmark "${mark}" lookup "${table}"
    ip route replace local 0.0.0.0/0 dev lo table "${table}"
    echo "transparent routing up: packets of transparent sockets marked ${mark}, delivered locally by table ${table}"
}

down() {
    nft delete table ip "${nft_table}" 2>/dev/null || true
    while ip rule show | grep -q "fwmark ${mark} lookup ${table}"; do
        ip rule del fwmark "${mark}" lookup "${table}"
    done
    ip route flush table "${table}" 2>/dev/null || true
    echo "transparent routing down"
}

status() {
    nft list table ip "${nft_table}" 2>/dev/null || echo "no nft table ${nft_table}"
    ip rule show | grep "lookup ${table}" || echo "no ip rule for table ${table}"
    ip route show table "${table}" 2>/dev/null || true
}

case "$action" in
    up) up ;;
    down) down ;;
    status) status ;;
    *) sed -n '2,16p' "$0" >&2; exit 2 ;;
esac
