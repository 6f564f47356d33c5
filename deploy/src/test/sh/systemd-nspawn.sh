#!/usr/bin/env bash
# A fresh host with systemd, booted in a container (systemd-nspawn: a minimal /etc, the host's /usr under a
# writable overlay, a private network). Inside it, as an administrator would:
#   1. dpkg --install the vpnlb package: its postinst creates the user, /etc/vpnlb and the token, and starts
#      vpnlb.service; then the service with all of its hardening:
#      - `systemctl restart` returns only once vpnlb is ready (Type=notify): the UDP listeners are bound by then;
#      - the process runs as vpnlb with CAP_NET_BIND_SERVICE only, no new privileges, the system-call filter on;
#      - `systemctl reload` (SIGHUP) reports the reload's outcome in the unit's status;
#      - the JVM and Netty run under the filter with transport epoll and io_uring;
#      - the transparent-mode drop-in adds CAP_NET_ADMIN and the policy routing, and removes it at stop;
#      - `systemctl stop` ends in success; systemd-analyze security rates the running unit 2.5 or lower;
#   2. dpkg --purge: the service stops, its files, configuration and state go;
#   3. deploy/install.sh from the checkout: the service runs; again: the token stays; --uninstall --purge.
#
#   systemd-nspawn.sh VPNLB_DEB REPOSITORY
# Exit 0 all as expected, 1 a check failed, 77 cannot run here (not root, no systemd-nspawn, or the machine
# cannot boot a container: the output says why).
set -euo pipefail

deb="$(realpath "$1")"
repository="$(realpath "$2")"
[[ $EUID -eq 0 ]] || { echo "SKIP: needs root to boot a container"; exit 77; }
for tool in systemd-nspawn nsenter; do
    command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done

root="$(mktemp -d /tmp/vpnlb-nspawn.XXXXXX)"
log="$root.log"
nspawn_pid=""

