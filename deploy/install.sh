#!/usr/bin/env bash
# Installs vpnlb from this checkout on a Debian host, from nothing to a running service; or removes it.
# Build first: mvn -B -DskipTests package (or use the Debian package deploy/target/vpnlb_*_all.deb instead).
#
#   deploy/install.sh [--root DIR] [--transparent] [--no-start]
#   deploy/install.sh --uninstall [--purge] [--root DIR]
#
# Installs the layout of the Debian package: /opt/vpnlb (vpnlb.jar, bin/vpnlb, bin/transparent-routing.sh,
# libexec/vpnlb-setup, examples/, nftables/, ha/, monitoring/, systemd/transparent.conf), /usr/bin/vpnlb,
# /etc/systemd/system/vpnlb.service, /etc/sysctl.d/60-vpnlb.conf; then vpnlb-setup makes the vpnlb user,
# /etc/vpnlb (0750) with vpnlb.yaml (from the example, only when missing) and a generated admin token (0600),
# and /var/lib/vpnlb. On the host itself it installs Java 17 when no Java 17+ is found, applies the kernel
# settings, and enables and (re)starts vpnlb.service when systemd runs.
#
#   --root DIR      install into DIR instead of / (a scratch root for tests or an image): nothing on the running
#                   host changes, no package is installed, no setting applied, no service started
#   --transparent   also install the transparent-mode drop-in (CAP_NET_ADMIN, policy routing)
#   --no-start      do not enable or start the service
#   --uninstall     stop and disable the service, remove the program files, the unit and the kernel settings;
#                   /etc/vpnlb, /var/lib/vpnlb and the vpnlb user stay unless --purge is given
#
# Idempotent: running it again replaces the program files and keeps the configuration and the token.
set -euo pipefail

src="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
root=""
transparent=0
start=1
uninstall=0
purge=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --root) root="$(realpath -m "$2")"; shift 2 ;;
        --transparent) transparent=1; shift ;;
        --no-start) start=0; shift ;;
        --uninstall) uninstall=1; shift ;;
        --purge) purge=1; shift ;;
        -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
        *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
root="${root%/}"

die() { echo "install.sh: $*" >&2; exit 1; }
say() { echo "install.sh: $*"; }

[[ $EUID -eq 0 ]] || die "run as root (files are owned by root and the vpnlb user)"
if [[ -f "$root/var/lib/dpkg/info/vpnlb.list" ]]; then
    die "vpnlb is installed from its Debian package here; use apt or dpkg to change it"
fi
[[ -z "$root" || -d "$root" ]] || die "--root $root is not a directory"

on_host=0
[[ -z "$root" ]] && on_host=1
systemd_running=0
[[ $on_host -eq 1 && -d /run/systemd/system ]] && systemd_running=1

unit="$root/etc/systemd/system/vpnlb.service"
dropin="$root/etc/systemd/system/vpnlb.service.d/transparent.conf"
sysctl_file="$root/etc/sysctl.d/60-vpnlb.conf"

uninstall() {
    if [[ $systemd_running -eq 1 ]]; then
        systemctl disable --now vpnlb.service 2>/dev/null || true
    fi
    if [[ $purge -eq 1 ]]; then
        # The checkout's copy: the installed one goes with /opt/vpnlb.
        "$src/deploy/vpnlb-setup" purge ${root:+--root "$root"}
        "$src/deploy/vpnlb-setup" remove-user ${root:+--root "$root"}
    fi
    if [[ "$(readlink "$root/usr/bin/vpnlb" 2>/dev/null)" == /opt/vpnlb/bin/vpnlb ]]; then
        rm -f "$root/usr/bin/vpnlb"
    fi
    rm -rf "$root/opt/vpnlb"
    rm -f "$unit" "$dropin" "$sysctl_file"
    rmdir "$root/etc/systemd/system/vpnlb.service.d" 2>/dev/null || true
    if [[ $systemd_running -eq 1 ]]; then
        systemctl daemon-reload
    fi
    if [[ $purge -eq 1 ]]; then
        say "removed vpnlb, its configuration, its state and its user"
    else
        say "removed vpnlb; /etc/vpnlb, /var/lib/vpnlb and the vpnlb user stay (--purge removes them)"
    fi
}

