#!/usr/bin/env bash
# Boots systemd in a container (systemd-nspawn, the host's /usr read-only, a private network), installs the
# vpnlb Debian package in it and runs vpnlb.service with all of its hardening, as on a real host:
#   - `systemctl start` returns only once vpnlb is ready (Type=notify): the UDP listeners are bound by then;
#   - the process runs as vpnlb with CAP_NET_BIND_SERVICE only, no new privileges, the system-call filter on;
#   - `systemctl reload` (SIGHUP) reports the reload's outcome in the unit's status;
#   - the JVM and Netty run under the filter with transport epoll and io_uring;
#   - the transparent-mode drop-in adds CAP_NET_ADMIN and the policy routing, and removes it at stop;
#   - `systemctl stop` ends in success; systemd-analyze security rates the running unit 2.5 or lower.
#
#   systemd-nspawn.sh VPNLB_DEB
# Exit 0 all as expected, 1 a check failed, 77 cannot run here (not root, no systemd-nspawn, or the machine
# cannot boot a container: the output says why).
set -euo pipefail

deb="$(realpath "$1")"
[[ $EUID -eq 0 ]] || { echo "SKIP: needs root to boot a container"; exit 77; }
for tool in systemd-nspawn nsenter dpkg useradd; do
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

# A minimal root: the host's /usr comes in read-only at boot; /etc holds only what systemd and the package need,
# so no service of the host starts in the container.
cd "$root"
chmod 0755 "$root"
# usr/ gets the package's files (laid over the host's /usr at boot); its directories exist so that dpkg keeps
# the merged-/usr links bin, sbin, lib and lib64.
mkdir -p usr/bin usr/sbin usr/lib usr/lib64 etc/systemd/system var/lib var/log var/tmp tmp run opt root proc sys dev
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
mkdir -p var/lib/dpkg/info var/lib/dpkg/updates var/lib/dpkg/triggers
: > var/lib/dpkg/status
: > var/lib/dpkg/available

dpkg --root="$root" --force-script-chrootless --force-depends --install "$deb" > /dev/null
mkdir -p etc/systemd/system/multi-user.target.wants
ln -s /lib/systemd/system/vpnlb.service etc/systemd/system/multi-user.target.wants/vpnlb.service
mv usr usr.pkg
mkdir usr

systemd-nspawn --directory="$root" --overlay-ro="/usr:$root/usr.pkg:/usr" --private-network --boot \
    --register=no --keep-unit --machine="vpnlbit$$" --console=pipe > "$log" 2>&1 &
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
# Boot is over when every start job has finished, vpnlb.service's included (Type=notify: once it is ready).
state=""
for _ in $(seq 1 360); do
    state="$(in_ctr systemctl is-system-running 2>/dev/null || true)"
    [[ "$state" == running || "$state" == degraded ]] && break
    sleep 0.5
done
echo "container booted: ${state:-no answer from its systemd}"
if [[ "$state" == degraded ]]; then
    in_ctr systemctl --failed --no-pager
fi

main_pid() { in_ctr systemctl show --property MainPID --value vpnlb.service; }
status_text() { in_ctr systemctl show --property StatusText --value vpnlb.service; }
proc_status() { in_ctr grep -E "^$1:" "/proc/$(main_pid)/status" | awk '{print $2}'; }
udp_bound() { in_ctr ss -H -lun "sport = :$1" | grep -q .; }
journal_has() { in_ctr journalctl --unit vpnlb.service --no-pager --output cat | grep -q -- "$1"; }

check "vpnlb.service started at boot" in_ctr systemctl is-active --quiet vpnlb.service
check "status after start: $(status_text)" bash -c "[[ '$(status_text)' == 'running, snapshot '* ]]"

in_ctr systemctl restart vpnlb.service || true
# Type=notify: restart returned after READY=1, so the listeners are bound now, without waiting.
check "UDP 500 and 4500 bound when systemctl restart returns" bash -c "$(declare -f in_ctr udp_bound);
    leader=$leader; udp_bound 500 && udp_bound 4500"
check "runs as user vpnlb" bash -c "[[ '$(in_ctr ps -o user= -p "$(main_pid)")' == vpnlb ]]"
check "effective capabilities are CAP_NET_BIND_SERVICE only ($(proc_status CapEff))" \
    bash -c "[[ '$(proc_status CapEff)' == 0000000000000400 ]]"
check "no new privileges" bash -c "[[ '$(proc_status NoNewPrivs)' == 1 ]]"
check "system-call filter on (seccomp mode $(proc_status Seccomp))" bash -c "[[ '$(proc_status Seccomp)' == 2 ]]"
check "transport epoll under the filter" journal_has "transport epoll"

in_ctr systemctl reload vpnlb.service || true
check "status after reload: $(status_text)" bash -c "[[ '$(status_text)' == 'running, reload unchanged, snapshot '* ]]"

sed -i '1i transport: io_uring' "$root/etc/vpnlb/vpnlb.yaml"
in_ctr systemctl restart vpnlb.service || true
check "transport io_uring under the filter" bash -c "$(declare -f in_ctr journal_has); leader=$leader;
    journal_has 'transport io_uring'"
check "active with io_uring" in_ctr systemctl is-active --quiet vpnlb.service

security="$(in_ctr systemd-analyze security --no-pager vpnlb.service | sed -n 's/.*Overall exposure level for vpnlb.service: \([0-9.]*\).*/\1/p')"
echo "systemd-analyze security (running unit): $security"
check "exposure $security <= 2.5" bash -c "awk 'BEGIN { exit !($security <= 2.5) }'"

sed -i 's/^transport: io_uring/transport: epoll/; s/^    pool: vpn$/    pool: vpn\n    source-nat: false/' \
    "$root/etc/vpnlb/vpnlb.yaml"
mkdir -p "$root/etc/systemd/system/vpnlb.service.d"
cp "$root/usr.pkg/../opt/vpnlb/systemd/transparent.conf" "$root/etc/systemd/system/vpnlb.service.d/"
in_ctr systemctl daemon-reload
in_ctr systemctl restart vpnlb.service || true
check "transparent mode: active" in_ctr systemctl is-active --quiet vpnlb.service
check "transparent mode: CAP_NET_BIND_SERVICE and CAP_NET_ADMIN ($(proc_status CapEff))" \
    bash -c "[[ '$(proc_status CapEff)' == 0000000000001400 ]]"
check "transparent mode: policy routing up" bash -c "$(declare -f in_ctr); leader=$leader;
    in_ctr ip rule show | grep -q 'fwmark 0x1 lookup 100'"

in_ctr systemctl stop vpnlb.service || true
check "transparent mode: policy routing removed at stop" bash -c "$(declare -f in_ctr); leader=$leader;
    ! in_ctr ip rule show | grep -q 'fwmark 0x1 lookup 100'"
result="$(in_ctr systemctl show --property Result --value vpnlb.service)"
check "stop ends in success (Result=$result)" bash -c "[[ '$result' == success ]]"
check "no system call was refused" bash -c "$(declare -f in_ctr); leader=$leader;
    ! in_ctr journalctl --no-pager --output cat | grep -qiE 'SIGSYS|seccomp'"

if (( failures > 0 )); then
    echo "journal of vpnlb.service:"
    in_ctr journalctl --unit vpnlb.service --no-pager --output short-monotonic | tail -40
    echo "FAIL: $failures check(s) failed"
    exit 1
fi
echo "PASS: vpnlb.service runs hardened under systemd, ready when its listeners are bound"