cleanup() {
    set +e
    if [[ -n "$nspawn_pid" ]] && kill -0 "$nspawn_pid" 2>/dev/null; then
        kill -TERM "$nspawn_pid"
        for _ in $(seq 1 60); do kill -0 "$nspawn_pid" 2>/dev/null || break; sleep 0.5; done
        kill -KILL "$nspawn_pid" 2>/dev/null
        wait "$nspawn_pid" 2>/dev/null
    fi
    if grep -q " $root" /proc/mounts; then
        echo "container mounts still present under $root; leaving it" >&2
    else
        rm -rf --one-file-system "$root"
    fi
    rm -f "$log"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

failures=0
check() { # DESCRIPTION COMMAND...: passes when the command succeeds
    local description="$1"
    shift
    if "$@"; then
        echo "ok       $description"
    else
        echo "FAILED   $description"
        failures=$((failures + 1))
    fi
}

# A minimal root: /etc holds only what systemd, dpkg and useradd need, so no service of the host starts in it.
cd "$root"
chmod 0755 "$root"
mkdir -p usr usr.upper etc/systemd/system etc/dpkg var/lib var/log var/tmp tmp run opt root proc sys dev pkg src
chmod 1777 tmp var/tmp
ln -s usr/bin bin; ln -s usr/sbin sbin; ln -s usr/lib lib; ln -s usr/lib64 lib64
cp /usr/lib/os-release etc/os-release
cp -a /etc/ld.so.cache /etc/ld.so.conf /etc/ld.so.conf.d /etc/nsswitch.conf /etc/login.defs /etc/alternatives etc/
printf 'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' > etc/passwd
printf 'root:x:0:\nnogroup:x:65534:\nsystemd-journal:x:101:\n' > etc/group
printf 'root:*:19000:0:99999:7:::\n' > etc/shadow
printf 'root:*::\n' > etc/gshadow
chmod 0640 etc/shadow etc/gshadow
: > etc/machine-id
mkdir -p var/lib/dpkg/info var/lib/dpkg/updates var/lib/dpkg/triggers var/lib/dpkg/alternatives
: > var/lib/dpkg/status
: > var/lib/dpkg/available

systemd-nspawn --directory="$root" --overlay="/usr:$root/usr.upper:/usr" --bind-ro="$deb:/pkg/vpnlb.deb" \
    --bind-ro="$repository:/src" --private-network --boot --register=no --keep-unit --machine="vpnlbit$$" \
    --console=pipe > "$log" 2>&1 &
nspawn_pid=$!

leader=""
for _ in $(seq 1 120); do
    kill -0 "$nspawn_pid" 2>/dev/null || break
    leader="$(pgrep -P "$nspawn_pid" -x systemd || true)"
    [[ -n "$leader" ]] && break
    sleep 0.5
done
if [[ -z "$leader" ]]; then
    echo "SKIP: systemd-nspawn cannot boot a container on this machine:"
    cat "$log"
    exit 77
fi
in_ctr() { nsenter --target "$leader" --all "$@"; }
state=""
for _ in $(seq 1 360); do
    state="$(in_ctr systemctl is-system-running 2>/dev/null || true)"
    [[ "$state" == running || "$state" == degraded ]] && break
    sleep 0.5
done
echo "container booted: ${state:-no answer from its systemd}"
[[ "$state" == running || "$state" == degraded ]] || { echo "FAIL: the container did not finish booting"; exit 1; }

main_pid() { in_ctr systemctl show --property MainPID --value vpnlb.service; }
status_text() { in_ctr systemctl show --property StatusText --value vpnlb.service; }
proc_status() { in_ctr grep -E "^$1:" "/proc/$(main_pid)/status" | awk '{print $2}'; }
# Outputs are taken whole before matching: with pipefail, grep -q ending a pipe early would fail it.
udp_bound() { [[ -n "$(in_ctr ss -H -lun "sport = :$1")" ]]; }
journal_has() { [[ "$(in_ctr journalctl --unit vpnlb.service --no-pager --output cat)" == *"$1"* ]]; }
is_active() { in_ctr systemctl is-active --quiet vpnlb.service; }
ip_rule_has() { [[ "$(in_ctr ip rule show)" == *"$1"* ]]; }
exists() { [[ -e "$root$1" ]]; }
functions="$(declare -f in_ctr main_pid status_text proc_status udp_bound journal_has is_active ip_rule_has exists)"
holds() { bash -c "$functions; leader=$leader; root=$root; $1"; }

echo "--- the Debian package"
# The host's /usr may hold a policy-rc.d that forbids starting services (package builds, CI); a fresh host has
# none. Removed in the container's overlay only.
in_ctr rm -f /usr/sbin/policy-rc.d
in_ctr dpkg --force-depends --install /pkg/vpnlb.deb > "$root/dpkg.out" 2>&1 \
    || { cat "$root/dpkg.out"; echo "FAIL: dpkg --install"; exit 1; }
# postinst started the service and deb-systemd-invoke waited for the job: with Type=notify, for READY=1.
check "running when dpkg --install returns" is_active
check "UDP 500 and 4500 bound by then" holds "udp_bound 500 && udp_bound 4500"
check "status after start: $(status_text)" holds "[[ \"\$(status_text)\" == 'running, snapshot '* ]]"
check "enabled at boot" in_ctr systemctl is-enabled --quiet vpnlb.service

in_ctr systemctl restart vpnlb.service || true
check "UDP 500 and 4500 bound when systemctl restart returns" holds "udp_bound 500 && udp_bound 4500"
check "runs as user vpnlb" holds "[[ \$(in_ctr ps -o user= -p \$(main_pid)) == vpnlb ]]"
check "effective capabilities are CAP_NET_BIND_SERVICE only ($(proc_status CapEff))" \
    holds "[[ \$(proc_status CapEff) == 0000000000000400 ]]"
check "no new privileges" holds "[[ \$(proc_status NoNewPrivs) == 1 ]]"
check "system-call filter on (seccomp mode $(proc_status Seccomp))" holds "[[ \$(proc_status Seccomp) == 2 ]]"
check "transport epoll under the filter" journal_has "transport epoll"

in_ctr systemctl reload vpnlb.service || true
# systemd 252 ends the reload job when kill -HUP returns; vpnlb's RELOADING=1 and READY=1 follow (253 and later
# could use Type=notify-reload and wait for them).
for _ in $(seq 1 60); do [[ "$(status_text)" == 'running, reload '* ]] && break; sleep 0.5; done
check "status after reload: $(status_text)" holds "[[ \"\$(status_text)\" == 'running, reload unchanged, snapshot '* ]]"

sed -i '1i transport: io_uring' "$root/etc/vpnlb/vpnlb.yaml"
in_ctr systemctl restart vpnlb.service || true
check "transport io_uring under the filter" journal_has "transport io_uring"
check "active with io_uring" is_active

security="$(in_ctr systemd-analyze security --no-pager vpnlb.service \
    | sed -n 's/.*Overall exposure level for vpnlb.service: \([0-9.]*\).*/\1/p')"
echo "systemd-analyze security (running unit): $security"
check "exposure $security <= 2.5" awk "BEGIN { exit !(${security:-99} <= 2.5) }"

sed -i 's/^transport: io_uring/transport: epoll/; s/^    pool: vpn$/    pool: vpn\n    source-nat: false/' \
    "$root/etc/vpnlb/vpnlb.yaml"
in_ctr install -D -m 0644 /opt/vpnlb/systemd/transparent.conf /etc/systemd/system/vpnlb.service.d/transparent.conf
in_ctr systemctl daemon-reload
in_ctr systemctl restart vpnlb.service || true
check "transparent mode: active" is_active
check "transparent mode: CAP_NET_BIND_SERVICE and CAP_NET_ADMIN ($(proc_status CapEff))" \
    holds "[[ \$(proc_status CapEff) == 0000000000001400 ]]"
check "transparent mode: policy routing up" ip_rule_has "fwmark 0x1 lookup 100"

in_ctr systemctl stop vpnlb.service || true
check "transparent mode: policy routing removed at stop" holds "! ip_rule_has 'fwmark 0x1 lookup 100'"
result="$(in_ctr systemctl show --property Result --value vpnlb.service)"
check "stop ends in success (Result=$result)" test "$result" = success
in_ctr rm -r /etc/systemd/system/vpnlb.service.d

in_ctr dpkg --purge vpnlb > "$root/dpkg.out" 2>&1 || { cat "$root/dpkg.out"; echo "FAIL: dpkg --purge"; exit 1; }
in_ctr systemctl daemon-reload
check "dpkg --purge: the unit is gone" holds "! in_ctr systemctl cat vpnlb.service > /dev/null 2>&1"
check "dpkg --purge: /opt/vpnlb, /etc/vpnlb and /var/lib/vpnlb are gone" \
    holds "! exists /opt/vpnlb && ! exists /etc/vpnlb && ! exists /var/lib/vpnlb"

echo "--- deploy/install.sh"
in_ctr /src/deploy/install.sh > "$root/install.out" 2>&1 || true
check "install.sh: running when it returns ($(tail -1 "$root/install.out"))" is_active
check "install.sh: UDP 500 and 4500 bound by then" holds "udp_bound 500 && udp_bound 4500"
check "install.sh: runs as user vpnlb" holds "[[ \$(in_ctr ps -o user= -p \$(main_pid)) == vpnlb ]]"
token="$(md5sum < "$root/etc/vpnlb/admin.token")"
in_ctr /src/deploy/install.sh > "$root/install.out" 2>&1 || true
check "install.sh again: running, same token" \
    holds "[[ \"\$(md5sum < $root/etc/vpnlb/admin.token)\" == '$token' ]] && is_active"
in_ctr /src/deploy/install.sh --uninstall --purge > "$root/install.out" 2>&1 || true
check "install.sh --uninstall --purge: stopped, files and user gone" \
    holds "! is_active && ! exists /opt/vpnlb && ! exists /etc/vpnlb \
        && ! exists /etc/systemd/system/vpnlb.service && ! grep -q '^vpnlb:' $root/etc/passwd"

if (( failures > 0 )); then
    echo "last install.sh output:"
    cat "$root/install.out"
    echo "journal of vpnlb.service:"
    in_ctr journalctl --unit vpnlb.service --no-pager --output short-monotonic | tail -40
    echo "FAIL: $failures check(s) failed"
    exit 1
fi
echo "PASS: package and install.sh bring up vpnlb.service hardened, ready when its listeners are bound"
