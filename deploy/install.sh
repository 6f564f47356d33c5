#!/usr/bin/env bash
# Installs vpnlb on this Debian host: the jar and launcher under /opt/vpnlb, the systemd unit, a vpnlb system
# user, and /etc/vpnlb/vpnlb.yaml (the example configuration, only when none exists). Run as root from a
# checkout after `mvn -DskipTests package`. Does not start the service: edit the configuration, then
# `systemctl enable --now vpnlb`.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/lb-control/target/vpnlb.jar"

[[ $EUID -eq 0 ]] || { echo "install.sh: run as root" >&2; exit 1; }
[[ -f "$jar" ]] || { echo "install.sh: $jar is missing; run 'mvn -DskipTests package' first" >&2; exit 1; }
command -v java >/dev/null || ls /usr/lib/jvm/*/bin/java >/dev/null 2>&1 \
    || { echo "install.sh: no Java found; apt-get install -y openjdk-17-jre-headless" >&2; exit 1; }

id vpnlb >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin vpnlb
install -d -m 0755 /opt/vpnlb/bin
install -m 0644 "$jar" /opt/vpnlb/vpnlb.jar
install -m 0755 "$root/bin/vpnlb" /opt/vpnlb/bin/vpnlb
install -m 0644 "$root/README.md" /opt/vpnlb/README.md
install -d -m 0750 -g vpnlb /etc/vpnlb
if [[ ! -f /etc/vpnlb/vpnlb.yaml ]]; then
    install -m 0640 -g vpnlb "$root/lb-config/src/main/resources/io/vpnlb/config/example.yaml" /etc/vpnlb/vpnlb.yaml
    echo "install.sh: wrote /etc/vpnlb/vpnlb.yaml from the example; edit VIP and members before starting"
fi
install -m 0644 "$root/systemd/vpnlb.service" /etc/systemd/system/vpnlb.service
if command -v systemctl >/dev/null && [[ -d /run/systemd/system ]]; then
    systemctl daemon-reload
fi
echo "install.sh: installed; check with '/opt/vpnlb/bin/vpnlb check --config /etc/vpnlb/vpnlb.yaml'"