ensure_java() {
    local java
    for java in "${JAVA_HOME:-/nonexistent}/bin/java" /usr/lib/jvm/*/bin/java "$(command -v java || true)"; do
        [[ -x "$java" ]] || continue
        local major
        major="$("$java" -XshowSettings:properties -version 2>&1 \
            | awk -F'= ' '/java.specification.version/ {print $2; exit}')"
        [[ "$major" =~ ^[0-9]+$ ]] && (( major >= 17 )) && return 0
    done
    say "no Java 17 or newer found: installing openjdk-17-jre-headless"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends openjdk-17-jre-headless
}

install_files() {
    local jar="$src/lb-control/target/vpnlb.jar"
    [[ -f "$jar" ]] || die "$jar is missing; run 'mvn -B -DskipTests package' first"
    install -d -m 0755 "$root/opt/vpnlb" "$root/opt/vpnlb/bin" "$root/opt/vpnlb/libexec" "$root/opt/vpnlb/systemd" \
        "$root/opt/vpnlb/examples" "$root/opt/vpnlb/nftables" "$root/opt/vpnlb/ha" "$root/opt/vpnlb/monitoring" \
        "$root/usr/bin" "$root/etc/systemd/system" "$root/etc/sysctl.d"
    install -m 0644 "$jar" "$root/opt/vpnlb/vpnlb.jar"
    install -m 0644 "$src/README.md" "$root/opt/vpnlb/README.md"
    install -m 0755 "$src/bin/vpnlb" "$src/deploy/transparent-routing.sh" "$root/opt/vpnlb/bin/"
    install -m 0755 "$src/deploy/vpnlb-setup" "$root/opt/vpnlb/libexec/"
    install -m 0644 "$src/systemd/transparent.conf" "$root/opt/vpnlb/systemd/"
    local dir
    for dir in examples nftables ha monitoring; do
        # Replaced as a whole, so a file dropped from the checkout does not linger.
        find "$root/opt/vpnlb/$dir" -mindepth 1 -delete
        (cd "$src/deploy/$dir" && find . -type d -exec install -d -m 0755 "$root/opt/vpnlb/$dir/{}" \; \
            && find . -type f -exec install -m 0644 {} "$root/opt/vpnlb/$dir/{}" \;)
    done
    ln -sfn /opt/vpnlb/bin/vpnlb "$root/usr/bin/vpnlb"
    install -m 0644 "$src/systemd/vpnlb.service" "$unit"
    install -m 0644 "$src/deploy/sysctl/60-vpnlb.conf" "$sysctl_file"
    if [[ $transparent -eq 1 ]]; then
        install -D -m 0644 "$src/systemd/transparent.conf" "$dropin"
        say "installed the transparent-mode drop-in $dropin"
    fi
}

install_vpnlb() {
    [[ $on_host -eq 1 ]] && ensure_java
    install_files
    "$root/opt/vpnlb/libexec/vpnlb-setup" configure ${root:+--root "$root"}
    if [[ $on_host -eq 0 ]]; then
        say "installed into $root (no setting applied, no service started)"
        return
    fi
    sysctl -q --load="$sysctl_file" \
        || say "some settings of $sysctl_file were not applied here (they apply at boot)"
    if [[ $systemd_running -eq 0 ]]; then
        say "installed; systemd is not running here: start it with" \
            "'/opt/vpnlb/bin/vpnlb run --config /etc/vpnlb/vpnlb.yaml'"
        return
    fi
    systemctl daemon-reload
    if [[ $start -eq 0 ]]; then
        say "installed; start it with 'systemctl enable --now vpnlb'"
        return
    fi
    systemctl enable vpnlb.service
    # Type=notify: restart returns once vpnlb has bound its listeners and serves its admin API, or failed.
    if systemctl restart vpnlb.service; then
        say "vpnlb is running: $(systemctl show -p StatusText --value vpnlb.service)"
    else
        systemctl --no-pager status vpnlb.service >&2 || true
        die "vpnlb.service did not start; see 'journalctl -u vpnlb'"
    fi
}

if [[ $uninstall -eq 1 ]]; then
    uninstall
else
    [[ $purge -eq 0 ]] || die "--purge goes with --uninstall"
    install_vpnlb
fi
